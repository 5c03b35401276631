"""Every message type survives encode -> Decoder().decode unchanged, with no errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.model import SeriesKey
from warroom.protocol import PROTOCOL_VERSION, Decoder, MetricBatch, encode
from warroom.protocol.messages import MESSAGE_TYPES

from .strategies import (
    NOW,
    any_message,
    command_results,
    commands,
    event_batches,
    heartbeats,
    hellos,
    metric_batches,
    plan_catalogues,
    server_errors,
    subscribes,
    topology_snapshots,
)

SETTINGS = settings(max_examples=40, deadline=None)


def round_trip(message, seq=None):
    frame = encode(message, seq=seq)
    assert isinstance(frame, bytes)
    result = Decoder().decode(frame, now_ms=NOW)
    assert result.errors == []
    assert result.seq == seq
    assert type(result.message) is type(message)
    return result.message


@SETTINGS
@given(metric_batches(), st.none() | st.integers(0, 2**40))
def test_metric_batch(batch, seq):
    back = round_trip(batch, seq)
    assert back == batch
    # The decoded batch carries exactly the series its points use, each once.
    used = {batch.series[i] for i in batch.index.tolist()}
    assert set(back.series) == used and len(back.series) == len(used)
    assert back.sent_at == batch.sent_at
    # Survivors keep the frame's order, and the arrays have the documented dtypes.
    assert back.points() == batch.points()
    assert back.index.dtype == np.int32 and back.ts.dtype == np.int64 and back.values.dtype == np.float64


@SETTINGS
@given(event_batches)
def test_events(msg):
    assert round_trip(msg) == msg


@SETTINGS
@given(topology_snapshots)
def test_topology(msg):
    back = round_trip(msg)
    assert back == msg
    assert [s.name for s in back.topology.services] == [s.name for s in msg.topology.services]
    assert back.topology.scenarios == msg.topology.scenarios


@SETTINGS
@given(st.one_of(commands, subscribes))
def test_client_messages(msg):
    assert round_trip(msg) == msg


@SETTINGS
@given(st.one_of(hellos, heartbeats, command_results, server_errors, plan_catalogues))
def test_other_server_messages(msg):
    assert round_trip(msg) == msg


@SETTINGS
@given(command_results)
def test_command_result_replay_flag(msg):
    # ``replay`` is left out of equality (a replay reports the same outcome), so check it here.
    assert round_trip(msg).replay is msg.replay


def test_optional_access_fields_are_left_out_when_unset_and_default_when_absent():
    from warroom.protocol import CommandResult, Hello

    hello = json.loads(encode(Hello("feed", NOW)))
    result = json.loads(encode(CommandResult("key-12345678", "succeeded")))
    assert not {"role", "user"} & set(hello) and not {"code", "replay"} & set(result)  # as an older peer wrote them
    back = round_trip(Hello("feed", NOW))
    assert (back.role, back.user) == ("", "")
    back = round_trip(CommandResult("key-12345678", "succeeded"))
    assert (back.code, back.replay) == ("", False)


@settings(max_examples=100, deadline=None)
@given(any_message, st.integers(0, 1000))
def test_envelope(msg, seq):
    obj = json.loads(encode(msg, seq=seq))
    assert obj["v"] == PROTOCOL_VERSION
    assert obj["type"] == msg.TYPE
    assert obj["seq"] == seq
    assert MESSAGE_TYPES[obj["type"]] is type(msg)
    assert "seq" not in json.loads(encode(msg))  # clients send none


def test_every_message_type_has_a_strategy():
    # If a message type is added to the protocol, this fails until it gets a round-trip strategy above.
    from warroom.protocol import (
        Command, CommandResult, Events, Heartbeat, Hello, PlanCatalogue, ServerError, Subscribe, TopologySnapshot,
    )

    covered = {Hello, TopologySnapshot, MetricBatch, Events, PlanCatalogue, Heartbeat, CommandResult, ServerError, Subscribe, Command}
    assert covered == set(MESSAGE_TYPES.values())


def test_encode_is_compact_utf8():
    batch = MetricBatch.from_points([(SeriesKey("m", {"city": "上海"}), NOW, 1.5)])
    frame = encode(batch, seq=3)
    assert "上海".encode() in frame  # not \\u-escaped
    assert b" " not in frame


def test_encode_refuses_non_finite_values():
    batch = MetricBatch.from_points([(SeriesKey("m"), NOW, float("nan"))])
    with pytest.raises(ValueError):
        encode(batch)


def test_metrics_frame_with_10000_points():
    keys = [SeriesKey("service_requests_rate", {"service": f"svc-{i}"}) for i in range(200)]
    points = [(keys[i % 200], NOW - 60_000 + (i // 200) * 1000, i * 0.25) for i in range(10_000)]
    batch = MetricBatch.from_points(points, sent_at=NOW)
    decoder = Decoder()
    result = decoder.decode(encode(batch, seq=1), now_ms=NOW)
    assert result.errors == []
    assert len(result.message) == 10_000
    assert result.message == batch
    assert result.message.points() == points
    assert decoder.last_ts(keys[0]) == NOW - 60_000 + 49 * 1000
