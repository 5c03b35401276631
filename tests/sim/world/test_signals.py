"""Signals that are not request/response: consumer lag, job bursts, crashes; and rollback plans."""

from __future__ import annotations

from warroom.core.model import EventKind
from warroom.sim import Simulator
from warroom.sim.world import load_world

from ..support import PEAK_MS, values


def _tick(sim: Simulator, n: int) -> list[dict[str, float]]:
    return [values(sim.tick()[0]) for _ in range(n)]


LAG = 'consumer_lag_seconds{service="write-home-timeline"}'


def test_a_stalled_consumer_falls_behind_and_catches_up_after():
    sim = Simulator(start_ms=PEAK_MS, seed=2, world=load_world("social"))
    calm = _tick(sim, 5)[-1][LAG]
    fault = sim.inject_fault("consumer_stall", "write-home-timeline")
    stalled = _tick(sim, 30)
    assert stalled[-1][LAG] > calm + 25  # a second of lag per second
    assert stalled[-1]['service_requests_rate{service="write-home-timeline"}'] == 0.0  # it takes nothing
    assert stalled[-1]['service_up{service="write-home-timeline"}'] == 1.0  # alive, just not consuming
    sim.clear_fault(fault.id)
    after = _tick(sim, 120)
    assert after[-1][LAG] < 2.0


def test_a_queue_outage_makes_its_consumers_fall_behind():
    sim = Simulator(start_ms=PEAK_MS, seed=2, world=load_world("social"))
    sim.inject_fault("dependency_outage", "write-home-timeline-rabbitmq")
    assert _tick(sim, 20)[-1][LAG] > 15


JOB = 'job_last_success_timestamp_seconds{service="order-sync"}'


def test_a_job_reports_once_per_cadence_and_a_stalled_one_stops_succeeding():
    world = load_world("ecommerce-ops")
    assert world.topology.service("order-sync").cadence_s == 60
    sim = Simulator(start_ms=PEAK_MS, seed=2, world=world)
    rows = _tick(sim, 61)
    reported = [i for i, r in enumerate(rows) if JOB in r]
    assert reported == [0, 60]
    assert rows[60][JOB] == (sim.start_ms + 60_000) / 1000  # it has just succeeded
    sim.inject_fault("job_stall", "order-sync")
    rows = _tick(sim, 120)
    stale = [r[JOB] for r in rows if JOB in r]
    assert stale == [(sim.start_ms + 60_000) / 1000] * 2  # still reported, never newer
    assert rows[-1]['service_requests_rate{service="order-sync"}'] == 0.0


def test_an_external_api_is_seen_only_through_its_callers():
    sim = Simulator(start_ms=PEAK_MS, seed=2, world=load_world("ecommerce-ops"))
    sim.inject_fault("latency_spike", "logistics-api", factor=15)
    row = _tick(sim, 10)[-1]
    assert not any('service="logistics-api"' in k for k in row)
    edge = 'edge_error_ratio{callee="logistics-api",caller="fulfilment-worker"}'
    assert row[edge] > 0.3  # 3 s answers (median) against a 3 s timeout


def test_a_crashed_service_comes_back_with_its_series():
    sim = Simulator(start_ms=PEAK_MS, seed=2, world=load_world("webshop"))
    fault = sim.inject_fault("process_crash", "cart")
    row = _tick(sim, 5)[-1]
    assert row['service_up{service="cart"}'] == 0.0
    assert 'service_error_ratio{service="cart"}' not in row
    assert 'edge_requests_rate{callee="valkey-cart",caller="cart"}' not in row
    assert row['edge_error_ratio{callee="cart",caller="frontend"}'] > 0.9
    sim.clear_fault(fault.id)
    row = _tick(sim, 3)[-1]
    assert row['service_up{service="cart"}'] == 1.0 and row['service_error_ratio{service="cart"}'] < 0.01


def test_a_rollback_plan_undoes_the_deploy_that_broke_its_target():
    world = load_world("webshop")
    rollback = next(p for p in world.platform.plans if p.kind == "rollback" and p.target == "product-catalog")
    sim = Simulator(start_ms=PEAK_MS, seed=2, world=world)
    fault = sim.inject_fault("deploy_error_burst", "product-catalog")
    other = sim.inject_fault("deploy_error_burst", "cart")
    assert _tick(sim, 5)[-1]['service_error_ratio{service="product-catalog"}'] > 0.2
    detail = sim.execute_plan(rollback.id, actor="ops")
    assert detail["cleared_faults"] == [fault.id]
    batch, events = sim.tick()
    assert any(e.kind == EventKind.DEPLOY and e.subject == "product-catalog" and "Rolled back" in e.title
               for e in events)
    assert [f.id for f in sim.active_faults] == [other.id]
    assert values(batch)['service_error_ratio{service="product-catalog"}'] < 0.01


def test_world_faults_are_specs_the_simulator_takes():
    for name in ("payment", "webshop", "social", "ecommerce-ops"):
        world = load_world(name)
        sim = Simulator(start_ms=PEAK_MS, seed=1, world=world)
        injected = [sim.inject_spec(spec) for spec in world.faults]
        assert [f.kind.value for f in injected] == [s.kind for s in world.faults]
