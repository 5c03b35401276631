"""The series catalogue as a table model: one row per series, flagged ones first
(``warroom.core.catalogue``); sortable by any column through ``SORT_ROLE``."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from warroom.core.catalogue import CatalogueEntry, Flag
from warroom.core.language.lang import pick
from warroom.core.language.text import display_safe
from warroom.ui import theme

COLUMNS = ("series", "unit", "description", "owner", "last_seen", "per_minute", "refused", "invalid", "flags")
COL_SERIES, COL_DESCRIPTION, COL_FLAGS = 0, 2, len(COLUMNS) - 1
COL_REFUSED, COL_INVALID = 6, 7
_NUMBERS = (4, 5, 6, 7)
#: The role a sorting proxy sorts by: numbers as numbers, text as text.
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_FLAG_ORDER = (Flag.INVALID, Flag.REFUSED, Flag.SILENT)


def header(column: str) -> str:
    """A column's heading, translated (literal calls, so lupdate finds each)."""
    return {
        "series": QCoreApplication.translate("Catalogue", "Series"),
        "unit": QCoreApplication.translate("Catalogue", "Unit"),
        "description": QCoreApplication.translate("Catalogue", "Description"),
        "owner": QCoreApplication.translate("Catalogue", "Owner"),
        "last_seen": QCoreApplication.translate("Catalogue", "Last point"),
        "per_minute": QCoreApplication.translate("Catalogue", "Per min"),
        "refused": QCoreApplication.translate("Catalogue", "Refused"),
        "invalid": QCoreApplication.translate("Catalogue", "Invalid"),
        "flags": QCoreApplication.translate("Catalogue", "Flags"),
    }[column]


def header_tip(column: str) -> str:
    """What a column shows, for its tooltip."""
    return {
        "unit": QCoreApplication.translate("Catalogue", "Declared by the feed or a world/site file, else read from the metric name"),
        "owner": QCoreApplication.translate("Catalogue", "Declared, else the team of the KPI tree or the group that holds its service"),
        "last_seen": QCoreApplication.translate("Catalogue", "How long before the newest data its last point came"),
        "per_minute": QCoreApplication.translate("Catalogue", "Points per minute, from the median interval between points (the tooltip says how many points in all)"),
        "refused": QCoreApplication.translate("Catalogue", "Points refused before they were kept: by the console's decoder (NaN, a bad timestamp, a duplicate) or by the history store"),
        "invalid": QCoreApplication.translate("Catalogue", "Values its unit cannot take: a ratio above 1, a negative latency"),
        "flags": QCoreApplication.translate("Catalogue", "Silent: no point for 5 times its own interval"),
    }.get(column, "")


def flag_text(flag: Flag) -> str:
    """A flag in words, translated."""
    return {
        Flag.SILENT: QCoreApplication.translate("Catalogue", "silent"),
        Flag.INVALID: QCoreApplication.translate("Catalogue", "invalid"),
        Flag.REFUSED: QCoreApplication.translate("Catalogue", "refused"),
    }[flag]


def age_text(ms: int) -> str:
    """How long ago, shortly: "now", "45 s", "12 min", "3.5 h"."""
    s = ms / 1000
    if s < 2:
        return QCoreApplication.translate("Catalogue", "now")
    if s < 120:
        return QCoreApplication.translate("Catalogue", "%1 s ago").replace("%1", f"{s:.0f}")
    if s < 7200:
        return QCoreApplication.translate("Catalogue", "%1 min ago").replace("%1", f"{s / 60:.0f}")
    return QCoreApplication.translate("Catalogue", "%1 h ago").replace("%1", f"{s / 3600:.1f}")


def rate_text(per_minute: float) -> str:
    """Points per minute: "60", "4", "0.2"; "–" for a single point."""
    if per_minute <= 0 or not math.isfinite(per_minute):
        return "–"
    return f"{per_minute:.0f}" if per_minute >= 10 else f"{per_minute:.2g}"


def row_order(e: CatalogueEntry) -> tuple:
    """Flagged rows first (invalid, refused, then silent), then by series text."""
    return (min((_FLAG_ORDER.index(f) for f in e.flags), default=len(_FLAG_ORDER)), e.text)


class CatalogueModel(QAbstractTableModel):
    """The rows shown; ``set_rows`` replaces them when they changed."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: tuple[CatalogueEntry, ...] = ()
        #: The table's font in bold, for flagged series (the panel sets it).
        self.bold_font: QFont | None = None

    def set_rows(self, rows: tuple[CatalogueEntry, ...]) -> bool:
        """Show these rows; False when they are the ones already shown."""
        rows = tuple(rows)
        if rows == self.rows:
            return False
        if len(rows) == len(self.rows) and all(a.key == b.key for a, b in zip(rows, self.rows)):
            # The same series with new figures: repaint in place (selection and scroll stay).
            self.rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))
            return True
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()
        return True

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return header(COLUMNS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return header_tip(COLUMNS[section]) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and section in _NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        e, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(e, COLUMNS[col])
        if role == SORT_ROLE:
            return self._sort_key(e, COLUMNS[col])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(e, COLUMNS[col])
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            t = theme.current()
            if col == COL_FLAGS and e.flags:
                return QColor(t.warn)  # amber, not red: red is kept for open incidents
            if col in (COL_REFUSED, COL_INVALID) and (e.stats.refused if col == COL_REFUSED else e.invalid):
                return QColor(t.warn)
            if Flag.SILENT in e.flags or col in (1, COL_DESCRIPTION, 3):
                return QColor(t.text_dim)
            return None
        if role == Qt.ItemDataRole.FontRole and col == COL_SERIES and e.flags and self.bold_font is not None:
            return self.bold_font
        return None

    @staticmethod
    def _text(e: CatalogueEntry, name: str) -> str:
        s = e.stats
        if name == "series":
            return display_safe(e.text)
        if name == "unit":
            return display_safe(e.unit) or "–"
        if name == "description":
            return display_safe(pick(e.description, e.descriptions))
        if name == "owner":
            return display_safe(e.owner)
        if name == "last_seen":
            return age_text(e.silent_for_ms) if s.points else "–"
        if name == "per_minute":
            return rate_text(s.per_minute)
        if name == "refused":
            return f"{s.refused:,}" if s.refused else ""
        if name == "invalid":
            return f"{e.invalid:,}" if e.invalid else ""
        if name == "flags":
            return QCoreApplication.translate("Catalogue", ", ").join(flag_text(f) for f in _FLAG_ORDER if f in e.flags)
        return ""

    @staticmethod
    def _sort_key(e: CatalogueEntry, name: str) -> Any:
        s = e.stats
        numbers = {"last_seen": e.silent_for_ms, "per_minute": s.per_minute, "refused": s.refused,
                   "invalid": e.invalid}
        if name in numbers:
            return float(numbers[name])
        if name == "flags":
            return row_order(e)[0]
        return CatalogueModel._text(e, name).lower()

    @staticmethod
    def _tip(e: CatalogueEntry, name: str) -> str | None:
        s = e.stats
        if name == "series":
            lines = [display_safe(e.text)]
            if e.source:
                lines.append(QCoreApplication.translate("Catalogue", "Source: %1").replace("%1", display_safe(e.source)))
            if s.points and math.isfinite(s.min):
                lines.append(QCoreApplication.translate("Catalogue", "Values %1 … %2, mean %3")
                             .replace("%1", f"{s.min:.4g}").replace("%2", f"{s.max:.4g}").replace("%3", f"{s.mean:.4g}"))
            return "\n".join(lines)
        if name == "description":
            return display_safe(pick(e.description, e.descriptions)) or None
        if name == "per_minute":
            points = QCoreApplication.translate("Catalogue", "%1 points").replace("%1", f"{s.points:,}")
            if not s.interval_ms:
                return points
            return points + "\n" + QCoreApplication.translate("Catalogue", "One point every %1 s").replace(
                "%1", f"{s.interval_ms / 1000:.3g}")
        return None
