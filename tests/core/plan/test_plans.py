"""Plans as data: the plan_catalogue wire form round-trips and bad plans are refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.plan.plans import KNOWN_KINDS, TARGET_KINDS, Guard, Plan

RATE_LIMIT = Plan(
    id="rl-trade-qr",
    kind="rate_limit",
    title="Rate-limit QR payments at trade",
    target_kind="service",
    target="trade",
    # Sentinel FlowRule field names.
    params={"resource": "trade:qr", "grade": 1, "count": 500, "controlBehavior": 0, "limitApp": "default"},
    steps=("push FlowRule to trade", "watch scenario_tps{scenario=\"qr\"}"),
    rollback=("remove FlowRule from trade",),
    expiry_s=1800.0,
    guard=Guard('scenario_success_ratio{scenario="qr"}', ">=", 0.99, 120.0),
    critical=True,
    description="Shed excess QR traffic before trade saturates.",
)
DEGRADE = Plan(
    id="degrade-coupon",
    kind="degrade",
    title="Degrade coupons",
    target_kind="edge",
    target="trade->coupon",
    params={"resource": "coupon", "grade": 0, "count": 200, "timeWindow": 30, "minRequestAmount": 5, "statIntervalMs": 1000, "slowRatioThreshold": 0.5},
)


@pytest.mark.parametrize("plan", [RATE_LIMIT, DEGRADE])
def test_round_trip(plan):
    d = plan.to_dict()
    assert Plan.from_dict(json.loads(json.dumps(d))) == plan


def test_wire_form():
    d = RATE_LIMIT.to_dict()
    assert d["target"] == {"kind": "service", "name": "trade"}
    assert d["guard"] == {"series": 'scenario_success_ratio{scenario="qr"}', "op": ">=", "threshold": 0.99, "within_s": 120.0}
    assert d["params"]["controlBehavior"] == 0
    assert DEGRADE.to_dict()["guard"] is None
    assert DEGRADE.to_dict()["expiry_s"] is None


def test_from_dict_defaults():
    p = Plan.from_dict({"id": "failover-bank-a", "kind": "failover", "target": {"kind": "bank_channel", "name": "bank-a"}})
    assert p.title == "failover-bank-a"
    assert p.params == {} and p.steps == () and p.rollback == ()
    assert p.guard is None and p.expiry_s is None and not p.critical


def test_null_optional_fields_take_their_defaults():
    p = Plan.from_dict({"id": "x", "kind": "degrade", "target": {"kind": "service", "name": "a"}, "title": None,
                        "description": None, "params": None, "steps": None, "guard": None, "expiry_s": None})
    assert p.title == "x" and p.description == "" and p.params == {} and p.steps == ()


def test_unknown_kind_is_accepted():
    p = Plan.from_dict({"id": "x", "kind": "reboot_everything", "target": {"kind": "service", "name": "a"}})
    assert p.kind == "reboot_everything" and p.kind not in KNOWN_KINDS


def test_params_are_frozen():
    with pytest.raises(TypeError):
        RATE_LIMIT.params["count"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    "bad, error",
    [
        ({"kind": "degrade", "target": {"kind": "service", "name": "a"}}, KeyError),  # no id
        ({"id": "x", "target": {"kind": "service", "name": "a"}}, KeyError),  # no kind
        ({"id": "x", "kind": "degrade"}, KeyError),  # no target
        ({"id": "x", "kind": "degrade", "target": {"kind": "planet", "name": "a"}}, ValueError),
        ({"id": "x", "kind": "degrade", "target": "trade"}, TypeError),
        ({"id": "x", "kind": "degrade", "target": {"kind": "service", "name": "a"}, "expiry_s": "soon"}, ValueError),
        (
            {"id": "x", "kind": "degrade", "target": {"kind": "service", "name": "a"}, "guard": {"series": "m", "op": "==", "threshold": 1, "within_s": 1}},
            ValueError,
        ),
        ({"id": "x", "kind": "degrade", "target": {"kind": "service", "name": "a"}, "guard": {"series": "m"}}, KeyError),
        # null is absent, not the string "None"
        ({"id": None, "kind": "degrade", "target": {"kind": "service", "name": "a"}}, KeyError),
        ({"id": "x", "kind": None, "target": {"kind": "service", "name": "a"}}, KeyError),
        ({"id": "x", "kind": "degrade", "target": {"kind": "service", "name": None}}, KeyError),
        ({"id": "x", "kind": "degrade", "target": None}, TypeError),
    ],
)
def test_from_dict_refuses_bad_plans(bad, error):
    with pytest.raises(error):
        Plan.from_dict(bad)


def test_constructor_validates():
    with pytest.raises(ValueError):
        Plan("x", "degrade", "X", "galaxy", "a")
    with pytest.raises(ValueError):
        Plan("x", "degrade", "X", "service", "a", guard=Guard("m", "!=", 1.0, 10.0))


@pytest.mark.parametrize(
    "op, value, expected",
    [("<", 0.5, True), ("<", 1.0, False), ("<=", 1.0, True), (">", 1.0, False), (">", 1.5, True), (">=", 1.0, True), (">=", 0.9, False)],
)
def test_guard_holds(op, value, expected):
    assert Guard("m", op, 1.0, 60.0).holds(value) is expected


json_scalars = st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10)
guards = st.none() | st.builds(
    Guard,
    st.text(max_size=30),
    st.sampled_from(["<", "<=", ">", ">="]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(0, 3600),
)
plans = st.builds(
    Plan,
    id=st.text(min_size=1, max_size=20),
    kind=st.sampled_from(KNOWN_KINDS) | st.text(max_size=10),
    title=st.text(max_size=20),
    target_kind=st.sampled_from(TARGET_KINDS),
    target=st.text(max_size=20),
    params=st.dictionaries(st.text(max_size=15), json_scalars, max_size=6),
    steps=st.lists(st.text(max_size=20), max_size=4).map(tuple),
    rollback=st.lists(st.text(max_size=20), max_size=4).map(tuple),
    expiry_s=st.none() | st.floats(0, 86_400),
    guard=guards,
    critical=st.booleans(),
    description=st.text(max_size=40),
)


@settings(max_examples=100, deadline=None)
@given(plans)
def test_round_trip_property(plan):
    assert Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan
