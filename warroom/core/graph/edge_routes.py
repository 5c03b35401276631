"""Where the call-chain map's edges run, for the live map and the report's SVG alike.

Out of a caller's right side, into the callee's left; an edge that skips columns passes each
one through the gap between two boxes (or a free row) nearest its straight line, so it never
runs under a node it does not call; edges sharing a side of a node get their own ports,
ordered by where they go, so they fan out instead of piling onto one point.

Pure geometry: layout positions (column, row) in, (x, y) points out, in scene units with a
node's centre at (column * col_step, row * row_step). Each drawing brings its own sizes
(a ``RouteGeometry``) and moves the points to its own origin.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class RouteGeometry:
    """The sizes one drawing of the map uses, in its scene units."""

    col_step: float  # between column centres
    row_step: float  # between row centres
    node_w: float  # a node's box
    node_h: float
    via_margin: float  # a lane through a skipped column starts/ends this far outside its boxes
    clearance: float  # the least distance from a lane to the centre of a box it passes
    port_gap: float  # between the ends of edges that share a side of a node (at most)
    port_margin: float  # of node_h kept free of ports: they spread over node_h - port_margin
    end_inset: float = 0.0  # the end stops this short of the callee's box (room for an arrowhead)


def edge_routes(edges: Iterable[tuple[str, str]], positions: Mapping[str, tuple[float, float]],
                geometry: RouteGeometry) -> dict[tuple[str, str], list[Point]]:
    """Points for every (caller, callee) edge: start on the caller's right side, the lanes
    through skipped columns, end on the callee's left side. Both ends must have a position."""
    g = geometry
    occupied: dict[int, set[float]] = {}
    for x, y in positions.values():
        occupied.setdefault(int(x), set()).add(y)
    # Sorted once: a big map has hundreds of boxes a column and thousands of skipping edges.
    columns = {col: sorted(rows) for col, rows in occupied.items()}
    lanes: dict[tuple[str, str], list[Point]] = {}
    for a, b in edges:
        (x1, y1), (x2, y2) = positions[a], positions[b]
        via: list[Point] = []
        for col in range(int(x1) + 1, int(x2)):
            want = y1 + (y2 - y1) * (col - x1) / (x2 - x1)
            lane = _free_lane(columns.get(col, []), want, g.clearance / g.row_step) * g.row_step
            via += [(col * g.col_step - g.node_w / 2 - g.via_margin, lane),
                    (col * g.col_step + g.node_w / 2 + g.via_margin, lane)]
        lanes[(a, b)] = via
    outs: dict[str, list] = {}
    ins: dict[str, list] = {}
    for (a, b), via in lanes.items():
        first = via[0][1] if via else positions[b][1] * g.row_step
        last = via[-1][1] if via else positions[a][1] * g.row_step
        outs.setdefault(a, []).append((first, (a, b)))
        ins.setdefault(b, []).append((last, (a, b)))
    out_off, in_off = _ports(outs, g), _ports(ins, g)
    routes = {}
    for (a, b), via in lanes.items():
        (x1, y1), (x2, y2) = positions[a], positions[b]
        start = (x1 * g.col_step + g.node_w / 2, y1 * g.row_step + out_off[(a, b)])
        end = (x2 * g.col_step - g.node_w / 2 - g.end_inset, y2 * g.row_step + in_off[(a, b)])
        routes[(a, b)] = [start, *via, end]
    return routes


def _free_lane(rows: list[float], want: float, clear: float) -> float:
    """The row-unit height nearest ``want`` that is at least ``clear`` rows from every box.

    ``rows`` is sorted. Candidates are the half rows from one below the lowest box (or
    ``want``) to one above the highest; the nearest free one wins, the lower on a tie. They
    are tried outwards from ``want``, each checked against its two neighbouring boxes only:
    a column of 250 boxes is a few steps, not 500 candidates times 250 boxes.
    """
    lo = math.floor(min(want, rows[0]) if rows else want) - 1
    hi = math.ceil(max(want, rows[-1]) if rows else want) + 1
    count = int((hi - lo) * 2) + 1  # candidate i is lo + i / 2

    def free(i: int) -> bool:
        c = lo + i / 2
        at = bisect.bisect_left(rows, c)
        return all(abs(c - rows[j]) >= clear for j in (at - 1, at) if 0 <= j < len(rows))

    below = min(count - 1, max(-1, math.floor((want - lo) * 2)))  # the last candidate <= want
    above = below + 1
    while below >= 0 or above < count:
        # The nearer of the two next candidates; on a tie the lower (as min by (distance, c)).
        if above >= count or (below >= 0 and abs(lo + below / 2 - want) <= abs(lo + above / 2 - want)):
            if free(below):
                return lo + below / 2
            below -= 1
        else:
            if free(above):
                return lo + above / 2
            above += 1
    raise ValueError("no free lane")  # as min() of no candidates did: a clearance over a row


def _ports(sides: dict[str, list], g: RouteGeometry) -> dict[tuple[str, str], float]:
    """Vertical offsets of edge ends on one side of each node, in the order they head."""
    offsets = {}
    for ends in sides.values():
        ends.sort()
        n = len(ends)
        gap = min(g.port_gap, (g.node_h - g.port_margin) / (n - 1)) if n > 1 else 0.0
        for i, (_, key) in enumerate(ends):
            offsets[key] = (i - (n - 1) / 2) * gap
    return offsets
