"""Offline replay: a recorded history played into a ``LiveView`` so the console's panels show
the state at a cursor, through the same code as live.

``ReplaySession`` owns the cursor. Moving it (``seek``) refills the view from the store:
forward in small steps it appends only the points and events since the last position, as
a feed would; a jump elsewhere clears the view and loads the window the panels draw. The
alert, incident and plan panels read ``view.alerting`` and ``view.plan_desk`` as they do
live; here those are ``ReplayWatch`` and ``ReplayDesk``, which rebuild the state at the
cursor from the event log (what the room saw then, not what today's rules would say) and
refuse every action except a review note.

Nothing here touches Qt or the wall clock: the UI's time bar calls ``advance(wall_s)``
while playing and ``seek`` when scrubbed.
"""

from __future__ import annotations

import bisect
import copy
import getpass
import logging
from pathlib import Path
from typing import Any, Callable, Iterable

from warroom.core.alerting.alert_log import AlertLog, log_order
from warroom.core.alerting.alerts import Alert
from warroom.core.plan.impact import Impact
from warroom.core.incident.incidents import Incident, IncidentBook
from warroom.core.model import Event, EventKind, Severity
from warroom.core.plan.plan_runs import PlanBook, PlanRun
from warroom.core.plan.plans import Plan
from warroom.core.alerting.silences import Silence
from warroom.app.plan_desk import DeskReading
from warroom.app.replay_marks import MARKER_KINDS, Marker, incident_spans, markers_of
from warroom.protocol.parse import parse_topology
from warroom.store.live import LiveView
from warroom.store.query import HistoryReader

log = logging.getLogger(__name__)

#: Speeds the time bar offers (feed time per wall time).
SPEEDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
#: How much history a jump loads behind the cursor by default: the widest standard chart.
DEFAULT_SPAN_MS = 15 * 60_000
#: A forward move up to this far appends; farther, the view is reloaded (cheaper then).
APPEND_LIMIT_MS = 5 * 60_000
#: Events between two copies of the alert/incident/plan state kept for jumping back.
CHECKPOINT_EVERY = 200
_FAR_FUTURE_MS = 4_102_444_800_000  # 2100: "every event"


class ReplayReadOnly(ValueError):
    """An action a replay cannot take (it shows the past; only notes may be added)."""


class ReplayWatch:
    """Alerts, incidents and silences at the cursor, read like ``AlertWatch`` by the panels."""

    read_only = True
    rules_error = ""

    def __init__(self, user: str = "", note: Callable[[str, str, str], list[Event]] | None = None) -> None:
        self.user = user
        self.version = 0
        self.alert_log = AlertLog()
        self.book = IncidentBook()
        self._incidents: list[Incident] | None = None
        self._now_ms: int | None = None
        self._note = note

    @property
    def now_ms(self) -> int | None:
        """The cursor."""
        return self._now_ms

    @property
    def can_note(self) -> bool:
        """Whether review notes can be stored (the file is open for writing)."""
        return self._note is not None

    # -- reading, as AlertWatch ------------------------------------------------------------
    def alerts(self) -> list[Alert]:
        """Alerts active at the cursor, roots first."""
        return self.alert_log.alerts()

    def incidents(self) -> list[Incident]:
        """Incidents known at the cursor, newest first (kept until the log moves: several panels
        ask every frame while playing, and building them costs milliseconds)."""
        if self._incidents is None:
            self._incidents = sorted(self.book.incidents(), key=lambda i: i.detected_ms or 0, reverse=True)
        return self._incidents

    def silences(self) -> list[Silence]:
        """Silences in force or scheduled at the cursor."""
        return self.alert_log.silences(self._now_ms)

    # -- actions: only notes -------------------------------------------------------------
    def add_note(self, incident_id: str, actor: str, text: str, now_ms: int | None = None) -> list[Event]:
        """A review note on an incident, at the cursor; stored with the history when it can be."""
        if self._note is None:
            raise ReplayReadOnly("this replay cannot store notes")
        return self._note(incident_id, actor, text)

    def acknowledge_alert(self, *args: Any, **kw: Any) -> list[Event]:
        raise ReplayReadOnly("a replay shows the past: alerts cannot be acknowledged")

    acknowledge_incident = acknowledge_alert

    def silence(self, *args: Any, **kw: Any) -> list[Event]:
        raise ReplayReadOnly("a replay shows the past: nothing can be silenced")

    unsilence = silence

    def set_owner(self, *args: Any, **kw: Any) -> list[Event]:
        raise ReplayReadOnly("a replay shows the past: owners are as they were")

    def reload_rules(self) -> list[Event]:
        raise ReplayReadOnly("a replay shows the alerts as they fired; rules are not re-run")

    # -- the session's side --------------------------------------------------------------
    def _state(self) -> tuple[AlertLog, IncidentBook]:
        return self.alert_log, self.book

    def _restore(self, state: tuple[AlertLog, IncidentBook] | None) -> None:
        self.alert_log, self.book = state if state is not None else (AlertLog(), IncidentBook())
        self._incidents = None

    def _apply(self, events: list[Event], now_ms: int) -> None:
        if events:
            for ev in events:
                self.alert_log.apply(ev)
            self.book.apply_logged(events)
            self._incidents = None
        self._now_ms = now_ms
        self.version += 1


class ReplayDesk(DeskReading):
    """The plans panel's source in a replay: the catalogue and runs at the cursor, nothing runnable."""

    may_execute = False
    lock_reason = "replay"
    last_error = ""

    def __init__(self, view: LiveView) -> None:
        self.view = view
        self.book = PlanBook()
        self.version = 0

    def record_preview(self, plan_id: str, actor: str, impact: Impact) -> list[Event]:
        """Previews in a replay are not audit events: nothing was decided."""
        return []

    async def execute(self, *args: Any, **kw: Any) -> PlanRun:
        raise ReplayReadOnly("a replay shows the past: plans cannot be executed")

    async def rollback(self, *args: Any, **kw: Any) -> PlanRun:
        raise ReplayReadOnly("a replay shows the past: plans cannot be rolled back")

    def _restore(self, book: PlanBook | None) -> None:
        self.book = book if book is not None else PlanBook()
        self.version += 1

    def _apply(self, events: list[Event]) -> None:
        self.book.apply_logged(events)
        self.version += 1


class ReplaySession:
    """Plays the history behind ``reader`` into ``view``; see the module docstring.

    ``record`` (optional) stores review notes (e.g. a ``StoreWriter.append_events``);
    without it the replay is strictly read-only. ``span_ms`` is how much history a jump
    loads behind the cursor (the widest chart window of the layout).
    """

    def __init__(self, reader: HistoryReader, view: LiveView, *, source: str = "", user: str = "",
                 record: Callable[[list[Event]], None] | None = None, span_ms: int = DEFAULT_SPAN_MS,
                 path: Path | None = None) -> None:
        self.reader = reader
        self.view = view
        self.source = source or (path.name if path is not None else "")
        self.path = path  # the file, when there is one (exports name it)
        self.span_ms = int(span_ms)
        self._record = record
        bounds = reader.time_range()
        self._events: list[Event] = sorted(reader.events(0, _FAR_FUTURE_MS), key=lambda e: (*log_order(e), e.id))
        self._event_ts = [e.ts for e in self._events]
        if self._events:  # the console's own steps can be stamped a moment after the last point
            bounds = (self._events[0].ts, self._events[-1].ts) if bounds is None else (
                bounds[0], max(bounds[1], self._events[-1].ts))
        if bounds is None:
            raise ValueError(f"{source or 'the history'} holds no data to replay")
        self.start_ms, self.end_ms = bounds
        self.markers = markers_of(self._events)
        self.incident_spans = incident_spans(self._events, self.end_ms)
        # The protocol error totals each recording wrote (recorder: feed events "errors").
        self._error_totals = [e for e in self._events
                              if e.kind is EventKind.FEED and isinstance(e.attrs.get("errors"), dict)]
        self._error_ts = [e.ts for e in self._error_totals]
        self._errors_at: tuple[int, dict[str, int]] = (0, {})  # (events taken, their sum): seek is hot
        self._topologies = reader.snapshots("topology_snapshots")
        self._catalogues = reader.snapshots("plan_catalogues")
        try:
            user = user or getpass.getuser()
        except Exception:  # no login name (containers): notes then ask for one
            pass
        self.watch = ReplayWatch(user, note=self._add_note if record is not None else None)
        self.desk = ReplayDesk(view)
        view.alerting = self.watch
        view.plan_desk = self.desk
        self.speed = 10.0
        self.playing = False
        self._cursor: int | None = None
        self._loaded_to: int | None = None  # points and events up to here (inclusive) are in the view
        self._applied = 0  # the alert, incident and plan state includes self._events[:_applied]
        self._checkpoints: list[tuple[int, Any]] = []  # (_applied, a copy of that state), ascending
        self._topology_ts: int | None = None
        self._catalogue_ts: int | None = None
        self.seek(self.start_ms)

    # -- the cursor ----------------------------------------------------------------------
    @property
    def cursor_ms(self) -> int:
        """Where the replay stands (feed time, epoch ms)."""
        assert self._cursor is not None
        return self._cursor

    @property
    def notes_allowed(self) -> bool:
        """Whether review notes can be stored with this history."""
        return self._record is not None

    def seek(self, ms: int) -> int:
        """Show the state at ``ms`` (clamped to the history); returns the cursor."""
        ms = int(min(max(ms, self.start_ms), self.end_ms))
        if ms == self._cursor:
            return ms
        loaded = self._loaded_to
        self._loaded_to = None  # until this load completes: one that fails forces a full reload next
        if loaded is not None and loaded <= ms <= loaded + APPEND_LIMIT_MS:
            self._append(loaded + 1, ms)
        else:
            self._reload(ms)
        self._loaded_to = ms
        self._cursor = ms
        self._sync_snapshots(ms)
        self.view.set_cursor(ms)
        self.view.set_feed("replay", self.source, self.source, now_ms=ms, speed=self.speed,
                           errors=self.protocol_errors_at(ms))
        return ms

    def step(self, delta_ms: int) -> int:
        """Move the cursor by ``delta_ms`` (negative: back)."""
        return self.seek(self.cursor_ms + int(delta_ms))

    def advance(self, wall_s: float) -> int:
        """Playing: move on by ``wall_s`` seconds of wall time at ``speed``; stops at the end."""
        if not self.playing:
            return self.cursor_ms
        ms = self.seek(self.cursor_ms + int(round(wall_s * self.speed * 1000)))
        if ms >= self.end_ms:
            self.playing = False
        return ms

    def next_marker(self, kinds: Iterable[str] | None = None) -> Marker | None:
        """The first marker after the cursor (of these kinds), or None."""
        wanted = set(kinds or MARKER_KINDS)
        return next((m for m in self.markers if m.ts > self.cursor_ms and m.kind in wanted), None)

    def previous_marker(self, kinds: Iterable[str] | None = None) -> Marker | None:
        """The last marker before the cursor (of these kinds), or None."""
        wanted = set(kinds or MARKER_KINDS)
        return next((m for m in reversed(self.markers) if m.ts < self.cursor_ms and m.kind in wanted), None)

    def protocol_errors_at(self, ms: int) -> dict[str, int]:
        """The protocol errors counted up to ``ms``: the latest totals each recording client
        wrote at or before it, summed over the clients (a file may hold several recordings)."""
        upto = bisect.bisect_right(self._error_ts, ms)
        if upto == self._errors_at[0]:
            return self._errors_at[1]
        latest: dict[str, dict] = {}
        for e in self._error_totals[:upto]:
            latest[str(e.attrs.get("client", ""))] = e.attrs["errors"]
        totals: dict[str, int] = {}
        for errors in latest.values():
            for code, n in errors.items():
                if isinstance(n, int) and not isinstance(n, bool):
                    totals[str(code)] = totals.get(str(code), 0) + n
        self._errors_at = (upto, dict(sorted(totals.items())))
        return self._errors_at[1]

    def events(self) -> list[Event]:
        """The whole event log of the history (review notes added here included), oldest first."""
        return list(self._events)

    def incident_at_cursor(self) -> str | None:
        """The incident the room was dealing with at the cursor: the live one (the most severe,
        then the oldest), else the latest one before; None before the first."""
        incidents = self.watch.incidents()
        live = sorted((i for i in incidents if i.live), key=lambda i: (i.severity.value, i.detected_ms or 0))
        return live[0].id if live else incidents[0].id if incidents else None

    # -- loading -------------------------------------------------------------------------
    def _reload(self, ms: int) -> None:
        view = self.view
        view.clear()
        start = max(self.start_ms, ms - self.span_ms)
        view.add_batch(self.reader.batch(start, ms + 1))
        upto = bisect.bisect_right(self._event_ts, ms)
        view.add_events(self._events[max(0, upto - view.max_events):upto])
        self._state_to(ms)

    def _append(self, start: int, ms: int) -> None:
        self.view.add_batch(self.reader.batch(start, ms + 1))
        lo = bisect.bisect_left(self._event_ts, start)
        hi = bisect.bisect_right(self._event_ts, ms)
        if hi > lo:
            self.view.add_events(self._events[lo:hi])
        self._state_to(ms)

    def _state_to(self, ms: int) -> None:
        """Bring the alert, incident and plan state to ``ms``: forward by applying the events
        since, backward from the nearest checkpoint before (never the whole log again), so a
        jump costs the same in the first hour of a long history as in the last."""
        target = bisect.bisect_right(self._event_ts, ms)  # a whole timestamp at a time, always
        if target < self._applied:
            at, state = next(((i, s) for i, s in reversed(self._checkpoints) if i <= target), (0, None))
            watch_state, desk_book = copy.deepcopy(state) if state is not None else (None, None)
            self.watch._restore(watch_state)
            self.desk._restore(desk_book)
            self._applied = at
        fresh = self._events[self._applied:target]
        if fresh:
            self.desk._apply(fresh)
        self.watch._apply(fresh, ms)  # its clock moves even without events (alert ages)
        self._applied = target
        last = self._checkpoints[-1][0] if self._checkpoints else 0
        if target - last >= CHECKPOINT_EVERY:
            self._checkpoints.append((target, copy.deepcopy((self.watch._state(), self.desk.book))))

    def _sync_snapshots(self, ms: int) -> None:
        view = self.view
        topo = _at(self._topologies, ms)
        if topo is not None and topo[0] != self._topology_ts:
            snap, errors = parse_topology(topo[1], topo[0], _FAR_FUTURE_MS)
            if errors:
                log.warning("topology snapshot at %d: %s", topo[0], errors)
            view.topology, view.topology_ts = snap.topology, snap.ts
            self._topology_ts = topo[0]
            view.version += 1
        cat = _at(self._catalogues, ms)
        cat_ts = None if cat is None else cat[0]
        if cat_ts != self._catalogue_ts:
            plans, active = (), ()
            if cat is not None:
                plans = tuple(_plans(cat[1].get("plans", ())))
                active = tuple(str(a) for a in cat[1].get("active", ()))
            view.plans, view.active_plans = plans, active
            self._catalogue_ts = cat_ts
            self.desk.version += 1
            view.version += 1

    # -- notes ---------------------------------------------------------------------------
    def _add_note(self, incident_id: str, actor: str, text: str) -> list[Event]:
        actor, text = actor.strip(), text.strip()
        if not actor or not text:
            raise ValueError("a note needs who and what")
        self.watch.book.incident(incident_id)  # ValueError for an incident not known at the cursor
        ts = self.cursor_ms
        n = sum(1 for e in self._events if e.kind is EventKind.NOTE and e.attrs.get("review"))
        ev = Event(f"review-note-{incident_id}-{ts}-{n + 1}", ts, EventKind.NOTE, incident_id, text, Severity.INFO,
                   {"incident": incident_id, "actor": actor, "review": True})
        assert self._record is not None
        self._record([ev])  # the store first: a note that could not be kept must not look kept
        i = bisect.bisect_right(self._event_ts, ts)
        self._events.insert(i, ev)
        self._event_ts.insert(i, ts)
        # Copies of the state from after the note's place lack it: forget them.
        self._checkpoints = [(n, s) for n, s in self._checkpoints if n <= i]
        if self._applied >= i:  # the cursor is at the note's time: it is part of what is shown
            self.watch._apply([ev], ts)
            self._applied += 1
        self.markers = markers_of(self._events)
        self.view.add_events([ev])
        return [ev]


def _at(snapshots: list[tuple[int, dict[str, Any]]], ms: int) -> tuple[int, dict[str, Any]] | None:
    """The newest ``(ts, snapshot)`` at or before ``ms``; before the first one, the first one
    (a history starts with its topology; showing it beats an empty map)."""
    if not snapshots:
        return None
    i = bisect.bisect_right(snapshots, ms, key=lambda s: s[0]) - 1
    return snapshots[max(i, 0)]


def _plans(dicts: Iterable[Any]) -> Iterable[Plan]:
    for d in dicts:
        try:
            yield Plan.from_dict(d)
        except (TypeError, ValueError, KeyError) as exc:
            log.warning("skipping a stored plan that no longer parses: %s", exc)
