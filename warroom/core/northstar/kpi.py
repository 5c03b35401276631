"""North-star KPIs computed from scenario and service series (pure functions).

Each function takes a ``value(key) -> float | None`` lookup so the same code serves the
live view, a replay cursor and tests. A KPI whose inputs are missing is ``None``: the UI
shows "—", never a made-up number.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable

from warroom.core.model import SeriesKey, ServiceKind
from warroom.core.graph.topology import Topology

Lookup = Callable[[SeriesKey], "float | None"]


def total_tps(scenarios: Iterable[str], value: Lookup) -> float | None:
    """Successful transactions per second over all scenarios."""
    vals = [value(SeriesKey("scenario_tps", {"scenario": s})) for s in scenarios]
    vals = [v for v in vals if v is not None]
    return sum(vals) if vals else None


def success_ratio(scenarios: Iterable[str], value: Lookup) -> float | None:
    """Overall success ratio, 0..1: successful transactions over attempted ones, all scenarios.

    Per scenario the successes are ``scenario_tps`` and the attempts ``scenario_requests_rate``
    (``scenario_counts``). A success ratio is a fraction in 0..1 (protocol section 9), so the
    overall figure must be one too, whatever the feed sends.
    """
    ok = attempted = 0.0
    seen = False
    for s in scenarios:
        counts = scenario_counts(value(SeriesKey("scenario_tps", {"scenario": s})),
                                 value(SeriesKey("scenario_requests_rate", {"scenario": s})))
        if counts is None:
            continue
        seen = True
        ok += counts[0]
        attempted += counts[1]
    if not seen:
        return None
    return ok / attempted if attempted > 0 else 1.0


def scenario_counts(tps: float | None, requests: float | None) -> tuple[float, float] | None:
    """``(successes, attempts)`` per second of one scenario for the success rate; None when
    either is missing or is not a rate (negative, not finite).

    Successes never count above attempts: a feed whose ``scenario_tps`` exceeds its
    ``scenario_requests_rate`` (the two measured over different windows, or a feed that is
    simply wrong — a 1,000-service bench world sent them as unrelated numbers and the tile
    read 341.67 %) counts that scenario as all succeeded, not as more than all. The points
    themselves are kept as sent (the chart shows them); only the derived fraction is bounded.
    """
    if tps is None or requests is None or not (math.isfinite(tps) and math.isfinite(requests)):
        return None
    if tps < 0 or requests < 0:
        return None
    return min(tps, requests), requests


def entry_p99(topology: Topology, value: Lookup) -> float | None:
    """P99 latency seen by users: the traffic-weighted p99 of the channel (entry) services."""
    num = den = 0.0
    for svc in topology.services:
        if svc.kind is not ServiceKind.CHANNEL:
            continue
        p99 = value(SeriesKey("service_latency_seconds", {"service": svc.name, "quantile": "0.99"}))
        rps = value(SeriesKey("service_requests_rate", {"service": svc.name}))
        if p99 is None or rps is None:
            continue
        num += p99 * rps
        den += rps
    return num / den if den > 0 else None
