"""Issue 14, items 2 and 9 in the report: "Mitigated" while the root still fires (never "All
alerts resolved"), MTTR to mitigation and to resolution both shown, and no scenario as a root."""

from __future__ import annotations

from warroom.core.graph.topology import Topology
from warroom.core.incident.incidents import IncidentBook
from warroom.core.language.names import Names
from warroom.core.model import CallEdge, Event, EventKind, Scenario, Service, Severity
from warroom.report import Text, render_html
from warroom.report.alerts import related_alerts
from warroom.report.model import _root_cause
from warroom.report.timeline import timeline_rows

T0 = 1_793_000_000_000
S = 1000


def _alert(fp, state, ts, subject, kind, root, sev=Severity.P2, since=T0):
    return Event(f"alert-{fp}-{ts}-{state}", ts, EventKind.ALERT, subject, f"{subject} bad", sev,
                 {"fingerprint": fp, "rule": "r", "state": state, "since_ms": since, "subject_kind": kind,
                  "root_cause": root, "folded_under": "", "series": f'x{{{kind}="{subject}"}}', "value": 1.0})


def _incident(n, ts, action, state, **extra):
    attrs = {"incident": "INC-1", "action": action, "state": state, "root_cause": "bank", "alerts": ["qr"],
             "started_ms": T0, "detected_ms": T0, "acked_ms": None, "recovering_ms": None, "resolved_ms": None,
             "verified_ms": None, "merged_into": "", "owner": "", "seq": n, **extra}
    return Event(f"incident:INC-1:{n}", ts, EventKind.INCIDENT, "bank", "bank down", Severity.P1, attrs)


def test_an_old_log_recovering_while_its_root_fires_reads_mitigated_not_all_alerts_resolved():
    """Finding 9: a log written by the old book says "recovering" while the root's alert fires."""
    log = [_alert("root", "firing", T0, "bank", "service", "bank"),
           _alert("qr", "firing", T0, "qr", "scenario", "bank", Severity.P1),
           _incident(1, T0, "opened", "open"),
           _alert("qr", "resolved", T0 + 60 * S, "qr", "scenario", "bank", Severity.P1),
           _incident(2, T0 + 60 * S, "recovering", "recovering", recovering_ms=T0 + 60 * S)]
    inc = IncidentBook.replay(log).incident("INC-1")
    alerts = related_alerts(log, inc, T0 + 120 * S)
    assert {a.fingerprint for a in alerts} == {"root", "qr"}
    whats = [r.what for r in timeline_rows(log, inc, alerts, [], T0, T0 + 120 * S)]
    assert "ev_incident_mitigated" in whats and "ev_incident_recovering" not in whats


def test_a_scenario_alert_without_a_root_names_no_root():
    log = [_alert("s", "firing", T0, "checkout", "scenario", ""), _incident(1, T0, "opened", "open",
                                                                          root_cause="", alerts=["s"])]
    inc = IncidentBook.replay(log).incident("INC-1")
    (facts,) = related_alerts(log, inc, T0 + 60 * S)
    assert facts.root_cause == "", "a scenario's subject is never its root"


def test_the_report_root_line_never_names_a_scenario():
    t = Topology([Service("gw"), Service("db")])
    t.add_edge(CallEdge("gw", "db"))
    t.add_scenario(Scenario.from_path("checkout-flow", "Checkout", ["gw", "db"]))
    names = Names(t)
    assert _root_cause("checkout-flow", names) == "", "an old log rooted at a scenario: unknown"
    assert _root_cause("db", names) == "db" and _root_cause("", names) == ""


def test_the_page_shows_both_mttrs_and_says_mitigated_while_the_root_still_alerts(report):
    for lang in ("en", "zh_CN"):
        t = Text(lang)
        page = render_html(report, t)
        for key in ("mttr_mitigated", "mttr", "mitigated", "root_still_alerting", "state_mitigated",
                    "ev_incident_mitigated"):
            assert t(key) in page, key
        assert t("ev_incident_recovering") not in page
    assert "All alerts resolved" not in render_html(report, Text("en"))
