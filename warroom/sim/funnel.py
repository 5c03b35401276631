"""The simulated platform's business funnels: one rate per funnel step, from its traffic and
its faults.

A scenario's first step is reached by its admitted transactions times the step's usual
conversion; each later step by the step before times its usual conversion
(``Platform.step_conversion``: people abandon a basket, cards are declined, whatever the
platform's health). On top of that, each step loses what its own services fail: for every
service of the step on the scenario's path, the share of the scenario's requests that reach it
(``Flow.node_share``, at most one) times the share of those that fail there
(``TickResult.node_fail``: its own errors, or answers later than its caller waits). So a slow
ICBC gateway takes its 35 % routing share times its timeouts out of "bank confirmed" and of no
other step, and the console's funnel shows the drop at that step.
"""

from __future__ import annotations

import numpy as np

from warroom.core.model import SeriesKey
from warroom.sim.flow import Flow, TickResult
from warroom.sim.platform import Platform


class FunnelRates:
    """Index arrays of every funnel step's services, and the per-tick step rates."""

    def __init__(self, platform: Platform, flow: Flow) -> None:
        sidx = {n: i for i, n in enumerate(flow.services)}
        kidx = {k: i for i, k in enumerate(flow.scenarios)}
        keys: list[SeriesKey] = []
        scenario: list[int] = []  # per step: its scenario's index
        first: list[bool] = []  # per step: the scenario's first step
        usual: list[float] = []
        step_nodes: list[int] = []  # (step, node) pairs, flattened
        step_of: list[int] = []
        for sc in platform.topology.scenarios:
            conv = platform.step_conversion.get(sc.id, (1.0,) * len(sc.steps))
            k = kidx[sc.id]
            for j, step in enumerate(sc.steps):
                keys.append(step.series)
                scenario.append(k)
                first.append(j == 0)
                usual.append(conv[j])
                for name in step.services:
                    node = flow.node_of.get((k, sidx.get(name, -1)))
                    if node is not None:  # a service off the scenario's path carries none of it
                        step_of.append(len(keys) - 1)
                        step_nodes.append(node)
        self.series: tuple[SeriesKey, ...] = tuple(keys)
        self._scenario = np.array(scenario, dtype=np.intp)
        self._first = np.array(first, dtype=bool)
        self._usual = np.array(usual)
        self._nodes = np.array(step_nodes, dtype=np.intp)
        self._step_of = np.array(step_of, dtype=np.intp)
        self._flow = flow

    def __len__(self) -> int:
        return len(self.series)

    def rates(self, admitted: np.ndarray, r: TickResult) -> np.ndarray:
        """Items per second reaching each step this tick (aligned with ``series``)."""
        n = len(self.series)
        if not n:
            return np.zeros(0)
        passed = np.ones(n)
        if self._nodes.size and r.node_fail is not None:
            share = np.minimum(self._flow.node_share[self._nodes], 1.0)
            lost = np.clip(share * r.node_fail[self._nodes], 0.0, 1.0)
            # The product of what each service lets through, per step: a service that fails
            # everything takes its step to exactly zero (not to a tiny rate that divides into
            # nonsense further down the funnel).
            np.multiply.at(passed, self._step_of, 1.0 - lost)
        through = self._usual * passed
        out = np.empty(n)
        for i in range(n):  # a handful of steps: each one's rate from the step before
            out[i] = admitted[self._scenario[i]] * through[i] if self._first[i] else out[i - 1] * through[i]
        return out
