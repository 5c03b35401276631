"""The live inspector panel: watch, pause, filter, copy; errors inline; open only while shown.

Frames go through the real decoder into the real ``Inspector``; the client is a stand-in with
the one attribute the inspector taps (the app tests run the real client against a feed).
"""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication  # noqa: E402

from warroom.app.inspector import Inspector  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.core.model import SeriesKey, Service  # noqa: E402
from warroom.protocol import Decoder, MetricBatch, encode  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.inspector.model import ROW_COLUMNS  # noqa: E402
from warroom.ui.panels.inspector.panel import TAB_FRAMES, InspectorPanel  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402

T0 = 1_765_000_000_000
TRADE = SeriesKey("service_tps", {"service": "trade"})
RISK = SeriesKey("service_tps", {"service": "risk-control"})


class Client:
    def __init__(self) -> None:
        self.tap = None
        self.decoder = Decoder(wall_clock=lambda: T0)

    def receive(self, frame: str) -> None:
        result = self.decoder.decode(frame, T0 + 10_000)
        if self.tap is not None:
            self.tap(frame, result, T0 + 10_000)


def metrics(t: int) -> str:
    return encode(MetricBatch.from_points([(TRADE, t, 120.5), (RISK, t, 80.25)])).decode()


def make_panel(qtbot, *, live: bool = True) -> tuple[InspectorPanel, Client, LiveView]:
    view, client = LiveView(), Client()
    topo = Topology()
    topo.add_service(Service("trade"))
    topo.add_service(Service("risk-control"))
    view.topology = topo
    view.add_batch(MetricBatch.from_points([(TRADE, T0, 1.0), (RISK, T0, 1.0)]))
    if live:
        view.inspector = Inspector(client)
    panel = InspectorPanel(view)
    qtbot.addWidget(panel)
    panel.resize(1100, 600)
    panel.show()
    return panel, client, view


def cell(panel: InspectorPanel, row: int, column: str, role=Qt.ItemDataRole.DisplayRole):
    model = panel.rows_model
    return model.data(model.index(row, ROW_COLUMNS.index(column)), role)


def test_the_registry_knows_the_panel():
    assert panel_class("inspector") is InspectorPanel


def test_the_client_is_tapped_only_while_the_panel_is_shown(qtbot):
    panel, client, view = make_panel(qtbot)
    assert client.tap == view.inspector.on_frame
    panel.hide()
    assert client.tap is None
    client.receive(metrics(T0 + 1000))
    panel.show()
    panel.refresh()
    assert panel.rows_model.rows == [] and view.inspector.counts["frames"] == 0


def test_a_malformed_frame_shows_inline_in_red_between_the_points(qtbot):
    panel, client, _ = make_panel(qtbot)
    panel.watch_box.setEditText("service:trade")
    panel.apply_watch()
    client.receive(metrics(T0 + 1000))
    client.receive('{"v":1,"type":"metrics","series":[{"name":"service_tps"')
    client.receive(metrics(T0 + 2000))
    panel.refresh()
    assert [(cell(panel, i, "kind"), cell(panel, i, "what"), cell(panel, i, "value")) for i in range(3)] == [
        ("point", 'service_tps{service="trade"}', "120.5"),
        ("ERROR", cell(panel, 1, "what"), ""),
        ("point", 'service_tps{service="trade"}', "120.5"),
    ]
    assert cell(panel, 1, "what").startswith("malformed_json: not JSON: ")
    assert cell(panel, 1, "what", Qt.ItemDataRole.ForegroundRole) == QColor(theme.current().crit)
    assert cell(panel, 0, "what", Qt.ItemDataRole.ForegroundRole) is None
    assert panel.error_line.isVisible() and panel.error_line.text().startswith("1 protocol errors")
    assert "service trade" in panel.status.text() and "3 frames" in panel.status.text()


def test_selecting_a_row_shows_its_frame_as_sent_and_copy_frame_copies_it(qtbot):
    panel, client, _ = make_panel(qtbot)
    client.receive(metrics(T0 + 1000))
    client.receive("not json at all")
    panel.refresh()
    panel.rows_table.selectRow(0)  # newest first: the error
    assert panel.frame_heading.text().startswith("Frame 2 · (refused) · text · 15 bytes")
    assert panel.copy_frame().endswith("not json at all") and panel.copy_frame().startswith("# malformed_json: ")
    panel.rows_table.selectRow(1)
    assert json.loads(panel.copy_frame())["type"] == "metrics"
    assert QGuiApplication.clipboard().text() == panel.copy_frame()
    panel.tabs.setCurrentIndex(TAB_FRAMES)
    assert [panel.frames_model.text(f, "type") for f in panel.frames_model.rows] == ["(refused)", "metrics"]


def test_the_selection_stays_on_its_row_while_rows_arrive(qtbot):
    panel, client, _ = make_panel(qtbot)
    client.receive(metrics(T0 + 1000))
    panel.refresh()
    panel.rows_table.selectRow(1)
    chosen = panel.rows_model.rows[1]
    client.receive(metrics(T0 + 2000))
    panel.refresh()
    row = panel.rows_table.selectionModel().currentIndex().row()
    assert panel.rows_model.rows[row] is chosen and row == 3


def test_pause_freezes_the_rows_and_says_how_many_frames_came_since(qtbot):
    panel, client, _ = make_panel(qtbot)
    client.receive(metrics(T0 + 1000))
    panel.pause_button.click()
    client.receive(metrics(T0 + 2000))
    client.receive(metrics(T0 + 3000))
    panel.refresh()
    assert len(panel.rows_model.rows) == 2
    assert "PAUSED: 2 frames arrived since" in panel.status.text() and panel.pause_button.text() == "Resume"
    panel.pause_button.click()
    panel.refresh()
    assert len(panel.rows_model.rows) == 6 and panel.pause_button.text() == "Pause"


def test_filter_and_copy_give_the_rows_shown_as_tab_separated_text(qtbot):
    panel, client, _ = make_panel(qtbot)
    client.receive(metrics(T0 + 1000))
    client.receive(metrics(T0 + 2000))
    panel.filter_edit.setText("risk")
    assert [r.subject for r in panel.rows_model.rows] == [RISK.text, RISK.text]
    lines = panel.copy_rows().splitlines()
    assert lines[0].startswith("kind\tframe\t") and len(lines) == 3
    assert [ln.split("\t")[3] for ln in lines[1:]] == ["2025-12-06T05:46:41.000Z", "2025-12-06T05:46:42.000Z"]
    panel.rows_table.selectRow(0)
    assert len(panel.copy_rows().splitlines()) == 2


def test_the_watch_list_offers_services_metrics_and_series_and_a_bad_watch_is_said(qtbot):
    panel, _, view = make_panel(qtbot)
    panel.fill_watch_list()
    items = [panel.watch_box.itemText(i) for i in range(panel.watch_box.count())]
    assert items[:3] == ["Everything", "service:risk-control", "service:trade"]
    assert "metric:service_tps" in items and TRADE.text in items
    panel.watch_box.setCurrentIndex(items.index(TRADE.text))
    panel.apply_watch()
    assert view.inspector.watch.text == f"series:{TRADE.text}"
    panel.watch_box.setEditText('service_tps{service="trade"')
    panel.apply_watch()
    assert panel.error_line.isVisible() and panel.error_line.text().startswith("Not something to watch: ")
    assert view.inspector.watch.text == f"series:{TRADE.text}", "the last good watch stays"
    panel.watch_box.setCurrentIndex(0)
    panel.apply_watch()
    assert view.inspector.watch.kind == "all" and not panel.error_line.isVisible()


def test_state_keeps_the_watch_and_the_filter(qtbot):
    panel, _, _ = make_panel(qtbot)
    panel.watch_box.setEditText("metric:service_tps")
    panel.apply_watch()
    panel.filter_edit.setText("trade")
    state = panel.save_state()
    assert state == {"watch": "metric:service_tps", "filter": "trade"}
    other, _, other_view = make_panel(qtbot)
    other.restore_state(state)
    assert other_view.inspector.watch.text == "metric:service_tps" and other.filter_edit.text() == "trade"
    other.restore_state({"watch": "metric:", "filter": 7})  # bad saved state: ignored
    assert other_view.inspector.watch.text == "metric:service_tps"


def test_a_replay_has_no_frames_and_the_panel_says_so(qtbot):
    panel, _, _ = make_panel(qtbot, live=False)
    assert panel.stack.currentIndex() == 0
    panel.refresh()  # nothing to do, nothing raised
    assert "replay" in panel.findChild(type(panel.status), "inspector_off").text()


# -- opened from the console ---------------------------------------------------------------------
def test_the_key_opens_the_inspector_beside_the_panels_and_closing_it_stops_the_tap(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from warroom.core.settings.layouts import load_layout
    from warroom.ui.main_window import MainWindow

    view, client = LiveView(), Client()
    view.inspector = Inspector(client)
    win = MainWindow(view, load_layout("engineer"), settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.resize(1600, 900)
    win.show()
    assert client.tap is None, "no inspector in the layout: nobody watches"
    panel = win.open_panel("inspector", toggle=True)
    assert isinstance(panel, InspectorPanel) and panel.isVisible()
    assert client.tap == view.inspector.on_frame
    assert win.docks["opened_inspector"].windowTitle() == "Live inspector"
    panel.inspect("service:trade")  # what another panel does after opening it
    assert view.inspector.watch.text == "service:trade" and panel.watch_box.currentText() == "service:trade"
    assert win.open_panel("inspector", toggle=True) is None
    assert client.tap is None
    assert win.open_panel("inspector") is panel and client.tap is not None
    win.set_wall_mode(True)
    assert client.tap is None and not panel.isVisible(), "a wall has no desk tools"
    assert win.open_panel("inspector") is None and client.tap is None
    win.set_wall_mode(False)
    assert win.open_panel("inspector") is panel and client.tap is not None
    win.close()
    assert client.tap is None


def test_a_service_on_the_map_is_inspected_from_its_detail_window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from warroom.core.settings.layouts import load_layout
    from warroom.ui.main_window import MainWindow
    from warroom.ui.panels.map.service_detail import ServiceDetailView

    view, client = LiveView(), Client()
    topo = Topology()
    topo.add_service(Service("trade"))
    view.topology = topo
    view.inspector = Inspector(client)
    win = MainWindow(view, load_layout("engineer"), settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    detail = ServiceDetailView(view, win.central_panel)
    detail.show_service("trade")
    assert detail.inspect_action in detail.actions()
    panel = detail.inspect_service()
    assert isinstance(panel, InspectorPanel) and panel.isVisible()
    assert view.inspector.watch.text == "service:trade" and client.tap is not None
    replay_detail = ServiceDetailView(LiveView(), win.central_panel)  # a replay's view: nothing to inspect
    assert replay_detail.inspect_action not in replay_detail.actions()
    win.close()
