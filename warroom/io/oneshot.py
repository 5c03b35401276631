"""Send one command to a feed and wait for its final result (for the CLI and scripts)."""

from __future__ import annotations

import asyncio
import logging
import ssl
import uuid

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidStatus

from warroom.core.clock import FeedClock, wall_ms
from warroom.io.auth import Credentials, RedactingLogger, default_credentials, describe_tls_failure, redact_url
from warroom.protocol import SUPPORTED_VERSIONS, Command, CommandResult, Decoder, Hello, ServerError, Subscribe, encode

FINAL_STATES = ("succeeded", "failed", "rejected")


class _Answered(ConnectionError):
    """The feed was reached and said no: not to be reworded as "cannot reach"."""


async def send_command(url: str, action: str, args: dict, *, actor: str = "", reason: str = "",
                       key: str | None = None, timeout_s: float = 15.0,
                       credentials: Credentials | None = None) -> CommandResult:
    """Connect, subscribe to nothing, send ``action`` and return its final ``CommandResult``.

    A command the feed refuses comes back as a result in state ``rejected`` (``code``
    ``forbidden`` when our role may not send it). Raises ``ConnectionError`` with a readable
    reason when the feed cannot be reached or refuses us (a missing or unknown token: HTTP 401),
    and ``TimeoutError`` when no final result arrives in ``timeout_s``. ``credentials``: None
    takes ``default_credentials()``. On an authenticated feed ``actor`` is replaced by the
    token's user name.
    """
    key = key or uuid.uuid4().hex
    decoder = Decoder()
    creds = credentials if credentials is not None else default_credentials()
    shown = redact_url(url)
    problem = creds.transport_problem(url)
    if problem:
        raise ConnectionError(problem)

    async def converse() -> CommandResult:
        try:
            ws_cm = connect(url, proxy=None, compression=None, open_timeout=timeout_s, max_size=16 * 1024 * 1024,
                            additional_headers=creds.headers(), ssl=creds.ssl_context(url),
                            logger=RedactingLogger(logging.getLogger("websockets.client")))
            async with ws_cm as ws:
                hello = decoder.decode(await ws.recv(), wall_ms()).message
                if not isinstance(hello, Hello) or not set(hello.versions) & set(SUPPORTED_VERSIONS):
                    raise _Answered(f"{shown} is not a compatible Warroom feed")
                clock = FeedClock()
                clock.anchor(hello.server_time, hello.speed)
                await ws.send(encode(Subscribe(f"cli-{key[:8]}", SUPPORTED_VERSIONS, streams=())), text=True)
                await ws.send(encode(Command(key, action, args, actor=actor, reason=reason)), text=True)
                async for frame in ws:
                    msg = decoder.decode(frame, clock.now_ms()).message
                    if isinstance(msg, ServerError):
                        raise _Answered(f"feed refused the command: {msg.code}: {msg.message}")
                    if isinstance(msg, CommandResult) and msg.idempotency_key == key and msg.state in FINAL_STATES:
                        return msg
                raise _Answered("feed closed the connection before answering")
        except _Answered:
            raise
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                what = "refused the token" if creds.token is not None else "requires a token (--token-file or $WARROOM_TOKEN)"
                raise ConnectionError(f"{shown} {what} (HTTP {status})") from None
            raise ConnectionError(f"cannot reach {shown}: {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            raise ConnectionError(f"cannot reach {shown}: {describe_tls_failure(exc)}") from None
        except (OSError, InvalidHandshake) as exc:
            raise ConnectionError(f"cannot reach {shown}: {exc}") from exc

    return await asyncio.wait_for(converse(), timeout_s)
