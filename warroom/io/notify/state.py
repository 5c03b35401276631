"""The notifier's bookkeeping: retry policy, token bucket, per-channel state and status records.

Everything here is plain data and arithmetic; ``notifier.py`` drives it.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from warroom.io.notify.channels import Channel
from warroom.io.notify.model import DigestBuilder, DigestSummary, Notification


@dataclass(frozen=True)
class RetryPolicy:
    """Up to ``attempts`` tries; before try k+1 wait min(max_s, base_s·2^(k-1)) × U(0.5, 1)."""

    attempts: int = 4
    base_s: float = 2.0
    max_s: float = 60.0

    def delay_s(self, attempt: int, rng: random.Random) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        return min(self.max_s, self.base_s * 2 ** (attempt - 1)) * rng.uniform(0.5, 1.0)


class TokenBucket:
    """``burst`` tokens, refilled at ``per_minute``; one message takes one token."""

    def __init__(self, burst: int, per_minute: float, now_ms: int) -> None:
        self.burst, self.rate_per_ms = burst, per_minute / 60_000
        self.tokens, self.at_ms = float(burst), now_ms

    def _refill(self, now_ms: int) -> None:
        if now_ms > self.at_ms:
            self.tokens = min(self.burst, self.tokens + (now_ms - self.at_ms) * self.rate_per_ms)
            self.at_ms = now_ms

    def take(self, now_ms: int) -> bool:
        """Take a token if there is one."""
        self._refill(now_ms)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def ms_until_token(self, now_ms: int) -> int:
        """How long until ``take`` would succeed."""
        self._refill(now_ms)
        return 0 if self.tokens >= 1 else int((1 - self.tokens) / self.rate_per_ms) + 1


@dataclass(frozen=True)
class DeliveryRecord:
    """One message's outcome: ``sent``, ``failed`` or ``dropped`` (not delivered before close)."""

    at_ms: int
    channel: str
    subject: str
    outcome: str
    attempts: int
    notifications: int = 1
    error: str = ""


@dataclass(frozen=True)
class ChannelStatus:
    """What the console shows for one channel. ``state``: idle, ok, retrying or failing.

    ``sent``/``failed`` count messages (a digest is one); ``suppressed`` (dedup), ``filtered``
    (below ``min_severity`` or another state), ``coalesced`` (folded into a digest) and
    ``dropped`` (not delivered before close) count notifications. ``retrying`` is the number
    of messages waiting for a retry now, ``retries`` all retries so far; ``pending`` the
    notifications not yet delivered. ``last_error`` is redacted.
    """

    name: str
    kind: str
    target: str
    state: str
    sent: int
    failed: int
    retrying: int
    retries: int
    suppressed: int
    coalesced: int
    filtered: int
    dropped: int
    pending: int
    last_error: str
    last_error_ms: int | None
    last_sent_ms: int | None


@dataclass(frozen=True)
class NotifierStatus:
    """Every channel's status, the newest deliveries first, and the notifier's own queue.

    ``warnings``: configuration weaknesses, e.g. a severity sent to one channel only.
    """

    channels: tuple[ChannelStatus, ...]
    recent: tuple[DeliveryRecord, ...]
    queued: int
    dropped: int
    drop_reasons: Mapping[str, int]
    warnings: tuple[str, ...] = ()


@dataclass
class Job:
    seq: int
    rank: int
    notification: Notification | None = None
    digest: DigestSummary | None = None

    @property
    def items(self) -> Iterable[Notification]:
        return (self.notification,) if self.notification else self.digest.top if self.digest else ()


@dataclass(eq=False)
class Lane:
    channel: Channel
    bucket: TokenBucket
    dedup: OrderedDict[tuple[str, str], tuple[int, int]] = field(default_factory=OrderedDict)
    digest: DigestBuilder | None = None
    outbox: deque[Job] = field(default_factory=deque)
    in_flight: Job | None = None
    ready: asyncio.Event | None = None
    draining: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    retrying: bool = False
    last_outcome: str = ""
    last_error: str = ""
    last_error_ms: int | None = None
    last_sent_ms: int | None = None

    def snapshot(self) -> ChannelStatus:
        c, ch = self.counts, self.channel
        state = "retrying" if self.retrying else {"sent": "ok", "failed": "failing"}.get(self.last_outcome, "idle")
        pending = sum(j.digest.total if j.digest else 1 for j in list(self.outbox))
        job = self.in_flight
        pending += (job.digest.total if job.digest else 1) if job else 0
        pending += self.digest.total if self.digest else 0
        return ChannelStatus(
            ch.name, ch.kind, ch.target, state, c["sent"], c["failed"], int(self.retrying), c["retries"],
            c["suppressed"], c["coalesced"], c["filtered"], c["dropped"], pending,
            self.last_error, self.last_error_ms, self.last_sent_ms,
        )  # fmt: skip
