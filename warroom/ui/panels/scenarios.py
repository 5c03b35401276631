"""The business scenario board: every scenario's TPS and success rate, worst first.

A scenario such as "QR-code payment" can fail while each of its services looks fine on
its own, so the board ranks scenarios by their own success ratio. Clicking one emits
``sig_scenario_selected`` with its id (the map highlights its path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, QPointF, QRectF,
                            Qt, Signal)
from PySide6.QtGui import QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem,
                               QTableView, QVBoxLayout, QWidget)

from warroom.core.model import SeriesKey
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.kpi_tiles import DASH, KpiThresholds, format_count, format_percent

#: Success ratios are ranked in buckets this wide, ties kept in their previous order, so
#: two scenarios a hair apart do not swap places on every frame.
RANK_BUCKET = 0.001  # 0.1 percentage point
ID_ROLE = Qt.ItemDataRole.UserRole
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 1
COL_STATUS, COL_TITLE, COL_TPS, COL_SUCCESS = range(4)


@dataclass(frozen=True)
class ScenarioRow:
    """What the board shows for one scenario (``None`` = no data)."""

    id: str
    title: str
    tps: float | None
    success: float | None
    level: str


def scenario_rows(view: LiveView, thresholds: KpiThresholds, previous: list[str] | None = None) -> list[ScenarioRow]:
    """The board's rows at the view's cursor, worst success ratio first, no-data rows last.

    ``previous`` is the order shown last time: it breaks ties between ratios in the same
    ``RANK_BUCKET``, which keeps the board still while nothing really changed.
    """
    rows = []
    for sc in view.topology.scenarios:
        tps = view.value(SeriesKey("scenario_tps", {"scenario": sc.id}))
        success = view.value(SeriesKey("scenario_success_ratio", {"scenario": sc.id}))
        rows.append(ScenarioRow(sc.id, sc.title or sc.id, tps, success, thresholds.success_level(success)))
    before = {sid: i for i, sid in enumerate(previous or ())}
    natural = {r.id: i for i, r in enumerate(rows)}

    def rank(r: ScenarioRow) -> tuple:
        bucket = 0 if r.success is None else int(r.success / RANK_BUCKET)
        # Within a bucket: the order shown before; rows new to the board by their exact ratio.
        exact = 0.0 if r.success is None else r.success
        return (r.success is None, bucket, before.get(r.id, len(before)), exact, natural[r.id])

    return sorted(rows, key=rank)


class ScenarioTableModel(QAbstractTableModel):
    """Rows of ``ScenarioRow``: status, scenario, TPS, success rate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ScenarioRow] = []
        # The status column is a marker only; its header stays empty to leave room for titles.
        self._headers = ("", self.tr("Scenario"), self.tr("TPS"), self.tr("Success"))

    @property
    def rows(self) -> list[ScenarioRow]:
        """The rows as shown, top first."""
        return list(self._rows)

    def set_rows(self, rows: list[ScenarioRow]) -> bool:
        """Show ``rows``; True if the order changed (the model was reset)."""
        if [r.id for r in rows] == [r.id for r in self._rows]:
            if rows != self._rows:
                self._rows = rows
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, COL_SUCCESS))
            return False
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
        return True

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._headers[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                side = Qt.AlignmentFlag.AlignRight if section in (COL_TPS, COL_SUCCESS) else Qt.AlignmentFlag.AlignLeft
                return int(side | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_STATUS:
                return level_word(row.level)
            if col == COL_TITLE:
                return row.title
            if col == COL_TPS:
                return DASH if row.tps is None else format_count(row.tps)
            return DASH if row.success is None else f"{format_percent(row.success)}%"
        if role == Qt.ItemDataRole.ForegroundRole:
            t = theme.current()
            if col in (COL_STATUS, COL_SUCCESS) and row.level != "ok":
                return t.status_color(row.level)
            return t.color("text_dim") if row.success is None else t.color("text")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (COL_TPS, COL_SUCCESS):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title} ({row.id}): {level_word(row.level)}"
        if role == ID_ROLE:
            return row.id
        if role == LEVEL_ROLE:
            return row.level
        return None


def level_word(level: str) -> str:
    """The short word for a level, so colour is never the only signal."""
    words = {
        "ok": QCoreApplication.translate("ScenarioBoardPanel", "OK"),
        "warn": QCoreApplication.translate("ScenarioBoardPanel", "WARN"),
        "crit": QCoreApplication.translate("ScenarioBoardPanel", "CRIT"),
    }
    return words.get(level, QCoreApplication.translate("ScenarioBoardPanel", "NO DATA"))


class _StatusDelegate(QStyledItemDelegate):
    """Paints the status cell as a marker whose shape also tells the level (for colour-blind
    readers and washed-out projectors): circle ok, triangle warn, square crit, ring no data."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        t = theme.current()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, t.color("accent"))
        level = index.data(LEVEL_ROLE)
        color = t.status_color(level)
        side = min(option.rect.width() - 12, option.rect.height()) * 0.5
        c = QRectF(option.rect).center()
        r = QRectF(c.x() - side / 2, c.y() - side / 2, side, side)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        if level == "crit":
            painter.drawRect(r)
        elif level == "warn":
            grow = side * 0.12  # a triangle looks smaller than a square of the same box
            painter.drawPolygon(QPolygonF([QPointF(c.x(), r.top() - grow), QPointF(r.right() + grow, r.bottom()),
                                           QPointF(r.left() - grow, r.bottom())]))
        elif level == "ok":
            painter.drawEllipse(r)
        else:
            painter.setPen(QPen(color, max(2.0, side * 0.15)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(r)
        painter.restore()


class ScenarioBoardPanel(Panel):
    """Business scenarios, worst first; see the module docstring."""

    ID = "scenarios"
    TITLE = "Business scenarios"
    DEFAULT_AREA = "left"

    #: The id of the scenario the user clicked.
    sig_scenario_selected = Signal(str)

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.thresholds = KpiThresholds()
        self._selected: str | None = None
        self.model = ScenarioTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("scenario_table")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(COL_STATUS, _StatusDelegate(self.table))
        self.table.setFont(theme.ui_font(20.0))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(int(self.table.fontMetrics().height() * 1.9))
        header = self.table.horizontalHeader()
        header.setFont(theme.ui_font(13.0, bold=True))
        header.setHighlightSections(False)
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_STATUS, int(self.table.fontMetrics().height() * 1.4))
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for col in (COL_TPS, COL_SUCCESS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            widest = "100.00%" if col == COL_SUCCESS else "88,888"
            header.resizeSection(col, self.table.fontMetrics().horizontalAdvance(widest) + 24)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(self._on_table_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.refresh()

    @property
    def selected_scenario(self) -> str | None:
        """The scenario last clicked, if any."""
        return self._selected

    def refresh(self) -> None:
        """Re-rank the scenarios at the cursor; the selection follows its scenario."""
        previous = [r.id for r in self.model.rows]
        if self.model.set_rows(scenario_rows(self.source, self.thresholds, previous)):
            self._reselect()

    def _reselect(self) -> None:
        ids = [r.id for r in self.model.rows]
        if self._selected in ids:
            self.table.selectRow(ids.index(self._selected))

    def _on_table_clicked(self, index: QModelIndex) -> None:
        scenario = index.data(ID_ROLE)
        if scenario:
            self._selected = scenario
            self.sig_scenario_selected.emit(scenario)

    def save_state(self) -> dict[str, Any]:
        """The success thresholds the status markers use."""
        t = self.thresholds
        return {"thresholds": {"success_warn": t.success_warn, "success_crit": t.success_crit}}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply saved thresholds; bad entries are ignored."""
        saved = state.get("thresholds") if isinstance(state, dict) else None
        if isinstance(saved, dict):
            keep = {k: saved[k] for k in ("success_warn", "success_crit") if k in saved}
            self.thresholds = self.thresholds.updated(keep)
            self.refresh()

