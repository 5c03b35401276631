"""The simulator: a seeded, deterministic platform you can break and repair.

It plays the payment platform unless given a world (``warroom.sim.world``): any platform
described in a world file, with its own traffic curve.

Pure: no asyncio, no sockets, no wall clock. The caller decides when to call ``tick()``
(the feed glue does so ``speed`` times per wall second). Same seed, same ``start_ms`` and
the same commands between the same ticks give identical output.

API::

    sim = Simulator(seed=7, start_ms=ts, platform=build_platform(), promotion=None)
    sim = Simulator(seed=7, start_ms=ts, world=load_world("webshop"))   # any world
    batch, events = sim.tick()          # one simulated second at sim.now_ms, then now_ms += 1000
    sim.now_ms                          # timestamp of the next tick
    sim.inject_fault(kind, target, duration_s=None, *, delay_s=0.0, severity=1.0, **params) -> Fault
    sim.inject_spec(parse_fault_spec("bank_latency_spike:bank-icbc@60s+120s")) -> Fault
    sim.clear_fault(fault_id) -> Fault
    sim.start_drill(name="", actor="", reason="") -> str; sim.end_drill(actor="") -> str   # drill windows
    sim.drill_all = True                # every fault injected from now on is a drill's (``warroom sim --drill``)
    sim.execute_plan(plan_id, actor="", reason="", idempotency_key="") -> dict  # details + "event_id"
    sim.rollback_plan(plan_id, actor="", reason="", idempotency_key="") -> str  # the event's id
    sim.start_surge(multiplier, duration_s, scenarios=()) -> Surge
    sim.active_faults, sim.active_plans, sim.topology, sim.plans, sim.series, sim.catalogue()

Commands take effect at ``now_ms``. Every event (fault started/ended, deploy, standby
promoted, plan executed/rolled back/expired, surge or promotion started) is returned by
the next ``tick()``, exactly once, with ids ``sim-<seed>-<n>``. Bad commands raise
``ValueError`` with a message fit to show the operator.

``batch.series[i]`` is the key of ``batch.values[i]`` and the order never changes (see
``warroom.sim.metrics`` for the metric names). Faults: ``warroom.sim.faults``; plans and
their effects: ``warroom.sim.catalogue`` and ``warroom.sim.controls``; the propagation
model: ``warroom.sim.flow``; the daily curve (UTC+8): ``warroom.sim.traffic``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from warroom.core.incident.drills import DRILL_KEY, drill_event, marked
from warroom.core.model import Event, EventKind, SeriesKey, ServiceKind, Severity
from warroom.core.plan.plans import Plan
from warroom.core.plan.stages import check_stage, stage_detail
from warroom.core.graph.topology import Topology
from warroom.protocol.messages import MetricBatch, PlanCatalogue
from warroom.sim import faults as F
from warroom.sim.controls import STANDBY_CAPACITY_FACTOR, STANDBY_LATENCY_FACTOR, Controls
from warroom.sim.flow import Flow, TickInputs, TickResult
from warroom.sim.logs import LogWriter
from warroom.sim.funnel import FunnelRates
from warroom.sim.metrics import SeriesLayout
from warroom.sim.platform import Platform, build_platform
from warroom.sim.traffic import DEFAULT_CURVE, DailyCurve, Promotion, Surge

if TYPE_CHECKING:  # the world package imports this one's siblings
    from warroom.sim.world import World

TICK_MS = 1000
#: Fault kinds in Chinese, for the Chinese titles of fault events.
FAULT_ZH = {
    "bank_latency_spike": "响应变慢", "hot_account_lock": "热点账户锁", "deploy_error_burst": "发布后报错",
    "traffic_surge": "流量激增", "db_failover": "主备切换", "dependency_outage": "不可用",
    "latency_spike": "变慢", "process_crash": "进程崩溃", "job_stall": "作业停滞", "consumer_stall": "消费停滞",
}
#: A healthy consumer is this many seconds behind its queue (before noise).
_BASE_LAG_S = 0.5
#: A consumer catching up clears at most this many seconds of lag per second.
_MAX_DRAIN_S = 20.0
# Small, so a fault stands out clearly against the noise.
_TRAFFIC_NOISE, _LATENCY_NOISE, _ERROR_NOISE = 0.02, 0.04, 0.3
# A standby takes over what made the primary unavailable; lock contention follows the data.
_MASKED_BY_STANDBY = (F.FaultKind.DB_FAILOVER, F.FaultKind.DEPENDENCY_OUTAGE)


class Simulator:
    """A simulated platform advancing one second per ``tick()``.

    ``world`` (a ``warroom.sim.world.World``) gives the platform and its traffic curve; its
    scheduled faults are not injected here (``warroom sim`` does that with ``inject_spec``).
    Without a world or a ``platform`` it is the payment platform.
    """

    def __init__(
        self, *, start_ms: int, seed: int = 0, platform: Platform | None = None, promotion: Promotion | None = None,
        world: World | None = None,
    ) -> None:
        if world is not None and platform is None:
            platform = world.platform
        self.world = world
        self.curve: DailyCurve = world.traffic if world is not None else DEFAULT_CURVE
        self.platform = platform if platform is not None else build_platform()
        self.seed = int(seed)
        self.start_ms = int(start_ms) // TICK_MS * TICK_MS  # whole seconds keep series aligned
        self._now = self.start_ms
        self.promotion = promotion
        self._rng = np.random.Generator(np.random.PCG64(self.seed))
        t = self.platform.topology
        self._flow = Flow(self.platform)
        self._controls = Controls(t)
        self._sidx = {n: i for i, n in enumerate(self._flow.services)}
        scenarios = t.scenarios
        self._scenario_ids = [sc.id for sc in scenarios]
        self._kidx = {k: i for i, k in enumerate(self._scenario_ids)}
        self._entries_of = [sc.entry for sc in scenarios]
        self._entries = list(dict.fromkeys(self._entries_of))
        self._entry_of_scenario = np.array([self._entries.index(e) for e in self._entries_of], dtype=np.intp)
        self._base_tps = np.array([self.platform.base_tps[k] for k in self._scenario_ids])
        self._consumers = F.consumers(t)
        self._jobs = F.jobs(t)
        self._reporting = F.reporting(t)
        self._funnel = FunnelRates(self.platform, self._flow)
        self._layout = SeriesLayout(self._flow.services, self._flow.edges, self._scenario_ids, self._entries,
                                    reporting=self._reporting, consumers=self._consumers, jobs=self._jobs,
                                    steps=self._funnel.series)
        self._blocked_pick = np.array([self._entries.index(e) for e in self._layout.entries], dtype=np.intp)
        self._lag = np.zeros(len(self._consumers))
        self._cadence = np.array([max(1, round(t.service(j).cadence_s or 60.0)) for j in self._jobs])
        self._last_success = np.full(len(self._jobs), self.start_ms / 1000.0)
        self._plans = {p.id: p for p in self.platform.plans}
        self._expiry: dict[str, int] = {}
        self._faults: dict[str, F.Fault] = {}
        self._started: set[str] = set()
        self._cleared: set[str] = set()
        self._milestones_done: set[tuple[str, str]] = set()
        self._surges: list[Surge] = []
        self._promo_announced = -1
        self._pending: list[Event] = []
        self._n_events = 0
        self._n_faults = 0
        self._last: TickResult | None = None
        self._spreads: dict[tuple[str, int], float] = {}  # latency spikes: see ``_spread``
        self._run_now: set[str] = set()  # restarted jobs: they run on the next tick
        self._logs = LogWriter(self.seed, t)  # error log lines with trace ids while faults are on
        #: Every fault injected is a drill's (``warroom sim --drill``, ``warroom drill``).
        self.drill_all = False
        self._drill: tuple[str, bool] | None = None  # the open drill window: (id, opened by a person)
        self._drill_of: dict[str, str] = {}  # started drill fault id -> its drill's id
        self._n_drills = 0
        self._drill_name: tuple[str, dict[str, str], str] = ("", {}, "")  # name, per language, subject

    # -- reading ----------------------------------------------------------------------
    @property
    def now_ms(self) -> int:
        """Timestamp of the next tick (epoch ms in simulated time)."""
        return self._now

    @property
    def topology(self) -> Topology:
        """The platform's call graph and scenarios."""
        return self.platform.topology

    @property
    def plans(self) -> tuple[Plan, ...]:
        """The plan catalogue."""
        return self.platform.plans

    @property
    def active_plans(self) -> tuple[str, ...]:
        """Ids of the plans in force, in execution order."""
        return self._controls.active

    @property
    def active_faults(self) -> tuple[F.Fault, ...]:
        """Faults not over yet, including those scheduled to start later."""
        return tuple(self._faults.values())

    @property
    def series(self) -> tuple[SeriesKey, ...]:
        """The series of every batch, in the order of its values."""
        return self._layout.series

    def catalogue(self) -> PlanCatalogue:
        """The plan catalogue message, with the active plans."""
        return PlanCatalogue(self.plans, self.active_plans)

    # -- commands ---------------------------------------------------------------------
    def inject_fault(
        self,
        kind: str,
        target: str,
        duration_s: float | None = None,
        *,
        delay_s: float = 0.0,
        severity: float = 1.0,
        drill: bool = False,
        **params: Any,
    ) -> F.Fault:
        """Schedule a fault ``delay_s`` after ``now_ms``; ``duration_s=None`` lasts until cleared
        (a ``db_failover`` then ends by itself once recovered). ``drill``: a drill's fault, as is
        every fault while ``drill_all`` or while a person's drill window is open."""
        fk, full = F.validate(self.topology, kind, target, severity, duration_s, params)
        if delay_s < 0:
            raise ValueError(f"delay_s must not be negative, got {delay_s!r}")
        if duration_s is None:
            duration_s = F.default_duration_s(fk, full)
        if fk == F.FaultKind.DEPLOY_ERROR_BURST and not full["version"]:
            full["version"] = f"{target}-1.{self._n_faults + 1}.0"
        self._n_faults += 1
        start = self._now + int(round(delay_s * 1000))
        end = None if duration_s is None else start + int(round(duration_s * 1000))
        drill = bool(drill) or self.drill_all or (self._drill is not None and self._drill[1])
        fault = F.Fault(f"fault-{self._n_faults}", fk, target, start, end, float(severity), full, drill)
        self._faults[fault.id] = fault
        return fault

    def inject_spec(self, spec: F.FaultSpec) -> F.Fault:
        """Inject a parsed command-line spec; its start counts from the simulator's start."""
        at = self.start_ms + int(round(spec.start_s * 1000))
        delay_s = max(0.0, (at - self._now) / 1000.0)
        return self.inject_fault(
            spec.kind, spec.target, spec.duration_s, delay_s=delay_s, severity=spec.severity,
            drill=getattr(spec, "drill", False), **dict(spec.params)
        )

    def clear_fault(self, fault_id: str) -> F.Fault:
        """End a fault now (a scheduled one is simply dropped)."""
        fault = self._faults.get(fault_id)
        if fault is None:
            raise ValueError(f"no active fault {fault_id!r}; active: {sorted(self._faults)}")
        if fault.id not in self._started:
            del self._faults[fault.id]
            return fault
        if fault.end_ms is None or fault.end_ms > self._now:
            fault = dataclasses.replace(fault, end_ms=max(self._now, fault.start_ms))
            self._faults[fault.id] = fault
            self._cleared.add(fault.id)
        return fault

    # -- drills -----------------------------------------------------------------------
    @property
    def drill(self) -> str:
        """The id of the drill window open now, ``""`` when none."""
        return self._drill[0] if self._drill is not None else ""

    def start_drill(self, name: str = "", actor: str = "", reason: str = "",
                    name_titles: dict[str, str] | None = None, subject: str = "") -> str:
        """Open a drill window now (a person's: it stays open until ``end_drill``); every fault
        injected while it is open is a drill's. Returns the drill's id."""
        if self._drill is not None:
            raise ValueError(f"drill {self._drill[0]} is already running; end it first")
        return self._open_drill(self._now, True, name=name, actor=actor, reason=reason, into=self._pending,
                                name_titles=name_titles, subject=subject)

    def end_drill(self, actor: str = "", reason: str = "") -> str:
        """Close the drill window open now; returns its id. Its faults keep their mark."""
        if self._drill is None:
            raise ValueError("no drill is running")
        did = self._drill[0]
        self._close_drill(self._now, actor=actor, reason=reason, into=self._pending)
        return did

    def drill_name(self, kind: str, target: str) -> tuple[str, dict[str, str]]:
        """A drill's name after its fault, in English and per language: ``bank-icbc: bank_latency_spike``."""
        return f"{target}: {kind}", {"zh_CN": f"{self._zh(target)}{FAULT_ZH.get(kind, '')}"}

    def _open_drill(self, ts: int, by_person: bool, *, name: str = "", actor: str = "", reason: str = "",
                    into: list[Event], name_titles: dict[str, str] | None = None, subject: str = "") -> str:
        self._n_drills += 1
        did = f"drill-{self.seed}-{ts // 1000}-{self._n_drills}"
        self._drill = (did, by_person)
        self._drill_name = (name, dict(name_titles or {}), subject)
        into.append(drill_event(did, ts, "start", name=name, actor=actor, reason=reason, name_titles=name_titles,
                                subject=subject))
        return did

    def _close_drill(self, ts: int, *, actor: str = "", reason: str = "", into: list[Event]) -> None:
        if self._drill is not None:
            name, titles, subject = self._drill_name
            into.append(drill_event(self._drill[0], ts, "end", name=name, actor=actor, reason=reason,
                                    name_titles=titles, subject=subject))
            self._drill = None

    def execute_plan(self, plan_id: str, actor: str = "", reason: str = "", idempotency_key: str = "",
                     stage: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Put a plan in force from ``now_ms``; returns details (e.g. ``shares`` after a bank failover)
        and ``event_id``, the id of the ``plan_execution`` event that records it. A command's
        ``idempotency_key`` goes into that event's attrs, so every console can match it.

        A staged shift (``warroom.core.plan.stages``) is executed one ``stage`` at a time
        (``{"index": N, ...}``, protocol 1.6): the first puts it in force at that stage's
        fraction, the next ones move the fraction (a ``stage`` event)."""
        plan = self._plans.get(plan_id)
        if plan is None:
            raise ValueError(f"unknown plan {plan_id!r}; known: {sorted(self._plans)}")
        fraction, at = _stage_of(plan, stage)
        if at is not None and plan.id in self._controls.active:
            detail = {**self._controls.stage(plan.id, fraction), "stage": at}
            self._flow.set_calls(self._controls.calls())
            event = self._plan_event(plan, "stage", actor, reason, detail, key=idempotency_key)
            return {**detail, "event_id": event.id}
        load, error = self._last_by_service()
        detail = self._controls.apply(plan, load, error, fraction=fraction)
        if at is not None:
            detail["stage"] = at
        if plan.kind == "rollback":
            detail["cleared_faults"] = self._undo_deploy(plan.target)
        elif plan.kind == "restart":
            detail["cleared_faults"] = self._restart(plan.target)
        self._flow.set_calls(self._controls.calls())
        if plan.expiry_s:
            self._expiry[plan.id] = self._now + int(plan.expiry_s * 1000)
        event = self._plan_event(plan, "execute", actor, reason, detail, key=idempotency_key)
        return {**detail, "event_id": event.id}

    def _undo_deploy(self, service: str) -> list[str]:
        """A ``rollback`` plan undoes its target's last deploy: the deploy faults in force on it
        end now, each with its "Rolled back" deploy event. Returns their ids."""
        return self._end_faults(service, (F.FaultKind.DEPLOY_ERROR_BURST,))

    def _end_faults(self, service: str, kinds: tuple[F.FaultKind, ...]) -> list[str]:
        """End the faults of ``kinds`` in force on ``service`` now (each with its event); their ids."""
        ended = [f.id for f in self._faults.values()
                 if f.kind in kinds and f.target == service and f.id in self._started and f.active_at(self._now)]
        for fault_id in ended:
            self.clear_fault(fault_id)
        return ended

    def _restart(self, service: str) -> list[str]:
        """A ``restart`` plan ends the crash or stall in force on its target (each with its
        fault-cleared event); a restarted job runs its missed run on the next tick."""
        ended = self._end_faults(
            service, (F.FaultKind.PROCESS_CRASH, F.FaultKind.JOB_STALL, F.FaultKind.CONSUMER_STALL))
        if service in self._jobs:
            self._run_now.add(service)
        return ended

    def rollback_plan(self, plan_id: str, actor: str = "", reason: str = "", idempotency_key: str = "") -> str:
        """Undo an active plan from ``now_ms``; returns the id of the event that records it."""
        return self._rollback(plan_id, "rollback", actor, reason, key=idempotency_key).id

    def start_surge(self, multiplier: float, duration_s: float, scenarios: tuple[str, ...] = ()) -> Surge:
        """Start a planned surge (e.g. a flash sale) now; ``scenarios`` empty means all."""
        if not multiplier > 0 or not duration_s > 0:
            raise ValueError("a surge needs a positive multiplier and duration")
        unknown = set(scenarios) - set(self._kidx)
        if unknown:
            raise ValueError(f"unknown scenarios {sorted(unknown)}; known: {self._scenario_ids}")
        surge = Surge(self._now, float(duration_s), float(multiplier), scenarios=tuple(scenarios))
        self._surges.append(surge)
        attrs = {"multiplier": float(multiplier), "duration_s": float(duration_s), "scenarios": list(scenarios)}
        title = f"Traffic surge x{multiplier:g} for {duration_s:g} s"
        self._pending.append(self._event(self._now, EventKind.NOTE, "platform", title, attrs=attrs,
                                         zh=f"流量激增 {multiplier:g} 倍，持续 {duration_s:g} 秒"))
        return surge

    # -- ticking ----------------------------------------------------------------------
    def tick(self) -> tuple[MetricBatch, list[Event]]:
        """Simulate the second at ``now_ms``; return its metrics and the events since the last tick."""
        ts = self._now
        events, self._pending = self._pending, []
        for plan_id, expiry in list(self._expiry.items()):
            if expiry <= ts:
                self._rollback(plan_id, "expire", "simulator", "plan expired", into=events, ts=expiry)
        self._advance_faults(ts, events)
        self._announce_promotion(ts, events)
        logs = self._logs.due(ts, self._faults.values())
        events += [marked(e, self._drill[0]) for e in logs] if self._drill is not None else logs

        S, K = len(self._flow.services), len(self._scenario_ids)
        z = self._rng.standard_normal(2 * S + K)  # a fixed draw per tick: commands never shift the noise
        traffic = self._traffic_factors(ts)
        offered = self._base_tps * self.curve.factor(ts) * traffic * np.exp(_TRAFFIC_NOISE * z[2 * S:])
        paused = self._paused(ts)
        if paused:
            # A stalled job or consumer takes no work: its own flows carry nothing.
            offered = offered * np.array([0.0 if e in paused else 1.0 for e in self._entries_of])
        admitted = self._controls.admit(offered, self._scenario_ids, self._entries_of)
        inputs = self._fault_inputs(ts, admitted, np.exp(_LATENCY_NOISE * z[:S]), np.exp(_ERROR_NOISE * z[S:2 * S]))
        result = self._flow.run(inputs)
        self._last = result
        blocked = np.bincount(self._entry_of_scenario, offered - admitted, minlength=len(self._entries))
        crashed = self._crashed(ts)
        up = np.array([0.0 if n in crashed else 1.0 for n in self._reporting])
        lag = self._advance_lag(result, inputs, paused, ts, z[:S])
        burst = self._advance_jobs(result, inputs, paused, ts)
        batch = self._layout.batch(ts, result, blocked[self._blocked_pick], offered, admitted, up=up, lag=lag,
                                   last_success=self._last_success.copy(), crashed=crashed, burst=burst,
                                   steps=self._funnel.rates(admitted, result))
        self._now = ts + TICK_MS
        return batch, events

    def _active_targets(self, ts: int, *kinds: F.FaultKind) -> frozenset[str]:
        return frozenset(f.target for f in self._faults.values() if f.kind in kinds and f.active_at(ts))

    def _crashed(self, ts: int) -> frozenset[str]:
        return self._active_targets(ts, F.FaultKind.PROCESS_CRASH)

    def _paused(self, ts: int) -> frozenset[str]:
        return self._active_targets(ts, F.FaultKind.JOB_STALL, F.FaultKind.CONSUMER_STALL)

    def _advance_lag(self, r: TickResult, x: TickInputs, paused: frozenset[str], ts: int,
                     noise: np.ndarray) -> np.ndarray:
        """Each consumer's backlog, in seconds: it ages a second per second while the consumer
        takes nothing (stalled, down, its queue down), grows by the share it cannot keep up
        with when overloaded or failing, and drains by its spare capacity once healthy."""
        if not self._consumers:
            return self._lag
        t = self.topology
        for i, c in enumerate(self._consumers):
            k = self._sidx[c]
            queues_down = any(x.down[self._sidx[q]] for q in t.callees(c) if t.service(q).kind == ServiceKind.QUEUE)
            stall = [f for f in self._faults.values()
                     if f.kind == F.FaultKind.CONSUMER_STALL and f.target == c and f.active_at(ts)]
            if stall:
                grow = sum(float(f.params["rate"]) * f.severity for f in stall)
            elif x.down[k] or queues_down:
                grow = 1.0
            else:
                rho = float(r.saturation[k])
                grow = max(0.0, 1.0 - 1.0 / rho) if rho > 1.0 else 0.0
                grow += float(r.svc_error[k])
                if grow < 0.01:  # healthy: catch up with the spare capacity
                    grow = -min(_MAX_DRAIN_S, (1.0 / max(rho, 0.05) - 1.0))
            self._lag[i] = max(0.0, self._lag[i] + grow)
        base = _BASE_LAG_S * np.exp(0.2 * noise[[self._sidx[c] for c in self._consumers]])
        return self._lag + base

    def _advance_jobs(self, r: TickResult, x: TickInputs, paused: frozenset[str], ts: int) -> np.ndarray | None:
        """Which jobs report this tick (one burst per cadence), after recording their success."""
        if not self._jobs:
            return None
        elapsed = (ts - self.start_ms) // TICK_MS
        burst = (elapsed % self._cadence) == 0
        if self._run_now:  # restarted jobs catch up on the run they missed
            burst = burst | np.array([j in self._run_now for j in self._jobs])
            self._run_now.clear()
        for i, j in enumerate(self._jobs):
            k = self._sidx[j]
            ok = j not in paused and not x.down[k] and r.svc_error[k] < 0.5
            if burst[i] and ok:
                self._last_success[i] = ts / 1000.0
        return burst

    def _traffic_factors(self, ts: int) -> np.ndarray:
        factors = np.ones(len(self._scenario_ids))
        if self.promotion is not None:
            factors *= self._scope(self.promotion.scenarios, self.promotion.factor(ts))
        self._surges = [s for s in self._surges if s.end_ms > ts]
        for s in self._surges:
            factors *= self._scope(s.scenarios, s.factor(ts))
        for fault in self._faults.values():
            if fault.active_at(ts):
                factor, ids = F.surge_factor(fault, self.topology)
                for k in ids:
                    factors[self._kidx[k]] *= factor
        return factors

    def _scope(self, scenarios: tuple[str, ...], factor: float) -> np.ndarray:
        if not scenarios:
            return np.full(len(self._scenario_ids), factor)
        return np.array([factor if k in scenarios else 1.0 for k in self._scenario_ids])

    def _fault_inputs(self, ts: int, admitted: np.ndarray, lat_noise: np.ndarray, err_noise: np.ndarray) -> TickInputs:
        S = len(self._flow.services)
        cap, ok, down = np.ones(S), np.ones(S), np.zeros(S)
        lat = lat_noise.copy()
        standby = self._controls.standby
        for fault in self._faults.values():
            if not fault.active_at(ts):
                continue
            for imp in F.impacts(fault, self.topology, ts):
                if imp.service in standby and fault.kind in _MASKED_BY_STANDBY:
                    continue
                i = self._sidx[imp.service]
                factor = imp.latency_factor
                if fault.kind is F.FaultKind.LATENCY_SPIKE:
                    factor = 1.0 + (factor - 1.0) * self._spread(fault.id, i)
                lat[i] *= factor
                cap[i] *= imp.capacity_factor
                ok[i] *= 1.0 - imp.error_ratio
                if imp.down:
                    down[i] = 1.0
        for name in standby:
            lat[self._sidx[name]] *= STANDBY_LATENCY_FACTOR
            cap[self._sidx[name]] *= STANDBY_CAPACITY_FACTOR
        return TickInputs(admitted, cap, lat, 1.0 - ok, down, err_noise)

    def _spread(self, fault_id: str, i: int) -> float:
        """How many times a service's own median work its whole median response is, taken from
        the tick before the fault (kept for the fault's life): a latency spike of x10 makes the
        response ten times slower, not just the service's own few milliseconds."""
        key = (fault_id, i)
        spread = self._spreads.get(key)
        if spread is None:
            own = float(self._flow.base_p50[i])
            seen = float(self._last.svc_p50[i]) if self._last is not None else own
            spread = max(1.0, seen / own) if own > 0 and np.isfinite(seen) else 1.0
            self._spreads[key] = spread
        return spread

    # -- events -----------------------------------------------------------------------
    def _event(self, ts: int, kind: EventKind, subject: str, title: str, severity: Severity = Severity.INFO,
               attrs: dict[str, Any] | None = None, zh: str = "") -> Event:
        """An event of the feed; ``zh`` is its title in Chinese (``attrs.titles``, protocol 1.1)."""
        self._n_events += 1
        attrs = dict(attrs or {})
        if zh:
            attrs["titles"] = {"zh_CN": zh}
        return Event(f"sim-{self.seed}-{self._n_events}", ts, kind, subject, title, severity, attrs)

    def _zh(self, name: str) -> str:
        """A service's Chinese name, for the Chinese titles of events."""
        svc = self.topology.service(name) if name in self.topology else None
        return (svc.titles.get("zh_CN") or svc.title or name) if svc is not None else name

    def _advance_faults(self, ts: int, events: list[Event]) -> None:
        for fault in list(self._faults.values()):
            if fault.start_ms > ts:
                continue
            attrs = {"fault_id": fault.id, "fault_kind": fault.kind.value, "target": fault.target,
                     "severity": fault.severity, "duration_s": fault.duration_s, "params": dict(fault.params)}
            if fault.drill and fault.id not in self._started:
                # A drill fault opens a window when none is; it carries the window's id from then on.
                if self._drill is not None:
                    did = self._drill[0]
                else:
                    name, titles = self.drill_name(fault.kind.value, fault.target)
                    did = self._open_drill(fault.start_ms, False, name=name, name_titles=titles, into=events,
                                           subject=fault.target)
                self._drill_of[fault.id] = did
            mark = {DRILL_KEY: self._drill_of[fault.id]} if fault.id in self._drill_of else {}
            attrs.update(mark)
            if fault.id not in self._started:
                self._started.add(fault.id)
                if fault.kind == F.FaultKind.DEPLOY_ERROR_BURST:
                    version = fault.params["version"]
                    events.append(self._event(fault.start_ms, EventKind.DEPLOY, fault.target,
                                              f"Deployed {fault.target} {version}", attrs={"version": version, **mark},
                                              zh=f"{self._zh(fault.target)} 发布 {version}"))
                events.append(self._event(fault.start_ms, EventKind.FAULT, fault.target,
                                          f"Fault injected: {fault.kind.value} on {fault.target}",
                                          F.EVENT_SEVERITY[fault.kind], {**attrs, "action": "inject"},
                                          zh=f"注入故障：{self._zh(fault.target)}{FAULT_ZH.get(fault.kind.value, '')}"))
            for offset, name in F.milestones(fault):
                at = fault.start_ms + offset
                due = at <= ts and (fault.end_ms is None or at < fault.end_ms)
                if due and (fault.id, name) not in self._milestones_done:
                    self._milestones_done.add((fault.id, name))
                    events.append(self._event(at, EventKind.CONFIG_CHANGE, fault.target,
                                              f"{fault.target}: standby promoted to primary",
                                              attrs={"fault_id": fault.id, "change": name, **mark},
                                              zh=f"{self._zh(fault.target)}：备库已提升为主库"))
            if fault.end_ms is not None and fault.end_ms <= ts:
                del self._faults[fault.id]
                how = "cleared" if fault.id in self._cleared else "ended"
                # Forget its bookkeeping so a simulator that runs for days does not grow.
                self._started.discard(fault.id)
                self._cleared.discard(fault.id)
                self._milestones_done = {m for m in self._milestones_done if m[0] != fault.id}
                if fault.kind == F.FaultKind.DEPLOY_ERROR_BURST:
                    events.append(self._event(fault.end_ms, EventKind.DEPLOY, fault.target,
                                              f"Rolled back {fault.target} from {fault.params['version']}",
                                              attrs={"version": "previous", "rolled_back": fault.params["version"], **mark},
                                              zh=f"{self._zh(fault.target)} 已回滚 {fault.params['version']}"))
                events.append(self._event(fault.end_ms, EventKind.FAULT, fault.target,
                                          f"Fault {how}: {fault.kind.value} on {fault.target}",
                                          Severity.INFO, {**attrs, "action": how},
                                          zh=f"故障{'已清除' if how == 'cleared' else '结束'}："
                                             f"{self._zh(fault.target)}{FAULT_ZH.get(fault.kind.value, '')}"))
                self._drill_of.pop(fault.id, None)
                # The window the drill faults opened closes with the last of them (a person's stays).
                if (self._drill is not None and not self._drill[1] and mark
                        and not any(f in self._started for f in self._drill_of)):
                    self._close_drill(fault.end_ms, into=events)

    def _announce_promotion(self, ts: int, events: list[Event]) -> None:
        p = self.promotion
        if p is None:
            return
        start = p.window_start(ts)
        if start != self._promo_announced and ts - start < p.duration_s * 1000:
            self._promo_announced = start
            events.append(self._event(start, EventKind.NOTE, "platform", f"Promotion x{p.multiplier:g} started",
                                      attrs={"multiplier": p.multiplier, "duration_s": p.duration_s},
                                      zh=f"大促开始（{p.multiplier:g} 倍流量）"))

    def _plan_event(self, plan: Plan, action: str, actor: str, reason: str, detail: dict[str, Any],
                    into: list[Event] | None = None, ts: int | None = None, key: str = "") -> Event:
        verb = {"execute": "Executed", "rollback": "Rolled back", "expire": "Expired", "stage": "Next stage of"}[action]
        verb_zh = {"execute": "已执行预案", "rollback": "已回滚预案", "expire": "预案已到期",
                   "stage": "预案进入下一阶段"}[action]
        attrs = {"plan_id": plan.id, "action": action, "actor": actor, "reason": reason, "plan_kind": plan.kind,
                 "target_kind": plan.target_kind, "target": plan.target, "params": dict(plan.params), **detail}
        if key:  # the command that caused it (an expiry has none)
            attrs["idempotency_key"] = key
        if self._drill is not None:  # a plan run during a drill is the drill's
            attrs[DRILL_KEY] = self._drill[0]
        event = self._event(self._now if ts is None else ts, EventKind.PLAN_EXECUTION, plan.id,
                            f"{verb} plan: {plan.title}", attrs=attrs,
                            zh=f"{verb_zh}：{plan.localized('zh_CN').title}")
        (self._pending if into is None else into).append(event)
        return event

    def _rollback(self, plan_id: str, action: str, actor: str, reason: str,
                  into: list[Event] | None = None, ts: int | None = None, key: str = "") -> Event:
        plan = self._controls.undo(plan_id)
        self._expiry.pop(plan_id, None)
        self._flow.set_calls(self._controls.calls())
        return self._plan_event(plan, action, actor, reason, {}, into, ts, key)

    def _last_by_service(self) -> tuple[dict[str, float], dict[str, float]]:
        if self._last is None:
            return {}, {}
        names = self._flow.services
        return dict(zip(names, self._last.svc_load.tolist())), dict(zip(names, self._last.svc_error.tolist()))



def _stage_of(plan: Plan, stage: Mapping[str, Any] | None) -> tuple[float, dict[str, Any] | None]:
    """The fraction a command's ``stage`` moves (``check_stage``: this feed's own ladder) and
    the stage as the event records it; ``(1.0, None)`` for a plan that is not staged."""
    st = check_stage(plan, stage)
    return (1.0, None) if st is None else (st.fraction, stage_detail(plan, st))
