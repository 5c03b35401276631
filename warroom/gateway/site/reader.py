"""The whole site file, top to bottom: the top-level keys, each section in turn, and every
problem found sorted by line into one ``SiteError``."""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, ScalarNode

from warroom.gateway.site.kpi_tree import read_kpi_tree
from warroom.gateway.site.plans import _Plans
from warroom.gateway.site.reading import (
    MAX_SITE_BYTES,
    SiteError,
    _compose,
    _line,
    _what,
)
from warroom.gateway.site.series import read_series
from warroom.gateway.site.sources import _Sources
from warroom.gateway.site_model import IncidentsSite, Listen, LokiSite, NatsSite, Site

_TOP_KEYS = ("site", "listen", "receivers", "secrets", "state_dir", "prometheus", "alertmanager",
             "annotations", "services", "limits", "plans", "incidents", "nats", "loki", "series",
             "kpi_tree")
_NATS_KEYS = ("url", "site", "max_age")
_LOKI_KEYS = ("url", "query", "interval_s", "timeout_s", "window_s", "limit", "service_labels", "tenant",
              "bearer_secret")
_INCIDENTS_KEYS = ("enabled", "rules")


def _parse(text: str, name: str, file: Path | None) -> Site:
    if len(text) > MAX_SITE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_SITE_BYTES:
        raise SiteError([f"{name}: too large for a site file (at most 1 MiB)"])
    root = _compose(text, name)
    folder = file.parent if file is not None else Path.cwd()
    reader = _Reader(name, folder)
    if root is None or (isinstance(root, ScalarNode) and root.tag.endswith(":null")):
        raise SiteError([f"{name}:1: empty: a site file starts with `site: NAME`"])
    if not isinstance(root, MappingNode):
        raise SiteError([(f"{name}:{_line(root)}: the site file must be a mapping (key: value lines), "
                         f"not {_what(root)}")])
    try:
        site = reader.site(root, file)
    except RecursionError:
        raise SiteError([f"{name}: nested too deeply to be a site file"]) from None
    if reader.problems:
        raise SiteError(sorted(reader.problems, key=lambda p: _line_of(p, name)))  # stable: same line keeps its order
    return site


def _line_of(problem: str, name: str) -> int:
    match = re.match(r":(\d+): ", problem[len(name):])
    return int(match.group(1)) if match else 0


class _Reader(_Sources, _Plans):
    """Walks the node tree; collects problems (errors) and warnings instead of stopping."""

    # -- the sections

    def site(self, root: MappingNode, file: Path | None) -> Site:
        top = self.mapping(root, "", _TOP_KEYS)
        assert top is not None
        name = self.text(top, "site", required=True, pattern=re.compile(r"[^\x00-\x1f\x7f]{1,64}"),
                         what="must be one line of at most 64 characters")
        listen = self.listen(top, "listen", Listen())
        receivers = self.listen(top, "receivers", Listen(port=9095))
        if listen is not None and receivers is not None and listen.port and listen.port == receivers.port \
                and listen.host == receivers.host:
            if "receivers" in top.items:
                self.err(top.line("receivers"), "receivers.port", f"the feed already listens on port {listen.port}")
            else:
                self.err(top.line("listen"), "listen.port", f"the receivers listen on port {receivers.port} "
                         "unless `receivers: {port: ...}` says otherwise")
        secrets = self.path(top, "secrets")
        state_dir = self.path(top, "state_dir")
        prometheus = self.prometheus(top.value("prometheus"), top.line("prometheus")) \
            if top.has("prometheus") else None
        alertmanager = self.alertmanager(top)
        annotations = self.annotations(top)
        services = self.services(top)
        limits = self.limits(top)
        plans = self.plans(top, limits)
        incidents = self.incidents(top)
        nats = self.nats(top)
        loki = self.loki(top)
        series = read_series(self, top)
        kpi_tree = read_kpi_tree(self, top)
        if prometheus is None and not plans:
            self.warn(top.line(), "", "no `prometheus:` section and no plans: the gateway only relays "
                      "Alertmanager alerts and annotations")
        return Site(
            name=name if isinstance(name, str) else "",
            path=file,
            listen=listen or Listen(),
            receivers=receivers or Listen(port=9095),
            secrets_file=secrets,
            state_dir=state_dir,
            prometheus=prometheus,
            alertmanager=alertmanager,
            annotations=annotations,
            services=services,
            plans=plans,
            limits=limits,
            incidents=incidents,
            nats=nats,
            loki=loki,
            series=series,
            kpi_tree=kpi_tree,
            warnings=tuple(self.warnings),
        )

    def incidents(self, top) -> IncidentsSite:
        """``incidents: {enabled: true|false, rules: FILE}`` (protocol 1.4): alerts and incidents
        computed once, here, for every console; on unless ``enabled: false``."""
        default = IncidentsSite()
        if not top.has("incidents"):
            return default
        m = self.mapping(top.value("incidents"), "incidents", _INCIDENTS_KEYS, head=top.line("incidents"))
        if m is None:
            return default
        enabled = self.get(m, "enabled", "bool", True)
        rules = self.path(m, "rules", must_exist="rule file")
        return IncidentsSite(enabled=enabled if isinstance(enabled, bool) else True, rules=rules,
                             where=f"{self.src}:{top.line('incidents')}")

    def loki(self, top) -> LokiSite | None:
        """``loki: {url, query, interval_s, ...}`` (protocol 1.5): error lines with trace ids from
        Loki's ``query_range``, sent as log events (warroom.gateway.sources.loki)."""
        if not top.has("loki"):
            return None
        m = self.mapping(top.value("loki"), "loki", _LOKI_KEYS, head=top.line("loki"))
        if m is None:
            return None
        default = LokiSite(url="", query="")
        url = self.url(m, "url")
        query = self.get(m, "query", "text", required=True)
        if isinstance(query, str) and not re.match(r"\s*\{", query):
            # A log query starts with a stream selector; a metric query (rate(...)) answers no lines.
            self.err(m.line("query"), "loki.query", "must be a LogQL log query starting with a stream "
                     'selector, e.g. {namespace="pay"} |= "error"')
            query = None
        interval = self.number(m, "interval_s", default.interval_s, gt=0)
        timeout = self.number(m, "timeout_s", default.timeout_s, gt=0)
        window = self.number(m, "window_s", default.window_s, gt=0, le=86400)
        limit = self.number(m, "limit", default.limit, ge=1, le=5000, integer=True)
        labels = self.texts(m, "service_labels", default.service_labels)
        tenant = self.text(m, "tenant", "", pattern=re.compile(r"[A-Za-z0-9_.|-]{0,150}"),
                           what="must be a Loki tenant id (letters, digits, _ . - |)")
        bearer = self.text(m, "bearer_secret", pattern=re.compile(r"[A-Za-z0-9_.\-]+"), what="must be a secret's name")
        if not isinstance(url, str) or not isinstance(query, str):
            return None
        return LokiSite(url=url, query=query, interval_s=interval, timeout_s=timeout, window_s=window,
                        limit=int(limit), service_labels=tuple(labels) or default.service_labels,
                        tenant=tenant if isinstance(tenant, str) else "",
                        bearer_secret=bearer if isinstance(bearer, str) else None,
                        where=f"{self.src}:{top.line('loki')}")

    def nats(self, top) -> NatsSite | None:
        """``nats: {url: nats://HOST:4222, site: NAME, max_age: 1h}``: publish to JetStream for edges."""
        if not top.has("nats"):
            return None
        m = self.mapping(top.value("nats"), "nats", _NATS_KEYS, head=top.line("nats"))
        if m is None:
            return None
        url = self.get(m, "url", "text", required=True)
        if isinstance(url, str):
            from urllib.parse import urlsplit

            try:
                parts = urlsplit(url)
                ok = parts.scheme in ("nats", "tls") and bool(parts.hostname) and (parts.port or 0) >= 0
            except ValueError:
                ok = False
            if not ok:
                self.err(m.line("url"), "nats.url", f"must be nats://HOST:PORT or tls://HOST:PORT (got {url!r})")
                url = None
        name = self.text(m, "site", "")
        max_age = self.duration_text(m, "max_age", "1h")
        from warroom.gateway.site.values import _DURATION, _duration_s

        match = _DURATION.fullmatch(max_age)
        if not isinstance(url, str):
            return None
        return NatsSite(url=url, site=name if isinstance(name, str) else "",
                        max_age_s=_duration_s(match) if match else 3600.0, where=f"{self.src}:{top.line('nats')}")
