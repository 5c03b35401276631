"""Items 4 and 9: no data is not healthy; jobs and syncs judged by their cadence; queues; saturation."""

from __future__ import annotations

import textwrap

import pytest

from warroom.core.alerting.alerts import AlertEngine
from warroom.core.alerting.cadence import silent_after_s
from warroom.core.alerting.rules import load_rules
from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Service, ServiceKind

from .helpers14 import T0, engine, feed, p99, series, shop, transitions


def test_silent_after_is_stale_after_for_continuous_series_and_a_cadence_plus_grace_otherwise():
    assert silent_after_s(30) == 30 and silent_after_s(30, 0) == 30
    assert silent_after_s(30, 60) == 90  # a minute's cadence: at least stale_after of grace
    assert silent_after_s(30, 86_400) == pytest.approx(86_400 * 1.1)  # a daily job: 2.4 h of grace
    assert silent_after_s(30, float("nan")) == 30


def _measured(service: str, up: float = 1.0):
    return {series("service_up", service=service): up, p99(service): 0.01,
            series("service_error_ratio", service=service): 0.0}


def test_a_service_whose_series_stop_raises_no_data_on_that_service():
    e = engine()
    feed(e, 60, T0, {**_measured("orders-db"), **_measured("cart")})
    # The database's measured series stop (its heartbeat may go on or stop too).
    ev = feed(e, 60, T0 + 60_000, {**_measured("cart"), series("service_up", service="orders-db"): 1.0})
    fired = [(s, r, subj) for s, r, subj in transitions(ev) if s == "firing"]
    assert fired == [("firing", "service-no-data", "orders-db")]
    alert = next(a for a in e.alerts() if a.rule == "service-no-data")
    assert (alert.subject_kind, alert.cause) == ("service", "failure")
    assert alert.title.startswith("orders-db: down or silent, no data for ") and alert.value >= 40
    # Back: it resolves.
    ev = feed(e, 90, T0 + 120_000, {**_measured("cart"), **_measured("orders-db")})
    assert ("resolved", "service-no-data", "orders-db") in transitions(ev)


def test_service_up_zero_is_no_data_at_once_and_a_whole_silence_too():
    e = engine()
    feed(e, 30, T0, _measured("cart"))
    ev = feed(e, 15, T0 + 30_000, {series("service_up", service="cart"): 0.0})
    assert ("firing", "service-no-data", "cart") in transitions(ev)
    e2 = engine()
    feed(e2, 30, T0, _measured("cart"))
    ev = feed(e2, 60, T0 + 30_000, {})  # everything about cart stops
    assert ("firing", "service-no-data", "cart") in transitions(ev)


def _job_topology(cadence_s: float) -> Topology:
    t = Topology([Service("erp"), Service("settlement", ServiceKind.JOB, cadence_s=cadence_s)])
    t.add_edge(CallEdge("settlement", "erp"))
    return t


def test_a_job_reporting_in_bursts_is_not_flagged_between_them_and_missing_its_cadence_alerts():
    e = engine(_job_topology(300))
    last = series("job_last_success_timestamp_seconds", service="settlement")
    up = series("service_up", service="settlement")

    def bursts(s: int):  # every 5 minutes: a run succeeds and reports
        now_s = (T0 + s * 1000) // 1000
        return {last: now_s, up: 1.0} if s % 300 == 0 else {}

    ev = feed(e, 1800, T0, bursts)
    assert transitions(ev) == [], "silence between bursts is by design"
    # The job stops succeeding: it goes on reporting its old last-success time, then not at all.
    stale = (T0 + 1_500_000) // 1000
    ev = feed(e, 600, T0 + 1_800_000, lambda s: {last: stale, up: 1.0} if s % 300 == 0 else {})
    fired = [t for t in transitions(ev) if t[0] == "firing"]
    assert fired == [("firing", "job-missed", "settlement")]
    alert = next(a for a in e.alerts() if a.rule == "job-missed")
    assert alert.threshold == silent_after_s(30, 300) and "expected every 5.0 min" in alert.title, alert.title


def test_a_daily_job_that_missed_its_run_says_for_how_long():
    e = engine(_job_topology(86_400))
    last = series("job_last_success_timestamp_seconds", service="settlement")
    e.observe(T0, [last], [T0 / 1000 - 26.5 * 3600])
    e.evaluate(T0)
    alert = next(a for a in e.alerts() if a.rule == "job-missed")
    assert alert.state == "firing" and alert.title.startswith("settlement: job has not succeeded for 26.5 h")


def test_a_series_with_a_cadence_is_judged_per_burst():
    rules = load_rules(textwrap.dedent("""\
        version: 1
        rules:
          - id: lag
            series: consumer_lag_seconds
            when: "> 60"
            cadence: 60s
            for: 20s
            severity: P2
    """))
    e = AlertEngine(rules, shop())
    lag = series("consumer_lag_seconds", service="cart")
    # One bad burst, then a good one a minute later: never held for 20 s of bursts.
    ev = feed(e, 120, T0, lambda s: {lag: 100.0} if s == 0 else {lag: 1.0} if s == 60 else {})
    assert [t[0] for t in transitions(ev)] == ["pending", "resolved"]


def test_consumer_lag_is_a_rule_on_the_consumer():
    e = engine()
    lag = series("consumer_lag_seconds", service="cart")
    ev = feed(e, 60, T0, {lag: 180.0})
    alert = next(a for a in e.alerts() if a.rule == "consumer-lag")
    assert ("firing", "consumer-lag", "cart") in transitions(ev)
    assert (alert.subject, alert.subject_kind, alert.cause) == ("cart", "service", "failure")


def test_a_pool_at_exactly_100_percent_is_full():
    e = engine()
    ev = feed(e, 25, T0, {series("service_saturation_ratio", service="orders-db"): 1.0})
    assert ("firing", "service-overload", "orders-db") in transitions(ev)


def test_a_feed_without_heartbeats_still_gets_no_data_alerts():
    e = engine()
    measured = {p99("cart"): 0.01, series("service_error_ratio", service="cart"): 0.0}
    feed(e, 30, T0, {**measured, p99("cache"): 0.002})
    ev = feed(e, 60, T0 + 30_000, {p99("cache"): 0.002})  # cart stops; it never sent service_up
    assert ("firing", "service-no-data", "cart") in transitions(ev)
    assert all(subj == "cart" for _, _, subj in transitions(ev))


def test_a_service_the_topology_no_longer_lists_is_gone_not_silent():
    e = engine()
    feed(e, 30, T0, {p99("cart"): 0.01, p99("legacy"): 0.01})  # legacy is not in the topology
    ev = feed(e, 120, T0 + 30_000, {p99("cart"): 0.01})
    assert transitions(ev) == []
