"""The headless recorder: everything a feed client receives goes into the history store.

Metrics, events and topology snapshots are appended to a ``StoreWriter``. The client's
state changes become ``feed`` events in the event log, so a gap in the history is an
explained gap ("feed disconnected: server closed the connection") and never a run of
invented points. When the store cannot keep up, the recorder waits (it never drops a
batch): the client's queue fills, the socket is read no more, and the feed server
eventually closes the connection as a slow consumer, which is recorded too.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from warroom.core.clock import monotonic
from warroom.core.model import Event, EventKind, Severity
from warroom.io.client import ConnectionState, FeedClient, FeedStatus
from warroom.protocol import Events, Hello, MetricBatch, PlanCatalogue, TopologySnapshot
from warroom.store import StoreWriter

if TYPE_CHECKING:
    from warroom.app.watch import AlertWatch

log = logging.getLogger(__name__)

_BACKPRESSURE_POLL_S = 0.02


@dataclass
class RecorderStats:
    """Totals since the recorder started."""

    points: int = 0
    batches: int = 0
    events: int = 0
    topologies: int = 0
    newest_ts: int | None = None
    waits: int = 0  # times the store was full and the recorder had to wait
    series: set = field(default_factory=set)


class Recorder:
    """Pumps a ``FeedClient``'s queue into a ``StoreWriter``.

    ``report`` (optional) receives one line of text per stored event and a summary line
    every ``report_every_s`` wall seconds: that is what ``warroom record`` prints.
    ``on_events`` (optional) sees every list of events stored, the recorder's own feed
    events included.
    """

    def __init__(
        self,
        client: FeedClient,
        writer: StoreWriter,
        *,
        report: Callable[[str], None] | None = None,
        report_every_s: float = 1.0,
        on_events: Callable[[list[Event]], None] | None = None,
        watch: "AlertWatch | None" = None,
    ) -> None:
        self.client = client
        self.writer = writer
        self.report = report
        self.report_every_s = report_every_s
        self.on_events = on_events  # e.g. the console's live view, to show feed events too
        self.watch = watch  # alerts and incidents, derived from what is recorded
        self.stats = RecorderStats()
        self.plans: PlanCatalogue | None = None
        self._recorded_state: ConnectionState | None = None
        self._n_feed_events = 0
        self._last_report = monotonic()
        self._since_report = RecorderStats()
        self._last_series: tuple = ()

    async def run(self) -> None:
        """Consume until cancelled."""
        while True:
            item = await self.client.queue.get()
            await self.handle(item)
            self._maybe_report()

    async def handle(self, item: object) -> None:
        """Store one item taken from the client's queue."""
        if isinstance(item, MetricBatch):
            await self._append_metrics(item)
            if self.watch is not None:
                self.append_events(self.watch.on_batch(item))
        elif isinstance(item, Events):
            self._append_events(list(item.events))
            if self.watch is not None:
                self.append_events(self.watch.on_events(item.events))
        elif isinstance(item, TopologySnapshot):
            self.writer.append_topology(item)
            self.stats.topologies += 1
            if self.watch is not None:
                self.watch.on_topology(item)
        elif isinstance(item, FeedStatus):
            self._record_status(item)
        elif isinstance(item, PlanCatalogue):
            self.plans = item
            # Stamped with the feed's clock: a replay shows the plans offered at the cursor.
            self.writer.append_plans(item, self.client.clock.now_ms())
        elif isinstance(item, Hello):
            self._say(f"connected to {item.server_id} (protocol {max(item.versions)}, speed x{item.speed:g})")

    async def _append_metrics(self, batch: MetricBatch) -> None:
        if not len(batch):
            return
        # timeout=0: never block the event loop; wait here instead, which is backpressure.
        while not self.writer.append_metrics(batch, timeout=0):
            self.stats.waits += 1
            await asyncio.sleep(_BACKPRESSURE_POLL_S)
        for s in (self.stats, self._since_report):
            s.points += len(batch)
            s.batches += 1
            newest = int(batch.ts.max())
            s.newest_ts = newest if s.newest_ts is None else max(s.newest_ts, newest)
        if batch.series is not self._last_series:  # the decoder reuses one tuple while the set holds
            self._last_series = batch.series
            self.stats.series.update(batch.series)  # a decoded batch names only the series it uses

    def append_events(self, events: list[Event]) -> None:
        """Store events the console derived or made (alerts, incidents, notes) like the feed's."""
        self._append_events(events)

    def _append_events(self, events: list[Event], *, say: bool = True) -> None:
        if not events:
            return
        self.writer.append_events(events)
        if self.on_events is not None:
            self.on_events(events)
        self.stats.events += len(events)
        self._since_report.events += len(events)
        for e in events if say else ():
            sev = "" if e.severity is Severity.INFO else f" {e.severity.value}"
            self._say(f"event  {e.kind.value:<15}{sev} {e.subject}: {e.title}")

    def _record_status(self, status: FeedStatus) -> None:
        if status.state is not ConnectionState.CONNECTING:
            self._say(f"feed {status.state.value}: {status.reason}")
        # Record transitions between states, not every retry of a long outage.
        if status.state is ConnectionState.CONNECTING or status.state is self._recorded_state:
            return
        if self._recorded_state is None and status.state is ConnectionState.DISCONNECTED:
            return
        self._recorded_state = status.state
        self._n_feed_events += 1
        sev = Severity.INFO if status.state is ConnectionState.LIVE else Severity.P2
        ev = Event(
            id=f"feed-{self.client.client_id}-{self._n_feed_events}-{status.at_ms}",
            ts=status.at_ms,
            kind=EventKind.FEED,
            subject=self.client.url,
            title=f"feed {status.state.value}: {status.reason}",
            severity=sev,
            attrs={"state": status.state.value, "reason": status.reason, "server_id": status.server_id},
        )
        self._append_events([ev], say=False)  # already said above

    def _maybe_report(self) -> None:
        now = monotonic()
        if self.report is None or now - self._last_report < self.report_every_s:
            return
        elapsed = now - self._last_report
        self._last_report = now
        s, h = self._since_report, self.writer.health
        self._since_report = RecorderStats()
        age = ""
        if s.newest_ts is not None:
            age = f"  data age {max(0, self.client.clock.now_ms() - s.newest_ts) / 1000:.1f} s (feed time)"
        store = f"  store: {h.flushed_points:,} points committed"
        if h.last_error:
            store += f", WRITE FAILING ({h.last_error}); {h.pending_points:,} points held, retrying"
        errors = self.client.errors.total
        self._say(
            f"{self.client.status.state.value:<5} +{s.points:,} points in {s.batches} frames"
            f" ({s.points / elapsed:,.0f}/s), {len(self.stats.series)} series, +{s.events} events{age}{store}"
            + (f"  protocol errors {self.client.errors.as_dict()}" if errors else "")
        )

    def _say(self, line: str) -> None:
        if self.report is not None:
            self.report(line)
