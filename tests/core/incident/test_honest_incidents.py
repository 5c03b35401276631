"""Issue 14, item 2: an incident's root is a service or unknown, its root's alerts belong to it,
it keeps its root unless a better-supported one appears, and it is mitigated before it resolves."""

from __future__ import annotations

import textwrap

from warroom.core.alerting.alerts import AlertEngine
from warroom.core.alerting.rules import load_rules
from warroom.core.graph.topology import Topology
from warroom.core.incident.incidents import ACTIONS, STATES, IncidentBook
from warroom.core.model import CallEdge, EventKind, Scenario, SeriesKey, Service
from warroom.core.northstar.mttx import incident_times

from tests.core.incident.test_incidents import M, P1, P2, S, T0, Drill, alert


def scenario(fp, state, ts, subject, *, root="", **kw):
    return alert(fp, state, ts, subject=subject, root=root, kind="scenario", sev=kw.pop("sev", P1), **kw)


def service(fp, state, ts, subject, *, root=None, **kw):
    return alert(fp, state, ts, subject=subject, root=subject if root is None else root, kind="service",
                 sev=kw.pop("sev", P2), **kw)


def test_states_and_actions_include_mitigation():
    assert STATES == ("open", "acknowledged", "mitigated", "recovering", "resolved")
    assert {"mitigated", "root_cause_changed", "reopened"} <= set(ACTIONS)


def test_a_scenario_is_never_a_root_even_when_a_service_has_its_name():
    """Finding 2: a scenario alert with no root must not name its subject ("checkout" the scenario
    is not "checkout" the service)."""
    d = Drill()
    (opened,) = d.feed(scenario("s", "firing", T0, "checkout"))
    assert opened.attrs["root_cause"] == "" and d.only().root_cause == ""
    assert opened.attrs["scope"] == "checkout"
    d.feed(scenario("s2", "firing", T0 + S, "checkout", sev=P2))
    assert d.only().alerts == ("s", "s2"), "alerts of unknown root on the same subject gather"
    d.feed(scenario("other", "firing", T0 + 2 * S, "refund"))
    assert len(d.book.incidents()) == 2 and {i.root_cause for i in d.book.incidents()} == {""}


def test_the_incident_keeps_its_root_when_the_root_alert_resolves_before_the_scenario():
    """Finding 2: when the real root's alert resolved, the incident re-rooted to the scenario."""
    d = Drill()
    d.feed(service("db", "firing", T0, "db"))
    d.feed(scenario("s", "firing", T0 + S, "checkout", root="db", folded="db"))
    d.feed(service("db", "resolved", T0 + M, "db"))
    d.feed(scenario("s", "firing", T0 + M, "checkout", root=""))  # the engine amends: nothing on its path alerts
    inc = d.only()
    assert inc.root_cause == "db" and "root_cause_changed" not in d.actions()
    assert inc.state == "open", "users still feel it: the scenario fires"


def test_the_roots_own_alert_firing_just_before_the_p1_belongs_to_its_incident():
    """Finding 3: the root's P2 fires in the same evaluation just before the P1 that opens the
    incident; it joins when the incident opens, with one that fired earlier."""
    d = Drill()
    d.feed(service("db-lat", "firing", T0 - M, "db", since=T0 - 2 * M))
    d.feed(service("db-err", "firing", T0, "db"),
           scenario("s", "firing", T0, "checkout", root="db", folded="db-err"))
    inc = d.only()
    assert set(inc.alerts) == {"s", "db-err", "db-lat"} and inc.root_cause == "db"
    assert inc.started_ms == T0 - 2 * M and inc.severity is P1
    d.feed(scenario("s", "resolved", T0 + M, "checkout", root="db"))
    assert d.only().state == "mitigated", "never recovering while the root still fires (finding 9)"
    assert d.book.incident_of("db-err") == inc.id


def test_mitigated_then_reopened_then_recovering_and_resolved_with_both_mttrs():
    d = Drill(recovery_s=300)
    d.feed(service("root", "firing", T0, "bank", since=T0 - 30 * S))
    d.feed(scenario("s", "firing", T0 + 10 * S, "qr", root="bank"))
    iid = d.only().id
    (mitigated,) = d.feed(scenario("s", "resolved", T0 + 2 * M, "qr", root="bank"))
    assert mitigated.attrs["action"] == "mitigated" and mitigated.attrs["state"] == "mitigated"
    assert d.only().mitigated_ms == T0 + 2 * M and d.only().live
    assert d.tick(T0 + 30 * M) == [] and d.only().state == "mitigated", "the root alerts: not resolved"

    (back,) = d.feed(scenario("s", "firing", T0 + 31 * M, "qr", root="bank"))
    assert back.attrs["action"] == "reopened" and back.attrs["state"] == "open"
    assert d.only().mitigated_ms is None
    d.feed(scenario("s", "resolved", T0 + 32 * M, "qr", root="bank"))
    assert (d.only().state, d.only().mitigated_ms) == ("mitigated", T0 + 32 * M)
    (recovering,) = d.feed(service("root", "resolved", T0 + 40 * M, "bank"))
    assert recovering.attrs["action"] == "recovering" and d.only().mitigated_ms == T0 + 32 * M
    (resolved,) = d.tick(T0 + 46 * M)
    assert resolved.attrs["resolved_ms"] == T0 + 40 * M
    assert d.actions(iid) == ["opened", "mitigated", "reopened", "mitigated", "recovering", "resolved"]

    (t,) = incident_times(d.log)
    assert t.mitigated_ms == T0 + 32 * M and t.mttr_mitigated_s == (32 * 60 + 30.0)
    assert t.mttr_s == 40 * 60 + 30.0
    assert IncidentBook.replay(d.log).incidents() == d.book.incidents()


def test_a_root_alert_firing_again_during_recovery_goes_back_to_mitigated_not_open():
    d = Drill(recovery_s=300)
    d.feed(service("root", "firing", T0, "bank"), scenario("s", "firing", T0, "qr", root="bank"))
    d.feed(scenario("s", "resolved", T0 + M, "qr", root="bank"), service("root", "resolved", T0 + M, "bank"))
    assert d.only().state == "recovering" and d.only().mitigated_ms == T0 + M
    (reopened,) = d.feed(service("root", "firing", T0 + 2 * M, "bank"))
    assert reopened.attrs["action"] == "reopened" and reopened.attrs["state"] == "mitigated"
    assert d.only().mitigated_ms == T0 + M


def test_unknown_root_found_later_is_a_reroot_with_its_reason():
    d = Drill()
    d.feed(scenario("s", "firing", T0, "checkout"))
    iid = d.only().id
    out = d.feed(service("db", "firing", T0 + 10 * S, "db"),
                 scenario("s", "firing", T0 + 10 * S, "checkout", root="db", folded="db"))
    changed = [e for e in out if e.attrs["action"] == "root_cause_changed"]
    assert len(changed) == 1 and changed[0].attrs["reason"] == "root_found"
    assert changed[0].attrs["previous_root_cause"] == "" and changed[0].subject == "db"
    inc = d.only()
    assert inc.id == iid and inc.root_cause == "db" and set(inc.alerts) == {"s", "db"}


def test_two_faults_in_two_branches_are_two_incidents_and_a_shared_symptom_does_not_merge_them():
    """Finding 5: a caller of both roots flipping from one to the other must not merge them."""
    d = Drill()
    d.feed(service("bank", "firing", T0, "bank-a"), scenario("qr", "firing", T0, "qr", root="bank-a"))
    d.feed(service("db", "firing", T0 + S, "db"), scenario("q", "firing", T0 + S, "query", root="db"))
    d.feed(service("trade", "firing", T0 + 2 * S, "trade", root="bank-a"))
    d.feed(service("trade", "firing", T0 + 3 * S, "trade", root="db"))  # the tie-break flips
    live = d.book.incidents(live_only=True)
    assert sorted(i.root_cause for i in live) == ["bank-a", "db"]
    assert "merged" not in d.actions()


def test_a_scenario_crossing_both_faults_is_listed_by_both_incidents():
    """Item 3: an alert naming two roots (``root_causes``, from ``rootcause.Verdict.roots``) joins
    the incident of each; the second root's incident opens with its own P2s."""
    d = Drill()
    d.feed(service("bank", "firing", T0, "bank-a"), service("db", "firing", T0, "db"))
    both = scenario("all", "firing", T0 + S, "checkout", root="bank-a")
    both = type(both)(both.id, both.ts, both.kind, both.subject, both.title, both.severity,
                      {**both.attrs, "root_causes": ["bank-a", "db"]})
    d.feed(both)
    live = {i.root_cause: i for i in d.book.incidents(live_only=True)}
    assert set(live) == {"bank-a", "db"}
    assert set(live["bank-a"].alerts) == {"all", "bank"} and set(live["db"].alerts) == {"all", "db"}
    assert d.book.incident_of("all") == live["bank-a"].id
    done = type(both)(both.id + "r", T0 + M, both.kind, both.subject, both.title, both.severity,
                      {**both.attrs, "state": "resolved"})
    d.feed(done)
    assert {i.state for i in d.book.incidents()} == {"mitigated"}
    assert IncidentBook.replay(d.log).incidents() == d.book.incidents()


def test_p2_only_alerts_still_never_open_an_incident():
    d = Drill()
    d.feed(service("db", "firing", T0, "db"), service("trade", "firing", T0, "trade", root="db"))
    assert d.book.incidents() == []


RULES = load_rules(textwrap.dedent("""\
    version: 1
    settings: {stale_after: 30s, change_window: 15m}
    defaults: {for: 0s, resolve_after: 0s}
    rules:
      - id: scenario-success
        series: scenario_success_ratio
        when: "< 95%"
        severity: P1
      - id: service-errors
        series: service_error_ratio
        when: "> 5%"
        severity: P2
"""))


def _world():
    t = Topology([Service(n) for n in ("gw", "trade", "pay", "bank-a", "db")])
    for a, b in [("gw", "trade"), ("trade", "pay"), ("pay", "bank-a"), ("trade", "db")]:
        t.add_edge(CallEdge(a, b))
    t.add_scenario(Scenario.from_path("qr", "QR", ["gw", "trade", "pay", "bank-a"]))
    t.add_scenario(Scenario.from_path("query", "Query", ["gw", "trade", "db"]))
    return t


def _run(steps):
    """Feed ``[(second, {series: value})]`` through an AlertEngine and an IncidentBook."""
    engine, book, log = AlertEngine(RULES, _world()), IncidentBook(recovery_s=60), []
    for sec, values in steps:
        now = T0 + sec * S
        keys = [SeriesKey.parse(k) for k in values]
        engine.observe(now, keys, list(values.values()))
        for ev in engine.evaluate(now):
            log.append(ev)
            log.extend(book.on_event(ev))
        log.extend(book.tick(now))
    return book, log


HEALTHY = {'service_error_ratio{service="gw"}': 0.0, 'service_error_ratio{service="trade"}': 0.0,
           'service_error_ratio{service="pay"}': 0.0, 'service_error_ratio{service="bank-a"}': 0.0,
           'service_error_ratio{service="db"}': 0.0, 'scenario_success_ratio{scenario="qr"}': 1.0,
           'scenario_success_ratio{scenario="query"}': 1.0}


def test_end_to_end_two_faults_give_two_incidents_each_with_its_root_alerts():
    db_down = {'service_error_ratio{service="db"}': 0.5, 'service_error_ratio{service="trade"}': 0.3,
               'service_error_ratio{service="gw"}': 0.3, 'scenario_success_ratio{scenario="query"}': 0.5}
    bank_down = {'service_error_ratio{service="bank-a"}': 0.6, 'service_error_ratio{service="pay"}': 0.4,
                 'scenario_success_ratio{scenario="qr"}': 0.4}
    book, log = _run([(0, HEALTHY), (5, {**HEALTHY, **db_down}), (10, {**HEALTHY, **db_down, **bank_down}),
                      (15, {**HEALTHY, **db_down, **bank_down})])
    live = {i.root_cause: i for i in book.incidents(live_only=True)}
    assert set(live) == {"db", "bank-a"}, [i.root_cause for i in book.incidents()]
    fps = {e.attrs["fingerprint"]: e.subject for e in log if e.kind is EventKind.ALERT}
    assert {fps[f] for f in live["db"].alerts} >= {"db", "query"}
    assert {fps[f] for f in live["bank-a"].alerts} >= {"bank-a", "pay", "qr"}

    # The scenario recovers while the root still errs: mitigated, not resolved (finding 9).
    book2, log2 = _run([(0, HEALTHY), (5, {**HEALTHY, **db_down}),
                        (10, {**HEALTHY, 'service_error_ratio{service="db"}': 0.5}), (200, {**HEALTHY,
                              'service_error_ratio{service="db"}': 0.5})])
    (inc,) = book2.incidents()
    assert inc.root_cause == "db" and inc.state == "mitigated" and inc.mitigated_ms == T0 + 10 * S
    assert IncidentBook.replay(log2, recovery_s=60).incidents() == book2.incidents()


def test_end_to_end_a_scenario_crossing_both_faults_names_both_roots_and_joins_both_incidents():
    """Item 3 through the engine: the scenario alert's event carries ``root_causes`` with both
    roots (``rootcause.Verdict.roots``), so it is on both incidents' lists."""
    t = _world()
    t.add_scenario(Scenario("checkout", "Checkout", "gw",
                            (("gw", "trade"), ("trade", "pay"), ("pay", "bank-a"), ("trade", "db"))))
    engine, book, log = AlertEngine(RULES, t), IncidentBook(recovery_s=60), []
    both_down = {**HEALTHY, 'service_error_ratio{service="db"}': 0.5, 'service_error_ratio{service="bank-a"}': 0.6,
                 'scenario_success_ratio{scenario="qr"}': 0.4, 'scenario_success_ratio{scenario="query"}': 0.5,
                 'scenario_success_ratio{scenario="checkout"}': 0.3}
    for sec, values in [(0, {**HEALTHY, 'scenario_success_ratio{scenario="checkout"}': 1.0}), (5, both_down),
                        (10, both_down)]:
        now = T0 + sec * S
        engine.observe(now, [SeriesKey.parse(k) for k in values], list(values.values()))
        for ev in engine.evaluate(now):
            log.append(ev)
            log.extend(book.on_event(ev))
    crossing = next(a for a in engine.alerts() if a.subject == "checkout")
    assert set(crossing.root_causes) == {"bank-a", "db"} and crossing.root_causes[0] == crossing.root_cause
    live = {i.root_cause: i for i in book.incidents(live_only=True)}
    assert set(live) == {"bank-a", "db"}
    assert all(crossing.fingerprint in inc.alerts for inc in live.values())
    assert IncidentBook.replay(log, recovery_s=60).incidents() == book.incidents()
