"""The north-star KPI tree: whose services cost today's incident minutes, and each team's MTTR.

The goal the platform declared heads the panel with its figure (MTTR to mitigation over 7
and 30 days against the target, or the success ratio now); under it each business line and
its teams, ranked by their share of today's incident minutes, with a bar for the share (so
the team that hurt most is seen from the back of the room), the minutes, and MTTR to
mitigation over 7 and 30 days coloured against the goal. A team with an incident users still
feel says so in red. Services that cost minutes are listed under their team. Incidents whose
root no team owns are gathered under *Unassigned*, so the shares add up and the gap in the tree
is in plain sight. Drills are counted apart (a note says how many).

The figures come from ``warroom.core.northstar.tree.report`` over the view's event log at the
cursor (live or replay); they are recomputed when the log changes or every ten seconds of feed
time, not on every frame. A live console holds a bounded log, so when the log does not reach
back 30 days the panel says the window is partial (``warroom history --teams`` reads the
whole history). Clicking a team lights its services on the map; clicking it again, or
elsewhere, takes the light off.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from warroom.core.language.names import names_for
from warroom.core.model import EventKind
from warroom.core.northstar import kpi
from warroom.core.northstar.tree import KpiTree, TreeReport, report
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.kpi.panel import format_percent
from warroom.ui.panels.kpi_tree.rows import DASH, TreeRow, duration_text, minutes_text, mttr_level, share_text, tree_rows
from warroom.ui.wall.stale_banner import age_text, stale_ink

#: Figures are recomputed at most once per this much feed time while the log is unchanged.
RECOMPUTE_MS = 10_000
#: Point sizes at 1080p: the goal line, line rows, team rows, service rows, notes.
GOAL_PT, LINE_PT, TEAM_PT, SERVICE_PT, NOTE_PT = 15.0, 14.0, 13.0, 11.0, 10.5
#: Smallest share of those sizes a crowded panel draws at before it leaves rows out.
MIN_SCALE = 0.72
_HIGHLIGHT_SOURCE = "kpi_tree"


class KpiTreePanel(Panel):
    """The KPI tree of the feed's platform (see the module docstring)."""

    ID = "kpi_tree"
    TITLE = "North-star KPI tree"
    DEFAULT_AREA = "right"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self._key: tuple | None = None
        self.report: TreeReport | None = None
        self.tree: KpiTree | None = None
        self.rows: list[TreeRow] = []
        self.canvas = _TreeCanvas(self)
        self.canvas.setObjectName("kpi_tree_canvas")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.canvas)
        self.refresh()

    # -- figures -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the figures when the log, the tree or the cursor's ten seconds changed."""
        view = self.source
        tree = getattr(view.topology, "kpi_tree", None)
        cursor = view.cursor_ms
        held = view.events(until_ms=cursor) if cursor is not None and tree is not None else []
        events = [e for e in held if e.kind is EventKind.INCIDENT]
        # Only incident events change the figures (alerts come and go far more often), and the
        # clock: today's minutes of an open incident grow, so at most every RECOMPUTE_MS too.
        key = (id(tree), tree, cursor // RECOMPUTE_MS if cursor is not None else None,
               len(events), events[-1].id if events else "", held[0].ts if held else None)
        if key == self._key:
            return
        self._key = key
        self.tree = tree
        if tree is None or cursor is None:
            self.report, self.rows = None, []
        else:
            # The log's reach: the view's oldest event of any kind (incident events are sparse).
            log_from = held[0].ts if held else cursor
            self.report = report(tree, events, cursor, log_from_ms=log_from)
            self.rows = tree_rows(self.report, tree, names_for(view.topology, view.plans))
        self.canvas.update()

    def goal_text(self) -> tuple[str, str]:
        """The goal's figure in words and its level (``ok``/``warn``/``crit``/``unknown``)."""
        tree, rep = self.tree, self.report
        if tree is None or rep is None:
            return "", "unknown"
        g = tree.goal
        if g.kpi == "success_ratio":
            view = self.source
            ratio = kpi.success_ratio([sc.id for sc in view.topology.scenarios], view.value)
            if ratio is None:
                return self.tr("success rate %1").replace("%1", DASH), "unknown"
            text = self.tr("success rate %1%").replace("%1", format_percent(ratio))
            if g.target is None:
                return text, "unknown"
            goal = self.tr("goal ≥ %1%").replace("%1", format_percent(g.target))
            return f"{text} · {goal}", "ok" if ratio >= g.target else "crit"
        m7, m30 = rep.root.mttr_over(7), rep.root.mttr_over(30)
        s7 = m7.mttr_mitigated_s if m7 else None
        s30 = m30.mttr_mitigated_s if m30 else None
        text = self.tr("MTTR 7 d %1 · 30 d %2").replace("%1", duration_text(s7)).replace("%2", duration_text(s30))
        if g.target is not None:
            text += " · " + self.tr("goal %1").replace("%1", duration_text(g.target))
        return text, mttr_level(s7 if s7 is not None else s30, g.target)

    def today_text(self) -> str:
        """Today's incident minutes and incidents, and the drills left out."""
        rep = self.report
        if rep is None:
            return ""
        root = rep.root
        if root.incidents == 0:
            text = self.tr("No incident minutes today")
        else:
            text = self.today_minutes(root.minutes, root.incidents)
        if root.open:
            text += " · " + self.tr("%1 open").replace("%1", str(root.open))
        if rep.drill_incidents == 1:
            text += " · " + self.tr("1 drill not counted")
        elif rep.drill_incidents:
            text += " · " + self.tr("%1 drills not counted").replace("%1", str(rep.drill_incidents))
        return text

    def today_minutes(self, minutes: float, incidents: int) -> str:
        """``Today: 13 incident minutes in 2 incidents`` (no plural forms to translate)."""
        if incidents == 1:
            return self.tr("Today: %1 incident minutes in 1 incident").replace("%1", minutes_text(minutes))
        return self.tr("Today: %1 incident minutes in %2 incidents").replace("%1", minutes_text(minutes)).replace(
            "%2", str(incidents))

    def partial_text(self) -> str:
        """Says when the log held here does not reach back 30 (or 7) days; "" when it does."""
        rep = self.report
        if rep is None or rep.events_from_ms is None or not rep.partial(30):
            return ""
        since = datetime.fromtimestamp(rep.events_from_ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M")
        return self.tr("MTTR from the log held here, since %1 UTC (warroom history --teams reads all of it)").replace(
            "%1", since)

    # -- the map ------------------------------------------------------------------------------
    def select_team(self, team_id: str | None) -> None:
        """Light the team's services on the map (``None``, or the team already lit, takes it off)."""
        view = self.source
        current = getattr(view, "highlight", None)
        ours = isinstance(current, dict) and current.get("source") == _HIGHLIGHT_SOURCE
        row = next((r for r in self.rows if r.kind == "team" and r.id == team_id), None)
        if row is None or (ours and current.get("team") == team_id):
            if not ours:
                return
            value = None
        else:
            value = {"services": list(row.services), "edges": [], "scenarios": [], "source": _HIGHLIGHT_SOURCE,
                     "team": row.id}
        view.highlight = value
        view.version += 1  # the map redraws on the next frame even when no data arrives
        self.canvas.update()

    @property
    def selected_team(self) -> str | None:
        """The team lit on the map by this panel, if any."""
        hl = getattr(self.source, "highlight", None)
        return hl.get("team") if isinstance(hl, dict) and hl.get("source") == _HIGHLIGHT_SOURCE else None


class _TreeCanvas(QWidget):
    """Paints the goal line, the rows and the notes; fits them to its height."""

    def __init__(self, panel: KpiTreePanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.setMouseTracking(True)
        self._hits: list[tuple[QRectF, TreeRow]] = []
        #: Rows drawn in the last paint, and how many were left out for want of room.
        self.drawn: list[TreeRow] = []
        self.left_out = 0

    # -- layout -------------------------------------------------------------------------------
    def _fit(self, rows: list[TreeRow], height: float) -> tuple[list[TreeRow], float]:
        """The rows that fit and the scale to draw them at: shrink first, then leave out services,
        then teams that cost nothing, then the tail."""
        def need(rs: list[TreeRow], scale: float) -> float:
            head = (_line_h(GOAL_PT, scale) + _line_h(NOTE_PT, scale) * 2.2)
            return head + sum(_line_h(_pt(r), scale) for r in rs) + _line_h(NOTE_PT, scale) * 1.3

        teams = [r for r in rows if r.depth < 2]
        kept = [r for r in teams if r.depth == 0 or r.minutes > 0 or r.open or r.restored_30d]
        # Readable first: a little smaller, then without the services (their team's row says
        # it), then smaller still, then only the teams with something to say.
        for candidate, scale in ((rows, 1.0), (rows, 0.9), (teams, 1.0), (teams, 0.9), (teams, 0.8),
                                 (teams, MIN_SCALE), (kept, 0.9), (kept, 0.8)):
            if need(candidate, scale) <= height:
                return candidate, scale
        while kept and need(kept, MIN_SCALE) > height:
            kept.pop()
        return kept, MIN_SCALE

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        t = theme.current()
        panel = self.panel
        stale = panel.stale_since_ms is not None
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), t.color("background"))
        w, h = float(self.width()), float(self.height())
        pad = float(theme.px(6))
        self._hits = []
        if panel.tree is None or panel.report is None:
            self.drawn, self.left_out = [], 0
            if panel.tree is None:
                title = QCoreApplication.translate("KpiTreePanel", "No KPI tree")
                note = QCoreApplication.translate(
                    "KpiTreePanel", "The feed declares none: kpi_tree in the world or site file (docs/worlds.md)")
            else:
                title, note = QCoreApplication.translate("KpiTreePanel", "Waiting for data"), ""
            p.setPen(t.color("text_dim"))
            p.setFont(theme.ui_font(LINE_PT, True))
            p.drawText(QRectF(pad, h * 0.3, w - 2 * pad, _line_h(LINE_PT)), Qt.AlignmentFlag.AlignCenter, title)
            p.setFont(theme.ui_font(NOTE_PT))
            p.drawText(QRectF(pad, h * 0.3 + _line_h(LINE_PT), w - 2 * pad, _line_h(NOTE_PT) * 2),
                       Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, note)
            return
        rows, scale = self._fit(panel.rows, h)
        self.drawn, self.left_out = rows, len(panel.rows) - len(rows)
        ink = stale_ink(t) if stale else None

        # The goal: its name, its figure in its level's colour, and a bar in that colour.
        y = 0.0
        goal_text, level = panel.goal_text()
        gh = _line_h(GOAL_PT, scale)
        colour = ink or t.status_color(level)
        p.fillRect(QRectF(0, y + gh * 0.15, theme.px(5), gh * 0.7), colour)
        p.setFont(theme.ui_font(GOAL_PT * scale, True))
        fm = QFontMetricsF(p.font())
        name = QCoreApplication.translate("KpiTreePanel", "Goal: %1").replace("%1", panel.tree.goal.label)
        figure_w = min(fm.horizontalAdvance(goal_text) + pad, w * 0.55)
        p.setPen(ink or t.color("text"))
        p.drawText(QRectF(pad * 2, y, w - figure_w - pad * 3, gh), Qt.AlignmentFlag.AlignVCenter,
                   fm.elidedText(name, Qt.TextElideMode.ElideRight, w - figure_w - pad * 3))
        p.setPen(colour if level != "unknown" else (ink or t.color("text_dim")))
        p.drawText(QRectF(w - figure_w - pad, y, figure_w, gh), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                   fm.elidedText(goal_text, Qt.TextElideMode.ElideLeft, figure_w))
        y += gh
        nh = _line_h(NOTE_PT, scale)
        p.setFont(theme.ui_font(NOTE_PT * scale))
        p.setPen(ink or t.color("text_dim"))
        today = panel.today_text()
        if stale and panel.stale_age_ms is not None:
            today = f"{today} · {age_text(panel.stale_age_ms)}"
        p.drawText(QRectF(pad * 2, y, w - pad * 3, nh), Qt.AlignmentFlag.AlignVCenter,
                   QFontMetricsF(p.font()).elidedText(today, Qt.TextElideMode.ElideRight, w - pad * 3))
        y += nh

        # Columns: name | share bar + % | minutes | MTTR 7 d | MTTR 30 d.
        num_w = max(QFontMetricsF(theme.ui_font(TEAM_PT * scale)).horizontalAdvance("00.0 min") + pad, w * 0.1)
        min_w = num_w * 0.75
        c30 = w - pad - num_w
        c7 = c30 - num_w
        cmin = c7 - min_w
        name_w = max(w * 0.3, min(w * 0.42, cmin * 0.55))
        bar_x, bar_w = name_w + pad, max(10.0, cmin - name_w - pad * 2)
        hy = y + nh * 0.2
        p.setPen(ink or t.color("text_dim"))
        left, right = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
        star = " *" if panel.partial_text() else ""
        columns = ((pad * 2, name_w, QCoreApplication.translate("KpiTreePanel", "Line / team"), left),
                   (bar_x, bar_w, QCoreApplication.translate("KpiTreePanel", "Share today"), left),
                   (cmin, min_w, QCoreApplication.translate("KpiTreePanel", "min"), right),
                   (c7, num_w, QCoreApplication.translate("KpiTreePanel", "MTTR 7 d"), right),
                   (c30, num_w, QCoreApplication.translate("KpiTreePanel", "MTTR 30 d") + star, right))
        for x, width, text, align in columns:
            fm = QFontMetricsF(p.font())
            width -= pad  # a gap, so two right-aligned headings never run into one another
            p.drawText(QRectF(x + (pad if align == right else 0), hy, width, nh), align | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(text, Qt.TextElideMode.ElideRight, width))
        y = hy + nh
        p.setPen(QPen(t.color("border"), 1.0))
        p.drawLine(QPointF(pad, y), QPointF(w - pad, y))
        y += nh * 0.2

        selected = panel.selected_team
        partial = bool(panel.partial_text())
        for r in rows:
            pt = _pt(r)
            rh = _line_h(pt, scale)
            rect = QRectF(0, y, w, rh)
            self._hits.append((rect, r))
            if r.kind == "team" and r.id == selected:
                p.fillRect(rect, _alpha(t.color("accent"), 50))
            elif r.depth == 0:
                p.fillRect(rect, t.color("surface"))
            font = theme.ui_font(pt * scale, r.depth == 0)
            p.setFont(font)
            fm = QFontMetricsF(font)
            indent = pad * 2 + r.depth * theme.px(18) * scale
            label = r.label
            text_colour = ink or (t.color("text") if r.depth < 2 else t.color("text_dim"))
            if r.open and not stale:
                # Colour is never the only signal: a red dot and the word "open".
                dot = rh * 0.22
                p.setBrush(t.color("crit"))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawEllipse(QPointF(indent + dot, y + rh / 2), dot, dot)
                indent += dot * 2 + pad * 0.6
            p.setPen(text_colour)
            suffix = ""
            if r.open:
                suffix = " · " + QCoreApplication.translate("KpiTreePanel", "%1 open").replace("%1", str(r.open))
            room = name_w - indent + pad
            # The name comes first: in a narrow dock the red dot alone says "open" (the tooltip
            # has the count), rather than "Paymen…1 open".
            text = label + suffix if fm.horizontalAdvance(label + suffix) <= room else \
                fm.elidedText(label, Qt.TextElideMode.ElideRight, room)
            p.drawText(QRectF(indent, y, room, rh), Qt.AlignmentFlag.AlignVCenter, text)
            # The share bar: its track, then the share, red while users still feel it.
            bh = rh * (0.5 if r.depth < 2 else 0.36)
            track = QRectF(bar_x, y + (rh - bh) / 2, bar_w, bh)
            pct_w = fm.horizontalAdvance("100%") + pad
            track.setWidth(max(4.0, bar_w - pct_w))
            p.fillRect(track, _alpha(t.color("border"), 90))
            if r.share:
                fill = QRectF(track.left(), track.top(), max(2.0, track.width() * r.share), track.height())
                p.fillRect(fill, ink or (t.color("crit") if r.open else t.color("accent")))
            p.setPen(text_colour)
            p.drawText(QRectF(track.right() + pad * 0.5, y, pct_w, rh), Qt.AlignmentFlag.AlignVCenter,
                       share_text(r.share))
            p.drawText(QRectF(cmin, y, min_w, rh), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       minutes_text(r.minutes))
            for x, seconds, lvl in ((c7, r.mttr_7d_s, mttr_level(r.mttr_7d_s, _goal_s(panel.tree))),
                                    (c30, r.mttr_30d_s, r.level)):
                colour = ink or (t.color("text_dim") if seconds is None else
                                 t.status_color(lvl) if lvl in ("warn", "crit") else t.color("text"))
                if partial and x == c30 and seconds is not None and not ink:
                    colour = t.color("text_dim")  # a month the log does not hold is not a month's figure
                p.setPen(colour)
                p.drawText(QRectF(x, y, num_w, rh), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                           duration_text(seconds))
            y += rh

        # Notes: rows left out, a partial month.
        notes = []
        if self.left_out:
            notes.append(QCoreApplication.translate("KpiTreePanel", "+%1 more (enlarge the panel)")
                         .replace("%1", str(self.left_out)))
        partial_note = panel.partial_text()
        if partial_note:
            notes.append("* " + partial_note)
        if notes:
            p.setFont(theme.ui_font(NOTE_PT * scale))
            p.setPen(ink or t.color("text_dim"))
            fm = QFontMetricsF(p.font())
            text = " · ".join(notes)
            p.drawText(QRectF(pad * 2, y + nh * 0.2, w - pad * 3, nh), Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(text, Qt.TextElideMode.ElideRight, w - pad * 3))

    # -- interaction --------------------------------------------------------------------------
    def row_at(self, pos: QPointF) -> TreeRow | None:
        """The row drawn at ``pos``, if any."""
        return next((r for rect, r in self._hits if rect.contains(pos)), None)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        row = self.row_at(event.position())
        self.panel.select_team(row.id if row is not None and row.kind == "team" else None)
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:  # noqa: D102 - tooltips
        if event.type() == QEvent.Type.ToolTip:
            row = self.row_at(QPointF(event.pos()))  # type: ignore[attr-defined]
            if row is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip(row), self)  # type: ignore[attr-defined]
            return True
        return super().event(event)

    def tooltip(self, row: TreeRow) -> str:
        """A row's figures in words."""
        panel = self.panel
        parts = [row.label, panel.today_minutes(row.minutes, row.incidents),
                 QCoreApplication.translate("KpiTreePanel", "MTTR to mitigation: 7 d %1 · 30 d %2 (%3 restored in 30 d)")
                 .replace("%1", duration_text(row.mttr_7d_s)).replace("%2", duration_text(row.mttr_30d_s))
                 .replace("%3", str(row.restored_30d))]
        if row.services:
            parts.append(QCoreApplication.translate("KpiTreePanel", "Services: %1")
                         .replace("%1", ", ".join(row.services)))
            parts.append(QCoreApplication.translate("KpiTreePanel", "Click to light them on the map"))
        return "\n".join(parts)


def _pt(row: TreeRow) -> float:
    return (LINE_PT, TEAM_PT, SERVICE_PT)[min(row.depth, 2)]


def _line_h(pt: float, scale: float = 1.0) -> float:
    return QFontMetricsF(theme.ui_font(pt * scale)).height() * 1.45


def _goal_s(tree: KpiTree | None) -> float | None:
    return tree.goal.target if tree is not None and tree.goal.kpi == "mttr" else None


def _alpha(colour: Any, a: int) -> Any:
    c = type(colour)(colour)
    c.setAlpha(a)
    return c

