"""Kiosk rotation on a fake clock: the playlist syntax, turns of each layout's own length,
following an incident until it is mitigated, then rotating on from where it left."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from warroom.app.kiosk import DEFAULT_DWELL_S, MIN_DWELL_S, Rotation, Stop, parse_rotation, unmitigated


# -- the playlist syntax -------------------------------------------------------------------
def test_each_layout_may_have_its_own_time():
    assert parse_rotation("command-centre:60s,commander:2m") == (Stop("command-centre", 60), Stop("commander", 120))


def test_an_item_without_a_time_gets_the_default():
    assert parse_rotation("command-centre, commander:45") == (Stop("command-centre", DEFAULT_DWELL_S),
                                                              Stop("commander", 45))


def test_a_layout_path_may_hold_colons():
    assert parse_rotation(r"C:\walls\night.json:40s") == (Stop(r"C:\walls\night.json", 40),)
    assert parse_rotation(r"C:\walls\night.json") == (Stop(r"C:\walls\night.json", DEFAULT_DWELL_S),)


@pytest.mark.parametrize("text, words", [
    ("", "empty item"),
    ("command-centre,,commander", "empty item"),
    ("command-centre:soon", "bad time"),
    (f"command-centre:{MIN_DWELL_S / 2:g}s", "at least"),
    (":30s", "names no layout"),
])
def test_a_bad_playlist_says_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        parse_rotation(text)


# -- rotating --------------------------------------------------------------------------------
def test_layouts_take_turns_each_for_its_own_time():
    rot = Rotation(parse_rotation("a:10s,b:20s"), now_s=100.0)
    seen = [(t, rot.update(t)) for t in range(100, 161)]
    switches = [(t, name) for t, name in seen if name]
    assert switches == [(110, "b"), (130, "a"), (140, "b"), (160, "a")]
    assert rot.current == "a"


def test_a_single_layout_never_switches():
    rot = Rotation((Stop("a", 10),))
    assert all(rot.update(t) is None for t in range(0, 100, 3))
    assert rot.remaining_s(50) is None


def test_remaining_time_counts_down():
    rot = Rotation(parse_rotation("a:10s,b:20s"), now_s=0.0)
    assert rot.remaining_s(4.0) == 6.0
    rot.update(10.0)
    assert rot.remaining_s(15.0) == 15.0


# -- following the incident -------------------------------------------------------------
def test_an_incident_takes_the_wall_and_holds_it_until_mitigated():
    rot = Rotation(parse_rotation("a:10s,b:10s"), follow="incident", now_s=0.0)
    assert rot.update(5.0) is None
    assert rot.update(6.0, incident_open=True) == "incident"
    # Held for far longer than any turn.
    assert all(rot.update(t, incident_open=True) is None for t in range(7, 300))
    assert rot.holding and rot.current == "incident" and rot.remaining_s(300) is None
    # Mitigated: back to the layout it left, for a full turn.
    assert rot.update(300.0, incident_open=False) == "a"
    assert rot.update(309.0) is None
    assert rot.update(310.0) == "b"


def test_without_follow_an_incident_does_not_move_the_wall():
    rot = Rotation(parse_rotation("a:10s,b:10s"), now_s=0.0)
    assert rot.update(5.0, incident_open=True) is None
    assert rot.update(10.0, incident_open=True) == "b"


def test_the_incident_layout_may_be_in_the_playlist():
    rot = Rotation(parse_rotation("a:10s,commander:10s"), follow="commander", now_s=0.0)
    assert rot.layouts == ("a", "commander")
    rot.update(10.0)
    assert rot.current == "commander"
    assert rot.update(11.0, incident_open=True) is None  # already there: no switch, but held
    assert rot.update(50.0, incident_open=True) is None and rot.current == "commander"
    assert rot.update(51.0) is None  # mitigated: a full turn of "commander" from here
    assert rot.update(61.0) == "a"


def test_an_empty_playlist_is_refused():
    with pytest.raises(ValueError):
        Rotation(())


@dataclass
class Inc:
    state: str


def test_open_and_acknowledged_incidents_are_unmitigated():
    assert unmitigated([Inc("resolved"), Inc("open")])
    assert unmitigated([Inc("acknowledged")])
    assert not unmitigated([Inc("recovering"), Inc("resolved")])
    assert not unmitigated([Inc("mitigated")]), "users recovered, the root still alerts: the wall rotates on"
    assert not unmitigated([])
