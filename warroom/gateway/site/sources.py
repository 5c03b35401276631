"""The site file's sections about what the gateway reads and serves: ``listen``, ``receivers``,
``prometheus`` (topology, scenarios, KPIs), ``services``, ``alertmanager`` and ``annotations``."""

from __future__ import annotations

import re

from yaml.nodes import Node, ScalarNode, SequenceNode

from warroom.core.model import SeriesKey, ServiceKind, Severity
from warroom.gateway.site.reading import _is_null, _join, _Map
from warroom.gateway.site.values import (
    _ID,
    _LABEL,
    _MISSING,
    _num,
    _promql_problem,
    _Values,
)
from warroom.gateway.site_model import (
    LATENCY_UNITS,
    TOPOLOGY_SHAPES,
    AlertmanagerSite,
    AnnotationsSite,
    KpiQuery,
    Listen,
    PrometheusSite,
    ScenarioQuery,
    ServiceNames,
    StepQuery,
    Topology,
)

_LISTEN_KEYS = ("host", "port", "tokens", "tls_cert", "tls_key")
_PROM_KEYS = ("url", "interval_s", "timeout_s", "rate_window", "backfill_s", "bearer_secret", "topology",
              "scenarios", "kpis")
_TOPOLOGY_KEYS = ("shape", "selector", "latency_unit", "interval_s", "namespaces", "kinds")
_SCENARIO_KEYS = ("id", "title", "titles", "services", "tps", "success_ratio", "requests_rate", "entry",
                  "interval_s", "steps")
_STEP_KEYS = ("id", "title", "titles", "query", "services")
_STEP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # the step label's value; never a "/"
_KPI_KEYS = ("series", "query", "title", "titles", "interval_s")
_SERVICE_KEYS = ("title", "titles", "kind")
_AM_KEYS = ("service_labels", "severities")
_ANN_KEYS = ("deploy_tags", "config_tags")
_SERVICE_KINDS = tuple(k.value for k in ServiceKind)
_SEVERITIES = tuple(s.value for s in Severity)


class _Sources(_Values):
    """The sections the gateway reads from and listens on."""

    def listen(self, top: _Map, key: str, default: Listen) -> Listen | None:
        if not top.has(key):
            return default
        m = self.mapping(top.value(key), key, _LISTEN_KEYS, head=top.line(key))
        if m is None:
            return None
        host = self.text(m, "host", default.host)
        port = self.number(m, "port", default.port, ge=0, le=65535, integer=True)
        tokens = self.path(m, "tokens", must_exist="tokens file")
        cert = self.path(m, "tls_cert", must_exist="certificate")
        tls_key = self.path(m, "tls_key", must_exist="key file")
        if tls_key is not None and cert is None:
            self.err(m.line("tls_key"), _join(key, "tls_key"), "needs tls_cert too")
        return Listen(host=host if isinstance(host, str) else default.host, port=port, tokens=tokens,
                      tls_cert=cert, tls_key=tls_key)

    def prometheus(self, node: Node, head: int) -> PrometheusSite | None:
        m = self.mapping(node, "prometheus", _PROM_KEYS, head=head)
        if m is None:
            return None
        url = self.url(m, "url")
        interval = self.number(m, "interval_s", 5.0, gt=0)
        timeout = self.number(m, "timeout_s", 4.0, gt=0)
        if m.has("timeout_s") or m.has("interval_s"):
            self._timeout_below(m, "timeout_s", timeout, interval)
        window = self.duration_text(m, "rate_window", "1m")
        backfill = self.number(m, "backfill_s", 900.0, ge=0)
        bearer = self.text(m, "bearer_secret", pattern=_ID, what="must be a secret's name")
        topology = self.topology(m, timeout)
        scenarios = self.scenarios(m, timeout)
        kpis = self.kpis(m, timeout)
        return PrometheusSite(
            url=url if isinstance(url, str) else "",
            interval_s=interval, timeout_s=timeout, rate_window=window, backfill_s=backfill,
            bearer_secret=bearer if isinstance(bearer, str) else None,
            topology=topology, scenarios=scenarios, kpis=kpis, where=f"{self.src}:{head}",
        )

    def _timeout_below(self, m: _Map, key: str, timeout: float, interval: float | None) -> None:
        if interval is not None and timeout >= interval:
            self.warn(m.line(key), _join(m.path, key),
                      f"a timeout of {_num(timeout)} s is not below the poll interval of {_num(interval)} s: "
                      "a slow Prometheus makes polls overlap")

    def topology(self, prom: _Map, timeout: float) -> Topology:
        if not prom.has("topology"):
            return Topology(where=prom.where(self.src))
        m = self.mapping(prom.value("topology"), "prometheus.topology", _TOPOLOGY_KEYS,
                         head=prom.line("topology"))
        if m is None:
            return Topology()
        shape = self.text(m, "shape", "servicegraph", choices=TOPOLOGY_SHAPES)
        selector = self.text(m, "selector", "")
        if isinstance(selector, str) and selector:
            selector = selector.strip()
            if selector.startswith("{") and selector.endswith("}"):
                selector = selector[1:-1].strip()
            problem = _promql_problem("m{" + selector + "}")
            if problem:
                self.err(m.line("selector"), _join(m.path, "selector"),
                         f"must be label matchers like server_service_namespace=\"pay\": {problem}")
                selector = ""
        unit = self.text(m, "latency_unit", "auto", choices=LATENCY_UNITS)
        interval = self.number(m, "interval_s", None, gt=0)
        if interval is not None:
            self._timeout_below(m, "interval_s", timeout, interval)
        namespaces = self.texts(m, "namespaces", pattern=re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"),
                                what="must be a Kubernetes namespace name")
        if namespaces and shape == "servicegraph":
            self.warn(m.line("namespaces"), _join(m.path, "namespaces"),
                      "only the istio shape reads namespaces; use `selector` for service graphs")
        kinds = self.text_map(m, "kinds", choices=_SERVICE_KINDS)
        return Topology(
            shape=shape if isinstance(shape, str) else "servicegraph",
            selector=selector if isinstance(selector, str) else "",
            latency_unit=unit if isinstance(unit, str) else "auto",
            interval_s=interval, namespaces=namespaces, kinds=kinds, where=prom.where(self.src, "topology"),
        )

    def scenarios(self, prom: _Map, timeout: float) -> tuple[ScenarioQuery, ...]:
        out: list[ScenarioQuery] = []
        seen: dict[str, int] = {}
        for m in self.each(prom, "scenarios", _SCENARIO_KEYS, self.id_label):
            sid = self.text(m, "id", required=True, pattern=_ID,
                            what="must be a name of letters, digits, _ . : -")
            if isinstance(sid, str):
                if sid in seen:
                    self.err(m.line("id"), _join(m.path, "id"), f"scenario {sid!r} is already defined at line "
                             f"{seen[sid]}")
                    sid = _MISSING
                else:
                    seen[sid] = m.line("id")
            title = self.text(m, "title")
            services = self.texts(m, "services")
            odd = [s for s in services if s != s.strip() or any(c.isspace() for c in s)]
            if odd:  # legal in a label value, but far more often a line broken inside a name
                self.warn(m.line("services"), _join(m.path, "services"),
                          f"service names with spaces: {', '.join(repr(s) for s in odd)}")
            if not services and "services" not in m.items:
                self.err(m.line(), m.path, "missing `services:` (the services on the scenario's path)")
            elif not services:
                self.err(m.line("services"), _join(m.path, "services"), "must list at least one service")
            tps = self.promql(m, "tps")
            ratio = self.promql(m, "success_ratio")
            requests = self.promql(m, "requests_rate", required=False)
            entry = self.text(m, "entry")
            if isinstance(entry, str) and services and entry not in services:
                self.err(m.line("entry"), _join(m.path, "entry"), f"{entry!r} is not one of the scenario's "
                         f"services ({', '.join(services)})")
            interval = self.number(m, "interval_s", None, gt=0)
            if interval is not None:
                self._timeout_below(m, "interval_s", timeout, interval)
            titles = self.titles(m)
            steps = self.steps(m, services)
            if all(isinstance(v, str) for v in (sid, tps, ratio)) and services:
                out.append(ScenarioQuery(
                    id=sid, title=title if isinstance(title, str) else sid, services=services, tps=tps,
                    success_ratio=ratio, requests_rate=requests if isinstance(requests, str) else None,
                    entry=entry if isinstance(entry, str) else None, titles=titles, interval_s=interval,
                    where=m.where(self.src), steps=steps))
        return tuple(out)

    def steps(self, scenario: _Map, services: tuple[str, ...]) -> tuple[StepQuery, ...]:
        """A scenario's funnel (docs/funnels.md): ``steps: [{id, title, titles, query, services}]``,
        at least two, each with the PromQL of the items reaching it per second."""
        if not scenario.has("steps"):
            return ()
        out: list[StepQuery] = []
        bad = False
        for m in self.each(scenario, "steps", _STEP_KEYS, self.id_label):
            step_id = self.text(m, "id", required=True, pattern=_STEP_ID,
                                what="must be a name of letters, digits, _ . -")
            if isinstance(step_id, str) and any(st.id == step_id for st in out):
                self.err(m.line("id"), _join(m.path, "id"), f"step {step_id!r} is listed twice")
                step_id = _MISSING
            query = self.promql(m, "query")
            on = self.texts(m, "services")
            off = [n for n in on if n not in services]
            if off:
                self.err(m.line("services"), _join(m.path, "services"),
                         f"not on the scenario's services: {', '.join(off)}")
            title = self.text(m, "title", "")
            if isinstance(step_id, str) and isinstance(query, str) and not off:
                out.append(StepQuery(step_id, query, title if isinstance(title, str) else "", self.titles(m), on))
            else:
                bad = True
        if not bad and len(out) < 2:
            self.err(scenario.line("steps"), _join(scenario.path, "steps"),
                     "a funnel needs at least two steps (the first is where it starts)")
        return () if bad or len(out) < 2 else tuple(out)

    def kpis(self, prom: _Map, timeout: float) -> tuple[KpiQuery, ...]:
        out: list[KpiQuery] = []
        seen: dict[str, int] = {}
        for m in self.each(prom, "kpis", _KPI_KEYS, lambda item, i: str(i)):
            series = self.text(m, "series", required=True)
            if isinstance(series, str):
                try:
                    key = SeriesKey.parse(series)
                    if not _LABEL.fullmatch(key.name):
                        raise ValueError(f"{key.name!r} is not a metric name")
                    series = key.text
                except ValueError as exc:
                    self.err(m.line("series"), _join(m.path, "series"), f"not a series key: {exc}")
                    series = _MISSING
            if isinstance(series, str):
                if series in seen:
                    self.err(m.line("series"), _join(m.path, "series"), f"{series} is already sent by the KPI at "
                             f"line {seen[series]}")
                    series = _MISSING
                else:
                    seen[series] = m.line("series")
            query = self.promql(m, "query")
            title = self.text(m, "title", "")
            interval = self.number(m, "interval_s", None, gt=0)
            if interval is not None:
                self._timeout_below(m, "interval_s", timeout, interval)
            titles = self.titles(m)
            if isinstance(series, str) and isinstance(query, str):
                out.append(KpiQuery(series=series, query=query, title=title if isinstance(title, str) else "",
                                    titles=titles, interval_s=interval, where=m.where(self.src)))
        return tuple(out)

    def services(self, top: _Map) -> dict[str, ServiceNames]:
        if not top.has("services"):
            return {}
        m = self.mapping(top.value("services"), "services", None, head=top.line("services"))
        if m is None:
            return {}
        out: dict[str, ServiceNames] = {}
        for name, (_, node) in m.items.items():
            path = _join("services", name)
            if isinstance(node, ScalarNode) and not _is_null(node):  # `pay-api: Payment API`
                title = self.text(m, name)
                out[name] = ServiceNames(name=name, title=title if isinstance(title, str) else "")
                continue
            if _is_null(node):
                out[name] = ServiceNames(name=name)
                continue
            sm = self.mapping(node, path, _SERVICE_KEYS, head=m.line(name))
            if sm is None:
                continue
            title = self.text(sm, "title", "")
            kind = self.text(sm, "kind", choices=_SERVICE_KINDS)
            out[name] = ServiceNames(name=name, title=title if isinstance(title, str) else "",
                                     titles=self.titles(sm), kind=kind if isinstance(kind, str) else None)
        return out

    def alertmanager(self, top: _Map) -> AlertmanagerSite:
        default = AlertmanagerSite()
        if not top.has("alertmanager"):
            return default
        m = self.mapping(top.value("alertmanager"), "alertmanager", _AM_KEYS, head=top.line("alertmanager"))
        if m is None:
            return default
        labels = self.texts(m, "service_labels", default.service_labels, pattern=_LABEL,
                            what="must be a Prometheus label name")
        if m.has("service_labels") and not labels and isinstance(m.value("service_labels"), SequenceNode):
            self.err(m.line("service_labels"), "alertmanager.service_labels", "must name at least one label")
        severities = self.text_map(m, "severities", choices=_SEVERITIES) if m.has("severities") \
            else dict(default.severities)
        return AlertmanagerSite(service_labels=labels or default.service_labels, severities=severities)

    def annotations(self, top: _Map) -> AnnotationsSite:
        default = AnnotationsSite()
        if not top.has("annotations"):
            return default
        m = self.mapping(top.value("annotations"), "annotations", _ANN_KEYS, head=top.line("annotations"))
        if m is None:
            return default
        deploy = self.texts(m, "deploy_tags", default.deploy_tags)
        config = self.texts(m, "config_tags", default.config_tags)
        both = sorted(set(deploy) & set(config))
        if both:
            self.err(m.line("config_tags" if m.has("config_tags") else "deploy_tags"), "annotations",
                     f"tags cannot mean both deploy and config: {', '.join(both)}")
        return AnnotationsSite(deploy_tags=deploy, config_tags=config)
