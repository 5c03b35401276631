"""The dialogs behind the incident actions (module-level functions, for tests to replace).

They share the forms of ``alert_dialogs``; each returns a ``TextInput`` (who, what) or
``None`` when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QLineEdit, QPlainTextEdit, QWidget

from warroom.ui.panels.alerts import dialogs as alert_dialogs
from warroom.ui.panels.alerts.dialogs import TextInput

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls


def ask_ack(parent: QWidget | None, what: str, actor: str) -> TextInput | None:
    """Acknowledge an incident: who, and a comment."""
    return alert_dialogs.ask_ack(parent, what, actor)


def ask_owner(parent: QWidget | None, what: str, actor: str, owner: str = "") -> TextInput | None:
    """Who owns the incident from now on (``text``), and who says so (``actor``)."""
    return alert_dialogs.ask_text(parent, translate("IncidentDialogs", "Set the owner"),
                                  translate("IncidentDialogs", "Owner"), actor, what, owner)


def ask_note(parent: QWidget | None, what: str, actor: str) -> TextInput | None:
    """A note of several lines for the incident's timeline."""
    return alert_dialogs.ask_note(parent, what, actor)


@dataclass(frozen=True)
class ActionInput:
    """An action item as typed: who adds it, what to do, who owns it, when it is due (may be empty)."""

    actor: str
    text: str
    owner: str
    due: str


def ask_action_item(parent: QWidget | None, what: str, actor: str) -> ActionInput | None:
    """A follow-up for the incident: the action, its owner and an optional due date (YYYY-MM-DD)."""
    form = alert_dialogs._Form(parent, translate("IncidentDialogs", "Add an action item"), what, actor)
    text = QPlainTextEdit(form)
    text.setObjectName("dialog_action")
    text.setMinimumHeight(90)
    owner = QLineEdit(form)
    owner.setObjectName("dialog_owner")
    due = QLineEdit(form)
    due.setObjectName("dialog_due")
    due.setPlaceholderText(translate("IncidentDialogs", "YYYY-MM-DD (optional)"))
    form.form.addRow(translate("IncidentDialogs", "Action"), text)
    form.form.addRow(translate("IncidentDialogs", "Owner"), owner)
    form.form.addRow(translate("IncidentDialogs", "Due"), due)
    form.finish()
    text.setFocus()
    if form.exec() != QDialog.DialogCode.Accepted:
        return None
    return ActionInput(form.actor.text().strip(), text.toPlainText().strip(), owner.text().strip(),
                       due.text().strip())
