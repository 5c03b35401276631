#!/usr/bin/env python3
"""Alert-rule evaluation cost per tick, against the tick interval and a raw numpy baseline.

Issue 4 asks that the rule engine evaluate the full simulated platform's rules "in a small
fraction of a second per tick". We replay pre-generated simulator ticks (so the simulator's
own cost is not counted) through ``AlertEngine.observe_points`` + ``evaluate`` with the
default rules, with a bank outage in the middle so alerts fire, fold and resolve, and time:

  * per tick: p50 / p95 / max, and the p95 as a fraction of the 1 s tick interval;
  * a raw baseline in the same run: the same values compared against fixed thresholds with
    one vectorised numpy expression per tick (what "no engine at all" would cost);
  * the same at --scale times the series (each series copied under a ``region`` label, the
    topology unchanged), to see how it grows.

    python bench/rules.py [--ticks 600] [--scale 10]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from warroom.core.alerting.alerts import AlertEngine
from warroom.core.model import SeriesKey
from warroom.core.alerting.rules import default_rules_path, load_rules_file
from warroom.sim import Simulator

PEAK_MS = 1_731_292_200_000  # 2024-11-11 10:30 UTC+8


def ticks(n: int) -> tuple[list, list]:
    """``n`` simulated seconds (keys, ts, values per tick) with a bank outage in the middle third."""
    sim = Simulator(start_ms=PEAK_MS, seed=5)
    out, events = [], []
    for i in range(n):
        if i == n // 3:
            sim.inject_fault("dependency_outage", "bank-icbc", n / 3)
        batch, evs = sim.tick()
        keys = [batch.series[j] for j in batch.index.tolist()]
        out.append((keys, batch.ts.tolist(), batch.values.tolist()))
        events.append(evs)
    return out, events


def scaled(data: list, scale: int) -> list:
    """Every series copied ``scale`` times under region=r0..r{scale-1}."""
    if scale == 1:
        return data
    cache: dict[tuple[SeriesKey, int], SeriesKey] = {}
    out = []
    for keys, ts, values in data:
        k2, t2, v2 = [], [], []
        for r in range(scale):
            for k, t, v in zip(keys, ts, values):
                kk = cache.get((k, r))
                if kk is None:
                    kk = cache[(k, r)] = SeriesKey(k.name, {**k.labels, "region": f"r{r}"})
                k2.append(kk)
                t2.append(t)
                v2.append(v)
        out.append((k2, t2, v2))
    return out


def run_engine(data: list, events: list, topology) -> tuple[list[float], int]:
    engine = AlertEngine(load_rules_file(default_rules_path()), topology)
    times, n_events = [], 0
    for (keys, ts, values), evs in zip(data, events):
        t0 = time.perf_counter()
        for e in evs:
            engine.note_event(e)
        engine.observe_points(keys, ts, values)
        n_events += len(engine.evaluate(ts[0]))
        times.append(time.perf_counter() - t0)
    return times, n_events


def run_raw(data: list) -> list[float]:
    """The floor: one vectorised threshold test over the tick's values."""
    times = []
    limits = None
    for _keys, _ts, values in data:
        t0 = time.perf_counter()
        v = np.asarray(values)
        if limits is None or len(limits) != len(v):
            limits = np.full(len(v), 0.05)
        _ = np.flatnonzero(v > limits)
        times.append(time.perf_counter() - t0)
    return times


def ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ticks", type=int, default=600)
    ap.add_argument("--scale", type=int, default=10)
    args = ap.parse_args()
    data, events = ticks(args.ticks)
    topology = Simulator(start_ms=PEAK_MS).topology
    print(f"{args.ticks} ticks of the simulated platform, bank outage from tick {args.ticks // 3}")
    for scale in (1, args.scale):
        d = scaled(data, scale)
        n_series = len(d[0][0])
        eng, n_events = run_engine(d, events, topology)
        raw = run_raw(d)
        print(f"\n{n_series} series (x{scale}), {n_events} alert events")
        print(f"  engine per tick: p50 {ms(eng, 50):.3f} ms  p95 {ms(eng, 95):.3f} ms  max {ms(eng, 100):.3f} ms")
        print(f"  raw numpy test : p50 {ms(raw, 50):.4f} ms  p95 {ms(raw, 95):.4f} ms")
        print(f"  ratio engine p95 / tick interval (1 s): {ms(eng, 95) / 1000:.5f}")
        print(f"  ratio engine p50 / raw p50: {ms(eng, 50) / max(ms(raw, 50), 1e-9):.0f}x")


if __name__ == "__main__":
    main()
