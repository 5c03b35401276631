"""Dynamic baseline: time-of-day profile, interpolation, recent fallback, level factor, persistence."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.alerting.baseline import LEVEL_MAX, LEVEL_MIN, Band, Baseline

DAY = 86_400_000
HOUR = 3_600_000
MIN = 60_000
SEC = 1000
#: Local midnight (UTC+8) of 2026-03-02, in epoch ms.
T0 = int(datetime(2026, 3, 2, tzinfo=timezone(timedelta(hours=8))).timestamp() * 1000)


def at(day: int, hh: float) -> int:
    """Epoch ms of local time ``hh`` hours on history day ``day``."""
    return T0 + day * DAY + round(hh * HOUR)


def curve(ts_ms):
    """Payments per second: 100 at night, a morning peak of 500 at 10:00, 300 at 20:00."""
    h = ((np.asarray(ts_ms) - T0) % DAY) / HOUR
    return 100 + 400 * np.exp(-(((h - 10) / 1.5) ** 2)) + 200 * np.exp(-(((h - 20) / 2) ** 2))


def noisy(ts_ms, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    ts_ms = np.asarray(ts_ms)
    return scale * curve(ts_ms) * (1 + 0.05 * rng.standard_normal(ts_ms.shape))


def history(days=3, step_ms=MIN, seed=1):
    ts = T0 + np.arange(0, days * DAY, step_ms, dtype=np.int64)
    return ts, noisy(ts, seed)


def learned(**kw) -> Baseline:
    b = Baseline(**kw)
    b.learn(*history())
    return b


# -- the profile ---------------------------------------------------------------------------


def test_profile_follows_the_daily_curve():
    b = learned()
    assert b.usable_buckets == 96
    for hh in (3.0, 7.3, 10.0, 14.6, 20.0, 23.9):
        band = b.band(at(3, hh))
        assert band.source == "profile"
        assert band.expected == pytest.approx(float(curve(at(3, hh))), rel=0.03), hh


def test_normal_values_of_a_new_day_are_inside_a_sigma_driven_band():
    # min_rel=0: the width comes from the learned spread alone, so a spread that is too
    # narrow (or a centre that lags the curve) shows up as values outside.
    b = learned(min_rel=0.0)
    ts = at(3, 0) + np.arange(0, DAY, MIN)
    values = noisy(ts, seed=99)
    outside = [int(t) for t, v in zip(ts, values)
               if not (b.band(int(t)).low <= v <= b.band(int(t)).high)]
    assert len(outside) <= 2  # k=4: ~0.1 expected in 1440 Gaussian points
    # ... and the band is not uselessly wide: about ±4σ with σ = 5 % of the level.
    peak = b.band(at(3, 10))
    assert (peak.high - peak.low) / peak.expected == pytest.approx(0.4, rel=0.2)


@pytest.mark.parametrize("min_rel", [0.0, 0.2])
def test_half_the_payments_at_peak_time_is_below_the_band(min_rel):
    b = learned(min_rel=min_rel)
    t = at(3, 10)
    assert b.band(t).below(0.5 * float(curve(t)))


def test_a_promotion_peak_is_above_not_below():
    b = learned()
    band = b.band(at(3, 10))
    assert band.above(3 * 500) and not band.below(3 * 500)


def test_a_night_dip_within_normal_night_values_is_not_flagged():
    b = learned(min_rel=0.0)
    night = b.band(at(3, 3))
    assert not night.below(90.0)  # 2σ under the night level: seen every night
    assert not night.below(100.0)
    # The same reading at peak time is a collapse: the band knows the time of day.
    assert b.band(at(3, 10)).below(100.0)


def test_band_moves_smoothly_not_in_steps():
    b = learned()
    ts = range(at(3, 6), at(3, 14), 10 * SEC)
    expected = np.array([b.band(t).expected for t in ts])
    jumps = np.abs(np.diff(expected)) / expected[1:]
    # The ramp climbs ~20 % per 15-min bucket; stepped buckets would jump that much at once.
    assert jumps.max() < 0.005


def _staircase(**kw) -> Baseline:
    """A profile whose bucket b (15 min) holds exactly 100 + b: 100 at 00:00-00:15, 195 at 23:45."""
    b = Baseline(**kw)
    ts = T0 + np.arange(0, 2 * DAY, 30 * SEC, dtype=np.int64)
    b.learn(ts, 100.0 + ((ts - T0) % DAY) // (900 * SEC))
    return b


@pytest.mark.parametrize("hh, expected", [
    (0.0, 147.5),                 # midnight: halfway between 23:52:30 (195) and 00:07:30 (100)
    (23 + 52.5 / 60, 195.0),      # the last bucket's centre
    (23 + 56.25 / 60, 171.25),    # a quarter of the way from it across midnight
    (0 + 3.75 / 60, 123.75),      # three quarters of the way, after midnight
    (7.5 / 60, 100.0),            # the first bucket's centre
    (6 + 10 / 60, 100 + 24 + 1 / 6),  # interior: linear between buckets 24 and 25
])
def test_interpolation_wraps_around_midnight(hh, expected):
    b = _staircase()
    assert b.band(at(5, hh)).expected == pytest.approx(expected, rel=1e-9)


def test_buckets_follow_the_local_clock():
    # Local (UTC+5:30) hours alternate 1, 0, 1, ...: with buckets on the local hour every
    # bucket is pure; a clock off by 30 min would mix halves of two hours (median 0.5).
    ist_midnight = int(datetime(2026, 3, 2, tzinfo=timezone(timedelta(hours=5, minutes=30)))
                       .timestamp() * 1000)
    ts = ist_midnight + np.arange(0, 2 * DAY, 30 * SEC, dtype=np.int64)
    v = (((ts - ist_midnight) % DAY) // HOUR % 2 == 0).astype(float)
    for offset, expected in ((5.5, 1.0), (5.0, 0.5)):
        b = Baseline(bucket_s=3600, utc_offset_h=offset, min_rel=0.0)
        b.learn(ts, v)
        assert b.band(ist_midnight + 2 * DAY + 2 * HOUR + 30 * MIN).expected == expected


def test_learn_ignores_nans_and_replaces_the_previous_profile():
    b = learned()
    ts, v = history(seed=5)
    v = 2 * v
    v[::7] = np.nan
    v[::11] = np.inf
    b.learn(ts, v)
    assert b.band(at(3, 10)).expected == pytest.approx(1000, rel=0.03)


def test_history_with_outages_does_not_move_the_centre():
    ts, v = history()
    v[(ts >= at(1, 9.5)) & (ts < at(1, 10.5))] = 0.0  # an hour of outage on one of 3 days
    b = Baseline()
    b.learn(ts, v)
    assert b.band(at(3, 10)).expected == pytest.approx(500, rel=0.05)


# -- not enough data -----------------------------------------------------------------------


def test_nothing_learned_nothing_observed_gives_none():
    assert Baseline().band(at(0, 10)) is None


def test_one_day_at_one_minute_is_too_few_points_per_bucket():
    b = Baseline()  # 15 points per 15-min bucket < min_points=30
    b.learn(*history(days=1))
    assert b.usable_buckets == 0
    assert b.band(at(1, 10)) is None


def test_min_days_counts_distinct_days():
    ts, v = history(days=1, step_ms=10 * SEC)  # 90 points per bucket, one day
    strict, lax = Baseline(min_days=2), Baseline(min_days=1)
    strict.learn(ts, v)
    lax.learn(ts, v)
    assert strict.band(at(1, 10)) is None
    assert lax.band(at(1, 10)).source == "profile"


def test_hours_without_history_are_not_guessed_from_other_hours():
    ts, v = history()
    keep = ((ts - T0) % DAY >= 8 * HOUR) & ((ts - T0) % DAY < 12 * HOUR)
    b = Baseline()
    b.learn(ts[keep], v[keep])
    assert b.usable_buckets == 16
    assert b.band(at(3, 10)).source == "profile"
    assert b.band(at(3, 3)) is None
    assert b.band(at(3, 7.95)) is None          # in the empty bucket before 08:00
    edge = b.band(at(3, 8 + 1 / 60))           # first usable bucket, before its centre:
    assert edge.expected == b.band(at(3, 8 + 7.5 / 60)).expected  # used flat


def test_recent_needs_min_points_in_its_window():
    b = Baseline(min_points=30, recent_lag_s=120)
    start = at(0, 10)
    for i in range(29):
        b.observe(start + i * SEC, 100.0)
    assert b.band(start + (28 + 120) * SEC) is None  # window holds 29 points
    b.observe(start + 29 * SEC, 100.0)
    band = b.band(start + (29 + 120) * SEC)
    assert band == Band(100.0, 80.0, 120.0, "recent")
    assert b.band(start + (29 + 119) * SEC) is None  # the 30th point is still inside the lag


# -- the recent fallback -------------------------------------------------------------------


def _feed(b: Baseline, start: int, seconds: int, value, *, learn=True, seed=3) -> int:
    rng = np.random.default_rng(seed)
    for i in range(seconds):
        v = value(i) if callable(value) else value
        b.observe(start + i * SEC, v * (1 + 0.05 * rng.standard_normal()), learn=learn)
    return start + seconds * SEC


def test_recent_fallback_without_history():
    b = Baseline()
    now = _feed(b, at(0, 10), 1800, 100.0)
    band = b.band(now)
    assert band.source == "recent"
    assert band.expected == pytest.approx(100, rel=0.02)
    assert band.below(40.0) and not band.below(90.0)


def test_an_anomaly_younger_than_the_lag_does_not_move_the_band():
    calm, hit = Baseline(), Baseline()
    start = _feed(calm, at(0, 10), 1800, 100.0)
    _feed(hit, at(0, 10), 1800, 100.0)
    now = _feed(hit, start, 60, 0.0, seed=4)  # payments stopped 60 s ago, still learned
    assert hit.band(now) == calm.band(now)
    assert hit.band(now).below(0.0)


def test_learn_false_keeps_an_outage_out_of_the_normal():
    learning, guarded = Baseline(), Baseline()
    start = _feed(learning, at(0, 10), 1800, 100.0)
    _feed(guarded, at(0, 10), 1800, 100.0)
    now = _feed(learning, start, 1200, 0.0)
    _feed(guarded, start, 1200, 0.0, learn=False)
    # Learned, twenty minutes of outage became the new normal; not learned, they did not.
    assert learning.band(now).expected < 10
    assert guarded.band(now).expected == pytest.approx(100, rel=0.02)
    assert guarded.band(now).below(0.0)


def test_nan_values_and_late_points_are_not_kept():
    b = Baseline(min_points=5)
    start = at(0, 10)
    for i in range(10):
        b.observe(start + i * SEC, math.nan if i % 2 else 50.0)
    b.observe(start + 3 * SEC, 1e9)  # late: older than the newest point
    assert b.late_points == 1
    assert b.band(start + (9 + 120) * SEC) == Band(50.0, 40.0, 60.0, "recent")


def test_a_jump_back_in_time_restarts_the_ring():
    b = Baseline(min_points=5)
    _feed(b, at(1, 10), 60, 100.0)
    back = at(0, 10)  # a replay restarted a day earlier
    for i in range(5):
        b.observe(back + i * SEC, 7.0)
    assert b.band(back + (4 + 120) * SEC).expected == 7.0
    assert b.late_points == 0


def test_the_ring_stays_bounded():
    b = Baseline(recent_window_s=60, recent_lag_s=10)
    _feed(b, at(0, 10), 5000, 100.0)
    assert len(b.to_dict()["recent"]["ts_ms"]) <= 71
    fast = Baseline(recent_window_s=60, recent_lag_s=10)
    for i in range(1000):  # ten points a second: capacity, not time, bounds it
        fast.observe(at(0, 10) + i * 100, 1.0)
    assert len(fast.to_dict()["recent"]["ts_ms"]) == 71


# -- the level factor ----------------------------------------------------------------------


def test_a_busier_week_scales_the_profile():
    b = learned(min_rel=0.0)
    plain = b.band(at(3, 10))
    t = at(3, 9.5)
    now = _feed(b, t, 1800, lambda i: 1.2 * float(curve(t + i * SEC)))
    assert now == at(3, 10)
    band = b.band(now)
    assert band.source == "profile"
    assert band.expected == pytest.approx(1.2 * plain.expected, rel=0.02)
    assert (band.high - band.low) == pytest.approx(1.2 * (plain.high - plain.low), rel=0.02)
    # At 1.2× the normal, 600 is normal and half of it is a collapse.
    assert not band.below(600.0) and not band.above(600.0)
    assert band.below(300.0)


@pytest.mark.parametrize("scale, factor", [(3.0, LEVEL_MAX), (0.1, LEVEL_MIN)])
def test_level_factor_is_clamped(scale, factor):
    b = learned()
    plain = b.band(at(3, 10))
    t = at(3, 9.5)
    now = _feed(b, t, 1800, lambda i: scale * float(curve(t + i * SEC)))
    assert b.band(now).expected == pytest.approx(factor * plain.expected, rel=1e-12)


def test_level_factor_needs_min_points_of_evidence():
    b = learned()
    plain = b.band(at(3, 10))
    _feed(b, at(3, 9.8), 29, 900.0)  # 29 points < min_points=30: no evidence
    assert b.band(at(3, 10)) == plain


def test_relearning_recomputes_the_level_of_observed_points():
    b = Baseline()
    t = at(3, 9.5)
    now = _feed(b, t, 1800, lambda i: 1.2 * float(curve(t + i * SEC)))
    assert b.band(now).source == "recent"  # no profile yet: no ratios either
    b.learn(*history())  # the points already observed are 1.2× what this profile expects
    assert b.band(now).source == "profile"
    assert b.band(now).expected == pytest.approx(1.2 * 500, rel=0.03)


# -- persistence ---------------------------------------------------------------------------


def test_round_trip_through_json_gives_identical_bands():
    b = learned(bucket_s=600, utc_offset_h=5.5, k=3.0, min_rel=0.1, min_abs=2.0)
    t = at(3, 9.5)
    _feed(b, t, 1800, lambda i: 1.1 * float(curve(t + i * SEC)))
    copy = Baseline.from_dict(json.loads(json.dumps(b.to_dict())))
    assert copy.params == b.params
    for t in range(at(3, 0), at(4, 0), 7 * MIN + 13 * SEC):
        assert copy.band(t) == b.band(t)
    for t in range(at(3, 9.9), at(3, 10.1), SEC):  # where the level factor is live
        assert copy.band(t) == b.band(t)


def test_round_trip_of_a_recent_only_baseline():
    b = Baseline(min_points=10)
    now = _feed(b, at(0, 10), 600, 100.0)
    copy = Baseline.from_dict(json.loads(json.dumps(b.to_dict())))
    assert copy.band(now) == b.band(now) is not None
    assert copy.usable_buckets == 0


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(format=99),
    lambda d: d.pop("profile"),
    lambda d: d["params"].update(bucket_s=7),
    lambda d: d["params"].update(unknown=1),
    lambda d: d["profile"]["centre"].pop(),
    lambda d: d["recent"]["values"].pop(),
    lambda d: d["recent"]["ts_ms"].reverse(),
])
def test_from_dict_rejects_what_to_dict_did_not_write(mutate):
    b = Baseline(min_points=5)
    _feed(b, at(0, 10), 20, 100.0)
    d = json.loads(json.dumps(b.to_dict()))
    mutate(d)
    with pytest.raises(ValueError):
        Baseline.from_dict(d)


# -- validation and properties -------------------------------------------------------------


@pytest.mark.parametrize("kw", [
    {"bucket_s": 0}, {"bucket_s": 7}, {"bucket_s": -900}, {"bucket_s": 900.0}, {"bucket_s": True},
    {"utc_offset_h": 15}, {"utc_offset_h": math.nan}, {"utc_offset_h": "8"},
    {"k": -1}, {"k": math.inf}, {"min_rel": -0.1}, {"min_abs": -1.0},
    {"recent_window_s": 0}, {"recent_lag_s": -1}, {"min_days": 0}, {"min_points": 0},
])
def test_constructor_rejects_bad_arguments(kw):
    with pytest.raises(ValueError, match=next(iter(kw))):
        Baseline(**kw)


def test_learn_rejects_mismatched_arrays():
    with pytest.raises(ValueError):
        Baseline().learn(np.arange(10), np.arange(9.0))
    with pytest.raises(ValueError):
        Baseline().learn(np.zeros((2, 5)), np.zeros((2, 5)))


finite_or_not = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False), st.just(math.nan), st.just(math.inf),
)


@settings(max_examples=60, deadline=None)
@given(
    hist=st.lists(finite_or_not, max_size=300),
    step_s=st.integers(1, 3600),
    live=st.lists(finite_or_not, max_size=80),
    bucket_s=st.sampled_from([3600, 7200, 86400]),
    k=st.floats(0, 10), min_rel=st.floats(0, 1), min_abs=st.floats(0, 100),
    min_points=st.integers(1, 5), probes=st.lists(st.integers(0, 3 * DAY), min_size=1, max_size=8),
)
def test_bands_are_ordered_and_never_nan(hist, step_s, live, bucket_s, k, min_rel, min_abs,
                                         min_points, probes):
    b = Baseline(bucket_s=bucket_s, k=k, min_rel=min_rel, min_abs=min_abs,
                 min_points=min_points, recent_window_s=120, recent_lag_s=5)
    b.learn(T0 + np.arange(len(hist), dtype=np.int64) * step_s * SEC, np.array(hist, float))
    live_start = T0 + len(hist) * step_s * SEC
    for i, v in enumerate(live):
        b.observe(live_start + i * SEC, v)
    for t in [T0 + p for p in probes] + [live_start + len(live) * SEC]:
        band = b.band(t)
        if band is not None:
            assert band.source in ("profile", "recent")
            assert all(math.isfinite(x) for x in (band.low, band.expected, band.high))
            assert band.low <= band.expected <= band.high
