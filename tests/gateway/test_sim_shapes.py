"""A shipped world, exported in both metric shapes, read back through a real Prometheus by the
gateway's Prometheus source: the same services, the same calls, the same entries as the
world file, kinds a telemetry pipeline can tell, and latencies in seconds whatever the unit.

The world (``ecommerce-ops``) has databases, caches, a queue and third-party APIs, so the
connection types and virtual nodes of the service-graph shape and Istio's ``unknown`` caller
are all exercised, not only the payment world the simulator was first built for.
"""

from __future__ import annotations

import time

import pytest

from tests.promstack import Prometheus
from tests.sim.test_exporter import _Running, _wait_for_full_windows
from warroom.core.model import SeriesKey, ServiceKind
from warroom.gateway.site_model import PrometheusSite, Topology
from warroom.gateway.sources.prometheus import PrometheusSource
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.sim.world import load_world

#: What each shape can know of a kind: a service graph sees databases (caches too, by their
#: db.system spans) and queues; a mesh sees workloads only. Anything else is a plain service
#: unless the site file names it (``services: {x: {kind: ...}}``).
SEEN = {
    "servicegraph": {ServiceKind.DATABASE: ServiceKind.DATABASE, ServiceKind.CACHE: ServiceKind.DATABASE,
                     ServiceKind.QUEUE: ServiceKind.QUEUE, ServiceKind.EXTERNAL: ServiceKind.EXTERNAL},
    "istio": {},
}


@pytest.mark.parametrize("shape", ["servicegraph", "istio"])
async def test_a_world_comes_back_through_prometheus_as_itself(tmp_path, shape):
    world = load_world("ecommerce-ops")
    sim = Simulator(seed=7, start_ms=int(time.time() * 1000), world=world)
    truth = sim.topology
    with _Running(SimFeed(sim), shape) as running:
        prom = Prometheus.start(tmp_path / "prom", targets=[running.target], scrape_interval="1s")
        try:
            _wait_for_full_windows(prom)
            site = PrometheusSite(url=prom.url, interval_s=1.0, timeout_s=5.0, rate_window="5s",
                                  topology=Topology(shape=shape, latency_unit="auto"))
            source = PrometheusSource(site, {})
            try:
                update = await source.poll(source.groups[0])
            finally:
                await source.close()
        finally:
            prom.stop()
    got = update.topology
    assert got is not None, update.events
    called = {e.callee for e in truth.edges} | set(truth.entries())
    assert {s.name for s in got.services} == called, "services"
    assert {(e.caller, e.callee) for e in got.edges} == {(e.caller, e.callee) for e in truth.edges}, "calls"
    assert set(got.entries()) == set(truth.entries()), "entries"
    for s in got.services:
        want = SEEN[shape].get(truth.service(s.name).kind, ServiceKind.SERVICE)
        assert s.kind is want or (want is ServiceKind.SERVICE and s.kind is ServiceKind.CHANNEL), (s.name, s.kind)

    # Latencies arrive in seconds in both shapes (Istio's histograms are in milliseconds).
    values = {k: v for k, _ts, v in update.points}
    p99 = [v for k, v in values.items() if k.name == "edge_latency_seconds" and k.labels.get("quantile") == "0.99"]
    assert p99 and max(p99) < 30, max(p99)
    assert min(p99) > 0.0005, min(p99)
    assert values[SeriesKey("source_up", {"source": "prometheus:topology"})] == 1.0
