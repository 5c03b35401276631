"""One KPI tile: caption, a huge number that scales to the tile, its unit, a note and a
15-minute sparkline, coloured by health level. Painted in one pass with QPainter: a
pyqtgraph plot per tile would cost a scene, axes and a view box for a 60-pixel line.

Stale data (``show_stale``) is painted greyed: the number dimmed, no level colour nor red
wash, and the data's age ("42 s old") on a blue-grey badge where the level word goes.

A note may be made of coloured parts (``note_parts``: "1 open" in red, "1 mitigated" in amber),
and a sparkline may carry a goal (``set_goal``): a dashed line at the goal's value with its
label ("goal 1 min"), the line's scale stretched to include it so the room sees how far off it is."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget
from pyqtgraph.functions import create_qpolygonf, ndarray_from_qpolygonf

from warroom.ui import theme
from warroom.ui.wall.stale_banner import age_text, stale_colors, stale_ink

DASH = "—"
#: Most points drawn in a sparkline; longer trends are averaged into buckets.
MAX_SPARK_POINTS = 300
SPARK_PX_PER_POINT = 3.0


class KpiTileWidget(QWidget):
    """A KPI tile. Feed it with ``set_reading``; read back what it shows with the properties."""

    def __init__(self, caption: str, unit: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._caption = caption
        self._unit = unit
        self._value = DASH
        self._level = "unknown"
        self._note = ""
        self._trend = np.empty(0, np.float64)
        self._min_span = 0.0
        self._stale_since: int | None = None
        self._stale_age = ""
        self._note_parts: tuple[tuple[str, str], ...] = ()
        self._goal: float | None = None
        self._goal_label = ""
        self._fill = QColor()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # -- what it shows -------------------------------------------------------------------
    @property
    def caption(self) -> str:
        """The KPI's name."""
        return self._caption

    @property
    def unit(self) -> str:
        """The unit printed after the number (empty when the value is unknown)."""
        return self._unit if self._value != DASH else ""

    @property
    def value_text(self) -> str:
        """The big number as printed, or "—"."""
        return self._value

    @property
    def level(self) -> str:
        """``ok``, ``warn``, ``crit`` or ``unknown``."""
        return self._level

    @property
    def note(self) -> str:
        """The small line under the number."""
        return self._note

    @property
    def note_parts(self) -> tuple[tuple[str, str], ...]:
        """The note as (text, level) parts, a part coloured by its level ("" for the dim text)."""
        return self._note_parts or ((self._note, ""),) if self._note else ()

    @property
    def goal(self) -> float | None:
        """The value of the sparkline's goal line, if any."""
        return self._goal

    @property
    def goal_label(self) -> str:
        """The goal line's label ("goal 1 min")."""
        return self._goal_label

    def set_goal(self, value: float | None, label: str = "") -> None:
        """Draw a dashed goal line at ``value`` on the sparkline (None: none)."""
        if (value, label) != (self._goal, self._goal_label):
            self._goal, self._goal_label = value, label
            self.update()

    @property
    def trend(self) -> np.ndarray:
        """The sparkline's values, oldest first."""
        return self._trend

    @property
    def stale(self) -> bool:
        """True while the tile shows stale data (greyed, with its age)."""
        return self._stale_since is not None

    @property
    def stale_age(self) -> str:
        """The age shown on a stale tile (``42 s old``), else empty."""
        return self._stale_age

    def value_color(self) -> QColor:
        """The colour the number is painted in: the level's, or dimmed while stale."""
        t = theme.current()
        if self.stale:
            return stale_ink(t)
        return t.status_color(self._level)

    def show_stale(self, since_ms: int | None, age_ms: int | None = None) -> None:
        """Grey the tile and show the data's age (``since_ms`` not None), or show it live."""
        age = age_text(age_ms) if since_ms is not None else ""
        if (since_ms, age) == (self._stale_since, self._stale_age):
            return
        self._stale_since, self._stale_age = since_ms, age
        self.update()

    def level_word(self) -> str:
        """The word printed beside the caption, so colour is never the only signal."""
        return {"ok": self.tr("OK"), "warn": self.tr("WARNING"), "crit": self.tr("CRITICAL")}.get(
            self._level, self.tr("NO DATA"))

    def set_reading(self, value: str, level: str, note: str | tuple[tuple[str, str], ...] = "",
                    trend: np.ndarray | None = None, min_span: float = 0.0) -> None:
        """Show a new value; repaints only if something visible changed. ``note`` is a string,
        or (text, level) parts painted one after the other, each in its level's colour."""
        parts: tuple[tuple[str, str], ...] = ()
        if not isinstance(note, str):
            parts = tuple((str(text), str(lv)) for text, lv in note)
            note = "".join(text for text, _ in parts)
        trend = np.empty(0, np.float64) if trend is None else np.asarray(trend, dtype=np.float64)
        same_trend = trend is self._trend or (len(trend) == len(self._trend) and np.array_equal(trend, self._trend))
        if ((value, level, note, min_span, parts) == (self._value, self._level, self._note, self._min_span,
                                                     self._note_parts) and same_trend):
            return
        self._value, self._level, self._note, self._min_span = value, level, note, min_span
        self._note_parts = parts
        self._trend = trend
        self.setToolTip(f"{self._caption}: {value} {self.unit}".strip())
        self.setAccessibleName(self.toolTip())
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, 220)

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        t = theme.current()
        stale = self.stale
        # Stale: no level colour anywhere, so an old "CRITICAL" or "OK" cannot pass for now.
        level_color = stale_colors(t)[0] if stale else t.status_color(self._level)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), t.color("background"))
        w, h = float(self.width()), float(self.height())
        box = QRectF(1.5, 1.5, w - 3.0, h - 3.0)
        fill = t.color("surface")
        if self._level == "crit" and not stale:
            # A red wash on the whole tile: the one thing that must be seen from the back of the room.
            fill = _blend(fill, level_color, 0.22)
        p.setBrush(fill)
        self._fill = fill  # the goal label's plate
        alarm = self._level in ("warn", "crit") and not stale
        p.setPen(QPen(level_color if alarm else t.color("border"), 3.0 if alarm else 1.0))
        p.drawRoundedRect(box, 8.0, 8.0)
        p.fillRect(QRectF(box.left() + 1.5, box.top() + 10, 6.0, box.height() - 20), level_color)

        pad, head_h, spark_h, note_h = _bands(self)
        inner = box.adjusted(pad + 6.0, pad * 0.6, -pad, -pad * 0.6)

        # The alarm word as a badge at the right of the caption line (colour is never the
        # only signal); the caption takes the rest of the line, as large as fits.
        head = QRectF(inner.left(), inner.top(), inner.width(), head_h)
        if stale and self._stale_age:
            badge = self._paint_badge(p, head, self._stale_age, level_color, stale_colors(t)[2])
            head.setRight(badge.left() - 8.0)
        elif alarm:
            badge = self._paint_badge(p, head, self.level_word(), level_color, fill)
            head.setRight(badge.left() - 8.0)
        p.setFont(_fitted_font(self._caption, head_h * 0.82, 16.0 * _floor_scale(), head.width(), True))
        p.setPen(t.color("text"))
        caption = QFontMetricsF(p.font()).elidedText(self._caption, Qt.TextElideMode.ElideRight, head.width())
        p.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, caption)
        top = head.bottom() + h * 0.02

        # The number, as large as fits, with its unit on the same baseline.
        value_rect = QRectF(inner.left(), top, inner.width(), inner.bottom() - top - spark_h - note_h)
        value_color = self.value_color()
        unit_color = value_color if stale else t.color("text_dim")
        self._paint_value(p, value_rect, value_color, unit_color)

        if self._note:
            line = QRectF(inner.left(), value_rect.bottom(), inner.width(), note_h)
            p.setFont(_fitted_font(self._note, line.height() * 0.85, 14.0 * _floor_scale(), line.width(), False))
            if self._note_parts and not stale:
                self._paint_note_parts(p, line)
            else:
                p.setPen(t.color("text_dim"))
                note = QFontMetricsF(p.font()).elidedText(self._note, Qt.TextElideMode.ElideRight, line.width())
                p.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, note)
        if spark_h:
            gap = max(6.0, spark_h * 0.15)  # keep the line off the note above it
            spark = QRectF(inner.left(), inner.bottom() - spark_h + gap, inner.width(), spark_h - gap)
            self._paint_sparkline(p, spark, t.color("unknown") if stale else level_color, t.color("border"))
        p.end()

    def _paint_note_parts(self, p: QPainter, line: QRectF) -> None:
        """The note's parts one after the other, coloured parts in bold, elided at the edge."""
        t = theme.current()
        plain = QFont(p.font())
        bold = QFont(plain)
        bold.setBold(True)
        x = line.left()
        for text, level in self._note_parts:
            font = bold if level else plain
            metrics = QFontMetricsF(font)
            room = line.right() - x
            if room <= 0:
                break
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
            p.setFont(font)
            p.setPen(t.status_color(level) if level else t.color("text_dim"))
            p.drawText(QRectF(x, line.top(), room, line.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
            x += metrics.horizontalAdvance(shown)
        p.setFont(plain)

    def _paint_goal(self, p: QPainter, rect: QRectF, y: float) -> None:
        """The goal as a dashed line across the sparkline at height ``y``, its label above it at
        the left (the newest point is at the right)."""
        t = theme.current()
        p.setPen(QPen(t.color("text"), 2.0, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        if self._goal_label:
            # Read from the back of the room like the note: never under 13 px at 1080p. The label
            # sits on the line's left end (the oldest points).
            font = _pixel_font(max(13.0 * _floor_scale(), self.height() * 0.085), True)
            p.setFont(font)
            metrics = QFontMetricsF(font)
            # On a plate of the tile's own fill, centred on the line: above it, it would hit the note.
            plate = QRectF(rect.left(), y - metrics.height() / 2.0, metrics.horizontalAdvance(self._goal_label) + 8.0,
                           metrics.height())
            p.fillRect(plate, self._fill)
            p.setPen(t.color("text"))
            p.drawText(plate.adjusted(2.0, 0.0, 0.0, 0.0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       self._goal_label)

    @staticmethod
    def _paint_badge(p: QPainter, line: QRectF, word: str, color: QColor, text_color: QColor) -> QRectF:
        """The level word in a filled box at the right end of ``line``; returns the box."""
        height = line.height() * 0.9
        font = _pixel_font(height * 0.72, True)
        width = QFontMetricsF(font).horizontalAdvance(word) + height * 0.8
        badge = QRectF(line.right() - width, line.center().y() - height / 2, width, height)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawRoundedRect(badge, line.height() * 0.2, line.height() * 0.2)
        p.setFont(font)
        p.setPen(text_color)
        p.drawText(badge, Qt.AlignmentFlag.AlignCenter, word)
        return badge

    def _paint_value(self, p: QPainter, rect: QRectF, color: QColor, unit_color: QColor) -> None:
        if rect.height() <= 4:
            return
        unit = self.unit
        # A full-height dash reads as a bar; a smaller one reads as "nothing to show".
        size = rect.height() * (0.6 if self._value == DASH else 0.95)
        for _ in range(2):  # text width is nearly linear in the size: two passes converge
            big, small = _pixel_font(size, True), _pixel_font(max(10.0, size * 0.3), False)
            value_w = QFontMetricsF(big).horizontalAdvance(self._value)
            unit_w = QFontMetricsF(small).horizontalAdvance(unit) + size * 0.08 if unit else 0.0
            total = value_w + unit_w
            if total <= rect.width():
                break
            size = max(8.0, size * rect.width() / total * 0.98)
        big_m = QFontMetricsF(big)
        # Centre the digits' cap height, not the font's full line box, in the rectangle.
        baseline = rect.center().y() + big_m.capHeight() / 2.0
        x = rect.left()
        p.setFont(big)
        p.setPen(color)
        p.drawText(QPointF(x, baseline), self._value)
        if unit:
            p.setFont(small)
            p.setPen(unit_color)
            p.drawText(QPointF(x + value_w + size * 0.08, baseline), unit)

    def _paint_sparkline(self, p: QPainter, rect: QRectF, color: QColor, base_color: QColor) -> None:
        values = self._trend
        finite = values[np.isfinite(values)]
        goal = self._goal
        if len(finite) < 2 and goal is None:
            return
        buckets = max(2, min(MAX_SPARK_POINTS, int(rect.width() / SPARK_PX_PER_POINT)))
        if len(finite) > buckets:
            # Average into buckets counted back from the newest point, so the last one is
            # recent: sensor noise averages out and a real step still shows.
            size = len(finite) // buckets
            finite = finite[len(finite) - size * buckets:].reshape(buckets, size).mean(axis=1)
        lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (goal, goal)
        if goal is not None:  # the goal is always in sight, and a little room above it
            lo, hi = min(lo, 0.0, goal), max(hi, goal * 1.5)
        if hi - lo < self._min_span:  # a flat line for noise, not waves
            mid = (hi + lo) / 2.0
            lo, hi = mid - self._min_span / 2.0, mid + self._min_span / 2.0
        span = (hi - lo) or 1.0
        xs = rect.left() + np.linspace(0.0, rect.width(), len(finite))
        ys = rect.bottom() - (finite - lo) / span * rect.height()
        p.setPen(QPen(base_color, 1.0))
        p.drawLine(QPointF(rect.left(), rect.bottom()), QPointF(rect.right(), rect.bottom()))
        if goal is not None:
            self._paint_goal(p, rect, rect.bottom() - (goal - lo) / span * rect.height())
        if len(finite) == 1:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawEllipse(QPointF(rect.right(), float(ys[-1])), 4.8, 4.8)
        if len(finite) < 2:
            return
        # A 3-pixel line as three 1-pixel passes a pixel apart: Qt's raster engine strokes an
        # antialiased wide pen some forty times slower (2 ms a tile, every second).
        line = create_qpolygonf(len(xs))  # filled through a numpy view: no QPointF per point
        points = ndarray_from_qpolygonf(line)
        points[:, 0], points[:, 1] = xs, ys
        p.setPen(QPen(color, 1.0))
        for dy in (-1.0, 0.0, 1.0):
            p.drawPolyline(line.translated(0.0, dy))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawEllipse(QPointF(float(xs[-1]), float(ys[-1])), 4.8, 4.8)


def _pixel_font(pixels: float, bold: bool) -> QFont:
    font = theme.ui_font(11.0, bold)
    font.setPixelSize(max(6, int(pixels)))
    return font


def _fitted_font(text: str, pixels: float, min_pixels: float, width: float, bold: bool) -> QFont:
    """The font at ``pixels``, shrunk (down to ``min_pixels``) until ``text`` fits ``width``."""
    font = _pixel_font(pixels, bold)
    advance = QFontMetricsF(font).horizontalAdvance(text)
    if advance > width > 0:
        font = _pixel_font(max(min_pixels, pixels * width / advance * 0.98), bold)
    return font


def _blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def _floor_scale() -> float:
    """What the tile's 1080p floors are multiplied by: the wall scale, up to 1 (``_bands``)."""
    return min(1.0, theme.wall_scale())


def _bands(tile: KpiTileWidget) -> tuple[float, float, float, float]:
    """The tile's padding and the heights of its caption line, sparkline and note line.

    Caption and note are read from the back of the room too: never under 16 / 14 px at
    1080p. On a smaller screen those floors shrink with every other length: at 1366x768
    (scale 0.7) 1080p floors took the tile's height from the number, painted no bigger
    than its caption. On a bigger one the tile's proportions are above them anyway."""
    w, h, s = float(tile.width()), float(tile.height()), _floor_scale()
    pad = max(10.0 * s, min(w, h) * 0.06)
    head_h = max(22.0 * s, h * 0.15)
    spark_h = h * 0.18 if len(tile.trend) >= 2 or tile.goal is not None else 0.0
    note_h = max(18.0 * s, h * 0.11) if tile.note else 0.0
    return pad, head_h, spark_h, note_h


def _value_rect(tile: KpiTileWidget) -> QRectF:
    """Where ``paintEvent`` draws the big number (same arithmetic; the wall check reads it)."""
    w, h = float(tile.width()), float(tile.height())
    box = QRectF(1.5, 1.5, w - 3.0, h - 3.0)
    pad, head_h, spark_h, note_h = _bands(tile)
    inner = box.adjusted(pad + 6.0, pad * 0.6, -pad, -pad * 0.6)
    top = inner.top() + head_h + h * 0.02
    return QRectF(inner.left(), top, inner.width(), inner.bottom() - top - spark_h - note_h)


#: Read-only: the rectangle the tile's value is painted in, widget coordinates.
KpiTileWidget.value_rect = property(_value_rect)  # type: ignore[attr-defined]
