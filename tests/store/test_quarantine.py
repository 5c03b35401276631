"""A store that cannot be poisoned: bad rows are quarantined, everything else is stored."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from warroom.core.model import CallEdge, Event, EventKind, Scenario, Service
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.protocol.messages import MetricBatch, PlanCatalogue, TopologySnapshot
from warroom.store import HistoryReader, StoreError
from warroom.store.quarantine import BAD_TEXT, BAD_TIME, BAD_VALUE, MAX_TS_MS, is_permanent

from .helpers import PoisonedConnection, batch, key

BAD = "\ud800"  # a lone surrogate: Python holds it, UTF-8 (and so DuckDB) cannot
PLAN = Plan("degrade-coupon", "degrade", "Degrade coupon", "service", "coupon", {"resource": "coupon"})


def _topology(name: str = "trade") -> Topology:
    return Topology([Service("cashier"), Service(name)], [CallEdge("cashier", name)],
                    [Scenario.from_path("qr", "QR pay", ["cashier", name])])


def _note(i: int, subject: str = "trade", ts: int = 100) -> Event:
    return Event(f"n{i}", ts, EventKind.NOTE, subject, f"note {i}")


def _stored(w) -> tuple[int, list[str], int, int]:
    """(points, event ids, topology snapshots, plan catalogues) in the store."""
    cur = w.reader()._cur()
    points = cur.execute("SELECT count(*) FROM points").fetchone()[0]
    ids = [r[0] for r in cur.execute("SELECT id FROM events ORDER BY id").fetchall()]
    topo = cur.execute("SELECT count(*) FROM topology_snapshots").fetchone()[0]
    plans = cur.execute("SELECT count(*) FROM plan_catalogues").fetchone()[0]
    return points, ids, topo, plans


def _with_earlier_history(w):
    """Topology, a plan catalogue and events stored before the poison arrives."""
    w.append_topology(TopologySnapshot(10, _topology()))
    w.append_plans(PlanCatalogue((PLAN,)), 10)
    w.append_events([_note(0, ts=10)])
    assert w.flush(timeout=10)


def test_a_lone_surrogate_in_a_label_quarantines_that_series_only(open_writer):
    w = open_writer(flush_interval_s=60)
    _with_earlier_history(w)
    good, bad = key("tps", service="trade"), key("tps", service=BAD)
    w.append_metrics(MetricBatch((good, bad), [0, 1, 0, 1, 1], [1, 1, 2, 2, 3], [1.0, 2.0, 3.0, 4.0, 5.0]))
    w.append_events([_note(1)])
    assert w.flush(timeout=10)
    assert _stored(w) == (2, ["n0", "n1"], 1, 1)
    r = w.reader()
    assert r.range([good], 0, 10)[good].ts.tolist() == [1, 2]
    assert r.series("tps") == [good]
    (rec,) = r.quarantine()
    assert (rec.kind, rec.n_rows) == ("points", 3)
    assert rec.reason.startswith(BAD_TEXT) and "U+D800" in rec.reason
    body = json.loads(rec.payload)  # the payload is ASCII JSON that gives the refused rows back
    assert body == {"series": bad.text, "ts": [1, 2, 3], "value": [2.0, 4.0, 5.0]}
    assert rec.payload.isascii()
    h = w.health
    assert (h.flushed_points, h.quarantined, h.quarantine_reasons, h.last_error) == (
        2, {"points": 3}, {BAD_TEXT: 3}, None)


def test_a_lone_surrogate_in_an_event_quarantines_that_event_only(open_writer):
    w = open_writer(flush_interval_s=60)
    _with_earlier_history(w)
    w.append_events([_note(1), _note(2, subject=BAD), Event("n3", 5, EventKind.NOTE, "x", "t", attrs={"k": BAD}),
                     _note(4)])
    w.append_metrics(batch(key(), [1, 2]))
    assert w.flush(timeout=10)
    assert _stored(w) == (2, ["n0", "n1", "n4"], 1, 1)
    recs = w.reader().quarantine()
    assert sorted(json.loads(r.payload)["id"] for r in recs) == ["n2", "n3"]
    assert {r.kind for r in recs} == {"event"} and all(r.reason.startswith(BAD_TEXT) for r in recs)
    assert json.loads(next(r.payload for r in recs if "n2" in r.payload))["subject"] == BAD
    assert w.health.quarantined == {"event": 2} and w.health.flushed_events == 3


def test_a_lone_surrogate_in_a_topology_or_plan_quarantines_that_snapshot(open_writer):
    w = open_writer(flush_interval_s=60)
    _with_earlier_history(w)
    w.append_topology(TopologySnapshot(20, _topology(f"bank{BAD}")))
    w.append_plans(PlanCatalogue((Plan("p2", "degrade", f"Degrade {BAD}", "service", "x", {}),)), 20)
    w.append_topology(TopologySnapshot(30, _topology("bank")))  # a good change after the bad one
    w.append_events([_note(1)])
    assert w.flush(timeout=10)
    assert _stored(w) == (0, ["n0", "n1"], 2, 1)
    r = w.reader()
    assert [ts for ts, _ in r.snapshots("topology_snapshots")] == [10, 30]
    assert r.quarantine_counts() == {"plans": 1, "topology": 1}
    assert all(q.reason.startswith(BAD_TEXT) for q in r.quarantine())


def test_timestamps_outside_the_store_range_are_quarantined(open_writer):
    """The hello.server_time case: a clock far in the future stamps the plan catalogue."""
    w = open_writer(flush_interval_s=60)
    _with_earlier_history(w)
    k = key()
    w.append_metrics(batch(k, [1, 2**62, 2, -5, MAX_TS_MS, MAX_TS_MS + 1]))
    w.append_events([_note(1), _note(2, ts=2**62)])
    w.append_plans(PlanCatalogue((PLAN,), active=("degrade-coupon",)), 10**17)
    w.append_topology(TopologySnapshot(-1, _topology("bank")))
    assert w.flush(timeout=10)
    assert w.reader().range([k], 0, MAX_TS_MS + 2)[k].ts.tolist() == [1, 2, MAX_TS_MS]
    assert _stored(w)[1:] == (["n0", "n1"], 1, 1)
    counts = w.reader().quarantine_counts()
    assert counts == {"event": 1, "plans": 1, "points": 3, "topology": 1}
    assert w.health.quarantine_reasons == {BAD_TIME: 6}


def test_the_summary_says_what_was_saved_quarantined_and_not_saved(open_writer):
    w = open_writer(flush_interval_s=60)
    w.append_metrics(MetricBatch((key(), key(service=BAD)), [0, 0, 1], [1, 2, 3], [0.0, 0.0, 0.0]))
    w.append_events([_note(1)])
    assert w.flush(timeout=10)
    assert w.health.summary() == "saved 2 points, 1 event; quarantined 1 point (bad text: 1); pending: nothing"
    w.close()
    assert w.health.closed
    assert w.health.summary() == "saved 2 points, 1 event; quarantined 1 point (bad text: 1); not saved: nothing"


def test_a_failure_nothing_foresaw_is_split_until_only_the_bad_rows_are_left(open_writer):
    w = open_writer(flush_interval_s=60)
    _with_earlier_history(w)
    con = w._appender.con = PoisonedConnection(w._appender.con)
    keys = [key("m", i=str(i)) for i in range(3)]
    for b in range(20):  # 20 batches of 3 series x 10 points; two poisoned points
        ts = np.repeat(np.arange(b * 10, b * 10 + 10), 3)
        values = ts * 1.0 + 0.5
        if b in (4, 17):
            values[7] = 13.0
        w.append_metrics(MetricBatch(tuple(keys), np.tile(np.arange(3), 10), ts, values))
    w.append_events([_note(i) for i in range(1, 6)] + [_note(6, subject="poison")] + [_note(7)])
    w.append_topology(TopologySnapshot(40, _topology("poison")))
    w.append_topology(TopologySnapshot(50, _topology("bank")))
    assert w.flush(timeout=30)
    points, ids, topo, plans = _stored(w)
    assert points == 600 - 2 and ids == [f"n{i}" for i in (0, 1, 2, 3, 4, 5, 7)] and (topo, plans) == (2, 1)
    recs = w.reader().quarantine()
    assert sorted((r.kind, r.n_rows) for r in recs) == [("event", 1), ("points", 1), ("points", 1), ("topology", 1)]
    assert all(r.reason.startswith(f"{BAD_VALUE}: ConversionException") for r in recs)
    assert sorted(v for r in recs if r.kind == "points" for v in json.loads(r.payload)["value"]) == [13.0, 13.0]
    h = w.health
    assert h.flushed_points == 598 and h.quarantined == {"points": 2, "event": 1, "topology": 1}
    assert h.pending_points == h.pending_events == h.pending_snapshots == 0 and h.last_error is None
    assert con.attempts < 120  # split, not one transaction per row (600 points)


def test_a_transient_error_while_splitting_loses_and_duplicates_nothing(open_writer):
    w = open_writer(flush_interval_s=0.05, max_backoff_s=0.05)
    k = key()
    poisoned = PoisonedConnection(w._appender.con, transient_at=(3, 4, 9))
    w._appender.con = poisoned
    for b in range(8):
        ts = np.arange(b * 100, b * 100 + 100)
        values = ts + 0.5
        if b in (2, 5):
            values[50] = 13.0
        w.append_metrics(batch(k, ts, values))
    w.append_events([_note(1), _note(2, subject="poison")])
    assert w.flush(timeout=30)
    h = w.health
    assert h.failed_flushes == 3 and h.flushed_points == 798 and h.quarantined == {"points": 2, "event": 1}
    cur = w.reader()._cur()
    assert cur.execute("SELECT count(*), count(DISTINCT epoch_ms(ts)) FROM points").fetchone() == (798, 798)
    stored = {int(t) for (t,) in cur.execute("SELECT epoch_ms(ts) FROM points").fetchall()}
    assert stored == set(range(800)) - {250, 550}
    assert [e.id for e in w.reader().events(0, 10_000)] == ["n1"]


def test_if_even_the_quarantine_fails_the_rows_are_counted_as_not_saved(open_writer):
    w = open_writer(flush_interval_s=60)
    w._appender.con = PoisonedConnection(w._appender.con, quarantine_broken=True)
    w.append_metrics(batch(key(), [1, 2, 3], [1.0, 13.0, 3.0]))
    assert w.flush(timeout=10)  # resolved: the writer is not stuck on rows it can neither store nor set aside
    h = w.health
    assert (h.flushed_points, h.lost, h.unsaved) == (2, {"points": 1}, 1)
    with pytest.raises(StoreError, match="not saved: 1 point") as err:
        w.close()
    assert err.value.health.lost == {"points": 1}


def test_a_writer_that_cannot_write_at_all_says_what_it_lost(open_writer, caplog):
    from .test_writer import FaultyConnection

    w = open_writer(max_backoff_s=0.05)
    w._appender.con = FaultyConnection(w._appender.con, fail_times=10**9)
    w.append_metrics(batch(key(), range(7)))
    w.append_events([_note(1)])
    with pytest.raises(StoreError) as err:
        w.close(timeout=1.5)
    h = err.value.health
    assert (h.pending_points, h.pending_events, h.closed) == (7, 1, True)
    assert "not saved: 7 points, 1 event (IOException: No space left on device" in str(err.value)
    # Said while waiting too, not only at the end of the wait.
    (warning,) = [r.getMessage() for r in caplog.records if "waiting" in r.getMessage()]
    assert "writes are failing" in warning and "pending: 7 points, 1 event" in warning


class _HostileDisk:
    """A connection whose point inserts fail with a message quoting the feed's text."""

    def __init__(self, con) -> None:
        self._con = con
        self.failing = True

    def execute(self, sql, *args):
        if sql.startswith("INSERT INTO points") and self.failing:
            raise duckdb.IOException(f"cannot write {BAD}")
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_the_last_error_is_safe_to_print(open_writer):
    w = open_writer(max_backoff_s=0.05)
    disk = w._appender.con = _HostileDisk(w._appender.con)
    w.append_metrics(batch(key(), [1]))
    assert not w.flush(timeout=0.3)
    w.health.last_error.encode("utf-8")  # the recorder prints it: it must be valid text
    assert "\\ud800" in w.health.last_error
    disk.failing = False
    assert w.flush(timeout=10) and w.health.last_error is None


@pytest.mark.parametrize("exc, permanent", [
    (UnicodeEncodeError("utf-8", BAD, 0, 1, "surrogates not allowed"), True),
    (duckdb.ConversionException("x"), True),
    (duckdb.InvalidInputException("x"), True),
    (duckdb.ConstraintException("x"), True),
    (duckdb.OutOfRangeException("x"), True),
    (pa.ArrowInvalid("x"), True),
    (pa.ArrowTypeError("x"), True),
    (OverflowError("x"), True),
    (duckdb.IOException("disk full"), False),
    (duckdb.TransactionException("conflict"), False),
    (duckdb.OutOfMemoryException("x"), False),
    (OSError(28, "No space left on device"), False),
    (duckdb.FatalException("x"), False),
])
def test_errors_are_told_apart(exc, permanent):
    assert is_permanent(exc) is permanent


def test_reader_lists_quarantine_newest_first_with_a_limit(open_writer, db_path):
    w = open_writer(flush_interval_s=60)
    for i in range(5):
        w.append_events([_note(i, subject=f"{BAD}{i}")])
        assert w.flush(timeout=10)
    assert [json.loads(q.payload)["id"] for q in w.reader().quarantine(limit=3)] == ["n4", "n3", "n2"]
    w.close()
    with HistoryReader(db_path) as r:  # read-only, offline
        assert r.quarantine_counts() == {"event": 5}
        assert len(r.quarantine()) == 5 and r.quarantine(limit=0) == []
