"""Business impact of an incident, per scenario: transactions lost, the worst success rate,
how long it was affected, and money when the feed gives amounts.

Transactions lost = expected − actual over the incident window (its start until service was
restored, or the end of the recording). *Actual* is the recorded ``scenario_tps`` (business
transactions completed per second). *Expected* is the learned baseline the
``scenario-tps-drop`` rule judges the same series by (``warroom.core.alerting.baseline.Baseline``
with its default parameters): a time-of-day profile learned from up to ``PROFILE_DAYS`` of
history before the start, scaled by the recent level, else the median of the half hour
before (lagged two minutes). The baseline sees only what was recorded **before** the
incident started (an outage must not become its own normal); past its window it keeps its
last band, as the alert engine does.

Each reading stands for the time until the next one (at most ``GAP_STEPS`` typical steps:
a longer silence is a gap, counted neither as lost nor as completed) and
``covered_s`` says how much of the window had both a reading and an expectation.

Money: a feed may send ``scenario_avg_amount{scenario, currency}``, the average amount of
one transaction (docs/protocol.md, section 9). When it does, lost money = transactions
lost × the mean of that series over the hour before the start until the end. Without it
there is no money figure (never a guessed one).

GUI-free; ``integrate`` and ``expected_values`` are pure, for tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from warroom.core.alerting.baseline import Band, Baseline
from warroom.store.query import HistoryReader

DAY_MS = 86_400_000
PROFILE_DAYS = 7  # history read before the start to learn the time-of-day profile
GAP_STEPS = 2.5  # a reading covers at most this many typical steps: a longer silence is a gap
MAX_POINTS = 200_000  # per series and read; denser history comes back as bucket means
AMOUNT_METRIC = "scenario_avg_amount"
AMOUNT_LOOKBACK_MS = 3_600_000


@dataclass(frozen=True)
class ScenarioImpact:
    """One scenario's impact over the incident window (``None``: not measurable)."""

    scenario: str
    title: str
    affected: bool  # one of its alerts fired during the incident
    expected_tx: float | None  # transactions the baseline expected over the covered time
    actual_tx: float | None  # transactions completed over the covered time
    covered_s: float  # seconds of the window with both a reading and an expectation
    worst_success: float | None
    worst_success_ms: int | None
    alert_s: float  # seconds its alerts were firing within the window
    amount_per_tx: float | None = None
    currency: str = ""

    @property
    def lost_tx(self) -> float | None:
        """Expected − actual (negative: more than expected completed)."""
        if self.expected_tx is None or self.actual_tx is None:
            return None
        return self.expected_tx - self.actual_tx

    @property
    def lost_ratio(self) -> float | None:
        """The share of the expected transactions that did not complete."""
        lost = self.lost_tx
        if lost is None or not self.expected_tx:
            return None
        return lost / self.expected_tx

    @property
    def lost_amount(self) -> float | None:
        """Money lost, when the feed gives an average amount per transaction."""
        lost = self.lost_tx
        if lost is None or self.amount_per_tx is None:
            return None
        return lost * self.amount_per_tx


@dataclass(frozen=True)
class Impact:
    """The business impact of an incident over ``[start_ms, end_ms)``."""

    start_ms: int
    end_ms: int
    scenarios: tuple[ScenarioImpact, ...]  # affected first, then by transactions lost

    @property
    def lost_tx(self) -> float | None:
        """Transactions lost over every scenario that could be measured (None if none could)."""
        lost = [s.lost_tx for s in self.scenarios if s.lost_tx is not None]
        return sum(lost) if lost else None

    @property
    def lost_amounts(self) -> dict[str, float]:
        """Money lost per currency (empty when the feed gives no amounts)."""
        out: dict[str, float] = {}
        for s in self.scenarios:
            if s.lost_amount is not None:
                out[s.currency] = out.get(s.currency, 0.0) + s.lost_amount
        return out


# -- pure parts ------------------------------------------------------------------------------------
def typical_step_ms(ts: np.ndarray, bucket_ms: int = 0) -> int:
    """The usual time between readings: the bucket width, else the median gap (1 s if unknown)."""
    if bucket_ms:
        return int(bucket_ms)
    if len(ts) < 2:
        return 1000
    return max(1, int(np.median(np.diff(ts))))


def coverage(ts: np.ndarray, start_ms: int, end_ms: int, step_ms: int) -> np.ndarray:
    """Milliseconds of ``[start_ms, end_ms)`` each reading stands for: until the next reading,
    at most ``GAP_STEPS`` steps, clipped to the window."""
    ts = np.asarray(ts, dtype=np.int64)
    if ts.size == 0:
        return np.zeros(0)
    nxt = np.empty_like(ts)
    nxt[:-1] = ts[1:]
    nxt[-1] = ts[-1] + step_ms
    until = np.minimum(nxt, ts + int(GAP_STEPS * step_ms))
    a = np.maximum(ts, start_ms)
    b = np.minimum(until, end_ms)
    return np.clip(b - a, 0, None).astype(np.float64)


def integrate(ts: np.ndarray, actual: np.ndarray, expected: np.ndarray, start_ms: int, end_ms: int,
              step_ms: int) -> tuple[float, float, float]:
    """(expected transactions, actual transactions, covered seconds) over ``[start_ms, end_ms)``.

    Per-second rates; a reading counts where both it and its expectation are finite."""
    dt = coverage(ts, start_ms, end_ms, step_ms) / 1000.0
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    ok = np.isfinite(actual) & np.isfinite(expected) & (dt > 0)
    return (float(np.sum(expected[ok] * dt[ok])), float(np.sum(actual[ok] * dt[ok])), float(np.sum(dt[ok])))


def expected_values(history_ts: np.ndarray, history: np.ndarray, ts: np.ndarray, start_ms: int,
                    baseline: Baseline | None = None) -> np.ndarray:
    """The baseline's expected value at each of ``ts`` (NaN where it has none), having learned
    only the history before ``start_ms`` (profile and recent window)."""
    base = baseline if baseline is not None else Baseline()
    hts = np.asarray(history_ts, dtype=np.int64)
    hv = np.asarray(history, dtype=np.float64)
    before = hts < start_ms
    hts, hv = hts[before], hv[before]
    if hts.size:
        base.learn(hts, hv)
        # Only the last window and lag can reach a band at or after the start.
        reach = (base.params["recent_window_s"] + base.params["recent_lag_s"]) * 1000
        recent = hts >= start_ms - reach
        for t, v in zip(hts[recent].tolist(), hv[recent].tolist()):
            base.observe(t, v)
    out = np.full(len(ts), np.nan)
    last: Band | None = None
    for i, t in enumerate(np.asarray(ts, dtype=np.int64).tolist()):
        band = base.band(t)
        if band is None:
            band = last  # the window has moved past the start: keep the band from before, as alerts do
        else:
            last = band
        if band is not None:
            out[i] = band.expected
    return out


# -- from a history -----------------------------------------------------------------------------
def scenario_impacts(reader: HistoryReader, start_ms: int, end_ms: int, *, titles: dict[str, str] | None = None,
                     affected: dict[str, float] | None = None) -> Impact:
    """The impact of ``[start_ms, end_ms)`` on every scenario with recorded ``scenario_tps``.

    ``titles`` maps scenario ids to names; ``affected`` maps the scenarios whose alerts
    fired to the seconds they were firing."""
    titles = titles or {}
    affected = affected or {}
    end_ms = max(end_ms, start_ms + 1)
    tps_keys = {k.labels.get("scenario", ""): k for k in reader.series("scenario_tps")}
    tps_keys.pop("", None)
    ok_keys = {k.labels.get("scenario", ""): k for k in reader.series("scenario_success_ratio")}
    amounts = _amounts(reader, start_ms, end_ms)
    ids = sorted(set(tps_keys) | set(ok_keys) - {""})
    history = reader.range(list(tps_keys.values()), start_ms - PROFILE_DAYS * DAY_MS, end_ms, MAX_POINTS)
    success = reader.range([ok_keys[s] for s in ids if s in ok_keys], start_ms, end_ms, MAX_POINTS)
    out = []
    for sid in ids:
        exp_tx = act_tx = None
        covered = 0.0
        if sid in tps_keys:
            d = history[tps_keys[sid]]
            inside = (d.ts >= start_ms) & (d.ts < end_ms)
            step = typical_step_ms(d.ts, d.bucket_ms)
            expected = expected_values(d.ts, d.value, d.ts[inside], start_ms)
            e, a, covered = integrate(d.ts[inside], d.value[inside], expected, start_ms, end_ms, step)
            if covered > 0:
                exp_tx, act_tx = e, a
        worst = worst_ms = None
        if sid in ok_keys:
            s = success[ok_keys[sid]]
            lows = s.min[np.isfinite(s.min)] if len(s) else s.min
            if len(lows):
                i = int(np.nanargmin(s.min))
                worst, worst_ms = float(s.min[i]), int(s.ts[i])
        amount, currency = amounts.get(sid, (None, ""))
        out.append(ScenarioImpact(sid, titles.get(sid, sid), sid in affected, exp_tx, act_tx, covered, worst,
                                  worst_ms, float(affected.get(sid, 0.0)), amount, currency))
    out.sort(key=lambda s: (not s.affected, -(s.lost_tx if s.lost_tx is not None else -math.inf), s.title))
    return Impact(start_ms, end_ms, tuple(out))


def _amounts(reader: HistoryReader, start_ms: int, end_ms: int) -> dict[str, tuple[float, str]]:
    """Per scenario: the mean average amount per transaction and its currency (when sent)."""
    keys = [k for k in reader.series(AMOUNT_METRIC) if k.labels.get("scenario")]
    if not keys:
        return {}
    data = reader.range(keys, start_ms - AMOUNT_LOOKBACK_MS, end_ms, MAX_POINTS)
    out: dict[str, tuple[float, str]] = {}
    for key in keys:
        d = data[key]
        v = d.value[np.isfinite(d.value) & (d.value >= 0)] if len(d) else d.value
        if len(v):
            w = d.count[np.isfinite(d.value) & (d.value >= 0)].astype(np.float64)
            out[key.labels["scenario"]] = (float(np.average(v, weights=w)), key.labels.get("currency", ""))
    return out


def alert_seconds(spans: list[tuple[int, int | None]], start_ms: int, end_ms: int) -> float:
    """Seconds of ``[start_ms, end_ms)`` covered by the union of firing ``spans``."""
    clipped = sorted((max(s, start_ms), min(end_ms if e is None else e, end_ms)) for s, e in spans)
    total, cur_a, cur_b = 0, None, None
    for a, b in clipped:
        if b <= a:
            continue
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total / 1000.0


__all__ = ["AMOUNT_METRIC", "Impact", "ScenarioImpact", "alert_seconds", "coverage",
           "expected_values", "integrate", "scenario_impacts", "typical_step_ms"]
