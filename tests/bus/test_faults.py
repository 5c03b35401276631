"""The bus publisher when NATS is down (at start, mid-run) and when a batch is over max_payload."""

from __future__ import annotations

import asyncio
import logging

import numpy as np

from tests.bus.conftest import Capture, decode_all, read_stream, sim_feed, wait_until
from tests.natsstack import NatsServer
from warroom.bus import BusPublisher, BusTee
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.protocol import Events, MetricBatch


async def test_nats_down_at_start_the_feed_runs_and_the_bus_catches_up(tmp_path, caplog):
    nats_server = NatsServer.start(tmp_path / "nats", wait=False)  # configured, not running yet
    try:
        feed = sim_feed(seed=11)
        capture = Capture()
        pub = BusPublisher(nats_server.url, "late", snapshot=feed.snapshot_messages, now_ms=feed.now_ms,
                           retry_max_s=0.5, connect_timeout_s=0.5)
        with caplog.at_level(logging.INFO, logger="warroom.bus"):
            assert not await pub.start()
            task = asyncio.create_task(feed.run(BusTee(capture, pub)))
            await wait_until(lambda: len(capture.messages) >= 10, what="the feed broadcasting without NATS")
            assert pub.stats.failures >= 1 and pub.stats.published == 0 and pub.queued >= 10
            await asyncio.sleep(1.0)  # more failed attempts: still one line in the log
            await asyncio.to_thread(nats_server.start_again)
            await wait_until(lambda: pub.stats.published > 0 and pub.queued == 0, what="the bus catching up")
            feed.stop()
            await task
            await pub.stop()
        assert pub.stats.failures >= 2 and pub.stats.outages == 1 and pub.stats.dropped == 0
        assert caplog.text.count("unreachable") == 1
        assert caplog.text.count("back after") == 1

        msgs = await read_stream(nats_server.url, "warroom.late.metrics")
        sent = [m for m in capture.messages if isinstance(m, MetricBatch)]
        assert decode_all(msgs, feed.now_ms()) == sent  # nothing lost, nothing twice
    finally:
        nats_server.stop()


async def test_nats_down_mid_run_drops_oldest_metrics_first_and_keeps_events(tmp_path, caplog):
    nats_server = NatsServer.start(tmp_path / "nats")
    try:
        feed = sim_feed(seed=12)
        pub = BusPublisher(nats_server.url, "outage", max_queue=20, retry_max_s=0.5, connect_timeout_s=0.5,
                           ack_timeout_s=0.5)
        assert await pub.start()
        first, _ = feed.sim.tick()
        pub.publish(first)
        await wait_until(lambda: pub.stats.published == 1)
        nats_server.stop()
        batches = []
        notes = []
        with caplog.at_level(logging.WARNING, logger="warroom.bus"):
            for i in range(40):  # two queues' worth of frames while NATS is down
                batch, _ = feed.sim.tick()
                batches.append(batch)
                pub.publish(batch)
                if i % 10 == 0:
                    note = Events((Event(f"note-{i}", int(batch.ts.max()), EventKind.NOTE, "svc", f"note {i}"),))
                    notes.append(note)
                    pub.publish(note)
                await asyncio.sleep(0.02)
            assert pub.queued == 20
            await asyncio.to_thread(nats_server.start_again)
            await wait_until(lambda: pub.queued == 0, what="the queue drained")
            await pub.stop()
        assert pub.stats.dropped == 40 + len(notes) - 20 and pub.stats.dropped_events == 0
        assert caplog.text.count("queue full") == 1
        msgs = await read_stream(nats_server.url, "warroom.outage.>")
        got = decode_all(msgs, feed.now_ms())
        assert [m for m in got if isinstance(m, Events)] == notes  # every event kept
        kept = [m for m in got if isinstance(m, MetricBatch)]
        assert kept == [first] + batches[-len(kept) + 1:]  # the newest frames, in order
    finally:
        nats_server.stop()


async def test_a_batch_over_max_payload_arrives_split(tmp_path, caplog):
    nats_server = NatsServer.start(tmp_path / "nats", max_payload=65536)
    try:
        n_series, per_series = 3000, 4
        keys = [SeriesKey("latency_p99_ms", {"service": f"svc-{i:04d}", "region": "east-1"}) for i in range(n_series)]
        rng = np.random.default_rng(1)
        index = np.repeat(np.arange(n_series), per_series)
        ts = 1_764_000_000_000 + np.tile(np.arange(per_series) * 1000, n_series)
        batch = MetricBatch(tuple(keys), index, ts, rng.random(len(index)) * 100, sent_at=1_764_000_003_000)
        pub = BusPublisher(nats_server.url, "big")
        with caplog.at_level(logging.WARNING, logger="warroom.bus"):
            assert await pub.start()
            assert pub.max_payload == 65536
            pub.publish(batch)
            await wait_until(lambda: pub.queued == 0)
            await pub.stop()
        assert caplog.text == ""
        assert pub.stats.split == 1 and pub.stats.unpublishable == 0 and pub.stats.failures == 0
        msgs = await read_stream(nats_server.url, "warroom.big.metrics")
        assert len(msgs) > 10 and all(len(m.data) <= 65536 for m in msgs)
        parts = decode_all(msgs, 1_764_000_003_000)
        def order(p):
            return p[0].text, p[1]

        points = sorted((p for part in parts for p in part.points()), key=order)
        assert len(points) == len(batch) and points == sorted(batch.points(), key=order)
    finally:
        nats_server.stop()
