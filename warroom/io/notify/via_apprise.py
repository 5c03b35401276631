"""The ``apprise`` channel kind: any service apprise knows, from one URL.

```yaml
- name: sre-feishu
  kind: apprise
  url: "feishu://${FEISHU_TOKEN}"          # or slack://…, tgram://…, pagerduty://…, mailtos://…
```

The notifier keeps doing what apprise does not: the severity filter, dedup, the token bucket
and digests, retries with backoff, and redaction. Apprise only delivers one message per
attempt: ``post()`` builds a fresh apprise service from the URL (so apprise's own per-service
throttle never sleeps between our retries) and calls its blocking ``Apprise.notify()``. The
notifier runs ``post()`` in a worker thread, never on the event loop.

What apprise 2.3 does, read from its source (``apprise/apprise.py``, ``result.py``,
``plugins/*.py``), and how it is used here:

- ``notify()`` is synchronous and returns an ``AppriseResult``: ``bool(result)`` is success;
  each service's result has its status (``SUCCESS``, ``FAILURE``, ``TIMEOUT``) and the log
  lines of the attempt (``result.logs()``, WARNING and above). There is no exception and no
  HTTP status field: the reason is only in those lines ("Failed to send … error=404."). They
  become the ``DeliveryError`` message, redacted; an ``error=4xx`` other than 408/429 marks the
  failure permanent, as for our own HTTP kinds.
- Apprise makes one attempt per call unless the URL says ``?retry=N``; that and ``?optional=yes``
  (a failure reported as success) are switched off on every service: retries stay ours.
- Its ``url(privacy=True)`` masks tokens; that is the channel's ``target``.
- Its plugins log request URLs (with tokens) at DEBUG on the ``apprise`` logger, so a filter
  on that logger hides every apprise channel's secrets before any handler sees a record.
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, ClassVar

from warroom.io.notify.channels import Channel
from warroom.io.notify.model import (
    DeliveryError,
    DigestSummary,
    Notification,
    Outgoing,
    redact_text,
)
from warroom.io.notify.render import (
    digest_headline,
    headline,
    markdown_digest,
    markdown_text,
    plain_digest,
    plain_text,
)

FORMATS = ("markdown", "text")
_HTTP_ERROR = re.compile(r"error=(\d{3})\b")
_HOSTISH = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")  # a DNS name or an IPv4 address: not a secret


def apprise_secrets(url: str) -> tuple[str, ...]:
    """The parts of an apprise URL that may be secret: every piece but the scheme and host names.

    Service URLs carry their tokens where an HTTP URL has its host (``dingtalk://TOKEN``,
    ``tgram://BOT_TOKEN/CHAT``), so only pieces that look like a DNS name or an IP address, and
    port numbers, are treated as harmless; everything else (user, password, path segments, query
    values) is hidden wherever it appears.
    """
    _, _, rest = url.partition("://")
    rest, _, query = rest.partition("?")
    pieces = [p for p in re.split(r"[/@:]+", rest) if p]
    found = [*pieces, *(urllib.parse.unquote(p) for p in pieces)]  # piecewise: hosts and paths stay readable
    found += [v for _, v in urllib.parse.parse_qsl(query)]
    return tuple(p for p in found if p and not _HOSTISH.fullmatch(p) and not (p.isdigit() and len(p) <= 5))


class _HideSecrets(logging.Filter):
    """On the ``apprise`` logger: rewrites every record without any apprise channel's secrets."""

    def __init__(self) -> None:
        super().__init__("")
        self.lock = threading.Lock()
        self.secrets: set[str] = set()

    def add(self, secrets: tuple[str, ...]) -> None:
        with self.lock:
            self.secrets.update(s for s in secrets if len(s) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a malformed record: show nothing of it rather than its arguments)
            message = "(unformattable apprise log record)"
        with self.lock:
            secrets = tuple(self.secrets)
        record.msg, record.args = redact_text(message, secrets), ()
        return True


_FILTER = _HideSecrets()
_FILTER_INSTALLED = False
_INSTALL_LOCK = threading.Lock()


def _guard_apprise_log(secrets: tuple[str, ...]) -> None:
    global _FILTER_INSTALLED
    _FILTER.add(secrets)
    with _INSTALL_LOCK:
        if not _FILTER_INSTALLED:
            logging.getLogger("apprise").addFilter(_FILTER)
            _FILTER_INSTALLED = True


def instantiate(url: str, timeout_s: float) -> Any:
    """A fresh apprise service for ``url`` (``None`` if apprise cannot use it)."""
    import apprise  # imported when first needed: apprise loads its plugin catalogue

    _guard_apprise_log(apprise_secrets(url))
    service = apprise.Apprise.instantiate(url)
    if service is not None:
        # requests' (connect, read) timeouts; apprise's defaults are 4 s each
        service.socket_connect_timeout = service.socket_read_timeout = timeout_s
        # A URL's ?retry=N would multiply our attempts, ?optional=yes would report a failure as
        # success: retries and outcomes are the notifier's (backoff, counts, permanent errors).
        service.retry, service.optional = 0, False
    return service


def _notify_type(severity: str, state: str) -> str:
    # apprise colours Slack/Teams/Discord cards by type
    if state.lower() in ("resolved", "closed", "recovered"):
        return "success"
    return {"P0": "failure", "P1": "failure", "P2": "warning"}.get(severity, "info")


@dataclass(frozen=True, kw_only=True, repr=False)
class AppriseChannel(Channel):
    """A channel delivered by apprise (``url``: an apprise URL; ``format``: markdown or text)."""

    kind: ClassVar[str] = "apprise"
    url: str
    format: str = "markdown"

    def __post_init__(self) -> None:
        service = instantiate(self.url, self.timeout_s)  # also hides this URL's secrets in apprise's log
        shown = service.url(privacy=True) if service is not None else self.url.partition("://")[0] + "://…"
        # apprise's query lists all its defaults: noise in a status line
        object.__setattr__(self, "_target", self.redact(shown.split("?", 1)[0]))
        object.__setattr__(self, "_service_name", str(getattr(service, "service_name", "") or ""))

    @property
    def target(self) -> str:
        """Apprise's own masked URL of the service, also passed through our redaction."""
        return self._target  # type: ignore[attr-defined]

    @property
    def service_name(self) -> str:
        """Apprise's name for the service (``"DingTalk"``, ``"Slack"``…); empty if it did not understand the URL."""
        return self._service_name  # type: ignore[attr-defined]

    @property
    def usable(self) -> bool:
        """Whether apprise understood the URL."""
        return bool(self.service_name)

    def secrets(self) -> tuple[str, ...]:
        return apprise_secrets(self.url)

    def _out(self, severity: str, subject: str, text: str, state: str, **kw: Any) -> Outgoing:
        payload = {"title": subject, "body": text, "format": self.format, "type": _notify_type(severity, state)}
        return Outgoing(self.name, self.kind, severity, subject, text, payload, **kw)

    def render(self, n: Notification) -> Outgoing:
        text = markdown_text(n) if self.format == "markdown" else plain_text(n)
        return self._out(n.severity, headline(n), text, n.state, notification=n)

    def render_digest(self, d: DigestSummary) -> Outgoing:
        text = markdown_digest(d) if self.format == "markdown" else plain_digest(d)
        return self._out(d.severity, digest_headline(d), text, "digest", digest=d)

    def post(self, out: Outgoing) -> None:
        import apprise

        service = instantiate(self.url, self.timeout_s)
        if service is None:  # checked when the file was loaded; a plugin may still refuse later
            raise DeliveryError(f"apprise cannot use the URL of channel {self.name!r}", permanent=True)
        sender = apprise.Apprise()
        sender.add(service)
        p = out.payload or {}
        result = sender.notify(
            body=p.get("body", out.text), title=p.get("title", out.subject),
            notify_type=p.get("type", "info"), body_format=p.get("format", self.format),
            timeout=self.timeout_s * 2 + 1,
        )  # fmt: skip
        if result:
            return
        lines = [e.message for e in result.logs() if e.message]
        detail = "; ".join(dict.fromkeys(lines))[:300] or "no reason given"
        timed_out = any(r.status == apprise.AppriseResultStatus.TIMEOUT for r in result)
        codes = [int(c) for c in _HTTP_ERROR.findall(detail)]
        permanent = bool(codes) and 400 <= codes[-1] < 500 and codes[-1] not in (408, 429)
        problem = f"apprise: {'timed out' if timed_out else 'delivery failed'}: {detail}"
        raise DeliveryError(self.redact(problem), permanent=permanent)


__all__ = ["FORMATS", "AppriseChannel", "apprise_secrets"]
