"""Action items from the incident panel: what, owner, optional due date; kept in the event log."""

from __future__ import annotations

from PySide6.QtCore import Qt

from warroom.core.incident.action_items import action_items
from warroom.ui.panels.incidents import dialogs as incident_dialogs
from warroom.ui.panels.incidents.dialogs import ActionInput
from tests.ui.panels.incidents.test_incidents_panel import make_panel, outage, timeline  # noqa: F401 - fixture

__all__ = ["outage"]


def test_an_action_item_is_recorded_with_its_owner(qtbot, outage, monkeypatch):  # noqa: F811
    recorded = []
    outage.watch.record = recorded.extend
    panel = make_panel(qtbot, outage.watch)
    monkeypatch.setattr(incident_dialogs, "ask_action_item",
                        lambda parent, what, actor: ActionInput("alice", "Add a timeout to the ICBC client",
                                                                "bob", "2024-11-20"))
    qtbot.mouseClick(panel.action_button, Qt.MouseButton.LeftButton)
    assert not panel.message.is_error
    (inc,) = outage.watch.incidents()
    (item,) = action_items(recorded, inc.id)  # in the event log, as notes are
    assert (item.text, item.owner, item.due, item.actor) == ("Add a timeout to the ICBC client", "bob",
                                                            "2024-11-20", "alice")
    assert timeline(panel)[0] == ("ACTION", "Add a timeout to the ICBC client", "owner bob · due 2024-11-20 / alice")


def test_a_bad_due_date_or_no_owner_is_refused_and_nothing_kept(qtbot, outage, monkeypatch):  # noqa: F811
    recorded = []
    outage.watch.record = recorded.extend
    panel = make_panel(qtbot, outage.watch)
    for given, words in ((ActionInput("alice", "Fix it", "bob", "next week"), "YYYY-MM-DD"),
                         (ActionInput("alice", "Fix it", "", ""), "who owns it")):
        monkeypatch.setattr(incident_dialogs, "ask_action_item", lambda *a, g=given: g)
        panel.add_action_item()
        assert panel.message.is_error and words in panel.message.text()
    assert action_items(recorded) == []
