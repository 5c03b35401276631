"""What a site file says, as plain frozen data (the loader is ``warroom.gateway.site``).

A site file describes one gateway: where it listens, which Prometheus it polls and how its
metrics map to Warroom's services, edges and scenarios, how Alertmanager alerts and CI
annotations name services, which plans it offers and how each one acts on the real system
(its executor), and the guardrails those executors must stay inside. docs/gateway.md shows
every key with an example.

Every value here has already been checked by the loader: the executors, sources and feed
can trust types and ranges. ``where`` fields keep ``file:line`` of the item, so a later
error about it (a query Prometheus refuses, an executor target outside the allow-list) can
point at the line that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from warroom.core.plan.plans import Plan

#: Topology shapes the Prometheus source understands.
TOPOLOGY_SHAPES = ("servicegraph", "istio")
#: Latency units of a topology's histograms; ``auto`` looks at the bucket bounds.
LATENCY_UNITS = ("auto", "seconds", "milliseconds")
#: Executor types a plan may use.
EXECUTOR_TYPES = ("http", "sentinel", "istio", "command")


@dataclass(frozen=True)
class Listen:
    """Where a server listens: the feed (websocket) or the HTTP receivers."""

    host: str = "127.0.0.1"
    port: int = 8765
    tokens: Path | None = None  # a tokens file (docs/security.md); None: loopback-only demo rules
    tls_cert: Path | None = None
    tls_key: Path | None = None


@dataclass(frozen=True)
class Topology:
    """How services and calls are found in Prometheus."""

    shape: str = "servicegraph"  # one of TOPOLOGY_SHAPES
    #: Label matchers added to every topology query, without braces: ``server_service_namespace="pay"``.
    selector: str = ""
    latency_unit: str = "auto"  # one of LATENCY_UNITS
    interval_s: float | None = None  # None: the Prometheus section's interval_s
    #: Istio: the namespaces to read (``destination_workload_namespace``); empty = all (capped).
    namespaces: tuple[str, ...] = ()
    #: Service name -> kind (``database``, ``queue``, ``external``...), over what the metrics say.
    kinds: Mapping[str, str] = field(default_factory=dict)
    where: str = ""


@dataclass(frozen=True)
class StepQuery:
    """One funnel step of a scenario (protocol 1.6): the PromQL of the items reaching it per
    second (sent as ``scenario_step_rate{scenario,step}``) and the services that carry an item
    into it (where a drop in its conversion is rooted)."""

    id: str
    query: str
    title: str = ""
    titles: Mapping[str, str] = field(default_factory=dict)
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioQuery:
    """A business flow: its PromQL and the services on its path."""

    id: str
    title: str
    services: tuple[str, ...]
    tps: str  # PromQL: successful transactions per second -> scenario_tps
    success_ratio: str  # PromQL: 0..1 -> scenario_success_ratio
    requests_rate: str | None = None  # PromQL: transactions entering per second -> scenario_requests_rate
    entry: str | None = None  # default: services[0]
    titles: Mapping[str, str] = field(default_factory=dict)
    interval_s: float | None = None
    where: str = ""
    #: Its business funnel, first step first (empty: none).
    steps: tuple[StepQuery, ...] = ()


@dataclass(frozen=True)
class KpiQuery:
    """Any extra series: a PromQL expression sent as the Warroom series ``series``.

    ``series`` is a series key in canonical text form (``business_gmv_rate`` or
    ``queue_depth{service="mq"}``). A query that returns several samples sends one series
    each, the sample's labels added to the key's own (``series`` labels win).
    """

    series: str
    query: str
    title: str = ""
    titles: Mapping[str, str] = field(default_factory=dict)
    interval_s: float | None = None
    where: str = ""


@dataclass(frozen=True)
class ServiceNames:
    """How to show a service to people, and its kind when the metrics cannot tell."""

    name: str
    title: str = ""
    titles: Mapping[str, str] = field(default_factory=dict)
    kind: str | None = None


@dataclass(frozen=True)
class PrometheusSite:
    """The Prometheus source."""

    url: str
    interval_s: float = 5.0
    timeout_s: float = 4.0
    #: The ``[window]`` of every ``rate()`` the gateway writes, as PromQL duration text. At least
    #: four scrape intervals of the site's Prometheus (``1m`` suits the common 15 s scrape).
    rate_window: str = "1m"
    backfill_s: float = 900.0  # history read with query_range at start
    #: Name of a secret (``secrets`` file) sent as ``Authorization: Bearer``; None: no header.
    bearer_secret: str | None = None
    topology: Topology = field(default_factory=Topology)
    scenarios: tuple[ScenarioQuery, ...] = ()
    kpis: tuple[KpiQuery, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class AlertmanagerSite:
    """How Alertmanager alerts name services: the first of ``service_labels`` an alert has."""

    service_labels: tuple[str, ...] = ("service", "service_name", "app", "job")
    #: Alertmanager ``severity`` label value -> Warroom severity (P0..P3, info).
    severities: Mapping[str, str] = field(default_factory=lambda: {
        "critical": "P1", "page": "P1", "error": "P2", "warning": "P2", "info": "info"})


@dataclass(frozen=True)
class LokiSite:
    """The Loki source (protocol 1.5 log context): one LogQL log query polled with
    ``query_range``; a stream's service is its first label among ``service_labels``."""

    url: str
    query: str
    interval_s: float = 15.0
    timeout_s: float = 5.0
    window_s: float = 300.0  # how far back a poll reaches (the first poll, or after a gap)
    limit: int = 200  # lines per poll (Loki's own default is 100; its max_entries_limit_per_query 5000)
    service_labels: tuple[str, ...] = ("service_name", "service", "app", "job")
    tenant: str = ""  # X-Scope-OrgID
    bearer_secret: str | None = None
    where: str = ""


@dataclass(frozen=True)
class NatsSite:
    """Publish the feed to NATS JetStream for ``warroom edge`` (docs/scale.md), and execute the
    commands consoles send through the edges. ``site``: the name on the bus (default: the site's)."""

    url: str
    site: str = ""
    max_age_s: float = 3600.0
    where: str = ""


@dataclass(frozen=True)
class IncidentsSite:
    """Alerts and incidents computed once, in the gateway, for every console (protocol 1.4).

    ``enabled: false``: the gateway publishes none, and each console computes its own."""

    enabled: bool = True
    rules: Path | None = None  # an alert rule file; None: the shipped rules
    where: str = ""


@dataclass(frozen=True)
class AnnotationsSite:
    """How annotation tags map to a change: which tags mean deploy or config, and that a tag
    naming a known service (or ``service:<name>``) is the service."""

    deploy_tags: tuple[str, ...] = ("deploy", "deployment", "release", "rollout")
    config_tags: tuple[str, ...] = ("config", "configuration", "flag", "feature-flag")


@dataclass(frozen=True)
class ExecutorSpec:
    """How a plan acts on the real system. ``options`` are the type's own keys, checked by
    the loader (docs/gateway.md, "Executors"); templates are still unexpanded here."""

    type: str  # one of EXECUTOR_TYPES
    options: Mapping[str, Any] = field(default_factory=dict)
    timeout_s: float = 10.0
    where: str = ""


@dataclass(frozen=True)
class SitePlan:
    """A plan of the gateway's catalogue: the plan the consoles see, and its executor."""

    plan: Plan
    executor: ExecutorSpec
    where: str = ""


@dataclass(frozen=True)
class Limits:
    """Guardrails every executor checks before it writes anything.

    ``targets``: the allow-list. An executor may only touch a target whose text form starts
    with one of these prefixes (``sentinel:10.0.0.5:8719``, ``istio:pay/reviews``,
    ``http:https://ops.example.com/``, ``command:/usr/local/bin/``). Empty: nothing is allowed.
    """

    targets: tuple[str, ...] = ()
    min_rate_limit_qps: float = 1.0  # the lowest QPS a Sentinel flow rule may set
    max_weight_shift: int = 100  # the most an Istio route weight may move in one plan


@dataclass(frozen=True)
class Site:
    """One gateway's site file, loaded and checked."""

    name: str  # the feed's server_id
    path: Path | None = None
    listen: Listen = field(default_factory=Listen)
    receivers: Listen = field(default_factory=lambda: Listen(port=9095))
    secrets_file: Path | None = None
    state_dir: Path | None = None  # None: the platform's state folder (platformdirs)
    prometheus: PrometheusSite | None = None
    alertmanager: AlertmanagerSite = field(default_factory=AlertmanagerSite)
    annotations: AnnotationsSite = field(default_factory=AnnotationsSite)
    services: Mapping[str, ServiceNames] = field(default_factory=dict)
    plans: tuple[SitePlan, ...] = ()
    limits: Limits = field(default_factory=Limits)
    incidents: IncidentsSite = field(default_factory=IncidentsSite)
    nats: NatsSite | None = None
    loki: LokiSite | None = None
    #: What the platform's series are (``series:``, warroom.core.catalogue.SeriesInfo), sent with
    #: the topology (protocol 1.6) for the consoles' series catalogue.
    series: tuple = ()
    #: The north-star KPI tree (``kpi_tree:``, warroom.core.northstar.tree.KpiTree), sent with the
    #: topology (protocol 1.6) for the consoles' KPI-tree panel; None when the file has none.
    kpi_tree: Any = None
    #: What the loader found odd but usable (``file:line: ...``): ``warroom gateway check`` prints
    #: them, the gateway logs them at start.
    warnings: tuple[str, ...] = field(default=(), compare=False)
