"""The commander's plan desk: preview, execute, verify and roll back plans over the feed.

``PlanDesk`` joins the GUI-free ``PlanBook`` (``warroom.core.plan.plan_runs``) to a feed client
and the live view. Every step is recorded as an audit event (``record``: the store, then the
view). Commands carry the run's id as idempotency key; a command that could not be sent
(the feed was down) is sent again with the same key when the feed is back, and the feed's
plan catalogue settles anything left in flight, so a plan runs once and shows its true state.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from warroom.core.plan.impact import Impact, preview
from warroom.core.language.lang import language
from warroom.core.model import Event, EventKind
from warroom.core.language.names import names_for
from warroom.core.plan.plan_runs import PlanBook, PlanRun
from warroom.core.plan.plans import Plan
from warroom.io.client import ConnectionState, FeedClient, FeedStatus, NotConnected
from warroom.protocol import Command, CommandResult, Events, MetricBatch, PlanCatalogue
from warroom.store.live import LiveView

log = logging.getLogger(__name__)

#: History an impact preview rests on.
PREVIEW_SPAN_MS = 5 * 60_000
#: A command the feed has not answered in this long (feed time) is reported failed.
COMMAND_TIMEOUT_MS = 30_000
_ROLLBACK = "-rollback"


_localized: tuple[object, str, tuple[Plan, ...]] | None = None


def localized_plans(plans: tuple[Plan, ...]) -> tuple[Plan, ...]:
    """``plans`` in the console's language; the same tuple while the catalogue and the
    language stay (the panel redraws on a new tuple)."""
    global _localized
    lang = language()
    if _localized is not None and _localized[0] is plans and _localized[1] == lang:
        return _localized[2]
    out = plans if lang == "en" else tuple(p.localized(lang) for p in plans)
    _localized = (plans, lang, out)
    return out


class DeskReading:
    """What the plans panel reads from a desk, live or replayed: the catalogue in the view,
    the runs in ``book``, previews from the minutes before the view's cursor."""

    view: LiveView
    book: PlanBook

    def plans(self) -> tuple[Plan, ...]:
        """The feed's plan catalogue (at the cursor), in the console's language where the
        feed gave one (titles, descriptions, steps; protocol 1.1)."""
        names_for(self.view.topology, self.view.plans)  # the names the plan texts use
        return localized_plans(self.view.plans)

    def plan(self, plan_id: str) -> Plan:
        """One plan of the catalogue (``KeyError`` if the feed offers none by that id)."""
        for p in self.plans():
            if p.id == plan_id:
                return p
        raise KeyError(plan_id)

    def runs(self) -> list[PlanRun]:
        """Every run, newest first."""
        return self.book.runs()

    def impact(self, plan_id: str) -> Impact:
        """The plan's estimated impact from the ``PREVIEW_SPAN_MS`` before the cursor."""
        view, end = self.view, self.view.cursor_ms

        def recent(key):
            return [] if end is None else view.window(key, PREVIEW_SPAN_MS, end)[1].tolist()

        return preview(self.plan(plan_id), view.topology, recent)


class PlanDesk(DeskReading):
    """Plans of one console; see the module docstring."""

    def __init__(self, client: FeedClient, view: LiveView, record: Callable[[list[Event]], None] | None = None,
                 book: PlanBook | None = None) -> None:
        self.client = client
        self.view = view
        self.record = record
        self.book = book or PlanBook()
        self.version = 0
        self.last_error = ""
        self._unsent: dict[str, Command] = {}  # idempotency key -> command waiting for the feed

    #: Why plans cannot be run when ``may_execute`` is False: the role (a replay says "replay").
    lock_reason = "role"

    # -- reading ---------------------------------------------------------------------------
    @property
    def may_execute(self) -> bool:
        """False for a viewer's console: plans are shown, not run."""
        return self.client.may_command

    # -- the commander's steps ---------------------------------------------------------------
    def record_preview(self, plan_id: str, actor: str, impact: Impact) -> list[Event]:
        """Note in the audit trail that ``actor`` looked at this preview."""
        figures = {**impact.figures, "warnings": list(impact.warnings)}
        return self._done(self.book.preview(self.plan(plan_id), actor, self._now(), figures))

    async def execute(self, plan_id: str, actor: str, reason: str, typed: str = "") -> PlanRun:
        """Confirm and send. ``ValueError`` when the confirmation is refused (nothing sent) or
        this console may not execute; a feed that is down is retried on reconnect."""
        if not self.may_execute:
            raise ValueError("this console's role may view plans but not execute them")
        plan = self.plan(plan_id)
        run, events = self.book.confirm(plan, actor, reason, self._now(), typed=typed, value=self.view.value)
        self._done(events)
        cmd = Command(run.id, "execute_plan", {"plan_id": plan.id}, actor=run.actor, reason=run.reason)
        await self._send(cmd, run.id)
        return self.book.run(run.id)

    async def rollback(self, run_id: str, actor: str, reason: str) -> PlanRun:
        """Ask the feed to undo a run (``ValueError`` if there is nothing to roll back)."""
        if not self.may_execute:
            raise ValueError("this console's role may view plans but not roll them back")
        self._done(self.book.request_rollback(run_id, actor, reason, self._now()))
        run = self.book.run(run_id)
        cmd = Command(run.id + _ROLLBACK, "rollback_plan", {"plan_id": run.plan_id}, actor=actor, reason=reason)
        await self._send(cmd, None)
        return self.book.run(run_id)

    # -- what the feed says -----------------------------------------------------------------
    def on_item(self, item: object) -> list[Event]:
        """Feed every item the client delivers; returns (and records) the audit events."""
        if isinstance(item, CommandResult):
            key = item.idempotency_key
            rollback = key.endswith(_ROLLBACK)
            run_id = key[: -len(_ROLLBACK)] if rollback else key
            return self._done(self.book.on_result(run_id, item.state, item.message, self._now(),
                                                  replay=item.replay, rollback=rollback))
        if isinstance(item, Events):
            out = []
            for ev in item.events:
                if ev.kind is EventKind.PLAN_EXECUTION:
                    out += self.book.on_feed_event(ev)
            return self._done(out)
        if isinstance(item, PlanCatalogue):
            # Only runs that never got an answer are settled from the catalogue; the rest
            # follow the feed's own plan events.
            return self._done(self.book.reconcile_active(item.active, self._now()))
        if isinstance(item, MetricBatch):
            now = self._now()
            return self._done(self.book.timeouts(now, COMMAND_TIMEOUT_MS) + self.book.tick(now, self.view.value))
        if isinstance(item, FeedStatus) and item.state is ConnectionState.LIVE and self._unsent:
            asyncio.get_running_loop().create_task(self._resend())
        return []

    # -- internals -----------------------------------------------------------------------------
    async def _send(self, cmd: Command, run_id: str | None) -> None:
        try:
            await self.client.send_command(cmd)
        except NotConnected as exc:
            self._unsent[cmd.idempotency_key] = cmd
            self.last_error = f"feed down, will send when it is back: {exc}"
            self.version += 1
            return
        if run_id is not None:
            self._done(self.book.sent(run_id, self._now()))

    async def _resend(self) -> None:
        for key, cmd in list(self._unsent.items()):
            try:
                await self.client.send_command(cmd)
            except NotConnected:
                return
            del self._unsent[key]
            if not key.endswith(_ROLLBACK):
                self._done(self.book.sent(key, self._now()))
        self.last_error = ""
        self.version += 1

    def _now(self) -> int:
        v = self.view
        return v.feed_now_ms or v.newest_ms or 0

    def _done(self, events: list[Event]) -> list[Event]:
        if events:
            self.version += 1
            if self.record is not None:
                self.record(events)
        return events
