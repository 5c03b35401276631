"""The decoder's layout cache: frames that repeat an ``s`` column are checked with a few
gathers instead of a sort. It must find exactly what the careful path finds."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder, ErrorCode
from warroom.protocol.binary import pack_frame, pack_points, unpack_frame
from warroom.protocol.metrics import MetricsState

from .strategies import NOW
from .test_garbage import check

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAD = {"v": 1, "type": "metrics"}
KEYS = [SeriesKey("m", {"i": str(i)}) for i in range(6)]
DEFS = [{"id": i, "name": k.name, "labels": dict(k.labels)} for i, k in enumerate(KEYS)]
T = NOW - 3_600_000


def frame(s, t, v, **header) -> bytes:
    return pack_frame({**HEAD, **header}, pack_points(np.asarray(s), np.asarray(t), np.asarray(v, dtype=float)))


def totals(result) -> dict[ErrorCode, int]:
    out: dict[ErrorCode, int] = {}
    for e in result.errors:
        out[e.code] = out.get(e.code, 0) + e.count
    return out


def outcome(result):
    return (result.message.points() if result.message is not None else None), totals(result)


# A few layouts (repeated, as a feed repeats its scrapes), each frame with its own times and values:
# mostly clean, sometimes with a duplicate, a point out of order, NaN or a point in the future.
layouts = st.lists(st.integers(0, 6), min_size=1, max_size=8)  # 6: an id never defined


@st.composite
def frames(draw):
    """Frames as ``(s, t, v)`` with ``t`` relative to a base time."""
    shapes = draw(st.lists(layouts, min_size=1, max_size=3))
    out, now = [], 0
    for _ in range(draw(st.integers(1, 12))):
        s = draw(st.sampled_from(shapes))
        step = draw(st.integers(0, 3))
        t = [now + step * (j // 2) for j in range(len(s))]  # time order, two points per step
        if draw(st.booleans()):  # spoil it, sometimes: out of order, a duplicate, future, far back
            j = draw(st.integers(0, len(s) - 1))
            t[j] = draw(st.sampled_from([now - 1, t[0], 10**10, -(10**6)]))
        v = [draw(st.sampled_from([1.0, 2.5, math.nan])) if draw(st.integers(0, 9)) == 0 else float(j) for j in range(len(s))]
        out.append((s, t, v))
        now += 10 * (step + 1)
    return out


@SETTINGS
@given(frames())
def test_the_layout_path_accepts_and_refuses_exactly_what_the_careful_path_does(frames_):
    fast, careful = Decoder(), Decoder()
    careful._metrics._layout = lambda table, s: None  # the reference: never a layout
    for d in (fast, careful):
        check(d, frame([], [], [], defs=DEFS))
    # Every layout at least twice (the second time it is cached), later frames later in time.
    for base in (T, T + 100_000, T + 200_000):
        for s, t, v in frames_:
            data = frame(s, [base + x for x in t], v)
            assert outcome(check(fast, data)) == outcome(check(careful, data))
    assert fast.stats.as_dict() == careful.stats.as_dict()


def test_a_repeated_layout_is_cached_and_its_batches_share_series_and_index():
    d = Decoder()
    check(d, frame([], [], [], defs=DEFS))
    results = [check(d, frame([2, 0, 2, 0], [T + k, T + k, T + k + 1, T + k + 1], [1.0, 2.0, 3.0, 4.0])) for k in range(0, 30, 10)]
    assert all(r.errors == [] for r in results)
    assert results[2].message.points() == [(KEYS[2], T + 20, 1.0), (KEYS[0], T + 20, 2.0),
                                           (KEYS[2], T + 21, 3.0), (KEYS[0], T + 21, 4.0)]
    assert results[1].message.series is results[2].message.series
    assert results[1].message.index is results[2].message.index
    assert not results[2].message.index.flags.writeable  # shared: nobody may change it
    assert results[2].message.ts.flags.writeable and results[2].message.values.flags.writeable


def test_points_of_a_cached_layout_are_still_checked_one_by_one():
    d = Decoder()
    check(d, frame([], [], [], defs=DEFS))
    for k in range(2):  # cached from here
        assert check(d, frame([0, 1, 0, 1], [T + k * 10, T + k * 10, T + k * 10 + 1, T + k * 10 + 1], [1.0] * 4)).errors == []
    r = check(d, frame([0, 1, 0, 1], [T + 20, T + 20, T + 20, T + 21], [1.0, math.nan, 2.0, 3.0]))
    assert totals(r) == {ErrorCode.NON_FINITE: 1, ErrorCode.DUPLICATE_POINT: 1}
    assert r.message.points() == [(KEYS[0], T + 20, 1.0), (KEYS[1], T + 21, 3.0)]
    r = check(d, frame([0, 1, 0, 1], [T + 5, T + 30, NOW + 10**9, T + 31], [1.0] * 4))
    assert totals(r) == {ErrorCode.OUT_OF_ORDER: 1, ErrorCode.FUTURE_TIMESTAMP: 1}
    assert r.message.points() == [(KEYS[1], T + 30, 1.0), (KEYS[1], T + 31, 1.0)]


def test_redefined_ids_and_a_new_connection_are_not_served_from_an_old_layout():
    d = Decoder()
    check(d, frame([], [], [], defs=DEFS))
    for k in range(3):
        check(d, frame([0, 1], [T + k, T + k], [1.0, 2.0]))
    # Id 0 now names another series: the same column must land on it.
    check(d, frame([], [], [], defs=[{"id": 0, "name": "other", "labels": {}}]))
    r = check(d, frame([0, 1], [T + 10, T + 10], [1.0, 2.0]))
    assert r.errors == [] and r.message.points() == [(SeriesKey("other", {}), T + 10, 1.0), (KEYS[1], T + 10, 2.0)]
    # After a reconnect the ids mean nothing until defined again.
    d.new_connection()
    r = check(d, frame([0, 1], [T + 20, T + 20], [1.0, 2.0]))
    assert r.message.points() == [] and totals(r) == {ErrorCode.BAD_FIELD: 2}


def test_a_layout_with_an_undefined_id_keeps_the_good_points_every_time():
    d = Decoder()
    check(d, frame([], [], [], defs=DEFS[:2]))
    for k in range(3):
        r = check(d, frame([0, 5, 1], [T + k, T + k, T + k], [1.0, 2.0, 3.0]))
        assert totals(r) == {ErrorCode.BAD_FIELD: 1}
        assert r.message.points() == [(KEYS[0], T + k, 1.0), (KEYS[1], T + k, 3.0)]


def test_layouts_are_bounded():
    state = MetricsState(future_tolerance_ms=60_000)
    errors: list = []
    state.define([{"id": i, "name": "m", "labels": {"i": str(i)}} for i in range(100)], errors)
    table = state.connection_series()
    assert errors == [] and len(table) >= 100
    for i in range(500):
        for _ in range(2):  # the second sight builds it
            state._layout(table, np.array([i % 100, (i + 1) % 100, i // 100], dtype=np.int32))
    assert 0 < len(state._layouts) <= 32 and len(state._seen_once) <= 32
    big = np.zeros(20_000, dtype=np.int32)
    for _ in range(3):
        assert state._layout(table, big) is None  # too big to cache: the careful path's
    assert (4, big.tobytes()) not in state._layouts and (4, big.tobytes()) not in state._seen_once


def test_copied_columns_are_aligned_writable_and_equal_to_the_views():
    for n in (0, 1, 2, 3, 8, 1461):
        s = np.arange(n, dtype=np.int32) % 7
        t = T + np.arange(n, dtype=np.int64)
        v = np.arange(n) / 3
        data = pack_frame({**HEAD, "pad": "x" * (n % 5)}, pack_points(s, t, v))
        head, *views = unpack_frame(data)
        head2, *copies = unpack_frame(data, copy=True)
        assert head == head2 and head["n"] == n
        for view, col, want in zip(views, copies, (s, t, v)):
            assert np.array_equal(col, want) and np.array_equal(view, want)
            assert col.flags.writeable and not view.flags.writeable
            assert col.ctypes.data % col.itemsize == 0


def test_huge_finite_values_are_kept_on_a_cached_layout():
    d = Decoder()
    check(d, frame([], [], [], defs=DEFS))
    for k in range(3):  # the third frame's layout is cached
        r = check(d, frame([0, 1], [T + k, T + k], [1e308, 1e308]))
        assert r.errors == [] and r.message.points() == [(KEYS[0], T + k, 1e308), (KEYS[1], T + k, 1e308)]


@st.composite
def tiled_frames(draw):
    """Frames of k scrapes naming the same series once each, in the same order (how a feed
    coalesces its scrapes): the layout cache checks them as a (k, m) grid."""
    row = draw(st.lists(st.integers(0, 6), min_size=1, max_size=6, unique=True))
    out, now = [], 0
    for _ in range(draw(st.integers(1, 8))):
        k = draw(st.integers(1, 4))
        s = row * k
        t = [now + 10 * (j // len(row)) for j in range(len(s))]
        if draw(st.booleans()):  # spoil it: a scrape back in time, a repeat, the future, far back
            j = draw(st.integers(0, len(s) - 1))
            t[j] = draw(st.sampled_from([now - 1, t[0], t[j] - 10, 10**10, -(10**6)]))
        v = [math.nan if draw(st.integers(0, 19)) == 0 else float(j) for j in range(len(s))]
        out.append((s, t, v))
        now += 10 * (k + 1)
    return out


@SETTINGS
@given(tiled_frames())
def test_tiled_frames_are_judged_as_the_careful_path_judges_them(frames_):
    fast, careful = Decoder(), Decoder()
    careful._metrics._layout = lambda table, s: None
    for d in (fast, careful):
        check(d, frame([], [], [], defs=DEFS))
    for base in (T, T + 100_000, T + 200_000):
        for s, t, v in frames_:
            data = frame(s, [base + x for x in t], v)
            got = check(fast, data)
            assert outcome(got) == outcome(check(careful, data))
            if got.message is not None and len(got.message):
                assert got.message.newest_ts == int(got.message.ts.max())
    assert fast.stats.as_dict() == careful.stats.as_dict()


def test_a_tiled_layout_is_recognised_and_an_irregular_one_is_not():
    d = Decoder()
    check(d, frame([], [], [], defs=DEFS))
    base = T
    for s in ([2, 0, 1, 2, 0, 1], [2, 0, 1, 0, 2, 1], [2, 0, 2, 0, 1]):
        for _ in range(2):  # cached the second time it is seen
            t = sorted(base + 10 * j for j in range(len(s)))
            assert not check(d, frame(s, t, [1.0] * len(s))).errors
            base += 1000
    ticks = {key[1]: (lay.ticks, lay.row_gids.tolist()) for key, lay in d._metrics._layouts.items()}
    tiled = np.array([2, 0, 1, 2, 0, 1], "<i4").tobytes()
    assert ticks.pop(tiled)[0] == 2
    assert [t for t, _ in ticks.values()] == [0, 0]
