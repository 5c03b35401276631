"""Feed health: ``frame_level`` (which colours the whole window) and what the panel shows
for live, stale and disconnected feeds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.board_support import SimFeed, color_pixels, feed_series  # noqa: E402
from warroom.core.model import SeriesKey  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.health.panel import (AGE_TICK_MS, CRIT_AGE_MS, WARN_AGE_MS, FeedHealthPanel,  # noqa: E402
                                      format_age, format_errors, frame_level, level_color)

SERVER = "ws://127.0.0.1:8765"


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


@pytest.fixture(scope="module")
def feed() -> SimFeed:
    return SimFeed(120)


def make_panel(qtbot, view: LiveView) -> FeedHealthPanel:
    panel = FeedHealthPanel(view)
    qtbot.addWidget(panel)
    panel.resize(1600, 140)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


# -- frame_level ---------------------------------------------------------------------------
def test_the_age_thresholds_are_five_and_fifteen_seconds():
    assert (WARN_AGE_MS, CRIT_AGE_MS) == (5_000, 15_000)


@pytest.mark.parametrize("age_ms, state, level", [
    # a live feed: the data age decides
    (0, "live", "ok"),
    (4_999, "live", "ok"),
    (WARN_AGE_MS, "live", "ok"),  # "older than 5 s" starts after 5 s
    (WARN_AGE_MS + 1, "live", "warn"),
    (CRIT_AGE_MS, "live", "warn"),
    (CRIT_AGE_MS + 1, "live", "stale"),
    (3_600_000, "live", "stale"),
    (None, "live", "warn"),  # connected, nothing arrived yet: not trustworthy yet
    # stale and connecting are amber however fresh the last data was...
    (0, "stale", "warn"),
    (0, "connecting", "warn"),
    (None, "connecting", "warn"),
    # ...and stale (blue-grey, not red: red is for incidents) once the data is old enough
    (CRIT_AGE_MS + 1, "stale", "stale"),
    (CRIT_AGE_MS + 1, "connecting", "stale"),
    # disconnected is stale whatever the age
    (0, "disconnected", "stale"),
    (None, "disconnected", "stale"),
    # a state the console does not know is not "ok"
    (0, "paused?", "warn"),
    (CRIT_AGE_MS + 1, "paused?", "stale"),
])
def test_frame_level(age_ms, state, level):
    assert frame_level(age_ms, state) == level


def test_frame_level_only_ever_returns_three_levels():
    ages = [None, 0, WARN_AGE_MS, WARN_AGE_MS + 1, CRIT_AGE_MS + 1]
    states = ["live", "stale", "connecting", "disconnected", "", "LIVE"]
    assert {frame_level(a, s) for a in ages for s in states} == {"ok", "warn", "stale"}


def test_frame_level_never_gets_better_as_data_ages():
    order = {"ok": 0, "warn": 1, "stale": 2}
    for state in ("live", "stale", "connecting", "disconnected"):
        levels = [order[frame_level(age, state)] for age in range(0, 40_000, 250)]
        assert levels == sorted(levels), state


def test_format_age_and_errors():
    assert format_age(None) == "no data yet"
    assert format_age(0) == "data is 0 s old"
    assert format_age(7_400) == "data is 7 s old"
    assert format_age(125_000) == "data is 2 min 5 s old"
    assert format_age(2 * 3_600_000 + 180_000) == "data is 2 h 3 min old"
    assert format_errors({}) == "no protocol errors"
    assert format_errors({"bad_json": 0}) == "no protocol errors"
    assert format_errors({"oversized": 1, "bad_json": 3, "unknown_type": 1200}) == \
        "unknown_type × 1,200 · bad_json × 3 · oversized × 1"


# -- the panel -----------------------------------------------------------------------------
def test_a_live_feed(qtbot, feed):
    view = feed.view
    view.set_feed("live", "receiving", SERVER, now_ms=view.newest_ms + 400, errors={})
    panel = make_panel(qtbot, view)
    assert panel.state_label.text() == "LIVE"
    assert panel.age_label.text() == "data is 0 s old"
    assert panel.level == "ok"
    assert panel.reason_label.text() == f"receiving — {SERVER}"
    assert panel.errors_label.text() == "no protocol errors"
    assert panel.points_label.text() == f"{view.points_received:,} points"
    assert panel.series_label.text() == f"{view.series_count} series"
    assert view.points_received == 120 * view.series_count
    assert color_pixels(panel.state_label, theme.DARK.ok) > 100  # the state pill is green


def test_a_stale_feed_shows_stale_and_the_age(qtbot, feed):
    view = feed.view
    view.set_feed("stale", "no data for 7 s", SERVER, now_ms=view.newest_ms + 7_200,
                  errors={"bad_json": 3, "oversized": 1})
    panel = make_panel(qtbot, view)
    assert panel.state_label.text() == "STALE"
    assert panel.age_label.text() == "data is 7 s old"
    assert panel.level == "warn" == frame_level(view.data_age_ms, view.feed_state)
    assert panel.errors_label.text() == "bad_json × 3 · oversized × 1"
    assert color_pixels(panel.state_label, theme.DARK.warn) > 100
    assert color_pixels(panel.age_label, theme.DARK.warn) > 20  # the age is amber too
    panel.grab().save("/tmp/feed_health_stale.png")


def test_a_disconnected_feed_shows_its_reason_in_stale_blue_grey_not_red(qtbot, feed):
    view = feed.view
    view.set_feed("disconnected", "connection refused (retry in 4 s)", SERVER, now_ms=view.newest_ms + 65_000)
    panel = make_panel(qtbot, view)
    assert panel.state_label.text() == "DISCONNECTED"
    # The client's words become a sentence a person can act on (in the UI language).
    reason = panel.reason_label.text()
    assert "connection refused" in reason and reason.endswith(f" — {SERVER}") and reason != "connection refused"
    assert panel.age_label.text() == "data is 1 min 5 s old"
    assert panel.level == "stale"
    # Red means an open incident; a dead feed is the stale blue-grey (issue 13).
    assert color_pixels(panel.state_label, level_color("stale", theme.DARK).name()) > 100
    assert color_pixels(panel.state_label, theme.DARK.crit) == 0
    assert color_pixels(panel.age_label, theme.DARK.crit) == 0
    assert panel.grab().save("/tmp/feed_health.png")


def test_a_task_failure_and_the_last_disconnect_are_shown_until_they_are_not(qtbot):
    """Issue 12: a consumer that died left the console "DISCONNECTED — stopped" with no reason."""
    view = LiveView()
    view.set_feed("live", "live from sim-1", SERVER, faults=0, fault="", last_close="")
    panel = make_panel(qtbot, view)
    assert panel.fault_label.isHidden() and panel.reason_label.text() == f"live from sim-1 — {SERVER}"
    fault = "2 task failures; last at 12:03:04: feed consumer failed (ValueError: x); restarting in 0.1 s"
    close = "last disconnect: closed by us: 1009 message too big"
    view.set_feed("live", "live from sim-1", SERVER, faults=2, fault=fault, last_close=close)
    panel.refresh()
    assert not panel.fault_label.isHidden() and panel.fault_label.text() == fault
    assert color_pixels(panel.fault_label, theme.DARK.warn) > 20
    # Who closed it, said for a person ("us" is this console).
    shown = "last disconnect: closed by this console: 1009 message too big"
    assert panel.reason_label.text() == f"live from sim-1 — {SERVER}\n{shown}"
    view.set_feed("disconnected", "closed by us: 1009 message too big; retrying in 1.2 s", SERVER)
    panel.refresh()
    assert shown not in panel.reason_label.text()  # the reason says it already
    assert panel.fault_label.text() == fault  # kept: faults=None leaves it as it was


def test_before_any_data(qtbot):
    panel = make_panel(qtbot, LiveView())
    assert panel.state_label.text() == "DISCONNECTED"
    assert panel.reason_label.text() == "not started"
    assert panel.age_label.text() == "no data yet"
    assert panel.points_label.text() == "0 points"
    assert panel.series_label.text() == "0 series"


def test_the_age_keeps_counting_while_nothing_arrives(qtbot, feed):
    view = feed.view
    view.set_feed("stale", "no data", SERVER, now_ms=view.newest_ms + 6_000)
    panel = make_panel(qtbot, view)
    assert panel.age_label.text() == "data is 6 s old"
    version = view.version
    # The app moves the feed clock on; the view's version does not change, so the frame
    # timer would not call refresh(): the panel's own timer must.
    view.set_feed("stale", "no data", SERVER, now_ms=view.newest_ms + 16_000)
    assert view.version == version
    assert panel._age_timer.isActive() and panel._age_timer.interval() == AGE_TICK_MS <= 1000
    panel._age_timer.timeout.emit()
    assert panel.age_label.text() == "data is 16 s old"
    assert panel.level == "stale"


def test_one_point_is_singular(qtbot):
    view = LiveView()
    feed_series(view, {SeriesKey("scenario_tps", {"scenario": "a"}): [(1_763_605_800_000, 1.0)]})
    panel = make_panel(qtbot, view)
    assert view.points_received == 1
    assert panel.points_label.text() == "1 point"
    feed_series(view, {SeriesKey("scenario_tps", {"scenario": "a"}): [(1_763_605_801_000, 2.0)]})
    panel.refresh()
    assert panel.points_label.text() == "2 points"


def test_a_wall_corner_stacks_the_counters_and_shows_them_whole(qtbot, feed):
    """At the command-centre's size the health block is narrow: the counters go under the
    status, each on its own line, none cut (they once were, side by side)."""
    view = feed.view
    view.set_feed("live", "receiving", SERVER, now_ms=view.newest_ms + 400, errors={})
    panel = make_panel(qtbot, view)
    panel.resize(540, 220)
    QApplication.processEvents()
    assert panel.stacked
    for label in (panel.errors_label, panel.points_label, panel.series_label):
        text_px = label.fontMetrics().horizontalAdvance(label.text())
        assert label.width() >= text_px, (label.objectName(), label.width(), text_px)
        assert panel.rect().contains(label.geometry()), label.objectName()
    panel.resize(1600, 140)  # a desk's bottom strip: side by side again
    QApplication.processEvents()
    assert not panel.stacked


def test_the_points_counter_repaints_without_relaying_out_the_window(qtbot, feed):
    """A new count every second must not make the parents lay out again (in a dock that is
    the whole main window)."""
    view = feed.view
    panel = make_panel(qtbot, view)
    requests = []

    class Watch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.LayoutRequest:
                requests.append(obj)
            return False

    watch = Watch()
    panel.installEventFilter(watch)
    QApplication.processEvents()
    requests.clear()
    for _ in range(5):
        feed.tick(1)
        panel.refresh()
        QApplication.processEvents()
    assert requests == []


def test_a_narrow_wall_corner_puts_the_age_under_a_long_state_word_rather_than_eliding_it(qtbot, feed):
    """Issue 13: in the wall's narrow corner "DISCONNECTED" pushed the age to "data i…"."""
    view = feed.view
    panel = make_panel(qtbot, view)
    panel.resize(400, 300)
    qtbot.wait(10)
    assert not panel.age_under_state  # "LIVE" and the age fit on one line
    view.set_feed("disconnected", "connection refused", SERVER, now_ms=view.newest_ms + 30_000)
    panel.refresh()
    panel.resize(panel.state_label.sizeHint().width() + 120, 300)  # room for the word, not both
    qtbot.wait(10)
    age = panel.age_label
    assert panel.age_under_state
    assert age.fontMetrics().horizontalAdvance(age.text()) <= age.width()  # drawn whole, not elided
    panel.resize(1600, 140)  # a wide desk strip: side by side again
    qtbot.wait(10)
    assert not panel.age_under_state
