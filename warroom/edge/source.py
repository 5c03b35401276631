"""The feed as an edge sees it: what a ``BusFollower`` read from JetStream, served like any feed.

``EdgeSource`` is the ``FeedSource`` of an edge's ``FeedServer``. It holds only what a new
console needs and what the stream already has — the newest topology and plan catalogue, the
recent events, the newest point of every series — so an edge is stateless: killed and started
again, it reads the same from the stream. Every message the follower hands on is broadcast to
the edge's consoles (and kept in the server's replay buffer for those that resume).

A feed that computes incidents (protocol 1.4) says so in a header (``Warroom-Caps``); the edge's
``hello`` then offers ``incidents`` too, and a new console gets the feed's incident state first.

The feed's clock: the ``Warroom-Now`` header of the newest message, run forward at the feed's
``Warroom-Speed`` since it arrived. ``hello`` carries the feed's own name (``Warroom-Feed``),
so a console that moves between edges — or from a direct feed to an edge — resumes as on the
same feed.

When the follower loses NATS, finds a gap, or comes back, the edge tells its consoles with a
``feed`` event (the console's event log and stale banner show it); data stops while NATS is
down, so the consoles' own staleness shows on the KPIs too.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any

import numpy as np

from warroom.bus.commands import CommandSender
from warroom.bus.follower import BusMessage
from warroom.core.clock import monotonic, wall_ms
from warroom.core.model import Event, EventKind, Severity
from warroom.protocol import (
    Command,
    CommandResult,
    Events,
    Message,
    MetricBatch,
    PlanCatalogue,
    TopologySnapshot,
)

log = logging.getLogger(__name__)

#: Events a new console is given (the sim keeps 500; a gateway's incident may need more).
RECENT_EVENTS = 2000


class EdgeSource:
    """See the module docstring. ``name``: this edge's name, in its own events."""

    def __init__(self, site: str, name: str = "edge", *, recent_events: int = RECENT_EVENTS) -> None:
        self.site = site
        self.name = name
        self.feed_name = ""  # learned from the first message's headers
        self.speed = 1.0
        self.server: Any = None
        self.sender: CommandSender | None = None
        self.topology: TopologySnapshot | None = None
        self.catalogue: PlanCatalogue | None = None
        self.incident_state: Events | None = None  # a feed that computes incidents: its current state
        self.capabilities: tuple[str, ...] = ()  # what the feed adds to hello (``incidents``)
        self._recent: deque[Event] = deque(maxlen=recent_events)
        self._last: dict[Any, tuple[int, float]] = {}  # series key -> newest (ts, value)
        self._now_ms: int | None = None
        self._now_at = 0.0
        self.messages = 0
        self.points = 0
        self.bus_state = "starting"  # starting | up | down

    def attach(self, server: Any, sender: CommandSender | None) -> None:
        """Broadcast through ``server``; send commands with ``sender``."""
        self.server = server
        self.sender = sender

    # -- FeedSource ---------------------------------------------------------------------
    def now_ms(self) -> int:
        """The feed's clock (module docstring); the wall clock before any message."""
        if self._now_ms is None:
            return wall_ms()
        return self._now_ms + int((monotonic() - self._now_at) * 1000 * self.speed)

    def snapshot_messages(self) -> list[Message]:
        """Topology, catalogue and recent events, for a console that just subscribed."""
        out: list[Message] = []
        if self.topology is not None:
            out.append(self.topology)
        if self.catalogue is not None:
            out.append(self.catalogue)
        if self.incident_state is not None and self.incident_state.events:
            out.append(self.incident_state)  # first: the console rebuilds its incidents from it
        if self._recent:
            out.append(Events(tuple(self._recent)))
        return out

    def last_values(self) -> MetricBatch | None:
        """The newest point of every series seen, as one batch (None before any)."""
        if not self._last:
            return None
        keys = tuple(self._last)
        pairs = list(self._last.values())
        return MetricBatch(keys, np.arange(len(keys), dtype=np.int32),
                           np.fromiter((p[0] for p in pairs), np.int64, len(pairs)),
                           np.fromiter((p[1] for p in pairs), np.float64, len(pairs)))

    async def handle_command(self, command: Command, client_id: str) -> list[CommandResult]:
        """Send a console's command through the bus to the feed's source; its answer comes back."""
        if self.sender is None:
            return [CommandResult(command.idempotency_key, "rejected", "this edge relays no commands")]
        return await self.sender.send(command, client_id)

    # -- the follower's side ------------------------------------------------------------
    def on_bus(self, bm: BusMessage) -> None:
        """One message from the stream: keep what a new console needs, then broadcast it."""
        if bm.now_ms is not None and (self._now_ms is None or bm.now_ms >= self._now_ms):
            self._now_ms, self._now_at = bm.now_ms, monotonic()
        if bm.speed is not None and bm.speed != self.speed:
            self.speed = bm.speed
            replay = getattr(self.server, "replay", None)
            if replay is not None:  # the buffer keeps resume_s of wall time, in feed time
                replay.keep_ms = int(getattr(self.server, "resume_s", 300.0) * 1000 * max(1.0, self.speed))
        if bm.caps is not None and bm.kind != "results":
            self.capabilities = bm.caps
        if bm.feed and bm.feed != self.feed_name:
            self.feed_name = bm.feed
            if self.server is not None:
                self.server.server_id = bm.feed
        message = bm.message
        if bm.kind == "results":
            if isinstance(message, CommandResult) and self.sender is not None:
                self.sender.on_result(message)
            return
        if bm.kind == "commands":
            return  # for the source, not for consoles
        if bm.kind == "incidents":
            if isinstance(message, Events):
                self.incident_state = message  # for new consoles; its events went out live already
            return
        if isinstance(message, TopologySnapshot):
            self.topology = message
        elif isinstance(message, PlanCatalogue):
            self.catalogue = message
        elif isinstance(message, Events):
            self._recent.extend(message.events)
        elif isinstance(message, MetricBatch):
            self._keep_last(message)
        else:
            return
        self.messages += 1
        if self.server is not None:
            self.server.broadcast(message)

    def _keep_last(self, batch: MetricBatch) -> None:
        n = len(batch)
        if not n:
            return
        self.points += n
        # The last row of each series in the batch (rows are in time order within a series).
        rev = batch.index[::-1]
        _, first_in_rev = np.unique(rev, return_index=True)
        rows = n - 1 - first_in_rev
        series, ts, values = batch.series, batch.ts, batch.values
        last = self._last
        for r in rows.tolist():
            key = series[int(batch.index[r])]
            t = int(ts[r])
            held = last.get(key)
            if held is None or t >= held[0]:
                last[key] = (t, float(values[r]))

    def on_bus_state(self, state: str, why: str) -> None:
        """The follower lost the bus, came back, or found a gap: tell the consoles."""
        if state in ("up", "down"):
            self.bus_state = state
        title = {
            "down": f"edge {self.name}: lost the bus ({why}); showing what it holds, stale until it is back",
            "up": f"edge {self.name}: bus back ({why}); catching up",
            "gap": f"edge {self.name}: gap in the feed: {why}",
        }.get(state, f"edge {self.name}: {why}")
        now = self.now_ms()
        severity = Severity.INFO if state == "up" else Severity.P3
        event = Event(f"edge-{self.name}-{state}-{now}-{len(self._recent)}", now, EventKind.FEED,
                      f"edge:{self.name}", title, severity, {"action": f"bus_{state}", "edge": self.name})
        self._recent.append(event)
        if self.server is not None:
            self.server.broadcast(Events((event,)))
