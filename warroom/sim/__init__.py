"""The simulator: a platform's topology, traffic, faults and plan effects.

It plays the payment platform by default, or any world described in a world file
(``warroom.sim.world``, docs/worlds.md).

Pure and deterministic (no asyncio, sockets or wall clock): ``Simulator.tick()`` advances
one simulated second and returns a ``MetricBatch`` and the events that happened. The
websocket feed that serves it lives in ``warroom.sim.feed``.
"""

from warroom.sim.engine import Simulator
from warroom.sim.faults import Fault, FaultKind, FaultSpec, parse_fault_spec
from warroom.sim.platform import Platform, ServiceProfile, build_platform
from warroom.sim.traffic import DailyCurve, Promotion, Surge, daily_factor

__all__ = [
    "DailyCurve",
    "Fault",
    "FaultKind",
    "FaultSpec",
    "Platform",
    "Promotion",
    "ServiceProfile",
    "Simulator",
    "Surge",
    "build_platform",
    "daily_factor",
    "parse_fault_spec",
]
