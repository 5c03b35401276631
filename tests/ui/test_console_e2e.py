"""Acceptance: the ``warroom demo`` machinery in-process, a fault injected through the feed's
command path, and the map's node for the faulty service turns red within 3 seconds of the
simulator emitting it.

This runs what ``warroom demo`` runs (``run_console`` with a ``SimFeed`` on its own thread,
the console connected to it over loopback websockets, the store writing a history file),
with an ``on_ready`` hook driving the window. The only timing assertion is the product
requirement itself, measured from the moment the simulator's feed loop produced the first
batch carrying the fault's effect to the first frame that painted the node red.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from warroom.core.alerting.health import service_level, thresholds_by_service  # noqa: E402
from warroom.core.model import EventKind, SeriesKey  # noqa: E402
from warroom.io.oneshot import send_command  # noqa: E402
from warroom.sim.engine import Simulator  # noqa: E402
from warroom.sim.feed import SimFeed  # noqa: E402
from warroom.ui.app import ConsoleOptions, run_console  # noqa: E402

pytestmark = pytest.mark.slow

BUSY_HOUR_MS = 1763605800000  # 2025-11-20 10:30:00 UTC+8, the morning peak
SERVICE = "bank-icbc"
FAULT = f"dependency_outage:{SERVICE}"
#: The product requirement: the wall shows the fault within this many seconds.
REQUIRED_S = 3.0
#: Generous bounds for a loaded 2-core machine; they only decide when to give up.
READY_TIMEOUT_S = 60.0
RED_TIMEOUT_S = 30.0
COMMAND_TIMEOUT_S = 30.0
GUARD_S = 200.0  # more than the waits above add up to, less than pytest's timeout (300 s)


class EmissionWatch:
    """Wraps ``SimFeed.step`` (it runs on the simulator's thread) and records the wall time
    (``time.monotonic()``) of the first batch in which ``SERVICE`` grades ``crit``, the way
    the map grades it: at the batch's newest second, with the map's thresholds."""

    def __init__(self, feed: SimFeed) -> None:
        self.feed = feed
        self.first_crit_at: float | None = None
        self.first_fault_event_at: float | None = None
        self._lock = threading.Lock()
        s = {"service": SERVICE}
        self._keys = (SeriesKey("service_error_ratio", s), SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}),
                      SeriesKey("service_saturation_ratio", s))
        self._thresholds = thresholds_by_service(feed.sim.topology)[SERVICE]
        self._step = feed.step
        feed.step = self.step  # SimFeed.run calls self.step(): the instance attribute wins

    def step(self, max_ticks: int | None = None):
        batch, events = self._step(max_ticks)
        now = time.monotonic()  # just before run() broadcasts: the delay measured is never short
        with self._lock:
            if self.first_fault_event_at is None and any(
                    e.kind is EventKind.FAULT and e.subject == SERVICE for e in events):
                self.first_fault_event_at = now
            if self.first_crit_at is None and batch is not None and len(batch) and self._level(batch) == "crit":
                self.first_crit_at = now
        return batch, events

    def _level(self, batch) -> str:
        last = batch.ts == batch.ts.max()
        values = {batch.series[int(i)]: float(v) for i, v in zip(batch.index[last], batch.values[last])}
        return service_level(*(values.get(k) for k in self._keys), self._thresholds)


async def wait_for(predicate, timeout_s: float, what: str, interval_s: float = 0.02):
    """Poll ``predicate`` on the UI loop until it is truthy; AssertionError at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        await asyncio.sleep(interval_s)


@pytest.fixture(autouse=True)
def _fresh_event_loop_afterwards():
    """``run_console`` leaves its (closed) qasync loop set as the thread's event loop."""
    yield
    asyncio.set_event_loop(None)


@pytest.mark.parametrize("speed", [1.0, 60.0], ids=["live-speed", "demo-speed"])
def test_injected_outage_turns_the_map_node_red_within_three_seconds(qapp, tmp_path: Path, speed: float) -> None:
    feed = SimFeed(Simulator(seed=7, start_ms=BUSY_HOUR_MS), speed=speed)
    watch = EmissionWatch(feed)
    seen: dict = {}

    async def on_ready(win) -> None:
        # Whatever happens in here, the window closes so run_console returns.
        try:
            await drive(win)
        except BaseException as exc:  # reported by the test after run_console returned
            seen["error"] = exc
        finally:
            win.close()

    async def drive(win) -> None:
        topo = win.panels["topology_map"]
        board = win.panels["scenarios"]
        red_at: list[float] = []

        def on_frame(_t: float) -> None:  # right after a frame refreshed the panels
            node = topo.nodes.get(SERVICE)
            if not red_at and node is not None and node.level == "crit":
                red_at.append(time.monotonic())

        win.sig_frame_painted.connect(on_frame)
        await wait_for(lambda: SERVICE in topo.nodes and topo.nodes[SERVICE].level == "ok", READY_TIMEOUT_S,
                       f"the map to show {SERVICE} healthy")
        seen["level_before"] = topo.nodes[SERVICE].level
        seen["unhealthy_before"] = [r.id for r in board.model.rows if r.level in ("warn", "crit")]
        assert not red_at and watch.first_crit_at is None, "the service was red before the fault"

        url = await wait_for(lambda: feed.server is not None and feed.server.url, READY_TIMEOUT_S, "the feed's url")
        result = await send_command(url, "inject_fault", {"spec": FAULT}, actor="test", reason="acceptance",
                                    timeout_s=COMMAND_TIMEOUT_S)
        seen["command"] = (result.state, result.message)
        assert result.state == "succeeded", result.message

        await wait_for(lambda: red_at, RED_TIMEOUT_S, f"the map to paint {SERVICE} red")
        seen["red_at"] = red_at[0]
        seen["level_after"] = topo.nodes[SERVICE].level
        await wait_for(lambda: any(r.id == "qr_pay" and r.level in ("warn", "crit") for r in board.model.rows),
                       RED_TIMEOUT_S, "the scenario board to flag qr_pay")
        seen["board"] = [(r.id, r.level) for r in board.model.rows]

    # The window closing is what ends run_console: no other window may keep the app alive.
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    # Last resort if the console hangs outside the hook's bounded waits: close every
    # window (run_console then returns) well before pytest's own timeout.
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(QApplication.closeAllWindows)
    guard.start(int(GUARD_S * 1000))
    try:
        rc = run_console(ConsoleOptions(sim_feed=feed, layout="command-centre", db=tmp_path / "h.duckdb",
                                        settings=False, size=(1600, 900), on_ready=on_ready))
    finally:
        guard.stop()
    if "error" in seen:
        raise seen["error"]
    assert rc == 0

    assert seen["level_before"] == "ok"
    assert "qr_pay" not in seen["unhealthy_before"]
    assert seen["command"][0] == "succeeded"
    assert seen["level_after"] == "crit"

    emitted = watch.first_crit_at
    assert emitted is not None, "the simulator never emitted the fault's effect"
    # The outage bites in the very second it starts: its first batch already grades crit.
    assert watch.first_fault_event_at is not None and emitted <= watch.first_fault_event_at + 0.001
    delay = seen["red_at"] - emitted
    print(f"\nx{speed:g}: {SERVICE} red {delay * 1000:.0f} ms after the simulator emitted the outage")
    assert 0 <= delay <= REQUIRED_S, f"{SERVICE} turned red {delay:.2f} s after the simulator emitted the fault"

    unhealthy = [sid for sid, level in seen["board"] if level in ("warn", "crit")]
    assert "qr_pay" in unhealthy, seen["board"]
    assert (tmp_path / "h.duckdb").exists()
