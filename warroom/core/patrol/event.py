"""A patrol as a row of the event log, and the last patrol read back from the log.

The ``patrol`` event keeps what the next patrol compares with (every item's level) and what
the wall shows (the verdict and its counts); the report itself is a file, named in
``attrs["report"]`` when one was written.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from warroom.core.model import Event, EventKind, Severity
from warroom.core.patrol.inspect import LEVELS, Patrol

#: Event severity per verdict: a failed patrol is a warning in the log, not an incident.
_SEVERITY = {"fail": Severity.P2, "warn": Severity.P3, "pass": Severity.INFO, "unknown": Severity.INFO}


def patrol_event(patrol: Patrol, report: str = "") -> Event:
    """The ``patrol`` event of ``patrol`` (``report``: the report's path, if written)."""
    counts = patrol.counts()
    title = (f"Patrol {patrol.verdict}: {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail, "
             f"{counts['unknown']} unknown; {patrol.unknown_headroom} with unknown headroom")
    if patrol.changes:
        title += f"; {len(patrol.changes)} changed since the last patrol"
    attrs: dict[str, Any] = {
        "verdict": patrol.verdict, "counts": counts, "levels": patrol.levels(),
        "unknown_headroom": patrol.unknown_headroom, "changes": len(patrol.changes),
        "window": [patrol.start_ms, patrol.end_ms], "source": patrol.source,
    }
    if report:
        attrs["report"] = report
    return Event(f"patrol-{patrol.at_ms}", patrol.at_ms, EventKind.PATROL, patrol.source or "patrol", title,
                 _SEVERITY[patrol.verdict], attrs)


def last_patrol(events: Iterable[Event], source: str | None = None) -> Event | None:
    """The newest well-formed ``patrol`` event (of ``source`` when given), or None."""
    best: Event | None = None
    for e in events:
        if e.kind is not EventKind.PATROL or verdict_of(e) is None:
            continue
        if source is not None and e.attrs.get("source") != source:
            continue
        if best is None or e.ts >= best.ts:
            best = e
    return best


def verdict_of(event: Event) -> str | None:
    """The event's verdict, or None when it is not a readable patrol event."""
    v = event.attrs.get("verdict")
    return v if isinstance(v, str) and v in LEVELS else None


def levels_of(event: Event) -> dict[str, str]:
    """The item levels a patrol event recorded (bad entries dropped: the log is input too)."""
    raw = event.attrs.get("levels")
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, str) and v in LEVELS}
