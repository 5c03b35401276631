"""The checks that act: a plan execute/rollback round trip, and resumption after a disconnect.

They judge the ``CommandTrial`` and ``ResumeTrial`` that ``warroom.conform.run`` recorded. Without
``--allow-commands`` no command is sent and the commands check is skipped; a feed that does not
list ``"resume"`` in ``hello.capabilities`` is not disconnected and the resume check is skipped
(resumption is optional).
"""

from __future__ import annotations

from warroom.conform.observe import FINAL_STATES, CommandTrial, Exchange, Observation
from warroom.conform.results import Evidence, Outcome, check, failed, passed, skipped

_RANK = {"accepted": 0, "running": 1}


def sequence_problems(ex: Exchange) -> list[str]:
    """How the results of one command break "accepted → running → final; rejected alone" (§5.7)."""
    what = f"{ex.action} {ex.plan_id!r}"
    states = [r.state for _, r in ex.results]
    problems = [f"{what}: {e}" for e in ex.errors]
    final_at = next((i for i, s in enumerate(states) if s in FINAL_STATES), None)
    if final_at is None:
        if not ex.errors:
            problems.append(f"{what}: no final result (got {states or 'nothing'})")
        return problems
    before, after = states[:final_at], states[final_at + 1 :]
    if after:
        problems.append(f"{what}: {', '.join(after)} after the final {states[final_at]}")
    if states[final_at] == "rejected" and before:
        problems.append(f"{what}: rejected after {', '.join(before)} (rejected comes alone)")
    ranks = [_RANK[s] for s in before]
    if ranks != sorted(ranks) or ranks.count(0) > 1:
        problems.append(f"{what}: states out of order: {' → '.join(states)}")
    return problems


@check("commands", "plan execute/rollback round trip; one key runs once", "§5.5, §5.7, §6.2")
def commands(obs: Observation, ev: Evidence) -> Outcome:
    t = obs.commands
    if t is None:
        return skipped("not requested (--allow-commands)")
    problems = ev.problems("commands")
    if t.skipped:
        return failed(problems) if problems else skipped(t.skipped)
    problems += [p for ex in t.tried for p in sequence_problems(ex)]
    notes: list[str] = []
    ex = t.execute
    if ex is not None:
        problems += sequence_problems(ex)
        problems += _idempotency_problems(t, ex, notes)
        problems += _catalogue_problems(t, ex, t.rollback)
    if t.rollback is not None:
        problems += sequence_problems(t.rollback)
        final = t.rollback.final
        if final is not None and final.state != "succeeded":
            problems.append(f"rollback of {t.plan_id!r} ended {final.state}: {final.message!r}; "
                            "the plan may still be in force")
    if t.restore is not None:
        problems.append(f"the trial ended early and sent a rollback of {t.plan_id!r} to restore the feed "
                        f"({t.restore.final.state if t.restore.final else 'no answer'})")
    if problems:
        return failed(problems)
    final = ex.final if ex is not None else None
    head = f"{t.plan_id!r}: execute {final.state if final else '?'}, same key again answered as a replay"
    if t.rollback is not None and t.rollback.final is not None:
        head += ", rolled back"
    return passed("; ".join([head, *notes]))


def _idempotency_problems(t: CommandTrial, ex: Exchange, notes: list[str]) -> list[str]:
    """The same key sent again: the first result again, marked replay, and nothing run twice."""
    problems = []
    final = ex.final
    r = t.resend
    if final is not None and r is not None:
        problems += [f"same key again: {e}" for e in r.errors]
        if r.results:
            last = r.results[-1][1]
            if last.state != final.state:
                problems.append(f"same key again: answered {last.state}, the first time {final.state} "
                                "(the stored result is due, §6.2)")
            if not all(res.replay for _, res in r.results):
                problems.append("same key again: the answer is not marked \"replay\": true (§5.7, §6.2)")
        elif not r.errors:
            problems.append("same key again: no answer")
    until = t.rollback.sent_at if t.rollback is not None else float("inf")
    runs = {eid for at, eid, attrs in t.executions if ex.sent_at <= at < until
            and attrs.get("idempotency_key") in (None, ex.key)}
    if len(runs) > 1:
        problems.append(f"the plan ran {len(runs)} times for one key: plan_execution events {sorted(runs)[:3]}")
    elif not runs and final is not None and final.state == "succeeded":
        notes.append("note: no plan_execution event was published (SHOULD, §5.7); one run judged by the replay flag")
    return problems


def _catalogue_problems(t: CommandTrial, ex: Exchange, rollback: Exchange | None) -> list[str]:
    """A feed that sent a catalogue re-sends it when the set of active plans changes (§5.5)."""
    if not t.had_catalogue or ex.final is None or ex.final.state != "succeeded":
        return []
    problems = []
    until = rollback.sent_at if rollback is not None else float("inf")
    if not any(ex.sent_at <= at < until and t.plan_id in active for at, active in t.catalogue_active):
        problems.append(f"no plan_catalogue listing {t.plan_id!r} as active after it was executed")
    if rollback is not None and rollback.final is not None and rollback.final.state == "succeeded":
        if not any(at >= rollback.sent_at and t.plan_id not in active for at, active in t.catalogue_active):
            problems.append(f"no plan_catalogue without {t.plan_id!r} in active after it was rolled back")
    return problems


@check("resume", "resumption after a short disconnect (when offered)", "§3.1, §5.1, §6.1")
def resume(obs: Observation, ev: Evidence) -> Outcome:
    t = obs.resume
    if t is None:
        return skipped("the feed does not offer resumption (optional: no \"resume\" in hello.capabilities)")
    if t.skipped:
        return skipped(t.skipped)
    problems = list(t.problems)
    since = t.since
    h = t.hello
    if h is None:
        problems.append("no hello on the resumed connection")
    elif h.resume_from is None or since is None or h.resume_from > since:
        problems.append(f"after a {t.gap_s:.1f} s gap the feed cannot resume from since={since}: "
                        f"hello.resume_from is {h.resume_from}")
    for n, f in enumerate((f for f in obs.frames if f.conn == "resume"), 1):
        for err in f.errors:
            code = getattr(err.code, "value", err.code)
            if code in ("sequence_gap", "non_finite"):
                continue
            why = " (sent again what the client had)" if code in ("duplicate_point", "out_of_order") else ""
            problems.append(f"resumed frame {n} ({f.kind}): {code}: {err.message}{why}")
    if since is not None and t.witness_newest is not None and t.resumed_newest is not None:
        end = min(t.witness_newest, t.resumed_newest)
        due = {p for p in t.witness_points if since < p[1] <= end}
        missing = due - t.resumed_points
        if missing:
            first = sorted(missing, key=lambda p: (p[1], p[0]))[:2]
            problems.append(f"{len(missing)} of {len(due)} points broadcast after since={since} are missing "
                            f"after resuming, e.g. {', '.join(f'{k} @ {ts}' for k, ts in first)}")
        lost = sorted(eid for eid, ts in t.witness_events.items() if since < ts <= end and eid not in t.resumed_events)
        if lost:
            problems.append(f"events broadcast after since={since} missing after resuming: {lost[:3]}")
        if not problems:
            n_events = sum(since < ts <= end for ts in t.witness_events.values())
            return passed(f"gap {t.gap_s:.1f} s: all {len(due)} points and {n_events} events broadcast after "
                          "since came on the resumed connection")
    elif not problems:
        problems.append("no points to compare: the witness or the resumed connection saw none")
    return failed(problems)
