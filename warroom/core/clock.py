"""Time, in one place. This is the only module that reads the wall clock.

Everything else receives a ``Clock`` and asks it. Tests pass a ``ManualClock`` and move
it by hand; the simulator runs a ``ScaledClock`` (one simulated hour per minute); the
console follows the feed with a ``FeedClock`` that is re-anchored by every hello and
heartbeat, so "now" means the feed's now even when the feed runs 60× fast.
"""

from __future__ import annotations

import time
from typing import Protocol


def wall_ms() -> int:
    """Milliseconds since the Unix epoch, from the system clock."""
    return time.time_ns() // 1_000_000


def monotonic() -> float:
    """Seconds from an arbitrary origin that never goes backwards (for intervals)."""
    return time.monotonic()


class Clock(Protocol):
    """Something that can tell the time in the feed's time base."""

    def now_ms(self) -> int:
        """Current time in epoch milliseconds."""
        ...  # pragma: no cover


class SystemClock:
    """The wall clock."""

    def now_ms(self) -> int:
        """Current wall time in epoch milliseconds."""
        return wall_ms()


class ManualClock:
    """A clock that moves only when told to; for tests and offline replay."""

    def __init__(self, start_ms: int = 0) -> None:
        self._now = int(start_ms)

    def now_ms(self) -> int:
        """The time last set."""
        return self._now

    def set(self, ms: int) -> None:
        """Jump to ``ms``."""
        self._now = int(ms)

    def advance(self, ms: int) -> None:
        """Move forward by ``ms``."""
        self._now += int(ms)


class ScaledClock:
    """Simulated time: starts at ``start_ms`` and runs ``speed`` times faster than the wall.

    ``speed=60`` gives one simulated hour per wall minute.
    """

    def __init__(self, start_ms: int | None = None, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = float(speed)
        self._origin_wall = monotonic()
        self._origin_ms = wall_ms() if start_ms is None else int(start_ms)

    def now_ms(self) -> int:
        """Simulated epoch milliseconds."""
        return self._origin_ms + int((monotonic() - self._origin_wall) * 1000 * self.speed)

    def wall_seconds_until(self, ms: int) -> float:
        """Wall seconds to wait until simulated time reaches ``ms`` (0 if already past)."""
        return max(0.0, (ms - self.now_ms()) / 1000.0 / self.speed)


class FeedClock:
    """The feed's time as seen from here: last anchor plus elapsed wall time × feed speed.

    Before the first anchor it falls back to the wall clock.
    """

    def __init__(self) -> None:
        self._anchor_ms: int | None = None
        self._anchor_wall = 0.0
        self.speed = 1.0

    def anchor(self, feed_ms: int, speed: float = 1.0) -> None:
        """Record that the feed said "it is ``feed_ms``" just now, running at ``speed``."""
        self._anchor_ms = int(feed_ms)
        self._anchor_wall = monotonic()
        self.speed = float(speed) if speed > 0 else 1.0

    @property
    def anchored(self) -> bool:
        """True once the feed has told us its time."""
        return self._anchor_ms is not None

    def now_ms(self) -> int:
        """Best estimate of the feed's current time."""
        if self._anchor_ms is None:
            return wall_ms()
        return self._anchor_ms + int((monotonic() - self._anchor_wall) * 1000 * self.speed)
