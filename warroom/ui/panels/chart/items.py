"""Scene items of the chart: bold curves that paint fast, grid lines, event markers.

Qt's raster engine strokes a 1-pixel line fifty times faster than a 2-pixel one, and an
antialiased wide line over noisy data can take 100 ms: too slow for a 30 Hz wall. A
``BoldCurveItem`` therefore paints its 1-pixel path two or three times, shifted by a
device pixel, which reads as a bold line at a fraction of the cost.

The axes' own grid costs several milliseconds a frame (a clipped QPicture spanning the
view); ``GridLinesItem`` draws the same lines as one cheap line-pairs curve.

Event markers are dashed vertical lines; their labels sit in a lane at the top of the
plot that the panel keeps free of data (it adds headroom to the y range), so they never
hide a curve or a threshold line. Labels of events close in time go to separate rows.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem

from warroom.core.model import Event, EventKind
from warroom.ui import theme

MARKER_KINDS = (EventKind.DEPLOY, EventKind.CONFIG_CHANGE, EventKind.PLAN_EXECUTION, EventKind.FAULT)
MAX_ROWS = 3
_GAP_PX = 12  # between two labels on the same row
_GROUP_PX = 6  # events closer than this share a marker


#: Device-pixel shifts of each pass of a bold curve, by boldness (1 = a plain line).
BOLD_OFFSETS = {1: ((0.0, 0.0),), 2: ((0.0, 0.0), (0.0, 1.0)), 3: ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))}


class BoldCurveItem(pg.PlotCurveItem):
    """A curve drawn with a 1-pixel pen in several shifted passes (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.boldness = 3
        self._bounds: QRectF | None = None

    def set_bounds(self, rect: QRectF | None) -> None:
        """Use ``rect`` (data coordinates) as the bounding rect instead of scanning the data.

        pyqtgraph computes a curve's bounds with nan-aware min/max over its arrays after
        every ``setData``, twice per paint: a millisecond a frame for ten curves. The panel
        knows a rect that holds every point (the view's range), so it hands that over.
        """
        if rect != self._bounds:
            self.prepareGeometryChange()
            self._bounds = QRectF(rect) if rect is not None else None

    def boundingRect(self):  # noqa: N802 - Qt override
        return self._bounds if self._bounds is not None else super().boundingRect()

    def set_boldness(self, boldness: int) -> None:
        """1 (thin) to 3 (boldest); the panel lowers it when many curves share the plot."""
        boldness = min(3, max(1, int(boldness)))
        if boldness != self.boldness:
            self.boldness = boldness
            self.prepareGeometryChange()
            self.update()

    def pixelPadding(self):  # noqa: N802 - pyqtgraph override
        # The shifted passes reach one pixel further than the pen does.
        return super().pixelPadding() + 1.0

    def paint(self, p, opt, widget):  # noqa: D102 - Qt override
        if self._exportOpts is not False:  # pyqtgraph's exporters: its own paint, once per pass
            base = p.transform()
            for dx, dy in BOLD_OFFSETS[self.boldness]:
                p.setTransform(base * QTransform.fromTranslate(dx, dy))
                super().paint(p, opt, widget)
            p.setTransform(base)
            return
        paint_lean(self, p, BOLD_OFFSETS[self.boldness])


def paint_lean(curve: pg.PlotCurveItem, p: QPainter, offsets=((0.0, 0.0),)) -> None:
    """Stroke a curve's path with its pen, once per device-pixel offset.

    pyqtgraph's ``PlotCurveItem.paint`` spends about 0.1 ms of Python per call on fills,
    shadow pens, OpenGL and export checks before its one ``drawPath``; a wall chart of
    eight bold curves called it sixteen times a frame. These curves use none of that.
    """
    if curve.xData is None or len(curve.xData) == 0:
        return
    pen = curve.opts["pen"]
    if pen is None or pen.style() == Qt.PenStyle.NoPen:
        return
    path = curve.getPath()
    p.setRenderHint(QPainter.RenderHint.Antialiasing, bool(curve.opts["antialias"]))
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    base = p.transform()
    for dx, dy in offsets:
        if dx or dy:
            p.setTransform(base * QTransform.fromTranslate(dx, dy))
        p.drawPath(path)
    p.setTransform(base)


class GridLinesItem(pg.PlotCurveItem):
    """Grid lines at given x and y values across the view, as one line-pairs curve."""

    def __init__(self, color: QColor) -> None:
        self._bounds: QRectF | None = None
        super().__init__(pen=pg.mkPen(color, width=1), antialias=False, connect="pairs")
        self.setZValue(-100)

    def paint(self, p, opt, widget):  # noqa: D102 - Qt override
        if self._exportOpts is not False:
            super().paint(p, opt, widget)
        else:
            paint_lean(self, p)

    def set_lines(self, xs: list[float], ys: list[float], x0: float, x1: float, y0: float, y1: float) -> None:
        """Vertical lines at ``xs`` from y0 to y1, horizontal ones at ``ys`` from x0 to x1."""
        xs_a, ys_a = np.asarray(xs, float), np.asarray(ys, float)
        x = np.concatenate((np.repeat(xs_a, 2), np.tile([x0, x1], len(ys_a))))
        y = np.concatenate((np.tile([y0, y1], len(xs_a)), np.repeat(ys_a, 2)))
        bounds = QRectF(x0, y0, x1 - x0, y1 - y0)  # every line lies in it: no scan of the data per paint
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
        self.setData(x, y, connect="pairs")

    def boundingRect(self):  # noqa: N802 - Qt override
        return self._bounds if self._bounds is not None else super().boundingRect()


def _role(event: Event) -> str:
    if event.kind is EventKind.FAULT:
        # A fault that ended is a recovery, not a new problem.
        return "crit" if event.attrs.get("action", "inject") == "inject" else "ok"
    return {EventKind.DEPLOY: "warn", EventKind.PLAN_EXECUTION: "ok"}.get(event.kind, "accent")


def marker_color(event: Event, th: theme.Theme) -> QColor:
    """Colour of an event's marker: faults red (their end green), deploys amber, plans green,
    config changes blue."""
    return th.color(_role(event))


#: Which event colours a marker that stands for several at once: the gravest.
_ROLE_RANK = {"crit": 0, "warn": 1, "accent": 2, "ok": 3}
#: Order of events on the same millisecond: the cause (a change) before its effect (a fault).
_SAME_TIME_ORDER = {EventKind.DEPLOY: 0, EventKind.CONFIG_CHANGE: 1, EventKind.FAULT: 2, EventKind.PLAN_EXECUTION: 3}


def _set_span(line: pg.InfiniteLine, top: float, z: float) -> None:
    # Only on change: a new span re-lays the label out, which is not free at 30 Hz.
    if abs(line.span[1] - top) > 1e-6:
        line.setSpan(0.0, top)
    if line.zValue() != z:
        line.setZValue(z)


class EventMarkers:
    """Owns the marker lines of one plot; ``sync`` them with the events in the window.

    Events a few pixels apart share one marker (a bad deploy and the fault it causes land
    on the same second); its label names them all and its colour is the gravest kind's.
    """

    def __init__(self, plot: pg.PlotWidget, font: QFont, text_of: Callable[[list[Event]], str]) -> None:
        self._plot = plot
        self._font = font
        self._text_of = text_of
        self._label_height = QFontMetrics(font).height() + theme.px(10)  # until a label is measured
        # (events, line, label width px) per marker, oldest first.
        self._items: list[tuple[list[Event], pg.InfiniteLine, int]] = []
        self._signature: tuple = ()
        self.rows_used = 0

    def set_font(self, font: QFont) -> None:
        """Label the markers in ``font`` (the wall scale changed); they are made anew at the next ``sync``."""
        self._font = QFont(font)
        self.clear()
        self._label_height = QFontMetrics(font).height() + theme.px(10)

    @property
    def row_height(self) -> int:
        """Height of one label row, pixels."""
        return self._label_height

    def items(self) -> list[tuple[Event, pg.InfiniteLine]]:
        """Each event shown with its marker line, oldest first (grouped events share a line)."""
        return [(e, line) for events, line, _ in self._items for e in events]

    def lines(self) -> list[tuple[list[Event], pg.InfiniteLine]]:
        """Each marker line with the events it stands for."""
        return [(events, line) for events, line, _ in self._items]

    def sync(self, events: list[Event], start_ms: int, end_ms: int, width_px: float) -> None:
        """Show markers for the events of a marked kind with ``start_ms <= ts <= end_ms``."""
        shown = sorted((e for e in events if e.kind in MARKER_KINDS and start_ms <= e.ts <= end_ms),
                       key=lambda e: (e.ts, _SAME_TIME_ORDER[e.kind], e.id))
        near_ms = theme.px(_GROUP_PX) * (end_ms - start_ms) / max(width_px, 1.0)
        groups: list[list[Event]] = []
        for e in shown:
            if groups and e.ts - groups[-1][0].ts <= near_ms:
                groups[-1].append(e)
            else:
                groups.append([e])
        signature = tuple(tuple(e.id for e in g) for g in groups)
        if signature == self._signature:
            return
        self.clear()
        self._signature = signature
        self._items = [self._make(g) for g in groups]

    def clear(self) -> None:
        """Remove every marker."""
        for _, line, _ in self._items:
            self._plot.removeItem(line)
        self._items = []
        self._signature = ()
        self.rows_used = 0

    def place(self, x0: float, x1: float, width_px: float, height_px: float) -> None:
        """Give each label a row of the lane where it overlaps no other; hide what does not fit.

        A label sits right of its line in the left half of the view and left of it in the
        right half (pyqtgraph turns it towards the view's centre), so its extent depends on
        where the line is now: rows are recomputed as the window slides. The newest events
        are placed first; an old label that finds no room is hidden (its line and tooltip stay).
        """
        if not self._items or width_px <= 0 or height_px <= 0 or x1 <= x0:
            self.rows_used = 0
            return
        px_per_s = width_px / (x1 - x0)
        mid = (x0 + x1) / 2.0
        taken: list[list[tuple[float, float]]] = [[] for _ in range(MAX_ROWS)]
        used = 0
        for events, line, width in reversed(self._items):
            at = events[0].ts / 1000.0
            x = (at - x0) * px_per_s
            left = x - width if at > mid else x
            gap = theme.px(_GAP_PX)
            span = (left - gap / 2, left + width + gap / 2)
            row = next((r for r, spans in enumerate(taken)
                        if all(span[1] <= a or span[0] >= b for a, b in spans)), None)
            line.label.setVisible(row is not None)
            if row is None:
                _set_span(line, 1.0, 6.0)
                continue
            taken[row].append(span)
            used = max(used, row + 1)
            top = 1.0 - (3 + row * self.row_height) / height_px
            # The line stops at its own label (which hangs from the line's top end), so it
            # crosses only the rows below; and a label in a lower row stacks above the
            # lines of the rows over it.
            _set_span(line, top, 6.0 + 0.01 * row)
        self.rows_used = used

    def _make(self, events: list[Event]) -> tuple[list[Event], pg.InfiniteLine, int]:
        th = theme.current()
        color = marker_color(min(events, key=lambda e: _ROLE_RANK[_role(e)]), th)
        pen = pg.mkPen(color, width=theme.px(2), style=Qt.PenStyle.DashLine)
        text = self._text_of(events)
        fill = QColor(th.background)  # opaque: lines of the rows above must not show through
        # ``label`` is a format string to pyqtgraph: braces in a subject must be doubled.
        line = pg.InfiniteLine(events[0].ts / 1000.0, angle=90, pen=pen, movable=False,
                               label=text.replace("{", "{{").replace("}", "}}"),
                               labelOpts={"position": 1.0, "color": color, "fill": fill,
                                          "anchors": [(0, 0), (1, 0)]})
        line.label.setFont(self._font)
        # Rich text is laid out and drawn anew on every paint; cached, a moving label is a copy.
        line.label.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        line.setToolTip("\n".join(e.title for e in events))
        line.setZValue(6)  # above threshold lines: a label box covers the dashes behind it
        self._plot.addItem(line, ignoreBounds=True)
        # The label's own box (text plus document margins) is what must not overlap.
        box = line.label.textItem.boundingRect()
        self._label_height = max(self._label_height, int(box.height()) + 1)
        return events, line, int(box.width()) + 1
