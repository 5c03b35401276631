"""The numeric core: how load, errors and latency flow through the call graph in one tick.

Every scenario is a small DAG over the services. A *node* is one (scenario, service) pair
and a *link* one (scenario, edge) pair; index arrays for both are built once, and each
tick runs two vectorised sweeps over the services grouped by call depth (a callee is
always deeper than its caller):

1. **Down (load).** From the entries, each node's load times the edge's ``calls`` goes to
   the callee. A service above capacity (saturation ``rho > 1``) serves only ``1/rho`` of
   its requests and sheds the rest, so deeper services see at most what it passes on;
   a service that is down passes nothing on.
2. **Up (errors, latency).** From the deepest services, for each call into ``s`` in a
   scenario::

       err_in(s)   = 1 - (1 - own_err(s)) * prod_callees f(calls, err_link)
       err_link    = 1 - (1 - err_in(callee)) * (1 - timeout_fraction)
       f(c, e)     = (1 - e) ** c  if c >= 1  (every call must succeed)
                     1 - c * e     if c < 1   (c is the chance of calling, or a bank's share)
       p50_in(s)   = own_p50(s) + sum_callees calls * min(p50_in(callee), caller timeout)
       p99_in(s)   = own_p99(s) + sum_{calls >= 1} calls * min(p99_in(callee), timeout)
                                + max_{0.02 <= calls < 1} min(p99_in(callee), timeout)

   ``timeout_fraction`` is the chance that the callee answers after the caller's timeout,
   taken from a log-normal fitted to the callee's p50 and p99. Own latency grows like a
   queue, ``1 + 0.5 * rho / (1 - rho)`` (rho capped at 0.98), and keeps growing above
   capacity; own errors are background errors, fault errors and shed load.

Service metrics are the node values weighted by each scenario's load through the service,
edge metrics the link values weighted likewise. Quantiles add up along a path, which is
an approximation (tails do not really add), good enough to point at the root cause; a
call made by only part of the requests (a bank's share) passes its whole p99 upwards,
since that share of the requests is as slow as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from warroom.sim.platform import Platform

_RHO_CAP = 0.98
_Z99 = 2.326  # the 99th percentile of the standard normal
_EPS = 1e-12
_RARE = 0.02  # calls made by fewer requests than this do not reach the caller's p99


def normal_sf(x: np.ndarray) -> np.ndarray:
    """Survival function 1 - Phi(x) of the standard normal (Abramowitz-Stegun 7.1.26, |err| < 1e-7).

    numpy has no ``erf`` and scipy is not a dependency, so this small rational
    approximation keeps the timeout tail accurate without either.
    """
    z = np.abs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    half_erfc = 0.5 * poly * np.exp(-z * z)
    return np.where(x >= 0, half_erfc, 1.0 - half_erfc)


@dataclass
class TickInputs:
    """Per-tick inputs of ``Flow.run`` (arrays indexed like ``Flow.services`` / ``scenarios``)."""

    admitted: np.ndarray  # TPS per scenario after rate limits
    capacity_factor: np.ndarray
    latency_factor: np.ndarray  # faults x noise x standby
    fault_error: np.ndarray
    down: np.ndarray  # 1.0 where the service is down
    error_noise: np.ndarray  # multiplies background errors


@dataclass
class TickResult:
    """Per-tick outputs of ``Flow.run``."""

    svc_load: np.ndarray
    svc_error: np.ndarray
    svc_p50: np.ndarray
    svc_p99: np.ndarray
    saturation: np.ndarray
    edge_load: np.ndarray
    edge_error: np.ndarray
    edge_p99: np.ndarray
    scenario_error: np.ndarray  # failed share of admitted transactions
    #: Per node (scenario, service): the share of the requests reaching it that fail there, of
    #: its own errors or of answering its caller too late (funnel steps: ``warroom.sim.funnel``).
    node_fail: np.ndarray | None = None


class Flow:
    """Index arrays for one platform and the per-tick propagation over them."""

    def __init__(self, platform: Platform) -> None:
        t = platform.topology
        self.services = [s.name for s in t.services]
        self.edges = [e.key for e in t.edges]
        self.scenarios = [sc.id for sc in t.scenarios]
        sidx = {n: i for i, n in enumerate(self.services)}
        eidx = {k: i for i, k in enumerate(self.edges)}
        prof = platform.profiles
        self.capacity = np.array([s.capacity_rps for s in t.services])
        self.base_p50 = np.array([prof[n].latency_s for n in self.services])
        self.tail = np.array([prof[n].tail for n in self.services])
        self.base_error = np.array([prof[n].error_ratio for n in self.services])
        timeout = np.array([prof[n].timeout_s for n in self.services])
        depth_of = t.depths()
        depth = np.array([depth_of[n] for n in self.services])
        for a, b in self.edges:
            if depth_of[b] <= depth_of[a]:
                raise ValueError(f"the simulator needs an acyclic call graph; {a}->{b} closes a cycle")

        nodes: list[tuple[int, int]] = []  # (scenario, service)
        links: list[tuple[int, int, int]] = []  # (caller node, callee node, edge)
        for k, sc in enumerate(t.scenarios):
            local = {name: len(nodes) + i for i, name in enumerate(sc.services)}
            nodes += [(k, sidx[name]) for name in sc.services]
            links += [(local[a], local[b], eidx[(a, b)]) for a, b in sc.edges]
        # Number nodes and links by depth so each sweep step works on contiguous slices.
        order = sorted(range(len(nodes)), key=lambda n: depth[nodes[n][1]])
        renum = {old: new for new, old in enumerate(order)}
        self.node_svc = np.array([nodes[n][1] for n in order], dtype=np.intp)
        entries = [nodes.index((k, sidx[sc.entry])) for k, sc in enumerate(t.scenarios)]
        self.entry_node = np.array([renum[n] for n in entries], dtype=np.intp)
        #: (scenario index, service index) -> node index, for per-scenario readings (funnels).
        self.node_of: dict[tuple[int, int], int] = {nodes[n]: renum[n] for n in range(len(nodes))}
        links = sorted(((renum[a], renum[b], e) for a, b, e in links), key=lambda lk: depth[self.node_svc[lk[0]]])
        self.link_caller = np.array([lk[0] for lk in links], dtype=np.intp)
        self.link_callee = np.array([lk[1] for lk in links], dtype=np.intp)
        self.link_edge = np.array([lk[2] for lk in links], dtype=np.intp)
        self.link_caller_svc = self.node_svc[self.link_caller]
        self.link_timeout = timeout[self.link_caller_svc]
        self._log_timeout = np.log(self.link_timeout)
        self.n_nodes = len(nodes)
        node_depth = depth[self.node_svc]
        link_depth = node_depth[self.link_caller]
        # Per depth: slices of the nodes and of the links whose caller sits there, and the services.
        self._levels = []
        for d in range(int(depth.max()) + 1):
            n_lo, n_hi = np.searchsorted(node_depth, [d, d + 1])
            l_lo, l_hi = np.searchsorted(link_depth, [d, d + 1])
            self._levels.append((slice(n_lo, n_hi), np.flatnonzero(depth == d), slice(l_lo, l_hi)))
        self.set_calls({e.key: e.calls for e in t.edges})

    def set_calls(self, calls: dict[tuple[str, str], float]) -> None:
        """Use these calls-per-request on the edges (after degrades and failovers)."""
        w = np.array([calls[k] for k in self.edges])[self.link_edge]
        self.link_calls = w
        # Split once here rather than every tick: calls made by every request add up,
        # calls made by some requests only (shares, optional lookups) are alternatives.
        self._every = w >= 1.0
        self._sometimes = (w >= _RARE) & (w < 1.0)
        self._w_every = np.where(self._every, w, 0.0)
        self._w_some = np.minimum(w, 1.0)
        # Requests per node per admitted transaction of its scenario, nothing shed: how much of
        # a scenario's traffic a node's failures touch (a bank's routing share, say).
        share = np.zeros(self.n_nodes)
        share[self.entry_node] = 1.0
        for _nodes, _svcs, links in self._levels:
            if links.stop > links.start:
                sent = share[self.link_caller[links]] * w[links]
                share += np.bincount(self.link_callee[links], sent, minlength=self.n_nodes)
        self.node_share = share

    def run(self, x: TickInputs) -> TickResult:
        """Propagate one tick's load down and its errors and latency up."""
        S, N, L = len(self.services), self.n_nodes, len(self.link_edge)
        cap = np.maximum(self.capacity * x.capacity_factor, _EPS)
        node_load = np.zeros(N)
        node_load[self.entry_node] = x.admitted
        link_load = np.zeros(L)
        svc_load = np.zeros(S)
        passed = np.ones(S)
        for nodes, svcs, links in self._levels:
            if svcs.size:
                load = np.bincount(self.node_svc[nodes], node_load[nodes], minlength=S)[svcs]
                svc_load[svcs] = load
                passed[svcs] = np.minimum(1.0, cap[svcs] / np.maximum(load, _EPS)) * (1.0 - x.down[svcs])
            if links.stop > links.start:
                sent = node_load[self.link_caller[links]] * passed[self.link_caller_svc[links]] * self.link_calls[links]
                link_load[links] = sent
                node_load += np.bincount(self.link_callee[links], sent, minlength=N)

        rho = svc_load / cap
        rc = np.minimum(rho, _RHO_CAP)
        over = np.maximum(rho - 1.0, 0.0)
        # Queueing delay, and beyond capacity a queue that keeps building up.
        q = (1.0 + 0.5 * rc / (1.0 - rc)) * (1.0 + 4.0 * over)
        own50 = self.base_p50 * q * x.latency_factor
        own99 = own50 * self.tail * (1.0 + 0.5 * rc)
        shed = over / np.maximum(rho, _EPS)
        ok = (1.0 - np.minimum(self.base_error * x.error_noise, 1.0)) * (1.0 - x.fault_error) * (1.0 - shed)
        own_err = 1.0 - ok * (1.0 - x.down)

        node_own = (own_err[self.node_svc], own50[self.node_svc], own99[self.node_svc])
        err_in, l50, l99 = np.zeros(N), np.zeros(N), np.zeros(N)
        log_ok, acc50, acc99, max99 = np.zeros(N), np.zeros(N), np.zeros(N), np.zeros(N)
        link_err, link_p99, link_late = np.zeros(L), np.zeros(L), np.zeros(L)
        for nodes, _svcs, links in reversed(self._levels):
            if links.stop > links.start:
                ce = self.link_callee[links]
                m50, m99 = l50[ce], l99[ce]
                timeout = self.link_timeout[links]
                sigma = np.maximum(np.log(m99 / m50), 0.05) / _Z99
                late = normal_sf((self._log_timeout[links] - np.log(m50)) / sigma)
                e = np.minimum(1.0 - (1.0 - err_in[ce]) * (1.0 - late), 1.0 - _EPS)
                every = self._every[links]
                factor = np.where(every, self.link_calls[links] * np.log1p(-e), np.log1p(-self._w_some[links] * e))
                c99 = np.minimum(m99, timeout)
                link_err[links] = e
                link_late[links] = late
                link_p99[links] = c99
                callers = self.link_caller[links]
                log_ok += np.bincount(callers, factor, minlength=N)
                acc50 += np.bincount(callers, self.link_calls[links] * np.minimum(m50, timeout), minlength=N)
                acc99 += np.bincount(callers, self._w_every[links] * c99, minlength=N)
                # A call made by only some requests (a bank's share, a coupon lookup) still
                # sets the caller's tail: its p99 shows through unless it is very rare.
                sometimes = self._sometimes[links]
                if sometimes.any():
                    np.maximum.at(max99, callers[sometimes], c99[sometimes])
            err_in[nodes] = 1.0 - (1.0 - node_own[0][nodes]) * np.exp(log_ok[nodes])
            l50[nodes] = node_own[1][nodes] + acc50[nodes]
            l99[nodes] = node_own[2][nodes] + acc99[nodes] + max99[nodes]

        svc_error = _weighted(self.node_svc, node_load, err_in, S, own_err)
        svc_p50 = _weighted(self.node_svc, node_load, l50, S, own50)
        svc_p99 = _weighted(self.node_svc, node_load, l99, S, own99)
        E = len(self.edges)
        edge_load = np.bincount(self.link_edge, link_load, minlength=E)
        # Answered too late, per node: its incoming calls' timeout share, weighted by their load.
        late_in = _weighted(self.link_callee, link_load, link_late, N, np.zeros(N))
        node_fail = 1.0 - (1.0 - node_own[0]) * (1.0 - late_in)
        edge_error = _weighted(self.link_edge, link_load, link_err, E, np.zeros(E))
        edge_p99 = _weighted(self.link_edge, link_load, link_p99, E, np.zeros(E))
        return TickResult(
            svc_load=svc_load,
            svc_error=svc_error,
            svc_p50=svc_p50,
            svc_p99=svc_p99,
            saturation=rho,
            edge_load=edge_load,
            edge_error=edge_error,
            edge_p99=edge_p99,
            scenario_error=err_in[self.entry_node],
            node_fail=node_fail,
        )


def _weighted(groups: np.ndarray, weights: np.ndarray, values: np.ndarray, n: int, idle: np.ndarray) -> np.ndarray:
    """Weighted mean of ``values`` per group; ``idle`` where a group carries no load."""
    total = np.bincount(groups, weights, minlength=n)
    summed = np.bincount(groups, weights * values, minlength=n)
    return np.where(total > 0, summed / np.maximum(total, _EPS), idle)
