"""Screenshot of the series catalogue checking a new exporter: its flagged series on top.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_catalogue.py --lang en \\
        --out docs/screenshots/catalogue-en.png

The simulated payment platform runs on its own thread (its series come with their units and
descriptions, protocol 1.6 topology ``series``, and their owners from its KPI tree); its feed
reaches the console through a small relay that adds, once a wall second, the frames of a team's
new exporter, as one would sit in front of a real feed:

* ``refund_success_ratio{service="trade"}`` — sometimes above 1 (a percentage sent as a ratio:
  *invalid values*) and now and then NaN (refused by the decoder, counted on the series:
  *refused points*);
* ``settlement_batch_seconds{service="clearing"}`` — reports for a few seconds, then stops
  (*silent*).

Everything goes through the console's real client, decoder and catalogue. The console (engineer
layout) opens the catalogue with its key (Ctrl+Shift+L) and waits until the three flags show.
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
REFUND = {"name": "refund_success_ratio", "labels": {"service": "trade"}}
BATCH = {"name": "settlement_batch_seconds", "labels": {"service": "clearing"}}


async def exporter(feed_now, send) -> None:
    """The new exporter's frames: a ratio that is sometimes 1.46 (invalid) or NaN (refused), and a batch
    job that reports three times and then falls silent."""
    async for k, t in wall_seconds(feed_now):
        series, s, ts, vs = [REFUND], [0], [t], [0.97 if k % 3 else 97.4 / 100 * 1.5]
        if k % 4 == 0:
            s.append(0), ts.append(t + 500), vs.append(None)  # NaN: refused
        if k <= 3:  # the batch job reports three times, then never again
            series.append(BATCH)
            s.append(1), ts.append(t), vs.append(42.0 + k)
        frame = {"v": 1, "type": "metrics", "series": series, "points": {"s": s, "t": ts, "v": vs}}
        await send(json.dumps(frame))


async def show_catalogue(win) -> None:
    """Open the catalogue, wait until it shows a silent, an invalid and a refused series."""
    from PySide6.QtCore import Qt

    from warroom.core.catalogue import Flag

    panel = win.open_panel("catalogue")  # what CATALOGUE_KEY does
    for pid, dock in win.docks.items():  # the picture is about the catalogue: the central chart stays beside it
        if pid != "opened_catalogue":
            dock.hide()
    win.resizeDocks([win.docks["opened_catalogue"]], [int(win.width() * 0.76)], Qt.Orientation.Horizontal)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while loop.time() < deadline:
        panel.settle()
        cat = panel.catalogue
        if cat is not None and all(cat.flagged(f) for f in Flag) and len(cat) > 250:
            break
        await asyncio.sleep(0.5)
    panel.settle()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots/catalogue-en.png"))
    parser.add_argument("--size", default="1600x900")
    parser.add_argument("--theme", choices=("dark", "light"), default=None)
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.split("x"))

    from warroom.ui.app import ConsoleOptions, run_console

    sim_thread = SimFeedThread(SimFeed(Simulator(seed=7, start_ms=START_MS), speed=SPEED))
    relay = Relay(sim_thread.start(), exporter)
    url = relay.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            opts = ConsoleOptions(url=url, layout="engineer", lang=args.lang, theme=args.theme,
                                  db=Path(tmp) / "catalogue.duckdb",
                                  size=(width, height), settings=False, snapshot_after_ms=0,
                                  snapshot_out=args.out, on_ready=show_catalogue, snapshot_timeout_s=120)
            return run_console(opts)
    finally:
        relay.stop()
        sim_thread.stop()


if __name__ == "__main__":
    sys.exit(main())
