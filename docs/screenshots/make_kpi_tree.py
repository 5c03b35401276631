"""Screenshot of the north-star KPI tree panel (docs/screenshots/kpi-tree-{en,zh}.png).

Records a small production history of the simulated payment platform first — three stretches
of a month: a member database outage twelve days ago, a bad coupon release three days ago,
and this morning a bank outage, a slow trade database and a risk-control release — through
the same pieces a console runs (simulator, alert watch, store), then shows the panel at the
history's end, as ``warroom replay`` would: today's minutes shared by the teams, MTTR per team
over 7 and 30 days. Nothing here is a drill, so every incident counts.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_kpi_tree.py --lang en \\
        --out docs/screenshots/kpi-tree-en.png

``--db FILE`` keeps (or reuses) the recorded history: ``warroom history FILE --teams`` prints
the same figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

#: 2024-11-11 10:00 +08:00, the morning of a promotion day (the drills' date).
TODAY_MS = 1_731_290_400_000
DAY_MS = 86_400_000
#: (start, seconds, [(fault kind, target, at s, lasting s or None: until it ends itself)]) per stretch.
STRETCHES = (
    (TODAY_MS - 12 * DAY_MS, 900, [("dependency_outage", "member-db", 60, 540)]),
    (TODAY_MS - 3 * DAY_MS, 600, [("deploy_error_burst", "coupon", 60, 240)]),
    (TODAY_MS, 2400, [("dependency_outage", "bank-icbc", 60, 420), ("db_failover", "trade-db", 900, None),
                      ("deploy_error_burst", "risk-control", 1620, 150)]),
)


def record_month(path: Path) -> None:
    """Record the stretches into one new history file (each on its own simulator and watch)."""
    from warroom.app.watch import AlertWatch
    from warroom.protocol import TopologySnapshot
    from warroom.sim.engine import Simulator
    from warroom.store import StoreWriter

    writer = StoreWriter(path, flush_interval_s=0.05)
    try:
        for seed, (start, seconds, faults) in enumerate(STRETCHES, start=7):
            sim = Simulator(seed=seed, start_ms=start)
            watch = AlertWatch.from_rules_file(None)
            watch.record = lambda events: writer.append_events(events) if events else None
            watch.on_topology(sim.topology)
            writer.append_topology(TopologySnapshot(sim.now_ms, sim.topology))
            for kind, target, at_s, lasting_s in faults:
                sim.inject_fault(kind, target, lasting_s, delay_s=at_s)
            for _ in range(seconds):
                batch, events = sim.tick()
                writer.append_metrics(batch)
                for evs in (events, watch.on_events(events), watch.on_batch(batch)):
                    if evs:
                        writer.append_events(list(evs))
            print(f"  recorded {seconds // 60} min from {start} ({len(faults)} fault(s))", file=sys.stderr)
    finally:
        writer.close()


def show(path: Path, lang: str, out: Path, size: tuple[int, int]) -> int:
    """Open the history at its end in a live view and save the KPI-tree panel as PNG."""
    from PySide6.QtWidgets import QApplication

    from warroom.core.clock import MAX_TIME_MS, MIN_TIME_MS
    from warroom.protocol import TopologySnapshot
    from warroom.store.live import LiveView
    from warroom.store.query import HistoryReader
    from warroom.ui import theme
    from warroom.ui.app import install_translation
    from warroom.ui.panels.kpi_tree.panel import KpiTreePanel

    app = QApplication.instance() or QApplication([])
    install_translation(app, lang)
    theme.apply(theme.DARK)
    with HistoryReader(path) as reader:
        span = reader.time_range()
        assert span is not None, "the history holds no points"
        end = span[1]
        view = LiveView(max_events=100_000)
        view.apply(TopologySnapshot(end, reader.graph_at(end)))
        view.add_events(reader.events(MIN_TIME_MS, MAX_TIME_MS))
        view.add_batch(reader.batch(end - 5_000, end + 1))
    panel = KpiTreePanel(view)
    panel.resize(*size)
    panel.show()
    panel.refresh()
    app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not panel.grab().save(str(out)):
        print(f"cannot write {out}", file=sys.stderr)
        return 1
    print(f"saved {out} ({size[0]}x{size[1]})")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=("en", "zh_CN"), default="en")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--db", type=Path, help="keep the recorded history here (reused when it exists)")
    ap.add_argument("--size", default="1100x780", help="WxH of the panel (default: %(default)s)")
    args = ap.parse_args(argv)
    w, _, h = args.size.partition("x")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "month.duckdb"
        if not db.exists():
            record_month(db)
        return show(db, args.lang, args.out, (int(w), int(h)))


if __name__ == "__main__":
    sys.exit(main())
