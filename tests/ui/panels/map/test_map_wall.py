"""The map on a wall (issue 13): figures readable from five metres, numbers on the calls that
matter, a root-cause badge that covers nothing, groups collapsed, the desk's find box and
"unhealthy only", no controls on a wall, grey when stale."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QRectF  # noqa: E402

from warroom.core.graph.grouping import GROUP_PREFIX, LONE_MAX  # noqa: E402
from warroom.core.model import CallEdge, SeriesKey, Service, ServiceKind  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.protocol import MetricBatch, TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.map.edge_labels import MAX_LABELS  # noqa: E402
from warroom.ui.panels.map.items import ServiceNodeItem  # noqa: E402
from warroom.ui.panels.map.panel import FIND_ZOOM, TopologyMapPanel  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed  # noqa: E402

MAP_1080 = (1121, 607)  # the map's place in the command-centre layout at 1920x1080


def make_panel(qtbot, view: LiveView, size=(1600, 900)) -> TopologyMapPanel:
    p = TopologyMapPanel(view)
    qtbot.addWidget(p)
    p.resize(*size)
    p.show()
    qtbot.waitExposed(p)
    p.refresh()
    qtbot.waitUntil(lambda: not p.busy, timeout=60_000)
    return p


@pytest.fixture
def outage(qtbot) -> tuple[SimFeed, TopologyMapPanel]:
    feed = SimFeed(60)
    feed.bank_outage(20)
    return feed, make_panel(qtbot, feed.view, MAP_1080)


def box(node: ServiceNodeItem) -> QRectF:
    return node.mapRectToScene(node.box())


def grouped_platform(per_group: int = 20, groups: int = 6) -> Topology:
    """Two entry gateways, then ``groups`` teams of ``per_group`` services: a chain inside each
    team, its head called by a gateway, its tail calling the next team's head (round: the
    teams form one cycle, as business domains that call each other do)."""
    services = [Service("gw-a", title="Gateway A"), Service("gw-b", title="Gateway B")]
    edges = []
    for g in range(groups):
        names = [f"t{g}-svc-{i:02d}" for i in range(per_group)]
        services += [Service(n, title=f"Team {g} service {i}", group=f"team-{g}") for i, n in enumerate(names)]
        edges += [CallEdge(a, b) for a, b in zip(names, names[1:])]
        edges.append(CallEdge("gw-a" if g % 2 else "gw-b", names[0]))
        edges.append(CallEdge(names[-1], f"t{(g + 1) % groups}-svc-00"))  # teams call each other round
    return Topology(services, edges)


def metrics(view: LiveView, topology: Topology, sick: set[str] = frozenset()) -> None:
    points = []
    for s in topology.services:
        k = {"service": s.name}
        points += [(SeriesKey("service_requests_rate", k), BUSY_HOUR_MS, 100.0),
                   (SeriesKey("service_error_ratio", k), BUSY_HOUR_MS, 0.4 if s.name in sick else 0.0005)]
    for e in topology.edges:
        k = {"caller": e.caller, "callee": e.callee}
        points += [(SeriesKey("edge_requests_rate", k), BUSY_HOUR_MS, 50.0),
                   (SeriesKey("edge_error_ratio", k), BUSY_HOUR_MS, 0.4 if e.callee in sick else 0.0005)]
    view.apply(MetricBatch.from_points(points))


@pytest.fixture
def grouped(qtbot):
    topology = grouped_platform()
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    metrics(view, topology, sick={"t3-svc-07"})
    return make_panel(qtbot, view, MAP_1080)


# -- readable from five metres -------------------------------------------------------------
@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_every_figure_is_at_least_one_percent_of_the_screen_height(qtbot, size):
    from warroom.core.settings.layouts import load_layout
    from warroom.ui.main_window import MainWindow

    feed = SimFeed(60)
    feed.bank_outage(20)
    layout = load_layout("command-centre")
    theme.apply(theme.THEMES.get(layout.theme, theme.DARK), layout.font_pt)
    win = MainWindow(feed.view, layout)
    qtbot.addWidget(win)
    win.resize(*size)
    with qtbot.waitExposed(win):
        win.show()
    try:
        win.refresh_now()
        panel = win.panels["topology_map"]
        qtbot.waitUntil(lambda: not panel.busy)
        panel.fit()
        assert panel.figure_px() >= 0.01 * size[1], (panel.size().toTuple(), panel.zoom)
        assert panel.edge_labels.shown, "the calls in trouble carry numbers"
    finally:
        win._timer.stop()
        win.close()


def test_a_thousand_grouped_services_fit_the_wall_at_readable_size(qtbot):
    topology = grouped_platform(per_group=100, groups=10)
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    metrics(view, topology)
    p = make_panel(qtbot, view, MAP_1080)
    assert len(topology) == 1002 and len(p.nodes) == 12  # two gateways and ten groups
    assert p.figure_px() >= 10.8  # 1 % of 1080 px
    seen = p.view.mapToScene(p.view.viewport().rect()).boundingRect()
    assert all(seen.contains(box(n)) for n in p.nodes.values())  # all of it on the wall


# -- numbers on the calls that matter --------------------------------------------------------
def test_the_calls_in_trouble_carry_rate_and_error_and_plates_cover_no_box(outage):
    _, p = outage
    shown = p.edge_labels.shown
    assert 0 < len(shown) <= MAX_LABELS
    trouble = {k for k, e in p.edges.items() if e.level in ("warn", "crit")}
    assert trouble & set(shown), "a call in trouble is labelled"
    busiest = sorted((e for e in p.edges.values() if e.level == "ok"), key=lambda e: -e.numbers[0])[:4]
    for key, plate in shown.items():
        edge = p.edges[key]
        assert edge in busiest or key in trouble or edge.highlighted  # nothing else gets numbers
        assert plate.lines[1].endswith("%") and "/s" in plate.lines[0]
        rect = plate.sceneBoundingRect()
        assert not any(rect.intersects(box(n)) for n in p.nodes.values()), key
    rects = [pl.sceneBoundingRect() for pl in shown.values()]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


# -- the root-cause badge ------------------------------------------------------------------------
def test_the_root_cause_badge_covers_no_other_node(qtbot):
    from tests.app.drill import Drill

    view = LiveView()
    d = Drill(view=view)
    view.apply(TopologySnapshot(d.sim.now_ms, d.sim.topology))
    d.run(30)
    d.sim.inject_fault("dependency_outage", "bank-icbc", None)  # the box under "Accounting"
    d.run(40)
    p = make_panel(qtbot, view, MAP_1080)
    assert p.root_causes == {"bank-icbc"}
    badge = p.nodes["bank-icbc"].root_badge
    assert badge.isVisible()
    rect = badge.mapRectToScene(badge.rect)
    assert all(not rect.intersects(box(n)) for name, n in p.nodes.items() if name != "bank-icbc")


def test_badges_on_every_node_still_cover_no_other_node(outage):
    _, p = outage
    for node in p.nodes.values():  # a crowded worst case: every box a root cause
        node.set_root_cause(True, "ROOT CAUSE")
    p._place_badges()
    for name, node in p.nodes.items():
        rect = node.mapRectToScene(node.root_badge.rect)
        others = [box(n) for other, n in p.nodes.items() if other != name]
        assert not any(rect.intersects(r) for r in others), name
        assert rect.intersects(box(node)) or rect.width() > 0  # by its own box, or on it


# -- groups --------------------------------------------------------------------------------------
def test_groups_collapse_with_their_count_and_worst_health(grouped):
    p = grouped
    assert set(p.nodes) == {"gw-a", "gw-b", *(GROUP_PREFIX + f"team-{g}" for g in range(6))}
    sick = p.nodes[GROUP_PREFIX + "team-3"]
    assert sick.is_group and sick.label == "team-3 (20)" and sick.level == "crit"
    assert sick.caption.startswith("1 ")  # one member in trouble
    well = p.nodes[GROUP_PREFIX + "team-2"]
    assert well.level == "ok" and well.label == "team-2 (20)"
    assert "1 unhealthy" in p.tooltip_for(sick)


def test_clicking_a_group_opens_it_and_close_groups_folds_it_again(qtbot, grouped):
    p = grouped
    p.select_service(GROUP_PREFIX + "team-3")
    qtbot.waitUntil(lambda: not p.busy)
    assert p.expanded_groups == {"team-3"}
    assert "t3-svc-07" in p.nodes and GROUP_PREFIX + "team-3" not in p.nodes
    assert p.nodes["t3-svc-07"].level == "crit" and GROUP_PREFIX + "team-2" in p.nodes
    assert not p.collapse_button.isHidden()
    p.collapse_groups()
    qtbot.waitUntil(lambda: not p.busy)
    assert GROUP_PREFIX + "team-3" in p.nodes and "t3-svc-07" not in p.nodes


# -- find and unhealthy only (the desk) ------------------------------------------------------------
def centre_of_view(p: TopologyMapPanel):
    return p.view.mapToScene(p.view.viewport().rect().center())


def test_the_find_box_highlights_and_centres_a_service(qtbot, outage):
    _, p = outage
    p.find_box.setText("icbc")
    p.find_box.returnPressed.emit()
    assert p.found_service == "bank-icbc" and p.nodes["bank-icbc"].found
    assert p.zoom >= FIND_ZOOM
    centre, node = centre_of_view(p), p.nodes["bank-icbc"].pos()
    assert abs(centre.x() - node.x()) < 30 and abs(centre.y() - node.y()) < 30
    assert not p.find_service("no such service") and p.found_service is None


def test_finding_a_service_inside_a_collapsed_group_opens_it(qtbot, grouped):
    p = grouped
    assert p.find_service("Team 4 service 11")
    qtbot.waitUntil(lambda: not p.busy)
    assert "team-4" in p.expanded_groups and p.found_service == "t4-svc-11"
    centre, node = centre_of_view(p), p.nodes["t4-svc-11"].pos()
    assert abs(centre.x() - node.x()) < 30 and abs(centre.y() - node.y()) < 30


def test_unhealthy_only_hides_the_healthy_services_and_their_calls(outage):
    _, p = outage
    p.unhealthy_box.setChecked(True)
    shown = {n for n, node in p.nodes.items() if node.isVisible()}
    assert shown and shown == {n for n, node in p.nodes.items() if node.level in ("warn", "crit")}
    assert "bank-icbc" in shown and "member" not in shown
    for (a, b), edge in p.edges.items():
        if edge.isVisible():
            assert a in shown and b in shown
    p.unhealthy_box.setChecked(False)
    assert all(node.isVisible() for node in p.nodes.values())


# -- wall mode and stale ----------------------------------------------------------------------------
def test_wall_mode_hides_every_control(outage):
    _, p = outage
    p.set_wall_mode(True)
    assert p.toolbar.isHidden() and not p.fit_button.isVisible() and not p.find_box.isVisible()
    assert not p.unhealthy_box.isVisible() and not p.scenario_combo.isVisible()
    p.set_wall_mode(False)
    assert not p.toolbar.isHidden() and p.find_box.isVisible()


def test_stale_data_greys_every_box_and_call(outage):
    _, p = outage
    t = theme.current()
    grey = t.status_color("unknown")
    assert p.nodes["bank-icbc"].border_color == t.status_color("crit")
    p.set_stale(BUSY_HOUR_MS)
    assert p.stale
    assert all(n.border_color == grey for n in p.nodes.values())
    assert all(e.color.rgb() == grey.rgb() for e in p.edges.values())
    assert all(pl.stale for pl in p.edge_labels.shown.values())
    image = p.grab().toImage()
    reds = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
               if (c := image.pixelColor(x, y)).red() > 200 and c.green() < 110)
    assert reds == 0, "no critical red while stale"
    p.set_stale(None)
    assert p.nodes["bank-icbc"].border_color == t.status_color("crit")


# -- groups the feed does not give -----------------------------------------------------------------
def ungrouped_platform(services: int = 1000) -> Topology:
    """``services`` services of twelve domains ("pay-svc-0001", …) in six call depths, none with
    a group (as most real feeds send them); the deepest layer databases and caches."""
    import random

    rng = random.Random(3)
    domains = ("pay", "trade", "acct", "risk", "user", "mkt", "settle", "clear", "notify", "cfg", "order", "ledger")
    layers: list[list[str]] = [[] for _ in range(6)]
    made = []
    for i in range(services):
        depth = min(5, i * 6 // services)
        kind = (ServiceKind.DATABASE if i % 3 else ServiceKind.CACHE) if depth == 5 else ServiceKind.SERVICE
        name = f"{domains[i % 12]}-{'db' if depth == 5 else 'svc'}-{i:04d}"
        made.append(Service(name, kind, title=name.replace("-", " ")))
        layers[depth].append(name)
    edges = {}
    for depth in range(1, 6):
        for name in layers[depth]:
            for _ in range(3):
                same = [n for n in layers[depth - 1] if n[:3] == name[:3]]
                caller = rng.choice(same if same and rng.random() < 0.85 else layers[depth - 1])
                edges[(caller, name)] = CallEdge(caller, name)
    return Topology(made, edges.values())


def test_a_thousand_services_without_groups_are_drawn_in_derived_groups(qtbot):
    topology = ungrouped_platform()
    assert not any(s.group for s in topology.services)
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    metrics(view, topology, sick={"risk-svc-0507"})
    p = make_panel(qtbot, view, MAP_1080)
    groups = [n for n in p.nodes.values() if n.is_group]
    assert 8 <= len(groups) <= 40 and len(p.nodes) - len(groups) <= LONE_MAX
    assert p.nodes[GROUP_PREFIX + "risk"].level == "crit" and p.nodes[GROUP_PREFIX + "pay"].level == "ok"
    assert p.figure_px() >= 10.8  # 1 % of 1080 px
    seen = p.view.mapToScene(p.view.viewport().rect()).boundingRect()
    assert all(seen.contains(box(n)) for n in p.nodes.values())
    # A derived group opens like a feed's, and the find box reaches into it.
    assert p.find_service("risk svc 0507")
    qtbot.waitUntil(lambda: not p.busy)
    assert p.expanded_groups == {"risk"} and p.found_service == "risk-svc-0507"


def test_a_group_of_one_kind_is_named_by_the_kind(qtbot):
    import random
    import string

    rng = random.Random(4)
    names = ["".join(rng.choice(string.ascii_lowercase) for _ in range(8)) for _ in range(100)]  # no shared prefix
    topology = Topology([Service(n, ServiceKind.DATABASE if i < 30 else ServiceKind.SERVICE) for i, n in enumerate(names)],
                        [CallEdge(names[i], names[i % 30]) for i in range(30, 100)])
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    p = make_panel(qtbot, view, MAP_1080)
    assert sorted(n.label for n in p.nodes.values()) == ["Databases (30)", "Services (70)"]


# -- the desk's controls at the wall scale ------------------------------------------------------------
def _indicator_pixels(p: TopologyMapPanel, colour) -> int:
    """Pixels of ``colour`` in the tick box (not its text) of the check box's picture."""
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    box = p.unhealthy_box
    option = QStyleOptionButton()
    box.initStyleOption(option)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    image = box.grab().toImage()
    want = (colour.red(), colour.green(), colour.blue())
    return sum(1 for x in range(rect.left(), rect.right() + 1) for y in range(rect.top(), rect.bottom() + 1)
               if all(abs(a - b) <= 24 for a, b in zip(image.pixelColor(x, y).getRgb()[:3], want)))


@pytest.mark.parametrize("name", ["dark", "light"])
def test_the_unhealthy_only_tick_box_is_visible_in_both_themes(qtbot, name):
    before, font_pt = theme.current(), theme.base_point_size()
    theme.apply(theme.THEMES[name], font_pt)
    try:
        p = make_panel(qtbot, LiveView(), MAP_1080)
        t = theme.current()
        assert theme.contrast_ratio(t.text_dim, t.background) >= 3.0  # the border against the map
        side = p.unhealthy_box.fontMetrics().height() * 0.8
        assert _indicator_pixels(p, t.color("text_dim")) >= 3 * side  # a square's border is drawn (the dark
        # style's own tick box was dark on dark: none of it)
        p.unhealthy_box.setChecked(True)
        assert _indicator_pixels(p, t.color("accent")) >= side * side * 0.5  # ticked: filled
    finally:
        theme.apply(before, font_pt)


def test_the_controls_follow_the_wall_scale(qtbot):
    from warroom.ui.wall.wall_scale import apply_scale

    p = make_panel(qtbot, LiveView(), MAP_1080)
    controls = (p.highlight_label, p.scenario_combo, p.find_box, p.unhealthy_box, p.fit_button)
    small = [w.fontMetrics().height() for w in controls]
    band = p.toolbar.height()
    try:
        apply_scale(p, 2.0, force=True)
        big = [w.fontMetrics().height() for w in controls]
        assert all(b >= 1.8 * s for b, s in zip(big, small)), (small, big)
        assert p.toolbar.height() >= 1.8 * band and p.toolbar.width() == p.view.width()
        assert "QCheckBox::indicator" in p.unhealthy_box.styleSheet()
    finally:
        apply_scale(p, 1.0, force=True)
    assert [w.fontMetrics().height() for w in controls] == small


def test_fit_keeps_the_badges_and_the_calls_numbers_in_view_below_the_controls(outage):
    _, p = outage
    p.nodes["bank-icbc"].set_root_cause(True, "ROOT CAUSE")
    p._place_badges()
    p.fit()
    band = p.toolbar.height()
    rect = p.view.viewport().rect().adjusted(0, band, 0, 0)
    seen = p.view.mapToScene(rect).boundingRect()
    assert p.edge_labels.shown
    for plate in p.edge_labels.shown.values():
        assert seen.contains(plate.sceneBoundingRect())
    badge = p.nodes["bank-icbc"].root_badge
    assert seen.contains(badge.mapRectToScene(badge.rect))
