"""Screenshot of the live inspector checking a new metric, protocol errors inline.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_inspector.py --lang en \\
        --out docs/screenshots/inspector-en.png

The simulated payment platform runs on its own thread; its feed reaches the console through a
small relay, as a team's new exporter would sit in front of a real feed: the relay passes every
frame through unchanged and adds, once a (wall) second, a JSON frame of a new metric,
``refund_queue_depth{service="trade"}``, whose developer got two things wrong now and then: a
timestamp in seconds instead of milliseconds (``bad_timestamp``) and a missing value
(``non_finite``); once, a frame cut short (``malformed_json``). Everything goes through the
console's real client, decoder and inspector. The console (engineer layout) opens the inspector
as its key does, watches ``metric:refund_queue_depth``, pauses, and selects a refused point's row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from relay import Relay, wall_seconds  # noqa: E402 - docs/screenshots/relay.py, beside this script
from warroom.sim.engine import Simulator  # noqa: E402
from warroom.sim.feed import SimFeed  # noqa: E402
from warroom.sim.thread import SimFeedThread  # noqa: E402

START_MS = 1_763_605_200_000  # 2026-11-20 10:20 +08:00: a busy weekday morning
SPEED = 10.0
NEW_METRIC = {"name": "refund_queue_depth", "labels": {"service": "trade"}}


async def new_metric(feed_now, send) -> None:
    """A new metric with the mistakes of a new exporter: a frame cut short, timestamps in seconds,
    null values."""
    async for k, t in wall_seconds(feed_now):
        if k == 4:
            await send('{"v":1,"type":"metrics","series":[{"name":"refund_queue_depth",')
            continue
        ts, vs = [t], [float(40 + k % 7)]
        if k % 3 == 0:
            ts.append(t // 1000)  # seconds, not milliseconds
            vs.append(41.0)
        if k % 5 == 0:
            ts.append(t + 500)
            vs.append(None)
        frame = {"v": 1, "type": "metrics", "series": [NEW_METRIC],
                 "points": {"s": [0] * len(ts), "t": ts, "v": vs}}
        await send(json.dumps(frame))


async def show_inspector(win) -> None:
    """Open the inspector on ``service:trade``, wait for refused frames, pause, select an error."""
    from PySide6.QtCore import Qt

    panel = win.open_panel("inspector")  # what the key (main_window.INSPECTOR_KEY) does
    for pid, dock in win.docks.items():  # the picture is about the inspector: the chart stays beside it
        if pid != "opened_inspector":
            dock.hide()
    win.resizeDocks([win.docks["opened_inspector"]], [int(win.width() * 0.66)], Qt.Orientation.Horizontal)
    panel.watch_box.setEditText("metric:refund_queue_depth")
    panel.apply_watch()
    inspector = panel.inspector
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while loop.time() < deadline:
        rows = inspector.rows()
        codes = {r.subject for r in rows if r.kind == "error"}
        if {"bad_timestamp", "non_finite", "malformed_json"} <= codes and sum(r.kind == "point" for r in rows) >= 14:
            break
        await asyncio.sleep(0.2)
    panel.set_paused(True)
    panel.refresh()
    rows = panel.rows_model.rows
    pick = next((i for i, r in enumerate(rows) if r.kind == "error" and r.subject == "bad_timestamp"), 0)
    panel.rows_table.selectRow(pick)
    panel.rows_table.scrollTo(panel.rows_model.index(pick, 0), panel.rows_table.ScrollHint.PositionAtCenter)
    await asyncio.sleep(0.3)  # let Qt lay out and paint (never processEvents() inside a qasync task)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots/inspector-en.png"))
    parser.add_argument("--size", default="1600x900")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))

    from warroom.ui.app import ConsoleOptions, run_console

    sim_thread = SimFeedThread(SimFeed(Simulator(seed=7, start_ms=START_MS), speed=SPEED))
    relay = Relay(sim_thread.start(), new_metric)
    url = relay.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            opts = ConsoleOptions(url=url, layout="engineer", lang=args.lang, db=Path(tmp) / "inspector.duckdb",
                                  size=(width, height), settings=False, snapshot_after_ms=0,
                                  snapshot_out=args.out, on_ready=show_inspector, snapshot_timeout_s=120)
            return run_console(opts)
    finally:
        relay.stop()
        sim_thread.stop()


if __name__ == "__main__":
    sys.exit(main())
