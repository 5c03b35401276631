"""The gateway's HTTP receivers: a real Alertmanager posting to them, CI-style annotation posts,
the publisher role at the door, and bad bodies that leave the server serving."""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import time
from unittest import mock

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request

from tests.io.test_tls import make_cert
from tests.promstack import Alertmanager
from warroom.core.model import Event, EventKind, Severity
from warroom.gateway.receivers import MAX_BODY, Receivers
from warroom.gateway.site_model import Listen, Site
from warroom.io.auth import TokenStore, generate_token

PUBLISHER = generate_token()
VIEWER = generate_token()
COMMANDER = generate_token()
TOKENS = {PUBLISHER: ("alertmanager", "publisher"), VIEWER: ("wall-3", "viewer"),
          COMMANDER: ("li.commander", "commander")}
SITE = Site(name="test-site")
ALERT = {"receiver": "warroom", "status": "firing", "version": "4", "alerts": [{
    "status": "firing", "labels": {"alertname": "PaySuccessRateLow", "service": "pay", "severity": "page"},
    "annotations": {"summary": "success rate < 99%"}, "startsAt": "2026-12-06T03:26:25.139Z",
    "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph?g0.expr=x",
    "fingerprint": "9a17ebb745d7effc"}]}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Run:
    """Receivers on a free loopback port, the events they emitted, and an HTTP client."""

    def __init__(self, tokens: TokenStore | None = None, listen: Listen | None = None, fail: bool = False) -> None:
        self.events: list[Event] = []
        self.fail = fail
        self.receivers = Receivers(listen or Listen(port=0), tokens, SITE, self._on_events, lambda: {"pay", "bank"})
        self.http: aiohttp.ClientSession | None = None

    def _on_events(self, events: list[Event]) -> None:
        assert events, "on_events is never called with nothing"
        if self.fail:
            raise RuntimeError("the feed is broken")
        self.events.extend(events)

    async def __aenter__(self) -> "Run":
        await self.receivers.start()
        self.http = aiohttp.ClientSession(trust_env=False)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.http.close()
        await self.receivers.stop()

    async def post(self, path: str, body, token: str | None = PUBLISHER, **kw) -> tuple[int, dict]:
        headers = {**kw.pop("headers", {}), **(auth(token) if token else {})}
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        async with self.http.post(self.receivers.url + path, data=data, headers=headers, **kw) as resp:
            return resp.status, await resp.json(content_type=None)

    async def healthy(self) -> bool:
        async with self.http.get(self.receivers.url + "/healthz") as resp:
            return resp.status == 200 and (await resp.json()) == {"status": "ok"}


async def wait_for(predicate, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


# -- the real thing ---------------------------------------------------------------------
async def test_a_real_alertmanager_posts_firing_then_resolved_with_a_publisher_token(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    async with Run(TokenStore.from_tokens(TOKENS)) as run:
        am = await asyncio.to_thread(Alertmanager.start, tmp_path / "am", f"{run.receivers.url}/alertmanager",
                                     bearer_token=PUBLISHER)
        try:
            labels = {"alertname": "PaySuccessRateLow", "service": "pay", "severity": "page"}
            started = time.time()
            await asyncio.to_thread(am.post_alerts, [{"labels": labels,
                                                      "annotations": {"summary": "success rate < 99%"},
                                                      "generatorURL": "http://prom/graph"}])
            await wait_for(lambda: run.events, what="the firing alert from Alertmanager")
            [fired] = run.events
            assert (fired.kind, fired.subject, fired.severity) == (EventKind.ALERT, "pay", Severity.P1)
            assert fired.title == "success rate < 99%" and fired.attrs["state"] == "firing"
            assert fired.attrs["receiver"] == "warroom" and fired.attrs["service_known"] is True
            assert len(fired.attrs["fingerprint"]) == len("am:") + 16 and fired.attrs["ends_at_ms"] is None
            assert abs(fired.ts / 1000 - started) < 60
            # Resolved: Alertmanager sends it at the next group interval.
            await asyncio.to_thread(am.post_alerts, [{"labels": labels, "endsAt": _rfc3339(time.time() - 1)}])
            await wait_for(lambda: len(run.events) >= 2, what="the resolved alert")
            ended = run.events[1]
            assert ended.attrs["state"] == "resolved" and ended.attrs["fingerprint"] == fired.attrs["fingerprint"]
            assert ended.id == fired.id.replace("-firing", "-resolved") and ended.ts >= fired.ts
        finally:
            am.stop()
        assert run.receivers.stats.rejected == 0 and run.receivers.stats.events == 2
    assert PUBLISHER not in caplog.text and "alertmanager" in caplog.text


def _rfc3339(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


async def test_a_ci_job_posts_an_annotation_as_to_grafana_and_gets_grafanas_answer():
    async with Run(TokenStore.from_tokens(TOKENS)) as run:
        body = {"dashboardUID": "abc", "panelId": 1, "time": 1_796_527_585_139,
                "tags": ["deploy", "pay", "version:2.4.1"], "text": "Deploy pay 2.4.1"}
        status, answer = await run.post("/api/annotations", body, headers={"Content-Type": "application/json"})
        assert status == 200 and answer["message"] == "Annotation added" and isinstance(answer["id"], int)
        [e] = run.events
        assert (e.kind, e.subject, e.attrs["version"]) == (EventKind.DEPLOY, "pay", "2.4.1")
        # A CI retry: the same answer, nothing emitted twice.
        assert await run.post("/api/annotations", body) == (200, answer)
        status, answer2 = await run.post("/api/annotations/graphite",
                                         {"what": "flag on", "tags": "config bank", "when": 1_796_527_600})
        assert status == 200 and answer2["id"] != answer["id"]
        assert [e.kind for e in run.events] == [EventKind.DEPLOY, EventKind.CONFIG_CHANGE]
        assert run.events[1].subject == "bank" and run.receivers.stats.duplicates == 1


# -- the door -----------------------------------------------------------------------------
async def test_only_a_publisher_token_may_post(caplog):
    caplog.set_level(logging.DEBUG)
    async with Run(TokenStore.from_tokens(TOKENS)) as run:
        async with run.http.post(run.receivers.url + "/alertmanager", json=ALERT) as resp:
            assert resp.status == 401 and resp.headers["WWW-Authenticate"] == 'Bearer realm="warroom"'
            assert "no bearer token" in (await resp.json())["error"]
        stranger = generate_token()
        assert await run.post("/alertmanager", ALERT, token=stranger) == (401, {"error": "unknown token"})
        for token, who in ((VIEWER, "wall-3 is a viewer"), (COMMANDER, "li.commander is a commander")):
            status, answer = await run.post("/alertmanager", ALERT, token=token)
            assert status == 403 and answer["error"] == f"forbidden: posting needs the publisher role; {who}"
            assert (await run.post("/api/annotations", {"text": "x"}, token=token))[0] == 403
        assert run.events == [] and run.receivers.stats.rejected == 6
        assert await run.post("/alertmanager", ALERT) == (200, {"status": "ok", "events": 1, "duplicates": 0})
        assert await run.post("/alertmanager", ALERT) == (200, {"status": "ok", "events": 0, "duplicates": 1})
        assert len(run.events) == 1 and run.receivers.stats.posts == 8 and run.receivers.stats.events == 1
        assert await run.healthy()  # no token needed
    for secret in (PUBLISHER, VIEWER, COMMANDER, stranger):
        assert secret not in caplog.text


async def test_without_tokens_only_this_machine_may_post_and_the_log_says_so_once(caplog):
    with caplog.at_level(logging.WARNING, logger="warroom.gateway.receivers"):
        async with Run(None) as run:
            assert await run.post("/alertmanager", ALERT, token=None) == (200, {"status": "ok", "events": 1,
                                                                               "duplicates": 0})
            await run.post("/api/annotations", {"text": "x"}, token=None)
            far = make_mocked_request("POST", "/alertmanager", transport=_transport("10.1.2.3"))
            near = make_mocked_request("POST", "/alertmanager", transport=_transport("::1"))
            with pytest.raises(Exception) as refused:
                run.receivers._authorize(far)
            assert refused.value.status == 403 and "own machine only" in refused.value.message
            assert run.receivers._authorize(near).role.value == "publisher"
    warnings = [r for r in caplog.records if "NO tokens file" in r.getMessage()]
    assert len(warnings) == 1 and len(run.events) == 2


def _transport(addr: str) -> mock.Mock:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (addr, 50000) if name == "peername" else default
    return transport


# -- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize("path, body, status, words", [
    ("/alertmanager", b"{not json", 400, "not JSON: Expecting property name"),
    ("/alertmanager", b"", 400, "empty body"),
    ("/alertmanager", b"\xff\xfe\x00garbage", 400, "not JSON"),
    ("/alertmanager", b'{"alerts": [], "x": NaN}', 400, "NaN is not a JSON value"),
    ("/alertmanager", b"[" * 100_000 + b"]" * 100_000, 400, "not JSON"),
    ("/alertmanager", b"[1, 2]", 400, "expected a JSON object"),
    ("/alertmanager", json.dumps({**ALERT, "version": "3"}).encode(), 400, "only Alertmanager webhook version 4"),
    ("/alertmanager", json.dumps({"alerts": [{"labels": {}}]}).encode(), 400, "alerts[0]: status: missing"),
    ("/api/annotations", b'{"tags": ["deploy"]}', 400, "text: missing or empty"),
    ("/api/annotations/graphite", b'{"tags": "deploy"}', 400, "what: missing or empty"),
])
async def test_bad_bodies_are_400_with_the_problem_and_the_server_keeps_serving(path, body, status, words):
    async with Run(TokenStore.from_tokens(TOKENS)) as run:
        got, answer = await run.post(path, body)
        assert got == status and words in answer["error"], answer
        assert run.events == [] and run.receivers.stats.rejected == 1
        assert await run.healthy()
        assert (await run.post("/alertmanager", ALERT))[0] == 200 and len(run.events) == 1


async def test_oversized_bodies_are_413_declared_or_streamed():
    async with Run(TokenStore.from_tokens(TOKENS)) as run:
        big = b'{"text": "' + b"x" * MAX_BODY + b'"}'
        status, answer = await run.post("/api/annotations", big)
        assert status == 413 and "limit is 1,048,576" in answer["error"]

        async def chunks():  # no Content-Length: the limit holds while reading
            for _ in range(20):
                yield b"x" * 100_000

        status, answer = await run.post("/api/annotations", chunks())
        assert status == 413 and "larger than the limit" in answer["error"]
        assert await run.healthy() and (await run.post("/api/annotations", {"text": "ok"}))[0] == 200
        assert run.receivers.stats.rejected == 2 and len(run.events) == 1


async def test_a_broken_feed_is_a_500_the_poster_retries_and_nothing_is_lost(caplog):
    async with Run(TokenStore.from_tokens(TOKENS), fail=True) as run:
        status, answer = await run.post("/alertmanager", ALERT)
        assert status == 500 and "internal error" in answer["error"] and "broken" not in answer["error"]
        assert "the feed is broken" in caplog.text  # the traceback is in the log
        run.fail = False
        assert (await run.post("/alertmanager", ALERT))[1]["events"] == 1  # not remembered as sent
        assert len(run.events) == 1


async def test_unknown_routes_and_methods_are_json_errors():
    async with Run(TokenStore.from_tokens(TOKENS)) as run:
        async with run.http.get(run.receivers.url + "/alertmanager") as resp:
            assert resp.status == 405 and "Method Not Allowed" in (await resp.json())["error"]
        async with run.http.post(run.receivers.url + "/nowhere", headers=auth(PUBLISHER)) as resp:
            assert resp.status == 404 and "Not Found" in (await resp.json())["error"]


async def test_tls_when_the_site_gives_a_certificate(tmp_path):
    cert, key = make_cert(tmp_path, "localhost", "DNS:localhost,IP:127.0.0.1")
    listen = Listen(host="127.0.0.1", port=0, tls_cert=cert, tls_key=key)
    async with Run(TokenStore.from_tokens(TOKENS), listen=listen) as run:
        assert run.receivers.url.startswith("https://127.0.0.1:")
        status, _ = await run.post("/alertmanager", ALERT, ssl=ssl.create_default_context(cafile=str(cert)))
        assert status == 200 and len(run.events) == 1
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await run.post("/alertmanager", ALERT)  # a client that does not trust it does not talk
