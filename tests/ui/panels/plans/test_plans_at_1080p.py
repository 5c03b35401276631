"""The plan panel where the commander reads it: the bottom dock of the commander layout at
1920x1080 (and the same picture at 3840x2160). Ten plans or more show without scrolling,
suggested ones first; the impact preview is never cut off; the run's verification reads as
labelled steps; the plan's risk does not look like an alert severity."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea  # noqa: E402

from tests.ui.panels.plans.test_plans_panel import Rig  # noqa: E402
from warroom.core.settings.layouts import load_layout  # noqa: E402
from warroom.protocol import CommandResult  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.main_window import MainWindow  # noqa: E402
from warroom.ui.panels.alerts.cards import CARD_ROLE, SEVERITY_COLORS  # noqa: E402
from warroom.ui.panels.plans import actions as plan_actions  # noqa: E402
from warroom.ui.panels.plans import dialogs as plan_dialogs  # noqa: E402
from warroom.ui.panels.plans.progress import STATUS_MARK  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 12)
    yield
    theme.set_wall_scale(1.0)


def settle() -> None:
    """Let Qt lay out what changed (a scroll area follows its widget a few events later)."""
    for _ in range(6):
        QApplication.processEvents()


def commander(qtbot, rig: Rig, size: tuple[int, int]):
    """The commander layout over the rig's view, at ``size``; its plan panel."""
    win = MainWindow(rig.view, load_layout("commander"))
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.refresh_now()
    settle()
    return win, win.panels["plans"]


def fully_visible_rows(panel) -> list[int]:
    viewport = panel.list.viewport().rect()
    return [i for i in range(panel.model.rowCount())
            if viewport.contains(panel.list.visualRect(panel.model.index(i)))]


@pytest.mark.parametrize("size, scale", [((1920, 1080), 1.0), ((3840, 2160), 2.0)])
def test_ten_plans_or_more_show_at_once_suggested_first(qtbot, size, scale):
    theme.set_wall_scale(scale)
    rig = Rig(alerting=True, seconds=200)
    rig.sim.inject_fault("dependency_outage", "bank-ccb", None)
    rig.run(60)
    _win, panel = commander(qtbot, rig, size)
    rows = panel.model.rows
    assert len(rows) == len(rig.sim.plans) > 14, "every plan of the catalogue, rollbacks too"
    assert rows[0].suggested_for and rows[0].plan.id == "failover-bank-ccb", "suggested first"
    visible = fully_visible_rows(panel)
    assert len(visible) >= 10, f"only {len(visible)} of {len(rows)} plans visible at {size}"
    assert visible[0] == 0, "the suggested plan is the first thing in the list"
    assert panel.splitter.orientation().name == "Horizontal", "a bottom dock: list beside the detail"


def _shown_labels(panel) -> list[QLabel]:
    return [w for w in panel.detail.findChildren(QLabel) if w.isVisibleTo(panel.detail) and w.text()]


def test_the_impact_preview_is_never_cut_off(qtbot):
    rig = Rig(alerting=True, seconds=200)
    rig.sim.inject_fault("traffic_surge", "app-gateway", None, multiplier=3.0)  # a long preview, with warnings
    rig.run(120)
    _win, panel = commander(qtbot, rig, (1920, 1080))
    for plan_id in ("ratelimit-app-gateway", "failover-bank-icbc", "degrade-coupon"):
        assert panel.select_plan(plan_id)
        settle()
        detail = panel.detail
        scroll = panel.findChild(QScrollArea, "plan_detail_scroll")
        viewport = scroll.viewport()
        assert detail.impact.isVisibleTo(detail) and detail.impact.text()
        assert detail.width() <= viewport.width(), "nothing hidden to the right of the detail"
        bottom = 0
        for label in _shown_labels(panel):
            box = label.geometry().translated(label.parentWidget().mapTo(detail, label.parentWidget().rect().topLeft()))
            assert box.right() < detail.width(), f"{label.objectName() or label.text()[:30]!r} runs off the right"
            if label.wordWrap():
                need = label.heightForWidth(label.width())
                assert label.height() >= need, f"{label.objectName()!r}: {label.height()} px for {need} px of text"
            else:
                assert label.width() >= label.sizeHint().width(), f"{label.text()!r} is cut"
            bottom = max(bottom, box.bottom())
        # The detail is as tall as what it shows, and the scroll area reaches all of it.
        assert bottom < detail.height()
        assert detail.height() <= viewport.height() + scroll.verticalScrollBar().maximum()


def test_verification_reads_as_labelled_steps(qtbot, monkeypatch):
    rig = Rig(seconds=200)
    loop = asyncio.new_event_loop()
    monkeypatch.setattr(plan_actions, "spawn", lambda coro: loop.run_until_complete(coro))
    monkeypatch.setattr(plan_dialogs, "ask_actor", lambda parent: "li.wei")
    monkeypatch.setattr(plan_dialogs, "ask_reason", lambda *a: "ICBC timeouts")
    monkeypatch.setattr(plan_dialogs, "ask_confirmation", lambda parent, plan, reason, dry_run=None: plan.id)
    _win, panel = commander(qtbot, rig, (1920, 1080))
    panel.select_plan("failover-bank-icbc")
    panel.execute_selected()
    (run,) = rig.desk.runs()
    rig.desk.on_item(CommandResult(run.id, "succeeded", "routing weights changed"))
    rig.run(62)  # the guard's 60 s: QR pay is healthy, the run is verified effective
    panel.refresh()
    settle()
    loop.close()
    strip = panel.detail.progress
    assert [s.label for s in strip.steps] == ["Confirmed", "Sent", "In force", "Effective"]
    assert all(s.status == "done" for s in strip.steps)
    words = strip.text()
    assert words.startswith("Confirmed ✓ ") and "→ Effective ✓ " in words, words
    shown = QLabel.text(strip)  # what is painted: every step's word and mark, not dots
    for step in strip.steps:
        assert step.label in shown
    assert shown.count(STATUS_MARK["done"]) == len(strip.steps)
    assert strip.height() >= strip.heightForWidth(strip.width()), "the steps wrap, never cut"
    assert ": before " in panel.detail.kpi.text() and " → after " in panel.detail.kpi.text()


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance


def test_the_risk_mark_is_not_an_alert_severity(qtbot):
    rig = Rig(seconds=60)
    _win, panel = commander(qtbot, rig, (1920, 1080))
    t = theme.current()
    severities = SEVERITY_COLORS["dark"]
    alarm = [QColor(c) for c in (t.crit, t.warn, severities["P0"], severities["P1"], severities["P2"])]
    row = panel.model.row_of("failover-bank-icbc")
    card = panel.model.data(panel.model.index(row), CARD_ROLE)
    (risk,) = [b for b in card.badges if b.text.startswith("RISK")]
    assert risk.text == "RISK: HIGH" and risk.boxed and not risk.bold
    assert not any(_close(QColor(risk.color), c) for c in alarm), "drawn in the text colour, not an alarm colour"
    assert not any("CRITICAL" in b.text for b in card.badges)
    # As painted: an outline in a calm colour around the words, not a filled coloured badge.
    image = panel.list.viewport().grab().toImage()
    delegate = panel.list.itemDelegate()
    parts = delegate.layout(card, QRectF(panel.list.visualRect(panel.model.index(row))))
    (box,) = [b for badge, b, _ in parts["marks"] if badge.text == risk.text]
    ratio = image.devicePixelRatio()
    pixels = [image.pixelColor(int(x * ratio), int(y * ratio))
              for x in range(int(box.left()) + 3, int(box.right()) - 3)
              for y in range(int(box.top()) + 3, int(box.bottom()) - 3)]
    assert pixels and not any(_close(p, c) for p in pixels for c in alarm), "no red, amber or severity colour"
    background = sum(1 for p in pixels if p.lightness() < 60)
    assert background / len(pixels) > 0.5, "outlined, not filled"
    # The detail says it the same way.
    panel.select_plan("failover-bank-icbc")
    sheet = panel.detail.risk.styleSheet()
    assert panel.detail.risk.text() == "RISK: HIGH" and "border" in sheet and "background: transparent" in sheet
    assert t.crit not in sheet and t.warn not in sheet
    assert "CRITICAL" not in panel.detail.marks.text()
    panel.select_plan("degrade-coupon")
    assert panel.detail.risk.text() == "RISK: LOW"
