"""Hostile feeds (issue 12): nothing a feed sends stops the console or loses history.

Every scenario runs a scripted hostile server (``tests.hostile``) against the real thing:
``warroom record``'s own ``record()`` (FeedClient + Recorder + StoreWriter under a
Supervisor), or the console's ``FeedSession`` (the same plus a ``LiveView``). Each one checks
that the good data sent before and after the bad input is in the history file, that the bad
input is counted, and that the recording is still alive afterwards.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.hostile import HostileServer, Recording, until
from warroom.app.replay import ReplaySession
from warroom.app.session import FeedSession
from warroom.app.watch import AlertWatch
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.io.client import Backoff, ConnectionState, FeedClient
from warroom.store import HistoryReader, StoreWriter
from warroom.store.live import LiveView

GOOD = {"name": "scenario_tps", "labels": {"scenario": "qr-pay"}}
GOOD_KEY = SeriesKey("scenario_tps", {"scenario": "qr-pay"})
FAR = 253_402_300_799_999
_RETRY = re.compile(r"retrying in ([\d.]+) s")


def points(reader: HistoryReader, key: SeriesKey = GOOD_KEY) -> list[int]:
    return reader.range([key], 0, FAR, max_points=100_000)[key].ts.tolist()


def feed_events(reader: HistoryReader, what: str | None = None) -> list[Event]:
    evs = reader.events(0, FAR, kinds=[EventKind.FEED])
    return [e for e in evs if what is None or e.attrs.get("what") == what]


def final_errors(reader: HistoryReader, *, some: bool = True) -> dict[str, int]:
    """The last protocol error totals the recording wrote ({} if none, allowed unless ``some``)."""
    totals = feed_events(reader, "errors")
    assert totals or not some, "no protocol error totals in the history"
    return totals[-1].attrs["errors"] if totals else {}


async def good(feed: HostileServer, t: int, v: float = 1.0) -> None:
    await feed.send(feed.metrics(GOOD, t, v))


@pytest.fixture
async def feed():
    server = HostileServer(server_id="hostile-1")
    await server.start()
    yield server
    await server.stop()


def t0_of(feed: HostileServer) -> int:
    """A base time one minute in the feed's past, so that base + a few seconds is never ahead."""
    return feed.now_ms() // 1000 * 1000 - 60_000


# -- 1. lone surrogates in labels and event subjects --------------------------------------
async def test_lone_surrogates_stop_nothing_and_the_data_around_them_is_kept(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    await feed.wait_subscribed()
    t0 = t0_of(feed)
    await good(feed, t0)
    await feed.send(feed.metrics({"name": "scenario_tps", "labels": {"scenario": "\ud800"}}, t0 + 500, 2.0))
    await feed.send(feed.events({"id": "e1", "ts": t0 + 600, "kind": "deploy", "subject": "trade\udfff",
                                 "title": "release \ud83d"}))
    await good(feed, t0 + 1000)
    await rec.wait_committed(2)
    await good(feed, t0 + 2000)  # still consuming afterwards
    await rec.wait_committed(3)
    assert rec.task.done() is False
    assert await rec.stop() is None
    assert rec.lines[-1].split(" ", 1)[1].startswith("stopped: "), rec.lines[-1]
    assert "not saved: nothing" in rec.lines[-1]
    with rec.history() as h:
        assert points(h) == [t0, t0 + 1000, t0 + 2000]
        assert sum(final_errors(h).values()) >= 1  # the surrogates were counted, whatever the codec did with them


async def test_lone_surrogates_in_the_console_stop_nothing(feed, tmp_path):
    view, writer = LiveView(), StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    session = FeedSession(feed.url, view, writer, watch=AlertWatch.from_rules_file())
    task = asyncio.create_task(session.run())
    try:
        await feed.wait_subscribed()
        t0 = t0_of(feed)
        await good(feed, t0)
        await feed.send(feed.metrics({"name": "scenario_tps", "labels": {"scenario": "\ud800"}}, t0 + 500, 2.0))
        await feed.send(feed.events({"id": "e1", "ts": t0 + 600, "kind": "deploy", "subject": "trade\udfff",
                                     "title": "release \ud83d"}))
        await good(feed, t0 + 1000)
        await until(lambda: view.newest_ms == t0 + 1000, what="the point after the bad frames")
        session.sync_clock()
        assert view.feed_state == "live" and not task.done()
        assert sum(view.protocol_errors.values()) >= 1
    finally:
        await session.stop()
        task.cancel()
    writer.close()
    with HistoryReader(tmp_path / "h.duckdb") as h:
        assert points(h) == [t0, t0 + 1000]


# -- 2 and 3. absurd clocks in the hello and in heartbeats ---------------------------------
@pytest.mark.parametrize("hello", [
    {"speed": 1e308},  # finding 2: OverflowError in the feed clock
    {"server_time": 99_999_999_999_999},  # finding 3: the year 5138
    {"server_time": 10**16},  # beyond what DuckDB and Python's datetime can hold
])
async def test_a_hello_with_an_absurd_clock_is_refused_with_a_reason_and_retried_slowly(feed, tmp_path, capsys, hello):
    feed.hello_overrides = hello
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    line = await rec.wait_line("feed disconnected: the feed's hello was refused")
    assert float(_RETRY.search(line).group(1)) >= 7.5  # configuration, not weather: slowly
    assert not rec.find("TASK FAILED")  # refused, not crashed
    assert await rec.stop() is None
    with rec.history() as h:
        downs = [e for e in feed_events(h, "state") if e.attrs["state"] == "disconnected"]
        assert downs and downs[0].attrs["close_code"] == 1002 and downs[0].attrs["closed_by"] == "us"
        assert "hello was refused" in downs[0].attrs["reason"]
        assert final_errors(h).get("bad_clock", 0) >= 1


async def test_the_console_recovers_once_the_feed_says_a_sane_hello(feed, tmp_path):
    feed.hello_overrides = {"speed": 1e308}
    view, writer = LiveView(), StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    client = FeedClient(feed.url, slow_backoff=Backoff(initial=0.2, maximum=0.2))
    session = FeedSession(feed.url, view, writer, client=client)
    task = asyncio.create_task(session.run())
    try:
        await until(lambda: "hello was refused" in client.status.reason, what="the refused hello")
        feed.hello_overrides = {}
        await feed.wait_subscribed()
        t0 = t0_of(feed)
        await good(feed, t0)
        await until(lambda: view.newest_ms == t0, what="the point in the view")
        session.sync_clock()
        assert view.feed_state == "live" and view.feed_faults == 0
    finally:
        await session.stop()
        task.cancel()
        writer.close()


async def test_a_heartbeat_from_the_year_5138_is_dropped_and_the_series_keeps_receiving(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    await feed.wait_subscribed()
    t0 = t0_of(feed)
    await good(feed, t0)
    await feed.send({"v": 1, "type": "heartbeat", "server_time": 99_999_999_999_999})
    await feed.send({"v": 1, "type": "heartbeat", "server_time": 10**16})
    await good(feed, t0 + 1000)
    await rec.wait_committed(2)
    assert await rec.stop() is None
    with rec.history() as h:
        assert points(h) == [t0, t0 + 1000]
        assert final_errors(h).get("bad_clock", 0) == 2


# -- 4. a feed restarted with its clock behind -----------------------------------------------
@pytest.mark.parametrize("new_id", ["hostile-1", "hostile-2"])
async def test_a_feed_restarted_with_an_earlier_clock_is_accepted_and_the_reset_recorded(
        feed, tmp_path, capsys, new_id):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    await feed.wait_subscribed()
    t0 = t0_of(feed)
    for i in range(5):
        await good(feed, t0 + i * 1000)
    await rec.wait_committed(5)
    back = t0 - 3_600_000  # the restarted feed is an hour behind
    await feed.restart(server_id=new_id, server_time=back + 60_000)
    await feed.wait_subscribed()
    for i in range(5):
        await good(feed, back + i * 1000)
    await rec.wait_committed(10)
    assert await rec.stop() is None
    with rec.history() as h:
        assert points(h) == [back + i * 1000 for i in range(5)] + [t0 + i * 1000 for i in range(5)]
        resets = feed_events(h, "clock_reset")
        assert len(resets) == 1, [e.title for e in feed_events(h)]
        a = resets[0].attrs
        assert (a["old_server_id"], a["new_server_id"]) == ("hostile-1", new_id)
        assert a["old_time"] >= t0 + 4000 - 1000 and a["new_time"] < t0
        assert final_errors(h, some=False).get("out_of_order", 0) == 0


# -- 5. a point 4.5 minutes ahead does not block its series ---------------------------------
async def test_a_point_minutes_ahead_does_not_stop_its_series(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    await feed.wait_subscribed()
    t0 = t0_of(feed)
    await good(feed, t0)
    ahead = feed.now_ms() + 270_000  # within the 5-minute tolerance: accepted
    await good(feed, ahead)
    for i in range(1, 4):
        await good(feed, t0 + i * 1000)
    await rec.wait_committed(5)
    assert await rec.stop() is None
    with rec.history() as h:
        assert points(h) == [t0, t0 + 1000, t0 + 2000, t0 + 3000, ahead]


# -- 6. feed text never acts on the terminal --------------------------------------------------
async def test_the_recorder_prints_feed_text_terminal_safe(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    await feed.wait_subscribed()
    t0 = t0_of(feed)
    evil = "pay\x1b]0;owned\x07\x1b[31mRED\x00\nFAKE LINE\r\u202egnp.exe"
    await feed.send(feed.events({"id": "e-evil", "ts": t0, "kind": "deploy", "subject": "trade", "title": evil}))
    await good(feed, t0 + 1000)
    await rec.wait_committed(1)
    await rec.wait_line("event  deploy")
    assert await rec.stop() is None
    out = "\n".join(rec.lines)
    for bad in ("\x1b", "\x07", "\x00", "\r", "\u202e"):
        assert bad not in out, repr(bad)
    shown = [ln for ln in rec.lines if "event  deploy" in ln]
    assert len(shown) == 1 and "RED" in shown[0] and "FAKE LINE" in shown[0]  # one line, not two
    assert not any(ln.startswith("FAKE LINE") for ln in rec.lines)
    with rec.history() as h:
        assert [e.id for e in h.events(0, FAR, kinds=[EventKind.DEPLOY])] == ["e-evil"]
        assert points(h) == [t0 + 1000]


# -- 7. close codes and reasons, as they were -------------------------------------------------
async def test_close_codes_and_reasons_are_recorded_as_they_were(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    t0 = t0_of(feed)
    await feed.wait_subscribed()
    await good(feed, t0)
    await feed.close(1011, "internal boom")
    await feed.wait_subscribed()
    await good(feed, t0 + 1000)
    n = feed.connections
    await feed.send(b'{"v":1,"type":"events","events":[],"x":"\xff\xfe"}', text=True)  # not UTF-8
    await feed.wait_subscribed(after=n)
    await good(feed, t0 + 2000)
    n = feed.connections
    await feed.send(b"x" * (16 * 1024 * 1024 + 1), text=True)  # over the client's hard limit
    await feed.wait_subscribed(after=n)
    await good(feed, t0 + 3000)
    await rec.wait_committed(4)
    assert await rec.stop() is None
    with rec.history() as h:
        downs = [e.attrs for e in feed_events(h, "state") if e.attrs["state"] == "disconnected"
                 and e.attrs["reason"] != "stopped"]
        closes = [(a["closed_by"], a["close_code"]) for a in downs]
        assert closes == [("server", 1011), ("us", 1007), ("us", 1009)], downs
        assert downs[0]["close_reason"] == "internal boom"
        assert "closed by server: 1011 server error (internal boom)" in downs[0]["reason"]
        assert "closed by us: 1009 message too big" in downs[2]["reason"]
        assert points(h) == [t0, t0 + 1000, t0 + 2000, t0 + 3000]


async def test_a_silent_feed_is_closed_by_us_with_1001_and_that_is_what_the_history_says(feed, tmp_path):
    view, writer = LiveView(), StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    client = FeedClient(feed.url, stale_after_s=0.3, dead_after_s=0.9)
    session = FeedSession(feed.url, view, writer, client=client)
    task = asyncio.create_task(session.run())
    try:
        await feed.wait_subscribed()
        feed.stall()
        await until(lambda: client.last_close is not None, what="the client to give up on the silent feed")
        assert (client.last_close.by, client.last_close.code) == ("us", 1001)
        feed.stall(False)
        await until(lambda: client.status.state is ConnectionState.LIVE and feed.connections >= 2, what="reconnect")
        session.sync_clock()
        assert view.feed_last_close.startswith("last disconnect: closed by us: 1001 going away (no data for")
    finally:
        await session.stop()
        task.cancel()
        await asyncio.to_thread(writer.flush)
    downs = [e for e in feed_events(writer.reader(), "state") if e.attrs["state"] == "disconnected"]
    assert downs[0].attrs["close_code"] == 1001 and "no data for" in downs[0].attrs["close_reason"]
    writer.close()


# -- 8. protocol error counts are history -----------------------------------------------------
async def test_protocol_error_counts_are_in_the_history_and_a_replay_shows_them_at_the_cursor(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    await feed.wait_subscribed()
    t0 = t0_of(feed)
    await good(feed, t0)
    await rec.wait_committed(1)
    await feed.send("{not json")
    await feed.send({"v": 1, "type": "wat"})
    await feed.send('{"v":1,"type":"metrics","series":[{"name":"scenario_tps","labels":{"scenario":"qr-pay"}}],'
                    '"points":{"s":[0,0],"t":[%d,%d],"v":[NaN,2.0]}}' % (t0 + 1000, t0 + 2000))
    await rec.wait_committed(2)
    assert await rec.stop() is None
    with rec.history() as h:
        assert points(h) == [t0, t0 + 2000]
        errors = final_errors(h)
        assert (errors.get("malformed_json"), errors.get("unknown_type"), errors.get("non_finite")) == (1, 1, 1)
    with rec.history() as h:
        replay = ReplaySession(h, LiveView(), source="h.duckdb")
        replay.seek(replay.end_ms)
        assert {k: replay.view.protocol_errors.get(k) for k in errors} == errors
        replay.seek(t0)
        assert replay.view.protocol_errors == {}


# -- 9. back within 2 s of the server -----------------------------------------------------------
async def test_weather_retries_stay_under_two_seconds_and_the_recorder_comes_back(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    await feed.wait_subscribed()
    t0 = t0_of(feed)
    await good(feed, t0)
    await rec.wait_committed(1)
    await feed.stop()  # the process died: no close frame
    await until(lambda: len(rec.find("retrying in")) >= 5, timeout=20, what="five retries")
    await feed.start()  # the same port
    await feed.wait_subscribed(timeout=10)
    await good(feed, t0 + 1000)
    await rec.wait_committed(2)
    assert await rec.stop() is None
    delays = [float(_RETRY.search(ln).group(1)) for ln in rec.find("retrying in")]
    assert max(delays) <= 2.0, delays  # the policy, not a timing: every announced wait is short
    assert any("connection lost: no close frame (1006)" in ln for ln in rec.find("feed disconnected"))
    with rec.history() as h:
        assert points(h) == [t0, t0 + 1000]


# -- F. resumption ---------------------------------------------------------------------------------
async def test_since_is_sent_on_reconnect_and_an_unrecoverable_gap_is_named(feed, tmp_path, capsys):
    rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
    first = await feed.wait_subscribed()
    assert "since" not in first  # nothing accepted yet
    t0 = t0_of(feed)
    await good(feed, t0)
    await good(feed, t0 + 1000)
    await rec.wait_committed(2)
    await feed.restart()  # no "resume" capability: it keeps no replay buffer
    again = await feed.wait_subscribed()
    assert again["since"] == t0 + 1000
    feed.capabilities = (*feed.capabilities, "resume")
    feed.hello_overrides = {"resume_from": t0 + 5000}  # it can resend only from t0 + 5 s
    await feed.restart()
    third = await feed.wait_subscribed()
    assert third["since"] == t0 + 1000
    await good(feed, t0 + 5000)
    await rec.wait_committed(3)
    assert await rec.stop() is None
    with rec.history() as h:
        gaps = [e.attrs for e in feed_events(h, "gap")]
        assert [g["why"] for g in gaps] == ["the feed keeps no replay buffer", "the feed's replay buffer starts later"]
        assert (gaps[1]["gap_from"], gaps[1]["gap_to"]) == (t0 + 1000, t0 + 5000)
        assert gaps[0]["gap_from"] == t0 + 1000
