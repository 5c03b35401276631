"""North-star KPIs from the event log: MTTD, MTTA and MTTR per incident and rolling, and SLO burn.

The times of an incident are read only from the attrs of its INCIDENT events (the event
log is the one source of truth; ``warroom.core.incident.incidents`` writes them), the latest event
of each incident winning:

    started_ms   the earliest ``since_ms`` of the incident's alerts: when the problem began
    detected_ms  when the incident opened: its first P0/P1 alert firing
    acked_ms     its first acknowledgement (of the incident or of one of its alerts)
    mitigated_ms when users last felt it recovered: no P0/P1 alert of it firing any more, while
                 its root may still alert (the seed's "service restored")
    resolved_ms  when it was over: the start of the recovery window (every alert of it
                 resolved, the root's included) that was then verified (the ``resolved`` event
                 itself is ``recovery_s`` later, so the verification wait does not count)

    MTTD = detected − started      MTTA = acked − detected
    MTTR to mitigation = mitigated − started      MTTR (to resolution) = resolved − started

in seconds. Drill incidents (``warroom.core.incident.drills``: any of their events carries the
drill mark) are production's never: ``incident_times`` leaves them out unless asked
(``include_drills=True``, which the drill scorecard does), and so do the rolling means.
``mttr_s`` keeps its meaning (to resolution); ``mttr_mitigated_s`` is beside it. An incident merged into another is not counted (the survivor carries its times).
A time not reached yet is ``None``, and so is a mean over no incidents: never a fake 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

import numpy as np

from warroom.core.incident.drills import drill_of
from warroom.core.model import Event, EventKind

_DAY_MS = 86_400_000
WINDOWS = ("today", "7d")


@dataclass(frozen=True)
class IncidentTimes:
    """One incident's milestones (epoch ms) and the durations between them (seconds)."""

    id: str
    state: str
    started_ms: int | None
    detected_ms: int | None
    acked_ms: int | None
    resolved_ms: int | None
    mttd_s: float | None
    mtta_s: float | None
    mttr_s: float | None
    #: When users felt it recovered (``None`` until then, and again while it is open after a relapse).
    mitigated_ms: int | None = None
    #: Time to mitigation: mitigated − started (seconds).
    mttr_mitigated_s: float | None = None
    #: The drill it belongs to (``""``: a production incident).
    drill: str = ""


@dataclass(frozen=True)
class RollingKpis:
    """Means over a window ``[start_ms, end_ms]``.

    ``count`` incidents were detected in the window: MTTD and MTTA are averaged over them
    (MTTA over those acknowledged). ``resolved`` incidents were restored in it: MTTR is
    averaged over them. ``open`` is the number of incidents not resolved at ``end_ms``.
    ``mitigated`` incidents were mitigated in it (resolved ones included): ``mttr_mitigated_s``
    is averaged over them.
    """

    window: str
    start_ms: int
    end_ms: int
    count: int
    resolved: int
    open: int
    mttd_s: float | None
    mtta_s: float | None
    mttr_s: float | None
    mitigated: int = 0
    mttr_mitigated_s: float | None = None


@dataclass(frozen=True)
class ErrorBudget:
    """Error-budget burn of an SLO over ``(start_ms, end_ms]``.

    ``burn_rate`` 1 spends the budget exactly over the window; ``remaining`` is the fraction
    of the window's budget left, negative when overspent. ``None`` when there are no samples.
    """

    target: float
    window_s: float
    start_ms: int | None
    end_ms: int | None
    samples: int
    mean_success: float | None
    burn_rate: float | None
    remaining: float | None


def incident_times(events: Iterable[Event], *, now_ms: int | None = None,
                   include_drills: bool = False) -> list[IncidentTimes]:
    """Every (not merged) production incident's times from its INCIDENT events, ordered by
    detection; with ``include_drills`` the drill incidents too (``drill`` says which).

    With ``now_ms``, only events up to then count: the state of the log at a replay cursor.
    """
    latest: dict[str, tuple[tuple[int, int, int], Event]] = {}
    drills: dict[str, str] = {}
    for i, ev in enumerate(events):
        if ev.kind is not EventKind.INCIDENT or (now_ms is not None and ev.ts > now_ms):
            continue
        iid = str(ev.attrs.get("incident") or "")
        if not iid:
            continue
        did = drill_of(ev)
        if did:  # one marked event makes the whole incident a drill's
            drills.setdefault(iid, did)
        key = (ev.ts, _seq(ev.id), i)
        if iid not in latest or key > latest[iid][0]:
            latest[iid] = (key, ev)
    out = []
    for iid, (_, ev) in latest.items():
        a = ev.attrs
        if a.get("merged_into") or (iid in drills and not include_drills):
            continue
        started, detected, acked, resolved, mitigated = (
            _ms(a.get(k)) for k in ("started_ms", "detected_ms", "acked_ms", "resolved_ms", "mitigated_ms"))
        if mitigated is None and resolved is not None:
            mitigated = resolved  # a log written before mitigation existed: restored when resolved
        out.append(IncidentTimes(iid, str(a.get("state", "")), started, detected, acked, resolved,
                                 _span(started, detected), _span(detected, acked), _span(started, resolved),
                                 mitigated, _span(started, mitigated), drills.get(iid, "")))
    return sorted(out, key=lambda t: (t.detected_ms if t.detected_ms is not None else -1, t.id))


def window_start(now_ms: int, window: Literal["today", "7d"], *, utc_offset_h: float = 8.0) -> int:
    """Where a rolling window ending at ``now_ms`` starts.

    ``today`` starts at the local midnight (UTC + ``utc_offset_h``) before ``now_ms``;
    ``7d`` is the last 7 × 24 hours.
    """
    if window == "today":
        offset = int(round(utc_offset_h * 3_600_000))
        return (now_ms + offset) // _DAY_MS * _DAY_MS - offset
    if window == "7d":
        return now_ms - 7 * _DAY_MS
    raise ValueError(f"window must be one of {WINDOWS}, not {window!r}")


def rolling(events: Iterable[Event], now_ms: int, *, window: Literal["today", "7d"],
            utc_offset_h: float = 8.0) -> RollingKpis:
    """MTTD, MTTA and MTTR (to mitigation and to resolution) means over a window ending at
    ``now_ms``, from the event log: production incidents only, drills never count."""
    start = window_start(now_ms, window, utc_offset_h=utc_offset_h)
    times = incident_times(events, now_ms=now_ms)
    detected = [t for t in times if t.detected_ms is not None and start <= t.detected_ms <= now_ms]
    resolved = [t for t in times if t.state == "resolved" and t.resolved_ms is not None
                and start <= t.resolved_ms <= now_ms]
    mitigated = [t for t in times if t.mitigated_ms is not None and start <= t.mitigated_ms <= now_ms]
    return RollingKpis(
        window=window, start_ms=start, end_ms=now_ms, count=len(detected), resolved=len(resolved),
        open=sum(1 for t in times if t.state != "resolved"),
        mttd_s=_mean(t.mttd_s for t in detected), mtta_s=_mean(t.mtta_s for t in detected),
        mttr_s=_mean(t.mttr_s for t in resolved),
        mitigated=len(mitigated), mttr_mitigated_s=_mean(t.mttr_mitigated_s for t in mitigated),
    )


def error_budget(success_ratios: Sequence[float] | np.ndarray, ts_ms: Sequence[int] | np.ndarray, *,
                 target: float, window_s: float, now_ms: int | None = None) -> ErrorBudget:
    """Burn rate ``(1 − mean success) / (1 − target)`` over the window ending at ``now_ms``.

    ``success_ratios[i]`` was observed at ``ts_ms[i]``; samples are weighted equally (a regularly
    sampled series) and NaNs (no traffic) are skipped. The window ends at ``now_ms``, by default
    the newest sample, and holds the samples with ``end − window_s < ts ≤ end``.
    """
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be in (0, 1), not {target!r}")
    if not window_s > 0:
        raise ValueError(f"window_s must be > 0, not {window_s!r}")
    ratios = np.asarray(success_ratios, dtype=np.float64)
    ts = np.asarray(ts_ms, dtype=np.int64)
    if ratios.ndim != 1 or ts.shape != ratios.shape:
        raise ValueError(f"success_ratios and ts_ms must be 1-D and the same length ({ratios.shape}, {ts.shape})")
    if np.any((ratios < 0) | (ratios > 1)):
        raise ValueError("success ratios must be within [0, 1]")
    if now_ms is None and ts.size == 0:
        return ErrorBudget(target, float(window_s), None, None, 0, None, None, None)
    end = int(ts.max()) if now_ms is None else int(now_ms)
    start = end - int(round(window_s * 1000))
    picked = ratios[(ts > start) & (ts <= end) & np.isfinite(ratios)]
    if picked.size == 0:
        return ErrorBudget(target, float(window_s), start, end, 0, None, None, None)
    mean = float(picked.mean())
    burn = (1.0 - mean) / (1.0 - target)
    return ErrorBudget(target, float(window_s), start, end, int(picked.size), mean, burn, 1.0 - burn)


def _ms(v: object) -> int | None:
    return None if v is None else int(v)  # type: ignore[call-overload]


def _span(a: int | None, b: int | None) -> float | None:
    return None if a is None or b is None else (b - a) / 1000.0


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def _seq(event_id: str) -> int:
    # "incident:{id}:{n}": n orders the events of one incident that share a ts.
    m = re.search(r":(\d+)$", event_id)
    return int(m.group(1)) if m else 0
