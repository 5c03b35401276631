"""The stale look: a banner across the window and the colours every stale number takes.

"DATA STALE since 10:42:05 — feed disconnected: connection lost …" in a bar across the
top of the window, on blue-grey stripes. Stale is not an alarm: red means critical and
amber a warning, so the stale colour is a quiet blue-grey, and its stripes (the window's
frame takes them too) say "not current" even on a projector that washes colours out.

``warroom.app.staleness`` decides when the data is stale; this module only shows it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from warroom.app.staleness import Staleness
from warroom.ui import theme
from warroom.ui.panels.health.feed_text import status_text

#: The wall's times are the platform's (see the events panel): China time by default.
UTC_OFFSET_MINUTES = 8 * 60
#: The client appends its retry countdown to a disconnect's reason; on a banner read from
#: five metres a number that changes every second is noise, so it is left out.
_RETRY = re.compile(r";\s*retrying in [0-9.]+\s*s\s*$")


def stale_colors(t: theme.Theme | None = None) -> tuple[QColor, QColor, QColor]:
    """(fill, stripe, text) of the stale look in theme ``t``: blue-grey, never a status colour."""
    t = t or theme.current()
    if t.name == "light":
        return QColor("#9fb0c0"), QColor("#8597a9"), QColor("#0d1620")
    return QColor("#3e5064"), QColor("#33424f"), QColor("#eef3f8")


def stale_ink(t: theme.Theme | None = None) -> QColor:
    """The colour of a stale number: the dim text colour, dimmer still, in any theme."""
    t = t or theme.current()
    a, b = t.color("text_dim"), t.color("surface")
    return QColor(*(round(x + (y - x) * 0.4) for x, y in ((a.red(), b.red()), (a.green(), b.green()),
                                                          (a.blue(), b.blue()))))


def stripe_brush(t: theme.Theme | None = None) -> QBrush:
    """Diagonal stripes in the stale colour, for the window frame and the banner."""
    _, stripe, _ = stale_colors(t)
    return QBrush(stripe, Qt.BrushStyle.BDiagPattern)


def age_text(age_ms: int | None) -> str:
    """``42 s old``, ``3 min old``, ``2 h old`` (empty when unknown)."""
    if age_ms is None:
        return ""
    seconds = max(0, int(age_ms // 1000))
    if seconds < 120:
        return QCoreApplication.translate("Stale", "%1 s old").replace("%1", str(seconds))
    if seconds < 2 * 3600:
        return QCoreApplication.translate("Stale", "%1 min old").replace("%1", str(seconds // 60))
    return QCoreApplication.translate("Stale", "%1 h old").replace("%1", str(seconds // 3600))


def clock_text(ms: int, utc_offset_minutes: int = UTC_OFFSET_MINUTES) -> str:
    """``HH:MM:SS`` of a feed time in the wall's time zone."""
    return datetime.fromtimestamp(ms / 1000.0, timezone(timedelta(minutes=utc_offset_minutes))).strftime("%H:%M:%S")


def why_text(st: Staleness) -> str:
    """Why the data is stale, in words: the connection's state and the feed client's reason
    (in the UI language, as the feed-health panel shows it)."""
    reason = _RETRY.sub("", st.reason or "").strip()
    try:
        reason = status_text(reason) if reason else ""
    except Exception:  # noqa: BLE001 - the client's own words are better than no banner
        pass
    if st.state == "disconnected":
        what = QCoreApplication.translate("Stale", "feed disconnected")
    elif st.state == "stale":
        what = QCoreApplication.translate("Stale", "feed silent")
    elif st.state == "connecting":
        what = QCoreApplication.translate("Stale", "reconnecting to the feed")
    else:  # connected, yet no new data (heartbeats only, or a feed whose sources stopped)
        what, reason = QCoreApplication.translate("Stale", "the feed sends no new data"), ""
    return f"{what}: {reason}" if reason else what


def banner_text(st: Staleness, utc_offset_minutes: int = UTC_OFFSET_MINUTES) -> str:
    """``DATA STALE since 10:42:05 — feed disconnected: connection lost …``."""
    head = QCoreApplication.translate("Stale", "DATA STALE")
    if st.since_ms is not None:
        head = QCoreApplication.translate("Stale", "DATA STALE since %1").replace(
            "%1", clock_text(st.since_ms, utc_offset_minutes))
    return f"{head} — {why_text(st)}"


class StaleBanner(QWidget):
    """A bar across the window that says the data is stale, and why; hidden while live."""

    #: Height at 1080p (scaled for the wall): about 4 % of the screen, read from the back.
    HEIGHT_PX = 46

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stale_banner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._text = ""
        self._age = ""
        self.hide()

    @property
    def text(self) -> str:
        """The banner's message (empty while live)."""
        return self._text

    @property
    def age(self) -> str:
        """The age printed at the banner's right end (``42 s old``)."""
        return self._age

    def set_staleness(self, st: Staleness | None) -> None:
        """Show the banner for a stale verdict; hide it otherwise."""
        if st is None or not st.stale:
            self._text = self._age = ""
            if not self.isHidden():
                self.hide()
            return
        text, age = banner_text(st), age_text(st.age_ms)
        if (text, age) != (self._text, self._age):
            self._text, self._age = text, age
            self.setToolTip(f"{text} ({age})" if age else text)
            self.setAccessibleName(self.toolTip())
            self.update()
        if self.isHidden():
            self.show()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(theme.px(400), theme.px(self.HEIGHT_PX))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(0, theme.px(self.HEIGHT_PX))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        t = theme.current()
        fill, _, ink = stale_colors(t)
        p = QPainter(self)
        p.fillRect(self.rect(), fill)
        p.fillRect(self.rect(), stripe_brush(t))
        h = float(self.height())
        pad = h * 0.35
        font = theme.ui_font(11.0, True)
        font.setPixelSize(max(8, int(h * 0.52)))
        p.setFont(font)
        p.setPen(ink)
        metrics = QFontMetricsF(font)
        age_w = metrics.horizontalAdvance(self._age) if self._age else 0.0
        box = QRectF(pad, 0.0, self.width() - 2 * pad, h)
        if self._age:
            p.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self._age)
            box.setRight(box.right() - age_w - pad)
        text = metrics.elidedText(self._text, Qt.TextElideMode.ElideRight, box.width())
        p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        p.end()
