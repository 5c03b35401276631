"""Clocks: manual, scaled (simulated time) and feed-following. The wall clock is faked."""

from __future__ import annotations

import time

import pytest

from warroom.core import clock
from warroom.core.clock import FeedClock, ManualClock, ScaledClock, SystemClock

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


class FakeTime:
    """Stands in for ``clock.monotonic`` and ``clock.wall_ms``."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = T0

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += int(seconds * 1000)


@pytest.fixture
def fake(monkeypatch) -> FakeTime:
    f = FakeTime()
    monkeypatch.setattr(clock, "monotonic", lambda: f.mono)
    monkeypatch.setattr(clock, "wall_ms", lambda: f.wall)
    return f


def test_manual_clock():
    c = ManualClock(5)
    assert c.now_ms() == 5
    c.advance(1500)
    assert c.now_ms() == 1505
    c.set(T0)
    assert c.now_ms() == T0
    c.advance(2.9)  # type: ignore[arg-type]  # whole milliseconds only
    assert c.now_ms() == T0 + 2
    assert ManualClock().now_ms() == 0


def test_system_clock_reads_the_wall():
    assert abs(SystemClock().now_ms() - time.time() * 1000) < 60_000
    assert isinstance(clock.wall_ms(), int)


def test_scaled_clock_runs_speed_times_faster(fake):
    c = ScaledClock(start_ms=T0, speed=60)
    assert c.now_ms() == T0
    fake.advance(1.0)
    assert c.now_ms() == T0 + 60_000
    fake.advance(0.5)
    assert c.now_ms() == T0 + 90_000


def test_scaled_clock_starts_at_wall_time_by_default(fake):
    c = ScaledClock(speed=2)
    assert c.now_ms() == T0
    fake.advance(10)
    assert c.now_ms() == T0 + 20_000


def test_scaled_clock_wall_seconds_until(fake):
    c = ScaledClock(start_ms=T0, speed=60)
    assert c.wall_seconds_until(T0 + 120_000) == pytest.approx(2.0)
    fake.advance(1.0)
    assert c.wall_seconds_until(T0 + 120_000) == pytest.approx(1.0)
    assert c.wall_seconds_until(T0) == 0.0  # already past


@pytest.mark.parametrize("speed", [0, -1])
def test_scaled_clock_refuses_non_positive_speed(speed):
    with pytest.raises(ValueError):
        ScaledClock(start_ms=T0, speed=speed)


def test_feed_clock_falls_back_to_wall_before_anchor(fake):
    c = FeedClock()
    assert not c.anchored
    assert c.now_ms() == T0
    fake.advance(3)
    assert c.now_ms() == T0 + 3000


def test_feed_clock_follows_anchor_and_speed(fake):
    c = FeedClock()
    feed_now = T0 - 86_400_000  # a replayed feed, one day behind the wall
    c.anchor(feed_now, speed=60)
    assert c.anchored
    assert c.now_ms() == feed_now
    fake.advance(0.5)
    assert c.now_ms() == feed_now + 30_000


def test_feed_clock_reanchors(fake):
    c = FeedClock()
    c.anchor(T0, speed=60)
    fake.advance(1.0)
    assert c.now_ms() == T0 + 60_000
    # A heartbeat says the feed is actually a little behind our estimate: believe it.
    c.anchor(T0 + 59_000, speed=60)
    assert c.now_ms() == T0 + 59_000
    fake.advance(1.0)
    assert c.now_ms() == T0 + 119_000
    c.anchor(T0 + 200_000)  # speed defaults to real time
    fake.advance(1.0)
    assert c.now_ms() == T0 + 201_000


@pytest.mark.parametrize("speed", [0, -5])
def test_feed_clock_ignores_non_positive_speed(fake, speed):
    c = FeedClock()
    c.anchor(T0, speed=speed)
    assert c.speed == 1.0
    fake.advance(2)
    assert c.now_ms() == T0 + 2000
