"""Run a simulator feed on its own thread and event loop, beside a console.

``warroom demo`` and ``warroom snapshot`` serve the simulator in-process. Ticking the
platform and encoding frames takes milliseconds per simulated second; at 60x that would
eat the UI thread's frame budget, so the feed gets a thread and a loop of its own and the
console connects to it over loopback like to any other feed.
"""

from __future__ import annotations

import asyncio
import threading

from warroom.io.server import FeedServer
from warroom.sim.feed import SimFeed


class SimFeedThread:
    """A ``SimFeed`` served on 127.0.0.1 from a background thread."""

    def __init__(self, feed: SimFeed, host: str = "127.0.0.1", port: int = 0) -> None:
        self.feed = feed
        self.host, self.port = host, port
        self.url = ""
        self.error: BaseException | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="warroom-sim-feed", daemon=True)

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns the ``ws://`` address. Raises what stopped it from starting."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the simulator feed did not start")
        if self.error is not None:
            raise self.error
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the feed and its server and wait for the thread to end."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported to start(); the thread must not die silently
            self.error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = FeedServer(self.feed, self.host, self.port)
        await server.start()
        self.url = server.url
        task = asyncio.create_task(self.feed.run(server))
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            self.feed.stop()
            task.cancel()
            await server.stop()
