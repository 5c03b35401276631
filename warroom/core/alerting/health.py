"""Health levels of services and call edges from their metrics (pure functions).

A level is one of ``"ok"``, ``"warn"``, ``"crit"`` or ``"unknown"`` (no data). The map,
the tiles and the rules all grade with these functions, so a node that is red on the
wall is red for the same reason everywhere.

A service is as bad as its worst known signal: error ratio, p99 latency or saturation.
A signal without data is skipped; a service with no data at all is ``unknown``, never a
guessed ``ok``.

Latency thresholds depend on the service: a bank gateway answers in hundreds of
milliseconds, and every service that waits for a bank inherits that tail (the channels
of a payment flow sit at 1.1-1.8 s p99 on a healthy busy hour). Grading them against
the 1 s / 2 s of an in-house service would paint half the map amber on a normal day, and
an amber that means nothing teaches the room to ignore amber. ``thresholds_by_service``
gives banks (and third-party APIs) and their callers ``BANK_THRESHOLDS``; a service that
declares objectives (protocol 1.2 ``slo``) is graded against them instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from warroom.core.model import ServiceKind
from warroom.core.graph.topology import Topology

#: Levels from least to most severe for ``worst``; ``unknown`` loses to any real reading.
LEVELS: tuple[str, ...] = ("unknown", "ok", "warn", "crit")
_RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class HealthThresholds:
    """Where warning and critical start (inclusive) for each signal.

    Ratios are 0..1 (``error_warn=0.01`` is 1 %); latencies are seconds; saturation is
    load over capacity (1.0 = at capacity).
    """

    error_warn: float = 0.01
    error_crit: float = 0.05
    p99_warn_s: float = 1.0
    p99_crit_s: float = 2.0
    saturation_warn: float = 0.8
    saturation_crit: float = 1.0

    def __post_init__(self) -> None:
        for signal in ("error", "p99", "saturation"):
            suffix = "_s" if signal == "p99" else ""
            warn = getattr(self, f"{signal}_warn{suffix}")
            crit = getattr(self, f"{signal}_crit{suffix}")
            if not 0 <= warn <= crit:
                raise ValueError(f"{signal}: need 0 <= warn <= crit, got warn={warn} crit={crit}")


#: In-house services, databases, caches and queues.
DEFAULT_THRESHOLDS = HealthThresholds()
#: Bank gateways and everything that waits on one (see the module docstring).
BANK_THRESHOLDS = HealthThresholds(p99_warn_s=2.0, p99_crit_s=4.0)


def grade(value: float | None, warn: float, crit: float) -> str:
    """The level of one reading: ``crit`` at or above ``crit``, ``warn`` at or above ``warn``."""
    if value is None or math.isnan(value):
        return "unknown"
    if value >= crit:
        return "crit"
    if value >= warn:
        return "warn"
    return "ok"


def worst(levels: Iterable[str]) -> str:
    """The most severe level; ``unknown`` only when every level is unknown (or none given)."""
    return max(levels, key=_RANK.__getitem__, default="unknown")


def service_level(
    error_ratio: float | None,
    p99_s: float | None,
    saturation: float | None,
    thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
) -> str:
    """A service's level: the worst of its error ratio, p99 latency and saturation."""
    t = thresholds
    return worst((
        grade(error_ratio, t.error_warn, t.error_crit),
        grade(p99_s, t.p99_warn_s, t.p99_crit_s),
        grade(saturation, t.saturation_warn, t.saturation_crit),
    ))


def edge_level(error_ratio: float | None, thresholds: HealthThresholds = DEFAULT_THRESHOLDS) -> str:
    """A call edge's level from the error ratio its caller sees."""
    return grade(error_ratio, thresholds.error_warn, thresholds.error_crit)


def thresholds_by_service(
    topology: Topology,
    default: HealthThresholds = DEFAULT_THRESHOLDS,
    bank: HealthThresholds = BANK_THRESHOLDS,
) -> dict[str, HealthThresholds]:
    """Thresholds for every service: ``bank`` for bank gateways and their (transitive)
    callers, whose latency includes the bank's; ``default`` for the rest."""
    banks = {s.name for s in topology.services if s.kind in (ServiceKind.BANK, ServiceKind.EXTERNAL)}
    waits_on_bank = set(banks)
    for name in banks:
        waits_on_bank |= topology.upstream(name)
    out = {s.name: bank if s.name in waits_on_bank else default for s in topology.services}
    for s in topology.services:
        if s.slo:
            out[s.name] = with_objectives(out[s.name], s.slo)
    return out


def with_objectives(base: HealthThresholds, slo: Mapping[str, float]) -> HealthThresholds:
    """``base`` graded against a service's declared objectives: red at the objective, amber from
    80 % of it. A batch job promising a 10 s p99 is not amber at 1 s; a service promising 50 ms
    is not green at 900 ms."""
    changes: dict[str, float] = {}
    p99 = slo.get("p99_s")
    if p99 is not None and p99 > 0:
        changes.update(p99_warn_s=0.8 * p99, p99_crit_s=p99)
    err = slo.get("error_ratio")
    if err is not None and err > 0:
        changes.update(error_warn=0.8 * err, error_crit=err)
    return replace(base, **changes) if changes else base
