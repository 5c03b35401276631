"""A drill rig: the simulator feeding the alert engine and incident book, tick by tick.

No sockets and no threads: each simulated second goes straight from ``Simulator.tick()``
into ``AlertWatch``, so a drill of many simulated minutes runs in a second or two and
every timestamp is the simulator's own.
"""

from __future__ import annotations

import datetime as dt

from warroom.core.alerting.alerts import Alert, AlertEngine
from warroom.core.model import Event, EventKind
from warroom.core.alerting.rules import RuleSet, default_rules_path, load_rules_file
from warroom.app.watch import AlertWatch
from warroom.sim import Simulator


def utc_ms(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp() * 1000)


#: 10:30 local time (UTC+8), the morning peak.
PEAK_MS = utc_ms(2024, 11, 11, 2, 30)


class Drill:
    """A simulator wired to an ``AlertWatch``; ``log`` is the event log it would store."""

    def __init__(self, *, start_ms: int = PEAK_MS, seed: int = 3, rules: RuleSet | None = None,
                 notify=None, view=None, **sim_kwargs) -> None:
        self.sim = Simulator(start_ms=start_ms, seed=seed, **sim_kwargs)
        self.engine = AlertEngine(rules or load_rules_file(default_rules_path()), self.sim.topology)
        self.watch = AlertWatch(self.engine, notify=notify)
        self.log: list[Event] = []
        self.view = view  # an optional LiveView fed like the console's
        if view is not None:
            view.alerting = self.watch

    def run(self, seconds: int) -> None:
        """Advance the simulator ``seconds`` ticks, feeding everything to the watch."""
        for _ in range(seconds):
            batch, events = self.sim.tick()
            new = events + self.watch.on_events(events)
            if self.view is not None:
                self.view.apply(batch)
            new += self.watch.on_batch(batch)
            self.log += new
            if self.view is not None and new:
                self.view.add_events(new)

    def run_until(self, predicate, limit_s: int) -> int:
        """Tick until ``predicate()`` holds; the simulated seconds it took (``limit_s`` + 1 if never)."""
        for s in range(1, limit_s + 1):
            self.run(1)
            if predicate():
                return s
        return limit_s + 1

    @property
    def now_ms(self) -> int:
        return self.sim.now_ms

    def firing(self) -> list[Alert]:
        return [a for a in self.watch.alerts() if a.state in ("firing", "acknowledged")]

    def events(self, kind: EventKind) -> list[Event]:
        return [e for e in self.log if e.kind is kind]
