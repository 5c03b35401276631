"""The istio executor against a double of the Kubernetes API."""

from __future__ import annotations

import logging

import pytest

from tests.gateway.doubles.kube import KubeDouble, virtual_service
from tests.gateway.executors.conftest import SECRET, make_site, no_secret_anywhere, site_plan
from warroom.gateway.executors import ExecError
from warroom.gateway.secrets import Secrets


@pytest.fixture
async def kube():
    """An API server holding pay/reviews with v1 90, v2 10."""
    k = await KubeDouble(token=SECRET).start()
    k.add(virtual_service("pay", "reviews", {"v1": 90, "v2": 10}))
    yield k
    await k.stop()


def shift_plan(kube, plan_id: str = "shift", v1: int = 50, v2: int = 50, **kw):
    return site_plan(plan_id, "istio", {
        "api": kube.url, "token_secret": "kube_token", "namespace": "pay", "virtual_service": "reviews",
        "route": "main", "weights": {"v1": "{params.v1}", "v2": "{params.v2}"},
    }, kind="failover", params={"v1": v1, "v2": v2}, **kw)


async def test_dry_run_shows_the_put_with_the_token_masked(kube, runners):
    sp = shift_plan(kube)
    change = await runners(make_site(sp)).preview(sp)
    assert change["summary"] == "pay/reviews route main: v1 90 -> 50, v2 10 -> 50"
    assert change["before"] == {"v1": 90, "v2": 10} and change["after"] == {"v1": 50, "v2": 50}
    (req,) = change["requests"]
    assert req["method"] == "PUT" and req["url"].endswith("/namespaces/pay/virtualservices/reviews")
    assert req["headers"]["Authorization"] == "Bearer ***"
    assert '"resourceVersion":"1001"' in req["body"]
    assert kube.puts == 0 and kube.weights("pay", "reviews") == {"v1": 90, "v2": 10}
    no_secret_anywhere(change)


async def test_execute_rollback_replay(kube, runners, caplog):
    caplog.set_level(logging.DEBUG)
    sp = shift_plan(kube)
    runner = runners(make_site(sp))
    result = await runner.execute(sp, "k1", "bob", "v2 is healthy")
    assert result.state == "succeeded", result.message
    assert kube.weights("pay", "reviews") == {"v1": 50, "v2": 50}
    assert runner.active() == ("shift",)
    assert (await runner.execute(sp, "k1", "bob", "")).replay and kube.puts == 1

    back = await runner.rollback(sp, "k2", "bob", "done")
    assert back.state == "succeeded", back.message
    assert kube.weights("pay", "reviews") == {"v1": 90, "v2": 10}
    assert runner.active() == () and kube.puts == 2
    again = await runner.rollback(sp, "k2", "bob", "done")
    assert again.replay and again.state == "succeeded" and kube.puts == 2
    no_secret_anywhere(result.detail, result.events, back.detail, back.events, logs=caplog.text)


async def test_precondition_a_stale_resource_version_is_refused(kube, runners):
    sp = shift_plan(kube)

    def other_operator(obj):
        obj["spec"]["http"][0]["route"][0]["weight"] = 80
        obj["spec"]["http"][0]["route"][1]["weight"] = 20
    kube.edit_after_get = ("pay", "reviews", other_operator)  # between the executor's GET and PUT
    result = await runners(make_site(sp)).execute(sp, "k", "bob", "")
    assert result.state == "rejected" and "stale" in result.message
    assert result.detail["rollback_available"] is False
    assert kube.puts == 0 and kube.weights("pay", "reviews") == {"v1": 80, "v2": 20}


async def test_rollback_refuses_when_someone_else_changed_the_weights_since(kube, runners):
    sp = shift_plan(kube)
    runner = runners(make_site(sp))
    assert (await runner.execute(sp, "k1", "bob", "")).state == "succeeded"

    def other_operator(obj):
        obj["spec"]["http"][0]["route"][0]["weight"] = 0
        obj["spec"]["http"][0]["route"][1]["weight"] = 100
    kube.edit("pay", "reviews", other_operator)
    back = await runner.rollback(sp, "k2", "bob", "")
    assert back.state == "rejected" and "changed since Warroom set its weights" in back.message
    assert kube.weights("pay", "reviews") == {"v1": 0, "v2": 100} and runner.active() == ("shift",)


async def test_500_and_timeout_fail_with_rollback_offered(kube, runners):
    sp = shift_plan(kube)
    kube.fail_status = 500
    result = await runners(make_site(sp)).execute(sp, "k", "bob", "")
    assert result.state == "failed" and "HTTP 500" in result.message
    assert result.detail["rollback_available"] is True
    kube.fail_status = None

    slow = shift_plan(kube, "slow", timeout_s=0.5)
    kube.delay_s = 5
    runner = runners(make_site(slow))
    result = await runner.execute(slow, "k", "bob", "")
    assert result.state == "failed" and "timed out after 0.5 s" in result.message
    assert result.detail["rollback_available"] is True
    kube.delay_s = 0
    back = await runner.rollback(slow, "rb", "bob", "")  # the PUT never landed: nothing to undo
    assert back.state == "succeeded" and kube.weights("pay", "reviews") == {"v1": 90, "v2": 10}


async def test_wrong_token_unknown_route_and_bad_sums_fail_clearly(kube, runners):
    sp = shift_plan(kube)
    runner = runners(make_site(sp))
    runner.secrets = Secrets({"kube_token": "wrong"})
    with pytest.raises(ExecError, match="HTTP 401: the Kubernetes API refused the token"):
        await runner.preview(sp)
    bad = shift_plan(kube, "bad-sum", v1=50, v2=60)
    with pytest.raises(ExecError, match="add up to 110, not 100"):
        await runners(make_site(bad)).preview(bad)
    assert kube.puts == 0


async def test_guardrails_max_weight_shift_and_allow_list(kube, runners):
    sp = shift_plan(kube, v1=10, v2=90)
    result = await runners(make_site(sp, max_weight_shift=20)).execute(sp, "k", "bob", "")
    assert result.state == "rejected" and "largest weight shift (20)" in result.message
    result = await runners(make_site(sp, targets=("istio:pay/other",))).execute(sp, "k", "bob", "")
    assert result.state == "rejected" and "istio:pay/reviews is not in the site's allow-list" in result.message
    assert kube.puts == 0
