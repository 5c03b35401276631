"""Qt's pixmap cache, made large enough for the map's cached items.

Boxes and calls are drawn into device pixmaps once (``DeviceCoordinateCache``) and then only
copied, as long as they stay in ``QPixmapCache``. Its default limit is 10 MB; the calls of a
grouped big platform (a few dozen boxes standing for 500 services) are long curves across the
wall, each a pixmap of a good part of the screen: they pushed each other out of the cache, so
every paint drew them again and again, and the map's share of a frame went from ~4 ms to
~22 ms (bench/scale.py). The limit is raised, never lowered, to the limit Qt started with (the
rest of the window uses the cache too) plus ``HEADROOM`` times what the visible cached items
take on screen, up to ``MAX_BYTES``. The headroom is measured, not derived: at 500 services the
map's items take ~15 MB by this estimate, a 24 MB cache still made it redraw them, 48 MB not.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRect
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

#: The most the map asks the cache to hold (bytes): 32 screens of 4K.
MAX_BYTES = 32 * 3840 * 2160 * 4
#: Room over what the visible items take by ``cached_bytes`` (see the module docstring).
HEADROOM = 3.0
_BYTES_PER_PIXEL = 4


def cached_bytes(view: QGraphicsView, items: Iterable[QGraphicsItem]) -> int:
    """Bytes of device pixmaps the visible device-cached ``items`` take in ``view``'s viewport."""
    port = view.viewport().rect()
    transform = view.viewportTransform()
    total = 0
    for item in items:
        if item.cacheMode() != QGraphicsItem.CacheMode.DeviceCoordinateCache or not item.isVisible():
            continue
        rect: QRect = item.deviceTransform(transform).mapRect(item.boundingRect()).toAlignedRect()
        seen = rect.intersected(port)
        total += max(0, seen.width()) * max(0, seen.height()) * _BYTES_PER_PIXEL
    return total


_base_kb: int | None = None  # the limit before the map first raised it


def ensure_room(need_bytes: int) -> int:
    """Raise ``QPixmapCache``'s limit to Qt's own plus ``need_bytes`` with headroom (never lower
    it, never past ``MAX_BYTES``); returns the limit in KB."""
    global _base_kb
    limit_kb = QPixmapCache.cacheLimit()
    if _base_kb is None:
        _base_kb = limit_kb
    want_kb = int(min(MAX_BYTES, _base_kb * 1024 + need_bytes * HEADROOM) // 1024)
    if want_kb > limit_kb:
        QPixmapCache.setCacheLimit(want_kb)
        return want_kb
    return limit_kb
