"""What the KPI-tree panel shows, row by row, from a ``TreeReport`` (no painting here).

One row per business line, team and service that cost minutes today, in tree order. Teams
are ranked by today's minutes within their line (then by 30-day MTTR, then by name), so the
team that hurt most is first where the eye lands; lines likewise. Services are listed only
when they cost minutes: a team of twelve services with one bad one shows that one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from warroom.core.language.names import Names
from warroom.core.northstar.tree import UNASSIGNED, Branch, KpiTree, TreeReport

DASH = "—"


@dataclass(frozen=True)
class TreeRow:
    """One line of the panel.

    ``depth`` 0 is a business line, 1 a team, 2 a service; ``share`` 0..1 of today's incident
    minutes (None when there were none); ``mttr_7d_s``/``mttr_30d_s`` to mitigation (None: no
    incident mitigated in the window); ``level`` judges the 30-day MTTR (``ok``/``warn``/``crit``,
    ``unknown`` without one); ``open`` incidents users still feel.
    """

    kind: str
    id: str
    label: str
    depth: int
    minutes: float
    share: float | None
    incidents: int
    mttr_7d_s: float | None
    mttr_30d_s: float | None
    restored_30d: int
    level: str
    open: int
    services: tuple[str, ...] = ()


def mttr_level(seconds: float | None, goal_s: float | None) -> str:
    """A mean time to mitigation against the goal: ``ok`` within it, ``warn`` above it, ``crit``
    above three times it (or 15 minutes, whichever is later); ``unknown`` without a figure.
    Without a goal, one minute (the north star) is the goal."""
    if seconds is None:
        return "unknown"
    goal = goal_s if goal_s and goal_s > 0 else 60.0
    return "ok" if seconds <= goal else "warn" if seconds <= max(3 * goal, 900.0) else "crit"


def duration_text(seconds: float | None) -> str:
    """``45 s``, ``4.2 min``, ``2.5 h``; a dash for None."""
    if seconds is None:
        return DASH
    if seconds < 90:
        return QCoreApplication.translate("KpiTreePanel", "%1 s").replace("%1", f"{seconds:.0f}")
    if seconds < 2 * 3600:
        return QCoreApplication.translate("KpiTreePanel", "%1 min").replace("%1", f"{seconds / 60:.1f}")
    return QCoreApplication.translate("KpiTreePanel", "%1 h").replace("%1", f"{seconds / 3600:.1f}")


def minutes_text(minutes: float) -> str:
    """Incident minutes: ``0``, ``0.4``, ``12``, ``1,204``."""
    if minutes <= 0:
        return "0"
    return f"{minutes:.1f}" if minutes < 10 else f"{minutes:,.0f}"


def share_text(share: float | None) -> str:
    """A share as a whole percentage (``<1 %`` for a sliver, never a rounded-away zero)."""
    if share is None:
        return DASH
    if 0 < share < 0.005:
        return "<1%"
    return f"{share * 100:.0f}%"


def tree_rows(report: TreeReport, tree: KpiTree, names: Names | None = None, *,
              services: bool = True) -> list[TreeRow]:
    """The rows in display order (module docstring); ``services``: list the services that cost
    minutes under their team."""
    goal_s = tree.goal.target if tree.goal.kpi == "mttr" else None
    team_services = {t.id: t.services for t in tree.teams}
    rows: list[TreeRow] = []

    def row(b: Branch, depth: int) -> TreeRow:
        m7, m30 = b.mttr_over(7), b.mttr_over(30)
        label = b.label
        if b.kind == UNASSIGNED:
            label = QCoreApplication.translate("KpiTreePanel", "Unassigned")
        elif b.kind == "service" and names is not None:
            label = names.subject(b.id)
        return TreeRow(b.kind, b.id, label, depth, b.minutes, b.share, b.incidents,
                       m7.mttr_mitigated_s if m7 else None, m30.mttr_mitigated_s if m30 else None,
                       m30.restored if m30 else 0, mttr_level(m30.mttr_mitigated_s if m30 else None, goal_s),
                       b.open, team_services.get(b.id, ()) if b.kind == "team" else ())

    for line in _ranked(report.root.children):
        rows.append(row(line, 0))
        for child in _ranked(line.children):
            rows.append(row(child, 1))
            if services and child.kind == "team":
                for svc in _ranked(child.children):
                    if svc.minutes > 0 or svc.open:
                        rows.append(row(svc, 2))
    return rows


def _ranked(branches: tuple[Branch, ...]) -> list[Branch]:
    # The unassigned branch stays last: it is what the tree does not cover, not a line.
    def key(b: Branch) -> tuple:
        m30 = b.mttr_over(30)
        return (b.kind == UNASSIGNED, -b.open, -round(b.minutes, 3),
                -(m30.mttr_mitigated_s or 0.0) if m30 else 0.0, b.label)
    return sorted(branches, key=key)
