"""The synthetic big platform of the scale bench (warroom.sim.big)."""

from __future__ import annotations

import numpy as np

from warroom.core.graph.grouping import collapse
from warroom.sim.big import BigFeed, BigPlatform
from warroom.store.live import LiveView
from warroom.protocol import TopologySnapshot


def test_the_platform_has_the_asked_size_and_series_shapes_the_console_reads():
    p = BigPlatform(services=500, calls=1500, series=10_000)
    topo = p.topology
    assert len(topo) == 500 and topo.graph.number_of_edges() == 1500
    assert len(p.series) == 10_000 == len(set(p.series))
    names = {k.name for k in p.series}
    assert {"service_requests_rate", "service_error_ratio", "service_latency_seconds", "service_saturation_ratio",
            "edge_requests_rate", "edge_error_ratio", "scenario_success_ratio", "scenario_tps"} <= names
    every = {s.name for s in topo.services}
    assert {k.labels["service"] for k in p.series if k.name == "service_error_ratio"} == every
    assert {(k.labels["caller"], k.labels["callee"]) for k in p.series if k.name == "edge_requests_rate"} == \
        {(e.caller, e.callee) for e in topo.edges}
    for sc in topo.scenarios:  # each flow is a path of real calls from an entry
        assert sc.edges and all((a, b) in p.edges for a, b in sc.edges)
    assert BigPlatform(seed=3).series == BigPlatform(seed=3).series  # reproducible


def test_a_batch_is_one_healthy_second_of_every_series():
    p = BigPlatform(services=60, calls=150, series=800)
    b = p.batch(1_000_000)
    assert len(b) == len(p.series) and set(b.ts.tolist()) == {1_000_000}
    ratios = np.array([k.name.endswith("_ratio") for k in p.series])
    assert (b.values >= 0).all() and (b.values[ratios] <= 1).all()
    at = {(k.name, k.labels.get("scenario")): i for i, k in enumerate(p.series)}
    for sc in p.scenarios:  # tps = requests x success, as a real feed's
        tps, req, ok = (b.values[at[(n, sc.id)]] for n in ("scenario_tps", "scenario_requests_rate",
                                                          "scenario_success_ratio"))
        assert abs(tps - req * ok) < 1e-9 * max(1.0, req)
    view = LiveView()
    view.apply(TopologySnapshot(1_000_000, p.topology))
    view.apply(b)
    assert view.series_count == len(p.series)


def test_the_map_groups_it_into_a_few_dozen_boxes():
    grouped = collapse(BigPlatform().topology)
    assert grouped.collapsed and len(grouped.topology) <= 40


def test_the_feed_emits_speed_seconds_per_wall_second_contiguously():
    feed = BigFeed(BigPlatform(services=40, calls=80, series=300), speed=10, start_ms=0)
    first = feed.due(100.0)
    assert [int(b.ts[0]) for b in first] == [0]
    later = feed.due(101.0)  # one wall second at 10x: ten more feed seconds
    assert [int(b.ts[0]) for b in later] == [1000 * i for i in range(1, 11)]
    feed.set_speed(1)
    assert [int(b.ts[0]) for b in feed.due(200.0)] == [11_000]  # the new pace counts from now
    # Behind by two seconds: at most ``speed`` seconds a call, the rest at the next ones.
    assert [int(b.ts[0]) for b in feed.due(202.0)] == [12_000]
    assert [int(b.ts[0]) for b in feed.due(202.1)] == [13_000]
    assert feed.now_ms() == 13_000
