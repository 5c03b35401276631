"""The selected incident's heading and buttons in a laptop's dock (issue 13, the engineer
desk at 1366x768): the heading gets the height its text needs at its width (it was cut,
76 px of text in 64), its name follows the wall scale, and the buttons wrap onto a second
row instead of holding the dock (and the window) wider than its share."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QApplication

from tests.ui.panels.incidents.test_incidents_panel import dark, make_panel, outage  # noqa: F401 - fixtures
from tests.ui.wall.wall_check import cut_text
from warroom.ui import theme
from warroom.ui.panels.incidents.panel import IncidentsPanel
from warroom.ui.wall.wall_scale import apply_scale

__all__ = ["dark", "outage"]


def sized(panel: IncidentsPanel, width: int, height: int) -> IncidentsPanel:
    panel.resize(width, height)
    for _ in range(2):  # a new minimum height lays the column out again
        QApplication.processEvents()
    return panel


def buttons(panel: IncidentsPanel) -> list:
    return [panel.ack_button, panel.owner_button, panel.note_button, panel.action_button]


def name_pt(panel: IncidentsPanel) -> float:
    return float(re.search(r"font-size:([\d.]+)pt", panel.heading.text()).group(1))


def test_the_heading_gets_the_height_of_its_text_in_a_short_narrow_dock(qtbot, outage):  # noqa: F811
    panel = sized(make_panel(qtbot, outage.watch), 360, 430)
    heading = panel.heading
    need = heading.height_for(heading.width())
    assert need > 2 * heading.fontMetrics().height()  # wrapped onto three lines or more
    assert heading.height() >= need
    assert cut_text(panel, all_rows=False, desk=True) == []
    # Wider, it needs less, and holds no more than that (not the tallest height it ever had).
    sized(panel, 900, 430)
    assert heading.minimumHeight() == heading.height_for(heading.width()) < need


def test_a_longer_text_raises_the_heading_at_once(qtbot, outage):  # noqa: F811
    panel = sized(make_panel(qtbot, outage.watch), 360, 600)
    before = panel.heading.minimumHeight()
    panel.heading.setText(panel.heading.text() + " <b>and a long line of news about the outage</b>" * 3)
    assert panel.heading.minimumHeight() == panel.heading.height_for(panel.heading.width()) > before


def test_the_incident_name_follows_the_wall_scale(qtbot, outage):  # noqa: F811
    panel = make_panel(qtbot, outage.watch)
    assert name_pt(panel) == round(15 * theme.point_scale(), 1)
    try:
        apply_scale(panel, 2.0, force=True)
        assert name_pt(panel) == 30.0
        apply_scale(panel, 2.0, dpi=192.0, force=True)  # twice the DPI: points are half as many
        assert name_pt(panel) == 15.0
    finally:
        apply_scale(panel, 1.0, force=True)
    assert name_pt(panel) == 15.0


def test_the_buttons_wrap_in_a_narrow_dock_and_hold_it_no_wider_than_one(qtbot, outage):  # noqa: F811
    panel = make_panel(qtbot, outage.watch)
    widths = [b.sizeHint().width() for b in buttons(panel)]
    # In one row they held the dock as wide as all of them together.
    assert panel.minimumSizeHint().width() < sum(widths) + panel.all_events.sizeHint().width()
    sized(panel, 1000, 700)
    assert panel.action_row.rows() == 1
    sized(panel, max(panel.minimumSizeHint().width(), sum(widths) // 2), 700)
    assert panel.action_row.rows() >= 2
    rects = [b.geometry() for b in buttons(panel)]
    assert all(panel.action_row.rect().contains(r) for r in rects)  # every row inside the row's height
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    assert all(b.width() >= b.sizeHint().width() for b in buttons(panel))
    assert cut_text(panel, all_rows=False, desk=True) == []
