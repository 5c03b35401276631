"""Protocol 1.4: the incident commands' arguments, checked at the boundary (hostile strings
refused in identifiers, cleaned in free text; unknown or missing fields refused)."""

from __future__ import annotations

import json

import pytest

from warroom.io.auth import Identity, Role
from warroom.protocol import Command, Decoder, encode
from warroom.protocol.incident_args import FIELDS
from warroom.protocol.messages import ACTIONS, INCIDENT_ACTIONS

from .strategies import NOW

GOOD = {
    "ack_alert": {"fingerprint": "error_rate|svc:pay-api", "comment": "looking"},
    "ack_incident": {"incident": "INC-1763605825000-726a8ef5", "comment": "on it"},
    "set_owner": {"incident": "INC-1", "owner": "li.wei"},
    "add_note": {"incident": "INC-1", "text": "ICBC confirms:\nline cut at 10:02"},
    "add_action_item": {"incident": "INC-1", "text": "add a second line", "owner": "ops", "due": "2026-12-24"},
    "silence": {"matchers": {"subject": "bank-icbc", "rule": "error_*"}, "until": NOW + 3_600_000,
                "starts": NOW, "comment": "maintenance", "id": "s-1"},
    "unsilence": {"silence": "s-1"},
}


def decode(action: str, args: dict, **over):
    body = {"v": 1, "type": "command", "idempotency_key": "key-12345678", "action": action, "args": args,
            "actor": "li", **over}
    return Decoder().decode(json.dumps(body, ensure_ascii=True).encode(), now_ms=NOW)


def codes(result) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in result.errors:
        out[e.code.value] = out.get(e.code.value, 0) + e.count
    return out


def test_every_incident_action_is_a_protocol_action_with_documented_fields():
    assert set(INCIDENT_ACTIONS) <= set(ACTIONS) and set(FIELDS) == set(INCIDENT_ACTIONS) == set(GOOD)


@pytest.mark.parametrize("action", INCIDENT_ACTIONS)
def test_good_arguments_round_trip(action):
    r = decode(action, GOOD[action])
    assert r.errors == [] and isinstance(r.message, Command)
    assert dict(r.message.args) == GOOD[action]  # a note's newline is text, kept
    again = Decoder().decode(encode(r.message), now_ms=NOW)
    assert again.message == r.message


@pytest.mark.parametrize("action", INCIDENT_ACTIONS)
def test_a_missing_required_argument_refuses_the_command(action):
    required = [k for k, (_, req) in FIELDS[action].items() if req]
    for key in required:
        r = decode(action, {k: v for k, v in GOOD[action].items() if k != key})
        assert r.message is None and codes(r) == {"bad_field": 1}, key


def test_identifiers_with_hostile_characters_are_refused_free_text_is_cleaned():
    for args in ({"incident": "INC-1\u202e", "comment": "x"}, {"incident": "INC\x00"}):
        r = decode("ack_incident", args)
        assert r.message is None and codes(r) == {"bad_text": 1}, args
    r = decode("set_owner", {"incident": "INC-1", "owner": "li\x1b[2J"})
    assert r.message is None and codes(r) == {"bad_text": 1}
    r = decode("silence", {**GOOD["silence"], "matchers": {"subject": "bank\u2028icbc"}})
    assert r.message is None and codes(r) == {"bad_text": 1}
    r = decode("add_note", {"incident": "INC-1", "text": "line cut\x1b]8;;http://evil\x07 at 10:02\u202e"})
    assert r.message is not None and codes(r) == {"text_normalised": 1}
    assert "\x1b" not in r.message.args["text"] and "\u202e" not in r.message.args["text"]


def test_wrong_types_unknown_fields_and_bad_dates_are_refused():
    for action, args in (
        ("ack_incident", {"incident": 12}),
        ("ack_incident", {"incident": "INC-1", "by": "someone else"}),
        ("add_action_item", {**GOOD["add_action_item"], "due": "next week"}),
        ("silence", {**GOOD["silence"], "until": "tomorrow"}),
        ("silence", {**GOOD["silence"], "until": True}),
        ("silence", {**GOOD["silence"], "matchers": {}}),
        ("silence", {**GOOD["silence"], "matchers": {"subject": ""}}),
        ("add_note", {"incident": "INC-1", "text": "   "}),
    ):
        r = decode(action, args)
        assert r.message is None and codes(r) == {"bad_field": 1}, (action, args)


def test_only_a_commander_may_do_incident_work():
    for action in INCIDENT_ACTIONS:
        assert Identity("li", Role.COMMANDER).may(action)
        assert not Identity("wall-3", Role.VIEWER).may(action)
        assert not Identity("ci", Role.PUBLISHER).may(action)
