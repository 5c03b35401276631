"""Drills kept apart: which events are a drill's, the drill windows, and the drill scorecard.

A drill is declared, never guessed:

* a **drill window** opens and closes with ``drill`` events (``EventKind.DRILL``, attrs
  ``action`` ``start``/``end`` and ``drill``: the drill's id). The simulator writes them around
  its drill faults (``inject_fault`` with ``drill: true``, a world fault with ``drill: true``,
  ``warroom sim --drill``, every ``warroom drill``); on a real platform the commander opens and
  closes one (protocol 1.6 actions ``start_drill`` / ``end_drill``, ``warroom drill-window``);
* every event that belongs to a drill carries ``attrs["drill"]``: the drill's id. The feed marks
  its own (faults, plan executions, the window events), ``DrillMarker`` marks what the console
  derives (alerts, incidents, escalations, notes of a drill incident), ``PlanBook`` its audit
  steps. The mark travels with the event through the feed, the event log, the history and the
  reports, so a replay or a report a year later still knows.

What is a drill's, once marked, stays so: an alert that fired during a drill window is a drill
alert until it resolves, an incident opened during one (or that took in a drill alert) is a
drill incident to its end, even when it resolves after the window closed. Incidents are never
production and drill at once: a real outage during a drill window is marked as the drill's,
which is why the window is declared by the commander and shown on the wall (the DRILL banner)
for everyone to see, and why it should be ended as soon as the exercise is over.

Production MTTR never counts a drill incident (``warroom.core.northstar.mttx``); the drill has
its own ``scorecard``: MTTD, MTTA, MTTR (to mitigation, the north star, and to resolution)
against the one-minute goal, and plan effectiveness (runs verified effective out of runs
executed). Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Iterable, Mapping

from warroom.core.model import Event, EventKind, Severity

#: The attrs key of the drill mark; its value is the drill's id.
DRILL_KEY = "drill"
#: The north-star goal a drill is scored against: service restored within a minute.
GOAL_S = 60.0
#: Event kinds a console derives that take the mark of a drill in force.
_MARKED_KINDS = (EventKind.ALERT, EventKind.INCIDENT, EventKind.ESCALATION, EventKind.NOTE,
                 EventKind.PLAN_EXECUTION, EventKind.LOG)
#: Remembered drill alerts and incidents; beyond it the oldest are forgotten (long resolved).
MAX_REMEMBERED = 20_000

TITLES = {
    "start": {"en": "Drill started: {name}", "zh_CN": "演练开始：{name}"},
    "end": {"en": "Drill ended: {name}", "zh_CN": "演练结束：{name}"},
}


def drill_of(event: Event) -> str:
    """The id of the drill ``event`` belongs to, ``""`` for production (``true`` reads as ``"drill"``)."""
    value = event.attrs.get(DRILL_KEY)
    if value is True:
        return "drill"
    return value if isinstance(value, str) else ""


def is_drill(event: Event) -> bool:
    """True when ``event`` carries a drill mark."""
    return bool(drill_of(event))


def marked(event: Event, drill_id: str) -> Event:
    """``event`` with the mark of ``drill_id`` (itself when it has one already or ``drill_id`` is empty)."""
    if not drill_id or drill_of(event):
        return event
    return replace(event, attrs={**event.attrs, DRILL_KEY: drill_id})


def drill_event(drill_id: str, ts_ms: int, action: str, *, name: str = "", actor: str = "", reason: str = "",
                source: str = "", name_titles: Mapping[str, str] | None = None, subject: str = "") -> Event:
    """The ``drill`` event that opens (``action="start"``) or closes (``"end"``) a drill window;
    ``name_titles`` is the drill's name in other languages (``{"zh_CN": …}``); ``subject`` what it
    exercises (a service), else ``source``, else ``platform``."""
    if action not in TITLES:
        raise ValueError(f"drill action must be 'start' or 'end', not {action!r}")
    if not drill_id:
        raise ValueError("a drill needs an id")
    shown = name or drill_id
    words = TITLES[action]
    named = {k: v for k, v in (name_titles or {}).items() if isinstance(v, str) and v}
    attrs = {"action": action, DRILL_KEY: drill_id, "name": name, "actor": actor, "reason": reason,
             "titles": {lang: text.format(name=named.get(lang, shown)) for lang, text in words.items() if lang != "en"}}
    if named:
        attrs["name_titles"] = named
    if source:
        attrs["source"] = source
    return Event(f"drill-{drill_id}-{action}", int(ts_ms), EventKind.DRILL, subject or source or "platform",
                 words["en"].format(name=shown), Severity.INFO, attrs)


@dataclass(frozen=True)
class DrillWindow:
    """One drill, from its ``start`` event to its ``end`` (``end_ms=None``: still running)."""

    id: str
    start_ms: int
    end_ms: int | None = None
    name: str = ""
    actor: str = ""
    #: The name in other languages (``{"zh_CN": …}``), for ``title_in``.
    titles: Mapping[str, str] = field(default_factory=dict, compare=False)

    def title_in(self, lang: str) -> str:
        """Its name in ``lang`` when the drill gave one, else ``title``."""
        return self.titles.get(lang) or self.titles.get(lang.split("_")[0]) or self.title

    def active_at(self, ts_ms: int) -> bool:
        """True while the drill runs at ``ts_ms``."""
        return self.start_ms <= ts_ms and (self.end_ms is None or ts_ms < self.end_ms)

    @property
    def title(self) -> str:
        """Its name, else its id."""
        return self.name or self.id


def drill_windows(events: Iterable[Event], *, now_ms: int | None = None) -> list[DrillWindow]:
    """Every drill window the ``drill`` events open, oldest first; with ``now_ms`` only what was
    known then (a replay cursor). An ``end`` without a ``start`` (a log cut short) starts at the
    first event marked with that drill."""
    starts: dict[str, DrillWindow] = {}
    first_mark: dict[str, int] = {}
    for ev in sorted(events, key=lambda e: e.ts):
        if now_ms is not None and ev.ts > now_ms:
            break
        did = drill_of(ev)
        if not did:
            continue
        first_mark.setdefault(did, ev.ts)
        if ev.kind is not EventKind.DRILL:
            continue
        action = ev.attrs.get("action")
        name, actor = str(ev.attrs.get("name") or ""), str(ev.attrs.get("actor") or "")
        named = ev.attrs.get("name_titles")
        titles = {str(k): v for k, v in named.items() if isinstance(v, str)} if isinstance(named, Mapping) else {}
        if action == "start" and did not in starts:
            starts[did] = DrillWindow(did, ev.ts, None, name, actor, titles)
        elif action == "end":
            w = starts.get(did) or DrillWindow(did, first_mark[did], None, name, actor, titles)
            if w.end_ms is None:
                starts[did] = replace(w, end_ms=max(ev.ts, w.start_ms))
    return sorted(starts.values(), key=lambda w: (w.start_ms, w.id))


@dataclass(frozen=True)
class DrillStatus:
    """What the wall says about drills at a moment: the drill running (if any) and how many
    drill incidents are still open (a drill whose window closed is not over while they are)."""

    window: DrillWindow | None
    open_incidents: int = 0
    drills: tuple[str, ...] = ()  # ids of the drills concerned, the running one first

    @property
    def running(self) -> bool:
        """True while a drill window is open."""
        return self.window is not None


def drill_status(events: Iterable[Event], now_ms: int | None = None) -> DrillStatus | None:
    """The drill in force at ``now_ms`` (default: after every event), or ``None`` when there is
    nothing to show: no window open and no drill incident open."""
    if now_ms is None:
        events = list(events)
        now_ms = max((e.ts for e in events), default=0)
    # Only drill events and marked ones matter: one cheap pass (the wall asks on every new event).
    evs = [e for e in events if e.ts <= now_ms and (e.kind is EventKind.DRILL or DRILL_KEY in e.attrs)]
    windows = drill_windows(evs)
    at = now_ms
    running = [w for w in windows if w.active_at(at) or (w.end_ms is None and w.start_ms <= at)]
    latest: dict[str, Event] = {}
    for ev in evs:
        if ev.kind is EventKind.INCIDENT and is_drill(ev):
            iid = str(ev.attrs.get("incident") or "")
            if iid and (iid not in latest or ev.ts >= latest[iid].ts):
                latest[iid] = ev
    open_ = [e for e in latest.values() if e.attrs.get("state") != "resolved" and not e.attrs.get("merged_into")]
    if not running and not open_:
        return None
    ids = [w.id for w in reversed(running)]
    ids += sorted({drill_of(e) for e in open_} - set(ids))
    return DrillStatus(running[-1] if running else None, len(open_), tuple(ids))


def running_drill(events: Iterable[Event], now_ms: int | None = None) -> str:
    """The id of the drill window open at ``now_ms`` (default: after every event), ``""`` when none."""
    status = drill_status(events, now_ms)
    return status.window.id if status is not None and status.window is not None else ""


class DrillMarker:
    """Marks what a console derives while a drill runs (see the module docstring).

    ``observe`` every event of the log in order (the feed's and the derived); ``mark`` the
    derived ones before they are recorded. Bounded: at most ``MAX_REMEMBERED`` alerts and
    incidents are remembered.
    """

    def __init__(self) -> None:
        self._open: dict[str, DrillWindow] = {}  # drill id -> its open window, in start order
        self._alerts: dict[str, str] = {}  # alert fingerprint -> drill id, until it resolves
        self._incidents: dict[str, str] = {}  # incident id -> drill id, for good
        self._production: dict[str, None] = {}  # alerts that began outside a drill, until they resolve

    @property
    def current(self) -> str:
        """The id of the drill running now (the newest open window), ``""`` when none."""
        return next(reversed(self._open), "") if self._open else ""

    def windows(self) -> list[DrillWindow]:
        """The drill windows open now, oldest first."""
        return list(self._open.values())

    def incident_drill(self, incident_id: str) -> str:
        """The drill an incident belongs to (``""``: production)."""
        return self._incidents.get(incident_id, "")

    def observe(self, event: Event) -> None:
        """Learn from one event of the log: windows opening and closing, marked alerts and incidents."""
        did = drill_of(event)
        if event.kind is EventKind.DRILL and did:
            action = event.attrs.get("action")
            if action == "start":
                self._open.setdefault(did, DrillWindow(did, event.ts, None, str(event.attrs.get("name") or ""),
                                                       str(event.attrs.get("actor") or "")))
            elif action == "end":
                self._open.pop(did, None)
            return
        if event.kind is EventKind.ALERT:
            fp = str(event.attrs.get("fingerprint") or "")
            if fp and did:
                self._remember(self._alerts, fp, did)
            elif fp and fp not in self._alerts:
                self._production[fp] = None
                while len(self._production) > MAX_REMEMBERED:
                    del self._production[next(iter(self._production))]
            if fp and event.attrs.get("state") == "resolved":
                self._alerts.pop(fp, None)
                self._production.pop(fp, None)
        elif event.kind is EventKind.INCIDENT and did:
            iid = str(event.attrs.get("incident") or "")
            if iid:
                self._remember(self._incidents, iid, did)
            over = event.attrs.get("state") == "resolved" or bool(event.attrs.get("merged_into"))
            for fp in event.attrs.get("alerts") or ():
                if not isinstance(fp, str):
                    continue
                if over:  # the same alert firing again later is a new problem, not this drill's
                    self._alerts.pop(fp, None)
                elif fp not in self._alerts:
                    self._remember(self._alerts, fp, did)

    def drill_for(self, event: Event) -> str:
        """The drill ``event`` belongs to, were it derived now (``""``: production)."""
        if event.kind not in _MARKED_KINDS:
            return ""
        own = drill_of(event)
        if own:
            return own
        iid = str(event.attrs.get("incident") or "")
        if iid and iid in self._incidents:
            return self._incidents[iid]
        if event.kind is EventKind.ALERT:
            fp = str(event.attrs.get("fingerprint") or "")
            if fp in self._alerts:
                return self._alerts[fp]
            if fp in self._production:
                return ""  # it began before the drill: a real problem stays real
        if event.kind is EventKind.INCIDENT:
            for fp in event.attrs.get("alerts") or ():
                if isinstance(fp, str) and fp in self._alerts:
                    return self._alerts[fp]
            if iid and event.attrs.get("action") != "opened":
                return ""  # an incident that opened as production stays production
        return self.current

    def mark(self, events: list[Event]) -> list[Event]:
        """``events`` (derived, in order) with the marks of the drills they belong to; each is
        then observed, so an incident's later events keep its mark."""
        out = []
        for ev in events:
            ev = marked(ev, self.drill_for(ev))
            self.observe(ev)
            out.append(ev)
        return out

    @staticmethod
    def _remember(memory: dict[str, str], key: str, drill_id: str) -> None:
        memory.setdefault(key, drill_id)
        while len(memory) > MAX_REMEMBERED:
            del memory[next(iter(memory))]


# -- the scorecard ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DrillIncident:
    """One drill incident's times (seconds; ``None`` when not reached)."""

    id: str
    title: str
    state: str
    mttd_s: float | None
    mtta_s: float | None
    mttr_s: float | None
    mttr_mitigated_s: float | None


@dataclass(frozen=True)
class DrillScore:
    """How the room did in one drill.

    The drill's MTTR (``mttr_goal_s``) is judged against ``goal_s``: from the first drill fault to
    the first plan verified effective (``restored_s``, the measure ``warroom drill`` has always
    used: service restored by the room's action), else — a drill without a simulated fault, or no
    plan verified — the incidents' mean MTTR to mitigation. ``met_goal`` is ``None`` when neither
    was reached. Plan effectiveness is ``effective`` runs out of the ``executed`` ones (``None``
    when none was executed).
    """

    id: str
    name: str
    start_ms: int | None
    end_ms: int | None
    faults: int
    incidents: tuple[DrillIncident, ...]
    mttd_s: float | None
    mtta_s: float | None
    mttr_s: float | None
    mttr_mitigated_s: float | None
    goal_s: float
    plans_executed: int
    plans_effective: int
    plans_not_effective: int
    restored_s: float | None = None
    plans: tuple[str, ...] = field(default_factory=tuple)

    @property
    def mttr_goal_s(self) -> float | None:
        """The MTTR judged against the goal (see the class docstring)."""
        return self.restored_s if self.restored_s is not None else self.mttr_mitigated_s

    @property
    def met_goal(self) -> bool | None:
        """The drill's MTTR within the goal (``None``: service not restored, nothing to judge)."""
        return None if self.mttr_goal_s is None else self.mttr_goal_s <= self.goal_s

    @property
    def effectiveness(self) -> float | None:
        """Runs verified effective / runs executed."""
        return self.plans_effective / self.plans_executed if self.plans_executed else None

    @property
    def title(self) -> str:
        """Its name, else its id."""
        return self.name or self.id


def scorecard(events: Iterable[Event], *, goal_s: float = GOAL_S, now_ms: int | None = None) -> list[DrillScore]:
    """One ``DrillScore`` per drill that left a mark in ``events``, oldest first."""
    # Imported here: northstar's mttx imports this module (to leave drills out of production).
    from warroom.core.northstar.mttx import incident_times

    evs = [e for e in events if now_ms is None or e.ts <= now_ms]
    windows = {w.id: w for w in drill_windows(evs)}
    by_drill: dict[str, list[Event]] = {}
    for ev in evs:
        did = drill_of(ev)
        if did:
            by_drill.setdefault(did, []).append(ev)
    times = {t.id: t for t in incident_times(evs, include_drills=True)}
    out = []
    for did, mine in by_drill.items():
        w = windows.get(did)
        titles: dict[str, str] = {}
        for ev in mine:
            if ev.kind is EventKind.INCIDENT and ev.attrs.get("incident"):
                titles[str(ev.attrs["incident"])] = ev.title
        incs = [times[i] for i in titles if i in times]
        incs.sort(key=lambda t: (t.detected_ms or 0, t.id))
        runs = _plan_runs(mine)
        fault_ms = min((e.ts for e in mine if e.kind is EventKind.FAULT and e.attrs.get("action") == "inject"),
                       default=None)
        effective_ms = min((ts for state, ts, _ in runs.values() if state == "effective"), default=None)
        out.append(DrillScore(
            id=did, name=w.name if w else "", start_ms=w.start_ms if w else min(e.ts for e in mine),
            end_ms=w.end_ms if w else None,
            faults=sum(1 for e in mine if e.kind is EventKind.FAULT and e.attrs.get("action") == "inject"),
            incidents=tuple(DrillIncident(t.id, titles[t.id], t.state, t.mttd_s, t.mtta_s, t.mttr_s,
                                          t.mttr_mitigated_s) for t in incs),
            mttd_s=_mean(t.mttd_s for t in incs), mtta_s=_mean(t.mtta_s for t in incs),
            mttr_s=_mean(t.mttr_s for t in incs), mttr_mitigated_s=_mean(t.mttr_mitigated_s for t in incs),
            goal_s=goal_s,
            plans_executed=sum(1 for state, _, _ in runs.values() if state != "sent"),
            plans_effective=sum(1 for state, _, _ in runs.values() if state == "effective"),
            plans_not_effective=sum(1 for state, _, _ in runs.values() if state == "not_effective"),
            restored_s=(None if fault_ms is None or effective_ms is None or effective_ms < fault_ms
                        else (effective_ms - fault_ms) / 1000.0),
            plans=tuple(sorted({plan for _, _, plan in runs.values()})),
        ))
    return sorted(out, key=lambda s: (s.start_ms or 0, s.id))


#: A plan run's audit steps, from the least to the most telling for the scorecard.
_RUN_ORDER = {"sent": 0, "executed": 1, "not_effective": 2, "effective": 3}


def _plan_runs(events: Iterable[Event]) -> dict[str, tuple[str, int, str]]:
    """Per run id: its most telling step (sent < executed < not effective < effective), when
    that step happened first, and the plan. A run verified effective once counts as effective."""
    runs: dict[str, tuple[str, int, str]] = {}
    for ev in sorted(events, key=lambda e: e.ts):
        a = ev.attrs
        if ev.kind is not EventKind.PLAN_EXECUTION or not a.get("audit"):
            continue
        action, rid = str(a.get("action") or ""), str(a.get("run") or "")
        if not rid or action not in _RUN_ORDER:
            continue
        have = runs.get(rid)
        if have is None or _RUN_ORDER[action] > _RUN_ORDER[have[0]]:
            runs[rid] = (action, ev.ts, str(a.get("plan_id") or ev.subject))
    return runs


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def drill_names(events: Iterable[Event]) -> Mapping[str, str]:
    """Drill id -> its name (or id), from the ``drill`` events."""
    return {w.id: w.title for w in drill_windows(events)}
