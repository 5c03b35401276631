"""Small builders shared by the store tests."""

from __future__ import annotations

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
