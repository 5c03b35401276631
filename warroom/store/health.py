"""What the history writer reports: its health, each flush, and the error of a close that lost data.

``WriterHealth.summary()`` is the closing line of a recording: what was saved, what was
quarantined (and why) and what was not saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

# How quarantined rows are named in a summary line.
_KIND_LABELS = {"points": "point", "event": "event", "topology": "topology snapshot", "plans": "plan catalogue"}
_MISSING = {"points": "point", "event": "event"}  # topology and plans: "snapshot"


@dataclass(frozen=True)
class WriterHealth:
    """A snapshot of the writer's state, for the console's health indicator and closing lines.

    ``last_error`` is the error of the most recent write attempt, None once a write
    succeeds again; ``failed_flushes`` counts every failed attempt so far.
    ``last_flush_ts`` is the newest point timestamp (epoch ms) this writer has committed.
    ``flushed_*`` count what was stored; ``duplicate_events`` events skipped because their id
    was already stored. ``quarantined`` counts rows set aside by kind (``points``, ``event``,
    ``topology``, ``plans``) and ``quarantine_reasons`` by reason class (``bad text``...);
    ``lost`` counts rows by kind that could neither be stored nor quarantined (it stays
    empty unless the quarantine table itself is broken). ``pending_*`` is still queued:
    after ``close`` it is what was not saved. ``deleted_points`` counts retention's deletions.
    """

    last_error: str | None
    pending_points: int
    pending_events: int
    flushed_points: int
    last_flush_ts: int | None
    flushes: int
    failed_flushes: int
    pending_snapshots: int = 0
    flushed_events: int = 0
    duplicate_events: int = 0
    flushed_topologies: int = 0
    flushed_plans: int = 0
    quarantined: Mapping[str, int] = field(default_factory=dict)
    quarantine_reasons: Mapping[str, int] = field(default_factory=dict)
    lost: Mapping[str, int] = field(default_factory=dict)
    deleted_points: int = 0
    closed: bool = False

    @property
    def unsaved(self) -> int:
        """Rows not saved (still queued, or lost) and not quarantined either."""
        return self.pending_points + self.pending_events + self.pending_snapshots + sum(self.lost.values())

    def summary(self) -> str:
        """One line on what was saved, quarantined and (not yet) saved, for the closing lines:

        ``saved 1,234,567 points, 12 events; quarantined 3 points (bad text: 3); not saved: nothing``
        """
        saved = f"saved {_n(self.flushed_points, 'point')}, {_n(self.flushed_events, 'event')}"
        if self.flushed_topologies or self.flushed_plans:
            saved += f", {_n(self.flushed_topologies, 'topology snapshot')}, {_n(self.flushed_plans, 'plan catalogue')}"
        q = {k: n for k, n in self.quarantined.items() if n}
        quarantined = "quarantined nothing" if not q else (
            "quarantined " + ", ".join(_n(n, _KIND_LABELS.get(k, k)) for k, n in q.items())
            + " (" + ", ".join(f"{r}: {n:,}" for r, n in self.quarantine_reasons.items() if n) + ")")
        missing = {"point": self.pending_points, "event": self.pending_events, "snapshot": self.pending_snapshots}
        for kind, n in self.lost.items():
            missing[_MISSING.get(kind, "snapshot")] += n
        parts = [_n(n, k) for k, n in missing.items() if n]
        head = "not saved" if self.closed else "pending"
        tail = f"{head}: " + (", ".join(parts) if parts else "nothing")
        if parts and self.last_error:
            tail += f" ({self.last_error})"
        return "; ".join((saved, quarantined, tail))


def _n(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class FlushReport:
    """What one committed flush wrote; passed to ``on_flush`` on the writer thread."""

    points: int  # points stored
    events: int  # rows actually inserted (events already stored are not counted)
    topologies: int  # snapshots stored because the topology changed
    new_series: int
    newest_ts: int | None  # newest point timestamp in this flush
    last_flush_ts: int | None  # newest point timestamp committed so far
    flushed_points: int  # total committed by this writer
    deleted_points: int  # removed by retention right after this flush
    duration_s: float
    quarantined: int = 0  # rows of this flush set aside in the quarantine table


class StoreError(RuntimeError):
    """The writer could not save everything it was given (reported, never silent).

    ``health`` is the writer's final ``WriterHealth``: its ``summary()`` and counts say
    what was saved, quarantined and not saved.
    """

    def __init__(self, message: str, health: WriterHealth | None = None) -> None:
        super().__init__(message)
        self.health = health
