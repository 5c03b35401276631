"""The last patrol's verdict on the feed-health panel: hidden until a patrol, then word, age, counts."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.core.patrol import world  # noqa: E402
from warroom.core.model import Event, EventKind  # noqa: E402
from warroom.core.patrol import inspect, patrol_event  # noqa: E402
from warroom.protocol.messages import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.health.panel import FeedHealthPanel  # noqa: E402
from warroom.ui.wall.patrol_verdict import PatrolVerdict, ago_text, detail_text  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


def _event(**kw) -> Event:
    series, end = world.healthy(world.T0, **kw)
    return patrol_event(inspect(world.topology(), series, start_ms=world.T0, end_ms=end, source="console"))


def test_hidden_until_a_patrol_then_it_says_the_verdict(qtbot):
    view = LiveView()
    view.apply(TopologySnapshot(world.T0, world.topology()))
    panel = FeedHealthPanel(view)
    qtbot.addWidget(panel)
    panel.resize(700, 300)
    panel.show()
    panel.refresh()
    assert panel.patrol.isHidden()
    ev = _event(trade_error=0.2)
    view.add_events([ev])
    view.set_cursor(ev.ts + 2 * 3_600_000 + 5 * 60_000)
    panel.refresh()
    assert not panel.patrol.isHidden()
    assert panel.patrol.word.text() == "FAIL" and panel.patrol.verdict == "fail"
    assert panel.patrol.age.full_text == "2 h 5 min ago"
    assert "1 fail" in panel.patrol.detail.full_text and "unknown headroom" in panel.patrol.detail.full_text
    # In a narrow dock each line is elided, never wider than its label, never cut in half.
    panel.resize(260, 300)
    qtbot.wait(50)
    for label in (panel.patrol.age, panel.patrol.detail):
        assert label.fontMetrics().horizontalAdvance(label.text()) <= max(1, label.width())
        assert label.text()
    # A newer, passing patrol replaces it.
    better = _event()
    later = Event(better.id + "-2", ev.ts + 60_000, EventKind.PATROL, better.subject, better.title,
                  better.severity, better.attrs)
    view.add_events([later])
    panel.refresh()
    assert panel.patrol.word.text() == "PASS"


def test_a_malformed_patrol_event_is_not_shown(qtbot):
    w = PatrolVerdict()
    qtbot.addWidget(w)
    w.show_event(Event("p", 1, EventKind.PATROL, "x", "t", attrs={"verdict": 7}), 2)
    assert w.isHidden() and w.verdict is None


def test_words():
    assert ago_text(30_000) == "just now"
    assert ago_text(12 * 60_000) == "12 min ago"
    assert ago_text(None) == ""
    assert detail_text(Event("p", 1, EventKind.PATROL, "x", "t", attrs={"counts": {"fail": 0, "warn": 0}})) == "all pass"
