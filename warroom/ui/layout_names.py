"""The shipped layouts' titles in the UI language.

A layout file's ``title`` is data ("Command centre (wall)"); the layouts Warroom ships
have their titles listed here for the translation, keyed by the English title. A user's own
layout keeps the title it was given.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP

#: The titles of layouts/*.json, for lupdate (the translation is looked up by the title).
SHIPPED = (
    QT_TRANSLATE_NOOP("Layouts", "Command centre (wall)"),
    QT_TRANSLATE_NOOP("Layouts", "Incident commander (desk)"),
    QT_TRANSLATE_NOOP("Layouts", "Engineer (laptop)"),
    QT_TRANSLATE_NOOP("Layouts", "Business view (wall)"),
)


def layout_title(title: str) -> str:
    """A layout's title in the UI language when it is one of the shipped layouts'."""
    return QCoreApplication.translate("Layouts", title) if title in SHIPPED else title
