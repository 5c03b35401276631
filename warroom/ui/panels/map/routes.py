"""Where the call-chain map's edges run: out of a caller's right side, into the callee's
left, through the gaps of the columns they skip, each on its own port of a node's side.

The geometry is ``warroom.core.graph.edge_routes`` (shared with the report's SVG map); this module
gives it the live map's sizes and turns the points into Qt's. ``route_edges`` is what the
map panel calls when its topology changes.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF

from warroom.core.graph.edge_routes import RouteGeometry, edge_routes
from warroom.core.graph.topology import Topology
from warroom.ui.panels.map.items import COL_STEP, NODE_H, NODE_W, ROW_STEP

PORT_GAP = 16.0  # between the ends of edges that share a side of a node

GEOMETRY = RouteGeometry(col_step=COL_STEP, row_step=ROW_STEP, node_w=NODE_W, node_h=NODE_H,
                         via_margin=12.0, clearance=NODE_H / 2 + 6, port_gap=PORT_GAP, port_margin=24.0)


def route_edges(topology: Topology, positions: dict[str, tuple[float, float]]) -> dict[tuple, list[QPointF]]:
    """Scene points for every edge: out of the caller's right side, into the callee's left.

    An edge that skips columns passes each one through the gap between two boxes (or a
    free row) nearest its straight line, so it never runs under a node it does not call.
    Edges sharing a side of a node get their own ports, ordered by where they go, so
    they fan out instead of piling onto one point.
    """
    routes = edge_routes((e.key for e in topology.edges), positions, GEOMETRY)
    return {key: [QPointF(x, y) for x, y in points] for key, points in routes.items()}
