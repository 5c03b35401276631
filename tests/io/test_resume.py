"""Resumption: the server's replay buffer and ``subscribe.since`` (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter

import numpy as np
import pytest
from websockets.asyncio.client import connect

from warroom.core.model import Event, EventKind, SeriesKey
from warroom.io.resume import CATCHUP_POINTS_PER_FRAME, MIN_ENTRY_POINTS, ReplayBuffer
from warroom.io.server import FeedServer
from warroom.protocol import Decoder, Events, Hello, MetricBatch, Subscribe, encode
from warroom.protocol.codec import DEFAULT_MAX_FRAME_BYTES
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed

T0 = int(dt.datetime(2024, 11, 11, 2, 30, tzinfo=dt.UTC).timestamp() * 1000)
KEYS = tuple(SeriesKey("m", {"i": str(i)}) for i in range(100))  # ticks above MIN_ENTRY_POINTS


def tick(t: int, keys: tuple[SeriesKey, ...] = KEYS) -> MetricBatch:
    """One point per series at ``t``, valued ``t`` (so a point says which tick it came from)."""
    return MetricBatch(keys, np.arange(len(keys)), np.full(len(keys), t), np.full(len(keys), float(t)))


def event(n: int, t: int) -> Event:
    return Event(f"ev-{n}", t, EventKind.NOTE, "platform", f"note {n}")


class ClockSource:
    """A feed whose clock the test moves; no snapshot, no commands."""

    speed = 1.0

    def __init__(self, now: int = T0) -> None:
        self.now = now

    def now_ms(self) -> int:
        return self.now

    def snapshot_messages(self):
        return []

    async def handle_command(self, command, client_id):
        return []


# -- the buffer on its own ----------------------------------------------------------------
def test_buffer_keeps_the_time_window_and_says_where_it_starts():
    buf = ReplayBuffer(keep_ms=10_000, max_points=10**6)
    assert buf.resume_from is None  # nothing to resend yet
    for s in range(30):
        buf.add(tick(T0 + s * 1000), now_ms=T0 + s * 1000)
    # Ticks older than now - 10 s are gone: the newest evicted is T0 + 18 s.
    assert buf.resume_from == T0 + 18_000 + 1
    assert buf.points == 11 * len(KEYS)
    got = buf.catch_up(T0)
    assert sorted(set(np.concatenate([b.ts for b in got]).tolist())) == [T0 + s * 1000 for s in range(19, 30)]


def test_before_any_eviction_resume_from_is_the_oldest_time_held():
    buf = ReplayBuffer(keep_ms=10**9, max_points=10**6)
    buf.add(tick(T0 + 5000), T0 + 5000)
    buf.add(Events((event(1, T0 + 2000),)), T0 + 5000)  # an event older than the points
    assert buf.resume_from == T0 + 2000


def test_point_cap_shrinks_the_window_and_resume_from_follows():
    cap = 50 * len(KEYS)
    buf = ReplayBuffer(keep_ms=10**9, max_points=cap)
    for s in range(500):
        buf.add(tick(T0 + s * 1000), T0 + s * 1000)
    assert buf.points <= cap and buf.cost <= cap
    assert buf.points == cap  # exactly the newest 50 ticks
    assert buf.resume_from == T0 + 449_000 + 1
    assert buf.evicted_for_memory == 450


def test_tiny_messages_count_as_min_entry_points_so_they_cannot_pile_up():
    buf = ReplayBuffer(keep_ms=10**9, max_points=100 * MIN_ENTRY_POINTS)
    one = (SeriesKey("x"),)
    for s in range(10_000):
        buf.add(MetricBatch(one, [0], [T0 + s], [1.0]), T0 + s)
        buf.add(Events((event(s, T0 + s),)), T0 + s)
    assert len(buf._entries) <= 100
    assert buf.cost <= 100 * MIN_ENTRY_POINTS


def test_catch_up_is_exactly_what_came_after_since_events_first_and_in_bounded_frames():
    buf = ReplayBuffer(keep_ms=10**9, max_points=10**7)
    keys = tuple(SeriesKey("m", {"i": str(i)}) for i in range(3000))
    for s in range(20):
        buf.add(tick(T0 + s * 1000, keys), T0 + s * 1000)
        if s % 5 == 0:
            buf.add(Events((event(s, T0 + s * 1000),)), T0 + s * 1000)
    since = T0 + 6_000
    out = buf.catch_up(since, skip_event_ids=["ev-10"])
    events = [e.id for m in out if isinstance(m, Events) for e in m.events]
    assert events == ["ev-15"]  # ev-0, ev-5 are not after since; ev-10 the client was just given
    assert isinstance(out[0], Events)
    batches = [m for m in out if isinstance(m, MetricBatch)]
    assert all(len(b) <= CATCHUP_POINTS_PER_FRAME for b in batches)
    pts = Counter((b.series[i].text, int(t)) for b in batches for i, t in zip(b.index.tolist(), b.ts.tolist()))
    assert set(pts.values()) == {1}  # none twice
    assert set(pts) == {(k.text, T0 + s * 1000) for k in keys for s in range(7, 20)}  # none missing
    assert all(b.sent_at is None for b in batches)  # history, not a latency measure
    assert buf.catch_up(since, metrics=False, skip_event_ids=["ev-10"]) == out[:1]
    assert all(isinstance(m, MetricBatch) for m in buf.catch_up(since, events=False))


# -- the two fields on the wire -------------------------------------------------------------
def test_since_and_resume_from_round_trip_and_are_left_out_when_unset():
    dec = Decoder()
    for sub in (Subscribe("c", since=T0 + 1), Subscribe("c")):
        wire = json.loads(encode(sub))
        assert ("since" in wire) == (sub.since is not None)
        assert dec.decode(encode(sub), T0).message == sub
    for hello in (Hello("f", T0, capabilities=("resume",), resume_from=T0 - 5), Hello("f", T0)):
        wire = json.loads(encode(hello))
        assert ("resume_from" in wire) == (hello.resume_from is not None)
        assert dec.decode(encode(hello), T0).message == hello
    bad = dec.decode(json.dumps({"type": "hello", "server_id": "f", "server_time": T0, "versions": [1],
                                 "resume_from": "soon"}), T0)
    assert bad.message is None and bad.errors[0].code.value == "bad_field"
    # A since ahead of the feed is not refused: there is just nothing to resend.
    assert dec.decode(encode(Subscribe("c", since=T0 + 10**9)), T0).message.since == T0 + 10**9


# -- over the wire ---------------------------------------------------------------------------
async def _frames_after_subscribe(url: str, sub: Subscribe, want: int, now_ms) -> tuple[Hello, list]:
    """Open a raw connection, subscribe, and decode ``want`` frames after hello."""
    dec = Decoder()
    async with connect(url, proxy=None, max_size=None) as ws:
        hello = dec.decode(await ws.recv(), now_ms()).message
        await ws.send(encode(sub).decode())
        out = []
        while len(out) < want:
            frame = await asyncio.wait_for(ws.recv(), 5)
            result = dec.decode(frame, now_ms())
            assert not result.errors, result.errors
            out.append((frame, result.message))
    return hello, out


async def test_a_server_without_a_buffer_offers_no_resume_and_sends_nothing_old():
    src = ClockSource()
    server = FeedServer(src, port=0, resume_s=0, heartbeat_s=0.05)
    await server.start()
    try:
        for s in range(10):
            src.now = T0 + s * 1000
            server.broadcast(tick(src.now))
        hello, frames = await _frames_after_subscribe(
            server.url, Subscribe("raw", since=T0), 2, src.now_ms)
        assert "resume" not in hello.capabilities and hello.resume_from is None
        raw = json.loads(encode(hello))
        assert "resume_from" not in raw
        # Definitions, then heartbeats: no point of the ten ticks comes back.
        assert all(not isinstance(m, MetricBatch) or len(m) == 0 for _, m in frames)
        assert server.stats.resumed == 0 and server.stats.resent_points == 0
    finally:
        await server.stop()


async def test_since_older_than_the_buffer_gets_what_it_has_and_resume_from_says_where_that_starts():
    src = ClockSource()
    server = FeedServer(src, port=0, resume_points=20 * len(KEYS), heartbeat_s=5)
    await server.start()
    try:
        for s in range(100):
            src.now = T0 + s * 1000
            server.broadcast(tick(src.now))
        since = T0 + 10_000  # long evicted
        hello, frames = await _frames_after_subscribe(server.url, Subscribe("raw", since=since), 2, src.now_ms)
        assert "resume" in hello.capabilities
        assert hello.resume_from == T0 + 79_000 + 1  # ticks 80..99 are held
        _, (_, caught) = frames  # the definitions, then the catch-up
        assert isinstance(caught, MetricBatch)
        assert sorted(set(caught.ts.tolist())) == [T0 + s * 1000 for s in range(80, 100)]
        assert len(caught) == 20 * len(KEYS)
        assert server.stats.resume_gaps == 1 and server.stats.resent_points == 20 * len(KEYS)
    finally:
        await server.stop()


@pytest.mark.parametrize("encoding", ["json", "binary"])
async def test_a_long_catch_up_is_split_below_the_frame_limit(encoding):
    src = ClockSource()
    keys = tuple(SeriesKey("wide", {"i": str(i)}) for i in range(5000))
    server = FeedServer(src, port=0, heartbeat_s=5)
    await server.start()
    try:
        for s in range(30):  # 150,000 points
            src.now = T0 + s * 1000
            server.broadcast(tick(src.now, keys))
        n_frames = 1 + -(-150_000 // CATCHUP_POINTS_PER_FRAME)
        _, frames = await _frames_after_subscribe(
            server.url, Subscribe("raw", encodings=(encoding,), since=T0 - 1), n_frames, src.now_ms)
        caught = [(f, m) for f, m in frames[1:]]
        assert all(isinstance(m, MetricBatch) for _, m in caught)
        assert all(len(f) < DEFAULT_MAX_FRAME_BYTES and len(m) <= CATCHUP_POINTS_PER_FRAME for f, m in caught)
        assert sum(len(m) for _, m in caught) == 150_000
        assert all((f[:4] == b"WRB1") == (encoding == "binary") for f, _ in caught)
    finally:
        await server.stop()


async def test_memory_stays_bounded_under_a_huge_history_nobody_asks_for():
    src = ClockSource()
    server = FeedServer(src, port=0, resume_s=10**6, resume_points=100_000)
    keys = tuple(SeriesKey("h", {"i": str(i)}) for i in range(1000))
    for s in range(3000):  # 3,000,000 points of history, no client at all
        src.now = T0 + s * 1000
        server.broadcast(tick(src.now, keys))
    assert server.replay.points <= 100_000 and server.replay.cost <= 100_000
    assert server.replay.resume_from == T0 + 2899_000 + 1  # the newest 100 ticks are held


# -- the simulator, a client away for ~3 wall seconds at x60 ----------------------------------
async def _read_points(ws, dec: Decoder, feed: SimFeed, seen: Counter, until) -> None:
    while not until():
        result = dec.decode(await asyncio.wait_for(ws.recv(), 5), feed.now_ms())
        assert not result.errors, result.errors
        if isinstance(result.message, MetricBatch):
            b = result.message
            seen.update((b.series[i].text, t) for i, t in zip(b.index.tolist(), b.ts.tolist()))


@pytest.mark.parametrize("encoding", ["json", "binary"])
async def test_a_short_disconnect_leaves_no_gap_and_no_duplicate(encoding):
    feed = SimFeed(Simulator(seed=7, start_ms=T0), speed=60.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    await server.start()
    runner = asyncio.create_task(feed.run(server))
    seen: Counter = Counter()

    def newest() -> int:
        return max((t for _, t in seen), default=0)

    try:
        # A fresh decoder per connection: it must not hide a duplicate the server sent.
        async with connect(server.url, proxy=None, max_size=None) as ws:
            dec = Decoder()
            dec.decode(await ws.recv(), feed.now_ms())
            await ws.send(encode(Subscribe("wall-1", encodings=(encoding,))).decode())
            await _read_points(ws, dec, feed, seen, lambda: newest() >= T0 + 60_000)
        since = newest()
        await asyncio.sleep(3.0)  # ~180 simulated seconds go by
        assert feed.now_ms() > since + 120_000
        async with connect(server.url, proxy=None, max_size=None) as ws:
            dec = Decoder()
            hello = dec.decode(await ws.recv(), feed.now_ms()).message
            assert "resume" in hello.capabilities and hello.resume_from <= since + 1
            await ws.send(encode(Subscribe("wall-1", encodings=(encoding,), since=since)).decode())
            back = feed.now_ms()
            await _read_points(ws, dec, feed, seen, lambda: newest() >= back + 30_000)
    finally:
        feed.stop()
        await runner
        await server.stop()
    assert server.stats.resumed == 1 and server.stats.resume_gaps == 0
    assert set(seen.values()) == {1}, "a point was sent twice"
    by_series: dict[str, list[int]] = {}
    for text, t in seen:
        by_series.setdefault(text, []).append(t)
    assert len(by_series) == len(feed.sim.series)
    for text, stamps in by_series.items():
        stamps.sort()
        assert stamps[0] < since - 30_000 and stamps[-1] > since + 150_000
        assert np.all(np.diff(stamps) == 1000), f"{text}: a second is missing"


async def test_the_real_client_resumes_after_a_dropped_connection_with_no_gap_and_no_duplicate():
    from warroom.io.client import FeedClient
    from warroom.io.reconnect import Backoff, ConnectionState, FeedNotice, FeedStatus

    feed = SimFeed(Simulator(seed=7, start_ms=T0), speed=60.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    await server.start()
    runner = asyncio.create_task(feed.run(server))
    # Away for 2-3 wall seconds (the backoff's jitter), 120-180 simulated seconds.
    client = FeedClient(server.url, backoff=Backoff(initial=3.0, maximum=3.0))
    task = asyncio.create_task(client.run())
    seen: Counter = Counter()
    notices: list[FeedNotice] = []
    states: list[ConnectionState] = []

    async def read_until(done) -> None:
        while not done():
            item = await asyncio.wait_for(client.queue.get(), 10)
            if isinstance(item, MetricBatch):
                seen.update((item.series[i].text, t) for i, t in zip(item.index.tolist(), item.ts.tolist()))
            elif isinstance(item, FeedNotice):
                notices.append(item)
            elif isinstance(item, FeedStatus):
                states.append(item.state)

    def newest() -> int:
        return max((t for _, t in seen), default=0)

    try:
        await read_until(lambda: newest() >= T0 + 60_000)
        for link in list(server._clients):  # the network drops the connection
            await link.connection.close(1011, "network trouble")
        dropped_at = feed.now_ms()
        # ``since`` must cover every point the client holds: its estimate of the feed's now lags
        # the newest scrape a little, and a ``since`` clamped to it asked for points again.
        since = client.since
        held_beyond = sum(n for (_, t), n in seen.items() if t > since)
        assert held_beyond == 0, (held_beyond, since, newest())
        await read_until(lambda: states.count(ConnectionState.LIVE) >= 2 and newest() >= dropped_at + 150_000)
    finally:
        await client.stop()
        await task
        feed.stop()
        await runner
        await server.stop()
    assert ConnectionState.DISCONNECTED in states[states.index(ConnectionState.LIVE):]
    assert server.stats.resumed == 1 and server.stats.resent_points > 60 * len(feed.sim.series)
    assert not [n for n in notices if n.what == "gap"], notices
    # Exactly what came after `since` was resent: nothing refused, nothing delivered twice.
    assert client.errors.as_dict() == {}
    assert set(seen.values()) == {1}
    for text in {k for k, _ in seen}:
        stamps = sorted(t for k, t in seen if k == text)
        assert np.all(np.diff(stamps) == 1000), f"{text}: a second is missing"
