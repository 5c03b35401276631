"""Topology queries and their answers as Warroom's model: by hand, then through a real Prometheus."""

from __future__ import annotations

import asyncio
import math

import pytest

from tests.gateway.sources.exposition import P50_S, P99_S, start_stack, stop_stack
from warroom.core.model import ServiceKind
from warroom.gateway.site_model import ScenarioQuery, ServiceNames, Topology
from warroom.gateway.sources.promql import PromClient, Sample
from warroom.gateway.sources.topology import (
    NAMESPACE_CAP,
    build_world,
    topology_queries,
)


def _s(value: float, **labels: str) -> Sample:
    return Sample(labels, 1_000, value)


def _values(points) -> dict[str, float]:
    return {k.text: v for k, v in points}


# -- queries --------------------------------------------------------------------------------
def test_servicegraph_queries_use_the_selector_and_window() -> None:
    q = topology_queries(Topology(shape="servicegraph", selector='ns="pay"'), "30s")
    assert q["edge_rate"] == ('sum by (client, server, connection_type, virtual_node) '
                              '(rate(traces_service_graph_request_total{ns="pay"}[30s]))')
    assert "traces_service_graph_request_failed_total{" in q["edge_failed"]
    assert q["edge_p99"].startswith("histogram_quantile(0.99, sum by (client, server, le)")
    assert q["service_p50"].startswith("histogram_quantile(0.5, sum by (server, le)")
    assert q["buckets"] == 'count by (le) (traces_service_graph_request_server_seconds_bucket{ns="pay"})'
    assert "{}" not in topology_queries(Topology(shape="servicegraph"), "1m")["edge_rate"]


def test_istio_queries_filter_the_reporter_and_cap_namespaces() -> None:
    many = tuple(f"ns{i}" for i in range(NAMESPACE_CAP + 5))
    q = topology_queries(Topology(shape="istio", namespaces=many), "1m")
    for text in q.values():
        assert 'reporter="destination"' in text
    assert f'|ns{NAMESPACE_CAP - 1}"' in q["edge_rate"] and f"|ns{NAMESPACE_CAP}" not in q["edge_rate"]
    assert 'response_code=~"5.."' in q["edge_failed"] and "grpc_response_status" in q["edge_failed"]
    assert "istio_request_duration_milliseconds_bucket" in q["edge_p99"]
    assert "istio_request_duration_seconds_bucket" in q["edge_p99"] and "/ 1000" in q["edge_p99"]


def test_unknown_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        topology_queries(Topology(shape="zipkin"), "1m")


# -- build_world by hand -------------------------------------------------------------------------
def test_virtual_nodes_kinds_entries_and_ratios() -> None:
    results = {
        "edge_rate": [
            _s(10.0, client="user", server="web", connection_type="virtual_node"),
            _s(4.0, client="web", server="pay"),
            _s(0.0, client="web", server="idle"),
            _s(2.0, client="pay", server="mysql", connection_type="database"),
            _s(1.0, client="pay", server="kafka", connection_type="messaging_system"),
            _s(3.0, client="pay", server="bank-api", connection_type="virtual_node"),
            _s(1.0, foo="bar"),  # an unknown label set
        ],
        "edge_failed": [_s(1.0, client="web", server="pay"), _s(float("nan"), client="pay", server="mysql")],
        "service_p99": [_s(0.3, server="pay"), _s(float("nan"), server="mysql")],
        "edge_p99": [_s(0.3, client="web", server="pay"), _s(float("+inf"), client="pay", server="bank-api")],
        "buckets": [_s(3, le="0.1"), _s(3, le="2"), _s(3, le="+Inf")],
    }
    notes: list[str] = []
    topo, points = build_world("servicegraph", results, {}, (), "auto", notes=notes)
    kinds = {s.name: s.kind for s in topo.services}
    assert "user" not in kinds
    assert kinds == {"web": ServiceKind.SERVICE, "pay": ServiceKind.SERVICE, "idle": ServiceKind.SERVICE,
                     "mysql": ServiceKind.DATABASE, "kafka": ServiceKind.QUEUE, "bank-api": ServiceKind.EXTERNAL}
    assert [s.name for s in topo.services if s.entry] == ["web"]
    assert sorted(e.key for e in topo.edges) == [("pay", "bank-api"), ("pay", "kafka"), ("pay", "mysql"),
                                                   ("web", "idle"), ("web", "pay")]
    v = _values(points)
    assert v['service_requests_rate{service="web"}'] == 10.0  # the virtual client's traffic counts
    assert v['service_error_ratio{service="web"}'] == 0.0  # no failed series: no failures
    assert v['service_error_ratio{service="pay"}'] == 0.25
    assert v['service_requests_rate{service="idle"}'] == 0.0  # no traffic is a fact...
    assert 'service_error_ratio{service="idle"}' not in v  # ...its error ratio is unknown
    assert 'edge_error_ratio{callee="idle",caller="web"}' not in v
    assert v['edge_error_ratio{callee="mysql",caller="pay"}'] == 0.0  # NaN failed: skipped
    assert v['service_latency_seconds{quantile="0.99",service="pay"}'] == pytest.approx(0.3)
    assert not any("mysql" in k and "latency" in k for k in v)
    assert not any("bank-api" in k and "latency" in k for k in v)
    assert all(math.isfinite(x) for x in v.values())
    assert notes == ["latency unit: seconds (largest bucket bound 2)"]


def test_milliseconds_found_by_bucket_bound_or_median() -> None:
    base = {"edge_rate": [_s(1.0, client="a", server="b")], "service_p50": [_s(80.0, server="b")],
            "service_p99": [_s(400.0, server="b")]}
    for extra in ({"buckets": [_s(1, le="5000")]}, {}):
        notes: list[str] = []
        _, points = build_world("servicegraph", {**base, **extra}, {}, (), "auto", notes=notes)
        v = _values(points)
        assert v['service_latency_seconds{quantile="0.99",service="b"}'] == pytest.approx(0.4)
        assert "milliseconds" in notes[0]
    _, points = build_world("servicegraph", base, {}, (), "seconds")
    assert _values(points)['service_latency_seconds{quantile="0.99",service="b"}'] == 400.0


def test_site_names_kinds_and_scenarios() -> None:
    results = {"edge_rate": [_s(5.0, client="user", server="gw", connection_type="virtual_node"),
                             _s(5.0, client="gw", server="pay"), _s(5.0, client="pay", server="ledger")]}
    names = {"pay": ServiceNames("pay", title="Payments", titles={"zh_CN": "支付"}, kind="bank"),
             "gw": ServiceNames("gw", kind="not-a-kind")}
    scenarios = [ScenarioQuery("checkout", "Checkout", ("gw", "pay", "ledger", "fraud"), "tps", "ok",
                               titles={"zh_CN": "结账"})]
    topo, _ = build_world("servicegraph", results, names, scenarios, "auto", kinds={"ledger": "database"})
    pay = topo.service("pay")
    assert (pay.title, pay.titles, pay.kind) == ("Payments", {"zh_CN": "支付"}, ServiceKind.BANK)
    assert topo.service("gw").kind == ServiceKind.SERVICE
    assert topo.service("ledger").kind == ServiceKind.DATABASE
    assert "fraud" in topo  # on the declared path, sent nothing yet
    sc = topo.scenario("checkout")
    assert sc.entry == "gw" and set(sc.edges) == {("gw", "pay"), ("pay", "ledger")}
    assert sc.titles == {"zh_CN": "结账"}


def test_empty_and_garbage_answers() -> None:
    topo, points = build_world("servicegraph", {}, {}, (), "auto")
    assert len(topo) == 0 and points == []
    notes: list[str] = []
    topo, points = build_world("servicegraph", {"edge_rate": [_s(1.0, client="a\x00", server="b"),
                                                             _s(1.0, client="", server="b"),
                                                             _s(1.0, client="c", server="c")]},
                               {}, (), "auto", notes=notes)
    assert len(topo) == 0 and points == []
    assert "refused" in notes[-1]


def test_istio_names_in_two_namespaces_stay_apart() -> None:
    results = {"edge_rate": [
        _s(1.0, source_workload="gw", source_workload_namespace="a", destination_workload="db",
           destination_workload_namespace="a"),
        _s(2.0, source_workload="gw", source_workload_namespace="a", destination_workload="db",
           destination_workload_namespace="b"),
        _s(3.0, source_workload="unknown", source_workload_namespace="", destination_workload="gw",
           destination_workload_namespace="a"),
    ]}
    topo, points = build_world("istio", results, {}, (), "auto")
    assert {s.name for s in topo.services} == {"gw", "db.a", "db.b"}
    assert topo.service("gw").entry and topo.service("db.b").group == "b"
    assert _values(points)['service_requests_rate{service="db.b"}'] == 2.0


# -- through a real Prometheus ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    target, prom = start_stack(tmp_path_factory.mktemp("prom"))
    try:
        yield prom
    finally:
        stop_stack(target, prom)


def _world(prom, topo: Topology, notes=None):
    async def ask():
        client = PromClient(prom.url, timeout_s=5)
        try:
            queries = topology_queries(topo, "5s")
            answers = await asyncio.gather(*(client.query(q) for q in queries.values()))
            return dict(zip(queries, answers))
        finally:
            await client.close()

    results = asyncio.run(ask())
    return build_world(topo.shape, results, {}, (), topo.latency_unit, notes=notes)


def test_servicegraph_through_prometheus(stack) -> None:
    notes: list[str] = []
    topo, points = _world(stack, Topology(shape="servicegraph", selector='cluster="a"'), notes)
    kinds = {s.name: s.kind for s in topo.services}
    assert kinds == {"frontend": ServiceKind.SERVICE, "checkout": ServiceKind.SERVICE,
                     "postgres": ServiceKind.DATABASE, "orders-mq": ServiceKind.QUEUE,
                     "stripe": ServiceKind.EXTERNAL}
    assert topo.entries() == ["frontend"] and topo.service("frontend").entry
    v = _values(points)
    assert v['service_requests_rate{service="frontend"}'] == pytest.approx(10.0, rel=0.05)
    assert v['service_requests_rate{service="postgres"}'] == pytest.approx(12.0, rel=0.05)
    assert v['edge_error_ratio{callee="checkout",caller="frontend"}'] == pytest.approx(0.1, rel=0.05)
    assert v['service_error_ratio{service="stripe"}'] == pytest.approx(0.25, rel=0.05)
    assert v['service_latency_seconds{quantile="0.99",service="checkout"}'] == pytest.approx(P99_S, rel=0.1)
    assert v['edge_latency_seconds{callee="checkout",caller="frontend",quantile="0.5"}'] == pytest.approx(
        P50_S, rel=0.1)
    # stripe's histogram saw nothing: Prometheus answers NaN, which is dropped, not sent
    assert not any("stripe" in k and "latency" in k for k in v)
    assert "seconds" in notes[0]


def test_legacy_milliseconds_through_prometheus(stack) -> None:
    notes: list[str] = []
    topo, points = _world(stack, Topology(shape="servicegraph", selector='cluster="b"'), notes)
    assert {s.name for s in topo.services} == {"api", "db"}
    v = _values(points)
    assert v['service_latency_seconds{quantile="0.99",service="db"}'] == pytest.approx(P99_S, rel=0.1)
    assert v['service_error_ratio{service="db"}'] == pytest.approx(0.05, rel=0.05)
    assert notes[0] == "latency unit: milliseconds (largest bucket bound 1000)"


def test_istio_through_prometheus(stack) -> None:
    topo, points = _world(stack, Topology(shape="istio", namespaces=("bookinfo",)))
    assert {s.name for s in topo.services} == {"productpage", "reviews", "ratings"}
    assert topo.entries() == ["productpage"] and topo.service("productpage").group == "bookinfo"
    v = _values(points)
    # both reporters count each call: only the destination's is read, so no doubling
    assert v['service_requests_rate{service="reviews"}'] == pytest.approx(5.5, rel=0.05)
    assert v['service_requests_rate{service="productpage"}'] == pytest.approx(8.4, rel=0.05)
    assert v['service_error_ratio{service="reviews"}'] == pytest.approx(0.5 / 5.5, rel=0.05)
    assert v['service_error_ratio{service="ratings"}'] == pytest.approx(0.1, rel=0.05)  # gRPC status 14
    # milliseconds converted; the legacy seconds histogram read as is
    assert v['service_latency_seconds{quantile="0.99",service="reviews"}'] == pytest.approx(0.025, rel=0.1)
    assert v['service_latency_seconds{quantile="0.99",service="ratings"}'] == pytest.approx(0.025, rel=0.1)
    other, _ = _world(stack, Topology(shape="istio", namespaces=("elsewhere",)))
    assert len(other) == 0
