"""End to end on the simulated payment platform: a bank outage and a risk-control release,
diagnosed by the real alert engine and incident book, are credited in the KPI tree to the teams
owning their roots, and a drill's fault is counted apart."""

from __future__ import annotations

from tests.app.drill import Drill
from warroom.core.northstar.tree import report
from warroom.store.live import LiveView


def test_outages_are_credited_to_the_teams_owning_their_roots():
    drill = Drill(view=LiveView(max_events=50_000))
    tree = drill.sim.topology.kpi_tree
    assert tree is not None  # the built-in platform declares the payment world's tree
    drill.sim.inject_fault("dependency_outage", "bank-icbc", 240, delay_s=30)
    drill.sim.inject_fault("deploy_error_burst", "risk-control", 150, delay_s=700)
    drill.run(1000)
    rep = report(tree, drill.log, drill.now_ms)
    banks, risk = rep.root.find("team", "bank-channels"), rep.root.find("team", "risk-team")
    assert banks.incidents >= 1 and banks.minutes > 2.0, rep.root
    assert risk.incidents >= 1 and risk.minutes > 1.0, rep.root
    assert banks.find("service", "bank-icbc").minutes == banks.minutes
    # Each outage's minutes are about its fault's length, not the room's whole morning.
    assert banks.minutes < 8.0 and risk.minutes < 6.0
    assert banks.mttr_over(7).restored >= 1 and banks.mttr_over(7).mttr_mitigated_s is not None
    quiet = rep.root.find("team", "clearing-team")
    assert quiet.minutes == 0 and quiet.share == 0
    assert rep.drill_incidents == 0


def test_a_drill_fault_is_counted_apart():
    drill = Drill(view=LiveView(max_events=50_000))
    drill.sim.inject_fault("dependency_outage", "bank-icbc", 240, delay_s=30, drill=True)
    drill.run(600)
    rep = report(drill.sim.topology.kpi_tree, drill.log, drill.now_ms)
    assert rep.drill_incidents >= 1 and rep.drill_minutes > 2.0
    assert rep.root.find("team", "bank-channels").minutes == 0 and rep.root.minutes == 0
