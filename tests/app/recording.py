"""A recorded incident for replay, bundle and report tests: ``warroom.sim.drill`` with the
ICBC outage resolved by failing over to another bank."""

from __future__ import annotations

from pathlib import Path

from warroom.sim.drill import COMMANDER, DRILL_START_MS, Drill, LiveMoment, record_drill

START = DRILL_START_MS
PLAN = "failover-bank-icbc"
Recording = Drill

__all__ = ["COMMANDER", "PLAN", "START", "LiveMoment", "Recording", "record_incident"]


def record_incident(path: Path, *, seconds: int = 900, fault_at_s: int = 120, seed: int = 4,
                    start_ms: int = START, every_s: int = 15) -> Drill:
    """Fifteen minutes, an ICBC outage at 2 min, acknowledged, failed over 30 s after detection."""
    return record_drill(path, seconds=seconds, fault="dependency_outage:bank-icbc", fault_at_s=fault_at_s,
                        plan=PLAN, seed=seed, start_ms=start_ms, every_s=every_s)
