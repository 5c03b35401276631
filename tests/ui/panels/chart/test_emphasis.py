"""The wall's chart (``emphasis: worst``): healthy series are a thin grey band, the
unhealthy ones bold in their level's colour and named with their value at the end of their
line; the labels take a bounded share of the width; calm data is not blown up to a cliff.
A desk (``all``) keeps its colours and legend."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.panels.chart.test_chart import count_color, dark, feed, make_panel, view  # noqa: E402,F401
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.chart.axis import PERCENT, format_value  # noqa: E402
from warroom.ui.panels.chart.data import min_span_range, rank_unhealthy, stack_labels  # noqa: E402
from warroom.ui.panels.chart.end_labels import EndLabels  # noqa: E402
from warroom.ui.panels.chart.panel import PALETTES  # noqa: E402

SUCCESS = "scenario_success_ratio"
THRESHOLDS = [(0.99, "warn"), (0.97, "crit")]


@pytest.fixture
def wall_chart(make_panel, view):
    """The command centre's chart: eight scenarios, 1300x240, thresholds, emphasis on."""
    panel = make_panel(view, [SUCCESS])
    panel.set_thresholds(THRESHOLDS)
    panel.set_emphasis("worst")
    panel.resize(1300, 240)
    QApplication.processEvents()
    panel.refresh()
    return panel


def _saturation(color: QColor) -> float:
    return color.hsvSaturationF()


def test_only_the_unhealthy_series_are_coloured_and_labelled(wall_chart, view, feed):
    panel = wall_chart
    keys = list(panel.curve_items())
    values = {k: view.value(k) for k in keys}
    bad = [k for k in keys if values[k] < 0.97]
    good = [k for k in keys if values[k] >= 0.99]
    assert bad and good, "the outage leaves some scenarios failing and some healthy"
    assert sorted(panel.emphasised(), key=str) == sorted(bad, key=str)
    for key in good:  # a thin grey line: no colour, one pass
        curve = panel.curve_items()[key]
        assert _saturation(curve.opts["pen"].color()) < 0.2 and curve.boldness == 1
    for key in bad:  # bold, in the critical colour, above the healthy ones
        curve = panel.curve_items()[key]
        assert curve.opts["pen"].color().name() == theme.DARK.crit and curve.boldness == 3
        assert curve.zValue() > panel.curve_items()[good[0]].zValue()
    # Each failing scenario is named with its value at the end of its line, worst first.
    assert not panel.legend.isVisible() and panel.lane.isVisible()
    series = [e for e in panel.lane.entries() if e.kind == "series"]
    titles = feed["titles"]
    shown = {e.name: e.value for e in series}
    assert shown == {titles[k.labels["scenario"]]: format_value(values[k], PERCENT) for k in bad}
    assert all(e.color == theme.DARK.crit for e in series)
    ranked = sorted(series, key=lambda e: e.rank)
    assert [float(e.value.rstrip("%")) for e in ranked] == sorted(float(e.value.rstrip("%")) for e in ranked)
    summary = [e for e in panel.lane.entries() if e.kind == "summary"]
    assert [e.name for e in summary] == [f"{len(good)} healthy"]
    assert summary[0].value == "≥ " + format_value(min(values[k] for k in good), PERCENT)


def test_the_labels_sit_at_their_lines_within_a_bounded_share(wall_chart):
    panel = wall_chart
    lane = panel.lane
    assert lane.width() <= panel.width() * EndLabels.MAX_SHARE + 1
    assert panel.plot_widget.width() >= panel.width() * 0.65
    rects = []
    for value, name in lane.label_widgets():
        for label in (value, name):
            assert lane.rect().contains(label.geometry()), label.text()
            assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), label.text()
        assert name.text() == name.property("full_text")  # whole names on the wall
        rects.append(QRect(value.geometry().topLeft(), name.geometry().bottomRight()))
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    # A failing series' label is level with the end of its line (or as near as the others let it).
    series = [(e, w) for e, w in zip(lane.entries(), lane.label_widgets()) if e.kind == "series"]
    row = series[0][1][0].height()
    for entry, (value, _) in series:
        assert abs(value.geometry().center().y() - entry.y) <= row * len(series)


def test_the_wall_chart_paints_red_lines_and_no_palette(wall_chart):
    panel = wall_chart
    plot = panel.plot_widget
    assert count_color(plot, theme.DARK.crit, tolerance=40) > 300  # the bold failing lines (and the fault marker)
    for color in PALETTES["dark"][:3]:
        assert count_color(plot, color, tolerance=30) < 20  # no rainbow


def test_calm_data_is_not_magnified(make_panel, view, feed):
    # Before the outage every scenario is a little under 100 %: jitter of a few tenths.
    panel = make_panel(view, [SUCCESS], window_s=240)
    panel.set_emphasis("worst")
    view.set_cursor(feed["fault_ms"] - 1000)
    panel.refresh()
    assert panel.emphasised() == []
    _, (lo, hi) = panel.view_box.viewRange()
    assert hi - lo >= 0.05  # five points at least: 99.5 % and 99.8 % stay close together
    assert all(e.kind != "series" for e in panel.lane.entries())
    view.set_cursor(None)
    panel.refresh()
    _, (lo, hi) = panel.view_box.viewRange()
    assert lo < 0.66 and hi > 0.99  # the drop to 65 % fits, and reads as a drop


def test_a_desk_keeps_its_colours_and_legend(make_panel, view):
    panel = make_panel(view, [SUCCESS])
    panel.set_thresholds(THRESHOLDS)
    assert panel.emphasis() == "auto" and not panel.emphasising()
    assert panel.legend.isVisible() and not panel.lane.isVisible()
    colours = {c.opts["pen"].color().name() for c in panel.curve_items().values()}
    assert colours == set(PALETTES["dark"][:len(colours)]) and len(colours) == 8
    panel.set_wall_mode(True)  # "auto" on a wall: emphasis
    assert panel.emphasising() and panel.lane.isVisible() and not panel.legend.isVisible()
    panel.set_wall_mode(False)
    assert {c.opts["pen"].color().name() for c in panel.curve_items().values()} == colours
    panel.set_emphasis("all")
    panel.set_wall_mode(True)  # "all" stays a desk chart even on a wall
    assert not panel.emphasising()


def test_emphasis_is_saved_with_the_layout(make_panel, view):
    panel = make_panel(view, [SUCCESS])
    assert "emphasis" not in panel.save_state()  # auto: the default, not written
    panel.restore_state({"emphasis": "worst"})
    assert panel.save_state()["emphasis"] == "worst" and panel.emphasising()
    panel.restore_state({"emphasis": "loud"})  # unknown: ignored
    panel.restore_state({"emphasis": 3})
    assert panel.emphasis() == "worst"


def test_a_short_lane_drops_thresholds_first_and_counts_the_rest(make_panel, view):
    panel = make_panel(view, [SUCCESS])
    panel.set_thresholds(THRESHOLDS)
    panel.set_emphasis("worst")
    panel.resize(1300, 130)  # room for a few rows only
    QApplication.processEvents()
    panel.refresh()
    entries = panel.lane.entries()
    assert not any(e.kind == "threshold" for e in entries)
    shown = [e for e in entries if e.kind == "series"]
    more = [e for e in entries if e.kind == "more"]
    failing = len(panel.emphasised())
    assert shown and len(shown) < failing
    assert [e.name for e in more] == [f"+{failing - len(shown)} more"]


# -- the plain parts ---------------------------------------------------------------------
def test_rank_unhealthy_worst_first():
    entries = [("a", "ok", 0.999), ("b", "warn", 0.985), ("c", "crit", 0.6), ("d", "crit", 0.9), ("e", "unknown", None)]
    assert rank_unhealthy(entries, lower_is_worse=True) == ["c", "d", "b"]
    errors = [("a", "crit", 0.2), ("b", "crit", 0.5), ("c", "warn", 0.02)]
    assert rank_unhealthy(errors, lower_is_worse=False) == ["b", "a", "c"]


def test_min_span_range():
    assert min_span_range((0.995, 0.999), 0.05, lower_is_worse=True, ceiling=1.0) == pytest.approx((0.949, 0.999))
    assert min_span_range((0.6, 0.999), 0.05, lower_is_worse=True) == (0.6, 0.999)  # wide already
    assert min_span_range((0.001, 0.004), 0.05, lower_is_worse=False) == pytest.approx((0.001, 0.051))


def test_stack_labels_keeps_order_and_bounds():
    tops = stack_labels([50, 52, 51, 200, 10], [20] * 5, top=0, bottom=150)
    spans = sorted((t, t + 20) for t in tops)
    assert all(a[1] <= b[0] + 1e-9 for a, b in zip(spans, spans[1:]))  # no overlap
    assert all(0 <= t and t + 20 <= 150 for t in tops)  # within the lane
    order = np.argsort([50, 52, 51, 200, 10], kind="stable")
    assert list(np.argsort(tops, kind="stable")) == list(order)  # nobody jumps over a neighbour
    assert stack_labels([75], [20], 0, 150) == [65]  # alone: centred on its wish
