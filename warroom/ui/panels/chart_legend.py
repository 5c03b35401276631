"""The chart's legend: one row per series with its colour, name and value at the cursor.

It sits beside the plot, not over it, so it never hides a curve, and it prints the
current value in large type: from across the room the number is what people read.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from warroom.ui import theme


class ChartLegendWidget(QWidget):
    """A caption and a list of (colour, name, value) rows; rows are reused between updates."""

    MIN_WIDTH, MAX_WIDTH = 200, 420

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chart_legend")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 4, 4)
        outer.setSpacing(6)
        self.caption = QLabel(self)
        self.caption.setObjectName("dim")
        self.caption.setWordWrap(True)
        outer.addWidget(self.caption)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(scroll)
        self._grid = QGridLayout(body)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(1, 1)
        self._grid.setRowStretch(1000, 1)  # rows stay at the top
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        # Threshold keys live here rather than on the lines, where their text would
        # collide with each other (99.9% and 99% are a few pixels apart) and with curves.
        self._limits_box = QWidget(self)
        self._limits = QVBoxLayout(self._limits_box)
        self._limits.setContentsMargins(0, 0, 0, 0)
        self._limits.setSpacing(2)
        outer.addWidget(self._limits_box)
        self._limit_labels: list[QLabel] = []
        self._body = body
        self._rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self._shown = 0

    def set_rows(self, rows: list[tuple[QColor, str]]) -> None:
        """Show one row per (colour, name); values are set with ``set_values``."""
        while len(self._rows) < len(rows):
            i = len(self._rows)
            swatch, name, value = QLabel(self._body), QLabel(self._body), QLabel(self._body)
            swatch.setFixedSize(22, 6)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setObjectName("chart_legend_value")
            font = value.font()
            font.setBold(True)
            value.setFont(font)
            # Room for a typical value up front, so the column does not jump as digits change.
            value.setMinimumWidth(QFontMetrics(font).horizontalAdvance("100.00%"))
            self._grid.addWidget(swatch, i, 0, Qt.AlignmentFlag.AlignVCenter)
            self._grid.addWidget(name, i, 1)
            self._grid.addWidget(value, i, 2)
            self._rows.append((swatch, name, value))
        for i, (swatch, name, value) in enumerate(self._rows):
            visible = i < len(rows)
            for w in (swatch, name, value):
                w.setVisible(visible)
            if visible:
                color, text = rows[i]
                swatch.setStyleSheet(f"background: {color.name()}; border-radius: 3px;")
                swatch.setProperty("color", color.name())
                name.setText(text)
                name.setToolTip(text)
        self._shown = len(rows)
        self._fit_width()

    def set_values(self, values: list[tuple[str, str]]) -> None:
        """Set each shown row's value text and its health level (``ok``/``warn``/``crit``/``unknown``)."""
        t = theme.current()
        grew = False
        for (_, _, label), (text, level) in zip(self._rows[: self._shown], values):
            if label.text() != text:
                label.setText(text)
                width = label.fontMetrics().horizontalAdvance(text)
                if width > label.minimumWidth():
                    label.setMinimumWidth(width)  # the value column only grows: no jitter
                    grew = True
            color = t.text if level == "ok" else t.status_color(level).name()
            if label.property("level") != level:
                label.setProperty("level", level)
                label.setStyleSheet(f"color: {color};")
        if grew:
            self._fit_width()

    def _fit_width(self) -> None:
        # A scroll area does not size itself to its content: size the legend to its rows,
        # within limits, so names and values are never cut off.
        margins = self.layout().contentsMargins()
        want = max(self._body.sizeHint().width(), self.caption.sizeHint().width() // 2)
        self.setFixedWidth(min(self.MAX_WIDTH, max(self.MIN_WIDTH, want + margins.left() + margins.right() + 6)))

    def set_thresholds(self, rows: list[tuple[QColor, str]]) -> None:
        """Show the threshold keys: a dashed swatch and a text per (colour, text)."""
        while len(self._limit_labels) < len(rows):
            label = QLabel(self._limits_box)
            label.setObjectName("chart_legend_threshold")
            self._limits.addWidget(label)
            self._limit_labels.append(label)
        for i, label in enumerate(self._limit_labels):
            label.setVisible(i < len(rows))
            if i < len(rows):
                color, text = rows[i]
                label.setText(f"<span style='color:{color.name()}'>╍╍</span>&nbsp;{text}")
                label.setProperty("plain_text", text)
                label.setProperty("color", color.name())
        self._limits_box.setVisible(bool(rows))

    def thresholds(self) -> list[tuple[str, str]]:
        """The threshold keys shown: (colour, text)."""
        return [(lab.property("color"), lab.property("plain_text")) for lab in self._limit_labels if not lab.isHidden()]

    def rows(self) -> list[tuple[str, str, str]]:
        """What the legend shows: (colour, name, value) per row."""
        return [(s.property("color"), n.text(), v.text()) for s, n, v in self._rows[: self._shown]]
