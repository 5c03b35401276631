"""Fixtures for the simulator tests."""

from __future__ import annotations

from typing import Callable

import pytest

from warroom.sim import Simulator, build_platform
from warroom.sim.platform import Platform

from .support import PEAK_MS


@pytest.fixture(scope="session")
def platform() -> Platform:
    return build_platform()


@pytest.fixture
def make_sim(platform: Platform) -> Callable[..., Simulator]:
    """A factory of simulators at the morning peak, warmed up by a few ticks."""

    def make(seed: int = 7, start_ms: int = PEAK_MS, warmup: int = 3, **kwargs) -> Simulator:
        sim = Simulator(seed=seed, start_ms=start_ms, platform=platform, **kwargs)
        for _ in range(warmup):
            sim.tick()
        return sim

    return make
