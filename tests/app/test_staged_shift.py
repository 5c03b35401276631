"""A staged traffic shift over a real feed: the simulator, its FeedServer, a console's session.

The destination bank has lost capacity (a fault injected before the shift): the whitelist
and 1/256 stages pass, 1/8 fills the destination, the guard KPIs break, and the console
halts the shift and rolls it back on its own, without the commander. The simulator's
routing is back to where it was, and the audit trail in the stored event log tells it all.
"""

from __future__ import annotations

import asyncio

import pytest

from warroom.app.plan_desk import PlanDesk
from warroom.app.session import FeedSession
from warroom.protocol import Hello, PlanCatalogue
from warroom.core.model import EventKind, SeriesKey
from warroom.io.server import FeedServer
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.store import HistoryReader, StoreWriter
from warroom.store.live import LiveView

START = 1_731_292_200_000  # 10:30 UTC+8
PLAN = "shift-bank-icbc"  # ICBC's share to CCB, whitelist → 1/256 → 1/8 → 1/4 → 1/2 → all


async def until(pred, timeout_s: float, step: float = 0.05) -> bool:
    for _ in range(int(timeout_s / step)):
        if pred():
            return True
        await asyncio.sleep(step)
    return pred()


def shares(sim: Simulator) -> dict[str, float]:
    calls = sim._controls.calls()
    return {b: round(calls[("payment-engine", b)], 6) for (a, b) in calls if a == "payment-engine"
            and b.startswith("bank-")}


async def test_staged_shift_fails_at_one_eighth_and_rolls_back(tmp_path):
    sim = Simulator(seed=7, start_ms=START)
    before = shares(sim)
    feed = SimFeed(sim, speed=30.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    await server.start()
    feed_task = asyncio.create_task(feed.run(server))
    view = LiveView()
    writer = StoreWriter(tmp_path / "shift.duckdb", flush_interval_s=0.05)
    session = FeedSession(server.url, view, writer)
    task = asyncio.create_task(session.run())
    desk = session.plans
    seen_fractions: list[float] = []
    try:
        load = SeriesKey("service_requests_rate", {"service": "bank-ccb"})
        assert await until(lambda: view.newest_ms and view.newest_ms > START + 30_000 and view.value(load), 20)
        # CCB keeps capacity for ~1.47x its load (saturation 0.68): fine now, full at 1/8 of ICBC.
        capacity = sim.topology.service("bank-ccb").capacity_rps
        sim.inject_fault("bank_latency_spike", "bank-ccb", None, factor=1.0,
                         capacity=view.value(load) / (0.68 * capacity))
        injected = sim.now_ms
        assert await until(lambda: view.newest_ms > injected + 5_000 and desk.plans(), 10)
        run = await desk.execute(PLAN, "li.wei", "planned ICBC maintenance", typed=PLAN)
        assert run.ladder is not None and [s.name for s in run.ladder.stages][:3] == ["whitelist", "1/256", "1/8"]

        def watch() -> bool:
            r = desk.book.run(run.id)
            shift = sim._controls.shifts.get(PLAN)
            if shift is not None and (not seen_fractions or seen_fractions[-1] != shift[2]):
                seen_fractions.append(shift[2])
            return r.state in ("rolled_back", "effective", "failed")

        assert await until(watch, 60), desk.book.run(run.id)
        r = desk.book.run(run.id)
        assert r.state == "rolled_back", (r.state, r.ladder)
        assert r.ladder.phase == "rolled_back" and not r.ladder.aborted, "a guard, not the commander, stopped it"
        assert r.ladder.failed_stage == 2 and r.ladder.stages[2].name == "1/8", r.ladder
        assert "bank-ccb" in r.ladder.why or "qr_pay" in r.ladder.why, r.ladder.why
        # The simulator really moved the traffic stage by stage, never past 1/8, and put it back.
        assert seen_fractions[:3] == [0.0, 1 / 256, 1 / 8], seen_fractions
        assert max(seen_fractions) == 1 / 8
        assert PLAN not in sim.active_plans and shares(sim) == before
    finally:
        await session.stop()
        task.cancel()
        feed.stop()
        feed_task.cancel()
        await server.stop()
    await asyncio.to_thread(writer.flush)
    writer.close()

    # The audit trail, as stored: each stage applied, held, verified; 1/8 failed; rolled back.
    reader = HistoryReader(tmp_path / "shift.duckdb")
    audit = [e for e in reader.events(START - 3_600_000, START + 3_600_000) if e.kind is EventKind.PLAN_EXECUTION and e.attrs.get("audit")
             and e.attrs.get("run") == run.id]
    audit.sort(key=lambda e: (e.ts, e.attrs["n"]))  # the order the book wrote them (ids tie-break by name)
    steps = [(e.attrs["action"], e.attrs.get("stage")) for e in audit]
    for stage in (0, 1):
        assert ("stage_verifying", stage) in steps and ("stage_passed", stage) in steps, steps
    assert ("stage_applied", 1) in steps and ("stage_applied", 2) in steps
    failed = next(e for e in audit if e.attrs["action"] == "stage_failed")
    assert failed.attrs["stage"] == 2 and failed.attrs["stage_name"] == "1/8"
    assert failed.attrs["titles"]["zh_CN"].startswith("阶段 1/8 失败")
    auto = next(e for e in audit if e.attrs["action"] == "rolling_back")
    assert auto.attrs.get("automatic") is True and auto.ts >= failed.ts
    assert steps[-1][0] == "rolled_back"
    assert ("stage_passed", 2) not in steps and ("stage_applying", 3) not in steps, "never widened past 1/8"


class _Client:
    may_command = True

    def __init__(self) -> None:
        self.sent: list = []

    async def send_command(self, command) -> None:
        self.sent.append(command)


async def test_a_feed_without_the_stages_capability_is_never_sent_a_staged_plan():
    sim = Simulator(seed=7, start_ms=START)
    view = LiveView()
    view.apply(PlanCatalogue(sim.plans))
    client = _Client()
    desk = PlanDesk(client, view)  # type: ignore[arg-type]
    desk.on_item(Hello("old-feed", START, capabilities=("metrics", "events", "plans", "commands")))
    with pytest.raises(ValueError, match="does not run stages"):
        await desk.execute(PLAN, "li.wei", "maintenance", typed=PLAN)
    assert not client.sent and not desk.runs()
    await desk.execute("failover-bank-icbc", "li.wei", "ICBC down", typed="failover-bank-icbc")
    assert [c.action for c in client.sent] == ["execute_plan"] and "stage" not in client.sent[0].args
    desk.on_item(Hello("new-feed", START, capabilities=("plans", "commands", "stages")))
    run = await desk.execute(PLAN, "li.wei", "maintenance", typed=PLAN)
    assert client.sent[-1].args["stage"] == {"index": 0, "of": 6, "name": "whitelist", "fraction": 0.0}
    assert client.sent[-1].idempotency_key == run.id
