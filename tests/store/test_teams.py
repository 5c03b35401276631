"""The KPI tree from a history: the tree stored with the topology, its figures from the stored
incidents over the whole month (not a console's bounded log)."""

from __future__ import annotations

from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Event, EventKind, Service, Severity
from warroom.core.northstar.tree import tree_from_config
from warroom.protocol.messages import TopologySnapshot
from warroom.store.query import HistoryReader
from warroom.store.teams import team_report, tree_at

MIN, DAY = 60_000, 86_400_000
NOW = 1_796_551_200_000  # 2026-12-06 18:00 +08:00
TREE = {"goal": {"kpi": "mttr", "target": 60},
        "lines": {"pay": {"title": "Payments", "teams": {
            "trade-team": {"title": "Trade", "services": ["trade"]},
            "bank-team": {"title": "Banks", "services": ["bank"]}}}}}


def _topology(tree, *more: str) -> Topology:
    topo = Topology([Service("trade"), Service("bank"), *(Service(m) for m in more)], [CallEdge("trade", "bank")])
    topo.kpi_tree = tree_from_config(tree) if tree else None
    return topo


def _incident(iid: str, root: str, started: int, mitigated: int) -> list[Event]:
    base = {"incident": iid, "root_cause": root, "started_ms": started, "detected_ms": started + 20_000,
            "merged_into": ""}
    return [Event(f"incident:{iid}:1", started + 20_000, EventKind.INCIDENT, root, "down", Severity.P1,
                  {**base, "action": "opened", "state": "open"}),
            Event(f"incident:{iid}:2", mitigated, EventKind.INCIDENT, root, "down", Severity.P1,
                  {**base, "action": "mitigated", "state": "mitigated", "mitigated_ms": mitigated})]


def test_team_report_reads_the_month_from_the_history(open_writer, db_path):
    w = open_writer()
    w.append_topology(TopologySnapshot(NOW - 25 * DAY, _topology(TREE)))
    w.append_events(_incident("old", "bank", NOW - 20 * DAY, NOW - 20 * DAY + 10 * MIN)
                    + _incident("today", "trade", NOW - 30 * MIN, NOW - 20 * MIN)
                    + _incident("today2", "trade->bank", NOW - 15 * MIN, NOW - 10 * MIN))
    assert w.flush(10)
    w.close()
    with HistoryReader(db_path) as reader:
        rep = team_report(reader)
    assert rep is not None and rep.end_ms == NOW - 10 * MIN  # the history's newest moment
    banks = rep.root.find("team", "bank-team")
    assert banks.minutes == 5.0 and banks.mttr_over(30).restored == 2 and banks.mttr_over(7).restored == 1
    assert rep.root.find("team", "trade-team").minutes == 10.0
    assert not rep.partial(7) and rep.partial(30)  # the history starts 20 days back


def test_the_tree_in_force_at_a_moment(open_writer, db_path):
    other = {"lines": {"pay": {"teams": {"all": {"services": ["trade", "bank"]}}}}}
    w = open_writer()
    # Each graph differs too: the store keeps a snapshot when its graph changed (appender's
    # canonical_topology), and these test which tree is read back, not that rule.
    w.append_topology(TopologySnapshot(NOW - 2 * DAY, _topology(None)))
    w.append_topology(TopologySnapshot(NOW - DAY, _topology(TREE, "mq")))
    w.append_topology(TopologySnapshot(NOW, _topology(other, "mq", "db")))
    assert w.flush(10)
    w.close()
    with HistoryReader(db_path) as reader:
        assert tree_at(reader, NOW - 3 * DAY) == tree_from_config(TREE)  # before any: the first declared
        assert tree_at(reader, NOW - DAY // 2) == tree_from_config(TREE)
        assert tree_at(reader, NOW) == tree_from_config(other)


def test_a_history_without_a_tree_has_no_report(open_writer, db_path):
    w = open_writer()
    w.append_topology(TopologySnapshot(NOW, _topology(None)))
    w.append_events(_incident("a", "trade", NOW - 30 * MIN, NOW - 20 * MIN))
    assert w.flush(10)
    w.close()
    with HistoryReader(db_path) as reader:
        assert tree_at(reader, NOW) is None and team_report(reader) is None
        given = team_report(reader, tree=tree_from_config(TREE))  # a tree from a file still works
        assert given is not None and given.root.find("team", "trade-team").minutes == 10.0
