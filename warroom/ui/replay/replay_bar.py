"""The replay time bar: play, pause, speed, step, scrub and jump to markers.

The track has a time ruler (clock times at round steps, as many as fit the width and span)
and short labels on its markers ("P1 opened", "Plan effective", "Mitigated", "Resolved", a
deploy's title) that never overlap: the most telling win, the rest keep their tick and say
everything on hover.

It drives a ``ReplaySession`` (GUI-free) and nothing else: the panels above it are the
live console's own, reading the ``LiveView`` the session fills. The main window calls
``on_frame()`` before each frame, so playback and scrubbing move the cursor at the frame
rate, at most once per frame however fast the mouse drags.

Keys: Space play/pause; Left/Right step 10 s (Shift: 1 min); Page Up/Down previous/next
marker; Home/End the start and the end.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QApplication, QComboBox, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMenu, QPushButton, QToolTip, QWidget,
)

from warroom.core.model import Severity
from warroom.core.language.names import current_names
from warroom.app.replay import SPEEDS, ReplayReadOnly, ReplaySession
from warroom.app.replay_marks import MARKER_KINDS, Marker
from warroom.ui import theme

log = logging.getLogger(__name__)

STEP_MS = 10_000
BIG_STEP_MS = 60_000
UTC_OFFSET = timezone(timedelta(hours=8))  # the wall's clock, as the event feed and charts


def marker_color(marker: Marker, t: theme.Theme) -> QColor:
    """A marker's colour on the track: alerts by severity, plans in the accent, the rest dim."""
    if marker.kind in ("alert", "incident"):
        level = "crit" if marker.severity in (Severity.P0, Severity.P1) else "warn"
        return t.status_color(level)
    if marker.kind == "plan":
        return QColor(t.accent)
    if marker.kind == "note":
        return QColor(t.ok)
    return QColor(t.text_dim)


def format_cursor(ms: int) -> str:
    """The cursor as the wall shows times: local date and time, with the offset."""
    return datetime.fromtimestamp(ms / 1000, UTC_OFFSET).strftime("%Y-%m-%d %H:%M:%S") + " UTC+8"


def format_cursor_short(ms: int) -> str:
    """The cursor on the bar: month, day and time (the year and offset are in its tooltip)."""
    return datetime.fromtimestamp(ms / 1000, UTC_OFFSET).strftime("%m-%d %H:%M:%S")


#: Ruler steps (ms) and the minor ticks between their labels: round numbers on a clock.
RULER_STEPS = (
    (1_000, 0), (2_000, 1_000), (5_000, 1_000), (10_000, 2_000), (15_000, 5_000), (30_000, 10_000),
    (60_000, 15_000), (120_000, 30_000), (300_000, 60_000), (600_000, 120_000), (900_000, 300_000),
    (1_800_000, 600_000), (3_600_000, 900_000), (7_200_000, 1_800_000), (10_800_000, 3_600_000),
    (21_600_000, 3_600_000), (43_200_000, 7_200_000), (86_400_000, 21_600_000),
)
_DAY_MS = 86_400_000
_OFFSET_MS = int(UTC_OFFSET.utcoffset(None).total_seconds() * 1000)
#: Which markers get a label first when labels would overlap (lower first): an incident's
#: turning points, then what the plans did, deploys, the incident's other steps, alerts, notes.
_INCIDENT_RANK = {"opened": 0, "mitigated": 0, "resolved": 0, "recovering": 4, "reopened": 4, "escalated": 4,
                  "merged": 4, "overdue": 4, "acknowledged": 5}
_PLAN_RANK = {"not_effective": 1, "failed": 1, "effective": 1, "rolled_back": 1, "expired": 1, "executed": 2,
              "stage_failed": 1, "completed": 1, "aborted": 1,
              "execute": 2, "rollback": 2, "confirmed": 5}
_KIND_RANK = {"deploy": 3, "alert": 6, "note": 7}


@dataclass(frozen=True)
class Tick:
    """A tick of the time ruler: where (epoch ms) and its label ("" for a minor tick)."""

    ms: int
    label: str = ""


def _tick_format(step_ms: int) -> str:
    return "%H:%M:%S" if step_ms < 60_000 else "%H:%M"


def _tick_label(ms: int, step_ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC_OFFSET)
    if step_ms >= 3_600_000 and (ms + _OFFSET_MS) % _DAY_MS == 0:
        return moment.strftime("%m-%d")  # midnight on a ruler of hours: the day instead
    return moment.strftime(_tick_format(step_ms))


def ruler_ticks(start_ms: int, end_ms: int, width_px: float, text_width: Callable[[str], float],
                gap_px: float = 24.0) -> list[Tick]:
    """The ruler's ticks between ``start_ms`` and ``end_ms`` over ``width_px``: labelled ticks at
    round wall-clock times (UTC+8), the finest step whose labels (``text_width`` measures one)
    fit with ``gap_px`` between them, and unlabelled minor ticks between. Oldest first."""
    span = max(1, end_ms - start_ms)
    step, minor = RULER_STEPS[-1]
    for candidate, candidate_minor in RULER_STEPS:
        label_px = text_width("88:88:88" if candidate < 60_000 else "88:88") + gap_px
        if span / candidate * label_px <= width_px:
            step, minor = candidate, candidate_minor
            break
    else:  # weeks on a short bar: whole days, as many as fit
        label_px = text_width("88-88") + gap_px
        step = _DAY_MS * max(1, math.ceil(span / _DAY_MS * label_px / max(1.0, width_px)))
        minor = 0
    out: list[Tick] = []
    fine = minor or step
    first = -((-(start_ms + _OFFSET_MS)) // fine) * fine - _OFFSET_MS  # the first round time at or after start
    for ms in range(first, end_ms + 1, fine):
        on_step = (ms + _OFFSET_MS) % step == 0
        out.append(Tick(ms, _tick_label(ms, step) if on_step else ""))
    return out


# Marker words, marked for lupdate here and translated when drawn (the language may change).
_INCIDENT_WORDS = {
    "opened": QT_TRANSLATE_NOOP("ReplayBar", "%1 opened"),
    "mitigated": QT_TRANSLATE_NOOP("ReplayBar", "Mitigated"),
    "recovering": QT_TRANSLATE_NOOP("ReplayBar", "Recovering"),
    "resolved": QT_TRANSLATE_NOOP("ReplayBar", "Resolved"),
    "reopened": QT_TRANSLATE_NOOP("ReplayBar", "Reopened"),
    "acknowledged": QT_TRANSLATE_NOOP("ReplayBar", "Acknowledged"),
    "escalated": QT_TRANSLATE_NOOP("ReplayBar", "Escalated to %1"),
    "merged": QT_TRANSLATE_NOOP("ReplayBar", "Merged"),
    "overdue": QT_TRANSLATE_NOOP("ReplayBar", "%1 overdue"),  # a missed response target, escalated
}
_PLAN_WORDS = {
    "confirmed": QT_TRANSLATE_NOOP("ReplayBar", "Plan confirmed"),
    "executed": QT_TRANSLATE_NOOP("ReplayBar", "Plan in force"),
    "execute": QT_TRANSLATE_NOOP("ReplayBar", "Plan sent"),
    "effective": QT_TRANSLATE_NOOP("ReplayBar", "Plan effective"),
    "not_effective": QT_TRANSLATE_NOOP("ReplayBar", "Plan NOT effective"),
    "failed": QT_TRANSLATE_NOOP("ReplayBar", "Plan failed"),
    "rolled_back": QT_TRANSLATE_NOOP("ReplayBar", "Plan rolled back"),
    "rollback": QT_TRANSLATE_NOOP("ReplayBar", "Rollback sent"),
    "expired": QT_TRANSLATE_NOOP("ReplayBar", "Plan expired"),
    "stage_failed": QT_TRANSLATE_NOOP("ReplayBar", "Shift stage failed"),
    "completed": QT_TRANSLATE_NOOP("ReplayBar", "Staged shift complete"),
    "aborted": QT_TRANSLATE_NOOP("ReplayBar", "Staged shift aborted"),
}
_OTHER_WORDS = (QT_TRANSLATE_NOOP("ReplayBar", "Incident"), QT_TRANSLATE_NOOP("ReplayBar", "Plan"),
                QT_TRANSLATE_NOOP("ReplayBar", "Note"))


def _word(text: str) -> str:
    return QCoreApplication.translate("ReplayBar", text)


def marker_short_label(m: Marker) -> str:
    """A marker's label on the track: a few words (the full text is its tooltip)."""
    if m.kind == "incident":
        return _word(_INCIDENT_WORDS.get(m.action, "Incident")).replace("%1", m.severity.value)
    if m.kind == "plan":
        return _word(_PLAN_WORDS.get(m.action, "Plan"))
    if m.kind == "alert":  # the subject as people name it ("ICBC gateway", not bank-icbc)
        return f"{m.severity.value} {current_names().subject(m.subject)}".strip()
    if m.kind == "note":
        return _word("Note")
    text = m.label.strip() or m.subject
    return text if len(text) <= 24 else text[:23] + "…"  # a deploy's own title: data, shortened


def marker_tooltip(m: Marker) -> str:
    """A marker in full: when, what kind of step, and its whole title."""
    short = marker_short_label(m)
    text = m.label if short in m.label else f"{short}: {m.label}"
    return f"{format_cursor(m.ts)}\n{text}"


def _label_rank(m: Marker) -> tuple[int, int]:
    if m.kind == "incident":
        return _INCIDENT_RANK.get(m.action, 4), m.ts
    if m.kind == "plan":
        return _PLAN_RANK.get(m.action, 2), m.ts
    return _KIND_RANK.get(m.kind, 9), m.ts


def place_labels(markers: list[Marker], x_of: Callable[[int], float], text_width: Callable[[str], float],
                 left: float, right: float, gap_px: float = 10.0,
                 rows: int = 2) -> list[tuple[Marker, float, float, str, int]]:
    """Which markers get a label, and where: ``(marker, x0, x1, text, row)`` by row, then left
    to right; labels in one row never overlap (``gap_px`` apart) and all lie within
    ``left``..``right``. Incidents opened, mitigated and resolved come first, then plan
    outcomes, deploys, alerts and notes; each takes the first row with room, centred on its
    tick or else ending or starting there, and a label with no room in any row is left out
    (its tick stays and its tooltip says it). A step repeated at the same moment is labelled once."""
    placed: list[tuple[Marker, float, float, str, int]] = []
    seen: set[tuple[int, str]] = set()
    for m in sorted(markers, key=_label_rank):
        text = marker_short_label(m)
        width = text_width(text)
        x = x_of(m.ts)
        if width > right - left or (round(x), text) in seen:
            continue
        spots = [min(max(left, at), right - width) for at in (x - width / 2, x - width, x)]
        free = next(((row, x0) for row in range(rows) for x0 in spots
                     if not any(r == row and x0 < b1 + gap_px and b0 < x0 + width + gap_px
                                for _, b0, b1, _, r in placed)), None)
        if free is not None:
            row, x0 = free
            placed.append((m, x0, x0 + width, text, row))
            seen.add((round(x), text))
    return sorted(placed, key=lambda p: (p[4], p[1]))


class TimelineTrack(QWidget):
    """The history from start to end: a time ruler under the track, markers as ticks with short
    labels above it, incidents as bands, the cursor as a handle.

    Click or drag to scrub (``sig_scrubbed`` with the time under the mouse); hover a tick or a
    label to read its marker in full.
    """

    sig_scrubbed = Signal(object)  # epoch ms: too big for a C int

    def __init__(self, start_ms: int, end_ms: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("replay_track")
        self.start_ms, self.end_ms = start_ms, max(end_ms, start_ms + 1)
        self.cursor_ms = start_ms
        self.markers: list[Marker] = []
        self.bands: list[tuple[int, int, str]] = []  # (from, to, level): incidents open
        self.label_rows = 2
        self.wall_scale_changed()
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def wall_scale_changed(self) -> None:
        """(Re)make fonts and lengths at the wall scale in force (``warroom.ui.wall.wall_scale``)."""
        self.label_font = theme.ui_font(11.0, bold=True)
        self.ruler_font = theme.ui_font(11.0)
        self._lm = QFontMetricsF(self.label_font)
        self._rm = QFontMetricsF(self.ruler_font)
        self.track_px = theme.px(10)
        self.tick_px = theme.px(5)
        self.setMinimumHeight(int(self.label_rows * self._lm.height() + self.track_px + self.tick_px
                                  + self._rm.height() + theme.px(10)))
        self.setMinimumWidth(theme.px(120))  # the bar must fit a 1280-px window beside its buttons
        self.update()

    def set_cursor_ms(self, ms: int) -> None:
        """Move the handle."""
        if ms != self.cursor_ms:
            self.cursor_ms = ms
            self.update()

    def set_markers(self, markers: list[Marker], bands: list[tuple[int, int, str]]) -> None:
        """What to draw on the track."""
        self.markers, self.bands = list(markers), list(bands)
        self.update()

    def x_of(self, ms: int) -> float:
        """The x coordinate of a time."""
        lane = self._lane()
        return lane.left() + (ms - self.start_ms) / (self.end_ms - self.start_ms) * lane.width()

    def ms_at(self, x: float) -> int:
        """The time under an x coordinate (clamped to the history)."""
        lane = self._lane()
        frac = min(1.0, max(0.0, (x - lane.left()) / max(1.0, lane.width())))
        return int(self.start_ms + frac * (self.end_ms - self.start_ms))

    def marker_near(self, x: float, tolerance_px: float = 5.0) -> Marker | None:
        """The marker drawn nearest to ``x``, if one is within ``tolerance_px``."""
        best = min(self.markers, key=lambda m: abs(self.x_of(m.ts) - x), default=None)
        return best if best is not None and abs(self.x_of(best.ts) - x) <= tolerance_px else None

    def ticks(self) -> list[Tick]:
        """The ruler's ticks at the current width (see ``ruler_ticks``)."""
        lane = self._lane()
        return ruler_ticks(self.start_ms, self.end_ms, lane.width(), self._rm.horizontalAdvance, theme.px(24))

    def labels(self) -> list[tuple[Marker, QRectF, str]]:
        """The marker labels drawn, with their boxes (see ``place_labels``); the first row is
        the one next to the track."""
        _, track, _ = self._rows()
        h = self._lm.height()
        return [(m, QRectF(x0, track - theme.px(3) - (row + 1) * h, x1 - x0, h), text)
                for m, x0, x1, text, row in place_labels(self.markers, self.x_of, self._lm.horizontalAdvance,
                                                         0.0, float(self.width()), theme.px(10), self.label_rows)]

    def marker_at(self, pos: QPointF) -> Marker | None:
        """The marker whose label or tick is under ``pos``."""
        for m, box, _ in self.labels():
            if box.adjusted(-2, -2, 2, 2).contains(pos):
                return m
        return self.marker_near(pos.x())

    def _lane(self) -> QRectF:
        return QRectF(self.rect()).adjusted(theme.px(10), 0, -theme.px(10), 0)

    def _rows(self) -> tuple[float, float, float]:
        """The tops of the label row, of the track and of the ruler's labels."""
        top = (self.height() - self.minimumHeight()) / 2 + theme.px(3)
        track = top + self.label_rows * self._lm.height() + theme.px(3)
        return top, track, track + self.track_px + self.tick_px + theme.px(1)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        lane = self._lane()
        _, track_top, ruler_top = self._rows()
        track = QRectF(lane.left(), track_top, lane.width(), self.track_px)
        p.fillRect(track, QColor(t.surface))
        played = QRectF(track.left(), track.top(), self.x_of(self.cursor_ms) - track.left(), track.height())
        p.fillRect(played, QColor(t.border))
        for start, end, level in self.bands:
            x0, x1 = self.x_of(start), self.x_of(end)
            band = QColor(t.status_color(level))
            band.setAlpha(90)
            p.fillRect(QRectF(x0, track.top(), max(2.0, x1 - x0), track.height()), band)
        # The ruler: labelled ticks at round clock times, short ones between.
        p.setFont(self.ruler_font)
        for tick in self.ticks():
            x = self.x_of(tick.ms)
            long = bool(tick.label)
            p.setPen(QPen(QColor(t.text_dim if long else t.border), 1))
            p.drawLine(QPointF(x, track.bottom()), QPointF(x, track.bottom() + (self.tick_px if long else self.tick_px / 2)))
            if long:
                w = self._rm.horizontalAdvance(tick.label)
                x0 = min(max(0.0, x - w / 2), self.width() - w)
                p.drawText(QRectF(x0, ruler_top, w, self._rm.height()), int(Qt.AlignmentFlag.AlignCenter), tick.label)
        # Markers: a tick down to the track (plans through it), then the labels, each on a
        # patch of background so that a tick running up behind it does not cross its text.
        near = track.top() - theme.px(3) - self._lm.height()  # the bottom of the upper label row
        for m in self.markers:
            x = self.x_of(m.ts)
            p.setPen(QPen(marker_color(m, t), theme.px(3)))
            bottom = track.bottom() if m.kind == "plan" else track.top()
            p.drawLine(QPointF(x, near), QPointF(x, bottom))
        p.setFont(self.label_font)
        for m, box, text in self.labels():
            p.fillRect(box.adjusted(-2, 0, 2, 0), QColor(t.background))
            p.setPen(marker_color(m, t))
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        x = self.x_of(self.cursor_ms)
        p.setPen(QPen(QColor(t.text), 2))
        p.setBrush(QColor(t.accent))
        # The playhead spans the track only: running up through the labels it would cross them out.
        p.drawLine(QPointF(x, track.top() - theme.px(4)), QPointF(x, track.bottom() + self.tick_px))
        p.drawEllipse(QPointF(x, track.center().y()), theme.px(8), theme.px(8))

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self.sig_scrubbed.emit(self.ms_at(event.position().x()))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        x = event.position().x()
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.sig_scrubbed.emit(self.ms_at(x))
            return
        m = self.marker_at(event.position())
        tip = format_cursor(self.ms_at(x)) if m is None else marker_tooltip(m)
        QToolTip.showText(event.globalPosition().toPoint(), tip, self)


class ReplayBar(QWidget):
    """The time bar of a replay; see the module docstring."""

    sig_moved = Signal(object)  # the cursor moved (epoch ms)

    def __init__(self, session: ReplaySession, parent: QWidget | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.setObjectName("replay_bar")
        self.session = session
        self._clock = clock
        self._last_frame: float | None = None
        self._pending: int | None = None
        self._shown_ms: int | None = None
        t = theme.current()
        font = theme.ui_font(15.0)
        self.setFont(font)

        self.badge = QLabel(self.tr("REPLAY"), self)
        self.badge.setObjectName("replay_badge")
        self.badge.setFont(theme.ui_font(15.0, bold=True))
        self.badge.setStyleSheet(f"color: {t.background}; background: {t.accent}; border-radius: 4px; padding: 4px 12px;")
        self.badge.setToolTip(session.source)
        # Plain glyphs and words: media symbols (U+23EE...) are missing from many wall fonts.
        self.prev_button = self._button("|◀", self.tr("Previous marker (Page Up)"), "replay_prev", self.previous_marker)
        self.back_button = self._button(self.tr("−10 s"), self.tr("Back 10 s (Left; Shift: 1 min)"), "replay_back",
                                        lambda: self.step(-STEP_MS))
        self.play_button = self._button(self.tr("▶ Play"), self.tr("Play / pause (Space)"), "replay_play",
                                        self.toggle_play)
        self.play_button.setMinimumWidth(self.play_button.fontMetrics().horizontalAdvance(self.tr("▶ Play")) + 40)
        self.fwd_button = self._button(self.tr("+10 s"), self.tr("Forward 10 s (Right; Shift: 1 min)"),
                                       "replay_forward", lambda: self.step(STEP_MS))
        self.next_button = self._button("▶|", self.tr("Next marker (Page Down)"), "replay_next", self.next_marker)
        self.speed_box = QComboBox(self)
        self.speed_box.setObjectName("replay_speed")
        self.speed_box.setFont(font)
        for s in SPEEDS:
            self.speed_box.addItem(f"{s:g}×", s)
        self.speed_box.setCurrentIndex(min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - session.speed)))
        self.speed_box.setToolTip(self.tr("Playback speed (feed time per wall time)"))
        self.speed_box.currentIndexChanged.connect(self._on_speed_changed)
        self.track = TimelineTrack(session.start_ms, session.end_ms, self)
        self.track.sig_scrubbed.connect(self.scrub)
        self.time_label = QLabel(self)
        self.time_label.setObjectName("replay_time")
        self.time_label.setFont(theme.ui_font(18.0, bold=True))
        self.markers_button = self._button(self.tr("Markers"), self.tr("Jump to an alert, incident, plan, deploy or note"),
                                           "replay_markers", self.show_markers_menu)
        self.note_button = self._button(self.tr("Note…"), self.tr("Add a review note to the incident at the cursor"),
                                        "replay_note", self.add_note)
        self.export_button = self._button(self.tr("Export"), self.tr("Write the report or the bundle of the incident "
                                                                     "at the cursor"), "replay_export",
                                          self.show_export_menu)
        self.report_lang = "en"  # the report's language: the window's (set by the replay app)
        self.last_message = ""  # what the last export or note did, or why it could not
        self.note_button.setEnabled(session.notes_allowed)
        if not session.notes_allowed:
            self.note_button.setToolTip(self.tr("This file is open read-only: notes cannot be stored"))

        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(8)
        row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)  # the track is taller than a button
        for w in (self.prev_button, self.back_button, self.play_button, self.fwd_button, self.next_button,
                  self.speed_box):
            row.addWidget(w)
        row.addWidget(self.track, 1)
        row.addWidget(self.time_label)
        row.addWidget(self.markers_button)
        row.addWidget(self.export_button)
        row.addWidget(self.note_button)

        for key, action in (
            (Qt.Key.Key_Space, self.toggle_play),
            (Qt.Key.Key_Left, lambda: self.step(-STEP_MS)),
            (Qt.Key.Key_Right, lambda: self.step(STEP_MS)),
            (QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_Left), lambda: self.step(-BIG_STEP_MS)),
            (QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_Right), lambda: self.step(BIG_STEP_MS)),
            (Qt.Key.Key_PageUp, self.previous_marker),
            (Qt.Key.Key_PageDown, self.next_marker),
            (Qt.Key.Key_Home, lambda: self.seek(self.session.start_ms)),
            (Qt.Key.Key_End, lambda: self.seek(self.session.end_ms)),
        ):
            shortcut = QShortcut(QKeySequence(key), self.window() if parent is not None else self)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(action)
        self._refresh_markers()
        self._show()

    def _button(self, text: str, tip: str, name: str, slot: Callable[[], None]) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the shortcuts, not to the last button
        b.clicked.connect(slot)
        return b

    # -- moving the cursor -------------------------------------------------------------
    def on_frame(self) -> None:
        """Before each frame: apply a scrub, or advance playback by the wall time since the last frame."""
        now = self._clock()
        elapsed = 0.0 if self._last_frame is None else min(0.5, now - self._last_frame)  # a stall is no leap
        self._last_frame = now
        try:
            if self._pending is not None:
                target, self._pending = self._pending, None
                self.session.seek(target)
            elif self.session.playing:
                self.session.advance(elapsed)
        except Exception as exc:  # noqa: BLE001 - a damaged stretch of history must not stop the window
            self._unreadable(exc)
        self._show()

    def scrub(self, ms: int) -> None:
        """Move the cursor to ``ms`` at the next frame (drags coalesce into one seek per frame)."""
        self._pending = int(ms)
        self.track.set_cursor_ms(int(ms))

    def seek(self, ms: int) -> None:
        """Move the cursor now."""
        self._pending = None
        try:
            self.session.seek(ms)
        except Exception as exc:  # noqa: BLE001 - see on_frame
            self._unreadable(exc)
        self._show()

    def _unreadable(self, exc: BaseException) -> None:
        log.warning("replay: cannot read the history here: %s", exc)
        self.session.playing = False
        self._say(self.tr("Cannot read this part of the history: %1").replace(
            "%1", str(exc).splitlines()[0] if str(exc) else type(exc).__name__))

    def step(self, delta_ms: int) -> None:
        """Step by ``delta_ms`` (pauses playback: a step is a close look)."""
        self.session.playing = False
        self.seek(self.session.cursor_ms + delta_ms)

    def toggle_play(self) -> None:
        """Play or pause; playing at the end starts over from the beginning."""
        s = self.session
        if not s.playing and s.cursor_ms >= s.end_ms:
            s.seek(s.start_ms)
        s.playing = not s.playing
        self._last_frame = self._clock()
        self._show()

    def next_marker(self) -> None:
        """Jump to the next marker."""
        m = self.session.next_marker()
        if m is not None:
            self.seek(m.ts)

    def previous_marker(self) -> None:
        """Jump to the previous marker."""
        m = self.session.previous_marker()
        if m is not None:
            self.seek(m.ts)

    def _on_speed_changed(self, index: int) -> None:
        self.session.speed = float(self.speed_box.itemData(index))

    # -- markers and notes -------------------------------------------------------------
    def marker_menu(self) -> QMenu:
        """A menu of markers by kind, each jumping to its time."""
        menu = QMenu(self)
        names = {"alert": self.tr("Alerts"), "incident": self.tr("Incidents"), "plan": self.tr("Plans"),
                 "deploy": self.tr("Deploys and changes"), "note": self.tr("Notes")}
        for kind in MARKER_KINDS:
            marks = [m for m in self.session.markers if m.kind == kind]
            if not marks:
                continue
            sub = menu.addMenu(f"{names[kind]} ({len(marks)})")
            for m in marks[-40:]:  # a long history: the latest forty of a kind
                label = datetime.fromtimestamp(m.ts / 1000, UTC_OFFSET).strftime("%H:%M:%S") + f"  {m.label}"
                sub.addAction(label[:100]).triggered.connect(lambda _=False, ts=m.ts: self.seek(ts))
        if menu.isEmpty():
            menu.addAction(self.tr("No markers in this history")).setEnabled(False)
        return menu

    def show_markers_menu(self) -> None:
        """Open the markers menu under its button."""
        self.marker_menu().exec(self.markers_button.mapToGlobal(self.markers_button.rect().bottomLeft()))

    def export_menu(self) -> QMenu:
        """Report (HTML, PDF) and bundle of the incident at the cursor."""
        menu = QMenu(self)
        inc = self.session.incident_at_cursor()
        for text, kind in ((self.tr("Report (HTML)…"), "html"), (self.tr("Report (PDF)…"), "pdf"),
                           (self.tr("Incident bundle…"), "bundle")):
            action = menu.addAction(text)
            action.setEnabled(inc is not None and (kind != "bundle" or self.session.path is not None))
            action.triggered.connect(lambda _=False, k=kind: self.export(k))
        if inc is None:
            menu.addSeparator()
            menu.addAction(self.tr("No incident at the cursor")).setEnabled(False)
        return menu

    def show_export_menu(self) -> None:
        """Open the export menu under its button."""
        self.export_menu().exec(self.export_button.mapToGlobal(self.export_button.rect().bottomLeft()))

    def export(self, kind: str, out: Path | None = None) -> Path | None:
        """Write the report (``html``, ``pdf``) or bundle (``bundle``) of the incident at the cursor
        to ``out`` (asked for when None). Returns the file written, None if nothing was."""
        from warroom.ui.progress import ProgressWindow
        from warroom.ui.replay.replay_export import write_export

        inc = self.session.incident_at_cursor()
        if inc is None:
            return self._say(self.tr("No incident at the cursor"))
        if out is None:
            suffix = {"html": "-report.html", "pdf": "-report.pdf", "bundle": ".duckdb"}[kind]
            name, _ = QFileDialog.getSaveFileName(self, self.export_button.toolTip(), str(Path.cwd() / f"{inc}{suffix}"))
            if not name:
                return None
            out = Path(name)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with ProgressWindow(self.export_button.text(), self) as progress:
                message = write_export(self.session, inc, kind, out, self.report_lang, progress)
        except Exception as exc:  # noqa: BLE001 - whatever went wrong is said, the replay goes on
            message = self.tr("Export failed: %1").replace("%1", str(exc).splitlines()[0] if str(exc) else repr(exc))
            out = None
        finally:
            QApplication.restoreOverrideCursor()
        self._say(message)
        return out

    def _say(self, message: str) -> None:
        self.last_message = message
        self.export_button.setToolTip(message)
        QToolTip.showText(self.export_button.mapToGlobal(self.export_button.rect().topLeft()), message, self)
        return None

    def add_note(self) -> None:
        """Ask for a review note on the incident at the cursor (``ReplaySession.incident_at_cursor``)."""
        watch = self.session.watch
        inc_id = self.session.incident_at_cursor()
        inc = watch.book.incident(inc_id) if inc_id is not None else None
        if inc is None:
            self.note_button.setToolTip(self.tr("No incident at the cursor to note"))
            return
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("Review note"),
            self.tr("Note on %1 at %2, as %3:").replace("%1", inc.title).replace(
                "%2", format_cursor(self.session.cursor_ms)).replace("%3", watch.user or "?"))
        if not ok or not text.strip():
            return
        try:
            watch.add_note(inc.id, watch.user or "reviewer", text)
        except (ReplayReadOnly, ValueError) as exc:
            self.note_button.setToolTip(str(exc))
            return
        self._refresh_markers()

    # -- showing ---------------------------------------------------------------------
    def _refresh_markers(self) -> None:
        bands = [(start, end, "crit" if sev in (Severity.P0, Severity.P1) else "warn")
                 for start, end, sev, _ in self.session.incident_spans]
        self.track.set_markers(self.session.markers, bands)

    def _show(self) -> None:
        s = self.session
        self.play_button.setText(self.tr("❚❚ Pause") if s.playing else self.tr("▶ Play"))
        if s.cursor_ms != self._shown_ms:
            self._shown_ms = s.cursor_ms
            self.time_label.setText(format_cursor_short(s.cursor_ms))
            self.time_label.setToolTip(format_cursor(s.cursor_ms))
            if self._pending is None:
                self.track.set_cursor_ms(s.cursor_ms)
            self.sig_moved.emit(s.cursor_ms)
