"""Hand-made feeds for the issue-14 rule tests: a topology and a second-by-second feeder."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from warroom.core.alerting.alerts import AlertEngine, amends_root
from warroom.core.alerting.rules import default_rules_path, load_rules_file
from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Event, EventKind, SeriesKey, Service, ServiceKind

#: 10:30 local (UTC+8) on 2024-11-11.
T0 = 1_731_292_200_000


def p99(service: str) -> SeriesKey:
    return SeriesKey("service_latency_seconds", {"service": service, "quantile": "0.99"})


def series(name: str, **labels: str) -> SeriesKey:
    return SeriesKey(name, labels)


def shop(**overrides: Service) -> Topology:
    """A web shop nobody tuned the rules for: web -> cart -> cache, cart -> orders-db."""
    services = {s.name: s for s in (
        Service("web", ServiceKind.CHANNEL), Service("cart"), Service("cache", ServiceKind.CACHE),
        Service("orders-db", ServiceKind.DATABASE), Service("report"))}
    services.update(overrides)
    t = Topology(list(services.values()))
    for a, b in (("web", "cart"), ("cart", "cache"), ("cart", "orders-db"), ("web", "report")):
        t.add_edge(CallEdge(a, b))
    return t


def engine(topology: Topology | None = None, rules=None) -> AlertEngine:
    return AlertEngine(rules or load_rules_file(default_rules_path()), topology or shop())


Values = Mapping[SeriesKey, float] | Callable[[int], Mapping[SeriesKey, float]]


def feed(e: AlertEngine, seconds: int, start: int, values: Values) -> list[Event]:
    """One point a second of each series (``values`` may depend on the second), evaluated."""
    out: list[Event] = []
    for s in range(seconds):
        now = start + s * 1000
        v = values(s) if callable(values) else values
        if v:
            e.observe(now, list(v), list(v.values()))
        out += e.evaluate(now)
    return out


def transitions(events: list[Event], rule: str | None = None) -> list[tuple[str, str, str]]:
    """(state, rule, subject) of the alert transitions (not root-cause amendments)."""
    return [(e.attrs["state"], e.attrs["rule"], e.subject) for e in events
            if e.kind is EventKind.ALERT and not amends_root(e.attrs) and (rule is None or e.attrs["rule"] == rule)]
