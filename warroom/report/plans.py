"""The contingency plans run during an incident, from the plan audit trail.

``PlanBook.replay`` rebuilds each run's final state; the audit events themselves say what
happened on the way (verified effective, then rolled back...), and the ``previewed`` event
before the confirmation keeps the impact figures the commander saw.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from warroom.core.language.lang import pick
from warroom.core.model import Event, EventKind
from warroom.core.language.names import Names
from warroom.core.plan.plans import Plan
from warroom.core.plan.plan_runs import PlanBook
from warroom.report.facts import PlanFacts

_VERDICT_ACTIONS = ("effective", "not_effective", "rolled_back", "expired", "failed")
#: A staged shift's verdicts: each stage was verified on its own, so it is never "unverified".
_STAGED_VERDICTS = ("completed", "stage_failed", "aborted", "rolled_back", "expired", "failed")


def plan_facts(events: Iterable[Event], start_ms: int, end_ms: int, *, catalogue: Iterable[Plan] = (),
               names: Names | None = None, lang: str = "en") -> list[PlanFacts]:
    """Runs confirmed in ``[start_ms, end_ms]``, oldest first. A plan the ``catalogue`` names
    in ``lang`` gets that title (and its steps, when the run's are the catalogue's); services
    in the impact preview are named with ``names``."""
    plans = {p.id: p for p in catalogue}
    audit = [e for e in events if e.kind is EventKind.PLAN_EXECUTION and e.attrs.get("audit")]
    book = PlanBook.replay(audit)
    out = []
    for run in sorted(book.runs(), key=lambda r: (r.confirmed_ms, r.id)):
        if not start_ms <= run.confirmed_ms <= end_ms:
            continue
        actions = [str(e.attrs.get("action")) for e in sorted(audit, key=lambda e: (e.ts, _n(e)))
                   if e.attrs.get("run") == run.id]
        staged = run.ladder is not None
        verdicts = [a for a in dict.fromkeys(actions) if a in (_STAGED_VERDICTS if staged else _VERDICT_ACTIONS)]
        if staged and not verdicts and run.live:
            verdicts = ["staged_under_way"]
        if not staged and run.executed_ms is not None and not any(v in ("effective", "not_effective")
                                                                  for v in verdicts):
            verdicts.insert(0, "unverified")
        if not verdicts:
            verdicts = ["not_run"]
        preview = _preview_before(audit, run.plan_id, run.confirmed_ms)
        title, steps = run.title, tuple(run.steps)
        plan = plans.get(run.plan_id)
        if plan is not None:
            title = pick(title, plan.titles, lang)
            if steps == tuple(plan.steps):
                steps = tuple(plan.localized(lang).steps)
        figures = None if preview is None else dict(preview.attrs.get("figures") or {})
        if figures is not None and names is not None:
            figures = _named(figures, lambda ident: names.subject(ident, lang=lang))
        out.append(PlanFacts(
            run=run.id, plan_id=run.plan_id, title=title, kind=run.kind, actor=run.actor, reason=run.reason,
            confirmed_ms=run.confirmed_ms, executed_ms=run.executed_ms, verified_ms=run.verified_ms,
            ended_ms=run.ended_ms, params=dict(run.params), steps=steps, guard=run.guard,
            before=_num(run.before), after=_num(run.after), verdicts=tuple(verdicts),
            preview_ms=None if preview is None else preview.ts, preview=figures,
            stages=_stages(run.ladder, lang) if staged else (),
        ))
    return out


def _stages(ld, lang: str) -> tuple[tuple[str, str], ...]:
    """How each stage of a staged shift ended (``PlanFacts.stages``)."""
    out = []
    for i, st in enumerate(ld.stages):
        if i < ld.index or (i == ld.index and ld.phase == "completed"):
            how = "passed"
        elif i == ld.index and ld.failed_stage == i:
            how = "aborted" if ld.aborted else "failed"
        elif i == ld.index:
            how = "under_way"
        else:
            how = "not_reached"
        out.append((st.label(lang), how))
    return tuple(out)


def _named(figures: dict[str, Any], name: Callable[[str], str]) -> dict[str, Any]:
    """An impact preview's figures with service and scenario ids (per-item rows, lists of
    targets) replaced by their names; numbers and other text as they are."""
    def one(v: Any) -> Any:
        if isinstance(v, str):
            return name(v)
        if isinstance(v, (list, tuple)):
            return [one(x) for x in v]
        return v

    return {k: ({name(str(i)): x for i, x in v.items()} if isinstance(v, dict) else one(v))
            for k, v in figures.items()}


def feed_plan_events(events: Iterable[Event], start_ms: int, end_ms: int) -> list[Event]:
    """Plan events from the platform itself (run elsewhere, or expired) in the span."""
    return [e for e in events if e.kind is EventKind.PLAN_EXECUTION and not e.attrs.get("audit")
            and start_ms <= e.ts <= end_ms]


def _preview_before(audit: list[Event], plan_id: str, confirmed_ms: int) -> Event | None:
    """The newest preview of the plan at or before its confirmation (within an hour)."""
    previews = [e for e in audit if e.attrs.get("action") == "previewed" and e.attrs.get("plan_id") == plan_id
                and confirmed_ms - 3_600_000 <= e.ts <= confirmed_ms]
    return max(previews, key=lambda e: (e.ts, _n(e))) if previews else None


def _n(e: Event) -> int:
    n = e.attrs.get("n")
    return n if isinstance(n, int) else 0


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
