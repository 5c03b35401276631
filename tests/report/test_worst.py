"""The worst-moment rule on hand-made alerts and success rates (no store)."""

from __future__ import annotations

import numpy as np

from warroom.core.model import SeriesKey
from warroom.report.facts import AlertFacts
from warroom.report.worst import find_worst, firing_intervals
from warroom.store.query import SeriesData


def alert(fp: str, *spans: tuple[int, int | None], root: bool = False) -> AlertFacts:
    return AlertFacts(fp, "r", SeriesKey("m", {"service": fp}), fp, "service", "P2", fp, 0.05, 0.5, root,
                      "" if root else "root", "root", tuple(spans))


class FakeReader:
    """Two scenarios: ``a`` with 9x the requests of ``b``; success rates per second given."""

    def __init__(self, success: dict[str, dict[int, float]]) -> None:
        self.success = success

    def series(self, name=None, **labels):
        return [SeriesKey("scenario_success_ratio", {"scenario": s}) for s in self.success]

    def range(self, keys, start, end, max_points=1000):
        out = {}
        for k in keys:
            sc = k.labels["scenario"]
            ts = np.array([t for t in sorted(self.success[sc]) if start <= t < end], dtype=np.int64)
            if k.name == "scenario_success_ratio":
                v = np.array([self.success[sc][t] for t in ts.tolist()])
            else:
                v = np.full(len(ts), 900.0 if sc == "a" else 100.0)
            out[k] = SeriesData(ts, v, v, v, v, np.ones(len(ts), dtype=np.int64))
        return out


def test_intervals_count_alerts_firing_half_open():
    alerts = [alert("x", (10, 30)), alert("y", (20, None)), alert("z", (0, 5))]
    assert firing_intervals(alerts, 0, 40) == [(0, 5, 1), (5, 10, 0), (10, 20, 1), (20, 30, 2), (30, 40, 1)]


def test_most_firing_wins_over_a_lower_success_rate_elsewhere():
    alerts = [alert("x", (10, 30)), alert("y", (20, 25))]
    success = {"a": {t: 0.9 for t in range(0, 40)}, "b": {t: 0.9 for t in range(0, 40)}}
    success["a"][12] = 0.1  # the lowest success, but only one alert firing then
    success["a"][22] = 0.8
    worst = find_worst(FakeReader(success), alerts, 0, 40)
    assert (worst.ts, worst.firing) == (22, 2)
    assert worst.success == (0.8 * 900 + 0.9 * 100) / 1000


def test_ties_go_to_the_lowest_overall_success_weighted_by_requests():
    alerts = [alert("x", (10, 15)), alert("y", (30, 35))]
    success = {"a": {t: 0.99 for t in range(0, 40)}, "b": {t: 0.99 for t in range(0, 40)}}
    success["b"][11] = 0.0  # the small scenario fails completely: overall 0.891
    success["a"][31] = 0.8  # the big one loses a fifth: overall 0.819, the worse moment
    assert find_worst(FakeReader(success), alerts, 0, 40).ts == 31


def test_equal_moments_give_the_earliest_and_no_data_gives_the_first_peak():
    alerts = [alert("x", (10, 20))]
    flat = {"a": {t: 0.9 for t in range(0, 40)}, "b": {t: 0.9 for t in range(0, 40)}}
    assert find_worst(FakeReader(flat), alerts, 0, 40).ts == 10
    assert find_worst(FakeReader({}), alerts, 0, 40).ts == 10
    assert find_worst(FakeReader({}), [], 0, 40).ts == 0
