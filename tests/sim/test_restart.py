"""``restart`` plans: the simulator's catalogue offers one for every queue consumer and job of a
world, and running it ends the crash or stall on its target — a stalled consumer catches up,
a stalled job runs its missed run on the next tick."""

from __future__ import annotations

import pytest

from warroom.core.model import SeriesKey
from warroom.sim.engine import Simulator
from warroom.sim.faults import consumers, jobs
from warroom.sim.world import builtin_worlds, load_world

START_MS = 1_731_292_200_000


def latest(batch, name: str, service: str) -> float | None:
    key = SeriesKey(name, {"service": service})
    for i, j in enumerate(batch.index.tolist()):
        if batch.series[j] == key:
            return float(batch.values[i])
    return None


@pytest.mark.parametrize("name", builtin_worlds())
def test_every_consumer_and_job_has_a_restart_plan_the_simulator_accepts(name):
    world = load_world(name)
    topo = world.topology
    restarts = {p.target: p for p in world.platform.plans if p.kind == "restart"}
    assert set(restarts) == set(consumers(topo)) | set(jobs(topo))
    sim = Simulator(start_ms=START_MS, world=world)
    for plan in restarts.values():
        sim.execute_plan(plan.id, "li.wei", "drill")  # accepted, nothing to end: no error


def test_a_restarted_consumer_catches_up_and_a_restarted_job_runs_at_once():
    world = load_world("ecommerce-ops")
    topo = world.topology
    consumer, job = consumers(topo)[0], max(jobs(topo), key=lambda j: topo.service(j).cadence_s)
    sim = Simulator(start_ms=START_MS, world=world)
    for _ in range(5):
        sim.tick()
    c_fault = sim.inject_fault("consumer_stall", consumer)
    j_fault = sim.inject_fault("job_stall", job)
    lags = [latest(sim.tick()[0], "consumer_lag_seconds", consumer) for _ in range(60)]
    assert lags[-1] > lags[0] + 30, "the stalled consumer falls behind"
    detail = sim.execute_plan(f"restart-{consumer}", "li.wei", "lag")
    assert detail["cleared_faults"] == [c_fault.id]
    detail = sim.execute_plan(f"restart-{job}", "li.wei", "missed run")
    assert detail["cleared_faults"] == [j_fault.id]
    batch, _ = sim.tick()
    ran = latest(batch, "job_last_success_timestamp_seconds", job)
    assert ran is not None and ran * 1000 >= sim.now_ms - 1000, "the job ran on the tick after its restart"
    after = [latest(sim.tick()[0], "consumer_lag_seconds", consumer) for _ in range(120)]
    assert after[-1] < lags[-1] / 2, "the restarted consumer catches up"
