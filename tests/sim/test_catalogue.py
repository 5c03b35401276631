"""The simulator's plan catalogue: a rollback for every service that gets deploys, on every
world, each one a plan the simulator's controls accept and the console can preview."""

from __future__ import annotations

import pytest

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
from warroom.core.plan.impact import preview
from warroom.core.plan.plans import KNOWN_KINDS
from warroom.sim.catalogue import DEPLOYED_KINDS, build_plans
from warroom.sim.controls import Controls
from warroom.sim.faults import FaultKind, valid_targets
from warroom.sim.platform import build_platform


def _worlds():
    """(name, platform) of every shipped world; the payment platform while none are shipped."""
    try:
        from warroom.sim.world import builtin_worlds, load_world
    except ImportError:
        return [("payment", build_platform())]
    found = [(name, load_world(name).platform) for name in builtin_worlds()]
    return found or [("payment", build_platform())]


def test_a_rollback_for_every_service_a_deploy_can_break():
    for name, platform in _worlds():
        t = platform.topology
        rollbacks = {p.target: p for p in platform.plans if p.kind == "rollback"}
        deployed = {s.name for s in t.services if s.kind in DEPLOYED_KINDS}
        assert set(rollbacks) == deployed, name
        assert valid_targets(t, FaultKind.DEPLOY_ERROR_BURST) <= set(rollbacks), \
            f"{name}: every service a deploy_error_burst can hit can be rolled back"
        controls = Controls(t)
        for target, plan in rollbacks.items():
            assert plan.target_kind == "service" and plan.kind in KNOWN_KINDS
            assert plan.guard is not None and target in plan.guard.series, "verified on the service itself"
            assert plan.titles.get("zh_CN") and plan.texts["zh_CN"]["steps"], "the feed speaks Chinese too"
            controls.check(plan)  # the simulator can run it


def test_rollback_plans_come_from_kinds_not_names():
    t = Topology([Service("edge-proxy", ServiceKind.CHANNEL), Service("orders"), Service("db", ServiceKind.DATABASE)],
                 [CallEdge("edge-proxy", "orders"), CallEdge("orders", "db")],
                 [Scenario.from_path("order", "Order", ["edge-proxy", "orders", "db"])])
    plans = build_plans(t, {"order": 100.0})
    assert sorted(p.target for p in plans if p.kind == "rollback") == ["edge-proxy", "orders"]


def test_every_catalogue_plan_previews_with_no_data():
    for name, platform in _worlds():
        for plan in platform.plans:
            imp = preview(plan, platform.topology, lambda key: [])
            assert "unknown_target" not in imp.figures, (name, plan.id)


@pytest.mark.parametrize("kind", ["rollback"])
def test_plan_ids_stay_unique_with_rollbacks(kind):
    for name, platform in _worlds():
        ids = [p.id for p in platform.plans]
        assert len(ids) == len(set(ids)), name
        assert any(p.kind == kind for p in platform.plans), name
