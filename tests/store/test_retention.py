"""Retention by file size: the oldest points go, in whole minutes, and the file levels off."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from warroom.core.model import Event, EventKind, SeriesKey
from warroom.protocol.messages import MetricBatch
from warroom.store import FlushReport, HistoryReader, StoreWriter
from warroom.store.retention import CHUNK_MS

SERIES = 100
STEP_MS = 100  # ten points a second per series
PER_FLUSH = 200  # timestamps per flush: 20 s of feed time, 20,000 points (~0.2 MB)


def _feed(w: StoreWriter, start: int, flushes: int, rng: np.random.Generator) -> int:
    """Append batches ``start..start + flushes``, flushing each (like a feed over time), with
    random values (they do not compress); the newest ts."""
    keys = tuple(SeriesKey("m", {"i": str(i)}) for i in range(SERIES))
    span = PER_FLUSH * STEP_MS
    for f in range(start, start + flushes):
        ts = np.repeat(f * span + np.arange(PER_FLUSH, dtype=np.int64) * STEP_MS, SERIES)
        w.append_metrics(MetricBatch(keys, np.tile(np.arange(SERIES), PER_FLUSH), ts, rng.random(len(ts))))
        assert w.flush(timeout=30)
    return (start + flushes) * span - STEP_MS


def test_the_file_levels_off_within_the_budget_and_keeps_the_newest(db_path):
    budget_mb, rounds, per_round = 16, 4, 70  # about 3 x the budget in all
    reports: list[FlushReport] = []
    w = StoreWriter(db_path, flush_interval_s=60, retention_max_mb=budget_mb, checkpoint_threshold_mb=1,
                    on_flush=reports.append)
    w.append_events([Event("first", 0, EventKind.DEPLOY, "trade", "v1")])
    reader = w.reader()  # a live reader, as the console has: it must not pin the deleted blocks
    rng = np.random.default_rng(1)
    sizes, newest = [], 0
    for i in range(rounds):
        newest = _feed(w, i * per_round, per_round, rng)
        assert reader.time_range()[1] == newest
        sizes.append(os.path.getsize(db_path))
    h = w.health
    w.close()
    assert max(sizes) <= budget_mb * 2**20
    with HistoryReader(db_path) as r:
        lo, hi = r.time_range()
        assert hi == newest  # the newest points are never the ones deleted
        assert lo > 0 and lo % CHUNK_MS == 0  # the oldest went, in whole minutes
        cur = r._cur()
        n, distinct = cur.execute("SELECT count(*), count(DISTINCT ts) FROM points").fetchone()
        assert n == distinct * SERIES and distinct == (hi - lo) // STEP_MS + 1  # a gap-free suffix
        assert [e.id for e in r.events(0, 10**13)] == ["first"]  # events are never deleted
    total = rounds * per_round * PER_FLUSH * SERIES
    assert h.deleted_points == sum(rep.deleted_points for rep in reports) == total - n > 0


def test_a_reopened_store_still_frees_what_retention_deletes(db_path):
    """The writer's own connection must not hold a transaction open from opening the file."""
    rng = np.random.default_rng(3)
    with StoreWriter(db_path, flush_interval_s=60, checkpoint_threshold_mb=1) as w:
        _feed(w, 0, 150, rng)  # ~13 MB, no budget yet
    w = StoreWriter(db_path, flush_interval_s=60, retention_max_mb=8, checkpoint_threshold_mb=1)
    _feed(w, 150, 100, rng)
    w.close()
    assert os.path.getsize(db_path) <= 14 * 2**20  # it did not keep growing past what it had
    with HistoryReader(db_path) as r:
        cur = r._cur()
        used = cur.execute("SELECT used_blocks * block_size FROM pragma_database_size()").fetchall()[0][0]
        assert used <= 8 * 2**20


def test_under_the_budget_nothing_is_deleted(db_path):
    with StoreWriter(db_path, flush_interval_s=60, retention_max_mb=64) as w:
        _feed(w, 0, 3, np.random.default_rng(2))
        assert w.health.deleted_points == 0
    with HistoryReader(db_path) as r:
        assert r.time_range()[0] == 0


def test_a_budget_must_be_positive(db_path):
    with pytest.raises(ValueError):
        StoreWriter(db_path, retention_max_mb=0)


def test_quarantine_cannot_push_the_history_out(db_path):
    """A feed sending mostly garbage: when room is needed its quarantine records go first (the
    oldest, beyond their share of the budget), and the good history stays."""
    budget_mb, flushes = 8, 60  # ~60 MB of refused text in all
    w = StoreWriter(db_path, flush_interval_s=60, retention_max_mb=budget_mb, checkpoint_threshold_mb=1)
    rng = np.random.default_rng(4)
    k = SeriesKey("m", {"i": "good"})
    for f in range(flushes):
        ts = np.arange(f * 1000, f * 1000 + 1000, dtype=np.int64)
        w.append_metrics(MetricBatch((k,), np.zeros(1000, dtype=np.int32), ts, rng.random(1000)))
        junk = [Event(f"bad-{f}-{i}", 1, EventKind.NOTE, "\ud800", rng.bytes(50_000).hex()) for i in range(10)]
        w.append_events(junk)
        assert w.flush(timeout=30)
    h = w.health
    w.close()
    assert h.quarantined == {"event": flushes * 10} and h.deleted_points == 0
    with HistoryReader(db_path) as r:
        assert r.time_range() == (0, flushes * 1000 - 1)  # the good history is all there
        kept = r.quarantine_counts()["event"]
        assert 0 < kept < flushes * 10 // 2  # trimmed, more than once
        newest = [json.loads(q.payload)["id"] for q in r.quarantine(limit=kept)]
        assert newest[0] == f"bad-{flushes - 1}-9"  # the newest are the ones kept
        assert newest == [f"bad-{i // 10}-{i % 10}" for i in range(flushes * 10 - 1, flushes * 10 - 1 - kept, -1)]
