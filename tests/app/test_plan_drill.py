"""The commander's drill over a real feed: bank outage, alert, preview, failover, recovery.

Simulator -> FeedServer -> FeedSession (alert watch + plan desk) -> DuckDB, as the console
runs it, at 20x speed. The incident must resolve after the failover, with MTTR and the
audit trail (who, when, why, parameters, before/after) in the stored event log.
"""

from __future__ import annotations

import asyncio

from warroom.core.model import EventKind
from warroom.core.northstar.mttx import incident_times
from warroom.core.plan.suggest import suggest
from warroom.app.replay import ReplaySession
from warroom.io.server import FeedServer
from warroom.app.session import FeedSession
from warroom.app.watch import AlertWatch
from warroom.sim.engine import Simulator
from warroom.sim.feed import SimFeed
from warroom.store import HistoryReader, StoreWriter
from warroom.store.live import LiveView

START = 1_731_292_200_000  # 10:30 UTC+8


async def until(pred, timeout_s: float, step: float = 0.05) -> bool:
    for _ in range(int(timeout_s / step)):
        if pred():
            return True
        await asyncio.sleep(step)
    return pred()


async def test_bank_outage_failover_drill(tmp_path):
    sim = Simulator(seed=4, start_ms=START)
    feed = SimFeed(sim, speed=20.0)
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    await server.start()
    feed_task = asyncio.create_task(feed.run(server))
    view = LiveView()
    writer = StoreWriter(tmp_path / "drill.duckdb", flush_interval_s=0.05)
    watch = AlertWatch.from_rules_file()
    watch.user = "li.wei"
    session = FeedSession(server.url, view, writer, watch=watch)
    task = asyncio.create_task(session.run())
    desk = session.plans
    try:
        assert await until(lambda: view.newest_ms and view.newest_ms > START + 30_000, 20)
        sim.inject_fault("dependency_outage", "bank-icbc", None)
        assert await until(lambda: any(i.live for i in watch.incidents()), 30), "the outage opened an incident"
        inc = next(i for i in watch.incidents() if i.live)
        assert inc.root_cause == "bank-icbc"
        mid = (watch.now_ms, watch.alerts(), watch.incidents())  # for the offline replay, below
        # Actions are stamped with the feed time of the last evaluation: act after this one,
        # or the replay "at mid" would rightly include them.
        assert await until(lambda: watch.now_ms > mid[0], 10)
        # The plan is suggested by what it acts on (a failover of the root), not by its id.
        suggested = suggest(desk.plans(), watch.alerts(), view.topology)
        assert next(iter(suggested)) == "failover-bank-icbc", suggested

        impact = desk.impact("failover-bank-icbc")
        assert impact.estimated and "qr_pay" in impact.scenarios
        desk.record_preview("failover-bank-icbc", "li.wei", impact)
        watch.acknowledge_incident(inc.id, "li.wei", "failing ICBC over")
        run = await desk.execute("failover-bank-icbc", "li.wei", "ICBC down, success 65%", typed="failover-bank-icbc")
        assert await until(lambda: desk.book.run(run.id).state == "effective", 30), desk.book.run(run.id)
        run = desk.book.run(run.id)
        assert run.after >= 0.99 and run.before < 0.95, "before/after KPI recorded"
        assert run.verified_ms - run.executed_ms <= 60_000, "recovered within the guard time"
        # The fault is still there, but traffic no longer goes to ICBC: what users feel clears
        # and the incident is mitigated — not resolved, since ICBC itself still fails.
        assert await until(lambda: watch.incidents()[0].state == "mitigated", 60), watch.incidents()[0].state
    finally:
        await session.stop()
        task.cancel()
        feed.stop()
        feed_task.cancel()
        await server.stop()
    await asyncio.to_thread(writer.flush)
    log = writer.reader().events(START - 3_600_000, START + 86_400_000)
    writer.close()
    audit = [e for e in log if e.kind is EventKind.PLAN_EXECUTION and e.attrs.get("audit")]
    actions = [e.attrs["action"] for e in sorted(audit, key=lambda e: (e.ts, e.attrs["n"]))]
    assert actions[:5] == ["previewed", "confirmed", "sent", "executed", "effective"]
    confirmed = next(e for e in audit if e.attrs["action"] == "confirmed")
    assert confirmed.attrs["actor"] == "li.wei" and confirmed.attrs["reason"] == "ICBC down, success 65%"
    assert confirmed.attrs["params"]["from"] == "bank-icbc"
    feed_exec = [e for e in log if e.kind is EventKind.PLAN_EXECUTION and not e.attrs.get("audit")
                 and e.attrs.get("action") == "execute"]
    assert len(feed_exec) == 1, "executed exactly once"
    (times,) = [t for t in incident_times(log) if t.id == inc.id]
    mitigated = [e for e in log if e.kind is EventKind.INCIDENT and e.attrs.get("incident") == inc.id
                 and e.attrs.get("action") == "mitigated"]
    assert mitigated and times.mttr_mitigated_s == (mitigated[0].attrs["mitigated_ms"] - times.started_ms) / 1000
    assert times.mtta_s is not None and times.mttr_mitigated_s < 15 * 60
    assert times.mttr_s is None, "not resolved while the root still fails"
    timeline_kinds = {e.kind for e in watch.incidents()[0].timeline}
    assert EventKind.PLAN_EXECUTION in timeline_kinds, "the plan is on the incident's timeline"

    # The golden test of offline replay: the stored session, replayed, shows what the room saw.
    final = (watch.now_ms, watch.alerts(), watch.incidents())
    with HistoryReader(tmp_path / "drill.duckdb") as reader:
        replay = ReplaySession(reader, LiveView())
        for at, alerts, incidents in (mid, final):
            replay.seek(at)
            assert _alert_rows(replay.watch.alerts()) == _alert_rows(alerts)
            assert _incident_rows(replay.watch.incidents()) == _incident_rows(incidents)
        replay.seek(replay.end_ms)
        replayed = {t.id: t for t in incident_times(replay.events())}
    assert replayed[inc.id] == times, "MTTD, MTTA and MTTR as live"
    assert replay.watch.incidents()[0].root_cause == "bank-icbc"


def _alert_rows(alerts):
    return [(a.fingerprint, a.state, a.severity, a.root_cause, a.folded_under, a.acked_by)
            for a in alerts if a.state != "pending"]


def _incident_rows(incidents):
    return [(i.id, i.state, i.root_cause, i.detected_ms, i.acked_ms, i.resolved_ms, tuple(sorted(i.alerts)))
            for i in incidents]
