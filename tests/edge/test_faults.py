"""The edge's faults on a real nats-server: NATS down at start and mid-run, the stream deleted or
purged, duplicate command messages, a slow console, and an edge killed with -9 behind a balancer."""

from __future__ import annotations

import asyncio
import contextlib

import nats
import numpy as np
from websockets.asyncio.client import connect

from tests.e2e_support import Processes, free_port
from tests.edge.harness import Console, SimSite, counting_runs, drain, live_batches, missing, start_edge, wait_until
from tests.natsstack import NatsServer
from tests.tcp_balancer import TcpBalancer
from warroom.bus import BusPublisher, stream_name, subject
from warroom.bus.commands import CommandRelay
from warroom.core.model import SeriesKey
from warroom.protocol import SUPPORTED_VERSIONS, Command, CommandResult, Decoder, Events, MetricBatch, Subscribe, encode
from warroom.protocol import TopologySnapshot


def _bus_events(console: Console, action: str) -> list:
    return [e for m in console.of(Events) for e in m.events if e.attrs.get("action") == action]


async def test_nats_down_mid_run_the_edge_keeps_its_consoles_and_catches_up(tmp_path):
    srv = NatsServer.start(tmp_path / "nats")
    site = SimSite(srv.url, "down-mid", seed=5)
    await site.start()
    edge = await start_edge(srv.url, "down-mid", name="e1")
    edge.follower.retry_max_s = 0.5
    console = Console.start(edge.url)
    try:
        await wait_until(lambda: len(live_batches(console)) > 3, what="live data")
        await asyncio.to_thread(srv.stop)
        await wait_until(lambda: _bus_events(console, "bus_down"), what="the consoles told the bus is lost")
        await asyncio.sleep(1.5)  # the feed goes on; the publisher queues
        await asyncio.to_thread(srv.start_again)
        await wait_until(lambda: _bus_events(console, "bus_up"), what="the consoles told the bus is back")
        await drain(site, [console])
    finally:
        await console.stop()
        await edge.stop()
        await site.stop()
        srv.stop()
    assert len(console.hellos) == 1  # never disconnected: the edge served what it held
    assert not missing(site, console) and console.duplicates == 0


async def test_nats_down_at_start_the_edge_listens_and_catches_up(tmp_path):
    srv = NatsServer.start(tmp_path / "nats", wait=False)
    edge = await start_edge(srv.url, "down-start", name="e2", sync_timeout_s=1.0)
    edge.follower.retry_max_s = 0.5
    console = Console.start(edge.url)
    site = None
    try:
        await wait_until(lambda: console.hellos, what="the edge listening without NATS")
        assert not edge.follower.up and not console.of(MetricBatch)
        await asyncio.to_thread(srv.start_again)
        site = SimSite(srv.url, "down-start", seed=6)
        await site.start()
        await wait_until(lambda: console.of(TopologySnapshot) and len(live_batches(console)) > 2, what="data once NATS is up")
        await drain(site, [console])
    finally:
        await console.stop()
        await edge.stop()
        if site is not None:
            await site.stop()
        srv.stop()
    first = int(next(b for b in console.of(MetricBatch) if len(b)).ts.min())
    assert not missing(site, console, after_ms=first) and console.duplicates == 0


async def test_a_deleted_stream_is_recreated_and_the_gap_explained(nats_server):
    site = SimSite(nats_server.url, "deleted", seed=8)
    await site.start()
    edge = await start_edge(nats_server.url, "deleted", name="e3")
    console = Console.start(edge.url)
    try:
        await wait_until(lambda: len(live_batches(console)) > 3, what="live data")
        nc = await nats.connect(nats_server.url)
        await nc.jetstream().delete_stream(stream_name("deleted"))
        deleted_at = site.feed.now_ms()
        await nc.close()
        await wait_until(lambda: _bus_events(console, "stream_recreated"), what="the publisher's explanation")
        await wait_until(lambda: _bus_events(console, "bus_gap"), what="the edge's explanation")
        await wait_until(lambda: any(int(b.ts.max()) > deleted_at + 2000 for b in live_batches(console)),
                         what="data again after the deletion")
    finally:
        await console.stop()
        await edge.stop()
        await site.stop()
    gap = _bus_events(console, "bus_gap")[0]
    assert "deleted" in gap.title and console.duplicates == 0


async def test_a_purged_stream_is_refilled_and_the_purge_explained(nats_server):
    site = SimSite(nats_server.url, "purged", seed=9)
    site.publisher.state_check_s = 0.3
    await site.start()
    await wait_until(lambda: site.publisher.stats.published > 5)
    nc = await nats.connect(nats_server.url)
    await nc.jetstream().purge_stream(stream_name("purged"))
    await nc.close()
    await wait_until(lambda: site.publisher.stats.stream_purged == 1, what="the publisher finding the purge")
    edge = await start_edge(nats_server.url, "purged", name="e4")  # starts after the purge
    console = Console.start(edge.url)
    try:
        await wait_until(lambda: console.of(TopologySnapshot) and live_batches(console), what="state and data")
    finally:
        await console.stop()
        await edge.stop()
        await site.stop()
    assert _bus_events(console, "stream_purged")  # the console's event log says why history is missing


async def test_a_command_message_delivered_twice_runs_once(nats_server):
    site = SimSite(nats_server.url, "dupcmd", seed=10)
    counting, runs = counting_runs(site.feed.handle_command)
    site.relay.handle_command = counting
    await site.start()
    await wait_until(lambda: site.publisher.stats.published > 2)
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        cmd = Command("dup-cmd-000001", "execute_plan", {"plan_id": "degrade-coupon"}, actor="amy")
        # Two messages with different ids: what JetStream stores after its duplicate window.
        for msg_id in ("first", "second"):
            await js.publish(subject("dupcmd", "commands"), encode(cmd), headers={"Nats-Msg-Id": msg_id})
        await wait_until(lambda: site.relay.executed == 2, what="both messages handled")
    finally:
        await nc.close()
        await site.stop()
    assert len(runs) == 1


async def test_a_slow_console_is_cut_off_without_slowing_the_others(nats_server):
    pub = BusPublisher(nats_server.url, "slow")
    await pub.start()
    keys = tuple(SeriesKey("big_metric", {"i": str(i)}) for i in range(5000))
    t0 = 1_763_605_800_000

    def batch(n: int) -> MetricBatch:
        return MetricBatch(keys, np.arange(len(keys), dtype=np.int32), np.full(len(keys), t0 + n * 1000, np.int64),
                           np.full(len(keys), float(n)))

    pub.publish(batch(0))
    await wait_until(lambda: pub.stats.published == 1)
    edge = await start_edge(nats_server.url, "slow", name="e5", client_queue_frames=4)
    good = Console.start(edge.url)
    try:
        await wait_until(lambda: good.of(MetricBatch), what="the good console live")
        async with connect(edge.url, max_queue=1) as slow:  # subscribes, then never reads
            await slow.recv()  # hello
            await slow.send(encode(Subscribe("slow-wall", SUPPORTED_VERSIONS, encodings=("json",))))
            for n in range(1, 121):
                pub.publish(batch(n))
            await wait_until(lambda: edge.server.stats.slow_consumers == 1, 60, what="the slow console cut off")
            await wait_until(lambda: max(int(b.ts.max()) for b in good.of(MetricBatch) if len(b)) == t0 + 120_000,
                             60, what="the good console getting everything")
    finally:
        await good.stop()
        await edge.stop()
        await pub.stop()
    assert good.duplicates == 0 and len(good.points()) == 121 * len(keys)


async def test_an_edge_killed_with_9_its_consoles_move_to_the_other_and_miss_nothing(nats_server, tmp_path):
    site = SimSite(nats_server.url, "kill9", seed=7)
    await site.start()
    procs = Processes(tmp_path)
    ports = [free_port(), free_port()]
    edges = []
    for name, port in zip("ab", ports):
        proc = procs.start("edge", "--nats", nats_server.url, "--site", "kill9", "--port", str(port), "--name", name)
        await asyncio.to_thread(proc.wait_for_line, f"serving ws://127.0.0.1:{port}", 60)
        edges.append(proc)
    lb = TcpBalancer([("127.0.0.1", p) for p in ports])
    await lb.start()
    consoles = [Console.start(lb.url) for _ in range(4)]
    try:
        await wait_until(lambda: all(len(live_batches(c)) > 3 for c in consoles), what="every console live")
        assert sorted(lb.routed) == sorted(ports * 2)  # two consoles on each edge
        await asyncio.to_thread(edges[0].kill9)
        await wait_until(lambda: sum(len(c.hellos) for c in consoles) == 6, what="two consoles moved")
        await asyncio.sleep(1.0)
        await drain(site, consoles)
    finally:
        for c in consoles:
            await c.stop()
        await lb.stop()
        await site.stop()
        await asyncio.to_thread(procs.cleanup)
    assert lb.routed[4:] == [ports[1], ports[1]]
    for c in consoles:
        assert not [n for n in c.notices if n.kind == "gap"], c.notices
        assert not missing(site, c) and c.duplicates == 0




async def test_a_command_that_waited_for_a_dead_source_is_not_run_late(nats_server):
    site = SimSite(nats_server.url, "late", seed=11)
    runs = []

    async def counting(command, client_id):
        runs.append(command)
        return [CommandResult(command.idempotency_key, "succeeded", "ran")]

    await site.publisher.start()  # the stream exists
    # The source ran once (its durable consumer exists), then died; the command came meanwhile.
    first = CommandRelay(nats_server.url, "late", counting, retry_s=0.3, max_wait_s=1.0)
    task = asyncio.create_task(first.run())
    await wait_until(first.ready.is_set, what="the relay's consumer")
    await first.stop()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    again = CommandRelay(nats_server.url, "late", counting, retry_s=0.3, max_wait_s=1.0)  # the source restarted
    task = None
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        cmd = Command("late-failover-01", "execute_plan", {"plan_id": "degrade-coupon"}, actor="amy")
        await js.publish(subject("late", "commands"), encode(cmd), headers={"Nats-Msg-Id": cmd.idempotency_key})
        await asyncio.sleep(2.0)
        task = asyncio.create_task(again.run())
        sub = await js.subscribe(subject("late", "results"), ordered_consumer=True)
        msg = await sub.next_msg(timeout=20)
        answer = Decoder().decode(msg.data, 2**62).message
    finally:
        await nc.close()
        await again.stop()
        if task is not None:
            task.cancel()
        await site.publisher.stop()
    assert not runs and again.too_late == 1
    assert answer.state == "rejected" and answer.code == "too_late" and "not run" in answer.message
