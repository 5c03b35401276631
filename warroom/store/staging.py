"""Queued points copied into three contiguous columns as they are appended.

The writer thread used to join a flush's batches itself (a concatenation per column and an
id lookup per batch: some 20 ms of Python and numpy per million points). It holds the GIL
for all of that, while the feed thread decodes frames and gives the GIL up inside every
numpy call: each time the writer then kept it for up to a switch interval (5 ms), and the
feed thread's own work doubled in CPU time. On the ingest bench the two threads together
took longer than one after the other.

So the caller's thread copies each batch into ``StagedPoints`` as it queues it, a few
microseconds per frame, and the writer thread takes the columns whole: its part of a flush is
then a handful of large array operations and DuckDB's insert, which runs without the GIL.
The batches stay queued beside their copy: a flush that fails, or must be split to set rows
aside, goes the careful way, batch by batch (``Appender.write`` without staged columns).
"""

from __future__ import annotations

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol.messages import MetricBatch

#: Points a new staging area holds before it grows (it doubles as needed, and is reused).
INITIAL_CAPACITY = 65_536


class StagedPoints:
    """The points of a run of queued batches, in queue order: ``index`` (each batch's own
    index into its series tuple), ``ts`` and ``values``, with ``runs`` saying which series
    tuple each stretch of ``index`` refers to.

    Not thread-safe: the writer appends under its lock and swaps the whole object out to flush.
    """

    def __init__(self, capacity: int = INITIAL_CAPACITY) -> None:
        self._index = np.empty(capacity, dtype=np.int32)
        self._ts = np.empty(capacity, dtype=np.int64)
        self._values = np.empty(capacity, dtype=np.float64)
        self.n = 0  # points held
        self.batches = 0  # batches held
        #: ``(series, start)``: from ``start`` on (to the next run's start or ``n``), ``index``
        #: refers to ``series``. Consecutive batches sharing one tuple (as the decoder hands
        #: them out while a feed's series hold) share one run.
        self.runs: list[tuple[tuple[SeriesKey, ...], int]] = []

    def add(self, batch: MetricBatch) -> None:
        """Copy ``batch``'s points to the end of the columns."""
        start, n = self.n, len(batch)
        end = start + n
        if end > len(self._ts):
            self._grow(end)
        self._index[start:end] = batch.index
        self._ts[start:end] = batch.ts
        self._values[start:end] = batch.values
        if not self.runs or self.runs[-1][0] is not batch.series:
            self.runs.append((batch.series, start))
        self.n = end
        self.batches += 1

    @property
    def capacity(self) -> int:
        """Points the columns hold before they grow."""
        return len(self._ts)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(index, ts, values)`` of the points held: views, valid until ``clear()``."""
        n = self.n
        return self._index[:n], self._ts[:n], self._values[:n]

    def run_bounds(self) -> list[tuple[tuple[SeriesKey, ...], int, int]]:
        """``(series, start, end)`` of each run."""
        starts = [start for _, start in self.runs[1:]] + [self.n]
        return [(series, start, end) for (series, start), end in zip(self.runs, starts)]

    def clear(self) -> None:
        """Forget the points (the memory is kept, for the next flush)."""
        self.n = 0
        self.batches = 0
        self.runs = []

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * len(self._ts))
        for name in ("_index", "_ts", "_values"):
            old = getattr(self, name)
            new = np.empty(capacity, dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
