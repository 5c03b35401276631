"""Colours, fonts and style sheets for the wall (dark) and the desk (light).

A wall screen is read from five metres: large type, high contrast, and colour that
means one thing only (green healthy, amber warning, red critical). Colour is never the
only signal: panels also print the value and, where it matters, a word.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QGuiApplication


@dataclass(frozen=True)
class Theme:
    """One colour scheme."""

    name: str
    background: str
    surface: str  # panels, tiles
    border: str
    text: str
    text_dim: str
    ok: str
    warn: str
    crit: str
    accent: str  # selection, highlighted path
    unknown: str  # no data

    def color(self, role: str) -> QColor:
        """A role's colour as a QColor."""
        return QColor(getattr(self, role))

    def status_color(self, level: str) -> QColor:
        """Colour of a health level: ``ok``, ``warn``, ``crit`` or ``unknown``."""
        return QColor(getattr(self, level if level in ("ok", "warn", "crit") else "unknown"))


DARK = Theme(
    name="dark",
    background="#0b0f14",
    surface="#151b23",
    border="#2a3441",
    text="#e8edf2",
    text_dim="#8a96a3",
    ok="#2ecc71",
    warn="#f5a623",
    crit="#ff4d4f",
    accent="#4aa3ff",
    unknown="#5c6773",
)

# On white, the status colours must be darker than on black to read as text (WCAG AA,
# 4.5:1, is checked in tests/ui/test_theme.py): a wall's light theme is seen washed out.
LIGHT = Theme(
    name="light",
    background="#f4f6f8",
    surface="#ffffff",
    border="#b3bcc6",
    text="#111820",
    text_dim="#5b6773",
    ok="#0e7a3b",
    warn="#995c00",
    crit="#c62828",
    accent="#1565c0",
    unknown="#66727f",
)

THEMES = {t.name: t for t in (DARK, LIGHT)}

#: Colour roles drawn as text on the background or the surface.
TEXT_ROLES = ("text", "text_dim", "ok", "warn", "crit", "accent")


def contrast_ratio(a: str | QColor, b: str | QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1.0 (same) to 21.0 (black on white)."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b_, _ = c.getRgbF()
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b_)

    hi, lo = sorted((luminance(QColor(a)), luminance(QColor(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)

#: Font families tried in order; the Noto CJK fonts render Chinese (Debian: fonts-noto-cjk).
FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Noto Sans", "DejaVu Sans"]

_current = DARK
_base_point_size = 11.0  # the layout's font_pt: the application font at 1080p
# The wall scale (see warroom/ui/wall/wall_scale.py): every size the panels give at 1080p is
# multiplied by it, so a wall at 4K shows the same picture, twice as big. Points are also
# corrected for a logical DPI other than 96, so that a point takes the same share of the
# screen whatever the display server thinks an inch is.
_scale = 1.0
_dpi = 96.0


def current() -> Theme:
    """The theme in force."""
    return _current


def wall_scale() -> float:
    """How much bigger than at 1920x1080 (96 dpi) the wall draws: 1.0 there, 2.0 at 3840x2160."""
    return _scale


def point_scale() -> float:
    """What a point size given for 1080p at 96 dpi is multiplied by (wall scale and DPI)."""
    return _scale * 96.0 / _dpi


def px(n: float) -> int:
    """``n`` pixels at 1080p, scaled for the wall; never rounds a non-zero length to nothing."""
    if n == 0:
        return 0
    scaled = round(n * _scale)
    return scaled if scaled != 0 else (1 if n > 0 else -1)


def set_wall_scale(scale: float, dpi: float = 96.0) -> None:
    """Make ``scale`` the wall scale (``warroom.ui.wall.wall_scale`` applies it to open windows)."""
    global _scale, _dpi
    _scale = float(scale)
    _dpi = float(dpi) if dpi and dpi > 0 else 96.0


def ui_font(point_size: float = 11.0, bold: bool = False) -> QFont:
    """The UI font at a size given in points at 1080p (scaled for the wall), with CJK-capable fallbacks."""
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(max(1.0, point_size * point_scale()))
    font.setBold(bold)
    return font


def style_sheet(theme: Theme) -> str:
    """The application style sheet for a theme, its lengths scaled for the wall."""
    t = theme
    return f"""
    QWidget {{ background: {t.background}; color: {t.text}; }}
    QMainWindow::separator {{ background: {t.border}; width: {px(2)}px; height: {px(2)}px; }}
    QDockWidget {{ color: {t.text_dim}; font-weight: bold; }}
    QDockWidget::title {{ background: {t.surface}; padding: {px(4)}px {px(8)}px; border-bottom: {px(1)}px solid {t.border}; }}
    QFrame#tile, QFrame#card {{ background: {t.surface}; border: {px(1)}px solid {t.border}; border-radius: {px(6)}px; }}
    QLabel#dim {{ color: {t.text_dim}; }}
    QTableView, QListView, QTreeView {{ background: {t.surface}; alternate-background-color: {t.background};
        gridline-color: {t.border}; selection-background-color: {t.accent}; border: none; }}
    QHeaderView::section {{ background: {t.surface}; color: {t.text_dim}; border: none;
        border-bottom: {px(1)}px solid {t.border}; padding: {px(4)}px; }}
    QComboBox, QPushButton {{ background: {t.surface}; border: {px(1)}px solid {t.border}; padding: {px(4)}px {px(10)}px;
        border-radius: {px(4)}px; }}
    QPushButton:disabled {{ color: {t.unknown}; border-style: dashed; }}
    QToolTip {{ background: {t.surface}; color: {t.text}; border: 1px solid {t.border}; }}
    """


def base_point_size() -> float:
    """The application font's size at 1080p, points (the layout's ``font_pt``)."""
    return _base_point_size


def apply(theme: Theme, base_point_size: float = 11.0) -> None:
    """Make ``theme`` the application's theme (call after QApplication exists); the font
    ``base_point_size`` (at 1080p) is scaled by the wall scale in force."""
    global _current, _base_point_size
    _current = theme
    _base_point_size = base_point_size
    app = QGuiApplication.instance()
    app.setFont(ui_font(base_point_size))  # type: ignore[union-attr]
    app.setStyleSheet(style_sheet(theme))  # type: ignore[union-attr]
