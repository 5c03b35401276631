#!/usr/bin/env python3
"""Start-up time: from launching ``warroom demo`` to the first painted frame of its window.

The command-centre layout, offscreen (or ``--platform xcb`` under Xvfb), each process with its
own empty HOME. The console reports its first painted frame through the start-up probe
(``WARROOM_STARTUP_PROBE=quit``, warroom/ui/start/startup_probe.py: the CLOCK_MONOTONIC time once the
first frame of the main window is painted, then it closes); we subtract the moment we launched
the process. Measured, in interleaved rounds so drift hits all alike:

  * baseline: a bare PySide6 script (``python -c``: import QtWidgets, show an empty 1920x1080
    QMainWindow, report its first paint) with the venv's Python;
  * venv: ``.venv/bin/warroom demo --layout command-centre``;
  * built: ``dist/warroom/warroom demo --layout command-centre`` (packaging/pyinstaller/build.sh),
    if the folder is there.

Goals (issue 7): venv median <= 2 s on the reference machine (2 cores); built <= 1.5 x venv.

    python bench/startup.py [--runs 7] [--warmup 1] [--built dist/warroom] [--platform offscreen]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(r"WARROOM_FIRST_PAINT monotonic=([0-9.]+)")

BASELINE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Probe(QObject):
    seen = False
    def eventFilter(self, obj, event):
        if not self.seen and event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.window() is win:
            self.seen = True
            QTimer.singleShot(0, report)
        return False

def report():
    print(f"WARROOM_FIRST_PAINT monotonic={time.monotonic():.6f}", flush=True)
    win.close()

app = QApplication(sys.argv[:1])
probe = Probe()
app.installEventFilter(probe)
win = QMainWindow()
win.resize(1920, 1080)
win.show()
app.exec()
"""


def launch(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[float, float]:
    """(seconds to the first painted frame, seconds until the process ended)."""
    t0 = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    t_end = time.monotonic()
    m = MARK.search(proc.stdout)
    if proc.returncode != 0 or not m:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode} without a first-paint line:\n"
                           f"{proc.stdout[-1000:]}\n{proc.stderr[-2000:]}")
    return float(m.group(1)) - t0, t_end - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="measured runs of each (default: %(default)s)")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured runs first, to warm the disk cache")
    ap.add_argument("--venv", type=Path, default=ROOT / ".venv")
    ap.add_argument("--built", type=Path, default=ROOT / "dist" / "warroom")
    ap.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM (xcb needs a display)")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()

    python = args.venv / "bin" / "python"
    variants: dict[str, list[str]] = {
        "baseline": [str(python), "-c", BASELINE],
        "venv": [str(args.venv / "bin" / "warroom"), "demo", "--layout", "command-centre"],
    }
    built_exe = args.built / "warroom"
    if os.access(built_exe, os.X_OK):
        variants["built"] = [str(built_exe), "demo", "--layout", "command-centre"]
    else:
        print(f"(no built folder at {args.built}: packaging/pyinstaller/build.sh makes one)")

    paint: dict[str, list[float]] = {k: [] for k in variants}
    total: dict[str, list[float]] = {k: [] for k in variants}
    with tempfile.TemporaryDirectory(prefix="warroom-startup-") as tmp:
        for i in range(args.warmup + args.runs):
            for name, cmd in variants.items():
                home = Path(tmp) / f"{name}-{i}"
                home.mkdir()
                env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
                       "QT_QPA_PLATFORM": args.platform, "WARROOM_STARTUP_PROBE": "quit",
                       "XDG_RUNTIME_DIR": str(home)}
                if os.environ.get("DISPLAY"):
                    env["DISPLAY"] = os.environ["DISPLAY"]
                run_cmd = cmd + (["--db", str(home / "demo.duckdb")] if name != "baseline" else [])
                first, end = launch(run_cmd, env, args.timeout)
                if i >= args.warmup:
                    paint[name].append(first)
                    total[name].append(end)

    med = {k: statistics.median(v) for k, v in paint.items()}
    base = med["baseline"]
    print(f"start-up bench: launch -> first painted frame of `warroom demo --layout command-centre` "
          f"({args.platform}), median of {args.runs} runs (min..max), {os.cpu_count()} CPUs")
    labels = {"baseline": "baseline: bare PySide6 window", "venv": f"venv ({args.venv.name}/bin/warroom)",
              "built": f"built ({args.built.name}/warroom)"}
    for name in variants:
        v = paint[name]
        print(f"  {labels[name]:<34} {med[name]:6.2f} s  ({min(v):.2f}..{max(v):.2f})  "
              f"{med[name] / base:5.2f} x baseline   process ends after {statistics.median(total[name]):.2f} s")
    ok_venv = med["venv"] <= 2.0
    print(f"  goal venv <= 2 s: {'met' if ok_venv else 'NOT met'} ({med['venv']:.2f} s)")
    if "built" in med:
        ratio = med["built"] / med["venv"]
        print(f"  ratio built / venv: {ratio:.2f}  (goal <= 1.5: {'met' if ratio <= 1.5 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
