"""Qt's pixmap cache holds the map's cached boxes and calls (warroom.ui.panels.map.pixmap_cache)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QPixmapCache  # noqa: E402
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsView  # noqa: E402

from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui.panels.map.pixmap_cache import HEADROOM, MAX_BYTES, cached_bytes, ensure_room  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS  # noqa: E402
from tests.ui.panels.map.test_map_wall import grouped_platform, make_panel, metrics  # noqa: E402


@pytest.fixture
def limit(qapp, monkeypatch):
    from warroom.ui.panels.map import pixmap_cache

    before = QPixmapCache.cacheLimit()
    QPixmapCache.setCacheLimit(10 * 1024)
    monkeypatch.setattr(pixmap_cache, "_base_kb", None)  # as in a console that just started
    yield
    QPixmapCache.setCacheLimit(before)


def test_the_limit_is_raised_with_headroom_never_lowered_never_past_the_cap(limit):
    raised = (10 * 2**20 + int(40 * 2**20 * HEADROOM)) // 1024  # Qt's own 10 MB stay for the rest
    assert ensure_room(40 * 2**20) == raised == QPixmapCache.cacheLimit()
    assert ensure_room(1024) == raised  # less needed: kept
    assert ensure_room(20 * 2**20) == raised  # and not lowered either
    assert ensure_room(10 * MAX_BYTES) == MAX_BYTES // 1024


def test_only_visible_device_cached_items_count_and_only_their_part_on_screen(qtbot):
    scene = QGraphicsScene()
    view = QGraphicsView(scene)
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.setSceneRect(QRectF(0, 0, 400, 300))
    view.centerOn(200, 150)
    inside = QGraphicsRectItem(QRectF(10, 10, 50, 20))
    half_out = QGraphicsRectItem(QRectF(-10_000, 10, 10_050, 20))  # only its end is on screen
    hidden = QGraphicsRectItem(QRectF(10, 10, 50, 20))
    plain = QGraphicsRectItem(QRectF(10, 10, 50, 20))
    for item in (inside, half_out, hidden, plain):
        scene.addItem(item)
    for item in (inside, half_out, hidden):
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    hidden.setVisible(False)
    alone = cached_bytes(view, [inside])
    assert 50 * 20 * 4 <= alone <= 52 * 22 * 4
    both = cached_bytes(view, [inside, half_out, hidden, plain])
    port = view.viewport().rect()
    assert alone < both <= alone + port.width() * 22 * 4  # clipped to the viewport


def test_a_grouped_big_map_makes_room_for_its_long_calls(qtbot, limit):
    topology = grouped_platform(per_group=50, groups=10)
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    metrics(view, topology)
    p = make_panel(qtbot, view, (1920, 1080))
    need = cached_bytes(p.view, [*p.nodes.values(), *p.edges.values()])
    assert need > 0
    assert need > 10 * 2**20  # more than Qt's default 10 MB: they pushed each other out
    assert QPixmapCache.cacheLimit() * 1024 >= 10 * 2**20 + need  # they fit beside the rest of the window
