"""Whatever arrives, the decoder never raises: it gives a message, or errors, or both, and counts them."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder, ErrorCode, ErrorStats, MetricBatch, ProtocolError, encode
from warroom.protocol.messages import MESSAGE_TYPES
from warroom.protocol.parse import MIN_TS_MS

from .strategies import NOW, any_message, metric_batches

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: JSON values as a hostile sender might write them: NaN, Infinity, huge integers, deep nesting.
hostile_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(10**400), 10**400)
    | st.floats()  # includes NaN and +/-inf, which json.dumps writes as NaN / Infinity
    | st.text(max_size=12)
)
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)
types = st.sampled_from(sorted(MESSAGE_TYPES)) | st.text(max_size=10)
FIELD_NAMES = [
    "series", "points", "s", "t", "v", "sent_at", "ts", "services", "edges", "scenarios", "events", "plans",
    "active", "server_id", "server_time", "speed", "versions", "capabilities", "heartbeat_s", "idempotency_key",
    "state", "message", "detail", "code", "client_id", "streams", "action", "args", "actor", "reason", "seq",
]


def check(decoder: Decoder, data: bytes | str):
    """Decode and check the decoder's contract; return the result."""
    before = decoder.stats.total
    result = decoder.decode(data, now_ms=NOW)
    assert result.message is not None or result.errors, "a frame gave neither a message nor an error"
    for e in result.errors:
        assert isinstance(e, ProtocolError)
        assert isinstance(e.code, ErrorCode)
        assert isinstance(e.count, int) and e.count >= 1
    assert decoder.stats.total == before + sum(e.count for e in result.errors)
    if result.message is not None:
        assert type(result.message) in MESSAGE_TYPES.values()
    if isinstance(result.message, MetricBatch):
        check_batch(result.message)
    return result


def check_batch(batch: MetricBatch) -> None:
    """Whatever got through is clean: finite values, sane timestamps, valid series indices."""
    assert len(batch.index) == len(batch.ts) == len(batch.values)
    assert batch.ts.ndim == 1 and batch.values.ndim == 1
    if len(batch):
        assert np.isfinite(batch.values).all()
        assert batch.ts.min() >= MIN_TS_MS
        assert batch.ts.max() <= NOW + Decoder().future_tolerance_ms
        assert batch.index.min() >= 0 and batch.index.max() < len(batch.series)
        pairs = list(zip(batch.index.tolist(), batch.ts.tolist()))
        assert len(set((batch.series[i], t) for i, t in pairs)) == len(pairs), "duplicate point got through"


def dumps(obj) -> bytes:
    return json.dumps(obj, allow_nan=True).encode()


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes(data):
    check(Decoder(), data)


@SETTINGS
@given(st.text(max_size=200))
def test_random_text(data):
    check(Decoder(), data)


@SETTINGS
@given(hostile_values)
def test_random_json_values(value):
    r = check(Decoder(), dumps(value))
    if not isinstance(value, dict):
        assert r.message is None
        assert [e.code for e in r.errors] == [ErrorCode.MALFORMED_JSON]


@SETTINGS
@given(types, st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=6), hostile_values, max_size=8))
def test_random_dicts_with_version_and_type(type_, body):
    body = {**body, "v": 1, "type": type_}
    r = check(Decoder(), dumps(body))
    if type_ not in MESSAGE_TYPES:
        assert any(e.code is ErrorCode.UNKNOWN_TYPE for e in r.errors)


@SETTINGS
@given(any_message, st.data())
def test_truncated_valid_frames(message, data):
    frame = encode(message, seq=7)
    cut = data.draw(st.integers(0, len(frame) - 1))
    r = check(Decoder(), frame[:cut])
    assert r.message is None
    assert [e.code for e in r.errors] == [ErrorCode.MALFORMED_JSON]


def _paths(obj, prefix=()):
    """Every (path) into a JSON object, for replacing one value deep inside."""
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


def _replace(obj, path, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(obj, dict):
        return {**obj, head: _replace(obj[head], rest, value)}
    return [*obj[:head], _replace(obj[head], rest, value), *obj[head + 1 :]]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_message, st.data())
def test_valid_frames_with_one_value_of_the_wrong_type(message, data):
    obj = json.loads(encode(message, seq=1))
    paths = [p for p in _paths(obj) if p and p[0] not in ("v", "type")]
    if not paths:
        return
    path = data.draw(st.sampled_from(paths))
    mutated = _replace(obj, path, data.draw(hostile_values))
    check(Decoder(), dumps(mutated))


@SETTINGS
@given(any_message, st.sampled_from(["v", "type", "seq"]), hostile_values)
def test_envelope_fields_of_the_wrong_type(message, key, value):
    obj = json.loads(encode(message, seq=1))
    obj[key] = value
    check(Decoder(), dumps(obj))


@SETTINGS
@given(st.lists(st.one_of(metric_batches(), any_message), min_size=1, max_size=4), st.data())
def test_a_stream_of_frames_with_gaps_replays_and_corruption(messages, data):
    """One decoder over a whole connection: state across frames never breaks the contract."""
    stats = ErrorStats()
    decoder = Decoder(stats=stats)
    seq = 0
    for m in messages:
        seq += data.draw(st.integers(1, 3))  # sometimes skip frames
        frame = encode(m, seq=seq)
        if data.draw(st.booleans()):
            check(decoder, frame)
            check(decoder, frame)  # the same frame again: everything in it is a duplicate now
        else:
            check(decoder, frame[: data.draw(st.integers(0, len(frame)))])
        if data.draw(st.booleans()):
            decoder.new_connection()
    assert stats.total == sum(stats.totals.values())


def test_replayed_metrics_frame_is_refused_point_by_point():
    k = SeriesKey("scenario_tps", {"scenario": "qr"})
    batch = MetricBatch.from_points([(k, NOW - 2000, 10.0), (k, NOW - 1000, 12.5)])
    d = Decoder()
    assert check(d, encode(batch, seq=1)).errors == []
    r = check(d, encode(batch, seq=2))
    assert len(r.message) == 0
    # Only the newest timestamp per series is remembered: the replay of the newest point is a
    # duplicate, the replay of an older one is out of order.
    assert sorted((e.code.value, e.count) for e in r.errors) == [("duplicate_point", 1), ("out_of_order", 1)]


def test_nan_sanity():
    # json.dumps(allow_nan=True) writes the literals the decoder must survive.
    assert dumps([math.nan, math.inf, -math.inf]) == b"[NaN, Infinity, -Infinity]"
