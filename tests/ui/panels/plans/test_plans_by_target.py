"""The plan panel suggests plans by what they act on, not by their ids: a feed whose plan ids
follow no convention still gets its failover suggested; a deploy gone wrong puts its rollback
first; the preview speaks of edges, rollbacks and targets the feed's topology lacks."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from tests.ui.panels.plans.test_plans_panel import Rig, make_panel  # noqa: E402
from warroom.core.plan.impact import preview  # noqa: E402
from warroom.core.plan.plans import Plan  # noqa: E402
from warroom.protocol import PlanCatalogue  # noqa: E402
from warroom.sim import build_platform  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.alerts.cards import CARD_ROLE  # noqa: E402
from warroom.ui.panels.plans.text import impact_lines, kind_word  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 12)


def test_plans_with_other_ids_are_suggested_by_target_and_kind(qtbot):
    rig = Rig(alerting=True, seconds=200)
    # The feed calls its plans whatever it likes: no "failover-{subject}" to match.
    renamed = tuple(dataclasses.replace(p, id=f"plan-{i:02d}") for i, p in enumerate(rig.view.plans))
    rig.view.apply(PlanCatalogue(renamed))
    rig.sim.inject_fault("dependency_outage", "bank-ccb", None)
    rig.run(60)
    root = next(a for a in rig.watch.alerts() if a.is_root and a.root_cause == "bank-ccb")
    assert not set(root.plans) & {p.id for p in renamed}, "the rule names no plan of this catalogue"
    panel = make_panel(qtbot, rig.view)
    first = panel.model.rows[0]
    assert (first.plan.kind, first.plan.target) == ("failover", "bank-ccb") and first.suggested_for == ("bank-ccb",)
    assert panel.model.data(panel.model.index(0), CARD_ROLE).badges[0].text == "SUGGESTED"
    assert "1 suggested" in panel.summary.text(), "a bank that fails over needs no traffic shed"


def test_after_a_deploy_the_rollback_comes_first(qtbot):
    rig = Rig(alerting=True, seconds=200)
    rig.sim.inject_fault("deploy_error_burst", "trade", None)
    rig.run(60)
    root = next(a for a in rig.watch.alerts() if a.is_root and a.root_cause == "trade" and a.state == "firing")
    assert "after_change" in root.tags
    panel = make_panel(qtbot, rig.view)
    first = panel.model.rows[0]
    assert (first.plan.kind, first.plan.target) == ("rollback", "trade") and first.suggested_for == ("trade",)
    card = panel.model.data(panel.model.index(0), CARD_ROLE)
    assert card.chip == "ROLLBACK" == kind_word("rollback")
    assert "SUGGESTED for trade" in panel.model.data(panel.model.index(0), Qt.ItemDataRole.ToolTipRole)


def test_preview_lines_for_rollbacks_edges_and_unknown_targets(qapp):
    t = build_platform().topology
    data = {"service_requests_rate": [900.0] * 10, "service_error_ratio": [0.35] * 10,
            "edge_requests_rate": [120.0] * 10}

    def recent(key):
        return data.get(key.name, [])

    rb = Plan(id="rb", kind="rollback", title="rb", target_kind="service", target="trade")
    (line,) = impact_lines(rb, preview(rb, t, recent), t)[:1]
    assert "previous version of Trade" in line and "900 req/s" in line and "35% errors" in line
    caller = next(e for e in t.edges if len(t.callers(e.callee)) > 1)
    edge = Plan(id="dg", kind="degrade", title="dg", target_kind="edge", target=f"{caller.caller}->{caller.callee}")
    lines = impact_lines(edge, preview(edge, t, recent), t)
    assert lines[0].startswith("Stops the calls from ") and "120 req/s" in lines[0]
    ghost = Plan(id="gh", kind="failover", title="gh", target_kind="edge", target="trade->nowhere")
    assert impact_lines(ghost, preview(ghost, t, recent), t) == [
        "Unknown target trade->nowhere: the feed's topology does not have it, so there is nothing to preview."]
