"""The scenario board: worst scenario first, what each row shows, stable ranking, the
selection signal and saved thresholds."""

from __future__ import annotations

import dataclasses

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QColor, QFontMetricsF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, SimFeed, feed_series  # noqa: E402
from warroom.core.model import Scenario, SeriesKey, Service, ServiceKind  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.kpi.panel import KpiThresholds  # noqa: E402
from warroom.ui.panels.scenarios.panel import (COL_STATUS, COL_SUCCESS, COL_TITLE, COL_TPS, ScenarioBoardPanel,  # noqa: E402
                                         scenario_rows, wrap_title)


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


@pytest.fixture(scope="module")
def outage() -> SimFeed:
    """Two healthy minutes, then 20 s of bank-icbc down."""
    feed = SimFeed(120)
    feed.bank_outage(20)
    return feed


def make_panel(qtbot, view: LiveView) -> ScenarioBoardPanel:
    panel = ScenarioBoardPanel(view)
    qtbot.addWidget(panel)
    panel.resize(560, 720)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def shown(panel: ScenarioBoardPanel, row: int, col: int, role=Qt.ItemDataRole.DisplayRole):
    return panel.model.index(row, col).data(role)


def success_of(view: LiveView, scenario: str) -> float:
    return view.value(SeriesKey("scenario_success_ratio", {"scenario": scenario}))


def test_qr_pay_is_listed_first_after_a_bank_outage(qtbot, outage):
    panel = make_panel(qtbot, outage.view)
    view = outage.view
    assert panel.model.rowCount() == len(outage.scenarios) == 8
    assert shown(panel, 0, COL_TITLE) == "QR-code payment"
    assert panel.model.rows[0].id == "qr_pay"
    ratio = success_of(view, "qr_pay")
    assert ratio < 0.7
    assert shown(panel, 0, COL_SUCCESS) == f"{int(ratio * 10000) / 100:.2f}%"
    tps = view.value(SeriesKey("scenario_tps", {"scenario": "qr_pay"}))
    assert shown(panel, 0, COL_TPS) == f"{tps:,.0f}"
    assert shown(panel, 0, COL_STATUS) == "CRIT"
    assert shown(panel, 0, COL_SUCCESS, Qt.ItemDataRole.ForegroundRole) == theme.DARK.color("crit")
    # Worst first all the way down: scenarios that avoid the bank (transfer, bill query,
    # settlement) are at the bottom.
    # A fresh board is in exact order (later frames keep ties in a 0.1-point bucket still).
    ratios = [success_of(view, r.id) for r in panel.model.rows]
    assert ratios == sorted(ratios)
    assert {r.id for r in panel.model.rows[-3:]} == {"transfer", "bill_query", "settlement"}


def test_healthy_rows_use_the_success_thresholds(qtbot):
    feed = SimFeed(30)
    panel = make_panel(qtbot, feed.view)
    t = KpiThresholds()
    for i, row in enumerate(panel.model.rows):
        assert row.level == t.success_level(success_of(feed.view, row.id))
        assert shown(panel, i, COL_STATUS) == {"ok": "OK", "warn": "WARN", "crit": "CRIT"}[row.level]
    assert all(r.level != "crit" for r in panel.model.rows)


def test_clicking_a_scenario_emits_its_id(qtbot, outage):
    panel = make_panel(qtbot, outage.view)
    row = [r.id for r in panel.model.rows].index("bank_card_pay")
    rect = panel.table.visualRect(panel.model.index(row, COL_TITLE))
    with qtbot.waitSignal(panel.sig_scenario_selected, timeout=1000) as blocker:
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["bank_card_pay"]
    assert panel.selected_scenario == "bank_card_pay"


def _two_scenario_view() -> LiveView:
    topo = Topology([Service("gw", ServiceKind.CHANNEL)], [],
                    [Scenario(sid, title, "gw", ()) for sid, title in (("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"))])
    view = LiveView()
    view.apply(TopologySnapshot(BUSY_HOUR_MS, topo))
    return view


def _success(view: LiveView, ts: int, **ratios: float) -> None:
    feed_series(view, {SeriesKey("scenario_success_ratio", {"scenario": s}): [(ts, r)] for s, r in ratios.items()}
                | {SeriesKey("scenario_tps", {"scenario": s}): [(ts, 100.0)] for s in ratios})


def test_ranking_is_stable_while_nothing_really_changed(qtbot):
    view = _two_scenario_view()
    _success(view, BUSY_HOUR_MS, a=0.9501, b=0.9504, c=0.999)
    assert [r.id for r in scenario_rows(view, KpiThresholds(), previous=["b", "a", "c"])] == ["b", "a", "c"]
    panel = make_panel(qtbot, view)
    assert [r.id for r in panel.model.rows] == ["a", "b", "c"]
    # A hair apart in the other direction: same 0.1-point bucket, so no swap.
    _success(view, BUSY_HOUR_MS + 1000, a=0.9504, b=0.9501, c=0.999)
    panel.refresh()
    assert [r.id for r in panel.model.rows] == ["a", "b", "c"]
    # A real difference re-ranks.
    _success(view, BUSY_HOUR_MS + 2000, a=0.97, b=0.9501, c=0.999)
    panel.refresh()
    assert [r.id for r in panel.model.rows] == ["b", "a", "c"]


def test_the_selection_follows_its_scenario_when_rows_move(qtbot):
    view = _two_scenario_view()
    _success(view, BUSY_HOUR_MS, a=0.90, b=0.95, c=0.999)
    panel = make_panel(qtbot, view)
    rect = panel.table.visualRect(panel.model.index(2, COL_TITLE))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.selected_scenario == "c"
    _success(view, BUSY_HOUR_MS + 1000, a=0.90, b=0.95, c=0.5)
    panel.refresh()
    assert panel.model.rows[0].id == "c"
    assert [i.row() for i in panel.table.selectionModel().selectedRows()] == [0]


def test_scenarios_without_data_go_last_with_a_dash(qtbot):
    view = _two_scenario_view()
    _success(view, BUSY_HOUR_MS, b=0.999, c=0.98)
    panel = make_panel(qtbot, view)
    assert [r.id for r in panel.model.rows] == ["c", "b", "a"]
    assert shown(panel, 2, COL_SUCCESS) == "—"
    assert shown(panel, 2, COL_TPS) == "—"
    assert shown(panel, 2, COL_STATUS) == "NO DATA"


def test_a_flow_with_no_transactions_has_no_success_rate_not_100_percent(qtbot):
    """A flow whose job stopped sends 0 entering, 0 successful and (from some feeds) a success
    ratio of 1: the board must not show a stopped flow as a healthy 100 %."""
    view = _two_scenario_view()
    _success(view, BUSY_HOUR_MS, a=0.999, b=1.0, c=0.999)
    feed_series(view, {SeriesKey("scenario_tps", {"scenario": "b"}): [(BUSY_HOUR_MS + 1000, 0.0)],
                       SeriesKey("scenario_requests_rate", {"scenario": "b"}): [(BUSY_HOUR_MS + 1000, 0.0)],
                       SeriesKey("scenario_success_ratio", {"scenario": "b"}): [(BUSY_HOUR_MS + 1000, 1.0)]})
    panel = make_panel(qtbot, view)
    row = next(r for r in panel.model.rows if r.id == "b")
    assert row.success is None and row.level not in ("ok", "warn", "crit")
    i = [r.id for r in panel.model.rows].index("b")
    assert shown(panel, i, COL_SUCCESS) == "—" and shown(panel, i, COL_TPS) == "0"


def test_scenario_rows_is_pure_and_takes_thresholds():
    view = _two_scenario_view()
    _success(view, BUSY_HOUR_MS, a=0.995, b=0.98, c=0.9995)
    rows = scenario_rows(view, KpiThresholds(success_warn=0.99, success_crit=0.95))
    assert [(r.id, r.level) for r in rows] == [("b", "warn"), ("a", "ok"), ("c", "ok")]


def test_thresholds_are_saved_and_restored(qtbot):
    view = _two_scenario_view()
    _success(view, BUSY_HOUR_MS, a=0.995, b=0.98, c=0.9995)
    panel = make_panel(qtbot, view)
    assert shown(panel, 1, COL_STATUS) == "OK"  # a at 99.5% meets the default 99% goal
    panel.restore_state({"thresholds": {"success_warn": 0.999, "success_crit": "x"}})
    assert shown(panel, 1, COL_STATUS) == "WARN"
    assert panel.save_state() == {"thresholds": {"success_warn": 0.999, "success_crit": 0.97}}


def test_screenshot_of_the_board(qtbot, outage):
    panel = make_panel(qtbot, outage.view)
    image = panel.grab()
    assert image.save("/tmp/scenarios.png")


# -- on the wall -----------------------------------------------------------------------------
def test_a_long_title_wraps_between_words_where_the_lines_are_most_even():
    metrics = QFontMetricsF(theme.ui_font(17.0))
    title = "Top-up from bank card"
    width = metrics.horizontalAdvance("Top-up from") + 4
    assert wrap_title(title, metrics, width) == ("Top-up from", "bank card")
    assert wrap_title("Refund", metrics, width) == ("Refund",)
    # One word too long for the line: cut where the width ends, the rest on the next line.
    width = metrics.horizontalAdvance("余额支付") + 2
    assert wrap_title("余额支付转账服务", metrics, width) == ("余额支付", "转账服务")
    # What two lines cannot hold is elided, never drawn over the next column.
    first, second = wrap_title("余额支付与转账服务", metrics, width)
    assert first == "余额支付" and second.endswith("…") and metrics.horizontalAdvance(second) <= width


def test_the_wall_board_shows_every_scenario_and_every_title_whole(qtbot, outage):
    """At the command-centre's size (a side dock 420 px wide): eight rows without a scroll
    bar, and no title elided (they once were cut to "QR-code…")."""
    panel = make_panel(qtbot, outage.view)
    panel.resize(420, 600)
    QApplication.processEvents()
    assert panel.model.rowCount() == 8
    assert not panel.table.verticalScrollBar().isVisible()
    last = panel.table.visualRect(panel.model.index(7, COL_TITLE))
    assert panel.table.viewport().rect().contains(last)
    width = panel.table.columnWidth(COL_TITLE) - 16
    for row in panel.model.rows:
        font, lines = panel.delegate._lay_out(row.title, width)
        assert "".join(lines).replace(" ", "") == row.title.replace(" ", ""), (row.title, lines)
        assert font.pointSizeF() >= 17.0 * 0.8


def test_only_the_cells_that_changed_are_repainted(qtbot, outage):
    panel = make_panel(qtbot, outage.view)
    changed = []
    panel.model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), a.column(), b.column())))
    rows = panel.model.rows
    same = list(rows)
    same[2] = dataclasses.replace(same[2], tps=(same[2].tps or 0) + 1)
    panel.model.set_rows(same)
    assert changed == [(2, COL_TPS, COL_TPS)]


@pytest.mark.parametrize("th", [theme.DARK, theme.LIGHT], ids=["dark", "light"])
def test_the_board_background_is_the_theme_surface(qtbot, outage, th):
    """Cells are drawn by the board's delegate on the table's own background, which must be
    painted (a viewport marked opaque once showed garbage there: black on the light theme)."""
    theme.apply(th, 14)
    try:
        panel = make_panel(qtbot, outage.view)
        QApplication.processEvents()
        image = panel.table.viewport().grab().toImage()
        rect = panel.table.visualRect(panel.model.index(0, COL_TPS))
        pixel = image.pixelColor(rect.left() + 3, rect.top() + 3)  # left of the right-aligned number
        want = QColor(th.surface)
        assert abs(pixel.red() - want.red()) + abs(pixel.green() - want.green()) + abs(pixel.blue() - want.blue()) < 24, (
            pixel.name(), th.surface)
    finally:
        theme.apply(theme.DARK, 14)


def test_tooltip_carries_the_error_budget_burn_of_the_last_hour(qtbot, outage):
    import numpy as np

    from warroom.core.northstar.mttx import error_budget
    from warroom.ui.panels.scenarios.panel import ID_ROLE, scenario_burn

    ts, ratios = outage.view.window(SeriesKey("scenario_success_ratio", {"scenario": "qr_pay"}), 3_600_000)
    expected = error_budget(np.asarray(ratios), np.asarray(ts), target=0.99, window_s=3600).burn_rate
    burn = scenario_burn(outage.view, "qr_pay", 0.99)
    assert burn == pytest.approx(expected)
    assert burn > 1.0, "an outage burns the budget faster than it accrues"
    assert scenario_burn(outage.view, "settlement", 0.99) < 1.0, "a scenario without the bank stays in budget"
    assert scenario_burn(outage.view, "no-such-scenario", 0.99) is None
    panel = make_panel(qtbot, outage.view)
    i = next(r for r in range(panel.model.rowCount()) if shown(panel, r, 1, ID_ROLE) == "qr_pay")
    assert f"{burn:.1f}×" in shown(panel, i, 1, Qt.ItemDataRole.ToolTipRole)
