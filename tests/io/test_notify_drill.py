"""A drill's page says DRILL in its headline and first line: never taken for a real outage."""

from __future__ import annotations

from warroom.core.incident.drills import marked
from warroom.core.model import Event, EventKind, Severity
from warroom.io.notify.events import notification_from_event
from warroom.io.notify.render import headline


def test_a_drill_incident_is_paged_as_a_drill_and_production_as_itself():
    ev = Event("incident:I1:1", 1_731_292_200_000, EventKind.INCIDENT, "bank-icbc", "ICBC gateway down", Severity.P1,
               {"incident": "I1", "action": "opened", "state": "open", "root_cause": "bank-icbc"})
    real = notification_from_event(ev)
    assert real.title == "ICBC gateway down" and "DRILL" not in real.text and "drill" not in real.attrs
    drill = notification_from_event(marked(ev, "drill-7"))
    assert headline(drill) == "[P1] OPENED: [DRILL] ICBC gateway down"
    assert drill.text.splitlines()[0] == "This is a DRILL (drill-7): not a production incident"
    assert drill.attrs["drill"] == "drill-7" and drill.key == real.key
