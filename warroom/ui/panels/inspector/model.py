"""The inspector's two tables as Qt models: the stream (points, errors, events) and the frames.

Both are replaced whole at each refresh (``set_rows``): the inspector's buffers are bounded,
rows are immutable, and a reset of a few thousand uniform rows costs less than diffing them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from warroom.app.inspector import FrameRecord, Row
from warroom.core.language.text import display_safe
from warroom.ui import theme
from warroom.ui.panels.events.panel import format_offset

# The value before the series: names are long and their column stretches; an error's or an
# event's text follows its code in that column, so nothing needs a column of its own.
ROW_COLUMNS = ("arrived", "frame", "kind", "time", "value", "what")
FRAME_COLUMNS = ("arrived", "frame", "seq", "type", "encoding", "bytes", "points", "errors")
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
#: Times are shown in the console's zone, as the events panel shows them (China time).
UTC_OFFSET_MINUTES = 8 * 60
_TZ = timezone(timedelta(minutes=UTC_OFFSET_MINUTES))


def clock(ms: int | None) -> str:
    """A time of day with milliseconds (``10:31:05.250``, UTC+8); "" for None. A time no
    calendar holds (a feed's garbage) is shown as its number."""
    if ms is None:
        return ""
    try:
        return datetime.fromtimestamp(ms / 1000, _TZ).strftime("%H:%M:%S.%f")[:-3]
    except (OverflowError, OSError, ValueError):
        return str(ms)


def value_text(value: float | None) -> str:
    """A point's value exactly as decoded (the inspector shows raw values, not rounded ones)."""
    return "" if value is None else repr(value)


def row_header(column: str) -> str:
    """A stream column's heading, translated."""
    return {
        "arrived": QCoreApplication.translate("Inspector", "Arrived (%1)").replace("%1", format_offset(UTC_OFFSET_MINUTES)),
        "frame": QCoreApplication.translate("Inspector", "Frame"),
        "kind": QCoreApplication.translate("Inspector", "Kind"),
        "time": QCoreApplication.translate("Inspector", "Time (%1)").replace("%1", format_offset(UTC_OFFSET_MINUTES)),
        "what": QCoreApplication.translate("Inspector", "Series, error or event"),
        "value": QCoreApplication.translate("Inspector", "Value"),
    }[column]


def frame_header(column: str) -> str:
    """A frames column's heading, translated."""
    return {
        "arrived": QCoreApplication.translate("Inspector", "Arrived (%1)").replace("%1", format_offset(UTC_OFFSET_MINUTES)),
        "frame": QCoreApplication.translate("Inspector", "Frame"),
        "seq": QCoreApplication.translate("Inspector", "Seq"),
        "type": QCoreApplication.translate("Inspector", "Type"),
        "encoding": QCoreApplication.translate("Inspector", "Encoding"),
        "bytes": QCoreApplication.translate("Inspector", "Bytes"),
        "points": QCoreApplication.translate("Inspector", "Points"),
        "errors": QCoreApplication.translate("Inspector", "Errors"),
    }[column]


def kind_text(kind: str) -> str:
    """A stream row's kind in words."""
    return {
        "point": QCoreApplication.translate("Inspector", "point"),
        "error": QCoreApplication.translate("Inspector", "ERROR"),
        "event": QCoreApplication.translate("Inspector", "event"),
    }.get(kind, kind)


def frame_type_text(record: FrameRecord) -> str:
    """A frame's message type, or what it is when it gave none."""
    return record.type or QCoreApplication.translate("Inspector", "(refused)")


class _Table(QAbstractTableModel):
    """Rows of immutable records replaced whole; subclasses say how a cell reads."""

    COLUMNS: tuple[str, ...] = ()
    NUMBERS: frozenset[str] = frozenset()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[Any] = []
        self.bold_font: QFont | None = None

    def set_rows(self, rows: Sequence[Any]) -> None:
        """Show these records (newest first)."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.header(self.COLUMNS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole and self.COLUMNS[section] in self.NUMBERS:
            return _RIGHT
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        record, column = self.rows[index.row()], self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self.text(record, column)
            if role == Qt.ItemDataRole.ToolTipRole:
                return text if len(text) > 40 else None
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.NUMBERS:
            return _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.color(record, column)
        if role == Qt.ItemDataRole.FontRole and self.bad(record) and self.bold_font is not None:
            return self.bold_font
        return None

    def header(self, column: str) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def text(self, record: Any, column: str) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def bad(self, record: Any) -> bool:
        """Whether the record is (or carries) an error: drawn bold in the critical colour."""
        return False

    def color(self, record: Any, column: str) -> QColor | None:
        t = theme.current()
        if self.bad(record):
            return QColor(t.crit)
        if column in ("arrived", "frame", "seq"):
            return QColor(t.text_dim)
        return None


class RowsModel(_Table):
    """The stream: watched points, protocol errors inline, events about the watched service."""

    COLUMNS = ROW_COLUMNS
    NUMBERS = frozenset({"frame", "value"})

    def header(self, column: str) -> str:
        return row_header(column)

    def text(self, r: Row, column: str) -> str:
        if column == "arrived":
            return clock(r.wall_ms)
        if column == "frame":
            return str(r.frame)
        if column == "kind":
            return kind_text(r.kind)
        if column == "time":
            return clock(r.ts)
        if column == "value":
            return value_text(r.value)
        if r.text:  # an error's message, an event's title
            return display_safe(f"{r.subject}: {r.text}")
        return display_safe(r.subject)

    def bad(self, r: Row) -> bool:
        return r.kind == "error"

    def color(self, r: Row, column: str) -> QColor | None:
        if r.kind == "event" and column in ("kind", "what"):
            return QColor(theme.current().accent)
        return super().color(r, column)


class FramesModel(_Table):
    """The frames as they arrived, with their size, type, points and errors."""

    COLUMNS = FRAME_COLUMNS
    NUMBERS = frozenset({"frame", "seq", "bytes", "points"})

    def header(self, column: str) -> str:
        return frame_header(column)

    def text(self, f: FrameRecord, column: str) -> str:
        if column == "arrived":
            return clock(f.wall_ms)
        if column == "frame":
            return str(f.no)
        if column == "seq":
            return "" if f.seq is None else f"{f.seq:,}"
        if column == "type":
            return frame_type_text(f)
        if column == "encoding":
            return f.encoding
        if column == "bytes":
            return f"{f.size:,}"
        if column == "points":
            return "" if not f.points else f"{f.watched:,} / {f.points:,}"
        return display_safe(f.error_text)

    def bad(self, f: FrameRecord) -> bool:
        return bool(f.errors) or not f.type
