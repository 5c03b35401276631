"""``warroom edge`` on a real JetStream: state then live, resumption across edges, commands once."""

from __future__ import annotations

import asyncio

from tests.edge.harness import Console, SimSite, counting_runs, drain, missing, start_edge, wait_until
from warroom.protocol import Command, MetricBatch, PlanCatalogue, TopologySnapshot


async def test_a_new_console_gets_the_state_then_everything_live(nats_server):
    site = SimSite(nats_server.url, "edge-basic", seed=2)
    await site.start()
    await wait_until(lambda: site.publisher.stats.published >= 5)
    edge = await start_edge(nats_server.url, "edge-basic")
    console = Console.start(edge.url)
    try:
        await wait_until(lambda: console.of(MetricBatch), what="metrics through the edge")
        hello = console.hellos[0]
        assert hello.server_id == site.feed.feed_name  # the feed's own name, whichever edge
        assert "resume" in hello.capabilities and hello.speed == site.feed.speed
        assert console.of(TopologySnapshot) and console.of(PlanCatalogue)
        first = next(b for b in console.of(MetricBatch) if len(b))  # the newest point of every series
        assert len(set(first.index.tolist())) == len(first) >= 200
        await asyncio.sleep(1.5)
        await drain(site, [console])
    finally:
        await console.stop()
        await edge.stop()
        await site.stop()
    sent = site.points()
    assert console.duplicates == 0
    assert all(sent[k] == v for k, v in console.points().items())  # every value as published
    lost = missing(site, console)
    assert not lost, f"{len(lost)} points never reached the console"


async def test_a_console_moving_to_another_edge_misses_nothing(nats_server):
    site = SimSite(nats_server.url, "edge-move", seed=3)
    await site.start()
    edge_a = await start_edge(nats_server.url, "edge-move", name="a")
    edge_b = await start_edge(nats_server.url, "edge-move", name="b")
    console = Console.start(edge_a.url)
    try:
        await wait_until(lambda: len(console.of(MetricBatch)) > 5, what="live data from edge a")
        await edge_a.stop()  # its consoles reconnect (here: to the other edge)
        console.client.url = edge_b.url
        await asyncio.sleep(2.0)  # the feed goes on meanwhile
        await wait_until(lambda: len(console.hellos) >= 2, what="the console on edge b")
        await drain(site, [console])
    finally:
        await console.stop()
        await edge_b.stop()
        await site.stop()
    assert console.hellos[1].server_id == console.hellos[0].server_id
    assert not [n for n in console.notices if n.kind == "gap"], console.notices
    lost = missing(site, console)
    assert not lost and console.duplicates == 0, (len(lost), console.duplicates)


async def test_a_command_through_two_edges_runs_once_and_everyone_sees_it(nats_server):
    site = SimSite(nats_server.url, "edge-cmd", seed=4)
    counting, runs = counting_runs(site.feed.handle_command)
    site.feed.handle_command = counting
    site.relay.handle_command = counting
    await site.start()
    edge_a = await start_edge(nats_server.url, "edge-cmd", name="a")
    edge_b = await start_edge(nats_server.url, "edge-cmd", name="b")
    one, two = Console.start(edge_a.url), Console.start(edge_b.url)
    try:
        await wait_until(lambda: one.of(MetricBatch) and two.of(MetricBatch), what="both consoles live")
        cmd = Command("exec-degrade-coupon-0001", "execute_plan", {"plan_id": "degrade-coupon"}, actor="amy")
        await one.client.send_command(cmd)
        await two.client.send_command(cmd)  # the same command again, through the other edge
        await one.client.send_command(cmd)  # and again
        await wait_until(lambda: len(one.results(cmd.idempotency_key)) == 2 and two.results(cmd.idempotency_key),
                         what="every answer")
        await wait_until(lambda: all("degrade-coupon" in c.of(PlanCatalogue)[-1].active for c in (one, two)),
                         what="the plan active on both walls")
    finally:
        for c in (one, two):
            await c.stop()
        await edge_a.stop()
        await edge_b.stop()
        await site.stop()
    assert len(runs) == 1, runs  # executed once
    answers = one.results(cmd.idempotency_key) + two.results(cmd.idempotency_key)
    assert {r.state for r in answers} == {"succeeded"}
    assert sum(not r.replay for r in answers) == 1  # the others say "this already happened"
