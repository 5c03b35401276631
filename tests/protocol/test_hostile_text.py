"""Strings from a hostile feed: identifiers with controls, bidi controls or lone surrogates are
refused (``bad_text``), free text is cleaned (``text_normalised``), and what comes out encodes."""

from __future__ import annotations

import json
import struct

import pytest

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder, ErrorStats, encode
from warroom.protocol.binary import MAGIC, pack_points
from warroom.protocol.strings import NAME_MAX, REF_MAX, TEXT_MAX

from .strategies import NOW

T = NOW - 60_000
#: One of each kind of trouble: a lone surrogate, ESC (an OSC 8 link), NUL, CR, a C1 CSI,
#: a right-to-left override, a line separator, a first-strong isolate.
BAD = ["\ud800", "\x1b]8;;http://evil\x07", "\x00", "\r", "\x9b", "\u202e", "\u2028", "\u2068"]


def frame(type_: str, **body) -> bytes:
    # ensure_ascii: a lone surrogate goes on the wire as the valid JSON escape "\ud800".
    return json.dumps({"v": 1, "type": type_, **body}, ensure_ascii=True).encode()


def decode(data, decoder=None):
    return (decoder or Decoder()).decode(data, now_ms=NOW)


def codes(result) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in result.errors:
        out[e.code.value] = out.get(e.code.value, 0) + e.count
    return out


def good_event(i: int, **over):
    return {"id": f"e{i}", "ts": T, "kind": "deploy", "subject": "trade", "title": "released", **over}


# -- the cases --------------------------------------------------------------------
def test_a_lone_surrogate_in_a_label_value_refuses_that_series_and_keeps_the_others():
    series = [{"name": "service_error_ratio", "labels": {"service": "tr\ud800ade"}},
              {"name": "service_error_ratio", "labels": {"service": "pay"}}]
    stats = ErrorStats()
    r = decode(frame("metrics", series=series, points={"s": [0, 1], "t": T, "v": [0.5, 0.25]}), Decoder(stats=stats))
    assert r.message.points() == [(SeriesKey("service_error_ratio", {"service": "pay"}), T, 0.25)]
    assert codes(r) == {"bad_text": 1}
    assert "U+D800 (lone surrogate)" in r.errors[0].message
    assert stats.as_dict() == {"bad_text": 1}


def test_a_lone_surrogate_in_an_event_subject_refuses_that_event():
    events = [good_event(1, subject="tra\udfffde"), good_event(2)]
    r = decode(frame("events", events=events))
    assert [e.id for e in r.message.events] == ["e2"]
    assert codes(r) == {"bad_text": 1}
    for e in r.message.events:  # what core/alerting/alerts.py does with a subject: it must not raise
        f"{e.kind.value}|{e.subject}".encode()


@pytest.mark.parametrize("bad", BAD)
def test_bad_characters_in_defs_of_a_binary_frame_refuse_that_definition(bad):
    defs = [{"id": 0, "name": "scenario_tps", "labels": {"scenario": "qr" + bad}},
            {"id": 1, "name": "scenario_tps", "labels": {"scenario": "card"}}]
    head = json.dumps({"v": 1, "type": "metrics", "defs": defs, "n": 2}, ensure_ascii=True).encode()
    data = MAGIC + struct.pack("<I", len(head)) + head + pack_points([0, 1], [T, T], [1.0, 2.0])
    r = decode(data)
    assert r.message.points() == [(SeriesKey("scenario_tps", {"scenario": "card"}), T, 2.0)]
    # The definition is refused as bad_text; its point then names an undefined id.
    assert codes(r) == {"bad_text": 1, "bad_field": 1}


def test_a_metric_or_label_name_ending_in_a_newline_is_refused():
    # SeriesKey's patterns end in "$", which matches before a final "\n".
    for series in ({"name": "scenario_tps\n"}, {"name": "scenario_tps", "labels": {"scenario\n": "qr"}}):
        r = decode(frame("metrics", series=[series], points={"s": [0], "t": T, "v": [1.0]}))
        assert len(r.message) == 0 and codes(r) == {"bad_text": 1}


def test_length_limits_of_identifiers():
    ok = {"name": "m", "labels": {"v": "x" * REF_MAX}}
    long = {"name": "m", "labels": {"v": "y" * (REF_MAX + 1)}}
    r = decode(frame("metrics", series=[ok, long], points={"s": [0, 1], "t": T, "v": [1.0, 2.0]}))
    assert len(r.message) == 1 and codes(r) == {"bad_text": 1}
    services = [{"name": "s" * NAME_MAX}, {"name": "t" * (NAME_MAX + 1)}]
    r = decode(frame("topology", ts=T, services=services, edges=[]))
    assert [s.name for s in r.message.topology.services] == ["s" * NAME_MAX]
    assert codes(r) == {"bad_text": 1} and "257 characters, more than 256" in r.errors[0].message


# -- every identifier refuses, every free text is cleaned ----------------------------------
@pytest.mark.parametrize("bad", BAD)
def test_topology_identifiers_refuse_their_item(bad):
    services = [{"name": "a"}, {"name": "b"}, {"name": "c" + bad}]
    edges = [{"caller": "a", "callee": "b"}, {"caller": "a" + bad, "callee": "b"}]
    scenarios = [
        {"id": "qr", "entry": "a", "edges": [["a", "b"]]},
        {"id": "qr" + bad, "entry": "a", "edges": [["a", "b"]]},
        {"id": "card", "entry": "a" + bad, "edges": [["a", "b"]]},
        {"id": "web", "entry": "a", "edges": [["a", "b" + bad]]},
    ]
    r = decode(frame("topology", ts=T, services=services, edges=edges, scenarios=scenarios))
    topo = r.message.topology
    assert [s.name for s in topo.services] == ["a", "b"]
    assert [e.key for e in topo.edges] == [("a", "b")]
    assert [s.id for s in topo.scenarios] == ["qr"]
    assert codes(r) == {"bad_text": 5}


@pytest.mark.parametrize("bad", BAD)
def test_free_text_is_cleaned_and_counted_and_the_item_kept(bad):
    services = [{"name": "a", "title": "App" + bad}, {"name": "b", "title": "B"}]
    scenarios = [{"id": "qr", "title": "QR" + bad, "entry": "a", "edges": [["a", "b"]]}]
    r = decode(frame("topology", ts=T, services=services, edges=[{"caller": "a", "callee": "b"}], scenarios=scenarios))
    topo = r.message.topology
    assert topo.service("a").title.startswith("App") and topo.service("b").title == "B"
    assert topo.scenarios[0].title.startswith("QR")
    assert codes(r) == {"text_normalised": 2}
    assert "services[0].title" in r.errors[0].message and "scenarios[0].title" in r.errors[0].message
    encode(r.message)  # writable as UTF-8 JSON again


def test_what_normalising_does():
    attrs = {"by": "bot\x1b[2J", "nested": {"k\u202e": ["ok", "a\ud800"]}, "n": 3, "lines": "one\r\ntwo\tthree"}
    events = [good_event(1, title="x\u202egnp.exe", attrs=attrs)]
    stats = ErrorStats()
    r = decode(frame("events", events=events), Decoder(stats=stats))
    (e,) = r.message.events
    assert e.title == "xgnp.exe"  # the override is gone: it shows as sent, not as "xexe.png"
    assert e.attrs == {"by": "bot\ufffd[2J", "nested": {"k": ["ok", "a\ufffd"]}, "n": 3, "lines": "one\ntwo\tthree"}
    assert codes(r) == {"text_normalised": 5}
    assert stats.as_dict() == {"text_normalised": 5}  # shown on the health view, nothing dropped


def test_over_long_free_text_is_cut_with_an_ellipsis():
    r = decode(frame("events", events=[good_event(1, title="t" * (TEXT_MAX + 10))]))
    (e,) = r.message.events
    assert len(e.title) == TEXT_MAX and e.title.endswith("\u2026")
    assert codes(r) == {"text_normalised": 1}


def test_a_refused_item_does_not_count_its_cleaned_text():
    r = decode(frame("events", events=[good_event(1, title="a\x00", subject="s\x00"), good_event(2)]))
    assert codes(r) == {"bad_text": 1}


def test_clean_text_is_passed_through_untouched():
    attrs = {"version": "2.4.1", "note": "上海 — 第二行\n\tindented", "list": [1, "x"]}
    r = decode(frame("events", events=[good_event(1, title="交易 2.4.1 released", attrs=attrs)]))
    assert r.errors == []
    assert r.message.events[0].attrs == attrs


@pytest.mark.parametrize("bad", BAD)
def test_plan_catalogue(bad):
    plan = {"id": "rl", "kind": "rate_limit", "target": {"kind": "service", "name": "trade"}}
    plans = [
        {**plan, "title": "Rate" + bad, "description": "d" + bad, "steps": ["s" + bad], "rollback": ["r" + bad],
         "params": {"resource" + bad: "x" + bad}},
        {**plan, "id": "rl" + bad},
        {**plan, "id": "k", "kind": "rate" + bad},
        {**plan, "id": "t", "target": {"kind": "service", "name": "trade" + bad}},
        {**plan, "id": "g", "guard": {"series": "m" + bad, "op": "<", "threshold": 1, "within_s": 1}},
    ]
    r = decode(frame("plan_catalogue", plans=plans, active=["rl", "rl" + bad]))
    (p,) = r.message.plans
    assert p.id == "rl" and r.message.active == ("rl",)
    assert codes(r) == {"bad_text": 5, "text_normalised": 6}
    for text in (p.title, p.description, *p.steps, *p.rollback, *p.params, *p.params.values()):
        assert bad not in text


@pytest.mark.parametrize("field", ["server_id", "role", "user"])
def test_hello_identifiers_refuse_the_hello(field):
    body = {"server_id": "feed", "server_time": NOW, "versions": [1], field: "x\u202e"}
    r = decode(frame("hello", **body))
    assert r.message is None and codes(r) == {"bad_text": 1}


def test_a_bad_capability_is_dropped_alone():
    r = decode(frame("hello", server_id="feed", server_time=NOW, versions=[1], capabilities=["metrics", "x\x1b"]))
    assert r.message.capabilities == ("metrics",) and codes(r) == {"bad_text": 1}


def test_command_result_and_error():
    r = decode(frame("command_result", idempotency_key="k" * 10, state="failed", message="no\x1b[2J",
                     detail={"plan_id": "rl\u202e"}))
    assert r.message.message == "no\ufffd[2J" and r.message.detail == {"plan_id": "rl"}
    assert codes(r) == {"text_normalised": 2}
    for body in ({"idempotency_key": "k\x00" * 5}, {"code": "forbidden\n"}):
        r = decode(frame("command_result", **{"idempotency_key": "k" * 10, "state": "failed", **body}))
        assert r.message is None and codes(r) == {"bad_text": 1}
    r = decode(frame("error", code="bad_frame", message="line\rforged"))
    assert r.message.message == "line\nforged" and codes(r) == {"text_normalised": 1}
    r = decode(frame("error", code="bad\u2066frame"))
    assert r.message is None and codes(r) == {"bad_text": 1}


def test_client_messages_on_the_server_side():
    r = decode(frame("subscribe", client_id="wall\x1b]0;pwned\x07", versions=[1]))
    assert r.message is None and codes(r) == {"bad_text": 1}
    cmd = {"idempotency_key": "key-12345678", "action": "execute_plan", "args": {"plan_id": "rl"}, "actor": "li"}
    assert decode(frame("command", **cmd)).errors == []
    r = decode(frame("command", **{**cmd, "reason": "because\x1b[8m"}))
    assert r.message.reason == "because\ufffd[8m" and codes(r) == {"text_normalised": 1}
    # A command is an order: anything odd in its args or who sent it refuses it whole.
    for over in ({"args": {"plan_id": "rl\u202e"}}, {"args": {"p": {"x\x00": 1}}}, {"args": {"l": ["\ud800"]}},
                 {"actor": "li\n"}, {"idempotency_key": "key-1234567\u200f"}):
        r = decode(frame("command", **{**cmd, **over}))
        assert r.message is None and codes(r) == {"bad_text": 1}, over


def test_values_nested_too_deep_refuse_their_item():
    deep: object = "leaf"
    for _ in range(40):
        deep = {"d": deep}
    r = decode(frame("events", events=[good_event(1, attrs=deep), good_event(2)]))
    assert [e.id for e in r.message.events] == ["e2"] and codes(r) == {"bad_field": 1}


def test_error_messages_quoting_the_feed_cannot_act_on_a_terminal():
    r = decode(frame("command_result", idempotency_key="k" * 10, state="\x1b[2Jdone"))
    assert r.message is None
    assert "\x1b" not in r.errors[0].message and "\\x1b[2J" in r.errors[0].message
