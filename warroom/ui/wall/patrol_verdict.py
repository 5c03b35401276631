"""The last robot patrol's verdict, for the wall: PASS / WARN / FAIL, when, and how many items.

Read from the newest ``patrol`` event the view holds (``warroom.core.patrol.last_patrol``):
a console's own scheduled patrols, or the one recalled from its history at start. Hidden
until there is one: a console that never patrols shows nothing rather than "unknown".
Colours keep the wall's rule that red means an open incident: a failed patrol is a filled
amber word, a warning an amber word, a pass green.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from warroom.core.model import Event
from warroom.core.patrol import verdict_of
from warroom.ui import theme
from warroom.ui.elided_label import ElidedLabel


def verdict_word(verdict: str) -> str:
    """The verdict as the wall says it."""
    words = {
        "pass": QCoreApplication.translate("PatrolVerdict", "PASS"),
        "warn": QCoreApplication.translate("PatrolVerdict", "WARN"),
        "fail": QCoreApplication.translate("PatrolVerdict", "FAIL"),
    }
    return words.get(verdict, QCoreApplication.translate("PatrolVerdict", "UNKNOWN"))


def ago_text(ms: int | None) -> str:
    """``just now``, ``12 min ago``, ``3 h 5 min ago``."""
    if ms is None:
        return ""
    minutes = max(0, int(ms // 60_000))
    if minutes < 1:
        return QCoreApplication.translate("PatrolVerdict", "just now")
    if minutes < 60:
        return QCoreApplication.translate("PatrolVerdict", "%1 min ago").replace("%1", str(minutes))
    h, m = divmod(minutes, 60)
    return QCoreApplication.translate("PatrolVerdict", "%1 h %2 min ago").replace("%1", str(h)).replace("%2", str(m))


def detail_text(event: Event) -> str:
    """``2 fail · 3 warn · 4 unknown headroom`` (only what is not zero), or ``all pass``."""
    counts = event.attrs.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    parts = []
    for key, text in (("fail", QCoreApplication.translate("PatrolVerdict", "%1 fail")),
                      ("warn", QCoreApplication.translate("PatrolVerdict", "%1 warn"))):
        n = counts.get(key)
        if isinstance(n, int) and n > 0:
            parts.append(text.replace("%1", str(n)))
    unknown = event.attrs.get("unknown_headroom")
    if isinstance(unknown, int) and unknown > 0:
        parts.append(QCoreApplication.translate("PatrolVerdict", "%1 unknown headroom").replace("%1", str(unknown)))
    return " · ".join(parts) if parts else QCoreApplication.translate("PatrolVerdict", "all pass")


class PatrolVerdict(QWidget):
    """``Patrol [PASS] 2 h ago`` over ``3 warn · 25 unknown headroom``: large enough to read across the room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patrol_verdict")
        self.caption = QLabel(QCoreApplication.translate("PatrolVerdict", "Patrol"), self)
        self.caption.setFont(theme.ui_font(16.0))
        self.word = QLabel(self)
        self.word.setObjectName("patrol_word")
        self.word.setFont(theme.ui_font(20.0, True))
        self.age = ElidedLabel(self)
        self.age.setObjectName("patrol_age")
        self.age.setFont(theme.ui_font(16.0))
        self.detail = ElidedLabel(self)
        self.detail.setObjectName("patrol_detail")
        self.detail.setFont(theme.ui_font(16.0))
        for label in (self.age, self.detail):  # one line each, elided: a short dock never cuts one in half
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._detail_full = ""
        # Line 1: the word and when; line 2: what it found (counts), under it.
        head = QHBoxLayout()
        head.setSpacing(theme.px(10))
        head.addWidget(self.caption, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.word, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.age, 1, Qt.AlignmentFlag.AlignVCenter)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, theme.px(4), 0, 0)
        box.setSpacing(theme.px(2))
        box.addLayout(head)
        box.addWidget(self.detail)
        self.verdict: str | None = None
        self._shown: tuple | None = None
        self.hide()

    def show_event(self, event: Event | None, now_ms: int | None) -> None:
        """Show ``event``'s verdict (hide when None); ``now_ms`` is the view's time, for the age."""
        verdict = verdict_of(event) if event is not None else None
        if event is None or verdict is None:
            self.verdict = None
            if not self.isHidden():
                self.hide()
            return
        age = None if now_ms is None else now_ms - event.ts
        t = theme.current()
        key = (event.id, verdict, None if age is None else age // 60_000, t.name if hasattr(t, "name") else id(t))
        if key == self._shown:
            return
        self._shown = key
        self.verdict = verdict
        colour = {"pass": t.ok, "warn": t.warn, "fail": t.warn}.get(verdict, t.text_dim)
        self.caption.setStyleSheet(f"color: {t.text_dim};")
        if verdict == "fail":  # filled: a failed patrol must stand out from a warning
            style = (f"color: {t.background}; background: {colour}; border-radius: {theme.px(4)}px; "
                     f"padding: {theme.px(1)}px {theme.px(8)}px;")
        else:
            style = (f"color: {colour}; border: {theme.px(2)}px solid {colour}; border-radius: {theme.px(4)}px; "
                     f"padding: 0px {theme.px(7)}px;")
        self.word.setStyleSheet(style)
        self.word.setText(verdict_word(verdict))
        self.age.set_full_text(ago_text(age))
        self._detail_full = detail_text(event)
        self.detail.set_full_text(self._detail_full)
        self.detail.setStyleSheet(f"color: {t.text};")
        self.age.setStyleSheet(f"color: {t.text};")
        report = event.attrs.get("report")
        self.setToolTip("\n".join(x for x in (self.age.full_text, self._detail_full,
                                                report if isinstance(report, str) else "") if x))
        if self.isHidden():
            self.show()
