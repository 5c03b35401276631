"""The live series catalogue: it learns from the view as points arrive, keeps what the view
forgets, counts per series the points the decoder refused, starts again after a replay's seek,
and ``watch_catalogue`` reads a real feed."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from tests.hostile import HostileServer, until
from warroom.app.catalogue import LiveCatalogue, live_catalogue, watch_catalogue
from warroom.app.session import FeedSession
from warroom.core.catalogue import Flag
from warroom.core.model import SeriesKey
from warroom.protocol.messages import MetricBatch
from warroom.store import StoreWriter
from warroom.store.live import LiveView

T0 = 1_767_225_600_000
A = SeriesKey("service_error_ratio", {"service": "trade"})
B = SeriesKey("job_last_success_timestamp_seconds", {"service": "settle"})


def _batch(key: SeriesKey, ts, values) -> MetricBatch:
    ts = np.asarray(ts, dtype=np.int64)
    return MetricBatch((key,), np.zeros(len(ts), dtype=np.int32), ts, np.asarray(values, dtype=np.float64))


def test_it_learns_as_points_arrive_and_counts_each_point_once():
    view = LiveView()
    live = LiveCatalogue(view, source="feed-1")
    view.add_batch(_batch(A, T0 + np.arange(10) * 1000, np.full(10, 0.1)))
    view.add_batch(_batch(B, [T0], [1.0]))
    assert live.poll() == 11
    assert live.poll() == 0  # nothing new
    view.add_batch(_batch(A, T0 + 10_000 + np.arange(5) * 1000, [0.1, 0.1, 1.7, 0.1, 0.1]))
    view.add_batch(_batch(B, [T0 + 5_000], [2.0]))
    assert live.poll() == 6
    cat = live.catalogue()
    a, b = cat.get(A), cat.get(B)
    assert (a.stats.points, a.stats.interval_ms, a.invalid, a.flags) == (15, 1000.0, 1, {Flag.INVALID})
    assert (b.stats.points, b.stats.interval_ms) == (2, 5000.0)
    # the feed declared nothing: the standard series of the protocol are described anyway
    assert a.description.startswith("Share of the service's requests") and b.unit == "unix s"
    assert cat.source == "feed-1" and cat.now_ms == T0 + 14_000
    assert Flag.SILENT not in b.flags  # 9 s since its last point: under the floor


def test_a_series_the_view_dropped_stays_in_the_catalogue_flagged_silent():
    view = LiveView(series_timeout_ms=60_000)
    live = live_catalogue(view)
    assert live_catalogue(view) is live  # made once per view
    view.add_batch(_batch(B, [T0], [1.0]))
    live.poll()
    view.add_batch(_batch(A, T0 + np.arange(0, 120_001, 1000), np.full(121, 0.1)))
    live.poll()
    assert view.keys() == [A]  # the view forgot B
    b = live.catalogue().get(B)
    assert b is not None and b.flags == {Flag.SILENT} and b.silent_for_ms == 120_000


def test_refused_points_are_counted_per_series_and_bounded():
    view = LiveView()
    live = LiveCatalogue(view)
    view.add_batch(_batch(A, [T0], [0.1]))
    live.poll()
    live.add_refused({A: 2})
    live.add_refused({A: 1, B: 4})
    cat = live.catalogue()
    assert cat.get(A).stats.refused == 3 and cat.get(A).flags == {Flag.REFUSED}
    assert cat.get(B).stats.points == 0 and cat.get(B).stats.refused == 4  # every point refused: still listed
    from warroom.protocol.refusals import MAX_COUNTED

    many = {SeriesKey("m", {"i": str(i)}): 1 for i in range(MAX_COUNTED + 50)}
    live.add_refused(many)
    assert len(live.refused) == MAX_COUNTED
    live.add_refused({A: 1})
    assert live.refused[A] == 4  # a known series still counts


def test_a_replay_seek_back_starts_the_count_again():
    view = LiveView()
    live = LiveCatalogue(view)
    view.add_batch(_batch(A, T0 + np.arange(60) * 1000, np.full(60, 0.1)))
    live.poll()
    view.clear()  # what a replay does when it jumps
    view.add_batch(_batch(A, T0 + np.arange(10) * 1000, np.full(10, 0.1)))
    live.poll()
    assert live.catalogue().get(A).stats.points == 10


@pytest.fixture
async def feed():
    server = HostileServer(server_id="hostile-cat")
    await server.start()
    yield server
    await server.stop()


SERIES = {"name": "refund_ratio", "labels": {"service": "trade"}}
KEY = SeriesKey("refund_ratio", {"service": "trade"})


async def test_the_console_counts_refused_points_on_their_series(feed, tmp_path):
    view, writer = LiveView(), StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    session = FeedSession(feed.url, view, writer)
    task = asyncio.create_task(session.run())
    try:
        await feed.wait_subscribed()
        t0 = feed.now_ms() // 1000 * 1000 - 60_000
        await feed.send(feed.metrics(SERIES, [t0, t0 + 1000, (t0 + 2000) // 1000], [0.1, None, 0.2]))
        await feed.send(feed.metrics(SERIES, t0 + 3000, 1.2))
        await until(lambda: view.newest_ms == t0 + 3000, what="the last point")
        live = live_catalogue(view)
        live.poll()
        entry = live.catalogue().get(KEY)
        assert (entry.stats.points, entry.stats.refused, entry.invalid) == (2, 2, 1)
        assert entry.flags == {Flag.REFUSED, Flag.INVALID}
        assert entry.source == "hostile-cat"
        assert not task.done()
    finally:
        await session.stop()
        task.cancel()
    writer.close()


async def test_the_recording_keeps_the_refusals_per_series_for_the_history_s_catalogue(feed, tmp_path):
    from warroom.store import HistoryReader
    from warroom.store.catalogue import history_catalogue

    view, writer = LiveView(), StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    session = FeedSession(feed.url, view, writer)
    task = asyncio.create_task(session.run())
    try:
        await feed.wait_subscribed()
        t0 = feed.now_ms() // 1000 * 1000 - 60_000
        await feed.send(feed.metrics(SERIES, [t0, t0 + 1000, t0 + 2000], [0.1, None, None]))
        await until(lambda: view.newest_ms == t0, what="the good point")
        await until(lambda: session.client.refusals.as_dict() == {KEY: 2}, what="the refusals counted")
    finally:
        await session.stop()  # the recorder writes its last error totals
        task.cancel()
    writer.close()
    with HistoryReader(tmp_path / "h.duckdb") as reader:
        entry = history_catalogue(reader).get(KEY)
    assert (entry.stats.points, entry.stats.refused) == (1, 2) and Flag.REFUSED in entry.flags


async def test_watch_catalogue_reads_a_feed_for_a_while(feed):
    async def send() -> None:
        await feed.wait_subscribed()
        t0 = feed.now_ms() // 1000 * 1000 - 60_000
        await feed.send(feed.metrics(SERIES, [t0, t0 + 1000], [0.1, float("nan")]))

    sender = asyncio.create_task(send())
    watched = await watch_catalogue(feed.url, 1.5)
    await sender
    assert watched.server_id == "hostile-cat" and watched.catalogue.source == "hostile-cat"
    assert watched.catalogue.get(KEY).stats.refused == 1
    assert watched.refused.get("non_finite") == 1


async def test_watch_catalogue_of_nothing_says_so():
    with pytest.raises(ConnectionError, match="nothing received"):
        await watch_catalogue("ws://127.0.0.1:9", 0.5)
