"""The feed's clock as the decoder sees it: bounds on hello/heartbeat times and speed, clock
resets that forget the per-series memory, and points ahead of the clock that silence nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from warroom.core.clock import MAX_AHEAD_OF_WALL_MS, MAX_TIME_MS
from warroom.core.model import SeriesKey
from warroom.protocol import (
    Decoder,
    ErrorStats,
    Heartbeat,
    Hello,
    MetricBatch,
    encode,
)
from warroom.protocol.codec import CLOCK_RESET_SLACK_MS, MAX_HEARTBEAT_S
from warroom.protocol.metrics import MAX_AHEAD_POINTS

from .strategies import NOW

WALL = NOW  # this machine's wall clock, as the tests fake it
K = SeriesKey("scenario_tps", {"scenario": "qr-pay"})
K2 = SeriesKey("scenario_tps", {"scenario": "card"})
MIN = 60_000


def decoder(**kw) -> Decoder:
    return Decoder(wall_clock=lambda: WALL, **kw)


def hello(server_time=NOW, server_id="sim", speed=1.0, **kw) -> bytes:
    return json.dumps({"v": 1, "type": "hello", "server_id": server_id, "server_time": server_time,
                       "versions": [1], "speed": speed, **kw}).encode()


def heartbeat(server_time) -> bytes:
    return json.dumps({"v": 1, "type": "heartbeat", "server_time": server_time}).encode()


def points(*pts, key=K) -> bytes:
    return encode(MetricBatch.from_points([(key, t, 1.0) for t in pts]))


def codes(result) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in result.errors:
        out[e.code.value] = out.get(e.code.value, 0) + e.count
    return out


# -- bounds ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {"speed": 1e308},  # the hostile feed's: OverflowError in the feed clock
        {"speed": 0.0001},
        {"speed": 10_001},
        {"server_time": 98_941_999_200_000},  # year 5138
        {"server_time": NOW * 1000},  # microseconds
        {"server_time": 2**62},  # beyond DuckDB's TIMESTAMP
        {"server_time": NOW + MAX_AHEAD_OF_WALL_MS + 1},
        {"server_time": 946_684_799_999},  # before 2000
        {"heartbeat_s": MAX_HEARTBEAT_S + 1},
    ],
)
def test_a_hello_with_an_insane_clock_is_refused_as_bad_clock(body):
    stats = ErrorStats()
    r = decoder(stats=stats).decode(hello(**body), now_ms=NOW)
    assert r.message is None and codes(r) == {"bad_clock": 1}
    assert r.errors[0].message.startswith("hello: ")
    assert stats.as_dict() == {"bad_clock": 1}


def test_a_hello_at_the_edges_of_the_bounds_is_accepted():
    for body in ({"speed": 0.001}, {"speed": 10_000}, {"server_time": NOW + MAX_AHEAD_OF_WALL_MS},
                 {"server_time": 946_684_800_000}, {"heartbeat_s": MAX_HEARTBEAT_S}):
        r = decoder().decode(hello(**body), now_ms=NOW)
        assert r.errors == [] and isinstance(r.message, Hello), body


def test_the_bound_follows_this_machines_wall_clock():
    later = Decoder(wall_clock=lambda: NOW + 50 * 365 * 86_400_000)
    assert later.decode(hello(server_time=NOW + MAX_AHEAD_OF_WALL_MS + 1), now_ms=NOW).errors == []


def test_an_insane_heartbeat_is_dropped_and_counted():
    d = decoder()
    assert d.decode(heartbeat(NOW), now_ms=NOW).message == Heartbeat(NOW)
    for t in (98_941_999_200_000, 2**62, 1):
        r = d.decode(heartbeat(t), now_ms=NOW)
        assert r.message is None and codes(r) == {"bad_clock": 1}  # so the client does not re-anchor
    assert d.stats.as_dict() == {"bad_clock": 3}


def test_no_timestamp_outside_the_storable_range_leaves_the_decoder():
    d = decoder()
    far_now = MAX_TIME_MS + 10**9  # whatever the caller's clock says
    r = d.decode(points(MAX_TIME_MS, MAX_TIME_MS + 1, 2**62), now_ms=far_now)
    assert r.message.ts.tolist() == [MAX_TIME_MS]
    assert codes(r) == {"bad_timestamp": 2}
    r = d.decode(json.dumps({"v": 1, "type": "events", "events": [
        {"id": "a", "ts": MAX_TIME_MS + 1, "kind": "deploy", "subject": "x"},
        {"id": "b", "ts": 1e300, "kind": "deploy", "subject": "x"}]}), now_ms=far_now)
    assert r.message.events == () and codes(r) == {"bad_timestamp": 2}
    r = d.decode(json.dumps({"v": 1, "type": "topology", "ts": 2**62, "services": [], "edges": []}), now_ms=far_now)
    assert r.message is None and codes(r) == {"bad_timestamp": 1}


def test_a_resume_from_outside_the_range_is_ignored():
    r = decoder().decode(hello(resume_from=2**62), now_ms=NOW)
    assert r.message.resume_from is None and codes(r) == {"bad_timestamp": 1}


# -- clock resets ---------------------------------------------------------------------------
def test_a_restarted_feed_with_an_earlier_clock_resets_the_series_memory():
    """The hostile feed's case: 43,920 points refused as out_of_order in 3 s."""
    d = decoder()
    assert d.decode(hello(server_time=NOW), now_ms=NOW).clock_reset is None
    d.decode(points(*range(NOW - 59_000, NOW + 1, 1000)), now_ms=NOW)
    assert d.last_ts(K) == NOW
    restart = NOW - 3_600_000
    r = d.decode(hello(server_time=restart), now_ms=NOW)
    assert r.clock_reset is not None and "went back 3,600 s" in r.clock_reset
    assert d.last_ts(K) is None
    r = d.decode(points(restart, restart + 1000), now_ms=restart + 1000)
    assert r.errors == [] and len(r.message) == 2


def test_a_new_server_id_resets_the_series_memory():
    d = decoder()
    d.decode(hello(server_id="sim-a"), now_ms=NOW)
    d.decode(points(NOW), now_ms=NOW)
    r = d.decode(hello(server_id="sim-b", server_time=NOW + 5000), now_ms=NOW)
    assert r.clock_reset == "feed changed from 'sim-a' to 'sim-b'"
    assert d.last_ts(K) is None


def test_a_reconnect_to_the_same_feed_keeps_the_memory():
    d = decoder()
    d.decode(hello(), now_ms=NOW)
    d.decode(points(NOW), now_ms=NOW)
    # The same feed, a little behind the newest point (latency, a point slightly ahead): no reset.
    r = d.decode(hello(server_time=NOW - CLOCK_RESET_SLACK_MS), now_ms=NOW)
    assert r.clock_reset is None and d.last_ts(K) == NOW
    assert codes(d.decode(points(NOW), now_ms=NOW)) == {"duplicate_point": 1}  # replays still caught


def test_the_reset_slack_grows_with_speed():
    d = decoder()
    d.decode(hello(speed=600), now_ms=NOW)
    assert d.clock_reset_slack_ms == 600 * CLOCK_RESET_SLACK_MS
    d.decode(points(NOW), now_ms=NOW)
    assert d.decode(heartbeat(NOW - 5 * MIN), now_ms=NOW).clock_reset is None  # 0.5 wall s at 600x
    assert d.decode(heartbeat(NOW - 101 * MIN), now_ms=NOW).clock_reset is not None


def test_a_heartbeat_that_goes_back_resets_too():
    d = decoder()
    d.decode(hello(), now_ms=NOW)
    d.decode(points(NOW), now_ms=NOW)
    r = d.decode(heartbeat(NOW - 10 * MIN), now_ms=NOW)
    assert isinstance(r.message, Heartbeat) and r.clock_reset is not None
    assert d.last_ts(K) is None


def test_clock_reset_reason_only_looks():
    d = decoder()
    d.decode(hello(), now_ms=NOW)
    d.decode(points(NOW), now_ms=NOW)
    assert d.clock_reset_reason(Hello("other", NOW)) is not None
    assert d.clock_reset_reason(Heartbeat(NOW - 10 * MIN)) is not None
    assert d.clock_reset_reason(Heartbeat(NOW)) is None
    assert d.last_ts(K) == NOW  # nothing was forgotten
    d.forget_series_times()
    assert d.last_ts(K) is None


def test_the_first_hello_is_no_reset_and_a_refused_hello_changes_nothing():
    d = decoder()
    assert d.decode(hello(server_id="a"), now_ms=NOW).clock_reset is None
    d.decode(points(NOW), now_ms=NOW)
    r = d.decode(hello(server_id="b", speed=1e308), now_ms=NOW)
    assert r.message is None and r.clock_reset is None and d.last_ts(K) == NOW


# -- points ahead of the feed clock -----------------------------------------------------------
def test_a_point_ahead_of_the_clock_does_not_silence_its_series():
    d = decoder()
    d.decode(hello(), now_ms=NOW)
    ahead = NOW + 270_500  # 4.5 min ahead, inside the 5-min tolerance: accepted
    assert d.decode(points(ahead), now_ms=NOW).errors == []
    # The series' normal 1-s points keep coming in while the clock catches up.
    for i in range(1, 300):
        now = NOW + i * 1000
        r = d.decode(points(now), now_ms=now)
        assert r.errors == [] and r.message.ts.tolist() == [now], i


def test_a_point_held_ahead_is_still_a_duplicate_when_it_comes_again():
    d = decoder()
    ahead = NOW + 270_000
    d.decode(points(ahead), now_ms=NOW)
    d.decode(points(NOW + 1000), now_ms=NOW + 1000)
    assert codes(d.decode(points(ahead), now_ms=NOW + 2000)) == {"duplicate_point": 1}
    assert d.last_ts(K) == ahead
    # Once the clock has passed it, it is folded into the series' order mark as any point.
    late = ahead + 5000
    assert codes(d.decode(points(ahead, ahead - 1000), now_ms=late)) == {"duplicate_point": 1, "out_of_order": 1}
    assert d.decode(points(late), now_ms=late).errors == []


def test_a_point_just_ahead_of_the_clock_moves_the_mark_at_once():
    # Points routinely lead the client's estimate by latency x speed: within one wall second of
    # feed time they count as ordinary points (the fast path), and order is kept exactly.
    d = decoder()
    d.decode(hello(speed=60), now_ms=NOW)
    d.decode(points(NOW + 50_000), now_ms=NOW)
    assert codes(d.decode(points(NOW + 40_000), now_ms=NOW)) == {"out_of_order": 1}


def test_other_series_in_the_frame_are_unaffected():
    d = decoder()
    batch = MetricBatch.from_points([(K, NOW + 200_000, 1.0), (K2, NOW, 2.0)])
    assert d.decode(encode(batch), now_ms=NOW).errors == []
    assert codes(d.decode(points(NOW, key=K2), now_ms=NOW)) == {"duplicate_point": 1}
    assert d.decode(points(NOW, key=K), now_ms=NOW).errors == []


def test_the_memory_of_points_ahead_is_bounded():
    d = decoder()
    n = MAX_AHEAD_POINTS + 10
    ts = NOW + 100_000 + np.arange(n, dtype=np.int64)
    batch = MetricBatch((K,), np.zeros(n, dtype=np.int32), ts, np.ones(n))
    assert d.decode(encode(batch), now_ms=NOW).errors == []
    # Past the bound a point ahead raises the mark as before: nothing is lost, order is kept.
    assert codes(d.decode(points(NOW + 1000), now_ms=NOW + 1000)) == {"out_of_order": 1}
    d.forget_series_times()
    assert d.decode(points(NOW + 2000), now_ms=NOW + 2000).errors == []


def test_a_sent_at_outside_the_range_is_ignored_and_counted():
    frame = json.loads(points(NOW))
    frame["sent_at"] = 2**62
    r = decoder().decode(json.dumps(frame), now_ms=NOW)
    assert len(r.message) == 1 and r.message.sent_at is None and codes(r) == {"bad_timestamp": 1}
