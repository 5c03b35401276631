"""Staged columns: the points of queued batches joined as they are appended, so the writer
thread takes a flush whole. They are a shortcut only: whatever the shortcut cannot take (a
leftover from a failed flush, a key or a timestamp to set aside) goes batch by batch, and
what is stored is the same either way."""

from __future__ import annotations

import time

import numpy as np
import pytest

from warroom.protocol.messages import MetricBatch
from warroom.store.appender import Appender
from warroom.store.staging import StagedPoints

from .helpers import PoisonedConnection, key

A, B, C = key(service="a"), key(service="b"), key(service="c")


def stored(writer, keys, t0=0, t1=10**6):
    got = writer.reader().range(keys, t0, t1)
    return {k: list(zip(got[k].ts.tolist(), got[k].value.tolist())) for k in keys}


@pytest.fixture
def paths(monkeypatch):
    """Counts flushes that took the staged columns and flushes that read the batches."""
    seen = {"staged": 0, "batches": 0}
    staged, batches = Appender._prepare_staged, Appender._prepare_points

    def spy_staged(self, *args):
        out = staged(self, *args)
        seen["staged"] += out is not None
        return out

    def spy_batches(self, *args):
        seen["batches"] += 1
        return batches(self, *args)

    monkeypatch.setattr(Appender, "_prepare_staged", spy_staged)
    monkeypatch.setattr(Appender, "_prepare_points", spy_batches)
    return seen


def test_staged_points_keep_queue_order_runs_and_grow():
    sp = StagedPoints(capacity=2)
    ab, ba = (A, B), (B, A)
    sp.add(MetricBatch(ab, [0, 1], [1, 1], [1.0, 2.0]))
    sp.add(MetricBatch(ab, [1], [2], [3.0]))  # same tuple: same run
    sp.add(MetricBatch(ba, [0, 1, 0], [3, 3, 4], [4.0, 5.0, 6.0]))  # grows past its capacity
    index, ts, values = sp.columns()
    assert index.tolist() == [0, 1, 1, 0, 1, 0]
    assert ts.tolist() == [1, 1, 2, 3, 3, 4]
    assert values.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert [(s, a, b) for s, a, b in sp.run_bounds()] == [(ab, 0, 3), (ba, 3, 6)]
    assert (sp.n, sp.batches) == (6, 3)
    sp.clear()
    assert (sp.n, sp.batches, sp.run_bounds()) == (0, 0, [])
    sp.add(MetricBatch((C,), [0], [9], [9.0]))  # the memory is reused
    assert [c.tolist() for c in sp.columns()] == [[0], [9], [9.0]]


def test_a_healthy_flush_takes_the_staged_columns(open_writer, paths):
    w = open_writer(flush_interval_s=60)
    for t in range(1, 4):
        w.append_metrics(MetricBatch((A, B), [0, 1], [t, t], [float(t), -t]))
    w.append_metrics(MetricBatch((C, A), [0, 1], [5, 4], [50.0, 40.0]))  # a new series, out of time order
    assert w.flush(timeout=10)
    assert paths == {"staged": 1, "batches": 0}
    assert stored(w, [A, B, C]) == {
        A: [(1, 1.0), (2, 2.0), (3, 3.0), (4, 40.0)], B: [(1, -1.0), (2, -2.0), (3, -3.0)], C: [(5, 50.0)],
    }


def test_points_left_over_from_a_failed_flush_are_stored_once(open_writer, paths):
    w = open_writer(flush_interval_s=60, max_backoff_s=0.05)
    w._appender.con = PoisonedConnection(w._appender.con, transient_at=(1,))
    w.append_metrics(MetricBatch((A,), [0, 0], [1, 2], [1.0, 2.0]))
    w._wake.set()  # the first try fails (a full disk) and keeps the batch queued
    deadline = time.monotonic() + 10
    while w.health.failed_flushes == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    w.append_metrics(MetricBatch((A,), [0], [3], [3.0]))  # staged alone: the leftover is not
    assert w.flush(timeout=10)
    assert stored(w, [A]) == {A: [(1, 1.0), (2, 2.0), (3, 3.0)]}
    assert paths["batches"] >= 1  # the retry with the leftover went batch by batch
    before = dict(paths)
    w.append_metrics(MetricBatch((A,), [0], [4], [4.0]))
    assert w.flush(timeout=10)
    assert paths["staged"] == before["staged"] + 1  # and the next healthy flush is staged again
    assert stored(w, [A])[A][-1] == (4, 4.0)


def test_keys_and_times_to_set_aside_are_read_from_the_batches(open_writer, paths):
    w = open_writer(flush_interval_s=60)
    bad_key = key(service="bad\udc80")  # a lone surrogate: not valid text
    w.append_metrics(MetricBatch((A,), [0], [1], [1.0]))
    w.append_metrics(MetricBatch((bad_key, B), [0, 1], [2, 2], [2.0, 3.0]))
    assert w.flush(timeout=10)
    w.append_metrics(MetricBatch((A, B), [0, 1], [3, -5], [4.0, 5.0]))  # -5: before 1970
    assert w.flush(timeout=10)
    assert paths == {"staged": 0, "batches": 2}
    assert stored(w, [A, B]) == {A: [(1, 1.0), (3, 4.0)], B: [(2, 3.0)]}
    assert w.health.quarantined == {"points": 2}


def test_staged_and_batch_paths_store_the_same(open_writer, tmp_path):
    rng = np.random.default_rng(7)
    keys = tuple(key(service=f"s{i}") for i in range(5))
    batches = []
    for t in range(40):
        idx = rng.integers(0, 5, size=6).astype(np.int32)
        series = keys if t % 3 else keys[::-1]  # runs of tuples, as a decoder hands them out
        batches.append(MetricBatch(series, idx, 1000 + 10 * t + rng.integers(0, 5, size=6), rng.random(6)))
    staged = open_writer(tmp_path / "staged.duckdb", flush_interval_s=60)
    careful = open_writer(tmp_path / "batches.duckdb", flush_interval_s=60)
    careful._appender._prepare_staged = lambda staged: None  # this one always reads the batches
    for b in batches:
        staged.append_metrics(b)
        careful.append_metrics(b)
    assert staged.flush(timeout=10) and careful.flush(timeout=10)
    a, b = staged.reader().range(list(keys), 0, 10**6), careful.reader().range(list(keys), 0, 10**6)
    assert sum(len(a[k].ts) for k in keys) == 240
    for k in keys:
        assert sorted(zip(a[k].ts.tolist(), a[k].value.tolist())) == sorted(zip(b[k].ts.tolist(), b[k].value.tolist()))


def test_columns_grown_by_an_oversized_batch_are_not_kept(open_writer):
    w = open_writer(flush_interval_s=60, max_pending_points=1000)
    n = 100_000  # accepted alone: nothing else waits
    w.append_metrics(MetricBatch((A,), np.zeros(n, dtype=np.int32), np.arange(1, n + 1), np.ones(n)))
    assert w.flush(timeout=10)
    w.append_metrics(MetricBatch((A,), [0], [n + 1], [2.0]))
    assert w.flush(timeout=10)
    assert w._staged.capacity < n and (w._spare_staged is None or w._spare_staged.capacity < n)
    assert int(w.reader().range([A], 0, 10**7)[A].count.sum()) == n + 1
