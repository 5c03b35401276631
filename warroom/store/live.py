"""The console's in-memory view of a feed: bounded ring buffers and the latest state.

``LiveView`` is what panels read. It is fed, in order, with what the feed client
delivers (metric batches, events, topology, plan catalogue) and answers "the state at the
cursor": values, windows of a series, events, the topology. In live mode the cursor
follows the newest data; a replay moves it.

Memory is bounded, whatever the length of the history: each series keeps at most
``capacity`` points (16 bytes each: 57.6 kB a series at the default 3,600, one hour at one
point a second; 14 MB for the simulator's 244 series; a ring starts with room for
``FIRST_ROOM`` points and doubles as they arrive, so a new series costs 1 kB), the event list at most
``max_events``, and a series that sent nothing for ``series_timeout_ms`` of feed time (its
newest point that much older than the newest point of all) is dropped with its ring, so a
feed whose series come and go (pods, hosts) does not add a ring per series for ever. Older
data is in the history file, where a replay reads it.

``version`` increases with every change, so a repaint timer can skip panels when nothing
arrived. The view holds no Qt and no asyncio; the UI thread owns it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from warroom.core.model import Event, SeriesKey
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.protocol import Events, MetricBatch, PlanCatalogue, TopologySnapshot

DEFAULT_CAPACITY = 3600  # one hour at one point a second
#: Series a feed sends about itself, not about the platform (protocol §9, "A source that fails").
FEED_SELF_SERIES = frozenset({"source_up"})
#: A series silent this long (feed time) is dropped from the view. Longer than the ring's
#: hour, so a series that reports every few hours keeps its history between reports.
DEFAULT_SERIES_TIMEOUT_MS = 6 * 3_600_000


#: Points a new ring has room for; it doubles as points arrive, up to its capacity. A platform
#: of 12,000 series would otherwise take 690 MB (and a second of the UI thread) on its first
#: batch, for rings that fill over the next hour or never.
FIRST_ROOM = 64


class SeriesRing:
    """The newest ``capacity`` points of one series, oldest first, in two numpy arrays.

    The arrays start small and double as points arrive, so memory follows what is held.
    """

    __slots__ = ("_ts", "_v", "_start", "_len", "_cap")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self._cap = int(capacity)
        room = min(self._cap, FIRST_ROOM)
        self._ts = np.empty(room, dtype=np.int64)
        self._v = np.empty(room, dtype=np.float64)
        self._start = 0
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def reset(self) -> None:
        """Empty the ring (its arrays are kept)."""
        self._start = self._len = 0

    @property
    def capacity(self) -> int:
        """Most points kept."""
        return self._cap

    def _grow(self, need: int) -> None:
        """Make room for ``need`` points (at most the capacity), oldest first from index 0."""
        room = len(self._ts)
        while room < need:
            room *= 2
        room = min(room, self._cap)
        ts, v = self.arrays()
        self._ts = np.empty(room, dtype=np.int64)
        self._v = np.empty(room, dtype=np.float64)
        self._ts[: len(ts)] = ts
        self._v[: len(v)] = v
        self._start = 0

    def extend(self, ts: np.ndarray, values: np.ndarray) -> None:
        """Append points (already in time order, newer than what is held)."""
        if self._len + len(ts) > len(self._ts) and len(self._ts) < self._cap:
            self._grow(self._len + len(ts))
        cap = len(self._ts)
        if len(ts) >= cap:
            self._ts[:] = ts[-cap:]
            self._v[:] = values[-cap:]
            self._start, self._len = 0, cap
            return
        end = (self._start + self._len) % cap
        first = min(len(ts), cap - end)
        self._ts[end : end + first] = ts[:first]
        self._v[end : end + first] = values[:first]
        rest = len(ts) - first
        if rest:
            self._ts[:rest] = ts[first:]
            self._v[:rest] = values[first:]
        overflow = max(0, self._len + len(ts) - cap)
        self._start = (self._start + overflow) % cap
        self._len = min(cap, self._len + len(ts))

    def append(self, ts: int, value: float) -> None:
        """Append one point (newer than what is held): ``extend`` for one point, without its
        slicing. A 1 Hz feed brings one point per series per batch, 10,000 of them at scale."""
        n, room = self._len, len(self._ts)
        if n == room:
            if room < self._cap:
                self._grow(n + 1)
                room = len(self._ts)
            else:  # full: the newest point takes the oldest one's place
                self._ts[self._start] = ts
                self._v[self._start] = value
                self._start = (self._start + 1) % room
                return
        end = (self._start + n) % room
        self._ts[end] = ts
        self._v[end] = value
        self._len = n + 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of (ts, values), oldest first."""
        idx = (self._start + np.arange(self._len)) % len(self._ts)
        return self._ts[idx], self._v[idx]

    def window(self, start_ms: int, end_ms: int) -> tuple[np.ndarray, np.ndarray]:
        """Points with ``start_ms <= ts <= end_ms`` (copies of just that part)."""
        cap = len(self._ts)
        # The ring is at most two sorted runs: [start, cap) then [0, wrap). Slice each run
        # instead of unrolling the whole ring: panels call this for every series, every frame.
        first_end = min(cap, self._start + self._len)
        runs = [(self._start, first_end)]
        if self._start + self._len > cap:
            runs.append((0, self._start + self._len - cap))
        ts_parts, v_parts = [], []
        for a, b in runs:
            run = self._ts[a:b]
            lo, hi = a + np.searchsorted(run, start_ms, "left"), a + np.searchsorted(run, end_ms, "right")
            if hi > lo:
                ts_parts.append(self._ts[lo:hi])
                v_parts.append(self._v[lo:hi])
        if not ts_parts:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        if len(ts_parts) == 1:
            return ts_parts[0].copy(), v_parts[0].copy()
        return np.concatenate(ts_parts), np.concatenate(v_parts)

    @property
    def last_ts(self) -> int | None:
        """The newest point's timestamp (None while empty)."""
        if not self._len:
            return None
        return int(self._ts[(self._start + self._len - 1) % len(self._ts)])

    def at(self, ms: int) -> tuple[int, float] | None:
        """The newest point at or before ``ms``."""
        if not self._len:
            return None
        cap = len(self._ts)
        last = (self._start + self._len - 1) % cap
        if self._ts[last] <= ms:
            return int(self._ts[last]), float(self._v[last])
        ts, v = self.arrays()
        i = int(np.searchsorted(ts, ms, "right")) - 1
        return None if i < 0 else (int(ts[i]), float(v[i]))


@dataclass
class LiveView:
    """The state of the feed as the console sees it; see the module docstring."""

    capacity: int = DEFAULT_CAPACITY
    max_events: int = 5000
    series_timeout_ms: int | None = DEFAULT_SERIES_TIMEOUT_MS  # None: never drop a silent series
    topology: Topology = field(default_factory=Topology)
    topology_ts: int | None = None
    plans: tuple[Plan, ...] = ()
    active_plans: tuple[str, ...] = ()
    newest_ms: int | None = None  # newest point timestamp received
    #: Newest point of the platform's data: not of the feed's reports on itself (``source_up``),
    #: which keep coming while every source behind a gateway fails. The data's age reads this.
    newest_data_ms: int | None = None
    follow: bool = True  # live mode: the cursor follows the newest data
    version: int = 0
    points_received: int = 0
    # The connection, as the app reports it (the view itself knows nothing of sockets).
    feed_state: str = "disconnected"  # connecting / live / stale / disconnected
    feed_reason: str = "not started"
    feed_server: str = ""
    protocol_errors: dict = field(default_factory=dict)  # {error code: count}
    feed_now_ms: int | None = None  # the feed's clock now (FeedClock), for data age
    feed_speed: float = 1.0  # feed time per wall time (a simulator may run 60x)
    # Failures of the session's supervised tasks (warroom.app.supervise): how many, and the
    # last one in words ("" while none); how the last connection ended ("" before one did).
    feed_faults: int = 0
    feed_fault: str = ""
    feed_last_close: str = ""
    # Alerts and incidents (``warroom.app.watch.AlertWatch`` live; None when alerting is off).
    # Duck-typed here: the store layer does not depend on app.
    alerting: Any = None
    # The plan desk (``warroom.app.plan_desk.PlanDesk`` live; None when plans cannot be run).
    plan_desk: Any = None
    # The live inspector (``warroom.app.inspector.Inspector``; None in a replay: no frames arrive).
    inspector: Any = None
    # The series catalogue (``warroom.app.catalogue.LiveCatalogue``), made by the first catalogue
    # panel that opens and kept here so that closing and reopening it keeps what it learnt.
    catalogue: Any = None
    # What a panel asks the map to light up: {"services", "edges", "scenarios", "source"} or None.
    highlight: Any = None

    def __post_init__(self) -> None:
        self._rings: dict[SeriesKey, SeriesRing] = {}
        self._by_name: dict[str, set[SeriesKey]] = {}  # metric name -> its keys held (keys(name=...))
        # A feed's decoder hands every batch of one layout the same ``series`` tuple: the rings
        # of its positions and its feed-self positions are looked up once per tuple, not per
        # batch. ``_ring_gen`` moves when rings are dropped, which makes such a list stale.
        self._ring_gen = 0
        self._layout: tuple[Any, int, list, list[int]] | None = None  # (series, gen, rings, meta)
        self._spare_rings: list[SeriesRing] = []  # emptied by clear(), reused by add_batch
        self._events: deque[Event] = deque(maxlen=self.max_events)
        #: Bumped whenever the events change (not with every batch, as ``version`` is): what reads
        #: only events (the DRILL banner) redraws on it.
        self.events_version = 0
        self._event_ids: set[str] = set()
        self._cursor: int | None = None
        self._next_sweep_ms: int | None = None  # when to look for silent series again

    # -- feeding ---------------------------------------------------------------------
    def apply(self, item: object) -> bool:
        """Take one item from the feed client's queue; True if the view changed."""
        if isinstance(item, MetricBatch):
            return self.add_batch(item)
        if isinstance(item, Events):
            before = self.version
            self.add_events(item.events)
            return self.version != before
        if isinstance(item, TopologySnapshot):
            if item.topology is not self.topology and item.topology.same_content(self.topology):
                # The same graph sent again (feeds re-send it, on a timer or on reconnection):
                # the panels keep the object they drew, so nothing is laid out or redrawn.
                self.topology_ts = item.ts
                return False
            self.topology, self.topology_ts = item.topology, item.ts
        elif isinstance(item, PlanCatalogue):
            self.plans, self.active_plans = item.plans, item.active
        else:
            return False
        self.version += 1
        return True

    def add_batch(self, batch: MetricBatch) -> bool:
        """Append a batch's points to their series' rings."""
        if not len(batch):
            return False
        idx, ts, vals = batch.index, batch.ts, batch.values
        if len(idx) > 1 and (np.diff(idx) > 0).all():
            order = None  # one point per series, in series order already (a feed's 1 Hz batch)
        elif len(ts) > 1 and (np.diff(ts) >= 0).all():
            # In time order already (a feed's batch, most history reads): a stable sort by
            # series alone is enough, and several times cheaper than a two-key sort. On a
            # 16-bit key numpy's stable sort is a radix sort: 5x faster than on the int32
            # index for a replay jump's 220k points (bench/replay.py).
            key = idx.astype(np.uint16) if 0 <= idx.min() and idx.max() <= 0xFFFF else idx
            order = np.argsort(key, kind="stable")
        else:
            order = np.lexsort((ts, idx))
        if order is not None:
            idx, ts, vals = idx[order], ts[order], vals[order]
        bounds = np.flatnonzero(np.diff(idx)) + 1
        series, rings = batch.series, self._rings
        at, meta = self._layout_of(series)
        if len(bounds) + 1 == len(idx):
            # One point per series: appended one by one, as scalars (several times cheaper
            # than a slice per series: 10,000 series a second cost the UI thread 90 ms).
            for i, t, v in zip(idx.tolist(), ts.tolist(), vals.tolist()):
                ring = at[i]
                if ring is None:
                    key = series[i]
                    ring = rings.get(key)
                    at[i] = ring = self._new_ring(key) if ring is None else ring
                ring.append(t, v)
        else:
            starts = np.concatenate(([0], bounds))
            ends = np.concatenate((bounds, [len(idx)]))
            for s, e in zip(starts.tolist(), ends.tolist()):
                i = int(idx[s])
                ring = at[i]
                if ring is None:
                    key = series[i]
                    ring = rings.get(key)
                    at[i] = ring = self._new_ring(key) if ring is None else ring
                ring.extend(ts[s:e], vals[s:e])
        newest = batch.newest_ts
        self.newest_ms = newest if self.newest_ms is None else max(self.newest_ms, newest)
        if meta:
            data_ts = ts[~np.isin(idx, meta)]
            newest = int(data_ts.max()) if len(data_ts) else None
        if newest is not None:
            self.newest_data_ms = newest if self.newest_data_ms is None else max(self.newest_data_ms, newest)
        self.points_received += len(batch)
        self.version += 1
        due = self._next_sweep_ms
        if self.series_timeout_ms is not None and (due is None or self.newest_ms >= due):
            self._drop_silent_series()
        return True

    def _layout_of(self, series: tuple[SeriesKey, ...]) -> tuple[list, list[int]]:
        """(ring or None per position of ``series``, positions of the feed's own series),
        kept while the same tuple keeps coming and no ring was dropped."""
        cached = self._layout
        if cached is not None and cached[0] is series and cached[1] == self._ring_gen:
            return cached[2], cached[3]
        rings = [self._rings.get(k) for k in series]
        meta = [i for i, k in enumerate(series) if k.name in FEED_SELF_SERIES]
        self._layout = (series, self._ring_gen, rings, meta)
        return rings, meta

    def _new_ring(self, key: SeriesKey) -> SeriesRing:
        ring = self._rings[key] = self._spare_rings.pop() if self._spare_rings else SeriesRing(self.capacity)
        self._by_name.setdefault(key.name, set()).add(key)
        return ring

    def _drop_silent_series(self) -> None:
        """Drop the series silent for ``series_timeout_ms``; look again a quarter of it later."""
        assert self.newest_ms is not None and self.series_timeout_ms is not None
        cutoff = self.newest_ms - self.series_timeout_ms
        self._ring_gen += 1
        for key in [k for k, ring in self._rings.items() if (ring.last_ts or cutoff) < cutoff]:
            del self._rings[key]  # not kept as a spare: a burst of dead series must not stay resident
            named = self._by_name.get(key.name)
            if named is not None:
                named.discard(key)
                if not named:
                    del self._by_name[key.name]
        self._next_sweep_ms = self.newest_ms + max(1, self.series_timeout_ms // 4)

    def add_events(self, events: Iterable[Event]) -> None:
        """Append events not seen before (by id), in order of arrival; at most ``max_events``.

        A reconnecting feed resends its recent events; ids keep them from doubling.
        """
        fresh = [e for e in events if e.id not in self._event_ids]
        if not fresh:
            return
        for e in fresh:
            if len(self._events) == self._events.maxlen:
                self._event_ids.discard(self._events[0].id)
            self._events.append(e)
            self._event_ids.add(e.id)
        self.events_version += 1
        self.version += 1

    def clear(self) -> None:
        """Forget every point and event (a replay jumping elsewhere refills the view)."""
        # The rings' arrays are kept for the refill: allocating hundreds of them again costs
        # more than the query that fills them (bench/replay.py).
        for ring in self._rings.values():
            ring.reset()
        self._spare_rings.extend(self._rings.values())
        self._rings.clear()
        self._by_name.clear()
        self._ring_gen += 1
        self._events.clear()
        self.events_version += 1
        self._event_ids.clear()
        self.newest_ms = None
        self.newest_data_ms = None
        self._next_sweep_ms = None
        self.points_received = 0
        self.version += 1

    def set_feed(self, state: str, reason: str, server: str = "", now_ms: int | None = None,
                 errors: dict | None = None, speed: float = 1.0, *, faults: int | None = None,
                 fault: str | None = None, last_close: str | None = None) -> None:
        """Record the connection state, the feed's clock and the protocol error counts; also,
        when given, the task failures (count and last, in words) and how the last connection ended."""
        changed = (state, reason, server, errors, faults, fault, last_close) != (
            self.feed_state, self.feed_reason, self.feed_server,
            self.protocol_errors if errors is not None else None,
            self.feed_faults if faults is not None else None,
            self.feed_fault if fault is not None else None,
            self.feed_last_close if last_close is not None else None)
        self.feed_state, self.feed_reason, self.feed_server = state, reason, server
        if errors is not None:
            self.protocol_errors = dict(errors)
        if faults is not None:
            self.feed_faults = faults
        if fault is not None:
            self.feed_fault = fault
        if last_close is not None:
            self.feed_last_close = last_close
        self.feed_now_ms = now_ms
        self.feed_speed = speed if speed > 0 else 1.0
        if changed:
            self.version += 1

    @property
    def data_age_ms(self) -> int | None:
        """How long ago, in wall milliseconds, the newest data was current (None before any).

        Data is the platform's series, not the feed's reports on its own sources
        (``FEED_SELF_SERIES``): a gateway whose Prometheus is down still sends ``source_up=0``
        every cycle, and that must not make the wall look live.

        Measured on the feed's clock and divided by its speed: a simulator at 60x that
        is one simulated minute behind is one wall second behind, which is what a person
        watching the wall cares about.
        """
        if self.newest_data_ms is None or self.feed_now_ms is None:
            return None
        return max(0, int((self.feed_now_ms - self.newest_data_ms) / self.feed_speed))

    # -- the cursor ------------------------------------------------------------------
    @property
    def cursor_ms(self) -> int | None:
        """The time the panels show: the newest data in live mode, else where it was set."""
        return self.newest_ms if self.follow else self._cursor

    def set_cursor(self, ms: int | None) -> None:
        """Pin the cursor (replay, or a paused wall); ``None`` resumes following live data."""
        self.follow = ms is None
        self._cursor = ms
        self.version += 1

    # -- reading ---------------------------------------------------------------------
    def keys(self, name: str | None = None, **labels: str) -> list[SeriesKey]:
        """Known series with this name and these labels, sorted by their text."""
        # By name through the index: a panel asking for one metric every frame must not walk
        # 10,000 keys (the feed-health panel's source_up took 8 ms a refresh at scale).
        held = self._rings if name is None else self._by_name.get(name, ())
        return sorted((k for k in held if k.matches(name, **labels)), key=lambda k: k.text)

    def value(self, key: SeriesKey, at_ms: int | None = None) -> float | None:
        """The series' value at the cursor (or ``at_ms``): its newest point at or before it."""
        ring = self._rings.get(key)
        at = self.cursor_ms if at_ms is None else at_ms
        if ring is None or at is None:
            return None
        hit = ring.at(at)
        return None if hit is None else hit[1]

    def window(self, key: SeriesKey, span_ms: int, end_ms: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The last ``span_ms`` of a series up to the cursor (or ``end_ms``)."""
        ring = self._rings.get(key)
        end = self.cursor_ms if end_ms is None else end_ms
        if ring is None or end is None:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        return ring.window(end - span_ms, end)

    def events(self, since_ms: int | None = None, until_ms: int | None = None) -> list[Event]:
        """Events with ``since_ms <= ts <= until_ms`` (until defaults to the cursor)."""
        until = self.cursor_ms if until_ms is None else until_ms
        return [
            e for e in self._events
            if (since_ms is None or e.ts >= since_ms) and (until is None or e.ts <= until)
        ]

    @property
    def series_count(self) -> int:
        """How many series the view holds."""
        return len(self._rings)
