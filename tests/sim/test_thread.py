"""The simulator feed served from its own thread, as the demo runs it."""

from __future__ import annotations

import asyncio

import pytest

from warroom.io.client import FeedClient
from warroom.protocol import MetricBatch
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.sim.thread import SimFeedThread

from .support import PEAK_MS


def test_serves_from_a_thread_and_stops_cleanly():
    thread = SimFeedThread(SimFeed(Simulator(seed=7, start_ms=PEAK_MS), speed=60.0))
    url = thread.start()
    assert url.startswith("ws://127.0.0.1:")

    async def first_batch() -> MetricBatch:
        client = FeedClient(url)
        task = asyncio.create_task(client.run())
        try:
            while True:
                item = await asyncio.wait_for(client.queue.get(), 5)
                if isinstance(item, MetricBatch) and len(item):
                    return item
        finally:
            await client.stop()
            await task

    batch = asyncio.run(first_batch())
    assert len(batch.series) > 200
    thread.stop()
    assert not thread._thread.is_alive()


def test_a_port_in_use_is_reported_by_start():
    first = SimFeedThread(SimFeed(Simulator(seed=1, start_ms=PEAK_MS)))
    url = first.start()
    port = int(url.rsplit(":", 1)[1])
    second = SimFeedThread(SimFeed(Simulator(seed=1, start_ms=PEAK_MS)), port=port)
    try:
        with pytest.raises(OSError):
            second.start()
    finally:
        first.stop()
        second.stop()
