"""The business scenario board: every scenario's TPS and success rate, worst first.

A scenario such as "QR-code payment" can fail while each of its services looks fine on
its own, so the board ranks scenarios by their own success ratio. Clicking one emits
``sig_scenario_selected`` with its id (the map highlights its path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRect,
                            QRectF, Qt, Signal)
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem,
                               QTableView, QVBoxLayout, QWidget)

from warroom.core.northstar import mttx
from warroom.core.model import SeriesKey
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.kpi.panel import DASH, KpiThresholds, format_count, format_percent
from warroom.ui.wall.stale_banner import age_text, stale_ink

#: Success ratios are ranked in buckets this wide, ties kept in their previous order, so
#: two scenarios a hair apart do not swap places on every frame.
RANK_BUCKET = 0.001  # 0.1 percentage point
ID_ROLE = Qt.ItemDataRole.UserRole
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 1
COL_STATUS, COL_TITLE, COL_TPS, COL_SUCCESS = range(4)
TITLE_PT = 17.0  # scenario titles at 1080p
TITLE_SHRINK = 0.75  # smallest share of TITLE_PT a short board draws its titles at
#: The error-budget burn shown in each row's tooltip is over this window.
BURN_WINDOW_MS = 3_600_000


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
        entering = view.value(SeriesKey("scenario_requests_rate", {"scenario": sc.id}))
        if tps is not None and tps <= 0 and entering is not None and entering <= 0:
            # Nothing entered, nothing succeeded: a success rate of no transactions is not
            # "100 %" (a stopped flow must not look healthy); its alerts say why it stopped.
            success = None
        rows.append(ScenarioRow(sc.id, sc.label, tps, success, thresholds.success_level(success)))
    before = {sid: i for i, sid in enumerate(previous or ())}
    natural = {r.id: i for i, r in enumerate(rows)}

    def rank(r: ScenarioRow) -> tuple:
        bucket = 0 if r.success is None else int(r.success / RANK_BUCKET)
        # Within a bucket: the order shown before; rows new to the board by their exact ratio.
        exact = 0.0 if r.success is None else r.success
        return (r.success is None, bucket, before.get(r.id, len(before)), exact, natural[r.id])

    return sorted(rows, key=rank)


def scenario_burn(view: LiveView, scenario: str, target: float) -> float | None:
    """The scenario's error-budget burn rate over the last hour against ``target`` success
    (None without data). Computed when asked (a tooltip), not every frame: an hour of points
    per scenario costs about a millisecond for the board."""
    ts, ratios = view.window(SeriesKey("scenario_success_ratio", {"scenario": scenario}), BURN_WINDOW_MS)
    ok = (ratios >= 0) & (ratios <= 1)
    if not ok.any():
        return None
    return mttx.error_budget(ratios[ok], ts[ok], target=target, window_s=BURN_WINDOW_MS / 1000).burn_rate


class ScenarioTableModel(QAbstractTableModel):
    """Rows of ``ScenarioRow``: status, scenario, TPS, success rate."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ScenarioRow] = []
        # The status column is a marker only; its header stays empty to leave room for titles.
        self._headers = ("", self.tr("Scenario"), self.tr("TPS"), self.tr("Success"))
        #: ``scenario id -> burn rate or None`` for the tooltip; the panel sets it.
        self.burn_of: Callable[[str], float | None] | None = None
        #: While the data is stale, its age ("42 s old"): every row is dimmed and the
        #: title column's header says how old the numbers are. Empty while live.
        self.stale_note = ""

    @property
    def rows(self) -> list[ScenarioRow]:
        """The rows as shown, top first."""
        return list(self._rows)

    def row_at(self, i: int) -> ScenarioRow | None:
        """The ``i``-th row shown, or None."""
        return self._rows[i] if 0 <= i < len(self._rows) else None

    def set_rows(self, rows: list[ScenarioRow]) -> bool:
        """Show ``rows``; True if the order changed (the model was reset)."""
        if [r.id for r in rows] == [r.id for r in self._rows]:
            old, self._rows = self._rows, rows
            # Only the cells that changed: every repainted cell costs paint time each second.
            for i, (before, now) in enumerate(zip(old, rows)):
                if before == now:
                    continue
                cols = [c for c, changed in ((COL_STATUS, before.level != now.level), (COL_TITLE, before.title != now.title),
                                             (COL_TPS, before.tps != now.tps), (COL_SUCCESS, before.success != now.success))
                        if changed]
                if cols:
                    self.dataChanged.emit(self.index(i, cols[0]), self.index(i, cols[-1]))
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
                if section == COL_TITLE and self.stale_note:
                    return self.stale_note  # how old the numbers are says more than "Scenario"
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
            if self.stale_note:  # stale numbers never keep their colour: they are not now
                return stale_ink(t)
            if col in (COL_STATUS, COL_SUCCESS) and row.level != "ok":
                return t.status_color(row.level)
            return t.color("text_dim") if row.success is None else t.color("text")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (COL_TPS, COL_SUCCESS):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = f"{row.title} ({row.id}): {level_word(row.level)}"
            burn = self.burn_of(row.id) if self.burn_of is not None else None
            if burn is not None:
                text += "\n" + self.tr("error budget burn (last hour): %1×").replace("%1", f"{burn:.1f}")
            return text
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


class _RowDelegate(QStyledItemDelegate):
    """Paints every cell of the board itself, from the model's ``ScenarioRow``.

    The style sheet's item painting costs about 0.2 ms a cell, and every cell changes every
    second; drawing the text directly is a tenth of that. The status cell is a marker whose
    shape also tells the level (for colour-blind readers and washed-out projectors): circle
    ok, triangle warn, square crit, ring no data. A long title wraps onto a second line
    rather than being cut: "Top-up from bank card" must be read whole from across the room.
    """

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self._table = table
        self._title_font = QFont(table.font())
        self._lines: dict[tuple[str, int], tuple[QFont, tuple[str, ...]]] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        model = index.model()
        row = model.row_at(index.row()) if isinstance(model, ScenarioTableModel) else None
        if row is None:
            return
        t = theme.current()
        rect = QRect(option.rect)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, t.color("accent"))
        col = index.column()
        stale = bool(model.stale_note)
        if col == COL_STATUS:
            _paint_marker(painter, rect, row.level, t, stale)
            return
        inner = rect.adjusted(theme.px(8), 0, -theme.px(8), 0)
        if col == COL_TITLE:
            painter.setPen(stale_ink(t) if stale else t.color("text_dim") if row.success is None else t.color("text"))
            self._paint_title(painter, inner, row.title)
            return
        text = model.data(index, Qt.ItemDataRole.DisplayRole)
        painter.setFont(self._table.font())
        painter.setPen(model.data(index, Qt.ItemDataRole.ForegroundRole))
        painter.drawText(inner, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)

    def _laid(self, title: str, width: int) -> tuple[QFont, tuple[str, ...]]:
        laid = self._lines.get((title, width))
        if laid is None:
            if len(self._lines) > 256:  # widths change when the dock is resized
                self._lines.clear()
            laid = self._lines[(title, width)] = self._lay_out(title, width)
        return laid

    def _paint_title(self, painter: QPainter, rect: QRect, title: str) -> None:
        font, lines = self._laid(title, rect.width())
        metrics = QFontMetricsF(font)
        pitch = line_pitch(metrics)
        top = rect.center().y() - pitch * len(lines) / 2
        painter.setFont(font)
        for i, line in enumerate(lines):
            painter.drawText(QPointF(rect.left(), top + i * pitch + metrics.ascent() * 0.92), line)

    def _lay_out(self, title: str, width: int) -> tuple[QFont, tuple[str, ...]]:
        """The title's lines, in the title font shrunk (by up to a fifth) until nothing is elided."""
        font = QFont(self._title_font)
        base = font.pointSizeF()
        size = base
        while True:
            font.setPointSizeF(size)
            lines = wrap_title(title, QFontMetricsF(font), width)
            if _whole(title, lines) or size <= base * 0.8:
                return font, lines
            size -= 0.5 * theme.point_scale()

    def cell_fits(self, index: QModelIndex | QPersistentModelIndex, rect: QRect) -> bool:
        """Whether the cell at ``index`` shows its whole text in ``rect`` (the wall check asks)."""
        row = index.model().row_at(index.row()) if isinstance(index.model(), ScenarioTableModel) else None
        if row is None or index.column() == COL_STATUS:
            return True  # the marker is a shape, its word is the tooltip's
        inner = rect.adjusted(theme.px(8), 0, -theme.px(8), 0)
        if index.column() == COL_TITLE:
            font, lines = self._laid(row.title, inner.width())
            return _whole(row.title, lines) and len(lines) * line_pitch(QFontMetricsF(font)) <= rect.height()
        text = str(index.model().data(index, Qt.ItemDataRole.DisplayRole))
        return QFontMetricsF(self._table.font()).horizontalAdvance(text) <= inner.width()

    def lines_of(self, title: str, width: int) -> tuple[str, ...]:
        """The lines ``title`` is drawn on in a title cell ``width`` pixels wide (inside its padding)."""
        return self._laid(title, width)[1] if width > 0 else (title,)

    @property
    def title_font(self) -> QFont:
        """The font the titles are drawn in."""
        return QFont(self._title_font)

    def set_title_font(self, font: QFont) -> None:
        """The font the titles are drawn in."""
        self._title_font = QFont(font)
        self._lines.clear()


def _whole(title: str, lines: tuple[str, ...]) -> bool:
    """Whether ``lines`` show all of ``title``, no Latin word cut in two ("Ref / und")."""
    if "".join(lines).replace(" ", "") != title.replace(" ", ""):
        return False  # elided
    if " ".join(lines) == title:
        return True  # broken between words
    return not any(a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum()
                   for a, b in zip(lines, lines[1:]))


def line_pitch(metrics: QFontMetricsF) -> float:
    """Distance between two title lines: tighter than the font's own (CJK fonts' is loose)."""
    return metrics.ascent() + metrics.descent() * 0.4


def wrap_title(title: str, metrics: QFontMetricsF, width: float) -> tuple[str, ...]:
    """``title`` on one line if it fits ``width``, else on two, broken between the words
    where the longer line is shortest; a part that still does not fit is elided."""
    if metrics.horizontalAdvance(title) <= width:
        return (title,)
    words = title.split(" ")
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    if not splits:  # one long word (or no spaces, as in Chinese): cut where the width ends
        cut = len(title)
        while cut > 1 and metrics.horizontalAdvance(title[:cut]) > width:
            cut -= 1
        splits = [(title[:cut], title[cut:])]
    first, rest = min(splits, key=lambda s: max(metrics.horizontalAdvance(s[0]), metrics.horizontalAdvance(s[1])))
    elide = Qt.TextElideMode.ElideRight
    return (metrics.elidedText(first, elide, width), metrics.elidedText(rest, elide, width))


def _paint_marker(painter: QPainter, rect: QRect, level: str, t: theme.Theme, stale: bool = False) -> None:
    color = stale_ink(t) if stale else t.status_color(level)  # the shape still tells the old level
    side = min(rect.width() - 12, rect.height()) * 0.5
    c = QRectF(rect).center()
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
        self.model.burn_of = lambda sid: scenario_burn(self.source, sid, self.thresholds.success_warn)
        self.table = QTableView(self)
        self.table.setObjectName("scenario_table")
        self.table.setModel(self.model)
        self.table.setFont(theme.ui_font(20.0))
        self.delegate = _RowDelegate(self.table)
        self.delegate.set_title_font(theme.ui_font(TITLE_PT))
        self.table.setItemDelegate(self.delegate)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.verticalHeader().hide()
        self.table.setProperty("fits_all_rows", True)  # every scenario on screen (tests/ui/wall/wall_check.py holds it to that)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setFont(theme.ui_font(13.0, bold=True))
        header.setHighlightSections(False)
        header.setMinimumSectionSize(1)  # the style's minimum (from the header font) would widen the marker column
        header.setSectionResizeMode(COL_STATUS, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        for col in (COL_TPS, COL_SUCCESS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        self._size_columns()
        self._fit_rows()
        self.table.viewport().installEventFilter(self)
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
            self._fit_rows()

    def _size_columns(self) -> None:
        """The marker and number columns as wide as their content in the table's font."""
        header, metrics = self.table.horizontalHeader(), self.table.fontMetrics()
        header.resizeSection(COL_STATUS, int(metrics.height() * 1.2))
        for col, widest in ((COL_TPS, "88,888"), (COL_SUCCESS, "100.00%")):
            head = header.fontMetrics().horizontalAdvance(str(self.model.headerData(col, Qt.Orientation.Horizontal)))
            header.resizeSection(col, max(metrics.horizontalAdvance(widest), head) + theme.px(16))

    def wall_scale_changed(self) -> None:
        """The wall scale changed (``warroom.ui.wall.wall_scale``): the title font and the columns follow."""
        self.delegate.set_title_font(theme.ui_font(TITLE_PT))
        self._size_columns()
        self._fit_rows()

    def set_stale(self, since_ms: int | None) -> None:
        """Dim every row and put the data's age in the header while stale."""
        super().set_stale(since_ms)
        note = (age_text(self.stale_age_ms) or DASH) if since_ms is not None else ""
        if note == self.model.stale_note:
            return
        self.model.stale_note = note
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_TITLE, COL_TITLE)
        if self.model.rowCount():
            self.model.dataChanged.emit(self.model.index(0, 0), self.model.index(self.model.rowCount() - 1, 3))

    @property
    def stale(self) -> bool:
        """True while the board shows stale (dimmed) rows."""
        return bool(self.model.stale_note)

    def _fit_rows(self) -> None:
        """Rows share the height, so every scenario is on screen without a scroll bar, but
        never shorter than their titles' lines nor taller than needed for the numbers. A
        board too short for every title at full size draws the titles smaller (down to
        ``TITLE_SHRINK``) rather than push scenarios off the bottom."""
        width = self.table.horizontalHeader().sectionSize(COL_TITLE) - 2 * theme.px(8)
        rows = max(1, self.model.rowCount())
        height = self.table.viewport().height()
        for shrink in (1.0, 0.9, 0.8, TITLE_SHRINK):
            font = theme.ui_font(TITLE_PT * shrink)
            if font != self.delegate.title_font:
                self.delegate.set_title_font(font)
            lines = max((len(self.delegate.lines_of(r.title, width)) for r in self.model.rows), default=1)
            least = int(lines * line_pitch(QFontMetricsF(font)) + theme.px(6))
            least = max(least, self.table.fontMetrics().height())
            if least * rows <= height:
                break
        most = int(self.table.fontMetrics().height() * 2.0)
        self.table.verticalHeader().setDefaultSectionSize(max(least, min(most, height // rows)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_rows()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        # The rows share the viewport, which also shrinks when the header grows (a larger wall scale).
        if obj is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return super().eventFilter(obj, event)

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

