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
        #: The newest data time (feed ms) while the wall's data is stale, else None (live).
        self.stale_since_ms: int | None = None
        #: True on a wall (``--wall``): no editing controls, no engineering counters.
        self.wall_mode = False

    def title(self) -> str:
        """The translated title (titles are listed for the translators in panels/registry.py)."""
        return QCoreApplication.translate("Panel", self.TITLE)

    def refresh(self) -> None:
        """Repaint from ``self.source``. Subclasses override."""

    def set_stale(self, since_ms: int | None) -> None:
        """The data is stale since ``since_ms`` (the newest data time, feed ms), or live (None).

        The main window calls it on every panel when staleness changes, and again every
        second while stale so that shown ages move: keep it cheap. The default stores
        ``since_ms``, hands it on to child widgets that have a ``show_stale(since_ms, age_ms)``
        method (the KPI tiles) and repaints; a panel that draws its numbers itself
        overrides it to dim them (call this one too).
        """
        self.stale_since_ms = since_ms
        age = self.stale_age_ms
        for child in self.findChildren(QWidget):
            show = getattr(child, "show_stale", None)
            if show is not None and not isinstance(child, Panel):
                show(since_ms, age)
        self.update()

    @property
    def stale_age_ms(self) -> int | None:
        """How old the data is (wall ms) while stale; None while live."""
        return None if self.stale_since_ms is None else self.source.data_age_ms

    def set_wall_mode(self, wall: bool) -> None:
        """A wall (True) shows no editing controls and no engineering counters; a desk shows
        them. The default only stores the flag; panels with such controls hide them."""
        self.wall_mode = wall

    def save_state(self) -> dict[str, Any]:
        """Panel settings worth keeping across runs (JSON-able)."""
        return {}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply what ``save_state`` returned; ignore unknown or bad entries."""
