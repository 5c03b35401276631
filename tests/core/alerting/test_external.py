"""Alerts from Alertmanager (feed events with ``attrs.external``) as the alert engine's own:
raised and resolved, deduplicated, grouped by root cause, bounded against hostile input."""

from __future__ import annotations

import logging

import pytest

from tests.core.alerting.helpers14 import T0, engine, feed, series, shop, transitions
from warroom.core.alerting.alert_log import AlertLog
from warroom.core.alerting.alerts import amends_root
from warroom.core.alerting.external import (
    MAX_LABELS, MAX_TEXT, BadExternalAlert, ExternalAlerts, is_feed_alert, parse,
)
from warroom.core.alerting.silences import Silence
from warroom.core.model import Event, EventKind, Severity


def am(fp: str, state: str, starts: int, *, subject: str = "cart", severity: Severity = Severity.P1,
       title: str = "Cart error rate above 5 %", alertname: str = "CartErrors", ends: int | None = None,
       ts: int | None = None, event_id: str | None = None, **over) -> Event:
    """A feed alert event as the gateway sends it (protocol addition 4)."""
    attrs = {"source": "alertmanager", "external": True, "state": state, "fingerprint": "am:" + fp,
             "alertname": alertname, "labels": {"alertname": alertname, "service": subject, "severity": "critical"},
             "annotations": {"summary": title, "runbook_url": "https://runbooks.example/cart"},
             "starts_at_ms": starts, "ends_at_ms": ends, "generator_url": "http://prometheus:9090/graph?g0.expr=x",
             "receiver": "warroom"}
    attrs.update(over)
    when = ts if ts is not None else (starts if state == "firing" else (ends or starts))
    return Event(event_id or f"am-{fp}-{starts}-{state}", when, EventKind.ALERT, subject, title, severity, attrs)


def with_attrs(ev: Event, event_id: str | None = None, **over) -> Event:
    """``ev`` with some attrs replaced (or a new id)."""
    return Event(event_id or ev.id, ev.ts, ev.kind, ev.subject, ev.title, ev.severity, {**ev.attrs, **over})


def active(e) -> dict:
    return {a.fingerprint: a for a in e.alerts()}


def test_a_firing_alert_becomes_an_alert_of_the_engine_and_its_event_is_the_engines_transition():
    e, ext = engine(), ExternalAlerts()
    raw = am("c0ffee", "firing", T0 - 40_000)
    assert is_feed_alert(raw)
    [ev] = ext.apply(e, raw, T0, {"web", "cart", "cache", "orders-db", "report"})
    a = active(e)["am:c0ffee"]
    assert (a.rule, a.subject, a.subject_kind, a.severity, a.state) == (
        "alertmanager:CartErrors", "cart", "service", Severity.P1, "firing")
    assert a.title == "Cart error rate above 5 %" and a.source == "alertmanager"
    assert a.since_ms == a.fired_ms == T0 - 40_000  # when Prometheus fired it, not when it reached us
    assert a.runbook == "https://runbooks.example/cart" and a.series.labels["alertname"] == "CartErrors"
    assert a.root_cause == "cart" and a.is_root  # nothing below cart alerts
    # The event the log keeps is the engine's, not the feed's, and says where it came from.
    assert ev.id.startswith("alert-am:c0ffee-") and ev.ts == T0 and not is_feed_alert(ev)
    assert ev.attrs["source"] == "alertmanager" and ev.attrs["rule"] == "alertmanager:CartErrors"
    assert ev.attrs["state"] == "firing" and ev.attrs["root_cause"] == "cart"
    assert ev.attrs["starts_at_ms"] == T0 - 40_000 and ev.attrs["labels"]["service"] == "cart"
    assert ext.counts["fired"] == 1


def test_resolved_resolves_it():
    e, ext = engine(), ExternalAlerts()
    ext.apply(e, am("c0ffee", "firing", T0), T0)
    [ev] = ext.apply(e, am("c0ffee", "resolved", T0, ends=T0 + 90_000), T0 + 95_000)
    assert ev.attrs["state"] == "resolved" and ev.attrs["fired"] is True and ev.attrs["ends_at_ms"] == T0 + 90_000
    assert e.alerts() == [] and ext.counts["resolved"] == 1


def test_duplicates_change_nothing_but_a_later_episode_fires_again():
    e, ext = engine(), ExternalAlerts()
    first = am("c0ffee", "firing", T0)
    assert len(ext.apply(e, first, T0)) == 1
    assert ext.apply(e, first, T0 + 1000) == []  # the same event id
    # Alertmanager re-sends the alert every group_interval: same fingerprint and startsAt.
    assert ext.apply(e, am("c0ffee", "firing", T0, event_id="resent-1"), T0 + 300_000) == []
    assert len(ext.apply(e, am("c0ffee", "resolved", T0, ends=T0 + 400_000), T0 + 400_000)) == 1
    assert ext.apply(e, am("c0ffee", "resolved", T0, ends=T0 + 400_000, event_id="resent-2"), T0 + 401_000) == []
    # A firing of that episode arriving late (after its resolve) does not bring it back...
    assert ext.apply(e, am("c0ffee", "firing", T0, event_id="late"), T0 + 402_000) == []
    assert e.alerts() == []
    # ...but a new startsAt is a new firing.
    [ev] = ext.apply(e, am("c0ffee", "firing", T0 + 600_000), T0 + 601_000)
    assert ev.attrs["state"] == "firing" and active(e)["am:c0ffee"].since_ms == T0 + 600_000
    assert ext.counts["duplicate"] == 4 and ext.counts["fired"] == 2


def test_a_new_episode_of_an_alert_still_firing_ends_the_old_one_first_and_old_episodes_are_stale():
    e, ext = engine(), ExternalAlerts()
    ext.apply(e, am("c0ffee", "firing", T0), T0)
    events = ext.apply(e, am("c0ffee", "firing", T0 + 120_000), T0 + 121_000)  # the resolve never reached us
    assert [(ev.attrs["state"], ev.attrs.get("reason")) for ev in events] == [("resolved", "superseded"),
                                                                              ("firing", None)]
    assert active(e)["am:c0ffee"].since_ms == T0 + 120_000
    # A resolve of the old episode, late, does not end the new one.
    assert ext.apply(e, am("c0ffee", "resolved", T0, ends=T0 + 100_000), T0 + 122_000) == []
    assert "am:c0ffee" in active(e) and ext.counts["stale"] == 1
    # A resolve the console never saw fire changes nothing.
    assert ext.apply(e, am("bead", "resolved", T0, ends=T0 + 1), T0 + 123_000) == []
    assert ext.counts["unknown"] == 1


def test_an_external_alert_on_a_service_below_explains_the_callers_alerts():
    """web -> cart -> cache: an external alert on cache is the root of cart's own error alert."""
    e, ext = engine(), ExternalAlerts()
    ext.apply(e, am("cache1", "firing", T0, subject="cache", severity=Severity.P2, alertname="CacheDown"), T0)
    out = feed(e, 30, T0, {series("service_error_ratio", service="cart"): 0.5})
    assert ("firing", "service-errors", "cart") in transitions(out)
    cart = next(a for a in e.alerts() if a.subject == "cart")
    assert cart.root_cause == "cache" and cart.folded_under == "am:cache1"
    assert active(e)["am:cache1"].is_root


def test_an_external_alert_on_a_caller_is_folded_under_the_deeper_root():
    e, ext = engine(), ExternalAlerts()
    feed(e, 30, T0, {series("service_error_ratio", service="cache"): 0.5})
    cache = next(a for a in e.alerts() if a.subject == "cache" and a.state == "firing")
    [ev] = ext.apply(e, am("web1", "firing", T0 + 25_000, subject="web", alertname="WebErrors"), T0 + 30_000)
    web = active(e)["am:web1"]
    assert web.root_cause == "cache" and web.folded_under == cache.fingerprint
    # Its firing event already says so: a replay of the log folds it as the console did.
    assert ev.attrs["root_cause"] == "cache" and ev.attrs["folded_under"] == cache.fingerprint


@pytest.mark.parametrize("subject", ["", "ghost"])
def test_an_alert_with_no_service_or_an_unknown_one_is_listed_but_never_a_root(subject):
    e, ext = engine(), ExternalAlerts()
    services = {s.name for s in shop().services}
    ext.apply(e, am("x1", "firing", T0, subject=subject, alertname="Watchdog"), T0, services)
    ext.apply(e, am("web1", "firing", T0, subject="web", alertname="WebErrors"), T0, services)
    x = active(e)["am:x1"]
    assert x.subject == subject and x.subject_kind == "other" and x.root_cause == ""
    assert {a.root_cause for a in e.alerts()} == {"", "web"}
    assert active(e)["am:web1"].root_cause == "web" and active(e)["am:web1"].folded_under == ""


def test_after_a_deploy_nearby_it_is_tagged_after_change_and_a_change_with_no_service_tags_nothing():
    e, ext = engine(), ExternalAlerts()
    e.note_event(Event("ann-1", T0 - 120_000, EventKind.DEPLOY, "cart", "Deploy cart 2.4.1",
                       attrs={"source": "annotation", "tags": ["deploy", "service:cart"], "time_end_ms": None,
                              "version": "2.4.1"}))
    e.note_event(Event("ann-2", T0 - 60_000, EventKind.CONFIG_CHANGE, "", "Feature flags flipped",
                       attrs={"source": "annotation", "tags": ["config"], "time_end_ms": None, "version": ""}))
    ext.apply(e, am("c1", "firing", T0), T0)
    ext.apply(e, am("n1", "firing", T0, subject="", alertname="Watchdog"), T0)
    cart, nobody = active(e)["am:c1"], active(e)["am:n1"]
    assert "after_change" in cart.tags and cart.change["id"] == "ann-1"
    assert "after_change" not in nobody.tags and nobody.change is None


def test_it_can_be_acknowledged_silenced_and_survives_a_rule_reload():
    e, ext = engine(), ExternalAlerts()
    e.silence(Silence("s1", {"rule": "alertmanager:*", "team": "payments"}, T0 - 1, T0 + 3_600_000, "ops"), T0)
    ext.apply(e, am("c1", "firing", T0, labels={"alertname": "CartErrors", "team": "payments"}), T0)
    ext.apply(e, am("c2", "firing", T0, alertname="CartSlow"), T0)
    assert active(e)["am:c1"].silenced_by == "s1" and active(e)["am:c2"].silenced_by == ""
    assert e.load(e.rules, T0 + 1000) == [] and set(active(e)) == {"am:c1", "am:c2"}
    [ack] = e.acknowledge("am:c2", "alice", "on it", T0 + 2000)
    assert ack.attrs["state"] == "acknowledged" and ack.attrs["source"] == "alertmanager"
    [res] = ext.apply(e, am("c2", "resolved", T0, ends=T0 + 5000), T0 + 6000)
    assert res.attrs["state"] == "resolved" and set(active(e)) == {"am:c1"}


def test_the_alert_log_folds_the_engines_events_and_skips_the_feeds():
    e, ext = engine(), ExternalAlerts()
    raw = [am("c1", "firing", T0 - 30_000), am("c1", "resolved", T0 - 30_000, ends=T0 + 50_000)]
    log_events = [raw[0], *ext.apply(e, raw[0], T0)]
    live = e.alerts()
    replayed = AlertLog.replay(log_events).alerts()
    assert [(a.fingerprint, a.rule, a.subject, a.state, a.source, a.since_ms, a.root_cause) for a in replayed] == \
        [(a.fingerprint, a.rule, a.subject, a.state, a.source, a.since_ms, a.root_cause) for a in live]
    assert AlertLog.replay([raw[0]]).alerts() == []  # the feed's word alone is not an alert of the console


@pytest.mark.parametrize("over, problem", [
    ({"fingerprint": None}, "fingerprint"),
    ({"fingerprint": ""}, "fingerprint"),
    ({"fingerprint": "0123456789ab"}, "fingerprint"),  # an engine fingerprint: it must not replace one
    ({"fingerprint": ["am:x"]}, "fingerprint"),
    ({"state": "pending"}, "state"),
    ({"state": None}, "state"),
    ({"starts_at_ms": "1731292200000"}, "starts_at_ms"),
    ({"starts_at_ms": True}, "starts_at_ms"),
    ({"starts_at_ms": -5}, "starts_at_ms"),
    ({"starts_at_ms": 10**30}, "starts_at_ms"),
])
def test_hostile_attrs_are_rejected_with_the_field_named_counted_and_logged_once(over, problem, caplog):
    e, ext = engine(), ExternalAlerts()
    with pytest.raises(BadExternalAlert, match=problem):
        parse(with_attrs(am("c1", "firing", T0), **over))
    with caplog.at_level(logging.WARNING, logger="warroom.core.alerting.external"):
        for i in range(3):
            assert ext.apply(e, with_attrs(am("c1", "firing", T0), f"bad-{i}", **over), T0) == []
    assert e.alerts() == [] and ext.counts["rejected"] == 3 and ext.last_problem.startswith(problem)
    assert sum(problem in r.getMessage() for r in caplog.records) == 1


def test_huge_and_wrongly_typed_labels_are_bounded_and_never_crash():
    e, ext = engine(), ExternalAlerts()
    huge = "v" * 1_000_000
    labels = {f"l{i}": huge for i in range(10_000)}
    labels.update({"bad name": "x", "n": 5, "alertname": "Huge"})
    raw = am("big", "firing", T0, labels=labels, annotations=["not", "a", "map"], alertname=12,
             generator_url={"x": 1}, receiver=None, source="Not A Source!", title="line one\nline two\x00")
    [ev] = ext.apply(e, raw, T0)
    a = active(e)["am:big"]
    assert len(a.series.labels) <= MAX_LABELS + 1 and all(len(v) <= MAX_TEXT for v in a.series.labels.values())
    assert a.rule == "external:unnamed" and a.source == "external" and a.runbook == ""
    assert a.title == "line one" and len(ev.attrs["labels"]) <= MAX_LABELS and ev.attrs["annotations"] == {}
    assert len(a.series.text) < (MAX_LABELS + 1) * (MAX_TEXT + 80)


def test_memory_of_duplicates_is_bounded():
    e, ext = engine(), ExternalAlerts(max_remembered=50)
    for i in range(500):
        ext.apply(e, am(f"f{i}", "firing", T0 + i), T0 + i)
        ext.apply(e, am(f"f{i}", "resolved", T0 + i, ends=T0 + i + 1), T0 + i + 1)
    assert len(ext._ids) <= 50 and len(ext._episodes) <= 50 and e.alerts() == []
    assert ext.counts["fired"] == ext.counts["resolved"] == 500


def test_root_cause_amendments_of_other_alerts_come_with_it():
    """An external alert below an own alert that was its own root moves that alert's root."""
    e, ext = engine(), ExternalAlerts()
    feed(e, 30, T0, {series("service_error_ratio", service="cart"): 0.5})
    events = ext.apply(e, am("cache1", "firing", T0 + 30_000, subject="cache", alertname="CacheDown"), T0 + 30_000)
    amends = [ev for ev in events if amends_root(ev.attrs)]
    assert [(ev.subject, ev.attrs["root_cause"]) for ev in amends] == [("cart", "cache")]
