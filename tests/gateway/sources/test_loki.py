"""The Loki source against a double of Loki's documented query_range API."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from tests.gateway.doubles.loki import LokiDouble
from warroom.app.session import FeedSession
from warroom.core.model import EventKind
from warroom.gateway.run import Gateway
from warroom.gateway.site import SiteError, parse_site
from warroom.gateway.site_model import Listen, LokiSite, Site
from warroom.gateway.sources import source_up_key
from warroom.gateway.sources.loki import NAME, LokiClient, LokiSource
from warroom.protocol.context import MAX_LINE_CHARS, context_of, is_context
from warroom.store import StoreWriter
from warroom.store.live import LiveView

NOW_S = 1_767_225_600.0
NS = 1_000_000_000
TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE_B = "00f067aa0ba902b700f067aa0ba902b7"


@pytest.fixture
async def loki():
    double = await LokiDouble().start()
    yield double
    await double.stop()


def _source(url: str, query: str = '{namespace="pay"} |= "error"', **kw) -> LokiSource:
    return LokiSource(LokiSite(url=url, query=query, **kw), clock=lambda: NOW_S)


async def test_lines_per_service_with_their_trace_ids(loki):
    t = int(NOW_S * NS)
    loki.push({"namespace": "pay", "service_name": "trade"}, t - 30 * NS,
              f"level=error msg=\"order failed\" trace_id={TRACE_A}")
    loki.push({"namespace": "pay", "service_name": "trade"}, t - 20 * NS, "error: db timeout", {"trace_id": TRACE_B})
    loki.push({"namespace": "pay", "service_name": "bank-a"}, t - 10 * NS, "level=error connect refused")
    loki.push({"namespace": "pay", "service_name": "bank-a"}, t - 5 * NS, "INFO all fine")  # filtered by |= "error"
    loki.push({"namespace": "other", "service_name": "x"}, t - 5 * NS, "error elsewhere")  # another namespace
    src = _source(loki.url, tenant="team-pay")
    try:
        update = await src.poll()
    finally:
        await src.close()
    assert (source_up_key(NAME), update.ts_ms, 1.0) in update.points
    notes = {e.subject: e for e in update.events if is_context(e)}
    assert set(notes) == {"trade", "bank-a"}
    trade = context_of(notes["trade"])
    assert [ln.trace_id for ln in trade.lines] == [TRACE_A, TRACE_B]  # oldest first: from the line, then metadata
    assert trade.trace_ids == (TRACE_B, TRACE_A)  # newest first
    assert trade.source == "loki" and notes["trade"].kind is EventKind.LOG
    bank = context_of(notes["bank-a"])
    assert [ln.line for ln in bank.lines] == ["level=error connect refused"] and bank.lines[0].level == "error"
    params = loki.requests[0]["params"]
    assert params["direction"] == "backward" and int(params["end"]) == t
    assert int(params["start"]) == t - 300 * NS  # window_s back on the first poll
    assert loki.requests[0]["headers"]["X-Scope-OrgID"] == "team-pay"


async def test_each_line_is_sent_once(loki):
    t = int(NOW_S * NS)
    loki.push({"service_name": "trade", "namespace": "pay"}, t - 10 * NS, "error one")
    now = [NOW_S]
    src = LokiSource(LokiSite(url=loki.url, query='{namespace="pay"}'), clock=lambda: now[0])
    try:
        first = await src.poll()
        now[0] += 15
        second = await src.poll()
        loki.push({"service_name": "trade", "namespace": "pay"}, t + 5 * NS, "error two")
        now[0] += 15
        third = await src.poll()
    finally:
        await src.close()
    assert len([e for e in first.events if is_context(e)]) == 1
    assert not [e for e in second.events if is_context(e)]
    lines = [ln.line for e in third.events if is_context(e) for ln in context_of(e).lines]
    assert lines == ["error two"]


async def test_bad_logql_is_a_failing_source_with_lokis_message(loki):
    src = _source(loki.url, query='{namespace="pay" |= "error"')
    try:
        update = await src.poll()
        again = await src.poll()
    finally:
        await src.close()
    assert (source_up_key(NAME), update.ts_ms, 0.0) in update.points
    assert src.health.kind == "bad_query" and "parse error" in src.health.error
    feed = [e for e in update.events if e.kind is EventKind.FEED]
    assert len(feed) == 1 and "parse error" in feed[0].title
    assert not again.events  # still failing: no second feed event


async def test_loki_down_never_raises():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    src = _source(f"http://127.0.0.1:{port}")
    try:
        update = await src.poll()
    finally:
        await src.close()
    assert src.health.kind == "unreachable"
    assert (source_up_key(NAME), update.ts_ms, 0.0) in update.points


async def test_hostile_lines_are_bounded_and_cleaned(loki):
    t = int(NOW_S * NS)
    huge = "error " + "A" * (1024 * 1024)
    loki.push({"service_name": "trade", "namespace": "pay"}, t - 3 * NS, huge)
    loki.push({"service_name": "trade", "namespace": "pay"}, t - 2 * NS,
              "error \x1b[31mred\x1b[0m \u202egnp.exe\u202c\x00 line\nsecond", {"trace_id": "bad id; rm -rf /"})
    loki.push({"service_name": "\x1b[2J", "namespace": "pay"}, t - 1 * NS, "error from a bad service name")
    src = _source(loki.url)
    try:
        update = await src.poll()
    finally:
        await src.close()
    notes = [e for e in update.events if is_context(e)]
    assert [e.subject for e in notes] == ["trade"]  # the stream with a control-character service is skipped
    lines = context_of(notes[0]).lines
    assert len(lines[0].line) <= MAX_LINE_CHARS
    evil = lines[1]
    assert not any(c in evil.line for c in "\x1b\x00\u202e\u202c\n")
    assert evil.trace_id == ""  # not a trace id: never becomes a link


async def test_non_streams_answer_is_a_bad_answer(loki):
    client = LokiClient(loki.url)
    loki.fail_status = 429
    try:
        src = LokiSource(LokiSite(url=loki.url, query='{a="b"}'), client=client, clock=lambda: NOW_S)
        await src.poll()
        assert src.health.kind == "http" and "429" in src.health.error
    finally:
        await client.close()


def test_site_file_loki_section():
    site = parse_site("site: s\nloki:\n  url: http://loki:3100/\n  query: '{namespace=\"pay\"} |= \"error\"'\n"
                      "  limit: 50\n  tenant: team-pay\n  service_labels: [app]\n")
    assert site.loki == LokiSite(url="http://loki:3100", query='{namespace="pay"} |= "error"', limit=50,
                                 tenant="team-pay", service_labels=("app",), where="<site>:2")
    with pytest.raises(SiteError) as err:
        parse_site("site: s\nloki:\n  url: ftp://x\n  query: 'rate({a=\"b\"}[1m])'\n  limit: 0\n")
    text = str(err.value)
    assert "loki.url" in text and "loki.query" in text and "loki.limit" in text


async def test_the_gateway_serves_loki_lines_to_a_console(tmp_path, loki):
    class NoSecrets:
        def get(self, name: str) -> str:
            raise KeyError(name)

    loki.push({"namespace": "pay", "service_name": "checkout"}, time.time_ns() - 2 * NS,
              f"ERROR payment declined trace_id={TRACE_A}")
    site = Site(name="gw-loki-test", state_dir=tmp_path / "state", listen=Listen(port=0), receivers=Listen(port=0),
                loki=LokiSite(url=loki.url, query='{namespace="pay"}', interval_s=0.5, timeout_s=0.4))
    gw = Gateway(site, NoSecrets(), feed_port=0, receivers_port=0)
    view = LiveView()
    writer = StoreWriter(tmp_path / "console.duckdb", flush_interval_s=0.05)
    session = None
    try:
        await gw.start()
        assert "context" in gw.feed.capabilities
        session = FeedSession(gw.url, view, writer)
        task = asyncio.create_task(session.run())
        for _ in range(100):
            got = [e for e in view.events(until_ms=2**62) if is_context(e)]
            if got:
                break
            await asyncio.sleep(0.1)
        assert got and got[0].subject == "checkout" and context_of(got[0]).trace_ids == (TRACE_A,)
        assert gw.failures == []
        task.cancel()
    finally:
        if session is not None:
            await session.stop()
        await gw.stop()
        await asyncio.to_thread(writer.close)
