"""Run the console the way ``warroom demo --screen N`` does, on the display in $DISPLAY,
and print where its window landed as one JSON line. ``test_screens.py`` runs this in a
subprocess under an Xvfb with two screens (a Qt application has one display for life).

    python -m tests.ui.screen_probe SCREEN DB_FILE
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

BUSY_HOUR_MS = 1763605800000


def _x_screens_listing(win_id: int, count: int) -> list[int] | None:
    """The X screens whose root window has ``win_id`` in its tree, as the X server says
    (``xwininfo``); None when the tool or an X display is not there."""
    display = os.environ.get("DISPLAY", "")
    if not display or shutil.which("xwininfo") is None:
        return None
    found = []
    for i in range(count):
        out = subprocess.run(["xwininfo", "-root", "-tree", "-display", f"{display.split('.')[0]}.{i}"],
                             capture_output=True, text=True, timeout=20).stdout
        if f"{win_id:#x} " in out:
            found.append(i)
    return found


def main(screen: int, db: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from warroom.sim.engine import Simulator
    from warroom.sim.feed import SimFeed
    from warroom.ui.app import ConsoleOptions, run_console

    seen: dict = {}

    async def on_ready(win) -> None:
        try:
            await asyncio.sleep(0.5)  # let the window be mapped
            screens = QApplication.instance().screens()
            handle = win.windowHandle()
            geo = win.frameGeometry()
            seen.update(screens=len(screens), on=screens.index(handle.screen()),
                        window=[geo.x(), geo.y(), geo.width(), geo.height()],
                        screen_area=[[s.availableGeometry().x(), s.availableGeometry().y(),
                                      s.availableGeometry().width(), s.availableGeometry().height()] for s in screens],
                        win_id=int(win.winId()))
            seen["x_screens_listing_window"] = await asyncio.to_thread(_x_screens_listing, int(win.winId()), len(screens))
        finally:
            win.close()

    rc = run_console(ConsoleOptions(sim_feed=SimFeed(Simulator(seed=7, start_ms=BUSY_HOUR_MS), speed=60.0),
                                    screen=screen, db=db, settings=False, on_ready=on_ready))
    print(json.dumps({"rc": rc, **seen}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
