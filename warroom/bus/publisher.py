"""Publish a feed's messages to NATS JetStream, without ever making the feed wait.

``BusPublisher.publish(message)`` only appends to a bounded queue; a task drains it to
JetStream (subjects and stream: ``warroom.bus.subjects``), one acknowledged publish at a time.

* **Frames.** Each message is one protocol frame (``warroom.protocol.encode``, no ``seq``). A
  metric batch whose frame would not fit the server's ``max_payload`` (from the connection's
  server INFO; 1 MiB by default) is split into several self-contained ``metrics`` frames, each
  with its own series table: nothing is lost and no publish fails for size.
* **De-duplication.** Every message carries a ``Nats-Msg-Id`` made from its subject and content
  (a hash), fixed when it is first encoded: a publish retried after a timeout or an outage is
  stored once (within the stream's ``duplicate_window``). The plan catalogue, which has no
  timestamp of its own, also gets this publisher's run and a counter, so an earlier catalogue
  coming back is stored again (it is the current state).
* **NATS down** at start or mid-run: the feed goes on; the log says so once per outage (and
  once when NATS is back, with what was queued and dropped); publishing is retried with
  back-off and the queue is drained when NATS returns. When the queue is full the oldest
  *metric* frame is dropped first (``stats.dropped``); events, topology and catalogue are
  dropped only when nothing else is left to drop, and each one is logged as an error
  (``stats.dropped_events``).
* **The stream.** ``start`` (and every new connection) creates the site's stream, or updates
  one that exists with another configuration (logged; a refused update is logged as an error
  and the stream used as it is). A stream that disappears while we publish (deleted by an
  operator) is recreated; the gap is logged, counted (``stats.stream_recreated``) and explained
  on the bus itself by a ``feed`` event on the site's events subject, followed by the current
  topology and catalogue, so a consumer that starts on the new stream has the state. A purged
  stream (found while idle, every ``state_check_s``: its topology is gone) is refilled the same way.

``BusTee`` stands where a ``FeedServer`` is expected (``SimFeed.run(tee)``,
``GatewayFeed.attach(tee)``): its ``broadcast`` gives the message to the publisher and to the
server.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import nats
import nats.errors
import nats.js.errors

from warroom.bus.frames import redact_url, split_batch
from warroom.bus.subjects import (
    DEFAULT_DUPLICATE_WINDOW_S,
    HEADER_CAPS,
    HEADER_FEED,
    HEADER_NOW,
    HEADER_SPEED,
    DEFAULT_MAX_AGE_S,
    STATE_KINDS,
    kind_of,
    stream_config,
    stream_name,
    subject,
)
from warroom.core.clock import monotonic, wall_ms
from warroom.core.model import Event, EventKind, Severity
from warroom.protocol import Events, Message, MetricBatch, encode

log = logging.getLogger(__name__)

#: Room kept under ``max_payload`` for the headers (``Nats-Msg-Id``) of a message.
HEADER_ROOM = 512
#: JetStream's error code for "stream name already in use with a different configuration".
ERR_STREAM_CONFIG_DIFFERS = 10058
DEFAULT_MAX_PAYLOAD = 1024 * 1024


@dataclass
class BusStats:
    """What the publisher did; read it for a health line or a test."""

    published: int = 0  #: messages JetStream stored (acknowledged, not duplicates)
    bytes: int = 0  #: bytes of those messages' bodies
    duplicates: int = 0  #: acknowledged as duplicates of a message stored before (a retry)
    split: int = 0  #: metric batches split to fit ``max_payload``
    dropped: int = 0  #: metric frames dropped because the queue was full
    dropped_events: int = 0  #: event/topology/catalogue frames dropped (queue full of them)
    unpublishable: int = 0  #: messages refused for good (not encodable, refused by the server)
    failures: int = 0  #: failed attempts (connect, stream, publish): each retried
    outages: int = 0  #: times NATS became unreachable
    stream_recreated: int = 0  #: times the stream had disappeared and was created again
    stream_purged: int = 0  #: times the stream was found purged (its topology gone) and refilled
    last_error: str = ""
    #: Recent notable things (outages, a recreated stream), newest last; at most 100.
    events: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.events.append(f"{time.strftime('%H:%M:%S')} {text}")
        del self.events[:-100]


@dataclass
class _Item:
    """One queued message; its frames (``(body, msg id)``) are made once, so a retry is identical."""

    kind: str
    message: Message
    stamp: str = ""  # part of the catalogue's message id: this publisher's run and a counter
    frames: list[tuple[bytes, str]] | None = None
    done: int = 0  # frames already acknowledged


class BusPublisher:
    """Publishes one site's feed to JetStream at ``url`` (see the module docstring).

    ``site``: the site name (subjects ``warroom.<site>.<kind>``, stream ``WARROOM_<SITE>``).
    ``max_age_s``: how long the stream keeps messages. ``max_queue``: frames held while NATS is
    slow or down. ``snapshot``: returns the feed's current messages (``FeedSource.snapshot_messages``);
    its topology and catalogue are published on the first connection and after the stream was
    recreated. ``now_ms``: the feed's clock, for the time of the publisher's own events and the
    ``Warroom-Now`` header; ``feed_name`` and ``speed`` go in the other headers
    (``warroom.bus.subjects``). Every ``state_check_s`` the publisher makes sure the stream still
    holds the current topology: a purged stream gets it again, with a ``feed`` event saying so.
    ``incident_state`` (a feed that computes incidents: ``FeedWatch.state_events``) is published
    on the ``incidents`` subject whenever it changed, checked as often; ``capabilities`` (what
    the feed adds to its hello) go in a header, so edges offer what the feed offers.
    """

    def __init__(
        self,
        url: str,
        site: str,
        *,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        duplicate_window_s: float = DEFAULT_DUPLICATE_WINDOW_S,
        max_queue: int = 5000,
        ack_timeout_s: float = 2.0,
        connect_timeout_s: float = 2.0,
        retry_min_s: float = 0.2,
        retry_max_s: float = 5.0,
        snapshot: Callable[[], list[Message]] | None = None,
        now_ms: Callable[[], int] = wall_ms,
        feed_name: str = "",
        speed: float = 1.0,
        state_check_s: float = 10.0,
        capabilities: tuple[str, ...] = (),
        incident_state: Callable[[], list[Event]] | None = None,
    ) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        self.url = url
        #: ``url`` without a user name or password: what the log and the console may show.
        self.safe_url = redact_url(url)
        self.site = site
        self.stream = stream_name(site)
        self.config = stream_config(site, max_age_s=max_age_s, duplicate_window_s=duplicate_window_s)
        self.max_queue = max_queue
        self.ack_timeout_s = ack_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.retry_min_s = retry_min_s
        self.retry_max_s = retry_max_s
        self.snapshot = snapshot
        self.now_ms = now_ms
        self.feed_name = feed_name or site
        self.speed = float(speed)
        self.state_check_s = state_check_s
        self._next_state_check = 0.0
        self.capabilities = ",".join(capabilities)
        self.incident_state = incident_state
        self._incident_key: tuple[str, ...] | None = None
        self.stats = BusStats()
        self._queue: deque[_Item] = deque()
        self._wake = asyncio.Event()
        self._nc: Any = None
        self._js: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._had_stream = False  # the stream existed once: its absence later is a gap
        self._outage_since: float | None = None
        self._dropping = False  # in a spell of dropped metric frames (logged once per spell)
        self.max_payload = DEFAULT_MAX_PAYLOAD
        self._head_items = 0  # items ``_gap`` put first in the queue
        self._run_id = wall_ms()  # a restarted publisher's catalogues are new messages
        self._stamps = 0

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> bool:
        """Connect and create (or update) the stream, then publish in the background.

        Returns whether NATS was reachable now. It never raises for an unreachable NATS: the
        publisher keeps trying (and the feed keeps running); the log says so.
        """
        if self._task is not None:
            return self.connected
        ok = await self._ensure_connection()
        self._task = asyncio.create_task(self._run(), name=f"bus-publisher-{self.site}")
        return ok

    async def stop(self, drain_s: float = 5.0) -> None:
        """Publish what is queued (for at most ``drain_s``), then close the connection.
        What is still queued then is logged as not published."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), drain_s)
            except asyncio.TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        if self._queue:
            log.error("bus %s: stopped with %d frame(s) not published to %s", self.stream, len(self._queue), self.safe_url)
        if self._nc is not None:
            with contextlib.suppress(Exception):  # closing a broken connection: nothing to save
                await self._nc.close()
            self._nc = None

    @property
    def connected(self) -> bool:
        """Whether the publisher has a live connection to NATS now."""
        return self._nc is not None and self._nc.is_connected

    @property
    def queued(self) -> int:
        """Messages waiting to be published."""
        return len(self._queue)

    # -- the feed's side -------------------------------------------------------------
    def publish(self, message: Message) -> bool:
        """Queue a message for the bus; never blocks, never raises. Returns False for a message
        the bus does not carry (hello, heartbeat, command results)."""
        kind = kind_of(message)
        if kind is None:
            return False
        if len(self._queue) >= self.max_queue:
            self._make_room()
        self._queue.append(_Item(kind, message, self._stamp(kind)))
        self._wake.set()
        return True

    def _stamp(self, kind: str) -> str:
        """What makes a catalogue's message id unique: it has no timestamp, and the same catalogue
        may come back (a plan started, then ended) and must be stored again as the current state."""
        if kind not in ("catalogue", "incidents"):
            return ""
        self._stamps += 1
        return f"{self._run_id}-{self._stamps}"

    def _make_room(self) -> None:
        for i, item in enumerate(self._queue):
            if item.kind == "metrics":
                del self._queue[i]
                self.stats.dropped += 1
                if not self._dropping:
                    self._dropping = True
                    log.warning("bus %s: queue full (%d frames, NATS %s): dropping the oldest metric frames; "
                                "events are kept", self.stream, self.max_queue, "down" if self._outage_since else "slow")
                return
        item = self._queue.popleft()
        self.stats.dropped_events += 1
        log.error("bus %s: queue full of non-metric frames: DROPPED a %s frame (%d dropped so far)",
                  self.stream, item.kind, self.stats.dropped_events)

    # -- the task --------------------------------------------------------------------
    async def _run(self) -> None:
        backoff = self.retry_min_s
        while True:
            if not self._queue:
                if self._stopping:
                    return
                await self._check_state()
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.state_check_s)
                continue
            if not await self._ensure_connection():
                if self._stopping:
                    return  # stop() logs what is left
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.retry_max_s)
                continue
            item = self._queue.popleft()
            try:
                await self._send(item)
            except _Requeue:
                self._queue.insert(min(self._head_items, len(self._queue)), item)
                continue
            except _Retry as exc:
                self._queue.appendleft(item)  # first again: order is kept
                if len(self._queue) > self.max_queue:  # it filled up while this one was out
                    self._make_room()
                self._failed(exc.cause)
                if self._stopping and not self.connected:
                    return
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.retry_max_s)
                continue
            except Exception as exc:  # noqa: BLE001 - a bug must not silently end the publishing task
                self.stats.unpublishable += 1
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("bus %s: a %s frame could not be published and was skipped", self.stream, item.kind)
                continue
            backoff = self.retry_min_s
            self._back()
            if len(self._queue) < self.max_queue // 2:
                self._dropping = False

    async def _ensure_connection(self) -> bool:
        """A connection with the stream in place, or False (failure counted and logged)."""
        nc = self._nc
        if nc is not None and nc.is_connected:
            return True
        if nc is not None and not nc.is_closed:
            return False  # nats-py is reconnecting: wait for it
        try:
            self._nc = await nats.connect(
                self.url, name=f"warroom-bus-{self.site}", connect_timeout=self.connect_timeout_s,
                allow_reconnect=True, max_reconnect_attempts=3, reconnect_time_wait=0.5,
                error_cb=self._quiet, disconnected_cb=self._on_disconnect,
            )
        except (nats.errors.Error, OSError, asyncio.TimeoutError) as exc:
            self._failed(exc)
            return False
        self._js = self._nc.jetstream(timeout=self.ack_timeout_s)
        self.max_payload = int(self._nc.max_payload or DEFAULT_MAX_PAYLOAD)
        first = not self._had_stream
        try:
            await self._ensure_stream()
        except (nats.errors.Error, OSError, asyncio.TimeoutError) as exc:
            self._failed(exc)
            return False
        if first:
            self._queue_state()
        return True

    async def _ensure_stream(self) -> None:
        """Create the stream, or bring an existing one to our configuration; a stream that
        existed before and is gone now is a gap (``_gap``)."""
        try:
            await self._js.stream_info(self.stream)
            exists = True
        except nats.js.errors.NotFoundError:
            exists = False
        if not exists:
            await self._js.add_stream(self.config)
            if self._had_stream:
                self._gap()
            else:
                log.info("bus: created JetStream stream %s on %s (max age %g s)", self.stream, self.safe_url,
                         self.config.max_age)
            self._had_stream = True
            return
        self._had_stream = True
        try:
            await self._js.add_stream(self.config)  # the same configuration: nothing changes
        except nats.js.errors.BadRequestError as exc:
            if exc.err_code != ERR_STREAM_CONFIG_DIFFERS:
                raise
            log.warning("bus: stream %s exists with another configuration: updating it (max age %g s, "
                        "subjects %s)", self.stream, self.config.max_age, self.config.subjects)
            try:
                await self._js.update_stream(self.config)
            except nats.js.errors.APIError as exc2:
                self.stats.last_error = f"stream {self.stream}: {exc2.description or exc2}"
                self.stats.note(f"stream {self.stream} not updated: {exc2.description or exc2}")
                log.error("bus: stream %s could not be updated (%s): publishing to it as it is", self.stream,
                          exc2.description or exc2)

    async def _check_state(self) -> None:
        """Every ``state_check_s`` while idle: is the current topology still on the stream? An
        operator's purge removes it, and an edge that starts then would have no topology."""
        if not self.connected or not self._had_stream or monotonic() < self._next_state_check:
            return
        self._next_state_check = monotonic() + self.state_check_s
        self._queue_incidents()
        if self.snapshot is None or self.stats.published == 0:
            return
        try:
            await self._js.get_last_msg(self.stream, subject(self.site, "topology"))
        except nats.js.errors.NotFoundError:
            if any(kind_of(m) == "topology" for m in self._safe_snapshot()):
                self._gap("purged")
        except (nats.errors.Error, OSError, asyncio.TimeoutError) as exc:
            log.debug("bus %s: state check failed: %s", self.stream, exc)

    def _queue_incidents(self, force: bool = False) -> None:
        """Queue the feed's incident state when it changed since it was last queued."""
        if self.incident_state is None:
            return
        try:
            state = list(self.incident_state())
        except Exception:  # noqa: BLE001 - a broken watch must not stop the publisher
            log.exception("bus %s: could not take the feed's incident state", self.stream)
            return
        key = tuple(e.id for e in state)
        if key != self._incident_key or force:
            self._incident_key = key
            self._queue.append(_Item("incidents", Events(tuple(state)), self._stamp("incidents")))
            self._wake.set()

    def _safe_snapshot(self) -> list[Message]:
        try:
            return list(self.snapshot()) if self.snapshot is not None else []
        except Exception:  # noqa: BLE001 - a broken snapshot must not stop the publisher
            log.exception("bus %s: could not take the feed's snapshot", self.stream)
            return []

    def _gap(self, how: str = "recreated") -> None:
        """The stream had disappeared and was just created again, or was purged: say so everywhere."""
        if how == "purged":
            self.stats.stream_purged += 1
            text = (f"JetStream stream {self.stream} was purged: the messages it held are lost; the current "
                    "topology and plan catalogue are published again")
        else:
            self.stats.stream_recreated += 1
            text = (f"JetStream stream {self.stream} had disappeared (deleted?) and was recreated: "
                    f"the messages it held are lost; {self.stats.published} had been published")
        self.stats.note(text)
        log.error("bus: %s", text)
        now = self.now_ms()
        event = Event(f"bus-{self.stream}-{how}-{now}", now, EventKind.FEED, f"bus:{self.stream}", text,
                      Severity.P3, {"action": f"stream_{how}", "stream": self.stream})
        before = len(self._queue)
        self._queue_state()
        self._queue.appendleft(_Item("events", Events((event,))))  # the explanation first
        self._head_items = len(self._queue) - before

    def _queue_state(self) -> None:
        """Put the feed's current topology and catalogue first in the queue (after a gap event)."""
        state = [m for m in self._safe_snapshot() if kind_of(m) in STATE_KINDS]
        self._incident_key = None  # the incident state is published again at the next check
        self._next_state_check = 0.0
        for m in reversed(state):
            kind = kind_of(m) or ""
            self._queue.appendleft(_Item(kind, m, self._stamp(kind)))

    async def _send(self, item: _Item) -> None:
        """Publish the item's frames not yet acknowledged; ``_Retry`` to try again later."""
        if item.frames is None:
            try:
                item.frames = self._frames(item)
            except (ValueError, TypeError) as exc:
                self.stats.unpublishable += 1
                self.stats.last_error = f"{item.kind}: {exc}"
                log.error("bus %s: a %s frame cannot be encoded, not published: %s", self.stream, item.kind, exc)
                return
        subj = subject(self.site, item.kind)
        while item.done < len(item.frames):
            body, msg_id = item.frames[item.done]
            try:
                ack = await self._publish_once(subj, body, msg_id)
            except nats.js.errors.NoStreamResponseError:
                recreated = self.stats.stream_recreated
                try:
                    await self._ensure_stream()  # deleted under us: recreate it
                    if self.stats.stream_recreated != recreated:
                        raise _Requeue  # behind the gap event and the state
                    ack = await self._publish_once(subj, body, msg_id)
                except (nats.errors.Error, OSError, asyncio.TimeoutError) as exc:
                    raise _Retry(exc) from None
            except nats.js.errors.ServiceUnavailableError as exc:  # JetStream busy or not ready: later
                raise _Retry(exc) from None
            except nats.js.errors.APIError as exc:  # the server refuses this message for good
                item.done += 1
                self.stats.unpublishable += 1
                self.stats.last_error = f"{subj}: {exc.description or exc}"
                log.error("bus %s: JetStream refused a %s frame of %d bytes: %s", self.stream, item.kind,
                          len(body), exc.description or exc)
                continue
            except (nats.errors.Error, OSError, asyncio.TimeoutError) as exc:
                raise _Retry(exc) from None
            item.done += 1
            if ack.duplicate:
                self.stats.duplicates += 1
            else:
                self.stats.published += 1
                self.stats.bytes += len(body)

    async def _publish_once(self, subj: str, body: bytes, msg_id: str) -> Any:
        headers = {"Nats-Msg-Id": msg_id, HEADER_NOW: str(int(self.now_ms())), HEADER_SPEED: f"{self.speed:g}",
                   HEADER_FEED: self.feed_name}
        if self.capabilities:
            headers[HEADER_CAPS] = self.capabilities
        return await self._js.publish(subj, body, timeout=self.ack_timeout_s, headers=headers)

    def _frames(self, item: _Item) -> list[tuple[bytes, str]]:
        """The item's frame(s) with their message ids; a metric batch split to fit."""
        limit = max(1024, self.max_payload - HEADER_ROOM)
        if isinstance(item.message, MetricBatch):
            bodies = split_batch(item.message, limit)
            if len(bodies) > 1:
                self.stats.split += 1
        else:
            body = encode(item.message)
            if len(body) > limit:
                raise ValueError(f"{len(body)} bytes, over the server's max_payload {self.max_payload}")
            bodies = [body]
        salt = str(item.stamp).encode()
        return [(b, f"{item.kind}-{hashlib.sha256(salt + b).hexdigest()[:40]}") for b in bodies]

    # -- outages ---------------------------------------------------------------------
    def _failed(self, exc: BaseException) -> None:
        self.stats.failures += 1
        self.stats.last_error = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        if self._outage_since is None:
            self._outage_since = monotonic()
            self.stats.outages += 1
            self.stats.note(f"NATS unreachable: {self.stats.last_error}")
            log.warning("bus %s: NATS at %s unreachable (%s): the feed goes on; up to %d frames are queued "
                        "(oldest metric frames dropped first), retrying", self.stream, self.safe_url,
                        self.stats.last_error, self.max_queue)

    def _back(self) -> None:
        if self._outage_since is None:
            return
        lasted = monotonic() - self._outage_since
        self._outage_since = None
        self.stats.note(f"NATS back after {lasted:.0f} s")
        log.warning("bus %s: NATS at %s back after %.0f s: publishing %d queued frame(s); %d metric frame(s) "
                    "dropped so far", self.stream, self.safe_url, lasted, len(self._queue), self.stats.dropped)

    async def _quiet(self, exc: Exception) -> None:
        """nats-py's error callback: its own log would repeat every attempt; ours says it once."""
        self.stats.last_error = f"{type(exc).__name__}: {exc}".strip().rstrip(":")

    async def _on_disconnect(self) -> None:
        if not self._stopping:
            log.debug("bus %s: disconnected from %s", self.stream, self.safe_url)


class _Requeue(Exception):
    """The stream was just recreated: send this item again after what ``_gap`` queued."""


class _Retry(Exception):
    """A publish that failed for a reason that may pass (NATS down, a timeout)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class BusTee:
    """A ``FeedServer`` stand-in that also publishes: ``broadcast`` goes to the publisher (never
    blocking) and to ``server`` (optional: None publishes only). Other attributes are the server's."""

    def __init__(self, server: Any, publisher: BusPublisher) -> None:
        self.server = server
        self.publisher = publisher

    def broadcast(self, message: Message) -> int:
        """Queue ``message`` on the bus and broadcast it on the server; returns the server's count."""
        self.publisher.publish(message)
        return self.server.broadcast(message) if self.server is not None else 0

    def __getattr__(self, name: str) -> Any:
        if self.server is None:
            raise AttributeError(name)
        return getattr(self.server, name)
