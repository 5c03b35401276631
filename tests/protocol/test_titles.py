"""Protocol 1.1 names per language: ``titles`` on services, scenarios and plans, a plan's
``texts``, cross the wire; a feed that sends none keeps the 1.0 shape; bad values are dropped."""

from __future__ import annotations

import json

from warroom.core.plan.plans import Plan
from warroom.protocol import Decoder, encode
from warroom.protocol.messages import PlanCatalogue, TopologySnapshot
from warroom.sim.platform import build_platform

NOW = 1_767_225_600_000


def _decode(message):
    return Decoder().decode(encode(message), now_ms=NOW)


def test_service_and_scenario_titles_cross_the_wire():
    topo = build_platform().topology
    got = _decode(TopologySnapshot(NOW, topo))
    assert got.errors == []
    assert got.message.topology.service("bank-icbc").titles == {"zh_CN": "工商银行网关"}
    assert got.message.topology.scenario("qr_pay").titles == {"zh_CN": "扫码支付"}


def test_plan_titles_and_texts_cross_the_wire():
    platform = build_platform()
    got = _decode(PlanCatalogue(platform.plans, ()))
    plan = next(p for p in got.message.plans if p.id == "failover-bank-icbc")
    assert plan.titles == {"zh_CN": "切换工商银行网关"}
    assert plan.localized("zh_CN").steps[0].startswith("将工商银行网关")


def test_without_titles_the_wire_shape_is_unchanged():
    plan = Plan("p", "degrade", "Degrade coupons", "service", "coupon")
    assert "titles" not in plan.to_dict() and "texts" not in plan.to_dict()


def test_titles_that_are_not_text_are_dropped_and_text_is_cleaned():
    frame = {"v": 1, "type": "topology", "ts": NOW, "edges": [], "services": [
        {"name": "a", "title": "A", "titles": {"zh_CN": "甲\u202e", "de": 5, "fr": ""}}]}
    got = Decoder().decode(json.dumps(frame), now_ms=NOW)
    titles = got.message.topology.service("a").titles
    assert set(titles) == {"zh_CN"} and "\u202e" not in titles["zh_CN"]
