"""A small platform and its series for the patrol's tests: a day of traffic, then a window."""

from __future__ import annotations

import math

import numpy as np

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Scenario, SeriesKey, Service, ServiceKind

DAY_MS = 86_400_000
#: 2026-12-06 00:00 UTC+8 (a Sunday; any day would do).
T0 = 1_796_486_400_000
HOUR = 3_600_000


def topology(gateway_capacity: float = 2000.0, trade_capacity: float = 1000.0, trade_slo: dict | None = None) -> Topology:
    """gateway -> trade -> bank; the bank declares no capacity; one scenario over all three."""
    services = [
        Service("gateway", ServiceKind.CHANNEL, "Gateway", capacity_rps=gateway_capacity, titles={"zh_CN": "网关"}),
        Service("trade", ServiceKind.SERVICE, "Trade", capacity_rps=trade_capacity, slo=trade_slo or {},
                titles={"zh_CN": "交易"}),
        Service("bank", ServiceKind.BANK, "Bank", titles={"zh_CN": "银行"}),
    ]
    edges = [CallEdge("gateway", "trade"), CallEdge("trade", "bank")]
    scenario = Scenario.from_path("pay", "Pay", ["gateway", "trade", "bank"], {"zh_CN": "支付"})
    return Topology(services, edges, [scenario])


def daily(peak: float, ts: np.ndarray) -> np.ndarray:
    """Traffic with a peak of ``peak`` at 20:30 local and a trough of a tenth of it at 08:30."""
    local_h = ((ts - T0) % DAY_MS) / HOUR
    return peak * (0.55 + 0.45 * np.cos((local_h - 20.5) / 24 * 2 * math.pi))


def history(peak: float, days: int = 2, step_ms: int = 90_000) -> tuple[np.ndarray, np.ndarray]:
    """``days`` of ``daily(peak)`` before ``T0 + days`` (90-second averages, as the console reads)."""
    ts = np.arange(T0, T0 + days * DAY_MS, step_ms, dtype=np.int64)
    return ts, daily(peak, ts)


def window(start_ms: int, minutes: int, values: dict[SeriesKey, float], step_ms: int = 10_000):
    """Constant series over ``minutes`` from ``start_ms``."""
    ts = np.arange(start_ms, start_ms + minutes * 60_000, step_ms, dtype=np.int64)
    return {k: (ts, np.full(ts.size, v)) for k, v in values.items()}, int(ts[-1])


def healthy(start_ms: int, minutes: int = 15, *, trade_error: float = 0.001, trade_p99: float = 0.2,
            success: float = 0.999, load_scale: float = 1.0, trade_peak: float = 800.0):
    """A window where everything is well (override one signal to break it)."""
    load = {name: float(daily(p, np.array([start_ms]))[0]) * load_scale
            for name, p in (("gateway", 800.0), ("trade", trade_peak), ("bank", 800.0))}
    values = {}
    for name in ("gateway", "trade", "bank"):
        values[SeriesKey("service_error_ratio", {"service": name})] = trade_error if name == "trade" else 0.001
        values[SeriesKey("service_latency_seconds", {"service": name, "quantile": "0.99"})] = (
            trade_p99 if name == "trade" else 0.3)
        values[SeriesKey("service_requests_rate", {"service": name})] = load[name]
    values[SeriesKey("scenario_success_ratio", {"scenario": "pay"})] = success
    return window(start_ms, minutes, values)
