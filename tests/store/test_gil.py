"""The writer lowers the switch interval so DuckDB's GIL takes are not 5 ms behind a busy thread."""

from __future__ import annotations

import sys

import pytest

from warroom.store import StoreWriter
from warroom.store.gil import WRITER_SWITCH_S, share_the_gil


@pytest.fixture
def interval():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


def test_a_writer_lowers_the_switch_interval(tmp_path, interval):
    sys.setswitchinterval(0.005)  # the interpreter's default
    writer = StoreWriter(tmp_path / "h.duckdb")
    try:
        assert sys.getswitchinterval() == pytest.approx(WRITER_SWITCH_S)
    finally:
        writer.close()


def test_it_never_raises_a_lower_interval(interval):
    sys.setswitchinterval(WRITER_SWITCH_S / 4)
    assert share_the_gil() == pytest.approx(WRITER_SWITCH_S / 4)
    assert sys.getswitchinterval() == pytest.approx(WRITER_SWITCH_S / 4)
