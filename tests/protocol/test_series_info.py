"""Protocol 1.6 ``series`` on the topology message (what the series are: unit, description,
owner): it crosses the wire, an older feed's message keeps its shape, a bad declaration is
dropped alone, and a console sees changed declarations as a changed topology."""

from __future__ import annotations

import json

from warroom.core.catalogue import infos_from_mapping
from warroom.core.graph.topology import Topology
from warroom.core.model import Service
from warroom.protocol import Decoder, encode
from warroom.protocol.errors import ErrorCode
from warroom.protocol.messages import TopologySnapshot
from warroom.store.live import LiveView

NOW = 1_767_225_600_000
DECLARED = {"service_error_ratio": {"unit": "ratio", "description": "Failed share", "owner": "sre",
                                    "descriptions": {"zh_CN": "失败比例"}},
            'service_latency_seconds{quantile="0.99"}': {"description": "P99"}}


def _topology(declared=DECLARED) -> Topology:
    topo = Topology([Service("web")])
    topo.series_info = infos_from_mapping(declared)
    return topo


def test_declarations_cross_the_wire():
    topo = _topology()
    got = Decoder().decode(encode(TopologySnapshot(NOW, topo)), now_ms=NOW)
    assert got.errors == []
    assert got.message.topology.series_info == topo.series_info
    assert got.message.topology.series_info[0].descriptions == {"zh_CN": "失败比例"}
    assert got.message.topology.same_content(topo)


def test_without_declarations_the_message_keeps_its_older_shape():
    assert "series" not in TopologySnapshot(NOW, _topology({})).to_wire()


def test_a_bad_declaration_is_dropped_alone():
    wire = {"v": 1, "type": "topology", **TopologySnapshot(NOW, _topology()).to_wire()}
    wire["series"] = [*wire["series"], {"series": "bad{"}, {"series": "m", "owner": {"x": 1}}, "text"]
    got = Decoder().decode(json.dumps(wire), now_ms=NOW)
    assert got.message is not None and len(got.message.topology) == 1
    assert len(got.message.topology.series_info) == 2
    assert [e.code for e in got.errors] == [ErrorCode.BAD_FIELD] * 3
    not_a_list = {**wire, "series": {"m": {}}}
    got = Decoder().decode(json.dumps(not_a_list), now_ms=NOW)
    assert got.message.topology.series_info == () and got.errors[0].code is ErrorCode.BAD_FIELD


def test_changed_declarations_are_a_changed_topology():
    view = LiveView()
    assert view.apply(TopologySnapshot(NOW, _topology()))
    assert not view.apply(TopologySnapshot(NOW + 1, _topology()))  # the same, sent again
    changed = {**DECLARED, "service_error_ratio": {**DECLARED["service_error_ratio"], "owner": "payments"}}
    assert view.apply(TopologySnapshot(NOW + 2, _topology(changed)))
    assert view.topology.series_info[0].owner == "payments"
