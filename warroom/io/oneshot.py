"""Send one command to a feed and wait for its final result (for the CLI and scripts)."""

from __future__ import annotations

import asyncio
import uuid

from websockets.asyncio.client import connect

from warroom.core.clock import FeedClock, wall_ms
from warroom.protocol import SUPPORTED_VERSIONS, Command, CommandResult, Decoder, Hello, ServerError, Subscribe, encode

FINAL_STATES = ("succeeded", "failed", "rejected")


async def send_command(url: str, action: str, args: dict, *, actor: str = "", reason: str = "",
                       key: str | None = None, timeout_s: float = 15.0) -> CommandResult:
    """Connect, subscribe to nothing, send ``action`` and return its final ``CommandResult``.

    Raises ``ConnectionError`` with a readable reason when the feed cannot be reached or
    refuses us, and ``TimeoutError`` when no final result arrives in ``timeout_s``.
    """
    key = key or uuid.uuid4().hex
    decoder = Decoder()

    async def converse() -> CommandResult:
        try:
            ws_cm = connect(url, proxy=None, compression=None, open_timeout=timeout_s, max_size=16 * 1024 * 1024)
            async with ws_cm as ws:
                hello = decoder.decode(await ws.recv(), wall_ms()).message
                if not isinstance(hello, Hello) or not set(hello.versions) & set(SUPPORTED_VERSIONS):
                    raise ConnectionError(f"{url} is not a compatible Warroom feed")
                clock = FeedClock()
                clock.anchor(hello.server_time, hello.speed)
                await ws.send(encode(Subscribe(f"cli-{key[:8]}", SUPPORTED_VERSIONS, streams=())), text=True)
                await ws.send(encode(Command(key, action, args, actor=actor, reason=reason)), text=True)
                async for frame in ws:
                    msg = decoder.decode(frame, clock.now_ms()).message
                    if isinstance(msg, ServerError):
                        raise ConnectionError(f"feed refused the command: {msg.code}: {msg.message}")
                    if isinstance(msg, CommandResult) and msg.idempotency_key == key and msg.state in FINAL_STATES:
                        return msg
                raise ConnectionError("feed closed the connection before answering")
        except OSError as exc:
            raise ConnectionError(f"cannot reach {url}: {exc}") from exc

    return await asyncio.wait_for(converse(), timeout_s)
