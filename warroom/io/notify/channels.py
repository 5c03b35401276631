"""The four channel kinds: what each sends and how (blocking I/O, run in a worker thread).

- ``webhook``: ``POST`` of a generic JSON body (the notification's fields); any 2xx is success.
- ``dingtalk``: DingTalk custom robot, ``{"msgtype": "markdown", "markdown": {"title", "text"}}``,
  optionally signed (``timestamp`` and ``sign`` query parameters, HMAC-SHA256 of
  ``"{timestamp}\\n{secret}"`` keyed by the secret, base64, URL-encoded); success is
  HTTP 2xx *and* ``errcode == 0`` in the JSON answer.
- ``wecom``: WeCom group robot, ``{"msgtype": "markdown", "markdown": {"content"}}``; same
  success rule.
- ``email``: SMTP (plain, STARTTLS or implicit TLS), a plain-text message.

A channel's ``post(out)`` raises ``DeliveryError`` with a redacted message on failure, marked
``permanent`` when retrying cannot help (HTTP 4xx other than 408/429, SMTP 5xx, bad login).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import smtplib
import socket
import ssl as _ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, ClassVar

from warroom.core.clock import wall_ms
from warroom.io.notify.model import (
    DeliveryError,
    DigestSummary,
    Notification,
    Outgoing,
    redact_text,
    redact_url,
    severity_rank,
)
from warroom.io.notify.render import (
    DIGEST_LINES,
    clip_bytes,
    digest_headline,
    headline,
    markdown_digest,
    markdown_text,
    plain_digest,
    plain_text,
)

USER_AGENT = "warroom-notify/1"
_WECOM_MAX_BYTES = 4096  # WeCom rejects markdown content above 4096 bytes
_RESPONSE_LIMIT = 64 * 1024


def dingtalk_sign(timestamp_ms: int | str, secret: str) -> str:
    """DingTalk's robot signature: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")).

    Returned *un*-escaped; it is URL-encoded when put in the query string.
    """
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, kw_only=True, repr=False)
class Channel:
    """Where notifications go, with its filter and limits. Build with ``load_channels``.

    ``min_severity``: the least severe severity sent (default P2: P0–P2). ``states``: if not
    empty, only these states are sent. ``burst``/``per_minute``: the token bucket.
    ``dedup_ms``: how long a (key, state) once sent is not sent again. ``digest_ms``: how
    long a digest collects from its first notification before it goes out (when a token is
    free). ``timeout_s``: one delivery attempt's socket time limit. ``escalation``: a second
    channel that carries only missed response targets (``warroom.io.notify.escalation``).
    """

    kind: ClassVar[str] = ""
    name: str
    min_severity: str = "P2"
    states: frozenset[str] = frozenset()
    burst: int = 3
    per_minute: float = 6.0
    dedup_ms: int = 30 * 60_000
    digest_ms: int = 60_000
    timeout_s: float = 10.0
    escalation: bool = False

    def accepts(self, n: Notification) -> bool:
        """Whether ``n`` passes this channel's severity and state filter."""
        return n.rank <= severity_rank(self.min_severity) and (not self.states or n.state in self.states)

    @property
    def target(self) -> str:
        """Where it sends, with secrets redacted (for status and logs)."""
        raise NotImplementedError

    def secrets(self) -> tuple[str, ...]:
        """Strings that must never be shown (hidden from every error and log line)."""
        return ()

    def redact(self, text: str) -> str:
        """``text`` without this channel's secrets."""
        return redact_text(text, self.secrets())

    def render(self, n: Notification) -> Outgoing:
        """The message for one notification."""
        raise NotImplementedError

    def render_digest(self, d: DigestSummary) -> Outgoing:
        """The message for a digest."""
        raise NotImplementedError

    def post(self, out: Outgoing) -> None:
        """Deliver ``out`` (blocking; run it in a thread). Raises ``DeliveryError``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, target={self.target!r}, min_severity={self.min_severity!r})"

    __str__ = __repr__


@dataclass(frozen=True, kw_only=True, repr=False)
class _HttpChannel(Channel):
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    checks_errcode: ClassVar[bool] = False

    @property
    def target(self) -> str:
        return redact_url(self.url)

    def secrets(self) -> tuple[str, ...]:
        parts = urllib.parse.urlsplit(self.url)
        found = [self.url, parts.query, parts.password or "", parts.username or ""]
        found += [v for _, v in urllib.parse.parse_qsl(parts.query)]
        found += [v for _, v in self.headers]
        return tuple(found)

    def request_url(self) -> str:
        return self.url

    def post(self, out: Outgoing) -> None:
        body = json.dumps(out.payload, ensure_ascii=False, default=str).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT, **dict(self.headers)}
        request = urllib.request.Request(self.request_url(), data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                status, answer = response.status, response.read(_RESPONSE_LIMIT)
        except urllib.error.HTTPError as e:
            detail = e.read(512).decode("utf-8", "replace").strip() if e.fp else ""
            permanent = 400 <= e.code < 500 and e.code not in (408, 429)
            raise DeliveryError(self.redact(f"HTTP {e.code} {e.reason}: {detail}"[:300]), permanent=permanent) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
            reason = getattr(e, "reason", e)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise DeliveryError(f"timed out after {self.timeout_s:g} s") from None
            raise DeliveryError(self.redact(f"connection failed: {reason}")) from None
        if self.checks_errcode:
            self._check_errcode(status, answer)

    def _check_errcode(self, status: int, answer: bytes) -> None:
        try:
            doc = json.loads(answer.decode("utf-8"))
            code, msg = doc.get("errcode"), doc.get("errmsg", "")
        except (ValueError, AttributeError):
            problem = f"HTTP {status}: answer is not the robot's JSON: {answer[:200]!r}"
            raise DeliveryError(self.redact(problem)) from None
        if code != 0:
            raise DeliveryError(self.redact(f"robot answered errcode {code}: {msg}"[:300]))


@dataclass(frozen=True, kw_only=True, repr=False)
class WebhookChannel(_HttpChannel):
    """A generic JSON webhook."""

    kind: ClassVar[str] = "webhook"

    def render(self, n: Notification) -> Outgoing:
        payload = {
            "kind": "notification",
            "key": n.key,
            "state": n.state,
            "severity": n.severity,
            "title": n.title,
            "text": n.text,
            "ts_ms": n.ts_ms,
            "url": n.url,
            "attrs": dict(n.attrs),
        }
        return Outgoing(self.name, self.kind, n.severity, headline(n), plain_text(n), payload, notification=n)

    def render_digest(self, d: DigestSummary) -> Outgoing:
        items = [
            {"key": n.key, "state": n.state, "severity": n.severity, "title": n.title, "ts_ms": n.ts_ms, "url": n.url}
            for n in d.top[: DIGEST_LINES * 2]
        ]
        payload = {
            "kind": "digest",
            "severity": d.severity,
            "title": digest_headline(d),
            "text": plain_digest(d),
            "total": d.total,
            "by_severity": dict(d.by_severity),
            "by_state": dict(d.by_state),
            "items": items,
        }
        return Outgoing(self.name, self.kind, d.severity, digest_headline(d), plain_digest(d), payload, digest=d)


@dataclass(frozen=True, kw_only=True, repr=False)
class DingTalkChannel(_HttpChannel):
    """A DingTalk custom robot (``https://oapi.dingtalk.com/robot/send?access_token=…``)."""

    kind: ClassVar[str] = "dingtalk"
    checks_errcode: ClassVar[bool] = True
    secret: str = field(default="", repr=False)
    keyword: str = ""  # for robots secured by "custom keywords": put in every title
    at_mobiles: tuple[str, ...] = ()
    at_all: bool = False

    def secrets(self) -> tuple[str, ...]:
        return (*super().secrets(), self.secret)

    def request_url(self) -> str:
        if not self.secret:
            return self.url
        ts = wall_ms()  # DingTalk refuses a timestamp more than an hour from its own clock
        extra = urllib.parse.urlencode({"timestamp": ts, "sign": dingtalk_sign(ts, self.secret)})
        return self.url + ("&" if urllib.parse.urlsplit(self.url).query else "?") + extra

    def _payload(self, title: str, text: str) -> dict[str, Any]:
        if self.keyword:
            title = f"{self.keyword} {title}"
            text = f"{self.keyword}\n\n{text}"
        if self.at_mobiles:
            text += "\n\n" + " ".join(f"@{m}" for m in self.at_mobiles)
        payload: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if self.at_mobiles or self.at_all:
            payload["at"] = {"atMobiles": list(self.at_mobiles), "isAtAll": self.at_all}
        return payload

    def render(self, n: Notification) -> Outgoing:
        text = markdown_text(n)
        title = headline(n)
        return Outgoing(self.name, self.kind, n.severity, title, text, self._payload(title, text), notification=n)

    def render_digest(self, d: DigestSummary) -> Outgoing:
        title, text = digest_headline(d), markdown_digest(d)
        return Outgoing(self.name, self.kind, d.severity, title, text, self._payload(title, text), digest=d)


@dataclass(frozen=True, kw_only=True, repr=False)
class WeComChannel(_HttpChannel):
    """A WeCom group robot (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``)."""

    kind: ClassVar[str] = "wecom"
    checks_errcode: ClassVar[bool] = True

    def _out(self, severity: str, subject: str, text: str, **kw: Any) -> Outgoing:
        content = clip_bytes(text, _WECOM_MAX_BYTES)
        payload = {"msgtype": "markdown", "markdown": {"content": content}}
        return Outgoing(self.name, self.kind, severity, subject, content, payload, **kw)

    def render(self, n: Notification) -> Outgoing:
        return self._out(n.severity, headline(n), markdown_text(n, wecom=True), notification=n)

    def render_digest(self, d: DigestSummary) -> Outgoing:
        return self._out(d.severity, digest_headline(d), markdown_digest(d), digest=d)


@dataclass(frozen=True, kw_only=True, repr=False)
class EmailChannel(Channel):
    """E-mail over SMTP. ``ssl``: implicit TLS (port 465); ``starttls``: upgrade (port 587)."""

    kind: ClassVar[str] = "email"
    host: str
    port: int = 587
    ssl: bool = False
    starttls: bool = True
    username: str = ""
    password: str = field(default="", repr=False)
    sender: str
    to: tuple[str, ...]
    subject_prefix: str = ""

    @property
    def target(self) -> str:
        user = f"{self.username}@" if self.username else ""
        return f"smtp://{user}{self.host}:{self.port} → {', '.join(self.to)}"

    def secrets(self) -> tuple[str, ...]:
        return (self.password,)

    def _subject(self, subject: str) -> str:
        return f"{self.subject_prefix} {subject}".strip()

    def render(self, n: Notification) -> Outgoing:
        subject = self._subject(headline(n))
        return Outgoing(self.name, self.kind, n.severity, subject, plain_text(n), None, notification=n)

    def render_digest(self, d: DigestSummary) -> Outgoing:
        subject = self._subject(digest_headline(d))
        return Outgoing(self.name, self.kind, d.severity, subject, plain_digest(d), None, digest=d)

    def message(self, out: Outgoing) -> EmailMessage:
        """The MIME message for ``out``."""
        msg = EmailMessage()
        msg["Subject"] = out.subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain="warroom.local")
        msg.set_content(out.text)
        return msg

    def post(self, out: Outgoing) -> None:
        context = _ssl.create_default_context()
        try:
            if self.ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with smtp:
                smtp.ehlo()
                if self.starttls and not self.ssl:
                    smtp.starttls(context=context)
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(self.message(out))
        except smtplib.SMTPAuthenticationError as e:
            problem = f"SMTP login refused: {e.smtp_code} {_smtp_text(e)}"
            raise DeliveryError(self.redact(problem), permanent=True) from None
        except smtplib.SMTPRecipientsRefused as e:
            problem = f"SMTP refused every recipient: {', '.join(e.recipients)}"
            raise DeliveryError(self.redact(problem), permanent=True) from None
        except smtplib.SMTPResponseException as e:
            permanent = 500 <= e.smtp_code < 600
            raise DeliveryError(self.redact(f"SMTP {e.smtp_code} {_smtp_text(e)}"), permanent=permanent) from None
        except (socket.timeout, TimeoutError):
            raise DeliveryError(f"SMTP timed out after {self.timeout_s:g} s") from None
        except (smtplib.SMTPException, OSError) as e:
            raise DeliveryError(self.redact(f"SMTP failed: {type(e).__name__}: {e}")) from None


def _smtp_text(e: smtplib.SMTPResponseException) -> str:
    msg = e.smtp_error
    return (msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)).strip()[:200]


KINDS: dict[str, type[Channel]] = {c.kind: c for c in (WebhookChannel, DingTalkChannel, WeComChannel, EmailChannel)}

__all__ = [
    "Channel",
    "DingTalkChannel",
    "EmailChannel",
    "KINDS",
    "WeComChannel",
    "WebhookChannel",
    "dingtalk_sign",
]
