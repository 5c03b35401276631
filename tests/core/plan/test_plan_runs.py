"""Plan runs: two-step confirmation, feed reconciliation, verification, expiry, audit replay."""

from __future__ import annotations

import pytest

from warroom.core.model import Event, EventKind, SeriesKey
from warroom.core.plan.plan_runs import PlanBook
from warroom.core.plan.plans import Guard, Plan

T0 = 1_731_292_200_000
SUCCESS = 'scenario_success_ratio{scenario="qr_pay"}'
FAILOVER = Plan("failover-bank-icbc", "failover", "Fail over ICBC", "bank_channel", "bank-icbc",
                {"from": "bank-icbc"}, ("Set weight 0",), ("Restore weight",), None,
                Guard(SUCCESS, ">=", 0.99, 60.0), critical=True)
DEGRADE = Plan("degrade-coupon", "degrade", "Degrade coupon", "service", "coupon", {"resource": "coupon"},
               expiry_s=600.0)


def lookup(value):
    return lambda key: value if key == SeriesKey.parse(SUCCESS) else None


def feed_event(plan_id: str, action: str, ts: int) -> Event:
    return Event(f"sim-{action}-{ts}", ts, EventKind.PLAN_EXECUTION, plan_id, action,
                 attrs={"plan_id": plan_id, "action": action})


def test_confirmation_needs_reason_and_typed_id_for_critical_plans():
    book = PlanBook()
    with pytest.raises(ValueError, match="reason"):
        book.confirm(FAILOVER, "li.wei", "  ", T0, typed="failover-bank-icbc")
    with pytest.raises(ValueError, match="type its id"):
        book.confirm(FAILOVER, "li.wei", "ICBC timing out", T0, typed="failover")
    assert book.runs() == [], "a refused confirmation records nothing"
    run, (ev,) = book.confirm(FAILOVER, "li.wei", "ICBC timing out", T0, typed="failover-bank-icbc",
                              value=lookup(0.65))
    assert run.state == "confirmed" and run.before == 0.65
    assert ev.attrs["audit"] and ev.attrs["actor"] == "li.wei" and ev.attrs["reason"] == "ICBC timing out"
    assert ev.attrs["params"] == {"from": "bank-icbc"}
    with pytest.raises(ValueError, match="already"):
        book.confirm(FAILOVER, "zhang", "again", T0 + 1, typed="failover-bank-icbc")
    run2, _ = book.confirm(DEGRADE, "li.wei", "coupon slow", T0)  # not critical: no typing
    assert run2.state == "confirmed"


def test_execution_verified_effective_when_the_guard_recovers_in_time():
    book = PlanBook()
    run, log = book.confirm(FAILOVER, "li.wei", "ICBC down", T0, typed="failover-bank-icbc", value=lookup(0.6))
    log += book.sent(run.id, T0 + 100)
    log += book.on_result(run.id, "succeeded", "plan in force", T0 + 200)
    assert book.run(run.id).state == "executed"
    log += book.tick(T0 + 30_000, lookup(0.9))
    assert book.run(run.id).state == "executed"
    log += book.tick(T0 + 40_000, lookup(0.995))
    r = book.run(run.id)
    assert r.state == "effective" and r.after == 0.995 and r.before == 0.6 and r.verified_ms == T0 + 40_000
    assert [e.attrs["action"] for e in log] == ["confirmed", "sent", "executed", "effective"]
    assert PlanBook.replay(log).run(run.id) == r


def test_no_recovery_within_guard_time_prompts_rollback_then_rollback_from_the_feed():
    book = PlanBook()
    run, log = book.confirm(FAILOVER, "li.wei", "ICBC down", T0, typed="failover-bank-icbc", value=lookup(0.6))
    log += book.on_result(run.id, "succeeded", "", T0 + 1)
    log += book.tick(T0 + 61_000, lookup(0.7))
    assert book.run(run.id).state == "not_effective" and log[-1].severity.value == "P2"
    with pytest.raises(ValueError):
        book.request_rollback(run.id, "li.wei", "", T0 + 62_000)
    log += book.request_rollback(run.id, "li.wei", "did not help", T0 + 62_000)
    assert book.run(run.id).state == "rolling_back"
    log += book.on_feed_event(feed_event(FAILOVER.id, "rollback", T0 + 63_000))
    assert book.run(run.id).state == "rolled_back" and not book.run(run.id).live
    assert book.live_run(FAILOVER.id) is None


def test_failed_command_is_failed_and_a_replayed_result_changes_nothing():
    book = PlanBook()
    run, _ = book.confirm(DEGRADE, "li.wei", "x", T0)
    book.on_result(run.id, "rejected", "unknown plan", T0 + 1)
    assert book.run(run.id).state == "failed" and "unknown plan" in book.run(run.id).message
    run, _ = book.confirm(DEGRADE, "li.wei", "x", T0 + 2)
    assert book.on_result(run.id, "succeeded", "", T0 + 3)
    assert book.on_result(run.id, "succeeded", "", T0 + 4, replay=True) == [], "executed once, shown once"


def test_reconnect_reconciles_runs_in_flight_with_the_feeds_active_plans():
    book = PlanBook()
    a, _ = book.confirm(DEGRADE, "li.wei", "x", T0)
    book.sent(a.id, T0)
    b, _ = book.confirm(FAILOVER, "li.wei", "y", T0, typed=FAILOVER.id)
    book.on_result(b.id, "succeeded", "", T0 + 1)
    # The connection dropped; on reconnect the feed says only the degrade is in force.
    ev = book.reconcile_active(["degrade-coupon"], T0 + 5000)
    assert {e.attrs["action"] for e in ev} == {"executed", "rolled_back"}
    assert book.run(a.id).state == "executed" and book.run(b.id).state == "rolled_back"


def test_expiry_warns_once_then_the_feed_expires_it():
    book = PlanBook()
    run, _ = book.confirm(DEGRADE, "li.wei", "x", T0)
    book.on_result(run.id, "succeeded", "", T0)
    assert book.run(run.id).expires_ms == T0 + 600_000
    assert book.tick(T0 + 500_000, lookup(None)) == []
    (warn,) = book.tick(T0 + 545_000, lookup(None))
    assert warn.attrs["action"] == "expiring"
    assert book.tick(T0 + 550_000, lookup(None)) == []
    book.on_feed_event(feed_event("degrade-coupon", "expire", T0 + 600_000))
    assert book.run(run.id).state == "expired"


def test_unanswered_command_fails_clearly_and_a_late_answer_from_the_feed_wins():
    book = PlanBook()
    run, _ = book.confirm(DEGRADE, "li.wei", "x", T0)
    book.sent(run.id, T0 + 100)
    assert book.timeouts(T0 + 20_000, 30_000) == []
    (ev,) = book.timeouts(T0 + 31_000, 30_000)
    r = book.run(run.id)
    assert r.state == "failed" and r.timed_out and "no answer" in r.message and ev.attrs["code"] == "timeout"
    assert book.timeouts(T0 + 60_000, 30_000) == [], "reported once"
    # The feed had run it after all: its plan event puts the run back in force, not a second run.
    book.on_feed_event(feed_event("degrade-coupon", "execute", T0 + 61_000))
    r = book.run(run.id)
    assert r.state == "executed" and not r.timed_out and r.executed_ms == T0 + 61_000
    assert len(book.runs()) == 1


def test_timed_out_run_is_reconciled_from_the_catalogue_after_a_reconnect():
    book = PlanBook()
    run, _ = book.confirm(DEGRADE, "li.wei", "x", T0)
    book.sent(run.id, T0)
    book.timeouts(T0 + 40_000, 30_000)
    book.reconcile_active(["degrade-coupon"], T0 + 50_000)
    assert book.run(run.id).state == "executed"


def test_every_audit_step_is_titled_per_language_also_after_a_replay():
    """The events say each step in Chinese too (``attrs.titles``, as alerts do), with the
    plan's Chinese title from the feed; a book rebuilt from the log keeps saying it."""
    from dataclasses import replace

    from warroom.core.language.names import event_title
    from warroom.core.plan.plan_runs import STEP_TITLES

    plan = replace(FAILOVER, titles={"zh_CN": "切换工商银行网关"})
    book = PlanBook()
    log = book.preview(plan, "li.wei", T0)
    run, confirmed = book.confirm(plan, "li.wei", "ICBC down", T0, typed="failover-bank-icbc", value=lookup(0.6))
    log += confirmed + book.sent(run.id, T0 + 100)
    log += book.on_result(run.id, "succeeded", "in force", T0 + 200)
    log += book.tick(T0 + 61_000 + 200, lookup(0.7))  # not effective in 60 s
    replayed = PlanBook.replay(log)
    log += replayed.request_rollback(run.id, "li.wei", "no better", T0 + 70_000)
    log += replayed.on_result(run.id, "failed", "bank busy", T0 + 71_000, rollback=True)
    assert [e.attrs["action"] for e in log] == ["previewed", "confirmed", "sent", "executed", "not_effective",
                                                 "rolling_back", "rollback_failed"]
    zh = [event_title(e.title, e.attrs, "zh_CN") for e in log]
    assert zh == ["已预览预案：切换工商银行网关", "已确认预案：切换工商银行网关",
                  "预案已下发：切换工商银行网关", "预案生效中：切换工商银行网关",
                  "预案 60 秒内未见效：切换工商银行网关：请回滚或升级",
                  "已请求回滚：切换工商银行网关", "回滚失败：切换工商银行网关：bank busy"]
    assert [e.title for e in log][:2] == ["Previewed plan: Fail over ICBC", "Confirmed plan: Fail over ICBC"]
    assert set(STEP_TITLES["zh_CN"]) == set(STEP_TITLES["en"]), "every step is said in every language"


def test_a_plan_without_per_language_titles_keeps_its_one_title():
    book = PlanBook()
    run, (ev,) = book.confirm(DEGRADE, "li.wei", "coupon slow", T0)
    assert ev.title == "Confirmed plan: Degrade coupon"
    assert ev.attrs["titles"] == {"zh_CN": "已确认预案：Degrade coupon"}
    assert "plan_titles" not in ev.attrs
