"""The websocket client and server together on loopback: negotiation, state, reconnects, backpressure."""

from __future__ import annotations

import asyncio
import math
import json
import random
import re

import numpy as np
import pytest
from websockets.asyncio.server import serve

from warroom.core.clock import wall_ms
from warroom.core.model import SeriesKey
from warroom.io.client import Backoff, CloseInfo, ConnectionState, FeedClient, FeedStatus, NotConnected
from warroom.io.server import FeedServer
from warroom.protocol import Command, CommandResult, ErrorCode, Hello, MetricBatch, TopologySnapshot, encode


async def next_of(client: FeedClient, kind: type, timeout: float = 5.0, where=lambda m: True):
    """Read the client's queue until an item of ``kind`` matching ``where`` arrives."""

    async def loop():
        while True:
            item = await client.queue.get()
            if isinstance(item, kind) and where(item):
                return item

    return await asyncio.wait_for(loop(), timeout)


def retry_delay(reason: str) -> float:
    """The delay a disconnect status announces ("...; retrying in 1.3 s")."""
    m = re.search(r"retrying in ([\d.]+) s", reason)
    assert m, reason
    return float(m.group(1))


def batch(n: int, t0: int, name: str = "m") -> MetricBatch:
    return MetricBatch.from_points([(SeriesKey(name, {"i": str(i)}), t0, float(i)) for i in range(n)])


async def test_connects_negotiates_and_receives(source):
    server = FeedServer(source, port=0, heartbeat_s=0.2)
    await server.start()
    client = FeedClient(server.url)
    task = asyncio.create_task(client.run())
    try:
        hello = await next_of(client, Hello)
        assert hello.server_id == server.server_id and 1 in hello.versions
        await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        topo = await next_of(client, TopologySnapshot)
        assert [s.name for s in topo.topology.services] == ["a", "b"]
        while server.client_count == 0:
            await asyncio.sleep(0.01)
        server.broadcast(batch(60, wall_ms()))
        got = await next_of(client, MetricBatch)
        assert len(got) == 60
        assert client.clock.anchored
    finally:
        await client.stop()
        await task
        await server.stop()
    assert client.status.state is ConnectionState.DISCONNECTED


async def test_commands_reach_the_source_and_results_come_back(source):
    server = FeedServer(source, port=0)
    await server.start()
    client = FeedClient(server.url)
    task = asyncio.create_task(client.run())
    try:
        with pytest.raises(NotConnected):
            await client.send_command(Command("k" * 10, "clear_fault", {"fault_id": "x"}))
        await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        await client.send_command(Command("key-123456", "execute_plan", {"plan_id": "p"}, actor="amy"))
        res = await next_of(client, CommandResult)
        assert res.idempotency_key == "key-123456" and res.state == "succeeded"
        assert source.commands[0][0].actor == "amy"
        assert source.commands[0][1] == client.client_id
    finally:
        await client.stop()
        await task
        await server.stop()


async def test_version_mismatch_is_reported_not_retried_hard():
    async def handler(ws):
        await ws.send(encode(Hello("future", wall_ms(), versions=(2,))))
        await asyncio.sleep(5)

    async with serve(handler, "127.0.0.1", 0) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        client = FeedClient(f"ws://127.0.0.1:{port}")
        task = asyncio.create_task(client.run())
        try:
            st = await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.DISCONNECTED and "mismatch" in s.reason)
            assert "[2]" in st.reason
            assert retry_delay(st.reason) >= 7.5  # a configuration problem: slow retries, no hammering
            assert client.slow_backoff.attempt == 1 and client.backoff.attempt == 0
            assert st.close == CloseInfo("us", 1002, "no common protocol version")
        finally:
            await client.stop()
            await task


async def test_silent_feed_goes_stale_then_reconnects(source):
    server = FeedServer(source, port=0, heartbeat_s=60)  # no heartbeat in the test's lifetime
    await server.start()
    client = FeedClient(server.url, stale_after_s=0.2, dead_after_s=0.6)
    task = asyncio.create_task(client.run())
    try:
        await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        stale = await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.STALE)
        assert "no data" in stale.reason
        gone = await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.DISCONNECTED)
        assert "no data" in gone.reason
        await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
    finally:
        await client.stop()
        await task
        await server.stop()


async def test_server_restart_is_survived(source):
    server = FeedServer(source, port=0, heartbeat_s=0.1)
    await server.start()
    port = server.port
    client = FeedClient(server.url, backoff=Backoff(initial=0.05, maximum=0.2))
    task = asyncio.create_task(client.run())
    try:
        await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        await server.stop()
        down = await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.DISCONNECTED)
        assert "retrying" in down.reason
        server2 = FeedServer(source, port=port, heartbeat_s=0.1)
        await server2.start()
        try:
            await next_of(client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        finally:
            await client.stop()
            await server2.stop()
    finally:
        await task


async def test_slow_consumer_is_disconnected_with_a_reason_not_silently_dropped(source):
    server = FeedServer(source, port=0, client_queue_frames=8)
    await server.start()
    client = FeedClient(server.url, queue_size=4)
    task = asyncio.create_task(client.run())
    try:
        # Wait until subscribed without reading the queue further than needed.
        while server.client_count == 0:
            await asyncio.sleep(0.01)
        t0 = wall_ms()
        for i in range(3000):  # ~30 MB: more than loopback buffers hold
            server.broadcast(batch(400, t0 + i))
            if i % 50 == 0:
                await asyncio.sleep(0)
            if server.stats.slow_consumers:
                break
        assert server.stats.slow_consumers == 1
        st = await next_of(client, FeedStatus, timeout=10, where=lambda s: s.state is ConnectionState.DISCONNECTED)
        assert "slow consumer" in st.reason and "4008" in st.reason
    finally:
        await client.stop()
        await task
        await server.stop()


async def test_garbage_from_the_server_is_counted_and_the_stream_goes_on():
    t0 = wall_ms()

    async def handler(ws):
        await ws.send(encode(Hello("junk", t0)))
        await ws.recv()  # subscribe
        await ws.send(b"{not json")
        await ws.send(json.dumps({"v": 1, "type": "wat"}))
        await ws.send(b"x" * (5 * 1024 * 1024))
        await ws.send(encode(batch(3, t0)))
        await asyncio.sleep(5)

    async with serve(handler, "127.0.0.1", 0, max_size=None) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        client = FeedClient(f"ws://127.0.0.1:{port}")
        task = asyncio.create_task(client.run())
        try:
            got = await next_of(client, MetricBatch)
            assert len(got) == 3
            totals = client.errors.totals
            assert totals[ErrorCode.MALFORMED_JSON] == 1
            assert totals[ErrorCode.UNKNOWN_TYPE] == 1
            assert totals[ErrorCode.OVERSIZED] == 1
            assert client.status.state is ConnectionState.LIVE
        finally:
            await client.stop()
            await task


def test_backoff_grows_with_jitter_and_caps():
    b = Backoff(initial=1.0, maximum=8.0, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(8)]
    bases = [1, 2, 4, 8, 8, 8, 8, 8]
    for d, base in zip(delays, bases):
        assert base * 0.5 <= d <= base
    assert len(set(delays)) == len(delays)  # jittered, not lock-step
    b.reset()
    assert b.next_delay() <= 1.0


async def test_json_and_binary_clients_get_the_same_points_and_late_joiners_learn_the_series(source):
    server = FeedServer(source, port=0)
    await server.start()
    json_client = FeedClient(server.url, encodings=("json",))
    tasks = [asyncio.create_task(json_client.run())]
    try:
        await next_of(json_client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        while server.client_count < 1:
            await asyncio.sleep(0.01)
        t0 = wall_ms()
        server.broadcast(batch(80, t0))  # defines 80 series before the binary client exists
        first = await next_of(json_client, MetricBatch, where=lambda b: len(b) > 0)
        bin_client = FeedClient(server.url, encodings=("binary", "json"))
        tasks.append(asyncio.create_task(bin_client.run()))
        await next_of(bin_client, FeedStatus, where=lambda s: s.state is ConnectionState.LIVE)
        while server.client_count < 2:
            await asyncio.sleep(0.01)
        later = batch(80, t0 + 1000)
        server.broadcast(later)
        got_json = await next_of(json_client, MetricBatch, where=lambda b: len(b) > 0)
        got_bin = await next_of(bin_client, MetricBatch, where=lambda b: len(b) > 0)
        assert got_json == later and got_bin == later
        assert len(first) == 80
        assert json_client.errors.total == 0 and bin_client.errors.total == 0
    finally:
        for c in (json_client, *([bin_client] if "bin_client" in locals() else [])):
            await c.stop()
        await asyncio.gather(*tasks)
        await server.stop()


async def test_json_goes_out_as_text_frames_and_binary_batches_as_binary(source):
    """Other-language clients rely on the frame type: JSON is text, WRB1 batches are binary."""
    from websockets.asyncio.client import connect

    from warroom.protocol import Subscribe

    server = FeedServer(source, port=0, heartbeat_s=0.05)
    await server.start()
    try:
        for encoding, batch_type in (("json", str), ("binary", bytes)):
            async with connect(server.url, proxy=None) as ws:
                hello = await ws.recv()
                assert isinstance(hello, str)
                await ws.send(encode(Subscribe("raw", encodings=(encoding,))).decode())
                while server.client_count == 0:
                    await asyncio.sleep(0.01)
                server.broadcast(batch(5, wall_ms()))
                kinds = set()
                for _ in range(6):  # topology, catalogue-less source, defs, batch, heartbeats
                    frame = await asyncio.wait_for(ws.recv(), 2)
                    kinds.add((type(frame), frame[:4] == b"WRB1" if isinstance(frame, bytes) else False))
                assert (str, False) in kinds
                assert ((bytes, True) in kinds) == (batch_type is bytes)
                assert all(t is str or is_wrb for t, is_wrb in kinds)
            while server.client_count:
                await asyncio.sleep(0.01)
    finally:
        await server.stop()


# -- server answers to hostile or sloppy clients (issue 12) ---------------------------------
import contextlib

from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from warroom.io.server import SUBSCRIBE_TIMEOUT_S
from warroom.protocol import Subscribe


async def _recv_json(ws, timeout: float = 5.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def _recv_type(ws, kind: str, timeout: float = 5.0) -> dict:
    while True:
        body = await _recv_json(ws, timeout)
        if body["type"] == kind:
            return body


async def test_oversized_client_frames_are_answered_oversized_or_closed_1009(source):
    server = FeedServer(source, port=0, heartbeat_s=5)
    await server.start()
    try:
        # Not "async with": closing again a connection whose big send was cut short trips
        # an asyncio bug (abort on a closed transport) in the test's own client.
        ws = await ws_connect(server.url, proxy=None)
        await ws.recv()  # hello
        await ws.send(encode(Subscribe("big")).decode())
        await ws.send("x" * (5 * 1024 * 1024))  # over the decoder's 4 MiB, under the websocket limit
        err = await _recv_type(ws, "error")
        assert err["code"] == "oversized" and err["message"].startswith("oversized: ")
        # Dropped unread; the connection goes on and a good command still runs.
        await ws.send(encode(Command("after-big-1", "execute_plan", {"plan_id": "p"})).decode())
        assert (await _recv_type(ws, "command_result"))["state"] == "succeeded"
        with contextlib.suppress(ConnectionClosed):
            await ws.send("x" * (17 * 1024 * 1024))  # over the websocket limit: closed, not read
        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == 1009
        async with ws_connect(server.url, proxy=None) as ws:  # an oversized first frame
            await ws.recv()
            await ws.send("x" * (5 * 1024 * 1024))
            assert (await _recv_json(ws))["code"] == "oversized"
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code == 1009
        # The server counts a frame the websocket layer refused when its handler sees the
        # close, which may be after our side saw it: wait (bounded) for the count to settle.
        for _ in range(100):
            if server.stats.oversized_client_frames >= 3:
                break
            await asyncio.sleep(0.05)
        assert server.stats.oversized_client_frames == 3
        assert len(source.commands) == 1  # the good command, nothing of the big frames
    finally:
        await server.stop()


async def test_heartbeats_flow_from_hello_on_and_seq_runs_on_through_subscribe(source):
    server = FeedServer(source, port=0, heartbeat_s=0.05)
    await server.start()
    try:
        async with ws_connect(server.url, proxy=None) as ws:
            assert (await _recv_json(ws))["type"] == "hello"
            before = [await _recv_json(ws) for _ in range(2)]  # no subscribe sent yet
            assert [(b["type"], b["seq"]) for b in before] == [("heartbeat", 1), ("heartbeat", 2)]
            await ws.send(encode(Subscribe("early")).decode())
            after = [await _recv_json(ws) for _ in range(3)]
            assert "topology" in [b["type"] for b in after]
            assert [b["seq"] for b in before + after] == [1, 2, 3, 4, 5]
    finally:
        await server.stop()


async def test_no_subscribe_in_time_closes_1002_after_heartbeats(source):
    assert FeedServer(source).subscribe_timeout_s == SUBSCRIBE_TIMEOUT_S == 10.0
    server = FeedServer(source, port=0, heartbeat_s=0.05, subscribe_timeout_s=0.4)
    await server.start()
    try:
        async with ws_connect(server.url, proxy=None) as ws:
            await ws.recv()
            kinds = []
            with pytest.raises(ConnectionClosed):
                while True:
                    kinds.append((await _recv_json(ws))["type"])
            assert ws.close_code == 1002 and kinds and set(kinds) == {"heartbeat"}
    finally:
        await server.stop()


async def test_server_id_is_stable_across_restarts_of_the_same_feed(source):
    ids = []
    port = 0
    for _ in range(2):
        server = FeedServer(source, port=port)
        await server.start()
        port = server.port
        async with ws_connect(server.url, proxy=None) as ws:
            ids.append((await _recv_json(ws))["server_id"])
        await server.stop()
    assert ids[0] == ids[1] and ids[0].endswith(f":{port}")
    source.feed_name = "payments-east"
    assert FeedServer(source).server_id == "payments-east"
    assert FeedServer(source, server_id="given").server_id == "given"


@pytest.mark.parametrize("args", ['{"plan_id":"p","x":NaN}', '{"plan_id":"p","params":{"w":[1,2,Infinity]}}',
                                  '{"plan_id":"p","params":{"deep":[{"v":-1e999}]}}'])
async def test_non_finite_numbers_in_command_args_are_refused(source, args):
    server = FeedServer(source, port=0, heartbeat_s=5)
    await server.start()
    try:
        async with ws_connect(server.url, proxy=None) as ws:
            await ws.recv()
            await ws.send(encode(Subscribe("nan")).decode())
            await ws.send('{"v":1,"type":"command","idempotency_key":"nan-key-0001","action":"execute_plan",'
                          f'"args":{args}}}')
            err = await _recv_type(ws, "error")
            assert err["code"] == "bad_frame" and err["message"].startswith("non_finite: ")
            assert source.commands == []  # nothing ran
    finally:
        await server.stop()


@pytest.mark.parametrize("since, code", [('"yesterday"', "bad_field"), ("true", "bad_field"),
                                         ("1767225540", "bad_timestamp"), ("1767225540000.5", "bad_field")])
async def test_a_bad_since_makes_a_bad_subscribe(source, since, code):
    server = FeedServer(source, port=0, heartbeat_s=5)
    await server.start()
    try:
        async with ws_connect(server.url, proxy=None) as ws:
            await ws.recv()
            await ws.send(f'{{"v":1,"type":"subscribe","client_id":"c","versions":[1],"since":{since}}}')
            err = await _recv_type(ws, "error")
            assert err["code"] == "bad_subscribe" and err["message"].startswith(f"{code}: "), err
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code == 1002
    finally:
        await server.stop()


# -- how a connection ended, how soon to retry, what could not be resent --------------------
def test_who_closed_is_read_from_the_close_frames():
    from websockets.frames import Close

    from warroom.io.reconnect import close_info

    server_first = close_info(Close(4008, "slow consumer"), Close(4008, "slow consumer"), True)
    assert server_first == CloseInfo("server", 4008, "slow consumer")
    assert server_first.describe() == "closed by server: 4008 slow consumer"
    ours = close_info(Close(1001, "no data for 12 s"), Close(1001, "no data for 12 s"), False)
    assert ours.describe() == "closed by us: 1001 going away (no data for 12 s)"
    too_big = close_info(None, Close(1009, "over size limit (17 > 16 bytes)"), None)
    assert too_big.describe() == "closed by us: 1009 message too big (over size limit (17 > 16 bytes))"
    assert close_info(None, None, None).describe() == "connection lost: no close frame (1006)"
    hostile = close_info(Close(4999, "\x1b]0;pwned\x07"), None, None)
    assert "\x1b" not in hostile.describe() and hostile.by == "server"
    assert close_info(Close(1008, "not authenticated"), None, None).config_problem  # slow retries


def test_weather_retries_within_two_seconds_and_configuration_problems_slowly():
    from warroom.io.reconnect import slow_backoff

    weather = Backoff(rng=random.Random(3))
    delays = [weather.next_delay() for _ in range(50)]
    assert max(delays) <= 2.0 and min(delays[3:]) >= 1.0  # 0.25-0.5, 0.5-1, then 1-2 s for ever
    slow = slow_backoff()
    assert slow.next_delay() >= 7.5 and max(slow.next_delay() for _ in range(10)) <= 60.0


def test_a_gap_is_named_when_the_feed_cannot_resend_everything_after_since():
    from warroom.io.reconnect import resume_gap

    t = 1_767_225_600_000
    assert resume_gap(Hello("f", t + 60_000), None) is None  # nothing to resume from
    assert resume_gap(Hello("f", t + 60_000), t) == ("the feed keeps no replay buffer", t + 60_000)
    full = Hello("f", t + 60_000, capabilities=("resume",), resume_from=t - 300_000)
    assert resume_gap(full, t) is None
    late = Hello("f", t + 60_000, capabilities=("resume",), resume_from=t + 20_000)
    assert resume_gap(late, t) == ("the feed's replay buffer starts later", t + 20_000)
    assert resume_gap(Hello("f", t + 1, capabilities=("resume",), resume_from=t + 1), t) is None  # since + 1 on


async def test_a_frame_whose_handling_raises_is_reported_and_skipped_and_the_connection_lives():
    t0 = wall_ms() - 60_000
    sent = asyncio.Event()

    async def handler(ws):
        await ws.send(encode(Hello("junk", wall_ms())))
        await ws.recv()
        for i in range(3):
            await ws.send(encode(batch(2, t0 + i * 1000)))
        sent.set()
        await asyncio.sleep(5)

    faults: list[tuple[str, str]] = []
    async with serve(handler, "127.0.0.1", 0) as srv:
        port = next(iter(srv.sockets)).getsockname()[1]
        client = FeedClient(f"ws://127.0.0.1:{port}", on_fault=lambda stage, exc: faults.append((stage, str(exc))))
        real, calls = client.decoder.decode, []

        def decode(frame, now_ms):
            calls.append(1)
            if len(calls) == 3:  # the second batch: a decoder bug on hostile input
                raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
            return real(frame, now_ms)

        client.decoder.decode = decode
        task = asyncio.create_task(client.run())
        try:
            last = await next_of(client, MetricBatch, where=lambda b: int(b.ts.max()) == t0 + 2000)
            assert len(last) == 2 and client.status.state is ConnectionState.LIVE
            assert [stage for stage, _ in faults] == ["decode"] and "surrogates not allowed" in faults[0][1]
        finally:
            await client.stop()
            await task


async def test_an_unexpected_failure_of_run_is_said_in_the_last_status_and_raised():
    client = FeedClient("ws://127.0.0.1:9")

    async def broken():
        raise RuntimeError("bug in the client")

    client._session = broken
    with pytest.raises(RuntimeError, match="bug in the client"):
        await client.run()
    last = None
    while not client.queue.empty():
        last = client.queue.get_nowait()
    assert last.state is ConnectionState.DISCONNECTED
    assert last.reason == "feed client failed: RuntimeError: bug in the client"


async def test_frames_that_arrive_together_are_decoded_as_one_batch_and_lose_nothing():
    """A burst of binary frames (a feed faster than its reader) becomes few batches; a bad
    frame inside it is still refused on its own, and an open inspector sees every frame."""
    from warroom.protocol import SUPPORTED_VERSIONS
    from warroom.protocol.binary import pack_frame, pack_points

    keys = [SeriesKey("m", {"i": str(i)}) for i in range(50)]
    defs = [{"id": i, "name": k.name, "labels": dict(k.labels)} for i, k in enumerate(keys)]
    t0 = wall_ms() - 600_000
    s = list(range(50)) * 2

    def scrapes(k: int) -> bytes:
        t = [t0 + 1000 * k] * 50 + [t0 + 1000 * k + 500] * 50
        v = np.ones(100)
        if k == 150:
            v[7] = math.nan  # one bad point in the middle of the burst
        return pack_frame({"v": 1, "type": "metrics", "seq": k + 2}, pack_points(np.asarray(s), np.asarray(t), v))

    frames = [scrapes(k) for k in range(300)]

    async def handler(ws):
        await ws.send(encode(Hello("burst", wall_ms(), versions=SUPPORTED_VERSIONS)))
        json.loads(await ws.recv())  # the subscribe
        await ws.send(pack_frame({"v": 1, "type": "metrics", "seq": 1, "defs": defs}, b""))
        for f in frames:
            await ws.send(f)
        await ws.wait_closed()

    for tapped in (False, True):
        seen: list = []
        async with serve(handler, "127.0.0.1", 0) as srv:
            url = f"ws://127.0.0.1:{next(iter(srv.sockets)).getsockname()[1]}"
            client = FeedClient(url, encodings=("binary",))
            if tapped:
                client.tap = lambda frame, result, now_ms: seen.append(frame)
            task = asyncio.create_task(client.run())
            try:
                points = batches = 0
                while points < 299 * 100 + 99:
                    b = await next_of(client, MetricBatch, timeout=10)
                    points, batches = points + len(b), batches + (len(b) > 0)
            finally:
                await client.stop()
                await task
        assert points == 299 * 100 + 99  # the NaN alone was refused
        assert client.errors.as_dict().get("non_finite") == 1
        if tapped:
            assert len(seen) == 302 and batches == 300  # the inspector sees each frame as it came (and the hello)
        else:
            assert batches < 300


async def test_frames_gathered_before_the_inspector_opened_are_still_shown_one_by_one():
    from warroom.protocol import SUPPORTED_VERSIONS
    from warroom.protocol.binary import pack_frame, pack_points

    client = FeedClient("ws://127.0.0.1:1", encodings=("binary",))
    hello = Hello("x", wall_ms(), versions=SUPPORTED_VERSIONS)
    t0 = wall_ms() - 60_000
    defs = [{"id": i, "name": "m", "labels": {"i": str(i)}} for i in range(3)]
    client.decoder.decode(pack_frame({"v": 1, "type": "metrics", "defs": defs}, b""), wall_ms())

    def scrapes(k: int) -> bytes:
        t = np.array([t0 + 10 * k] * 3 + [t0 + 10 * k + 1] * 3)
        return pack_frame({"v": 1, "type": "metrics", "seq": k}, pack_points(np.array([0, 1, 2] * 2), t, np.ones(6)))

    for k in range(2):  # the layout is cached
        await client._frame(scrapes(k), hello)
    seen: list = []
    client.tap = lambda frame, result, now_ms: seen.append(result)
    await client._frames([scrapes(2), scrapes(3), scrapes(4)], hello)
    assert len(seen) == 3 and all(r.errors == [] and len(r.message) == 6 for r in seen)
    client.tap = None
    await client._frames([scrapes(5), scrapes(6)], hello)
    sizes = []
    while not client.queue.empty():
        item = client.queue.get_nowait()
        if isinstance(item, MetricBatch):
            sizes.append(len(item))
    assert sizes == [6, 6, 6, 6, 6, 12]  # one by one while shown; the last two as one batch
