#!/usr/bin/env python3
"""Scrubbing a long history: ReplaySession cursor moves against a raw DuckDB time_bucket query.

Issue 6: scrubbing stays interactive on long histories. We generate --hours (default 24) of the
full simulated platform at 1-second resolution (244 series, faults injected through the day, the
alert watch running so the event log holds alerts, incidents, acknowledgements, notes and a plan
run) into a DuckDB history, cached under bench/.cache/, and measure, in the same run:

  * jumps: --jumps random cursor positions (seeded), each a ``ReplaySession.seek`` that reloads
    the view (a scrub far away). Timed: the whole seek, and inside it the chart query
    (``HistoryReader.batch`` of the span, all series), ``LiveView.add_batch`` and the event
    state rebuild (alert log, incident book, plan book). Baseline: a raw DuckDB query of the
    same span and series on its own connection to the same file,
    ``SELECT series_id, time_bucket(INTERVAL '1 second', ts), avg(value) ... GROUP BY ALL``,
    fetched with fetchnumpy. For the default span (15 min, the widest chart of the shipped
    layouts) and for 1 h (--spans);
  * playback steps: at 60x and 30 Hz a frame moves the cursor 2 s: consecutive seek(+2000)
    (the append path) against a raw query of those 2 s;
  * the screen (--screen-jumps, 0 to skip): the command-centre window offscreen at 1920x1080,
    seek + refresh of every panel + paint, for random jumps (no ratio: is scrubbing interactive?).

Goals (issue 6): the chart queries behind one screen <= 2x the raw query (p50 and p95), and a
cursor move (the whole seek) p95 <= 100 ms.

    python bench/replay.py [--hours 24] [--seed 1] [--jumps 200] [--steps 300] [--screen-jumps 40]
                           [--spans 15 60] [--regenerate]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import duckdb  # noqa: E402
import numpy as np  # noqa: E402

START_MS = 1_731_254_400_000  # 2024-11-11 00:00 UTC+8: one whole day, night lull and peaks
CACHE = Path(__file__).resolve().parent / ".cache"
STEP_MS = 2_000  # 60x feed time at 30 frames a second
#: (fraction of the history, kind, target, duration s): one incident every few hours.
FAULTS = (
    (0.08, "bank_latency_spike", "bank-ccb", 600),
    (0.22, "db_failover", "trade-db", None),
    (0.37, "deploy_error_burst", "payment-engine", 480),
    (0.44, "dependency_outage", "bank-icbc", 1200),  # the morning peak; failed over after 3 min
    (0.58, "traffic_surge", "*", 900),
    (0.71, "hot_account_lock", "accounting", 600),
    (0.86, "bank_latency_spike", "bank-abc", 420),
)
FAILOVER = ("bank-icbc", "failover-bank-icbc", 180_000)
RAW_SQL = ("SELECT series_id, time_bucket(INTERVAL '1 second', ts) AS b, avg(value) AS v FROM points"
           " WHERE ts >= epoch_ms(?::BIGINT) AND ts < epoch_ms(?::BIGINT) GROUP BY ALL")


# -- the history ----------------------------------------------------------------------
def generate(path: Path, hours: float, seed: int, alerts: bool = True) -> dict:
    """Write ``hours`` of the simulated platform to ``path`` tick by tick; returns counts."""
    from warroom.core.model import EventKind
    from warroom.app.watch import AlertWatch
    from warroom.protocol import TopologySnapshot
    from warroom.sim import Simulator
    from warroom.store import StoreWriter

    seconds = int(hours * 3600)
    sim = Simulator(seed=seed, start_ms=START_MS)
    schedule = {int(f * seconds): (kind, target, dur) for f, kind, target, dur in FAULTS}
    partial = path.with_name(path.name + ".partial")
    for p in (partial, Path(str(partial) + ".wal")):
        p.unlink(missing_ok=True)
    writer = StoreWriter(partial, flush_interval_s=1.0)
    counts = {"points": 0, "events": 0}

    def store(events) -> None:
        if events:
            writer.append_events(events)
            counts["events"] += len(events)

    watch = None
    if alerts:
        watch = AlertWatch.from_rules_file()
        watch.user = "bench"
        watch.on_topology(sim.topology)
        watch.record = store  # acknowledgements and notes
    writer.append_topology(TopologySnapshot(sim.now_ms, sim.topology))
    writer.append_plans(sim.catalogue(), sim.now_ms)
    acked: set[str] = set()
    failover_at = None
    try:
        for s in range(seconds):
            now = sim.now_ms
            if s in schedule:
                kind, target, dur = schedule[s]
                sim.inject_fault(kind, target, dur)
                if target == FAILOVER[0]:
                    failover_at = now + FAILOVER[2]
            if failover_at is not None and now >= failover_at:
                failover_at = None
                sim.execute_plan(FAILOVER[1], "bench", "bank down: fail over")
                writer.append_plans(sim.catalogue(), now)
            batch, events = sim.tick()
            writer.append_metrics(batch)
            counts["points"] += len(batch)
            store(events)
            if any(e.kind is EventKind.PLAN_EXECUTION for e in events):  # run, expired, rolled back
                writer.append_plans(sim.catalogue(), now)
            if watch is not None:
                store(watch.on_events(events))
                store(watch.on_batch(batch))
                # The room acknowledges an incident a minute after it opens, and notes it.
                # (Looked at every 10 s: ``incidents()`` builds snapshots, too dear per tick.)
                for inc in watch.incidents() if s % 10 == 0 else ():
                    if inc.live and inc.id not in acked and now - (inc.detected_ms or now) >= 60_000:
                        acked.add(inc.id)
                        watch.acknowledge_incident(inc.id, "bench", "looking", now)
                        watch.add_note(inc.id, "bench", "on it", now)
        writer.close()
    except BaseException:
        writer.close()
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return counts


def history(args) -> tuple[Path, float | None, bool]:
    """The cached history file (generated if missing or --regenerate), how long generating it
    took (None if unknown) and whether it came from the cache."""
    CACHE.mkdir(exist_ok=True)
    hours = f"{args.hours:g}".replace(".", "_")
    path = CACHE / f"replay-{hours}h-seed{args.seed}{'' if args.alerts else '-noalerts'}.duckdb"
    note = path.with_name(path.name + ".json")  # how long it took, for runs that reuse it
    if path.exists() and not args.regenerate:
        took = json.loads(note.read_text()).get("seconds") if note.exists() else None
        return path, took, True
    path.unlink(missing_ok=True)
    print(f"generating {args.hours:g} h of the simulated platform into {path} ...", flush=True)
    t0 = time.perf_counter()
    counts = generate(path, args.hours, args.seed, args.alerts)
    took = time.perf_counter() - t0
    note.write_text(json.dumps({"seconds": round(took, 1), **counts}))
    print(f"  generated in {took:.0f} s: {counts['points']:,} points, {counts['events']:,} events", flush=True)
    return path, took, False


# -- timing helpers -------------------------------------------------------------------
class Timed:
    """Wraps a bound method of one instance; sums the seconds spent in it since ``take()``."""

    def __init__(self, obj, name: str) -> None:
        inner = getattr(obj, name)
        self.inner = inner.inner if isinstance(inner, Timed) else inner  # one reader, several sessions
        self.seconds = 0.0
        setattr(obj, name, self)

    def __call__(self, *a, **kw):
        t0 = time.perf_counter()
        try:
            return self.inner(*a, **kw)
        finally:
            self.seconds += time.perf_counter() - t0

    def take(self) -> float:
        s, self.seconds = self.seconds, 0.0
        return s


def ms(values, q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q)) if len(values) else float("nan")


def row(label: str, values, raw=None, note: str = "") -> str:
    p50, p95, mx = ms(values, 50), ms(values, 95), ms(values, 100)
    ratios = f"{p50 / ms(raw, 50):>7.2f} {p95 / ms(raw, 95):>7.2f}" if raw is not None else f"{'':>7} {'':>7}"
    return f"  {label:<36} {p50:>8.1f} {p95:>8.1f} {mx:>8.1f} {ratios}  {note}".rstrip()


HEADER = f"  {'':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'/raw50':>7} {'/raw95':>7}"


def raw_query(con, start: int, end: int) -> int:
    cols = con.execute(RAW_SQL, [int(start), int(end)]).fetchnumpy()
    return len(cols["series_id"])


def session_for(reader, span_ms: int):
    """A session over a fresh view, with its parts wrapped for timing."""
    from warroom.app.replay import ReplaySession
    from warroom.store.live import LiveView

    view = LiveView()
    session = ReplaySession(reader, view, source="bench", span_ms=span_ms)
    parts = {
        "query": Timed(reader, "batch"),
        "add_batch": Timed(view, "add_batch"),
        "alerts": Timed(session.watch, "_apply"),
        "plans": Timed(session.desk, "_apply"),
    }
    return session, parts


def jump_targets(rnd: random.Random, start: int, end: int, span: int, n: int, far_ms: int) -> list[int]:
    """``n`` cursor positions with a full span behind them, each a reload from the one before
    (not a small step forward)."""
    lo, hi = (start + span, end) if start + span < end else (start, end)  # short history: anywhere
    out: list[int] = []
    prev = None
    while len(out) < n:
        t = rnd.randrange(lo, hi + 1)
        if prev is not None and (t == prev or prev <= t <= prev + far_ms and hi - lo > 4 * far_ms):
            continue
        out.append(t)
        prev = t
    return out


def bench_jumps(path: Path, reader, span_min: float, args, rnd: random.Random) -> dict:
    from warroom.app.replay import APPEND_LIMIT_MS

    span = int(span_min * 60_000)
    t0 = time.perf_counter()
    session, parts = session_for(reader, span)
    opened = time.perf_counter() - t0
    raw_con = duckdb.connect(str(path), read_only=True)
    targets = jump_targets(rnd, session.start_ms, session.end_ms, span, args.jumps + args.warmup, APPEND_LIMIT_MS)
    res = _results()
    points = []
    for i, t in enumerate(targets):
        n_raw, timings = _measure_move(session, parts, raw_con, t - span, t, i)
        if i < args.warmup:
            continue
        points.append(n_raw)
        _record(res, timings)
    raw_con.close()
    return {"span_min": span_min, "opened_s": opened, "points": int(np.median(points)), **res,
            "n_events": len(session.events())}


def _results() -> dict[str, list[float]]:
    return {k: [] for k in ("raw", "seek", "query", "add_batch", "events", "rest")}


def _measure_move(session, parts, raw_con, raw_from: int, to: int, i: int) -> tuple[int, tuple[float, ...]]:
    """One cursor move to ``to`` and the raw query of ``[raw_from, to]``, timed; returns the raw
    row count and (raw, seek, query, add_batch, events) seconds."""
    for p in parts.values():
        p.take()
    # Alternate which goes first, so neither always finds the other's blocks in the cache.
    for which in ((0, 1) if i % 2 else (1, 0)):
        if which == 0:
            r0 = time.perf_counter()
            n_raw = raw_query(raw_con, raw_from, to + 1)
            raw_s = time.perf_counter() - r0
        else:
            s0 = time.perf_counter()
            session.seek(to)
            seek_s = time.perf_counter() - s0
    ev = parts["alerts"].take() + parts["plans"].take()
    return n_raw, (raw_s, seek_s, parts["query"].take(), parts["add_batch"].take(), ev)


def _record(res: dict[str, list[float]], timings: tuple[float, ...]) -> None:
    raw_s, seek_s, q, a, ev = timings
    for key, value in zip(("raw", "seek", "query", "add_batch", "events"), timings):
        res[key].append(value)
    res["rest"].append(seek_s - q - a - ev)


def bench_steps(path: Path, reader, args, rnd: random.Random) -> dict:
    from warroom.app.replay import DEFAULT_SPAN_MS

    session, parts = session_for(reader, DEFAULT_SPAN_MS)
    raw_con = duckdb.connect(str(path), read_only=True)
    runs = max(1, args.steps // 30)
    per_run = -(-args.steps // runs)
    res = _results()
    for _ in range(runs):
        hi = session.end_ms - (per_run + 1) * STEP_MS
        t = rnd.randrange(min(session.start_ms + DEFAULT_SPAN_MS, hi), hi + 1)
        session.seek(t)  # a reload; the steps after it append
        for i in range(per_run + 1):
            prev = session.cursor_ms
            _, timings = _measure_move(session, parts, raw_con, prev + 1, prev + STEP_MS, i)
            if i:  # the first is the warm-up of this run
                _record(res, timings)
    raw_con.close()
    return res


def bench_screen(reader, args, rnd: random.Random) -> dict | None:
    """seek + refresh_now + paint of the command-centre window, offscreen; None if Qt is unusable."""
    try:
        from PySide6.QtWidgets import QApplication  # noqa: F401

        from warroom.core.settings.layouts import load_layout
        from warroom.app.replay import APPEND_LIMIT_MS, DEFAULT_SPAN_MS
        from warroom.ui.app import init_app
        from warroom.ui.main_window import MainWindow
        from warroom.ui.replay.replay_app import chart_span_ms
        from warroom.ui.replay.replay_bar import ReplayBar
    except Exception as exc:  # noqa: BLE001 - the screen part is optional
        print(f"  (screen part skipped: {type(exc).__name__}: {exc})")
        return None
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QToolBar

    layout = load_layout("command-centre")
    app = init_app(None, None, layout)
    span = chart_span_ms(layout, DEFAULT_SPAN_MS)
    session, _parts = session_for(reader, span)
    win = MainWindow(session.view, layout)
    bar = ReplayBar(session, win)
    toolbar = QToolBar("Replay", win)
    toolbar.addWidget(bar)
    win.addToolBar(Qt.ToolBarArea.BottomToolBarArea, toolbar)
    win.resize(1920, 1080)
    win.show()
    app.processEvents()
    warm = 3
    targets = jump_targets(rnd, session.start_ms, session.end_ms, span, args.screen_jumps + warm, APPEND_LIMIT_MS)
    res: dict[str, list[float]] = {k: [] for k in ("seek", "refresh", "paint", "total")}
    for i, t in enumerate(targets):
        t0 = time.perf_counter()
        bar.seek(t)
        t1 = time.perf_counter()
        win.refresh_now()
        t2 = time.perf_counter()
        app.processEvents()  # the paint happens here
        t3 = time.perf_counter()
        if i < warm:
            continue
        res["seek"].append(t1 - t0)
        res["refresh"].append(t2 - t1)
        res["paint"].append(t3 - t2)
        res["total"].append(t3 - t0)
    win.close()
    app.processEvents()
    return {"span_min": span / 60_000, "panels": len(win.panels), **res}


# -- main -----------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hours", type=float, default=24.0, help="length of the history (default 24)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jumps", type=int, default=200, help="random far jumps per span")
    ap.add_argument("--warmup", type=int, default=5, help="untimed jumps first")
    ap.add_argument("--spans", type=float, nargs="+", default=[15, 60], help="minutes loaded behind the cursor")
    ap.add_argument("--steps", type=int, default=300, help="playback steps of +2 s")
    ap.add_argument("--screen-jumps", type=int, default=40, help="jumps with the whole window (0: skip)")
    ap.add_argument("--no-alerts", dest="alerts", action="store_false",
                    help="generate without the alert watch (no alerts or incidents; faster)")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the cached history")
    args = ap.parse_args()

    from warroom.store import HistoryReader

    path, took, cached = history(args)
    size_mb = path.stat().st_size / 1e6
    gen = "generation time unknown" if took is None else f"generated in {took:.0f} s"
    gen += " (cached; --regenerate to rebuild)" if cached else ""
    with duckdb.connect(str(path), read_only=True) as con:
        n_points = con.execute("SELECT count(*) FROM points").fetchone()[0]
        n_series = con.execute("SELECT count(*) FROM series").fetchone()[0]
    reader = HistoryReader(path)
    bounds = reader.time_range()
    rnd = random.Random(args.seed)
    print(f"replay bench: {args.hours:g} h history, {n_series} series, {n_points:,} points, seed {args.seed}")
    print(f"  {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}: "
          f"{size_mb:,.0f} MB, {gen}")
    if bounds is None:
        print("  the history is empty")
        return 1

    results = [bench_jumps(path, reader, span, args, rnd) for span in args.spans]
    steps = bench_steps(path, reader, args, rnd) if args.steps > 0 else None
    screen = bench_screen(reader, args, rnd) if args.screen_jumps > 0 else None

    r0 = results[0]
    print(f"  {r0['n_events']:,} events in the log; opening a session (read the log, markers, snapshots): "
          f"{r0['opened_s'] * 1000:.0f} ms")
    met = False
    for r in results:
        print(f"\njumps: {len(r['seek'])} random far seeks (reload), {r['span_min']:g} min behind the cursor, "
              f"~{r['points']:,} points")
        print(HEADER)
        print(row("raw DuckDB time_bucket query", r["raw"], r["raw"]))
        q_ok = ms(r["query"], 50) <= 2 * ms(r["raw"], 50) and ms(r["query"], 95) <= 2 * ms(r["raw"], 95)
        s_ok = ms(r["seek"], 95) <= 100
        print(row("chart query (HistoryReader.batch)", r["query"], r["raw"],
                  f"goal <= 2x raw: {'met' if q_ok else 'not met'}"))
        print(row("whole seek (queries + view + events)", r["seek"], r["raw"],
                  f"goal p95 <= 100 ms: {'met' if s_ok else 'not met'}"))
        print(row("  of which LiveView.add_batch", r["add_batch"]))
        print(row("  of which event state (log, books)", r["events"]))
        print(row("  of which the rest", r["rest"]))
        if r is r0:
            met = q_ok and s_ok
    if steps is not None:
        print(f"\nplayback: {len(steps['seek'])} steps of +{STEP_MS // 1000} s (60x at 30 Hz), append path")
        print(HEADER)
        print(row("raw DuckDB time_bucket query, 2 s", steps["raw"], steps["raw"]))
        print(row("chart query (HistoryReader.batch)", steps["query"], steps["raw"]))
        print(row("whole seek", steps["seek"], steps["raw"], "frame budget 33 ms at 30 Hz"))
        print(row("  of which LiveView.add_batch", steps["add_batch"]))
        print(row("  of which event state (log, books)", steps["events"]))
    if screen is not None:
        print(f"\nscreen: command-centre, 1920x1080 offscreen, {screen['panels']} panels, "
              f"{len(screen['total'])} random jumps ({screen['span_min']:g} min loaded)")
        print(HEADER)
        print(row("seek (ReplayBar.seek)", screen["seek"]))
        print(row("refresh every panel", screen["refresh"]))
        print(row("paint", screen["paint"]))
        print(row("jump to pixels", screen["total"]))
    print(f"\ngoals (issue 6, {args.spans[0]:g} min span): {'met' if met else 'not met'}")
    reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
