"""The event log's account of a changing call graph: one bounded summary, not a flood."""

from __future__ import annotations

from warroom.core.model import CallEdge, EventKind, Scenario, Service, Severity
from warroom.core.graph.topology import Topology
from warroom.core.graph.topology_log import MAX_NAMES, MIN_INTERVAL_MS, TopologyLog, change_summary

T0 = 1_763_605_800_000


def platform(n: int, extra: int = 0, capacity: float = 0.0) -> Topology:
    """An entry calling ``n`` services, each calling a database; ``extra`` more services."""
    names = [f"svc-{i:04d}" for i in range(n + extra)]
    services = [Service("gateway"), Service("db"), *(Service(x, capacity_rps=capacity) for x in names)]
    edges = [CallEdge("gateway", x) for x in names] + [CallEdge(x, "db") for x in names]
    return Topology(services, edges, [Scenario.from_path("pay", "Pay", ["gateway", names[0], "db"])])


def test_the_first_graph_and_the_same_graph_again_write_nothing():
    log = TopologyLog()
    assert log.observe(platform(10), T0) == []
    for i in range(1, 30):  # re-sent every two seconds, as new objects
        assert log.observe(platform(10), T0 + i * 2000) == []
    assert not log.pending


def test_a_change_after_a_quiet_spell_is_written_at_once_with_what_changed():
    log = TopologyLog()
    log.observe(platform(10), T0)
    [event] = log.observe(platform(10, extra=2), T0 + 2000)
    assert event.kind is EventKind.FEED and event.severity is Severity.INFO and event.subject == "topology"
    assert event.ts == T0 + 2000
    assert event.attrs["what"] == "topology"
    assert event.attrs["counts"] == {"added_services": 2, "added_edges": 4}
    assert event.attrs["added_services"] == ["svc-0010", "svc-0011"]
    assert ["svc-0010", "db"] in event.attrs["added_edges"]
    assert event.title == "topology changed: +2 services, +4 calls"


def test_a_big_change_is_summarised_in_bounded_size():
    log = TopologyLog()
    log.observe(platform(1000), T0)
    # Another 1,000 services, every capacity changed: 4,000 changes in one snapshot.
    [event] = log.observe(platform(1000, extra=1000, capacity=10.0), T0 + 2000)
    counts = event.attrs["counts"]
    assert counts == {"added_services": 1000, "changed_services": 1000, "added_edges": 2000}
    listed = [v for k, v in event.attrs.items() if isinstance(v, list)]
    assert listed and all(len(v) <= MAX_NAMES for v in listed)
    assert len(repr(dict(event.attrs))) < 2000  # a few hundred bytes, whatever the platform


def test_changes_every_two_seconds_fold_into_one_event_a_minute():
    log = TopologyLog()
    log.observe(platform(10), T0)
    events = []
    for i in range(1, 91):  # three minutes of churn: one more service every two seconds
        events += log.observe(platform(10, extra=i), T0 + i * 2000)
    assert 3 <= len(events) <= 4  # not 90
    first, second = events[0], events[1]
    assert first.attrs["updates"] == 1
    assert second.ts - first.ts >= MIN_INTERVAL_MS
    assert second.attrs["updates"] == 30 and second.attrs["counts"]["added_services"] == 30
    assert "(30 updates)" in second.title
    assert second.attrs["since_ms"] == first.ts + 2000
    assert len({e.id for e in events}) == len(events)


def test_a_folded_change_is_written_when_its_interval_ends_even_if_the_graph_stops_changing():
    log = TopologyLog()
    log.observe(platform(10), T0)
    assert len(log.observe(platform(11), T0 + 1000)) == 1
    assert log.observe(platform(12), T0 + 3000) == []
    assert log.pending and log.due(T0 + 30_000) == []
    [event] = log.due(T0 + 1000 + MIN_INTERVAL_MS)
    assert event.attrs["added_services"] == ["svc-0011"] and not log.pending


def test_a_change_undone_before_it_is_written_writes_nothing():
    log = TopologyLog()
    log.observe(platform(10), T0)
    log.observe(platform(11), T0 + 1000)  # written
    log.observe(platform(12), T0 + 3000)  # folded...
    log.observe(platform(11), T0 + 5000)  # ...and undone
    assert log.due(T0 + 2 * MIN_INTERVAL_MS) == [] and not log.pending


def test_summary_lists_every_kind_of_change():
    before = platform(3)
    after = Topology([*before.services[:-1], Service("svc-0009")], [], [])
    title, attrs = change_summary(before.diff(after))
    assert attrs["counts"] == {"added_services": 1, "removed_services": 1, "removed_edges": 6,
                               "removed_scenarios": 1}
    assert title == "topology changed: +1 services, -1 services, -6 calls, -1 scenarios"
