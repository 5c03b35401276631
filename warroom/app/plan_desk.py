"""The commander's plan desk: preview, execute, verify and roll back plans over the feed.

``PlanDesk`` joins the GUI-free ``PlanBook`` (``warroom.core.plan.plan_runs``) to a feed client
and the live view. Every step is recorded as an audit event (``record``: the store, then the
view). Commands carry the run's id as idempotency key; a command that could not be sent
(the feed was down) is sent again with the same key when the feed is back, and the feed's
plan catalogue settles anything left in flight, so a plan runs once and shows its true state.

A dry run (``dry_run``, protocol 1.3 ``preview_plan``) asks the feed which exact change a plan
would send — the executor's requests, the state before and after, its warnings — and changes
nothing. Each asks with a fresh idempotency key; the last answer per plan is kept as a
``DryRun`` (``dry_run_of``), whatever happened: answered, refused, not supported by this feed,
failed, or no answer (the feed is down or silent). It never raises into the console.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from warroom.core.clock import monotonic
from warroom.core.plan.impact import Impact, preview
from warroom.core.language.lang import language
from warroom.core.model import Event, EventKind
from warroom.core.language.names import names_for
from warroom.core.plan.plan_runs import PlanBook, PlanRun
from warroom.core.plan.plans import Plan
from warroom.core.plan.stages import CAP_STAGES, ladder_of
from warroom.io.client import ConnectionState, FeedClient, FeedStatus, NotConnected
from warroom.protocol import Command, CommandResult, Events, Hello, MetricBatch, PlanCatalogue, ServerError
from warroom.store.live import LiveView

log = logging.getLogger(__name__)

#: History an impact preview rests on.
PREVIEW_SPAN_MS = 5 * 60_000
#: A command the feed has not answered in this long (feed time) is reported failed.
COMMAND_TIMEOUT_MS = 30_000
_ROLLBACK = "-rollback"
#: A staged shift's stage N (1 and up) is sent as ``<run id>-stage-N``; stage 0 is the run's own key.
_STAGE = "-stage-"
#: A dry run the feed has not answered in this long (wall seconds) ends as "no answer". A
#: gateway's dry run reads the real system (rules, routes), which may take a few seconds.
DRY_RUN_TIMEOUT_S = 30.0
_DRY = "dry-"
#: Longest text kept from a feed's change (a summary, a URL, a warning): it is shown, not parsed.
_TEXT_MAX = 2000


@dataclass(frozen=True)
class DryRun:
    """The last dry run of a plan, as the console shows it.

    ``state``: ``asking`` (sent, no answer yet; ``change`` holds the previous answer, if any),
    ``answered`` (``change`` is the feed's CHANGE: executor, summary, target, requests,
    before, after, warnings), ``unsupported`` (this feed does not know ``preview_plan``),
    ``refused`` (the feed rejected it: role, unknown plan), ``failed`` (the target could not
    be read), ``no_answer`` (feed down or silent) or ``not_allowed`` (this console's role may
    not ask; nothing was sent). ``reason`` says why in the feed's or the desk's words.
    ``at_s`` is the monotonic time of this state.
    """

    plan_id: str
    state: str
    change: Mapping[str, Any] | None = None
    reason: str = ""
    at_s: float = 0.0


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

    #: Whether ``dry_run`` can ask anything (a replay has no feed to ask).
    may_dry_run = False

    def dry_run_of(self, plan_id: str) -> DryRun | None:
        """The last dry run of ``plan_id`` (None: never asked, or no feed to ask)."""
        return None

    def change_for(self, plan_id: str) -> dict | None:
        """The change the feed said ``plan_id`` would send (None when it gave none)."""
        dry = self.dry_run_of(plan_id)
        return dict(dry.change) if dry is not None and dry.change is not None else None


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
        self._dry: dict[str, DryRun] = {}  # plan id -> its last dry run
        self._dry_waiting: dict[str, tuple[str, asyncio.Future]] = {}  # key -> (plan id, the feed's answer)
        self._dry_settled: dict[str, asyncio.Future] = {}  # plan id -> done when its DryRun is stored
        #: The feed's hello capabilities (None until a hello): a staged plan needs ``stages``.
        self.feed_capabilities: tuple[str, ...] | None = None

    #: Why plans cannot be run when ``may_execute`` is False: the role (a replay says "replay").
    lock_reason = "role"

    # -- reading ---------------------------------------------------------------------------
    @property
    def may_execute(self) -> bool:
        """False for a viewer's console: plans are shown, not run."""
        return self.client.may_command

    @property
    def may_dry_run(self) -> bool:  # type: ignore[override]
        """A dry run reads the real system: the commander's role, like executing."""
        return self.may_execute

    def dry_run_of(self, plan_id: str) -> DryRun | None:
        """The last dry run of ``plan_id`` (None: never asked)."""
        return self._dry.get(plan_id)

    # -- the commander's steps ---------------------------------------------------------------
    def record_preview(self, plan_id: str, actor: str, impact: Impact) -> list[Event]:
        """Note in the audit trail that ``actor`` looked at this preview, and at the change the
        feed's dry run said it would send (``figures.dry_run``), when there was one."""
        figures = {**impact.figures, "warnings": list(impact.warnings)}
        dry = self._dry.get(plan_id)
        if dry is not None:
            figures["dry_run"] = _dry_run_record(dry)
        return self._done(self.book.preview(self.plan(plan_id), actor, self._now(), figures))

    async def dry_run(self, plan_id: str) -> dict | None:
        """Ask the feed which change ``plan_id`` would send; the CHANGE, or None when there is
        none (``dry_run_of`` then says why). Never raises; one question per plan at a time."""
        settled = self._dry_settled.get(plan_id)
        if settled is not None:  # already asked: the same answer
            await asyncio.shield(settled)
            return self.change_for(plan_id)
        if not self.may_dry_run:
            self._set_dry(plan_id, "not_allowed", reason="this console's role may not ask for a dry run")
            return None
        key = f"{_DRY}{uuid.uuid4().hex}"
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        self._dry_waiting[key] = (plan_id, fut)
        self._dry_settled[plan_id] = settled = asyncio.get_running_loop().create_future()
        last = self._dry.get(plan_id)
        self._set_dry(plan_id, "asking", last.change if last is not None else None)
        try:
            await self.client.send_command(Command(key, "preview_plan", {"plan_id": plan_id},
                                                   actor=getattr(self.client, "user", "") or ""))
            answer = await asyncio.wait_for(asyncio.shield(fut), DRY_RUN_TIMEOUT_S)
        except NotConnected as exc:
            self._set_dry(plan_id, "no_answer", reason=f"feed down: {exc}")
        except TimeoutError:
            self._set_dry(plan_id, "no_answer", reason=f"the feed did not answer in {DRY_RUN_TIMEOUT_S:.0f} s")
        except Exception as exc:  # a dry run must never take the console down
            log.warning("dry run of %s failed", plan_id, exc_info=True)
            self._set_dry(plan_id, "no_answer", reason=f"{type(exc).__name__}: {exc}")
        else:
            self._take_answer(plan_id, answer)
        finally:
            del self._dry_waiting[key]
            del self._dry_settled[plan_id]
            settled.set_result(None)  # anyone waiting on the same question reads dry_run_of now
        return self.change_for(plan_id)

    async def execute(self, plan_id: str, actor: str, reason: str, typed: str = "") -> PlanRun:
        """Confirm and send. ``ValueError`` when the confirmation is refused (nothing sent) or
        this console may not execute; a feed that is down is retried on reconnect."""
        if not self.may_execute:
            raise ValueError("this console's role may view plans but not execute them")
        plan = self.plan(plan_id)
        caps = self.feed_capabilities
        if caps is not None and CAP_STAGES not in caps and ladder_of(plan) is not None:
            raise ValueError(f"{plan.id} is a staged shift and this feed does not run stages (no '{CAP_STAGES}' "
                             "capability): it would move all the traffic at once")
        run, events = self.book.confirm(plan, actor, reason, self._now(), typed=typed, value=self.view.value)
        self._done(events)
        cmd = Command(run.id, "execute_plan", {"plan_id": plan.id, **_stage_args(run, 0)},
                      actor=run.actor, reason=run.reason)
        await self._send(cmd, run.id)
        return self.book.run(run.id)

    # -- staged shifts: the commander's pause, continue and abort ------------------------------
    def pause(self, run_id: str, actor: str, reason: str) -> PlanRun:
        """Hold a staged shift at its current stage (the guards are still watched)."""
        self._may("pause")
        self._done(self.book.pause(run_id, actor, reason, self._now()))
        return self.book.run(run_id)

    def resume(self, run_id: str, actor: str, reason: str) -> PlanRun:
        """Let a paused staged shift go on (its hold continues where it stopped)."""
        self._may("continue")
        self._done(self.book.resume(run_id, actor, reason, self._now()))
        return self.book.run(run_id)

    async def abort(self, run_id: str, actor: str, reason: str) -> PlanRun:
        """Stop a staged shift and roll back what it applied."""
        self._may("abort")
        self._done(self.book.abort(run_id, actor, reason, self._now()))
        run = self.book.run(run_id)
        await self._send(Command(run.id + _ROLLBACK, "rollback_plan", {"plan_id": run.plan_id},
                                 actor=actor, reason=reason), None)
        return self.book.run(run_id)

    def _may(self, what: str) -> None:
        if not self.may_execute:
            raise ValueError(f"this console's role may view plans but not {what} them")

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
        if isinstance(item, Hello):
            self.feed_capabilities = tuple(item.capabilities)
            return []
        if isinstance(item, CommandResult) and item.idempotency_key.startswith(_DRY):
            waiting = self._dry_waiting.get(item.idempotency_key)
            if waiting is not None and not waiting[1].done() and item.state not in ("accepted", "running"):
                waiting[1].set_result(item)
            return []  # a dry run is not a run: the book never sees it
        if isinstance(item, ServerError) and "preview_plan" in item.message:
            # A feed older than protocol 1.3 refuses the frame itself (no key to match):
            # every dry run waiting is answered "not supported".
            for _pid, fut in self._dry_waiting.values():
                if not fut.done():
                    fut.set_result(item)
            return []
        if isinstance(item, CommandResult):
            key = item.idempotency_key
            if _STAGE in key and not key.endswith(_ROLLBACK):
                run_id, _, index = key.rpartition(_STAGE)
                if index.isdigit():
                    return self._done(self.book.on_stage_result(run_id, int(index), item.state, item.message,
                                                                self._now()))
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
    def _set_dry(self, plan_id: str, state: str, change: Mapping[str, Any] | None = None, reason: str = "") -> None:
        self._dry[plan_id] = DryRun(plan_id, state, change, reason[:_TEXT_MAX], monotonic())

    def _take_answer(self, plan_id: str, answer: CommandResult | ServerError | None) -> None:
        if isinstance(answer, ServerError):
            return self._set_dry(plan_id, "unsupported", reason=answer.message)
        if answer is None:
            return self._set_dry(plan_id, "no_answer", reason="no answer")
        message = answer.message or answer.state
        if answer.state == "succeeded":
            change = clean_change(answer.detail.get("change") if isinstance(answer.detail, Mapping) else None)
            if change is None:
                return self._set_dry(plan_id, "failed", reason="the feed's answer holds no change")
            return self._set_dry(plan_id, "answered", change)
        if answer.state == "rejected":
            unknown = answer.code in ("unknown_action", "unsupported") or "unknown action" in message
            return self._set_dry(plan_id, "unsupported" if unknown else "refused", reason=message)
        return self._set_dry(plan_id, "failed", reason=message)

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
            if not key.endswith(_ROLLBACK) and _STAGE not in key:
                self._done(self.book.sent(key, self._now()))
        self.last_error = ""
        self.version += 1

    def _now(self) -> int:
        # The feed's clock moves with its status frames; its data may be newer in between (a
        # staged shift's hold is counted on whichever is later).
        v = self.view
        return max(v.feed_now_ms or 0, v.newest_ms or 0)

    def _done(self, events: list[Event]) -> list[Event]:
        if events:
            self.version += 1
            if self.record is not None:
                self.record(events)
            self._follow(events)
        return events

    def _follow(self, events: list[Event]) -> None:
        """A staged shift's book decided to widen (send the next stage) or, on a failed
        stage, to roll back on its own: send that command now."""
        for ev in events:
            a = ev.attrs
            action, stage = a.get("action"), a.get("stage")
            if action == "stage_applying" and isinstance(stage, int) and stage > 0:
                run = self.book.run(a["run"])
                cmd = Command(f"{run.id}{_STAGE}{stage}", "execute_plan",
                              {"plan_id": run.plan_id, **_stage_args(run, stage)}, actor=run.actor, reason=run.reason)
            elif action == "rolling_back" and a.get("automatic"):
                run = self.book.run(a["run"])
                cmd = Command(run.id + _ROLLBACK, "rollback_plan", {"plan_id": run.plan_id},
                              actor=run.actor, reason=str(a.get("reason", "")))
            else:
                continue
            try:
                asyncio.get_running_loop().create_task(self._send(cmd, None))
            except RuntimeError:  # no loop running (a test driving the desk by hand): send on reconnect
                self._unsent[cmd.idempotency_key] = cmd


def _stage_args(run: PlanRun, index: int) -> dict[str, Any]:
    """The ``stage`` argument of a staged shift's execute command (protocol 1.6): which stage
    and the share of traffic it moves. Empty for a plan that is not staged."""
    if run.ladder is None:
        return {}
    st = run.ladder.stages[index]
    return {"stage": {"index": index, "of": len(run.ladder.stages), "name": st.name, "fraction": st.fraction}}


def clean_change(raw: Any) -> dict | None:
    """A feed's CHANGE (protocol 1.3) in a shape the console can show without checking again:
    texts are strings (cut at ``_TEXT_MAX``), ``requests`` a list of ``{method, url, body}``,
    ``warnings`` a list of strings; ``before``/``after`` as given; ``summaries`` (the summary by
    language, optional) kept when it is a mapping. None when it is no mapping."""
    if not isinstance(raw, Mapping):
        return None

    def text(v: Any) -> str:
        return ("" if v is None else str(v))[:_TEXT_MAX]

    given = raw.get("requests")
    requests = []
    for r in given if isinstance(given, (list, tuple)) else ():
        if isinstance(r, Mapping):
            requests.append({"method": text(r.get("method")).upper(), "url": text(r.get("url")),
                             "body": text(r.get("body"))})
    warnings = raw.get("warnings")
    summaries = raw.get("summaries")  # optional: the summary by language ({"zh_CN": ...})
    extra = {"summaries": {str(k): text(v) for k, v in summaries.items()}} if isinstance(summaries, Mapping) else {}
    return {
        **extra,
        "executor": text(raw.get("executor")),
        "summary": text(raw.get("summary")),
        "target": text(raw.get("target")),
        "requests": requests,
        "before": raw.get("before"),
        "after": raw.get("after"),
        "warnings": [text(w) for w in warnings] if isinstance(warnings, (list, tuple)) else [],
    }


def _dry_run_record(dry: DryRun) -> dict[str, Any]:
    """What the audit trail keeps of a dry run: the change in short (no request bodies)."""
    out: dict[str, Any] = {"state": dry.state}
    if dry.reason:
        out["reason"] = dry.reason
    c = dry.change
    if c is not None:
        out.update(summary=c.get("summary", ""), executor=c.get("executor", ""), target=c.get("target", ""),
                   requests=[f"{r.get('method', '')} {r.get('url', '')}" for r in c.get("requests", ())],
                   warnings=list(c.get("warnings", ())))
    return out
