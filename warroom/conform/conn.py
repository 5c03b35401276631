"""One recorded WebSocket connection to the feed under test.

``Conn`` opens the connection the way ``warroom.io.client`` does (token in the upgrade request,
TLS verified by ``Credentials``), reads every frame on a background task, reads it raw and with a
``Decoder`` (``warroom.conform.observe.inspect``), keeps the feed clock anchored on hello and
heartbeats, and lets the runner wait for conditions (``wait_for``). It never answers the feed on
its own: what is sent is decided by ``warroom.conform.run`` and ``warroom.conform.trials``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import Any, Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from warroom.conform.observe import Exchange, Frame, Observation, inspect
from warroom.core.clock import FeedClock, monotonic
from warroom.io.auth import Credentials, RedactingLogger, describe_tls_failure, redact_url
from warroom.protocol import CommandResult, Decoder, Events, Heartbeat, Hello, Message, MetricBatch, ServerError, encode

#: Hard WebSocket limit, as the console's client; the decoder's own 4 MiB limit is a counted error.
WS_MAX_SIZE = 16 * 1024 * 1024
#: Frames kept for the report (by count and by wire size); a feed that floods beyond this is still
#: read and decoded, and its frames counted, but not kept. A metrics frame is kept without its points.
MAX_FRAMES = 200_000
MAX_KEPT_BYTES = 512 * 1024 * 1024


class ConformError(Exception):
    """The kit could not test the feed at all (unreachable, token refused, bad address)."""


class Conn:
    """A connection whose frames are recorded into ``obs`` (``keep=True``) and decoded as they come."""

    def __init__(self, name: str, url: str, credentials: Credentials, obs: Observation, t0: float, *,
                 decoder: Decoder | None = None, keep: bool = True, collect_points: bool = False,
                 open_timeout_s: float = 10.0) -> None:
        self.name, self.url, self.credentials, self.obs, self.t0 = name, url, credentials, obs, t0
        self.decoder = decoder if decoder is not None else Decoder()
        self.clock = FeedClock()
        self.keep = keep
        self.collect_points = collect_points
        self.open_timeout_s = open_timeout_s
        self.ws: ClientConnection | None = None
        self.hello: Hello | None = None
        self.refused_hello = False  # a frame of type hello came that the decoder refused
        self.subscribed_at: float | None = None
        self.closed_by_server: tuple[int | None, str] | None = None
        self.closed_at: float | None = None
        self.newest_ts: int | None = None  # newest point timestamp decoded on this connection
        self.points: set[tuple[str, int]] = set()  # (series text, ts), with collect_points
        self.events: dict[str, int] = {}  # event id -> ts, with collect_points
        self.latest: dict[type, Message] = {}  # the newest message of each type
        self.exchanges: dict[str, Exchange] = {}  # commands awaiting results, by key
        self.watchers: list[Callable[[float, Message], None]] = []
        self._changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._closing = False

    def now(self) -> float:
        """Wall seconds since the run started."""
        return monotonic() - self.t0

    async def open(self) -> None:
        """Connect and start reading; ``ConformError`` with a reason a person can act on if it fails."""
        shown = redact_url(self.url)
        problem = self.credentials.transport_problem(self.url)
        if problem:
            raise ConformError(problem)
        try:
            self.ws = await connect(self.url, proxy=None, compression=None, open_timeout=self.open_timeout_s,
                                    max_size=WS_MAX_SIZE, additional_headers=self.credentials.headers(),
                                    ssl=self.credentials.ssl_context(self.url),
                                    logger=RedactingLogger(logging.getLogger("websockets.client")))
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                what = "refused the token" if self.credentials.token is not None else \
                    "requires a token (--token-file or $WARROOM_TOKEN)"
                raise ConformError(f"{shown} {what} (HTTP {status})") from None
            raise ConformError(f"cannot reach {shown}: {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            raise ConformError(f"cannot reach {shown}: {describe_tls_failure(exc)}") from None
        except InvalidURI as exc:
            raise ConformError(f"invalid feed address: {exc}") from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            raise ConformError(f"cannot reach {shown}: {exc or type(exc).__name__}") from None
        self._reader = asyncio.create_task(self._read(), name=f"conform-{self.name}")

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                try:
                    self._record(raw)
                except Exception as exc:  # a bug of the kit's must show in the report, not end the reading
                    self.obs.notes.append(f"the kit could not read a frame on the {self.name} connection: {exc!r}")
        except ConnectionClosed:
            pass
        finally:
            self.closed_at = self.now()
            if not self._closing:
                self.closed_by_server = (self.ws.close_code, self.ws.close_reason or "")
            self._changed.set()

    def _record(self, raw: bytes | str) -> None:
        at = self.now()
        frame = inspect(raw, self.name, at)
        frame.before_subscribe = self.subscribed_at is None
        frame.result = self.decoder.decode(raw, self.clock.now_ms())
        msg = frame.result.message
        if msg is None and frame.kind == "hello":
            self.refused_hello = True
        if isinstance(msg, Hello):
            if self.hello is None:
                self.hello = msg
                if self.name == "main":
                    self.obs.hello, self.obs.hello_index = msg, len(self.obs.main_frames())
            self.clock.anchor(msg.server_time, msg.speed)
        elif isinstance(msg, Heartbeat) and self.hello is not None:
            self.clock.anchor(msg.server_time, self.hello.speed)
        if msg is not None:
            self.latest[type(msg)] = msg
            self._note(at, msg, frame)
            for watch in self.watchers:
                watch(at, msg)
        if self.keep:
            if len(self.obs.frames) < MAX_FRAMES and self.obs.kept_bytes < MAX_KEPT_BYTES:
                self.obs.frames.append(frame)
                self.obs.kept_bytes += frame.size
            else:
                self.obs.dropped_frames += 1
        self._changed.set()

    def _note(self, at: float, msg: Message, frame: Frame) -> None:
        if isinstance(msg, MetricBatch) and len(msg):
            newest = int(msg.ts.max())
            self.newest_ts = newest if self.newest_ts is None else max(self.newest_ts, newest)
            if self.collect_points:
                texts = [k.text for k in msg.series]
                self.points.update(zip((texts[i] for i in msg.index.tolist()), msg.ts.tolist()))
        elif isinstance(msg, Events) and self.collect_points:
            self.events.update((e.id, e.ts) for e in msg.events)
        elif isinstance(msg, CommandResult):
            ex = self.exchanges.get(msg.idempotency_key)
            # Once a command has its answer, a replayed one is the answer to the key sent again
            # elsewhere (a feed may send it to every connection), not more news of this one.
            if ex is not None and (ex.repeat or not msg.replay or ex.final is None):
                ex.results.append((at, msg))
        elif isinstance(msg, ServerError):
            for ex in self.exchanges.values():
                if ex.final is None and not ex.errors:
                    ex.errors.append(f"the feed answered with error {msg.code}: {msg.message}")

    async def read_hello(self, timeout_s: float) -> Hello | None:
        """Wait for the first hello (frames before it are recorded too); None if none came, or the
        decoder refused it (its errors are in the frame)."""
        await self.wait_for(lambda: self.hello is not None or self.refused_hello, timeout_s)
        return self.hello

    async def send(self, message: Message) -> None:
        """Send one client message; a closed connection is recorded, not raised."""
        if self.ws is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(encode(message), text=True)

    async def subscribe(self, message: Message) -> None:
        """Send ``subscribe`` and mark the frames after it."""
        self.subscribed_at = self.now()
        await self.send(message)

    async def wait_for(self, done: Callable[[], Any], timeout_s: float) -> bool:
        """Wait until ``done()`` is true, the connection closes, or ``timeout_s`` passes; returns ``done()``."""
        end = monotonic() + timeout_s
        while not done():
            left = end - monotonic()
            if left <= 0 or self.closed_at is not None:
                break
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return bool(done())

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close from our side and stop reading."""
        self._closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(code, reason), 5.0)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self.closed_at is None:
            self.closed_at = self.now()
