#!/usr/bin/env python3
"""kill -9 of ``warroom record`` under a live feed: how much history is lost?

Issue 12's acceptance: "kill -9 of `warroom record` under 50,000 points/s loses <= 0.25 s,
three runs". Each run:

1. starts a feed server in a child process (``warroom.io.server.FeedServer`` serving a
   small source of its own): ``--series`` series, ``--per-second`` points a second each,
   timestamps strictly increasing in real time (speed 1, the wall clock's ms), sent as the
   simulator sends them, ten frames a second;
2. starts ``.venv/bin/warroom record --url ws://127.0.0.1:PORT --db FILE``;
3. lets it record ``--seconds`` seconds, then kills it with SIGKILL;
4. opens the file (DuckDB replays the write-ahead log) and measures the loss: the newest
   timestamp the feed had sent before the kill minus the newest timestamp stored, in
   seconds. The feed logs (wall time, newest ts) of every frame it broadcasts, so "sent
   before the kill" is exact, not sampled.

Prints one line per run and a last line

    kill9: runs=3 rate=50000 loss_s=a,b,c max_loss_s=m

The loss has three parts: what the recorder had received but not yet handed to the store,
what the store had queued but not yet committed (up to one flush interval), and the flush
in flight. ``--seconds`` and ``--runs`` shorten it while developing.

    python bench/kill9.py [--runs 3] [--seconds 10] [--series 500] [--per-second 100]
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WARROOM = ROOT / ".venv" / "bin" / "warroom"
FRAME_S = 0.1  # ten frames a second, as the simulator's feed sends them


# -- the feed (child process) ---------------------------------------------------------
class RealTimeSource:
    """A feed source whose clock is the wall clock (speed 1): ``FeedServer`` needs no more."""

    speed = 1.0
    feed_name = "kill9-bench"

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def snapshot_messages(self) -> list:
        return []

    async def handle_command(self, command, client_id):  # noqa: ANN001 - the protocol's types
        return []


def serve(port_file: str, n_series: int, per_second: int) -> None:
    """Serve the feed; print ``sent <wall_ns> <newest_ts>`` for every frame broadcast."""
    from warroom.core.model import SeriesKey
    from warroom.io.server import FeedServer
    from warroom.protocol.messages import MetricBatch

    keys = tuple(SeriesKey("kill9_load", {"i": str(i)}) for i in range(n_series))
    step_ms = 1000 // per_second
    source = RealTimeSource()

    async def main() -> None:
        server = FeedServer(source, "127.0.0.1", 0, resume_s=0)
        await server.start()
        Path(port_file).write_text(str(server.port))
        last = source.now_ms() // step_ms * step_ms
        loop = asyncio.get_running_loop()
        next_frame = loop.time()
        out = sys.stdout
        while True:
            now = source.now_ms() // step_ms * step_ms
            if now > last:  # every step that fell due since the last frame, each series once
                ticks = np.arange(last + step_ms, now + 1, step_ms, dtype=np.int64)
                ts = np.repeat(ticks, n_series)
                idx = np.tile(np.arange(n_series, dtype=np.int32), len(ticks))
                server.broadcast(MetricBatch(keys, idx, ts, (ts % 100_000).astype(np.float64)))
                out.write(f"sent {time.time_ns()} {int(ticks[-1])}\n")
                out.flush()
                last = now
            next_frame += FRAME_S
            await asyncio.sleep(max(0.0, next_frame - loop.time()))

    asyncio.run(main())


# -- one run ---------------------------------------------------------------------------
def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"kill9: timed out waiting for {what}")
        time.sleep(0.05)


def one_run(tmp: Path, seconds: float, n_series: int, per_second: int) -> dict:
    port_file, db = tmp / "port", tmp / "history.duckdb"
    feed = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file), "--series", str(n_series),
                             "--per-second", str(per_second)], stdout=subprocess.PIPE, text=True)
    rec = None
    try:
        _wait_for(lambda: port_file.exists() and port_file.read_text(), 60, "the feed to listen")
        url = f"ws://127.0.0.1:{port_file.read_text()}"
        log = (tmp / "record.log").open("w")
        rec = subprocess.Popen([str(WARROOM), "record", "--url", url, "--db", str(db)],
                               stdout=log, stderr=subprocess.STDOUT)
        _wait_for(lambda: "points" in (tmp / "record.log").read_text() or rec.poll() is not None, 60,
                  "the recorder to receive points")
        time.sleep(seconds)
        if rec.poll() is not None:
            raise SystemExit(f"kill9: the recorder exited early:\n{(tmp / 'record.log').read_text()[-2000:]}")
        killed_ns = time.time_ns()
        os.kill(rec.pid, signal.SIGKILL)
        rec.wait()
    finally:
        if rec is not None and rec.poll() is None:
            rec.kill()
            rec.wait()
        feed.send_signal(signal.SIGKILL)
        sent_lines = feed.communicate()[0].splitlines()
    sent = [(int(w), int(t)) for tag, w, t in (line.split() for line in sent_lines) if tag == "sent"]
    newest_sent = max(t for w, t in sent if w <= killed_ns)
    import duckdb  # here: the parent needs it only now

    con = duckdb.connect(str(db), read_only=True)  # replays the WAL the killed process left
    try:
        newest_stored, points = con.execute("SELECT epoch_ms(max(ts)), count(*) FROM points").fetchall()[0]
    finally:
        con.close()
    return {"loss_s": (newest_sent - (newest_stored or 0)) / 1000, "points": points,
            "newest_sent": newest_sent, "newest_stored": newest_stored}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0, help="recording time before the kill")
    ap.add_argument("--series", type=int, default=500)
    ap.add_argument("--per-second", type=int, default=100, help="points a second per series")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.series, args.per_second)
        return
    rate = args.series * args.per_second
    losses = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            r = one_run(Path(tmp), args.seconds, args.series, args.per_second)
        losses.append(r["loss_s"])
        print(f"run {i + 1}: {r['points']:,} points stored, newest sent {r['newest_sent']}, "
              f"newest stored {r['newest_stored']}, loss {r['loss_s']:.3f} s", flush=True)
    print(f"kill9: runs={args.runs} rate={rate} loss_s={','.join(f'{x:.3f}' for x in losses)} "
          f"max_loss_s={max(losses):.3f}")
    print(json.dumps({"loss_s": losses}), file=sys.stderr)


if __name__ == "__main__":
    main()
