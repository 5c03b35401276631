"""The rules review panel: the same figures as ``warroom rules review``, from the events the console
holds; noisy rules named with their reason; hostile rule ids drawn as text; reviews off the UI thread."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402

from tests.core.alerting.review_events import HOSTILE_RULES, alert, episode  # noqa: E402
from warroom.core.alerting.review import review  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402
from warroom.ui.panels.rules_review.model import COLUMNS, COL_VERDICT  # noqa: E402
from warroom.ui.panels.rules_review.panel import RulesReviewPanel  # noqa: E402


def make_panel(qtbot, events) -> RulesReviewPanel:
    view = LiveView()
    view.add_events(events)
    panel = RulesReviewPanel(view)
    qtbot.addWidget(panel)
    panel.resize(1000, 400)
    panel.show()
    panel.settle()
    return panel


def cell(panel, row: int, column: str, role=Qt.ItemDataRole.DisplayRole):
    return panel.model.data(panel.model.index(row, COLUMNS.index(column)), role)


def noisy_log():
    events = []
    for i in range(4):
        events += episode(i * 100, "flap", "disk-blip", last_s=30, tags=["flapping"] if i >= 1 else [])
    for i in range(3):
        events += episode(1000 + i * 200, f"ok{i}", "scenario-success", ack_after_s=45, last_s=120, severity="P1")
    return events


def test_the_registry_knows_the_panel():
    assert panel_class("rules_review") is RulesReviewPanel


def test_no_alerts_says_there_is_nothing_to_review(qtbot):
    panel = make_panel(qtbot, [])
    assert panel.model.rowCount() == 0
    assert panel.summary.text() == "No alerts yet: nothing to review"


def test_the_table_shows_the_review_with_the_noisy_rule_first_and_named(qtbot):
    events = noisy_log()
    panel = make_panel(qtbot, events)
    expected = review(events)
    assert [r.rule for r in panel.model.rows] == [r.rule for r in expected.rules]
    assert panel.summary.text() == "2 rules  ·  7 firings  ·  1 only make noise"
    assert (cell(panel, 0, "rule"), cell(panel, 0, "fired"), cell(panel, 0, "flapped")) == ("disk-blip", "4", "3")
    assert cell(panel, 0, "verdict") == "nobody acted on it, mostly flapping"
    assert cell(panel, 0, "verdict", Qt.ItemDataRole.ToolTipRole) == (
        "fired 4 times, nobody acknowledged it or ran a plan\nflapped in 3 of 4 firings")
    assert cell(panel, 0, "verdict", Qt.ItemDataRole.ForegroundRole) is not None  # in the warning colour
    assert (cell(panel, 1, "rule"), cell(panel, 1, "acknowledged"), cell(panel, 1, "median_ack")) == (
        "scenario-success", "3", "45 s")
    assert cell(panel, 1, "verdict") == ""


def test_the_review_follows_new_events(qtbot):
    view_events = episode(0, "a", "errors", ack_after_s=5)
    panel = make_panel(qtbot, view_events)
    assert [r.rule for r in panel.model.rows] == ["errors"]
    panel.source.add_events(episode(500, "b", "latency", last_s=20))
    panel.interval_s = 0.0  # no waiting between reviews in a test
    panel.refresh()
    panel.settle()
    assert sorted(r.rule for r in panel.model.rows) == ["errors", "latency"]


def test_hostile_rule_ids_are_drawn_as_text(qtbot):
    events = [e for i, rule in enumerate(HOSTILE_RULES) for e in episode(i * 100, f"h{i}", rule, last_s=20)]
    events.append(alert(900, "x", None, "firing"))
    panel = make_panel(qtbot, events)
    shown = [cell(panel, row, "rule") for row in range(panel.model.rowCount())]
    assert len(shown) == len(HOSTILE_RULES) + 1
    assert not any("\x1b" in s or "\u202e" in s for s in shown)  # controls as visible symbols
    assert "␛[31mred␛[0m" in shown and "<b>bold</b>" in shown and "(no rule)" in shown
    assert panel.table.horizontalHeader().sectionSize(0) <= max(120, panel.table.viewport().width() // 3) + 1


def test_a_failing_review_leaves_the_last_table_and_the_console_up(qtbot, monkeypatch):
    panel = make_panel(qtbot, noisy_log())
    from warroom.ui.panels.rules_review import panel as panel_module

    def broken(events):
        raise RuntimeError("bug")

    monkeypatch.setattr(panel_module, "_timed_review", broken)
    panel.source.add_events(episode(5000, "z", "new-rule"))
    panel.interval_s = 0.0
    panel.refresh()
    panel.settle()
    assert [r.rule for r in panel.model.rows] == ["disk-blip", "scenario-success"]
    assert COL_VERDICT == len(COLUMNS) - 1
