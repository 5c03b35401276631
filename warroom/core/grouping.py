"""Groups of services drawn as one node, so that a big platform stays legible on a wall.

A feed may give each service a ``group`` (a team, a business domain, a Kubernetes
namespace). A map of more than ``GROUP_ABOVE`` services draws each group whose members it
does not show as one node; its edges are the calls between groups, summed. ``collapse``
makes that drawn graph from the feed's: a ``Topology`` like any other (so the stable
layout and the edge routes work on it unchanged), plus which services and calls each drawn
node and edge stands for. Services without a group stay themselves, and so do the members
of groups the user expanded.

``wrap_columns`` then folds a layout's tall columns into several side by side: twelve
domain groups calling each other form one cycle, hence one column of twelve boxes, a
narrow strip on a wide wall; folded, they fill the wall at twice the type size.

Pure Python, no Qt: the report and the bench use it too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
from warroom.core.topology import Topology

#: From this many services on, groups are drawn collapsed.
GROUP_ABOVE = 60
GROUP_PREFIX = "group:"  # a drawn group's node name: the prefix and the group's name

Edge = tuple[str, str]


@dataclass(frozen=True)
class Grouped:
    """The graph to draw and what each of its nodes and edges stands for."""

    topology: Topology
    members: Mapping[str, tuple[str, ...]]  # drawn node -> the services it stands for
    edge_members: Mapping[Edge, tuple[Edge, ...]]  # drawn edge -> the calls it stands for
    groups: Mapping[str, str] = field(default_factory=dict)  # drawn group node -> group name
    node_of: Mapping[str, str] = field(default_factory=dict)  # service -> the node drawing it

    @property
    def collapsed(self) -> bool:
        """True when at least one group is drawn as one node."""
        return bool(self.groups)

    def drawn(self, service: str) -> str | None:
        """The node that draws ``service`` (itself, or its collapsed group); None if unknown."""
        return self.node_of.get(service, service if service in self.members else None)


def group_names(topology: Topology) -> list[str]:
    """The groups the feed gives, sorted."""
    return sorted({s.group for s in topology.services if s.group})


def should_collapse(topology: Topology, threshold: int = GROUP_ABOVE) -> bool:
    """True when ``topology`` is big enough to draw its groups collapsed, and has groups."""
    return len(topology) > threshold and any(s.group for s in topology.services)


def collapse(topology: Topology, expanded: Iterable[str] = (), threshold: int = GROUP_ABOVE,
             force: bool = False) -> Grouped:
    """The graph with every group not in ``expanded`` drawn as one node (see the module
    docstring). A topology of ``threshold`` services or fewer is returned as it is, unless
    ``force``; so is one without groups. A group of one service stays that service."""
    if not (force or len(topology) > threshold) or not any(s.group for s in topology.services):
        return _identity(topology)
    open_groups = set(expanded)
    services = topology.services
    sizes: dict[str, int] = {}
    for s in services:
        if s.group:
            sizes[s.group] = sizes.get(s.group, 0) + 1
    taken = {s.name for s in services}
    node_name: dict[str, str] = {}  # group -> its node's name
    for g in sorted(sizes):
        if g in open_groups or sizes[g] < 2:
            continue
        n = GROUP_PREFIX + g
        while n in taken:  # a service already called "group:pay": never two nodes of one name
            n = GROUP_PREFIX + n
        node_name[g] = n
        taken.add(n)
    if not node_name:
        return _identity(topology)
    node_of = {s.name: node_name.get(s.group, s.name) for s in services}
    members: dict[str, list[str]] = {}
    drawn: list[Service] = []
    for s in services:
        n = node_of[s.name]
        if n not in members:
            members[n] = []
            drawn.append(s if n == s.name else Service(n, ServiceKind.SERVICE, s.group, group=s.group))
        members[n].append(s.name)
    edge_members: dict[Edge, list[Edge]] = {}
    calls: dict[Edge, float] = {}
    for e in topology.edges:
        key = (node_of[e.caller], node_of[e.callee])
        if key[0] == key[1]:
            continue  # a call inside a collapsed group: the group's own health shows it
        edge_members.setdefault(key, []).append(e.key)
        calls[key] = calls.get(key, 0.0) + e.calls
    out = Topology(drawn, (CallEdge(a, b, round(c, 6)) for (a, b), c in calls.items()))
    for sc in topology.scenarios:
        edges = tuple(dict.fromkeys((node_of[a], node_of[b]) for a, b in sc.edges if node_of[a] != node_of[b]))
        out.add_scenario(Scenario(sc.id, sc.title, node_of[sc.entry], edges))
    return Grouped(out, {n: tuple(m) for n, m in members.items()},
                   {k: tuple(v) for k, v in edge_members.items()},
                   {n: g for g, n in node_name.items()}, node_of)


def _identity(topology: Topology) -> Grouped:
    return Grouped(topology, _Self(topology), _SelfEdges(topology))


class _Self(Mapping):
    """``{service: (service,)}`` without building a dict of a thousand tuples."""

    def __init__(self, topology: Topology) -> None:
        self._graph = topology.graph

    def __getitem__(self, key: str) -> tuple[str, ...]:
        if key not in self._graph:
            raise KeyError(key)
        return (key,)

    def __iter__(self):
        return iter(self._graph)

    def __len__(self) -> int:
        return self._graph.number_of_nodes()


class _SelfEdges(Mapping):
    """``{call: (call,)}``, the same way."""

    def __init__(self, topology: Topology) -> None:
        self._graph = topology.graph

    def __getitem__(self, key: Edge) -> tuple[Edge, ...]:
        if not self._graph.has_edge(*key):
            raise KeyError(key)
        return (key,)

    def __iter__(self):
        return iter(self._graph.edges)

    def __len__(self) -> int:
        return self._graph.number_of_edges()


def wrap_columns(positions: Mapping[str, tuple[float, float]], aspect: float,
                 col_step: float, row_step: float) -> dict[str, tuple[float, float]]:
    """``positions`` (column, row) with tall columns folded into several, side by side, until
    the drawing (columns x ``col_step`` by rows x ``row_step``) is about ``aspect`` times as
    wide as it is high, or folding a column further gains nothing.

    Boxes keep their order down a column, read in newspaper columns; a column that is not
    folded keeps its rows (and its holes), so a folded map stays put across updates as long
    as its columns' heights do.
    """
    columns: dict[int, list[tuple[float, str]]] = {}
    for n, (x, y) in positions.items():
        columns.setdefault(int(x), []).append((y, n))
    if not columns:
        return dict(positions)
    order = sorted(columns)
    height = {c: int(max(y for y, _ in columns[c]) - min(y for y, _ in columns[c])) + 1 for c in order}
    count = {c: len(columns[c]) for c in order}
    folds = {c: 1 for c in order}

    def rows(c: int) -> int:
        return height[c] if folds[c] == 1 else math.ceil(count[c] / folds[c])

    def zoom() -> float:
        """The scale that fits the drawing in a view ``aspect`` wide and 1 high."""
        width = sum(folds.values()) * col_step
        return min(aspect / width, 1 / (max(rows(c) for c in order) * row_step))

    while True:
        top = max(rows(c) for c in order)
        if top <= 1:
            break
        before, kept = zoom(), dict(folds)
        for c in order:  # every column as tall as the tallest, or the height does not change
            if rows(c) == top:
                folds[c] += 1
        if zoom() <= before:  # the width it costs outweighs the height it saves
            folds = kept
            break
    if all(f == 1 for f in folds.values()):
        return dict(positions)
    out: dict[str, tuple[float, float]] = {}
    tallest_rows = max(rows(c) for c in order)
    x = 0
    for c in order:
        members = sorted(columns[c])
        if folds[c] == 1:
            top = min(y for y, _ in members)
            shift = (tallest_rows - height[c]) // 2 - top  # centred against the tallest
            for y, n in members:
                out[n] = (float(x), float(y + shift))
        else:
            per = rows(c)
            for i, (_, n) in enumerate(members):
                col, row = divmod(i, per)
                in_col = min(per, len(members) - col * per)
                out[n] = (float(x + col), float(row + (tallest_rows - in_col) // 2))
        x += folds[c]
    return out


__all__ = ["GROUP_ABOVE", "GROUP_PREFIX", "Grouped", "collapse", "group_names", "should_collapse", "wrap_columns"]
