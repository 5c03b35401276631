"""The commander's actions on the selected plan: execute (two steps) and roll back.

``PlanActions`` is mixed into ``PlansPanel``. Executing asks who acts (``AlertWatch.user``,
else a dialog), records the preview in the audit trail as step 1 opens, then takes the reason
(step 1) and the confirmation (step 2, the typed id for a critical plan) from
``plan_dialogs``; cancelling sends nothing. The command goes out on the console's asyncio
loop (``spawn``: qasync's, replaced in tests) through ``PlanDesk.execute``, whose
``ValueError`` — a refused confirmation, a plan already running, a viewer's role — is shown
in the panel's message line and never raised. Rolling back asks why and calls
``PlanDesk.rollback``. A staged shift's Pause, Continue and Abort ask why too, then call
``PlanDesk.pause`` / ``resume`` / ``abort`` (abort sends the rollback).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Coroutine

from warroom.core.plan.plan_runs import PlanRun
from warroom.core.plan.plans import Plan
from warroom.ui.panels.plans import dialogs as plan_dialogs
from warroom.ui.panels.plans.text import impact_level, impact_lines, translate

log = logging.getLogger(__name__)
#: Run states a rollback can be asked for in (``PlanBook.request_rollback``).
ROLLBACK_STATES = ("sent", "executed", "effective", "not_effective")


def spawn(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine on the console's asyncio loop (qasync). Tests replace this."""
    return asyncio.ensure_future(coro)


def _failed(exc: BaseException) -> str:
    return translate("PlansPanel", "Failed: %1").replace("%1", f"{type(exc).__name__}: {exc}")


def _cancelled() -> str:
    return translate("PlansPanel", "Cancelled: nothing was sent.")


def locked_reason(desk) -> str:
    """Why this desk's plans cannot be run: a viewer's role, or a replay of the past."""
    if getattr(desk, "lock_reason", "role") == "replay":
        return translate("PlansPanel", "replay: plans are shown as they were, not run")
    return translate("PlansPanel", "your role may view plans but not execute them")


class PlanActions:
    """Execute and roll back; needs the panel's ``desk``, ``source``, ``message``,
    ``selected_plan()``, ``selected_run()``, ``_show_impact()`` and ``refresh()``."""

    def execute_selected(self) -> None:
        """Two-step confirmation, then send the plan (see the module docstring)."""
        desk, plan = self.desk, self.selected_plan()
        if desk is None or plan is None:
            return self.message.show_error(translate("PlansPanel", "Select a plan first."))
        if not desk.may_execute:
            return self.message.show_error(locked_reason(desk))
        actor = self._actor()
        if actor is None:
            return self.message.show_info(_cancelled())
        try:  # what step 1 shows is what the audit trail keeps
            impact = desk.impact(plan.id)
            desk.record_preview(plan.id, actor, impact)
        except Exception as exc:  # a plan action must never take the console down
            log.exception("preview of %s failed", plan.id)
            return self.message.show_error(_failed(exc))
        self._impact = impact
        self._show_impact(plan, impact)
        lines = impact_lines(plan, impact, self.source.topology)
        reason = plan_dialogs.ask_reason(self, plan, lines, list(impact.warnings), impact_level(impact))
        if reason is None:
            return self.message.show_info(_cancelled())
        # Step 2 repeats what the feed's dry run said it would send (None: no dry run here).
        dry = desk.dry_run_of(plan.id) if getattr(desk, "may_dry_run", False) else None
        typed = plan_dialogs.ask_confirmation(self, plan, reason, dry)
        if typed is None:
            return self.message.show_info(_cancelled())
        self.message.show_info(translate("PlansPanel", "Sending %1…").replace("%1", plan.title))
        self._start(self._execute(desk, plan, actor, reason, typed))

    def rollback_selected(self) -> None:
        """Ask why, then ask the feed to undo the selected plan's run."""
        desk, run = self.desk, self.selected_run()
        if desk is None or run is None or run.state not in ROLLBACK_STATES:
            return self.message.show_error(
                translate("PlansPanel", "Nothing to roll back: the selected plan is not in force."))
        if not desk.may_execute:
            return self.message.show_error(locked_reason(desk))
        actor = self._actor()
        if actor is None:
            return self.message.show_info(_cancelled())
        reason = plan_dialogs.ask_rollback(self, self.selected_plan(), run)
        if reason is None:
            return self.message.show_info(_cancelled())
        self.message.show_info(translate("PlansPanel", "Rolling back %1…").replace("%1", run.title))
        self._start(self._rollback(desk, run, actor, reason))

    def pause_selected(self) -> None:
        """Hold the selected staged shift at its stage."""
        self._stage_action("pause")

    def resume_selected(self) -> None:
        """Let the selected paused staged shift go on."""
        self._stage_action("resume")

    def abort_selected(self) -> None:
        """Stop the selected staged shift and roll it back."""
        self._stage_action("abort")

    def _stage_action(self, action: str) -> None:
        desk, run = self.desk, self.selected_run()
        if desk is None or run is None or run.ladder is None or not run.live or run.ladder.ended:
            return self.message.show_error(
                translate("PlansPanel", "Nothing to do: the selected plan is not a staged shift under way."))
        if not desk.may_execute:
            return self.message.show_error(locked_reason(desk))
        actor = self._actor()
        if actor is None:
            return self.message.show_info(_cancelled())
        reason = plan_dialogs.ask_stage_action(self, self.selected_plan(), run, action)
        if reason is None:
            return self.message.show_info(_cancelled())
        if action == "abort":
            self.message.show_info(translate("PlansPanel", "Aborting %1…").replace("%1", run.title))
            self._start(self._abort(desk, run, actor, reason))
            return
        try:
            (desk.pause if action == "pause" else desk.resume)(run.id, actor, reason)
        except ValueError as exc:
            return self._report(error=str(exc))
        except Exception as exc:  # a plan action must never take the console down
            log.exception("%s of %s failed", action, run.id)
            return self._report(error=_failed(exc))
        done = (translate("PlansPanel", "Paused: %1") if action == "pause"
                else translate("PlansPanel", "Continued: %1"))
        self._report(info=done.replace("%1", run.title))

    async def _abort(self, desk: Any, run: PlanRun, actor: str, reason: str) -> None:
        try:
            await desk.abort(run.id, actor, reason)
        except ValueError as exc:
            self._report(error=str(exc))
        except Exception as exc:
            log.exception("aborting %s failed", run.id)
            self._report(error=_failed(exc))
        else:
            self._report(info=translate("PlansPanel", "Aborted, rollback sent: %1").replace("%1", run.title))

    def _actor(self) -> str | None:
        watch = self.source.alerting
        user = str(getattr(watch, "user", "") or "").strip() if watch is not None else ""
        return user or plan_dialogs.ask_actor(self)

    def _start(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            spawn(coro)
        except Exception as exc:  # no loop: say so rather than drop the command silently
            coro.close()
            log.exception("cannot schedule a plan command")
            self.message.show_error(_failed(exc))

    async def _execute(self, desk: Any, plan: Plan, actor: str, reason: str, typed: str) -> None:
        try:
            run = await desk.execute(plan.id, actor, reason, typed)
        except ValueError as exc:
            self._report(error=str(exc))
        except Exception as exc:  # a plan action must never take the console down
            log.exception("executing %s failed", plan.id)
            self._report(error=_failed(exc))
        else:
            if run.state == "confirmed" and desk.last_error:  # the feed is down: sent when it is back
                self._report(error=desk.last_error)
            else:
                self._report(info=translate("PlansPanel", "Sent: %1").replace("%1", plan.title))

    async def _rollback(self, desk: Any, run: PlanRun, actor: str, reason: str) -> None:
        try:
            await desk.rollback(run.id, actor, reason)
        except ValueError as exc:
            self._report(error=str(exc))
        except Exception as exc:
            log.exception("rolling back %s failed", run.id)
            self._report(error=_failed(exc))
        else:
            self._report(info=translate("PlansPanel", "Rollback sent: %1").replace("%1", run.title))

    def _report(self, *, error: str = "", info: str = "") -> None:
        try:
            if error:
                self.message.show_error(error)
            else:
                self.message.show_info(info)
            self._key = None  # the desk changed: redraw now, not at the next frame
            self.refresh()
        except RuntimeError:  # the panel was closed while the command was on its way
            pass
