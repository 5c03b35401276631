"""The plan list's compact rows: one line per plan, so a bottom dock at 1080p shows ten or more.

``[FAILOVER] Fail over ICBC gateway ····· [SUGGESTED] [RISK: HIGH]  EFFECTIVE``

The kind chip is drawn only when the row is wide enough (the title says the kind too). The
title keeps at least ``TITLE_SHARE`` of the row: a mark that would squeeze it more shrinks to
its short form (``★`` for SUGGESTED) or is left out (it is in the tooltip and the detail). Boxed badges of the
row's ``Card`` are the marks; its plain badges (the target, who ran it) are in the tooltip
and in the detail. The risk mark is outlined in the text colour and not bold: it must not
look like an alert severity (filled, coloured) or the wall's red CRITICAL.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontInfo, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from warroom.ui import theme
from warroom.ui.panels.alerts.cards import CARD_ROLE, Badge, Card, paint_row_ground

#: From this row width (px at 1080p) the kind chip is drawn before the title.
CHIP_MIN_ROW_PX = 520
#: The share of a row's width the title keeps, whatever marks the row has.
TITLE_SHARE = 0.36


@dataclass(frozen=True)
class Mark(Badge):
    """A boxed badge with a short form for a narrow row (``short``; "" = leave it out)."""

    short: str = ""


class PlanRowDelegate(QStyledItemDelegate):
    """Paints a ``Card`` on one line (see the module docstring); ``chip_samples`` are the chip
    texts expected, so that every title starts at the same place."""

    def __init__(self, parent: QWidget, *, title_pt: float = 13.5, mark_pt: float = 11.0,
                 chip_samples: tuple[str, ...] = ("RATE LIMIT",)) -> None:
        super().__init__(parent)
        self._pts = (title_pt, mark_pt)
        self._chip_samples = tuple(chip_samples)
        self.wall_scale_changed()

    def wall_scale_changed(self) -> None:
        """(Re)make the fonts and lengths at the wall scale in force (``warroom.ui.wall.wall_scale``)."""
        title_pt, mark_pt = self._pts
        self.title_font = theme.ui_font(title_pt)
        self.bold_font = theme.ui_font(title_pt, bold=True)
        self.mark_font = theme.ui_font(mark_pt)
        self.mark_bold = theme.ui_font(mark_pt, bold=True)
        self._tm = QFontMetricsF(self.title_font)
        self._tbm = QFontMetricsF(self.bold_font)
        self._mm = QFontMetricsF(self.mark_font)
        self._mbm = QFontMetricsF(self.mark_bold)
        self.pad = float(theme.px(3))
        self.gap = float(theme.px(8))
        self.chip_width = max((self._mbm.horizontalAdvance(c) for c in self._chip_samples), default=0.0) + theme.px(12)

    def row_height(self) -> int:
        """The height of every row: one line of the title font and a little air. The CJK font's
        line height is about 1.45 em of which its glyphs use one: 1.3 em holds Latin and
        Chinese alike, and three more rows fit in a bottom dock."""
        em = QFontInfo(self.title_font).pixelSize()
        return int(min(self._tm.height(), 1.3 * em) + 2 * self.pad + 0.5)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        return QSize(theme.px(200), self.row_height())

    def shows_chip(self, width: float) -> bool:
        """Whether a row this wide has room for the kind chip."""
        return width >= theme.px(CHIP_MIN_ROW_PX)

    def mark_width(self, badge: Badge, text: str | None = None) -> float:
        """The width of a boxed mark (showing ``text``, by default its own)."""
        metrics = self._mbm if badge.bold else self._mm
        return metrics.horizontalAdvance(badge.text if text is None else text) + theme.px(12)

    def layout(self, card: Card, rect: QRectF) -> dict[str, QRectF | list[tuple[Badge, QRectF]]]:
        """Where each part of the row goes (for painting and for tests): ``chip`` (may be
        empty), ``title``, ``marks`` (badge, box, text shown) and ``right``."""
        top, height = rect.top() + self.pad, rect.height() - 2 * self.pad
        left, right = rect.left() + self.pad + theme.px(4), rect.right() - self.pad
        out: dict = {"chip": QRectF()}
        if card.right:
            width = self._tbm.horizontalAdvance(card.right)
            out["right"] = QRectF(right - width, top, width, height)
            right -= width + self.gap
        else:
            out["right"] = QRectF()
        marks = []
        mark_h = self._mbm.height() * 1.2
        title_min = max(float(theme.px(80)), rect.width() * TITLE_SHARE)
        for badge in reversed([b for b in card.badges if b.boxed]):
            for text in (badge.text, getattr(badge, "short", "")):
                width = self.mark_width(badge, text)
                if text and right - width >= left + title_min:
                    break
            else:
                continue  # no room even for the short form: the tooltip and the detail say it
            marks.append((badge, QRectF(right - width, top + (height - mark_h) / 2, width, mark_h), text))
            right -= width + self.gap / 2
        out["marks"] = list(reversed(marks))
        if self.shows_chip(rect.width()):
            chip_h = self._mbm.height() * 1.2
            out["chip"] = QRectF(left, top + (height - chip_h) / 2, self.chip_width, chip_h)
            left += self.chip_width + self.gap
        out["title"] = QRectF(left, top, max(0.0, right - self.gap / 2 - left), height)
        return out

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
        paint_row_ground(painter, rect, selected, bar=selected or card.bold)  # suggested or in force: a bar too
        parts = self.layout(card, rect)
        chip = parts["chip"]
        if not chip.isEmpty():
            painter.setPen(QPen(QColor(card.chip_color) if card.chip_color else t.color("text_dim"), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(chip.adjusted(1, 1, -1, -1), 3, 3)
            painter.setFont(self.mark_bold)
            painter.drawText(chip, int(Qt.AlignmentFlag.AlignCenter), card.chip)
        font, metrics = (self.bold_font, self._tbm) if card.bold else (self.title_font, self._tm)
        painter.setFont(font)
        painter.setPen(QColor(card.title_color) if card.title_color else t.color("text"))
        box = parts["title"]
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         metrics.elidedText(card.title, Qt.TextElideMode.ElideRight, box.width()))
        for badge, box, text in parts["marks"]:
            color = QColor(badge.color) if badge.color else t.color("text_dim")
            frame = QColor(color)
            if not badge.bold:  # a column of risk marks stays quiet: the words matter, not the boxes
                frame.setAlphaF(0.55)
            painter.setPen(QPen(frame, 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(box.adjusted(1, 1, -1, -1), 3, 3)
            painter.setPen(color)
            painter.setFont(self.mark_bold if badge.bold else self.mark_font)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), text)
        if card.right:
            painter.setFont(self.bold_font)
            painter.setPen(QColor(card.right_color) if card.right_color else t.color("text_dim"))
            painter.drawText(parts["right"], int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             card.right)
        painter.restore()
