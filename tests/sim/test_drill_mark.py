"""The drill mark end to end through the simulator and the alert watch: a drill fault opens a
drill window; its fault, alerts, incident and plan run carry the mark; the window closes with
the fault; a real outage afterwards is production, and production MTTR counts only it."""

from __future__ import annotations

import asyncio

import pytest

from tests.app.drill import Drill
from warroom.core.incident.drills import drill_of, drill_windows, is_drill, scorecard
from warroom.core.model import EventKind
from warroom.core.northstar import mttx
from warroom.protocol import Command
from warroom.sim.engine import Simulator
from warroom.sim.faults import parse_fault_spec
from warroom.sim.feed import SimFeed

from .support import PEAK_MS

WARMUP_S = 200


def _run_until_resolved(d: Drill, limit_s: int = 1200) -> None:
    took = d.run_until(lambda: bool(d.watch.incidents()) and all(i.state == "resolved" for i in d.watch.incidents()),
                       limit_s)
    assert took <= limit_s, [i.state for i in d.watch.incidents()]


def test_a_drill_fault_marks_everything_it_causes_and_production_mttr_leaves_it_out():
    d = Drill()
    d.run(WARMUP_S)
    fault = d.sim.inject_fault("dependency_outage", "bank-ccb", None, drill=True)
    d.run(60)
    (inc,) = d.watch.incidents()
    did = d.watch.drills.incident_drill(inc.id)
    assert did and d.sim.drill == did, "the fault opened a drill window"
    d.log += d.watch.acknowledge_incident(inc.id, "li.wei", "drill: failing over", d.now_ms)
    d.sim.clear_fault(fault.id)
    _run_until_resolved(d)
    assert d.sim.drill == "", "the window closed with the last drill fault"

    (window,) = drill_windows(d.log)
    assert window.id == did and window.end_ms is not None and window.title == "bank-ccb: dependency_outage"
    assert window.title_in("zh_CN") == "建设银行网关不可用", "named after its fault in every language"
    faults = d.events(EventKind.FAULT)
    assert faults and all(drill_of(e) == did for e in faults)
    alerts = [e for e in d.events(EventKind.ALERT) if e.attrs["fingerprint"] in inc.alerts]
    assert alerts and all(drill_of(e) == did for e in alerts), "firing, acknowledged and resolved: all marked"
    incident_events = [e for e in d.events(EventKind.INCIDENT) if e.attrs["incident"] == inc.id]
    assert {e.attrs["action"] for e in incident_events} >= {"opened", "acknowledged", "resolved"}
    assert all(drill_of(e) == did for e in incident_events), "marked to its end, after the window closed"
    resolved_at = max(e.ts for e in incident_events)
    assert resolved_at > window.end_ms

    # The same outage for real, afterwards: production, and the only incident MTTR counts.
    d.run(60)
    real = d.sim.inject_fault("dependency_outage", "bank-ccb", None)
    d.run(60)
    d.sim.clear_fault(real.id)
    _run_until_resolved(d)
    later = [e for e in d.log if e.ts > resolved_at and e.kind in (EventKind.ALERT, EventKind.INCIDENT, EventKind.FAULT)]
    assert later and not any(is_drill(e) for e in later)
    (prod,) = mttx.incident_times(d.log)
    assert prod.id != inc.id and prod.drill == ""
    week = mttx.rolling(d.log, d.now_ms, window="7d")
    assert week.resolved == 1 and week.mttr_s == prod.mttr_s
    (score,) = scorecard(d.log)
    assert score.id == did and [i.id for i in score.incidents] == [inc.id]
    assert score.mttd_s is not None and score.mtta_s is not None and score.mttr_s is not None


def test_a_person_opens_and_ends_a_drill_window_and_faults_in_it_are_drills():
    sim = Simulator(seed=3, start_ms=PEAK_MS)
    did = sim.start_drill("game day", actor="li.wei", reason="quarterly")
    with pytest.raises(ValueError, match="already running"):
        sim.start_drill()
    fault = sim.inject_fault("latency_spike", "coupon", 30)
    assert fault.drill
    _, events = sim.tick()
    start = next(e for e in events if e.kind is EventKind.DRILL)
    assert start.attrs["action"] == "start" and start.attrs["actor"] == "li.wei" and drill_of(start) == did
    assert next(e for e in events if e.kind is EventKind.FAULT).attrs["drill"] == did
    plan = sim.execute_plan("degrade-coupon", actor="li.wei")
    assert plan["event_id"]
    for _ in range(40):  # the fault ends: a person's window stays open
        _, more = sim.tick()
        events += more
    assert sim.drill == did and not any(e.kind is EventKind.DRILL and e.attrs["action"] == "end" for e in events)
    assert all(drill_of(e) == did for e in events if e.kind is EventKind.PLAN_EXECUTION)
    assert sim.end_drill("li.wei") == did
    with pytest.raises(ValueError, match="no drill"):
        sim.end_drill()
    _, tail = sim.tick()
    assert [e.attrs["action"] for e in tail if e.kind is EventKind.DRILL] == ["end"]
    assert not sim.inject_fault("latency_spike", "coupon", 30).drill, "after the window: production"


def test_spec_world_and_drill_all_make_drill_faults():
    spec = parse_fault_spec("bank_latency_spike:bank-icbc@60s+120s,drill=true")
    assert spec.drill and "drill" not in spec.params
    assert not parse_fault_spec("bank_latency_spike:bank-icbc").drill
    with pytest.raises(ValueError, match="drill must be true or false"):
        parse_fault_spec("bank_latency_spike:bank-icbc,drill=maybe")
    sim = Simulator(seed=3, start_ms=PEAK_MS)
    assert sim.inject_spec(spec).drill
    sim.drill_all = True
    assert sim.inject_fault("latency_spike", "coupon").drill


def test_the_feed_takes_drill_commands_and_a_drill_flag_on_inject():
    feed = SimFeed(Simulator(seed=7, start_ms=PEAK_MS), speed=60.0)

    def send(key: str, action: str, args: dict):
        return asyncio.run(feed.handle_command(Command(key, action, args, actor="amy"), "c"))[0]

    started = send("drill-key-0001", "start_drill", {"name": "game day"})
    assert started.state == "succeeded" and started.detail["drill"] == feed.sim.drill
    again = send("drill-key-0002", "start_drill", {})
    assert again.state == "rejected" and "already running" in again.message
    ended = send("drill-key-0003", "end_drill", {})
    assert ended.state == "succeeded" and ended.detail["drill"] == started.detail["drill"] and feed.sim.drill == ""
    assert send("drill-key-0004", "end_drill", {}).state == "rejected"
    injected = send("drill-key-0005", "inject_fault", {"kind": "latency_spike", "target": "coupon", "drill": True})
    assert injected.state == "succeeded"
    assert next(f for f in feed.sim.active_faults if f.id == injected.detail["fault_id"]).drill
    bad = send("drill-key-0006", "inject_fault", {"kind": "latency_spike", "target": "coupon", "drill": "perhaps"})
    assert bad.state == "rejected" and "drill must be true or false" in bad.message


async def test_warroom_drill_window_starts_and_ends_a_drill_over_the_wire(capsys):
    from warroom.cli import _parser
    from warroom.io.server import FeedServer

    feed = SimFeed(Simulator(seed=7, start_ms=PEAK_MS), speed=60.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)  # no tokens: this machine may command
    await server.start()

    def cli(*argv: str) -> int:  # the command as the shell runs it, on a thread of its own
        args = _parser().parse_args(["drill-window", "--url", server.url, *argv])
        return args.func(args)

    try:
        assert await asyncio.to_thread(cli, "start", "--name", "game day", "--actor", "li.wei") == 0
        did = feed.sim.drill
        assert did and f"succeeded: drill {did} started" in capsys.readouterr().out
        assert await asyncio.to_thread(cli, "start") == 1, "one at a time"
        assert "already running" in capsys.readouterr().out
        assert await asyncio.to_thread(cli, "end") == 0
        assert feed.sim.drill == "" and f"drill {did} ended" in capsys.readouterr().out
    finally:
        await server.stop()

