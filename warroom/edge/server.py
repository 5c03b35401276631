"""``warroom edge``: a stateless websocket fan-out of one site's feed from NATS JetStream.

    sources -> warroom gateway -> JetStream -> warroom edge x N -> consoles x M

An edge is a ``FeedServer`` (protocol v1.1: tokens, roles, TLS, binary frames, slow-consumer
cut-off, resumption) whose source is the stream (``EdgeSource`` fed by a ``BusFollower``):

* **A new console** gets the current state — topology, plan catalogue, recent events and the
  newest point of every series — then live data.
* **A console that resumes** (``subscribe.since``) gets what it missed from the edge's replay
  buffer, which the edge filled *from the stream by start time* when it started (``resume_s``
  back) and keeps filling live; so a console moving to another edge, or to this edge after a
  restart or ``kill -9``, misses nothing the buffer covers, and ``hello.resume_from`` names
  any older gap. Every edge of a site says the feed's own name in ``hello``.
* **Commands** go through the bus to the feed's source (``warroom.bus.commands``), exactly
  once whatever the edges and retries; the answer comes back to the console that sent it, and
  the plan's steps reach every console as events.
* **NATS down** at start or mid-run: the edge keeps its consoles, serves what it holds, tells
  them with a ``feed`` event (their data goes stale), and catches up when NATS is back.

Edges hold no state of their own, so any number of them can sit behind a TCP load balancer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from pathlib import Path
from typing import Any

from warroom.bus.commands import CommandSender
from warroom.bus.follower import BusFollower
from warroom.edge.source import EdgeSource
from warroom.io.auth import TokenStore
from warroom.io.connection import Link
from warroom.io.resume import DEFAULT_MAX_POINTS
from warroom.io.server import FeedServer
from warroom.protocol import Subscribe
from warroom.protocol.outgoing import Outgoing

log = logging.getLogger(__name__)

#: Default seconds of the stream an edge reads back at start and keeps for resuming consoles.
DEFAULT_EDGE_RESUME_S = 120.0
#: How long a starting edge waits to have read the stream before it listens anyway.
SYNC_TIMEOUT_S = 60.0


class EdgeServer(FeedServer):
    """A ``FeedServer`` that also gives a new console the newest point of every series."""

    def __init__(self, source: EdgeSource, *args: Any, resume_s: float = DEFAULT_EDGE_RESUME_S, **kw: Any) -> None:
        super().__init__(source, *args, resume_s=resume_s, **kw)
        self.resume_s = resume_s

    def _subscribe(self, client: Link, sub: Subscribe) -> None:
        super()._subscribe(client, sub)
        # Still no await since the definitions were queued: the live frames come after these.
        if sub.since is None and "metrics" in client.streams and not client.dropped:
            batch = self.source.last_values()
            if batch is not None:
                self._offer(client, Outgoing(batch, self._series).frame(client.encoding, client.next_seq()))


class Edge:
    """One edge: follower, source, server and command sender, started and stopped together."""

    def __init__(self, url: str, site: str, *, host: str = "127.0.0.1", port: int = 8765,
                 tokens: TokenStore | None = None, ssl_cert: str | Path | None = None,
                 ssl_key: str | Path | None = None, resume_s: float = DEFAULT_EDGE_RESUME_S,
                 resume_points: int = DEFAULT_MAX_POINTS, name: str | None = None,
                 client_queue_frames: int = 2000, answer_s: float = 30.0) -> None:
        self.name = name or f"{socket.gethostname()}:{port}"
        self.source = EdgeSource(site, self.name)
        self.follower = BusFollower(url, site, self.source.on_bus, warm_s=resume_s,
                                    on_state=self.source.on_bus_state, name=f"warroom-edge-{self.name}")
        self.sender = CommandSender(lambda: self.follower.js, site, answer_s=answer_s)
        self.server = EdgeServer(self.source, host, port, server_id=f"bus:{site}", tokens=tokens, ssl_cert=ssl_cert,
                                 ssl_key=ssl_key, resume_s=resume_s, resume_points=resume_points,
                                 client_queue_frames=client_queue_frames)
        self.source.attach(self.server, self.sender)
        self._task: asyncio.Task[None] | None = None

    async def start(self, sync_timeout_s: float = SYNC_TIMEOUT_S) -> bool:
        """Read the stream back, then listen; returns whether the stream was read (False: NATS
        down or slow — the edge listens anyway and catches up when it can)."""
        self._task = asyncio.create_task(self._follow(), name=f"edge-follower-{self.name}")
        try:
            await asyncio.wait_for(self.follower.synced.wait(), sync_timeout_s)
            synced = True
        except asyncio.TimeoutError:
            synced = False
            log.warning("edge %s: the stream was not read within %g s (NATS %s): listening anyway", self.name,
                        sync_timeout_s, "down" if not self.follower.up else "slow")
        await self.server.start()
        if self.source.feed_name:
            self.server.server_id = self.source.feed_name
        return synced

    async def _follow(self) -> None:
        while True:  # the follower never returns for an outage; anything else is a bug: say it, go on
            try:
                await self.follower.run()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                log.exception("edge %s: the bus follower crashed; restarting it", self.name)
                self.source.on_bus_state("gap", "the bus follower crashed and was restarted")
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        """Stop listening and following."""
        await self.server.stop()
        await self.follower.stop()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def url(self) -> str:
        """The edge's ``ws://`` address."""
        return self.server.url


async def discover_site(url: str, timeout_s: float = 5.0) -> list[str]:
    """The sites with a stream on the JetStream at ``url`` (``WARROOM_<SITE>``), as subject tokens."""
    import nats

    nc = await nats.connect(url, connect_timeout=timeout_s, allow_reconnect=False)
    try:
        streams = await nc.jetstream(timeout=timeout_s).streams_info()
    finally:
        await nc.close()
    return sorted(s.config.name[len("WARROOM_"):].lower() for s in streams
                  if s.config.name and s.config.name.startswith("WARROOM_"))
