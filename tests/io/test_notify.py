"""Notifications against real local servers: HTTP (webhook, DingTalk, WeCom) and SMTP.

Every delivery here crosses a real socket: a threaded ``http.server`` on loopback records
the requests and answers as each test scripts it; a tiny SMTP server written with asyncio
streams records the mail. Backoffs are injected short so the whole file runs in seconds.
"""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from warroom.core.clock import ManualClock, wall_ms
from warroom.core.model import Event, EventKind, Severity
from warroom.io.notify import (
    DeliveryError,
    Notification,
    Notifier,
    NotifyConfigError,
    RetryPolicy,
    dingtalk_sign,
    load_channels,
    load_channels_file,
    notification_from_event,
    redact_text,
    redact_url,
)

FAST = RetryPolicy(attempts=3, base_s=0.01, max_s=0.02)
T0 = 1_780_000_000_000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """urllib honours *_proxy variables; loopback must be reached directly."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def note(key="INC-1", state="firing", severity="P1", title="ICBC gateway p99 above 2 s", **kw) -> Notification:
    return Notification(key=key, state=state, severity=severity, title=title, text=kw.pop("text", "p99 2.4 s"),
                        ts_ms=kw.pop("ts_ms", T0), **kw)  # fmt: skip


async def until(predicate, timeout: float = 3.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


# --- a real HTTP server ---------------------------------------------------------------


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class HttpSink:
    """Loopback HTTP server. ``script[path]`` is a list of answers used in order, then 200 OK.

    An answer is ``(status, body)`` or ``"hang"`` (hold the request until the test ends).
    """

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    script: dict[str, list] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]


@pytest.fixture
def sink():
    state = HttpSink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            parts = urllib.parse.urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                state.requests.append(
                    Request(parts.path, dict(urllib.parse.parse_qsl(parts.query)), dict(self.headers), body)
                )
                queue = state.script.get(parts.path, [])
                answer = queue.pop(0) if queue else (200, b'{"errcode":0,"errmsg":"ok"}')
            if answer == "hang":
                state.release.wait(10)
                return
            status, payload = answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def dead_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused
    return f"http://127.0.0.1:{port}"


def channels(*specs, **defaults):
    return load_channels({"defaults": defaults, "channels": list(specs)} if defaults else {"channels": list(specs)})


# --- formats --------------------------------------------------------------------------


async def test_generic_webhook_posts_the_notifications_fields(sink):
    n = note(url="https://runbooks.example/icbc", attrs={"service": "bank-icbc", "value": 2.4})
    notifier = Notifier(channels({"name": "hook", "kind": "webhook", "url": sink.url + "/hook",
                                  "headers": {"X-Team": "payments"}}), retry=FAST)  # fmt: skip
    task = notifier.start()
    assert notifier.submit(n)
    await until(lambda: notifier.status().channels[0].sent == 1, what="webhook delivery")
    [req] = sink.on("/hook")
    assert req.json == {
        "kind": "notification", "key": "INC-1", "state": "firing", "severity": "P1",
        "title": "ICBC gateway p99 above 2 s", "text": "p99 2.4 s", "ts_ms": T0,
        "url": "https://runbooks.example/icbc", "attrs": {"service": "bank-icbc", "value": 2.4},
    }  # fmt: skip
    assert req.headers["Content-Type"] == "application/json; charset=utf-8"
    assert req.headers["X-Team"] == "payments"
    st = notifier.status()
    assert st.channels[0].state == "ok" and st.channels[0].failed == 0
    assert st.recent[0].outcome == "sent" and st.recent[0].subject == "[P1] FIRING: ICBC gateway p99 above 2 s"
    assert await notifier.close(1.0) == 0
    await task


def test_dingtalk_sign_matches_a_published_vector():
    # Independent vector (a third-party DingTalk SDK's test): ts 1700000000000, secret "secret".
    assert urllib.parse.quote(dingtalk_sign(1700000000000, "secret"), safe="") == (
        "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"
    )


async def test_dingtalk_markdown_body_and_signature(sink):
    secret = "SEC0123456789abcdef0123456789abcdef"
    url = sink.url + "/robot/send?access_token=tok0123456789abcdef"
    notifier = Notifier(channels({"name": "ding", "kind": "dingtalk", "url": url, "secret": secret,
                                  "keyword": "告警", "at_mobiles": ["13800000000"]}), retry=FAST)  # fmt: skip
    task = notifier.start()
    notifier.submit(note(severity="P0", title="QR payment success 91%", url="https://wr.example/inc/1"))
    await until(lambda: len(sink.on("/robot/send")) == 1, what="dingtalk request")
    [req] = sink.on("/robot/send")
    body = req.json
    assert set(body) == {"msgtype", "markdown", "at"}
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == "告警 [P0] FIRING: QR payment success 91%"
    text = body["markdown"]["text"]
    assert text.startswith("告警\n\n### [P0] FIRING: QR payment success 91%")
    assert "[Runbook / console](https://wr.example/inc/1)" in text and text.endswith("@13800000000")
    assert body["at"] == {"atMobiles": ["13800000000"], "isAtAll": False}
    # The signature, recomputed here from DingTalk's documented algorithm.
    assert set(req.query) == {"access_token", "timestamp", "sign"}
    assert req.query["access_token"] == "tok0123456789abcdef"
    ts = req.query["timestamp"]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest())
    assert req.query["sign"] == expected.decode()
    assert abs(int(ts) - wall_ms()) < 3_600_000  # DingTalk refuses timestamps an hour off
    await notifier.close(1.0)
    await task


async def test_dingtalk_without_secret_sends_the_url_unchanged_and_no_at(sink):
    notifier = Notifier(channels({"name": "ding", "kind": "dingtalk", "url": sink.url + "/d?access_token=t"}))
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: len(sink.on("/d")) == 1)
    [req] = sink.on("/d")
    assert req.query == {"access_token": "t"}
    assert set(req.json) == {"msgtype", "markdown"}
    await notifier.close(1.0)
    await task


async def test_wecom_markdown_body(sink):
    url = sink.url + "/cgi-bin/webhook/send?key=abc-123"
    notifier = Notifier(channels({"name": "wx", "kind": "wecom", "url": url}))
    task = notifier.start()
    notifier.submit(note(state="resolved", severity="P1", title="ICBC recovered"))
    await until(lambda: len(sink.on("/cgi-bin/webhook/send")) == 1)
    [req] = sink.on("/cgi-bin/webhook/send")
    assert req.query == {"key": "abc-123"}
    body = req.json
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    assert body["markdown"]["content"].startswith('### <font color="info">[P1] RESOLVED</font>: ICBC recovered')
    await notifier.close(1.0)
    await task


def test_wecom_content_is_kept_under_its_4096_byte_limit():
    [ch] = channels({"name": "wx", "kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"})
    out = ch.render(note(text="支付失败" * 2000))
    assert len(out.payload["markdown"]["content"].encode("utf-8")) <= 4096


# --- retries and failures -------------------------------------------------------------


async def test_server_failing_twice_then_succeeding_is_retried(sink):
    sink.script["/hook"] = [(503, b"busy"), (503, b"busy")]
    sink.script["/ding"] = [(200, b'{"errcode":130101,"errmsg":"send too fast"}')] * 2
    notifier = Notifier(channels({"name": "hook", "kind": "webhook", "url": sink.url + "/hook"},
                                 {"name": "ding", "kind": "dingtalk", "url": sink.url + "/ding?access_token=t"}),
                        retry=FAST)  # fmt: skip
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: all(c.sent == 1 for c in notifier.status().channels), what="both delivered")
    hook, ding = notifier.status().channels
    assert len(sink.on("/hook")) == 3 and len(sink.on("/ding")) == 3
    assert (hook.sent, hook.failed, hook.retries, hook.state) == (1, 0, 2, "ok")
    assert "HTTP 503" in hook.last_error and hook.last_error_ms is not None
    assert (ding.sent, ding.retries) == (1, 2) and "errcode 130101: send too fast" in ding.last_error
    outcomes = {(r.channel, r.outcome, r.attempts) for r in notifier.status().recent}
    assert outcomes == {("hook", "sent", 3), ("ding", "sent", 3)}
    await notifier.close(1.0)
    await task


async def test_client_errors_are_not_retried(sink):
    sink.script["/gone"] = [(404, b"no such hook")]
    notifier = Notifier(channels({"name": "hook", "kind": "webhook", "url": sink.url + "/gone"}), retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].failed == 1)
    assert len(sink.on("/gone")) == 1
    assert "HTTP 404" in notifier.status().channels[0].last_error
    await notifier.close(1.0)
    await task


async def test_dead_port_fails_after_retries_and_says_why(dead_url, caplog):
    caplog.set_level(logging.DEBUG, logger="warroom.io.notify")
    token = "tok9876543210zyxwvu"
    notifier = Notifier(channels({"name": "wx", "kind": "wecom", "url": f"{dead_url}/send?key={token}"}), retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].failed == 1, what="failure after retries")
    ch = notifier.status().channels[0]
    assert (ch.state, ch.sent, ch.retries, ch.retrying) == ("failing", 0, 2, 0)
    assert "connection failed" in ch.last_error and "refused" in ch.last_error.lower()
    [rec] = notifier.status().recent
    assert (rec.outcome, rec.attempts) == ("failed", 3)
    assert token not in repr(notifier.status()) and token not in caplog.text
    # A failed delivery forgets its dedup mark, so the next occurrence is tried again.
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].failed == 2, what="second failure")
    assert notifier.status().channels[0].suppressed == 0
    await notifier.close(1.0)
    await task


async def test_submit_never_blocks_while_the_server_hangs(sink):
    sink.script["/slow"] = ["hang"] * 10
    notifier = Notifier(channels({"name": "slow", "kind": "webhook", "url": sink.url + "/slow", "timeout_s": 1,
                                  "burst": 50}), retry=FAST)  # fmt: skip
    task = notifier.start()
    notifier.submit(note(key="first"))
    await until(lambda: len(sink.on("/slow")) == 1, what="a request in flight")
    # The server now holds a request; submitting (from the loop and from another thread) and
    # reading the status must still return at once. Blocking would cost >= 1 s (timeout_s);
    # the bounds below are generous so a loaded machine does not fail them.
    worst = 0.0
    for i in range(200):
        t = time.perf_counter()
        assert notifier.submit(note(key=f"alert-{i}", severity="P2"))
        notifier.status()
        worst = max(worst, time.perf_counter() - t)
    other = threading.Thread(target=lambda: [notifier.submit(note(key=f"t-{i}")) for i in range(100)])
    t = time.perf_counter()
    other.start()
    other.join()
    assert time.perf_counter() - t < 0.5
    assert worst < 0.3
    t = time.perf_counter()
    await asyncio.sleep(0.01)  # the loop itself is not held by the hanging delivery
    assert time.perf_counter() - t < 0.3
    st = notifier.status().channels[0]
    assert st.sent == 0 and st.pending > 100
    t = time.perf_counter()
    undelivered = await notifier.close(timeout=0.2)
    assert time.perf_counter() - t < 1.5
    assert undelivered > 100 and notifier.status().drop_reasons["closed before delivery"] == undelivered
    assert notifier.status().channels[0].dropped == undelivered
    await task


# --- storms and dedup -----------------------------------------------------------------


STORM_CHANNELS = [
    {"name": "hook", "kind": "webhook", "url": "{u}/hook"},
    {"name": "ding", "kind": "dingtalk", "url": "{u}/ding?access_token=t", "secret": "SECxyz0123456789"},
    {"name": "wx", "kind": "wecom", "url": "{u}/wx?key=k"},
]


def storm_channels(url: str):
    return load_channels({"channels": [{**c, "url": c["url"].format(u=url)} for c in STORM_CHANNELS]})


async def test_a_storm_of_200_alerts_from_one_outage_sends_a_handful_per_channel(sink):
    clock = ManualClock(T0)
    notifier = Notifier(storm_channels(sink.url), clock_ms=clock.now_ms, retry=FAST, tick_s=0.01)
    task = notifier.start()
    sevs = ["P0"] + ["P1"] * 19 + ["P2"] * 130 + ["P3"] * 50  # P3 is below the default min_severity
    storm = [
        note(key=f"fp-{i:03d}", severity=s, title=f"alert {i}", attrs={"incident": "INC-1"}, ts_ms=T0 + i)
        for i, s in enumerate(sevs)
    ]
    for n in storm:
        notifier.submit(n)
    paths = ("/hook", "/ding", "/wx")
    await until(lambda: all(len(sink.on(p)) == 3 for p in paths), what="the burst")
    await asyncio.sleep(0.1)  # a minute has not passed: the digest waits
    assert [len(sink.on(p)) for p in paths] == [3, 3, 3]
    clock.advance(61_000)
    await until(lambda: all(len(sink.on(p)) == 4 for p in paths), what="one digest per channel")
    digest = sink.on("/hook")[3].json
    assert digest["kind"] == "digest" and digest["total"] == 147 and digest["severity"] == "P1"
    assert digest["by_severity"] == {"P1": 17, "P2": 130}
    assert digest["title"] == "[P1] 147 more notifications (P1×17, P2×130)"
    assert [i["title"] for i in digest["items"][:2]] == ["alert 3", "alert 4"]
    assert "147 more notifications" in sink.on("/ding")[3].json["markdown"]["title"]
    assert "… and 137 more" in sink.on("/wx")[3].json["markdown"]["content"]
    # The same alerts firing again are duplicates: nothing more is sent.
    for n in storm:
        notifier.submit(n)
    clock.advance(61_000)
    await asyncio.sleep(0.1)
    assert [len(sink.on(p)) for p in paths] == [4, 4, 4]
    for ch in notifier.status().channels:
        assert (ch.sent, ch.coalesced, ch.suppressed, ch.filtered, ch.pending) == (4, 147, 150, 100, 0)
    await notifier.close(1.0)
    await task


async def test_a_storm_on_one_incident_key_is_one_message(sink):
    clock = ManualClock(T0)
    notifier = Notifier(storm_channels(sink.url), clock_ms=clock.now_ms, retry=FAST, tick_s=0.01)
    task = notifier.start()
    for i in range(200):
        notifier.submit(note(key="INC-1", title=f"INC-1: alert {i} joined", attrs={"fingerprint": f"fp-{i}"}))
    await until(lambda: all(c.sent == 1 for c in notifier.status().channels))
    clock.advance(120_000)
    await asyncio.sleep(0.05)
    assert all(len(sink.on(p)) == 1 for p in ("/hook", "/ding", "/wx"))
    assert {c.suppressed for c in notifier.status().channels} == {199}
    await notifier.close(1.0)
    await task


async def test_dedup_of_key_and_state():
    clock = ManualClock(T0)
    sent = []

    async def send(channel, out):
        sent.append((channel.name, out.subject))

    [ch] = channels({"name": "c", "kind": "webhook", "url": "https://h.example/x", "burst": 10, "dedup_minutes": 30})
    notifier = Notifier([ch], clock_ms=clock.now_ms, send=send, tick_s=0.01)
    task = notifier.start()

    async def submit_and_settle(n):
        notifier.submit(n)
        await asyncio.sleep(0.03)

    await submit_and_settle(note(state="firing", severity="P2", title="a"))
    await submit_and_settle(note(state="firing", severity="P2", title="a again"))  # duplicate
    await submit_and_settle(note(state="firing", severity="P0", title="a escalated"))  # more severe: sent
    await submit_and_settle(note(state="firing", severity="P1", title="a de-escalated"))  # duplicate
    await submit_and_settle(note(state="resolved", severity="P2", title="a resolved"))  # another state
    clock.advance(30 * 60_000)  # the window has passed
    await submit_and_settle(note(state="firing", severity="P2", title="a fires again"))
    assert [s for _, s in sent] == [
        "[P2] FIRING: a", "[P0] FIRING: a escalated", "[P2] RESOLVED: a resolved", "[P2] FIRING: a fires again",
    ]  # fmt: skip
    assert notifier.status().channels[0].suppressed == 2
    await notifier.close(1.0)
    await task


async def test_close_sends_an_open_digest_at_once():
    clock = ManualClock(T0)
    sent = []

    async def send(channel, out):
        sent.append(out)

    notifier = Notifier(channels({"name": "c", "kind": "webhook", "url": "https://h.example/x", "burst": 1}),
                        clock_ms=clock.now_ms, send=send, tick_s=0.01)  # fmt: skip
    task = notifier.start()
    for i in range(5):
        notifier.submit(note(key=f"k{i}"))
    await until(lambda: len(sent) == 1)
    assert await notifier.close(1.0) == 0
    await task
    assert len(sent) == 2 and sent[1].digest.total == 4 and sent[1].payload["kind"] == "digest"


async def test_a_channel_that_cannot_keep_up_folds_its_backlog_into_a_digest():
    release = asyncio.Event()
    sent = []

    async def send(channel, out):
        await release.wait()
        sent.append(out)

    notifier = Notifier(channels({"name": "c", "kind": "webhook", "url": "https://h.example/x", "burst": 100,
                                  "digest_minutes": 0}), send=send, max_pending=5, tick_s=0.01)  # fmt: skip
    task = notifier.start()
    for i in range(30):
        notifier.submit(note(key=f"k{i}", severity="P0" if i == 29 else "P2"))
    await until(lambda: notifier.status().channels[0].coalesced > 0)
    st = notifier.status().channels[0]
    assert st.pending == 30  # nothing lost: every notification is queued or in a digest
    release.set()
    await until(lambda: notifier.status().channels[0].pending == 0)
    assert sum(o.digest.total if o.digest else 1 for o in sent) == 30
    assert len(sent) <= 8
    assert any(o.notification and o.notification.key == "k29" for o in sent)  # the P0 kept its own message
    await notifier.close(1.0)
    await task


def test_a_full_queue_drops_the_oldest_least_severe_and_counts_it():
    notifier = Notifier(channels({"name": "c", "kind": "webhook", "url": "https://h.example/x"}), max_queue=10)
    for i in range(30):
        assert notifier.submit(note(key=f"k{i}", severity=["P0", "P3", "P2"][i % 3]))
    st = notifier.status()
    assert st.queued == 10 and st.dropped == 20
    assert st.drop_reasons == {"queue full (P3)": 10, "queue full (P2)": 10}


async def test_submit_refuses_what_it_cannot_take_without_raising():
    notifier = Notifier([])
    assert notifier.submit("not a notification") is False  # type: ignore[arg-type]
    assert await notifier.close(0.1) == 0
    assert notifier.submit(note()) is False
    assert notifier.status().drop_reasons == {"not a Notification": 1, "submitted after close": 1}
    with pytest.raises(ValueError, match="unknown severity 'critical'"):
        note(severity="critical")


async def test_a_bug_in_the_transport_is_a_failed_delivery_not_a_crash():
    async def send(channel, out):
        raise KeyError("boom")

    notifier = Notifier(channels({"name": "c", "kind": "webhook", "url": "https://h.example/x"}), send=send, retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].failed == 1)
    assert notifier.status().channels[0].last_error == "KeyError: 'boom'"
    await notifier.close(1.0)
    await task


# --- e-mail over a tiny SMTP server ---------------------------------------------------


@dataclass
class SmtpSink:
    port: int = 0
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    auth: list[tuple[str, str]] = field(default_factory=list)
    data_replies: list[str] = field(default_factory=list)  # scripted replies to DATA, then 250
    password: str = "hunter2-Secret"


@pytest.fixture
async def smtp():
    state = SmtpSink()

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(*lines: str) -> None:
            writer.write("".join(line + "\r\n" for line in lines).encode())

        mail_from, rcpts = "", []
        say("220 sink ESMTP")
        while line := await reader.readline():
            cmd = line.decode().rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb == "EHLO":
                say("250-sink", "250-AUTH PLAIN", "250 8BITMIME")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(cmd.split()[2]).decode().split("\0")
                state.auth.append((user, password))
                say("235 ok" if password == state.password else "535 5.7.8 bad credentials")
            elif verb == "MAIL":
                mail_from, rcpts = cmd.split(":", 1)[1].split()[0].strip("<>"), []
                say("250 ok")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                say("250 ok")
            elif verb == "DATA":
                say("354 go on")
                data = []
                while (chunk := await reader.readline()) != b".\r\n":
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                reply = state.data_replies.pop(0) if state.data_replies else "250 queued"
                if reply.startswith("250"):
                    state.messages.append(email.message_from_bytes(b"".join(data), policy=email.policy.default))
                    state.envelopes.append((mail_from, rcpts))
                say(reply)
            elif verb == "QUIT":
                say("221 bye")
                break
            else:
                say("250 ok")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    state.port = server.sockets[0].getsockname()[1]
    yield state
    server.close()
    await server.wait_closed()


def email_channel(port: int, **kw):
    spec = {"name": "mail", "kind": "email", "host": "127.0.0.1", "port": port, "starttls": False,
            "username": "alerts", "password": "hunter2-Secret", "from": "warroom@pay.example",
            "to": ["oncall@pay.example", "boss@pay.example"], "timeout_s": 2, **kw}  # fmt: skip
    return channels(spec)


async def test_email_subject_and_body(smtp):
    notifier = Notifier(email_channel(smtp.port, subject_prefix="[Warroom]"), retry=FAST)
    task = notifier.start()
    notifier.submit(note(url="https://runbooks.example/icbc", attrs={"service": "bank-icbc"}))
    await until(lambda: notifier.status().channels[0].sent == 1, what="mail sent")
    [msg] = smtp.messages
    assert msg["Subject"] == "[Warroom] [P1] FIRING: ICBC gateway p99 above 2 s"
    assert msg["From"] == "warroom@pay.example"
    assert msg["To"] == "oncall@pay.example, boss@pay.example"
    assert smtp.envelopes == [("warroom@pay.example", ["oncall@pay.example", "boss@pay.example"])]
    assert smtp.auth == [("alerts", "hunter2-Secret")]
    body = msg.get_content().replace("\r\n", "\n")  # CRLF on the wire
    assert msg.get_content_type() == "text/plain"
    assert body.startswith("[P1] FIRING: ICBC gateway p99 above 2 s\n\np99 2.4 s\n")
    lines = body.splitlines()
    expected = ["state: firing", "severity: P1", "key: INC-1", "service: bank-icbc"]
    for line in [*expected, "link: https://runbooks.example/icbc"]:
        assert line in lines
    await notifier.close(1.0)
    await task


async def test_email_temporary_failure_is_retried(smtp):
    smtp.data_replies = ["451 4.3.0 try later"]
    notifier = Notifier(email_channel(smtp.port), retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].sent == 1, what="mail after a retry")
    ch = notifier.status().channels[0]
    assert ch.retries == 1 and "SMTP 451" in ch.last_error and len(smtp.messages) == 1
    await notifier.close(1.0)
    await task


async def test_email_bad_login_fails_at_once_without_showing_the_password(smtp, caplog):
    caplog.set_level(logging.DEBUG, logger="warroom.io.notify")
    smtp.password = "something-else"
    notifier = Notifier(email_channel(smtp.port), retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: notifier.status().channels[0].failed == 1)
    ch = notifier.status().channels[0]
    assert ch.retries == 0 and "SMTP login refused: 535" in ch.last_error
    assert "hunter2-Secret" not in repr(notifier.status()) + caplog.text + repr(notifier.channels)
    await notifier.close(1.0)
    await task


# --- configuration --------------------------------------------------------------------


HOOK = {"name": "a", "kind": "webhook", "url": "https://h"}
MAIL = {"name": "m", "kind": "email", "host": "h", "from": "a@b", "to": ["c@d"]}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "a"},
         "channels[0] ('a'): field 'kind': must be one of webhook, dingtalk, wecom, email, apprise, got None"),
        ({**HOOK, "kind": "slack"}, "got 'slack' (for other services use kind apprise with an apprise URL, e.g. slack://…)"),
        ({"name": "a", "kind": "webhook"}, "channels[0] ('a'): field 'url': is required"),
        ({**HOOK, "url": "ftp://h/x?token=s3cr3t"},
         "field 'url': must be an http:// or https:// URL, got 'ftp://h/x?token=***'"),
        ({**HOOK, "min_serverity": "P1"}, "field 'min_serverity': unknown for kind 'webhook'"),
        ({**HOOK, "min_severity": "P9"}, "field 'min_severity': must be one of P0, P1, P2, P3, info"),
        ({**HOOK, "burst": 0}, "field 'burst': must be at least 1, got 0"),
        ({**HOOK, "per_minute": 0}, "field 'per_minute': must be more than 0"),
        ({**HOOK, "headers": ["x"]}, "field 'headers': must be a mapping"),
        ({**HOOK, "kind": "dingtalk", "secret": 123}, "field 'secret': must be a string, got a value (int)"),
        ({**HOOK, "kind": "wecom", "url": "https://h?key=${NOT_SET}"},
         "field 'url': environment variable NOT_SET is not set"),
        ({**MAIL, "to": []}, "channels[0] ('m'): field 'to': needs at least one address"),
        ({**MAIL, "ssl": True, "starttls": True}, "field 'starttls': cannot be used with ssl"),
        ({**MAIL, "from": "nobody"}, "field 'from': 'nobody' is not an e-mail address"),
        ({**MAIL, "host": None}, "field 'host': is required"),
        ({**MAIL, "port": 70000}, "field 'port': must be at most 65535"),
        ({**MAIL, "password": "pw"}, "field 'username': is required when a password is given"),
        ("just a string", "channels[0]: must be a mapping"),
    ],
)
def test_config_errors_name_the_channel_and_field(spec, message):
    with pytest.raises(NotifyConfigError) as err:
        load_channels({"channels": [spec]}, env={})
    assert message in str(err.value)
    assert "s3cr3t" not in str(err.value)


def test_config_duplicate_names_and_second_channel_index():
    ok = {"name": "a", "kind": "webhook", "url": "https://h"}
    with pytest.raises(NotifyConfigError, match=r"channels\[1\] \('a'\): field 'name': another channel"):
        load_channels({"channels": [ok, ok]})
    with pytest.raises(NotifyConfigError, match="unknown top-level field 'chanels'"):
        load_channels({"chanels": []})
    with pytest.raises(NotifyConfigError, match="defaults: field 'url' cannot be a default"):
        load_channels({"defaults": {"url": "https://h"}, "channels": []})


def test_config_defaults_env_and_disabled_channels():
    chs = load_channels(
        {
            "defaults": {"min_severity": "p1", "burst": 2, "per_minute": 4, "dedup_minutes": 5},
            "channels": [
                {"name": "d", "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=${TOK}",
                 "secret": "${SEC}", "burst": 7},
                {"name": "off", "kind": "wecom", "url": "https://h", "enabled": False},
                {"name": "m", "kind": "email", "host": "smtp.example", "ssl": True, "from": "a@b", "to": "c@d"},
            ],
        },
        env={"TOK": "tok-from-env", "SEC": "SEC-from-env"},
    )  # fmt: skip
    d, m = chs
    assert (d.url, d.secret, d.min_severity, d.burst, d.per_minute, d.dedup_ms) == (
        "https://oapi.dingtalk.com/robot/send?access_token=tok-from-env", "SEC-from-env", "P1", 7, 4.0, 300_000,
    )  # fmt: skip
    assert (m.port, m.ssl, m.starttls, m.to) == (465, True, False, ("c@d",))
    assert load_channels(None) == [] and load_channels({"channels": []}) == []


def test_yaml_file_errors_give_the_line(tmp_path):
    bad = tmp_path / "notify.yaml"
    bad.write_text("channels:\n  - name: a\n    kind: [webhook\n")
    with pytest.raises(NotifyConfigError, match=r"notify\.yaml: line \d+"):
        load_channels_file(bad)
    with pytest.raises(NotifyConfigError, match="cannot read"):
        load_channels_file(tmp_path / "missing.yaml")


def test_the_example_file_loads():
    env = {"DINGTALK_TOKEN": "t", "DINGTALK_SECRET": "s", "WECOM_KEY": "k", "SMTP_PASSWORD": "p", "WEBHOOK_TOKEN": "w",
           "FEISHU_TOKEN": "a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6"}  # fmt: skip
    chs = load_channels_file(REPO / "resources" / "notify.example.yaml", env=env)
    assert {c.kind for c in chs} == {"webhook", "dingtalk", "wecom", "email", "apprise"}


# --- secrets stay hidden --------------------------------------------------------------


def test_redaction_of_urls_and_text():
    assert redact_url("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=x%2By") == (
        "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=***&sign=***"
    )
    assert redact_url("https://user:pw@hooks.example/services/T0/B0/a1b2c3d4e5f6g7h8i9") == (
        "https://***@hooks.example/services/T0/B0/***"
    )
    assert redact_text("failed: <urlopen error https://h/x?key=abc> pw=hunter22", ["hunter22"]) == (
        "failed: <urlopen error https://h/x?key=***> pw=***"
    )
    assert redact_text("sign=ab%2Bcd%2F", ["ab+cd/"]) == "sign=***"


async def test_secrets_never_reach_repr_status_or_logs(dead_url, caplog):
    caplog.set_level(logging.DEBUG, logger="warroom.io.notify")
    secrets = ["dtTOKEN0123456789", "SECdingsecret0123", "wxKEY0123456789ab", "Bearer hook-0123456789", "smtpPASS0123"]
    chs = load_channels({"channels": [
        {"name": "d", "kind": "dingtalk", "url": f"{dead_url}/robot/send?access_token={secrets[0]}",
         "secret": secrets[1]},
        {"name": "w", "kind": "wecom", "url": f"{dead_url}/cgi-bin/webhook/send?key={secrets[2]}"},
        {"name": "h", "kind": "webhook", "url": f"{dead_url}/hook", "headers": {"Authorization": secrets[3]}},
        {"name": "m", "kind": "email", "host": "127.0.0.1", "port": int(dead_url.rsplit(":", 1)[1]), "starttls": False,
         "username": "u", "password": secrets[4], "from": "a@b.c", "to": ["d@e.f"], "timeout_s": 1},
    ]})  # fmt: skip
    notifier = Notifier(chs, retry=FAST)
    task = notifier.start()
    notifier.submit(note())
    await until(lambda: all(c.failed == 1 for c in notifier.status().channels), what="all four failing")
    shown = repr(chs) + str(chs) + repr(notifier.status()) + caplog.text
    shown += "".join(str(r.args) for r in caplog.records)
    for secret in secrets:
        assert secret not in shown
    assert "access_token=***" in repr(chs[0]) and "key=***" in notifier.status().channels[1].target
    await notifier.close(1.0)
    await task


def test_delivery_error_is_an_exception_with_a_permanent_flag():
    assert DeliveryError("x").permanent is False and DeliveryError("x", permanent=True).permanent is True


# --- from the event log ---------------------------------------------------------------


def test_alert_and_incident_events_become_notifications():
    alert = Event("alert-fp1-5-firing", 5, EventKind.ALERT, "payment-engine", "payment-engine error ratio 7%",
                  Severity.P1, {"fingerprint": "fp1", "state": "firing", "root_cause": "bank-icbc", "value": 0.07,
                                "threshold": 0.05, "runbook": "https://rb.example/pe", "tags": []})  # fmt: skip
    n = notification_from_event(alert)
    assert (n.key, n.state, n.severity, n.title, n.ts_ms, n.url) == (
        "alert:fp1", "firing", "P1", "payment-engine error ratio 7%", 5, "https://rb.example/pe",
    )  # fmt: skip
    assert n.text.splitlines() == [
        "Subject: payment-engine", "Probable root cause: bank-icbc", "Value 0.07 against threshold 0.05",
    ]  # fmt: skip
    assert n.attrs == {"fingerprint": "fp1", "root_cause": "bank-icbc", "value": 0.07, "threshold": 0.05}
    incident = Event("incident:INC-3:2", 9, EventKind.INCIDENT, "bank-icbc", "QR payment failing", Severity.P0,
                     {"incident": "INC-3", "action": "acknowledged", "state": "acknowledged", "actor": "li",
                      "comment": "on it", "root_cause": "bank-icbc"})  # fmt: skip
    m = notification_from_event(incident, url="https://wr.example/INC-3")
    assert (m.key, m.state, m.severity, m.url) == ("incident:INC-3", "acknowledged", "P0", "https://wr.example/INC-3")
    assert m.text.splitlines() == ["Subject: bank-icbc", "By li: on it"]
