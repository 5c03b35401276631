"""One incident truth across edges: a feed that computes incidents (``sim --watch``) published on
JetStream; two walls on two different edges show the same incident, and an acknowledgement sent
through one edge (then the bus, then the source) appears on the other wall."""

from __future__ import annotations

import asyncio

from tests.app.test_shared_incidents import Wall, until
from tests.bus.conftest import Capture
from tests.edge.harness import start_edge
from warroom.app.feed_watch import FeedWatch
from warroom.app.shared_watch import SharedWatch
from warroom.bus import BusPublisher, BusTee
from warroom.bus.commands import CommandRelay
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed

START = 1_763_605_800_000


async def test_walls_on_two_edges_share_incidents_and_acks(nats_server, tmp_path):
    sim = Simulator(seed=7, start_ms=START)
    sim.inject_fault("dependency_outage", "bank-icbc", delay_s=5)
    fw = FeedWatch.from_rules()
    feed = SimFeed(sim, speed=50.0, watch=fw)
    pub = BusPublisher(nats_server.url, "shared", snapshot=feed.snapshot_messages, now_ms=feed.now_ms,
                       feed_name=feed.feed_name, speed=feed.speed, capabilities=feed.capabilities,
                       incident_state=fw.state_events, state_check_s=0.5)
    relay = CommandRelay(nats_server.url, "shared", feed.handle_command, retry_s=0.3)
    await pub.start()
    tasks = [asyncio.create_task(feed.run(BusTee(Capture(), pub))), asyncio.create_task(relay.run())]
    edge_a = await start_edge(nats_server.url, "shared", name="a")
    edge_b = await start_edge(nats_server.url, "shared", name="b")
    a = Wall(edge_a.url, tmp_path / "a.duckdb")
    b = Wall(edge_b.url, tmp_path / "b.duckdb")
    late = None
    try:
        await until(lambda: all(isinstance(w.watch, SharedWatch) and w.watch.incidents() for w in (a, b)), 60,
                    what="an incident on both walls")
        inc_a, inc_b = a.watch.incidents()[-1], b.watch.incidents()[-1]
        assert inc_a.id == inc_b.id and inc_a.root_cause == inc_b.root_cause == "bank-icbc"
        assert a.local.evaluations == 0 and b.local.evaluations == 0
        assert a.watch.acknowledge_incident(inc_a.id, "alice", "calling ICBC") == []
        await until(lambda: next(i for i in b.watch.incidents() if i.id == inc_a.id).acked_ms is not None, 30,
                    what="the ack on the wall of the other edge")
        # A wall that opens later, on a third edge started after the incident, has it too.
        await asyncio.sleep(1.0)  # the incident state is republished after the ack
        edge_c = await start_edge(nats_server.url, "shared", name="c")
        late = (edge_c, Wall(edge_c.url, tmp_path / "c.duckdb"))
        await until(lambda: isinstance(late[1].watch, SharedWatch) and any(
            i.id == inc_a.id and i.acked_ms is not None for i in late[1].watch.incidents()), 30,
            what="the acknowledged incident on a late wall")
    finally:
        for w in (a, b) + ((late[1],) if late else ()):
            await w.close()
        for e in (edge_a, edge_b) + ((late[0],) if late else ()):
            await e.stop()
        feed.stop()
        await relay.stop()
        for t in tasks:
            t.cancel()
        await pub.stop()
