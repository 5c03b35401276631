"""The propagation model on small hand-made platforms, against numbers worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from warroom.core.model import CallEdge, Scenario, Service
from warroom.core.graph.topology import Topology
from warroom.sim.flow import Flow, TickInputs, normal_sf
from warroom.sim.platform import Platform, ServiceProfile


def test_normal_sf_matches_erfc():
    xs = np.array([-4.0, -1.5, -0.3, 0.0, 0.7, 2.326, 5.0])
    expected = [0.5 * math.erfc(x / math.sqrt(2)) for x in xs]
    assert normal_sf(xs) == pytest.approx(expected, abs=2e-7)


def _flow(calls: float = 1.0, timeout_s: float = 5.0, b_latency: float = 0.01, capacity: float = 1e6) -> Flow:
    """a -> b, b with no callees; background errors off."""
    services = [Service("a", capacity_rps=1e6), Service("b", capacity_rps=capacity)]
    topo = Topology(services, [CallEdge("a", "b", calls)], [Scenario.from_path("s", "S", ["a", "b"])])
    profiles = {
        "a": ServiceProfile(latency_s=0.01, tail=2.0, error_ratio=0.0, timeout_s=timeout_s),
        "b": ServiceProfile(latency_s=b_latency, tail=2.0, error_ratio=0.0),
    }
    return Flow(Platform(topo, {"s": 1.0}, profiles))


def _inputs(tps: float = 1.0, b_error: float = 0.0, b_down: float = 0.0, b_latency: float = 1.0) -> TickInputs:
    one = np.ones(2)
    latency, error, down = np.array([1.0, b_latency]), np.array([0.0, b_error]), np.array([0.0, b_down])
    return TickInputs(np.array([tps]), one, latency, error, down, one)


@pytest.mark.parametrize("calls, expected", [(1.0, 0.2), (0.5, 0.1), (2.0, 1 - 0.8**2), (3.0, 1 - 0.8**3)])
def test_callee_errors_reach_the_caller_by_calls(calls, expected):
    r = _flow(calls).run(_inputs(b_error=0.2))
    assert r.svc_error[1] == pytest.approx(0.2, abs=1e-9)
    assert r.svc_error[0] == pytest.approx(expected, abs=1e-9)
    assert r.scenario_error[0] == pytest.approx(expected, abs=1e-9)
    assert r.edge_error[0] == pytest.approx(0.2, abs=1e-9)


def test_load_follows_calls_and_latency_adds_up():
    r = _flow(calls=3.0).run(_inputs(tps=10.0))
    assert r.svc_load.tolist() == pytest.approx([10.0, 30.0])
    assert r.edge_load[0] == pytest.approx(30.0)
    # Light load: own p50 about the profile; the caller adds three calls' worth of b.
    assert r.svc_p50[1] == pytest.approx(0.01, rel=1e-3)
    assert r.svc_p50[0] == pytest.approx(0.01 + 3 * 0.01, rel=1e-3)
    assert r.svc_p99[0] > r.svc_p50[0]


def test_slow_callee_beyond_the_timeout_becomes_errors_and_caps_latency():
    r = _flow(timeout_s=0.5, b_latency=0.1).run(_inputs(b_latency=20.0))  # b: ~2 s
    assert r.edge_error[0] > 0.99
    assert r.svc_error[1] < 1e-6  # b itself reports no errors, only slowness
    assert r.svc_error[0] > 0.99
    assert r.edge_p99[0] == pytest.approx(0.5)
    assert r.svc_p50[0] == pytest.approx(0.01 + 0.5, rel=1e-3)


def test_callee_near_the_timeout_loses_only_its_tail():
    r = _flow(timeout_s=1.0, b_latency=0.5).run(_inputs())
    assert 0.0 < r.edge_error[0] < 0.2


def test_overload_sheds_load_and_protects_deeper_services():
    r = _flow(capacity=100.0).run(_inputs(tps=200.0))
    assert r.saturation[1] == pytest.approx(2.0)
    assert r.svc_error[1] == pytest.approx(0.5, abs=1e-6)  # serves 1/rho
    assert r.svc_p50[1] > 20 * 0.01  # queueing


def test_a_down_service_fails_everything_and_calls_nobody():
    services = [Service(n, capacity_rps=1e6) for n in ("a", "b", "c")]
    topo = Topology(services, [CallEdge("a", "b"), CallEdge("b", "c")], [Scenario.from_path("s", "S", ["a", "b", "c"])])
    profiles = {n: ServiceProfile(latency_s=0.01, error_ratio=0.0) for n in "abc"}
    flow = Flow(Platform(topo, {"s": 1.0}, profiles))
    one = np.ones(3)
    r = flow.run(TickInputs(np.array([5.0]), one, one, np.array([0, 1.0, 0]), np.array([0, 1.0, 0]), one))
    assert r.svc_load.tolist() == pytest.approx([5.0, 5.0, 0.0])
    assert r.svc_error[:2].tolist() == pytest.approx([1.0, 1.0])
    assert r.scenario_error[0] == pytest.approx(1.0)


def test_a_cycle_is_refused():
    services = [Service(n, capacity_rps=1.0) for n in ("a", "b")]
    topo = Topology(services, [CallEdge("a", "b"), CallEdge("b", "a")], [Scenario.from_path("s", "S", ["a", "b"])])
    profiles = {n: ServiceProfile(latency_s=0.01) for n in "ab"}
    with pytest.raises(ValueError, match="acyclic"):
        Flow(Platform(topo, {"s": 1.0}, profiles))
