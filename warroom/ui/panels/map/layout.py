"""Laying the call-chain map out, on a worker thread when the graph is big.

``lay_out`` is the pure part: slots from the panel's ``StableLayout``, edge routes, health
thresholds, for one topology (tens of ms for 1,000 services and 3,000 calls; no Qt object is
made). ``LayoutRunner`` runs it: at once for a small graph (a thread hop would cost more than
the layout), else on one background thread, handing the result back to the UI thread through
the asyncio loop (``loop.call_soon_threadsafe``; the console runs Qt under qasync). Where no
loop runs (the replay window, plain Qt tests) a short Qt timer on the UI thread collects the
finished result instead. Either way the UI thread never waits for a layout, and no Qt object
crosses threads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QObject, QTimer

from warroom.core.graph.edge_routes import edge_routes
from warroom.core.graph.grouping import GroupMemory, Grouped, collapse, wrap_columns
from warroom.core.alerting.health import HealthThresholds, thresholds_by_service
from warroom.core.graph.layout import StableLayout
from warroom.core.graph.topology import Topology
from warroom.ui.panels.map.items import COL_STEP, ROW_STEP
from warroom.ui.panels.map.routes import GEOMETRY

log = logging.getLogger(__name__)

#: From this many services on, the map is laid out off the UI thread (and drawn in slices).
BIG_MAP_SERVICES = 200
_POLL_MS = 15  # how often the UI thread looks for a finished layout when no asyncio loop runs
#: A grouped map's tall columns are folded until it is about this much wider than high: the
#: shape of the map's place on a wall, so a fitted map fills it and its type is as big as can be.
WALL_ASPECT = 2.0


@dataclass(frozen=True)
class MapLayout:
    """Everything the panel needs to draw one topology, computed off the UI thread."""

    topology: Topology  # the feed's
    positions: dict[str, tuple[float, float]]  # {drawn node: (column, row)}
    routes: dict[tuple[str, str], list[tuple[float, float]]]  # scene points per drawn edge
    thresholds: dict[str, HealthThresholds]  # per service of the feed's topology
    thread: int = field(default=0, compare=False)  # ``threading.get_ident()`` of who computed it
    grouped: Grouped | None = field(default=None, compare=False)  # what is drawn; None: the topology
    expanded: frozenset[str] = frozenset()  # the groups drawn open

    @property
    def drawn(self) -> Topology:
        """The graph drawn: the feed's, or with its groups collapsed."""
        return self.grouped.topology if self.grouped is not None else self.topology


def lay_out(engine: StableLayout, topology: Topology, expanded: frozenset[str] = frozenset(),
            memory: GroupMemory | None = None) -> MapLayout:
    """Groups, slots, routes and thresholds of ``topology``; moves ``engine``'s remembered slots
    along. A big topology is drawn with every group (the feed's, or derived ones: ``memory``
    keeps those put across updates) but the ``expanded`` ones collapsed, its tall columns
    folded (``warroom.core.graph.grouping``).

    Call it from one thread at a time: ``engine`` and ``memory`` are not locked.
    """
    grouped = memory.collapse(topology, expanded) if memory is not None else collapse(topology, expanded)
    drawn = grouped.topology
    positions = engine.update(drawn)
    if grouped.collapsed:
        positions = wrap_columns(positions, WALL_ASPECT, COL_STEP, ROW_STEP)
    routes = edge_routes((e.key for e in drawn.edges), positions, GEOMETRY)
    return MapLayout(topology, positions, routes, thresholds_by_service(topology), threading.get_ident(),
                     grouped, frozenset(expanded))


class LayoutRunner(QObject):
    """Runs one layout at a time for a panel; see the module docstring."""

    _executor: concurrent.futures.ThreadPoolExecutor | None = None  # shared by every map panel

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.busy = False
        self.started = 0  # layouts started, for tests and the bench
        self._poll = QTimer(self)
        self._poll.setInterval(_POLL_MS)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._future: concurrent.futures.Future | None = None
        self._deliver: Callable[[MapLayout], None] | None = None

    def run(self, engine: StableLayout, topology: Topology, deliver: Callable[[MapLayout], None],
            expanded: frozenset[str] = frozenset(), memory: GroupMemory | None = None) -> None:
        """Lay ``topology`` out (``expanded``: its groups drawn open; ``memory``: the groups
        derived before) and call ``deliver(result)`` on the UI thread: before returning for a
        small graph, later for a big one. Only one layout runs at a time."""
        if self.busy:
            raise RuntimeError("a layout is already running")
        self.started += 1
        if len(topology) < BIG_MAP_SERVICES:
            deliver(lay_out(engine, topology, expanded, memory))
            return
        self.busy, self._deliver = True, deliver
        if LayoutRunner._executor is None:
            LayoutRunner._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="warroom-map-layout")
        future = LayoutRunner._executor.submit(lay_out, engine, topology, expanded, memory)
        self._future = future
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            self._poll.start()
        else:
            future.add_done_callback(lambda f: loop.call_soon_threadsafe(self._finish, f))

    def _on_poll_timeout(self) -> None:
        if self._future is not None and self._future.done():
            self._poll.stop()
            self._finish(self._future)

    def _finish(self, future: concurrent.futures.Future) -> None:
        if future is not self._future:
            return
        deliver, self._deliver, self._future, self.busy = self._deliver, None, None, False
        try:
            result = future.result()
        except Exception:  # a bad graph must not kill the map: it keeps what it drew
            log.exception("laying out the call-chain map failed")
            return
        try:
            if deliver is not None:
                deliver(result)
        except RuntimeError as exc:  # the panel was closed while its layout ran
            log.debug("layout result dropped: %s", exc)


__all__ = ["BIG_MAP_SERVICES", "LayoutRunner", "MapLayout", "WALL_ASPECT", "lay_out"]
