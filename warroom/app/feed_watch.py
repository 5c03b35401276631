"""One incident truth: alerts and incidents computed once, at the feed's source, and published.

``FeedWatch`` runs an ``AlertWatch`` over exactly what a feed broadcasts (topology, metric
batches, events) and hands the events it derives (alerts, incidents, notes, silences) to
``publish``: the source broadcasts them like its own, so they reach every console's history
(and the bus) unchanged. Evaluation follows the feed's time, once per feed second
(``AlertWatch.on_batch``), so every console sees the same incident ids, roots, owners and MTTR.

The room's work arrives as protocol 1.4 commands (``INCIDENT_ACTIONS``; arguments in
``warroom.protocol.incident_args``) and is answered with a ``CommandResult``: ``succeeded``
with what was done, or ``rejected`` with why (an unknown incident, an alert no longer firing,
no data yet). An idempotency key seen before gets its first answer again, marked ``replay``:
a command retried after a reconnect, or delivered twice by the bus, acts once.

``state_events()`` is what a console that connects now needs to rebuild the same state: each
incident's timeline as the book holds it, the last event of every active alert and the
silences in force. Sources put it in their snapshot (``snapshot_messages``); consoles drop the
events they already have by id.

The source's side of the hello: ``capabilities`` (``incidents``) tells consoles to mirror
these events (``warroom.app.shared_watch``) rather than compute their own.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from warroom.app.watch import AlertWatch
from warroom.core.alerting.silences import Silence
from warroom.core.graph.topology import Topology
from warroom.core.model import Event, EventKind
from warroom.protocol import Command, CommandResult, MetricBatch, TopologySnapshot
from warroom.protocol.messages import CAP_INCIDENTS, INCIDENT_ACTIONS

log = logging.getLogger(__name__)

#: Feed time without a metrics frame after which ``tick`` evaluates anyway (recoveries are
#: verified, absent data is noticed), so a quiet source does not stop the incident clock.
QUIET_EVAL_MS = 5_000
#: Idempotency keys whose answers are kept (a replayed key gets the first answer).
REMEMBERED_KEYS = 10_000
_SILENCE_ENDED = ("removed", "expired", "ended")


class FeedWatch:
    """See the module docstring. ``publish`` (set by the source) broadcasts derived events."""

    capabilities = (CAP_INCIDENTS,)

    def __init__(self, watch: AlertWatch, publish: Callable[[list[Event]], None] | None = None) -> None:
        self.watch = watch
        watch.record = None  # what the actions make is published here, once
        self.publish = publish
        self._alerts: dict[str, Event] = {}  # fingerprint -> last event of an active alert
        self._silences: dict[str, Event] = {}  # silence id -> the event that put it in force
        self._results: OrderedDict[str, CommandResult] = OrderedDict()
        self.published = 0  # events published so far

    @classmethod
    def from_rules(cls, rules: Path | None = None, user: str = "feed") -> FeedWatch:
        """A watch on the rule file (default rules if None; a broken file falls back to them
        and ``watch.rules_error`` says why)."""
        watch = AlertWatch.from_rules_file(rules)
        if watch.rules_error:
            log.warning("incident watch: %s", watch.rules_error)
        watch.user = user
        return cls(watch)

    # -- what the feed broadcasts ------------------------------------------------------
    def on_topology(self, topology: Topology, ts_ms: int) -> None:
        """The feed's call graph (roots and titles follow it)."""
        self._emit(self.watch.on_topology(TopologySnapshot(ts_ms, topology)))

    def on_batch(self, batch: MetricBatch) -> None:
        """A metrics frame as broadcast; evaluates once per second of feed time."""
        self._emit(self.watch.on_batch(batch))

    def on_events(self, events: Iterable[Event]) -> None:
        """The feed's own events (deploys, plan steps, another system's alerts)."""
        self._emit(self.watch.on_events(list(events)))

    def tick(self, now_ms: int) -> None:
        """The schedule for quiet times: evaluate at ``now_ms`` (the feed's clock) when no
        metrics frame made it evaluate for ``QUIET_EVAL_MS``; otherwise nothing."""
        last = self.watch.now_ms
        if last is not None and now_ms - last >= QUIET_EVAL_MS:
            self._emit(self.watch.evaluate(now_ms))

    # -- the room's commands -------------------------------------------------------------
    def handle(self, command: Command) -> CommandResult:
        """Answer an incident command once per idempotency key (a replay gets the first answer)."""
        seen = self._results.get(command.idempotency_key)
        if seen is not None:
            return dataclasses.replace(seen, replay=True)
        result = self.execute(command)
        self._results[command.idempotency_key] = result
        while len(self._results) > REMEMBERED_KEYS:
            self._results.popitem(last=False)
        return result

    def execute(self, command: Command) -> CommandResult:
        """Run one incident command now (no idempotency check: ``handle`` does it)."""
        key, a, w = command.idempotency_key, command.args, self.watch
        actor = command.actor.strip() or "unknown"
        if command.action not in INCIDENT_ACTIONS:
            return CommandResult(key, "rejected", f"unknown incident action {command.action!r}")
        try:
            if command.action == "ack_alert":
                events = w.acknowledge_alert(str(a["fingerprint"]), actor, str(a.get("comment", "")))
                done = f"alert {a['fingerprint']} acknowledged by {actor}"
            elif command.action == "ack_incident":
                events = w.acknowledge_incident(str(a["incident"]), actor, str(a.get("comment", "")))
                done = f"incident {a['incident']} acknowledged by {actor}"
            elif command.action == "set_owner":
                events = w.set_owner(str(a["incident"]), str(a["owner"]), actor)
                done = f"incident {a['incident']} owned by {a['owner']}"
            elif command.action == "add_note":
                events = w.add_note(str(a["incident"]), actor, str(a["text"]))
                done = f"note added to incident {a['incident']}"
            elif command.action == "add_action_item":
                events = w.add_action_item(str(a["incident"]), actor, str(a["text"]), str(a["owner"]),
                                           str(a.get("due", "")))
                done = f"action item for {a['owner']} added to incident {a['incident']}"
            elif command.action == "silence":
                now = w.now_ms
                if now is None:
                    raise ValueError("no data yet: nothing to silence")
                sid = str(a.get("id") or f"s-{key[:24]}")
                silence = Silence(sid, dict(a["matchers"]), int(a.get("starts", now)), int(a["until"]), actor,
                                  str(a.get("comment", "")))
                events = w.silence(silence)
                done = f"silence {sid} in force"
            else:
                events = w.unsilence(str(a["silence"]), actor)
                done = f"silence {a['silence']} ended"
        except KeyError as exc:
            return CommandResult(key, "rejected", f"{command.action}: missing argument {exc.args[0]!r}")
        except (ValueError, TypeError) as exc:
            return CommandResult(key, "rejected", f"{command.action}: {exc}")
        self._emit(events)
        return CommandResult(key, "succeeded", done, {"events": [e.id for e in events]})

    # -- state for a console that connects now ----------------------------------------
    def state_events(self) -> list[Event]:
        """Events that rebuild the current alerts, incidents and silences, oldest first."""
        out: dict[str, Event] = {}
        for inc in self.watch.book.incidents():
            for ev in inc.timeline:
                out.setdefault(ev.id, ev)
        for ev in (*self._alerts.values(), *self._silences.values()):
            out.setdefault(ev.id, ev)
        now = self.watch.now_ms
        if now is not None:  # silences that ran out meanwhile are not state any more
            ended = {sid for sid, ev in self._silences.items() if int(ev.attrs.get("ends_ms") or 0) <= now}
            for sid in ended:
                self._silences.pop(sid, None)
        return sorted(out.values(), key=lambda e: (e.ts, e.id))

    # -- internals -----------------------------------------------------------------------
    def _emit(self, events: list[Event]) -> None:
        if not events:
            return
        for ev in events:
            if ev.kind is EventKind.ALERT and ev.attrs.get("external") is not True:
                fp = str(ev.attrs.get("fingerprint") or "")
                if ev.attrs.get("state") == "resolved":
                    self._alerts.pop(fp, None)
                elif fp:
                    self._alerts[fp] = ev
            elif ev.kind is EventKind.SILENCE:
                sid = str(ev.attrs.get("silence") or ev.subject)
                if ev.attrs.get("action") in _SILENCE_ENDED:
                    self._silences.pop(sid, None)
                else:
                    self._silences[sid] = ev
        self.published += len(events)
        if self.publish is not None:
            self.publish(events)


def feed_watch_for(rules: Path | None, enabled: bool = True) -> Any:
    """A ``FeedWatch`` on ``rules``, or None when ``enabled`` is False (a site file's switch)."""
    return FeedWatch.from_rules(rules) if enabled else None
