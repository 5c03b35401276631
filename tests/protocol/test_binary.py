"""Binary (WRB1) metrics frames: same points as JSON, and garbage never raises."""

from __future__ import annotations

import json
import math
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder, ErrorCode, Heartbeat, MetricBatch, encode
from warroom.protocol.binary import MAGIC, BinaryFrameError, is_binary_frame, pack_frame, pack_points, unpack_frame
from warroom.protocol.metrics import SeriesTable
from warroom.protocol.outgoing import Outgoing, defs_message_frame

from .strategies import NOW, metric_batches
from .test_garbage import check

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

T = NOW - 60_000
A = SeriesKey("service_error_ratio", {"service": "trade"})
B = SeriesKey("service_error_ratio", {"service": "pay"})


def codes(result) -> dict[ErrorCode, int]:
    out: dict[ErrorCode, int] = {}
    for e in result.errors:
        out[e.code] = out.get(e.code, 0) + e.count
    return out


def summary(result) -> list[tuple[str, int]]:
    return sorted((e.code.value, e.count) for e in result.errors)


def raw(header: dict, s, t, v) -> bytes:
    """A binary frame from a header (``n`` added) and three columns."""
    return pack_frame(header, pack_points(np.asarray(s), np.asarray(t), np.asarray(v)))


def handmade(header_bytes: bytes, columns: bytes = b"") -> bytes:
    return MAGIC + struct.pack("<I", len(header_bytes)) + header_bytes + columns


DEFS = [{"id": 0, "name": A.name, "labels": dict(A.labels)}, {"id": 1, "name": B.name, "labels": dict(B.labels)}]
HEAD = {"v": 1, "type": "metrics"}


@st.composite
def batches_maybe_non_finite(draw) -> MetricBatch:
    batch = draw(metric_batches())
    values = batch.values.copy()
    for i in draw(st.lists(st.integers(0, max(len(values) - 1, 0)), max_size=3)) if len(values) else []:
        values[i] = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    return MetricBatch(batch.series, batch.index, batch.ts, values, batch.sent_at)


# -- round trip --------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(batches_maybe_non_finite(), min_size=1, max_size=4), st.integers(1, 2**40))
def test_binary_and_json_frames_decode_to_the_same_points(batches, first_seq):
    """A stream of batches through one SeriesTable, framed both ways: the two decoders agree point
    for point and error for error (non-finite values: null in JSON, NaN/inf in binary)."""
    table = SeriesTable()
    json_decoder, binary_decoder = Decoder(), Decoder()
    for k, batch in enumerate(batches):
        seq = first_seq + k
        out = Outgoing(batch, table)
        as_json, as_binary = out.frame("json", seq), out.frame("binary", seq)
        assert is_binary_frame(as_binary) and not is_binary_frame(as_json)
        rj, rb = check(json_decoder, as_json), check(binary_decoder, as_binary)
        assert rj.seq == rb.seq == seq
        assert rj.message.points() == rb.message.points()
        assert rj.message.series == rb.message.series
        assert rb.message.sent_at == rj.message.sent_at == batch.sent_at
        assert summary(rj) == summary(rb)
        # Same envelope: the binary header is the JSON frame without points, plus n.
        header = unpack_frame(as_binary)[0]
        body = json.loads(as_json)
        assert header.pop("n") == len(body.pop("points")["s"]) == len(batch)
        assert header == body
        if k == 0:  # a fresh connection: everything that is finite gets through, in frame order
            finite = [p for p in batch.points() if math.isfinite(p[2])]
            assert rb.message.points() == finite
            assert summary(rb) == ([("non_finite", len(batch) - len(finite))] if len(finite) < len(batch) else [])


@SETTINGS
@given(metric_batches(), st.integers(0, 2**31))
def test_binary_round_trip_of_one_batch(batch, seq):
    frame = Outgoing(batch, SeriesTable()).frame("binary", seq)
    header, s, t, v = unpack_frame(frame)
    assert len(frame) == 8 + struct.unpack_from("<I", frame, 4)[0] + 20 * len(batch)
    assert header["n"] == len(batch) and header["seq"] == seq and header["v"] == 1
    assert t.tolist() == batch.ts.tolist() and v.tolist() == batch.values.tolist()
    r = Decoder().decode(frame, now_ms=NOW)
    assert r.errors == []
    assert r.message == batch and r.message.points() == batch.points()
    used = {batch.series[i] for i in batch.index.tolist()}
    assert set(r.message.series) == used and len(r.message.series) == len(used)
    assert r.message.index.dtype == np.int32 and r.message.ts.dtype == np.int64 and r.message.values.dtype == np.float64


def test_a_late_joiner_learns_the_series_from_the_defs_frame_then_reads_binary():
    table = SeriesTable()
    Outgoing(MetricBatch.from_points([(A, T, 1.0), (B, T, 2.0)]), table)  # broadcast before it joined
    d = Decoder()
    assert check(d, defs_message_frame(table, "binary", 1)).errors == []
    r = check(d, Outgoing(MetricBatch.from_points([(B, T + 1, 3.0), (A, T + 1, 4.0)]), table).frame("binary", 2))
    assert r.errors == [] and r.message.points() == [(B, T + 1, 3.0), (A, T + 1, 4.0)]
    # Without the defs frame (e.g. after a reconnect), the ids are unknown.
    d.new_connection()
    r = check(d, Outgoing(MetricBatch.from_points([(B, T + 2, 3.0)]), table).frame("binary", 1))
    assert r.message.points() == [] and codes(r) == {ErrorCode.BAD_FIELD: 1}


def test_seq_is_tracked_across_json_and_binary_frames():
    d = Decoder()
    check(d, raw({**HEAD, "seq": 1, "defs": DEFS}, [0], [T], [1.0]))
    check(d, encode(Heartbeat(NOW), seq=2))
    r = check(d, raw({**HEAD, "seq": 5}, [1], [T], [2.0]))
    assert codes(r) == {ErrorCode.SEQUENCE_GAP: 2} and r.message.points() == [(B, T, 2.0)]


def test_frame_local_series_in_a_binary_header():
    r = check(Decoder(), raw({**HEAD, "series": [{"name": B.name, "labels": dict(B.labels)}]}, [0, 0], [T, T + 1], [1.0, 2.0]))
    assert r.errors == [] and r.message.points() == [(B, T, 1.0), (B, T + 1, 2.0)]


# -- bad points in a good frame ----------------------------------------------------------------
def test_non_finite_values_in_binary_are_counted_and_the_good_points_kept():
    r = check(Decoder(), raw({**HEAD, "defs": DEFS}, [0, 1, 0, 1], [T, T, T + 1, T + 1], [1.0, math.nan, math.inf, -math.inf]))
    assert codes(r) == {ErrorCode.NON_FINITE: 3}
    assert r.message.points() == [(A, T, 1.0)]


@pytest.mark.parametrize("bad_id", [-1, -(2**31), 2, 63, 64, 2**20, 2**31 - 1])
def test_negative_or_undefined_ids_in_binary_drop_only_their_points(bad_id):
    r = check(Decoder(), raw({**HEAD, "defs": DEFS}, [0, bad_id, 1], [T, T, T], [1.0, 2.0, 3.0]))
    assert codes(r) == {ErrorCode.BAD_FIELD: 1}
    assert r.message.points() == [(A, T, 1.0), (B, T, 3.0)]


def test_binary_timestamps_are_checked_like_json_ones():
    d = Decoder()
    r = check(d, raw({**HEAD, "defs": DEFS}, [0, 0, 0, 1, 1], [T, T, 1_767_225_600, NOW + 10**9, -(2**63)], [1.0] * 5))
    assert codes(r) == {ErrorCode.DUPLICATE_POINT: 1, ErrorCode.BAD_TIMESTAMP: 1, ErrorCode.FUTURE_TIMESTAMP: 1, ErrorCode.BAD_FIELD: 1}
    assert r.message.points() == [(A, T, 1.0)]
    r = check(d, raw({**HEAD}, [0], [T - 1], [1.0]))
    assert codes(r) == {ErrorCode.OUT_OF_ORDER: 1}


def test_bad_defs_in_a_binary_header():
    r = check(Decoder(), raw({**HEAD, "defs": [DEFS[0], {"id": -3, "name": "x"}, "junk"]}, [0], [T], [1.0]))
    assert codes(r) == {ErrorCode.BAD_FIELD: 2} and r.message.points() == [(A, T, 1.0)]
    r = check(Decoder(), raw({**HEAD, "defs": {"0": "x"}}, [0], [T], [1.0]))
    assert r.message is None and codes(r) == {ErrorCode.BAD_FIELD: 1}
    r = check(Decoder(), raw({**HEAD, "series": "x"}, [0], [T], [1.0]))
    assert r.message is None and codes(r) == {ErrorCode.BAD_FIELD: 1}


# -- bad frames --------------------------------------------------------------------------------
GOOD = raw({**HEAD, "seq": 3, "defs": DEFS}, [0, 1], [T, T], [1.0, 2.0])


@pytest.mark.parametrize(
    "frame",
    [
        MAGIC,  # no header length
        MAGIC + b"\x05\x00",  # half a header length
        MAGIC + struct.pack("<I", 0),  # empty header
        handmade(b"{}")[:-1],  # header length past the end
        MAGIC + struct.pack("<I", 2**32 - 1) + b"{}",
        handmade(b'{"v":1,"type":"metrics","n":'),  # header not JSON
        handmade(b'\xff\xfe{"n":0}'),  # not UTF-8
        handmade(b"[1,2]"),  # header not an object
        handmade(b"null"),
        handmade(b'{"v":1,"type":"metrics"}'),  # no n
        handmade(b'{"v":1,"type":"metrics","n":-1}'),
        handmade(b'{"v":1,"type":"metrics","n":1.0}', bytes(20)),
        handmade(b'{"v":1,"type":"metrics","n":true}', bytes(20)),
        handmade(b'{"v":1,"type":"metrics","n":"1"}', bytes(20)),
        handmade(b'{"v":1,"type":"metrics","n":2}', bytes(20)),  # n does not match the byte count
        handmade(b'{"v":1,"type":"metrics","n":1}', bytes(21)),
        handmade(b'{"v":1,"type":"metrics","n":0}', bytes(1)),
        handmade(b'{"v":1,"type":"metrics","n":' + str(2**62).encode() + b"}", bytes(40)),
        GOOD[:-1],
        GOOD + b"\x00",
    ],
)
def test_malformed_binary_frames(frame):
    r = check(Decoder(), frame)
    assert r.message is None
    assert codes(r) == {ErrorCode.MALFORMED_JSON: 1}


@pytest.mark.parametrize(
    "header, code",
    [
        ({"type": "metrics"}, ErrorCode.BAD_VERSION),
        ({"v": 2, "type": "metrics"}, ErrorCode.BAD_VERSION),
        ({"v": "1", "type": "metrics"}, ErrorCode.BAD_VERSION),
        ({"v": True, "type": "metrics"}, ErrorCode.BAD_VERSION),
        ({"v": 1}, ErrorCode.UNKNOWN_TYPE),
        ({"v": 1, "type": "heartbeat", "server_time": NOW}, ErrorCode.UNKNOWN_TYPE),
        ({"v": 1, "type": "hello"}, ErrorCode.UNKNOWN_TYPE),
        ({"v": 1, "type": 7}, ErrorCode.UNKNOWN_TYPE),
    ],
)
def test_binary_header_with_a_bad_envelope(header, code):
    r = check(Decoder(), raw({**header, "defs": DEFS}, [0], [T], [1.0]))
    assert r.message is None
    assert codes(r) == {code: 1}


def test_oversized_binary_frame_is_dropped_unread():
    r = check(Decoder(max_frame_bytes=len(GOOD) - 1), GOOD)
    assert r.message is None and codes(r) == {ErrorCode.OVERSIZED: 1}


def test_text_that_looks_like_the_magic_is_not_binary():
    assert not is_binary_frame("WRB1" + "x" * 10)
    r = check(Decoder(), "WRB1" + "x" * 10)
    assert codes(r) == {ErrorCode.MALFORMED_JSON: 1}


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_after_the_magic(tail):
    r = check(Decoder(), MAGIC + tail)
    assert r.errors
    assert r.message is None


@SETTINGS
@given(st.binary(max_size=120), st.binary(max_size=200))
def test_random_header_and_columns_with_a_consistent_length_field(head, columns):
    r = check(Decoder(), handmade(head, columns))
    assert r.errors and r.message is None


@SETTINGS
@given(st.dictionaries(st.sampled_from(["v", "type", "seq", "n", "defs", "series", "sent_at", "points"]),
                       st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8)
                       | st.lists(st.integers(-3, 3) | st.text(max_size=3), max_size=3), max_size=8),
       st.binary(max_size=100))
def test_random_headers(header, columns):
    check(Decoder(), handmade(json.dumps(header).encode(), columns))


@SETTINGS
@given(metric_batches(), st.data())
def test_truncated_binary_frames(batch, data):
    frame = Outgoing(batch, SeriesTable()).frame("binary", 1)
    cut = data.draw(st.integers(0, len(frame) - 1))
    r = check(Decoder(), frame[:cut])
    assert r.message is None
    assert codes(r) == {ErrorCode.MALFORMED_JSON: 1}


@SETTINGS
@given(metric_batches(), st.data())
def test_corrupted_binary_frames_never_raise(batch, data):
    frame = bytearray(Outgoing(batch, SeriesTable()).frame("binary", 1))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(4, len(frame) - 1))
        frame[i] = data.draw(st.integers(0, 255))
    check(Decoder(), bytes(frame))


def test_unpack_frame_rejects_bad_frames_with_its_own_error():
    with pytest.raises(BinaryFrameError):
        unpack_frame(b"XXXX" + bytes(4))
    with pytest.raises(BinaryFrameError):
        unpack_frame(GOOD[:-8])
    header, s, t, v = unpack_frame(GOOD)
    assert header == {**HEAD, "seq": 3, "defs": DEFS, "n": 2}
    assert s.dtype == np.dtype("<i4") and t.dtype == np.dtype("<i8") and v.dtype == np.dtype("<f8")
