"""The small dialogs behind the alert and incident actions, as module-level functions.

Each returns what the person typed, or ``None`` when they cancelled; none validates beyond
what a form can (the panels pass the input to ``AlertWatch``, whose ``ValueError`` is the
one place that says what is wrong). Tests replace these functions with ``monkeypatch``.

A "your name" field appears only when the console does not know who is acting
(``AlertWatch.user`` empty): every acknowledgement, silence and note names someone.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QRadioButton, QVBoxLayout, QWidget)

from warroom.core.alerting.alerts import Alert
from warroom.core.language.lang import pick
from warroom.core.language.names import current_names
from warroom.ui import theme

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls

#: Silence durations offered, as ``parse_duration`` texts; "custom" lets one type any.
SILENCE_DURATIONS = ("30m", "1h", "4h")


@dataclass(frozen=True)
class TextInput:
    """Who acts and what they wrote (a comment, an owner, a note)."""

    actor: str
    text: str


@dataclass(frozen=True)
class SilenceInput:
    """A silence as asked for: ``scope`` is ``"alert"`` (this rule on this subject) or
    ``"subject"`` (everything on the subject); ``duration`` a ``parse_duration`` text."""

    actor: str
    scope: str
    duration: str
    comment: str


class _Form(QDialog):
    """A titled form: an optional explanation, fields, OK / Cancel; large enough type for a desk."""

    def __init__(self, parent: QWidget | None, title: str, what: str, actor: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setFont(theme.ui_font(13.0))
        self.setMinimumWidth(520)
        t = theme.current()
        # The application style leaves edits borderless and radio marks dark on dark: in a form
        # every field must look like one.
        self.setStyleSheet(
            f"QLineEdit, QPlainTextEdit {{ background: {t.surface}; border: 1px solid {t.border};"
            f" border-radius: 3px; padding: 4px; }}"
            f" QLineEdit:focus, QPlainTextEdit:focus {{ border-color: {t.accent}; }}"
            f" QLineEdit:disabled {{ color: {t.text_dim}; border-style: dashed; }}"
            f" QRadioButton::indicator {{ width: 12px; height: 12px; border-radius: 8px;"
            f" border: 2px solid {t.text_dim}; background: {t.background}; }}"
            f" QRadioButton::indicator:checked {{ background: {t.accent}; border-color: {t.accent}; }}")
        layout = QVBoxLayout(self)
        if what:
            label = QLabel(what, self)
            label.setWordWrap(True)
            label.setFont(theme.ui_font(14.0, bold=True))
            layout.addWidget(label)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.actor = QLineEdit(actor, self)
        self.actor.setObjectName("dialog_actor")
        if not actor:
            self.form.addRow(translate("AlertDialogs", "Your name"), self.actor)
        else:
            self.actor.hide()  # known: kept only to hand back
        self._layout = layout

    def finish(self) -> None:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._layout.addWidget(buttons)


def ask_text(parent: QWidget | None, title: str, label: str, actor: str, what: str = "",
             text: str = "") -> TextInput | None:
    """One line of text (a comment, an owner's name)."""
    form = _Form(parent, title, what, actor)
    edit = QLineEdit(text, form)
    edit.setObjectName("dialog_text")
    form.form.addRow(label, edit)
    form.finish()
    edit.setFocus()
    if form.exec() != QDialog.DialogCode.Accepted:
        return None
    return TextInput(form.actor.text().strip(), edit.text().strip())


def ask_ack(parent: QWidget | None, what: str, actor: str) -> TextInput | None:
    """Acknowledge something: who, and a comment saying what they are doing about it."""
    return ask_text(parent, translate("AlertDialogs", "Acknowledge"), translate("AlertDialogs", "Comment"), actor, what)


def ask_note(parent: QWidget | None, what: str, actor: str) -> TextInput | None:
    """A note of several lines for an incident's timeline."""
    form = _Form(parent, translate("AlertDialogs", "Add a note"), what, actor)
    edit = QPlainTextEdit(form)
    edit.setObjectName("dialog_note")
    edit.setMinimumHeight(160)
    form.form.addRow(translate("AlertDialogs", "Note"), edit)
    form.finish()
    edit.setFocus()
    if form.exec() != QDialog.DialogCode.Accepted:
        return None
    return TextInput(form.actor.text().strip(), edit.toPlainText().strip())


def ask_silence(parent: QWidget | None, alert: Alert, actor: str) -> SilenceInput | None:
    """Silence an alert: what to match, for how long, and why."""
    form = _Form(parent, translate("AlertDialogs", "Silence"), pick(alert.title, alert.titles), actor)
    subject = current_names().subject(alert.subject, alert.subject_kind)  # the id stays in the silence itself
    one = QRadioButton(translate("AlertDialogs", "This alert: %1 on %2").replace("%1", alert.rule).replace("%2", subject), form)
    every = QRadioButton(translate("AlertDialogs", "Everything on %1").replace("%1", subject), form)
    one.setChecked(True)
    scope = QButtonGroup(form)
    scope.addButton(one)
    scope.addButton(every)
    form.form.addRow(translate("AlertDialogs", "Match"), one)
    form.form.addRow("", every)
    duration = QComboBox(form)
    duration.setObjectName("dialog_duration")
    for d in SILENCE_DURATIONS:
        duration.addItem(d, d)
    duration.addItem(translate("AlertDialogs", "custom…"), "")
    custom = QLineEdit(form)
    custom.setPlaceholderText(translate("AlertDialogs", "e.g. 90m, 2h, 1d"))
    custom.setEnabled(False)
    duration.currentIndexChanged.connect(lambda _i: custom.setEnabled(not duration.currentData()))
    form.form.addRow(translate("AlertDialogs", "For"), duration)
    form.form.addRow("", custom)
    comment = QLineEdit(form)
    comment.setObjectName("dialog_text")
    form.form.addRow(translate("AlertDialogs", "Why"), comment)
    form.finish()
    if form.exec() != QDialog.DialogCode.Accepted:
        return None
    return SilenceInput(form.actor.text().strip(), "alert" if one.isChecked() else "subject",
                        duration.currentData() or custom.text().strip(), comment.text().strip())


def open_url(url: str) -> bool:
    """Open a runbook in the desktop's browser."""
    return QDesktopServices.openUrl(QUrl(url))
