"""Where the call-chain map's edges run: out of a caller's right side, into the callee's
left, through the gaps of the columns they skip, each on its own port of a node's side.

Pure geometry on the layout's positions (column, row) in scene units; Qt only for the
points. ``route_edges`` is what the map panel calls when its topology changes.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF

from warroom.core.topology import Topology
from warroom.ui.panels.map_items import COL_STEP, NODE_H, NODE_W, ROW_STEP

PORT_GAP = 16.0  # between the ends of edges that share a side of a node


def route_edges(topology: Topology, positions: dict[str, tuple[float, float]]) -> dict[tuple, list[QPointF]]:
    """Scene points for every edge: out of the caller's right side, into the callee's left.

    An edge that skips columns passes each one through the gap between two boxes (or a
    free row) nearest its straight line, so it never runs under a node it does not call.
    Edges sharing a side of a node get their own ports, ordered by where they go, so
    they fan out instead of piling onto one point.
    """
    occupied: dict[int, set[float]] = {}
    for x, y in positions.values():
        occupied.setdefault(int(x), set()).add(y)
    lanes: dict[tuple, list[QPointF]] = {}
    for e in topology.edges:
        (x1, y1), (x2, y2) = positions[e.caller], positions[e.callee]
        via = []
        for col in range(int(x1) + 1, int(x2)):
            want = y1 + (y2 - y1) * (col - x1) / (x2 - x1)
            lane = _free_lane(occupied.get(col, set()), want) * ROW_STEP
            via += [QPointF(col * COL_STEP - NODE_W / 2 - 12, lane), QPointF(col * COL_STEP + NODE_W / 2 + 12, lane)]
        lanes[e.key] = via
    outs: dict[str, list] = {}
    ins: dict[str, list] = {}
    for (a, b), via in lanes.items():
        first = via[0].y() if via else positions[b][1] * ROW_STEP
        last = via[-1].y() if via else positions[a][1] * ROW_STEP
        outs.setdefault(a, []).append((first, (a, b)))
        ins.setdefault(b, []).append((last, (a, b)))
    out_off, in_off = _ports(outs), _ports(ins)
    routes = {}
    for (a, b), via in lanes.items():
        (x1, y1), (x2, y2) = positions[a], positions[b]
        start = QPointF(x1 * COL_STEP + NODE_W / 2, y1 * ROW_STEP + out_off[(a, b)])
        end = QPointF(x2 * COL_STEP - NODE_W / 2, y2 * ROW_STEP + in_off[(a, b)])
        routes[(a, b)] = [start, *via, end]
    return routes


def _free_lane(rows: set[float], want: float) -> float:
    """The row-unit height nearest ``want`` where a line clears every box in a column."""
    clear = (NODE_H / 2 + 6) / ROW_STEP
    lo, hi = math.floor(min([want, *rows])) - 1, math.ceil(max([want, *rows])) + 1
    candidates = [lo + i / 2 for i in range(int((hi - lo) * 2) + 1)]
    free = [c for c in candidates if all(abs(c - r) >= clear for r in rows)]
    return min(free, key=lambda c: (abs(c - want), c))


def _ports(sides: dict[str, list]) -> dict[tuple, float]:
    """Vertical offsets of edge ends on one side of each node, in the order they head."""
    offsets = {}
    for ends in sides.values():
        ends.sort()
        n = len(ends)
        gap = min(PORT_GAP, (NODE_H - 24) / (n - 1)) if n > 1 else 0.0
        for i, (_, key) in enumerate(ends):
            offsets[key] = (i - (n - 1) / 2) * gap
    return offsets
