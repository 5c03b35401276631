"""The event feed: what each row shows, newest on top, bounded, filter and time zone kept
in state, replay moving the cursor back, late events slotting in."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed  # noqa: E402
from warroom.core.model import Event, EventKind, Severity  # noqa: E402
from warroom.protocol import Events  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.events.panel import (COL_KIND, COL_SUBJECT, COL_TIME, COL_TITLE, EventFeedPanel,  # noqa: E402
                                      format_offset, format_time)


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


@pytest.fixture
def feed() -> SimFeed:
    return SimFeed(60)


def make_panel(qtbot, view: LiveView) -> EventFeedPanel:
    panel = EventFeedPanel(view)
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def cell(panel: EventFeedPanel, row: int, col: int, role=Qt.ItemDataRole.DisplayRole):
    return panel.model.index(row, col).data(role)


def note(i: int, ts: int, kind=EventKind.NOTE, severity=Severity.INFO, subject="war-room") -> Event:
    return Event(f"test-{i}", ts, kind, subject, f"note {i}", severity)


def test_the_fault_event_shows_its_subject_time_and_severity(qtbot, feed):
    panel = make_panel(qtbot, feed.view)
    assert panel.model.rowCount() == 0
    feed.bank_outage(5)
    panel.refresh()
    faults = [r for r in range(panel.model.rowCount()) if cell(panel, r, COL_KIND).startswith("FAULT")]
    assert len(faults) == 1
    row = faults[0]
    assert cell(panel, row, COL_SUBJECT) == "ICBC gateway"  # the feed's name; the id is in the tooltip
    assert cell(panel, row, COL_KIND) == "FAULT P0"
    assert cell(panel, row, COL_TITLE) == "Fault injected: dependency_outage on bank-icbc"
    assert cell(panel, row, COL_TIME) == "10:31:00"  # a minute after 10:30:00 UTC+8
    assert cell(panel, row, COL_KIND, Qt.ItemDataRole.ForegroundRole) == theme.DARK.color("crit")


def test_newest_on_top_and_routine_changes_in_the_accent_colour(qtbot, feed):
    panel = make_panel(qtbot, feed.view)
    feed.sim.inject_fault("deploy_error_burst", "payment-engine")
    feed.tick(3)
    panel.refresh()
    later = feed.view.newest_ms
    feed.view.apply(Events((note(1, later),)))
    panel.refresh()
    assert cell(panel, 0, COL_KIND) == "NOTE"
    assert cell(panel, 0, COL_KIND, Qt.ItemDataRole.ForegroundRole) == theme.DARK.color("text_dim")
    kinds = [cell(panel, r, COL_KIND) for r in range(panel.model.rowCount())]
    assert "DEPLOY" in kinds
    deploy = kinds.index("DEPLOY")
    assert cell(panel, deploy, COL_KIND, Qt.ItemDataRole.ForegroundRole) == theme.DARK.color("accent")
    times = [e.ts for e in panel.model.rows]
    assert times == sorted(times, reverse=True)


def test_the_feed_is_bounded_and_keeps_the_newest(qtbot, feed):
    panel = make_panel(qtbot, feed.view)
    start = feed.view.newest_ms - 599_000
    feed.view.apply(Events(tuple(note(i, start + i * 1000) for i in range(600))))
    panel.refresh()
    assert panel.model.rowCount() == 500
    assert panel.model.rows[0].id == "test-599"
    assert panel.model.rows[-1].id == "test-100"
    feed.view.apply(Events((note(600, feed.view.newest_ms),)))
    panel.refresh()
    assert panel.model.rowCount() == 500
    assert panel.model.rows[0].id == "test-600"


def shown_kinds(panel) -> set:
    """The kinds of the rows shown, but the fault's log lines (protocol 1.5), which come with it."""
    return {e.kind for e in panel.model.rows} - {EventKind.LOG}


def test_the_kind_filter_hides_rows_and_is_saved(qtbot, feed):
    feed.bank_outage(3)
    feed.view.apply(Events((note(1, feed.view.newest_ms),)))
    panel = make_panel(qtbot, feed.view)
    assert shown_kinds(panel) == {EventKind.FAULT, EventKind.NOTE}
    panel.filter_button(EventKind.FAULT).click()  # uncheck: hide faults
    assert shown_kinds(panel) == {EventKind.NOTE}
    state = panel.save_state()
    assert state["hidden_kinds"] == ["fault", "log"]  # log excerpts are hidden until asked for

    other = make_panel(qtbot, feed.view)
    other.restore_state({"hidden_kinds": ["fault", "no-such-kind", 3], "utc_offset_minutes": 0})
    assert other.hidden_kinds == {EventKind.FAULT}
    assert not other.filter_button(EventKind.FAULT).isChecked()
    assert other.filter_button(EventKind.NOTE).isChecked()
    assert shown_kinds(other) == {EventKind.NOTE}
    # Faults that arrive while hidden stay hidden; showing the kind again brings them all back.
    feed.sim.inject_fault("dependency_outage", "bank-ccb")
    feed.tick(2)
    other.refresh()
    assert shown_kinds(other) == {EventKind.NOTE}
    other.filter_button(EventKind.FAULT).click()
    assert sorted(e.subject for e in other.model.rows if e.kind is EventKind.FAULT) == ["bank-ccb", "bank-icbc"]


def test_the_time_zone_is_a_setting(qtbot, feed):
    feed.bank_outage(2)
    panel = make_panel(qtbot, feed.view)
    assert panel.model.headerData(COL_TIME, Qt.Orientation.Horizontal) == "Time (UTC+8)"
    assert cell(panel, 0, COL_TIME) == "10:31:00"
    panel.restore_state({"utc_offset_minutes": 0})
    assert cell(panel, 0, COL_TIME) == "02:31:00"
    assert panel.model.headerData(COL_TIME, Qt.Orientation.Horizontal) == "Time (UTC)"
    assert panel.save_state()["utc_offset_minutes"] == 0
    panel.restore_state({"utc_offset_minutes": 10_000})  # out of range: ignored
    assert panel.utc_offset_minutes == 0
    assert format_offset(-210) == "UTC-3:30"
    assert format_time(BUSY_HOUR_MS, 480) == "10:30:00"


def test_moving_the_cursor_back_hides_later_events(qtbot, feed):
    feed.bank_outage(10)
    panel = make_panel(qtbot, feed.view)
    fault_ts = next(e.ts for e in panel.model.rows if e.kind is EventKind.FAULT)
    feed.view.set_cursor(fault_ts - 1000)  # replay: a second before the fault
    panel.refresh()
    assert all(e.ts <= fault_ts - 1000 for e in panel.model.rows)
    assert not any(e.kind is EventKind.FAULT for e in panel.model.rows)
    feed.view.set_cursor(None)  # back to live
    panel.refresh()
    assert any(e.kind is EventKind.FAULT for e in panel.model.rows)


def test_a_late_event_slots_in_by_its_time(qtbot, feed):
    panel = make_panel(qtbot, feed.view)
    now = feed.view.newest_ms
    feed.view.apply(Events((note(1, now - 10_000), note(2, now))))
    panel.refresh()
    feed.view.apply(Events((note(3, now - 5_000, EventKind.ALERT, Severity.P2, "trade"),)))
    panel.refresh()
    assert [e.id for e in panel.model.rows] == ["test-2", "test-3", "test-1"]
    assert cell(panel, 1, COL_KIND) == "ALERT P2"
    assert cell(panel, 1, COL_KIND, Qt.ItemDataRole.ForegroundRole) == theme.DARK.color("warn")
    # An event delivered twice is shown once.
    feed.view.apply(Events((note(2, now),)))
    panel.refresh()
    assert [e.id for e in panel.model.rows] == ["test-2", "test-3", "test-1"]
    panel.set_hidden_kinds(set())  # a rebuild from the whole view, duplicates included
    assert [e.id for e in panel.model.rows] == ["test-2", "test-3", "test-1"]


def test_a_backlog_of_old_events_delivered_late_is_shown(qtbot, feed):
    panel = make_panel(qtbot, feed.view)
    feed.view.apply(Events((note(1, feed.view.newest_ms),)))
    panel.refresh()
    hour_ago = feed.view.newest_ms - 3_600_000  # e.g. replayed by the server on reconnect
    feed.view.apply(Events((note(2, hour_ago), note(3, hour_ago + 1000))))
    panel.refresh()
    assert [e.id for e in panel.model.rows] == ["test-1", "test-3", "test-2"]


def test_screenshot_of_the_feed(qtbot, feed):
    feed.view.apply(Events((Event("c-1", feed.view.newest_ms, EventKind.FEED, "ws://feed:8765", "Connected"),)))
    feed.sim.inject_fault("deploy_error_burst", "payment-engine")
    feed.tick(10)
    feed.bank_outage(10)
    feed.sim.execute_plan("failover-bank-icbc", actor="duty", reason="icbc down")
    feed.tick(5)
    panel = make_panel(qtbot, feed.view)
    assert panel.model.rowCount() >= 5
    assert panel.grab().save("/tmp/events.png")


def test_a_narrow_feed_shows_each_event_as_a_two_line_card(qtbot, feed):
    """A wall's side dock (~380 px) cannot hold four columns: each event becomes a card
    (time, kind, subject; then the title) instead of columns cut at the edge; the filter
    toggles wrap onto rows, none hidden behind a sideways scroll."""
    feed.bank_outage(5)
    panel = make_panel(qtbot, feed.view)
    panel.refresh()
    assert not panel.compact and not panel.table.isColumnHidden(COL_TITLE)
    panel.resize(380, 600)
    QApplication.processEvents()
    assert panel.compact
    assert [panel.table.isColumnHidden(c) for c in (COL_TIME, COL_KIND, COL_SUBJECT, COL_TITLE)] == [
        False, True, True, True]
    assert panel.table.columnWidth(COL_TIME) >= panel.table.viewport().width() - 2  # the card takes the row
    assert panel.table.rowHeight(0) >= 2 * panel.table.fontMetrics().height()
    for button in (panel.filter_button(k) for k in EventKind):
        assert panel.rect().contains(button.geometry().translated(button.parentWidget().pos())), button.text()
        assert button.width() >= button.fontMetrics().horizontalAdvance(button.text())
    image = panel.grab().toImage()
    assert not image.isNull()
    panel.resize(900, 600)
    QApplication.processEvents()
    assert not panel.compact and not panel.table.isColumnHidden(COL_SUBJECT)


# -- state changes, folding and bookkeeping (issue 14, item 6) -----------------------------
def alert(i: int, ts: int, state: str, fp: str = "fp-tps", severity=Severity.P1, subject="trade",
          title="Trade TPS far below usual", **attrs) -> Event:
    return Event(f"alert-{fp}-{ts}-{state}-{i}", ts, EventKind.ALERT, subject, title, severity,
                 {"fingerprint": fp, "rule": "tps-drop", "state": state, **attrs})


def incident(n: int, ts: int, action: str, state: str, root="bank-icbc", severity=Severity.P1, **attrs) -> Event:
    return Event(f"incident:inc-1:{n}", ts, EventKind.INCIDENT, root, "ICBC gateway down", severity,
                 {"incident": "inc-1", "action": action, "state": state, "root_cause": root, **attrs})


def kinds(panel: EventFeedPanel) -> list[str]:
    return [cell(panel, r, COL_KIND) for r in range(panel.model.rowCount())]


def test_alert_rows_read_as_state_changes_coloured_by_what_they_mean(qtbot, feed):
    """Before: every alert row read a red "ALERT P1" whatever its state."""
    now = feed.view.newest_ms
    feed.view.apply(Events((
        alert(1, now - 50_000, "firing", fp="a"),
        alert(2, now - 40_000, "acknowledged", fp="b", actor="duty"),
        alert(3, now - 30_000, "mitigated", fp="c"),
        alert(4, now - 20_000, "resolved", fp="d"),
        alert(5, now - 10_000, "firing", fp="e", severity=Severity.P3),
    )))
    panel = make_panel(qtbot, feed.view)
    assert kinds(panel) == ["FIRING P3", "RESOLVED P1", "MITIGATED P1", "ACKED P1", "FIRING P1"]
    colour = [cell(panel, r, COL_KIND, Qt.ItemDataRole.ForegroundRole) for r in range(5)]
    d = theme.DARK
    assert colour == [d.color("warn"), d.color("ok"), d.color("warn"), d.color("crit"), d.color("crit")]


def test_pending_alerts_are_hidden_until_asked_for_and_the_choice_is_saved(qtbot, feed):
    now = feed.view.newest_ms
    feed.view.apply(Events((alert(1, now - 20_000, "pending", fp="p"),
                            alert(2, now - 10_000, "resolved", fp="q", fired=False),
                            alert(3, now, "firing", fp="r"))))
    panel = make_panel(qtbot, feed.view)
    assert kinds(panel) == ["FIRING P1"]
    assert not panel.pending_button.isChecked()
    panel.pending_button.click()
    assert kinds(panel) == ["FIRING P1", "CLEARED P1", "PENDING P1"]
    assert panel.save_state()["show_pending"] is True
    other = make_panel(qtbot, feed.view)
    other.restore_state({"show_pending": True})
    assert other.show_pending and other.pending_button.isChecked() and other.model.rowCount() == 3
    other.restore_state({"show_pending": "yes"})  # not a bool: ignored
    assert other.show_pending


def test_a_flapping_alert_is_one_row_with_its_latest_state_and_a_count(qtbot, feed):
    now = feed.view.newest_ms
    base = now - 30 * 60_000
    flaps = []
    for k in range(4):  # fires and resolves four times, ten seconds apart
        flaps += [alert(2 * k, base + k * 20_000, "firing", severity=Severity.P2),
                  alert(2 * k + 1, base + 10_000 + k * 20_000, "resolved", severity=Severity.P2)]
    other = alert(99, base + 65_000, "firing", fp="other", title="Cashier errors 12 %")
    amend = alert(100, base + 90_000, "firing", fp="other", amends="root_cause", root_cause="bank-icbc")
    panel = make_panel(qtbot, feed.view)
    feed.view.apply(Events(tuple(flaps[:3])))
    panel.refresh()
    assert kinds(panel) == ["FIRING P2 ×2"]
    feed.view.apply(Events((*flaps[3:], other, amend)))
    panel.refresh()
    assert kinds(panel) == ["RESOLVED P2 ×4", "FIRING P1"]  # the amend added no row
    assert panel.model.rows[0].id == flaps[-1].id
    assert "fired 4 times since" in cell(panel, 0, COL_TITLE, Qt.ItemDataRole.ToolTipRole)
    # The same alert firing again long after is a new row, not folded into the old one.
    feed.view.apply(Events((alert(50, now, "firing", severity=Severity.P2),)))
    panel.refresh()
    assert kinds(panel) == ["FIRING P2", "RESOLVED P2 ×4", "FIRING P1"]


def test_incident_events_say_what_happened_to_the_incident(qtbot, feed):
    now = feed.view.newest_ms
    feed.view.apply(Events((
        incident(1, now - 60_000, "opened", "open"),
        incident(2, now - 55_000, "alert_joined", "open", alert="fp-x"),
        incident(3, now - 50_000, "root_cause_changed", "open", root="mysql-trade", previous_root_cause="bank-icbc",
                 reason="3 of 4 root alerts now name mysql-trade"),
        incident(4, now - 40_000, "mitigated", "mitigated", root="mysql-trade"),
        incident(5, now - 10_000, "resolved", "resolved", root="mysql-trade"),
    )))
    panel = make_panel(qtbot, feed.view)
    assert kinds(panel) == ["RESOLVED P1", "MITIGATED P1", "ROOT CAUSE P1", "OPENED P1"]  # joined: bookkeeping
    titles = [cell(panel, r, COL_TITLE) for r in range(4)]
    assert titles[0] == "Incident resolved: ICBC gateway down"
    assert titles[1].startswith("Incident mitigated") and titles[1].endswith("ICBC gateway down")
    assert titles[2] == "Root cause now mysql-trade (was ICBC gateway): 3 of 4 root alerts now name mysql-trade"
    assert titles[3] == "Incident opened: ICBC gateway down"
    d = theme.DARK
    assert [cell(panel, r, COL_KIND, Qt.ItemDataRole.ForegroundRole) for r in (0, 1, 3)] == [
        d.color("ok"), d.color("warn"), d.color("crit")]


def test_the_wall_card_shows_the_state_change_in_its_colour(qtbot, feed):
    """The wall's narrow dock draws cards: the state word and its amber must be there too."""
    now = feed.view.newest_ms
    feed.view.apply(Events((incident(1, now - 10_000, "mitigated", "mitigated"),)))
    panel = make_panel(qtbot, feed.view)
    panel.set_wall_mode(True)
    panel.resize(380, 300)
    QApplication.processEvents()
    assert panel.compact and not panel.filters_bar.isVisible()
    assert cell(panel, 0, COL_KIND) == "MITIGATED P1"
    image = panel.table.viewport().grab().toImage()
    warn = theme.DARK.color("warn")
    amber = sum(1 for x in range(0, image.width(), 2) for y in range(0, min(image.height(), 80), 2)
                if image.pixelColor(x, y).name() == warn.name())
    assert amber > 20


def test_a_short_dock_gives_its_height_to_the_events_not_the_filter_toggles(qtbot, feed):
    panel = make_panel(qtbot, feed.view)
    panel.filter_button(EventKind.FAULT).click()  # a filter in force stays in force, shown or not
    panel.resize(420, 900)
    QApplication.processEvents()
    assert panel.filters_bar.isVisible()
    panel.resize(420, panel.filters_bar.sizeHint().height() + 2 * panel._row_height)
    QApplication.processEvents()
    assert not panel.filters_bar.isVisible() and not panel.filter_button(EventKind.FAULT).isChecked()
    panel.resize(420, 900)
    QApplication.processEvents()
    assert panel.filters_bar.isVisible()
