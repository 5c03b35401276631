"""Feed health: can the room trust what the wall shows?

Connection state (with its reason, and while connected how the last connection ended), how
old the newest data is, failures of the session's supervised tasks (count and the last one,
hidden while there are none), the feed's own sources when it reports them (a gateway's
Prometheus queries: OK, FAILING for how long and why, SILENT; ``health.sources``), protocol
errors by code, points received and series held.
``frame_level`` turns the data age and the connection state into the colour the main window
paints its whole frame with.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QGridLayout, QLabel, QVBoxLayout, QWidget

from warroom.core.patrol import last_patrol
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.health.fit_label import FitLabel
from warroom.ui.panels.health.sources import SourceLines, source_states
from warroom.ui.panels.health.feed_text import status_text
from warroom.ui.panels.live_label import LiveLabel
from warroom.ui.wall.patrol_verdict import PatrolVerdict
from warroom.ui.wall.stale_banner import stale_colors

#: Data older than this turns the frame amber...
WARN_AGE_MS = 5_000
#: ...and older than this, stale (blue-grey: red is for incidents).
CRIT_AGE_MS = 15_000
#: Connection states that are not (yet) a healthy live stream.
WARN_STATES = frozenset({"stale", "connecting"})
#: The state of a view a replay fills (``warroom.app.replay``): its own colour, the accent.
REPLAY = "replay"
CRIT_STATES = frozenset({"disconnected"})
#: The data age keeps counting while nothing arrives (and the view's version stands still).
AGE_TICK_MS = 1000


def frame_level(age_ms: int | None, state: str) -> str:
    """``ok``, ``warn`` or ``stale`` for the feed's own health.

    ``stale`` (blue-grey, never red: red means an incident) when the feed is disconnected or
    the data is older than ``CRIT_AGE_MS``; ``warn`` when it is stale or connecting, the data
    is older than ``WARN_AGE_MS``, nothing has arrived yet (``age_ms`` is None) or the state
    is one the console does not know.
    """
    if state == REPLAY:  # the past, shown on purpose: neither healthy nor stale
        return REPLAY
    if state in CRIT_STATES or (age_ms is not None and age_ms > CRIT_AGE_MS):
        return "stale"
    if state in WARN_STATES or age_ms is None or age_ms > WARN_AGE_MS or state != "live":
        return "warn"
    return "ok"


def level_color(level: str, t: theme.Theme | None = None) -> QColor:
    """The colour of a feed-health level: the status colours, and the stale blue-grey for
    ``stale`` (lighter on the dark theme, darker on the light one, to read as text too)."""
    t = t or theme.current()
    if level == "stale":
        fill = stale_colors(t)[0]
        return fill.lighter(165) if t.name != "light" else fill.darker(190)
    return t.status_color(level)


def state_word(state: str) -> str:
    """The word shown for a connection state."""
    words = {
        "live": QCoreApplication.translate("FeedHealthPanel", "LIVE"),
        "stale": QCoreApplication.translate("FeedHealthPanel", "STALE"),
        "connecting": QCoreApplication.translate("FeedHealthPanel", "CONNECTING"),
        "disconnected": QCoreApplication.translate("FeedHealthPanel", "DISCONNECTED"),
        REPLAY: QCoreApplication.translate("FeedHealthPanel", "REPLAY"),
    }
    return words.get(state, state.upper())


def format_age(age_ms: int | None) -> str:
    """"data is 7 s old", "data is 2 min 5 s old", "no data yet"."""
    if age_ms is None:
        return QCoreApplication.translate("FeedHealthPanel", "no data yet")
    seconds = int(age_ms // 1000)
    if seconds < 60:
        amount = QCoreApplication.translate("FeedHealthPanel", "%1 s").replace("%1", str(seconds))
    elif seconds < 3600:
        amount = QCoreApplication.translate("FeedHealthPanel", "%1 min %2 s").replace("%1", str(seconds // 60)).replace(
            "%2", str(seconds % 60))
    else:
        amount = QCoreApplication.translate("FeedHealthPanel", "%1 h %2 min").replace("%1", str(seconds // 3600)).replace(
            "%2", str(seconds % 3600 // 60))
    return QCoreApplication.translate("FeedHealthPanel", "data is %1 old").replace("%1", amount)


def format_errors(errors: dict) -> str:
    """Protocol errors by code, most frequent first: ``bad_json × 3 · oversized × 1``."""
    counts = [(str(code), int(n)) for code, n in errors.items() if n]
    if not counts:
        return QCoreApplication.translate("FeedHealthPanel", "no protocol errors")
    counts.sort(key=lambda c: (-c[1], c[0]))
    return " · ".join(f"{code} × {n:,}" for code, n in counts)


class FeedHealthPanel(Panel):
    """The feed's health; see the module docstring. ``level`` is ``frame_level`` now."""

    ID = "feed_health"
    TITLE = "Feed health"
    DEFAULT_AREA = "bottom"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.level = "warn"
        self.state_label = self._label("feed_state", 22.0, bold=True)
        # The age and the points received change every second: labels that repaint alone.
        self.age_label = self._live("data_age", "data is 59 min 59 s old", 22.0, bold=True)
        # Wrapped texts that elide their last line in a short dock (never cut it in half).
        self.reason_label = self._label("feed_reason", 16.0, dim=True, fit=True)
        # A task that failed must not go unseen: the last failure, in the warning colour.
        self.fault_label = self._label("task_faults", 16.0, bold=True, fit=True)
        self.errors_label = self._label("protocol_errors", 18.0, fit=True)
        self.points_label = self._live("points_received", "88,888,888 points", 18.0)
        self.series_label = self._label("series_count", 18.0)
        self.fault_label.hide()
        # The feed's sources (a gateway's Prometheus...): hidden when it reports none.
        self.sources = SourceLines(self)
        # Long texts wrap rather than widen the dock (the map beside it matters more), and in
        # a short dock elide their last line with the whole text as tooltip (``FitLabel``).

        status = QVBoxLayout()
        status.setSpacing(4)
        # The state word and the age side by side; the age goes under the word when both do
        # not fit ("DISCONNECTED" is three times as wide as "LIVE"): never an elided age.
        head = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        head.setSpacing(16)
        head.addWidget(self.state_label, 0, Qt.AlignmentFlag.AlignLeft)
        head.addWidget(self.age_label, 1)
        self._head = head
        status.addLayout(head)
        status.addWidget(self.reason_label)
        status.addWidget(self.fault_label)
        status.addWidget(self.sources)
        # The last robot patrol's verdict (warroom.core.patrol): hidden until there is one.
        self.patrol = PatrolVerdict(self)
        status.addWidget(self.patrol)
        status.addStretch(1)
        # The counters as a small form, caption beside value: each number has a full line.
        counters = QGridLayout()
        counters.setHorizontalSpacing(16)
        counters.setVerticalSpacing(2)
        for row, (caption, label) in enumerate((
            (self.tr("Protocol errors"), self.errors_label),
            (self.tr("Received"), self.points_label),
            (self.tr("Series"), self.series_label),
        )):
            counters.addWidget(self._caption(caption), row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            counters.addWidget(label, row, 1)
        counters.setColumnStretch(1, 1)
        counters.setRowStretch(3, 1)
        # A wide, short strip (a desk's bottom edge) puts the counters beside the status; a
        # block (the wall's corner) puts them under it.
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._box.setContentsMargins(12, 8, 12, 8)
        self._box.setSpacing(12)
        self._box.addLayout(status, 1)
        self._box.addLayout(counters, 1)
        self._status, self._counters = status, counters

        # Refresh runs when the view's version changes; a stalled feed changes nothing, yet
        # its age must keep climbing on screen.
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(AGE_TICK_MS)
        self._age_timer.timeout.connect(self.refresh)
        self._age_timer.start()
        self.refresh()

    @property
    def stacked(self) -> bool:
        """True when the counters sit under the status (a panel less than 3.5 times as wide as tall)."""
        return self._box.direction() == QBoxLayout.Direction.TopToBottom

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # What the stacked arrangement needs: a dock may be narrowed to that, and the
        # panel then stacks (rather than the side-by-side arrangement holding the dock wide).
        hint = super().minimumSizeHint()
        margins = self._box.contentsMargins()
        width = max(self._status.minimumSize().width(), self._counters.minimumSize().width())
        return QSize(width + margins.left() + margins.right(), hint.height())

    def _arrange_head(self) -> None:
        margins = self._box.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        need = (self.state_label.sizeHint().width() + self._head.spacing()
                + self.age_label.fontMetrics().horizontalAdvance(self.age_label.text()) + 2)
        direction = QBoxLayout.Direction.LeftToRight if need <= room else QBoxLayout.Direction.TopToBottom
        if self._head.direction() != direction:
            self._head.setDirection(direction)

    @property
    def age_under_state(self) -> bool:
        """True when the data's age sits under the state word (too narrow for both on a line)."""
        return self._head.direction() == QBoxLayout.Direction.TopToBottom

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange_head()
        size = event.size()
        wide = size.width() > 3.5 * max(1, size.height())
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._box.direction() != direction:
            self._box.setDirection(direction)
            self._box.setSpacing(theme.px(32 if wide else 6))

    def set_wall_mode(self, wall: bool) -> None:
        """On a wall only the connection, the data's age and failures show: the protocol
        error, point and series counters are for the engineer's desk."""
        super().set_wall_mode(wall)
        for i in range(self._counters.count()):
            widget = self._counters.itemAt(i).widget()
            if widget is not None:
                widget.setVisible(not wall)

    def _label(self, name: str, size: float, bold: bool = False, dim: bool = False, fit: bool = False) -> QLabel:
        label = FitLabel(self) if fit else QLabel(self)
        label.setObjectName(name)
        label.setFont(theme.ui_font(size, bold))
        if dim:
            label.setStyleSheet(f"color: {theme.current().text_dim};")
        return label

    def _live(self, name: str, sample: str, size: float, bold: bool = False) -> LiveLabel:
        label = LiveLabel(sample, self)
        label.setObjectName(name)
        label.setFont(theme.ui_font(size, bold))
        return label

    def _caption(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setFont(theme.ui_font(14.0))
        label.setStyleSheet(f"color: {theme.current().text_dim};")
        return label

    def refresh(self) -> None:
        """Show the connection state, the data age and the counters."""
        view = self.source
        t = theme.current()
        age = view.data_age_ms
        self.level = frame_level(age, view.feed_state)
        replay = view.feed_state == REPLAY
        state_color = QColor(t.accent) if replay else level_color(_state_level(view.feed_state), t)
        self._set(self.state_label, state_word(view.feed_state),
                  f"color: {t.background}; background: {state_color.name()}; border-radius: {theme.px(4)}px; padding: {theme.px(2)}px {theme.px(10)}px;")
        # A replay's data is as old as its cursor says; the time bar shows that, not an age.
        self.age_label.setText(self.tr("recorded history") if replay else format_age(age))
        self.age_label.set_color(level_color(_age_level(age), t))
        self._arrange_head()
        raw = view.feed_reason or ""
        reason = raw if replay else status_text(raw)  # in the UI language (a replay names its file)
        if view.feed_server and view.feed_server not in raw:  # "live from <server>" names it already
            reason = f"{reason} — {view.feed_server}" if reason else view.feed_server
        if view.feed_last_close and view.feed_state in ("live", "stale"):  # a flapping feed shows why
            reason = f"{reason}\n{status_text(view.feed_last_close)}"
        self._set(self.reason_label, reason)
        self._set(self.fault_label, view.feed_fault, f"color: {t.warn};")
        if self.fault_label.isHidden() == bool(view.feed_fault):
            self.fault_label.setVisible(bool(view.feed_fault))
        errors = view.protocol_errors or {}
        self._set(self.errors_label, format_errors(errors),
                  f"color: {t.warn if any(errors.values()) else t.text};")
        points = view.points_received
        words = self.tr("%1 point") if points == 1 else self.tr("%1 points")
        self.points_label.setText(words.replace("%1", f"{points:,}"))
        self._set(self.series_label, self.tr("%1 series").replace("%1", f"{view.series_count:,}"))
        states = source_states(view)
        if states or not self.sources.isHidden():
            self.sources.show_states(states, view.cursor_ms)
        self.patrol.show_event(last_patrol(view.events()), view.cursor_ms)
        if self.level == "ok" and any(st.state != "ok" for st in states):
            self.level = "warn"  # the feed is live, but part of what it shows is not coming in

    @staticmethod
    def _set(label: QLabel, text: str, style: str | None = None) -> None:
        # Setting an unchanged text or style sheet still relayouts; skip it (this runs each second).
        if label.text() != text:
            label.setText(text)
        if style is not None and label.styleSheet() != style:
            label.setStyleSheet(style)

    def save_state(self) -> dict[str, Any]:
        """Nothing to keep: the thresholds are module constants."""
        return {}


def _state_level(state: str) -> str:
    return "stale" if state in CRIT_STATES else "ok" if state == "live" else "warn"


def _age_level(age_ms: int | None) -> str:
    if age_ms is None:
        return "unknown"
    return "stale" if age_ms > CRIT_AGE_MS else "warn" if age_ms > WARN_AGE_MS else "ok"
