"""StableLayout: columns by call depth, and positions that stay put across updates."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.graph.layout import StableLayout
from warroom.core.model import CallEdge, Service
from warroom.core.graph.topology import Topology


def topo(services, edges) -> Topology:
    return Topology([Service(s) for s in services], [CallEdge(a, b) for a, b in edges])


SERVICES = ["app", "cashier", "trade", "pay", "coupon", "bank-a", "bank-b", "db"]
EDGES = [
    ("app", "trade"),
    ("cashier", "trade"),
    ("trade", "pay"),
    ("trade", "coupon"),
    ("pay", "bank-a"),
    ("pay", "bank-b"),
    ("pay", "db"),
]


def assert_well_formed(layout: StableLayout, t: Topology) -> None:
    """Every service placed, in the column of its depth, on its own non-negative slot."""
    depths = t.depths()
    slots = layout.slots
    assert set(slots) == set(depths)
    assert len(set(slots.values())) == len(slots), "two services share a slot"
    for name, (col, row) in slots.items():
        assert col == depths[name]
        assert row >= 0
    assert layout.positions == {n: (float(c), float(r)) for n, (c, r) in slots.items()}


def test_first_layout_puts_services_in_columns_by_depth():
    t = topo(SERVICES, EDGES)
    layout = StableLayout()
    pos = layout.update(t)
    assert_well_formed(layout, t)
    assert {n: x for n, (x, _) in pos.items()} == {n: float(d) for n, d in t.depths().items()}
    # Rows are compact: the tallest column (depth 3: bank-a, bank-b, db) fills rows 0..2.
    col3 = sorted(r for n, (c, r) in layout.slots.items() if c == 3)
    assert col3 == [0, 1, 2]


def test_first_layout_is_deterministic():
    t = topo(SERVICES, EDGES)
    assert StableLayout().update(t) == StableLayout().update(topo(SERVICES, EDGES))


def test_first_layout_reduces_crossings():
    # Two independent chains given in crossing order: a1->b2, a2->b1 with b's inserted "wrongly".
    t = topo(["a1", "a2", "b2", "b1"], [("a1", "b1"), ("a2", "b2")])
    slots = StableLayout().update(t)
    # Each chain sits on one row: no edge crosses another.
    assert slots["a1"][1] == slots["b1"][1]
    assert slots["a2"][1] == slots["b2"][1]


def test_adding_a_service_moves_nobody_else():
    layout = StableLayout()
    before = layout.update(topo(SERVICES, EDGES))
    t = topo(SERVICES + ["risk"], EDGES + [("trade", "risk")])
    after = layout.update(t)
    assert_well_formed(layout, t)
    assert {n: after[n] for n in before} == before
    assert after["risk"][0] == 2.0


def test_new_service_lands_near_its_neighbours():
    layout = StableLayout()
    layout.update(topo(["a", "b", "c", "x", "y", "z"], [("a", "x"), ("b", "y"), ("c", "z")]))
    t = topo(["a", "b", "c", "x", "y", "z", "zz"], [("a", "x"), ("b", "y"), ("c", "z"), ("z", "zz")])
    pos = layout.update(t)
    assert pos["zz"] == (2.0, pos["z"][1])


def test_removing_a_service_moves_nobody_else():
    layout = StableLayout()
    before = layout.update(topo(SERVICES, EDGES))
    kept = [s for s in SERVICES if s != "bank-a"]
    t = topo(kept, [e for e in EDGES if "bank-a" not in e])
    after = layout.update(t)
    assert_well_formed(layout, t)
    assert after == {n: before[n] for n in kept}


def test_removing_a_middle_service_keeps_the_rest_put_when_depths_hold():
    layout = StableLayout()
    services = SERVICES + ["coupon-db"]
    edges = EDGES + [("coupon", "coupon-db")]
    before = layout.update(topo(services, edges))
    # Without coupon, coupon-db becomes an entry (depth 0): it moves column, nobody else moves.
    t = topo([s for s in services if s != "coupon"], [e for e in edges if "coupon" not in e])
    after = layout.update(t)
    assert_well_formed(layout, t)
    unchanged = [s for s in services if s not in ("coupon", "coupon-db")]
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}
    assert after["coupon-db"][0] == 0.0


def test_service_whose_depth_changes_moves_column_only():
    layout = StableLayout()
    services = ["gw", "app", "risk", "trade", "db"]
    before = layout.update(topo(services, [("gw", "app"), ("gw", "risk"), ("app", "trade"), ("trade", "db")]))
    assert before["risk"][0] == 1.0
    # trade starts calling risk: risk is now at depth 3, beside db.
    t = topo(services, [("gw", "app"), ("gw", "risk"), ("app", "trade"), ("trade", "db"), ("trade", "risk")])
    after = layout.update(t)
    assert_well_formed(layout, t)
    assert after["risk"] == (3.0, before["risk"][1])
    assert {n: after[n] for n in services if n != "risk"} == {n: before[n] for n in services if n != "risk"}


def test_moved_service_takes_nearest_free_row_when_its_row_is_taken():
    layout = StableLayout()
    services = ["a", "b", "c"]
    before = layout.update(topo(services, [("a", "b")]))  # c is an entry beside a
    assert before["a"][0] == before["c"][0] == 0.0
    t = topo(services, [("a", "b"), ("a", "c")])  # c moves to column 1, where b sits
    after = layout.update(t)
    assert_well_formed(layout, t)
    assert after["c"][0] == 1.0
    assert after["a"] == before["a"] and after["b"] == before["b"]


def test_relayout_starts_afresh():
    layout = StableLayout()
    layout.update(topo(SERVICES, EDGES))
    services = [s for s in SERVICES if s not in ("bank-a", "coupon")] + ["risk", "fraud"]
    edges = [e for e in EDGES if "bank-a" not in e and "coupon" not in e] + [("trade", "risk"), ("risk", "fraud")]
    t = topo(services, edges)
    incremental = layout.update(t)
    fresh = StableLayout().update(t)
    assert incremental != fresh  # holes and late arrivals: the incremental layout differs
    assert layout.relayout(t) == fresh
    assert layout.positions == fresh


def test_empty_topology_and_removing_everything():
    layout = StableLayout()
    assert layout.update(Topology()) == {}
    layout.update(topo(SERVICES, EDGES))
    assert layout.update(Topology()) == {}
    assert layout.update(topo(["a"], [])) == {"a": (0.0, 0.0)}


def test_cycle_members_share_a_column():
    t = topo(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])
    layout = StableLayout()
    pos = layout.update(t)
    assert_well_formed(layout, t)
    assert pos["b"][0] == pos["c"][0] == 1.0
    assert pos["d"][0] == 2.0


def layered_dag(rng: random.Random, layers: int, width: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Each node below the top layer has at least one caller in the layer above, so depth == layer."""
    names = [[f"s{layer}_{i}" for i in range(width)] for layer in range(layers)]
    edges: set[tuple[str, str]] = set()
    for layer in range(1, layers):
        for n in names[layer]:
            edges.add((rng.choice(names[layer - 1]), n))
            for _ in range(rng.randrange(3)):
                edges.add((rng.choice(names[rng.randrange(layer)]), n))
    return [n for col in names for n in col], sorted(edges)


def test_500_node_layered_dag():
    services, edges = layered_dag(random.Random(7), layers=10, width=50)
    t = topo(services, edges)
    layout = StableLayout()
    pos = layout.update(t)
    assert len(pos) == 500
    assert_well_formed(layout, t)
    assert {x for x, _ in pos.values()} == {float(d) for d in range(10)}
    assert max(y for _, y in pos.values()) == 49.0  # every column is full, so rows are 0..49


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 6), st.integers(1, 8), st.integers(1, 8))
def test_adding_leaves_never_moves_existing_services(seed, layers, width, added):
    rng = random.Random(seed)
    services, edges = layered_dag(rng, layers, width)
    layout = StableLayout()
    before = layout.update(topo(services, edges))
    for i in range(added):
        leaf = f"leaf{i}"
        edges = edges + [(rng.choice(services), leaf)]
        services = services + [leaf]
    t = topo(services, edges)
    after = layout.update(t)
    assert_well_formed(layout, t)
    assert {n: after[n] for n in before} == before
