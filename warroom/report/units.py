"""Units of the platform's metrics, read from their names, and how to print their values.

``*_ratio`` series are 0..1 ratios shown as percentages, ``*_seconds`` latencies shown in
ms or s, ``*_rate`` and ``*_tps`` per-second rates. The console prints them the same way.
"""

from __future__ import annotations

import math

RATIO, SECONDS, RATE, PLAIN = "ratio", "seconds", "rate", "plain"


def unit_of(metric: str) -> str:
    """The unit of a metric name: ``ratio``, ``seconds``, ``rate`` or ``plain``."""
    if metric.endswith("_ratio") or metric == "scenario_step_conversion":  # a funnel step's 0..1
        return RATIO
    if metric.endswith("_seconds"):
        return SECONDS
    if metric.endswith("_rate") or metric.endswith("_tps") or metric == "tps":
        return RATE
    return PLAIN


def format_value(value: float | None, unit: str, *, digits: int | None = None) -> str:
    """A value with its unit: ``64.6%``, ``99.32%``, ``350 ms``, ``1.36 s``, ``2.5k/s``; ``—`` if unknown.

    Ratios near 100 % keep two decimals (99.32 % and 99.95 % are different days).
    ``digits`` forces the decimals of a percentage (used for axis ticks).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == RATIO:
        pct = value * 100
        if digits is not None:
            return f"{pct:.{digits}f}%"
        if pct >= 99 and pct < 100:
            return f"{pct:.2f}%"
        if abs(pct) >= 10:
            return f"{pct:.1f}%"
        return f"{pct:.1f}%" if abs(pct) >= 1 else f"{pct:.2f}%"
    if unit == SECONDS:
        if abs(value) < 1:
            return f"{value * 1000:.0f} ms"
        return f"{value:.2f} s" if abs(value) < 10 else f"{value:.1f} s"
    if unit == RATE:
        return f"{format_number(value)}/s"
    return format_number(value)


def format_number(value: float) -> str:
    """``12k``, ``2.5k``, ``312``, ``4.5``."""
    v = abs(value)
    if v >= 10_000:
        return f"{value / 1000:.0f}k"
    if v >= 1000:
        return f"{value / 1000:.1f}k"
    if v >= 10 or v == 0:
        return f"{value:.0f}"
    return f"{value:.2f}" if v < 1 else f"{value:.1f}"


def format_tick(value: float, unit: str, step: float) -> str:
    """An axis label: as many decimals as the tick step needs, with the unit."""
    if unit == RATIO:
        pct_step = step * 100
        digits = 0 if pct_step >= 1 else (1 if pct_step >= 0.1 else 2)
        return f"{value * 100:.{digits}f}%"
    if unit == SECONDS:
        if step < 1 and abs(value) < 10:
            ms_digits = 0 if step * 1000 >= 1 else 1
            return f"{value * 1000:.{ms_digits}f} ms"
        return f"{value:.{0 if step >= 1 else 1}f} s"
    if unit == RATE:
        if step >= 1000:
            return f"{value / 1000:.{0 if step >= 10_000 else 1}f}k/s"
        return f"{value:.{0 if step >= 1 else 1}f}/s"
    return f"{value:.{0 if step >= 1 else 2}f}"
