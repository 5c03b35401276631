"""The simulated payment platform: topology, traffic, faults and plan effects.

Pure and deterministic (no asyncio, sockets or wall clock): ``Simulator.tick()`` advances
one simulated second and returns a ``MetricBatch`` and the events that happened. The
websocket feed that serves it lives in ``warroom.sim.feed``.
"""

from warroom.sim.engine import Simulator
from warroom.sim.faults import Fault, FaultKind, FaultSpec, parse_fault_spec
from warroom.sim.platform import Platform, ServiceProfile, build_platform
from warroom.sim.traffic import Promotion, Surge, daily_factor

__all__ = [
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
