"""What the chart panel plots, computed without Qt: series selectors, gaps and decimation.

Kept apart from the widget so the rules ("a gap is a gap", "never invent a point",
"one pixel column keeps its extremes") can be tested on plain arrays.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from warroom.core.model import SeriesKey

#: A gap longer than this many median spacings is drawn as a break in the line.
GAP_FACTOR = 2.5
#: Threshold levels, mildest first.
LEVELS = ("warn", "crit")


@dataclass(frozen=True)
class Selector:
    """A series pattern: a metric name and the labels that must match.

    Labels the selector does not mention match anything, so ``scenario_tps`` picks every
    scenario and ``service_latency_seconds{quantile="0.99"}`` every service's p99. A label
    value may be a glob (``"*"``, ``"bank-*"``).
    """

    name: str
    labels: Mapping[str, str]
    text: str

    @classmethod
    def parse(cls, text: str) -> "Selector":
        """Parse ``name`` or ``name{label="value",...}`` (``ValueError`` if malformed)."""
        key = SeriesKey.parse(text)
        return cls(key.name, dict(key.labels), text.strip())

    def matches(self, key: SeriesKey) -> bool:
        """True if ``key`` has the selector's name and every label it asks for."""
        if key.name != self.name:
            return False
        for label, pattern in self.labels.items():
            value = key.labels.get(label)
            if value is None or not fnmatch.fnmatchcase(value, pattern):
                return False
        return True

    @property
    def exact(self) -> dict[str, str]:
        """The labels without wildcards (the view can filter on these directly)."""
        return {k: v for k, v in self.labels.items() if not any(c in v for c in "*?[")}


def parse_selectors(texts: Iterable[str]) -> list[Selector]:
    """Parse each text; malformed ones are skipped (a saved state may be stale or hand-edited)."""
    out = []
    for text in texts:
        try:
            out.append(Selector.parse(str(text)))
        except ValueError:
            continue
    return out


def resolve(selectors: Iterable[Selector], keys_of) -> list[SeriesKey]:
    """The series the selectors pick, selector order first, each key once.

    ``keys_of(name, **labels)`` lists the known keys (``LiveView.keys``), sorted.
    """
    seen: dict[SeriesKey, None] = {}
    for sel in selectors:
        for key in keys_of(sel.name, **sel.exact):
            if sel.matches(key):
                seen.setdefault(key)
    return list(seen)


def median_step(ts_ms: np.ndarray) -> float | None:
    """The median spacing of the points, ms (None for fewer than three points)."""
    if len(ts_ms) < 3:
        return None
    step = np.diff(ts_ms)
    # The (upper) median by partition: np.median's overhead is most of its cost here.
    k = len(step) // 2
    return float(np.partition(step, k)[k])


def break_gaps(ts_ms: np.ndarray, values: np.ndarray, factor: float = GAP_FACTOR,
               step_ms: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Points in seconds, with a NaN inserted in every gap longer than ``factor`` × the median spacing.

    The NaN makes a ``connect="finite"`` curve lift the pen, so a feed outage shows as a
    hole rather than a straight line drawn across it. Non-finite values already in the
    data stay NaN and break the line too. No other point is added or moved.
    """
    x = ts_ms.astype(np.float64) / 1000.0
    y = values.astype(np.float64, copy=True)
    y[~np.isfinite(y)] = np.nan
    if len(x) < 3:
        return x, y
    median = median_step(ts_ms) if step_ms is None else step_ms
    if not median or median <= 0:
        return x, y
    gaps = np.flatnonzero(np.diff(ts_ms) > factor * median)
    if not len(gaps):
        return x, y
    # The break sits halfway through the gap: inside it, between two real points.
    mid = (x[gaps] + x[gaps + 1]) / 2.0
    return np.insert(x, gaps + 1, mid), np.insert(y, gaps + 1, np.nan)


def decimate(x: np.ndarray, y: np.ndarray, x0: float, x1: float, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a curve to at most four points per pixel column (first, min, max, last).

    What a column draws is a vertical stroke from its minimum to its maximum joined to its
    neighbours, so keeping those four values draws the same pixels as the full data: a
    one-second spike survives a one-hour window. Gaps (NaN) keep their own bin so the
    line stays broken. Short curves come back unchanged.
    """
    n = len(x)
    columns = max(1, int(columns))
    if n <= 4 * columns or x1 <= x0:
        return x, y
    col = np.clip(((x - x0) * (columns / (x1 - x0))).astype(np.int64), 0, columns - 1)
    nan = np.isnan(y)
    # Bin key: a new bin at each column change and around each NaN, in x order, so
    # reduceat can work on contiguous runs.
    segment = np.cumsum(nan)
    key = (segment * (columns + 1) + col) * 2 + nan
    starts = np.concatenate(([0], np.flatnonzero(np.diff(key)) + 1))
    ends = np.concatenate((starts[1:], [n]))
    filled = np.where(nan, 0.0, y)
    lo = np.minimum.reduceat(filled, starts)
    hi = np.maximum.reduceat(filled, starts)
    first, last = y[starts], y[ends - 1]
    xf, xl = x[starts], x[ends - 1]
    gap_bin = nan[starts]
    lo[gap_bin] = hi[gap_bin] = np.nan
    out_x = np.column_stack((xf, xf, xl, xl)).ravel()
    out_y = np.column_stack((first, lo, hi, last)).ravel()
    return out_x, out_y


def last_point(ts_ms: np.ndarray, values: np.ndarray) -> tuple[int, float] | None:
    """The newest finite point, or None."""
    ok = np.flatnonzero(np.isfinite(values))
    if not len(ok):
        return None
    i = int(ok[-1])
    return int(ts_ms[i]), float(values[i])


def value_range(arrays: Iterable[np.ndarray], extra: Iterable[float] = ()) -> tuple[float, float] | None:
    """Smallest and largest finite value over the arrays and ``extra`` (None if there is none)."""
    lo, hi = np.inf, -np.inf
    for a in arrays:
        finite = a[np.isfinite(a)]
        if len(finite):
            lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    for v in extra:
        lo, hi = min(lo, v), max(hi, v)
    if not np.isfinite(lo) or not np.isfinite(hi):
        return None
    return float(lo), float(hi)


def short_names(keys: list[SeriesKey], titles: Mapping[str, Mapping[str, str]] | None = None) -> list[str]:
    """Names that tell the keys apart: the label values that differ between them.

    ``titles`` maps a label to {value: human title} (e.g. scenario ids to their titles).
    A single key is named by all its labels, or its metric name when it has none.
    """
    titles = titles or {}
    if not keys:
        return []
    names_differ = len({k.name for k in keys}) > 1
    varying = [lab for lab in dict.fromkeys(lab for k in keys for lab in k.labels)
               if len({k.labels.get(lab) for k in keys}) > 1]
    out = []
    for k in keys:
        labels = varying or (list(k.labels) if len(keys) == 1 else [])
        # "trade p99" reads better than "p99 trade": the quantile qualifies, it goes last.
        labels = sorted(labels, key=lambda lab: lab == "quantile")
        parts = []
        for lab in labels:
            if lab in ("caller", "callee") and {"caller", "callee"} <= k.labels.keys():
                # An edge reads as one thing, caller→callee, even when only one end differs.
                edge = f"{k.labels['caller']}→{k.labels['callee']}"
                if edge not in parts:
                    parts.append(edge)
            elif lab in k.labels:
                parts.append(_label_text(lab, k.labels[lab], titles))
        if names_differ or not parts:
            parts.insert(0, k.name)
        out.append(" ".join(parts))
    return out


def _label_text(label: str, value: str, titles: Mapping[str, Mapping[str, str]]) -> str:
    if label == "quantile":
        try:
            return f"p{float(value) * 100:g}"
        except ValueError:
            return value
    return titles.get(label, {}).get(value, value)


def clean_thresholds(entries: Iterable) -> list[tuple[float, str]]:
    """``(value, level)`` pairs with a finite value and a known level; anything else is dropped."""
    clean = []
    for entry in entries:
        try:
            value, level = float(entry[0]), str(entry[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
        if level in LEVELS and np.isfinite(value):
            clean.append((value, level))
    return clean


def threshold_level(value: float, thresholds: list[tuple[float, str]], lower_is_worse: bool = False) -> str:
    """``ok``, ``warn`` or ``crit`` for a value against thresholds.

    With both levels their order says which way is worse (crit below warn: lower is
    worse, as for a success ratio); with one, ``lower_is_worse`` decides.
    """
    warn = [v for v, lvl in thresholds if lvl == "warn"]
    crit = [v for v, lvl in thresholds if lvl == "crit"]
    if warn and crit:
        lower_is_worse = min(crit) < min(warn)
    for level, limits in (("crit", crit), ("warn", warn)):
        if any((value <= t) if lower_is_worse else (value >= t) for t in limits):
            return level
    return "ok"


def sticky_range(span: tuple[float, float], current: tuple[float, float] | None,
                 floor_zero: bool = False, pad: float = 0.05) -> tuple[float, float]:
    """The y range to show for data spanning ``span``: ``current`` while it still fits.

    A new range is padded by ``pad`` of the span on each side; with ``floor_zero`` (values
    that are never negative) it does not reach below zero.
    """
    lo, hi = span
    if current is not None and current[0] <= lo and hi <= current[1] and (hi - lo) >= 0.5 * (current[1] - current[0]):
        return current
    margin = (hi - lo) * pad or max(abs(hi) * pad, 1e-6)
    low = max(0.0, lo - margin) if floor_zero and lo >= 0 else lo - margin
    return low, hi + margin


# -- the wall's emphasis (``emphasis: worst``) -----------------------------------------------
#: Emphasis settings of a chart: ``all`` draws every series in its own colour with a legend
#: (a desk), ``worst`` only the unhealthy ones, labelled at their end (a wall), ``auto``
#: follows wall mode.
EMPHASIS = ("auto", "all", "worst")
_LEVEL_RANK = {"crit": 0, "warn": 1}


def rank_unhealthy(entries: Iterable[tuple[object, str, float | None]], lower_is_worse: bool) -> list[object]:
    """The keys of the ``(key, level, value)`` entries at ``warn`` or ``crit``, worst first:
    critical before warning, then the value furthest on the bad side."""
    bad = [(key, level, value) for key, level, value in entries if level in _LEVEL_RANK]

    def order(entry: tuple[object, str, float | None]) -> tuple[int, float]:
        _, level, value = entry
        v = value if value is not None and np.isfinite(value) else 0.0
        return _LEVEL_RANK[level], (v if lower_is_worse else -v)

    return [key for key, _, _ in sorted(bad, key=order)]


def min_span_range(span: tuple[float, float], min_span: float, lower_is_worse: bool,
                   ceiling: float | None = None) -> tuple[float, float]:
    """Widen ``span`` to at least ``min_span``, towards the bad side, so a chart of calm data
    does not blow its noise up to the full height (0.3 points of jitter on a 99.5 % line
    drawn as a cliff). ``ceiling`` caps the good side (a ratio never exceeds 1)."""
    lo, hi = span
    if hi - lo >= min_span:
        return lo, hi
    if lower_is_worse:
        hi = min(hi, ceiling) if ceiling is not None else hi
        return min(lo, hi - min_span), hi
    return lo, max(hi, lo + min_span)


def stack_labels(wanted: list[float], heights: list[float], top: float, bottom: float) -> list[float]:
    """Top edges for labels of the given heights that want their centres at ``wanted``
    (pixels, downwards), so that no two overlap and all lie within ``[top, bottom]``.

    Order by position is kept (a label never jumps over another); each label lands as
    near its wish as the others allow. If the labels are taller than the room together,
    the bottom ones overflow the bottom edge: callers drop labels first.
    """
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    tops = [0.0] * len(wanted)
    edge = top
    for i in order:  # downwards: each below its wish or the one above
        tops[i] = max(wanted[i] - heights[i] / 2.0, edge)
        edge = tops[i] + heights[i]
    edge = bottom
    for i in reversed(order):  # upwards: back inside the bottom edge, never above the top
        tops[i] = max(top, min(tops[i], edge - heights[i]))
        edge = tops[i]
    return tops
