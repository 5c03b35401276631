"""The dialogs behind the incident actions (module-level functions, for tests to replace).

They share the forms of ``alert_dialogs``; each returns a ``TextInput`` (who, what) or
``None`` when cancelled.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

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
