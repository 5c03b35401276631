"""The simulator on the wire: paces ``Simulator.tick()`` to a scaled clock and serves it.

``SimFeed`` is the ``FeedSource`` of a ``FeedServer``. Its ``run()`` loop wakes every
``frame_interval_s`` wall seconds, runs the simulated seconds that fell due (``speed`` of
them per wall second), merges their metrics into one columnar frame and broadcasts it,
with any events. If the machine cannot keep up, simulated time falls behind the scaled
clock instead of skipping seconds: the feed's timestamps stay contiguous and its clock
(``now_ms``, sent in hello and heartbeats) is the simulator's own.

Commands (inject/clear a fault, execute/roll back a plan) are applied between ticks and
answered with a ``CommandResult``. An idempotency key that was seen before gets the
stored result again, marked ``replay``, and is not executed twice. The actor recorded in
the plan's events is ``Command.actor``, which the server sets to the authenticated user;
the command's ``idempotency_key`` is recorded there too, and a plan command's result
carries ``plan_id`` and ``event_id`` (the ``plan_execution`` event that records it).

Command arguments (docs/protocol.md, section 6.2):

* ``inject_fault``: ``{"kind": ..., "target": ..., "params": {...}}`` plus optional
  ``duration_s``, ``delay_s``, ``severity``; ``fault`` is accepted for ``kind`` (the
  documented name). Or ``{"spec": "kind:target@start+duration"}`` as on the command line.
  The result's ``detail`` holds ``fault_id``. ``"drill": true`` makes it a drill's fault
  (protocol 1.6; a ``drill=true`` parameter in a spec does the same).
* ``start_drill`` (``{"name": ...}``, optional) / ``end_drill`` (protocol 1.6): open and close a
  drill window; every fault injected while it is open is a drill's. ``detail.drill`` is its id.
* ``clear_fault``: ``{"fault_id": ...}``: the ``fault_id`` of the inject result, or the id
  of the ``fault`` event that announced the fault (its ``attrs.fault_id`` names it).
* ``preview_plan``: ``{"plan_id": ...}``: the dry run (protocol 1.3). Changes nothing; the
  result's ``detail`` is ``{"plan_id", "change"}`` with the plan's steps as summary and its
  parameters as ``after`` (the simulator sends no requests).

With ``watch`` (a ``warroom.app.feed_watch.FeedWatch``; ``warroom sim --watch``) the feed
computes alerts and incidents once, over what it broadcasts, and publishes them as events
(protocol 1.4: the hello offers ``incidents``); the incident commands (``ack_alert``,
``ack_incident``, ``set_owner``, ``add_note``, ``add_action_item``, ``silence``, ``unsilence``)
go to it, once per idempotency key like the others.

The feed's name (``feed_name``, the server's ``server_id``) is ``sim-<seed>`` unless given:
the same simulator configuration is the same feed across restarts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

import numpy as np

from warroom.core.clock import ScaledClock
from warroom.core.model import Event, EventKind
from warroom.core.plan.plans import Plan
from warroom.core.plan.stages import CAP_STAGES
from warroom.io.resume import merge_batches
from warroom.io.server import FeedServer
from warroom.protocol import (
    Command,
    CommandResult,
    Events,
    Message,
    MetricBatch,
    TopologySnapshot,
)
from warroom.protocol.context import CAP_CONTEXT
from warroom.protocol.messages import INCIDENT_ACTIONS
from warroom.sim.engine import Simulator
from warroom.sim.faults import parse_fault_spec, parse_flag

log = logging.getLogger(__name__)

_REMEMBERED_KEYS = 10_000


class SimFeed:
    """Drives a ``Simulator`` in (scaled) real time and answers protocol commands."""

    def __init__(
        self,
        sim: Simulator,
        *,
        speed: float = 1.0,
        frame_interval_s: float = 0.1,
        max_ticks_per_frame: int | None = None,
        recent_events: int = 500,
        name: str | None = None,
        watch: Any | None = None,
    ) -> None:
        self.sim = sim
        self.feed_name = name or f"sim-{sim.seed}"
        self.speed = float(speed)
        self.frame_interval_s = frame_interval_s
        # Catching up after a stall is spread over several frames so no frame is huge.
        self.max_ticks_per_frame = max_ticks_per_frame or max(10, int(self.speed * frame_interval_s * 4))
        self.clock = ScaledClock(start_ms=sim.now_ms, speed=self.speed)
        self.server: FeedServer | None = None
        self.ticks = 0
        self.points_sent = 0
        self._results: OrderedDict[str, list[CommandResult]] = OrderedDict()
        self._catalogue_active = sim.active_plans
        self._stopping = False
        self._recent_events: deque[Event] = deque(maxlen=recent_events)
        self._fault_of_event: OrderedDict[str, str] = OrderedDict()  # fault event id -> fault id
        #: Called with each tick's own batch, in order, as the tick runs (``warroom.sim.exporter``
        #: integrates them into Prometheus counters); frames merge ticks, listeners see each one.
        self.tick_listeners: list[Callable[[MetricBatch], None]] = []
        #: Alerts and incidents computed here (a ``FeedWatch``); None: consoles compute their own.
        self.watch = watch
        self._watch_topology: Any = None  # the graph the watch was last shown
        if watch is not None:
            watch.publish = self._publish_derived

    @property
    def capabilities(self) -> tuple[str, ...]:
        """What the server adds to its hello: ``incidents`` when this feed computes them, and
        ``context`` (1.5): the simulator sends log lines with trace ids while faults are on."""
        return (*(tuple(self.watch.capabilities) if self.watch is not None else ()), CAP_CONTEXT, CAP_STAGES)

    # -- FeedSource ------------------------------------------------------------------
    def now_ms(self) -> int:
        """Time of the newest simulated second produced (the feed's "now")."""
        return self.sim.now_ms - 1000

    def snapshot_messages(self) -> list[Message]:
        """Topology, plan catalogue and recent events, for a client that just subscribed.

        A console that connects in the middle of an incident must still see the deploy
        and the fault that started it; event ids let it drop what it already has. The
        events frame holds the last ``recent_events`` events (500 by default), oldest
        first, and is left out while there are none.
        """
        msgs: list[Message] = [TopologySnapshot(self.now_ms(), self.sim.topology), self.sim.catalogue()]
        if self.watch is not None:  # the incident state first: a console rebuilds it whole
            state = self.watch.state_events()
            if state:
                msgs.append(Events(tuple(state)))
        if self._recent_events:
            msgs.append(Events(tuple(self._recent_events)))
        return msgs

    async def handle_command(self, command: Command, client_id: str) -> list[CommandResult]:
        """Apply a command between two ticks; replays of an idempotency key get the first answer."""
        seen = self._results.get(command.idempotency_key)
        if seen is not None:
            log.info("command %s replayed by %s (actor %r); not executed again", command.idempotency_key,
                     client_id, command.actor)
            return [dataclasses.replace(r, replay=True) for r in seen]  # "this already happened"
        result = self._apply(command)
        self._results[command.idempotency_key] = [result]
        while len(self._results) > _REMEMBERED_KEYS:
            self._results.popitem(last=False)
        self._publish_catalogue_if_changed()
        return [result]

    def _apply(self, cmd: Command) -> CommandResult:
        key, args = cmd.idempotency_key, dict(cmd.args)
        if cmd.action in INCIDENT_ACTIONS:
            if self.watch is None:
                return CommandResult(key, "rejected", f"{cmd.action}: this simulator computes no incidents "
                                                      "(start it with --watch); consoles keep their own")
            return self.watch.execute(cmd)
        try:
            if cmd.action == "inject_fault":
                if "spec" in args:
                    fault = self.sim.inject_spec(parse_fault_spec(str(args["spec"])))
                else:
                    params = dict(args.get("params") or {})
                    kind = args.get("kind", args.get("fault"))  # "fault" is the documented name
                    if kind is None:
                        raise KeyError("kind")
                    if "fault" in args and "kind" in args and args["fault"] != args["kind"]:
                        raise ValueError(f"'fault' ({args['fault']!r}) and 'kind' ({args['kind']!r}) disagree")
                    fault = self.sim.inject_fault(
                        str(kind),
                        str(args["target"]),
                        _opt_float(args.get("duration_s")),
                        delay_s=float(args.get("delay_s", 0.0)),
                        severity=float(args.get("severity", 1.0)),
                        drill=parse_flag(args.get("drill", False), "drill"),
                        **params,
                    )
                return CommandResult(key, "succeeded", f"fault {fault.id} ({fault.kind.value} on {fault.target}) injected",
                                     {"fault_id": fault.id, "start_ms": fault.start_ms, "end_ms": fault.end_ms})
            if cmd.action == "start_drill":  # protocol 1.6: a drill window, a person's
                did = self.sim.start_drill(str(args.get("name") or ""), cmd.actor, cmd.reason)
                return CommandResult(key, "succeeded", f"drill {did} started", {"drill": did})
            if cmd.action == "end_drill":
                did = self.sim.end_drill(cmd.actor, cmd.reason)
                return CommandResult(key, "succeeded", f"drill {did} ended", {"drill": did})
            if cmd.action == "clear_fault":
                fault = self.sim.clear_fault(self._fault_id(str(args["fault_id"])))
                return CommandResult(key, "succeeded", f"fault {fault.id} cleared", {"fault_id": fault.id})
            if cmd.action == "execute_plan":
                plan_id = str(args["plan_id"])
                detail = self.sim.execute_plan(plan_id, actor=cmd.actor, reason=cmd.reason, idempotency_key=key,
                                               stage=args.get("stage"))
                return CommandResult(key, "succeeded", f"plan {plan_id} in force",
                                     {"plan_id": plan_id, **_jsonable(detail)})
            if cmd.action == "rollback_plan":
                plan_id = str(args["plan_id"])
                event_id = self.sim.rollback_plan(plan_id, actor=cmd.actor, reason=cmd.reason, idempotency_key=key)
                return CommandResult(key, "succeeded", f"plan {plan_id} rolled back",
                                     {"plan_id": plan_id, "event_id": event_id})
            if cmd.action == "preview_plan":  # the dry run (protocol 1.3): says what it would do, does nothing
                plan_id = str(args["plan_id"])
                plan = next((p for p in self.sim.plans if p.id == plan_id), None)
                if plan is None:
                    raise ValueError(f"unknown plan {plan_id!r}")
                return CommandResult(key, "succeeded", f"plan {plan_id} previewed",
                                     {"plan_id": plan_id, "change": _sim_change(plan)})
            return CommandResult(key, "rejected", f"unknown action {cmd.action!r}")
        except KeyError as exc:
            return CommandResult(key, "rejected", f"{cmd.action}: missing argument {exc.args[0]!r}")
        except (ValueError, TypeError) as exc:
            return CommandResult(key, "rejected", f"{cmd.action}: {exc}")

    def _fault_id(self, given: str) -> str:
        """A fault's id from itself or from the id of the event that announced it."""
        if given in {f.id for f in self.sim.active_faults}:
            return given
        return self._fault_of_event.get(given, given)

    def _remember_fault_events(self, events: list[Event]) -> None:
        for ev in events:
            if ev.kind is EventKind.FAULT and ev.attrs.get("action") == "inject" and "fault_id" in ev.attrs:
                self._fault_of_event[ev.id] = str(ev.attrs["fault_id"])
        while len(self._fault_of_event) > _REMEMBERED_KEYS:
            self._fault_of_event.popitem(last=False)

    def _publish_catalogue_if_changed(self) -> None:
        if self.sim.active_plans != self._catalogue_active and self.server is not None:
            self._catalogue_active = self.sim.active_plans
            self.server.broadcast(self.sim.catalogue())

    # -- pacing ----------------------------------------------------------------------
    def step(self, max_ticks: int | None = None) -> tuple[MetricBatch | None, list[Event]]:
        """Run the simulated seconds that are due now; return them merged into one batch."""
        due = self.clock.now_ms()
        limit = max_ticks or self.max_ticks_per_frame
        batches: list[MetricBatch] = []
        events: list[Event] = []
        while self.sim.now_ms <= due and len(batches) < limit:
            b, ev = self.sim.tick()
            for listener in self.tick_listeners:
                listener(b)
            batches.append(b)
            events.extend(ev)
        self.ticks += len(batches)
        self._remember_fault_events(events)
        if not batches:
            return None, events
        return merge_batches(batches, sent_at=batches[-1].ts.max() if len(batches[-1]) else None), events

    async def run(self, server: FeedServer) -> None:
        """Produce frames until ``stop()``; broadcast them on ``server``."""
        self.server = server
        loop = asyncio.get_running_loop()
        next_frame = loop.time()
        while not self._stopping:
            batch, events = self.step()
            if events:
                self._recent_events.extend(events)
                server.broadcast(Events(tuple(events)))
            if batch is not None and len(batch):
                server.broadcast(batch)
                self.points_sent += len(batch)
            if self.watch is not None:
                self._feed_watch(batch, events)
            self._publish_catalogue_if_changed()  # plans may expire on their own
            next_frame += self.frame_interval_s
            delay = next_frame - loop.time()
            if delay < -1.0:  # fell far behind (suspended laptop, debugger): do not burst
                next_frame = loop.time()
                delay = 0
            await asyncio.sleep(max(0.0, delay))

    def stop(self) -> None:
        """Make ``run()`` return after the current frame."""
        self._stopping = True

    # -- the incident watch ----------------------------------------------------------
    def _feed_watch(self, batch: MetricBatch | None, events: list[Event]) -> None:
        """Show the watch what was just broadcast: the graph (when new), the events, the points."""
        watch = self.watch
        try:
            if self.sim.topology is not self._watch_topology:
                self._watch_topology = self.sim.topology
                watch.on_topology(self.sim.topology, self.now_ms())
            if events:
                watch.on_events(events)
            if batch is not None and len(batch):
                watch.on_batch(batch)
        except Exception:  # the alert engine choking on one frame must not stop the feed
            log.exception("incident watch failed on a frame; the feed goes on")

    def _publish_derived(self, events: list[Event]) -> None:
        """The watch's events, broadcast like the simulator's own."""
        self._recent_events.extend(events)
        if self.server is not None:
            self.server.broadcast(Events(tuple(events)))


def _sim_change(plan: Plan) -> dict[str, Any]:
    """The change a plan would make in the simulator, in the shape of a real executor's dry run.

    The simulator sends no requests and keeps no "before" state: the plan's parameters are
    the whole change. ``summaries`` (optional) has the summary in the languages the plan's
    texts give, as plan titles do.
    """
    change = {
        "executor": "simulator",
        "summary": "; ".join(plan.steps) or plan.title,
        "target": f"{plan.target_kind}:{plan.target}",
        "requests": [],
        "before": None,
        "after": _jsonable(dict(plan.params)),
        "warnings": [],
    }
    summaries = {lang: "; ".join(plan.localized(lang).steps) for lang in plan.texts}
    summaries = {lang: text for lang, text in summaries.items() if text and text != change["summary"]}
    if summaries:
        change["summaries"] = summaries
    return change


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


def _jsonable(d: Any) -> Any:
    """Plan details may hold numpy numbers; the wire wants plain JSON."""
    if isinstance(d, dict):
        return {str(k): _jsonable(v) for k, v in d.items()}
    if isinstance(d, (list, tuple)):
        return [_jsonable(v) for v in d]
    if isinstance(d, np.generic):
        return d.item()
    return d
