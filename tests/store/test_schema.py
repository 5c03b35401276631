"""Schema creation, versioning and the migration hook."""

from __future__ import annotations

import duckdb
import pytest

from warroom.core.model import Event, EventKind
from warroom.store import DEFAULT_MEMORY_LIMIT_MB, SCHEMA_VERSION, HistoryReader, SchemaError, StoreWriter, ensure_schema
from warroom.store.schema import read_version


def test_fresh_file_gets_tables_and_version(db_path):
    StoreWriter(db_path).close()
    con = duckdb.connect(str(db_path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"meta", "series", "points", "events", "topology_snapshots", "plan_catalogues", "quarantine"} <= tables
    assert read_version(con) == SCHEMA_VERSION
    con.close()


def test_reopening_keeps_version_and_data(db_path):
    StoreWriter(db_path).close()
    StoreWriter(db_path).close()
    with HistoryReader(db_path) as r:
        assert r.time_range() is None


def test_migration_hook_runs_each_step_once():
    con = duckdb.connect()
    ensure_schema(con, target=1)
    calls = []

    def to_v2(c):
        calls.append(2)
        c.execute("ALTER TABLE events ADD COLUMN actor VARCHAR")

    def to_v3(c):
        calls.append(3)

    assert ensure_schema(con, migrations={1: to_v2, 2: to_v3}, target=3) == 3
    assert ensure_schema(con, migrations={1: to_v2, 2: to_v3}, target=3) == 3
    assert calls == [2, 3]
    assert read_version(con) == 3
    assert "actor" in [r[0] for r in con.execute("DESCRIBE events").fetchall()]


def test_failed_migration_leaves_old_version():
    con = duckdb.connect()
    ensure_schema(con, target=1)

    def broken(c):
        c.execute("ALTER TABLE events ADD COLUMN actor VARCHAR")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ensure_schema(con, migrations={1: broken}, target=2)
    assert read_version(con) == 1
    assert "actor" not in [r[0] for r in con.execute("DESCRIBE events").fetchall()]


def test_newer_store_is_refused(db_path):
    StoreWriter(db_path).close()
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    with pytest.raises(SchemaError):
        StoreWriter(db_path)
    with pytest.raises(SchemaError):
        HistoryReader(db_path)


def test_reader_refuses_a_file_that_is_not_a_store(db_path):
    duckdb.connect(str(db_path)).close()
    with pytest.raises(SchemaError):
        HistoryReader(db_path)


def _v1_file(path):
    """A store as Warroom wrote it before plan catalogues were kept (schema v1)."""
    con = duckdb.connect(str(path))
    ensure_schema(con, target=1)
    con.execute("DROP TABLE plan_catalogues")
    con.execute("DROP TABLE quarantine")
    con.close()


def _v2_file(path):
    """A store as Warroom wrote it before the quarantine table (schema v2), with a point in it."""
    con = duckdb.connect(str(path))
    ensure_schema(con, target=2)
    con.execute("DROP TABLE quarantine")
    con.execute("INSERT INTO series VALUES (1, 'tps', '{}', 'tps')")
    con.execute("INSERT INTO points VALUES (1, epoch_ms(5::BIGINT), 1.5)")
    con.close()


def test_v1_store_is_read_as_is_and_migrated_by_a_writer(db_path):
    _v1_file(db_path)
    with HistoryReader(db_path) as r:  # read-only: no migration, no plan catalogues
        assert r.plans_at(10**13) is None
        assert r.snapshots("plan_catalogues") == []
        assert r.quarantine() == [] and r.quarantine_counts() == {}
    StoreWriter(db_path).close()
    con = duckdb.connect(str(db_path), read_only=True)
    assert read_version(con) == SCHEMA_VERSION == 3
    assert con.execute("SELECT count(*) FROM plan_catalogues").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
    con.close()


def test_v2_store_is_read_as_is_and_migrated_by_a_writer(db_path):
    _v2_file(db_path)
    with HistoryReader(db_path) as r:  # read-only: no quarantine table, read as empty
        assert r.quarantine() == [] and r.quarantine_counts() == {}
        assert r.time_range() == (5, 5)
    with StoreWriter(db_path) as w:
        w.append_events([Event("bad", 1, EventKind.NOTE, "\ud800", "t")])
        assert w.flush(timeout=10)
        assert w.reader().quarantine_counts() == {"event": 1}
    with HistoryReader(db_path) as r:
        assert r.time_range() == (5, 5) and r.quarantine_counts() == {"event": 1}
        con = r._cur()
        assert read_version(con) == 3


def test_memory_limit_and_threads_are_set_on_the_store(db_path):
    with StoreWriter(db_path, memory_limit_mb=200, threads=1) as w:
        cur = w.reader()._cur()
        limit = cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit == "200.0 MiB"
        assert cur.execute("SELECT current_setting('threads')").fetchone()[0] == 1
    with StoreWriter(db_path) as w:  # the documented default
        limit = w.reader()._cur().execute("SELECT current_setting('memory_limit')").fetchone()[0]
        assert limit.startswith(str(DEFAULT_MEMORY_LIMIT_MB)), limit
    with pytest.raises(ValueError):
        StoreWriter(db_path, memory_limit_mb=0)
