"""The countdown to an incident's response target on the incident list: ACK IN while there is
time, a red OVERDUE pill once it is missed (and the escalation on its timeline), nothing once
someone acknowledged it."""

from __future__ import annotations

from tests.ui.panels.incidents.test_incidents_panel import (
    dark,
    list_card,
    make_panel,
    outage,
    texts,
    timeline,
)
from warroom.core.incident.escalation import ResponsePolicy
from warroom.core.model import EventKind
from warroom.ui import theme
from warroom.ui.panels.alerts.cards import format_age
from warroom.ui.panels.incidents.model import incident_card

__all__ = ["dark", "outage"]


def test_time_left_then_overdue_then_gone_once_acknowledged(qtbot, outage):
    outage.watch.set_response_policy(ResponsePolicy.from_minutes({"P1": 2}))
    panel = make_panel(qtbot, outage.watch)
    (inc,) = outage.watch.incidents()
    card = list_card(panel)
    left = inc.detected_ms + 120_000 - outage.watch.now_ms
    assert left > 0 and card.right == "ACK IN " + format_age(left) and not card.right_filled
    assert "target" not in panel.heading.text()  # while there is time, the card alone counts down

    outage.run(int(left / 1000) + 2)
    panel.refresh()
    card = list_card(panel)
    late = outage.watch.now_ms - inc.detected_ms - 120_000
    assert card.right == "OVERDUE " + format_age(late)
    assert card.right_filled and card.right_color == theme.current().crit  # the red pill
    assert "overdue by " + format_age(late) + ", escalated" in panel.heading.text()
    [row] = [r for r in timeline(panel) if r[0] == "OVERDUE"]
    assert row == ("OVERDUE", "No acknowledgement in 2 min: escalated",
                   "P1 response target missed, sent to the second channel")
    [esc] = outage.watch.escalations(inc.id)
    assert esc.kind is EventKind.ESCALATION and esc.attrs["tier"] == "P1"

    panel.watch.acknowledge_incident(inc.id, "alice", "on it")
    panel.refresh()
    card = list_card(panel)
    assert not card.right.startswith(("OVERDUE", "ACK IN")) and not card.right_filled
    assert "target" not in panel.heading.text()
    assert len(outage.watch.escalations(inc.id)) == 1  # the timeline keeps what happened


def test_a_watch_without_targets_counts_down_to_the_defaults(qtbot, outage):
    """A replay or a shared feed has no escalator: the default targets (P1 15 minutes) apply."""
    (inc,) = outage.watch.incidents()
    now = inc.detected_ms + 16 * 60_000
    card = incident_card(inc, now)
    assert card.right == "OVERDUE 1m 00s" and card.right_filled
    assert texts(card)[-1] == "open " + format_age(now - inc.started_ms)
