"""Dynamic baseline: the normal band of one series, learned from its history (pure, numpy).

A payment platform's traffic follows the clock: quiet at 03:00, a morning peak, an evening
peak. A fixed threshold either misses a silent drop at the peak or fires every night, so
traffic and latency rules compare a value with a band learned from history instead.

How ``Baseline.band(ts)`` is made:

1. **Profile** (``source="profile"``). ``learn()`` cuts the day (local time = UTC +
   ``utc_offset_h``, no daylight saving) into buckets ``bucket_s`` wide and keeps, per bucket,
   the median of every historical point in it (all days together) and a spread: the median
   absolute residual against the interpolated centre, scaled by 1.4826 to a σ. Medians, not
   means, so that a past outage or promotion in the history does not drag the normal with it.
   A bucket is usable only with at least ``min_days`` distinct days and ``min_points`` points.
   Between bucket centres the band is interpolated linearly (wrapping around midnight), so it
   moves smoothly instead of jumping every quarter hour; the spread is measured against that
   same interpolated line, so a steep morning ramp does not widen the band. Where the bucket
   at ``ts`` is not usable there is no profile: the band is never extrapolated from other
   hours; a usable bucket next to an unusable one is used flat.
2. **Level factor.** A profile says how the day is shaped, not how busy this week is. Each
   observed point is divided by the profile's expected value at its time; the band scales
   the profile's expected value and σ by the median of those ratios over the recent window
   (below), clamped to [0.5, 2] (``LEVEL_MIN``/``LEVEL_MAX``), when at least ``min_points``
   ratios are there (otherwise 1). So a week 20 % busier moves the band up 20 %, but a
   collapse cannot drag the band below half of the profile. The lag of the window, and the
   caller's ``observe(..., learn=False)`` while a series is anomalous, keep the anomaly itself
   out of the factor.
3. **Recent** (``source="recent"``), when there is no profile at ``ts``: median and σ of the
   observed points in ``[ts - recent_window_s - recent_lag_s, ts - recent_lag_s]``, if at least
   ``min_points`` are there. The lag keeps a developing anomaly out of its own baseline.
4. Otherwise ``None``: not enough data to judge, never a guessed band.

Width: ``low = expected - h``, ``high = expected + h`` with
``h = max(k·σ, min_rel·|expected|, min_abs)``. The band is two-sided; callers choose the side
that matters (traffic alerts below the band only, since a promotion peak is above it;
latency alerts above only).

Live points are kept in a bounded ring: ``recent_window_s + recent_lag_s + 1`` points (one a
second fills it), older ones dropped. ``observe`` and ``band`` cost a few microseconds: the
window's values are kept sorted as it slides (``sorted_window``), in a buffer allocated once,
so its medians are binary searches; nothing big is allocated per call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from warroom.core.alerting.sorted_window import SortedWindow

DAY_MS = 86_400_000
#: MAD of a normal distribution times this is its σ.
MAD_TO_SIGMA = 1.4826
#: Clamp of the level factor (recent level over profile level).
LEVEL_MIN = 0.5
LEVEL_MAX = 2.0
#: Version of the ``to_dict`` layout.
FORMAT = 1
SOURCES = ("profile", "recent")


@dataclass(frozen=True)
class Band:
    """The normal range of a series at one instant.

    ``source`` is ``"profile"`` (time-of-day history, scaled by the level factor) or
    ``"recent"`` (rolling fallback).
    """

    expected: float
    low: float
    high: float
    source: str

    def below(self, value: float) -> bool:
        """True if ``value`` is under the band (False for NaN)."""
        return value < self.low

    def above(self, value: float) -> bool:
        """True if ``value`` is over the band (False for NaN)."""
        return value > self.high


def _int_param(name: str, value: Any, lo: int) -> int:
    # bool is an int subclass; `min_days=True` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < lo:
        raise ValueError(f"{name} must be >= {lo}, got {value}")
    return int(value)


def _float_param(name: str, value: Any, lo: float, hi: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name} must be finite and in [{lo}, {hi}], got {value}")
    return value


def _grouped_median(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Median of ``values`` per group id in ``0..n-1`` (NaN for empty groups), vectorised."""
    out = np.full(n, np.nan)
    if values.size == 0:
        return out
    ordered = values[np.lexsort((values, groups))]
    counts = np.bincount(groups, minlength=n)
    starts = np.cumsum(counts) - counts
    has = counts > 0
    lo = ordered[starts[has] + (counts[has] - 1) // 2]
    hi = ordered[starts[has] + counts[has] // 2]
    out[has] = lo + (hi - lo) * 0.5
    return out


class Baseline:
    """One series' learned normal: a time-of-day profile plus a rolling recent window.

    Typical use: ``learn(ts, values)`` once with days of history (from the store), then
    every second ``observe(ts, value, learn=not anomalous)`` and ``band(ts)``. See the
    module docstring for the method.
    """

    def __init__(
        self,
        *,
        bucket_s: int = 900,
        utc_offset_h: float = 8.0,
        k: float = 4.0,
        min_rel: float = 0.2,
        min_abs: float = 0.0,
        recent_window_s: int = 1800,
        recent_lag_s: int = 120,
        min_days: int = 1,
        min_points: int = 30,
    ) -> None:
        self._bucket_s = _int_param("bucket_s", bucket_s, 1)
        if 86_400 % self._bucket_s:
            raise ValueError(f"bucket_s must divide a day (86400 s), got {bucket_s}")
        self._utc_offset_h = _float_param("utc_offset_h", utc_offset_h, -14.0, 14.0)
        self._k = _float_param("k", k, 0.0)
        self._min_rel = _float_param("min_rel", min_rel, 0.0)
        self._min_abs = _float_param("min_abs", min_abs, 0.0)
        self._window_s = _int_param("recent_window_s", recent_window_s, 1)
        self._lag_s = _int_param("recent_lag_s", recent_lag_s, 0)
        self._min_days = _int_param("min_days", min_days, 1)
        self._min_points = _int_param("min_points", min_points, 1)

        self._nb = 86_400 // self._bucket_s
        self._bucket_ms = self._bucket_s * 1000
        self._offset_ms = round(self._utc_offset_h * 3_600_000)
        self._window_ms = self._window_s * 1000
        self._lag_ms = self._lag_s * 1000
        self._span_ms = self._window_ms + self._lag_ms
        self._set_profile(np.full(self._nb, np.nan), np.full(self._nb, np.nan),
                          np.zeros(self._nb, np.int64), np.zeros(self._nb, np.int64))

        # Ring of learnable live points. Kept contiguous and time-ordered in [lo, hi) of a
        # buffer a quarter larger than needed: appends are O(1) and, when the end is
        # reached, the live part is moved to the front (amortised a few copies per point).
        # Contiguity lets band() binary-search its window and copy it in one slice.
        self._cap = self._window_s + self._lag_s + 1
        size = self._cap + max(64, self._cap // 4)
        self._rts = np.zeros(size, np.int64)
        self._rval = np.zeros(size, np.float64)
        self._rratio = np.zeros(size, np.float64)  # value / profile expected, NaN if none
        self._rpre = np.zeros(size, np.int64)  # valid ratios before this point (running)
        # The window's values (or ratios) kept sorted: its medians cost a binary search, not
        # a partition of the whole window each second (``sorted_window``).
        self._sorted = SortedWindow(self._cap)
        self._clear_ring()
        self._late = 0

    # -- parameters and state ------------------------------------------------------------

    @property
    def params(self) -> dict[str, Any]:
        """The constructor arguments, as given (validated)."""
        return {
            "bucket_s": self._bucket_s, "utc_offset_h": self._utc_offset_h, "k": self._k,
            "min_rel": self._min_rel, "min_abs": self._min_abs,
            "recent_window_s": self._window_s, "recent_lag_s": self._lag_s,
            "min_days": self._min_days, "min_points": self._min_points,
        }

    @property
    def usable_buckets(self) -> int:
        """How many time-of-day buckets have enough history (0 before ``learn``)."""
        return int(self._usable.sum())

    @property
    def late_points(self) -> int:
        """Live points ignored because they were older than the newest one observed."""
        return self._late

    def _set_profile(self, centre: np.ndarray, sigma: np.ndarray,
                     points: np.ndarray, days: np.ndarray) -> None:
        self._points = points
        self._days = days
        self._usable = (days >= self._min_days) & (points >= self._min_points)
        self._centre = np.where(self._usable, centre, np.nan)
        self._sigma = np.where(self._usable, sigma, np.nan)
        self._raw_centre = centre  # kept for to_dict: buckets with data but too little
        self._raw_sigma = sigma
        # Python lists: scalar indexing in band()/observe() is several times faster than
        # indexing numpy arrays.
        self._c_list = self._centre.tolist()
        self._s_list = self._sigma.tolist()
        self._u_list = self._usable.tolist()

    def _clear_ring(self) -> None:
        self._lo = self._hi = 0
        self._base = 0  # sequence number of buffer index 0 (for cache keys)
        self._ok_total = 0
        self._last_ts: int | None = None
        self._gen = getattr(self, "_gen", 0) + 1
        self._level_key: tuple[int, int, int] | None = None
        self._level_val = 1.0
        self._recent_key: tuple[int, int, int] | None = None
        self._recent_val: tuple[float, float] | None = None

    # -- profile ---------------------------------------------------------------------------

    def learn(self, ts_ms: np.ndarray, values: np.ndarray) -> None:
        """Fit the time-of-day profile from history, replacing any previous one.

        ``ts_ms`` are epoch milliseconds, ``values`` the readings (same length, any order,
        any span). NaN or infinite values (and timestamps) are ignored.
        """
        ts = np.asarray(ts_ms)
        v = np.asarray(values, dtype=np.float64)
        if ts.ndim != 1 or v.shape != ts.shape:
            raise ValueError(f"ts_ms and values must be 1-D of the same length, "
                             f"got shapes {ts.shape} and {v.shape}")
        ok = np.isfinite(v)
        if ts.dtype.kind == "f":
            ok &= np.isfinite(ts)
        elif ts.dtype.kind not in "iu":
            raise ValueError(f"ts_ms must be numeric, got dtype {ts.dtype}")
        ts = ts[ok].astype(np.int64)
        v = v[ok]
        nb = self._nb
        local = ts + self._offset_ms
        bucket = (local % DAY_MS) // self._bucket_ms
        points = np.bincount(bucket, minlength=nb).astype(np.int64)
        day_keys = np.unique((local // DAY_MS) * nb + bucket)
        days = np.bincount(day_keys % nb, minlength=nb).astype(np.int64)
        centre = _grouped_median(bucket, v, nb)

        # Spread against the line band() will draw, not against the flat bucket median:
        # inside a bucket on a steep ramp the flat median is off by the ramp itself.
        self._set_profile(centre, np.full(nb, np.nan), points, days)
        line, _ = self._profile_many(ts)
        fit = np.isfinite(line)
        sigma = MAD_TO_SIGMA * _grouped_median(bucket[fit], np.abs(v[fit] - line[fit]), nb)
        self._set_profile(centre, sigma, points, days)
        self._refresh_ratios()

    def _profile_at(self, ts_ms: int) -> tuple[float, float] | None:
        """(centre, σ) of the profile at ``ts_ms``, or None where the bucket is unusable."""
        p = ((ts_ms + self._offset_ms) % DAY_MS) / self._bucket_ms - 0.5
        i = math.floor(p)
        w = p - i
        i0 = i % self._nb
        i1 = (i0 + 1) % self._nb
        # ts lies in bucket i0 while it is before the midpoint between the two centres.
        own, other = (i0, i1) if w < 0.5 else (i1, i0)
        u = self._u_list
        if not u[own]:
            return None
        c, s = self._c_list, self._s_list
        if not u[other]:
            return c[own], s[own]
        return c[i0] + (c[i1] - c[i0]) * w, s[i0] + (s[i1] - s[i0]) * w

    def _profile_many(self, ts_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vectorised ``_profile_at`` (same arithmetic); NaN where there is no profile."""
        p = ((ts_ms + self._offset_ms) % DAY_MS) / self._bucket_ms - 0.5
        fl = np.floor(p)
        w = p - fl
        i0 = fl.astype(np.int64) % self._nb
        i1 = (i0 + 1) % self._nb
        first = w < 0.5
        own = np.where(first, i0, i1)
        other = np.where(first, i1, i0)
        c, s, u = self._centre, self._sigma, self._usable
        with np.errstate(invalid="ignore"):
            cm = c[i0] + (c[i1] - c[i0]) * w
            sm = s[i0] + (s[i1] - s[i0]) * w
        flat = ~u[other]
        cm[flat] = c[own[flat]]
        sm[flat] = s[own[flat]]
        dead = ~u[own]
        cm[dead] = np.nan
        sm[dead] = np.nan
        return cm, sm

    # -- live points -----------------------------------------------------------------------

    def observe(self, ts_ms: int, value: float, *, learn: bool = True) -> None:
        """Feed one live point (epoch ms). Pass ``learn=False`` while the series is anomalous.

        Such points, NaN/infinite values and points older than the newest one (late
        arrivals; counted in ``late_points``) are not kept. A jump back in time by more than
        the ring's span (a replay restarted) clears the ring.
        """
        if not learn:
            return
        v = float(value)
        if not math.isfinite(v):
            return
        t = int(ts_ms)
        if self._last_ts is not None and t < self._last_ts:
            if self._last_ts - t <= self._span_ms:
                self._late += 1
                return
            self._clear_ring()
        if self._hi == self._rts.size:
            self._compact()
        i = self._hi
        prof = self._profile_at(t)
        ratio = v / prof[0] if prof is not None and prof[0] > 0 else math.nan
        self._rts[i] = t
        self._rval[i] = v
        self._rratio[i] = ratio
        self._rpre[i] = self._ok_total
        if ratio == ratio:  # not NaN
            self._ok_total += 1
        self._hi = i + 1
        self._last_ts = t
        # Drop what no band at or after `t` can use, and keep to the ring's capacity.
        cutoff = t - self._span_ms
        rts = self._rts
        lo = self._lo
        while rts[lo] < cutoff:
            lo += 1
        self._lo = max(lo, self._hi - self._cap)

    def _compact(self) -> None:
        n = self._hi - self._lo
        for arr in (self._rts, self._rval, self._rratio, self._rpre):
            arr[:n] = arr[self._lo:self._hi]
        self._base += self._lo
        self._lo, self._hi = 0, n

    def _refresh_ratios(self) -> None:
        """Recompute the ring's ratios after the profile changed."""
        lo, hi = self._lo, self._hi
        self._gen += 1
        if hi == lo:
            return
        expected, _ = self._profile_many(self._rts[lo:hi])
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(expected > 0, self._rval[lo:hi] / expected, np.nan)
        self._rratio[lo:hi] = ratio
        valid = ~np.isnan(ratio)
        self._rpre[lo:hi] = np.cumsum(valid) - valid
        self._ok_total = int(valid.sum())

    # -- the band --------------------------------------------------------------------------

    def band(self, ts_ms: int) -> Band | None:
        """The normal band at ``ts_ms``, or None while there is not enough data to judge."""
        t = int(ts_ms)
        end = t - self._lag_ms
        view = self._rts[self._lo:self._hi]
        a = self._lo + int(np.searchsorted(view, end - self._window_ms, "left"))
        b = self._lo + int(np.searchsorted(view, end, "right"))
        prof = self._profile_at(t)
        if prof is not None:
            f = self._level(a, b)
            return self._make(prof[0] * f, prof[1] * f, "profile")
        recent = self._recent(a, b)
        if recent is None:
            return None
        return self._make(recent[0], recent[1], "recent")

    def _make(self, expected: float, sigma: float, source: str) -> Band | None:
        half = max(self._k * sigma, self._min_rel * abs(expected), self._min_abs)
        low, high = expected - half, expected + half
        if not (math.isfinite(low) and math.isfinite(high)):
            return None  # only with absurd magnitudes; a band of inf would be a guess
        return Band(expected, low, high, source)

    def _window(self, tag: int, a: int, b: int) -> SortedWindow:
        """The sorted window of ring positions ``[a, b)``: values (tag 0) or ratios (tag 1)."""
        ring = self._rval if tag == 0 else self._rratio
        base = self._base
        self._sorted.move(self._gen, tag, base + a, base + b, base, lambda i, j: ring[i - base:j - base])
        return self._sorted

    def _level(self, a: int, b: int) -> float:
        key = (self._gen, self._base + a, self._base + b)
        if key == self._level_key:
            return self._level_val
        pre = self._rpre
        count = (pre[b] if b < self._hi else self._ok_total) - pre[a] if b > a else 0
        f = 1.0
        if count >= self._min_points:
            f = min(LEVEL_MAX, max(LEVEL_MIN, self._window(1, a, b).median()))
        self._level_key, self._level_val = key, f
        return f

    def _recent(self, a: int, b: int) -> tuple[float, float] | None:
        key = (self._gen, self._base + a, self._base + b)
        if key == self._recent_key:
            return self._recent_val
        n = b - a
        val = None
        if n >= self._min_points:
            window = self._window(0, a, b)
            centre = window.median()
            val = (centre, MAD_TO_SIGMA * window.mad(centre))
        self._recent_key, self._recent_val = key, val
        return val

    # -- persistence -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: parameters, the learned profile and the live ring.

        The ring is included so a restored baseline gives identical bands (at most
        ``recent_window_s + recent_lag_s + 1`` points).
        """
        def floats(a: np.ndarray) -> list[float | None]:
            return [None if math.isnan(x) else x for x in a.tolist()]

        lo, hi = self._lo, self._hi
        return {
            "format": FORMAT,
            "params": self.params,
            "profile": {
                "centre": floats(self._raw_centre), "sigma": floats(self._raw_sigma),
                "points": self._points.tolist(), "days": self._days.tolist(),
            },
            "recent": {"ts_ms": self._rts[lo:hi].tolist(), "values": self._rval[lo:hi].tolist()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Baseline:
        """Rebuild a baseline saved by ``to_dict``; ValueError if ``d`` is not one."""
        try:
            if d.get("format") != FORMAT:
                raise ValueError(f"unsupported baseline format {d.get('format')!r}")
            self = cls(**d["params"])
            prof, recent = d["profile"], d["recent"]
            arrays = [np.array([math.nan if x is None else x for x in prof[name]], np.float64)
                      for name in ("centre", "sigma")]
            counts = [np.array(prof[name], np.int64) for name in ("points", "days")]
            ts = np.array(recent["ts_ms"], np.int64)
            vals = np.array(recent["values"], np.float64)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a saved baseline: {exc!r}") from exc
        if any(a.shape != (self._nb,) for a in arrays + counts):
            raise ValueError(f"profile arrays must have {self._nb} buckets")
        if ts.ndim != 1 or vals.shape != ts.shape or not np.isfinite(vals).all():
            raise ValueError("recent points must be matching lists of finite values")
        if ts.size and (np.diff(ts) < 0).any():
            raise ValueError("recent points must be in time order")
        self._set_profile(arrays[0], arrays[1], counts[0], counts[1])
        n = min(ts.size, self._cap)
        self._rts[:n] = ts[ts.size - n:]
        self._rval[:n] = vals[vals.size - n:]
        self._lo, self._hi = 0, n
        self._last_ts = int(self._rts[n - 1]) if n else None
        self._refresh_ratios()
        return self
