"""The alert engine's lifecycle on hand-made series: pending, firing, acknowledged, resolved."""

from __future__ import annotations

import textwrap

import pytest

from warroom.core.alerting.alerts import FORGET_AFTER_MS, MAX_CHANGES, AlertEngine, amends_root, fingerprint
from warroom.core.model import CallEdge, Event, EventKind, SeriesKey, Service, ServiceKind
from warroom.core.alerting.rules import load_rules
from warroom.core.alerting.silences import Silence
from warroom.core.graph.topology import Topology

T0 = 1_731_292_200_000
RULES = load_rules(textwrap.dedent("""\
    version: 1
    settings: {flap_window: 10m, flap_count: 3, stale_after: 30s, change_window: 15m}
    defaults: {for: 20s, resolve_after: 60s}
    rules:
      - id: errors
        title: "{subject}: {value:.0%}"
        series: service_error_ratio
        when: "> 5%"
        severity: P2
        plans: ["failover-{subject}"]
      - id: p99
        series: 'service_latency_seconds{quantile="0.99"}'
        when: "> health.p99_crit"
        severity: P2
      - id: drop
        series: scenario_tps
        baseline: {direction: below, min_rel: 0.3, recent_window: 5m, recent_lag: 30s}
        for: 30s
        severity: P1
"""))


def err(service: str) -> SeriesKey:
    return SeriesKey("service_error_ratio", {"service": service})


def topo() -> Topology:
    t = Topology([Service("gw", ServiceKind.CHANNEL), Service("svc"), Service("db", ServiceKind.DATABASE),
                  Service("bank", ServiceKind.BANK)])
    for a, b in (("gw", "svc"), ("svc", "db"), ("svc", "bank")):
        t.add_edge(CallEdge(a, b))
    return t


def feed(engine: AlertEngine, seconds: int, start: int, values: dict[SeriesKey, float]) -> list[Event]:
    out = []
    for s in range(seconds):
        now = start + s * 1000
        engine.observe(now, list(values), list(values.values()))
        out += engine.evaluate(now)
    return out


def states(events: list[Event]) -> list[str]:
    return [e.attrs["state"] for e in events if e.kind is EventKind.ALERT and not amends_root(e.attrs)]


def test_pending_then_firing_after_for_then_resolved_after_resolve_after():
    e = AlertEngine(RULES, topo())
    assert feed(e, 10, T0, {err("svc"): 0.01}) == []
    ev = feed(e, 25, T0 + 10_000, {err("svc"): 0.2})
    assert states(ev) == ["pending", "firing"]
    firing = next(x for x in ev if x.attrs["state"] == "firing")
    assert firing.ts - firing.attrs["since_ms"] == 20_000
    assert firing.attrs["plans"] == ["failover-svc"] and firing.title == "svc: 20%"
    ev = feed(e, 59, T0 + 35_000, {err("svc"): 0.0})
    assert states(ev) == [], "not resolved before resolve_after"
    ev = feed(e, 2, T0 + 94_000, {err("svc"): 0.0})
    assert states(ev) == ["resolved"] and ev[0].attrs["fired"] is True
    assert e.alerts() == []


def test_pending_that_clears_resolves_unfired_and_a_blip_does_not_reset_it():
    e = AlertEngine(RULES, topo())
    ev = feed(e, 10, T0, {err("svc"): 0.2})
    ev += feed(e, 2, T0 + 10_000, {err("svc"): 0.0})  # a 2 s dip within the grace
    ev += feed(e, 10, T0 + 12_000, {err("svc"): 0.2})
    assert states(ev) == ["pending", "firing"], "the dip neither resolved nor restarted the pending alert"
    e2 = AlertEngine(RULES, topo())
    ev = feed(e2, 5, T0, {err("svc"): 0.2}) + feed(e2, 10, T0 + 5000, {err("svc"): 0.0})
    assert states(ev) == ["pending", "resolved"] and ev[-1].attrs["fired"] is False


def test_stale_data_neither_fires_nor_resolves():
    e = AlertEngine(RULES, topo())
    feed(e, 25, T0, {err("svc"): 0.2})
    assert [a.state for a in e.alerts()] == ["firing"]
    # The feed goes silent for 5 minutes: the last value is stale, the alert stays as it was.
    out = []
    for s in range(300):
        out += e.evaluate(T0 + 25_000 + s * 1000)
    assert states(out) == [] and [a.state for a in e.alerts()] == ["firing"]


def test_health_thresholds_follow_the_service_kind():
    e = AlertEngine(RULES, topo())
    p99 = {SeriesKey("service_latency_seconds", {"service": s, "quantile": "0.99"}): 3.0 for s in ("db", "bank")}
    feed(e, 25, T0, p99)
    # 3 s is critical for the database (2 s) but normal for a bank gateway (4 s).
    assert {a.subject for a in e.alerts()} == {"db"}


def test_acknowledge_records_who_and_why_and_needs_a_name():
    e = AlertEngine(RULES, topo())
    feed(e, 25, T0, {err("svc"): 0.2})
    fp = fingerprint("errors", err("svc"))
    with pytest.raises(ValueError):
        e.acknowledge(fp, "  ", "", T0 + 26_000)
    with pytest.raises(ValueError):
        e.acknowledge("nope", "li.wei", "", T0 + 26_000)
    (ev,) = e.acknowledge(fp, "li.wei", "looking at svc", T0 + 26_000)
    assert ev.attrs["state"] == "acknowledged" and ev.attrs["actor"] == "li.wei"
    assert ev.attrs["comment"] == "looking at svc"
    a = e.alerts()[0]
    assert a.state == "acknowledged" and a.acked_by == "li.wei"
    ev = feed(e, 70, T0 + 27_000, {err("svc"): 0.0})
    assert states(ev) == ["resolved"]


def test_flapping_alert_is_tagged_and_waits_longer_to_resolve():
    e = AlertEngine(RULES, topo())
    t = T0
    for _ in range(2):  # fire, clear long enough to resolve, fire again...
        feed(e, 25, t, {err("svc"): 0.2})
        ev = feed(e, 62, t + 25_000, {err("svc"): 0.0})
        assert states(ev) == ["resolved"]
        t += 87_000
    ev = feed(e, 25, t, {err("svc"): 0.2})  # the third time within flap_window
    assert states(ev) == ["pending", "firing"]
    assert "flapping" in e.alerts()[0].tags
    ev = feed(e, 120, t + 25_000, {err("svc"): 0.0})
    assert states(ev) == [], "a flapping alert needs five times resolve_after to resolve"
    ev = feed(e, 200, t + 145_000, {err("svc"): 0.0})
    assert states(ev) == ["resolved"]


def test_silence_mutes_without_hiding_and_expires_with_an_event():
    e = AlertEngine(RULES, topo())
    s = Silence("s1", {"subject": "svc"}, T0, T0 + 60_000, "ops", "maintenance")
    (created,) = e.silence(s, T0)
    assert created.kind is EventKind.SILENCE and created.attrs["action"] == "created"
    ev = feed(e, 25, T0, {err("svc"): 0.2, err("db"): 0.2})
    by_subject = {x.subject: x for x in ev if x.attrs.get("state") == "firing"}
    assert by_subject["svc"].attrs["silenced"] == "s1" and by_subject["db"].attrs["silenced"] == ""
    ev = feed(e, 40, T0 + 25_000, {err("svc"): 0.2, err("db"): 0.2})
    assert [x.attrs["action"] for x in ev if x.kind is EventKind.SILENCE] == ["expired"]
    assert all(a.silenced_by == "" for a in e.alerts())
    with pytest.raises(ValueError):
        Silence("s2", {}, T0, T0 + 1, "ops")
    with pytest.raises(ValueError):
        Silence("s2", {"rule": "x"}, T0, T0, "ops")


def test_after_change_tags_alerts_near_a_recent_deploy():
    e = AlertEngine(RULES, topo())
    e.note_event(Event("d1", T0 - 60_000, EventKind.DEPLOY, "db", "Deployed db 2.0"))
    e.note_event(Event("d2", T0 - 3_600_000, EventKind.DEPLOY, "gw", "Deployed gw 9 (an hour ago)"))
    feed(e, 25, T0, {err("svc"): 0.2, err("gw"): 0.2})
    by = {a.subject: a for a in e.alerts()}
    assert "after_change" in by["svc"].tags and by["svc"].change["id"] == "d1"  # db is svc's neighbour
    assert by["gw"].change is None or by["gw"].change["id"] != "d2"


def test_baseline_rule_fires_on_a_drop_not_on_a_rise():
    e = AlertEngine(RULES, topo())
    key = SeriesKey("scenario_tps", {"scenario": "pay"})
    assert feed(e, 200, T0, {key: 1000.0}) == []
    assert feed(e, 120, T0 + 200_000, {key: 3000.0}) == [], "a peak is not an alert"
    e2 = AlertEngine(RULES, topo())
    feed(e2, 200, T0, {key: 1000.0})
    ev = feed(e2, 60, T0 + 200_000, {key: 300.0})
    assert states(ev) == ["pending", "firing"]
    assert ev[-1].severity.value == "P1" and ev[-1].attrs["threshold"] == pytest.approx(700.0, rel=0.05)
    # Hours later the window has no learning points left; the alert keeps the band it had
    # and resolves when payments come back.
    feed(e2, 3600, T0 + 260_000, {key: 300.0})
    assert [a.state for a in e2.alerts()] == ["firing"]
    ev = feed(e2, 90, T0 + 3_860_000, {key: 1000.0})
    assert states(ev) == ["resolved"]


def test_reload_keeps_alerts_of_rules_that_stay_and_resolves_the_rest():
    e = AlertEngine(RULES, topo())
    feed(e, 25, T0, {err("svc"): 0.2})
    same = e.load(RULES, T0 + 26_000)
    assert same == [] and [a.state for a in e.alerts()] == ["firing"]
    fewer = load_rules("version: 1\nrules:\n  - id: p99\n    series: x\n    when: '> 1'\n    severity: P3\n")
    ev = e.load(fewer, T0 + 27_000)
    assert states(ev) == ["resolved"] and ev[0].attrs["reason"] == "rule removed"
    assert e.alerts() == []


# -- bounded memory (issue 12) ------------------------------------------------------------------

def test_series_that_went_silent_are_forgotten_unless_they_hold_an_alert():
    e = AlertEngine(RULES, topo())
    hour = 3_600_000
    for h in range(5):  # pods come and go: 100 new series an hour, each seen for ten minutes
        pods = {err(f"pod-{h}-{j}"): 0.0 for j in range(100)}
        if h == 0:
            pods[err("pod-bad")] = 0.5  # fires, then its pod goes silent with the alert on
        for step in range(0, 600, 5):
            now = T0 + h * hour + step * 1000
            e.observe(now, [err("svc"), *pods], [0.0, *pods.values()])
            e.evaluate(now)
        assert e.series_count <= 2 + 2 * 100  # svc, pod-bad, this hour's and the last hour's pods
    end = T0 + 5 * hour + FORGET_AFTER_MS + 120_000
    e.observe(end, [err("svc")], [0.0])
    e.evaluate(end)
    assert e.series_count == 2  # svc, and pod-bad: silence does not resolve an alert
    assert [(a.subject, a.state) for a in e.alerts()] == [("pod-bad", "firing")]

    # A forgotten series that comes back starts afresh, and alerts as before.
    came_back = feed(e, 25, end + 1000, {err("pod-0-7"): 0.2})
    assert states(came_back) == ["pending", "firing"] and e.series_count == 3


def test_a_forgotten_baseline_series_learns_again():
    e = AlertEngine(RULES, topo())
    key = SeriesKey("scenario_tps", {"scenario": "pay"})
    feed(e, 60, T0, {key: 100.0})
    assert len(e.baseline(key)) == 1
    later = T0 + 60_000 + FORGET_AFTER_MS + 60_000
    e.evaluate(later)
    assert e.baseline(key) == [] and e.series_count == 0
    feed(e, 5, later, {key: 100.0})
    assert len(e.baseline(key)) == 1


def test_remembered_changes_are_bounded_in_number_and_in_time():
    e = AlertEngine(RULES, topo())
    e.note_event(Event("d-db", T0 - 60_000, EventKind.DEPLOY, "db", "Deployed db 2.0"))
    for i in range(MAX_CHANGES):  # a busy CI: more deploys within the window than are kept
        e.note_event(Event(f"d{i}", T0 - 50_000 + i, EventKind.CONFIG_CHANGE, "elsewhere", "flag"))
    feed(e, 25, T0, {err("svc"): 0.2})
    (svc,) = e.alerts()
    assert svc.change is None  # the deploy on db went when the newest change came

    e2 = AlertEngine(RULES, topo())
    for day in range(30):  # a month of daily deploys and no alert to prune them
        e2.note_event(Event(f"d{day}", T0 + day * 86_400_000, EventKind.DEPLOY, "gw", "Deployed gw"))
    assert len(e2._changes) == 1  # only what is still within change_window of the newest
