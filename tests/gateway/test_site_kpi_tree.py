"""A site file's ``kpi_tree:``: read with its mistakes named by line, the simulator example's
tree is the payment world's, and the gateway sends it with the topology it found."""

from __future__ import annotations

import pytest

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Service
from warroom.core.settings.paths import resource_dir
from warroom.gateway.feed import GatewayFeed
from warroom.gateway.site import SiteError, load_site, parse_site
from warroom.gateway.sources import SourceUpdate
from warroom.sim.platform import build_platform

from .test_site import GOOD

TREE = """\
kpi_tree:
  goal: {title: Restored in a minute, kpi: mttr, target: 60}
  lines:
    shop:
      title: Shop
      teams:
        core: {title: Core, titles: {zh_CN: 核心}, services: [api, db]}
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_tree_is_read():
    site = parse_site(GOOD + TREE)
    assert site.kpi_tree is not None and site.kpi_tree.team_of("db") == "core"
    assert site.kpi_tree.teams[0].titles == {"zh_CN": "核心"}
    assert parse_site(GOOD).kpi_tree is None


@pytest.mark.parametrize("old, new, problem, where", [
    ("kpi: mttr", "kpi: tps", "kpi must be one of", "kpi: tps"),
    ("services: [api, db]", "services: api", "services must list", "core:"),
    ("      title: Shop\n", "      title: Shop\n      colour: red\n", "unknown field 'colour'", "    shop:"),
])
def test_mistakes_name_their_line(old, new, problem, where):
    text = GOOD + TREE.replace(old, new)
    with pytest.raises(SiteError) as err:
        parse_site(text, "site.yaml")
    message = str(err.value)
    assert problem in message and f"site.yaml:{_line_of(text, where)}:" in message, message


def test_the_simulator_site_sends_the_payment_worlds_tree():
    site = load_site(resource_dir() / "sites" / "simulator.yaml")
    assert site.kpi_tree == build_platform().topology.kpi_tree


def test_the_gateway_sends_the_tree_with_the_topology_it_found():
    site = parse_site(GOOD + TREE)
    feed = GatewayFeed(site, clock=lambda: 1_767_225_600_000)
    topo = Topology([Service("api"), Service("db")], [CallEdge("api", "db")])
    feed.publish(SourceUpdate(1_767_225_600_000, [], topo))
    assert feed.topology.kpi_tree == site.kpi_tree
    [snapshot] = [m for m in feed.snapshot_messages() if type(m).__name__ == "TopologySnapshot"]
    assert snapshot.to_wire()["kpi_tree"]["lines"][0]["id"] == "shop"
