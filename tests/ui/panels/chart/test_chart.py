"""The live chart panel: what it plots is what the view holds, gaps stay gaps, markers and
thresholds are drawn, the selection survives save/restore, replay moves the chart."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea

from warroom.core.model import Event, EventKind, SeriesKey, Severity
from warroom.protocol import Events, MetricBatch, TopologySnapshot
from warroom.sim.engine import Simulator
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.chart.panel import PALETTES, ChartPanel
from warroom.ui.panels.chart.axis import PERCENT, TimeAxis, ValueAxis, format_value, unit_for
from warroom.ui.panels.chart.data import (
    Selector, break_gaps, clean_thresholds, decimate, resolve, short_names, sticky_range, threshold_level,
)
from warroom.ui.panels.live_label import LiveLabel  # noqa: E402

START_MS = 1763605800000  # 2025-11-20 10:30:00 UTC+8, the busy hour
BEIJING = 8 * 3600
QR = SeriesKey("scenario_success_ratio", {"scenario": "qr_pay"})
LAYOUTS = Path(__file__).resolve().parents[4] / "layouts"


@pytest.fixture(scope="module")
def feed() -> dict:
    """A simulated platform: 300 s of busy hour, then bank-icbc down for 120 s (recorded once)."""
    sim = Simulator(seed=7, start_ms=START_MS)
    batches, events = [], []
    for second in range(420):
        if second == 300:
            sim.inject_fault("dependency_outage", "bank-icbc")
        batch, new = sim.tick()
        batches.append(batch)
        events += new
    # One batch of all seconds: the view files points per series in time order, so the
    # result is the same as 420 deliveries, and each test's view is built in milliseconds.
    merged = MetricBatch(sim.series, np.concatenate([b.index for b in batches]),
                         np.concatenate([b.ts for b in batches]), np.concatenate([b.values for b in batches]))
    frames = [TopologySnapshot(START_MS, sim.topology), sim.catalogue(), merged, Events(tuple(events))]
    return {"frames": frames, "scenarios": [s.id for s in sim.topology.scenarios],
            "titles": {s.id: s.title for s in sim.topology.scenarios}, "fault_ms": START_MS + 300_000}


@pytest.fixture
def view(feed) -> LiveView:
    v = LiveView()
    for item in feed["frames"]:
        v.apply(item)
    return v


@pytest.fixture
def dark(qapp):
    theme.apply(theme.DARK, 11)
    return theme.DARK


@pytest.fixture
def make_panel(qtbot, dark):
    """A factory of shown chart panels that holds them until the test is torn down.

    qtbot keeps only weak references, and a panel is a reference cycle: without a strong
    reference the garbage collector may free it in the middle of its own paint event
    (seen as "QPaintDevice: Cannot destroy paint device that is being painted", then a
    segfault). Closed first, a panel is never painted again and may go at any time.
    """
    panels: list[ChartPanel] = []

    def make(view: LiveView, series: list[str], window_s: float = 900, **kwargs) -> ChartPanel:
        panel = ChartPanel(view, utc_offset_s=BEIJING, **kwargs)
        qtbot.addWidget(panel)
        panels.append(panel)
        panel.resize(1200, 450)
        panel.show()
        qtbot.waitExposed(panel)
        panel.set_window(window_s)
        panel.set_series(series)
        return panel

    yield make
    for panel in panels:
        panel.close()


def curve_data(panel: ChartPanel, key: SeriesKey) -> tuple[np.ndarray, np.ndarray]:
    x, y = panel.curve_items()[key].getData()
    return np.asarray(x), np.asarray(y)


def pen_color(item) -> str:
    return item.pen.color().name() if hasattr(item, "pen") else item.opts["pen"].color().name()


def label_rect(panel: ChartPanel, line) -> QRectF:
    """Where a marker's label is drawn, in the plot widget's pixels (labels ignore the view's scale)."""
    panel.plot_widget.grab()  # a TextItem fixes its transform when painted
    text = line.label.textItem  # TextItem draws through a child QGraphicsTextItem
    return panel.plot_widget.mapFromScene(text.mapRectToScene(text.boundingRect())).boundingRect().toRectF()


def count_color(widget, color: str, tolerance: int = 40) -> int:
    """How many pixels of a grab of ``widget`` are within ``tolerance`` (sum of |ΔRGB|) of ``color``."""
    QApplication.processEvents()  # let layouts settle (axis widths follow their labels), as the app would
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    bgra = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    want = QColor(color)
    rgb = bgra[:, : image.width(), 2::-1].astype(int)
    return int((np.abs(rgb - [want.red(), want.green(), want.blue()]).sum(axis=2) <= tolerance).sum())


# -- what is plotted ---------------------------------------------------------------------
def test_curve_holds_exactly_the_views_window(make_panel, view):
    panel = make_panel(view, [QR.text], window_s=120)
    ts, values = view.window(QR, 120_000)
    x, y = curve_data(panel, QR)
    assert len(ts) == 121  # one point a second, both ends included
    np.testing.assert_array_equal(x, ts / 1000.0)
    np.testing.assert_array_equal(y, values)
    (x0, x1), _ = panel.view_box.viewRange()
    assert (x0, x1) == pytest.approx(((view.cursor_ms - 120_000) / 1000, view.cursor_ms / 1000))


def test_outage_shows_in_curve_legend_and_axis(make_panel, view, feed):
    panel = make_panel(view, [QR.text])
    panel.set_thresholds([(0.999, "warn"), (0.99, "crit")])
    x, y = curve_data(panel, QR)
    before, after = y[x < feed["fault_ms"] / 1000], y[x > feed["fault_ms"] / 1000 + 10]
    assert before.min() > 0.98 and after.max() < 0.8  # the drop is in the plotted data
    [(color, name, value)] = panel.legend.rows()
    assert name == "QR-code payment"
    assert color == PALETTES["dark"][0]
    assert value == format_value(view.value(QR), PERCENT) and value.endswith("%")
    value_label = panel.legend.findChild(LiveLabel, "chart_legend_value")
    assert value_label.property("level") == "crit"
    _, (lo, hi) = panel.view_box.viewRange()
    assert lo < after.min() and hi > 0.999  # data and thresholds are in view
    ticks = [v for _, vals in panel.value_axis.tickValues(lo, hi, 400) for v in vals]
    assert all(s.endswith("%") for s in panel.value_axis.tickStrings(ticks, 1.0, 0.05))


def test_wildcard_selector_picks_every_scenario(make_panel, view, feed):
    panel = make_panel(view, ["scenario_tps"])
    keys = list(panel.curve_items())
    assert sorted(k.labels["scenario"] for k in keys) == sorted(feed["scenarios"])
    assert {k.name for k in keys} == {"scenario_tps"}
    names = [name for _, name, _ in panel.legend.rows()]
    assert sorted(names) == sorted(feed["titles"].values())
    colors = [pen_color(c) for c in panel.curve_items().values()]
    assert len(set(colors)) == len(colors)  # 8 scenarios, 8 colours
    for key, curve in panel.curve_items().items():
        x, y = curve.getData()
        np.testing.assert_array_equal(y, view.window(key, 900_000)[1])


def test_label_selectors_partial_and_glob(view):
    p99 = resolve([Selector.parse('service_latency_seconds{quantile="0.99"}')], view.keys)
    assert p99 and all(k.labels["quantile"] == "0.99" for k in p99)
    assert len(p99) == len(view.topology.services)
    pay = resolve([Selector.parse('scenario_success_ratio{scenario="*pay"}')], view.keys)
    assert [k.labels["scenario"] for k in pay] == ["app_quick_pay", "bank_card_pay", "qr_pay"]
    both = resolve([Selector.parse(QR.text), Selector.parse("scenario_success_ratio")], view.keys)
    assert both[0] == QR and len(both) == len(set(both)) == 8  # selector order first, no duplicates


def test_gap_breaks_the_line_and_invents_nothing(make_panel):
    view = LiveView()
    key = SeriesKey("service_error_ratio", {"service": "trade"})
    seconds = list(range(0, 30)) + list(range(45, 60))  # the feed was silent for 15 s
    view.apply(MetricBatch.from_points([(key, START_MS + s * 1000, 0.01 * (s % 7)) for s in seconds]))
    panel = make_panel(view, [key.text], window_s=120)
    x, y = curve_data(panel, key)
    nan = np.flatnonzero(np.isnan(y))
    assert len(nan) == 1
    assert x[nan[0] - 1] == (START_MS + 29_000) / 1000 and x[nan[0] + 1] == (START_MS + 45_000) / 1000
    finite = ~np.isnan(y)
    np.testing.assert_array_equal(x[finite], (START_MS + np.array(seconds) * 1000) / 1000.0)
    assert panel.curve_items()[key].opts["connect"] == "finite"


def test_a_series_that_stopped_shows_no_current_value(make_panel):
    view = LiveView()
    old, live = SeriesKey("scenario_tps", {"scenario": "a"}), SeriesKey("scenario_tps", {"scenario": "b"})
    view.apply(MetricBatch.from_points([(old, START_MS + s * 1000, 10.0) for s in range(30)]
                                       + [(live, START_MS + s * 1000, 20.0) for s in range(60)]))
    panel = make_panel(view, ["scenario_tps"], window_s=120)
    assert [(n, v) for _, n, v in panel.legend.rows()] == [("a", "—"), ("b", "20 TPS")]


# -- markers and thresholds --------------------------------------------------------------
def test_markers_for_events_inside_the_window_only(make_panel, view, feed):
    cursor = view.cursor_ms
    view.add_events([
        Event("d-in", cursor - 30_000, EventKind.DEPLOY, "payment-engine", "Deployed payment-engine 2.1.0",
              attrs={"version": "2.1.0"}),
        Event("d-out", cursor - 1_000_000, EventKind.DEPLOY, "trade", "Deployed trade 9.9.9"),
        Event("a-in", cursor - 20_000, EventKind.ALERT, "trade", "Error ratio high", Severity.P1),
        Event("f-end", cursor - 5_000, EventKind.FAULT, "bank-icbc", "Fault ended", attrs={"action": "ended"}),
    ])
    panel = make_panel(view, [QR.text])
    markers = panel.marker_items()
    shown = {e.id: line for e, line in markers}
    assert "d-in" in shown and "d-out" not in shown and "a-in" not in shown
    fault = [e for e, _ in markers if e.kind is EventKind.FAULT and e.id != "f-end"]
    assert len(fault) == 1 and fault[0].ts == feed["fault_ms"]
    texts = {e.id: line.label.toPlainText() for e, line in markers}
    assert texts["d-in"] == "Deploy Payment engine"  # names, not ids (the id is in the tooltip)
    assert texts[fault[0].id] == "Fault ICBC gateway"
    assert shown["d-in"].value() == (cursor - 30_000) / 1000
    assert shown["d-in"].pen.color().name() == theme.DARK.warn
    assert shown[fault[0].id].pen.color().name() == theme.DARK.crit
    assert shown["d-in"].pen.style() == Qt.PenStyle.DashLine
    assert texts["f-end"] == "Fault over ICBC gateway"
    assert shown["f-end"].pen.color().name() == theme.DARK.ok  # the end of a fault is a recovery
    # A shorter window leaves the fault (120 s back) out; the deploy (30 s back) stays.
    panel.set_window(60)
    assert [e.id for e, _ in panel.marker_items()] == ["d-in", "f-end"]


def test_markers_group_same_second_and_labels_never_overlap(make_panel, view):
    cursor = view.cursor_ms
    at = cursor - 400_000
    burst = [
        Event("dep", at, EventKind.DEPLOY, "payment-engine", "Deployed payment-engine 1.2.0"),
        Event("flt", at, EventKind.FAULT, "payment-engine", "Fault injected", Severity.P1, {"action": "inject"}),
        Event("cfg", at + 20_000, EventKind.CONFIG_CHANGE, "trade-db", "trade-db: standby promoted"),
        Event("pl1", at + 30_000, EventKind.PLAN_EXECUTION, "degrade-coupon", "Executed plan: degrade coupon",
              attrs={"action": "execute"}),
        Event("pl2", at + 40_000, EventKind.PLAN_EXECUTION, "ratelimit-cashier", "Executed plan: rate limit",
              attrs={"action": "execute"}),
        Event("pl3", at + 50_000, EventKind.PLAN_EXECUTION, "degrade-coupon", "Rolled back plan",
              attrs={"action": "rollback"}),
    ]
    view.add_events(burst)
    panel = make_panel(view, [QR.text])
    lines = panel.markers.lines()
    [(group, line)] = [(g, ln) for g, ln in lines if g[0].id == "dep"]
    assert [e.id for e in group] == ["dep", "flt"]  # one marker for the deploy and the fault it caused
    assert line.label.toPlainText() == "Deploy + Fault Payment engine"
    assert line.pen.color().name() == theme.DARK.crit  # the gravest kind colours it
    assert "Deployed payment-engine 1.2.0" in line.toolTip() and "Fault injected" in line.toolTip()
    shown = [label_rect(panel, ln) for _, ln in lines if ln.label.isVisible()]
    assert len(shown) >= 3
    assert not any(a.intersects(b) for i, a in enumerate(shown) for b in shown[i + 1:])
    assert len(lines) == 6  # every event keeps its line, labelled or not (4 within 30 s, 1 grouped, 1 fault)


def test_marker_labels_stay_above_the_data(make_panel, view):
    panel = make_panel(view, [QR.text])
    [(event, line)] = panel.marker_items()
    _, (lo, hi) = panel.view_box.viewRange()
    label_bottom_px = label_rect(panel, line).bottom()
    data_top = np.nanmax(curve_data(panel, QR)[1])
    data_top_px = panel.plot_widget.mapFromScene(panel.view_box.mapViewToScene(QPointF(0, data_top))).y()
    assert label_bottom_px < data_top_px  # the label lane is headroom: the label covers no point


def test_value_axis_labels_only_the_data_range_and_holds_still(make_panel, view, feed):
    panel = make_panel(view, [QR.text])
    _, (lo, hi) = panel.view_box.viewRange()
    labelled = [v for _, vals in panel.value_axis.tickValues(lo, hi, panel.view_box.height()) for v in vals]
    assert labelled and max(labelled) <= 1.0 + 1e-9  # the label lane above gets no "105%"
    before = panel.view_box.viewRange()[1]
    view.apply(MetricBatch.from_points([(QR, view.newest_ms + 1000, float(curve_data(panel, QR)[1][-1]))]))
    panel.refresh()
    assert panel.view_box.viewRange()[1] == before  # one more second of the same: the axis stays put


def test_thresholds_drawn_and_keyed(make_panel, view):
    panel = make_panel(view, [QR.text])
    panel.set_thresholds([(0.999, "warn"), (0.99, "crit"), ("x", "warn"), (0.5, "bogus")])
    assert panel.thresholds() == [(0.999, "warn"), (0.99, "crit")]
    lines = panel.threshold_items()
    assert [(line.angle, line.value()) for line in lines] == [(0, 0.999), (0, 0.99)]
    assert [line.pen.color().name() for line in lines] == [theme.DARK.warn, theme.DARK.crit]
    assert all(line.pen.style() == Qt.PenStyle.DashLine for line in lines)
    assert all(line.scene() is panel.plot_widget.scene() for line in lines)
    assert panel.legend.thresholds() == [(theme.DARK.warn, "warn 99.90%"), (theme.DARK.crit, "crit 99.00%")]
    panel.set_thresholds([])
    assert panel.threshold_items() == [] and all(line.scene() is None for line in lines)


# -- state, replay, rendering ------------------------------------------------------------
def test_save_restore_round_trip(make_panel, view):
    a = make_panel(view, ['scenario_success_ratio{scenario="qr_pay"}', "scenario_tps"],
                   panel_id="chart_scenarios")
    a.set_window(300)
    a.set_thresholds([(0.999, "warn"), (0.99, "crit")])
    state = json.loads(json.dumps(a.save_state()))
    assert state == {"series": ['scenario_success_ratio{scenario="qr_pay"}', "scenario_tps"], "window_s": 300.0,
                     "thresholds": [[0.999, "warn"], [0.99, "crit"]]}
    b = make_panel(view, [], panel_id="chart_other")
    b.restore_state(state)
    assert b.save_state() == state
    assert list(b.curve_items()) == list(a.curve_items())
    assert (a.ID, a.objectName(), b.ID, ChartPanel.ID) == ("chart_scenarios", "chart_scenarios", "chart_other", "chart")
    b.restore_state({"series": "nope", "window_s": True, "thresholds": [[1, 2, 3]]})  # garbage is ignored
    assert b.series() == state["series"] and b.window_s() == 300.0


def test_layout_chart_states_restore(make_panel, view):
    for path in sorted(LAYOUTS.glob("*.json")):
        layout = json.loads(path.read_text())
        for spec in [layout.get("central", {}), *layout.get("docks", [])]:
            if spec.get("panel") == "chart" and "state" in spec:
                panel = make_panel(view, [], panel_id=spec.get("id"))
                panel.restore_state(spec["state"])
                assert panel.save_state()["series"] == spec["state"]["series"]
                assert panel.curve_items(), f"{path.name}: {spec['state']['series']} picked nothing"


def test_chart_follows_the_cursor_in_replay(make_panel, view, feed):
    panel = make_panel(view, [QR.text], window_s=120)
    replay_at = feed["fault_ms"] - 60_000
    view.set_cursor(replay_at)
    panel.refresh()
    x, y = curve_data(panel, QR)
    assert x[-1] == replay_at / 1000 and (panel.view_box.viewRange()[0][1]) == pytest.approx(replay_at / 1000)
    assert np.nanmin(y) > 0.98  # before the outage: healthy
    assert not [e for e, _ in panel.marker_items() if e.kind is EventKind.FAULT]
    assert panel.legend.rows()[0][2] == format_value(view.value(QR), PERCENT)
    view.set_cursor(None)
    panel.refresh()
    assert curve_data(panel, QR)[0][-1] == view.newest_ms / 1000


def test_empty_states_say_why(make_panel, view):
    panel = make_panel(view, [])
    assert panel.empty_label.isVisible() and panel.empty_label.text() == "No series selected"
    panel.set_series(["no_such_metric", "bad{syntax"])
    assert panel.series() == ["no_such_metric"]
    assert panel.empty_label.text() == "No data for no_such_metric" and panel.legend.rows() == []
    panel.set_series([QR.text])
    assert not panel.empty_label.isVisible()
    empty = make_panel(LiveView(), [QR.text])
    assert empty.empty_label.text() == "Waiting for data"


def test_rendered_curves_and_marker(make_panel, view):
    panel = make_panel(view, [QR.text])
    bold = count_color(panel.plot_widget, PALETTES["dark"][0], tolerance=80)
    panel.curve_items()[QR].set_boldness(1)
    thin = count_color(panel.plot_widget, PALETTES["dark"][0], tolerance=80)
    assert bold > 300 and bold > 3 * thin > 0  # the curve is painted, and the bold passes thicken it
    assert count_color(panel.plot_widget, theme.DARK.crit) > 50  # fault marker and its label
    panel.set_series([])
    assert count_color(panel.plot_widget, PALETTES["dark"][0]) == 0


# -- the plain parts ---------------------------------------------------------------------
def test_decimate_keeps_extremes_and_gaps():
    x = np.arange(100_000, dtype=float)
    y = np.sin(x / 5000.0)
    y[31_337] = 9.0  # a one-sample spike
    y[60_000] = np.nan  # a gap
    dx, dy = decimate(x, y, 0.0, 100_000.0, 500)
    assert len(dx) <= 4 * 500 + 8
    assert np.nanmax(dy) == 9.0 and np.nanmin(dy) == pytest.approx(y[~np.isnan(y)].min())
    assert np.isnan(dy).any()
    assert np.all(np.diff(dx) >= 0)  # still in time order
    assert set(dx) <= set(x)  # every x is a real sample time
    small = np.arange(10.0)
    assert decimate(small, small, 0, 10, 500)[0] is small


def test_break_gaps_uses_the_median_spacing():
    ts = np.array([0, 1000, 2000, 3000, 5400, 6400, 9000], dtype=np.int64)
    x, y = break_gaps(ts, np.ones(len(ts)))
    # 2.4 s is under 2.5 × the 1 s median: joined; 2.6 s is over: broken.
    assert np.flatnonzero(np.isnan(y)).tolist() == [6]
    assert x[6] == pytest.approx(7.7)


def test_threshold_levels_and_sticky_range():
    success = [(0.999, "warn"), (0.99, "crit")]
    assert [threshold_level(v, success) for v in (0.9995, 0.995, 0.98)] == ["ok", "warn", "crit"]
    errors = [(0.01, "warn"), (0.05, "crit")]
    assert [threshold_level(v, errors) for v in (0.001, 0.02, 0.2)] == ["ok", "warn", "crit"]
    assert threshold_level(0.5, [(0.9, "crit")], lower_is_worse=True) == "crit"
    assert threshold_level(0.5, []) == "ok"
    assert clean_thresholds([(1, "warn"), ("x", "crit"), (2, "bad"), (float("nan"), "crit"), [3, "crit"]]) == [
        (1.0, "warn"), (3.0, "crit")]
    first = sticky_range((0.6, 1.0), None, floor_zero=True)
    assert first == pytest.approx((0.58, 1.02))
    assert sticky_range((0.65, 0.99), first) == first  # still fits: unchanged
    assert sticky_range((0.95, 0.99), first) != first  # fills under half: zoom in
    assert sticky_range((0.0, 10.0), None, floor_zero=True)[0] == 0.0


def test_units_and_names():
    assert unit_for("scenario_success_ratio").kind == "percent"
    assert format_value(0.99951, unit_for("scenario_success_ratio")) == "99.95%"
    assert format_value(0.253, unit_for("service_latency_seconds")) == "253 ms"
    assert format_value(2345.4, unit_for("service_requests_rate")) == "2,345/s"
    assert format_value(None, PERCENT) == "—"
    axis = ValueAxis()
    axis.set_unit(unit_for("service_latency_seconds"))
    assert axis.tickStrings([0.1, 0.25], 1.0, 0.05) == ["100 ms", "250 ms"]
    keys = [SeriesKey("edge_error_ratio", {"caller": "payment-engine", "callee": b}) for b in ("bank-icbc", "bank-ccb")]
    assert short_names(keys) == ["payment-engine→bank-icbc", "payment-engine→bank-ccb"]
    one = SeriesKey("service_latency_seconds", {"service": "trade", "quantile": "0.99"})
    assert short_names([one]) == ["trade p99"]


def test_time_axis_reads_feed_time():
    axis = TimeAxis(utc_offset_s=BEIJING)
    start = START_MS / 1000
    assert axis.tickStrings([start, start + 125], 1.0, 60) == ["10:30:00", "10:32:05"]
    [(step, values)] = axis.tickValues(start - 7, start + 900, 1200)
    assert step in (60.0, 120.0) and all((v + BEIJING) % step == 0 for v in values)


def test_a_short_wall_chart_spreads_its_legend_over_columns(make_panel, view, feed):
    """Eight scenarios in a 220-px-high strip (the command-centre's bottom): the rows flow
    into columns, so every name and value is on screen (no scroll bar, as there once was),
    and the legend leaves at least half the width to the plot."""
    panel = make_panel(view, ["scenario_success_ratio"])
    panel.set_thresholds([(0.99, "warn"), (0.97, "crit")])
    panel.resize(1300, 220)
    QApplication.processEvents()
    legend = panel.legend
    rows = legend.rows()
    assert len(rows) == 8 and sorted(n for _, n, _ in rows) == sorted(feed["titles"].values())
    assert legend.columns() == 2
    assert not legend.findChildren(QScrollArea)
    assert legend.width() <= panel.width() * legend.MAX_SHARE + 1
    assert panel.plot_widget.width() >= panel.width() * 0.45
    for label in legend.findChildren(LiveLabel, "chart_legend_value"):
        if label.isVisible():
            assert legend.rect().contains(label.geometry().translated(label.parentWidget().pos())), label.text()
            assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width()
    names = [lab for lab in legend.findChildren(QLabel) if lab.property("full_text")]
    for name in names:
        if name.isVisible():  # whole, or elided with "…": never cut by the edge
            assert name.text() == name.property("full_text") or name.text().endswith("…")
            assert name.fontMetrics().horizontalAdvance(name.text()) <= name.width()
