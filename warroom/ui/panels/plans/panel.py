"""The commander's contingency plans: what each would do, run it deliberately, see it work.

The list holds the feed's plans (``PlanDesk.plans``), one line each, suggested ones first —
those that address a current root cause by their target and kind, against the feed's topology
(``warroom.core.plan.suggest``), or that the root alert's rule names — with the kind, a ``SUGGESTED`` mark, the plan's
risk (``RISK: HIGH``, outlined: not an alert severity) and the state of the latest run in
colour (see ``list_model`` and ``rows``). The list sits beside the detail unless the panel
is taller than wide (docked at a side), so a bottom dock at 1080p lists ten plans or more. Selecting a plan shows its impact
preview in plain words (``PlanDesk.impact``, from the last minutes of data) and lights on
the map what it touches: the panel sets ``LiveView.highlight`` to ``{"services", "edges",
"scenarios", "source": "plan"}`` and clears it when nothing is selected (see ``plan_detail``).

**Execute…** is two steps (``plan_dialogs``): review the impact and give a reason, then
confirm — typing the plan's id for a critical plan. Opening step 1 records the preview in
the audit trail; cancelling at either step sends nothing. The command then goes out through
``PlanDesk.execute`` on the asyncio loop, with the run's id as idempotency key; its
``ValueError`` is shown in the panel, never raised. The run's progress, the guard KPI before
and after, a NOT EFFECTIVE prompt and an expiry warning follow from the desk. **Roll back…**
asks why and calls ``PlanDesk.rollback``. A viewer's console shows everything but the two
buttons are disabled. Who acts is ``AlertWatch.user``, else the console asks.

On a commander's console, selecting a plan also asks the feed for its dry run
(``PlanDesk.dry_run``, on the asyncio loop: ``spawn_dry_run``), shown under the impact
preview as "Change it would send" and repeated by the confirmation. It is asked again at most
every ``dry_run_interval_s`` while the plan stays selected (a gateway's dry run reads the
real system), never while a question is on its way, and not at all in a replay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Coroutine

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QListView, QScrollArea, QSplitter,
                               QVBoxLayout, QWidget)

from warroom.app.plan_desk import DryRun
from warroom.core.plan.impact import Impact
from warroom.core.model import SeriesKey
from warroom.core.plan.plan_runs import PlanRun
from warroom.core.plan.plans import Plan
from warroom.core.plan.suggest import suggest
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.alerts.widgets import MessageLine, make_button, off_label, off_or_page
from warroom.ui.panels.base import Panel
from warroom.ui.panels.plans.actions import ROLLBACK_STATES, PlanActions, locked_reason
from warroom.ui.panels.plans.detail import PlanDetail
from warroom.ui.panels.plans.list_model import (PlanListModel, PlanRow, latest_runs, level_color, plan_rows,
                                                summary)
from warroom.ui.panels.plans.progress import audit_by_action
from warroom.ui.panels.plans.rows import PlanRowDelegate
from warroom.ui.panels.plans.text import KIND_ORDER, fill, kind_word, run_state

log = logging.getLogger(__name__)
_UNSET = object()
#: Narrower than this (px at 1080p), or taller than wide, the detail goes under the list.
NARROW_PX = 560
#: The list's share of the width when it sits beside the detail.
LIST_SHARE = 0.5


def spawn_dry_run(coro: Coroutine[Any, Any, Any]) -> bool:
    """Run a dry run on the console's asyncio loop (qasync) if one runs; False (and nothing
    runs) where none does — a plain Qt test, a snapshot before the loop starts."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        return False
    loop.create_task(coro)
    return True


class PlansPanel(PlanActions, Panel):
    """Contingency plans: list, impact preview, execute, progress, rollback (module docstring)."""

    ID = "plans"
    TITLE = "Contingency plans"
    DEFAULT_AREA = "bottom"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self._desk: Any = _UNSET
        self._key: tuple | None = None  # what the list and detail were drawn from
        self._plans: Any = None  # the catalogue tuple drawn (identity: a new catalogue is a new tuple)
        self._selected: str | None = None
        self._suggested: dict[str, tuple[str, ...]] = {}
        self._impact: Impact | None = None
        self._impact_at = 0.0  # monotonic time of the last estimate
        self._impact_version = -1  # view.version it was made from
        self._run: PlanRun | None = None  # the selected plan's latest run, as drawn
        self._clock_at = 0.0
        self._resetting = False
        self.preview_interval_s = 5.0  # re-estimate the selected plan this often while data arrives
        # Ask the feed for the selected plan's dry run at most this often: it reads the real system.
        self.dry_run_interval_s = 15.0
        self._dry_asked: dict[str, float] = {}  # plan id -> monotonic time it was last asked
        self._dry_drawn: Any = None  # the DryRun the detail shows
        self.clock_interval_s = 1.0
        t = theme.current()

        self.off = QWidget(self)
        self.off_label = off_label(self.off, self.tr("Plans unavailable"), "plans_unavailable")
        why = QLabel(self.tr("This console has no plan desk: it is not connected to a feed."), self.off)
        why.setWordWrap(True)
        why.setFont(theme.ui_font(13.0))
        why.setStyleSheet(f"color: {t.text_dim};")
        off_col = QVBoxLayout(self.off)
        off_col.addStretch(1)
        for w in (self.off_label, why):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            off_col.addWidget(w)
        off_col.addStretch(1)

        page = QWidget(self)
        self.summary = QLabel(page)
        self.summary.setObjectName("plan_summary")
        self.summary.setFont(theme.ui_font(16.0, bold=True))
        self.execute_button = make_button(page, self.tr("Execute…"), "execute_plan_button")
        self.rollback_button = make_button(page, self.tr("Roll back…"), "rollback_plan_button")
        self.execute_button.clicked.connect(lambda: self.execute_selected())
        self.rollback_button.clicked.connect(lambda: self.rollback_selected())
        self.message = MessageLine(page)
        self.message.setObjectName("plan_message")
        head = QHBoxLayout()  # one row: a bottom dock has little height to spare
        head.setContentsMargins(6, 0, 6, 0)
        head.addWidget(self.summary)
        head.addWidget(self.message, 10)
        head.addStretch(1)  # keeps the buttons at their size while no message shows
        head.addWidget(self.execute_button)
        head.addWidget(self.rollback_button)

        self.model = PlanListModel(self)
        self.list = QListView(page)
        self.list.setObjectName("plan_list")
        self.list.setModel(self.model)
        self.list.setItemDelegate(PlanRowDelegate(self.list, chip_samples=tuple(kind_word(k) for k in KIND_ORDER)))
        self.list.setUniformItemSizes(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setStyleSheet("QListView { selection-background-color: transparent; }")  # the cards paint it
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.list)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self.clear_selection)

        self.detail = PlanDetail()
        self.detail.sig_rollback_requested.connect(lambda: self.rollback_selected())
        self.detail.sig_pause_requested.connect(lambda: self.pause_selected())
        self.detail.sig_resume_requested.connect(lambda: self.resume_selected())
        self.detail.sig_abort_requested.connect(lambda: self.abort_selected())
        self.detail.value_of = self._series_value
        scroll = QScrollArea(page)
        scroll.setObjectName("plan_detail_scroll")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.detail)
        split = QSplitter(Qt.Orientation.Horizontal, page)
        split.addWidget(self.list)
        split.addWidget(scroll)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.splitter = split

        col = QVBoxLayout(page)
        col.setContentsMargins(4, 4, 4, 4)
        col.setSpacing(4)
        col.addLayout(head)
        col.addWidget(split, 1)
        self.stack = off_or_page(self, self.off, page)
        self.refresh()

    # -- reading ---------------------------------------------------------------------------
    @property
    def desk(self) -> Any:
        """The ``PlanDesk`` shown (None when plans are unavailable)."""
        return self.source.plan_desk

    def selected_plan(self) -> Plan | None:
        """The plan selected, if it is still in the catalogue."""
        desk = self.desk
        if desk is None or self._selected is None:
            return None
        try:
            return desk.plan(self._selected)
        except KeyError:
            return None

    def selected_run(self) -> PlanRun | None:
        """The selected plan's latest run, if any."""
        desk = self.desk
        if desk is None or self._selected is None:
            return None
        return latest_runs(desk.runs()).get(self._selected)

    @property
    def impact(self) -> Impact | None:
        """The preview shown for the selected plan."""
        return self._impact

    # -- drawing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw when the desk, its runs, the catalogue or the alerts changed; otherwise only
        re-estimate the selected plan now and then and move the clocks."""
        desk = self.source.plan_desk
        if desk is not self._desk:
            self._desk, self._key = desk, None
            self.stack.setCurrentIndex(0 if desk is None else 1)
            if desk is None:
                self._select(None)
        if desk is None:
            return
        watch = self.source.alerting
        # The topology is in the key: suggestions follow the graph (entries, scenarios).
        key = (desk.version, id(watch), getattr(watch, "version", None), desk.may_execute,
               id(self.source.topology), getattr(self.source.topology, "version", None))
        plans = self.source.plans
        if key != self._key or plans is not self._plans:
            catalogue_changed = plans is not self._plans
            self._key, self._plans = key, plans
            self._redraw(desk, watch, catalogue_changed)
            self._follow_dry_run()
            return
        now = time.monotonic()
        if (self._selected is not None and now - self._impact_at >= self.preview_interval_s
                and self.source.version != self._impact_version):
            self._estimate()
        if self._run is not None and self._run.live and now - self._clock_at >= self.clock_interval_s:
            self._clock_at = now
            self.detail.update_clock(self._run, self._now_ms(), self._guard_now(self._run))
        self._follow_dry_run()

    def _redraw(self, desk: Any, watch: Any, catalogue_changed: bool) -> None:
        runs = latest_runs(desk.runs())
        plans = desk.plans()
        self._suggested = suggest(plans, watch.alerts(), self.source.topology) if watch is not None else {}
        rows = plan_rows(plans, runs, self._suggested)
        self._resetting = True  # a new order resets the list: that is not the person deselecting
        try:
            reordered = self.model.set_rows(rows)
        finally:
            self._resetting = False
        if reordered:
            self._reselect()
        self._show_summary(rows)
        if self._selected is not None and self.model.row_of(self._selected) < 0:
            self._select(None)  # the feed no longer offers it
        elif self._selected is not None:
            plan = self.selected_plan()
            run = runs.get(self._selected)
            if run is not self._run:  # runs are replaced, never changed in place
                self._show_run(run)
            if plan is not None:
                self.detail.show_plan(plan, self._suggested.get(plan.id, ()))
                if catalogue_changed or self._impact is None:
                    self._estimate()
                else:
                    self._show_impact(plan, self._impact)  # "if executed now" or "in force"
        self._update_buttons()

    def _show_summary(self, rows: list[PlanRow]) -> None:
        text, level = summary(rows)
        color = level_color(level) if level else theme.current().text
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {color}; padding: 2px 6px;")

    def _show_run(self, run: PlanRun | None) -> None:
        self._run = run
        self._clock_at = time.monotonic()
        # Audit events carry the feed clock's time, which may run ahead of the newest data.
        audit = audit_by_action(self.source.events(run.confirmed_ms, 2**62), run.id) if run is not None else {}
        self.detail.show_run(run, audit, self._now_ms(), self._guard_now(run) if run is not None else None)

    def _series_value(self, series: str) -> float | None:
        """A guard series' value now (a staged shift's ladder shows each guard's)."""
        try:
            return self.source.value(SeriesKey.parse(series))
        except ValueError:
            return None

    def _guard_now(self, run: PlanRun) -> float | None:
        if run.guard is None:
            return None
        try:
            return self.source.value(SeriesKey.parse(run.guard["series"]))
        except ValueError:
            return None

    def _now_ms(self) -> int | None:
        v = self.source
        return v.feed_now_ms or v.newest_ms

    def _update_buttons(self) -> None:
        desk, plan, run = self.desk, self.selected_plan(), self._run
        may = desk is not None and desk.may_execute
        live = run is not None and run.live
        self.execute_button.setEnabled(may and plan is not None and not live)
        can_undo = may and run is not None and run.state in ROLLBACK_STATES
        self.rollback_button.setEnabled(can_undo)
        self.detail.prompt_button.setEnabled(can_undo)
        ladder = run.ladder if run is not None and live else None
        climbing = may and ladder is not None and not ladder.ended and ladder.phase != "rolling_back"
        self.detail.pause_button.setEnabled(climbing and not ladder.paused)
        self.detail.resume_button.setEnabled(climbing and ladder.paused)
        self.detail.abort_button.setEnabled(climbing)
        if desk is not None and not may:
            for b in (self.detail.pause_button, self.detail.resume_button, self.detail.abort_button):
                b.setToolTip(locked_reason(desk))
        if desk is not None and not may:
            tip = locked_reason(desk)
            for b in (self.execute_button, self.rollback_button, self.detail.prompt_button):
                b.setToolTip(tip)
        else:
            self.execute_button.setToolTip(
                run_state(run)[0] if live and run is not None else self.tr("Review the impact, then confirm twice"))
            self.rollback_button.setToolTip(self.tr("Undo the selected plan's run"))
            self.detail.prompt_button.setToolTip(self.tr("Undo the plan"))

    # -- selection -------------------------------------------------------------------------
    def select_plan(self, plan_id: str) -> bool:
        """Select a plan by id; False if it is not listed."""
        row = self.model.row_of(plan_id)
        if row < 0:
            return False
        self.list.setCurrentIndex(self.model.index(row))
        return True

    def clear_selection(self) -> None:
        """Select nothing (and take the plan off the map)."""
        self.list.selectionModel().clearCurrentIndex()
        self.list.clearSelection()
        self._select(None)

    def _reselect(self) -> None:
        row = self.model.row_of(self._selected)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        plan_id = self.model.plan_at(current)
        if plan_id != self._selected and not self._resetting:
            self._select(plan_id)

    def _select(self, plan_id: str | None) -> None:
        self._selected = plan_id
        plan = self.selected_plan()
        if plan is None:
            self._selected, self._impact, self._run = None, None, None
            self._set_highlight(None)
            self.detail.show_nothing(self.tr("Select a plan to see what it would do."))
        else:
            self._show_run(self.selected_run())
            self.detail.show_plan(plan, self._suggested.get(plan.id, ()))
            self._estimate()
        self._follow_dry_run()
        self._update_buttons()

    # -- the feed's dry run ------------------------------------------------------------------
    def _follow_dry_run(self) -> None:
        """Ask for the selected plan's dry run when it is due, and show the desk's last answer."""
        desk, plan_id = self.desk, self._selected
        dry = None
        if desk is not None and plan_id is not None and getattr(desk, "may_dry_run", False):
            dry = desk.dry_run_of(plan_id)
            now = time.monotonic()
            # From the later of the question and the answer: a slow answer is not asked again at once.
            last = max(self._dry_asked.get(plan_id, float("-inf")), dry.at_s if dry is not None else float("-inf"))
            due = now - last >= self.dry_run_interval_s
            if due and (dry is None or dry.state != "asking"):
                self._dry_asked[plan_id] = now
                if spawn_dry_run(self._ask_dry_run(desk, plan_id)) and dry is None:
                    dry = DryRun(plan_id, "asking", at_s=now)  # shown at once; the desk's own follows
        if dry is not self._dry_drawn:
            self._dry_drawn = dry
            self.detail.show_change(dry)

    async def _ask_dry_run(self, desk: Any, plan_id: str) -> None:
        try:
            await desk.dry_run(plan_id)
        except Exception:  # the desk never raises; a bug there must not reach the loop
            log.exception("dry run of %s failed", plan_id)
        try:
            if self.desk is desk and self._selected == plan_id:
                self._follow_dry_run()  # at once: no data may arrive to trigger a refresh
        except RuntimeError:  # the panel was closed while the feed was asked
            pass

    def _estimate(self) -> None:
        """Estimate the selected plan's impact from the view's recent data and show it."""
        desk, plan = self.desk, self.selected_plan()
        self._impact_at, self._impact_version = time.monotonic(), self.source.version
        if desk is None or plan is None:
            return
        try:
            impact = desk.impact(plan.id)
        except Exception as exc:  # a bad plan or topology must not take the panel down
            log.exception("impact preview of %s failed", plan.id)
            self._impact = None
            self.message.show_error(fill(self.tr("No preview for %1: %2"), plan.id, exc))
            return
        self._impact = impact
        self._show_impact(plan, impact)
        self._set_highlight(impact)

    def _show_impact(self, plan: Plan, impact: Impact) -> None:
        in_force = self._run is not None and self._run.live
        self.detail.show_impact(plan, impact, self.source.topology, self.source.cursor_ms, in_force)

    def _set_highlight(self, impact: Impact | None) -> None:
        """Tell the map what the selected plan touches (``None`` takes ours off, not another's)."""
        view = self.source
        current = getattr(view, "highlight", None)
        if impact is None:
            if not (isinstance(current, dict) and current.get("source") == "plan"):
                return
            value = None
        else:
            value = {"services": impact.services, "edges": impact.edges, "scenarios": impact.scenarios,
                     "source": "plan"}
        if value != current:
            setattr(view, "highlight", value)
            view.version += 1  # the map redraws on the next frame even when no data arrives

    # -- Qt ----------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        # Docked at a side the panel is tall and narrow: the detail goes under the list.
        # A bottom dock is short: side by side, the list keeps the whole height for its rows.
        size = event.size()
        wide = size.width() >= theme.px(NARROW_PX) and size.width() >= size.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            length = size.width() if wide else size.height()
            self.splitter.setSizes([int(length * LIST_SHARE), length - int(length * LIST_SHARE)])

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self._set_highlight(None)  # a closed or tabbed-away panel leaves nothing lit on the map

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._impact is not None:
            self._set_highlight(self._impact)

    # -- state -----------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """The split between the list and the detail."""
        return {"splitter": self.splitter.sizes()}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply saved settings; bad entries are ignored."""
        sizes = state.get("splitter") if isinstance(state, dict) else None
        if isinstance(sizes, list) and len(sizes) == 2 and all(isinstance(s, int) and s > 0 for s in sizes):
            self.splitter.setSizes(sizes)
