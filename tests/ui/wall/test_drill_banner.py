"""The DRILL banner: shown while a drill runs (and while its incidents are open), violet, across
the window under the STALE banner (never hiding it), in both languages; gone when the drill is
over. A drill's events say DRILL in the event feed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QTranslator  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.board_support import SimFeed, color_pixels  # noqa: E402
from tests.ui.wall.test_stale import kill, live  # noqa: E402
from warroom.core.incident.drills import DrillStatus, DrillWindow, drill_event, marked  # noqa: E402
from warroom.core.model import Event, EventKind, Severity  # noqa: E402
from warroom.core.settings.layouts import load_layout  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.main_window import MainWindow  # noqa: E402
from warroom.ui.panels.events.panel import EventFeedPanel  # noqa: E402
from warroom.ui.wall.drill_banner import DrillBanner, banner_text, drill_colors, drill_tag  # noqa: E402


@pytest.fixture
def feed() -> SimFeed:
    return SimFeed(seconds=60)


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


def test_a_drill_shows_the_banner_across_the_top_until_it_ends(win, feed):
    banner = win.drill_banner
    assert banner.isHidden(), "no drill, no banner"
    did = feed.sim.start_drill("ICBC game day", actor="li.wei")
    feed.tick(5)
    live(feed)
    win.refresh_now()
    QApplication.processEvents()
    assert banner.isVisible() and banner.height() > 0 and banner.width() == win.width()
    assert banner.word == "DRILL"
    assert banner.text.startswith("ICBC game day · since ") and "not counted in production MTTR" in banner.text
    # Unmistakable: most of it is the drill's violet, a colour nothing else on the wall uses.
    fill, block, _ = drill_colors()
    violet = color_pixels(banner, fill, tolerance=12) + color_pixels(banner, block, tolerance=12)
    assert violet > banner.width() * banner.height() // 2 * 0.5
    assert banner.mapTo(win, banner.rect().topLeft()).y() < win.centralWidget().mapTo(win, win.centralWidget().rect().topLeft()).y()
    assert feed.sim.end_drill() == did
    feed.tick(2)
    live(feed)
    win.refresh_now()
    assert banner.isHidden()


def test_the_stale_banner_stays_on_top_of_a_drill(win, feed):
    feed.sim.start_drill("game day")
    feed.tick(3)
    kill(feed)
    win.refresh_now()
    QApplication.processEvents()
    stale, drill = win.stale_banner, win.drill_banner
    assert stale.isVisible() and drill.isVisible()
    top = lambda w: w.mapTo(win, w.rect().topLeft()).y()  # noqa: E731
    assert top(stale) == 0 and top(drill) >= top(stale) + stale.height(), "stacked, the stale one first"


def test_after_the_window_the_banner_stays_while_a_drill_incident_is_open(qtbot):
    banner = DrillBanner()
    qtbot.addWidget(banner)
    t0 = 1_731_292_200_000
    opened = marked(Event("incident:I1:1", t0 + 5000, EventKind.INCIDENT, "bank-icbc", "ICBC down", Severity.P1,
                          {"incident": "I1", "action": "opened", "state": "open"}), "d1")

    class View:
        events_version = 1
        cursor_ms = t0 + 70_000

        def events(self):
            return [drill_event("d1", t0, "start", name="ICBC"), opened, drill_event("d1", t0 + 60_000, "end")]

    banner.observe(View())
    assert not banner.isHidden()
    assert banner.text == "drill over · 1 drill incident open · not counted in production MTTR"
    banner.set_status(None)
    assert banner.isHidden() and banner.text == ""


class _Chinese(QTranslator):
    """The words the lead's .ts will hold, to prove the banner asks Qt for every one of them."""

    WORDS = {"DRILL": "演练", "since %1": "开始于 %1", "%1 drill incidents open": "%1 起演练事件未结束",
             "not counted in production MTTR": "不计入生产 MTTR", "drill over": "演练已结束"}

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D102 - Qt override
        return self.WORDS.get(source, "") if context == "Drill" else ""


def test_the_banner_and_tags_speak_chinese(qtbot):
    app = QCoreApplication.instance()
    zh = _Chinese()
    app.installTranslator(zh)
    try:
        status = DrillStatus(DrillWindow("d1", 1_731_292_200_000, None, "ICBC"), 2, ("d1",))
        assert banner_text(status) == "ICBC · 开始于 10:30:00 · 2 起演练事件未结束 · 不计入生产 MTTR"
        banner = DrillBanner()
        qtbot.addWidget(banner)
        banner.set_status(status)
        assert banner.word == "演练"
        over = DrillStatus(None, 0, ("d1",))
        assert banner_text(over) == "演练已结束 · 不计入生产 MTTR"
        # The drill's own name in the wall's language, when it gave one (data, not the console's words).
        from warroom.core.language.lang import language, set_language

        before = language()
        set_language("zh_CN")
        try:
            named = DrillStatus(DrillWindow("d1", 1_731_292_200_000, None, "ICBC", "", {"zh_CN": "工行演练"}), 0)
            assert banner_text(named).startswith("工行演练 · 开始于 ")
        finally:
            set_language(before)
    finally:
        app.removeTranslator(zh)


def test_a_drills_events_say_drill_in_the_event_feed(qtbot, feed):
    did = feed.sim.start_drill("game day")
    feed.sim.inject_fault("latency_spike", "coupon", 20)
    feed.tick(5)
    panel = EventFeedPanel(feed.view)
    qtbot.addWidget(panel)
    panel.refresh()
    faults = [e for e in feed.view.events() if e.kind is EventKind.FAULT]
    assert faults and drill_tag(faults[0]) == "DRILL · "
    starts = [e for e in feed.view.events() if e.kind is EventKind.DRILL]
    assert starts and drill_tag(starts[0]) == "", "a drill event says it itself"
    model = panel.model
    texts = [str(model.index(r, 3).data() or "") for r in range(model.rowCount())]
    assert any(t.startswith("DRILL · ") for t in texts), texts
    assert all(e.attrs.get("drill") == did for e in faults)


def test_a_drill_incident_card_says_drill(qtbot):
    from warroom.core.incident.incidents import Incident
    from warroom.ui.panels.incidents.model import incident_title

    args = dict(id="I1", title="ICBC gateway down", severity=Severity.P1, root_cause="bank-icbc", state="open",
                owner="", started_ms=0, detected_ms=0, acked_ms=None, recovering_ms=None, resolved_ms=None,
                verified_ms=None, merged_into="", alerts=(), timeline=())
    assert incident_title(Incident(**args)) == "ICBC gateway down"
    assert incident_title(Incident(**args, drill="d1")) == "DRILL · ICBC gateway down"
