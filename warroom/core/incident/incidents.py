"""Incidents: one per outage, opened by paging alerts, closed only by a verified recovery.

Feed ``IncidentBook.on_event`` every event of the log in order (alerts, deploys, config
changes, plan executions, notes, and the book's own INCIDENT events when they come back)
and call ``tick(now_ms)`` as feed time passes; append what either returns to the log.

    open ─(acknowledge)─► acknowledged
      └─────────┬──────────────┘
                │ no P0/P1 alert of it firing, but some of its alerts (its root's) still alert
                ▼
           mitigated ─(a P0/P1 alert of it fires again)─► back to open / acknowledged ("reopened")
                │ every alert of it resolved (also straight from open / acknowledged)
                ▼
           recovering ─(time passes recovery_s with all still resolved)─► resolved
                └─ one of its alerts fires again ─► back to open / acknowledged, or to
                   mitigated when no P0/P1 alert of it fires ("reopened")

- *Mitigated* is what users feel recovered (no paging alert of the incident fires: the
  scenarios are back) while the root still alerts: amber on the wall, never "resolved".
  ``mitigated_ms`` is when that last happened (service restored: MTTR to mitigation); an
  incident whose alerts all resolve at once is mitigated when it starts recovering. A P0/P1
  member firing again clears it. An incident is never recovering or resolved while any of
  its alerts (its root's included) is unresolved.
- A P0/P1 alert that fires opens an incident, unless a live incident has the same root
  cause (or holds the alert it is folded under): then it joins that one. A paging alert
  firing within ``join_window_s`` of the resolution of an incident with its root cause
  reopens that incident rather than counting the outage twice. Silenced alerts never open.
- A P2/P3 alert joins a live incident in the same way but never opens one. When an
  incident opens, reopens or takes a new root, the firing alerts with that root that belong
  to no live incident join it in the same event: the root's own P2s, which fire in the same
  evaluation just before the P1 that opens it, or earlier, belong to it.
- An alert whose event lists several roots (``root_causes``, e.g. a scenario crossing two
  faults: ``rootcause.Verdict.roots``) joins the incident of each, and a paging one opens the
  incident of a root that has none: a scenario crossing both faults is listed by both
  incidents, and holds each open (users feel it) until it recovers. Otherwise an alert
  belongs to one incident.
- An alert's root cause is its ``root_cause``; when that is "", its own service for a
  service alert (the callee for an edge alert), else unknown. An incident's root is a
  service or "" (unknown), never a scenario: alerts of unknown root gather by subject (the
  incident's ``scope``, the subject of the alert that opened it) under root "".
- An incident keeps its root unless a better-supported root appears, i.e. when (a) its root
  is unknown and its unresolved alerts name one ("root_found"), or (b) its root's own
  alerts (on that service, or on edges to it) still alert but now name another root: the
  root was a symptom of a deeper fault or a surge ("root_explained"). It is the root most
  of its unresolved alerts name (ties: the most recent). Symptoms that follow another root
  (a caller shared by two faults) do not move it, nor does its root's recovery: two faults
  stay two incidents. Every re-root is a ``root_cause_changed`` event with
  ``previous_root_cause`` and ``reason``. When a re-root makes two live incidents share a
  root, they merge: the one detected first survives, the other is resolved with ``merged_into``.
  An alert stays in the incidents it joined.
- A member alert acknowledged acknowledges the incident; a member back to pending holds
  the recovery (its KPI is out of band again) until it resolves.
- Deploys, config changes, plan executions and notes touching the incident's services (its
  root cause and alerting subjects) from ``change_lookback_s`` before it started until it is
  resolved join its timeline, as do notes whose ``attrs["incident"]`` names it.

INCIDENT events: id ``incident:{incident}:{n}``, subject the root cause, attrs ``incident``,
``action`` (one of ``ACTIONS``), the whole state (``state``, ``root_cause``, ``owner``,
``alerts``, ``merged_into``, ``scope``, ``started_ms``, ``detected_ms``, ``acked_ms``,
``mitigated_ms``, ``recovering_ms``, ``resolved_ms``, ``verified_ms``), ``actor``, ``comment``,
``seq`` (book-wide order), and per action ``alert``, ``previous_root_cause`` and ``reason``
(``root_cause_changed``), or ``merged_from``. ``mitigated_ms`` is when service was restored
(users recovered); ``resolved_ms`` is when every alert of it had resolved, the root's included
(the start of the window then verified); ``verified_ms``, the ``resolved`` event's own ts, is
when that window ended. ``scope`` is "" once the root is known.

Event sourcing: the book changes an incident only by applying such an event, its own or a
recorded one, so ``IncidentBook.replay(log)`` rebuilds exactly the incidents the live book had.

Memory: a book reading a stored log (replay, reports) keeps every incident of it. A live
book runs for weeks, so the console's (``warroom.app.watch.AlertWatch``) is made with
``max_resolved=LIVE_MAX_RESOLVED`` and ``max_timeline=LIVE_MAX_TIMELINE``: it keeps the newest
``max_resolved`` resolved incidents (older ones are forgotten here and stay in the history
file, where replays and reports read them; one resolved within ``join_window_s`` is kept
until that window passes, so it can still reopen), and a live incident's timeline keeps at
most ``max_timeline`` events (beyond it its oldest alert transitions and change events are
dropped from memory; its INCIDENT events and notes stay). Every book holds at most
``MAX_CONTEXT`` recent change events and notes for ``MAX_ORPHANS`` incidents not seen yet.
An INCIDENT event about a forgotten incident brings it back with the state the event carries.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from warroom.core.language.lang import clean_titles
from warroom.core.incident.drills import drill_of as _drill_of
from warroom.core.model import Event, EventKind, SeriesKey, Severity
from warroom.core.language.names import Names

STATES = ("open", "acknowledged", "mitigated", "recovering", "resolved")
ACTIONS = ("opened", "alert_joined", "root_cause_changed", "escalated", "acknowledged", "owner_changed",
           "mitigated", "recovering", "reopened", "resolved", "merged")
#: Why an incident took a new root (``attrs["reason"]`` of ``root_cause_changed``).
REROOT_REASONS = ("root_found", "root_explained")
_ALERT_STATES = ("pending", "firing", "acknowledged", "resolved")
_ACTIVE = ("firing", "acknowledged")  # alert states meaning "the problem is there"
_RANK = {Severity.P0: 0, Severity.P1: 1, Severity.P2: 2, Severity.P3: 3, Severity.INFO: 4}
# LOG: log lines and trace ids about a service (protocol 1.5) go on its incidents' timelines too.
_CONTEXT = (EventKind.DEPLOY, EventKind.CONFIG_CHANGE, EventKind.PLAN_EXECUTION, EventKind.NOTE, EventKind.LOG)
_ORDER = {EventKind.DEPLOY: 0, EventKind.CONFIG_CHANGE: 0, EventKind.PLAN_EXECUTION: 1, EventKind.ALERT: 2,
          EventKind.INCIDENT: 3, EventKind.NOTE: 4, EventKind.LOG: 4}
_EVENTS_PER_ALERT = 32  # an alert's transitions kept for the timeline of an incident it joins later
_TIMES = ("started_ms", "detected_ms", "acked_ms", "mitigated_ms", "recovering_ms", "resolved_ms", "verified_ms")
_PAGING = (Severity.P0, Severity.P1)  # what users feel: these open incidents and hold them open
#: Resolved incidents a live book keeps in memory (the incidents panel lists the newest 20).
LIVE_MAX_RESOLVED = 200
#: Events a live book keeps on one incident's timeline (a week-long incident with a flapping
#: alert gathers thousands of transitions; the history file keeps them all).
LIVE_MAX_TIMELINE = 2000
#: Recent deploys, changes, plan executions and notes kept for incidents that may still open
#: or grow (they are also pruned by time: ``change_lookback_s`` before the oldest live one).
MAX_CONTEXT = 10_000
#: Incidents not seen yet whose notes are held until they are (a stored log may return a
#: note before the incident's first event); past that, the oldest such incident's notes go.
MAX_ORPHANS = 1000


@dataclass(frozen=True)
class Incident:
    """One incident as of the last event applied; an immutable snapshot safe to hand to any thread.

    ``alerts`` are fingerprints; ``timeline`` holds the incident's events ordered by ts, each once.
    Times are epoch ms, ``None`` until reached.
    """

    id: str
    title: str
    severity: Severity
    root_cause: str
    state: str
    owner: str
    started_ms: int
    detected_ms: int
    acked_ms: int | None
    recovering_ms: int | None
    resolved_ms: int | None
    verified_ms: int | None
    merged_into: str
    alerts: tuple[str, ...]
    timeline: tuple[Event, ...]
    #: The title in other languages (``{"zh_CN": …}``); ``title`` is the default. Not hashed.
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: When users last felt it recovered (no P0/P1 alert of it firing): MTTR to mitigation.
    mitigated_ms: int | None = None
    #: The drill it belongs to (``""``: production; ``warroom.core.incident.drills``).
    drill: str = ""

    @property
    def live(self) -> bool:
        """True until the incident is resolved (mitigated and recovering still count as live)."""
        return self.state != "resolved"


def incident_id(detected_ms: int, fingerprint: str) -> str:
    """The id of an incident detected by this alert at this time: the same log gives the same ids."""
    return f"INC-{int(detected_ms)}-{hashlib.sha1(fingerprint.encode()).hexdigest()[:8]}"


@dataclass
class _Alert:
    fp: str
    subject: str = ""
    severity: Severity = Severity.P3
    state: str = ""
    since_ms: int = 0
    root: str = ""
    node: str = ""  # the service the alert is about ("" for a scenario): its root's own alerts
    folded_under: str = ""
    silenced: bool = False
    resolved_ms: int | None = None
    root_seq: int = 0
    also: tuple[str, ...] = ()  # the other roots it names (``root_causes``): a scenario crossing two faults
    events: list[Event] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What the alert gathers under: its root, or its subject when the root is unknown."""
        return self.root or "?" + self.subject


@dataclass
class _Inc:
    id: str
    title: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    severity: Severity = Severity.P3
    root: str = ""
    state: str = "open"
    owner: str = ""
    started_ms: int = 0
    detected_ms: int = 0
    acked_ms: int | None = None
    mitigated_ms: int | None = None
    recovering_ms: int | None = None
    resolved_ms: int | None = None
    verified_ms: int | None = None
    merged_into: str = ""
    scope: str = ""  # root unknown: the subject of the alert that opened it
    alerts: list[str] = field(default_factory=list)
    seq: int = 0  # the last n used in "incident:{id}:{n}" / "note:{id}:{n}"
    applied: int = 0  # the n of the INCIDENT event whose state the incident has
    services: set[str] = field(default_factory=set)
    timeline: dict[str, Event] = field(default_factory=dict)
    drill: str = ""  # the drill it belongs to, from the alert that opened it: every event of it says so

    @property
    def live(self) -> bool:
        return self.state != "resolved"

    @property
    def key(self) -> str:
        return self.root or "?" + self.scope

    def fields(self) -> dict[str, Any]:
        return {"title": self.title, "titles": dict(self.titles), "severity": self.severity.value, "state": self.state,
                "root_cause": self.root, "owner": self.owner, "alerts": list(self.alerts),
                "merged_into": self.merged_into, "scope": self.scope, **{t: getattr(self, t) for t in _TIMES},
                **({"drill": self.drill} if self.drill else {})}

    def snapshot(self) -> Incident:
        events = self.timeline.values()
        if self.merged_into:  # what it gathered lives on in the survivor's timeline
            events = [e for e in events if e.attrs.get("incident") == self.id]
        timeline = sorted(events, key=lambda e: (e.ts, _ORDER.get(e.kind, 5), _natural(e.id)))
        return Incident(self.id, self.title, self.severity, self.root, self.state, self.owner, self.started_ms,
                        self.detected_ms, self.acked_ms, self.recovering_ms, self.resolved_ms, self.verified_ms,
                        self.merged_into, tuple(self.alerts), tuple(timeline), dict(self.titles),
                        mitigated_ms=self.mitigated_ms, drill=self.drill)


class IncidentBook:
    """The incidents of one event log. See the module docstring for the rules.

    ``on_event``, ``tick`` and the actions return the INCIDENT/NOTE events to append to the
    log; the book has already applied them. Times are feed-time epoch ms.
    """

    def __init__(self, *, recovery_s: float = 300.0, join_window_s: float = 600.0,
                 change_lookback_s: float = 900.0, max_resolved: int | None = None,
                 max_timeline: int | None = None, names: Callable[[], Names] | None = None) -> None:
        for name, v in (("recovery_s", recovery_s), ("join_window_s", join_window_s),
                        ("change_lookback_s", change_lookback_s)):
            if not v >= 0:
                raise ValueError(f"{name} must be >= 0, not {v!r}")
        for name, n in (("max_resolved", max_resolved), ("max_timeline", max_timeline)):
            if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
                raise ValueError(f"{name} must be a positive integer or None, not {n!r}")
        self._max_resolved, self._max_timeline = max_resolved, max_timeline
        #: The feed's display names, for titles by root cause and impact (``headline``); without
        #: them an incident keeps the title of the alert that opened it.
        self.names = names
        self._resolved: dict[str, None] = {}  # resolved incidents in the order they were resolved
        self._recovery = int(round(recovery_s * 1000))
        self._join_window = int(round(join_window_s * 1000))
        self._lookback = int(round(change_lookback_s * 1000))
        self._incs: dict[str, _Inc] = {}
        self._alerts: dict[str, _Alert] = {}  # unresolved alerts and members of live incidents
        self._by_fp: dict[str, dict[str, None]] = {}  # fingerprint -> the live incidents listing it
        self._by_root: dict[str, str] = {}  # root cause (``_Inc.key``) -> live incident
        self._resolved_by_root: dict[str, str] = {}  # root cause -> last resolved (not merged) incident
        self._context: deque[Event] = deque(maxlen=MAX_CONTEXT)  # recent deploys, changes, plans, notes
        self._orphans: dict[str, list[Event]] = {}  # notes on incidents not seen yet
        self._outbox: list[Event] = []
        self._replaying = False
        self._root_seq = 0
        self._seq = 0  # book-wide number of the last INCIDENT event: orders those of the same ts
        self._latest = 0

    @classmethod
    def replay(cls, events: Iterable[Event], **options: float) -> "IncidentBook":
        """A book rebuilt from a stored log: recorded INCIDENT/NOTE events are applied, none emitted.

        Events are taken in ts order; at the same ts the others come before the INCIDENT
        events, and those in the order they were emitted (``attrs["seq"]``), so a store that
        returns ties in any order gives the same incidents. Continue live with ``on_event``
        and ``tick`` (a recovery the log did not see verified is verified by the next tick).
        """
        book = cls(**options)
        book.apply_logged(events)
        return book

    def apply_logged(self, events: Iterable[Event]) -> None:
        """Apply more events of a stored log, as ``replay`` does (none emitted).

        For playing a log forward in steps: give each step's events whole, every event of
        a timestamp in the same step, later steps after earlier ones.
        """
        self._replaying = True
        try:
            for ev in sorted(events, key=_replay_order):
                self.on_event(ev)
        finally:
            self._replaying = False

    # -- queries ---------------------------------------------------------------------------

    def incidents(self, *, live_only: bool = False) -> list[Incident]:
        """The incidents the book holds (merged ones included), ordered by detection time: all
        of them, or with ``max_resolved`` the live ones and the newest resolved ones."""
        incs = sorted(self._incs.values(), key=lambda i: (i.detected_ms, i.id))
        return [i.snapshot() for i in incs if i.live or not live_only]

    def incident(self, incident_id: str) -> Incident:
        """One incident by id; ValueError if unknown (or forgotten: see ``max_resolved``)."""
        return self._get(incident_id).snapshot()

    def incident_of(self, fingerprint: str) -> str | None:
        """The live incident an alert belongs to, if any."""
        return next(iter(self._by_fp.get(fingerprint) or ()), None)

    # -- input -----------------------------------------------------------------------------

    def on_event(self, ev: Event) -> list[Event]:
        """Consume one event of the log; return the new events it caused."""
        if ev.ts > self._latest:
            self._latest = ev.ts
            self._forget_resolved_alerts()
        if not self._replaying:
            self._verify(ev.ts)  # recoveries verified before ev happened come first
        if ev.kind is EventKind.ALERT:
            self._on_alert(ev)
        elif ev.kind is EventKind.INCIDENT:
            self._apply(ev)
        elif ev.kind is EventKind.NOTE and ev.attrs.get("incident"):
            self._on_incident_note(ev)
        elif ev.kind in _CONTEXT:
            self._on_context(ev)
        self._forget_resolved()
        return self._drain()

    def tick(self, now_ms: int) -> list[Event]:
        """Verify recoveries: resolve incidents whose alerts stayed resolved for ``recovery_s``."""
        self._verify(now_ms)
        self._forget_resolved()
        return self._drain()

    # -- actions ---------------------------------------------------------------------------

    def acknowledge(self, incident_id: str, actor: str, comment: str, now_ms: int) -> list[Event]:
        """Someone takes the incident. The first acknowledgement sets ``acked_ms`` (MTTA)."""
        actor = _required(actor, "actor")
        self._get(incident_id)
        self._verify(now_ms)
        inc = self._get(incident_id, live=True)
        self._ack(inc, now_ms, actor, str(comment or ""))
        return self._drain()

    def set_owner(self, incident_id: str, owner: str, actor: str, now_ms: int) -> list[Event]:
        """Give the incident an owner (also after it is resolved, for the review)."""
        owner, actor = _required(owner, "owner"), _required(actor, "actor")
        self._get(incident_id)
        self._verify(now_ms)
        inc = self._get(incident_id)
        if owner != inc.owner:
            self._emit(inc, "owner_changed", now_ms, actor=actor, owner=owner)
        return self._drain()

    def add_note(self, incident_id: str, actor: str, text: str, now_ms: int,
                 titles: Mapping[str, str] | None = None) -> list[Event]:
        """A NOTE event with ``attrs["incident"]``, on the incident's timeline. ``titles``: the
        note in other languages (``{"zh_CN": …}``), for notes a script writes (a drill's commander)."""
        actor, text = _required(actor, "actor"), _required(text, "text")
        self._get(incident_id)
        self._verify(now_ms)
        inc = self._get(incident_id)
        attrs: dict[str, Any] = {"incident": inc.id, "actor": actor, "text": text}
        titles = clean_titles(titles)
        if titles:
            attrs["titles"] = titles
        note = Event(f"note:{inc.id}:{inc.seq + 1}", now_ms, EventKind.NOTE, inc.root, text.splitlines()[0],
                     Severity.INFO, attrs)
        self._on_incident_note(note)
        self._outbox.append(note)
        return self._drain()

    def add_action_item(self, incident_id: str, actor: str, text: str, owner: str, now_ms: int,
                        due: str = "") -> list[Event]:
        """An action item (``warroom.core.incident.action_items``): a note with an owner and a due date."""
        from warroom.core.incident.action_items import item_attrs  # a leaf module: no cycle, kept local

        self._get(incident_id)
        self._verify(now_ms)
        inc = self._get(incident_id)
        attrs = item_attrs(inc.id, actor, text, owner, due)
        note = Event(f"note:{inc.id}:{inc.seq + 1}", now_ms, EventKind.NOTE, inc.root,
                     attrs["text"].splitlines()[0], Severity.INFO, attrs)
        self._on_incident_note(note)
        self._outbox.append(note)
        return self._drain()

    # -- alerts ----------------------------------------------------------------------------

    def _on_alert(self, ev: Event) -> None:
        a = ev.attrs
        state = str(a.get("state", ""))
        if state not in _ALERT_STATES or a.get("external") is True:
            return  # (external: another system's alert as the feed sent it; the alert engine's event counts)
        fp = str(a.get("fingerprint") or f"{a.get('rule', '')}|{ev.subject}")
        node = _node_of(ev.subject, a.get("subject_kind"))
        # A scenario is never a root: with no root cause, a service alert names its own service.
        root = str(a.get("root_cause") or "") or (node if a.get("subject_kind") in ("service", "edge") else "")
        al = self._alerts.get(fp)
        root_changed = al is not None and al.root != root
        if al is None:
            al = self._alerts[fp] = _Alert(fp)
        elif al.state == "resolved" and state != "resolved":
            al.events = []  # a new episode of the same alert
        if root_changed or not al.events:
            self._root_seq += 1
            al.root_seq = self._root_seq
        al.subject, al.severity, al.state, al.root, al.node = ev.subject, ev.severity, state, root, node
        al.since_ms = int(a.get("since_ms") if a.get("since_ms") is not None else ev.ts)
        al.folded_under = str(a.get("folded_under") or "")
        al.silenced = bool(a.get("silenced"))
        al.resolved_ms = ev.ts if state == "resolved" else None
        others = a.get("root_causes")
        al.also = tuple(dict.fromkeys(str(r) for r in (others if isinstance(others, (list, tuple)) else ())
                                      if r and str(r) != root))
        al.events = [*al.events[-(_EVENTS_PER_ALERT - 1):], ev]
        ids = list(self._by_fp.get(fp) or ())
        for iid in ids:
            inc = self._incs[iid]
            inc.timeline.setdefault(ev.id, ev)
            self._cap_timeline(inc)
            self._grow(inc, _services(ev.subject))
        if not self._replaying:
            for iid in ids:
                if self._incs[iid].live:  # a merge on the way may have closed it
                    self._on_member(self._incs[iid], al, ev.ts, root_changed)
            if not ids and state in _ACTIVE:
                self._join_or_open(al, ev)
            if al.also and state in _ACTIVE:
                self._spread(al, ev)

    def _on_member(self, inc: _Inc, al: _Alert, ts: int, root_changed: bool) -> None:
        if _RANK[al.severity] < _RANK[inc.severity]:
            self._emit(inc, "escalated", ts, severity=al.severity.value, extra={"alert": al.fp})
        if root_changed:
            inc = self._reroot(inc, ts, al.fp)
        self._follow(inc, al, ts)

    def _reroot(self, inc: _Inc, ts: int, fp: str) -> _Inc:
        """Move the incident to a better-supported root, if one appeared (module docstring)."""
        better = self._better_root(inc)
        if better is None:
            return inc
        root, reason = better
        other = self._by_root.get(root)
        strays = [self._alerts[f] for f in self._strays(root, inc)]  # the new root's own, firing alone
        self._emit(inc, "root_cause_changed", ts, root_cause=root, scope="",
                   alerts=[*inc.alerts, *(s.fp for s in strays)],
                   started_ms=min([inc.started_ms, *(s.since_ms for s in strays)]),
                   severity=min([inc.severity, *(s.severity for s in strays)], key=_RANK.__getitem__).value,
                   extra={"alert": fp, "previous_root_cause": inc.root, "reason": reason})
        if other is not None and other != inc.id:
            inc = self._merge(inc, self._incs[other], ts)
        return inc

    def _better_root(self, inc: _Inc) -> tuple[str, str] | None:
        count: dict[str, tuple[int, int]] = {}
        explained = False  # the root's own alerts still alert but name another root
        for fp in inc.alerts:
            al = self._alerts.get(fp)
            if al is None or al.state == "resolved":
                continue
            if al.root:
                n, seq = count.get(al.root, (0, 0))
                count[al.root] = (n + 1, max(seq, al.root_seq))
            explained |= bool(inc.root and al.root) and al.node == inc.root and al.root != inc.root
        if not count or inc.root in count:
            return None
        root = max(count, key=count.__getitem__)
        if not inc.root:
            return root, "root_found"
        return (root, "root_explained") if explained else None

    def _strays(self, key: str, inc: _Inc | None = None) -> list[str]:
        """Firing alerts with this root that belong to no live incident (they join it)."""
        have = set(inc.alerts) if inc is not None else set()
        return [fp for fp, al in self._alerts.items()
                if al.state in _ACTIVE and al.key == key and not self._by_fp.get(fp) and fp not in have]

    def _join_or_open(self, al: _Alert, ev: Event) -> None:
        ts = ev.ts
        tid = self.incident_of(al.folded_under) if al.folded_under else None
        tid = tid or self._by_root.get(al.key)
        if tid is not None:
            inc = self._incs[tid]
            self._emit(inc, "alert_joined", ts, alerts=[*inc.alerts, al.fp], severity=_worst(inc.severity, al.severity),
                       started_ms=min(inc.started_ms, al.since_ms), extra={"alert": al.fp})
            self._follow(inc, al, ts)
            return
        if al.severity not in _PAGING or al.silenced:
            return
        strays = [self._alerts[fp] for fp in self._strays(al.key) if fp != al.fp]
        since = min([al.since_ms, *(s.since_ms for s in strays)])
        severity = min([al.severity, *(s.severity for s in strays)], key=_RANK.__getitem__)
        old = self._incs.get(self._resolved_by_root.get(al.key, ""))
        if (old is not None and old.verified_ms is not None and ts - old.verified_ms <= self._join_window
                and old.drill == _drill_of(ev)):  # drills kept apart: production never reopens a drill's
            self._emit(old, "reopened", ts, state="acknowledged" if old.acked_ms is not None else "open",
                       alerts=[*dict.fromkeys([*old.alerts, al.fp, *(s.fp for s in strays)])],
                       severity=_worst(old.severity, severity), mitigated_ms=None,
                       recovering_ms=None, resolved_ms=None, verified_ms=None, extra={"alert": al.fp})
            self._follow(old, al, ts)
            return
        new = _Inc(incident_id(ts, al.fp), drill=_drill_of(ev))
        self._emit(new, "opened", ts, title=ev.title, severity=severity.value, root_cause=al.root,
                   scope="" if al.root else al.subject, started_ms=min(since, ts), detected_ms=ts,
                   alerts=[al.fp, *(s.fp for s in strays)], extra={"alert": al.fp})
        self._follow(self._incs[new.id], al, ts)

    def _spread(self, al: _Alert, ev: Event) -> None:
        """An alert naming several roots (a scenario crossing two faults) joins the incident of
        each; a paging one opens the incident of a root that has none."""
        ts = ev.ts
        for root in al.also:
            tid = self._by_root.get(root)
            if tid is not None:
                inc = self._incs[tid]
                if al.fp not in inc.alerts:
                    self._emit(inc, "alert_joined", ts, alerts=[*inc.alerts, al.fp],
                               severity=_worst(inc.severity, al.severity),
                               started_ms=min(inc.started_ms, al.since_ms), extra={"alert": al.fp})
                    self._follow(inc, al, ts)
            elif al.severity in _PAGING and not al.silenced:
                strays = [self._alerts[fp] for fp in self._strays(root) if fp != al.fp]
                since = min([al.since_ms, *(s.since_ms for s in strays)])
                new = _Inc(incident_id(ts, f"{al.fp}@{root}"))
                self._emit(new, "opened", ts, title=ev.title, severity=al.severity.value, root_cause=root,
                           started_ms=min(since, ts), detected_ms=ts, alerts=[al.fp, *(s.fp for s in strays)],
                           extra={"alert": al.fp})
                self._follow(self._incs[new.id], al, ts)

    def _follow(self, inc: _Inc, al: _Alert, ts: int) -> None:
        """What an alert's state means for its incident: reopen, acknowledge, mitigate, recover."""
        paging = self._paging(inc)
        back = "acknowledged" if inc.acked_ms is not None else "open"
        if al.state in _ACTIVE and inc.state == "recovering":
            self._emit(inc, "reopened", ts, state=back if paging else "mitigated", recovering_ms=None,
                       mitigated_ms=None if paging else inc.mitigated_ms, extra={"alert": al.fp})
        elif paging and inc.state == "mitigated":
            self._emit(inc, "reopened", ts, state=back, mitigated_ms=None, extra={"alert": al.fp})
        if al.state == "acknowledged" and inc.acked_ms is None:
            last = al.events[-1].attrs
            self._ack(inc, ts, str(last.get("actor") or ""), str(last.get("comment") or ""))
        if inc.state in ("open", "acknowledged", "mitigated") and not paging:
            if self._quiet_since(inc) is not None:
                self._emit(inc, "recovering", ts, state="recovering", recovering_ms=ts,
                           mitigated_ms=ts if inc.mitigated_ms is None else inc.mitigated_ms)
            elif inc.state != "mitigated" and al.state != "pending":
                self._emit(inc, "mitigated", ts, state="mitigated", mitigated_ms=ts, extra={"alert": al.fp})

    def _paging(self, inc: _Inc) -> bool:
        """True while a P0/P1 alert of the incident fires: users still feel it."""
        for fp in inc.alerts:
            al = self._alerts.get(fp)
            if al is not None and al.state in _ACTIVE and al.severity in _PAGING:
                return True
        return False

    def _merge(self, a: _Inc, b: _Inc, ts: int) -> _Inc:
        keep, gone = sorted((a, b), key=lambda i: (i.detected_ms, i.id))
        self._emit(gone, "merged", ts, state="resolved", resolved_ms=ts, verified_ms=ts, merged_into=keep.id)
        acks = [t for t in (keep.acked_ms, gone.acked_ms) if t is not None]
        merged = _Inc(keep.id, alerts=[*dict.fromkeys([*keep.alerts, *gone.alerts])],
                      recovering_ms=max([t for t in (keep.recovering_ms, gone.recovering_ms) if t] or [ts]))
        quiet = self._quiet_since(merged) is not None
        paging = self._paging(merged)
        mitigated = [t for t in (keep.mitigated_ms, gone.mitigated_ms) if t is not None]
        self._emit(keep, "merged", ts, alerts=merged.alerts, severity=_worst(keep.severity, gone.severity).value,
                   started_ms=min(keep.started_ms, gone.started_ms),
                   detected_ms=min(keep.detected_ms, gone.detected_ms),
                   acked_ms=min(acks) if acks else None, owner=keep.owner or gone.owner,
                   state="recovering" if quiet else "acknowledged" if acks and paging else "open" if paging
                   else "mitigated",
                   mitigated_ms=None if paging else max(mitigated or [ts]),
                   recovering_ms=merged.recovering_ms if quiet else None, extra={"merged_from": gone.id})
        return keep

    def _quiet_since(self, inc: _Inc) -> int | None:
        """When the last of the incident's alerts resolved; None while any is not resolved."""
        last = inc.recovering_ms or 0
        for fp in inc.alerts:
            al = self._alerts.get(fp)  # unknown (e.g. a log cut short): counts as resolved
            if al is not None:
                if al.resolved_ms is None:
                    return None
                last = max(last, al.resolved_ms)
        return last

    def _verify(self, now: int) -> None:
        due = []
        for iid in set(self._by_root.values()):
            inc = self._incs[iid]
            quiet = self._quiet_since(inc) if inc.state == "recovering" else None
            if quiet is not None and quiet + self._recovery < now:
                due.append((quiet + self._recovery, iid, quiet))
        for at, iid, quiet in sorted(due):
            self._emit(self._incs[iid], "resolved", at, state="resolved", resolved_ms=quiet, verified_ms=at)

    def _ack(self, inc: _Inc, ts: int, actor: str, comment: str) -> None:
        self._emit(inc, "acknowledged", ts, actor=actor, comment=comment,
                   state="acknowledged" if inc.state == "open" else inc.state,
                   acked_ms=ts if inc.acked_ms is None else inc.acked_ms)

    # -- events ----------------------------------------------------------------------------

    def _emit(self, inc: _Inc, action: str, ts: int, *, actor: str = "", comment: str = "",
              extra: dict[str, Any] | None = None, **changes: Any) -> None:
        state = {**inc.fields(), **changes}
        if self.names is not None and state["state"] != "resolved":
            # Titled by root cause and impact, renewed as it evolves (a new root, a scenario joins).
            events = self._alert_events(inc, state["alerts"])
            names = self.names()
            state["title"] = headline(state["root_cause"], events, names, "en") or state["title"]
            state["titles"] = {lang: headline(state["root_cause"], events, names, lang) for lang in HEADLINE_LANGS}
        title, severity = state.pop("title"), state.pop("severity")
        attrs = {"incident": inc.id, "action": action, **state, "actor": actor, "comment": comment,
                 "seq": self._seq + 1, **(extra or {})}
        ev = Event(f"incident:{inc.id}:{inc.seq + 1}", int(ts), EventKind.INCIDENT, state["root_cause"], title,
                   severity, attrs)
        self._apply(ev)
        self._outbox.append(ev)

    def _alert_events(self, inc: _Inc, alerts: Iterable[str]) -> list[Event]:
        """The alert events an incident's title is made from: its timeline's and its alerts'."""
        events = [e for e in inc.timeline.values() if e.kind is EventKind.ALERT]
        for fp in alerts:
            al = self._alerts.get(fp)
            if al is not None:
                events += al.events
        return events

    def _apply(self, ev: Event) -> None:
        """Set an incident to the state an INCIDENT event records (idempotent by event id)."""
        a = ev.attrs
        iid = str(a.get("incident") or "")
        if not iid:
            return
        inc = self._incs.get(iid)
        if inc is None:
            inc = self._incs[iid] = _Inc(iid)
            for note in self._orphans.pop(iid, ()):
                inc.timeline[note.id] = note
                inc.seq = max(inc.seq, _seq_of(note.id, iid))
        if ev.id in inc.timeline:
            return
        n = _seq_of(ev.id, iid)
        inc.seq = max(inc.seq, n)
        self._seq = max(self._seq, int(a.get("seq") or 0))
        inc.timeline[ev.id] = ev
        # The newest state wins, in whatever order a stored log returns rows of the same ts.
        if n == 0 or n >= inc.applied:
            inc.applied = n
            self._set_state(inc, ev.attrs, ev.title, ev.severity)
        # Whichever of a merge's two events comes first, the survivor ends with both timelines.
        into, source = self._incs.get(inc.merged_into), self._incs.get(str(a.get("merged_from") or ""))
        for src, dst in ((inc, into), (source, inc)):
            if src is not None and dst is not None and src is not dst:
                dst.timeline.update({k: v for k, v in src.timeline.items() if k not in dst.timeline})
                dst.services |= src.services

    def _set_state(self, inc: _Inc, a: Any, title: str, severity: Severity) -> None:
        iid = inc.id
        if self._by_root.get(inc.key) == iid:
            del self._by_root[inc.key]
        if self._resolved_by_root.get(inc.key) == iid:
            del self._resolved_by_root[inc.key]
        before = set(inc.alerts) if inc.live else set()
        inc.title, inc.severity = title, severity
        inc.titles = clean_titles(a.get("titles"))
        inc.state, inc.root = str(a.get("state", inc.state)), str(a.get("root_cause", ""))
        inc.owner, inc.merged_into = str(a.get("owner") or ""), str(a.get("merged_into") or "")
        inc.scope = str(a.get("scope") or "")
        if isinstance(a.get("drill"), str) and a["drill"]:
            inc.drill = a["drill"]  # once a drill's, always (a log's events may come in any order)
        for t in _TIMES:
            setattr(inc, t, None if a.get(t) is None else int(a[t]))
        inc.started_ms, inc.detected_ms = inc.started_ms or 0, inc.detected_ms or 0
        inc.alerts = [str(fp) for fp in a.get("alerts") or ()]
        services = {inc.root} - {""}
        if inc.live:
            self._resolved.pop(iid, None)  # reopened
            self._by_root[inc.key] = iid
            for fp in inc.alerts:
                self._by_fp.setdefault(fp, {})[iid] = None
                al = self._alerts.get(fp)
                if fp not in before and al is not None:
                    inc.timeline.update({e.id: e for e in al.events if e.id not in inc.timeline})
                    services |= _services(al.subject)
        else:
            self._resolved.setdefault(iid, None)  # in the order they were resolved
            if not inc.merged_into:
                self._resolved_by_root[inc.key] = iid
            for fp in inc.alerts:
                ids = self._by_fp.get(fp)
                if ids is not None:
                    ids.pop(iid, None)
                    if not ids:
                        del self._by_fp[fp]
        self._grow(inc, services)

    def _on_incident_note(self, ev: Event) -> None:
        iid = str(ev.attrs["incident"])
        inc = self._incs.get(iid)
        if inc is None:  # a stored log may return it before the event that opened the incident
            self._orphans.setdefault(iid, []).append(ev)
            if len(self._orphans) > MAX_ORPHANS:
                del self._orphans[next(iter(self._orphans))]
            return
        inc.seq = max(inc.seq, _seq_of(ev.id, iid))
        inc.timeline.setdefault(ev.id, ev)
        if inc.merged_into and inc.merged_into in self._incs:
            self._incs[inc.merged_into].timeline.setdefault(ev.id, ev)

    def _on_context(self, ev: Event) -> None:
        self._context.append(ev)
        touched = _touched(ev)
        for inc in self._incs.values():
            if not inc.merged_into and touched & inc.services and self._in_window(inc, ev.ts):
                inc.timeline.setdefault(ev.id, ev)
                self._cap_timeline(inc)
        if len(self._context) % 64 == 0:
            self._prune_context()

    def _grow(self, inc: _Inc, services: set[str]) -> None:
        """Add services to an incident; pull in the recent context events that touch the new ones."""
        new = services - inc.services
        if not new or inc.merged_into:
            return
        inc.services |= new
        for ev in self._context:
            if _touched(ev) & new and self._in_window(inc, ev.ts):
                inc.timeline.setdefault(ev.id, ev)

    def _in_window(self, inc: _Inc, ts: int) -> bool:
        return inc.started_ms - self._lookback <= ts and (inc.verified_ms is None or ts <= inc.verified_ms)

    def _prune_context(self) -> None:
        # Keep what an incident that may still open or grow could reach back to.
        floor = min([self._latest, *(a.since_ms for a in self._alerts.values() if a.state != "resolved"),
                     *(self._incs[i].started_ms for i in self._by_root.values())]) - self._lookback
        while self._context and self._context[0].ts < floor:
            self._context.popleft()

    def _forget_resolved(self) -> None:
        """Forget the oldest resolved incidents beyond ``max_resolved`` (see the module docstring)."""
        if self._max_resolved is None:
            return
        while len(self._resolved) > self._max_resolved:
            iid = next(iter(self._resolved))
            inc = self._incs[iid]
            if self._resolved_by_root.get(inc.key) == iid and (
                    inc.verified_ms is None or self._latest - inc.verified_ms <= self._join_window):
                break  # it may still reopen; those resolved after it are newer still
            del self._resolved[iid], self._incs[iid]
            if self._resolved_by_root.get(inc.key) == iid:
                del self._resolved_by_root[inc.key]

    def _cap_timeline(self, inc: _Inc) -> None:
        """Keep a timeline within ``max_timeline``: drop its oldest alert and change events."""
        cap = self._max_timeline
        if cap is None or len(inc.timeline) <= cap:
            return
        # Down to 90 % of the cap, so the scan runs once per tenth of it, not on every event.
        excess = len(inc.timeline) - cap * 9 // 10
        old = [k for k, e in sorted(inc.timeline.items(), key=lambda kv: kv[1].ts)
               if e.kind not in (EventKind.INCIDENT, EventKind.NOTE)][:excess]
        for k in old:
            del inc.timeline[k]

    def _forget_resolved_alerts(self) -> None:
        # Kept until time moves on: an incident event of the same ms may still claim them.
        for fp in [fp for fp, al in self._alerts.items() if al.state == "resolved" and fp not in self._by_fp]:
            del self._alerts[fp]

    def _get(self, incident_id: str, *, live: bool = False) -> _Inc:
        inc = self._incs.get(incident_id)
        if inc is None:
            raise ValueError(f"unknown incident {incident_id!r}")
        if inc.merged_into:
            raise ValueError(f"incident {incident_id} was merged into {inc.merged_into}")
        if live and not inc.live:
            raise ValueError(f"incident {incident_id} is already resolved")
        return inc

    def _drain(self) -> list[Event]:
        out, self._outbox = self._outbox, []
        return out


def _node_of(subject: str, kind: Any) -> str:
    """The service an alert is about: its subject, an edge's callee, "" for a scenario."""
    if kind == "edge" or (kind is None and "->" in subject):
        return subject.partition("->")[2]
    return subject if kind in ("service", None) else ""


def _services(subject: str) -> set[str]:
    return {subject, *subject.split("->")} if "->" in subject else {subject}


def _touched(ev: Event) -> set[str]:
    """The services a deploy, change, plan execution or note is about."""
    names = set() if ev.kind is EventKind.PLAN_EXECUTION else _services(ev.subject)
    targets = ev.attrs.get("targets")
    for t in [*(targets if isinstance(targets, (list, tuple)) else ()), ev.attrs.get("target")]:
        if isinstance(t, str) and t:
            names |= _services(t)
    return names


def _worst(a: Severity, b: Severity) -> Severity:
    return a if _RANK[a] <= _RANK[b] else b


def _required(value: str, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value.strip()


def _seq_of(event_id: str, iid: str) -> int:
    m = re.fullmatch(rf"(?:incident|note):{re.escape(iid)}:(\d+)", event_id)
    return int(m.group(1)) if m else 0


def _replay_order(ev: Event) -> tuple:
    if ev.kind is EventKind.INCIDENT:
        return (ev.ts, 1, int(ev.attrs.get("seq") or 0), _natural(ev.id))
    if ev.kind is EventKind.ALERT and ev.attrs.get("state") in _ALERT_STATES:
        # One alert's transitions within one ms (a rule with no "for") go forward in its lifecycle.
        return (ev.ts, 0, _ALERT_STATES.index(ev.attrs["state"]), ())
    return (ev.ts, 0, 0, ())


def _natural(text: str) -> tuple:
    parts = re.split(r"(\d+)", text)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


# -- titles: root cause and impact -------------------------------------------------------------
#: Languages an incident is titled in besides the default (English) title.
HEADLINE_LANGS = ("zh_CN",)
#: What the root cause's own alerts say it is, by the metric they watch (most telling first).
_CONDITIONS = ("service_error_ratio", "edge_error_ratio", "service_latency_seconds", "service_saturation_ratio",
               "service_requests_rate")
_WORDS = {
    "en": {"service_error_ratio": " down", "edge_error_ratio": " failing", "service_latency_seconds": " slow",
           "service_saturation_ratio": " overloaded", "service_requests_rate": " traffic surge",
           "": " degraded", "scenario": " failing", "tps": " TPS"},
    "zh_CN": {"service_error_ratio": "故障", "edge_error_ratio": "调用失败", "service_latency_seconds": "响应慢",
              "service_saturation_ratio": "过载", "service_requests_rate": "流量激增",
              "": "异常", "scenario": "交易失败", "tps": " TPS"},
}
_SEPARATOR = " — "


def headline(root: str, alert_events: Iterable[Event], names: Names, lang: str = "en") -> str:
    """An incident's title from its root cause and its worst-hit scenario, e.g.
    "ICBC gateway down — QR-code payment 64.8 %" ("工商银行网关故障 — 扫码支付 64.8 %").

    The root cause is named as people name it, with what its own alerts say (down, slow,
    overloaded…); the impact is the scenario whose success rate fell lowest in the alerts'
    values (else the lowest successful TPS). ``""`` when there is no root cause to name.
    """
    if not root:
        return ""
    words = _WORDS.get(lang) or _WORDS.get(lang.split("_")[0]) or _WORDS["en"]
    metrics: dict[str, str] = {}  # subject -> the most telling metric its alerts watch
    worst: dict[str, tuple[float, str]] = {}  # scenario -> (lowest value, metric)
    for ev in alert_events:
        name = _metric(ev.attrs.get("series"))
        value = ev.attrs.get("value")
        if name in _CONDITIONS:
            before = metrics.get(ev.subject)
            if before is None or _CONDITIONS.index(name) < _CONDITIONS.index(before):
                metrics[ev.subject] = name
        elif name in ("scenario_success_ratio", "scenario_tps") and isinstance(value, (int, float)):
            if value == value and (ev.subject not in worst or _worse((float(value), name), worst[ev.subject])):
                worst[ev.subject] = (float(value), name)
    if "->" in root:
        condition = metrics.get(root) or metrics.get(root.split("->")[1], "")
        who = names.display("edge", root, lang)
    elif names.knows("scenario", root) and not names.knows("service", root):
        condition, who = "scenario", names.display("scenario", root, lang)
    else:
        condition, who = metrics.get(root, ""), names.display("service", root, lang)
        if not condition and any(m == "edge_error_ratio" and subject.endswith("->" + root)
                                 for subject, m in metrics.items()):
            condition = "service_error_ratio"  # its callers' calls to it fail: it is down
    title = who + words[condition]
    if worst:
        scenario, (value, metric) = min(worst.items(), key=lambda kv: _rank(kv[1]))
        figure = f"{value * 100:.1f} %" if metric == "scenario_success_ratio" else f"{value:,.0f}{words['tps']}"
        if scenario == root and condition == "scenario":
            return f"{title}{_SEPARATOR}{figure}"
        return f"{title}{_SEPARATOR}{names.display('scenario', scenario, lang)} {figure}"
    return title


def _metric(series: Any) -> str:
    if not isinstance(series, str):
        return ""
    try:
        return SeriesKey.parse(series).name
    except ValueError:
        return ""


def _rank(entry: tuple[float, str]) -> tuple[int, float]:
    # Success rates first (the figure people read on the wall), lowest first.
    value, metric = entry
    return (0 if metric == "scenario_success_ratio" else 1, value)


def _worse(a: tuple[float, str], b: tuple[float, str]) -> bool:
    return _rank(a) < _rank(b)
