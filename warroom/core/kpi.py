"""North-star KPIs computed from scenario and service series (pure functions).

Each function takes a ``value(key) -> float | None`` lookup so the same code serves the
live view, a replay cursor and tests. A KPI whose inputs are missing is ``None``: the UI
shows "—", never a made-up number.
"""

from __future__ import annotations

from typing import Callable, Iterable

from warroom.core.model import SeriesKey, ServiceKind
from warroom.core.topology import Topology

Lookup = Callable[[SeriesKey], "float | None"]


def total_tps(scenarios: Iterable[str], value: Lookup) -> float | None:
    """Successful transactions per second over all scenarios."""
    vals = [value(SeriesKey("scenario_tps", {"scenario": s})) for s in scenarios]
    vals = [v for v in vals if v is not None]
    return sum(vals) if vals else None


def success_ratio(scenarios: Iterable[str], value: Lookup) -> float | None:
    """Overall success ratio: successful transactions over attempted requests, all scenarios."""
    ok = attempted = 0.0
    seen = False
    for s in scenarios:
        tps = value(SeriesKey("scenario_tps", {"scenario": s}))
        req = value(SeriesKey("scenario_requests_rate", {"scenario": s}))
        if tps is None or req is None:
            continue
        seen = True
        ok += tps
        attempted += req
    if not seen:
        return None
    return ok / attempted if attempted > 0 else 1.0


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
