"""FeedSession: the simulator's feed reaches the live view and the history store alike."""

from __future__ import annotations

import asyncio

from tests.hostile import HostileServer
from warroom.app.watch import AlertWatch
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


async def test_an_item_a_stage_chokes_on_is_reported_skipped_and_still_stored(tmp_path):
    """Finding 1: the alert watch raising on one batch once killed the consumer silently."""
    feed = HostileServer()
    await feed.start()
    view = LiveView()
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    watch = AlertWatch.from_rules_file()
    real_on_batch, seen = watch.on_batch, []

    def choking(batch):
        seen.append(batch)
        if len(seen) == 2:
            "\ud800".encode()  # what a lone surrogate did to the alert fingerprint
        return real_on_batch(batch)

    watch.on_batch = choking
    session = FeedSession(feed.url, view, writer, watch=watch)
    task = asyncio.create_task(session.run())
    t0 = feed.now_ms() - 60_000
    try:
        await feed.wait_subscribed()
        for i in range(3):
            await feed.send(feed.metrics({"name": "m"}, t0 + i * 1000, float(i)))
        for _ in range(200):
            if view.newest_ms == t0 + 2000:
                break
            await asyncio.sleep(0.02)
        session.sync_clock()
        assert view.newest_ms == t0 + 2000 and not task.done()  # the consumer goes on
        assert len(seen) == 3  # the watch saw the next batch too
        assert session.supervisor.faults == 1
        assert view.feed_faults == 1 and "recorder: alert watch failed (UnicodeEncodeError" in view.feed_fault
        assert "item skipped" in view.feed_fault
    finally:
        await session.stop()
        task.cancel()
        await feed.stop()
    await asyncio.to_thread(writer.flush)
    reader = writer.reader()
    key = SeriesKey("m", {})
    assert reader.range([key], t0, t0 + 10_000)[key].ts.tolist() == [t0, t0 + 1000, t0 + 2000]
    faults = [e for e in reader.events(0, 2**53, kinds=[EventKind.FEED]) if e.attrs.get("what") == "fault"]
    assert len(faults) == 1 and faults[0].attrs["task"] == "recorder: alert watch"
    writer.close()


async def test_a_task_that_crashes_is_restarted_and_shown_on_the_view(tmp_path):
    view = LiveView()
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    session = FeedSession("ws://127.0.0.1:9", view, writer)  # nothing listens: the client just retries
    real_check, calls = session.recorder.check_store, []

    def check_once_broken():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("housekeeping bug")
        real_check()

    session.recorder.check_store = check_once_broken
    task = asyncio.create_task(session.run())
    try:
        for _ in range(200):
            if len(calls) >= 2:
                break
            await asyncio.sleep(0.02)
        assert len(calls) >= 2  # restarted
        session.sync_clock()
        assert view.feed_faults == 1
        assert "recorder housekeeping failed (RuntimeError: housekeeping bug); restarting in" in view.feed_fault
    finally:
        await session.stop()
        task.cancel()
        writer.close()


async def test_new_baselines_learn_their_history_from_the_store_off_the_loop(tmp_path):
    """A console restarted on its history file: each new baseline series gets its past from the
    file (read in a worker thread), everything before its first live point, so the time-of-day
    profile is there from the start (issue 14, item 1)."""
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    earlier = Simulator(seed=3, start_ms=START - 3_600_000)
    for _ in range(600):  # ten minutes, an hour before this session
        writer.append_metrics(earlier.tick()[0])
    await asyncio.to_thread(writer.flush)
    sim = Simulator(seed=7, start_ms=START)
    feed = SimFeed(sim, speed=50.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    await server.start()
    feed_task = asyncio.create_task(feed.run(server))
    view = LiveView()
    watch = AlertWatch.from_rules_file()
    taught: dict[SeriesKey, tuple] = {}
    learn = watch.engine.learn_history
    watch.engine.learn_history = lambda key, ts, values: (taught.__setitem__(key, (ts, values)),
                                                          learn(key, ts, values))
    session = FeedSession(server.url, view, writer, watch=watch)
    assert watch.engine.wants_history
    task = asyncio.create_task(session.run())
    key = SeriesKey("service_latency_seconds", {"service": "trade", "quantile": "0.99"})
    try:
        for _ in range(200):
            await asyncio.sleep(0.05)
            if key in taught:
                break
    finally:
        await session.stop()
        task.cancel()
        feed.stop()
        feed_task.cancel()
        await server.stop()
    writer.close()
    assert key in taught, sorted(k.text for k in taught)[:5]
    ts, values = taught[key]
    assert len(ts) >= 6 and ts.max() < START and ts.min() >= START - 3_600_000
    assert all(0 < v < 5 for v in values.tolist())
