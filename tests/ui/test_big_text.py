"""Big text is painted at every size a wall uses.

Under Qt 6.11, raising ``QT_MAX_CACHED_GLYPH_SIZE`` above 64 made every glyph between
65 and 192 px vanish (nothing painted, no error): the KPI numbers disappeared at 4K.
This paints digits at sizes from 12 to 400 px, after importing the console's Qt package,
and counts the lit pixels.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402

import warroom.ui  # noqa: E402,F401  (whatever it sets at import must not break text)
from warroom.ui import theme  # noqa: E402


def _lit_pixels(pixels: int, bold: bool) -> int:
    font = theme.ui_font(11.0, bold)
    font.setPixelSize(pixels)
    image = QImage(pixels * 4, pixels * 2, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("black"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QPointF(4, pixels * 1.4), "29")
    painter.end()
    step = max(1, pixels // 20)
    return sum(1 for x in range(0, image.width(), step) for y in range(0, image.height(), step)
               if image.pixelColor(x, y).red() > 128)


@pytest.mark.parametrize("pixels", [12, 40, 64, 65, 80, 100, 130, 160, 192, 193, 250, 400])
@pytest.mark.parametrize("bold", [True, False])
def test_digits_are_painted_at_every_size(qapp, pixels, bold):
    # Two digits lit at least a few dozen sampled pixels whatever the size (sampling
    # scales with the size); zero means the glyphs were dropped.
    assert _lit_pixels(pixels, bold) > 30
