"""The DRILL banner: a violet bar across the window while a drill runs, so no one takes it for real.

"DRILL  payment: dependency_outage:bank-icbc · since 10:30:00 · 1 drill incident open · not
counted in production MTTR", white on violet with a bold block at the left end. Violet is no
status colour on the wall (red is critical, amber a warning, green healthy, blue-grey stale),
so a drill never reads as an outage nor as stale data, and the words say it in both languages.
It sits under the STALE banner, never over it: stale data during a drill must still be seen.

It shows while a drill window is open, and after it closed for as long as a drill incident is
still open ("drill over · 1 drill incident still open"): the room is still exercising.
What a drill is: ``warroom.core.incident.drills``; this module only shows it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from warroom.core.incident.drills import DrillStatus, drill_status, is_drill
from warroom.core.language.lang import pick
from warroom.core.model import Event, EventKind
from warroom.ui import theme
from warroom.ui.wall.stale_banner import UTC_OFFSET_MINUTES, clock_text


def drill_colors(t: theme.Theme | None = None) -> tuple[QColor, QColor, QColor]:
    """(fill, block, text) of the drill look: violet, never a status colour, in any theme."""
    t = t or theme.current()
    if t.name == "light":
        return QColor("#7b1fa2"), QColor("#4a0072"), QColor("#ffffff")
    return QColor("#6a1b9a"), QColor("#ab47bc"), QColor("#ffffff")


def drill_word() -> str:
    """The word in the banner's block and before a drill event's title."""
    return QCoreApplication.translate("Drill", "DRILL")


def drill_tag(event: Event) -> str:
    """``DRILL · `` before the title of an event that belongs to a drill ('' otherwise; a
    ``drill`` event says it itself)."""
    if event.kind is EventKind.DRILL or not is_drill(event):
        return ""
    return drill_word() + " · "


def banner_text(status: DrillStatus, utc_offset_minutes: int = UTC_OFFSET_MINUTES) -> str:
    """``payment outage · since 10:30:00 · 1 drill incident open · not counted in production MTTR``."""
    parts = []
    w = status.window
    if w is not None:
        parts.append(pick(w.title, w.titles))  # the drill's name in the wall's language when it gave one
        parts.append(QCoreApplication.translate("Drill", "since %1").replace(
            "%1", clock_text(w.start_ms, utc_offset_minutes)))
    else:
        parts.append(QCoreApplication.translate("Drill", "drill over"))
    n = status.open_incidents
    if n == 1:
        parts.append(QCoreApplication.translate("Drill", "1 drill incident open"))
    elif n > 1:
        parts.append(QCoreApplication.translate("Drill", "%1 drill incidents open").replace("%1", str(n)))
    parts.append(QCoreApplication.translate("Drill", "not counted in production MTTR"))
    return " · ".join(parts)


class DrillBanner(QWidget):
    """A bar across the window while a drill runs; hidden otherwise (see the module docstring)."""

    #: Height at 1080p (scaled for the wall), as the STALE banner's: read from the back of the room.
    HEIGHT_PX = 46

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drill_banner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._text = ""
        self._word = ""
        self._key: tuple | None = None
        self.status: DrillStatus | None = None
        self.hide()

    @property
    def text(self) -> str:
        """The banner's message after the DRILL block (empty while no drill runs)."""
        return self._text

    @property
    def word(self) -> str:
        """The word in the block (``DRILL``, ``演练``)."""
        return self._word

    def observe(self, view) -> None:
        """Read the view's events when they changed (or the cursor moved on a second)."""
        changes = getattr(view, "events_version", None)
        if changes is None:  # a view without the events' own counter: any change
            changes = getattr(view, "version", None)
        key = (id(view), changes, None if view.cursor_ms is None else view.cursor_ms // 1000)
        if key == self._key:
            return
        self._key = key
        try:
            status = drill_status(view.events(), view.cursor_ms)
        except Exception:  # noqa: BLE001 - a bad event must not take the window down
            status = None
        self.set_status(status)

    def set_status(self, status: DrillStatus | None) -> None:
        """Show the banner for a drill status; hide it for ``None``."""
        self.status = status
        if status is None:
            self._text = self._word = ""
            if not self.isHidden():
                self.hide()
            return
        text, word = banner_text(status), drill_word()
        if (text, word) != (self._text, self._word):
            self._text, self._word = text, word
            self.setToolTip(f"{word} — {text}")
            self.setAccessibleName(self.toolTip())
            self.update()
        if self.isHidden():
            self.show()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(theme.px(400), theme.px(self.HEIGHT_PX))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(0, theme.px(self.HEIGHT_PX))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        fill, block, ink = drill_colors()
        p = QPainter(self)
        p.fillRect(self.rect(), fill)
        h = float(self.height())
        pad = h * 0.35
        font = theme.ui_font(11.0, True)
        font.setPixelSize(max(8, int(h * 0.6)))
        metrics = QFontMetricsF(font)
        # The word in a block of its own, wider than it needs: the first thing seen from afar.
        block_w = metrics.horizontalAdvance(self._word) + 2 * pad + h * 0.6
        p.fillRect(QRectF(0.0, 0.0, block_w, h), block)
        p.setFont(font)
        p.setPen(ink)
        p.drawText(QRectF(0.0, 0.0, block_w, h), Qt.AlignmentFlag.AlignCenter, self._word)
        small = theme.ui_font(11.0, True)
        small.setPixelSize(max(8, int(h * 0.48)))
        p.setFont(small)
        box = QRectF(block_w + pad, 0.0, max(0.0, self.width() - block_w - 2 * pad), h)
        text = QFontMetricsF(small).elidedText(self._text, Qt.TextElideMode.ElideRight, box.width())
        p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        p.end()
