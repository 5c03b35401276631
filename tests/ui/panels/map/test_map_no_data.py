"""A service that stops sending data turns grey on the map with "no data for N s" (issue 14,
item 4), instead of staying green with its last values; a job judged by its cadence is not
"no data" between two runs; a whole feed gone stale is the stale banner's, not each box's."""

from __future__ import annotations

import os
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.ui.board_support import BUSY_HOUR_MS, feed_series  # noqa: E402
from warroom.core.alerting.cadence import silent_after_s  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.core.model import CallEdge, SeriesKey, Service, ServiceKind  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.map.panel import TopologyMapPanel  # noqa: E402
from warroom.ui.panels.map.silence import silent_for_s  # noqa: E402

JOB_CADENCE_S = 300.0


def keys(name: str) -> list[SeriesKey]:
    s = {"service": name}
    return [SeriesKey("service_requests_rate", s), SeriesKey("service_error_ratio", s),
            SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}),
            SeriesKey("service_saturation_ratio", s)]


def healthy(name: str, ts: int) -> dict[SeriesKey, list[tuple[int, float]]]:
    return dict(zip(keys(name), ([(ts, 120.0)], [(ts, 0.001)], [(ts, 0.05)], [(ts, 0.2)])))


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


@pytest.fixture
def view() -> LiveView:
    v = LiveView()
    topology = Topology([Service("web", entry=True), Service("orders-db", ServiceKind.DATABASE),
                         Service("settlement", ServiceKind.JOB, cadence_s=JOB_CADENCE_S)],
                        [CallEdge("web", "orders-db")])
    v.apply(TopologySnapshot(BUSY_HOUR_MS, topology))
    return v


def run(view: LiveView, seconds: int, *, dead: set[str] = frozenset(), start_s: int = 0) -> None:
    """Web and the database report every second (except ``dead`` ones); the job once, at start."""
    for s in range(start_s, start_s + seconds):
        ts = BUSY_HOUR_MS + s * 1000
        points: dict = {}
        for name in ("web", "orders-db"):
            if name not in dead:
                points.update(healthy(name, ts))
        if s == 0:
            points[SeriesKey("job_last_success_timestamp_seconds", {"service": "settlement"})] = [(ts, ts / 1000)]
        feed_series(view, points)


def make_panel(qtbot, view: LiveView) -> TopologyMapPanel:
    panel = TopologyMapPanel(view)
    qtbot.addWidget(panel)
    panel.resize(1200, 700)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: not panel.busy and "orders-db" in panel.nodes)
    panel.refresh()
    return panel


def test_a_service_that_stops_reporting_turns_grey_and_says_for_how_long(qtbot, view):
    run(view, 60)
    panel = make_panel(qtbot, view)
    db = panel.nodes["orders-db"]
    assert db.level == "ok" and not db.no_data
    run(view, 20, dead={"orders-db"}, start_s=60)  # 20 s of silence: under the 30 s limit
    panel.refresh()
    assert db.level == "ok" and not db.no_data
    run(view, 25, dead={"orders-db"}, start_s=80)  # 45 s now
    panel.refresh()
    assert db.no_data and db.level == "unknown"
    assert db.caption == "no data for 45 s"
    assert db.border_color == theme.DARK.status_color("unknown")
    assert "no data for 45 s" in panel.tooltip_for(db)
    assert not panel.nodes["web"].no_data and panel.nodes["web"].level == "ok"
    panel.set_unhealthy_only(True)  # a dead service is unhealthy
    assert db.isVisible() and not panel.nodes["web"].isVisible()
    panel.set_unhealthy_only(False)
    run(view, 2, start_s=105)  # it comes back
    panel.refresh()
    assert not db.no_data and db.level == "ok" and "err" in db.caption


def test_service_up_zero_is_no_data_at_once(view):
    run(view, 30)
    cursor = view.cursor_ms
    feed_series(view, {SeriesKey("service_up", {"service": "orders-db"}): [(cursor, 0.0)]})
    assert silent_for_s("orders-db", view.value, view.window, cursor) == 0.0
    assert silent_for_s("web", view.value, view.window, cursor) is None


def test_a_job_is_judged_by_its_cadence_not_by_the_seconds_between_runs(qtbot, view):
    run(view, 200)  # the job reported once, 199 s ago: within its 5-minute cadence
    panel = make_panel(qtbot, view)
    job = panel.nodes["settlement"]
    assert not job.no_data
    limit = silent_after_s(30.0, JOB_CADENCE_S)
    run(view, int(limit) - 200 + 10, start_s=200)  # past one cadence and its grace
    panel.refresh()
    assert job.no_data and job.caption == f"no data for {int(limit) + 9:,} s"


def test_a_stale_feed_greys_the_whole_map_not_each_box(qtbot, view):
    """When the feed itself stops, every series stops with the cursor: no box is "no data";
    the stale banner's grey (``set_stale``) covers them all."""
    run(view, 60)
    panel = make_panel(qtbot, view)
    panel.drawing.set_stale(True)
    panel.refresh()
    assert not any(node.no_data for node in panel.nodes.values())
    assert all(node.border_color == theme.DARK.status_color("unknown") for node in panel.nodes.values())


def test_a_root_cause_whose_numbers_look_fine_is_never_drawn_green(qtbot, view):
    """A stalled job or a consumer behind its queue has healthy-looking rates: named as the
    root cause by a firing alert, its box is amber, not green beside a ROOT CAUSE badge."""
    class Watch:  # what the map reads of the console's AlertWatch
        version, roots = 0, []

        def alerts(self):
            return [SimpleNamespace(is_root=True, root_cause=r, state="firing") for r in self.roots]

        def incidents(self):
            return []

    run(view, 60)
    view.alerting = watch = Watch()
    panel = make_panel(qtbot, view)
    assert panel.nodes["orders-db"].level == "ok"
    watch.version, watch.roots = 1, ["orders-db"]
    panel.refresh()  # no new numbers: the new root alone recolours its box
    assert panel.nodes["orders-db"].level == "warn" and panel.nodes["web"].level == "ok"
    assert panel.nodes["orders-db"].root_cause
    watch.version, watch.roots = 2, []
    panel.refresh()
    assert panel.nodes["orders-db"].level == "ok"
