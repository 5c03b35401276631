"""A real nats-server per test module, and helpers to read back what was published."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

import nats
import nats.errors
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy

from tests.natsstack import NatsServer
from warroom.core.clock import wall_ms
from warroom.protocol import Decoder, Message
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory):
    server = NatsServer.start(tmp_path_factory.mktemp("nats"))
    yield server
    server.stop()


class Capture:
    """Stands where a FeedServer would: keeps every message broadcast, in order."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def broadcast(self, message: Message) -> int:
        self.messages.append(message)
        return 0


def sim_feed(seed: int = 1, speed: float = 10.0) -> SimFeed:
    return SimFeed(Simulator(seed=seed, start_ms=wall_ms()), speed=speed)


async def wait_until(cond: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await asyncio.sleep(0.05)


async def read_stream(url: str, subject: str, *, policy: DeliverPolicy = DeliverPolicy.ALL,
                      start_time: Any = None, idle_s: float = 1.0) -> list[Any]:
    """Every message a new ordered consumer of ``subject`` gets with ``policy`` (until idle)."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(deliver_policy=policy, opt_start_time=start_time)
        sub = await js.subscribe(subject, ordered_consumer=True, config=config)
        out = []
        while True:
            try:
                out.append(await sub.next_msg(timeout=idle_s))
            except nats.errors.TimeoutError:
                break
        await sub.unsubscribe()
        return out
    finally:
        await nc.close()


def decode_all(msgs: list[Any], now_ms: int) -> list[Message]:
    """Decode message bodies with one protocol Decoder, failing on any error."""
    decoder = Decoder()
    out = []
    for m in msgs:
        result = decoder.decode(m.data, now_ms)
        assert not result.errors, (m.subject, result.errors)
        assert result.message is not None
        out.append(result.message)
    return out
