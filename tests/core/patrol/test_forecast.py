"""The forecast peak reads the traffic baseline's profile and scales it to the current level."""

from __future__ import annotations

import numpy as np
import pytest

from warroom.core.patrol import forecast_peak
from tests.core.patrol import world


def test_the_peak_is_the_evening_peak_of_the_profile():
    ts, v = world.history(1000.0)
    now = world.T0 + 2 * world.DAY_MS + 10 * world.HOUR
    fc = forecast_peak(ts, v, np.empty(0), np.empty(0), now)
    assert fc is not None
    assert fc.peak == pytest.approx(1000.0, rel=0.03)
    local_h = ((fc.peak_at_ms - world.T0) % world.DAY_MS) / world.HOUR
    assert 19.5 <= local_h <= 21.5
    assert fc.coverage == pytest.approx(1.0)
    assert fc.level == 1.0


def test_the_level_factor_is_clamped_like_the_baseline():
    ts, v = world.history(1000.0)
    now = world.T0 + 2 * world.DAY_MS + 10 * world.HOUR
    wts = np.arange(now - 900_000, now, 10_000)
    fc = forecast_peak(ts, v, wts, world.daily(1000.0, wts) * 5, now)
    assert fc.level == 2.0


def test_half_a_day_of_history_covers_half_the_forecast():
    ts, v = world.history(1000.0, days=1)
    keep = ((ts - world.T0) % world.DAY_MS) < 12 * world.HOUR  # midnight to noon only
    fc = forecast_peak(ts[keep], v[keep], np.empty(0), np.empty(0), world.T0 + world.DAY_MS)
    assert fc is not None and 0.4 < fc.coverage < 0.6
    assert fc.peak < 1000.0 * 0.9  # the evening peak is not known, and not guessed


def test_no_history_no_forecast():
    assert forecast_peak(np.empty(0), np.empty(0), np.empty(0), np.empty(0), world.T0) is None
    ts = np.arange(world.T0, world.T0 + 30_000, 10_000)  # 3 points: below the profile's 5
    assert forecast_peak(ts, np.ones(ts.size), np.empty(0), np.empty(0), world.T0) is None  # too thin
