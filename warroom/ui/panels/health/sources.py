"""The feed's own sources: is each one answering? (protocol 1.3, a gateway's Prometheus...)

A gateway reports each part of a source that can fail on its own as the series
``source_up{source=NAME}`` (1 after a good poll, 0 after a failed one; a failing source's own
series then get no points: stale, never zero), and sends a ``feed`` event with subject
``source:NAME`` whenever one starts failing or recovers, its ``attrs.error`` saying why.

``source_states`` reads them at the view's cursor: OK, FAILING (for how long, and the error
of the last event), or SILENT when its last report is older than ``SILENT_AFTER_MS`` (the
gateway itself stopped reporting it). ``SourceLines`` shows them as compact lines, problems
first; a feed that reports no sources (the simulator) shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QWidget

from warroom.core.model import EventKind
from warroom.store.live import LiveView
from warroom.ui import theme

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls

SOURCE_SERIES = "source_up"
_SUBJECT = "source:"
#: A source whose last report is older than this (feed time) is shown SILENT — or than three of
#: its own reporting intervals, for a source polled less often than every 20 s.
SILENT_AFTER_MS = 60_000
SILENT_INTERVALS = 3
#: How far back a source's reports are read (the start of a long failure is its first 0 in it).
LOOKBACK_MS = 60 * 60_000
#: At most this many sources that are OK get a line each; more are counted on one line.
MAX_OK_LINES = 3
#: A source's name takes at most this width (px at 1080p); a longer one is elided.
NAME_MAX_PX = 320


@dataclass(frozen=True)
class SourceState:
    """One source at the cursor. ``state``: ``ok``, ``failing`` or ``silent``; ``since_ms``:
    feed time it started failing (None when OK or unknown); ``age_ms``: of its last report."""

    name: str
    state: str
    since_ms: int | None = None
    age_ms: int | None = None
    error: str = ""


def source_states(view: LiveView) -> list[SourceState]:
    """Every source the feed reports, at the cursor: problems first, then by name."""
    keys = view.keys(SOURCE_SERIES)
    at = view.cursor_ms
    if not keys or at is None:
        return []
    last_event = {}
    for ev in view.events(at - LOOKBACK_MS, at):  # oldest first: the last one wins
        if ev.kind is EventKind.FEED and ev.subject.startswith(_SUBJECT):
            last_event[str(ev.attrs.get("source") or ev.subject[len(_SUBJECT):])] = ev
    out = []
    for key in keys:
        name = key.labels.get("source", "")
        ts, values = view.window(key, LOOKBACK_MS, at)
        if not len(ts):
            continue  # nothing reported before the cursor
        age = int(at - ts[-1])
        ev = last_event.get(name)
        failing_event = ev is not None and ev.attrs.get("state") == "failing"
        if values[-1] >= 0.5:
            state, since, error = "ok", None, ""
        else:
            ups = (values >= 0.5).nonzero()[0]
            first_down = int(ts[ups[-1] + 1]) if len(ups) else int(ts[0])
            since = int(ev.ts) if failing_event and ev.ts <= first_down else first_down
            error = str(ev.attrs.get("error") or ev.title or "") if failing_event else ""
            state = "failing"
        if age > silent_after_ms(ts):
            state = "silent"
        out.append(SourceState(name, state, since, age, error))
    order = {"failing": 0, "silent": 1, "ok": 2}
    return sorted(out, key=lambda s: (order[s.state], s.name))


def silent_after_ms(ts) -> int:
    """How old a source's last report may be before it counts as silent: ``SILENT_AFTER_MS``, or
    ``SILENT_INTERVALS`` of its typical interval (the median gap of its reports) when longer — a
    site that polls a slow query every 5 minutes is not silent after one."""
    if len(ts) < 3:
        return SILENT_AFTER_MS
    gaps = sorted(int(b - a) for a, b in zip(ts[:-1], ts[1:]))
    return max(SILENT_AFTER_MS, SILENT_INTERVALS * gaps[len(gaps) // 2])


def duration_words(ms: int | None) -> str:
    """``35 s``, ``2 min 5 s``, ``1 h 10 min`` (the feed-health panel's own words)."""
    seconds = max(0, int((ms or 0) // 1000))
    if seconds < 60:
        return translate("FeedHealthPanel", "%1 s").replace("%1", str(seconds))
    if seconds < 3600:
        return translate("FeedHealthPanel", "%1 min %2 s").replace("%1", str(seconds // 60)).replace("%2", str(seconds % 60))
    return translate("FeedHealthPanel", "%1 h %2 min").replace("%1", str(seconds // 3600)).replace(
        "%2", str(seconds % 3600 // 60))


def grouped_names(names: list[str]) -> str:
    """Many sources by system, for one line read from a distance: ``prometheus ×11`` (a source's
    system is its name up to the first ``:``); a system with one source keeps its full name."""
    by_system: dict[str, list[str]] = {}
    for n in names:
        by_system.setdefault(n.split(":", 1)[0], []).append(n)
    return ", ".join(v[0] if len(v) == 1 else f"{k} ×{len(v)}" for k, v in by_system.items())


def source_line(s: SourceState, now_ms: int | None) -> tuple[str, str, str, str]:
    """``(name, STATE WORD, detail, level)`` for one source; ``detail`` is "" when OK."""
    if s.state == "ok":
        return s.name, translate("FeedHealthPanel", "OK"), "", "ok"
    if s.state == "silent":
        return (s.name, translate("FeedHealthPanel", "SILENT"),
                translate("FeedHealthPanel", "no report for %1").replace("%1", duration_words(s.age_ms)), "warn")
    detail = duration_words(None if s.since_ms is None or now_ms is None else now_ms - s.since_ms)
    if s.error:
        detail = f"{detail} — {s.error}"
    return s.name, translate("FeedHealthPanel", "FAILING"), detail, "warn"


def problem_lines(problems: list[SourceState], now_ms: int | None) -> list[tuple[str, str, str, str]]:
    """A line per source in trouble; more than ``MAX_OK_LINES`` of them (Prometheus down takes
    every query group with it) are one line per system and state — "11 sources  FAILING
    prometheus — 35 s — connection refused" — so the cause stays readable in a narrow panel."""
    if len(problems) <= MAX_OK_LINES:
        return [source_line(s, now_ms) for s in problems]
    groups: dict[tuple[str, str], list[SourceState]] = {}
    for s in problems:
        groups.setdefault((s.name.split(":", 1)[0], s.state), []).append(s)
    out = []
    for (system, _state), members in groups.items():
        if len(members) == 1:
            out.append(source_line(members[0], now_ms))
            continue
        # The one failing longest speaks for the group: its duration and its error.
        first = min(members, key=lambda m: m.since_ms if m.since_ms is not None else 2**62)
        _name, word, detail, level = source_line(first, now_ms)
        count = translate("FeedHealthPanel", "%1 sources").replace("%1", str(len(members)))
        out.append((count, word, f"{system} — {detail}" if detail else system, level))
    return out


class _Elided(QLabel):
    """One line, elided to the width it gets; the whole text is the tooltip. An error is
    elided in the middle: its start (how long) and its end (the cause) are what matter."""

    def __init__(self, parent: QWidget, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full(self, text: str) -> None:
        if text != self._full:
            self._full = text
            self._elide()

    def need(self) -> int:
        """The width of the whole text."""
        return self.fontMetrics().horizontalAdvance(self._full) + 2

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:  # the wall scale changed the font
            self._elide()

    def full(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, self._mode, width) if width > 0 \
            else self._full
        if self.text() != shown:
            self.setText(shown)
        self.setToolTip(self._full if shown != self._full else "")


class SourceLines(QWidget):
    """The sources as lines "name  STATE  detail" (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feed_sources")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, theme.px(4), 0, 0)
        self._grid.setHorizontalSpacing(theme.px(12))
        self._grid.setVerticalSpacing(theme.px(1))
        self._grid.setColumnStretch(2, 1)
        self._rows: list[tuple[_Elided, QLabel, _Elided]] = []
        self.states: list[SourceState] = []
        self.hide()

    def lines(self) -> list[str]:
        """The lines shown, as text (whole, not elided)."""
        out = []
        for name, word, detail in self._rows:
            if not name.isHidden():
                out.append("  ".join(p for p in (name.full(), word.text(), detail.full()) if p))
        return out

    def show_states(self, states: list[SourceState], now_ms: int | None) -> None:
        """Show ``states`` (none: the widget hides)."""
        self.states = states
        t = theme.current()
        ok = [s for s in states if s.state == "ok"]
        shown = [s for s in states if s.state != "ok"]
        lines = problem_lines(shown, now_ms)
        if len(ok) > MAX_OK_LINES:  # many parts answering: one line, their names beside it
            lines.append((translate("FeedHealthPanel", "%1 sources").replace("%1", str(len(ok))),
                          translate("FeedHealthPanel", "OK"), grouped_names([s.name for s in ok]), "ok"))
        else:
            lines += [source_line(s, now_ms) for s in ok]
        while len(self._rows) < len(lines):
            self._add_row()
        for i, (name, word, detail) in enumerate(self._rows):
            if i >= len(lines):
                for w in (name, word, detail):
                    w.hide()
                continue
            text, state_word, more, level = lines[i]
            name.set_full(text)
            word.setText(state_word)
            word.setStyleSheet(f"color: {t.status_color(level).name()};")
            detail.set_full(more)
            for w in (name, word, detail):
                w.show()
        # The names' column is as wide as the longest name, up to NAME_MAX_PX (then they elide).
        widths = [name.need() for name, _w, _d in self._rows[:len(lines)]]
        self._grid.setColumnMinimumWidth(0, min(max(widths, default=0), theme.px(NAME_MAX_PX)))
        self.setVisible(bool(lines))

    def _add_row(self) -> None:
        row = len(self._rows)
        name = _Elided(self)
        name.setFont(theme.ui_font(15.0))
        word = QLabel(self)
        word.setFont(theme.ui_font(15.0, bold=True))
        word.setTextFormat(Qt.TextFormat.PlainText)
        detail = _Elided(self, Qt.TextElideMode.ElideMiddle)
        detail.setFont(theme.ui_font(14.0))
        detail.setStyleSheet(f"color: {theme.current().text_dim};")
        self._grid.addWidget(name, row, 0)  # fills its column: elided only when the column is capped
        self._grid.addWidget(word, row, 1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._grid.addWidget(detail, row, 2)
        self._rows.append((name, word, detail))
