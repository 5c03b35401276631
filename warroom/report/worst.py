"""The worst moment of an incident: where a report draws its map and a replay jumps to.

Definition. Within the incident, from its start (``started_ms``) until service was
restored (``resolved_ms``; the end of the log while it is not), the worst moment is

1. a time when the most of the incident's alerts (``warroom.report.alerts``) were firing;
2. among those, the time with the lowest *overall success rate*: the success ratios of
   all business scenarios averaged with their request rates as weights (equal weights
   when no request rates were recorded), as recorded at that time (or, for long
   incidents, the mean of the time bucket the history store returns);
3. among equals, the earliest.

When no alert was firing at any time (rare: the incident is opened by a firing alert) the
rule still applies, over the whole span. When no success rate was recorded, the worst
moment is the start of the first span with the most alerts firing.

The number of firing alerts changes only at alert events, so the candidates are a few
intervals; the success rates are read for those intervals only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from warroom.core.incident.incidents import Incident
from warroom.core.model import Event, SeriesKey
from warroom.report.alerts import incident_end, related_alerts
from warroom.report.facts import AlertFacts
from warroom.store.query import HistoryReader

_MAX_POINTS = 2000  # success-rate samples read over the candidate intervals


@dataclass(frozen=True)
class WorstMoment:
    """The worst moment and why: ``firing`` alerts then, overall success rate ``success``."""

    ts: int
    firing: int
    success: float | None


def worst_moment(reader: HistoryReader, incident: Incident, events: Iterable[Event]) -> int:
    """The epoch-ms time of the incident's worst moment (see the module docstring).

    ``incident`` comes from ``IncidentBook.replay(events)``; ``events`` is the event log
    (at least the incident's span). The result is within ``[started_ms, resolved_ms)``
    (or up to the newest data while the incident is not resolved).
    """
    events = list(events)
    end = incident_end(incident, _log_end(reader, events))
    return find_worst(reader, related_alerts(events, incident, end), incident.started_ms, end).ts


def find_worst(reader: HistoryReader, alerts: list[AlertFacts], start_ms: int, end_ms: int) -> WorstMoment:
    """The worst moment in ``[start_ms, end_ms)`` given the incident's alerts."""
    intervals = firing_intervals(alerts, start_ms, end_ms)
    top = max(n for _, _, n in intervals)
    best = [(a, b) for a, b, n in intervals if n == top]
    ts, success = _lowest_success(reader, best)
    return WorstMoment(ts, top, success)


def firing_intervals(alerts: list[AlertFacts], start_ms: int, end_ms: int) -> list[tuple[int, int, int]]:
    """``(from, to, n)``: how many alerts were firing in each piece of ``[start_ms, end_ms)``."""
    cuts = {start_ms, end_ms}
    for a in alerts:
        for s, e in a.spans:
            for t in (s, e):
                if t is not None and start_ms < t < end_ms:
                    cuts.add(t)
    edges = sorted(cuts)
    out = []
    for lo, hi in zip(edges, edges[1:]):
        n = sum(1 for a in alerts if any(s <= lo and (e is None or lo < e) for s, e in a.spans))
        out.append((lo, hi, n))
    return out or [(start_ms, end_ms, 0)]


def overall_success(reader: HistoryReader, start_ms: int, end_ms: int,
                    max_points: int = _MAX_POINTS) -> tuple[np.ndarray, np.ndarray, int]:
    """``(ts, success, bucket_ms)``: all scenarios' success ratio weighted by their request
    rates; ``bucket_ms`` is 0 for raw samples, else the width of the buckets starting at ``ts``."""
    ratios = reader.series("scenario_success_ratio")
    if not ratios:
        return np.empty(0, dtype=np.int64), np.empty(0), 0
    weights = [SeriesKey("scenario_requests_rate", r.labels) for r in ratios]
    data = reader.range([*ratios, *weights], start_ms, end_ms, max_points)
    bucket = max((d.bucket_ms for d in data.values()), default=0)
    num: dict[int, float] = {}
    den: dict[int, float] = {}
    for r, w in zip(ratios, weights):
        rd, wd = data[r], data[w]
        wmap = dict(zip(wd.ts.tolist(), wd.value.tolist()))
        for t, v in zip(rd.ts.tolist(), rd.value.tolist()):
            if not np.isfinite(v):
                continue
            weight = wmap.get(t, 1.0 if not len(wd) else None)
            if weight is None or not np.isfinite(weight) or weight <= 0:
                continue
            num[t] = num.get(t, 0.0) + v * weight
            den[t] = den.get(t, 0.0) + weight
    ts = np.array(sorted(num), dtype=np.int64)
    return ts, np.array([num[t] / den[t] for t in ts.tolist()], dtype=np.float64), bucket


def success_at(reader: HistoryReader, ts_ms: int, lookback_ms: int = 30_000) -> float | None:
    """The overall success rate at ``ts_ms`` (the newest sample up to then, within ``lookback_ms``)."""
    ts, values, _ = overall_success(reader, ts_ms - lookback_ms, ts_ms + 1, max_points=1000)
    return float(values[-1]) if len(values) else None


def _lowest_success(reader: HistoryReader, intervals: list[tuple[int, int]]) -> tuple[int, float | None]:
    lo, hi = intervals[0][0], intervals[-1][1]
    ts, values, bucket = overall_success(reader, lo, hi)
    best: tuple[float, int] | None = None
    for t, v in zip(ts.tolist(), values.tolist()):
        for a, b in intervals:
            # A bucket [t, t + width) that reaches into an interval speaks for its part of it.
            if t < b and max(t + bucket, t + 1) > a:
                if best is None or v < best[0]:
                    best = (v, max(t, a))
                break
    if best is None:  # nothing recorded in those intervals
        return intervals[0][0], None
    return best[1], best[0]


def _log_end(reader: HistoryReader, events: list[Event]) -> int:
    span = reader.time_range()
    newest = max((e.ts for e in events), default=0)
    return max(newest, span[1] if span else 0)
