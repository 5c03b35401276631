"""Health levels: grading a reading, a service's worst signal, edges, per-service thresholds."""

from __future__ import annotations

import math

import pytest

from warroom.core.alerting.health import (
    BANK_THRESHOLDS,
    DEFAULT_THRESHOLDS,
    HealthThresholds,
    edge_level,
    grade,
    service_level,
    thresholds_by_service,
    worst,
)
from warroom.core.model import CallEdge, Service, ServiceKind
from warroom.core.graph.topology import Topology


def test_defaults_are_the_documented_ones():
    t = HealthThresholds()
    assert (t.error_warn, t.error_crit) == (0.01, 0.05)
    assert (t.p99_warn_s, t.p99_crit_s) == (1.0, 2.0)
    assert (t.saturation_warn, t.saturation_crit) == (0.8, 1.0)
    assert DEFAULT_THRESHOLDS == t


@pytest.mark.parametrize(
    "value, level",
    [(None, "unknown"), (math.nan, "unknown"), (0.0, "ok"), (0.0099, "ok"), (0.01, "warn"),
     (0.049, "warn"), (0.05, "crit"), (1.0, "crit")],
)
def test_grade_is_inclusive_at_each_threshold(value, level):
    assert grade(value, 0.01, 0.05) == level


def test_worst_prefers_any_reading_to_unknown():
    assert worst([]) == "unknown"
    assert worst(["unknown", "unknown"]) == "unknown"
    assert worst(["unknown", "ok"]) == "ok"
    assert worst(["ok", "crit", "warn", "unknown"]) == "crit"


@pytest.mark.parametrize(
    "err, p99, sat, level",
    [
        (0.001, 0.2, 0.5, "ok"),
        (0.02, 0.2, 0.5, "warn"),  # errors alone
        (0.001, 1.5, 0.5, "warn"),  # slow alone
        (0.001, 0.2, 0.85, "warn"),  # busy alone
        (0.001, 2.5, 0.5, "crit"),
        (0.001, 0.2, 1.0, "crit"),  # at capacity
        (1.0, 0.2, 0.1, "crit"),  # a dead dependency answering fast with errors
        (0.02, 3.0, 0.9, "crit"),  # the worst signal wins
        (None, None, None, "unknown"),
        (None, 0.2, None, "ok"),  # missing signals are skipped, not guessed
        (None, None, 1.2, "crit"),
    ],
)
def test_service_level_is_the_worst_known_signal(err, p99, sat, level):
    assert service_level(err, p99, sat, DEFAULT_THRESHOLDS) == level


def test_service_level_uses_the_thresholds_given():
    assert service_level(0.0, 1.5, 0.1) == "warn"
    assert service_level(0.0, 1.5, 0.1, BANK_THRESHOLDS) == "ok"
    assert service_level(0.0, 4.0, 0.1, BANK_THRESHOLDS) == "crit"
    strict = HealthThresholds(error_warn=0.001, error_crit=0.002)
    assert service_level(0.0015, 0.1, 0.1, strict) == "warn"


def test_edge_level_grades_the_error_ratio():
    assert edge_level(None) == "unknown"
    assert edge_level(0.0005) == "ok"
    assert edge_level(0.03) == "warn"
    assert edge_level(0.35) == "crit"
    assert edge_level(0.03, HealthThresholds(error_warn=0.05, error_crit=0.1)) == "ok"


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="p99"):
        HealthThresholds(p99_warn_s=3.0, p99_crit_s=2.0)
    with pytest.raises(ValueError, match="error"):
        HealthThresholds(error_warn=-0.1)


def test_banks_and_everything_waiting_on_them_get_bank_thresholds():
    t = Topology(
        [Service("app", ServiceKind.CHANNEL), Service("trade"), Service("pay"), Service("coupon"),
         Service("bank-a", ServiceKind.BANK), Service("db", ServiceKind.DATABASE)],
        [CallEdge("app", "trade"), CallEdge("trade", "pay"), CallEdge("trade", "coupon"),
         CallEdge("pay", "bank-a"), CallEdge("pay", "db")],
    )
    by_service = thresholds_by_service(t)
    assert set(by_service) == {s.name for s in t.services}
    assert {n for n, th in by_service.items() if th is BANK_THRESHOLDS} == {"app", "trade", "pay", "bank-a"}
    assert by_service["coupon"] is DEFAULT_THRESHOLDS
    assert by_service["db"] is DEFAULT_THRESHOLDS


def test_the_simulated_platform_is_green_on_a_normal_busy_hour():
    """The thresholds must not paint a healthy platform amber (see the module docstring)."""
    from warroom.sim.platform import build_platform

    topology = build_platform().topology
    by_service = thresholds_by_service(topology)
    # Healthy busy-hour p99s measured from the simulator: channels 1.1-1.8 s, banks ~1 s.
    assert service_level(0.005, 1.8, 0.3, by_service["merchant-gateway"]) == "ok"
    assert service_level(0.001, 1.07, 0.45, by_service["bank-ccb"]) == "ok"
    assert service_level(0.0001, 0.03, 0.5, by_service["trade-db"]) == "ok"
    assert by_service["trade-db"] is DEFAULT_THRESHOLDS


def test_declared_objectives_grade_the_map_and_third_party_apis_count_as_banks():
    """Protocol 1.2: a batch job promising a 10 s p99 is not amber at 1 s; a service promising
    50 ms is red past it; callers of an ``external`` API inherit its slow tail like a bank's."""
    from warroom.core.alerting.health import BANK_THRESHOLDS, thresholds_by_service
    from warroom.core.graph.topology import Topology
    from warroom.core.model import CallEdge, Service, ServiceKind

    topo = Topology([Service("job", ServiceKind.JOB, slo={"p99_s": 10.0, "error_ratio": 0.05}),
                     Service("api", slo={"p99_s": 0.05}), Service("worker"), Service("carrier", ServiceKind.EXTERNAL)],
                    [CallEdge("worker", "carrier")])
    th = thresholds_by_service(topo)
    assert service_level(0.0, 1.0, 0.1, th["job"]) == "ok"
    assert (th["job"].p99_warn_s, th["job"].p99_crit_s, th["job"].error_crit) == (8.0, 10.0, 0.05)
    assert service_level(0.0, 0.06, 0.1, th["api"]) == "crit" and service_level(0.0, 0.045, 0.1, th["api"]) == "warn"
    assert th["worker"] == BANK_THRESHOLDS and th["carrier"] == BANK_THRESHOLDS
