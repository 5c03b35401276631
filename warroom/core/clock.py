"""Time, in one place. This is the only module that reads the wall clock.

Everything else receives a ``Clock`` and asks it. Tests pass a ``ManualClock`` and move
it by hand; the simulator runs a ``ScaledClock`` (one simulated hour per minute); the
console follows the feed with a ``FeedClock`` that is re-anchored by every hello and
heartbeat, so "now" means the feed's now even when the feed runs 60× fast.

**Bounds.** A feed's clock is input like any other. ``time_problem`` and ``speed_problem`` say
what the console accepts (the protocol decoder refuses a ``hello`` or drops a ``heartbeat``
that breaks them, and ``FeedClock.anchor`` ignores one):

* a feed time lies in [``MIN_TIME_MS``, ``MAX_TIME_MS``] = [2000-01-01, 9999-12-31T23:59:59.999Z],
  which every part of the console can hold (DuckDB's TIMESTAMP reaches year 294247, Python's
  ``datetime`` only 9999), and no more than ``MAX_AHEAD_OF_WALL_MS`` (100 years) after the
  console's wall clock. A simulator may run in the past (any time since 2000) or ahead of the
  wall by speed × uptime: 100 years is a week at 5,000×, so only a broken feed is refused;
  year 5138, or microseconds sent as milliseconds (year ~58000), are.
* a speed (feed ms per wall ms) lies in [``MIN_SPEED``, ``MAX_SPEED``] = [0.001, 10,000].
  The simulator uses up to 3,600 (an hour per second).
"""

from __future__ import annotations

import math
import time
from typing import Protocol

#: Earliest feed time accepted anywhere: 2000-01-01T00:00:00Z. Older is nearly always seconds sent as ms.
MIN_TIME_MS = 946_684_800_000
#: Latest feed time accepted anywhere: 9999-12-31T23:59:59.999Z (Python's datetime; DuckDB goes further).
MAX_TIME_MS = 253_402_300_799_999
#: How far a feed's clock may run ahead of the console's wall clock: 100 years of 365.25 days.
MAX_AHEAD_OF_WALL_MS = 36_525 * 86_400_000
#: Slowest feed speed accepted (feed ms per wall ms): a thousandth of real time.
MIN_SPEED = 0.001
#: Fastest feed speed accepted: 10,000 feed ms per wall ms (about 2.8 hours per second).
MAX_SPEED = 10_000.0


def wall_ms() -> int:
    """Milliseconds since the Unix epoch, from the system clock."""
    return time.time_ns() // 1_000_000


def wall_s() -> float:
    """Seconds since the Unix epoch, from the system clock (for APIs that count in seconds)."""
    return time.time()


def monotonic() -> float:
    """Seconds from an arbitrary origin that never goes backwards (for intervals)."""
    return time.monotonic()


def time_problem(feed_ms: object, wall_now_ms: int) -> str | None:
    """Why ``feed_ms`` is not an acceptable feed time given the wall clock, or None if it is."""
    if isinstance(feed_ms, bool) or not isinstance(feed_ms, (int, float)):
        return f"time {feed_ms!r} is not a number"
    if isinstance(feed_ms, float) and not math.isfinite(feed_ms):
        return f"time {feed_ms!r} is not finite"
    if feed_ms < MIN_TIME_MS:
        return f"time {feed_ms} is before 2000-01-01 (seconds sent as ms?)"
    if feed_ms > MAX_TIME_MS:
        return f"time {feed_ms} is after 9999-12-31"
    if feed_ms > wall_now_ms + MAX_AHEAD_OF_WALL_MS:
        years = (feed_ms - wall_now_ms) / (365.25 * 86_400_000)
        return f"time {feed_ms} is {years:,.0f} years ahead of this console's clock (at most 100)"
    return None


def speed_problem(speed: object) -> str | None:
    """Why ``speed`` is not an acceptable feed speed, or None if it is."""
    if isinstance(speed, bool) or not isinstance(speed, (int, float)):
        return f"speed {speed!r} is not a number"
    if not MIN_SPEED <= speed <= MAX_SPEED:  # NaN fails both comparisons
        return f"speed {speed!r} is outside [{MIN_SPEED:g}, {MAX_SPEED:,.0f}]"
    return None


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

    Before the first anchor it falls back to the wall clock. It never raises on what a feed
    says: see ``anchor``. ``now_ms`` stays within [``MIN_TIME_MS``, ``MAX_TIME_MS``] once anchored.
    """

    def __init__(self) -> None:
        self._anchor_ms: int | None = None
        self._anchor_wall = 0.0
        self.speed = 1.0

    def anchor(self, feed_ms: int, speed: float = 1.0) -> bool:
        """Record that the feed said "it is ``feed_ms``" just now, running at ``speed``.

        Returns False, and changes nothing, when ``feed_ms`` breaks ``time_problem`` (not a
        finite number, before 2000, after 9999, more than 100 years ahead of the wall clock).
        A speed that is not a finite positive number counts as 1.0; a positive one is clamped
        to [``MIN_SPEED``, ``MAX_SPEED``]. Never raises.
        """
        if time_problem(feed_ms, wall_ms()) is not None:
            return False
        self._anchor_ms = int(feed_ms)
        self._anchor_wall = monotonic()
        self.speed = _sane_speed(speed)
        return True

    @property
    def anchored(self) -> bool:
        """True once the feed has told us its time."""
        return self._anchor_ms is not None

    def now_ms(self) -> int:
        """Best estimate of the feed's current time."""
        if self._anchor_ms is None:
            return wall_ms()
        # Bounded: 10,000x for years would pass 9999, and every reader must hold the value.
        return min(self._anchor_ms + int((monotonic() - self._anchor_wall) * 1000 * self.speed), MAX_TIME_MS)


def _sane_speed(speed: object) -> float:
    try:
        s = float(speed)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 1.0
    if not math.isfinite(s) or s <= 0:
        return 1.0
    return min(max(s, MIN_SPEED), MAX_SPEED)
