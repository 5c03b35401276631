"""Load and check a gateway's site file (YAML) into ``warroom.gateway.site_model.Site``.

Every problem is reported at once, each as ``FILE:LINE: key.path: what is wrong`` so a person
fixes the whole file in one pass instead of one error per run:

    site.yaml:14: prometheus.interval_s: must be > 0 (got -1)
    site.yaml:31: plans[pay-limit].exector: unknown key (did you mean 'executor'?)

The file comes from people and sometimes from elsewhere, so hostile input is answered with a
``SiteError`` and never a traceback: files over 1 MiB, binary junk, YAML aliases (anchors
expand into "billion laughs"), deep nesting, duplicate keys, a root that is not a mapping.

Paths in the file (``secrets``, ``state_dir``, tokens and TLS files) are relative to the site
file's folder. docs/gateway.md shows every key.

The package: ``reading`` (the safe YAML read, line numbers, hostile-input refusals),
``values`` (the generic checks: types, ranges, durations, URLs, did-you-mean), ``sources``
(listen, receivers, prometheus, scenarios, KPIs, services, alertmanager, annotations),
``plans`` (limits, plans, executors) and ``reader`` (the whole file, top to bottom).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from warroom.gateway.site.plans import TARGET_PREFIXES as TARGET_PREFIXES
from warroom.gateway.site.reader import _parse
from warroom.gateway.site.reading import MAX_SITE_BYTES, SiteError
from warroom.gateway.site_model import ExecutorSpec, Site

_SECRET_REF = re.compile(r"\{\{|\}\}|\{secret\.([A-Za-z0-9_.\-]+)\}")


def load_site(path: str | Path) -> Site:
    """Read and check the site file at ``path``; ``SiteError`` lists every problem found."""
    p = Path(path)
    name = str(path)
    try:
        if not p.is_file():
            raise SiteError([f"{name}: no such file" if not p.exists() else f"{name}: not a file"])
        size = p.stat().st_size
        if size > MAX_SITE_BYTES:
            raise SiteError([f"{name}: {size:,} bytes is too large for a site file (at most 1 MiB)"])
        with p.open("rb") as f:
            data = f.read(MAX_SITE_BYTES + 1)  # the file may grow between stat and read
    except OSError as exc:
        raise SiteError([f"{name}: cannot read: {exc.strerror or exc}"]) from None
    if len(data) > MAX_SITE_BYTES:
        raise SiteError([f"{name}: too large for a site file (at most 1 MiB)"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SiteError([f"{name}:{line}: not UTF-8 text (byte {exc.start}): is this a site file?"]) from None
    return _parse(text, name, p.absolute())


def parse_site(text: str, path: str = "<site>") -> Site:
    """Check site-file text; ``path`` names it in messages and, when it is a real path, relative
    paths in the file are taken from its folder (else from the working folder)."""
    file = None if path.startswith("<") else Path(path).absolute()
    return _parse(text, path, file)


def secret_names(site: Site) -> dict[str, str]:
    """Names of the secrets the site uses -> ``file:line`` of the first use: the Prometheus
    ``bearer_secret`` and what each executor's options name."""
    found: dict[str, str] = {}
    if site.prometheus is not None and site.prometheus.bearer_secret:
        found[site.prometheus.bearer_secret] = site.prometheus.where
    if site.loki is not None and site.loki.bearer_secret:
        found.setdefault(site.loki.bearer_secret, site.loki.where)
    for sp in site.plans:
        for name in _executor_secrets(sp.executor):
            found.setdefault(name, sp.executor.where)
    return found


def _executor_secrets(spec: ExecutorSpec) -> list[str]:
    """The secrets an executor's options name: keys ending in ``_secret`` (``token_secret:
    kube_token``) and ``{secret.NAME}`` templates (``{{`` is a literal brace, as in the
    executors' templates)."""
    names: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, key)
        elif isinstance(value, str):
            if key == "secret" or key.endswith("_secret"):
                names.append(value)
            names.extend(m.group(1) for m in _SECRET_REF.finditer(value) if m.group(1))

    walk(spec.options)
    return names


__all__ = ["MAX_SITE_BYTES", "SiteError", "load_site", "parse_site", "secret_names"]
