"""The patrol's judgements: objectives, headroom, unknowns and the change since the last patrol."""

from __future__ import annotations

import numpy as np
import pytest

from warroom.core.model import SeriesKey
from warroom.core.patrol import inspect
from tests.core.patrol import world

START = world.T0 + 2 * world.DAY_MS + 10 * world.HOUR  # 10:00 local, after two days of history


def _patrol(top=None, *, peak_trade=800.0, previous=None, **window_args):
    series, end = world.healthy(START, trade_peak=peak_trade, **window_args)
    hist = {"gateway": world.history(800.0), "trade": world.history(peak_trade), "bank": world.history(800.0)}
    return inspect(top or world.topology(), series, start_ms=START, end_ms=end, traffic_history=hist,
                   source="test", previous=previous)


def test_a_healthy_platform_passes_but_an_unknown_capacity_is_said():
    p = _patrol()
    levels = p.levels()
    assert levels["service:gateway"] == "pass"
    assert levels["service:trade"] == "pass"
    bank = next(i for i in p.items if i.name == "bank")
    assert bank.check("headroom").level == "unknown" and bank.check("headroom").basis == "no_capacity"
    assert p.unknown_headroom == 1
    assert p.verdict == "pass"


def test_headroom_is_judged_at_the_forecast_peak_not_the_load_now():
    # At 10:00 trade runs well under its 1000 req/s; its evening peak (about 1100) does not fit.
    p = _patrol(peak_trade=1100.0)
    room = next(i for i in p.items if i.name == "trade").check("headroom")
    assert room.detail["load_now_utilisation"] < 0.8
    assert room.basis == "forecast"
    assert room.value == pytest.approx(room.detail["peak"] / 1000.0)
    assert room.level == "fail"
    assert p.verdict == "fail"
    # The scenario takes its bottleneck's headroom.
    pay = next(i for i in p.items if i.kind == "scenario").check("headroom")
    assert pay.detail["bottleneck"] == "trade" and pay.level == "fail"
    assert pay.detail["unknown_services"] == 1  # the bank


def test_a_busier_week_raises_the_forecast():
    plain = _patrol(peak_trade=700.0)
    busier = _patrol(peak_trade=700.0, load_scale=1.3)
    a = next(i for i in plain.items if i.name == "gateway").check("headroom")
    b = next(i for i in busier.items if i.name == "gateway").check("headroom")
    assert b.detail["peak"] == pytest.approx(a.detail["peak"] * 1.3, rel=0.05)


def test_no_history_is_unknown_headroom_never_the_load_of_the_moment():
    series, end = world.healthy(START)
    p = inspect(world.topology(), series, start_ms=START, end_ms=end)
    for item in p.items:
        if item.kind == "service" and item.name != "bank":
            assert item.check("headroom").level == "unknown"
            assert item.check("headroom").basis == "no_forecast"
            assert item.check("headroom").detail["load_now"] > 0
    assert p.unknown_headroom == 3


def test_declared_objectives_come_before_health_thresholds():
    # 0.6 s p99 passes the default 1 s line but breaks a 0.5 s objective.
    p = _patrol(world.topology(trade_slo={"p99_s": 0.5}), trade_p99=0.6)
    p99 = next(i for i in p.items if i.name == "trade").check("p99")
    assert (p99.level, p99.basis, p99.fail) == ("fail", "objective", 0.5)
    plain = next(i for i in _patrol(trade_p99=0.6).items if i.name == "trade").check("p99")
    assert (plain.level, plain.basis) == ("pass", "health")


@pytest.mark.parametrize("success, level", [(0.999, "pass"), (0.97, "warn"), (0.90, "fail")])
def test_scenario_success_against_the_default_rules(success, level):
    p = _patrol(success=success)
    assert next(i for i in p.items if i.kind == "scenario").check("success").level == level


def test_points_outside_the_window_do_not_count_and_no_data_is_unknown():
    series, end = world.healthy(START)
    key = SeriesKey("service_error_ratio", {"service": "trade"})
    ts, _ = series[key]
    series[key] = (ts - 3 * world.HOUR, np.full(ts.size, 0.5))  # a bad hour long before the window
    series[SeriesKey("service_latency_seconds", {"service": "trade", "quantile": "0.99"})] = (ts, np.full(ts.size, np.nan))
    p = inspect(world.topology(), series, start_ms=START, end_ms=end)
    trade = next(i for i in p.items if i.name == "trade")
    assert trade.check("error_ratio").level == "unknown"
    assert trade.check("p99").level == "unknown"


def test_change_since_the_last_patrol():
    first = _patrol()
    second = _patrol(previous=first.levels(), trade_error=0.03)
    assert second.levels()["service:trade"] == "warn"
    keys = {c.key: (c.before, c.after) for c in second.changes}
    assert keys["service:trade"] == ("pass", "warn")
    assert "service:gateway" not in keys
    # An item the last patrol had and this one has not is a change too.
    gone = _patrol(previous={**first.levels(), "service:old": "pass"})
    assert ("service:old", "pass", None) in {(c.key, c.before, c.after) for c in gone.changes}
    # No previous patrol: no changes at all (not "everything is new").
    assert first.changes == ()


def test_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        inspect(world.topology(), {}, start_ms=10, end_ms=5)
