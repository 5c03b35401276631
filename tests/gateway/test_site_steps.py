"""Funnel steps in a site file: the simulator's example sends the payment world's funnels,
and every mistake names its line."""

from __future__ import annotations

import pytest

from warroom.core.settings.paths import resource_dir
from warroom.gateway.site import SiteError, load_site, parse_site
from warroom.sim.platform import build_platform

from .test_site import GOOD

STEPS = """\
      steps:
        - id: placed
          title: Placed
          titles: {zh_CN: 下单}
          services: [api]
          query: sum(rate(pay_total[1m]))
        - id: paid
          services: [db]
          query: sum(rate(pay_ok_total[1m]))
"""
ANCHOR = "      success_ratio: sum(rate(pay_ok_total[1m])) / sum(rate(pay_total[1m]))\n"


def _with(steps: str) -> str:
    assert GOOD.count(ANCHOR) == 1
    return GOOD.replace(ANCHOR, ANCHOR + steps)


def test_steps_load_with_their_query_names_and_services():
    site = parse_site(_with(STEPS))
    [sq] = site.prometheus.scenarios
    assert [(s.id, s.title, s.services) for s in sq.steps] == [("placed", "Placed", ("api",)), ("paid", "", ("db",))]
    assert sq.steps[0].titles == {"zh_CN": "下单"} and sq.steps[1].query == "sum(rate(pay_ok_total[1m]))"


def test_the_simulator_site_sends_the_payment_worlds_funnels():
    site = load_site(resource_dir() / "sites" / "simulator.yaml")
    platform = build_platform()
    for sq in site.prometheus.scenarios:
        world = platform.topology.scenario(sq.id).steps
        assert [(s.id, s.title, dict(s.titles), s.services) for s in sq.steps] == \
            [(s.id, s.title, dict(s.titles), s.services) for s in world], sq.id
        for st in sq.steps:
            assert f'scenario="{sq.id}",step="{st.id}"' in st.query and "warroom_scenario_step_total" in st.query


@pytest.mark.parametrize("steps, problem", [
    (STEPS.split("        - id: paid")[0], "at least two steps"),
    (STEPS.replace("id: paid", "id: placed"), "listed twice"),
    (STEPS.replace("services: [db]", "services: [stock]"), "not on the scenario's services: stock"),
    (STEPS.replace("          query: sum(rate(pay_ok_total[1m]))\n", ""), "query"),
    (STEPS.replace("id: paid", "id: pa/id"), "letters, digits"),
    (STEPS.replace("query: sum(rate(pay_ok_total[1m]))", "query: sum(rate(pay_ok_total[1m])"), "PromQL"),
])
def test_a_bad_step_names_its_line(steps, problem):
    text = _with(steps)
    with pytest.raises(SiteError) as info:
        parse_site(text, "site.yaml")
    found = [p for p in info.value.problems if problem in p]
    assert found, info.value.problems
    line = int(found[0].split(":")[1])
    assert line >= text.splitlines().index("      steps:") + 1
