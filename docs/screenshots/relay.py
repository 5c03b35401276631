"""A websocket relay for the screenshot scripts: stands in front of a feed and adds the frames of
a "new exporter" (``make_catalogue.py``, ``make_inspector.py``), on a thread and loop of its own.

``extra(feed_now, send)`` runs once per console connection: ``feed_now()`` is the feed's clock in
ms (None before its hello), ``send(text)`` sends a frame to the console.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from typing import AsyncIterator, Awaitable, Callable

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

Extra = Callable[[Callable[[], "int | None"], Callable[[str], Awaitable[None]]], Awaitable[None]]


async def wall_seconds(feed_now: Callable[[], "int | None"], lag_ms: int = 2000) -> AsyncIterator[tuple[int, int]]:
    """Once a wall second, once the feed's clock is known: ``(k, t)``, the count from 1 and the
    feed's time ``lag_ms`` ago (an exporter's scrape is a little behind the feed)."""
    k = 0
    while True:
        await asyncio.sleep(1.0)
        now = feed_now()
        if now is None:
            continue
        k += 1
        yield k, now - lag_ms


class Relay:
    """Relays ``upstream`` to every console that connects to ``url``, adding ``extra``'s frames."""

    def __init__(self, upstream: str, extra: Extra) -> None:
        self.upstream = upstream
        self.extra = extra
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="relay", daemon=True)

    def start(self) -> str:
        self._thread.start()
        self._ready.wait(10)
        return self.url

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serve(self._handle, "127.0.0.1", 0, max_size=None, compression=None) as server:
            self.url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
            self._ready.set()
            await self._stop.wait()

    async def _handle(self, down) -> None:
        clock = {"t": None, "speed": 1.0, "at": 0.0}
        loop = asyncio.get_running_loop()

        def feed_now() -> int | None:
            if clock["t"] is None:
                return None
            return int(clock["t"] + (loop.time() - clock["at"]) * 1000 * clock["speed"])

        async with connect(self.upstream, max_size=None, compression=None) as up:
            async def upward() -> None:
                async for frame in down:
                    await up.send(frame)

            async def downward() -> None:
                async for frame in up:
                    if isinstance(frame, str) and '"server_time"' in frame:
                        msg = json.loads(frame)
                        clock.update(t=msg["server_time"], at=loop.time(), speed=msg.get("speed", clock["speed"]))
                    await down.send(frame)

            tasks = [asyncio.create_task(c) for c in (upward(), downward(), self.extra(feed_now, down.send))]
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
