"""The kiosk window: a wall that rotates through layouts and follows the incident.

``KioskWindow`` holds one ``MainWindow`` per layout of the playlist (and the incident
layout), all over the same ``LiveView``, as pages of a stack: switching is instant and
keeps every panel's state, nothing is rebuilt every turn (a wall runs for months), and a
page off the wall costs nothing (its frame timer skips while it is hidden). A one-second
timer drives ``warroom.app.kiosk.Rotation``, which holds all the logic.

It stands in for a ``MainWindow`` where the console starts one (``warroom.ui.app``):
``sig_frame_painted``, ``sig_window_closed``, ``refresh_now``, ``save_settings``,
``geometry_restored``, ``set_wall_mode``; ``current`` is the page on the wall.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QStackedLayout, QWidget

from warroom.app.kiosk import Rotation, Stop, unmitigated
from warroom.core.settings.layouts import Layout, load_layout
from warroom.store.live import LiveView
from warroom.ui.main_window import MainWindow

log = logging.getLogger(__name__)

TICK_MS = 1000


class KioskWindow(QWidget):
    """Pages of layouts shown in turn; see the module docstring."""

    sig_frame_painted = Signal(float)
    sig_window_closed = Signal()

    def __init__(self, view: LiveView, stops: tuple[Stop, ...], follow: str | None = None, *,
                 before_frame: Callable[[], None] | None = None, settings: QSettings | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 loader: Callable[[str], Layout] = load_layout,
                 incident_open: Callable[[], bool] | None = None) -> None:
        super().__init__()
        self.setObjectName("warroom_kiosk")
        self.view = view
        self.clock = clock
        #: Whether an incident is open and not yet mitigated (default: the view's alerting says).
        self.incident_open = incident_open or self._alerting_says
        self.rotation = Rotation(stops, follow, now_s=clock())
        self.pages: dict[str, MainWindow] = {}
        self._stack = QStackedLayout(self)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self._wall = False
        for name in self.rotation.layouts:  # LayoutError is the caller's to print, before any window
            page = MainWindow(view, loader(name), before_frame=before_frame, settings=settings)
            page.setWindowFlags(Qt.WindowType.Widget)  # a page of this window, not a window of its own
            page.sig_frame_painted.connect(self._relay_painted)
            self.pages[name] = page
            self._stack.addWidget(page)
        self._show(self.rotation.current)
        self.setWindowTitle(self.current.windowTitle())
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(TICK_MS)

    @property
    def current(self) -> MainWindow:
        """The page on the wall."""
        return self.pages[self.rotation.current]

    @property
    def geometry_restored(self) -> bool:
        """A kiosk fills its screen: no saved window geometry applies."""
        return False

    def tick(self) -> None:
        """Ask the rotation where the wall should be now, and go there."""
        try:
            incident = bool(self.incident_open())
        except Exception:  # a broken alerting must not stop the wall rotating
            log.exception("reading the incidents failed")
            incident = False
        name = self.rotation.update(self.clock(), incident)
        if name is not None:
            self._show(name)

    def _alerting_says(self) -> bool:
        watch = self.view.alerting
        return watch is not None and unmitigated(watch.incidents())

    def _show(self, name: str) -> None:
        page = self.pages[name]
        if self._stack.currentWidget() is not page:
            self._stack.setCurrentWidget(page)
        page.refresh_now()  # it was off the wall: what it shows may be minutes old
        self.setWindowTitle(page.windowTitle())

    def _relay_painted(self, at: float) -> None:
        if self.sender() is self.current:
            self.sig_frame_painted.emit(at)

    # -- what the console asks of its window ----------------------------------------------
    def refresh_now(self) -> None:
        """Refresh the page on the wall at once (tests, snapshots)."""
        self.current.refresh_now()

    def save_settings(self) -> None:
        """Every page saves its own layout's settings."""
        for page in self.pages.values():
            page.save_settings()

    def set_wall_mode(self, wall: bool) -> None:
        """Wall mode on every page (a kiosk full screen is a wall anyway)."""
        self._wall = wall
        self._apply_wall_mode()

    def _apply_wall_mode(self) -> None:
        wall = self._wall or self.isFullScreen()
        for page in self.pages.values():
            page.set_wall_mode(wall)

    def toggle_full_screen(self) -> None:
        """F11 (the pages' shortcut toggles the window they are in)."""
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == event.Type.WindowStateChange:
            self._apply_wall_mode()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._timer.stop()
        for page in self.pages.values():
            page.close()  # saves its settings and stops its frame timer
        super().closeEvent(event)
        self.sig_window_closed.emit()
