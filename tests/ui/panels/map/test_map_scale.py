"""A grouped map of a big platform recolours in slices: a few dozen boxes stand for hundreds of
services, and reading all their series at once held the UI thread for tens of milliseconds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from warroom.core.graph.grouping import GROUP_PREFIX  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui.panels.map.layout import BIG_MAP_SERVICES  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS  # noqa: E402
from tests.ui.panels.map.test_map_wall import MAP_1080, grouped_platform, make_panel, metrics  # noqa: E402


def test_a_grouped_big_map_is_heavy_and_recolours_in_slices(qtbot):
    topology = grouped_platform(per_group=50, groups=10)
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    metrics(view, topology)
    p = make_panel(qtbot, view, MAP_1080)
    assert len(p.nodes) == 12 < BIG_MAP_SERVICES and not p.drawing.big
    assert p.drawing.heavy  # 502 services behind 12 boxes
    sick = p.nodes[GROUP_PREFIX + "team-6"]
    assert sick.level == "ok"

    metrics(view, topology, sick={"t6-svc-30"})  # new numbers: one member fails
    p.refresh()
    assert p.busy  # queued for the slices, not done inside the frame's refresh
    qtbot.waitUntil(lambda: not p.busy, timeout=60_000)
    assert sick.level == "crit" and sick.caption.startswith("1 ")
    assert p.nodes[GROUP_PREFIX + "team-5"].level == "ok"


def test_a_small_grouped_map_is_not_heavy(qtbot):
    topology = grouped_platform(per_group=20, groups=6)
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    metrics(view, topology)
    p = make_panel(qtbot, view, MAP_1080)
    assert not p.drawing.heavy
    metrics(view, topology, sick={"t2-svc-03"})
    p.refresh()
    assert not p.busy and p.nodes[GROUP_PREFIX + "team-2"].level == "crit"  # coloured at once
