"""The Prometheus source: polls the site's queries and hands the gateway points and topologies.

Queries come in groups, each polled on its own interval and failing on its own: the
topology (``prometheus:topology``: calls, per-service and per-call health), each scenario
(``prometheus:scenario:<id>``: ``scenario_tps``, ``scenario_success_ratio``,
``scenario_requests_rate``, and ``scenario_step_rate{step}`` per funnel step) and each KPI (``prometheus:kpi:<series>``). A group's queries
are evaluated at one instant (``time=`` of the poll) and their points stamped with it.

A group whose poll fails sends ``source_up{source=<group>} = 0`` and *no* points for its
series — they go stale in the console, they never drop to zero — and one ``feed`` event when
it starts failing; the first good poll after that sends ``source_up = 1`` and an ``ok``
event. ``run()`` does not end on any Prometheus fault; a bug in the gateway is logged with
its traceback, counted in ``health`` and treated as a failed poll, and the loop goes on.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from warroom.core.clock import wall_s
from warroom.core.graph.topology import Topology as CoreTopology
from warroom.core.model import Event, EventKind, SeriesKey, Severity, step_series
from warroom.gateway.site_model import (
    KpiQuery,
    PrometheusSite,
    ScenarioQuery,
    ServiceNames,
)
from warroom.gateway.sources import SourceHealth, SourceUpdate, source_up_key
from warroom.gateway.sources.promql import PromClient, PromError, Sample
from warroom.gateway.sources.topology import build_world, series_key, topology_queries

log = logging.getLogger(__name__)

Points = list[tuple[SeriesKey, float]]
#: ``build(results, notes, with_topology)``: the answers (by query name) as points, and the
#: topology when the group has one and ``with_topology`` (history steps skip it).
Build = Callable[[Mapping[str, list[Sample]], "list[str] | None", bool], tuple[Points, "CoreTopology | None"]]

#: A KPI's label sets kept with their keys; past this the cache starts afresh (a query
#: whose labels churn must not grow the gateway without bound).
KEY_CACHE_MAX = 100_000
_TITLE_MAX = 300


@dataclass
class _Group:
    """Queries polled together: a name (the ``source`` label), an interval, what to run and
    how to turn the answers into points."""

    name: str
    what: str  # for titles: "topology", "scenario pay", "KPI gmv"
    interval_s: float
    queries: dict[str, str]
    build: Build


def _finite_values(samples: list[Sample] | None) -> list[float]:
    return [s.value for s in samples or () if not (math.isnan(s.value) or math.isinf(s.value))]


class PrometheusSource:
    """Polls one Prometheus for a site (see the module docstring).

    ``names`` are the site's service display names and kinds. ``client`` may be given (a
    test's, or one shared); otherwise one is made from the site (``bearer`` is the secret's
    value, sent as ``Authorization: Bearer``). ``health`` has one ``SourceHealth`` per group.
    """

    def __init__(self, site: PrometheusSite, names: Mapping[str, ServiceNames], client: PromClient | None = None,
                 bearer: str | None = None, *, clock: Callable[[], float] = wall_s) -> None:
        self.site = site
        self.names = names
        self._own_client = client is None
        self.client = client or PromClient(site.url, timeout_s=site.timeout_s, bearer=bearer)
        self._clock = clock
        self.groups: list[_Group] = [self._topology_group()]
        self.groups += [self._scenario_group(sq) for sq in site.scenarios]
        for kq in site.kpis:
            group = self._kpi_group(kq)
            if group is not None:
                self.groups.append(group)
        self.health: dict[str, SourceHealth] = {g.name: SourceHealth(g.name) for g in self.groups}
        self._topology: CoreTopology | None = None  # the one last emitted by run()

    # -- groups -----------------------------------------------------------------
    def _topology_group(self) -> _Group:
        topo = self.site.topology
        scenarios = self.site.scenarios

        def build(results: Mapping[str, list[Sample]], notes: list[str] | None,
                  with_topology: bool = True) -> tuple[Points, CoreTopology | None]:
            topology, points = build_world(topo.shape, results, self.names, scenarios, topo.latency_unit,
                                           kinds=topo.kinds, notes=notes, with_topology=with_topology)
            return points, topology

        return _Group("prometheus:topology", "topology", topo.interval_s or self.site.interval_s,
                      topology_queries(topo, self.site.rate_window), build)

    def _scenario_group(self, sq: ScenarioQuery) -> _Group:
        ident = (("scenario", sq.id),)
        k_tps, k_ok = series_key("scenario_tps", ident), series_key("scenario_success_ratio", ident)
        k_req = series_key("scenario_requests_rate", ident)
        queries = {"tps": sq.tps, "success_ratio": sq.success_ratio}
        if sq.requests_rate:
            queries["requests_rate"] = sq.requests_rate
        # Funnel steps (protocol 1.6): items per second reaching each, as scenario_step_rate.
        step_keys = {f"step:{st.id}": step_series(sq.id, st.id) for st in sq.steps}
        queries.update({f"step:{st.id}": st.query for st in sq.steps})

        def build(results: Mapping[str, list[Sample]], notes: list[str] | None,
                  with_topology: bool = True) -> tuple[Points, None]:
            # A scenario query should answer one sample; several are summed (rates) or
            # averaged (the ratio), and said in the health detail.
            tps_v, ok_v = _finite_values(results.get("tps")), _finite_values(results.get("success_ratio"))
            points: Points = []
            tps = sum(tps_v) if tps_v else None
            ratio = sum(ok_v) / len(ok_v) if ok_v else None
            if notes is not None and (len(tps_v) > 1 or len(ok_v) > 1):
                notes.append(f"scenario {sq.id}: queries answered {len(tps_v)} and {len(ok_v)} samples "
                             "(rates summed, ratio averaged)")
            if tps is not None:
                points.append((k_tps, tps))
            if ratio is not None:
                points.append((k_ok, ratio))
            if sq.requests_rate:
                req_v = _finite_values(results.get("requests_rate"))
                req = sum(req_v) if req_v else None
            else:
                # Transactions entering = completed / fraction completed; unknown at 0.
                req = tps / ratio if tps is not None and ratio is not None and ratio > 0 else None
            if req is not None and math.isfinite(req):
                points.append((k_req, req))
            for name, key in step_keys.items():  # several samples of a step are summed (rates)
                step_v = _finite_values(results.get(name))
                if step_v:
                    points.append((key, sum(step_v)))
            return points, None

        return _Group(f"prometheus:scenario:{sq.id}", f"scenario {sq.id}", sq.interval_s or self.site.interval_s,
                      queries, build)

    def _kpi_group(self, kq: KpiQuery) -> _Group | None:
        try:
            base = SeriesKey.parse(kq.series)
        except ValueError as e:  # the loader checks this; a bad one is skipped, not fatal
            log.error("KPI %s (%s): %s", kq.series, kq.where, e)
            return None
        own = dict(base.labels)
        cache: dict[tuple, SeriesKey] = {}

        def key_for(labels: dict[str, str]) -> SeriesKey:
            ident = tuple(labels.items())  # Prometheus sends a series' labels in one order
            key = cache.get(ident)
            if key is None:
                if len(cache) >= KEY_CACHE_MAX:
                    cache.clear()
                merged = {k: v for k, v in labels.items() if k != "__name__"}
                merged.update(own)
                key = cache[ident] = SeriesKey(base.name, merged)
            return key

        def build(results: Mapping[str, list[Sample]], notes: list[str] | None,
                  with_topology: bool = True) -> tuple[Points, None]:
            points: Points = []
            for s in results.get("value", ()):
                v = s.value
                if math.isfinite(v):
                    points.append((key_for(s.labels), v))
            return points, None

        return _Group(f"prometheus:kpi:{base.text}", f"KPI {base.text}", kq.interval_s or self.site.interval_s,
                      {"value": kq.query}, build)

    # -- polling ----------------------------------------------------------------
    async def _ask(self, group: _Group, at: float) -> dict[str, list[Sample]]:
        names = list(group.queries)
        answers = await asyncio.gather(*(self.client.query(group.queries[n], at) for n in names),
                                       return_exceptions=True)
        for a in answers:
            if isinstance(a, BaseException):
                raise a
        return dict(zip(names, answers))  # type: ignore[arg-type]

    async def poll(self, group: _Group, at: float | None = None) -> SourceUpdate:
        """One poll of ``group`` evaluated at ``at`` (Unix seconds; default now)."""
        at = self._clock() if at is None else at
        ts_ms = round(at * 1000)
        h = self.health[group.name]
        h.polls += 1
        h.last_poll_ms = ts_ms
        try:
            results = await self._ask(group, at)
            notes: list[str] = []
            points, topology = group.build(results, notes, True)
            if self.client.warnings:
                notes.extend(f"Prometheus warned: {w}" for w in self.client.warnings[:5])
        except PromError as e:
            return self._failed(group, ts_ms, e.kind, str(e))
        except asyncio.CancelledError:
            raise
        except Exception as e:
            h.bugs += 1
            log.exception("Prometheus source %s: internal error", group.name)
            return self._failed(group, ts_ms, "internal", f"internal error: {type(e).__name__}: {e}")
        if notes != h.detail:
            for n in notes:
                if n not in h.detail:
                    log.info("Prometheus source %s: %s", group.name, n)
            h.detail = notes
        events = self._state(group, ts_ms, ok=True)
        out = [(k, ts_ms, v) for k, v in points]
        out.append((source_up_key(group.name), ts_ms, 1.0))
        sent = None
        if topology is not None and (self._topology is None or not self._topology.same_content(topology)):
            sent = self._topology = topology
        return SourceUpdate(ts_ms, out, sent, events)

    def _failed(self, group: _Group, ts_ms: int, kind: str, error: str) -> SourceUpdate:
        h = self.health[group.name]
        h.failures += 1
        h.kind, h.error = kind, error
        events = self._state(group, ts_ms, ok=False)
        return SourceUpdate(ts_ms, [(source_up_key(group.name), ts_ms, 0.0)], None, events)

    def _state(self, group: _Group, ts_ms: int, ok: bool) -> tuple[Event, ...]:
        """Move the group to ok/failing; one feed event when that is a change (a first poll
        that succeeds is not news, a first poll that fails is)."""
        h = self.health[group.name]
        before = h.state
        h.state = "ok" if ok else "failing"
        if ok:
            h.last_ok_ms = ts_ms
        if ok and before != "failing" or not ok and before == "failing":
            return ()
        if ok:
            title = f"Prometheus {group.what}: OK again"
            severity = Severity.INFO
            log.info("Prometheus source %s recovered", group.name)
        else:
            if h.kind == "unreachable":
                title = f"Prometheus unreachable: {h.error}"
            elif h.kind == "timeout":
                title = f"Prometheus too slow ({group.what}): {h.error}"
            else:
                title = f"Prometheus {group.what} failing: {h.error}"
            severity = Severity.P2
            log.warning("Prometheus source %s failing (%s): %s", group.name, h.kind, h.error)
        title = " ".join(title.split())
        if len(title) > _TITLE_MAX:
            title = title[:_TITLE_MAX - 1] + "…"
        return (Event(id=f"{group.name}:{h.state}:{ts_ms}", ts=ts_ms, kind=EventKind.FEED,
                      subject="source:" + group.name, title=title, severity=severity,
                      attrs={"source": group.name, "state": h.state, "error": "" if ok else h.error,
                             "kind": "" if ok else h.kind}),)

    async def run(self, emit: Callable[[SourceUpdate], None]) -> None:
        """Poll every group on its interval, forever; ``emit`` gets every update. Returns
        only when cancelled."""
        tasks = [asyncio.create_task(self._loop(g, emit), name=f"poll {g.name}") for g in self.groups]
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _loop(self, group: _Group, emit: Callable[[SourceUpdate], None]) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            update = await self.poll(group)
            try:
                emit(update)
            except Exception:
                self.health[group.name].bugs += 1
                log.exception("Prometheus source %s: the gateway's emit failed", group.name)
            due += group.interval_s
            now = loop.time()
            due = max(due, now)  # a poll slower than the interval: skip, never burst to catch up
            await asyncio.sleep(due - now)

    async def close(self) -> None:
        """Close the client's connections (a client given to the source is left to its owner)."""
        if self._own_client:
            await self.client.close()

    # -- history ----------------------------------------------------------------
    async def backfill(self, start_ms: int, end_ms: int) -> list[SourceUpdate]:
        """The same queries over ``[start_ms, end_ms]`` with ``query_range``, one step per
        group interval (on a grid of that step, so the points line up with later polls' spacing),
        as updates oldest first. The topology of the newest step rides on the *first*
        update, so a console knows the graph before the history that refers to it. A group
        Prometheus cannot answer is left out (logged, in its health); never raises for that.
        """
        by_ts: dict[int, list[tuple[SeriesKey, int, float]]] = {}
        newest: tuple[int, CoreTopology] | None = None
        for group in self.groups:
            step_ms = max(1, round(group.interval_s * 1000))
            first = -(-start_ms // step_ms) * step_ms
            if first > end_ms:
                continue
            try:
                per_ts: dict[int, dict[str, list[Sample]]] = {}
                for qname, expr in group.queries.items():
                    for rs in await self.client.query_range(expr, first / 1000, end_ms / 1000, step_ms / 1000):
                        labels = rs.labels
                        for ts, v in rs.points:
                            per_ts.setdefault(ts, {}).setdefault(qname, []).append(Sample(labels, ts, v))
                steps = sorted(per_ts)
                for ts in steps:
                    points, topology = group.build(per_ts[ts], None, ts == steps[-1])
                    if points:
                        by_ts.setdefault(ts, []).extend((k, ts, v) for k, v in points)
                    if topology is not None and (newest is None or ts >= newest[0]):
                        newest = (ts, topology)
            except PromError as e:
                log.warning("Prometheus source %s: no history (%s): %s", group.name, e.kind, e)
                self.health[group.name].detail = [f"history not read: {e}"]
            except asyncio.CancelledError:
                raise
            except Exception:
                self.health[group.name].bugs += 1
                log.exception("Prometheus source %s: history failed", group.name)
        updates = [SourceUpdate(ts, by_ts[ts]) for ts in sorted(by_ts)]
        if newest is not None:
            if updates:
                first_update = updates[0]
                updates[0] = SourceUpdate(first_update.ts_ms, first_update.points, newest[1], first_update.events)
            else:
                updates.append(SourceUpdate(newest[0], [], newest[1]))
        return updates
