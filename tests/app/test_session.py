"""FeedSession: the simulator's feed reaches the live view and the history store alike."""

from __future__ import annotations

import asyncio

from warroom.core.model import EventKind, SeriesKey
from warroom.io.server import FeedServer
from warroom.app.session import FeedSession
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.store import StoreWriter
from warroom.store.live import LiveView

START = 1_763_605_800_000


async def test_view_and_store_see_the_same_feed(tmp_path):
    sim = Simulator(seed=7, start_ms=START)
    sim.inject_fault("dependency_outage", "bank-icbc", delay_s=5)
    feed = SimFeed(sim, speed=100.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    await server.start()
    feed_task = asyncio.create_task(feed.run(server))
    view = LiveView()
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    session = FeedSession(server.url, view, writer)
    task = asyncio.create_task(session.run())
    try:
        for _ in range(200):
            await asyncio.sleep(0.05)
            if view.newest_ms is not None and view.newest_ms >= START + 20_000:
                break
        assert view.newest_ms is not None and view.newest_ms >= START + 20_000
        assert len(view.topology) == len(sim.topology)
        assert view.plans and view.series_count == len(sim.series)
        session.sync_clock()
        assert view.feed_state == "live" and view.data_age_ms is not None
        kinds = {e.kind for e in view.events()}
        assert EventKind.FAULT in kinds and EventKind.FEED in kinds  # server events and our own
    finally:
        await session.stop()
        task.cancel()
        feed.stop()
        feed_task.cancel()
        await server.stop()
    await asyncio.to_thread(writer.flush)
    key = SeriesKey("scenario_tps", {"scenario": "qr_pay"})
    stored = writer.reader().range([key], START, view.newest_ms + 1, max_points=10_000)[key]
    ts, values = view.window(key, view.newest_ms - START)
    assert stored.ts.tolist()[: len(ts)] == ts.tolist()
    assert stored.value.tolist()[: len(values)] == values.tolist()
    stored_events = {e.id for e in writer.reader().events(START - 86_400_000, view.newest_ms + 86_400_000)}
    assert {e.id for e in view.events()} <= stored_events
    writer.close()
