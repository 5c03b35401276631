"""Incident bundles on the command line: listing a history's incidents, one-line summaries,
finding the recording that holds an incident, and a text progress bar for ``warroom export``.

The format and the export are ``warroom.store.bundle``; reading and checking bundles is
``warroom.store.bundle.check``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb

from warroom.core.incident.incidents import Incident, IncidentBook
from warroom.store.bundle.check import check_file
from warroom.store.bundle.format import (
    FAR_FUTURE_MS,
    BundleError,
    BundleInfo,
    first_line,
    open_file,
)
from warroom.store.query import HistoryReader

# The platform's local time (the war room is in China), shown beside UTC.
_UTC8 = timezone(timedelta(hours=8), "UTC+8")


def list_incidents(path: Path) -> list[Incident]:
    """The incidents a history (or bundle) holds, by detection time."""
    check_file(Path(path))
    con = open_file(Path(path), read_only=True)
    try:
        return IncidentBook.replay(HistoryReader(con).events(0, FAR_FUTURE_MS)).incidents()
    except duckdb.Error as exc:
        raise BundleError(f"{path}: cannot read its events: {first_line(exc)}") from exc
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
            con = open_file(f, read_only=True)
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

