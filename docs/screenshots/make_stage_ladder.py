"""Screenshot of a staged traffic shift in the plans panel, held at its third stage (1/8).

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_stage_ladder.py --lang en \\
        --out docs/screenshots/stage-ladder-en.png

The simulated payment platform runs a few healthy minutes of a busy morning; the commander
(li.wei) then starts the catalogue's staged shift of the BOC gateway's traffic to ICBC. The
console's plan desk drives the ladder as it does live — each stage sent to the simulator,
held, verified against the guard KPIs — until 1/8 has been held for half a minute; then the
plans panel is drawn with the shift selected: whitelist and 1/256 passed, 1/8 being held,
the guard KPIs with their values, and Pause / Continue / Abort.

``--state failed`` shows the other outcome: the CCB gateway has lost capacity, the staged shift
of ICBC's traffic onto it passes the whitelist and 1/256, breaks its guards at 1/8 and is rolled
back by the console on its own (``docs/screenshots/stage-ladder-failed-en.png``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from warroom.app.plan_desk import PlanDesk  # noqa: E402
from warroom.core.model import SeriesKey  # noqa: E402
from warroom.protocol import CommandResult, Events, PlanCatalogue, TopologySnapshot  # noqa: E402
from warroom.sim.engine import Simulator  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.app import install_translation  # noqa: E402
from warroom.ui.panels.plans.panel import PlansPanel  # noqa: E402

START_MS = 1_763_605_200_000  # 2026-11-20 10:20 +08:00: a busy weekday morning
PLAN = "shift-bank-boc"


class SimClient:
    """A feed client that hands each command to the simulator, as its feed server would."""

    may_command = True
    user = "li.wei"

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.queue: list = []

    async def send_command(self, cmd) -> None:
        self.queue.append(cmd)

    def answer(self, desk: PlanDesk) -> None:
        while self.queue or desk._unsent:
            for key in list(desk._unsent):  # what the desk decided with no loop running
                self.queue.append(desk._unsent.pop(key))
            cmd = self.queue.pop(0)
            args = dict(cmd.args)
            if cmd.action == "execute_plan":
                self.sim.execute_plan(args["plan_id"], cmd.actor, cmd.reason, cmd.idempotency_key,
                                      stage=args.get("stage"))
            else:
                self.sim.rollback_plan(args["plan_id"], cmd.actor, cmd.reason, cmd.idempotency_key)
            desk.on_item(CommandResult(cmd.idempotency_key, "succeeded", "done"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--theme", default="dark", choices=("dark", "light"))
    ap.add_argument("--size", default="1600x860")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--state", default="running", choices=("running", "failed"))
    args = ap.parse_args()
    plan_id = PLAN if args.state == "running" else "shift-bank-icbc"
    width, height = (int(x) for x in args.size.split("x"))

    app = QApplication.instance() or QApplication(sys.argv)
    install_translation(app, args.lang)
    theme.apply(theme.THEMES[args.theme], 14)

    sim = Simulator(start_ms=START_MS, seed=3)
    view = LiveView()
    view.apply(TopologySnapshot(sim.now_ms, sim.topology))
    view.apply(PlanCatalogue(sim.plans))
    client = SimClient(sim)
    desk = PlanDesk(client, view, record=view.add_events)  # type: ignore[arg-type]
    view.plan_desk = desk

    def tick() -> None:
        batch, events = sim.tick()
        view.apply(batch)
        view.apply(Events(tuple(events)))
        desk.on_item(batch)
        client.answer(desk)

    for _ in range(4 * 60):
        tick()
    if args.state == "failed":  # CCB keeps capacity for ~1.47x its load: 1/8 of ICBC's fills it
        load = view.value(SeriesKey("service_requests_rate", {"service": "bank-ccb"})) or 1.0
        sim.inject_fault("bank_latency_spike", "bank-ccb", None, factor=1.0,
                         capacity=load / (0.68 * sim.topology.service("bank-ccb").capacity_rps))
        for _ in range(10):
            tick()
    why = "BOC gateway maintenance 10:30-11:00" if args.state == "running" else "ICBC gateway maintenance"
    run = asyncio.run(desk.execute(plan_id, "li.wei", why, typed=plan_id))
    client.answer(desk)
    for _ in range(30 * 60):
        tick()
        r = desk.book.run(run.id)
        ld = r.ladder
        if args.state == "failed" and r.state == "rolled_back":
            for _ in range(20):
                tick()
            break
        if ld is not None and ld.index == 2 and ld.phase == "holding" and ld.held_s(sim.now_ms) >= 30 \
                and args.state == "running":
            break

    panel = PlansPanel(view)
    panel.resize(width, height)
    panel.show()
    panel.select_plan(plan_id)
    panel.refresh()
    app.processEvents()
    panel.refresh()
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    ok = panel.grab().save(str(args.out))
    print(f"{args.out}: {panel.detail.ladder.text()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
