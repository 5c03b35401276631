"""The console's main window: panels from a layout, a frame timer, full screen, saved state.

The window is a frame around panels. It builds them from a ``Layout`` (central panel
plus docks), repaints them on a fixed-rate timer that pulls from the ``LiveView`` (a
panel is refreshed only when the view changed), colours its own border by the age of the
data (amber, then red: a wall screen showing stale numbers must say so from afar), and
saves and restores dock geometry per layout with QSettings under stable objectNames.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QVBoxLayout, QWidget

from warroom.core.layouts import Layout
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.health import frame_level
from warroom.ui.panels.registry import panel_class

log = logging.getLogger(__name__)

FRAME_HZ = 20
FRAME_BUDGET_S = 0.006  # UI time per tick for panel refreshes; the rest waits for the next tick
STATE_VERSION = 1
_AREAS = {
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
}


class MainWindow(QMainWindow):
    """Panels of one layout over one ``LiveView``."""

    sig_frame_painted = Signal(float)  # monotonic time after a frame's panels were refreshed
    sig_window_closed = Signal()

    def __init__(self, view: LiveView, layout: Layout, *, before_frame: Callable[[], None] | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        self.view = view
        self.layout_spec = layout
        self.before_frame = before_frame  # e.g. FeedSession.sync_clock
        self.settings = settings
        self.setObjectName(f"warroom_main_{layout.name}")
        self.setWindowTitle(self.tr("Warroom") + f" — {layout.title}")
        self.panels: dict[str, Panel] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._frame_level = "ok"
        self._last_version = -1
        self._last_slow_refresh = 0.0
        self.frame_times: list[float] = []  # seconds per frame, for bench/render.py
        self._stale: list[Panel] = []  # panels behind the view, refreshed in turn
        self.geometry_restored = False  # the user's own window geometry came back from QSettings

        self._border = QFrame(objectName="window_border")
        box = QVBoxLayout(self._border)
        box.setContentsMargins(6, 6, 6, 6)
        self.central_panel = self._make_panel(layout.central)
        box.addWidget(self.central_panel)
        self.setCentralWidget(self._border)
        for spec in layout.docks:
            self._add_dock(spec)
        self._apply_sizes()
        self._paint_border("ok")

        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_full_screen)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start(int(1000 / FRAME_HZ))
        self.restore_settings()

    # -- building ----------------------------------------------------------------------
    def _make_panel(self, spec) -> Panel:
        cls = panel_class(spec.panel)
        try:
            panel = cls(self.view, panel_id=spec.id)  # type: ignore[call-arg]
        except TypeError:
            panel = cls(self.view)
        panel.setObjectName(spec.id)
        if spec.state:
            panel.restore_state(dict(spec.state))
        self.panels[spec.id] = panel
        return panel

    def _add_dock(self, spec) -> None:
        panel = self._make_panel(spec)
        dock = QDockWidget(panel.title(), self)
        dock.setObjectName(f"dock_{spec.id}")  # stable, untranslated: QSettings keys on it
        dock.setWidget(panel)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(_AREAS[spec.area], dock)
        self.docks[spec.id] = dock

    def _apply_sizes(self) -> None:
        size = self.size()
        for area, frac in self.layout_spec.sizes.items():
            docks = [d for sid, d in self.docks.items() if self._area_of(sid) == area]
            if not docks:
                continue
            horizontal = area in ("left", "right")
            total = size.width() if horizontal else size.height()
            self.resizeDocks(docks, [int(total * frac)] * len(docks),
                             Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical)
            # Docks side by side in one area split its length by their "share".
            specs = [s for s in self.layout_spec.docks if s.area == area]
            if len(specs) > 1 and any(s.share for s in specs):
                length = size.height() if horizontal else size.width()
                rest = (1 - sum(s.share or 0 for s in specs)) / max(1, sum(1 for s in specs if not s.share))
                self.resizeDocks([self.docks[s.id] for s in specs], [int(length * (s.share or rest)) for s in specs],
                                 Qt.Orientation.Vertical if horizontal else Qt.Orientation.Horizontal)

    def _area_of(self, panel_id: str) -> str:
        return next((s.area for s in self.layout_spec.docks if s.id == panel_id), "center")

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if not getattr(self, "_restored", False):
            self._apply_sizes()  # until the user's own geometry is restored

    # -- the frame ---------------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        self._frame(budget_s=FRAME_BUDGET_S)

    def _frame(self, budget_s: float | None) -> None:
        """Refresh the panels that are behind the view, within ``budget_s`` of UI time.

        No callback on the UI thread should take more than ~8 ms: when new data makes
        every panel stale, they are refreshed in turn over the next ticks (at 20 Hz the
        last one is at most a few ticks late), the slowest not holding up the others.
        """
        t0 = time.perf_counter()
        if self.before_frame is not None:
            self.before_frame()
        now = time.monotonic()
        changed = self.view.version != self._last_version
        # Ages and clocks move even when no data arrives: refresh at least once a second.
        if changed or now - self._last_slow_refresh >= 1.0:
            self._last_version = self.view.version
            self._last_slow_refresh = now
            self._stale.extend(p for p in self.panels.values() if p.isVisible() and p not in self._stale)
            self._update_frame_level()
        if not self._stale:
            return
        while self._stale:
            self._stale.pop(0).refresh()
            if budget_s is not None and time.perf_counter() - t0 > budget_s:
                break
        self.frame_times.append(time.perf_counter() - t0)
        del self.frame_times[:-5000]
        if not self._stale:  # every panel now shows the newest data
            self.sig_frame_painted.emit(time.monotonic())

    def refresh_now(self) -> None:
        """Refresh every panel at once (tests, snapshots)."""
        self._last_version = -1
        self._last_slow_refresh = 0.0
        self._frame(budget_s=None)

    def _update_frame_level(self) -> None:
        level = frame_level(self.view.data_age_ms, self.view.feed_state)
        if level != self._frame_level:
            self._paint_border(level)

    def _paint_border(self, level: str) -> None:
        self._frame_level = level
        t = theme.current()
        color = {"ok": t.border, "warn": t.warn, "crit": t.crit}.get(level, t.border)
        self._border.setStyleSheet(f"QFrame#window_border {{ border: 6px solid {color}; }}")

    @property
    def frame_level(self) -> str:
        """The window border's level: ``ok``, ``warn`` (stale data) or ``crit``."""
        return self._frame_level

    # -- full screen, settings -----------------------------------------------------------
    def toggle_full_screen(self) -> None:
        """F11: full screen on the window's current screen, or back."""
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def _key(self, what: str) -> str:
        return f"layouts/{self.layout_spec.name}/{what}"

    def save_settings(self) -> None:
        """Store geometry, dock state and every panel's state."""
        if self.settings is None:
            return
        self.settings.setValue(self._key("geometry"), self.saveGeometry())
        self.settings.setValue(self._key("dock_state"), self.saveState(STATE_VERSION))
        for pid, panel in self.panels.items():
            self.settings.setValue(self._key(f"panels/{pid}"), panel.save_state())

    def restore_settings(self) -> None:
        """Restore what ``save_settings`` stored for this layout, if anything."""
        if self.settings is None:
            return
        geometry = self.settings.value(self._key("geometry"))
        if isinstance(geometry, QByteArray):
            self.geometry_restored = self.restoreGeometry(geometry)
        state = self.settings.value(self._key("dock_state"))
        # Only dock sizes the user really got back stop the layout's own sizes; a state Qt
        # refuses (corrupt, or saved under another STATE_VERSION) must leave them applied.
        if isinstance(state, QByteArray) and self.restoreState(state, STATE_VERSION):
            self._restored = True
        for pid, panel in self.panels.items():
            saved = self.settings.value(self._key(f"panels/{pid}"))
            if isinstance(saved, dict):
                try:
                    panel.restore_state(saved)
                except Exception:  # a stale setting must never stop the console
                    log.warning("ignoring saved state of panel %s", pid, exc_info=True)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.save_settings()
        self._timer.stop()
        super().closeEvent(event)
        self.sig_window_closed.emit()
