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
the plan's events is ``Command.actor``, which the server sets to the authenticated user.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import OrderedDict, deque
from typing import Any

import numpy as np

from warroom.core.clock import ScaledClock
from warroom.core.model import Event
from warroom.io.server import FeedServer
from warroom.protocol import Command, CommandResult, Events, Message, MetricBatch, TopologySnapshot
from warroom.sim.engine import Simulator
from warroom.sim.faults import parse_fault_spec

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
    ) -> None:
        self.sim = sim
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

    # -- FeedSource ------------------------------------------------------------------
    def now_ms(self) -> int:
        """Time of the newest simulated second produced (the feed's "now")."""
        return self.sim.now_ms - 1000

    def snapshot_messages(self) -> list[Message]:
        """Topology, plan catalogue and recent events, for a client that just subscribed.

        A console that connects in the middle of an incident must still see the deploy
        and the fault that started it; event ids let it drop what it already has.
        """
        msgs: list[Message] = [TopologySnapshot(self.now_ms(), self.sim.topology), self.sim.catalogue()]
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
        try:
            if cmd.action == "inject_fault":
                if "spec" in args:
                    fault = self.sim.inject_spec(parse_fault_spec(str(args["spec"])))
                else:
                    params = dict(args.get("params") or {})
                    fault = self.sim.inject_fault(
                        str(args["kind"]),
                        str(args["target"]),
                        _opt_float(args.get("duration_s")),
                        delay_s=float(args.get("delay_s", 0.0)),
                        severity=float(args.get("severity", 1.0)),
                        **params,
                    )
                return CommandResult(key, "succeeded", f"fault {fault.id} ({fault.kind.value} on {fault.target}) injected",
                                     {"fault_id": fault.id, "start_ms": fault.start_ms, "end_ms": fault.end_ms})
            if cmd.action == "clear_fault":
                fault = self.sim.clear_fault(str(args["fault_id"]))
                return CommandResult(key, "succeeded", f"fault {fault.id} cleared", {"fault_id": fault.id})
            if cmd.action == "execute_plan":
                detail = self.sim.execute_plan(str(args["plan_id"]), actor=cmd.actor, reason=cmd.reason)
                return CommandResult(key, "succeeded", f"plan {args['plan_id']} in force", _jsonable(detail))
            if cmd.action == "rollback_plan":
                self.sim.rollback_plan(str(args["plan_id"]), actor=cmd.actor, reason=cmd.reason)
                return CommandResult(key, "succeeded", f"plan {args['plan_id']} rolled back", {})
            return CommandResult(key, "rejected", f"unknown action {cmd.action!r}")
        except KeyError as exc:
            return CommandResult(key, "rejected", f"{cmd.action}: missing argument {exc.args[0]!r}")
        except (ValueError, TypeError) as exc:
            return CommandResult(key, "rejected", f"{cmd.action}: {exc}")

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
            batches.append(b)
            events.extend(ev)
        self.ticks += len(batches)
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


def merge_batches(batches: list[MetricBatch], sent_at: Any = None) -> MetricBatch:
    """Concatenate batches. Batches sharing one ``series`` tuple (the simulator's) merge cheaply."""
    first = batches[0]
    if all(b.series is first.series or b.series == first.series for b in batches):
        series = first.series
        index = np.concatenate([b.index for b in batches])
    else:
        keys: dict[Any, int] = {}
        parts = []
        for b in batches:
            remap = np.array([keys.setdefault(k, len(keys)) for k in b.series], dtype=np.int32)
            parts.append(remap[b.index] if len(b.index) else b.index)
        series = tuple(keys)
        index = np.concatenate(parts)
    return MetricBatch(
        series,
        index,
        np.concatenate([b.ts for b in batches]),
        np.concatenate([b.values for b in batches]),
        None if sent_at is None else int(sent_at),
    )


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
