"""The selected plan, in full: its run (if any) at the top, then what it would do, then how.

Every text wraps and the detail sits in a scroll area, so nothing is cut off in a short or
narrow dock. Under the title: the plan's risk as an outlined mark (``RISK: HIGH — type the
plan's id to confirm``), in the text colour: not an alert severity.

- **Run**: a red banner "Guard KPI did not recover in time — roll back or escalate" with a
  Rollback button when the run is NOT EFFECTIVE; an amber line with the time left when it is
  about to expire; its state, who ran it and why; the progress strip (confirmed → sent →
  in force → effective as labelled steps with marks and times); the guard KPI before and
  after (or now, while verifying). A staged shift also shows its ladder
  (``stage_ladder.StageLadder``: each stage passed, held, failed or to come) and, on a
  commander's console, Pause / Continue / Abort.
- **Impact preview**: the estimate in plain words, its warnings in amber or red, or
  "No estimate: …" when there was no recent data; when and from how much history.
- **Change it would send**: the feed's dry run of the plan (``plan_change.ChangeBlock``), on
  a commander's console.
- **How**: the steps, the rollback steps, the guard, the expiry and the plan's parameters.
"""

from __future__ import annotations

from typing import Any, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from warroom.core.language.lang import language
from warroom.core.plan.impact import Impact
from warroom.core.plan.plan_runs import PlanRun
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.ui import theme
from warroom.ui.panels.alerts.widgets import make_button
from warroom.ui.panels.plans.change import ChangeBlock
from warroom.ui.panels.plans.list_model import level_color, risk_text
from warroom.ui.panels.plans.progress import ProgressStrip, run_steps
from warroom.ui.panels.plans.stage_ladder import StageLadder
from warroom.ui.panels.plans.text import (countdown, expiry_text, fill, guard_condition, guard_text, impact_level,
                                         impact_lines, kind_word, kpi_value, run_state, series_words, time_text,
                                         translate)

#: History a preview rests on, in minutes (``warroom.app.plan_desk.PREVIEW_SPAN_MS``).
PREVIEW_SPAN_MIN = 5
#: From this width (px at 1080p) the detail has two columns.
TWO_COLUMNS_PX = 820


def _label(parent: QWidget, pt: float, *, bold: bool = False, name: str = "", dim: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(theme.ui_font(pt, bold=bold))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    if dim:
        label.setStyleSheet(f"color: {theme.current().text_dim};")
    return label


class PlanDetail(QWidget):
    """See the module docstring. ``sig_rollback_requested`` is the banner's Rollback button."""

    sig_rollback_requested = Signal()
    #: A staged shift's commands (the panel asks why, then calls the desk).
    sig_pause_requested = Signal()
    sig_resume_requested = Signal()
    sig_abort_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = theme.current()
        self.placeholder = _label(self, 16.0, name="plan_placeholder", dim=True)
        self.heading = _label(self, 17.0, bold=True, name="plan_heading")
        self.marks = _label(self, 13.0, name="plan_marks", dim=True)
        self.risk = _label(self, 12.0, name="plan_risk")
        self.suggested = _label(self, 14.0, bold=True, name="plan_suggested")
        self.suggested.setStyleSheet(f"color: {t.accent};")
        self.description = _label(self, 13.0, dim=True)

        # -- the run
        self.run_box = QWidget(self)
        self.prompt = QFrame(self.run_box)
        self.prompt.setObjectName("not_effective_prompt")
        self.prompt.setStyleSheet(f"QFrame#not_effective_prompt {{ background: {t.crit}; border-radius: 4px; }}"
                                  f" QLabel {{ background: transparent; color: #ffffff; }}")
        self.prompt_label = _label(self.prompt, 16.0, bold=True, name="not_effective_text")
        self.prompt_label.setText(translate("PlansPanel",
                                            "Guard KPI did not recover in time — roll back or escalate"))
        self.prompt_button = make_button(self.prompt, translate("PlansPanel", "Roll back…"), "prompt_rollback_button")
        self.prompt_button.clicked.connect(self.sig_rollback_requested)
        row = QHBoxLayout(self.prompt)
        row.setContentsMargins(10, 8, 10, 8)
        row.addWidget(self.prompt_label, 1)
        row.addWidget(self.prompt_button)
        self.expiring = _label(self.run_box, 15.0, bold=True, name="plan_expiring")
        self.expiring.setStyleSheet(f"color: {t.warn};")
        self.run_state = _label(self.run_box, 16.0, bold=True, name="run_state")
        self.run_who = _label(self.run_box, 14.0, name="run_who")
        self.progress = ProgressStrip(self.run_box)
        self.ladder = StageLadder(self.run_box)
        #: A guard series' value now (the panel sets it: the detail has no view of its own).
        self.value_of = lambda series: None
        self.stage_buttons = QWidget(self.run_box)
        self.pause_button = make_button(self.stage_buttons, translate("PlansPanel", "Pause…"), "pause_stage_button")
        self.resume_button = make_button(self.stage_buttons, translate("PlansPanel", "Continue…"),
                                         "resume_stage_button")
        self.abort_button = make_button(self.stage_buttons, translate("PlansPanel", "Abort…"), "abort_stage_button")
        self.pause_button.clicked.connect(self.sig_pause_requested)
        self.resume_button.clicked.connect(self.sig_resume_requested)
        self.abort_button.clicked.connect(self.sig_abort_requested)
        stage_row = QHBoxLayout(self.stage_buttons)
        stage_row.setContentsMargins(0, 0, 0, 0)
        for b in (self.pause_button, self.resume_button, self.abort_button):
            stage_row.addWidget(b)
        stage_row.addStretch(1)
        self.kpi = _label(self.run_box, 14.0, name="run_kpi")
        self.run_message = _label(self.run_box, 13.0, bold=True, name="run_message")
        self.run_message.setStyleSheet(f"color: {t.crit};")
        col = QVBoxLayout(self.run_box)
        col.setContentsMargins(0, 4, 0, 8)
        col.setSpacing(4)
        state_row = QHBoxLayout()  # "EFFECTIVE   by li.wei: “why”" on one line: a bottom dock is short
        state_row.setSpacing(14)
        state_row.addWidget(self.run_state, 0, Qt.AlignmentFlag.AlignTop)
        state_row.addWidget(self.run_who, 1)
        col.addWidget(self.prompt)
        col.addWidget(self.expiring)
        col.addLayout(state_row)
        for w in (self.ladder, self.stage_buttons, self.progress, self.kpi, self.run_message):
            col.addWidget(w)

        # -- the preview
        self.impact_title = _label(self, 14.0, bold=True)
        self.impact = _label(self, 15.0, name="plan_impact")
        self.warnings = _label(self, 15.0, bold=True, name="plan_warnings")
        self.basis = _label(self, 12.0, name="plan_basis", dim=True)
        self.change = ChangeBlock(self)

        # -- how
        self.steps = _label(self, 13.0, name="plan_steps")
        self.rollback_steps = _label(self, 13.0, name="plan_rollback_steps")
        self.guard = _label(self, 13.0, name="plan_guard")
        self.expiry = _label(self, 13.0, name="plan_expiry")
        self.params = _label(self, 12.0, name="plan_params", dim=True)
        # Captions above their text, not beside it: beside, they take a third of a narrow
        # column, and a QFormLayout keeps stale heights for wrapped rows (longer steps were cut).
        self.how = QWidget(self)
        form = QVBoxLayout(self.how)
        form.setContentsMargins(0, 0, 0, 0)
        form.setSpacing(theme.px(2))
        for text, w in ((translate("PlansPanel", "Steps"), self.steps),
                        (translate("PlansPanel", "Rollback"), self.rollback_steps),
                        (translate("PlansPanel", "Guard"), self.guard),
                        (translate("PlansPanel", "Expiry"), self.expiry),
                        (translate("PlansPanel", "Parameters"), self.params)):
            name = QLabel(text, self.how)
            name.setFont(theme.ui_font(12.0, bold=True))
            name.setStyleSheet(f"color: {t.text_dim};")
            form.addWidget(name)
            form.addWidget(w)
            form.addSpacing(theme.px(4))

        # Wide, what it does (run, impact) and how (steps...) sit side by side; narrow, one under the other.
        what = QVBoxLayout()
        what.setSpacing(4)
        for w in (self.run_box, self.impact_title, self.impact, self.warnings, self.basis, self.change):
            what.addWidget(w)
        what.addStretch(1)
        how = QVBoxLayout()
        how.setSpacing(4)
        how.addWidget(self.description)
        how.addWidget(self.how)
        how.addStretch(1)
        self.columns = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.columns.setSpacing(16)
        self.columns.addLayout(what, 2)
        self.columns.addLayout(how, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        marks = QHBoxLayout()
        marks.setSpacing(theme.px(12))
        marks.addWidget(self.risk, 0, Qt.AlignmentFlag.AlignTop)
        marks.addWidget(self.marks, 1)
        for w in (self.placeholder, self.heading):
            layout.addWidget(w)
        layout.addLayout(marks)
        layout.addWidget(self.suggested)
        layout.addLayout(self.columns)
        layout.addStretch(1)
        self._plan_widgets = (self.heading, self.marks, self.risk, self.description, self.impact_title, self.impact,
                              self.basis, self.how)
        self.show_nothing(translate("PlansPanel", "Select a plan to see what it would do."))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        wide = event.size().width() >= theme.px(TWO_COLUMNS_PX)
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.columns.direction() != direction:
            self.columns.setDirection(direction)

    # -- what is shown ---------------------------------------------------------------------------
    def show_nothing(self, text: str) -> None:
        """No plan selected: a quiet hint."""
        self.placeholder.setText(text)
        self.placeholder.show()
        for w in (*self._plan_widgets, self.suggested, self.warnings, self.run_box, self.change):
            w.hide()

    def show_plan(self, plan: Plan, suggested_for: tuple[str, ...]) -> None:
        """The plan's name, marks and how it works."""
        self.placeholder.hide()
        for w in self._plan_widgets:
            w.show()
        self.heading.setText(plan.title)
        self.marks.setText("  ·  ".join([kind_word(plan.kind), plan.target, plan.id]))
        self.show_risk(plan)
        self.suggested.setText(translate("PlansPanel", "SUGGESTED for the root cause %1")
                               .replace("%1", ", ".join(suggested_for)))
        self.suggested.setVisible(bool(suggested_for))
        self.description.setText(plan.description)
        self.description.setVisible(bool(plan.description))
        self.steps.setText(_numbered(plan.steps))
        self.rollback_steps.setText(_numbered(plan.rollback))
        self.guard.setText(guard_text(plan.guard))
        self.expiry.setText(expiry_text(plan))
        self.params.setText(", ".join(f"{k}={_param(v)}" for k, v in plan.params.items()) or "—")

    def show_risk(self, plan: Plan) -> None:
        """The risk mark: outlined, in the text colour (dim for a low risk), never filled or red."""
        t = theme.current()
        self.risk.setText(translate("PlansPanel", "RISK: HIGH") if plan.critical
                          else translate("PlansPanel", "RISK: LOW"))
        self.risk.setToolTip(risk_text(plan))
        color = t.text if plan.critical else t.text_dim
        self.risk.setStyleSheet(f"QLabel#plan_risk {{ color: {color}; background: transparent;"
                                f" border: {theme.px(1.5)}px solid {color}; border-radius: {theme.px(3)}px;"
                                f" padding: {theme.px(1)}px {theme.px(6)}px; }}")
        self.risk.setWordWrap(False)

    def show_impact(self, plan: Plan, impact: Impact, topology: Topology, as_of_ms: int | None,
                    in_force: bool = False) -> None:
        """The impact preview: sentences, warnings, and what it rests on (``in_force``: the plan
        runs already, so recent data includes its effect)."""
        t = theme.current()
        self.impact_title.setText(translate("PlansPanel", "Impact estimate (the plan is in force)") if in_force
                                  else translate("PlansPanel", "Impact if executed now"))
        self.impact.setText("\n".join(impact_lines(plan, impact, topology)))
        level = impact_level(impact)
        self.warnings.setText("\n".join(f"⚠ {w}" for w in impact.warnings))
        self.warnings.setStyleSheet(f"color: {t.crit if level == 'crit' else t.warn};")
        self.warnings.setVisible(bool(impact.warnings))
        if impact.estimated:
            self.basis.setText(fill(translate("PlansPanel", "Estimated from the last %1 min of data, up to %2."),
                                    PREVIEW_SPAN_MIN, time_text(as_of_ms)))
        else:
            self.basis.setText(translate("PlansPanel", "The map shows what it touches; the figures need live data."))

    def show_change(self, dry: Any) -> None:
        """The feed's dry run of the plan shown (a ``PlanDesk.DryRun``; None hides it)."""
        self.change.show_dry_run(dry)

    def show_run(self, run: PlanRun | None, audit: Mapping[str, Any], now_ms: int | None,
                 current: float | None) -> None:
        """The latest run of the plan (None: hide the run part). ``audit`` maps actions to their
        audit events where the log has them; ``current`` is the guard KPI's value now."""
        if run is None:
            self.run_box.hide()
            return
        self.run_box.show()
        t = theme.current()
        self.prompt.setVisible(run.state == "not_effective")
        word, level = run_state(run)
        self.run_state.setText(word)
        self.run_state.setStyleSheet(f"color: {level_color(level)};")
        who = fill(translate("PlansPanel", "by %1: “%2”"), run.actor or "?", run.reason)
        asked = audit.get("rolling_back")
        if asked is not None and asked.attrs.get("automatic") and run.ladder is not None:
            # The console rolled the staged shift back itself: no person to name, the stage says why.
            failed = run.ladder.stages[run.ladder.failed_stage or run.ladder.index].label(language())
            who += "\n" + fill(translate("PlansPanel", "rolled back automatically: stage %1 failed"), failed)
        elif asked is not None:
            a = asked.attrs
            who += "\n" + fill(translate("PlansPanel", "rollback asked by %1: “%2”"), a.get("actor", "?"),
                               a.get("reason", ""))
        self.run_who.setText(who)
        self.progress.set_steps(run_steps(run, {a: e.ts for a, e in audit.items()}))
        self.run_message.setText(translate("PlansPanel", "Failed: %1").replace("%1", run.message or "?"))
        self.run_message.setVisible(run.state == "failed")
        self.kpi.setStyleSheet(f"color: {t.text};")
        self.ladder.setVisible(run.ladder is not None)
        self.stage_buttons.setVisible(run.ladder is not None and run.live and not run.ladder.ended)
        self.update_clock(run, now_ms, current)

    def update_clock(self, run: PlanRun | None, now_ms: int | None, current: float | None) -> None:
        """What moves with feed time: the time left before expiry, the guard KPI now."""
        if run is None:
            return
        if run.expiry_warned and run.live and run.expires_ms is not None:
            left = run.expires_ms - (now_ms if now_ms is not None else run.expires_ms)
            self.expiring.setText(fill(translate("PlansPanel",
                                                 "Expires in %1 (at %2): the plan then rolls back by itself."),
                                       countdown(left), time_text(run.expires_ms)))
            self.expiring.show()
        else:
            self.expiring.hide()
        self.kpi.setText(_kpi_text(run, current))
        self.kpi.setVisible(run.guard is not None and run.ladder is None)  # a ladder shows its guards itself
        if run.ladder is not None:
            self.ladder.show_ladder(run.ladder, now_ms, self.value_of)


def _kpi_text(run: PlanRun, current: float | None) -> str:
    if run.guard is None:
        return ""
    series = run.guard["series"]
    parts = [translate("PlansPanel", "before %1").replace("%1", kpi_value(series, run.before))]
    if run.after is not None or run.verified_ms is not None:
        parts.append(translate("PlansPanel", "after %1").replace("%1", kpi_value(series, run.after)))
    elif run.live and current is not None:
        parts.append(translate("PlansPanel", "now %1").replace("%1", kpi_value(series, current)))
    text = f"{series_words(series)}: " + " → ".join(parts)
    return text + "   (" + translate("PlansPanel", "needs %1").replace("%1", guard_condition(run.guard)) + ")"


def _numbered(lines: tuple[str, ...]) -> str:
    return "\n".join(f"{i}. {s}" for i, s in enumerate(lines, 1)) or "—"


def _param(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(map(str, v)) + "]"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
