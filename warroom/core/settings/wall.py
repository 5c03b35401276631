"""The wall scale's arithmetic, without Qt: how much bigger than at 1080p a window draws.

The console's panels are designed at 1920x1080 (96 dpi). ``scale_for`` turns a window's
size into the factor every 1080p length and point size is multiplied by; ``parse_scale``
reads a ``--scale`` value. ``warroom.ui.wall.wall_scale`` applies the factor to windows.
"""

from __future__ import annotations

BASE_SIZE = (1920, 1080)
MIN_SCALE = 0.6  # below this, 1080p type is too small to read on any screen
MAX_SCALE = 6.0


def scale_for(width: int, height: int) -> float:
    """The wall scale for a window of ``width`` x ``height`` logical pixels: 1.0 at 1920x1080.

    The smaller ratio wins: what is designed to fit 1080 rows must fit the height, and a
    wide wall (7680x2160, two 4K screens) is a 4K-high picture with more room beside.
    Rounded to 1/20 so a window resized by a few pixels keeps its scale.
    """
    if width <= 0 or height <= 0:
        return 1.0
    raw = min(width / BASE_SIZE[0], height / BASE_SIZE[1])
    return round(min(MAX_SCALE, max(MIN_SCALE, raw)) * 20) / 20


def parse_scale(text: str) -> float:
    """A ``--scale`` value: a number from ``MIN_SCALE / 2`` to ``MAX_SCALE`` (``ValueError`` otherwise)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number such as 1.5, got {text!r}") from None
    if not MIN_SCALE / 2 <= value <= MAX_SCALE:
        raise ValueError(f"expected a number from {MIN_SCALE / 2:g} to {MAX_SCALE:g}, got {text!r}")
    return value
