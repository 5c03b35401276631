"""Fuzzing the writer with hostile text and clocks: it never gets stuck, and every row is
either stored or quarantined."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.core.model import CallEdge, Event, EventKind, Scenario, SeriesKey, Service
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.protocol.messages import MetricBatch, PlanCatalogue, TopologySnapshot
from warroom.store import StoreWriter

# Any code point, lone surrogates (category Cs) included. Drawn by st.characters they would
# come up in a few strings per thousand, so half the strings are built with them on purpose.
_ANY = st.characters(codec=None, exclude_categories=())
TEXT = st.one_of(st.text(_ANY, max_size=12),
                 st.lists(st.one_of(_ANY, st.integers(0xD800, 0xDFFF).map(chr)), max_size=12).map("".join))
INT64 = st.integers(-(2**63), 2**63 - 1)
TS = st.one_of(INT64, st.integers(0, 2_000_000_000_000))  # half hostile, half plausible

_ids = itertools.count()


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    w = StoreWriter(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb", flush_interval_s=60)
    yield w
    w.close(timeout=30)


def _totals(w: StoreWriter) -> tuple[int, int, int, int, int, int]:
    h = w.health
    q = h.quarantined
    return (h.flushed_points, q.get("points", 0), h.flushed_events, q.get("event", 0),
            h.flushed_topologies + h.flushed_plans, q.get("topology", 0) + q.get("plans", 0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=st.lists(TEXT, min_size=1, max_size=4), points=st.lists(st.tuples(st.integers(0, 3), TS), max_size=30),
       events=st.lists(st.tuples(TEXT, TEXT, TEXT, TEXT, TS), max_size=5), service=TEXT, plan_title=TEXT,
       snapshot_ts=TS)
def test_every_row_is_stored_or_quarantined_and_flush_returns(writer, labels, points, events, service, plan_title,
                                                               snapshot_ts):
    run = next(_ids)
    keys = tuple(SeriesKey("fuzz", {"run": str(run), "v": v}) for v in dict.fromkeys(labels))
    pts = [(i % len(keys), ts) for i, ts in points]
    before = _totals(writer)
    if pts:
        idx, ts = zip(*pts)
        writer.append_metrics(MetricBatch(keys, np.array(idx), np.array(ts, dtype=np.int64), np.arange(len(pts)) * 1.5))
    evs = [Event(f"f{run}-{i}-{eid}", ts, EventKind.NOTE, subject, title, attrs={"a": attr})
           for i, (eid, subject, title, attr, ts) in enumerate(events)]
    writer.append_events(evs)
    # Topology and plans change with every run, so each is a row to store or to set aside.
    topo = Topology([Service("cashier"), Service(f"s{run}{service}")], [CallEdge("cashier", f"s{run}{service}")],
                    [Scenario.from_path("qr", "QR", ["cashier", f"s{run}{service}"])])
    writer.append_topology(TopologySnapshot(snapshot_ts, topo))
    writer.append_plans(PlanCatalogue((Plan(f"p{run}", "degrade", plan_title, "service", "x", {}),)), snapshot_ts)

    assert writer.flush(timeout=30), "the writer got stuck"
    after = _totals(writer)
    stored_p, quarantined_p, stored_e, quarantined_e, stored_s, quarantined_s = (a - b for a, b in zip(after, before))
    assert stored_p + quarantined_p == len(pts)
    assert stored_e + quarantined_e == len(evs)  # ids are unique per run: no duplicates to skip
    assert stored_s + quarantined_s == 2
    h = writer.health
    assert h.pending_points == h.pending_events == h.pending_snapshots == 0 and not h.lost
    assert h.last_error is None


def test_the_counts_agree_with_the_file(writer):
    """After the fuzzing above: what health says was stored and quarantined is in the file."""
    cur = writer.reader().cursor()
    try:
        h = writer.health
        assert cur.execute("SELECT count(*) FROM points").fetchall()[0][0] == h.flushed_points
        rows = dict(cur.execute("SELECT kind, sum(n_rows) FROM quarantine GROUP BY kind").fetchall())
        assert {k: int(v) for k, v in rows.items()} == {k: v for k, v in h.quarantined.items() if v}
    finally:
        cur.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 40), min_size=1, max_size=8), data=st.data(),
       transient=st.sets(st.integers(1, 40), max_size=4))
def test_splitting_stores_exactly_the_good_rows(tmp_path_factory, sizes, data, transient):
    """Poisoned rows anywhere (a failure nothing screens for), transient errors at any attempt:
    every good point is stored once, every bad one quarantined once."""
    from .helpers import PoisonedConnection

    total = sum(sizes)
    bad = data.draw(st.sets(st.integers(0, total - 1), max_size=5))
    w = StoreWriter(tmp_path_factory.mktemp("split") / "s.duckdb", flush_interval_s=0.02, max_backoff_s=0.02)
    try:
        w._appender.con = PoisonedConnection(w._appender.con, transient_at=tuple(transient))
        k, start = SeriesKey("m", {"s": "x"}), 0
        for n in sizes:
            ts = np.arange(start, start + n, dtype=np.int64)
            values = np.array([13.0 if t in bad else t + 0.5 for t in ts.tolist()])
            w.append_metrics(MetricBatch((k,), np.zeros(n, dtype=np.int32), ts, values))
            start += n
        assert w.flush(timeout=60), "the writer got stuck"
        cur = w.reader().cursor()
        try:
            stored = [int(t) for (t,) in cur.execute("SELECT epoch_ms(ts) FROM points ORDER BY ts").fetchall()]
        finally:
            cur.close()
        assert stored == sorted(set(range(total)) - bad)
        assert w.health.quarantined.get("points", 0) == len(bad) and not w.health.lost
    finally:
        w.close(timeout=30)
