"""The chart's legend: one row per series with its colour, name and value at the cursor.

It sits beside the plot, not over it, so it never hides a curve, and it prints the
current value in large type: from across the room the number is what people read. A
wall chart is short, so rows flow into as many columns as the height needs instead of
hiding behind a scroll bar; the threshold keys share one line below them.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from warroom.ui import theme
from warroom.ui.panels.live_label import LiveLabel


def _text_px(font: QFont, text: str) -> int:
    """Whole pixels that hold ``text``: a label a fraction of a pixel narrower than its text
    elides it ("1,735 …"), and integer advances round that fraction away."""
    return math.ceil(QFontMetricsF(font).horizontalAdvance(text)) + 1


class ChartLegendWidget(QWidget):
    """A caption and (colour, name, value) rows in columns; rows are reused between updates."""

    MIN_WIDTH = 200  # pixels at 1080p, like the others here (scaled with ``theme.px``)
    MAX_SHARE = 0.5  # of the parent's width: the plot keeps the rest
    NAME_MAX_PX = 300  # longer names are elided (the full name is the tooltip)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chart_legend")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(theme.px(8), theme.px(4), theme.px(6), theme.px(4))
        outer.setSpacing(theme.px(4))
        self.caption = QLabel(self)
        self.caption.setObjectName("dim")
        self.caption.setWordWrap(True)
        outer.addWidget(self.caption)
        self._body = QWidget(self)
        # The rows flow into more columns when the legend is short (``_place``): their
        # present placement must not hold the dock taller than the layout's share for it.
        self._body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self._grid = QGridLayout(self._body)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(theme.px(8))
        self._grid.setVerticalSpacing(theme.px(2))
        outer.addWidget(self._body, 1)
        # Threshold keys live here rather than on the lines, where their text would
        # collide with each other (99.9% and 99% are a few pixels apart) and with curves.
        self._limits_box = QWidget(self)
        self._limits = QHBoxLayout(self._limits_box)
        self._limits.setContentsMargins(0, 0, 0, 0)
        self._limits.setSpacing(theme.px(18))
        self._limits.addStretch(1)
        outer.addWidget(self._limits_box)
        self._limit_labels: list[QLabel] = []
        self._rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self._shown = 0
        self._per_column = 0  # rows per column as placed; 0: not placed yet

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, rows: list[tuple[QColor, str]]) -> None:
        """Show one row per (colour, name); values are set with ``set_values``."""
        while len(self._rows) < len(rows):
            swatch, name = QLabel(self._body), QLabel(self._body)
            # Values change every second: a label that repaints alone (see live_label.py).
            value = LiveLabel("100.00%", self._body, align=Qt.AlignmentFlag.AlignRight)
            swatch.setFixedSize(theme.px(22), theme.px(6))
            value.setObjectName("chart_legend_value")
            font = value.font()
            font.setBold(True)
            value.setFont(font)
            # Room for a typical value up front, so the column does not jump as digits change.
            value.setFixedWidth(_text_px(font, "100.00%"))
            self._rows.append((swatch, name, value))
        for i, (swatch, name, value) in enumerate(self._rows):
            visible = i < len(rows)
            for w in (swatch, name, value):
                w.setVisible(visible)
            if visible:
                color, text = rows[i]
                swatch.setStyleSheet(f"background: {color.name()}; border-radius: {theme.px(3)}px;")
                swatch.setProperty("color", color.name())
                name.setProperty("full_text", text)
                name.setText(text)
                name.setToolTip(text)
        self._shown = len(rows)
        self._per_column = 0
        self._place()

    def set_values(self, values: list[tuple[str, str]]) -> None:
        """Set each shown row's value text and its health level (``ok``/``warn``/``crit``/``unknown``)."""
        t = theme.current()
        grew = False
        for (_, _, label), (text, level) in zip(self._rows[: self._shown], values):
            if label.text() != text:
                label.setText(text)
                width = _text_px(label.font(), text)
                if width > label.width():
                    label.setFixedWidth(width)  # the value column only grows: no jitter
                    grew = True
            if label.property("level") != level:
                label.setProperty("level", level)
                label.set_color(t.color("text") if level == "ok" else t.status_color(level))
        if grew:
            self._fit_width()

    def rows(self) -> list[tuple[str, str, str]]:
        """What the legend shows: (colour, name, value) per row (names in full)."""
        return [(s.property("color"), n.property("full_text"), v.text()) for s, n, v in self._rows[: self._shown]]

    def columns(self) -> int:
        """How many columns the rows are spread over."""
        return math.ceil(self._shown / self._per_column) if self._shown and self._per_column else 0

    # -- placing -----------------------------------------------------------------------------
    def _rows_that_fit(self) -> int:
        layout = self.layout()
        margins = layout.contentsMargins()
        used = margins.top() + margins.bottom() + 2 * layout.spacing()
        if self.caption.text():
            used += self.caption.heightForWidth(max(1, self.width() - margins.left() - margins.right()))
        if not self._limits_box.isHidden():
            used += self._limits_box.sizeHint().height()
        row = max(self._rows[0][1].sizeHint().height(), self._rows[0][2].sizeHint().height()) if self._rows else 1
        return max(1, (self.height() - used) // (row + self._grid.verticalSpacing()))

    def _place(self) -> None:
        """Spread the rows over the fewest columns that show them all, balanced."""
        if not self._shown:
            self._per_column = 0
            self._fit_width()
            return
        fit = self._rows_that_fit() if self.height() > 0 else self._shown
        columns = math.ceil(self._shown / max(1, fit))
        per_column = math.ceil(self._shown / columns)
        if per_column == self._per_column:
            return
        self._per_column = per_column
        for i, (swatch, name, value) in enumerate(self._rows[: self._shown]):
            r, c = i % per_column, i // per_column
            self._grid.addWidget(swatch, r, 3 * c, Qt.AlignmentFlag.AlignVCenter)
            self._grid.addWidget(name, r, 3 * c + 1)
            self._grid.addWidget(value, r, 3 * c + 2)
        for r in range(self._grid.rowCount()):
            self._grid.setRowStretch(r, 0)
        self._grid.setRowStretch(per_column, 1)  # rows stay at the top
        for c in range(max(columns, -(-self._grid.columnCount() // 3))):  # a gap between columns
            # Columns of an earlier placement (a short legend had more) must not keep their width.
            self._grid.setColumnMinimumWidth(3 * c, theme.px(22 + (24 if c else 0)) if c < columns else 0)
        self._fit_width()

    def wall_scale_changed(self) -> None:
        """The wall scale changed (``warroom.ui.wall.wall_scale``): room for the values, rows placed anew."""
        for swatch, _, value in self._rows:
            swatch.setFixedSize(theme.px(22), theme.px(6))
            value.setFixedWidth(max(_text_px(value.font(), t) for t in ("100.00%", value.text())))
        self._grid.setHorizontalSpacing(theme.px(8))
        self._per_column = 0
        self._place()

    def refit(self) -> None:
        """Size the legend to its columns again (the chart calls this when it is resized)."""
        self._fit_width()

    def _fit_width(self) -> None:
        # Size the legend to its columns, within limits; names are elided to what is left,
        # so no name or value is ever cut by the edge.
        margins = self.layout().contentsMargins()
        parent = self.parentWidget()
        most = int(parent.width() * self.MAX_SHARE) if parent is not None and parent.width() > 0 else 10_000
        extra = margins.left() + margins.right() + theme.px(6)
        name_px = theme.px(self.NAME_MAX_PX)
        for _ in range(4):  # elide, measure, elide again with what is really left
            self._elide_names(name_px)
            self._grid.invalidate()
            want = max(self._grid.sizeHint().width(), self._limits_box.sizeHint().width()) + extra
            if want <= most or not self.columns() or name_px <= theme.px(60):
                break
            name_px = max(theme.px(60), name_px - -(-(want - most) // self.columns()) - 2)
        self.setFixedWidth(max(theme.px(self.MIN_WIDTH), min(most, want)))

    def _elide_names(self, px: int) -> None:
        for _, name, _ in self._rows[: self._shown]:
            full = name.property("full_text") or ""
            shown = name.fontMetrics().elidedText(full, Qt.TextElideMode.ElideRight, px)
            if shown != name.text():
                name.setText(shown)
            name.setMinimumWidth(name.fontMetrics().horizontalAdvance(shown))  # never squeezed further

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._place()  # settles: a new width changes the caption's height, rarely the columns

    # -- thresholds --------------------------------------------------------------------------
    def set_thresholds(self, rows: list[tuple[QColor, str]]) -> None:
        """Show the threshold keys: a dashed swatch and a text per (colour, text)."""
        while len(self._limit_labels) < len(rows):
            label = QLabel(self._limits_box)
            label.setObjectName("chart_legend_threshold")
            self._limits.insertWidget(len(self._limit_labels), label)
            self._limit_labels.append(label)
        for i, label in enumerate(self._limit_labels):
            label.setVisible(i < len(rows))
            if i < len(rows):
                color, text = rows[i]
                label.setText(f"<span style='color:{color.name()}'>╍╍</span>&nbsp;{text}")
                label.setProperty("plain_text", text)
                label.setProperty("color", color.name())
        self._limits_box.setVisible(bool(rows))
        self._per_column = 0
        self._place()

    def thresholds(self) -> list[tuple[str, str]]:
        """The threshold keys shown: (colour, text)."""
        return [(lab.property("color"), lab.property("plain_text")) for lab in self._limit_labels if not lab.isHidden()]
