"""A websocket feed server: speaks protocol v1 to any number of consoles.

The server is glue between a ``FeedSource`` (the simulator, an adapter for a real
monitoring system) and websocket connections:

* on connect it sends ``hello`` (and heartbeats from then on), waits for ``subscribe``,
  then sends the source's current state (topology, plan catalogue) and adds the client to
  the broadcast set;
* it keeps a replay buffer of what it broadcast (``warroom.io.resume``): a client that
  subscribes with ``since`` first gets what it missed, then the live stream, with no gap
  and no duplicate in between;
* ``broadcast()`` encodes a message once and puts it, with each connection's own ``seq``,
  on every subscribed client's bounded queue;
* a client whose queue is full is a *slow consumer*: rather than buffering without bound
  or dropping frames silently, the server closes that connection with code 4008 and a
  reason, and counts it. The client sees the close, records the gap and reconnects;
* commands from clients go to ``FeedSource.handle_command``; their results go back to
  the sender only. A client frame that is not a valid command is answered with an
  ``error`` (``bad_frame``; ``oversized`` when over the decoder's 4 MiB) whose message
  starts with the decoder's code (``non_finite: ...``), and the connection stays open; a
  frame over ``WS_MAX_SIZE`` makes the websocket layer close with 1009.

Access control (``warroom.io.auth``, docs/security.md): with a ``TokenStore`` the server
refuses, with HTTP 401 before the websocket upgrade, a client without a known token in its
``Authorization: Bearer`` header; ``hello`` tells the client its ``role`` and ``user``. A
command whose action the connection's role may not send is answered ``rejected`` with code
``forbidden`` and never reaches the source; the actor of an authenticated command is the
token's user name, whatever the client wrote. Without a token store, loopback clients are
commanders and others viewers, and the log says so. With ``ssl_cert``/``ssl_key`` the
server speaks TLS (``wss://``).

A command whose idempotency key is still being handled (sent again on another connection
after a reconnect) waits for the first and then gets the source's answer for that key, so
a source that yields while executing still runs each key at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import socket
import weakref
from pathlib import Path

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response

from warroom.io.auth import (
    Identity,
    RedactingLogger,
    TokenStore,
    is_loopback,
    server_ssl_context,
)
from warroom.io.connection import (
    FeedSource,
    Frame,
    Link,
    ServerStats,
    check_token,
    error_text,
    forbidden,
    is_oversized,
    peer_host,
)
from warroom.io.resume import (
    DEFAULT_MAX_POINTS,
    DEFAULT_RESUME_S,
    ReplayBuffer,
    catch_up_frames,
)
from warroom.protocol import (
    SUPPORTED_VERSIONS,
    Command,
    CommandResult,
    Decoder,
    ErrorCode,
    Events,
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
#: A client frame too large to read at all (or an oversized first frame): websockets' own code.
CLOSE_TOO_BIG = int(CloseCode.MESSAGE_TOO_BIG)  # 1009
#: Hard websocket limit: a larger client frame makes the websocket layer close with 1009. Our
#: own, lower limit (the decoder's 4 MiB) is answered with an ``oversized`` error frame.
WS_MAX_SIZE = 16 * 1024 * 1024
#: Wall seconds a client has, after ``hello``, to send its ``subscribe`` (else close 1002).
SUBSCRIBE_TIMEOUT_S = 10.0


class FeedServer:
    """Serve a ``FeedSource`` over websockets on ``host:port`` (port 0 picks a free one).

    ``tokens``: the tokens clients must present (None: no access control, see the module
    docstring). ``ssl_cert``/``ssl_key``: PEM files to serve ``wss://`` (the key may be in
    the certificate file); a bad file raises ``warroom.io.auth.AuthError`` here, not later.

    ``server_id``: the feed's stable name, the same every time the same feed starts: by
    default the source's ``feed_name``, else ``<host name>:<port>``. ``resume_s`` /
    ``resume_points``: the replay buffer keeps ``resume_s`` seconds of wall time (times
    the source's speed in feed time, at least ``resume_s`` of feed time) and at most
    ``resume_points`` points; ``resume_s=0`` keeps none (hello then offers no ``resume``).
    """

    def __init__(
        self,
        source: FeedSource,
        host: str = "127.0.0.1",
        port: int = 8765,
        *,
        server_id: str | None = None,
        heartbeat_s: float = 1.0,
        client_queue_frames: int = 2000,
        subscribe_timeout_s: float = SUBSCRIBE_TIMEOUT_S,
        resume_s: float = DEFAULT_RESUME_S,
        resume_points: int = DEFAULT_MAX_POINTS,
        compression: str | None = None,
        tokens: TokenStore | None = None,
        ssl_cert: str | Path | None = None,
        ssl_key: str | Path | None = None,
    ) -> None:
        self.source = source
        self.host = host
        self.port = port
        # Stable: a console's logs and health view must recognise the feed after a restart.
        self.server_id = server_id or str(getattr(source, "feed_name", "") or "")
        self.heartbeat_s = heartbeat_s
        self.client_queue_frames = client_queue_frames
        self.subscribe_timeout_s = subscribe_timeout_s
        self.compression = compression
        self.stats = ServerStats()
        self._clients: set[Link] = set()  # subscribed: they get broadcasts
        self._connections: set[Link] = set()  # every open connection: they get heartbeats
        self.replay: ReplayBuffer | None = None
        if resume_s > 0:
            keep_ms = int(resume_s * 1000 * max(1.0, float(source.speed)))
            self.replay = ReplayBuffer(keep_ms, resume_points)
        self._server: Server | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._series = SeriesTable()  # connection-scoped series ids, shared by all connections
        self.tokens = tokens
        if ssl_key is not None and ssl_cert is None:
            raise ValueError("ssl_key without ssl_cert")
        self._ssl = None if ssl_cert is None else server_ssl_context(ssl_cert, ssl_key)
        # Set by the handshake check, read once by the connection handler.
        self._identities: weakref.WeakKeyDictionary[ServerConnection, Identity] = weakref.WeakKeyDictionary()
        self._inflight: dict[str, asyncio.Future[None]] = {}  # idempotency keys being handled

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
            process_request=self._authenticate,
            ssl=self._ssl,
            # websockets logs request headers at debug level: keep the tokens out.
            logger=RedactingLogger(logging.getLogger("websockets.server")),
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]
        if not self.server_id:
            self.server_id = f"{socket.gethostname()}:{self.port}"
        self._heartbeat_task = asyncio.create_task(self._heartbeats(), name="feed-heartbeats")
        log.info("feed server %s listening on %s", self.server_id, self.url)
        if self.tokens is None:
            log.warning("feed server %s has NO ACCESS CONTROL (no tokens file): clients on this machine may "
                        "execute plans and inject faults, others may watch%s. Use a tokens file in production "
                        "(docs/security.md).", self.server_id,
                        "" if is_loopback(self.host) else f" ({self.url} is reachable from other machines)")
        else:
            log.info("feed server %s requires a token (%d known)", self.server_id, len(self.tokens))

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
        """The ``ws://`` (or, with TLS, ``wss://``) address clients should use."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'wss' if self._ssl is not None else 'ws'}://{host}:{self.port}"

    @property
    def client_count(self) -> int:
        """Clients currently subscribed."""
        return len(self._clients)

    # -- sending ---------------------------------------------------------------------
    def broadcast(self, message: Message) -> int:
        """Encode once and queue for every client subscribed to its stream; returns frames queued.

        Metric batches and events are also kept in the replay buffer, for clients that resume.
        """
        out = Outgoing(message, self._series)  # registers new series even with no client yet
        if self.replay is not None:
            self.replay.add(message, self.source.now_ms())
        self.stats.frames_broadcast += 1
        sent = 0
        for client in list(self._clients):
            if not client.wants(message):
                continue
            if self._offer(client, out.frame(client.encoding, client.next_seq())):
                sent += 1
        return sent

    def _offer(self, client: Link, frame: Frame) -> bool:
        try:
            client.queue.put_nowait(frame)
            return True
        except asyncio.QueueFull:
            self._drop_slow(client)
            return False

    def _drop_slow(self, client: Link) -> None:
        if client.dropped:
            return
        client.dropped = True
        self._clients.discard(client)
        self._connections.discard(client)
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
            for client in list(self._connections):  # subscribed or not: promised from hello on
                self._offer(client, frame_with_seq(tail, client.next_seq()))

    # -- access control --------------------------------------------------------------
    def _authenticate(self, connection: ServerConnection, request: Request) -> Response | None:
        """Before the upgrade: who is this? HTTP 401 for a missing or unknown token."""
        identity = check_token(connection, request, self.tokens)
        if isinstance(identity, Response):
            self.stats.auth_failures += 1
            return identity
        self._identities[connection] = identity
        return None

    def _forbid(self, client: Link, msg: Command) -> None:
        self.stats.forbidden_commands += 1
        self._offer(client, encode(forbidden(client, msg)))

    async def _run_once(self, msg: Command, client_id: str) -> list[CommandResult]:
        """Hand a command to the source; a key still in flight waits for the first to finish."""
        key = msg.idempotency_key
        while (pending := self._inflight.get(key)) is not None:
            await asyncio.shield(pending)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = done
        try:
            return await self.source.handle_command(msg, client_id)
        finally:
            del self._inflight[key]
            done.set_result(None)

    # -- one connection --------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        self.stats.connections += 1
        identity = self._identities.pop(ws, None)
        if identity is None:  # cannot happen: the handshake check ran first. Fail closed.
            await ws.close(1008, "not authenticated")
            return
        decoder = Decoder()
        client = Link(ws, asyncio.Queue(self.client_queue_frames), identity=identity, peer=peer_host(ws))
        writer: asyncio.Task[None] | None = None
        try:
            await ws.send(encode(self._hello(identity)), text=True)
            self._connections.add(client)  # heartbeats from hello on, subscribed or not
            writer = asyncio.create_task(self._write(client))
            sub = await self._await_subscribe(client, decoder)
            if sub is not None:
                self._subscribe(client, sub)
                await self._read(client, decoder)
        except ConnectionClosed as exc:
            if exc.sent is not None and exc.sent.code == CLOSE_TOO_BIG:  # the websocket layer's limit
                self._count_oversized(client, f"a frame over the {WS_MAX_SIZE}-byte websocket limit (closed 1009)")
        finally:
            self._connections.discard(client)
            self._clients.discard(client)
            self.stats.clients_now = len(self._clients)
            if writer is not None:
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await writer

    def _hello(self, identity: Identity) -> Hello:
        capabilities = ("metrics", "events", "topology", "plans", "commands")
        if self.replay is not None:
            capabilities += ("resume",)
        # What the source adds (a feed that computes incidents offers "incidents", protocol 1.4).
        capabilities += tuple(c for c in getattr(self.source, "capabilities", ()) if c not in capabilities)
        return Hello(
            server_id=self.server_id,
            server_time=self.source.now_ms(),
            speed=self.source.speed,
            versions=SUPPORTED_VERSIONS,
            capabilities=capabilities,
            heartbeat_s=self.heartbeat_s,
            role=identity.role.value,
            user=identity.user,
            resume_from=None if self.replay is None else self.replay.resume_from,
        )

    async def _await_subscribe(self, client: Link, decoder: Decoder) -> Subscribe | None:
        ws = client.connection
        try:
            frame = await asyncio.wait_for(ws.recv(), self.subscribe_timeout_s)
        except TimeoutError:
            await ws.close(CLOSE_PROTOCOL, "expected subscribe")
            return None
        result = decoder.decode(frame, self.source.now_ms())
        sub = result.message
        if not isinstance(sub, Subscribe):
            self.stats.bad_client_frames += 1
            why = error_text(result, sub)
            if is_oversized(result):
                self._count_oversized(client, why)
                await ws.send(encode(ServerError(ErrorCode.OVERSIZED.value, why)), text=True)
                await ws.close(CLOSE_TOO_BIG, "subscribe frame too large")
                return None
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

    def _subscribe(self, client: Link, sub: Subscribe) -> None:
        """Queue the client's first frames and add it to the broadcast set.

        No await in here: the definitions and the catch-up it is given are exactly what
        was broadcast before the next batch, which it gets live; nothing is missed or
        sent twice in between.
        """
        client.client_id = sub.client_id
        client.streams = frozenset(sub.streams)
        client.encoding = next((e for e in sub.encodings if e in ENCODINGS), "json")
        log.info("%s connected from %s as %s (%s)%s", client.client_id, client.peer or "?", client.identity.label,
                 client.identity.role.value, "" if sub.since is None else f", resuming after {sub.since}")
        snapshot = [m for m in self.source.snapshot_messages() if client.wants(m)]
        if "metrics" in client.streams and len(self._series):  # no seq spent on a frame not sent
            self._offer(client, defs_message_frame(self._series, client.encoding, client.next_seq()))
        for message in snapshot:
            self._offer(client, frame_with_seq(encode_tail(message), client.next_seq()))
        if sub.since is not None:
            self._catch_up(client, sub.since, snapshot)
        if not client.dropped:
            self._clients.add(client)
        self.stats.clients_now = len(self._clients)

    def _catch_up(self, client: Link, since: int, snapshot: list[Message]) -> None:
        """Queue what the client missed after ``since`` (events, then points) as one queue item."""
        if self.replay is None:
            log.info("%s asked to resume after %d; this server keeps no replay buffer", client.client_id, since)
            return
        resume_from = self.replay.resume_from
        given = [e.id for m in snapshot if isinstance(m, Events) for e in m.events]  # just sent: not twice
        frames, points = catch_up_frames(self.replay, since, client, self._series, given)
        if frames:
            self._offer(client, frames)
        self.stats.resumed += 1
        self.stats.resent_points += points
        if resume_from is not None and since < resume_from - 1:
            self.stats.resume_gaps += 1
            log.info("%s resumes after %d but the replay buffer starts at %d: that span is a gap",
                     client.client_id, since, resume_from)
        log.info("%s: resent %d points in %d frames after %d", client.client_id, points, len(frames), since)

    def _count_oversized(self, client: Link, why: str) -> None:
        self.stats.oversized_client_frames += 1
        log.warning("%s (%s) sent a frame too large: %s", client.client_id, client.peer or "?", why)

    async def _write(self, client: Link) -> None:
        while True:
            item = await client.queue.get()
            for frame in (item,) if isinstance(item, bytes) else item:  # a catch-up: several frames
                if not isinstance(frame, bytes):
                    frame = frame()  # a catch-up batch, encoded now
                # JSON goes out as text frames, WRB1 metric batches as binary ones (docs/protocol.md).
                await client.connection.send(frame, text=not is_binary_frame(frame))

    async def _read(self, client: Link, decoder: Decoder) -> None:
        async for frame in client.connection:
            result = decoder.decode(frame, self.source.now_ms())
            msg = result.message
            if not isinstance(msg, Command):
                self.stats.bad_client_frames += 1
                why = error_text(result, msg)
                code = "bad_frame"
                if is_oversized(result):  # dropped unread; the connection stays open
                    code = ErrorCode.OVERSIZED.value
                    self._count_oversized(client, why)
                self._offer(client, encode(ServerError(code, why)))
                continue
            if not client.identity.may(msg.action):
                self._forbid(client, msg)
                continue
            if client.identity.authenticated and msg.actor != client.identity.user:
                # The audit trail names whoever holds the token, not whoever the client says.
                if msg.actor:
                    log.info("command %s: actor %r replaced by the authenticated user %s",
                             msg.idempotency_key, msg.actor, client.identity.user)
                msg = dataclasses.replace(msg, actor=client.identity.user)
            for res in await self._run_once(msg, client.client_id):
                self._offer(client, encode(res))
