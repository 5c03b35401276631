"""The series the simulator emits, laid out once so a tick only fills a value array.

Per service (label ``service``):
    ``service_requests_rate`` (req/s arriving, after rate limits),
    ``service_error_ratio`` (0..1, including failures of its callees and shed load),
    ``service_latency_seconds{quantile="0.5"|"0.99"}``,
    ``service_saturation_ratio`` (load / capacity; above 1 means overloaded).
Per entry service: ``service_blocked_rate`` (req/s rejected by rate limits).
Per edge (labels ``caller``, ``callee``):
    ``edge_requests_rate``, ``edge_error_ratio`` (errors and timeouts the caller sees),
    ``edge_latency_seconds{quantile="0.99"}`` (capped by the caller's timeout).
Per scenario (label ``scenario``):
    ``scenario_requests_rate`` (offered TPS), ``scenario_tps`` (successful transactions/s),
    ``scenario_success_ratio`` (successes / offered; blocked requests count as failed),
    ``scenario_blocked_rate`` (TPS rejected by rate limits).
"""

from __future__ import annotations

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol.messages import MetricBatch
from warroom.sim.flow import TickResult

SERVICE_METRICS = (
    ("service_requests_rate", {}),
    ("service_error_ratio", {}),
    ("service_latency_seconds", {"quantile": "0.5"}),
    ("service_latency_seconds", {"quantile": "0.99"}),
    ("service_saturation_ratio", {}),
)
ENTRY_METRICS = (("service_blocked_rate", {}),)
EDGE_METRICS = (
    ("edge_requests_rate", {}),
    ("edge_error_ratio", {}),
    ("edge_latency_seconds", {"quantile": "0.99"}),
)
SCENARIO_METRICS = (
    ("scenario_requests_rate", {}),
    ("scenario_tps", {}),
    ("scenario_success_ratio", {}),
    ("scenario_blocked_rate", {}),
)


class SeriesLayout:
    """Series keys in a fixed order and the index column that goes with them.

    ``series[i]`` is the key of ``values[i]`` in every batch this layout builds.
    """

    def __init__(
        self, services: list[str], edges: list[tuple[str, str]], scenarios: list[str], entries: list[str]
    ) -> None:
        keys: list[SeriesKey] = []
        for name, extra in SERVICE_METRICS:
            keys += [SeriesKey(name, {"service": s, **extra}) for s in services]
        for name, extra in ENTRY_METRICS:
            keys += [SeriesKey(name, {"service": s, **extra}) for s in entries]
        for name, extra in EDGE_METRICS:
            keys += [SeriesKey(name, {"caller": a, "callee": b, **extra}) for a, b in edges]
        for name, extra in SCENARIO_METRICS:
            keys += [SeriesKey(name, {"scenario": sc, **extra}) for sc in scenarios]
        self.series: tuple[SeriesKey, ...] = tuple(keys)
        self._index = np.arange(len(keys), dtype=np.int32)
        self._position = {k: i for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self.series)

    def position(self, key: SeriesKey | str) -> int:
        """Where the series sits in every batch's ``values`` (``KeyError`` if not emitted)."""
        return self._position[SeriesKey.parse(key) if isinstance(key, str) else key]

    def batch(
        self, ts: int, r: TickResult, blocked_by_entry: np.ndarray, offered: np.ndarray, admitted: np.ndarray
    ) -> MetricBatch:
        """The MetricBatch of one tick; ``blocked_by_entry`` is aligned with the entries."""
        tps = admitted * (1.0 - r.scenario_error)
        success = np.where(offered > 0, tps / np.maximum(offered, 1e-12), 1.0)
        values = np.concatenate(
            (
                r.svc_load,
                r.svc_error,
                r.svc_p50,
                r.svc_p99,
                r.saturation,
                blocked_by_entry,
                r.edge_load,
                r.edge_error,
                r.edge_p99,
                offered,
                tps,
                success,
                offered - admitted,
            )
        )
        return MetricBatch(self.series, self._index, np.full(len(values), ts, dtype=np.int64), values, sent_at=ts)
