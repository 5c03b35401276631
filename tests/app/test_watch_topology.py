"""The alert watch and the recorder on a feed that keeps sending its call graph: a re-sent
graph costs no rebuild, a big one is read off the event loop, and the changes reach the event
log as a bounded summary."""

from __future__ import annotations

import asyncio
import threading

from warroom.app.recorder import Recorder
from warroom.app.watch import BIG_TOPOLOGY, AlertWatch
from warroom.core.alerting.alerts import AlertEngine
from warroom.core.model import CallEdge, EventKind, SeriesKey, Service
from warroom.core.graph.topology import Topology
from warroom.core.graph.topology_log import MIN_INTERVAL_MS
from warroom.io.client import FeedClient
from warroom.protocol import MetricBatch, TopologySnapshot
from warroom.store import StoreWriter

T0 = 1_763_605_800_000


def graph(n: int) -> Topology:
    names = [f"svc-{i:04d}" for i in range(n)]
    return Topology([Service("gateway"), *(Service(x) for x in names)], [CallEdge("gateway", x) for x in names])


def count_rebuilds(monkeypatch) -> list[tuple[Topology, int]]:
    """(topology, thread) of every ``AlertEngine.set_topology`` call."""
    calls: list[tuple[Topology, int]] = []
    real = AlertEngine.set_topology

    def set_topology(self, topology):
        calls.append((topology, threading.get_ident()))
        real(self, topology)

    monkeypatch.setattr(AlertEngine, "set_topology", set_topology)
    return calls


def test_a_graph_sent_again_does_not_rebuild_the_engines_tables(monkeypatch):
    calls = count_rebuilds(monkeypatch)
    watch = AlertWatch.from_rules_file()
    for i in range(10):
        assert watch.on_topology(TopologySnapshot(T0 + i * 2000, graph(50))) == []
    assert len(calls) == 1
    watch.on_topology(TopologySnapshot(T0 + 30_000, graph(51)))
    assert len(calls) == 2


def test_changes_come_back_as_a_summary_and_a_folded_one_with_a_later_batch():
    watch = AlertWatch.from_rules_file()
    watch.on_topology(TopologySnapshot(T0, graph(50)))
    [first] = watch.on_topology(TopologySnapshot(T0 + 2000, graph(60)))
    assert first.kind is EventKind.FEED and first.attrs["counts"]["added_services"] == 10
    assert watch.on_topology(TopologySnapshot(T0 + 4000, graph(61))) == []  # folded: too soon
    batch = MetricBatch.from_points([(SeriesKey("service_requests_rate", {"service": "gateway"}),
                                      T0 + 2000 + MIN_INTERVAL_MS, 1.0)])
    folded = [e for e in watch.on_batch(batch) if e.subject == "topology"]
    assert len(folded) == 1 and folded[0].attrs["added_services"] == ["svc-0060"]


def test_on_a_loop_a_big_graph_is_read_on_a_worker_and_taken_on_the_loop(monkeypatch):
    calls = count_rebuilds(monkeypatch)
    warmed: list[int] = []
    real_warm = Topology.warm

    def warm(self):
        warmed.append(threading.get_ident())
        real_warm(self)

    monkeypatch.setattr(Topology, "warm", warm)
    watch = AlertWatch.from_rules_file()
    big = graph(BIG_TOPOLOGY + 50)

    async def main() -> int:
        loop_thread = threading.get_ident()
        watch.on_topology(TopologySnapshot(T0, big))
        assert calls == []  # not on the loop's time: the worker reads it first
        for _ in range(200):
            await asyncio.sleep(0.01)
            if calls:
                break
        return loop_thread

    loop_thread = asyncio.run(main())
    assert calls == [(big, loop_thread)]  # the engine takes it on the loop...
    assert warmed and warmed[0] != loop_thread  # ...after a worker thread read it


async def test_the_recorder_writes_the_summary_to_the_event_log(tmp_path):
    writer = StoreWriter(tmp_path / "h.duckdb", flush_interval_s=0.05)
    seen: list = []
    rec = Recorder(FeedClient("ws://127.0.0.1:9"), writer, on_events=seen.extend, watch=AlertWatch.from_rules_file())
    try:
        await rec.handle(TopologySnapshot(T0, graph(20)))
        await rec.handle(TopologySnapshot(T0 + 2000, graph(20)))  # the same again
        await rec.handle(TopologySnapshot(T0 + 4000, graph(25)))
        assert [e.title for e in seen] == ["topology changed: +5 services, +5 calls"]
        await asyncio.to_thread(writer.flush)
        stored = writer.reader().events(T0 - 1000, T0 + 10_000, kinds=[EventKind.FEED])
        assert [e.id for e in stored] == [seen[0].id]
    finally:
        writer.close()
