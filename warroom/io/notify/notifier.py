"""The notifier: dedup, rate limits, digests, retries, in the background.

``submit()`` only appends to a bounded in-memory queue (under a lock held for
microseconds), so the UI thread or the asyncio loop can call it at any rate; it never
blocks and never raises. ``run()`` (an asyncio task) routes what was submitted to each
channel and delivers it; the blocking HTTP/SMTP calls run in daemon threads, one delivery
in flight per channel, so a hanging robot delays only its own channel.

Per channel, in order: the severity/state filter and the escalation route (``filtered``;
``escalation.py``), dedup of (key, state)
within the channel's window (``suppressed``; a more severe repeat gets through), then the
token bucket. What the bucket refuses is folded into the channel's digest (``coalesced``),
and while a digest is open, new notifications that are not more severe than it join it.
A digest collects for ``digest_ms`` from its first notification, then goes out as one
message when a token is free. A storm of 200 alerts therefore costs a channel ``burst``
messages plus one digest a minute.

Failures are retried with exponential backoff and jitter up to ``RetryPolicy.attempts``
(permanent ones, e.g. HTTP 404 or a refused SMTP login, are not), then counted as failed
with the redacted error: ``status()`` shows it all.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections import Counter, deque
from typing import Any, Awaitable, Callable, Iterable, Mapping

from warroom.core.clock import wall_ms
from warroom.io.notify.channels import Channel
from warroom.io.notify.coverage import coverage_warnings
from warroom.io.notify.escalation import escalation_channels, routes_to
from warroom.io.notify.model import DeliveryError, DigestBuilder, Notification, Outgoing
from warroom.io.notify.render import digest_headline, headline
from warroom.io.notify.state import (
    DeliveryRecord,
    Job,
    Lane,
    NotifierStatus,
    RetryPolicy,
    TokenBucket,
)

log = logging.getLogger("warroom.io.notify")

SendFn = Callable[[Channel, Outgoing], Awaitable[None]]
_DEDUP_CAP = 10_000  # entries per channel; beyond it the oldest are forgotten early


class Notifier:
    """Delivers notifications to channels in the background; see the module docstring.

    ``clock_ms`` is the time base of dedup windows, rate limits and digests (wall time by
    default: people's phones live in wall time, not in a 60× feed). ``send(channel, out)``
    replaces the real transport (tests); it raises to fail. ``max_queue`` bounds the submit
    queue, ``max_pending`` each channel's queue of rendered-to-be messages; ``tick_s`` is the
    longest sleep while a digest waits (the clock may be a manual one).
    """

    def __init__(
        self,
        channels: Iterable[Channel],
        *,
        clock_ms: Callable[[], int] = wall_ms,
        send: SendFn | None = None,
        retry: RetryPolicy = RetryPolicy(),
        max_queue: int = 1000,
        max_pending: int = 50,
        tick_s: float = 1.0,
        recent: int = 50,
        rng: random.Random | None = None,
    ) -> None:
        self._clock, self._send, self._retry = clock_ms, send, retry
        self._max_queue, self._max_pending, self._tick_s = max_queue, max(1, max_pending), tick_s
        self._rng = rng or random.Random()
        now = clock_ms()
        self._lanes = [Lane(ch, TokenBucket(ch.burst, ch.per_minute, now)) for ch in channels]
        self._escalates = bool(escalation_channels(self.channels))  # else overdue goes to the others
        self._warnings = coverage_warnings(self.channels)
        for line in self._warnings:
            log.warning("notify: %s", line)
        self._lock = threading.Lock()
        self._inbox: deque[Notification] = deque()
        self._drops: Counter[str] = Counter()
        self._recent: deque[DeliveryRecord] = deque(maxlen=recent)
        self._seq = self._overflows = 0
        self._signalled = self._closed = self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._finished: asyncio.Event | None = None
        self._run_task: asyncio.Task[Any] | None = None
        self._deadline = 0.0
        self._undelivered = 0

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The channels, in configuration order."""
        return tuple(lane.channel for lane in self._lanes)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Configuration weaknesses found at start (logged once): see ``coverage_warnings``."""
        return self._warnings

    # --- any thread ----------------------------------------------------------------------

    def submit(self, notification: Notification) -> bool:
        """Queue ``notification`` for every channel. Never blocks, never raises.

        Returns False when it was not queued (not a ``Notification``, or the notifier is
        closed); the reason is counted in ``status().drop_reasons``. When the queue is full,
        the oldest of its least severe notifications makes room, counted as dropped.
        """
        try:
            if not isinstance(notification, Notification):
                with self._lock:
                    self._drops["not a Notification"] += 1
                log.error("notify: submit() got %s, not a Notification; ignored", type(notification).__name__)
                return False
            with self._lock:
                if self._closed:
                    self._drops["submitted after close"] += 1
                    return False
                self._inbox.append(notification)
                if len(self._inbox) > self._max_queue:
                    victim = max(range(len(self._inbox)), key=lambda i: (self._inbox[i].rank, -i))
                    dropped = self._inbox[victim]
                    del self._inbox[victim]
                    self._drops[f"queue full ({dropped.severity})"] += 1
                    self._overflows += 1
                    if _is_power_of_ten(self._overflows):  # a storm logs a few lines, not thousands
                        log.warning(
                            "notify: queue full (%d): %d dropped so far, the oldest least severe first",
                            self._max_queue, self._overflows,
                        )  # fmt: skip
                signal, self._signalled = not self._signalled, True
            if signal:
                self._signal()
            return True
        except Exception:  # a bug here must never reach the caller (the UI thread)
            log.exception("notify: submit failed")
            return False

    def status(self) -> NotifierStatus:
        """A consistent-enough snapshot for the console; cheap, safe from any thread."""
        with self._lock:
            queued, drops, recent = len(self._inbox), dict(self._drops), tuple(reversed(self._recent))
        lanes = tuple(lane.snapshot() for lane in self._lanes)
        return NotifierStatus(lanes, recent, queued, sum(drops.values()), drops, self._warnings)

    def _signal(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # loop closed: nothing will deliver any more
                pass

    # --- the loop ------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """``run()`` as a task on the running loop."""
        return asyncio.get_running_loop().create_task(self.run(), name="notifier")

    async def run(self) -> None:
        """Route and deliver until ``close()``; then deliver what is left within its timeout."""
        if self._loop is not None:
            raise RuntimeError("Notifier.run() is already running or has run")
        self._loop = loop = asyncio.get_running_loop()
        self._wake, self._finished = asyncio.Event(), asyncio.Event()
        self._run_task = asyncio.current_task()
        for lane in self._lanes:
            lane.ready = asyncio.Event()
        workers = [loop.create_task(self._worker(ln), name=f"notify:{ln.channel.name}") for ln in self._lanes]
        try:
            while True:
                self._wake.clear()
                self._pump()
                if self._closing:
                    break
                try:
                    await asyncio.wait_for(self._wake.wait(), self._next_wait_s())
                except TimeoutError:
                    pass
            self._pump(force=True)  # closing: open digests go out now, whatever the bucket says
            for lane in self._lanes:
                lane.draining = True
                lane.ready.set()
            if workers:
                await asyncio.wait(workers, timeout=max(0.0, self._deadline - loop.time()))
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            self._account_undelivered()
            self._finished.set()

    async def close(self, timeout: float = 5.0) -> int:
        """Stop taking notifications, deliver what is queued within ``timeout`` seconds.

        Returns how many notifications were not delivered (also in ``status()``).
        """
        with self._lock:
            self._closed = True
        self._closing = True
        if self._loop is None or self._finished is None:  # never ran
            with self._lock:
                n = len(self._inbox)
                self._inbox.clear()
                if n:
                    self._drops["closed before delivery"] += n
            self._undelivered = n
            return n
        self._deadline = asyncio.get_running_loop().time() + timeout
        self._signal()
        try:
            await asyncio.wait_for(asyncio.shield(self._finished.wait()), timeout + 1.0)
        except TimeoutError:
            if self._run_task is not None and self._run_task is not asyncio.current_task():
                self._run_task.cancel()
                await asyncio.wait([self._run_task], timeout=1.0)
        return self._undelivered

    def _pump(self, force: bool = False) -> None:
        now = self._clock()
        with self._lock:
            batch = list(self._inbox)
            self._inbox.clear()
            self._signalled = False
        for n in batch:
            for lane in self._lanes:
                try:
                    self._route(lane, n, now)
                except Exception:  # a bad attribute must not stop the other channels
                    log.exception("notify %s: could not route %r", lane.channel.name, n.key)
        for lane in self._lanes:
            try:
                self._maybe_flush_digest(lane, now, force)
            except Exception:
                log.exception("notify %s: could not send the digest", lane.channel.name)

    def _route(self, lane: Lane, n: Notification, now: int) -> None:
        ch, c = lane.channel, lane.counts
        if not routes_to(ch, n, escalation_channels_exist=self._escalates):
            c["filtered"] += 1
            return
        ident = (n.key, n.state)
        prev = lane.dedup.get(ident)
        if prev is not None and now - prev[0] < ch.dedup_ms and prev[1] <= n.rank:
            c["suppressed"] += 1
            return
        lane.dedup[ident] = (now, n.rank)
        lane.dedup.move_to_end(ident)
        while lane.dedup and (len(lane.dedup) > _DEDUP_CAP or now - _oldest(lane.dedup) >= ch.dedup_ms):
            lane.dedup.popitem(last=False)  # entries are in time order: the oldest is first
        if lane.digest is not None and n.rank >= lane.digest.rank:
            self._coalesce(lane, n, now)
        elif lane.bucket.take(now):
            self._enqueue(lane, Job(self._next_seq(), n.rank, notification=n), now)
        else:
            self._coalesce(lane, n, now)

    def _coalesce(self, lane: Lane, n: Notification, now: int) -> None:
        if lane.digest is None:
            lane.digest = DigestBuilder(now)
        lane.digest.add(n)
        lane.counts["coalesced"] += 1

    def _maybe_flush_digest(self, lane: Lane, now: int, force: bool) -> None:
        d = lane.digest
        if d is None or not (force or (now >= d.opened_ms + lane.channel.digest_ms and lane.bucket.take(now))):
            return
        lane.digest = None
        self._enqueue(lane, Job(self._next_seq(), d.rank, digest=d.summary()), now)

    def _enqueue(self, lane: Lane, job: Job, now: int) -> None:
        lane.outbox.append(job)
        while len(lane.outbox) > self._max_pending:  # the channel cannot keep up: fold the least severe
            victim = max(lane.outbox, key=lambda j: (j.rank, -j.seq))
            lane.outbox.remove(victim)
            if lane.digest is None:
                lane.digest = DigestBuilder(now)
            if victim.digest is not None:
                lane.digest.merge(victim.digest)
            else:
                lane.digest.add(victim.notification)
                lane.counts["coalesced"] += 1
        if lane.ready is not None:
            lane.ready.set()

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _next_wait_s(self) -> float | None:
        now, waits = self._clock(), []
        for lane in self._lanes:
            if lane.digest is not None:
                due = lane.digest.opened_ms + lane.channel.digest_ms - now
                waits.append(max(due, lane.bucket.ms_until_token(now)) / 1000)
        return min(self._tick_s, max(0.001, min(waits))) if waits else None

    # --- delivery ------------------------------------------------------------------------

    async def _worker(self, lane: Lane) -> None:
        assert lane.ready is not None
        while True:
            if not lane.outbox:
                if lane.draining:
                    return
                lane.ready.clear()
                await lane.ready.wait()
                continue
            job = lane.in_flight = lane.outbox.popleft()
            try:
                await self._deliver(lane, job)
            finally:
                lane.in_flight = None if lane.in_flight is job else lane.in_flight

    async def _deliver(self, lane: Lane, job: Job) -> None:
        ch, count = lane.channel, job.digest.total if job.digest else 1
        try:
            out = ch.render_digest(job.digest) if job.digest else ch.render(job.notification)
        except Exception as e:
            self._finish(lane, job, None, "failed", 0, ch.redact(f"could not render the message: {e!r}"))
            return
        attempt = 0
        while True:
            attempt += 1
            try:
                await asyncio.wait_for(self._transport(ch, out), timeout=ch.timeout_s * 3 + 1)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                permanent = isinstance(e, DeliveryError) and e.permanent
                if isinstance(e, DeliveryError):
                    error = ch.redact(str(e))
                elif isinstance(e, TimeoutError):
                    error = f"timed out after {ch.timeout_s * 3 + 1:g} s"
                else:
                    error = ch.redact(f"{type(e).__name__}: {e}")
                lane.last_error, lane.last_error_ms = error, self._clock()
                if permanent or attempt >= self._retry.attempts:
                    why = "not retried (permanent)" if permanent else f"gave up after {attempt} attempts"
                    log.error("notify %s: %s failed, %s: %s", ch.name, _short(out.subject), why, error)
                    self._finish(lane, job, out, "failed", attempt, error)
                    return
                delay = self._retry.delay_s(attempt, self._rng)
                lane.retrying = True
                lane.counts["retries"] += 1
                log.warning(
                    "notify %s: attempt %d/%d failed, retrying in %.1f s: %s",
                    ch.name, attempt, self._retry.attempts, delay, error,
                )  # fmt: skip
                await asyncio.sleep(delay)
            else:
                log.info("notify %s: sent %s (%d notification(s))", ch.name, _short(out.subject), count)
                self._finish(lane, job, out, "sent", attempt, "")
                return

    async def _transport(self, ch: Channel, out: Outgoing) -> None:
        if self._send is not None:
            await self._send(ch, out)
        else:
            await _in_daemon_thread(ch.post, out)

    def _finish(self, lane: Lane, job: Job, out: Outgoing | None, outcome: str, attempts: int, error: str) -> None:
        now = self._clock()
        lane.retrying = False
        lane.last_outcome = outcome
        lane.counts[outcome] += 1
        if outcome == "sent":
            lane.last_sent_ms = now
        else:  # forget the dedup marks: the next occurrence is tried again
            lane.last_error, lane.last_error_ms = error, now
            for n in job.items:
                lane.dedup.pop((n.key, n.state), None)
        subject = out.subject if out else (digest_headline(job.digest) if job.digest else headline(job.notification))
        count = job.digest.total if job.digest else 1
        with self._lock:
            self._recent.append(DeliveryRecord(now, lane.channel.name, subject, outcome, attempts, count, error))

    def _account_undelivered(self) -> None:
        now, total = self._clock(), 0
        for lane in self._lanes:
            jobs = list(lane.outbox) + ([lane.in_flight] if lane.in_flight else [])
            lane.outbox.clear()
            lane.in_flight = None
            n = sum(j.digest.total if j.digest else 1 for j in jobs) + (lane.digest.total if lane.digest else 0)
            lane.digest = None
            lane.retrying = False
            if n:
                lane.counts["dropped"] += n
                total += n
                log.error("notify %s: %d notification(s) not delivered before close", lane.channel.name, n)
                with self._lock:
                    record = DeliveryRecord(now, lane.channel.name, "closed before delivery", "dropped", 0, n)
                    self._recent.append(record)
        with self._lock:
            leftover = len(self._inbox)
            self._inbox.clear()
            total += leftover
            if total:
                self._drops["closed before delivery"] += total
        self._undelivered = total


def _oldest(dedup: Mapping[tuple[str, str], tuple[int, int]]) -> int:
    return next(iter(dedup.values()))[0]


def _is_power_of_ten(n: int) -> bool:
    while n >= 10 and n % 10 == 0:
        n //= 10
    return n == 1


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _in_daemon_thread(fn: Callable[..., None], *args: Any) -> asyncio.Future[None]:
    """Run blocking ``fn`` in a daemon thread: a hung socket never delays interpreter exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if not future.done():
            future.set_result(None) if error is None else future.set_exception(error)

    def target() -> None:
        error: BaseException | None = None
        try:
            fn(*args)
        except Exception as e:
            error = e
        try:
            loop.call_soon_threadsafe(settle, error)
        except RuntimeError:  # the loop is gone; nobody is waiting
            pass

    threading.Thread(target=target, name="notify-send", daemon=True).start()
    return future


__all__ = ["Notifier", "SendFn"]
