"""Units of series: declared, else read from the metric name the Prometheus way.

Prometheus and OpenTelemetry name a metric's unit as its suffix (``_seconds``, ``_bytes``,
``_ratio``, ``_total``...). A catalogue shows that unit, and a unit also says which values are
impossible: a ratio outside 0..1, a negative duration, rate or count. Such values are counted as
invalid: the decoder only refuses what is not a number, so a feed that sends an error ratio of
140 % or a latency of -3 s gets through and must be caught here.
"""

from __future__ import annotations

import math

#: Metric-name suffixes and the unit they name, longest first where one ends another.
SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_milliseconds", "ms"),
    ("_timestamp_seconds", "unix s"),
    ("_seconds", "s"),
    ("_ratio", "ratio"),
    ("_percent", "%"),
    ("_bytes", "B"),
    ("_total", "count"),
    ("_count", "count"),
    ("_rate", "/s"),
    ("_tps", "/s"),
    ("_per_second", "/s"),
    ("_celsius", "°C"),
    ("_info", "info"),
    ("_up", "bool"),
)

#: Values a unit admits, as ``(low, high)``; a unit not listed admits any finite number.
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "ratio": (0.0, 1.0),
    "%": (0.0, 100.0),
    "bool": (0.0, 1.0),
    "s": (0.0, math.inf),
    "ms": (0.0, math.inf),
    "unix s": (0.0, math.inf),
    "B": (0.0, math.inf),
    "count": (0.0, math.inf),
    "/s": (0.0, math.inf),
    "×": (0.0, math.inf),  # a multiple of something (load / capacity): may pass 1
}

# Some names carry their unit before a qualifier: ``..._seconds_bucket``, ``..._bytes_sum``.
_QUALIFIERS = ("_bucket", "_sum", "_created")


def unit_of(metric: str) -> str:
    """The unit a metric's name says (``"s"``, ``"ratio"``, ``"/s"``...), or ``""`` if it says none.

    ``up`` (Prometheus' scrape health) and ``*_up`` are booleans.
    """
    name = metric.lower()
    if name == "up":
        return "bool"
    for q in _QUALIFIERS:
        if name.endswith(q):
            name = name[: -len(q)]
            break
    for suffix, unit in SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def valid_range(unit: str) -> tuple[float, float] | None:
    """``(low, high)`` for a unit with bounds, None for a unit that admits any finite number."""
    return UNIT_RANGES.get(unit)
