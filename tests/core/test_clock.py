"""Clocks: manual, scaled (simulated time) and feed-following. The wall clock is faked."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core import clock
from warroom.core.clock import (
    MAX_AHEAD_OF_WALL_MS,
    MAX_SPEED,
    MAX_TIME_MS,
    MIN_SPEED,
    MIN_TIME_MS,
    FeedClock,
    ManualClock,
    ScaledClock,
    SystemClock,
    speed_problem,
    time_problem,
)

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


# -- bounds: a feed's clock is input like any other ---------------------------------------
YEAR_MS = 365.25 * 86_400_000


def test_documented_bounds():
    assert MIN_TIME_MS == 946_684_800_000  # 2000-01-01T00:00:00Z
    assert MAX_TIME_MS == 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
    assert MAX_AHEAD_OF_WALL_MS == 100 * YEAR_MS
    assert (MIN_SPEED, MAX_SPEED) == (0.001, 10_000.0)


@pytest.mark.parametrize(
    "feed_ms, ok",
    [
        (MIN_TIME_MS, True),
        (MIN_TIME_MS - 1, False),
        (T0 - 20 * YEAR_MS, True),  # a replay of 2006: the past is fine
        (T0 + 10 * YEAR_MS, True),  # a simulator that ran fast for a while
        (int(T0 + MAX_AHEAD_OF_WALL_MS), True),
        (int(T0 + MAX_AHEAD_OF_WALL_MS) + 1, False),
        (98_941_999_200_000, False),  # year 5138 (the hostile feed's)
        (T0 * 1000, False),  # microseconds sent as ms
        (MAX_TIME_MS + 1, False),
        (2**63, False),
        (float("nan"), False),
        (float("inf"), False),
        (1e308, False),
        (True, False),
        ("1767225600000", False),
        (None, False),
    ],
)
def test_time_problem(feed_ms, ok):
    assert (time_problem(feed_ms, T0) is None) is ok


@pytest.mark.parametrize(
    "speed, ok",
    [(1, True), (0.001, True), (3600.0, True), (10_000, True), (0.0009, False), (10_000.1, False), (0, False),
     (-1, False), (1e308, False), (float("inf"), False), (float("nan"), False), (True, False), ("60", False)],
)
def test_speed_problem(speed, ok):
    assert (speed_problem(speed) is None) is ok


@settings(max_examples=200, deadline=None)
@given(
    st.floats() | st.integers() | st.none() | st.booleans() | st.text(max_size=4),
    st.floats() | st.integers() | st.none() | st.text(max_size=4),
)
def test_feed_clock_anchor_never_raises(feed_ms, speed):
    c = FeedClock()
    c.anchor(T0, 60)
    took = c.anchor(feed_ms, speed)
    now = c.now_ms()
    assert isinstance(now, int) and MIN_TIME_MS <= now <= MAX_TIME_MS
    assert MIN_SPEED <= c.speed <= MAX_SPEED
    assert took is (time_problem(feed_ms, clock.wall_ms()) is None)


def test_feed_clock_refuses_a_bad_time_and_keeps_its_anchor(fake):
    c = FeedClock()
    assert c.anchor(T0, speed=60) is True
    for bad in (98_941_999_200_000, float("nan"), float("inf"), -1, 0, 2**70):
        assert c.anchor(bad, speed=1) is False
    assert c.speed == 60
    fake.advance(1.0)
    assert c.now_ms() == T0 + 60_000


@pytest.mark.parametrize(
    "speed, expected", [(1e308, MAX_SPEED), (float("inf"), 1.0), (float("nan"), 1.0), (1e-9, MIN_SPEED), (600, 600.0)]
)
def test_feed_clock_speed_is_kept_in_bounds(fake, speed, expected):
    c = FeedClock()
    c.anchor(T0, speed=speed)  # 1e308 used to overflow in now_ms
    assert c.speed == expected
    fake.advance(2.5)
    assert c.now_ms() == T0 + int(2500 * expected)


def test_feed_clock_now_never_passes_the_last_time_anything_can_hold(fake):
    c = FeedClock()
    assert c.anchor(int(T0 + 99 * YEAR_MS), speed=MAX_SPEED)
    fake.advance(86_400 * 365)  # a year at 10,000x: 10,000 feed years
    assert c.now_ms() == MAX_TIME_MS
