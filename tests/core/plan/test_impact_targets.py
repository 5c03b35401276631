"""Impact previews for every target kind the protocol allows (§5.5: service, edge, scenario,
bank_channel), every plan kind, on any topology: a target the graph does not hold gives an
honest "unknown target" preview, never an exception."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Scenario, SeriesKey, Service, ServiceKind
from warroom.core.plan.impact import Impact, preview, resolve
from warroom.core.plan.plans import KNOWN_KINDS, TARGET_KINDS, Plan
from warroom.sim.platform import build_platform

#: The platform of protocol §5.5's example: trade calls coupon and a payment engine that
#: routes to two banks.
PROTOCOL = Topology(
    [Service("gateway", ServiceKind.CHANNEL, capacity_rps=5000), Service("trade", capacity_rps=3000),
     Service("coupon", core=False, capacity_rps=800), Service("payment-engine", capacity_rps=3000),
     Service("bank-a", ServiceKind.BANK, capacity_rps=1000), Service("bank-b", ServiceKind.BANK, capacity_rps=1200)],
    [CallEdge("gateway", "trade"), CallEdge("trade", "coupon"), CallEdge("trade", "payment-engine"),
     CallEdge("payment-engine", "bank-a", 0.5), CallEdge("payment-engine", "bank-b", 0.5)],
    [Scenario.from_path("qr-pay", "QR pay", ["gateway", "trade", "payment-engine", ("bank-a", "bank-b")])],
)
#: A steady rate on every series: enough for an estimate wherever the preview looks.
RATES = {"service_requests_rate": 400.0, "edge_requests_rate": 150.0, "scenario_requests_rate": 400.0,
         "service_error_ratio": 0.3, "service_blocked_rate": 0.0}


def steady(key: SeriesKey) -> list[float]:
    return [RATES.get(key.name, 1.0)] * 30


def plan(kind: str, target_kind: str, target: str, **params) -> Plan:
    return Plan(id=f"p-{kind}-{target}", kind=kind, title="t", target_kind=target_kind, target=target,
                params=params)


def test_edge_target_degrade_stops_that_callers_calls_only():
    # Protocol §5.5's own example; it raised NetworkXError ("a->b" is not a node).
    imp = preview(plan("degrade", "edge", "trade->coupon", count=0.2), PROTOCOL, steady)
    assert ("trade", "coupon") in imp.edges and {"trade", "coupon"} <= set(imp.services)
    assert imp.figures["edge"] == ["trade", "coupon"] and imp.figures["callers"] == ["trade"]
    assert imp.figures["switched_off"] == ["coupon"], "trade was coupon's only caller"
    assert imp.figures["load_removed"] == RATES["edge_requests_rate"], "the edge's load, not the service's"
    assert imp.scenarios == () and imp.estimated


def test_edge_degrade_of_a_shared_callee_switches_nothing_off():
    t = build_platform().topology
    shared = next(e for e in t.edges if len(t.callers(e.callee)) > 1)
    imp = preview(plan("degrade", "edge", f"{shared.caller}->{shared.callee}"), t, steady)
    assert imp.figures["switched_off"] == [], f"{shared.callee}'s other callers still call it"
    assert imp.edges == ((shared.caller, shared.callee),)


def test_every_target_kind_of_the_protocol_example_previews():
    plans = [
        plan("rate_limit", "scenario", "qr-pay", count=300),
        plan("rate_limit", "edge", "trade->payment-engine", count=100),
        plan("rate_limit", "service", "gateway", count=300),
        plan("degrade", "edge", "trade->coupon"),
        plan("failover", "bank_channel", "bank-a", **{"from": "bank-a", "to": "bank-b", "share": 1.0}),
        plan("failover", "edge", "payment-engine->bank-b"),
        plan("rollback", "service", "trade"),
        plan("restart", "scenario", "qr-pay"),
    ]
    for p in plans:
        imp = preview(p, PROTOCOL, steady)
        assert "unknown_target" not in imp.figures, p.id
        assert set(imp.services) <= set(PROTOCOL.graph.nodes), p.id
    bank = preview(plans[4], PROTOCOL, steady)
    assert bank.figures["to"] == ["bank-b"], "a single 'to' string is one bank, not its letters"
    edge_limit = preview(plans[1], PROTOCOL, steady)
    assert edge_limit.figures["offered_mean"] == RATES["edge_requests_rate"]
    assert edge_limit.figures["rejected_mean"] == RATES["edge_requests_rate"] - 100


def test_rollback_preview_names_the_load_and_errors_it_should_bring_back():
    imp = preview(plan("rollback", "service", "trade"), PROTOCOL, steady)
    assert imp.kind == "rollback" and imp.estimated
    assert imp.figures["service"] == "trade" and imp.figures["load"] == 400.0 and imp.figures["error_ratio"] == 0.3
    assert imp.services[0] == "trade" and ("gateway", "trade") in imp.edges and imp.scenarios == ("qr-pay",)
    quiet = preview(plan("rollback", "service", "trade"), PROTOCOL, lambda k: [])
    assert not quiet.estimated and "no recent load" in quiet.figures["no_estimate"]


def test_a_target_not_in_the_graph_is_an_honest_unknown_target():
    for kind in (*KNOWN_KINDS, "reboot"):
        for target_kind, target in (("service", "ghost"), ("bank_channel", "bank-z"), ("scenario", "nope"),
                                    ("edge", "trade->ghost"), ("edge", "gateway->coupon"), ("edge", "trade")):
            imp = preview(plan(kind, target_kind, target), PROTOCOL, steady)
            assert imp.figures["unknown_target"] == target and not imp.estimated, (kind, target_kind, target)
            assert imp.services == () and imp.edges == () and imp.warnings == ()


def test_non_numeric_count_is_no_estimate_not_a_crash():
    imp = preview(plan("rate_limit", "service", "gateway", count="lots"), PROTOCOL, steady)
    assert not imp.estimated and imp.figures["no_estimate"] == "the plan has no count"


def _worlds_plans() -> list[tuple[str, Topology, tuple[Plan, ...]]]:
    """Every shipped world's topology and plans; the payment platform while worlds are not shipped."""
    try:
        from warroom.sim.world import builtin_worlds, load_world
    except ImportError:
        names = []
    else:
        names = builtin_worlds()
    out = []
    for name in names:
        world = load_world(name)
        out.append((name, world.platform.topology, world.platform.plans))
    if not out:
        p = build_platform()
        out.append(("payment", p.topology, p.plans))
    return out


def test_every_shipped_plan_of_every_world_previews_with_and_without_data():
    for name, topology, plans in _worlds_plans():
        assert plans, name
        for p in plans:
            assert resolve(p, topology) is not None, f"{name}: {p.id} targets something not in its world"
            for recent in (steady, lambda k: []):
                imp = preview(p, topology, recent)
                assert isinstance(imp, Impact) and imp.plan_id == p.id
                assert set(imp.services) <= set(topology.graph.nodes), (name, p.id)
                assert all(topology.graph.has_edge(*e) for e in imp.edges), (name, p.id)
            assert preview(p, topology, steady).estimated or p.kind not in KNOWN_KINDS or \
                "no_estimate" in preview(p, topology, steady).figures


_PAYMENT = build_platform().topology
_NAMES = sorted(_PAYMENT.graph.nodes) + ["ghost", "", "->", "a->b->c"]
_targets = st.one_of(
    st.tuples(st.sampled_from(("service", "bank_channel")), st.sampled_from(_NAMES)),
    st.tuples(st.just("edge"), st.builds(lambda a, b: f"{a}->{b}", st.sampled_from(_NAMES), st.sampled_from(_NAMES))),
    st.tuples(st.just("edge"), st.sampled_from([f"{a}->{b}" for a, b in _PAYMENT.graph.edges])),
    st.tuples(st.just("scenario"), st.sampled_from([sc.id for sc in _PAYMENT.scenarios] + ["ghost"])),
)
_params = st.dictionaries(st.sampled_from(["count", "to", "from", "strategy", "grade"]),
                          st.one_of(st.floats(allow_nan=True), st.text(max_size=8),
                                    st.lists(st.sampled_from(_NAMES), max_size=3), st.none()), max_size=4)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(KNOWN_KINDS) | st.text(max_size=8), target=_targets, params=_params,
       with_data=st.booleans())
def test_any_plan_on_the_payment_topology_previews_without_raising(kind, target, params, with_data):
    target_kind, name = target
    assert target_kind in TARGET_KINDS
    p = Plan(id="p", kind=kind, title="p", target_kind=target_kind, target=name, params=params)
    imp = preview(p, _PAYMENT, steady if with_data else (lambda k: []))
    if resolve(p, _PAYMENT) is None:
        assert imp.figures["unknown_target"] == name
    else:
        assert "unknown_target" not in imp.figures and set(imp.services) <= set(_PAYMENT.graph.nodes)
    for v in imp.figures.values():
        assert not (isinstance(v, float) and math.isinf(v))
