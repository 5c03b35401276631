"""What executed plans change: the state Sentinel, the router and the DB proxy would hold.

``Controls`` turns plans into four kinds of state and undoes them on rollback:

- rate limits (``rate_limit`` on an entry service or a scenario): ``admit()`` caps the
  offered TPS at the FlowRule's ``count`` and the rest is blocked;
- degraded services (``degrade``): every call into them is switched off, so their load
  and their failures leave the call graph;
- failed-over banks (``failover`` on a ``bank_channel``): the bank's routing share moves
  to the other healthy banks in proportion to their headroom at execution time;
- databases on standby (``failover`` on a database service): faults that made the
  primary unavailable no longer apply; the standby is a little slower and smaller;
- rolled-back services (``rollback`` on a service that gets deploys): held in ``rolled_back``;
- restarted services (``restart``: the engine ends crashes and stalls on it): in ``restarted``;
  the engine clears the target's ``deploy_error_burst`` faults when it executes one;
- staged traffic shifts (``shift`` on a ``bank_channel``, ``params.to`` the destination bank):
  the current stage's fraction of the bank's routing share moves to the destination
  (``stage``: the next stage changes the fraction; ``warroom.core.plan.stages``).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from warroom.core.model import ServiceKind
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.sim.catalogue import DEPLOYED_KINDS

#: A standby database answers this much slower (cold buffer pool) with this much capacity.
STANDBY_LATENCY_FACTOR = 1.3
STANDBY_CAPACITY_FACTOR = 0.7
#: A bank failing more than this share of its calls gets no failed-over traffic.
UNHEALTHY_ERROR_RATIO = 0.2


class Controls:
    """The active plans' combined effect on the platform."""

    def __init__(self, topology: Topology) -> None:
        self._topology = topology
        self._base_calls = {e.key: e.calls for e in topology.edges}
        self._banks = {s.name for s in topology.services if s.kind == ServiceKind.BANK}
        self._plans: dict[str, Plan] = {}
        self.entry_limits: dict[str, float] = {}
        self.scenario_limits: dict[str, float] = {}
        self.degraded: set[str] = set()
        self.standby: set[str] = set()
        self.rolled_back: set[str] = set()  # services whose last deploy a rollback plan undid
        self.restarted: set[str] = set()  # consumers and jobs a restart plan restarted
        # bank -> headroom weights of the other banks, in execution order
        self._failovers: dict[str, dict[str, float]] = {}
        # staged shift plan id -> (source bank, destination bank, fraction moved now)
        self.shifts: dict[str, tuple[str, str, float]] = {}

    @property
    def active(self) -> tuple[str, ...]:
        """Ids of the active plans, in execution order."""
        return tuple(self._plans)

    def check(self, plan: Plan) -> None:
        """Raise ``ValueError`` if the plan cannot take effect on this platform."""
        t = self._topology
        if plan.kind == "rate_limit":
            if plan.target_kind == "scenario":
                t.scenario(plan.target)
            elif plan.target_kind != "service" or plan.target not in {sc.entry for sc in t.scenarios}:
                raise ValueError(f"plan {plan.id!r}: rate limits apply to a scenario or an entry service")
            if not float(plan.params.get("count", -1)) >= 0:
                raise ValueError(f"plan {plan.id!r}: a FlowRule needs a count >= 0")
        elif plan.kind == "degrade":
            if plan.target not in t or t.service(plan.target).core:
                raise ValueError(f"plan {plan.id!r}: only a non-core service can be degraded")
        elif plan.kind == "failover":
            if plan.target_kind == "bank_channel":
                if plan.target not in self._banks:
                    raise ValueError(f"plan {plan.id!r}: {plan.target!r} is not a bank gateway")
                left = self._banks - set(self._failovers) - {plan.target}
                if not left:
                    raise ValueError(f"plan {plan.id!r}: no bank would be left to take the traffic")
            elif plan.target not in t or t.service(plan.target).kind != ServiceKind.DATABASE:
                raise ValueError(f"plan {plan.id!r}: failover targets a bank channel or a database")
        elif plan.kind == "rollback":
            if (plan.target_kind != "service" or plan.target not in t
                    or t.service(plan.target).kind not in DEPLOYED_KINDS):
                raise ValueError(f"plan {plan.id!r}: a rollback targets a service that gets deploys")
        elif plan.kind == "restart":
            if plan.target_kind != "service" or plan.target not in t or t.service(plan.target).kind in (
                    ServiceKind.EXTERNAL, ServiceKind.BANK):
                raise ValueError(f"plan {plan.id!r}: a restart targets a service of the platform's own")
        elif plan.kind == "shift":
            to = plan.params.get("to")
            if plan.target_kind != "bank_channel" or plan.target not in self._banks:
                raise ValueError(f"plan {plan.id!r}: the simulator shifts traffic from a bank channel")
            if to not in self._banks or to == plan.target:
                raise ValueError(f"plan {plan.id!r}: params.to must name another bank gateway (got {to!r})")
            if not any(b == plan.target and (a, to) in self._base_calls for (a, b) in self._base_calls):
                raise ValueError(f"plan {plan.id!r}: no caller of {plan.target} can call {to}")
        else:
            raise ValueError(f"plan {plan.id!r}: the simulator cannot run plans of kind {plan.kind!r}")

    def apply(self, plan: Plan, load: Mapping[str, float], error: Mapping[str, float],
              fraction: float = 1.0) -> dict[str, Any]:
        """Put the plan in force; ``load``/``error`` are the last tick's per-service values;
        ``fraction`` is a staged shift's first stage.

        Returns details for the PLAN_EXECUTION event (e.g. the new bank shares).
        """
        if plan.id in self._plans:
            raise ValueError(f"plan {plan.id!r} is already active")
        self.check(plan)
        self._plans[plan.id] = plan
        detail: dict[str, Any] = {}
        if plan.kind == "rate_limit":
            limits = self.scenario_limits if plan.target_kind == "scenario" else self.entry_limits
            limits[plan.target] = float(plan.params["count"])
        elif plan.kind == "degrade":
            self.degraded.add(plan.target)
        elif plan.kind == "rollback":
            self.rolled_back.add(plan.target)
        elif plan.kind == "restart":
            self.restarted.add(plan.target)
        elif plan.kind == "shift":
            self.shifts[plan.id] = (plan.target, str(plan.params["to"]), float(fraction))
            detail["shares"] = self._bank_shares_of(plan.target)
        elif plan.target_kind == "bank_channel":
            self._failovers[plan.target] = self._headroom(plan.target, load, error)
            detail["shares"] = self._bank_shares_of(plan.target)
        else:
            self.standby.add(plan.target)
        return detail

    def undo(self, plan_id: str) -> Plan:
        """Take a plan out of force (``ValueError`` if it is not active)."""
        plan = self._plans.pop(plan_id, None)
        if plan is None:
            raise ValueError(f"plan {plan_id!r} is not active")
        if plan.kind == "rate_limit":
            limits = self.scenario_limits if plan.target_kind == "scenario" else self.entry_limits
            limits.pop(plan.target, None)
        elif plan.kind == "degrade":
            self.degraded.discard(plan.target)
        elif plan.kind == "rollback":
            self.rolled_back.discard(plan.target)
        elif plan.kind == "restart":
            self.restarted.discard(plan.target)
        elif plan.kind == "shift":
            self.shifts.pop(plan_id, None)
        elif plan.target_kind == "bank_channel":
            self._failovers.pop(plan.target, None)
        else:
            self.standby.discard(plan.target)
        return plan

    def stage(self, plan_id: str, fraction: float) -> dict[str, Any]:
        """Move a staged shift in force to another stage's fraction; the new bank shares."""
        if plan_id not in self.shifts:
            raise ValueError(f"plan {plan_id!r} is not a staged shift in force")
        source, to, _ = self.shifts[plan_id]
        self.shifts[plan_id] = (source, to, float(fraction))
        return {"shares": self._bank_shares_of(source)}

    def plan(self, plan_id: str) -> Plan | None:
        """The active plan with this id, if any."""
        return self._plans.get(plan_id)

    # -- effects ----------------------------------------------------------------------
    def _headroom(self, bank: str, load: Mapping[str, float], error: Mapping[str, float]) -> dict[str, float]:
        others = sorted(self._banks - {bank} - set(self._failovers))
        room = {b: max(0.0, self._topology.service(b).capacity_rps - load.get(b, 0.0)) for b in others}
        healthy = {b: r for b, r in room.items() if error.get(b, 0.0) < UNHEALTHY_ERROR_RATIO}
        # If every bank looks unhealthy, spreading by headroom is still better than nothing.
        chosen = healthy if sum(healthy.values()) > 0 else room
        if sum(chosen.values()) <= 0:
            chosen = {b: 1.0 for b in others}
        return chosen

    def calls(self) -> dict[tuple[str, str], float]:
        """Expected calls per caller request on every edge, after degrades and failovers."""
        calls = dict(self._base_calls)
        for (a, b) in calls:
            if b in self.degraded:
                calls[(a, b)] = 0.0
        failed = set(self._failovers)
        for bank, weights in self._failovers.items():
            for (a, b), share in list(calls.items()):
                if b != bank or share <= 0:
                    continue
                # Move the share onto this caller's other live bank edges, by headroom.
                live = {o: w for o, w in weights.items() if o not in failed and (a, o) in calls}
                total = sum(live.values())
                if total <= 0:
                    live = {o: 1.0 for o in self._banks - failed if (a, o) in calls}
                    total = float(len(live))
                for o, w in live.items():
                    calls[(a, o)] += share * w / total
                calls[(a, b)] = 0.0
        for source, to, fraction in self.shifts.values():
            # The stage's fraction of each caller's share of the source moves to the destination
            # (after failovers: a shift off a bank that also failed over has nothing left to move).
            for (a, b), share in list(calls.items()):
                if b == source and share > 0 and (a, to) in calls:
                    calls[(a, to)] += share * fraction
                    calls[(a, b)] = share * (1.0 - fraction)
        return calls

    def _bank_shares_of(self, bank: str) -> dict[str, float]:
        calls = self.calls()
        callers = [a for (a, b) in self._base_calls if b == bank]
        if not callers:
            return {}
        a = callers[0]
        return {b: round(calls[(a, b)], 4) for (x, b) in calls if x == a and b in self._banks}

    def admit(self, offered: np.ndarray, scenario_ids: list[str], entries: list[str]) -> np.ndarray:
        """Admitted TPS per scenario after scenario and then entry rate limits."""
        admitted = offered.copy()
        for i, sid in enumerate(scenario_ids):
            limit = self.scenario_limits.get(sid)
            if limit is not None and admitted[i] > limit:
                admitted[i] = limit
        for entry, limit in self.entry_limits.items():
            mask = np.array([e == entry for e in entries])
            total = float(admitted[mask].sum())
            if total > limit:
                # Sentinel rejects at random, so every scenario on the entry loses the same share.
                admitted[mask] *= limit / total
        return admitted
