"""A hostile feed server for the tests: raw ``websockets``, protocol v1 from a script.

Not ``FeedServer``: nothing here validates or sanitises. A test decides what the hello says
(any field, absurd ones included), sends frames given as dicts (``json.dumps`` as they are:
NaN, lone surrogates and all), messages, raw text or raw bytes (even invalid UTF-8 in a text
frame), closes the connection with any code and reason, stalls (stops its heartbeats), and
restarts on the same port as "another" feed (a new ``server_id`` and clock).

    feed = HostileServer(server_id="h-1", server_time=T0)
    await feed.start()
    ...                                   # a client connects to feed.url
    await feed.wait_subscribed()
    await feed.send(feed.metrics({"name": "m"}, T0, 1.0))
    await feed.close(1011, "boom")
    await feed.restart(server_id="h-2", server_time=T0 - 3_600_000)

``Recording`` runs ``warroom record``'s own ``record()`` in the test's loop against it, keeping
its output lines; ``until`` waits for a condition.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from warroom.cli.common import CliError
from warroom.cli.feeds import record
from warroom.protocol import Message, encode
from warroom.store import HistoryReader

CAPABILITIES = ("metrics", "events", "topology", "plans")
ARGS = argparse.Namespace(rules=None, notify=None, user="tester", quiet=False, retention_days=None,
                          retention_max_mb=None, store_memory_mb=None)
_COMMITTED = re.compile(r"store: ([\d,]+) points committed")


class HostileServer:
    """One scripted feed on ``127.0.0.1``; see the module docstring.

    ``server_time`` and ``speed`` drive its clock (``now_ms``, the heartbeats); ``hello``
    overrides or adds any hello field, whatever it says (the clock keeps its sane values so
    heartbeats stay sane unless ``heartbeat`` overrides them too). ``heartbeat_s`` None: no
    heartbeats at all.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        server_id: str = "hostile-1",
        server_time: int | None = None,
        speed: float = 1.0,
        capabilities: tuple[str, ...] = CAPABILITIES,
        heartbeat_s: float | None = 0.2,
        hello: dict[str, Any] | None = None,
        heartbeat: dict[str, Any] | None = None,
    ) -> None:
        self.port = port
        self.server_id = server_id
        self.speed = speed
        self.capabilities = capabilities
        self.heartbeat_s = heartbeat_s
        self.hello_overrides = dict(hello or {})
        self.heartbeat_overrides = dict(heartbeat or {})
        self._t0 = int(time.time() * 1000) if server_time is None else int(server_time)
        self._m0 = time.monotonic()
        self._server: Server | None = None
        self._ws: ServerConnection | None = None
        self._subscribed = asyncio.Event()
        self._stalled = False
        #: Every subscribe received, parsed (the client's ``since`` is checked through it).
        self.subscribes: list[dict[str, Any]] = []
        self.connections = 0

    # -- life --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``ws://127.0.0.1:<port>``."""
        return f"ws://127.0.0.1:{self.port}"

    def now_ms(self) -> int:
        """The feed's clock: ``server_time`` plus the wall time since, times ``speed``."""
        return self._t0 + int((time.monotonic() - self._m0) * 1000 * self.speed)

    async def start(self) -> None:
        """Listen (on ``port``; 0 picks one and keeps it for restarts)."""
        self._server = await serve(self._handler, "127.0.0.1", self.port, max_size=None, compression=None)
        self.port = next(iter(self._server.sockets)).getsockname()[1]

    async def stop(self) -> None:
        """Stop listening; an open connection is cut without a close frame (a process that died)."""
        if self._server is None:
            return
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.transport.abort()
        self._server.close(close_connections=False)
        await self._server.wait_closed()
        self._server = None
        self._subscribed.clear()

    async def restart(self, *, server_id: str | None = None, server_time: int | None = None,
                      speed: float | None = None, down_s: float = 0.0, **fields: Any) -> None:
        """Stop, wait ``down_s``, and listen again on the same port, as told (a new feed if
        ``server_id`` changes, a clock set back if ``server_time`` is in the past)."""
        await self.stop()
        if down_s:
            await asyncio.sleep(down_s)
        if server_id is not None:
            self.server_id = server_id
        if server_time is not None:
            self._t0, self._m0 = int(server_time), time.monotonic()
        if speed is not None:
            self.speed = speed
        for name, value in fields.items():
            setattr(self, name, value)
        await self.start()

    # -- the script ----------------------------------------------------------------------
    async def wait_subscribed(self, timeout: float = 10.0, *, after: int | None = None) -> dict[str, Any]:
        """Wait until a client subscribed on the current connection (with ``after``: on a
        connection later than the ``after``-th, e.g. ``after=feed.connections`` taken before
        sending a frame that makes the client hang up); its subscribe."""

        async def subscribed() -> None:
            while after is not None and self.connections <= after:
                await asyncio.sleep(0.01)
            await self._subscribed.wait()

        await asyncio.wait_for(subscribed(), timeout)
        return self.subscribes[-1]

    async def send(self, frame: dict[str, Any] | Message | str | bytes, *, text: bool | None = None) -> None:
        """Send one frame on the current connection: a dict goes through ``json.dumps`` as it is
        (NaN and lone surrogates included), a message through ``encode``, str as a text frame,
        bytes as a binary frame unless ``text=True`` (then as a text frame, unchecked)."""
        ws = self._ws
        assert ws is not None, "no client connected"
        if isinstance(frame, dict):
            frame = json.dumps(frame)
        elif not isinstance(frame, (str, bytes)):
            frame = encode(frame).decode()
        await ws.send(frame, text=text)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the current connection with this code and reason."""
        ws = self._ws
        assert ws is not None, "no client connected"
        self._subscribed.clear()  # wait_subscribed() now waits for the next connection
        await ws.close(code, reason)

    def stall(self, stalled: bool = True) -> None:
        """Stop (or resume) the heartbeats: the connection stays open and says nothing."""
        self._stalled = stalled

    # -- frames ------------------------------------------------------------------------
    @staticmethod
    def metrics(series: dict[str, Any] | list[dict[str, Any]], t: int | list[int],
                v: float | list[Any]) -> dict[str, Any]:
        """A frame-local ``metrics`` frame: one series (dict) or several, all ``t``/``v`` given."""
        table = [series] if isinstance(series, dict) else series
        ts = t if isinstance(t, list) else [t]
        vs = v if isinstance(v, list) else [v]
        s = [0] * len(ts) if isinstance(series, dict) else list(range(len(ts)))
        return {"v": 1, "type": "metrics", "series": table, "points": {"s": s, "t": ts, "v": vs}}

    @staticmethod
    def events(*events: dict[str, Any]) -> dict[str, Any]:
        """An ``events`` frame of these event objects (as they are)."""
        return {"v": 1, "type": "events", "events": list(events)}

    # -- the connection ------------------------------------------------------------------
    def _hello(self) -> dict[str, Any]:
        hello = {
            "v": 1, "type": "hello", "server_id": self.server_id, "server_time": self.now_ms(),
            "speed": self.speed, "versions": [1], "capabilities": list(self.capabilities),
            "heartbeat_s": self.heartbeat_s or 60.0,
        }
        hello.update(self.hello_overrides)
        return hello

    async def _handler(self, ws: ServerConnection) -> None:
        self.connections += 1
        self._ws = ws
        self._subscribed.clear()
        beats = None
        try:
            await ws.send(json.dumps(self._hello()))
            self.subscribes.append(json.loads(await ws.recv()))
            self._subscribed.set()
            beats = asyncio.create_task(self._heartbeats(ws))
            await ws.wait_closed()
        except ConnectionClosed:
            pass
        finally:
            if beats is not None:
                beats.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beats
            if self._ws is ws:
                self._ws = None
                self._subscribed.clear()

    async def _heartbeats(self, ws: ServerConnection) -> None:
        if self.heartbeat_s is None:
            return
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self.heartbeat_s)
                if not self._stalled:
                    beat = {"v": 1, "type": "heartbeat", "server_time": self.now_ms()}
                    beat.update(self.heartbeat_overrides)
                    await ws.send(json.dumps(beat))


async def until(cond, timeout: float = 10.0, what: str = "the condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not cond():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


class Recording:
    """``warroom record`` on a URL, in this process: its output lines and its history file."""

    def __init__(self, url: str, db: Path, capsys) -> None:
        self.url, self.db, self.capsys = url, db, capsys
        self.lines: list[str] = []
        self.err = ""
        self._stop = asyncio.Event()
        self.task = asyncio.create_task(record(url, db, ARGS, self._stop.wait()))

    def out(self) -> list[str]:
        got = self.capsys.readouterr()
        self.lines += got.out.splitlines()
        self.err += got.err
        return self.lines

    def find(self, needle: str) -> list[str]:
        return [ln for ln in self.out() if needle in ln]

    async def wait_line(self, needle: str, timeout: float = 10.0) -> str:
        await until(lambda: bool(self.find(needle)) or self.task.done(), timeout, f"a line with {needle!r}")
        assert not self.task.done(), "the recording ended:\n" + "\n".join(self.out()) + self.err
        return self.find(needle)[0]

    def committed(self) -> int:
        for ln in reversed(self.out()):
            m = _COMMITTED.search(ln)
            if m:
                return int(m.group(1).replace(",", ""))
        return 0

    async def wait_committed(self, n: int, timeout: float = 10.0) -> None:
        await until(lambda: self.committed() >= n or self.task.done(), timeout, f"{n} points committed")
        assert not self.task.done(), "\n".join(self.out()) + self.err

    async def stop(self) -> CliError | None:
        """End it as Ctrl+C would; the ``CliError`` it ended with (a failed recording), or None."""
        self._stop.set()
        try:
            await asyncio.wait_for(self.task, 30)
        except CliError as exc:
            self.out()
            return exc
        self.out()
        return None

    def history(self) -> HistoryReader:
        return HistoryReader(self.db)
