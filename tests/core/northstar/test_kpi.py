"""North-star KPIs from hand-made lookups: the success rate stays a fraction whatever a feed sends."""

from __future__ import annotations

import math

import pytest

from warroom.core.northstar import kpi


def lookup(values: dict[tuple[str, str], float]):
    """``value(key)`` over ``{(metric, scenario): value}``."""
    return lambda key: values.get((key.name, key.labels.get("scenario", "")))


def test_success_is_successes_over_attempts():
    value = lookup({("scenario_tps", "a"): 90.0, ("scenario_requests_rate", "a"): 100.0,
                    ("scenario_tps", "b"): 300.0, ("scenario_requests_rate", "b"): 300.0})
    assert kpi.success_ratio(["a", "b"], value) == pytest.approx(390 / 400)


def test_more_successes_than_attempts_counts_as_all_succeeded_not_more():
    # The 1,000-service bench world sent tps and requests as unrelated numbers: 341.67 %.
    value = lookup({("scenario_tps", "a"): 2050.0, ("scenario_requests_rate", "a"): 600.0,
                    ("scenario_tps", "b"): 50.0, ("scenario_requests_rate", "b"): 100.0})
    ratio = kpi.success_ratio(["a", "b"], value)
    assert ratio == pytest.approx((600 + 50) / (600 + 100))
    assert 0.0 <= ratio <= 1.0


@pytest.mark.parametrize("bad", [-5.0, math.nan, math.inf])
def test_a_value_that_is_not_a_rate_leaves_its_scenario_out(bad):
    value = lookup({("scenario_tps", "a"): bad, ("scenario_requests_rate", "a"): 100.0,
                    ("scenario_tps", "b"): 99.0, ("scenario_requests_rate", "b"): 100.0,
                    ("scenario_tps", "c"): 10.0, ("scenario_requests_rate", "c"): bad})
    assert kpi.success_ratio(["a", "b", "c"], value) == pytest.approx(0.99)
    assert kpi.success_ratio(["a", "c"], value) is None  # nothing measured is a dash, not 100 %


def test_scenario_counts():
    assert kpi.scenario_counts(120.0, 100.0) == (100.0, 100.0)
    assert kpi.scenario_counts(80.0, 100.0) == (80.0, 100.0)
    assert kpi.scenario_counts(None, 100.0) is None
    assert kpi.scenario_counts(1.0, -1.0) is None


def test_no_traffic_at_all_is_all_well_and_unknown_scenarios_are_none():
    value = lookup({("scenario_tps", "a"): 0.0, ("scenario_requests_rate", "a"): 0.0})
    assert kpi.success_ratio(["a"], value) == 1.0
    assert kpi.success_ratio(["nobody"], value) is None
