"""The feed server's parts that are not the server: its source, one client link, counters.

``FeedSource`` is what a feed plugs into ``warroom.io.server.FeedServer`` (the simulator,
later the gateway). ``Link`` is one client connection as the server sees it, from its
``hello`` on: the bounded queue its writer drains, its own ``seq`` counter, and what its
``subscribe`` asked for. ``ServerStats`` are the server's counters. ``check_token`` and
``forbidden`` are the server's two access decisions (docs/security.md).
"""

from __future__ import annotations

import asyncio
import http
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import MultipleValuesError
from websockets.http11 import Request, Response

from warroom.io.auth import (
    Identity,
    Role,
    TokenStore,
    is_loopback,
    parse_bearer,
    required_role,
)
from warroom.protocol import Command, CommandResult, DecodeResult, ErrorCode, Message
from warroom.protocol.messages import RESULT_FORBIDDEN

# The server's logger: these are the server's decisions, wherever the code lives.
log = logging.getLogger("warroom.io.server")

#: The stream each broadcast message type belongs to (``subscribe.streams``).
STREAM_OF = {"topology": "topology", "metrics": "metrics", "events": "events", "plan_catalogue": "plans"}

#: What a link's queue holds: a frame, or a whole catch-up (one slot, so a long one does not
#: count as a slow consumer) whose metric frames are encoded when the writer gets to them.
Frame = bytes | list[bytes | Callable[[], bytes]]


class FeedSource(Protocol):
    """What the server needs from whatever produces the feed.

    A source may also have a ``feed_name`` attribute: the server's default ``server_id``
    (the simulator's is ``sim-<seed>``).
    """

    speed: float

    def now_ms(self) -> int:
        """The feed's current time (epoch ms in its own time base)."""
        ...  # pragma: no cover

    def snapshot_messages(self) -> list[Message]:
        """Messages that bring a new client up to date (topology, plan catalogue...)."""
        ...  # pragma: no cover

    async def handle_command(self, command: Command, client_id: str) -> list[CommandResult]:
        """Carry out (or refuse) a command; return its results in order."""
        ...  # pragma: no cover


@dataclass(eq=False)  # identity semantics: links live in sets
class Link:
    """One client connection, from ``hello`` on (``client_id`` etc. are set at ``subscribe``)."""

    connection: ServerConnection
    queue: asyncio.Queue[Frame]
    client_id: str = "?"  # until its subscribe arrives
    streams: frozenset[str] = frozenset()
    encoding: str = "json"
    identity: Identity = Identity("", Role.VIEWER, False)
    peer: str = ""
    dropped: bool = False
    seq: int = 0  # per connection, so a client subscribed to some streams sees no false gaps

    def next_seq(self) -> int:
        """The ``seq`` of the next frame queued for this link."""
        self.seq += 1
        return self.seq

    def wants(self, message: Message) -> bool:
        """Whether the client subscribed to the stream of ``message`` (or it has none)."""
        stream = STREAM_OF.get(message.TYPE)
        return stream is None or stream in self.streams


@dataclass
class ServerStats:
    """Counters for logs and tests."""

    connections: int = 0
    slow_consumers: int = 0
    frames_broadcast: int = 0
    bad_client_frames: int = 0  # refused client frames, oversized ones included
    oversized_client_frames: int = 0  # of which too large (error ``oversized`` or close 1009)
    resumed: int = 0  # subscribes with ``since`` served from the replay buffer
    resent_points: int = 0  # points sent again to resuming clients
    resume_gaps: int = 0  # resuming clients whose ``since`` was older than the buffer
    rejected_versions: int = 0
    auth_failures: int = 0  # connections refused with HTTP 401 (no or unknown token)
    forbidden_commands: int = 0  # commands refused because of the connection's role
    clients_now: int = 0
    events: list[str] = field(default_factory=list)


def is_oversized(result: DecodeResult) -> bool:
    """True when the decoder dropped the frame unread for its size."""
    return bool(result.errors) and result.errors[0].code is ErrorCode.OVERSIZED


def error_text(result: DecodeResult, msg: Message | None) -> str:
    """The text of an ``error`` frame: the decoder's code and message, e.g. ``non_finite: ...``."""
    if result.errors:
        first = result.errors[0]
        return f"{first.code.value}: {first.message}"
    return f"unexpected {msg.TYPE if msg else 'frame'}"


def peer_host(connection: ServerConnection) -> str:
    """The client's address, for logs and the loopback check ('' if unknown)."""
    try:
        addr = connection.remote_address
    except Exception:  # transport already gone
        return ""
    if isinstance(addr, (tuple, list)) and addr:
        return str(addr[0])
    return ""


def check_token(connection: ServerConnection, request: Request, tokens: TokenStore | None) -> Identity | Response:
    """Who is this, from the upgrade request: an identity, or the HTTP 401 to answer with.

    Without a token store, loopback clients are commanders and the others viewers.
    """
    peer = peer_host(connection)
    if tokens is None:
        return Identity("", Role.COMMANDER if is_loopback(peer) else Role.VIEWER, authenticated=False)
    try:
        token = parse_bearer(request.headers.get("Authorization"))
    except MultipleValuesError:
        token = None
    identity = tokens.authenticate(token)
    if identity is not None:
        return identity
    why = "no bearer token" if token is None else "unknown token"
    log.warning("refused a connection from %s: %s", peer or "?", why)  # never the token itself
    response = connection.respond(http.HTTPStatus.UNAUTHORIZED, "A valid Warroom token is required.\n")
    response.headers["WWW-Authenticate"] = 'Bearer realm="warroom"'
    return response


def forbidden(link: Link, msg: Command) -> CommandResult:
    """The ``rejected``/``forbidden`` answer to a command the link's role may not send (logged)."""
    needed = required_role(msg.action)
    ident = link.identity
    log.warning("refused %s (key %s) from %s (%s, %s, role %s): needs the %s role", msg.action,
                msg.idempotency_key, ident.label, link.client_id, link.peer or "?", ident.role.value, needed.value)
    who = ident.user or "this connection"
    return CommandResult(
        msg.idempotency_key, "rejected",
        f"forbidden: {msg.action} needs the {needed.value} role; {who} is a {ident.role.value}",
        {"action": msg.action, "required_role": needed.value, "role": ident.role.value},
        code=RESULT_FORBIDDEN,
    )
