"""The writer's promises: synchronous flush, backpressure, retries without loss, retention."""

from __future__ import annotations

import threading
import time

import duckdb
import numpy as np
import pytest

from warroom.core.model import Event, EventKind
from warroom.store import FlushReport, StoreError, StoreWriter

from .helpers import batch, key


class FaultyConnection:
    """Wraps the writer's connection; point inserts fail or wait while told to.

    This stands in for a full disk or a stalled device without needing either.
    """

    def __init__(self, con, fail_times: int = 0) -> None:
        self._con = con
        self.fail_times = fail_times
        self.gate = threading.Event()
        self.gate.set()
        self.attempts = 0

    def execute(self, sql, *args):
        if sql.startswith("INSERT INTO points"):
            self.attempts += 1
            self.gate.wait()
            if self.fail_times > 0:
                self.fail_times -= 1
                raise duckdb.IOException("No space left on device (simulated)")
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def _wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_flush_is_synchronous_and_reports(open_writer):
    reports: list[FlushReport] = []
    w = open_writer(flush_interval_s=60, on_flush=reports.append)  # only flush() writes
    k = key()
    w.append_metrics(batch(k, [5, 1, 3]))
    w.append_events([Event("d1", 2, EventKind.DEPLOY, "trade", "v2")])
    assert w.flush(timeout=10)
    assert w.reader().range([k], 0, 10)[k].ts.tolist() == [1, 3, 5]
    (rep,) = reports
    assert (rep.points, rep.events, rep.new_series, rep.newest_ts, rep.last_flush_ts) == (3, 1, 1, 5, 5)
    h = w.health
    assert (h.pending_points, h.flushed_points, h.flushes, h.last_flush_ts, h.last_error) == (0, 3, 1, 5, None)


def test_nothing_enqueued_flush_returns_at_once(open_writer):
    w = open_writer(flush_interval_s=60)
    assert w.flush(timeout=5)


def test_bad_batch_is_refused_at_the_door(open_writer):
    from warroom.protocol.messages import MetricBatch

    w = open_writer()
    with pytest.raises(ValueError):
        w.append_metrics(MetricBatch((key(),), [1], [0], [0.0]))


def test_backpressure_blocks_instead_of_dropping(open_writer):
    w = open_writer(max_pending_points=5)
    faulty = FaultyConnection(w._appender.con)
    faulty.gate.clear()  # the disk stalls: nothing can be written for now
    w._appender.con = faulty
    k = key()
    assert w.append_metrics(batch(k, range(0, 5)))
    assert _wait_until(lambda: faulty.attempts >= 1)  # the writer is stuck inside a flush
    # The next flush's worth may queue while this one writes (the feed decodes meanwhile)...
    assert w.append_metrics(batch(k, range(5, 10)), timeout=0)
    # ...but no more: the bound counts the points waiting for a flush.
    started = time.monotonic()
    assert w.append_metrics(batch(k, range(10, 15)), timeout=0.2) is False
    assert time.monotonic() - started >= 0.2
    assert w.health.pending_points == 10

    done = threading.Event()
    blocked = threading.Thread(target=lambda: (w.append_metrics(batch(k, range(10, 15))), done.set()))
    blocked.start()
    assert not done.wait(0.3)  # still blocked: the queue is full
    faulty.gate.set()
    assert done.wait(10)
    blocked.join()
    assert w.flush(timeout=10)
    got = w.reader().range([k], 0, 100)[k]
    assert got.ts.tolist() == list(range(15))
    assert w.health.flushed_points == 15


def test_a_failed_flush_takes_back_its_points_into_the_bound(open_writer):
    w = open_writer(max_pending_points=5, max_backoff_s=0.1)
    faulty = FaultyConnection(w._appender.con, fail_times=1)
    faulty.gate.clear()
    w._appender.con = faulty
    k = key()
    assert w.append_metrics(batch(k, range(0, 5)))
    assert _wait_until(lambda: faulty.attempts >= 1)
    assert w.append_metrics(batch(k, range(5, 10)), timeout=0)  # queued behind the flush in progress
    faulty.gate.set()  # that flush fails: all ten wait again, and the queue is over its bound
    assert _wait_until(lambda: w.health.last_error is not None or w.health.flushed_points)
    assert w.flush(timeout=10)
    assert w.reader().range([k], 0, 100)[k].ts.tolist() == list(range(10))
    assert w.health.failed_flushes == 1


def test_failed_writes_are_retried_and_nothing_is_lost(open_writer):
    w = open_writer(max_backoff_s=0.1)
    faulty = FaultyConnection(w._appender.con, fail_times=3)
    w._appender.con = faulty
    k, k2 = key("a"), key("b")
    w.append_metrics(batch(k, range(100)))
    assert _wait_until(lambda: w.health.last_error is not None)
    assert "No space left" in w.health.last_error
    assert w.health.pending_points == 100
    w.append_metrics(batch(k2, range(50)))
    w.append_events([Event("x", 1, EventKind.NOTE, "s", "t")])
    assert w.flush(timeout=10)
    h = w.health
    assert h.failed_flushes == 3 and h.last_error is None and h.pending_points == 0
    r = w.reader()
    got = r.range([k, k2], 0, 1000, max_points=1000)
    assert got[k].ts.tolist() == list(range(100)) and got[k2].ts.tolist() == list(range(50))
    cur = r._cur()
    # The rolled-back attempts left no half-registered series and no duplicated rows.
    assert cur.execute("SELECT count(*) FROM series").fetchone()[0] == 2
    assert cur.execute("SELECT count(*) FROM points").fetchone()[0] == 150
    assert len(r.events(0, 10)) == 1


def test_close_while_the_disk_stays_full_raises(open_writer):
    w = open_writer(max_backoff_s=0.05)
    w._appender.con = FaultyConnection(w._appender.con, fail_times=10**9)
    w.append_metrics(batch(key(), range(7)))
    with pytest.raises(StoreError, match="7 points"):
        w.close(timeout=0.3)
    with pytest.raises(RuntimeError):
        w.append_metrics(batch(key(), [1]))


def test_unwritable_path_fails_at_construction(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    with pytest.raises(duckdb.Error):
        StoreWriter(not_a_dir / "history.duckdb")


def test_append_after_close_raises(open_writer):
    w = open_writer()
    w.close()
    with pytest.raises(RuntimeError):
        w.append_metrics(batch(key(), [1]))
    with pytest.raises(RuntimeError):
        w.append_events([Event("x", 1, EventKind.NOTE, "s", "t")])
    w.close()  # closing twice is harmless


def test_retention_deletes_old_points_and_keeps_events(open_writer):
    day = 86_400_000
    reports: list[FlushReport] = []
    w = open_writer(retention_days=1, retention_check_s=0, on_flush=reports.append)
    k = key()
    w.append_events([Event("old", 0, EventKind.DEPLOY, "trade", "ancient deploy")])
    w.append_metrics(batch(k, np.arange(0, 3 * day, 3_600_000)))
    assert w.flush(timeout=10)
    r = w.reader()
    ts = r.range([k], 0, 4 * day, max_points=10_000)[k].ts
    assert ts.min() >= 2 * day - 3_600_000 and ts.max() == 3 * day - 3_600_000
    assert len(ts) == 25  # the last day plus its first hour boundary
    assert sum(rep.deleted_points for rep in reports) == 72 - 25
    assert [e.id for e in r.events(0, 4 * day)] == ["old"]


def test_concurrent_appenders_lose_nothing(open_writer):
    w = open_writer(max_pending_points=2_000)
    keys = [key("m", i=str(i)) for i in range(4)]

    def produce(k):
        for start in range(0, 10_000, 250):
            w.append_metrics(batch(k, np.arange(start, start + 250)))

    threads = [threading.Thread(target=produce, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert w.flush(timeout=30)
    got = w.reader().range(keys, 0, 10_000, max_points=10_000)
    for k in keys:
        assert got[k].ts.tolist() == list(range(10_000))
