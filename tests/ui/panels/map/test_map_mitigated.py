"""Issue 14, item 2 on the map: the ROOT CAUSE badge of an incident that is mitigated (users
recovered, the root still alerts) is amber; red is kept for an open, unmitigated incident."""

from __future__ import annotations

import os
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed  # noqa: E402
from warroom.core.incident.incidents import Incident  # noqa: E402
from warroom.core.model import Severity  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.map.panel import TopologyMapPanel  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


class FakeWatch:
    def __init__(self, version: int, state: str):
        self.version = version
        self._state = state

    def alerts(self):
        return [SimpleNamespace(is_root=True, root_cause="bank-icbc", state="firing")]

    def incidents(self):
        return [Incident("INC-1", "ICBC gateway down", Severity.P1, "bank-icbc", self._state, "", BUSY_HOUR_MS,
                         BUSY_HOUR_MS, None, None, None, None, "", ("fp",), ())]


def badge_pixels(panel: TopologyMapPanel, colour: str) -> int:
    badge = panel.nodes["bank-icbc"].root_badge
    rect = panel.view.mapFromScene(badge.mapRectToScene(badge.rect)).boundingRect()
    image = panel.view.viewport().grab(rect).toImage().convertToFormat(QImage.Format.Format_RGB32)
    return sum(image.pixelColor(x, y).name() == colour for x in range(image.width()) for y in range(image.height()))


def test_the_root_badge_of_a_mitigated_incident_is_amber(qtbot):
    feed = SimFeed(10)
    feed.view.alerting = FakeWatch(1, "open")
    panel = TopologyMapPanel(feed.view)
    qtbot.addWidget(panel)
    panel.resize(1600, 900)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: not panel.busy)
    panel.refresh()
    badge = panel.nodes["bank-icbc"].root_badge
    assert badge is not None and badge.isVisible() and badge.level == "crit"
    assert badge_pixels(panel, theme.DARK.crit) > 50
    feed.view.alerting = FakeWatch(2, "mitigated")
    panel.refresh()
    assert badge.level == "warn"
    assert badge_pixels(panel, theme.DARK.warn) > 50 and badge_pixels(panel, theme.DARK.crit) == 0
