"""The call-chain map's scene items: service nodes and call edges.

Items are dumb: the panel decides levels, captions and widths and hands them over with
``set_state``; an item repaints only when what it shows changed. Sizes are in scene
units. The map is as wide as its call depth (six columns for the simulated platform), so
the type is large for the box: the service name takes the box's width at 34 units, which
is about 19 px when the whole platform fits the middle of a 1920x1080 wall.

Painting is cached, because the numbers change every second on every node: the box, its
glyph and the name are drawn once into a device-pixel cache (redrawn only when the level,
the emphasis or the zoom changes), and only the caption, a child item with a pre-laid-out
``QStaticText``, is drawn afresh. Edges are cached the same way; their look changes
only with their level and traffic band. A full repaint of the map then costs a few pixmap
copies instead of a hundred antialiased strokes and text layouts.

A platform of a thousand services fitted to a wall is a few pixels a box: below
``MIN_TEXT_PX`` of screen per unit of type a box draws no name or glyph (nobody could read
them), and the panel hides the captions. An edge's route can change in place (``set_route``)
when the graph around it changes, so a new service does not rebuild three thousand edges.
"""

from __future__ import annotations

import functools
import math
from typing import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from warroom.core.model import ServiceKind
from warroom.ui import theme

NODE_W = 310.0
NODE_H = 92.0
COL_STEP = 400.0  # between column centres: 90 units for edges, arrowheads and their numbers
ROW_STEP = 112.0  # between row centres: a 20-unit channel for edges that skip a column
LABEL_PX = 34
CAPTION_PX = 24
# A long name or caption shrinks down to these before it is elided. They are the smallest
# type on the map: fitted into its place on a 1080p wall the map shows them at >= 11 px
# (1 % of the screen's height, what reads from five metres), see ``figure_px``.
MIN_LABEL_PX = 26
MIN_CAPTION_PX = 24  # the numbers do not shrink: a caption too long is shortened instead
EDGE_LABEL_PX = 24  # an edge's numbers, two short lines in the gap between columns
GLYPH = 24.0  # the kind's glyph, left of the caption
PAD = 10.0
DIM_OPACITY = 0.25
_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
_HEALTHY_EDGE_ALPHA = {"dark": 120, "light": 185}
_WIDTH_HYSTERESIS = 0.6  # an edge's width follows its traffic only when it moved this much
MIN_TEXT_PX = 4.0  # type smaller than this on screen is not drawn (names) or not set (captions)
_PLAIN_SMOOTH_LOD = 1.5  # a plain edge is antialiased from this zoom on (few are in sight then)

_TINT = {"crit": 0.38, "warn": 0.26}  # how much of the level colour the fill takes


def format_rate(rps: float | None) -> str:
    """``9.6k``, ``312``, ``4.5`` (per second); an em dash when unknown."""
    if rps is None or math.isnan(rps):
        return "—"
    if rps >= 10_000:
        return f"{rps / 1000:.0f}k"
    if rps >= 1000:
        return f"{rps / 1000:.1f}k"
    return f"{rps:.0f}" if rps >= 10 else f"{rps:.1f}"


def format_ratio(ratio: float | None) -> str:
    """A 0..1 ratio as a percentage with the digits that matter: ``0.05%``, ``3.5%``, ``100%``."""
    if ratio is None or math.isnan(ratio):
        return "—"
    pct = ratio * 100
    if pct >= 10:
        return f"{pct:.0f}%"
    return f"{pct:.1f}%" if pct >= 1 else f"{pct:.2f}%"


def format_seconds(seconds: float | None) -> str:
    """``24 ms``, ``1.36 s``; an em dash when unknown."""
    if seconds is None or math.isnan(seconds):
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(*(x + (y - x) * t for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3])))


@functools.lru_cache(maxsize=64)
def _font_and_metrics(px: int, bold: bool) -> tuple[QFont, QFontMetricsF]:
    font = theme.ui_font(10, bold)
    font.setPixelSize(px)  # scene units, so type scales with the map's zoom
    return font, QFontMetricsF(font)


def _font(px: int, bold: bool) -> QFont:
    return QFont(_font_and_metrics(px, bold)[0])


def _fitted(text: str, px: int, min_px: int, bold: bool, width: float) -> tuple[QFont, str]:
    """The largest font from ``px`` down to ``min_px`` that fits ``text`` in ``width``,
    and the text, elided if even ``min_px`` is too wide."""
    for size in range(px, min_px - 1, -1):
        font, metrics = _font_and_metrics(size, bold)
        if metrics.horizontalAdvance(text) <= width:
            return font, text
    return font, metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


class ServiceNodeItem(QGraphicsItem):
    """A rounded box: the service's label across the top, the kind's glyph and a caption
    with its numbers below.

    ``level`` drives the border (and, for warn/crit, a tinted fill); ``highlighted`` draws
    the accent ring of a highlighted scenario; ``selected_service`` a ring in text colour.
    The caption is a child item (see the module docstring).
    """

    def __init__(self, name: str, label: str, kind: ServiceKind, members: int = 1) -> None:
        super().__init__()
        self.name = name
        self.label = label
        self.kind = kind
        self.members = members  # services it stands for: more than one for a collapsed group
        self.stale = False  # the data is old: drawn grey, no health colour (``set_stale``)
        self.no_data_s: float | None = None  # this service stopped reporting this long ago (``set_no_data``)
        self.found = False  # the find box's answer
        self.level = "unknown"
        self.numbers: tuple = ()  # (requests/s, error ratio, p99 s, saturation), for the tooltip
        self.highlighted = False
        self.dimmed = False
        self.selected_service = False
        self.root_cause = False
        self.root_badge: RootBadge | None = None
        self.setZValue(10)  # above the edges that pass under it
        self.setAcceptHoverEvents(False)
        self.setCacheMode(_CACHE)
        box = self.box()
        self._label_rect = QRectF(box.left() + PAD, box.top() + 4, box.width() - 2 * PAD, 48)
        self._glyph_rect = QRectF(box.left() + PAD, box.bottom() - 10 - GLYPH, GLYPH, GLYPH)
        self._label_font, self._label_text = _fitted(label, LABEL_PX, MIN_LABEL_PX, True, self._label_rect.width())
        caption_rect = QRectF(self._glyph_rect.right() + 6, box.bottom() - 44, 0, 40)
        caption_rect.setRight(box.right() - PAD)
        self.caption_item = _CaptionItem(caption_rect, self)

    @property
    def caption(self) -> str:
        """The numbers line as given by the panel (drawn shrunk or elided if too long)."""
        return self.caption_item.text

    @property
    def is_group(self) -> bool:
        """A collapsed group of services."""
        return self.members > 1

    @property
    def border_color(self) -> QColor:
        """The level's colour, as drawn on the border (grey while the data is stale)."""
        return theme.current().status_color("unknown" if self.stale else self.level)

    @property
    def fill_color(self) -> QColor:
        """The box's fill: the surface, tinted towards the level colour when warn or crit."""
        t = theme.current()
        return _mix(t.color("surface"), self.border_color, 0.0 if self.stale else _TINT.get(self.level, 0.0))

    def set_stale(self, stale: bool) -> None:
        """Grey, without health colours, while the data is stale: old colours must not pass for live."""
        if stale != self.stale:
            self.stale = stale
            self.update()
            self.caption_item.set_text(self.caption_item.text, self._caption_color())
            if self.root_badge is not None:
                self.root_badge.update()

    @property
    def no_data(self) -> bool:
        """True while the service sends no data (grey, a dashed border, "no data for N s")."""
        return self.no_data_s is not None

    def set_no_data(self, seconds: float | None) -> None:
        """The service stopped reporting ``seconds`` ago (None: it reports). Drawn grey with a
        dashed border: its last numbers must not pass for its health."""
        was = self.no_data
        self.no_data_s = seconds
        if was != self.no_data:
            self.update()

    def set_found(self, found: bool) -> None:
        """Ring the service the find box found."""
        if found != self.found:
            self.found = found
            self.update()

    def _caption_color(self) -> QColor:
        loud = (self.level in ("warn", "crit") or self.no_data) and not self.stale
        return theme.current().color("text" if loud else "text_dim")

    def figure_px(self) -> tuple[float, float]:
        """The pixel sizes of the name's and the caption's type, in scene units."""
        return float(self._label_font.pixelSize()), float(self.caption_item.font_px)

    def set_state(self, level: str, caption: str | None, numbers: tuple = ()) -> None:
        """Show a new level and caption (None: leave the caption as it is, the panel does not
        show it now); repaints only what changed. ``numbers`` are kept for the tooltip, which
        the panel builds only when someone hovers."""
        self.numbers = numbers
        if level != self.level:
            self.level = level
            self.update()  # the cached box: a new border and fill
        if caption is not None:
            self.caption_item.set_text(caption, self._caption_color())

    def set_emphasis(self, highlighted: bool, dimmed: bool) -> None:
        """Part of the highlighted scenario, or dimmed because another one is highlighted."""
        if highlighted != self.highlighted:
            self.highlighted = highlighted
            self.update()
        self.dimmed = dimmed
        self.setOpacity(DIM_OPACITY if dimmed else 1.0)

    def set_root_cause(self, root: bool, text: str = "ROOT CAUSE") -> None:
        """Mark the service named as the probable root cause of the active alerts: a badge
        next to the box (where ``place_badge`` finds room), so the room sees where it starts
        without reading the alert list."""
        if root == self.root_cause:
            return
        self.root_cause = root
        if root and self.root_badge is None:
            self.root_badge = RootBadge(text, self)
        if self.root_badge is not None:
            self.root_badge.setVisible(root)

    def place_badge(self, is_free: "Callable[[QRectF], bool]") -> None:
        """Put the root-cause badge where it covers no other node: above the box, below it,
        in the gap to its right or left (on two lines), or, when the neighbours leave no room,
        over the box's own caption. ``is_free(scene_rect)`` says whether a place is free."""
        badge = self.root_badge
        if badge is None:
            return
        box = self.box()
        for rect, lines in badge.places(box):
            if is_free(self.mapRectToScene(rect)):
                badge.set_place(rect, lines)
                return
        badge.set_place(badge.inside(box), 1)

    def set_selected_service(self, selected: bool) -> None:
        """Mark the service whose detail is open."""
        if selected != self.selected_service:
            self.selected_service = selected
            self.update()

    def box(self) -> QRectF:
        """The node's box in item coordinates (centred on the item's position)."""
        return QRectF(-NODE_W / 2, -NODE_H / 2, NODE_W, NODE_H)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return _NODE_BOUNDS  # the scene asks often: a constant, not a new rect each time

    def shape(self) -> QPainterPath:
        return _NODE_SHAPE

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        t = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = self.box()
        if self.highlighted or self.found:
            painter.setPen(QPen(t.color("accent"), 8 if self.found else 4))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(-5, -5, 5, 5), 15, 15)
        if self.selected_service:
            painter.setPen(QPen(t.color("text"), 3, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(-7, -7, 7, 7), 17, 17)
        width = 5.0 if (self.level in ("warn", "crit") or self.no_data) and not self.stale else 3.0
        pen = QPen(self.border_color, width)
        if self.no_data and not self.stale:  # grey like "unknown", but it was there and went
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(self.fill_color))
        if self.is_group:  # a stack of cards: more than one service stands behind this box
            painter.drawRoundedRect(box.adjusted(width / 2 + 8, width / 2 - 6, -width / 2 + 6, -width / 2 - 8), 12, 12)
        painter.drawRoundedRect(box.adjusted(width / 2, width / 2, -width / 2, -width / 2), 12, 12)

        if option.levelOfDetailFromTransform(painter.worldTransform()) * LABEL_PX < MIN_TEXT_PX:
            return  # a speck on the wall: the coloured box is all that can be seen
        _draw_glyph(painter, None if self.is_group else self.kind, self._glyph_rect,
                    t.color("text") if self.level != "unknown" else t.color("text_dim"))
        painter.setPen(t.color("text"))
        painter.setFont(self._label_font)
        painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._label_text)


_NODE_BOUNDS = QRectF(-NODE_W / 2 - 10, -NODE_H / 2 - 10, NODE_W + 20, NODE_H + 20)
_NODE_SHAPE = QPainterPath()
_NODE_SHAPE.addRoundedRect(QRectF(-NODE_W / 2, -NODE_H / 2, NODE_W, NODE_H), 12, 12)


class RootBadge(QGraphicsItem):
    """"ROOT CAUSE" in white on the critical colour (grey while stale), next to its node.

    Its node places it (``ServiceNodeItem.place_badge``): the row gap above a box is too
    thin for it, so it takes the place of a missing neighbour, or the gap between columns.
    """

    GAP = 6.0  # between the badge and its box

    def __init__(self, text: str, parent: "ServiceNodeItem") -> None:
        super().__init__(parent)
        self.text = text
        self.level = "crit"  # "warn" while its incident is mitigated (users recovered): amber, not red
        self._font = _font(24, True)  # readable at the zoom that fits a whole platform
        self.lines = 1
        self._rect = self.places(parent.box())[0][0]
        self.setZValue(1)

    def places(self, box: QRectF) -> list[tuple[QRectF, int]]:
        """Where it may go around ``box`` (item coordinates), best first, with its line count."""
        metrics = QFontMetricsF(self._font)
        w1, h1 = metrics.horizontalAdvance(self.text) + 24, metrics.height() + 8
        words = self.text.split(" ", 1)
        w2 = max(metrics.horizontalAdvance(w) for w in words) + 16
        h2 = metrics.height() * len(words) + 8
        g = self.GAP
        return [
            (QRectF(box.center().x() - w1 / 2, box.top() - g - h1, w1, h1), 1),
            (QRectF(box.center().x() - w1 / 2, box.bottom() + g, w1, h1), 1),
            (QRectF(box.right() + g, box.center().y() - h2 / 2, w2, h2), len(words)),
            (QRectF(box.left() - g - w2, box.center().y() - h2 / 2, w2, h2), len(words)),
        ]

    def inside(self, box: QRectF) -> QRectF:
        """Over the box's caption: the last resort, never over another node."""
        h = QFontMetricsF(self._font).height() + 8
        return QRectF(box.left() + 6, box.bottom() - 6 - h, box.width() - 12, h)

    def set_place(self, rect: QRectF, lines: int) -> None:
        """Move to ``rect`` (its node's coordinates), drawn on ``lines`` lines."""
        if rect != self._rect or lines != self.lines:
            self.prepareGeometryChange()
            self._rect, self.lines = QRectF(rect), lines
            self.update()

    @property
    def rect(self) -> QRectF:
        """Where it is drawn, in its node's coordinates."""
        return QRectF(self._rect)

    def set_level(self, level: str) -> None:
        """``crit`` (red) while users feel the outage, ``warn`` (amber) once it is mitigated."""
        if level != self.level:
            self.level = level
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        t = theme.current()
        stale = getattr(self.parentItem(), "stale", False)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        fill = t.status_color("unknown" if stale else self.level)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(self._rect, 6, 6)
        luminance = 0.299 * fill.redF() + 0.587 * fill.greenF() + 0.114 * fill.blueF()
        painter.setPen(QColor("#0b0f14" if luminance > 0.55 else "white"))  # dark on amber reads better
        painter.setFont(self._font)
        text = self.text.replace(" ", "\n", 1) if self.lines > 1 else self.text
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, text)


class EdgeLabelItem(QGraphicsItem):
    """A call's numbers, requests/s over error %, on a plate in the gap before its callee.

    The panel makes a few, for the calls that matter, and moves them where they cover no
    box (``warroom.ui.panels.map.edge_labels``).
    """

    def __init__(self) -> None:
        super().__init__()
        self._font = _font(EDGE_LABEL_PX, False)
        self._lines: tuple[str, ...] = ()
        self._rect = QRectF()
        self._level = "ok"
        self.stale = False
        self.key: tuple[str, str] | None = None
        self.setZValue(5)  # above the edges, below the boxes
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    @staticmethod
    def size_for(lines: tuple[str, ...]) -> tuple[float, float]:
        """The plate's width and height for ``lines``."""
        metrics = _font_and_metrics(EDGE_LABEL_PX, False)[1]
        return (max(metrics.horizontalAdvance(x) for x in lines) + 8, metrics.height() * len(lines) + 4)

    @property
    def lines(self) -> tuple[str, ...]:
        """The text, a line each."""
        return self._lines

    @property
    def font_px(self) -> int:
        """The type's size in scene units."""
        return self._font.pixelSize()

    def show_numbers(self, key: tuple[str, str], lines: tuple[str, ...], level: str, centre: QPointF) -> None:
        """Show ``lines`` for the call ``key`` centred on ``centre``, coloured by ``level``."""
        w, h = self.size_for(lines)
        rect = QRectF(-w / 2, -h / 2, w, h)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.key = key
        if (lines, level) != (self._lines, self._level):
            self._lines, self._level = lines, level
            self.update()
        self.setPos(centre)

    def set_stale(self, stale: bool) -> None:
        """Grey text while the data is stale."""
        if stale != self.stale:
            self.stale = stale
            self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        t = theme.current()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.color("background"))
        painter.drawRoundedRect(self._rect, 4, 4)
        level = "unknown" if self.stale else self._level
        painter.setPen(t.color("text") if level in ("ok", "unknown") else t.status_color(level))
        painter.setFont(self._font)
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, "\n".join(self._lines))


class _CaptionItem(QGraphicsItem):
    """A node's numbers line: laid out once per new text (``QStaticText``), drawn uncached."""

    def __init__(self, rect: QRectF, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self._rect = rect
        self.text = ""
        self._color = QColor()
        self._font = _font(CAPTION_PX, False)
        self._static = QStaticText()
        self._static.setTextFormat(Qt.TextFormat.PlainText)
        self._top = 0.0
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the node

    def set_text(self, text: str, color: QColor) -> None:
        """Show ``text`` in ``color``; repaints only on change."""
        if text == self.text and color == self._color:
            return
        if text != self.text:
            self.text = text
            self._font, shown = _fitted(text, CAPTION_PX, MIN_CAPTION_PX, False, self._rect.width())
            self._static.setText(shown)
            self._static.prepare(font=self._font)
            self._top = self._rect.center().y() - QFontMetricsF(self._font).height() / 2
        self._color = QColor(color)
        self.update()

    @property
    def font_px(self) -> int:
        """The caption's type size in scene units (shrunk to fit a long caption)."""
        return self._font.pixelSize()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setFont(self._font)
        painter.setPen(self._color)
        painter.drawStaticText(QPointF(self._rect.left(), self._top), self._static)


class CallEdgeItem(QGraphicsItem):
    """A caller → callee curve with an arrowhead at the callee, width by traffic."""

    ARROW = 16.0

    def __init__(self, caller: str, callee: str, points: list[QPointF] | list[tuple[float, float]]) -> None:
        super().__init__()
        self.caller, self.callee = caller, callee
        self.level = "unknown"
        self.numbers: tuple = ()  # (requests/s, error ratio), for the tooltip
        self.width = 1.5
        self.highlighted = False
        self.dimmed = False
        self.stale = False  # grey, no health colour (``set_stale``)
        self.filtered = False  # hidden by "unhealthy only": an end of it is hidden
        self.minor = False  # between two collapsed groups: drawn only in trouble or highlighted
        self.setZValue(1)
        self.setCacheMode(_CACHE)
        self.plain = False  # see ``set_plain``
        self.points: tuple[tuple[float, float], ...] = ()
        self._set_points(points)

    def set_plain(self, plain: bool = True) -> None:
        """Draw for a map of thousands of edges: uncached (long edges' device pixmaps would
        push each other out of Qt's pixmap cache), opaque (a healthy edge's transparency is
        mixed with the background beforehand: blending is five times the cost), and without
        antialiasing below zoom 1.5. A repaint of 1,000 edges in sight then costs ~50 ms
        instead of ~700."""
        self.plain = plain
        self.setCacheMode(QGraphicsItem.CacheMode.NoCache if plain else _CACHE)

    def set_route(self, points: list[QPointF] | list[tuple[float, float]]) -> bool:
        """Run the edge along new points (the graph around it changed); False if they are the same."""
        if _as_tuples(points) == self.points:
            return False
        self.prepareGeometryChange()
        self._set_points(points)
        self.update()
        return True

    def _set_points(self, points: list[QPointF] | list[tuple[float, float]]) -> None:
        self.points = _as_tuples(points)
        self._path, self._arrow = _route([QPointF(x, y) for x, y in self.points], self.ARROW)
        self._bounds = self._path.boundingRect().united(self._arrow.boundingRect()).adjusted(-14, -14, 14, 14)

    @property
    def key(self) -> tuple[str, str]:
        """``(caller, callee)``."""
        return (self.caller, self.callee)

    @property
    def color(self) -> QColor:
        """The stroke's colour: the level's, or the accent for a healthy highlighted edge.

        Healthy edges are drawn half-transparent so that the few red ones stand out of
        the many green ones.
        """
        return _edge_color("unknown" if self.stale else self.level, self.highlighted)

    def path(self) -> QPainterPath:
        """The curve in scene coordinates (ends at the arrowhead's base)."""
        return QPainterPath(self._path)

    def set_state(self, level: str, width: float, numbers: tuple = ()) -> None:
        """Show a new level and traffic width; repaints only on change. ``numbers`` are
        kept for the tooltip."""
        self.numbers = numbers
        # Half-unit steps, moved only by a clear change: noise in the rate must not redraw
        # the edge's cache (and everything it crosses) every second.
        if abs(width - self.width) < _WIDTH_HYSTERESIS:
            width = self.width
        width = round(width * 2) / 2
        if (level, width) != (self.level, self.width):
            self.level, self.width = level, width
            self.update()

    def set_stale(self, stale: bool) -> None:
        """Grey while the data is stale."""
        if stale != self.stale:
            self.stale = stale
            self.update()

    def set_emphasis(self, highlighted: bool, dimmed: bool) -> None:
        """On the highlighted scenario's path, or dimmed because it is not."""
        if highlighted != self.highlighted:
            self.highlighted = highlighted
            self.setZValue(3 if highlighted else 1)
            self.update()
        self.dimmed = dimmed
        self.setOpacity(DIM_OPACITY if dimmed else 1.0)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        # Pens come from a small cache by look: thousands of edges share a dozen of them, and
        # making them per paint was most of a big map's repaint.
        level = "unknown" if self.stale else self.level
        pen, fill, halo = _edge_style(theme.current().name, level, self.width, self.highlighted, self.plain)
        smooth = not self.plain or option.levelOfDetailFromTransform(painter.worldTransform()) >= _PLAIN_SMOOTH_LOD
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, smooth)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if halo is not None:
            painter.setPen(halo)
            painter.drawPath(self._path)
        painter.setPen(pen)
        painter.drawPath(self._path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPath(self._arrow)


@functools.lru_cache(maxsize=256)
def _edge_style(theme_name: str, level: str, width: float, highlighted: bool, plain: bool) -> tuple[QPen, QColor, QPen | None]:
    """(stroke pen, arrowhead colour, halo pen or None) of an edge's look in the current theme
    (``theme_name`` keys the cache: a new theme gets new pens)."""
    t = theme.current()
    color = _edge_color(level, highlighted)
    if plain and color.alpha() < 255:
        color = _mix(t.color("background"), color, color.alphaF())
    stroke = width + (1.5 if highlighted else 0.0)
    halo = None
    if highlighted and level in ("warn", "crit"):  # keep the red, show it is on the path
        halo = QPen(t.color("accent"), stroke + 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    return QPen(color, stroke, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap), color, halo


def _edge_color(level: str, highlighted: bool) -> QColor:
    t = theme.current()
    if highlighted and level in ("ok", "unknown"):
        return t.color("accent")
    color = t.status_color(level)
    if level == "ok" and not highlighted:
        # Half-transparent over black stays a clear green; over a light background it
        # fades to mint, so the light theme keeps more of it.
        color.setAlpha(_HEALTHY_EDGE_ALPHA.get(t.name, 120))
    return color


def _as_tuples(points: list[QPointF] | list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    return tuple((p.x(), p.y()) if isinstance(p, QPointF) else (float(p[0]), float(p[1])) for p in points)


def _route(points: list[QPointF], arrow: float) -> tuple[QPainterPath, QPainterPath]:
    """A smooth path through ``points`` with horizontal tangents, and its arrowhead.

    Pairs of points at the same height are joined straight (the pass through a column an
    edge skips); other steps are S-curves. The last step stops at the arrowhead's base.
    """
    tip = points[-1]
    base = QPointF(tip.x() - arrow, tip.y())
    pts = [*points[:-1], base]
    path = QPainterPath(pts[0])
    for a, b in zip(pts, pts[1:]):
        dx = b.x() - a.x()
        if abs(a.y() - b.y()) < 0.5:
            path.lineTo(b)
        elif dx > 0:
            path.cubicTo(QPointF(a.x() + dx / 2, a.y()), QPointF(b.x() - dx / 2, b.y()), b)
        else:  # a call back to the same column (a cycle): loop out to the right
            reach = max(60.0, -dx + 60.0)
            path.cubicTo(QPointF(a.x() + reach, a.y()), QPointF(b.x() - reach, b.y()), b)
    head = QPainterPath()
    head.addPolygon(QPolygonF([tip, QPointF(base.x(), tip.y() - arrow * 0.55),
                               QPointF(base.x(), tip.y() + arrow * 0.55), tip]))
    return path, head


def _draw_glyph(painter: QPainter, kind: ServiceKind | None, r: QRectF, color: QColor) -> None:
    """A small line drawing that says what kind of node this is (``None``: a group)."""
    painter.save()
    painter.setPen(QPen(color, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    x, y, w, h = r.x(), r.y(), r.width(), r.height()
    if kind is None:  # a group: four small boxes
        for i in range(4):
            cx, cy = x + (i % 2) * w * 0.55, y + (i // 2) * h * 0.55
            painter.drawRoundedRect(QRectF(cx, cy, w * 0.42, h * 0.42), 2, 2)
    elif kind is ServiceKind.BANK:  # a portico: roof, columns, step
        painter.drawPolygon(QPolygonF([QPointF(x, y + h * 0.32), QPointF(x + w / 2, y), QPointF(x + w, y + h * 0.32)]))
        for i in range(4):
            cx = x + w * (0.15 + 0.233 * i)
            painter.drawLine(QPointF(cx, y + h * 0.42), QPointF(cx, y + h * 0.82))
        painter.drawLine(QPointF(x, y + h * 0.95), QPointF(x + w, y + h * 0.95))
    elif kind is ServiceKind.DATABASE:  # a cylinder
        e = h * 0.28
        painter.drawEllipse(QRectF(x + 2, y, w - 4, e))
        painter.drawLine(QPointF(x + 2, y + e / 2), QPointF(x + 2, y + h - e / 2))
        painter.drawLine(QPointF(x + w - 2, y + e / 2), QPointF(x + w - 2, y + h - e / 2))
        painter.drawArc(QRectF(x + 2, y + h - e, w - 4, e), 180 * 16, 180 * 16)
        painter.drawArc(QRectF(x + 2, y + h * 0.45 - e / 2, w - 4, e), 180 * 16, 180 * 16)
    elif kind is ServiceKind.CACHE:  # a lightning bolt
        painter.drawPolygon(QPolygonF([
            QPointF(x + w * 0.62, y), QPointF(x + w * 0.2, y + h * 0.56), QPointF(x + w * 0.5, y + h * 0.56),
            QPointF(x + w * 0.36, y + h), QPointF(x + w * 0.82, y + h * 0.4), QPointF(x + w * 0.52, y + h * 0.4),
        ]))
    elif kind is ServiceKind.QUEUE:  # stacked messages
        for i in range(3):
            painter.drawRoundedRect(QRectF(x + 1, y + 2 + i * h * 0.32, w - 2, h * 0.22), 3, 3)
    elif kind is ServiceKind.CHANNEL:  # a door with an arrow going in
        painter.drawLine(QPointF(x + w * 0.55, y + 2), QPointF(x + w, y + 2))
        painter.drawLine(QPointF(x + w, y + 2), QPointF(x + w, y + h - 2))
        painter.drawLine(QPointF(x + w, y + h - 2), QPointF(x + w * 0.55, y + h - 2))
        painter.drawLine(QPointF(x, y + h / 2), QPointF(x + w * 0.68, y + h / 2))
        painter.drawPolyline(QPolygonF([QPointF(x + w * 0.45, y + h * 0.28), QPointF(x + w * 0.7, y + h / 2),
                                        QPointF(x + w * 0.45, y + h * 0.72)]))
    else:  # an ordinary service: a hexagon, like a component
        c = r.center()
        rad = min(w, h) / 2
        painter.drawPolygon(QPolygonF([QPointF(c.x() + rad * math.cos(math.radians(a)),
                                               c.y() + rad * math.sin(math.radians(a))) for a in range(30, 390, 60)]))
        painter.drawEllipse(c, rad * 0.32, rad * 0.32)
    painter.restore()
