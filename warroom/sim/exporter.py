"""The simulator as a Prometheus target: ``GET /metrics`` in the text exposition format 0.0.4.

``warroom sim --prometheus PORT`` serves the running simulator the way a real platform's
telemetry would look to Prometheus, so the gateway (``warroom gateway``) can be tested end
to end against a real Prometheus scraping it. Two shapes:

``servicegraph`` (default) — what the OpenTelemetry Collector's ``servicegraph`` connector
(and Tempo's metrics-generator) export, labels ``client``, ``server``, ``connection_type``:

* ``traces_service_graph_request_total`` and ``traces_service_graph_request_failed_total``;
* ``traces_service_graph_request_server_seconds_bucket/_sum/_count``, with the connector's
  default bounds (``SERVICEGRAPH_BUCKETS_S``, seconds).

``connection_type`` is ``database`` for calls into ``database`` and ``cache`` services (a
CLIENT span with ``db.system``), ``messaging_system`` into a ``queue``, ``virtual_node`` for a
call into an ``external`` API (no SERVER span: the connector invents the server from
``peer.service``) and for traffic arriving at an entry service from outside, whose client is
the virtual node ``user`` (a root SERVER span gets a virtual client). Otherwise it is empty,
which Prometheus stores as no label, as the connector does.

``istio`` — Istio's standard metrics: ``istio_requests_total`` and
``istio_request_duration_milliseconds_bucket/_sum/_count`` (milliseconds, Envoy's default
bounds ``ISTIO_BUCKETS_MS``), labels ``reporter``, ``source_workload``,
``source_workload_namespace``, ``source_canonical_service``, ``destination_workload``,
``destination_workload_namespace``, ``destination_service`` (``NAME.NS.svc.cluster.local``),
``destination_service_name``, ``destination_service_namespace``,
``destination_canonical_service``, ``request_protocol="http"``, ``response_code``,
``response_flags``. Every call is reported twice, as in a mesh: ``reporter="destination"`` by
the callee's sidecar and ``reporter="source"`` by the caller's (not for calls from outside,
whose ``source_workload`` is ``"unknown"``). Each tick's calls are split into ``200`` and
``500`` by the call's error ratio. Every service, database and external API is treated as
if it had a sidecar, so the destination view is complete (a real mesh reports calls to
services outside it only from the source side).

Both shapes add the business counters a platform would export,
``warroom_scenario_requests_total{scenario}`` (offered transactions, rate-limited ones
included), ``warroom_scenario_success_total{scenario}`` and, per funnel step,
``warroom_scenario_step_total{scenario,step}`` (items that reached it).

**How the counters are made.** After every simulated second (``SimFeed.tick_listeners``)
the exporter reads the tick's ``MetricBatch`` and integrates it: per call ``requests +=
rate × dt``, ``failed += rate × error ratio × dt``, and the latency histogram gets
``rate × dt`` observations spread over the buckets by a log-normal fitted to the call's p50
and p99 (p99 is the sim's ``edge_latency_seconds``; p50 is the callee's
``service_latency_seconds{quantile="0.5"}``, or p99 divided by the callee's tail factor when
the callee reports none), so ``histogram_quantile(0.99, rate(…_bucket[W]))`` comes back near
the simulator's p99 (within the resolution of the buckets: Prometheus interpolates linearly
inside one). Calls from outside to an entry service carry the scenarios' admitted
transactions (rate-limited requests are refused in front of the service and show only in the
scenario counters) with the entry's own error ratio and latency. Counters never decrease;
a series appears with its first call (an error series with its first error), as a real
exporter's do. Within a simulated second the counters advance linearly with the feed's
clock towards the end of that second, so a scrape at any moment sees a smooth counter and
``rate()`` over a few seconds is not thrown off by where the scrape falls between two ticks.

**Speed.** Prometheus stamps samples with its own wall clock. ``dt`` is ``1 / speed`` wall
seconds per simulated second, so ``rate()`` gives the simulator's per-second figures at
any ``--speed``; the counts are then per wall second, not per simulated second, and a
fault's five simulated minutes last ``5 / speed`` wall minutes.

**A crashed service** (``process_crash``) sends nothing of its own, like a dead process: its
SERVER spans stop, so its calls to others stop advancing, and calls from outside into a
crashed entry stop too (nobody traces them). Its callers still make CLIENT spans, all failed:
in the service-graph shape their ``client``→``server`` series keeps advancing, every call
counted as failed (the real connector would, once its store's TTL expires, report those
unpaired client spans against a virtual server named by ``peer.service``; Warroom keeps the
series it had, which sums the same by ``client, server``); in the Istio shape the
destination reporter goes silent and the source reporter counts ``503`` with
``response_flags="UF"`` (upstream connection failure).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from warroom.core.model import SeriesKey, ServiceKind
from warroom.protocol.messages import MetricBatch
from warroom.sim.flow import normal_sf

if TYPE_CHECKING:
    from aiohttp import web

    from warroom.sim.engine import Simulator
    from warroom.sim.feed import SimFeed

log = logging.getLogger(__name__)

SHAPES = ("servicegraph", "istio")
#: The servicegraph connector's default ``latency_histogram_buckets`` (seconds).
SERVICEGRAPH_BUCKETS_S = (0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.4, 2.0, 5.0, 10.0, 15.0)
#: Envoy's default histogram bounds, which Istio's ``istio_request_duration_milliseconds`` uses (ms).
ISTIO_BUCKETS_MS = (0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000,
                    600000, 1800000, 3600000)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: The virtual client of traffic arriving from outside (the servicegraph connector's name for it).
OUTSIDE = "user"

_Z99 = 2.326  # the 99th percentile of the standard normal
_MIN_SPREAD = 0.05  # smallest ln(p99/p50): a latency is never a single value
_DEFAULT_TAIL = 3.0  # p99/p50 when the platform says nothing
_STEPS_PER_TICK = 20  # the cached text is remade at most this often per simulated second
# Istio rows per call: (reporter, response_code, response_flags)
_ISTIO_SLOTS = (("destination", "200", "-"), ("destination", "500", "-"),
                ("source", "200", "-"), ("source", "500", "-"), ("source", "503", "UF"))
_CONNECTION_TYPE = {ServiceKind.DATABASE: "database", ServiceKind.CACHE: "database",
                    ServiceKind.QUEUE: "messaging_system", ServiceKind.EXTERNAL: "virtual_node"}


def escape_label(value: str) -> str:
    """A label value escaped for the text format: backslash, double quote and line feed."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _labels(pairs: Sequence[tuple[str, str]]) -> str:
    return ",".join(f'{k}="{escape_label(v)}"' for k, v in pairs)


def _le(bound: float) -> str:
    return repr(float(bound))


def check_buckets(bounds: Sequence[float]) -> tuple[float, ...]:
    """Histogram bounds as floats; ``ValueError`` unless finite, positive and strictly increasing."""
    out = tuple(float(b) for b in bounds)
    if not out:
        raise ValueError("histogram buckets: need at least one bound")
    if not all(math.isfinite(b) and b > 0 for b in out):
        raise ValueError(f"histogram buckets must be finite and positive, got {list(bounds)}")
    if any(b >= c for b, c in pairwise(out)):
        raise ValueError(f"histogram buckets must be strictly increasing, got {list(bounds)}")
    return out


class _Acc:
    """A cumulative array and the increment of the tick in progress.

    The value at a moment is ``total + pending × fraction of the tick elapsed``; a new tick
    adds the whole pending increment to the total first, so the value never goes down.
    """

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.total = np.zeros(shape)
        self.pending = np.zeros(shape)

    def push(self, increment: np.ndarray) -> None:
        self.total += self.pending
        self.pending = increment

    def at(self, frac: float) -> np.ndarray:
        return self.total + self.pending * frac


class _Calls:
    """Where each exported call (client -> server) finds its figures in a tick's batch.

    Calls are the simulator's edges, then one call from ``OUTSIDE`` per entry service.
    Positions point into a value vector one longer than the batch layout; the last slot is
    always NaN and stands for "not sent".
    """

    def __init__(self, sim: Simulator, outside: str) -> None:
        t = sim.topology
        series = sim.series
        self.n_series = len(series)
        missing = self.n_series
        pos = {k: i for i, k in enumerate(series)}

        def at(name: str, **labels: str) -> int:
            return pos.get(SeriesKey(name, labels), missing)

        profiles = sim.platform.profiles
        edges = [e.key for e in t.edges]
        entries = list(dict.fromkeys(sc.entry for sc in t.scenarios))
        self.scenarios = [sc.id for sc in t.scenarios]
        self.client = [a for a, _ in edges] + [outside] * len(entries)
        self.server = [b for _, b in edges] + entries
        self.connection_type = [_CONNECTION_TYPE.get(t.service(b).kind, "") for b in self.server[:len(edges)]]
        self.connection_type += ["virtual_node"] * len(entries)
        self.from_outside = np.array([False] * len(edges) + [True] * len(entries))
        self.n_edges = len(edges)
        self.n = len(self.client)

        def svc(name: str, service: str, **labels: str) -> int:
            return at(name, service=service, **labels)

        self.edge_rate = np.array([at("edge_requests_rate", caller=a, callee=b) for a, b in edges], dtype=np.intp)
        self.edge_err = np.array([at("edge_error_ratio", caller=a, callee=b) for a, b in edges], dtype=np.intp)
        self.edge_p99 = np.array([at("edge_latency_seconds", caller=a, callee=b, quantile="0.99") for a, b in edges],
                                 dtype=np.intp)
        self.entry_present = np.array([svc("service_requests_rate", e) for e in entries], dtype=np.intp)
        self.entry_err = np.array([svc("service_error_ratio", e) for e in entries], dtype=np.intp)
        self.entry_p99 = np.array([svc("service_latency_seconds", e, quantile="0.99") for e in entries], dtype=np.intp)
        self.p50 = np.array([svc("service_latency_seconds", b, quantile="0.5") for b in self.server], dtype=np.intp)
        self.server_up = np.array([svc("service_up", b) for b in self.server], dtype=np.intp)
        self.tail = np.array([float(getattr(profiles.get(b), "tail", _DEFAULT_TAIL) or _DEFAULT_TAIL)
                              for b in self.server])
        self.offered = np.array([at("scenario_requests_rate", scenario=k) for k in self.scenarios], dtype=np.intp)
        self.success = np.array([at("scenario_tps", scenario=k) for k in self.scenarios], dtype=np.intp)
        self.blocked = np.array([at("scenario_blocked_rate", scenario=k) for k in self.scenarios], dtype=np.intp)
        self.entry_of = np.zeros((len(entries), len(self.scenarios)))
        for k, sc in enumerate(t.scenarios):
            self.entry_of[entries.index(sc.entry), k] = 1.0
        #: Funnel steps (``scenario_step_rate``): their positions and their counters' labels.
        steps = [(sc.id, st) for sc in t.scenarios for st in sc.steps]
        self.steps = np.array([pos.get(st.series, missing) for _, st in steps], dtype=np.intp)
        self.step_labels = [_labels([("scenario", sid), ("step", st.id)]) for sid, st in steps]

    def read(self, v: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per call: rate, error ratio, p50, p99 (NaN where not sent), and whether the server is down."""
        admitted = np.nan_to_num(v[self.offered]) - np.nan_to_num(v[self.blocked])
        entry_rate = self.entry_of @ np.maximum(admitted, 0.0)
        entry_rate = np.where(np.isfinite(v[self.entry_present]), entry_rate, np.nan)
        rate = np.concatenate((v[self.edge_rate], entry_rate))
        err = np.concatenate((v[self.edge_err], v[self.entry_err]))
        p99 = np.concatenate((v[self.edge_p99], v[self.entry_p99]))
        p50 = v[self.p50]
        down = v[self.server_up] == 0.0
        return rate, err, p50, p99, down


class PromExporter:
    """Cumulative Prometheus series integrated from the simulator's ticks, and their ``/metrics``.

    ``observe(batch)`` takes one tick's batch (``SimFeed.tick_listeners``); ``render()`` is
    the exposition text; ``start(host, port)`` serves it with aiohttp in the running event
    loop. ``clock`` returns the simulated "now" (ms) for the smooth advance within a tick
    (None: counters jump a whole tick at once); ``seconds_per_tick`` is the ``dt`` of the
    module docstring. ``buckets`` are the histogram bounds in the shape's unit (seconds for
    the service graph, milliseconds for Istio).
    """

    def __init__(
        self, sim: Simulator, *, shape: str = "servicegraph", buckets: Sequence[float] | None = None,
        seconds_per_tick: float = 1.0, clock: Callable[[], int] | None = None, namespace: str = "warroom",
        outside: str = OUTSIDE,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
        if not (seconds_per_tick > 0 and math.isfinite(seconds_per_tick)):
            raise ValueError(f"seconds_per_tick must be positive, got {seconds_per_tick!r}")
        self.shape = shape
        self.unit = 1.0 if shape == "servicegraph" else 1000.0  # histogram unit per second
        default = SERVICEGRAPH_BUCKETS_S if shape == "servicegraph" else ISTIO_BUCKETS_MS
        self.buckets = check_buckets(default if buckets is None else buckets)
        self.seconds_per_tick = float(seconds_per_tick)
        self.clock = clock
        self.namespace = namespace
        self.calls = _Calls(sim, outside)
        self.ticks = 0
        self._tick_ms: int | None = None
        self._log_le = np.log(np.array(self.buckets) / self.unit)  # bounds as ln(seconds)
        self._last_mu = np.full(self.calls.n, math.log(0.05))  # the last known fit of each call
        self._last_sigma = np.full(self.calls.n, 0.5)
        rows = self.calls.n if shape == "servicegraph" else self.calls.n * len(_ISTIO_SLOTS)
        B = len(self.buckets)
        self._requests = _Acc((rows,))
        self._failed = _Acc((rows,))  # servicegraph only
        self._buckets = _Acc((rows, B))
        self._sum = _Acc((rows,))
        K = len(self.calls.scenarios)
        self._scn_requests = _Acc((K,))
        self._scn_success = _Acc((K,))
        self._steps = _Acc((len(self.calls.steps),))
        self._prefixes = self._row_labels()
        self._le_text = [_le(b) for b in self.buckets]
        self._scn_labels = [_labels([("scenario", k)]) for k in self.calls.scenarios]
        self._cache_key: tuple[int, int] | None = None
        self._cache = b""
        self._runner: web.AppRunner | None = None
        self._failed_once = False
        self.port: int | None = None

    @classmethod
    def for_feed(cls, feed: SimFeed, **kwargs) -> PromExporter:
        """An exporter fed by ``feed``'s ticks, on its clock, with ``dt = 1 / speed``."""
        exporter = cls(feed.sim, seconds_per_tick=1.0 / feed.speed, clock=feed.clock.now_ms, **kwargs)
        feed.tick_listeners.append(exporter.observe_safely)
        return exporter

    def observe_safely(self, batch: MetricBatch) -> None:
        """``observe``, but a failure is logged (once) instead of stopping the feed that calls it:
        the websocket feed matters more than its Prometheus view."""
        try:
            self.observe(batch)
        except Exception:  # a bug here must not stop the feed (see the docstring)
            if not self._failed_once:
                self._failed_once = True
                log.exception("prometheus exporter: a tick could not be counted; /metrics may lag behind")

    # -- integrating ------------------------------------------------------------------
    def observe(self, batch: MetricBatch) -> None:
        """Integrate one tick's batch into the counters."""
        c = self.calls
        v = np.full(c.n_series + 1, np.nan)
        if len(batch):
            v[batch.index] = batch.values
        rate, err, p50, p99, down = c.read(v)
        dt = self.seconds_per_tick
        n = np.where(np.isfinite(rate), np.maximum(np.nan_to_num(rate), 0.0), 0.0) * dt
        e = np.clip(np.nan_to_num(err), 0.0, 1.0)
        fail = n * e
        mu, sigma = self._fit(p50, p99, c.tail)
        cdf = 1.0 - normal_sf((self._log_le[None, :] - mu[:, None]) / sigma[:, None])
        cdf = np.clip(np.maximum.accumulate(cdf, axis=1), 0.0, 1.0)
        mean = np.exp(mu + 0.5 * sigma * sigma) * self.unit
        if self.shape == "servicegraph":
            self._requests.push(n)
            self._failed.push(fail)
            self._buckets.push(n[:, None] * cdf)
            self._sum.push(n * mean)
        else:
            slots = self._istio_counts(n, fail, down, c.from_outside)  # (calls, slots)
            flat = slots.reshape(-1)
            self._requests.push(flat)
            self._buckets.push((slots[:, :, None] * cdf[:, None, :]).reshape(flat.size, -1))
            self._sum.push((slots * mean[:, None]).reshape(-1))
        offered = np.maximum(np.nan_to_num(v[c.offered]), 0.0) * dt
        self._scn_requests.push(offered)
        self._scn_success.push(np.minimum(np.maximum(np.nan_to_num(v[c.success]), 0.0) * dt, offered))
        self._steps.push(np.maximum(np.nan_to_num(v[c.steps]), 0.0) * dt)
        self._tick_ms = int(batch.sent_at) if batch.sent_at is not None else None
        self.ticks += 1

    def _fit(self, p50: np.ndarray, p99: np.ndarray, tail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mu, sigma) of ln(latency in seconds) per call: a log-normal through p50 and p99.

        p99 anchors the fit (it is what a p99 query must find again); a call without p50
        uses p99 / tail; a call without either keeps its last fit.
        """
        ok99 = np.isfinite(p99) & (p99 > 0)
        p50 = np.where(np.isfinite(p50) & (p50 > 0), p50, p99 / tail)
        ratio = np.maximum(np.where(ok99, p99, 1.0) / np.where(ok99, p50, 1.0), math.exp(_MIN_SPREAD))
        sigma = np.log(ratio) / _Z99
        mu = np.log(np.where(ok99, p99, 1.0)) - _Z99 * sigma
        self._last_mu = np.where(ok99, mu, self._last_mu)
        self._last_sigma = np.where(ok99, sigma, self._last_sigma)
        return self._last_mu, self._last_sigma

    @staticmethod
    def _istio_counts(n: np.ndarray, fail: np.ndarray, down: np.ndarray, outside: np.ndarray) -> np.ndarray:
        """Calls per Istio row (see ``_ISTIO_SLOTS``): the destination reports unless it is
        down, the source unless it is outside the mesh; a down destination answers 503."""
        ok = n - fail
        dst = ~down
        src = ~outside
        return np.stack((np.where(dst, ok, 0.0), np.where(dst, fail, 0.0),
                         np.where(src, ok, 0.0), np.where(src & ~down, fail, 0.0),
                         np.where(src & down, fail, 0.0)), axis=1)

    # -- rendering --------------------------------------------------------------------
    def _row_labels(self) -> list[str]:
        c = self.calls
        if self.shape == "servicegraph":
            return [_labels([("client", a), ("server", b), ("connection_type", ct)])
                    for a, b, ct in zip(c.client, c.server, c.connection_type)]
        ns = self.namespace
        out = []
        for a, b, outside in zip(c.client, c.server, c.from_outside.tolist()):
            src = [("source_workload", "unknown"), ("source_workload_namespace", "unknown"),
                   ("source_canonical_service", "unknown")] if outside else [
                   ("source_workload", a), ("source_workload_namespace", ns), ("source_canonical_service", a)]
            dst = [("destination_workload", b), ("destination_workload_namespace", ns),
                   ("destination_service", f"{b}.{ns}.svc.cluster.local"), ("destination_service_name", b),
                   ("destination_service_namespace", ns), ("destination_canonical_service", b)]
            for reporter, code, flags in _ISTIO_SLOTS:
                out.append(_labels([("reporter", reporter), *src, *dst, ("request_protocol", "http"),
                                    ("response_code", code), ("response_flags", flags)]))
        return out

    def _fraction(self) -> float:
        """How much of the tick in progress has elapsed on the feed's clock (1 without a clock)."""
        if self.clock is None or self._tick_ms is None:
            return 1.0
        return min(1.0, max(0.0, (self.clock() - self._tick_ms) / 1000.0))

    def render(self) -> bytes:
        """The exposition text (UTF-8), remade at most ``_STEPS_PER_TICK`` times per tick."""
        frac = self._fraction()
        key = (self.ticks, int(frac * _STEPS_PER_TICK))
        if key != self._cache_key:
            frac = key[1] / _STEPS_PER_TICK if frac < 1.0 else 1.0
            self._cache = self._text(frac).encode()
            self._cache_key = key
        return self._cache

    def _text(self, frac: float) -> str:
        out: list[str] = []
        requests = self._requests.at(frac)
        buckets = self._buckets.at(frac)
        total = self._sum.at(frac)
        shown = np.flatnonzero(requests > 0).tolist()
        pre = self._prefixes
        if self.shape == "servicegraph":
            failed = self._failed.at(frac)
            _counter(out, "traces_service_graph_request_total", "Total count of requests between two nodes",
                     [(pre[i], requests[i]) for i in shown])
            _counter(out, "traces_service_graph_request_failed_total",
                     "Total count of failed requests between two nodes",
                     [(pre[i], failed[i]) for i in np.flatnonzero(failed > 0).tolist()])
            _histogram(out, "traces_service_graph_request_server_seconds",
                       "Time for a request between two nodes as seen from the server", self._le_text,
                       [(pre[i], buckets[i], total[i], requests[i]) for i in shown])
        else:
            _counter(out, "istio_requests_total", "Total requests", [(pre[i], requests[i]) for i in shown])
            _histogram(out, "istio_request_duration_milliseconds", "Request duration in milliseconds",
                       self._le_text, [(pre[i], buckets[i], total[i], requests[i]) for i in shown])
        sr, ss = self._scn_requests.at(frac), self._scn_success.at(frac)
        _counter(out, "warroom_scenario_requests_total", "Business transactions offered (rate-limited ones included)",
                 list(zip(self._scn_labels, sr.tolist())))
        _counter(out, "warroom_scenario_success_total", "Business transactions completed successfully",
                 list(zip(self._scn_labels, ss.tolist())))
        if self.calls.step_labels:
            _counter(out, "warroom_scenario_step_total", "Business items that reached a funnel step",
                     list(zip(self.calls.step_labels, self._steps.at(frac).tolist())))
        out.append("")
        return "\n".join(out)

    # -- serving ----------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve ``GET /metrics`` on ``host:port`` (0 picks a free port, then in ``self.port``)."""
        from aiohttp import web

        app = web.Application()
        app.router.add_get("/metrics", self._handle_metrics)
        app.router.add_get("/", self._handle_index)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop serving (safe to call twice)."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _handle_metrics(self, request: web.Request) -> web.Response:
        from aiohttp import web

        return web.Response(body=self.render(), headers={"Content-Type": CONTENT_TYPE})

    async def _handle_index(self, request: web.Request) -> web.Response:
        from aiohttp import web

        return web.Response(text=f"warroom simulator exporter ({self.shape} shape): see /metrics\n")


def _num(x: float) -> str:
    return repr(float(x))


def _counter(out: list[str], name: str, help_text: str, rows: list[tuple[str, float]]) -> None:
    out.append(f"# HELP {name} {_escape_help(help_text)}")
    out.append(f"# TYPE {name} counter")
    out.extend(f"{name}{{{labels}}} {_num(value)}" for labels, value in rows)


def _histogram(out: list[str], name: str, help_text: str, le_text: list[str],
               rows: list[tuple[str, np.ndarray, float, float]]) -> None:
    out.append(f"# HELP {name} {_escape_help(help_text)}")
    out.append(f"# TYPE {name} histogram")
    for labels, buckets, total, count in rows:
        sep = "," if labels else ""
        out.extend(f'{name}_bucket{{{labels}{sep}le="{le}"}} {_num(b)}' for le, b in zip(le_text, buckets.tolist()))
        out.append(f'{name}_bucket{{{labels}{sep}le="+Inf"}} {_num(count)}')
        out.append(f"{name}_sum{{{labels}}} {_num(total)}")
        out.append(f"{name}_count{{{labels}}} {_num(count)}")
