"""The simulator's error log lines with trace ids while a fault is on (protocol 1.5)."""

from __future__ import annotations

import re

from warroom.protocol.context import context_of, is_context
from warroom.sim.engine import Simulator
from warroom.sim.logs import EVERY_MS

T0 = 1_767_225_000_000


def _run(seed: int, seconds: int, fault: tuple | None = ("dependency_outage", "bank-ccb")):
    sim = Simulator(start_ms=T0, seed=seed)
    events = []
    for s in range(seconds):
        if fault and s == 10:
            sim.inject_fault(fault[0], fault[1], 60)
        events += sim.tick()[1]
    return sim, [e for e in events if is_context(e)]


def test_a_fault_writes_lines_at_the_service_and_its_callers():
    sim, notes = _run(3, 50)
    by_service = {}
    for e in notes:
        by_service.setdefault(e.subject, []).append(context_of(e))
    assert "bank-ccb" in by_service
    callers = {edge.caller for edge in sim.topology.edges if edge.callee == "bank-ccb"}
    assert set(by_service) - {"bank-ccb"} and set(by_service) - {"bank-ccb"} <= callers
    own = by_service["bank-ccb"][0]
    assert all(re.fullmatch(r"[0-9a-f]{32}", ln.trace_id) for ln in own.lines)
    assert all(f"trace_id={ln.trace_id}" in ln.line and "bank-ccb" in ln.line for ln in own.lines)
    caller = next(v for k, v in by_service.items() if k != "bank-ccb")[0]
    assert set(caller.trace_ids) <= set(own.trace_ids)  # the same requests, seen from both sides
    # One excerpt per fault per EVERY_MS, the first 2 s in: the fault from 10 s, the last tick at 49 s.
    assert len(by_service["bank-ccb"]) == len(range(12_000, 49_001, EVERY_MS))
    assert min(ln.ts for c in by_service["bank-ccb"] for ln in c.lines) >= T0 + 10_000  # never before the fault


def test_no_fault_no_lines_and_the_same_seed_the_same_lines():
    assert _run(3, 40, None)[1] == []
    assert [e.attrs for e in _run(5, 40)[1]] == [e.attrs for e in _run(5, 40)[1]]


def test_the_lines_end_with_the_fault():
    _, notes = _run(3, 120)
    assert notes and max(e.ts for e in notes) < T0 + 71_000
