"""Fixtures for the store tests: a fresh path and writers that are closed afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.store import StoreWriter


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh store path."""
    return tmp_path / "history.duckdb"


@pytest.fixture
def open_writer(db_path: Path):
    """Factory of StoreWriters on ``db_path`` (or another path) that are closed afterwards."""
    writers: list[StoreWriter] = []

    def make(path: Path | None = None, **kw) -> StoreWriter:
        kw.setdefault("flush_interval_s", 0.05)
        w = StoreWriter(path or db_path, **kw)
        writers.append(w)
        return w

    yield make
    for w in writers:
        try:
            w.close(timeout=5)
        except Exception:  # noqa: BLE001 - tests that break the writer on purpose
            pass
