"""A TCP load balancer for the tests: what sits in front of several edges in a real room.

Each new connection goes to the next backend in turn that accepts it (round robin, skipping
dead ones), and bytes are copied both ways until either side closes. No health checks, no
stickiness: a console whose edge died simply reconnects and lands on a live one.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpBalancer:
    """``TcpBalancer(["127.0.0.1:p1", ...]).start()``; ``url`` is ``ws://127.0.0.1:<port>``."""

    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = list(backends)
        self.port = 0
        self.routed: list[int] = []  # backend port of every connection, in order
        self._next = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for t in list(self._pipes):
            t.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(len(self.backends)):
            host, port = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                up_reader, up_writer = await asyncio.open_connection(host, port)
            except OSError:
                continue
            self.routed.append(port)
            pipes = [asyncio.create_task(_pipe(reader, up_writer)), asyncio.create_task(_pipe(up_reader, writer))]
            self._pipes.update(pipes)
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            for p in pipes:
                p.cancel()
                self._pipes.discard(p)
            up_writer.close()
            break
        writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
