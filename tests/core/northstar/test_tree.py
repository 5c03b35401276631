"""The north-star KPI tree: reading it, and crediting incident minutes and MTTR to its branches."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warroom.core.model import Event, EventKind, Severity
from warroom.core.northstar.tree import (
    UNASSIGNED,
    KpiTree,
    TreeError,
    credited_service,
    report,
    tree_from_config,
    tree_from_wire,
)

CST = timezone(timedelta(hours=8))
S, MIN, DAY = 1000, 60_000, 86_400_000

CONFIG = {
    "goal": {"title": "Restored within a minute", "titles": {"zh_CN": "一分钟内恢复"}, "kpi": "mttr", "target": 60},
    "lines": {
        "payments": {"title": "Payments", "teams": {
            "trade-team": {"title": "Trade", "titles": {"zh_CN": "交易团队"}, "services": ["trade", "trade-db"]},
            "bank-channels": {"title": "Banks", "services": ["bank-icbc", "bank-ccb"]}}},
        "users": {"title": "Users", "teams": {
            "member-team": {"title": "Members", "services": ["member"]}}},
    },
}


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


NOW = ms("2026-12-06T18:00:00+08:00")


def incident(iid: str, root: str, started: int, mitigated: int | None, *, resolved: int | None = None,
             drill: bool = False, merged_into: str = "") -> list[Event]:
    """An incident's opening event and, when it happened, its mitigation (and resolution)."""
    def ev(n: int, ts: int, action: str, state: str, **extra) -> Event:
        attrs = {"incident": iid, "action": action, "state": state, "root_cause": root, "started_ms": started,
                 "detected_ms": started + 30 * S, "acked_ms": None, "mitigated_ms": None, "resolved_ms": None,
                 "merged_into": merged_into, **extra}
        if drill:
            attrs["drill"] = "drill-1"
        return Event(f"incident:{iid}:{n}", ts, EventKind.INCIDENT, root, f"{root} down", Severity.P1, attrs)

    out = [ev(1, started + 30 * S, "opened", "open")]
    if mitigated is not None:
        out.append(ev(2, mitigated, "mitigated", "mitigated", mitigated_ms=mitigated))
    if resolved is not None:
        out.append(ev(3, resolved + 60 * S, "resolved", "resolved", mitigated_ms=mitigated, resolved_ms=resolved))
    return out


def test_config_and_wire_forms_read_the_same_tree():
    tree = tree_from_config(CONFIG)
    assert [ln.id for ln in tree.lines] == ["payments", "users"]
    assert tree.team_of("trade-db") == "trade-team" and tree.team_of("coupon") is None
    assert tree.line_of("member-team") == "users"
    assert tree.goal.target == 60.0 and tree.goal.kpi == "mttr"
    assert tree_from_wire(tree.to_wire()) == tree


@pytest.mark.parametrize("body, where", [
    ({"lines": {"p": {"teams": {"a": {"services": ["x"]}, "b": {"services": ["x"]}}}}}, "already in team 'a'"),
    ({"lines": {"p": {"teams": {"a": {"services": []}}}}}, "services must list"),
    ({"lines": {"bad id!": {"teams": {"a": {"services": ["x"]}}}}}, "is not a name"),
    ({"goal": {"kpi": "tps"}, "lines": {"p": {"teams": {"a": {"services": ["x"]}}}}}, "kpi must be one of"),
    ({"goal": {"kpi": "success_ratio", "target": 99.5}, "lines": {"p": {"teams": {"a": {"services": ["x"]}}}}},
     "fraction"),
    ({"lines": {"p": {"teams": {"a": {"services": ["x"], "owner": "me"}}}}}, "unknown field 'owner'"),
    ({"lines": {"p": {"teams": {"a": {"services": ["a->b"]}}}}}, "not a service name"),
    ("a tree", "must be a mapping"),
])
def test_a_bad_tree_is_refused_saying_where(body, where):
    with pytest.raises(TreeError) as err:
        tree_from_config(body)
    assert where in str(err.value)


def test_a_team_declared_in_two_lines_is_refused():
    body = {"lines": [{"id": "a", "teams": [{"id": "t", "services": ["x"]}]},
                      {"id": "b", "teams": [{"id": "t", "services": ["y"]}]}]}
    with pytest.raises(TreeError, match="team 't' is declared twice"):
        tree_from_wire(body)


def test_titles_are_cleaned_for_the_wall():
    tree = tree_from_config({"lines": {"p": {"title": "Pay\x07ments\n  line", "teams": {"a": {"services": ["x"]}}}}})
    assert tree.lines[0].title == "Pay ments line"


def test_credited_service_of_an_edge_is_its_callee():
    assert credited_service("trade->bank-icbc") == "bank-icbc"
    assert credited_service("trade") == "trade"
    assert credited_service("") == ""
    assert credited_service("qr_pay", known={"trade"}) == ""


def test_todays_minutes_are_shared_by_the_teams_owning_the_roots():
    tree = tree_from_config(CONFIG)
    events = (incident("A", "bank-icbc", NOW - 60 * MIN, NOW - 30 * MIN)          # 30 min, banks
              + incident("B", "trade->trade-db", NOW - 20 * MIN, NOW - 10 * MIN)  # 10 min, trade (edge callee)
              + incident("C", "member", NOW - 5 * MIN, None))                      # 5 min so far, open
    rep = report(tree, events, NOW)
    root = rep.root
    assert root.minutes == pytest.approx(45.0)
    banks, trade, members = (root.find("team", t) for t in ("bank-channels", "trade-team", "member-team"))
    assert banks.minutes == pytest.approx(30.0) and banks.share == pytest.approx(30 / 45)
    assert trade.minutes == pytest.approx(10.0) and trade.find("service", "trade-db").minutes == pytest.approx(10.0)
    assert members.open == 1 and members.share == pytest.approx(5 / 45)
    payments = root.find("line", "payments")
    assert payments.minutes == pytest.approx(40.0) and payments.incidents == 2
    assert sum(line.share for line in root.children) == pytest.approx(1.0)


def test_minutes_are_clipped_to_today_from_local_midnight():
    tree = tree_from_config(CONFIG)
    midnight = ms("2026-12-06T00:00:00+08:00")
    events = incident("A", "trade", midnight - 30 * MIN, midnight + 15 * MIN)  # began yesterday
    rep = report(tree, events, NOW)
    assert rep.start_ms == midnight
    assert rep.root.find("team", "trade-team").minutes == pytest.approx(15.0)


def test_unowned_and_unknown_roots_go_to_unassigned_so_shares_add_up():
    tree = tree_from_config(CONFIG)
    events = (incident("A", "trade", NOW - 40 * MIN, NOW - 30 * MIN)
              + incident("B", "coupon", NOW - 30 * MIN, NOW - 20 * MIN)
              + incident("C", "", NOW - 20 * MIN, NOW - 10 * MIN))
    rep = report(tree, events, NOW)
    unassigned = rep.root.find(UNASSIGNED, UNASSIGNED)
    assert unassigned is not None and unassigned.minutes == pytest.approx(20.0)
    assert {c.id for c in unassigned.children} == {"coupon", "?"}
    assert sum(c.share for c in rep.root.children) == pytest.approx(1.0)


def test_mttr_per_team_over_7_and_30_days():
    tree = tree_from_config(CONFIG)
    events = (incident("old", "trade", NOW - 20 * DAY, NOW - 20 * DAY + 10 * MIN, resolved=NOW - 20 * DAY + 12 * MIN)
              + incident("week", "trade", NOW - 3 * DAY, NOW - 3 * DAY + 2 * MIN, resolved=NOW - 3 * DAY + 4 * MIN)
              + incident("ancient", "trade", NOW - 40 * DAY, NOW - 40 * DAY + 60 * MIN))
    team = report(tree, events, NOW).root.find("team", "trade-team")
    m7, m30 = team.mttr_over(7), team.mttr_over(30)
    assert m7.restored == 1 and m7.mttr_mitigated_s == pytest.approx(120.0)
    assert m30.restored == 2 and m30.mttr_mitigated_s == pytest.approx((600 + 120) / 2)
    assert m30.resolved == 2 and m30.mttr_s == pytest.approx((720 + 240) / 2)
    assert team.minutes == 0 and team.share is None  # nothing today
    assert report(tree, events, NOW).root.find("team", "member-team").mttr_over(30).mttr_mitigated_s is None


def test_drills_are_counted_apart():
    tree = tree_from_config(CONFIG)
    events = (incident("P", "trade", NOW - 30 * MIN, NOW - 20 * MIN)
              + incident("D", "bank-icbc", NOW - 15 * MIN, NOW - 5 * MIN, drill=True))
    rep = report(tree, events, NOW)
    assert rep.root.minutes == pytest.approx(10.0)
    assert rep.root.find("team", "bank-channels").minutes == 0
    assert rep.drill_incidents == 1 and rep.drill_minutes == pytest.approx(10.0)
    assert rep.root.find("team", "bank-channels").mttr_over(7).restored == 0


def test_merged_incidents_are_not_counted_twice():
    tree = tree_from_config(CONFIG)
    events = (incident("A", "trade", NOW - 30 * MIN, NOW - 10 * MIN)
              + incident("B", "trade", NOW - 25 * MIN, None, merged_into="A"))
    assert report(tree, events, NOW).root.find("team", "trade-team").minutes == pytest.approx(20.0)


def test_the_log_at_a_cursor_sees_only_what_had_happened():
    tree = tree_from_config(CONFIG)
    events = incident("A", "trade", NOW - 30 * MIN, NOW - 10 * MIN)
    earlier = report(tree, events, NOW - 20 * MIN)
    team = earlier.root.find("team", "trade-team")
    assert team.open == 1 and team.minutes == pytest.approx(10.0)


def test_partial_when_the_log_does_not_reach_back():
    tree = tree_from_config(CONFIG)
    rep = report(tree, [], NOW, log_from_ms=NOW - 10 * DAY)
    assert rep.partial(30) and not rep.partial(7)
    assert rep.root.share is None and rep.root.minutes == 0


def test_a_tree_is_a_value():
    a, b = tree_from_config(CONFIG), tree_from_config(CONFIG)
    assert a == b and isinstance(a, KpiTree)
    assert a.services == frozenset({"trade", "trade-db", "bank-icbc", "bank-ccb", "member"})
    assert a.unknown_services(["trade", "member"]) == ["bank-ccb", "bank-icbc", "trade-db"]
