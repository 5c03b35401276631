"""Catalogue rows: statistics, flags (silent, invalid, refused), search."""

from __future__ import annotations

import math

import numpy as np

from warroom.core.catalogue import Flag, SeriesStats, build_catalogue, stats_of
from warroom.core.model import SeriesKey

T0 = 1_800_000_000_000


def _series(n: int, every_ms: int, values=None, start: int = T0):
    ts = start + np.arange(n, dtype=np.int64) * every_ms
    return ts, np.full(n, 0.5) if values is None else np.asarray(values, dtype=np.float64)


def test_stats_of_points():
    ts, v = _series(5, 1000, [0.1, -0.2, 1.5, 150.0, math.nan])
    s = stats_of(ts[::-1], v[::-1])  # any order
    assert (s.points, s.first_ms, s.last_ms, s.interval_ms) == (5, T0, T0 + 4000, 1000.0)
    assert (s.below_zero, s.above_one, s.above_hundred) == (1, 2, 1)
    assert s.min == -0.2 and s.max == 150.0 and math.isclose(s.mean, (0.1 - 0.2 + 1.5 + 150) / 4)
    assert s.per_minute == 60.0
    assert stats_of([], []).points == 0


def test_invalid_values_depend_on_the_unit():
    s = stats_of(*_series(4, 1000, [0.5, -1.0, 1.2, 120.0]))
    assert s.invalid_for("ratio") == 3  # -1, 1.2, 120
    assert s.invalid_for("%") == 2  # -1, 120
    assert s.invalid_for("s") == 1  # -1
    assert s.invalid_for("×") == 1  # load over capacity may pass 1, not go negative
    assert s.invalid_for("") == 0


def test_flags():
    now = T0 + 600_000
    stats = {
        SeriesKey("ok_ratio"): stats_of(*_series(600, 1000, start=now - 599_000)),
        SeriesKey("bad_ratio"): stats_of(*_series(600, 1000, [1.4] * 600, start=now - 599_000)),
        # every 15 s, last point 60 s ago: 4 intervals, not silent yet; 90 s ago: silent
        SeriesKey("slow_ratio", {"a": "1"}): stats_of(*_series(10, 15_000, start=now - 60_000 - 135_000)),
        SeriesKey("slow_ratio", {"a": "2"}): stats_of(*_series(10, 15_000, start=now - 90_000 - 135_000)),
        # 1 s series, quiet for 10 s: under the 15 s floor, not silent
        SeriesKey("blip_ratio"): stats_of(*_series(100, 1000, start=now - 10_000 - 99_000)),
        SeriesKey("refused_ratio"): SeriesStats(0, 0, 0, refused=3),
    }
    cat = build_catalogue(stats, source="feed", now_ms=now)
    flags = {e.text: e.flags for e in cat.entries}
    assert flags["ok_ratio"] == frozenset()
    assert flags["bad_ratio"] == {Flag.INVALID} and cat.get(SeriesKey("bad_ratio")).invalid == 600
    assert flags['slow_ratio{a="1"}'] == frozenset()
    assert flags['slow_ratio{a="2"}'] == {Flag.SILENT}
    assert cat.get(SeriesKey("slow_ratio", {"a": "2"})).silent_for_ms == 90_000
    assert flags["blip_ratio"] == frozenset()
    assert flags["refused_ratio"] == {Flag.REFUSED}
    assert cat.counts() == {Flag.SILENT: 1, Flag.INVALID: 1, Flag.REFUSED: 1}
    assert [e.text for e in cat.entries] == sorted(e.text for e in cat.entries)


def test_now_defaults_to_the_newest_point_of_the_source():
    stats = {SeriesKey("a"): stats_of(*_series(10, 1000)),
             SeriesKey("b"): stats_of(*_series(10, 1000, start=T0 + 60_000))}
    cat = build_catalogue(stats)
    assert cat.now_ms == T0 + 69_000
    assert cat.flagged(Flag.SILENT) == [cat.get(SeriesKey("a"))]


def test_search_matches_every_word_anywhere():
    stats = {SeriesKey("service_error_ratio", {"service": "bank-icbc"}): stats_of(*_series(3, 1000)),
             SeriesKey("service_error_ratio", {"service": "trade"}): stats_of(*_series(3, 1000, [2.0] * 3)),
             SeriesKey("scenario_tps", {"scenario": "qr"}): stats_of(*_series(3, 1000))}
    cat = build_catalogue(stats, source="gw-1")
    assert [e.key.labels["service"] for e in cat.search("ERROR icbc")] == ["bank-icbc"]
    assert [e.text for e in cat.search("invalid")] == ['service_error_ratio{service="trade"}']
    assert len(cat.search("ratio")) == 2 and len(cat.search("  ")) == 3 and len(cat.search("gw-1")) == 3
    assert cat.search("ratio /s") == []


def test_merging_stretches_keeps_counts_and_learns_the_interval_between_polls():
    a = stats_of([T0], [0.5])
    b = stats_of([T0 + 15_000], [0.7])
    c = stats_of([T0 + 30_000, T0 + 45_000], [math.nan, -1.0])
    m = a.merged(b).merged(c)
    assert (m.points, m.first_ms, m.last_ms) == (4, T0, T0 + 45_000)
    assert m.interval_ms == 15_000.0
    assert m.min == -1.0 and m.max == 0.7 and m.below_zero == 1
    assert math.isclose(m.mean, (0.5 + 0.7 - 1.0) / 3)
    assert SeriesStats(0, 0, 0, refused=2).merged(a).refused == 2


def test_the_plain_python_path_for_few_points_agrees_with_numpy(monkeypatch):
    from warroom.core.catalogue import entries

    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 8, entries.SMALL):
        ts = rng.integers(T0, T0 + 10**6, n)
        values = rng.normal(0, 50, n)
        values[rng.random(n) < 0.2] = math.nan
        small = stats_of(ts, values)
        monkeypatch.setattr(entries, "SMALL", 0)
        big = stats_of(ts, values)
        monkeypatch.undo()
        for name in ("points", "first_ms", "last_ms", "interval_ms", "below_zero", "above_one", "above_hundred",
                     "finite"):
            assert getattr(small, name) == getattr(big, name), (n, name)
        for name in ("min", "max", "mean"):
            a, b = getattr(small, name), getattr(big, name)
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b), (n, name)
