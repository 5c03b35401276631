"""Topology-aware root cause: which unhealthy service explains the others.

Failures travel up a call chain: when a bank gateway times out, the payment engine, trade,
the cashier and the QR-payment scenario all alert too. Load travels down: a surge at an
entry overloads trade and its database. So, over the services with an active alert:

1. A service with a ``load`` alert (a traffic surge) that no other surging service feeds is
   a *surge root*. It explains every unhealthy service it calls (directly or not), and every
   unhealthy service that calls one of those (their errors come from the overload). A load
   alert on a *scenario* (its traffic far above normal) is a surge at the scenario's entry
   service, read from the topology: roots never come from names.
2. Among the rest, the root of a service is the *deepest* unhealthy service it depends on:
   one with no unhealthy dependency of its own (members of a call cycle count as one).
   If several qualify (a caller of two failing branches), the one that went wrong first
   wins, then the deeper, then by name; ``Verdict.roots`` lists all of them.
3. A scenario alert is a symptom: its root is the root of the unhealthy services on its
   path, or none when nothing on the path alerts (a silent drop with no failing service) —
   unless a scheduled job drives the flow (``ServiceKind.JOB`` is its entry): a flow a job
   drives that stops with nothing else failing is the job's doing, named before the job is
   even overdue.
   Only roots that are themselves on the path count when there are any: a caller shared
   with another failing branch must not hand the scenario to that branch's root (two faults
   stay two roots). ``Verdict.roots`` lists every such root, so a scenario whose path crosses
   two faults names both. A funnel step's alert (``scenario/step``, ``warroom.core.funnel``)
   is such a symptom too, with the step's own services as its path.
4. An edge alert belongs to its callee: the caller sees the callee's errors. So a node with
   no series of its own (a third-party API, ``ServiceKind.EXTERNAL``) is a root through its
   callers' edge alerts, and a service that stopped reporting (a ``no data`` alert on the
   service, cause ``failure``) is a root like a failing one: a dead database, not its callers.

Every alert is then *folded under* its root's primary alert (inhibited, not lost): the
service's own alert before its callers' edge alerts. Pure functions; the alert engine calls
``find_roots`` once per evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from warroom.core.funnel.conversion import step_subject
from warroom.core.graph.topology import Topology
from warroom.core.model import ServiceKind

_SEVERITY_RANK = {"P0": 0, "P1": 1, "P2": 2, "P3": 3, "info": 4}
_STATE_RANK = {"firing": 0, "acknowledged": 0, "pending": 1}


@dataclass(frozen=True)
class Symptom:
    """What root-cause analysis needs to know of one active alert."""

    fingerprint: str
    subject: str
    subject_kind: str  # "service" | "edge" | "scenario" | "step" | "other"
    cause: str  # "failure" | "load"
    severity: str
    state: str
    since_ms: int


@dataclass(frozen=True)
class Verdict:
    """An alert's probable root cause (a service, or "" if unknown) and the fingerprint of
    the alert it is folded under ("" when it is the primary alert of its root)."""

    root_cause: str
    folded_under: str
    #: Every root that explains the alert, ``root_cause`` first (several for a scenario that
    #: crosses two failing branches, or a caller of both); empty when the root is unknown.
    roots: tuple[str, ...] = ()


class CallGraph:
    """Reachability of one topology, computed once (``Topology.downstream`` walks the graph)."""

    def __init__(self, topology: Topology) -> None:
        names = [s.name for s in topology.services]
        self.downstream: dict[str, frozenset[str]] = {n: frozenset(topology.downstream(n)) for n in names}
        self.depth: dict[str, int] = topology.depths()
        self.scenario_services: dict[str, tuple[str, ...]] = {sc.id: sc.services for sc in topology.scenarios}
        # A funnel step (``scenario/step``) is judged like a scenario whose path is the step's
        # own services: a drop in its conversion is rooted there, not anywhere on the flow.
        for sc in topology.scenarios:
            for step in sc.steps:
                if step.services:
                    self.scenario_services[step_subject(sc.id, step.id)] = step.services
        self.scenario_entry: dict[str, str] = {sc.id: sc.entry for sc in topology.scenarios if sc.entry in names}
        #: Flows a scheduled job drives (the job is their entry): when such a flow stops and
        #: nothing on its path alerts, the job is the suspect, before it is even overdue.
        self.job_driven: dict[str, str] = {
            sid: entry for sid, entry in self.scenario_entry.items() if topology.service(entry).kind is ServiceKind.JOB}
        self.entries: frozenset[str] = frozenset(topology.entries())
        self.neighbours: dict[str, frozenset[str]] = {
            n: frozenset([n, *topology.callers(n), *topology.callees(n)]) for n in names
        }

    def node_of(self, s: Symptom) -> str | None:
        """The service an alert is about, or None (scenarios, unknown subjects)."""
        if s.subject_kind == "service":
            return s.subject if s.subject in self.downstream else None
        if s.subject_kind == "edge":
            callee = s.subject.partition("->")[2]
            return callee if callee in self.downstream else None
        if s.subject_kind == "scenario" and s.cause == "load":
            return self.scenario_entry.get(s.subject)  # a scenario's surge enters at its entry
        return None


def find_roots(graph: CallGraph, symptoms: Iterable[Symptom]) -> dict[str, Verdict]:
    """A verdict for every symptom, keyed by fingerprint."""
    symptoms = list(symptoms)
    by_node: dict[str, list[Symptom]] = {}
    for s in symptoms:
        node = graph.node_of(s)
        if node is not None:
            by_node.setdefault(node, []).append(s)
    unhealthy = set(by_node)
    onset = {n: min(s.since_ms for s in alerts) for n, alerts in by_node.items()}
    root_of = _surge_roots(graph, by_node, unhealthy)
    rest = unhealthy - set(root_of)
    deepest = {n for n in rest if (graph.downstream[n] & rest) <= _cycle_partners(graph, n)}
    all_roots: dict[str, tuple[str, ...]] = {n: (r,) for n, r in root_of.items()}
    for n in rest:
        candidates = (({n} | graph.downstream[n]) & deepest) or {n}
        root_of[n] = _first(graph, candidates, onset)
        all_roots[n] = (root_of[n], *sorted(candidates - {root_of[n]}))
    primary = {root: _primary(by_node[root]).fingerprint for root in set(root_of.values())}

    verdicts: dict[str, Verdict] = {}
    for s in symptoms:
        node = graph.node_of(s)
        if node is not None:
            root, roots = root_of[node], all_roots[node]
        else:
            path = graph.scenario_services.get(s.subject, ())
            # Roots on the path itself: a caller the scenario shares with another failing
            # branch must not hand it to that branch's root (nor list it). A path that stops
            # short of its root falls back to the roots of its services.
            direct = {r for n in path for r in all_roots.get(n, ()) if r in path}
            pool = direct or {root_of[n] for n in path if n in root_of}
            if not pool and s.subject in graph.job_driven:
                pool = {graph.job_driven[s.subject]}
            root = _first(graph, pool, onset) if pool else ""
            roots = (root, *sorted(pool - {root})) if root else ()
        head = primary.get(root, "")
        verdicts[s.fingerprint] = Verdict(root, "" if head == s.fingerprint else head, roots)
    return verdicts


def _surge_roots(graph: CallGraph, by_node: Mapping[str, list[Symptom]], unhealthy: set[str]) -> dict[str, str]:
    """Services explained by a surge, mapped to the surging service that explains them."""
    surging = {n for n, alerts in by_node.items() if any(a.cause == "load" for a in alerts)}
    # Entries first (read from the topology): where two surges overload the same service, the
    # one entering the platform explains it.
    roots = sorted((n for n in surging if not any(n in graph.downstream[m] for m in surging if m != n)),
                   key=lambda n: (n not in graph.entries, n))
    root_of: dict[str, str] = {e: e for e in roots}  # a surge root explains itself
    for e in roots:
        overloaded = (graph.downstream[e] & unhealthy) | {e}
        for n in unhealthy:
            if n not in root_of and (n in overloaded or graph.downstream[n] & overloaded):
                root_of[n] = e
    return root_of


def _cycle_partners(graph: CallGraph, n: str) -> frozenset[str]:
    """Services in a call cycle with ``n`` (each reaches the other)."""
    return frozenset(m for m in graph.downstream[n] if n in graph.downstream[m])


def _first(graph: CallGraph, candidates: set[str], onset: Mapping[str, int]) -> str:
    """The root to name among several: earliest onset, then deepest, then by name."""
    return min(candidates, key=lambda n: (onset.get(n, 0), -graph.depth.get(n, 0), n))


def _primary(alerts: list[Symptom]) -> Symptom:
    """The alert that stands for its service: a surge first, then firing, most severe, its own
    alert before its callers' edge alerts and the surging scenarios that enter through it (the
    room reads the service's name on it), oldest."""
    return min(alerts, key=lambda a: (
        a.cause != "load", _STATE_RANK.get(a.state, 2), _SEVERITY_RANK.get(a.severity, 5), a.subject_kind != "service",
        a.since_ms, a.fingerprint,
    ))
