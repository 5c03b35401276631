"""Helpers for the simulator tests: fixed instants and ways to read batches."""

from __future__ import annotations

import datetime as dt

import numpy as np

from warroom.protocol.messages import MetricBatch
from warroom.sim import Simulator


def _utc_ms(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp() * 1000)


#: 10:30 local time (UTC+8), the morning peak.
PEAK_MS = _utc_ms(2024, 11, 11, 2, 30)
#: 04:00 local time, the night trough.
NIGHT_MS = _utc_ms(2024, 11, 10, 20, 0)


def values(batch: MetricBatch) -> dict[str, float]:
    """``{series text: value}`` of a batch (one point per series per tick)."""
    return {batch.series[i].text: float(v) for i, v in zip(batch.index.tolist(), batch.values.tolist())}


def run(sim: Simulator, seconds: int, last: int = 5) -> dict[str, float]:
    """Tick ``seconds`` times; the mean of each series over the ``last`` ticks."""
    last = min(last, seconds)
    rows = []
    for i in range(seconds):
        batch, _ = sim.tick()
        if i >= seconds - last:
            rows.append(batch.values)
    mean = np.mean(rows, axis=0)
    return {k.text: float(v) for k, v in zip(batch.series, mean)}


def svc(metric: str, service: str) -> str:
    """Series text of a per-service metric."""
    return f'{metric}{{service="{service}"}}'


def p99(service: str) -> str:
    """Series text of a service's p99 latency."""
    return f'service_latency_seconds{{quantile="0.99",service="{service}"}}'


def scn(metric: str, scenario: str) -> str:
    """Series text of a per-scenario metric."""
    return f'{metric}{{scenario="{scenario}"}}'


def edge(metric: str, caller: str, callee: str) -> str:
    """Series text of a per-edge metric (labels sorted: callee before caller)."""
    q = ',quantile="0.99"' if metric == "edge_latency_seconds" else ""
    return f'{metric}{{callee="{callee}",caller="{caller}"{q}}}'
