"""A scripted drill, recorded: an outage, the room's response, and the whole history in one file.

``record_drill(path)`` runs the simulator second by second, as fast as the machine goes
(no sockets), through the same pieces a console runs: the ``AlertWatch`` (alerts,
incidents), a ``PlanBook`` for the commander's plan (preview, confirm, sent, executed,
verified), an acknowledgement and a note; and writes everything to a DuckDB history with a
``StoreWriter``: points, events, topology and plan catalogue. Fifteen simulated minutes
take a few seconds. It gives training sessions, demos and tests a real incident to
replay (``warroom replay``), export (``warroom export``) and report on.

The commander's script: acknowledge as soon as the incident opens; ``plan_after_s`` later
preview and execute the first plan the root alert suggests (``plan`` overrides it; the
empty string runs none) and note it on the incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from warroom.core.alerting.alerts import Alert
from warroom.core.plan.impact import preview
from warroom.core.incident.incidents import Incident
from warroom.core.language.lang import pick
from warroom.core.model import Event, EventKind
from warroom.core.plan.plan_runs import PlanBook
from warroom.app.watch import AlertWatch
from warroom.protocol import TopologySnapshot
from warroom.sim.engine import Simulator
from warroom.store import StoreWriter
from warroom.store.live import LiveView

#: 2024-11-11 10:30 UTC+8: the morning peak of a promotion day.
DRILL_START_MS = 1_731_292_200_000
COMMANDER = "li.wei"
#: The commander's note once the plan is sent, per language (the note's ``titles``): a
#: replay under zh_CN reads it in Chinese.
NOTE = {"en": "{title}: executed", "zh_CN": "{title}：已执行"}


@dataclass
class LiveMoment:
    """What the live console showed at feed time ``ms`` (after that second's evaluation)."""

    ms: int
    alerts: list[Alert]
    incidents: list[Incident]


@dataclass
class Drill:
    """A recorded drill: the history file and what happened in it."""

    path: Path
    start_ms: int
    end_ms: int  # newest point
    incident_id: str = ""  # the first incident, "" if none opened
    plan_id: str = ""  # the plan executed, "" if none
    fault_ms: int = 0
    executed_ms: int = 0
    log: list[Event] = field(default_factory=list)  # every event, as stored
    moments: list[LiveMoment] = field(default_factory=list)


def record_drill(path: Path, *, seconds: int = 900, fault: str = "dependency_outage:bank-icbc",
                 fault_at_s: int = 120, plan: str | None = None, plan_after_s: int = 30, seed: int = 4,
                 start_ms: int = DRILL_START_MS, commander: str = COMMANDER, every_s: int = 15,
                 progress: Callable[[float], None] | None = None) -> Drill:
    """Record ``seconds`` of the platform with ``fault`` (``KIND:TARGET``) at ``fault_at_s``.

    ``path`` must not exist yet (a drill never appends to a real history). A
    ``LiveMoment`` is kept every ``every_s`` seconds, for comparing a replay with live.
    """
    if path.exists():
        raise FileExistsError(f"{path} exists: a drill writes a new file")
    kind, _, target = fault.partition(":")
    sim = Simulator(seed=seed, start_ms=start_ms)
    sim_fault = (kind, target) if kind else None
    watch = AlertWatch.from_rules_file()
    watch.user = commander
    watch.on_topology(sim.topology)
    view = LiveView()
    view.alerting = watch
    book = PlanBook()
    path.parent.mkdir(parents=True, exist_ok=True)
    drill = Drill(path, start_ms, start_ms)
    log = drill.log

    def store(events: list[Event]) -> None:
        if events:
            writer.append_events(events)
            view.add_events(events)
            log.extend(events)

    def plan_steps(events: list[Event]) -> None:
        store(events)
        store(watch.on_events(events))  # plan steps join the incident timeline

    writer = StoreWriter(path, flush_interval_s=0.05)
    watch.record = store
    writer.append_topology(TopologySnapshot(sim.now_ms, sim.topology))
    writer.append_plans(sim.catalogue(), sim.now_ms)
    decided = False
    step = max(1, seconds // 10)
    try:
        if sim_fault is not None:  # scheduled now, so a bad KIND:TARGET fails before any work
            sim.inject_fault(*sim_fault, delay_s=fault_at_s)
            drill.fault_ms = start_ms + fault_at_s * 1000
        for s in range(seconds):
            now = sim.now_ms
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
            if live and not drill.incident_id:
                drill.incident_id = live[0].id
                # No comment: "Acknowledged by li.wei" says it in the reader's language.
                watch.acknowledge_incident(drill.incident_id, commander, "", now)
            if (drill.incident_id and not decided and plan != ""
                    and now - watch.book.incident(drill.incident_id).detected_ms >= plan_after_s * 1000):
                decided = True  # once, whether a plan was found or not
                chosen = _choose_plan(sim, watch, plan)
                if chosen is not None:
                    _execute(sim, book, view, chosen, commander, now, plan_steps)
                    watch.add_note(drill.incident_id, commander, NOTE["en"].format(title=chosen.title), now,
                                   titles={lang: text.format(title=pick(chosen.title, chosen.titles, lang))
                                           for lang, text in NOTE.items() if lang != "en"})
                    drill.plan_id, drill.executed_ms = chosen.id, now
            plan_steps(book.tick(now, view.value))
            catalogue = sim.catalogue()
            writer.append_plans(catalogue, now)
            view.apply(catalogue)
            if every_s and s % every_s == every_s - 1:
                drill.moments.append(LiveMoment(now, watch.alerts(), watch.incidents()))
            if progress is not None and (s + 1) % step == 0:
                progress((s + 1) / seconds)
        drill.end_ms = sim.now_ms - 1000
    except BaseException:
        writer.close()
        path.unlink(missing_ok=True)  # half a drill is no drill
        raise
    writer.close()
    return drill


def _choose_plan(sim: Simulator, watch: AlertWatch, wanted: str | None):
    plans = {p.id: p for p in sim.plans}
    if wanted:
        if wanted not in plans:
            raise ValueError(f"no plan {wanted!r}; known: {sorted(plans)}")
        return plans[wanted]
    for alert in watch.alerts():
        if alert.is_root:
            for pid in alert.plans:
                if pid in plans:
                    return plans[pid]
    return None


def _execute(sim, book: PlanBook, view: LiveView, plan, commander: str, now: int,
             plan_steps: Callable[[list[Event]], None]) -> None:
    """The commander's two-step execution, as the plans panel does it (without the dialogs)."""
    figures = dict(preview(plan, sim.topology, lambda k: view.window(k, 300_000)[1].tolist()).figures)
    plan_steps(book.preview(plan, commander, now, figures))
    reason = f"{plan.target} failing: {plan.title.lower()}"
    run, confirmed = book.confirm(plan, commander, reason, now, typed=plan.id, value=view.value)
    plan_steps(confirmed)
    plan_steps(book.sent(run.id, now))
    sim.execute_plan(plan.id, commander, reason)
    plan_steps(book.on_result(run.id, "succeeded", "in force", now))
