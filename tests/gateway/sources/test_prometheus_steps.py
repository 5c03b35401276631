"""Funnel steps through a real Prometheus: each step's PromQL becomes ``scenario_step_rate``
points in its scenario's group, and the topology carries the steps with their services."""

from __future__ import annotations

import pytest

from tests.gateway.sources.exposition import (
    ORDERS_OK_RATE,
    ORDERS_RATE,
    start_stack,
    stop_stack,
)
from warroom.core.funnel.conversion import conversion
from warroom.core.model import step_series
from warroom.gateway.site_model import (
    PrometheusSite,
    ScenarioQuery,
    StepQuery,
    Topology,
)
from warroom.gateway.sources.prometheus import PrometheusSource

SCENARIO = ScenarioQuery(
    "checkout", "Checkout", ("frontend", "checkout", "postgres"),
    tps="rate(shop_orders_ok_total[5s])",
    success_ratio="rate(shop_orders_ok_total[5s]) / rate(shop_orders_total[5s])",
    steps=(StepQuery("placed", "rate(shop_orders_total[5s])", "Order placed", {"zh_CN": "下单"}, ("frontend",)),
           StepQuery("paid", "rate(shop_orders_ok_total[5s])", "Paid", {}, ("checkout", "postgres")),
           StepQuery("shipped", "rate(no_such_metric_total[5s])", "Shipped")))


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    target, prom = start_stack(tmp_path_factory.mktemp("prom"))
    try:
        yield prom
    finally:
        stop_stack(target, prom)


async def test_steps_are_polled_with_their_scenario_and_declared_in_the_topology(stack) -> None:
    site = PrometheusSite(url=stack.url, interval_s=1.0, timeout_s=3.0, rate_window="5s",
                          topology=Topology(shape="servicegraph", selector='cluster="a"'), scenarios=(SCENARIO,))
    src = PrometheusSource(site, {})
    try:
        groups = {g.name: g for g in src.groups}
        topo = (await src.poll(groups["prometheus:topology"])).topology
        steps = topo.scenario("checkout").steps
        assert [(s.id, s.title, s.services) for s in steps] == [
            ("placed", "Order placed", ("frontend",)), ("paid", "Paid", ("checkout", "postgres")),
            ("shipped", "Shipped", ())]
        assert steps[0].titles == {"zh_CN": "下单"} and steps[1].series == step_series("checkout", "paid")
        points = {k: v for k, _, v in (await src.poll(groups["prometheus:scenario:checkout"])).points}
        placed, paid = points[step_series("checkout", "placed")], points[step_series("checkout", "paid")]
        assert placed == pytest.approx(ORDERS_RATE, rel=0.05) and paid == pytest.approx(ORDERS_OK_RATE, rel=0.05)
        assert conversion(placed, paid) == pytest.approx(ORDERS_OK_RATE / ORDERS_RATE, rel=0.02)
        assert step_series("checkout", "shipped") not in points  # no sample: no point, never a zero
        assert src.health["prometheus:scenario:checkout"].state == "ok"
    finally:
        await src.close()
