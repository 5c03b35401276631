"""One event as a two-line card in a single table cell, for a feed too narrow for columns
(a wall's side dock): time, kind (in its colour) and subject above; what happened below.

The delegate reads what it draws from the event model's own cells (the time and kind
columns' text, the kind's colour) and the ``Event`` in ``UserRole``, so it shows exactly
what the columns would.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView

from warroom.core.model import Event
from warroom.ui import theme


class EventCardDelegate(QStyledItemDelegate):
    """Paints a row's event as a card in the cell it is set on (the time column)."""

    def __init__(self, table: QTableView, time_col: int, kind_col: int) -> None:
        super().__init__(table)
        self._table = table
        self._time_col, self._kind_col = time_col, kind_col

    @property
    def _bold(self) -> QFont:
        # The table's font in bold, so the card follows the wall scale with the table.
        font = QFont(self._table.font())
        font.setBold(True)
        return font

    def row_height(self) -> int:
        """Height of a two-line card, pixels."""
        return int(QFontMetricsF(self._table.font()).height() * 2.1 + theme.px(8))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        event = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(event, Event):
            return
        t = theme.current()
        pad_x, pad_y = theme.px(8), theme.px(4)
        rect = option.rect.adjusted(pad_x, pad_y, -pad_x, -pad_y)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, t.color("accent"))
        elif index.row() % 2:
            painter.fillRect(option.rect, t.color("background"))
        model, row = index.model(), index.row()
        plain, bold = QFontMetricsF(self._table.font()), QFontMetricsF(self._bold)
        base = rect.top() + plain.ascent()
        x = float(rect.left())
        painter.setFont(self._table.font())
        painter.setPen(t.color("text_dim"))
        stamp = str(model.index(row, self._time_col).data() or "")
        painter.drawText(QPointF(x, base), stamp)
        x += plain.horizontalAdvance(stamp) + theme.px(12)
        kind_cell = model.index(row, self._kind_col)
        kind = str(kind_cell.data() or "")
        painter.setFont(self._bold)
        painter.setPen(QColor(kind_cell.data(Qt.ItemDataRole.ForegroundRole) or t.color("text")))
        painter.drawText(QPointF(x, base), kind)
        x += bold.horizontalAdvance(kind) + theme.px(12)
        painter.setFont(self._table.font())
        painter.setPen(t.color("text"))
        elide = Qt.TextElideMode.ElideRight
        # Subject and title as the model shows them (names, the console's language): the two
        # columns after the kind.
        subject = str(model.index(row, self._kind_col + 1).data() or event.subject)
        title = str(model.index(row, self._kind_col + 2).data() or event.title)
        painter.drawText(QPointF(x, base), plain.elidedText(subject, elide, max(0.0, rect.right() - x)))
        painter.drawText(QPointF(rect.left(), base + plain.height() * 1.05),
                         plain.elidedText(title, elide, rect.width()))
