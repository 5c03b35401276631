"""Test a feed address: connect, read the feed's hello within a timeout, close (the start dialog's
"Test connection").

``probe(url)`` really connects, with the same credentials, TLS and limits as the console's
client, and answers with a ``ProbeResult``: the feed's ``server_id``, speed, protocol versions
and the role it gives us when it works; the reason (``warroom.io.feed_problem``) when not.
It never raises for a feed problem and never retries.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from websockets.asyncio.client import connect

from warroom.core.clock import wall_ms
from warroom.io.auth import Credentials, RedactingLogger, default_credentials
from warroom.io.feed_problem import FeedProblem, ProblemKind, check_url, classify_exception, target_of
from warroom.protocol import SUPPORTED_VERSIONS, Decoder, Hello

DEFAULT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class ProbeResult:
    """What a connection test found: ``ok`` with the hello's facts, or the ``problem``."""

    url: str
    ok: bool
    problem: FeedProblem | None = None
    server_id: str = ""
    speed: float = 1.0
    versions: tuple[int, ...] = ()
    role: str = ""


async def probe(url: str, timeout_s: float = DEFAULT_TIMEOUT_S, credentials: Credentials | None = None) -> ProbeResult:
    """Connect to ``url``, wait for a usable hello at most ``timeout_s`` in all, and close."""
    url = (url or "").strip()
    bad = check_url(url)
    if bad is not None:
        return ProbeResult(url, False, bad)
    creds = credentials if credentials is not None else default_credentials()
    problem = creds.transport_problem(url)
    if problem:
        return ProbeResult(url, False, FeedProblem(ProblemKind.INSECURE, target_of(url), problem))
    try:
        return await asyncio.wait_for(_hello(url, creds, timeout_s), timeout_s)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is a reason to show, not a crash
        return ProbeResult(url, False, classify_exception(exc, url))


async def _hello(url: str, creds: Credentials, timeout_s: float) -> ProbeResult:
    async with connect(url, proxy=None, compression=None, open_timeout=timeout_s, max_size=16 * 1024 * 1024,
                       additional_headers=creds.headers(), ssl=creds.ssl_context(url),
                       logger=RedactingLogger(logging.getLogger("websockets.client"))) as ws:
        result = Decoder().decode(await ws.recv(), wall_ms())
        hello = result.message
        if not isinstance(hello, Hello):
            why = result.errors[0].message if result.errors else "the first message was not a hello"
            return ProbeResult(url, False, FeedProblem(ProblemKind.PROTOCOL, target_of(url), why))
        if not set(hello.versions) & set(SUPPORTED_VERSIONS):
            why = f"server speaks {list(hello.versions)}, this console {list(SUPPORTED_VERSIONS)}"
            return ProbeResult(url, False, FeedProblem(ProblemKind.PROTOCOL, target_of(url), why))
        return ProbeResult(url, True, None, hello.server_id, hello.speed, tuple(hello.versions), hello.role)


__all__ = ["DEFAULT_TIMEOUT_S", "ProbeResult", "probe"]
