"""The KPI-tree panel: teams ranked by today's incident minutes, an open incident said in words,
MTTR per team, a team lights its services on the map, a short panel leaves rows out and says
so, and a feed without a tree is told how to declare one."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from tests.ui.board_support import SimFeed  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.core.model import Event, EventKind, Service, Severity  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.kpi_tree.panel import KpiTreePanel  # noqa: E402
from warroom.ui.panels.kpi_tree.rows import duration_text, mttr_level, share_text  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402

MIN, DAY = 60_000, 86_400_000


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


def incident(iid: str, root: str, started: int, mitigated: int | None) -> list[Event]:
    def ev(n: int, ts: int, state: str, **extra) -> Event:
        return Event(f"incident:{iid}:{n}", ts, EventKind.INCIDENT, root, f"{root} down", Severity.P1,
                     {"incident": iid, "action": state, "state": state, "root_cause": root, "started_ms": started,
                      "detected_ms": started + 20_000, "merged_into": "", **extra})
    out = [ev(1, started + 20_000, "open")]
    if mitigated is not None:
        out.append(ev(2, mitigated, "mitigated", mitigated_ms=mitigated))
    return out


@pytest.fixture
def feed():
    f = SimFeed(seconds=20)
    now = f.view.cursor_ms
    f.view.add_events(incident("bank", "trade->bank-icbc", now - 40 * MIN, now - 20 * MIN)   # 20 min, banks
                      + incident("risk", "risk-control", now - 8 * MIN, None)                # 8 min so far, open
                      + incident("old", "coupon", now - 5 * DAY, now - 5 * DAY + 3 * MIN))  # marketing's week
    return f


def test_registered_and_ranked_by_todays_minutes(feed):
    assert panel_class("kpi_tree") is KpiTreePanel
    panel = KpiTreePanel(feed.view)
    teams = [r for r in panel.rows if r.kind == "team"]
    payments = [r.id for r in teams if r.id in ("risk-team", "bank-channels", "trade-team", "payment-core")]
    assert payments[0] == "risk-team"  # an open incident ranks first: users feel it now
    assert payments[1] == "bank-channels"
    bank = next(r for r in teams if r.id == "bank-channels")
    assert bank.minutes == pytest.approx(20.0) and bank.share == pytest.approx(20 / 28)
    risk = next(r for r in teams if r.id == "risk-team")
    assert risk.open == 1 and risk.mttr_7d_s is None
    marketing = next(r for r in teams if r.id == "marketing-team")
    assert marketing.minutes == 0 and marketing.mttr_7d_s == pytest.approx(180.0)
    services = [r.id for r in panel.rows if r.kind == "service"]
    assert "bank-icbc" in services and "bank-ccb" not in services  # only services that cost minutes
    assert "1 open" in panel.today_text() and "28" in panel.today_text()


def test_goal_line_judges_mttr_against_the_target(feed):
    panel = KpiTreePanel(feed.view)
    text, level = panel.goal_text()
    assert "11.5 min" in text and level == "warn"  # (20 + 3) / 2 minutes against a 60 s goal
    assert panel.partial_text() != ""  # a 20-second view does not hold a month


def test_clicking_a_team_lights_its_services_and_again_takes_it_off(feed):
    panel = KpiTreePanel(feed.view)
    panel.resize(1000, 700)
    panel.show()
    panel.grab()
    rect = next(r for r, row in panel.canvas._hits if row.kind == "team" and row.id == "bank-channels")
    before = feed.view.version
    QTest.mouseClick(panel.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    hl = feed.view.highlight
    assert hl["source"] == "kpi_tree" and set(hl["services"]) == {"bank-icbc", "bank-ccb", "bank-abc", "bank-boc"}
    assert feed.view.version > before and panel.selected_team == "bank-channels"
    panel.grab()
    QTest.mouseClick(panel.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert feed.view.highlight is None


def test_a_highlight_of_another_panel_is_left_alone(feed):
    panel = KpiTreePanel(feed.view)
    feed.view.highlight = {"services": ["trade"], "edges": [], "scenarios": [], "source": "plan"}
    panel.select_team(None)
    assert feed.view.highlight["source"] == "plan"


def test_a_short_panel_leaves_services_out_first_then_says_how_many_more(feed):
    panel = KpiTreePanel(feed.view)
    panel.show()
    seen_without_services = False
    for height in range(900, 200, -20):
        panel.resize(900, height)
        panel.grab()
        drawn = panel.canvas.drawn
        teams_shown = {r.id for r in drawn if r.depth == 1}
        all_teams = {r.id for r in panel.rows if r.depth == 1}
        if any(r.depth == 2 for r in drawn):
            assert teams_shown == all_teams  # services go before any team does
        elif teams_shown == all_teams:
            seen_without_services = True
        assert panel.canvas.left_out == len(panel.rows) - len(drawn)
    assert seen_without_services
    assert panel.canvas.left_out > 0 and panel.canvas.drawn[0].depth == 0  # at 220 px, the top still shows


def test_a_feed_without_a_tree_is_told_how_to_declare_one(qapp):
    feed = SimFeed(seconds=5)
    feed.view.apply(TopologySnapshot(feed.view.cursor_ms, Topology([Service("web")], [])))
    panel = KpiTreePanel(feed.view)
    panel.resize(600, 300)
    assert panel.tree is None and panel.rows == []
    assert not panel.grab().isNull()  # paints the explanation, not a crash


def test_stale_data_paints_dimmed_and_says_how_old(feed):
    panel = KpiTreePanel(feed.view)
    panel.resize(900, 600)
    panel.set_stale(feed.view.cursor_ms)
    assert not panel.grab().isNull()
    tip = panel.canvas.tooltip(panel.rows[0])
    assert "MTTR to mitigation" in tip


def test_the_tree_follows_the_cursor_in_a_replay(feed):
    panel = KpiTreePanel(feed.view)
    now = feed.view.cursor_ms
    feed.view.follow = False
    feed.view.set_cursor(now - 30 * MIN)  # the bank incident under way, risk not yet begun
    panel.refresh()
    bank = next(r for r in panel.rows if r.id == "bank-channels")
    assert bank.open == 1 and bank.minutes == pytest.approx(10.0)
    assert next(r for r in panel.rows if r.id == "risk-team").minutes == 0


@pytest.mark.parametrize("seconds, text", [(None, "—"), (45, "45 s"), (252, "4.2 min"), (9000, "2.5 h")])
def test_durations_read_at_a_glance(seconds, text):
    assert duration_text(seconds) == text


def test_shares_and_levels():
    assert share_text(None) == "—" and share_text(0.001) == "<1%" and share_text(0.666) == "67%"
    assert mttr_level(50, 60) == "ok" and mttr_level(120, 60) == "warn" and mttr_level(1000, 60) == "crit"
    assert mttr_level(None, 60) == "unknown" and mttr_level(59, None) == "ok"


def test_a_success_ratio_goal_reads_the_platforms_success_now(qapp):
    from warroom.core.northstar.tree import tree_from_config

    feed = SimFeed(seconds=30)
    topo = feed.view.topology
    goal = {"title": "Payments succeed", "kpi": "success_ratio", "target": 0.5}
    topo.kpi_tree = tree_from_config({"goal": goal, "lines": {"all": {"teams": {"t": {"services": ["trade"]}}}}})
    panel = KpiTreePanel(feed.view)
    text, level = panel.goal_text()
    assert "success rate" in text and "goal ≥ 50.00%" in text and level == "ok"  # a healthy platform clears 50 %
    topo.kpi_tree = tree_from_config({"goal": {**goal, "target": 1.0}, "lines": {"all": {"teams": {"t": {"services": ["trade"]}}}}})
    panel.refresh()
    assert panel.goal_text()[1] == "crit"  # nobody clears 100 %: declines are part of payments
