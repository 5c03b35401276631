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
import http
import logging
import uuid
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import MultipleValuesError
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from warroom.io.auth import (
    Identity,
    RedactingLogger,
    Role,
    TokenStore,
    is_loopback,
    parse_bearer,
    required_role,
    server_ssl_context,
)
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
from warroom.protocol.messages import ENCODINGS, RESULT_FORBIDDEN
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
    identity: Identity = Identity("", Role.VIEWER, False)
    peer: str = ""
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
    auth_failures: int = 0  # connections refused with HTTP 401 (no or unknown token)
    forbidden_commands: int = 0  # commands refused because of the connection's role
    clients_now: int = 0
    events: list[str] = field(default_factory=list)


_STREAM_OF = {"topology": "topology", "metrics": "metrics", "events": "events", "plan_catalogue": "plans"}


class FeedServer:
    """Serve a ``FeedSource`` over websockets on ``host:port`` (port 0 picks a free one).

    ``tokens``: the tokens clients must present (None: no access control, see the module
    docstring). ``ssl_cert``/``ssl_key``: PEM files to serve ``wss://`` (the key may be in
    the certificate file); a bad file raises ``warroom.io.auth.AuthError`` here, not later.
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
        subscribe_timeout_s: float = 10.0,
        compression: str | None = None,
        tokens: TokenStore | None = None,
        ssl_cert: str | Path | None = None,
        ssl_key: str | Path | None = None,
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

    # -- access control --------------------------------------------------------------
    def _authenticate(self, connection: ServerConnection, request: Request) -> Response | None:
        """Before the upgrade: who is this? HTTP 401 for a missing or unknown token."""
        peer = _peer_host(connection)
        if self.tokens is None:
            role = Role.COMMANDER if is_loopback(peer) else Role.VIEWER
            self._identities[connection] = Identity("", role, authenticated=False)
            return None
        try:
            token = parse_bearer(request.headers.get("Authorization"))
        except MultipleValuesError:
            token = None
        identity = self.tokens.authenticate(token)
        if identity is None:
            self.stats.auth_failures += 1
            why = "no bearer token" if token is None else "unknown token"
            log.warning("refused a connection from %s: %s", peer or "?", why)  # never the token itself
            response = connection.respond(http.HTTPStatus.UNAUTHORIZED, "A valid Warroom token is required.\n")
            response.headers["WWW-Authenticate"] = 'Bearer realm="warroom"'
            return response
        self._identities[connection] = identity
        return None

    def _forbid(self, client: _Client, msg: Command) -> None:
        needed = required_role(msg.action)
        ident = client.identity
        self.stats.forbidden_commands += 1
        log.warning("refused %s (key %s) from %s (%s, %s, role %s): needs the %s role", msg.action,
                    msg.idempotency_key, ident.label, client.client_id, client.peer or "?", ident.role.value,
                    needed.value)
        who = ident.user or "this connection"
        self._offer(client, encode(CommandResult(
            msg.idempotency_key, "rejected",
            f"forbidden: {msg.action} needs the {needed.value} role; {who} is a {ident.role.value}",
            {"action": msg.action, "required_role": needed.value, "role": ident.role.value},
            code=RESULT_FORBIDDEN,
        )))

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
        hello = Hello(
            server_id=self.server_id,
            server_time=self.source.now_ms(),
            speed=self.source.speed,
            versions=SUPPORTED_VERSIONS,
            capabilities=("metrics", "events", "topology", "plans", "commands"),
            heartbeat_s=self.heartbeat_s,
            role=identity.role.value,
            user=identity.user,
        )
        try:
            await ws.send(encode(hello), text=True)
            sub = await self._await_subscribe(ws, decoder)
            if sub is None:
                return
            encoding = next((e for e in sub.encodings if e in ENCODINGS), "json")
            client = _Client(ws, sub.client_id, frozenset(sub.streams), asyncio.Queue(self.client_queue_frames), encoding,
                             identity, _peer_host(ws))
            log.info("%s connected from %s as %s (%s)", client.client_id, client.peer or "?", identity.label,
                     identity.role.value)
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


def _peer_host(connection: ServerConnection) -> str:
    """The client's address, for logs and the loopback check ('' if unknown)."""
    try:
        addr = connection.remote_address
    except Exception:  # transport already gone
        return ""
    if isinstance(addr, (tuple, list)) and addr:
        return str(addr[0])
    return ""
