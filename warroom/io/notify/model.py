"""What a notification is, what goes out for it, and how secrets are kept out of sight.

Nothing here does I/O. ``redact_url`` and ``redact_text`` are used by every status line,
log record and error message of the notifier, so a robot token, a DingTalk secret or an
SMTP password never reaches the console or the log.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from warroom.core.model import Severity

SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)  # most severe first
_RANK = {s: i for i, s in enumerate(SEVERITIES)}

REDACTED = "***"


def severity_rank(severity: str) -> int:
    """0 for P0 (most severe) up to 4 for ``info``; raises ``ValueError`` for anything else."""
    try:
        return _RANK[Severity(severity).value]
    except ValueError:
        raise ValueError(f"unknown severity {severity!r} (expected one of {', '.join(SEVERITIES)})") from None


class NotifyConfigError(ValueError):
    """A channel configuration is wrong; the message names the channel and the field."""


class DeliveryError(Exception):
    """A delivery failed. ``permanent`` failures (HTTP 4xx, SMTP 5xx, bad credentials) are not retried.

    The message must already be free of secrets: channels build it with ``redact_text``.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Notification:
    """Something a person should hear about: an alert or incident changed state.

    ``key`` identifies the thing (an incident id, an alert fingerprint): the notifier sends a
    given (``key``, ``state``) once per channel within the channel's dedup window. ``ts_ms``
    is when it happened (feed time), shown in the message. ``url`` links to a runbook or the
    console. ``attrs`` is extra detail (service, scenario, value...), shown as a short list and
    sent as-is in the generic webhook body; it is copied, so later changes to the caller's
    dict do not reach a notification already submitted.
    """

    key: str
    state: str
    severity: str
    title: str
    text: str
    ts_ms: int
    url: str = ""
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError("Notification.key must be a non-empty string")
        severity_rank(self.severity)  # validates
        object.__setattr__(self, "severity", Severity(self.severity).value)
        object.__setattr__(self, "attrs", dict(self.attrs or {}))

    @property
    def rank(self) -> int:
        """``severity_rank(self.severity)``."""
        return _RANK[self.severity]


@dataclass(frozen=True)
class DigestSummary:
    """Many notifications folded into one message because a channel hit its rate limit.

    ``total`` counts every notification folded in; ``top`` keeps the most severe (then the
    oldest) of them for the message, at most ``DIGEST_KEEP``.
    """

    total: int
    by_severity: Mapping[str, int]
    by_state: Mapping[str, int]
    top: tuple[Notification, ...]

    @property
    def severity(self) -> str:
        """The most severe severity folded in."""
        return min(self.by_severity, key=_RANK.__getitem__) if self.by_severity else "info"


DIGEST_KEEP = 50


class DigestBuilder:
    """Collects the notifications of one digest; memory stays bounded whatever the storm."""

    def __init__(self, opened_ms: int) -> None:
        self.opened_ms = opened_ms
        self.total = 0
        self.by_severity: Counter[str] = Counter()
        self.by_state: Counter[str] = Counter()
        self._top: list[Notification] = []

    def __len__(self) -> int:
        return self.total

    @property
    def rank(self) -> int:
        """Rank of the most severe notification folded in (5 when empty)."""
        return min((_RANK[s] for s in self.by_severity), default=len(SEVERITIES))

    def add(self, n: Notification) -> None:
        """Fold in one notification."""
        self.total += 1
        self.by_severity[n.severity] += 1
        self.by_state[n.state] += 1
        self._keep(n)

    def merge(self, summary: DigestSummary) -> None:
        """Fold in a whole digest (one that could not be sent on its own)."""
        self.total += summary.total
        self.by_severity.update(summary.by_severity)
        self.by_state.update(summary.by_state)
        for n in summary.top:
            self._keep(n)

    def _keep(self, n: Notification) -> None:
        self._top.append(n)
        if len(self._top) > DIGEST_KEEP:
            self._top.sort(key=lambda m: (m.rank, m.ts_ms))
            del self._top[DIGEST_KEEP:]

    def summary(self) -> DigestSummary:
        """The digest as it stands."""
        top = tuple(sorted(self._top, key=lambda m: (m.rank, m.ts_ms)))
        order = sorted(self.by_severity, key=_RANK.__getitem__)
        return DigestSummary(
            self.total,
            {s: self.by_severity[s] for s in order},
            dict(self.by_state.most_common()),
            top,
        )


@dataclass(frozen=True)
class Outgoing:
    """One message rendered for one channel, as the transport will send it.

    ``subject`` is one line (e-mail subject, DingTalk title); ``text`` is the body (plain
    text for e-mail, markdown for the robots); ``payload`` is the JSON body for HTTP kinds
    (``None`` for e-mail). ``notification`` is set for a single message, ``digest`` for a
    digest.
    """

    channel: str
    kind: str
    severity: str
    subject: str
    text: str
    payload: Mapping[str, Any] | None
    notification: Notification | None = None
    digest: DigestSummary | None = None


# --- redaction --------------------------------------------------------------------------

_TOKENISH = re.compile(r"(?=.*\d)[A-Za-z0-9_\-.=%+]{16,}")
_URL_RE = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """The URL with credentials, query values, fragment and token-like path segments hidden.

    ``https://oapi.dingtalk.com/robot/send?access_token=abc`` becomes
    ``https://oapi.dingtalk.com/robot/send?access_token=***``; a path segment of 16 or more
    characters with a digit in it (Slack/Feishu-style hook tokens) becomes ``***``.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return REDACTED
    netloc = (f"{REDACTED}@" if "@" in parts.netloc else "") + (f"[{host}]" if ":" in host else host)
    if port is not None:
        netloc += f":{port}"
    path = "/".join(REDACTED if _TOKENISH.fullmatch(seg) else seg for seg in parts.path.split("/"))
    query = ""
    if parts.query:
        names = [p.split("=", 1)[0] for p in parts.query.split("&") if p]
        query = "?" + "&".join(f"{urllib.parse.unquote(k)[:32]}={REDACTED}" for k in names)
    return f"{parts.scheme}://{netloc}{path}{query}"


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every URL passed through ``redact_url`` and every known secret hidden.

    Secrets are also matched in their percent-encoded forms, as they appear in query strings.
    """
    out = str(text)
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        for form in {s, urllib.parse.quote(s, safe=""), urllib.parse.quote_plus(s)}:
            out = out.replace(form, REDACTED)
    return _URL_RE.sub(lambda m: redact_url(m.group(0)), out)
