"""Root cause on small call graphs: deepest dependency, surges, cycles, two outages at once."""

from __future__ import annotations

from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
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


def test_two_faults_in_different_branches_keep_their_scenarios_apart():
    """Finding 5: a caller shared by both branches must not hand one fault's scenario to the other."""
    g = graph(CHAIN, [Scenario.from_path("qr", "QR", ["gw", "trade", "pay", "bank-a"]),
                      Scenario.from_path("query", "Query", ["gw", "trade", "db"])])
    v = find_roots(g, [alert("b", "bank-a", since=5), alert("d", "db", since=10), alert("t", "trade", since=20),
                       alert("g", "gw", since=20),
                       alert("qr", "qr", kind="scenario", severity="P1", since=20),
                       alert("q", "query", kind="scenario", severity="P1", since=20)])
    assert v["qr"].root_cause == "bank-a" and v["q"].root_cause == "db"
    assert v["q"].folded_under == "d" and v["qr"].folded_under == "b"
    assert v["t"].roots == ("bank-a", "db"), "a caller of both lists both roots, the first one first"
    assert v["q"].roots == ("db",), "the query's path reaches the bank through no edge of its own"
    assert v["qr"].roots == ("bank-a",)


def test_a_scenario_crossing_both_faults_names_both_roots():
    g = graph(CHAIN, [Scenario("pay-all", "All", "gw",
                               (("gw", "trade"), ("trade", "pay"), ("pay", "bank-a"), ("trade", "db")))])
    v = find_roots(g, [alert("b", "bank-a", since=5), alert("d", "db", since=10),
                       alert("s", "pay-all", kind="scenario", severity="P1", since=20)])
    assert v["s"].root_cause == "bank-a" and set(v["s"].roots) == {"bank-a", "db"}
    assert v["b"].roots == ("bank-a",) and v["d"].roots == ("db",)


def test_a_service_that_stopped_reporting_is_the_root_not_its_callers_edges():
    """Item 4: a "no data" alert on a dead database (cause failure) makes it the root, and its
    own alert stands for it rather than an older edge alert of a caller (which carries no plans)."""
    g = graph(CHAIN)
    v = find_roots(g, [alert("nodata", "db", since=30), alert("e", "trade->db", kind="edge", since=10),
                       alert("t", "trade", since=12), alert("g", "gw", since=15)])
    assert {fp: x.root_cause for fp, x in v.items()} == dict.fromkeys(["nodata", "e", "t", "g"], "db")
    assert v["nodata"].folded_under == "" and v["e"].folded_under == "nodata"


def test_an_external_api_seen_only_through_its_callers_is_the_root():
    t = Topology([Service("shop"), Service("orders"), Service("sms", kind=ServiceKind.EXTERNAL)])
    t.add_edge(CallEdge("shop", "orders"))
    t.add_edge(CallEdge("orders", "sms"))
    g = CallGraph(t)
    v = find_roots(g, [alert("e", "orders->sms", kind="edge", severity="P3", since=5), alert("o", "orders", since=8),
                       alert("s", "shop", since=9)])
    assert {fp: x.root_cause for fp, x in v.items()} == dict.fromkeys("eos", "sms")
    assert v["e"].folded_under == "" and v["o"].folded_under == "e"


def test_a_scenario_surge_is_rooted_at_the_scenario_entry_from_the_topology():
    """Item 9: surge roots come from the topology; a scenario's traffic surge enters at its entry."""
    g = graph([("storefront", "trade"), ("trade", "db")],
              [Scenario.from_path("buy", "Buy", ["storefront", "trade", "db"])])
    v = find_roots(g, [alert("surge", "buy", kind="scenario", cause="load", severity="P3", since=0),
                       alert("o", "trade", since=5), alert("d", "db", since=6),
                       alert("fail", "buy", kind="scenario", severity="P1", since=7)])
    assert {fp: x.root_cause for fp, x in v.items()} == dict.fromkeys(["surge", "o", "d", "fail"], "storefront")
    assert v["surge"].folded_under == "" and v["fail"].folded_under == "surge"
    assert "storefront" in g.entries


def test_of_two_surges_overloading_one_service_the_topologys_entry_explains_it():
    """Item 9: entries come from the topology (no callers, marked, scenario entries), not names:
    here the entry sorts after the internal batch by name and still wins."""
    g = graph([("zz-shop", "trade"), ("cron", "batch"), ("batch", "trade")])
    assert "zz-shop" in g.entries and "batch" not in g.entries
    v = find_roots(g, [alert("s1", "zz-shop", cause="load", severity="P3"), alert("s2", "batch", cause="load"),
                       alert("o", "trade")])
    assert v["o"].root_cause == "zz-shop" and v["s2"].root_cause == "batch"


def test_a_flow_a_job_drives_that_stops_with_nothing_failing_is_the_jobs_doing():
    """A stock sync that silently stops: its flow's TPS drops before the job is overdue; the
    job (the flow's entry, of kind job) is named, where a user-driven flow's drop stays unknown."""
    topo = Topology([Service("stock-sync", ServiceKind.JOB, cadence_s=300), Service("market-api", ServiceKind.EXTERNAL),
                     Service("web", entry=True), Service("orders")],
                    [CallEdge("stock-sync", "market-api"), CallEdge("web", "orders")],
                    [Scenario.from_path("stock_push", "Stock push", ["stock-sync", "market-api"]),
                     Scenario.from_path("order", "Order", ["web", "orders"])])
    g = CallGraph(topo)
    drops = [Symptom("push", "stock_push", "scenario", "failure", "P1", "firing", 0),
             Symptom("order", "order", "scenario", "failure", "P1", "firing", 0)]
    v = find_roots(g, drops)
    assert v["push"].root_cause == "stock-sync" and v["order"].root_cause == ""
