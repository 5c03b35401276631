"""The shipped worlds: they load, they run, and every fault kind shows on each of them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from warroom.core.model import ServiceKind
from warroom.sim import Simulator, build_platform
from warroom.sim.faults import FaultKind, consumers, expected_roots, jobs, valid_targets
from warroom.sim.traffic import daily_factor
from warroom.sim.world import builtin_worlds, load_world

from ..support import PEAK_MS, values

WORLDS = builtin_worlds()


@pytest.fixture(scope="module", params=WORLDS)
def world(request):
    return load_world(request.param)


def _sim(world, seed: int = 5) -> Simulator:
    return Simulator(start_ms=PEAK_MS, seed=seed, world=world)


def _run(sim: Simulator, ticks: int) -> dict[str, list[float]]:
    seen: dict[str, list[float]] = {}
    for _ in range(ticks):
        batch, _ = sim.tick()
        for key, v in values(batch).items():
            seen.setdefault(key, []).append(v)
    return seen


def test_the_payment_world_file_is_build_platform():
    w, p = load_world("payment").platform, build_platform()
    assert list(w.topology.services) == list(p.topology.services)
    assert [(s.titles, s.cadence_s, s.entry) for s in w.topology.services] == \
        [(s.titles, s.cadence_s, s.entry) for s in p.topology.services]
    assert [(e.key, e.calls) for e in w.topology.edges] == [(e.key, e.calls) for e in p.topology.edges]
    assert list(w.topology.scenarios) == list(p.topology.scenarios)
    assert [sc.titles for sc in w.topology.scenarios] == [sc.titles for sc in p.topology.scenarios]
    assert dict(w.base_tps) == dict(p.base_tps) and dict(w.profiles) == dict(p.profiles)
    assert w.plans == p.plans


def test_the_payment_world_keeps_todays_curve_and_series():
    world = load_world("payment")
    for ts in range(PEAK_MS - 86_400_000, PEAK_MS, 600_000):
        assert world.traffic.factor(ts) == daily_factor(ts)
    a, b = Simulator(start_ms=PEAK_MS, seed=3), Simulator(start_ms=PEAK_MS, seed=3, world=world)
    assert a.series == b.series
    for _ in range(5):
        (x, _), (y, _) = a.tick(), b.tick()
        assert np.array_equal(x.values, y.values)


def test_each_world_runs_with_finite_series_for_every_service(world):
    sim = _sim(world)
    seen = _run(sim, 120)
    assert all(len(v) == 120 for k, v in seen.items() if not k.startswith("job_"))
    assert all(math.isfinite(x) for v in seen.values() for x in v)
    for s in world.topology.services:
        if s.kind == ServiceKind.EXTERNAL:  # seen only through its callers
            assert f'service_up{{service="{s.name}"}}' not in seen
            assert any(f'callee="{s.name}"' in k for k in seen)
            continue
        assert seen[f'service_up{{service="{s.name}"}}'][-1] == 1.0
        assert f'service_requests_rate{{service="{s.name}"}}' in seen
    for sc in world.topology.scenarios:
        assert np.mean(seen[f'scenario_success_ratio{{scenario="{sc.id}"}}']) > 0.98, sc.id
    for c in consumers(world.topology):
        assert max(seen[f'consumer_lag_seconds{{service="{c}"}}']) < 5.0
    for j in jobs(world.topology):
        bursts = seen[f'job_last_success_timestamp_seconds{{service="{j}"}}']
        cadence = world.topology.service(j).cadence_s
        assert len(bursts) == math.ceil(120 / cadence)  # once per run, not every second


def test_the_shipped_worlds_have_what_drills_need():
    names = {n: load_world(n).topology for n in ("webshop", "social", "ecommerce-ops")}
    assert len(names["webshop"]) == 19 and len(names["social"]) == 28
    ops = names["ecommerce-ops"]
    assert {s.kind for s in ops.services} >= {ServiceKind.JOB, ServiceKind.EXTERNAL, ServiceKind.QUEUE}
    for t in names.values():
        assert consumers(t)
    for name in WORLDS:
        w = load_world(name)
        assert w.faults and w.title and w.source
        assert all(s.titles.get("zh_CN") for s in w.topology.services)


def _sample(world, kind: FaultKind) -> str | None:
    targets = sorted(valid_targets(world.topology, kind))
    if kind == FaultKind.TRAFFIC_SURGE:
        targets = [t for t in targets if t in world.platform.base_tps]  # a scenario
    return targets[len(targets) // 2] if targets else None


def _visible(world, kind: FaultKind, target: str, a: dict, b: dict) -> bool:
    """Whether the fault shows in the last few seconds of ``b`` against the healthy ``a``."""
    def last(d, key):
        return np.mean(d[key][-5:]) if key in d else None

    if kind == FaultKind.PROCESS_CRASH:
        return last(b, f'service_up{{service="{target}"}}') == 0.0 and \
            f'service_requests_rate{{service="{target}"}}' not in {k for k in b if len(b[k]) > 15}
    if kind == FaultKind.CONSUMER_STALL:
        lag = f'consumer_lag_seconds{{service="{target}"}}'
        return last(b, lag) > last(a, lag) + 10
    if kind == FaultKind.JOB_STALL:
        rate = f'service_requests_rate{{service="{target}"}}'
        return last(b, rate) < 0.01 * last(a, rate)
    if kind == FaultKind.TRAFFIC_SURGE:
        sc = f'scenario_requests_rate{{scenario="{target}"}}'
        return last(b, sc) > 2 * last(a, sc)
    # latency and error faults: on the target's own series, else on its callers' edges
    own = [f'service_error_ratio{{service="{target}"}}',
           f'service_latency_seconds{{quantile="0.99",service="{target}"}}']
    edges = [k for k in a if k.startswith(("edge_error_ratio", "edge_latency_seconds")) and
             f'callee="{target}"' in k]
    for key in own + edges:
        x, y = last(a, key), last(b, key)
        if x is None or y is None:
            continue
        if "error" in key and y - x > 0.05 or "latency" in key and y > 1.25 * x:
            return True
    return False


CASES = [(w, k) for w in WORLDS for k in FaultKind if valid_targets(load_world(w).topology, k)]


def test_every_fault_kind_has_a_world_to_drill_it_on():
    assert {k for _, k in CASES} == set(FaultKind)


@pytest.mark.parametrize("name, kind", CASES, ids=[f"{w}-{k.value}" for w, k in CASES])
def test_every_fault_kind_shows_on_every_world(name, kind):
    world = load_world(name)
    target = _sample(world, kind)
    healthy, broken = _sim(world), _sim(world)
    _run(healthy, 3), _run(broken, 3)
    broken.inject_fault(kind.value, target)
    a, b = _run(healthy, 25), _run(broken, 25)
    assert _visible(world, kind, target, a, b), f"{kind.value} on {target} did not show"
    assert target in expected_roots(kind, target, world.topology) or kind == FaultKind.TRAFFIC_SURGE
