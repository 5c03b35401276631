"""The DuckDB schema of the history store, its version, and the hook that migrates it.

Tables:

``meta(key, value)``
    Store-wide facts; ``schema_version`` is the one that matters.
``series(series_id, name, labels, key)``
    One row per metric series. ``key`` is the canonical ``SeriesKey.text`` and is unique;
    ``labels`` is the label map as JSON so label filters can run in SQL.
``points(series_id, ts, value)``
    The metric samples, append-only, with no index and no primary key. Rows land in
    insertion order, which is roughly time order, so DuckDB's per-row-group min/max
    statistics (zonemaps) on ``ts`` skip most of the table for a time-range query. An ART
    index here would cost more on every insert than it saves on reads.
``events(id, ts, kind, subject, title, severity, attrs, recorded_at)``
    The append-only event log. ``id`` is the primary key so an event delivered twice is
    stored once; ``recorded_at`` is when this console stored it (wall clock).
``topology_snapshots(ts, snapshot)``
    The call graph in its wire form, stored only when it differs from the previous one.
``plan_catalogues(ts, snapshot)`` (since v2)
    The feed's plan catalogue (``{"plans": [...], "active": [...]}``), stored only when it
    changed, so a replay can show the plans panel as it was.
``quarantine(recorded_at, kind, reason, n_rows, payload)`` (since v3)
    Rows the writer could not store (bad text, a timestamp out of range...), set aside with
    the reason instead of blocking the writer; see ``warroom.store.quarantine``. ``payload``
    is plain ``VARCHAR`` (ASCII JSON text), not ``JSON``: it must take whatever was refused.

All timestamps are ``TIMESTAMP`` (UTC, microsecond precision) holding the feed's epoch
milliseconds; queries convert back with ``epoch_ms(ts)``.
"""

from __future__ import annotations

from typing import Callable

import duckdb

#: The schema version this code writes and reads.
SCHEMA_VERSION = 3
#: Versions this code can read without migrating (a v1 file simply has no plan catalogues,
#: a v1 or v2 file no quarantine: readers treat both as empty).
READABLE_VERSIONS = (1, 2, 3)

_PLAN_CATALOGUES = """CREATE TABLE IF NOT EXISTS plan_catalogues (
        ts TIMESTAMP NOT NULL,
        snapshot JSON NOT NULL
    )"""

_QUARANTINE = """CREATE TABLE IF NOT EXISTS quarantine (
        recorded_at TIMESTAMP NOT NULL,
        kind VARCHAR NOT NULL,
        reason VARCHAR NOT NULL,
        n_rows BIGINT NOT NULL,
        payload VARCHAR NOT NULL
    )"""

_CREATE = (
    """CREATE TABLE IF NOT EXISTS meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS series (
        series_id INTEGER PRIMARY KEY,
        name VARCHAR NOT NULL,
        labels JSON NOT NULL,
        key VARCHAR NOT NULL UNIQUE
    )""",
    # No constraints on points: constraint checks and indexes would be paid per row.
    """CREATE TABLE IF NOT EXISTS points (
        series_id INTEGER,
        ts TIMESTAMP,
        value DOUBLE
    )""",
    """CREATE TABLE IF NOT EXISTS events (
        id VARCHAR PRIMARY KEY,
        ts TIMESTAMP NOT NULL,
        kind VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        severity VARCHAR NOT NULL,
        attrs JSON NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS topology_snapshots (
        ts TIMESTAMP NOT NULL,
        snapshot JSON NOT NULL
    )""",
    _PLAN_CATALOGUES,
    _QUARANTINE,
)

#: Migration steps: ``MIGRATIONS[n]`` upgrades a store from version ``n`` to ``n + 1``.
#: Each runs inside the same transaction that bumps ``schema_version``, so a failed
#: migration leaves the file at the old version. Add an entry when SCHEMA_VERSION grows.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    1: lambda con: con.execute(_PLAN_CATALOGUES),
    2: lambda con: con.execute(_QUARANTINE),
}


def first_row(result: duckdb.DuckDBPyConnection) -> tuple | None:
    """The first row of a query's result, or None, with the result read to its end.

    ``fetchone()`` leaves a result open, and with it the cursor's transaction: until that
    cursor runs another statement, DuckDB keeps every row version that transaction could
    see, so the blocks of deleted points are never freed (retention then cannot keep a file
    within its size). Every one-row query on a shared database goes through here.
    """
    rows = result.fetchall()
    return rows[0] if rows else None


class SchemaError(RuntimeError):
    """The file is not a Warroom store this code can use (too new, or not a store)."""


def read_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version stored in the file, or None for a file without a store."""
    has_meta = first_row(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ))[0]
    if not has_meta:
        return None
    row = first_row(con.execute("SELECT value FROM meta WHERE key = 'schema_version'"))
    return int(row[0]) if row else None


def ensure_schema(
    con: duckdb.DuckDBPyConnection,
    migrations: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] | None = None,
    target: int = SCHEMA_VERSION,
) -> int:
    """Create the schema in an empty file, or migrate an older one up to ``target``.

    Returns the version the file is at afterwards. Raises ``SchemaError`` for a file
    written by a newer Warroom, rather than guessing at a layout we do not know.
    ``migrations`` defaults to ``MIGRATIONS``; tests pass their own to exercise the hook.
    """
    steps = MIGRATIONS if migrations is None else migrations
    version = read_version(con)
    if version is None:
        con.execute("BEGIN")
        try:
            for ddl in _CREATE:
                con.execute(ddl)
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?)", [str(target)]
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return target
    if version > target:
        raise SchemaError(f"store schema v{version} is newer than this Warroom (v{target})")
    while version < target:
        step = steps.get(version)
        if step is None:
            raise SchemaError(f"no migration from store schema v{version}")
        con.execute("BEGIN")
        try:
            step(con)
            con.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version + 1)]
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version += 1
    return version


def check_readable(con: duckdb.DuckDBPyConnection) -> int:
    """Check, without changing anything, that this code can read the store; return its version.

    Read-only connections cannot migrate; versions in ``READABLE_VERSIONS`` are read as they
    are (readers treat tables a version lacks as empty), anything older must first be opened
    once by a ``StoreWriter``.
    """
    version = read_version(con)
    if version is None:
        raise SchemaError("not a Warroom store (no schema_version)")
    if version not in READABLE_VERSIONS:
        raise SchemaError(
            f"store schema v{version}, this Warroom reads v{READABLE_VERSIONS[0]}..v{SCHEMA_VERSION}; "
            + ("it was written by a newer Warroom" if version > SCHEMA_VERSION
               else "open it with a StoreWriter to migrate")
        )
    return version
