"""Is what the wall shows still "now"? A GUI-free judge of the live view's staleness.

A wall that keeps showing full-colour numbers after its feed died lies to the room. The
main window asks ``StaleWatch.observe`` every frame (cheap) and, when the answer is
``stale``, dims every number, shows its age and puts a banner across the window.

The threshold follows the feed's own rhythm: a simulator sends a point per series every
second, a real feed may scrape every 15 or 60 s, and data 20 s old is stale for the first
but perfectly current for the second. So the watch learns the feed's cadence (the median
step of the newest data time, in wall time: a simulator at 60x that steps a simulated
second every 1/60 s has a cadence of 17 ms) and calls the data stale when it is older than
``CADENCE_FACTOR`` cadences, never sooner than ``STALE_FLOOR_MS`` (the feed-health panel's
red age) and never later than ``STALE_CEILING_MS`` (a feed that claims a one-hour rhythm
must not hide its death for three hours). It is "late" (a quiet hint, no banner) past
``LATE_FACTOR`` cadences, at least ``LATE_FLOOR_MS``.

A disconnected feed is stale as soon as the data is ``DISCONNECT_GRACE_MS`` old (nothing can
arrive any more; a reconnect within a couple of seconds is not worth a banner). A replay is
never stale: it is the past on purpose. Before any data arrives nothing is stale either:
the panels show "—", which passes for nothing.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

#: Never stale sooner than this (the feed-health panel's red age, CRIT_AGE_MS).
STALE_FLOOR_MS = 15_000
#: Never later than this, whatever cadence the feed shows.
STALE_CEILING_MS = 10 * 60_000
#: Stale past this many cadences.
CADENCE_FACTOR = 3.0
#: Late (a quiet hint) past this many cadences, at least ``LATE_FLOOR_MS``.
LATE_FACTOR = 1.5
LATE_FLOOR_MS = 5_000
#: A disconnected feed's data is stale once this old.
DISCONNECT_GRACE_MS = 5_000
#: Steps of the newest data time kept to learn the cadence.
CADENCE_SAMPLES = 31

LIVE, LATE, STALE, WAITING, REPLAY = "live", "late", "stale", "waiting", "replay"


@dataclass(frozen=True)
class Staleness:
    """The verdict on the view at one moment.

    ``level``: ``live``, ``late`` (older than usual, no banner), ``stale``, ``waiting`` (no
    data yet) or ``replay``. ``since_ms`` is the newest data time (feed clock) while stale,
    else None; ``age_ms`` the data's age in wall milliseconds (None before any data);
    ``state`` and ``reason`` are the connection's, as the feed client reported them.
    """

    level: str
    since_ms: int | None = None
    age_ms: int | None = None
    threshold_ms: int = STALE_FLOOR_MS
    state: str = ""
    reason: str = ""

    @property
    def stale(self) -> bool:
        """True when the wall must say that its numbers are not current."""
        return self.level == STALE


class StaleWatch:
    """Learns the feed's cadence and judges staleness; see the module docstring."""

    def __init__(self, floor_ms: int = STALE_FLOOR_MS, factor: float = CADENCE_FACTOR) -> None:
        self.floor_ms = floor_ms
        self.factor = factor
        self._steps: deque[float] = deque(maxlen=CADENCE_SAMPLES)
        self._last_newest: int | None = None

    @property
    def cadence_ms(self) -> float | None:
        """The median step of the newest data time, in wall ms (None until two steps are seen)."""
        return statistics.median(self._steps) if len(self._steps) >= 2 else None

    @property
    def threshold_ms(self) -> int:
        """Data older than this (wall ms) is stale."""
        cadence = self.cadence_ms
        learned = 0.0 if cadence is None else cadence * self.factor
        return int(min(STALE_CEILING_MS, max(self.floor_ms, learned)))

    @property
    def late_ms(self) -> int:
        """Data older than this (wall ms) is late."""
        cadence = self.cadence_ms
        learned = 0.0 if cadence is None else cadence * LATE_FACTOR
        return int(min(self.threshold_ms, max(LATE_FLOOR_MS, learned)))

    def learn(self, newest_ms: int | None, speed: float = 1.0) -> None:
        """Note the view's newest data time; a step forward is one cadence sample."""
        if newest_ms is None:
            self._last_newest = None  # the view was cleared: start again from its next data
            return
        last = self._last_newest
        if last is not None and newest_ms > last:
            # One outage gap among thirty ordinary steps leaves the median alone.
            self._steps.append((newest_ms - last) / (speed if speed > 0 else 1.0))
        if last is None or newest_ms >= last:
            self._last_newest = newest_ms
        else:  # time went back: another feed, or a replay jumping; its steps start afresh
            self._last_newest = newest_ms
            self._steps.clear()

    def observe(self, *, newest_ms: int | None, age_ms: int | None, state: str, reason: str = "",
                speed: float = 1.0) -> Staleness:
        """Learn from the view's newest data time and judge it; never raises on odd input."""
        if state == REPLAY:
            self._last_newest = None
            return Staleness(REPLAY, state=state, reason=reason)
        self.learn(newest_ms, speed)
        threshold = self.threshold_ms
        if newest_ms is None:
            return Staleness(WAITING, threshold_ms=threshold, state=state, reason=reason)
        if age_ms is None:  # data but no feed clock yet: nothing to measure the age against
            return Staleness(LATE, threshold_ms=threshold, state=state, reason=reason)
        stale = age_ms > threshold or (state == "disconnected" and age_ms > DISCONNECT_GRACE_MS)
        if stale:
            return Staleness(STALE, newest_ms, age_ms, threshold, state, reason)
        late = age_ms > self.late_ms or state != "live"
        return Staleness(LATE if late else LIVE, None, age_ms, threshold, state, reason)
