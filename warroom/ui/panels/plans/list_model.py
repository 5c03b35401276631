"""The plan list's data: one row per plan of the feed's catalogue, painted on one line
(``plans.rows``) so that a bottom dock at 1080p lists ten plans or more.

The kind (``FAILOVER``, ``RATE LIMIT``, ``DEGRADE``, ``ROLLBACK``) as a chip, the plan's title,
then the marks: ``SUGGESTED`` when the plan addresses a current root cause (by its target and
kind, ``warroom.core.plan.suggest``, or named by the root alert's rule), the plan's risk
(``RISK: HIGH`` when it needs a typed confirmation, else ``RISK: LOW``) and, on the right,
the state of its latest run (``EXECUTING``, ``IN FORCE``, ``EFFECTIVE``, ``NOT EFFECTIVE`` in
red, ``ROLLING BACK``…). The target, who the plan is suggested for and who ran it are in the
row's tooltip and in the detail. Suggested plans come first, best first, then plans with a run
in force, then by kind (failover, rate limit, degrade, rollback) and title.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from warroom.core.language.names import current_names
from warroom.core.plan.plan_runs import PlanRun
from warroom.core.plan.plans import Plan
from warroom.ui import theme
from warroom.ui.panels.alerts.cards import CARD_ROLE, LINES_ROLE, Badge, Card
from warroom.ui.panels.plans.rows import Mark
from warroom.ui.panels.plans.text import fill, kind_rank, kind_word, run_state, time_text, translate

PLAN_ROLE = Qt.ItemDataRole.UserRole + 21
#: The widest kind chip, so that every title starts at the same place.
CHIP_SAMPLE = "RATE LIMIT"


@dataclass(frozen=True)
class PlanRow:
    """What one row shows: the plan, its latest run, and the root causes it is suggested for."""

    plan: Plan
    run: PlanRun | None = None
    suggested_for: tuple[str, ...] = ()


def level_color(level: str) -> str:
    """The colour of a ``run_state`` level in the current theme."""
    t = theme.current()
    return {"ok": t.ok, "warn": t.warn, "crit": t.crit, "accent": t.accent}.get(level, t.text_dim)


def latest_runs(runs: Iterable[PlanRun]) -> dict[str, PlanRun]:
    """Each plan's newest run (``runs`` newest first, as ``PlanBook.runs`` gives them)."""
    out: dict[str, PlanRun] = {}
    for r in runs:
        out.setdefault(r.plan_id, r)
    return out


def plan_rows(plans: Iterable[Plan], runs: Mapping[str, PlanRun],
              suggested: Mapping[str, tuple[str, ...]]) -> list[PlanRow]:
    """The rows in list order (see the module docstring); ``suggested`` is ``suggest()``'s
    answer, best plans first."""
    order = {pid: i for i, pid in enumerate(suggested)}
    rows = [PlanRow(p, runs.get(p.id), suggested.get(p.id, ())) for p in plans]
    return sorted(rows, key=lambda r: (not r.suggested_for, order.get(r.plan.id, 0) if r.suggested_for else 0,
                                       not (r.run is not None and r.run.live),
                                       kind_rank(r.plan.kind), r.plan.title, r.plan.id))


def plan_card(row: PlanRow) -> Card:
    """The card of one row."""
    t = theme.current()
    plan, run = row.plan, row.run
    badges = []
    if row.suggested_for:
        badges.append(Mark(translate("PlansPanel", "SUGGESTED"), t.accent, boxed=True, bold=True, short="★"))
    badges.append(risk_badge(plan))
    badges.append(Badge(current_names().display(plan.target_kind, plan.target)))  # the id is in the tooltip
    right, right_color = "", ""
    if run is not None:
        word, level = run_state(run)
        right, right_color = word, level_color(level)
        when = run.ended_ms or run.executed_ms or run.confirmed_ms
        badges.append(Badge(fill(translate("PlansPanel", "by %1 at %2"), run.actor or "?", time_text(when))))
    live = run is not None and run.live
    return Card(chip=kind_word(plan.kind), chip_color=t.text_dim, chip_filled=False, title=plan.title,
                bold=bool(row.suggested_for) or live, right=right, right_color=right_color, badges=tuple(badges))


def risk_badge(plan: Plan) -> Badge:
    """The plan's risk mark: outlined, in the text colour, never an alert colour (a high-risk
    plan is one that needs its id typed to confirm, not something on fire)."""
    t = theme.current()
    if plan.critical:
        return Badge(translate("PlansPanel", "RISK: HIGH"), t.text, boxed=True)
    return Badge(translate("PlansPanel", "RISK: LOW"), t.text_dim, boxed=True)


def risk_text(plan: Plan) -> str:
    """What the risk mark means, in words (tooltip and detail)."""
    if plan.critical:
        return translate("PlansPanel", "High risk: to execute, type the plan's id to confirm")
    return translate("PlansPanel", "Low risk: confirm twice to execute")


def row_tooltip(row: PlanRow) -> str:
    """Everything the one-line row leaves out."""
    plan, run = row.plan, row.run
    lines = [plan.title, f"{kind_word(plan.kind)} · {plan.target} · {plan.id}", risk_text(plan)]
    if row.suggested_for:
        lines.append(translate("PlansPanel", "SUGGESTED for %1").replace("%1", ", ".join(row.suggested_for)))
    if run is not None:
        when = run.ended_ms or run.executed_ms or run.confirmed_ms
        lines.append(f"{run_state(run)[0]} " + fill(translate("PlansPanel", "by %1 at %2"), run.actor or "?",
                                                    time_text(when)))
    return "\n".join(lines)


def summary(rows: list[PlanRow]) -> tuple[str, str]:
    """The line above the list (``14 plans · 1 in force · 1 suggested``) and its level
    (``crit`` when a run is NOT EFFECTIVE, ``dim`` when there are no plans, else "")."""
    if not rows:
        return translate("PlansPanel", "The feed offers no plans"), "dim"
    live = [r.run for r in rows if r.run is not None and r.run.live]
    bad = sum(1 for r in live if r.state == "not_effective")
    parts = [translate("PlansPanel", "%1 plans").replace("%1", str(len(rows)))]
    if live:
        parts.append(translate("PlansPanel", "%1 in force").replace("%1", str(len(live))))
    if bad:
        parts.append(translate("PlansPanel", "%1 NOT EFFECTIVE").replace("%1", str(bad)))
    suggested = sum(1 for r in rows if r.suggested_for)
    if suggested:
        parts.append(translate("PlansPanel", "%1 suggested").replace("%1", str(suggested)))
    return "  ·  ".join(parts), "crit" if bad else ""


class PlanListModel(QAbstractListModel):
    """The plans as rows of cards; ``set_rows`` swaps them (a catalogue is a few dozen plans)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[PlanRow] = []
        self._cards: dict[int, Card] = {}

    @property
    def rows(self) -> list[PlanRow]:
        """The rows as shown."""
        return list(self._rows)

    def set_rows(self, rows: list[PlanRow]) -> bool:
        """Show ``rows``; True if the order of plans changed (selection must be put back)."""
        if rows == self._rows:
            return False
        same_order = [r.plan.id for r in rows] == [r.plan.id for r in self._rows]
        if same_order:
            self._rows, self._cards = rows, {}
            if rows:
                self.dataChanged.emit(self.index(0), self.index(len(rows) - 1))
            return False
        self.beginResetModel()
        self._rows, self._cards = rows, {}
        self.endResetModel()
        return True

    def row_of(self, plan_id: str | None) -> int:
        """The row showing ``plan_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.plan.id == plan_id), -1)

    def plan_at(self, index: QModelIndex) -> str | None:
        """The plan id at ``index``, if any."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()].plan.id

    # -- QAbstractListModel ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == CARD_ROLE:
            card = self._cards.get(index.row())
            if card is None:
                card = self._cards[index.row()] = plan_card(row)
            return card
        if role == LINES_ROLE:
            return 1
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_tooltip(row)
        if role == PLAN_ROLE:
            return row.plan.id
        if role == Qt.ItemDataRole.DisplayRole:
            return row.plan.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            c = plan_card(row)
            return " · ".join([c.chip, c.title, c.right, *(b.text for b in c.badges)])
        return None
