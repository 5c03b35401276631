"""The gateway's ``FeedSource``: what its sources found, served as protocol v1 messages.

``GatewayFeed`` plugs into the same ``FeedServer`` as the simulator's feed (tokens, roles,
TLS, the replay buffer that lets a console resume). It holds no data of its own beyond the
newest topology, the plan catalogue and the recent events:

* ``publish(update)``: a ``SourceUpdate`` from the Prometheus source (points, a changed
  topology, source-health events) becomes ``topology``, ``events`` and ``metrics`` frames;
* ``publish_events(events)``: alerts and changes from the HTTP receivers, de-duplicated by
  event id (Alertmanager re-sends every group every ``group_interval``);
* ``handle_command``: ``execute_plan``, ``rollback_plan`` and ``preview_plan`` (the dry run)
  go to the ``PlanRunner`` and its executors; the runner's ledger answers a replayed
  idempotency key with the first result, also across gateway restarts. The simulator's
  ``inject_fault``/``clear_fault`` are refused: a real platform is not ours to break.
* ``start_drill``/``end_drill`` (protocol 1.6, commander): the commander opens and closes a
  drill window (``warroom.core.incident.drills``); a ``drill`` event goes to every console, the
  walls show DRILL, what runs meanwhile (alerts, incidents, plan runs) carries the drill mark and
  production MTTR leaves it out. A console joining mid-drill gets the window's start event with
  the snapshot. A gateway restarted mid-drill forgets it: ``end_drill`` with ``{"drill": ID}``
  still closes it on every wall.
* ``expire_due()``: a plan with ``expiry_s`` is rolled back when it runs out, as the
  simulator does, with action ``expire``.
* ``watch`` (optional, a ``warroom.app.feed_watch.FeedWatch``): alerts and incidents computed
  once, here, over what the gateway broadcasts, and published as events (protocol 1.4: the
  hello then offers ``incidents``, and ``ack_alert``, ``ack_incident``, ``set_owner``,
  ``add_note``, ``add_action_item``, ``silence``, ``unsilence`` go to it). The command line
  builds it unless the site file says ``incidents: {enabled: false}``.

Everything here runs on the event loop; nothing blocks (executors await their I/O).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import OrderedDict, deque
from typing import Any, Callable, Iterable

from warroom.core.clock import wall_ms
from warroom.core.graph.topology import Topology
from warroom.core.incident.drills import drill_event, drill_of, marked
from warroom.core.model import Event
from warroom.core.plan.stages import CAP_STAGES
from warroom.gateway.site_model import Site, SitePlan
from warroom.protocol import Command, CommandResult, Events, Message, MetricBatch, PlanCatalogue, TopologySnapshot
from warroom.protocol.messages import DRILL_ACTIONS, INCIDENT_ACTIONS

log = logging.getLogger(__name__)

#: Event ids remembered to drop duplicates (Alertmanager re-sends whole groups).
_REMEMBERED_IDS = 20_000
_PLAN_ACTIONS = ("execute_plan", "rollback_plan", "preview_plan")


class GatewayFeed:
    """See the module docstring. ``runner`` is a ``warroom.gateway.executors.PlanRunner`` (None:
    plans are shown but cannot run); ``clock`` gives epoch ms (tests pass their own)."""

    speed = 1.0

    def __init__(self, site: Site, runner: Any | None = None, *, clock: Callable[[], int] = wall_ms,
                 recent_events: int = 500, watch: Any | None = None) -> None:
        self.site = site
        self.feed_name = site.name
        self.runner = runner
        self.server: Any | None = None  # the FeedServer, set by ``attach``
        self.topology: Topology | None = None
        self.points_sent = 0
        self.updates = 0
        self.last_update_ms: int | None = None
        self._clock = clock
        self._plans: dict[str, SitePlan] = {sp.plan.id: sp for sp in site.plans}
        self._recent: deque[Event] = deque(maxlen=recent_events)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._active: tuple[str, ...] = self._runner_active()
        #: Alerts and incidents computed here (``FeedWatch``); None: consoles compute their own.
        self.watch = watch
        if watch is not None:
            watch.publish = self._publish_derived
        self._drill: Event | None = None  # the start event of the drill window open now
        self._drill_results: OrderedDict[str, CommandResult] = OrderedDict()  # key -> result, for replays

    @property
    def drill(self) -> str:
        """The id of the drill window open now, ``""`` when none."""
        return drill_of(self._drill) if self._drill is not None else ""

    @property
    def capabilities(self) -> tuple[str, ...]:
        """What the server adds to its hello: ``incidents`` when this gateway computes them, and
        ``context`` (1.5) when it reads log lines from Loki (site key ``loki:``)."""
        caps = tuple(self.watch.capabilities) if self.watch is not None else ()
        caps += (CAP_STAGES,)  # its runner applies staged shifts stage by stage (protocol 1.6)
        return caps + ("context",) if getattr(self.site, "loki", None) is not None else caps

    def attach(self, server: Any) -> None:
        """Broadcast through ``server`` from now on."""
        self.server = server

    # -- FeedSource --------------------------------------------------------------------
    def now_ms(self) -> int:
        """The gateway's clock: the wall clock (Prometheus evaluates at wall time too)."""
        return self._clock()

    def snapshot_messages(self) -> list[Message]:
        """Topology (once a source found one), the plan catalogue and the recent events."""
        out: list[Message] = []
        if self.topology is not None:
            out.append(TopologySnapshot(self.now_ms(), self.topology))
        out.append(self.catalogue())
        if self.watch is not None:  # the incident state first: a console rebuilds it whole
            state = self.watch.state_events()
            if state:
                out.append(Events(tuple(state)))
        if self._drill is not None and self._drill not in self._recent:  # a drill older than the buffer
            out.append(Events((self._drill,)))
        if self._recent:
            out.append(Events(tuple(self._recent)))
        return out

    def catalogue(self) -> PlanCatalogue:
        """The site's plans and which of them are in force now."""
        return PlanCatalogue(tuple(sp.plan for sp in self.site.plans), self._runner_active())

    def known_services(self) -> frozenset[str]:
        """Service names of the current topology (the receivers map alerts and changes to them)."""
        if self.topology is None:
            return frozenset(self.site.services)
        return frozenset(s.name for s in self.topology.services) | frozenset(self.site.services)

    # -- publishing --------------------------------------------------------------------
    def publish(self, update: Any) -> None:
        """Send one ``SourceUpdate``: topology first (so consoles know the services the
        points name), then events, then the points as one metrics frame."""
        self.updates += 1
        if update.topology is not None:  # the source sends one only when it changed
            if self.site.series and not update.topology.series_info:  # 1.6: what the series are
                update.topology.series_info = tuple(self.site.series)
            if self.site.kpi_tree is not None and update.topology.kpi_tree is None:  # 1.6: who owns what
                update.topology.kpi_tree = self.site.kpi_tree
            self.topology = update.topology
            self._broadcast(TopologySnapshot(self.now_ms(), update.topology))
            if self.watch is not None:
                self._watch_step(self.watch.on_topology, update.topology, self.now_ms())
        if update.events:
            self.publish_events(update.events)
        if update.points:
            batch = MetricBatch.from_points(list(update.points), sent_at=self.now_ms())
            self._broadcast(batch)
            self.points_sent += len(batch)
            self.last_update_ms = update.ts_ms
            if self.watch is not None:  # after the batch: its alerts come after the points they judge
                self._watch_step(self.watch.on_batch, batch)

    def publish_events(self, events: Iterable[Event]) -> int:
        """Send events not sent before (by id); returns how many were new."""
        fresh = []
        for ev in events:
            if ev.id in self._seen:
                continue
            self._seen[ev.id] = None
            fresh.append(ev)
        while len(self._seen) > _REMEMBERED_IDS:
            self._seen.popitem(last=False)
        if fresh:
            self._recent.extend(fresh)
            self._broadcast(Events(tuple(fresh)))
            if self.watch is not None:
                self._watch_step(self.watch.on_events, fresh)
        return len(fresh)

    def _publish_derived(self, events: list[Event]) -> None:
        """The watch's own events: sent like the gateway's, never shown to the watch again."""
        fresh = [ev for ev in events if ev.id not in self._seen]
        for ev in fresh:
            self._seen[ev.id] = None
        if fresh:
            self._recent.extend(fresh)
            self._broadcast(Events(tuple(fresh)))

    def _watch_step(self, step: Callable[..., Any], *args: Any) -> None:
        try:
            step(*args)
        except Exception:  # the alert engine choking on one item must not stop the feed
            log.exception("incident watch failed on %s; the feed goes on", step.__name__)

    def _broadcast(self, message: Message) -> None:
        if self.server is not None:
            self.server.broadcast(message)

    def _publish_catalogue_if_changed(self) -> None:
        active = self._runner_active()
        if active != self._active:
            self._active = active
            self._broadcast(self.catalogue())

    def _runner_active(self) -> tuple[str, ...]:
        if self.runner is None:
            return ()
        return tuple(p for p in self.runner.active() if p in self._plans)

    # -- commands ----------------------------------------------------------------------
    async def handle_command(self, command: Command, client_id: str) -> list[CommandResult]:
        """Run a plan command through the executors; refuse anything else."""
        key = command.idempotency_key
        if command.action in DRILL_ACTIONS:
            return [self._drill_command(command)]
        if command.action in INCIDENT_ACTIONS:
            if self.watch is None:
                return [CommandResult(key, "rejected", f"{command.action}: this gateway computes no incidents "
                                                       "(its site file turns them off); consoles keep their own")]
            return [self.watch.handle(command)]
        if command.action not in _PLAN_ACTIONS:
            return [CommandResult(key, "rejected", f"unknown action {command.action!r}: a gateway runs plans "
                                                   "(execute_plan, rollback_plan, preview_plan) and nothing else")]
        plan_id = command.args.get("plan_id")
        sp = self._plans.get(plan_id) if isinstance(plan_id, str) else None
        if sp is None:
            return [CommandResult(key, "rejected", f"{command.action}: no plan {plan_id!r} in this site's catalogue")]
        if self.runner is None:
            return [CommandResult(key, "rejected", f"{command.action}: this gateway runs no executors")]
        try:
            if command.action == "preview_plan":
                change = await self.runner.preview(sp)
                return [CommandResult(key, "succeeded", f"dry run of {sp.plan.id}: {change.get('summary', '')}",
                                      {"plan_id": sp.plan.id, "change": change})]
            if command.action == "execute_plan":
                result = await self.runner.execute(sp, key, command.actor, command.reason,
                                                   stage=command.args.get("stage"))
            else:
                result = await self.runner.rollback(sp, key, command.actor, command.reason)
        except Exception as exc:  # an executor's failure is the plan's failure, never the feed's
            log.exception("%s of %s failed (client %s)", command.action, sp.plan.id, client_id)
            return [CommandResult(key, "failed", f"{command.action} of {sp.plan.id} failed: {exc}",
                                  {"plan_id": sp.plan.id, "error": str(exc)})]
        if result.events and not result.replay:
            # A plan run during a drill is the drill's (its executors act for real all the same).
            self.publish_events([marked(e, self.drill) for e in result.events])
        self._publish_catalogue_if_changed()
        detail = {"plan_id": sp.plan.id, **dict(result.detail)}
        return [CommandResult(key, result.state, result.message, detail, replay=result.replay)]

    def _drill_command(self, command: Command) -> CommandResult:
        """Open or close the drill window; a replayed key gets its first answer again."""
        key = command.idempotency_key
        if key in self._drill_results:
            return dataclasses.replace(self._drill_results[key], replay=True)
        now = self.now_ms()
        args = command.args
        if command.action == "start_drill":
            if self._drill is not None:
                result = CommandResult(key, "rejected", f"start_drill: drill {self.drill} is running; end it first")
            else:
                name = args.get("name")
                did = f"drill-{now}"
                self._drill = drill_event(did, now, "start", name=name if isinstance(name, str) else "",
                                          actor=command.actor, reason=command.reason, source="gateway")
                self.publish_events([self._drill])
                result = CommandResult(key, "succeeded", f"drill {did} started", {"drill": did})
        else:
            asked = args.get("drill")
            did = self.drill or (asked if isinstance(asked, str) else "")
            if not did or (isinstance(asked, str) and asked and self.drill and asked != self.drill):
                result = CommandResult(key, "rejected", "end_drill: no drill is running"
                                       + (f" (the one running is {self.drill})" if self.drill else ""))
            else:
                name = str(self._drill.attrs.get("name") or "") if self._drill is not None else ""
                self.publish_events([drill_event(did, now, "end", name=name, actor=command.actor,
                                                 reason=command.reason, source="gateway")])
                self._drill = None
                result = CommandResult(key, "succeeded", f"drill {did} ended", {"drill": did})
        self._drill_results[key] = result
        while len(self._drill_results) > 1000:
            self._drill_results.popitem(last=False)
        return result

    async def expire_due(self) -> int:
        """Roll back plans whose ``expiry_s`` ran out; returns how many were rolled back.
        Also the incident watch's schedule for quiet times (``FeedWatch.tick``): called every
        second, it keeps recoveries verified while Prometheus sends nothing."""
        if self.watch is not None:
            self._watch_step(self.watch.tick, self.now_ms())
        if self.runner is None:
            return 0
        done = 0
        now = self.now_ms()
        for plan_id in self._runner_active():
            sp = self._plans[plan_id]
            at = self.runner.applied_at_ms(plan_id)
            if sp.plan.expiry_s is None or at is None or now < at + sp.plan.expiry_s * 1000:
                continue
            try:
                # A new key per attempt: a failed expiry must be tried again, not replayed.
                result = await self.runner.rollback(sp, f"expire-{plan_id}-{at}-{now}", "gateway", "expired",
                                                    action="expire")
            except Exception:
                log.exception("expiry of %s failed", plan_id)
                continue
            if result.events and not result.replay:
                self.publish_events(result.events)
            done += result.state == "succeeded"
        self._publish_catalogue_if_changed()
        return done
