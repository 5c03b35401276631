"""Root cause on small call graphs: deepest dependency, surges, cycles, two outages at once."""

from __future__ import annotations

from warroom.core.model import CallEdge, Scenario, Service
from warroom.core.alerting.rootcause import CallGraph, Symptom, find_roots
from warroom.core.graph.topology import Topology


def graph(edges, scenarios=()) -> CallGraph:
    names = sorted({n for e in edges for n in e})
    t = Topology([Service(n) for n in names])
    for a, b in edges:
        t.add_edge(CallEdge(a, b))
    for sc in scenarios:
        t.add_scenario(sc)
    return CallGraph(t)


def alert(fp, subject, kind="service", cause="failure", severity="P2", state="firing", since=0) -> Symptom:
    return Symptom(fp, subject, kind, cause, severity, state, since)


CHAIN = [("gw", "trade"), ("trade", "pay"), ("pay", "bank-a"), ("pay", "bank-b"), ("trade", "db")]


def test_deepest_unhealthy_dependency_is_the_root_and_others_fold_under_it():
    g = graph(CHAIN, [Scenario.from_path("qr", "QR", ["gw", "trade", "pay", "bank-a"])])
    v = find_roots(g, [alert("g", "gw"), alert("t", "trade"), alert("p", "pay"), alert("b", "bank-a"),
                       alert("e", "pay->bank-a", kind="edge"), alert("s", "qr", kind="scenario", severity="P1")])
    assert {fp: x.root_cause for fp, x in v.items()} == dict.fromkeys("gtpbes", "bank-a")
    assert v["b"].folded_under == "" and all(v[fp].folded_under == "b" for fp in "gtpes")


def test_two_independent_outages_keep_two_roots():
    g = graph(CHAIN)
    v = find_roots(g, [alert("b", "bank-a", since=10), alert("d", "db", since=5), alert("t", "trade", since=20)])
    assert v["b"].root_cause == "bank-a" and v["d"].root_cause == "db"
    assert v["t"].root_cause == "db", "a caller of both is put under the one that went wrong first"


def test_surge_at_an_entry_explains_overload_below_and_errors_above():
    g = graph([("gw", "trade"), ("cashier", "trade"), ("trade", "db")])
    v = find_roots(g, [alert("s", "gw", cause="load", severity="P3"), alert("o", "trade"), alert("d", "db"),
                       alert("c", "cashier")])
    assert {fp: x.root_cause for fp, x in v.items()} == dict.fromkeys("sodc", "gw")
    assert v["s"].folded_under == ""


def test_call_cycle_counts_as_one_level():
    g = graph([("a", "b"), ("b", "c"), ("c", "b")])
    v = find_roots(g, [alert("a", "a"), alert("b", "b", since=1), alert("c", "c", since=2)])
    assert v["a"].root_cause == "b" and v["c"].root_cause == "b"


def test_scenario_with_no_unhealthy_service_has_no_root():
    g = graph(CHAIN, [Scenario.from_path("qr", "QR", ["gw", "trade"])])
    v = find_roots(g, [alert("s", "qr", kind="scenario", severity="P1")])
    assert v["s"].root_cause == "" and v["s"].folded_under == ""


def test_primary_alert_of_a_root_prefers_firing_and_severity():
    g = graph(CHAIN)
    v = find_roots(g, [alert("lat", "bank-a", severity="P2", state="pending"), alert("err", "bank-a", severity="P2"),
                       alert("p", "pay")])
    assert v["err"].folded_under == "" and v["lat"].folded_under == "err" and v["p"].folded_under == "err"
