"""The map's floating controls on a narrow map (issue 13, the commander desk at 1366x768):
they wrap onto further rows instead of being squeezed until "Unhealthy only" lost its last
word, the map is never narrower than they are, and Fit keeps the map below their real
height, however many rows they take."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.board_support import SimFeed  # noqa: E402
from tests.ui.panels.map.test_map_wall import MAP_1080, box, make_panel  # noqa: E402
from tests.ui.wall.wall_check import cut_text  # noqa: E402
from warroom.ui.panels.map.panel import TopologyMapPanel  # noqa: E402


@pytest.fixture
def outage(qtbot) -> TopologyMapPanel:
    feed = SimFeed(60)
    feed.bank_outage(20)
    return make_panel(qtbot, feed.view, MAP_1080)


def controls(p: TopologyMapPanel) -> list:
    return [w for w in (p.highlight_label, p.scenario_combo, p.find_box, p.unhealthy_box, p.collapse_button,
                        p.fit_button) if w.isVisible()]


def on_toolbar(p: TopologyMapPanel, w) -> QRect:
    return QRect(w.mapTo(p.toolbar, w.rect().topLeft()), w.size())


def one_row(p: TopologyMapPanel) -> int:
    return p.toolbar.sizeHint().height()


def set_width(p: TopologyMapPanel, width: int) -> None:
    p.resize(width, p.height())
    QApplication.processEvents()


def test_wide_enough_the_controls_take_one_row(outage):
    p = outage
    assert p.view.width() >= p.toolbar.sizeHint().width()
    assert p.toolbar.height() == one_row(p) and p.toolbar.width() == p.view.width()


@pytest.mark.parametrize("share", [0.75, 0.5])
def test_a_narrow_map_wraps_its_controls_and_cuts_none(outage, share):
    p = outage
    set_width(p, max(p.minimumSizeHint().width(), int(p.toolbar.sizeHint().width() * share)))
    bar = p.toolbar
    assert bar.width() == p.view.width() and bar.height() > one_row(p)  # more than one row
    rects = {w.objectName() or type(w).__name__: on_toolbar(p, w) for w in controls(p)}
    for name, rect in rects.items():
        assert bar.rect().contains(rect), (name, rect, bar.rect())  # nothing hangs out of the band
    for w in controls(p):
        assert w.width() >= w.sizeHint().width(), w.objectName()  # none squeezed below its size
    names = list(rects)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not rects[a].intersects(rects[b]), (a, b)  # wrapped, not stacked on each other
    assert cut_text(bar, all_rows=False) == []


def test_the_map_is_never_narrower_than_its_controls(outage):
    p = outage
    narrowest = p.toolbar.minimumSizeHint().width()
    assert p.minimumSizeHint().width() >= narrowest
    set_width(p, narrowest)
    assert cut_text(p.toolbar, all_rows=False) == []
    assert all(p.toolbar.rect().contains(on_toolbar(p, w)) for w in controls(p))
    p.set_wall_mode(True)  # a wall shows no controls: they hold nothing
    assert p.minimumSizeHint().width() < narrowest
    p.set_wall_mode(False)


def test_fit_keeps_the_map_below_the_controls_however_many_rows(outage):
    p = outage
    set_width(p, p.minimumSizeHint().width())
    p.fit()
    band = p.toolbar.height()
    assert band >= 2 * one_row(p) - 1  # two rows or more at the narrowest
    below = p.view.viewport().rect().adjusted(0, band, 0, 0)
    seen = p.view.mapToScene(below).boundingRect()
    assert p.nodes and all(seen.contains(box(n)) for n in p.nodes.values())


def test_a_control_that_appears_wraps_the_row_and_refits(outage):
    # "Close groups" shows while a group is open: the row that just fitted wraps, and the
    # fitted map moves below the new band without a resize.
    p = outage
    p.collapse_button.hide()
    p.resize(p.toolbar.sizeHint().width() + 4, 240)  # wide and short: the height sets the zoom
    QApplication.processEvents()
    p.fit()
    assert p.toolbar.height() == one_row(p)
    p.collapse_button.show()
    QApplication.processEvents()
    band = p.toolbar.height()
    assert band > one_row(p) and p.toolbar.width() == p.view.width()
    assert cut_text(p.toolbar, all_rows=False) == []
    seen = p.view.mapToScene(p.view.viewport().rect().adjusted(0, band, 0, 0)).boundingRect()
    assert all(seen.contains(box(n)) for n in p.nodes.values())  # fitted again below the new band


def test_the_caption_is_left_out_where_that_keeps_the_controls_in_one_row(outage):
    p = outage
    full = p.toolbar.sizeHint().width()
    caption = p.highlight_label.sizeHint().width() + p.highlight_group.layout().spacing()
    set_width(p, full - caption // 2)  # one row only without "Highlight:"
    assert p.highlight_label.isHidden() and p.toolbar.height() == one_row(p)
    assert "Highlight" in p.scenario_combo.toolTip()
    assert cut_text(p.toolbar, all_rows=False) == []
    set_width(p, full + 10)  # room for it
    assert not p.highlight_label.isHidden() and p.toolbar.height() == one_row(p)
    set_width(p, full - 2 * caption)  # two rows anyway: the caption goes with its combo
    assert not p.highlight_label.isHidden() and p.toolbar.height() > one_row(p)
