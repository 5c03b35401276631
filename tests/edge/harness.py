"""A site on a real JetStream for the edge tests: a simulator publishing (and executing the commands
that come through the bus), edges in-process, and consoles that collect what they receive."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from tests.bus.conftest import Capture, sim_feed, wait_until
from warroom.bus import BusPublisher, BusTee
from warroom.bus.commands import CommandRelay
from warroom.edge import Edge
from warroom.io.client import FeedClient, FeedNotice, FeedStatus
from warroom.protocol import CommandResult, Events, Hello, MetricBatch, PlanCatalogue, TopologySnapshot


class SimSite:
    """``warroom sim --nats`` in-process: the feed published to the bus, commands relayed to it."""

    def __init__(self, url: str, site: str, *, seed: int = 1, speed: float = 10.0) -> None:
        self.url = url
        self.site = site
        self.feed = sim_feed(seed=seed, speed=speed)
        self.capture = Capture()  # everything the feed broadcast, in order
        self.publisher = BusPublisher(url, site, snapshot=self.feed.snapshot_messages, now_ms=self.feed.now_ms,
                                      feed_name=self.feed.feed_name, speed=self.feed.speed,
                                      retry_max_s=0.5, connect_timeout_s=0.5)
        self.relay = CommandRelay(url, site, self.feed.handle_command, retry_s=0.3)
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        await self.publisher.start()
        self._tasks = [asyncio.create_task(self.feed.run(BusTee(self.capture, self.publisher))),
                       asyncio.create_task(self.relay.run())]

    async def stop(self) -> None:
        self.feed.stop()
        await self.relay.stop()
        for t in self._tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await self.publisher.stop()

    def points(self) -> dict[tuple[Any, int], float]:
        """Every point the feed broadcast: ``(series, ts) -> value``."""
        return points_of(self.capture.messages)


def points_of(messages: list[Any]) -> dict[tuple[Any, int], float]:
    out: dict[tuple[Any, int], float] = {}
    for m in messages:
        if isinstance(m, MetricBatch):
            for i, t, v in zip(m.index.tolist(), m.ts.tolist(), m.values.tolist()):
                out[(m.series[i], t)] = v
    return out


@dataclass
class Console:
    """A headless console: a FeedClient and everything it received."""

    client: FeedClient
    messages: list[Any] = field(default_factory=list)
    statuses: list[FeedStatus] = field(default_factory=list)
    notices: list[FeedNotice] = field(default_factory=list)
    hellos: list[Hello] = field(default_factory=list)
    duplicates: int = 0
    task: asyncio.Task | None = None
    consumer: asyncio.Task | None = None
    _seen: set = field(default_factory=set)

    @classmethod
    def start(cls, url: str, **kw: Any) -> "Console":
        console = cls(FeedClient(url, **kw))
        console.task = asyncio.create_task(console.client.run())
        console.consumer = asyncio.create_task(console._consume())
        return console

    async def _consume(self) -> None:
        while True:
            item = await self.client.queue.get()
            if isinstance(item, FeedStatus):
                self.statuses.append(item)
            elif isinstance(item, FeedNotice):
                self.notices.append(item)
            elif isinstance(item, Hello):
                self.hellos.append(item)
            else:
                if isinstance(item, MetricBatch):
                    for i, t in zip(item.index.tolist(), item.ts.tolist()):
                        key = (item.series[i], t)
                        self.duplicates += key in self._seen
                        self._seen.add(key)
                self.messages.append(item)

    async def stop(self) -> None:
        await self.client.stop()
        for t in (self.task, self.consumer):
            if t is not None:
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t

    def points(self) -> dict[tuple[Any, int], float]:
        return points_of(self.messages)

    def of(self, kind: type) -> list[Any]:
        return [m for m in self.messages if isinstance(m, kind)]

    def event_ids(self) -> set[str]:
        return {e.id for m in self.of(Events) for e in m.events}

    def results(self, key: str) -> list[CommandResult]:
        return [m for m in self.of(CommandResult) if m.idempotency_key == key]


def live_batches(console: Console) -> list[MetricBatch]:
    """The batches with points after the first one (the edge's newest point of every series)."""
    return [b for b in console.of(MetricBatch) if len(b)][1:]


def missing(site: SimSite, console: Console, after_ms: int | None = None) -> list:
    """Points the feed broadcast at or after ``after_ms`` (default: the console's first live
    point) that the console never got."""
    start = after_ms if after_ms is not None else min(int(b.ts.min()) for b in live_batches(console))
    got = console.points()
    return [k for k in site.points() if k[1] >= start and k not in got]


async def drain(site: SimSite, consoles: list[Console], timeout: float = 30.0) -> None:
    """Stop the feed, then wait until every console has the newest point the feed broadcast."""
    site.feed.stop()
    await asyncio.sleep(0.2)
    await wait_until(lambda: site.publisher.queued == 0, timeout, what="the publisher drained")
    newest = max(t for _, t in site.points())
    await wait_until(lambda: all(max((t for _, t in c.points()), default=0) >= newest for c in consoles), timeout,
                     what="the consoles caught up")


def counting_runs(handle):
    """``(wrapper, runs)``: ``handle_command`` that notes every result that was not a replay."""
    runs: list = []

    async def counting(command, client_id):
        results = await handle(command, client_id)
        runs.extend(r for r in results if not r.replay)
        return results

    return counting, runs


async def start_edge(url: str, site: str, *, sync_timeout_s: float = 20.0, **kw: Any) -> Edge:
    edge = Edge(url, site, port=0, **kw)
    await edge.start(sync_timeout_s=sync_timeout_s)
    return edge


__all__ = ["Console", "SimSite", "counting_runs", "drain", "live_batches", "missing", "points_of", "start_edge",
           "wait_until", "PlanCatalogue", "TopologySnapshot"]
