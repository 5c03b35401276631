#!/usr/bin/env python3
"""Many walls, one platform: 20,000 series at 1 Hz through JetStream and 2 edges to 10 consoles.

Every part is its own process, on loopback:

* a real ``nats-server -js`` (Debian's), its store in a temporary folder;
* **the source**: ``--series`` series at 1 Hz published with ``warroom.bus.BusPublisher`` — the
  code ``warroom gateway`` and ``warroom sim --nats`` publish with — values a known function of
  (series, second), so every history can be checked point by point;
* **2 edges**: ``warroom edge`` processes, unchanged;
* **10 consoles**: headless recorders with the console's own client code (``FeedClient`` ->
  ``Recorder`` -> ``StoreWriter`` -> DuckDB, as ``warroom record``), half on each edge; each
  notes, for every metrics frame, the time from the source's ``sent_at`` to its arrival.

Consoles connect before the first point; the source publishes for ``--seconds`` (default 300)
and then an end event; each console stores everything, closes its history and reports. The
bench then reads every history: its point count and the sum of its values against the
source's, and ``lost`` = the points the source published that a console's history lacks,
summed over consoles. CPU per edge (user + system from /proc) is in percent of one core.

The raw baseline, measured in the same run: one bare ``nats-py`` subscriber on the stream
(no decoding, no websocket), timing ``sent_at`` -> arrival from the same messages' headers.

Last line: ``fanout: consoles=10 series=20000 lost=N e2e_p95_ms=X``.

    python bench/fanout.py [--series 20000] [--consoles 10] [--edges 2] [--seconds 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

SITE = "fanout"
END_EVENT = "fanout-end"
NAME = "fanout_metric"


def value_of(i: np.ndarray, second: int) -> np.ndarray:
    """The value of series ``i`` at ``second``: known to every process, exact in float64."""
    return ((i.astype(np.int64) * 7919 + second * 104729) % 100_003).astype(np.float64) / 8.0


# -- the source ------------------------------------------------------------------------
async def source(url: str, series: int, seconds: int, start_file: Path, out: Path) -> None:
    from warroom.bus import BusPublisher
    from warroom.core.model import Event, EventKind, SeriesKey
    from warroom.protocol import Events, MetricBatch

    keys = tuple(SeriesKey(NAME, {"service": f"svc-{i // 20:04d}", "i": str(i)}) for i in range(series))
    idx = np.arange(series, dtype=np.int32)
    pub = BusPublisher(url, SITE, feed_name="fanout-source", max_queue=100_000)
    await pub.start()
    out.with_suffix(".ready").write_text("ready")  # the stream exists: edges may start
    while not start_file.exists():  # the consoles are connected
        await asyncio.sleep(0.1)
    first = int(time.time())
    total = 0
    checksum = 0.0
    for n in range(seconds):
        second = first + n
        delay = second + 1 - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        values = value_of(idx, second)
        ts = np.full(series, second * 1000, np.int64)
        pub.publish(MetricBatch(keys, idx, ts, values, sent_at=int(time.time() * 1000)))
        total += series
        checksum += float(values.sum())
    end = int(time.time() * 1000)
    pub.publish(Events((Event(END_EVENT, end, EventKind.NOTE, "bench", "the source has published everything"),)))
    await pub.stop(drain_s=120)
    out.write_text(json.dumps({"points": total, "sum": checksum, "published": pub.stats.published,
                               "dropped": pub.stats.dropped, "split": pub.stats.split}))


# -- one console -------------------------------------------------------------------------
async def console(url: str, db: Path, out: Path) -> None:
    from warroom.app.recorder import Recorder
    from warroom.io.client import FeedClient
    from warroom.protocol import Events, MetricBatch
    from warroom.store import StoreWriter

    client = FeedClient(url)
    writer = StoreWriter(db)
    recorder = Recorder(client, writer)
    latencies: list[float] = []
    frames = 0
    task = asyncio.create_task(client.run())
    housekeeping = asyncio.create_task(recorder.housekeeping())
    while True:
        item = await client.queue.get()
        if isinstance(item, MetricBatch) and item.sent_at is not None and len(item):
            latencies.append(time.time() * 1000 - item.sent_at)
            frames += 1
        await recorder.handle(item)
        if isinstance(item, Events) and any(e.id == END_EVENT for e in item.events):
            break
    await client.stop()
    task.cancel()
    housekeeping.cancel()
    await recorder.drain()
    recorder.finish()
    writer.close()
    out.write_text(json.dumps({"latencies": latencies, "frames": frames}))


# -- the raw baseline ---------------------------------------------------------------------
async def raw(url: str, out: Path) -> None:
    import nats

    nc = await nats.connect(url)
    latencies: list[float] = []
    done = asyncio.Event()

    async def on(msg) -> None:
        if msg.subject.endswith(".events"):
            done.set()
            return
        now_header = (msg.headers or {}).get("Warroom-Now")
        if msg.subject.endswith(".metrics") and now_header:
            latencies.append(time.time() * 1000 - int(now_header))

    js = nc.jetstream()
    from nats.js.api import ConsumerConfig, DeliverPolicy

    await js.subscribe(f"warroom.{SITE}.>", cb=on, ordered_consumer=True,
                       config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW))
    await done.wait()
    await nc.close()
    out.write_text(json.dumps({"latencies": latencies}))


# -- the conductor -------------------------------------------------------------------------
def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def history(db: Path) -> tuple[int, float]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        n, s = con.execute("SELECT count(*), coalesce(sum(p.value), 0) FROM points p JOIN series USING (series_id) "
                           "WHERE series.name = ?", [NAME]).fetchone()
        dup = con.execute("SELECT count(*) - count(DISTINCT (series_id, ts)) FROM points").fetchone()[0]
        return int(n) - int(dup), float(s)
    finally:
        con.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--series", type=int, default=20_000)
    ap.add_argument("--consoles", type=int, default=10)
    ap.add_argument("--edges", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--role", choices=("source", "console", "raw"), help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--start-file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role == "source":
        asyncio.run(source(args.url, args.series, args.seconds, args.start_file, args.out))
        return 0
    if args.role == "console":
        asyncio.run(console(args.url, args.db, args.out))
        return 0
    if args.role == "raw":
        asyncio.run(raw(args.url, args.out))
        return 0
    return conduct(args)


def conduct(args: argparse.Namespace) -> int:
    from tests.e2e_support import WARROOM, env, free_port
    from tests.natsstack import NatsServer

    work = Path(tempfile.mkdtemp(prefix="warroom-fanout-"))
    nats_server = NatsServer.start(work / "nats")
    procs: list[subprocess.Popen] = []
    me = [sys.executable, str(Path(__file__).resolve())]

    def start(cmd: list[str], name: str) -> subprocess.Popen:
        log = open(work / f"{name}.log", "wb")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env(), cwd=work)
        procs.append(p)
        return p

    try:
        start_file = work / "go"
        src = start([*me, "--role", "source", "--url", nats_server.url, "--series", str(args.series), "--seconds",
                     str(args.seconds), "--start-file", str(start_file), "--out", str(work / "source.json")], "source")
        deadline = time.time() + 30
        while not (work / "source.ready").exists():
            if time.time() > deadline or src.poll() is not None:
                raise SystemExit(f"the source did not start:\n{(work / 'source.log').read_text(errors='replace')}")
            time.sleep(0.2)
        ports = [free_port() for _ in range(args.edges)]
        edges = [start([*WARROOM, "edge", "--nats", nats_server.url, "--site", SITE, "--port", str(p),
                        "--name", f"edge{i}"], f"edge{i}") for i, p in enumerate(ports)]
        for i, p in enumerate(ports):
            wait_for(work / f"edge{i}.log", f"serving ws://127.0.0.1:{p}", 60)
        consoles = [start([*me, "--role", "console", "--url", f"ws://127.0.0.1:{ports[i % args.edges]}",
                           "--db", str(work / f"console{i}.duckdb"), "--out", str(work / f"console{i}.json")],
                          f"console{i}") for i in range(args.consoles)]
        raw_proc = start([*me, "--role", "raw", "--url", nats_server.url, "--out", str(work / "raw.json")], "raw")
        time.sleep(5.0)  # every console connected and subscribed (they log nothing; give them time)
        edge_cpu0 = [cpu_s(e.pid) for e in edges]
        t0 = time.time()
        start_file.write_text("go")
        src.wait(timeout=args.seconds + 300)
        if src.returncode != 0:
            raise SystemExit(f"the source failed:\n{(work / 'source.log').read_text(errors='replace')[-3000:]}")
        wall = time.time() - t0
        edge_cpu = [(cpu_s(e.pid) - c0) / wall * 100 for e, c0 in zip(edges, edge_cpu0)]
        for c in consoles:
            c.wait(timeout=600)
        raw_proc.wait(timeout=60)
        for e in edges:
            e.send_signal(signal.SIGTERM)
            e.wait(timeout=30)
        srcinfo = json.loads((work / "source.json").read_text())
        lost = 0
        mismatched = 0
        lat: list[float] = []
        for i in range(args.consoles):
            n, s = history(work / f"console{i}.duckdb")
            lost += max(0, srcinfo["points"] - n)
            mismatched += int(n == srcinfo["points"] and abs(s - srcinfo["sum"]) > 1e-6 * max(1.0, abs(srcinfo["sum"])))
            lat.extend(json.loads((work / f"console{i}.json").read_text())["latencies"])
            print(f"console{i}: {n} points of {srcinfo['points']}, sum {'equal' if abs(s - srcinfo['sum']) < 1e-3 else s}")
        raw_lat = json.loads((work / "raw.json").read_text())["latencies"]
        p95 = float(np.percentile(lat, 95)) if lat else float("nan")
        raw_p95 = float(np.percentile(raw_lat, 95)) if raw_lat else float("nan")
        print(f"source: {srcinfo['points']} points in {args.seconds} s ({srcinfo['published']} bus messages, "
              f"{srcinfo['dropped']} dropped); edges CPU {', '.join(f'{c:.0f} %' for c in edge_cpu)} of one core")
        print(f"e2e (source sent_at -> console): median {np.median(lat):.0f} ms, p95 {p95:.0f} ms, "
              f"max {max(lat):.0f} ms over {len(lat)} frames; raw nats subscriber p95 {raw_p95:.0f} ms "
              f"(ratio {p95 / raw_p95:.1f})")
        if mismatched:
            print(f"{mismatched} console histories have every point but different values")
        print(f"fanout: consoles={args.consoles} series={args.series} lost={lost} e2e_p95_ms={p95:.0f}")
        return 0 if lost == 0 and not mismatched else 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        nats_server.stop()
        print(f"(logs in {work})", file=sys.stderr)


def wait_for(path: Path, needle: str, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and needle in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {needle!r} in {path}:\n{path.read_text(errors='replace')[-2000:]}")


if __name__ == "__main__":
    sys.exit(main())
