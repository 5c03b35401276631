"""Groups of services drawn as one node, so that a big platform stays legible on a wall.

A feed may give each service a ``group`` (a team, a business domain, a Kubernetes
namespace). A map of more than ``GROUP_ABOVE`` services draws each group whose members it
does not show as one node; its edges are the calls between groups, summed. ``collapse``
makes that drawn graph from the feed's: a ``Topology`` like any other (so the stable
layout and the edge routes work on it unchanged), plus which services and calls each drawn
node and edge stands for. Services without a group stay themselves, and so do the members
of groups the user expanded.

Real feeds rarely send groups. When a big topology's services have none, ``derive_groups``
makes them up: by the names' common prefix, else by kind, else by the call graph's
communities, each group of a sane size, the same groups for the same graph, and
(``GroupMemory``) the same groups after a service comes or goes.

``wrap_columns`` then folds a layout's tall columns into several side by side: twelve
domain groups calling each other form one cycle, hence one column of twelve boxes, a
narrow strip on a wide wall; folded, they fill the wall at twice the type size.

Pure Python, no Qt: the report and the bench use it too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
from warroom.core.graph.topology import Topology

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
    kinds: Mapping[str, ServiceKind] = field(default_factory=dict)  # drawn group of one kind (derived) -> it

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
    """True when ``topology`` is big enough to draw its groups collapsed, and has groups (the
    feed's, or derived ones)."""
    return len(topology) > threshold and (any(s.group for s in topology.services)
                                          or bool(derive_groups(topology, threshold)))


def collapse(topology: Topology, expanded: Iterable[str] = (), threshold: int = GROUP_ABOVE,
             force: bool = False, derived: Derived | None = None) -> Grouped:
    """The graph with every group not in ``expanded`` drawn as one node (see the module
    docstring). A topology of ``threshold`` services or fewer is returned as it is, unless
    ``force``; so is one without groups. A group of one service stays that service.

    Services without a group take the one ``derived`` gives them (by default
    ``derive_groups(topology, threshold)``; ``NO_GROUPS`` for none)."""
    if not (force or len(topology) > threshold):
        return _identity(topology)
    if derived is None:
        derived = derive_groups(topology, threshold)
    services = topology.services
    group = {s.name: s.group or derived.of.get(s.name, "") for s in services}
    if not any(group.values()):
        return _identity(topology)
    open_groups = set(expanded)
    sizes: dict[str, int] = {}
    for g in group.values():
        if g:
            sizes[g] = sizes.get(g, 0) + 1
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
    node_of = {s.name: node_name.get(group[s.name], s.name) for s in services}
    members: dict[str, list[str]] = {}
    drawn: list[Service] = []
    for s in services:
        n = node_of[s.name]
        if n not in members:
            members[n] = []
            g = group[s.name]
            drawn.append(s if n == s.name else Service(n, ServiceKind.SERVICE, g, group=g))
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
    kinds = {n: derived.kinds[g] for g, n in node_name.items() if g in derived.kinds}
    return Grouped(out, {n: tuple(m) for n, m in members.items()},
                   {k: tuple(v) for k, v in edge_members.items()},
                   {n: g for g, n in node_name.items()}, node_of, kinds)


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


# -- groups the feed does not give -----------------------------------------------------------
#: A derived group holds between this many services and ``MAX_GROUP``: a box of two says little,
#: one of three hundred hides a platform of its own.
MIN_GROUP, MAX_GROUP = 5, 120
#: At most this many services stay boxes of their own beside the derived groups; more are
#: grouped by kind, then by who calls whom.
LONE_MAX = 12
#: A derived map of more boxes than this has its smallest groups merged into their neighbours.
MAX_DRAWN = 48
#: Services renamed or come and gone up to this share of the graph keep their derived groups
#: (``GroupMemory``); a bigger change derives them afresh.
STICKY_CHANGE = 0.1
_SEED = 13  # the community detection's: the same graph, the same groups
_WORD = re.compile(r"[-_.]+")
_DIGITS = re.compile(r"\d+$")


@dataclass(frozen=True)
class Derived:
    """Groups made up for services the feed gave none (``derive_groups``)."""

    of: Mapping[str, str]  # service -> its derived group (services left alone are absent)
    how: Mapping[str, str]  # group -> "prefix", "kind" or "community"
    kinds: Mapping[str, ServiceKind] = field(default_factory=dict)  # group of one kind -> that kind
    seen: frozenset[str] = frozenset()  # the services it was derived for (grouped or left alone)

    def __bool__(self) -> bool:
        return bool(self.of)


NO_GROUPS = Derived({}, {})  # no groups derived


def derive_groups(topology: Topology, threshold: int = GROUP_ABOVE, previous: Derived | None = None) -> Derived:
    """Groups for the services of ``topology`` that have no ``group``, when there are more than
    ``threshold`` of them (else none): a real platform rarely sends groups, and a thousand
    boxes are too small to read.

    In order, for the services the step before left alone: the names' common prefix
    ("pay-gateway", "pay_ledger", "pay.risk" -> "pay"; a prefix all of them share is skipped,
    so "acme-pay-…" gives "acme-pay"), then the kind (databases, caches, …), then the
    communities of the call graph (Louvain, fixed seed). Every group holds ``MIN_GROUP`` to
    ``MAX_GROUP`` services; at most ``LONE_MAX`` services stay boxes of their own (plus those
    with no call to group them by); a map of more than ``MAX_DRAWN`` boxes has its smallest
    groups merged into the neighbour they call most. A derivation that ends with fewer than
    two groups is no help and gives none.

    Deterministic: the same topology, the same groups. Prefix and kind groups do not move
    when services come and go; communities might, so ``previous`` (the groups derived for the
    topology before) keeps every service that stays in its group, and puts a newcomer in its
    prefix's group or its neighbours' (see ``GroupMemory``).
    """
    pool = sorted(s.name for s in topology.services if not s.group)
    if len(pool) <= threshold:
        return NO_GROUPS
    if previous:
        kept = _sticky(topology, pool, previous)
        if kept is not None:
            return kept
    return _derive(topology, pool)


def _derive(topology: Topology, pool: list[str]) -> Derived:
    groups: dict[str, list[str]] = {}
    how: dict[str, str] = {}
    kinds: dict[str, ServiceKind] = {}

    def add(name: str, members: list[str], method: str, kind: ServiceKind | None = None) -> None:
        base, i = name, 1
        while name in groups or name in taken_by_feed:
            i += 1
            name = f"{base} {i}"
        groups[name] = sorted(members)
        how[name] = method
        if kind is not None:
            kinds[name] = kind

    taken_by_feed = {s.group for s in topology.services if s.group}
    graph = topology.graph
    left: list[str] = []
    for name, members in _by_prefix(pool, {n: _words(n) for n in pool}, 0, ()):
        if len(members) < MIN_GROUP:
            left.extend(members)
        elif len(members) <= MAX_GROUP:
            add(name, members, "prefix")
        else:  # one prefix, no finer one: its communities, named after it
            for part in _communities(members, graph):
                if len(part) >= MIN_GROUP:
                    add(f"{name} {_head(part, graph)}", part, "prefix")
                else:
                    left.extend(part)
    if len(left) > LONE_MAX:
        by_kind: dict[ServiceKind, list[str]] = {}
        for n in left:
            by_kind.setdefault(topology.service(n).kind, []).append(n)
        left = []
        for kind in ServiceKind:  # the enum's order: channels first, databases after services
            members = by_kind.get(kind, [])
            if len(members) < MIN_GROUP:
                left.extend(members)
            elif len(members) <= MAX_GROUP:
                add(kind.value, members, "kind", kind)
            else:
                for part in _communities(members, graph):
                    if len(part) >= MIN_GROUP:
                        add(_head(part, graph) + " …", part, "community")  # named by its head, not "Services"
                    else:
                        left.extend(part)
    _merge_small(groups, how, kinds, sorted(left), graph)
    if len(groups) < 2:
        return NO_GROUPS
    of = {m: g for g, ms in groups.items() for m in ms}
    return Derived(of, how, kinds, frozenset(pool))


def _words(name: str) -> list[str]:
    """The words of a service's name, a number at the end dropped ("node12" -> "node")."""
    out = []
    for w in _WORD.split(name.casefold()):
        if w:
            out.append(_DIGITS.sub("", w) or w)
    return out


def _by_prefix(names: list[str], words: Mapping[str, list[str]], depth: int,
               prefix: tuple[str, ...]) -> Iterable[tuple[str, list[str]]]:
    """``(group name, members)`` by the word at ``depth``; a bucket too big for a group is cut
    by the next word, unless that leaves most of it in pieces too small to draw."""
    buckets: dict[str, list[str]] = {}
    for n in names:
        w = words[n]
        key = w[depth] if depth < len(w) else ""  # "" : the name ends here (the "pay" service itself)
        buckets.setdefault(key, []).append(n)
    if len(buckets) == 1 and "" not in buckets and depth < 4:  # a prefix they all share says nothing
        (key,) = buckets
        yield from _by_prefix(names, words, depth + 1, (*prefix, key))
        return
    for key in sorted(buckets):
        members = buckets[key]
        name = "-".join((*prefix, key)) if key else "-".join(prefix) or members[0]
        if len(members) > MAX_GROUP and key and depth < 4:
            finer = list(_by_prefix(members, words, depth + 1, (*prefix, key)))
            grouped = sum(len(m) for _, m in finer if MIN_GROUP <= len(m) <= MAX_GROUP)
            if grouped * 2 >= len(members):
                yield from finer
                continue
        yield name, members


def _undirected(names: Iterable[str], graph: nx.DiGraph) -> nx.Graph:
    """The calls among ``names`` as an undirected graph built in sorted order (Louvain's result
    depends on the order it meets nodes in: sorted, it depends only on the graph)."""
    keep = sorted(names)
    inside = set(keep)
    g = nx.Graph()
    g.add_nodes_from(keep)
    for a in keep:
        for b in sorted(graph.successors(a)):
            if b in inside and a != b:
                g.add_edge(a, b, weight=g.get_edge_data(a, b, {"weight": 0})["weight"] + 1)
    return g


def _communities(names: list[str], graph: nx.DiGraph) -> list[list[str]]:
    """``names`` cut into parts of at most ``MAX_GROUP`` by the calls among them; a part too
    small is merged into the part it calls most, if there is room; services with no call among
    them are cut in alphabetical runs."""
    g = _undirected(names, graph)
    lone = sorted(n for n in g if g.degree(n) == 0)
    g.remove_nodes_from(lone)
    parts: list[list[str]] = []
    if g.number_of_nodes():
        found = sorted((sorted(c) for c in nx.community.louvain_communities(g, seed=_SEED)), key=lambda c: (-len(c), c[0]))
        for part in found:
            if len(part) <= MAX_GROUP:
                parts.append(part)
            elif len(found) > 1:
                parts.extend(_communities(part, graph))
            else:  # Louvain will not cut it: alphabetical runs
                parts.extend(_runs(part))
        parts = _merge_parts(parts, g)
    return parts + _runs(lone)


def _runs(names: list[str]) -> list[list[str]]:
    """``names`` in alphabetical runs of equal size, none above ``MAX_GROUP``."""
    if not names:
        return []
    count = math.ceil(len(names) / MAX_GROUP)
    size = math.ceil(len(names) / count)
    return [names[i:i + size] for i in range(0, len(names), size)]


def _merge_parts(parts: list[list[str]], g: nx.Graph) -> list[list[str]]:
    """Parts smaller than ``MIN_GROUP`` merged into the part they share most calls with."""
    where = {n: i for i, p in enumerate(parts) for n in p}
    for i in sorted(range(len(parts)), key=lambda i: (len(parts[i]), parts[i][0] if parts[i] else "")):
        part = parts[i]
        if not part or len(part) >= MIN_GROUP:
            continue
        links: dict[int, int] = {}
        for n in part:
            for m in g[n]:
                j = where[m]
                if j != i:
                    links[j] = links.get(j, 0) + 1
        best = sorted((j for j in links if len(parts[j]) + len(part) <= MAX_GROUP), key=lambda j: (-links[j], j))
        if best:
            j = best[0]
            parts[j] = sorted(parts[j] + part)
            for n in part:
                where[n] = j
            parts[i] = []
    return [p for p in parts if p]


def _head(members: list[str], graph: nx.DiGraph) -> str:
    """The member most called from the others, to name a group by (ties: the first name)."""
    inside = set(members)
    return min(members, key=lambda n: (-sum(1 for c in graph.predecessors(n) if c in inside), n))


def _merge_small(groups: dict[str, list[str]], how: dict[str, str], kinds: dict[str, ServiceKind],
                 left: list[str], graph: nx.DiGraph) -> None:
    """While the map would draw more than ``MAX_DRAWN`` boxes, the smallest group goes into the
    group it shares most calls with (if the two fit in ``MAX_GROUP``)."""
    while len(groups) + len(left) > MAX_DRAWN and len(groups) > 2:
        of = {m: g for g, ms in groups.items() for m in ms}
        moved = False
        for small in sorted(groups, key=lambda g: (len(groups[g]), g)):
            links: dict[str, int] = {}
            for n in groups[small]:
                for m in (*graph.successors(n), *graph.predecessors(n)):
                    other = of.get(m)
                    if other is not None and other != small:
                        links[other] = links.get(other, 0) + 1
            fits = [g for g in links if len(groups[g]) + len(groups[small]) <= MAX_GROUP]
            if not fits:
                continue
            into = min(fits, key=lambda g: (-links[g], g))
            groups[into] = sorted(groups[into] + groups.pop(small))
            del how[small]
            if kinds.get(into) != kinds.pop(small, None):
                kinds.pop(into, None)  # of two kinds now
            moved = True
            break
        if not moved:
            return


def _sticky(topology: Topology, pool: list[str], previous: Derived) -> Derived | None:
    """``previous`` carried over to ``topology`` if little changed (see ``derive_groups``);
    None when it changed too much, or a group would leave its size bounds."""
    now = set(pool)
    new = [n for n in pool if n not in previous.seen]  # a service left alone before stays alone
    gone = [n for n in previous.seen if n not in now]
    if len(new) + len(gone) > STICKY_CHANGE * len(pool):
        return None
    of = {n: g for n, g in previous.of.items() if n in now}
    fresh = None
    for n in new:
        neighbours = [of[m] for m in (*topology.graph.successors(n), *topology.graph.predecessors(n)) if m in of]
        words = _words(n)
        by_name = [g for g in previous.how if previous.how[g] == "prefix" and words
                   and "-".join(words[:len(g.split("-"))]) == g]
        if by_name:  # the longest prefix: "pay-gateway" before "pay"
            of[n] = max(by_name, key=lambda g: (len(g), g))
        elif previous.kinds and any(k == topology.service(n).kind and previous.how[g] == "kind"
                                    for g, k in previous.kinds.items()):
            of[n] = next(g for g, k in previous.kinds.items() if k == topology.service(n).kind and previous.how[g] == "kind")
        elif neighbours:
            of[n] = max(sorted(set(neighbours)), key=neighbours.count)
        else:
            fresh = fresh if fresh is not None else _derive(topology, pool)
            if n in fresh.of and fresh.of[n] in previous.how:
                of[n] = fresh.of[n]
    sizes: dict[str, int] = {}
    for g in of.values():
        sizes[g] = sizes.get(g, 0) + 1
    if any(s > MAX_GROUP for s in sizes.values()) or len(sizes) < 2:
        return None
    how = {g: previous.how[g] for g in sizes}
    return Derived(of, how, {g: k for g, k in previous.kinds.items() if g in sizes}, frozenset(pool))


class GroupMemory:
    """The groups derived for the topology drawn last, so that the next one's stay put (the
    groups' counterpart of ``StableLayout``). Used by one thread at a time."""

    def __init__(self, threshold: int = GROUP_ABOVE, derive: bool = True) -> None:
        self.threshold = threshold
        self.derive = derive  # False: only the feed's groups
        self.derived = NO_GROUPS

    def collapse(self, topology: Topology, expanded: Iterable[str] = ()) -> Grouped:
        """``collapse`` with the groups the feed gives, or else derived ones, remembered."""
        if self.derive:
            self.derived = derive_groups(topology, self.threshold, self.derived)
        return collapse(topology, expanded, self.threshold, derived=self.derived)


__all__ = ["GROUP_ABOVE", "GROUP_PREFIX", "MAX_GROUP", "MIN_GROUP", "NO_GROUPS", "Derived", "GroupMemory", "Grouped",
           "collapse", "derive_groups", "group_names", "should_collapse", "wrap_columns"]
