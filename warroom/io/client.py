"""The websocket feed client: connect, negotiate, stay connected, hand messages on.

``FeedClient.run()`` loops for ever (until ``stop()``): connect → read ``hello`` → check
the protocol version → send ``subscribe`` → read frames, decode them with the sans-I/O
``Decoder`` and put the messages on a bounded ``asyncio.Queue``. On any failure it
reconnects with exponential backoff and jitter.

State is one of connecting / live / stale / disconnected, always with a reason. Every
state change is also put *in order* on the message queue as a ``FeedStatus``, so a
consumer that stores data can record gaps exactly where they happened.

Backpressure, not loss: when the consumer is slow the queue fills, the reader stops
reading, TCP pushes back, and the server (which will not buffer without bound) closes
the connection as a slow consumer. The client reports that reason, reconnects, and the
store records the gap. Nothing is dropped silently on this side.

Access (docs/security.md): the client sends its token in the ``Authorization: Bearer``
header of the upgrade request (never in the URL), verifies a ``wss://`` server's
certificate and host name, and learns its ``role`` and ``user`` from ``hello``. A feed that
refuses the token (HTTP 401) is retried only slowly; a token is never sent unencrypted to
another machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
import ssl
import uuid
from dataclasses import dataclass, field
from typing import Callable, Union

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from warroom.core.clock import FeedClock, monotonic, wall_ms
from warroom.io.auth import (
    Credentials,
    RedactingLogger,
    Role,
    default_credentials,
    describe_tls_failure,
    redact_url,
    required_role,
    role_allows,
)
from warroom.protocol import (
    SUPPORTED_VERSIONS,
    Command,
    Decoder,
    ErrorStats,
    Heartbeat,
    Hello,
    Message,
    ServerError,
    Subscribe,
    encode,
)

log = logging.getLogger(__name__)

WS_MAX_SIZE = 16 * 1024 * 1024  # hard limit; the decoder's lower limit is counted, not fatal


class ConnectionState(str, enum.Enum):
    """Where the connection stands."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"  # connected, but nothing (not even a heartbeat) for stale_after_s
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class FeedStatus:
    """A state change, with the reason in words a person can act on."""

    state: ConnectionState
    reason: str = ""
    at_ms: int = 0  # feed time of the change (wall time before the first hello)
    server_id: str = ""
    attempt: int = 0


class ProtocolMismatch(Exception):
    """The server speaks no protocol version we speak."""


class NotConnected(Exception):
    """A command was sent while no connection is live."""


FeedItem = Union[Message, FeedStatus]


@dataclass
class Backoff:
    """Exponential backoff with jitter: ``initial·2^n`` capped at ``maximum``, times U(0.5, 1).

    The jitter keeps a wall of consoles from reconnecting in lock step after a restart.
    """

    initial: float = 0.5
    maximum: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; advances the attempt counter."""
        base = min(self.maximum, self.initial * (2**self.attempt))
        self.attempt += 1
        return base * self.rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        """Start again from ``initial`` (after a successful connection)."""
        self.attempt = 0


class FeedClient:
    """Keeps a subscription to one feed alive and queues what it receives.

    ``credentials``: the token and CA file to use; None takes ``default_credentials()``
    (what the CLI set, else ``$WARROOM_TOKEN`` and ``$WARROOM_CA``).
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str | None = None,
        queue_size: int = 2000,
        stale_after_s: float | None = None,
        dead_after_s: float | None = None,
        backoff: Backoff | None = None,
        decoder: Decoder | None = None,
        on_status: Callable[[FeedStatus], None] | None = None,
        open_timeout_s: float = 10.0,
        encodings: tuple[str, ...] = ("binary", "json"),
        credentials: Credentials | None = None,
    ) -> None:
        self.url = url
        self.credentials = credentials if credentials is not None else default_credentials()
        #: What the feed says this connection may do ("viewer", "commander"), from the last
        #: hello; "" until then, or when the feed does not say (it then decides alone).
        self.role = ""
        #: The user name the feed knows our token by ("" when not authenticated).
        self.user = ""
        self.client_id = client_id or f"console-{uuid.uuid4().hex[:8]}"
        self.queue: asyncio.Queue[FeedItem] = asyncio.Queue(queue_size)
        self._stale_after = stale_after_s
        self._dead_after = dead_after_s
        self.backoff = backoff or Backoff()
        self.decoder = decoder or Decoder()
        self.clock = FeedClock()
        self.on_status = on_status
        self.open_timeout_s = open_timeout_s
        self.encodings = encodings
        self.status = FeedStatus(ConnectionState.DISCONNECTED, "not started", wall_ms())
        self.frames_received = 0
        self._last_frame = 0.0
        self._silence_reason = ""
        self._ws: ClientConnection | None = None
        self._stopping = False
        self._stopped = asyncio.Event()

    def may(self, action: str) -> bool:
        """Whether the feed said we may send ``action`` (the console enables its buttons by this).

        True when the feed did not say: it checks every command itself anyway.
        """
        return not self.role or role_allows(self.role, required_role(action))

    @property
    def may_command(self) -> bool:
        """Whether this connection may execute and roll back plans."""
        return not self.role or role_allows(self.role, Role.COMMANDER)

    @property
    def errors(self) -> ErrorStats:
        """Protocol errors counted so far (for the feed-health indicator)."""
        return self.decoder.stats

    # -- public API ----------------------------------------------------------------
    async def run(self) -> None:
        """Connect and keep reconnecting until ``stop()``."""
        try:
            while not self._stopping:
                reason = await self._session()
                if self._stopping:
                    break
                delay = self.backoff.next_delay()
                await self._set(ConnectionState.DISCONNECTED, f"{reason}; retrying in {delay:.1f} s")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), delay)
        finally:
            await self._set(ConnectionState.DISCONNECTED, "stopped")

    async def stop(self) -> None:
        """Close the connection and make ``run()`` return."""
        self._stopping = True
        self._stopped.set()
        if self._ws is not None:
            await self._ws.close()

    async def send_command(self, command: Command) -> None:
        """Send a command on the live connection; raises ``NotConnected`` otherwise."""
        ws = self._ws
        if ws is None or self.status.state not in (ConnectionState.LIVE, ConnectionState.STALE):
            raise NotConnected(f"feed is {self.status.state.value}: {self.status.reason}")
        try:
            await ws.send(encode(command), text=True)
        except ConnectionClosed as exc:
            raise NotConnected(f"connection closed while sending: {exc}") from exc

    # -- internals -------------------------------------------------------------------
    async def _set(self, state: ConnectionState, reason: str, server_id: str | None = None) -> None:
        status = FeedStatus(
            state,
            reason,
            self.clock.now_ms(),
            self.status.server_id if server_id is None else server_id,
            self.backoff.attempt,
        )
        if (status.state, status.reason) == (self.status.state, self.status.reason):
            return
        self.status = status
        log.info("feed %s: %s", state.value, reason)
        if self.on_status is not None:
            self.on_status(status)
        await self.queue.put(status)

    async def _session(self) -> str:
        """One connection from open to close; returns why it ended."""
        shown_url = redact_url(self.url)
        await self._set(ConnectionState.CONNECTING, f"connecting to {shown_url}")
        problem = self.credentials.transport_problem(self.url)
        if problem:
            self._stopping = True  # configuration, not weather: retrying cannot help
            return problem
        try:
            async with connect(
                self.url,
                max_size=WS_MAX_SIZE,
                compression=None,
                proxy=None,
                open_timeout=self.open_timeout_s,
                ping_interval=10,
                ping_timeout=20,
                additional_headers=self.credentials.headers(),
                ssl=self.credentials.ssl_context(self.url),
                logger=RedactingLogger(logging.getLogger("websockets.client")),
            ) as ws:
                self._ws = ws
                try:
                    return await self._converse(ws)
                finally:
                    self._ws = None
        except ProtocolMismatch as exc:
            self.backoff.attempt = max(self.backoff.attempt, 10)  # do not hammer an incompatible server
            return str(exc)
        except ConnectionClosed as exc:
            return _close_reason(exc)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                self.backoff.attempt = max(self.backoff.attempt, 6)  # until someone fixes the token
                sent = "our token" if self.credentials.token is not None else "us: it requires a token"
                return f"{shown_url} refused {sent} (HTTP {status}); see --token-file / $WARROOM_TOKEN"
            return f"cannot connect: {exc}"
        except ssl.SSLCertVerificationError as exc:
            self.backoff.attempt = max(self.backoff.attempt, 6)
            return f"cannot connect: {describe_tls_failure(exc)}"
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            return f"cannot connect: {exc or type(exc).__name__}"
        except InvalidURI as exc:
            self._stopping = True
            return f"invalid feed address: {exc}"

    async def _converse(self, ws: ClientConnection) -> str:
        self.decoder.new_connection()
        hello = await self._read_hello(ws)
        await ws.send(encode(Subscribe(self.client_id, SUPPORTED_VERSIONS, encodings=self.encodings)), text=True)
        self.backoff.reset()
        stale_after = self._stale_after or max(3.0, 3 * hello.heartbeat_s)
        dead_after = self._dead_after or 4 * stale_after
        await self._set(ConnectionState.LIVE, f"live from {hello.server_id}", hello.server_id)
        self._last_frame = monotonic()
        self._silence_reason = ""
        # A watchdog rather than a timeout on every recv(): no timer per frame on the hot path.
        watchdog = asyncio.create_task(self._watch(ws, stale_after, dead_after), name="feed-watchdog")
        try:
            async for frame in ws:
                self._last_frame = monotonic()
                self.frames_received += 1
                if self.status.state is ConnectionState.STALE:
                    await self._set(ConnectionState.LIVE, f"live from {hello.server_id}")
                result = self.decoder.decode(frame, self.clock.now_ms())
                msg = result.message
                if isinstance(msg, Heartbeat):
                    self.clock.anchor(msg.server_time, hello.speed)
                    continue
                if isinstance(msg, ServerError):
                    log.warning("server refused something we sent: %s %s", msg.code, msg.message)
                if msg is not None:
                    await self.queue.put(msg)
        finally:
            watchdog.cancel()
        if self._silence_reason:
            return self._silence_reason
        code, why = ws.close_code, ws.close_reason
        return f"server closed the connection ({code}{': ' + why if why else ''})"

    async def _watch(self, ws: ClientConnection, stale_after: float, dead_after: float) -> None:
        """Mark the feed stale after ``stale_after`` s of silence; close it after ``dead_after``."""
        tick = min(0.25, stale_after / 4)
        while True:
            await asyncio.sleep(tick)
            silent = monotonic() - self._last_frame
            if silent >= dead_after:
                self._silence_reason = f"no data for {silent:.0f} s; reconnecting"
                await ws.close(1001, "feed silent")
                return
            if silent >= stale_after and self.status.state is ConnectionState.LIVE:
                await self._set(ConnectionState.STALE, f"no data or heartbeat for {silent:.0f} s")

    async def _read_hello(self, ws: ClientConnection) -> Hello:
        frame = await asyncio.wait_for(ws.recv(), self.open_timeout_s)
        result = self.decoder.decode(frame, self.clock.now_ms())
        hello = result.message
        if not isinstance(hello, Hello):
            why = result.errors[0].message if result.errors else f"got {type(hello).__name__}"
            raise ConnectionClosedByUs(f"server did not say hello: {why}")
        if not set(hello.versions) & set(SUPPORTED_VERSIONS):
            await ws.close(1002, "no common protocol version")
            raise ProtocolMismatch(
                f"protocol mismatch: server speaks {list(hello.versions)}, this console {list(SUPPORTED_VERSIONS)}"
            )
        self.clock.anchor(hello.server_time, hello.speed)
        self.role, self.user = hello.role, hello.user
        await self.queue.put(hello)
        return hello


class ConnectionClosedByUs(OSError):
    """We gave up on a connection that broke the protocol."""


def _close_reason(exc: ConnectionClosed) -> str:
    rcvd = exc.rcvd
    if rcvd is None:
        return "connection lost"
    return f"server closed the connection ({rcvd.code}{': ' + rcvd.reason if rcvd.reason else ''})"


__all__ = ["Backoff", "ConnectionState", "FeedClient", "FeedItem", "FeedStatus", "NotConnected", "ProtocolMismatch"]
