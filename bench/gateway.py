#!/usr/bin/env python3
"""The gateway at scale: ~5,000 series from a real Prometheus, polled every 5 s.

A synthetic service graph (``--services`` services, each calling ``--fanout`` others, every
call with the service-graph connector's counters and latency histogram) is served on a
loopback ``/metrics`` target; a real Prometheus (Debian's) scrapes it every 5 s; a real
``warroom gateway`` process polls that Prometheus every 5 s and serves the feed; a console
client (the console's own ``FeedClient``) subscribes and times every metrics frame.

Measured over ``--cycles`` poll cycles, after a warm-up that fills the rate windows:

* ``series``: distinct series the console received (what the gateway sends per cycle);
* ``cpu_pct``: the gateway process's CPU time (user + system, from /proc) over the wall time
  of the measurement, in percent of one core; ``cpu_ms_per_cycle`` the same per poll;
* ``poll_to_console_p95_ms``: from the instant the gateway's queries were evaluated at (the
  points' timestamp) to the frame's arrival at the console;
* ``raw_query_p95_ms``: the baseline, measured in the same run: the same PromQL queries sent
  straight to Prometheus at once (aiohttp, JSON decoded, nothing else), the round trip of the
  whole set, once per cycle between the gateway's polls.

The last line is ``gateway: series=N cpu_pct=… poll_to_console_p95_ms=… raw_query_p95_ms=…``.

    python bench/gateway.py [--services 300] [--fanout 4] [--cycles 12]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402
from aiohttp import web  # noqa: E402

from tests.promstack import Prometheus  # noqa: E402
from warroom.gateway.site_model import Topology  # noqa: E402
from warroom.gateway.sources.topology import topology_queries  # noqa: E402
from warroom.io.client import FeedClient  # noqa: E402
from warroom.protocol import MetricBatch  # noqa: E402

INTERVAL_S = 5.0
RATE_WINDOW = "30s"  # six scrapes at 5 s
#: The OTel servicegraph connector's default buckets, in seconds.
BUCKETS = (0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.4, 2.0, 5.0, 10.0, 15.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Graph:
    """A layered call graph with steady traffic: counters that grow with time."""

    def __init__(self, services: int, fanout: int, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.names = [f"svc-{i:04d}" for i in range(services)]
        edges = []
        for i in range(services):
            callees = rng.choice(np.arange(i + 1, services), size=min(fanout, services - i - 1), replace=False) \
                if i < services - 1 else []
            edges += [(self.names[i], self.names[int(j)]) for j in callees]
        entries = [("user", n) for n in self.names[: max(1, services // 20)]]
        self.edges = entries + edges
        self.rate = rng.uniform(5, 500, len(self.edges))
        self.err = rng.uniform(0.0, 0.02, len(self.edges))
        self.median = rng.uniform(0.005, 0.3, len(self.edges))
        self.t0 = time.time()
        b = np.array(BUCKETS)
        # Log-normal latency with sigma 0.8: the share of calls under each bucket bound.
        from math import erf, sqrt

        self.cdf = np.array([[0.5 * (1 + erf((np.log(le) - np.log(m)) / (0.8 * sqrt(2)))) for le in b]
                             for m in self.median])

    def text(self) -> str:
        """The exposition at this instant."""
        t = time.time() - self.t0 + 600  # counters as if the platform ran for ten minutes before
        total = self.rate * t
        failed = total * self.err
        out = ["# TYPE traces_service_graph_request_total counter",
               "# TYPE traces_service_graph_request_failed_total counter",
               "# TYPE traces_service_graph_request_server_seconds histogram"]
        for i, (c, s) in enumerate(self.edges):
            ct = ',connection_type="virtual_node"' if c == "user" else ""
            lab = f'client="{c}",server="{s}"{ct}'
            out.append(f"traces_service_graph_request_total{{{lab}}} {total[i]:.0f}")
            out.append(f"traces_service_graph_request_failed_total{{{lab}}} {failed[i]:.0f}")
            for le, share in zip(BUCKETS, self.cdf[i]):
                out.append(f'traces_service_graph_request_server_seconds_bucket{{{lab},le="{le}"}} {total[i] * share:.0f}')
            out.append(f'traces_service_graph_request_server_seconds_bucket{{{lab},le="+Inf"}} {total[i]:.0f}')
            out.append(f"traces_service_graph_request_server_seconds_sum{{{lab}}} {total[i] * self.median[i]:.3f}")
            out.append(f"traces_service_graph_request_server_seconds_count{{{lab}}} {total[i]:.0f}")
        return "\n".join(out) + "\n"


async def serve_target(graph: Graph, port: int) -> web.AppRunner:
    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(text=graph.text(), content_type="text/plain")

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def raw_cycle(session: aiohttp.ClientSession, url: str, queries: list[str]) -> float:
    """One cycle's queries sent at once, decoded, nothing else; ms for the whole set."""
    at = f"{time.time():.3f}"

    async def one(q: str) -> None:
        async with session.get(f"{url}/api/v1/query", params={"query": q, "time": at}) as resp:
            body = await resp.json()
            assert body["status"] == "success", body

    start = time.perf_counter()
    await asyncio.gather(*(one(q) for q in queries))
    return (time.perf_counter() - start) * 1000


async def main_async(args: argparse.Namespace) -> int:
    graph = Graph(args.services, args.fanout)
    target_port, feed_port, rcv_port = _free_port(), _free_port(), _free_port()
    runner = await serve_target(graph, target_port)
    with tempfile.TemporaryDirectory(prefix="warroom-bench-gw-") as tmp:
        tmpd = Path(tmp)
        prom = Prometheus.start(tmpd / "prom", [f"127.0.0.1:{target_port}"], scrape_interval="5s",
                                evaluation_interval="5s")
        gw = None
        try:
            await asyncio.to_thread(prom.wait_for_series, "traces_service_graph_request_total", 30)
            site = {"site": "bench", "listen": {"host": "127.0.0.1", "port": feed_port},
                    "receivers": {"host": "127.0.0.1", "port": rcv_port}, "state_dir": str(tmpd / "state"),
                    "prometheus": {"url": prom.url, "interval_s": INTERVAL_S, "timeout_s": 4.5,
                                   "rate_window": RATE_WINDOW, "backfill_s": 0,
                                   "topology": {"shape": "servicegraph", "latency_unit": "seconds"}}}
            (tmpd / "site.yaml").write_text(yaml.safe_dump(site))
            print(f"graph: {len(graph.names)} services, {len(graph.edges)} calls; "
                  f"{len(graph.text().splitlines()):,} exposition lines scraped every 5 s", flush=True)
            print("warm-up: filling the rate windows (35 s)", flush=True)
            await asyncio.sleep(35)
            gw = subprocess.Popen([sys.executable, "-m", "warroom.cli", "gateway", "--site", str(tmpd / "site.yaml")],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmpd)
            client = FeedClient(f"ws://127.0.0.1:{feed_port}")
            series: set = set()
            delays: list[float] = []
            task = asyncio.create_task(client.run())
            queries = list(topology_queries(Topology(shape="servicegraph", latency_unit="seconds"),
                                            RATE_WINDOW).values())
            raw: list[float] = []
            async with aiohttp.ClientSession() as session:
                deadline = time.monotonic() + 60
                cycles = 0
                cpu0 = wall0 = None
                next_raw = time.monotonic() + INTERVAL_S / 2
                while cycles < args.cycles + 2 and time.monotonic() < deadline + args.cycles * INTERVAL_S:
                    try:
                        item = await asyncio.wait_for(client.queue.get(), timeout=0.25)
                    except asyncio.TimeoutError:
                        item = None
                    if isinstance(item, MetricBatch) and len(item) >= 100:
                        now_ms = time.time() * 1000
                        cycles += 1
                        if cycles == 2:  # the first full cycle is the warm-up of the process
                            cpu0, wall0 = _cpu_s(gw.pid), time.monotonic()
                        if cycles > 2:
                            delays.append(now_ms - float(item.ts.max()))
                        series.update(item.series)
                    if cpu0 is not None and time.monotonic() >= next_raw:
                        raw.append(await raw_cycle(session, prom.url, queries))
                        next_raw += INTERVAL_S
                cpu1, wall1 = _cpu_s(gw.pid), time.monotonic()
            await client.stop()
            task.cancel()
        finally:
            if gw is not None:
                gw.terminate()
                out = gw.communicate(timeout=20)[0]
                if "Traceback" in out:
                    print(out[-3000:], file=sys.stderr)
            prom.stop()
            await runner.cleanup()
    if not delays or cpu0 is None:
        print("gateway: no cycles measured", file=sys.stderr)
        return 1
    measured = len(delays)
    cpu_pct = (cpu1 - cpu0) / (wall1 - wall0) * 100
    names = sorted({k.name for k in series})
    print(f"cycles measured: {measured}; series by name: " + ", ".join(
        f"{n}={sum(1 for k in series if k.name == n)}" for n in names))
    print(f"gateway CPU: {(cpu1 - cpu0) * 1000 / measured:.0f} ms per {INTERVAL_S:g} s cycle; "
          f"poll-to-console median {np.median(delays):.0f} ms; raw query set median {np.median(raw):.0f} ms "
          f"({len(queries)} queries)")
    print(f"gateway: series={len(series)} cpu_pct={cpu_pct:.1f} poll_to_console_p95_ms={np.percentile(delays, 95):.0f} "
          f"raw_query_p95_ms={np.percentile(raw, 95):.0f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--services", type=int, default=300)
    p.add_argument("--fanout", type=int, default=4)
    p.add_argument("--cycles", type=int, default=12)
    return asyncio.run(main_async(p.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
