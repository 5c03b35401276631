"""A websocket feed server: speaks protocol v1 to any number of consoles.

The server is glue between a ``FeedSource`` (the simulator, an adapter for a real
monitoring system) and websocket connections:

* on connect it sends ``hello``, waits for ``subscribe``, then sends the source's
  current state (topology, plan catalogue) and adds the client to the broadcast set;
* ``broadcast()`` encodes a message once (with a server-wide ``seq``) and puts the bytes
  on every client's bounded queue;
* a client whose queue is full is a *slow consumer*: rather than buffering without bound
  or dropping frames silently, the server closes that connection with code 4008 and a
  reason, and counts it. The client sees the close, records the gap and reconnects;
* commands from clients go to ``FeedSource.handle_command``; their results go back to
  the sender only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from warroom.protocol import (
    SUPPORTED_VERSIONS,
    Command,
    CommandResult,
    Decoder,
    Heartbeat,
    Hello,
    Message,
    ServerError,
    Subscribe,
    encode,
)
from warroom.protocol.binary import is_binary_frame
from warroom.protocol.codec import encode_tail, frame_with_seq
from warroom.protocol.messages import ENCODINGS
from warroom.protocol.metrics import SeriesTable
from warroom.protocol.outgoing import Outgoing, defs_message_frame

log = logging.getLogger(__name__)

CLOSE_SLOW_CONSUMER = 4008
CLOSE_PROTOCOL = 1002
#: Hard websocket limit; our own, lower limit is enforced (and counted) by the decoder.
WS_MAX_SIZE = 16 * 1024 * 1024


class FeedSource(Protocol):
    """What the server needs from whatever produces the feed."""

    speed: float

    def now_ms(self) -> int:
        """The feed's current time (epoch ms in its own time base)."""
        ...  # pragma: no cover

    def snapshot_messages(self) -> list[Message]:
        """Messages that bring a new client up to date (topology, plan catalogue...)."""
        ...  # pragma: no cover

    async def handle_command(self, command: Command, client_id: str) -> list[CommandResult]:
        """Carry out (or refuse) a command; return its results in order."""
        ...  # pragma: no cover


@dataclass(eq=False)  # identity semantics: clients live in a set
class _Client:
    connection: ServerConnection
    client_id: str
    streams: frozenset[str]
    queue: asyncio.Queue[bytes]
    encoding: str = "json"
    dropped: bool = False
    seq: int = 0  # per connection, so a client subscribed to some streams sees no false gaps

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


@dataclass
class ServerStats:
    """Counters for logs and tests."""

    connections: int = 0
    slow_consumers: int = 0
    frames_broadcast: int = 0
    bad_client_frames: int = 0
    rejected_versions: int = 0
    clients_now: int = 0
    events: list[str] = field(default_factory=list)


_STREAM_OF = {"topology": "topology", "metrics": "metrics", "events": "events", "plan_catalogue": "plans"}


class FeedServer:
    """Serve a ``FeedSource`` over websockets on ``host:port`` (port 0 picks a free one)."""

    def __init__(
        self,
        source: FeedSource,
        host: str = "127.0.0.1",
        port: int = 8765,
        *,
        server_id: str | None = None,
        heartbeat_s: float = 1.0,
        client_queue_frames: int = 2000,
        subscribe_timeout_s: float = 10.0,
        compression: str | None = None,
    ) -> None:
        self.source = source
        self.host = host
        self.port = port
        self.server_id = server_id or f"warroom-{uuid.uuid4().hex[:8]}"
        self.heartbeat_s = heartbeat_s
        self.client_queue_frames = client_queue_frames
        self.subscribe_timeout_s = subscribe_timeout_s
        self.compression = compression
        self.stats = ServerStats()
        self._clients: set[_Client] = set()
        self._server: Server | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._series = SeriesTable()  # connection-scoped series ids, shared by all connections

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Bind and start serving; ``self.port`` is the bound port afterwards."""
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            max_size=WS_MAX_SIZE,
            compression=self.compression,
            ping_interval=10,
            ping_timeout=20,
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]
        self._heartbeat_task = asyncio.create_task(self._heartbeats(), name="feed-heartbeats")
        log.info("feed server %s listening on ws://%s:%d", self.server_id, self.host, self.port)

    async def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._heartbeat_task:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    @property
    def url(self) -> str:
        """The ``ws://`` address clients should use."""
        return f"ws://{self.host}:{self.port}"

    @property
    def client_count(self) -> int:
        """Clients currently subscribed."""
        return len(self._clients)

    # -- sending ---------------------------------------------------------------------
    def broadcast(self, message: Message) -> int:
        """Encode once and queue for every client subscribed to its stream; returns frames queued."""
        stream = _STREAM_OF.get(message.TYPE)
        out = Outgoing(message, self._series)  # registers new series even with no client yet
        self.stats.frames_broadcast += 1
        sent = 0
        for client in list(self._clients):
            if stream is not None and stream not in client.streams:
                continue
            if self._offer(client, out.frame(client.encoding, client.next_seq())):
                sent += 1
        return sent

    def _offer(self, client: _Client, frame: bytes) -> bool:
        try:
            client.queue.put_nowait(frame)
            return True
        except asyncio.QueueFull:
            self._drop_slow(client)
            return False

    def _drop_slow(self, client: _Client) -> None:
        if client.dropped:
            return
        client.dropped = True
        self._clients.discard(client)
        self.stats.slow_consumers += 1
        reason = f"slow consumer: {client.queue.qsize()} frames behind"
        self.stats.events.append(f"{client.client_id}: {reason}")
        del self.stats.events[:-100]  # a server runs for weeks: keep the recent ones
        log.warning("closing %s: %s", client.client_id, reason)
        task = asyncio.create_task(client.connection.close(CLOSE_SLOW_CONSUMER, reason))
        self._background.add(task)  # keep a reference until done, or it may be collected
        task.add_done_callback(self._background.discard)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            tail = encode_tail(Heartbeat(self.source.now_ms()))
            for client in list(self._clients):
                self._offer(client, frame_with_seq(tail, client.next_seq()))

    # -- one connection --------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        self.stats.connections += 1
        decoder = Decoder()
        hello = Hello(
            server_id=self.server_id,
            server_time=self.source.now_ms(),
            speed=self.source.speed,
            versions=SUPPORTED_VERSIONS,
            capabilities=("metrics", "events", "topology", "plans", "commands"),
            heartbeat_s=self.heartbeat_s,
        )
        try:
            await ws.send(encode(hello), text=True)
            sub = await self._await_subscribe(ws, decoder)
            if sub is None:
                return
            encoding = next((e for e in sub.encodings if e in ENCODINGS), "json")
            client = _Client(ws, sub.client_id, frozenset(sub.streams), asyncio.Queue(self.client_queue_frames), encoding)
            # No await from here until the client is in the broadcast set: the series
            # definitions it is given must be exactly those in force for the next batch.
            snapshot = [encode_tail(m) for m in self.source.snapshot_messages()
                        if _STREAM_OF.get(m.TYPE) is None or _STREAM_OF[m.TYPE] in client.streams]
            if "metrics" in client.streams and len(self._series):  # no seq spent on a frame not sent
                client.queue.put_nowait(defs_message_frame(self._series, encoding, client.next_seq()))
            for tail in snapshot:
                client.queue.put_nowait(frame_with_seq(tail, client.next_seq()))
            self._clients.add(client)
            self.stats.clients_now = len(self._clients)
            writer = asyncio.create_task(self._write(client))
            try:
                await self._read(client, decoder)
            finally:
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await writer
        except ConnectionClosed:
            pass
        finally:
            self._clients = {c for c in self._clients if c.connection is not ws}
            self.stats.clients_now = len(self._clients)

    async def _await_subscribe(self, ws: ServerConnection, decoder: Decoder) -> Subscribe | None:
        try:
            frame = await asyncio.wait_for(ws.recv(), self.subscribe_timeout_s)
        except TimeoutError:
            await ws.close(CLOSE_PROTOCOL, "expected subscribe")
            return None
        result = decoder.decode(frame, self.source.now_ms())
        sub = result.message
        if not isinstance(sub, Subscribe):
            self.stats.bad_client_frames += 1
            why = result.errors[0].message if result.errors else f"expected subscribe, got {type(sub).__name__}"
            await ws.send(encode(ServerError("bad_subscribe", why)), text=True)
            await ws.close(CLOSE_PROTOCOL, "expected subscribe")
            return None
        if not set(sub.versions) & set(SUPPORTED_VERSIONS):
            self.stats.rejected_versions += 1
            why = f"no common protocol version: client {list(sub.versions)}, server {list(SUPPORTED_VERSIONS)}"
            await ws.send(encode(ServerError("version_mismatch", why)), text=True)
            await ws.close(CLOSE_PROTOCOL, "version mismatch")
            return None
        return sub

    async def _write(self, client: _Client) -> None:
        while True:
            frame = await client.queue.get()
            # JSON goes out as text frames, WRB1 metric batches as binary ones (docs/protocol.md).
            await client.connection.send(frame, text=not is_binary_frame(frame))

    async def _read(self, client: _Client, decoder: Decoder) -> None:
        async for frame in client.connection:
            result = decoder.decode(frame, self.source.now_ms())
            msg = result.message
            if not isinstance(msg, Command):
                self.stats.bad_client_frames += 1
                why = result.errors[0].message if result.errors else f"unexpected {msg.TYPE if msg else 'frame'}"
                self._offer(client, encode(ServerError("bad_frame", why)))
                continue
            for res in await self.source.handle_command(msg, client.client_id):
                self._offer(client, encode(res))
