"""The websocket feed client: connect, negotiate, stay connected, hand messages on.

``FeedClient.run()`` loops for ever (until ``stop()``): connect → read ``hello`` → check
the protocol version and the feed's clock → send ``subscribe`` → read frames, decode them
with the sans-I/O ``Decoder`` and put the messages on a bounded ``asyncio.Queue``.

State is one of connecting / live / stale / disconnected, always with a reason, and every
change is put *in order* on the queue as a ``FeedStatus``, so a consumer that stores data
records gaps exactly where they happened. A disconnect says who closed and how, as the close
frames said it (``warroom.io.reconnect.CloseInfo``). Other facts for the event log (the
feed's clock was reset, a gap the feed could not resend) go on the queue as ``FeedNotice``.

Reconnecting: "weather" (refused, reset, lost, closed by the server, a hostile frame) is
retried within 2 s (``backoff``; its count starts again once a connection held for
``healthy_after_s``); configuration problems (HTTP 401/403/404, no common version, a hello
the codec refuses, a server closing with 1002/1003/1008, TLS) slowly (``slow_backoff``).

Clock and resumption: ``since``, the newest point time accepted, survives reconnects and is
sent in ``subscribe``; a feed with a replay buffer resends what came after, and when it
cannot (no ``resume`` capability, or a later ``resume_from``) a notice names the gap. When
the decoder finds the feed's clock reset (another server, or time gone back) it forgets its
per-series memory and the client records a notice.

Backpressure, not loss: a slow consumer fills the queue, the reader stops reading, TCP pushes
back, and the server closes the connection as a slow consumer (recorded like any close).

Access (docs/security.md): the token goes in the ``Authorization: Bearer`` header of the
upgrade request (never in the URL); a ``wss://`` server's certificate and host name are
verified; ``role`` and ``user`` come from ``hello``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Union

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from warroom.core.clock import FeedClock, monotonic, wall_ms
from warroom.core.language.text import terminal_safe
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
from warroom.io.reconnect import (
    Backoff,
    CloseInfo,
    ConnectionState,
    FeedNotice,
    FeedStatus,
    close_info,
    close_text,
    iso_ms,
    resume_gap,
)
from warroom.io.reconnect import slow_backoff as _slow_backoff
from warroom.protocol import (
    SUPPORTED_VERSIONS,
    Command,
    Decoder,
    DecodeResult,
    ErrorStats,
    Heartbeat,
    Hello,
    Message,
    MetricBatch,
    ServerError,
    Subscribe,
    encode,
)
from warroom.protocol.binary import is_binary_frame
from warroom.protocol.refusals import POINT_CODES, RefusalCounts, refused_by_series

log = logging.getLogger(__name__)

WS_MAX_SIZE = 16 * 1024 * 1024  # hard limit; the decoder's lower limit is counted, not fatal
#: Most binary frames decoded as one batch when they arrive together (a few MB at most).
MAX_GROUP_FRAMES = 32


class ProtocolMismatch(Exception):
    """The server speaks no protocol version we speak."""


class HelloRefused(Exception):
    """The server's hello could not be used (the codec refused it, or its clock is out of bounds)."""


class NotConnected(Exception):
    """A command was sent while no connection is live."""


FeedItem = Union[Message, FeedStatus, FeedNotice]

#: An observer of every frame as it arrives (the live inspector, ``warroom.app.inspector``):
#: ``tap(frame, result, now_ms)`` with the raw frame, what the decoder made of it (None when
#: decoding raised) and the feed's time it was decoded at (None then too).
FrameTap = Callable[[Union[bytes, str], Union[DecodeResult, None], Union[int, None]], object]


@dataclass
class _Ended:
    """Why a connection attempt ended, and whether retrying soon can help."""

    text: str
    slow: bool = False
    close: CloseInfo | None = None


class FeedClient:
    """Keeps a subscription to one feed alive and queues what it receives.

    ``credentials``: the token and CA file to use; None takes ``default_credentials()``
    (what the CLI set, else ``$WARROOM_TOKEN`` and ``$WARROOM_CA``). ``on_fault(stage, exc)``
    hears of a frame whose handling raised (a bug on hostile input): the frame is skipped,
    the connection goes on.

    ``tap`` (a ``FrameTap``, None by default) sees every frame after it was decoded; it is
    set only while someone watches (the live inspector), so the hot path pays one ``is None``
    test per frame otherwise. A tap that raises is reported as a fault and removed.
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
        slow_backoff: Backoff | None = None,
        healthy_after_s: float = 5.0,
        decoder: Decoder | None = None,
        on_status: Callable[[FeedStatus], None] | None = None,
        on_fault: Callable[[str, BaseException], object] | None = None,
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
        self.slow_backoff = slow_backoff or _slow_backoff()
        self.healthy_after_s = healthy_after_s
        self.decoder = decoder or Decoder()
        self.clock = FeedClock()
        self.on_status = on_status
        self.on_fault = on_fault
        self.open_timeout_s = open_timeout_s
        self.encodings = encodings
        self.status = FeedStatus(ConnectionState.DISCONNECTED, "not started", wall_ms())
        self.frames_received = 0
        #: The frame observer while one watches (see the class docstring), else None.
        self.tap: FrameTap | None = None
        #: Refused points per series (``warroom.protocol.refusals``), for the series catalogue
        #: and the recorder; worked out only for frames whose decoding refused some.
        self.refusals = RefusalCounts()
        #: How the last connection ended (None before the first ended).
        self.last_close: CloseInfo | None = None
        #: The newest point time accepted (feed time), sent as ``subscribe.since``.
        self.since: int | None = None
        #: Why ``run()`` stopped by itself ("" unless it did: a bad address, a token that
        #: would go out unencrypted); it then returns instead of retrying.
        self.gave_up = ""
        self._server_id: str | None = None  # of the last hello
        self._last_frame = 0.0
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
        """Connect and keep reconnecting until ``stop()``. An unexpected exception is
        reported as the last status and raised (a supervisor restarts ``run()``)."""
        last = "stopped"
        try:
            while not self._stopping:
                ended = await self._session()
                if self._stopping:
                    if not self._stopped.is_set():  # not stop(): the session gave up, retrying cannot help
                        self.gave_up = last = f"{ended.text}; not retrying"
                    break
                self.last_close = ended.close or self.last_close
                delay = (self.slow_backoff if ended.slow else self.backoff).next_delay()
                await self._set(ConnectionState.DISCONNECTED, f"{ended.text}; retrying in {delay:.1f} s",
                                close=ended.close)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), delay)
        except Exception as exc:
            last = f"feed client failed: {type(exc).__name__}: {terminal_safe(str(exc))[:200]}"
            raise
        finally:
            try:  # without waiting: nobody may be consuming any more, and a full queue would hang us
                await self._set(ConnectionState.DISCONNECTED, last, wait=False)
            except Exception:  # noqa: BLE001 - never hide the exception being raised
                log.exception("could not report the feed client's end")

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
    async def _set(self, state: ConnectionState, reason: str, server_id: str | None = None,
                   close: CloseInfo | None = None, wait: bool = True, at_ms: int | None = None) -> None:
        status = FeedStatus(
            state,
            reason,
            self.clock.now_ms() if at_ms is None else at_ms,
            self.status.server_id if server_id is None else server_id,
            self.backoff.attempt + self.slow_backoff.attempt,
            close,
        )
        if (status.state, status.reason) == (self.status.state, self.status.reason):
            return
        self.status = status
        log.info("feed %s: %s", state.value, reason)
        if self.on_status is not None:
            self.on_status(status)
        if wait:
            await self.queue.put(status)
        elif self.queue.full():
            log.warning("feed client: queue full, last status not queued: %s", reason)
        else:
            self.queue.put_nowait(status)

    async def _notice(self, what: str, text: str, **attrs: Any) -> None:
        log.warning("feed %s: %s", what, text)
        await self.queue.put(FeedNotice(what, text, self.clock.now_ms(), attrs))

    async def _session(self) -> _Ended:
        """One connection from open to close; returns why it ended."""
        shown_url = redact_url(self.url)
        await self._set(ConnectionState.CONNECTING, f"connecting to {shown_url}")
        problem = self.credentials.transport_problem(self.url)
        if problem:
            self._stopping = True  # configuration, not weather: retrying cannot help
            return _Ended(problem, slow=True)
        ws: ClientConnection | None = None
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
        except (ProtocolMismatch, HelloRefused) as exc:
            log.warning("%s", exc)
            return _Ended(str(exc), slow=True, close=_close_of(ws) if ws is not None else None)
        except ConnectionClosed as exc:  # before the stream began (during hello or subscribe)
            info = close_info(exc.rcvd, exc.sent, exc.rcvd_then_sent)
            return _Ended(info.describe(), slow=info.config_problem, close=info)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                sent = "our token" if self.credentials.token is not None else "us: it requires a token"
                return _Ended(f"{shown_url} refused {sent} (HTTP {status}); see --token-file / $WARROOM_TOKEN", True)
            return _Ended(f"cannot connect: {exc}", slow=status == 404)
        except TimeoutError:  # no handshake, or no hello, in time: a stalled server is weather
            close = _close_of(ws) if ws is not None else None
            what = "no hello" if ws is not None else "no answer"
            return _Ended(f"{what} from the feed within {self.open_timeout_s:g} s", close=close)
        except ssl.SSLCertVerificationError as exc:
            return _Ended(f"cannot connect: {describe_tls_failure(exc)}", slow=True)
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError) as exc:  # cut during the handshake: weather
            return _Ended(f"cannot connect: {exc}")
        except ssl.SSLError as exc:  # wss:// to a ws:// server, no common cipher...: configuration
            return _Ended(f"cannot connect: TLS: {exc.reason or exc}", slow=True)
        except (OSError, InvalidHandshake) as exc:
            return _Ended(f"cannot connect: {exc or type(exc).__name__}")
        except InvalidURI as exc:
            self._stopping = True
            return _Ended(f"invalid feed address: {exc}", slow=True)

    async def _converse(self, ws: ClientConnection) -> _Ended:
        self.decoder.new_connection()
        hello = await self._read_hello(ws)
        since = self.since
        subscribe = Subscribe(self.client_id, SUPPORTED_VERSIONS, encodings=self.encodings, since=since)
        await ws.send(encode(subscribe), text=True)
        self.slow_backoff.reset()  # the configuration is right: a later failure is weather
        await self._check_resume(hello, since)
        stale_after = self._stale_after or max(3.0, 3 * hello.heartbeat_s)
        dead_after = self._dead_after or 4 * stale_after
        # Stamped with the hello's time: the connection is live from there, before any point
        # it brings (the gap notice above may have taken a few milliseconds).
        await self._set(ConnectionState.LIVE, f"live from {hello.server_id}", hello.server_id,
                        at_ms=hello.server_time)
        live_at = self._last_frame = monotonic()
        # A watchdog rather than a timeout on every recv(): no timer per frame on the hot path.
        watchdog = asyncio.create_task(self._watch(ws, stale_after, dead_after), name="feed-watchdog")
        group: list[bytes] = []  # binary frames that arrived together, decoded as one
        try:
            async for frame in ws:
                self._last_frame = monotonic()
                self.frames_received += 1
                if self.status.state is ConnectionState.STALE:
                    await self._set(ConnectionState.LIVE, f"live from {hello.server_id}")
                if self.tap is None and isinstance(frame, bytes) and is_binary_frame(frame):
                    group.append(frame)
                    if len(group) < MAX_GROUP_FRAMES and _frames_waiting(ws):
                        continue  # the next one is already here: recv() returns it at once
                    await self._frames(group, hello)
                    group = []
                    continue
                if group:
                    await self._frames(group, hello)
                    group = []
                await self._frame(frame, hello)
        except ConnectionClosed:
            pass  # how it closed is read from the connection below
        finally:
            watchdog.cancel()
        if group:  # what arrived before the close still counts
            await self._frames(group, hello)
        if monotonic() - live_at >= self.healthy_after_s:
            self.backoff.reset()  # it held: the next failure starts from a short delay again
        info = _close_of(ws)
        return _Ended(info.describe(), slow=info.config_problem, close=info)

    async def _frames(self, frames: list[bytes], hello: Hello) -> None:
        """Binary frames that arrived together: one batch when they decode as one (the
        healthy feed's case), else each frame on its own (always while the inspector is open:
        it may have opened while they were gathered)."""
        if len(frames) > 1 and self.tap is None:
            try:
                now_ms = self.clock.now_ms()
                result = self.decoder.decode_frames(frames, now_ms)
            except Exception as exc:  # noqa: BLE001 - a decoder bug: the frames go one by one
                self._fault("decode", exc)
                result = None
            if result is not None:
                msg = self._take(result.message, hello, now_ms)
                if msg is not None:
                    await self.queue.put(msg)
                return
        for frame in frames:
            await self._frame(frame, hello)

    async def _frame(self, frame: bytes | str, hello: Hello) -> None:
        """Decode one frame and queue what it holds."""
        try:
            now_ms = self.clock.now_ms()  # one reading per frame serves both
            result = self.decoder.decode(frame, now_ms)
            msg = self._take(result.message, hello, now_ms)
        except Exception as exc:  # noqa: BLE001 - a decoder bug on hostile input: skip the frame
            self._fault("decode", exc)
            if self.tap is not None:
                self._tap_frame(frame, None, None)
            return
        if self.tap is not None:  # the live inspector is open
            self._tap_frame(frame, result, now_ms)
        if result.errors:  # rare: a clean frame pays this one test
            self._count_refused(frame, result)
        if result.clock_reset:
            await self._clock_reset(result.clock_reset, result.message)
        if msg is not None:
            await self.queue.put(msg)

    def _take(self, msg: Message | None, hello: Hello, now_ms: int) -> Message | None:
        """Anchor the clock on heartbeats (not queued); remember the newest point time
        (``now_ms``: the feed's time the frame was decoded at)."""
        if isinstance(msg, Heartbeat):
            self.clock.anchor(msg.server_time, hello.speed)
            return None
        if isinstance(msg, MetricBatch) and len(msg):
            # Clamped to the feed's now plus the decoder's on-time slack: one point far ahead must
            # not hide an outage from `since`, but our estimate of now lags the newest scrape a
            # little (latency x speed), and a tighter clamp would ask for points we already hold.
            newest = min(msg.newest_ts, now_ms + self.decoder.ahead_slack_ms)
            self.since = newest if self.since is None else max(self.since, newest)
        elif isinstance(msg, ServerError):
            log.warning("server refused something we sent: %s %s", msg.code, terminal_safe(msg.message))
        return msg

    def _count_refused(self, frame: bytes | str, result: DecodeResult) -> None:
        """Count the frame's refused points on their series (``refusals``), within its budget."""
        if not any(e.code in POINT_CODES for e in result.errors):
            return  # a whole frame refused (not JSON, unknown type...): no series to count it on
        try:
            if self.refusals.admit(monotonic()):
                self.refusals.add(refused_by_series(frame, result.errors, result.message))
        except Exception as exc:  # noqa: BLE001 - counting must never stop the feed
            self._fault("refusals", exc)

    def _tap_frame(self, frame: bytes | str, result: DecodeResult | None, now_ms: int | None) -> None:
        """Show a frame to the tap; a tap that fails is removed (an observer never stops the feed)."""
        tap = self.tap
        if tap is None:
            return
        try:
            tap(frame, result, now_ms)
        except Exception as exc:  # noqa: BLE001
            self.tap = None
            self._fault("tap", exc)

    def _fault(self, stage: str, exc: BaseException) -> None:
        if self.on_fault is None:
            log.error("feed client: %s failed; item skipped", stage, exc_info=exc)
            return
        try:
            self.on_fault(stage, exc)
        except Exception:  # noqa: BLE001
            log.exception("reporting a feed client fault failed")

    async def _watch(self, ws: ClientConnection, stale_after: float, dead_after: float) -> None:
        """Mark the feed stale after ``stale_after`` s of silence; close it after ``dead_after``."""
        tick = min(0.25, stale_after / 4)
        try:
            while True:
                await asyncio.sleep(tick)
                silent = monotonic() - self._last_frame
                if silent >= dead_after:
                    await ws.close(1001, f"no data for {silent:.0f} s")
                    return
                if silent >= stale_after and self.status.state is ConnectionState.LIVE:
                    await self._set(ConnectionState.STALE, f"no data or heartbeat for {silent:.0f} s")
        except Exception as exc:  # noqa: BLE001 - without a watchdog a silent feed would never be noticed
            self._fault("watchdog", exc)
            await ws.close(1011, "client watchdog failed")

    async def _read_hello(self, ws: ClientConnection) -> Hello:
        try:
            frame = await asyncio.wait_for(ws.recv(), self.open_timeout_s)
        except TimeoutError:
            await ws.close(1002, f"no hello within {self.open_timeout_s:g} s")
            raise
        now_ms = self.clock.now_ms()
        result = self.decoder.decode(frame, now_ms)
        if self.tap is not None:
            self._tap_frame(frame, result, now_ms)
        hello = result.message
        if not isinstance(hello, Hello):  # not a hello, or one the codec refused (bad clock, speed...)
            why = result.errors[0].message if result.errors else f"the first frame was a {type(hello).__name__}"
            await ws.close(1002, close_text(f"bad hello: {why}"))
            raise HelloRefused(f"the feed's hello was refused: {why}")
        if not set(hello.versions) & set(SUPPORTED_VERSIONS):
            await ws.close(1002, "no common protocol version")
            raise ProtocolMismatch(
                f"protocol mismatch: server speaks {list(hello.versions)}, this console {list(SUPPORTED_VERSIONS)}"
            )
        if self.clock.anchor(hello.server_time, hello.speed) is False:  # the clock's own bounds (core.clock)
            why = f"its clock is out of bounds (server_time {hello.server_time})"
            await ws.close(1002, close_text(f"bad hello: {why}"))
            raise HelloRefused(f"the feed's hello was refused: {why}")
        self.role, self.user = hello.role, hello.user
        await self.queue.put(hello)
        if result.clock_reset:
            await self._clock_reset(result.clock_reset, hello)
        self._server_id = hello.server_id
        return hello

    async def _clock_reset(self, reason: str, msg: Message | None) -> None:
        """The decoder found the feed's clock reset and forgot its per-series memory: say so.

        ``since`` is kept when the new clock is not behind it (another server of the same feed
        may resend), and dropped when it is: a time of the old clock means nothing to the new one.
        """
        new_id = msg.server_id if isinstance(msg, Hello) else self._server_id
        new_time = getattr(msg, "server_time", None)
        old_time = self.since
        if old_time is not None and new_time is not None and new_time < old_time:
            self.since = None
        await self._notice(
            "clock_reset", f"feed clock reset: {reason}; per-series memory forgotten",
            reason=reason, old_server_id=self._server_id, new_server_id=new_id, old_time=old_time, new_time=new_time,
        )

    async def _check_resume(self, hello: Hello, since: int | None) -> None:
        gap = resume_gap(hello, since)
        if gap is not None:
            why, gap_to = gap
            await self._notice("gap", f"data from {iso_ms(since)} to {iso_ms(gap_to)} not recovered: {why}",
                               gap_from=since, gap_to=gap_to, why=why)


def _close_of(ws: ClientConnection) -> CloseInfo:
    p = ws.protocol
    return close_info(p.close_rcvd, p.close_sent, p.close_rcvd_then_sent)


__all__ = [
    "Backoff", "CloseInfo", "ConnectionState", "FeedClient", "FeedItem", "FeedNotice", "FeedStatus", "FrameTap",
    "HelloRefused", "NotConnected", "ProtocolMismatch",
]


def _frames_waiting(ws: ClientConnection) -> bool:
    """True when the connection already holds the next frame, so ``recv()`` returns it without
    waiting. Read from websockets' message assembler (not public API): with another version of
    the library this says False, and frames are decoded one by one, as before."""
    try:
        return bool(ws.recv_messages.frames.queue)
    except AttributeError:
        return False
