"""The default platform: enough services, scenarios and banks, wired sensibly."""

from __future__ import annotations

import math

import pytest

from warroom.core.model import SeriesKey, ServiceKind
from warroom.core.plan.plans import Plan
from warroom.sim import Simulator, build_platform
from warroom.sim.platform import BANK_SHARES, Platform

from .support import PEAK_MS


def test_platform_has_at_least_20_services_4_scenarios_4_banks(platform):
    t = platform.topology
    assert len(t) >= 20
    assert len(t.scenarios) >= 4
    banks = [s for s in t.services if s.kind == ServiceKind.BANK]
    assert len(banks) >= 4
    kinds = {s.kind for s in t.services}
    # channels, services, banks, databases, caches, a queue (no third-party API or job: the other worlds have them)
    assert kinds == set(ServiceKind) - {ServiceKind.EXTERNAL, ServiceKind.JOB}


def test_named_services_exist_with_the_right_roles(platform):
    t = platform.topology
    for name in ("app-gateway", "cashier", "merchant-gateway"):
        assert t.service(name).kind == ServiceKind.CHANNEL
    for name in ("coupon", "marketing"):
        assert t.service(name).core is False
    assert t.service("accounting").core is True
    for name in ("trade-db", "accounting-db"):
        assert t.service(name).kind == ServiceKind.DATABASE
    assert all(s.capacity_rps > 0 for s in t.services)


def test_bank_edges_carry_routing_shares_summing_to_one(platform):
    t = platform.topology
    shares = {e.callee: e.calls for e in t.edges if t.service(e.callee).kind == ServiceKind.BANK}
    assert shares == dict(BANK_SHARES)
    assert math.isclose(sum(shares.values()), 1.0)
    assert {e.caller for e in t.edges if e.callee in shares} == {"payment-engine"}


def test_every_edge_and_service_is_used_by_some_scenario(platform):
    # An edge outside every scenario would never carry traffic: a dead line on the map.
    t = platform.topology
    used = {e for sc in t.scenarios for e in sc.edges}
    assert used == {e.key for e in t.edges}
    assert {s for sc in t.scenarios for s in sc.services} == {s.name for s in t.services}


def test_scenarios_start_at_channels_and_have_peak_tps(platform):
    t = platform.topology
    for sc in t.scenarios:
        assert t.service(sc.entry).kind == ServiceKind.CHANNEL
        assert platform.base_tps[sc.id] > 0
    qr = t.scenario("qr_pay")
    assert {"merchant-gateway", "trade", "payment-engine", "accounting", "bank-icbc"} <= set(qr.services)
    assert "payment-engine" not in t.scenario("transfer").services


def test_the_call_graph_is_acyclic_so_depths_increase_along_edges(platform):
    depth = platform.topology.depths()
    assert all(depth[e.callee] > depth[e.caller] for e in platform.topology.edges)


def test_plan_catalogue_covers_every_kind_with_sentinel_fields(platform):
    ids = {p.id for p in platform.plans}
    assert {"ratelimit-cashier", "degrade-coupon", "degrade-marketing", "failover-trade-db"} <= ids
    assert {f"failover-{b}" for b in BANK_SHARES} <= ids
    flow = platform.plan("ratelimit-cashier").params
    assert {"resource", "grade", "count", "controlBehavior", "limitApp"} <= set(flow)
    assert flow["grade"] == 1 and flow["resource"] == "cashier" and flow["count"] > 0
    degrade = platform.plan("degrade-coupon").params
    fields = {"resource", "grade", "count", "timeWindow", "minRequestAmount", "statIntervalMs", "slowRatioThreshold"}
    assert fields <= set(degrade)
    for p in platform.plans:
        assert p.steps and p.rollback and p.guard is not None
        assert Plan.from_dict(p.to_dict()) == p
    assert platform.plan("failover-bank-icbc").critical and not platform.plan("degrade-coupon").critical


def test_every_guard_names_a_series_the_simulator_emits(platform):
    emitted = set(Simulator(start_ms=PEAK_MS, platform=platform).series)
    for p in platform.plans:
        assert SeriesKey.parse(p.guard.series) in emitted, p.id


def test_platform_refuses_inconsistent_input():
    good = build_platform()
    with pytest.raises(ValueError, match="base_tps"):
        Platform(good.topology, {"qr_pay": 1.0}, good.profiles)
    with pytest.raises(ValueError, match="profiles"):
        Platform(good.topology, good.base_tps, {})
