"""Wall mode and the kiosk: no dock title bars or buttons, no filters or engineering
counters on a wall (they come back on a desk); the command-centre layout full screen is a
wall by itself; a kiosk window rotates its layouts on a fake clock and holds on the incident
layout while an incident is unmitigated."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDockWidget  # noqa: E402

from tests.ui.board_support import SimFeed  # noqa: E402
from warroom.app.kiosk import parse_rotation  # noqa: E402
from warroom.core.settings.layouts import load_layout  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.wall.kiosk import KioskWindow  # noqa: E402
from warroom.ui.main_window import MainWindow  # noqa: E402

NO_FEATURES = QDockWidget.DockWidgetFeature.NoDockWidgetFeatures


@pytest.fixture(scope="module")
def feed() -> SimFeed:
    return SimFeed(seconds=60)


@pytest.fixture
def windows(qtbot):
    made = []

    def make(widget):
        qtbot.addWidget(widget)
        made.append(widget)
        widget.resize(1600, 900)
        with qtbot.waitExposed(widget):
            widget.show()
        return widget

    yield make
    for w in made:
        w.close()


def main_window(feed, name="command-centre") -> MainWindow:
    layout = load_layout(name)
    theme.apply(theme.THEMES[layout.theme], layout.font_pt)
    return MainWindow(feed.view, layout)


def desk_furniture(win: MainWindow) -> dict[str, bool]:
    """Whether each thing a wall does without is visible."""
    QApplication.processEvents()
    seen = {}
    for pid, dock in win.docks.items():
        bar = dock.titleBarWidget()
        seen[f"{pid} title bar"] = bar is None or bar.sizeHint().height() > 0
        seen[f"{pid} movable"] = dock.features() != NO_FEATURES
    panels = win.panels
    if "events" in panels:
        events = panels["events"]  # a desk dock too short for them gives their room to the events
        seen["event filters"] = events.filters_bar.isVisible() or (not events.wall_mode and not events.filters_fit)
    if "feed_health" in panels:
        health = panels["feed_health"]
        seen["protocol errors"] = health.errors_label.isVisible()
        seen["points"] = health.points_label.isVisible()
        seen["series"] = health.series_label.isVisible()
    if "topology_map" in panels:
        seen["map controls"] = panels["topology_map"].toolbar.isVisible()
    return seen


def test_wall_mode_strips_the_desk_furniture_and_a_desk_gets_it_back(windows, feed):
    win = windows(main_window(feed))
    desk = desk_furniture(win)
    assert all(desk.values()), desk
    assert {"event filters", "protocol errors", "map controls"} <= set(desk)

    win.set_wall_mode(True)
    wall = desk_furniture(win)
    assert not any(wall.values()), wall
    assert all(p.wall_mode for p in win.panels.values())
    # What the room reads stays: the connection and the data's age.
    health = win.panels["feed_health"]
    assert health.state_label.isVisible() and health.age_label.isVisible()

    win.set_wall_mode(False)
    assert desk_furniture(win) == desk


def test_the_command_centre_full_screen_is_a_wall_the_engineer_desk_is_not(windows, feed, qtbot):
    wall = windows(main_window(feed, "command-centre"))
    wall.showFullScreen()
    qtbot.waitUntil(lambda: wall.wall_mode, timeout=5000)
    wall.showNormal()
    qtbot.waitUntil(lambda: not wall.wall_mode, timeout=5000)

    desk = windows(main_window(feed, "engineer"))
    desk.showFullScreen()
    qtbot.waitUntil(desk.isFullScreen, timeout=5000)
    assert not desk.wall_mode


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_kiosk_rotates_and_follows_the_incident(windows, feed):
    clock, incident = Clock(), {"open": False}
    theme.apply(theme.DARK, 12)
    kiosk = windows(KioskWindow(feed.view, parse_rotation("command-centre:20s,engineer:10s"), "commander",
                                clock=clock, incident_open=lambda: incident["open"]))
    kiosk._timer.stop()  # the test drives the ticks
    assert list(kiosk.pages) == ["command-centre", "engineer", "commander"]
    assert kiosk.current is kiosk.pages["command-centre"] and kiosk.current.isVisible()
    assert not kiosk.pages["engineer"].isVisible()

    def at(seconds: float) -> str:
        clock.now = 1000.0 + seconds
        kiosk.tick()
        QApplication.processEvents()
        shown = [name for name, page in kiosk.pages.items() if page.isVisible()]
        assert shown == [kiosk.rotation.current]
        return shown[0]

    assert at(19) == "command-centre"
    assert at(20) == "engineer"
    assert at(30) == "command-centre"
    incident["open"] = True
    assert at(31) == "commander"
    assert at(500) == "commander"  # held for as long as it is open
    incident["open"] = False
    assert at(501) == "command-centre"
    assert at(521) == "engineer"


def test_the_kiosk_is_a_wall_on_every_page(windows, feed):
    kiosk = windows(KioskWindow(feed.view, parse_rotation("command-centre,commander"), clock=Clock()))
    kiosk._timer.stop()
    kiosk.set_wall_mode(True)
    assert all(page.wall_mode for page in kiosk.pages.values())
    assert not any(desk_furniture(kiosk.pages["command-centre"]).values())


def test_a_broken_incident_source_does_not_stop_the_rotation(windows, feed):
    clock = Clock()

    def broken() -> bool:
        raise RuntimeError("alerting fell over")

    kiosk = windows(KioskWindow(feed.view, parse_rotation("command-centre:10s,commander:10s"), "commander",
                                clock=clock, incident_open=broken))
    kiosk._timer.stop()
    clock.now += 10
    kiosk.tick()
    assert kiosk.rotation.current == "commander" and not kiosk.rotation.holding
