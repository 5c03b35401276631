"""Controls and text that wrap to the width they get instead of holding their panel wide.

A desk at 1366x768 gives a dock a third of what it has at 1080p. A row of buttons in a
``QHBoxLayout`` asks for the sum of their widths as its minimum: five of them held the
incident dock at two thirds of the window and pushed the window past its screen. A
``FlowLayout`` asks only for its widest item and puts the rest on further rows.

Wrapping has a price: the height then depends on the width (height-for-width), and a
``QSplitter`` or a dock weighs only minimum heights, so a widget that wrapped to three rows
got the height of two and lost the third. ``hold_height`` makes the height a wrapped
widget needs at its present width its minimum height; ``WrapLabel`` and ``WrapRow`` keep
it up to date as their width, text, font or content change.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget

__all__ = ["FlowLayout", "WrapLabel", "WrapRow", "hold_height"]


class FlowLayout(QLayout):
    """Items left to right, wrapped onto as many rows as the width needs; each row's items
    centred on the row's height. Hidden widgets take no room.

    Its size hint is one row; its minimum width is its widest item's size hint; its height
    for a width is that of the rows it needs there.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []  # Qt does not keep them for a Python layout
        self.setSpacing(spacing)

    # -- QLayout's item list --------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def count(self) -> int:  # noqa: D102 - Qt override
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # -- sizes ------------------------------------------------------------------------------------
    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        shown = self._shown()
        m, gap = self.contentsMargins(), self._gap()
        width = sum(i.sizeHint().width() for i in shown) + gap * max(0, len(shown) - 1)
        height = max((i.sizeHint().height() for i in shown), default=0)
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        # One item a row at the narrowest, none squeezed below its size hint (a combo box
        # would elide its choice); the rows' height is asked through heightForWidth.
        m = self.contentsMargins()
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.sizeHint().expandedTo(item.minimumSize()))
        return size.grownBy(QMargins(m.left(), m.top(), m.right(), m.bottom()))

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    def rows_for(self, width: int) -> int:
        """How many rows the items take at ``width`` (the layout's margins included)."""
        return len(self._rows(width - self.contentsMargins().left() - self.contentsMargins().right()))

    # -- arranging ----------------------------------------------------------------------------------
    def _gap(self) -> int:
        gap = self.spacing()
        if gap >= 0:
            return gap
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        return style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) if style is not None else 6

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _rows(self, width: int) -> list[list[QLayoutItem]]:
        """The shown items broken into rows of at most ``width`` (one item a row at least)."""
        rows: list[list[QLayoutItem]] = []
        used, gap = 0, self._gap()
        for item in self._shown():
            w = item.sizeHint().width()
            if rows and used + gap + w <= width:
                rows[-1].append(item)
                used += gap + w
            else:
                rows.append([item])
                used = w
        return rows

    def _arrange(self, rect: QRect, place: bool) -> int:
        """Put the items in ``rect`` (if ``place``); the height they take there."""
        m, gap = self.contentsMargins(), self._gap()
        inner = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        y = inner.y()
        for n, row in enumerate(self._rows(inner.width())):
            if n:
                y += gap
            height = max(i.sizeHint().height() for i in row)
            x = inner.x()
            for item in row:
                hint = item.sizeHint()
                # A single item wider than the whole row gets the row (down to its minimum).
                w = max(item.minimumSize().width(), min(hint.width(), inner.right() + 1 - x))
                if place:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), QSize(w, hint.height())))
                x += w + gap
            y += height
        return y - rect.y() + m.bottom()


def hold_height(widget: QWidget) -> None:
    """Make the height ``widget``'s content needs at its present width (its height-for-width)
    its minimum height, so that no splitter or dock squeezes a wrapped line or row away.

    Only while it is visible: a widget not yet laid out has a made-up width (100 px), and
    the height of its text there, held as a minimum, would stretch its window for good
    (a window grows to its minimum size, and does not shrink back when it falls). A
    hidden page of a stack still counts in the stack's minimum size. Its show event holds
    the height again."""
    if widget.width() <= 0 or not widget.isVisible():
        return
    measure = getattr(widget, "height_for", None)
    need = measure(widget.width()) if callable(measure) else widget.heightForWidth(widget.width())
    if need > 0 and need != widget.minimumHeight():
        widget.setMinimumHeight(need)


class WrapLabel(QLabel):
    """A word-wrapped label (rich text or plain) that is never shorter than its text at its
    width: its minimum height follows its width, text and font (module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        # Measures the text as this label lays it out: a label's own height-for-width is
        # never less than its minimum height, so it would hold the tallest height ever held.
        self._probe = QLabel()
        self._probe.setWordWrap(True)

    def height_for(self, width: int) -> int:
        """The height the text needs at ``width`` (margins included), whatever the minimum."""
        probe = self._probe
        probe.setFont(self.font())
        probe.setTextFormat(self.textFormat())
        probe.setContentsMargins(self.contentsMargins())
        probe.setMargin(self.margin())
        probe.setIndent(self.indent())
        probe.setText(self.text())
        return probe.heightForWidth(width)

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, on purpose
        """Show ``text``; the minimum height follows."""
        if text != self.text():
            super().setText(text)
            hold_height(self)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            hold_height(self)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            hold_height(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        hold_height(self)


class WrapRow(QWidget):
    """A row of controls in a ``FlowLayout`` (``flow``) that wraps onto further rows when its
    width is short, its minimum height the rows' (module docstring)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self.flow = FlowLayout(self, spacing)
        self.flow.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def add(self, widget: QWidget) -> None:
        """Put ``widget`` at the end of the row."""
        self.flow.addWidget(widget)

    def rows(self) -> int:
        """How many rows the controls take at the row's present width."""
        return self.flow.rows_for(self.width())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            hold_height(self)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        hold_height(self)

    def event(self, event: QEvent) -> bool:  # noqa: D102 - Qt override
        if event.type() == QEvent.Type.LayoutRequest:  # a control changed size, showed or hid
            hold_height(self)
        return super().event(event)
