"""Offered traffic: the daily curve, planned promotions and ad-hoc surges.

A world file may give its own curve (``DailyCurve``); this module's constants are the
payment platform's.

The daily curve is read from the tick's timestamp in **UTC+8** (China Standard Time, where
the platform's users live): a trough of about 6% of peak around 04:00, a late-morning
peak around 10:30, an afternoon shoulder and an evening peak around 20:30. ``1.0`` is the
daily peak, which is what ``Platform.base_tps`` is quoted at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Local time of the platform's users, hours east of UTC.
UTC_OFFSET_H = 8.0

_FLOOR = 0.06
# (centre hour, width in hours, height): morning peak, afternoon shoulder, evening peak.
_BUMPS = ((10.5, 2.2, 0.85), (15.0, 2.0, 0.45), (20.5, 2.0, 0.90))
_DAY_MS = 86_400_000


def local_hour(ts_ms: int, utc_offset_h: float = UTC_OFFSET_H) -> float:
    """Hour of the local (UTC+8 unless told) day, 0 <= h < 24, with fractions."""
    return ((ts_ms / 3_600_000.0) + utc_offset_h) % 24.0


def _bumps_curve(hour: float, floor: float, bumps: tuple[tuple[float, float, float], ...]) -> float:
    value = floor
    for centre, width, height in bumps:
        d = abs(hour - centre)
        d = min(d, 24.0 - d)  # the day wraps around midnight
        value += height * math.exp(-0.5 * (d / width) ** 2)
    return value


def _raw_curve(hour: float) -> float:
    return _bumps_curve(hour, _FLOOR, _BUMPS)


def _points_curve(hour: float, points: tuple[tuple[float, float], ...]) -> float:
    """Straight lines between ``(hour, factor)`` points, wrapping around midnight."""
    if len(points) == 1:
        return points[0][1]
    for (h0, v0), (h1, v1) in zip(points, points[1:] + ((points[0][0] + 24.0, points[0][1]),)):
        h = hour if hour >= h0 else hour + 24.0
        if h0 <= h <= h1:
            return v0 + (v1 - v0) * (h - h0) / (h1 - h0)
    return points[0][1]


# Normalise once so the busiest minute of the day is exactly 1.0.
_PEAK = max(_raw_curve(m / 60.0) for m in range(24 * 60))


def daily_factor(ts_ms: int) -> float:
    """Offered traffic at ``ts_ms`` as a fraction of the daily peak (about 0.06 to 1.0)."""
    return _raw_curve(local_hour(ts_ms)) / _PEAK


@dataclass(frozen=True)
class DailyCurve:
    """A world's daily traffic curve: ``factor(ts_ms)`` is offered traffic as a share of the
    daily peak (``Platform.base_tps`` is quoted at the peak), read in the world's local time.

    Either ``floor`` plus Gaussian ``bumps`` ``(centre hour, width in hours, height)`` (the
    payment platform's curve, ``DailyCurve()``), or ``points`` ``(local hour, factor)`` joined
    by straight lines around the clock. Both are scaled so the busiest minute is exactly 1.0.
    """

    def __deepcopy__(self, memo: dict) -> DailyCurve:
        return self  # immutable: a copied simulator (a drill's fork) may share it

    utc_offset_h: float = UTC_OFFSET_H
    floor: float = _FLOOR
    bumps: tuple[tuple[float, float, float], ...] = _BUMPS
    points: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if not -12.0 <= self.utc_offset_h <= 14.0:
            raise ValueError(f"utc_offset_h must be between -12 and 14, got {self.utc_offset_h!r}")
        points = tuple(sorted((float(h), float(v)) for h, v in self.points))
        if any(not 0.0 <= h < 24.0 or v < 0 for h, v in points):
            raise ValueError("curve points need an hour in 0..24 and a factor >= 0")
        if len({h for h, _ in points}) != len(points):
            raise ValueError("curve points need different hours")
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "bumps", tuple(tuple(float(x) for x in b) for b in self.bumps))
        peak = max(self._raw(m / 60.0) for m in range(24 * 60))
        if not peak > 0:
            raise ValueError("a traffic curve needs some traffic")
        object.__setattr__(self, "_peak", peak)

    def _raw(self, hour: float) -> float:
        if self.points:
            return _points_curve(hour, self.points)
        return _bumps_curve(hour, self.floor, self.bumps)

    def factor(self, ts_ms: int) -> float:
        """Offered traffic at ``ts_ms`` as a fraction of the daily peak (0 to 1.0)."""
        return self._raw(local_hour(ts_ms, self.utc_offset_h)) / self._peak  # type: ignore[attr-defined]


#: The payment platform's curve (UTC+8): what ``daily_factor`` gives.
DEFAULT_CURVE = DailyCurve()


def _trapezoid(t_s: float, duration_s: float, ramp_s: float) -> float:
    """0 → 1 over ``ramp_s``, hold, 1 → 0 over the last ``ramp_s`` of ``duration_s``."""
    if t_s < 0 or t_s >= duration_s:
        return 0.0
    if ramp_s <= 0:
        return 1.0
    return min(1.0, (t_s + 1.0) / ramp_s, (duration_s - t_s) / ramp_s)


@dataclass(frozen=True)
class Surge:
    """An ad-hoc surge: traffic times ``multiplier`` from ``start_ms`` for ``duration_s``.

    ``scenarios`` limits it to some scenario ids; empty means every scenario.
    """

    start_ms: int
    duration_s: float
    multiplier: float
    ramp_s: float = 5.0
    scenarios: tuple[str, ...] = ()

    @property
    def end_ms(self) -> int:
        """When the surge is over."""
        return self.start_ms + int(self.duration_s * 1000)

    def factor(self, ts_ms: int) -> float:
        """Traffic multiplier at ``ts_ms`` (1.0 outside the surge)."""
        w = _trapezoid((ts_ms - self.start_ms) / 1000.0, self.duration_s, self.ramp_s)
        return 1.0 + (self.multiplier - 1.0) * w


@dataclass(frozen=True)
class Promotion:
    """A planned daily promotion, such as the shopping festival's "midnight peak".

    Every day at ``start_local`` (``"HH:MM"``, UTC+8) traffic rises to ``multiplier`` times
    what the daily curve gives, for ``duration_s`` seconds, ramping over ``ramp_s``.
    """

    start_local: str = "00:00"
    duration_s: float = 1800.0
    multiplier: float = 6.0
    ramp_s: float = 30.0
    scenarios: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        hh, _, mm = self.start_local.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ValueError(f"start_local must be 'HH:MM', not {self.start_local!r}")
        if self.multiplier <= 0 or not 0 < self.duration_s < 86_400:
            raise ValueError("a promotion needs a positive multiplier and a duration under a day")

    def window_start(self, ts_ms: int) -> int:
        """Start (epoch ms) of the most recent promotion window that began at or before ``ts_ms``."""
        hh, _, mm = self.start_local.partition(":")
        offset_ms = int((int(hh) * 60 + int(mm)) * 60_000 - UTC_OFFSET_H * 3_600_000)
        return (ts_ms - offset_ms) // _DAY_MS * _DAY_MS + offset_ms

    def factor(self, ts_ms: int) -> float:
        """Traffic multiplier at ``ts_ms`` (1.0 outside the window)."""
        t_s = (ts_ms - self.window_start(ts_ms)) / 1000.0
        return 1.0 + (self.multiplier - 1.0) * _trapezoid(t_s, self.duration_s, self.ramp_s)
