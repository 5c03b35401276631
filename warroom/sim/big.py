"""A synthetic big platform for scale benches: 500 services, 1,500 calls, 10,000 series at 1 Hz.

The simulator (``warroom.sim.engine``) models 25 services in detail; this models none of the
flow, only the shape of a platform at scale, with the series keys the console already reads:

Per service (label ``service``): ``service_requests_rate``, ``service_error_ratio``,
``service_latency_seconds{quantile="0.5"|"0.99"}``, ``service_saturation_ratio``, ``service_up``.
Per entry channel: ``service_blocked_rate``. Per queue: ``consumer_lag_seconds``.
Per call (labels ``caller``, ``callee``): ``edge_requests_rate``, ``edge_error_ratio``,
``edge_latency_seconds{quantile="0.5"|"0.99"}``, and ``quantile="0.9"`` on as many calls as it
takes to reach the asked number of series (a part of a fleet exports one more quantile).
Per scenario (label ``scenario``): ``scenario_requests_rate``, ``scenario_tps``,
``scenario_success_ratio``, ``scenario_blocked_rate``.

The graph is layered (entry channels, call depth 6), its services in business domains that
mostly call within themselves; each domain is a ``group``, so the map draws it as one node
until it is opened. Values wander a little around a level per series (a healthy platform);
``BigPlatform.batch`` builds one feed second as one ``MetricBatch`` over a fixed series tuple.

``BigFeed`` is a ``FeedSource`` for ``FeedServer``: it emits one batch per feed second,
``speed`` feed seconds per wall second (merged into one frame each ``frame_interval_s``), and
records the wall time each second was emitted (``emitted``), for emission-to-pixel measures.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import numpy as np

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Scenario, SeriesKey, Service, ServiceKind
from warroom.io.resume import merge_batches
from warroom.protocol import CommandResult, MetricBatch, TopologySnapshot

#: Share of the services at each call depth (entry channels first).
LAYERS = (0.03, 0.10, 0.22, 0.28, 0.22, 0.15)
DOMAINS = ("pay", "trade", "acct", "risk", "user", "mkt", "settle", "clear", "notify", "order", "ledger", "cfg")
SCENARIO_TITLES = ("QR-code payment", "Card payment", "Refund", "Transfer", "Top-up", "Withdrawal", "Bill payment",
                   "Merchant settlement", "Red packet", "Subscription renewal", "Cross-border payment", "Loan repayment")

# What a series' values look like: (level low, level high, relative noise).
_LEVELS = {
    "service_requests_rate": (50.0, 2000.0, 0.02), "edge_requests_rate": (10.0, 800.0, 0.02),
    "scenario_requests_rate": (100.0, 3000.0, 0.02), "scenario_tps": (100.0, 3000.0, 0.02),
    "service_error_ratio": (0.0, 0.004, 0.05), "edge_error_ratio": (0.0, 0.004, 0.05),
    "service_latency_seconds": (0.01, 0.2, 0.03), "edge_latency_seconds": (0.005, 0.15, 0.03),
    "service_saturation_ratio": (0.2, 0.6, 0.02), "service_up": (1.0, 1.0, 0.0),
    "scenario_success_ratio": (0.995, 0.999, 0.0005), "service_blocked_rate": (0.0, 0.0, 0.0),
    "scenario_blocked_rate": (0.0, 0.0, 0.0), "consumer_lag_seconds": (0.1, 2.0, 0.1),
}


class BigPlatform:
    """A layered platform of ``services`` services and ``calls`` calls sending about ``series``
    series; the same ``seed`` gives the same platform."""

    def __init__(self, services: int = 500, calls: int = 1500, series: int = 10_000, scenarios: int = 12,
                 seed: int = 16) -> None:
        if services < 20 or calls < services:
            raise ValueError("a big platform has at least 20 services and a call per service")
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        sizes = [max(1, round(services * f)) for f in LAYERS]
        sizes[3] += services - sum(sizes)
        self.services: dict[str, Service] = {}
        self.layer: dict[str, int] = {}
        by_layer: list[list[str]] = [[] for _ in sizes]
        for depth, n in enumerate(sizes):
            for _ in range(n):
                by_layer[depth].append(self._new_service(depth, len(sizes)))
        self.edges: dict[tuple[str, str], CallEdge] = {}
        for depth in range(1, len(sizes)):  # every service is called from one level up
            for name in by_layer[depth]:
                self._add_edge(self._pick(by_layer[depth - 1], name), name)
        while len(self.edges) < calls:
            a = self.rng.randrange(0, len(sizes) - 1)
            b = min(len(sizes) - 1, a + (1 if self.rng.random() < 0.7 else 2))
            caller = self.rng.choice(by_layer[a])
            callee = self._pick(by_layer[b], caller)
            if (caller, callee) not in self.edges:
                self._add_edge(caller, callee)
        self.scenarios = [self._scenario(i, by_layer) for i in range(scenarios)]
        self.entries = list(by_layer[0])
        self._topology = Topology(self.services.values(), self.edges.values(), self.scenarios)
        self.series = self._make_series(series)
        lo, hi, noise = (np.array([_LEVELS[k.name][i] for k in self.series]) for i in range(3))
        self._level = lo + (hi - lo) * self.np_rng.uniform(0.0, 1.0, len(self.series))
        self._noise = noise
        self._is_ratio = np.array([k.name.endswith("_ratio") for k in self.series])
        self._index = np.arange(len(self.series), dtype=np.int32)
        at = {(k.name, k.labels.get("scenario")): i for i, k in enumerate(self.series) if "scenario" in k.labels}
        # A scenario's tps is its requests times its success ratio, as a real feed's is.
        self._tps = np.array([[at[("scenario_tps", sc.id)], at[("scenario_requests_rate", sc.id)],
                               at[("scenario_success_ratio", sc.id)]] for sc in self.scenarios],
                             dtype=np.int64).reshape(-1, 3)

    # -- building ----------------------------------------------------------------------
    def _new_service(self, depth: int, depths: int) -> str:
        n = len(self.services) + 1
        domain = DOMAINS[n % len(DOMAINS)]
        if depth == 0:
            kind, name = ServiceKind.CHANNEL, f"{domain}-gateway-{n:03d}"
        elif depth == depths - 1:
            kind = self.rng.choice((ServiceKind.DATABASE, ServiceKind.DATABASE, ServiceKind.CACHE, ServiceKind.BANK))
            name = f"{domain}-{kind.value}-{n:03d}"
        else:
            kind = ServiceKind.QUEUE if self.rng.random() < 0.05 else ServiceKind.SERVICE
            name = f"{domain}-svc-{n:03d}"
        # Entry channels stand alone on the map; the rest belong to their domain (a namespace).
        self.services[name] = Service(name, kind, f"{domain} {kind.value} {n}", core=self.rng.random() > 0.2,
                                      capacity_rps=float(self.rng.randint(500, 20000)),
                                      group="" if depth == 0 else domain)
        self.layer[name] = depth
        return name

    def _add_edge(self, caller: str, callee: str) -> None:
        self.edges[(caller, callee)] = CallEdge(caller, callee, round(self.rng.uniform(0.2, 2.0), 2))

    def _pick(self, names: list[str], near: str) -> str:
        """Most often a service of the same business domain as ``near``."""
        if self.rng.random() < 0.85:
            same = [n for n in names if n.split("-", 1)[0] == near.split("-", 1)[0]]
            if same:
                return self.rng.choice(same)
        return self.rng.choice(names)

    def _scenario(self, i: int, by_layer: list[list[str]]) -> Scenario:
        node = by_layer[0][i % len(by_layer[0])]
        path: list[tuple[str, str]] = []
        while True:
            nxt = sorted(c for (a, c) in self.edges if a == node and self.layer[c] == self.layer[node] + 1)
            if not nxt:
                break
            callee = self.rng.choice(nxt)
            path.append((node, callee))
            node = callee
        if not path:  # an entry that calls nothing one level down: a one-hop flow
            path = [next(k for k in self.edges if k[0] == node)] if any(k[0] == node for k in self.edges) else []
        title = SCENARIO_TITLES[i % len(SCENARIO_TITLES)] + (f" {i // len(SCENARIO_TITLES) + 1}"
                                                             if i >= len(SCENARIO_TITLES) else "")
        return Scenario(f"sc-{i:02d}", title, by_layer[0][i % len(by_layer[0])], tuple(path))

    def _make_series(self, target: int) -> tuple[SeriesKey, ...]:
        keys: list[SeriesKey] = []
        for name in self.services:
            s = {"service": name}
            keys += [SeriesKey("service_requests_rate", s), SeriesKey("service_error_ratio", s),
                     SeriesKey("service_latency_seconds", {**s, "quantile": "0.5"}),
                     SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}),
                     SeriesKey("service_saturation_ratio", s), SeriesKey("service_up", s)]
            if self.services[name].kind is ServiceKind.QUEUE:
                keys.append(SeriesKey("consumer_lag_seconds", s))
        keys += [SeriesKey("service_blocked_rate", {"service": e}) for e in self.entries]
        for sc in self.scenarios:
            s = {"scenario": sc.id}
            keys += [SeriesKey(n, s) for n in ("scenario_requests_rate", "scenario_tps", "scenario_success_ratio",
                                               "scenario_blocked_rate")]
        for caller, callee in self.edges:
            e = {"caller": caller, "callee": callee}
            keys += [SeriesKey("edge_requests_rate", e), SeriesKey("edge_error_ratio", e),
                     SeriesKey("edge_latency_seconds", {**e, "quantile": "0.5"}),
                     SeriesKey("edge_latency_seconds", {**e, "quantile": "0.99"})]
        extra = max(0, target - len(keys))
        keys += [SeriesKey("edge_latency_seconds", {"caller": a, "callee": b, "quantile": "0.9"})
                 for a, b in list(self.edges)[:extra]]
        return tuple(keys)

    # -- what a feed sends ----------------------------------------------------------------
    @property
    def topology(self) -> Topology:
        """The call graph (the same object every time: the platform does not change)."""
        return self._topology

    def batch(self, ts_ms: int, sent_at: int | None = None) -> MetricBatch:
        """One feed second: every series once, at ``ts_ms``."""
        n = len(self.series)
        values = self._level * (1.0 + self._noise * self.np_rng.normal(0.0, 1.0, n))
        values = np.clip(values, 0.0, None)
        values[self._is_ratio] = np.minimum(values[self._is_ratio], 1.0)
        tps, requests, success = self._tps.T
        values[tps] = values[requests] * values[success]
        return MetricBatch(self.series, self._index, np.full(n, ts_ms, np.int64), values,
                           ts_ms if sent_at is None else sent_at)


class BigFeed:
    """A ``FeedSource`` serving a ``BigPlatform`` at ``speed`` feed seconds per wall second."""

    def __init__(self, platform: BigPlatform, *, speed: float = 1.0, start_ms: int | None = None,
                 frame_interval_s: float = 0.1, name: str = "big-platform") -> None:
        self.platform = platform
        self.speed = float(speed)
        self.feed_name = name
        self.frame_interval_s = frame_interval_s
        self.start_ms = int(time.time() * 1000) if start_ms is None else start_ms
        self.next_ms = self.start_ms  # the next feed second to emit
        self.emitted: dict[int, float] = {}  # feed second (ms) -> wall time (time.time()) it was broadcast
        self.points = 0
        self._anchor: tuple[float, int] | None = None  # (wall, feed ms) the pace counts from

    def now_ms(self) -> int:
        """The feed's clock: the newest second emitted (the feed never runs ahead of its data)."""
        return self.next_ms - 1000 if self.next_ms > self.start_ms else self.start_ms

    def set_speed(self, speed: float) -> None:
        """Change the pace from now on (feed time stays contiguous)."""
        self.speed = float(speed)
        self._anchor = None

    def snapshot_messages(self) -> list[Any]:
        """What a new client gets first: the topology."""
        return [TopologySnapshot(self.now_ms(), self.platform.topology)]

    async def handle_command(self, command, client_id):
        """This feed runs no commands."""
        return [CommandResult(command.idempotency_key, "rejected", "this bench feed runs no commands")]

    def due(self, wall: float) -> list[MetricBatch]:
        """The feed seconds due at wall time ``wall`` (at most ``speed`` seconds' worth at once)."""
        if self._anchor is None:
            self._anchor = (wall, self.next_ms)
        anchor_wall, anchor_ms = self._anchor
        due_ms = anchor_ms + int((wall - anchor_wall) * self.speed * 1000)
        out = []
        while self.next_ms <= due_ms and len(out) < max(1, int(self.speed)):
            out.append(self.platform.batch(self.next_ms))
            self.next_ms += 1000
        return out

    async def run(self, server) -> None:
        """Broadcast what falls due every ``frame_interval_s``, merged into one frame."""
        while True:
            batches = self.due(time.time())
            if batches:
                message = merge_batches(batches, sent_at=batches[-1].sent_at)
                server.broadcast(message)
                now = time.time()
                for b in batches:
                    self.emitted[int(b.ts[0])] = now
                self.points += len(message)
            await asyncio.sleep(self.frame_interval_s)
