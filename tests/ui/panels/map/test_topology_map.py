"""The call-chain map: items from the topology, stable positions, health colours from the
live view, scenario highlight, click-to-detail, zoom and fit, saved state."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsItem  # noqa: E402

from warroom.core.graph.layout import StableLayout  # noqa: E402
from warroom.core.model import CallEdge, SeriesKey, Service, ServiceKind  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.protocol import MetricBatch, TopologySnapshot  # noqa: E402
from warroom.sim.platform import build_platform  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.map.items import COL_STEP, LABEL_PX, MIN_CAPTION_PX, NODE_W, ROW_STEP, EdgeLabelItem  # noqa: E402
from warroom.ui.panels.map.service_detail import ServiceDetailView  # noqa: E402
from warroom.ui.panels.map.panel import TopologyMapPanel, edge_width  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed  # noqa: E402

@pytest.fixture
def feed() -> SimFeed:
    return SimFeed(60)


@pytest.fixture
def panel(qtbot, feed) -> TopologyMapPanel:
    p = TopologyMapPanel(feed.view)
    qtbot.addWidget(p)
    p.resize(1600, 900)
    p.show()
    qtbot.waitExposed(p)
    p.refresh()
    return p


def visible_in_viewport(p: TopologyMapPanel, name: str) -> bool:
    rect = p.view.mapFromScene(p.nodes[name].sceneBoundingRect()).boundingRect()
    return p.view.viewport().rect().contains(rect)


def test_one_node_per_service_and_one_edge_per_call(panel, feed):
    topology = feed.view.topology
    assert len(panel.nodes) == len(topology.services) == 25
    assert len(panel.edges) == len(topology.edges) == 28
    assert set(panel.edges) == {e.key for e in topology.edges}
    assert panel.nodes["bank-icbc"].label == "ICBC gateway"
    assert panel.nodes["bank-icbc"].kind is ServiceKind.BANK
    scene_items = panel.scene.items()
    assert sum(item in scene_items for item in panel.nodes.values()) == 25


def test_nodes_sit_in_stable_layout_columns_by_call_depth(panel, feed):
    expected = StableLayout().update(feed.view.topology)
    for name, node in panel.nodes.items():
        x, y = expected[name]
        assert (node.pos().x(), node.pos().y()) == (x * COL_STEP, y * ROW_STEP), name
    depths = feed.view.topology.depths()
    assert panel.nodes["trade-db"].pos().x() == depths["trade-db"] * COL_STEP
    # Every edge points rightwards, from the caller's column to a deeper one.
    for (a, b), edge in panel.edges.items():
        path = edge.path()
        assert path.pointAtPercent(0).x() < path.pointAtPercent(1).x(), (a, b)


def test_a_service_added_later_moves_nobody(qtbot, panel, feed):
    before = {name: node.pos() for name, node in panel.nodes.items()}
    old = feed.view.topology
    grown = Topology(
        [*old.services, Service("fraud-ml", ServiceKind.SERVICE, "Fraud model")],
        [*old.edges, CallEdge("risk-control", "fraud-ml")],
        old.scenarios,
    )
    feed.view.apply(TopologySnapshot(feed.sim.now_ms + 1, grown))
    panel.refresh()
    assert len(panel.nodes) == 26 and ("risk-control", "fraud-ml") in panel.edges
    assert {name: panel.nodes[name].pos() for name in before} == before
    taken = {(n.pos().x(), n.pos().y()) for name, n in panel.nodes.items() if name != "fraud-ml"}
    assert (panel.nodes["fraud-ml"].pos().x(), panel.nodes["fraud-ml"].pos().y()) not in taken


def test_refresh_recolours_existing_items_and_rebuilds_only_on_a_new_topology(panel, feed):
    node, edge = panel.nodes["trade"], panel.edges[("trade", "trade-db")]
    feed.tick(3)
    panel.refresh()
    assert panel.nodes["trade"] is node and panel.edges[("trade", "trade-db")] is edge
    # The same graph sent again (a reconnection): the items stay, no cache is redrawn.
    feed.view.apply(TopologySnapshot(feed.sim.now_ms, feed.sim.topology))
    panel.refresh()
    assert panel.nodes["trade"] is node and panel.edges[("trade", "trade-db")] is edge
    # A different graph (a service renamed): rebuilt.
    old = feed.view.topology
    renamed = Topology([Service(s.name, s.kind, "Trade core") if s.name == "trade" else s for s in old.services],
                       old.edges, old.scenarios)
    feed.view.apply(TopologySnapshot(feed.sim.now_ms + 1, renamed))
    panel.refresh()
    assert panel.nodes["trade"] is not node and panel.nodes["trade"].label == "Trade core"
    top_level = [i for i in panel.scene.items() if i.parentItem() is None and not isinstance(i, EdgeLabelItem)]
    assert len(top_level) == 25 + 28


def test_healthy_busy_hour_is_green(panel):
    levels = {name: node.level for name, node in panel.nodes.items()}
    assert set(levels.values()) == {"ok"}, {n: lv for n, lv in levels.items() if lv != "ok"}
    assert {e.level for e in panel.edges.values()} == {"ok"}
    trade = panel.nodes["trade"]
    assert "req/s" in trade.caption and "err" in trade.caption
    assert trade.border_color == theme.current().status_color("ok")


def test_bank_outage_turns_the_bank_red_within_a_refresh(panel, feed):
    crit = theme.current().status_color("crit")
    feed.sim.inject_fault("dependency_outage", "bank-icbc")
    feed.tick(2)
    panel.refresh()
    bank = panel.nodes["bank-icbc"]
    assert bank.level == "crit"
    assert bank.border_color == crit
    assert bank.fill_color != panel.nodes["member-cache"].fill_color  # tinted, not just a border
    assert "100%" in bank.caption
    for caller in feed.view.topology.callers("bank-icbc"):
        edge = panel.edges[(caller, "bank-icbc")]
        assert edge.level == "crit" and edge.color == crit
    # The symptoms upstream are red too; the unrelated member cache is not.
    assert panel.nodes["payment-engine"].level == "crit"
    assert panel.nodes["member-cache"].level == "ok"
    assert panel.edges[("member", "member-cache")].level == "ok"
    assert panel.edges[("member", "member-cache")].color.rgb() == theme.current().status_color("ok").rgb()


def test_without_metrics_every_node_says_unknown(qtbot):
    view = LiveView()
    empty = TopologyMapPanel(view)  # no topology yet: nothing to draw, nothing to fail
    qtbot.addWidget(empty)
    assert empty.nodes == {} and empty.edges == {}
    view.apply(TopologySnapshot(BUSY_HOUR_MS, build_platform().topology))
    empty.refresh()
    assert len(empty.nodes) == 25
    assert {n.level for n in empty.nodes.values()} == {"unknown"}
    assert empty.nodes["trade"].caption == "— req/s · — err"
    assert empty.nodes["trade"].border_color == theme.current().status_color("unknown")


def test_edge_width_grows_with_the_log_of_traffic(panel):
    assert edge_width(None) == edge_width(0) == 1.0
    assert edge_width(10) < edge_width(100) < edge_width(1000) < edge_width(20000) <= 9.0
    busy, quiet = panel.edges[("trade", "trade-db")], panel.edges[("merchant-gateway", "clearing")]
    assert busy.width > quiet.width + 2


def test_highlight_qr_pay_marks_exactly_its_path(panel, feed):
    qr = feed.view.topology.scenario("qr_pay")
    panel.highlight_scenario("qr_pay")
    assert {k for k, e in panel.edges.items() if e.highlighted} == set(qr.edges)
    assert {k for k, e in panel.edges.items() if e.dimmed} == set(panel.edges) - set(qr.edges)
    assert {n for n, node in panel.nodes.items() if node.highlighted} == set(qr.services)
    assert panel.nodes["cashier"].dimmed and panel.nodes["cashier"].opacity() < 0.5
    healthy_on_path = panel.edges[("trade", "risk-control")]
    assert healthy_on_path.color == theme.current().color("accent")
    assert panel.scenario_combo.currentData() == "qr_pay"

    panel.highlight_scenario(None)
    assert not any(e.highlighted or e.dimmed for e in panel.edges.values())
    assert not any(n.highlighted or n.dimmed for n in panel.nodes.values())
    panel.highlight_scenario("no-such-flow")
    assert panel.highlighted_scenario is None


def test_choosing_a_scenario_in_the_combo_highlights_it(panel):
    panel.scenario_combo.setCurrentIndex(panel.scenario_combo.findData("settlement"))
    assert panel.highlighted_scenario == "settlement"
    assert {k for k, e in panel.edges.items() if e.highlighted} == {
        ("merchant-gateway", "clearing"), ("clearing", "clearing-db"),
        ("clearing", "accounting"), ("accounting", "accounting-db"),
    }


def test_clicking_a_node_selects_it_and_opens_its_detail(qtbot, panel, feed):
    topology = feed.view.topology
    for name in ("payment-engine", "member"):
        pos = panel.view.mapFromScene(panel.nodes[name].scenePos())
        with qtbot.waitSignal(panel.sig_service_selected, timeout=1000) as blocker:
            qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert blocker.args == [name]
        detail = panel.detail
        assert detail is not None and detail.isVisible() and detail.service == name
        assert set(detail.names("upstream")) == topology.upstream(name)
        assert set(detail.names("downstream")) == topology.downstream(name)
        direct = detail.names("upstream")[: len(topology.callers(name))]
        assert set(direct) == set(topology.callers(name))  # direct callers listed first
        assert panel.nodes[name].selected_service
    first_detail = panel.detail
    assert panel.selected_service == "member" and not panel.nodes["payment-engine"].selected_service
    assert first_detail is panel.detail  # updated, not a second window
    assert panel.detail.title_label.text().startswith("Member")


def test_detail_shows_numbers_and_the_last_fifteen_minutes(qtbot, panel, feed):
    feed.sim.inject_fault("dependency_outage", "bank-icbc")
    feed.tick(3)
    panel.refresh()
    panel.select_service("bank-icbc")
    detail = panel.detail
    assert detail.values["errors"].text() == "100%"
    assert detail.values["level"].text() == "Critical"
    assert len(detail.error_chart.values) == 63  # every second so far (less than 15 minutes)
    assert detail.error_chart.level == "crit" and detail.error_chart.text == "100%"
    assert detail.p99_chart.warn == 2.0  # a bank has the bank thresholds
    feed.tick(1)
    panel.refresh()  # an open detail follows the frames
    assert len(detail.error_chart.values) == 64


def test_detail_chart_shows_fifteen_minutes(qtbot):
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, build_platform().topology))
    err = SeriesKey("service_error_ratio", {"service": "trade"})
    ts = BUSY_HOUR_MS + 1000 * np.arange(1800)
    view.apply(MetricBatch((err,), np.zeros(1800), ts, np.linspace(0, 0.02, 1800)))
    detail = ServiceDetailView(view)
    qtbot.addWidget(detail)
    detail.show_service("trade")
    assert len(detail.error_chart.values) == 901  # the last 15 minutes, both ends included
    assert detail.error_chart.ts[0] == ts[-1] - 15 * 60 * 1000
    assert detail.error_chart.level == "warn" and detail.values["errors"].text() == "2.0%"
    assert detail.values["p99"].text() == "—" and len(detail.p99_chart.values) == 0
    assert detail.values["level"].text() == "Warning"


def test_a_drag_pans_instead_of_selecting(qtbot, panel):
    vp = panel.view.viewport()
    start = panel.view.mapFromScene(panel.nodes["trade"].scenePos())
    with qtbot.assertNotEmitted(panel.sig_service_selected):
        qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(vp, start + QPoint(120, 60))
        qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=start + QPoint(120, 60))
    assert panel.detail is None


def test_fit_makes_every_node_visible(qtbot, panel):
    panel.zoom_by(4.0)
    panel.view.centerOn(panel.nodes["app-gateway"])
    assert not all(visible_in_viewport(panel, n) for n in panel.nodes)
    panel.fit()
    assert all(visible_in_viewport(panel, n) for n in panel.nodes)
    assert panel.auto_fit


def test_wheel_zooms_and_f_fits(qtbot, panel):
    fitted = panel.zoom
    vp = panel.view.viewport()
    centre = QPointF(vp.rect().center())
    wheel = QWheelEvent(centre, panel.view.mapToGlobal(centre), QPoint(), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, wheel)
    assert panel.zoom > fitted * 1.3 and not panel.auto_fit
    qtbot.keyClick(panel.view, Qt.Key.Key_F)
    assert panel.zoom == pytest.approx(fitted)
    panel.fit_button.click()
    assert panel.zoom == pytest.approx(fitted)


def test_state_round_trips(qtbot, panel, feed):
    panel.highlight_scenario("refund")
    panel.zoom_by(2.0)
    state = panel.save_state()
    assert state == {"zoom": pytest.approx(panel.zoom, rel=1e-3), "fit": False, "scenario": "refund"}
    other = TopologyMapPanel(feed.view)
    qtbot.addWidget(other)
    other.restore_state(state)
    assert other.highlighted_scenario == "refund"
    assert other.zoom == pytest.approx(state["zoom"], rel=1e-3)
    other.restore_state({"zoom": "huge", "scenario": 7})  # bad entries are ignored
    assert other.highlighted_scenario == "refund"


def test_wall_screenshot_is_readable(qtbot, panel, feed, tmp_path):
    """At 1600x900 the whole map fits and a service name is at least 18 px tall on screen."""
    feed.sim.inject_fault("dependency_outage", "bank-icbc")
    feed.tick(3)
    panel.refresh()
    panel.highlight_scenario("qr_pay")
    assert all(visible_in_viewport(panel, n) for n in panel.nodes)
    assert panel.zoom * LABEL_PX >= 18  # label pixel size times the scale
    assert panel.zoom * MIN_CAPTION_PX >= 12  # the numbers under it, even shrunk to fit
    image = panel.grab().toImage()
    assert (image.width(), image.height()) == (1600, 900)
    # Inside the border, right of the text: the box's own fill.
    bank = panel.view.mapFromScene(panel.nodes["bank-icbc"].scenePos() + QPointF(NODE_W / 2 - 8, 0))
    pixel = image.pixelColor(panel.view.mapTo(panel, bank))
    assert pixel.red() > pixel.green() + 30  # the bank's box reads red from across the room


def test_names_fit_their_boxes_and_a_slow_service_shows_what_is_wrong(panel, feed):
    """Every service name of the platform is drawn whole; a node in trouble spends its
    caption on the trouble (errors, p99) rather than its traffic, which the tooltip keeps."""
    assert all(node._label_text == node.label for node in panel.nodes.values())
    feed.sim.inject_fault("bank_latency_spike", "bank-icbc")
    feed.tick(20)
    panel.refresh()
    bank = panel.nodes["bank-icbc"]
    assert bank.level in ("warn", "crit")
    assert "p99" in bank.caption and "req/s" not in bank.caption
    assert "req/s" in panel.nodes["member"].caption  # a healthy one keeps its traffic
    tip = panel.tooltip_for(bank)
    assert tip.startswith("ICBC gateway\nrequests ") and "p99" in tip and "load" in tip
    assert panel.tooltip_for(bank.caption_item) == tip  # hovering the numbers asks the node
    edge = panel.edges[("payment-engine", "bank-icbc")]
    assert panel.tooltip_for(edge).startswith("payment-engine → bank-icbc\n")


def test_boxes_and_edges_are_cached_pictures_and_the_numbers_a_separate_item(panel, feed):
    """Numbers change every second on every node; the box, glyph and name are a cached
    picture (redrawn only for a new level), the caption an uncached child (map_items.py)."""
    trade = panel.nodes["trade"]
    assert trade.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert all(e.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache for e in panel.edges.values())
    assert trade.caption_item.parentItem() is trade
    assert trade.caption_item.cacheMode() == QGraphicsItem.CacheMode.NoCache
    level, caption = trade.level, trade.caption
    trade.set_state(level, caption + " ·", trade.numbers)
    assert trade.caption.endswith(" ·") and trade.level == level


def test_root_cause_badge_and_plan_highlight(qtbot):
    from tests.app.drill import Drill
    from warroom.protocol import TopologySnapshot as _Snapshot
    from warroom.ui.panels.map.panel import TopologyMapPanel as _Map

    view = LiveView()
    d = Drill(view=view)
    view.apply(_Snapshot(d.sim.now_ms, d.sim.topology))
    d.run(30)
    panel = _Map(view)
    qtbot.addWidget(panel)
    panel.refresh()
    assert panel.root_causes == set()
    assert not any(n.root_cause for n in panel.nodes.values())
    d.sim.inject_fault("dependency_outage", "bank-ccb", None)
    d.run(40)
    panel.refresh()
    assert panel.root_causes == {"bank-ccb"}
    assert panel.nodes["bank-ccb"].root_cause and panel.nodes["bank-ccb"].root_badge.isVisible()
    assert not panel.nodes["trade"].root_cause, "symptoms are not badged"
    # A plan preview lights up what it touches and dims the rest, until it is cleared.
    view.highlight = {"services": ["bank-ccb", "payment-engine"], "edges": [("payment-engine", "bank-ccb")],
                      "scenarios": [], "source": "plan"}
    panel.refresh()
    assert panel.nodes["bank-ccb"].highlighted and panel.nodes["member"].dimmed
    assert panel.edges[("payment-engine", "bank-ccb")].highlighted
    view.highlight = None
    panel.refresh()
    assert not panel.nodes["bank-ccb"].highlighted and not panel.nodes["member"].dimmed


# -- a big platform whose graph keeps coming: incremental, off the UI thread, bounded ------------
@pytest.fixture(autouse=True)
def every_box(monkeypatch):
    """The tests here are about drawing a thousand boxes (the map of a platform with every group
    open): no groups derived for them (tests/ui/panels/map/test_map_wall.py has those)."""
    monkeypatch.setattr(TopologyMapPanel, "DERIVE_GROUPS", False)


def layered(services: int, seed: int = 5, drop: int = 0, add: int = 0) -> Topology:
    """A call graph of ``services`` services in eight call depths with ~3 calls a service;
    ``drop`` services of the middle removed and ``add`` new ones (the same graph otherwise)."""
    import random

    rng = random.Random(seed)
    sizes = [5] + [(services - 5) // 7] * 7
    sizes[-1] += services - sum(sizes)
    layers = [[f"d{d}-svc-{i:04d}" for i in range(n)] for d, n in enumerate(sizes)]
    edges = {(rng.choice(layers[d - 1]), name) for d in range(1, 8) for name in layers[d]}
    while len(edges) < 3 * services:
        d = rng.randrange(0, 7)
        edges.add((rng.choice(layers[d]), rng.choice(layers[rng.randint(d + 1, 7)])))
    gone = set(layers[4][:drop])
    names = [n for layer in layers for n in layer if n not in gone]
    new = [f"d4-new-{i:03d}" for i in range(add)]
    edges = {e for e in edges if not gone & set(e)} | {(layers[3][i], n) for i, n in enumerate(new)}
    return Topology([Service(n) for n in names + new], [CallEdge(a, b) for a, b in sorted(edges)])


def wire_copy(topology: Topology, ts: int) -> TopologySnapshot:
    """The snapshot as a feed sends it again: decoded into new objects, the same content."""
    from warroom.protocol import Decoder, encode

    message = Decoder().decode(encode(TopologySnapshot(ts, topology)), ts).message
    assert isinstance(message, TopologySnapshot) and message.topology is not topology
    return message


def settle(qtbot, panel: TopologyMapPanel) -> None:
    qtbot.waitUntil(lambda: not panel.busy, timeout=60_000)


@pytest.fixture
def big(qtbot):
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, layered(1000)))
    p = TopologyMapPanel(view)
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    settle(qtbot, p)
    return p


def test_a_big_graph_sent_again_unchanged_lays_nothing_out_and_makes_no_item(qtbot, big):
    view = big.source
    started, made = big.layouts.started, big.items_made
    nodes, edges = dict(big.nodes), dict(big.edges)
    assert len(nodes) == 1000 and len(edges) == 3000 and made == 4000
    drawn, version = view.topology, view.version
    for i in range(1, 4):  # the same graph, as new objects every two seconds
        assert view.apply(wire_copy(view.topology, BUSY_HOUR_MS + i * 2000)) is False
        assert view.topology is drawn and view.version == version  # the view keeps what it had
        assert view.topology_ts == BUSY_HOUR_MS + i * 2000
        big.refresh()
        assert not big.busy
    assert (big.layouts.started, big.items_made) == (started, made)
    assert big.nodes == nodes and all(big.nodes[n] is nodes[n] for n in nodes)
    assert all(big.edges[k] is edges[k] for k in edges)


def test_a_small_change_to_a_big_graph_makes_only_the_new_items_and_moves_nobody(qtbot, big):
    before = {n: (node, node.pos()) for n, node in big.nodes.items()}
    depths = big.source.topology.depths()
    made = big.items_made
    changed = layered(1000, drop=3, add=2)
    big.source.apply(TopologySnapshot(BUSY_HOUR_MS + 2000, changed))
    big.refresh()
    settle(qtbot, big)
    assert len(big.nodes) == 999 and big.items_made - made == 2 + 2  # two services, their two calls
    kept = [n for n in before if n in big.nodes]
    assert len(kept) == 997 and all(big.nodes[n] is before[n][0] for n in kept)
    # Everybody stays put but services whose call depth changed (they lost their only caller).
    same_depth = [n for n in kept if changed.depths()[n] == depths[n]]
    assert len(same_depth) > 900
    assert all(big.nodes[n].pos() == before[n][1] for n in same_depth)


def _record_threads(monkeypatch) -> list[int]:
    delivered: list[int] = []
    real = TopologyMapPanel._on_layout_done

    def on_layout_done(self, layout):
        delivered.append(threading.get_ident())
        real(self, layout)

    monkeypatch.setattr(TopologyMapPanel, "_on_layout_done", on_layout_done)
    return delivered


def test_in_the_console_a_big_layout_runs_on_a_worker_and_comes_back_through_the_loop(qtbot, monkeypatch):
    import asyncio

    import qasync

    delivered = _record_threads(monkeypatch)
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, layered(1000)))
    loop = qasync.QEventLoop(QApplication.instance())
    asyncio.set_event_loop(loop)

    async def main():
        p = TopologyMapPanel(view)  # the constructor's refresh asks for the layout...
        qtbot.addWidget(p)
        assert p.layouts.busy and p.nodes == {} and delivered == []  # ...and returns without it
        while p.busy:
            await asyncio.sleep(0.02)
        return p

    try:
        p = loop.run_until_complete(main())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    main_thread = threading.main_thread().ident
    assert p.last_layout.thread != main_thread  # laid out on a worker thread
    assert delivered == [main_thread] and len(p.nodes) == 1000  # drawn on the UI thread


def test_without_a_loop_a_big_layout_still_runs_on_a_worker(qtbot, monkeypatch):
    delivered = _record_threads(monkeypatch)
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, layered(1000)))
    p = TopologyMapPanel(view)  # the replay window has no asyncio loop
    qtbot.addWidget(p)
    assert p.layouts.busy and p.nodes == {}
    settle(qtbot, p)
    assert p.last_layout.thread != threading.main_thread().ident
    assert delivered == [threading.main_thread().ident] and len(p.nodes) == 1000


def test_repeated_snapshots_do_not_grow_items_or_kept_objects(qtbot):
    view = LiveView()
    p = TopologyMapPanel(view)
    qtbot.addWidget(p)
    for i in range(12):  # churn and re-sends, back and forth
        topology = layered(300, drop=i % 3, add=i % 4)
        view.apply(TopologySnapshot(BUSY_HOUR_MS + i * 2000, topology))
        p.refresh()
        settle(qtbot, p)
        view.apply(wire_copy(topology, BUSY_HOUR_MS + i * 2000 + 1000))
        p.refresh()
        settle(qtbot, p)
        n, e = len(topology), topology.graph.number_of_edges()
        top_level = [item for item in p.scene.items() if item.parentItem() is None and not isinstance(item, EdgeLabelItem)]
        assert (len(p.nodes), len(p.edges), len(top_level)) == (n, e, n + e)
        d = p.drawing
        assert (len(d.service_keys), len(d.edge_keys), len(d.thresholds)) == (n, e, n)
        assert len(p.layout_engine.slots) == n and not p.busy


def test_a_big_map_recolours_in_slices_and_hides_what_cannot_be_read(qtbot, big):
    view = big.source
    assert big.zoom < 0.2  # fitted: a thousand boxes are specks
    assert not any(n.caption_item.isVisible() for n in big.nodes.values())
    assert not any(e.isVisible() for e in big.edges.values())  # no data: none in trouble
    failing = next(iter(big.edges))
    points = [(SeriesKey("edge_error_ratio", {"caller": failing[0], "callee": failing[1]}), BUSY_HOUR_MS, 0.5)]
    points += [(SeriesKey("service_requests_rate", {"service": name}), BUSY_HOUR_MS, 100.0) for name in big.nodes]
    view.apply(MetricBatch.from_points(points))
    big.refresh()
    assert big.busy  # the recolouring waits for its slices: the refresh itself did not do it
    settle(qtbot, big)
    assert big.edges[failing].level == "crit" and big.edges[failing].isVisible()
    assert sum(e.isVisible() for e in big.edges.values()) == 1
    big.set_zoom(1.0)  # close enough to read: captions and every call are drawn
    settle(qtbot, big)
    assert all(e.isVisible() for e in big.edges.values())
    shown = [n for n in big.nodes.values() if n.caption_item.isVisible() and n.caption]
    assert shown and len(shown) < len(big.nodes)  # made for the boxes in sight only
