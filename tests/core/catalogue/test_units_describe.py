"""Units from metric names and declarations; descriptions and owners resolved."""

from __future__ import annotations

import pytest

from warroom.core.catalogue import describe, infos_from_mapping, infos_from_wire, infos_to_wire, unit_of, valid_range
from warroom.core.graph.topology import Topology
from warroom.core.language.lang import set_language
from warroom.core.model import SeriesKey, Service


@pytest.mark.parametrize(("metric", "unit"), [
    ("service_latency_seconds", "s"),
    ("http_server_request_duration_seconds_bucket", "s"),
    ("istio_request_duration_milliseconds_sum", "ms"),
    ("job_last_success_timestamp_seconds", "unix s"),
    ("service_error_ratio", "ratio"),
    ("istio_requests_total", "count"),
    ("scenario_tps", "/s"),
    ("edge_requests_rate", "/s"),
    ("node_memory_bytes", "B"),
    ("up", "bool"),
    ("queue_depth", ""),
])
def test_unit_from_the_metric_name(metric, unit):
    assert unit_of(metric) == unit


def test_ranges_say_which_values_are_impossible():
    assert valid_range("ratio") == (0.0, 1.0)
    assert valid_range("s")[0] == 0.0
    assert valid_range("") is None and valid_range("widgets") is None


def _topology() -> Topology:
    return Topology([Service("trade", group="core"), Service("bank-icbc")])


def test_declared_fields_win_and_the_most_specific_declaration_first():
    infos = infos_from_mapping({
        "service_latency_seconds": {"owner": "sre", "description": "Latency", "unit": "ms"},
        'service_latency_seconds{quantile="0.99"}': {"description": "P99 latency",
                                                     "descriptions": {"zh_CN": "P99 延迟"}},
    })
    p99 = describe(SeriesKey("service_latency_seconds", {"quantile": "0.99", "service": "trade"}), infos, _topology())
    assert (p99.unit, p99.description, p99.owner) == ("ms", "P99 latency", "sre")  # owner inherited from the metric
    p50 = describe(SeriesKey("service_latency_seconds", {"quantile": "0.5", "service": "trade"}), infos)
    assert p50.description == "Latency"
    set_language("zh_CN")
    try:
        assert p99.label == "P99 延迟"
    finally:
        set_language("en")
    assert p99.label == "P99 latency"


def test_undeclared_series_take_the_name_s_unit_and_the_service_s_group():
    d = describe(SeriesKey("service_error_ratio", {"service": "trade"}), (), _topology())
    assert (d.unit, d.description, d.owner) == ("ratio", "", "core")
    edge = describe(SeriesKey("edge_error_ratio", {"caller": "x", "callee": "trade"}), (), _topology())
    assert edge.owner == "core"  # an edge belongs to the service it calls
    assert describe(SeriesKey("service_error_ratio", {"service": "bank-icbc"}), (), _topology()).owner == ""
    assert describe(SeriesKey("service_error_ratio", {"service": "nowhere"}), (), _topology()).owner == ""


def test_the_kpi_tree_names_the_owning_team():
    class Tree:  # what describe asks of a KPI tree (warroom.core.northstar.tree.KpiTree)
        def team_of(self, service):
            return {"trade": "trade-team"}.get(service)

    topology = _topology()
    topology.kpi_tree = Tree()
    assert describe(SeriesKey("service_error_ratio", {"service": "trade"}), (), topology).owner == "trade-team"


@pytest.mark.parametrize(("value", "problem"), [
    ([1, 2], "must be a mapping"),
    ({"bad{": {}}, "unterminated"),
    ({"9bad": {}}, "invalid metric name"),
    ({"m": "just text"}, "give unit"),
    ({"m": {"colour": "red"}}, "unknown key 'colour'"),
    ({"m": {"descriptions": "x"}}, "'descriptions' must map"),
    ({"m": {"owner": ["a"]}}, "must be text"),
])
def test_bad_declarations_are_refused_with_the_reason(value, problem):
    with pytest.raises(ValueError, match=problem):
        infos_from_mapping(value)


def test_declared_text_is_made_safe_and_bounded():
    (info,) = infos_from_mapping({"m": {"description": "two\nlines \x1b[31mred\u202e", "owner": "x" * 900}})
    assert "\n" not in info.description and "\x1b" not in info.description and "\u202e" not in info.description
    assert len(info.owner) <= 500


def test_wire_form_round_trips_and_drops_bad_items_alone():
    infos = infos_from_mapping({'m_seconds{q="1"}': {"unit": "s", "owner": "o", "descriptions": {"zh_CN": "延迟"}}})
    wire = infos_to_wire(infos)
    assert wire == [{"series": 'm_seconds{q="1"}', "unit": "s", "descriptions": {"zh_CN": "延迟"}, "owner": "o"}]
    back, problems = infos_from_wire([*wire, {"series": "bad{"}, 7, {"unit": "s"}])
    assert back == infos and len(problems) == 3
    assert infos_from_wire("nope") == ((), ["'series' must be a list"])
