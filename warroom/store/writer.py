"""The history writer: one DuckDB connection, owned by one background thread.

Callers (the feed's asyncio loop, the simulator, the recorder) hand over metric batches,
events and topology snapshots; that only appends to an in-memory queue. The writer thread
turns everything pending into Arrow tables every ``flush_interval_s`` and appends them in
one transaction. DuckDB's write-ahead log makes a committed flush durable: a ``kill -9``
loses at most what was still queued (about one flush interval of data).

The queue is bounded in points: when it is full, ``append_metrics`` blocks (backpressure)
instead of dropping. A failed write (disk full, I/O error) keeps the data queued and is
retried with backoff; the error is visible in ``StoreWriter.health``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb

from warroom.core.clock import monotonic
from warroom.core.model import Event
from warroom.protocol.messages import Events, MetricBatch, PlanCatalogue, TopologySnapshot
from warroom.store.appender import PLAN_CATALOGUE, Appender, FlushCounts
from warroom.store.query import HistoryReader
from warroom.store.schema import ensure_schema

log = logging.getLogger(__name__)

_DAY_MS = 86_400_000


@dataclass(frozen=True)
class WriterHealth:
    """A snapshot of the writer's state, for the console's health indicator.

    ``last_error`` is the error of the most recent write attempt, None once a write
    succeeds again; ``failed_flushes`` counts every failed attempt so far.
    ``last_flush_ts`` is the newest point timestamp (epoch ms) this writer has committed.
    """

    last_error: str | None
    pending_points: int
    pending_events: int
    flushed_points: int
    last_flush_ts: int | None
    flushes: int
    failed_flushes: int


@dataclass(frozen=True)
class FlushReport:
    """What one committed flush wrote; passed to ``on_flush`` on the writer thread."""

    points: int
    events: int  # rows actually inserted (events already stored are not counted)
    topologies: int  # snapshots stored because the topology changed
    new_series: int
    newest_ts: int | None  # newest point timestamp in this flush
    last_flush_ts: int | None  # newest point timestamp committed so far
    flushed_points: int  # total committed by this writer
    deleted_points: int  # removed by retention right after this flush
    duration_s: float


class StoreError(RuntimeError):
    """The writer could not save everything it was given (reported, never silent)."""


class StoreWriter:
    """Appends metrics, events and topology snapshots to a DuckDB file from a background thread.

    ``append_*`` are thread-safe and cheap: they enqueue. ``flush()`` waits until what was
    enqueued before the call is committed; ``close()`` flushes, stops the thread and closes
    the file. ``on_flush(report)`` runs on the writer thread after every commit, so keep it
    short. ``checkpoint_threshold_mb`` overrides the WAL size at which DuckDB checkpoints
    on its own. With ``retention_days`` set, points older than the newest point minus
    that many days are deleted every ``retention_check_s``; events are never deleted.
    """

    def __init__(
        self,
        path: str | Path,
        flush_interval_s: float = 0.25,
        max_pending_points: int = 1_000_000,
        *,
        retention_days: float | None = None,
        retention_check_s: float = 600.0,
        on_flush: Callable[[FlushReport], None] | None = None,
        max_backoff_s: float = 5.0,
        checkpoint_threshold_mb: float | None = None,
    ) -> None:
        if flush_interval_s <= 0 or max_pending_points <= 0:
            raise ValueError("flush_interval_s and max_pending_points must be positive")
        self.path = Path(path)
        self.flush_interval_s = float(flush_interval_s)
        self.max_pending_points = int(max_pending_points)
        self.retention_days = retention_days
        self.retention_check_s = float(retention_check_s)
        self.on_flush = on_flush
        self.max_backoff_s = float(max_backoff_s)

        # Opening and migrating happen here, on the caller's thread, so a bad path or a
        # too-new file fails loudly at construction instead of inside the thread.
        # The root connection is only a factory of cursors (each a full DuckDB
        # connection): the writer thread writes through its own, readers get theirs.
        self._root = duckdb.connect(str(self.path))
        if checkpoint_threshold_mb is not None:
            # DuckDB folds the WAL into the file once it passes this size (default 16 MiB),
            # inside the commit that crossed it, on the writer thread. Smaller means
            # shorter replay after a crash but more frequent checkpoints.
            mib = float(checkpoint_threshold_mb)
            self._root.execute(f"SET checkpoint_threshold = '{mib}MiB'")
        ensure_schema(self._root)
        self._appender = Appender(self._root.cursor())
        self._cursor_lock = threading.Lock()

        self._cond = threading.Condition()
        self._batches: list[MetricBatch] = []
        self._events: list[Event] = []
        self._snapshots: list[dict[str, Any]] = []
        self._pending_points = 0
        self._enqueued = 0  # sequence number of the last append
        self._committed = 0  # every append up to this number is committed
        self._flushed_points = 0
        self._last_flush_ts: int | None = None
        self._flushes = 0
        self._failed = 0
        self._last_error: str | None = None
        self._closing = False
        self._abandon = False
        self._dead = False
        self._last_retention = monotonic()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="warroom-store-writer", daemon=True)
        self._thread.start()

    # -- the caller's side ---------------------------------------------------------
    def append_metrics(self, batch: MetricBatch, timeout: float | None = None) -> bool:
        """Queue a batch of points; block while the queue is full.

        Returns True once queued, False if ``timeout`` seconds passed while the queue
        stayed full (the batch is then *not* queued; the caller still owns it). A batch
        larger than ``max_pending_points`` is accepted when the queue is empty.
        """
        n = len(batch)
        if n == 0:
            return True
        # Check here: a bad batch inside the queue would fail every retry of the flush.
        if int(batch.index.min()) < 0 or int(batch.index.max()) >= len(batch.series):
            raise ValueError("MetricBatch.index refers to a series it does not carry")
        deadline = None if timeout is None else monotonic() + timeout
        with self._cond:
            while self._pending_points and self._pending_points + n > self.max_pending_points:
                self._check_open()
                remaining = None if deadline is None else deadline - monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._wake.set()  # the queue is full: no point waiting for the timer
                self._cond.wait(remaining)
            self._check_open()
            self._batches.append(batch)
            self._pending_points += n
            self._enqueued += 1
            if self._pending_points * 2 >= self.max_pending_points:
                self._wake.set()  # relieve pressure before callers start blocking
        return True

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
        wire = {"ts": int(ts_ms), **catalogue.to_wire()}
        with self._cond:
            self._check_open()
            self._snapshots.append({PLAN_CATALOGUE: wire})
            self._enqueued += 1

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed; False on timeout."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("flush() from the writer thread (on_flush) would deadlock")
        with self._cond:
            target = self._enqueued
            self._wake.set()
            self._cond.wait_for(lambda: self._committed >= target or self._dead, timeout)
            return self._committed >= target

    def close(self, timeout: float | None = 30.0) -> None:
        """Flush, stop the writer thread and close the file.

        Raises ``StoreError`` if the queue could not be written within ``timeout`` seconds
        (for instance while the disk stays full), saying how much was not saved.
        """
        with self._cond:
            if self._closing:
                return
        ok = self.flush(timeout)
        with self._cond:
            self._closing = True
            self._abandon = not ok
            self._cond.notify_all()  # wake blocked appenders so they fail fast
        self._wake.set()
        self._thread.join()
        health = self.health
        try:
            # A checkpoint folds the WAL into the file, so a closed store is one file
            # that can be copied to a laptop. Harmless if it fails: the WAL still holds it.
            self._appender.con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            log.warning("checkpoint on close failed: %s", exc)
        self._appender.con.close()
        self._root.close()
        if not ok:
            raise StoreError(
                f"closed with {health.pending_points} points and {health.pending_events} "
                f"events not saved: {health.last_error}"
            )

    def reader(self) -> HistoryReader:
        """A reader on this writer's database (its own cursor, one per reading thread).

        DuckDB lets a process open a file read-write only once, so in-process readers
        must share the writer's database; they are closed when the writer closes.
        """
        return HistoryReader(self._root, cursor_lock=self._cursor_lock)

    @property
    def health(self) -> WriterHealth:
        """Counters and the last error, read consistently."""
        with self._cond:
            return WriterHealth(
                last_error=self._last_error,
                pending_points=self._pending_points,
                pending_events=len(self._events),
                flushed_points=self._flushed_points,
                last_flush_ts=self._last_flush_ts,
                flushes=self._flushes,
                failed_flushes=self._failed,
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
                    counts = self._appender.write(batches, events, snapshots)
                except Exception as exc:  # noqa: BLE001 - any failure keeps the data queued
                    with self._cond:
                        self._failed += 1
                        self._last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("store flush failed, will retry: %s", exc)
                    backoff = min(max(backoff * 2, self.flush_interval_s), self.max_backoff_s)
                    continue
                backoff = 0.0
                self._after_commit(batches, events, snapshots, seq, counts, started)
        finally:
            with self._cond:
                self._dead = True
                self._cond.notify_all()

    def _after_commit(
        self,
        batches: list[MetricBatch],
        events: list[Event],
        snapshots: list[dict[str, Any]],
        seq: int,
        counts: FlushCounts,
        started: float,
    ) -> None:
        points, n_events, n_topo, n_series, newest = counts
        with self._cond:
            # Appenders only ever add to the end, so the first len(...) items are ours.
            del self._batches[: len(batches)]
            del self._events[: len(events)]
            del self._snapshots[: len(snapshots)]
            self._pending_points -= points
            self._flushed_points += points
            self._flushes += 1
            self._last_error = None
            if newest is not None:
                prev = self._last_flush_ts
                self._last_flush_ts = newest if prev is None else max(prev, newest)
            self._cond.notify_all()  # room in the queue: wake blocked appenders now
            last_flush_ts, flushed = self._last_flush_ts, self._flushed_points
        # Retention runs before flush() returns, so a caller that flushed sees its effect.
        deleted = self._apply_retention()
        with self._cond:
            # Everything appended before the snapshot (sequence number ``seq``) is in.
            self._committed = max(self._committed, seq)
            self._cond.notify_all()
        if self.on_flush is not None:
            report = FlushReport(
                points, n_events, n_topo, n_series, newest, last_flush_ts, flushed, deleted,
                monotonic() - started,
            )
            try:
                self.on_flush(report)
            except Exception:  # noqa: BLE001 - a bad callback must not stop the writer
                log.exception("on_flush callback failed")

    def _apply_retention(self) -> int:
        newest = self._appender.newest_ts
        if self.retention_days is None or newest is None:
            return 0
        if monotonic() - self._last_retention < self.retention_check_s:
            return 0
        self._last_retention = monotonic()
        try:
            return self._appender.delete_points_before(newest - int(self.retention_days * _DAY_MS))
        except duckdb.Error as exc:
            # Not retried at once: the next check comes after retention_check_s anyway.
            with self._cond:
                self._last_error = f"retention: {type(exc).__name__}: {exc}"
            return 0
