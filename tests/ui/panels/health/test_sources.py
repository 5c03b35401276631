"""The feed's sources on the feed-health panel (protocol 1.3): one line per
``source_up{source=NAME}`` series — OK, FAILING for how long with the error of the source's
last ``feed`` event, SILENT when it stopped reporting — problems first; nothing for a feed
that reports no sources; a failing source makes the panel's level at least ``warn``."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.ui.board_support import feed_series  # noqa: E402
from warroom.core.model import Event, EventKind, SeriesKey, Severity  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.health.panel import FeedHealthPanel  # noqa: E402
from warroom.ui.panels.health.sources import MAX_OK_LINES, source_states  # noqa: E402

T0 = 1_763_605_800_000
NOW = T0 + 100_000
TPS = SeriesKey("scenario_tps", {"scenario": "qr_pay"})


def up(name: str) -> SeriesKey:
    return SeriesKey("source_up", {"source": name})


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


def gateway_view(sources: dict[str, list[tuple[int, float]]], events=()) -> LiveView:
    """A live view of a gateway: a business series up to NOW, the sources' reports, events."""
    view = LiveView()
    points = {TPS: [(ts, 100.0) for ts in range(T0, NOW + 1, 5000)]}
    points.update({up(name): pts for name, pts in sources.items()})
    feed_series(view, points)
    view.add_events(events)
    view.set_feed("live", "live from gateway-1", "ws://gw:8765", now_ms=NOW + 200, errors={})
    return view


def every_5s(start: int, end: int, value: float) -> list[tuple[int, float]]:
    return [(ts, value) for ts in range(start, end + 1, 5000)]


def failing_event(name: str, ts: int, error: str) -> Event:
    return Event(f"{name}:failing:{ts}", ts, EventKind.FEED, "source:" + name, f"Prometheus unreachable: {error}",
                 Severity.P2, {"source": name, "state": "failing", "error": error, "kind": "unreachable"})


def make_panel(qtbot, view: LiveView) -> FeedHealthPanel:
    panel = FeedHealthPanel(view)
    qtbot.addWidget(panel)
    panel.resize(900, 320)
    panel.show()
    qtbot.waitExposed(panel)
    QApplication.processEvents()  # the layout that followed the resize
    return panel


def test_a_failing_source_shows_how_long_and_why_and_raises_the_level(qtbot):
    view = gateway_view({
        "prometheus:topology": every_5s(T0, T0 + 60_000, 1.0) + every_5s(T0 + 65_000, NOW, 0.0),
        "prometheus:scenario:qr_pay": every_5s(T0, NOW, 1.0),
    }, [failing_event("prometheus:topology", T0 + 65_000, "connection refused")])
    panel = make_panel(qtbot, view)
    assert panel.sources.isVisible()
    assert panel.sources.lines() == ["prometheus:topology  FAILING  35 s — connection refused",
                                     "prometheus:scenario:qr_pay  OK"]
    assert panel.level == "warn", "the feed is live and fresh, but part of it is not coming in"
    word = panel.sources._rows[0][1]
    assert word.styleSheet() == f"color: {theme.current().status_color('warn').name()};"


def test_all_sources_ok_keep_the_level_ok(qtbot):
    view = gateway_view({"prometheus:topology": every_5s(T0, NOW, 1.0)})
    panel = make_panel(qtbot, view)
    assert panel.sources.lines() == ["prometheus:topology  OK"]
    assert panel.level == "ok"


def test_a_recovered_source_is_ok_again(qtbot):
    view = gateway_view({"prometheus:topology": every_5s(T0, T0 + 30_000, 0.0) + every_5s(T0 + 35_000, NOW, 1.0)},
                        [failing_event("prometheus:topology", T0, "timeout")])
    panel = make_panel(qtbot, view)
    assert panel.sources.lines() == ["prometheus:topology  OK"] and panel.level == "ok"


def test_a_source_failing_from_the_start_counts_from_its_first_report(qtbot):
    view = gateway_view({"prometheus:topology": every_5s(T0 + 40_000, NOW, 0.0)})
    (state,) = source_states(view)
    assert (state.state, state.since_ms, state.error) == ("failing", T0 + 40_000, "")
    panel = make_panel(qtbot, view)
    assert panel.sources.lines() == ["prometheus:topology  FAILING  1 min 0 s"]


def test_a_source_that_stopped_reporting_is_silent(qtbot):
    view = gateway_view({"prometheus:kpi:orders": every_5s(T0, T0 + 10_000, 1.0)})
    panel = make_panel(qtbot, view)
    assert panel.sources.lines() == ["prometheus:kpi:orders  SILENT  no report for 1 min 30 s"]
    assert panel.level == "warn"


def test_a_feed_without_sources_shows_none(qtbot):
    view = gateway_view({})
    panel = make_panel(qtbot, view)
    assert panel.sources.isHidden() and panel.level == "ok"


def test_many_sources_that_answer_share_a_line_and_problems_come_first(qtbot):
    names = [f"prometheus:scenario:s{i}" for i in range(MAX_OK_LINES + 2)]
    sources = {n: every_5s(T0, NOW, 1.0) for n in names}
    sources["prometheus:topology"] = every_5s(T0, NOW, 0.0)
    view = gateway_view(sources)
    panel = make_panel(qtbot, view)
    lines = panel.sources.lines()
    assert lines[0].startswith("prometheus:topology  FAILING")
    assert lines[1] == f"{len(names)} sources  OK  prometheus ×{len(names)}"  # by system: legible from afar
    assert len(lines) == 2


def test_a_long_error_is_elided_not_widening_the_panel(qtbot):
    error = "Get \"http://prometheus.monitoring.svc:9090/api/v1/query\": dial tcp 10.0.0.9:9090: " + "x" * 300
    view = gateway_view({"prometheus:topology": every_5s(T0, NOW, 0.0)},
                        [failing_event("prometheus:topology", T0, error)])
    panel = make_panel(qtbot, view)
    detail = panel.sources._rows[0][2]
    assert detail.full().endswith(error)
    shown = detail.text()
    assert "…" in shown and shown.startswith("1 min 40 s — Get") and shown.endswith("xxx"), shown
    assert detail.toolTip() == detail.full()
    assert panel.width() == 900


def test_a_source_polled_every_five_minutes_is_not_silent_between_polls(qtbot):
    # A slow KPI query polled every 5 min last reported 4 min ago: it is on schedule. A 5 s
    # source that stopped 4 min ago is silent.
    slow = [(ts, 1.0) for ts in range(NOW - 40 * 60_000, NOW - 4 * 60_000 + 1, 5 * 60_000)]
    stopped = every_5s(NOW - 30 * 60_000, NOW - 4 * 60_000, 1.0)
    view = gateway_view({"prometheus:kpi:slow": slow, "prometheus:topology": stopped})
    states = {s.name: s.state for s in make_panel(qtbot, view).sources.states}
    assert states == {"prometheus:kpi:slow": "ok", "prometheus:topology": "silent"}


def test_a_dead_prometheus_is_one_line_with_its_cause_not_a_column_of_names(qtbot):
    # Prometheus down takes every query group with it: the panel says so once, with the reason.
    names = ["prometheus:topology"] + [f"prometheus:scenario:s{i}" for i in range(6)]
    sources = {n: every_5s(T0, NOW, 1.0)[:-6] + every_5s(NOW - 25_000, NOW, 0.0) for n in names}
    events = [failing_event(n, NOW - 25_000, "connection refused") for n in names]
    panel = make_panel(qtbot, gateway_view(sources, events))
    assert panel.sources.lines() == ["7 sources  FAILING  prometheus — 25 s — connection refused"]
