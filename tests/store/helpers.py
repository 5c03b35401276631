"""Small builders shared by the store tests."""

from __future__ import annotations

import re

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol.messages import MetricBatch


def key(name: str = "tps", **labels: str) -> SeriesKey:
    """A series key (labels default to service=trade)."""
    return SeriesKey(name, labels or {"service": "trade"})


def batch(k: SeriesKey, ts, values=None) -> MetricBatch:
    """A one-series batch; values default to the timestamps as floats."""
    ts = np.asarray(ts, dtype=np.int64)
    values = ts.astype(np.float64) if values is None else np.asarray(values, dtype=np.float64)
    return MetricBatch((k,), np.zeros(len(ts), dtype=np.int32), ts, values)


class PoisonedConnection:
    """Wraps the writer's connection; an insert whose rows hold the poison fails as DuckDB would.

    Points with ``value == poison_value``, events whose subject is ``poison_text`` and
    snapshots whose JSON contains it raise ``duckdb.ConversionException``: a failure the
    writer's screening does not foresee, so the flush has to be split to find them.
    ``transient_at`` lists attempt numbers (counting inserts into points, events and
    snapshots) that fail with an ``IOException`` instead, like a disk that fills up and
    empties again. ``quarantine_broken`` makes every quarantine insert fail for good.
    """

    def __init__(self, con, poison_value: float = 13.0, poison_text: str = "poison",
                 transient_at: tuple[int, ...] = (), quarantine_broken: bool = False) -> None:
        import duckdb

        self._duckdb = duckdb
        self._con = con
        self.poison_value, self.poison_text = poison_value, poison_text
        self.transient_at = set(transient_at)
        self.quarantine_broken = quarantine_broken
        self.attempts = 0
        self._tables: dict[str, object] = {}

    def register(self, name, table):
        self._tables[name] = table
        return self._con.register(name, table)

    def execute(self, sql, *args):
        duckdb = self._duckdb
        if sql.startswith("INSERT INTO quarantine") and self.quarantine_broken:
            raise duckdb.ConstraintException("quarantine table broken (simulated)")
        if sql.startswith(("INSERT INTO points", "INSERT INTO events", "INSERT INTO topology_snapshots",
                           "INSERT INTO plan_catalogues")):
            self.attempts += 1
            if self.attempts in self.transient_at:
                raise duckdb.IOException("No space left on device (simulated)")
            name = re.search(r"_w_\w+", sql)
            if name and self._poisoned(sql, self._tables[name.group(0)]):
                raise duckdb.ConversionException("Could not convert the poisoned row (simulated)")
        return self._con.execute(sql, *args)

    def _poisoned(self, sql, table) -> bool:
        cols = table.to_pydict()
        if sql.startswith("INSERT INTO points"):
            return self.poison_value in cols["value"]
        if sql.startswith("INSERT INTO events"):
            return self.poison_text in cols["subject"]
        return any(self.poison_text in s for s in cols["snapshot"])

    def __getattr__(self, name):
        return getattr(self._con, name)
