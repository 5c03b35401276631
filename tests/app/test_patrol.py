"""The patrol runner: a history file (two days of traffic and a window), a live simulator feed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from tests.core.patrol import world
from warroom.app.patrol import PatrolError, PatrolLog, PatrolSchedule, patrol_history, patrol_view, watch_feed
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.core.patrol import patrol_event
from warroom.io.server import FeedServer
from warroom.protocol.messages import MetricBatch, TopologySnapshot
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.store import StoreWriter
from warroom.store.live import LiveView

START = world.T0 + 2 * world.DAY_MS + 10 * world.HOUR


def _batch(series: dict[SeriesKey, tuple[np.ndarray, np.ndarray]]) -> MetricBatch:
    keys = tuple(series)
    index = np.concatenate([np.full(series[k][0].size, i) for i, k in enumerate(keys)])
    ts = np.concatenate([series[k][0] for k in keys])
    values = np.concatenate([series[k][1] for k in keys])
    order = np.argsort(ts, kind="stable")
    return MetricBatch(keys, index[order], ts[order], values[order])


def write_history(path, *, trade_peak=1100.0, trade_error=0.001, events=()):
    """Two days of request rates, then a 15-minute window: the file a console would have recorded."""
    writer = StoreWriter(path, flush_interval_s=0.05)
    writer.append_topology(TopologySnapshot(world.T0, world.topology()))
    hist = {SeriesKey("service_requests_rate", {"service": n}): world.history(p)
            for n, p in (("gateway", 800.0), ("trade", trade_peak), ("bank", 800.0))}
    writer.append_metrics(_batch(hist))
    window, end = world.healthy(START, trade_peak=trade_peak, trade_error=trade_error)
    writer.append_metrics(_batch(window))
    if events:
        writer.append_events(list(events))
    writer.flush()
    writer.close()
    return end


def test_a_history_is_patrolled_with_its_forecast(tmp_path):
    db = tmp_path / "h.duckdb"
    end = write_history(db)
    from warroom.store import HistoryReader

    with HistoryReader(db) as reader:
        p = patrol_history(reader, source="h")
    assert p.end_ms == end and p.start_ms == end - 15 * 60_000
    trade = next(i for i in p.items if i.name == "trade")
    assert trade.check("headroom").basis == "forecast" and trade.check("headroom").level == "fail"
    assert next(i for i in p.items if i.name == "bank").check("headroom").basis == "no_capacity"
    assert p.previous_at_ms is None


def test_the_change_since_the_patrol_the_history_recorded(tmp_path):
    db = tmp_path / "h.duckdb"
    first_db = tmp_path / "first.duckdb"
    write_history(first_db, trade_peak=700.0)
    from warroom.store import HistoryReader

    with HistoryReader(first_db) as reader:
        first = patrol_history(reader, source="h", at_ms=START + 5 * 60_000)
    assert first.levels()["service:trade"] == "pass"
    write_history(db, trade_peak=700.0, trade_error=0.03, events=[patrol_event(first)])
    with HistoryReader(db) as reader:
        second = patrol_history(reader, source="h")
    assert second.previous_at_ms == first.at_ms
    assert {(c.key, c.before, c.after) for c in second.changes} >= {("service:trade", "pass", "warn")}


def test_an_empty_history_is_a_clear_error(tmp_path):
    db = tmp_path / "empty.duckdb"
    StoreWriter(db).close()
    from warroom.store import HistoryReader

    with HistoryReader(db) as reader, pytest.raises(PatrolError, match="no metric points"):
        patrol_history(reader)


def test_a_view_without_data_is_a_clear_error():
    with pytest.raises(PatrolError):
        patrol_view(LiveView())


def test_the_patrol_log_keeps_events_and_skips_broken_lines(tmp_path):
    log = PatrolLog(tmp_path / "sub" / "patrols.jsonl")
    assert log.events() == []
    series, end = world.healthy(START)
    from warroom.core.patrol import inspect

    ev = patrol_event(inspect(world.topology(), series, start_ms=START, end_ms=end, source="s"), "r.html")
    log.append(ev)
    with log.path.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
        f.write(json.dumps({"id": "x", "ts": 1, "kind": "note", "subject": "s", "title": "t"}) + "\n")
    got = log.events()
    assert [e.id for e in got] == [ev.id]
    assert dict(got[0].attrs)["levels"] == ev.attrs["levels"]


async def test_a_live_simulator_feed_is_patrolled(tmp_path):
    sim = Simulator(seed=3, start_ms=START)
    feed = SimFeed(sim, speed=60.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    await server.start()
    feed_task = asyncio.create_task(feed.run(server))
    try:
        view = await watch_feed(server.url, 2.0)
    finally:
        feed.stop()
        feed_task.cancel()
        await server.stop()
    p = patrol_view(view, window_ms=10 * 60_000, source=server.url)
    assert {i.name for i in p.items if i.kind == "service"} == {s.name for s in sim.topology.services}
    assert {i.name for i in p.items if i.kind == "scenario"} == {s.id for s in sim.topology.scenarios}
    # A quiet simulator meets its objectives; a minute of traffic forecasts no peak.
    assert all(i.check("error_ratio").level in ("pass", "warn") for i in p.items if i.kind == "service"
               and i.check("error_ratio").value is not None)
    assert p.unknown_headroom == sum(1 for i in p.items if i.kind == "service")
    assert all(i.check("headroom").basis in ("no_forecast", "no_capacity") for i in p.items if i.kind == "service")
    assert isinstance(patrol_event(p), Event) and patrol_event(p).kind is EventKind.PATROL


def _live_view() -> LiveView:
    view = LiveView()
    view.apply(TopologySnapshot(START, world.topology()))
    window, _ = world.healthy(START, trade_error=0.03)
    view.apply(_batch(window))
    return view


async def test_the_schedule_records_a_patrol_with_its_report(tmp_path):
    from warroom.report.patrol import render_patrol

    view = _live_view()
    recorded: list[Event] = []

    def record(events):
        recorded.extend(events)
        view.add_events(events)

    sched = PatrolSchedule(view, every_s=3600, record=record, report_dir=tmp_path / "reports",
                           write_report=lambda p, path: path.write_text(render_patrol(p, "zh_CN"), encoding="utf-8"))
    ev = await sched.patrol_once()
    assert ev is not None and recorded == [ev] and ev.attrs["verdict"] == "warn"
    assert "巡检报告" in Path(ev.attrs["report"]).read_text(encoding="utf-8")
    # The second patrol compares with the first, read from the view's events.
    again = await sched.patrol_once()
    assert sched.last.previous_at_ms == ev.ts and again.attrs["changes"] == 0


async def test_a_report_that_cannot_be_written_still_logs_the_verdict(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    recorded: list[Event] = []
    sched = PatrolSchedule(_live_view(), every_s=3600, record=recorded.extend, report_dir=blocker / "sub",
                           write_report=lambda p, path: path.write_text("x"))
    ev = await sched.patrol_once()
    assert ev is not None and "report" not in ev.attrs and recorded == [ev]
    # No data yet: skipped, nothing recorded, nothing raised.
    empty = PatrolSchedule(LiveView(), every_s=1, record=recorded.extend)
    assert await empty.patrol_once() is None and len(recorded) == 1
    with pytest.raises(ValueError):
        PatrolSchedule(LiveView(), every_s=0, record=recorded.extend)


async def test_a_restarted_console_recalls_the_last_verdict(tmp_path):
    db = tmp_path / "h.duckdb"
    series, end = world.healthy(START)
    from warroom.core.patrol import inspect
    from warroom.store import HistoryReader

    old = patrol_event(inspect(world.topology(), series, start_ms=START, end_ms=end, source="console"))
    write_history(db, events=[old])
    view = LiveView()
    sched = PatrolSchedule(view, every_s=60, record=view.add_events, reader_factory=lambda: HistoryReader(db))
    assert (await sched.recall()).id == old.id
    assert [e.id for e in view.events(until_ms=end + 1)] == [old.id]
