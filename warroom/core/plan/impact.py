"""Impact preview: what a contingency plan would touch and do, estimated from recent history.

Before an incident commander runs a plan, the console shows what it touches (services,
edges and scenarios to highlight on the map) and what it would do, from the last minutes
of data:

- **rate_limit** (a Sentinel ``FlowRule``, ``count`` = QPS admitted): the requests per second
  that would be rejected (recent offered load above ``count``, at its mean and its peak), and
  which scenarios lose them, in proportion to their share of the limited entry;
- **degrade** (a ``DegradeRule`` forced open): the non-core functions switched off (the
  service and what only it calls) and the load no longer sent to them;
- **failover** of a bank channel: the load moved and where it goes (the other banks, by
  headroom, as the plan's ``strategy`` says), with each bank's load after the move against
  its capacity; a warning when the others cannot take it;
- **failover** of a database: the load that switches to the standby, and a warning that the
  switch itself interrupts the callers for a moment.

Figures are data (``figures``) so the console formats and translates them; ``warnings`` are
what a commander must read before confirming. No recent data means no estimate: the preview
says so instead of inventing one. Pure functions over a ``recent(key) -> values`` lookup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

from warroom.core.model import SeriesKey, ServiceKind
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology

Recent = Callable[[SeriesKey], Sequence[float]]
#: Capacity use above which a bank taking moved load is flagged.
HEADROOM_WARN = 0.85


@dataclass(frozen=True)
class Impact:
    """A plan's preview. ``figures`` keys depend on the kind (see the module docstring)."""

    plan_id: str
    kind: str
    services: tuple[str, ...] = ()
    edges: tuple[tuple[str, str], ...] = ()
    scenarios: tuple[str, ...] = ()
    figures: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    points: int = 0  # data points the estimate rests on; 0 = no estimate

    def __post_init__(self) -> None:
        object.__setattr__(self, "figures", MappingProxyType(dict(self.figures)))

    @property
    def estimated(self) -> bool:
        """False when there was no recent data to estimate from."""
        return self.points > 0


def preview(plan: Plan, topology: Topology, recent: Recent) -> Impact:
    """The impact of ``plan`` on ``topology`` given recent data (``recent(key)`` returns the
    values of the last few minutes, oldest first; empty if none)."""
    if plan.kind == "rate_limit":
        return _rate_limit(plan, topology, recent)
    if plan.kind == "degrade":
        return _degrade(plan, topology, recent)
    if plan.kind == "failover" and plan.target_kind == "bank_channel":
        return _bank_failover(plan, topology, recent)
    if plan.kind == "failover":
        return _db_failover(plan, topology, recent)
    return _generic(plan, topology)


# -- kinds -----------------------------------------------------------------------------------
def _rate_limit(plan: Plan, topology: Topology, recent: Recent) -> Impact:
    count = float(plan.params.get("count", math.nan))
    if plan.target_kind == "scenario":
        sc = topology.scenario(plan.target)
        scenarios = [sc]
        offered_keys = [SeriesKey("scenario_requests_rate", {"scenario": sc.id})]
    else:
        scenarios = [sc for sc in topology.scenarios if sc.entry == plan.target]
        offered_keys = [SeriesKey("service_requests_rate", {"service": plan.target}),
                        SeriesKey("service_blocked_rate", {"service": plan.target})]
    series = [_clean(recent(k)) for k in offered_keys]
    n = min((len(s) for s in series if len(s)), default=0)
    services = sorted({s for sc in scenarios for s in sc.services} | _entry(plan))
    base = Impact(plan.id, plan.kind, tuple(services), _edges_of(scenarios), tuple(sc.id for sc in scenarios))
    if n == 0 or math.isnan(count):
        return _no_data(base, "no recent traffic at the limited resource" if n == 0 else "the plan has no count")
    # Offered = admitted + already blocked (a limit in force already hides part of the load).
    offered = [sum(s[-n:][i] for s in series if len(s)) for i in range(n)]
    mean, peak = sum(offered) / n, max(offered)
    rejected_mean, rejected_peak = max(0.0, mean - count), max(0.0, peak - count)
    shares = _shares([SeriesKey("scenario_requests_rate", {"scenario": sc.id}) for sc in scenarios], recent)
    by_scenario = {sc.id: rejected_mean * shares.get(sc.id, 0.0) for sc in scenarios}
    warnings = []
    if rejected_mean > 0:
        warnings.append(f"{rejected_mean:.0f} req/s ({rejected_mean / mean:.0%}) would be rejected now")
    return _with(base, n, {"count": count, "offered_mean": mean, "offered_peak": peak,
                           "rejected_mean": rejected_mean, "rejected_peak": rejected_peak,
                           "rejected_by_scenario": by_scenario}, warnings)


def _degrade(plan: Plan, topology: Topology, recent: Recent) -> Impact:
    target = plan.target
    # What only the degraded service calls goes quiet with it.
    off = [target] + sorted(d for d in topology.downstream(target)
                            if set(topology.callers(d)) <= ({target} | topology.downstream(target)))
    # A core service degraded is a decision to read twice; its private caches are not news.
    core_off = [target] if topology.service(target).core else []
    callers = topology.callers(target)
    scenarios = topology.scenarios_through(target)
    edges = tuple((c, target) for c in callers)
    base = Impact(plan.id, plan.kind, tuple([*callers, *off]), edges, tuple(sc.id for sc in scenarios))
    load = _clean(recent(SeriesKey("service_requests_rate", {"service": target})))
    warnings = [f"{s} is a core service: payments depend on it" for s in core_off]
    figures: dict[str, Any] = {"switched_off": off, "callers": callers}
    if not load:
        return _no_data(Impact(base.plan_id, base.kind, base.services, base.edges, base.scenarios, figures,
                               tuple(warnings)), "no recent load on the degraded service")
    figures["load_removed"] = sum(load) / len(load)
    return _with(base, len(load), figures, warnings)


def _bank_failover(plan: Plan, topology: Topology, recent: Recent) -> Impact:
    bank = plan.target
    to = [b for b in plan.params.get("to", ()) if b in topology] or \
        [s.name for s in topology.services if s.kind is ServiceKind.BANK and s.name != bank]
    callers = topology.callers(bank)
    edges = tuple([(c, bank) for c in callers] + [(c, b) for b in to for c in topology.callers(b)])
    scenarios = topology.scenarios_through(bank)
    base = Impact(plan.id, plan.kind, tuple([bank, *to, *callers]), edges, tuple(sc.id for sc in scenarios))
    moved_vals = _clean(recent(SeriesKey("service_requests_rate", {"service": bank})))
    loads = {b: _clean(recent(SeriesKey("service_requests_rate", {"service": b}))) for b in to}
    if not moved_vals or not all(loads.values()):
        return _no_data(base, "no recent load on the banks")
    moved = sum(moved_vals) / len(moved_vals)
    load = {b: sum(v) / len(v) for b, v in loads.items()}
    cap = {b: topology.service(b).capacity_rps for b in to}
    headroom = {b: max(0.0, cap[b] - load[b]) if cap[b] > 0 else 0.0 for b in to}
    total = sum(headroom.values())
    after = {b: load[b] + (moved * headroom[b] / total if total > 0 else moved / len(to)) for b in to}
    util = {b: after[b] / cap[b] if cap[b] > 0 else math.nan for b in to}
    warnings = []
    if total < moved:
        warnings.append(f"the other banks have {total:.0f} req/s of headroom for {moved:.0f} req/s moved")
    warnings += [f"{b} would run at {u:.0%} of capacity" for b, u in util.items() if u >= HEADROOM_WARN]
    return _with(base, len(moved_vals), {"moved": moved, "to": to, "load_before": load, "load_after": after,
                                          "capacity": cap, "utilisation_after": util}, warnings)


def _db_failover(plan: Plan, topology: Topology, recent: Recent) -> Impact:
    db = plan.target
    callers = topology.callers(db) if db in topology else []
    scenarios = topology.scenarios_through(db) if db in topology else []
    base = Impact(plan.id, plan.kind, tuple([db, *callers]), tuple((c, db) for c in callers),
                  tuple(sc.id for sc in scenarios))
    load = _clean(recent(SeriesKey("service_requests_rate", {"service": db})))
    warnings = [f"callers of {db} ({', '.join(callers)}) see errors while the standby is promoted"]
    if not load:
        return _no_data(Impact(base.plan_id, base.kind, base.services, base.edges, base.scenarios, {},
                               tuple(warnings)), f"no recent load on {db}")
    cap = topology.service(db).capacity_rps
    mean = sum(load) / len(load)
    return _with(base, len(load), {"load": mean, "capacity": cap, "standby": plan.params.get("to", "")}, warnings)


def _generic(plan: Plan, topology: Topology) -> Impact:
    target = plan.target
    if target in topology:
        services = (target, *topology.callers(target), *topology.callees(target))
        scenarios = tuple(sc.id for sc in topology.scenarios_through(target))
    else:
        services, scenarios = (), (target,) if plan.target_kind == "scenario" else ()
    return _no_data(Impact(plan.id, plan.kind, services, (), scenarios), f"no estimate for plan kind {plan.kind!r}")


# -- helpers ---------------------------------------------------------------------------------
def _entry(plan: Plan) -> set[str]:
    return {plan.target} if plan.target_kind == "service" else set()


def _edges_of(scenarios) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({e for sc in scenarios for e in sc.edges}))


def _clean(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def _shares(keys: list[SeriesKey], recent: Recent) -> dict[str, float]:
    means = {}
    for k in keys:
        v = _clean(recent(k))
        means[k.labels["scenario"]] = sum(v) / len(v) if v else 0.0
    total = sum(means.values())
    return {s: (m / total if total > 0 else 1.0 / len(means)) for s, m in means.items()}


def _with(base: Impact, points: int, figures: dict[str, Any], warnings: list[str]) -> Impact:
    return Impact(base.plan_id, base.kind, base.services, base.edges, base.scenarios, figures,
                  tuple(warnings), points)


def _no_data(base: Impact, why: str) -> Impact:
    return Impact(base.plan_id, base.kind, base.services, base.edges, base.scenarios,
                  {**base.figures, "no_estimate": why}, base.warnings, 0)
