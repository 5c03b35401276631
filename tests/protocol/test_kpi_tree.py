"""Protocol 1.6 ``kpi_tree`` on the topology message: it crosses the wire, an older feed's
message keeps its shape, a bad tree is refused alone (the graph is kept), and a console sees a
changed tree as a changed topology."""

from __future__ import annotations

import json

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Service
from warroom.core.northstar.tree import tree_from_config
from warroom.protocol import Decoder, encode
from warroom.protocol.errors import ErrorCode
from warroom.protocol.messages import TopologySnapshot
from warroom.store.live import LiveView

NOW = 1_767_225_600_000
TREE = {"goal": {"title": "Restored in a minute", "kpi": "mttr", "target": 60},
        "lines": {"pay": {"title": "Payments", "titles": {"zh_CN": "支付"},
                          "teams": {"trade-team": {"title": "Trade", "services": ["web", "api"]}}}}}


def _topology(tree=TREE) -> Topology:
    topo = Topology([Service("web"), Service("api")], [CallEdge("web", "api")])
    topo.kpi_tree = tree_from_config(tree) if tree is not None else None
    return topo


def test_the_tree_crosses_the_wire():
    topo = _topology()
    got = Decoder().decode(encode(TopologySnapshot(NOW, topo)), now_ms=NOW)
    assert got.errors == []
    back = got.message.topology
    assert back.kpi_tree == topo.kpi_tree
    assert back.kpi_tree.lines[0].titles == {"zh_CN": "支付"}
    assert back.same_content(topo)


def test_without_a_tree_the_message_keeps_its_older_shape():
    wire = TopologySnapshot(NOW, _topology(None)).to_wire()
    assert "kpi_tree" not in wire
    got = Decoder().decode(encode(TopologySnapshot(NOW, _topology(None))), now_ms=NOW)
    assert got.message.topology.kpi_tree is None


def test_a_bad_tree_is_refused_and_the_graph_kept():
    frame = {"v": 1, "type": "topology", "ts": NOW, "services": [{"name": "web"}, {"name": "api"}],
             "edges": [{"caller": "web", "callee": "api"}],
             "kpi_tree": {"lines": [{"id": "pay", "teams": [{"id": "t", "services": "web"}]}]}}
    got = Decoder().decode(json.dumps(frame), now_ms=NOW)
    assert [e.code for e in got.errors] == [ErrorCode.BAD_FIELD]
    assert "kpi_tree" in got.errors[0].message
    topo = got.message.topology
    assert topo.kpi_tree is None and len(topo) == 2


def test_a_tree_that_is_not_an_object_is_refused_alone():
    frame = {"v": 1, "type": "topology", "ts": NOW, "services": [{"name": "web"}], "edges": [], "kpi_tree": [1, 2]}
    got = Decoder().decode(json.dumps(frame), now_ms=NOW)
    assert len(got.errors) == 1 and got.message.topology.service("web").name == "web"


def test_a_changed_tree_is_a_changed_topology_for_the_view():
    view = LiveView()
    assert view.apply(TopologySnapshot(NOW, _topology()))
    assert not view.apply(TopologySnapshot(NOW + 1000, _topology()))  # sent again: nothing to redraw
    other = json.loads(json.dumps(TREE))
    other["lines"]["pay"]["teams"]["trade-team"]["services"] = ["web"]
    assert view.apply(TopologySnapshot(NOW + 2000, _topology(other)))
    assert view.topology.kpi_tree.teams[0].services == ("web",)
