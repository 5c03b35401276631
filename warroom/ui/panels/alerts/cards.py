"""Two-line "cards" for the alert, incident and timeline lists, painted by one delegate.

Line one: a chip (severity ``P1`` or a kind word), the title, and a short text on the right
(an age, a time). Line two, when there is anything to say: badges (``ROOT CAUSE``,
``+17 symptoms``, ``acked by alice``, ``after change: Deployed …``). The delegate draws the
text itself: the style sheet's item painting costs far more per cell, and a storm of alerts
is exactly when the console must stay smooth. Colour is never the only signal: the chip
prints the severity, and badges are words.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from warroom.core.model import Severity
from warroom.ui import theme

#: The model role that holds a row's ``Card``.
CARD_ROLE = Qt.ItemDataRole.UserRole + 10
#: Optional: how many lines a row's card has, without building it (sizes are asked for every
#: row, cards only for the rows painted).
LINES_ROLE = Qt.ItemDataRole.UserRole + 9

#: Severity colours (P0 red, P1 orange, P2 amber, P3 blue-grey) per theme; the theme's own
#: palette has only warn/crit, and four severities must be told apart at a glance.
SEVERITY_COLORS = {
    "dark": {"P0": "#ff4d4f", "P1": "#ff8c1a", "P2": "#f5c542", "P3": "#8fa3b8", "info": "#8a96a3"},
    "light": {"P0": "#c62828", "P1": "#e65100", "P2": "#a67c00", "P3": "#5f7a8a", "info": "#5b6773"},
}
_RANK = {Severity.P0: 0, Severity.P1: 1, Severity.P2: 2, Severity.P3: 3, Severity.INFO: 4}


def severity_rank(severity: Severity) -> int:
    """0 for P0 (the most severe) up to 4 for info."""
    return _RANK.get(severity, 4)


def severity_color(severity: Severity | str) -> str:
    """The chip colour of a severity in the current theme (``#rrggbb``)."""
    value = severity.value if isinstance(severity, Severity) else str(severity)
    colors = SEVERITY_COLORS.get(theme.current().name, SEVERITY_COLORS["dark"])
    return colors.get(value, colors["info"])


def format_age(ms: int | float | None) -> str:
    """``45s``, ``3m 20s``, ``2h 05m``, ``3d 4h``; ``—`` for unknown; never negative."""
    if ms is None:
        return "—"
    s = max(0, int(ms // 1000))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m {s:02d}s"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h}h {m:02d}m"
    d, h = divmod(h, 24)
    return f"{d}d {h}h"


@dataclass(frozen=True)
class Badge:
    """A word on a card's second line; ``boxed`` draws a frame around it (the root-cause mark)."""

    text: str
    color: str = ""  # "" = the theme's dim text
    boxed: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Card:
    """What one row shows (colours as ``#rrggbb``; "" means the theme's default)."""

    chip: str
    chip_color: str
    title: str
    chip_filled: bool = True  # an outlined chip: not yet firing (pending)
    bold: bool = False
    dim: bool = False
    right: str = ""
    right_color: str = ""
    #: The right-hand text bold on a pill of ``right_color`` (a countdown seen across the room).
    right_filled: bool = False
    badges: tuple[Badge, ...] = ()
    title_color: str = ""
    details: tuple[Badge, ...] = ()  # a third line, for what does not fit the second


def _text_on(color: QColor) -> QColor:
    """Black or white, whichever reads better on ``color``."""
    luminance = 0.299 * color.redF() + 0.587 * color.greenF() + 0.114 * color.blueF()
    return QColor("#0b0f14") if luminance > 0.55 else QColor("#ffffff")


def paint_row_ground(painter: QPainter, rect: QRectF, selected: bool, bar: bool) -> None:
    """A card row's ground: the accent wash when ``selected``, an accent bar on the left when
    ``bar`` (seen from across the room), and the separator line under it."""
    t = theme.current()
    if selected:
        sel = t.color("accent")
        sel.setAlpha(80)
        painter.fillRect(rect, sel)
    if bar:
        painter.fillRect(QRectF(rect.left(), rect.top(), theme.px(4), rect.height()), t.color("accent"))
    painter.setPen(QPen(t.color("border"), 1))
    painter.drawLine(rect.bottomLeft(), rect.bottomRight())


class CardDelegate(QStyledItemDelegate):
    """Paints the ``Card`` in ``CARD_ROLE`` of each row (see the module docstring).

    ``chip_sample`` is the widest chip text expected, so the titles of all rows line up.
    """

    def __init__(self, parent: QWidget, *, title_pt: float = 16.0, badge_pt: float = 13.0,
                 chip_sample: str = "P0") -> None:
        super().__init__(parent)
        self._sizes = (title_pt, badge_pt, chip_sample)
        self.wall_scale_changed()

    def wall_scale_changed(self) -> None:
        """Fonts and padding for the wall scale in force (``warroom.ui.wall.wall_scale`` calls it)."""
        title_pt, badge_pt, chip_sample = self._sizes
        self.title_font = theme.ui_font(title_pt)
        self.bold_font = theme.ui_font(title_pt, bold=True)
        self.badge_font = theme.ui_font(badge_pt)
        self.badge_bold = theme.ui_font(badge_pt, bold=True)
        self.chip_font = theme.ui_font(badge_pt, bold=True)
        self._tm = QFontMetricsF(self.title_font)
        self._bm = QFontMetricsF(self.badge_font)
        self._bbm = QFontMetricsF(self.badge_bold)
        self._cm = QFontMetricsF(self.chip_font)
        self.chip_width = self._cm.horizontalAdvance(chip_sample) + theme.px(14)
        self.pad = 6.0 * theme.wall_scale()

    # -- geometry -------------------------------------------------------------------------
    def line_heights(self) -> tuple[float, float]:
        """Heights of the title line and of the badge line."""
        return self._tm.height() * 1.15, self._bm.height() * 1.2

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        lines = index.data(LINES_ROLE)
        if lines is None:
            card = index.data(CARD_ROLE)
            lines = 1 + ((bool(card.badges) + bool(card.details)) if isinstance(card, Card) else 0)
        first, second = self.line_heights()
        height = first + second * (lines - 1) + 2 * self.pad
        return QSize(200, int(height + 0.5))

    # -- painting -------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card = index.data(CARD_ROLE)
        if not isinstance(card, Card):
            return super().paint(painter, option, index)
        t = theme.current()
        rect = QRectF(option.rect)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        paint_row_ground(painter, rect, selected, bar=selected)
        first, second = self.line_heights()
        top = rect.top() + self.pad
        left = rect.left() + self.pad + 2
        right = rect.right() - self.pad

        # The chip.
        chip_color = QColor(card.chip_color)
        chip = QRectF(left, top + (first - self._cm.height() * 1.25) / 2, self.chip_width, self._cm.height() * 1.25)
        if card.chip_filled:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(chip_color)
            painter.drawRoundedRect(chip, 4, 4)
            painter.setPen(_text_on(chip_color))
        else:
            painter.setPen(QPen(chip_color, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(chip.adjusted(1, 1, -1, -1), 4, 4)
        painter.setFont(self.chip_font)
        painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), card.chip)

        # The right-hand text, then the title in what is left.
        x = chip.right() + 10
        if card.right and card.right_filled:
            pill_color = QColor(card.right_color) if card.right_color else t.color("crit")
            width = QFontMetricsF(self.bold_font).horizontalAdvance(card.right) + theme.px(16)
            pill = QRectF(right - width, top + 1, width, first - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pill_color)
            painter.drawRoundedRect(pill, 5, 5)
            painter.setFont(self.bold_font)
            painter.setPen(_text_on(pill_color))
            painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), card.right)
            title_right = right - width - 12
        elif card.right:
            painter.setFont(self.title_font)
            painter.setPen(QColor(card.right_color) if card.right_color else t.color("text_dim"))
            width = self._tm.horizontalAdvance(card.right)
            painter.drawText(QRectF(right - width, top, width, first),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), card.right)
            title_right = right - width - 12
        else:
            title_right = right
        font = self.bold_font if card.bold else self.title_font
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        if card.title_color:
            painter.setPen(QColor(card.title_color))
        else:
            painter.setPen(t.color("text_dim" if card.dim else "text"))
        title = metrics.elidedText(card.title, Qt.TextElideMode.ElideRight, max(0.0, title_right - x))
        painter.drawText(QRectF(x, top, max(0.0, title_right - x), first),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)

        # The badges.
        if card.badges:
            self._paint_badges(painter, card.badges, x, top + first, right, second, t)
        if card.details:
            self._paint_badges(painter, card.details, x, top + first + second * bool(card.badges), right, second, t)
        painter.restore()

    def _paint_badges(self, painter: QPainter, badges: tuple[Badge, ...], x: float, top: float, right: float,
                      height: float, t: theme.Theme) -> None:
        dim = t.color("text_dim")
        sep = "  ·  "
        for i, badge in enumerate(badges):
            if x >= right - 8:
                break
            metrics = self._bbm if badge.bold or badge.boxed else self._bm
            painter.setFont(self.badge_bold if badge.bold or badge.boxed else self.badge_font)
            color = QColor(badge.color) if badge.color else dim
            if i and not badge.boxed and not badges[i - 1].boxed:
                painter.setPen(dim)
                painter.setFont(self.badge_font)
                painter.drawText(QPointF(x, top + (height + self._bm.ascent() - self._bm.descent()) / 2), sep)
                x += self._bm.horizontalAdvance(sep)
                painter.setFont(self.badge_bold if badge.bold else self.badge_font)
            elif i:
                x += 8
            text = metrics.elidedText(badge.text, Qt.TextElideMode.ElideRight, max(0.0, right - x - (12 if badge.boxed else 0)))
            width = metrics.horizontalAdvance(text)
            if badge.boxed:
                box = QRectF(x, top + 2, width + 12, height - 4)
                painter.setPen(QPen(color, 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(box, 3, 3)
                painter.setPen(color)
                painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
                x = box.right()
            else:
                painter.setPen(color)
                painter.drawText(QPointF(x, top + (height + metrics.ascent() - metrics.descent()) / 2), text)
                x += width

