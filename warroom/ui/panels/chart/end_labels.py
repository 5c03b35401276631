"""The wall chart's labels: the unhealthy series named at the right end of their line.

On a wall (``emphasis: worst``) a legend of eight colours is unreadable from five metres
and a line's colour is one more thing to match. Instead this lane sits right of the plot
and writes each unhealthy series' value and name level with the end of its line, joined
to it by a short leader; the healthy series are summed up in one line ("≥ 99.63 %  3
healthy") and the thresholds keyed at their own height. Labels that would collide are
moved apart (``stack_labels``) and, when the lane is too short for all, the least
important go first (an unhealthy series last: a "+2 more" line stands for those).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QWidget

from warroom.ui import theme
from warroom.ui.panels.chart.data import stack_labels


@dataclass(frozen=True)
class LaneEntry:
    """One label of the lane: ``value`` and ``name`` side by side, wanting its centre at ``y``
    (lane pixels; None: anywhere, placed after the others). Lower ``rank`` is dropped last."""

    value: str
    name: str
    color: str  # of the value and the leader
    y: float | None
    rank: int
    bold: bool = True
    tooltip: str = ""
    kind: str = "series"  # "series", "summary", "more" or "threshold"


class EndLabels(QWidget):
    """A caption on top and ``LaneEntry`` labels below it, at the height of their lines."""

    MAX_SHARE = 0.3  # of the chart's width: the plot keeps the rest
    LEADER_PX = 14  # room for the leader lines, pixels at 1080p (scaled)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chart_end_labels")
        self.caption = QLabel(self)
        self.caption.setObjectName("dim")
        self.caption.setWordWrap(True)
        self._labels: list[tuple[QLabel, QLabel]] = []  # (value, name), reused
        self._entries: list[LaneEntry] = []
        self._shown: list[tuple[LaneEntry, float]] = []  # entries placed, with their top edge
        self._signature: tuple = ()

    # -- content ---------------------------------------------------------------------------
    def set_entries(self, entries: list[LaneEntry]) -> None:
        """Show these entries (placed at once); nothing is touched when nothing changed."""
        signature = (tuple(entries), self.width(), self.height(), self.caption.text())
        if signature == self._signature:
            return
        self._signature = signature
        self._entries = list(entries)
        self._place()

    def entries(self) -> list[LaneEntry]:
        """The entries shown (dropped ones excluded), top to bottom."""
        return [e for e, _ in sorted(self._shown, key=lambda s: s[1])]

    def label_widgets(self) -> list[tuple[QLabel, QLabel]]:
        """(value, name) label pairs of the entries shown, as ``entries`` orders them."""
        order = sorted(range(len(self._shown)), key=lambda i: self._shown[i][1])
        return [self._labels[i] for i in order]

    def wanted_width(self, entries: list[LaneEntry]) -> int:
        """The width the entries need side by side with their leaders, pixels."""
        value_w, name_w = self._column_widths(entries)
        margins = theme.px(self.LEADER_PX) + theme.px(6) + theme.px(8)
        return value_w + name_w + margins

    def _column_widths(self, entries: list[LaneEntry]) -> tuple[int, int]:
        bold = QFont(self.font())
        bold.setBold(True)
        fm_bold, fm = QFontMetrics(bold), QFontMetrics(self.font())
        # +1: a label whose text is a fraction of a pixel wider than the widget is elided.
        value_w = max((fm_bold.horizontalAdvance(e.value) + 1 for e in entries), default=0)
        name_w = max((fm.horizontalAdvance(e.name) + 1 for e in entries), default=0)
        return value_w, name_w

    # -- placing ---------------------------------------------------------------------------
    def _place(self) -> None:
        caption_h = self.caption.heightForWidth(max(1, self.width() - theme.px(4))) if self.caption.text() else 0
        self.caption.setGeometry(theme.px(4), 0, max(1, self.width() - theme.px(4)), caption_h)
        top, bottom = caption_h + theme.px(2), self.height()
        row_h = QFontMetrics(self.font()).height() + theme.px(2)
        room = max(0, int((bottom - top) // row_h))
        entries = self._fitting(self._entries, room)
        value_w, _ = self._column_widths(entries)
        anywhere = bottom  # entries without a line of their own settle at the bottom
        wanted = [e.y if e.y is not None else anywhere for e in entries]
        tops = stack_labels(wanted, [row_h] * len(entries), top, bottom)
        while len(self._labels) < len(entries):
            value, name = QLabel(self), QLabel(self)
            value.setObjectName("chart_end_value")
            name.setObjectName("chart_end_name")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._labels.append((value, name))
        x_value = theme.px(self.LEADER_PX)
        x_name = x_value + value_w + theme.px(6)
        for i, (value, name) in enumerate(self._labels):
            if i >= len(entries):
                value.hide()
                name.hide()
                continue
            e = entries[i]
            font = QFont(self.font())
            font.setBold(e.bold)
            value.setFont(font)
            value.setText(e.value)
            value.setStyleSheet(f"color: {e.color};")
            name.setText(e.name)
            name.setProperty("full_text", e.name)
            name.setToolTip(e.tooltip or e.name)
            value.setToolTip(e.tooltip or e.name)
            y = math.floor(tops[i])  # floor, not round: rows a whole row apart stay apart
            value.setGeometry(x_value, y, value_w, row_h)
            name.setGeometry(x_name, y, max(1, self.width() - x_name), row_h)
            value.show()
            name.show()
        self._shown = list(zip(entries, tops))
        self.update()

    def _fitting(self, entries: list[LaneEntry], room: int) -> list[LaneEntry]:
        """As many entries as ``room`` rows hold, the lowest ranks kept, in their order;
        unhealthy series that do not fit are counted in one "+N more" entry."""
        if len(entries) <= room:
            return list(entries)
        order = sorted(range(len(entries)), key=lambda i: entries[i].rank)
        keep = set(order[:room])
        dropped = [entries[i] for i in order[room:] if entries[i].kind == "series"]
        if dropped and room > 0:
            keep = set(order[:room - 1])  # one row for the count
            dropped = [entries[i] for i in order[room - 1:] if entries[i].kind == "series"]
        kept = [e for i, e in enumerate(entries) if i in keep]
        if dropped and room > 0:
            text = self.tr("+%1 more").replace("%1", str(len(dropped)))
            tip = "\n".join(f"{e.name} {e.value}" for e in dropped)
            kept.append(LaneEntry("", text, dropped[0].color, None, dropped[0].rank, tooltip=tip, kind="more"))
        return kept

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: D102 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        row_h = QFontMetrics(self.font()).height() + theme.px(2)
        end = theme.px(self.LEADER_PX) - theme.px(3)
        for entry, top in self._shown:
            if entry.y is None:
                continue
            # A leader from the line's end (the lane's left edge) to its label.
            painter.setPen(QPen(QColor(entry.color), theme.px(1)))
            painter.drawLine(QPointF(0, entry.y), QPointF(end, top + row_h / 2.0))
