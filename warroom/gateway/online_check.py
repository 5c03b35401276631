"""``warroom gateway check --online``: run every query the gateway would poll, once, on the
site's real Prometheus, and say per query group whether it works.

The offline check can only see that a PromQL text is balanced; the mistakes people really
make — a misspelt metric, a selector that matches nothing, a connector that writes other
labels than the site expects, a function given the wrong kind of argument — show only when
Prometheus evaluates the query. Each group (the topology, each scenario, each KPI) gets one
line with the ``file:line`` of its item in the site file and one of:

``OK``
    every query answered; the sample count (for the topology: services, calls, entries and
    the latency unit ``auto`` would pick, from the same ``build_world`` the gateway uses).
``EMPTY``
    the queries ran but a needed one matched nothing (or only NaN): a warning, with a hint
    from a second look (is there any series of that metric name at all?).
``ERROR``
    Prometheus refused a query: its own message (``bad_data: 1:20: parse error: …``).

Queries run a few at a time (``CONCURRENCY``), each bounded by the site's ``timeout_s``.
An unreachable Prometheus is one line, not one per query. Secret values (the bearer) are
never printed: every message goes through ``Secrets.redact``.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field

from warroom.gateway.secrets import Secrets
from warroom.gateway.site_model import PrometheusSite, Site
from warroom.gateway.sources.promql import PromClient, PromError, Sample
from warroom.gateway.sources.topology import ISTIO, build_world, topology_queries

#: Queries in flight at once: gentle on a Prometheus that also serves everyone else.
CONCURRENCY = 4
#: At most this many metric names are looked up for an EMPTY hint.
HINT_NAMES = 3

OK, EMPTY, ERROR = "OK", "EMPTY", "ERROR"

_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
# A metric name is what stands right before a selector's `{` or a range's `[`.
_METRIC = re.compile(r"([A-Za-z_:][A-Za-z0-9_:]*)\s*[{\[]")
_BARE = re.compile(r"\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*")


@dataclass(frozen=True)
class GroupResult:
    """The outcome of one query group."""

    where: str  # file:line of the item in the site file
    what: str  # "topology (servicegraph)", "scenario pay", "KPI business_gmv_rate"
    state: str  # OK | EMPTY | ERROR
    detail: str

    @property
    def line(self) -> str:
        """The line printed for this group."""
        head = f"{self.where}: " if self.where else ""
        return f"{head}{self.what}: {self.state} — {self.detail}"


@dataclass
class OnlineReport:
    """What ``check_online`` found: ``ok`` (exit status 0), the lines to print, the groups."""

    ok: bool
    lines: list[str] = field(default_factory=list)
    groups: list[GroupResult] = field(default_factory=list)


def metric_names(expr: str) -> list[str]:
    """The metric names an expression selects (those before ``{`` or ``[``, or the whole
    expression when it is one name), in order, without repeats. A hint, not a parser."""
    text = _STRING.sub('""', expr)
    names = [m.group(1) for m in _METRIC.finditer(text)]
    bare = _BARE.fullmatch(text)
    if bare:
        names.append(bare.group(1))
    keywords = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool"}
    return list(dict.fromkeys(n for n in names if n not in keywords))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Checker:
    def __init__(self, prom: PrometheusSite, site: Site, client: PromClient, secrets: Secrets) -> None:
        self.prom = prom
        self.site = site
        self.client = client
        self.secrets = secrets
        self._gate = asyncio.Semaphore(CONCURRENCY)

    def say(self, text: str) -> str:
        return self.secrets.redact(" ".join(str(text).split()))

    async def ask(self, expr: str) -> list[Sample] | PromError:
        async with self._gate:
            try:
                return await self.client.query(expr)
            except PromError as e:
                return e

    async def ask_all(self, queries: dict[str, str]) -> dict[str, list[Sample] | PromError]:
        answers = await asyncio.gather(*(self.ask(q) for q in queries.values()))
        return dict(zip(queries, answers))

    async def hint(self, exprs: list[str]) -> str:
        """Why queries matched nothing: which of their metric names has no series at all."""
        names = list(dict.fromkeys(n for e in exprs for n in metric_names(e)))[:HINT_NAMES]
        if not names:
            return "check the selectors and label names"
        counts = await asyncio.gather(*(self.ask(f'count({{__name__="{n}"}})') for n in names))
        missing, present = [], []
        for n, c in zip(names, counts):
            if isinstance(c, PromError):
                continue
            total = int(c[0].value) if c and math.isfinite(c[0].value) else 0
            (present if total else missing).append((n, total))
        parts = []
        if missing:
            parts.append("no series named " + ", ".join(n for n, _ in missing) + " (check the metric names)")
        if present:
            parts.append(", ".join(f"{n} has {t} series" for n, t in present)
                         + " but the selector or labels match none of them")
        return "; ".join(parts) or "check the selectors and label names"

    async def topology(self) -> GroupResult:
        topo = self.prom.topology
        what = f"topology ({topo.shape})"
        queries = topology_queries(topo, self.prom.rate_window)
        answers = await self.ask_all(queries)
        errors = [(n, a) for n, a in answers.items() if isinstance(a, PromError)]
        if errors:
            detail = "; ".join(f"{n}: {self.say(e)}" for n, e in errors)
            return GroupResult(topo.where, what, ERROR, detail)
        results = {n: a for n, a in answers.items() if not isinstance(a, PromError)}
        if not results.get("edge_rate"):
            metric = "istio_requests_total" if topo.shape == ISTIO else "traces_service_graph_request_total"
            sel = f"selector {{{topo.selector}}}" if topo.selector else "no selector"
            if topo.shape == ISTIO and topo.namespaces:
                sel += f", namespaces {', '.join(topo.namespaces)}"
            why = await self.hint([queries["edge_rate"]])
            return GroupResult(topo.where, what, EMPTY, f"no {metric} series match ({sel}): {why}")
        notes: list[str] = []
        world, points = build_world(topo.shape, results, self.site.services, self.prom.scenarios,
                                    topo.latency_unit, kinds=topo.kinds, notes=notes)
        services = world.services
        entries = sum(1 for s in services if s.entry)
        parts = [f"{_plural(len(services), 'service')} ({entries} {'entry' if entries == 1 else 'entries'})",
                 _plural(len(world.edges), "call"), f"{len(points)} series"]
        no_latency = [n for n in ("edge_p99", "service_p99") if not any(math.isfinite(s.value) for s in results[n])]
        if no_latency:
            parts.append("no latency yet (" + ", ".join(no_latency) + " matched nothing)")
        detail = ", ".join(parts) + "".join(f"; {n}" for n in notes if n.startswith("latency unit"))
        detail += "".join(f"; {n}" for n in notes if not n.startswith("latency unit"))
        return GroupResult(topo.where, what, OK, detail)

    async def group(self, where: str, what: str, queries: dict[str, str]) -> GroupResult:
        answers = await self.ask_all(queries)
        errors = [(n, a) for n, a in answers.items() if isinstance(a, PromError)]
        if errors:
            return GroupResult(where, what, ERROR, "; ".join(f"{n}: {self.say(e)}" for n, e in errors))
        counts, empty = [], []
        for n, samples in answers.items():
            finite = sum(1 for s in samples if math.isfinite(s.value))
            counts.append(f"{n} {_plural(finite, 'sample')}")
            if not finite:
                empty.append((n, bool(samples)))
        if empty:
            nan = [n for n, had in empty if had]
            none = [n for n, had in empty if not had]
            bits = []
            if none:
                why = await self.hint([queries[n] for n in none])
                bits.append(f"{', '.join(none)} matched nothing: {why}")
            if nan:
                bits.append(f"{', '.join(nan)} answered only NaN/Inf (no traffic in the window? 0/0?), "
                            "which the gateway drops")
            return GroupResult(where, what, EMPTY, "; ".join(bits))
        return GroupResult(where, what, OK, ", ".join(counts))

    async def run(self) -> list[GroupResult]:
        tasks = [self.topology()]
        for sq in self.prom.scenarios:
            queries = {"tps": sq.tps, "success_ratio": sq.success_ratio}
            if sq.requests_rate:
                queries["requests_rate"] = sq.requests_rate
            tasks.append(self.group(sq.where, f"scenario {sq.id}", queries))
        for kq in self.prom.kpis:
            tasks.append(self.group(kq.where, f"KPI {kq.series}", {"query": kq.query}))
        return list(await asyncio.gather(*tasks))


async def check_online(site: Site, secrets: Secrets, *, client: PromClient | None = None) -> OnlineReport:
    """Run every query ``site`` would poll once on its Prometheus; see the module docstring.

    ``client`` may be given (a test's); otherwise one is made from the site with its
    ``timeout_s`` and the bearer secret it names (``KeyError`` handled: a clear line)."""
    name = str(site.path) if site.path is not None else site.name
    prom = site.prometheus
    if prom is None:
        return OnlineReport(True, [f"{name}: no `prometheus:` section: nothing to query online"])
    own = client is None
    if client is None:
        bearer = None
        if prom.bearer_secret:
            try:
                bearer = secrets.get(prom.bearer_secret)
            except KeyError as e:
                return OnlineReport(False, [f"{prom.where}: cannot query Prometheus: {e.args[0]}"])
        client = PromClient(prom.url, timeout_s=prom.timeout_s, bearer=bearer)
    try:
        checker = _Checker(prom, site, client, secrets)
        probe = await checker.ask("vector(1)")
        if isinstance(probe, PromError):
            why = checker.say(probe)
            return OnlineReport(False, [f"{prom.where}: Prometheus {client.shown_url} cannot be used: {why}"])
        groups = await checker.run()
    finally:
        if own:
            await client.close()
    lines = [f"{prom.where}: Prometheus {client.shown_url}: reachable",
             *(checker.say(g.line) for g in groups)]
    n = {s: sum(1 for g in groups if g.state == s) for s in (OK, EMPTY, ERROR)}
    tally = f"{n[OK]} OK, {n[EMPTY]} EMPTY, {_plural(n[ERROR], 'error')}"
    if n[ERROR]:
        lines.append(f"{name}: online check failed — {tally}")
    elif n[EMPTY]:
        lines.append(f"{name}: online check passed with warnings — {tally}: every query runs, but "
                     f"{_plural(n[EMPTY], 'group')} matched nothing")
    else:
        lines.append(f"{name}: online check passed — {tally}")
    return OnlineReport(not n[ERROR], lines, groups)


def run_check_online(site: Site, secrets: Secrets) -> OnlineReport:
    """``check_online`` from synchronous code (the CLI)."""
    return asyncio.run(check_online(site, secrets))
