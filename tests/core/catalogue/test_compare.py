"""Two catalogues compared: present in one only, labels, units, rates, magnitudes."""

from __future__ import annotations

import numpy as np

from warroom.core.catalogue import DiffKind, build_catalogue, compare, infos_from_mapping, stats_of
from warroom.core.model import SeriesKey

T0 = 1_800_000_000_000


def _stats(every_ms: int = 1000, value: float = 0.2, n: int = 20):
    return stats_of(T0 + np.arange(n, dtype=np.int64) * every_ms, np.full(n, value))


def test_identical_sources_agree():
    stats = {SeriesKey("service_error_ratio", {"service": s}): _stats() for s in ("a", "b")}
    assert compare(build_catalogue(stats), build_catalogue(dict(stats))) == []


def test_every_kind_of_difference():
    a = build_catalogue({
        SeriesKey("service_error_ratio", {"service": "a"}): _stats(),
        SeriesKey("service_error_ratio", {"service": "b"}): _stats(),
        SeriesKey("only_here_total"): _stats(),
        SeriesKey("latency_seconds", {"service": "a"}): _stats(value=0.25),
        SeriesKey("queue_depth", {"service": "a"}): _stats(),
    })
    b = build_catalogue({
        SeriesKey("service_error_ratio", {"service": "a", "instance": "i1"}): _stats(every_ms=15_000),
        SeriesKey("service_error_ratio", {"service": "c", "instance": "i1"}): _stats(every_ms=15_000),
        SeriesKey("latency_seconds", {"service": "a"}): _stats(value=250.0),  # milliseconds sent as seconds
        SeriesKey("queue_depth", {"service": "a"}): _stats(),
        SeriesKey("new_metric_ratio", {"x": "1"}): _stats(),
        SeriesKey("new_metric_ratio", {"x": "2"}): _stats(),
    }, infos=infos_from_mapping({"queue_depth": {"unit": "items"}}))
    diffs = compare(a, b)
    kinds = {(d.kind, d.metric, d.series) for d in diffs}
    assert (DiffKind.ONLY_A, "only_here_total", "") in kinds
    assert (DiffKind.ONLY_B, "new_metric_ratio", "") in kinds
    assert next(d for d in diffs if d.metric == "new_metric_ratio").count == 2
    labels = next(d for d in diffs if d.kind is DiffKind.LABELS)
    assert (labels.metric, labels.a, labels.b) == ("service_error_ratio", "-", "instance")
    # matched on the labels both have: service a is in both, b in A only, c in B only
    assert (DiffKind.ONLY_A, "service_error_ratio", 'service_error_ratio{service="b"}') in kinds
    assert (DiffKind.ONLY_B, "service_error_ratio", 'service_error_ratio{instance="i1",service="c"}') in kinds
    rate = next(d for d in diffs if d.kind is DiffKind.RATE)
    assert (rate.metric, rate.a, rate.b, rate.count) == ("service_error_ratio", "every 1 s", "every 15 s", 1)
    scale = next(d for d in diffs if d.kind is DiffKind.SCALE)
    assert scale.metric == "latency_seconds" and scale.a == "~0.25" and scale.b == "~250"
    unit = next(d for d in diffs if d.kind is DiffKind.UNIT)
    assert (unit.metric, unit.a, unit.b) == ("queue_depth", "?", "items")
    assert [d.metric for d in diffs] == sorted(d.metric for d in diffs)


def test_small_differences_are_not_reported():
    a = build_catalogue({SeriesKey("m_ratio"): _stats(every_ms=1000, value=0.2)})
    b = build_catalogue({SeriesKey("m_ratio"): _stats(every_ms=1200, value=0.3)})
    assert compare(a, b) == []
