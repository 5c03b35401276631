"""The stage ladder and the staged run's state machine, alone and in the plan book."""

from __future__ import annotations

import pytest

from warroom.core.plan import stages as S
from warroom.core.plan.plan_runs import PlanBook
from warroom.core.plan.plans import Guard, Plan

SUCCESS = 'scenario_success_ratio{scenario="qr_pay"}'
SATURATION = 'service_saturation_ratio{service="bank-ccb"}'


def shift(**params) -> Plan:
    base = {"to": "bank-ccb", "stages": "whitelist, 1/256, 1/8, 1/4, 1/2, all", "hold_s": 10,
            "guards": [{"series": SATURATION, "op": "<", "threshold": 0.75}]}
    base.update(params)
    return Plan("shift-icbc", "shift", "Shift ICBC", "bank_channel", "bank-icbc", params=base,
                guard=Guard(SUCCESS, ">=", 0.99, 60), titles={"zh_CN": "切换工行"})


# -- the ladder ------------------------------------------------------------------------
def test_ladder_texts_numbers_and_mappings():
    ladder = S.parse_ladder(["whitelist", "1/256", 0.125, "25%", {"fraction": "1/2", "hold_s": 300}, "all"], 90)
    assert [s.name for s in ladder] == ["whitelist", "1/256", "1/8", "25%", "1/2", "all"]
    assert [s.fraction for s in ladder] == [0.0, 1 / 256, 0.125, 0.25, 0.5, 1.0]
    assert [s.hold_s for s in ladder] == [90, 90, 90, 90, 300, 90]
    assert ladder[0].label("zh_CN") == "白名单" and ladder[-1].label("zh_CN") == "全量"


@pytest.mark.parametrize("raw, says", [
    ([], "non-empty"),
    (["1/8", "1/256"], "stages[2]: 1/256 does not widen"),
    (["1/8", "whitelist"], "stages[2]: whitelist does not widen"),
    (["1/0"], "stages[1]"),
    (["3/2"], "between 0 and all"),
    (["lots"], "not a fraction"),
    ([{"hold_s": 5}], "needs a fraction"),
    ([{"fraction": "1/8", "hold_s": -1}], "hold_s"),
    (["1/8"] * 13, "at most"),
])
def test_bad_ladders_are_refused_with_the_stage_named(raw, says):
    with pytest.raises(ValueError, match=says.replace("[", r"\[").replace("]", r"\]")):
        S.parse_ladder(raw)


def test_which_plans_are_staged():
    assert S.ladder_of(shift(stages=None)) == S.parse_ladder(S.DEFAULT_LADDER, 10)  # a shift: the default
    plain = Plan("rl", "rate_limit", "Limit", "service", "cashier", params={"count": 5})
    assert S.ladder_of(plain) is None
    staged = Plan("rl2", "rate_limit", "Limit", "service", "cashier", params={"stages": ["1/2", "all"]})
    assert [s.name for s in S.ladder_of(staged)] == ["1/2", "all"]
    assert [g["series"] for g in S.guards_of(shift())] == [SUCCESS, SATURATION]
    with pytest.raises(ValueError, match="guards\\[1\\]"):
        S.guards_of(shift(guards=[{"series": SATURATION, "op": "~", "threshold": 1}]))


# -- the state machine ----------------------------------------------------------------
def test_one_bad_sample_is_not_a_failure_two_are():
    ld = S.applied(S.start(S.parse_ladder("1/8, all", 60), S.guards_of(shift()), 0), 1000)
    bad = {SUCCESS: 0.95, SATURATION: 0.5}.get
    assert S.judge(ld, 2000, bad, breaches=0).step == "breach"
    v = S.judge(ld, 3000, bad, breaches=1)
    assert v.step == "failed" and "qr_pay" in v.why and "0.95" in v.why


def test_pause_stops_the_hold_clock_but_not_the_guards():
    good = {SUCCESS: 0.999, SATURATION: 0.5}.get
    ld = S.applied(S.start(S.parse_ladder("1/8, all", 60), S.guards_of(shift()), 0), 0)
    ld = S.pause(ld, 40_000)
    assert S.judge(ld, 500_000, good).step == "ok" and ld.held_s(500_000) == 40
    assert S.judge(ld, 500_000, {SUCCESS: 0.5, SATURATION: 0.5}.get, breaches=1).step == "failed"
    ld = S.resume(ld, 500_000)
    assert S.judge(ld, 519_000, good).step == "ok"
    assert S.judge(ld, 520_000, good).step == "verify"
    with pytest.raises(ValueError):
        S.resume(ld, 520_000)


def test_verification_needs_a_value_of_every_guard():
    ld = S.start(S.parse_ladder("1/8, all", 60), S.guards_of(shift()), 0)
    ld = S.applied(ld, 0)
    from dataclasses import replace
    ld = replace(ld, phase="verifying", since_ms=60_000)
    half = {SUCCESS: 0.999}.get  # no saturation value
    assert S.judge(ld, 61_000, half).step == "wait"
    v = S.judge(ld, 60_000 + S.VERIFY_WAIT_MS + 1, half)
    assert v.step == "failed" and "cannot be verified" in v.why
    assert S.judge(ld, 61_000, {SUCCESS: 0.999, SATURATION: 0.5}.get).step == "passed"


def test_a_stage_the_feed_never_confirms_fails():
    ld = S.advance(S.applied(S.start(S.parse_ladder("1/8, all"), S.guards_of(shift()), 0), 0), 10_000)
    ok = {SUCCESS: 0.999, SATURATION: 0.5}.get
    assert S.judge(ld, 10_000 + S.APPLY_TIMEOUT_MS, ok).step == "wait"
    assert S.judge(ld, 10_001 + S.APPLY_TIMEOUT_MS, ok).step == "failed"


# -- in the plan book ------------------------------------------------------------------
class Drive:
    """A book, a clock and a feed that applies what it is told."""

    def __init__(self, plan: Plan) -> None:
        self.book, self.t, self.values = PlanBook(), 0, {SUCCESS: 0.999, SATURATION: 0.5}
        self.run, self.log = self.book.confirm(plan, "li.wei", "maintenance", 0, typed=plan.id)
        self.log += self.book.on_result(self.run.id, "succeeded", "in force", 500)

    def until(self, pred, seconds=600, bad_from_stage=None):
        for _ in range(seconds):
            self.t += 1000
            r = self.book.run(self.run.id)
            if bad_from_stage is not None and r.ladder.index >= bad_from_stage and r.ladder.phase == "holding":
                self.values[SATURATION] = 0.8
            out = self.book.tick(self.t, lambda k: self.values.get(k.text))
            self.log += out
            for e in out:
                if e.attrs["action"] == "stage_applying":
                    self.log += self.book.on_stage_result(self.run.id, e.attrs["stage"], "succeeded", "", self.t)
            if pred(self.book.run(self.run.id)):
                return self.book.run(self.run.id)
        raise AssertionError(self.book.run(self.run.id))


def test_a_healthy_shift_climbs_every_stage_and_completes():
    d = Drive(shift())
    r = d.until(lambda r: r.state != "executed")
    assert r.state == "effective" and r.ladder.phase == "completed" and r.ladder.index == 5
    passed = [e.attrs["stage"] for e in d.log if e.attrs["action"] == "stage_passed"]
    assert passed == [0, 1, 2, 3, 4, 5]
    assert r.verified_ms - r.executed_ms >= 6 * 10_000, "every stage was held its 10 s"


def test_a_breach_at_one_eighth_halts_and_asks_for_the_rollback():
    d = Drive(shift())
    r = d.until(lambda r: r.state != "executed", bad_from_stage=2)
    assert r.state == "rolling_back" and r.ladder.phase == "rolling_back"
    assert r.ladder.failed_stage == 2 and r.ladder.stage.name == "1/8" and SATURATION in r.ladder.why
    failed, auto = d.log[-2:]
    assert failed.attrs["action"] == "stage_failed" and failed.severity.name == "P2"
    assert failed.attrs["titles"]["zh_CN"].startswith("阶段 1/8 失败，正在回滚：切换工行")
    assert auto.attrs["action"] == "rolling_back" and auto.attrs["automatic"] is True
    d.log += d.book.on_result(d.run.id, "succeeded", "rolled back", d.t + 100, rollback=True)
    r = d.book.run(d.run.id)
    assert r.state == "rolled_back" and r.ladder.phase == "rolled_back" and r.ladder.fraction == 0
    # The stored log rebuilds the same ladder.
    again = PlanBook.replay(d.log).run(d.run.id)
    assert again.ladder == r.ladder and again.state == "rolled_back"


def test_the_commander_pauses_continues_and_aborts():
    d = Drive(shift())
    d.until(lambda r: r.ladder.index == 1 and r.ladder.phase == "holding")
    with pytest.raises(ValueError, match="who and why"):
        d.book.pause(d.run.id, "li.wei", " ", d.t)
    d.log += d.book.pause(d.run.id, "li.wei", "bank asked us to wait", d.t)
    r = d.book.run(d.run.id)
    assert r.ladder.paused
    d.t += 300_000  # five minutes paused: the hold does not run out
    d.log += d.book.tick(d.t, lambda k: d.values.get(k.text))
    assert d.book.run(d.run.id).ladder.index == 1 and d.book.run(d.run.id).ladder.phase == "holding"
    with pytest.raises(ValueError, match="nothing to pause"):
        d.book.pause(d.run.id, "li.wei", "again", d.t)
    d.log += d.book.resume(d.run.id, "li.wei", "bank is ready", d.t)
    d.until(lambda r: r.ladder.index == 2)
    events = d.book.abort(d.run.id, "li.wei", "merchant complaints", d.t)
    assert [e.attrs["action"] for e in events] == ["aborted", "rolling_back"]
    assert "automatic" not in events[1].attrs and events[1].attrs["actor"] == "li.wei"
    d.log += events
    d.log += d.book.on_result(d.run.id, "succeeded", "", d.t + 10, rollback=True)
    r = d.book.run(d.run.id)
    assert r.ladder.phase == "aborted" and r.ladder.aborted and r.ladder.failed_stage == 2
    with pytest.raises(ValueError):
        d.book.abort(d.run.id, "li.wei", "again", d.t)
    assert PlanBook.replay(d.log).run(d.run.id).ladder.phase == "aborted"


def test_a_refused_stage_rolls_back_what_was_applied():
    d = Drive(shift())
    d.until(lambda r: r.ladder.index == 1 and r.ladder.phase == "holding")
    # The next stage's command is refused by the feed.
    for _ in range(30):
        d.t += 1000
        out = d.book.tick(d.t, lambda k: d.values.get(k.text))
        if any(e.attrs["action"] == "stage_applying" for e in out):
            break
    events = d.book.on_stage_result(d.run.id, 2, "rejected", "weight shift too large", d.t)
    assert [e.attrs["action"] for e in events] == ["stage_failed", "rolling_back"]
    assert "weight shift too large" in d.book.run(d.run.id).ladder.why
    assert d.book.on_stage_result(d.run.id, 2, "succeeded", "late", d.t) == [], "a late answer changes nothing"


def test_a_staged_plan_without_a_guard_or_with_a_bad_ladder_is_refused():
    bare = Plan("s", "shift", "Shift", "bank_channel", "bank-icbc", params={"to": "bank-ccb"})
    with pytest.raises(ValueError, match="guard KPI"):
        PlanBook().confirm(bare, "li.wei", "why", 0)
    with pytest.raises(ValueError, match="stages\\[2\\]"):
        PlanBook().confirm(shift(stages=["1/2", "1/8"]), "li.wei", "why", 0, typed="shift-icbc")
