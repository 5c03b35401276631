"""The watch hands the feed's call graph to the rules: entries, objectives and cadences come
from the topology the feed sends, never from service names (issue 14)."""

from __future__ import annotations

from warroom.app.watch import AlertWatch
from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, EventKind, SeriesKey, Service, ServiceKind
from warroom.protocol import TopologySnapshot

T0 = 1_731_292_200_000


def _graph(entry: str) -> Topology:
    t = Topology([Service("edge-a", entry=entry == "edge-a"), Service("edge-b", entry=entry == "edge-b"),
                  Service("core", slo={"p99_s": 0.2}), Service("db", ServiceKind.DATABASE)])
    for a, b in (("edge-a", "core"), ("edge-b", "core"), ("core", "db"), ("edge-b", "edge-a")):
        t.add_edge(CallEdge(a, b))
    return t


def _run(watch: AlertWatch, seconds: int, start: int, values) -> list:
    out = []
    for s in range(seconds):
        v = values(s)
        watch.engine.observe(start + s * 1000, list(v), list(v.values()))
        out += watch.evaluate(start + s * 1000)
    return out


def test_surges_are_judged_at_the_entries_the_feed_marks_and_objectives_come_from_it():
    watch = AlertWatch.from_rules_file()
    watch.on_topology(TopologySnapshot(T0, _graph("edge-a")))  # marked: edge-a; uncalled: edge-b
    rate = lambda x: {SeriesKey("service_requests_rate", {"service": n}): 100.0 * x
                      for n in ("edge-a", "edge-b", "core")}
    _run(watch, 300, T0, lambda s: rate(1 + 0.01 * (s % 3)))
    out = _run(watch, 40, T0 + 300_000, lambda s: {**rate(8),
               SeriesKey("service_latency_seconds", {"service": "core", "quantile": "0.99"}): 0.25})
    fired = {(e.attrs["rule"], e.subject) for e in out if e.kind is EventKind.ALERT and e.attrs["state"] == "firing"}
    assert ("entry-traffic-surge", "edge-a") in fired and ("entry-traffic-surge", "edge-b") in fired
    assert ("entry-traffic-surge", "core") not in fired
    latency = next(a for a in watch.alerts() if a.rule == "service-latency")
    assert latency.subject == "core" and latency.threshold == 0.2 and "objective" in latency.title
