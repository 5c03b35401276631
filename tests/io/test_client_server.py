"""The websocket client and server together on loopback: negotiation, state, reconnects, backpressure."""

from __future__ import annotations

import asyncio
import json
import random

import pytest
from websockets.asyncio.server import serve

from warroom.core.clock import wall_ms
from warroom.core.model import SeriesKey
from warroom.io.client import Backoff, ConnectionState, FeedClient, FeedStatus, NotConnected
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
            assert client.backoff.attempt >= 10  # long backoff: no hammering
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
