"""A plan run's progress as a strip of steps: confirmed → sent → in force → effective, then
the rollback if there is one. Each step is a dot (green done, blue under way, red failed,
grey not yet) with its name and its time in feed time below; the word says what the colour
says, so the strip reads without colour too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from warroom.core.model import Event, EventKind
from warroom.core.plan_runs import PlanRun
from warroom.ui import theme
from warroom.ui.panels.plans.text import guard_holds, time_text, translate

#: Step status -> theme colour role.
STATUS_ROLE = {"done": "ok", "current": "accent", "failed": "crit", "warn": "warn", "todo": "border"}


@dataclass(frozen=True)
class Step:
    """One dot of the strip: ``status`` is done, current, failed, warn or todo."""

    label: str
    time: str
    status: str


def audit_by_action(events: Iterable[Event], run_id: str) -> dict[str, Event]:
    """A run's audit events by action (the newest of each), from an event log."""
    out: dict[str, Event] = {}
    for ev in events:
        if ev.kind is EventKind.PLAN_EXECUTION and ev.attrs.get("run") == run_id:
            out[str(ev.attrs.get("action"))] = ev
    return out


def verified_ok(run: PlanRun, times: Mapping[str, int]) -> bool | None:
    """Whether the guard KPI recovered (None if not verified yet)."""
    if run.state == "effective" or "effective" in times:
        return True
    if run.state == "not_effective" or "not_effective" in times:
        return False
    if run.verified_ms is None:
        return None
    return guard_holds(run.guard, run.after)


def run_steps(run: PlanRun, times: Mapping[str, int] | None = None) -> list[Step]:
    """The steps of ``run``; ``times`` maps audit actions to their feed times (from the event
    log) where known, else the run's own timestamps are used."""
    times = dict(times or {})
    state = run.state

    def at(action: str, fallback: int | None = None) -> str:
        ms = times.get(action, fallback)
        return time_text(ms) if ms is not None else ""

    steps = [Step(translate("PlansPanel", "Confirmed"), at("confirmed", run.confirmed_ms), "done")]
    if state == "confirmed":
        steps.append(Step(translate("PlansPanel", "Sending…"), "", "current"))
    else:
        steps.append(Step(translate("PlansPanel", "Sent"), at("sent"), "done"))
    if state == "failed":
        steps.append(Step(translate("PlansPanel", "Failed"), at("failed", run.ended_ms), "failed"))
    elif run.executed_ms is not None:
        steps.append(Step(translate("PlansPanel", "In force"), at("executed", run.executed_ms), "done"))
    elif state == "sent":
        steps.append(Step(translate("PlansPanel", "Executing…"), "", "current"))
    else:
        steps.append(Step(translate("PlansPanel", "In force"), "", "todo"))

    ok = verified_ok(run, times)
    verify_at = at("effective" if ok else "not_effective", run.verified_ms)
    if ok is True:
        steps.append(Step(translate("PlansPanel", "Effective"), verify_at, "done"))
    elif ok is False:
        steps.append(Step(translate("PlansPanel", "NOT EFFECTIVE"), verify_at, "failed"))
    elif run.guard is None:
        steps.append(Step(translate("PlansPanel", "No guard"), "", "todo"))
    elif state == "executed" and run.executed_ms is not None:
        deadline = run.executed_ms + int(run.guard["within_s"] * 1000)
        steps.append(Step(translate("PlansPanel", "Verifying…"),
                          translate("PlansPanel", "by %1").replace("%1", time_text(deadline)), "current"))
    else:
        steps.append(Step(translate("PlansPanel", "Effective?"), "", "todo"))

    if state == "expired":
        steps.append(Step(translate("PlansPanel", "Expired, rolled back"), at("expired", run.ended_ms), "done"))
    elif state in ("rolling_back", "rolled_back") or "rolling_back" in times:
        if "rolling_back" in times or state == "rolling_back":
            steps.append(Step(translate("PlansPanel", "Rolling back"), at("rolling_back"),
                              "current" if state == "rolling_back" else "done"))
        if state == "rolled_back":
            steps.append(Step(translate("PlansPanel", "Rolled back"), at("rolled_back", run.ended_ms), "done"))
    return steps


class ProgressStrip(QWidget):
    """Paints a list of ``Step`` (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None, *, label_pt: float = 13.0, time_pt: float = 12.0) -> None:
        super().__init__(parent)
        self.setObjectName("plan_progress")
        self.steps: list[Step] = []
        self.label_font = theme.ui_font(label_pt)
        self.label_bold = theme.ui_font(label_pt, bold=True)
        self.time_font = theme.ui_font(time_pt)
        self._lm = QFontMetricsF(self.label_bold)
        self._tm = QFontMetricsF(self.time_font)
        self.radius = 9.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(self.sizeHint().height())

    def set_steps(self, steps: list[Step]) -> None:
        """Show ``steps`` (repaints only if they changed)."""
        if steps != self.steps:
            self.steps = list(steps)
            self.update()

    def text(self) -> str:
        """The strip in words: ``Confirmed 10:31:02 → Sent 10:31:02 → …`` (for tests and a11y)."""
        return " → ".join(f"{s.label} {s.time}".strip() for s in self.steps)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(400, int(2 * self.radius + self._lm.height() + self._tm.height() + 14))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        if not self.steps:
            return
        t = theme.current()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        n = len(self.steps)
        slot = self.width() / n
        cy = self.radius + 3
        centres = [slot * (i + 0.5) for i in range(n)]
        for i in range(n - 1):  # the links first, under the dots
            nxt = self.steps[i + 1].status
            reached = nxt != "todo"
            color = t.color(STATUS_ROLE["failed" if nxt == "failed" else "done"] if reached else "border")
            painter.setPen(QPen(color, 3 if reached else 2, Qt.PenStyle.SolidLine if reached else Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(centres[i] + self.radius + 2, cy), QPointF(centres[i + 1] - self.radius - 2, cy))
        for x, step in zip(centres, self.steps):
            color = t.color(STATUS_ROLE.get(step.status, "border"))
            dot = QRectF(x - self.radius, cy - self.radius, 2 * self.radius, 2 * self.radius)
            if step.status == "current":  # under way: a ring, not yet a dot
                painter.setPen(QPen(color, 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(dot.adjusted(1.5, 1.5, -1.5, -1.5))
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                painter.drawEllipse(dot)
            top = cy + self.radius + 4
            label_color = t.color("text_dim") if step.status == "todo" else (
                color if step.status in ("failed", "current", "warn") else t.color("text"))
            bold = step.status in ("failed", "current")
            painter.setFont(self.label_bold if bold else self.label_font)
            painter.setPen(label_color)
            box = QRectF(x - slot / 2 + 2, top, slot - 4, self._lm.height())
            label = QFontMetricsF(painter.font()).elidedText(step.label, Qt.TextElideMode.ElideRight, box.width())
            painter.drawText(box, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), label)
            if step.time:
                painter.setFont(self.time_font)
                painter.setPen(QColor(t.text_dim))
                box = QRectF(x - slot / 2 + 2, top + self._lm.height(), slot - 4, self._tm.height())
                painter.drawText(box, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), step.time)
        painter.end()
