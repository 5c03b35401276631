"""The series catalogue panel: every series the view has held, flagged ones first, searchable,
sortable, exported as CSV; names from the feed's declarations; hostile text drawn as text."""

from __future__ import annotations

import csv
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from warroom.core.catalogue import infos_from_mapping  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.core.language.lang import set_language  # noqa: E402
from warroom.core.model import SeriesKey, Service  # noqa: E402
from warroom.protocol.messages import MetricBatch, TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui.panels.catalogue.model import COLUMNS, CatalogueModel  # noqa: E402
from warroom.ui.panels.catalogue.panel import CataloguePanel  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402

T0 = 1_767_225_600_000
OK = SeriesKey("service_error_ratio", {"service": "trade"})
BAD = SeriesKey("service_error_ratio", {"service": "coupon"})
QUIET = SeriesKey("scenario_tps", {"scenario": "qr"})
HOSTILE = SeriesKey("service_error_ratio", {"service": "evil\u202e\x1b[2J"})


def _batch(key: SeriesKey, ts, values) -> MetricBatch:
    ts = np.asarray(ts, dtype=np.int64)
    return MetricBatch((key,), np.zeros(len(ts), dtype=np.int32), ts, np.asarray(values, dtype=np.float64))


def _view() -> LiveView:
    view = LiveView()
    topo = Topology([Service("trade", group="core-team"), Service("coupon")])
    topo.series_info = infos_from_mapping({
        "service_error_ratio": {"description": "Failed share", "descriptions": {"zh_CN": "失败比例"}}})
    view.apply(TopologySnapshot(T0, topo))
    ts = T0 + np.arange(120, dtype=np.int64) * 1000
    view.add_batch(_batch(OK, ts, np.full(120, 0.01)))
    view.add_batch(_batch(BAD, ts, np.where(np.arange(120) == 7, 1.3, 0.02)))
    view.add_batch(_batch(QUIET, ts[:30], np.full(30, 40.0)))  # silent for 90 s
    view.add_batch(_batch(HOSTILE, ts, np.full(120, 0.0)))
    return view


def make_panel(qtbot, view=None) -> CataloguePanel:
    panel = CataloguePanel(view or _view())
    qtbot.addWidget(panel)
    panel.resize(1400, 500)
    panel.show()
    panel.settle()
    return panel


def cell(panel, row: int, column: str, role=Qt.ItemDataRole.DisplayRole):
    proxy = panel.proxy
    return proxy.data(proxy.index(row, COLUMNS.index(column)), role)


def test_the_registry_knows_the_panel():
    assert panel_class("catalogue") is CataloguePanel


def test_an_empty_view_says_the_catalogue_fills_as_points_arrive(qtbot):
    panel = make_panel(qtbot, LiveView())
    assert panel.proxy.rowCount() == 0
    assert panel.summary.text() == "No series yet: the catalogue fills as points arrive"


def test_every_series_flagged_ones_first(qtbot):
    panel = make_panel(qtbot)
    shown = [e.key for e in panel.shown_entries()]
    assert shown[:2] == [BAD, QUIET]  # invalid values, then silent, then the rest by name
    assert set(shown) == {OK, BAD, QUIET, HOSTILE}
    assert panel.summary.text() == "4 series  ·  1 silent  ·  1 with invalid values  ·  0 with refused points"
    assert cell(panel, 0, "flags") == "invalid" and cell(panel, 0, "invalid") == "1"
    assert cell(panel, 1, "flags") == "silent" and cell(panel, 1, "last_seen") == "90 s ago"
    assert cell(panel, 0, "unit") == "ratio" and cell(panel, 0, "description") == "Failed share"
    assert cell(panel, 1, "unit") == "/s" and cell(panel, 1, "per_minute") == "60"
    ok_row = shown.index(OK)
    assert cell(panel, ok_row, "owner") == "core-team" and cell(panel, ok_row, "flags") == ""


def test_hostile_series_names_are_drawn_as_text(qtbot):
    panel = make_panel(qtbot)
    row = [e.key for e in panel.shown_entries()].index(HOSTILE)
    text = cell(panel, row, "series")
    assert "\x1b" not in text and "\u202e" not in text and "evil" in text


def test_find_and_flagged_only(qtbot):
    panel = make_panel(qtbot)
    panel.find.setText("error COUPON")
    assert [e.key for e in panel.shown_entries()] == [BAD]
    assert panel.summary.text().endswith("·  1 shown")
    panel.find.setText("")
    panel.flagged.setChecked(True)
    assert {e.key for e in panel.shown_entries()} == {BAD, QUIET}
    state = panel.save_state()
    other = make_panel(qtbot)
    other.restore_state(state)
    assert other.flagged.isChecked() and {e.key for e in other.shown_entries()} == {BAD, QUIET}
    other.restore_state({"find": 3, "flagged": "yes"})  # bad state is ignored


def test_sorting_by_a_number_column(qtbot):
    panel = make_panel(qtbot)
    panel.table.sortByColumn(COLUMNS.index("last_seen"), Qt.SortOrder.DescendingOrder)
    assert panel.shown_entries()[0].key == QUIET  # its last point is the oldest
    assert "30 points" in cell(panel, 0, "per_minute", Qt.ItemDataRole.ToolTipRole)


def test_new_points_update_the_rows_in_place(qtbot):
    view = _view()
    panel = make_panel(qtbot, view)
    panel.table.selectRow(2)
    view.add_batch(_batch(QUIET, [T0 + 120_000], [41.0]))
    panel.settle()
    assert QUIET not in [e.key for e in panel.shown_entries()[:1]]
    assert panel.summary.text().startswith("4 series  ·  0 silent")
    assert view.catalogue.catalogue().get(QUIET).stats.points == 31


def test_refused_points_and_decoder_totals(qtbot):
    view = _view()
    view.protocol_errors = {"non_finite": 5}
    panel = make_panel(qtbot, view)
    view.catalogue.add_refused({OK: 5})
    panel.settle()
    assert "1 with refused points" in panel.summary.text() and "5 refused by the decoder" in panel.summary.text()
    row = [e.key for e in panel.shown_entries()].index(OK)
    assert cell(panel, row, "refused") == "5" and cell(panel, row, "flags") == "refused"


def test_export_writes_the_rows_shown(qtbot, tmp_path):
    panel = make_panel(qtbot)
    panel.find.setText("service_error_ratio")
    out = tmp_path / "catalogue.csv"
    assert panel.export_csv(out) == 3
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["series"] for r in rows] == [e.text for e in panel.shown_entries()]
    assert rows[0]["flags"] == "invalid"


def test_wall_mode_hides_the_desk_controls(qtbot):
    panel = make_panel(qtbot)
    panel.set_wall_mode(True)
    assert not panel.controls.isVisible()
    panel.set_wall_mode(False)
    assert panel.controls.isVisible()


def test_descriptions_in_the_console_s_language(qtbot):
    set_language("zh_CN")
    try:
        panel = make_panel(qtbot)
        assert cell(panel, 0, "description") == "失败比例"
    finally:
        set_language("en")


def test_the_model_keeps_rows_it_already_has(qtbot):
    model = CatalogueModel()
    assert model.set_rows(()) is False


def test_a_big_view_is_read_a_slice_per_frame_and_built_off_the_ui_thread(qtbot, monkeypatch):
    view = LiveView()
    keys = tuple(SeriesKey("service_error_ratio", {"service": f"s{i:03d}"}) for i in range(300))
    for t in range(3):
        view.add_batch(MetricBatch(keys, np.arange(300, dtype=np.int32), np.full(300, T0 + t * 1000, dtype=np.int64),
                                   np.full(300, 0.1)))
    monkeypatch.setattr(CataloguePanel, "budget_s", 0.0)  # one slice of 64 series per frame
    panel = CataloguePanel(view)  # its first look
    qtbot.addWidget(panel)
    live = view.catalogue
    assert not live.pass_done and live.series_count == 0  # the first frame read a slice, folded nothing
    frames = 1
    while panel.proxy.rowCount() < 300 and frames < 100:
        panel.refresh()
        frames += 1
        qtbot.wait(5)
    assert panel.proxy.rowCount() == 300
    assert frames >= 300 // 64
    assert live.catalogue().get(keys[0]).stats.points == 3


def test_copy_gives_the_selected_rows_tab_separated(qtbot):
    from PySide6.QtGui import QGuiApplication

    panel = make_panel(qtbot)
    assert panel.copy_selected() == ""
    panel.table.selectRow(0)
    text = panel.copy_selected()
    header, row = text.split("\n")
    assert header.split("\t")[:3] == ["series", "metric", "labels"]
    assert row.split("\t")[0] == BAD.text and row.endswith("invalid")
    assert QGuiApplication.clipboard().text() == text


def test_a_column_a_person_widened_stays_while_figures_update(qtbot):
    view = _view()
    panel = make_panel(qtbot, view)
    head = panel.table.horizontalHeader()
    head.resizeSection(COLUMNS.index("owner"), 333)
    view.add_batch(_batch(OK, [T0 + 120_000], [0.01]))
    panel.settle()
    assert head.sectionSize(COLUMNS.index("owner")) == 333
