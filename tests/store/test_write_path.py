"""The metrics write path's shortcuts: batches that share a series tuple are mapped to store
ids together, a shared read-only index is checked once, and a points-only flush commits with
its INSERT. None of them may change what is stored."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from warroom.core.model import Event, EventKind
from warroom.protocol.messages import MetricBatch

from .helpers import key

A, B, C = key(service="a"), key(service="b"), key(service="c")


def stored(writer, keys, t0=0, t1=10**6):
    got = writer.reader().range(keys, t0, t1)
    return {k: list(zip(got[k].ts.tolist(), got[k].value.tolist())) for k in keys}


def test_runs_of_batches_with_one_series_tuple_keep_every_point_on_its_series(open_writer):
    w = open_writer(flush_interval_s=60)
    ab, ba = (A, B), (B, A)
    w.append_metrics(MetricBatch(ab, [0, 1], [1, 1], [1.0, 2.0]))
    assert w.flush(timeout=10)  # the writer now knows ab's ids
    # One flush: runs of ab (shared ids), a tuple it does not know, a new series, ab again.
    for b in (
        MetricBatch(ab, [0, 1], [2, 2], [3.0, 4.0]),
        MetricBatch(ab, [1, 0, 1], [3, 3, 4], [5.0, 6.0, 7.0]),
        MetricBatch(ba, [0, 1], [5, 5], [8.0, 9.0]),
        MetricBatch((C, A), [0, 1], [6, 6], [10.0, 11.0]),
        MetricBatch(ab, [0], [7], [12.0]),
        MetricBatch(ab, [1], [7], [13.0]),
    ):
        w.append_metrics(b)
    assert w.flush(timeout=10)
    assert stored(w, [A, B, C]) == {
        A: [(1, 1.0), (2, 3.0), (3, 6.0), (5, 9.0), (6, 11.0), (7, 12.0)],
        B: [(1, 2.0), (2, 4.0), (3, 5.0), (4, 7.0), (5, 8.0), (7, 13.0)],
        C: [(6, 10.0)],
    }


def test_a_read_only_index_is_checked_before_it_is_trusted(open_writer):
    w = open_writer(flush_interval_s=60)
    bad = np.array([0, 2], dtype=np.int32)
    bad.flags.writeable = False
    with pytest.raises(ValueError):
        w.append_metrics(MetricBatch((A, B), bad, [1, 1], [1.0, 2.0]))
    good = np.array([0, 1], dtype=np.int32)
    good.flags.writeable = False
    for t in (1, 2, 3):  # the same index object, as the decoder hands out for one layout
        w.append_metrics(MetricBatch((A, B), good, [t, t], [float(t), -t]))
    with pytest.raises(ValueError):  # another tuple with the same index is checked again
        w.append_metrics(MetricBatch((A,), good, [4, 4], [1.0, 2.0]))
    assert w.flush(timeout=10)
    assert stored(w, [A, B]) == {A: [(1, 1.0), (2, 2.0), (3, 3.0)], B: [(1, -1.0), (2, -2.0), (3, -3.0)]}


def test_points_alone_and_points_with_events_are_both_committed(open_writer, tmp_path):
    path = tmp_path / "both.duckdb"
    w = open_writer(path, flush_interval_s=60)
    w.append_metrics(MetricBatch((A,), [0, 0], [1, 2], [1.0, 2.0]))
    assert w.flush(timeout=10)  # points only: COMMIT rides with the INSERT
    w.append_metrics(MetricBatch((A,), [0], [3], [3.0]))
    w.append_events([Event("e1", 3, EventKind.DEPLOY, "a", "v2")])
    assert w.flush(timeout=10)  # points then events, then COMMIT
    w.close()
    again = open_writer(path, flush_interval_s=60)
    assert stored(again, [A]) == {A: [(1, 1.0), (2, 2.0), (3, 3.0)]}
    assert [e.id for e in again.reader().events(0, 10)] == ["e1"]
    assert again.health.flushes == 0


def _wait_until(cond, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_wait_for_room_wakes_when_a_flush_makes_room(open_writer):
    w = open_writer(flush_interval_s=0.05, max_pending_points=4)
    disk = threading.Event()  # a stalled disk: nothing commits until set
    real_write = w._appender.write
    w._appender.write = lambda *a, **kw: (disk.wait(10), real_write(*a, **kw))[1]
    w.append_metrics(MetricBatch((A,), [0, 0, 0], [1, 2, 3], [1.0, 2.0, 3.0]))
    assert _wait_until(lambda: w._inflight_points == 3)  # a flush took them, and stalls
    # Waiting for a flush: 3 more (the next flush's worth queues while one writes).
    assert w.append_metrics(MetricBatch((A,), [0, 0, 0], [4, 5, 6], [4.0, 5.0, 6.0]), timeout=0)
    assert w.wait_for_room(1, timeout=5)  # 3 + 1 fits
    assert not w.append_metrics(MetricBatch((A,), [0, 0], [7, 8], [7.0, 8.0]), timeout=0)  # 3 + 2 does not
    assert not w.wait_for_room(2, timeout=0.2)  # still stalled
    result: list[bool] = []
    waiter = threading.Thread(target=lambda: result.append(w.wait_for_room(2, timeout=10)))
    waiter.start()
    disk.set()  # the flush commits and takes its points off the queue
    waiter.join(10)
    assert result == [True]
    assert w.append_metrics(MetricBatch((A,), [0, 0], [7, 8], [7.0, 8.0]), timeout=0)
    assert w.flush(timeout=10)
    assert [t for t, _ in stored(w, [A])[A]] == [1, 2, 3, 4, 5, 6, 7, 8]
