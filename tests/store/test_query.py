"""Round trips through StoreWriter and HistoryReader: points, downsampling, events, topology."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.model import CallEdge, Event, EventKind, Scenario, SeriesKey, Service, Severity
from warroom.core.graph.topology import Topology
from warroom.protocol.messages import Events, MetricBatch, TopologySnapshot
from warroom.store import HistoryReader, StoreWriter, bucket_width_ms

from .helpers import batch, key


def _expected_buckets(ts, values, start, end, n):
    """Per-bucket (start, mean, min, max, last, count) computed with numpy, as the reader should."""
    width = bucket_width_ms(start, end, n)
    origin = 0 if n > 1 else start
    sel = (ts >= start) & (ts < end)
    ts, values = ts[sel], values[sel]
    b = (ts - origin) // width * width + origin
    out = []
    for start_b in np.unique(b):
        m = b == start_b
        v, t = values[m], ts[m]
        out.append((start_b, v.mean(), v.min(), v.max(), v[np.argmax(t)], m.sum()))
    return width, out


def test_points_round_trip_raw(open_writer):
    w = open_writer()
    a, b = key("tps", service="trade"), key("err", service="bank")
    pts = [(a, 1000, 1.5), (b, 1000, 0.25), (a, 2000, 2.5), (b, 3000, 0.5)]
    w.append_metrics(MetricBatch.from_points(pts[:2]))
    w.append_metrics(MetricBatch.from_points(pts[2:]))
    assert w.flush(timeout=10)
    r = w.reader()
    got = r.range([a, b], 0, 10_000, max_points=100)
    assert got[a].raw and got[a].ts.tolist() == [1000, 2000] and got[a].value.tolist() == [1.5, 2.5]
    assert got[b].ts.tolist() == [1000, 3000] and got[b].last.tolist() == [0.25, 0.5]
    assert got[a].ts.dtype == np.int64 and got[a].value.dtype == np.float64
    assert r.time_range() == (1000, 3000)
    assert r.latest([a, b]) == {a: (2000, 2.5), b: (3000, 0.5)}


def test_range_is_half_open_and_unknown_keys_are_empty(open_writer):
    w = open_writer()
    k = key()
    w.append_metrics(batch(k, [0, 10, 20]))
    w.flush()
    got = w.reader().range([k, key("nope")], 10, 20)
    assert got[k].ts.tolist() == [10]
    assert len(got[key("nope")]) == 0


def test_series_filter_by_name_and_labels(open_writer):
    w = open_writer()
    keys = [
        SeriesKey("tps", {"service": "trade", "zone": "a"}),
        SeriesKey("tps", {"service": "bank", "zone": "a"}),
        SeriesKey("err", {"service": "trade"}),
    ]
    w.append_metrics(MetricBatch.from_points([(k, 1, 1.0) for k in keys]))
    w.flush()
    r = w.reader()
    assert set(r.series()) == set(keys)
    assert set(r.series("tps")) == set(keys[:2])
    assert r.series(service="trade", zone="a") == [keys[0]]
    assert r.series("err", zone="a") == []


@pytest.fixture(scope="module")
def dense_store(tmp_path_factory):
    """Two dense series with random timestamps, one of them with a long gap."""
    rng = np.random.default_rng(7)
    path = tmp_path_factory.mktemp("dense") / "dense.duckdb"
    data = {}
    w = StoreWriter(path)
    for name in ("a", "b"):
        ts = np.sort(rng.integers(0, 600_000, 20_000))
        if name == "b":
            ts = ts[(ts < 100_000) | (ts >= 400_000)]  # nothing in [100 s, 400 s)
        values = rng.normal(size=len(ts))
        data[key(name)] = (ts, values)
        for chunk in np.array_split(np.arange(len(ts)), 7):
            w.append_metrics(batch(key(name), ts[chunk], values[chunk]))
    w.close()
    reader = HistoryReader(path)
    yield reader, data
    reader.close()


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(-50_000, 550_000),
    length=st.integers(1, 700_000),
    n=st.integers(1, 500),
)
def test_downsampling_matches_numpy(dense_store, start, length, n):
    reader, data = dense_store
    end = start + length
    got = reader.range(list(data), start, end, max_points=n)
    for k, (ts, values) in data.items():
        s = got[k]
        in_range = int(((ts >= start) & (ts < end)).sum())
        assert len(s) <= n
        assert int(s.count.sum()) == in_range  # every point counted once, none invented
        if in_range <= n:
            assert s.raw
            sel = (ts >= start) & (ts < end)
            assert sorted(s.ts.tolist()) == sorted(ts[sel].tolist())
            continue
        width, expected = _expected_buckets(ts, values, start, end, n)
        assert s.bucket_ms == width
        assert s.ts.tolist() == [e[0] for e in expected]
        np.testing.assert_allclose(s.value, [e[1] for e in expected], rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(s.min, [e[2] for e in expected])
        np.testing.assert_array_equal(s.max, [e[3] for e in expected])
        np.testing.assert_array_equal(s.count, [e[5] for e in expected])
        # ``last`` is the value at the newest timestamp; ties between equal ts are arbitrary.
        for got_last, e in zip(s.last, expected):
            sel = (ts >= max(start, e[0])) & (ts < min(end, e[0] + width))
            assert got_last in values[sel][ts[sel] == ts[sel].max()]


def test_gaps_stay_gaps(dense_store):
    reader, data = dense_store
    s = reader.range([key("b")], 0, 600_000, max_points=200)[key("b")]
    assert not s.raw
    width = s.bucket_ms
    # No bucket lies wholly inside the empty stretch [100 s, 400 s).
    inside = (s.ts >= 100_000) & (s.ts + width <= 400_000)
    assert not inside.any()
    assert int(s.count.sum()) == len(data[key("b")][0])


def test_few_points_come_back_raw_without_averaging(open_writer):
    w = open_writer()
    k = key()
    w.append_metrics(batch(k, [0, 1, 2, 500_000], [1.0, 3.0, 5.0, 7.0]))
    w.flush()
    s = w.reader().range([k], 0, 600_000, max_points=4)[k]
    assert s.raw and s.value.tolist() == [1.0, 3.0, 5.0, 7.0]
    s = w.reader().range([k], 0, 600_000, max_points=3)[k]
    assert not s.raw and len(s) <= 3
    assert s.value[0] == 3.0 and s.min[0] == 1.0 and s.max[0] == 5.0 and s.last[0] == 5.0


def test_buckets_are_stable_when_the_window_slides(open_writer):
    w = open_writer()
    k = key()
    w.append_metrics(batch(k, np.arange(0, 100_000, 10)))
    w.flush()
    r = w.reader()
    a = r.range([k], 10_000, 70_000, max_points=61)[k]
    b = r.range([k], 10_007, 70_007, max_points=61)[k]
    assert a.bucket_ms == b.bucket_ms == 1000
    # Buckets both windows cover fully are identical (no shimmer on a live chart).
    common = np.intersect1d(a.ts[1:-1], b.ts[1:-1])
    assert len(common) > 50
    for t in common:
        assert a.value[a.ts == t] == b.value[b.ts == t]


def test_latest_at_cursor_and_beyond_lookback(open_writer):
    w = open_writer()
    old, new = key("old"), key("new")
    w.append_metrics(batch(old, [1_000], [1.0]))
    w.append_metrics(batch(new, [1_000, 10_000_000, 20_000_000], [1.0, 2.0, 3.0]))
    w.flush()
    r = w.reader()
    assert r.latest([old, new]) == {old: (1_000, 1.0), new: (20_000_000, 3.0)}
    assert r.latest([old, new], at_ms=15_000_000) == {old: (1_000, 1.0), new: (10_000_000, 2.0)}
    assert r.latest([old], at_ms=500) == {}
    assert r.latest([key("unknown")]) == {}


def _event(i, ts, kind=EventKind.DEPLOY, subject="trade", **attrs):
    return Event(f"e{i}", ts, kind, subject, f"event {i}", Severity.P2, attrs)


def test_events_round_trip_filter_and_order(open_writer):
    w = open_writer()
    evs = [
        _event(1, 300, version="2.1"),
        _event(2, 100, EventKind.ALERT, "bank"),
        _event(3, 200, EventKind.NOTE),
    ]
    w.append_events(Events(tuple(evs)))
    w.flush()
    r = w.reader()
    assert r.events(0, 1000) == [evs[1], evs[2], evs[0]]
    got = r.events(0, 1000)[2]
    assert dict(got.attrs) == {"version": "2.1"} and got.severity is Severity.P2
    assert r.events(0, 300) == [evs[1], evs[2]]
    assert r.events(0, 1000, kinds=[EventKind.DEPLOY, "note"]) == [evs[2], evs[0]]
    assert r.events(0, 1000, subject="bank") == [evs[1]]


def test_duplicate_event_ids_are_stored_once(open_writer):
    w = open_writer()
    first = _event(1, 100)
    again = Event("e1", 999, EventKind.NOTE, "x", "changed")
    w.append_events([first, first, _event(2, 200)])
    w.flush()
    w.append_events([again])
    w.flush()
    r = w.reader()
    assert r.events(0, 10_000) == [first, _event(2, 200)]
    cur = r._cur()
    assert cur.execute("SELECT count(*) FROM events").fetchone()[0] == 2


def _topology(*banks: str) -> Topology:
    services = [Service("cashier"), Service("trade")] + [Service(b) for b in banks]
    edges = [CallEdge("cashier", "trade")] + [CallEdge("trade", b) for b in banks]
    return Topology(services, edges, [Scenario.from_path("qr", "QR pay", ["cashier", "trade"])])


def test_the_graph_at_a_moment_is_the_one_in_force_else_the_first_recorded(open_writer):
    w = open_writer()
    t0 = 1_763_605_800_000
    assert w.reader().graph_at(t0) is None
    w.append_topology(TopologySnapshot(t0, _topology("bank-a")))
    w.append_topology(TopologySnapshot(t0 + 60_000, _topology("bank-a", "bank-b")))
    w.flush()
    r = w.reader()
    # Before the first graph (a history that starts mid-incident) the first one stands in.
    assert {s.name for s in r.graph_at(t0 - 1).services} == {"cashier", "trade", "bank-a"}
    assert {s.name for s in r.graph_at(t0 + 90_000).services} == {"cashier", "trade", "bank-a", "bank-b"}
    w.close()


def test_topology_stored_only_on_change(open_writer, db_path):
    w = open_writer()
    w.append_topology(TopologySnapshot(1000, _topology("bank-a")))
    w.append_topology(TopologySnapshot(2000, _topology("bank-a")))
    w.flush()
    w.append_topology(TopologySnapshot(3000, _topology("bank-a", "bank-b")))
    w.append_topology(TopologySnapshot(4000, _topology("bank-a", "bank-b")))
    w.flush()
    # Same graph, services listed in another order: not a change either.
    reordered = Topology([Service("bank-b"), Service("bank-a"), Service("trade"), Service("cashier")],
                         [CallEdge("trade", "bank-b"), CallEdge("trade", "bank-a"),
                          CallEdge("cashier", "trade")],
                         [Scenario.from_path("qr", "QR pay", ["cashier", "trade"])])
    w.append_topology(TopologySnapshot(5000, reordered))
    w.flush()
    r = w.reader()
    assert r._cur().execute("SELECT count(*) FROM topology_snapshots").fetchone()[0] == 2
    assert r.topology_at(999) is None
    assert r.topology_at(1000) == TopologySnapshot(1000, _topology("bank-a")).to_wire()
    assert r.topology_at(2999)["ts"] == 1000
    assert r.topology_at(3000)["ts"] == 3000
    assert {s["name"] for s in r.topology_at(10_000)["services"]} == {"cashier", "trade", "bank-a", "bank-b"}
    w.close()
    # A new writer remembers the last stored topology and does not store it again.
    w2 = open_writer(db_path)
    w2.append_topology(TopologySnapshot(6000, _topology("bank-a", "bank-b")))
    w2.flush()
    assert w2.reader()._cur().execute("SELECT count(*) FROM topology_snapshots").fetchone()[0] == 2


def test_reopened_writer_reuses_series_ids(open_writer, db_path):
    w = open_writer()
    w.append_metrics(batch(key("a"), [1]))
    w.close()
    w = open_writer(db_path)
    w.append_metrics(MetricBatch.from_points([(key("a"), 2, 2.0), (key("b"), 2, 3.0)]))
    w.flush()
    cur = w.reader()._cur()
    assert cur.execute("SELECT count(*), count(DISTINCT series_id) FROM series").fetchone() == (2, 2)
    assert w.reader().range([key("a")], 0, 10)[key("a")].ts.tolist() == [1, 2]


def test_readers_in_several_threads(open_writer):
    import concurrent.futures as cf

    w = open_writer()
    k = key()
    w.append_metrics(batch(k, np.arange(1000)))
    w.flush()
    r = w.reader()
    with cf.ThreadPoolExecutor(4) as pool:
        sizes = list(pool.map(lambda _: int(r.range([k], 0, 1000, 50)[k].count.sum()), range(16)))
    assert sizes == [1000] * 16
    r.close()
