"""One console's connection: feed client → live view (what panels show) + history store.

``FeedSession`` is GUI-free so it can be tested without Qt; the Qt app runs it on the
qasync loop. Every item from the client goes, in order, to the ``LiveView`` and to the
``Recorder`` (which stores it and turns connection changes into feed events). Events reach
the view through the recorder, so the view shows exactly what the history holds.
"""

from __future__ import annotations

import asyncio
import contextlib

from warroom.io.client import FeedClient, FeedStatus
from warroom.app.plan_desk import PlanDesk
from warroom.app.recorder import Recorder
from warroom.app.watch import AlertWatch
from warroom.protocol import Events
from warroom.store import StoreWriter
from warroom.store.live import LiveView


class FeedSession:
    """Feeds a ``LiveView`` (and a ``StoreWriter``) from the feed at ``url``."""

    def __init__(self, url: str, view: LiveView, writer: StoreWriter, *, client: FeedClient | None = None,
                 watch: AlertWatch | None = None) -> None:
        self.view = view
        self.writer = writer
        self.client = client or FeedClient(url)
        self.watch = watch
        self.recorder = Recorder(self.client, writer, on_events=view.add_events, watch=watch)
        if watch is not None:
            watch.record = self.record  # the room's actions go into the same log
            view.alerting = watch
        self.plans = PlanDesk(self.client, view, record=self._record_plan_steps)
        view.plan_desk = self.plans
        self._tasks: list[asyncio.Task[None]] = []

    async def run(self) -> None:
        """Run until ``stop()`` (or cancellation)."""
        self._tasks = [asyncio.create_task(self.client.run(), name="feed-client"),
                       asyncio.create_task(self._consume(), name="feed-consumer")]
        try:
            await asyncio.gather(*self._tasks)
        finally:
            for t in self._tasks:
                t.cancel()

    async def stop(self) -> None:
        """Disconnect and stop consuming; the writer stays open (its owner closes it)."""
        await self.client.stop()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t

    def record(self, events: list) -> None:
        """Append events the room made (acknowledgements, notes, silences) to the history and view."""
        self.recorder.append_events(events)

    def _record_plan_steps(self, events: list) -> None:
        self.record(events)
        if self.watch is not None:  # plan steps join the incident timeline
            self.record(self.watch.on_events(events))

    def sync_clock(self) -> None:
        """Tell the view the feed's current time and connection state (call every frame)."""
        st = self.client.status
        clock = self.client.clock
        self.view.set_feed(st.state.value, st.reason, st.server_id, clock.now_ms(),
                           self.client.errors.as_dict(), speed=clock.speed)

    async def _consume(self) -> None:
        queue = self.client.queue
        while True:
            item = await queue.get()
            if isinstance(item, FeedStatus):
                self.sync_clock()
            elif not isinstance(item, Events):  # events reach the view through the recorder
                self.view.apply(item)
            await self.recorder.handle(item)
            self.plans.on_item(item)
