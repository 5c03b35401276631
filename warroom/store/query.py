"""Reading history back: series lookup, downsampled ranges, latest values, events, topology.

A ``HistoryReader`` reads either a file opened read-only (offline replay on a laptop) or
the live database shared with a ``StoreWriter`` (``StoreWriter.reader()``). Each thread
that reads gets its own DuckDB cursor, because a DuckDB connection serves one thread at
a time while cursors of one database run in parallel and see every committed flush.

Time ranges are half-open, ``[start_ms, end_ms)``, in epoch milliseconds.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import duckdb
import numpy as np

from warroom.core.graph.topology import Topology
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.protocol.messages import MetricBatch
from warroom.protocol.parse import parse_topology
from warroom.store.quarantine import QuarantinedRow, count_rows, read_records
from warroom.store.schema import check_readable, first_row

_EMPTY_I = np.empty(0, dtype=np.int64)
_EMPTY_F = np.empty(0, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class SeriesData:
    """One series over a time range, as parallel numpy arrays.

    When downsampled (``bucket_ms > 0``) each element is one time bucket: ``ts`` is the
    bucket's start, ``value`` the mean, ``min``/``max`` the extremes, ``last`` the newest
    value and ``count`` the number of raw points in it. Buckets without points are absent:
    a gap in the data stays a gap. Raw data (``bucket_ms == 0``) has one element per
    point, with ``value == min == max == last`` (one shared array: treat all arrays as
    read-only) and ``count == 1``.
    """

    ts: np.ndarray
    value: np.ndarray
    min: np.ndarray
    max: np.ndarray
    last: np.ndarray
    count: np.ndarray
    bucket_ms: int = 0

    @property
    def raw(self) -> bool:
        """True when these are the stored points themselves, not bucket aggregates."""
        return self.bucket_ms == 0

    def __len__(self) -> int:
        return len(self.ts)

    @classmethod
    def empty(cls) -> "SeriesData":
        """A series with no data in the range."""
        return cls(_EMPTY_I, _EMPTY_F, _EMPTY_F, _EMPTY_F, _EMPTY_F, _EMPTY_I)


def bucket_width_ms(start_ms: int, end_ms: int, max_points: int) -> int:
    """The bucket width that fits ``[start_ms, end_ms)`` into at most ``max_points`` buckets.

    Buckets are aligned to the epoch, not to ``start_ms``, so that a live chart whose
    window slides forward keeps the same buckets and its lines do not shimmer. An aligned
    range can straddle one extra bucket, hence ``max_points - 1`` in the division. Widths
    are whole milliseconds; from ten seconds up they are rounded up to whole seconds,
    which keeps bucket edges readable and costs at most a tenth of the resolution.
    """
    span = max(1, end_ms - start_ms)
    if max_points <= 1:
        return span
    width = max(1, math.ceil(span / (max_points - 1)))
    if width >= 10_000:
        width = math.ceil(width / 1000) * 1000
    return width


class HistoryReader:
    """Queries over a Warroom store.

    ``source`` is a path (opened read-only, for offline use; fails while another process
    has the file open for writing) or an open DuckDB connection to share (then each
    reading thread gets its own ``cursor()`` of it).
    """

    def __init__(
        self,
        source: str | Path | duckdb.DuckDBPyConnection,
        *,
        cursor_lock: threading.Lock | None = None,
    ) -> None:
        if isinstance(source, (str, Path)):
            self._base = duckdb.connect(str(source), read_only=True)
            self._owns_base = True
            try:
                check_readable(self._base)
            except BaseException:
                self._base.close()
                raise
        else:
            self._base = source
            self._owns_base = False
        self._lock = cursor_lock or threading.Lock()
        self._local = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._ids: dict[str, int] = {}  # key text -> series_id; ids never change once given
        self._tables: set[str] | None = None  # table names, read once (older files lack some)
        self._keys_by_id: dict[int, SeriesKey] | None = None  # for batch(): series_id -> key
        self._batch_series: tuple[SeriesKey, ...] = ()
        self._batch_pos = np.zeros(0, dtype=np.int32)

    # -- plumbing ------------------------------------------------------------------
    def _cur(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            with self._lock:  # cursor() on a connection another thread also uses
                cur = self._base.cursor()
                self._cursors.append(cur)
            self._local.cursor = cur
        return cur

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new DuckDB cursor on the same database, for a caller's own queries on this thread
        (e.g. exporting a bundle from a file this process already holds open). Close it after use."""
        with self._lock:
            return self._base.cursor()

    def close(self) -> None:
        """Close this reader's cursors (and the file, if the reader opened it)."""
        with self._lock:
            for cur in self._cursors:
                try:
                    cur.close()
                except duckdb.Error:
                    pass  # already closed with its database
            self._cursors.clear()
        self._local = threading.local()
        if self._owns_base:
            self._base.close()

    def __enter__(self) -> "HistoryReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _series_ids(self, keys: Iterable[SeriesKey]) -> dict[SeriesKey, int]:
        """The stored ids of those keys that exist (unknown keys are left out)."""
        keys = list(keys)
        missing = [k.text for k in keys if k.text not in self._ids]
        if missing:
            rows = self._cur().execute(
                "SELECT key, series_id FROM series WHERE list_contains(?::VARCHAR[], key)",
                [missing],
            ).fetchall()
            self._ids.update(rows)
        return {k: self._ids[k.text] for k in keys if k.text in self._ids}

    # -- queries -------------------------------------------------------------------
    def series(self, name: str | None = None, **labels: str) -> list[SeriesKey]:
        """Stored series with this metric name (if given) and these label values, by key."""
        sql = "SELECT name, labels FROM series WHERE true"
        params: list[Any] = []
        if name is not None:
            sql += " AND name = ?"
            params.append(name)
        for label, value in labels.items():
            # Label names are identifiers (SeriesKey checks them); quote them as JSON keys.
            sql += " AND json_extract_string(labels, ?) = ?"
            params += [f'$."{label}"', value]
        rows = self._cur().execute(sql + " ORDER BY key", params).fetchall()
        return [SeriesKey(n, json.loads(lab)) for n, lab in rows]

    def range(
        self,
        keys: Iterable[SeriesKey],
        start_ms: int,
        end_ms: int,
        max_points: int = 1000,
    ) -> dict[SeriesKey, SeriesData]:
        """Each series over ``[start_ms, end_ms)``, at most ``max_points`` elements each.

        A series with at most ``max_points`` points in the range comes back raw; a denser
        one is averaged into time buckets (``bucket_width_ms``), with min, max, last and
        count kept so spikes stay visible. Every requested key is in the result; series
        without data there get an empty ``SeriesData``.
        """
        if max_points < 1:
            raise ValueError("max_points must be at least 1")
        keys = list(keys)
        result = {k: SeriesData.empty() for k in keys}
        ids = self._series_ids(keys)
        if not ids or end_ms <= start_ms:
            return result
        by_id = {sid: k for k, sid in ids.items()}
        cur = self._cur()
        # Ids come from our own table as ints: inlining them (``_in_list``) lets DuckDB
        # push the IN list into the scan together with the ts range.
        in_range = " AND ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT)"
        span = [int(start_ms), int(end_ms)]
        counts = cur.execute(
            "SELECT series_id, count(*) FROM points WHERE " + _in_list(list(by_id)) + in_range
            + " GROUP BY series_id",
            span,
        ).fetchall()
        raw_ids = [sid for sid, n in counts if n <= max_points]
        dense_ids = [sid for sid, n in counts if n > max_points]
        if raw_ids:
            cols = cur.execute(
                "SELECT series_id, epoch_ms(ts) AS t, value FROM points WHERE "
                + _in_list(raw_ids) + in_range
                + " ORDER BY series_id, t",
                span,
            ).fetchnumpy()
            for sid, sl in _groups(cols["series_id"]):
                v = np.asarray(cols["value"][sl], dtype=np.float64)
                result[by_id[sid]] = SeriesData(
                    np.asarray(cols["t"][sl], dtype=np.int64), v, v, v, v,
                    np.ones(len(v), dtype=np.int64),
                )
        if dense_ids:
            width = bucket_width_ms(start_ms, end_ms, max_points)
            origin = 0 if max_points > 1 else int(start_ms)
            cols = cur.execute(
                "SELECT series_id, epoch_ms(time_bucket(to_milliseconds(?::BIGINT), ts,"
                " epoch_ms(?::BIGINT))) AS b, avg(value) AS avg, min(value) AS lo,"
                " max(value) AS hi, arg_max(value, ts) AS last, count(*) AS n FROM points"
                " WHERE " + _in_list(dense_ids) + in_range
                + " GROUP BY series_id, b ORDER BY series_id, b",
                [width, origin, *span],
            ).fetchnumpy()
            for sid, sl in _groups(cols["series_id"]):
                result[by_id[sid]] = SeriesData(
                    np.asarray(cols["b"][sl], dtype=np.int64),
                    np.asarray(cols["avg"][sl], dtype=np.float64),
                    np.asarray(cols["lo"][sl], dtype=np.float64),
                    np.asarray(cols["hi"][sl], dtype=np.float64),
                    np.asarray(cols["last"][sl], dtype=np.float64),
                    np.asarray(cols["n"][sl], dtype=np.int64),
                    bucket_ms=width,
                )
        return result

    def batch(self, start_ms: int, end_ms: int) -> MetricBatch:
        """Every stored point in ``[start_ms, end_ms)`` as one ``MetricBatch`` (replay feeds it to a view).

        Points come in storage order, which is close to time order; ``LiveView.add_batch``
        sorts them (cheaply when they are already in time order).
        """
        cols = self._cur().execute(
            "SELECT series_id, ts, value FROM points"
            " WHERE ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT)",
            [int(start_ms), int(end_ms)],
        ).fetchnumpy()
        # ts comes as datetime64 (DuckDB's microseconds): converting to epoch ms in numpy
        # halves the query against epoch_ms(ts) in SQL (bench/replay.py: a 15-min jump).
        ts = np.asarray(cols["ts"]).astype("datetime64[ms]").view(np.int64)
        ids = np.asarray(cols["series_id"], dtype=np.int64)
        if len(ids) and (self._keys_by_id is None or int(ids.max()) >= len(self._batch_pos)):
            self._load_keys_by_id()  # first call, or series added since (a live store)
        index = self._batch_pos[ids] if len(ids) else np.empty(0, np.int32)
        return MetricBatch(self._batch_series, index, ts, np.asarray(cols["value"], dtype=np.float64))

    def _load_keys_by_id(self) -> None:
        rows = self._cur().execute("SELECT series_id, key FROM series ORDER BY series_id").fetchall()
        self._keys_by_id = {int(sid): SeriesKey.parse(k) for sid, k in rows}
        self._batch_series = tuple(self._keys_by_id.values())
        self._batch_pos = np.zeros(max(self._keys_by_id, default=0) + 1, dtype=np.int32)
        for pos, sid in enumerate(self._keys_by_id):
            self._batch_pos[sid] = pos

    def latest(
        self,
        keys: Iterable[SeriesKey],
        at_ms: int | None = None,
        lookback_ms: int = 3_600_000,
    ) -> dict[SeriesKey, tuple[int, float]]:
        """The newest ``(ts, value)`` of each series at or before ``at_ms`` (default: newest data).

        Looks back ``lookback_ms`` first, which the ts zonemaps make cheap, and scans
        further only for series that had nothing that recent. Series without any data
        are left out.
        """
        ids = self._series_ids(keys)
        if not ids:
            return {}
        if at_ms is None:
            bounds = self.time_range()
            if bounds is None:
                return {}
            at_ms = bounds[1]
        by_id = {sid: k for k, sid in ids.items()}
        out: dict[SeriesKey, tuple[int, float]] = {}
        for since in (int(at_ms) - int(lookback_ms), None):
            todo = [sid for sid, k in by_id.items() if k not in out]
            if not todo:
                break
            sql = (
                "SELECT series_id, epoch_ms(max(ts)), arg_max(value, ts) FROM points WHERE "
                + _in_list(todo) + " AND ts <= epoch_ms(?::BIGINT)"
            )
            params = [int(at_ms)]
            if since is not None:
                sql += " AND ts >= epoch_ms(?::BIGINT)"
                params.append(since)
            for sid, t, v in self._cur().execute(sql + " GROUP BY series_id", params).fetchall():
                out[by_id[sid]] = (int(t), float(v))
        return out

    def events(
        self,
        start_ms: int,
        end_ms: int,
        kinds: Iterable[EventKind | str] | None = None,
        subject: str | None = None,
    ) -> list[Event]:
        """Events in ``[start_ms, end_ms)``, oldest first, optionally of these kinds / subject."""
        sql = (
            "SELECT id, epoch_ms(ts) AS t, kind, subject, title, severity, attrs FROM events"
            " WHERE ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT)"
        )
        params: list[Any] = [int(start_ms), int(end_ms)]
        if kinds is not None:
            sql += " AND list_contains(?::VARCHAR[], kind)"
            params.append([EventKind(k).value for k in kinds])
        if subject is not None:
            sql += " AND subject = ?"
            params.append(subject)
        rows = self._cur().execute(sql + " ORDER BY t, id", params).fetchall()
        return [
            Event(id=i, ts=int(t), kind=k, subject=s, title=ti, severity=sev, attrs=json.loads(a))
            for i, t, k, s, ti, sev, a in rows
        ]

    def topology_at(self, ts_ms: int) -> dict[str, Any] | None:
        """The newest stored topology snapshot at or before ``ts_ms``, in wire form."""
        row = first_row(self._cur().execute(
            "SELECT snapshot FROM topology_snapshots WHERE ts <= epoch_ms(?::BIGINT)"
            " ORDER BY ts DESC LIMIT 1",
            [int(ts_ms)],
        ))
        return json.loads(row[0]) if row else None

    def graph_at(self, ts_ms: int) -> Topology | None:
        """The call graph as recorded at ``ts_ms`` (or the first one recorded after it: a
        history that starts mid-incident still has a graph), None when it holds none."""
        wire = self.topology_at(ts_ms)
        if wire is None:
            later = self.snapshots("topology_snapshots")
            wire = later[0][1] if later else None
        if wire is None:
            return None
        snapshot, _errors = parse_topology(wire, int(wire.get("ts", ts_ms)), 10**15)
        return snapshot.topology

    def plans_at(self, ts_ms: int) -> dict[str, Any] | None:
        """The newest stored plan catalogue at or before ``ts_ms`` (``{"ts", "plans", "active"}``).

        None when there is none, including in a v1 file, which had no such table.
        """
        if not self._has_table("plan_catalogues"):
            return None
        row = first_row(self._cur().execute(
            "SELECT snapshot FROM plan_catalogues WHERE ts <= epoch_ms(?::BIGINT)"
            " ORDER BY ts DESC LIMIT 1",
            [int(ts_ms)],
        ))
        return json.loads(row[0]) if row else None

    def snapshots(self, table: str) -> list[tuple[int, dict[str, Any]]]:
        """Every stored ``(ts, snapshot)`` of ``topology_snapshots`` or ``plan_catalogues``, oldest first."""
        if table not in ("topology_snapshots", "plan_catalogues"):
            raise ValueError(f"not a snapshot table: {table!r}")
        if not self._has_table(table):
            return []
        rows = self._cur().execute(
            f"SELECT epoch_ms(ts), snapshot FROM {table} ORDER BY ts"
        ).fetchall()
        return [(int(t), json.loads(s)) for t, s in rows]

    def quarantine(self, limit: int = 100) -> list[QuarantinedRow]:
        """The newest ``limit`` quarantine records (rows the writer could not store), newest
        first; none in a file older than schema v3."""
        return read_records(self._cur(), limit) if self._has_table("quarantine") else []

    def quarantine_counts(self) -> dict[str, int]:
        """Quarantined rows by kind (``points``, ``event``, ``topology``, ``plans``); ``{}`` if none."""
        return count_rows(self._cur()) if self._has_table("quarantine") else {}

    def _has_table(self, name: str) -> bool:
        known = self._tables
        if known is None:
            known = self._tables = {
                r[0] for r in self._cur().execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = 'main' AND table_catalog = current_database()"
                ).fetchall()
            }
        return name in known

    def time_range(self) -> tuple[int, int] | None:
        """``(oldest, newest)`` point timestamps in ms, or None when there are no points."""
        row = first_row(self._cur().execute(
            "SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM points"
        ))
        return None if row is None or row[0] is None else (int(row[0]), int(row[1]))


def _in_list(ids: list[int]) -> str:
    return f"series_id IN ({', '.join(str(int(i)) for i in ids)})"


def _groups(series_ids: np.ndarray) -> Iterable[tuple[int, slice]]:
    """Slices of equal consecutive ids in an id column already sorted by id."""
    ids = np.asarray(series_ids)
    if len(ids) == 0:
        return
    starts = np.flatnonzero(np.diff(ids)) + 1
    bounds = [0, *starts.tolist(), len(ids)]
    for a, b in zip(bounds, bounds[1:]):
        yield int(ids[a]), slice(a, b)
