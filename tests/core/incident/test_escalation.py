"""Response targets and escalation, driven by a real incident book over hand-built alert events."""

from __future__ import annotations

import pytest

from tests.core.incident.test_incidents import T0, M, alert
from warroom.core.incident.escalation import (
    Escalator,
    ResponsePolicy,
    countdown,
    escalation_id,
)
from warroom.core.incident.incidents import IncidentBook
from warroom.core.model import EventKind, Severity

P1 = Severity.P1


def _book_with(fp="svc", sev=P1, at=T0):
    book = IncidentBook()
    book.on_event(alert(fp, "firing", at, sev=sev))
    (inc,) = book.incidents()
    return book, inc.id


def test_default_targets_are_p0_5_p1_15_p2_60_and_none_for_p3():
    policy = ResponsePolicy()
    assert [policy.target_ms(s) for s in ("P0", "P1", "P2", "P3", "info")] == [5 * M, 15 * M, 60 * M, None, None]


def test_countdown_runs_from_detection_and_goes_negative_when_overdue():
    book, iid = _book_with()
    inc = book.incident(iid)
    before = countdown(inc, T0 + 10 * M, ResponsePolicy())
    after = countdown(inc, T0 + 17 * M, ResponsePolicy())
    assert (before.left_ms, before.overdue) == (5 * M, False)
    assert (after.left_ms, after.overdue) == (-2 * M, True)
    assert after.deadline_ms == inc.detected_ms + 15 * M


def test_a_missed_target_escalates_once_per_tier_not_every_evaluation():
    book, iid = _book_with()
    esc = Escalator()
    assert esc.evaluate(book.incidents(), T0 + 14 * M) == []
    first = esc.evaluate(book.incidents(), T0 + 15 * M + 1)
    assert [e.id for e in first] == [escalation_id(iid, "P1")]
    ev = first[0]
    assert ev.kind is EventKind.ESCALATION and ev.severity is P1
    assert ev.attrs["incident"] == iid and ev.attrs["tier"] == "P1" and ev.attrs["target_ms"] == 15 * M
    assert "15 min" in ev.title and "分钟" in ev.attrs["titles"]["zh_CN"]
    for minute in (16, 30, 90):
        assert esc.evaluate(book.incidents(), T0 + minute * M) == []


def test_a_worse_tier_escalates_again():
    book, iid = _book_with(sev=P1)
    esc = Escalator()
    assert esc.evaluate(book.incidents(), T0 + 4 * M) == []
    book.on_event(alert("svc-worse", "firing", T0 + 6 * M, subject="svc", sev=Severity.P0))
    (inc,) = book.incidents()
    assert inc.severity is Severity.P0
    first = esc.evaluate(book.incidents(), T0 + 6 * M)  # detected 6 min ago: P0's 5 are gone
    assert [e.attrs["tier"] for e in first] == ["P0"]
    assert esc.evaluate(book.incidents(), T0 + 61 * M) == []  # still P0: nothing new
    assert esc.escalated(iid, "P0") and not esc.escalated(iid, "P1")


def test_acknowledged_and_resolved_incidents_never_escalate():
    book, iid = _book_with()
    book.acknowledge(iid, "alice", "on it", T0 + 3 * M)
    other, oid = _book_with(fp="db")
    other.on_event(alert("db", "resolved", T0 + 2 * M))
    other.tick(T0 + 30 * M)  # recovery verified: resolved
    assert not other.incident(oid).live
    esc = Escalator()
    assert esc.evaluate(book.incidents() + other.incidents(), T0 + 60 * M) == []
    assert countdown(book.incident(iid), T0 + 60 * M, ResponsePolicy()) is None


def test_what_the_log_holds_is_not_escalated_again():
    """A console that rebuilt its state (a restart, a reload) has seen the escalation in the log."""
    book, iid = _book_with()
    ev = Escalator().evaluate(book.incidents(), T0 + 16 * M)[0]
    fresh = Escalator(ResponsePolicy.from_minutes({"P1": 10}))
    fresh.observe(ev)
    assert fresh.escalated(iid, "P1")
    assert fresh.evaluate(book.incidents(), T0 + 20 * M) == []


def test_policy_from_minutes_checks_its_input():
    assert ResponsePolicy.from_minutes({"p1": 2.5}).target_ms("P1") == 150_000
    with pytest.raises(ValueError, match="unknown severity"):
        ResponsePolicy.from_minutes({"P9": 5})
    for bad in (0, -1, "ten", True):
        with pytest.raises(ValueError, match="positive number"):
            ResponsePolicy.from_minutes({"P1": bad})


def test_no_target_means_no_countdown():
    book, iid = _book_with()
    only_p0 = ResponsePolicy.from_minutes({"P0": 5})
    assert countdown(book.incident(iid), T0 + 999 * M, only_p0) is None
    assert Escalator(only_p0).evaluate(book.incidents(), T0 + 999 * M) == []
