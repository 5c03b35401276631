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
