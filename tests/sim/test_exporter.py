"""The simulator's Prometheus exporter: the exposition text, and a real Prometheus scraping it."""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
import time
import urllib.request
from collections import defaultdict
from itertools import pairwise

import numpy as np
import pytest

from tests.promstack import Prometheus
from warroom.core.model import ServiceKind
from warroom.io.server import FeedServer
from warroom.sim import Simulator
from warroom.sim.exporter import (
    CONTENT_TYPE,
    ISTIO_BUCKETS_MS,
    SERVICEGRAPH_BUCKETS_S,
    PromExporter,
    check_buckets,
    escape_label,
)
from warroom.sim.feed import SimFeed
from warroom.sim.world import load_world

from .support import PEAK_MS

# -- a parser of the text format (0.0.4), written from the format's description -------------
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)",?')
_UNESCAPE = {"n": "\n", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _UNESCAPE[m.group(1)], text)


def parse(text: str) -> tuple[dict[str, str], dict[str, str], dict[tuple[str, frozenset], float]]:
    """(help by family, type by family, value by (sample name, labels)); asserts the grammar."""
    helps, types, samples = {}, {}, {}
    assert text.endswith("\n")
    current = None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            assert name not in helps, f"HELP twice for {name}"
            helps[name] = help_text
            current = name
            continue
        if line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert name == current and name not in types and kind in ("counter", "histogram"), line
            types[name] = kind
            continue
        m = _SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, labels, value = m.groups()
        family = re.sub(r"_(bucket|sum|count)$", "", name) if types.get(current) == "histogram" else name
        assert family == current, f"{name} outside its family block ({current})"
        pairs = _LABEL.findall(labels or "")
        assert "".join(f'{k}="{v}",' for k, v in pairs).rstrip(",") == (labels or ""), f"bad labels: {labels!r}"
        key = (name, frozenset((k, _unescape(v)) for k, v in pairs))
        assert key not in samples, f"duplicate sample {line!r}"
        samples[key] = float(value)
    return helps, types, samples


def histograms(samples, family: str) -> dict[frozenset, dict]:
    """Per label set: ``{"buckets": [(le, value)...], "sum": s, "count": c}``."""
    out: dict[frozenset, dict] = defaultdict(lambda: {"buckets": []})
    for (name, labels), value in samples.items():
        if name == family + "_bucket":
            le = dict(labels)["le"]
            out[labels - {("le", le)}]["buckets"].append((float(le), value))
        elif name == family + "_sum":
            out[labels]["sum"] = value
        elif name == family + "_count":
            out[labels]["count"] = value
    for h in out.values():
        h["buckets"].sort()
    return dict(out)


def by(samples, name: str, *keys: str) -> dict[tuple, float]:
    return {tuple(dict(lb).get(k, "") for k in keys): v for (n, lb), v in samples.items() if n == name}


def quantile(q: float, buckets: list[tuple[float, float]]) -> float:
    """``histogram_quantile`` as Prometheus computes it (linear inside the bucket)."""
    count = buckets[-1][1]
    rank = q * count
    lo, below = 0.0, 0.0
    for le, cum in buckets:
        if cum >= rank:
            if le == float("inf"):
                return lo
            return lo + (le - lo) * (rank - below) / (cum - below)
        lo, below = le, cum
    return lo


def near(got: float, want: float, bounds) -> bool:
    """Whether ``got`` lies in the bucket of ``want`` (or a neighbour's, when ``want`` sits within
    10 % of a bound): all a bucketed quantile can promise, as Prometheus interpolates inside one."""
    edges = [0.0, *map(float, bounds), float("inf")]

    def bucket(x: float) -> int:
        return next(i for i, le in enumerate(edges) if x <= le)

    lo, hi = bucket(want / 1.1), bucket(want * 1.1)
    return edges[lo - 1] <= got <= edges[hi] if lo > 0 else got <= edges[hi]


def tick(sim: Simulator, exporter: PromExporter, n: int = 1) -> list[dict[str, float]]:
    """Run ``n`` ticks into the exporter; each tick's values by series text."""
    out = []
    for _ in range(n):
        batch, _ = sim.tick()
        exporter.observe(batch)
        out.append({batch.series[i].text: v for i, v in zip(batch.index.tolist(), batch.values.tolist())})
    return out


def edge(caller: str, callee: str, metric: str = "edge_requests_rate", **extra: str) -> str:
    labels = {"callee": callee, "caller": caller, **extra}
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=7, start_ms=PEAK_MS)


# -- the exposition text -------------------------------------------------------------------
def test_servicegraph_text_parses_with_help_type_and_the_connector_labels(sim):
    exporter = PromExporter(sim)
    tick(sim, exporter, 3)
    helps, types, samples = parse(exporter.render().decode())
    assert types == {"traces_service_graph_request_total": "counter",
                     "traces_service_graph_request_failed_total": "counter",
                     "traces_service_graph_request_server_seconds": "histogram",
                     "warroom_scenario_requests_total": "counter", "warroom_scenario_success_total": "counter",
                     "warroom_scenario_step_total": "counter"}
    assert all(helps[name] for name in types)
    ctype = by(samples, "traces_service_graph_request_total", "client", "server", "connection_type")
    kinds = {s.name: s.kind for s in sim.topology.services}
    pairs = {(a, b): ct for a, b, ct in ctype}
    assert len(pairs) == len(ctype)  # one connection type per call
    for (a, b), ct in pairs.items():
        if a == "user":
            assert ct == "virtual_node" and b in {sc.entry for sc in sim.topology.scenarios}
        elif kinds[b] in (ServiceKind.DATABASE, ServiceKind.CACHE):
            assert ct == "database"
        elif kinds[b] == ServiceKind.QUEUE:
            assert ct == "messaging_system"
        else:
            assert ct == ""
    assert ("trade", "trade-db") in pairs and pairs[("accounting", "mq")] == "messaging_system"
    assert {(a, b) for a, b in pairs if a != "user"} == {e.key for e in sim.topology.edges}


def test_promtool_accepts_both_shapes(sim):
    for shape in ("servicegraph", "istio"):
        s = Simulator(seed=7, start_ms=PEAK_MS)
        exporter = PromExporter(s, shape=shape)
        tick(s, exporter, 2)
        done = subprocess.run(["promtool", "check", "metrics"], input=exporter.render(), capture_output=True,
                              timeout=30, check=False)
        problems = (done.stdout + done.stderr).decode().strip().splitlines()
        # Istio's real metric name carries its unit; that is the only thing promtool may dislike.
        assert [p for p in problems if "milliseconds" not in p] == [], problems
        assert done.returncode in ((0,) if shape == "servicegraph" else (0, 3)), problems


def test_counters_integrate_the_rates_and_never_decrease(sim):
    exporter = PromExporter(sim, seconds_per_tick=0.5)
    tick(sim, exporter, 2)
    _, _, before = parse(exporter.render().decode())
    values = tick(sim, exporter, 5)
    _, _, after = parse(exporter.render().decode())
    assert set(before) <= set(after)
    for key, value in before.items():
        assert after[key] >= value, key
    total = by(after, "traces_service_graph_request_total", "client", "server")
    old = by(before, "traces_service_graph_request_total", "client", "server")
    failed = by(after, "traces_service_graph_request_failed_total", "client", "server")
    old_failed = by(before, "traces_service_graph_request_failed_total", "client", "server")
    # The text after tick i holds ticks up to i: 5 more ticks of ``rate x 0.5 s`` each.
    rate = sum(v[edge("trade", "risk-control")] for v in values)
    assert total[("trade", "risk-control")] - old[("trade", "risk-control")] == pytest.approx(0.5 * rate, rel=1e-9)
    errors = sum(v[edge("trade", "risk-control")] * v[edge("trade", "risk-control", "edge_error_ratio")]
                 for v in values)
    got = failed[("trade", "risk-control")] - old_failed.get(("trade", "risk-control"), 0.0)
    assert got == pytest.approx(0.5 * errors, rel=1e-9)
    entry = sum(v['scenario_requests_rate{scenario="' + sc.id + '"}'] - v['scenario_blocked_rate{scenario="'
                + sc.id + '"}'] for v in values for sc in sim.topology.scenarios if sc.entry == "cashier")
    assert total[("user", "cashier")] - old[("user", "cashier")] == pytest.approx(0.5 * entry, rel=1e-9)
    scn = by(after, "warroom_scenario_requests_total", "scenario")
    ok = by(after, "warroom_scenario_success_total", "scenario")
    assert all(0 < ok[k] <= scn[k] for k in scn)


def test_histograms_are_cumulative_and_inf_is_the_count(sim):
    for shape, family, bounds in (("servicegraph", "traces_service_graph_request_server_seconds",
                                   SERVICEGRAPH_BUCKETS_S),
                                  ("istio", "istio_request_duration_milliseconds", ISTIO_BUCKETS_MS)):
        s = Simulator(seed=7, start_ms=PEAK_MS)
        exporter = PromExporter(s, shape=shape)
        tick(s, exporter, 4)
        _, _, samples = parse(exporter.render().decode())
        hists = histograms(samples, family)
        counts = by(samples, "traces_service_graph_request_total" if shape == "servicegraph"
                    else "istio_requests_total", *sorted({k for lb in hists for k, _ in lb}))
        assert hists
        for labels, h in hists.items():
            les = [le for le, _ in h["buckets"]]
            assert les == [float(b) for b in bounds] + [float("inf")]
            cum = [v for _, v in h["buckets"]]
            assert all(a <= b for a, b in pairwise(cum)), labels
            assert cum[-1] == h["count"] > 0
            assert h["sum"] > 0
            key = tuple(v for _, v in sorted(labels))
            assert counts[key] == h["count"]  # every call is observed once


def test_the_p99_of_the_histogram_is_the_simulators(sim):
    exporter = PromExporter(sim)
    tick(sim, exporter, 3)
    _, _, first = parse(exporter.render().decode())
    values = tick(sim, exporter, 30)
    _, _, last = parse(exporter.render().decode())
    h0 = histograms(first, "traces_service_graph_request_server_seconds")
    h1 = histograms(last, "traces_service_graph_request_server_seconds")
    checked = 0
    for labels, h in h1.items():
        lb = dict(labels)
        if lb["client"] == "user":
            continue
        key = edge(lb["client"], lb["server"], "edge_latency_seconds", quantile="0.99")
        sim_p99 = float(np.mean([v[key] for v in values]))
        delta = [(le, b - b0) for (le, b), (_, b0) in zip(h["buckets"], h0[labels]["buckets"])]
        got = quantile(0.99, delta)
        assert near(got, sim_p99, SERVICEGRAPH_BUCKETS_S), (lb, sim_p99, got)
        if sim_p99 > 0.5:  # where the bounds are close together, close to the value
            assert got == pytest.approx(sim_p99, rel=0.2), (lb, sim_p99, got)
        checked += 1
    assert checked == len(sim.topology.edges)


def test_label_values_are_escaped():
    assert escape_label('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    sim = Simulator(seed=7, start_ms=PEAK_MS)
    weird = 'team "blue"\\prod\nwest'
    exporter = PromExporter(sim, shape="istio", namespace=weird)
    tick(sim, exporter, 1)
    text = exporter.render().decode()
    _, _, samples = parse(text)
    namespaces = {dict(lb).get("destination_workload_namespace") for _, lb in samples}
    assert weird in namespaces
    assert weird + ".svc" not in text  # never raw


def test_the_counters_advance_smoothly_within_a_tick(sim):
    now = [sim.now_ms]
    exporter = PromExporter(sim, clock=lambda: now[0])
    tick(sim, exporter, 2)  # the tick in progress started at now_ms - 1000
    now[0] = sim.now_ms - 1000
    seen = []
    for step in range(0, 1300, 100):
        now[0] = sim.now_ms - 1000 + step
        _, _, samples = parse(exporter.render().decode())
        seen.append(by(samples, "traces_service_graph_request_total", "client", "server")[("trade", "trade-db")])
    assert all(a <= b for a, b in pairwise(seen))
    assert seen[0] < seen[5] < seen[10] == seen[-1]  # up the tick's line, then held until the next tick
    tick(sim, exporter, 1)
    _, _, samples = parse(exporter.render().decode())
    assert by(samples, "traces_service_graph_request_total", "client", "server")[("trade", "trade-db")] >= seen[-1]


def test_a_crashed_service_stops_its_own_series_and_fails_its_callers(sim):
    graph = PromExporter(sim)
    istio_sim = Simulator(seed=7, start_ms=PEAK_MS)
    istio = PromExporter(istio_sim, shape="istio")
    for s, e in ((sim, graph), (istio_sim, istio)):
        tick(s, e, 2)
        s.inject_fault("process_crash", "risk-control", 60)
        tick(s, e, 1)  # the crash has started
    _, _, g0 = parse(graph.render().decode())
    _, _, i0 = parse(istio.render().decode())
    tick(sim, graph, 5)
    tick(istio_sim, istio, 5)
    _, _, g1 = parse(graph.render().decode())
    _, _, i1 = parse(istio.render().decode())

    def grew(s0, s1, name, **match):
        def pick(samples):
            return sum(v for (n, lb), v in samples.items()
                       if n == name and all(dict(lb).get(k) == x for k, x in match.items()))
        return pick(s1) - pick(s0)

    total, failed = "traces_service_graph_request_total", "traces_service_graph_request_failed_total"
    assert grew(g0, g1, total, client="risk-control") == 0  # a dead process calls nobody
    calls = grew(g0, g1, total, client="trade", server="risk-control")
    assert calls > 0 and grew(g0, g1, failed, client="trade", server="risk-control") == pytest.approx(calls, rel=1e-6)
    assert grew(g0, g1, total, client="trade", server="trade-db") > 0  # the rest goes on
    istio_total = "istio_requests_total"
    assert grew(i0, i1, istio_total, reporter="destination", destination_workload="risk-control") == 0
    refused = grew(i0, i1, istio_total, reporter="source", destination_workload="risk-control", response_code="503")
    assert refused > 0
    assert grew(i0, i1, istio_total, reporter="source", destination_workload="risk-control",
                response_code="200") == pytest.approx(0.0, abs=1e-6 * refused)


def test_istio_shape_reports_both_sides_and_outside_callers_as_unknown(sim):
    exporter = PromExporter(sim, shape="istio")
    values = tick(sim, exporter, 3)
    _, types, samples = parse(exporter.render().decode())
    assert types["istio_requests_total"] == "counter"
    assert types["istio_request_duration_milliseconds"] == "histogram"
    rows = by(samples, "istio_requests_total", "reporter", "source_workload", "destination_workload",
              "response_code", "request_protocol", "destination_service")
    dest = {k: v for k, v in rows.items() if k[0] == "destination"}
    assert {k[4] for k in rows} == {"http"}
    assert all(k[5] == f"{k[2]}.warroom.svc.cluster.local" for k in rows)
    outside = {k[2] for k in dest if k[1] == "unknown"}
    assert outside == {sc.entry for sc in sim.topology.scenarios}
    assert not any(k[1] == "unknown" for k in rows if k[0] == "source")  # nobody's sidecar outside
    ok = dest[("destination", "trade", "risk-control", "200", "http", "risk-control.warroom.svc.cluster.local")]
    bad = dest.get(("destination", "trade", "risk-control", "500", "http", "risk-control.warroom.svc.cluster.local"), 0)
    rate = sum(v[edge("trade", "risk-control")] for v in values)
    err = sum(v[edge("trade", "risk-control")] * v[edge("trade", "risk-control", "edge_error_ratio")] for v in values)
    assert ok + bad == pytest.approx(rate, rel=1e-9) and bad == pytest.approx(err, rel=1e-9)
    hist = histograms(samples, "istio_request_duration_milliseconds")
    trade_risk = [h for lb, h in hist.items() if dict(lb)["source_workload"] == "trade"
                  and dict(lb)["destination_workload"] == "risk-control" and dict(lb)["reporter"] == "destination"
                  and dict(lb)["response_code"] == "200"]
    p99_ms = 1000 * np.mean([v[edge("trade", "risk-control", "edge_latency_seconds", quantile="0.99")] for v in values])
    assert near(quantile(0.99, trade_risk[0]["buckets"]), p99_ms, ISTIO_BUCKETS_MS)  # milliseconds


def test_calls_to_external_apis_are_virtual_nodes():
    world = load_world("ecommerce-ops")
    sim = Simulator(seed=3, start_ms=PEAK_MS, world=world)
    exporter = PromExporter(sim)
    tick(sim, exporter, 3)
    _, _, samples = parse(exporter.render().decode())
    kinds = {s.name: s.kind for s in sim.topology.services}
    rows = by(samples, "traces_service_graph_request_total", "client", "server", "connection_type")
    external = [(a, b, ct) for a, b, ct in rows if kinds.get(b) == ServiceKind.EXTERNAL]
    assert external and all(ct == "virtual_node" for _, _, ct in external)


def test_bad_configuration_is_refused(sim):
    with pytest.raises(ValueError, match="strictly increasing"):
        check_buckets([0.1, 0.1, 1])
    with pytest.raises(ValueError, match="positive"):
        PromExporter(sim, buckets=[0, 1])
    with pytest.raises(ValueError, match="unknown shape"):
        PromExporter(sim, shape="zipkin")
    with pytest.raises(ValueError, match="seconds_per_tick"):
        PromExporter(sim, seconds_per_tick=0)
    custom = PromExporter(sim, buckets=[0.05, 0.5, 5])
    tick(sim, custom, 1)
    h = histograms(parse(custom.render().decode())[2], "traces_service_graph_request_server_seconds")
    assert all([le for le, _ in x["buckets"]] == [0.05, 0.5, 5, float("inf")] for x in h.values())


# -- served, and scraped by a real Prometheus ----------------------------------------------
class _Running:
    """A SimFeed with its feed server and exporter, on an event loop of its own thread."""

    def __init__(self, feed: SimFeed, shape: str) -> None:
        self.feed = feed
        self.exporter = PromExporter.for_feed(feed, shape=shape)
        self.ticks: list[dict[str, float]] = []  # what the simulator said, second by second
        feed.tick_listeners.append(self._record)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._done: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def _record(self, batch) -> None:
        self.ticks.append({batch.series[i].text: v for i, v in zip(batch.index.tolist(), batch.values.tolist())})

    async def _main(self) -> None:
        self._loop, self._done = asyncio.get_running_loop(), asyncio.Event()
        server = FeedServer(self.feed, "127.0.0.1", 0)
        await server.start()
        await self.exporter.start("127.0.0.1", 0)
        task = asyncio.create_task(self.feed.run(server))
        self._ready.set()
        try:
            await self._done.wait()
        finally:
            self.feed.stop()
            task.cancel()
            await self.exporter.stop()
            await server.stop()

    def __enter__(self) -> _Running:  # noqa: PYI034 - a private helper, never subclassed
        self._thread.start()
        assert self._ready.wait(15), "the simulator did not start"
        return self

    def __exit__(self, *exc) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._done.set)
        self._thread.join(15)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.exporter.port}"

    def call(self, fn):
        """Run ``fn()`` on the feed's event loop (between two ticks); its result."""

        async def run():
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def mean(self, key: str, seconds: int) -> float:
        recent = [t[key] for t in self.ticks[-seconds:] if key in t]
        return float(np.mean(recent))


def _poll(what, check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not seen within {timeout:g} s")
        time.sleep(0.5)


def _wait_for_full_windows(prom: Prometheus) -> None:
    """Until Prometheus has scraped for 7 s: a ``[5s]`` window holds only scraped samples, so
    ``rate()`` is not extrapolated from the first one or two (it would come out far too low)."""

    def scraped_s() -> float:
        result = prom.query("count_over_time(up[10s])")
        return float(result[0]["value"][1]) if result else 0.0

    _poll("seven seconds of scrapes", lambda: scraped_s() >= 7)


def _series(result, *keys: str) -> dict[tuple, float]:
    return {tuple(r["metric"].get(k, "") for k in keys): float(r["value"][1]) for r in result}


def test_metrics_endpoint_answers_in_the_text_format(sim):
    feed = SimFeed(sim)
    with _Running(feed, "servicegraph") as running:
        _poll("a tick", lambda: running.ticks)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://{running.target}/metrics", timeout=5) as resp:
            assert resp.headers["Content-Type"] == CONTENT_TYPE
            _, types, _ = parse(resp.read().decode())
        assert "traces_service_graph_request_total" in types


def test_prometheus_sees_the_simulators_rates_errors_and_p99(tmp_path):
    sim = Simulator(seed=7, start_ms=int(time.time() * 1000))
    with _Running(SimFeed(sim), "servicegraph") as running:
        prom = Prometheus.start(tmp_path / "prom", targets=[running.target], scrape_interval="1s")
        try:
            rate_q = "sum by (client,server)(rate(traces_service_graph_request_total[5s]))"
            _wait_for_full_windows(prom)
            got = _series(prom.query(rate_q), "client", "server")
            for (a, b), value in got.items():
                if a == "user":
                    continue
                want = running.mean(edge(a, b), 5)
                assert value == pytest.approx(want, rel=0.15), (a, b, value, want)
            assert {k for k in got if k[0] != "user"} == {e.key for e in sim.topology.edges}
            p99_q = ('histogram_quantile(0.99, sum by (client,server,le)'
                     '(rate(traces_service_graph_request_server_seconds_bucket{server="payment-engine"}[5s])))')
            p99 = _series(prom.query(p99_q), "client", "server")[("trade", "payment-engine")]
            want = running.mean(edge("trade", "payment-engine", "edge_latency_seconds", quantile="0.99"), 5)
            assert near(p99, want, SERVICEGRAPH_BUCKETS_S), (p99, want)

            # Between two ticks, on the feed's loop, as a console's command would be.
            running.call(lambda: sim.inject_fault("dependency_outage", "risk-control", 120))
            ratio_q = ("sum by (client,server)(rate(traces_service_graph_request_failed_total[5s]))"
                       " / sum by (client,server)(rate(traces_service_graph_request_total[5s]))")

            def outage_seen():
                ratios = _series(prom.query(ratio_q), "client", "server")
                return ratios if ratios.get(("trade", "risk-control"), 0) > 0.5 else None

            ratios = _poll("the outage's errors", outage_seen, timeout=40)
            assert ratios[("clearing", "clearing-db")] < 0.05  # not on the way: unharmed
            assert ratios[("user", "app-gateway")] > 0.2  # the entry that needs risk control fails with it
            scn = prom.query("sum(rate(warroom_scenario_requests_total[5s]))")
            assert float(scn[0]["value"][1]) > 0
        finally:
            prom.stop()


def test_prometheus_reads_the_istio_shape_with_reporter_destination(tmp_path):
    sim = Simulator(seed=7, start_ms=int(time.time() * 1000))
    with _Running(SimFeed(sim), "istio") as running:
        prom = Prometheus.start(tmp_path / "prom", targets=[running.target], scrape_interval="1s")
        try:
            q = ('sum by (source_workload,destination_workload)'
                 '(rate(istio_requests_total{reporter="destination"}[5s]))')
            _wait_for_full_windows(prom)
            got = _series(prom.query(q), "source_workload", "destination_workload")
            want = running.mean(edge("trade", "risk-control"), 5)
            assert got[("trade", "risk-control")] == pytest.approx(want, rel=0.15)
            assert ("unknown", "app-gateway") in got
            p99_q = ('histogram_quantile(0.99, sum by (le)(rate(istio_request_duration_milliseconds_bucket'
                     '{reporter="destination",source_workload="trade",destination_workload="payment-engine"}[5s])))')
            p99_ms = float(prom.query(p99_q)[0]["value"][1])
            want_ms = 1000 * running.mean(edge("trade", "payment-engine", "edge_latency_seconds", quantile="0.99"), 5)
            assert near(p99_ms, want_ms, ISTIO_BUCKETS_MS), (p99_ms, want_ms)
        finally:
            prom.stop()


def test_for_feed_counts_per_wall_second_at_any_speed(sim):
    feed = SimFeed(sim, speed=60.0)
    exporter = PromExporter.for_feed(feed, shape="istio")
    assert exporter.seconds_per_tick == pytest.approx(1 / 60)
    assert exporter.observe_safely in feed.tick_listeners
    feed.clock.now_ms = lambda: sim.now_ms + 2_500  # three ticks are due
    feed.step()
    assert exporter.ticks == 3
    _, _, samples = parse(exporter.render().decode())
    offered = by(samples, "warroom_scenario_requests_total", "scenario")
    assert all(v > 0 for v in offered.values())


def test_warroom_sim_serves_metrics_on_the_prometheus_port():
    import os
    import signal
    import sys

    from tests.e2e_support import env

    args = [sys.executable, "-m", "warroom.cli", "sim", "--port", "0", "--prometheus", "0", "--prometheus-shape",
            "istio", "--fault", "none"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env(), text=True)
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, f"warroom sim ended: {proc.poll()}"
            m = re.search(r"prometheus metrics \(istio shape\) on (http://\S+/metrics)", line)
            url = m.group(1) if m else None
        assert url, "no metrics address printed"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        text = ""
        while "istio_requests_total{" not in text and time.monotonic() < deadline:
            with opener.open(url, timeout=5) as resp:
                text = resp.read().decode()
            time.sleep(0.3)
        _, types, _ = parse(text)
        assert types["istio_requests_total"] == "counter"
    finally:
        os.kill(proc.pid, signal.SIGINT)
        assert proc.wait(15) == 0


def test_a_broken_tick_is_logged_and_does_not_stop_the_feed(sim, caplog):
    feed = SimFeed(sim)
    exporter = PromExporter.for_feed(feed)
    exporter.observe_safely(object())  # not a batch
    exporter.observe_safely(object())
    assert len([r for r in caplog.records if "prometheus exporter" in r.getMessage()]) == 1  # said once
    feed.clock.now_ms = lambda: sim.now_ms + 500
    batch, _ = feed.step()  # the feed goes on, and so does the exporter
    assert batch is not None and exporter.ticks == 1
