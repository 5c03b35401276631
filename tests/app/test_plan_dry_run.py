"""The plan desk's dry run over a real feed: SimFeed -> FeedServer -> FeedSession -> PlanDesk.

The simulator answers ``preview_plan`` with the plan's steps and parameters and changes
nothing; a viewer's console does not ask (and the server refuses a viewer that does); a
dead or silent feed, an unknown plan and a feed older than protocol 1.3 end in a clear
state, never an exception; the audit trail of step 1 keeps the change it would send.
"""

from __future__ import annotations

import asyncio

import pytest

from warroom.app import plan_desk as plan_desk_module
from warroom.app.plan_desk import PlanDesk, clean_change
from warroom.app.session import FeedSession
from warroom.io.auth import Credentials, Secret, TokenStore, generate_token
from warroom.io.client import FeedClient
from warroom.io.server import FeedServer
from warroom.protocol import ServerError
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.store import StoreWriter
from warroom.store.live import LiveView

START = 1_731_292_200_000
PLAN = "failover-bank-icbc"
VIEWER = generate_token()
COMMANDER = generate_token()
TOKENS = {VIEWER: ("wall-3", "viewer"), COMMANDER: ("li.wei", "commander")}


async def until(pred, timeout_s: float, step: float = 0.05) -> bool:
    for _ in range(int(timeout_s / step)):
        if pred():
            return True
        await asyncio.sleep(step)
    return pred()


class Console:
    """A simulator served on loopback and one console session connected to it."""

    def __init__(self, tmp_path, token: str | None = None) -> None:
        self.sim = Simulator(seed=4, start_ms=START)
        self.feed = SimFeed(self.sim, speed=20.0)
        tokens = TokenStore.from_tokens(TOKENS) if token else None
        self.server = FeedServer(self.feed, port=0, heartbeat_s=0.2, tokens=tokens)
        self.view = LiveView()
        self.writer = StoreWriter(tmp_path / "console.duckdb", flush_interval_s=0.05)
        self.token = token
        self.tasks: list[asyncio.Task] = []

    async def __aenter__(self) -> "Console":
        await self.server.start()
        self.tasks.append(asyncio.create_task(self.feed.run(self.server)))
        client = FeedClient(self.server.url, credentials=Credentials(Secret(self.token) if self.token else None))
        self.session = FeedSession(self.server.url, self.view, self.writer, client=client)
        self.tasks.append(asyncio.create_task(self.session.run()))
        self.desk: PlanDesk = self.session.plans
        assert await until(lambda: self.view.plans and client.status.state.value == "live", 20), client.status
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.stop()
        self.feed.stop()
        for t in self.tasks:
            t.cancel()
        await self.server.stop()
        await asyncio.to_thread(self.writer.close)


async def test_the_simulator_says_what_a_plan_would_change_and_changes_nothing(tmp_path):
    async with Console(tmp_path) as c:
        plan = next(p for p in c.sim.plans if p.id == PLAN)
        change = await c.desk.dry_run(PLAN)
        dry = c.desk.dry_run_of(PLAN)
        assert dry.state == "answered", dry
        assert change == c.desk.change_for(PLAN)
        assert change["executor"] == "simulator"
        assert change["summary"] == "; ".join(plan.steps)
        assert change["target"] == f"{plan.target_kind}:{plan.target}"
        assert change["requests"] == [] and change["before"] is None and change["warnings"] == []
        assert change["after"] == dict(plan.params)
        assert change["summaries"]["zh_CN"] == "; ".join(plan.localized("zh_CN").steps) != change["summary"]
        assert c.sim.active_plans == (), "a dry run executes nothing"
        assert c.desk.runs() == [], "a dry run is not a run"

        # Step 1 of executing records the preview, with the change the dry run said it would send.
        events = c.desk.record_preview(PLAN, "li.wei", c.desk.impact(PLAN))
        recorded = events[0].attrs["figures"]["dry_run"]
        assert recorded["state"] == "answered" and recorded["summary"] == change["summary"]
        assert recorded["target"] == change["target"]

        again = await c.desk.dry_run(PLAN)  # a fresh key each time: asked again, answered again
        assert again == change and c.desk.dry_run_of(PLAN).at_s > dry.at_s


async def test_an_unknown_plan_is_refused_by_the_feed(tmp_path):
    async with Console(tmp_path) as c:
        c.view.plans  # noqa: B018 - the desk asks the feed, whatever the catalogue says
        assert await c.desk.dry_run("no-such-plan") is None
        dry = c.desk.dry_run_of("no-such-plan")
        assert dry.state == "refused" and "no-such-plan" in dry.reason


async def test_a_viewer_console_does_not_ask_and_the_feed_refuses_a_viewer_that_does(tmp_path):
    async with Console(tmp_path, token=VIEWER) as c:
        assert not c.desk.may_dry_run
        assert await c.desk.dry_run(PLAN) is None
        assert c.desk.dry_run_of(PLAN).state == "not_allowed"
        assert c.server.stats.forbidden_commands == 0, "nothing was sent"

        c.session.client.role = ""  # a console that does not know its role asks anyway: the server decides
        assert await c.desk.dry_run(PLAN) is None
        dry = c.desk.dry_run_of(PLAN)
        assert dry.state == "refused" and dry.reason, dry
        assert c.server.stats.forbidden_commands == 1


async def test_a_commander_with_a_token_gets_the_change(tmp_path):
    async with Console(tmp_path, token=COMMANDER) as c:
        assert c.desk.may_dry_run
        change = await c.desk.dry_run(PLAN)
        assert change is not None and change["executor"] == "simulator"


async def test_a_dead_feed_is_no_answer_not_an_exception(tmp_path):
    view = LiveView()
    desk = PlanDesk(FeedClient("ws://127.0.0.1:9/feed"), view)  # never connected
    assert await desk.dry_run(PLAN) is None
    dry = desk.dry_run_of(PLAN)
    assert dry.state == "no_answer" and "feed down" in dry.reason


class SilentClient:
    """A feed client whose commands go out and are never answered."""

    may_command = True
    user = ""

    def __init__(self) -> None:
        self.sent: list = []

    async def send_command(self, command) -> None:
        self.sent.append(command)


async def test_a_silent_feed_ends_as_no_answer(monkeypatch):
    monkeypatch.setattr(plan_desk_module, "DRY_RUN_TIMEOUT_S", 0.2)
    client = SilentClient()
    desk = PlanDesk(client, LiveView())
    assert await desk.dry_run(PLAN) is None
    assert desk.dry_run_of(PLAN).state == "no_answer"
    assert [c.action for c in client.sent] == ["preview_plan"]
    assert client.sent[0].args == {"plan_id": PLAN}


async def test_a_feed_older_than_1_3_does_not_preview():
    client = SilentClient()
    desk = PlanDesk(client, LiveView())
    asking = asyncio.create_task(desk.dry_run(PLAN))
    assert await until(lambda: client.sent, 2)
    assert desk.dry_run_of(PLAN).state == "asking"
    desk.on_item(ServerError("bad_frame", "bad_field: unknown action 'preview_plan'"))
    assert await asking is None
    assert desk.dry_run_of(PLAN).state == "unsupported"


async def test_two_questions_for_one_plan_send_one_command(monkeypatch):
    client = SilentClient()
    desk = PlanDesk(client, LiveView())
    first = asyncio.create_task(desk.dry_run(PLAN))
    assert await until(lambda: client.sent, 2)
    second = asyncio.create_task(desk.dry_run(PLAN))
    await asyncio.sleep(0.05)
    from warroom.protocol import CommandResult

    change = {"executor": "http", "summary": "POST the switch", "requests": [{"method": "post", "url": "http://x/y"}]}
    desk.on_item(CommandResult(client.sent[0].idempotency_key, "succeeded", "ok", {"plan_id": PLAN, "change": change}))
    a, b = await first, await second
    assert a == b and a["requests"] == [{"method": "POST", "url": "http://x/y", "body": ""}]
    assert len(client.sent) == 1


@pytest.mark.parametrize("raw", [None, 3, "text", [], {"requests": "x", "warnings": 5}])
def test_a_strange_change_is_cleaned_or_refused(raw):
    out = clean_change(raw)
    if isinstance(raw, dict):
        assert out["requests"] == [] and out["warnings"] == [] and out["summary"] == ""
    else:
        assert out is None


def test_a_replay_has_no_feed_to_ask():
    from warroom.app.replay import ReplayDesk

    desk = ReplayDesk(LiveView())
    assert not desk.may_dry_run and desk.dry_run_of(PLAN) is None and desk.change_for(PLAN) is None
    assert not hasattr(desk, "dry_run")
