"""Issue 14, item 2 in the incidents panel: a mitigated incident (users recovered, its root still
alerts) is amber, in its card, its chip and the panel's summary; it is live, never "resolved";
red is kept for an open, unmitigated incident."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed  # noqa: E402
from warroom.core.incident.incidents import Incident  # noqa: E402
from warroom.core.model import Event, EventKind, Severity  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.alerts.cards import severity_color  # noqa: E402
from warroom.ui.panels.incidents.model import incident_card, incident_summary, state_color, timeline_rows  # noqa: E402
from warroom.ui.panels.incidents.panel import IncidentsPanel  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


def inc(iid: str, state: str, mitigated_ms=None, timeline=()) -> Incident:
    return Incident(iid, "ICBC gateway down", Severity.P1, "bank-icbc", state, "", BUSY_HOUR_MS,
                    BUSY_HOUR_MS + 5_000, None, None, None, None, "", ("fp",), tuple(timeline),
                    mitigated_ms=mitigated_ms)


class FakeWatch:
    def __init__(self, incidents):
        self.version, self.now_ms, self._incidents = 1, BUSY_HOUR_MS + 120_000, list(incidents)

    def incidents(self):
        return list(self._incidents)


def test_a_mitigated_incident_card_is_amber_and_says_when_it_was_mitigated():
    d = theme.DARK
    mitigated = inc("INC-1", "mitigated", mitigated_ms=BUSY_HOUR_MS + 40_000)
    card = incident_card(mitigated, BUSY_HOUR_MS + 120_000)
    assert card.chip == "P1" and card.chip_color == d.warn and not card.chip_filled  # not a P1 users still feel
    assert card.badges[0].text == "MITIGATED" and card.badges[0].color == d.warn
    assert card.right == "mitigated in 40s"
    assert "mitigated 10:30:40" in incident_summary(mitigated, BUSY_HOUR_MS + 120_000, 480)
    opened = incident_card(inc("INC-2", "open"), BUSY_HOUR_MS + 120_000)
    assert opened.chip_color == severity_color(Severity.P1) and opened.chip_filled and opened.badges[0].color == d.crit
    assert state_color("acknowledged") == d.crit  # acknowledged is still broken: red, not amber


def test_the_timeline_says_mitigated_and_why_the_root_changed():
    ev = [Event("incident:INC-1:2", BUSY_HOUR_MS + 20_000, EventKind.INCIDENT, "mysql-trade", "t", Severity.P1,
                {"incident": "INC-1", "action": "root_cause_changed", "root_cause": "mysql-trade",
                 "previous_root_cause": "bank-icbc", "reason": "its alerts explain more symptoms"}),
          Event("incident:INC-1:3", BUSY_HOUR_MS + 40_000, EventKind.INCIDENT, "mysql-trade", "t", Severity.P1,
                {"incident": "INC-1", "action": "mitigated", "state": "mitigated"})]
    rows = timeline_rows(inc("INC-1", "mitigated", BUSY_HOUR_MS + 40_000, ev))
    assert [r.kind for r in rows] == ["MITIGATED", "ROOT CAUSE"]
    assert rows[0].color == theme.DARK.warn
    assert rows[1].detail == "its alerts explain more symptoms"


def test_the_summary_counts_open_and_mitigated_apart(qtbot):
    feed = SimFeed(3)
    feed.view.alerting = FakeWatch([inc("INC-1", "mitigated", BUSY_HOUR_MS + 40_000), inc("INC-2", "resolved")])
    panel = IncidentsPanel(feed.view)
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.refresh()
    assert panel.summary.text() == "0 open  ·  1 mitigated  ·  1 resolved"
    assert theme.DARK.warn in panel.summary.styleSheet()
    feed.view.alerting = FakeWatch([inc("INC-1", "mitigated", BUSY_HOUR_MS + 40_000), inc("INC-3", "open")])
    panel.refresh()
    assert panel.summary.text() == "1 open  ·  1 mitigated  ·  0 resolved"
    assert theme.DARK.crit in panel.summary.styleSheet()
