"""Each way a frame, a message or a point can be wrong gives its typed error, and the good data is kept."""

from __future__ import annotations

import json

import pytest

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder, ErrorCode, ErrorStats, ProtocolError, encode
from warroom.protocol.codec import DEFAULT_FUTURE_TOLERANCE_MS, DEFAULT_MAX_FRAME_BYTES
from warroom.protocol.messages import Heartbeat, Hello

from .strategies import NOW

T = NOW - 60_000
TRADE = SeriesKey("service_error_ratio", {"service": "trade"})
PAY = SeriesKey("service_error_ratio", {"service": "pay"})


def frame(type_: str, v=1, **body) -> bytes:
    return json.dumps({"v": v, "type": type_, **body}).encode()


def metrics(series, s, t, v, **extra) -> bytes:
    """A metrics frame; ``series`` is a list of wire objects or SeriesKeys."""
    wire = [{"name": k.name, "labels": dict(k.labels)} if isinstance(k, SeriesKey) else k for k in series]
    return frame("metrics", series=wire, points={"s": s, "t": t, "v": v}, **extra)


def codes(result) -> dict[ErrorCode, int]:
    out: dict[ErrorCode, int] = {}
    for e in result.errors:
        out[e.code] = out.get(e.code, 0) + e.count
    return out


def decode(data, decoder=None, now=NOW):
    decoder = decoder or Decoder()
    return decoder.decode(data, now_ms=now)


# -- frame level ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [b'{"v":1,"type":"heartbeat",', b"", b"not json", b"{'v': 1}", b'{"v":1}garbage', b"\xff\xfe\x00garbage",
     b'{"v":1,"type":"heartbeat","server_time":1,"x":"\xff"}'],  # the last is not UTF-8
)
def test_malformed_json(data):
    r = decode(data)
    assert r.message is None
    assert codes(r) == {ErrorCode.MALFORMED_JSON: 1}


@pytest.mark.parametrize("data", [b"[1,2]", b'"hello"', b"null", b"42", b"true"])
def test_json_that_is_not_an_object(data):
    r = decode(data)
    assert r.message is None
    assert codes(r) == {ErrorCode.MALFORMED_JSON: 1}


def test_deeply_nested_json_does_not_crash():
    r = decode(b"[" * 100_000 + b"]" * 100_000)
    assert r.message is None and codes(r) == {ErrorCode.MALFORMED_JSON: 1}


def test_str_frames_are_accepted():
    r = decode(encode(Heartbeat(NOW)).decode())
    assert r.message == Heartbeat(NOW)


@pytest.mark.parametrize("v", [None, 0, 2, "1", 1.0, True, [1]])
def test_missing_or_unsupported_version(v):
    body = {"type": "heartbeat", "server_time": NOW}
    if v is not None:
        body["v"] = v
    r = decode(json.dumps(body))
    assert r.message is None
    assert codes(r) == {ErrorCode.BAD_VERSION: 1}


@pytest.mark.parametrize("v", [None, 1, 2, 99, "two"])
def test_hello_is_readable_at_any_version(v):
    body = {"type": "hello", "server_id": "feed-9", "server_time": NOW, "versions": [2, 3], "speed": 60}
    if v is not None:
        body["v"] = v
    r = decode(json.dumps(body))
    assert r.errors == []
    assert r.message == Hello("feed-9", NOW, 60.0, (2, 3))


@pytest.mark.parametrize(
    "body, match",
    [
        ({"server_id": "x", "server_time": NOW, "versions": []}, "versions"),
        ({"server_id": "x", "server_time": NOW, "versions": ["1"]}, "versions"),
        ({"server_id": "x", "server_time": NOW, "versions": [True]}, "versions"),
        ({"server_id": "x", "server_time": NOW, "versions": [1], "speed": 0}, "positive"),
        ({"server_id": "x", "server_time": NOW, "versions": [1], "heartbeat_s": -1}, "positive"),
        ({"server_id": "x", "versions": [1]}, "server_time"),
        ({"server_id": "x", "server_time": True, "versions": [1]}, "bool"),
        ({"server_id": "x", "server_time": float(NOW), "versions": [1]}, "server_time"),
    ],
)
def test_bad_hello(body, match):
    r = decode(frame("hello", **body))
    assert r.message is None
    assert [e.code for e in r.errors] == [ErrorCode.BAD_FIELD]
    assert match in r.errors[0].message


def test_huge_integer_where_a_float_belongs_is_an_error_not_a_crash():
    r = decode(b'{"v":1,"type":"hello","server_id":"x","server_time":1,"versions":[1],"speed":1' + b"0" * 400 + b"}")
    assert r.message is None and codes(r) == {ErrorCode.BAD_FIELD: 1}


@pytest.mark.parametrize("type_", ["gossip", "", "Metrics", None, 7, ["metrics"]])
def test_unknown_type(type_):
    body = {"v": 1}
    if type_ is not None:
        body["type"] = type_
    r = decode(json.dumps(body))
    assert r.message is None
    assert codes(r) == {ErrorCode.UNKNOWN_TYPE: 1}


def test_oversized_frame():
    assert DEFAULT_MAX_FRAME_BYTES == 4 * 1024 * 1024
    data = encode(Heartbeat(NOW))
    assert decode(data, Decoder(max_frame_bytes=len(data))).message == Heartbeat(NOW)
    stats = ErrorStats()
    r = decode(data, Decoder(max_frame_bytes=len(data) - 1, stats=stats))
    assert r.message is None
    assert codes(r) == {ErrorCode.OVERSIZED: 1}
    assert stats.totals[ErrorCode.OVERSIZED] == 1
    # Dropped unread: an oversized frame is not even parsed, so garbage gets the same error.
    assert codes(decode(b"x" * 101, Decoder(max_frame_bytes=100))) == {ErrorCode.OVERSIZED: 1}


def test_default_oversize_limit():
    big = b'{"v":1,"type":"heartbeat","server_time":1,"pad":"' + b"x" * DEFAULT_MAX_FRAME_BYTES + b'"}'
    assert codes(decode(big)) == {ErrorCode.OVERSIZED: 1}


# -- metric points -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "literal, code",
    [
        ("NaN", ErrorCode.NON_FINITE),
        ("Infinity", ErrorCode.NON_FINITE),
        ("-Infinity", ErrorCode.NON_FINITE),
        ("null", ErrorCode.NON_FINITE),
        ("1e999", ErrorCode.NON_FINITE),
        ("1" + "0" * 400, ErrorCode.NON_FINITE),  # an integer too large for a float
        ('"2.5"', ErrorCode.BAD_FIELD),
        ("true", ErrorCode.BAD_FIELD),
        ("[1.0]", ErrorCode.BAD_FIELD),
        ("{}", ErrorCode.BAD_FIELD),
    ],
)
def test_bad_values_are_dropped_and_good_points_kept(literal, code):
    data = (
        '{"v":1,"type":"metrics","series":[{"name":"service_error_ratio","labels":{"service":"trade"}}],'
        f'"points":{{"s":[0,0,0],"t":[{T},{T + 1000},{T + 2000}],"v":[0.25,{literal},7]}}}}'
    )
    stats = ErrorStats()
    r = decode(data, Decoder(stats=stats))
    assert r.message.points() == [(TRADE, T, 0.25), (TRADE, T + 2000, 7.0)]
    assert codes(r) == {code: 1}
    assert stats.totals == {code: 1}


def test_many_bad_values_in_one_frame_are_counted_once_each():
    data = (
        '{"v":1,"type":"metrics","series":[{"name":"m"}],'
        f'"points":{{"s":[0,0,0,0,0],"t":[{T},{T + 1},{T + 2},{T + 3},{T + 4}],"v":[NaN,null,1,"x",Infinity]}}}}'
    )
    r = decode(data)
    assert [v for _, _, v in r.message.points()] == [1.0]
    assert codes(r) == {ErrorCode.NON_FINITE: 3, ErrorCode.BAD_FIELD: 1}


def test_float_timestamp_with_fraction_is_refused():
    r = decode(metrics([TRADE], [0, 0], [T, T + 1000.5], [1, 2]))
    assert r.message.points() == [(TRADE, T, 1.0)]
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


@pytest.mark.parametrize("bad_t", [str(T), True, None, [T], 2**64])
def test_timestamps_of_the_wrong_type_are_refused(bad_t):
    r = decode(metrics([TRADE], [0, 0], [T, bad_t], [1, 2]))
    assert r.message.points() == [(TRADE, T, 1.0)]
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_timestamps_in_seconds_are_refused():
    r = decode(metrics([TRADE], [0, 0], [T // 1000, T], [1, 2]))
    assert r.message.points() == [(TRADE, T, 2.0)]
    assert codes(r) == {ErrorCode.BAD_TIMESTAMP: 1}


def test_future_timestamps_beyond_tolerance():
    assert DEFAULT_FUTURE_TOLERANCE_MS == 5 * 60 * 1000
    edge = NOW + DEFAULT_FUTURE_TOLERANCE_MS
    r = decode(metrics([TRADE, PAY], [0, 1, 1], [edge, edge + 1, NOW + 3_600_000], [1, 2, 3]))
    assert r.message.points() == [(TRADE, edge, 1.0)]
    assert codes(r) == {ErrorCode.FUTURE_TIMESTAMP: 2}
    tight = Decoder(future_tolerance_ms=1000)
    r = decode(metrics([TRADE], [0, 0], [NOW + 1000, NOW + 1001], [1, 2]), tight)
    assert r.message.points() == [(TRADE, NOW + 1000, 1.0)]
    assert codes(r) == {ErrorCode.FUTURE_TIMESTAMP: 1}


def test_future_is_judged_against_the_now_given():
    later = NOW + 3_600_000
    data = metrics([TRADE], [0], [later], [1])
    assert codes(decode(data, now=NOW)) == {ErrorCode.FUTURE_TIMESTAMP: 1}
    assert decode(data, now=later).errors == []


def test_duplicate_points_within_a_frame():
    r = decode(metrics([TRADE, PAY], [0, 0, 1, 0], [T, T, T, T + 1], [1, 2, 3, 4]))
    pts = r.message.points()
    assert codes(r) == {ErrorCode.DUPLICATE_POINT: 1}
    assert len(pts) == 3
    assert (PAY, T, 3.0) in pts and (TRADE, T + 1, 4.0) in pts  # same ts on another series is fine
    assert [p for p in pts if p[0] == TRADE and p[1] == T] in ([(TRADE, T, 1.0)], [(TRADE, T, 2.0)])


def test_duplicate_points_across_frames():
    d = Decoder()
    assert decode(metrics([TRADE], [0, 0], [T, T + 1000], [1, 2]), d).errors == []
    r = decode(metrics([TRADE, PAY], [0, 1], [T + 1000, T + 1000], [2, 5]), d)
    assert codes(r) == {ErrorCode.DUPLICATE_POINT: 1}
    assert r.message.points() == [(PAY, T + 1000, 5.0)]


def test_out_of_order_across_frames():
    d = Decoder()
    decode(metrics([TRADE], [0], [T + 10_000], [1]), d)
    assert d.last_ts(TRADE) == T + 10_000
    assert d.last_ts(PAY) is None
    r = decode(metrics([TRADE, PAY], [0, 0, 1], [T + 5000, T + 11_000, T], [2, 3, 4]), d)
    assert codes(r) == {ErrorCode.OUT_OF_ORDER: 1}
    assert sorted(r.message.points(), key=lambda p: p[1]) == [(PAY, T, 4.0), (TRADE, T + 11_000, 3.0)]
    assert d.last_ts(TRADE) == T + 11_000


def test_unordered_points_within_one_frame_are_accepted():
    d = Decoder()
    r = decode(metrics([TRADE], [0, 0, 0], [T + 2000, T, T + 1000], [3, 1, 2]), d)
    assert r.errors == []
    assert r.message.points() == [(TRADE, T + 2000, 3.0), (TRADE, T, 1.0), (TRADE, T + 1000, 2.0)]  # frame order
    assert d.last_ts(TRADE) == T + 2000


def test_series_identity_ignores_label_order_across_frames():
    d = Decoder()
    k = SeriesKey("edge_error_ratio", {"caller": "trade", "callee": "pay"})
    decode(frame("metrics", series=[{"name": k.name, "labels": {"caller": "trade", "callee": "pay"}}],
                 points={"s": [0], "t": [T], "v": [1]}), d)
    r = decode(frame("metrics", series=[{"name": k.name, "labels": {"callee": "pay", "caller": "trade"}}],
                     points={"s": [0], "t": [T], "v": [1]}), d)
    assert codes(r) == {ErrorCode.DUPLICATE_POINT: 1}


# -- sequence --------------------------------------------------------------------------------
def test_sequence_gap_counts_lost_frames():
    stats = ErrorStats()
    d = Decoder(stats=stats)
    for seq in (1, 2):
        assert decode(encode(Heartbeat(NOW), seq=seq), d).errors == []
    r = decode(encode(Heartbeat(NOW), seq=5), d)
    assert r.message == Heartbeat(NOW)  # the frame itself is fine
    assert r.seq == 5
    assert r.errors == [ProtocolError(ErrorCode.SEQUENCE_GAP, r.errors[0].message, 2)]
    assert stats.totals[ErrorCode.SEQUENCE_GAP] == 2
    assert decode(encode(Heartbeat(NOW), seq=6), d).errors == []


def test_sequence_that_does_not_advance_is_not_a_gap():
    d = Decoder()
    decode(encode(Heartbeat(NOW), seq=10), d)
    assert decode(encode(Heartbeat(NOW), seq=3), d).errors == []
    assert codes(decode(encode(Heartbeat(NOW), seq=5), d)) == {ErrorCode.SEQUENCE_GAP: 1}


def test_frames_without_seq_are_not_tracked():
    d = Decoder()
    decode(encode(Heartbeat(NOW), seq=1), d)
    assert decode(encode(Heartbeat(NOW)), d).errors == []
    assert decode(encode(Heartbeat(NOW), seq=2), d).errors == []


@pytest.mark.parametrize("seq", ["3", 3.0, True, [3]])
def test_seq_of_the_wrong_type(seq):
    r = decode(frame("heartbeat", server_time=NOW, seq=seq))
    assert r.message == Heartbeat(NOW)
    assert r.seq is None
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_new_connection_resets_seq_but_keeps_series_order():
    d = Decoder()
    decode(metrics([TRADE], [0], [T + 5000], [1], seq=40), d)
    d.new_connection()
    r = decode(metrics([TRADE], [0, 0], [T + 1000, T + 6000], [2, 3], seq=0), d)  # seq restarts: no gap
    assert codes(r) == {ErrorCode.OUT_OF_ORDER: 1}  # but the replayed old point is still refused
    assert r.message.points() == [(TRADE, T + 6000, 3.0)]
    assert codes(decode(encode(Heartbeat(NOW), seq=3), d)) == {ErrorCode.SEQUENCE_GAP: 2}


# -- bad items are dropped alone -----------------------------------------------------------
def test_bad_series_entry_drops_only_its_points():
    series = [
        {"name": "service_error_ratio", "labels": {"service": "trade"}},  # 0 ok
        {"name": "bad-name"},  # 1 invalid metric name
        {"name": "m", "labels": {"service": 7}},  # 2 label value not a string
        "service_error_ratio",  # 3 not an object
        {"name": "m", "labels": {"a": ["list"]}},  # 4 unhashable label value
        {"labels": {}},  # 5 no name
        {"name": "m", "labels": {"1x": "a"}},  # 6 invalid label name
        {"name": "service_error_ratio", "labels": {"service": "pay"}},  # 7 ok
    ]
    s = list(range(8))
    r = decode(metrics(series, s, [T] * 8, [float(i) for i in s]))
    assert r.message.points() == [(TRADE, T, 0.0), (PAY, T, 7.0)]
    assert codes(r) == {ErrorCode.BAD_FIELD: 6}
    assert sorted(e.message.split(":")[0] for e in r.errors) == [f"series[{i}]" for i in range(1, 7)]


@pytest.mark.parametrize("bad_s", [-1, 2, 1.0, "0", True, None])
def test_point_with_a_bad_series_index(bad_s):
    r = decode(metrics([TRADE, PAY], [0, bad_s], [T, T], [1, 2]))
    assert r.message.points() == [(TRADE, T, 1.0)]
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_nested_point_columns_do_not_crash():
    # A two-dimensional column must not be taken for a list of points.
    data = ('{"v":1,"type":"metrics","series":[{"name":"m"}],'
            f'"points":{{"s":[0,0],"t":[{T},{T + 1}],"v":[[NaN,NaN,NaN],[1,1,1]]}}}}')
    r = decode(data)
    assert r.message.points() == []
    assert codes(r) == {ErrorCode.BAD_FIELD: 2}
    r = decode(metrics([TRADE], [[0, 0], [0, 0]], [T, T + 1], [1, 2]))
    assert r.message.points() == [] and codes(r) == {ErrorCode.BAD_FIELD: 2}
    r = decode(metrics([TRADE], [0, 0], [[T, T], [T, T]], [1, 2]))
    assert r.message.points() == [] and codes(r) == {ErrorCode.BAD_FIELD: 2}


@pytest.mark.parametrize(
    "body",
    [
        {"series": [], "points": {"s": [0], "t": [T], "v": [1, 2]}},  # columns differ in length
        {"series": [], "points": {"s": [], "t": []}},  # missing column
        {"series": {}, "points": {"s": [], "t": [], "v": []}},
        {"defs": {}, "points": {"s": [], "t": [], "v": []}},  # defs must be a list
        {"series": [], "points": [[0, T, 1]]},
    ],
)
def test_unusable_metrics_frame(body):
    r = decode(frame("metrics", **body))
    assert r.message is None
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_good_event():
    e = {"id": "deploy-1", "ts": T, "kind": "deploy", "subject": "trade", "title": "trade 2.4.1",
         "severity": "info", "attrs": {"version": "2.4.1"}}
    r = decode(frame("events", events=[e]))
    assert r.errors == []
    assert r.message.events[0].attrs == {"version": "2.4.1"}


def test_bad_event_drops_only_that_event():
    good = {"id": "d1", "ts": T, "kind": "deploy", "subject": "trade", "title": "trade 2.4.1"}
    events = [
        good,
        {**good, "id": "d2", "ts": T // 1000},  # seconds
        {**good, "id": "d3", "ts": NOW + 3_600_000},  # far future
        {**good, "id": "d4", "kind": "explosion"},
        {k: v for k, v in good.items() if k != "id"},
        {**good, "id": "d6", "severity": "P9"},
        {**good, "id": "d7", "ts": T + 0.5},
        {**good, "id": "d8", "ts": True},
        {**good, "id": "d9", "attrs": ["not", "an", "object"]},
        "deploy",
        {**good, "id": "d11", "ts": T + 1, "severity": "P1"},
    ]
    stats = ErrorStats()
    r = decode(frame("events", events=events), Decoder(stats=stats))
    assert [e.id for e in r.message.events] == ["d1", "d11"]
    assert codes(r) == {ErrorCode.BAD_TIMESTAMP: 1, ErrorCode.FUTURE_TIMESTAMP: 1, ErrorCode.BAD_FIELD: 7}
    assert stats.total == 9
    assert all(e.message.startswith("events[") for e in r.errors)


def test_topology_edge_to_unknown_service_keeps_the_rest():
    body = {
        "ts": T,
        "services": [
            {"name": "app", "kind": "channel"},
            {"name": "trade"},
            {"name": "pay", "kind": "spaceship"},  # bad kind: dropped
            {"name": "bank", "capacity_rps": True},  # bool for a number: dropped
            {"name": "db", "capacity_rps": 1e400},  # not finite: dropped
            {"name": "big", "capacity_rps": 10**400},  # too large for a float: dropped
        ],
        "edges": [
            {"caller": "app", "callee": "trade", "calls": 1},
            {"caller": "trade", "callee": "ghost"},
            {"caller": "trade", "callee": "pay"},  # pay was dropped above
            {"caller": "app", "callee": "trade", "calls": -1},
            {"caller": "app", "callee": "trade", "calls": False},
        ],
        "scenarios": [
            {"id": "qr", "title": "QR", "entry": "app", "edges": [["app", "trade"]]},
            {"id": "bad", "entry": "app", "edges": [["trade", "ghost"]]},
            {"id": "bad2", "entry": "app", "edges": [["app"]]},
        ],
    }
    stats = ErrorStats()
    r = decode(frame("topology", **body), Decoder(stats=stats))
    t = r.message.topology
    assert [s.name for s in t.services] == ["app", "trade"]
    assert [e.key for e in t.edges] == [("app", "trade")]
    assert t.edge("app", "trade").calls == 1.0
    assert [sc.id for sc in t.scenarios] == ["qr"]
    c = codes(r)
    # services: 3 bad fields + 1 infinity; edges: 4; scenarios: 2.
    assert c == {ErrorCode.BAD_FIELD: 9, ErrorCode.NON_FINITE: 1}
    assert stats.total == 10
    assert any("ghost" in e.message for e in r.errors)


def test_topology_with_bad_ts_is_refused_whole():
    r = decode(frame("topology", ts=T // 1000, services=[], edges=[]))
    assert r.message is None and codes(r) == {ErrorCode.BAD_TIMESTAMP: 1}


def test_bad_plan_drops_only_that_plan():
    good = {"id": "rl", "kind": "rate_limit", "title": "RL", "target": {"kind": "service", "name": "trade"},
            "params": {"resource": "trade", "grade": 1, "count": 500}}
    plans = [good, {**good, "id": "x", "target": "trade"}, {**good, "id": "y", "target": {"kind": "moon", "name": "a"}},
             {"id": "z"}, {**good, "id": "g", "guard": {"series": "m", "op": "=", "threshold": 1, "within_s": 1}}]
    r = decode(frame("plan_catalogue", plans=plans, active=["rl"]))
    assert [p.id for p in r.message.plans] == ["rl"]
    assert r.message.active == ("rl",)
    assert codes(r) == {ErrorCode.BAD_FIELD: 4}


@pytest.mark.parametrize(
    "type_, body",
    [
        ("heartbeat", {"server_time": True}),
        ("heartbeat", {"server_time": "now"}),
        ("heartbeat", {"server_time": 1.5}),
        ("command_result", {"idempotency_key": "k" * 16, "state": "exploded"}),
        ("command_result", {"idempotency_key": "k" * 16}),
        ("error", {"message": "no code"}),
        ("subscribe", {"client_id": "c", "versions": [True]}),
        ("subscribe", {"client_id": "c", "versions": ["1"]}),
        ("subscribe", {"client_id": "c", "versions": [1], "streams": ["gossip"]}),
        ("subscribe", {"versions": [1]}),
        ("command", {"idempotency_key": "k" * 7, "action": "execute_plan"}),
        ("command", {"idempotency_key": "k" * 129, "action": "execute_plan"}),
        ("command", {"idempotency_key": "k" * 16, "action": "reboot"}),
        ("command", {"idempotency_key": "k" * 16, "action": "execute_plan", "args": []}),
        ("command", {"idempotency_key": 12345678, "action": "execute_plan"}),
    ],
)
def test_refused_messages(type_, body):
    r = decode(frame(type_, **body))
    assert r.message is None
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


@pytest.mark.parametrize("n", [8, 128])
def test_idempotency_key_length_limits(n):
    r = decode(frame("command", idempotency_key="k" * n, action="execute_plan", args={"plan_id": "rl"}))
    assert r.errors == [] and r.message.idempotency_key == "k" * n


def test_subscribe_defaults_to_every_stream():
    r = decode(frame("subscribe", client_id="console", versions=[1]))
    assert r.message.streams == ("topology", "metrics", "events", "plans")


# -- ErrorStats ------------------------------------------------------------------------------
def test_error_stats():
    stats = ErrorStats(keep_last=3)
    stats.add(ProtocolError(ErrorCode.NON_FINITE, "a", 5))
    stats.extend([ProtocolError(ErrorCode.SEQUENCE_GAP, "b", 2), ProtocolError(ErrorCode.NON_FINITE, "c")])
    stats.add(ProtocolError(ErrorCode.OVERSIZED, "d"))
    assert stats.total == 9
    assert stats.totals[ErrorCode.NON_FINITE] == 6
    assert [e.message for e in stats.last] == ["b", "c", "d"]
    assert stats.as_dict() == {"non_finite": 6, "oversized": 1, "sequence_gap": 2}


def test_decoder_counts_into_shared_stats():
    stats = ErrorStats()
    d = Decoder(stats=stats)
    decode(b"nope", d)
    decode(metrics([TRADE], [0, 0, 0], [T, T, 5], [1, None, 2]), d)
    assert stats.as_dict() == {"malformed_json": 1, "non_finite": 1, "bad_timestamp": 1}
