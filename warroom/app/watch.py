"""Alerts and incidents over a live feed: the glue between the feed and the core engines.

``AlertWatch`` takes what the feed brings (metric batches, events, topology) and returns
the events the alert engine and the incident book derive from it, for the caller to
append to the event log (the recorder does: the store, then the live view). It evaluates
once per second of *feed* time, so an accelerated simulator and an offline replay give the
same alerts as a real-time feed. Notifications are handed to an optional notifier that
never blocks.

Actions (acknowledge, silence, note, owner) also return events: everything the room does
goes into the same append-only log.

An open incident nobody acknowledged within its severity's response target escalates once per
tier (``warroom.core.incident.escalation``): an ``escalation`` event in the log, handed to the
notifier, which sends it to the escalation channels (``warroom.io.notify.escalation``).

Memory stays bounded however long it runs: the default book keeps the live incidents and
the newest ``LIVE_MAX_RESOLVED`` resolved ones, each timeline at most ``LIVE_MAX_TIMELINE``
events (``warroom.core.incident.incidents``); older ones are in the history file.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Iterable, Mapping

from warroom.core.alerting.alerts import Alert, AlertEngine, amends_root
from warroom.core.alerting.external import ExternalAlerts, is_feed_alert
from warroom.core.incident.drills import DrillMarker
from warroom.core.incident.escalation import Escalator, ResponsePolicy
from warroom.core.incident.incidents import LIVE_MAX_RESOLVED, LIVE_MAX_TIMELINE, Incident, IncidentBook
from warroom.core.model import Event, EventKind, Severity
from pathlib import Path

from warroom.core.alerting.rules import RuleError, default_rules_path, load_rules_file
from warroom.core.alerting.silences import Silence
from warroom.core.funnel.conversion import FunnelTracker
from warroom.core.graph.topology import Topology
from warroom.core.graph.topology_log import TopologyLog
from warroom.protocol.context import is_context
from warroom.protocol.messages import MetricBatch, TopologySnapshot

log = logging.getLogger(__name__)

#: Evaluate at most this often in feed time.
EVAL_INTERVAL_MS = 1000
#: From this many services on, a new graph's reachability is computed off the event loop.
BIG_TOPOLOGY = 200
#: Incidents whose escalation events are kept for the incidents panel (the log keeps them all).
MAX_ESCALATED = 1000


class AlertWatch:
    """Runs an ``AlertEngine`` and an ``IncidentBook`` over a feed (see the module docstring)."""

    def __init__(
        self,
        engine: AlertEngine,
        book: IncidentBook | None = None,
        *,
        notify: Callable[[Event], None] | None = None,
        rules_path: Path | None = None,
    ) -> None:
        self.engine = engine
        # A live book is bounded (module docstring); pass a book of your own to keep everything.
        self.book = book if book is not None else IncidentBook(max_resolved=LIVE_MAX_RESOLVED,
                                                               max_timeline=LIVE_MAX_TIMELINE)
        if self.book.names is None:  # incidents titled by root cause and impact, in the feed's names
            self.book.names = lambda: self.engine.names
        self.notify = notify
        self.rules_path = rules_path
        self.rules_error = ""  # the last rule file problem, shown until a good file loads
        self._next_eval_ms: int | None = None
        self._now_ms: int | None = None
        self.evaluations = 0
        #: Where actions' events go (the session's recorder: store, then live view).
        self.record: Callable[[list[Event]], None] | None = None
        #: Bumped whenever alerts, incidents or silences may have changed (panels redraw on it).
        self.version = 0
        self.user = ""  # who acts from this console, for actions that name no actor
        #: Turns the feed's topology snapshots into bounded "topology changed" events.
        self.topology_log = TopologyLog()
        self._topology: Topology | None = None  # the feed's graph, as last sent
        #: Alerts the feed brings from another system (Alertmanager), made the engine's own.
        self.external = ExternalAlerts()
        self._pending_topology: Topology | None = None  # the graph the engine uses (or will)
        #: Response targets and what already escalated. It lives as long as the watch: a rules
        #: reload or new targets (``set_response_policy``) never page the same tier twice.
        self.escalator = Escalator()
        self._escalations: dict[str, list[Event]] = {}  # incident id -> its escalation events
        #: What runs during a drill window carries its mark (``warroom.core.incident.drills``).
        self.drills = DrillMarker()
        #: Derives each funnel step's conversion from the step series, for the alert engine
        #: (``warroom.core.funnel``): a drop against its usual alerts, rooted in the step's services.
        self.funnel = FunnelTracker()
        self._funnel_graph: Topology | None = None  # the engine's graph the tracker was given

    @classmethod
    def from_rules_file(cls, path: Path | None = None, **kw) -> "AlertWatch":
        """A watch on the rules in ``path`` (default: the shipped rules). A broken user file is
        reported in ``rules_error`` and the shipped rules are used instead: a console must
        never start blind because of a typo."""
        error = ""
        try:
            rules = load_rules_file(path or default_rules_path())
        except RuleError as e:
            if path is None:
                raise
            error = f"{e} (using the default rules)"
            rules = load_rules_file(default_rules_path())
        watch = cls(AlertEngine(rules), rules_path=path, **kw)
        watch.rules_error = error
        return watch

    def reload_rules(self) -> list[Event]:
        """Read the rule file again. On error the rules in force stay and ``rules_error`` says why
        (returned events are empty); on success alerts of rules that stayed keep their state."""
        try:
            rules = load_rules_file(self.rules_path or default_rules_path())
        except RuleError as e:
            self.rules_error = str(e)
            self.version += 1
            return []
        self.rules_error = ""
        return self._done(self.engine.load(rules, self._now_ms or 0))

    # -- feed input ----------------------------------------------------------------------
    def on_topology(self, snapshot: TopologySnapshot | Topology) -> list[Event]:
        """Use the feed's call graph for root causes and health thresholds. Returns the event
        log's summary of what changed, if one is due (``TopologyLog``), for the caller to record.

        A feed re-sends its graph often; the same content again costs one comparison (a few
        ms for 1,000 services): the engine's reachability tables are rebuilt only on a change.
        On an event loop, a big graph's reachability is computed on the loop's executor first
        (``Topology.warm``) and the engine takes the graph when that is done, a few tens of ms
        later; until then it keeps the previous one.
        """
        if isinstance(snapshot, TopologySnapshot):
            topology, ts = snapshot.topology, snapshot.ts
        else:  # a bare graph (drills) has no time of its own: the last evaluation's
            topology, ts = snapshot, self._now_ms or 0
        if self._topology is None or not topology.same_content(self._topology):
            self._use_topology(topology)
        self._topology = topology
        return self.topology_log.observe(topology, ts)

    def _use_topology(self, topology: Topology) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._pending_topology = topology  # a graph still being read is overtaken
        if loop is None or len(topology) < BIG_TOPOLOGY:
            self.engine.set_topology(topology)
            return

        def adopt(done: asyncio.Future) -> None:  # on the loop: asyncio calls back there
            if done.cancelled():
                return
            if done.exception() is not None:
                log.error("reading the call graph failed", exc_info=done.exception())
            if topology is self._pending_topology:  # not overtaken by another graph meanwhile
                self.engine.set_topology(topology)

        loop.run_in_executor(None, topology.warm).add_done_callback(adopt)

    def on_batch(self, batch: MetricBatch) -> list[Event]:
        """Observe a batch; evaluate if feed time moved on by a second. Returns new events."""
        if not len(batch):
            return []
        series = batch.series
        ts = batch.ts
        self.engine.observe_points([series[i] for i in batch.index.tolist()], ts.tolist(), batch.values.tolist())
        if self.engine.topology is not self._funnel_graph:  # the graph the engine adopted
            self._funnel_graph = self.engine.topology
            self.funnel.set_topology(self._funnel_graph.scenarios if self._funnel_graph is not None else ())
        if self.funnel.active:  # nothing to do for a feed without funnels
            keys, stamps, values = self.funnel.observe(series, batch.index, ts, batch.values)
            if keys:
                self.engine.observe_points(keys, stamps, values)
        newest = batch.newest_ts
        if self._next_eval_ms is None or newest >= self._next_eval_ms:
            self._next_eval_ms = newest - newest % EVAL_INTERVAL_MS + EVAL_INTERVAL_MS
            # A folded topology summary is written when its interval is over, even if the
            # graph has stopped changing (no snapshot will come to carry it).
            return self.evaluate(newest) + self.topology_log.due(newest)
        return []

    def on_events(self, events: Iterable[Event]) -> list[Event]:
        """Show the engines the feed's own events (deploys, plan executions...). An alert from
        another system (``is_feed_alert``) becomes the engine's, and goes on as its own do."""
        out: list[Event] = []
        for ev in events:
            self.drills.observe(ev)  # drill windows opening and closing, the feed's marked events
            if is_feed_alert(ev):
                out += self._external(ev)
                continue
            if ev.kind is EventKind.ESCALATION:  # another console's (or a restored log's) word
                self._escalated([ev])
                continue
            self.engine.note_event(ev)
            if ev.kind not in (EventKind.ALERT, EventKind.INCIDENT):
                out += self.book.on_event(ev)
                if is_context(ev):
                    self.version += 1  # new log lines for the alerts and timelines (protocol 1.5)
        return self.drills.mark(out)

    def _external(self, ev: Event) -> list[Event]:
        # At the feed time of the last evaluation: a timestamp from another clock must not move
        # the incident book's time (a year-2100 startsAt would verify every recovery at once).
        now = self._now_ms if self._now_ms is not None else ev.ts
        services = {s.name for s in self._topology.services} if self._topology is not None else None
        out: list[Event] = []
        for t in self.drills.mark(self.external.apply(self.engine, ev, now, services)):
            out.append(t)
            out += self.book.on_event(t)
        out = self.drills.mark(out)
        if out:
            self.version += 1
        self._notify(out)
        return out

    def evaluate(self, now_ms: int) -> list[Event]:
        """One evaluation: alert transitions, then what they do to incidents."""
        self.evaluations += 1
        self._now_ms = now_ms
        out: list[Event] = []
        # Marked before the book sees them: an incident a drill alert opens is the drill's.
        for ev in self.drills.mark(self.engine.evaluate(now_ms)):
            out.append(ev)
            out += self.book.on_event(ev)  # the book opens nothing on a silenced alert
        out += self.book.tick(now_ms)
        out += self._escalated(self.escalator.evaluate(self.book.incidents(live_only=True), now_ms))
        out = self.drills.mark(out)
        if out:
            self.version += 1
        self._notify(out)
        return out

    # -- response targets ----------------------------------------------------------------
    @property
    def response_policy(self) -> ResponsePolicy:
        """The response-time targets in force (the incidents panel counts down to them)."""
        return self.escalator.policy

    def set_response_policy(self, policy: ResponsePolicy) -> None:
        """New targets (a reloaded notification file); what escalated stays escalated."""
        self.escalator.policy = policy
        self.version += 1

    def escalations(self, incident_id: str) -> list[Event]:
        """The escalation events of an incident (oldest first), for its timeline."""
        return list(self._escalations.get(incident_id, ()))

    def _escalated(self, events: list[Event]) -> list[Event]:
        for ev in events:
            self.escalator.observe(ev)
            iid = str(ev.attrs.get("incident") or "")
            kept = self._escalations.setdefault(iid, [])
            if all(e.id != ev.id for e in kept):
                kept.append(ev)
        while len(self._escalations) > MAX_ESCALATED:  # the oldest incidents' go first
            del self._escalations[next(iter(self._escalations))]
        return events

    # -- actions -------------------------------------------------------------------------
    # Each returns the events it made, after recording them (``record``) and notifying.
    # ``now_ms`` defaults to the feed time of the last evaluation: what the room sees.
    def acknowledge_alert(self, fingerprint: str, actor: str, comment: str, now_ms: int | None = None) -> list[Event]:
        """Acknowledge one alert (the incident it belongs to learns of it)."""
        now = self._now(now_ms)
        out = self.engine.acknowledge(fingerprint, actor, comment, now)
        out += [e for ev in list(out) for e in self.book.on_event(ev)]
        return self._done(out)

    def acknowledge_incident(self, incident_id: str, actor: str, comment: str,
                             now_ms: int | None = None) -> list[Event]:
        """Acknowledge an incident: its firing alerts are acknowledged with it."""
        now = self._now(now_ms)
        out = self.book.acknowledge(incident_id, actor, comment, now)
        inc = self.book.incident(incident_id)
        firing = {a.fingerprint for a in self.engine.alerts() if a.state == "firing"}
        for fp in inc.alerts:
            if fp in firing:
                for ev in self.engine.acknowledge(fp, actor, comment, now):
                    out.append(ev)
                    out += self.book.on_event(ev)
        return self._done(out)

    def silence(self, silence: Silence, now_ms: int | None = None) -> list[Event]:
        """Put a silence in force (or schedule a maintenance window)."""
        return self._done(self.engine.silence(silence, self._now(now_ms)))

    def unsilence(self, silence_id: str, actor: str, now_ms: int | None = None) -> list[Event]:
        """End a silence early."""
        return self._done(self.engine.unsilence(silence_id, actor, self._now(now_ms)))

    def add_note(self, incident_id: str, actor: str, text: str, now_ms: int | None = None,
                 titles: Mapping[str, str] | None = None) -> list[Event]:
        """A note on an incident's timeline (``titles``: the note in other languages)."""
        return self._done(self.book.add_note(incident_id, actor, text, self._now(now_ms), titles))

    def add_action_item(self, incident_id: str, actor: str, text: str, owner: str, due: str = "",
                        now_ms: int | None = None) -> list[Event]:
        """An action item with an owner (and optional ``YYYY-MM-DD`` due date) on an incident."""
        return self._done(self.book.add_action_item(incident_id, actor, text, owner, self._now(now_ms), due))

    def set_owner(self, incident_id: str, owner: str, actor: str, now_ms: int | None = None) -> list[Event]:
        """Give an incident an owner."""
        return self._done(self.book.set_owner(incident_id, owner, actor, self._now(now_ms)))

    def _now(self, now_ms: int | None) -> int:
        if now_ms is not None:
            return now_ms
        if self._now_ms is None:
            raise ValueError("no data yet: nothing to act on")
        return self._now_ms

    def _done(self, events: list[Event]) -> list[Event]:
        events = self.drills.mark(events)
        self.version += 1
        if events and self.record is not None:
            self.record(events)
        self._notify(events)
        return events

    # -- reading -------------------------------------------------------------------------
    def alerts(self) -> list[Alert]:
        """Active alerts, roots first."""
        return self.engine.alerts()

    def incidents(self) -> list[Incident]:
        """The incidents the book holds (live ones, the newest resolved ones), newest first."""
        return sorted(self.book.incidents(), key=lambda i: i.detected_ms or 0, reverse=True)

    def silences(self) -> list[Silence]:
        """Silences in force or scheduled."""
        return self.engine.silences()

    @property
    def now_ms(self) -> int | None:
        """Feed time of the last evaluation."""
        return self._now_ms

    def _notify(self, events: list[Event]) -> None:
        if self.notify is None:
            return
        for ev in events:
            if _pages(ev):
                try:
                    self.notify(ev)
                except Exception:  # a notifier bug must never stop alerting
                    log.exception("notifier failed on %s", ev.id)


#: Incident actions worth a message; joins and root-cause moves show on the console only.
_PAGED_ACTIONS = ("opened", "escalated", "acknowledged", "reopened", "resolved")


def _pages(ev: Event) -> bool:
    """Whether an event is worth a notification: incidents changing state, missed response
    targets, and root alerts (a symptom folded under a root is news on the console, not in
    everyone's pocket)."""
    if ev.kind is EventKind.ESCALATION:
        return True
    if ev.kind is EventKind.INCIDENT:
        return ev.attrs.get("action") in _PAGED_ACTIONS
    if ev.kind is not EventKind.ALERT or ev.severity is Severity.INFO:
        return False
    a = ev.attrs
    return (a.get("state") in ("firing", "resolved") and a.get("fired", True) and not a.get("silenced")
            and not a.get("folded_under") and not amends_root(a))


def build_watch(rules: Path | None = None, notify: Path | None = None, user: str = ""):
    """An ``AlertWatch`` on the rule file (default rules if None) and, if ``notify`` names a
    channel file, a started ``Notifier`` it hands pages to (and the file's ``response_targets``,
    if it sets them, to the watch's escalator). Returns ``(watch, notifier)``;
    call from a running loop when ``notify`` is given. A broken channel file raises
    ``NotifyConfigError`` (notifications are opt-in: a typo there should stop the start)."""
    import getpass

    notifier = None
    notify_fn = None
    policy = None
    if notify is not None:
        from warroom.io.notify import (
            Notifier,
            escalation_channels,
            load_channels_file,
            load_response_targets_file,
        )
        from warroom.io.notify.events import notification_from_event

        channels = load_channels_file(notify)
        policy = load_response_targets_file(notify)
        notifier = Notifier(channels)
        if channels and not escalation_channels(channels):
            log.info("notify: no channel is marked escalation: true; missed response targets go to the others")
        notifier.start()
        notify_fn = lambda ev: notifier.submit(notification_from_event(ev))  # noqa: E731
    watch = AlertWatch.from_rules_file(rules, notify=notify_fn)
    if notify is not None and policy is not None:
        watch.set_response_policy(policy)
    try:
        watch.user = user or getpass.getuser()
    except Exception:  # no login name (containers): actions then ask for one
        watch.user = user
    return watch, notifier
