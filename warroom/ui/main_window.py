"""The console's main window: panels from a layout, a frame timer, full screen, saved state.

The window is a frame around panels. It builds them from a ``Layout`` (central panel
plus docks), repaints them on a fixed-rate timer that pulls from the ``LiveView`` (a
panel is refreshed only when the view changed), says loudly when the data is stale, and
saves and restores dock geometry per layout with QSettings under stable objectNames.

Stale data (``warroom.app.staleness``: older than the feed's own rhythm allows, or the feed
disconnected) must not pass for live: a banner across the top says since when and why,
every panel is told (``Panel.set_stale``: tiles grey their numbers and show their age, the
map greys) and the frame takes blue-grey stripes. Red means one thing only: an incident
that is open and not yet mitigated. The frame's levels: ``ok``, ``late`` (the data is older
than usual, or none yet: plain blue-grey), ``stale``, ``crit`` and ``replay`` (the accent).

Wall mode (``--wall``, or the command-centre layout full screen) strips what a wall does
not need: dock title bars and their buttons (docks can neither move nor float) and each
panel's editing controls and engineering counters (``Panel.set_wall_mode``).

The UI thread's time per frame is budgeted: a tick refreshes the panels that are behind
the view in turn and stops before their refreshes *and the paint they cause* (Qt paints
every widget a tick dirtied in one go, right after the tick) would pass ``FRAME_BUDGET_S``.
Each panel's refresh and paint costs are learned as the console runs.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Callable

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPainter, QRegion, QShortcut
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QVBoxLayout, QWidget

from warroom.app.kiosk import unmitigated
from warroom.app.staleness import Staleness, StaleWatch
from warroom.core.settings.layouts import Layout, PanelSpec
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.layout_names import layout_title
from warroom.ui.panels.base import Panel
from warroom.ui.panels.registry import panel_class
from warroom.ui.wall.drill_banner import DrillBanner
from warroom.ui.wall.stale_banner import StaleBanner, stale_colors, stripe_brush

log = logging.getLogger(__name__)

FRAME_HZ = 30
FRAME_BUDGET_S = 0.008  # UI time per tick for panel refreshes and their paint; the rest waits a tick
#: Starting guesses of a panel's refresh and paint time, seconds, until it has been measured.
_FIRST_GUESS_S = 0.002
_LEARN = 0.2  # weight of a new measurement in a panel's running cost estimate
GIL_SWITCH_S = 0.001  # longest a UI-thread callback waits for the GIL held by another thread
STATE_VERSION = 1
#: Opens the live inspector (``open_panel``), as in a browser's developer tools.
INSPECTOR_KEY = "Ctrl+Shift+I"
#: Opens the series catalogue (``open_panel``): every series seen, searchable, flagged ones first.
CATALOGUE_KEY = "Ctrl+Shift+L"
#: Layouts that are a wall when full screen (wall mode without ``--wall``).
WALL_LAYOUTS = ("command-centre", "business")
_AREAS = {
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
}


_DESK_DOCK_FEATURES = QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable


class BorderFrame(QFrame):
    """The window's frame: a ring ``BORDER_PX`` wide in the colour of the window's level,
    striped while the data is stale.

    Painted directly rather than with a style sheet: a new style sheet on the frame that
    holds the central panel re-polishes every widget inside it, milliseconds each time the
    feed's state changes; a new colour here repaints the ring.
    """

    BORDER_PX = 6

    def __init__(self) -> None:
        super().__init__(objectName="window_border")
        self._color = QColor()
        self._stripes: QBrush | None = None

    def color(self) -> QColor:
        """The ring's colour."""
        return QColor(self._color)

    @property
    def striped(self) -> bool:
        """True when the ring carries stripes (stale data)."""
        return self._stripes is not None

    def set_color(self, color: QColor, stripes: QBrush | None = None) -> None:
        """Paint the ring in ``color``, with ``stripes`` over it if given."""
        if color != self._color or (stripes is None) != (self._stripes is None):
            self._color = QColor(color)
            self._stripes = stripes
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        w = self.BORDER_PX
        painter.setClipRegion(QRegion(self.rect()).subtracted(QRegion(self.rect().adjusted(w, w, -w, -w))))
        painter.fillRect(self.rect(), self._color)
        if self._stripes is not None:
            painter.fillRect(self.rect(), self._stripes)


class MainWindow(QMainWindow):
    """Panels of one layout over one ``LiveView``."""

    # Monotonic time when every visible panel shows newer data than at the last emission
    # (``shown_ms`` says how new): after the paint that put it on screen (frame timer), or
    # right after the refresh (``refresh_now``, which always emits).
    sig_frame_painted = Signal(float)
    sig_window_closed = Signal()

    def __init__(self, view: LiveView, layout: Layout, *, before_frame: Callable[[], None] | None = None,
                 settings: QSettings | None = None) -> None:
        super().__init__()
        # The simulator (demo) and the store writer run Python on their own threads; with
        # the default 5 ms switch interval a paint, which goes back and forth between Python
        # and Qt, could wait that long for the GIL at each step. The wall's frames come first.
        sys.setswitchinterval(min(sys.getswitchinterval(), GIL_SWITCH_S))
        self.view = view
        self.layout_spec = layout
        self.before_frame = before_frame  # e.g. FeedSession.sync_clock
        self.settings = settings
        self.setObjectName(f"warroom_main_{layout.name}")
        self.setWindowTitle(self.tr("Warroom") + f" — {layout_title(layout.title)}")
        self.panels: dict[str, Panel] = {}
        self.docks: dict[str, QDockWidget] = {}
        self._frame_level = "ok"
        self.stale_watch = StaleWatch()
        self.staleness = Staleness("waiting")
        self._stale_shown: tuple[int | None, int | None] = (None, None)  # (since, age in s) told to the panels
        self._critical = False
        self._alerting_version: tuple | None = None  # (which watch, its version) last read
        self.wall_mode = False
        self._wall_asked = False  # --wall: wall mode whatever the window's state
        self._last_version = -1
        self._last_slow_refresh = 0.0
        self.frame_times: list[float] = []  # seconds per frame-timer tick, for bench/render.py
        self.paint_times: list[float] = []  # seconds per paint of the window, for bench/render.py
        self.paint_cpu_times: list[float] = []  # the UI thread's CPU seconds in each of those paints
        self._stale: list[Panel] = []  # panels behind the view, refreshed in turn
        self._refresh_cost: dict[int, float] = {}  # id(panel) -> running estimate, seconds
        self._paint_cost: dict[int, float] = {}
        self._unpainted: list[Panel] = []  # refreshed since the window last painted
        self._shown: dict[int, tuple[int, int | None]] = {}  # id(panel) -> (view version, newest ms) it drew
        self._announced_version = -1
        self.geometry_restored = False  # the user's own window geometry came back from QSettings

        # Across the top of the whole window (above the docks), where a menu bar would be.
        # The DRILL banner goes under the STALE one: stale data during a drill is still seen first.
        # With both hidden the stack has no height.
        banners = QWidget(self)
        banners.setObjectName("banners")
        stack = QVBoxLayout(banners)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(0)
        self.stale_banner = StaleBanner(banners)
        self.drill_banner = DrillBanner(banners)
        stack.addWidget(self.stale_banner)
        stack.addWidget(self.drill_banner)
        self.setMenuWidget(banners)
        self._border = BorderFrame()
        box = QVBoxLayout(self._border)
        box.setContentsMargins(*(BorderFrame.BORDER_PX,) * 4)
        self.central_panel = self._make_panel(layout.central)
        box.addWidget(self.central_panel)
        self.setCentralWidget(self._border)
        for side in layout.full_height:  # the side column keeps the bottom corner
            area = Qt.DockWidgetArea.LeftDockWidgetArea if side == "left" else Qt.DockWidgetArea.RightDockWidgetArea
            corner = Qt.Corner.BottomLeftCorner if side == "left" else Qt.Corner.BottomRightCorner
            self.setCorner(corner, area)
        for spec in layout.docks:
            self._add_dock(spec)
        for spec in layout.docks:  # tabs after every dock is placed; the first one stays in front
            if spec.tab_with:
                self.tabifyDockWidget(self.docks[spec.tab_with], self.docks[spec.id])
                self.docks[spec.tab_with].raise_()
        self._apply_sizes()
        self._paint_border("ok")

        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_full_screen)
        # The live inspector is a desk tool no layout places: a key opens it beside the panels.
        QShortcut(QKeySequence(INSPECTOR_KEY), self, lambda: self.open_panel("inspector", toggle=True))
        QShortcut(QKeySequence(CATALOGUE_KEY), self, lambda: self.open_panel("catalogue", toggle=True))
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

    def open_panel(self, panel_type: str, *, toggle: bool = False) -> Panel | None:
        """Show a panel of ``panel_type`` the layout may not place (the live inspector, on
        ``INSPECTOR_KEY``): the layout's own if it has one, else a closable dock of its own on
        the right, made once and shown again after it was closed (``toggle``: closed again when
        it is open). Returns the panel, or None when there is none on screen: in wall mode (a
        wall has no desk tools) or toggled away."""
        for spec in self.layout_spec.panels:
            if spec.panel == panel_type and spec.id in self.docks:
                self.docks[spec.id].show()
                self.docks[spec.id].raise_()
                return self.panels[spec.id]
        if self.wall_mode:
            return None
        pid = f"opened_{panel_type}"
        if pid not in self.docks:
            # A tab beside a dock already on the right (another desk tool first, else the
            # layout's): stacked under them instead, its table's height would add to theirs
            # and grow the window past a laptop's screen.
            beside = next((d for k, d in reversed(self.docks.items()) if k.startswith("opened_")), None) or next(
                (d for d in reversed(self.docks.values())
                 if self.dockWidgetArea(d) == Qt.DockWidgetArea.RightDockWidgetArea and not d.isHidden()), None)
            self._add_dock(PanelSpec(panel_type, pid, "right"))
            if beside is not None:
                self.tabifyDockWidget(beside, self.docks[pid])
            # Closable, unlike the layout's docks: a closed inspector stops watching the feed.
            self.docks[pid].setFeatures(_DESK_DOCK_FEATURES | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        elif toggle and self.docks[pid].isVisible():
            self.docks[pid].hide()
            return None
        dock = self.docks[pid]
        dock.show()
        dock.raise_()
        return self.panels[pid]

    def _add_dock(self, spec) -> None:
        panel = self._make_panel(spec)
        dock = QDockWidget(panel.title(), self)
        dock.setObjectName(f"dock_{spec.id}")  # stable, untranslated: QSettings keys on it
        dock.setWidget(panel)
        dock.setFeatures(_DESK_DOCK_FEATURES)
        self.addDockWidget(_AREAS[spec.area], dock)
        self.docks[spec.id] = dock

    def _apply_sizes(self) -> None:
        size = self.size()
        tabbed = {s.id for s in self.layout_spec.docks if s.tab_with}  # they share a place: sized once
        for area, frac in self.layout_spec.sizes.items():
            docks = [d for sid, d in self.docks.items() if self._area_of(sid) == area and sid not in tabbed]
            if not docks:
                continue
            horizontal = area in ("left", "right")
            total = size.width() if horizontal else size.height()
            self.resizeDocks(docks, [int(total * frac)] * len(docks),
                             Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical)
            # Docks side by side in one area split its length by their "share".
            specs = [s for s in self.layout_spec.docks if s.area == area and not s.tab_with]
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
        if not self.isVisible():  # a kiosk's page off the wall: nothing of it is on screen
            return
        # No paint since the last tick: what it refreshed changed nothing on screen.
        for panel in self._unpainted:
            self._learn(self._paint_cost, panel, 0.0)
        self._unpainted.clear()
        self._announce_if_complete()
        self._frame(budget_s=FRAME_BUDGET_S)

    def _frame(self, budget_s: float | None) -> None:
        """Refresh the panels that are behind the view, within ``budget_s`` of UI time.

        No callback on the UI thread should take more than ~8 ms, and the paint that
        follows a tick is one such callback: when new data makes every panel stale, they
        are refreshed in turn over the next ticks, each tick taking only as many as its
        budget holds with their expected paint (the first one always goes, so none starves).
        ``budget_s=None`` refreshes them all and announces at once (tests, snapshots).
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
        done: list[Panel] = []
        while self._stale:
            panel = self._stale[0]
            if done and budget_s is not None:
                paint = sum(self._paint_cost.get(id(p), _FIRST_GUESS_S) for p in (*done, panel))
                expected = self._refresh_cost.get(id(panel), _FIRST_GUESS_S) + paint
                if time.perf_counter() - t0 + expected > budget_s:
                    break
            self._stale.pop(0)
            t1 = time.perf_counter()
            panel.refresh()
            self._learn(self._refresh_cost, panel, time.perf_counter() - t1)
            self._shown[id(panel)] = (self.view.version, self.view.newest_ms)
            done.append(panel)
        self._unpainted.extend(p for p in done if p not in self._unpainted)
        self.frame_times.append(time.perf_counter() - t0)
        del self.frame_times[:-5000]
        if budget_s is None:  # everything refreshed at once: it is what the caller asked for
            self._announced_version = self._complete()[0]
            self.sig_frame_painted.emit(time.monotonic())

    def _complete(self) -> tuple[int, int | None]:
        """(view version, newest data time) that every visible panel shows at least."""
        shown = [self._shown.get(id(p), (-1, None)) for p in self.panels.values() if p.isVisible()]
        return min(shown, key=lambda vs: vs[0]) if shown else (-1, None)

    @property
    def shown_ms(self) -> int | None:
        """The newest data time every visible panel has drawn (ms), or None."""
        return self._complete()[1]

    def _announce_if_complete(self) -> None:
        # Data arriving faster than the panels take turns (a 60x demo) never leaves them all
        # on the newest version at once; what counts is that all have moved past the last
        # announcement, so the signal keeps coming at the pace the wall really updates.
        version, _ = self._complete()
        if version > self._announced_version:
            self._announced_version = version
            self.sig_frame_painted.emit(time.monotonic())

    @staticmethod
    def _learn(costs: dict[int, float], panel: Panel, seconds: float) -> None:
        old = costs.get(id(panel))
        costs[id(panel)] = seconds if old is None else old + _LEARN * (seconds - old)

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        # Qt paints every dirty widget of the window here, in one callback: time it, and
        # charge it to the panels refreshed since the last paint, by their expected share.
        t0, cpu0 = time.perf_counter(), time.thread_time()
        handled = super().event(event)
        seconds = time.perf_counter() - t0
        self.paint_times.append(seconds)
        self.paint_cpu_times.append(time.thread_time() - cpu0)  # without time lost to other processes
        del self.paint_times[:-5000], self.paint_cpu_times[:-5000]
        if self._unpainted:
            guesses = [self._paint_cost.get(id(p), _FIRST_GUESS_S) for p in self._unpainted]
            total = sum(guesses) or 1.0
            for panel, guess in zip(self._unpainted, guesses):
                self._learn(self._paint_cost, panel, seconds * guess / total)
            self._unpainted.clear()
        self._announce_if_complete()  # what the panels refreshed is on screen now
        return handled

    def refresh_now(self) -> None:
        """Refresh every panel at once (tests, snapshots)."""
        self._last_version = -1
        self._last_slow_refresh = 0.0
        self._frame(budget_s=None)

    def _update_frame_level(self) -> None:
        view = self.view
        st = self.stale_watch.observe(newest_ms=view.newest_data_ms, age_ms=view.data_age_ms, state=view.feed_state,
                                      reason=view.feed_reason, speed=view.feed_speed)
        self.staleness = st
        self.stale_banner.set_staleness(st)
        self.drill_banner.observe(view)
        self._tell_panels(st)
        if st.level == "replay":
            level = "replay"
        elif st.stale:
            level = "stale"
        elif self._incident_open():
            level = "crit"
        else:
            level = "ok" if st.level == "live" else "late"
        if level != self._frame_level:
            self._paint_border(level)

    def _tell_panels(self, st: Staleness) -> None:
        """``set_stale`` on every panel when staleness changes, and each second while stale."""
        since = st.since_ms if st.stale else None
        shown = (since, None if since is None or st.age_ms is None else st.age_ms // 1000)
        if shown == self._stale_shown:
            return
        self._stale_shown = shown
        for panel in self.panels.values():
            try:
                panel.set_stale(since)
            except Exception:  # one panel's bug must not stop the wall saying its data is stale
                log.exception("set_stale failed on panel %s", panel.objectName())

    def _incident_open(self) -> bool:
        """Whether an incident is open and not yet mitigated (the only thing painted red)."""
        watch = self.view.alerting
        if watch is None:
            return False
        version = (id(watch), getattr(watch, "version", None))
        if version[1] is None or version != self._alerting_version:
            self._alerting_version = version
            try:
                self._critical = unmitigated(watch.incidents())
            except Exception:  # alerting is duck-typed on the view; a bad one is not red
                log.exception("reading the incidents failed")
                self._critical = False
        return self._critical

    def _paint_border(self, level: str) -> None:
        self._frame_level = level
        t = theme.current()
        if level in ("stale", "late"):
            self._border.set_color(stale_colors(t)[0], stripe_brush(t) if level == "stale" else None)
            return
        color = {"ok": t.border, "crit": t.crit, "replay": t.accent}.get(level, t.border)
        self._border.set_color(QColor(color))

    @property
    def frame_level(self) -> str:
        """The window border's level: ``ok``, ``late``, ``stale``, ``crit`` (an unmitigated
        incident) or ``replay``."""
        return self._frame_level

    @property
    def border_frame(self) -> BorderFrame:
        """The frame around the central panel."""
        return self._border

    # -- wall mode -----------------------------------------------------------------------
    def set_wall_mode(self, wall: bool) -> None:
        """Ask for wall mode (``--wall``) or not; see the module docstring."""
        self._wall_asked = wall
        self._apply_wall_mode()

    def _apply_wall_mode(self) -> None:
        wall = self._wall_asked or (self.isFullScreen() and self.layout_spec.name in WALL_LAYOUTS)
        if wall == self.wall_mode:
            return
        self.wall_mode = wall
        for dock in self.docks.values():
            if wall:
                dock.setTitleBarWidget(QWidget(dock))  # an empty title bar: no title, no buttons
                dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
            else:
                old = dock.titleBarWidget()
                dock.setTitleBarWidget(None)
                if old is not None:
                    old.deleteLater()
                dock.setFeatures(_DESK_DOCK_FEATURES)
        for panel in self.panels.values():
            panel.set_wall_mode(wall)
        if wall:  # desk tools opened by hand (open_panel) leave the wall
            for pid, dock in self.docks.items():
                if pid.startswith("opened_"):
                    dock.hide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._apply_wall_mode()

    # -- full screen, settings -----------------------------------------------------------
    def toggle_full_screen(self) -> None:
        """F11: full screen on the window's current screen, or back (the kiosk's window when
        this is one of its pages)."""
        win = self.window()
        win.showNormal() if win.isFullScreen() else win.showFullScreen()

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
