"""A plan run's progress as labelled steps: confirmed → sent → in force → effective, then the
rollback if there is one. Each step is its name, a mark (✓ done, ◌ under way, ✗ failed, ○ not
yet) in its colour (green, blue, red, grey) and its time in feed time, so the strip reads
without colour too and never shrinks to bare dots in a short dock; it wraps between steps.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from warroom.core.model import Event, EventKind
from warroom.core.plan.plan_runs import PlanRun
from warroom.ui import theme
from warroom.ui.panels.plans.text import guard_holds, time_text, translate

#: Step status -> theme colour role.
STATUS_ROLE = {"done": "ok", "current": "accent", "failed": "crit", "warn": "warn", "todo": "border"}
#: Step status -> the mark after its word.
STATUS_MARK = {"done": "✓", "current": "◌", "failed": "✗", "warn": "!", "todo": "○"}


@dataclass(frozen=True)
class Step:
    """One step of the strip: ``status`` is done, current, failed, warn or todo."""

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
    ld = run.ladder
    if ld is not None:  # a staged shift verifies stage by stage: its ladder says where
        n, of = ld.index + 1, len(ld.stages)
        if ld.phase == "completed":
            steps.append(Step(translate("PlansPanel", "All stages passed"), at("completed", run.verified_ms), "done"))
        elif ld.failed_stage is not None and not ld.aborted:
            steps.append(Step(translate("PlansPanel", "Stage %1/%2 failed").replace("%1", str(n)).replace(
                "%2", str(of)), at("stage_failed"), "failed"))
        elif ld.failed_stage is not None:
            steps.append(Step(translate("PlansPanel", "Aborted at stage %1/%2").replace("%1", str(n)).replace(
                "%2", str(of)), at("aborted"), "warn"))
        elif run.executed_ms is not None:
            steps.append(Step(translate("PlansPanel", "Stage %1/%2…").replace("%1", str(n)).replace(
                "%2", str(of)), "", "current"))
        else:
            steps.append(Step(translate("PlansPanel", "Stages"), "", "todo"))
    elif ok is True:
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


class ProgressStrip(QLabel):
    """The steps of a run as labelled words on one wrapping line (see the module docstring):
    ``Confirmed ✓ 10:31:02 → Sent ✓ → In force ✓ → Effective ✓ 10:31:40``. A time is shown
    where it differs from the step before: most steps of a run happen in the same second."""

    def __init__(self, parent: QWidget | None = None, *, label_pt: float = 14.0) -> None:
        super().__init__(parent)
        self.setObjectName("plan_progress")
        self.steps: list[Step] = []
        self.setFont(theme.ui_font(label_pt))
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)  # a narrow dock wraps between steps, never inside one
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def set_steps(self, steps: list[Step]) -> None:
        """Show ``steps`` (redraws only if they changed)."""
        if steps != self.steps:
            self.steps = list(steps)
            self.setText(steps_html(self.steps))
            self.setToolTip(self.text_plain())

    def text_plain(self) -> str:
        """The strip in words, every time included: ``Confirmed ✓ 10:31:02 → Sent ✓ 10:31:02 → …``."""
        return " → ".join(f"{s.label} {STATUS_MARK.get(s.status, '')} {s.time}".strip().replace("  ", " ")
                          for s in self.steps)

    def text(self) -> str:  # noqa: D102 - QLabel's text is HTML; tests and a11y read words
        return self.text_plain()


def steps_html(steps: list[Step]) -> str:
    """The steps as rich text: each step's word and mark in its status colour, its time dim."""
    t = theme.current()
    parts, last_time = [], None
    for s in steps:
        color = t.text_dim if s.status == "todo" else (t.text if s.status == "done" else t.color(
            STATUS_ROLE.get(s.status, "border")).name())
        mark_color = t.color(STATUS_ROLE.get(s.status, "border")).name() if s.status != "todo" else t.text_dim
        bold = s.status in ("failed", "current")
        word = html.escape(s.label)
        word = f"<b>{word}</b>" if bold else word
        piece = (f"<span style='color:{color}'>{word}</span>&nbsp;"
                 f"<span style='color:{mark_color}'><b>{STATUS_MARK.get(s.status, '')}</b></span>")
        if s.time and s.time != last_time:
            piece += f"&nbsp;<span style='color:{t.text_dim}'>{html.escape(s.time).replace(' ', '&nbsp;')}</span>"
            last_time = s.time
        parts.append(f"<span style='white-space:nowrap'>{piece}</span>")
    arrow = f" <span style='color:{t.text_dim}'>→</span> "
    return arrow.join(parts)
