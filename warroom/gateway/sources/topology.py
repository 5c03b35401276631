"""Services and calls from Prometheus: the PromQL for each topology shape, and its answers as
Warroom's model (pure functions, no I/O).

Two shapes (``warroom.gateway.site_model.TOPOLOGY_SHAPES``):

``servicegraph``
    The OpenTelemetry Collector's ``servicegraph`` connector or Tempo's metrics-generator:
    ``traces_service_graph_request_total`` / ``…_failed_total`` / ``…_server_seconds_bucket``
    with ``client``, ``server``, ``connection_type``. The server side's histogram is used:
    it is what the callee itself measured, the same on every platform (client histograms
    were swapped with server ones in collectors before contrib PR #34562).
``istio``
    Istio's standard metrics, ``istio_requests_total`` and
    ``istio_request_duration_milliseconds_bucket`` (the legacy ``…_seconds_bucket`` OR'd in,
    as Kiali does), always with ``reporter="destination"``: every request is counted by both
    sidecars, and only the destination's count includes callers outside the mesh.

What a real platform needs, and how it is met here:

* **Few, cheap queries.** One query per measure for the whole graph (never one per service
  or per namespace, which is what makes Kiali slow on big meshes), aggregated by Prometheus
  to one series per call (``sum by``) so the answer is as small as the graph. Per-service
  rates and error ratios are added up here from the per-call answers (a service's traffic
  is what all its callers sent it); only quantiles need their own per-service query,
  because quantiles do not add.
* **Short windows.** ``rate(…[rate_window])`` with the site's window: at least four scrape
  intervals, short enough that a fault shows within a poll or two.
* **Missing is not zero.** A failed counter appears only after the first failure, so an
  edge without one has no failures (0); an edge with no traffic in the window (rate 0) has
  a request rate of 0 — a fact — but *no* error ratio, because a ratio of nothing is
  unknown, and no latency (``histogram_quantile`` gives NaN, which is dropped).
* **Units checked.** Collectors before contrib PR #27665 (and the feature gate
  ``processor.servicegraph.legacyLatencyUnitMs``) write milliseconds into the ``_seconds``
  histogram. With ``latency_unit: auto`` the largest finite bucket bound tells (≥ 1000 is
  milliseconds: nobody buckets calls at 17 minutes), else a p50 above 60 "seconds"; the
  decision is written to the source's health detail.
* **Virtual nodes.** A caller outside the traces (the connector's virtual client ``user``,
  Istio's ``source_workload="unknown"``) is not a service: it marks its callee as an entry
  (``Service.entry``) and its traffic counts towards the callee's rate. An uninstrumented
  callee (a virtual server: a third-party API named from ``peer.service``) is a service of
  kind ``external``; ``connection_type`` ``database`` gives kind ``database``;
  ``messaging_system`` gives kind ``queue`` when the server does nothing else (real
  connectors pair producer with consumer, so a server that also calls or is called
  otherwise is a consumer service, not the broker). The site's ``topology.kinds`` and
  ``services.<name>.kind`` override what the metrics say.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from warroom.core.graph.topology import Topology as CoreTopology
from warroom.core.language.text import UNSAFE
from warroom.core.model import (
    CallEdge,
    FunnelStep,
    Scenario,
    SeriesKey,
    Service,
    ServiceKind,
    step_series,
)
from warroom.gateway.site_model import ScenarioQuery, ServiceNames, Topology
from warroom.gateway.sources.promql import Sample
from warroom.protocol.strings import NAME_MAX

log = logging.getLogger(__name__)

SERVICEGRAPH = "servicegraph"
ISTIO = "istio"
#: Names the connectors give a caller that is not traced (the root span's virtual client).
VIRTUAL_CLIENTS = frozenset({"user", "unknown"})
#: At most this many Istio namespaces are read; more make every query slow for everyone
#: (kiali/kiali#3186: selecting more than 5 of 500 namespaces hung Kiali).
NAMESPACE_CAP = 20
#: Quantiles sent, as label text.
QUANTILES = ("0.5", "0.99")
#: A bucket bound at least this large means the histogram holds milliseconds.
MS_BUCKET_BOUND = 1000.0
#: A median call above this many "seconds" means the histogram holds milliseconds.
MS_P50_SECONDS = 60.0

_ISTIO_EDGE = ("source_workload, source_workload_namespace, destination_workload, "
               "destination_workload_namespace")
_ISTIO_SERVICE = "destination_workload, destination_workload_namespace"


def _braces(*matchers: str) -> str:
    inner = ",".join(m.strip().strip(",") for m in matchers if m and m.strip().strip(","))
    return "{" + inner + "}" if inner else ""


def _namespace_matcher(namespaces: Sequence[str]) -> str:
    if not namespaces:
        return ""
    if len(namespaces) > NAMESPACE_CAP:
        log.warning("topology: %d Istio namespaces given, reading only the first %d", len(namespaces),
                    NAMESPACE_CAP)
        namespaces = namespaces[:NAMESPACE_CAP]
    alts = "|".join(re.escape(ns).replace("\\", "\\\\").replace('"', '\\"') for ns in namespaces)
    return f'destination_workload_namespace=~"{alts}"'


def topology_queries(topo: Topology, rate_window: str) -> dict[str, str]:
    """The PromQL for ``topo``'s shape, by name.

    Names: ``edge_rate``, ``edge_failed`` (per call), ``edge_p50``/``edge_p99`` (per call),
    ``service_p50``/``service_p99`` (per callee), and for ``servicegraph`` ``buckets`` (one
    sample per bucket bound ``le``, for the unit check; counting series is cheap and the
    answer has a dozen samples whatever the graph's size).
    """
    w = rate_window
    if topo.shape == SERVICEGRAPH:
        sel = _braces(topo.selector)
        by_edge = "client, server, connection_type, virtual_node"
        hist = f"traces_service_graph_request_server_seconds_bucket{sel}"
        out = {
            "edge_rate": f"sum by ({by_edge}) (rate(traces_service_graph_request_total{sel}[{w}]))",
            "edge_failed": f"sum by ({by_edge}) (rate(traces_service_graph_request_failed_total{sel}[{w}]))",
            "buckets": f"count by (le) ({hist})",
        }
        for q in QUANTILES:
            tag = "p" + q.split(".")[1].ljust(2, "0")
            out[f"edge_{tag}"] = f"histogram_quantile({q}, sum by (client, server, le) (rate({hist}[{w}])))"
            out[f"service_{tag}"] = f"histogram_quantile({q}, sum by (server, le) (rate({hist}[{w}])))"
        return out
    if topo.shape == ISTIO:
        base = _braces('reporter="destination"', topo.selector, _namespace_matcher(topo.namespaces))[1:-1]
        total = f"istio_requests_total{{{base}}}"
        failed_http = f'istio_requests_total{{{base},response_code=~"5.."}}'
        # gRPC failures travel as HTTP 200 with a non-zero grpc-status; the two selectors are
        # disjoint (not 5xx), so `or` is a union and nothing is counted twice.
        failed_grpc = f'istio_requests_total{{{base},response_code!~"5..",grpc_response_status=~"[1-9][0-9]*"}}'
        out = {
            "edge_rate": f"sum by ({_ISTIO_EDGE}) (rate({total}[{w}]))",
            "edge_failed": f"sum by ({_ISTIO_EDGE}) (rate({failed_http}[{w}]) or rate({failed_grpc}[{w}]))",
        }
        ms = f"istio_request_duration_milliseconds_bucket{{{base}}}"
        s = f"istio_request_duration_seconds_bucket{{{base}}}"
        for q in QUANTILES:
            tag = "p" + q.split(".")[1].ljust(2, "0")
            for scope, by in (("edge", _ISTIO_EDGE), ("service", _ISTIO_SERVICE)):
                out[f"{scope}_{tag}"] = (
                    f"(histogram_quantile({q}, sum by ({by}, le) (rate({ms}[{w}]))) / 1000) or "
                    f"histogram_quantile({q}, sum by ({by}, le) (rate({s}[{w}])))")
        return out
    raise ValueError(f"unknown topology shape {topo.shape!r}")


@lru_cache(maxsize=65536)
def series_key(name: str, labels: tuple[tuple[str, str], ...]) -> SeriesKey:
    """The ``SeriesKey`` for a name and label pairs, built once (a poll asks for the same
    thousands of keys every few seconds)."""
    return SeriesKey(name, dict(labels))


def _good_name(name: str | None) -> bool:
    return bool(name) and len(name) <= NAME_MAX and UNSAFE.search(name) is None


class _Shape:
    """How one shape's labels name the two ends of a call."""

    def __init__(self, shape: str, results: Mapping[str, Sequence[Sample]]) -> None:
        self.shape = shape
        self.istio = shape == ISTIO
        self.names: dict[tuple[str, str], str] = {}
        if self.istio:
            # A workload name is the service name; the same name in two namespaces gets its
            # namespace appended, so neither is merged into the other.
            seen: dict[str, set[str]] = {}
            for samples in results.values():
                for s in samples:
                    for w, ns in (("source_workload", "source_workload_namespace"),
                                  ("destination_workload", "destination_workload_namespace")):
                        if w in s.labels:
                            seen.setdefault(s.labels[w], set()).add(s.labels.get(ns, ""))
            for w, spaces in seen.items():
                for ns in spaces:
                    self.names[(w, ns)] = f"{w}.{ns}" if len(spaces) > 1 and ns else w

    def caller(self, labels: Mapping[str, str]) -> str | None:
        if self.istio:
            w = labels.get("source_workload")
            return None if w is None else self.names.get((w, labels.get("source_workload_namespace", "")), w)
        return labels.get("client")

    def callee(self, labels: Mapping[str, str]) -> str | None:
        if self.istio:
            w = labels.get("destination_workload")
            if w is None or w == "unknown":
                return None
            return self.names.get((w, labels.get("destination_workload_namespace", "")), w)
        return labels.get("server")

    def group(self, labels: Mapping[str, str], side: str) -> str:
        if self.istio:
            return labels.get(f"{side}_workload_namespace", "")
        return ""


def _finite(v: float) -> bool:
    return not (math.isnan(v) or math.isinf(v))


def latency_scale(shape: str, results: Mapping[str, Sequence[Sample]], latency_unit: str,
                  notes: list[str] | None = None) -> float:
    """The factor from the histogram's numbers to seconds (1 or 0.001), and why in ``notes``."""
    if shape == ISTIO:
        # The metric's name says the unit; the queries already converted milliseconds.
        if notes is not None:
            notes.append("latency unit: by metric name (istio_request_duration_milliseconds / 1000, "
                         "legacy istio_request_duration_seconds as is)")
        return 1.0
    if latency_unit == "seconds":
        if notes is not None:
            notes.append("latency unit: seconds (site setting)")
        return 1.0
    if latency_unit == "milliseconds":
        if notes is not None:
            notes.append("latency unit: milliseconds (site setting)")
        return 0.001
    bounds = []
    for s in results.get("buckets", ()):
        try:
            le = float(s.labels.get("le", "nan"))
        except ValueError:
            continue
        if _finite(le):
            bounds.append(le)
    top = max(bounds) if bounds else None
    if top is not None and top >= MS_BUCKET_BOUND:
        if notes is not None:
            notes.append(f"latency unit: milliseconds (largest bucket bound {top:g})")
        return 0.001
    p50s = [s.value for s in results.get("service_p50", ()) if _finite(s.value)]
    if p50s and max(p50s) > MS_P50_SECONDS:
        if notes is not None:
            notes.append(f"latency unit: milliseconds (a median of {max(p50s):g} 'seconds')")
        return 0.001
    if notes is not None:
        why = f"largest bucket bound {top:g}" if top is not None else "no bucket bounds seen"
        notes.append(f"latency unit: seconds ({why})")
    return 1.0


def build_world(
    shape: str,
    results: Mapping[str, Sequence[Sample]],
    names: Mapping[str, ServiceNames],
    scenarios: Iterable[ScenarioQuery],
    latency_unit: str,
    *,
    kinds: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
    with_topology: bool = True,
) -> tuple[CoreTopology | None, list[tuple[SeriesKey, float]]]:
    """The call graph and its series from the answers to ``topology_queries`` (by name).

    ``names`` are the site's display names and kinds, ``kinds`` the site's
    ``topology.kinds`` (both win over what the metrics say), ``scenarios`` the site's
    scenarios, attached to the graph with the calls between their services (a scenario's
    service that sent nothing yet is still added, so the scenario always has its path).
    Values are finite only: NaN quantiles, unknown label sets and empty answers are
    skipped. ``notes`` (when given) collects what was decided (the latency unit, names
    refused). ``with_topology=False`` gives ``(None, points)``, for history steps.
    """
    kinds = kinds or {}
    sh = _Shape(shape, results)
    scale = latency_scale(shape, results, latency_unit, notes)

    # Per call: rate, connection type, Tempo's virtual_node label, groups.
    rate: dict[tuple[str, str], float] = {}
    ctype: dict[tuple[str, str], str] = {}
    vnode: dict[tuple[str, str], str] = {}
    groups: dict[str, str] = {}
    refused: set[str] = set()
    virtual_callers: set[str] = set()  # istio: "unknown" is always a virtual caller
    for s in results.get("edge_rate", ()):
        a, b = sh.caller(s.labels), sh.callee(s.labels)
        if a is None or b is None:
            continue
        if not (_good_name(a) and _good_name(b)):
            refused.update(n for n in (a, b) if not _good_name(n))
            continue
        if a == b:
            continue  # a service calling itself is not a call of the graph
        key = (a, b)
        v = s.value if _finite(s.value) else 0.0
        rate[key] = rate.get(key, 0.0) + v
        ct = s.labels.get("connection_type", "")
        if ct and not ctype.get(key):
            ctype[key] = ct
        if s.labels.get("virtual_node"):
            vnode[key] = s.labels["virtual_node"]
        if sh.istio:
            groups.setdefault(a, sh.group(s.labels, "source"))
            groups.setdefault(b, sh.group(s.labels, "destination"))
            if s.labels.get("source_workload") == "unknown":
                virtual_callers.add(a)
    failed: dict[tuple[str, str], float] = {}
    for s in results.get("edge_failed", ()):
        a, b = sh.caller(s.labels), sh.callee(s.labels)
        key = (a, b)
        if key in rate and _finite(s.value):
            failed[key] = failed.get(key, 0.0) + s.value

    servers = {b for _, b in rate}
    clients = {a for a, _ in rate}
    not_messaging_server = {k[1] for k in rate if ctype.get(k) != "messaging_system"}

    inferred: dict[str, ServiceKind] = {}
    entries: set[str] = set()
    real_edges: list[tuple[str, str]] = []
    for key in rate:
        a, b = key
        ct, vn = ctype.get(key, ""), vnode.get(key, "")
        virtual_client = virtual_server = False
        if a in virtual_callers or vn == "client":
            virtual_client = True
        elif vn == "server":
            virtual_server = True
        elif ct == "virtual_node":
            if a in VIRTUAL_CLIENTS and a not in servers:
                virtual_client = True
            elif b not in clients:
                virtual_server = True
            elif a not in servers:
                virtual_client = True
        if virtual_client:
            entries.add(b)
            continue
        real_edges.append(key)
        if ct == "database":
            inferred[b] = ServiceKind.DATABASE
        elif ct == "messaging_system" and b not in clients and b not in not_messaging_server:
            inferred.setdefault(b, ServiceKind.QUEUE)
        elif virtual_server:
            inferred.setdefault(b, ServiceKind.EXTERNAL)

    edge_set = set(real_edges)
    topology: CoreTopology | None = None
    if with_topology:  # a history step only needs its points: the graph costs more than they do
        members: dict[str, None] = {}
        for a, b in real_edges:
            members.setdefault(a)
            members.setdefault(b)
        for b in entries:
            members.setdefault(b)
        scenario_list = []
        for sq in scenarios:
            path = [n for n in sq.services if _good_name(n)]
            entry = sq.entry if sq.entry and _good_name(sq.entry) else (path[0] if path else None)
            if entry is None:
                continue
            scenario_list.append((sq, entry, set(path) | {entry}))
            for n in (entry, *path):
                members.setdefault(n)

        def kind_of(n: str) -> ServiceKind:
            for text in (kinds.get(n), names[n].kind if n in names else None):
                if text:
                    try:
                        return ServiceKind(text)
                    except ValueError:
                        pass
            return inferred.get(n, ServiceKind.SERVICE)

        services = []
        for n in sorted(members):
            nm = names.get(n)
            services.append(Service(n, kind_of(n), title=(nm.title if nm else "") or "", group=groups.get(n, ""),
                                    entry=n in entries, titles=dict(nm.titles) if nm else {}))
        edges_sorted = sorted(real_edges)
        edges = [CallEdge(a, b) for a, b in edges_sorted]
        built_scenarios = [
            Scenario(sq.id, sq.title or sq.id, entry, tuple(e for e in edges_sorted if e[0] in on and e[1] in on),
                     titles=dict(sq.titles), steps=tuple(  # its funnel (protocol 1.6), series as the source sends them
                         FunnelStep(st.id, step_series(sq.id, st.id), st.title, st.services, dict(st.titles))
                         for st in getattr(sq, "steps", ())))
            for sq, entry, on in scenario_list]
        topology = CoreTopology(services, edges, built_scenarios)

    points: list[tuple[SeriesKey, float]] = []
    add = points.append
    # Per service: what all its callers sent it (virtual callers included).
    svc_rate: dict[str, float] = {}
    svc_failed: dict[str, float] = {}
    for key, v in rate.items():
        b = key[1]
        svc_rate[b] = svc_rate.get(b, 0.0) + v
        svc_failed[b] = svc_failed.get(b, 0.0) + failed.get(key, 0.0)
    for n, v in svc_rate.items():
        add((series_key("service_requests_rate", (("service", n),)), v))
        if v > 0:
            add((series_key("service_error_ratio", (("service", n),)), min(1.0, max(0.0, svc_failed[n] / v))))
    for key in real_edges:
        a, b = key
        v = rate[key]
        labels = (("callee", b), ("caller", a))
        add((series_key("edge_requests_rate", labels), v))
        if v > 0:
            add((series_key("edge_error_ratio", labels), min(1.0, max(0.0, failed.get(key, 0.0) / v))))
    for q in QUANTILES:
        tag = "p" + q.split(".")[1].ljust(2, "0")
        for s in results.get(f"service_{tag}", ()):
            n = sh.callee(s.labels)
            if n in svc_rate and _finite(s.value):
                add((series_key("service_latency_seconds", (("quantile", q), ("service", n))), s.value * scale))
        for s in results.get(f"edge_{tag}", ()):
            key = (sh.caller(s.labels), sh.callee(s.labels))
            if key in edge_set and _finite(s.value):
                add((series_key("edge_latency_seconds", (("callee", key[1]), ("caller", key[0]), ("quantile", q))),
                     s.value * scale))
    if refused and notes is not None:
        notes.append(f"{len(refused)} service name(s) refused (empty, too long or with control characters)")
    return topology, points
