"""Plan files for rehearsal: the example loads, mistakes are named, the simulator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.core.plan.plan_files import PlanFileError, load_plans, load_plans_file

EXAMPLE = Path(__file__).resolve().parents[3] / "resources" / "plans" / "rehearsal.example.yaml"


def test_example_file_loads_with_sentinel_fields():
    plans = load_plans_file(EXAMPLE)
    rl = next(p for p in plans if p.kind == "rate_limit")
    assert rl.params["count"] == 800 and rl.params["grade"] == 1 and rl.critical
    assert rl.guard is not None and rl.guard.within_s == 60


@pytest.mark.parametrize("text, words", [
    ("plans: []", "version"),
    ("version: 1\nplans: []\n", "non-empty"),
    ("version: 1\nplans:\n  - id: x\n    kind: degrade\n", "plan #1 (x): missing field 'target'"),
    ("version: 1\nplans:\n  - id: x\n    kind: degrade\n    target: {kind: planet, name: y}\n", "target_kind"),
    ("version: 1\nplans:\n  - {id: x, kind: degrade, target: {kind: service, name: c}}\n"
     "  - {id: x, kind: degrade, target: {kind: service, name: c}}\n", "used twice"),
    ("version: 1\nplans:\n  - id: [\n", "not valid YAML"),
])
def test_mistakes_are_named(text, words):
    with pytest.raises(PlanFileError, match=None) as e:
        load_plans(text, "mine.yaml")
    assert words in str(e.value) and str(e.value).startswith("mine.yaml")


def test_simulator_rehearses_a_plan_from_a_file():
    from warroom.sim import Simulator, build_platform
    from warroom.sim.platform import with_plans

    sim = Simulator(start_ms=1_731_292_200_000, platform=with_plans(build_platform(), load_plans_file(EXAMPLE)))
    assert "ratelimit-cashier-drill" in {p.id for p in sim.catalogue().plans}
    for _ in range(5):
        sim.tick()
    sim.execute_plan("ratelimit-cashier-drill", actor="drill")
    for _ in range(5):
        batch, _ = sim.tick()
    vals = {batch.series[i].text: v for i, v in zip(batch.index.tolist(), batch.values.tolist())}
    admitted = vals['service_requests_rate{service="cashier"}']
    assert admitted == pytest.approx(800, rel=0.05), "the file's FlowRule count is what the simulator admits"
    with pytest.raises(ValueError, match="only a non-core service"):
        with_plans(build_platform(), load_plans(
            "version: 1\nplans:\n  - {id: d, kind: degrade, target: {kind: service, name: trade}}\n"))
