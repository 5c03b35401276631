"""The gateway's feed source behind a real FeedServer, seen by a real console session.

A plan whose executor is a local program (a Python one-liner flipping a flag file, no shell)
is previewed, executed, replayed and rolled back through the protocol; the catalogue says
when it is in force; audit events reach the console; commands a gateway does not run are
refused; duplicate events are sent once; an expired plan is rolled back by itself.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from warroom.app.session import FeedSession
from warroom.core.model import Event, EventKind
from warroom.core.plan.plans import Plan
from warroom.gateway.executors import PlanRunner
from warroom.gateway.feed import GatewayFeed
from warroom.gateway.site_model import ExecutorSpec, Limits, Site, SitePlan
from warroom.io.client import FeedClient
from warroom.io.server import FeedServer
from warroom.protocol import Command
from warroom.store import StoreWriter
from warroom.store.live import LiveView

PY = sys.executable


class _NoSecrets:
    def get(self, name: str) -> str:
        raise KeyError(name)

    def redact(self, text: str) -> str:
        return text

    def names(self) -> tuple[str, ...]:
        return ()


def _site(flag: Path, expiry_s: float | None = None) -> Site:
    write = "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"
    read = "import sys; print(open(sys.argv[1]).read())"
    plan = Plan(id="degrade-coupon", kind="degrade", title="Degrade coupons", target_kind="service",
                target="coupon", expiry_s=expiry_s)
    executor = ExecutorSpec("command", {
        "argv": [PY, "-c", write, str(flag), "degraded"],
        "check_argv": [PY, "-c", read, str(flag)],
        "rollback_argv": [PY, "-c", write, str(flag), "{snapshot.stdout}"],
    }, timeout_s=20)
    return Site(name="gw-test", plans=(SitePlan(plan, executor),), limits=Limits(targets=(f"command:{PY}",)))


async def _until(pred, timeout_s: float = 20.0) -> bool:
    for _ in range(int(timeout_s / 0.05)):
        if pred():
            return True
        await asyncio.sleep(0.05)
    return bool(pred())


class Rig:
    def __init__(self, tmp_path: Path, expiry_s: float | None = None) -> None:
        self.flag = tmp_path / "flag"
        self.flag.write_text("normal")
        site = _site(self.flag, expiry_s)
        self.runner = PlanRunner(site, _NoSecrets(), tmp_path / "state")
        self.feed = GatewayFeed(site, self.runner)
        self.server = FeedServer(self.feed, port=0, heartbeat_s=0.2)
        self.feed.attach(self.server)
        self.view = LiveView()
        self.writer = StoreWriter(tmp_path / "console.duckdb", flush_interval_s=0.05)

    async def __aenter__(self) -> "Rig":
        await self.server.start()
        self.client = FeedClient(self.server.url)
        self.session = FeedSession(self.server.url, self.view, self.writer, client=self.client)
        self.task = asyncio.create_task(self.session.run())
        assert await _until(lambda: self.view.plans and self.client.status.state.value == "live")
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.stop()
        self.task.cancel()
        await self.server.stop()
        await self.runner.close()
        await asyncio.to_thread(self.writer.close)

    async def command(self, key: str, action: str, plan_id: str = "degrade-coupon"):
        return await self.feed.handle_command(Command(key, action, {"plan_id": plan_id}, actor="li.wei",
                                                      reason="test"), "test")


async def test_a_plan_is_previewed_executed_replayed_and_rolled_back_through_the_feed(tmp_path):
    async with Rig(tmp_path) as rig:
        [dry] = await rig.command("preview-0001", "preview_plan")
        assert dry.state == "succeeded", dry
        assert dry.detail["change"]["executor"] == "command"
        assert rig.flag.read_text() == "normal"  # a dry run writes nothing

        [done] = await rig.command("execute-0001", "execute_plan")
        assert done.state == "succeeded", done
        assert rig.flag.read_text() == "degraded"
        # The console hears it: the catalogue marks the plan in force, the audit event arrives.
        assert await _until(lambda: "degrade-coupon" in rig.view.active_plans), rig.view.active_plans
        assert await _until(lambda: any(e.kind is EventKind.PLAN_EXECUTION and e.attrs.get("action") == "execute"
                                        for e in rig.view.events()))

        [again] = await rig.command("execute-0001", "execute_plan")
        assert again.replay and again.state == "succeeded"
        rig.flag.write_text("degraded")  # untouched by the replay: nothing ran twice
        [undo] = await rig.command("rollback-0001", "rollback_plan")
        assert undo.state == "succeeded", undo
        assert rig.flag.read_text().strip() == "normal"
        assert await _until(lambda: "degrade-coupon" not in rig.view.active_plans)


async def test_commands_a_gateway_does_not_run_are_refused_plainly(tmp_path):
    async with Rig(tmp_path) as rig:
        [fault] = await rig.feed.handle_command(Command("inject-0001", "inject_fault", {"kind": "x", "target": "y"}),
                                                "test")
        assert fault.state == "rejected" and "runs plans" in fault.message
        [unknown] = await rig.command("execute-0002", "execute_plan", plan_id="no-such-plan")
        assert unknown.state == "rejected" and "no-such-plan" in unknown.message
        assert rig.flag.read_text() == "normal"


async def test_events_are_sent_once_and_reach_the_console(tmp_path):
    async with Rig(tmp_path) as rig:
        ev = Event("am-abc-1-firing", 1_767_225_000_000, EventKind.ALERT, "pay", "Pay errors",
                   attrs={"source": "alertmanager", "external": True, "state": "firing"})
        assert rig.feed.publish_events([ev, ev]) == 1
        assert rig.feed.publish_events([ev]) == 0  # Alertmanager re-sends every group_interval
        assert await _until(lambda: any(e.id == ev.id for e in rig.view.events()))
        assert sum(e.id == ev.id for e in rig.view.events()) == 1


async def test_an_expired_plan_is_rolled_back_by_the_gateway(tmp_path):
    now = [1_767_225_000_000]
    async with Rig(tmp_path, expiry_s=60) as rig:
        rig.feed._clock = lambda: now[0]
        rig.runner._clock = lambda: now[0] / 1000  # the ledger's time, the same clock
        [done] = await rig.command("execute-0003", "execute_plan")
        assert done.state == "succeeded", done
        assert await rig.feed.expire_due() == 0  # not yet
        now[0] += 61_000
        assert await rig.feed.expire_due() == 1
        assert rig.flag.read_text().strip() == "normal"
        assert rig.feed.catalogue().active == ()
