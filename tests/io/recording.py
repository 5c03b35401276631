"""A recorded incident for replay, bundle and report tests: written fast, tick by tick.

``record_incident(path)`` runs the simulator second by second (no sockets, no threads
besides the store's writer) through the same pieces a console runs: the ``AlertWatch``
(alerts, incidents), a ``PlanBook`` for the commander's failover (preview, confirm, sent,
executed, verified), an acknowledgement and a note, and writes everything to a DuckDB
history with a ``StoreWriter``: points, events, topology and plan catalogue. It returns
what the live side saw at chosen moments, so tests can compare a replay against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warroom.core.alerts import Alert
from warroom.core.impact import preview
from warroom.core.incidents import Incident
from warroom.core.model import Event, EventKind
from warroom.core.plan_runs import PlanBook
from warroom.io.watch import AlertWatch
from warroom.protocol import TopologySnapshot
from warroom.sim import Simulator
from warroom.store import StoreWriter
from warroom.store.live import LiveView

START = 1_731_292_200_000  # 2024-11-11 10:30 UTC+8, the morning peak
PLAN = "failover-bank-icbc"
COMMANDER = "li.wei"


@dataclass
class LiveMoment:
    """What the live console showed at feed time ``ms`` (after that second's evaluation)."""

    ms: int
    alerts: list[Alert]
    incidents: list[Incident]


@dataclass
class Recording:
    """A history file with one bank-outage incident resolved by a failover."""

    path: Path
    start_ms: int
    end_ms: int  # newest point
    incident_id: str
    log: list[Event] = field(default_factory=list)  # every event, as stored
    moments: list[LiveMoment] = field(default_factory=list)
    fault_ms: int = 0
    executed_ms: int = 0


def record_incident(path: Path, *, seconds: int = 900, fault_at_s: int = 120, seed: int = 4,
                    start_ms: int = START, every_s: int = 15) -> Recording:
    """Record ``seconds`` of the simulated platform with an ICBC outage at ``fault_at_s``.

    Once the incident is open the commander acknowledges it, previews and executes the
    failover (30 s after detection) and notes it; the incident then resolves. A
    ``LiveMoment`` is taken every ``every_s`` seconds.
    """
    sim = Simulator(seed=seed, start_ms=start_ms)
    watch = AlertWatch.from_rules_file()
    watch.user = COMMANDER
    watch.on_topology(sim.topology)
    view = LiveView()
    view.alerting = watch
    book = PlanBook()
    writer = StoreWriter(path, flush_interval_s=0.05)
    rec = Recording(path, start_ms, start_ms, "")
    log = rec.log

    def store(events: list[Event]) -> None:
        if events:
            writer.append_events(events)
            view.add_events(events)
            log.extend(events)

    def plan_steps(events: list[Event]) -> None:
        store(events)
        store(watch.on_events(events))  # plan steps join the incident timeline

    watch.record = store
    writer.append_topology(TopologySnapshot(sim.now_ms, sim.topology))
    writer.append_plans(sim.catalogue(), sim.now_ms)
    run_id = None
    try:
        for s in range(seconds):
            now = sim.now_ms
            if s == fault_at_s:
                sim.inject_fault("dependency_outage", "bank-icbc", None)
                rec.fault_ms = now
            batch, events = sim.tick()
            writer.append_metrics(batch)
            view.apply(batch)
            store(events)
            store(watch.on_events(events))
            for ev in events:
                if ev.kind is EventKind.PLAN_EXECUTION:
                    plan_steps(book.on_feed_event(ev))
            store(watch.on_batch(batch))
            live = [i for i in watch.incidents() if i.live]
            if live and not rec.incident_id:
                rec.incident_id = live[0].id
                watch.acknowledge_incident(rec.incident_id, COMMANDER, "taking it", now)
            if rec.incident_id and run_id is None and now - watch.book.incident(rec.incident_id).detected_ms >= 30_000:
                plan = next(p for p in sim.plans if p.id == PLAN)
                plan_steps(book.preview(plan, COMMANDER, now, dict(preview(
                    plan, sim.topology, lambda k: view.window(k, 300_000)[1].tolist()).figures)))
                run, confirmed = book.confirm(plan, COMMANDER, "ICBC down, fail over to CCB", now, typed=PLAN,
                                              value=view.value)
                run_id = run.id
                plan_steps(confirmed)
                plan_steps(book.sent(run_id, now))
                sim.execute_plan(PLAN, COMMANDER, "ICBC down, fail over to CCB")
                plan_steps(book.on_result(run_id, "succeeded", "in force", now))
                watch.add_note(rec.incident_id, COMMANDER, "failover to CCB executed", now)
                rec.executed_ms = now
            plan_steps(book.tick(now, view.value))
            catalogue = sim.catalogue()
            writer.append_plans(catalogue, now)
            view.apply(catalogue)
            if s % every_s == every_s - 1:
                rec.moments.append(LiveMoment(now, watch.alerts(), watch.incidents()))
        rec.end_ms = sim.now_ms - 1000
    finally:
        writer.close()
    return rec
