"""A minimal feed source for exercising the client and server without the simulator."""

from __future__ import annotations

import pytest

from warroom.core.clock import wall_ms
from warroom.core.model import CallEdge, Service
from warroom.core.graph.topology import Topology
from warroom.protocol import Command, CommandResult, TopologySnapshot


class FakeSource:
    """Wall-clock feed with a two-service topology; records the commands it gets."""

    speed = 1.0

    def __init__(self) -> None:
        self.commands: list[tuple[Command, str]] = []

    def now_ms(self) -> int:
        return wall_ms()

    def snapshot_messages(self):
        topo = Topology([Service("a"), Service("b")], [CallEdge("a", "b")])
        return [TopologySnapshot(self.now_ms(), topo)]

    async def handle_command(self, command: Command, client_id: str) -> list[CommandResult]:
        self.commands.append((command, client_id))
        return [CommandResult(command.idempotency_key, "succeeded", "done")]


@pytest.fixture
def source() -> FakeSource:
    return FakeSource()
