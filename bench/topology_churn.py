#!/usr/bin/env python3
"""A big call graph that keeps changing (issue 12, finding 10), against the real console.

A feed server in a child process serves a layered platform of 1,000 services and 3,000
calls (six entry channels, call depth 8, twelve business domains whose services mostly call
within their domain, five business scenarios) and its metrics at 1 Hz
(per service: requests/s, error ratio, p50/p90/p99 latency, saturation; per call: rate and
error ratio; per scenario: tps, requests/s, success ratio: about 12,000 series). Every 2 s
it sends the whole topology again (the protocol has no deltas):

  * ``--mode churn``: each time a little changed: services added and removed (their callees
    rewired), calls added and removed, capacities, titles and call weights changed;
  * ``--mode same``: each time the same content, as a feed that re-sends its graph;
  * ``--mode mixed`` (default): the two alternating.

The console runs in this process through ``warroom.ui.app.run_console``, the code path of
``warroom console --url … --layout command-centre`` (offscreen, 1920x1080), for
``--seconds`` (default 150). Measured from the first topology on:

  * CPU: this process's utime+stime (/proc/self/stat; the feed runs in the child), as a
    percentage of one core;
  * RSS (/proc/self/statm) once a second; growth = the largest RSS after the first
    minute against the RSS at one minute;
  * UI stalls: a 10 ms precise QTimer on the UI thread; a stall is how late it woke up;
  * false staleness: any 'stale' state of the feed seen by the window, or any feed event
    saying 'stale', while the server never stopped sending;
  * where the UI thread's time went: the console's stages (decoding, the live view, the
    alert watch, the store writer's queueing, the map's refresh and slices, the window's
    frame ticks and paints, garbage collections) timed by wrapping their methods.

Raw baselines measured in the same run, for the ratios: the CPU of only decoding the same
frames (the console cannot do less than that), the slowest single topology decode, and the
probe's largest late wake-up on an idle Qt loop (what the machine's noise costs).

    python bench/topology_churn.py [--seconds 150] [--mode mixed|churn|same]

The last line is ``churn: services=… edges=… cpu_pct=… rss_growth_pct=… max_ui_stall_ms=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from warroom.core.model import CallEdge, Scenario, SeriesKey, Service, ServiceKind  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.protocol import MetricBatch, TopologySnapshot  # noqa: E402

LAYERS = (6, 40, 120, 220, 250, 200, 110, 54)  # services per call depth; sums to 1,000
DOMAINS = ("pay", "trade", "acct", "risk", "user", "mkt", "settle", "clear", "notify", "cfg", "order", "ledger")
QUANTILES = ("0.5", "0.9", "0.99")
_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


# -- the platform --------------------------------------------------------------------------
class ChurnWorld:
    """A layered call graph and its metrics; ``churn()`` changes it a little."""

    def __init__(self, services: int = 1000, edges: int = 3000, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        scale = services / sum(LAYERS)
        sizes = [max(1, round(n * scale)) for n in LAYERS]
        sizes[4] += services - sum(sizes)
        self.target_edges = edges
        self.layer: dict[str, int] = {}
        self.services: dict[str, Service] = {}
        self.edges: dict[tuple[str, str], CallEdge] = {}
        self._made = 0
        for depth, n in enumerate(sizes):
            for _ in range(n):
                self._new_service(depth)
        by_layer = self._by_layer()
        for depth in range(1, len(sizes)):  # one caller one level up: depth == layer
            for name in by_layer[depth]:
                self._add_edge(self._pick(by_layer[depth - 1], name), name)
        while len(self.edges) < edges:
            self._random_edge(by_layer)
        self.scenarios = self._make_scenarios(by_layer)
        self.protected = {s for sc in self.scenarios for s in sc.services}
        self.changes = 0

    # building
    def _new_service(self, depth: int) -> str:
        self._made += 1
        domain = DOMAINS[self._made % len(DOMAINS)]
        if depth == 0:
            kind, name = ServiceKind.CHANNEL, f"{domain}-gateway-{self._made:04d}"
        elif depth == len(LAYERS) - 1:
            kind = self.rng.choice((ServiceKind.DATABASE, ServiceKind.DATABASE, ServiceKind.BANK, ServiceKind.CACHE))
            name = f"{domain}-{kind.value}-{self._made:04d}"
        else:
            kind = ServiceKind.QUEUE if self.rng.random() < 0.05 else ServiceKind.SERVICE
            name = f"{domain}-svc-{self._made:04d}"
        # The entry channels stand alone; the rest belong to their domain's group (a namespace).
        self.services[name] = Service(name, kind, f"{domain} {kind.value} {self._made}",
                                      core=self.rng.random() > 0.2, capacity_rps=float(self.rng.randint(200, 20000)),
                                      group="" if depth == 0 else domain)
        self.layer[name] = depth
        return name

    def _by_layer(self) -> list[list[str]]:
        out: list[list[str]] = [[] for _ in LAYERS]
        for name, depth in self.layer.items():
            out[depth].append(name)
        return out

    def _add_edge(self, caller: str, callee: str) -> None:
        self.edges[(caller, callee)] = CallEdge(caller, callee, round(self.rng.uniform(0.2, 3.0), 2))

    def _pick(self, names: list[str], near: str) -> str:
        """A service from ``names``, most often of the same business domain as ``near``:
        services call within their domain, and a few shared ones across."""
        if self.rng.random() < 0.85:
            same = [n for n in names if n.split("-", 1)[0] == near.split("-", 1)[0]]
            if same:
                return self.rng.choice(same)
        return self.rng.choice(names)

    def _random_edge(self, by_layer: list[list[str]]) -> None:
        a = self.rng.randrange(1, len(LAYERS) - 1)
        r = self.rng.random()
        b = a + 1 if r < 0.6 else min(len(LAYERS) - 1, a + 2) if r < 0.85 else len(LAYERS) - 1
        caller = self.rng.choice(by_layer[a])
        callee = self._pick(by_layer[b], caller)
        if (caller, callee) not in self.edges:
            self._add_edge(caller, callee)

    def _make_scenarios(self, by_layer: list[list[str]]) -> list[Scenario]:
        titles = ("QR-code payment", "Card payment", "Refund", "Transfer", "Top-up")
        out = []
        for i, title in enumerate(titles):
            node = by_layer[0][i % len(by_layer[0])]
            path = []
            while True:
                nxt = [c for (a, c) in self.edges if a == node]
                if not nxt:
                    break
                step = [c for c in nxt if self.layer[c] == self.layer[node] + 1]  # a flow goes one hop at a time
                callee = self.rng.choice(sorted(step or nxt))
                path.append((node, callee))
                node = callee
            out.append(Scenario(f"sc-{i}", title, path[0][0], tuple(path)))
        return out

    # changing
    def churn(self) -> None:
        """A realistic little change: a few services and calls come and go, attributes move."""
        self.changes += 1
        rng = self.rng
        by_layer = self._by_layer()
        for _ in range(rng.randint(1, 3)):  # services retired; their callees get another caller
            depth = rng.randrange(1, len(LAYERS) - 1)
            candidates = [n for n in by_layer[depth] if n not in self.protected]
            if len(candidates) < 2:
                continue
            gone = rng.choice(candidates)
            by_layer[depth].remove(gone)
            orphans = [c for (a, c) in self.edges if a == gone]
            for key in [k for k in self.edges if gone in k]:
                del self.edges[key]
            del self.services[gone], self.layer[gone]
            for callee in orphans:
                if not any(a for (a, c) in self.edges if c == callee and self.layer[a] == depth):
                    self._add_edge(self._pick(by_layer[depth], callee), callee)
        for _ in range(rng.randint(1, 3)):  # new services, called from one level up
            depth = rng.randrange(1, len(LAYERS) - 1)
            name = self._new_service(depth)
            self._add_edge(self._pick(by_layer[depth - 1], name), name)
            for _ in range(rng.randint(1, 3)):
                self._add_edge(name, self._pick(by_layer[min(len(LAYERS) - 1, depth + rng.randint(1, 2))], name))
            by_layer[depth].append(name)
        for _ in range(rng.randint(2, 5)):  # calls dropped (never a service's last call from above)
            key = rng.choice(list(self.edges))
            callee_depth = self.layer[key[1]]
            others = [a for (a, c) in self.edges if c == key[1] and a != key[0] and self.layer[a] == callee_depth - 1]
            if others and not any(key in sc.edges for sc in self.scenarios):
                del self.edges[key]
        while len(self.edges) < self.target_edges:
            self._random_edge(by_layer)
        for name in rng.sample(sorted(self.services), rng.randint(3, 8)):  # attributes
            s = self.services[name]
            self.services[name] = Service(s.name, s.kind, s.title, s.core, float(rng.randint(200, 20000)), s.group)
        for key in rng.sample(sorted(self.edges), 5):
            self._add_edge(*key)  # a new call weight

    def topology(self) -> Topology:
        """The graph as a feed sends it (a new object each time, as a decoder makes)."""
        return Topology(self.services.values(), self.edges.values(), self.scenarios)

    def series(self) -> tuple[SeriesKey, ...]:
        """Every series the feed sends, in a fixed order."""
        keys = []
        for name in self.services:
            s = {"service": name}
            keys += [SeriesKey("service_requests_rate", s), SeriesKey("service_error_ratio", s),
                     SeriesKey("service_saturation_ratio", s)]
            keys += [SeriesKey("service_latency_seconds", {**s, "quantile": q}) for q in QUANTILES]
        for caller, callee in self.edges:
            e = {"caller": caller, "callee": callee}
            keys += [SeriesKey("edge_requests_rate", e), SeriesKey("edge_error_ratio", e)]
        for sc in self.scenarios:
            s = {"scenario": sc.id}
            keys += [SeriesKey("scenario_tps", s), SeriesKey("scenario_requests_rate", s),
                     SeriesKey("scenario_success_ratio", s)]
        return tuple(keys)

    def metrics(self, ts_ms: int, series: tuple[SeriesKey, ...]) -> MetricBatch:
        """One second of every series: each around its own level with a little noise (a healthy platform)."""
        if series is not getattr(self, "_series", None):
            kinds = np.array([_VALUE_KIND.get(k.name, 0) for k in series])
            u = self.np_rng.uniform(0.0, 1.0, len(series))
            fresh = np.select([kinds == 1, kinds == 2, kinds == 3, kinds == 4],
                              [50 + u * 2000, u * 0.004, 0.01 + u * 0.2, 0.2 + u * 0.4], 0.995 + u * 0.004)
            known = dict(zip(getattr(self, "_series", ()), getattr(self, "_levels", ())))
            self._levels = np.array([known.get(k, f) for k, f in zip(series, fresh)])
            self._series, self._success = series, kinds == 5
            # Each scenario's tps is its requests times its success ratio, as a real feed's are
            # (drawn on their own they once made the success-rate tile read 341.67 %).
            at = {(k.name, k.labels.get("scenario")): i for i, k in enumerate(series) if k.name.startswith("scenario_")}
            triples = [(at[("scenario_tps", s)], at[("scenario_requests_rate", s)], at[("scenario_success_ratio", s)])
                       for name, s in at if name == "scenario_tps"
                       and ("scenario_requests_rate", s) in at and ("scenario_success_ratio", s) in at]
            self._scenario_idx = np.array(triples, dtype=np.int64).reshape(-1, 3)
        n = len(series)
        noise = np.where(self._success, 0.0005, 0.02)  # a success ratio barely moves
        values = np.clip(self._levels * (1 + noise * self.np_rng.normal(0.0, 1.0, n)), 0.0, None)
        values = np.where(self._success, np.minimum(values, 1.0), values)
        tps, requests, success = self._scenario_idx.T
        values[tps] = values[requests] * values[success]
        return MetricBatch(series, np.arange(n, dtype=np.int32), np.full(n, ts_ms, np.int64), values, ts_ms)


_VALUE_KIND = {"service_requests_rate": 1, "edge_requests_rate": 1, "scenario_tps": 1, "scenario_requests_rate": 1,
               "service_error_ratio": 2, "edge_error_ratio": 2, "service_latency_seconds": 3,
               "service_saturation_ratio": 4, "scenario_success_ratio": 5}


def frames_for(world: ChurnWorld, mode: str, start_ms: int, seconds: int):
    """(feed ms, message) in the order the server sends them: metrics every second, the
    topology every two (changed or not, by ``mode``)."""
    series = world.series()
    for i in range(1, seconds + 1):
        ts = start_ms + i * 1000
        if i % 2 == 0:
            if mode == "churn" or (mode == "mixed" and i % 4 == 2):
                world.churn()
                series = world.series()
            yield ts, TopologySnapshot(ts, world.topology())
        yield ts, world.metrics(ts, series)


# -- the feed (child process) ---------------------------------------------------------------
class ChurnSource:
    """The ``FeedSource`` of the churning platform, paced in real time."""

    speed = 1.0

    def __init__(self, world: ChurnWorld, mode: str) -> None:
        self.world, self.mode = world, mode
        self.start_ms = int(time.time() * 1000)
        self.sent = {"metrics": 0, "topology": 0, "points": 0}

    def now_ms(self) -> int:
        return int(time.time() * 1000)

    def snapshot_messages(self) -> list:
        return [TopologySnapshot(self.now_ms(), self.world.topology())]

    async def handle_command(self, command, client_id):
        from warroom.protocol import CommandResult

        return [CommandResult(command.idempotency_key, "rejected", "this bench feed runs no commands")]

    async def run(self, server) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        seconds = 10 ** 9
        for ts, msg in frames_for(self.world, self.mode, self.start_ms, seconds):
            delay = start + (ts - self.start_ms) / 1000 - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            server.broadcast(msg)
            if isinstance(msg, MetricBatch):
                self.sent["metrics"] += 1
                self.sent["points"] += len(msg)
            else:
                self.sent["topology"] += 1


def serve(args: argparse.Namespace) -> None:
    """Child process: serve until stdin closes, then print what was sent."""
    from warroom.io.server import FeedServer

    async def main() -> None:
        source = ChurnSource(ChurnWorld(args.services, args.edges, args.seed), args.mode)
        server = FeedServer(source, port=0, client_queue_frames=200)
        await server.start()
        print(f"URL {server.url}", flush=True)
        task = asyncio.create_task(source.run(server))
        await asyncio.to_thread(sys.stdin.read)  # the parent closes our stdin to stop us
        task.cancel()
        await server.stop()
        print(f"SENT {source.sent} slow_consumers={server.stats.slow_consumers}", flush=True)

    asyncio.run(main())


# -- measuring ------------------------------------------------------------------------------
def cpu_seconds() -> float:
    """This process's user+system CPU time."""
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2 ** 20


def raw_decode_baseline(args: argparse.Namespace, seconds: int = 30) -> tuple[float, float]:
    """(CPU % of one core, slowest topology decode in ms) of only decoding the same frames."""
    from warroom.protocol import Decoder
    from warroom.protocol.metrics import SeriesTable
    from warroom.protocol.outgoing import Outgoing

    world = ChurnWorld(args.services, args.edges, args.seed)
    table = SeriesTable()
    frames = [(ts, Outgoing(m, table).frame("binary", i + 1))
              for i, (ts, m) in enumerate(frames_for(world, args.mode, 1_763_605_800_000, seconds))]
    decoder = Decoder()
    slowest = 0.0
    c0 = time.process_time()
    for ts, frame in frames:
        t0 = time.perf_counter()
        result = decoder.decode(frame, ts)
        assert result.message is not None, result.errors
        if isinstance(result.message, TopologySnapshot):
            slowest = max(slowest, time.perf_counter() - t0)
    return (time.process_time() - c0) / seconds * 100, slowest * 1000


class StallProbe:
    """A 10 ms precise timer on the UI thread; records how late each wake-up is."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self.late_ms: list[float] = []
        self.at_s: list[float] = []  # when each wake-up came, seconds since start
        self._clock = QElapsedTimer()
        self._since = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self.late_ms.clear()
        self.at_s.clear()
        self._clock.start()
        self._since.start()
        self._timer.start(10)

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        self.late_ms.append(max(0.0, self._clock.restart() - 10.0))
        self.at_s.append(self._since.elapsed() / 1000)


def instrument() -> dict[str, list[float]]:
    """Time the console's UI-thread stages (wrapping their methods) to say where stalls come
    from: {stage: [seconds per call]}. Topology frames and the rest are told apart."""
    from warroom.app.recorder import Recorder
    from warroom.app.watch import AlertWatch
    from warroom.protocol import Decoder
    from warroom.store import StoreWriter
    from warroom.store.live import LiveView
    from warroom.ui.main_window import MainWindow
    from warroom.ui.panels.map import panel as topology_map

    times: dict[str, list[float]] = {}

    def wrap(cls, name: str, label, thread_check: bool = True) -> None:
        original = getattr(cls, name)
        main = threading.main_thread()

        def timed(*a, **kw):
            if thread_check and threading.current_thread() is not main:
                return original(*a, **kw)
            t0 = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                times.setdefault(label(a) if callable(label) else label, []).append(time.perf_counter() - t0)

        setattr(cls, name, timed)

    kind = lambda a: "topology" if isinstance(a[1], TopologySnapshot) else "metrics" if isinstance(a[1], MetricBatch) else "other"  # noqa: E731
    wrap(LiveView, "apply", lambda a: f"view.apply({kind(a)})")
    wrap(AlertWatch, "on_batch", "watch.on_batch")
    wrap(AlertWatch, "on_topology", "watch.on_topology")
    wrap(StoreWriter, "append_topology", "writer.append_topology")
    wrap(StoreWriter, "append_metrics", "writer.append_metrics")
    wrap(Recorder, "handle", lambda a: f"recorder.handle({kind(a)})")
    original_decode = Decoder.decode

    def decode(self, frame, now_ms):
        t0 = time.perf_counter()
        result = original_decode(self, frame, now_ms)
        if threading.current_thread() is threading.main_thread():
            name = type(result.message).__name__ if result.message is not None else "error"
            times.setdefault(f"decode({name})", []).append(time.perf_counter() - t0)
        return result

    Decoder.decode = decode
    started: list[float] = []

    def on_gc(phase: str, info: dict) -> None:  # a collection pauses whichever stage ran it
        if threading.current_thread() is not threading.main_thread():
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            times.setdefault(f"gc gen{info['generation']} (inside stages)", []).append(time.perf_counter() - started[0])

    import gc
    gc.callbacks.append(on_gc)
    wrap(MainWindow, "_on_timer_timeout", "window frame tick")
    wrap(topology_map.TopologyMapPanel, "refresh", "map.refresh")
    if hasattr(topology_map.TopologyMapPanel, "_on_layout_done"):  # (not before issue 12's work)
        from warroom.ui.panels.map import drawing as map_drawing

        wrap(topology_map.TopologyMapPanel, "_on_layout_done", "map layout delivered")
        wrap(map_drawing.SlicedWork, "_on_timer_timeout", "map work slice")
    return times


def idle_stall_baseline(seconds: float = 3.0) -> float:
    """The probe's largest late wake-up on an idle Qt loop: the machine's own noise."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    probe = StallProbe()
    probe.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    probe.stop()
    return max(probe.late_ms[5:], default=0.0)


def run(args: argparse.Namespace) -> None:
    from warroom.core.model import EventKind
    from warroom.ui.app import ConsoleOptions, run_console

    raw_cpu, raw_decode_ms = raw_decode_baseline(args)
    idle_stall = idle_stall_baseline()
    stages = instrument()
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--mode", args.mode, "--seed", str(args.seed),
                              "--services", str(args.services), "--edges", str(args.edges)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    if not line.startswith("URL "):
        raise SystemExit(f"the feed did not start: {line!r}")
    url = line.split()[1]
    samples: list[tuple[float, float, float]] = []  # (seconds since start, cpu s, rss MB)
    result: dict = {}

    async def on_ready(win) -> None:
        view = win.view
        try:
            while len(view.topology) == 0:
                await asyncio.sleep(0.05)
            probe = StallProbe()
            probe.start()
            paints_before = len(win.paint_times)
            stale_seen = 0
            t0, c0 = time.monotonic(), cpu_seconds()
            stop = threading.Event()

            def sample() -> None:  # off the UI thread: keeps sampling even if it is stuck
                while not stop.wait(1.0):
                    samples.append((time.monotonic() - t0, cpu_seconds() - c0, rss_mb()))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            while time.monotonic() - t0 < args.seconds:
                await asyncio.sleep(0.1)
                stale_seen += view.feed_state == "stale"
            stop.set()
            sampler.join()
            probe.stop()
            result["paints"] = list(win.paint_times[paints_before:])
            feed_stale = [e for e in view.events(until_ms=2 ** 62)
                          if e.kind is EventKind.FEED and e.attrs.get("state") == "stale"]
            panel = win.panels.get("topology_map")
            result.update(late=probe.late_ms, late_at=probe.at_s, stale_samples=stale_seen, stale_events=len(feed_stale),
                          nodes=len(panel.nodes) if panel else 0, edges=len(panel.edges) if panel else 0,
                          events=len(view.events(until_ms=2 ** 62)), series=view.series_count,
                          topology=(len(view.topology), view.topology.graph.number_of_edges()))
        finally:
            win.close()

    with tempfile.TemporaryDirectory() as tmp:
        rc = run_console(ConsoleOptions(url=url, layout="command-centre", size=(1920, 1080), settings=False,
                                        db=Path(tmp) / "churn.duckdb", on_ready=on_ready))
    child.stdin.close()
    sent = child.stdout.read().strip()
    child.wait(10)
    if rc or not result or not samples:
        raise SystemExit(f"the console did not run through (rc {rc})")

    elapsed, cpu, _ = samples[-1]
    cpu_pct = cpu / elapsed * 100
    at_minute = next((rss for t, _, rss in samples if t >= 60), samples[0][2])
    later = [rss for t, _, rss in samples if t >= 60] or [samples[-1][2]]
    growth = (max(later) - at_minute) / at_minute * 100
    late = sorted(result["late"])
    max_stall = late[-1] if late else 0.0
    p99 = late[int(len(late) * 0.99)] if late else 0.0
    over_8 = sum(1 for t in late if t > 8)
    print(f"topology churn bench: mode {args.mode}, {args.seconds:.0f} s, console in-process "
          f"(layout command-centre, 1920x1080 offscreen), feed in pid {child.pid}")
    print(f"  feed: {sent}")
    print(f"  console: map {result['nodes']} nodes / {result['edges']} edges (topology {result['topology']}), "
          f"{result['series']} series, {result['events']} events in the view")
    print(f"  cpu: {cpu_pct:.0f}% of one core; raw baseline (only decoding the same frames): {raw_cpu:.1f}%  "
          f"ratio {cpu_pct / max(raw_cpu, 1e-9):.1f}x")
    print(f"  rss: {samples[0][2]:.0f} MB at start, {at_minute:.0f} MB at 1 min, max after {max(later):.0f} MB, "
          f"end {samples[-1][2]:.0f} MB")
    steady = sorted(ms for ms, at in zip(result["late"], result["late_at"]) if at >= 10)
    print(f"  ui stalls (10 ms timer, {len(late)} wake-ups): max {max_stall:.0f} ms, p99 {p99:.1f} ms, "
          f"over 8 ms {over_8}; idle-loop baseline max {idle_stall:.1f} ms; slowest raw topology decode "
          f"{raw_decode_ms:.1f} ms")
    if steady:
        print(f"    after the first 10 s (the first batch of ~12,000 new series is behind): max {steady[-1]:.0f} ms, "
              f"p99 {steady[int(len(steady) * 0.99)]:.1f} ms")
    print("  UI-thread stages over the run (calls, max ms, p99 ms, ms per second):")
    stages["window paint"] = result["paints"]
    for name, ts in sorted(((n, t) for n, t in stages.items() if t), key=lambda kv: -max(kv[1])):
        ts = sorted(ts)
        print(f"    {name:<28} {len(ts):6d} {ts[-1] * 1000:8.1f} {ts[int(len(ts) * 0.99)] * 1000:8.1f} "
              f"{sum(ts) * 1000 / elapsed:8.1f}")
    stale = result["stale_samples"] + result["stale_events"]
    print(f"  false 'feed stale': {'YES' if stale else 'no'} ({result['stale_samples']} samples, "
          f"{result['stale_events']} feed events)")
    print(f"churn: services={args.services} edges={args.edges} cpu_pct={cpu_pct:.0f} "
          f"rss_growth_pct={growth:.1f} max_ui_stall_ms={max_stall:.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=150.0)
    ap.add_argument("--mode", choices=("mixed", "churn", "same"), default="mixed")
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--edges", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child's role
    args = ap.parse_args()
    serve(args) if args.serve else run(args)


if __name__ == "__main__":
    main()
