"""Funnel steps in a world file: read with their services and usual conversions, simulated,
and every mistake answered with FILE:LINE: problem."""

from __future__ import annotations

import pytest

from warroom.core.model import step_series
from warroom.sim import Simulator, build_platform
from warroom.sim.world import WorldError, load_world, load_world_text

from ..support import PEAK_MS, run

SHOP = """\
name: shop
services:
  web: {kind: channel, capacity_rps: 500, latency_ms: 2, calls: {cart: 1}}
  cart: {capacity_rps: 400, latency_ms: 5, calls: {pay: 1}}
  pay: {capacity_rps: 400, latency_ms: 5}
scenarios:
  buy:
    peak_tps: 100
    paths:
      - [web, cart, pay]
    steps:
      - {id: basket, title: Basket, titles: {zh_CN: 购物车}, services: [web, cart]}
      - {id: paid, title: Paid, services: [pay], conversion: 0.6}
"""


def test_steps_load_with_their_series_services_and_usual_conversion():
    w = load_world_text(SHOP, source="shop.yaml")
    steps = w.topology.scenario("buy").steps
    assert [(s.id, s.title, s.services) for s in steps] == [("basket", "Basket", ("web", "cart")),
                                                           ("paid", "Paid", ("pay",))]
    assert steps[0].titles == {"zh_CN": "购物车"} and steps[1].series == step_series("buy", "paid")
    assert w.platform.step_conversion["buy"] == (1.0, 0.6)
    v = run(Simulator(start_ms=PEAK_MS, seed=1, world=w), 5)
    paid = v['scenario_step_rate{scenario="buy",step="paid"}']
    basket = v['scenario_step_rate{scenario="buy",step="basket"}']
    assert paid / basket == pytest.approx(0.6, rel=0.01)


@pytest.mark.parametrize("bad, problem", [
    ("      - {id: paid, title: Paid, services: [pay], conversion: 0.6}\n", "at least two steps"),
    ("      - {id: basket, services: [pay]}\n", "listed twice"),
    ("      - {id: paid, services: [stock]}\n", "not a service on the scenario's paths"),
    ("      - {id: paid, services: [pay], conversion: 1.5}\n", "at most 1"),
    ("      - {id: paid, service: [pay]}\n", "unknown field"),
    ("      - {title: Paid}\n", "id is missing"),
])
def test_a_bad_step_is_refused_with_its_line(bad, problem):
    lines = SHOP.splitlines(keepends=True)
    text = "".join(lines[:-1]) + bad
    if problem == "at least two steps":
        text = "".join(lines[:-2]) + bad
    with pytest.raises(WorldError) as e:
        load_world_text(text, source="shop.yaml")
    assert problem in str(e.value)
    assert e.value.line is not None and e.value.line >= text.count("\n") - 2


def test_the_payment_world_and_build_platform_have_the_same_funnels():
    w, p = load_world("payment").platform, build_platform()
    assert [sc.steps for sc in w.topology.scenarios] == [sc.steps for sc in p.topology.scenarios]
    assert dict(w.step_conversion) == dict(p.step_conversion)
    assert {sid for sid, conv in p.step_conversion.items()} == {"qr_pay", "app_quick_pay", "bank_card_pay"}
