#!/usr/bin/env python3
"""Render cost of the command-centre layout at design load, against a raw pyqtgraph loop.

Design load: the full simulated platform (25 services, 244 series) at 1-second
resolution with 15 minutes of history in view. We measure, offscreen:

  * frame time p50/p95/p99: one frame = every visible panel refreshed from the live view
    (forced each frame, as if new data arrived every frame: the worst case);
  * the slowest callbacks on the UI thread while live data flows: asyncio's (debug mode's
    slow-callback report, threshold 8 ms), the frame-timer ticks (panel refreshes) and
    the window's paints (Qt paints every widget a tick dirtied in one callback after it);
  * emission-to-pixel latency: the wall time from the simulator emitting a second's
    points to the end of the first paint after which every panel shows them (panels take
    turns within the frame budget, so that can be a few ticks after the first one does);
  * the ratio of our frame time against a raw pyqtgraph loop drawing the same curves
    (the scenario success curves of the chart, 15 min each) in one PlotWidget.

Goals (issue 3): frame p95 <= 16.7 ms, no UI callback > 8 ms, emission-to-pixel p95 <= 250 ms.

    python bench/render.py [--frames 300] [--live-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

START_MS = 1_763_605_800_000 - 15 * 60_000  # 15 min before a busy 10:30 (UTC+8)


def pct(values, q):
    return float(np.percentile(np.asarray(values) * 1000, q)) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--live-seconds", type=float, default=20.0)
    ap.add_argument("--layout", default="command-centre")
    args = ap.parse_args()

    import pyqtgraph as pg
    import qasync
    from PySide6.QtWidgets import QApplication

    from warroom.core.settings.layouts import load_layout
    from warroom.app.session import FeedSession
    from warroom.app.watch import AlertWatch
    from warroom.protocol import Events, TopologySnapshot
    from warroom.sim.engine import Simulator
    from warroom.sim.feed import SimFeed
    from warroom.sim.thread import SimFeedThread
    from warroom.store import StoreWriter
    from warroom.store.live import LiveView
    from warroom.ui import theme
    from warroom.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    layout = load_layout(args.layout)
    theme.apply(theme.DARK, layout.font_pt)

    # 15 minutes of history, straight into the view (what a console has after 15 min).
    sim = Simulator(seed=7, start_ms=START_MS)
    view = LiveView()
    view.apply(TopologySnapshot(sim.now_ms, sim.topology))
    view.apply(sim.catalogue())
    for _ in range(15 * 60):
        batch, events = sim.tick()
        view.apply(batch)
        view.apply(Events(tuple(events)))
    win = MainWindow(view, layout)
    win.resize(1920, 1080)
    win.show()
    app.processEvents()

    # 1) forced frames: every panel refreshed every frame.
    frame_times = []
    for i in range(args.frames):
        if i % 20 == 0:  # new data now and then, as live
            batch, events = sim.tick()
            view.apply(batch)
        t0 = time.perf_counter()
        win.refresh_now()
        app.processEvents()  # the paint happens here
        frame_times.append(time.perf_counter() - t0)

    # 2) the raw baseline: the same number of 15-min curves in one pyqtgraph PlotWidget.
    from warroom.core.model import SeriesKey

    keys = [SeriesKey("scenario_success_ratio", {"scenario": sc.id}) for sc in sim.topology.scenarios]
    plot = pg.PlotWidget()
    plot.resize(1920, 300)
    plot.show()
    curves = [plot.plot() for _ in keys]
    raw_times = []
    for i in range(args.frames):
        t0 = time.perf_counter()
        for curve, key in zip(curves, keys):
            ts, v = view.window(key, 15 * 60_000)
            curve.setData(ts / 1000.0, v)
        app.processEvents()
        raw_times.append(time.perf_counter() - t0)
    plot.close()

    # 3) live: the simulator feeding the window over a websocket at 1x, with the loop in
    #    debug mode so any callback slower than 8 ms is reported.
    slow: list[str] = []

    class SlowHandler(logging.Handler):
        def emit(self, record):
            if "Executing" in record.getMessage() and "took" in record.getMessage():
                slow.append(record.getMessage())

    logging.getLogger().addHandler(SlowHandler())  # asyncio (and qasync) report slow callbacks here
    emitted: dict[int, float] = {}
    latencies: list[float] = []
    live_frames: list[float] = []
    live_paints: list[float] = []
    live_paint_cpu: list[float] = []  # the UI thread's own CPU time in each paint

    live_sim = Simulator(seed=7, start_ms=sim.now_ms)
    feed = SimFeed(live_sim, speed=1.0)
    original_step = feed.step

    def stamped_step(max_ticks=None):
        batch, events = original_step(max_ticks)
        if batch is not None and len(batch):
            emitted[int(batch.ts.max())] = time.monotonic()
        return batch, events

    feed.step = stamped_step

    def on_painted(at: float) -> None:
        # Every second of data that all panels now show (the newest they all drew and any
        # before it) is on screen from this paint on.
        shown = live_win.shown_ms
        for ts in [ts for ts in emitted if shown is not None and ts <= shown]:
            latencies.append(at - emitted.pop(ts))

    tmp = tempfile.TemporaryDirectory()
    writer = StoreWriter(Path(tmp.name) / "r.duckdb")
    sim_thread = SimFeedThread(feed)
    url = sim_thread.start()  # the simulator runs on its own thread, as in `warroom demo`

    async def live() -> None:
        loop = asyncio.get_running_loop()
        loop.set_debug(True)
        loop.slow_callback_duration = 0.008
        # Alerts and incidents run on the UI thread's loop, as in the console.
        session = FeedSession(url, view, writer, watch=AlertWatch.from_rules_file())
        live_win.before_frame = session.sync_clock
        task = asyncio.create_task(session.run())
        n0, p0 = len(live_win.frame_times), len(live_win.paint_times)
        await asyncio.sleep(args.live_seconds)
        live_frames.extend(live_win.frame_times[n0:])
        live_paints.extend(live_win.paint_times[p0:])
        live_paint_cpu.extend(live_win.paint_cpu_times[p0:])
        await session.stop()
        task.cancel()

    live_win = win
    live_win.sig_frame_painted.connect(on_painted)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(live())
    sim_thread.stop()
    writer.close()
    tmp.cleanup()

    f50, f95, f99 = (pct(frame_times, q) for q in (50, 95, 99))
    r50, r95 = pct(raw_times, 50), pct(raw_times, 95)
    print(f"render bench: layout {layout.name}, 1920x1080 offscreen, {view.series_count} series, 15 min in view")
    print(f"  forced frames ({args.frames}): p50 {f50:.1f} ms  p95 {f95:.1f} ms  p99 {f99:.1f} ms   goal p95 <= 16.7 ms")
    print(f"  raw pyqtgraph, {len(keys)} curves:  p50 {r50:.1f} ms  p95 {r95:.1f} ms")
    print(f"  ratio ours/raw: p50 {f50 / r50:.2f}  p95 {f95 / r95:.2f}")
    if live_frames:
        print(f"  live frame-timer ticks ({len(live_frames)} in {args.live_seconds:.0f} s): max {max(live_frames) * 1000:.1f} ms, "
              f"p99 {pct(live_frames, 99):.1f} ms, p95 {pct(live_frames, 95):.1f} ms")
    if live_paints:
        print(f"  live window paints ({len(live_paints)}): max {max(live_paints) * 1000:.1f} ms, "
              f"p99 {pct(live_paints, 99):.1f} ms, p95 {pct(live_paints, 95):.1f} ms")
        # Wall time counts the moments the OS gave the core to another thread or process;
        # CPU time is what the paint itself cost. On a busy 2-core machine they differ.
        print(f"    of which the UI thread's CPU: max {max(live_paint_cpu) * 1000:.1f} ms, "
              f"p99 {pct(live_paint_cpu, 99):.1f} ms, p95 {pct(live_paint_cpu, 95):.1f} ms, "
              f"over 8 ms: {sum(1 for t in live_paint_cpu if t > 0.008)}")
    over = [t for t in live_frames + live_paints if t > 0.008]
    print(f"  UI-thread callbacks over 8 ms while live: asyncio {len(slow)}, ticks and paints {len(over)}"
          + (f" (asyncio worst: {slow[0][:120]})" if slow else ""))
    if latencies:
        print(f"  emission-to-pixel ({len(latencies)} seconds of data): p50 {pct(latencies, 50):.0f} ms  "
              f"p95 {pct(latencies, 95):.0f} ms   goal p95 <= 250 ms")
    win.close()


if __name__ == "__main__":
    main()
