"""The incident lifecycle, driven by hand-built drills of alert events."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.incident.incidents import ACTIONS, MAX_CONTEXT, MAX_ORPHANS, IncidentBook, incident_id
from warroom.core.model import Event, EventKind, Severity
from warroom.core.northstar.mttx import incident_times

P0, P1, P2, P3 = Severity.P0, Severity.P1, Severity.P2, Severity.P3
T0 = 1_793_000_000_000  # 2026-10-25, feed time
S = 1000
M = 60 * S


def alert(fp, state, ts, *, subject=None, sev=P1, since=None, root=None, folded="", actor="", comment="",
          silenced="", kind=None):
    """An ALERT event as the alert engine writes it (``kind``: its ``subject_kind``, when given)."""
    subject = subject or fp
    root = subject if root is None else root
    return Event(f"alert-{fp}-{ts}-{state}-{root}", ts, EventKind.ALERT, subject, f"{subject} unhealthy", sev,
                 {"fingerprint": fp, "rule": "r1", "state": state, "since_ms": ts if since is None else since,
                  "value": 1.0, "root_cause": root, "folded_under": folded, "tags": [], "actor": actor,
                  "comment": comment, "plans": [], "runbook": "", "silenced": silenced,
                  **({"subject_kind": kind} if kind else {})})


def change(kind, subject, ts, **attrs):
    return Event(f"{kind.value}-{subject}-{ts}", ts, kind, subject, f"{kind.value} {subject}", Severity.INFO, attrs)


class Drill:
    """A book and the event log it writes to, as the console would keep them."""

    def __init__(self, **options):
        self.book = IncidentBook(**options)
        self.log: list[Event] = []

    def feed(self, *events):
        out = []
        for ev in events:
            self.log.append(ev)
            new = self.book.on_event(ev)
            self.log += new
            out += new
        return out

    def tick(self, now):
        return self.record(self.book.tick(now))

    def record(self, new):
        self.log += new
        return new

    def only(self):
        (inc,) = self.book.incidents()
        return inc

    def actions(self, iid=None):
        return [e.attrs["action"] for e in self.log
                if e.kind is EventKind.INCIDENT and (iid is None or e.attrs["incident"] == iid)]


def test_alert_lifecycle_opens_acknowledges_recovers_and_resolves_after_verification():
    d = Drill(recovery_s=300)
    assert d.feed(alert("bank", "pending", T0)) == []
    assert d.book.incidents() == []

    (opened,) = d.feed(alert("bank", "firing", T0 + 60 * S, since=T0))
    iid = incident_id(T0 + 60 * S, "bank")
    assert opened.kind is EventKind.INCIDENT and opened.id == f"incident:{iid}:1"
    assert opened.subject == "bank" and opened.severity is P1 and opened.ts == T0 + 60 * S
    assert opened.attrs["action"] == "opened" and opened.attrs["state"] == "open"
    assert (opened.attrs["started_ms"], opened.attrs["detected_ms"]) == (T0, T0 + 60 * S)

    (acked,) = d.feed(alert("bank", "acknowledged", T0 + 90 * S, since=T0, actor="li", comment="on it"))
    assert acked.attrs["action"] == "acknowledged" and acked.attrs["actor"] == "li"
    assert acked.attrs["comment"] == "on it" and acked.attrs["acked_ms"] == T0 + 90 * S
    assert d.only().state == "acknowledged"

    (recovering,) = d.feed(alert("bank", "resolved", T0 + 5 * M, since=T0))
    assert recovering.attrs["action"] == "recovering" and d.only().recovering_ms == T0 + 5 * M

    assert d.tick(T0 + 5 * M + 299 * S) == []
    assert d.tick(T0 + 10 * M) == []  # verified once time has moved past the full window
    assert d.only().state == "recovering"
    (resolved,) = d.tick(T0 + 11 * M)
    assert resolved.ts == T0 + 10 * M  # the moment the verification window ended
    assert resolved.attrs["resolved_ms"] == T0 + 5 * M and resolved.attrs["verified_ms"] == T0 + 10 * M
    inc = d.only()
    assert (inc.state, inc.resolved_ms, inc.verified_ms, inc.acked_ms) == (
        "resolved", T0 + 5 * M, T0 + 10 * M, T0 + 90 * S)
    assert d.tick(T0 + 20 * M) == []

    ids = [e.id for e in inc.timeline]
    assert len(ids) == len(set(ids))
    assert [e.ts for e in inc.timeline] == sorted(e.ts for e in inc.timeline)
    assert [e.attrs["state"] for e in inc.timeline if e.kind is EventKind.ALERT] == [
        "pending", "firing", "acknowledged", "resolved"]
    assert d.actions() == ["opened", "acknowledged", "recovering", "resolved"]

    (times,) = incident_times(d.log)
    assert (times.mttd_s, times.mtta_s, times.mttr_s) == (60.0, 30.0, 300.0)


@pytest.mark.parametrize("sev", [P2, P3, Severity.INFO])
def test_a_minor_alert_alone_never_opens_an_incident(sev):
    d = Drill()
    for i, state in enumerate(["pending", "firing", "acknowledged", "resolved"]):
        assert d.feed(alert("coupon", state, T0 + i * M, sev=sev, since=T0, actor="li")) == []
    assert d.book.incidents() == []


def test_pending_and_silenced_paging_alerts_open_nothing():
    d = Drill()
    assert d.feed(alert("a", "pending", T0, sev=P0)) == []
    assert d.feed(alert("b", "firing", T0, sev=P0, silenced="maint-1")) == []
    assert d.book.incidents() == []


def test_alerts_with_the_same_root_join_the_open_incident_others_do_not():
    d = Drill()
    d.feed(alert("bank", "firing", T0, sev=P1, subject="bank-icbc"))
    iid = d.only().id
    d.feed(alert("pay", "pending", T0 + 5 * S, sev=P2, subject="payment", root="bank-icbc"))
    (joined,) = d.feed(alert("pay", "firing", T0 + 10 * S, sev=P2, subject="payment", root="bank-icbc",
                             since=T0 - 30 * S))
    assert joined.attrs["action"] == "alert_joined" and joined.attrs["alerts"] == ["bank", "pay"]
    assert joined.attrs["started_ms"] == T0 - 30 * S  # the earliest since_ms of its alerts
    assert d.feed(alert("redis", "firing", T0 + 20 * S, sev=P2, subject="redis")) == []
    (escalated,) = d.feed(alert("trade", "firing", T0 + 30 * S, sev=P0, subject="trade", root="bank-icbc"))
    assert escalated.attrs["action"] == "alert_joined"

    inc = d.only()
    assert inc.id == iid and inc.severity is P0 and inc.alerts == ("bank", "pay", "trade")
    assert inc.root_cause == "bank-icbc" and inc.detected_ms == T0
    pay_states = [e.attrs["state"] for e in inc.timeline if e.attrs.get("fingerprint") == "pay"]
    assert pay_states == ["pending", "firing"]  # what it did before it joined comes along
    assert not any(e.attrs.get("fingerprint") == "redis" for e in inc.timeline)
    assert d.book.incident_of("pay") == iid and d.book.incident_of("redis") is None


def test_an_alert_folded_under_a_member_joins_even_without_a_root_cause():
    d = Drill()
    d.feed(alert("bank", "firing", T0, subject="bank-icbc"))
    d.feed(alert("qr", "firing", T0 + S, subject="scenario-qr", root="", folded="bank", sev=P0))
    assert d.only().alerts == ("bank", "qr")


def test_root_cause_change_merges_two_incidents_into_the_older():
    d = Drill()
    d.feed(alert("trade", "firing", T0, sev=P0, subject="trade", since=T0 - 20 * S))
    d.feed(alert("bank", "firing", T0 + 30 * S, sev=P1, subject="bank-icbc", since=T0 - 50 * S))
    old, new = d.book.incidents()
    d.record(d.book.acknowledge(new.id, "wang", "bank team on it", T0 + 40 * S))
    d.record(d.book.set_owner(new.id, "wang", "wang", T0 + 41 * S))

    out = d.feed(alert("trade", "firing", T0 + 60 * S, sev=P0, subject="trade", root="bank-icbc",
                       since=T0 - 20 * S))
    assert [(e.attrs["incident"], e.attrs["action"]) for e in out] == [
        (old.id, "root_cause_changed"), (new.id, "merged"), (old.id, "merged")]
    assert out[0].attrs["previous_root_cause"] == "trade" and out[0].subject == "bank-icbc"
    assert out[0].attrs["reason"] == "root_explained", "trade's own alert now names the bank: it was a symptom"
    assert out[1].attrs["merged_into"] == old.id and out[1].attrs["state"] == "resolved"
    assert out[2].attrs["merged_from"] == new.id

    survivor, gone = d.book.incidents()
    assert survivor.id == old.id and survivor.root_cause == "bank-icbc" and survivor.live
    assert survivor.alerts == ("trade", "bank") and survivor.severity is P0
    assert survivor.started_ms == T0 - 50 * S and survivor.detected_ms == T0
    assert survivor.acked_ms == T0 + 40 * S and survivor.state == "acknowledged" and survivor.owner == "wang"
    assert {e.id for e in gone.timeline} <= {e.id for e in survivor.timeline}
    assert gone.state == "resolved" and gone.merged_into == survivor.id and not gone.live
    assert [i.id for i in d.book.incidents(live_only=True)] == [old.id]
    assert d.book.incident_of("bank") == old.id
    with pytest.raises(ValueError, match=f"merged into {old.id}"):
        d.book.add_note(new.id, "li", "hello", T0 + 70 * S)
    assert [t.id for t in incident_times(d.log)] == [old.id]  # a merged incident is not counted twice


def test_symptoms_changing_root_do_not_move_the_incident_while_its_root_still_names_itself():
    d = Drill()
    for i, svc in enumerate(["bank-icbc", "payment", "trade"]):
        d.feed(alert(svc, "firing", T0 + i * S, subject=svc, root="bank-icbc", sev=P1 if i == 0 else P2))
    d.feed(alert("trade", "firing", T0 + 10 * S, subject="trade", root="redis", sev=P2))
    assert d.only().root_cause == "bank-icbc"
    d.feed(alert("payment", "firing", T0 + 20 * S, subject="payment", root="redis", sev=P2))
    assert d.only().root_cause == "bank-icbc", "most symptoms name redis, but bank-icbc is still a root of its own"
    assert "root_cause_changed" not in d.actions()
    (moved,) = d.feed(alert("bank-icbc", "firing", T0 + 30 * S, subject="bank-icbc", root="redis", sev=P1))
    assert moved.attrs["action"] == "root_cause_changed" and moved.attrs["reason"] == "root_explained"
    assert moved.attrs["previous_root_cause"] == "bank-icbc" and d.only().root_cause == "redis"


SERVICES = ["cashier", "app-gw", "merchant-gw", "trade", "acquiring", "payment", "risk-control", "member",
            "coupon", "marketing", "accounting", "clearing", "notification"]


def test_storm_of_200_alerts_from_one_outage_gives_one_incident():
    d = Drill()
    d.feed(alert("root", "firing", T0, sev=P1, subject="bank-icbc"))
    for i in range(199):
        subject = f"{SERVICES[i % len(SERVICES)]}->bank-icbc" if i % 3 == 0 else SERVICES[i % len(SERVICES)]
        sev = (P0, P1, P2, P3)[i % 4]
        d.feed(alert(f"a{i}", "pending", T0 + i * 100, subject=subject, sev=sev, root="bank-icbc"))
        d.feed(alert(f"a{i}", "firing", T0 + 30 * S + i * 100, subject=subject, sev=sev, root="bank-icbc",
                     since=T0 + i * 100, folded="root" if i % 2 else ""))
    inc = d.only()
    assert len(inc.alerts) == 200 and inc.severity is P0
    assert d.actions().count("opened") == 1
    for i in range(199):
        d.feed(alert(f"a{i}", "resolved", T0 + 10 * M, subject="x", root="bank-icbc"))
    assert d.only().state == "open"
    d.feed(alert("root", "resolved", T0 + 11 * M, subject="bank-icbc"))
    assert d.only().state == "recovering"
    d.tick(T0 + 16 * M + 1)
    assert d.only().state == "resolved" and d.only().resolved_ms == T0 + 11 * M


def test_storm_whose_symptoms_fire_before_the_root_still_ends_as_one_incident():
    d = Drill()
    for i, svc in enumerate(SERVICES):
        d.feed(alert(svc, "firing", T0 + i * S, subject=svc, sev=P0))
    d.feed(alert("bank", "firing", T0 + 20 * S, subject="bank-icbc", sev=P1))
    assert len(d.book.incidents(live_only=True)) == len(SERVICES) + 1
    for i, svc in enumerate(SERVICES):
        d.feed(alert(svc, "firing", T0 + 30 * S + i * S, subject=svc, sev=P0, root="bank-icbc"))
    (live,) = d.book.incidents(live_only=True)
    assert live.id == incident_id(T0, SERVICES[0]) and live.root_cause == "bank-icbc"
    assert set(live.alerts) == {*SERVICES, "bank"}
    assert len(incident_times(d.log)) == 1


def test_refiring_during_recovery_reopens_and_restarts_the_verification():
    d = Drill(recovery_s=300)
    d.feed(alert("bank", "firing", T0, subject="bank-icbc"))
    iid = d.only().id
    d.record(d.book.acknowledge(iid, "li", "", T0 + 10 * S))
    d.feed(alert("bank", "resolved", T0 + M, subject="bank-icbc"))
    assert d.only().state == "recovering"
    (reopened,) = d.feed(alert("bank", "firing", T0 + 3 * M, subject="bank-icbc", since=T0 + 2 * M))
    assert reopened.attrs["action"] == "reopened" and reopened.attrs["state"] == "acknowledged"
    assert d.only().recovering_ms is None
    d.feed(alert("bank", "resolved", T0 + 4 * M, subject="bank-icbc"))
    assert d.tick(T0 + 6 * M) == []  # 5 min after the first recovery, but only 2 after the second
    (resolved,) = d.tick(T0 + 9 * M + 1)
    assert resolved.attrs["resolved_ms"] == T0 + 4 * M and d.only().id == iid
    assert d.actions() == ["opened", "acknowledged", "recovering", "reopened", "recovering", "resolved"]


def test_a_member_pending_again_holds_the_recovery_until_it_clears():
    d = Drill(recovery_s=300)
    d.feed(alert("bank", "firing", T0, subject="bank-icbc"))
    d.feed(alert("bank", "resolved", T0 + M, subject="bank-icbc"))
    d.feed(alert("bank", "pending", T0 + 2 * M, subject="bank-icbc"))
    assert d.tick(T0 + 20 * M) == [] and d.only().state == "recovering"
    d.feed(alert("bank", "resolved", T0 + 21 * M, subject="bank-icbc"))
    (resolved,) = d.tick(T0 + 26 * M + 1)
    assert resolved.attrs["resolved_ms"] == T0 + 21 * M


def test_verification_due_before_an_alert_is_applied_first_without_a_tick():
    d = Drill(recovery_s=300, join_window_s=600)
    d.feed(alert("bank", "firing", T0, subject="bank-icbc"))
    first = d.only().id
    d.feed(alert("bank", "resolved", T0 + M, subject="bank-icbc"))
    out = d.feed(alert("bank", "firing", T0 + 8 * M, subject="bank-icbc"))
    assert [(e.attrs["action"], e.ts) for e in out] == [("resolved", T0 + 6 * M), ("reopened", T0 + 8 * M)]
    assert d.only().id == first and d.only().state == "open" and d.only().resolved_ms is None
    d.feed(alert("bank", "resolved", T0 + 9 * M, subject="bank-icbc"))
    d.tick(T0 + 14 * M + 1)
    (opened,) = d.feed(alert("bank", "firing", T0 + 30 * M, subject="bank-icbc"))  # past the join window
    assert opened.attrs["action"] == "opened" and opened.attrs["incident"] == incident_id(T0 + 30 * M, "bank")


def test_timeline_gathers_changes_plans_and_notes_that_touch_the_incident():
    d = Drill()
    d.feed(change(EventKind.DEPLOY, "bank-icbc", T0 - 20 * M),  # too early
           change(EventKind.DEPLOY, "bank-icbc", T0 - 14 * M),
           change(EventKind.DEPLOY, "coupon", T0 - 5 * M),  # unrelated
           change(EventKind.CONFIG_CHANGE, "payment", T0 - 3 * M))  # related only once payment alerts
    d.feed(alert("bank", "firing", T0, subject="bank-icbc", since=T0 - M))
    iid = d.only().id
    d.feed(alert("edge", "firing", T0 + M, subject="payment->bank-cmb", root="bank-icbc", sev=P2),
           change(EventKind.PLAN_EXECUTION, "failover-bank-icbc", T0 + 2 * M, targets=["bank-icbc", "bank-cmb"]),
           change(EventKind.PLAN_EXECUTION, "degrade-coupon", T0 + 2 * M, target_kind="edge",
                  target="trade->coupon"),
           change(EventKind.PLAN_EXECUTION, "ratelimit-cashier", T0 + 2 * M, target_kind="service",
                  target="payment"),
           change(EventKind.DEPLOY, "bank-cmb", T0 + 3 * M),
           Event("n1", T0 + 4 * M, EventKind.NOTE, "platform", "bridge call", attrs={"incident": iid}))
    d.record(d.book.add_note(iid, "li", "failover done\nwaiting for recovery", T0 + 5 * M))
    d.feed(alert("bank", "resolved", T0 + 6 * M, subject="bank-icbc"),
           alert("edge", "resolved", T0 + 6 * M, subject="payment->bank-cmb", root="bank-icbc", sev=P2))
    d.tick(T0 + 12 * M)
    d.feed(change(EventKind.DEPLOY, "bank-icbc", T0 + 20 * M))  # after it was resolved

    titles = [e.id for e in d.only().timeline if e.kind is not EventKind.ALERT and e.kind is not EventKind.INCIDENT]
    assert titles == [f"deploy-bank-icbc-{T0 - 14 * M}", f"config_change-payment-{T0 - 3 * M}",
                      f"plan_execution-failover-bank-icbc-{T0 + 2 * M}",
                      f"plan_execution-ratelimit-cashier-{T0 + 2 * M}", f"deploy-bank-cmb-{T0 + 3 * M}",
                      "n1", f"note:{iid}:3"]


def test_actions_validate_and_record_who_did_what():
    d = Drill()
    d.feed(alert("bank", "firing", T0, subject="bank-icbc"))
    iid = d.only().id
    with pytest.raises(ValueError, match="unknown incident"):
        d.book.acknowledge("INC-nope", "li", "", T0)
    for bad in ("", "   ", None):
        with pytest.raises(ValueError, match="actor"):
            d.book.acknowledge(iid, bad, "", T0)
        with pytest.raises(ValueError, match="actor"):
            d.book.set_owner(iid, "li", bad, T0)
    with pytest.raises(ValueError, match="text"):
        d.book.add_note(iid, "li", " ", T0)

    (owner,) = d.record(d.book.set_owner(iid, "zhang", "li", T0 + S))
    assert owner.attrs["action"] == "owner_changed" and owner.attrs["owner"] == "zhang"
    assert owner.attrs["actor"] == "li" and d.book.set_owner(iid, "zhang", "li", T0 + 2 * S) == []
    (ack,) = d.record(d.book.acknowledge(iid, "zhang", "looking", T0 + 3 * S))
    d.record(d.book.acknowledge(iid, "wang", "me too", T0 + 4 * S))
    assert d.only().acked_ms == T0 + 3 * S and ack.attrs["comment"] == "looking"
    (note,) = d.record(d.book.add_note(iid, "zhang", "ICBC confirms", T0 + 5 * S))
    assert note.kind is EventKind.NOTE and note.attrs["incident"] == iid and note.attrs["actor"] == "zhang"
    assert note in d.only().timeline

    d.feed(alert("bank", "resolved", T0 + M, subject="bank-icbc"))
    d.tick(T0 + 10 * M)
    with pytest.raises(ValueError, match="already resolved"):
        d.book.acknowledge(iid, "li", "", T0 + 11 * M)
    d.record(d.book.add_note(iid, "li", "postmortem on Friday", T0 + 12 * M))  # allowed after resolution
    events = [e for e in d.log if e.kind in (EventKind.INCIDENT, EventKind.NOTE)]
    assert len({e.id for e in events}) == len(events)
    assert {e.attrs["action"] for e in events if e.kind is EventKind.INCIDENT} <= set(ACTIONS)


def test_an_action_that_fails_after_verifying_keeps_the_verification_for_the_next_call():
    d = Drill(recovery_s=60)
    d.feed(alert("bank", "firing", T0, subject="bank-icbc"))
    iid = d.only().id
    d.feed(alert("bank", "resolved", T0 + M, subject="bank-icbc"))
    with pytest.raises(ValueError, match="already resolved"):
        d.book.acknowledge(iid, "li", "late", T0 + 5 * M)  # verified at T0 + 2 min, before this
    (resolved,) = d.tick(T0 + 5 * M)
    assert resolved.attrs["action"] == "resolved" and resolved.ts == T0 + 2 * M


def drill_log():
    """A busy drill: joins, a root-cause change and merge, acks, an owner, notes, a re-fire, recovery."""
    d = Drill(recovery_s=120)
    d.feed(change(EventKind.DEPLOY, "coupon", T0 - 5 * M, version="coupon-1.3.0"))
    d.feed(alert("trade", "pending", T0 - 30 * S, subject="trade", sev=P0))
    d.feed(alert("trade", "firing", T0, subject="trade", sev=P0, since=T0 - 30 * S))
    d.feed(alert("cashier", "firing", T0 + S, subject="cashier", sev=P2, root="trade"))
    d.feed(alert("coupon", "firing", T0 + 2 * S, subject="coupon", sev=P1))
    d.feed(alert("trade", "firing", T0 + 20 * S, subject="trade", sev=P0, root="coupon", since=T0 - 30 * S))
    d.feed(alert("cashier", "firing", T0 + 20 * S, subject="cashier", sev=P2, root="coupon"))
    iid = d.book.incidents(live_only=True)[0].id
    d.record(d.book.acknowledge(iid, "li", "rolling back coupon", T0 + 40 * S))
    d.record(d.book.set_owner(iid, "li", "li", T0 + 41 * S))
    d.feed(change(EventKind.PLAN_EXECUTION, "degrade-coupon", T0 + M, target_kind="edge", target="trade->coupon"))
    d.record(d.book.add_note(iid, "li", "degraded coupons", T0 + 70 * S))
    d.feed(alert("redis", "firing", T0 + 80 * S, subject="redis", sev=P1))  # an unrelated second incident
    for fp, subject in (("trade", "trade"), ("cashier", "cashier"), ("coupon", "coupon")):
        d.feed(alert(fp, "resolved", T0 + 2 * M, subject=subject, root="coupon"))
    d.feed(alert("coupon", "firing", T0 + 3 * M, subject="coupon", sev=P1))  # re-fires: reopened
    d.feed(alert("coupon", "resolved", T0 + 4 * M, subject="coupon"))
    d.tick(T0 + 5 * M)
    d.tick(T0 + 7 * M)
    d.feed(alert("redis", "resolved", T0 + 8 * M, subject="redis"))
    return d


def test_drill_log_is_what_the_drill_says():
    d = drill_log()
    first, merged, redis = d.book.incidents()
    assert first.root_cause == "coupon" and first.state == "resolved" and first.resolved_ms == T0 + 4 * M
    assert merged.merged_into == first.id and redis.state == "recovering"
    assert first.alerts == ("trade", "cashier", "coupon")
    assert any(e.kind is EventKind.DEPLOY for e in first.timeline)
    assert any(e.kind is EventKind.PLAN_EXECUTION for e in first.timeline)
    assert d.actions(first.id) == ["opened", "alert_joined", "root_cause_changed", "merged", "acknowledged",
                                   "owner_changed", "recovering", "reopened", "recovering", "resolved"]


def _stored(ev: Event) -> Event:
    """The event as it comes back from the store (attrs through JSON)."""
    return Event(ev.id, ev.ts, ev.kind.value, ev.subject, ev.title, ev.severity.value,
                 json.loads(json.dumps(dict(ev.attrs))))


def test_replay_of_the_log_gives_identical_incidents():
    d = drill_log()
    live = d.book.incidents()
    assert IncidentBook.replay(d.log, recovery_s=120).incidents() == live
    assert IncidentBook.replay([_stored(e) for e in d.log], recovery_s=120).incidents() == live
    assert IncidentBook.replay(reversed(d.log), recovery_s=120).incidents() == live  # ties in any order


def test_feeding_the_books_own_events_back_changes_nothing():
    d = drill_log()
    before = d.book.incidents()
    for ev in list(d.log):
        if ev.kind in (EventKind.INCIDENT, EventKind.NOTE):
            assert d.book.on_event(ev) == []
    assert d.book.incidents() == before


def test_a_replayed_book_carries_on_where_the_log_stopped():
    live = drill_log()
    cut = [e for e in live.log if e.ts <= T0 + 8 * M]
    book = IncidentBook.replay(cut, recovery_s=120)
    assert book.incidents() == live.book.incidents()
    assert [e.id for e in book.tick(T0 + 11 * M)] == [e.id for e in live.book.tick(T0 + 11 * M)]
    (note,) = book.add_note(live.book.incidents()[0].id, "li", "after restart", T0 + 12 * M)
    assert note.id not in {e.id for e in live.log}  # numbering continues, no clash


def test_incident_ids_come_from_the_events():
    a, b = drill_log(), drill_log()
    assert [e.id for e in a.log] == [e.id for e in b.log]
    assert a.book.incidents()[0].id == incident_id(T0, "trade")


def test_options_are_validated():
    with pytest.raises(ValueError, match="recovery_s"):
        IncidentBook(recovery_s=-1)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="max_resolved"):
            IncidentBook(max_resolved=bad)
        with pytest.raises(ValueError, match="max_timeline"):
            IncidentBook(max_timeline=bad)


# -- bounded memory (issue 12) ------------------------------------------------------------------

def outages(d: Drill, n: int, start: int, *, root=lambda i: f"svc-{i}", every=10 * M) -> int:
    """``n`` outages one after the other, each resolved and verified before the next."""
    ts = start
    for i in range(n):
        d.feed(alert(f"a{i}", "firing", ts, subject=root(i)))
        d.feed(alert(f"a{i}", "resolved", ts + M, subject=root(i)))
        d.tick(ts + 3 * M)
        ts += every
    return ts


def test_a_bounded_book_keeps_the_live_and_the_newest_resolved_incidents():
    d = Drill(recovery_s=60, join_window_s=120, max_resolved=5)
    d.feed(alert("stuck", "firing", T0, subject="gateway"))  # live for the whole test
    ts = outages(d, 60, T0 + M)
    full = IncidentBook.replay(d.log, recovery_s=60, join_window_s=120)  # what replay reads from the store
    assert len(full.incidents()) == 61

    kept = d.book.incidents()
    assert len(kept) == 6
    assert kept[0].root_cause == "gateway" and kept[0].live
    assert kept[1:] == full.incidents()[-5:]  # the newest five, exactly as they were
    assert [i.root_cause for i in kept[1:]] == [f"svc-{i}" for i in range(55, 60)]
    with pytest.raises(ValueError, match="unknown incident"):
        d.book.incident(full.incidents()[1].id)
    assert len(incident_times(d.log)) == 61  # the log (the store) keeps them all: KPIs and reports use it

    # It carries on as an unbounded book would.
    d.feed(alert("late", "firing", ts, subject="svc-new"))
    assert d.book.incidents()[-1].root_cause == "svc-new" and len(d.book.incidents()) == 7


def test_a_bounded_book_keeps_a_resolved_incident_that_may_still_reopen():
    d = Drill(recovery_s=60, join_window_s=600, max_resolved=1)
    outages(d, 1, T0, root=lambda i: "bank-icbc", every=0)  # resolved (verified) at T0 + 2 min
    first = d.book.incidents()[0].id
    outages(d, 5, T0 + 3 * M, every=M)  # five more resolved within its join window
    assert first in {i.id for i in d.book.incidents()}
    (reopened,) = d.feed(alert("a0", "firing", T0 + 9 * M, subject="bank-icbc"))
    assert reopened.attrs["action"] == "reopened" and reopened.attrs["incident"] == first
    d.feed(alert("a0", "resolved", T0 + 10 * M, subject="bank-icbc"))
    d.tick(T0 + 12 * M)
    outages(d, 2, T0 + 30 * M, every=20 * M)  # its window has passed: now it goes like the others
    assert first not in {i.id for i in d.book.incidents()} and len(d.book.incidents()) == 1


def test_an_event_about_a_forgotten_incident_brings_it_back_with_its_state():
    d = Drill(recovery_s=60, join_window_s=120, max_resolved=2)
    outages(d, 5, T0)
    gone = IncidentBook.replay(d.log).incidents()[0]
    assert gone.id not in {i.id for i in d.book.incidents()}
    other = IncidentBook.replay(d.log, recovery_s=60, join_window_s=120)  # a book that still holds it
    (owner,) = other.set_owner(gone.id, "wang", "li", T0 + 60 * M)
    d.feed(owner)
    back = d.book.incident(gone.id)
    assert (back.owner, back.state, back.resolved_ms) == ("wang", "resolved", gone.resolved_ms)
    assert back.alerts == gone.alerts


def test_a_live_incidents_timeline_is_capped_keeping_its_incident_events_and_notes():
    d = Drill(recovery_s=60, max_timeline=50)
    d.feed(alert("bank", "firing", T0, subject="bank-icbc"))
    iid = d.only().id
    d.record(d.book.add_note(iid, "li", "bridge open", T0 + S))
    for i in range(300):  # a flapping symptom of the same root, for hours
        state = "firing" if i % 2 == 0 else "resolved"
        d.feed(alert("edge", state, T0 + (i + 2) * M, subject="payment->bank-icbc", root="bank-icbc", sev=P2))
    inc = d.only()
    assert len(inc.timeline) <= 50
    incident_events = [e.id for e in d.log if e.kind is EventKind.INCIDENT and e.attrs["incident"] == iid]
    assert len(incident_events) > 1
    assert set(incident_events) <= {e.id for e in inc.timeline}
    assert f"note:{iid}:{d.log[2].id.rsplit(':', 1)[1]}" in {e.id for e in inc.timeline}
    assert inc.timeline[-1].id == d.log[-1].id  # the newest transition is there
    assert [e.ts for e in inc.timeline] == sorted(e.ts for e in inc.timeline)
    assert inc.live and inc.alerts == ("bank", "edge")  # the incident itself is unchanged
    unbounded = IncidentBook.replay(d.log, recovery_s=60).incident(iid)
    assert len(unbounded.timeline) > 300 and unbounded.state == inc.state


def _opened(iid: str, ts: int) -> Event:
    return Event(f"incident:{iid}:1", ts, EventKind.INCIDENT, "svc", "svc down", P1,
                 {"incident": iid, "action": "opened", "state": "open", "root_cause": "svc", "alerts": ["a"],
                  "started_ms": ts, "detected_ms": ts, "seq": 1})


def test_notes_waiting_for_an_incident_not_seen_yet_are_bounded():
    book = IncidentBook()
    n = MAX_ORPHANS + 50
    for i in range(n):
        book.on_event(Event(f"note:INC-{i}:2", T0 + i, EventKind.NOTE, "svc", "hi", attrs={"incident": f"INC-{i}"}))
    book.apply_logged([_opened(f"INC-{i}", T0 + n) for i in (0, 49, 50, n - 1)])
    notes = {i.id: [e.id for e in i.timeline if e.kind is EventKind.NOTE] for i in book.incidents()}
    assert notes == {"INC-0": [], "INC-49": [], "INC-50": ["note:INC-50:2"], f"INC-{n - 1}": [f"note:INC-{n - 1}:2"]}


def test_recent_changes_kept_for_incidents_are_bounded():
    d = Drill(change_lookback_s=10 * 86400)  # a long lookback: only the count bounds them
    d.feed(change(EventKind.DEPLOY, "bank-icbc", T0), change(EventKind.DEPLOY, "coupon", T0 + 1))
    d.feed(*[change(EventKind.CONFIG_CHANGE, "elsewhere", T0 + 2 + i) for i in range(MAX_CONTEXT - 1)])
    d.feed(alert("bank", "firing", T0 + M, subject="bank-icbc"))
    d.feed(alert("coupon", "firing", T0 + M, subject="coupon", root="bank-icbc", sev=P2))
    deploys = [e.subject for e in d.only().timeline if e.kind is EventKind.DEPLOY]
    assert deploys == ["coupon"]  # the oldest change went when the newest came


STEP = st.tuples(st.sampled_from("abcd"),
                 st.sampled_from(["pending", "firing", "acknowledged", "resolved", "tick", "ack", "owner", "note",
                                  "deploy"]),
                 st.sampled_from([P0, P1, P2, P3]), st.sampled_from(["x", "y", "z", ""]),
                 st.integers(min_value=0, max_value=100), st.sampled_from(["", "a", "b"]))
_LIFE = ["pending", "firing", "acknowledged", "resolved"]


def play(d: Drill, steps, ts: int) -> int:
    """Random but engine-like history: one alert's transitions within one ms only go forward."""
    last: dict[str, tuple[int, int]] = {}
    for fp, what, sev, root, dt, folded in steps:
        ts += dt * S
        if what in _LIFE:
            if last.get(fp, (0, -1)) >= (ts, _LIFE.index(what)):
                ts += 1
            last[fp] = (ts, _LIFE.index(what))
            d.feed(alert(fp, what, ts, subject=f"svc-{fp}", sev=sev, root=root, folded=folded, actor="li"))
        elif what == "deploy":
            d.feed(change(EventKind.DEPLOY, f"svc-{fp}", ts))
        elif what == "tick":
            d.tick(ts)
        elif live := d.book.incidents(live_only=True):
            act = {"ack": lambda i: d.book.acknowledge(i, "li", "", ts),
                   "owner": lambda i: d.book.set_owner(i, fp, "li", ts),
                   "note": lambda i: d.book.add_note(i, "li", "hi", ts)}[what]
            try:
                d.record(act(live[-1].id))
            except ValueError:  # resolved by the verification that came first
                d.tick(ts)
    return ts


@settings(max_examples=150, deadline=None)
@given(st.lists(STEP, max_size=40), st.lists(STEP, max_size=20))
def test_any_history_replays_to_the_same_book_and_keeps_one_live_incident_per_root(first, then):
    d = Drill(recovery_s=60, join_window_s=120)
    ts = play(d, first, T0)
    live = [i for i in d.book.incidents(live_only=True) if i.root_cause]  # unknown roots gather by subject
    assert len({i.root_cause for i in live}) == len(live)
    assert len({fp for i in live for fp in i.alerts}) == sum(len(i.alerts) for i in live)
    for t in incident_times(d.log):
        assert all(v is None or v >= 0 for v in (t.mttd_s, t.mtta_s, t.mttr_s))
    for log in (sorted(d.log, key=lambda e: (e.ts, e.id)), d.log[::-1]):  # the store sorts by (ts, id)
        assert IncidentBook.replay(log, recovery_s=60, join_window_s=120).incidents() == d.book.incidents()
    r = Drill(recovery_s=60, join_window_s=120)
    r.book = IncidentBook.replay(d.log, recovery_s=60, join_window_s=120)
    n = len(d.log)
    play(r, then, ts)
    play(d, then, ts)
    assert r.log == d.log[n:] and r.book.incidents() == d.book.incidents()  # it carries on as the live one does


def test_recorded_events_of_one_ms_applied_out_of_order_keep_the_newest_state():
    d = Drill()
    d.feed(alert("bank", "acknowledged", T0, subject="bank-icbc", actor="li"))  # opened and acked in one ms
    assert d.actions() == ["opened", "acknowledged"]
    book = IncidentBook()
    for ev in reversed([e for e in d.log if e.kind is EventKind.INCIDENT]):
        assert book.on_event(ev) == []
    (inc,) = book.incidents()
    assert (inc.state, inc.acked_ms, inc.alerts) == ("acknowledged", T0, ("bank",))
