"""The sentinel executor against doubles of Sentinel clients' transport command servers."""

from __future__ import annotations

import json
import logging

import pytest

from tests.gateway.doubles.sentinel import SentinelDouble
from tests.gateway.executors.conftest import make_site, no_secret_anywhere, site_plan
from warroom.gateway.executors import ExecError
from warroom.gateway.executors.sentinel import rule_id

OTHER = {"resource": "orders-api", "limitApp": "default", "grade": 1, "count": 300, "id": 7}
OLD_PAY = {"resource": "pay-api", "limitApp": "default", "grade": 1, "count": 800, "id": 9}


@pytest.fixture
async def clients():
    """Two Sentinel clients with a rule of someone else's and an older pay-api rule."""
    made = [await SentinelDouble({"flow": [dict(OTHER), dict(OLD_PAY)]}).start() for _ in range(2)]
    yield made
    for c in made:
        await c.stop()


def limit_plan(clients, plan_id: str = "limit-pay", count: int = 500, **kw):
    return site_plan(plan_id, "sentinel", {
        "clients": [c.address for c in clients],
        "flow": [{"resource": "pay-api", "count": "{params.count}"}],
    }, params={"count": count}, **kw)


async def test_dry_run_shows_the_merged_lists_and_writes_nothing(clients, runners):
    sp = limit_plan(clients)
    change = await runners(make_site(sp)).preview(sp)
    assert change["executor"] == "sentinel"
    assert change["summary"] == "flow rule pay-api: count 800 -> 500 QPS on 2 clients"
    assert [r["url"] for r in change["requests"]] == [f"http://{c.address}/setRules?type=flow" for c in clients]
    sent = json.loads(change["requests"][0]["body"])
    assert sent[0] == OTHER  # someone else's rule untouched, in place
    assert sent[1]["resource"] == "pay-api" and sent[1]["count"] == 500 and sent[1]["grade"] == 1
    assert change["before"][clients[0].address]["flow"] == [OLD_PAY]
    assert all(c.writes == [] for c in clients)


async def test_execute_rollback_and_replay(clients, runners):
    sp = limit_plan(clients)
    runner = runners(make_site(sp))
    result = await runner.execute(sp, "k1", "alice", "pay-api overloaded")
    assert result.state == "succeeded", result.message
    for c in clients:
        flow = c.rules["flow"]
        assert flow[0] == OTHER
        assert [r["count"] for r in flow if r["resource"] == "pay-api"] == [500]  # replaced, not added
        assert flow[1]["id"] == rule_id("limit-pay", "flow", "pay-api", "default")
    assert runner.active() == ("limit-pay",)
    (event,) = result.events
    assert event.kind.value == "plan_execution" and event.subject == "limit-pay"
    assert event.attrs["action"] == "execute" and event.attrs["executor"] == "sentinel"
    assert event.attrs["idempotency_key"] == "k1" and event.attrs["actor"] == "alice"
    assert event.attrs["change"] == result.detail["change"]["summary"]
    assert result.detail["rollback_available"] is True

    again = await runner.execute(sp, "k1", "alice", "pay-api overloaded")
    assert again.replay and again.state == "succeeded" and again.events == ()
    assert all(len(c.writes) == 1 for c in clients)  # nothing written twice

    back = await runner.rollback(sp, "k2", "alice", "recovered")
    assert back.state == "succeeded", back.message
    assert back.events[0].attrs["action"] == "rollback"
    for c in clients:
        assert c.rules["flow"] == [OTHER, OLD_PAY]  # exactly what was read
    assert runner.active() == ()
    replayed = await runner.rollback(sp, "k2", "alice", "recovered")
    assert replayed.replay and all(len(c.writes) == 2 for c in clients)


async def test_running_the_plan_again_replaces_its_own_rule(clients, runners):
    sp = limit_plan(clients)
    runner = runners(make_site(sp))
    assert (await runner.execute(sp, "a", "x", "")).state == "succeeded"
    clients[0].rules["flow"] = [r for r in clients[0].rules["flow"] if r["resource"] != "pay-api"] + [
        {**clients[0].rules["flow"][1]}]  # the same rule back, as Sentinel keeps it
    assert (await runner.rollback(sp, "b", "x", "")).state == "succeeded"
    assert (await runner.execute(sp, "c", "x", "")).state == "succeeded"
    assert [r["resource"] for r in clients[0].rules["flow"]].count("pay-api") == 1


async def test_precondition_someone_changed_the_rules_between_read_and_write(clients, runners):
    sp = limit_plan(clients)
    clients[1].change_after_reads = 1  # right after the executor's first read
    result = await runners(make_site(sp)).execute(sp, "k", "alice", "")
    assert result.state == "rejected"
    assert "changed since they were read" in result.message and clients[1].address in result.message
    assert result.detail["rollback_available"] is False
    assert all(c.writes == [] for c in clients)


async def test_http_500_fails_with_rollback_offered_and_rollback_restores_every_client(clients, runners):
    sp = limit_plan(clients)
    clients[1].fail_status = 500
    runner = runners(make_site(sp))
    result = await runner.execute(sp, "k", "alice", "")
    assert result.state == "failed"
    assert "HTTP 500" in result.message and result.detail["rollback_available"] is True
    assert result.events[0].attrs["action"] == "execute_failed" and result.events[0].severity.value == "P2"
    assert clients[0].rules["flow"][1]["count"] == 500  # the first client was written
    assert runner.active() == ()
    again = await runner.execute(sp, "k-again", "alice", "")
    assert again.state == "rejected" and "roll it back first" in again.message
    clients[1].fail_status = None
    back = await runner.rollback(sp, "rb", "alice", "")
    assert back.state == "succeeded", back.message
    assert all(c.rules["flow"] == [OTHER, OLD_PAY] for c in clients)


async def test_timeout_fails_clearly_with_rollback_offered(clients, runners):
    sp = limit_plan(clients, timeout_s=0.5)
    clients[0].delay_s = 5
    result = await runners(make_site(sp)).execute(sp, "k", "alice", "")
    assert result.state == "failed"
    assert "timed out after 0.5 s" in result.message
    assert result.detail["rollback_available"] is True


async def test_partial_success_is_a_warning(clients, runners):
    sp = limit_plan(clients)
    clients[0].answer = "partial success (write data source failed)"
    result = await runners(make_site(sp)).execute(sp, "k", "alice", "")
    assert result.state == "succeeded"
    assert any("partial success" in w for w in result.detail["change"]["warnings"])


async def test_guardrails_refuse_a_low_rate_and_a_client_outside_the_allow_list(clients, runners):
    low = limit_plan(clients, "too-low", count=5)
    runner = runners(make_site(low, min_rate_limit_qps=50))
    result = await runner.execute(low, "k", "alice", "")
    assert result.state == "rejected" and "below the site's lowest rate limit (50 QPS)" in result.message
    change = await runner.preview(low)  # a preview still shows it, with the refusal
    assert any("guardrails refuse" in w for w in change["warnings"])

    reads = [c.reads for c in clients]
    sp = limit_plan(clients, "outside")
    fenced = runners(make_site(sp, targets=(f"sentinel:{clients[0].address}",)))
    result = await fenced.execute(sp, "k2", "alice", "")
    assert result.state == "rejected" and f"sentinel:{clients[1].address}" in result.message
    with pytest.raises(ExecError, match="allow-list"):
        await fenced.preview(sp)
    assert [c.reads for c in clients] == reads  # a target outside the allow-list is not even read
    assert all(c.writes == [] for c in clients)


async def test_degrade_rules_and_an_unreachable_client(clients, runners, caplog):
    caplog.set_level(logging.DEBUG)
    sp = site_plan("open-bank", "sentinel", {
        "clients": [clients[0].address], "degrade": [{"resource": "bank-gw", "grade": 2, "count": 5,
                                                      "timeWindow": 30}]}, kind="degrade")
    runner = runners(make_site(sp))
    result = await runner.execute(sp, "k", "alice", "")
    assert result.state == "succeeded", result.message
    (rule,) = clients[0].rules["degrade"]
    assert (rule["resource"], rule["grade"], rule["count"], rule["timeWindow"], rule["minRequestAmount"]) == \
        ("bank-gw", 2, 5, 30, 5)
    dead = site_plan("dead", "sentinel", {"clients": ["127.0.0.1:1"], "flow": [{"resource": "a", "count": 10}]})
    result = await runners(make_site(dead)).execute(dead, "k", "alice", "")
    assert result.state == "failed" and "127.0.0.1:1" in result.message
    assert result.detail["rollback_available"] is False
    no_secret_anywhere(result.detail, logs=caplog.text)
