"""Staged traffic shifts in the simulator: the routing share really moves, stage by stage.

The full loop (the console's ladder over a feed, failing at 1/8 and rolling back) is
``tests/app/test_staged_shift.py``; here the simulator's side of it.
"""

from __future__ import annotations

import pytest

from warroom.core.model import EventKind, SeriesKey
from warroom.core.plan.plan_runs import PlanBook
from warroom.core.plan.stages import ladder_of
from warroom.core.plan.suggest import ranked
from warroom.sim.controls import Controls
from warroom.store.live import LiveView

PLAN = "shift-bank-icbc"


def engine_share(controls: Controls, bank: str) -> float:
    return controls.calls()[("payment-engine", bank)]


def test_the_catalogue_offers_a_guarded_staged_shift_per_bank(platform):
    shifts = [p for p in platform.plans if p.kind == "shift"]
    assert {p.target for p in shifts} == {s.name for s in platform.topology.services if s.kind.value == "bank"}
    plan = next(p for p in shifts if p.id == PLAN)
    assert plan.params["to"] == "bank-ccb" and plan.guard is not None and plan.critical
    assert [s.name for s in ladder_of(plan)] == ["whitelist", "1/256", "1/8", "1/4", "1/2", "all"]
    guarded = {g["series"] for g in plan.params["guards"]}
    assert 'service_saturation_ratio{service="bank-ccb"}' in guarded
    assert plan.localized("zh_CN").title.startswith("分级将")
    # A shift is planned work: never the suggested answer to an incident on its bank.
    assert all(p.kind != "shift" for p in ranked("bank-icbc", platform.plans, platform.topology, after_change=False))


def test_each_stage_moves_its_fraction_of_the_source_share(platform):
    controls = Controls(platform.topology)
    plan = next(p for p in platform.plans if p.id == PLAN)
    icbc, ccb = engine_share(controls, "bank-icbc"), engine_share(controls, "bank-ccb")
    controls.apply(plan, {}, {}, fraction=0.0)
    assert engine_share(controls, "bank-icbc") == pytest.approx(icbc), "the whitelist moves no measurable share"
    controls.stage(PLAN, 1 / 8)
    assert engine_share(controls, "bank-icbc") == pytest.approx(icbc * 7 / 8)
    assert engine_share(controls, "bank-ccb") == pytest.approx(ccb + icbc / 8)
    controls.stage(PLAN, 1.0)
    assert engine_share(controls, "bank-icbc") == 0 and engine_share(controls, "bank-ccb") == pytest.approx(icbc + ccb)
    controls.undo(PLAN)
    assert engine_share(controls, "bank-icbc") == pytest.approx(icbc) and not controls.shifts
    with pytest.raises(ValueError, match="not a staged shift in force"):
        controls.stage(PLAN, 0.5)


@pytest.mark.parametrize("stage, says", [
    (None, "one stage at a time"),
    ({"index": 9}, "not on its ladder"),
    ({"index": 2, "fraction": 0.5}, "ladder differs"),
])
def test_the_feed_refuses_stages_that_are_not_on_its_ladder(make_sim, stage, says):
    sim = make_sim()
    with pytest.raises(ValueError, match=says):
        sim.execute_plan(PLAN, "li.wei", "why", stage=stage)
    assert PLAN not in sim.active_plans
    with pytest.raises(ValueError, match="not staged"):
        sim.execute_plan("failover-bank-icbc", "li.wei", "why", stage={"index": 0})


def test_stages_are_events_and_a_rollback_puts_the_share_back(make_sim):
    sim = make_sim()
    first = sim.execute_plan(PLAN, "li.wei", "maintenance", stage={"index": 0, "fraction": 0.0})
    assert first["stage"]["name"] == "whitelist"
    nxt = sim.execute_plan(PLAN, "li.wei", "maintenance", "key-2", stage={"index": 2, "fraction": 0.125})
    assert nxt["stage"] == {"index": 2, "of": 6, "name": "1/8", "fraction": 0.125}
    assert nxt["shares"]["bank-ccb"] > nxt["shares"]["bank-abc"]
    sim.rollback_plan(PLAN, "li.wei", "done")
    _, events = sim.tick()
    plan_events = [e for e in events if e.kind is EventKind.PLAN_EXECUTION]
    assert [e.attrs["action"] for e in plan_events] == ["execute", "stage", "rollback"]
    assert plan_events[1].attrs["idempotency_key"] == "key-2" and plan_events[1].title.startswith("Next stage")
    assert not sim._controls.shifts


def test_a_destination_without_capacity_breaks_the_guards_at_one_eighth(make_sim):
    """The simulator and the book, without a feed: the whitelist and 1/256 pass, 1/8 fails."""
    sim = make_sim(warmup=20)
    view = LiveView()
    for _ in range(5):
        view.apply(sim.tick()[0])
    load = view.value(SeriesKey("service_requests_rate", {"service": "bank-ccb"}))
    sim.inject_fault("bank_latency_spike", "bank-ccb", None, factor=1.0,
                     capacity=load / (0.68 * sim.topology.service("bank-ccb").capacity_rps))
    for _ in range(5):
        view.apply(sim.tick()[0])
    plan = next(p for p in sim.plans if p.id == PLAN)
    book = PlanBook()
    run, _ = book.confirm(plan, "li.wei", "maintenance", sim.now_ms, typed=PLAN, value=view.value)
    sim.execute_plan(PLAN, "li.wei", "maintenance", run.id, stage={"index": 0, "fraction": 0.0})
    book.on_result(run.id, "succeeded", "", sim.now_ms)
    for _ in range(600):
        view.apply(sim.tick()[0])
        for e in book.tick(sim.now_ms, view.value):
            if e.attrs["action"] == "stage_applying":
                sim.execute_plan(PLAN, "li.wei", "maintenance", stage={"index": e.attrs["stage"],
                                                                       "fraction": e.attrs["fraction"]})
                book.on_stage_result(run.id, e.attrs["stage"], "succeeded", "", sim.now_ms)
            elif e.attrs["action"] == "rolling_back":
                sim.rollback_plan(PLAN, "li.wei", e.attrs["reason"])
        if book.run(run.id).state != "executed":
            break
    r = book.run(run.id)
    assert r.state == "rolling_back" and r.ladder.failed_stage == 2, r.ladder
    assert PLAN not in sim.active_plans
