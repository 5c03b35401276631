"""Conversion per funnel step, and the derived series the alert engine watches.

A step's series counts the items reaching it per second; its *conversion* is that rate over
the rate of the step before, both averaged over the same short window (``WINDOW_MS``), so a
second's jitter or a scrape that lands between two steps does not read as a drop. The first
step has no conversion (it is where the funnel starts). A conversion is never above 1: more
items at a step than at the step before (a lagging or misaligned series) reads as 100 %.
A step whose previous step carried (next to) nothing in the window, under ``MIN_RATE``, has no
conversion at all: a quiet night is "no data", not a drop.

``FunnelTracker`` turns the step series of every batch into points of
``scenario_step_conversion{scenario=…,step=…}`` (one per second a step reported), which the
alert engine judges like any series (``funnel-step-drop`` in the default rules, a learned
baseline below). The alert's subject is ``scenario/step`` (``step_subject``), kind ``step``;
root-cause analysis looks for its root among the step's own services
(``warroom.core.alerting.rootcause``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from warroom.core.model import Scenario, SeriesKey

#: The derived series: a step's conversion from the step before (0..1).
CONVERSION_METRIC = "scenario_step_conversion"
#: The subject kind of an alert on a step (``subject_of``): ``scenario/step``.
STEP_KIND = "step"
#: Both rates are averaged over this window (feed time) before they are divided.
WINDOW_MS = 10_000
#: A step before that carries fewer items per second has no conversion: three a minute are too
#: few to judge (and a flow that stopped is the scenario's alert, not a conversion of 0/0).
MIN_RATE = 0.05
_SEP = "/"
_PICKS = 8  # batch layouts whose step positions are remembered


def conversion_series(scenario: str, step: str) -> SeriesKey:
    """The derived conversion series of one step."""
    return SeriesKey(CONVERSION_METRIC, {"scenario": scenario, "step": step})


def step_subject(scenario: str, step: str) -> str:
    """An alert subject naming one step: ``qr_pay/pay`` (ids never hold a ``/``)."""
    return f"{scenario}{_SEP}{step}"


def split_subject(subject: str) -> tuple[str, str]:
    """``(scenario, step)`` of a step subject; ``(subject, "")`` if it names no step."""
    scenario, sep, step = subject.partition(_SEP)
    return (scenario, step) if sep else (subject, "")


def conversion(before: float, after: float) -> float | None:
    """``after / before`` capped at 1; None when ``before`` carried (next to) nothing, under
    ``MIN_RATE``, or is not a number."""
    if not (np.isfinite(before) and np.isfinite(after)) or before < MIN_RATE:
        return None
    return float(min(max(after / before, 0.0), 1.0))


@dataclass(frozen=True)
class _Link:
    """A step and the step before it, by their series."""

    scenario: str
    step: str
    before: SeriesKey
    series: SeriesKey
    out: SeriesKey


class _Window:
    """The points of one step series in the last ``WINDOW_MS``, with their running sum."""

    __slots__ = ("newest", "points", "total")

    def __init__(self) -> None:
        self.points: deque[tuple[int, float]] = deque()
        self.total = 0.0
        self.newest = -1

    def add(self, ts: int, value: float) -> bool:
        """Take a point in time order (an older or duplicate one is ignored: False)."""
        if ts <= self.newest or not np.isfinite(value) or value < 0:
            return False
        self.newest = ts
        self.points.append((ts, value))
        self.total += value
        return True

    def mean(self, now: int) -> float:
        """The mean rate over ``(now - WINDOW_MS, now]`` (drops older points for good)."""
        pts = self.points
        while pts and pts[0][0] <= now - WINDOW_MS:
            self.total -= pts.popleft()[1]
        if not pts:
            self.total = 0.0
            return float("nan")
        return max(self.total, 0.0) / len(pts)


class FunnelTracker:
    """Derives the conversion series of every funnel step from the step series a feed sends.

    ``set_topology`` tells it the funnels; ``observe`` takes a batch's points and returns the
    conversion points to hand to the alert engine. Work per batch is a vectorised pick of the
    few step points; nothing when no scenario declares steps.
    """

    def __init__(self) -> None:
        self._links: list[_Link] = []
        self._steps: dict[SeriesKey, _Window] = {}
        self._picks: dict[int, tuple[Sequence[SeriesKey], np.ndarray]] = {}

    @property
    def active(self) -> bool:
        """True when some scenario declares at least two steps."""
        return bool(self._links)

    def set_topology(self, scenarios: Iterable[Scenario]) -> None:
        """Use these scenarios' funnels; a step series kept across graphs keeps its window."""
        links: list[_Link] = []
        for sc in scenarios:
            for before, step in zip(sc.steps, sc.steps[1:]):
                links.append(_Link(sc.id, step.id, before.series, step.series, conversion_series(sc.id, step.id)))
        self._links = links
        wanted = {k for link in links for k in (link.before, link.series)}
        self._steps = {k: self._steps.get(k) or _Window() for k in wanted}
        self._picks.clear()

    def observe(self, series: Sequence[SeriesKey], index: np.ndarray, ts: np.ndarray,
                values: np.ndarray) -> tuple[list[SeriesKey], list[int], list[float]]:
        """Take one batch (columns as in ``MetricBatch``); returns conversion points
        ``(keys, ts, values)``, one per second at which a step (not the first) reported."""
        if not self._links or not len(index):
            return [], [], []
        wanted = self._pick(series)
        if not wanted.size:
            return [], [], []
        mask = np.isin(index, wanted)
        if not mask.any():
            return [], [], []
        idx, pts, vals = index[mask].tolist(), ts[mask].tolist(), values[mask].tolist()
        order = sorted(range(len(idx)), key=lambda i: pts[i])  # time order, stable
        out_k: list[SeriesKey] = []
        out_t: list[int] = []
        out_v: list[float] = []
        # Second by second: each second's points go in before that second's conversions are
        # read, so a batch of several seconds gives what one batch a second would have.
        pos = 0
        while pos < len(order):
            now = int(pts[order[pos]])
            fresh: set[SeriesKey] = set()
            while pos < len(order) and int(pts[order[pos]]) == now:
                i = order[pos]
                key = series[idx[i]]
                if self._steps[key].add(now, float(vals[i])):
                    fresh.add(key)
                pos += 1
            for link in self._links:
                if link.series not in fresh:
                    continue
                c = conversion(self._steps[link.before].mean(now), self._steps[link.series].mean(now))
                if c is not None:
                    out_k.append(link.out)
                    out_t.append(now)
                    out_v.append(c)
        return out_k, out_t, out_v

    def _pick(self, series: Sequence[SeriesKey]) -> np.ndarray:
        """Positions of the step series in a batch's series tuple, remembered for the last few
        tuples (a feed's frames repeat a few layouts and the decoder shares their tuples)."""
        hit = self._picks.get(id(series))
        if hit is not None and hit[0] is series:
            return hit[1]
        picked = np.array([i for i, k in enumerate(series) if k in self._steps], dtype=np.int64)
        if len(self._picks) >= _PICKS:
            self._picks.pop(next(iter(self._picks)))
        self._picks[id(series)] = (series, picked)  # holding the tuple keeps its id unique
        return picked
