"""Reading and checking incident bundles (the format is ``bundle.format``, the export ``bundle``).

    is_bundle(path) / read_manifest(path)      # what a file is, cheaply
    validate_bundle(path) -> BundleInfo        # read everything, in a child process
    open_bundle(path, writable=True)           # a connection for HistoryReader and review notes
    append_review_notes(con_or_path, notes)    # notes written during a replay

Validation runs DuckDB in a child process (``child_command``): ``python -c`` with a small
reader script, or, in a frozen build, the ``warroom`` executable itself with
``--bundle-check-child`` (``warroom.cli.main`` hands that to ``run_child``).
"""

from __future__ import annotations

import json
import logging
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pyarrow as pa

from warroom.core.clock import wall_ms
from warroom.core.model import Event, EventKind
from warroom.store.bundle.format import (
    COLUMNS, FORMAT, FORMAT_VERSION, MANIFEST_KEY, REVIEW_FILTER, BundleError, BundleInfo, Progress, close_quietly,
    damaged, first_line, open_file,
)
from warroom.store.schema import READABLE_VERSIONS, SchemaError, check_readable

log = logging.getLogger(__name__)

#: The first argument that makes the frozen ``warroom`` executable the validating child.
CHILD_FLAG = "--bundle-check-child"
# DuckDB's file layout: a 4 KiB main header ("DUCK" at byte 8) and two 4 KiB database headers.
_MAGIC, _HEADERS = b"DUCK", 3 * 4096


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
    con = open_file(Path(path), read_only=True)
    try:
        return _read_manifest(con, Path(path))
    except duckdb.Error as exc:
        raise damaged(Path(path), exc) from exc
    finally:
        close_quietly(con)


def is_bundle(path: Path) -> bool:
    """True if ``path`` is a DuckDB file with a bundle manifest (a plain history is not).

    Cheap: reads the header and the manifest only; ``validate_bundle`` reads everything.
    """
    try:
        read_manifest(Path(path))
        return True
    except BundleError:
        return False


def validate_bundle(path: Path, progress: Progress | None = None, *, isolated: bool = True,
                    timeout: float | None = None) -> BundleInfo:
    """Read the whole bundle, so DuckDB verifies every block's checksum, and check it against
    its manifest. Returns its ``BundleInfo``; raises ``BundleError`` naming file and problem.

    DuckDB runs in a child process (``isolated``, ``child_command``; in a frozen build too),
    so a file that makes DuckDB fail fatally, exhaust memory or crash costs only the child;
    ``timeout`` (seconds) stops a child that hangs. Only if the child cannot be started at
    all does the check run in this process. Review notes (events with
    ``attrs["review"] = True``) are not counted against the manifest. Call it before opening
    the bundle: a connection open for writing locks it.
    """
    path = Path(path)
    check_file(path)
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
    con = open_file(path, read_only=not writable)
    try:
        check_readable(con)
        _read_manifest(con, path)
    except (SchemaError, duckdb.Error, BundleError) as exc:
        close_quietly(con)
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"{path}: {first_line(exc)}") from exc
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


# DuckDB's part of validation, as a self-contained script: run by ``python -c``, the child
# imports nothing but duckdb (it starts in a fifth of the time warroom.store takes to import),
# and a file that crashes DuckDB takes only the child down. ``run_child`` (the frozen build's
# child) and in-process validation exec the same text.
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

def main(args):
    emit = lambda stage, fraction: print(json.dumps(["progress", stage, fraction]), flush=True)
    print(json.dumps(["result", read(args[0], json.loads(args[1]), args[2], emit)]), flush=True)

if __name__ == "__main__":
    main(sys.argv[1:])
"""


def child_command() -> list[str]:
    """The command that starts the validating child, without its arguments (FILE COLUMNS REVIEW).

    In a Python interpreter, ``[python, "-c", reader script]``. In a frozen build
    (``sys.frozen``, PyInstaller), ``sys.executable`` is the ``warroom`` executable, which
    cannot run ``-c``: ``[warroom, "--bundle-check-child"]``, served by ``run_child``.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG]
    return [sys.executable, "-c", _READER]


def run_child(args: list[str]) -> int:
    """Be the validating child: run the reader script on ``args`` (FILE COLUMNS REVIEW, as
    ``child_command`` passes them) and print its JSON lines on stdout; the exit status.

    ``warroom --bundle-check-child ...`` (``warroom.cli.main``) calls it, so that a frozen
    build's executable can be the child. The file is read by the same text ``python -c`` runs.
    """
    if len(args) != 3:
        print(f"usage: warroom {CHILD_FLAG} FILE COLUMNS REVIEW (started by bundle validation)", file=sys.stderr)
        return 2
    _reader()["main"](args)
    return 0


def _reader() -> dict[str, Any]:
    """The reader script's functions (``read``, ``main``), executed here."""
    ns: dict[str, Any] = {"__name__": "warroom_bundle_reader"}
    exec(compile(_READER, "<bundle reader>", "exec"), ns)  # noqa: S102 - our own constant text
    return ns


def _read_tables(path: Path, progress: Progress | None, isolated: bool, timeout: float | None) -> dict[str, Any]:
    """Run ``_READER`` on the file, in a child process or here; return what it found."""
    report = progress or (lambda stage, fraction: None)
    if not isolated:
        return _reader()["read"](str(path), COLUMNS, REVIEW_FILTER, report)
    result = None
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen([*child_command(), str(path), json.dumps(COLUMNS), REVIEW_FILTER],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True)
        except OSError as exc:  # no executable to start (or not allowed to): still check the file, here
            log.warning("cannot start the bundle check's child process (%s); checking %s in this process",
                        first_line(exc), path)
            return _reader()["read"](str(path), COLUMNS, REVIEW_FILTER, report)
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
        raise damaged(path, RuntimeError(found["error"]))
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


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in data

