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
Per reporting service: ``service_up`` (1, or 0 once its process crashed; Prometheus ``up``).
Per queue consumer: ``consumer_lag_seconds`` (how far it is behind its queue).
Per job: ``job_last_success_timestamp_seconds`` (unix seconds; sent once per ``cadence_s``,
    in a burst, as a Pushgateway would be scraped).
Per funnel step (labels ``scenario``, ``step``): ``scenario_step_rate`` (items/s reaching it).

``external`` APIs send nothing of their own: they are seen through their callers' edges.
A crashed service's measured series (service metrics, blocked rate, the edges it calls)
are left out of the batch: absence is the signal, and ``service_up=0`` says why.
"""

from __future__ import annotations

from typing import Sequence

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

    ``series[i]`` is the key of ``values[i]`` in every batch this layout builds. Flow
    arrays are indexed by ``services``; ``reporting`` (default: all), ``consumers`` and
    ``jobs`` say which services send which series.
    """

    def __init__(
        self, services: list[str], edges: list[tuple[str, str]], scenarios: list[str], entries: list[str],
        reporting: list[str] | None = None, consumers: list[str] = (), jobs: list[str] = (),
        steps: Sequence[SeriesKey] = (),
    ) -> None:
        reporting = list(services) if reporting is None else list(reporting)
        sidx = {n: i for i, n in enumerate(services)}
        self._rep = np.array([sidx[n] for n in reporting], dtype=np.intp)
        entries = [e for e in entries if e in set(reporting)]
        self.entries = entries
        keys: list[SeriesKey] = []
        owner: list[str] = []  # the service whose process measures each series ("" = none)
        for name, extra in SERVICE_METRICS:
            keys += [SeriesKey(name, {"service": s, **extra}) for s in reporting]
            owner += reporting
        for name, extra in ENTRY_METRICS:
            keys += [SeriesKey(name, {"service": s, **extra}) for s in entries]
            owner += entries
        for name, extra in EDGE_METRICS:
            keys += [SeriesKey(name, {"caller": a, "callee": b, **extra}) for a, b in edges]
            owner += [a for a, _ in edges]
        for name, extra in SCENARIO_METRICS:
            keys += [SeriesKey(name, {"scenario": sc, **extra}) for sc in scenarios]
            owner += [""] * len(scenarios)
        # Appended after the original series so their positions never move.
        keys += [SeriesKey("service_up", {"service": s}) for s in reporting]
        owner += [""] * len(reporting)
        keys += [SeriesKey("consumer_lag_seconds", {"service": s}) for s in consumers]
        owner += [""] * len(consumers)
        self._job_start = len(keys)
        keys += [SeriesKey("job_last_success_timestamp_seconds", {"service": s}) for s in jobs]
        owner += [""] * len(jobs)
        keys += list(steps)  # funnel steps (``warroom.sim.funnel``): counted by the business, not a process
        owner += [""] * len(steps)
        self._n_steps = len(steps)
        self.series: tuple[SeriesKey, ...] = tuple(keys)
        self._index = np.arange(len(keys), dtype=np.int32)
        self._position = {k: i for i, k in enumerate(keys)}
        self._owner = np.array(owner, dtype=object)
        self._n_jobs = len(jobs)

    def __len__(self) -> int:
        return len(self.series)

    def position(self, key: SeriesKey | str) -> int:
        """Where the series sits in every batch's ``values`` (``KeyError`` if not emitted)."""
        return self._position[SeriesKey.parse(key) if isinstance(key, str) else key]

    def batch(
        self, ts: int, r: TickResult, blocked_by_entry: np.ndarray, offered: np.ndarray, admitted: np.ndarray,
        up: np.ndarray | None = None, lag: np.ndarray | None = None, last_success: np.ndarray | None = None,
        crashed: frozenset[str] = frozenset(), burst: np.ndarray | None = None,
        steps: np.ndarray | None = None,
    ) -> MetricBatch:
        """The MetricBatch of one tick; ``blocked_by_entry`` is aligned with ``entries``.

        ``up`` is aligned with ``reporting``, ``lag`` with the consumers and
        ``last_success``/``burst`` with the jobs: a job's series is sent only where ``burst``
        is true, and a ``crashed`` service's measured series not at all.
        """
        tps = admitted * (1.0 - r.scenario_error)
        success = np.where(offered > 0, tps / np.maximum(offered, 1e-12), 1.0)
        rep = self._rep
        empty = np.zeros(0)
        values = np.concatenate(
            (
                r.svc_load[rep],
                r.svc_error[rep],
                r.svc_p50[rep],
                r.svc_p99[rep],
                r.saturation[rep],
                blocked_by_entry,
                r.edge_load,
                r.edge_error,
                r.edge_p99,
                offered,
                tps,
                success,
                offered - admitted,
                np.ones(len(rep)) if up is None else up,
                empty if lag is None else lag,
                empty if last_success is None else last_success,
                np.zeros(self._n_steps) if steps is None else steps,
            )
        )
        index = self._index
        sending_all = burst is None or bool(np.all(burst))
        if crashed or not sending_all:
            keep = np.ones(len(values), dtype=bool)
            if crashed:
                keep &= ~np.isin(self._owner, list(crashed))
            if not sending_all:
                keep[self._job_start:self._job_start + self._n_jobs] = burst
            index, values = index[keep], values[keep]
        return MetricBatch(self.series, index, np.full(len(values), ts, dtype=np.int64), values, sent_at=ts)
