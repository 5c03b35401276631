"""Numbers on the calls that matter: requests/s over error %, on a plate in a gap between columns.

A map of thirty calls with a number on each is a wall of digits nobody reads. The calls that
get their numbers are, in this order: those in trouble (critical, then warning), those on
the highlighted path, then the busiest few; at most ``MAX_LABELS``. A plate sits on its
call's curve in the gap before the callee (or, if that is taken, the gap after the caller)
and is shown only where it covers no box, no root-cause badge and no other plate: a plate
that finds no room is left out rather than drawn over something.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QGraphicsScene

from warroom.ui.panels.map.items import (
    COL_STEP, NODE_W, CallEdgeItem, EdgeLabelItem, RootBadge, ServiceNodeItem, format_rate, format_ratio,
)

MAX_LABELS = 12
TOP_BY_RATE = 4  # healthy calls labelled for their traffic alone
_MARGIN = 1.0  # kept free around a plate


def ranked(edges: Iterable[CallEdgeItem]) -> list[CallEdgeItem]:
    """The shown calls worth a number, most important first (see the module docstring)."""
    shown = [e for e in edges if e.isVisible() and len(e.numbers) == 2]
    trouble = sorted((e for e in shown if e.level in ("warn", "crit")),
                     key=lambda e: (e.level != "crit", -(e.numbers[1] or 0.0)))
    lit = [e for e in shown if e.highlighted and e not in trouble]
    rest = sorted((e for e in shown if e.level not in ("warn", "crit") and not e.highlighted
                   and e.numbers[0] is not None), key=lambda e: -e.numbers[0])
    return (trouble + lit + rest[:TOP_BY_RATE])[:MAX_LABELS]


def spots(edge: CallEdgeItem) -> list[QPointF]:
    """Where a plate may sit on ``edge``: in the middle of the gap before the callee, then of
    the gap after the caller, on the curve's height there."""
    pts = edge.points
    if len(pts) < 2:
        return []
    gap = COL_STEP - NODE_W
    out = []
    (ax, ay), (bx, by) = pts[-2], pts[-1]
    if bx - ax > gap / 2:  # a call back up a column loops round: no gap to sit in
        out.append(QPointF(bx - gap / 2, (ay + by) / 2))
    if len(pts) > 2:
        (ax, ay), (bx, by) = pts[0], pts[1]
        if bx - ax > gap / 2:
            out.append(QPointF(ax + gap / 2, (ay + by) / 2))
    return out


class EdgeLabels:
    """The plates on a map's scene, made once and reused."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.items: list[EdgeLabelItem] = []
        self.stale = False

    @property
    def shown(self) -> dict[tuple[str, str], EdgeLabelItem]:
        """``{call: plate}`` of the plates on show."""
        return {item.key: item for item in self.items if item.isVisible() and item.key is not None}

    def update(self, edges: Iterable[CallEdgeItem], readable: bool, rate_word: str) -> None:
        """Put numbers on the calls that matter; none when type is too small to read at this
        zoom. ``rate_word`` is the translated "%1/s"."""
        placed: list[QRectF] = []
        used = 0
        for edge in ranked(edges) if readable else ():
            rate, err = edge.numbers
            lines = (rate_word.replace("%1", format_rate(rate)), format_ratio(err))
            w, h = EdgeLabelItem.size_for(lines)
            for centre in spots(edge):
                rect = QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h)
                if self._free(rect, placed):
                    item = self._item(used)
                    used += 1
                    item.show_numbers(edge.key, lines, edge.level, centre)
                    item.set_stale(self.stale)
                    item.setOpacity(edge.opacity())
                    item.setVisible(True)
                    placed.append(rect)
                    break
        for item in self.items[used:]:
            item.setVisible(False)
            item.key = None

    def set_stale(self, stale: bool) -> None:
        """Grey numbers while the data is stale."""
        self.stale = stale
        for item in self.items:
            item.set_stale(stale)

    def _item(self, i: int) -> EdgeLabelItem:
        while len(self.items) <= i:
            item = EdgeLabelItem()
            item.setVisible(False)
            self.scene.addItem(item)
            self.items.append(item)
        return self.items[i]

    def _free(self, rect: QRectF, placed: list[QRectF]) -> bool:
        room = rect.adjusted(-_MARGIN, -_MARGIN, _MARGIN, _MARGIN)
        if any(room.intersects(r) for r in placed):
            return False
        for item in self.scene.items(room):
            if not item.isVisible():
                continue
            if isinstance(item, ServiceNodeItem):
                if item.mapRectToScene(item.box()).intersects(room):
                    return False
            elif isinstance(item, RootBadge):
                if item.mapRectToScene(item.rect).intersects(room):
                    return False
        return True


__all__ = ["EdgeLabels", "MAX_LABELS", "TOP_BY_RATE", "ranked", "spots"]
