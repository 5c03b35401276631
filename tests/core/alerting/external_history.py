"""A history holding an Alertmanager alert twice, as the console records it: the feed's raw event
(``attrs.external``, protocol addition 4) and the alert engine's transitions made from it by
``AlertWatch.on_events``. Readers of the log must count that alert once."""

from __future__ import annotations

from dataclasses import dataclass

from tests.core.alerting.helpers14 import T0, series, shop
from warroom.app.watch import AlertWatch
from warroom.core.model import Event, EventKind, Severity
from warroom.protocol import MetricBatch, TopologySnapshot

#: Alertmanager's fingerprint of the alert, and the console's.
FP = "c0ffee"
FINGERPRINT = "am:" + FP
#: When Prometheus fired it (startsAt) and ended it (endsAt): earlier than the console heard.
STARTS = T0 + 2_000
ENDS = T0 + 60_000


def am(state: str, *, starts: int = STARTS, ends: int | None = None, subject: str = "cart",
       severity: Severity = Severity.P1) -> Event:
    """The feed's event for the alert, in the shape the gateway sends (copied from
    tests/core/alerting/test_external.py)."""
    title = "Cart error rate above 5 %"
    attrs = {"source": "alertmanager", "external": True, "state": state, "fingerprint": FINGERPRINT,
             "alertname": "CartErrors", "labels": {"alertname": "CartErrors", "service": subject, "severity": "critical"},
             "annotations": {"summary": title, "runbook_url": "https://runbooks.example/cart"},
             "starts_at_ms": starts, "ends_at_ms": ends, "generator_url": "http://prometheus:9090/graph?g0.expr=x",
             "receiver": "warroom"}
    ts = starts if state == "firing" else (ends or starts)
    return Event(f"am-{FP}-{starts}-{state}", ts, EventKind.ALERT, subject, title, severity, attrs)


@dataclass
class History:
    """What the recorder stored, oldest first, and the watch that made it."""

    events: list[Event]
    watch: AlertWatch

    @property
    def raw(self) -> list[Event]:
        """The feed's own alert events."""
        return [e for e in self.events if e.kind is EventKind.ALERT and e.attrs.get("external") is True]

    @property
    def engine(self) -> list[Event]:
        """The engine's events for the alert (transitions and root-cause amendments)."""
        return [e for e in self.events if e.kind is EventKind.ALERT and e.attrs.get("fingerprint") == FINGERPRINT
                and e.attrs.get("external") is not True]


def history(*, subject: str = "cart", severity: Severity = Severity.P1, cart_errors: float = 0.001, resolved: bool = True, seconds: int = 400,
            extra: dict[int, Event] | None = None) -> History:
    """A shop for ``seconds`` (healthy but for cart's error ratio ``cart_errors``): Alertmanager's
    alert (``severity``) on ``subject`` arrives at T0+10 s (started at ``STARTS``) and, if ``resolved``, its resolve at
    T0+70 s (ended at ``ENDS``); ``extra`` feed events arrive at the seconds they are keyed by. Each
    feed event is stored as it came, then what the watch derived from it, as the recorder does."""
    watch = AlertWatch.from_rules_file()
    stored: list[Event] = []
    watch.record = stored.extend
    stored += watch.on_topology(TopologySnapshot(T0, shop()))
    arrivals = {10: am("firing", subject=subject, severity=severity),
                **({70: am("resolved", ends=ENDS, subject=subject, severity=severity)} if resolved else {}),
                **(extra or {})}
    for s in range(seconds):
        now = T0 + s * 1000
        if s in arrivals:
            stored.append(arrivals[s])
            stored += watch.on_events([arrivals[s]])
        points = [(series("service_error_ratio", service=x), now, cart_errors if x == "cart" else 0.001)
                  for x in ("web", "cart", "cache", "orders-db", "report")]
        stored += watch.on_batch(MetricBatch.from_points(points))
    return History(sorted(stored, key=lambda e: e.ts), watch)
