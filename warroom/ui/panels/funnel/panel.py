"""The business funnels: each scenario that declares steps, drawn as a funnel with the rate
reaching every step and the conversion from the step before, against its usual conversion.

Live and in replay alike it reads the view at its cursor (``warroom.core.funnel.reading``).
A step whose conversion fell well below its usual one is drawn in the warning colour with
its usual figure beside it; a step whose conversion alert is active (``funnel-step-drop``,
rooted in the step's services) also names that root cause. Red stays for incidents: the
funnel never paints red. Funnels in trouble come first; what does not fit says how many more
there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from warroom.core.funnel.conversion import CONVERSION_METRIC, step_subject
from warroom.core.funnel.reading import StepReading, read_funnel, usual_conversions
from warroom.core.language.names import names_for
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.kpi.panel import format_count
from warroom.ui.wall.stale_banner import stale_ink

#: Usual conversions move slowly: computed again once per this much feed time.
USUAL_EVERY_MS = 60_000
#: Below this height (1080p px) a funnel is not drawn; the rest are counted instead.
MIN_ROW_PX = 150


@dataclass(frozen=True)
class FunnelRow:
    """One scenario's funnel as drawn: its name, its steps' readings, and per step the root
    cause of its active conversion alert ("" when none)."""

    scenario: str
    title: str
    steps: tuple[StepReading, ...]
    roots: tuple[str, ...]

    @property
    def trouble(self) -> float:
        """How far its worst step fell below its usual conversion (0: none)."""
        falls = [(r.usual - r.conversion) / r.usual for r in self.steps
                 if r.conversion is not None and r.usual and r.usual > 0]
        return max([0.0, *falls])


def funnel_rows(view: LiveView, usual: dict[str, dict[str, float | None]] | None = None) -> list[FunnelRow]:
    """The funnels at the view's cursor, the one that fell furthest first (then in the feed's
    order). ``usual``: usual conversions per scenario (computed when missing)."""
    now = view.cursor_ms
    if now is None:
        return []
    names = names_for(view.topology, view.plans)
    roots = _alert_roots(view)
    rows = []
    for sc in view.topology.scenarios:
        if len(sc.steps) < 2:
            continue
        known = (usual or {}).get(sc.id)
        readings = read_funnel(sc, view.window, now, known)
        rows.append(FunnelRow(sc.id, sc.label, tuple(readings), tuple(
            names.display("service", roots[step_subject(sc.id, r.step.id)]) if step_subject(sc.id, r.step.id) in roots
            else "" for r in readings)))
    order = {r.scenario: i for i, r in enumerate(rows)}
    return sorted(rows, key=lambda r: (-round(r.trouble, 3), order[r.scenario]))


def _alert_roots(view: LiveView) -> dict[str, str]:
    """Step subject -> root cause of its active conversion alert (the service's id)."""
    return {a.subject: a.root_cause or "" for a in _step_alerts(view)}


def _step_alerts(view: LiveView) -> list:
    """The active conversion alerts (firing or acknowledged)."""
    # Live: the alert watch; in a replay, the read-only stand-in rebuilt from the event log.
    read = getattr(view.alerting, "alerts", None)
    if read is None:
        return []
    return [a for a in read() if getattr(a, "series", None) is not None and a.series.name == CONVERSION_METRIC
            and a.state in ("firing", "acknowledged")]


def dropping_since(view: LiveView, scenario_id: str) -> dict[str, int]:
    """Step id -> when its active conversion alert began, for the scenario's steps: their
    usual conversion is read from before then (``usual_conversions``)."""
    prefix = step_subject(scenario_id, "")
    return {a.subject[len(prefix):]: int(a.since_ms) for a in _step_alerts(view) if a.subject.startswith(prefix)}


class FunnelCanvas(QWidget):
    """Paints the funnels: per scenario a row of steps, each a bar as tall as its share of
    the first step's rate, joined by trapezoids, with the conversion between them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[FunnelRow] = []
        self.stale = False
        self.empty_reason = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(theme.px(MIN_ROW_PX))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = theme.current()
        p.fillRect(self.rect(), t.color("surface"))
        if not self.rows:
            p.setFont(theme.ui_font(13))
            p.setPen(t.color("text_dim"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_reason)
            return
        pad = theme.px(10)
        fit = max(1, int((self.height() - pad) // theme.px(MIN_ROW_PX)))
        shown = self.rows[:fit]
        more = len(self.rows) - len(shown)
        h = (self.height() - pad) / len(shown)
        for i, row in enumerate(shown):
            self._row(p, QRectF(pad, pad + i * h, self.width() - 2 * pad, h - pad), row, t)
        if more:  # on the first funnel's title line, at the right: the funnels are worst first
            font = theme.ui_font(12)
            p.setFont(font)
            p.setPen(t.color("text_dim"))
            text = QCoreApplication.translate("Funnel", "+%1 more funnels").replace("%1", str(more))
            p.drawText(QRectF(pad, pad, self.width() - 2 * pad, QFontMetricsF(theme.ui_font(15, bold=True)).height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)

    def _ink(self, t: theme.Theme, role: str) -> QColor:
        return stale_ink(t) if self.stale else t.color(role)

    def _row(self, p: QPainter, r: QRectF, row: FunnelRow, t: theme.Theme) -> None:
        title_font, label_font = theme.ui_font(15, bold=True), theme.ui_font(12)
        big_font, small_font = theme.ui_font(20, bold=True), theme.ui_font(11)
        title_h = QFontMetricsF(title_font).height()
        label_h = QFontMetricsF(label_font).height()
        p.setFont(title_font)
        p.setPen(self._ink(t, "text"))
        p.drawText(QRectF(r.left(), r.top(), r.width(), title_h),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   QFontMetricsF(title_font).elidedText(row.title, Qt.TextElideMode.ElideRight, r.width()))
        n = len(row.steps)
        gap = max(theme.px(110), r.width() * 0.22)  # room for the conversion between two bars
        bar_w = max(theme.px(30), (r.width() - gap * (n - 1)) / n)
        top = r.top() + title_h + theme.px(4)
        bars_h = max(theme.px(20), r.bottom() - top - 2 * label_h - theme.px(4))
        mid = top + bars_h / 2
        first = row.steps[0].rate
        prev_edge: tuple[float, float, float] | None = None  # x, top, bottom of the bar before
        for j, reading in enumerate(row.steps):
            x = r.left() + j * (bar_w + gap)
            share = reading.overall if reading.overall is not None else (1.0 if j == 0 and first else 0.0)
            h = max(theme.px(3), bars_h * min(max(share, 0.0), 1.0))
            fill = self._ink(t, "warn" if reading.below else "accent")
            if prev_edge is not None:  # the funnel's neck from the bar before
                px0, pt0, pb0 = prev_edge
                path = QPainterPath(QPointF(px0, pt0))
                path.lineTo(QPointF(x, mid - h / 2))
                path.lineTo(QPointF(x, mid + h / 2))
                path.lineTo(QPointF(px0, pb0))
                path.closeSubpath()
                neck = QColor(fill)
                neck.setAlphaF(0.25)
                p.fillPath(path, neck)
                self._conversion(p, QRectF(px0, top, x - px0, bars_h), reading, row.roots[j], t, big_font, small_font)
            p.fillRect(QRectF(x, mid - h / 2, bar_w, h), fill)
            prev_edge = (x + bar_w, mid - h / 2, mid + h / 2)
            # The step's name and its rate under the bar.
            p.setFont(label_font)
            p.setPen(self._ink(t, "text"))
            fm = QFontMetricsF(label_font)
            room = min(bar_w + gap * 0.8, r.right() - x)  # the last step's text stops at the edge
            p.drawText(QRectF(x, top + bars_h + theme.px(4), room, label_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(reading.step.label, Qt.TextElideMode.ElideRight, room))
            p.setPen(self._ink(t, "text_dim"))
            rate = QCoreApplication.translate("Funnel", "no data") if reading.rate is None else \
                QCoreApplication.translate("Funnel", "%1/s").replace("%1", format_count(reading.rate))
            if j > 0 and reading.overall is not None:  # how much of the first step gets this far
                rate += "  ·  " + QCoreApplication.translate("Funnel", "%1 of the first step").replace(
                    "%1", f"{reading.overall * 100:.1f} %")
            p.drawText(QRectF(x, top + bars_h + theme.px(4) + label_h, room, label_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(rate, Qt.TextElideMode.ElideRight, room))

    def _conversion(self, p: QPainter, r: QRectF, reading: StepReading, root: str, t: theme.Theme,
                    big_font, small_font) -> None:
        """The conversion into a step, big, over the neck; its usual figure (and the root cause
        of its alert) small beneath."""
        role = "warn" if reading.below else "text"
        big = "—" if reading.conversion is None else f"{reading.conversion * 100:.1f} %"
        lines = []
        if reading.usual is not None:
            lines.append(QCoreApplication.translate("Funnel", "usual %1").replace(
                "%1", f"{reading.usual * 100:.1f} %"))
        if root:
            lines.append(QCoreApplication.translate("Funnel", "cause: %1").replace("%1", root))
        big_h, fm = QFontMetricsF(big_font).height(), QFontMetricsF(small_font)
        # The block (the figure and its lines) is centred on the neck, whatever the row's height.
        y = r.center().y() - (big_h + len(lines) * fm.height()) / 2
        p.setFont(big_font)
        p.setPen(self._ink(t, role))
        p.drawText(QRectF(r.left(), y, r.width(), big_h), Qt.AlignmentFlag.AlignCenter, big)
        p.setFont(small_font)
        p.setPen(self._ink(t, role if root else "text_dim"))
        for k, line in enumerate(lines):
            p.drawText(QRectF(r.left(), y + big_h + k * fm.height(), r.width(), fm.height()),
                       Qt.AlignmentFlag.AlignCenter, fm.elidedText(line, Qt.TextElideMode.ElideRight, r.width()))


class FunnelPanel(Panel):
    """The business funnels of the feed's scenarios (those that declare steps)."""

    ID = "funnel"
    TITLE = "Business funnels"
    DEFAULT_AREA = "center"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.canvas = FunnelCanvas(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self._usual: dict[str, dict[str, float | None]] = {}
        self._usual_at: tuple[int, int] | None = None  # (topology version, feed minute) it was read at
        self.refresh()

    @property
    def rows(self) -> list[FunnelRow]:
        """The funnels as drawn, top first."""
        return list(self.canvas.rows)

    def refresh(self) -> None:
        view = self.source
        now = view.cursor_ms
        if now is not None:
            funnels = [sc for sc in view.topology.scenarios if len(sc.steps) >= 2]
            drops = {sc.id: dropping_since(view, sc.id) for sc in funnels}
            # Once a feed minute, on a new graph or a jump, and when a step starts or stops dropping.
            stamp = (view.topology.version, now // USUAL_EVERY_MS, repr(sorted(drops.items())))
            if stamp != self._usual_at:
                self._usual = {sc.id: usual_conversions(sc, view.window, now, drops[sc.id]) for sc in funnels}
                self._usual_at = stamp
        self.canvas.rows = funnel_rows(view, self._usual)
        self.canvas.empty_reason = QCoreApplication.translate(
            "Funnel", "No scenario of this feed declares funnel steps (docs/funnels.md).") \
            if not any(len(sc.steps) >= 2 for sc in view.topology.scenarios) else \
            QCoreApplication.translate("Funnel", "Waiting for data…")
        self.canvas.update()

    def set_stale(self, since_ms: int | None) -> None:
        self.canvas.stale = since_ms is not None
        super().set_stale(since_ms)
        self.canvas.update()
