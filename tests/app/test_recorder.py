"""The recorder: feed -> store, with feed state changes written to the event log."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.hostile import HostileServer, Recording, until
from warroom.cli.common import CliError
from warroom.core.clock import wall_ms
from warroom.core.model import EventKind, SeriesKey
from warroom.io.client import Backoff, FeedClient
from warroom.app.recorder import Recorder, StoreFailed
from warroom.io.server import FeedServer
from warroom.protocol import MetricBatch
from warroom.store import HistoryReader, StoreError, StoreWriter


def tick(t: int, n: int = 60) -> MetricBatch:
    return MetricBatch.from_points([(SeriesKey("m", {"i": str(i)}), t, float(i)) for i in range(n)])


async def test_records_points_and_explains_the_gap(source, tmp_path):
    lines: list[str] = []
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    server = FeedServer(source, port=0, heartbeat_s=0.1)
    await server.start()
    port = server.port
    client = FeedClient(server.url, backoff=Backoff(initial=0.05, maximum=0.1))
    rec = Recorder(client, writer, report=lines.append, report_every_s=0.05)
    tasks = [asyncio.create_task(client.run()), asyncio.create_task(rec.run())]
    t0 = wall_ms() // 1000 * 1000
    try:
        await until(lambda: server.client_count == 1)
        for i in range(3):
            server.broadcast(tick(t0 + i * 1000))
        await until(lambda: rec.stats.points == 180)
        await server.stop()
        await until(lambda: any("feed disconnected" in ln for ln in lines))
        server = FeedServer(source, port=port, heartbeat_s=0.1)
        await server.start()
        await until(lambda: server.client_count == 1)
        for i in range(10, 12):
            server.broadcast(tick(t0 + i * 1000))
        await until(lambda: rec.stats.points == 300)
    finally:
        await client.stop()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.stop()
    await asyncio.to_thread(writer.flush)
    reader = writer.reader()
    data = reader.range([SeriesKey("m", {"i": "5"})], t0 - 1000, t0 + 20_000, max_points=100)[SeriesKey("m", {"i": "5"})]
    assert data.ts.tolist() == [t0, t0 + 1000, t0 + 2000, t0 + 10_000, t0 + 11_000]  # the gap stays a gap
    feed_events = reader.events(t0 - 60_000, wall_ms() + 60_000, kinds=[EventKind.FEED])
    # (a final "disconnected: stopped" may or may not be recorded, depending on which task ends first)
    transitions = [e for e in feed_events if e.attrs["what"] == "state" and e.attrs["reason"] != "stopped"]
    assert [e.attrs["state"] for e in transitions] == ["live", "disconnected", "live"]
    down = transitions[1]
    # The close as it happened: the server went away (1001), not "connection lost".
    assert (down.attrs["closed_by"], down.attrs["close_code"]) == ("server", 1001), down.attrs
    assert "closed by server: 1001" in down.title
    writer.close()
    assert any("+180 points" in ln or "points" in ln for ln in lines)


async def test_a_full_store_makes_the_recorder_wait_not_drop(source, tmp_path):
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05, max_pending_points=100)
    disk = threading.Event()  # a stalled disk: the writer thread cannot commit until set
    real_write = writer._appender.write

    def slow_write(*args, **kwargs):
        disk.wait(10)
        return real_write(*args, **kwargs)

    writer._appender.write = slow_write
    client = FeedClient("ws://127.0.0.1:9")  # never run: we feed the queue by hand
    rec = Recorder(client, writer)
    t0 = wall_ms() // 1000 * 1000
    try:
        for i in range(2):  # the writer takes one batch into its stalled flush, the queue the other
            await rec.handle(tick(t0 + i * 1000, 60))
        pending = asyncio.create_task(rec.handle(tick(t0 + 2000, 60)))  # 120 > 100: must wait
        await asyncio.sleep(0.3)
        assert not pending.done() and rec.stats.waits > 0
        assert rec.stats.points == 120  # the third batch is neither counted nor lost
        disk.set()  # the store catches up...
        await asyncio.wait_for(pending, 5)  # ...and the waiting batch goes in
        await asyncio.to_thread(writer.flush)
        assert writer.health.flushed_points == 180
    finally:
        disk.set()
        writer.close()


class _WriterDeath(BaseException):
    """Not an Exception: nothing in the writer thread catches it, so the thread dies."""


def dying_writer(die: threading.Event):
    """A StoreWriter class whose thread dies at its first flush once ``die`` is set."""

    class DyingWriter(StoreWriter):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            real = self._appender.write

            def write(*a, **k):
                if die.is_set():
                    raise _WriterDeath("the writer thread dies")
                return real(*a, **k)

            self._appender.write = write

    return DyingWriter


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the thread dies on purpose
async def test_a_dead_store_ends_the_recording_non_zero_saying_what_was_not_saved(tmp_path, capsys, monkeypatch):
    """Finding 1's other half: the recorder said "N points recorded" after "not saved"."""
    die = threading.Event()
    monkeypatch.setattr("warroom.store.StoreWriter", dying_writer(die))
    feed = HostileServer()
    await feed.start()
    t0 = feed.now_ms() - 60_000
    try:
        rec = Recording(feed.url, tmp_path / "h.duckdb", capsys)
        await feed.wait_subscribed()
        await feed.send(feed.metrics({"name": "m"}, t0, 1.0))
        await rec.wait_committed(1)
        die.set()
        await feed.send(feed.metrics({"name": "m"}, [t0 + 1000, t0 + 2000], [2.0, 3.0]))
        await until(rec.task.done, 20, "the recording to give up")
        with pytest.raises(CliError) as failed:
            rec.task.result()
    finally:
        await feed.stop()
    message = str(failed.value)
    assert message.startswith("recording failed: the history store stopped"), message
    # Exact: the one point committed before, the two points after; events are the recorder's own.
    assert "; 1 points and " in message and "not saved: 2 points" in message, message
    lines = rec.out()
    assert any("RECORDING FAILED: the history store stopped" in ln for ln in lines)
    assert not any(ln.split(" ", 1)[1].startswith("stopped: ") for ln in lines)  # no "all well" line after a failure
    with HistoryReader(tmp_path / "h.duckdb") as h:
        assert h.range([SeriesKey("m", {})], 0, 2**53)[SeriesKey("m", {})].ts.tolist() == [t0]


async def test_a_store_that_cannot_write_is_said_at_once_and_given_up_on_after_a_while(tmp_path):
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.02, max_backoff_s=0.05)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    writer._appender.write = disk_full
    lines: list[str] = []
    rec = Recorder(FeedClient("ws://127.0.0.1:9"), writer, report=lines.append, store_failure_fatal=True,
                   store_give_up_s=0.3)
    await rec.handle(tick(wall_ms(), 5))
    await until(lambda: writer.health.last_error is not None, what="a failed flush")
    rec.check_store()
    assert any(ln.startswith("STORE WRITES FAILING: OSError") for ln in lines)  # at once, loudly
    await asyncio.sleep(0.35)
    with pytest.raises(StoreFailed, match="could not be written for"):
        rec.check_store()
    writer._abandon = True  # let close() give up at once: the disk stays full
    with pytest.raises(StoreError):
        writer.close(timeout=0.1)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
async def test_in_the_console_a_dead_store_is_said_once_and_the_feed_still_flows(tmp_path):
    die = threading.Event()
    writer = dying_writer(die)(tmp_path / "h.duckdb", flush_interval_s=0.02)
    faults: list[tuple[str, str]] = []
    client = FeedClient("ws://127.0.0.1:9")
    rec = Recorder(client, writer, on_fault=lambda stage, exc, action: faults.append((stage, action)))
    die.set()
    await rec.handle(tick(wall_ms(), 5))
    await until(lambda: not writer.alive, what="the writer thread to die")
    for i in range(3):
        await rec.handle(tick(wall_ms() + 1000 * (i + 1), 5))  # no exception: the console goes on
    rec.check_store()
    assert faults == [("history store", "nothing more is saved")]
    assert rec.store_failure.startswith("the history store stopped")
    assert rec.stats.refused_points == 15
    with pytest.raises(StoreError):
        writer.close(timeout=0.1)


async def test_a_feed_it_can_never_reach_ends_the_recording_non_zero_and_says_why(tmp_path, capsys):
    rec = Recording("http://127.0.0.1:9/", tmp_path / "h.duckdb", capsys)  # not a websocket address
    await until(rec.task.done, 10, "the recording to give up")
    with pytest.raises(CliError, match=r"recording failed: invalid feed address: .*; not retrying; 0 points and"):
        rec.task.result()


async def test_a_graph_sent_again_is_not_handed_to_the_store_again(tmp_path):
    from warroom.core.model import CallEdge, Service
    from warroom.core.graph.topology import Topology
    from warroom.protocol import TopologySnapshot

    def graph(*names: str) -> Topology:
        return Topology([Service(n) for n in names], [CallEdge(names[0], n) for n in names[1:]])

    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    handed: list[TopologySnapshot] = []
    append = writer.append_topology
    writer.append_topology = lambda snap: (handed.append(snap), append(snap))[1]
    recorder = Recorder(FeedClient("ws://127.0.0.1:9"), writer)
    t0 = wall_ms()
    mutable = graph("a", "b", "c")
    for i, topo in enumerate([mutable, graph("a", "c", "b"), graph("a", "b", "c")]):
        await recorder.handle(TopologySnapshot(t0 + i, topo))
    assert len(handed) == 1  # the same records, in another order or another object: not again
    mutable.add_service(Service("d"))  # a holder changing the first graph later changes nothing here
    await recorder.handle(TopologySnapshot(t0 + 5, graph("a", "b", "c")))
    assert len(handed) == 1
    await recorder.handle(TopologySnapshot(t0 + 6, graph("a", "b", "c", "d")))
    assert len(handed) == 2 and recorder.stats.topologies == 2
    writer.close()
    with HistoryReader(tmp_path / "h.duckdb") as reader:
        assert sorted(s["name"] for s in reader.topology_at(t0 + 10)["services"]) == ["a", "b", "c", "d"]
