#!/usr/bin/env python3
"""The console at platform scale (issue 16, item 5): 500 services, 1,500 calls, 10,000 series at 1 Hz.

A feed server in a child process serves ``warroom.sim.big.BigPlatform`` (one batch of every
series per feed second) on loopback. The real console runs in this process through
``warroom.ui.app.run_console`` (the path of ``warroom console --url … --layout command-centre``:
FeedClient/FeedSession -> LiveView + StoreWriter + alert watch -> the main window), offscreen
at 1920x1080. Two phases on the same connection:

  1. live at 1x for ``--live-seconds``:
     * frame time: each frame-timer tick that refreshed panels plus the window paint(s) that
       followed it before the next tick (the UI thread's whole cost of one frame), p50/p95/p99;
     * emission-to-pixel: from the wall time the child broadcast a feed second to the end of
       the first paint after which every visible panel shows it (``sig_frame_painted``);
     * forced frames (every panel refreshed and painted at once, as bench/render.py): the
       worst case, for reference;
  2. accelerated at ``--speed`` (default 5x, 50,000 points/s: on two shared cores the console
     keeps up while its own alert evaluation, about 150 ms per feed second at 10,000 series on
     the UI thread, fits; at 10x the feed server drops it as a slow consumer, which the bench
     reports, and the RSS figure then covers a view with gaps) for ``--warmup-hours`` + ``--feed-hours`` of
     feed time: RSS once a second (growth over the measured hour, after a warm-up hour in
     which the live view's rings, one hour of points each, fill up), the history writer's
     lag (newest point in the view minus the newest committed point, in feed seconds) and its
     queue (points pending), and the frames while it runs.

Raw baselines in the same run, for the ratios: a bare pyqtgraph window (1920x1080, one
PlotWidget) redrawing as many curves as the console's charts draw, with the same points, each
frame; raw DuckDB Arrow appends of one feed second (10,000 points) per insert, as fast as they go.

    python bench/scale.py [--live-seconds 60] [--speed 5] [--feed-hours 1] [--warmup-hours 1]

Last line: ``scale: services=500 series=10000 frame_p95_ms=… e2p_p95_ms=… rss_growth_pct=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

_PAGE = os.sysconf("SC_PAGE_SIZE")


def pct(values, q: float) -> float:
    """The q-th percentile of ``values`` (seconds) in ms."""
    return float(np.percentile(np.asarray(values) * 1000, q)) if len(values) else float("nan")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 1e6


# -- the feed (child process) ---------------------------------------------------------------
def serve(args: argparse.Namespace) -> None:
    """Child: serve the big platform; stdin lines ``speed X`` change the pace, EOF stops it and
    prints the emission wall times as JSON."""
    from warroom.io.server import FeedServer
    from warroom.sim.big import BigFeed, BigPlatform

    async def main() -> None:
        platform = BigPlatform(args.services, args.calls, args.series)
        feed = BigFeed(platform, speed=1.0)
        server = FeedServer(feed, port=0, client_queue_frames=2000)
        await server.start()
        print(f"URL {server.url}", flush=True)
        task = asyncio.create_task(feed.run(server))
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                break
            if line.startswith("speed "):
                feed.set_speed(float(line.split()[1]))
        task.cancel()
        await server.stop()
        print("EMITTED " + json.dumps({"emitted": feed.emitted, "points": feed.points,
                                       "slow_consumers": server.stats.slow_consumers}), flush=True)

    asyncio.run(main())


# -- the raw baselines ----------------------------------------------------------------------
def raw_pyqtgraph(curves: int, points: int, frames: int) -> list[float]:
    """Seconds per frame of one bare PlotWidget redrawing ``curves`` curves of ``points`` points."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    rng = np.random.default_rng(1)
    x = np.arange(points, dtype=np.float64)
    ys = [0.995 + 0.004 * rng.random(points) for _ in range(curves)]
    plot = pg.PlotWidget()
    plot.resize(1920, 1080)
    plot.show()
    items = [plot.plot() for _ in range(curves)]
    out = []
    for i in range(frames):
        t0 = time.perf_counter()
        for item, y in zip(items, ys):
            item.setData(x + i, np.roll(y, i))
        app.processEvents()
        out.append(time.perf_counter() - t0)
    plot.close()
    return out


def raw_duckdb(series: int, seconds: int) -> float:
    """Points per second of raw DuckDB Arrow appends, one feed second (``series`` points) per insert."""
    import duckdb
    import pyarrow as pa

    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "raw.duckdb"))
        con.execute("CREATE TABLE points (series_id INTEGER, ts TIMESTAMP, value DOUBLE)")
        ids = pa.array(np.arange(series, dtype=np.int32))
        rng = np.random.default_rng(2)
        t0 = time.perf_counter()
        for s in range(seconds):
            table = pa.table({"series_id": ids, "ts": pa.array(np.full(series, 1_763_600_000_000 + s * 1000),
                                                               pa.timestamp("ms")),
                              "value": pa.array(rng.random(series))})
            con.register("_p", table)
            con.execute("INSERT INTO points SELECT * FROM _p")
            con.unregister("_p")
        con.close()
        return series * seconds / (time.perf_counter() - t0)


# -- measuring the console ------------------------------------------------------------------
class FrameClock:
    """Times the window's frame ticks and paints (wrapping the class's methods, before the
    window is built): a frame is a tick that refreshed panels plus the paints before the next tick."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent

        from warroom.ui.main_window import MainWindow

        self.records: list[tuple[str, float, float]] = []  # (tick|paint, wall start, seconds)
        clock = self
        tick, event = MainWindow._on_timer_timeout, MainWindow.event

        def timed_tick(win):
            n = len(win.frame_times)
            t0 = time.perf_counter()
            tick(win)
            if len(win.frame_times) != n:  # it refreshed something (an idle tick does nothing)
                clock.records.append(("tick", time.time(), time.perf_counter() - t0))

        def timed_event(win, ev):
            if ev.type() != QEvent.Type.UpdateRequest:
                return event(win, ev)
            t0 = time.perf_counter()
            handled = event(win, ev)
            clock.records.append(("paint", time.time(), time.perf_counter() - t0))
            return handled

        MainWindow._on_timer_timeout = timed_tick
        MainWindow.event = timed_event

    def mark(self) -> int:
        return len(self.records)

    def frames(self, since: int, until: int | None = None) -> list[float]:
        """Seconds per frame among the records ``since``..``until``."""
        out: list[float] = []
        for kind, _, secs in self.records[since:until]:
            if kind == "tick" or not out:
                out.append(secs)
            else:
                out[-1] += secs
        return out


def run(args: argparse.Namespace) -> None:
    from warroom.ui.app import ConsoleOptions, run_console

    clock = FrameClock()
    catch_writer()
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--services", str(args.services),
                              "--calls", str(args.calls), "--series", str(args.series)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    if not line.startswith("URL "):
        raise SystemExit(f"scale: the feed did not start: {line!r}")
    url = line.split()[1]
    painted: list[tuple[float, int]] = []  # (wall time, newest data ms every panel shows)
    rss: list[tuple[float, int, float]] = []  # (wall s since phase 2, feed ms, MB)
    lag: list[tuple[float, int]] = []  # (feed s the writer is behind the view, points queued)
    result: dict = {}
    gaps: list[str] = []  # the client's "feed gap" warnings: data it could not get back

    class GapHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.args and record.args[0] == "gap":
                gaps.append(record.getMessage())

    logging.getLogger("warroom.io.client").addHandler(GapHandler())

    async def on_ready(win) -> None:
        view = win.view
        if args.pixmap_cache_mb:
            from PySide6.QtGui import QPixmapCache
            QPixmapCache.setCacheLimit(int(args.pixmap_cache_mb * 1024))
        writer = win_writer(win)
        win.sig_frame_painted.connect(lambda _at: painted.append((time.time(), win.shown_ms or 0)))
        try:
            while view.series_count < args.series * 0.99:
                await asyncio.sleep(0.1)
            await asyncio.sleep(5)  # the first second of 10,000 new series is behind us
            # Phase 1: live at 1x.
            m0, t_live = clock.mark(), time.time()
            prof = None
            if args.profile:  # the UI thread only (cProfile is per thread)
                import cProfile
                prof = cProfile.Profile()
                prof.enable()
            await asyncio.sleep(args.live_seconds)
            if prof is not None:
                prof.disable()
                prof.dump_stats(args.profile)
            result["costs"] = {pid: (win._refresh_cost.get(id(p), 0) * 1000, win._paint_cost.get(id(p), 0) * 1000)
                               for pid, p in win.panels.items()}
            result["live_frames"] = clock.frames(m0)
            result["live_window"] = (t_live, time.time())
            result["curves"] = visible_curves(win)
            # Forced frames, every panel at once (bench/render.py's measure).
            forced = []
            for _ in range(args.forced_frames):
                t0 = time.perf_counter()
                win.refresh_now()
                win.repaint()  # painted now (processEvents here would re-enter the asyncio loop)
                forced.append(time.perf_counter() - t0)
                await asyncio.sleep(0.02)
            result["forced"] = forced
            result["map"] = map_counts(win)
            from PySide6.QtGui import QPixmapCache
            result["map"] += f"; Qt pixmap cache limit {QPixmapCache.cacheLimit() / 1024:.0f} MB"
            # Phase 2: accelerated.
            child.stdin.write(f"speed {args.speed}\n")
            child.stdin.flush()
            m1, t1 = clock.mark(), time.monotonic()
            received0, flushed0 = view.points_received, writer.health.flushed_points
            start_ms = view.newest_ms
            end_ms = start_ms + int((args.warmup_hours + args.feed_hours) * 3_600_000)
            limit = (args.warmup_hours + args.feed_hours) * 3600 / args.speed * 3 + 60
            while (view.newest_ms or 0) < end_ms and time.monotonic() - t1 < limit:
                await asyncio.sleep(1.0)
                h = writer.health
                newest = view.newest_ms or 0
                rss.append((time.monotonic() - t1, newest - start_ms, rss_mb()))
                lag.append(((newest - (h.last_flush_ts or newest)) / 1000, h.pending_points))
            result["fast_frames"] = clock.frames(m1)
            result["fast_wall_s"] = time.monotonic() - t1
            result["feed_s"] = ((view.newest_ms or 0) - start_ms) / 1000
            result["flushed"] = writer.health.flushed_points - flushed0
            result["received"] = view.points_received - received0
            result["series"] = view.series_count
            result["gaps"] = len(gaps)
        finally:
            win.close()

    with tempfile.TemporaryDirectory() as tmp:
        rc = run_console(ConsoleOptions(url=url, layout="command-centre", size=(1920, 1080), settings=False,
                                        db=Path(tmp) / "scale.duckdb", on_ready=on_ready))
    child.stdin.close()
    out = child.stdout.read()
    child.wait(30)
    if rc or "fast_frames" not in result:
        raise SystemExit(f"scale: the console did not run through (rc {rc})")
    sent = json.loads(out.split("EMITTED ", 1)[1])
    emitted = {int(k): v for k, v in sent["emitted"].items()}

    # Emission-to-pixel over phase 1: each feed second emitted then, to the first paint showing it.
    t_a, t_b = result["live_window"]
    e2p = []
    for ts, at in sorted(emitted.items()):
        if not t_a <= at <= t_b - 2:
            continue
        hit = next((when for when, shown in painted if when >= at and shown >= ts), None)
        if hit is not None:
            e2p.append(hit - at)

    # Baselines.
    window_points = 900  # the scenario chart's 15 minutes at 1 Hz
    raw_frames = raw_pyqtgraph(max(1, result["curves"]), window_points, 300)
    raw_pts_s = raw_duckdb(args.series, 120)

    live, fast, forced = result["live_frames"], result["fast_frames"], result["forced"]
    f95, r95 = pct(live, 95), pct(raw_frames, 95)
    hour_s = args.warmup_hours * 3600 * 1000
    measured = [(t, ms, mb) for t, ms, mb in rss if ms >= hour_s]
    rss_start = measured[0][2] if measured else rss[0][2]
    rss_end = rss[-1][2]
    growth = (rss_end - rss_start) / rss_start * 100
    ours_pts_s = result["flushed"] / result["fast_wall_s"]
    lags = [s for s, _ in lag]
    pend = [p for _, p in lag]
    print(f"scale bench: {args.services} services, {args.calls} calls, {result['series']} series in the view; "
          f"console in-process (command-centre, 1920x1080 offscreen), feed in pid {child.pid}")
    print(f"  map: {result['map']}; chart curves drawn: {result['curves']}")
    print(f"  live 1x ({args.live_seconds:.0f} s, {len(live)} frames): frame p50 {pct(live, 50):.1f} ms  "
          f"p95 {f95:.1f} ms  p99 {pct(live, 99):.1f} ms  max {max(live) * 1000:.1f} ms   goal p95 <= 16.7 ms")
    print("  panels' learned cost (refresh ms, paint ms): " + ", ".join(
        f"{pid} {r:.1f}/{p:.1f}" for pid, (r, p) in result["costs"].items()))
    print(f"  forced frames, every panel at once ({len(forced)}): p50 {pct(forced, 50):.1f} ms  "
          f"p95 {pct(forced, 95):.1f} ms")
    print(f"  emission-to-pixel ({len(e2p)} feed seconds): p50 {pct(e2p, 50):.0f} ms  p95 {pct(e2p, 95):.0f} ms  "
          f"max {pct(e2p, 100):.0f} ms   goal p95 <= 500 ms")
    print(f"  accelerated x{args.speed:g}: {result['feed_s'] / 3600:.2f} feed hours in {result['fast_wall_s']:.0f} s "
          f"(x{result['feed_s'] / result['fast_wall_s']:.1f} achieved); frames p95 {pct(fast, 95):.1f} ms "
          f"({len(fast)} frames)")
    print(f"  rss: {rss[0][2]:.0f} MB at the speed-up, {rss_start:.0f} MB after the warm-up hour "
          f"(rings full), max {max(mb for *_, mb in rss):.0f} MB, end {rss_end:.0f} MB")
    print(f"  history writer: {result['flushed']:,} points stored, {ours_pts_s:,.0f} points/s "
          f"({result['flushed'] / max(1, result['received']):.3f} of what the view received); lag behind the view p95 "
          f"{np.percentile(lags, 95):.1f} feed s, max {max(lags):.1f} feed s; queue max {max(pend):,} points")
    print(f"  raw pyqtgraph, {result['curves']} curves x {window_points} points, 1920x1080: p50 "
          f"{pct(raw_frames, 50):.1f} ms  p95 {r95:.1f} ms;  ratio ours/raw p95 {f95 / r95:.2f}")
    print(f"  raw DuckDB Arrow appends ({args.series} points each): {raw_pts_s:,.0f} points/s;  "
          f"ratio ours/raw {ours_pts_s / raw_pts_s:.2f} (ours is the rate data arrived at, not the writer's ceiling, "
          f"while its lag stays near zero)")
    kept_up = not sent["slow_consumers"] and not result["gaps"]
    print(f"  feed: {sent['points']:,} points sent; the console kept up: {'yes' if kept_up else 'NO'} "
          f"(dropped as a slow consumer {sent['slow_consumers']} times, feed gaps {result['gaps']})")
    print(f"scale: services={args.services} series={result['series']} frame_p95_ms={f95:.1f} "
          f"e2p_p95_ms={pct(e2p, 95):.0f} rss_growth_pct={growth:.1f}")


_WRITERS: list = []


def catch_writer() -> None:
    """Remember the StoreWriter ``run_console`` opens (nothing else exposes it)."""
    from warroom.store import StoreWriter

    init = StoreWriter.__init__

    def remembering(self, *a, **kw):
        init(self, *a, **kw)
        _WRITERS.append(self)

    StoreWriter.__init__ = remembering


def win_writer(win):
    """The console's StoreWriter (see ``catch_writer``)."""
    return _WRITERS[-1]


def visible_curves(win) -> int:
    """Curves the window's charts draw."""
    import pyqtgraph as pg

    return sum(1 for p in win.panels.values() for item in p.findChildren(pg.PlotWidget)
               for c in item.getPlotItem().listDataItems() if c.isVisible())


def map_counts(win) -> str:
    panel = win.panels.get("topology_map")
    if panel is None:
        return "no map"
    return f"{len(getattr(panel, 'nodes', ()))} nodes, {len(getattr(panel, 'edges', ()))} edges drawn"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--live-seconds", type=float, default=60.0)
    ap.add_argument("--forced-frames", type=int, default=60)
    ap.add_argument("--speed", type=float, default=5.0)
    ap.add_argument("--warmup-hours", type=float, default=1.0)
    ap.add_argument("--feed-hours", type=float, default=1.0)
    ap.add_argument("--services", type=int, default=500)
    ap.add_argument("--calls", type=int, default=1500)
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--profile", metavar="FILE", help="cProfile the UI thread during the live phase into FILE")
    ap.add_argument("--pixmap-cache-mb", type=float, default=0, help=argparse.SUPPRESS)  # experiments
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the child's role
    args = ap.parse_args()
    serve(args) if args.serve else run(args)


if __name__ == "__main__":
    main()
