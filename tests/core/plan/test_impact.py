"""Impact previews against the simulator: the estimate, then what the plan really does."""

from __future__ import annotations

from collections import defaultdict

import pytest

from warroom.core.plan.impact import preview
from warroom.core.model import SeriesKey
from warroom.sim import Simulator

PEAK_MS = 1_731_292_200_000  # 10:30 UTC+8


def record(sim: Simulator, seconds: int) -> dict[SeriesKey, list[float]]:
    data: dict[SeriesKey, list[float]] = defaultdict(list)
    for _ in range(seconds):
        batch, _ = sim.tick()
        for i, v in zip(batch.index.tolist(), batch.values.tolist()):
            data[batch.series[i]].append(v)
    return data


def mean(data, name, **labels) -> float:
    v = data[SeriesKey(name, labels)]
    return sum(v) / len(v)


@pytest.fixture
def sim():
    s = Simulator(start_ms=PEAK_MS, seed=2)
    record(s, 5)
    return s


def test_bank_failover_estimate_matches_what_the_simulator_then_does(sim):
    data = record(sim, 120)
    plan = sim.platform.plan("failover-bank-icbc")
    imp = preview(plan, sim.topology, lambda k: data.get(k, []))
    assert imp.estimated and imp.points == 120
    assert "bank-icbc" in imp.services and "payment-engine" in imp.services
    assert ("payment-engine", "bank-icbc") in imp.edges and "qr_pay" in imp.scenarios
    f = imp.figures
    assert f["moved"] == pytest.approx(mean(data, "service_requests_rate", service="bank-icbc"))
    assert sum(f["load_after"].values()) == pytest.approx(sum(f["load_before"].values()) + f["moved"])
    sim.execute_plan(plan.id, actor="test")
    after = record(sim, 60)
    for bank, predicted in f["load_after"].items():
        real = mean(after, "service_requests_rate", service=bank)
        assert real == pytest.approx(predicted, rel=0.15), bank
    assert mean(after, "service_requests_rate", service="bank-icbc") < 0.05 * f["moved"]


def test_rate_limit_rejects_nothing_at_a_normal_peak_and_the_excess_in_a_surge(sim):
    plan = sim.platform.plan("ratelimit-app-gateway")
    calm = record(sim, 60)
    imp = preview(plan, sim.topology, lambda k: calm.get(k, []))
    assert imp.estimated and imp.figures["rejected_mean"] == 0 and imp.warnings == ()
    assert set(imp.scenarios) == {sc.id for sc in sim.topology.scenarios if sc.entry == "app-gateway"}
    sim.inject_fault("traffic_surge", "app-gateway", None, multiplier=3.0)
    record(sim, 40)  # past the ramp
    surge = record(sim, 60)
    imp = preview(plan, sim.topology, lambda k: surge.get(k, []))
    f = imp.figures
    assert f["rejected_mean"] == pytest.approx(f["offered_mean"] - f["count"])
    assert f["rejected_mean"] > 0.3 * f["offered_mean"]
    assert sum(f["rejected_by_scenario"].values()) == pytest.approx(f["rejected_mean"])
    assert imp.warnings
    # Run it: the simulator's blocked rate is what the preview said would be rejected.
    sim.execute_plan(plan.id, actor="test")
    record(sim, 5)
    blocked = mean(record(sim, 30), "service_blocked_rate", service="app-gateway")
    assert blocked == pytest.approx(f["rejected_mean"], rel=0.2)


def test_degrade_lists_what_is_switched_off(sim):
    data = record(sim, 30)
    imp = preview(sim.platform.plan("degrade-coupon"), sim.topology, lambda k: data.get(k, []))
    assert imp.figures["switched_off"][0] == "coupon" and "coupon-cache" in imp.figures["switched_off"]
    assert imp.figures["load_removed"] == pytest.approx(mean(data, "service_requests_rate", service="coupon"))
    assert imp.warnings == ()


def test_no_recent_data_means_no_estimate_not_a_made_up_one(sim):
    for plan in sim.platform.plans:
        imp = preview(plan, sim.topology, lambda k: [])
        assert not imp.estimated and "no_estimate" in imp.figures, plan.id
        assert imp.services or imp.scenarios, plan.id
