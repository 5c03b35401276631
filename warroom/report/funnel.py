"""Funnel conversions in reports: the console derives ``scenario_step_conversion`` while it
watches and never stores it, so a report that charts a conversion alert derives the series
again, from the two step series the history holds (``warroom.core.funnel``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from warroom.core.funnel.conversion import CONVERSION_METRIC
from warroom.core.model import SeriesKey
from warroom.store.query import HistoryReader, SeriesData


def chart_range(reader: HistoryReader, keys: Iterable[SeriesKey], start_ms: int, end_ms: int,
                max_points: int) -> dict[SeriesKey, SeriesData]:
    """``reader.range`` for charts, conversion series included (derived: each bucket's mean
    rate at the step over the mean rate at the step before, capped at 1; empty when the
    history's graph does not know the step)."""
    keys = list(keys)
    derived = {k: _steps_of(reader, k, start_ms) for k in keys if k.name == CONVERSION_METRIC}
    wanted = [k for k in keys if k not in derived] + [s for pair in derived.values() if pair for s in pair]
    data = reader.range(list(dict.fromkeys(wanted)), start_ms, end_ms, max_points)
    out = {k: data[k] for k in keys if k not in derived}
    for key, pair in derived.items():
        out[key] = _ratio(data[pair[0]], data[pair[1]]) if pair else SeriesData.empty()
    return out


def _steps_of(reader: HistoryReader, key: SeriesKey, at_ms: int) -> tuple[SeriesKey, SeriesKey] | None:
    """The series of the step before and of the step itself, from the graph recorded then."""
    graph = reader.graph_at(at_ms)
    sid, step = key.labels.get("scenario"), key.labels.get("step")
    if graph is None or sid is None or step is None or sid not in {sc.id for sc in graph.scenarios}:
        return None
    steps = graph.scenario(sid).steps
    for before, this in zip(steps, steps[1:]):
        if this.id == step:
            return before.series, this.series
    return None


def _ratio(before: SeriesData, after: SeriesData) -> SeriesData:
    """Element by element where both have a bucket (or point) at the same time."""
    ts, ia, ib = np.intersect1d(before.ts, after.ts, return_indices=True)
    a, b = before.value[ia], after.value[ib]
    ok = (a > 0) & np.isfinite(a) & np.isfinite(b)
    ts, value = ts[ok], np.clip(b[ok] / a[ok], 0.0, 1.0)
    bucket = max(before.bucket_ms, after.bucket_ms)
    return SeriesData(ts, value, value, value, value, np.ones(len(ts), dtype=np.int64), bucket)
