"""The diagnosis drills (``warroom.sim.diagnosis``, ``bench/diagnosis.py``) on a sample of every
shipped world: each fault kind on one service it applies to, through the console's own watch.

The whole matrix runs in ``bench/diagnosis.py``; here one target per kind and world, which is
what keeps the console honest on platforms it was not tuned on: no case may name a wrong root,
and every case must be named top-1 within 30 s of its first symptom.
"""

from __future__ import annotations

import pytest

from warroom.core.alerting.cadence import silent_after_s
from warroom.sim.diagnosis import GOAL_S, Case, Table, _overdue_ms, cases_of, run, warm_up
from warroom.sim.world import builtin_worlds, load_world


@pytest.fixture(scope="module")
def table() -> Table:
    return run(builtin_worlds(), sample=1, warm_s=300, watch_s=60)


def test_the_sample_covers_every_world_and_every_kind_that_applies(table):
    assert {c.world for c in table.cases} == set(builtin_worlds())
    for name in builtin_worlds():
        kinds = {k.value for k, _ in cases_of(load_world(name))}
        assert {c.kind for c in table.cases if c.world == name} == kinds


def test_no_case_names_a_wrong_root(table):
    wrong = [(c.world, c.kind, c.target, c.wrong) for c in table.cases if c.wrong]
    assert wrong == []


def test_every_visible_fault_is_named_top1_within_the_goal(table):
    missed = [(c.world, c.kind, c.target, c.top1_s) for c in table.cases
              if not (c.top1_s is not None and c.top1_s <= GOAL_S)]
    assert missed == []


def test_the_summary_line_counts_the_cases():
    cases = [Case("w", "k", "a", frozenset({"a"}), 10.0, 12.0), Case("w", "k", "b", frozenset({"b"}), 5.0, 45.0),
             Case("w", "j", "c", frozenset({"c"}), None, None, ("d",))]
    t = Table(cases)
    assert t.summary() == "diagnosis: cases=3 top1=2 within30s=1 wrong=1"
    assert sorted(t.rows()) == [("w", "j", 1, 0, None, None, 1), ("w", "k", 2, 2, 28.5, 45.0, 0)]


def test_a_stalled_job_is_timed_from_the_moment_its_run_is_overdue():
    warmed = warm_up("ecommerce-ops", warm_s=30)
    job = next(s for s in warmed.world.topology.services if s.cadence_s >= 300)
    sim, period = warmed.sim, round(job.cadence_s) * 1000
    stale = warmed.watch.engine.rules.stale_after_s
    fault_ms = sim.start_ms + period + 1000  # just after a run: the next one is a cadence away
    assert _overdue_ms(sim, warmed.watch, job.name, fault_ms) == sim.start_ms + period + silent_after_s(
        stale, job.cadence_s) * 1000
    at_run = sim.start_ms + 2 * period  # stalled at its run's own tick: that run is the one missed
    assert _overdue_ms(sim, warmed.watch, job.name, at_run) == sim.start_ms + period + silent_after_s(
        stale, job.cadence_s) * 1000
