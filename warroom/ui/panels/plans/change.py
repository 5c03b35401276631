""""Change it would send": the feed's dry run of the selected plan, under the impact preview.

The impact preview is the console's estimate from recent data; the dry run is the feed's
word on what executing would actually do (``PlanDesk.dry_run``, protocol 1.3): the executor's
one-line summary and target, each request as ``METHOD URL`` in a monospace font — elided in
the middle when it does not fit, so the host and the end of the path stay readable, and the
whole line is its tooltip — the state before and after when the feed gives them, and its
warnings in amber. While the feed is asked it says so; a feed that does not know the dry run
says so plainly; a refusal, a failure or no answer shows the reason.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from warroom.ui import theme
from warroom.ui.panels.plans.text import (before_after_text, change_status, change_summary, change_where,
                                         request_line, translate)

#: Monospace families for requests (CJK-capable fallback: a URL may hold Chinese).
MONO_FAMILIES = ["DejaVu Sans Mono", "Noto Sans Mono CJK SC", "Noto Sans Mono", "Liberation Mono", "monospace"]
#: Requests listed at most; the rest are counted ("… and 3 more").
MAX_REQUESTS = 6


def mono_font(point_size: float) -> QFont:
    """The UI's monospace font at a 1080p point size (scaled for the wall like ``ui_font``)."""
    font = theme.ui_font(point_size)
    font.setFamilies(MONO_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class ElidedLines(QLabel):
    """Lines that never wrap and never widen their column: each is elided in the middle to
    the label's width (a URL keeps its host and its end); the whole text is the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: list[str] = []
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_lines(self, lines: list[str]) -> None:
        """Show ``lines``, one per line, elided to fit."""
        if lines == self._lines:
            return
        self._lines = list(lines)
        self.setToolTip("\n".join(lines))
        self._elide()

    def lines(self) -> list[str]:
        """The whole lines (what is shown may be elided)."""
        return list(self._lines)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:  # the wall scale changed the font
            self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        shown = [metrics.elidedText(line, Qt.TextElideMode.ElideMiddle, width) if width > 0 else line
                 for line in self._lines]
        text = "\n".join(shown)
        if super().text() != text:
            self.setText(text)


def _label(parent: QWidget, pt: float, *, bold: bool = False, name: str = "", dim: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(theme.ui_font(pt, bold=bold))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setObjectName(name)
    if dim:
        label.setStyleSheet(f"color: {theme.current().text_dim};")
    return label


class ChangeBlock(QWidget):
    """The dry run of one plan (see the module docstring); ``show_dry_run(None)`` hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plan_change")
        self.title = _label(self, 14.0, bold=True, name="change_title")
        self.title.setText(translate("PlansPanel", "Change it would send"))
        self.status = _label(self, 14.0, name="change_status")
        self.summary = _label(self, 15.0, name="change_summary")
        self.target = _label(self, 12.0, name="change_target", dim=True)
        self.requests = ElidedLines(self)
        self.requests.setObjectName("change_requests")
        self.requests.setFont(mono_font(12.5))
        self.before_after = _label(self, 12.5, name="change_before_after")
        self.warnings = _label(self, 14.0, bold=True, name="change_warnings")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, theme.px(8), 0, 0)
        col.setSpacing(theme.px(3))
        for w in (self.title, self.status, self.summary, self.target, self.requests, self.before_after,
                  self.warnings):
            col.addWidget(w)
        self.dry_run: Any = None
        self.hide()

    def show_dry_run(self, dry: Any) -> None:
        """Show a ``PlanDesk.DryRun`` (None, or a console that may not ask: hidden)."""
        self.dry_run = dry
        if dry is None or dry.state == "not_allowed":
            self.hide()
            return
        t = theme.current()
        change = dry.change
        status, level = change_status(dry)
        self.status.setText(status)
        self.status.setStyleSheet(f"color: {t.text_dim if level == 'dim' else t.status_color(level).name()};")
        self.status.setVisible(bool(status))
        has = change is not None
        summary = change_summary(change) if has else ""
        self.summary.setText(summary or translate("PlansPanel", "(no summary)"))
        self.summary.setVisible(has)
        where = change_where(change) if has else ""
        self.target.setText(where)
        self.target.setVisible(bool(where))
        requests = list(change.get("requests") or ()) if has else []
        lines = [request_line(r) for r in requests[:MAX_REQUESTS]]
        if len(requests) > MAX_REQUESTS:
            lines.append(translate("PlansPanel", "… and %1 more").replace("%1", str(len(requests) - MAX_REQUESTS)))
        self.requests.set_lines(lines)
        self.requests.setVisible(bool(lines))
        ba = before_after_text(change) if has else ""
        self.before_after.setText(ba)
        self.before_after.setVisible(bool(ba))
        warnings = [str(w) for w in (change.get("warnings") or ())] if has else []
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings))
        self.warnings.setStyleSheet(f"color: {t.warn};")
        self.warnings.setVisible(bool(warnings))
        self.show()
