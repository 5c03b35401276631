"""Plans change the simulated platform the way they would change the real one, and roll back."""

from __future__ import annotations

import dataclasses

import pytest

from warroom.core.model import EventKind
from warroom.sim import Simulator
from warroom.sim.platform import Platform
from warroom.sim.catalogue import RATE_LIMIT_HEADROOM

from .support import PEAK_MS, edge, run, scn, svc


def test_bank_failover_restores_qr_payment_during_a_bank_outage(make_sim):
    sim = make_sim()
    sim.inject_fault("dependency_outage", "bank-icbc")
    broken = run(sim, 10)
    assert broken[scn("scenario_success_ratio", "qr_pay")] < 0.7  # ICBC carries 35%
    detail = sim.execute_plan("failover-bank-icbc", actor="cmdr", reason="ICBC down")
    shares = detail["shares"]
    assert shares["bank-icbc"] == 0.0 and sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert all(shares[b] > s for b, s in {"bank-ccb": 0.30, "bank-abc": 0.20, "bank-boc": 0.15}.items())
    fixed = run(sim, 10)
    assert fixed[scn("scenario_success_ratio", "qr_pay")] > 0.99
    assert fixed[svc("service_requests_rate", "bank-icbc")] == 0.0
    assert fixed[svc("service_requests_rate", "bank-ccb")] > 1.3 * broken[svc("service_requests_rate", "bank-ccb")]
    assert fixed[svc("service_saturation_ratio", "bank-ccb")] < 1.0
    sim.rollback_plan("failover-bank-icbc")
    again = run(sim, 10)
    assert again[scn("scenario_success_ratio", "qr_pay")] < 0.7
    assert again[svc("service_requests_rate", "bank-icbc")] > 1000


def test_bank_failover_weights_by_headroom_and_skips_unhealthy_banks(make_sim):
    sim = make_sim()
    sim.inject_fault("dependency_outage", "bank-boc")
    run(sim, 3)
    shares = sim.execute_plan("failover-bank-icbc")["shares"]
    assert shares["bank-boc"] == pytest.approx(0.15)  # down: gets nothing more
    assert shares["bank-ccb"] + shares["bank-abc"] == pytest.approx(0.85, abs=1e-3)


def test_failing_over_every_bank_is_refused(make_sim):
    sim = make_sim()
    for bank in ("bank-icbc", "bank-ccb", "bank-abc"):
        sim.execute_plan(f"failover-{bank}")
    with pytest.raises(ValueError, match="no bank would be left"):
        sim.execute_plan("failover-bank-boc")
    v = run(sim, 3)
    pe = v[svc("service_requests_rate", "payment-engine")]
    assert v[svc("service_requests_rate", "bank-boc")] == pytest.approx(pe)


@pytest.mark.parametrize("target, its_callee", [("coupon", "coupon-cache"), ("marketing", None)])
def test_degrade_removes_the_load_and_failures_of_a_non_core_service(make_sim, target, its_callee):
    sim = make_sim()
    before = run(sim, 5)
    assert before[svc("service_requests_rate", target)] > 500
    sim.inject_fault("dependency_outage", target)
    broken = run(sim, 5)
    assert broken[scn("scenario_success_ratio", "qr_pay")] < 0.8
    sim.execute_plan(f"degrade-{target}")
    degraded = run(sim, 5)
    assert degraded[svc("service_requests_rate", target)] == 0.0
    assert degraded[edge("edge_requests_rate", "trade", target)] == 0.0
    if its_callee:
        assert degraded[svc("service_requests_rate", its_callee)] == 0.0
    assert degraded[scn("scenario_success_ratio", "qr_pay")] > 0.99
    trade = svc("service_requests_rate", "trade")
    assert degraded[trade] == pytest.approx(before[trade], rel=0.05)
    other = "marketing" if target == "coupon" else "coupon"
    assert degraded[svc("service_requests_rate", other)] > 500  # only the target was degraded
    sim.rollback_plan(f"degrade-{target}")
    back = run(sim, 5)
    assert back[scn("scenario_success_ratio", "qr_pay")] < 0.8
    load = svc("service_requests_rate", target)
    assert back[load] == pytest.approx(before[load], rel=0.1)


def test_degrading_a_core_service_is_refused(make_sim):
    from warroom.core.plan.plans import Plan
    from warroom.sim.controls import Controls

    sim = make_sim(warmup=0)
    bad = Plan(id="degrade-trade", kind="degrade", title="x", target_kind="service", target="trade")
    with pytest.raises(ValueError, match="non-core"):
        Controls(sim.topology).apply(bad, {}, {})


def test_rate_limit_caps_admitted_requests_and_shows_blocked(make_sim, platform):
    count = platform.plan("ratelimit-cashier").params["count"]
    assert count == pytest.approx(platform.base_tps["bank_card_pay"] * RATE_LIMIT_HEADROOM, abs=1)
    sim = make_sim()
    sim.inject_fault("traffic_surge", "cashier", multiplier=8.0)
    surged = run(sim, 5)
    offered = surged[scn("scenario_requests_rate", "bank_card_pay")]
    assert surged[svc("service_saturation_ratio", "trade")] > 1.0
    assert surged[scn("scenario_success_ratio", "qr_pay")] < 0.95  # the surge hurts everyone
    sim.execute_plan("ratelimit-cashier")
    limited = run(sim, 5)
    assert limited[svc("service_requests_rate", "cashier")] == pytest.approx(count)
    blocked = limited[scn("scenario_blocked_rate", "bank_card_pay")]
    assert blocked == pytest.approx(limited[scn("scenario_requests_rate", "bank_card_pay")] - count)
    assert blocked > 0.8 * offered
    assert limited[svc("service_blocked_rate", "cashier")] == pytest.approx(blocked)
    # Blocked requests count as failed; the other flows get their capacity back.
    assert limited[scn("scenario_success_ratio", "bank_card_pay")] < 0.2
    assert limited[scn("scenario_tps", "bank_card_pay")] <= count
    assert limited[svc("service_saturation_ratio", "trade")] < 0.9
    assert limited[scn("scenario_success_ratio", "qr_pay")] > 0.99
    sim.rollback_plan("ratelimit-cashier")
    back = run(sim, 5)
    assert back[scn("scenario_blocked_rate", "bank_card_pay")] == 0.0
    assert back[svc("service_saturation_ratio", "trade")] > 1.0


def test_rate_limit_below_the_limit_blocks_nothing(make_sim):
    sim = make_sim()
    sim.execute_plan("ratelimit-cashier")
    v = run(sim, 5)
    assert v[scn("scenario_blocked_rate", "bank_card_pay")] == 0.0
    assert v[scn("scenario_success_ratio", "bank_card_pay")] > 0.99


def test_scenario_rate_limit_caps_only_that_scenario(make_sim, platform):
    plan = platform.plan("ratelimit-scenario-qr_pay")
    sim = make_sim()
    sim.start_surge(3.0, 120)
    run(sim, 10)
    sim.execute_plan(plan.id)
    v = run(sim, 5)
    assert v[scn("scenario_requests_rate", "qr_pay")] - v[scn("scenario_blocked_rate", "qr_pay")] == pytest.approx(
        plan.params["count"]
    )
    assert v[scn("scenario_blocked_rate", "refund")] == 0.0  # same entry, other scenario


def test_db_failover_to_standby_ends_the_outage_and_rollback_brings_it_back(make_sim):
    sim = make_sim()
    sim.inject_fault("db_failover", "trade-db", unavailable_s=600)
    assert run(sim, 5)[scn("scenario_success_ratio", "qr_pay")] < 0.01
    sim.execute_plan("failover-trade-db")
    standby = run(sim, 5)
    assert standby[scn("scenario_success_ratio", "qr_pay")] > 0.99
    assert standby[svc("service_error_ratio", "trade-db")] < 0.01
    healthy = run(make_sim(), 5)
    # The standby is smaller and colder: busier and slower than the primary was.
    busy = svc("service_saturation_ratio", "trade-db")
    assert standby[busy] > 1.3 * healthy[busy]
    sim.rollback_plan("failover-trade-db")
    assert run(sim, 5)[scn("scenario_success_ratio", "qr_pay")] < 0.01


def test_plan_execution_and_rollback_emit_events_and_track_active(make_sim):
    sim = make_sim(seed=5)
    sim.execute_plan("degrade-coupon", actor="alice", reason="coupon slow")
    assert sim.active_plans == ("degrade-coupon",)
    assert sim.catalogue().active == ("degrade-coupon",)
    t0 = sim.now_ms
    _, events = sim.tick()
    (e,) = events
    assert e.kind == EventKind.PLAN_EXECUTION and e.ts == t0 and e.subject == "degrade-coupon"
    assert dict(e.attrs)["actor"] == "alice" and e.attrs["action"] == "execute" and e.attrs["reason"] == "coupon slow"
    assert e.attrs["params"]["resource"] == "coupon"
    sim.rollback_plan("degrade-coupon", actor="bob")
    _, events = sim.tick()
    got = [(x.kind, x.attrs["action"], x.attrs["actor"]) for x in events]
    assert got == [(EventKind.PLAN_EXECUTION, "rollback", "bob")]
    assert sim.active_plans == ()


def test_bad_plan_commands_raise_value_error(make_sim):
    sim = make_sim(warmup=0)
    with pytest.raises(ValueError, match="unknown plan"):
        sim.execute_plan("launch-rockets")
    with pytest.raises(ValueError, match="not active"):
        sim.rollback_plan("degrade-coupon")
    sim.execute_plan("degrade-coupon")
    with pytest.raises(ValueError, match="already active"):
        sim.execute_plan("degrade-coupon")


def test_plans_with_an_expiry_roll_back_by_themselves(platform):
    plans = tuple(dataclasses.replace(p, expiry_s=5.0) if p.id == "ratelimit-cashier" else p for p in platform.plans)
    assert platform.plan("ratelimit-cashier").expiry_s  # the real catalogue has one too
    quick = Platform(platform.topology, platform.base_tps, platform.profiles, plans)
    sim = Simulator(seed=1, start_ms=PEAK_MS, platform=quick)
    sim.execute_plan("ratelimit-cashier")
    t0 = sim.now_ms
    ticks = []
    for _ in range(8):
        ticks.append([(e.attrs["action"], e.ts - t0) for e in sim.tick()[1]])
    assert ticks[0] == [("execute", 0)] and ticks[5] == [("expire", 5000)]
    assert sum(ticks, []) == [("execute", 0), ("expire", 5000)]
    assert sim.active_plans == ()
