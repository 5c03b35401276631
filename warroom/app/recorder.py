"""The headless recorder: everything a feed client receives goes into the history store.

Metrics, events and topology snapshots are appended to a ``StoreWriter``. What the client
says about the connection becomes ``feed`` events in the event log (``attrs["what"]`` says
which kind), so a gap in the history is an explained gap and a replay shows what live showed:

* ``state``: a transition (live, stale, disconnected) with its reason and, for a disconnect,
  the close as it happened (``closed_by``, ``close_code``, ``close_reason``);
* ``clock_reset`` and ``gap``: the client's notices (the feed's clock went back or changed
  server; data the feed could not resend, ``gap_from``..``gap_to``);
* ``errors``: the running totals of protocol errors by code (``attrs["errors"]``), written
  every ``errors_every_s`` wall seconds when they changed, on every disconnect and by
  ``finish()``, so a replay can show the counts as of its cursor; with ``attrs["by_series"]``,
  the refused points of the series that had the most (``FeedClient.refusals``, at most
  ``REFUSED_SERIES_RECORDED``), for the series catalogue (docs/catalogue.md);
* ``fault``: a supervised task or one item of work failed (``record_fault``).

When the store cannot keep up, the recorder waits (it never drops a batch): the client's
queue fills, the socket is read no more, and the feed server eventually closes the
connection as a slow consumer, which is recorded too.

Nothing one item does stops the recorder: a stage that raises on it (the alert watch
choking on a message) is reported through ``on_fault`` and skipped, and the item's data is
stored all the same (the store comes first). A store that stops (its thread died, or it
could not write for ``store_give_up_s``) is said at once; with ``store_failure_fatal`` the
recorder then raises ``StoreFailed``, which ends a supervised recording (``warroom record``
exits non-zero), else it reports it once and carries on (the console keeps showing the feed).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from warroom.app.supervise import Fatal, Fault
from warroom.core.clock import monotonic
from warroom.core.model import Event, EventKind, Severity
from warroom.core.language.text import terminal_safe
from warroom.io.client import ConnectionState, FeedClient, FeedNotice, FeedStatus
from warroom.protocol import Events, Hello, MetricBatch, PlanCatalogue, TopologySnapshot
from warroom.store import StoreWriter

if TYPE_CHECKING:
    from warroom.app.watch import AlertWatch

log = logging.getLogger(__name__)

#: Longest one backpressure wait for room in the store (then the recorder looks again).
_BACKPRESSURE_WAIT_S = 0.2
#: A fault with the same task and reason is written to the event log at most this often.
FAULT_EVENT_EVERY_S = 10.0
#: Most series whose refused points an ``errors`` event names (the worst first).
REFUSED_SERIES_RECORDED = 200


class StoreFailed(Fatal):
    """The history store stopped, or could not write for too long: nothing more is saved."""


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
    faults: int = 0  # items a stage failed on (skipped by that stage)
    refused_points: int = 0  # points the store would not take (closed or stopped): not saved
    refused_events: int = 0


class Recorder:
    """Pumps a ``FeedClient``'s queue into a ``StoreWriter``; see the module docstring.

    ``report`` (optional) receives one line of text per stored event and a summary line
    every ``report_every_s`` wall seconds: that is what ``warroom record`` prints (every line
    terminal-safe). ``on_events`` (optional) sees every list of events stored, the recorder's
    own feed events included. ``on_fault(stage, exc, action)`` hears of an item a stage failed
    on (default: logged).
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
        on_fault: Callable[[str, BaseException, str], object] | None = None,
        errors_every_s: float = 10.0,
        store_failure_fatal: bool = False,
        store_give_up_s: float = 60.0,
    ) -> None:
        self.client = client
        self.writer = writer
        if client.since is None:
            # Recording again into a file that has data (a recorder restarted after a crash):
            # ask the feed to resend what it sent meanwhile, so the restart leaves no gap.
            client.since = writer.newest_point_ms
        self.report = report
        self.report_every_s = report_every_s
        self.on_events = on_events  # e.g. the console's live view, to show feed events too
        self.watch = watch  # alerts and incidents, derived from what is recorded
        self.on_fault = on_fault
        self.errors_every_s = errors_every_s
        self.store_failure_fatal = store_failure_fatal
        self.store_give_up_s = store_give_up_s
        self.stats = RecorderStats()
        self.plans: PlanCatalogue | None = None
        self._topology_content: tuple | None = None  # of the last snapshot handed to the store
        #: Why the store stopped taking data ("" while it works).
        self.store_failure = ""
        self._recorded_state: ConnectionState | None = None
        self._n_feed_events = 0
        self._last_report = monotonic()
        self._since_report = RecorderStats()
        self._last_series: tuple = ()
        self._errors_written: dict[str, int] = {}
        self._errors_at = monotonic()
        self._store_failing_since: float | None = None
        self._fault_events: dict[tuple[str, str], float] = {}

    # -- the tasks -------------------------------------------------------------------
    async def run(self) -> None:
        """Consume until cancelled."""
        while True:
            item = await self.client.queue.get()
            await self.handle(item)
            self._maybe_report()

    async def housekeeping(self, every_s: float = 0.5) -> None:
        """Until cancelled: the summary line, the protocol error totals, the store's health."""
        while True:
            await asyncio.sleep(every_s)
            self._maybe_report()
            self.record_errors()
            self.check_store()

    async def drain(self) -> None:
        """Store what is still queued (after the client stopped), without waiting for more."""
        queue = self.client.queue
        while not queue.empty():
            await self.handle(queue.get_nowait())

    def finish(self) -> None:
        """Write the final protocol error totals (if they changed); call before closing the store."""
        self.record_errors(force=True)

    # -- one item --------------------------------------------------------------------
    async def handle(self, item: object) -> None:
        """Store one item taken from the client's queue; then let the alert watch see it."""
        watch = self.watch
        if isinstance(item, MetricBatch):
            await self._append_metrics(item)
            if watch is not None:  # alerts even when the store refused the batch
                self.append_events(self._stage("alert watch", watch.on_batch, item) or [])
        elif isinstance(item, Events):
            self._append_events(list(item.events))
            if watch is not None:
                self.append_events(self._stage("alert watch", watch.on_events, item.events) or [])
        elif isinstance(item, TopologySnapshot):
            # A feed re-sends its whole graph (every 2 s, say): comparing records here costs a
            # few ms, handing it to the store costs its wire form plus canonical JSON each time.
            content = (item.topology.content(), item.topology.kpi_tree)  # the tree (1.6) is stored with it
            if content != self._topology_content:  # held as records: the Topology may change later
                if self._store("topology", self.writer.append_topology, item):
                    self.stats.topologies += 1
                    self._topology_content = content
            if watch is not None:
                self.append_events(self._stage("alert watch", watch.on_topology, item) or [])
        elif isinstance(item, FeedStatus):
            if item.state is ConnectionState.DISCONNECTED:
                self.record_errors(force=True)  # the totals as of the disconnect
            self._record_status(item)
        elif isinstance(item, FeedNotice):
            label = item.what.replace("_", " ")
            self._say(f"FEED {label.upper()}: {item.text.removeprefix(f'feed {label}: ')}")
            sev = Severity.P2 if item.what == "gap" else Severity.P3
            self._feed_event(item.what, item.at_ms, item.text, sev, dict(item.attrs), say=False)
        elif isinstance(item, PlanCatalogue):
            self.plans = item
            # Stamped with the feed's clock: a replay shows the plans offered at the cursor.
            self._store("plans", self.writer.append_plans, item, self.client.clock.now_ms())
        elif isinstance(item, Hello):
            self._say(f"connected to {item.server_id} (protocol {max(item.versions)}, speed x{item.speed:g})")
            if watch is not None and hasattr(watch, "on_hello"):  # WatchSwitch: the feed's incidents or ours
                self._stage("alert watch", watch.on_hello, item)

    def append_events(self, events: list[Event]) -> None:
        """Store events the console derived or made (alerts, incidents, notes) like the feed's."""
        self._append_events(events)

    def record_fault(self, fault: Fault) -> None:
        """Say a supervised task's (or an item's) failure and write it to the event log: the
        same task and reason at most every ``FAULT_EVENT_EVERY_S`` (its count says how many)."""
        key, now = (fault.task, fault.reason), monotonic()
        if now - self._fault_events.get(key, -FAULT_EVENT_EVERY_S) < FAULT_EVENT_EVERY_S:
            return
        if len(self._fault_events) > 1000:  # bounded, whatever a feed makes fail
            self._fault_events = {k: t for k, t in self._fault_events.items() if now - t < FAULT_EVENT_EVERY_S}
        self._fault_events[key] = now
        self._say(f"TASK FAILED: {fault.describe()} [{fault.count:,} so far]")
        if self.store_failure:
            return  # the store takes nothing more (and has said so)
        try:
            self._feed_event("fault", self.client.clock.now_ms(), fault.describe(), Severity.P2,
                             {"task": fault.task, "reason": fault.reason, "count": fault.count, "action": fault.action},
                             say=False)
        except Exception:  # noqa: BLE001 - a fault about the store cannot always be stored
            log.warning("could not write the fault to the event log", exc_info=True)

    # -- storing ---------------------------------------------------------------------
    async def _append_metrics(self, batch: MetricBatch) -> bool:
        if not len(batch):
            return True
        try:
            # timeout=0: never block the event loop; wait here instead, which is backpressure.
            while not self.writer.append_metrics(batch, timeout=0):
                self.stats.waits += 1
                # In a worker thread, woken as soon as a flush makes room: a poll would leave
                # the feed unread for the rest of its period after every flush (~10 ms each).
                await asyncio.to_thread(self.writer.wait_for_room, len(batch), _BACKPRESSURE_WAIT_S)
        except Exception as exc:  # noqa: BLE001 - classified by _refused
            self._refused("metrics", exc, points=len(batch))
            return False
        n, newest = len(batch), batch.newest_ts
        for s in (self.stats, self._since_report):
            s.points += n
            s.batches += 1
            s.newest_ts = newest if s.newest_ts is None else max(s.newest_ts, newest)
        if batch.series is not self._last_series:  # the decoder reuses one tuple while the set holds
            self._last_series = batch.series
            self.stats.series.update(batch.series)  # a decoded batch names only the series it uses
        return True

    def _append_events(self, events: list[Event], *, say: bool = True) -> None:
        if not events:
            return
        if not self._store("events", self.writer.append_events, events, events=len(events)):
            return
        if self.on_events is not None:
            self._stage("live view", self.on_events, events)
        self.stats.events += len(events)
        self._since_report.events += len(events)
        for e in events if say else ():
            sev = "" if e.severity is Severity.INFO else f" {e.severity.value}"
            self._say(f"event  {e.kind.value:<15}{sev} {e.subject}: {e.title}")

    def _store(self, what: str, append: Callable[..., Any], *args: Any, events: int = 0) -> bool:
        try:
            append(*args)
            return True
        except Exception as exc:  # noqa: BLE001 - classified by _refused
            self._refused(what, exc, events=events)
            return False

    def _refused(self, what: str, exc: Exception, *, points: int = 0, events: int = 0) -> None:
        """The store would not take an item: counted as not saved; a stopped store is a store failure."""
        self.stats.refused_points += points
        self.stats.refused_events += events
        if self._writer_stopped():
            self._store_failed(f"the history store stopped ({self.writer.health.last_error or exc})")
        elif self.store_failure:
            return  # already said; still counted
        else:
            self._fault(f"store ({what})", exc, "not saved")

    def _stage(self, stage: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one stage on an item; a failure is reported and the stage skips this item."""
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - one item must not stop the recording
            self._fault(stage, exc, "item skipped")
            return None

    def _fault(self, stage: str, exc: BaseException, action: str) -> None:
        self.stats.faults += 1
        if self.on_fault is None:
            log.error("recorder: %s failed; %s", stage, action, exc_info=exc)
        else:
            try:
                self.on_fault(stage, exc, action)
            except Exception:  # noqa: BLE001
                log.exception("reporting a recorder fault failed")

    # -- the store's health ----------------------------------------------------------
    def check_store(self) -> None:
        """Say at once when the store starts failing or stops; give up after ``store_give_up_s``."""
        h = self.writer.health
        if self._writer_stopped():
            self._store_failed(f"the history store stopped ({h.last_error or 'its writer thread ended'})")
            return
        if h.last_error is None:
            if self._store_failing_since is not None:
                self._store_failing_since = None
                self._say("store: writes succeed again")
            return
        now = monotonic()
        if self._store_failing_since is None:
            self._store_failing_since = now
            log.error("history store: writes failing: %s", h.last_error)
            self._say(f"STORE WRITES FAILING: {h.last_error}; {h.pending_points:,} points held, retrying")
        elif now - self._store_failing_since >= self.store_give_up_s:
            self._store_failed(f"the history could not be written for {now - self._store_failing_since:.0f} s"
                               f" ({h.last_error})")

    def _writer_stopped(self) -> bool:
        return not self.writer.alive and not self.writer.health.closed

    def _store_failed(self, why: str) -> None:
        if self.store_failure_fatal:
            self.store_failure = why
            raise StoreFailed(why)
        if not self.store_failure:
            self.store_failure = why
            self._say(f"STORE FAILED: {why}; nothing more is saved")
            self._fault("history store", StoreFailed(why), "nothing more is saved")

    # -- feed events -----------------------------------------------------------------
    def record_errors(self, force: bool = False) -> None:
        """Write the protocol error totals as a ``feed`` event if they changed (and, unless
        ``force``, ``errors_every_s`` passed since the last one)."""
        totals = self.client.errors.as_dict()
        if totals == self._errors_written or (not force and monotonic() - self._errors_at < self.errors_every_s):
            return
        self._errors_written, self._errors_at = totals, monotonic()
        text = ", ".join(f"{code} × {n:,}" for code, n in totals.items())
        attrs: dict = {"errors": totals, "total": sum(totals.values())}
        refusals = getattr(self.client, "refusals", None)  # per series, for the series catalogue
        if refusals is not None and len(refusals):
            attrs["by_series"] = {k.text: n for k, n in refusals.top(REFUSED_SERIES_RECORDED).items()}
        self._feed_event("errors", self.client.clock.now_ms(), f"protocol errors so far: {text}", Severity.INFO,
                         attrs, say=False)

    def _record_status(self, status: FeedStatus) -> None:
        if status.state is not ConnectionState.CONNECTING:
            self._say(f"feed {status.state.value}: {status.reason}")
        # Record transitions between states, not every retry of a long outage.
        if status.state is ConnectionState.CONNECTING or status.state is self._recorded_state:
            return
        if self._recorded_state is None and status.state is ConnectionState.DISCONNECTED and status.close is None:
            return  # not yet connected and no connection ended (refused, unreachable): nothing to explain
        self._recorded_state = status.state
        sev = Severity.INFO if status.state is ConnectionState.LIVE else Severity.P2
        attrs = {"state": status.state.value, "reason": status.reason, "server_id": status.server_id}
        if status.close is not None:
            attrs.update(status.close.attrs())
        self._feed_event("state", status.at_ms, f"feed {status.state.value}: {status.reason}", sev, attrs, say=False)

    def _feed_event(self, what: str, ts: int, title: str, sev: Severity, attrs: dict, *, say: bool) -> None:
        self._n_feed_events += 1
        ev = Event(
            id=f"feed-{self.client.client_id}-{self._n_feed_events}-{ts}",
            ts=ts,
            kind=EventKind.FEED,
            subject=self.client.url,
            title=title,
            severity=sev,
            attrs={"what": what, "client": self.client.client_id, **attrs},
        )
        self._append_events([ev], say=say)

    # -- output ----------------------------------------------------------------------
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
        if self.store_failure:
            store += f", STORE FAILED ({self.store_failure}); nothing more is saved"
        elif h.last_error:
            store += f", WRITE FAILING ({h.last_error}); {h.pending_points:,} points held, retrying"
        quarantined = sum(h.quarantined.values())
        if quarantined:
            store += f", {quarantined:,} rows quarantined"
        errors = self.client.errors.total
        self._say(
            f"{self.client.status.state.value:<5} +{s.points:,} points in {s.batches} frames"
            f" ({s.points / elapsed:,.0f}/s), {len(self.stats.series)} series, +{s.events} events{age}{store}"
            + (f"  protocol errors {self.client.errors.as_dict()}" if errors else "")
        )

    def _say(self, line: str) -> None:
        if self.report is None:
            return
        try:
            self.report(terminal_safe(line))  # feed text inside: no escape may reach the terminal
        except Exception:  # noqa: BLE001 - a closed terminal must not stop the recording
            log.warning("could not print a recorder line", exc_info=True)


__all__ = ["Recorder", "RecorderStats", "StoreFailed"]
