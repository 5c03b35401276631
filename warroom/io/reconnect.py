"""A feed connection's vocabulary: its states, how it ended, how soon to try again, what it lost.

``ConnectionState``, ``FeedStatus`` (a state change) and ``FeedNotice`` (a fact for the event
log) are what ``warroom.io.client.FeedClient`` puts on its queue besides messages.

``CloseInfo`` says who closed a WebSocket connection and how, as the close frames said it:
``closed by server: 4008 slow consumer``, ``closed by us: 1009 message too big (…)``,
``closed by us: 1001 going away (no data for 12 s)``, ``connection lost: no close frame (1006)``.

``Backoff`` is exponential with jitter. The feed client keeps two: one for "weather" (refused,
reset, lost, closed by the server), capped at 2 s so that a console is back within about 2 s of
its feed; and a slow one for configuration problems (a refused token, no common protocol
version, a hello the codec refuses, TLS), which cannot mend themselves.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from warroom.core.language.text import terminal_safe
from warroom.protocol import Hello

#: The capability a feed with a replay buffer lists in its hello (docs/protocol.md).
RESUME_CAPABILITY = "resume"

#: Standard words for the close codes a feed connection meets.
CLOSE_CODES = {
    1000: "normal closure", 1001: "going away", 1002: "protocol error", 1003: "unsupported data",
    1006: "connection lost", 1007: "invalid data", 1008: "policy violation", 1009: "message too big",
    1011: "server error", 1012: "service restart", 1013: "try again later", 4008: "slow consumer",
}
#: Closes by the server that say our request is wrong: retrying soon cannot help.
CONFIG_CLOSES = frozenset({1002, 1003, 1008})


@dataclass(frozen=True)
class CloseInfo:
    """How a connection ended: who closed it (``server``, ``us`` or ``network``), code, reason."""

    by: str
    code: int
    reason: str = ""  # as the close frame gave it (terminal-safe)

    def describe(self) -> str:
        """``closed by server: 4008 slow consumer``; ``connection lost: no close frame (1006)``."""
        if self.by == "network":
            return f"connection lost: no close frame ({self.code})"
        words = CLOSE_CODES.get(self.code, "")
        if self.reason and self.reason != words:
            words = f"{words} ({self.reason})" if words else self.reason
        return f"closed by {self.by}: {self.code}" + (f" {words}" if words else "")

    @property
    def config_problem(self) -> bool:
        """True when the server said our request was wrong (retry slowly)."""
        return self.by == "server" and self.code in CONFIG_CLOSES

    def attrs(self) -> dict[str, Any]:
        """For a ``feed`` event: ``closed_by``, ``close_code``, ``close_reason``."""
        return {"closed_by": self.by, "close_code": self.code, "close_reason": self.reason}


class ConnectionState(str, enum.Enum):
    """Where the connection stands."""

    CONNECTING = "connecting"
    LIVE = "live"
    STALE = "stale"  # connected, but nothing (not even a heartbeat) for stale_after_s
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class FeedStatus:
    """A state change, with the reason in words a person can act on."""

    state: ConnectionState
    reason: str = ""
    at_ms: int = 0  # feed time of the change (wall time before the first hello)
    server_id: str = ""
    attempt: int = 0
    close: CloseInfo | None = None  # how the connection ended (a disconnect after one)


@dataclass(frozen=True)
class FeedNotice:
    """A fact about the feed for the event log that is not a state change.

    ``what``: ``clock_reset`` (another server, or its time went back: the per-series memory
    was forgotten) or ``gap`` (data between ``attrs["gap_from"]`` and ``attrs["gap_to"]``
    that the feed could not resend).
    """

    what: str
    text: str
    at_ms: int
    attrs: Mapping[str, Any] = field(default_factory=dict)


def close_info(rcvd: Any, sent: Any, rcvd_then_sent: bool | None) -> CloseInfo:
    """Who closed, from the close frames received and sent (websockets' ``Close`` objects, or None).

    The side whose close frame came first closed: the server when we received one before
    sending ours (or never sent one), us when we sent first; neither frame means the TCP
    connection was lost (1006).
    """
    if rcvd is not None and (sent is None or rcvd_then_sent):
        return CloseInfo("server", rcvd.code, terminal_safe(rcvd.reason))
    if sent is not None:
        return CloseInfo("us", sent.code, terminal_safe(sent.reason))
    return CloseInfo("network", 1006)


def close_text(text: str) -> str:
    """A close reason to send: terminal-safe, at most 123 bytes of UTF-8 (RFC 6455), cut on a
    character boundary."""
    return terminal_safe(text).encode()[:123].decode("utf-8", "ignore")


@dataclass
class Backoff:
    """Exponential backoff with jitter: ``initial·2^n`` capped at ``maximum``, times U(0.5, 1).

    The jitter keeps a wall of consoles from reconnecting in lock step after a restart. The
    defaults are the client's "weather" policy: 0.25–0.5 s, 0.5–1 s, then 1–2 s for ever.
    """

    initial: float = 0.5
    maximum: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; advances the attempt counter."""
        base = min(self.maximum, self.initial * (2 ** min(self.attempt, 60)))
        self.attempt += 1
        return base * self.rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        """Start again from ``initial`` (after a connection that held)."""
        self.attempt = 0


def resume_gap(hello: Hello, since: int | None) -> tuple[str, int] | None:
    """``(why, gap_to)`` when the feed cannot resend everything after ``since``, else None.

    No ``resume`` capability, or a ``resume`` feed with nothing buffered: the gap runs to the
    hello's ``server_time``. A replay buffer that starts after ``since + 1``: to ``resume_from``.
    """
    if since is None:
        return None
    if RESUME_CAPABILITY not in hello.capabilities:
        why, gap_to = "the feed keeps no replay buffer", hello.server_time
    elif hello.resume_from is None:
        why, gap_to = "the feed has nothing to resend", hello.server_time
    elif hello.resume_from > since + 1:  # since + 1 onwards is what we asked for
        why, gap_to = "the feed's replay buffer starts later", hello.resume_from
    else:
        return None
    return (why, gap_to) if gap_to > since else None


def iso_ms(ms: int | None) -> str:
    """Epoch ms as ``2026-01-01T00:00:00.000Z`` (``?`` for None)."""
    if ms is None:
        return "?"
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def slow_backoff() -> Backoff:
    """The policy for configuration problems: 7.5–15 s, 15–30 s, then 30–60 s."""
    return Backoff(initial=15.0, maximum=60.0)


__all__ = [
    "CLOSE_CODES", "RESUME_CAPABILITY", "Backoff", "CloseInfo", "ConnectionState", "FeedNotice", "FeedStatus",
    "close_info", "close_text", "iso_ms", "resume_gap", "slow_backoff",
]
