"""What the wall check looks for in a window (tests/ui/wall/test_wall_check.py): unpainted KPI
numbers, text that is elided or clipped, text too small for the window, and widgets that
ask for more room than the screen has. Each function returns what it found wrong, as
readable lines, so a failing test says where to look.

A wall is read from five metres: nothing on it may be elided. A desk is dense and has a
mouse: a label or table cell may elide its text when the whole text is its tooltip. Text
that is cut (a line half shown, a word running off the edge with no "…") is wrong on both.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QWidget

from warroom.ui.panels.kpi.tile import DASH, KpiTileWidget
from warroom.ui.panels.live_label import LiveLabel

#: Share of a value rectangle's pixels that must differ from the tile's fill: a number is
#: hundreds of pixels of ink, a unit alone (the bug of issue 13) a small corner.
MIN_INK = 0.04


def _shown(w: QWidget, root: QWidget) -> bool:
    return w.isVisibleTo(root) and not w.visibleRegion().isEmpty()


def _name(w: QWidget) -> str:
    names = []
    while w is not None and len(names) < 3:
        names.append(w.objectName() or type(w).__name__)
        w = w.parentWidget()
    return "/".join(reversed(names))


def unpainted_tiles(root: QWidget) -> list[str]:
    """KPI tiles whose value rectangle is (nearly) all tile background."""
    bad = []
    for tile in root.findChildren(KpiTileWidget):
        if not _shown(tile, root):
            continue
        rect = tile.value_rect.toAlignedRect().intersected(tile.rect())
        image = tile.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        fill = image.pixelColor(rect.center().x(), int(rect.top()) + 1)  # above the digits' cap height
        ink = total = 0
        for y in range(rect.top(), rect.bottom(), 2):
            for x in range(rect.left(), rect.right(), 2):
                total += 1
                c = image.pixelColor(x, y)
                if abs(c.red() - fill.red()) + abs(c.green() - fill.green()) + abs(c.blue() - fill.blue()) > 60:
                    ink += 1
        dash = tile.value_text == DASH  # "no value" is a short bar: a few hundred pixels at most
        # A lone "1" in a wide tile is a thin stroke: fewer characters, less ink to expect.
        least = MIN_INK * min(1.0, len(tile.value_text.strip()) / 3)
        if not total or (ink < 4 if dash else ink / total < least):
            bad.append(f"{tile.caption}: value {tile.value_text!r} not painted ({ink}/{total} pixels of ink)")
    return bad


def _plain(label: QLabel) -> str:
    shown = getattr(label, "shown_text", None)  # a label that elides itself says what it paints
    text = shown() if callable(shown) else label.text()
    if label.textFormat() == Qt.TextFormat.RichText or (label.textFormat() == Qt.TextFormat.AutoText
                                                        and GuiQt.mightBeRichText(text)):
        doc = QTextDocument()
        doc.setHtml(text)
        return doc.toPlainText()
    return text


def _elided_copy(shown: str, w: QWidget) -> bool:
    """``shown`` is a shortened copy of the widget's full text (its ``full_text`` or tooltip)."""
    full = w.property("full_text") or w.toolTip() or ""
    return "…" in shown and bool(full) and full != shown and "…" not in full


def _tooltip_holds(w: QWidget, shown: str) -> bool:
    """The widget's tooltip has the whole of what ``shown`` abbreviates (a desk may elide)."""
    full, tip = w.property("full_text") or "", w.toolTip() or ""
    return bool(tip) and full in tip


def cut_text(root: QWidget, all_rows: bool = True, desk: bool = False) -> list[str]:
    """Labels, buttons and item-view cells whose text is elided or does not fit; with
    ``all_rows``, also lists that promise every row on screen (``fits_all_rows``) and do not.

    ``desk``: text elided with its whole in the tooltip is fine (see the module docstring)."""
    bad = []
    for w in root.findChildren(QWidget):
        if not _shown(w, root):
            continue
        if isinstance(w, QLabel) and w.text() and w.pixmap().isNull():
            text, room = _plain(w), w.contentsRect().adjusted(w.margin(), w.margin(), -w.margin(), -w.margin())
            m = QFontMetricsF(w.font())
            # The height of the text shown (a label may ask for more on behalf of text it elides).
            need = QLabel.heightForWidth(w, w.width()) - (w.height() - room.height())
            if _elided_copy(text, w) and not (desk and _tooltip_holds(w, text)):
                bad.append(f"{_name(w)}: elided {text!r}")
            elif w.wordWrap():
                if need > room.height() + 1:
                    bad.append(f"{_name(w)}: {text!r} needs {need} px of height, has {room.height()}")
            elif max(m.horizontalAdvance(line) for line in text.split("\n")) > room.width() + 1:
                bad.append(f"{_name(w)}: {text!r} wider than its {room.width()} px")
        elif isinstance(w, LiveLabel) and w.text():
            # What its paint does: a fraction of a pixel too wide and the number loses its unit.
            if w.fontMetrics().elidedText(w.text(), Qt.TextElideMode.ElideRight, w.width()) != w.text():
                bad.append(f"{_name(w)}: {w.text()!r} wider than its {w.width()} px")
        elif isinstance(w, QAbstractButton) and w.text():
            need = QFontMetricsF(w.font()).horizontalAdvance(w.text().replace("&", ""))
            if need > w.contentsRect().width():
                bad.append(f"{_name(w)}: button {w.text()!r} wider than its {w.contentsRect().width()} px")
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            bad += [f"{_name(w)}: {cell}" for cell in _cut_cells(w, all_rows, desk)]
    return bad


def _cut_cells(view: QAbstractItemView, all_rows: bool, desk: bool = False) -> list[str]:
    model, delegate, bad = view.model(), view.itemDelegate(), []
    area = view.viewport().rect()
    rows, columns = _count(model.rowCount), _count(model.columnCount)
    last = rows - 1
    if all_rows and view.property("fits_all_rows") and last >= 0 and view.visualRect(model.index(last, 0)).bottom() > area.bottom() + 1:
        bad.append(f"{last + 1 - view.rowAt(area.bottom())} rows below the bottom edge")
    for row in range(rows):
        for col in range(columns):
            index = model.index(row, col)
            rect = view.visualRect(index)
            if rect.isEmpty() or not area.intersects(rect):
                continue
            if not _cell_fits(view, delegate, index, rect) and not (desk and _cell_elided_with_tip(view, index)):
                bad.append(f"cell {row},{col} {index.data()!r} does not fit {rect.width()}x{rect.height()}")
    return bad


def _count(method) -> int:
    """A model's row or column count: models differ in whether the parent is optional, and
    a list model's column count is private to Python."""
    for args in ((), (QModelIndex(),)):
        try:
            return method(*args)
        except TypeError:
            continue
    return 1


def _cell_elided_with_tip(view: QAbstractItemView, index: QModelIndex) -> bool:
    """The view elides the cell's text (rather than cut it) and its tooltip holds it whole."""
    text = index.data(Qt.ItemDataRole.DisplayRole)
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    return (view.textElideMode() != Qt.TextElideMode.ElideNone and isinstance(text, str)
            and isinstance(tip, str) and text.strip() in tip)


def _cell_fits(view: QAbstractItemView, delegate, index: QModelIndex, rect: QRect) -> bool:
    own = view.itemDelegateForColumn(index.column()) or delegate
    if hasattr(own, "cell_fits"):
        return own.cell_fits(index, rect)
    text = index.data(Qt.ItemDataRole.DisplayRole)
    if not isinstance(text, str) or not text:
        return True
    font = index.data(Qt.ItemDataRole.FontRole) or view.font()
    return QFontMetricsF(font).horizontalAdvance(text) <= rect.width() - 4


def smallest_text_px(root: QWidget) -> tuple[float, str]:
    """The smallest font (pixel height) of any visible text widget, and where it is."""
    best = (float("inf"), "")
    for w in root.findChildren(QWidget):
        has_text = isinstance(w, (QLabel, LiveLabel, QAbstractButton)) and bool(w.text()) or isinstance(
            w, QAbstractItemView)
        if has_text and _shown(w, root):
            px = QFontMetricsF(w.font()).height()
            if px < best[0]:
                best = (px, _name(w))
    return best


def too_big(root: QWidget, size: QSize) -> list[str]:
    """The window, or a widget in it, asks for more than ``size`` (a screen's area)."""
    bad = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root) and w is not root:
            continue
        for what, want in (("minimum size", w.minimumSize()), ("minimum size hint", w.minimumSizeHint())):
            if want.width() > size.width() or want.height() > size.height():
                bad.append(f"{_name(w)}: {what} {want.width()}x{want.height()} > {size.width()}x{size.height()}")
    return bad

