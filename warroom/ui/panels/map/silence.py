"""Has a service stopped sending data? The map's "no data for N s".

A service that stops reporting (a crashed process, a scrape that fails) must not stay on the map
in the colour of its last values. Its *measured* series (traffic, errors, latency, load, a
consumer's lag, a job's last success) are judged against the cursor: silent for longer than
``warroom.core.alerting.cadence.silent_after_s`` (the rules' ``stale_after``, and the service's
declared ``cadence_s`` for a job that reports in bursts), it is "no data", the same moment the
no-data alert says so. ``service_up`` 0 (the feed says the service is down) is "no data" at once;
``service_up`` itself is not a measured series (a dead service keeps sending 0).

This is per service and relative to the cursor. When the whole feed stops, the cursor stops with
it and no service falls behind it: the map then greys as a whole under the stale banner
(``MapDrawing.set_stale``) and says nothing per service.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from warroom.core.alerting.cadence import silent_after_s
from warroom.core.model import SeriesKey

#: Silence is measured back to at most this far (the view keeps silent series 6 hours).
MAX_LOOKBACK_MS = 6 * 3_600_000
#: The rules' default ``stale_after`` (used when alerting is off).
DEFAULT_STALE_AFTER_S = 30.0

Window = Callable[[SeriesKey, int], tuple[np.ndarray, np.ndarray]]
Value = Callable[[SeriesKey], "float | None"]


def measured_keys(name: str) -> tuple[SeriesKey, ...]:
    """The series whose arrival says the service is reporting."""
    s = {"service": name}
    return (SeriesKey("service_requests_rate", s), SeriesKey("service_error_ratio", s),
            SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}), SeriesKey("service_saturation_ratio", s),
            SeriesKey("consumer_lag_seconds", s), SeriesKey("job_last_success_timestamp_seconds", s),
            SeriesKey("job_duration_seconds", s))


def silent_for_s(name: str, value: Value, window: Window, cursor_ms: int | None, *,
                 stale_after_s: float = DEFAULT_STALE_AFTER_S, cadence_s: float = 0.0) -> float | None:
    """Seconds since the service's newest measured point, when it counts as "no data"; None
    while it reports (or before it ever did: that is "unknown", not "stopped")."""
    if cursor_ms is None:
        return None
    limit_ms = int(silent_after_s(stale_after_s, cadence_s) * 1000)
    seen = [k for k in measured_keys(name) if value(k) is not None]  # a point at or before the cursor
    if not seen:
        return None
    if any(len(window(k, limit_ms)[0]) for k in seen):
        if value(SeriesKey("service_up", {"service": name})) != 0:
            return None
    last = _newest_ts(seen, window, max(limit_ms, 1000))
    if last is None:
        return float(MAX_LOOKBACK_MS) / 1000.0
    return max(0.0, (cursor_ms - last) / 1000.0)


def _newest_ts(keys: list[SeriesKey], window: Window, span_ms: int) -> int | None:
    """The newest point of ``keys`` within ``MAX_LOOKBACK_MS``: windows doubling back from
    the cursor (the series is silent, so the first that holds a point is short)."""
    while True:
        found = [int(ts[-1]) for ts, _ in (window(k, span_ms) for k in keys) if len(ts)]
        if found:
            return max(found)
        if span_ms >= MAX_LOOKBACK_MS:
            return None
        span_ms = min(MAX_LOOKBACK_MS, span_ms * 2)


def stale_after_of(alerting: object) -> float:
    """The rules' ``stale_after`` in seconds from the view's alert watch, else the default."""
    rules = getattr(getattr(alerting, "engine", None), "rules", None)
    value = getattr(rules, "stale_after_s", None)
    return float(value) if isinstance(value, (int, float)) and value > 0 else DEFAULT_STALE_AFTER_S
