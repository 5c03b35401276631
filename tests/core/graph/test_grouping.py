"""Groups drawn as one node (``collapse``), derived when the feed gives none (``derive_groups``),
and tall columns folded (``wrap_columns``)."""

from __future__ import annotations

import random
import string

import pytest

from warroom.core.graph.grouping import (
    GROUP_ABOVE, GROUP_PREFIX, LONE_MAX, MAX_GROUP, MIN_GROUP, GroupMemory, collapse, derive_groups, group_names,
    should_collapse, wrap_columns,
)
from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
from warroom.core.graph.topology import Topology


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


# -- groups the feed does not give ---------------------------------------------------------------
DOMAINS = ("pay", "trade", "acct", "risk", "user", "mkt", "settle", "clear", "notify", "cfg", "order", "ledger")


def ungrouped_platform(services: int = 1000, seed: int = 5, names=None) -> Topology:
    """A layered platform of ``services`` services and three times as many calls, none with a
    group: twelve business domains (named "<domain>-svc-<n>", or by ``names(i, domain)``)
    whose services mostly call within their domain; the deepest layer databases and caches."""
    rng = random.Random(seed)
    layers = [[] for _ in range(6)]
    made = []
    for i in range(services):
        depth = min(5, i * 6 // services)
        domain = DOMAINS[i % len(DOMAINS)]
        kind = (ServiceKind.DATABASE if i % 3 else ServiceKind.CACHE) if depth == 5 else ServiceKind.SERVICE
        name = names(i, domain) if names else f"{domain}-{'db' if depth == 5 else 'svc'}-{i:04d}"
        made.append(Service(name, kind))
        layers[depth].append((name, domain))
    edges = {}
    for depth in range(1, 6):
        for name, domain in layers[depth]:
            for _ in range(3):
                same = [n for n, d in layers[depth - 1] if d == domain]
                caller = rng.choice(same if same and rng.random() < 0.85 else [n for n, _ in layers[depth - 1]])
                edges[(caller, name)] = CallEdge(caller, name)
    return Topology(made, edges.values())


def random_names(seed: int = 9):
    rng = random.Random(seed)
    return lambda i, domain: "".join(rng.choice(string.ascii_lowercase) for _ in range(9))


def sizes(derived) -> dict[str, int]:
    out: dict[str, int] = {}
    for g in derived.of.values():
        out[g] = out.get(g, 0) + 1
    return out


def test_a_thousand_services_without_groups_get_groups_by_their_names_prefix():
    topo = ungrouped_platform()
    assert not group_names(topo) and should_collapse(topo)
    derived = derive_groups(topo)
    assert 8 <= len(sizes(derived)) <= 40 and all(MIN_GROUP <= n <= MAX_GROUP for n in sizes(derived).values())
    assert set(sizes(derived)) == set(DOMAINS) and set(derived.how.values()) == {"prefix"}
    assert derived.of["pay-svc-0000"] == "pay" and derived.of["ledger-db-0995"] == "ledger"
    g = collapse(topo)
    assert g.collapsed and len(g.topology) == 12 and g.groups[GROUP_PREFIX + "risk"] == "risk"
    assert derive_groups(ungrouped_platform()) == derived  # the same topology, the same groups


def test_a_prefix_every_service_shares_is_skipped_and_a_big_prefix_is_cut_finer():
    names = [f"acme-{d}-{part}-{i}" for d in ("pay", "risk") for part in ("api", "worker") for i in range(30)]
    names += [f"acme-{d}-{i}" for d in ("user", "mkt") for i in range(20)]
    derived = derive_groups(Topology([Service(n) for n in names]))
    assert set(sizes(derived)) == {"acme-pay", "acme-risk", "acme-user", "acme-mkt"}
    big = [f"pay-{part}-{i}" for part in ("api", "worker", "ledger") for i in range(60)] + [f"risk-{i}" for i in range(30)]
    derived = derive_groups(Topology([Service(n) for n in big]))
    assert sizes(derived) == {"pay-api": 60, "pay-worker": 60, "pay-ledger": 60, "risk": 30}


def test_names_without_a_shared_prefix_are_grouped_by_kind_then_by_who_calls_whom():
    topo = ungrouped_platform(names=random_names())
    derived = derive_groups(topo)
    groups = sizes(derived)
    assert 8 <= len(groups) <= 40 and all(MIN_GROUP <= n <= MAX_GROUP for n in groups.values()), groups
    assert len(topo) - len(derived.of) <= LONE_MAX
    assert derived.how["database"] == "kind" and derived.how["cache"] == "kind"
    assert "community" in derived.how.values()
    # Communities follow the calls: most calls run inside a group, as most run inside a domain.
    inside = sum(1 for e in topo.edges if derived.of.get(e.caller) == derived.of.get(e.callee))
    services = [e for e in topo.edges if topo.service(e.callee).kind is ServiceKind.SERVICE]
    assert inside >= 0.5 * len(services)
    assert derive_groups(ungrouped_platform(names=random_names())) == derived
    # A group of one kind is known as such (the map names it by the kind, translated).
    g = collapse(topo, derived=derived)
    assert g.kinds[GROUP_PREFIX + "database"] is ServiceKind.DATABASE


def churned(topo: Topology, seed: int, new_name: str) -> Topology:
    """``topo`` with one service gone and one new, called by two of the old ones, calling a third."""
    rng = random.Random(seed)
    names = sorted(s.name for s in topo.services if s.kind is ServiceKind.SERVICE)
    gone, callers, callee = names[seed], rng.sample(names, 2), rng.choice(names)
    out = Topology([s for s in topo.services if s.name != gone] + [Service(new_name)],
                   [e for e in topo.edges if gone not in e.key])
    for c in callers:
        if c != gone:
            out.add_edge(CallEdge(c, new_name))
    if callee != gone:
        out.add_edge(CallEdge(new_name, callee))
    return out


@pytest.mark.parametrize("names", [None, random_names()], ids=["prefix", "communities"])
def test_groups_stay_put_when_services_come_and_go(names):
    topo = ungrouped_platform(names=names)
    memory = GroupMemory()
    memory.collapse(topo)
    before = memory.derived
    now = topo
    for i in range(5):  # five updates, each a service gone and one new
        now = churned(now, i, f"pay-svc-new{i}" if names is None else f"zz{i}newcomer")
        memory.collapse(now)
    after = memory.derived
    stayed = [n for n in before.of if n in after.of]
    assert len(stayed) >= len(before.of) - 5
    assert all(after.of[n] == before.of[n] for n in stayed)  # nobody moved
    if names is None:
        assert all(after.of[f"pay-svc-new{i}"] == "pay" for i in range(5))  # a newcomer joins its prefix's group
        # Prefix groups need no memory: derived afresh, everybody is where they were.
        fresh = derive_groups(now)
        assert all(fresh.of[n] == before.of[n] for n in stayed)
    else:
        assert after.of.get("zz4newcomer") in sizes(after)  # placed with its neighbours


def test_a_big_change_derives_the_groups_afresh_and_feed_groups_win():
    topo = ungrouped_platform()
    memory = GroupMemory()
    memory.collapse(topo)
    renamed = ungrouped_platform(names=random_names())
    memory.collapse(renamed)
    assert memory.derived == derive_groups(renamed)
    # Services the feed groups keep the feed's group; the rest get derived ones.
    mixed = Topology([Service(s.name, s.kind, group="core" if s.name.startswith("pay-") else "")
                      for s in topo.services], topo.edges)
    derived = derive_groups(mixed)
    assert not any(n.startswith("pay-") for n in derived.of) and "risk" in sizes(derived)
    assert collapse(mixed).groups[GROUP_PREFIX + "core"] == "core"
