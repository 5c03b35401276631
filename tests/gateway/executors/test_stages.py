"""Staged shifts through the gateway's executors: Istio weights per stage, a webhook's
fraction per stage, the site's ladder checked, and a rollback at any stage restoring what
was read before the first."""

from __future__ import annotations

import pytest

from tests.gateway.doubles.kube import KubeDouble, virtual_service
from tests.gateway.executors.conftest import SECRET, make_site, no_secret_anywhere
from warroom.core.plan.plans import Guard, Plan
from warroom.gateway.executors import check_options
from warroom.gateway.executors.base import Context, check_template, stage_vars
from warroom.gateway.site_model import ExecutorSpec, SitePlan

LADDER = ["whitelist", "1/256", "1/8", "1/4", "1/2", "all"]


@pytest.fixture
async def kube():
    """pay/reviews with all traffic on v1."""
    k = await KubeDouble(token=SECRET).start()
    k.add(virtual_service("pay", "reviews", {"v1": 100, "v2": 0}))
    yield k
    await k.stop()


def staged_plan(kube, stages=LADDER) -> SitePlan:
    options = {"api": kube.url, "token_secret": "kube_token", "namespace": "pay", "virtual_service": "reviews",
               "route": "main", "weights": {"v1": "{stage.rest}", "v2": "{stage.weight}"}}
    assert check_options("istio", options) == []
    plan = Plan("shift-v2", "shift", "Shift to v2", "service", "reviews", params={"stages": stages},
                guard=Guard('service_error_ratio{service="reviews"}', "<", 0.01, 60))
    return SitePlan(plan, ExecutorSpec("istio", options, 5.0))


def stage(i: int) -> dict:
    fractions = [0.0, 1 / 256, 1 / 8, 1 / 4, 1 / 2, 1.0]
    return {"index": i, "of": 6, "name": LADDER[i], "fraction": fractions[i]}


def test_stage_values_for_templates():
    assert stage_vars(stage(2)) == {"fraction": 0.125, "percent": 12.5, "weight": 12, "rest": 88, "name": "1/8",
                                    "index": 2, "of": 6}
    assert stage_vars(stage(1))["weight"] == 1, "1/256 moves something: never rounded to nothing"
    assert stage_vars(stage(0))["weight"] == 0 and stage_vars(None)["weight"] == 100
    assert check_template({"w": "{stage.weight}"}, "weights") == []
    assert "unknown placeholder {stage.percentage}" in check_template({"w": "{stage.percentage}"}, "w")[0]
    plan = Plan("p", "shift", "P", "service", "reviews", params={"stages": LADDER})
    ctx = Context(plan, {}, "k", None, None, stage=stage(3))
    assert ctx.render({"body": "move {stage.percent}% ({stage.name})"}, where="json") == {"body": "move 25% (1/4)"}


async def test_istio_weights_follow_each_stage_and_rollback_restores_the_first_read(kube, runners):
    sp = staged_plan(kube)
    runner = runners(make_site(sp, max_weight_shift=50))
    seen = []
    for i in range(4):
        result = await runner.execute(sp, f"run-1-stage-{i}" if i else "run-1", "li.wei", "canary v2", stage=stage(i))
        assert result.state == "succeeded", result.message
        seen.append(kube.weights("pay", "reviews"))
        assert result.detail["stage"]["name"] == LADDER[i]
    assert seen == [{"v1": 100, "v2": 0}, {"v1": 99, "v2": 1}, {"v1": 88, "v2": 12}, {"v1": 75, "v2": 25}]
    assert runner.active() == ("shift-v2",)
    one = await runner.execute(sp, "run-1-stage-1", "li.wei", "", stage=stage(1))
    assert one.replay, "a stage re-sent after a reconnect is run once"
    events = [e.attrs["action"] for e in (await runner.execute(sp, "run-1-stage-4", "li.wei", "", stage=stage(4))).events]
    assert events == ["stage"]
    back = await runner.rollback(sp, "run-1-rollback", "li.wei", "1/2 broke a guard")
    assert back.state == "succeeded", back.message
    assert kube.weights("pay", "reviews") == {"v1": 100, "v2": 0}, "what was read before the whitelist"
    assert runner.active() == ()
    no_secret_anywhere(back.detail, back.events)


async def test_the_change_says_when_istio_cannot_send_so_little(kube, runners):
    sp = staged_plan(kube)
    runner = runners(make_site(sp))
    await runner.execute(sp, "r", "li.wei", "", stage=stage(0))
    r = await runner.execute(sp, "r-stage-1", "li.wei", "", stage=stage(1))
    assert r.detail["change"]["summary"].startswith("stage 1/256: ")
    assert any("whole percents" in w and "sends 1%" in w for w in r.detail["change"]["warnings"])


async def test_stages_off_the_ladder_or_out_of_order_are_refused(kube, runners):
    sp = staged_plan(kube)
    runner = runners(make_site(sp))
    plain = await runner.execute(sp, "a", "li.wei", "")
    assert plain.state == "rejected" and "one stage at a time" in plain.message
    late = await runner.execute(sp, "b", "li.wei", "", stage=stage(2))
    assert late.state == "rejected" and "not in force" in late.message
    wrong = await runner.execute(sp, "c", "li.wei", "", stage={"index": 2, "fraction": 0.5})
    assert wrong.state == "rejected" and "ladder differs" in wrong.message
    assert kube.puts == 0


async def test_the_sites_guardrail_holds_per_stage(kube, runners):
    sp = staged_plan(kube, stages=["1/8", "all"])
    runner = runners(make_site(sp, max_weight_shift=20))
    ok = await runner.execute(sp, "r", "li.wei", "", stage={"index": 0, "fraction": 0.125})
    assert ok.state == "succeeded"
    jump = await runner.execute(sp, "r-stage-1", "li.wei", "", stage={"index": 1, "fraction": 1.0})
    assert jump.state == "rejected" and "largest weight shift" in jump.message
    assert kube.weights("pay", "reviews") == {"v1": 88, "v2": 12} and runner.active() == ("shift-v2",)
    assert (await runner.rollback(sp, "r-rollback", "li.wei", "stop")).state == "succeeded"
    assert kube.weights("pay", "reviews") == {"v1": 100, "v2": 0}
