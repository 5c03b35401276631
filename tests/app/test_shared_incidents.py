"""One incident truth (issue 16, item 4): the simulator computes alerts and incidents once
(``warroom sim --watch``) and every console mirrors them (``SharedWatch``); incident work
travels as protocol 1.4 commands; a console on a feed without ``incidents`` computes its own."""

from __future__ import annotations

import asyncio

import pytest

from warroom.app.feed_watch import FeedWatch
from warroom.app.session import FeedSession
from warroom.app.shared_watch import SharedWatch
from warroom.app.watch import AlertWatch
from warroom.core.model import EventKind
from warroom.io.auth import Credentials, Secret, TokenStore, generate_token
from warroom.io.client import FeedClient
from warroom.io.server import FeedServer
from warroom.protocol import Command
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.store import StoreWriter
from warroom.store.live import LiveView

START = 1_763_605_800_000


class Wall:
    """One headless console: a session (its own AlertWatch, switched by the hello) and a store."""

    def __init__(self, url: str, path, credentials: Credentials | None = None) -> None:
        self.view = LiveView()
        self.writer = StoreWriter(path, flush_interval_s=0.05)
        self.local = AlertWatch.from_rules_file()
        self.local.user = "local"
        client = FeedClient(url, credentials=credentials or Credentials())
        self.session = FeedSession(url, self.view, self.writer, client=client, watch=self.local)
        self.task = asyncio.create_task(self.session.run())

    @property
    def watch(self):
        return self.view.alerting

    async def close(self) -> None:
        await self.session.stop()
        self.task.cancel()
        await asyncio.to_thread(self.writer.close)


async def until(cond, timeout_s: float = 20.0, what: str = "") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not cond():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await asyncio.sleep(0.02)


class Feed:
    """A simulator feed with an ICICI-style bank outage; ``watch``: incidents computed there."""

    def __init__(self, watch: bool, tokens: TokenStore | None = None) -> None:
        self.sim = Simulator(seed=7, start_ms=START)
        self.sim.inject_fault("dependency_outage", "bank-icbc", delay_s=5)
        self.fw = FeedWatch.from_rules() if watch else None
        self.feed = SimFeed(self.sim, speed=50.0, watch=self.fw)
        self.server = FeedServer(self.feed, port=0, heartbeat_s=0.2, tokens=tokens)

    async def __aenter__(self) -> "Feed":
        await self.server.start()
        self.task = asyncio.create_task(self.feed.run(self.server))
        return self

    async def __aexit__(self, *exc) -> None:
        self.feed.stop()
        self.task.cancel()
        await self.server.stop()


async def test_two_walls_show_the_same_incidents_and_an_ack_on_one_appears_on_both(tmp_path):
    async with Feed(watch=True) as feed:
        a, b = Wall(feed.server.url, tmp_path / "a.duckdb"), Wall(feed.server.url, tmp_path / "b.duckdb")
        try:
            await until(lambda: all(isinstance(w.watch, SharedWatch) and w.watch.incidents() for w in (a, b)),
                        what="an incident on both walls")
            inc_a, inc_b = a.watch.incidents()[-1], b.watch.incidents()[-1]
            assert inc_a.id == inc_b.id and inc_a.root_cause == inc_b.root_cause == "bank-icbc"
            assert inc_a.id in {i.id for i in feed.fw.watch.incidents()}  # the feed's own id
            assert a.local.evaluations == 0 and b.local.evaluations == 0  # neither wall computed its own

            assert a.watch.acknowledge_incident(inc_a.id, "alice", "bank line down, calling ICBC") == []
            await until(lambda: b.watch.incidents()[-1].acked_ms is not None, what="the ack on wall b")
            acked_a = next(i for i in a.watch.incidents() if i.id == inc_a.id)
            acked_b = next(i for i in b.watch.incidents() if i.id == inc_a.id)
            assert acked_b.state == acked_a.state == "acknowledged" and acked_b.acked_ms == acked_a.acked_ms

            b.watch.set_owner(inc_a.id, "li.wei", "bob")
            await until(lambda: next(i for i in a.watch.incidents() if i.id == inc_a.id).owner == "li.wei",
                        what="the owner on wall a")
            assert a.watch.answer is not None and a.watch.answer.ok  # "acknowledged by alice"
            assert "alice" in a.watch.answer.text
        finally:
            await a.close()
            await b.close()
    # The history keeps the feed's incident events: a replay of either wall shows the shared incident.
    from warroom.store import HistoryReader

    events = HistoryReader(tmp_path / "b.duckdb").events(0, START + 86_400_000)
    acks = [e for e in events if e.kind is EventKind.INCIDENT and e.attrs.get("action") == "acknowledged"]
    assert acks and acks[0].attrs["incident"] == inc_a.id and acks[0].attrs["actor"] == "alice"


async def test_a_repeated_idempotency_key_acts_once(tmp_path):
    async with Feed(watch=True) as feed:
        a = Wall(feed.server.url, tmp_path / "a.duckdb")
        try:
            await until(lambda: isinstance(a.watch, SharedWatch) and a.watch.incidents(), what="an incident")
            iid = a.watch.incidents()[-1].id
            note = Command("note-once-0001", "add_note", {"incident": iid, "text": "one note"}, actor="alice")
            for n in (1, 2):  # the second is a retry after, say, a reconnect
                await a.watch.send(note)
                await until(lambda: a.watch.answer is not None and a.watch.answer.seq == n, what=f"answer {n}")
                assert a.watch.answer.ok
            notes = [e for e in feed.fw.watch.book.incident(iid).timeline
                     if e.kind is EventKind.NOTE and e.attrs.get("text") == "one note"]
            assert len(notes) == 1
            await until(lambda: any(e.kind is EventKind.NOTE for e in a.watch.book.incident(iid).timeline),
                        what="the note on the wall")
            assert sum(e.kind is EventKind.NOTE for e in a.watch.book.incident(iid).timeline) == 1
        finally:
            await a.close()


async def test_a_wall_on_a_feed_without_incidents_computes_its_own(tmp_path):
    async with Feed(watch=False) as feed:
        a = Wall(feed.server.url, tmp_path / "a.duckdb")
        try:
            await until(lambda: a.local.incidents(), what="a local incident")
            assert a.watch is a.local and a.local.evaluations > 0
            assert a.session.shared.incidents() == []
            # Sent anyway (a script), the feed says it computes none.
            await a.session.shared.send(Command("ack-nowatch-1", "ack_incident", {"incident": "x"}, actor="al"))
            await until(lambda: a.session.shared.answer is not None, what="the refusal")
            assert not a.session.shared.answer.ok and "--watch" in a.session.shared.answer.text
        finally:
            await a.close()


async def test_a_viewer_may_not_acknowledge(tmp_path):
    viewer = generate_token()
    tokens = TokenStore.from_tokens({viewer: ("wall-3", "viewer")})
    async with Feed(watch=True, tokens=tokens) as feed:
        a = Wall(feed.server.url, tmp_path / "a.duckdb", Credentials(Secret(viewer)))
        try:
            await until(lambda: isinstance(a.watch, SharedWatch) and a.watch.incidents(), what="an incident")
            iid = a.watch.incidents()[-1].id
            with pytest.raises(ValueError, match="viewer"):  # the console knows, and says so at once
                a.watch.acknowledge_incident(iid, "wall-3", "mine")
            # A client that sends anyway is refused by the feed, and nothing happens.
            await a.watch.send(Command("viewer-ack-01", "ack_incident", {"incident": iid}, actor="wall-3"))
            await until(lambda: a.watch.answer is not None, what="the refusal")
            assert not a.watch.answer.ok
            assert feed.fw.watch.book.incident(iid).acked_ms is None
        finally:
            await a.close()


async def test_a_refused_command_reaches_the_wall_as_a_clear_message(tmp_path):
    async with Feed(watch=True) as feed:
        a = Wall(feed.server.url, tmp_path / "a.duckdb")
        try:
            await until(lambda: isinstance(a.watch, SharedWatch) and a.watch.now_ms, what="the shared watch")
            a.watch.acknowledge_incident("INC-no-such-thing", "alice", "?")
            await until(lambda: a.watch.answer is not None, what="the refusal")
            assert not a.watch.answer.ok and "INC-no-such-thing" in a.watch.answer.text
            assert "refused" in a.watch.answer.text
        finally:
            await a.close()


async def test_a_wall_follows_its_feed_when_the_feed_changes_kind(tmp_path):
    """The same address, first a feed with incidents, then (restarted) one without: the wall
    goes from the feed's incidents to its own, without a crash, and its panels follow."""
    first = Feed(watch=True)
    async with first:
        port = first.server.port
        a = Wall(first.server.url, tmp_path / "a.duckdb")
        await until(lambda: isinstance(a.watch, SharedWatch) and a.watch.incidents(), what="shared incidents")
    second = Feed(watch=False)
    second.server = FeedServer(second.feed, port=port, heartbeat_s=0.2)
    try:
        async with second:
            await until(lambda: a.watch is a.local and a.local.incidents(), timeout_s=30, what="its own incidents")
            assert a.session.supervisor.faults == 0
    finally:
        await a.close()
