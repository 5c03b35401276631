"""The history writer: one DuckDB connection, owned by one background thread.

Callers (the feed's asyncio loop, the simulator, the recorder) hand over metric batches,
events and topology snapshots; that only appends to an in-memory queue. The writer thread
turns everything pending into Arrow tables every ``flush_interval_s`` and appends them in
one transaction. DuckDB's write-ahead log makes a committed flush durable: a ``kill -9``
loses at most what was still queued (about one flush interval of data, 0.1 s by default).

The queue is bounded in points: when it is full, ``append_metrics`` blocks (backpressure)
instead of dropping. The bound counts the points waiting for a flush, not those the flush in
progress is writing: the feed fills the next flush while DuckDB writes this one (one core
decodes while the other inserts), so at most twice the bound is held. Nothing a feed sends can poison the writer:

* a write that fails for a reason that may pass (I/O error, disk full, a lock, out of
  memory) keeps the data queued and is retried with back-off; the error is visible in
  ``StoreWriter.health``;
* a row that can never be written (text that is not valid Unicode, a timestamp outside
  1970..9999, a value DuckDB cannot convert, a malformed snapshot) goes to the
  ``quarantine`` table with its reason and everything else is stored: known problems are
  screened before the write, anything else is found by splitting the flush
  (``warroom.store.salvage``);
* ``WriterHealth.summary()`` says what was saved, quarantined and not saved, and
  ``close()`` raises ``StoreError`` carrying it when something could not be saved.

Memory is bounded: DuckDB caches the blocks it wrote, by default up to 80 % of the RAM, so a
recording process grew with its history (~8 bytes per stored point). ``memory_limit_mb``
caps that cache for the writer and the readers sharing its database (``reader()``); DuckDB
spills to ``<file>.tmp`` what a big query needs beyond it (bench/store_memory.py).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb

from warroom.core.clock import monotonic
from warroom.core.model import Event
from warroom.protocol.messages import Events, MetricBatch, PlanCatalogue, TopologySnapshot
from warroom.store.allocator import tune_for_bulk_writes
from warroom.store.appender import PLAN_CATALOGUE, Appender, FlushCounts
from warroom.store.health import FlushReport, StoreError, WriterHealth
from warroom.store.quarantine import is_permanent, safe_text
from warroom.store.query import HistoryReader
from warroom.store.retention import Retention
from warroom.store.salvage import Done, Interrupted, salvage
from warroom.store.schema import ensure_schema
from warroom.store.staging import StagedPoints

__all__ = [
    "DEFAULT_FLUSH_INTERVAL_S", "DEFAULT_MEMORY_LIMIT_MB", "READ_MEMORY_LIMIT_MB", "FlushReport", "StoreError", "StoreWriter", "WriterHealth",
]

log = logging.getLogger(__name__)

#: Seconds between flushes. A ``kill -9`` loses what is queued plus the flush in flight and
#: what the feed client had not handed over yet; at 0.25 s (the default until issue 12) that
#: could pass the promised 0.25 s. At 0.1 s it stays well inside it (bench/kill9.py), for
#: about 2 % of a core more at 50,000 points/s (a commit costs ~4 ms; 10 a second instead of 4).
DEFAULT_FLUSH_INTERVAL_S = 0.1

#: Seconds ``close()`` waits quietly for the queue to be written before it says why it waits.
_CLOSE_QUIET_S = 1.0

#: DuckDB's memory limit for a store that records, in MiB. DuckDB keeps every block it writes
#: in its cache (about 8 bytes per stored point) until the limit, and its own default is 80 %
#: of the RAM: a console left on a wall for weeks would grow until the machine swaps. A
#: recording console or recorder never reads its history back through this connection, so
#: the cache only costs memory: with 128 MiB a console's RSS stays flat (bench/soak.py: +1 %
#: over 100 feed hours at x600, against +75 % at 512 MiB while the cache filled) and ingest is
#: no slower. A replay, which does read, opens its file with ``READ_MEMORY_LIMIT_MB``.
DEFAULT_MEMORY_LIMIT_MB = 128
#: The limit for a store opened to be read (a replay adding review notes): room for the
#: chart windows it jumps between, still far from DuckDB's 80 % of the RAM.
READ_MEMORY_LIMIT_MB = 512


class StoreWriter:
    """Appends metrics, events and topology snapshots to a DuckDB file from a background thread.

    ``append_*`` are thread-safe and cheap: they enqueue. ``flush()`` waits until what was
    enqueued before the call is committed (or quarantined); ``close()`` flushes, stops the
    thread and closes the file. ``on_flush(report)`` runs on the writer thread after every
    commit, so keep it short. ``checkpoint_threshold_mb`` overrides the WAL size at which
    DuckDB checkpoints on its own.

    ``memory_limit_mb`` caps DuckDB's memory for this database (default
    ``DEFAULT_MEMORY_LIMIT_MB``; None leaves DuckDB's own default, 80 % of the RAM);
    ``threads`` caps its worker threads (None: DuckDB's default, one per core).

    Retention (``warroom.store.retention``; events are never deleted): with
    ``retention_days``, points older than the newest point minus that many days are deleted
    every ``retention_check_s``; with ``retention_max_mb``, the oldest points are deleted, in
    whole minutes, whenever the data in the file passes 90 % of that size, down to 80 %, so
    the file levels off within it; quarantine records beyond 10 % of it go first.
    """

    def __init__(
        self,
        path: str | Path,
        flush_interval_s: float = DEFAULT_FLUSH_INTERVAL_S,
        max_pending_points: int = 1_000_000,
        *,
        retention_days: float | None = None,
        retention_check_s: float = 600.0,
        retention_max_mb: float | None = None,
        on_flush: Callable[[FlushReport], None] | None = None,
        max_backoff_s: float = 5.0,
        checkpoint_threshold_mb: float | None = None,
        memory_limit_mb: float | None = DEFAULT_MEMORY_LIMIT_MB,
        threads: int | None = None,
    ) -> None:
        if flush_interval_s <= 0 or max_pending_points <= 0:
            raise ValueError("flush_interval_s and max_pending_points must be positive")
        if (memory_limit_mb is not None and memory_limit_mb <= 0) or (threads is not None and threads < 1):
            raise ValueError("memory_limit_mb and threads must be positive")
        self.path = Path(path)
        self.flush_interval_s = float(flush_interval_s)
        self.max_pending_points = int(max_pending_points)
        self.retention_days = retention_days
        self.retention_check_s = float(retention_check_s)
        self.retention_max_mb = retention_max_mb
        self.on_flush = on_flush
        self.max_backoff_s = float(max_backoff_s)
        self._retention = Retention(self.path, retention_days, retention_max_mb, retention_check_s)

        tune_for_bulk_writes()  # flush-sized blocks reused, not faulted in from the kernel each time
        # Opening and migrating happen here, on the caller's thread, so a bad path or a
        # too-new file fails loudly at construction instead of inside the thread.
        # The root connection is only a factory of cursors (each a full DuckDB
        # connection): the writer thread writes through its own, readers get theirs.
        self._root = duckdb.connect(str(self.path))
        try:
            # Set, not passed to connect(): a database opened with a config cannot be opened
            # again in this process with another one (bundle export reads the open file).
            if memory_limit_mb is not None:
                self._root.execute(f"SET memory_limit = '{float(memory_limit_mb)}MiB'")
            if threads is not None:
                self._root.execute(f"SET threads = {int(threads)}")
            if checkpoint_threshold_mb is not None:
                # DuckDB folds the WAL into the file once it passes this size (default 16 MiB),
                # inside the commit that crossed it, on the writer thread. Smaller means
                # shorter replay after a crash but more frequent checkpoints.
                self._root.execute(f"SET checkpoint_threshold = '{float(checkpoint_threshold_mb)}MiB'")
            ensure_schema(self._root)
            self._appender = Appender(self._root.cursor())
        except BaseException:
            self._root.close()
            raise
        self._cursor_lock = threading.Lock()

        self._cond = threading.Condition()
        self._batches: list[MetricBatch] = []
        #: The points of ``_batches`` appended since the last flush took them, joined as they
        #: come (see ``warroom.store.staging``); the spare is the last flush's, kept for reuse.
        self._staged = StagedPoints()
        self._spare_staged: StagedPoints | None = None
        self._checked: tuple[Any, tuple] | None = None  # (index, series) of a read-only index known good
        self._events: list[Event] = []
        self._snapshots: list[dict[str, Any]] = []
        self._pending_points = 0  # every point queued and not yet committed
        self._inflight_points = 0  # of those, the ones the flush in progress is writing
        self._enqueued = 0  # sequence number of the last append
        self._committed = 0  # every append up to this number is committed
        self._totals = FlushCounts()  # everything stored and set aside so far
        self._last_flush_ts: int | None = None
        self._flushes = 0
        self._failed = 0
        self._deleted = 0
        self._last_error: str | None = None
        self._closing = False
        self._closed = False
        self._abandon = False
        self._dead = False
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="warroom-store-writer", daemon=True)
        self._thread.start()

    # -- the caller's side ---------------------------------------------------------
    def _waiting_points(self) -> int:
        """Queued points no flush has taken yet (call holding ``_cond``)."""
        return self._pending_points - self._inflight_points

    def append_metrics(self, batch: MetricBatch, timeout: float | None = None) -> bool:
        """Queue a batch of points; block while the queue is full.

        Returns True once queued, False if ``timeout`` seconds passed while the queue
        stayed full (the batch is then *not* queued; the caller still owns it). A batch
        larger than ``max_pending_points`` is accepted when no points wait for a flush.
        """
        n = len(batch)
        if n == 0:
            return True
        # Check here: a batch whose index is wrong is the caller's bug, not the feed's data.
        # The decoder hands out one read-only index per frame layout: checked once, not per frame.
        checked = (batch.index, batch.series)
        last = self._checked
        if last is None or last[0] is not checked[0] or last[1] is not checked[1]:
            if int(batch.index.min()) < 0 or int(batch.index.max()) >= len(batch.series):
                raise ValueError("MetricBatch.index refers to a series it does not carry")
            if not batch.index.flags.writeable:
                self._checked = checked  # one assignment: safe between appending threads
        deadline = None if timeout is None else monotonic() + timeout
        with self._cond:
            while self._waiting_points() and self._waiting_points() + n > self.max_pending_points:
                self._check_open()
                remaining = None if deadline is None else deadline - monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._wake.set()  # the queue is full: no point waiting for the timer
                self._cond.wait(remaining)
            self._check_open()
            self._batches.append(batch)
            self._staged.add(batch)
            self._pending_points += n
            self._enqueued += 1
            if self._waiting_points() * 2 >= self.max_pending_points:
                self._wake.set()  # relieve pressure before callers start blocking
        return True

    def wait_for_room(self, points: int, timeout: float | None = None) -> bool:
        """Block until a batch of ``points`` would be queued at once (or the writer closed or
        stopped, when appending raises): True then, False after ``timeout`` seconds.

        For a caller that must not block in ``append_metrics`` (an event loop): it appends with
        ``timeout=0`` and, when refused, waits here in a worker thread, woken the moment a
        flush makes room instead of polling.
        """
        def room() -> bool:
            waiting = self._waiting_points()
            return self._closing or self._dead or not waiting or waiting + points <= self.max_pending_points

        with self._cond:
            if not room():
                self._wake.set()  # the queue is full: no point waiting for the timer
            return self._cond.wait_for(room, timeout)

    def append_events(self, events: Iterable[Event] | Events) -> None:
        """Queue events for the event log; an id already stored is kept as first stored."""
        items = list(events.events if isinstance(events, Events) else events)
        for e in items:
            if not isinstance(e, Event):
                raise TypeError(f"expected Event, got {type(e).__name__}")
        if not items:
            return
        with self._cond:
            self._check_open()
            self._events.extend(items)
            self._enqueued += 1

    def append_topology(self, snapshot: TopologySnapshot) -> None:
        """Queue a topology snapshot; it is stored only if the graph changed."""
        # Take the wire form now: Topology is mutable and the caller may change it later.
        wire = snapshot.to_wire()
        with self._cond:
            self._check_open()
            self._snapshots.append(wire)
            self._enqueued += 1

    def append_plans(self, catalogue: PlanCatalogue, ts_ms: int) -> None:
        """Queue the feed's plan catalogue as of feed time ``ts_ms``; stored only if it changed."""
        wire = {"ts": ts_ms, **catalogue.to_wire()}  # a bad ts is quarantined by the writer, not raised here
        with self._cond:
            self._check_open()
            self._snapshots.append({PLAN_CATALOGUE: wire})
            self._enqueued += 1

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed (stored or quarantined);
        False on timeout, or once the writer is closed or stopped with it still queued."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("flush() from the writer thread (on_flush) would deadlock")
        with self._cond:
            target = self._enqueued
            self._wake.set()
            self._cond.wait_for(lambda: self._committed >= target or self._dead, timeout)
            return self._committed >= target

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush, stop the writer thread and close the file.

        Waits up to ``timeout`` seconds (None: for ever) for the queue to be written. It is
        never silent about it: if the queue is not written within ``_CLOSE_QUIET_S`` (writes
        failing, a disk full), a warning says what is still unsaved, why, and how long it
        will wait; if it could still not be written in time, ``StoreError`` says exactly what
        was saved, quarantined and not saved (its ``health`` has the counts).
        ``health.summary()`` says the same after a clean close.
        """
        with self._cond:
            if self._closing:
                return
        started = monotonic()
        ok = self.flush(_CLOSE_QUIET_S if timeout is None else min(timeout, _CLOSE_QUIET_S))
        remaining = None if timeout is None else max(0.0, timeout - (monotonic() - started))
        if not ok and remaining != 0.0:
            h = self.health
            why = f"writes are failing ({h.last_error})" if h.last_error else "still writing"
            log.warning("history %s: %s; %s; waiting %s more before giving up", self.path, why,
                        h.summary().rsplit("; ", 1)[-1], "for ever" if remaining is None else f"{remaining:.0f} s")
            ok = self.flush(remaining)
        with self._cond:
            self._closing = True
            self._abandon = not ok
            self._cond.notify_all()  # wake blocked appenders so they fail fast
        self._wake.set()
        self._thread.join()
        try:
            # A checkpoint folds the WAL into the file, so a closed store is one file
            # that can be copied to a laptop. Harmless if it fails: the WAL still holds it.
            self._appender.con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            log.warning("checkpoint on close failed: %s", exc)
        self._appender.con.close()
        self._root.close()
        with self._cond:
            self._closed = True
        health = self.health
        if health.unsaved:
            raise StoreError(f"history {self.path}: {health.summary()}", health)

    def reader(self) -> HistoryReader:
        """A reader on this writer's database (its own cursor, one per reading thread).

        DuckDB lets a process open a file read-write only once, so in-process readers
        must share the writer's database; they are closed when the writer closes.
        """
        return HistoryReader(self._root, cursor_lock=self._cursor_lock)

    @property
    def alive(self) -> bool:
        """False once the writer thread has ended: after ``close()``, or because it broke."""
        return self._thread.is_alive()

    @property
    def newest_point_ms(self) -> int | None:
        """The newest point timestamp in the file (committed), None while it holds none: where
        a recording that starts again on this file may ask its feed to resume from."""
        return self._appender.newest_ts

    @property
    def health(self) -> WriterHealth:
        """Counters and the last error, read consistently."""
        with self._cond:
            t = self._totals
            return WriterHealth(
                last_error=self._last_error,
                pending_points=self._pending_points,
                pending_events=len(self._events),
                flushed_points=t.points,
                last_flush_ts=self._last_flush_ts,
                flushes=self._flushes,
                failed_flushes=self._failed,
                pending_snapshots=len(self._snapshots),
                flushed_events=t.events,
                duplicate_events=t.duplicate_events,
                flushed_topologies=t.topologies,
                flushed_plans=t.plans,
                quarantined=dict(t.quarantined),
                quarantine_reasons=dict(t.reasons),
                lost=dict(t.lost),
                deleted_points=self._deleted,
                closed=self._closed,
            )

    def __enter__(self) -> "StoreWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closing or self._dead:
            raise RuntimeError("StoreWriter is closed")

    # -- the writer thread -----------------------------------------------------------
    def _run(self) -> None:
        backoff = 0.0
        try:
            while True:
                self._wake.wait(backoff or self.flush_interval_s)
                self._wake.clear()
                with self._cond:
                    closing, abandon = self._closing, self._abandon
                    batches, events = list(self._batches), list(self._events)
                    snapshots, seq = list(self._snapshots), self._enqueued
                    self._inflight_points = self._pending_points  # appenders may fill the next flush now
                    # The staged columns hold exactly these batches unless some were left over
                    # from a flush that failed or was split: those go batch by batch.
                    staged = self._staged if batches and self._staged.batches == len(batches) else None
                    if staged is None:
                        self._staged.clear()
                    else:
                        self._swap_staged()
                if abandon:
                    return
                if not (batches or events or snapshots):
                    with self._cond:
                        self._committed = max(self._committed, seq)
                        self._cond.notify_all()
                    if closing:
                        return
                    continue
                started = monotonic()
                try:
                    counts, error = self._write(batches, events, snapshots, staged)
                finally:
                    with self._cond:
                        self._inflight_points = 0  # what was not committed waits for the next flush
                        if staged is not None:
                            staged.clear()  # DuckDB has copied what it needed: the memory is free
                            # Kept for reuse unless one oversized batch made it grow past twice
                            # the queue's bound: that memory goes back rather than stay held.
                            if staged.capacity <= 2 * self.max_pending_points:
                                self._spare_staged = staged
                        self._cond.notify_all()
                if error is not None:
                    with self._cond:
                        self._failed += 1
                        # Escaped: the message may quote the feed's text, and the recorder prints it.
                        self._last_error = safe_text(f"{type(error).__name__}: {error}")
                    log.warning("store flush failed, will retry: %s", self._last_error)
                    backoff = min(max(backoff * 2, self.flush_interval_s), self.max_backoff_s)
                    continue
                backoff = 0.0
                self._after_commit(counts, seq, started)
        finally:
            with self._cond:
                self._dead = True
                self._cond.notify_all()

    def _swap_staged(self) -> None:
        """Give appenders fresh (or the spare) staged columns: the flush takes the current ones."""
        self._staged, self._spare_staged = self._spare_staged or StagedPoints(), None

    def _write(
        self, batches: list[MetricBatch], events: list[Event], snapshots: list[dict[str, Any]],
        staged: StagedPoints | None = None,
    ) -> tuple[FlushCounts, Exception | None]:
        """Write a flush, splitting it if it fails for good. Returns its counts and None once
        all of it is resolved, else the transient error (what was committed before it has
        left the queue and is counted). ``staged`` holds the points of ``batches`` joined."""
        try:
            counts = self._appender.write(batches, events, snapshots, staged)
        except Exception as exc:  # noqa: BLE001 - classified: transient errors keep the data queued
            if not is_permanent(exc):
                return FlushCounts(), exc
            log.warning("store flush failed for good (%s); splitting it to set the bad rows aside",
                        safe_text(f"{type(exc).__name__}: {exc}"))
            try:
                done = salvage(self._appender, batches, events, snapshots)
            except Interrupted as stop:
                self._consume(batches, stop.done)
                return stop.done.counts, stop.cause if isinstance(stop.cause, Exception) else stop
        else:
            done = Done(len(batches), 0, len(events), len(snapshots), counts)
        self._consume(batches, done)
        return done.counts, None

    def _consume(self, batches: list[MetricBatch], done: Done) -> None:
        """Take what ``done`` resolved off the front of the queue and count it."""
        counts = done.counts
        with self._cond:
            # Appenders only ever add to the end, so the first items are the flush's.
            points = sum(len(b) for b in batches[: done.batches]) + done.head_rows
            del self._batches[: done.batches]
            if done.head_rows:  # a batch split by rows: what is left of it stays first in line
                b = self._batches[0]
                h = done.head_rows
                self._batches[0] = MetricBatch(b.series, b.index[h:], b.ts[h:], b.values[h:], b.sent_at)
            del self._events[: done.events]
            del self._snapshots[: done.snapshots]
            self._pending_points -= points
            self._inflight_points = max(0, self._inflight_points - points)
            self._totals.add(counts)
            if counts.newest_ts is not None:
                prev = self._last_flush_ts
                self._last_flush_ts = counts.newest_ts if prev is None else max(prev, counts.newest_ts)
            self._cond.notify_all()  # room in the queue: wake blocked appenders now

    def _after_commit(self, counts: FlushCounts, seq: int, started: float) -> None:
        with self._cond:
            self._flushes += 1
            self._last_error = None
            last_flush_ts, flushed = self._last_flush_ts, self._totals.points
        # Retention runs before flush() returns, so a caller that flushed sees its effect.
        deleted = self._apply_retention()
        with self._cond:
            self._deleted += deleted
            # Everything appended before the snapshot (sequence number ``seq``) is in.
            self._committed = max(self._committed, seq)
            self._cond.notify_all()
        if self.on_flush is not None:
            report = FlushReport(
                counts.points, counts.events, counts.topologies, counts.new_series, counts.newest_ts,
                last_flush_ts, flushed, deleted, monotonic() - started, sum(counts.quarantined.values()),
            )
            try:
                self.on_flush(report)
            except Exception:  # noqa: BLE001 - a bad callback must not stop the writer
                log.exception("on_flush callback failed")

    def _apply_retention(self) -> int:
        try:
            return self._retention.apply(self._appender.con, self._appender.newest_ts)
        except duckdb.Error as exc:
            # Not retried at once: the next check comes after retention_check_s anyway.
            with self._cond:
                self._last_error = safe_text(f"retention: {type(exc).__name__}: {exc}")
            return 0
