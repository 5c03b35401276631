"""One flush, one transaction: turning queued batches into Arrow tables appended to DuckDB.

The ``Appender`` is used by the ``StoreWriter``'s thread only. It keeps the caches a flush
needs (series key → id, the last stored topology) and changes them only after COMMIT, so a
failed and rolled-back flush can simply be tried again with the same data.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import duckdb
import numpy as np
import pyarrow as pa

from warroom.core.clock import wall_ms
from warroom.core.model import Event, SeriesKey
from warroom.protocol.messages import MetricBatch, event_to_wire
from warroom.store.quarantine import (
    BAD_TIME, MALFORMED, MAX_TS_MS, MIN_TS_MS, Record, insert_records, points_records, record, text_problem, ts_problem,
)
from warroom.store.schema import first_row
from warroom.store.staging import StagedPoints

#: Marks a queued snapshot as a plan catalogue (``{PLAN_CATALOGUE: {"ts", "plans", "active"}}``);
#: catalogues share the topology snapshots' queue so they keep their order with everything else.
PLAN_CATALOGUE = "plan_catalogue"


@dataclass
class FlushCounts:
    """What one or more committed transactions wrote, and what they set aside."""

    points: int = 0  # points stored
    events: int = 0  # events inserted; events already stored are not counted
    duplicate_events: int = 0  # events skipped because their id was already stored
    topologies: int = 0  # topology snapshots stored (the graph changed)
    plans: int = 0  # plan catalogues stored (the catalogue changed)
    new_series: int = 0
    newest_ts: int | None = None  # newest point timestamp stored
    quarantined: Counter = field(default_factory=Counter)  # rows by kind ("points", "event"...)
    reasons: Counter = field(default_factory=Counter)  # quarantined rows by reason class
    lost: Counter = field(default_factory=Counter)  # rows by kind neither stored nor quarantined

    def add(self, other: "FlushCounts") -> None:
        """Add ``other``'s counts to these."""
        for name in ("points", "events", "duplicate_events", "topologies", "plans", "new_series"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.newest_ts is not None:
            self.newest_ts = other.newest_ts if self.newest_ts is None else max(self.newest_ts, other.newest_ts)
        self.quarantined.update(other.quarantined)
        self.reasons.update(other.reasons)
        self.lost.update(other.lost)

    def count_records(self, records: list[Record]) -> None:
        """Count quarantine records as stored."""
        for r in records:
            self.quarantined[r.kind] += r.n_rows
            self.reasons[r.reason_class] += r.n_rows


def canonical_topology(wire: Mapping[str, Any]) -> str:
    """A snapshot's wire form as canonical JSON, without its ``ts``.

    Lists are sorted so that two snapshots of the same graph compare equal even when
    services or edges arrive in another order.
    """
    services = sorted(wire.get("services", []), key=lambda s: s["name"])
    edges = sorted(wire.get("edges", []), key=lambda e: (e["caller"], e["callee"]))
    scenarios = sorted(
        (
            {**sc, "edges": sorted(map(list, sc.get("edges", [])))}
            for sc in wire.get("scenarios", [])
        ),
        key=lambda sc: sc["id"],
    )
    # Every other part of the message (a KPI tree, series descriptions, later additions) counts
    # too: a snapshot whose only change is there must still be stored.
    rest = {k: v for k, v in wire.items() if k not in ("ts", "type", "services", "edges", "scenarios")}
    body = {**rest, "services": services, "edges": edges, "scenarios": scenarios}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


class Appender:
    """Appends metrics, events and topology snapshots through one connection ``con``.

    ``con`` is a public attribute so tests can wrap it to simulate a failing disk.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con: Any = con
        self._series_ids: dict[SeriesKey, int] = {
            SeriesKey.parse(k): sid
            for k, sid in con.execute("SELECT key, series_id FROM series").fetchall()
        }
        self._next_series_id = max(self._series_ids.values(), default=0) + 1
        row = first_row(con.execute(
            "SELECT snapshot FROM topology_snapshots ORDER BY ts DESC LIMIT 1"
        ))
        self._last_topology = canonical_topology(json.loads(row[0])) if row else None
        row = first_row(con.execute(
            "SELECT snapshot FROM plan_catalogues ORDER BY ts DESC LIMIT 1"
        ))
        self._last_catalogue = canonical_catalogue(json.loads(row[0])) if row else None
        row = first_row(con.execute("SELECT epoch_ms(max(ts)) FROM points"))
        self._known_series: tuple[SeriesKey, ...] | None = None
        self._known_ids = np.empty(0, dtype=np.int32)
        #: Newest point timestamp in the store (ms), None while it has no points.
        self.newest_ts: int | None = row[0]

    def write(
        self,
        batches: list[MetricBatch],
        events: list[Event],
        snapshots: list[dict[str, Any]],
        staged: StagedPoints | None = None,
    ) -> FlushCounts:
        """Append everything in one transaction; on any error roll back and re-raise.

        ``staged`` (optional) holds the points of exactly ``batches``, already joined
        (``warroom.store.staging``): they are then taken from there, unless a series key or a
        timestamp needs setting aside, which the batches are read for.

        Rows with a problem known in advance (text that is not valid Unicode, a timestamp
        outside ``MIN_TS_MS..MAX_TS_MS``, a malformed snapshot) are not tried: they go to the
        quarantine table in the same transaction, and the counts say so. Anything else that
        fails raises, for the writer to retry (transient) or split (permanent).
        """
        con = self.con
        counts = FlushCounts()
        records: list[Record] = []
        prepared = None if staged is None else self._prepare_staged(staged)
        new_ids, next_id, ids_all, ts, values_all = prepared or self._prepare_points(batches, records)
        event_rows = self._prepare_events(events, records)
        topo_rows, last_topology = self._changed(
            [w for w in snapshots if PLAN_CATALOGUE not in w], "topology", canonical_topology,
            self._last_topology, records)
        cat_rows, last_catalogue = self._changed(
            [w[PLAN_CATALOGUE] for w in snapshots if PLAN_CATALOGUE in w], "plans", canonical_catalogue,
            self._last_catalogue, records)
        registered: list[str] = []

        def register(name: str, table: pa.Table) -> None:
            con.register(name, table)
            registered.append(name)

        con.execute("BEGIN")
        try:
            if new_ids:
                register("_w_series", pa.table({
                    "series_id": pa.array(list(new_ids.values()), pa.int32()),
                    "name": [k.name for k in new_ids],
                    "labels": [json.dumps(dict(k.labels), sort_keys=True) for k in new_ids],
                    "key": [k.text for k in new_ids],
                }))
                con.execute("INSERT INTO series SELECT * FROM _w_series")
            # The points are usually all a flush holds: then COMMIT goes with their INSERT, one
            # call into DuckDB fewer. That matters because each call gives up the GIL and must
            # win it back from the busy feed thread (up to a switch interval, 5 ms, each time).
            points_last = not (event_rows or topo_rows or cat_rows or records)
            if len(ts):
                register("_w_points", pa.table({
                    "series_id": pa.array(ids_all, pa.int32()),
                    "ts": pa.array(ts, pa.timestamp("ms")),
                    "value": pa.array(values_all, pa.float64()),
                }))
                con.execute("INSERT INTO points SELECT * FROM _w_points; COMMIT" if points_last
                            else "INSERT INTO points SELECT * FROM _w_points")
            else:
                points_last = False
            counts.events = self._insert_events(event_rows, register)
            for table, rows in (("plan_catalogues", cat_rows), ("topology_snapshots", topo_rows)):
                if rows:
                    register("_w_snap", pa.table({
                        "ts": pa.array([r[0] for r in rows], pa.timestamp("ms")),
                        "snapshot": [r[1] for r in rows],
                    }))
                    con.execute(f"INSERT INTO {table} SELECT * FROM _w_snap")
                    con.unregister("_w_snap")
                    registered.remove("_w_snap")
            insert_records(con, records, wall_ms(), register)
            if not points_last:
                con.execute("COMMIT")
        except BaseException:
            rollback_quietly(con)
            raise
        finally:
            for name in registered:
                con.unregister(name)
        # Only now, after COMMIT, may the caches believe the new rows exist.
        self._series_ids.update(new_ids)
        self._next_series_id = next_id
        self._last_topology = last_topology
        self._last_catalogue = last_catalogue
        counts.count_records(records)
        counts.points, counts.new_series = len(ts), len(new_ids)
        counts.duplicate_events = len(event_rows) - counts.events
        counts.topologies, counts.plans = len(topo_rows), len(cat_rows)
        if len(ts):
            counts.newest_ts = newest = int(ts[-1])
            self.newest_ts = newest if self.newest_ts is None else max(self.newest_ts, newest)
        return counts

    def _prepare_points(
        self, batches: list[MetricBatch], records: list[Record]
    ) -> tuple[dict[SeriesKey, int], int, np.ndarray, np.ndarray, np.ndarray]:
        """Series ids to register and the points to store (time-sorted), screened.

        Returns ``(new_ids, next_id, ids, ts, values)``; points of a series whose key is not
        valid text, or with a timestamp the store does not keep, become quarantine records.
        """
        new_ids: dict[SeriesKey, int] = {}
        bad_keys: dict[SeriesKey, str] = {}
        next_id = self._next_series_id
        id_arrays, ts_arrays, value_arrays = [], [], []
        # Consecutive batches naming the same series (one tuple, from the decoder) share one
        # lookup: their indexes are joined first and mapped to store ids in one gather.
        run_series: tuple[SeriesKey, ...] | None = None
        run_index: list[np.ndarray] = []
        for b in batches:
            if b.series is self._known_series:
                ids = self._known_ids  # the decoder hands out one tuple while the series set holds
                if run_series is not b.series:
                    _map_run(run_index, id_arrays)
                    run_series, run_index = b.series, [ids]
                run_index.append(b.index)
                ts_arrays.append(b.ts)
                value_arrays.append(b.values)
                continue
            ids, next_id = self._ids_of(b.series, new_ids, bad_keys, next_id)
            _map_run(run_index, id_arrays)
            run_series, run_index = None, []
            id_arrays.append(ids[b.index])
            ts_arrays.append(b.ts)
            value_arrays.append(b.values)
        _map_run(run_index, id_arrays)
        if not ts_arrays:
            empty = np.empty(0, dtype=np.int64)
            return new_ids, next_id, empty, empty, empty
        ts = np.concatenate(ts_arrays)
        ids_all, values_all = np.concatenate(id_arrays), np.concatenate(value_arrays)
        # Screening costs two reductions over the flush while nothing is wrong.
        if bad_keys or (len(ts) and (ts.min() < MIN_TS_MS or ts.max() > MAX_TS_MS)):
            ids_all, ts, values_all = self._set_aside_points(batches, bad_keys, ids_all, ts, values_all, records)
        ids_all, ts, values_all = _time_ordered(ids_all, ts, values_all)
        return new_ids, next_id, ids_all, ts, values_all

    def _prepare_staged(
        self, staged: StagedPoints
    ) -> tuple[dict[SeriesKey, int], int, np.ndarray, np.ndarray, np.ndarray] | None:
        """``_prepare_points`` from joined columns: one id gather per run of batches sharing a
        series tuple. None when something must be set aside (a series key that is not valid
        text, a timestamp the store does not keep): the batches are read for that."""
        new_ids: dict[SeriesKey, int] = {}
        bad_keys: dict[SeriesKey, str] = {}
        next_id = self._next_series_id
        index, ts, values = staged.columns()
        ids_all = np.empty(len(ts), dtype=np.int32)
        for series, start, end in staged.run_bounds():
            if series is self._known_series:
                ids = self._known_ids
            else:
                ids, next_id = self._ids_of(series, new_ids, bad_keys, next_id)
                if bad_keys:
                    return None
            np.take(ids, index[start:end], out=ids_all[start:end])
        if len(ts) and (ts.min() < MIN_TS_MS or ts.max() > MAX_TS_MS):
            return None
        ids_all, ts, values = _time_ordered(ids_all, ts, values)
        return new_ids, next_id, ids_all, ts, values

    def _ids_of(
        self, series: tuple[SeriesKey, ...], new_ids: dict[SeriesKey, int], bad_keys: dict[SeriesKey, str], next_id: int,
    ) -> tuple[np.ndarray, int]:
        """Store ids of ``series`` (-1 for a key that is not valid text, recorded in
        ``bad_keys``); keys never stored get ids from ``next_id`` on, in ``new_ids``.
        Returns the ids and the next free id."""
        ids = np.empty(len(series), dtype=np.int32)
        fresh = False
        for i, key in enumerate(series):
            sid = self._series_ids.get(key) or new_ids.get(key)
            if sid is None:
                problem = bad_keys.get(key) or text_problem("series key", key.text)
                if problem is not None:
                    bad_keys[key] = problem
                    sid = -1  # never stored: its points are set aside
                else:
                    sid = new_ids[key] = next_id
                    next_id += 1
                fresh = True
            ids[i] = sid
        if not fresh:  # cache only ids already committed: a failed flush cannot leave it wrong
            self._known_series, self._known_ids = series, ids
        return ids, next_id

    def _set_aside_points(
        self, batches: list[MetricBatch], bad_keys: dict[SeriesKey, str],
        ids: np.ndarray, ts: np.ndarray, values: np.ndarray, records: list[Record],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The points without those of ``bad_keys`` (id -1) and those out of time range,
        which become records (one per series and reason)."""
        codes: dict[SeriesKey, int] = {}
        code = np.concatenate([
            np.fromiter((codes.setdefault(k, len(codes)) for k in b.series), np.int64, len(b.series))[b.index]
            for b in batches
        ])
        keys = list(codes)
        bad_time = (ts < MIN_TS_MS) | (ts > MAX_TS_MS)
        bad_key = ids < 0
        out_of_range = f"{BAD_TIME}: point ts outside {MIN_TS_MS}..{MAX_TS_MS} ms (1970..9999)"
        for mask, reason in ((bad_key, bad_keys.get), (bad_time & ~bad_key, lambda k: out_of_range)):
            if not mask.any():
                continue
            for c in np.unique(code[mask]).tolist():
                sel = mask & (code == c)
                records.extend(points_records(keys[c].text, ts[sel], values[sel], reason(keys[c])))
        keep = ~(bad_key | bad_time)
        return ids[keep], ts[keep], values[keep]

    def _prepare_events(self, events: list[Event], records: list[Record]) -> list[tuple[Event, str]]:
        """``(event, attrs JSON)`` of the events that can be stored, first delivery of an id only."""
        unique: dict[str, tuple[Event, str]] = {}
        for e in events:
            if e.id in unique:
                continue  # first delivery wins, as it does across flushes
            problem = ts_problem("event ts", e.ts) or text_problem("event text", e.id, e.subject, e.title)
            attrs = ""
            if problem is None:
                try:
                    # Not ASCII-escaped: a lone surrogate would then pass as "\\udXXX" and fail
                    # inside DuckDB's JSON parser; here it fails the encoding check below.
                    attrs = json.dumps(dict(e.attrs), sort_keys=True, default=str, ensure_ascii=False)
                except (TypeError, ValueError, RecursionError) as exc:
                    problem = f"{MALFORMED}: event attrs: {type(exc).__name__}: {exc}"
                else:
                    problem = text_problem("event attrs", attrs)
            if problem is not None:
                records.append(record("event", problem, event_payload(e)))
                unique[e.id] = (e, "")  # a later copy in this flush is the same bad event
                continue
            unique[e.id] = (e, attrs)
        return [(e, a) for e, a in unique.values() if a]

    def _insert_events(self, rows: list[tuple[Event, str]], register: Callable[[str, pa.Table], None]) -> int:
        if not rows:
            return 0
        recorded = wall_ms()
        register("_w_events", pa.table({
            "id": [e.id for e, _ in rows],
            "ts": pa.array([e.ts for e, _ in rows], pa.timestamp("ms")),
            "kind": [e.kind.value for e, _ in rows],
            "subject": [e.subject for e, _ in rows],
            "title": [e.title for e, _ in rows],
            "severity": [e.severity.value for e, _ in rows],
            "attrs": [a for _, a in rows],
            "recorded_at": pa.array([recorded] * len(rows), pa.timestamp("ms")),
        }))
        # The anti-join skips ids already stored without tripping the primary key.
        result = first_row(self.con.execute(
            "INSERT INTO events SELECT n.* FROM _w_events n ANTI JOIN events e ON n.id = e.id"
        ))
        return int(result[0]) if result else 0

    @staticmethod
    def _changed(
        snapshots: list[dict[str, Any]], kind: str, canonical: Callable[[Mapping[str, Any]], str],
        last: str | None, records: list[Record],
    ) -> tuple[list[tuple[int, str]], str | None]:
        """The snapshots that differ from the one before them, as ``(ts, JSON)`` rows, screened."""
        rows: list[tuple[int, str]] = []
        for wire in snapshots:
            try:
                canon = canonical(wire)
                if canon == last:
                    continue  # unchanged: not stored, so nothing to check either
                problem = ts_problem(f"{kind} ts", wire["ts"])
                text = "" if problem else json.dumps(wire, separators=(",", ":"), ensure_ascii=False)
            except (LookupError, TypeError, ValueError, AttributeError, RecursionError) as exc:
                problem = f"{MALFORMED}: {kind} snapshot: {type(exc).__name__}: {exc}"
            problem = problem or text_problem(f"{kind} snapshot", text)
            if problem is not None:
                records.append(record(kind, problem, wire))
                continue
            rows.append((int(wire["ts"]), text))
            last = canon
        return rows, last


def _time_ordered(ids: np.ndarray, ts: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points in time order (as given when they already are, as a live feed's nearly
    always are): time order inside a flush keeps each row group's ts min/max tight."""
    if len(ts) > 1 and (ts[1:] < ts[:-1]).any():
        order = np.argsort(ts, kind="stable")
        return ids[order], ts[order], values[order]
    return ids, ts, values


def _map_run(run: list[np.ndarray], out: list[np.ndarray]) -> None:
    """Append the store ids of a run of batches with the same series to ``out``: ``run`` is
    ``[ids, index, index, ...]`` (nothing to do when empty)."""
    if run:
        ids, indexes = run[0], run[1:]
        out.append(ids[indexes[0] if len(indexes) == 1 else np.concatenate(indexes)])


def canonical_catalogue(wire: Mapping[str, Any]) -> str:
    """A plan catalogue snapshot without its ``ts``, as canonical JSON (to store changes only)."""
    body = {"plans": sorted(wire.get("plans", []), key=lambda p: str(p.get("id"))),
            "active": sorted(wire.get("active", []))}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def event_payload(e: Event) -> dict[str, Any]:
    """An event's wire form, for a quarantine record (``payload_text`` escapes what it must)."""
    try:
        return event_to_wire(e)
    except Exception:  # noqa: BLE001 - a hostile event may not even convert; keep what it has
        return {"id": e.id, "ts": e.ts, "subject": e.subject, "title": e.title, "attrs": ascii(dict(e.attrs))}


def rollback_quietly(con: Any) -> None:
    """Roll back the open transaction, if there still is one to roll back."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # the transaction may already be aborted; the caller still holds the data
