"""The forecast peak of a service's traffic: its learned day, scaled to this week's level.

The patrol asks "will the next peak fit?", not "does the load fit now?": at 04:00 every service
fits. The forecast reads the traffic baseline (``warroom.core.alerting.baseline``) and does not
invent one:

1. A ``Baseline`` learns the time-of-day profile of ``service_requests_rate`` from the history
   (medians per quarter hour over all days; ``PROFILE`` below: a bucket is usable with one day
   and five points, which 90-second averages of one day give).
2. The level factor: the median of observed / profile over the patrol window, clamped to the
   baseline's own ``[LEVEL_MIN, LEVEL_MAX]`` (a week 20 % busier forecasts a peak 20 % higher;
   fewer than ``MIN_RATIOS`` ratios: 1).
3. The peak: the largest profile value over the next ``horizon_ms`` (a day), sampled every five
   minutes, times the level factor. ``coverage`` says how much of that day the profile knows.

No usable profile bucket in the coming day: ``None`` — the patrol then says "unknown
headroom" rather than judging capacity against the load of the moment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from warroom.core.alerting.baseline import LEVEL_MAX, LEVEL_MIN, Baseline

DAY_MS = 86_400_000
STEP_MS = 300_000  # the forecast day is sampled every five minutes
MIN_RATIOS = 10
#: Baseline parameters of the forecast: usable with one day of 90-second averages.
PROFILE = {"bucket_s": 900, "min_days": 1, "min_points": 5}


@dataclass(frozen=True)
class Forecast:
    """The forecast peak of one series over the coming ``horizon`` (req/s)."""

    peak: float
    peak_at_ms: int
    level: float  # the level factor applied to the profile
    coverage: float  # share of the horizon the profile covers, 0..1


def forecast_peak(history_ts: np.ndarray, history_values: np.ndarray, window_ts: np.ndarray,
                  window_values: np.ndarray, now_ms: int, *, horizon_ms: int = DAY_MS,
                  utc_offset_h: float = 8.0) -> Forecast | None:
    """The peak of the next ``horizon_ms`` from ``now_ms``, or None without a usable profile.

    ``history_*`` teach the profile (epoch ms, req/s; any order, NaN ignored); ``window_*`` are
    the patrol window's points, which set the level factor.
    """
    ts = np.asarray(history_ts, dtype=np.int64)
    if ts.size == 0:
        return None
    base = Baseline(utc_offset_h=utc_offset_h, **PROFILE)
    base.learn(ts, np.asarray(history_values, dtype=np.float64))
    if base.usable_buckets == 0:
        return None
    # No live points are observed: band() is then the bare profile (level factor 1).
    level = _level(base, np.asarray(window_ts, dtype=np.int64), np.asarray(window_values, dtype=np.float64))
    best: tuple[float, int] | None = None
    steps = max(1, horizon_ms // STEP_MS)
    known = 0
    for i in range(steps):
        t = int(now_ms) + i * STEP_MS
        band = base.band(t)
        if band is None or band.source != "profile":
            continue
        known += 1
        if best is None or band.expected > best[0]:
            best = (band.expected, t)
    if best is None:
        return None
    return Forecast(peak=best[0] * level, peak_at_ms=best[1], level=level, coverage=known / steps)


def _level(base: Baseline, ts: np.ndarray, values: np.ndarray) -> float:
    ratios = []
    for t, v in zip(ts.tolist(), values.tolist()):
        band = base.band(int(t))
        if band is not None and band.source == "profile" and band.expected > 0 and math.isfinite(v):
            ratios.append(v / band.expected)
    if len(ratios) < MIN_RATIOS:
        return 1.0
    return float(min(LEVEL_MAX, max(LEVEL_MIN, float(np.median(ratios)))))
