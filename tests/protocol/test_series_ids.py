"""Connection-scoped series ids (``defs``), scalar ``points.t``, what a decoded batch carries,
the sending side (``SeriesTable``, ``Outgoing`` JSON, ``defs_message_frame``) and ``subscribe.encodings``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder, ErrorCode, MetricBatch, Subscribe, encode
from warroom.protocol.metrics import MAX_SERIES_ID, SeriesTable
from warroom.protocol.outgoing import Outgoing, defs_message_frame

from .strategies import NOW

T = NOW - 60_000
A = SeriesKey("service_error_ratio", {"service": "trade"})
B = SeriesKey("service_error_ratio", {"service": "pay"})
C = SeriesKey("scenario_tps", {"scenario": "qr-pay"})


def wire(key: SeriesKey, sid: int | None = None) -> dict:
    d = {"name": key.name, "labels": dict(key.labels)}
    return d if sid is None else {"id": sid, **d}


def metrics(s, t, v, *, defs=None, series=None, **extra) -> bytes:
    body = {"v": 1, "type": "metrics", "points": {"s": s, "t": t, "v": v}, **extra}
    if defs is not None:
        body["defs"] = defs
    if series is not None:
        body["series"] = series
    return json.dumps(body).encode()


def codes(result) -> dict[ErrorCode, int]:
    out: dict[ErrorCode, int] = {}
    for e in result.errors:
        out[e.code] = out.get(e.code, 0) + e.count
    return out


def decode(data, decoder: Decoder):
    return decoder.decode(data, now_ms=NOW)


# -- defs ----------------------------------------------------------------------------------
def test_ids_defined_in_an_earlier_frame_name_the_points_of_later_frames():
    d = Decoder()
    r = decode(metrics([], [], [], defs=[wire(A, 0), wire(B, 7)]), d)
    assert r.errors == [] and len(r.message) == 0 and r.message.series == ()
    r = decode(metrics([7, 0], [T, T], [2.0, 1.0]), d)
    assert r.errors == []
    assert r.message.points() == [(B, T, 2.0), (A, T, 1.0)]
    r = decode(metrics([0], [T + 1000], [3.0]), d)  # still defined two frames later
    assert r.errors == [] and r.message.points() == [(A, T + 1000, 3.0)]


def test_a_frame_may_use_ids_it_defines_itself_and_ids_defined_before():
    d = Decoder()
    decode(metrics([], [], [], defs=[wire(A, 0)]), d)
    r = decode(metrics([0, 1], [T, T], [1.0, 2.0], defs=[wire(B, 1)]), d)
    assert r.errors == []
    assert r.message.points() == [(A, T, 1.0), (B, T, 2.0)]


def test_redefinition_rebinds_the_id_and_order_is_kept_per_series_not_per_id():
    d = Decoder()
    decode(metrics([0], [T + 5000], [1.0], defs=[wire(A, 0)]), d)
    r = decode(metrics([0], [T], [2.0], defs=[wire(B, 0)]), d)  # older than A's point, but B is new
    assert r.errors == [] and r.message.points() == [(B, T, 2.0)]
    r = decode(metrics([0], [T + 1000], [3.0], defs=[wire(A, 0)]), d)  # back to A: A's memory counts
    assert codes(r) == {ErrorCode.OUT_OF_ORDER: 1}
    assert d.last_ts(A) == T + 5000 and d.last_ts(B) == T


def test_a_refused_redefinition_unbinds_the_id_rather_than_misattributing_points():
    d = Decoder()
    decode(metrics([0], [T], [1.0], defs=[wire(A, 0)]), d)
    r = decode(metrics([0], [T + 1000], [2.0], defs=[{"id": 0, "name": "bad-name"}]), d)
    assert r.message.points() == []  # not attributed to A
    assert codes(r) == {ErrorCode.BAD_FIELD: 2}  # the definition, and the point of the unbound id
    assert d.last_ts(A) == T


def test_one_series_under_two_ids_is_one_series():
    d = Decoder()
    r = decode(metrics([0, 1], [T, T], [1.0, 2.0], defs=[wire(A, 0), wire(A, 1)]), d)
    assert codes(r) == {ErrorCode.DUPLICATE_POINT: 1}
    assert len(r.message) == 1 and r.message.series == (A,)


def test_ids_die_with_the_connection_but_series_order_survives():
    d = Decoder()
    decode(metrics([0, 1], [T + 5000, T], [1.0, 2.0], defs=[wire(A, 0), wire(B, 1)]), d)
    d.new_connection()
    r = decode(metrics([0, 1], [T + 6000, T + 1000], [3.0, 4.0]), d)
    assert r.message.points() == []
    assert codes(r) == {ErrorCode.BAD_FIELD: 2}
    # Defined again on the new connection (under another id): usable, and A's old newest point still counts.
    r = decode(metrics([0, 5, 5], [T + 7000, T + 1000, T + 9000], [5.0, 6.0, 7.0], defs=[wire(A, 5)]), d)
    assert codes(r) == {ErrorCode.BAD_FIELD: 1, ErrorCode.OUT_OF_ORDER: 1}
    assert r.message.points() == [(A, T + 9000, 7.0)]


@pytest.mark.parametrize("bad_s", [-1, 3, 63, 64, 1000, MAX_SERIES_ID - 1, MAX_SERIES_ID, 2**40, 1.0, "0", True, None])
def test_undefined_negative_or_malformed_ids_drop_only_their_points(bad_s):
    d = Decoder()
    r = decode(metrics([0, bad_s, 1], [T, T, T], [1.0, 2.0, 3.0], defs=[wire(A, 0), wire(B, 1)]), d)
    assert r.message.points() == [(A, T, 1.0), (B, T, 3.0)]
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


@pytest.mark.parametrize(
    "bad_def",
    [
        "not an object",
        ["id", 2],
        {"name": "m"},  # no id
        {"id": None, "name": "m"},
        {"id": True, "name": "m"},
        {"id": 2.0, "name": "m"},
        {"id": "2", "name": "m"},
        {"id": -1, "name": "m"},
        {"id": MAX_SERIES_ID, "name": "m"},
        {"id": 2**70, "name": "m"},
        {"id": 2},  # no name
        {"id": 2, "name": "bad-name"},
        {"id": 2, "name": "m", "labels": ["x"]},
        {"id": 2, "name": "m", "labels": {"service": 7}},
        {"id": 2, "name": "m", "labels": {"a": ["unhashable"]}},
        {"id": 2, "name": "m", "labels": {"1x": "a"}},
    ],
)
def test_a_bad_definition_is_refused_alone(bad_def):
    d = Decoder()
    r = decode(metrics([0, 1], [T, T], [1.0, 2.0], defs=[wire(A, 0), bad_def, wire(B, 1)]), d)
    assert r.message.points() == [(A, T, 1.0), (B, T, 2.0)]
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}
    assert r.errors[0].message.startswith("defs[1]")


def test_the_largest_id_is_accepted():
    d = Decoder()
    r = decode(metrics([MAX_SERIES_ID - 1], [T], [1.0], defs=[wire(A, MAX_SERIES_ID - 1)]), d)
    assert r.errors == [] and r.message.points() == [(A, T, 1.0)]


def test_series_wins_over_defs_and_defs_are_then_ignored():
    d = Decoder()
    r = decode(metrics([0], [T], [1.0], series=[wire(A)], defs=[wire(B, 0)]), d)
    assert r.errors == [] and r.message.points() == [(A, T, 1.0)]
    r = decode(metrics([0], [T + 1000], [2.0]), d)  # id 0 was not defined
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_series_null_means_absent_so_the_frame_uses_ids():
    d = Decoder()
    r = decode(metrics([0], [T], [1.0], series=None, defs=[wire(A, 0)]), d)
    data = json.loads(metrics([0], [T + 1000], [2.0]))
    data["series"] = None
    assert r.errors == []
    r = decode(json.dumps(data), d)
    assert r.errors == [] and r.message.points() == [(A, T + 1000, 2.0)]


def test_a_frame_dropped_whole_defines_nothing():
    d = Decoder()
    r = decode(metrics([0], [T], [1.0, 2.0], defs=[wire(A, 0)]), d)  # columns differ in length
    assert r.message is None and codes(r) == {ErrorCode.BAD_FIELD: 1}
    r = decode(metrics([0], [T], [1.0]), d)
    assert r.message.points() == [] and codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_frame_local_series_do_not_define_ids():
    d = Decoder()
    decode(metrics([0], [T], [1.0], series=[wire(A)]), d)
    r = decode(metrics([0], [T + 1000], [2.0]), d)
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}


# -- scalar t --------------------------------------------------------------------------------
def test_one_timestamp_for_every_point_of_the_frame():
    d = Decoder()
    r = decode(metrics([0, 1, 2], T, [1.0, 2.0, 3.0], defs=[wire(A, 0), wire(B, 1), wire(C, 2)]), d)
    assert r.errors == []
    assert r.message.points() == [(A, T, 1.0), (B, T, 2.0), (C, T, 3.0)]
    r = decode(metrics([0], T, [1.0], series=[wire(A)]), Decoder())  # frame-local too
    assert r.errors == [] and r.message.points() == [(A, T, 1.0)]
    r = decode(metrics([], T, []), Decoder())
    assert r.errors == [] and len(r.message) == 0


def test_scalar_t_is_checked_for_every_point():
    d = Decoder()
    defs = [wire(A, 0), wire(B, 1)]
    assert codes(decode(metrics([0, 1], 1_767_225_600, [1.0, 2.0], defs=defs), d)) == {ErrorCode.BAD_TIMESTAMP: 2}
    r = decode(metrics([0, 1, 1], T, [1.0, 2.0, 3.0]), d)  # B twice at the one timestamp
    assert codes(r) == {ErrorCode.DUPLICATE_POINT: 1} and len(r.message) == 2
    r = decode(metrics([0, 1], NOW + 10**9, [1.0, 2.0]), d)
    assert codes(r) == {ErrorCode.FUTURE_TIMESTAMP: 2}
    r = decode(metrics([0, 1], 2**64, [1.0, 2.0]), d)
    assert r.message.points() == [] and codes(r) == {ErrorCode.BAD_FIELD: 2}


@pytest.mark.parametrize("bad_t", [float(T), 1.7e12, True, str(T), None, {"t": T}])
def test_a_scalar_t_that_is_not_an_integer_drops_the_frame(bad_t):
    r = decode(metrics([0], bad_t, [1.0], series=[wire(A)]), Decoder())
    assert r.message is None and codes(r) == {ErrorCode.BAD_FIELD: 1}


# -- what a decoded batch carries -------------------------------------------------------------
def test_a_decoded_batch_carries_exactly_the_series_its_points_use():
    d = Decoder()
    series = [wire(A), {"name": "bad-name"}, wire(B), wire(C), wire(SeriesKey("unused"))]
    # A used twice, B's only point is refused, C used, "unused" has no point, series[1] refused.
    r = decode(metrics([3, 0, 1, 2, 0], [T, T, T, T, T + 1], [1.0, 2.0, 3.0, math.inf, 4.0], series=series), d)
    assert set(r.message.series) == {A, C} and len(r.message.series) == 2
    assert r.message.points() == [(C, T, 1.0), (A, T, 2.0), (A, T + 1, 4.0)]
    assert codes(r) == {ErrorCode.BAD_FIELD: 1, ErrorCode.NON_FINITE: 1}
    # With ids: many defined, two used.
    d = Decoder()
    defs = [wire(SeriesKey("m", {"i": str(i)}), i) for i in range(50)]
    r = decode(metrics([42, 7, 42], [T, T, T + 1], [1.0, 2.0, 3.0], defs=defs), d)
    assert set(r.message.series) == {SeriesKey("m", {"i": "42"}), SeriesKey("m", {"i": "7"})}
    assert len(r.message.series) == 2


# -- sending side ----------------------------------------------------------------------------
def test_series_table_gives_stable_ids_and_each_definition_once():
    table = SeriesTable()
    ids, defs = table.ids((A, B))
    assert ids.tolist() == [0, 1] and [d["id"] for d in defs] == [0, 1]
    assert defs == [{"id": 0, "name": A.name, "labels": dict(A.labels)}, {"id": 1, "name": B.name, "labels": dict(B.labels)}]
    ids, defs = table.ids((C, B, A))  # a new tuple: only C is new
    assert ids.tolist() == [2, 1, 0] and defs == [{"id": 2, "name": C.name, "labels": dict(C.labels)}]
    same = (B, C)
    assert table.ids(same)[1] == [] and table.ids(same)[0].tolist() == [1, 2]  # cached tuple
    ids, defs = table.ids((SeriesKey(A.name, dict(A.labels)),))  # an equal key, another object
    assert ids.tolist() == [0] and defs == []
    assert len(table) == 3
    assert table.all_defs() == [
        {"id": 0, "name": A.name, "labels": dict(A.labels)},
        {"id": 1, "name": B.name, "labels": dict(B.labels)},
        {"id": 2, "name": C.name, "labels": dict(C.labels)},
    ]


def test_defs_ride_along_only_in_the_first_batch_that_uses_a_series():
    table = SeriesTable()
    first = json.loads(Outgoing(MetricBatch.from_points([(A, T, 1.0)]), table).frame("json", 1))
    second = json.loads(Outgoing(MetricBatch.from_points([(A, T + 1, 1.0), (B, T + 1, 2.0)]), table).frame("json", 2))
    third = json.loads(Outgoing(MetricBatch.from_points([(B, T + 2, 2.0), (A, T + 2, 1.0)]), table).frame("json", 3))
    assert first["defs"] == [wire(A, 0)]
    assert second["defs"] == [wire(B, 1)]
    assert "defs" not in third and "series" not in third
    assert third["points"] == {"s": [1, 0], "t": T + 2, "v": [2.0, 1.0]}
    d = Decoder()
    for frame in (first, second, third):
        r = decode(json.dumps(frame), d)
        assert r.errors == []
    assert r.message.points() == [(B, T + 2, 2.0), (A, T + 2, 1.0)]


def test_outgoing_writes_t_once_only_when_every_point_shares_it():
    table = SeriesTable()
    same = json.loads(Outgoing(MetricBatch.from_points([(A, T, 1.0), (B, T, 2.0)]), table).frame("json", 1))
    mixed = json.loads(Outgoing(MetricBatch.from_points([(A, T, 1.0), (B, T + 1, 2.0)]), table).frame("json", 2))
    empty = json.loads(Outgoing(MetricBatch.from_points([]), table).frame("json", 3))
    assert same["points"]["t"] == T
    assert mixed["points"]["t"] == [T, T + 1]
    assert empty["points"] == {"s": [], "t": [], "v": []}


def test_non_finite_values_are_sent_as_null_and_received_as_non_finite():
    table = SeriesTable()
    batch = MetricBatch.from_points([(A, T, 1.0), (B, T, math.nan), (C, T, math.inf), (A, T + 1, -math.inf), (B, T + 1, 5.0)])
    frame = Outgoing(batch, table).frame("json", 1)
    assert b"NaN" not in frame and b"Infinity" not in frame
    assert json.loads(frame)["points"]["v"] == [1.0, None, None, None, 5.0]
    r = decode(frame, Decoder())
    assert codes(r) == {ErrorCode.NON_FINITE: 3}
    assert r.message.points() == [(A, T, 1.0), (B, T + 1, 5.0)]


def test_outgoing_frames_other_messages_as_json_with_the_connection_seq():
    from warroom.protocol import Heartbeat

    out = Outgoing(Heartbeat(NOW), SeriesTable())
    assert not out.is_metrics
    assert out.frame("binary", 9) == out.frame("json", 9)
    assert json.loads(out.frame("json", 9)) == json.loads(encode(Heartbeat(NOW), seq=9))
    assert json.loads(out.frame("binary", 10))["seq"] == 10


def test_defs_message_frame_lists_every_series_and_no_points():
    table = SeriesTable()
    assert defs_message_frame(table, "json", 1) is None  # nothing to define yet
    Outgoing(MetricBatch.from_points([(A, T, 1.0), (B, T, 2.0)]), table)
    Outgoing(MetricBatch.from_points([(C, T, 1.0), (A, T + 1, 2.0)]), table)
    frame = defs_message_frame(table, "binary", 4)
    body = json.loads(frame)  # JSON text, whatever the client's encoding
    assert body == {"v": 1, "seq": 4, "type": "metrics", "defs": [wire(A, 0), wire(B, 1), wire(C, 2)],
                    "points": {"s": [], "t": [], "v": []}}
    d = Decoder()
    r = decode(frame, d)
    assert r.errors == [] and r.seq == 4 and len(r.message) == 0 and r.message.series == ()
    # A later batch that only uses ids decodes on that connection.
    later = Outgoing(MetricBatch.from_points([(C, T + 5, 3.0), (B, T + 5, 4.0)]), table).frame("json", 5)
    r = decode(later, d)
    assert r.errors == [] and r.message.points() == [(C, T + 5, 3.0), (B, T + 5, 4.0)]


# -- subscribe.encodings ----------------------------------------------------------------------
def subscribe(**extra) -> bytes:
    return json.dumps({"v": 1, "type": "subscribe", "client_id": "c", "versions": [1], **extra}).encode()


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, ("json",)),
        ({"encodings": None}, ("json",)),
        ({"encodings": []}, ("json",)),
        ({"encodings": ["binary"]}, ("binary",)),
        ({"encodings": ["binary", "json"]}, ("binary", "json")),
        ({"encodings": ["json", "binary"]}, ("json", "binary")),
        ({"encodings": ["cbor", "binary", "zstd", "json"]}, ("binary", "json")),
        ({"encodings": ["cbor", 7, None, {"x": 1}, ["binary"]]}, ("json",)),
        ({"encodings": ["BINARY"]}, ("json",)),
    ],
)
def test_subscribe_encodings(extra, expected):
    r = decode(subscribe(**extra), Decoder())
    assert r.errors == []
    assert isinstance(r.message, Subscribe) and r.message.encodings == expected


@pytest.mark.parametrize("bad", ["binary", 1, {"binary": True}, True])
def test_subscribe_encodings_that_are_not_a_list_make_it_invalid(bad):
    r = decode(subscribe(encodings=bad), Decoder())
    assert r.message is None and codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_subscribe_encodings_round_trip():
    sub = Subscribe("console", (1,), ("metrics",), ("binary", "json"))
    assert json.loads(encode(sub))["encodings"] == ["binary", "json"]
    assert decode(encode(sub), Decoder()).message == sub
    assert Subscribe("c").encodings == ("json",)


def test_decoded_columns_have_the_documented_dtypes():
    r = decode(metrics([0, 1], T, [1, 2.5], defs=[wire(A, 0), wire(B, 1)]), Decoder())
    b = r.message
    assert b.index.dtype == np.int32 and b.ts.dtype == np.int64 and b.values.dtype == np.float64
