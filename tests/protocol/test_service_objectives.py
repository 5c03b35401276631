"""Protocol 1.2 service fields: ``entry``, ``slo`` and ``cadence_s`` cross the wire; a feed that
sends none keeps the older shape; bad values are left out or refused, never crash; the new
service kinds ``external`` and ``job`` are accepted."""

from __future__ import annotations

import json

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
from warroom.protocol import Decoder, encode
from warroom.protocol.messages import TopologySnapshot

NOW = 1_767_225_600_000


def _frame(*services: dict, edges: list | None = None) -> str:
    return json.dumps({"v": 1, "type": "topology", "ts": NOW, "services": list(services), "edges": edges or []})


def test_entry_slo_and_cadence_cross_the_wire():
    topo = Topology(
        [Service("web", ServiceKind.CHANNEL, entry=True), Service("api", slo={"p99_s": 0.3, "error_ratio": 0.01}),
         Service("settle", ServiceKind.JOB, cadence_s=86400.0), Service("sms", ServiceKind.EXTERNAL)],
        [CallEdge("web", "api"), CallEdge("api", "sms")])
    got = Decoder().decode(encode(TopologySnapshot(NOW, topo)), now_ms=NOW)
    assert got.errors == []
    back = got.message.topology
    assert back.service("web").entry is True
    assert dict(back.service("api").slo) == {"p99_s": 0.3, "error_ratio": 0.01}
    assert back.service("settle").cadence_s == 86400.0 and back.service("settle").kind is ServiceKind.JOB
    assert back.service("sms").kind is ServiceKind.EXTERNAL
    assert back.same_content(topo)


def test_without_the_new_fields_the_wire_shape_is_unchanged():
    wire = TopologySnapshot(NOW, Topology([Service("a")], [])).to_wire()
    assert set(wire["services"][0]) == {"name", "kind", "title", "core", "capacity_rps"}


def test_bad_objectives_are_left_out_and_the_service_is_kept():
    got = Decoder().decode(_frame({"name": "a", "slo": {"p99_s": -1, "error_ratio": 2.0, "uptime": 0.99,
                                                        "p99_s ": "fast"}},
                                  {"name": "b", "slo": {"error_ratio": 0.02, "p99_s": True}}), now_ms=NOW)
    topo = got.message.topology
    assert dict(topo.service("a").slo) == {}
    assert dict(topo.service("b").slo) == {"error_ratio": 0.02}


def test_an_slo_that_is_not_an_object_or_a_negative_cadence_drops_only_that_service():
    got = Decoder().decode(_frame({"name": "a", "slo": [0.3]}, {"name": "b", "cadence_s": -5}, {"name": "c"}),
                           now_ms=NOW)
    assert [s.name for s in got.message.topology.services] == ["c"]
    assert len(got.errors) >= 1 and all(e.code.value == "bad_field" for e in got.errors)


def test_entries_come_from_the_graph_not_from_names():
    topo = Topology(
        [Service("edge-proxy"), Service("checkout"), Service("db", ServiceKind.DATABASE), Service("lonely"),
         Service("webhook-in", entry=True), Service("cron", ServiceKind.JOB)],
        [CallEdge("edge-proxy", "checkout"), CallEdge("checkout", "db"), CallEdge("webhook-in", "checkout"),
         CallEdge("cron", "db")],
        [Scenario("pay", "Pay", "checkout", (("checkout", "db"),))])
    # uncalled callers, marked entries and scenario entries; a lone node is not an entry
    assert topo.entries() == ["checkout", "cron", "edge-proxy", "webhook-in"]
