"""Axes of the chart panel: feed time as HH:MM:SS below, values with their unit at the left.

Curves keep the series' own values (a ratio stays 0..1, a latency stays in seconds), so
what is plotted is what the view holds; the axis scales its tick labels instead
(pyqtgraph's ``AxisItem.setScale``): ratio → %, seconds → ms.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pyqtgraph as pg


@dataclass(frozen=True)
class Unit:
    """How to show a metric's values: multiply by ``scale`` and append ``suffix``."""

    kind: str  # "percent", "ms", "rate", "tps" or "plain"
    scale: float = 1.0
    suffix: str = ""


PERCENT = Unit("percent", 100.0, "%")
MILLISECONDS = Unit("ms", 1000.0, " ms")
RATE = Unit("rate", 1.0, "/s")
TPS = Unit("tps", 1.0, " TPS")
PLAIN = Unit("plain")


def unit_for(metric: str) -> Unit:
    """The display unit of a metric, read from its name's suffix (Prometheus naming)."""
    if metric.endswith("_ratio"):
        return PERCENT
    if metric.endswith("_seconds"):
        return MILLISECONDS
    if metric.endswith("_tps"):
        return TPS
    if metric.endswith("_rate") or metric.endswith("_total"):
        return RATE
    return PLAIN


def format_value(value: float | None, unit: Unit) -> str:
    """A value as a person reads it: ``99.95%``, ``250 ms``, ``2,345/s``; ``—`` for none."""
    if value is None or not math.isfinite(value):
        return "—"
    v = value * unit.scale
    if unit.kind == "percent":
        # Success ratios live just under 100% and error ratios just above 0%: both need
        # the second decimal to tell 99.95% from 99.9%.
        places = 2 if abs(v) < 1 or 99 <= abs(v) < 100 else 1
        return f"{v:.{places}f}{unit.suffix}"
    if unit.kind == "ms":
        if abs(v) >= 10_000:
            return f"{v / 1000:.1f} s"
        return f"{v:.1f}{unit.suffix}" if abs(v) < 10 else f"{v:,.0f}{unit.suffix}"
    if unit.kind in ("rate", "tps"):
        if abs(v) >= 100_000:
            return f"{v / 1000:,.0f}k{unit.suffix}"
        return f"{v:.2f}{unit.suffix}" if abs(v) < 10 else f"{v:,.0f}{unit.suffix}"
    return f"{v:.4g}"


def tick_text(value: float, unit: Unit, spacing: float) -> str:
    """One tick label: as many decimals as the tick spacing needs, then the unit."""
    v = value * unit.scale
    step = abs(spacing * unit.scale)
    if unit.kind == "ms" and abs(v) >= 10_000:
        return f"{v / 1000:g} s"
    if abs(v) >= 100_000:
        return f"{v / 1000:,.0f}k{unit.suffix}"
    places = max(0, math.ceil(-math.log10(step))) if step > 0 else 0
    return f"{v:,.{places}f}{unit.suffix}"


#: Tick spacings of the time axis, seconds: each a whole number of the next-smaller unit.
TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


class TimeAxis(pg.AxisItem):
    """Bottom axis of feed time (epoch seconds) labelled ``HH:MM:SS``.

    ``utc_offset_s`` fixes the zone (e.g. ``8 * 3600`` for Beijing time); ``None`` uses
    the console's local zone, which is what the people in the room read on the wall clock.
    """

    def __init__(self, utc_offset_s: int | None = None, min_tick_px: float = 130.0, **kwargs) -> None:
        super().__init__("bottom", **kwargs)
        # No SI prefix on a clock; it would also re-render the (unused) axis title per frame.
        self.enableAutoSIPrefix(False)
        self.utc_offset_s = utc_offset_s
        self.min_tick_px = min_tick_px

    def _offset(self, epoch_s: float) -> float:
        if self.utc_offset_s is not None:
            return float(self.utc_offset_s)
        return float(time.localtime(epoch_s).tm_gmtoff)

    def time_text(self, epoch_s: float) -> str:
        """``HH:MM:SS`` of an epoch second in the axis' zone."""
        return time.strftime("%H:%M:%S", time.gmtime(math.floor(epoch_s + self._offset(epoch_s))))

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 - Qt/pyqtgraph override
        span = maxVal - minVal
        if not (span > 0 and size > 0 and math.isfinite(span)):
            return []
        wanted = span * self.min_tick_px / size  # seconds per tick at the minimum spacing
        step = next((s for s in TIME_STEPS if s >= wanted), TIME_STEPS[-1])
        # Ticks sit on round local times (10:30:00, not 02:30:00 UTC shown as 10:30:00+x).
        off = self._offset(minVal)
        first = math.ceil((minVal + off) / step) * step - off
        count = int((maxVal - first) // step) + 1
        return [(float(step), [first + i * step for i in range(max(0, count))])]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return [self.time_text(v) for v in values]


class ValueAxis(pg.AxisItem):
    """Left axis whose tick labels carry the unit (``99.5%``, ``250 ms``).

    A unit on every tick reads from across the room; a rotated axis title does not.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("left", **kwargs)
        self.unit = PLAIN
        self.label_range: tuple[float, float] | None = None
        self.enableAutoSIPrefix(False)

    def set_label_range(self, lo: float, hi: float) -> None:
        """Label only ticks within [lo, hi]: the headroom kept for event labels above the
        data gets no ticks (a success rate of 110% is nonsense)."""
        self.label_range = (lo, hi)

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph override
        levels = super().tickValues(minVal, maxVal, size)
        if self.label_range is None:
            return levels
        lo, hi = self.label_range
        eps = (hi - lo) * 1e-9
        return [(spacing, [v for v in values if lo - eps <= v <= hi + eps]) for spacing, values in levels]

    def set_unit(self, unit: Unit) -> None:
        """Show values in ``unit`` (scales the ticks, never the data)."""
        if unit != self.unit:
            self.unit = unit
            self.setScale(unit.scale)
            self.picture = None
            self.update()

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return [tick_text(v, self.unit, spacing) for v in values]
