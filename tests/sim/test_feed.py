"""SimFeed: pacing, merging ticks into frames, and protocol commands (idempotent)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from warroom.core.model import EventKind, SeriesKey
from warroom.io.server import FeedServer
from warroom.protocol import Command, MetricBatch
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed, merge_batches

from .support import PEAK_MS


@pytest.fixture
def feed() -> SimFeed:
    return SimFeed(Simulator(seed=7, start_ms=PEAK_MS), speed=60.0)


def run(coro):
    return asyncio.run(coro)


def test_step_runs_the_due_ticks_and_merges_them(feed, monkeypatch):
    monkeypatch.setattr(feed.clock, "now_ms", lambda: PEAK_MS + 4_500)
    batch, _ = feed.step()
    per_tick = len(feed.sim.series)
    assert len(batch) == 5 * per_tick  # ticks at +0, +1, ... +4 s are due
    assert sorted(set(batch.ts.tolist())) == [PEAK_MS + i * 1000 for i in range(5)]
    assert batch.sent_at == PEAK_MS + 4000
    assert feed.now_ms() == PEAK_MS + 4000
    again, _ = feed.step()
    assert again is None  # nothing new is due


def test_step_spreads_a_backlog_over_several_frames(feed, monkeypatch):
    monkeypatch.setattr(feed.clock, "now_ms", lambda: PEAK_MS + 3_600_000)
    batch, _ = feed.step(max_ticks=50)
    assert len(set(batch.ts.tolist())) == 50


def test_merge_batches_keeps_every_point():
    a = MetricBatch.from_points([(SeriesKey("x"), 1, 1.0), (SeriesKey("y"), 1, 2.0)])
    b = MetricBatch.from_points([(SeriesKey("y"), 2, 3.0), (SeriesKey("z"), 2, 4.0)])
    merged = merge_batches([a, b])
    assert sorted(merged.points(), key=lambda p: (p[1], p[0].text)) == [
        (SeriesKey("x"), 1, 1.0), (SeriesKey("y"), 1, 2.0), (SeriesKey("y"), 2, 3.0), (SeriesKey("z"), 2, 4.0)]


def test_inject_fault_by_spec_and_by_fields(feed):
    r1 = run(feed.handle_command(Command("key-00000001", "inject_fault", {"spec": "dependency_outage:risk-control"}), "c"))[0]
    assert r1.state == "succeeded" and r1.detail["fault_id"]
    r2 = run(feed.handle_command(Command("key-00000002", "inject_fault",
                                         {"kind": "bank_latency_spike", "target": "bank-icbc", "duration_s": 60}), "c"))[0]
    assert r2.state == "succeeded"
    assert {f.target for f in feed.sim.active_faults} == {"risk-control", "bank-icbc"}
    r3 = run(feed.handle_command(Command("key-00000003", "clear_fault", {"fault_id": r1.detail["fault_id"]}), "c"))[0]
    assert r3.state == "succeeded"


def test_bad_commands_are_rejected_with_a_reason(feed):
    bad = [
        ("inject_fault", {"spec": "no_such_kind:x"}, "unknown fault kind"),
        ("inject_fault", {"kind": "dependency_outage", "target": "nowhere"}, "nowhere"),
        ("inject_fault", {"target": "bank-icbc"}, "missing argument 'kind'"),
        ("execute_plan", {"plan_id": "no-such-plan"}, "unknown plan"),
        ("clear_fault", {"fault_id": "fault-99"}, "fault-99"),
    ]
    for i, (action, args, words) in enumerate(bad):
        res = run(feed.handle_command(Command(f"bad-key-{i:04d}", action, args), "c"))[0]
        assert res.state == "rejected", (action, args)
        assert words in res.message, res.message
    assert feed.sim.active_faults == ()


def test_a_replayed_idempotency_key_runs_once(feed):
    cmd = Command("plan-key-0001", "execute_plan", {"plan_id": "degrade-coupon"}, actor="amy", reason="drill")
    first = run(feed.handle_command(cmd, "console-a"))
    second = run(feed.handle_command(cmd, "console-b"))  # e.g. resent after a reconnect
    assert first == second and first[0].state == "succeeded"
    assert feed.sim.active_plans == ("degrade-coupon",)
    _, events = feed.sim.tick()
    executed = [e for e in events if e.kind is EventKind.PLAN_EXECUTION]
    assert len(executed) == 1 and executed[0].attrs.get("actor", "amy") == "amy"


def test_plan_changes_are_broadcast_as_a_new_catalogue(feed):
    sent = []

    class FakeServer:
        def broadcast(self, msg):
            sent.append(msg)

    feed.server = FakeServer()
    run(feed.handle_command(Command("plan-key-0002", "execute_plan", {"plan_id": "degrade-coupon"}), "c"))
    assert sent and sent[-1].active == ("degrade-coupon",)
    run(feed.handle_command(Command("plan-key-0003", "rollback_plan", {"plan_id": "degrade-coupon"}), "c"))
    assert sent[-1].active == ()


def test_plan_details_are_plain_json(feed):
    res = run(feed.handle_command(Command("fo-key-0001", "execute_plan", {"plan_id": "failover-bank-icbc"}), "c"))[0]
    assert res.state == "succeeded"

    def plain(x):
        if isinstance(x, dict):
            return all(isinstance(k, str) and plain(v) for k, v in x.items())
        if isinstance(x, list):
            return all(plain(v) for v in x)
        return not isinstance(x, np.generic)

    assert plain(dict(res.detail))


def test_plan_results_name_the_plan_and_its_event_which_carries_the_key(feed):
    ex = run(feed.handle_command(Command("plan-key-0100", "execute_plan", {"plan_id": "degrade-coupon"}), "c"))[0]
    assert ex.detail["plan_id"] == "degrade-coupon" and ex.detail["event_id"]
    rb = run(feed.handle_command(Command("plan-key-0101", "rollback_plan", {"plan_id": "degrade-coupon"}), "c"))[0]
    assert rb.detail == {"plan_id": "degrade-coupon", "event_id": rb.detail["event_id"]}
    _, events = feed.sim.tick()
    by_id = {e.id: e for e in events if e.kind is EventKind.PLAN_EXECUTION}
    assert by_id[ex.detail["event_id"]].attrs["idempotency_key"] == "plan-key-0100"
    assert by_id[ex.detail["event_id"]].attrs["action"] == "execute"
    assert by_id[rb.detail["event_id"]].attrs["idempotency_key"] == "plan-key-0101"
    assert by_id[rb.detail["event_id"]].attrs["action"] == "rollback"


def test_inject_fault_takes_the_documented_fault_argument_and_clear_takes_the_event_id(feed, monkeypatch):
    res = run(feed.handle_command(Command("flt-key-0001", "inject_fault",
                                          {"fault": "dependency_outage", "target": "bank-icbc"}), "c"))[0]
    assert res.state == "succeeded", res.message
    fault_id = res.detail["fault_id"]
    monkeypatch.setattr(feed.clock, "now_ms", lambda: feed.sim.now_ms)
    _, events = feed.step()
    (announced,) = [e for e in events if e.kind is EventKind.FAULT]
    assert announced.id != fault_id and announced.attrs["fault_id"] == fault_id
    cleared = run(feed.handle_command(Command("flt-key-0002", "clear_fault", {"fault_id": announced.id}), "c"))[0]
    assert cleared.state == "succeeded" and cleared.detail["fault_id"] == fault_id
    clash = run(feed.handle_command(Command("flt-key-0003", "inject_fault", {
        "fault": "dependency_outage", "kind": "bank_latency_spike", "target": "bank-icbc"}), "c"))[0]
    assert clash.state == "rejected" and "disagree" in clash.message


def test_the_feed_name_is_stable_for_a_configuration():
    assert SimFeed(Simulator(seed=7, start_ms=PEAK_MS)).feed_name == "sim-7"
    assert SimFeed(Simulator(seed=7, start_ms=PEAK_MS + 3_600_000)).feed_name == "sim-7"
    assert SimFeed(Simulator(seed=7, start_ms=PEAK_MS), name="drill-east").feed_name == "drill-east"
    assert FeedServer(SimFeed(Simulator(seed=3, start_ms=PEAK_MS))).server_id == "sim-3"


def test_recent_events_follow_subscribe_only_once_there_are_some(feed, monkeypatch):
    assert [type(m).__name__ for m in feed.snapshot_messages()] == ["TopologySnapshot", "PlanCatalogue"]
    run(feed.handle_command(Command("plan-key-0200", "execute_plan", {"plan_id": "degrade-coupon"}), "c"))

    class FakeServer:
        def broadcast(self, msg):
            feed.stop()  # one frame is enough

    monkeypatch.setattr(feed.clock, "now_ms", lambda: feed.sim.now_ms)
    run(feed.run(FakeServer()))
    kinds = [type(m).__name__ for m in feed.snapshot_messages()]
    assert kinds == ["TopologySnapshot", "PlanCatalogue", "Events"]
    assert feed.snapshot_messages()[-1].events[-1].attrs["plan_id"] == "degrade-coupon"
