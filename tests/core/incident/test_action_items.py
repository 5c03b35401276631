"""Action items (warroom.core.incident.action_items): notes with an owner and a due date in the event log."""

from __future__ import annotations

import csv
import io
import json

import pytest

from warroom.core.incident.action_items import (ATTR, ActionItem, action_items, is_action_item, item_attrs, parse_due,
                                       to_csv, to_json)
from warroom.core.model import Event, EventKind


def _ev(i: int, incident: str = "INC-1", **attrs) -> Event:
    base = item_attrs(incident, "alice", f"do thing {i}", "bob", "")
    return Event(f"note:{incident}:{i}", 1_000 * i, EventKind.NOTE, "bank-icbc", f"do thing {i}",
                 attrs={**base, **attrs})


def test_due_dates_are_iso_days_or_nothing():
    assert parse_due(" 2024-11-20 ") == "2024-11-20" and parse_due("") == "" and parse_due(None) == ""
    for bad in ("20/11/2024", "tomorrow", "2024-13-01"):
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            parse_due(bad)


@pytest.mark.parametrize("actor, text, owner, words", [
    ("", "x", "bob", "who adds it"), ("a", "  ", "bob", "the action"), ("a", "x", "", "the owner"),
    ("a", "x" * 2001, "bob", "too long"),
])
def test_every_item_has_who_what_and_an_owner(actor, text, owner, words):
    with pytest.raises(ValueError, match=words):
        item_attrs("INC-1", actor, text, owner)


def test_items_are_read_back_from_the_log_per_incident_and_plain_notes_are_not_items():
    note = Event("note:INC-1:9", 500, EventKind.NOTE, "x", "just a note", attrs={"incident": "INC-1", "text": "n"})
    events = [_ev(2), note, _ev(1), _ev(3, incident="INC-2")]
    assert not is_action_item(note) and is_action_item(events[0])
    items = action_items(events, "INC-1")
    assert [i.text for i in items] == ["do thing 1", "do thing 2"]  # oldest first
    assert len(action_items(events)) == 3
    assert items[0] == ActionItem("note:INC-1:1", "INC-1", 1000, "alice", "do thing 1", "bob", "")


def test_the_book_records_an_item_on_the_incident_timeline_and_a_replay_keeps_it():
    from warroom.core.incident.incidents import IncidentBook
    from warroom.core.model import Severity

    book = IncidentBook()
    t0 = 1_731_292_320_000
    fire = Event("a1", t0, EventKind.ALERT, "bank-icbc", "ICBC errors", Severity.P1,
                 {"state": "firing", "fingerprint": "fp1", "rule": "service-errors", "root_cause": "bank-icbc"})
    log = [fire, *book.on_event(fire)]
    (inc,) = book.incidents()
    out = book.add_action_item(inc.id, "alice", "Add a timeout\nto the ICBC client", "bob", t0 + 5_000,
                               due="2024-11-20")
    log += out
    (ev,) = [e for e in out if e.kind is EventKind.NOTE]
    assert ev.title == "Add a timeout" and ev.id in {e.id for e in book.incident(inc.id).timeline}
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        book.add_action_item(inc.id, "alice", "x", "bob", t0 + 6_000, due="soon")
    replayed = IncidentBook.replay(log).incident(inc.id)
    assert [i.owner for i in action_items(replayed.timeline, inc.id)] == ["bob"]
    assert action_items(log, inc.id)[0].due == "2024-11-20"


def test_csv_and_json_exports_round_trip_and_defuse_formulas():
    items = [ActionItem("n1", "INC-1", 0, "alice", "=HYPERLINK(\"x\")", "bob, jr", "2024-11-20"),
             ActionItem("n2", "INC-1", 1000, "carol", "Add 告警 for \"ICBC\"\nsecond line", "李伟", "")]
    rows = list(csv.DictReader(io.StringIO(to_csv(items))))
    assert rows[0]["text"] == "'=HYPERLINK(\"x\")" and rows[0]["owner"] == "bob, jr"
    assert rows[1]["text"] == "Add 告警 for \"ICBC\"\nsecond line" and rows[1]["owner"] == "李伟"
    assert rows[0]["added_at"] == "1970-01-01T00:00:00+00:00" and rows[1]["due"] == ""
    back = json.loads(to_json(items))
    assert [ActionItem(**d) for d in back] == items
    assert ATTR == "action_item"
