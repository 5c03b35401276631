"""The checks on hand-made observations: no socket, no clock, one rule at a time."""

from __future__ import annotations

import json

from warroom.conform.checks import heartbeat, heartbeat_limit, seq, series_defs
from warroom.conform.checks_active import sequence_problems
from warroom.conform.observe import Exchange, Observation, check_of, inspect
from warroom.conform.results import CheckResult, Evidence, Status, evaluate
from warroom.conform.run import pre_subscribe_for, window_for
from warroom.conform.shapes import catalogue_problems, topology_problems
from warroom.conform.table import clean, render
from warroom.core.clock import wall_ms
from warroom.protocol import CommandResult, Decoder, ErrorCode, Hello, Subscribe, encode
from warroom.protocol.errors import ProtocolError

NOW = wall_ms()


def observation(frames: list[tuple[float, str]], subscribed_at: float = 0.5, ended_at: float = 3.0) -> Observation:
    """An observation of ``(at, frame)`` pairs on the main connection, decoded as the kit does."""
    obs = Observation("ws://feed", (1,), subscribed_at=subscribed_at, ended_at=ended_at)
    obs.subscribe = Subscribe("kit", (1,))
    decoder = Decoder()
    for at, raw in frames:
        f = inspect(raw, "main", at)
        f.before_subscribe = at < subscribed_at
        f.result = decoder.decode(raw, NOW)
        if isinstance(f.result.message, Hello) and obs.hello is None:
            obs.hello, obs.hello_index = f.result.message, len(obs.frames)
        obs.frames.append(f)
    return obs


def hello(heartbeat_s: float = 0.5) -> str:
    return encode(Hello("feed", NOW, heartbeat_s=heartbeat_s)).decode()


def beat(seq_value: object = None) -> str:
    body = {"v": 1, "type": "heartbeat", "server_time": NOW}
    if seq_value is not None:
        body["seq"] = seq_value
    return json.dumps(body)


# -- reading a frame raw ---------------------------------------------------------------------
def test_inspect_finds_what_json_loads_lets_through():
    assert "NaN" in inspect('{"v":1,"type":"metrics","x":NaN}', "main", 0).problems[0]
    assert "1e999" in inspect('{"v":1,"type":"metrics","x":1e999}', "main", 0).problems[0]
    assert "not an object" in inspect("[1, 2]", "main", 0).problems[0]
    assert "not JSON" in inspect("{", "main", 0).problems[0]
    assert "WRB1" in inspect(b"\x00\x01", "main", 0).problems[0]
    clean_frame = inspect('{"v":1,"type":"heartbeat","server_time":1}', "main", 0)
    assert clean_frame.problems == [] and clean_frame.kind == "heartbeat"


def test_inspect_names_where_a_lone_surrogate_is():
    f = inspect('{"type":"events","events":[{"id":"a\\ud800","attrs":{"\\udc00k":"v"}}]}', "main", 0)
    assert sorted(f.surrogates) == ["events[0].attrs.<key>", "events[0].id"]


def test_decoder_errors_go_to_the_check_that_owns_them():
    bad = lambda code, msg="x": ProtocolError(code, msg)  # noqa: E731
    assert check_of(bad(ErrorCode.SEQUENCE_GAP), "metrics") is None  # the seq check reads seq itself
    assert check_of(bad(ErrorCode.NON_FINITE), "metrics") is None  # null values are allowed
    assert check_of(bad(ErrorCode.BAD_TEXT), "topology") == "text"
    assert check_of(bad(ErrorCode.BAD_FIELD, "defs[2]: U+D800 (lone surrogate) at index 3"), "metrics") == "text"
    assert check_of(bad(ErrorCode.BAD_FIELD), "topology") == "topology"
    assert check_of(bad(ErrorCode.BAD_FIELD, "points of a series that was never defined"), "metrics") is None
    assert check_of(bad(ErrorCode.OUT_OF_ORDER), "metrics") == "series-order"
    assert check_of(bad(ErrorCode.BAD_VERSION), "events") == "negotiation"
    assert check_of(bad(ErrorCode.MALFORMED_JSON), "?") == "frames"


# -- seq and heartbeats ------------------------------------------------------------------
def test_seq_must_count_up_by_one():
    def verdict(*seqs):
        obs = observation([(0.0, hello())] + [(1.0 + i / 10, beat(s)) for i, s in enumerate(seqs)])
        return seq(obs, Evidence.of(obs))

    assert verdict(1, 2, 3).status is Status.PASS
    assert "jumped from 2 to 4" in verdict(1, 2, 4).detail
    assert "repeated from 2 to 2" in verdict(1, 2, 2).detail
    assert "went back from 3 to 1" in verdict(2, 3, 1).detail
    assert "not an integer" in verdict(1, "2").detail
    assert "no frame carries seq" in verdict(None, None).detail


def test_heartbeat_gaps_are_measured_from_hello_to_the_end_of_the_window():
    ok = observation([(0.0, hello(0.5)), (0.5, beat()), (1.0, beat()), (1.5, beat()), (2.0, beat()), (2.5, beat())])
    assert heartbeat(ok, Evidence.of(ok)).status is Status.PASS
    late = observation([(0.0, hello(0.5)), (0.5, beat()), (1.0, beat()), (2.5, beat())])
    out = heartbeat(late, Evidence.of(late))
    assert out.status is Status.FAIL and "no heartbeat for 1.50 s" in out.detail
    beats_after_subscribe = [(0.0, hello(0.5)), (1.2, beat()), (1.7, beat()), (2.2, beat()), (2.7, beat())]
    quiet_until_subscribed = observation(beats_after_subscribe, subscribed_at=1.1)
    out = heartbeat(quiet_until_subscribed, Evidence.of(quiet_until_subscribed))
    assert out.status is Status.FAIL and "before subscribe" in out.detail
    assert heartbeat_limit(1.0) == 1.5 and heartbeat_limit(4.0) == 6.0


def test_the_window_spans_two_heartbeat_limits_and_the_pause_one():
    assert window_for(10.0, 1.0) == 10.0
    assert window_for(1.0, 1.0) == 3.5
    assert window_for(1.0, 1000.0) == 300.0
    assert pre_subscribe_for(1.0) == 1.75 and pre_subscribe_for(60.0) == 5.0


def test_series_ids_must_be_defined_before_or_in_the_frame_that_uses_them():
    def metrics(**body):
        return json.dumps({"v": 1, "type": "metrics", **body})

    t = NOW - 1000
    obs = observation([
        (0.0, hello()),
        (1.0, metrics(defs=[{"id": 0, "name": "m"}], points={"s": [0, 1], "t": t, "v": [1.0, 2.0]})),
        (1.1, metrics(defs=[{"id": 1, "name": "n"}], points={"s": [0, 1], "t": t + 1, "v": [1.0, 2.0]})),
        (1.2, metrics(series=[{"name": "m"}], defs=[], points={"s": [0], "t": t + 2, "v": [1.0]})),
    ])
    out = series_defs(obs, Evidence.of(obs))
    assert out.status is Status.FAIL
    assert "frame 2: 1 point(s) use series id(s) [1] never defined" in out.detail
    assert "frame 4: both series and defs" in out.detail
    assert "frame 3" not in out.detail  # defined in the frame that uses it: fine


# -- topology and catalogue ------------------------------------------------------------------
def test_topology_problems_name_duplicates_and_dangling_references():
    body = {
        "services": [{"name": "a"}, {"name": "b", "capacity_rps": -1}, {"name": "a"}],
        "edges": [{"caller": "a", "callee": "b"}, {"caller": "b", "callee": "ghost"}],
        "scenarios": [{"id": "s", "entry": "nowhere", "edges": [["a", "b"], ["b", "a"]]},
                      {"id": "s", "entry": "a", "edges": []}],
    }
    problems = topology_problems(body)
    assert "service name 'a' is not unique" in problems
    assert any("capacity_rps -1" in p for p in problems)
    assert any("'ghost' is not a service" in p for p in problems)
    assert any("entry 'nowhere'" in p for p in problems)
    assert any("edge b->a is not an edge" in p for p in problems)
    assert "scenario id 's' is not unique" in problems
    assert topology_problems({"services": [{"name": "a"}], "edges": [], "scenarios": []}) == []


def test_catalogue_problems_hold_plans_to_the_documented_types():
    good = {"id": "p", "kind": "degrade", "target": {"kind": "service", "name": "a"}, "critical": False,
            "expiry_s": None, "guard": {"series": 'm{service="a"}', "op": "<", "threshold": 1, "within_s": 5}}
    assert catalogue_problems({"plans": [good], "active": ["p"]}) == []
    bad = dict(good, critical="yes", expiry_s="30", steps="do it",
               guard={"series": "m{service=a}", "op": "~", "threshold": "1", "within_s": 5})
    problems = catalogue_problems({"plans": [good, bad], "active": ["q"]})
    text = " | ".join(problems)
    for expected in ("plan id 'p' is not unique", "critical must be true or false", "expiry_s '30'",
                     "steps must be a list of strings", "guard.op '~'", "guard.threshold must be a number",
                     "guard.series is not canonical", "active plan 'q' is not in the catalogue"):
        assert expected in text, expected


# -- command results ---------------------------------------------------------------------
def exchange(*states: str) -> Exchange:
    ex = Exchange("key-12345678", "execute_plan", "p", "main", 0.0)
    ex.results = [(i / 10, CommandResult("key-12345678", s)) for i, s in enumerate(states)]
    return ex


def test_command_results_follow_accepted_running_final():
    assert sequence_problems(exchange("accepted", "running", "succeeded")) == []
    assert sequence_problems(exchange("succeeded")) == []  # non-final states may be skipped
    assert sequence_problems(exchange("running", "running", "failed")) == []  # progress may repeat
    assert "out of order" in sequence_problems(exchange("running", "accepted", "succeeded"))[0]
    assert "running after the final succeeded" in sequence_problems(exchange("succeeded", "running"))[0]
    assert "rejected comes alone" in sequence_problems(exchange("accepted", "rejected"))[0]
    assert "no final result" in sequence_problems(exchange("accepted"))[0]


# -- the printed table -----------------------------------------------------------------------
def test_the_table_never_prints_a_feed_string_raw():
    obs = observation([(0.0, hello())])
    evil = "plan \x1b[2J\x1b]8;;http://x\x07gone\u202egnp.exe \ud800"
    text = render(obs, [CheckResult("catalogue", "t", "§5.5", Status.FAIL, evil)])
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text and "\ud800" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text and "\\ud800" in text
    text.encode("utf-8")  # printable anywhere
    assert len(clean("x" * 1000)) == 400


def test_a_run_without_hello_fails_hello_and_runs_nothing_else():
    obs = observation([(0.0, beat(1))])
    obs.subscribe = None
    results = {r.id: r for r in evaluate(obs)}
    assert results["hello"].status is Status.FAIL and "'heartbeat', not hello" in results["hello"].detail
    assert {r.status for k, r in results.items() if k not in ("hello", "negotiation", "frames")} == {Status.SKIP}
