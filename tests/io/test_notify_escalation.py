"""The second channel: configuration, routing and coverage of escalation channels."""

from __future__ import annotations

import pytest

from tests.io.test_notify import note
from warroom.core.incident.escalation import ResponsePolicy
from warroom.core.model import Event, EventKind, Severity
from warroom.io.notify import (
    ESCALATION_STATE,
    Notifier,
    NotifyConfigError,
    channels_by_severity,
    load_channels,
    load_response_targets_file,
    notification_from_event,
    response_targets,
)
from warroom.io.notify.escalation import routes_to


def hook(name, **kw):
    return {"name": name, "kind": "webhook", "url": f"http://127.0.0.1:9/{name}", **kw}


def test_a_channel_or_the_file_marks_the_escalation_channels():
    chs = load_channels({"channels": [hook("ops"), hook("boss", escalation=True), hook("phone")],
                         "escalate_to": ["phone"]})
    assert [(c.name, c.escalation) for c in chs] == [("ops", False), ("boss", True), ("phone", True)]


@pytest.mark.parametrize("section, message", [
    ({"escalate_to": ["nobody"]}, "escalate_to: no enabled channel is named 'nobody'"),
    ({"escalate_to": [3]}, "escalate_to: must be a list of channel names"),
    ({"response_targets": {"P1": 0}}, "response_targets: P1: the target must be a positive number"),
    ({"response_targets": {"P7": 5}}, "response_targets: unknown severity 'P7'"),
    ({"response_targets": [5]}, "response_targets: must be a mapping"),
    ({"respond_in": 5}, "unknown top-level field 'respond_in'"),
])
def test_configuration_mistakes_are_named(section, message):
    with pytest.raises(NotifyConfigError, match=message.replace("(", r"\(")):
        load_channels({"channels": [hook("ops")], **section})


def test_response_targets_from_a_file(tmp_path):
    f = tmp_path / "notify.yaml"
    f.write_text("notify:\n  response_targets: {P0: 2, P1: 10}\n  channels: []\n")
    assert load_response_targets_file(f) == ResponsePolicy({"P0": 120_000, "P1": 600_000})
    assert response_targets({"channels": []}) is None  # the console's defaults apply


def test_overdue_goes_to_escalation_channels_only_and_they_get_nothing_else():
    ops, boss = load_channels({"channels": [hook("ops"), hook("boss", escalation=True, min_severity="P1")]})
    overdue_p1, overdue_p2 = note(state=ESCALATION_STATE), note(state=ESCALATION_STATE, severity="P2")
    firing = note()
    assert routes_to(boss, overdue_p1, escalation_channels_exist=True)
    assert not routes_to(boss, overdue_p2, escalation_channels_exist=True)  # its own min_severity
    assert not routes_to(boss, firing, escalation_channels_exist=True)
    assert not routes_to(ops, overdue_p1, escalation_channels_exist=True)
    assert routes_to(ops, firing, escalation_channels_exist=True)
    # Nobody marked as the second channel: a missed target still reaches someone.
    assert routes_to(ops, overdue_p1, escalation_channels_exist=False)


def test_an_escalation_channel_does_not_count_as_a_second_pager():
    chs = load_channels({"channels": [hook("ops"), hook("boss", escalation=True)]})
    assert channels_by_severity(chs)["P1"] == ("ops",)
    assert any("one channel only ('ops')" in w for w in Notifier(chs).warnings)


def test_an_escalation_event_reads_as_an_overdue_incident():
    ev = Event("escalation:INC-1:P1", 1_780_000_000_000, EventKind.ESCALATION, "bank-icbc",
               "P1 not acknowledged within 15 min, escalated: ICBC gateway down", Severity.P1,
               {"incident": "INC-1", "tier": "P1", "target_ms": 900_000, "unacknowledged_min": 15, "actor": "warroom"})
    n = notification_from_event(ev)
    assert (n.key, n.state, n.severity) == ("incident:INC-1", "overdue", "P1")
    assert "P1 response target (15 min)" in n.text and n.attrs["tier"] == "P1"
