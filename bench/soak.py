#!/usr/bin/env python3
"""Soak: does the console's (or the recorder's) memory plateau on a fast feed?

Starts ``warroom sim --speed 600`` and, on it, the real console (``warroom console``,
offscreen, a temporary history file) or with ``--recorder`` the headless recorder
(``warroom record``), each in its own process as a person would run them. The child's
resident set size is read from ``/proc/PID/statm`` every ``--interval`` seconds for
``--minutes`` wall minutes (at x600, ten minutes are 100 feed hours). The first
``--warmup-minutes`` are excluded: the rings, caches and the store's buffers fill then.

Before that, the same program runs for ``--baseline-s`` on a silent feed (an address
where nothing listens: it starts, draws its empty window and keeps trying to connect).
Its RSS is the raw baseline of the run: what the program costs with no data at all.

It prints the RSS curve, the baseline, what the history file holds, and a last line

    soak: feed_hours=... rss_start_mb=... rss_end_mb=... growth_pct=...

``rss_start_mb`` is the RSS at the end of the warm-up, ``rss_end_mb`` the last sample;
``growth_pct`` the growth between them. Goal (issue 12): within 10 % over 100 feed hours.
``feed_hours`` is the stretch of feed time the child actually stored (read from the
history file afterwards), not the simulator's nominal speed: a child that falls behind
shows it.

What grows until it plateaus is the store's DuckDB cache (about 8.7 bytes per stored point
until it reaches ``StoreWriter``'s ``memory_limit_mb``; everything else levels off within the
first minute): a warm-up shorter than the time that cache takes to fill measures its filling.

    python bench/soak.py                      # the console, 10 minutes (the acceptance figure)
    python bench/soak.py --minutes 2          # a quick run while developing
    python bench/soak.py --recorder           # warroom record instead of the console
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PAGE = os.sysconf("SC_PAGE_SIZE")
_URL = re.compile(r"serving (wss?://\S+)")


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process in MB (None once it has gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 1e6
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def child_env(home: Path) -> dict[str, str]:
    """Offscreen Qt and every user folder in ``home``: a soak never touches the real one."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CACHE_HOME", "cache")):
        env[var] = str(home / sub)
    env.pop("WARROOM_CONFIG", None)
    return env


def warroom(*args: str) -> list[str]:
    """The command line of ``warroom ARGS`` with this interpreter."""
    return [sys.executable, "-m", "warroom.cli", *args]


def start_sim(speed: float, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """``warroom sim`` on a free port; returns the process and its URL."""
    with open(log, "w") as err:  # the child has its own copy of the file
        proc = subprocess.Popen(warroom("sim", "--speed", f"{speed:g}", "--port", "0"), env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=err, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = _URL.search(line)
        if m:
            return proc, m.group(1)
    stop(proc)
    raise SystemExit(f"soak: the simulator did not start (see {log})")


def start_child(mode: str, url: str, db: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    """The process measured: the console (offscreen) or the recorder, on ``url``."""
    if mode == "console":
        cmd = warroom("console", "--url", url, "--db", str(db), "--size", "1920x1080")
    else:
        cmd = warroom("record", "--url", url, "--db", str(db), "--quiet")
    with open(log, "w") as out:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen, timeout: float = 60.0) -> int | None:
    """Ask a child to stop as Ctrl+C would (it closes its store), kill it if it will not."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def sample(proc: subprocess.Popen, seconds: float, interval: float, label: str,
           quiet: bool = False) -> list[tuple[float, float]]:
    """(elapsed s, RSS MB) of ``proc`` every ``interval`` for ``seconds``."""
    out: list[tuple[float, float]] = []
    t0 = time.monotonic()
    while True:
        elapsed = time.monotonic() - t0
        mb = rss_mb(proc.pid)
        if mb is None or proc.poll() is not None:
            raise SystemExit(f"soak: the {label} exited early (code {proc.poll()})")
        if mb < 1.0:  # not mapped yet: the child was only just started
            time.sleep(0.2)
            continue
        out.append((elapsed, mb))
        if not quiet:
            print(f"  {label} {elapsed:7.0f} s  rss {mb:8.1f} MB", flush=True)
        if elapsed >= seconds:
            return out
        time.sleep(min(interval, max(0.0, seconds - elapsed)))


def stored(db: Path) -> dict:
    """What the history holds: points, events, the feed time it spans, the file's size."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        n, first, last = con.execute("SELECT count(*), min(ts), max(ts) FROM points").fetchone()
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()
    hours = (last - first).total_seconds() / 3600 if first is not None else 0.0
    size = db.stat().st_size + (db.with_name(db.name + ".wal").stat().st_size
                                if db.with_name(db.name + ".wal").exists() else 0)
    return {"points": n, "events": events, "feed_hours": hours, "file_mb": size / 1e6}


def baseline(mode: str, seconds: float, tmp: Path, env: dict[str, str]) -> float | None:
    """RSS of the same program on a silent feed (nothing listens at the address)."""
    if seconds <= 0:
        return None
    import socket

    with socket.socket() as s:  # a port that was free a moment ago, and nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = start_child(mode, f"ws://127.0.0.1:{port}", tmp / "idle.duckdb", env, tmp / f"idle-{mode}.log")
    try:
        curve = sample(proc, seconds, max(1.0, seconds / 6), f"idle {mode}", quiet=True)
    finally:
        stop(proc)
    return curve[-1][1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0, help="wall minutes measured (default: %(default)s)")
    ap.add_argument("--warmup-minutes", type=float, default=None,
                    help="wall minutes excluded at the start (default: 2, or a fifth of --minutes if shorter)")
    ap.add_argument("--speed", type=float, default=600.0, help="the simulator's speed (default: %(default)s)")
    ap.add_argument("--interval", type=float, default=5.0, help="seconds between RSS samples (default: %(default)s)")
    ap.add_argument("--baseline-s", type=float, default=30.0,
                    help="seconds of the idle program on a silent feed first; 0 skips it (default: %(default)s)")
    ap.add_argument("--recorder", action="store_true", help="measure `warroom record` instead of the console")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="keep the history file and logs in DIR")
    args = ap.parse_args()
    mode = "recorder" if args.recorder else "console"
    warmup_min = args.warmup_minutes if args.warmup_minutes is not None else min(2.0, args.minutes / 5)
    if not 0 <= warmup_min < args.minutes:
        raise SystemExit("soak: --warmup-minutes must be shorter than --minutes")

    with tempfile.TemporaryDirectory(prefix="warroom-soak-") as tmp_name:
        tmp = args.keep or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        env = child_env(tmp / "home")
        idle_mb = baseline(mode, args.baseline_s, tmp, env)
        if idle_mb is not None:
            print(f"idle {mode} on a silent feed: rss {idle_mb:.1f} MB", flush=True)

        db = tmp / f"soak-{mode}.duckdb"
        sim, url = start_sim(args.speed, env, tmp / "sim.log")
        child = None
        try:
            child = start_child(mode, url, db, env, tmp / f"{mode}.log")
            print(f"{mode} pid {child.pid} on {url} (x{args.speed:g}), {args.minutes:g} min, "
                  f"warm-up {warmup_min:g} min", flush=True)
            curve = sample(child, args.minutes * 60, args.interval, mode)
            code = stop(child)
        finally:
            if child is not None:
                stop(child)
            stop(sim)
        held = stored(db)

    after = [mb for t, mb in curve if t >= warmup_min * 60]
    start_mb, end_mb = after[0], curve[-1][1]
    growth = 100 * (end_mb - start_mb) / start_mb
    print(f"{mode} exited with {code}; stored {held['points']:,} points, {held['events']:,} events, "
          f"{held['feed_hours']:.1f} feed hours, file {held['file_mb']:.0f} MB")
    print(f"rss: first sample {curve[0][1]:.0f} MB, after warm-up {start_mb:.0f} MB, min/max after warm-up "
          f"{min(after):.0f}/{max(after):.0f} MB, end {end_mb:.0f} MB"
          + (f"; idle baseline {idle_mb:.0f} MB (data costs {end_mb - idle_mb:.0f} MB)" if idle_mb else ""))
    per_point = (end_mb - start_mb) * 1e6 / max(1, held["points"] * (1 - warmup_min / args.minutes))
    print(f"growth after warm-up: {end_mb - start_mb:+.1f} MB, about {per_point:.2f} bytes per point stored then")
    print(f"soak: feed_hours={held['feed_hours']:.1f} rss_start_mb={start_mb:.0f} rss_end_mb={end_mb:.0f} "
          f"growth_pct={growth:.1f}")


if __name__ == "__main__":
    main()
