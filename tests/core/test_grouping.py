"""Groups drawn as one node (``collapse``) and tall columns folded (``wrap_columns``)."""

from __future__ import annotations

from warroom.core.grouping import GROUP_ABOVE, GROUP_PREFIX, collapse, group_names, should_collapse, wrap_columns
from warroom.core.model import CallEdge, Scenario, Service
from warroom.core.topology import Topology


def platform(per_group: int = 30) -> Topology:
    """An entry service calling into two groups ("pay", "risk"), each a chain, pay calling risk;
    plus a lone database of no group."""
    pay = [Service(f"pay-{i}", group="pay") for i in range(per_group)]
    risk = [Service(f"risk-{i}", group="risk") for i in range(per_group)]
    services = [Service("gw"), *pay, *risk, Service("db")]
    edges = [CallEdge("gw", "pay-0", 1.0), CallEdge("gw", "risk-0", 0.5)]
    edges += [CallEdge(f"pay-{i}", f"pay-{i + 1}") for i in range(per_group - 1)]
    edges += [CallEdge(f"risk-{i}", f"risk-{i + 1}") for i in range(per_group - 1)]
    edges += [CallEdge("pay-3", "risk-4", 0.25), CallEdge("pay-5", "risk-6", 0.5), CallEdge("risk-9", "db")]
    scenario = Scenario("qr", "QR pay", "gw", (("gw", "pay-0"), ("pay-0", "pay-1"), ("pay-3", "risk-4")))
    return Topology(services, edges, [scenario])


def test_a_big_topology_draws_each_group_as_one_node_with_its_members():
    topo = platform()
    assert len(topo) > GROUP_ABOVE and should_collapse(topo) and group_names(topo) == ["pay", "risk"]
    g = collapse(topo)
    assert g.collapsed
    pay, risk = GROUP_PREFIX + "pay", GROUP_PREFIX + "risk"
    assert {s.name for s in g.topology.services} == {"gw", pay, risk, "db"}
    assert g.topology.service(pay).title == "pay"
    assert len(g.members[pay]) == 30 and g.members["gw"] == ("gw",)
    assert g.groups == {pay: "pay", risk: "risk"}
    assert g.drawn("pay-17") == pay and g.drawn("db") == "db" and g.drawn("nobody") is None
    # Calls between groups are summed into one edge; calls inside a group are not drawn.
    assert {e.key for e in g.topology.edges} == {("gw", pay), ("gw", risk), (pay, risk), (risk, "db")}
    assert g.topology.edge(pay, risk).calls == 0.75
    assert set(g.edge_members[(pay, risk)]) == {("pay-3", "risk-4"), ("pay-5", "risk-6")}
    # A scenario follows its services into their groups.
    assert g.topology.scenario("qr").edges == (("gw", pay), (pay, risk))


def test_small_or_ungrouped_topologies_are_drawn_as_they_are():
    small = platform(per_group=10)
    assert len(small) <= GROUP_ABOVE and not should_collapse(small)
    g = collapse(small)
    assert not g.collapsed and g.topology is small and g.members["pay-3"] == ("pay-3",)
    assert g.edge_members[("pay-3", "risk-4")] == (("pay-3", "risk-4"),) and len(g.edge_members) == small.graph.number_of_edges() == 23
    assert collapse(small, force=True).collapsed  # when the layout asks for it
    flat = Topology([Service(f"s{i}") for i in range(100)])
    assert not collapse(flat).collapsed and collapse(flat).topology is flat


def test_an_expanded_group_shows_its_members_and_a_group_of_one_stays_itself():
    topo = platform()
    g = collapse(topo, expanded={"pay"})
    names = {s.name for s in g.topology.services}
    assert "pay-17" in names and GROUP_PREFIX + "pay" not in names and GROUP_PREFIX + "risk" in names
    assert ("pay-3", GROUP_PREFIX + "risk") in {e.key for e in g.topology.edges}
    lone = Topology([*platform().services, Service("solo", group="alone")])
    assert "solo" in {s.name for s in collapse(lone).topology.services}


def test_a_group_named_like_a_service_gets_a_node_name_of_its_own():
    topo = platform()
    topo.add_service(Service(GROUP_PREFIX + "pay"))  # a service literally called "group:pay"
    g = collapse(topo)
    assert len({s.name for s in g.topology.services}) == len(g.topology.services)
    assert g.drawn(GROUP_PREFIX + "pay") == GROUP_PREFIX + "pay"  # the service is itself
    assert g.drawn("pay-1") == GROUP_PREFIX * 2 + "pay"


def test_a_tall_column_is_folded_until_the_map_is_about_as_wide_as_asked():
    positions = {f"gw{i}": (0.0, float(i)) for i in range(6)}
    positions.update({f"g{i}": (1.0, float(i)) for i in range(12)})
    out = wrap_columns(positions, 2.0, col_step=400, row_step=112)
    columns = {x for x, _ in out.values()}
    rows = {y for _, y in out.values()}
    assert len(columns) > 2 and len(rows) <= 6  # twelve boxes side by side in columns of six or fewer
    assert all(out[f"gw{i}"][0] == 0.0 for i in range(6))  # the unfolded column stays first
    assert len(set(out.values())) == len(out)  # no two boxes on one slot
    order = sorted((p for n, p in out.items() if n.startswith("g") and not n.startswith("gw")))
    assert [n for p in order for n, q in out.items() if q == p] == [f"g{i}" for i in range(12)]  # read in order
    wide = {f"s{i}": (float(i), 0.0) for i in range(8)}
    assert wrap_columns(wide, 2.0, 400, 112) == wide  # already wide: unchanged
