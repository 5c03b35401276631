"""Issue 14, items 2 and 10 on the KPI tiles: a mitigated incident is amber, never red and never
"resolved"; "Active incidents" tells open from mitigated; the MTTR tile shows MTTR to mitigation
against the 1-minute goal line, and MTTR to resolution beside it."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed  # noqa: E402
from warroom.core.incident.incidents import Incident  # noqa: E402
from warroom.core.model import Event, EventKind, Severity  # noqa: E402
from warroom.protocol import Events  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.kpi.panel import KpiThresholds, KpiTilesPanel  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


class FakeWatch:
    """What the tiles read of the alert watch: a version and the incidents."""

    def __init__(self, incidents=()):
        self.version = 1
        self._incidents = list(incidents)

    def incidents(self):
        return list(self._incidents)


def inc(iid: str, state: str, root: str, severity=Severity.P1, mitigated_ms=None) -> Incident:
    return Incident(iid, f"{root} down", severity, root, state, "", BUSY_HOUR_MS, BUSY_HOUR_MS, None, None,
                    None, None, "", ("fp",), (), mitigated_ms=mitigated_ms)


def make_panel(qtbot, view, size=(1600, 400)) -> KpiTilesPanel:
    panel = KpiTilesPanel(view)
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_a_mitigated_incident_is_amber_and_open_ones_are_told_apart(qtbot):
    """Before: any live P1 incident made the tile red, mitigated or not."""
    feed = SimFeed(5)
    feed.view.alerting = FakeWatch([inc("INC-1", "mitigated", "bank-icbc", mitigated_ms=BUSY_HOUR_MS + 60_000)])
    panel = make_panel(qtbot, feed.view)
    tile = panel.tile("incidents")
    assert tile.value_text == "1" and tile.level == "warn"  # amber: users recovered, the root still alerts
    assert tile.note_parts[0] == ("1 mitigated", "warn") and "ICBC gateway" in tile.note
    assert tile.value_color() == theme.DARK.color("warn")

    feed.view.alerting = FakeWatch([inc("INC-1", "mitigated", "bank-icbc"), inc("INC-2", "open", "bank-ccb"),
                                    inc("INC-3", "resolved", "cashier")])
    panel._incident_key = None
    panel.refresh()
    assert tile.value_text == "2" and tile.level == "crit"  # red: one is open and unmitigated
    assert ("1 open", "crit") in tile.note_parts and ("1 mitigated", "warn") in tile.note_parts
    assert tile.note.endswith("root CCB gateway")  # the open one's root, not the mitigated one's


def incident_event(n: int, ts: int, action: str, state: str, **times) -> Event:
    return Event(f"incident:INC-1:{n}", ts, EventKind.INCIDENT, "bank-icbc", "ICBC gateway down", Severity.P1,
                 {"incident": "INC-1", "action": action, "state": state, "root_cause": "bank-icbc", **times})


def test_mttr_shows_time_to_mitigation_against_the_goal_and_time_to_resolution(qtbot):
    """Before: only MTTR to resolution, no goal on the tile."""
    feed = SimFeed(5)
    now = feed.view.newest_ms
    started = now - 600_000
    times = {"started_ms": started, "detected_ms": started + 10_000}
    feed.view.apply(Events((
        incident_event(1, started + 10_000, "opened", "open", **times),
        incident_event(2, started + 40_000, "mitigated", "mitigated", mitigated_ms=started + 40_000, **times),
        incident_event(3, started + 300_000, "resolved", "resolved", mitigated_ms=started + 40_000,
                       resolved_ms=started + 270_000, verified_ms=started + 300_000, **times),
    )))
    feed.view.alerting = FakeWatch()
    panel = make_panel(qtbot, feed.view)
    tile = panel.tile("mttr")
    assert tile.value_text == "0.7"  # 40 s to mitigation, in minutes: under the goal
    assert tile.level == "ok"
    assert "4.5 min" in tile.note  # 270 s to resolution
    assert tile.goal == 1.0 and tile.goal_label == "goal 1 min"
    assert KpiThresholds().mttr_level(1.5) == "warn"  # past the goal is no longer "OK"
    # The goal line is drawn: a dashed line in the text colour across the sparkline band.
    image = tile.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    text = theme.DARK.color("text").name()
    band = range(int(image.height() * 0.7), image.height())
    rows = [sum(image.pixelColor(x, y).name() == text for x in range(image.width())) for y in band]
    assert max(rows) > image.width() * 0.3


def test_before_any_incident_the_mttr_tile_states_its_goal_in_words(qtbot):
    feed = SimFeed(5)
    feed.view.alerting = FakeWatch()
    panel = make_panel(qtbot, feed.view)
    tile = panel.tile("mttr")
    assert tile.value_text == "—" and tile.goal is None  # no line drawn against nothing
    assert tile.note == "no resolved incidents · goal 1 min"
