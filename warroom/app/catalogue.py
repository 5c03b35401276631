"""The series catalogue of a live feed: what the console's view has seen, kept after it forgets.

``LiveCatalogue`` polls a ``LiveView`` (the console's, or a replay's): each look reads only the
points that arrived since the previous one (a binary search per ring), folds their statistics
into what it holds, and remembers series the view has dropped. Nothing runs on the ingest path:
the catalogue panel looks every few wall seconds while it is shown, a few milliseconds of the UI
thread at a time, and folds and builds on a worker. Points a ring overwrote between two looks
are missed by the counts (a ring holds an hour of one-second points, so looks minutes apart at
60x still see every point). Refused points are counted as the client reports them
(``FeedClient.refusals``), whether the panel is shown or not.

``watch_catalogue(url, seconds)`` watches a feed for a while and returns its catalogue (the
CLI's ``warroom catalogue --compare ws://…``), with the protocol errors its decoder counted.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field, replace
from time import monotonic, perf_counter
from typing import Any, Iterable

import numpy as np

from warroom.core.catalogue import Catalogue, SeriesInfo, SeriesStats, build_catalogue, stats_of
from warroom.core.catalogue.standard import STANDARD_SERIES
from warroom.core.model import SeriesKey
from warroom.io.reconnect import FeedStatus
from warroom.protocol.refusals import RefusalCounts
from warroom.store.live import LiveView

#: How often a watch folds new points in (wall seconds).
POLL_EVERY_S = 5.0


class LiveCatalogue:
    """The catalogue of everything a view has held since this object was made (see module doc).

    ``source`` names the feed (its address or server id). ``infos`` are declarations from a
    file, ahead of those the feed sent with its topology, ahead of the standard series'.

    Two halves, so that a console with 10,000 series never stalls its UI thread: ``collect``
    (on the thread that owns the view) copies the points that arrived since the last look, for
    as many series as a time budget allows, resuming where it stopped; ``fold`` and
    ``catalogue`` (on any thread, under a lock) turn them into statistics and rows. ``poll``
    does both at once.
    """

    def __init__(self, view: LiveView, *, source: str = "", infos: Iterable[SeriesInfo] = ()) -> None:
        self.view = view
        self.source = source
        self.infos = tuple(infos)
        self._lock = threading.Lock()  # _stats, _pending, _described: shared with a worker
        self._stats: dict[SeriesKey, SeriesStats] = {}
        #: Refused points per series: the feed client's (``FeedClient.refusals``) once the
        #: session hands it over, else the catalogue's own (``add_refused``). Kept across resets.
        self.refusals = RefusalCounts()
        self._pending: list[tuple[SeriesKey, np.ndarray, np.ndarray]] = []
        self._described: dict[SeriesKey, Any] = {}
        self._described_for: tuple[Any, ...] | None = None
        # Only the view's thread touches these:
        self._seen_to: dict[SeriesKey, int] = {}  # the newest point already collected, per series
        self._pass: list[SeriesKey] = []  # the series of the pass under way, and where it is
        self._pos = 0
        self._cursor: int | None = None
        self._received = 0  # the view's points_received at the last look (it falls when the view is cleared)
        self.polls = 0

    # -- the view's thread -----------------------------------------------------------
    def add_refused(self, counts: dict[SeriesKey, int]) -> None:
        """Count points refused per series (bounded: ``RefusalCounts``)."""
        self.refusals.add(counts)

    @property
    def refused(self) -> dict[SeriesKey, int]:
        """Points refused per series so far (a copy)."""
        return self.refusals.as_dict()

    def reset(self) -> None:
        """Forget the statistics (a replay jumped back: they are of a future now undone)."""
        with self._lock:
            self._stats.clear()
            self._pending.clear()
        self._seen_to.clear()
        self._pass, self._pos = [], 0
        self._cursor = None

    @property
    def pass_done(self) -> bool:
        """True when the last ``collect`` reached the end of its pass over the series."""
        return self._pos >= len(self._pass)

    def collect(self, budget_s: float | None = None) -> int:
        """Copy the points that reached the view since the last look, series after series, until
        ``budget_s`` (wall seconds; None: all of them); how many points. Call it on the thread
        that feeds the view. A pass stopped by the budget resumes at the next call."""
        view = self.view
        end = view.cursor_ms
        if end is None:
            return 0
        if self._cursor is not None and (end < self._cursor or view.points_received < self._received):
            self.reset()  # the cursor went back or the view was refilled (a replay's seek): count again
        self._cursor, self._received = end, view.points_received
        if self.pass_done:
            self._pass, self._pos = view.keys(), 0
            self.polls += 1
        deadline = None if budget_s is None else perf_counter() + budget_s
        taken: list[tuple[SeriesKey, np.ndarray, np.ndarray]] = []
        n = 0
        keys, seen_to = self._pass, self._seen_to
        while self._pos < len(keys):
            key = keys[self._pos]
            self._pos += 1
            seen = seen_to.get(key)
            span = end - seen - 1 if seen is not None else end  # (seen, end]; all of it the first time
            if span >= 0:
                ts, values = view.window(key, span, end)
                if len(ts):
                    taken.append((key, ts, values))
                    seen_to[key] = int(ts.max())
                    n += len(ts)
            if deadline is not None and not self._pos % 64 and perf_counter() > deadline:
                break
        if taken:
            with self._lock:
                self._pending.extend(taken)
        return n

    # -- any thread ----------------------------------------------------------------------
    def fold(self) -> int:
        """Turn the collected points into statistics; how many series changed."""
        with self._lock:
            pending, self._pending = self._pending, []
            for key, ts, values in pending:
                fresh = stats_of(ts, values)
                old = self._stats.get(key)
                self._stats[key] = fresh if old is None else old.merged(fresh)
        return len(pending)

    def poll(self) -> int:
        """``collect`` every series now and ``fold``: how many points were new."""
        resumed = not self.pass_done
        n = self.collect()
        if resumed:  # that finished a pass begun earlier: its first series may have new points
            n += self.collect()
        self.fold()
        return n

    @property
    def series_count(self) -> int:
        """How many series the catalogue holds."""
        with self._lock:
            return len(self._stats)

    def catalogue(self, *, now_ms: int | None = None) -> Catalogue:
        """The catalogue as folded so far, judged at the view's cursor (or ``now_ms``)."""
        topology = self.view.topology
        now = now_ms if now_ms is not None else self.view.cursor_ms
        source = self.source or self.view.feed_server  # the server id once the feed said hello
        infos = (*self.infos, *getattr(topology, "series_info", ()), *STANDARD_SERIES)
        refused = self.refusals.as_dict()  # one C-level dict copy: safe while the client adds to it
        with self._lock:
            stats = dict(self._stats)
            for k, n in refused.items():  # a series whose every point was refused still shows
                s = stats.get(k)
                stats[k] = SeriesStats(0, 0, 0, refused=n) if s is None else replace(s, refused=s.refused + n)
            described_for = (id(topology), topology.version, infos)
            if described_for != self._described_for:  # new declarations or graph: describe again
                self._described, self._described_for = {}, described_for
            described = self._described
        # Built outside the lock: the first build of a big catalogue takes a while, and the feed's
        # refusals (``add_refused``, on the UI thread) must not wait for it.
        return build_catalogue(stats, source=source, infos=infos, topology=topology, now_ms=now,
                               described=described)


@dataclass
class Watched:
    """What ``watch_catalogue`` saw of a feed."""

    catalogue: Catalogue
    #: Protocol errors the decoder counted while watching, by code (refusals it could not pin
    #: on one series).
    refused: dict[str, int] = field(default_factory=dict)
    server_id: str = ""


def live_catalogue(view: LiveView) -> LiveCatalogue:
    """The view's catalogue (``LiveView.catalogue``), made on first use."""
    if view.catalogue is None:
        view.catalogue = LiveCatalogue(view)
    return view.catalogue


async def watch_catalogue(url: str, seconds: float, *, credentials: Any = None,
                          infos: Iterable[SeriesInfo] = ()) -> Watched:
    """Watch the feed at ``url`` for ``seconds`` (wall time) and return its catalogue.

    Raises ``ConnectionError`` when the feed sent nothing at all (unreachable, refused us).
    """
    from warroom.io.client import FeedClient

    view = LiveView()
    client = FeedClient(url, credentials=credentials) if credentials is not None else FeedClient(url)
    live = LiveCatalogue(view, source=url, infos=infos)
    live.refusals = client.refusals
    runner = asyncio.create_task(client.run())

    server = ""

    async def consume() -> None:
        nonlocal server
        polled = monotonic()
        while True:
            item = await client.queue.get()
            if isinstance(item, FeedStatus):
                server = item.server_id or server  # the hello's server id names the source best
                continue
            view.apply(item)  # batches, events, topology
            if monotonic() - polled > POLL_EVERY_S:  # a long watch of a fast feed: rings must not wrap unseen
                live.poll()
                polled = monotonic()

    consumer = asyncio.create_task(consume())
    try:
        done, _ = await asyncio.wait({runner, consumer}, timeout=seconds, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()  # a crashed client is an error, not an empty catalogue
    finally:
        consumer.cancel()
        await client.stop()
        runner.cancel()
        await asyncio.gather(runner, consumer, return_exceptions=True)
    if client.frames_received == 0:
        why = client.gave_up or client.status.reason or "no answer"
        raise ConnectionError(f"{url}: nothing received in {seconds:g} s ({why})")
    live.poll()
    live.source = server or url
    refused = {getattr(code, "value", str(code)): n for code, n in client.errors.totals.items() if n}
    return Watched(live.catalogue(), refused, server)
