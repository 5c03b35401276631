"""The service call graph on networkx: who calls whom, which scenarios pass where.

Upstream means *callers* (towards the user), downstream means *callees* (towards the
databases and banks). A fault deep downstream shows up as symptoms upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import networkx as nx

from warroom.core.model import CallEdge, Scenario, Service


@dataclass(frozen=True)
class TopologyChange:
    """What changed between two topologies (for the event log and the map)."""

    added_services: frozenset[str]
    removed_services: frozenset[str]
    added_edges: frozenset[tuple[str, str]]
    removed_edges: frozenset[tuple[str, str]]

    @property
    def empty(self) -> bool:
        """True when nothing changed."""
        return not (self.added_services or self.removed_services or self.added_edges or self.removed_edges)


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
    ) -> None:
        self._graph = nx.DiGraph()
        self._scenarios: dict[str, Scenario] = {}
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

    def remove_service(self, name: str) -> None:
        """Remove a service and its edges; scenarios that used it are kept but report it missing."""
        self._graph.remove_node(name)

    def add_edge(self, edge: CallEdge) -> None:
        """Add or replace a call edge between two known services."""
        for end in edge.key:
            if end not in self._graph:
                raise KeyError(f"edge {edge.caller}->{edge.callee}: unknown service {end!r}")
        self._graph.add_edge(edge.caller, edge.callee, edge=edge)

    def add_scenario(self, scenario: Scenario) -> None:
        """Add or replace a scenario; its edges must exist in the graph."""
        missing = [e for e in scenario.edges if not self._graph.has_edge(*e)]
        if missing or scenario.entry not in self._graph:
            raise KeyError(f"scenario {scenario.id!r} uses unknown edges {missing} or entry")
        self._scenarios[scenario.id] = scenario

    # -- reading ------------------------------------------------------------------
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
        return nx.ancestors(self._graph, name)

    def downstream(self, name: str) -> set[str]:
        """Every service ``name`` depends on directly or indirectly."""
        return nx.descendants(self._graph, name)

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
        cond = nx.condensation(self._graph)
        comp_depth: dict[int, int] = {}
        for c in nx.topological_sort(cond):
            preds = list(cond.predecessors(c))
            comp_depth[c] = 1 + max(comp_depth[p] for p in preds) if preds else 0
        mapping = cond.graph["mapping"]
        return {n: comp_depth[mapping[n]] for n in self._graph.nodes}

    def diff(self, other: "Topology") -> TopologyChange:
        """What changed going from ``self`` to ``other``."""
        a_nodes, b_nodes = set(self._graph.nodes), set(other._graph.nodes)
        a_edges, b_edges = set(self._graph.edges), set(other._graph.edges)
        return TopologyChange(
            added_services=frozenset(b_nodes - a_nodes),
            removed_services=frozenset(a_nodes - b_nodes),
            added_edges=frozenset(b_edges - a_edges),
            removed_edges=frozenset(a_edges - b_edges),
        )
