"""The patrol's inspection: every service and scenario against its objectives and headroom.

Per **service** (``Item.kind == "service"``):

- ``error_ratio`` and ``p99``: the window's mean of ``service_error_ratio`` and of
  ``service_latency_seconds{quantile="0.99"}`` graded by ``health.thresholds_by_service``: the
  service's declared objectives (``Service.slo``: fail at the objective, warn from 80 % of it;
  ``basis="objective"``) or, when it declares none, the map's health thresholds for its kind
  (``basis="health"``). The basis is printed in the report: no objective is made up.
- ``headroom``: capacity (``Service.capacity_rps``, from the feed's topology: a world file's
  ``capacity_rps``, a gateway site's services) against the forecast peak of its
  ``service_requests_rate`` (``forecast.forecast_peak``), graded on utilisation = peak /
  capacity by the service's saturation thresholds (warn from 0.8, fail from 1.0). A service
  without a capacity (0) or without a day of traffic history is ``unknown`` headroom, never
  a guess (``basis="no_capacity"`` / ``"no_forecast"``).

Per **scenario**: ``success``, the window's mean ``scenario_success_ratio`` against the default
rules' levels (warn under 99 %, fail under 95 %: rules ``scenario-success-degraded`` and
``scenario-success``), and ``headroom``, its tightest service's (the bottleneck), unknown when
none of its services has a known headroom.

An item's level is its worst known check (``pass`` < ``warn`` < ``fail``); ``unknown`` when
no check could be made. The patrol's verdict is its worst item's. ``changes`` compares the
items' levels with those of the previous patrol.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from warroom.core.alerting.health import thresholds_by_service
from warroom.core.graph.topology import Topology
from warroom.core.model import SeriesKey
from warroom.core.patrol.forecast import Forecast, forecast_peak

LEVELS = ("unknown", "pass", "warn", "fail")
_RANK = {lv: i for i, lv in enumerate(LEVELS)}
#: Scenario success ratio: warn under, fail under (the default rules' P2 and P1 lines).
SCENARIO_SUCCESS_WARN = 0.99
SCENARIO_SUCCESS_FAIL = 0.95

Points = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Check:
    """One judgement: ``what`` (error_ratio, p99, success, headroom), its level and figures.

    ``value`` is what was seen (a ratio, seconds, or for headroom the utilisation at the
    forecast peak); ``warn``/``fail`` the lines it was judged against; ``basis`` where those
    lines come from. ``detail`` holds headroom's figures (capacity, peak, load_now...).
    """

    what: str
    level: str
    value: float | None = None
    warn: float | None = None
    fail: float | None = None
    basis: str = ""
    detail: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """A service or scenario and its checks."""

    kind: str  # "service" | "scenario"
    name: str
    title: str
    titles: Mapping[str, str]
    checks: tuple[Check, ...]

    @property
    def key(self) -> str:
        """``service:trade`` / ``scenario:qr_pay``: how patrols compare items."""
        return f"{self.kind}:{self.name}"

    @property
    def level(self) -> str:
        """The worst known check (``unknown`` when none is known)."""
        return worst(c.level for c in self.checks)

    def check(self, what: str) -> Check | None:
        """The check named ``what``, if the item has one."""
        return next((c for c in self.checks if c.what == what), None)


@dataclass(frozen=True)
class Change:
    """An item whose level moved since the previous patrol (None: not in that patrol)."""

    key: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Patrol:
    """One patrol: when, over which window, of what, and its items."""

    at_ms: int
    start_ms: int
    end_ms: int
    source: str
    items: tuple[Item, ...]
    changes: tuple[Change, ...] = ()
    previous_at_ms: int | None = None

    @property
    def verdict(self) -> str:
        """The worst item's level."""
        return worst(i.level for i in self.items)

    def counts(self) -> dict[str, int]:
        """Items per level, every level present (``{"pass": 12, "warn": 1, ...}``)."""
        out = {lv: 0 for lv in ("pass", "warn", "fail", "unknown")}
        for item in self.items:
            out[item.level] += 1
        return out

    @property
    def unknown_headroom(self) -> int:
        """Services whose headroom could not be judged."""
        return sum(1 for i in self.items if i.kind == "service"
                   and (c := i.check("headroom")) is not None and c.level == "unknown")

    def levels(self) -> dict[str, str]:
        """``{item key: level}``: what the next patrol compares with."""
        return {i.key: i.level for i in self.items}


def worst(levels) -> str:
    """The most severe of ``levels``; ``unknown`` loses to any real judgement."""
    return max(levels, key=_RANK.__getitem__, default="unknown")


def inspect(topology: Topology, window: Mapping[SeriesKey, Points], *, start_ms: int, end_ms: int,
            traffic_history: Mapping[str, Points] | None = None, source: str = "",
            previous: Mapping[str, str] | None = None, previous_at_ms: int | None = None,
            at_ms: int | None = None, utc_offset_h: float = 8.0) -> Patrol:
    """Inspect every service and scenario of ``topology``.

    ``window`` holds the patrol window's points per series (epoch ms, values): only points in
    ``[start_ms, end_ms]`` count. ``traffic_history`` holds each service's
    ``service_requests_rate`` history (by service name) for the forecast. ``previous`` is the
    last patrol's ``Patrol.levels()``.
    """
    if end_ms < start_ms:
        raise ValueError(f"the window ends before it starts: {start_ms} > {end_ms}")
    history = traffic_history or {}
    thresholds = thresholds_by_service(topology)

    def pts(name: str, **labels: str) -> Points:
        got = window.get(SeriesKey(name, labels))
        if got is None:
            return np.empty(0, np.int64), np.empty(0)
        ts, v = np.asarray(got[0], np.int64), np.asarray(got[1], np.float64)
        keep = (ts >= start_ms) & (ts <= end_ms) & np.isfinite(v)
        return ts[keep], v[keep]

    def mean(p: Points) -> float | None:
        return float(p[1].mean()) if p[1].size else None

    items: list[Item] = []
    headroom: dict[str, Check] = {}
    for s in topology.services:
        t = thresholds[s.name]
        slo = s.slo or {}
        err = _graded("error_ratio", mean(pts("service_error_ratio", service=s.name)), t.error_warn, t.error_crit,
                      "objective" if slo.get("error_ratio") else "health")
        p99 = _graded("p99", mean(pts("service_latency_seconds", quantile="0.99", service=s.name)),
                      t.p99_warn_s, t.p99_crit_s, "objective" if slo.get("p99_s") else "health")
        load = pts("service_requests_rate", service=s.name)
        hist = history.get(s.name)
        room = _headroom(s.capacity_rps, load, hist, end_ms, t.saturation_warn, t.saturation_crit, utc_offset_h)
        headroom[s.name] = room
        items.append(Item("service", s.name, s.title or s.name, dict(s.titles), (err, p99, room)))
    for sc in topology.scenarios:
        ok = _graded_below("success", mean(pts("scenario_success_ratio", scenario=sc.id)),
                           SCENARIO_SUCCESS_WARN, SCENARIO_SUCCESS_FAIL, "rules")
        items.append(Item("scenario", sc.id, sc.title or sc.id, dict(sc.titles),
                          (ok, _bottleneck([(n, headroom[n]) for n in sc.services if n in headroom]))))
    prev = dict(previous or {})
    changes = _changes(prev, {i.key: i.level for i in items}) if previous is not None else ()
    return Patrol(at_ms=end_ms if at_ms is None else int(at_ms), start_ms=int(start_ms), end_ms=int(end_ms),
                  source=source, items=tuple(items), changes=changes, previous_at_ms=previous_at_ms)


def _graded(what: str, value: float | None, warn: float, fail: float, basis: str) -> Check:
    if value is None:
        return Check(what, "unknown", None, warn, fail, "no_data")
    level = "fail" if value >= fail else "warn" if value >= warn else "pass"
    return Check(what, level, value, warn, fail, basis)


def _graded_below(what: str, value: float | None, warn: float, fail: float, basis: str) -> Check:
    if value is None:
        return Check(what, "unknown", None, warn, fail, "no_data")
    level = "fail" if value < fail else "warn" if value < warn else "pass"
    return Check(what, level, value, warn, fail, basis)


def _headroom(capacity: float, load: Points, history: Points | None, now_ms: int, warn: float, fail: float,
              utc_offset_h: float) -> Check:
    load_now = float(load[1].mean()) if load[1].size else None
    detail: dict[str, object] = {"load_now": load_now}
    if not capacity or capacity <= 0 or not math.isfinite(capacity):
        return Check("headroom", "unknown", None, warn, fail, "no_capacity", detail)
    detail["capacity"] = float(capacity)
    if load_now is not None:
        detail["load_now_utilisation"] = load_now / capacity
    fc: Forecast | None = None
    if history is not None:
        fc = forecast_peak(history[0], history[1], load[0], load[1], now_ms, utc_offset_h=utc_offset_h)
    if fc is None:
        return Check("headroom", "unknown", None, warn, fail, "no_forecast", detail)
    util = fc.peak / capacity
    detail.update(peak=fc.peak, peak_at_ms=fc.peak_at_ms, level_factor=fc.level, coverage=fc.coverage,
                  headroom=1.0 - util)
    level = "fail" if util >= fail else "warn" if util >= warn else "pass"
    return Check("headroom", level, util, warn, fail, "forecast", detail)


def _bottleneck(checks: list[tuple[str, Check]]) -> Check:
    known = [(n, c) for n, c in checks if c.value is not None]
    unknown = len(checks) - len(known)
    if not known:
        return Check("headroom", "unknown", None, None, None, "no_capacity", {"unknown_services": unknown})
    name, c = max(known, key=lambda nc: nc[1].value)
    detail = dict(c.detail)
    detail.update(bottleneck=name, unknown_services=unknown)
    return Check("headroom", c.level, c.value, c.warn, c.fail, "bottleneck", detail)


def _changes(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[Change, ...]:
    keys = list(after) + [k for k in before if k not in after]
    return tuple(Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k))
