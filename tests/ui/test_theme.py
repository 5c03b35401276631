"""The themes: text colours read on both themes' backgrounds (WCAG AA), and the light
theme's healthy map edges do not fade into the background."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPointF  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.map.items import CallEdgeItem  # noqa: E402


def test_contrast_ratio_matches_wcag_reference_values():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert theme.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near-miss


@pytest.mark.parametrize("th", list(theme.THEMES.values()), ids=list(theme.THEMES))
@pytest.mark.parametrize("role", theme.TEXT_ROLES)
def test_text_colours_read_on_background_and_surface(th, role):
    fg = getattr(th, role)
    for ground in (th.background, th.surface):
        assert theme.contrast_ratio(fg, ground) >= 4.5, (th.name, role, fg, ground)


def test_light_panel_borders_are_visible():
    t = theme.LIGHT
    assert theme.contrast_ratio(t.border, t.surface) >= 1.7
    assert theme.contrast_ratio(t.border, t.background) >= 1.5


def _over(color: QColor, ground: str) -> QColor:
    """``color`` (with alpha) composited over an opaque ``ground``."""
    g, a = QColor(ground), color.alphaF()
    return QColor.fromRgbF(*(a * c + (1 - a) * b for c, b in zip(color.getRgbF()[:3], g.getRgbF()[:3])))


@pytest.mark.parametrize("th", list(theme.THEMES.values()), ids=list(theme.THEMES))
def test_healthy_edges_stay_visible_on_the_map(qapp, th):
    previous = theme.current()
    theme.apply(th, 12)
    edge = CallEdgeItem("a", "b", [QPointF(0, 0), QPointF(100, 0)])
    try:
        edge.set_state("ok", 2.0)
        seen = _over(edge.color, th.background)
        assert theme.contrast_ratio(seen, th.background) >= 2.4, th.name
        # ...yet fainter than a failing edge, which must stand out of the healthy ones.
        edge.set_state("crit", 2.0)
        assert theme.contrast_ratio(_over(edge.color, th.background), th.background) > theme.contrast_ratio(
            seen, th.background)
    finally:
        theme.apply(previous, 12)
