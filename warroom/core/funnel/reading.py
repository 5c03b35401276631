"""A funnel as the console draws it: per step, its rate, its conversion, the conversion from
the first step, and its usual conversion, all read at one moment from the step series.

Used by the funnel panel, live and in replay alike (both read the same view at a cursor).
The *usual* conversion of a step is the median of its per-minute conversions over the hour
before the moment (``USUAL_SPAN_MS``), leaving out the last ``USUAL_LAG_MS`` so a drop does not
become its own normal; with fewer than ``USUAL_MIN_MINUTES`` such minutes it is unknown. A
step is *below* its usual when its conversion fell by ``DROP_REL`` of it or more, the same
margin as the default ``funnel-step-drop`` rule (a learned band 15 % below the usual value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from warroom.core.funnel.conversion import WINDOW_MS, conversion
from warroom.core.model import FunnelStep, Scenario, SeriesKey

USUAL_SPAN_MS = 3_600_000
USUAL_LAG_MS = 120_000
USUAL_MIN_MINUTES = 3
DROP_REL = 0.15
_MINUTE_MS = 60_000

#: ``window(key, span_ms)``: the last ``span_ms`` of a series up to the moment read, as
#: ``(ts, values)`` arrays (``LiveView.window``).
Window = Callable[[SeriesKey, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class StepReading:
    """One step of a funnel at a moment; None where the data does not say."""

    step: FunnelStep
    rate: float | None  # items per second reaching the step (mean over ``WINDOW_MS``)
    conversion: float | None  # from the step before (None for the first step)
    overall: float | None  # from the first step (1.0 for the first step itself)
    usual: float | None  # the usual conversion from the step before

    @property
    def below(self) -> bool:
        """True when the conversion fell ``DROP_REL`` or more below its usual value."""
        return (self.conversion is not None and self.usual is not None and self.usual > 0
                and self.conversion < self.usual * (1.0 - DROP_REL))


def usual_conversions(scenario: Scenario, window: Window, now_ms: int,
                      dropping_since: Mapping[str, int] | None = None) -> dict[str, float | None]:
    """Each step's usual conversion from the step before at ``now_ms`` (by step id; None where
    unknown, and for the first step). It moves slowly: a panel may ask once a minute.

    ``dropping_since``: step id -> when its drop began (its conversion alert's ``since_ms``).
    Such a step's usual comes from the minutes before that only, so a long drop does not teach
    the funnel that the drop is usual: after half an hour of a bank outage, a wall showing
    "64 %, usual 64 %" would hide it."""
    if not scenario.steps:
        return {}
    span = USUAL_SPAN_MS + USUAL_LAG_MS
    end = now_ms - USUAL_LAG_MS
    minutes = [_per_minute(*window(step.series, span), now_ms - span, end) for step in scenario.steps]
    out: dict[str, float | None] = {scenario.steps[0].id: None}
    for i, step in enumerate(scenario.steps[1:], start=1):
        since = (dropping_since or {}).get(step.id)
        if since is not None and since - _MINUTE_MS < end:
            # Whole minutes that ended before the drop began, within the same hour's span.
            cut = (since // _MINUTE_MS) - 1
            before = {m: v for m, v in minutes[i - 1].items() if m < cut}
            after = {m: v for m, v in minutes[i].items() if m < cut}
            out[step.id] = _usual(before, after)
        else:
            out[step.id] = _usual(minutes[i - 1], minutes[i])
    return out


def read_funnel(scenario: Scenario, window: Window, now_ms: int,
                usual: dict[str, float | None] | None = None) -> list[StepReading]:
    """The funnel of ``scenario`` at ``now_ms`` (empty when it declares no steps); ``usual``:
    what ``usual_conversions`` said (computed here when not given)."""
    if not scenario.steps:
        return []
    if usual is None:
        usual = usual_conversions(scenario, window, now_ms)
    rates = [_mean(*window(step.series, WINDOW_MS + _MINUTE_MS), now_ms - WINDOW_MS, now_ms)
             for step in scenario.steps]
    out: list[StepReading] = []
    for i, step in enumerate(scenario.steps):
        rate = rates[i]
        if i == 0:
            out.append(StepReading(step, rate, None, 1.0 if rate is not None and rate > 0 else None, None))
            continue
        conv = conversion(rates[i - 1], rate) if rates[i - 1] is not None and rate is not None else None
        overall = conversion(rates[0], rate) if rates[0] is not None and rate is not None else None
        out.append(StepReading(step, rate, conv, overall, usual.get(step.id)))
    return out


def _mean(ts: np.ndarray, values: np.ndarray, start: int, end: int) -> float | None:
    sel = (ts > start) & (ts <= end) & np.isfinite(values)
    return float(values[sel].mean()) if sel.any() else None


def _per_minute(ts: np.ndarray, values: np.ndarray, start: int, end: int) -> dict[int, float]:
    """Mean value per whole minute in ``[start, end)``."""
    sel = (ts >= start) & (ts < end) & np.isfinite(values)
    if not sel.any():
        return {}
    minute = ts[sel] // _MINUTE_MS
    keys, inverse = np.unique(minute, return_inverse=True)
    sums = np.bincount(inverse, values[sel])
    counts = np.bincount(inverse)
    return {int(k): float(s / c) for k, s, c in zip(keys, sums, counts)}


def _usual(before: dict[int, float], after: dict[int, float]) -> float | None:
    convs = [c for m in before.keys() & after.keys() if (c := conversion(before[m], after[m])) is not None]
    return float(np.median(convs)) if len(convs) >= USUAL_MIN_MINUTES else None
