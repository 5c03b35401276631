"""One console's connection: feed client → live view (what panels show) + history store.

``FeedSession`` is GUI-free so it can be tested without Qt; the Qt app runs it on the
qasync loop. Every item from the client goes, in order, to the ``LiveView`` and to the
``Recorder`` (which stores it and turns connection changes into feed events). Events reach
the view through the recorder, so the view shows exactly what the history holds.

Four supervised tasks (``warroom.app.supervise``): the feed client, the consumer, the
recorder's housekeeping (error totals, the store's health) and the baselines' history (a
new baseline learns its time-of-day profile from the last ``HISTORY_DAYS`` days of the
history file, read off the event loop, so a console restarted at 10:30 knows what 10:30
looks like at once). A task that raises is logged
with its traceback, counted, written to the event log and shown on the feed-health panel
(``LiveView.feed_faults``), and restarted. A stage that fails on one item (the view, the
recorder's alert watch, the plan desk) is reported the same way and skips only that item.
A history store that stops is said once and the console goes on showing the feed.

Alerts and incidents: on a feed whose hello offers ``incidents`` (protocol 1.4) the panels
show the feed's own (``SharedWatch``: the same on every wall, actions sent as commands);
on any other feed the console's ``AlertWatch`` computes them, as it always did. The choice
is made again at every hello (``WatchSwitch``).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Callable

from warroom.app.catalogue import live_catalogue
from warroom.app.inspector import Inspector
from warroom.app.plan_desk import PlanDesk
from warroom.app.recorder import Recorder
from warroom.app.shared_watch import SharedWatch, WatchSwitch
from warroom.app.supervise import Fault, Supervisor
from warroom.core.incident.drills import running_drill
from warroom.app.watch import AlertWatch
from warroom.io.client import FeedClient, FeedStatus
from warroom.protocol import Events
from warroom.store import StoreWriter
from warroom.store.live import LiveView

log = logging.getLogger(__name__)


#: How far back a new baseline looks for its time-of-day profile, and the width of the buckets
#: it reads (averages: ten per profile quarter-hour per day, a few thousand rows per series).
HISTORY_DAYS = 7
HISTORY_BUCKET_MS = 90_000


def read_history(reader, keys: list, newest_ms: int | None) -> list:
    """``[(key, ts, values)]``: each series' last ``HISTORY_DAYS`` days before its first point
    in this session, in ``HISTORY_BUCKET_MS`` averages (blocking: run it off the event loop)."""
    if newest_ms is None or not keys:
        return []
    # One query for the whole batch (new series arrive together, at the start of a session),
    # then each series keeps only what came before its own first point.
    end = min(max(int(until) for _, until in keys), newest_ms + 1)
    start = end - HISTORY_DAYS * 86_400_000
    found = reader.range([k for k, _ in keys], start, end, max_points=max(1, (end - start) // HISTORY_BUCKET_MS))
    out = []
    for key, until_ms in keys:
        data = found[key]
        before = data.ts < int(until_ms)
        out.append((key, data.ts[before], data.value[before]))
    return out


class FeedSession:
    """Feeds a ``LiveView`` (and a ``StoreWriter``) from the feed at ``url``."""

    def __init__(self, url: str, view: LiveView, writer: StoreWriter, *, client: FeedClient | None = None,
                 watch: AlertWatch | None = None, supervisor: Supervisor | None = None) -> None:
        self.view = view
        self.writer = writer
        self.supervisor = supervisor or Supervisor()
        self.supervisor.on_fault = self._on_fault
        self.client = client or FeedClient(url)
        if self.client.on_fault is None:
            self.client.on_fault = lambda stage, exc: self.supervisor.fault(f"feed client: {stage}", exc)
        self.watch = watch
        #: The feed's incidents, used instead of ``watch`` when the hello offers them.
        self.shared: SharedWatch | None = None
        self.switch: WatchSwitch | None = None
        if watch is not None:
            self.shared = SharedWatch(self.client, user=watch.user)
            self.switch = WatchSwitch(watch, self.shared, on_change=self._use_watch)
        self.recorder = Recorder(self.client, writer, on_events=view.add_events, watch=self.switch,
                                 on_fault=self._item_fault)
        if watch is not None:
            watch.record = self.record  # the room's actions go into the same log
            view.alerting = watch
            watch.engine.wants_history = True  # baselines learn their time of day from the history file
        self.plans = PlanDesk(self.client, view, record=self._record_plan_steps)
        view.plan_desk = self.plans
        # A plan run confirmed during a drill is the drill's, every step of it (asked only at a step).
        self.plans.book.drill_of = lambda: running_drill(view.events(), view.cursor_ms)
        # The live inspector taps the client only while one of its panels is open.
        self.inspector = Inspector(self.client)
        view.inspector = self.inspector
        # The series catalogue shows, per series, the points the decoder refused (the client counts them).
        live_catalogue(view).refusals = self.client.refusals
        self.supervisor.add("feed client", self.client.run)
        self.supervisor.add("feed consumer", self._consume)
        self.supervisor.add("recorder housekeeping", self.recorder.housekeeping)
        if watch is not None:
            self.supervisor.add("baseline history", self._teach_baselines)

    async def _teach_baselines(self) -> None:
        """New baselines learn their time of day from the history file, read off the loop."""
        reader = None
        engine = self.watch.engine
        while True:
            await asyncio.sleep(1.0)
            keys = engine.take_unlearned()
            if not keys:
                continue
            if reader is None:
                reader = self.writer.reader()
            try:
                taught = await asyncio.to_thread(read_history, reader, keys, self.writer.newest_point_ms)
            except Exception:  # noqa: BLE001 - they learn live instead; alerting goes on
                log.warning("baselines could not read their history; they learn from the live feed",
                            exc_info=True)
                continue
            for key, ts, values in taught:
                engine.learn_history(key, ts, values)

    async def run(self) -> None:
        """Run until ``stop()`` (or cancellation)."""
        await self.supervisor.run()

    async def stop(self) -> None:
        """Disconnect and stop consuming; the writer stays open (its owner closes it)."""
        await self.client.stop()
        await self.supervisor.stop()

    def record(self, events: list) -> None:
        """Append events the room made (acknowledgements, notes, silences) to the history and view."""
        self.recorder.append_events(events)

    def _use_watch(self, watch: Any) -> None:
        """The hello chose the watch the panels show (the feed's, or this console's)."""
        self.view.alerting = watch
        self.view.version += 1

    def _record_plan_steps(self, events: list) -> None:
        self.record(events)
        if self.switch is not None:  # plan steps join the incident timeline (the feed's own hears them there)
            self.record(self.switch.active.on_events(events))

    def sync_clock(self) -> None:
        """Tell the view the feed's current time, connection state and faults (call every frame)."""
        st = self.client.status
        clock = self.client.clock
        sup = self.supervisor
        fault = ""
        if sup.last is not None:
            at = datetime.fromtimestamp(sup.last.at_ms / 1000).strftime("%H:%M:%S")
            fault = f"{sup.faults:,} task failure{'s' if sup.faults != 1 else ''}; last at {at}: {sup.last.describe()}"
        close = self.client.last_close
        self.view.set_feed(st.state.value, st.reason, st.server_id, clock.now_ms(),
                           self.client.errors.as_dict(), speed=clock.speed, faults=sup.faults, fault=fault,
                           last_close=f"last disconnect: {close.describe()}" if close is not None else "")

    async def _consume(self) -> None:
        queue = self.client.queue
        while True:
            item = await queue.get()
            if isinstance(item, FeedStatus):
                self._guard("feed consumer: health view", self.sync_clock)
            elif not isinstance(item, Events):  # events reach the view through the recorder
                self._guard("feed consumer: live view", self.view.apply, item)
            await self.recorder.handle(item)
            self._guard("feed consumer: plan desk", self.plans.on_item, item)
            if self.shared is not None:  # the feed's answers to incident commands
                self._guard("feed consumer: shared incidents", self.shared.on_item, item)

    def _guard(self, stage: str, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - one item must not stop the console
            self.supervisor.fault(stage, exc)
            return None

    def _item_fault(self, stage: str, exc: BaseException, action: str) -> None:
        self.supervisor.fault(f"recorder: {stage}", exc, action)

    def _on_fault(self, fault: Fault) -> None:
        self.recorder.record_fault(fault)  # the event log, and the view through it
        self.sync_clock()
