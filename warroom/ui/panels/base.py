"""The panel contract (after Spyder's plugin API): class attributes declare the panel,
the constructor takes its data source, the frame timer calls ``refresh()``."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from warroom.store.live import LiveView


class Panel(QWidget):
    """Base of every panel.

    ``ID`` is stable and untranslated (it names the dock in saved state and layouts);
    ``TITLE`` is translated at display time with ``self.tr``; ``DEFAULT_AREA`` is one of
    ``top``, ``bottom``, ``left``, ``right``, ``center``.

    ``refresh()`` runs on the UI thread at the frame rate (10–30 Hz) only when the data
    source changed; it must stay well under 8 ms: draw from the view, never query DuckDB.
    """

    ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    DEFAULT_AREA: ClassVar[str] = "center"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.setObjectName(self.ID)

    def title(self) -> str:
        """The translated title (titles are listed for the translators in panels/registry.py)."""
        return QCoreApplication.translate("Panel", self.TITLE)

    def refresh(self) -> None:
        """Repaint from ``self.source``. Subclasses override."""

    def save_state(self) -> dict[str, Any]:
        """Panel settings worth keeping across runs (JSON-able)."""
        return {}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply what ``save_state`` returned; ignore unknown or bad entries."""
