"""A funnel step's conversion alert is rooted among that step's own services: with two faults
on one flow, each step's drop names its own, while the scenario names both."""

from __future__ import annotations

from warroom.core.alerting.alerts import subject_of
from warroom.core.alerting.rootcause import CallGraph, Symptom, find_roots
from warroom.core.funnel.conversion import conversion_series
from warroom.core.graph.topology import Topology
from warroom.core.language.names import Names
from warroom.core.model import CallEdge, FunnelStep, Scenario, Service, step_series


def shop() -> Topology:
    t = Topology([Service(n) for n in ("web", "cart", "pay", "bank", "stock")])
    for a, b in (("web", "cart"), ("cart", "stock"), ("cart", "pay"), ("pay", "bank")):
        t.add_edge(CallEdge(a, b))
    steps = (FunnelStep("basket", step_series("buy", "basket"), "Basket", ("web", "cart")),
             FunnelStep("order", step_series("buy", "order"), "Order", ("stock",), {"zh_CN": "下单"}),
             FunnelStep("paid", step_series("buy", "paid"), "Paid", ("pay", "bank")))
    t.add_scenario(Scenario.from_path("buy", "Buy", ["web", "cart", ("stock", "pay")], {"zh_CN": "购买"}))
    t.add_scenario(Scenario("buy", "Buy", "web", t.scenario("buy").edges + (("pay", "bank"),),
                            {"zh_CN": "购买"}, steps=steps))
    return t


def sym(fp: str, subject: str, kind: str, since: int) -> Symptom:
    return Symptom(fp, subject, kind, "failure", "P2", "firing", since)


def test_each_step_is_rooted_in_its_own_services_while_the_scenario_names_both_faults():
    graph = CallGraph(shop())
    verdicts = find_roots(graph, [
        sym("bank", "bank", "service", 1000), sym("stock", "stock", "service", 2000),
        sym("pay", "pay", "service", 1500), sym("cart", "cart", "service", 1800),
        sym("flow", "buy", "scenario", 2500),
        sym("paid", "buy/paid", "step", 3000), sym("order", "buy/order", "step", 3000),
    ])
    assert verdicts["paid"].root_cause == "bank"
    assert verdicts["order"].root_cause == "stock"  # not the earlier bank fault on the same flow
    assert set(verdicts["flow"].roots) == {"bank", "stock"}


def test_a_step_with_nothing_failing_on_it_has_no_root():
    graph = CallGraph(shop())
    verdicts = find_roots(graph, [sym("bank", "bank", "service", 1000), sym("basket", "buy/basket", "step", 2000)])
    assert verdicts["basket"].root_cause == ""  # the bank is not one of the basket step's services


def test_conversion_series_are_about_their_step_and_named_for_people():
    assert subject_of(conversion_series("buy", "paid")) == ("buy/paid", "step")
    names = Names(shop())
    assert names.subject("buy/order", "step", "en") == "Buy › Order"
    assert names.subject("buy/order", "step", "zh_CN") == "购买 › 下单"
    assert names.subject("buy/paid", "step", "zh_CN") == "购买 › Paid"  # no Chinese name: the default
