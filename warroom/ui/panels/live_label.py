"""A one-line text that changes every second (a counter, the data's age).

A ``QLabel`` asks its parents for a new layout on every new text unless its size is
fixed; in a dock that means the main window lays out every dock again and repaints the
separators across the whole window, once a second, for one number. ``LiveLabel`` paints
its text itself and keeps a size hint fixed by a sample text, so a new text repaints the
label's own rectangle and nothing else. Text too long for the rectangle is elided.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class LiveLabel(QWidget):
    """A label for often-changing text; ``text()``/``setText()`` as on ``QLabel``."""

    def __init__(self, sample: str, parent: QWidget | None = None,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        super().__init__(parent)
        self._text = ""
        self._align = align | Qt.AlignmentFlag.AlignVCenter
        self._sample = sample  # sizes the label: the widest text it usually shows
        self._color: QColor | None = None
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        """The text shown (before eliding)."""
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, on purpose
        """Show ``text``; repaints only this label, and only on change."""
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            self.update()

    def color(self) -> QColor:
        """The text colour (the palette's unless ``set_color`` gave one)."""
        return QColor(self._color) if self._color is not None else self.palette().windowText().color()

    def set_color(self, color: QColor | str | None) -> None:
        """Paint the text in ``color`` (None: the palette's text colour)."""
        color = QColor(color) if color is not None else None
        if color != self._color:
            self._color = color
            self.update()

    def sizeHint(self) -> QSize:  # noqa: D102 - Qt override
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._sample) + 4, metrics.height())

    def minimumSizeHint(self) -> QSize:  # noqa: D102 - Qt override
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance("…") * 4, metrics.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102 - Qt override
        painter = QPainter(self)
        painter.setPen(self.color())
        text = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(self._align), text)
