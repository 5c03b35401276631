"""What the live inspector costs the client per frame, as ratios to decoding alone.

The client's frame path is ``Decoder.decode`` and, while an inspector is open, the inspector's
tap (``Inspector.on_frame``). Four runs over the same frames (real simulator output, binary
frames as our client receives them, encoded before the clock starts), each with a fresh decoder:

  (a) decode only: the baseline;
  (b) decode, then the client's test for a tap (``tap is not None``) with nobody watching;
  (c) decode and the tap with the inspector watching one service (``service:trade``);
  (d) decode and the tap with the inspector watching everything (the worst case: a row per point,
      up to its per-frame bound).

Prints each run's frames/s and its ratio to (a); (b) should stay within noise of 1.00.

    python bench/inspector.py [--frames 600] [--ticks-per-frame 6] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from warroom.app.inspector import Inspector
from warroom.protocol import Decoder
from warroom.protocol.metrics import SeriesTable
from warroom.protocol.outgoing import Outgoing
from warroom.sim.engine import Simulator
from warroom.sim.feed import merge_batches

START_MS = 1_763_605_800_000  # a weekday 10:30 UTC+8: busy traffic


class _Client:
    tap = None


def make_frames(frames: int, ticks_per_frame: int) -> tuple[list[bytes], int]:
    sim = Simulator(seed=3, start_ms=START_MS)
    table = SeriesTable()
    out = []
    for seq in range(1, frames + 1):
        batch = merge_batches([sim.tick()[0] for _ in range(ticks_per_frame)])
        out.append(Outgoing(batch, table).frame("binary", seq))
    return out, sim.now_ms


def run(frames: list[bytes], now_ms: int, watch: str | None, tapped: bool) -> float:
    """Seconds to take every frame the way the client does (``watch`` None: no inspector open)."""
    decoder = Decoder(wall_clock=lambda: now_ms)
    client = _Client()
    if watch is not None:
        inspector = Inspector(client)
        inspector.set_watch(watch)
        inspector.open()
    t0 = time.perf_counter()
    for frame in frames:
        result = decoder.decode(frame, now_ms)
        if tapped and client.tap is not None:
            client.tap(frame, result, now_ms)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=600)
    parser.add_argument("--ticks-per-frame", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frames, now_ms = make_frames(args.frames, args.ticks_per_frame)
    points = Decoder(wall_clock=lambda: now_ms)
    n_points = sum(len(points.decode(f, now_ms).message or ()) for f in frames)
    cases = {
        "(a) decode only": (None, False),
        "(b) closed: tap test only": (None, True),
        "(c) open on service:trade": ("service:trade", True),
        "(d) open on everything": ("*", True),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.repeat):  # interleaved, so a slow moment of the machine hits every case
        for name, (watch, tapped) in cases.items():
            times[name].append(run(frames, now_ms, watch, tapped))
    base = statistics.median(times["(a) decode only"])
    print(f"{len(frames)} binary frames, {n_points / len(frames):,.0f} points per frame, median of {args.repeat}")
    for name, runs in times.items():
        t = statistics.median(runs)
        print(f"  {name:28s} {len(frames) / t:10,.0f} frames/s   x{t / base:5.2f} the time of decoding alone")


if __name__ == "__main__":
    main()
