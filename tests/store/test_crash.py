"""kill -9 of a writing process: committed flushes survive and the file reopens cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from warroom.store import HistoryReader, StoreWriter

from .helpers import batch, key

SERIES = 4
ROOT = Path(__file__).resolve().parents[2]

# Each series i gets one point per ms, value = 2 * ts + i, in batches of 500 ms. Flushes
# commit whole batches in order, so what survives must be a gap-free prefix per series.
CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from warroom.core.model import SeriesKey
    from warroom.protocol.messages import MetricBatch
    from warroom.store import StoreWriter

    keys = tuple(SeriesKey("m", {"i": str(i)}) for i in range(%(series)d))
    def report(r):
        print(r.last_flush_ts, flush=True)
    # A small checkpoint threshold (a checkpoint every few flushes) so that kills land
    # with a WAL to replay as well as during checkpoints.
    w = StoreWriter(sys.argv[1], flush_interval_s=0.2, on_flush=report, checkpoint_threshold_mb=4)
    t = 0
    while True:
        ts = np.repeat(np.arange(t, t + 500), len(keys))
        idx = np.tile(np.arange(len(keys)), 500)
        w.append_metrics(MetricBatch(keys, idx, ts, ts * 2.0 + idx))
        t += 500
        time.sleep(0.005)
    """
) % {"series": SERIES}


def _check_store(con, last_reported: int) -> int:
    """Assert the crash invariants on a cursor; return the newest ts of every series."""
    rows = con.execute(
        "SELECT s.key, count(*), count(DISTINCT p.ts), epoch_ms(min(p.ts)), epoch_ms(max(p.ts)),"
        " count(*) FILTER (WHERE p.value <> epoch_ms(p.ts) * 2"
        "   + CAST(json_extract_string(s.labels, '$.i') AS INTEGER))"
        " FROM points p JOIN series s USING (series_id) GROUP BY s.key ORDER BY s.key"
    ).fetchall()
    assert len(rows) == SERIES
    newest = set()
    for _key, n, distinct, lo, hi, wrong in rows:
        assert wrong == 0, "a value does not match its timestamp"
        assert n == distinct, "duplicated points"
        assert lo == 0 and hi == n - 1, "points missing inside the committed prefix"
        assert hi >= last_reported, "a reported flush was lost"
        newest.add(hi)
    assert len(newest) == 1, "series committed unevenly: a flush was half applied"
    return newest.pop()


@pytest.mark.slow
def test_kill_minus_9_loses_nothing_committed(db_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path)], stdout=subprocess.PIPE, text=True, env=env
    )
    reported: list[int] = []
    try:
        for line in child.stdout:
            reported.append(int(line))
            if len(reported) >= 12:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert len(reported) >= 12, "the writer process died before reporting flushes"
    assert reported == sorted(reported)
    last = reported[-1]

    # Offline, read-only: DuckDB replays the WAL in memory and must find every reported point.
    with HistoryReader(db_path) as r:
        newest = _check_store(r._cur(), last)
        assert r.time_range() == (0, newest)
        assert len(r.series("m")) == SERIES

    # A new writer reopens the file, replays the WAL and carries on where the data stops.
    with StoreWriter(db_path, flush_interval_s=0.05) as w:
        keys = [key("m", i=str(i)) for i in range(SERIES)]
        ts = np.arange(newest + 1, newest + 1001)
        for i, k in enumerate(keys):
            w.append_metrics(batch(k, ts, ts * 2.0 + i))
        assert w.flush(timeout=30)
        assert _check_store(w.reader()._cur(), newest + 1000) == newest + 1000
    with HistoryReader(db_path) as r:
        assert r.time_range() == (0, newest + 1000)
