"""The north-star KPI tiles: the numbers kpi.* computes, "—" where nothing is measured,
colours against thresholds, 15-minute trends, and saved thresholds."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed, color_pixels, feed_series  # noqa: E402
from warroom.core.northstar import kpi  # noqa: E402
from warroom.core.model import Scenario, SeriesKey, Service, ServiceKind  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.kpi.panel import (NORMAL_LAG_S, KpiThresholds, KpiTilesPanel, TpsNormal,  # noqa: E402
                                         format_percent, summed_window, tps_trend)


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


@pytest.fixture(scope="module")
def healthy() -> SimFeed:
    """Two healthy minutes, shared by the tests that only read it."""
    return SimFeed(120)


@pytest.fixture
def feed() -> SimFeed:
    """Two healthy minutes, for tests that break something."""
    return SimFeed(120)


def make_panel(qtbot, view: LiveView, size=(1600, 500)) -> KpiTilesPanel:
    panel = KpiTilesPanel(view)
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_tps_tile_shows_what_kpi_total_tps_computes(qtbot, healthy):
    panel = make_panel(qtbot, healthy.view)
    expected = kpi.total_tps(healthy.scenarios, healthy.view.value)
    assert expected is not None and expected > 1000
    tile = panel.tile("tps")
    assert tile.value_text == f"{expected:,.0f}"
    assert tile.unit == "tx/s"
    assert tile.caption == "TPS"
    assert tile.level == "ok"
    # The normal is the learned baseline: the median of what came up to 30 s ago.
    ts, values = summed_window(healthy.view, [SeriesKey("scenario_tps", {"scenario": s}) for s in healthy.scenarios],
                               15 * 60_000)
    normal = float(np.median(values[ts <= ts[-1] - NORMAL_LAG_S * 1000]))
    change = round((expected / normal - 1) * 100)
    sign = "+" if change > 0 else "\u2212" if change < 0 else ""
    assert tile.note == f"{sign}{abs(change)}% vs normal"


def test_no_drop_alarm_before_a_minute_of_baseline(qtbot):
    feed = SimFeed(20)
    panel = make_panel(qtbot, feed.view)
    assert panel.tile("tps").note == "learning normal TPS"
    assert panel.tile("tps").level == "ok"


def test_success_tile_is_a_percentage_with_two_decimals(qtbot, healthy):
    panel = make_panel(qtbot, healthy.view)
    ratio = kpi.success_ratio(healthy.scenarios, healthy.view.value)
    tile = panel.tile("success")
    assert tile.value_text == f"{np.floor(ratio * 10000) / 100:.2f}"
    assert tile.unit == "%"
    assert len(tile.value_text.split(".")[1]) == 2


def test_p99_tile_is_in_milliseconds(qtbot, healthy):
    panel = make_panel(qtbot, healthy.view)
    p99 = kpi.entry_p99(healthy.view.topology, healthy.view.value)
    tile = panel.tile("p99")
    assert tile.value_text == f"{p99 * 1000:,.0f}"
    assert tile.unit == "ms"
    assert tile.level == KpiThresholds().p99_level(p99 * 1000)


def test_mttr_and_incidents_show_a_dash_never_a_number(qtbot, healthy):
    panel = make_panel(qtbot, healthy.view)
    unknown = theme.DARK.color("unknown")
    for key in ("mttr", "incidents"):
        tile = panel.tile(key)
        assert tile.value_text == "—"
        assert tile.unit == ""
        assert tile.level == "unknown"
        assert tile.value_color() == unknown
    assert panel.tile("mttr").note == "alerting off"


def test_incident_and_mttr_tiles_follow_a_drill(qtbot):
    from tests.app.drill import Drill
    from warroom.core.northstar.mttx import incident_times

    view = LiveView()
    d = Drill(view=view)
    view.apply(TopologySnapshot(d.sim.now_ms, d.sim.topology))
    d.run(200)
    panel = make_panel(qtbot, view)
    assert panel.tile("incidents").value_text == "0" and panel.tile("incidents").level == "ok"
    assert panel.tile("mttr").value_text == "—" and panel.tile("mttr").note == "no resolved incidents · goal 1 min"
    fault = d.sim.inject_fault("dependency_outage", "bank-ccb", None)
    d.run(60)
    panel.refresh()
    tile = panel.tile("incidents")
    assert tile.value_text == "1" and tile.level == "crit" and "CCB gateway" in tile.note
    d.sim.clear_fault(fault.id)
    d.run(500)
    panel.refresh()
    (times,) = incident_times(d.log)
    assert times.mttr_s is not None and times.mttr_mitigated_s is not None
    # The number is MTTR to mitigation (service restored), the north star; to resolution is in the note.
    assert panel.tile("mttr").value_text == f"{times.mttr_mitigated_s / 60:.1f}"
    assert f"{times.mttr_s / 60:.1f} min" in panel.tile("mttr").note
    assert panel.tile("mttr").level == KpiThresholds().mttr_level(times.mttr_mitigated_s / 60)
    assert panel.tile("incidents").value_text == "0"


def test_success_tile_turns_crit_after_a_bank_outage(qtbot, feed):
    panel = make_panel(qtbot, feed.view)
    before = kpi.success_ratio(feed.scenarios, feed.view.value)
    assert panel.tile("success").level == KpiThresholds().success_level(before) != "crit"

    feed.bank_outage(20)
    panel.refresh()
    tile = panel.tile("success")
    after = kpi.success_ratio(feed.scenarios, feed.view.value)
    assert after < 0.99
    assert tile.level == "crit"
    assert tile.value_color() == theme.DARK.color("crit")
    assert tile.level_word() == "CRITICAL"
    assert tile.value_text == format_percent(after)
    # The red wash and badge are really painted: the tile's upper half holds the crit colour.
    assert color_pixels(tile, theme.DARK.crit, 0.3, 0.95, 0.15, 0.55) > 50


def test_an_empty_view_shows_dashes_in_the_unknown_colour(qtbot):
    panel = make_panel(qtbot, LiveView())
    for key in ("tps", "success", "p99", "mttr", "incidents"):
        tile = panel.tile(key)
        assert tile.value_text == "—", key
        assert tile.level == "unknown"
        assert tile.value_color() == theme.DARK.color("unknown")
        assert len(tile.trend) == 0


def test_trends_follow_the_view_and_end_at_the_cursor(qtbot, healthy):
    panel = make_panel(qtbot, healthy.view)
    trend = panel.tile("tps").trend
    assert len(trend) == 120  # one point a second since the feed started
    assert trend[-1] == pytest.approx(kpi.total_tps(healthy.scenarios, healthy.view.value))
    success = panel.tile("success").trend
    assert success[-1] == pytest.approx(kpi.success_ratio(healthy.scenarios, healthy.view.value))
    p99 = panel.tile("p99").trend
    assert p99[-1] == pytest.approx(kpi.entry_p99(healthy.view.topology, healthy.view.value) * 1000)


def test_the_sparkline_is_painted_in_the_tile_colour(qtbot, healthy):
    panel = make_panel(qtbot, healthy.view)
    tile = panel.tile("tps")
    assert tile.level == "ok"
    # Bottom fifth, away from the stripe and the border: only the sparkline is green there.
    assert color_pixels(tile, theme.DARK.ok, 0.2, 0.9, 0.8, 0.97) > 20


def test_summed_window_keeps_only_instants_every_series_reported():
    view = LiveView()
    a, b = SeriesKey("scenario_tps", {"scenario": "a"}), SeriesKey("scenario_tps", {"scenario": "b"})
    feed_series(view, {a: [(1000, 1.0), (2000, 2.0), (3000, 3.0)], b: [(1000, 10.0), (3000, 30.0)]})
    ts, total = summed_window(view, [a, b], 60_000)
    assert ts.tolist() == [1000, 3000]  # 2000 would be a fake dip: b is missing there
    assert total.tolist() == [11.0, 33.0]
    ts, total = summed_window(view, [a, SeriesKey("scenario_tps", {"scenario": "nobody"})], 60_000)
    assert total.tolist() == [1.0, 2.0, 3.0]


def _tps_view(level_after: float) -> LiveView:
    """One scenario at 1000 TPS for five minutes, then a minute at ``level_after``."""
    topo = Topology([Service("gw", ServiceKind.CHANNEL)], [], [Scenario("pay", "Pay", "gw", ())])
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topo))
    key = SeriesKey("scenario_tps", {"scenario": "pay"})
    pts = [(BUSY_HOUR_MS + i * 1000, 1000.0) for i in range(300)]
    pts += [(BUSY_HOUR_MS + (300 + i) * 1000, level_after) for i in range(60)]
    feed_series(view, {key: pts})
    return view


@pytest.mark.parametrize("after, level", [(950.0, "ok"), (800.0, "warn"), (600.0, "crit")])
def test_a_silent_drop_in_tps_is_an_alarm(qtbot, after, level):
    panel = make_panel(qtbot, _tps_view(after), size=(1200, 360))
    tile = panel.tile("tps")
    assert tile.value_text == f"{after:,.0f}"
    assert tile.level == level
    drop = round((after / 1000.0 - 1) * 100)
    assert tile.note == f"\u2212{abs(drop)}% vs normal"
    assert len(tps_trend(panel.source, ["pay"])) == 360


def test_threshold_levels():
    t = KpiThresholds()
    assert [t.success_level(r) for r in (None, 1.0, 0.99, 0.9899, 0.97, 0.9699)] == [
        "unknown", "ok", "ok", "warn", "warn", "crit"]
    assert [t.p99_level(ms) for ms in (None, 120.0, 2000.0, 2001.0, 3000.0, 3001.0)] == [
        "unknown", "ok", "ok", "warn", "warn", "crit"]
    assert t.tps_level(None, 1000.0) == "unknown"
    assert t.tps_level(500.0, None) == "ok"  # no baseline yet
    assert [t.tps_level(v, 1000.0) for v in (1200.0, 850.0, 849.0, 700.0, 699.0)] == [
        "ok", "ok", "warn", "warn", "crit"]


def test_percent_never_rounds_up_to_a_perfect_score():
    assert format_percent(0.99999) == "99.99"
    assert format_percent(0.9999) == "99.99"
    assert format_percent(1.0) == "100.00"
    assert format_percent(0.73889) == "73.88"


def test_thresholds_are_saved_and_restored(qtbot, healthy):
    panel = make_panel(qtbot, healthy.view)
    ratio = kpi.success_ratio(healthy.scenarios, healthy.view.value)
    assert 0.99 < ratio < 0.999 and panel.tile("success").level == "ok"  # a healthy platform is green
    panel.restore_state({"thresholds": {"success_warn": 0.999, "success_crit": 0.95, "p99_warn_ms": "fast",
                                        "p99_crit_ms": -1, "bogus": 3}})
    assert panel.tile("success").level == "warn"
    assert panel.tile("success").value_color() == theme.DARK.color("warn")
    state = panel.save_state()
    assert state["thresholds"]["success_warn"] == 0.999
    assert state["thresholds"]["p99_warn_ms"] == 2000.0  # the bad entries were ignored
    assert state["thresholds"]["p99_crit_ms"] == 3000.0

    other = make_panel(qtbot, healthy.view)
    other.restore_state(state)
    assert other.thresholds == panel.thresholds
    other.restore_state("not a dict")  # ignored
    assert other.thresholds == panel.thresholds


def test_screenshot_of_the_tiles_at_wall_size(qtbot):
    feed = SimFeed(900)  # fifteen minutes: full sparklines
    feed.bank_outage(30)
    panel = make_panel(qtbot, feed.view)
    panel.refresh()
    image = panel.grab()
    assert image.width() == 1600 and image.height() == 500
    assert image.save("/tmp/kpi_tiles.png")


# -- TPS against its learned normal ---------------------------------------------------------
def _outage_view(normal_s: int, outage_s: int, level: float) -> LiveView:
    """One scenario at 1000 TPS (with a little noise) for ``normal_s``, then ``outage_s`` at ``level``."""
    topo = Topology([Service("gw", ServiceKind.CHANNEL)], [], [Scenario("pay", "Pay", "gw", ())])
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topo))
    rng = np.random.default_rng(1)
    values = np.r_[1000.0 + rng.normal(0, 10, normal_s), level + rng.normal(0, 8, outage_s)]
    key = SeriesKey("scenario_tps", {"scenario": "pay"})
    feed_series(view, {key: [(BUSY_HOUR_MS + i * 1000, float(v)) for i, v in enumerate(values)]})
    return view


def test_tps_stays_amber_through_a_long_outage_and_says_how_far_below_normal(qtbot):
    # 20 minutes at -24 %: longer than the trend window, so a median of the trend would call it normal.
    panel = make_panel(qtbot, _outage_view(20 * 60, 20 * 60, 760.0), size=(1200, 360))
    tile = panel.tile("tps")
    assert float(np.median(tile.trend)) < 800  # the 15-minute trend itself is all outage
    assert tile.level == "warn"
    assert tile.note == "\u221224% vs normal"
    assert tile.value_color() == theme.DARK.color("warn")


def test_tps_baseline_follows_a_live_feed_refresh_by_refresh(qtbot):
    view = _outage_view(10 * 60, 0, 0.0)
    panel = make_panel(qtbot, view, size=(1200, 360))
    assert panel.tile("tps").level == "ok"
    key = SeriesKey("scenario_tps", {"scenario": "pay"})
    t0 = BUSY_HOUR_MS + 10 * 60 * 1000
    for minute in range(12):  # the outage arrives a minute at a time, as a live feed brings it
        feed_series(view, {key: [(t0 + (minute * 60 + i) * 1000, 800.0) for i in range(60)]})
        panel.refresh()
        assert panel.tile("tps").level == "warn", minute
        assert panel.tile("tps").note == "\u221220% vs normal"


def test_tps_thresholds_come_from_the_layout_state(qtbot):
    panel = make_panel(qtbot, _outage_view(20 * 60, 5 * 60, 760.0), size=(1200, 360))
    assert panel.tile("tps").level == "warn"
    panel.restore_state({"thresholds": {"tps_drop_warn": 0.3, "tps_drop_crit": 0.5}})
    assert panel.tile("tps").level == "ok" and panel.tile("tps").note == "\u221224% vs normal"
    panel.restore_state({"thresholds": {"tps_drop_warn": 0.05, "tps_drop_crit": 0.2}})
    assert panel.tile("tps").level == "crit"
    assert panel.save_state()["thresholds"]["tps_drop_crit"] == 0.2


def test_the_normal_does_not_learn_the_drop_and_starts_again_after_a_jump_back():
    n = TpsNormal()
    ts = np.arange(0, 1200) * 1000 + BUSY_HOUR_MS
    values = np.where(np.arange(1200) < 600, 1000.0, 500.0)
    t = KpiThresholds()
    n.feed(ts, values, lambda v, normal: t.tps_level(v, normal) != "ok")
    assert n.normal(int(ts[-1])) == 1000.0  # ten minutes of outage taught it nothing
    assert n.fed_until == int(ts[-1])
    n.feed(ts[:10], values[:10], lambda v, normal: False)  # nothing new: nothing learned twice
    assert n.fed_until == int(ts[-1])
    n.reset()
    assert n.normal(int(ts[-1])) is None and n.fed_until is None


def _inconsistent_view() -> tuple[LiveView, list[str]]:
    """Two minutes of a feed whose scenarios send more TPS than requests, as the 1,000-service
    bench world did (the tile read 341.67 %), plus one scenario sending a negative rate."""
    scenarios = ["a", "b", "c"]
    topo = Topology([Service("gw", ServiceKind.CHANNEL)], [],
                    [Scenario(s, s.upper(), "gw", ()) for s in scenarios])
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topo))
    levels = {"a": (2050.0, 600.0), "b": (50.0, 100.0), "c": (-10.0, 100.0)}  # (tps, requests)
    points = {}
    for s, (tps, requests) in levels.items():
        ts = [BUSY_HOUR_MS + i * 1000 for i in range(120)]
        points[SeriesKey("scenario_tps", {"scenario": s})] = [(t, tps) for t in ts]
        points[SeriesKey("scenario_requests_rate", {"scenario": s})] = [(t, requests) for t in ts]
    feed_series(view, points)
    return view, scenarios


def test_success_tile_never_reads_above_100_percent(qtbot):
    view, scenarios = _inconsistent_view()
    panel = make_panel(qtbot, view)
    tile = panel.tile("success")
    expected = (600 + 50) / (600 + 100)  # a: all succeeded (not 342 %), b: half, c: not a rate
    assert kpi.success_ratio(scenarios, view.value) == pytest.approx(expected)
    assert tile.value_text == format_percent(expected)
    assert float(tile.value_text) <= 100.0
    assert tile.level == "crit"
    assert len(tile.trend) == 120
    assert np.all((tile.trend >= 0.0) & (tile.trend <= 1.0))
    assert tile.trend[-1] == pytest.approx(expected)


def test_a_tile_at_a_laptop_scale_is_its_1080p_picture_made_smaller(qtbot):
    # At 1366x768 (scale 0.7) the caption and note lines kept their 1080p floors and left
    # the number a third of its room: no bigger than the caption.
    from PySide6.QtWidgets import QWidget

    from warroom.ui.panels.kpi.tile import KpiTileWidget
    from warroom.ui.wall.wall_scale import apply_scale

    host = QWidget()  # the scale rescales the minimum sizes of a window's children
    qtbot.addWidget(host)
    tile = KpiTileWidget("Success rate", "%", host)
    tile.set_reading("73.87", "crit", "goal ≥ 99.00%", np.linspace(0.99, 0.74, 60))
    tile.resize(270, 136)  # an engineer's tile at 1920x1080
    at_1080 = tile.value_rect.height() / tile.height()
    try:
        apply_scale(host, 0.7, force=True)
        tile.resize(189, 95)
        assert tile.height() == 95
        assert tile.value_rect.height() / tile.height() == pytest.approx(at_1080, rel=0.05)
    finally:
        apply_scale(host, 1.0, force=True)
