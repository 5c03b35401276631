"""A staged shift's ladder: where it stands, readable from across the room.

One rung per stage, left to right (``whitelist  1/256  1/8  1/4  1/2  all``). Each rung is
its stage's name in large type and, under it, a mark and a word: ``✓`` passed (green),
``◌ 0:42 / 1:00`` being held (blue, the rung filling as the hold runs), ``‖ paused`` (amber),
``✗ failed`` (red), ``○`` not yet (grey): it reads without colour too. Under the rungs, one
line says what happens now ("Stage 3/6 · 1/8: holding, 0:18 left") and the guard KPIs with
their values and a ✓ or ✗ each: the values that failed the stage, once one has.

``rungs`` and ``ladder_lines`` are pure (tested without painting); ``StageLadder`` paints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from warroom.core.language.lang import language
from warroom.core.plan.stages import Ladder
from warroom.ui import theme
from warroom.ui.panels.plans.text import countdown, fill, guard_holds, kpi_value, series_words, translate

#: Rung status -> theme colour role, and the mark before its word.
ROLE = {"done": "ok", "current": "accent", "paused": "warn", "failed": "crit", "todo": "border"}
MARK = {"done": "✓", "current": "◌", "paused": "‖", "failed": "✗", "todo": "○"}


@dataclass(frozen=True)
class Rung:
    """One stage as drawn: its name, status (done, current, paused, failed, todo), the word
    under it and how much of its hold has run (0..1, for the current rung)."""

    name: str
    status: str
    note: str
    progress: float = 0.0


def rungs(ld: Ladder, now_ms: int | None) -> list[Rung]:
    """The rungs of ``ld`` at ``now_ms`` (feed time)."""
    lang = language()
    now = now_ms if now_ms is not None else ld.since_ms
    out = []
    for i, st in enumerate(ld.stages):
        name = st.label(lang)
        if i < ld.index or (i == ld.index and ld.phase == "completed"):
            out.append(Rung(name, "done", translate("StageLadder", "passed")))
        elif i > ld.index:
            out.append(Rung(name, "todo", ""))
        elif ld.phase in ("rolling_back", "rolled_back", "aborted"):
            word = translate("StageLadder", "aborted") if ld.aborted else translate("StageLadder", "failed")
            out.append(Rung(name, "failed", word))
        elif ld.phase == "holding":
            held, hold = ld.held_s(now), st.hold_s
            note = f"{countdown(int(held * 1000))} / {countdown(int(hold * 1000))}"
            progress = min(1.0, held / hold) if hold > 0 else 1.0
            if ld.paused:
                out.append(Rung(name, "paused", fill(translate("StageLadder", "paused %1"), note), progress))
            else:
                out.append(Rung(name, "current", note, progress))
        elif ld.phase == "verifying":
            out.append(Rung(name, "paused" if ld.paused else "current", translate("StageLadder", "verifying"), 1.0))
        else:  # applying
            out.append(Rung(name, "paused" if ld.paused else "current", translate("StageLadder", "applying")))
    return out


def ladder_lines(ld: Ladder, now_ms: int | None, value: Callable[[str], "float | None"]) -> tuple[str, str, str]:
    """``(what happens now, the guard KPIs, level)``: level is ``accent`` while it climbs,
    ``warn`` paused or rolling back, ``crit`` failed, ``ok`` complete, ``dim`` over."""
    lang = language()
    st = ld.stage
    n, of, name = ld.index + 1, len(ld.stages), st.label(lang)
    now = now_ms if now_ms is not None else ld.since_ms
    if ld.phase == "completed":
        head, level = fill(translate("StageLadder", "All %1 stages passed: the shift is complete"), of), "ok"
    elif ld.phase == "rolling_back":
        head = (fill(translate("StageLadder", "Aborted at %1: rolling back"), name) if ld.aborted else
                fill(translate("StageLadder", "Stage %1 failed: rolling back"), name))
        level = "warn" if ld.aborted else "crit"
    elif ld.phase in ("rolled_back", "aborted"):
        head = (fill(translate("StageLadder", "Aborted at %1 and rolled back"), name) if ld.aborted else
                fill(translate("StageLadder", "Stage %1 failed: the shift was rolled back"), name))
        level = "dim" if ld.aborted else "crit"
    elif ld.paused:
        head = fill(translate("StageLadder", "PAUSED at stage %1/%2 · %3: the hold is stopped, the guards are still "
                                             "watched"), n, of, name)
        level = "warn"
    elif ld.phase == "holding":
        left = max(0.0, st.hold_s - ld.held_s(now))
        head = fill(translate("StageLadder", "Stage %1/%2 · %3: holding, %4 left"), n, of, name,
                    countdown(int(left * 1000)))
        level = "accent"
    elif ld.phase == "verifying":
        head, level = fill(translate("StageLadder", "Stage %1/%2 · %3: verifying the guards"), n, of, name), "accent"
    else:
        head, level = fill(translate("StageLadder", "Stage %1/%2 · %3: applying"), n, of, name), "accent"
    # Once a stage failed, the values that failed it; before, the values now.
    frozen = ld.phase in ("rolling_back", "rolled_back", "aborted") and ld.values
    parts = []
    for g in ld.guards:
        s = str(g["series"])
        v = ld.values.get(s) if frozen else value(s)
        ok = guard_holds({"op": g["op"], "threshold": g["threshold"]}, v)
        mark = "" if ok is None else (" ✓" if ok else " ✗")
        sign = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}.get(str(g["op"]), str(g["op"]))
        limit = kpi_value(s, float(g["threshold"]))
        parts.append(f"{series_words(s)} {kpi_value(s, v)}{mark} ({sign} {limit})")
    return head, "   ·   ".join(parts), level


class StageLadder(QWidget):
    """The rungs, painted, with the two lines under them (module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stage_ladder")
        self.rungs: list[Rung] = []
        self._bar = _Rungs(self)
        self.head = QLabel(self)
        self.head.setObjectName("stage_ladder_head")
        self.head.setFont(theme.ui_font(15.0, bold=True))
        self.head.setWordWrap(True)
        self.guards = QLabel(self)
        self.guards.setObjectName("stage_ladder_guards")
        self.guards.setFont(theme.ui_font(13.0))
        self.guards.setWordWrap(True)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 2, 0, 2)
        col.setSpacing(3)
        col.addWidget(self._bar)
        col.addWidget(self.head)
        col.addWidget(self.guards)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def show_ladder(self, ld: Ladder, now_ms: int | None, value: Callable[[str], "float | None"]) -> None:
        """Draw ``ld`` as of ``now_ms``; ``value`` gives a guard series' value now."""
        self.rungs = rungs(ld, now_ms)
        head, guards, level = ladder_lines(ld, now_ms, value)
        t = theme.current()
        color = t.text_dim if level == "dim" else t.color(level).name()
        self.head.setText(head)
        self.head.setStyleSheet(f"color: {color};")
        self.guards.setText(guards)
        self.guards.setStyleSheet(f"color: {t.text};")
        self._bar.update()

    def text(self) -> str:
        """The ladder in words (tests and accessibility): ``whitelist ✓ · 1/256 ◌ 0:42 / 1:00 · 1/8 ○ …``."""
        return " · ".join(f"{r.name} {MARK[r.status]} {r.note}".strip() for r in self.rungs)


class _Rungs(QWidget):
    """The painted row of rungs."""

    def __init__(self, owner: StageLadder) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setMinimumHeight(theme.px(60))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(480, self.minimumHeight())

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt override)
        items = self._owner.rungs
        if not items:
            return
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        gap = 6.0
        w = (self.width() - gap * (len(items) - 1)) / len(items)
        h = float(self.height()) - 2
        big, small = theme.ui_font(15.0, bold=True), theme.ui_font(11.5)
        for i, r in enumerate(items):
            box = QRectF(i * (w + gap), 1, w, h)
            role = QColor(t.color(ROLE[r.status]))
            fill_color = QColor(role)
            fill_color.setAlpha(40 if r.status in ("done", "todo") else 70)
            p.setPen(QPen(role, 2.0 if r.status in ("current", "paused", "failed") else 1.0))
            p.setBrush(fill_color if r.status != "todo" else Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(box, 5, 5)
            if r.status in ("current", "paused") and r.progress > 0:
                # The hold so far, as a bar along the rung's foot.
                bar = QRectF(box.left() + 3, box.bottom() - 6, (box.width() - 6) * r.progress, 3)
                p.fillRect(bar, role)
            text_color = QColor(t.text_dim) if r.status == "todo" else QColor(t.text)
            p.setPen(text_color)
            p.setFont(big)
            p.drawText(QRectF(box.left() + 2, box.top() + 3, box.width() - 4, h * 0.52),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, r.name)
            p.setFont(small)
            p.setPen(QColor(t.text_dim) if r.status == "todo" else role if r.status != "done" else QColor(t.ok))
            note = f"{MARK[r.status]} {r.note}".strip()
            p.drawText(QRectF(box.left() + 2, box.top() + h * 0.54, box.width() - 4, h * 0.34),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                       p.fontMetrics().elidedText(note, Qt.TextElideMode.ElideRight, int(box.width() - 4)))
        p.end()

