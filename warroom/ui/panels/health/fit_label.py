"""A word-wrapped label that never shows half a line.

A wrapped ``QLabel`` given less height than its text needs (a short dock, a long feed
reason) paints its last line cut through the middle or not at all, and nobody can tell
what is missing. ``FitLabel`` asks the layout for the height of its whole text; when it
gets less, it shows the lines that fit and ends the last one with "…", and the whole text
becomes its tooltip.

It asks through its size hint, not height-for-width: a box layout grants a height-for-width
item its height first and squeezes its fixed-height neighbours (the counters' numbers)
below their text's height to pay for it; a hint is weighed with the others' minimums.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class FitLabel(QLabel):
    """A plain-text, word-wrapped label that elides rather than cuts (module docstring).

    ``text()`` (and ``full_text()``, and the ``full_text`` property) is the whole text, what
    the label says; ``shown_text()`` what it paints now.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        # Measures candidate texts exactly as a label lays them out, off screen.
        self._probe = QLabel()
        self._probe.setTextFormat(Qt.TextFormat.PlainText)
        self._probe.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)
        self._hint_width = -1  # the width the size hint was measured at

    def full_text(self) -> str:
        """The whole text, shown or not."""
        return self._full

    def text(self) -> str:  # noqa: D102 - QLabel's name, on purpose
        return self._full

    def shown_text(self) -> str:
        """The text painted now: the whole, or its first lines ending in "…"."""
        return super().text()

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, on purpose
        """Show ``text`` (or as much of it as fits)."""
        if text == self._full:
            return
        self._full = text
        self.setProperty("full_text", text)
        self._fit()
        self.updateGeometry()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return False  # see the module docstring

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # The whole text's height at the present width, whatever is shown now.
        width = self.width() if self.width() > 0 else 300
        return QSize(super().sizeHint().width(), self._height_of(self._full or "M", width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        # One line: a dock may be shorter than the whole text, never than its first line.
        return QSize(0, self._height_of("M", 10_000))

    def _height_of(self, text: str, width: int) -> int:
        """The height this label needs for ``text`` at ``width`` (its own margins included)."""
        probe = self._probe
        probe.setFont(self.font())
        probe.setContentsMargins(self.contentsMargins())
        probe.setMargin(self.margin())
        probe.setIndent(self.indent())
        probe.setText(text)
        return probe.heightForWidth(width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if event.size().width() != self._hint_width:
            self._hint_width = event.size().width()
            self.updateGeometry()  # the whole text's height depends on the width
        self._fit()

    # -- fitting --------------------------------------------------------------------------
    def _extra_width(self) -> int:
        m = self.contentsMargins()
        return m.left() + m.right() + 2 * self.margin() + max(0, self.indent())

    def _lines(self, text: str, width: int) -> list[str]:
        """``text`` broken into lines ``width`` pixels wide, as the label wraps it."""
        out: list[str] = []
        for paragraph in text.split("\n"):
            layout = QTextLayout(paragraph, self.font())
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            layout.setTextOption(option)
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max(1, width))
                out.append(paragraph[line.textStart():line.textStart() + line.textLength()])
            layout.endLayout()
        return out

    def _fit(self) -> None:
        width, inner = self.width(), self.width() - self._extra_width()
        shown = self._full
        if inner > 0 and self.height() > 0 and self._height_of(shown, width) > self.height():
            lines = self._lines(self._full, inner)
            for room in range(len(lines) - 1, 0, -1):  # fewer lines until they fit (one at least)
                rest = " ".join(part.strip() for part in lines[room - 1:])
                last = self.fontMetrics().elidedText(rest, Qt.TextElideMode.ElideRight, inner)
                shown = "\n".join([*(part.rstrip() for part in lines[:room - 1]), last])
                if self._height_of(shown, width) <= self.height():
                    break
        if super().text() != shown:
            super().setText(shown)
        self.setToolTip(self._full if shown != self._full else "")
