"""Which plans to suggest for the current root causes: bound by target and kind, not by id.

A feed names its plans as it likes (``failover-bank-a``, ``切换A行``, ``plan-17``); what ties a
plan to a problem is what it acts on (its ``target``) and what it does (its ``kind``). For
each root cause — the firing or acknowledged alerts that stand for their cause (``is_root``),
named by their ``root_cause`` (the subject when the engine named none and the subject is a
service) — the plans are ranked (``ranked``):

0. ``rollback`` of the root's last deploy, when the root alert came right after a change
   (tagged ``after_change``): the rollback of the root first, then of the changed service
   (a deploy next door can break the root);
1. ``failover``, then ``restart``, then ``degrade`` whose target *is* the root: the service or
   bank channel of that name, an edge that ends at the root (``caller->root``), a scenario that
   runs through it (a crashed service, a stalled job or a consumer behind its queue is
   restarted; a dead database is failed over first);
2. ``rate_limit`` at the entries that feed the root (``Topology.entries()`` from which the
   root is reached), on scenarios entering there that run through the root, and on the
   calls into the root;
3. plans of other kinds the console does not know, whose target is the root.

``suggest`` marks the plans of tiers 0, 1 and 3; rate limits (tier 2) only when the root alert
is about load (its rule's ``cause: load``, a surge) or nothing of tiers 0 and 1 addresses the
root: shedding users' traffic is no answer to a bank that is down while the bank can be failed
over, and a commander reads one SUGGESTED mark better than five. Plans a rule names explicitly
(``Alert.plans``) still count: they come after the ranked ones for that root. A rollback is
never suggested without a change (there is nothing to undo), nor a rate limit for a root no
entry reaches. Pure functions; no Qt, no I/O.
"""

from __future__ import annotations

from typing import Any, Iterable

from warroom.core.graph.topology import Topology
from warroom.core.plan.plans import Plan

#: Alert states whose root causes get suggestions (a pending alert may still fade).
ACTIVE_STATES = ("firing", "acknowledged")
#: Order of kinds inside the "acts on the root" tier.
_ON_ROOT = ("failover", "restart", "degrade")
#: How closely a target names the root: the service itself, a call into it, a scenario through it.
_EXACT, _EDGE, _SCENARIO = 0, 1, 2
#: The rate-limit tier (see the module docstring).
_LIMITS = 2


def root_of(alert: Any) -> str:
    """The root cause an alert stands for: its ``root_cause``, else its subject when that is a
    service; ``""`` when unknown."""
    root = getattr(alert, "root_cause", "") or ""
    if root:
        return root
    return alert.subject if getattr(alert, "subject_kind", "") == "service" else ""


def changed_service(alert: Any) -> str:
    """The service whose deploy or config change the alert followed, ``""`` if none."""
    change = getattr(alert, "change", None)
    if "after_change" not in getattr(alert, "tags", ()) or not isinstance(change, dict):
        return ""
    subject = change.get("subject")
    return subject if isinstance(subject, str) else ""


def suggest(plans: Iterable[Plan], alerts: Iterable[Any], topology: Topology | None) -> dict[str, tuple[str, ...]]:
    """Plan id -> the root causes it is suggested for, best plans first (dict order): for each
    root alert in turn, its ``ranked`` plans, then the plans its rule names."""
    plans = list(plans)
    known = {p.id for p in plans}
    topology = topology if topology is not None else Topology()
    out: dict[str, list[str]] = {}

    def add(plan_id: str, root: str) -> None:
        roots = out.setdefault(plan_id, [])
        if root not in roots:
            roots.append(root)

    for alert in alerts:
        if not alert.is_root or alert.state not in ACTIVE_STATES:
            continue
        root = root_of(alert)
        if root:
            after_change = "after_change" in getattr(alert, "tags", ())
            scored = _scored(root, plans, topology, after_change, changed_service(alert))
            shed = getattr(alert, "cause", "") == "load" or not any(tier < _LIMITS for tier, _ in scored)
            for tier, plan in scored:
                if tier != _LIMITS or shed:
                    add(plan.id, root)
        for plan_id in getattr(alert, "plans", ()):
            if plan_id in known:
                add(plan_id, root or alert.subject)
    return {k: tuple(v) for k, v in out.items()}


def ranked(root: str, plans: Iterable[Plan], topology: Topology, *, after_change: bool,
           changed: str = "") -> list[Plan]:
    """The plans that address ``root``, best first (see the module docstring). ``changed`` is
    the service whose change the root alert followed, when it is not the root itself."""
    return [p for _, p in _scored(root, plans, topology, after_change, changed)]


def _scored(root: str, plans: Iterable[Plan], topology: Topology, after_change: bool,
            changed: str) -> list[tuple[int, Plan]]:
    """``(tier, plan)`` of the plans that address ``root``, best first."""
    scored: list[tuple[tuple[int, ...], Plan]] = []
    feeding = _feeding_entries(root, topology)
    for i, plan in enumerate(plans):
        score = _score(plan, root, topology, feeding, after_change, changed)
        if score is not None:
            scored.append(((*score, i), plan))
    return [(key[0], p) for key, p in sorted(scored, key=lambda sp: sp[0])]


def _score(plan: Plan, root: str, topology: Topology, feeding: set[str], after_change: bool,
           changed: str) -> tuple[int, int, int] | None:
    """(tier, order in the tier, closeness of the target), or None when the plan does not fit."""
    if plan.kind == "shift" or "stages" in plan.params:
        return None  # a staged shift widens over minutes: planned work, not an incident's answer
    on_root = _closeness(plan, root, topology)
    if plan.kind == "rollback":
        if not after_change or plan.target_kind not in ("service", "bank_channel"):
            return None
        if plan.target == root:
            return (0, 0, _EXACT)
        if changed and plan.target == changed:
            return (0, 1, _EXACT)
        return None
    if plan.kind in _ON_ROOT:
        return None if on_root is None else (1, _ON_ROOT.index(plan.kind), on_root)
    if plan.kind == "rate_limit":
        feeds = _limits_feed(plan, root, topology, feeding)
        return None if feeds is None else (_LIMITS, 0, feeds)
    if on_root is not None and on_root == _EXACT:
        return (3, 0, on_root)
    return None


def _closeness(plan: Plan, root: str, topology: Topology) -> int | None:
    """How the plan's target names ``root``: itself, a call into it, a scenario through it."""
    kind, name = plan.target_kind, plan.target
    if kind in ("service", "bank_channel"):
        return _EXACT if name == root else None
    if kind == "edge":
        _caller, sep, callee = name.partition("->")
        return _EDGE if sep and callee.strip() == root else None
    if kind == "scenario":
        sc = _scenario(topology, name)
        return _SCENARIO if sc is not None and root in sc.services else None
    return None


def _limits_feed(plan: Plan, root: str, topology: Topology, feeding: set[str]) -> int | None:
    """For a rate limit: does it hold back traffic that reaches ``root``? (closeness, or None)"""
    kind, name = plan.target_kind, plan.target
    if kind in ("service", "bank_channel"):
        return _EXACT if name in feeding or name == root else None
    if kind == "scenario":
        sc = _scenario(topology, name)
        return _SCENARIO if sc is not None and root in sc.services and sc.entry in feeding else None
    if kind == "edge":
        caller, sep, callee = (part.strip() for part in name.partition("->"))
        if not sep:
            return None
        if callee == root:
            return _EDGE
        if caller in feeding and callee in topology and root in topology.downstream(callee):
            return _EDGE
    return None


def _feeding_entries(root: str, topology: Topology) -> set[str]:
    """The entries whose traffic reaches ``root`` (the root itself when it is an entry)."""
    if root not in topology:
        return set()
    return {e for e in topology.entries() if e == root or root in topology.downstream(e)}


def _scenario(topology: Topology, scenario_id: str):
    return next((sc for sc in topology.scenarios if sc.id == scenario_id), None)
