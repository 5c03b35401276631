"""Why a feed cannot be used, as one of a few reasons a person can act on (GUI-free).

The feed client and the one-shot connections meet many exceptions (``OSError`` with an
errno, websockets' ``InvalidURI``/``InvalidStatus``, ``ssl`` errors, timeouts, a hello the
codec refuses) and describe them in technical English (``cannot connect: [Errno 111]
Connect call failed ('127.0.0.1', 18949); retrying in 1.7 s``). A wall needs a sentence, in
the room's language: "Cannot reach 127.0.0.1:18949: connection refused".

``FeedProblem`` is that reason: a ``kind`` (``ProblemKind``), the ``target`` (host:port, never
a token or query) and the technical ``detail`` (for tooltips and logs). The UI turns the kind
into a translated sentence (``warroom.ui.start.feed_reason``); ``describe()`` is the English one for
the command line and logs.

Three ways in:

* ``check_url(url)`` before connecting: an address that cannot work (no ``ws://``, no host,
  a bad port), with a suggestion (``127.0.0.1:18949`` → ``ws://127.0.0.1:18949``);
* ``classify_exception(exc, url)`` where the exception is at hand (the connection test);
* ``classify_reason(text, url)`` from a ``FeedStatus.reason`` the client wrote (the live
  console, and recorded ``feed`` events in a history), so the words the client uses and the
  classes here are tested together (tests/io/test_feed_problem.py).
"""

from __future__ import annotations

import enum
import errno
import re
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI


class ProblemKind(str, enum.Enum):
    """The few reasons a feed cannot be used."""

    BAD_URL = "bad_url"  # not a ws:// or wss:// address with a host
    DNS = "dns"  # the host name is unknown
    REFUSED = "refused"  # nothing listens on that port
    UNREACHABLE = "unreachable"  # no route to the host or network
    TIMEOUT = "timeout"  # no answer (or no hello) in time
    TLS = "tls"  # the secure connection failed (certificate, wss:// to a ws:// server…)
    INSECURE = "insecure"  # we will not send the token unencrypted off this machine
    AUTH = "auth"  # the feed refused our token, or wants one (HTTP 401/403)
    NOT_FEED = "not_feed"  # something answered, but not a websocket feed (HTTP 404, 200…)
    PROTOCOL = "protocol"  # a feed, but no common protocol version or a hello we cannot use
    CLOSED = "closed"  # the feed closed the connection, or it was lost
    OTHER = "other"


#: Whether retrying soon can help: the others are configuration, not weather.
WEATHER = frozenset({ProblemKind.REFUSED, ProblemKind.UNREACHABLE, ProblemKind.TIMEOUT, ProblemKind.CLOSED,
                     ProblemKind.DNS, ProblemKind.OTHER})


@dataclass(frozen=True)
class FeedProblem:
    """Why a feed cannot be used: ``kind``, ``target`` (``host:port``) and the technical ``detail``.

    ``suggestion`` is a corrected address for ``BAD_URL`` when one is obvious; ``retrying``
    is True when the client said it will try again by itself.
    """

    kind: ProblemKind
    target: str
    detail: str = ""
    suggestion: str = ""
    retrying: bool = False

    def describe(self) -> str:
        """The reason as one English sentence (the UI translates the kind itself)."""
        t = self.target or "the feed"
        text = {
            ProblemKind.BAD_URL: f'"{t}" is not a feed address: it must look like ws://HOST:PORT or wss://HOST:PORT',
            ProblemKind.DNS: f"Cannot reach {t}: the host name is unknown",
            ProblemKind.REFUSED: f"Cannot reach {t}: connection refused",
            ProblemKind.UNREACHABLE: f"Cannot reach {t}: the network or host is unreachable",
            ProblemKind.TIMEOUT: f"Cannot reach {t}: no answer in time",
            ProblemKind.TLS: f"Cannot connect securely to {t}: the TLS connection failed",
            ProblemKind.INSECURE: f"Will not send the access token unencrypted to {t}: use wss://",
            ProblemKind.AUTH: f"{t} refused access: check the access token",
            ProblemKind.NOT_FEED: f"{t} answered, but it is not a Warroom feed",
            ProblemKind.PROTOCOL: f"{t} is a feed this console cannot read (protocol version)",
            ProblemKind.CLOSED: f"The connection to {t} was closed",
            ProblemKind.OTHER: f"Cannot connect to {t}",
        }[self.kind]
        if self.suggestion:
            text += f" (did you mean {self.suggestion}?)"
        return text


def target_of(url: str) -> str:
    """``host:port`` of a feed address for people (no scheme, user info, path or query)."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # a bad port: show what was written
        return text.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host or text


def check_url(url: str) -> FeedProblem | None:
    """A ``BAD_URL`` problem when ``url`` cannot be a feed address, else None (no network used)."""
    text = (url or "").strip()
    if not text:
        return FeedProblem(ProblemKind.BAD_URL, "", "no feed address given")
    if "://" not in text:
        return FeedProblem(ProblemKind.BAD_URL, text, "no ws:// or wss:// at the start", suggestion=f"ws://{text}")
    scheme, rest = text.split("://", 1)
    if scheme.lower() in ("http", "https"):
        fixed = ("wss://" if scheme.lower() == "https" else "ws://") + rest
        return FeedProblem(ProblemKind.BAD_URL, text, f"{scheme}:// is not a websocket address", suggestion=fixed)
    if scheme.lower() not in ("ws", "wss"):
        return FeedProblem(ProblemKind.BAD_URL, text, f"unknown scheme {scheme}://")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return FeedProblem(ProblemKind.BAD_URL, text, f"bad port: {exc}")
    if not parts.hostname:
        return FeedProblem(ProblemKind.BAD_URL, text, "no host name")
    if port == 0:
        return FeedProblem(ProblemKind.BAD_URL, text, "port 0")
    return None


_DNS_ERRNOS = {-2, -3, -5, -8, 8, 11001, 11004}  # EAI_NONAME, EAI_AGAIN, EAI_NODATA, EAI_SERVICE; macOS, Windows
_UNREACHABLE_ERRNOS = {getattr(errno, n) for n in ("ENETUNREACH", "EHOSTUNREACH", "EHOSTDOWN", "ENETDOWN")
                       if hasattr(errno, n)}


def classify_exception(exc: BaseException, url: str) -> FeedProblem:
    """The reason behind an exception from connecting to (or talking with) the feed at ``url``."""
    target = target_of(url)
    detail = _detail(exc)
    bad = check_url(url)
    if isinstance(exc, InvalidURI) or bad is not None:
        return bad or FeedProblem(ProblemKind.BAD_URL, target, detail)
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        kind = ProblemKind.AUTH if status in (401, 403) else ProblemKind.NOT_FEED
        return FeedProblem(kind, target, f"HTTP {status}")
    if isinstance(exc, ssl.SSLError):  # SSLCertVerificationError too
        return FeedProblem(ProblemKind.TLS, target, detail)
    if isinstance(exc, TimeoutError):
        return FeedProblem(ProblemKind.TIMEOUT, target, detail or "timed out")
    if isinstance(exc, ConnectionClosed):
        return FeedProblem(ProblemKind.CLOSED, target, detail)
    if isinstance(exc, ConnectionRefusedError):
        return FeedProblem(ProblemKind.REFUSED, target, detail)
    if isinstance(exc, OSError):
        code = exc.errno
        if code == errno.ECONNREFUSED:
            return FeedProblem(ProblemKind.REFUSED, target, detail)
        if code in _UNREACHABLE_ERRNOS:
            return FeedProblem(ProblemKind.UNREACHABLE, target, detail)
        if code == errno.ETIMEDOUT:
            return FeedProblem(ProblemKind.TIMEOUT, target, detail)
        if code in _DNS_ERRNOS or type(exc).__name__ == "gaierror":
            return FeedProblem(ProblemKind.DNS, target, detail)
        # asyncio joins the errors of every address it tried into one OSError without errno.
        return classify_reason(detail, url) or FeedProblem(ProblemKind.OTHER, target, detail)
    if isinstance(exc, InvalidHandshake):
        return FeedProblem(ProblemKind.NOT_FEED, target, detail)
    return classify_reason(detail, url) or FeedProblem(ProblemKind.OTHER, target, detail)


# What the feed client writes (warroom.io.client, warroom.io.auth), most specific first.
_REASONS: tuple[tuple[ProblemKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
        (ProblemKind.BAD_URL, r"invalid feed address|isn't a valid URI|not a valid URI"),
        (ProblemKind.INSECURE, r"refusing to send the token unencrypted"),
        (ProblemKind.AUTH, r"refused (our|the) token|requires a token|refused us|HTTP 40[13]\b"),
        (ProblemKind.PROTOCOL, r"protocol mismatch|hello was refused|bad hello|not a compatible Warroom feed"),
        (ProblemKind.TLS, r"\bTLS\b|\bSSL\b|certificate"),
        (ProblemKind.DNS, (r"Name or service not known|nodename nor servname|Temporary failure in name resolution"
                           r"|No address associated|getaddrinfo|\[Errno -[2358]\]")),
        (ProblemKind.REFUSED, r"Connect call failed|Connection refused|\[Errno 111\]|\[Errno 61\]|WinError 1225"),
        (ProblemKind.UNREACHABLE, r"Network is unreachable|No route to host|Host is down|\[Errno 11[03]\]"),
        (ProblemKind.TIMEOUT, r"no answer from the feed|no hello from the feed|no hello within|timed out|timeout"),
        (ProblemKind.NOT_FEED, r"rejected WebSocket connection|HTTP \d{3}|did not receive a valid HTTP"),
        (ProblemKind.CLOSED, r"closed by server|closed by us|connection lost|closed the connection"),
    )
)
_RETRY = re.compile(r";\s*(retrying in [\d.]+ s|not retrying)\s*$")


def classify_reason(text: str, url: str = "") -> FeedProblem | None:
    """The reason behind a feed client's status text (``FeedStatus.reason``), or None when the
    text names no problem (``live from sim-7``, ``connecting to …``)."""
    if not text:
        return None
    detail = text.strip()
    retrying = False
    m = _RETRY.search(detail)
    if m:
        retrying = m.group(1).startswith("retrying")
        detail = detail[: m.start()].rstrip()
    target = target_of(url) if url else _target_in(detail)
    for kind, pattern in _REASONS:
        if pattern.search(detail):
            suggestion = ""
            if kind is ProblemKind.BAD_URL and url:
                bad = check_url(url)
                suggestion = bad.suggestion if bad is not None else ""
                target = url.strip()  # as written: "x:1" of "http://x:1" would hide the mistake
            return FeedProblem(kind, target, detail, suggestion, retrying)
    if detail.startswith("cannot connect"):
        return FeedProblem(ProblemKind.OTHER, target, detail, retrying=retrying)
    return None


def _target_in(text: str) -> str:
    """``host:port`` named in a client reason (``('127.0.0.1', 18949)``, ``ws://h:1``), or ''."""
    m = re.search(r"invalid feed address: (\S+) isn't", text)
    if m:
        return m.group(1)
    m = re.search(r"\('([^']+)', (\d+)\)", text)
    if m:
        return f"{m.group(1)}:{m.group(2)}"
    m = re.search(r"wss?://[^\s;,)]+", text)
    return target_of(m.group(0)) if m else ""


def _detail(exc: BaseException) -> str:
    text = str(exc).strip()
    words = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return " ".join(words.split())[:300]


__all__ = ["WEATHER", "FeedProblem", "ProblemKind", "check_url", "classify_exception", "classify_reason",
           "target_of"]
