"""Plan runs: one execution of a contingency plan, from confirmation to verified effect.

The console keeps a ``PlanBook``; every step it takes is an audit event in the append-only
event log (``kind = plan_execution``, ``attrs["audit"] = True``), with who, when, why and
the parameters:

    previewed ─► confirmed ─► sent ─► executed ─► effective
                    │           │         │   └─► not_effective  (guard KPI not back in time:
                    │           └─► failed│                      roll back or escalate)
                    │                     └─► rolling_back ─► rolled_back
                    └─ (refused: no reason, critical plan not typed, already running)
    executed ─(expiry - 60 s)─► expiring (a warning) ─► expired (the feed rolled it back)

A run's id is the idempotency key of its ``execute_plan`` command, so a command re-sent
after a reconnect is run once by the feed, and the feed's own plan events (``execute``,
``rollback``, ``expire``) reconcile the book: a plan is never shown in a state the feed
does not confirm. ``PlanBook.replay(events)`` rebuilds the runs from a stored log. Pure:
no clock, no I/O; times are feed-time ms passed in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping

from warroom.core.language.lang import clean_titles, pick
from warroom.core.model import Event, EventKind, SeriesKey, Severity
from warroom.core.plan import stages as ladders
from warroom.core.plan.plans import Plan

LIVE = ("confirmed", "sent", "executed", "effective", "not_effective", "rolling_back")
FINAL = ("failed", "rolled_back", "expired")
#: Warn this long before a plan expires (and rolls back by itself).
EXPIRY_WARNING_MS = 60_000

Lookup = Callable[[SeriesKey], "float | None"]

#: What each audit step's event says, in English (its ``title``) and in every other language
#: here (its ``attrs["titles"]``, which the panels show under that language, as for alerts).
#: ``{title}`` is the plan's title in that language (the feed's ``titles``), ``{message}`` the
#: feed's own words, ``{s}`` a number of seconds.
STEP_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "previewed": "Previewed plan: {title}",
        "confirmed": "Confirmed plan: {title}",
        "sent": "Sent plan: {title}",
        "rolling_back": "Rollback requested: {title}",
        "rollback_failed": "Rollback failed: {title}: {message}",
        "rolled_back": "Rolled back plan: {title}",
        "executed": "Plan in force: {title}",
        "failed": "Plan failed: {title}: {message}",
        "expired": "Plan expired and rolled back: {title}",
        "withdrawn": "Plan no longer in force: {title}",
        "timeout": "No answer from the feed in {s} s: {title}",
        "effective": "Plan effective: {title}",
        "not_effective": "Plan not effective within {s} s: {title}: roll back or escalate",
        "expiring": "Plan expires in {s} s: {title}",
        # Staged shifts (warroom.core.plan.stages): {stage} is the stage's name, {n}/{of} its place.
        "stage_applying": "Applying stage {stage} ({n}/{of}): {title}",
        "stage_applied": "Stage {stage} in force, holding {s} s: {title}",
        "stage_verifying": "Verifying stage {stage}: {title}",
        "stage_passed": "Stage {stage} verified: {title}",
        "stage_failed": "Stage {stage} failed, rolling back: {title}: {message}",
        "completed": "Staged shift complete: {title}",
        "paused": "Staged shift paused at {stage}: {title}",
        "continued": "Staged shift continued at {stage}: {title}",
        "aborted": "Staged shift aborted at {stage}, rolling back: {title}",
    },
    "zh_CN": {
        "previewed": "已预览预案：{title}",
        "confirmed": "已确认预案：{title}",
        "sent": "预案已下发：{title}",
        "rolling_back": "已请求回滚：{title}",
        "rollback_failed": "回滚失败：{title}：{message}",
        "rolled_back": "预案已回滚：{title}",
        "executed": "预案生效中：{title}",
        "failed": "预案失败：{title}：{message}",
        "expired": "预案已到期并回滚：{title}",
        "withdrawn": "预案已不再生效：{title}",
        "timeout": "数据源 {s} 秒内无应答：{title}",
        "effective": "预案有效：{title}",
        "not_effective": "预案 {s} 秒内未见效：{title}：请回滚或升级",
        "expiring": "预案将在 {s} 秒后到期：{title}",
        "stage_applying": "正在下发阶段 {stage}（{n}/{of}）：{title}",
        "stage_applied": "阶段 {stage} 已生效，观察 {s} 秒：{title}",
        "stage_verifying": "正在验证阶段 {stage}：{title}",
        "stage_passed": "阶段 {stage} 验证通过：{title}",
        "stage_failed": "阶段 {stage} 失败，正在回滚：{title}：{message}",
        "completed": "分级切流完成：{title}",
        "paused": "分级切流暂停于 {stage}：{title}",
        "continued": "分级切流继续于 {stage}：{title}",
        "aborted": "分级切流于 {stage} 中止，正在回滚：{title}",
    },
}


def step_titles(step: str, title: str, titles: Mapping[str, str] | None = None,
                **fmt: Any) -> tuple[str, dict[str, str]]:
    """An audit step's title in English and per language (``STEP_TITLES``), the plan named
    ``title`` (``titles`` per language, as the feed gave them)."""
    english = STEP_TITLES["en"][step].format(title=title, **fmt)
    return english, {lang: words[step].format(title=pick(title, titles, lang), **fmt)
                     for lang, words in STEP_TITLES.items() if lang != "en"}


@dataclass(frozen=True)
class PlanRun:
    """One execution of a plan, as of the last audit event."""

    id: str
    plan_id: str
    title: str
    kind: str
    state: str
    actor: str
    reason: str
    params: dict = field(default_factory=dict)
    confirmed_ms: int = 0
    sent_ms: int | None = None
    executed_ms: int | None = None
    verified_ms: int | None = None
    ended_ms: int | None = None
    expires_ms: int | None = None
    expiry_s: float | None = None  # the plan's expiry, counted from execution
    guard: dict | None = None  # {"series", "op", "threshold", "within_s"}
    before: float | None = None  # the guard KPI when confirmed
    after: float | None = None  # the guard KPI when verified (or when the guard time ran out)
    steps: tuple[str, ...] = ()
    message: str = ""
    expiry_warned: bool = False
    timed_out: bool = False  # failed for want of an answer: the feed may still have run it
    titles: Mapping[str, str] = field(default_factory=dict)  # the plan's title per language
    #: A staged shift's position on its ladder (``warroom.core.plan.stages``); None for other plans.
    ladder: ladders.Ladder | None = None

    def say(self, step: str, **fmt: Any) -> tuple[str, dict[str, str]]:
        """The title of one of this run's audit steps, in English and per language."""
        return step_titles(step, self.title, self.titles, **fmt)

    def say_stage(self, step: str, index: int | None = None, **fmt: Any) -> tuple[str, dict[str, str]]:
        """A staged step's title, the stage named in each language (``白名单`` for whitelist)."""
        ld = self.ladder
        assert ld is not None
        st = ld.stages[ld.index if index is None else index]
        n, of = (ld.index if index is None else index) + 1, len(ld.stages)
        english = STEP_TITLES["en"][step].format(title=self.title, stage=st.label("en"), n=n, of=of, **fmt)
        return english, {lang: words[step].format(title=pick(self.title, self.titles, lang), stage=st.label(lang),
                                                  n=n, of=of, **fmt)
                         for lang, words in STEP_TITLES.items() if lang != "en"}

    @property
    def staged(self) -> bool:
        """True for a staged shift."""
        return self.ladder is not None

    @property
    def live(self) -> bool:
        """True while the plan is (or may be) in force."""
        return self.state in LIVE


class PlanBook:
    """The plan runs of one console; see the module docstring."""

    def __init__(self) -> None:
        self._runs: dict[str, PlanRun] = {}
        self._n = 0
        #: The drill running now (``""``: none), asked at each audit step: a run confirmed during
        #: a drill is the drill's, every step of it (``warroom.core.incident.drills``).
        self.drill_of: Callable[[], str] | None = None
        self._run_drill: dict[str, str] = {}  # run id -> its drill
        self._breaches: dict[str, int] = {}  # staged run -> guard-breaking samples in a row (not logged)

    # -- reading ------------------------------------------------------------------------
    def runs(self) -> list[PlanRun]:
        """Every run, newest first."""
        return sorted(self._runs.values(), key=lambda r: (r.confirmed_ms, r.id), reverse=True)

    def run(self, run_id: str) -> PlanRun:
        """One run (``KeyError`` if unknown)."""
        return self._runs[run_id]

    def live_run(self, plan_id: str) -> PlanRun | None:
        """The run of ``plan_id`` that is in force or on its way, if any."""
        for r in self._runs.values():
            if r.plan_id == plan_id and r.live:
                return r
        return None

    def _unanswered(self, plan_id: str) -> PlanRun | None:
        """The newest run of ``plan_id`` that timed out waiting for the feed."""
        runs = [r for r in self._runs.values() if r.plan_id == plan_id and r.timed_out and r.state == "failed"]
        return max(runs, key=lambda r: r.confirmed_ms) if runs else None

    # -- the commander's steps ------------------------------------------------------------
    def preview(self, plan: Plan, actor: str, now_ms: int, figures: dict[str, Any] | None = None) -> list[Event]:
        """Record that ``actor`` looked at the plan's impact (what they saw goes in the log)."""
        return [self._audit(None, plan.id, "previewed", now_ms, actor, "",
                            step_titles("previewed", plan.title, plan.titles),
                            {"figures": _jsonable(figures or {}), "params": dict(plan.params)})]

    def confirm(self, plan: Plan, actor: str, reason: str, now_ms: int, *, typed: str = "",
                value: Lookup | None = None, run_id: str | None = None) -> tuple[PlanRun, list[Event]]:
        """The second step of the two-step confirmation. ``ValueError`` (nothing recorded) when
        the reason is empty, a critical plan's id was not typed, or the plan is already running."""
        actor, reason = actor.strip(), reason.strip()
        if not actor:
            raise ValueError("who is executing the plan? (actor is empty)")
        if not reason:
            raise ValueError("give a reason: it goes into the audit trail")
        if plan.critical and typed.strip() != plan.id:
            raise ValueError(f"{plan.id} is critical: type its id to confirm")
        running = self.live_run(plan.id)
        if running is not None:
            raise ValueError(f"{plan.id} is already {running.state} (run {running.id})")
        stages = ladders.ladder_of(plan)  # a bad ladder or a staged plan without guards: refused
        ladder = None if stages is None else ladders.start(stages, ladders.guards_of(plan), now_ms)
        guard = None
        before = None
        if plan.guard is not None:
            g = plan.guard
            guard = {"series": g.series, "op": g.op, "threshold": g.threshold, "within_s": g.within_s}
            before = value(SeriesKey.parse(g.series)) if value is not None else None
        rid = run_id or f"run-{plan.id}-{now_ms}-{uuid.uuid4().hex[:8]}"
        ev = self._audit(rid, plan.id, "confirmed", now_ms, actor, reason,
                         step_titles("confirmed", plan.title, plan.titles), {
            "title": plan.title, **({"plan_titles": dict(plan.titles)} if plan.titles else {}),
            "plan_kind": plan.kind, "params": dict(plan.params), "guard": guard,
            "before": before, "steps": list(plan.steps), "expiry_s": plan.expiry_s, "critical": plan.critical,
            **({"ladder": ladder.to_dict()} if ladder is not None else {}),
        })
        events = [ev]
        if ladder is not None:
            events.append(self._stage_event(self._runs[rid], "stage_applying", now_ms))
        return self._runs[rid], events

    def sent(self, run_id: str, now_ms: int) -> list[Event]:
        """The execute command left for the feed."""
        r = self._runs[run_id]
        return [self._audit(r.id, r.plan_id, "sent", now_ms, r.actor, r.reason, r.say("sent"), {})]

    def request_rollback(self, run_id: str, actor: str, reason: str, now_ms: int) -> list[Event]:
        """The commander asks to undo a plan (the rollback command goes to the feed)."""
        r = self._runs[run_id]
        if not actor.strip() or not reason.strip():
            raise ValueError("a rollback needs who and why")
        if r.state not in ("executed", "effective", "not_effective", "sent"):
            raise ValueError(f"run {run_id} is {r.state}: nothing to roll back")
        return [self._audit(r.id, r.plan_id, "rolling_back", now_ms, actor.strip(), reason.strip(),
                            r.say("rolling_back"), {})]

    # -- what the feed says ---------------------------------------------------------------
    def on_result(self, run_id: str, state: str, message: str, now_ms: int, *, replay: bool = False,
                  rollback: bool = False) -> list[Event]:
        """A ``CommandResult`` for the run's execute (or rollback) command."""
        r = self._runs.get(run_id)
        if r is None or state in ("accepted", "running"):
            return []
        ok = state == "succeeded"
        if rollback:
            if not ok or r.state in FINAL:
                return [self._audit(r.id, r.plan_id, "rollback_failed", now_ms, r.actor, r.reason,
                                    r.say("rollback_failed", message=message), {"message": message})] if not ok else []
            return [self._audit(r.id, r.plan_id, "rolled_back", now_ms, r.actor, r.reason,
                                r.say("rolled_back"), {"message": message})]
        if r.state not in ("confirmed", "sent"):
            return []  # already reconciled from the feed's own event
        if ok:
            return [self._audit(r.id, r.plan_id, "executed", now_ms, r.actor, r.reason, r.say("executed"),
                                {"message": message, "replay": replay})]
        return [self._audit(r.id, r.plan_id, "failed", now_ms, r.actor, r.reason, r.say("failed", message=message),
                            {"message": message, "code": state})]

    def on_feed_event(self, ev: Event) -> list[Event]:
        """Reconcile with the feed's own plan events (execute, rollback, expire)."""
        if ev.kind is not EventKind.PLAN_EXECUTION or ev.attrs.get("audit"):
            return []
        action, plan_id = ev.attrs.get("action"), ev.attrs.get("plan_id", ev.subject)
        r = self.live_run(plan_id) or (self._unanswered(plan_id) if action == "execute" else None)
        if r is None:
            return []
        if action == "execute" and (r.state in ("confirmed", "sent") or r.timed_out):
            return [self._audit(r.id, r.plan_id, "executed", ev.ts, r.actor, r.reason, r.say("executed"),
                                {"feed_event": ev.id})]
        if action == "rollback" and r.state != "rolled_back":
            return [self._audit(r.id, r.plan_id, "rolled_back", ev.ts, r.actor, r.reason,
                                r.say("rolled_back"), {"feed_event": ev.id})]
        if action == "expire":
            return [self._audit(r.id, r.plan_id, "expired", ev.ts, r.actor, r.reason,
                                r.say("expired"), {"feed_event": ev.id})]
        return []

    def reconcile_active(self, active_plans: Iterable[str], now_ms: int) -> list[Event]:
        """After a reconnect: the feed's list of plans in force settles runs left in flight."""
        active = set(active_plans)
        out = []
        for r in list(self._runs.values()):
            if (r.state == "sent" or (r.timed_out and r.state == "failed")) and r.plan_id in active:
                out.append(self._audit(r.id, r.plan_id, "executed", now_ms, r.actor, r.reason,
                                       r.say("executed"), {"reconciled": True}))
            elif r.state in ("executed", "effective", "not_effective", "rolling_back") and r.plan_id not in active:
                out.append(self._audit(r.id, r.plan_id, "rolled_back", now_ms, r.actor, r.reason,
                                       r.say("withdrawn"), {"reconciled": True}))
        return out

    def timeouts(self, now_ms: int, timeout_ms: int) -> list[Event]:
        """Runs sent longer than ``timeout_ms`` ago without an answer fail, clearly. If the
        feed did run the plan after all, its plan event or catalogue reconciles the run."""
        out = []
        for r in list(self._runs.values()):
            if r.state == "sent" and r.sent_ms is not None and now_ms - r.sent_ms > timeout_ms:
                out.append(self._audit(r.id, r.plan_id, "failed", now_ms, r.actor, r.reason,
                                       r.say("timeout", s=timeout_ms // 1000),
                                       {"message": f"no answer from the feed in {timeout_ms // 1000} s",
                                        "code": "timeout"}))
        return out

    def tick(self, now_ms: int, value: Lookup) -> list[Event]:
        """Verification and expiry warnings, as feed time passes."""
        out = []
        for r in list(self._runs.values()):
            if r.ladder is not None:
                if r.state == "executed" and not r.ladder.ended and r.ladder.phase != "rolling_back":
                    out += self._judge_stage(r, now_ms, value)
            elif r.state == "executed" and r.guard is not None and r.executed_ms is not None:
                g = r.guard
                v = value(SeriesKey.parse(g["series"]))
                if v is not None and _holds(g["op"], v, g["threshold"]):
                    out.append(self._audit(r.id, r.plan_id, "effective", now_ms, r.actor, r.reason,
                                           r.say("effective"), {"after": v, "before": r.before}))
                elif now_ms - r.executed_ms > g["within_s"] * 1000:
                    out.append(self._audit(r.id, r.plan_id, "not_effective", now_ms, r.actor, r.reason,
                                           r.say("not_effective", s=f"{g['within_s']:g}"),
                                           {"after": v, "before": r.before}))
            if (r.state in ("executed", "effective", "not_effective") and r.expires_ms is not None
                    and not r.expiry_warned and r.expires_ms - now_ms <= EXPIRY_WARNING_MS):
                out.append(self._audit(r.id, r.plan_id, "expiring", now_ms, r.actor, r.reason,
                                       r.say("expiring", s=max(0, r.expires_ms - now_ms) // 1000),
                                       {"expires_ms": r.expires_ms}))
        return out

    # -- staged shifts (warroom.core.plan.stages) ------------------------------------------
    def on_stage_result(self, run_id: str, index: int, state: str, message: str, now_ms: int) -> list[Event]:
        """The feed's answer to the command that applies stage ``index`` (1 and up; stage 0 is
        the run's own execute). A refused stage halts the run and rolls back what was applied."""
        r = self._runs.get(run_id)
        if r is None or r.ladder is None or state in ("accepted", "running"):
            return []
        ld = r.ladder
        if ld.phase != "applying" or ld.index != index or r.state != "executed":
            return []  # an answer to a stage already settled (a replayed result)
        if state == "succeeded":
            return [self._stage_event(r, "stage_applied", now_ms, message=message)]
        name = ld.stage.name
        return self._fail_stage(r, f"the feed did not apply stage {name}: {message}", now_ms, {})

    def pause(self, run_id: str, actor: str, reason: str, now_ms: int) -> list[Event]:
        """The commander holds a staged shift at its stage (``ValueError``: not staged, not running)."""
        r = self._staged(run_id, actor, reason)
        ladders.pause(r.ladder, now_ms)  # raises when there is nothing to pause
        return [self._stage_event(r, "paused", now_ms, actor=actor.strip(), reason=reason.strip())]

    def resume(self, run_id: str, actor: str, reason: str, now_ms: int) -> list[Event]:
        """The commander lets a paused staged shift go on from where it stopped."""
        r = self._staged(run_id, actor, reason)
        ladders.resume(r.ladder, now_ms)
        return [self._stage_event(r, "continued", now_ms, actor=actor.strip(), reason=reason.strip())]

    def abort(self, run_id: str, actor: str, reason: str, now_ms: int) -> list[Event]:
        """The commander stops a staged shift: it rolls back (the desk sends the rollback)."""
        r = self._staged(run_id, actor, reason)
        if r.state not in ("sent", "executed"):
            raise ValueError(f"run {run_id} is {r.state}: nothing to abort")
        actor, reason = actor.strip(), reason.strip()
        first = self._stage_event(r, "aborted", now_ms, actor=actor, reason=reason)
        return [first, self._audit(r.id, r.plan_id, "rolling_back", now_ms, actor, reason, r.say("rolling_back"),
                                   {"stage": r.ladder.index})]

    def _staged(self, run_id: str, actor: str, reason: str) -> PlanRun:
        r = self._runs[run_id]
        if r.ladder is None:
            raise ValueError(f"run {run_id} is not a staged shift")
        if not actor.strip() or not reason.strip():
            raise ValueError("who and why are required: they go into the audit trail")
        if r.ladder.ended or r.ladder.phase == "rolling_back" or not r.live:
            raise ValueError(f"run {run_id} is {r.ladder.phase.replace('_', ' ')}: it no longer runs")
        return r

    def _judge_stage(self, r: PlanRun, now_ms: int, value: Lookup) -> list[Event]:
        ld = r.ladder
        assert ld is not None
        if ld.phase == "applying" and ld.index == 0:
            return []  # the run's own execute: ``timeouts`` and ``on_result`` settle it
        v = ladders.judge(ld, now_ms, lambda text: value(SeriesKey.parse(text)), self._breaches.get(r.id, 0))
        if v.step == "breach":
            self._breaches[r.id] = self._breaches.get(r.id, 0) + 1
            return []
        if v.step in ("ok", "wait"):
            if v.step == "ok":
                self._breaches.pop(r.id, None)
            return []
        self._breaches.pop(r.id, None)
        values = _jsonable(dict(v.values))
        if v.step == "verify":
            return [self._stage_event(r, "stage_verifying", now_ms, values=values)]
        if v.step == "failed":
            return self._fail_stage(r, v.why, now_ms, values)
        out = [self._stage_event(r, "stage_passed", now_ms, values=values)]
        if v.step == "passed":
            return out + [self._stage_event(self._runs[r.id], "stage_applying", now_ms, index=ld.index + 1)]
        first = next(iter(v.values.values()), None)
        return out + [self._audit(r.id, r.plan_id, "completed", now_ms, r.actor, r.reason, r.say("completed"),
                                  {"after": first, "before": r.before, "values": values})]

    def _fail_stage(self, r: PlanRun, why: str, now_ms: int, values: dict) -> list[Event]:
        """Halt at the current stage and roll back at once (the desk sends the rollback)."""
        name = r.ladder.stage.name if r.ladder is not None else ""
        first = self._stage_event(r, "stage_failed", now_ms, message=why, values=values)
        return [first, self._audit(r.id, r.plan_id, "rolling_back", now_ms, r.actor,
                                   f"stage {name} failed: {why}", r.say("rolling_back"),
                                   {"automatic": True, "stage": first.attrs["stage"]})]

    def _stage_event(self, r: PlanRun, action: str, now_ms: int, index: int | None = None, **detail: Any) -> Event:
        ld = r.ladder
        assert ld is not None
        index = ld.index if index is None else index
        st = ld.stages[index]
        fmt = {"s": f"{st.hold_s:g}"} if action == "stage_applied" else {}
        if action == "stage_failed":
            fmt["message"] = str(detail.get("message", ""))
        actor = str(detail.pop("actor", r.actor))
        reason = str(detail.pop("reason", r.reason))
        return self._audit(r.id, r.plan_id, action, now_ms, actor, reason, r.say_stage(action, index, **fmt),
                           {"stage": index, "stage_name": st.name, "fraction": st.fraction, **detail})

    # -- the log ---------------------------------------------------------------------------
    @classmethod
    def replay(cls, events: Iterable[Event]) -> "PlanBook":
        """Runs rebuilt from the audit events of a stored log."""
        book = cls()
        book.apply_logged(events)
        return book

    def apply_logged(self, events: Iterable[Event]) -> None:
        """Apply more audit events of a stored log, in their order (playing a log forward in steps)."""
        for ev in sorted(events, key=lambda e: (e.ts, e.attrs.get("n", 0) if isinstance(e.attrs.get("n"), int) else 0)):
            if ev.kind is EventKind.PLAN_EXECUTION and ev.attrs.get("audit"):
                self._apply(ev)

    def _audit(self, run_id: str | None, plan_id: str, action: str, now_ms: int, actor: str, reason: str,
               said: tuple[str, dict[str, str]], detail: dict[str, Any]) -> Event:
        self._n += 1
        severity = (Severity.P2 if action in ("failed", "not_effective", "rollback_failed", "expiring", "stage_failed")
                    else Severity.INFO)
        title, titles = said
        attrs = {"audit": True, "run": run_id or "", "plan_id": plan_id, "action": action, "actor": actor,
                 "reason": reason, "n": self._n, **detail}
        drill = self._run_drill.get(run_id or "") or (self.drill_of() if self.drill_of is not None else "")
        if drill:
            attrs["drill"] = drill
        if titles:
            attrs["titles"] = titles
        ev = Event(f"audit-{run_id or plan_id}-{action}-{now_ms}-{self._n}", now_ms, EventKind.PLAN_EXECUTION,
                   plan_id, title, severity, attrs)
        self._apply(ev)
        return ev

    def _apply(self, ev: Event) -> None:
        a = ev.attrs
        rid, action = a.get("run") or "", a.get("action")
        self._n = max(self._n, a.get("n", 0) if isinstance(a.get("n"), int) else 0)
        if not rid or action == "previewed":
            return
        if isinstance(a.get("drill"), str) and a["drill"]:
            self._run_drill.setdefault(rid, a["drill"])
        if action == "confirmed":
            expiry = a.get("expiry_s")
            self._runs[rid] = PlanRun(
                id=rid, plan_id=a["plan_id"], title=a.get("title", a["plan_id"]), kind=a.get("plan_kind", ""),
                state="confirmed", actor=a.get("actor", ""), reason=a.get("reason", ""),
                params=dict(a.get("params") or {}), confirmed_ms=ev.ts, guard=a.get("guard"),
                before=a.get("before"), steps=tuple(a.get("steps") or ()),
                expiry_s=None if expiry is None else float(expiry), titles=clean_titles(a.get("plan_titles")),
                ladder=ladders.from_detail(a["ladder"], ev.ts) if isinstance(a.get("ladder"), dict) else None,
            )
            return
        r = self._runs.get(rid)
        if r is None:
            return
        changes: dict[str, Any] = {}
        if action in ("sent", "executed", "effective", "not_effective", "rolling_back", "rolled_back",
                      "expired", "failed"):
            changes["state"] = action
        if action == "sent":
            changes["sent_ms"] = ev.ts
        if action == "failed":
            changes["timed_out"] = a.get("code") == "timeout"
        if action == "executed":
            changes["executed_ms"] = ev.ts
            changes["timed_out"] = False
            if r.expiry_s is not None:
                changes["expires_ms"] = ev.ts + int(r.expiry_s * 1000)
        if action in ("executed", "failed", "rolled_back", "expired") and a.get("message"):
            changes["message"] = str(a["message"])
        if action in ("effective", "not_effective"):
            changes["verified_ms"] = ev.ts
            changes["after"] = a.get("after")
        if action in ("rolled_back", "expired", "failed"):
            changes["ended_ms"] = ev.ts
        if action == "executed":
            changes["ended_ms"] = None
        if action == "expiring":
            changes["expiry_warned"] = True
        if action == "rollback_failed":
            changes["state"] = r.state
        if r.ladder is not None:
            ladder = _move(r.ladder, action, ev)
            if ladder is not r.ladder:
                changes["ladder"] = ladder
            if action == "completed":
                changes.update(state="effective", verified_ms=ev.ts, after=a.get("after"))
        self._runs[rid] = replace(r, **changes)


def _move(ld: ladders.Ladder, action: str, ev: Event) -> ladders.Ladder:
    """A staged run's ladder after one of its audit events (the same live and replayed)."""
    a, ts = ev.attrs, ev.ts
    index = a.get("stage") if isinstance(a.get("stage"), int) else ld.index
    try:
        if action == "stage_applying" and index != ld.index and 0 <= index < len(ld.stages):
            return ladders.advance(replace(ld, index=index - 1), ts)
        if action in ("stage_applied", "executed") and ld.phase == "applying":
            return ladders.applied(ld, ts)
        if action == "stage_verifying" and ld.phase == "holding":
            return replace(ld, phase="verifying", since_ms=ts)
        if action == "stage_failed":
            return ladders.halt(ld, str(a.get("message", "")), ts, values=a.get("values") or {})
        if action == "aborted":
            return ladders.halt(ld, f"aborted by {a.get('actor', '')}: {a.get('reason', '')}", ts, aborted=True)
        if action == "rolling_back" and ld.phase != "rolling_back":
            return ladders.halt(ld, str(a.get("reason", "")), ts, aborted=ld.phase != "completed")
        if action in ("rolled_back", "expired", "failed") and not ld.ended:
            if ld.phase != "rolling_back":  # withdrawn, expired or refused without a halt first
                ld = ladders.halt(ld, str(a.get("message", "")), ts)
            return ladders.finish(ld, "aborted" if ld.aborted else "rolled_back", ts)
        if action == "completed":
            return ladders.finish(ld, "completed", ts)
        if action == "paused":
            return ladders.pause(ld, ts)
        if action == "continued":
            return ladders.resume(ld, ts)
    except ValueError:
        return ld  # a log that says something impossible is shown as it was, not crashed on
    return ld


def _holds(op: str, value: float, threshold: float) -> bool:
    return {"<": value < threshold, "<=": value <= threshold, ">": value > threshold, ">=": value >= threshold}[op]


def _jsonable(d: Any) -> Any:
    if isinstance(d, dict):
        return {str(k): _jsonable(v) for k, v in d.items()}
    if isinstance(d, (list, tuple)):
        return [_jsonable(v) for v in d]
    if isinstance(d, float) and d != d:
        return None
    return d
