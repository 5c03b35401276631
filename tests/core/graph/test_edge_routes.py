"""Edge routing of the call-chain map (warroom.core.graph.edge_routes), shared by the live map and
the report's SVG: the pictures are the ones the two separate copies drew, edges that skip
columns go through free gaps, and ends sharing a side of a node are spread and ordered."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.graph.edge_routes import RouteGeometry, edge_routes
from warroom.core.graph.layout import StableLayout
from warroom.report import svg
from warroom.report.facts import MapEdge, MapFacts, MapNode
from warroom.sim import Simulator

# The live map's geometry until issue 13: 300 x 92 boxes, 360 x 112 steps.
G = RouteGeometry(col_step=360.0, row_step=112.0, node_w=300.0, node_h=92.0, via_margin=12.0,
                  clearance=52.0, port_gap=16.0, port_margin=24.0)

# What the two copies of the routing (ui/panels/map/routes.py, report/svg.py) drew for the
# shipped simulator topology before they became one: the live map in scene units, the report
# on its page (PAD/TOP offsets, ends 1 px short of the box for the arrowhead).
LIVE_MAP = {
    ("app-gateway", "member"): [(150, 568), (198, 616), (522, 616), (558, 728), (882, 728), (930, 792)],
    ("app-gateway", "trade"): [(150, 552), (198, 504), (522, 504), (570, 464)],
    ("cashier", "trade"): [(150, 448), (198, 392), (522, 392), (570, 432)],
    ("merchant-gateway", "acquiring"): [(150, 344), (210, 448)],
    ("merchant-gateway", "clearing"): [(150, 328), (210, 336)],
    ("acquiring", "trade"): [(510, 448), (570, 448)],
    ("trade", "risk-control"): [(870, 462.571), (930, 560)],
    ("trade", "member"): [(870, 482), (930, 776)],
    ("trade", "coupon"): [(870, 472.286), (930, 672)],
    ("trade", "marketing"): [(870, 414), (930, 112)],
    ("trade", "trade-db"): [(870, 433.429), (930, 224)],
    ("trade", "payment-engine"): [(870, 452.857), (930, 448)],
    ("trade", "accounting"): [(870, 423.714), (918, 168), (1242, 168), (1290, 0)],
    ("trade", "notification"): [(870, 443.143), (930, 336)],
    ("payment-engine", "accounting"): [(1230, 416), (1290, 16)],
    ("payment-engine", "bank-icbc"): [(1230, 432), (1290, 112)],
    ("payment-engine", "bank-ccb"): [(1230, 448), (1290, 224)],
    ("payment-engine", "bank-abc"): [(1230, 464), (1290, 336)],
    ("payment-engine", "bank-boc"): [(1230, 480), (1290, 448)],
    ("risk-control", "risk-cache"): [(1230, 560), (1290, 560)],
    ("member", "member-cache"): [(1230, 792), (1290, 896)],
    ("member", "member-db"): [(1230, 776), (1290, 784)],
    ("coupon", "coupon-cache"): [(1230, 672), (1290, 672)],
    ("accounting", "accounting-db"): [(1590, -8), (1650, 336)],
    ("accounting", "mq"): [(1590, 8), (1650, 440)],
    ("clearing", "clearing-db"): [(510, 344), (570, 336)],
    ("clearing", "accounting"): [(510, 328), (558, 224), (882, 224), (918, 56), (1242, 56), (1290, -16)],
    ("notification", "mq"): [(1230, 336), (1278, 392), (1602, 392), (1650, 456)],
}
REPORT_MAP = {
    ("app-gateway", "member"): [(166, 424.5), (198, 458), (366, 458), (390, 532), (558, 532), (589, 572.5)],
    ("app-gateway", "trade"): [(166, 417.5), (198, 384), (366, 384), (397, 354)],
    ("cashier", "trade"): [(166, 347), (198, 310), (366, 310), (397, 340)],
    ("merchant-gateway", "acquiring"): [(166, 276.5), (205, 347)],
    ("merchant-gateway", "clearing"): [(166, 269.5), (205, 273)],
    ("acquiring", "trade"): [(358, 347), (397, 347)],
    ("trade", "risk-control"): [(550, 355.143), (589, 421)],
    ("trade", "member"): [(550, 366), (589, 565.5)],
    ("trade", "coupon"): [(550, 360.571), (589, 495)],
    ("trade", "marketing"): [(550, 328), (589, 125)],
    ("trade", "trade-db"): [(550, 338.857), (589, 199)],
    ("trade", "payment-engine"): [(550, 349.714), (589, 347)],
    ("trade", "accounting"): [(550, 333.429), (582, 162), (750, 162), (781, 51)],
    ("trade", "notification"): [(550, 344.286), (589, 273)],
    ("payment-engine", "accounting"): [(742, 333), (781, 58)],
    ("payment-engine", "bank-icbc"): [(742, 340), (781, 125)],
    ("payment-engine", "bank-ccb"): [(742, 347), (781, 199)],
    ("payment-engine", "bank-abc"): [(742, 354), (781, 273)],
    ("payment-engine", "bank-boc"): [(742, 361), (781, 347)],
    ("risk-control", "risk-cache"): [(742, 421), (781, 421)],
    ("member", "member-cache"): [(742, 572.5), (781, 643)],
    ("member", "member-db"): [(742, 565.5), (781, 569)],
    ("coupon", "coupon-cache"): [(742, 495), (781, 495)],
    ("accounting", "accounting-db"): [(934, 47.5), (973, 273)],
    ("accounting", "mq"): [(934, 54.5), (973, 343.5)],
    ("clearing", "clearing-db"): [(358, 276.5), (397, 273)],
    ("clearing", "accounting"): [(358, 269.5), (390, 199), (558, 199), (582, 88), (750, 88), (781, 44)],
    ("notification", "mq"): [(742, 273), (774, 310), (942, 310), (973, 350.5)],
}


def shipped() -> tuple[list[tuple[str, str]], dict[str, tuple[float, float]]]:
    topology = Simulator(start_ms=0).topology
    return [e.key for e in topology.edges], StableLayout().update(topology)


def assert_same(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for key, points in want.items():
        assert got[key] == [pytest.approx(p, abs=1e-3) for p in points], key


def test_live_map_routes_of_the_shipped_topology_are_unchanged():
    pytest.importorskip("PySide6")
    from warroom.ui.panels.map import routes as map_routes
    # The routes are the old live map's at the geometry it had then (G); the live map has
    # since grown its boxes for walls, and draws exactly what the shared routing gives at
    # its own geometry.
    edges, positions = shipped()
    assert_same(edge_routes(edges, positions, G), LIVE_MAP)
    topology = Simulator(start_ms=0).topology
    qt = map_routes.route_edges(topology, positions)
    want = edge_routes(edges, positions, map_routes.GEOMETRY)
    assert_same({k: [(p.x(), p.y()) for p in pts] for k, pts in qt.items()}, want)


def test_report_map_routes_of_the_shipped_topology_are_unchanged():
    edges, positions = shipped()
    nodes = {name: MapNode(name, name, "service", x, y, "ok", 1.0, 0.0, None, None, 1.0, 0.8, False)
             for name, (x, y) in positions.items()}
    facts = MapFacts(0, tuple(nodes.values()), tuple(MapEdge(a, b, "ok", 0.0) for a, b in edges))
    assert_same(svg._routes(facts, nodes), REPORT_MAP)
    # ... and an edge to a service the facts do not hold is left out, not an error.
    lost = MapFacts(0, facts.nodes, (*facts.edges, MapEdge("trade", "gone", "crit", 1.0)))
    assert ("trade", "gone") not in svg._routes(lost, nodes)


def test_points_are_in_scene_units_around_node_centres():
    routes = edge_routes([("a", "b")], {"a": (0.0, 1.0), "b": (1.0, 1.0)}, G)
    assert routes == {("a", "b"): [(150.0, 112.0), (210.0, 112.0)]}  # right side of a, left side of b
    inset = RouteGeometry(**{**G.__dict__, "end_inset": 1.0})
    assert edge_routes([("a", "b")], {"a": (0.0, 1.0), "b": (1.0, 1.0)}, inset)[("a", "b")][-1] == (209.0, 112.0)


def boxes_hit(points, positions, g, skip) -> list[str]:
    """Services (other than ``skip``) whose box any straight piece of the route crosses."""
    hit = set()
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for i in range(201):
            x, y = x0 + (x1 - x0) * i / 200, y0 + (y1 - y0) * i / 200
            for name, (c, r) in positions.items():
                if name not in skip and abs(x - c * g.col_step) < g.node_w / 2 and abs(y - r * g.row_step) < g.node_h / 2:
                    hit.add(name)
    return sorted(hit)


def test_an_edge_skipping_columns_goes_through_a_free_gap():
    # The straight line from a to b runs right through m1 (column 1, row 1); m0..m2 fill rows 0-2.
    positions = {"a": (0.0, 0.0), "m0": (1.0, 0.0), "m1": (1.0, 1.0), "m2": (1.0, 2.0), "b": (2.0, 2.0),
                 "n": (2.0, 0.0)}
    pts = edge_routes([("a", "b")], positions, G)[("a", "b")]
    assert len(pts) == 4  # start, into column 1's gap, out of it, end
    (_, ya), (xl, lane), (xr, lane2), _ = pts
    assert lane == lane2 and lane in (0.5 * G.row_step, 1.5 * G.row_step)  # between two boxes
    assert xl < G.col_step - G.node_w / 2 and xr > G.col_step + G.node_w / 2  # clear of the column's boxes
    for r in (0, 1, 2):
        assert abs(lane - r * G.row_step) >= G.clearance
    assert boxes_hit(pts, positions, G, {"a", "b"}) == []


def test_a_skipping_edge_uses_a_free_row_when_the_column_has_one():
    positions = {"a": (0.0, 3.0), "m": (1.0, 0.0), "x": (2.0, 0.0), "b": (3.0, 3.0)}
    pts = edge_routes([("a", "b")], positions, G)[("a", "b")]
    assert [y for _, y in pts] == [3 * G.row_step] * 6  # nothing in the way: straight along row 3


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_no_route_runs_through_a_box_it_does_not_connect(data):
    cols = data.draw(st.integers(2, 5))
    positions = {}
    for c in range(cols):
        for r in data.draw(st.sets(st.integers(0, 6), min_size=1, max_size=5)):
            positions[f"s{c}.{r}"] = (float(c), float(r))
    names = sorted(positions)
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=15))
    edges = list(dict.fromkeys((a, b) for a, b in pairs if positions[a][0] < positions[b][0]))
    for (a, b), pts in edge_routes(edges, positions, G).items():
        assert boxes_hit(pts, positions, G, {a, b}) == [], (a, b)


def test_ends_on_one_side_are_spread_and_ordered_by_where_they_go():
    callees = [f"b{r}" for r in range(5)]
    positions = {"a": (0.0, 2.0), **{b: (1.0, float(r)) for r, b in enumerate(callees)}}
    routes = edge_routes([("a", b) for b in reversed(callees)], positions, G)
    starts = [routes[("a", b)][0] for b in callees]
    assert {x for x, _ in starts} == {G.node_w / 2}
    offsets = [y - 2 * G.row_step for _, y in starts]
    assert offsets == [-32.0, -16.0, 0.0, 16.0, 32.0]  # top callee on the top port, port_gap apart, centred
    # Into one callee from several callers: ordered by the caller's height.
    positions = {"b": (1.0, 2.0), **{f"a{r}": (0.0, float(r)) for r in range(3)}}
    routes = edge_routes([("a2", "b"), ("a0", "b"), ("a1", "b")], positions, G)
    assert [routes[(f"a{r}", "b")][-1][1] - 2 * G.row_step for r in range(3)] == [-16.0, 0.0, 16.0]


def test_many_ends_shrink_their_gap_to_stay_on_the_box():
    callees = [f"b{r}" for r in range(12)]
    positions = {"a": (0.0, 5.0), **{b: (1.0, float(r)) for r, b in enumerate(callees)}}
    routes = edge_routes([("a", b) for b in callees], positions, G)
    ys = [routes[("a", b)][0][1] - 5 * G.row_step for b in callees]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    assert ys[-1] - ys[0] == pytest.approx(G.node_h - G.port_margin)
    assert ys[0] == pytest.approx(-ys[-1])
