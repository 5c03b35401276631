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
- **rollback** of a service's last deploy: the load on it and its error ratio now (what the
  rollback should bring back), and its callers, who see its instances restart.

Every target kind the protocol allows works with every kind (protocol §5.5): a ``service`` or
``bank_channel`` names a service; an ``edge`` (``caller->callee``) acts on the callee as its
caller sees it (a degrade of an edge stops that caller's calls only; a rate limit counts the
edge's requests); a ``scenario`` acts on its entry. A target that is not in the topology (a
plan for a service the feed no longer sends) gives an honest "unknown target" preview with the
figure ``unknown_target``, never an exception; kinds the console does not know get a generic
preview of what the target touches.

Figures are data (``figures``) so the console formats and translates them; ``warnings`` are
what a commander must read before confirming. No recent data means no estimate: the preview
says so instead of inventing one. Pure functions over a ``recent(key) -> values`` lookup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

from warroom.core.model import Scenario, SeriesKey, ServiceKind
from warroom.core.plan.plans import Plan
from warroom.core.plan.stages import ladder_of
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


@dataclass(frozen=True)
class Where:
    """A plan's target resolved on a topology: the service it acts on (an edge's callee, a
    scenario's entry), the edge and the scenario when the target is one."""

    service: str
    edge: tuple[str, str] | None = None
    scenario: Scenario | None = None


def resolve(plan: Plan, topology: Topology) -> Where | None:
    """Where ``plan`` acts on ``topology``; None when its target is not there."""
    name = plan.target
    if plan.target_kind == "edge":
        caller, sep, callee = name.partition("->")
        caller, callee = caller.strip(), callee.strip()
        if not sep or not topology.graph.has_edge(caller, callee):
            return None
        return Where(callee, edge=(caller, callee))
    if plan.target_kind == "scenario":
        sc = next((s for s in topology.scenarios if s.id == name), None)
        if sc is None or sc.entry not in topology:
            return None
        return Where(sc.entry, scenario=sc)
    return Where(name) if name in topology else None


def preview(plan: Plan, topology: Topology, recent: Recent) -> Impact:
    """The impact of ``plan`` on ``topology`` given recent data (``recent(key)`` returns the
    values of the last few minutes, oldest first; empty if none). Never raises for a target
    or kind it does not know (see the module docstring)."""
    where = resolve(plan, topology)
    if where is None:
        return _unknown(plan)
    if plan.kind == "rate_limit":
        return _rate_limit(plan, where, topology, recent)
    if plan.kind == "degrade" and where.scenario is None:
        return _degrade(plan, where, topology, recent)
    if plan.kind == "failover" and plan.target_kind == "bank_channel":
        return _bank_failover(plan, where.service, topology, recent)
    if plan.kind == "failover" and where.scenario is None:
        return _db_failover(plan, where.service, topology, recent)
    if plan.kind == "rollback" and where.scenario is None:
        return _rollback(plan, where.service, topology, recent)
    if plan.kind == "shift" and isinstance(plan.params.get("to"), str) and plan.params["to"] in topology:
        return _shift(plan, where.service, str(plan.params["to"]), topology, recent)
    return _generic(plan, where, topology)


# -- kinds -----------------------------------------------------------------------------------
def _rate_limit(plan: Plan, where: Where, topology: Topology, recent: Recent) -> Impact:
    count = _number(plan.params.get("count"))
    entry = where.service
    if where.scenario is not None:
        sc = where.scenario
        scenarios = [sc]
        offered_keys = [SeriesKey("scenario_requests_rate", {"scenario": sc.id})]
    elif where.edge is not None:
        caller, callee = where.edge
        scenarios = topology.scenarios_through_edge(caller, callee)
        offered_keys = [SeriesKey("edge_requests_rate", {"caller": caller, "callee": callee})]
    else:
        # A limit on a service that is no scenario's entry still costs the scenarios through it.
        scenarios = ([sc for sc in topology.scenarios if sc.entry == entry]
                     or topology.scenarios_through(entry))
        offered_keys = [SeriesKey("service_requests_rate", {"service": entry}),
                        SeriesKey("service_blocked_rate", {"service": entry})]
    series = [_clean(recent(k)) for k in offered_keys]
    n = min((len(s) for s in series if len(s)), default=0)
    services = sorted({s for sc in scenarios for s in sc.services} | {entry})
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


def _degrade(plan: Plan, where: Where, topology: Topology, recent: Recent) -> Impact:
    target = where.service
    callers = topology.callers(target)
    if where.edge is not None:
        callers = [where.edge[0]]  # one caller's breaker: the others still call the service
    # What only the degraded service calls goes quiet with it; through one edge, only when
    # that caller was its only one.
    whole = set(topology.callers(target)) <= set(callers)
    below = topology.downstream(target)
    off = [target] + sorted(d for d in below if set(topology.callers(d)) <= ({target} | below)) if whole else []
    # A core service degraded is a decision to read twice; its private caches are not news.
    core_off = [target] if topology.service(target).core else []
    if where.edge is not None:
        scenarios = topology.scenarios_through_edge(*where.edge)
        load_key = SeriesKey("edge_requests_rate", {"caller": where.edge[0], "callee": target})
    else:
        scenarios = topology.scenarios_through(target)
        load_key = SeriesKey("service_requests_rate", {"service": target})
    edges = tuple((c, target) for c in callers)
    base = Impact(plan.id, plan.kind, tuple(dict.fromkeys([*callers, target, *off])), edges,
                  tuple(sc.id for sc in scenarios))
    load = _clean(recent(load_key))
    warnings = [f"{s} is a core service: payments depend on it" for s in core_off]
    figures: dict[str, Any] = {"switched_off": off, "callers": callers}
    if where.edge is not None:
        figures["edge"] = list(where.edge)
    if not load:
        return _no_data(Impact(base.plan_id, base.kind, base.services, base.edges, base.scenarios, figures,
                               tuple(warnings)), "no recent load on the degraded service")
    figures["load_removed"] = sum(load) / len(load)
    return _with(base, len(load), figures, warnings)


def _bank_failover(plan: Plan, bank: str, topology: Topology, recent: Recent) -> Impact:
    wanted = plan.params.get("to", ())
    wanted = [wanted] if isinstance(wanted, str) else wanted if isinstance(wanted, (list, tuple)) else []
    to = [b for b in wanted if isinstance(b, str) and b in topology and b != bank] or \
        [s.name for s in topology.services if s.kind is ServiceKind.BANK and s.name != bank]
    callers = topology.callers(bank)
    edges = tuple([(c, bank) for c in callers] + [(c, b) for b in to for c in topology.callers(b)])
    scenarios = topology.scenarios_through(bank)
    base = Impact(plan.id, plan.kind, tuple([bank, *to, *callers]), edges, tuple(sc.id for sc in scenarios))
    if not to:
        return _no_data(base, f"no other bank channel to take {bank}'s load")
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


def _shift(plan: Plan, source: str, to: str, topology: Topology, recent: Recent) -> Impact:
    """A staged shift: the destination's use of its capacity at each stage (``stage_utilisation``,
    by stage name), from the last minutes' loads; a warning names the first stage that fills it."""
    callers = topology.callers(source)
    scenarios = topology.scenarios_through(source)
    base = Impact(plan.id, plan.kind, tuple(dict.fromkeys([source, to, *callers])),
                  tuple([(c, source) for c in callers] + [(c, to) for c in topology.callers(to)]),
                  tuple(sc.id for sc in scenarios))
    try:
        ladder = ladder_of(plan) or ()
    except ValueError as exc:
        return _no_data(base, str(exc))
    moved_vals = _clean(recent(SeriesKey("service_requests_rate", {"service": source})))
    to_vals = _clean(recent(SeriesKey("service_requests_rate", {"service": to})))
    if not moved_vals or not to_vals:
        return _no_data(base, f"no recent load on {source} or {to}")
    moved, load = sum(moved_vals) / len(moved_vals), sum(to_vals) / len(to_vals)
    cap = topology.service(to).capacity_rps
    util = {st.name: (load + moved * st.fraction) / cap if cap > 0 else math.nan for st in ladder}
    warnings = []
    full = next((name for name, u in util.items() if u >= HEADROOM_WARN), None)
    if full is not None:
        warnings.append(f"{to} would run at {util[full]:.0%} of capacity from stage {full}")
    return _with(base, len(moved_vals), {"moved": moved, "to": to, "load_before": load, "capacity": cap,
                                          "stage_utilisation": util}, warnings)


def _db_failover(plan: Plan, db: str, topology: Topology, recent: Recent) -> Impact:
    callers = topology.callers(db)
    scenarios = topology.scenarios_through(db)
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


def _rollback(plan: Plan, service: str, topology: Topology, recent: Recent) -> Impact:
    callers = topology.callers(service)
    scenarios = topology.scenarios_through(service)
    base = Impact(plan.id, plan.kind, tuple([service, *callers]), tuple((c, service) for c in callers),
                  tuple(sc.id for sc in scenarios))
    load = _clean(recent(SeriesKey("service_requests_rate", {"service": service})))
    errors = _clean(recent(SeriesKey("service_error_ratio", {"service": service})))
    figures: dict[str, Any] = {"service": service, "callers": callers}
    if not load:
        return _no_data(Impact(base.plan_id, base.kind, base.services, base.edges, base.scenarios, figures),
                        f"no recent load on {service}")
    figures["load"] = sum(load) / len(load)
    if errors:
        figures["error_ratio"] = sum(errors) / len(errors)
    return _with(base, len(load), figures, [])


def _generic(plan: Plan, where: Where, topology: Topology) -> Impact:
    if where.scenario is not None:
        sc = where.scenario
        return _no_data(Impact(plan.id, plan.kind, tuple(sc.services), _edges_of([sc]), (sc.id,)),
                        f"no estimate for plan kind {plan.kind!r}")
    target = where.service
    if where.edge is not None:
        services, edges = where.edge, (where.edge,)
        scenarios = tuple(sc.id for sc in topology.scenarios_through_edge(*where.edge))
    else:
        services = tuple(dict.fromkeys((target, *topology.callers(target), *topology.callees(target))))
        edges = ()
        scenarios = tuple(sc.id for sc in topology.scenarios_through(target))
    return _no_data(Impact(plan.id, plan.kind, services, edges, scenarios), f"no estimate for plan kind {plan.kind!r}")


def _unknown(plan: Plan) -> Impact:
    """A plan whose target the topology does not hold: nothing to light, nothing to estimate."""
    return Impact(plan.id, plan.kind, figures={
        "unknown_target": plan.target, "target_kind": plan.target_kind,
        "no_estimate": f"unknown target {plan.target_kind} {plan.target!r}: not in the topology"})


# -- helpers ---------------------------------------------------------------------------------
def _number(value: Any) -> float:
    """A plan parameter as a number; NaN when it is missing or not one."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


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
