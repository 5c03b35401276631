"""The plan runner's ledger across restarts, refusals, and crash recovery."""

from __future__ import annotations

import pytest

from tests.gateway.doubles.sentinel import SentinelDouble
from tests.gateway.executors.conftest import make_site, site_plan
from warroom.gateway.executors.ledger import Ledger

ORIGINAL = [{"resource": "pay-api", "limitApp": "default", "grade": 1, "count": 800}]


@pytest.fixture
async def client():
    c = await SentinelDouble({"flow": [dict(r) for r in ORIGINAL]}).start()
    yield c
    await c.stop()


def plan(client, plan_id="limit-pay"):
    return site_plan(plan_id, "sentinel", {"clients": [client.address],
                                           "flow": [{"resource": "pay-api", "count": 100}]})


async def test_the_ledger_survives_a_new_runner_on_the_same_state_dir(client, runners, tmp_path):
    sp = plan(client)
    state = tmp_path / "gw-state"
    clock = iter(range(1_000, 10_000)).__next__
    first = runners(make_site(sp), state_dir=state, clock=lambda: clock())
    assert (await first.execute(sp, "k1", "alice", "")).state == "succeeded"
    applied = first.applied_at_ms("limit-pay")
    await first.close()

    second = runners(make_site(sp), state_dir=state)
    assert second.active() == ("limit-pay",)
    assert second.applied_at_ms("limit-pay") == applied
    replay = await second.execute(sp, "k1", "alice", "")
    assert replay.replay and replay.state == "succeeded" and len(client.writes) == 1
    refused = await second.execute(sp, "k-new", "alice", "")
    assert refused.state == "rejected" and "already active" in refused.message
    back = await second.rollback(sp, "k2", "alice", "")  # the snapshot the first runner read
    assert back.state == "succeeded", back.message
    assert client.rules["flow"] == ORIGINAL
    assert second.active() == () and second.applied_at_ms("limit-pay") is None


async def test_rollback_of_a_plan_not_applied_and_a_key_used_for_another_plan(client, runners):
    sp, other = plan(client), plan(client, "other")
    runner = runners(make_site(sp, other))
    result = await runner.rollback(sp, "k", "alice", "")
    assert result.state == "rejected" and "not active" in result.message and result.events == ()
    result = await runner.execute(other, "k", "alice", "")
    assert result.state == "rejected" and "already used for plan limit-pay" in result.message
    assert client.writes == []


async def test_expire_is_a_rollback_with_its_own_action(client, runners):
    sp = plan(client)
    runner = runners(make_site(sp))
    await runner.execute(sp, "k1", "alice", "")
    result = await runner.rollback(sp, "exp", "gateway", "expired", action="expire")
    assert result.state == "succeeded" and result.events[0].attrs["action"] == "expire"
    assert result.events[0].title == "Expired plan: Plan limit-pay"
    assert client.rules["flow"] == ORIGINAL


async def test_a_run_cut_short_by_a_crash_recovers_as_failed_and_rollback_able(client, runners, tmp_path):
    sp = plan(client)
    state = tmp_path / "crashed"
    first = runners(make_site(sp), state_dir=state)
    assert (await first.execute(sp, "k1", "alice", "")).state == "succeeded"
    assert (await first.rollback(sp, "k2", "alice", "")).state == "succeeded"
    await first.close()
    # A crash between "recorded the run and its snapshot" and "recorded its end":
    ledger = Ledger(state, lambda: 5)
    ledger.start("k0", "limit-pay", "execute", "alice", "")  # stopped before it read: nothing written
    ledger.start("k3", "limit-pay", "execute", "alice", "")
    ledger.snapshot("k3", {"state": {"clients": {client.address: {"flow": ORIGINAL}}}, "version": "x"},
                    {"summary": "s", "before": None, "after": None})
    ledger.close()
    client.rules["flow"] = [{**ORIGINAL[0], "count": 100}]  # it got as far as writing

    second = runners(make_site(sp), state_dir=state)
    early = await second.execute(sp, "k0", "alice", "")
    assert early.replay and early.state == "failed" and early.detail["rollback_available"] is False
    stored = await second.execute(sp, "k3", "alice", "")
    assert stored.replay and stored.state == "failed" and "interrupted" in stored.message
    assert stored.detail["rollback_available"] is True
    assert (await second.execute(sp, "k4", "alice", "")).state == "rejected"  # partly applied: roll back first
    back = await second.rollback(sp, "k5", "alice", "")
    assert back.state == "succeeded", back.message
    assert client.rules["flow"] == ORIGINAL
