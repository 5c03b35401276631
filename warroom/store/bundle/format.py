"""The incident bundle format, shared by writing (``bundle``), checking (``bundle.check``) and
the command line's helpers (``bundle.text``): names, the manifest's ``BundleInfo``, the one error
type, and opening a DuckDB file with errors that say what they mean.

Imports point one way: ``bundle`` -> ``bundle.text`` -> ``bundle.check`` -> ``bundle.format``;
this module imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import duckdb

FORMAT = "warroom-bundle"
#: The manifest layout this code writes; it reads this one and older ones.
FORMAT_VERSION = 1
MANIFEST_KEY = "bundle"
#: 2100-01-01: an ``end_ms`` that means "everything" to ``HistoryReader.events``.
FAR_FUTURE_MS = 4_102_444_800_000
#: Tables of a bundle and the columns that are read (hashed) to verify every block.
COLUMNS = {
    "series": "series_id, name, labels, key",
    "points": "series_id, ts, value",
    "events": "id, ts, kind, subject, title, severity, attrs, recorded_at",
    "topology_snapshots": "ts, snapshot",
    "plan_catalogues": "ts, snapshot",
}
#: SQL that selects the review notes among a bundle's events.
REVIEW_FILTER = "kind = 'note' AND json_extract_string(attrs, '$.review') = 'true'"

#: ``progress(stage, fraction)``: how export and validation report how far they are.
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


def open_file(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that fails with a ``BundleError`` saying what the DuckDB error means."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise damaged(path, exc) from exc


def damaged(path: Path, exc: BaseException) -> BundleError:
    """A DuckDB error as one line that says what it means for the user."""
    text = first_line(exc)
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


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (its type if it has none)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection, ignoring DuckDB's complaints."""
    try:
        con.close()
    except duckdb.Error:
        pass  # after a fatal DuckDB error even close() may complain; the file is closed regardless
