"""Stale data cannot pass for live: after the feed dies the window shows a banner saying
since when and why, every KPI tile greys its number and shows its age, the scenario board
dims, the frame takes blue-grey stripes (never the red that means critical), and all of it
goes away when data flows again. A replay is never stale."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.board_support import SimFeed, color_pixels  # noqa: E402
from warroom.core.settings.layouts import load_layout  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.main_window import MainWindow  # noqa: E402
from warroom.ui.panels.base import Panel  # noqa: E402
from warroom.ui.panels.kpi.tile import KpiTileWidget  # noqa: E402

REASON = "connection lost: no close frame (1006); retrying in 1.9 s"
KILLED_AGO_MS = 33_000


@pytest.fixture
def feed() -> SimFeed:
    return SimFeed(seconds=90)


@pytest.fixture
def win(qtbot, feed):
    layout = load_layout("command-centre")
    theme.apply(theme.THEMES[layout.theme], layout.font_pt)
    w = MainWindow(feed.view, layout)
    qtbot.addWidget(w)
    w.resize(1600, 900)
    with qtbot.waitExposed(w):
        w.show()
    live(feed)
    w.refresh_now()
    yield w
    w._timer.stop()
    w.close()


def live(feed: SimFeed) -> None:
    feed.view.set_feed("live", "live from sim", "sim", now_ms=feed.view.newest_ms, speed=1)


def kill(feed: SimFeed, ago_ms: int = KILLED_AGO_MS) -> None:
    """The feed died ``ago_ms`` of wall time ago: disconnected, the clock ran on, no data came."""
    feed.view.set_feed("disconnected", REASON, now_ms=feed.view.newest_ms + ago_ms, speed=1)


def tiles(win: MainWindow) -> list[KpiTileWidget]:
    return win.panels["kpi_tiles"].findChildren(KpiTileWidget)


def clock(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone(timedelta(hours=8))).strftime("%H:%M:%S")


def test_a_dead_feed_shows_a_banner_with_since_and_why(win, feed):
    assert win.stale_banner.isHidden()
    kill(feed)
    win.refresh_now()
    QApplication.processEvents()
    banner = win.stale_banner
    assert banner.isVisible() and banner.height() > 0
    assert banner.text == (f"DATA STALE since {clock(feed.view.newest_ms)} — "
                           "feed disconnected: connection lost: no close frame (1006)")
    assert banner.age == "33 s old"
    # Across the top of the whole window, above the docks.
    assert banner.geometry().top() == 0 and banner.width() == win.width()


def test_every_tile_greys_and_shows_its_age(win, feed):
    before = {t.caption: t.value_text for t in tiles(win)}
    assert all(not t.stale for t in tiles(win))
    kill(feed)
    win.refresh_now()
    t = theme.current()
    for tile in tiles(win):
        assert tile.stale and tile.stale_age == "33 s old", tile.caption
        assert tile.value_text == before[tile.caption]  # the last value stays, greyed
        assert tile.value_color() not in (t.status_color(lv) for lv in ("ok", "warn", "crit"))
    # Ages move while it stays dead.
    kill(feed, ago_ms=75_000)
    win.refresh_now()
    assert {tile.stale_age for tile in tiles(win)} == {"75 s old"}


def test_a_critical_tile_loses_its_red_when_stale(win, feed):
    tile = tiles(win)[0]
    tile.set_reading("12", "crit", "")
    QApplication.processEvents()
    red = theme.current().crit
    assert color_pixels(tile, red) > 50  # the wash, the stripe, the border, the number
    kill(feed)
    win.refresh_now()
    QApplication.processEvents()
    assert color_pixels(tile, red) == 0


def test_the_scenario_board_dims_and_says_how_old(win, feed):
    board = win.panels["scenarios"]
    model = board.model
    t = theme.current()
    fg = Qt.ItemDataRole.ForegroundRole
    assert t.text in {model.data(model.index(r, 2), fg).name() for r in range(model.rowCount())}
    kill(feed)
    win.refresh_now()
    assert board.stale
    assert "33 s old" in model.headerData(1, Qt.Orientation.Horizontal)  # the title column's
    stale_colors = {model.data(model.index(r, c), fg).name() for r in range(model.rowCount()) for c in range(4)}
    assert len(stale_colors) == 1 and stale_colors.isdisjoint({t.ok, t.warn, t.crit, t.text})


def test_the_frame_is_striped_blue_grey_never_red(win, feed):
    kill(feed)
    win.refresh_now()
    assert win.frame_level == "stale" and win.border_frame.striped
    assert win.centralWidget().color().name() != theme.current().crit


def test_every_panel_is_told_and_all_clears_when_data_flows_again(win, feed):
    kill(feed)
    win.refresh_now()
    since = feed.view.newest_ms
    assert all(p.stale_since_ms == since for p in win.panels.values())
    feed.tick(1)
    live(feed)
    win.refresh_now()
    assert win.stale_banner.isHidden()
    assert all(p.stale_since_ms is None for p in win.panels.values())
    assert not any(t.stale for t in tiles(win)) and not win.panels["scenarios"].stale
    assert win.frame_level == "ok"


def test_a_panel_failing_set_stale_does_not_stop_the_others(win, feed, monkeypatch):
    def broken(self, since_ms):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(win.panels["events"]), "set_stale", broken)
    kill(feed)
    win.refresh_now()
    assert win.stale_banner.isVisible()
    assert all(t.stale for t in tiles(win))


def test_a_replay_is_never_stale(win, feed):
    feed.view.set_feed("replay", "recording.duckdb", now_ms=feed.view.newest_ms + 3_600_000)
    win.refresh_now()
    assert win.stale_banner.isHidden() and win.frame_level == "replay"
    assert all(p.stale_since_ms is None for p in win.panels.values())


def test_the_base_panel_stores_and_hands_on(qtbot, feed):
    panel = Panel(feed.view)
    qtbot.addWidget(panel)
    tile = KpiTileWidget("TPS", "/s", panel)
    kill(feed)
    panel.set_stale(feed.view.newest_ms)
    assert panel.stale_since_ms == feed.view.newest_ms and panel.stale_age_ms == KILLED_AGO_MS
    assert tile.stale and tile.stale_age == "33 s old"
    panel.set_stale(None)
    assert not tile.stale and panel.stale_age_ms is None
