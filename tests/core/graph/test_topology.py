"""Topology: graph queries, scenarios on the graph, call depths and diffs."""

from __future__ import annotations

import networkx as nx
import pytest

from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
from warroom.core.graph.topology import Topology

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
QR = Scenario.from_path("qr", "QR-code payment", ["app", "trade", "pay", ("bank-a", "bank-b")])
COUPON = Scenario.from_path("coupon", "Coupon redemption", ["cashier", "trade", "coupon"])


def make(services=SERVICES, edges=EDGES, scenarios=(QR, COUPON)) -> Topology:
    kinds = {"app": ServiceKind.CHANNEL, "cashier": ServiceKind.CHANNEL, "db": ServiceKind.DATABASE}
    return Topology(
        [Service(n, kinds.get(n, ServiceKind.SERVICE)) for n in services],
        [CallEdge(a, b) for a, b in edges],
        scenarios,
    )


def test_reading_back():
    t = make()
    assert [s.name for s in t.services] == SERVICES
    assert {e.key for e in t.edges} == set(EDGES)
    assert t.scenarios == [QR, COUPON]
    assert t.service("db").kind is ServiceKind.DATABASE
    assert t.edge("trade", "pay") == CallEdge("trade", "pay")
    assert t.scenario("qr") is QR
    assert "pay" in t and "ghost" not in t
    assert len(t) == len(SERVICES)


def test_unknown_lookups_raise_keyerror():
    t = make()
    with pytest.raises(KeyError):
        t.service("ghost")
    with pytest.raises(KeyError):
        t.edge("pay", "trade")
    with pytest.raises(KeyError):
        t.scenario("nope")


def test_callers_and_callees():
    t = make()
    assert set(t.callers("trade")) == {"app", "cashier"}
    assert set(t.callees("pay")) == {"bank-a", "bank-b", "db"}
    assert t.callers("app") == []
    assert t.callees("db") == []


def test_upstream_and_downstream():
    t = make()
    assert t.upstream("bank-a") == {"pay", "trade", "app", "cashier"}
    assert t.downstream("trade") == {"pay", "coupon", "bank-a", "bank-b", "db"}
    assert t.upstream("app") == set()
    assert t.downstream("coupon") == set()


def test_scenarios_through_service_and_edge():
    t = make()
    assert t.scenarios_through("trade") == [QR, COUPON]
    assert t.scenarios_through("coupon") == [COUPON]
    assert t.scenarios_through("bank-b") == [QR]
    assert t.scenarios_through("db") == []
    assert t.scenarios_through_edge("pay", "bank-b") == [QR]
    assert t.scenarios_through_edge("trade", "coupon") == [COUPON]
    assert t.scenarios_through_edge("pay", "db") == []
    assert t.scenarios_through_edge("bank-b", "pay") == []  # direction matters


def test_depths():
    assert make().depths() == {
        "app": 0,
        "cashier": 0,
        "trade": 1,
        "pay": 2,
        "coupon": 2,
        "bank-a": 3,
        "bank-b": 3,
        "db": 3,
    }


def test_depths_take_the_deepest_caller():
    t = make(edges=EDGES + [("app", "db")])  # db is also called straight from app
    assert t.depths()["db"] == 3


def test_depths_collapse_a_cycle():
    # bank-a calls pay back (an async notification): pay and bank-a form a cycle.
    t = make(edges=EDGES + [("bank-a", "pay")])
    d = t.depths()
    assert d["pay"] == d["bank-a"] == 2
    assert d["bank-b"] == d["db"] == 3
    assert d["trade"] == 1


def test_depths_of_self_loop_and_isolated_service():
    t = make(services=SERVICES + ["lonely"], edges=EDGES + [("db", "db")])
    d = t.depths()
    assert d["db"] == 3
    assert d["lonely"] == 0


def test_edge_to_unknown_service_is_refused():
    t = make()
    with pytest.raises(KeyError, match="ghost"):
        t.add_edge(CallEdge("trade", "ghost"))
    with pytest.raises(KeyError, match="ghost"):
        t.add_edge(CallEdge("ghost", "trade"))
    assert "ghost" not in t.graph  # networkx would have created the node silently
    with pytest.raises(KeyError):
        Topology([Service("a")], [CallEdge("a", "b")])


def test_scenario_with_unknown_edge_or_entry_is_refused():
    t = make()
    with pytest.raises(KeyError):
        t.add_scenario(Scenario.from_path("x", "X", ["app", "pay"]))  # no app->pay edge
    with pytest.raises(KeyError):
        t.add_scenario(Scenario("y", "Y", "ghost", ()))
    assert [s.id for s in t.scenarios] == ["qr", "coupon"]


def test_replacing_service_and_edge():
    t = make()
    t.add_service(Service("trade", title="Trade core", capacity_rps=5000))
    assert t.service("trade").label == "Trade core"
    assert t.callers("trade")  # replacing the record keeps its edges
    t.add_edge(CallEdge("pay", "bank-a", calls=0.4))
    assert t.edge("pay", "bank-a").calls == 0.4
    assert len(t.edges) == len(EDGES)


def test_remove_service_drops_its_edges():
    t = make()
    t.remove_service("pay")
    assert "pay" not in t
    assert t.callees("trade") == ["coupon"]
    assert t.callers("bank-a") == []
    with pytest.raises(nx.NetworkXError):
        t.remove_service("pay")


def test_diff():
    before = make()
    after = make(
        services=[s for s in SERVICES if s != "coupon"] + ["risk"],
        edges=[e for e in EDGES if e != ("trade", "coupon")] + [("trade", "risk")],
        scenarios=(QR,),
    )
    change = before.diff(after)
    assert change.added_services == {"risk"}
    assert change.removed_services == {"coupon"}
    assert change.added_edges == {("trade", "risk")}
    assert change.removed_edges == {("trade", "coupon")}
    assert not change.empty
    back = after.diff(before)
    assert back.added_services == {"coupon"} and back.removed_edges == {("trade", "risk")}


def test_diff_of_equal_topologies_is_empty():
    assert make().diff(make()).empty
    assert make().diff(make(edges=EDGES[:-1])).removed_edges == {("pay", "db")}


# -- a feed that re-sends its graph: same content, differences, answers kept per graph ---------
def test_same_content_ignores_order_and_object_identity():
    a = make()
    b = Topology(
        [Service(s.name, s.kind) for s in reversed(a.services)],
        [CallEdge(*e.key) for e in reversed(a.edges)],
        (QR, COUPON),
    )
    assert a is not b and a.same_content(b) and b.same_content(a)
    assert a.diff(b).empty
    slower = make()
    slower.add_service(Service("pay", ServiceKind.SERVICE, capacity_rps=50.0))  # one record differs
    assert not a.same_content(slower)
    assert not a.same_content(make(scenarios=(QR,)))
    assert not a.same_content(make(edges=EDGES[:-1]))


def test_diff_names_records_that_changed_in_place():
    before = make()
    after = make(scenarios=(QR, Scenario.from_path("coupon", "Coupons", ["cashier", "trade", "coupon"])))
    after.add_service(Service("db", ServiceKind.DATABASE, "Trade DB"))
    after.add_edge(CallEdge("pay", "db", calls=2.0))
    after.add_scenario(Scenario.from_path("refund", "Refund", ["app", "trade"]))
    change = before.diff(after)
    assert change.changed_services == {"db"}
    assert change.changed_edges == {("pay", "db")}
    assert change.changed_scenarios == {"coupon"} and change.added_scenarios == {"refund"}
    assert not change.structural and not change.empty
    assert after.diff(before).removed_scenarios == {"refund"}


def _random_graph(seed: int) -> Topology:
    import random

    rng = random.Random(seed)
    names = [f"s{i}" for i in range(rng.randint(1, 40))]
    edges = {(rng.choice(names), rng.choice(names)) for _ in range(rng.randint(0, 3 * len(names)))}
    return Topology([Service(n) for n in names], [CallEdge(a, b) for a, b in edges])


@pytest.mark.parametrize("seed", range(60))
def test_reachability_and_depths_are_networkx_answers_with_cycles_and_self_loops(seed):
    t = _random_graph(seed)
    g = t.graph
    cond = nx.condensation(g)
    comp_depth: dict = {}
    for c in nx.topological_sort(cond):
        preds = list(cond.predecessors(c))
        comp_depth[c] = 1 + max(comp_depth[p] for p in preds) if preds else 0
    assert t.depths() == {n: comp_depth[cond.graph["mapping"][n]] for n in g.nodes}
    for n in g.nodes:
        assert t.downstream(n) == nx.descendants(g, n)
        assert t.upstream(n) == nx.ancestors(g, n)


def test_kept_answers_follow_changes_made_through_the_class():
    t = make()
    assert t.downstream("coupon") == set() and t.depths()["db"] == 3
    t.add_service(Service("audit"))
    t.add_edge(CallEdge("coupon", "audit"))
    t.add_edge(CallEdge("db", "audit"))
    assert t.downstream("coupon") == {"audit"} and t.depths()["audit"] == 4
    t.remove_service("pay")
    assert t.upstream("db") == set() and t.depths()["db"] == 0
    t.depths()["db"] = 99  # a caller's copy: the kept answer is not changed by it
    assert t.depths()["db"] == 0
    with pytest.raises(nx.NetworkXError):
        t.downstream("pay")


def test_a_long_call_chain_needs_no_recursion():
    names = [f"s{i}" for i in range(5000)]
    t = Topology([Service(n) for n in names], [CallEdge(a, b) for a, b in zip(names, names[1:])])
    assert t.depths()["s4999"] == 4999
    assert len(t.upstream("s4999")) == 4999


def test_warm_on_a_worker_thread_leaves_the_answers_for_the_owner():
    import threading

    t = make()
    version = t.version
    worker = threading.Thread(target=t.warm)
    worker.start()
    worker.join()
    assert t.version == version  # warming changes nothing
    assert t.downstream("trade") == {"pay", "coupon", "bank-a", "bank-b", "db"}
    assert t.same_content(make())
