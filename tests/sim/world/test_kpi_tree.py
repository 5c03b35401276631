"""A world's ``kpi_tree:``: loaded onto its topology, checked against its services with the
file's line, and the payment world's tree is the built-in platform's."""

from __future__ import annotations

import pytest

from warroom.sim.platform import build_platform
from warroom.sim.world import WorldError, load_world, load_world_text

WORLD = """\
name: tiny
services:
  web: {kind: channel, capacity_rps: 500, latency_ms: 2, calls: {api: 1}}
  api: {capacity_rps: 400, latency_ms: 5, calls: {db: 1}}
  db: {kind: database, capacity_rps: 2000, latency_ms: 1}
scenarios:
  buy:
    peak_tps: 100
    paths:
      - [web, api, db]
kpi_tree:
  goal: {title: Restored within a minute, kpi: mttr, target: 60}
  lines:
    shop:
      title: Shop
      titles: {zh_CN: 商城}
      teams:
        front: {title: Front end, services: [web]}
        back:
          title: Back end
          services: [api, db]
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_tree_is_loaded_onto_the_topology():
    tree = load_world_text(WORLD, source="tiny.yaml").topology.kpi_tree
    assert tree is not None and tree.goal.target == 60.0
    assert tree.team_of("db") == "back" and tree.lines[0].titles == {"zh_CN": "商城"}


def test_a_world_without_a_tree_has_none():
    text = WORLD.split("kpi_tree:")[0]
    assert load_world_text(text, source="tiny.yaml").topology.kpi_tree is None


@pytest.mark.parametrize("old, new, problem, where", [
    ("services: [api, db]", "services: [api, db, cache]", "lists 'cache', which is not a service", "services: [api, db"),
    ("services: [web]", "services: [web, db]", "already in team", "services: [api, db]"),
    ("kpi: mttr", "kpi: uptime", "kpi must be one of", "kpi: uptime"),
    ("      title: Shop\n", "      title: Shop\n      owner: me\n", "unknown field 'owner'", "title: Shop"),
])
def test_a_bad_tree_names_the_line(old, new, problem, where):
    text = WORLD.replace(old, new)
    with pytest.raises(WorldError) as err:
        load_world_text(text, source="tiny.yaml")
    assert problem in str(err.value)
    assert err.value.line == _line_of(text, where), str(err.value)


def test_the_payment_world_and_the_built_in_platform_declare_the_same_tree():
    world = load_world("payment").topology
    assert world.kpi_tree is not None
    assert world.kpi_tree == build_platform().topology.kpi_tree
    assert world.kpi_tree.unknown_services(s.name for s in world.services) == []
    assert world.kpi_tree.services == {s.name for s in world.services}  # every service has an owner
