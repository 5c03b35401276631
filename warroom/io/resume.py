"""The feed server's replay buffer: what it broadcast lately, for clients that come back.

A client that lost its connection for a few seconds subscribes again with ``since``, the
newest point time it stored. The server answers, before any live frame, with what it
broadcast after that from this buffer (docs/protocol.md, "Resumption"), so a short
disconnect leaves no gap and no duplicate.

The buffer keeps the broadcast messages themselves (``MetricBatch`` columns and ``Events``),
not encoded frames: a batch costs its 20 bytes per point once, whatever encodings the
clients chose, and adding one is an append to a deque (the broadcast path pays nothing
else). It is bounded twice:

* by **feed time**: nothing older than ``keep_ms`` behind the feed's now (the server passes
  ``resume_s`` × max(1, speed) seconds, so a fast simulator still covers ``resume_s`` of
  wall time);
* by **memory**: at most ``max_points`` points, where a batch counts as at least
  ``MIN_ENTRY_POINTS`` points and an event as ``MIN_ENTRY_POINTS`` (many tiny messages
  must not pile up either). At the cap the oldest messages go first: the window shrinks,
  and ``resume_from`` says so.

``resume_from`` is exact: every point and event the buffer was given with a timestamp
``>= resume_from`` is still in it. A client whose ``since >= resume_from - 1`` misses
nothing; one with an older ``since`` gets what the buffer has and knows the span
``(since, resume_from)`` is a gap.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from warroom.io.connection import Link
from warroom.protocol import Events, Message, MetricBatch
from warroom.protocol.codec import encode_tail, frame_with_seq
from warroom.protocol.metrics import SeriesTable
from warroom.protocol.outgoing import Outgoing

#: Default time bound: 5 minutes (of wall time: the server multiplies by the feed's speed).
DEFAULT_RESUME_S = 300.0
#: Default memory bound, in points (20 bytes each: about 40 MB of columns).
DEFAULT_MAX_POINTS = 2_000_000
#: What a stored message counts for at least: a 1-point batch or an event costs ~0.5 KB.
MIN_ENTRY_POINTS = 32
#: Points per catch-up frame: ~0.8 MB as JSON, 0.4 MB binary, well below the 4 MiB limit.
CATCHUP_POINTS_PER_FRAME = 20_000
#: Events per catch-up frame.
CATCHUP_EVENTS_PER_FRAME = 1_000


@dataclass(slots=True)
class _Entry:
    message: MetricBatch | Events
    lo: int  # oldest timestamp in it
    hi: int  # newest timestamp in it
    cost: int  # what it counts for against max_points


class ReplayBuffer:
    """The recent broadcasts of a feed, bounded by feed time and by points."""

    def __init__(self, keep_ms: int = int(DEFAULT_RESUME_S * 1000), max_points: int = DEFAULT_MAX_POINTS) -> None:
        if keep_ms <= 0 or max_points <= 0:
            raise ValueError("a replay buffer needs a positive time and point bound")
        self.keep_ms = int(keep_ms)
        self.max_points = int(max_points)
        self._entries: deque[_Entry] = deque()
        self._cost = 0
        self._points = 0
        self._evicted_hi: int | None = None  # newest timestamp ever evicted
        self._oldest_added: int | None = None  # what resume_from is until the first eviction
        self.evicted_for_memory = 0  # messages dropped at the point cap (not for age)

    # -- filling -------------------------------------------------------------------
    def add(self, message: Message, now_ms: int) -> None:
        """Keep a broadcast ``MetricBatch`` or ``Events`` (others are ignored); trim to the bounds."""
        if isinstance(message, MetricBatch):
            if not len(message):
                return
            ts = message.ts
            lo, hi = int(ts.min()), int(ts.max())
            entry = _Entry(message, lo, hi, max(len(message), MIN_ENTRY_POINTS))
            self._points += len(message)
        elif isinstance(message, Events):
            if not message.events:
                return
            stamps = [e.ts for e in message.events]
            entry = _Entry(message, min(stamps), max(stamps), MIN_ENTRY_POINTS * len(stamps))
        else:
            return
        self._entries.append(entry)
        self._cost += entry.cost
        if self._oldest_added is None or entry.lo < self._oldest_added:
            self._oldest_added = entry.lo
        self._trim(now_ms)

    def _trim(self, now_ms: int) -> None:
        oldest_kept = now_ms - self.keep_ms
        entries = self._entries
        while entries and entries[0].hi < oldest_kept:
            self._evict()
        while entries and self._cost > self.max_points:
            self.evicted_for_memory += 1
            self._evict()

    def _evict(self) -> None:
        entry = self._entries.popleft()
        self._cost -= entry.cost
        if isinstance(entry.message, MetricBatch):
            self._points -= len(entry.message)
        if self._evicted_hi is None or entry.hi > self._evicted_hi:
            self._evicted_hi = entry.hi

    # -- reading -------------------------------------------------------------------
    @property
    def points(self) -> int:
        """Points held now."""
        return self._points

    @property
    def cost(self) -> int:
        """What the held messages count for against ``max_points``."""
        return self._cost

    @property
    def resume_from(self) -> int | None:
        """Every point and event given to the buffer with a timestamp >= this is still held.

        None while the buffer holds nothing (there is nothing to resend). Before anything
        was evicted it is the oldest timestamp held; afterwards, one past the newest
        timestamp ever evicted (older points may still be held, but not all of them).
        """
        if not self._entries:
            return None
        if self._evicted_hi is None:
            return self._oldest_added
        return self._evicted_hi + 1

    def catch_up(self, since: int, *, metrics: bool = True, events: bool = True,
                 skip_event_ids: Iterable[str] = ()) -> list[MetricBatch | Events]:
        """What was broadcast after ``since``, ready to send: the events, then the points.

        Events with ``ts > since`` (those in ``skip_event_ids`` left out: the client was
        just given them), at most ``CATCHUP_EVENTS_PER_FRAME`` per message; then the
        points with ``t > since``, merged into batches of at most
        ``CATCHUP_POINTS_PER_FRAME`` points. Each kind keeps broadcast order. The batches
        carry no ``sent_at``: they are history, not a measure of delivery latency.
        """
        skip = set(skip_event_ids)
        held = [e for e in self._entries if e.hi > since]
        out: list[MetricBatch | Events] = []
        if events:
            fresh = [e for entry in held if isinstance(entry.message, Events)
                     for e in entry.message.events if e.ts > since and e.id not in skip]
            for i in range(0, len(fresh), CATCHUP_EVENTS_PER_FRAME):
                out.append(Events(tuple(fresh[i:i + CATCHUP_EVENTS_PER_FRAME])))
        if not metrics:
            return out
        pending: list[MetricBatch] = []
        pending_n = 0
        for entry in held:
            msg = entry.message
            if not isinstance(msg, MetricBatch):
                continue
            part = msg if entry.lo > since else _newer(msg, since)
            for piece in _pieces(part, CATCHUP_POINTS_PER_FRAME - pending_n, CATCHUP_POINTS_PER_FRAME):
                pending.append(piece)
                pending_n += len(piece)
                if pending_n >= CATCHUP_POINTS_PER_FRAME:
                    out.append(merge_batches(pending))
                    pending, pending_n = [], 0
        if pending:
            out.append(merge_batches(pending))
        return out


def _newer(batch: MetricBatch, since: int) -> MetricBatch:
    keep = batch.ts > since
    return MetricBatch(batch.series, batch.index[keep], batch.ts[keep], batch.values[keep])


def _pieces(batch: MetricBatch, first: int, size: int) -> Iterator[MetricBatch]:
    """``batch`` cut into slices: the first of at most ``first`` points, the others ``size``."""
    n = len(batch)
    start, room = 0, max(first, 1)
    while start < n:
        end = min(n, start + room)
        yield batch if (start, end) == (0, n) else MetricBatch(
            batch.series, batch.index[start:end], batch.ts[start:end], batch.values[start:end])
        start, room = end, size


def merge_batches(batches: list[MetricBatch], sent_at: Any = None) -> MetricBatch:
    """Concatenate batches. Batches sharing one ``series`` tuple (the simulator's) merge cheaply."""
    first = batches[0]
    if len(batches) == 1 and sent_at is None and first.sent_at is None:
        return first
    if all(b.series is first.series or b.series == first.series for b in batches):
        series = first.series
        index = np.concatenate([b.index for b in batches])
    else:
        keys: dict[Any, int] = {}
        parts = []
        for b in batches:
            remap = np.array([keys.setdefault(k, len(keys)) for k in b.series], dtype=np.int32)
            parts.append(remap[b.index] if len(b.index) else b.index)
        series = tuple(keys)
        index = np.concatenate(parts)
    return MetricBatch(
        series,
        index,
        np.concatenate([b.ts for b in batches]),
        np.concatenate([b.values for b in batches]),
        None if sent_at is None else int(sent_at),
    )


def catch_up_frames(buffer: ReplayBuffer, since: int, link: Link, table: SeriesTable,
                    given_event_ids: Iterable[str]) -> tuple[list[bytes | Callable[[], bytes]], int]:
    """The frames that bring ``link`` from ``since`` to now, numbered with its next ``seq``
    values, and the number of points in them.

    Only the streams the link subscribed to. Metric frames are callables that encode when
    the writer gets to them, so a long catch-up does not stall the event loop; their
    series are all defined already (the server's table defined them when they were
    broadcast, and the link got every definition first), so they carry no ``defs``.
    """
    missed = buffer.catch_up(since, metrics="metrics" in link.streams, events="events" in link.streams,
                             skip_event_ids=given_event_ids)
    frames: list[bytes | Callable[[], bytes]] = []
    points = 0
    for message in missed:
        if isinstance(message, Events):
            frames.append(frame_with_seq(encode_tail(message), link.next_seq()))
        else:
            points += len(message)
            frames.append(functools.partial(Outgoing(message, table).frame, link.encoding, link.next_seq()))
    return frames, points
