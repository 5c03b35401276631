"""The log lines and trace ids behind an alert or incident (protocol 1.5 log context).

``contexts_by_service`` reads the log events (protocol 1.5) of the recent events into the newest excerpt
per service; ``context_badge`` is the one line an alert card or a timeline row gives it; and
``LogContextView`` shows an excerpt in full: the newest lines, and each trace id with a Copy
button and, when the configuration's ``trace_url`` is set (``warroom.core.settings.trace_links``:
Jaeger, Tempo), an Open button.

Log lines come from other systems and may be hostile: they are already cut and cleaned by
``warroom.protocol.context``; here they are drawn through ``display_safe`` as plain text (no
rich text, so ``<a href>`` in a line is only characters), one line each, clipped to the view.
Only a well-formed trace id is ever put into a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from warroom.core.language.text import display_safe
from warroom.core.model import Event
from warroom.core.settings import trace_links
from warroom.protocol.context import LogContext, context_of, is_context
from warroom.ui import theme
from warroom.ui.elided_label import ElidedLabel
from warroom.ui.panels.alerts.cards import Badge
from warroom.ui.panels.alerts.dialogs import open_url
from warroom.ui.panels.alerts.widgets import make_button

#: Lines and trace ids the view shows (the newest): few, big enough to read across the room.
SHOWN_LINES = 3
SHOWN_TRACES = 2
#: A line's own leading timestamp (ISO 8601 or ``YYYY-MM-DD HH:MM:SS``): the view shows the time once.
_STAMP = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+")


def contexts_by_service(events: Iterable[Event], services: Iterable[str] | None = None,
                        since_ms: int | None = None) -> dict[str, LogContext]:
    """The newest context excerpt per service (of ``services`` when given) among ``events``."""
    wanted = None if services is None else set(services)
    newest: dict[str, Event] = {}
    for ev in events:
        if (wanted is None or ev.subject in wanted) and (since_ms is None or ev.ts >= since_ms) and is_context(ev):
            old = newest.get(ev.subject)
            if old is None or ev.ts >= old.ts:
                newest[ev.subject] = ev
    out = {}
    for service, ev in newest.items():
        ctx = context_of(ev)
        if ctx is not None and ctx.lines:
            out[service] = ctx
    return out


def shown_line(line: str) -> str:
    """A log line as drawn: display-safe, without its own leading timestamp."""
    return display_safe(_STAMP.sub("", line, count=1))


def ends_of(trace_id: str) -> str:
    """A trace id short enough for a side dock: its first 8 and last 6 characters."""
    return trace_id if len(trace_id) <= 16 else f"{trace_id[:8]}…{trace_id[-6:]}"


def short_trace(trace_id: str) -> str:
    """The first 8 characters of a trace id, as people read them aloud."""
    return trace_id[:8]


def context_badge(ctx: LogContext) -> Badge:
    """One card line: the newest log line, and its trace id when it has one."""
    newest = ctx.lines[-1]
    text = shown_line(newest.line)
    if newest.trace_id:
        text = QCoreApplication.translate("LogContext", "trace %1").replace("%1", short_trace(newest.trace_id)) + "  " + text
    t = theme.current()
    return Badge(QCoreApplication.translate("LogContext", "log: %1").replace("%1", text),
                 t.crit if newest.level == "error" else t.warn)


def context_row_texts(ev: Event, service_title: str) -> tuple[str, str]:
    """A timeline row for a log event: ``("<service>: <newest line>", "trace <id> · N lines")``."""
    ctx = context_of(ev)
    if ctx is None or not ctx.lines:
        return display_safe(ev.title), ""
    newest = ctx.lines[-1]
    text = QCoreApplication.translate("LogContext", "%1: %2").replace("%1", display_safe(service_title)).replace(
        "%2", shown_line(newest.line))
    parts = [QCoreApplication.translate("LogContext", "trace %1").replace("%1", newest.trace_id)] if newest.trace_id else []
    parts.append(QCoreApplication.translate("LogContext", "%1 log lines").replace("%1", str(len(ctx.lines))))
    return text, " · ".join(parts)


def _clock(ts_ms: int, utc_offset_minutes: int) -> str:
    moment = datetime.fromtimestamp(ts_ms / 1000, tz=timezone(timedelta(minutes=utc_offset_minutes)))
    return moment.strftime("%H:%M:%S")


class LogContextView(QFrame):
    """An excerpt in full, with Copy and Open buttons (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None, *, utc_offset_minutes: int = 8 * 60) -> None:
        super().__init__(parent)
        self.setObjectName("log_context")
        self.utc_offset_minutes = utc_offset_minutes
        self.context: LogContext | None = None
        t = theme.current()
        self.setStyleSheet(f"QFrame#log_context {{ border: 1px solid {t.border}; border-radius: 4px; }}")
        self.heading = QLabel(self)
        self.heading.setObjectName("log_context_heading")
        self.heading.setFont(theme.ui_font(14.0, bold=True))
        self.copy_lines_button = make_button(self, QCoreApplication.translate("LogContext", "Copy lines"), "copy_log_lines")
        self.copy_lines_button.clicked.connect(self.copy_lines)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.copy_lines_button)
        mono = theme.ui_font(12.0)  # at wall scale, with the CJK fallbacks; a fixed-width face first
        mono.setFamilies([QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family(), *mono.families()])
        self.line_labels: list[QLabel] = []
        col = QVBoxLayout(self)
        col.setContentsMargins(8, 6, 8, 6)
        col.setSpacing(2)
        col.addLayout(head)
        # Trace ids first: in a short dock the buttons stay in sight, the lines scroll.
        self.trace_rows: list[tuple[QLabel, QWidget, QWidget]] = []
        for i in range(SHOWN_TRACES):
            row = QHBoxLayout()
            label = QLabel(self)
            label.setObjectName(f"trace_id_{i}")
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setFont(theme.ui_font(13.0, bold=True))
            label.setMinimumWidth(10)  # a narrow dock clips the id; Copy still copies it whole
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            copy = make_button(self, QCoreApplication.translate("LogContext", "Copy"), f"copy_trace_{i}")
            open_ = make_button(self, QCoreApplication.translate("LogContext", "Open trace"), f"open_trace_{i}")
            copy.clicked.connect(lambda _=False, i=i: self.copy_trace(i))
            open_.clicked.connect(lambda _=False, i=i: self.open_trace(i))
            row.addWidget(label, 1)
            row.addWidget(copy)
            row.addWidget(open_)
            col.addLayout(row)
            self.trace_rows.append((label, copy, open_))
        for i in range(SHOWN_LINES):
            label = ElidedLabel(self)  # plain text: a line is characters, never markup
            label.setObjectName(f"log_line_{i}")
            label.setFont(mono)
            label.setMinimumWidth(10)  # elide long lines instead of widening the dock
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.line_labels.append(label)
            col.addWidget(label)
        self.show_context(None)

    def show_context(self, ctx: LogContext | None, service_title: str = "") -> None:
        """Show ``ctx`` (hidden when None)."""
        self.context = ctx
        self.setVisible(ctx is not None)
        if ctx is None:
            return
        source = f" ({display_safe(ctx.source)})" if ctx.source else ""
        self.heading.setText(QCoreApplication.translate("LogContext", "Latest log lines · %1").replace(
            "%1", display_safe(service_title or ctx.service)) + source)
        lines = ctx.lines[-SHOWN_LINES:]
        t = theme.current()
        for i, label in enumerate(self.line_labels):
            if i < len(lines):
                ln = lines[len(lines) - 1 - i]  # newest first
                label.set_full_text(f"{_clock(ln.ts, self.utc_offset_minutes)}  {shown_line(ln.line)}")
                label.setStyleSheet(f"color: {t.crit if ln.level == 'error' else t.text};")
                label.setToolTip(display_safe(ln.line[:1000]))
            label.setVisible(i < len(lines))
        can_open = trace_links.template() is not None
        for i, (label, copy, open_) in enumerate(self.trace_rows):
            shown = i < len(ctx.trace_ids)
            label.setVisible(shown)
            copy.setVisible(shown)
            open_.setVisible(shown)
            if shown:
                tid = ctx.trace_ids[i]
                # Its two ends, as people match ids by eye; the whole id in the tooltip and on Copy.
                label.setText(QCoreApplication.translate("LogContext", "trace %1").replace("%1", ends_of(tid)))
                label.setToolTip(tid)
                open_.setEnabled(can_open)
                open_.setToolTip("" if can_open else QCoreApplication.translate(
                    "LogContext", "Set trace_url in the configuration file to open traces (Jaeger, Tempo)."))

    def trace_id(self, i: int) -> str:
        """The ``i``-th trace id shown ("" if none)."""
        ids = self.context.trace_ids if self.context is not None else ()
        return ids[i] if 0 <= i < len(ids) else ""

    def copy_trace(self, i: int) -> None:
        """Put the ``i``-th trace id on the clipboard."""
        trace = self.trace_id(i)
        if trace:
            QGuiApplication.clipboard().setText(trace)

    def copy_lines(self) -> None:
        """Put the lines shown on the clipboard, oldest first, one per line."""
        if self.context is not None:
            QGuiApplication.clipboard().setText("\n".join(
                f"{ln.trace_id + ' ' if ln.trace_id else ''}{ln.line}" for ln in self.context.lines))

    def open_trace(self, i: int) -> bool:
        """Open the ``i``-th trace id in the trace viewer; False when there is no link."""
        url = trace_links.trace_url(self.trace_id(i))
        if url is None:
            return False
        return bool(open_url(url))
