"""The simulator as a whole: determinism, batch shape, wire compatibility."""

from __future__ import annotations

import numpy as np
import pytest

from warroom.core.model import SeriesKey
from warroom.protocol.codec import Decoder, encode
from warroom.protocol.messages import Events, MetricBatch
from warroom.sim import Simulator

from .support import PEAK_MS, scn, svc, values


def _script(sim: Simulator, ticks: int = 40) -> list[tuple[MetricBatch, list]]:
    """The same commands at the same ticks, whatever the simulator."""
    out = []
    for i in range(ticks):
        if i == 5:
            sim.inject_fault("bank_latency_spike", "bank-icbc", 20)
        if i == 10:
            sim.execute_plan("failover-bank-icbc", actor="t")
        if i == 15:
            sim.start_surge(2.0, 10)
        if i == 30:
            sim.rollback_plan("failover-bank-icbc")
        out.append(sim.tick())
    return out


def test_same_seed_same_start_same_commands_give_identical_output(platform):
    a = _script(Simulator(seed=7, start_ms=PEAK_MS, platform=platform))
    b = _script(Simulator(seed=7, start_ms=PEAK_MS, platform=platform))
    for (ba, ea), (bb, eb) in zip(a, b):
        assert ba.series == bb.series
        assert np.array_equal(ba.values, bb.values) and np.array_equal(ba.ts, bb.ts)
        assert ba == bb
        assert ea == eb
    assert sum(len(e) for _, e in a) >= 5


def test_different_seeds_differ_but_only_by_noise(platform):
    a = _script(Simulator(seed=7, start_ms=PEAK_MS, platform=platform))
    b = _script(Simulator(seed=8, start_ms=PEAK_MS, platform=platform))
    va, vb = a[0][0].values, b[0][0].values
    assert not np.array_equal(va, vb)
    key = list(a[0][0].series).index(SeriesKey.parse(scn("scenario_requests_rate", "qr_pay")))
    assert va[key] == pytest.approx(vb[key], rel=0.1)  # small noise, same curve
    assert [e.id for e in b[5][1]] == [i.replace("sim-7-", "sim-8-") for i in (e.id for e in a[5][1])]


def test_tick_advances_one_second_and_stamps_the_batch(platform):
    sim = Simulator(seed=1, start_ms=PEAK_MS + 123, platform=platform)
    assert sim.start_ms == PEAK_MS and sim.now_ms == PEAK_MS  # snapped to whole seconds
    batch, events = sim.tick()
    assert sim.now_ms == PEAK_MS + 1000
    assert set(batch.ts.tolist()) == {PEAK_MS} and batch.sent_at == PEAK_MS
    assert events == []
    assert batch.series == sim.series and len(batch) == len(sim.series)
    assert batch.index.tolist() == list(range(len(batch)))


def test_every_required_series_is_emitted_for_every_service_edge_and_scenario(platform):
    sim = Simulator(seed=1, start_ms=PEAK_MS, platform=platform)
    names = {k.text for k in sim.series}
    t = platform.topology
    for s in t.services:
        for metric in ("service_requests_rate", "service_error_ratio", "service_saturation_ratio"):
            assert svc(metric, s.name) in names
        for q in ("0.5", "0.99"):
            assert SeriesKey("service_latency_seconds", {"service": s.name, "quantile": q}).text in names
    for e in t.edges:
        for metric in ("edge_requests_rate", "edge_error_ratio"):
            assert SeriesKey(metric, {"caller": e.caller, "callee": e.callee}).text in names
        labels = {"caller": e.caller, "callee": e.callee, "quantile": "0.99"}
        assert SeriesKey("edge_latency_seconds", labels).text in names
    for sc in t.scenarios:
        for metric in ("scenario_tps", "scenario_success_ratio", "scenario_requests_rate", "scenario_blocked_rate"):
            assert scn(metric, sc.id) in names
    assert len(names) == len(sim.series)  # no duplicates


def test_values_are_finite_and_in_range_even_under_heavy_faults(platform):
    sim = Simulator(seed=3, start_ms=PEAK_MS, platform=platform)
    sim.start_surge(8.0, 60)
    sim.inject_fault("dependency_outage", "trade-db")
    sim.inject_fault("bank_latency_spike", "bank-ccb")
    sim.inject_fault("hot_account_lock", "accounting")
    for _ in range(5):
        batch, _ = sim.tick()
    v = values(batch)
    assert np.isfinite(batch.values).all()
    for text, x in v.items():
        if "_ratio" in text and "saturation" not in text:
            assert 0.0 <= x <= 1.0, text
        assert x >= 0.0, text
    assert v[svc("service_saturation_ratio", "trade")] > 1.0


def test_healthy_platform_at_peak_looks_healthy(platform):
    sim = Simulator(seed=2, start_ms=PEAK_MS, platform=platform)
    batch, _ = sim.tick()
    v = values(batch)
    for sc in platform.topology.scenarios:
        assert v[scn("scenario_success_ratio", sc.id)] > 0.99
        tps = v[scn("scenario_tps", sc.id)]
        assert tps == pytest.approx(platform.base_tps[sc.id], rel=0.1)
    for s in platform.topology.services:
        assert v[svc("service_saturation_ratio", s.name)] < 0.8
        assert v[svc("service_error_ratio", s.name)] < 0.01


def test_batches_and_events_survive_the_wire(platform):
    sim = Simulator(seed=4, start_ms=PEAK_MS, platform=platform)
    sim.inject_fault("deploy_error_burst", "trade", version="trade-1.2.3")
    sim.execute_plan("failover-bank-icbc")
    batch, events = sim.tick()
    decoder = Decoder()
    got = decoder.decode(encode(batch), now_ms=PEAK_MS)
    assert got.errors == [] and got.message == batch
    got = decoder.decode(encode(Events(tuple(events))), now_ms=PEAK_MS)
    assert got.errors == [] and got.message.events == tuple(events)
    got = decoder.decode(encode(sim.catalogue()), now_ms=PEAK_MS)
    assert got.errors == [] and got.message.active == ("failover-bank-icbc",)


def test_engine_exposes_topology_plans_and_faults(platform):
    sim = Simulator(seed=4, start_ms=PEAK_MS, platform=platform)
    assert sim.topology is platform.topology and sim.plans == platform.plans
    f = sim.inject_fault("dependency_outage", "coupon")
    assert sim.active_faults == (f,) and f.id == "fault-1"
    assert sim.inject_fault("dependency_outage", "marketing").id == "fault-2"
