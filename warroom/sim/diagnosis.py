"""Diagnosis drills: inject one fault into a world, headless, and see whether the console names it.

For each case (a world, a fault kind, a target) the simulator runs second by second through
the same ``AlertWatch`` a console runs (the world's rules, or the shipped ones), and we
measure, from the moment the fault starts:

- ``first_alert_s``: the first alert that fires (any alert: the room has been told *something*);
- ``top1_s``: the first second at which the console's top answer names a correct root
  (``warroom.sim.faults.expected_roots``): the root cause of the live incident that opened
  first since the fault, or, while no incident is open, of the first root alert the alerts
  panel lists (roots first, most severe, oldest);
- ``wrong``: the roots the top answer named at any second that are not correct (an answer
  of "unknown" is not wrong, only late).

The first symptom of most faults is the fault itself, and so it is for a job that drives a
business flow (the flow's entry): the flow stops at once. A job that drives no flow is
different: between two runs its silence is its normal, so it shows nothing until a run is
*overdue* — the run it missed plus the lateness its cadence allows
(``warroom.core.alerting.cadence``; a nightly job is "missing" at 26 h, not at 24 h 0 min 1 s).
For such a ``job_stall`` the clock starts there.

Warm-up: a console that has watched the platform for a while has learned its normal, so each
world runs ``warm_s`` seconds healthy first; every case of a world starts from a copy of that
warmed-up state (the simulator, the watch and its baselines), so cases are independent and
the warm-up is paid once. ``bench/diagnosis.py`` runs every case; the tests run a sample.
"""

from __future__ import annotations

import copy
import statistics
from dataclasses import dataclass, field
from typing import Callable, Iterable

from warroom.app.watch import AlertWatch
from warroom.core.alerting.cadence import silent_after_s
from warroom.sim.engine import Simulator
from warroom.sim.faults import FaultKind, expected_roots, valid_targets
from warroom.sim.world import World, load_world

#: 2024-11-11 10:00 UTC+8 (a busy morning); the warm-up runs up to the drills' 10:30 start.
START_MS = 1_731_290_400_000
GOAL_S = 30.0


@dataclass(frozen=True)
class Case:
    """One drill's outcome (times in seconds from the fault's start; None = never)."""

    world: str
    kind: str
    target: str
    expected: frozenset[str]
    first_alert_s: float | None
    top1_s: float | None
    wrong: tuple[str, ...] = ()

    @property
    def hit(self) -> bool:
        """The root was named top-1 within the goal and nothing wrong was named."""
        return self.top1_s is not None and self.top1_s <= GOAL_S and not self.wrong


@dataclass
class Warmed:
    """A world's simulator and watch after the warm-up, to copy for each case."""

    world: World
    sim: Simulator
    watch: AlertWatch


@dataclass
class Table:
    """Cases grouped for the report."""

    cases: list[Case] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str, int, int, float | None, float | None, int]]:
        """``(world, kind, cases, top1 hits, median top1 s, max top1 s, wrong)`` per world × kind."""
        groups: dict[tuple[str, str], list[Case]] = {}
        for c in self.cases:
            groups.setdefault((c.world, c.kind), []).append(c)
        out = []
        for (world, kind), cs in groups.items():
            times = [c.top1_s for c in cs if c.top1_s is not None]
            out.append((world, kind, len(cs), sum(c.top1_s is not None for c in cs),
                        statistics.median(times) if times else None, max(times) if times else None,
                        sum(bool(c.wrong) for c in cs)))
        return out

    def summary(self) -> str:
        """The last line: ``diagnosis: cases=N top1=H within30s=W wrong=X``."""
        cs = self.cases
        return (f"diagnosis: cases={len(cs)} top1={sum(c.top1_s is not None for c in cs)} "
                f"within30s={sum(c.top1_s is not None and c.top1_s <= GOAL_S for c in cs)} "
                f"wrong={sum(bool(c.wrong) for c in cs)}")


def warm_up(world: World | str, *, warm_s: int = 600, seed: int = 7) -> Warmed:
    """Run ``world`` healthy for ``warm_s`` seconds through a fresh watch."""
    w = load_world(world) if isinstance(world, str) else world
    sim = Simulator(start_ms=START_MS, seed=seed, world=w)
    watch = AlertWatch.from_rules_file(w.rules) if w.rules else AlertWatch.from_rules_file()
    watch.on_topology(sim.topology)
    for _ in range(warm_s):
        batch, events = sim.tick()
        watch.on_events(events)
        watch.on_batch(batch)
    return Warmed(w, sim, watch)


def cases_of(world: World, kinds: Iterable[FaultKind] | None = None) -> list[tuple[FaultKind, str]]:
    """Every (kind, target) that applies to the world's services (``*`` surges left out)."""
    topo = world.platform.topology
    out = []
    for kind in kinds or FaultKind:
        for target in sorted(valid_targets(topo, kind)):
            if target != "*" and expected_roots(kind, target, topo):
                out.append((kind, target))
    return out


def run_case(warmed: Warmed, kind: FaultKind, target: str, *, watch_s: int = 90) -> Case:
    """Inject ``kind`` on ``target`` into a copy of the warmed-up state and watch until ``watch_s``
    seconds after its first symptom."""
    sim = copy.deepcopy(warmed.sim)
    watch = copy.deepcopy(warmed.watch, _shared(warmed.watch))
    topo = sim.topology
    expected = frozenset(expected_roots(kind, target, topo))
    fault = sim.inject_fault(kind.value, target)
    start = fault.start_ms
    if kind is FaultKind.JOB_STALL and not any(sc.entry == target for sc in topo.scenarios):
        start = max(start, _overdue_ms(sim, watch, target, start))
    first_alert = top1 = None
    wrong: list[str] = []
    before = {i.id for i in watch.incidents()}
    while sim.now_ms < start + watch_s * 1000:
        now = sim.now_ms
        batch, events = sim.tick()
        derived = watch.on_events(events) + watch.on_batch(batch)
        t = (now - start) / 1000.0
        if first_alert is None and any(e.attrs.get("state") == "firing" for e in derived
                                       if e.kind.value == "alert"):
            first_alert = t
        named = _top_answer(watch, before)
        if named and named not in expected and named not in wrong:
            wrong.append(named)
        if named in expected and top1 is None:
            top1 = t
    return Case(warmed.world.name, kind.value, target, expected, first_alert, top1, tuple(wrong))


def _overdue_ms(sim: Simulator, watch: AlertWatch, job: str, fault_ms: int) -> int:
    """When a job stalled at ``fault_ms`` is first overdue: its last run before the fault (the
    simulator runs a job every ``cadence_s`` from its start) plus ``silent_after_s``."""
    cadence = sim.topology.service(job).cadence_s or 60.0
    period = max(1, round(cadence)) * 1000
    elapsed = fault_ms - sim.start_ms
    last_run = sim.start_ms + ((elapsed - 1) // period) * period  # a run at the fault's tick is stalled
    return int(last_run + silent_after_s(watch.engine.rules.stale_after_s, cadence) * 1000)


def _shared(watch: AlertWatch) -> dict[int, object]:
    """A deepcopy memo that shares what never changes (the rules, the call graph) between copies."""
    rules = watch.engine.rules
    memo: dict[int, object] = {id(rules): rules, **{id(r): r for r in rules.rules}}
    topo = getattr(watch, "_topology", None)
    if topo is not None:
        memo[id(topo)] = topo
    return memo


def _top_answer(watch: AlertWatch, before: set[str]) -> str:
    """The root the console shows first: the first live incident opened since the fault, else
    the first root alert that is firing."""
    live = [i for i in watch.incidents() if i.live and i.id not in before]
    if live:
        return min(live, key=lambda i: (i.detected_ms, i.id)).root_cause
    for a in watch.alerts():
        if a.is_root and a.state in ("firing", "acknowledged") and a.root_cause:
            return a.root_cause
    return ""


def run(worlds: Iterable[str], *, sample: int | None = None, kinds: Iterable[FaultKind] | None = None,
        warm_s: int = 600, watch_s: int = 90, progress: Callable[[Case], None] | None = None) -> Table:
    """Every case of every world (``sample``: at most that many targets per kind, spread out)."""
    table = Table()
    for name in worlds:
        warmed = warm_up(name, warm_s=warm_s)
        chosen = cases_of(warmed.world, kinds)
        if sample is not None:
            by_kind: dict[FaultKind, list[str]] = {}
            for kind, target in chosen:
                by_kind.setdefault(kind, []).append(target)
            chosen = [(k, ts[i * len(ts) // min(sample, len(ts))]) for k, ts in by_kind.items()
                      for i in range(min(sample, len(ts)))]
        for kind, target in chosen:
            case = run_case(warmed, kind, target, watch_s=watch_s)
            table.cases.append(case)
            if progress is not None:
                progress(case)
    return table
