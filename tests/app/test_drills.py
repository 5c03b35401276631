"""Drills: inject each fault kind into the simulator; the right alert fires, on the right root.

For every fault kind, within 60 simulated seconds an alert fires, the probable root cause
named on the firing alerts is the faulty service, and its downstream symptoms (callers,
edges, scenarios) are folded under the root's alert rather than standing beside it.
"""

from __future__ import annotations

import pytest

import asyncio

from warroom.core.model import EventKind, Severity
from warroom.sim.faults import FaultKind
from warroom.sim.traffic import Promotion

from .drill import Drill, utc_ms

WARMUP_S = 200  # long enough for the baselines' "recent" fallback (30 points after a 120 s lag)

CASES = [
    (FaultKind.BANK_LATENCY_SPIKE, "bank-icbc"),
    (FaultKind.HOT_ACCOUNT_LOCK, "accounting-db"),
    (FaultKind.DEPLOY_ERROR_BURST, "payment-engine"),
    (FaultKind.TRAFFIC_SURGE, "app-gateway"),
    (FaultKind.DB_FAILOVER, "trade-db"),
    (FaultKind.DEPENDENCY_OUTAGE, "risk-control"),
    (FaultKind.DEPENDENCY_OUTAGE, "bank-ccb"),
    (FaultKind.DB_FAILOVER, "member-cache"),
    (FaultKind.PROCESS_CRASH, "accounting-db"),
    (FaultKind.LATENCY_SPIKE, "trade-db"),
]


def test_every_fault_kind_the_payment_platform_has_a_target_for_has_a_drill():
    # Jobs and queue consumers are not on the payment platform: their kinds are drilled on the
    # worlds that have them (tests/sim/test_diagnosis.py).
    from warroom.sim.faults import valid_targets
    from warroom.sim.platform import build_platform

    topo = build_platform().topology
    applicable = {k for k in FaultKind if valid_targets(topo, k) - {"*"}}
    assert applicable >= {FaultKind.LATENCY_SPIKE, FaultKind.PROCESS_CRASH}
    assert {k for k, _ in CASES} == applicable


@pytest.mark.parametrize("kind, target", CASES, ids=[f"{k.value}:{t}" for k, t in CASES])
def test_fault_fires_an_alert_rooted_at_the_faulty_service(kind, target):
    d = Drill()
    d.run(WARMUP_S)
    assert d.firing() == [], "a healthy platform at its morning peak raises nothing"
    d.sim.inject_fault(kind.value, target, None)
    injected = d.now_ms
    took = d.run_until(lambda: any(a.subject == target and a.is_root for a in d.firing()), 60)
    assert took <= 60, f"no root alert on {target} within 60 s: {[(a.rule, a.subject) for a in d.firing()]}"
    d.run(15)  # let the symptoms catch up, then look at the whole picture
    firing = d.firing()
    roots = [a for a in firing if a.is_root]
    assert [a.subject for a in roots] == [target]
    root = roots[0]
    symptoms = [a for a in firing if a is not root]
    # A slower database shows in its callers' calls; on a chain whose latency is the banks',
    # the callers' own p99 barely moves, so one symptom (the edge) is what there is to see.
    least = 1 if kind is FaultKind.LATENCY_SPIKE else 3
    assert len(symptoms) >= least, "a fault on a call chain shows symptoms upstream"
    for a in symptoms:
        assert a.root_cause == target, (a.rule, a.subject, a.root_cause)
        assert a.folded_under == root.fingerprint
    # The firing transition is in the log, with the root cause on it, and no sooner than the fault.
    fired = [e for e in d.events(EventKind.ALERT) if e.attrs["state"] == "firing" and e.subject == target]
    assert fired and injected <= fired[0].ts <= injected + 60_000


def test_alert_after_a_deploy_is_tagged_with_the_change():
    paged = []
    d = Drill(notify=paged.append)
    d.run(WARMUP_S)
    d.sim.inject_fault("deploy_error_burst", "payment-engine", None)
    d.run(40)
    root = next(a for a in d.firing() if a.is_root)
    assert "after_change" in root.tags and root.change["kind"] == "deploy"
    assert root.change["subject"] == "payment-engine"
    # A neighbour's symptom is tagged too (trade calls payment-engine); a far one is not tagged by it.
    trade = next(a for a in d.firing() if a.subject == "trade")
    assert "after_change" in trade.tags
    # A root cause that came with a deploy pages like any other (its event carries the deploy).
    firing = [e for e in paged if e.kind is EventKind.ALERT and e.attrs["state"] == "firing"]
    assert any(e.attrs["fingerprint"] == root.fingerprint and e.attrs["change"]["kind"] == "deploy"
               for e in firing), [e.title for e in paged]


def test_no_alert_without_a_fault_through_a_busy_hour():
    d = Drill()
    d.run(900)
    fired = [e for e in d.events(EventKind.ALERT) if e.attrs["state"] == "firing"]
    assert fired == []


def _promotion_drill(multiplier: float) -> Drill:
    # The midnight promotion for 30 minutes, starting 5 minutes into the drill.
    start = utc_ms(2024, 11, 10, 15, 55)  # 23:55 local
    d = Drill(start_ms=start, promotion=Promotion(start_local="00:00", duration_s=1800, multiplier=multiplier))
    d.run(WARMUP_S + 300 + 900)
    assert any(e.kind is EventKind.NOTE and "Promotion" in e.title for e in d.log), "the promotion ran"
    return d


def _loud(d: Drill) -> list[tuple[str, str]]:
    return [(e.attrs["rule"], e.subject) for e in d.events(EventKind.ALERT)
            if e.attrs["state"] == "firing" and e.severity in (Severity.P0, Severity.P1)]


def test_promotion_surge_raises_no_p0_or_p1():
    # x4 the night traffic is about the daily peak: a promotion the platform is sized for.
    d = _promotion_drill(4.0)
    assert _loud(d) == []
    surge = [e for e in d.events(EventKind.ALERT) if e.attrs["rule"] == "entry-traffic-surge"]
    assert all(e.severity is Severity.P3 for e in surge)


def test_promotion_beyond_capacity_is_not_hidden():
    # x6 at midnight is 1.6x the daily peak: trade overloads and ~10% of payments fail.
    # That is an outage, and the baseline must not explain it away.
    d = _promotion_drill(6.0)
    loud = _loud(d)
    assert ("scenario-success", "qr_pay") in loud
    roots = {e.attrs["root_cause"] for e in d.events(EventKind.ALERT) if e.attrs["rule"] == "scenario-success"}
    assert roots & {"app-gateway", "cashier", "merchant-gateway", "trade"}


def test_silent_drop_in_payments_fires():
    d = Drill()
    d.run(WARMUP_S + 60)
    d.sim.start_surge(0.3, 600, scenarios=("qr_pay",))  # qr_pay traffic falls to 30%, nothing errors
    took = d.run_until(lambda: any(a.rule == "scenario-tps-drop" and a.subject == "qr_pay" for a in d.firing()),
                       180)
    assert took <= 180
    drop = next(a for a in d.firing() if a.rule == "scenario-tps-drop")
    assert drop.severity is Severity.P1
    assert not any(a.rule.startswith("service-") for a in d.firing()), "no service failed"


def test_drill_incident_lifecycle_and_mttr_from_the_log():
    from warroom.core.northstar.mttx import incident_times

    d = Drill()
    d.run(WARMUP_S)
    fault = d.sim.inject_fault("dependency_outage", "bank-ccb", None)
    d.run(60)
    (inc,) = d.watch.incidents()
    assert inc.root_cause == "bank-ccb" and inc.state == "open"
    assert inc.severity in (Severity.P0, Severity.P1)
    assert len(inc.alerts) >= 5, "the symptoms joined the one incident"
    d.log += d.watch.acknowledge_incident(inc.id, "li.wei", "failing over", d.now_ms)
    acked_at = d.now_ms
    d.run(30)
    d.sim.clear_fault(fault.id)
    cleared_at = d.now_ms
    took = d.run_until(lambda: d.watch.incidents()[0].state == "resolved", 900)
    assert took <= 900
    inc = d.watch.incidents()[0]
    # Resolved only after recovery was verified: every alert clear, then recovery_s more.
    resolved = next(e for e in d.events(EventKind.INCIDENT) if e.attrs["action"] == "resolved")
    assert inc.verified_ms == resolved.ts and inc.verified_ms - inc.resolved_ms == 300_000
    assert inc.resolved_ms > cleared_at
    last_alert_resolved = max(e.ts for e in d.events(EventKind.ALERT)
                              if e.attrs["fingerprint"] in inc.alerts and e.attrs["state"] == "resolved")
    assert inc.resolved_ms == last_alert_resolved, "service restored when the last of its alerts resolved"
    (times,) = incident_times(d.log)
    assert times.id == inc.id
    opened = next(e for e in d.events(EventKind.INCIDENT) if e.attrs["action"] == "opened")
    first_pending = min(e.attrs["since_ms"] for e in d.events(EventKind.ALERT) if e.attrs["fingerprint"] in inc.alerts)
    assert times.started_ms == first_pending
    assert times.mttr_s == (last_alert_resolved - first_pending) / 1000
    assert times.mttd_s == (opened.ts - first_pending) / 1000
    assert times.mtta_s == (acked_at - opened.ts) / 1000
    assert fault.start_ms <= first_pending <= fault.start_ms + 5_000, "the symptom started when the fault did"


def test_alert_storm_gives_one_incident_and_few_notifications():
    """200 alerts from one outage: one incident, a handful of notifications."""
    import textwrap

    from warroom.core.alerting.alerts import AlertEngine
    from warroom.core.model import CallEdge, SeriesKey, Service, ServiceKind
    from warroom.core.alerting.rules import load_rules
    from warroom.core.graph.topology import Topology
    from warroom.app.watch import AlertWatch

    # 200 services that all depend on one database; the database goes down.
    topo = Topology([Service("db", ServiceKind.DATABASE)] + [Service(f"svc-{i:03d}") for i in range(200)])
    for i in range(200):
        topo.add_edge(CallEdge(f"svc-{i:03d}", "db"))
    rules = load_rules(textwrap.dedent("""\
        version: 1
        rules:
          - id: errors
            series: service_error_ratio
            when: "> 5%"
            for: 10s
            severity: P1
    """))
    sent = []
    watch = AlertWatch(AlertEngine(rules, topo), notify=sent.append)
    keys = [SeriesKey("service_error_ratio", {"service": s.name}) for s in topo.services]
    log = []
    t0 = 1_731_292_200_000
    for s in range(40):
        now = t0 + s * 1000
        watch.engine.observe(now, keys, [0.9] * len(keys))
        log += watch.evaluate(now)
    firing = [e for e in log if e.kind is EventKind.ALERT and e.attrs["state"] == "firing"]
    assert len(firing) == 201
    incidents = watch.incidents()
    assert len(incidents) == 1 and incidents[0].root_cause == "db"
    assert len(incidents[0].alerts) == 201
    # What reaches the notifier: the incident and the root alert, not the 200 symptoms.
    assert 1 <= len(sent) <= 5, [(e.kind.value, e.title) for e in sent]


async def test_alert_storm_through_the_notifier_sends_a_handful():
    """The same storm end to end: AlertWatch -> Notifier -> a webhook channel (fake transport)."""
    from warroom.core.alerting.alerts import AlertEngine
    from warroom.core.model import CallEdge, SeriesKey, Service, ServiceKind
    from warroom.core.alerting.rules import load_rules
    from warroom.core.graph.topology import Topology
    from warroom.io.notify import Notifier, load_channels
    from warroom.io.notify.events import notification_from_event
    from warroom.app.watch import AlertWatch

    topo = Topology([Service("db", ServiceKind.DATABASE)] + [Service(f"svc-{i:03d}") for i in range(200)])
    for i in range(200):
        topo.add_edge(CallEdge(f"svc-{i:03d}", "db"))
    rules = load_rules("version: 1\nrules:\n  - id: errors\n    series: service_error_ratio\n"
                       "    when: '> 5%'\n    for: 10s\n    severity: P1\n")
    delivered = []

    async def send(channel, out):
        delivered.append(out)

    t0 = 1_731_292_200_000
    now = [t0]
    notifier = Notifier(load_channels({"channels": [{"name": "ops", "kind": "webhook", "url": "http://h/x"}]}),
                        clock_ms=lambda: now[0], send=send, tick_s=0.02)
    task = notifier.start()
    watch = AlertWatch(AlertEngine(rules, topo), notify=lambda ev: notifier.submit(notification_from_event(ev)))
    keys = [SeriesKey("service_error_ratio", {"service": s.name}) for s in topo.services]
    for s in range(40):
        now[0] = t0 + s * 1000
        watch.engine.observe(now[0], keys, [0.9] * len(keys))
        watch.evaluate(now[0])
        await asyncio.sleep(0.03)  # the loop runs between ticks, as on the console
    burst = len(delivered)
    now[0] += 120_000  # two minutes later the rate limit lets the rest (or their digest) out
    for _ in range(50):
        if notifier.status().channels[0].pending == 0:
            break
        await asyncio.sleep(0.02)
    undelivered = await notifier.close(timeout=5)
    task.cancel()
    assert undelivered == 0, notifier.status()
    assert 1 <= burst <= 3 and len(delivered) <= 5, [o for o in delivered]
