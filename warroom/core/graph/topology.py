"""The service call graph on networkx: who calls whom, which scenarios pass where.

Upstream means *callers* (towards the user), downstream means *callees* (towards the
databases and banks). A fault deep downstream shows up as symptoms upstream.

A feed sends its whole graph again whenever it changes (and often when it does not), so a
console holds a new ``Topology`` every few seconds and asks the same questions of each: is it
the same graph (``same_content``), what changed (``diff``), the call depths, who is upstream
of a bank. The answers that cost a pass over the graph are computed once per topology and
kept with it (until the topology is changed through its methods): one strongly-connected
pass gives the depths and both reachability closures of a 1,000-service, 3,000-call graph in
about 15 ms, where a breadth-first walk per service (the alert engine asks for every one)
took 80 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar

import networkx as nx

from warroom.core.model import CallEdge, Scenario, Service


_T = TypeVar("_T")


@dataclass(frozen=True)
class TopologyChange:
    """What changed between two topologies (for the event log and the map).

    ``changed_*`` are the services, edges and scenarios present in both whose record differs
    (a new title, kind or capacity; a new call weight; another path).
    """

    added_services: frozenset[str]
    removed_services: frozenset[str]
    added_edges: frozenset[tuple[str, str]]
    removed_edges: frozenset[tuple[str, str]]
    changed_services: frozenset[str] = frozenset()
    changed_edges: frozenset[tuple[str, str]] = frozenset()
    added_scenarios: frozenset[str] = frozenset()
    removed_scenarios: frozenset[str] = frozenset()
    changed_scenarios: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.structural or self.changed_services or self.changed_edges or self.added_scenarios
                    or self.removed_scenarios or self.changed_scenarios)

    @property
    def structural(self) -> bool:
        """True when services or edges came or went (the map must be laid out again)."""
        return bool(self.added_services or self.removed_services or self.added_edges or self.removed_edges)


class Topology:
    """Services, call edges and scenarios, with graph queries.

    Edges whose ends are unknown services are refused, so the graph never holds a node
    without its ``Service`` record.
    """

    def __init__(
        self,
        services: Iterable[Service] = (),
        edges: Iterable[CallEdge] = (),
        scenarios: Iterable[Scenario] = (),
        kpi_tree: Any = None,
    ) -> None:
        self._graph = nx.DiGraph()
        self._scenarios: dict[str, Scenario] = {}
        #: The north-star KPI tree the platform declared (``warroom.core.northstar.tree.KpiTree``,
        #: protocol 1.6), or None. Carried with the graph so the feed, the store and a replay
        #: keep it without a path of their own; typed loosely to keep graph free of northstar.
        self.kpi_tree = kpi_tree
        #: What the platform declares about its series: unit, description, owner
        #: (``warroom.core.catalogue.SeriesInfo`` records, protocol 1.6 ``series``); empty when
        #: it declares nothing. Carried like ``kpi_tree``, typed loosely for the same reason.
        self.series_info: tuple[Any, ...] = ()
        self._version = 0  # bumped by every change made through this class
        self._cache: dict[str, tuple[int, Any]] = {}  # name -> (version, value), see _cached
        for s in services:
            self.add_service(s)
        for e in edges:
            self.add_edge(e)
        for sc in scenarios:
            self.add_scenario(sc)

    # -- building -----------------------------------------------------------------
    def add_service(self, service: Service) -> None:
        """Add or replace a service."""
        self._graph.add_node(service.name, service=service)
        self._version += 1

    def remove_service(self, name: str) -> None:
        """Remove a service and its edges; scenarios that used it are kept but report it missing."""
        self._graph.remove_node(name)
        self._version += 1

    def add_edge(self, edge: CallEdge) -> None:
        """Add or replace a call edge between two known services."""
        for end in edge.key:
            if end not in self._graph:
                raise KeyError(f"edge {edge.caller}->{edge.callee}: unknown service {end!r}")
        self._graph.add_edge(edge.caller, edge.callee, edge=edge)
        self._version += 1

    def add_scenario(self, scenario: Scenario) -> None:
        """Add or replace a scenario; its edges must exist in the graph."""
        missing = [e for e in scenario.edges if not self._graph.has_edge(*e)]
        if missing or scenario.entry not in self._graph:
            raise KeyError(f"scenario {scenario.id!r} uses unknown edges {missing} or entry")
        self._scenarios[scenario.id] = scenario
        self._version += 1

    def _cached(self, name: str, compute: Callable[[], _T]) -> _T:
        """``compute()``, kept until the topology changes. Safe to call from a worker thread
        while the owner reads: a value is stored whole, with the version it was computed for."""
        version = self._version
        hit = self._cache.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = compute()
        self._cache[name] = (version, value)
        return value

    # -- reading ------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Bumped by every change made through this class (a drawing compares it to know
        whether the object it drew was changed in place)."""
        return self._version

    @property
    def graph(self) -> nx.DiGraph:
        """The underlying graph (read it; change it through this class)."""
        return self._graph

    @property
    def services(self) -> list[Service]:
        """All services in insertion order."""
        return [d["service"] for _, d in self._graph.nodes(data=True)]

    @property
    def edges(self) -> list[CallEdge]:
        """All call edges."""
        return [d["edge"] for _, _, d in self._graph.edges(data=True)]

    @property
    def scenarios(self) -> list[Scenario]:
        """All scenarios in insertion order."""
        return list(self._scenarios.values())

    def service(self, name: str) -> Service:
        """The service called ``name`` (KeyError if unknown)."""
        return self._graph.nodes[name]["service"]

    def edge(self, caller: str, callee: str) -> CallEdge:
        """The edge caller→callee (KeyError if unknown)."""
        try:
            return self._graph.edges[caller, callee]["edge"]
        except KeyError:
            raise KeyError(f"{caller}->{callee}") from None

    def scenario(self, scenario_id: str) -> Scenario:
        """The scenario with this id (KeyError if unknown)."""
        return self._scenarios[scenario_id]

    def __contains__(self, name: object) -> bool:
        return name in self._graph

    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def callers(self, name: str) -> list[str]:
        """Direct callers of a service."""
        return list(self._graph.predecessors(name))

    def callees(self, name: str) -> list[str]:
        """Direct callees of a service."""
        return list(self._graph.successors(name))

    def upstream(self, name: str) -> set[str]:
        """Every service that calls ``name`` directly or indirectly (its blast radius)."""
        return self._reach(name, upstream=True)

    def downstream(self, name: str) -> set[str]:
        """Every service ``name`` depends on directly or indirectly."""
        return self._reach(name, upstream=False)

    def _reach(self, name: str, upstream: bool) -> set[str]:
        if name not in self._graph:
            raise nx.NetworkXError(f"The node {name} is not in the digraph.")
        parts = self._components()
        closure = self._cached("upstream" if upstream else "downstream", lambda: _closure(parts, upstream))
        out = set(closure[parts.comp[name]])
        out.discard(name)  # reachable through a cycle or not, a service is not its own caller
        return out

    def entries(self) -> list[str]:
        """Where traffic enters the platform: services marked ``entry``, scenario entries, and
        services nobody calls that call someone (a lone node is not an entry). Read from the
        graph, never from names, so it holds on any platform."""
        marked = {n for n, d in self._graph.nodes(data=True) if d["service"].entry}
        marked |= {sc.entry for sc in self._scenarios.values() if sc.entry in self._graph}
        g = self._graph
        marked |= {n for n in g.nodes if g.in_degree(n) == 0 and g.out_degree(n) > 0}
        return sorted(marked)

    def scenarios_through(self, name: str) -> list[Scenario]:
        """Scenarios whose path includes the service ``name``."""
        return [sc for sc in self._scenarios.values() if name in sc.services]

    def scenarios_through_edge(self, caller: str, callee: str) -> list[Scenario]:
        """Scenarios whose path uses the edge caller→callee."""
        return [sc for sc in self._scenarios.values() if (caller, callee) in sc.edges]

    def depths(self) -> dict[str, int]:
        """Call depth of every service: 0 for entry points, else one more than its deepest caller.

        Cycles (a service calling back upstream) are collapsed so their members share a depth.
        """
        return dict(self._cached("depths", self._compute_depths))

    def _compute_depths(self) -> dict[str, int]:
        parts = self._components()
        depth = [0] * len(parts.members)
        for c in range(len(parts.members)):  # topological order: every caller's depth is final
            for succ in parts.succ_comps[c]:
                depth[succ] = max(depth[succ], depth[c] + 1)
        comp = parts.comp
        return {n: depth[comp[n]] for n in self._graph.nodes}

    def warm(self) -> None:
        """Compute now what ``depths``, ``upstream``, ``downstream``, ``same_content`` and
        ``diff`` keep (tens of ms for 1,000 services). Call it from a worker thread so that the
        UI thread finds the answers ready; it changes nothing."""
        parts = self._components()
        self.depths()
        self._cached("downstream", lambda: _closure(parts, upstream=False))
        self._cached("upstream", lambda: _closure(parts, upstream=True))
        self._content()

    def _components(self) -> "_Components":
        return self._cached("components", lambda: _components(self._graph))

    def _content(self) -> tuple[dict, dict, dict]:
        """``({name: Service}, {(caller, callee): CallEdge}, {id: Scenario})``, kept."""
        return self._cached("content", lambda: (
            {n: d["service"] for n, d in self._graph.nodes(data=True)},
            {(a, b): d["edge"] for a, b, d in self._graph.edges(data=True)},
            dict(self._scenarios),
        ))

    def content(self) -> tuple[dict, dict, dict]:
        """The graph's records, ``({name: Service}, {(caller, callee): CallEdge}, {id: Scenario})``.

        Kept until the graph changes, when a new tuple is built: a caller may hold on to one
        to compare with a later graph (``==``), but must not change it."""
        return self._content()

    def same_content(self, other: "Topology") -> bool:
        """True when ``other`` has the same services, edges and scenarios (records equal, in
        any order) and the same KPI tree: the graph a feed sent again. A few ms for 1,000 services."""
        if other is self:
            return True
        if getattr(other, "kpi_tree", None) != self.kpi_tree:  # the tree is part of what was sent
            return False
        if tuple(getattr(other, "series_info", ())) != tuple(self.series_info):  # sent with the graph too
            return False
        if (len(self) != len(other) or len(self._scenarios) != len(other._scenarios)
                or self._graph.number_of_edges() != other._graph.number_of_edges()):
            return False
        return self._content() == other._content()

    def diff(self, other: "Topology") -> TopologyChange:
        """What changed going from ``self`` to ``other``."""
        a_s, a_e, a_sc = self._content()
        b_s, b_e, b_sc = other._content()
        return TopologyChange(
            added_services=frozenset(b_s.keys() - a_s.keys()),
            removed_services=frozenset(a_s.keys() - b_s.keys()),
            added_edges=frozenset(b_e.keys() - a_e.keys()),
            removed_edges=frozenset(a_e.keys() - b_e.keys()),
            changed_services=frozenset(n for n in a_s.keys() & b_s.keys() if a_s[n] != b_s[n]),
            changed_edges=frozenset(k for k in a_e.keys() & b_e.keys() if a_e[k] != b_e[k]),
            added_scenarios=frozenset(b_sc.keys() - a_sc.keys()),
            removed_scenarios=frozenset(a_sc.keys() - b_sc.keys()),
            changed_scenarios=frozenset(i for i in a_sc.keys() & b_sc.keys() if a_sc[i] != b_sc[i]),
        )


@dataclass(frozen=True)
class _Components:
    """The graph's strongly connected components in topological order (callers first)."""

    comp: dict[str, int]  # service -> its component
    members: list[tuple[str, ...]]
    succ_comps: list[frozenset[int]]  # components called by a component's members (not itself)
    pred_comps: list[frozenset[int]]


def _components(graph: nx.DiGraph) -> _Components:
    """Tarjan's algorithm, without recursion (a call chain may be deeper than Python's stack)."""
    succ = {n: list(nbrs) for n, nbrs in graph.adjacency()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[tuple[str, ...]] = []  # sinks first
    for root in succ:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            node, callees = work[-1]
            for nxt in callees:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(succ[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        members.append(m)
                        if m == node:
                            break
                    found.append(tuple(members))
    found.reverse()  # callers first
    comp = {n: i for i, members in enumerate(found) for n in members}
    succ_comps: list[set[int]] = [set() for _ in found]
    pred_comps: list[set[int]] = [set() for _ in found]
    for n, callees in succ.items():
        a = comp[n]
        for m in callees:
            b = comp[m]
            if a != b:
                succ_comps[a].add(b)
                pred_comps[b].add(a)
    return _Components(comp, found, [frozenset(s) for s in succ_comps], [frozenset(p) for p in pred_comps])


def _closure(parts: _Components, upstream: bool) -> list[frozenset[str]]:
    """For each component: its members and every service reachable from it (downstream) or
    reaching it (upstream). Components share nothing but are built from their neighbours'."""
    n = len(parts.members)
    out: list[frozenset[str]] = [frozenset()] * n
    order = range(n) if upstream else range(n - 1, -1, -1)  # neighbours first
    links = parts.pred_comps if upstream else parts.succ_comps
    for c in order:
        acc = set(parts.members[c])
        for other in links[c]:
            acc |= out[other]
        out[c] = frozenset(acc)
    return out
