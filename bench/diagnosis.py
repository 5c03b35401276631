#!/usr/bin/env python3
"""Diagnosis on every shipped world: is the root cause named top-1 within 30 s, and never wrong?

For every shipped world, every fault kind on every service it applies to, the drill runs
headless (``warroom.sim.diagnosis``: the simulator through the console's own ``AlertWatch``,
after a warm-up that teaches the baselines) and measures the time from the fault's start to
the first firing alert and to the root named top-1, and any wrong root named. Prints a table
(world × fault kind: cases, top-1 hits, median and max seconds, wrong roots), then each miss,
then the last line ``diagnosis: cases=N top1=H within30s=W wrong=X``.

    python bench/diagnosis.py [--world NAME ...] [--sample K] [--warm 600] [--watch 90]

The goal (issue 14) is every case top-1 within 30 s and no wrong root. There is no timing
baseline here: the figures are feed seconds, not machine time.
"""

from __future__ import annotations

import argparse
import sys

from warroom.sim.diagnosis import GOAL_S, run
from warroom.sim.world import builtin_worlds


def _s(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", action="append", help="a world name or file (default: every shipped world)")
    ap.add_argument("--sample", type=int, help="at most this many targets per fault kind")
    ap.add_argument("--warm", type=int, default=600, help="healthy seconds before each fault (default 600)")
    ap.add_argument("--watch", type=int, default=90, help="seconds watched after the fault (default 90)")
    args = ap.parse_args(argv)
    worlds = args.world or builtin_worlds()

    def progress(c) -> None:
        mark = "ok " if c.hit else "MISS"
        print(f"  {mark} {c.world:<14} {c.kind:<20} {c.target:<28} first={_s(c.first_alert_s):>3}s "
              f"top1={_s(c.top1_s):>3}s{'  wrong=' + ','.join(c.wrong) if c.wrong else ''}",
              file=sys.stderr, flush=True)

    table = run(worlds, sample=args.sample, warm_s=args.warm, watch_s=args.watch, progress=progress)
    print(f"{'world':<14} {'fault kind':<20} {'cases':>5} {'top1':>5} {'median_s':>8} {'max_s':>6} {'wrong':>5}")
    for world, kind, n, hits, med, mx, wrong in table.rows():
        print(f"{world:<14} {kind:<20} {n:>5} {hits:>5} {_s(med):>8} {_s(mx):>6} {wrong:>5}")
    misses = [c for c in table.cases if not c.hit]
    if misses:
        print(f"\nmisses (not top-1 within {GOAL_S:.0f} s, or a wrong root named):")
        for c in misses:
            print(f"  {c.world} {c.kind}:{c.target} expected {'/'.join(sorted(c.expected))} "
                  f"top1={_s(c.top1_s)}s first_alert={_s(c.first_alert_s)}s wrong={','.join(c.wrong) or '-'}")
    print(table.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
