"""A scripted drill, recorded: an outage, the room's response, and the whole history in one file.

``record_drill(path)`` runs the simulator second by second, as fast as the machine goes
(no sockets), through the same pieces a console runs: the ``AlertWatch`` (alerts,
incidents), a ``PlanBook`` for the commander's plan (preview, confirm, sent, executed,
verified), an acknowledgement and a note; and writes everything to a DuckDB history with a
``StoreWriter``: points, events, topology and plan catalogue. Fifteen simulated minutes
take a few seconds. It gives training sessions, demos and tests a real incident to
replay (``warroom replay``), export (``warroom export``) and report on.

The commander's script: acknowledge as soon as the incident opens; ``plan_after_s`` later
(or, while no root is named yet, as soon as one is) preview and execute the best plan for the root cause (``warroom.core.plan.suggest.ranked``:
bound by the plan's target and kind, a rollback first after a deploy; a plan the root
alert's rule names when nothing ranks; ``plan`` overrides it; the empty string runs none)
and note it on the incident.

A drill runs on any world (``world``: a ``World``, a built-in world's name or a world file;
``None`` is the payment platform). Without ``fault`` it injects the world's first scripted
fault that a plan acts on (``default_fault``).

**MTTR of a drill** (``Drill.mttr_s``), measured against the north-star goal of one minute
(``MTTR_GOAL_S``): seconds from the fault's start (``fault_ms``) to the moment the executed
plan is *verified effective* — the console's ``effective`` audit step, when the plan's guard
KPI holds (``verified_ms``). ``None`` when no plan ran, the plan was never verified effective
(not effective in time, or it has no guard to verify), or no fault was injected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from warroom.core.alerting.alerts import Alert
from warroom.core.plan.impact import preview
from warroom.core.incident.drills import drill_event
from warroom.core.incident.incidents import Incident
from warroom.core.language.lang import pick
from warroom.core.model import Event, EventKind
from warroom.core.plan.plan_runs import PlanBook
from warroom.core.plan.suggest import ACTIVE_STATES, changed_service, ranked, root_of
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
#: The north-star goal: service restored within a minute of the fault.
MTTR_GOAL_S = 60.0
#: The payment platform's drill outage, the default when no world is given.
DEFAULT_FAULT = "dependency_outage:bank-icbc"


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
    world: str = "payment"  # the world's name
    fault: str = ""  # the injected fault, KIND:TARGET ("" if none)
    verified_ms: int = 0  # when the plan was verified effective, 0 if never
    mttr_s: float | None = None  # fault start -> plan verified effective (module docstring)
    drill_id: str = ""  # the drill window the recording is ("" when recorded as production)

    @property
    def goal_met(self) -> bool:
        """True when the drill's MTTR is within the one-minute goal."""
        return self.mttr_s is not None and self.mttr_s <= MTTR_GOAL_S

    def summary_line(self) -> str:
        """The drill's result in one greppable line:
        ``drill: world=payment fault=KIND:TARGET plan=ID mttr_s=48 goal_s=60 met=yes``."""
        mttr = "none" if self.mttr_s is None else f"{self.mttr_s:.0f}"
        return (f"drill: world={self.world} fault={self.fault or 'none'} plan={self.plan_id or 'none'} "
                f"mttr_s={mttr} goal_s={MTTR_GOAL_S:.0f} met={'yes' if self.goal_met else 'no'}")


def record_drill(path: Path, *, seconds: int = 900, fault: str | None = None,
                 fault_at_s: int = 120, plan: str | None = None, plan_after_s: int = 30, seed: int = 4,
                 start_ms: int = DRILL_START_MS, commander: str = COMMANDER, every_s: int = 15,
                 progress: Callable[[float], None] | None = None, world: Any = None,
                 as_drill: bool = True) -> Drill:
    """Record ``seconds`` of the platform with ``fault`` (``KIND:TARGET``; ``None``: the world's
    default, ``""``: none) at ``fault_at_s``, on ``world`` (see the module docstring).

    The history is a drill throughout: a drill window opens at the start and closes at the end,
    and its fault, alerts, incident and plan run carry the drill mark, so production MTTR never
    counts it (``warroom.core.incident.drills``). ``as_drill=False`` records it as production
    (tests and benches that need production incidents).

    ``path`` must not exist yet (a drill never appends to a real history). A
    ``LiveMoment`` is kept every ``every_s`` seconds, for comparing a replay with live.
    """
    if path.exists():
        raise FileExistsError(f"{path} exists: a drill writes a new file")
    world = _load_world(world)
    if world is None:
        sim = Simulator(seed=seed, start_ms=start_ms)
    else:
        sim = Simulator(seed=seed, start_ms=start_ms, world=world)
    if fault is None:
        fault = default_fault(world, sim.topology, sim.plans)
    kind, _, target = fault.partition(":")
    sim_fault = (kind, target) if kind else None
    rules = getattr(world, "rules", None)
    watch = AlertWatch.from_rules_file(Path(rules) if rules else None)
    watch.user = commander
    watch.on_topology(sim.topology)
    view = LiveView()
    view.alerting = watch
    book = PlanBook()
    book.drill_of = lambda: sim.drill  # the commander's plan run is the drill's
    path.parent.mkdir(parents=True, exist_ok=True)
    drill = Drill(path, start_ms, start_ms, world=getattr(world, "name", "payment"), fault=fault)
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
        if as_drill:  # the whole recording is the drill's window; its fault is a drill's
            sim.drill_all = True
            name, titles = sim.drill_name(kind, target) if kind else ("no fault", {"zh_CN": "无故障"})
            drill.drill_id = sim.start_drill(name, commander, name_titles=titles, subject=target)
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
                chosen = _choose_plan(sim, watch, plan)
                # Once a plan is found; while the root is still unknown (a flow that stopped
                # before its stalled job is overdue) the commander waits for the diagnosis.
                decided = chosen is not None or bool(plan)
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
        if drill.drill_id and sim.drill:  # the window closes with the recording
            ended = [drill_event(drill.drill_id, drill.end_ms, "end", name=name, name_titles=titles,
                                 actor=commander, subject=target)]
            store(ended)
            store(watch.on_events(ended))
    except BaseException:
        writer.close()
        path.unlink(missing_ok=True)  # half a drill is no drill
        raise
    writer.close()
    drill.verified_ms, drill.mttr_s = _mttr(drill)
    return drill


def _load_world(world: Any) -> Any:
    """``None`` (the payment platform), a ``World``, or a world's name or file, loaded."""
    if world is None or not isinstance(world, (str, Path)):
        return world
    from warroom.sim.world import load_world  # the worlds package is optional until it ships

    return load_world(str(world))


def default_fault(world: Any, topology: Any, plans: Any = ()) -> str:
    """The drill's fault when none is given: the payment outage without a world; else the
    world's first scripted fault that a plan acts on (a failover, restart, degrade or rollback of its
    target: a drill exercises a plan), else its first scripted fault, else an outage of the
    deepest service that a scenario runs through."""
    if world is None:
        return DEFAULT_FAULT
    specs = [(getattr(f.kind, "value", f.kind), f.target) for f in getattr(world, "faults", ()) or ()]
    for kind, target in specs:
        best = ranked(target, plans, topology, after_change=kind == "deploy_error_burst")
        if best and best[0].kind != "rate_limit":
            return f"{kind}:{target}"
    if specs:
        return f"{specs[0][0]}:{specs[0][1]}"
    depths = topology.depths()
    on_paths = sorted({s for sc in topology.scenarios for s in sc.services}) or sorted(depths)
    if not on_paths:
        return ""
    deepest = max(on_paths, key=lambda n: (depths.get(n, 0), n))
    return f"dependency_outage:{deepest}"


def _mttr(drill: Drill) -> tuple[int, float | None]:
    """When the drill's plan was verified effective, and the MTTR (module docstring)."""
    if not drill.plan_id or not drill.fault_ms:
        return 0, None
    for ev in drill.log:
        a = ev.attrs
        if (ev.kind is EventKind.PLAN_EXECUTION and a.get("audit") and a.get("action") == "effective"
                and a.get("plan_id") == drill.plan_id and ev.ts >= drill.executed_ms):
            return ev.ts, (ev.ts - drill.fault_ms) / 1000.0
    return 0, None


def _choose_plan(sim: Simulator, watch: AlertWatch, wanted: str | None):
    """The plan the commander runs: ``wanted``, else the best ranked for the first root alert
    that has one, else the first plan a root alert's rule names."""
    plans = {p.id: p for p in sim.plans}
    if wanted:
        if wanted not in plans:
            raise ValueError(f"no plan {wanted!r}; known: {sorted(plans)}")
        return plans[wanted]
    roots = [a for a in watch.alerts() if a.is_root and a.state in ACTIVE_STATES]
    for alert in roots:
        root = root_of(alert)
        if root:
            best = ranked(root, plans.values(), sim.topology, after_change="after_change" in alert.tags,
                          changed=changed_service(alert))
            if best:
                return best[0]
    for alert in roots:
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
