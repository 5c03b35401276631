"""Faults: spec parsing, validation, and that each kind hurts its target and propagates."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from warroom.core.model import EventKind
from warroom.protocol.context import is_context
from warroom.sim import FaultKind, parse_fault_spec
from warroom.sim.faults import FaultSpec, expected_roots, parse_duration, valid_targets

from .support import edge, p99, run, scn, svc, values


# -- spec parsing -------------------------------------------------------------------------
def test_parse_full_spec():
    spec = parse_fault_spec("bank_latency_spike:bank-icbc@60s+120s")
    assert spec == FaultSpec("bank_latency_spike", "bank-icbc", 60.0, 120.0)


def test_parse_spec_with_units_params_and_severity():
    spec = parse_fault_spec("traffic_surge:qr_pay@5m+2m,multiplier=8,severity=0.5")
    assert (spec.start_s, spec.duration_s, spec.severity) == (300.0, 120.0, 0.5)
    assert dict(spec.params) == {"multiplier": 8.0}
    spec = parse_fault_spec("deploy_error_burst:trade+90,version=trade-2.1.0")
    assert (spec.start_s, spec.duration_s, dict(spec.params)) == (0.0, 90.0, {"version": "trade-2.1.0"})


def test_parse_spec_without_start_or_duration_lasts_until_cleared():
    spec = parse_fault_spec("dependency_outage:coupon")
    assert (spec.kind, spec.target, spec.start_s, spec.duration_s) == ("dependency_outage", "coupon", 0.0, None)


@pytest.mark.parametrize("text", ["", "bank-icbc", "nonsense:x", "db_failover:trade-db@soon", "db_failover:trade-db,x"])
def test_parse_bad_specs_raise_value_error(text):
    with pytest.raises(ValueError):
        parse_fault_spec(text)


def test_parse_duration_units():
    assert [parse_duration(t) for t in ("90", "90s", "1.5m", "2h", "500ms")] == [90, 90, 90, 7200, 0.5]


# -- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, target, kwargs, message",
    [
        ("meteor_strike", "trade", {}, "unknown fault kind"),
        ("bank_latency_spike", "trade", {}, "cannot target 'trade'"),
        ("bank_latency_spike", "bank-nowhere", {}, "valid targets"),
        ("db_failover", "trade", {}, "cannot target"),
        ("deploy_error_burst", "bank-icbc", {}, "cannot target"),
        ("traffic_surge", "trade", {}, "cannot target"),
        ("hot_account_lock", "risk-control", {}, "cannot target"),
        ("dependency_outage", "coupon", {"factor": 3}, "does not take"),
        ("bank_latency_spike", "bank-icbc", {"factor": "big"}, "must be a number"),
        ("dependency_outage", "coupon", {"duration_s": -5}, "duration_s"),
        ("dependency_outage", "coupon", {"severity": 0}, "severity"),
        ("dependency_outage", "coupon", {"delay_s": -1}, "delay_s"),
    ],
)
def test_bad_fault_requests_raise_clear_value_errors(make_sim, kind, target, kwargs, message):
    sim = make_sim(warmup=0)
    with pytest.raises(ValueError, match=message):
        sim.inject_fault(kind, target, **kwargs)
    assert sim.active_faults == ()


def test_spec_with_unknown_target_is_refused_at_injection(make_sim):
    sim = make_sim(warmup=0)
    with pytest.raises(ValueError, match="valid targets"):
        sim.inject_spec(parse_fault_spec("bank_latency_spike:bank-mars"))


# -- each kind: the right service, propagation, an unaffected scenario ---------------------
@dataclass
class Case:
    kind: str
    target: str
    params: dict
    rises: list[tuple[str, float]]  # (series, minimum increase over the healthy run)
    affected: str  # a scenario whose success ratio must drop
    unaffected: str  # a scenario that must stay healthy


CASES = [
    Case("bank_latency_spike", "bank-icbc", {},
         [(p99("bank-icbc"), 5.0), (edge("edge_error_ratio", "payment-engine", "bank-icbc"), 0.5),
          (svc("service_error_ratio", "payment-engine"), 0.2), (p99("payment-engine"), 0.5),
          (svc("service_error_ratio", "trade"), 0.15)],
         "qr_pay", "transfer"),
    Case("hot_account_lock", "accounting", {},
         [(p99("accounting-db"), 0.2), (svc("service_saturation_ratio", "accounting-db"), 0.2),
          (svc("service_error_ratio", "accounting-db"), 0.05), (svc("service_error_ratio", "accounting"), 0.1),
          (svc("service_error_ratio", "payment-engine"), 0.1), (svc("service_error_ratio", "trade"), 0.1)],
         "qr_pay", "bill_query"),
    Case("deploy_error_burst", "risk-control", {},
         [(svc("service_error_ratio", "risk-control"), 0.2), (svc("service_error_ratio", "trade"), 0.2),
          (svc("service_error_ratio", "merchant-gateway"), 0.2)],
         "qr_pay", "settlement"),
    Case("traffic_surge", "bank_card_pay", {"multiplier": 8.0},
         [(svc("service_requests_rate", "cashier"), 5000.0), (svc("service_saturation_ratio", "trade"), 0.35),
          (svc("service_error_ratio", "trade"), 0.05), (p99("trade"), 1.0),
          (svc("service_error_ratio", "merchant-gateway"), 0.05)],
         "qr_pay", "settlement"),
    Case("db_failover", "trade-db", {},
         [(svc("service_error_ratio", "trade-db"), 0.9), (svc("service_error_ratio", "trade"), 0.9),
          (svc("service_error_ratio", "acquiring"), 0.9)],
         "qr_pay", "settlement"),
    Case("dependency_outage", "coupon", {},
         [(svc("service_error_ratio", "coupon"), 0.9), (svc("service_error_ratio", "trade"), 0.1),
          (edge("edge_error_ratio", "trade", "coupon"), 0.9)],
         "qr_pay", "transfer"),
    Case("latency_spike", "member-cache", {"factor": 100.0},  # past member's 150 ms timeout
         [(p99("member-cache"), 0.2), (edge("edge_error_ratio", "member", "member-cache"), 0.05),
          (svc("service_error_ratio", "member"), 0.05), (svc("service_error_ratio", "trade"), 0.05)],
         "qr_pay", "settlement"),
]


def test_the_cases_cover_every_fault_kind_the_payment_platform_has(platform):
    # process_crash has a test of its own (its series go missing); job_stall and
    # consumer_stall need jobs and consumers, which the world tests have (tests/sim/world).
    usable = {k.value for k in FaultKind if valid_targets(platform.topology, k)}
    assert {c.kind for c in CASES} == usable - {"process_crash"}
    assert not valid_targets(platform.topology, FaultKind.JOB_STALL)
    assert not valid_targets(platform.topology, FaultKind.CONSUMER_STALL)


def test_process_crash_stops_its_series_and_fails_its_callers(make_sim):
    sim = make_sim()
    before, _ = sim.tick()
    sim.inject_fault("process_crash", "coupon")
    for _ in range(5):
        batch, _ = sim.tick()
    v = values(batch)
    was = values(before)
    assert was[svc("service_up", "coupon")] == 1.0 and v[svc("service_up", "coupon")] == 0.0
    gone = [k for k in was if 'service="coupon"' in k and not k.startswith("service_up")]
    assert gone and not any(k in v for k in gone)
    assert edge("edge_error_ratio", "coupon", "coupon-cache") not in v  # coupon measured that edge
    assert v[edge("edge_error_ratio", "trade", "coupon")] > 0.9  # its callers see it fail
    assert v[svc("service_up", "trade")] == 1.0


def test_expected_roots_follow_the_fault(platform):
    t = platform.topology
    assert expected_roots("traffic_surge", "qr_pay", t) == {"merchant-gateway"}
    assert expected_roots("traffic_surge", "*", t) == {"merchant-gateway", "app-gateway", "cashier"}
    assert expected_roots("hot_account_lock", "accounting", t) == {"accounting", "accounting-db"}
    assert expected_roots("dependency_outage", "coupon", t) == {"coupon"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_fault_hits_its_target_and_propagates_upstream(make_sim, case):
    healthy, broken = make_sim(), make_sim()
    fault = broken.inject_fault(case.kind, case.target, **case.params)
    a, b = run(healthy, 15), run(broken, 15)
    for series, rise in case.rises:
        assert b[series] - a[series] >= rise, f"{series}: {a[series]:.4f} -> {b[series]:.4f}"
    ok = scn("scenario_success_ratio", case.affected)
    assert a[ok] > 0.99 and b[ok] < 0.95
    assert b[scn("scenario_tps", case.affected)] < a[scn("scenario_tps", case.affected)]
    calm = scn("scenario_success_ratio", case.unaffected)
    assert b[calm] > 0.99 and b[calm] == pytest.approx(a[calm], abs=0.002)
    assert fault in broken.active_faults


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_clearing_a_fault_restores_health(make_sim, case):
    healthy, broken = make_sim(), make_sim()
    fault = broken.inject_fault(case.kind, case.target, **case.params)
    run(healthy, 10), run(broken, 10)
    broken.clear_fault(fault.id)
    a, b = run(healthy, 5), run(broken, 5)
    assert broken.active_faults == ()
    ok = scn("scenario_success_ratio", case.affected)
    assert b[ok] > 0.99 and b[ok] == pytest.approx(a[ok], abs=0.002)
    for series, _ in case.rises:
        assert b[series] == pytest.approx(a[series], rel=0.15, abs=1e-3), series


def test_severity_scales_the_damage(make_sim):
    mild, severe = make_sim(), make_sim()
    mild.inject_fault("deploy_error_burst", "risk-control", severity=0.3)
    severe.inject_fault("deploy_error_burst", "risk-control", severity=1.0)
    a, b = run(mild, 5), run(severe, 5)
    key = svc("service_error_ratio", "risk-control")
    assert 0.05 < a[key] < 0.15 and b[key] > 0.3


def test_hot_account_lock_can_target_a_database(make_sim):
    sim = make_sim()
    sim.inject_fault("hot_account_lock", "accounting-db")
    v = run(sim, 5)
    assert v[svc("service_error_ratio", "accounting-db")] > 0.05
    assert v[svc("service_error_ratio", "accounting")] > 0.1


# -- timing and events --------------------------------------------------------------------
def test_fault_with_delay_and_duration_starts_and_ends_on_time(make_sim):
    sim = make_sim(warmup=0)
    t0 = sim.now_ms
    fault = sim.inject_fault("dependency_outage", "coupon", 5, delay_s=3)
    assert (fault.start_ms, fault.end_ms) == (t0 + 3000, t0 + 8000)
    at = [k.text for k in sim.series].index(svc("service_error_ratio", "coupon"))
    seen = []
    for _ in range(10):
        batch, events = sim.tick()
        err = batch.values[at]
        seen.append((err > 0.9, [e.attrs.get("action") for e in events if e.kind == EventKind.FAULT]))
    assert [s[0] for s in seen] == [False] * 3 + [True] * 5 + [False] * 2
    assert seen[3][1] == ["inject"] and seen[8][1] == ["ended"]
    assert sim.active_faults == ()


def test_inject_spec_counts_start_from_simulator_start(make_sim):
    sim = make_sim(warmup=0)
    for _ in range(4):
        sim.tick()
    fault = sim.inject_spec(parse_fault_spec("bank_latency_spike:bank-icbc@10s+20s,factor=12"))
    assert fault.start_ms == sim.start_ms + 10_000 and fault.end_ms == fault.start_ms + 20_000
    assert fault.params["factor"] == 12.0
    late = sim.inject_spec(parse_fault_spec("dependency_outage:coupon@1s"))
    assert late.start_ms == sim.now_ms  # already past: starts now


def test_fault_events_have_unique_deterministic_ids(make_sim):
    sim = make_sim(seed=11, warmup=0)
    f = sim.inject_fault("deploy_error_burst", "trade", version="trade-9.9.9")
    _, events = sim.tick()
    assert [e.kind for e in events] == [EventKind.DEPLOY, EventKind.FAULT]
    assert events[0].attrs["version"] == "trade-9.9.9" and events[0].subject == "trade"
    assert events[1].attrs["fault_id"] == f.id and events[1].attrs["fault_kind"] == "deploy_error_burst"
    sim.clear_fault(f.id)
    _, more = sim.tick()
    assert [e.kind for e in more] == [EventKind.DEPLOY, EventKind.FAULT]
    assert more[1].attrs["action"] == "cleared"
    ids = [e.id for e in events + more]
    assert ids == [f"sim-11-{n}" for n in range(1, 5)]


def test_deploy_without_version_gets_one(make_sim):
    sim = make_sim(warmup=0)
    sim.inject_fault("deploy_error_burst", "cashier")
    _, events = sim.tick()
    assert events[0].kind == EventKind.DEPLOY and events[0].attrs["version"]


def test_db_failover_is_unavailable_then_promotes_standby_and_recovers_slowly(make_sim):
    sim = make_sim()
    fault = sim.inject_fault("db_failover", "trade-db")
    assert fault.duration_s == 150.0  # 30 s unavailable + 120 s recovery
    down = run(sim, 20)
    assert down[svc("service_error_ratio", "trade-db")] > 0.99
    events = []
    for _ in range(15):
        events += [e for e in sim.tick()[1] if not is_context(e)]  # the fault's log lines (1.5) aside
    assert [e.kind for e in events] == [EventKind.CONFIG_CHANGE]
    assert events[0].ts == fault.start_ms + 30_000
    recovering = run(sim, 5)
    assert recovering[svc("service_error_ratio", "trade-db")] < 0.01
    assert recovering[scn("scenario_success_ratio", "qr_pay")] > 0.98
    healthy_p99 = run(make_sim(), 5)[p99("trade-db")]
    assert recovering[p99("trade-db")] > 2 * healthy_p99
    for _ in range(120):
        sim.tick()
    assert sim.active_faults == ()


def test_clearing_an_unknown_fault_raises(make_sim):
    sim = make_sim(warmup=0)
    with pytest.raises(ValueError, match="no active fault"):
        sim.clear_fault("fault-42")


def test_clearing_a_scheduled_fault_drops_it_silently(make_sim):
    sim = make_sim(warmup=0)
    f = sim.inject_fault("dependency_outage", "coupon", delay_s=60)
    sim.clear_fault(f.id)
    _, events = sim.tick()
    assert sim.active_faults == () and events == []
