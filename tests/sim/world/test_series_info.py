"""A world file's ``series:`` declarations: checked with their line, sent ahead of the
simulator's own descriptions, which every world (and the built-in platform) carries."""

from __future__ import annotations

import pytest

from warroom.sim.platform import build_platform
from warroom.sim.series_info import SIM_SERIES
from warroom.sim.world import WorldError, load_world, load_world_text

from .test_loader import GOOD, _line_of

SERIES = """\
series:
  service_error_ratio:
    owner: shop-sre
    description: Failed share of the shop's requests
  'scenario_tps{scenario="buy"}':
    descriptions: {zh_CN: 购买成功笔数}
"""


def test_declarations_come_before_the_simulator_s_own():
    world = load_world_text(GOOD + SERIES)
    infos = world.topology.series_info
    assert [i.selector for i in infos[:2]] == ["service_error_ratio", 'scenario_tps{scenario="buy"}']
    assert infos[0].owner == "shop-sre"
    assert infos[2:] == SIM_SERIES
    assert load_world_text(GOOD).topology.series_info == SIM_SERIES


def test_every_series_the_simulator_sends_is_described():
    from warroom.core.catalogue import describe
    from warroom.sim.engine import Simulator

    sim = Simulator(seed=1, start_ms=1_767_225_600_000, world=load_world("ecommerce-ops"))
    keys = set()
    for _ in range(120):  # two minutes: the jobs (cadence 60 s) report too
        batch, _events = sim.tick()
        keys.update(batch.series)
    assert any(k.name == "job_last_success_timestamp_seconds" for k in keys)
    for key in keys:
        d = describe(key, sim.topology.series_info, sim.topology)
        assert d.unit and d.description, key.text
    assert build_platform().topology.series_info == SIM_SERIES


@pytest.mark.parametrize("old, new, problem", [
    ("    owner: shop-sre\n", "    owner: shop-sre\n    colour: red\n", "unknown key 'colour'"),
    ("  'scenario_tps{scenario=\"buy\"}':", "  'scenario_tps{scenario=buy}':", "bad label syntax"),
])
def test_mistakes_name_their_line(old, new, problem):
    text = GOOD + SERIES.replace(old, new)
    with pytest.raises(WorldError) as err:
        load_world_text(text, "w.yaml")
    assert problem in str(err.value) and err.value.line is not None
    needle = "scenario_tps" if "scenario" in old else "service_error_ratio"
    assert err.value.line == _line_of(text, needle)
