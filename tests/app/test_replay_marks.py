"""The replay time bar marks an incident's mitigation (issue 14, item 2)."""

from __future__ import annotations

from warroom.app.replay_marks import markers_of
from warroom.core.model import Event, EventKind, Severity

T0 = 1_793_000_000_000


def test_an_incident_mitigated_is_a_marker_on_the_time_bar():
    evs = [Event(f"incident:INC-1:{n}", T0 + n * 1000, EventKind.INCIDENT, "bank", "bank down", Severity.P1,
                 {"incident": "INC-1", "action": action, "state": state})
           for n, (action, state) in enumerate([("opened", "open"), ("alert_joined", "open"),
                                                ("mitigated", "mitigated"), ("reopened", "open")], 1)]
    marks = markers_of(evs)
    assert [m.action for m in marks] == ["opened", "mitigated", "reopened"]
    assert all(m.kind == "incident" and m.subject == "INC-1" for m in marks)


def test_an_alertmanager_alert_is_one_marker_when_the_console_raised_it():
    """The feed's own event (at startsAt) and the engine's firing share the fingerprint: one marker."""
    from tests.core.alerting.external_history import history

    h = history()
    fired = next(e for e in h.engine if e.attrs["state"] == "firing")
    alerts = [m for m in markers_of(h.events) if m.kind == "alert"]
    assert [(m.ts, m.subject, m.severity) for m in alerts] == [(fired.ts, "cart", Severity.P1)]
    assert [m.action for m in markers_of(h.events) if m.kind == "incident"] == ["opened", "recovering", "resolved"]


def test_a_missed_response_target_is_a_marker_of_its_incident():
    esc = Event("escalation:INC-1:P1", T0 + 16 * 60_000, EventKind.ESCALATION, "bank", "P1 not acknowledged",
                Severity.P1, {"incident": "INC-1", "tier": "P1", "titles": {"zh_CN": "P1 未确认"}})
    [m] = markers_of([esc])
    assert (m.kind, m.action, m.subject, m.severity) == ("incident", "overdue", "INC-1", Severity.P1)
