"""The console's side of one incident truth: alerts and incidents mirrored from the feed.

When the feed's hello offers ``incidents`` (protocol 1.4), the feed computes alerts and
incidents once and publishes them as events (``warroom.app.feed_watch``). ``SharedWatch``
reads like an ``AlertWatch`` to the panels (``alerts()``, ``incidents()``, ``silences()``,
``version``, ``now_ms``, ``user``), but its state is rebuilt from those events, as a replay
rebuilds it (``AlertLog.apply``, ``IncidentBook.apply_logged``): every wall on the feed shows
the same incident ids, roots, owners and MTTR.

Its actions send commands (``ack_alert``, ``ack_incident``, ``set_owner``, ``add_note``,
``add_action_item``, ``silence``, ``unsilence``) through the session's ``FeedClient`` and
return ``[]``: their effect comes back from the feed as events, on every wall at once. What
can be told at once raises ``ValueError`` (the feed is down, this connection's role may not,
an argument the protocol refuses); the feed's answer arrives later as ``answer`` (an
``Answer``: refused, failed, no answer), which the panels show.

``WatchSwitch`` is what the recorder feeds: the console's own ``AlertWatch`` on a feed that
does not offer ``incidents`` (it works alone, as before), the ``SharedWatch`` on one that
does, chosen again at every hello, so a console that moves to another feed follows it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from warroom.core.alerting.alert_log import AlertLog, log_order
from warroom.core.alerting.alerts import Alert
from warroom.core.alerting.silences import Silence
from warroom.core.clock import monotonic
from warroom.core.incident.incidents import (
    LIVE_MAX_RESOLVED,
    LIVE_MAX_TIMELINE,
    Incident,
    IncidentBook,
)
from warroom.core.model import Event, EventKind
from warroom.io.client import ConnectionState, NotConnected
from warroom.protocol import Command, CommandResult, Hello, MetricBatch, ServerError
from warroom.protocol.errors import BadMessage
from warroom.protocol.incident_args import incident_args
from warroom.protocol.messages import CAP_INCIDENTS
from warroom.protocol.strings import Notes

log = logging.getLogger(__name__)

#: Event ids remembered to drop what the feed sends again (a snapshot after a reconnect).
REMEMBERED_IDS = 50_000
#: A command the feed has not answered in this many wall seconds is reported unanswered.
ANSWER_TIMEOUT_S = 30.0
#: Which panel an answer belongs to (the alerts panel acts on alerts and silences).
ALERT_ACTIONS = ("ack_alert", "silence", "unsilence")
_KEY_PREFIX = "inc-"
# LOG (protocol 1.5): log lines about a service, for the incident timelines the wall mirrors.
_STATE_KINDS = (EventKind.ALERT, EventKind.INCIDENT, EventKind.SILENCE, EventKind.NOTE, EventKind.LOG)


@dataclass(frozen=True)
class Answer:
    """The feed's word on a command sent from this console: ``ok`` False when it was refused,
    failed or not answered; ``seq`` grows with each answer (panels show each once);
    ``action`` is the command's (``ALERT_ACTIONS`` belong to the alerts panel)."""

    seq: int
    ok: bool
    text: str
    action: str


class SharedWatch:
    """Alerts, incidents and silences as the feed computes them; see the module docstring."""

    read_only = False
    rules_error = ""
    can_note = True
    #: The rules are the feed's: the console cannot reload them.
    can_reload = False
    shared = True

    def __init__(self, client: Any, user: str = "") -> None:
        self.client = client
        self.user = user
        self.version = 0
        self.alert_log = AlertLog()
        self.book = IncidentBook(max_resolved=LIVE_MAX_RESOLVED, max_timeline=LIVE_MAX_TIMELINE)
        #: The room's own records (sessions set it, as for ``AlertWatch``); nothing is recorded
        #: here: the feed's events are stored by the recorder like every feed event.
        self.record: Callable[[list[Event]], None] | None = None
        #: The feed's last answer to a command from here (None before the first).
        self.answer: Answer | None = None
        self.sent = 0
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._incidents: list[Incident] | None = None
        self._now_ms: int | None = None
        self._pending: dict[str, tuple[str, str, float]] = {}  # key -> (action, what, sent at)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()

    # -- what the recorder hands over (AlertWatch's interface) ---------------------------
    def on_topology(self, snapshot: Any) -> list[Event]:
        """The feed's graph: nothing to do (roots come computed)."""
        self._remember_loop()
        return []

    def on_batch(self, batch: MetricBatch) -> list[Event]:
        """Feed time moves (alert ages); unanswered commands run out."""
        self._remember_loop()
        if len(batch):
            newest = batch.newest_ts
            if self._now_ms is None or newest > self._now_ms:
                self._now_ms = newest
        self._expire_pending()
        return []

    def on_events(self, events: Iterable[Event]) -> list[Event]:
        """Take the feed's alert, incident, silence and note events (each id once)."""
        self._remember_loop()
        fresh = []
        for ev in events:
            if ev.kind in _STATE_KINDS and ev.id not in self._seen:
                self._seen[ev.id] = None
                fresh.append(ev)
        while len(self._seen) > REMEMBERED_IDS:
            self._seen.popitem(last=False)
        if fresh:
            changed = False
            for ev in sorted(fresh, key=lambda e: (*log_order(e), e.id)):
                changed |= self.alert_log.apply(ev)
            self.book.apply_logged(fresh)
            self._incidents = None
            newest = max(e.ts for e in fresh)
            self._now_ms = newest if self._now_ms is None else max(self._now_ms, newest)
            self.version += 1
        return []

    def on_item(self, item: object) -> None:
        """The feed's answers: a ``CommandResult`` for a command sent from here, or a
        ``ServerError`` (the feed could not read what was sent)."""
        if isinstance(item, CommandResult):
            pending = self._pending.pop(item.idempotency_key, None)
            if pending is None:
                return
            action, what, _ = pending
            if item.state == "succeeded":
                self._answer(True, f"{what}: {item.message}", action)
            elif item.state in ("rejected", "failed"):
                self._answer(False, f"{what}: the feed refused: {item.message}", action)
        elif isinstance(item, ServerError) and self._pending:
            key = next(reversed(self._pending))  # the server names no key: the last one sent
            action, what, _ = self._pending.pop(key)
            self._answer(False, f"{what}: the feed could not read it: {item.message}", action)

    # -- reading (as AlertWatch) --------------------------------------------------------
    def alerts(self) -> list[Alert]:
        """Active alerts, roots first, as the feed computed them."""
        return self.alert_log.alerts()

    def incidents(self) -> list[Incident]:
        """The feed's incidents, newest first."""
        if self._incidents is None:
            self._incidents = sorted(self.book.incidents(), key=lambda i: i.detected_ms or 0, reverse=True)
        return self._incidents

    def silences(self) -> list[Silence]:
        """Silences in force or scheduled."""
        return self.alert_log.silences(self._now_ms)

    @property
    def now_ms(self) -> int | None:
        """Feed time of the newest data seen."""
        return self._now_ms

    # -- actions: commands to the feed ----------------------------------------------------
    def acknowledge_alert(self, fingerprint: str, actor: str, comment: str, now_ms: int | None = None) -> list[Event]:
        """Ask the feed to acknowledge an alert."""
        return self._send("ack_alert", {"fingerprint": fingerprint, "comment": comment}, actor,
                          f"acknowledging alert {fingerprint}")

    def acknowledge_incident(self, incident_id: str, actor: str, comment: str,
                             now_ms: int | None = None) -> list[Event]:
        """Ask the feed to acknowledge an incident (its firing alerts with it)."""
        return self._send("ack_incident", {"incident": incident_id, "comment": comment}, actor,
                          f"acknowledging incident {incident_id}")

    def set_owner(self, incident_id: str, owner: str, actor: str, now_ms: int | None = None) -> list[Event]:
        """Ask the feed to give an incident an owner."""
        return self._send("set_owner", {"incident": incident_id, "owner": owner}, actor,
                          f"setting the owner of incident {incident_id}")

    def add_note(self, incident_id: str, actor: str, text: str, now_ms: int | None = None,
                 titles: Any = None) -> list[Event]:
        """Ask the feed to put a note on an incident's timeline."""
        return self._send("add_note", {"incident": incident_id, "text": text}, actor,
                          f"adding a note to incident {incident_id}")

    def add_action_item(self, incident_id: str, actor: str, text: str, owner: str, due: str = "",
                        now_ms: int | None = None) -> list[Event]:
        """Ask the feed to record an action item on an incident."""
        args = {"incident": incident_id, "text": text, "owner": owner}
        if due:
            args["due"] = due
        return self._send("add_action_item", args, actor, f"adding an action item to incident {incident_id}")

    def silence(self, silence: Silence, now_ms: int | None = None) -> list[Event]:
        """Ask the feed to put a silence in force (its id, matchers, start, end and comment)."""
        args = {"id": silence.id, "matchers": dict(silence.matchers), "starts": silence.starts_ms,
                "until": silence.ends_ms, "comment": silence.comment}
        return self._send("silence", args, silence.created_by, f"silence {silence.id}")

    def unsilence(self, silence_id: str, actor: str, now_ms: int | None = None) -> list[Event]:
        """Ask the feed to end a silence early."""
        return self._send("unsilence", {"silence": silence_id}, actor, f"ending silence {silence_id}")

    def reload_rules(self) -> list[Event]:
        """The rules are the feed's own."""
        raise ValueError("the feed computes the alerts with its own rules: reload them there")

    def _send(self, action: str, args: dict[str, Any], actor: str, what: str) -> list[Event]:
        client = self.client
        if not client.may(action):
            raise ValueError(f"{what}: this connection's role ({client.role}) may not do that; ask a commander")
        state = client.status.state
        if state not in (ConnectionState.LIVE, ConnectionState.STALE):
            raise ValueError(f"{what}: the feed is {state.value}, nothing was sent; try again when it is back")
        try:  # what the feed would refuse is said now, in the same words
            checked = incident_args(action, {k: v for k, v in args.items() if v != ""}, Notes("command"))
        except BadMessage as exc:
            raise ValueError(f"{what}: {exc}") from None
        key = f"{_KEY_PREFIX}{uuid.uuid4().hex}"
        command = Command(key, action, checked, actor=actor.strip())
        self._pending[key] = (action, what, monotonic())
        loop = self._loop or asyncio.get_event_loop()
        task = loop.create_task(self._deliver(command, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self.sent += 1
        return []

    async def send(self, command: Command) -> None:
        """Send a prepared command now (tests, scripts); the answer arrives as for the panels."""
        self._pending[command.idempotency_key] = (command.action, command.action, monotonic())
        await self._deliver(command, command.action)

    async def _deliver(self, command: Command, what: str) -> None:
        try:
            await self.client.send_command(command)
        except NotConnected as exc:
            self._pending.pop(command.idempotency_key, None)
            self._answer(False, f"{what}: not sent: {exc}", command.action)
        except Exception as exc:
            log.exception("sending %s failed", command.action)
            self._pending.pop(command.idempotency_key, None)
            self._answer(False, f"{what}: not sent: {type(exc).__name__}: {exc}", command.action)

    def _answer(self, ok: bool, text: str, action: str) -> None:
        seq = self.answer.seq + 1 if self.answer is not None else 1
        self.answer = Answer(seq, ok, text, action)
        self.version += 1

    def _expire_pending(self) -> None:
        if not self._pending:
            return
        now = monotonic()
        for key, (action, what, at) in list(self._pending.items()):
            if now - at > ANSWER_TIMEOUT_S:
                del self._pending[key]
                self._answer(False, f"{what}: no answer from the feed in {ANSWER_TIMEOUT_S:.0f} s", action)

    def _remember_loop(self) -> None:
        if self._loop is None:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                pass


class WatchSwitch:
    """The watch a console feeds: its own ``local`` one, or the feed's (``shared``) when the
    hello offers ``incidents``; ``on_change(watch)`` hears of each switch (the session points
    the panels at it). The recorder calls it like an ``AlertWatch``."""

    def __init__(self, local: Any, shared: SharedWatch, on_change: Callable[[Any], None] | None = None) -> None:
        self.local = local
        self.shared = shared
        self.active: Any = local
        self.on_change = on_change

    def on_hello(self, hello: Hello) -> None:
        """Choose again for the feed that just said hello."""
        want = self.shared if CAP_INCIDENTS in hello.capabilities else self.local
        if want is self.active:
            return
        self.active = want
        log.info("alerts and incidents: %s", "the feed's (shared by every console)" if want is self.shared
                 else "computed by this console")
        if self.on_change is not None:
            self.on_change(want)

    def on_batch(self, batch: MetricBatch) -> list[Event]:
        """As ``AlertWatch.on_batch``, by the watch in use."""
        return self.active.on_batch(batch)

    def on_events(self, events: Iterable[Event]) -> list[Event]:
        """As ``AlertWatch.on_events``, by the watch in use."""
        return self.active.on_events(events)

    def on_topology(self, snapshot: Any) -> list[Event]:
        """As ``AlertWatch.on_topology``, by the watch in use."""
        return self.active.on_topology(snapshot)
