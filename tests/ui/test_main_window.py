"""The main window: every panel of each layout built and refreshed from a live view, the
border that greys as the data ages (red only for an open incident), dock and panel state saved and
restored with QSettings, F11 full screen, and a clear error for an unknown layout."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QByteArray, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QDockWidget, QFrame  # noqa: E402

from warroom.core.settings.layouts import LayoutError, available, load_layout  # noqa: E402
from warroom.core.model import EventKind  # noqa: E402
from warroom.protocol import Events, MetricBatch, TopologySnapshot  # noqa: E402
from warroom.sim.engine import Simulator  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.main_window import FRAME_BUDGET_S, STATE_VERSION, MainWindow  # noqa: E402
from warroom.ui.panels.base import Panel  # noqa: E402
from warroom.ui.panels.health.panel import CRIT_AGE_MS, WARN_AGE_MS  # noqa: E402
from warroom.ui.panels.kpi.panel import DASH  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402
from warroom.ui.wall.stale_banner import stale_colors  # noqa: E402

BUSY_HOUR_MS = 1763605800000  # 2025-11-20 10:30:00 UTC+8, the morning peak
SECONDS = 300  # five minutes of simulated data
LAYOUTS = ("command-centre", "commander", "engineer", "business")
MAP_LAYOUTS = LAYOUTS[:3]  # the layouts built around the call-chain map and the event feed
SIZE = (1600, 900)


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def frames() -> list:
    """Five busy-hour minutes with a bank latency spike from 200 s to 260 s (recorded once).

    One merged batch files the same points per series as 300 deliveries would.
    """
    sim = Simulator(seed=7, start_ms=BUSY_HOUR_MS)
    sim.inject_fault("bank_latency_spike", "bank-icbc", 60, delay_s=200)
    batches, events = [], []
    for _ in range(SECONDS):
        batch, new = sim.tick()
        batches.append(batch)
        events += new
    merged = MetricBatch(sim.series, np.concatenate([b.index for b in batches]),
                         np.concatenate([b.ts for b in batches]), np.concatenate([b.values for b in batches]))
    return [TopologySnapshot(BUSY_HOUR_MS, sim.topology), sim.catalogue(), merged, Events(tuple(events))]


@pytest.fixture
def view(frames) -> LiveView:
    v = LiveView()
    for item in frames:
        v.apply(item)
    return v


@pytest.fixture
def make_window(qtbot):
    """A factory of shown main windows, held strongly until the test ends and closed first.

    qtbot keeps weak references only; a window full of panels is a reference cycle that the
    garbage collector could free in the middle of a paint (see tests/ui/panels/chart/test_chart.py).
    """
    windows: list[MainWindow] = []

    def make(view: LiveView, layout_name: str = "command-centre", settings: QSettings | None = None,
             show: bool = True) -> MainWindow:
        layout = load_layout(layout_name)
        theme.apply(theme.THEMES.get(layout.theme, theme.DARK), layout.font_pt)
        win = MainWindow(view, layout, settings=settings)
        qtbot.addWidget(win)
        windows.append(win)
        win.resize(*SIZE)
        if show:
            with qtbot.waitExposed(win):  # a context manager: it waits on leaving the block
                win.show()
        return win

    yield make
    for win in windows:
        win._timer.stop()
        win.close()


def live(view: LiveView, age_ms: int = 0) -> None:
    """Report a live feed whose clock is ``age_ms`` past the newest data, at real speed."""
    view.set_feed("live", "live from test", "ws://test", now_ms=view.newest_ms + age_ms, speed=1)


def settings_at(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


def border_pixel(win: MainWindow) -> QColor:
    """The colour painted in the middle of the frame's left border (6 px wide)."""
    QApplication.processEvents()
    border = win.findChild(QFrame, "window_border")
    assert border is win.centralWidget()
    image = border.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return image.pixelColor(2, image.height() // 2)


# -- building ------------------------------------------------------------------------------
def test_the_shipped_layouts_ship():
    assert set(LAYOUTS) <= set(available())


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_panel_of_the_layout_is_built_and_named(make_window, view, name):
    layout = load_layout(name)
    win = make_window(view, name)

    assert list(win.panels) == [p.id for p in layout.panels]
    for spec in layout.panels:
        panel = win.panels[spec.id]
        assert isinstance(panel, panel_class(spec.panel))
        assert panel.objectName() == spec.id
        assert win.findChild(Panel, spec.id) is panel  # QSettings and tests find it by name
    assert win.centralWidget().isAncestorOf(win.panels[layout.central.id])
    assert win.central_panel is win.panels[layout.central.id]

    assert list(win.docks) == [d.id for d in layout.docks]
    docks = {d.objectName(): d for d in win.findChildren(QDockWidget)}
    assert set(docks) == {f"dock_{d.id}" for d in layout.docks}
    areas = {"top": Qt.DockWidgetArea.TopDockWidgetArea, "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
             "left": Qt.DockWidgetArea.LeftDockWidgetArea, "right": Qt.DockWidgetArea.RightDockWidgetArea}
    for spec in layout.docks:
        dock = docks[f"dock_{spec.id}"]
        assert dock is win.docks[spec.id]
        assert dock.widget() is win.panels[spec.id]
        assert dock.windowTitle() == win.panels[spec.id].title() != ""
        assert win.dockWidgetArea(dock) == areas[spec.area]
        assert dock.isVisible() and dock.width() > 0 and dock.height() > 0
    assert win.objectName() == f"warroom_main_{name}"


@pytest.mark.parametrize("name", MAP_LAYOUTS)
def test_refresh_now_fills_every_panel_from_five_minutes_of_data(make_window, frames, name):
    layout = load_layout(name)
    view = LiveView()
    win = make_window(view, name)  # built on an empty view: nothing to show yet
    kinds = {spec.panel: win.panels[spec.id] for spec in layout.panels}
    topo = kinds["topology_map"]
    assert not topo.nodes and not kinds["events"].model.rows

    for item in frames:  # the feed delivers; no event loop runs in between
        view.apply(item)
    live(view)
    win.refresh_now()

    assert len(topo.nodes) == 25
    assert all(node.level != "unknown" for node in topo.nodes.values())
    assert topo.nodes["bank-icbc"].level == "ok"  # the spike ended 40 s before the cursor

    tiles = kinds["kpi_tiles"]
    for key in ("tps", "success", "p99"):
        assert tiles.tile(key).value_text != DASH, key
        assert len(tiles.tile(key).trend) > 0, key

    events = kinds["events"]
    titles = [e.title for e in events.model.rows]
    assert any(t.startswith("Fault injected: bank_latency_spike on bank-icbc") for t in titles), titles
    assert any(t.startswith("Fault ended: bank_latency_spike on bank-icbc") for t in titles), titles

    health = kinds["feed_health"]
    assert health.level == "ok"
    assert f"{view.points_received:,}" in health.points_label.text()

    for spec in layout.panels:
        if spec.panel != "chart":
            continue
        chart = win.panels[spec.id]
        curves = chart.curve_items()
        assert curves, spec.id
        for key, curve in curves.items():
            x, _ = curve.getData()
            assert x is not None and len(x) > 0, key
    if "scenarios" in kinds:
        rows = kinds["scenarios"].model.rows
        assert len(rows) == len(view.topology.scenarios) == 8
        assert all(r.success is not None and r.tps for r in rows)

    # refresh_now refreshes even when the view did not change, and says it painted.
    painted = []
    win.sig_frame_painted.connect(painted.append)
    win.refresh_now()
    assert len(painted) == 1
    assert win.frame_times and all(t >= 0 for t in win.frame_times)


# -- the border ----------------------------------------------------------------------------
def test_border_greys_as_the_data_ages_and_is_never_red_for_it(make_window, view):
    win = make_window(view)
    t = theme.current()
    fill = stale_colors(t)[0]
    colors, pixels = {}, {}
    for age, level in ((0, "ok"), (WARN_AGE_MS + 1000, "late"), (CRIT_AGE_MS + 1000, "stale")):
        live(view, age)
        win.refresh_now()
        assert view.data_age_ms == age
        assert win.frame_level == level, age
        colors[level] = win.centralWidget().color().name()
        pixels[level] = border_pixel(win)

    assert (colors["ok"], colors["late"], colors["stale"]) == (t.border, fill.name(), fill.name())
    assert win.border_frame.striped  # stale: blue-grey stripes, late: plain blue-grey
    crit = QColor(t.crit)
    for level in ("late", "stale"):
        got = pixels[level]
        assert abs(got.red() - crit.red()) + abs(got.green() - crit.green()) + abs(got.blue() - crit.blue()) > 150, (
            level, got.name())

    # Fresh data again: back to the quiet border.
    live(view, 0)
    win.refresh_now()
    assert win.frame_level == "ok" and win.centralWidget().color().name() == t.border
    assert not win.border_frame.striped


def test_a_fast_feed_ages_in_wall_time(make_window, view):
    win = make_window(view)
    # 60 simulated seconds behind at x60 is one wall second: still fresh.
    view.set_feed("live", "", now_ms=view.newest_ms + 60_000, speed=60)
    win.refresh_now()
    assert win.frame_level == "ok"


def test_a_disconnected_feed_goes_stale_never_red(make_window, view):
    win = make_window(view)
    view.set_feed("disconnected", "connection refused", now_ms=view.newest_ms, speed=1)
    win.refresh_now()
    assert win.frame_level == "late"  # a reconnect within seconds is not worth a banner
    view.set_feed("disconnected", "connection refused", now_ms=view.newest_ms + 6_000, speed=1)
    win.refresh_now()
    assert win.frame_level == "stale"
    assert win.centralWidget().color().name() != theme.current().crit


class _Watch:
    """Just what the window reads of the alerting: a version and the incidents."""

    made = 0

    def __init__(self, *states: str) -> None:
        _Watch.made += 1
        self.version = _Watch.made  # a new state, a new version (the window reads on a change)
        self._states = states

    def incidents(self) -> list:
        return [type("Inc", (), {"state": s})() for s in self._states]


def test_red_means_an_unmitigated_incident(make_window, view):
    win = make_window(view)
    live(view, 0)
    win.refresh_now()
    # Only the frame is asked here: the panels would want a whole AlertWatch.
    for states, stale, level in ((("resolved", "open"), False, "crit"), (("recovering",), False, "ok"),
                                 (("acknowledged",), False, "crit"), (("acknowledged",), True, "stale")):
        view.alerting = _Watch(*states)
        live(view, CRIT_AGE_MS + 1000 if stale else 0)  # stale data wins: the incidents are as old
        win._update_frame_level()
        assert win.frame_level == level, states
    assert win.centralWidget().color().name() != theme.current().crit
    view.alerting = _Watch("open")
    live(view, 0)
    win._update_frame_level()
    assert win.centralWidget().color().name() == theme.current().crit
    view.alerting = None


def test_the_frame_timer_follows_the_age_without_refresh_now(qtbot, make_window, view):
    win = make_window(view)
    live(view, CRIT_AGE_MS + 1000)
    qtbot.waitUntil(lambda: win.frame_level == "stale", timeout=10_000)


# -- the frame budget ------------------------------------------------------------------------
def _one_more_second(view: LiveView, sim_state: dict) -> None:
    """New data for every panel: one more second of the busy hour."""
    sim = sim_state.setdefault("sim", Simulator(seed=7, start_ms=view.newest_ms + 1000))
    batch, _ = sim.tick()
    view.apply(batch)


def _expect(win: MainWindow, refresh_s: float, paint_s: float) -> None:
    for panel in win.panels.values():
        win._refresh_cost[id(panel)] = refresh_s
        win._paint_cost[id(panel)] = paint_s


def test_a_tick_takes_only_the_panels_its_budget_holds_with_their_paint(make_window, view):
    """Expected 1 ms refresh + 5 ms paint each: one panel a tick (two would paint 10 ms),
    and every panel gets its turn in as many ticks as there are panels."""
    win = make_window(view)
    win._timer.stop()
    win.refresh_now()
    QApplication.processEvents()
    _expect(win, 0.001, 0.005)
    _one_more_second(view, {})
    visible = [p for p in win.panels.values() if p.isVisible()]
    refreshed = []
    for _ in range(len(visible)):
        before = list(win._stale) if win._stale else None
        win._frame(budget_s=FRAME_BUDGET_S)
        after = set(map(id, win._stale))
        refreshed.append([p for p in (before or visible) if id(p) not in after])
        _expect(win, 0.001, 0.005)  # what the refresh just measured must not loosen the test
    assert [len(r) for r in refreshed] == [1] * len(visible)
    assert {id(p) for r in refreshed for p in r} == {id(p) for p in visible}
    # Cheap panels share a tick (as many as the real refresh time leaves room for).
    _expect(win, 0.0002, 0.0005)
    _one_more_second(view, {})
    win._frame(budget_s=FRAME_BUDGET_S)
    assert len(visible) - len(win._stale) >= 2


def test_paint_time_is_measured_and_charged_to_the_panels_just_refreshed(make_window, view):
    win = make_window(view)
    win._timer.stop()
    win.refresh_now()
    QApplication.processEvents()
    _expect(win, 0.0005, 0.0005)
    _one_more_second(view, {})
    win._frame(budget_s=None)
    guesses = {pid: win._paint_cost[id(p)] for pid, p in win.panels.items()}
    painted = len(win.paint_times)
    win.repaint()  # a paint of the whole window, measured by event()
    QApplication.processEvents()
    assert len(win.paint_times) > painted and len(win.paint_cpu_times) == len(win.paint_times)
    assert win._unpainted == []
    spent = win.paint_times[painted]
    changed = [pid for pid, p in win.panels.items() if win._paint_cost[id(p)] != guesses[pid]]
    assert changed, "no panel was charged with the paint"
    assert sum(win._paint_cost[id(p)] for p in win.panels.values()) == pytest.approx(
        0.8 * sum(guesses.values()) + 0.2 * spent, rel=1e-6)


def test_the_painted_signal_keeps_pace_when_data_outruns_the_panels(make_window, view):
    """A 60x feed changes the view every tick; panels take turns, never all on the newest
    version at once. The signal must still come, each time all have moved on."""
    win = make_window(view)
    win._timer.stop()
    win.refresh_now()
    painted: list[float] = []
    win.sig_frame_painted.connect(painted.append)
    state: dict = {}
    shown = []
    for _ in range(40):
        _expect(win, 0.001, 0.005)  # one panel a tick
        _one_more_second(view, state)
        win._on_timer_timeout()
        QApplication.processEvents()
        shown.append(win.shown_ms)
    assert len(painted) >= 3
    assert win._stale, "the data really outran the panels"
    assert shown[-1] > shown[0] and shown == sorted(shown)


# -- saved state ---------------------------------------------------------------------------
def test_docks_and_panel_state_survive_save_and_restore(make_window, view, tmp_path):
    path = tmp_path / "warroom.ini"
    first = make_window(view, settings=settings_at(path))
    first.refresh_now()

    first.resizeDocks([first.docks["scenarios"]], [500], Qt.Orientation.Horizontal)
    first.docks["feed_health"].hide()
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.docks["events"])  # moved to the left
    topo = first.panels["topology_map"]
    topo.highlight_scenario("qr_pay")
    topo.zoom_by(1.5)
    first.panels["chart_scenarios"].restore_state({"window_s": 300})
    first.panels["events"].set_hidden_kinds({EventKind.DEPLOY})
    QApplication.processEvents()
    width = first.docks["scenarios"].width()
    assert abs(width - 500) <= 2
    saved_map, saved_chart = topo.save_state(), first.panels["chart_scenarios"].save_state()
    assert saved_map["scenario"] == "qr_pay" and saved_map["fit"] is False

    first.close()  # closing saves
    first.settings.sync()
    assert first.settings.status() == QSettings.Status.NoError
    assert path.exists()

    second = make_window(view, settings=settings_at(path))  # a fresh QSettings reads the file
    QApplication.processEvents()
    assert abs(second.docks["scenarios"].width() - width) <= 2
    assert not second.docks["feed_health"].isVisible()
    assert second.docks["events"].isVisible()
    assert second.dockWidgetArea(second.docks["events"]) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert second.panels["topology_map"].save_state() == saved_map
    assert second.panels["topology_map"].highlighted_scenario == "qr_pay"
    assert second.panels["chart_scenarios"].save_state() == saved_chart
    assert second.panels["chart_scenarios"].window_s() == 300
    assert second.panels["events"].hidden_kinds == frozenset({EventKind.DEPLOY})


def test_settings_are_kept_per_layout(make_window, view, tmp_path):
    path = tmp_path / "warroom.ini"
    wall = make_window(view, "command-centre", settings=settings_at(path))
    wall.panels["topology_map"].highlight_scenario("qr_pay")
    wall.close()
    wall.settings.sync()

    desk = make_window(view, "commander", settings=settings_at(path))
    assert desk.panels["topology_map"].highlighted_scenario is None
    keys = settings_at(path).allKeys()
    assert "layouts/command-centre/dock_state" in keys and "layouts/command-centre/panels/topology_map" in keys


def dock_sizes(win: MainWindow) -> dict[str, tuple[int, int]]:
    QApplication.processEvents()
    return {pid: (d.width(), d.height()) for pid, d in win.docks.items()}


def close_to(a: dict, b: dict, px: int = 3) -> bool:
    return a.keys() == b.keys() and all(abs(a[k][0] - b[k][0]) <= px and abs(a[k][1] - b[k][1]) <= px for k in a)


def test_bad_saved_state_is_ignored(make_window, view, tmp_path):
    fresh = dock_sizes(make_window(view))
    path = tmp_path / "warroom.ini"
    s = settings_at(path)
    s.setValue("layouts/command-centre/dock_state", QByteArray(b"not a dock state"))
    s.setValue("layouts/command-centre/geometry", QByteArray(b"\x00garbage"))
    s.setValue("layouts/command-centre/panels/chart_scenarios", {"window_s": "soon", "series": 7})
    s.setValue("layouts/command-centre/panels/topology_map", {"zoom": "huge", "fit": False, "scenario": 3})
    s.sync()
    win = make_window(view, settings=settings_at(path))
    live(view)
    win.refresh_now()
    assert all(d.isVisible() for d in win.docks.values())
    assert close_to(dock_sizes(win), fresh), (dock_sizes(win), fresh)  # the layout's sizes, as without settings
    assert win.panels["chart_scenarios"].window_s() == 900  # the layout's
    assert win.panels["topology_map"].highlighted_scenario is None
    assert win.frame_level == "ok"


def test_a_dock_state_of_another_version_leaves_the_layout_sizes(make_window, view, tmp_path):
    """A release that bumps STATE_VERSION: the window geometry restores, Qt refuses the old
    dock state, and the docks must get the layout's sizes (not Qt's cramped defaults).
    Failed before the fix: the restored geometry alone switched the layout's sizes off."""
    first = make_window(view)
    fresh = dock_sizes(first)
    s = settings_at(tmp_path / "warroom.ini")
    s.setValue("layouts/command-centre/geometry", first.saveGeometry())
    s.setValue("layouts/command-centre/dock_state", first.saveState(STATE_VERSION + 1))
    s.sync()
    win = make_window(view, settings=settings_at(tmp_path / "warroom.ini"))
    sizes = dock_sizes(win)
    assert close_to(sizes, fresh), (sizes, fresh)
    assert sizes["scenarios"][0] >= 0.2 * SIZE[0]  # the layout gives the board 24 % of the width


def test_without_settings_nothing_is_saved(make_window, view):
    win = make_window(view)
    win.save_settings()  # no QSettings: a no-op, not an error
    win.restore_settings()


# -- full screen ---------------------------------------------------------------------------
def test_f11_toggles_full_screen(qtbot, make_window, view):
    win = make_window(view)
    with qtbot.waitActive(win, timeout=10_000):  # the shortcut is a window shortcut
        win.activateWindow()
    assert win.isActiveWindow() and not win.isFullScreen()

    qtbot.keyClick(win, Qt.Key.Key_F11)
    qtbot.waitUntil(win.isFullScreen, timeout=5000)
    assert win.windowState() & Qt.WindowState.WindowFullScreen

    qtbot.keyClick(win, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not win.isFullScreen(), timeout=5000)
    assert not win.windowState() & Qt.WindowState.WindowFullScreen


def test_toggle_full_screen_is_what_f11_calls(qtbot, make_window, view):
    win = make_window(view)
    win.toggle_full_screen()
    qtbot.waitUntil(win.isFullScreen, timeout=5000)
    win.toggle_full_screen()
    qtbot.waitUntil(lambda: not win.isFullScreen(), timeout=5000)


def test_the_business_wall_fills_its_funnels_and_kpi_tree_from_five_minutes_of_data(make_window, frames):
    view = LiveView()
    win = make_window(view, "business")
    funnel, tree = win.panels["funnel"], win.panels["kpi_tree"]
    assert funnel.rows == [] and tree.tree is None
    for item in frames:
        view.apply(item)
    live(view)
    win.refresh_now()
    rows = funnel.rows
    assert len(rows) >= 3 and all(len(r.steps) >= 3 for r in rows)
    # Five minutes of a healthy-then-spiking feed: every step has a rate and a conversion.
    assert all(s.rate and (i == 0 or s.conversion) for r in rows for i, s in enumerate(r.steps))
    assert tree.tree is not None and tree.report is not None and len(tree.rows) > 10


# -- layouts -------------------------------------------------------------------------------
def test_an_unknown_layout_names_the_ones_there_are():
    with pytest.raises(LayoutError) as err:
        load_layout("situation-room")
    message = str(err.value)
    assert "situation-room" in message
    for name in LAYOUTS:
        assert name in message


def test_the_console_refuses_an_unknown_layout_before_opening_anything(tmp_path):
    from warroom.ui.app import ConsoleOptions, run_console

    with pytest.raises(LayoutError, match="command-centre, commander, engineer"):
        run_console(ConsoleOptions(url="ws://127.0.0.1:9", layout="situation-room", db=tmp_path / "h.duckdb",
                                   settings=False))
    assert not (tmp_path / "h.duckdb").exists()


def test_the_cli_prints_the_layouts_for_an_unknown_one(capsys, tmp_path):
    from warroom.cli import main

    assert main(["console", "--url", "ws://127.0.0.1:9", "--layout", "situation-room",
                 "--db", str(tmp_path / "h.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "no layout 'situation-room'" in err and "command-centre, commander, engineer" in err


def test_a_dock_with_tab_with_shares_its_place_as_a_tab_and_the_first_stays_in_front(qtbot, tmp_path):
    view = LiveView()
    win = MainWindow(view, load_layout("engineer"), settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    incidents, events = win.docks["incidents"], win.docks["events"]
    assert win.tabifiedDockWidgets(incidents) == [events]
    assert not incidents.visibleRegion().isEmpty() and events.visibleRegion().isEmpty()
    # With the incidents beside the charts, the map has the left column to itself.
    assert win.docks["topology_map"].height() > 0.5 * win.centralWidget().height()
