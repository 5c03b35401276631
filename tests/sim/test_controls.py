"""What the simulator's controls accept: every kind of the catalogue, rollback included."""

from __future__ import annotations

import pytest

from warroom.core.plan.plans import Plan
from warroom.sim.controls import Controls
from warroom.sim.platform import build_platform


def _plan(target: str, target_kind: str = "service") -> Plan:
    return Plan(id=f"rb-{target}", kind="rollback", title="rb", target_kind=target_kind, target=target)


def test_rollback_of_a_deployed_service_is_accepted_held_and_undone():
    t = build_platform().topology
    controls = Controls(t)
    plan = _plan("trade")
    controls.check(plan)
    assert controls.apply(plan, {}, {}) == {}
    assert controls.active == ("rb-trade",) and controls.rolled_back == {"trade"}
    assert not controls.standby and not controls.degraded, "a rollback is no failover"
    assert controls.undo("rb-trade") is plan and not controls.rolled_back


@pytest.mark.parametrize("target, target_kind", [("trade-db", "service"), ("ghost", "service"),
                                                 ("bank-icbc", "bank_channel"), ("cashier->trade", "edge")])
def test_rollback_of_what_gets_no_deploys_is_refused(target, target_kind):
    with pytest.raises(ValueError, match="rollback targets a service that gets deploys"):
        Controls(build_platform().topology).check(_plan(target, target_kind))


def test_unknown_kinds_are_still_refused():
    plan = Plan(id="x", kind="reboot", title="x", target_kind="service", target="trade")
    with pytest.raises(ValueError, match="cannot run plans of kind 'reboot'"):
        Controls(build_platform().topology).check(plan)
