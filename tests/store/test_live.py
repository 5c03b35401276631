"""LiveView and its ring buffers: bounded memory, the state at the cursor, no doubled events."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.model import Event, EventKind, SeriesKey
from warroom.protocol import Events, MetricBatch
from warroom.store.live import LiveView, SeriesRing

T0 = 1_763_605_800_000
K = SeriesKey("m", {"s": "a"})


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 50), st.lists(st.integers(1, 40), min_size=1, max_size=20))
def test_ring_keeps_the_newest_points_in_order(capacity, chunks):
    ring = SeriesRing(capacity)
    all_ts: list[int] = []
    t = 0
    for n in chunks:
        ts = np.arange(t, t + n, dtype=np.int64)
        ring.extend(ts, ts.astype(float) * 2)
        all_ts.extend(ts.tolist())
        t += n
    ts, v = ring.arrays()
    assert ts.tolist() == all_ts[-capacity:]
    assert v.tolist() == [x * 2.0 for x in all_ts[-capacity:]]
    assert len(ring) == min(capacity, len(all_ts))


def test_value_and_window_follow_the_cursor():
    view = LiveView(capacity=100)
    view.apply(MetricBatch.from_points([(K, T0 + i * 1000, float(i)) for i in range(10)]))
    assert view.cursor_ms == T0 + 9000 and view.value(K) == 9.0
    ts, v = view.window(K, 3000)
    assert ts.tolist() == [T0 + 6000, T0 + 7000, T0 + 8000, T0 + 9000]
    view.set_cursor(T0 + 4500)  # replay: the state at 4.5 s is the point at 4 s
    assert view.value(K) == 4.0
    assert view.window(K, 1000)[1].tolist() == [4.0]
    view.set_cursor(None)
    assert view.value(K) == 9.0
    assert view.value(SeriesKey("unknown")) is None


def test_memory_is_bounded_per_series():
    view = LiveView(capacity=60)
    for i in range(0, 600, 10):
        view.apply(MetricBatch.from_points([(K, T0 + (i + j) * 1000, 1.0) for j in range(10)]))
    ts, _ = view.window(K, 10**9)
    assert len(ts) == 60 and ts[-1] == T0 + 599_000


def test_events_are_not_doubled_when_a_feed_resends_them():
    view = LiveView(max_events=3)
    evs = [Event(f"e{i}", T0 + i, EventKind.DEPLOY, "trade", f"v{i}") for i in range(5)]
    view.apply(MetricBatch.from_points([(K, T0 + 10, 1.0)]))
    view.apply(Events(tuple(evs[:2])))
    v = view.version
    view.apply(Events(tuple(evs[:2])))  # resent after a reconnect
    assert [e.id for e in view.events()] == ["e0", "e1"] and view.version == v
    view.add_events(evs[2:])
    assert [e.id for e in view.events()] == ["e2", "e3", "e4"]  # bounded
    view.add_events([evs[0]])  # forgotten ids may come back: bounded memory wins
    assert [e.id for e in view.events()] == ["e3", "e4", "e0"]


def test_data_age_uses_the_feed_clock():
    view = LiveView()
    assert view.data_age_ms is None
    view.apply(MetricBatch.from_points([(K, T0, 1.0)]))
    view.set_feed("live", "ok", "srv", now_ms=T0 + 7000)
    assert view.data_age_ms == 7000


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 30), st.integers(0, 100), st.integers(-5, 110), st.integers(0, 60))
def test_ring_window_equals_filtering_all_points(capacity, n, start, span):
    ring = SeriesRing(capacity)
    ts = np.arange(n, dtype=np.int64) * 2
    ring.extend(ts, ts * 10.0)
    all_ts, all_v = ring.arrays()
    mask = (all_ts >= start) & (all_ts <= start + span)
    got_ts, got_v = ring.window(start, start + span)
    assert got_ts.tolist() == all_ts[mask].tolist() and got_v.tolist() == all_v[mask].tolist()


def test_data_age_is_in_wall_time_for_a_fast_feed():
    view = LiveView()
    view.apply(MetricBatch.from_points([(K, T0, 1.0)]))
    view.set_feed("live", "ok", "srv", now_ms=T0 + 60_000, speed=60.0)  # one simulated minute behind
    assert view.data_age_ms == 1000


# -- series that come and go (issue 12) ---------------------------------------------------------

HOUR = 3_600_000


def test_series_that_went_silent_are_dropped_the_others_kept():
    view = LiveView(capacity=100, series_timeout_ms=HOUR)
    for h in range(10):  # 50 pods an hour, each reporting for ten minutes, and one steady series
        pods = [SeriesKey("m", {"pod": f"p{h}-{j}"}) for j in range(50)]
        for minute in range(60):
            ts = T0 + h * HOUR + minute * 60_000
            points = [(K, ts, float(minute))] + ([(p, ts, float(h)) for p in pods] if minute < 10 else [])
            view.apply(MetricBatch.from_points(points))
        assert view.series_count <= 1 + 2 * 50  # the steady one, this hour's pods, the last hour's
    pod = SeriesKey("m", {"pod": "p9-3"})
    assert view.value(pod) == 9.0 and view.value(K) == 59.0
    assert view.keys("m", pod="p0-3") == [] and view.value(SeriesKey("m", {"pod": "p0-3"})) is None
    assert len(view.window(K, 10**9)[0]) == 100  # the steady series lost nothing

    # A dropped series that comes back starts afresh, with only what it sends now.
    back = SeriesKey("m", {"pod": "p0-3"})
    view.apply(MetricBatch.from_points([(back, T0 + 10 * HOUR, 7.0), (K, T0 + 10 * HOUR, 1.0)]))
    assert view.window(back, 10**12)[1].tolist() == [7.0]


def test_a_series_reporting_every_two_hours_keeps_its_history_by_default():
    view = LiveView(capacity=100)
    slow = SeriesKey("batch_job_seconds")
    for minute in range(12 * 60):  # twelve hours of a per-minute series, and a job every two hours
        ts = T0 + minute * 60_000
        view.apply(MetricBatch.from_points([(K, ts, 1.0)] + ([(slow, ts, float(minute))] if minute % 120 == 0 else [])))
    assert view.window(slow, 10**12)[1].tolist() == [0.0, 120.0, 240.0, 360.0, 480.0, 600.0]


def test_silent_series_are_never_dropped_when_the_timeout_is_off():
    view = LiveView(capacity=10, series_timeout_ms=None)
    view.apply(MetricBatch.from_points([(SeriesKey("m", {"pod": "old"}), T0, 1.0)]))
    view.apply(MetricBatch.from_points([(K, T0 + 100 * HOUR, 1.0)]))
    assert view.series_count == 2


def test_a_ring_starts_small_and_grows_to_its_capacity_keeping_the_newest_points_in_order():
    import random

    from warroom.store.live import FIRST_ROOM, SeriesRing

    rng = random.Random(5)
    for capacity in (1, 3, FIRST_ROOM, FIRST_ROOM + 1, 1000):
        ring, model, t = SeriesRing(capacity), [], 0
        assert ring._ts.nbytes <= FIRST_ROOM * 8  # a new series costs little, whatever its capacity
        for _ in range(60):
            n = rng.choice((0, 1, 1, 2, 7, 40, capacity, capacity + 3))
            ts = np.arange(t, t + n, dtype=np.int64)
            t += n
            ring.extend(ts, ts * 0.5)
            model = (model + ts.tolist())[-capacity:]
            got_ts, got_v = ring.arrays()
            assert got_ts.tolist() == model and got_v.tolist() == [x * 0.5 for x in model]
            assert len(ring._ts) <= capacity
            if model:
                assert ring.last_ts == model[-1] and ring.at(model[-1]) == (model[-1], model[-1] * 0.5)
                lo, hi = model[0] + len(model) // 3, model[-1] - len(model) // 3
                assert ring.window(lo, hi)[0].tolist() == [x for x in model if lo <= x <= hi]
        assert ring.capacity == capacity


def test_a_wide_platform_costs_memory_for_the_points_held_not_for_its_capacity():
    view = LiveView()
    keys = tuple(SeriesKey("service_requests_rate", {"service": f"s{i}"}) for i in range(12_000))
    view.apply(MetricBatch(keys, np.arange(12_000, dtype=np.int32), np.full(12_000, T0, np.int64),
                           np.ones(12_000)))
    held = sum(r._ts.nbytes + r._v.nbytes for r in view._rings.values())
    assert held <= 12_000 * 64 * 16  # about 12 MB; rings of 3,600 points would take 691 MB


def test_a_feeds_reports_on_its_own_sources_do_not_make_old_data_look_fresh():
    # A gateway whose Prometheus is down keeps sending source_up=0 every cycle and nothing
    # else: the data's age must keep growing (the wall goes stale), not read "0 s old".
    from warroom.protocol import MetricBatch

    view = LiveView()
    data = SeriesKey("service_requests_rate", {"service": "pay"})
    up = SeriesKey("source_up", {"source": "prometheus:topology"})
    view.add_batch(MetricBatch.from_points([(data, 1_000, 5.0), (up, 1_000, 1.0)]))
    view.add_batch(MetricBatch.from_points([(up, 61_000, 0.0)]))
    view.feed_now_ms, view.feed_speed = 61_000, 1.0
    assert view.newest_ms == 61_000  # the cursor still follows the feed
    assert view.newest_data_ms == 1_000
    assert view.data_age_ms == 60_000


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 200), st.integers(1, 600))
def test_appending_one_point_at_a_time_holds_what_extend_holds(capacity, n):
    one, many = SeriesRing(capacity), SeriesRing(capacity)
    ts = np.arange(n, dtype=np.int64) * 1000
    for t in ts.tolist():
        one.append(t, t / 7)
    many.extend(ts, ts / 7)
    assert [a.tolist() for a in one.arrays()] == [a.tolist() for a in many.arrays()]
    assert one.last_ts == many.last_ts == int(ts[-1])
    assert one.at(int(ts[-1]) - 1) == many.at(int(ts[-1]) - 1)


def test_a_one_point_per_series_batch_lands_like_any_other_batch():
    keys = tuple(SeriesKey("m", {"s": str(i)}) for i in range(50))
    fast, slow = LiveView(capacity=30), LiveView(capacity=30)
    for sec in range(40):
        ts = T0 + sec * 1000
        values = np.arange(50) * 1.0 + sec
        fast.apply(MetricBatch(keys, np.arange(50), np.full(50, ts), values))  # in series order: the fast path
        order = np.arange(50)[::-1]  # the same points in another order: the general path
        slow.apply(MetricBatch(keys, order, np.full(50, ts), values[order]))
    assert fast.series_count == slow.series_count == 50
    for k in keys:
        assert [a.tolist() for a in fast.window(k, 10**9)] == [a.tolist() for a in slow.window(k, 10**9)]
    assert len(fast.window(keys[3], 10**9)[0]) == 30 and fast.value(keys[3]) == 3.0 + 39


def test_keys_by_name_follow_series_that_come_are_dropped_and_cleared():
    view = LiveView(series_timeout_ms=HOUR)
    up = [SeriesKey("source_up", {"source": s}) for s in ("b", "a")]
    view.apply(MetricBatch.from_points([(k, T0, 1.0) for k in up] + [(K, T0, 2.0)]))
    assert view.keys("source_up") == sorted(up, key=lambda k: k.text)
    assert view.keys("source_up", source="a") == [up[1]]
    assert view.keys("m") == [K] and view.keys("nothing") == [] and len(view.keys()) == 3
    view.apply(MetricBatch.from_points([(up[0], T0 + 2 * HOUR, 1.0), (K, T0 + 2 * HOUR, 2.0)]))
    assert view.keys("source_up") == [up[0]]  # "a" went silent and was dropped
    view.clear()
    assert view.keys("source_up") == [] and view.keys() == []


def test_a_series_dropped_and_back_under_the_same_batch_layout_gets_a_new_ring():
    # The decoder hands every batch of a layout the same series tuple; the view keeps the rings
    # of its positions, and must not keep writing into a ring it dropped.
    keys = (K, SeriesKey("m", {"s": "pod"}))
    view = LiveView(capacity=100, series_timeout_ms=HOUR)
    view.apply(MetricBatch(keys, [0, 1], [T0, T0], [1.0, 2.0]))
    for h in range(1, 4):  # only K reports: the pod goes silent and is dropped
        view.apply(MetricBatch(keys, [0], [T0 + h * HOUR], [1.0]))
    assert view.keys("m", s="pod") == []
    view.apply(MetricBatch(keys, [0, 1], [T0 + 4 * HOUR] * 2, [1.0, 5.0]))
    assert view.window(keys[1], 10**12)[1].tolist() == [5.0] and view.keys("m", s="pod") == [keys[1]]
    view.clear()
    view.apply(MetricBatch(keys, [0, 1], [T0 + 5 * HOUR] * 2, [3.0, 4.0]))
    assert view.window(K, 10**12)[1].tolist() == [3.0] and view.value(keys[1]) == 4.0
