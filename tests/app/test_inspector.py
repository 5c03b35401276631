"""The live inspector (issue 18, item 4): what it keeps, what it shows, what it costs when closed.

Frames come from the real encoder and decoder (JSON and binary), and, end to end, from a
scripted hostile feed through the console's own ``FeedSession``.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.hostile import HostileServer, until
from warroom.app.inspector import Inspector, Watch, WatchError, rows_tsv
from warroom.app.session import FeedSession
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.io.client import FeedClient
from warroom.protocol import Decoder, Events, MetricBatch, encode
from warroom.protocol.outgoing import Outgoing, SeriesTable
from warroom.store import StoreWriter
from warroom.store.live import LiveView

T0 = 1_765_000_000_000
TRADE_ERR = SeriesKey("service_error_ratio", {"service": "trade"})
TRADE_TPS = SeriesKey("service_tps", {"service": "trade"})
RISK_TPS = SeriesKey("service_tps", {"service": "risk-control"})
EDGE = SeriesKey("edge_latency_seconds", {"caller": "gateway", "callee": "trade"})


def batch(t: int = T0) -> MetricBatch:
    return MetricBatch.from_points([(TRADE_ERR, t, 0.01), (TRADE_TPS, t, 120.0), (RISK_TPS, t, 80.0),
                                    (EDGE, t, 0.05)])


def wire(message) -> str:
    """A message as the text frame a websocket hands over (a str)."""
    return encode(message).decode()


class Tapped:
    """A client stand-in with the one attribute the inspector uses, plus a real decoder to feed it."""

    def __init__(self) -> None:
        self.tap = None
        self.decoder = Decoder(wall_clock=lambda: T0)

    def receive(self, frame: bytes | str, now_ms: int = T0 + 10_000) -> None:
        result = self.decoder.decode(frame, now_ms)
        if self.tap is not None:
            self.tap(frame, result, now_ms)


@pytest.fixture
def client() -> Tapped:
    return Tapped()


@pytest.fixture
def inspector(client) -> Inspector:
    ins = Inspector(client, clock=lambda: T0 + 20_000)
    ins.open()
    return ins


# -- what to watch ------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind, value", [
    ("", "all", ""),
    ("*", "all", ""),
    ("service:trade", "service", "trade"),
    (" service : trade ", "service", "trade"),
    ("metric:service_tps", "metric", "service_tps"),
    ("service_tps", "metric", "service_tps"),
    ('service_tps{service="trade"}', "series", 'service_tps{service="trade"}'),
    ('series:service_tps{service="trade"}', "series", 'service_tps{service="trade"}'),
])
def test_a_watch_is_read_from_what_a_person_types(text, kind, value):
    watch = Watch.parse(text)
    assert (watch.kind, watch.value) == (kind, value)
    assert Watch.parse(watch.text) == watch


@pytest.mark.parametrize("text", ["service:", "metric:9bad name", 'service_tps{service="trade"', "two words"])
def test_a_watch_that_names_nothing_is_refused_with_a_reason(text):
    with pytest.raises(WatchError):
        Watch.parse(text)


def test_a_service_watch_takes_its_own_series_and_the_edges_it_is_an_end_of():
    watch = Watch.parse("service:trade")
    assert [k for k in (TRADE_ERR, TRADE_TPS, RISK_TPS, EDGE) if watch.matches(k)] == [TRADE_ERR, TRADE_TPS, EDGE]
    assert watch.matches_event("trade") and watch.matches_event("gateway->trade")
    assert not watch.matches_event("trade-history")


# -- the tap: zero cost when closed --------------------------------------------------------
def test_the_client_is_tapped_only_while_a_viewer_is_open(client):
    ins = Inspector(client)
    assert client.tap is None
    ins.open()
    ins.open()
    assert client.tap == ins.on_frame
    ins.close()
    assert client.tap == ins.on_frame, "one viewer is still open"
    ins.close()
    ins.close()  # one too many: harmless
    assert client.tap is None and not ins.watching
    client.receive(wire(batch()))
    assert ins.frames_seen == 0


def test_a_real_client_has_no_tap_until_an_inspector_opens():
    client = FeedClient("ws://127.0.0.1:9")
    ins = Inspector(client)
    assert client.tap is None
    ins.open()
    assert client.tap == ins.on_frame
    ins.close()
    assert client.tap is None


# -- points, frames, errors ------------------------------------------------------------------
def test_watched_points_are_kept_as_decoded_and_the_frame_with_them(client, inspector):
    inspector.set_watch("service:trade")
    client.receive(wire(batch()))
    rows = inspector.rows(newest_first=False)
    assert [(r.kind, r.subject, r.ts, r.value) for r in rows] == [
        ("point", TRADE_ERR.text, T0, 0.01), ("point", TRADE_TPS.text, T0, 120.0), ("point", EDGE.text, T0, 0.05),
    ]
    (frame,) = inspector.frames()
    assert (frame.type, frame.encoding, frame.points, frame.watched, frame.errors) == ("metrics", "text", 4, 3, ())
    assert json.loads(frame.raw)["type"] == "metrics" and not frame.truncated
    assert inspector.frame(frame.no) == frame


def test_a_binary_frame_shows_its_header_and_its_columns(client, inspector):
    inspector.set_watch('service_tps{service="risk-control"}')
    client.decoder.new_connection()
    raw = Outgoing(batch(), SeriesTable()).frame("binary", 1)
    assert isinstance(raw, bytes)
    client.receive(raw)
    assert [(r.subject, r.value) for r in inspector.rows()] == [(RISK_TPS.text, 80.0)]
    (frame,) = inspector.frames()
    assert frame.encoding == "binary" and frame.seq == 1 and frame.size == len(raw)
    header, *columns = frame.raw.splitlines()
    assert json.loads(header)["n"] == 4
    assert [line.split("\t")[3] for line in columns[1:]] == ["0.01", "120.0", "80.0", "0.05"]


def test_a_malformed_frame_is_an_error_row_between_the_points_around_it(client, inspector):
    inspector.set_watch("metric:service_tps")
    client.receive(wire(batch(T0)))
    client.receive('{"v": 1, "type": "metrics", "series": [')  # cut short
    client.receive(wire(batch(T0 + 1000)))
    kinds = [(r.kind, r.subject) for r in inspector.rows(newest_first=False)]
    assert kinds == [
        ("point", TRADE_TPS.text), ("point", RISK_TPS.text),
        ("error", "malformed_json"),
        ("point", TRADE_TPS.text), ("point", RISK_TPS.text),
    ]
    bad = inspector.frames(newest_first=False)[1]
    assert bad.type == "" and bad.errors[0].code.value == "malformed_json"
    assert bad.raw == '{"v": 1, "type": "metrics", "series": ['
    assert inspector.counts["errors"] == 1


def test_bad_points_are_refused_inline_and_the_good_ones_in_the_frame_kept(client, inspector):
    frame = {"v": 1, "type": "metrics", "series": [{"name": "service_tps", "labels": {"service": "trade"}}],
             "points": {"s": [0, 0, 0, 0], "t": [T0, T0 + 1000, T0 + 1000, T0 + 1000], "v": [1.0, None, 3.0, 4.0]}}
    client.receive(json.dumps(frame))
    rows = inspector.rows(newest_first=False)
    assert [(r.kind, r.value if r.kind == "point" else r.subject) for r in rows] == [
        ("point", 1.0), ("point", 3.0), ("error", "non_finite"), ("error", "duplicate_point"),
    ]
    (kept,) = inspector.frames()
    assert kept.points == 2 and kept.error_text.startswith("non_finite: ") and "duplicate_point: " in kept.error_text


def test_events_about_the_watched_service_are_rows_too(client, inspector):
    inspector.set_watch("service:trade")
    events = Events((Event("d1", T0, EventKind.DEPLOY, "trade", "trade v2.3 deployed"),
                     Event("d2", T0, EventKind.DEPLOY, "risk-control", "risk-control v9 deployed")))
    client.receive(wire(events))
    assert [(r.kind, r.subject, r.text) for r in inspector.rows()] == [("event", "deploy trade", "trade v2.3 deployed")]


def test_a_huge_frame_while_watching_everything_is_counted_not_all_kept(client):
    ins = Inspector(client, max_rows=50)
    ins.open()
    points = [(SeriesKey("m", {"i": str(i)}), T0, float(i)) for i in range(200)]
    client.receive(wire(MetricBatch.from_points(points)))
    assert len(ins.rows()) == 50 and ins.rows()[0].value == 199.0
    assert ins.counts["points"] == 200


def test_buffers_stay_bounded_whatever_arrives(client):
    ins = Inspector(client, max_rows=30, max_frames=7)
    ins.open()
    for k in range(40):
        client.receive(wire(batch(T0 + k * 1000)))
    assert len(ins.rows()) == 30 and len(ins.frames()) == 7
    assert ins.frames()[0].no == 40 and ins.frame(1) is None
    assert ins.counts["frames"] == 40


def test_a_text_frame_is_kept_up_to_its_bound_and_said_to_be_cut(client, inspector):
    from warroom.app.inspector import RAW_KEEP

    points = [(SeriesKey("m", {"i": str(i)}), T0, float(i)) for i in range(2000)]
    frame = wire(MetricBatch.from_points(points))
    assert len(frame) > RAW_KEEP
    client.receive(frame)
    kept = inspector.frames()[0]
    assert kept.truncated and len(kept.raw) == RAW_KEEP and kept.size == len(frame)


# -- pause, filter, copy --------------------------------------------------------------------
def test_pause_freezes_what_is_shown_and_counts_what_arrives(client, inspector):
    inspector.set_watch("service:risk-control")
    client.receive(wire(batch(T0)))
    inspector.pause()
    version = inspector.version
    client.receive(wire(batch(T0 + 1000)))
    client.receive(wire(batch(T0 + 2000)))
    assert [r.ts for r in inspector.rows()] == [T0]
    assert inspector.counts["while_paused"] == 2 and inspector.version > version
    inspector.resume()
    assert [r.ts for r in inspector.rows()] == [T0 + 2000, T0 + 1000, T0]


def test_while_paused_the_frame_of_a_shown_row_stays_even_when_arrivals_push_it_out(client):
    ins = Inspector(client, max_frames=3)
    ins.open()
    client.receive(wire(batch(T0)))
    ins.pause()
    for k in range(1, 6):
        client.receive(wire(batch(T0 + k * 1000)))
    (first,) = {r.frame for r in ins.rows()}
    assert ins.frame(first) is not None and ins.frame(first).no == 1
    ins.resume()
    assert ins.frame(first) is None, "only the newest three are kept"


def test_filter_keeps_rows_containing_the_text_and_copy_gives_them_tab_separated(client, inspector):
    client.receive(wire(batch()))
    client.receive("not json")
    shown = inspector.rows("RISK-control")
    assert [r.subject for r in shown] == [RISK_TPS.text]
    assert [r.kind for r in inspector.rows("malformed")] == ["error"]
    text = rows_tsv(inspector.rows(newest_first=False))
    lines = text.splitlines()
    assert lines[0].split("\t") == ["kind", "frame", "arrived", "time", "what", "value", "text"]
    assert lines[1].split("\t")[:6] == ["point", "1", "2025-12-06T05:47:00.000Z", "2025-12-06T05:46:40.000Z",
                                        TRADE_ERR.text, "0.01"]
    assert lines[-1].startswith("error\t2\t")


def test_clear_forgets_rows_frames_and_counts_but_not_the_watch(client, inspector):
    inspector.set_watch("service:trade")
    client.receive(wire(batch()))
    inspector.clear()
    assert inspector.rows() == [] and inspector.frames() == [] and inspector.counts["frames"] == 0
    assert inspector.watch == Watch("service", "trade")


def test_a_failing_tap_is_removed_and_the_feed_goes_on():
    """The client's own guard: an observer that raises is reported once and dropped."""
    faults: list[str] = []
    client = FeedClient("ws://127.0.0.1:9", on_fault=lambda stage, exc: faults.append(stage))

    def broken(frame, result, now_ms):
        raise RuntimeError("inspector bug")

    client.tap = broken
    client._tap_frame("{}", None, None)
    client._tap_frame("{}", None, None)
    assert faults == ["tap"] and client.tap is None


# -- end to end: the console's session against a hostile feed ------------------------------------
async def test_a_malformed_frame_is_seen_inline_while_the_console_goes_on(tmp_path):
    feed = HostileServer(server_id="hostile-inspect")
    await feed.start()
    view, writer = LiveView(), StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    session = FeedSession(feed.url, view, writer)
    assert view.inspector is session.inspector and session.client.tap is None
    task = asyncio.create_task(session.run())
    try:
        await feed.wait_subscribed()
        view.inspector.open()
        view.inspector.set_watch("service:trade")
        t0 = feed.now_ms() // 1000 * 1000 - 60_000
        series = {"name": "service_tps", "labels": {"service": "trade"}}
        await feed.send(feed.metrics(series, t0, 1.0))
        await feed.send('{"v": 1, "type": "metrics", "points": ')
        await feed.send(b"\x00\x01binary garbage")
        await feed.send(feed.metrics(series, t0 + 1000, 2.0))
        await until(lambda: view.newest_ms == t0 + 1000, what="the point after the bad frames")
        rows = view.inspector.rows(newest_first=False)
        assert [(r.kind, r.subject, r.value) for r in rows] == [
            ("point", 'service_tps{service="trade"}', 1.0),
            ("error", "malformed_json", None),
            ("error", "malformed_json", None),
            ("point", 'service_tps{service="trade"}', 2.0),
        ]
        garbage = [f for f in view.inspector.frames() if f.encoding == "binary"]
        assert garbage and "binary garbage" in garbage[0].raw
        assert not task.done()
        session.sync_clock()
        assert view.feed_state == "live"
        view.inspector.close()
        assert session.client.tap is None
    finally:
        await session.stop()
        task.cancel()
        writer.close()
        await feed.stop()


def test_an_inspector_on_a_view_without_a_feed_is_none():
    assert LiveView().inspector is None  # a replay's view: the panel says the inspector needs a live feed
