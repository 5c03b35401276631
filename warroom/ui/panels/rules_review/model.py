"""The rules review as a table model: one row per rule, noisiest first (``warroom.core.alerting.review``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from warroom.core.alerting.review import RuleFigures
from warroom.core.language.text import display_safe
from warroom.ui import theme

COLUMNS = ("rule", "severity", "fired", "acknowledged", "led_to_plan", "flapped", "silenced", "median_ack", "verdict")
COL_RULE, COL_VERDICT = 0, len(COLUMNS) - 1
_NUMBERS = range(2, 8)


def header(column: str) -> str:
    """A column's heading, translated (literal calls, so lupdate finds each)."""
    return {
        "rule": QCoreApplication.translate("RulesReview", "Rule"),
        "severity": QCoreApplication.translate("RulesReview", "Sev."),
        "fired": QCoreApplication.translate("RulesReview", "Fired"),
        "acknowledged": QCoreApplication.translate("RulesReview", "Acked"),
        "led_to_plan": QCoreApplication.translate("RulesReview", "Plan"),
        "flapped": QCoreApplication.translate("RulesReview", "Flapped"),
        "silenced": QCoreApplication.translate("RulesReview", "Silenced"),
        "median_ack": QCoreApplication.translate("RulesReview", "Median ack"),
        "verdict": QCoreApplication.translate("RulesReview", "Only noise"),
    }[column]


def header_tip(column: str) -> str:
    """What a column counts, for its tooltip."""
    return {
        "fired": QCoreApplication.translate("RulesReview", "Alerts of this rule that fired (pending ones that faded are not counted)"),
        "acknowledged": QCoreApplication.translate("RulesReview", "Fired alerts someone acknowledged, the alert itself or its incident"),
        "led_to_plan": QCoreApplication.translate("RulesReview", "Fired alerts during which a plan was executed on their subject or their incident"),
        "flapped": QCoreApplication.translate("RulesReview", "Fired alerts the engine marked as flapping"),
        "silenced": QCoreApplication.translate("RulesReview", "Fired alerts a silence muted"),
        "median_ack": QCoreApplication.translate("RulesReview", "Median time from firing to the first acknowledgement"),
        "verdict": QCoreApplication.translate("RulesReview", "Why the rule only makes noise (judged once its alerts fired and resolved often enough)"),
    }.get(column, "")


def verdict(r: RuleFigures) -> str:
    """Why the rule is noise in a few words, translated ("" when it is not): the table's column."""
    words = {"never_acted_on": QCoreApplication.translate("RulesReview", "nobody acted on it"),
             "mostly_flapping": QCoreApplication.translate("RulesReview", "mostly flapping"),
             "mostly_silenced": QCoreApplication.translate("RulesReview", "mostly silenced")}
    return QCoreApplication.translate("RulesReview", ", ").join(words[c] for c in r.noise if c in words)


def reasons(r: RuleFigures) -> str:
    """Why the rule is noise with its numbers, translated ("" when it is not): the verdict's tooltip."""
    words = {
        "never_acted_on": QCoreApplication.translate("RulesReview", "fired %1 times, nobody acknowledged it or ran a plan").replace("%1", str(r.fired)),
        "mostly_flapping": QCoreApplication.translate("RulesReview", "flapped in %1 of %2 firings").replace("%1", str(r.flapped))
        .replace("%2", str(r.fired)),
        "mostly_silenced": QCoreApplication.translate("RulesReview", "silenced in %1 of %2 firings").replace("%1", str(r.silenced))
        .replace("%2", str(r.fired)),
    }
    return "\n".join(words[c] for c in r.noise if c in words)


def duration(seconds: float | None) -> str:
    """A median time to acknowledge: seconds, minutes or hours; "–" without one."""
    if seconds is None:
        return "–"
    if seconds < 120:
        return QCoreApplication.translate("RulesReview", "%1 s").replace("%1", f"{seconds:.0f}")
    if seconds < 7200:
        return QCoreApplication.translate("RulesReview", "%1 min").replace("%1", f"{seconds / 60:.0f}")
    return QCoreApplication.translate("RulesReview", "%1 h").replace("%1", f"{seconds / 3600:.1f}")


class RulesReviewModel(QAbstractTableModel):
    """The rows of a review; ``set_rows`` replaces them (a review is recomputed whole)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: tuple[RuleFigures, ...] = ()
        #: The table's font in bold, for the names of noisy rules (the panel sets it).
        self.bold_font: QFont | None = None

    def set_rows(self, rows: tuple[RuleFigures, ...]) -> bool:
        """Show these rows; False when they are the ones already shown."""
        if rows == self.rows:
            return False
        self.beginResetModel()
        self.rows = tuple(rows)
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
        r, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_RULE:
                return display_safe(r.rule)
            if col == COL_VERDICT:
                return reasons(r) or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in _NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            t = theme.current()
            if col == COL_VERDICT and r.is_noise:
                return QColor(t.warn)
            if r.fired == 0:
                return QColor(t.text_dim)  # only went pending: nobody was paged
            return None
        if role == Qt.ItemDataRole.FontRole and col == COL_RULE and r.is_noise and self.bold_font is not None:
            return self.bold_font
        return None

    @staticmethod
    def _text(r: RuleFigures, col: int) -> str:
        name = COLUMNS[col]
        if name == "rule":
            return display_safe(r.rule)
        if name == "severity":
            return r.severity
        if name == "median_ack":
            return duration(r.median_ack_s)
        if name == "verdict":
            return verdict(r)
        return str(getattr(r, name))
