"""One flush, one transaction: turning queued batches into Arrow tables appended to DuckDB.

The ``Appender`` is used by the ``StoreWriter``'s thread only. It keeps the caches a flush
needs (series key → id, the last stored topology) and changes them only after COMMIT, so a
failed and rolled-back flush can simply be tried again with the same data.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, NamedTuple

import duckdb
import numpy as np
import pyarrow as pa

from warroom.core.clock import wall_ms
from warroom.core.model import Event, SeriesKey
from warroom.protocol.messages import MetricBatch


#: Marks a queued snapshot as a plan catalogue (``{PLAN_CATALOGUE: {"ts", "plans", "active"}}``);
#: catalogues share the topology snapshots' queue so they keep their order with everything else.
PLAN_CATALOGUE = "plan_catalogue"


class FlushCounts(NamedTuple):
    """What one committed transaction wrote."""

    points: int
    events: int  # rows inserted; events already stored are not counted
    topologies: int
    new_series: int
    newest_ts: int | None  # newest point timestamp in the transaction


def canonical_topology(wire: Mapping[str, Any]) -> str:
    """The topology part of a snapshot's wire form as canonical JSON, without its ``ts``.

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
    body = {"services": services, "edges": edges, "scenarios": scenarios}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


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
        row = con.execute(
            "SELECT snapshot FROM topology_snapshots ORDER BY ts DESC LIMIT 1"
        ).fetchone()
        self._last_topology = canonical_topology(json.loads(row[0])) if row else None
        row = con.execute(
            "SELECT snapshot FROM plan_catalogues ORDER BY ts DESC LIMIT 1"
        ).fetchone()
        self._last_catalogue = canonical_catalogue(json.loads(row[0])) if row else None
        row = con.execute("SELECT epoch_ms(max(ts)) FROM points").fetchone()
        self._known_series: tuple[SeriesKey, ...] | None = None
        self._known_ids = np.empty(0, dtype=np.int32)
        #: Newest point timestamp in the store (ms), None while it has no points.
        self.newest_ts: int | None = row[0]

    def write(
        self,
        batches: list[MetricBatch],
        events: list[Event],
        snapshots: list[dict[str, Any]],
    ) -> FlushCounts:
        """Append everything in one transaction; on any error roll back and re-raise."""
        con = self.con
        new_ids: dict[SeriesKey, int] = {}
        next_id = self._next_series_id
        id_arrays, ts_arrays, value_arrays = [], [], []
        for b in batches:
            if b.series is self._known_series:
                ids = self._known_ids  # the decoder hands out one tuple while the series set holds
            else:
                ids = np.empty(len(b.series), dtype=np.int32)
                fresh = False
                for i, key in enumerate(b.series):
                    sid = self._series_ids.get(key) or new_ids.get(key)
                    if sid is None:
                        sid = new_ids[key] = next_id
                        next_id += 1
                        fresh = True
                    ids[i] = sid
                if not fresh:  # cache only ids already committed: a failed flush cannot leave it wrong
                    self._known_series, self._known_ids = b.series, ids
            id_arrays.append(ids[b.index])
            ts_arrays.append(b.ts)
            value_arrays.append(b.values)
        points = sum(len(a) for a in ts_arrays)
        newest = None
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
            if points:
                ts = np.concatenate(ts_arrays)
                # Time order inside a flush keeps each row group's ts min/max tight.
                ids_all, values_all = np.concatenate(id_arrays), np.concatenate(value_arrays)
                if len(ts) > 1 and (ts[1:] < ts[:-1]).any():  # a live feed is nearly always in order already
                    order = np.argsort(ts, kind="stable")
                    ids_all, ts, values_all = ids_all[order], ts[order], values_all[order]
                register("_w_points", pa.table({
                    "series_id": pa.array(ids_all, pa.int32()),
                    "ts": pa.array(ts, pa.timestamp("ms")),
                    "value": pa.array(values_all, pa.float64()),
                }))
                con.execute("INSERT INTO points SELECT * FROM _w_points")
                newest = int(ts[-1])
            n_events = self._insert_events(events, register)
            topo_rows, last_topology = self._changed_topologies(
                [w for w in snapshots if PLAN_CATALOGUE not in w])
            cat_rows, last_catalogue = self._changed_catalogues(
                [w[PLAN_CATALOGUE] for w in snapshots if PLAN_CATALOGUE in w])
            if cat_rows:
                register("_w_cats", pa.table({
                    "ts": pa.array([r[0] for r in cat_rows], pa.timestamp("ms")),
                    "snapshot": [r[1] for r in cat_rows],
                }))
                con.execute("INSERT INTO plan_catalogues SELECT * FROM _w_cats")
            if topo_rows:
                register("_w_topo", pa.table({
                    "ts": pa.array([r[0] for r in topo_rows], pa.timestamp("ms")),
                    "snapshot": [r[1] for r in topo_rows],
                }))
                con.execute("INSERT INTO topology_snapshots SELECT * FROM _w_topo")
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        finally:
            for name in registered:
                con.unregister(name)
        # Only now, after COMMIT, may the caches believe the new rows exist.
        self._series_ids.update(new_ids)
        self._next_series_id = next_id
        self._last_topology = last_topology
        self._last_catalogue = last_catalogue
        if newest is not None:
            prev = self.newest_ts
            self.newest_ts = newest if prev is None else max(prev, newest)
        return FlushCounts(points, n_events, len(topo_rows), len(new_ids), newest)

    def delete_points_before(self, cutoff_ms: int) -> int:
        """Delete points older than ``cutoff_ms`` in one transaction; return how many."""
        self.con.execute("BEGIN")
        try:
            row = self.con.execute(
                "DELETE FROM points WHERE ts < epoch_ms(?::BIGINT)", [int(cutoff_ms)]
            ).fetchone()
            self.con.execute("COMMIT")
        except BaseException:
            _rollback(self.con)
            raise
        return int(row[0]) if row else 0

    def _insert_events(self, events: list[Event], register: Callable[[str, pa.Table], None]) -> int:
        if not events:
            return 0
        unique: dict[str, Event] = {}
        for e in events:
            unique.setdefault(e.id, e)  # first delivery wins, as it does across flushes
        rows = list(unique.values())
        recorded = wall_ms()
        register("_w_events", pa.table({
            "id": [e.id for e in rows],
            "ts": pa.array([e.ts for e in rows], pa.timestamp("ms")),
            "kind": [e.kind.value for e in rows],
            "subject": [e.subject for e in rows],
            "title": [e.title for e in rows],
            "severity": [e.severity.value for e in rows],
            "attrs": [json.dumps(dict(e.attrs), sort_keys=True, default=str) for e in rows],
            "recorded_at": pa.array([recorded] * len(rows), pa.timestamp("ms")),
        }))
        # The anti-join skips ids already stored without tripping the primary key.
        result = self.con.execute(
            "INSERT INTO events SELECT n.* FROM _w_events n ANTI JOIN events e ON n.id = e.id"
        ).fetchone()
        return int(result[0]) if result else 0

    def _changed_topologies(
        self, snapshots: list[dict[str, Any]]
    ) -> tuple[list[tuple[int, str]], str | None]:
        rows: list[tuple[int, str]] = []
        last = self._last_topology
        for wire in snapshots:
            canon = canonical_topology(wire)
            if canon != last:
                rows.append((int(wire["ts"]), json.dumps(wire, separators=(",", ":"))))
                last = canon
        return rows, last

    def _changed_catalogues(
        self, catalogues: list[dict[str, Any]]
    ) -> tuple[list[tuple[int, str]], str | None]:
        rows: list[tuple[int, str]] = []
        last = self._last_catalogue
        for wire in catalogues:
            canon = canonical_catalogue(wire)
            if canon != last:
                rows.append((int(wire["ts"]), json.dumps(wire, separators=(",", ":"))))
                last = canon
        return rows, last


def canonical_catalogue(wire: Mapping[str, Any]) -> str:
    """A plan catalogue snapshot without its ``ts``, as canonical JSON (to store changes only)."""
    body = {"plans": sorted(wire.get("plans", []), key=lambda p: str(p.get("id"))),
            "active": sorted(wire.get("active", []))}
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def _rollback(con: Any) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass  # the transaction may already be aborted; the caller still holds the data
