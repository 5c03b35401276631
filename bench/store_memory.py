#!/usr/bin/env python3
"""Memory of a recording process: does the store's RSS plateau as the history grows?

Appends ``--points`` points through a ``StoreWriter`` in feed-like batches (``--series``
series, ``--ticks`` timestamps per batch, one timestamp a second of feed time, values that
move like metrics), samples this process's resident set size (``/proc/self/statm``) as it
goes, and prints the curve and a last line

    store_memory: points=... rss_start_mb=... rss_end_mb=... growth_pct=... ...

``rss_start_mb`` is taken halfway (by then DuckDB's cache has reached the default 512 MiB
limit: about 60 M points at ~9 bytes each), ``growth_pct`` is the growth over the second
half. A plateau is a growth of a few per cent; an unbounded store grows with the history
(~8 bytes per stored point before issue 12). ``--memory-limit-mb 0`` runs with DuckDB's own
default (80 % of the machine's RAM), for comparison; a smaller limit plateaus sooner.

    python bench/store_memory.py [--points 120000000] [--memory-limit-mb 128]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol.messages import MetricBatch
from warroom.store import StoreWriter

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """This process's resident set size in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 1e6


def run(points: int, n_series: int, ticks: int, memory_limit_mb: int | None, db: Path) -> dict:
    keys = tuple(SeriesKey("m", {"service": f"svc{i % 40}", "i": str(i)}) for i in range(n_series))
    rng = np.random.default_rng(7)
    index = np.tile(np.arange(n_series, dtype=np.int32), ticks)
    level = rng.uniform(10, 1000, n_series)
    per_batch = n_series * ticks
    batches = max(1, points // per_batch)
    # None: the StoreWriter's default; 0: no limit of ours (DuckDB's own, 80 % of the RAM).
    kw = {} if memory_limit_mb is None else {"memory_limit_mb": memory_limit_mb or None}
    writer = StoreWriter(db, **kw)
    t0 = time.perf_counter()
    samples: list[tuple[int, float]] = []
    start_rss = None
    ts0 = 1_763_605_800_000
    try:
        for b in range(batches):
            ts = np.repeat(ts0 + (b * ticks + np.arange(ticks, dtype=np.int64)) * 1000, n_series)
            values = np.repeat(level[None, :], ticks, axis=0).ravel() * (1 + 0.05 * rng.standard_normal(per_batch))
            writer.append_metrics(MetricBatch(keys, index, ts, values))
            done = (b + 1) * per_batch
            if b % max(1, batches // 40) == 0 or b == batches - 1:
                writer.flush()
                samples.append((done, rss_mb()))
                if start_rss is None and done >= points // 2:
                    start_rss = samples[-1][1]
        writer.flush()
        end_rss = rss_mb()
    finally:
        writer.close()
    elapsed = time.perf_counter() - t0
    start_rss = start_rss if start_rss is not None else samples[0][1]
    return {
        "points": batches * per_batch, "rss_start_mb": start_rss, "rss_end_mb": end_rss,
        "growth_pct": 100 * (end_rss - start_rss) / start_rss, "samples": samples,
        "points_per_s": batches * per_batch / elapsed, "file_mb": db.stat().st_size / 1e6,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=120_000_000)
    ap.add_argument("--series", type=int, default=244)
    ap.add_argument("--ticks", type=int, default=10, help="timestamps per batch (a feed frame)")
    ap.add_argument("--memory-limit-mb", type=int, default=None,
                    help="the writer's memory_limit_mb (default: the StoreWriter default; 0: DuckDB's own)")
    args = ap.parse_args()
    limit = args.memory_limit_mb
    with tempfile.TemporaryDirectory() as tmp:
        r = run(args.points, args.series, args.ticks, limit, Path(tmp) / "mem.duckdb")
    for done, mb in r["samples"]:
        print(f"{done:>12,} points  rss {mb:8.1f} MB")
    label = "default" if limit is None else ("duckdb-default" if limit == 0 else str(limit))
    print(f"store_memory: points={r['points']} rss_start_mb={r['rss_start_mb']:.0f} rss_end_mb={r['rss_end_mb']:.0f}"
          f" growth_pct={r['growth_pct']:.1f} memory_limit_mb={label} file_mb={r['file_mb']:.0f}"
          f" points_per_s={r['points_per_s']:,.0f}")


if __name__ == "__main__":
    main()
