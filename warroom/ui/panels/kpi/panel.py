"""The north-star KPI tiles: TPS, success rate, P99 latency, MTTR and active incidents.

A row of large tiles meant to be read from five metres: one huge number per tile, its
unit, a 15-minute trend line and a colour (with a word) against its own thresholds
(``KpiThresholds``, from the layout's ``state.thresholds``). A KPI whose inputs are missing
shows "—" in the unknown colour, never a made-up number.

TPS has no fixed good value: it is judged against what is normal now, the learned baseline
(``warroom.core.alerting.baseline``, its recent median, ``TpsNormal``), which does not learn from the
points that are themselves a drop. So an outage does not become the new normal while it
lasts: at −24 % the tile is amber and says "−24 % vs normal".

The trend lines are computed from the view's ring buffers with numpy (about 1.5 ms for
15 minutes of the simulated platform, mostly copying windows out of the rings) and only
when the cursor moved; the tiles paint them with QPainter.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Callable, Iterable

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QWidget

from warroom.core.northstar import kpi, mttx
from warroom.core.alerting.baseline import Baseline
from warroom.core.model import SeriesKey, ServiceKind
from warroom.core.language.names import names_for
from warroom.store.live import LiveView
from warroom.ui.panels.base import Panel
from warroom.ui.panels.kpi.tile import DASH, KpiTileWidget

TREND_SPAN_MS = 15 * 60_000
#: Fewer points than this (a minute of data) and the TPS baseline is not trusted yet.
MIN_MEDIAN_POINTS = 60
#: The TPS baseline: the median of the last 15 minutes, 30 s behind. Over a day of the
#: simulated platform's traffic curve the normal ramps then move TPS at most ~9 % from that
#: median (a 30-minute window: 16 %, too close to the warning), so only a real drop warns.
NORMAL_WINDOW_S = 900
NORMAL_LAG_S = 30
#: What the baseline learns from when it starts (or starts again): the view's whole hour, so a
#: console opened in the middle of an outage still knows the normal from before it.
NORMAL_HISTORY_MS = 60 * 60_000
# Smallest vertical span of each sparkline, so sensor noise is not blown up into waves.
TPS_MIN_SPAN_FRACTION = 0.10  # of the median
SUCCESS_MIN_SPAN = 0.005  # half a percentage point
P99_MIN_SPAN_MS = 100.0

_EMPTY = np.empty(0, np.float64)


@dataclass
class KpiThresholds:
    """Where the tiles turn amber (warn) and red (crit); saved with the panel state."""

    # Payment success includes business declines (no funds, risk refusals): a healthy
    # platform runs at 99.4-99.8% (so does the simulator), hence warn below 99%.
    success_warn: float = 0.99  # success ratio below this warns
    success_crit: float = 0.97
    # Bank-facing flows wait on the bank: 1.1-1.8 s P99 is a normal busy hour.
    p99_warn_ms: float = 2000.0  # entry P99 above this warns
    p99_crit_ms: float = 3000.0
    tps_drop_warn: float = 0.15  # TPS this fraction below its learned normal (TpsNormal) warns
    tps_drop_crit: float = 0.30
    mttr_goal_min: float = 1.0  # the north star: service restored within a minute (the tile's goal line)
    mttr_warn_min: float = 5.0  # past 5 the room should ask why
    mttr_crit_min: float = 15.0

    def success_level(self, ratio: float | None) -> str:
        """Level of a success ratio (0..1)."""
        if ratio is None:
            return "unknown"
        return "crit" if ratio < self.success_crit else "warn" if ratio < self.success_warn else "ok"

    def p99_level(self, p99_ms: float | None) -> str:
        """Level of a P99 latency in milliseconds."""
        if p99_ms is None:
            return "unknown"
        return "crit" if p99_ms > self.p99_crit_ms else "warn" if p99_ms > self.p99_warn_ms else "ok"

    def mttr_level(self, minutes: float | None) -> str:
        """Level of a mean time to restore, in minutes: over the goal already warns."""
        if minutes is None:
            return "unknown"
        warn = min(self.mttr_warn_min, self.mttr_goal_min)
        return "crit" if minutes > self.mttr_crit_min else "warn" if minutes > warn else "ok"

    def tps_level(self, tps: float | None, normal: float | None) -> str:
        """Level of TPS against its learned normal: a silent drop in payments is an alarm."""
        if tps is None:
            return "unknown"
        if normal is None or normal <= 0:
            return "ok"
        # Compare levels, not a computed drop: 1 - 700/1000 is 0.30000000000000004.
        if tps < normal * (1.0 - self.tps_drop_crit):
            return "crit"
        return "warn" if tps < normal * (1.0 - self.tps_drop_warn) else "ok"

    def updated(self, state: dict[str, Any]) -> "KpiThresholds":
        """A copy with the numeric entries of ``state`` that are valid; others are ignored."""
        values = asdict(self)
        for f in fields(self):
            v = state.get(f.name)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v) and v >= 0:
                values[f.name] = float(v)
        return KpiThresholds(**values)


class TpsNormal:
    """What total TPS normally is now: the learned baseline's (``warroom.core.alerting.baseline``) recent
    median, fed point by point from the view.

    A point that is itself a drop (``is_drop(value, normal)``) is not learned, so an outage does
    not drag its own yardstick down; when an outage outlasts the window, the last normal known
    stays. ``reset()`` when time jumps back (a replay scrubbed) or too far ahead.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything learned."""
        self._base = Baseline(k=0.0, min_rel=0.0, recent_window_s=NORMAL_WINDOW_S, recent_lag_s=NORMAL_LAG_S,
                              min_points=MIN_MEDIAN_POINTS)
        self.fed_until: int | None = None
        self._last: float | None = None

    def feed(self, ts: np.ndarray, values: np.ndarray, is_drop: Callable[[float, float], bool]) -> None:
        """Learn the points after ``fed_until`` (time-ordered), except the drops."""
        start = 0 if self.fed_until is None else int(np.searchsorted(ts, self.fed_until, "right"))
        normal, next_at = None, None
        for t, v in zip(ts[start:].tolist(), values[start:].tolist()):
            # The normal moves slowly: a new median every 10 s is plenty, and ten times cheaper
            # (an hour of history is learned in ~15 ms instead of ~150 ms).
            if next_at is None or t >= next_at:
                normal, next_at = self.normal(t), t + 10_000
            self._base.observe(t, v, learn=normal is None or not is_drop(v, normal))
        if len(ts) > start:
            self.fed_until = int(ts[-1])

    def normal(self, ts_ms: int) -> float | None:
        """The normal TPS at ``ts_ms`` (None until a minute of history is learned)."""
        band = self._base.band(ts_ms)
        if band is not None:
            self._last = band.expected
        return self._last


# -- trends (pure numpy over the view) -----------------------------------------------------
def summed_window(view: LiveView, keys: Iterable[SeriesKey], span_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum several series over the last ``span_ms``, point by point on equal timestamps.

    Only timestamps where every series that has data in the window has a point are
    kept: a series missing at one instant would otherwise show as a fake dip.
    """
    parts = [view.window(k, span_ms) for k in keys]
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return np.empty(0, np.int64), _EMPTY
    return _sum_parts(parts)


def ratio_window(num: tuple[np.ndarray, np.ndarray], den: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """``num / den`` on the timestamps both have (1.0 where nothing was attempted)."""
    _, i, j = _common(num[0], den[0])
    n, d = num[1][i], den[1][j]
    return np.divide(n, d, out=np.ones_like(n), where=d > 0)


def tps_trend(view: LiveView, scenarios: list[str], span_ms: int = TREND_SPAN_MS) -> np.ndarray:
    """Total successful TPS over the window (what ``kpi.total_tps`` gives at each instant)."""
    return _tps_sum(view, scenarios, span_ms)[1]


def success_trend(view: LiveView, scenarios: list[str], span_ms: int = TREND_SPAN_MS) -> np.ndarray:
    """Overall success ratio over the window (what ``kpi.success_ratio`` gives at each instant):
    per scenario successes capped at attempts, points that are not rates left out
    (``kpi.scenario_counts``), so the line stays within 0..1 like the tile."""
    ok_parts, attempted_parts = [], []
    for s in scenarios:
        t_ts, tps = view.window(_scenario_key("scenario_tps", s), span_ms)
        r_ts, requests = view.window(_scenario_key("scenario_requests_rate", s), span_ms)
        common, i, j = _common(t_ts, r_ts)
        tps, requests = tps[i], requests[j]
        rates = (tps >= 0) & (requests >= 0) & np.isfinite(tps) & np.isfinite(requests)
        if not rates.all():
            common, tps, requests = common[rates], tps[rates], requests[rates]
        if len(common):
            ok_parts.append((common, np.minimum(tps, requests)))
            attempted_parts.append((common, requests))
    if not ok_parts:
        return _EMPTY
    return ratio_window(_sum_parts(ok_parts), _sum_parts(attempted_parts))


def _tps_sum(view: LiveView, scenarios: list[str], span_ms: int) -> tuple[np.ndarray, np.ndarray]:
    return summed_window(view, [_scenario_key("scenario_tps", s) for s in scenarios], span_ms)


def p99_trend_ms(view: LiveView, span_ms: int = TREND_SPAN_MS) -> np.ndarray:
    """Traffic-weighted entry P99 in ms over the window (``kpi.entry_p99`` at each instant)."""
    channels = [s.name for s in view.topology.services if s.kind is ServiceKind.CHANNEL]
    weighted_parts, rate_parts = [], []
    for name in channels:
        p_ts, p99 = view.window(SeriesKey("service_latency_seconds", {"service": name, "quantile": "0.99"}), span_ms)
        r_ts, rps = view.window(SeriesKey("service_requests_rate", {"service": name}), span_ms)
        common, i, j = _common(p_ts, r_ts)
        if len(common):
            weighted_parts.append((common, p99[i] * rps[j]))
            rate_parts.append((common, rps[j]))
    if not weighted_parts:
        return _EMPTY
    return ratio_window(_sum_parts(weighted_parts), _sum_parts(rate_parts)) * 1000.0


def _common(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray | slice, np.ndarray | slice]:
    """Timestamps in both sorted arrays and where they sit in each (fast when equal)."""
    if len(a) == len(b) and np.array_equal(a, b):
        return a, slice(None), slice(None)
    return np.intersect1d(a, b, assume_unique=True, return_indices=True)


def _sum_parts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    first_ts = parts[0][0]
    if all(len(ts) == len(first_ts) and np.array_equal(ts, first_ts) for ts, _ in parts[1:]):
        # The usual case: every series was scraped at the same instants. A plain sum is
        # several times cheaper than sorting all the points.
        return first_ts, np.sum([v for _, v in parts], axis=0)
    ts = np.concatenate([p[0] for p in parts])
    uniq, inverse = np.unique(ts, return_inverse=True)
    total = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]), minlength=len(uniq))
    complete = np.bincount(inverse, minlength=len(uniq)) == len(parts)
    return uniq[complete], total[complete]


def _scenario_key(name: str, scenario: str) -> SeriesKey:
    return SeriesKey(name, {"scenario": scenario})


#: Incident states in which users no longer feel the outage (``warroom.core.incident``): amber, not red.
MITIGATED_STATES = ("mitigated", "recovering")


def split_active(live: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    """Live incidents as (open, mitigated): red means only an open, unmitigated incident."""
    live = list(live)
    return ([i for i in live if i.state not in MITIGATED_STATES], [i for i in live if i.state in MITIGATED_STATES])


def _restored_s(times: Any) -> float | None:
    """Time to mitigation (``mttr_mitigated_s``) of incident times or rolling KPIs, else to
    resolution (a log written before incidents were mitigated)."""
    value = getattr(times, "mttr_mitigated_s", None)
    return value if value is not None else getattr(times, "mttr_s", None)


def _restored_ms(times: Any) -> int | None:
    """When an incident was mitigated, else resolved."""
    value = getattr(times, "mitigated_ms", None)
    return value if value is not None else getattr(times, "resolved_ms", None)


def format_count(value: float) -> str:
    """A rate such as TPS with thousands separators: ``9,622``."""
    return f"{value:,.0f}"


def format_percent(ratio: float) -> str:
    """A ratio as a percentage with two decimals, without the sign: ``99.56``.

    Never rounds up to 100.00 unless it is exactly 1: a wall that reads "100.00" while
    payments fail would lie.
    """
    pct = np.floor(ratio * 10000.0 + 1e-6) / 100.0  # the epsilon absorbs float error (0.9999)
    return f"{pct:.2f}"


class KpiTilesPanel(Panel):
    """A row of north-star KPI tiles (see the module docstring).

    Tiles, by key: ``tps``, ``success``, ``p99``, ``mttr``, ``incidents`` (``tile(key)``).
    """

    ID = "kpi_tiles"
    TITLE = "North-star KPIs"
    DEFAULT_AREA = "top"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.thresholds = KpiThresholds()
        self._tiles: dict[str, KpiTileWidget] = {}
        self._trend_cursor: int | None = None
        self._trends: dict[str, np.ndarray] = {}
        self._tps_normal = TpsNormal()
        self._incident_key: tuple | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(12)
        for key, caption, unit in (
            ("tps", self.tr("TPS"), self.tr("tx/s")),
            ("success", self.tr("Success rate"), "%"),
            ("p99", self.tr("P99 latency"), self.tr("ms")),
            ("mttr", self.tr("MTTR"), self.tr("min")),
            ("incidents", self.tr("Active incidents"), ""),
        ):
            tile = KpiTileWidget(caption, unit, self)
            tile.setObjectName(f"kpi_tile_{key}")
            self._tiles[key] = tile
            layout.addWidget(tile, 1)
        self.refresh()

    def tile(self, key: str) -> KpiTileWidget:
        """The tile for ``tps``, ``success``, ``p99``, ``mttr`` or ``incidents``."""
        return self._tiles[key]

    # -- drawing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the KPIs at the cursor; the trends only when the cursor moved."""
        view = self.source
        scenarios = [sc.id for sc in view.topology.scenarios]
        cursor = view.cursor_ms
        if cursor != self._trend_cursor:
            self._trend_cursor = cursor
            self._trends = self._compute_trends(view, scenarios) if cursor is not None else {}
            if cursor is not None:
                self._learn_normal(view, scenarios, cursor)
        value: Callable[[SeriesKey], float | None] = view.value
        t = self.thresholds
        trends = self._trends

        tps = kpi.total_tps(scenarios, value) if cursor is not None else None
        tps_hist = trends.get("tps", _EMPTY)
        normal = self._tps_normal.normal(cursor) if cursor is not None else None
        if tps is None:
            note = ""
        elif normal is None:
            note = self.tr("learning normal TPS")
        else:
            change = round((tps / normal - 1.0) * 100.0) if normal > 0 else 0
            sign = "+" if change > 0 else "\u2212" if change < 0 else ""  # a real minus reads better
            note = self.tr("%1% vs normal").replace("%1", f"{sign}{abs(change)}")
        self._tiles["tps"].set_reading(
            DASH if tps is None else format_count(tps), t.tps_level(tps, normal), note,
            tps_hist, (normal or 0.0) * TPS_MIN_SPAN_FRACTION)

        ratio = kpi.success_ratio(scenarios, value) if cursor is not None else None
        note = self.tr("goal ≥ %1%").replace("%1", format_percent(t.success_warn))
        self._tiles["success"].set_reading(
            DASH if ratio is None else format_percent(ratio), t.success_level(ratio), note,
            trends.get("success", _EMPTY), SUCCESS_MIN_SPAN)

        p99 = kpi.entry_p99(view.topology, value) if cursor is not None else None
        p99_ms = None if p99 is None else p99 * 1000.0
        self._tiles["p99"].set_reading(
            DASH if p99_ms is None else format_count(p99_ms), t.p99_level(p99_ms), self.tr("entry services"),
            trends.get("p99", _EMPTY), P99_MIN_SPAN_MS)

        self._refresh_incident_tiles(view, cursor)

    def _refresh_incident_tiles(self, view: LiveView, cursor: int | None) -> None:
        """MTTR (today, else 7 days) from the event log; live incidents from the alert source."""
        watch = view.alerting
        if watch is None or cursor is None:
            # Alerting is off: say so instead of showing a number nobody measured.
            self._tiles["mttr"].set_reading(DASH, "unknown", self.tr("alerting off"))
            self._tiles["incidents"].set_reading(DASH, "unknown", self.tr("alerting off"))
            return
        key = (watch.version, cursor // 10_000)  # the log changes with the watch; "today" with time
        if key == self._incident_key:
            return
        self._incident_key = key
        events = view.events(until_ms=cursor)
        self._refresh_mttr(events, cursor)
        self._refresh_active(watch.incidents())

    def _refresh_mttr(self, events: list, cursor: int) -> None:
        """MTTR to mitigation (the north star: service restored) as the number, against the
        1-minute goal line; MTTR to resolution beside it in the note."""
        tile, t = self._tiles["mttr"], self.thresholds
        goal = self.tr("goal %1 min").replace("%1", f"{t.mttr_goal_min:g}")
        today = mttx.rolling(events, cursor, window="today")
        week = mttx.rolling(events, cursor, window="7d")
        kpis, label = ((today, self.tr("today")) if _restored_s(today) is not None
                       else (week, self.tr("last 7 days")))
        restored = _restored_s(kpis)
        times = [m / 60.0 for m in (_restored_s(i) for i in mttx.incident_times(events, now_ms=cursor)
                                    if (_restored_ms(i) or 0) >= week.start_ms) if m is not None]
        if restored is None:  # nothing to draw against the goal: it is said in words
            tile.set_goal(None)
            tile.set_reading(DASH, "unknown", self.tr("no resolved incidents") + " · " + goal)
            return
        tile.set_goal(t.mttr_goal_min, goal)
        minutes = restored / 60.0
        if kpis.mttr_s is not None:
            note = self.tr("to mitigation · to resolution %1 min · %2").replace("%1", f"{kpis.mttr_s / 60.0:.1f}").replace(
                "%2", label)
        else:
            note = self.tr("to mitigation · none resolved yet · %1").replace("%1", label)
        tile.set_reading(f"{minutes:.1f}", t.mttr_level(minutes), note, np.asarray(times, dtype=np.float64))

    def _refresh_active(self, incidents: Iterable[Any]) -> None:
        """Live incidents, open (red: users still feel it) told apart from mitigated (amber)."""
        tile = self._tiles["incidents"]
        live = [i for i in incidents if i.live]
        if not live:
            tile.set_reading("0", "ok", self.tr("none open"))
            return
        open_, mitigated = split_active(live)
        worst = min(open_ or mitigated, key=lambda i: (i.severity.value, i.detected_ms))
        names = names_for(self.source.topology, self.source.plans)
        root = names.subject(worst.root_cause) if worst.root_cause else self.tr("unknown")
        if open_:
            paging = any(i.severity.value in ("P0", "P1") for i in open_)
            level = "crit" if paging else "warn"
        else:
            level = "warn"
        root_part = self.tr("root %1").replace("%1", root)
        if open_ and not mitigated:
            note: tuple = ((worst.severity.value, level), (" · " + root_part, ""))
        elif mitigated and not open_:
            note = ((self.tr("%1 mitigated").replace("%1", str(len(mitigated))), "warn"), (" · " + root_part, ""))
        else:
            note = ((self.tr("%1 open").replace("%1", str(len(open_))), level), (" · ", ""),
                    (self.tr("%1 mitigated").replace("%1", str(len(mitigated))), "warn"), (" · " + root_part, ""))
        tile.set_reading(str(len(live)), level, note)

    def _learn_normal(self, view: LiveView, scenarios: list[str], cursor: int) -> None:
        """Teach the TPS baseline the points since the last refresh (all it needs after a jump)."""
        normal = self._tps_normal
        if normal.fed_until is not None and not 0 <= cursor - normal.fed_until <= TREND_SPAN_MS:
            normal.reset()  # a replay scrubbed back, or skipped ahead past what the trend holds
        ts, values = self._trends.get("tps_ts", _EMPTY), self._trends.get("tps", _EMPTY)
        if normal.fed_until is None:
            ts, values = _tps_sum(view, scenarios, NORMAL_HISTORY_MS)
        t = self.thresholds
        normal.feed(ts, values, lambda v, n: t.tps_level(v, n) != "ok")

    @staticmethod
    def _compute_trends(view: LiveView, scenarios: list[str]) -> dict[str, np.ndarray]:
        tps = _tps_sum(view, scenarios, TREND_SPAN_MS)
        return {
            "tps": tps[1],
            "tps_ts": tps[0],
            "success": success_trend(view, scenarios),
            "p99": p99_trend_ms(view),
        }

    # -- state ---------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """The thresholds."""
        return {"thresholds": asdict(self.thresholds)}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply saved thresholds; bad or unknown entries are ignored."""
        saved = state.get("thresholds") if isinstance(state, dict) else None
        if isinstance(saved, dict):
            self.thresholds = self.thresholds.updated(saved)
            self.refresh()
