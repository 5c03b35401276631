"""Screenshot of the business funnels while the ICBC gateway is slow.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_funnel.py --lang en \\
        --out docs/screenshots/funnel-en.png

The simulated payment platform (its default world, whose QR-code, quick-pay and bank-card
payments declare the funnel "order placed → payment submitted → bank confirmed") runs for seven
healthy minutes of a busy morning, tick by tick into the console's own alert watch and live
view, so the usual conversions are learned; then the ICBC gateway's latency spikes, and two
minutes later the funnel panel is drawn: each funnel's "bank confirmed" step well below its
usual conversion, with its alert's root cause, the ICBC gateway.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow  # noqa: E402

from warroom.app.watch import AlertWatch  # noqa: E402
from warroom.core.alerting.alerts import AlertEngine  # noqa: E402
from warroom.core.alerting.rules import default_rules_path, load_rules_file  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.sim.engine import Simulator  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.app import install_translation  # noqa: E402
from warroom.ui.panels.funnel.panel import FunnelPanel  # noqa: E402

START_MS = 1_763_605_200_000  # 2026-11-20 10:20 +08:00: a busy weekday morning


def run(sim: Simulator, watch: AlertWatch, view: LiveView, seconds: int) -> None:
    for _ in range(seconds):
        batch, events = sim.tick()
        new = events + watch.on_events(events)
        view.apply(batch)
        new += watch.on_batch(batch)
        if new:
            view.add_events(new)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--theme", default="dark", choices=("dark", "light"))
    ap.add_argument("--size", default="1600x860")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    width, height = (int(x) for x in args.size.split("x"))

    app = QApplication.instance() or QApplication(sys.argv)
    install_translation(app, args.lang)
    theme.apply(theme.THEMES[args.theme], 14)

    sim = Simulator(start_ms=START_MS, seed=3)
    watch = AlertWatch(AlertEngine(load_rules_file(default_rules_path()), sim.topology))
    view = LiveView()
    view.alerting = watch
    view.apply(TopologySnapshot(sim.now_ms, sim.topology))
    run(sim, watch, view, 7 * 60)
    sim.inject_fault("latency_spike", "bank-icbc", duration_s=900)
    run(sim, watch, view, 2 * 60)

    win = QMainWindow()
    panel = FunnelPanel(view)
    dock = QDockWidget(panel.title(), win)
    dock.setWidget(panel)
    win.addDockWidget(theme_area(), dock)
    win.setCentralWidget(None)
    win.resize(width, height)
    win.show()
    panel.refresh()
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not win.grab().save(str(args.out)):
        print(f"make_funnel: cannot write {args.out}", file=sys.stderr)
        return 1
    print(f"make_funnel: wrote {args.out} ({width}x{height}, {args.lang})")
    return 0


def theme_area():
    from PySide6.QtCore import Qt

    return Qt.DockWidgetArea.TopDockWidgetArea


if __name__ == "__main__":
    raise SystemExit(main())
