"""The dialogs behind executing and rolling back a plan, as module-level functions.

Executing is two deliberate steps. Step 1 (``ask_reason``) repeats what the plan would do —
the impact preview's sentences and its warnings, in amber or red — and asks why; "Next" stays
disabled until there is a reason. Step 2 (``ask_confirmation``) says once more what will
run — and, when the feed gave a dry run, the change it would send (summary, target) and its
warnings in amber, or why there is none; for a critical plan the person must type the plan's
id, and "Execute" stays disabled until it matches exactly. Cancel at either step sends nothing. Each function returns what
was typed, or ``None`` when the person cancelled; the panel hands the input to ``PlanDesk``,
whose ``ValueError`` is the one place that says what is wrong. Tests replace these
functions with ``monkeypatch``, or drive the dialog classes directly.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLayout, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from warroom.core.language.lang import language
from warroom.core.plan.plan_runs import PlanRun
from warroom.core.plan.plans import Plan
from warroom.ui import theme
from warroom.ui.panels.plans.list_model import level_color
from warroom.ui.panels.plans.text import (change_status, change_summary, change_where, fill, guard_text, kind_word,
                                         run_state, translate)


class _PlanDialog(QDialog):
    """A titled dialog at desk size: labels, fields, then Cancel and one action button."""

    def __init__(self, parent: QWidget | None, title: str, action: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setFont(theme.ui_font(13.0))
        self.setMinimumWidth(620)
        t = theme.current()
        # The application style leaves edits borderless: in a form every field must look like one.
        self.setStyleSheet(
            f"QLineEdit {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 3px; padding: 5px; }}"
            f" QLineEdit:focus {{ border-color: {t.accent}; }}")
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(8)
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(self)
        self.ok_button: QPushButton = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("plan_dialog_ok")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def add_text(self, text: str, *, pt: float = 13.0, bold: bool = False, color: str = "",
                 name: str = "") -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setFont(theme.ui_font(pt, bold=bold))
        if color:
            label.setStyleSheet(f"color: {color};")
        if name:
            label.setObjectName(name)
        self._layout.addWidget(label)
        return label

    def finish(self) -> None:
        self._layout.addLayout(self.form)
        self._layout.addWidget(self.buttons)
        # Wrapped labels need their height for the dialog's width: without this the impact's
        # lines are cut off, which is exactly the text the person must read.
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.resize(self.minimumWidth(), self._layout.totalHeightForWidth(self.minimumWidth()))

    def finish_with_reason(self, name: str, placeholder: str | None = None) -> None:
        """``finish`` with a required reason (``self.reason``, object name ``name``, hint
        ``placeholder``): OK stays disabled until it holds more than blanks."""
        self.reason = QLineEdit(self)
        self.reason.setObjectName(name)
        self.reason.setPlaceholderText(placeholder or translate("PlansPanel", "why? it goes into the audit trail"))
        self.form.addRow(translate("PlansPanel", "Reason"), self.reason)
        self.finish()
        self.ok_button.setEnabled(False)
        self.reason.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.reason.setFocus()

    def accept(self) -> None:
        if self.ok_button.isEnabled():  # Enter in a field must not get past a disabled button
            super().accept()


class ReviewDialog(_PlanDialog):
    """Step 1: the impact again, the warnings, and the reason (required)."""

    def __init__(self, parent: QWidget | None, plan: Plan, lines: list[str], warnings: list[str],
                 level: str) -> None:
        super().__init__(parent, translate("PlansPanel", "Execute plan — step 1 of 2: review"),
                         translate("PlansPanel", "Next…"))
        t = theme.current()
        self.add_text(translate("PlansPanel", "Step 1 of 2: what it would do, and why now"), color=t.accent, bold=True)
        self.add_text(plan.title, pt=17.0, bold=True)
        marks = [kind_word(plan.kind), plan.target] + ([translate("PlansPanel", "CRITICAL")] if plan.critical else [])
        self.add_text("  ·  ".join(marks), color=t.text_dim)
        self.add_text(translate("PlansPanel", "If executed now:"), bold=True)
        self.impact = self.add_text("\n".join(lines), pt=14.0, name="review_impact")
        color = t.crit if level == "crit" else t.warn
        self.warnings = self.add_text("\n".join(f"⚠ {w}" for w in warnings), pt=14.0, bold=True, color=color,
                                      name="review_warnings")
        self.warnings.setVisible(bool(warnings))
        guard = translate("PlansPanel", "Guard: %1").replace("%1", guard_text(plan.guard))
        self.add_text(guard, color=t.text_dim)
        self.finish_with_reason("plan_reason", translate("PlansPanel", "why now? it goes into the audit trail"))


class ConfirmDialog(_PlanDialog):
    """Step 2: what will run, the reason, and for a critical plan its id typed exactly."""

    def __init__(self, parent: QWidget | None, plan: Plan, reason: str, dry_run=None) -> None:
        super().__init__(parent, translate("PlansPanel", "Execute plan — step 2 of 2: confirm"),
                         translate("PlansPanel", "Execute"))
        t = theme.current()
        self.plan_id = plan.id
        self.add_text(translate("PlansPanel", "Step 2 of 2: confirm"), color=t.accent, bold=True)
        self.add_text(fill(translate("PlansPanel", "Execute %1 on %2 now?"), plan.title, plan.target), pt=16.0,
                      bold=True)
        self.add_text(translate("PlansPanel", "Reason: %1").replace("%1", reason))
        self.change = self.warnings = None
        if dry_run is not None:
            self._add_change(dry_run)
        self.typed = QLineEdit(self)
        self.typed.setObjectName("typed_plan_id")
        if plan.critical:
            self.add_text(translate("PlansPanel", "This plan is critical. Type its id to confirm: %1")
                          .replace("%1", plan.id), pt=14.0, bold=True, color=t.warn)
            self.form.addRow(translate("PlansPanel", "Plan id"), self.typed)
        else:
            self.typed.hide()
        self.finish()
        if not plan.critical:  # Enter twice must not run a plan: here it takes a click on Execute
            self.ok_button.setAutoDefault(False)
            self.cancel_button.setDefault(True)
        self.ok_button.setStyleSheet(f"QPushButton {{ background: {t.crit}; color: #ffffff; font-weight: bold; }}"
                                     f" QPushButton:disabled {{ background: {t.surface}; color: {t.text_dim}; }}")
        self.critical = plan.critical
        if plan.critical:
            self.ok_button.setEnabled(False)
            self.typed.textChanged.connect(self._on_typed_text_changed)
            self.typed.setFocus()

    def _add_change(self, dry) -> None:
        """What the feed's dry run said it would send, or why there is no such word."""
        t = theme.current()
        change = dry.change
        if change is None:
            status, level = change_status(dry)
            if dry.state == "asking":  # a modal dialog does not follow the answer: say what is known
                status = translate("PlansPanel", "No dry run: the feed has not answered yet.")
            if status:
                self.change = self.add_text(status, color=t.text_dim if level == "dim" else t.warn,
                                            name="confirm_change")
            return
        self.add_text(translate("PlansPanel", "It will send:"), bold=True)
        where = change_where(change)
        text = change_summary(change) + (f"\n{where}" if where else "")
        self.change = self.add_text(text, pt=14.0, name="confirm_change")
        warnings = [str(w) for w in change.get("warnings") or ()]
        if warnings:
            self.warnings = self.add_text("\n".join(f"⚠ {w}" for w in warnings), pt=14.0, bold=True, color=t.warn,
                                          name="confirm_change_warnings")

    def _on_typed_text_changed(self, text: str) -> None:
        self.ok_button.setEnabled(text.strip() == self.plan_id)


class RollbackDialog(_PlanDialog):
    """Undo a run: what the rollback does, and why (required)."""

    def __init__(self, parent: QWidget | None, plan: Plan | None, run: PlanRun) -> None:
        super().__init__(parent, translate("PlansPanel", "Roll back plan"), translate("PlansPanel", "Roll back"))
        t = theme.current()
        word, level = run_state(run)
        self.add_text(translate("PlansPanel", "Roll back %1?").replace("%1", run.title), pt=16.0, bold=True)
        self.add_text(translate("PlansPanel", "Now: %1").replace("%1", word), bold=True, color=level_color(level))
        if plan is not None and plan.rollback:
            self.add_text("\n".join(f"{i}. {s}" for i, s in enumerate(plan.rollback, 1)), color=t.text_dim)
        self.finish_with_reason("plan_reason")


class StageDialog(_PlanDialog):
    """Pause, continue or abort a staged shift: what it does, and why (required)."""

    def __init__(self, parent: QWidget | None, plan: Plan | None, run: PlanRun, action: str) -> None:
        titles = {"pause": (translate("PlansPanel", "Pause the staged shift"), translate("PlansPanel", "Pause")),
                  "resume": (translate("PlansPanel", "Continue the staged shift"), translate("PlansPanel", "Continue")),
                  "abort": (translate("PlansPanel", "Abort the staged shift"),
                            translate("PlansPanel", "Abort and roll back"))}
        super().__init__(parent, *titles[action])
        t = theme.current()
        stage = run.ladder.stage.label(language()) if run.ladder is not None else ""
        what = {"pause": translate("PlansPanel", "Hold %1 at stage %2? The hold stops; the guard KPIs are still "
                                                 "watched and a breach still rolls it back."),
                "resume": translate("PlansPanel", "Continue %1 from stage %2? Its hold runs on from where it stopped."),
                "abort": translate("PlansPanel", "Abort %1 at stage %2? Everything it moved goes back.")}[action]
        self.add_text(what.replace("%1", run.title).replace("%2", stage), pt=16.0, bold=True,
                      color=t.warn if action == "abort" else "")
        if action == "abort" and plan is not None and plan.rollback:
            self.add_text("\n".join(f"{i}. {s}" for i, s in enumerate(plan.rollback, 1)), color=t.text_dim)
        self.finish_with_reason("stage_reason")


def ask_stage_action(parent: QWidget | None, plan: Plan | None, run: PlanRun, action: str) -> str | None:
    """Why pause, continue or abort (``action``) a staged shift; None when cancelled."""
    dialog = StageDialog(parent, plan, run, action)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason.text().strip()


class ActorDialog(_PlanDialog):
    """Who is acting, when the console does not know: every plan step names someone."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent, translate("PlansPanel", "Who is acting?"), translate("PlansPanel", "OK"))
        self.add_text(translate("PlansPanel", "Plan steps go into the audit trail with your name."))
        self.name = QLineEdit(self)
        self.name.setObjectName("plan_actor")
        self.form.addRow(translate("PlansPanel", "Your name"), self.name)
        self.finish()
        self.ok_button.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))


def ask_actor(parent: QWidget | None) -> str | None:
    """The person's name."""
    dialog = ActorDialog(parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.name.text().strip()


def ask_reason(parent: QWidget | None, plan: Plan, lines: list[str], warnings: list[str],
               level: str) -> str | None:
    """Step 1 of executing: review the impact, give a reason."""
    dialog = ReviewDialog(parent, plan, lines, warnings, level)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason.text().strip()


def ask_confirmation(parent: QWidget | None, plan: Plan, reason: str, dry_run=None) -> str | None:
    """Step 2 of executing: confirm; returns the typed id ("" for a plan that is not critical).
    ``dry_run``: the plan's last ``PlanDesk.DryRun``, repeated in the dialog (None: none)."""
    dialog = ConfirmDialog(parent, plan, reason, dry_run)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.typed.text().strip() if plan.critical else ""


def ask_rollback(parent: QWidget | None, plan: Plan | None, run: PlanRun) -> str | None:
    """Why roll back (the reason goes into the audit trail)."""
    dialog = RollbackDialog(parent, plan, run)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.reason.text().strip()
