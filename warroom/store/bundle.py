"""Incident bundles: one incident's stretch of a history, as one self-contained DuckDB file.

A bundle has the schema of a history store, so ``HistoryReader`` and the replay console read
it unchanged, plus a manifest in ``meta`` (key ``'bundle'``, JSON; see docs/bundles.md):

    export_bundle(history, out, incident_id)   # write one (atomically)
    is_bundle(path) / read_manifest(path)      # what a file is, cheaply
    validate_bundle(path) -> BundleInfo        # read everything, in a child process
    open_bundle(path, writable=True)           # a connection for HistoryReader and review notes
    append_review_notes(con_or_path, notes)    # notes written during a replay

It holds the window around the incident and, from before the window, the events a replay
needs to show the state at its start correctly (alerts still active, silences in force,
incidents still live, plan runs still in force) and the last topology and plan catalogue.
"""

from __future__ import annotations

import getpass
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

import duckdb
import pyarrow as pa

import warroom
from warroom.core.alert_log import AlertLog
from warroom.core.clock import wall_ms
from warroom.core.incidents import Incident, IncidentBook
from warroom.core.model import Event, EventKind
from warroom.core.paths import is_frozen
from warroom.core.plan_runs import PlanBook
from warroom.store.query import HistoryReader
from warroom.store.schema import READABLE_VERSIONS, SchemaError, check_readable, ensure_schema

FORMAT = "warroom-bundle"
#: The manifest layout this code writes; it reads this one and older ones.
FORMAT_VERSION = 1
MANIFEST_KEY = "bundle"
#: 2100-01-01: an ``end_ms`` that means "everything" to ``HistoryReader.events``.
FAR_FUTURE_MS = 4_102_444_800_000
DEFAULT_MARGIN_MS = 15 * 60_000
#: Tables of a bundle and the columns that are read (hashed) to verify every block.
COLUMNS = {
    "series": "series_id, name, labels, key",
    "points": "series_id, ts, value",
    "events": "id, ts, kind, subject, title, severity, attrs, recorded_at",
    "topology_snapshots": "ts, snapshot",
    "plan_catalogues": "ts, snapshot",
}
_REVIEW = "kind = 'note' AND json_extract_string(attrs, '$.review') = 'true'"
# DuckDB's file layout: a 4 KiB main header ("DUCK" at byte 8) and two 4 KiB database headers.
_MAGIC, _HEADERS = b"DUCK", 3 * 4096
_UTC8 = timezone(timedelta(hours=8), "UTC+8")

Progress = Callable[[str, float], None]


class BundleError(ValueError):
    """A bundle cannot be written, or a file is not a usable bundle. One line: file and problem."""


@dataclass(frozen=True)
class BundleInfo:
    """What a bundle holds, from its manifest (and, after validation, checked against the file).

    ``start_ms``/``end_ms`` is the half-open window ``[start, end)`` of points and events;
    ``counts`` has the rows per table (``events`` without review notes); ``carried_events``
    of those lie outside the window (state from before it, the incident's own record).
    ``review_notes`` are the notes appended after export (``attrs["review"] = True``).
    """

    path: Path
    format_version: int
    incident_id: str
    incident_title: str
    start_ms: int
    end_ms: int
    created_at: str
    created_by: str
    warroom_version: str
    duckdb_version: str
    source: str
    counts: dict[str, int]
    points_min_ms: int | None
    points_max_ms: int | None
    carried_events: int
    review_notes: int
    size_bytes: int
    manifest: dict[str, Any] = field(repr=False)

    @classmethod
    def from_manifest(cls, path: Path, manifest: dict[str, Any], review_notes: int = 0) -> "BundleInfo":
        """The info of the bundle at ``path`` with this manifest."""
        inc, win, pts = manifest.get("incident", {}), manifest.get("window", {}), manifest.get("points_ts", {})
        return cls(
            Path(path), int(manifest["format_version"]), str(inc.get("id", "")), str(inc.get("title", "")),
            int(win.get("start_ms", 0)), int(win.get("end_ms", 0)), str(manifest.get("created_at", "")),
            str(manifest.get("created_by", "")), str(manifest.get("warroom_version", "")),
            str(manifest.get("duckdb_version", "")), str(manifest.get("source", "")),
            {k: int(v) for k, v in manifest.get("counts", {}).items()}, pts.get("min_ms"), pts.get("max_ms"),
            int(manifest.get("carried_events", 0)), review_notes, Path(path).stat().st_size, manifest)


# -- export --------------------------------------------------------------------------------

def export_bundle(source: Path, out: Path, incident_id: str, *, before_ms: int = DEFAULT_MARGIN_MS,
                  after_ms: int = DEFAULT_MARGIN_MS, progress: Progress | None = None,
                  overwrite: bool = False) -> BundleInfo:
    """Write the bundle of ``incident_id`` from the history (or bundle) ``source`` to ``out``.

    The window runs from the incident's detection minus ``before_ms`` to its verified
    recovery (the end of the history while it is open) plus ``after_ms``, clipped to the
    history. The file is written next to ``out`` under a temporary name and renamed when
    complete, so ``out`` is either the whole bundle or untouched. ``progress(stage,
    fraction)`` is called as it goes. ``BundleError`` says what went wrong.
    """
    source, out = Path(source), Path(out)
    report = progress or (lambda stage, fraction: None)
    if before_ms < 0 or after_ms < 0:
        raise ValueError("before_ms and after_ms must be >= 0")
    check_file(source)
    if out.exists() and not overwrite:
        raise BundleError(f"{out}: already exists (choose another name, or overwrite it: --force)")
    if not out.parent.is_dir():
        raise BundleError(f"{out}: the folder {out.parent} does not exist")
    if out.exists() and out.resolve() == source.resolve():
        raise BundleError(f"{out}: is the source itself; write the bundle to another file")
    con = _open(source, read_only=True)
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
        _close_quietly(con)
        _unlink(tmp)
        if isinstance(exc, (duckdb.Error, OSError)):
            raise BundleError(f"{out}: cannot write the bundle: {_first_line(exc)}") from exc
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
        fp = e.attrs.get("fingerprint") if e.kind is EventKind.ALERT else None
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


def list_incidents(path: Path) -> list[Incident]:
    """The incidents a history (or bundle) holds, by detection time."""
    check_file(Path(path))
    con = _open(Path(path), read_only=True)
    try:
        return IncidentBook.replay(HistoryReader(con).events(0, FAR_FUTURE_MS)).incidents()
    except duckdb.Error as exc:
        raise BundleError(f"{path}: cannot read its events: {_first_line(exc)}") from exc
    finally:
        con.close()


def describe_incident(inc: Incident) -> str:
    """One line about an incident for people in the war room: id, time (UTC+8 and UTC), state, title."""
    return (f"{inc.id}  {format_ms(inc.detected_ms)}  {inc.state:<12}  root cause {inc.root_cause or '?'}:"
            f"  {inc.title}")


def format_ms(ms: int) -> str:
    """``2024-11-11 10:32:20 UTC+8 (02:32:20 UTC)``: the platform's local time and UTC."""
    t = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return f"{t.astimezone(_UTC8):%Y-%m-%d %H:%M:%S} UTC+8 ({t:%H:%M:%S} UTC)"


def find_history(folder: Path, incident_id: str | None = None) -> Path:
    """The newest ``*.duckdb`` in ``folder`` that holds ``incident_id`` (the newest at all if None)."""
    files = sorted(Path(folder).glob("*.duckdb"), key=lambda f: f.stat().st_mtime, reverse=True)
    if not files:
        raise BundleError(f"{folder}: no recordings (*.duckdb) here; name the history with --db")
    if incident_id is None:
        return files[0]
    busy = []
    for f in files:
        try:
            check_file(f)
            con = _open(f, read_only=True)
        except BundleError as exc:
            busy += [f.name] if "in use" in str(exc) else []
            continue
        try:
            if con.execute("SELECT count(*) FROM events WHERE kind = 'incident' AND"
                           " json_extract_string(attrs, '$.incident') = ?", [incident_id]).fetchone()[0]:
                return f
        except duckdb.Error:
            pass  # not a history: look further
        finally:
            con.close()
    hint = f"; in use by a running console, not searched: {', '.join(busy)} (stop it or copy the file)" if busy else ""
    raise BundleError(f"{folder}: no recording holds incident {incident_id!r}{hint}")


def describe_bundle(info: BundleInfo, seconds: float | None = None) -> str:
    """One summary line: file, size, window, counts (and the time taken, if given)."""
    c = info.counts
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    return (f"{info.path} ({info.size_bytes / 1e6:.1f} MB){took}: incident {info.incident_id}, "
            f"{format_ms(info.start_ms)} .. {format_ms(info.end_ms)} "
            f"({(info.end_ms - info.start_ms) / 60_000:.1f} min), {c.get('points', 0):,} points of "
            f"{c.get('series', 0)} series, {c.get('events', 0)} events ({info.carried_events} from outside the "
            f"window), {c.get('topology_snapshots', 0)} topology snapshots, "
            f"{c.get('plan_catalogues', 0)} plan catalogues")


class TextProgress:
    """A ``progress`` callback drawing a text bar on ``stream``: redrawn in place on a terminal,
    otherwise one line per stage (logs and pipes should not fill with carriage returns)."""

    def __init__(self, stream: Any, label: str = "export") -> None:
        self._stream, self._label = stream, label
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._stage: str | None = None

    def __call__(self, stage: str, fraction: float) -> None:
        if self._tty:
            done = int(max(0.0, min(1.0, fraction)) * 30)
            self._stream.write(f"\r{self._label} [{'#' * done}{'.' * (30 - done)}] {fraction:4.0%} {stage:<18}")
        elif stage != self._stage:
            self._stream.write(f"{self._label}: {stage} ({fraction:.0%})\n")
        self._stream.flush()
        self._stage = stage

    def close(self) -> None:
        """End the bar's line (on a terminal)."""
        if self._tty and self._stage is not None:
            self._stream.write("\n")
            self._stream.flush()
        self._stage = None


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


# -- reading and validation ----------------------------------------------------------------

def check_file(path: Path) -> None:
    """The checks that need no DuckDB: the file exists, is not empty, starts like a DuckDB
    file and is at least as long as its header says. ``BundleError`` otherwise."""
    path = Path(path)
    if not path.exists():
        raise BundleError(f"{path}: no such file")
    if path.is_dir():
        raise BundleError(f"{path}: is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise BundleError(f"{path}: empty file (0 bytes)")
    with path.open("rb") as f:
        head = f.read(_HEADERS)
    if head[8:12] != _MAGIC:
        kind = "it looks like text" if _is_text(head[:512]) else f"it starts with {head[:12]!r}"
        raise BundleError(f"{path}: not a DuckDB file ({kind})")
    if size < _HEADERS:
        raise BundleError(f"{path}: truncated ({size} bytes, shorter than DuckDB's {_HEADERS}-byte header)")
    expected = _expected_size(head)
    if expected is not None and size < expected:
        raise BundleError(f"{path}: truncated ({size:,} bytes; its header says {expected:,})")


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the bundle at ``path`` (any format_version); ``BundleError`` if it has none."""
    check_file(Path(path))
    con = _open(Path(path), read_only=True)
    try:
        return _read_manifest(con, Path(path))
    except duckdb.Error as exc:
        raise _damaged(Path(path), exc) from exc
    finally:
        _close_quietly(con)


def is_bundle(path: Path) -> bool:
    """True if ``path`` is a DuckDB file with a bundle manifest (a plain history is not).

    Cheap: reads the header and the manifest only; ``validate_bundle`` reads everything.
    """
    try:
        read_manifest(Path(path))
        return True
    except BundleError:
        return False


def validate_bundle(path: Path, progress: Progress | None = None, *, isolated: bool | None = None,
                    timeout: float | None = None) -> BundleInfo:
    """Read the whole bundle, so DuckDB verifies every block's checksum, and check it against
    its manifest. Returns its ``BundleInfo``; raises ``BundleError`` naming file and problem.

    DuckDB runs in a child process (``isolated``, the default except in a frozen build), so
    a file that makes DuckDB fail fatally, exhaust memory or crash costs only the child.
    Review notes (events with ``attrs["review"] = True``) are not counted against the
    manifest. Call it before opening the bundle: a connection open for writing locks it.
    """
    path = Path(path)
    check_file(path)
    if isolated is None:
        isolated = not is_frozen()  # a frozen build's executable cannot run ``-c``
    manifest, review = _judge(path, _read_tables(path, progress, isolated, timeout))
    try:
        return BundleInfo.from_manifest(path, manifest, review)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"{path}: the bundle manifest is malformed ({type(exc).__name__}: {exc})") from None


def open_bundle(path: Path, *, writable: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the bundle for ``HistoryReader(con)``; ``writable`` to append
    review notes through it (``append_review_notes(con, ...)``). Checks the manifest only."""
    path = Path(path)
    check_file(path)
    con = _open(path, read_only=not writable)
    try:
        check_readable(con)
        _read_manifest(con, path)
    except (SchemaError, duckdb.Error, BundleError) as exc:
        _close_quietly(con)
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"{path}: {_first_line(exc)}") from exc
    return con


def append_review_notes(target: Path | duckdb.DuckDBPyConnection, notes: Iterable[Event]) -> int:
    """Append notes written while replaying the bundle; returns how many were new.

    Each must be a ``note`` event; it is stored with ``attrs["review"] = True`` so that
    validation does not count it against the manifest. An id already stored is skipped,
    as everywhere in the event log. ``target`` is an open writable connection
    (``open_bundle(path, writable=True)``) or a path (opened and closed here).
    """
    rows = list(notes)
    for n in rows:
        if n.kind is not EventKind.NOTE:
            raise ValueError(f"review notes must be note events, not {n.kind.value} ({n.id})")
    con = open_bundle(Path(target), writable=True) if isinstance(target, (str, Path)) else target
    cur = con.cursor()  # its own: the caller's connection may hold an unfinished result (DuckDB 2.0 refuses then)
    try:
        if not rows:
            return 0
        cur.register("_review_notes", pa.table({
            "id": [n.id for n in rows],
            "ts": pa.array([n.ts for n in rows], pa.timestamp("ms")),
            "kind": [n.kind.value for n in rows], "subject": [n.subject for n in rows],
            "title": [n.title for n in rows], "severity": [n.severity.value for n in rows],
            "attrs": [json.dumps({**n.attrs, "review": True}, sort_keys=True, default=str) for n in rows],
            "recorded_at": pa.array([wall_ms()] * len(rows), pa.timestamp("ms")),
        }))
        cur.execute("BEGIN")
        try:
            added = cur.execute("INSERT INTO events SELECT n.* FROM (SELECT DISTINCT ON (id) * FROM _review_notes) n"
                                " ANTI JOIN events e ON n.id = e.id").fetchall()[0][0]
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return int(added)
    finally:
        cur.close()
        if con is not target:
            con.close()


# DuckDB's part of validation, as a self-contained script: the child imports nothing but
# duckdb (it starts in a fifth of the time warroom.store takes to import), and a file that
# crashes DuckDB takes only the child down. In-process validation execs the same text.
_READER = r"""
import json, sys
import duckdb

def read(path, columns, review, emit):
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        return {"error": str(exc)}
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables"
                  " WHERE table_schema = 'main' AND table_catalog = current_database()").fetchall()}
        out = {"tables": sorted(tables), "counts": {}, "review_notes": 0, "points_span": None,
               "meta": dict(con.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else None}
        for i, (table, cols) in enumerate(columns.items()):
            emit(table, i / len(columns))
            if table in tables:  # hashing every column reads every block: DuckDB checks each checksum
                out["counts"][table] = con.execute(f"SELECT count(*), sum(hash({cols})) FROM {table}").fetchone()[0]
        if "events" in tables:
            out["review_notes"] = con.execute(f"SELECT count(*) FROM events WHERE {review}").fetchone()[0]
        if "points" in tables:
            out["points_span"] = list(con.execute("SELECT epoch_ms(min(ts)), epoch_ms(max(ts)) FROM points").fetchone())
        emit("done", 1.0)
        return out
    except duckdb.Error as exc:
        return {"error": str(exc)}
    finally:
        try:
            con.close()
        except duckdb.Error:
            pass

if __name__ == "__main__":
    emit = lambda stage, fraction: print(json.dumps(["progress", stage, fraction]), flush=True)
    print(json.dumps(["result", read(sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], emit)]), flush=True)
"""


def _read_tables(path: Path, progress: Progress | None, isolated: bool, timeout: float | None) -> dict[str, Any]:
    """Run ``_READER`` on the file, in a child process or here; return what it found."""
    report = progress or (lambda stage, fraction: None)
    if not isolated:
        ns: dict[str, Any] = {"__name__": "warroom_bundle_reader"}
        exec(compile(_READER, "<bundle reader>", "exec"), ns)  # noqa: S102 - our own constant text
        return ns["read"](str(path), COLUMNS, _REVIEW, report)
    result = None
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", _READER, str(path), json.dumps(COLUMNS), _REVIEW],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        try:
            if timer:
                timer.start()
            for line in proc.stdout:  # type: ignore[union-attr]
                try:
                    tag, *rest = json.loads(line)
                except ValueError:
                    continue  # not ours (a library printing to stdout)
                if tag == "progress":
                    report(rest[0], float(rest[1]))
                elif tag == "result":
                    result = rest[0]
            status = proc.wait()
        finally:
            if timer:
                timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-1:]
    if result is not None and status == 0:
        return result
    if status < 0:
        how = "was stopped after the time limit" if timer and status == -9 else f"crashed (signal {-status})"
        raise BundleError(f"{path}: DuckDB {how} while reading it: the file is damaged")
    raise BundleError(f"{path}: the check failed (exit status {status}){': ' + tail[0] if tail else ''}")


def _judge(path: Path, found: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """What the reader found, against the manifest: (manifest, review notes) or ``BundleError``."""
    if "error" in found:
        raise _damaged(path, RuntimeError(found["error"]))
    meta = found["meta"]
    version = (meta or {}).get("schema_version")
    version = int(version) if isinstance(version, str) and version.isdigit() else None
    if version not in READABLE_VERSIONS:
        raise BundleError(f"{path}: " + ("not a Warroom store (no schema_version)" if version is None else
                                         f"store schema v{version}, this Warroom reads v{READABLE_VERSIONS[0]}"
                                         f"..v{READABLE_VERSIONS[-1]}"))
    manifest = _parse_manifest(path, meta.get(MANIFEST_KEY), has_meta=True)
    fv = manifest.get("format_version")
    if not isinstance(fv, int) or not 1 <= fv <= FORMAT_VERSION:
        raise BundleError(f"{path}: bundle format_version {fv!r} is not supported (this Warroom reads "
                          f"1..{FORMAT_VERSION}; a newer Warroom wrote it?)")
    missing = [t for t in COLUMNS if t not in found["tables"]]
    if missing:
        raise BundleError(f"{path}: table(s) missing: {', '.join(missing)}")
    counts, review = dict(found["counts"]), int(found["review_notes"])
    counts["events"] -= review
    expected = manifest.get("counts") or {}
    wrong = [f"{t} {counts.get(t)} (manifest: {n})" for t, n in expected.items() if counts.get(t) != n]
    span, want = found["points_span"], manifest.get("points_ts") or {}
    if span != [want.get("min_ms"), want.get("max_ms")]:
        wrong.append(f"points span {span} (manifest: {[want.get('min_ms'), want.get('max_ms')]})")
    if wrong or not expected:
        raise BundleError(f"{path}: rows disagree with the manifest: {', '.join(wrong) or 'it has no counts'}")
    return manifest, review


# -- helpers -------------------------------------------------------------------------------

def _open(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise _damaged(path, exc) from exc


def _read_manifest(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, Any]:
    has_meta = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
                           " AND table_name = 'meta' AND table_catalog = current_database()").fetchone()[0]
    row = con.execute("SELECT value FROM meta WHERE key = ?", [MANIFEST_KEY]).fetchone() if has_meta else None
    return _parse_manifest(path, row[0] if row else None, has_meta=bool(has_meta))


def _parse_manifest(path: Path, text: str | None, *, has_meta: bool) -> dict[str, Any]:
    if text is None:
        what = "a Warroom history" if has_meta else "a DuckDB file but not a Warroom store"
        raise BundleError(f"{path}: not an incident bundle ({what} without a bundle manifest; "
                          "make one with `warroom export`)")
    try:
        manifest = json.loads(text)
    except ValueError:
        raise BundleError(f"{path}: the bundle manifest is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        what = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise BundleError(f"{path}: unknown manifest format {what!r} (expected {FORMAT!r})")
    return manifest


def _damaged(path: Path, exc: BaseException) -> BundleError:
    """A DuckDB error as one line that says what it means for the user."""
    text = _first_line(exc)
    low = text.lower()
    if "could not set lock" in low or "different configuration" in low:
        what = ("in use by a running console or recorder (it holds the lock): stop it, or copy the file "
                "and use the copy")
    elif "could not read enough bytes" in low or "could not read all bytes" in low:
        what = "truncated (a block lies past the end of the file)"
    elif "checksum" in low or "corrupt" in low:
        what = "corrupted (a block failed DuckDB's checksum or is inconsistent)"
    elif "storage version" in low:
        what = "written by a DuckDB this Warroom cannot read"
    else:
        what = "damaged or unreadable"
    return BundleError(f"{path}: {what}: {text}")


def _expected_size(head: bytes) -> int | None:
    """The file size DuckDB's newer database header implies, or None if it cannot be read.

    Each database header: checksum, iteration, meta block, free list, block count, block
    allocation size (all u64). Only used to say "truncated" early and plainly; DuckDB
    still checks everything itself.
    """
    best = None
    for off in (4096, 8192):
        _, iteration, _, _, count, alloc = struct.unpack_from("<6Q", head, off)
        if alloc & (alloc - 1) == 0 and 4096 <= alloc <= 1 << 28 and count < 1 << 32:
            if best is None or iteration > best[0]:
                best = (iteration, _HEADERS + count * alloc)
    return None if best is None else best[1]


def _review_notes(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table} WHERE {_REVIEW}").fetchone()[0])


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'"
                       " AND table_catalog = current_database() AND table_name = ?", [name]).fetchone()[0] > 0


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in data


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers; the manifest still needs one
        return "unknown"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass  # after a fatal DuckDB error even close() may complain; the file is closed regardless


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
