"""Alertmanager alerts and deploy annotations through ``AlertWatch``, as the console runs it:
feed events in, the engine's alerts and the incident book's incidents out, the same after a
replay of what the recorder stored."""

from __future__ import annotations

import logging

from tests.core.alerting.helpers14 import T0, series, shop
from warroom.app.watch import AlertWatch
from warroom.core.alerting.alert_log import AlertLog
from warroom.core.alerting.silences import Silence
from warroom.core.incident.incidents import IncidentBook
from warroom.core.model import Event, EventKind, Severity
from warroom.protocol import MetricBatch, TopologySnapshot
from warroom.store import StoreWriter
from warroom.store.query import HistoryReader

ERRORS = "service_error_ratio"


def am(fp: str, state: str, starts: int, *, subject: str = "cart", severity: Severity = Severity.P1,
       alertname: str = "CartErrors", ends: int | None = None, event_id: str | None = None,
       labels: dict | None = None) -> Event:
    """A feed alert event as the gateway sends it (protocol addition 4)."""
    title = f"{alertname} on {subject or 'the platform'}"
    attrs = {"source": "alertmanager", "external": True, "state": state, "fingerprint": "am:" + fp,
             "alertname": alertname, "labels": labels or {"alertname": alertname, "service": subject},
             "annotations": {"summary": title}, "starts_at_ms": starts, "ends_at_ms": ends,
             "generator_url": "http://prometheus:9090/graph", "receiver": "warroom"}
    ts = starts if state == "firing" else (ends or starts)
    return Event(event_id or f"am-{fp}-{starts}-{state}", ts, EventKind.ALERT, subject, title, severity, attrs)


def annotation(eid: str, ts: int, subject: str, kind: EventKind = EventKind.DEPLOY) -> Event:
    """A change event as the gateway makes it from a Grafana annotation (protocol addition 5)."""
    return Event(eid, ts, kind, subject, f"Deploy {subject or 'everything'} 2.4.1",
                 attrs={"source": "annotation", "tags": ["deploy", *([f"service:{subject}"] if subject else [])],
                        "time_end_ms": None, "version": "2.4.1"})


class Room:
    """An ``AlertWatch`` fed like the recorder feeds it, keeping what the recorder would store."""

    def __init__(self, **kw) -> None:
        self.watch = AlertWatch.from_rules_file(**kw)
        self.stored: list[Event] = []
        self.watch.record = self.stored.extend  # the room's actions are stored too
        self.stored += self.watch.on_topology(TopologySnapshot(T0, shop()))

    def events(self, *events: Event) -> list[Event]:
        self.stored += events  # the feed's events are stored as they came...
        out = self.watch.on_events(events)
        self.stored += out  # ...then what the watch derived from them
        return out

    def seconds(self, n: int, start: int, values: dict | None = None) -> list[Event]:
        """``n`` seconds of points (every service healthy unless ``values`` says otherwise)."""
        out: list[Event] = []
        for s in range(n):
            now = start + s * 1000
            points = {series(ERRORS, service=x): 0.001 for x in ("web", "cart", "cache", "orders-db", "report")}
            points.update(values or {})
            out += self.watch.on_batch(MetricBatch.from_points([(k, now, v) for k, v in points.items()]))
        self.stored += out
        return out

    def alert(self, fp: str):
        return next((a for a in self.watch.alerts() if a.fingerprint == fp), None)


def incident_events(events: list[Event], action: str | None = None) -> list[Event]:
    return [e for e in events if e.kind is EventKind.INCIDENT and (action is None or e.attrs["action"] == action)]


def test_a_firing_p1_opens_an_incident_rooted_at_its_service_and_resolved_starts_its_recovery():
    paged: list[Event] = []
    room = Room(notify=paged.append)
    room.seconds(10, T0)
    out = room.events(am("c1", "firing", T0 + 2000))
    a = room.alert("am:c1")
    assert a is not None and a.source == "alertmanager" and a.root_cause == "cart" and a.state == "firing"
    [opened] = incident_events(out, "opened")
    inc = room.watch.book.incident(opened.attrs["incident"])
    assert inc.root_cause == "cart" and inc.alerts == ("am:c1",) and inc.severity is Severity.P1
    # MTTD: it started when Prometheus fired it, was detected when it reached the console.
    assert inc.started_ms == T0 + 2000 and inc.detected_ms == room.watch.now_ms == T0 + 9000
    assert any(e.kind is EventKind.ALERT and e.attrs.get("source") == "alertmanager" for e in inc.timeline)
    assert [e.kind for e in paged] == [EventKind.ALERT, EventKind.INCIDENT]  # the alert and the incident page
    room.seconds(10, T0 + 10_000)
    out = room.events(am("c1", "resolved", T0 + 2000, ends=T0 + 15_000))
    assert room.alert("am:c1") is None
    assert [e.attrs["action"] for e in incident_events(out)] == ["recovering"]
    room.seconds(320, T0 + 20_000)
    assert room.watch.book.incident(inc.id).state == "resolved"


def test_an_external_alert_on_a_caller_joins_the_incident_of_the_deeper_root():
    """cart's own error alert (P2) fires first; Alertmanager then pages on web, which calls cart."""
    room = Room()
    room.seconds(30, T0, {series(ERRORS, service="cart"): 0.5})
    cart = next(a for a in room.watch.alerts() if a.subject == "cart")
    assert cart.state == "firing" and not room.watch.incidents()  # a P2 opens nothing by itself
    out = room.events(am("w1", "firing", T0 + 25_000, subject="web", alertname="WebErrors"))
    web = room.alert("am:w1")
    assert web.root_cause == "cart" and web.folded_under == cart.fingerprint
    [opened] = incident_events(out, "opened")
    inc = room.watch.book.incident(opened.attrs["incident"])
    assert inc.root_cause == "cart" and set(inc.alerts) == {"am:w1", cart.fingerprint}


def test_duplicates_are_no_ops_and_a_new_starts_at_is_a_new_firing():
    room = Room()
    room.seconds(5, T0)
    first = am("c1", "firing", T0 + 1000, severity=Severity.P2)
    assert room.events(first)
    version = room.watch.version
    assert room.events(first) == []
    assert room.events(am("c1", "firing", T0 + 1000, severity=Severity.P2, event_id="resent")) == []
    assert room.watch.version == version and room.watch.external.counts["duplicate"] == 2
    room.events(am("c1", "resolved", T0 + 1000, ends=T0 + 3000, severity=Severity.P2))
    assert room.alert("am:c1") is None
    out = room.events(am("c1", "firing", T0 + 4000, severity=Severity.P2))
    assert [e.attrs["state"] for e in out if e.kind is EventKind.ALERT] == ["firing"]
    assert room.alert("am:c1").since_ms == T0 + 4000


def test_hostile_alert_events_never_crash_are_counted_and_logged_and_the_good_one_still_counts(caplog):
    room = Room()
    room.seconds(5, T0)
    good = am("good", "firing", T0 + 1000)
    bad = [
        Event("b1", T0, EventKind.ALERT, "cart", "no attrs at all", Severity.P1, {"external": True}),
        Event("b2", T0, EventKind.ALERT, "cart", "x", Severity.P1, {**good.attrs, "fingerprint": 42}),
        Event("b3", T0, EventKind.ALERT, "cart", "x", Severity.P1, {**good.attrs, "fingerprint": "am:" + "f" * 5000}),
        Event("b4", T0, EventKind.ALERT, "cart", "x", Severity.P1, {**good.attrs, "starts_at_ms": "soon"}),
        Event("b5", T0, EventKind.ALERT, "cart", "x", Severity.P1, {**good.attrs, "state": {"firing": 1}}),
    ]
    huge = am("huge", "firing", T0 + 1000, severity=Severity.P3,
              labels={f"label_{i}": "x" * 100_000 for i in range(5000)})
    with caplog.at_level(logging.WARNING):
        out = room.events(*bad, huge, good)
    assert room.watch.external.counts["rejected"] == len(bad)
    assert any("ignored" in r.getMessage() for r in caplog.records)
    assert room.alert("am:good").root_cause == "cart" and room.alert("am:huge") is not None
    assert incident_events(out, "opened")  # the good P1 still opened its incident
    assert len(room.alert("am:huge").series.text) < 10_000


def test_a_paging_alert_with_no_service_opens_an_incident_of_unknown_root_and_a_p2_opens_none():
    room = Room()
    room.seconds(5, T0)
    out = room.events(am("p2", "firing", T0 + 1000, subject="", severity=Severity.P2, alertname="DiskFilling"))
    assert room.alert("am:p2").root_cause == "" and not incident_events(out)
    out = room.events(am("p1", "firing", T0 + 1000, subject="", alertname="PaymentsDown"))
    [opened] = incident_events(out, "opened")
    inc = room.watch.book.incident(opened.attrs["incident"])
    assert inc.root_cause == "" and opened.attrs["scope"] == "" and "am:p1" in inc.alerts
    # A later service alert with a root of its own does not take it over: it is not its symptom.
    room.events(am("c1", "firing", T0 + 2000))
    assert room.watch.book.incident(inc.id).root_cause == ""


def test_a_silenced_external_page_opens_no_incident():
    room = Room()
    room.seconds(5, T0)
    room.watch.silence(Silence("s1", {"rule": "alertmanager:CartErrors"}, T0, T0 + 3_600_000, "ops"))
    out = room.events(am("c1", "firing", T0 + 1000))
    assert room.alert("am:c1").silenced_by == "s1" and not incident_events(out)


def test_an_annotation_deploy_tags_the_next_error_alert_after_change_and_makes_its_service_the_root():
    room = Room()
    room.seconds(5, T0)
    room.events(annotation("ann-nobody", T0 + 4000, ""))  # no service: kept, used by nothing
    room.events(annotation("ann-cart", T0 + 4500, "cart"))
    room.seconds(30, T0 + 5000, {series(ERRORS, service="cart"): 0.5})
    cart = next(a for a in room.watch.alerts() if a.subject == "cart" and a.rule == "service-errors")
    assert cart.state == "firing" and cart.root_cause == "cart" and cart.is_root
    assert "after_change" in cart.tags and cart.change["id"] == "ann-cart"
    # An Alertmanager page on cart now opens an incident whose timeline has the deploy.
    out = room.events(am("c1", "firing", T0 + 30_000))
    a = room.alert("am:c1")
    assert "after_change" in a.tags and a.change["id"] == "ann-cart"
    [opened] = incident_events(out, "opened")
    timeline = room.watch.book.incident(opened.attrs["incident"]).timeline
    assert "ann-cart" in {e.id for e in timeline} and "ann-nobody" not in {e.id for e in timeline}


def test_a_replay_of_what_was_stored_shows_the_same_alerts_and_incidents(tmp_path):
    room = Room()
    room.seconds(20, T0, {series(ERRORS, service="cache"): 0.5})
    room.events(annotation("ann-cart", T0 + 1000, "cart"))
    room.events(am("w1", "firing", T0 + 15_000, subject="web", alertname="WebErrors"))
    room.events(am("n1", "firing", T0 + 16_000, subject="", alertname="PaymentsDown"))
    room.seconds(20, T0 + 20_000, {series(ERRORS, service="cache"): 0.5})
    room.events(am("w1", "firing", T0 + 15_000, subject="web", alertname="WebErrors", event_id="resent"))
    room.watch.acknowledge_alert("am:n1", "alice", "looking")
    room.events(am("n1", "resolved", T0 + 16_000, subject="", ends=T0 + 38_000, alertname="PaymentsDown"))

    def alerts(items):
        return sorted((a.fingerprint, a.rule, a.subject, a.state, a.source, a.since_ms, a.root_cause,
                       a.folded_under, a.tags) for a in items)

    def incidents(items):
        return sorted((i.id, i.state, i.root_cause, i.alerts, i.started_ms, i.detected_ms,
                       tuple(e.id for e in i.timeline)) for i in items)

    writer = StoreWriter(tmp_path / "h.duckdb")  # stored and read back as a replay reads it
    writer.append_events(room.stored)
    writer.close()
    with HistoryReader(tmp_path / "h.duckdb") as reader:
        stored = reader.events(0, 4_102_444_800_000)
    assert len(stored) == len({e.id for e in room.stored})
    assert alerts(AlertLog.replay(stored).alerts()) == alerts(room.watch.alerts())
    assert any(a.source == "alertmanager" for a in room.watch.alerts())
    assert incidents(IncidentBook.replay(stored).incidents()) == incidents(room.watch.book.incidents())
    # At a moment before the console heard of it (it had started in Prometheus), a replay does
    # not show it either: the feed's own event at startsAt is not the console's alert.
    heard = min(e.ts for e in stored if e.id.startswith("alert-am:w1-"))
    assert heard > T0 + 15_000
    assert "am:w1" not in {a.fingerprint for a in AlertLog.replay(stored, until_ms=heard - 1).alerts()}
    assert len(room.watch.book.incidents()) == 2
