"""Incident bundles: one incident's stretch of a history, as one self-contained DuckDB file.

A bundle has the schema of a history store, so ``HistoryReader`` and the replay console read
it unchanged, plus a manifest in ``meta`` (key ``'bundle'``, JSON; see docs/bundles.md).
This module writes bundles (the format itself is ``warroom.store.bundle.format``):

    export_bundle(history, out, incident_id)   # write one (atomically)
    events_carrying_state(events, start_ms)    # what a replay from start_ms needs from before it

Reading and checking them is ``warroom.store.bundle.check`` (``is_bundle``, ``read_manifest``,
``validate_bundle``, ``open_bundle``, ``append_review_notes``); the command line's helpers
(listing incidents, summary lines, a text progress bar) are ``warroom.store.bundle.text``.

A bundle holds the window around the incident and, from before the window, the events a replay
needs to show the state at its start correctly (alerts still active, silences in force,
incidents still live, plan runs still in force) and the last topology and plan catalogue.
"""

from __future__ import annotations

import getpass
import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pyarrow as pa

import warroom
from warroom.core.alerting.alert_log import AlertLog
from warroom.core.alerting.external import is_feed_alert
from warroom.core.clock import wall_ms
from warroom.core.incident.incidents import Incident, IncidentBook
from warroom.core.model import Event, EventKind
from warroom.core.plan.plan_runs import PlanBook
from warroom.store.bundle.check import check_file
from warroom.store.bundle.format import (
    COLUMNS, FAR_FUTURE_MS, FORMAT, FORMAT_VERSION, MANIFEST_KEY, REVIEW_FILTER, BundleError, BundleInfo, Progress,
    close_quietly, first_line, open_file,
)
from warroom.store.bundle.text import describe_incident
from warroom.store.query import HistoryReader
from warroom.store.schema import SchemaError, check_readable, ensure_schema

# The format's names live in bundle.format (shared with bundle.check and bundle.text, which
# import nothing from here); they are imported here too, so ``warroom.store.bundle.BundleError``
# and the rest keep working for callers.
__all__ = [
    "COLUMNS", "DEFAULT_MARGIN_MS", "FAR_FUTURE_MS", "FORMAT", "FORMAT_VERSION", "MANIFEST_KEY", "REVIEW_FILTER",
    "BundleError", "BundleInfo", "Progress", "events_carrying_state", "export_bundle",
]

DEFAULT_MARGIN_MS = 15 * 60_000


# -- export --------------------------------------------------------------------------------

def export_bundle(source: Path, out: Path, incident_id: str, *, before_ms: int = DEFAULT_MARGIN_MS,
                  after_ms: int = DEFAULT_MARGIN_MS, progress: Progress | None = None,
                  overwrite: bool = False, connection: duckdb.DuckDBPyConnection | None = None) -> BundleInfo:
    """Write the bundle of ``incident_id`` from the history (or bundle) ``source`` to ``out``.

    The window runs from the incident's detection minus ``before_ms`` to its verified
    recovery (the end of the history while it is open) plus ``after_ms``, clipped to the
    history. The file is written next to ``out`` under a temporary name and renamed when
    complete, so ``out`` is either the whole bundle or untouched. ``progress(stage,
    fraction)`` is called as it goes. ``BundleError`` says what went wrong.

    ``connection``: a connection (or cursor) to ``source`` this process already holds, for
    instance a ``StoreWriter``'s (``writer.reader().cursor()``): DuckDB lets a process open a
    file only once, so the source is then read through ``connection.cursor()`` instead of
    being opened. It is never closed here, and a writer may keep writing through it: the
    bundle holds what each copy statement saw, and its manifest counts what was copied.
    ``source`` still names the file (the manifest's ``source``, the same-file check).
    """
    source, out = Path(source), Path(out)
    report = progress or (lambda stage, fraction: None)
    if before_ms < 0 or after_ms < 0:
        raise ValueError("before_ms and after_ms must be >= 0")
    if connection is None:
        check_file(source)
    if out.exists() and not overwrite:
        raise BundleError(f"{out}: already exists (choose another name, or overwrite it: --force)")
    if not out.parent.is_dir():
        raise BundleError(f"{out}: the folder {out.parent} does not exist")
    if out.exists() and out.resolve() == source.resolve():
        raise BundleError(f"{out}: is the source itself; write the bundle to another file")
    if connection is None:
        con = open_file(source, read_only=True)
    else:
        try:
            con = connection.cursor()  # our own cursor: it is closed below, the caller's connection never
        except duckdb.Error as exc:
            raise BundleError(f"{source}: cannot read it through the given connection: {first_line(exc)}") from exc
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        report("reading events", 0.0)
        try:
            check_readable(con)
        except SchemaError as exc:
            raise BundleError(f"{source}: {exc}") from None
        events = HistoryReader(con).events(0, FAR_FUTURE_MS)
        book = IncidentBook.replay(events)
        inc = _find(book, incident_id, source)
        start, end = _window(con, events, inc, before_ms, after_ms)
        keep = {e.id: e for e in events_carrying_state(events, start)}
        keep.update((e.id, e) for e in _own_record(events, inc))
        carried = sorted(i for i, e in keep.items() if not start <= e.ts < end)
        _unlink(tmp)
        _create(tmp)
        con.execute(f"ATTACH '{_sql_text(tmp)}' AS bundle_out (READ_WRITE)")
        try:
            _copy(con, start, end, carried, report)
            report("manifest", 0.95)
            manifest = _manifest(con, source, inc, start, end, len(carried))
            con.execute("INSERT INTO bundle_out.meta VALUES (?, ?)", [MANIFEST_KEY, json.dumps(manifest)])
            con.execute("CHECKPOINT bundle_out")
        finally:
            con.execute("DETACH bundle_out")
        con.close()
        if Path(f"{tmp}.wal").exists():  # everything must be in the one file before it is renamed
            raise BundleError(f"{out}: DuckDB left a write-ahead log after the checkpoint; not renaming")
        _fsync(tmp)
        os.replace(tmp, out)
    except BaseException as exc:
        close_quietly(con)
        _unlink(tmp)
        if isinstance(exc, (duckdb.Error, OSError)):
            raise BundleError(f"{out}: cannot write the bundle: {first_line(exc)}") from exc
        raise
    report("done", 1.0)
    return BundleInfo.from_manifest(out, manifest)


def events_carrying_state(events: Iterable[Event], start_ms: int) -> list[Event]:
    """The events before ``start_ms`` that a replay starting there needs to show the state.

    Alerts still active at ``start_ms`` (every event of their current episode), silences in
    force or scheduled, incidents still live (their whole timeline), and plan runs still in
    force (their audit events and the feed's plan events since they were confirmed).
    """
    before = sorted((e for e in events if e.ts < start_ms), key=lambda e: e.ts)
    keep: dict[str, Event] = {}
    alerts = AlertLog.replay(before)
    episodes: dict[str, list[Event]] = {}
    for e in before:
        # The console's transitions only (as AlertLog): another system's report of the alert
        # shares its fingerprint, and its resolve at endsAt would end the episode early.
        fp = e.attrs.get("fingerprint") if e.kind is EventKind.ALERT and not is_feed_alert(e) else None
        if isinstance(fp, str):
            if e.attrs.get("state") == "resolved":
                episodes.pop(fp, None)
            else:
                episodes.setdefault(fp, []).append(e)
    for a in alerts.alerts():
        keep.update((e.id, e) for e in episodes.get(a.fingerprint, ()))
    silences = {s.id for s in alerts.silences(start_ms)}
    keep.update((e.id, e) for e in before
                if e.kind is EventKind.SILENCE and str(e.attrs.get("silence") or e.subject) in silences)
    for inc in IncidentBook.replay(before).incidents(live_only=True):
        keep.update((e.id, e) for e in inc.timeline)
        keep.update((e.id, e) for e in before if e.attrs.get("incident") == inc.id)
    for run in PlanBook.replay(before).runs():
        if run.live:
            keep.update((e.id, e) for e in before if e.kind is EventKind.PLAN_EXECUTION and (
                e.attrs.get("run") == run.id or (not e.attrs.get("audit") and e.ts >= run.confirmed_ms
                                                 and e.attrs.get("plan_id", e.subject) == run.plan_id)))
    return sorted(keep.values(), key=lambda e: (e.ts, e.id))


def _find(book: IncidentBook, incident_id: str, source: Path) -> Incident:
    held = book.incidents()[::-1]  # newest first: the one wanted is most likely recent
    for inc in held:
        if inc.id == incident_id:
            if inc.merged_into:  # its story goes on in the survivor's timeline
                raise BundleError(f"{source}: incident {incident_id} was merged into {inc.merged_into}; "
                                  "export that one")
            return inc
    listing = "; ".join(describe_incident(i) for i in held[:5]) if held else "none"
    if len(held) > 5:
        listing += f"; and {len(held) - 5} older (`warroom export --db FILE` lists them all)"
    raise BundleError(f"{source}: no incident {incident_id!r}; it holds: {listing}")


def _own_record(events: list[Event], inc: Incident) -> list[Event]:
    """The incident's whole record, even outside the window: its timeline (changes shortly
    before it started) and its incident events and notes (an owner set during the review)."""
    return [*inc.timeline, *(e for e in events if e.attrs.get("incident") == inc.id)]


def _window(con: duckdb.DuckDBPyConnection, events: list[Event], inc: Incident, before_ms: int,
            after_ms: int) -> tuple[int, int]:
    lo, hi = con.execute("SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM points").fetchone()
    stamps = [t for t in (lo, hi, *(e.ts for e in events[:1] + events[-1:])) if t is not None]
    first, last = (min(stamps), max(stamps)) if stamps else (inc.detected_ms, inc.detected_ms)
    closed = None if inc.live else (inc.verified_ms or inc.resolved_ms)
    start = max((inc.detected_ms or inc.started_ms) - before_ms, first)
    # Half-open like every range in the store; + 1 keeps the closing instant (the verification) in.
    end = min((last if closed is None else closed) + after_ms + 1, last + 1)
    return start, max(end, start + 1)


def _create(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
    finally:
        con.close()


def _copy(con: duckdb.DuckDBPyConnection, start: int, end: int, carried: list[str], report: Progress) -> None:
    """Copy the window into ``bundle_out``: points in time chunks (progress, bounded memory)."""
    win = [int(start), int(end)]
    span = end - start
    n = max(1, min(100, math.ceil(span / 60_000)))
    edges = [start + span * i // n for i in range(n + 1)]
    for i in range(n):
        _copy_points(con, edges[i], edges[i + 1])
        report("points", 0.05 + 0.8 * (i + 1) / n)
    report("series and events", 0.86)
    con.execute("INSERT INTO bundle_out.series SELECT * FROM series WHERE series_id IN"
                " (SELECT DISTINCT series_id FROM bundle_out.points) ORDER BY series_id")
    in_window = "ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT)"
    con.execute(f"INSERT INTO bundle_out.events SELECT * FROM events WHERE {in_window} ORDER BY ts, id", win)
    if carried:
        cur = con.cursor()  # a registered table needs a connection without a pending result
        try:
            cur.register("_bundle_carried", pa.table({"id": pa.array(carried, pa.string())}))
            cur.execute("INSERT INTO bundle_out.events SELECT * FROM events WHERE id IN"
                        f" (SELECT id FROM _bundle_carried) AND NOT ({in_window}) ORDER BY ts, id", win)
        finally:
            cur.close()
    report("snapshots", 0.9)
    for table in ("topology_snapshots", "plan_catalogues"):
        if _has_table(con, table):  # v1 histories have no plan catalogues
            con.execute(f"INSERT INTO bundle_out.{table} SELECT * FROM ("
                        f"(SELECT * FROM {table} WHERE ts < epoch_ms(?::BIGINT) ORDER BY ts DESC LIMIT 1)"
                        f" UNION ALL (SELECT * FROM {table} WHERE {in_window})) ORDER BY ts", [win[0], *win])


def _copy_points(con: duckdb.DuckDBPyConnection, start: int, end: int) -> None:
    """One time chunk of points. The source's row order (time order within each flush) is
    kept: it keeps the bundle's ts zonemaps tight, and sorting made the file no smaller."""
    con.execute("INSERT INTO bundle_out.points SELECT * FROM points WHERE ts >= epoch_ms(?::BIGINT)"
                " AND ts < epoch_ms(?::BIGINT)", [int(start), int(end)])


def _manifest(con: duckdb.DuckDBPyConnection, source: Path, inc: Incident, start: int, end: int,
              carried: int) -> dict[str, Any]:
    counts = {t: int(con.execute(f"SELECT count(*) FROM bundle_out.{t}").fetchone()[0]) for t in COLUMNS}
    counts["events"] -= _review_notes(con, "bundle_out.events")
    lo, hi = con.execute("SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM bundle_out.points").fetchone()
    source_is_bundle = con.execute("SELECT count(*) FROM meta WHERE key = ?", [MANIFEST_KEY]).fetchone()[0] > 0
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "incident": {"id": inc.id, "title": inc.title, "severity": inc.severity.value, "state": inc.state,
                     "root_cause": inc.root_cause, "started_ms": inc.started_ms, "detected_ms": inc.detected_ms,
                     "resolved_ms": inc.resolved_ms, "verified_ms": inc.verified_ms},
        "window": {"start_ms": start, "end_ms": end},
        "created_at": datetime.fromtimestamp(wall_ms() / 1000, timezone.utc).isoformat(timespec="seconds"),
        "created_by": _login(), "warroom_version": warroom.__version__, "duckdb_version": duckdb.__version__,
        "source": source.name, "source_kind": "bundle" if source_is_bundle else "history",
        "counts": counts, "points_ts": {"min_ms": lo, "max_ms": hi}, "carried_events": carried,
    }


# -- helpers ---------------------------------------------------------------------------------

def _review_notes(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table} WHERE {REVIEW_FILTER}").fetchone()[0])


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
                       " AND table_catalog = current_database() AND table_name = ?", [name]).fetchone()[0] > 0


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers; the manifest still needs one
        return "unknown"


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _unlink(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
