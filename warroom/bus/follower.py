"""Follow a site's stream on JetStream, in stream order, through outages, purges and deletions.

``BusFollower(url, site, handler).run()`` hands every message of the site's stream to
``handler(BusMessage)`` exactly once and in stream order (``watermark`` is the last stream
sequence handed on), for as long as it runs:

* **Start.** The first subscription starts ``warm_s`` seconds back (``BY_START_TIME``), after
  the newest topology and plan catalogue on the stream (``get_last_msg``): an edge that starts,
  or starts again after ``kill -9``, has the current state and the recent history at once.
* **NATS down** at start or mid-run: the follower says so once (``on_state("down", why)``),
  retries with back-off, and when NATS is back subscribes again after ``watermark``: nothing
  the stream still holds is missed or handed on twice (``on_state("up", …)``).
* **Stream purged, deleted or recreated** (checked every ``check_s``): messages after the
  watermark that are gone are a gap, said through ``on_state("gap", why)``; a deleted stream is
  waited for (the publisher recreates it) and then followed from its first message.

A message that does not decode is logged and counted (``bad_messages``), never handed on. The
follower owns the NATS connection; ``js`` is it (or None while down), for a command sender that
publishes on the same connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import nats
import nats.errors
import nats.js.errors
from nats.js.api import ConsumerConfig, DeliverPolicy

from warroom.bus.frames import redact_url
from warroom.bus.subjects import (
    HEADER_CAPS,
    HEADER_FEED,
    HEADER_NOW,
    HEADER_SPEED,
    STATE_KINDS,
    kind_of_subject,
    site_subjects,
    stream_name,
    subject,
)
from warroom.core.clock import monotonic, wall_ms, wall_s
from warroom.protocol import Decoder, Message

log = logging.getLogger(__name__)

#: How far past its ``Warroom-Now`` header a message's points may be (clock steps, rounding).
FUTURE_SLACK_MS = 5_000
_NET_ERRORS = (nats.errors.Error, OSError, asyncio.TimeoutError)


@dataclass(frozen=True)
class BusMessage:
    """One message of the stream: its sequence, kind, the decoded frame and the feed's headers."""

    seq: int
    kind: str
    message: Message
    now_ms: int | None = None  #: the feed's clock when it was published (``Warroom-Now``)
    speed: float | None = None
    feed: str | None = None
    caps: tuple[str, ...] | None = None  #: the feed's own hello capabilities (``Warroom-Caps``)
    state: bool = False  #: read as the current state before following (may come again later)


class _Restart(Exception):
    """Subscribe again (after a gap, or a stream that came back)."""


class BusFollower:
    """See the module docstring."""

    def __init__(
        self,
        url: str,
        site: str,
        handler: Callable[[BusMessage], None],
        *,
        warm_s: float = 300.0,
        on_state: Callable[[str, str], None] | None = None,
        check_s: float = 2.0,
        connect_timeout_s: float = 2.0,
        retry_min_s: float = 0.2,
        retry_max_s: float = 5.0,
        name: str = "warroom-follower",
    ) -> None:
        self.url = url
        self.safe_url = redact_url(url)
        self.site = site
        self.stream = stream_name(site)
        self.handler = handler
        self.warm_s = warm_s
        self.on_state = on_state or (lambda state, why: None)
        self.check_s = check_s
        self.connect_timeout_s = connect_timeout_s
        self.retry_min_s = retry_min_s
        self.retry_max_s = retry_max_s
        self.name = name
        self.watermark = 0  #: the last stream sequence handed on
        self.handled = 0
        self.bad_messages = 0
        self.gaps: list[str] = []
        self.up = False  #: following the stream now
        self.synced = asyncio.Event()  #: set once the first subscription reached the stream's end
        self._nc = None
        self.js = None
        self._decoder = Decoder()
        self._from_first = False  # the stream was recreated: read it from its first message
        self._down_since: float | None = None
        self._created = None  # the stream's creation time: another one means it was recreated
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------
    async def run(self) -> None:
        """Follow until cancelled or ``stop``; never returns because NATS is down."""
        backoff = self.retry_min_s
        while not self._stopping:
            try:
                await self._connect()
                backoff = self.retry_min_s
                await self._follow()
            except _Restart:
                continue
            except nats.js.errors.NotFoundError:
                self._down(f"stream {self.stream} does not exist (yet): waiting for the feed to create it")
            except _NET_ERRORS as exc:
                self._down(f"{type(exc).__name__}: {exc}".strip().rstrip(":"))
            await self._close()
            if self._stopping:
                break
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.retry_max_s)

    async def stop(self) -> None:
        """Stop following and close the connection."""
        self._stopping = True
        await self._close()

    async def _connect(self) -> None:
        if self._nc is not None and self._nc.is_connected:
            return
        await self._close()
        # No automatic reconnection: the loop above reconnects and resubscribes after the watermark.
        self._nc = await nats.connect(self.url, name=self.name, connect_timeout=self.connect_timeout_s,
                                      allow_reconnect=False, error_cb=self._quiet)
        self.js = self._nc.jetstream(timeout=self.connect_timeout_s)

    async def _close(self) -> None:
        nc, self._nc, self.js = self._nc, None, None
        if nc is not None:
            with contextlib.suppress(Exception):
                await nc.close()

    async def _quiet(self, exc: Exception) -> None:
        log.debug("%s: %s", self.name, exc)

    # -- following ---------------------------------------------------------------------
    async def _follow(self) -> None:
        js = self.js
        info = await js.stream_info(self.stream)
        self._check(info)
        if self.watermark == 0 and not self._from_first:
            await self._read_state()
            start = datetime.fromtimestamp(max(0.0, wall_s() - self.warm_s), timezone.utc)
            config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=start)
        elif self.watermark == 0:
            config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
        else:
            config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self.watermark + 1)
        self._from_first = False
        target = info.state.last_seq  # the stream's end when we subscribed: "synced" once reached
        sub = await js.subscribe(site_subjects(self.site), ordered_consumer=True, idle_heartbeat=2.0,
                                 config=config, pending_bytes_limit=256 * 1024 * 1024)
        self._up()
        next_check = monotonic() + self.check_s
        try:
            while not self._stopping:
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except nats.errors.TimeoutError:
                    msg = None
                if msg is not None:
                    self._take(msg)
                if not self.synced.is_set() and (self.watermark >= target or msg is None):
                    self.synced.set()
                if msg is None or monotonic() >= next_check:
                    if self._nc is None or not self._nc.is_connected:
                        raise nats.errors.ConnectionClosedError
                    if monotonic() >= next_check:
                        next_check = monotonic() + self.check_s
                        self._check(await js.stream_info(self.stream))
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _read_state(self) -> None:
        """The newest topology and catalogue, which may be older than the warm window."""
        for kind in STATE_KINDS:
            try:
                raw = await self.js.get_last_msg(self.stream, subject(self.site, kind))
            except nats.js.errors.NotFoundError:
                continue
            message = self._decode(raw.data, raw.headers or {}, raw.seq)
            if message is not None:
                self._hand(BusMessage(raw.seq, kind, message, *_feed_headers(raw.headers or {}), state=True))

    def _check(self, info) -> None:
        """Compare the stream with the watermark: recreated (it restarted its sequence) or purged."""
        first, last = int(info.state.first_seq), int(info.state.last_seq)
        created, self._created = self._created, getattr(info, "created", None)
        new_stream = created is not None and self._created is not None and self._created != created
        if self.watermark and (last < self.watermark or new_stream):
            self._gap(f"stream {self.stream} was deleted and created again (at sequence {self.watermark} of the old "
                      "one): what it held before is lost; following the new stream from its start")
            self.watermark = 0
            self._from_first = True
            self._decoder.forget_series_times()  # the feed may send those times again
            raise _Restart
        if self.watermark and first > self.watermark + 1:
            lost = first - self.watermark - 1
            self._gap(f"stream {self.stream} lost {lost} message(s) after sequence {self.watermark} before this "
                      "edge read them (purged, or older than the stream's max age)")
            self.watermark = first - 1
            raise _Restart

    def _take(self, msg) -> None:
        seq = int(msg.metadata.sequence.stream)
        if seq <= self.watermark:
            return  # already handed on (a resubscription overlaps)
        if self.watermark and seq > self.watermark + 1:
            self._gap(f"stream {self.stream} skipped sequences {self.watermark + 1}..{seq - 1} (removed before "
                      "this edge read them)")
        self.watermark = seq
        kind = kind_of_subject(msg.subject)
        if kind is None:
            return
        headers = msg.headers or {}
        message = self._decode(msg.data, headers, seq)
        if message is not None:
            self._hand(BusMessage(seq, kind, message, *_feed_headers(headers)))

    def _decode(self, data: bytes, headers: dict, seq: int) -> Message | None:
        now = _feed_headers(headers)[0]
        result = self._decoder.decode(data, (now if now is not None else wall_ms()) + FUTURE_SLACK_MS)
        if result.message is None or result.errors:
            self.bad_messages += 1
            log.warning("%s: message %d of %s: %s", self.name, seq, self.stream,
                        "; ".join(str(e) for e in result.errors) or "not a protocol frame")
        return result.message

    def _hand(self, bm: BusMessage) -> None:
        self.handled += 1
        try:
            self.handler(bm)
        except Exception:  # noqa: BLE001 - one bad message must not stop the follower
            log.exception("%s: handling message %d (%s) failed", self.name, bm.seq, bm.kind)

    # -- what the follower says ---------------------------------------------------------
    def _up(self) -> None:
        was_down = self._down_since
        self._down_since = None
        self.up = True
        if was_down is not None:
            why = f"following {self.stream} on {self.safe_url} again after {monotonic() - was_down:.0f} s"
            log.warning("%s: %s", self.name, why)
            self.on_state("up", why)

    def _down(self, why: str) -> None:
        self.up = False
        if self._down_since is None and not self._stopping:
            self._down_since = monotonic()
            log.warning("%s: NATS %s: %s; serving what it holds, retrying", self.name, self.safe_url, why)
            self.on_state("down", why)

    def _gap(self, why: str) -> None:
        self.gaps.append(why)
        del self.gaps[:-100]
        log.error("%s: %s", self.name, why)
        self.on_state("gap", why)


def _feed_headers(headers: dict) -> tuple[int | None, float | None, str | None, tuple[str, ...]]:
    """``(now_ms, speed, feed, caps)`` from a message's headers; None (caps: ()) for a missing or bad one."""
    now = speed = None
    with contextlib.suppress(TypeError, ValueError):
        now = int(headers.get(HEADER_NOW, ""))
    with contextlib.suppress(TypeError, ValueError):
        speed = float(headers.get(HEADER_SPEED, ""))
        if not (0.0 < speed < 1e6):
            speed = None
    feed = headers.get(HEADER_FEED) or None
    caps = tuple(c for c in str(headers.get(HEADER_CAPS, "")).split(",") if c.isidentifier())
    return now, speed, feed, caps
