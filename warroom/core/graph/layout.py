"""Layered layout of a call graph by call depth, with positions that stay put.

``networkx.spring_layout`` takes seconds on 500 nodes and moves everything on every
change. Call chains are layered graphs, so we place each service in the column of its
call depth and give it a row ("slot") within the column. Once a service has a slot it
keeps it while its depth is unchanged: adding a service fills a free slot near its
neighbours, removing one leaves a hole. Staff who know where "accounting" sits on the
wall screen will find it there tomorrow. ``relayout()`` starts afresh when asked.
"""

from __future__ import annotations

from warroom.core.graph.topology import Topology

_SWEEPS = 4  # barycenter passes for the first layout; more buys little


class StableLayout:
    """Keeps (column, row) slots for services across topology updates.

    Call ``update(topology)`` whenever the topology changes; read ``positions`` for
    ``{service: (x, y)}`` in layout units (one unit between columns and between rows).
    """

    def __init__(self) -> None:
        self._slots: dict[str, tuple[int, int]] = {}

    @property
    def slots(self) -> dict[str, tuple[int, int]]:
        """``{service: (depth, row)}``."""
        return dict(self._slots)

    @property
    def positions(self) -> dict[str, tuple[float, float]]:
        """``{service: (x, y)}``: x is the call depth, y the row."""
        return {n: (float(d), float(r)) for n, (d, r) in self._slots.items()}

    def relayout(self, topology: Topology) -> dict[str, tuple[float, float]]:
        """Forget the remembered slots and lay the graph out afresh (fewest crossings)."""
        self._slots.clear()
        return self.update(topology)

    def update(self, topology: Topology) -> dict[str, tuple[float, float]]:
        """Place new services, drop removed ones, keep everybody else where they were."""
        depths = topology.depths()
        graph = topology.graph
        for gone in [n for n in self._slots if n not in depths]:
            del self._slots[gone]
        if not self._slots:
            self._first_layout(topology, depths)
            return self.positions

        moved = {n for n, (d, _) in self._slots.items() if depths[n] != d}
        previous_row = {n: self._slots.pop(n)[1] for n in moved}
        taken: dict[int, set[int]] = {}
        for d, r in self._slots.values():
            taken.setdefault(d, set()).add(r)
        # Place new and moved services column by column so a newcomer's neighbours
        # to its left are already placed when its preferred row is computed.
        pending = sorted((n for n in depths if n not in self._slots), key=lambda n: (depths[n], str(n)))
        for n in pending:
            d = depths[n]
            near = [self._slots[m][1] for m in (*graph.predecessors(n), *graph.successors(n)) if m in self._slots]
            want = previous_row.get(n, round(sum(near) / len(near)) if near else 0)
            row = _nearest_free(taken.setdefault(d, set()), want)
            taken[d].add(row)
            self._slots[n] = (d, row)
        return self.positions

    def _first_layout(self, topology: Topology, depths: dict[str, int]) -> None:
        graph = topology.graph
        columns: dict[int, list[str]] = {}
        for n in graph.nodes:  # insertion order gives a deterministic start
            columns.setdefault(depths[n], []).append(n)
        order = {n: i for col in columns.values() for i, n in enumerate(col)}
        for sweep in range(_SWEEPS):
            downward = sweep % 2 == 0
            for d in sorted(columns, reverse=not downward):
                col = columns[d]

                def barycenter(n: str, downward: bool = downward) -> float:
                    nbrs = list(graph.predecessors(n) if downward else graph.successors(n))
                    nbrs = [m for m in nbrs if depths[m] != d] or list(graph.predecessors(n)) + list(graph.successors(n))
                    return sum(order[m] for m in nbrs) / len(nbrs) if nbrs else order[n]

                col.sort(key=lambda n: (barycenter(n), order[n]))
                for i, n in enumerate(col):
                    order[n] = i
        tallest = max((len(c) for c in columns.values()), default=0)  # empty topology
        for d, col in columns.items():
            offset = (tallest - len(col)) // 2  # centre short columns against the tallest
            for i, n in enumerate(col):
                self._slots[n] = (d, offset + i)


def _nearest_free(taken: set[int], want: int) -> int:
    """The free row closest to ``want`` (ties go up), never negative."""
    want = max(0, want)
    for step in range(0, len(taken) + 2):
        for row in (want - step, want + step):
            if row >= 0 and row not in taken:
                return row
    raise AssertionError("unreachable: there is always a free row")  # pragma: no cover
