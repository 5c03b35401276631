"""The recorder: feed -> store, with feed state changes written to the event log."""

from __future__ import annotations

import asyncio
import threading

from warroom.core.clock import wall_ms
from warroom.core.model import EventKind, SeriesKey
from warroom.io.client import Backoff, FeedClient
from warroom.app.recorder import Recorder
from warroom.io.server import FeedServer
from warroom.protocol import MetricBatch
from warroom.store import StoreWriter


def tick(t: int, n: int = 60) -> MetricBatch:
    return MetricBatch.from_points([(SeriesKey("m", {"i": str(i)}), t, float(i)) for i in range(n)])


async def until(cond, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_records_points_and_explains_the_gap(source, tmp_path):
    lines: list[str] = []
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    server = FeedServer(source, port=0, heartbeat_s=0.1)
    await server.start()
    port = server.port
    client = FeedClient(server.url, backoff=Backoff(initial=0.05, maximum=0.1))
    rec = Recorder(client, writer, report=lines.append, report_every_s=0.05)
    tasks = [asyncio.create_task(client.run()), asyncio.create_task(rec.run())]
    t0 = wall_ms() // 1000 * 1000
    try:
        await until(lambda: server.client_count == 1)
        for i in range(3):
            server.broadcast(tick(t0 + i * 1000))
        await until(lambda: rec.stats.points == 180)
        await server.stop()
        await until(lambda: any("feed disconnected" in ln for ln in lines))
        server = FeedServer(source, port=port, heartbeat_s=0.1)
        await server.start()
        await until(lambda: server.client_count == 1)
        for i in range(10, 12):
            server.broadcast(tick(t0 + i * 1000))
        await until(lambda: rec.stats.points == 300)
    finally:
        await client.stop()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.stop()
    await asyncio.to_thread(writer.flush)
    reader = writer.reader()
    data = reader.range([SeriesKey("m", {"i": "5"})], t0 - 1000, t0 + 20_000, max_points=100)[SeriesKey("m", {"i": "5"})]
    assert data.ts.tolist() == [t0, t0 + 1000, t0 + 2000, t0 + 10_000, t0 + 11_000]  # the gap stays a gap
    feed_events = reader.events(t0 - 60_000, wall_ms() + 60_000, kinds=[EventKind.FEED])
    # (a final "disconnected: stopped" may or may not be recorded, depending on which task ends first)
    states = [e.attrs["state"] for e in feed_events if e.attrs["reason"] != "stopped"]
    assert states == ["live", "disconnected", "live"]
    assert "server closed" in feed_events[1].title or "connection" in feed_events[1].title
    writer.close()
    assert any("+180 points" in ln or "points" in ln for ln in lines)


async def test_a_full_store_makes_the_recorder_wait_not_drop(source, tmp_path):
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05, max_pending_points=100)
    disk = threading.Event()  # a stalled disk: the writer thread cannot commit until set
    real_write = writer._appender.write

    def slow_write(*args, **kwargs):
        disk.wait(10)
        return real_write(*args, **kwargs)

    writer._appender.write = slow_write
    client = FeedClient("ws://127.0.0.1:9")  # never run: we feed the queue by hand
    rec = Recorder(client, writer)
    t0 = wall_ms() // 1000 * 1000
    try:
        for i in range(2):  # the writer takes one batch into its stalled flush, the queue the other
            await rec.handle(tick(t0 + i * 1000, 60))
        pending = asyncio.create_task(rec.handle(tick(t0 + 2000, 60)))  # 120 > 100: must wait
        await asyncio.sleep(0.3)
        assert not pending.done() and rec.stats.waits > 0
        assert rec.stats.points == 120  # the third batch is neither counted nor lost
        disk.set()  # the store catches up...
        await asyncio.wait_for(pending, 5)  # ...and the waiting batch goes in
        await asyncio.to_thread(writer.flush)
        assert writer.health.flushed_points == 180
    finally:
        disk.set()
        writer.close()
