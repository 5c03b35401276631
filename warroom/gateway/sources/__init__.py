"""Where the gateway's world comes from: Prometheus (polled), Alertmanager and CI (posted).

A polled source hands the gateway ``SourceUpdate`` values: points, sometimes a new topology,
and feed events about the source itself. Each part of a source that can fail on its own (the
Prometheus topology queries, one scenario's queries, one KPI) has a name and reports it as
the series ``source_up{source=NAME}`` — ``1`` after a good poll, ``0`` after a failed one,
when its own series get no points at all (stale, never zero) — plus one ``feed`` event each
time it changes between failing and ok (docs/protocol.md, revision 1.3).

Names used by the Prometheus source: ``prometheus:topology``, ``prometheus:scenario:<id>``,
``prometheus:kpi:<series>`` (the KPI's series key in canonical text form).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from warroom.core.graph.topology import Topology
from warroom.core.model import Event, SeriesKey

#: The series that says whether a source (or one part of it) answered its last poll.
SOURCE_UP = "source_up"


def source_up_key(name: str) -> SeriesKey:
    """``source_up{source=NAME}``."""
    return SeriesKey(SOURCE_UP, {"source": name})


@dataclass(frozen=True)
class SourceUpdate:
    """What one poll of a source produced.

    ``points`` are ``(series, ts_ms, value)`` with finite values only. ``topology`` is set
    on the first poll and whenever the services, edges or their kinds changed; None means
    "the one sent before still holds". ``events`` are the source's state changes.
    """

    ts_ms: int
    points: list[tuple[SeriesKey, int, float]]
    topology: Topology | None = None
    events: Sequence[Event] = ()


@dataclass
class SourceHealth:
    """How one named part of a source is doing, for logs and the gateway's status.

    ``state`` is ``unknown`` before the first poll, then ``ok`` or ``failing``; ``error`` is
    the last failure's message (kept after a recovery), ``kind`` its ``PromError`` kind
    (``internal`` for a gateway bug, which is also logged with its traceback). ``detail``
    says what the source decided on its own (the latency unit it picked and why, warnings
    Prometheus attached to its answers).
    """

    name: str
    state: str = "unknown"
    error: str = ""
    kind: str = ""
    polls: int = 0
    failures: int = 0
    bugs: int = 0
    last_ok_ms: int | None = None
    last_poll_ms: int | None = None
    detail: list[str] = field(default_factory=list)
