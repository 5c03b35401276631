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

    def say(self, step: str, **fmt: Any) -> tuple[str, dict[str, str]]:
        """The title of one of this run's audit steps, in English and per language."""
        return step_titles(step, self.title, self.titles, **fmt)

    @property
    def live(self) -> bool:
        """True while the plan is (or may be) in force."""
        return self.state in LIVE


class PlanBook:
    """The plan runs of one console; see the module docstring."""

    def __init__(self) -> None:
        self._runs: dict[str, PlanRun] = {}
        self._n = 0

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
        })
        return self._runs[rid], [ev]

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
            if r.state == "executed" and r.guard is not None and r.executed_ms is not None:
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
        severity = Severity.P2 if action in ("failed", "not_effective", "rollback_failed", "expiring") else Severity.INFO
        title, titles = said
        attrs = {"audit": True, "run": run_id or "", "plan_id": plan_id, "action": action, "actor": actor,
                 "reason": reason, "n": self._n, **detail}
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
        if action == "confirmed":
            expiry = a.get("expiry_s")
            self._runs[rid] = PlanRun(
                id=rid, plan_id=a["plan_id"], title=a.get("title", a["plan_id"]), kind=a.get("plan_kind", ""),
                state="confirmed", actor=a.get("actor", ""), reason=a.get("reason", ""),
                params=dict(a.get("params") or {}), confirmed_ms=ev.ts, guard=a.get("guard"),
                before=a.get("before"), steps=tuple(a.get("steps") or ()),
                expiry_s=None if expiry is None else float(expiry), titles=clean_titles(a.get("plan_titles")),
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
        self._runs[rid] = replace(r, **changes)


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
