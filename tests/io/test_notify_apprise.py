"""The ``apprise`` channel kind, delivering through the real apprise library to real local servers.

Nothing of apprise is mocked: its ``json://`` plugin posts to an aiohttp server on loopback,
its ``mailto://`` plugin talks to the SMTP sink of ``test_notify.py``. The notifier around it
(dedup, rate limits, retries, redaction) is ours, and is what these tests hold to account.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest
from aiohttp import web

from tests.io.test_notify import FAST, note, smtp, until  # noqa: F401 (smtp is a fixture)
from warroom.core.clock import ManualClock
from warroom.io.notify import (
    AppriseChannel,
    Notifier,
    NotifyConfigError,
    channels_by_severity,
    coverage_warnings,
    load_channels,
)

T0 = 1_780_000_000_000


class Receiver:
    """An aiohttp server on loopback: records every POST, answers from ``script[path]`` then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.script: dict[str, list[int]] = {}
        self.hold: asyncio.Event | None = None  # when set: requests wait for it before the answer
        self.url = ""

    def on(self, path: str) -> list[dict]:
        return [json.loads(body) for p, _, body in self.requests if p == path]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((request.path, dict(request.headers), body))
        if self.hold is not None:
            await self.hold.wait()
        queue = self.script.get(request.path, [])
        status = queue.pop(0) if queue else 200
        return web.json_response({"ok": status == 200}, status=status)


@pytest.fixture
async def receiver():
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    rec.url = f"127.0.0.1:{port}"
    yield rec
    await runner.cleanup()


def apprise_channel(url: str, **kw) -> list:
    return load_channels({"channels": [{"name": "ap", "kind": "apprise", "url": url, **kw}]}, env={})


async def test_json_url_delivers_title_body_and_type_through_apprise(receiver):
    [ch] = apprise_channel(f"json://{receiver.url}/hook", timeout_s=2)
    assert isinstance(ch, AppriseChannel) and ch.service_name
    notifier = Notifier([ch], retry=FAST)
    task = notifier.start()
    notifier.submit(note(severity="P0", title="QR payment success 91%", url="https://wr.example/inc/1"))
    await until(lambda: notifier.status().channels[0].sent == 1, what="apprise delivery")
    [body] = receiver.on("/hook")
    assert body["title"] == "[P0] FIRING: QR payment success 91%"
    assert body["type"] == "failure"  # P0/P1 are apprise "failure" (red in Slack/Teams cards)
    assert "### [P0] FIRING: QR payment success 91%" in body["message"]
    assert "[Runbook / console](https://wr.example/inc/1)" in body["message"]
    st = notifier.status().channels[0]
    assert (st.kind, st.state, st.failed, st.retries) == ("apprise", "ok", 0, 0)
    assert st.target.startswith("json://127.0.0.1:")
    await notifier.close(1.0)
    await task


async def test_text_format_and_a_resolved_state(receiver):
    [ch] = apprise_channel(f"json://{receiver.url}/t", format="TEXT")
    notifier = Notifier([ch], retry=FAST)
    task = notifier.start()
    notifier.submit(note(state="resolved", severity="P2", title="ICBC recovered"))
    await until(lambda: notifier.status().channels[0].sent == 1)
    [body] = receiver.on("/t")
    assert body["type"] == "success" and body["message"].startswith("[P2] RESOLVED: ICBC recovered\n")
    assert "###" not in body["message"]
    await notifier.close(1.0)
    await task


async def test_server_errors_are_retried_by_the_notifier_and_reported(receiver):
    receiver.script["/busy"] = [503, 503]
    # apprise's own ?retry= and ?optional= are overridden: one request per attempt, failures are failures
    [ch] = apprise_channel(f"json://{receiver.url}/busy?retry=3&optional=yes")
    notifier = Notifier([ch], retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].sent == 1, what="delivery after two 503s")
    st = notifier.status().channels[0]
    assert len(receiver.on("/busy")) == 3  # apprise makes one attempt per call; the retries are ours
    assert (st.sent, st.failed, st.retries) == (1, 0, 2)
    assert "error=503" in st.last_error and st.last_error.startswith("apprise: delivery failed")
    await notifier.close(1.0)
    await task


async def test_a_client_error_is_permanent_and_not_retried(receiver):
    receiver.script["/gone"] = [404]
    [ch] = apprise_channel(f"json://{receiver.url}/gone")
    notifier = Notifier([ch], retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].failed == 1)
    assert len(receiver.on("/gone")) == 1 and notifier.status().channels[0].retries == 0
    assert "error=404" in notifier.status().channels[0].last_error
    await notifier.close(1.0)
    await task


async def test_dedup_and_rate_limit_still_apply_to_apprise_channels(receiver):
    clock = ManualClock(T0)
    [ch] = apprise_channel(f"json://{receiver.url}/storm", burst=2, per_minute=1)
    notifier = Notifier([ch], clock_ms=clock.now_ms, retry=FAST, tick_s=0.01)
    task = notifier.start()
    for i in range(20):
        notifier.submit(note(key=f"fp-{i}", title=f"alert {i}"))
    notifier.submit(note(key="fp-0", title="alert 0 again"))  # a duplicate
    await until(lambda: len(receiver.on("/storm")) == 2, what="the burst")
    clock.advance(61_000)
    await until(lambda: notifier.status().channels[0].sent == 3, what="one digest")  # received, then counted
    digest = receiver.on("/storm")[2]
    assert digest["title"] == "[P1] 18 more notifications (P1×18)"
    st = notifier.status().channels[0]
    assert (st.sent, st.coalesced, st.suppressed) == (3, 18, 1)
    await notifier.close(1.0)
    await task


async def test_secrets_in_apprise_urls_stay_out_of_status_errors_and_apprise_debug_log(caplog):
    caplog.set_level(logging.DEBUG)  # apprise logs its request URL and payload at DEBUG
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens: connection refused
    secrets = ["hookuser", "pw0123456789secret", "TOKEN9876543210abc"]
    [ch] = apprise_channel(f"json://{secrets[0]}:{secrets[1]}@127.0.0.1:{port}/hooks/{secrets[2]}", timeout_s=1)
    notifier = Notifier([ch], retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].failed == 1, what="failure after retries", timeout=10)
    st = notifier.status().channels[0]
    assert st.retries == 2 and st.last_error.startswith("apprise: delivery failed")
    assert any(r.name == "apprise" for r in caplog.records)  # apprise did log about it
    shown = repr(ch) + st.target + repr(notifier.status()) + caplog.text
    for secret in secrets:
        assert secret not in shown
    await notifier.close(1.0)
    await task


async def test_email_through_apprise_mailto(smtp):  # noqa: F811 (the fixture imported above)
    url = (f"mailto://alerts:{smtp.password}@127.0.0.1:{smtp.port}"
           "?mode=insecure&from=warroom@pay.example&to=oncall@pay.example")  # fmt: skip
    [ch] = apprise_channel(url, format="text", timeout_s=2)
    notifier = Notifier([ch], retry=FAST)
    task = notifier.start()
    notifier.submit(note(attrs={"service": "bank-icbc"}))
    await until(lambda: notifier.status().channels[0].sent == 1, what="mail sent by apprise")
    [msg] = smtp.messages
    assert msg["Subject"] == "[P1] FIRING: ICBC gateway p99 above 2 s"
    assert smtp.auth == [("alerts", smtp.password)]
    assert [rcpts for _, rcpts in smtp.envelopes] == [["oncall@pay.example"]]
    assert smtp.password not in notifier.status().channels[0].target
    await notifier.close(1.0)
    await task


# --- configuration --------------------------------------------------------------------


# The URL forms of the services issue 17 names, as apprise 2.3's plugins define them.
SERVICES = {
    "dingtalk://SECa1b2c3d4e5@a1b2c3d4e5f6a7b8c9d0/": "DingTalk",
    "wecombot://0123abcd-ef01-2345-6789-abcdef012345": "WeCom Bot",
    "feishu://a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6": "Feishu",
    "lark://a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6": "Lark (Feishu)",
    "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7": "Slack",
    "tgram://123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ/-1001234567": "Telegram",
    "workflows://prod-01.westus.logic.azure.com:443/a1b2c3d4e5f6a7b8c9d0/TIiajkdnlazkcOXrIdevi7":
        "Power Automate / Workflows (for MSTeams)",
    "pagerduty://a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6@u+ApIkEyAbCdEfGhIj01": "Pager Duty",
    "mailtos://alerts:hunter2pass@smtp.example.com?to=oncall@pay.example": "E-Mail",
}


@pytest.mark.parametrize("url", list(SERVICES))
def test_apprise_urls_of_the_named_services_load_with_their_secrets_masked(url):
    [ch] = apprise_channel(url)
    assert ch.service_name.lower().replace("-", "") == SERVICES[url].lower().replace("-", "")
    scheme = url.split("://")[0]
    assert ch.target.split("://")[0] in (scheme, scheme.removesuffix("s"))  # apprise shows workflows:// as workflow://
    for secret in ("a1b2c3d4e5f6a7b8c9d0", "TIiajkdnlazkcOXrIdevi7", "AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ",
                   "hunter2pass", "a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6", "0123abcd-ef01-2345-6789-abcdef012345",
                   "u+ApIkEyAbCdEfGhIj01"):  # fmt: skip
        assert secret not in ch.target and secret not in repr(ch)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"url": "nosuchservice://tokENabc123456789"}, "field 'url': apprise does not understand this nosuchservice:// URL"),
        ({"url": "https://h.example/x"}, "field 'url': apprise does not understand this https:// URL"),
        ({"url": "not a url"}, "field 'url': must be an apprise URL"),
        ({"url": "json://h.example", "format": "html"}, "field 'format': must be one of markdown, text"),
        ({"url": "json://h.example", "secret": "x"}, "field 'secret': unknown for kind 'apprise'"),
        ({}, "field 'url': is required"),
    ],
)
def test_apprise_config_errors_name_the_field_and_hide_the_token(spec, message):
    with pytest.raises(NotifyConfigError) as err:
        load_channels({"channels": [{"name": "ap", "kind": "apprise", **spec}]}, env={})
    assert message in str(err.value) and str(err.value).startswith("channels[0] ('ap'):")
    assert "tokENabc123456789" not in str(err.value)


# --- one channel per severity ---------------------------------------------------------


def test_a_severity_sent_to_one_channel_only_is_warned_about(caplog):
    caplog.set_level(logging.WARNING, logger="warroom.io.notify")
    chs = load_channels({"channels": [
        {"name": "ding", "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
         "min_severity": "P1"},
        {"name": "slack", "kind": "apprise", "url": "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7",
         "min_severity": "P2"},
        {"name": "bye", "kind": "webhook", "url": "https://h.example/x", "min_severity": "P3",
         "states": ["resolved"]},  # tells people it is over; pages nobody
    ]})  # fmt: skip
    assert channels_by_severity(chs) == {"P0": ("ding", "slack"), "P1": ("ding", "slack"), "P2": ("slack",),
                                         "P3": (), "info": ()}  # fmt: skip
    notifier = Notifier(chs)
    [warning] = notifier.warnings
    assert warning.startswith("severity P2 is sent to one channel only ('slack')")
    assert notifier.status().warnings == (warning,)
    assert [r.getMessage() for r in caplog.records] == [f"notify: {warning}"]


def test_no_warning_with_two_channels_everywhere_or_with_no_channels():
    two = load_channels({"channels": [
        {"name": "a", "kind": "webhook", "url": "https://h.example/a"},
        {"name": "b", "kind": "apprise", "url": "json://h.example/b", "states": ["firing", "resolved"]},
    ]})  # fmt: skip
    assert coverage_warnings(two) == ()
    assert coverage_warnings([]) == ()
    only_resolved = load_channels({"channels": [{"name": "r", "kind": "webhook", "url": "https://h.example",
                                                 "states": ["resolved"]}]})  # fmt: skip
    assert coverage_warnings(only_resolved) == ()  # nothing pages at all: no channel for any severity
    one = load_channels({"channels": [{"name": "solo", "kind": "webhook", "url": "https://h.example"}]})
    assert [w.split(" is ")[0] for w in coverage_warnings(one)] == ["severity P0", "severity P1", "severity P2"]


async def test_apprise_notify_runs_off_the_event_loop(receiver):
    # The receiver runs on this same loop: if apprise's blocking notify() ran on the loop, the
    # receiver could never answer, nor even see the request.
    receiver.hold = asyncio.Event()
    [ch] = apprise_channel(f"json://{receiver.url}/held", timeout_s=5)
    notifier = Notifier([ch], retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: len(receiver.requests) == 1, what="the request reaching the receiver")
    assert notifier.status().channels[0].pending == 1  # in flight, held by the receiver
    receiver.hold.set()
    await until(lambda: notifier.status().channels[0].sent == 1)
    await notifier.close(1.0)
    await task
