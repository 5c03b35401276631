"""BusPublisher against a real nats-server with JetStream: round trip, state, replay, de-duplication,
the stream's configuration and a stream deleted under the publisher."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

import nats
from nats.js.api import DeliverPolicy, StreamConfig

from tests.bus.conftest import Capture, decode_all, read_stream, sim_feed, wait_until
from warroom.bus import BusPublisher, BusTee, stream_name
from warroom.core.model import Event, EventKind
from warroom.protocol import Events, MetricBatch, PlanCatalogue, TopologySnapshot


async def _run_feed(feed, tee, seconds: float) -> None:
    task = asyncio.create_task(feed.run(tee))
    await asyncio.sleep(seconds)
    feed.stop()
    await task


async def test_a_sim_feed_round_trips_through_jetstream(nats_server):
    feed = sim_feed(seed=1)
    capture = Capture()
    pub = BusPublisher(nats_server.url, "Round Trip", snapshot=feed.snapshot_messages, now_ms=feed.now_ms)
    assert await pub.start()
    await _run_feed(feed, BusTee(capture, pub), 3.0)
    await pub.stop()
    assert pub.queued == 0 and pub.stats.failures == 0 and pub.stats.dropped == 0

    msgs = await read_stream(nats_server.url, "warroom.round_trip.>")
    assert all(m.headers and m.headers.get("Nats-Msg-Id") for m in msgs)
    got = decode_all(msgs, feed.now_ms())
    sent_batches = [m for m in capture.messages if isinstance(m, MetricBatch)]
    got_batches = [m for m in got if isinstance(m, MetricBatch)]
    assert len(sent_batches) >= 10
    assert got_batches == sent_batches  # every point, value and sent_at, in order
    assert sum(len(b) for b in got_batches) == feed.points_sent
    sent_events = [e.id for m in capture.messages if isinstance(m, Events) for e in m.events]
    got_events = [e.id for m in got if isinstance(m, Events) for e in m.events]
    assert got_events == sent_events
    topology = [m for m in got if isinstance(m, TopologySnapshot)]
    assert len(topology) == 1 and topology[0].topology.services == feed.sim.topology.services
    assert pub.stats.published == len(msgs)


async def test_last_per_subject_gives_a_new_consumer_the_current_state(nats_server):
    feed = sim_feed(seed=2)
    topo_old, catalogue = feed.snapshot_messages()[:2]
    assert isinstance(catalogue, PlanCatalogue) and catalogue.plans
    pub = BusPublisher(nats_server.url, "state")
    await pub.start()
    topo_new = TopologySnapshot(topo_old.ts + 5000, topo_old.topology)
    active = PlanCatalogue(catalogue.plans, (catalogue.plans[0].id,))
    for m in (topo_old, catalogue, feed.sim.tick()[0], topo_new, active, PlanCatalogue(catalogue.plans, ())):
        pub.publish(m)
    await wait_until(lambda: pub.queued == 0)
    await pub.stop()
    assert pub.stats.published == 6

    msgs = await read_stream(nats_server.url, "warroom.state.>", policy=DeliverPolicy.LAST_PER_SUBJECT)
    by_subject = {m.subject: m for m in msgs}
    assert sorted(by_subject) == ["warroom.state.catalogue", "warroom.state.metrics", "warroom.state.topology"]
    state = decode_all([by_subject["warroom.state.topology"], by_subject["warroom.state.catalogue"]], feed.now_ms())
    assert state[0].ts == topo_new.ts
    assert state[1].active == ()  # the last catalogue, though an identical one was published before


async def test_by_start_time_replays_from_a_time(nats_server):
    feed = sim_feed(seed=3)
    pub = BusPublisher(nats_server.url, "replay")
    await pub.start()
    first, _ = feed.sim.tick()
    pub.publish(first)
    await wait_until(lambda: pub.stats.published == 1)
    await asyncio.sleep(0.5)
    since = datetime.now(timezone.utc)
    await asyncio.sleep(0.5)
    later = []
    for _ in range(3):
        batch, _ = feed.sim.tick()
        later.append(batch)
        pub.publish(batch)
    await wait_until(lambda: pub.stats.published == 4)
    await pub.stop()

    msgs = await read_stream(nats_server.url, "warroom.replay.metrics", policy=DeliverPolicy.BY_START_TIME,
                             start_time=since)
    assert decode_all(msgs, feed.now_ms()) == later


async def test_a_message_published_twice_is_stored_once(nats_server):
    feed = sim_feed(seed=4)
    batch, _ = feed.sim.tick()
    events = Events((Event("note-1", int(batch.ts.max()), EventKind.NOTE, "payment-gateway", "a note"),))
    pub = BusPublisher(nats_server.url, "dedup")
    await pub.start()
    for m in (batch, events, batch, events):  # a feed that sends again what it sent (a retry)
        pub.publish(m)
    await wait_until(lambda: pub.queued == 0)
    await pub.stop()
    assert (pub.stats.published, pub.stats.duplicates) == (2, 2)
    nc = await nats.connect(nats_server.url)
    info = await nc.jetstream().stream_info(stream_name("dedup"))
    await nc.close()
    assert info.state.messages == 2


async def test_an_existing_stream_with_other_settings_is_updated(nats_server, caplog):
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=stream_name("old"), subjects=["warroom.old.>"], max_age=60.0))
    pub = BusPublisher(nats_server.url, "old", max_age_s=7200)
    with caplog.at_level(logging.WARNING, logger="warroom.bus"):
        assert await pub.start()
    await pub.stop()
    info = await js.stream_info(stream_name("old"))
    await nc.close()
    assert info.config.max_age == 7200
    assert "exists with another configuration" in caplog.text


async def test_a_stream_deleted_mid_run_is_recreated_and_the_gap_told(nats_server, caplog):
    feed = sim_feed(seed=5)
    capture = Capture()
    pub = BusPublisher(nats_server.url, "deleted", snapshot=feed.snapshot_messages, now_ms=feed.now_ms)
    await pub.start()
    tee = BusTee(capture, pub)
    task = asyncio.create_task(feed.run(tee))
    await wait_until(lambda: pub.stats.published >= 5)
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    with caplog.at_level(logging.WARNING, logger="warroom.bus"):
        assert await js.delete_stream(stream_name("deleted"))
        deleted_at = len(capture.messages)
        await wait_until(lambda: pub.stats.stream_recreated == 1, what="the stream recreated")
        await asyncio.sleep(1.0)
        feed.stop()
        await task
        await pub.stop()
    info = await js.stream_info(stream_name("deleted"))
    await nc.close()
    assert pub.stats.stream_recreated == 1 and pub.queued == 0
    assert "had disappeared" in caplog.text

    msgs = await read_stream(nats_server.url, "warroom.deleted.>")
    assert info.state.messages == len(msgs) > 0
    got = decode_all(msgs, feed.now_ms())
    gap = [e for m in got if isinstance(m, Events) for e in m.events if e.kind is EventKind.FEED]
    assert len(gap) == 1 and gap[0].attrs["action"] == "stream_recreated"
    assert got[0].events[0] == gap[0]  # the explanation comes first, then the state
    assert any(isinstance(m, TopologySnapshot) for m in got)
    # Everything broadcast after the deletion is there, the frame that met the missing stream too.
    after = [m for m in capture.messages[deleted_at:] if isinstance(m, MetricBatch)]
    got_batches = [m for m in got if isinstance(m, MetricBatch)]
    assert after and all(b in got_batches for b in after)
