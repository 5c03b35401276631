"""An Alertmanager alert in an incident report: its span and folding are the console's (from the
engine's transitions), never the feed's raw event at startsAt/endsAt (issue 15)."""

from __future__ import annotations

from dataclasses import replace

from tests.core.alerting.external_history import FINGERPRINT, am, history
from warroom.core.incident.incidents import IncidentBook
from warroom.report.alerts import incident_end, related_alerts
from warroom.report.timeline import timeline_rows


def _report_of(h):
    """The incident's alerts and timeline rows, as ``build_report`` reads them."""
    [inc] = IncidentBook.replay(h.events).incidents()
    end = incident_end(inc, h.events[-1].ts)
    alerts = related_alerts(h.events, inc, end)
    return alerts, timeline_rows(h.events, inc, alerts, [], inc.started_ms, end)


def test_a_root_alert_from_alertmanager_fires_once_from_when_the_console_raised_it():
    # A feed also says the alert is "acknowledged" (the engine refuses it): no person did that.
    hostile = replace(am("firing"), id="am-hostile", attrs={**am("firing").attrs, "state": "acknowledged",
                                                            "actor": "mallory"})
    h = history(extra={30: hostile})
    fired, resolved = (next(e for e in h.engine if e.attrs["state"] == s) for s in ("firing", "resolved"))
    alerts, rows = _report_of(h)
    [facts] = [a for a in alerts if a.fingerprint == FINGERPRINT]
    assert facts.spans == ((fired.ts, resolved.ts),) and facts.root and facts.first_fired_ms == fired.ts
    mine = [(r.ts, r.what) for r in rows if r.what.startswith("ev_alert")]
    assert mine == [(fired.ts, "ev_alert_firing"), (resolved.ts, "ev_alert_resolved")]


def test_an_alertmanager_symptom_is_folded_under_the_consoles_root_with_the_consoles_span():
    """Alertmanager pages on web while cart, which web calls, fails: web is cart's symptom."""
    h = history(subject="web", cart_errors=0.5)
    fired, resolved = (next(e for e in h.engine if e.attrs["state"] == s) for s in ("firing", "resolved"))
    alerts, rows = _report_of(h)
    [web] = [a for a in alerts if a.fingerprint == FINGERPRINT]
    [cart] = [a for a in alerts if a.subject == "cart"]
    assert not web.root and web.folded_under == cart.fingerprint and web.root_cause == "cart"
    assert web.spans == ((fired.ts, resolved.ts),)
    symptoms = [(r.ts, r.what) for r in rows if r.what.startswith("ev_symptom")]
    assert symptoms == [(fired.ts, "ev_symptom_firing"), (resolved.ts, "ev_symptom_resolved")]
