"""The plan runner: one place for guardrails, precondition, timeout, ledger and audit events.

``execute``: the same key again → the stored result (``replay=True``, nothing done); a plan
already applied (or partly applied by a failed run) → rejected; the allow-list → rejected
before anything is read; then, all inside the executor's timeout: read → change → value
guardrails → (snapshot and change kept in the ledger) → apply, which checks the precondition
before writing. A run that fails after it may have written keeps the plan ``partial`` so a
rollback can undo it. ``rollback`` restores the snapshot of the plan's applying run.

A staged shift (``warroom.core.plan.stages``) is executed one ``stage`` at a time: the first
stage opens the plan like any execute; each later one (the plan in force) reads, drafts with
that stage's ``{stage.*}`` values, checks the guardrails against the state in force and
writes, and the opening run's CHANGE takes the new ``after``, so a rollback at any stage
puts back what was read before the first. A stage off the site's own ladder is rejected.

Results follow ``contracts15.md``: ``succeeded`` | ``failed`` | ``rejected`` (guardrail,
precondition, not applicable). Audit events (protocol 1.3 item 6) have the simulator's
``plan_execution`` shape; a failure is ``execute_failed``/``rollback_failed`` with severity P2.
Every message, CHANGE, event and log line goes through the secrets masker.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from warroom.core.clock import wall_s
from warroom.core.model import Event, EventKind, Severity
from warroom.core.plan.stages import check_stage, stage_detail
from warroom.gateway.executors.base import (
    Context, ExecError, GuardrailError, Masker, PreconditionFailed, Progress, Snapshot, allowed, secret_names)
from warroom.gateway.executors.command import CommandExecutor
from warroom.gateway.executors.http import HttpExecutor
from warroom.gateway.executors.istio import IstioExecutor
from warroom.gateway.executors.ledger import Ledger
from warroom.gateway.executors.sentinel import SentinelExecutor
from warroom.gateway.site_model import Site, SitePlan

log = logging.getLogger(__name__)

#: The executor of each type.
EXECUTORS: dict[str, Any] = {e.type: e for e in (HttpExecutor(), SentinelExecutor(), IstioExecutor(),
                                                  CommandExecutor())}
_TITLES = {
    "execute": ("Executed plan: {}", "已执行预案：{}"),
    "stage": ("Next stage of plan: {}", "预案进入下一阶段：{}"),
    "rollback": ("Rolled back plan: {}", "已回滚预案：{}"),
    "expire": ("Expired plan: {}", "预案已到期：{}"),
    "execute_failed": ("Plan execution failed: {}", "预案执行失败：{}"),
    "rollback_failed": ("Plan rollback failed: {}", "预案回滚失败：{}"),
}


@dataclass(frozen=True)
class RunResult:
    """What a command of a plan came to (see ``contracts15.md``)."""

    state: str  # "succeeded" | "failed" | "rejected"
    message: str
    detail: dict[str, Any] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    replay: bool = False


class PlanRunner:
    """Runs the site's plans through their executors. ``state_dir`` holds the ledger; a new
    runner on the same folder knows what an earlier one applied."""

    def __init__(self, site: Site, secrets: Any, state_dir: Path, *, session: Any = None,
                 clock: Callable[[], float] = wall_s) -> None:
        self.site = site
        self.secrets = secrets
        self._clock = clock
        self._ledger = Ledger(Path(state_dir), self._now_ms)
        self._session = session
        self._own_session = session is None
        self._locks: dict[str, asyncio.Lock] = {}

    # -- public ------------------------------------------------------------------------
    def active(self) -> tuple[str, ...]:
        """Ids of plans applied and not rolled back (from the ledger: survives restarts)."""
        return self._ledger.active()

    def applied_at_ms(self, plan_id: str) -> int | None:
        """When an active plan was applied (ms), or None."""
        entry = self._ledger.open_plan(plan_id)
        return entry.applied_ms if entry is not None and entry.status == "active" else None

    async def close(self) -> None:
        """Close the HTTP session this runner made and the ledger."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None
        self._ledger.close()

    async def preview(self, sp: SitePlan) -> dict[str, Any]:
        """The dry run: the CHANGE the plan would make now (nothing written). A change the
        guardrails would refuse is returned with that in its warnings. ``ExecError`` when the
        target cannot be read or is not allow-listed."""
        ex, ctx = await self._prepare(sp, "preview")
        timeout = sp.executor.timeout_s
        try:
            async with asyncio.timeout(timeout):
                self._allow(ex, ctx)
                snap = await ex.read(ctx)
                draft = ex.draft(ctx, snap)
        except TimeoutError:
            raise ExecError(f"preview of {sp.plan.id}: timed out after {timeout:g} s") from None
        except ExecError as exc:
            raise type(exc)(ctx.masker.text(f"preview of {sp.plan.id}: {exc}")) from None
        try:
            ex.guard(ctx, draft, self.site.limits)
        except GuardrailError as exc:
            draft.change["warnings"].append(f"the site's guardrails refuse this change: {exc}")
        return ctx.masker.json(draft.change)

    async def execute(self, sp: SitePlan, key: str, actor: str, reason: str,
                      stage: Mapping[str, Any] | None = None) -> RunResult:
        """Apply the plan, or a staged shift's ``stage`` (module docstring)."""
        plan_id = sp.plan.id
        async with self._lock(plan_id):
            stored = self._replay(key, plan_id)
            if stored is not None:
                return stored
            ex, ctx = await self._prepare(sp, key)
            base = {"plan_id": plan_id, "change": None, "rollback_available": False}
            try:
                st = check_stage(sp.plan, stage)
            except ValueError as exc:
                return self._refuse(key, sp, "execute", actor, reason, str(exc), base)
            if st is not None:
                ctx.stage = base["stage"] = stage_detail(sp.plan, st)
            widening = st is not None and ctx.stage["index"] > 0
            entry = self._ledger.open_plan(plan_id)
            if widening and (entry is None or entry.status != "active"):
                return self._refuse(key, sp, "execute", actor, reason,
                                    f"stage {st.name} of {plan_id}: the shift is not in force (it starts at its "
                                    "first stage)", base)
            if entry is not None and not widening:
                why = (f"plan {plan_id} is already active (applied by run {entry.run_key}): roll it back first"
                       if entry.status == "active" else
                       f"plan {plan_id} may be partly applied by failed run {entry.run_key}: roll it back first")
                return self._refuse(key, sp, "execute", actor, reason, why, base)
            try:
                self._allow(ex, ctx)
            except GuardrailError as exc:
                return self._refuse(key, sp, "execute", actor, reason, str(exc), base, ctx.masker)
            self._ledger.start(key, plan_id, "execute", actor, reason)
            progress, draft = Progress(), None
            timeout = sp.executor.timeout_s
            cm = asyncio.timeout(timeout)
            try:
                async with cm:
                    snap = await ex.read(ctx)
                    draft = ex.draft(ctx, snap)
                    ex.guard(ctx, draft, self.site.limits)
                    self._ledger.snapshot(key, snap.to_json(), ctx.masker.json(draft.change))
                    result = await ex.apply(ctx, draft, snap, progress)
            except BaseException as exc:  # every way a run ends is recorded
                if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)) and not cm.expired():
                    raise  # the gateway is stopping: the ledger's "running" row recovers as interrupted
                change = None if draft is None else ctx.masker.json(draft.change)
                return self._failed_execute(key, sp, ex, ctx, exc, cm.expired(), progress, change, actor, reason,
                                            keep_plan=widening)
            change = ctx.masker.json(draft.change)
            if progress.warnings:
                change["warnings"] = change["warnings"] + ctx.masker.json(progress.warnings)
            can_undo = ex.can_rollback(ctx.options)
            detail = {**base, "change": change, "rollback_available": can_undo,
                      "result": ctx.masker.json(result)}
            message = ctx.masker.text(f"executed {plan_id}: {change['summary']}")
            if widening:
                # The plan stays opened by its first stage; a rollback restores what that read,
                # from the weights (or rules) this stage left.
                self._ledger.finish(key, "succeeded", message, detail)
                self._ledger.restage(entry.run_key, change.get("after"))
            else:
                # A change nothing can undo is a one-shot action, not a plan left "in force".
                self._ledger.finish(key, "succeeded", message, detail, plan_status="active" if can_undo else None)
            log.info("plan %s executed (key %s, actor %s): %s", plan_id, key, actor, message)
            event = self._event(sp, "stage" if widening else "execute", key, actor, reason, ex.type,
                                change["summary"], ctx.masker, stage=ctx.stage)
            return RunResult("succeeded", message, detail, (event,))

    async def rollback(self, sp: SitePlan, key: str, actor: str, reason: str, *, action: str = "rollback") -> RunResult:
        """Restore what the plan's applying run read; ``action="expire"`` for an expiry."""
        plan_id = sp.plan.id
        async with self._lock(plan_id):
            stored = self._replay(key, plan_id)
            if stored is not None:
                return stored
            ex, ctx = await self._prepare(sp, key)
            base = {"plan_id": plan_id, "change": None, "rollback_available": False}
            entry = self._ledger.open_plan(plan_id)
            if entry is None:
                return self._refuse(key, sp, action, actor, reason,
                                    f"plan {plan_id} is not active: nothing to roll back", base)
            if not ex.can_rollback(ctx.options):
                what = {"http": "rollback request", "command": "rollback_argv"}.get(ex.type, "rollback")
                return self._refuse(key, sp, action, actor, reason,
                                    f"plan {plan_id}: its {ex.type} executor has no {what}; undo it by hand", base)
            applied = self._ledger.run(entry.run_key)
            snap = Snapshot.from_json(applied.snapshot or {})
            change = applied.change or {}
            base = {**base, "change": change, "rollback_available": True}
            try:
                self._allow(ex, ctx, snap)
            except GuardrailError as exc:
                return self._refuse(key, sp, action, actor, reason, str(exc), base, ctx.masker)
            self._ledger.start(key, plan_id, action, actor, reason)
            progress = Progress()
            timeout = sp.executor.timeout_s
            cm = asyncio.timeout(timeout)
            try:
                async with cm:
                    result = await ex.rollback(ctx, snap, change, progress)
            except BaseException as exc:  # every way a run ends is recorded
                if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)) and not cm.expired():
                    raise
                return self._failed_rollback(key, sp, ex, ctx, exc, cm.expired(), action, base, actor, reason)
            detail = {**base, "rollback_available": False, "result": ctx.masker.json(result)}
            if progress.warnings:
                detail["warnings"] = ctx.masker.json(progress.warnings)
            verb = "expired" if action == "expire" else "rolled back"
            message = ctx.masker.text(f"{verb} {plan_id}: restored what run {entry.run_key} read")
            self._ledger.finish(key, "succeeded", message, detail, close_plan=True)
            log.info("plan %s %s (key %s, actor %s)", plan_id, verb, key, actor)
            event = self._event(sp, action, key, actor, reason, ex.type, change.get("summary", ""), ctx.masker)
            return RunResult("succeeded", message, detail, (event,))

    # -- steps -------------------------------------------------------------------------
    async def _prepare(self, sp: SitePlan, key: str) -> tuple[Any, Context]:
        ex = EXECUTORS.get(sp.executor.type)
        if ex is None:
            raise ExecError(f"plan {sp.plan.id}: unknown executor type {sp.executor.type!r}")
        if self._session is None:
            import aiohttp  # made lazily: a session belongs to the running event loop

            self._session = aiohttp.ClientSession()
        return ex, Context(sp.plan, sp.executor.options, key, self.secrets, self._session,
                           sp.executor.timeout_s, self._masker(sp))

    def _masker(self, sp: SitePlan) -> Masker:
        names = secret_names(dict(sp.executor.options))
        if sp.executor.type == "istio" and sp.executor.options.get("token_secret"):
            names.add(str(sp.executor.options["token_secret"]))
        values = []
        for name in names:
            try:
                values.append(self.secrets.get(name))
            except (KeyError, AttributeError):
                continue
        return _Masker(values, self.secrets)

    def _allow(self, ex: Any, ctx: Context, snapshot: Snapshot | None = None) -> None:
        targets = ex.targets(ctx, snapshot)
        allow = self.site.limits.targets
        for target in targets:
            if not allowed(target, allow):
                raise GuardrailError(f"target {target} is not in the site's allow-list (limits.targets)")

    def _lock(self, plan_id: str) -> asyncio.Lock:
        return self._locks.setdefault(plan_id, asyncio.Lock())

    def _replay(self, key: str, plan_id: str) -> RunResult | None:
        run = self._ledger.run(key)
        if run is None:
            return None
        if run.plan_id != plan_id:
            return RunResult("rejected", f"idempotency key {key!r} was already used for plan {run.plan_id}",
                             {"plan_id": plan_id, "change": None, "rollback_available": False}, (), replay=True)
        return RunResult(run.state, run.message, run.detail, (), replay=True)

    def _refuse(self, key: str, sp: SitePlan, action: str, actor: str, reason: str, message: str,
                detail: Mapping[str, Any], masker: Masker | None = None) -> RunResult:
        message = masker.text(message) if masker else message
        self._ledger.record(key, sp.plan.id, action, actor, reason, "rejected", message, dict(detail))
        log.warning("%s of %s rejected (key %s): %s", action, sp.plan.id, key, message)
        return RunResult("rejected", message, dict(detail))

    def _failed_execute(self, key: str, sp: SitePlan, ex: Any, ctx: Context, exc: BaseException, expired: bool,
                        progress: Progress, change: dict | None, actor: str, reason: str,
                        keep_plan: bool = False) -> RunResult:
        plan_id = sp.plan.id
        nothing_written = isinstance(exc, (PreconditionFailed, GuardrailError)) or not progress.writing
        may_undo = not nothing_written and ex.can_rollback(ctx.options)
        error = _describe(exc, expired, sp.executor.timeout_s, ctx.masker)
        detail = {"plan_id": plan_id, "change": change, "error": error, "rollback_available": may_undo}
        if isinstance(exc, (PreconditionFailed, GuardrailError)):
            message = f"execute of {plan_id} rejected: {error}"
            self._ledger.finish(key, "rejected", message, detail)
            log.warning("%s (key %s)", message, key)
            return RunResult("rejected", message, detail)
        tail = ("; it may have changed the system: roll it back" if may_undo else
                "; it may have changed the system and has no rollback: check by hand" if not nothing_written else
                "; nothing was written")
        message = f"execute of {plan_id} failed: {error}{tail}"
        # A later stage that failed leaves the plan opened by its first stage (that rollback restores).
        self._ledger.finish(key, "failed", message, detail,
                            plan_status="partial" if may_undo and not keep_plan else None)
        log.error("%s (key %s)", message, key)
        event = self._event(sp, "execute_failed", key, actor, reason, ex.type,
                            "" if change is None else change.get("summary", ""), ctx.masker, error)
        return RunResult("failed", message, detail, (event,))

    def _failed_rollback(self, key: str, sp: SitePlan, ex: Any, ctx: Context, exc: BaseException, expired: bool,
                         action: str, base: dict, actor: str, reason: str) -> RunResult:
        plan_id = sp.plan.id
        error = _describe(exc, expired, sp.executor.timeout_s, ctx.masker)
        detail = {**base, "error": error, "rollback_available": True}
        if isinstance(exc, (PreconditionFailed, GuardrailError)):
            message = f"{action} of {plan_id} rejected: {error}"
            self._ledger.finish(key, "rejected", message, detail)
            log.warning("%s (key %s)", message, key)
            return RunResult("rejected", message, detail)
        message = f"{action} of {plan_id} failed: {error}; the plan stays active, try again"
        self._ledger.finish(key, "failed", message, detail)
        log.error("%s (key %s)", message, key)
        event = self._event(sp, "rollback_failed", key, actor, reason, ex.type,
                            (base.get("change") or {}).get("summary", ""), ctx.masker, error)
        return RunResult("failed", message, detail, (event,))

    def _event(self, sp: SitePlan, action: str, key: str, actor: str, reason: str, executor: str, summary: str,
               masker: Masker, error: str | None = None, stage: Mapping[str, Any] | None = None) -> Event:
        plan = sp.plan
        attrs: dict[str, Any] = {
            "plan_id": plan.id, "action": action, "actor": actor, "reason": reason, "plan_kind": plan.kind,
            "target_kind": plan.target_kind, "target": plan.target, "params": dict(plan.params),
            "idempotency_key": key, "executor": executor, "change": summary}
        if error is not None:
            attrs["error"] = error
        if stage is not None:
            attrs["stage"] = dict(stage)
        en, zh = _TITLES[action]
        attrs["titles"] = {"zh_CN": zh.format(plan.localized("zh_CN").title)}
        return Event(f"gw-plan-{key}", self._now_ms(), EventKind.PLAN_EXECUTION, plan.id, en.format(plan.title),
                     Severity.INFO if error is None else Severity.P2, masker.json(attrs))

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)


class _Masker(Masker):
    """The plan's secret values, plus the secrets store's own ``redact`` when it has one."""

    def __init__(self, values: list[str], secrets: Any) -> None:
        super().__init__(values)
        self._redact = getattr(secrets, "redact", None)

    def text(self, text: str) -> str:
        text = super().text(text)
        return self._redact(text) if callable(self._redact) else text

    def masks(self) -> bool:
        return super().masks() or callable(self._redact)


def _describe(exc: BaseException, expired: bool, timeout_s: float, masker: Masker) -> str:
    if expired:
        return f"timed out after {timeout_s:g} s"
    if isinstance(exc, ExecError):
        return masker.text(str(exc))
    log.error("executor error %s: %s", type(exc).__name__, masker.text(str(exc)))
    return masker.text(f"unexpected {type(exc).__name__}: {exc}")
