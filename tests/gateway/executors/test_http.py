"""The http executor against a small feature-flag API served by the test."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from tests.gateway.executors.conftest import SECRET, make_site, no_secret_anywhere, site_plan


class FlagApi:
    """``GET/PUT /flags/NAME`` with a Bearer token; PUT answers ``{"result": {"status": ...}}``."""

    def __init__(self) -> None:
        self.flags = {"pay-api": {"name": "pay-api", "enabled": True}}
        self.puts: list[dict] = []
        self.fail_status: int | None = None
        self.delay_s = 0.0
        self.status_text = "ok"
        self.reads = 0
        self.flip_after_reads: int | None = None  # someone else toggles the flag after that many GETs

    async def start(self) -> FlagApi:
        app = web.Application()
        app.router.add_get("/flags/{name}", self._get)
        app.router.add_put("/flags/{name}", self._put)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    def _auth(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {SECRET}"

    async def _get(self, request: web.Request) -> web.Response:
        if not self._auth(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        flag = self.flags[request.match_info["name"]]
        answer = web.json_response(flag)
        self.reads += 1
        if self.reads == self.flip_after_reads:
            flag["enabled"] = not flag["enabled"]
        return answer

    async def _put(self, request: web.Request) -> web.Response:
        if not self._auth(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_status:
            return web.Response(status=self.fail_status, text="boom")
        body = await request.json()
        self.puts.append(body)
        self.flags[request.match_info["name"]]["enabled"] = body["enabled"]
        return web.json_response({"result": {"status": self.status_text}})


@pytest.fixture
async def api():
    a = await FlagApi().start()
    yield a
    await a.stop()


def flag_plan(api, plan_id: str = "flag-off", rollback: bool = True, read: bool = True, **kw):
    auth = {"Authorization": "Bearer {secret.ops_token}"}
    options = {
        "method": "PUT", "url": api.url + "/flags/{target}", "headers": auth,
        "json": {"enabled": False, "by": "warroom {plan.id} {key}"},
        "json_path": "result.status", "equals": "ok",
    }
    if read:
        options["read"] = {"url": api.url + "/flags/{target}", "headers": auth}
    if rollback:
        options["rollback"] = {"method": "PUT", "url": api.url + "/flags/{target}", "headers": auth,
                               "json": {"enabled": "{snapshot.enabled}", "by": "warroom rollback"}}
    return site_plan(plan_id, "http", options, kind="degrade", **kw)


async def test_dry_run_shows_the_request_with_secrets_masked(api, runners):
    sp = flag_plan(api)
    change = await runners(make_site(sp)).preview(sp)
    (req,) = change["requests"]
    assert (req["method"], req["url"]) == ("PUT", api.url + "/flags/pay-api")
    assert req["headers"] == {"Authorization": "Bearer ***"}
    assert '"by":"warroom flag-off preview"' in req["body"]
    assert change["before"] == {"name": "pay-api", "enabled": True}
    assert change["after"]["enabled"] is False
    assert api.puts == []
    no_secret_anywhere(change)


async def test_execute_verify_rollback_replay(api, runners, caplog):
    caplog.set_level(logging.DEBUG)
    sp = flag_plan(api)
    runner = runners(make_site(sp))
    result = await runner.execute(sp, "k1", "carol", "stop the bleeding")
    assert result.state == "succeeded", result.message
    assert api.flags["pay-api"]["enabled"] is False
    assert api.puts == [{"enabled": False, "by": "warroom flag-off k1"}]
    assert (await runner.execute(sp, "k1", "carol", "")).replay and len(api.puts) == 1
    back = await runner.rollback(sp, "k2", "carol", "")
    assert back.state == "succeeded", back.message
    assert api.flags["pay-api"]["enabled"] is True  # the snapshot's value, typed
    assert api.puts[-1] == {"enabled": True, "by": "warroom rollback"}
    no_secret_anywhere(result.detail, result.events, back.detail, back.events, logs=caplog.text)


async def test_precondition_the_read_state_changed(api, runners):
    sp = flag_plan(api)
    runner = runners(make_site(sp))
    api.flip_after_reads = 1  # right after the executor's read
    result = await runner.execute(sp, "k", "carol", "")
    assert result.state == "rejected" and "changed since the preview" in result.message
    assert api.puts == []


async def test_json_path_mismatch_500_and_timeout_fail_with_rollback_offered(api, runners):
    sp = flag_plan(api)
    api.status_text = "error"
    result = await runners(make_site(sp)).execute(sp, "k", "carol", "")
    assert result.state == "failed" and 'result.status is "error", expected "ok"' in result.message
    assert result.detail["rollback_available"] is True

    api.status_text, api.fail_status = "ok", 500
    sp2 = flag_plan(api, "second")
    result = await runners(make_site(sp2)).execute(sp2, "k", "carol", "")
    assert result.state == "failed" and "HTTP 500" in result.message and result.detail["rollback_available"]
    assert result.events[0].attrs["action"] == "execute_failed"

    api.fail_status, api.delay_s = None, 5
    sp3 = flag_plan(api, "third", timeout_s=0.5)
    result = await runners(make_site(sp3)).execute(sp3, "k", "carol", "")
    assert result.state == "failed" and "timed out after 0.5 s" in result.message
    assert result.detail["rollback_available"] is True


async def test_without_a_rollback_request_rollback_is_refused(api, runners):
    sp = flag_plan(api, rollback=False, read=False)
    runner = runners(make_site(sp))
    change = await runner.preview(sp)
    assert any("cannot be undone" in w for w in change["warnings"])
    result = await runner.execute(sp, "k", "carol", "")
    assert result.state == "succeeded" and result.detail["rollback_available"] is False
    assert runner.active() == ()  # a one-shot action, not a plan in force
    back = await runner.rollback(sp, "k2", "carol", "")
    assert back.state == "rejected" and "not active" in back.message


async def test_allow_list_covers_every_url(api, runners):
    sp = flag_plan(api)
    result = await runners(make_site(sp, targets=("http:https://ops.example.com/",))).execute(sp, "k", "c", "")
    assert result.state == "rejected" and "allow-list" in result.message
    assert api.puts == []
