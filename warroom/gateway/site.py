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
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from warroom.core.model import SeriesKey, ServiceKind, Severity
from warroom.core.plan.plans import Plan
from warroom.gateway.site_model import (
    EXECUTOR_TYPES,
    LATENCY_UNITS,
    TOPOLOGY_SHAPES,
    AlertmanagerSite,
    AnnotationsSite,
    ExecutorSpec,
    KpiQuery,
    Limits,
    Listen,
    PrometheusSite,
    ScenarioQuery,
    ServiceNames,
    Site,
    SitePlan,
    Topology,
)

#: The largest site file read (a real one is a few kilobytes).
MAX_SITE_BYTES = 1 << 20
#: How deep free-form values (plan params, executor options) may nest.
_MAX_DEPTH = 24
#: Prefixes a ``limits.targets`` entry may start with, one per executor type.
TARGET_PREFIXES = tuple(f"{t}:" for t in EXECUTOR_TYPES)

_TOP_KEYS = ("site", "listen", "receivers", "secrets", "state_dir", "prometheus", "alertmanager",
             "annotations", "services", "limits", "plans")
_LISTEN_KEYS = ("host", "port", "tokens", "tls_cert", "tls_key")
_PROM_KEYS = ("url", "interval_s", "timeout_s", "rate_window", "backfill_s", "bearer_secret", "topology",
              "scenarios", "kpis")
_TOPOLOGY_KEYS = ("shape", "selector", "latency_unit", "interval_s", "namespaces", "kinds")
_SCENARIO_KEYS = ("id", "title", "titles", "services", "tps", "success_ratio", "requests_rate", "entry",
                  "interval_s")
_KPI_KEYS = ("series", "query", "title", "titles", "interval_s")
_SERVICE_KEYS = ("title", "titles", "kind")
_AM_KEYS = ("service_labels", "severities")
_ANN_KEYS = ("deploy_tags", "config_tags")
_LIMIT_KEYS = ("targets", "min_rate_limit_qps", "max_weight_shift")
_PLAN_KEYS = ("id", "kind", "title", "titles", "target", "params", "steps", "rollback", "expiry_s", "guard",
              "critical", "description", "texts", "executor")
_TARGET_KEYS = ("kind", "name")
_GUARD_KEYS = ("series", "op", "threshold", "within_s")

_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?")
_DURATION_S = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LANG = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?")
_SECRET_REF = re.compile(r"\{\{|\}\}|\{secret\.([A-Za-z0-9_.\-]+)\}")
_SERVICE_KINDS = tuple(k.value for k in ServiceKind)
_SEVERITIES = tuple(s.value for s in Severity)
_MISSING = object()


class SiteError(ValueError):
    """A site file that cannot be used. ``problems`` holds one ``FILE:LINE: what`` per problem;
    the message is all of them, one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


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


# ---------------------------------------------------------------------------------------------


class _Refused(yaml.YAMLError):
    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses aliases: ``*ref`` would let a few lines expand into gigabytes
    when the tree is walked (billion laughs). A site file never needs them."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused("YAML aliases (*name) are not allowed in a site file: write the value out",
                           event.start_mark)
        return super().compose_node(parent, index)


def _compose(text: str, name: str) -> Node | None:
    loader = None
    try:
        loader = _Loader(text)  # reading starts here: a control character is refused at once
        return loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise SiteError([(f"{name}:{line}: not valid YAML: character {exc.character:#x} is not allowed "
                         "(is this a text file?)")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "single document" in str(getattr(exc, "context", "") or ""):
            problem = "more than one YAML document (---): a site file is one mapping"
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise SiteError([f"{where}: not valid YAML: {problem}"]) from None
    except RecursionError:
        raise SiteError([f"{name}: nested too deeply to be a site file"]) from None
    finally:
        if loader is not None:
            loader.dispose()


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


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _what(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"{node.value!r}" if len(node.value) <= 40 else f"{node.value[:37]!r}..."


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null")


class _Map:
    """A checked mapping node: key -> (key node, value node), and where it is."""

    def __init__(self, node: Node, path: str) -> None:
        self.node = node
        self.path = path
        self.items: dict[str, tuple[Node, Node]] = {}
        self.head: int | None = None  # the line of the key holding this mapping, if any

    def has(self, key: str) -> bool:
        return key in self.items and not _is_null(self.items[key][1])

    def value(self, key: str) -> Node | None:
        return self.items[key][1] if key in self.items else None

    def line(self, key: str | None = None) -> int:
        if key is not None and key in self.items:
            return _line(self.items[key][0])
        return self.head or _line(self.node)

    def where(self, src: str, key: str | None = None) -> str:
        return f"{src}:{self.line(key)}"


class _Reader:
    """Walks the node tree; collects problems (errors) and warnings instead of stopping."""

    def __init__(self, name: str, folder: Path) -> None:
        self.src = name
        self.folder = folder
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self._ctor = yaml.constructor.SafeConstructor()

    # -- reporting

    def err(self, line: int, path: str, problem: str) -> None:
        self.problems.append(f"{self.src}:{line}: {path}: {problem}" if path else f"{self.src}:{line}: {problem}")

    def warn(self, line: int, path: str, problem: str) -> None:
        self.warnings.append(f"{self.src}:{line}: {path}: {problem}" if path else f"{self.src}:{line}: {problem}")

    # -- generic readers

    def scalar(self, node: ScalarNode) -> Any:
        """A scalar's Python value, or ``_MISSING`` (reported) for a tag that is not plain data."""
        try:
            return self._ctor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            self.err(_line(node), "", f"cannot read {_what(node)}: {getattr(exc, 'problem', None) or exc}")
            return _MISSING

    def mapping(self, node: Node, path: str, allowed: tuple[str, ...] | None, *,
                head: int | None = None) -> _Map | None:
        """A mapping node checked for plain, unique and known keys (``allowed=None``: any key);
        ``head``: the line of the key that holds it, where "missing `x:`" is reported."""
        if not isinstance(node, MappingNode):
            self.err(head or _line(node), path, f"must be a mapping (key: value lines), not {_what(node)}")
            return None
        m = _Map(node, path)
        m.head = head
        for key_node, value_node in node.value:
            key = self.scalar(key_node) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) or not key:
                if key is not _MISSING:
                    self.err(_line(key_node), path, f"keys must be plain names, not {_what(key_node)}")
                continue
            if key in m.items:
                self.err(_line(key_node), _join(path, key),
                         f"duplicate key (first at line {_line(m.items[key][0])})")
                continue
            if allowed is not None and key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(allowed)
                self.err(_line(key_node), _join(path, key), f"unknown key ({hint})")
                continue
            m.items[key] = (key_node, value_node)
        return m

    def sequence(self, m: _Map, key: str) -> list[Node] | None:
        node = m.value(key)
        if _is_null(node):
            return None
        if not isinstance(node, SequenceNode):
            self.err(m.line(key), _join(m.path, key), f"must be a list, not {_what(node)}")
            return None
        return list(node.value)

    def get(self, m: _Map, key: str, kind: str, default: Any = None, *, required: bool = False) -> Any:
        """``m[key]`` as ``kind`` (``text``, ``number``, ``int``, ``bool``); ``default`` when absent."""
        path = _join(m.path, key)
        if not m.has(key):
            if required:
                self.err(m.line(key), path if key in m.items else m.path,
                         "must not be empty" if key in m.items else f"missing `{key}:`")
            return _MISSING if required else default
        node = m.value(key)
        if not isinstance(node, ScalarNode):
            self.err(m.line(key), path, f"must be {_KIND_WORDS[kind]}, not {_what(node)}")
            return _MISSING
        value = self.scalar(node)
        if value is _MISSING:
            return _MISSING
        ok = {
            "text": isinstance(value, str),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
        }[kind]
        if kind == "number" and ok and not math.isfinite(value):
            self.err(m.line(key), path, f"must be a finite number (got {node.value})")
            return _MISSING
        if not ok:
            self.err(m.line(key), path, f"must be {_KIND_WORDS[kind]} (got {_what(node)})")
            return _MISSING
        if kind == "text" and not value.strip():
            if required:
                self.err(m.line(key), path, "must not be empty")
                return _MISSING
            return default
        return float(value) if kind == "number" else value

    def number(self, m: _Map, key: str, default: float | None, *, gt: float | None = None,
               ge: float | None = None, le: float | None = None, integer: bool = False,
               required: bool = False) -> Any:
        value = self.get(m, key, "int" if integer else "number", default, required=required)
        if value is _MISSING or value is None:
            return default if value is _MISSING and not required else value
        path = _join(m.path, key)
        if gt is not None and not value > gt:
            self.err(m.line(key), path, f"must be > {_num(gt)} (got {_num(value)})")
        elif ge is not None and not value >= ge:
            self.err(m.line(key), path, f"must be >= {_num(ge)} (got {_num(value)})")
        elif le is not None and not value <= le:
            self.err(m.line(key), path, f"must be <= {_num(le)} (got {_num(value)})")
        else:
            return value
        return default

    def text(self, m: _Map, key: str, default: str | None = None, *, required: bool = False,
             choices: tuple[str, ...] | None = None, pattern: re.Pattern | None = None,
             what: str = "") -> Any:
        value = self.get(m, key, "text", default, required=required)
        if not isinstance(value, str) or value is default:
            return value if value is not _MISSING else (default if not required else _MISSING)
        path = _join(m.path, key)
        if choices is not None and value not in choices:
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.err(m.line(key), path, f"must be one of {', '.join(choices)} (got {value!r}{hint})")
            return _MISSING
        if pattern is not None and not pattern.fullmatch(value):
            self.err(m.line(key), path, f"{what or 'not a valid name'} (got {value!r})")
            return _MISSING
        return value

    def texts(self, m: _Map, key: str, default: tuple[str, ...] = (), *,
              pattern: re.Pattern | None = None, what: str = "", unique: bool = True) -> tuple[str, ...]:
        """A list of non-empty texts."""
        items = self.sequence(m, key)
        if items is None:
            return default
        out: list[str] = []
        path = _join(m.path, key)
        for i, node in enumerate(items):
            value = self.scalar(node) if isinstance(node, ScalarNode) else _MISSING
            if value is _MISSING and isinstance(node, ScalarNode):
                continue
            if not isinstance(value, str) or not value.strip():
                self.err(_line(node), f"{path}[{i}]", f"must be text (got {_what(node)})")
            elif pattern is not None and not pattern.fullmatch(value):
                self.err(_line(node), f"{path}[{i}]", f"{what or 'not a valid name'} (got {value!r})")
            elif unique and value in out:
                self.err(_line(node), f"{path}[{i}]", f"{value!r} is listed twice")
            else:
                out.append(value)
        return tuple(out)

    def text_map(self, m: _Map, key: str, *, key_pattern: re.Pattern | None = None, key_what: str = "",
                 choices: tuple[str, ...] | None = None) -> dict[str, str]:
        """A mapping of names to texts (titles per language, kinds per service...)."""
        node = m.value(key)
        if _is_null(node):
            return {}
        sub = self.mapping(node, _join(m.path, key), None, head=m.line(key))
        if sub is None:
            return {}
        out: dict[str, str] = {}
        for k in sub.items:
            if key_pattern is not None and not key_pattern.fullmatch(k):
                self.err(sub.line(k), _join(sub.path, k), f"{key_what or 'not a valid name'} (got {k!r})")
                continue
            value = self.text(sub, k, choices=choices, required=True)
            if isinstance(value, str):
                out[k] = value
        return out

    def titles(self, m: _Map) -> dict[str, str]:
        return self.text_map(m, "titles", key_pattern=_LANG,
                             key_what="titles are keyed by language code like zh_CN")

    def duration_text(self, m: _Map, key: str, default: str) -> str:
        """A PromQL duration such as ``30s``, ``1m``, ``1h30m`` (a bare number is seconds)."""
        if not m.has(key):
            return default
        node = m.value(key)
        value = self.scalar(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return f"{value}s"
        match = _DURATION.fullmatch(value) if isinstance(value, str) else None
        if match is None or not value or _duration_s(match) <= 0:
            self.err(m.line(key), _join(m.path, key),
                     f"must be a PromQL duration like 30s, 1m or 5m (got {_what(node)})")
            return default
        return value

    def path(self, m: _Map, key: str, *, must_exist: str = "") -> Path | None:
        """A file or folder path, relative to the site file's folder. ``must_exist``: warn
        (with this word for it) when it is not there yet."""
        value = self.get(m, key, "text")
        if not isinstance(value, str):
            return None
        if "\x00" in value:
            self.err(m.line(key), _join(m.path, key), "not a valid path")
            return None
        p = Path(value).expanduser()
        p = p if p.is_absolute() else self.folder / p
        if must_exist and not p.is_file():
            self.warn(m.line(key), _join(m.path, key), f"{must_exist} {p} does not exist (yet)")
        return p

    def url(self, m: _Map, key: str, *, required: bool = True) -> Any:
        value = self.get(m, key, "text", required=required)
        if not isinstance(value, str):
            return value
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            self.err(m.line(key), _join(m.path, key), f"not a valid URL: {exc} (got {value!r})")
            return _MISSING
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.err(m.line(key), _join(m.path, key), f"must be an http:// or https:// URL (got {value!r})")
            return _MISSING
        return value.rstrip("/")

    def promql(self, m: _Map, key: str, *, required: bool = True) -> Any:
        value = self.get(m, key, "text", required=required)
        if isinstance(value, str):
            problem = _promql_problem(value)
            if problem:
                self.err(m.line(key), _join(m.path, key), f"not valid PromQL: {problem}")
                return _MISSING
        return value

    def plain(self, node: Node, path: str, depth: int = 0) -> Any:
        """Free-form data (plan params, executor options) as plain JSON-like Python values."""
        if depth > _MAX_DEPTH:
            self.err(_line(node), path, "nested too deeply")
            return _MISSING
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
            if value is _MISSING or value is None or isinstance(value, (str, bool, int)):
                return value
            if isinstance(value, float):
                if not math.isfinite(value):
                    self.err(_line(node), path, f"must be a finite number (got {node.value})")
                    return _MISSING
                return value
            self.err(_line(node), path, f"must be text, a number, true/false or null (got {_what(node)})")
            return _MISSING
        if isinstance(node, SequenceNode):
            return [self.plain(child, f"{path}[{i}]", depth + 1) for i, child in enumerate(node.value)]
        sub = self.mapping(node, path, None)
        if sub is None:
            return _MISSING
        return {k: self.plain(v, _join(path, k), depth + 1) for k, (_, v) in sub.items.items()}

    def each(self, m: _Map, key: str, allowed: tuple[str, ...], label: Callable[[_Map, int], str]):
        """The mappings of list ``m[key]``, each with its path (``key[label]``)."""
        for i, node in enumerate(self.sequence(m, key) or ()):
            path = f"{_join(m.path, key)}[{i}]"
            if not isinstance(node, MappingNode):
                self.err(_line(node), path, f"must be a mapping, not {_what(node)}")
                continue
            item = self.mapping(node, path, allowed)
            if item is None:
                continue
            item.path = f"{_join(m.path, key)}[{label(item, i)}]"
            yield item

    def id_label(self, item: _Map, i: int, key: str = "id") -> str:
        node = item.value(key)
        if isinstance(node, ScalarNode) and _ID.fullmatch(node.value or ""):
            return node.value
        return str(i)

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
            warnings=tuple(self.warnings),
        )

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
            if all(isinstance(v, str) for v in (sid, tps, ratio)) and services:
                out.append(ScenarioQuery(
                    id=sid, title=title if isinstance(title, str) else sid, services=services, tps=tps,
                    success_ratio=ratio, requests_rate=requests if isinstance(requests, str) else None,
                    entry=entry if isinstance(entry, str) else None, titles=titles, interval_s=interval,
                    where=m.where(self.src)))
        return tuple(out)

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

    def limits(self, top: _Map) -> Limits:
        default = Limits()
        if not top.has("limits"):
            return default
        m = self.mapping(top.value("limits"), "limits", _LIMIT_KEYS, head=top.line("limits"))
        if m is None:
            return default
        targets = self.texts(m, "targets")
        for i, target in enumerate(targets):
            if not target.startswith(TARGET_PREFIXES) or target in TARGET_PREFIXES:
                nodes = self.sequence(m, "targets") or []
                line = _line(nodes[i]) if i < len(nodes) else m.line("targets")
                self.err(line, f"limits.targets[{i}]", "must start with one of "
                         f"{', '.join(TARGET_PREFIXES)} and say what follows (got {target!r})")
        qps = self.number(m, "min_rate_limit_qps", default.min_rate_limit_qps, gt=0)
        shift = self.number(m, "max_weight_shift", default.max_weight_shift, ge=0, le=100, integer=True)
        return Limits(targets=targets, min_rate_limit_qps=qps, max_weight_shift=shift)

    def plans(self, top: _Map, limits: Limits) -> tuple[SitePlan, ...]:
        out: list[SitePlan] = []
        seen: dict[str, int] = {}
        for m in self.each(top, "plans", _PLAN_KEYS, self.id_label):
            before = len(self.problems)
            data: dict[str, Any] = {}
            for key, (_, node) in m.items.items():
                if key in ("executor", "target", "guard"):
                    continue
                value = self.plain(node, _join(m.path, key))
                if value is not _MISSING:
                    data[key] = value
            pid = self.text(m, "id", required=True, pattern=_ID, what="must be a name of letters, digits, _ . : -")
            if isinstance(pid, str):
                if pid in seen:
                    self.err(m.line("id"), _join(m.path, "id"), f"plan {pid!r} is already defined at line {seen[pid]}")
                else:
                    seen[pid] = m.line("id")
            self.text(m, "kind", required=True, pattern=_ID, what="must be a plan kind such as rate_limit")
            self.text(m, "title")
            self.titles(m)
            for key in ("steps", "rollback"):
                self.texts(m, key, unique=False)
            self.number(m, "expiry_s", None, gt=0)
            self.get(m, "critical", "bool")
            self.text(m, "description")
            if m.has("params") and not isinstance(m.value("params"), MappingNode):
                self.err(m.line("params"), _join(m.path, "params"), "must be a mapping")
            if m.has("texts"):
                texts = self.mapping(m.value("texts"), _join(m.path, "texts"), None, head=m.line("texts"))
                for lang in (texts.items if texts else {}):
                    if not _LANG.fullmatch(lang):
                        self.err(texts.line(lang), _join(texts.path, lang), "texts are keyed by language code "
                                 f"like zh_CN (got {lang!r})")
            target = self.plan_target(m)
            if target is not None:
                data["target"] = target
            guard = self.plan_guard(m)
            if guard is not None:
                data["guard"] = guard
            executor = self.executor(m)
            if len(self.problems) > before or executor is None:
                continue
            try:
                plan = Plan.from_dict(data)
            except KeyError as exc:
                self.err(m.line(), m.path, f"missing `{exc.args[0]}:`")
                continue
            except (TypeError, ValueError) as exc:
                self.err(m.line(), m.path, str(exc))
                continue
            out.append(SitePlan(plan=plan, executor=executor, where=m.where(self.src)))
        if out and not limits.targets:
            self.warn(top.line("plans"), "limits.targets", "is empty: every plan's executor will refuse to act "
                      "(list the targets plans may touch)")
        return tuple(out)

    def plan_target(self, plan: _Map) -> dict[str, str] | None:
        if not plan.has("target"):
            self.err(plan.line("target"), _join(plan.path, "target") if "target" in plan.items else plan.path,
                     "missing `target: {kind: ..., name: ...}`")
            return None
        m = self.mapping(plan.value("target"), _join(plan.path, "target"), _TARGET_KEYS, head=plan.line("target"))
        if m is None:
            return None
        from warroom.core.plan.plans import TARGET_KINDS

        kind = self.text(m, "kind", required=True, choices=TARGET_KINDS)
        name = self.text(m, "name", required=True)
        if isinstance(kind, str) and isinstance(name, str):
            return {"kind": kind, "name": name}
        return None

    def plan_guard(self, plan: _Map) -> dict[str, Any] | None:
        if not plan.has("guard"):
            return None
        m = self.mapping(plan.value("guard"), _join(plan.path, "guard"), _GUARD_KEYS, head=plan.line("guard"))
        if m is None:
            return None
        series = self.text(m, "series", required=True)
        if isinstance(series, str):
            try:
                series = SeriesKey.parse(series).text
            except ValueError as exc:
                self.err(m.line("series"), _join(m.path, "series"), f"not a series key: {exc}")
        op = self.text(m, "op", required=True, choices=("<", "<=", ">", ">="))
        threshold = self.number(m, "threshold", None, required=True)
        within = self.number(m, "within_s", None, required=True, gt=0)
        return {"series": series, "op": op, "threshold": threshold, "within_s": within}

    def executor(self, plan: _Map) -> ExecutorSpec | None:
        if not plan.has("executor"):
            self.err(plan.line("executor"), _join(plan.path, "executor") if "executor" in plan.items else plan.path,
                     "missing `executor:` (how the plan acts: type " + ", ".join(EXECUTOR_TYPES) + ")")
            return None
        path = _join(plan.path, "executor")
        m = self.mapping(plan.value("executor"), path, None, head=plan.line("executor"))
        if m is None:
            return None
        kind = self.text(m, "type", required=True, choices=EXECUTOR_TYPES)
        timeout = self.number(m, "timeout_s", 10.0, gt=0, le=3600)
        options: dict[str, Any] = {}
        for key, (_, node) in m.items.items():
            if key in ("type", "timeout_s"):
                continue
            value = self.plain(node, _join(path, key))
            if value is not _MISSING:
                options[key] = value
        if not isinstance(kind, str):
            return None
        for problem in _check_options(kind, options):
            # "url: must be ..." or "read.url: ..." points at that key's line and joins the path.
            head = re.match(r"([A-Za-z_][A-Za-z0-9_]*)((?:[.\[][A-Za-z0-9_\-\]]*)*): (.+)", problem, re.DOTALL)
            if head:
                self.err(m.line(head.group(1)), f"{path}.{head.group(1)}{head.group(2)}", head.group(3))
            else:
                self.err(m.line(), path, problem)
        return ExecutorSpec(type=kind, options=options, timeout_s=timeout, where=plan.where(self.src, "executor"))


_KIND_WORDS = {"text": "text", "number": "a number", "int": "a whole number", "bool": "true or false"}


def _check_options(kind: str, options: Mapping[str, Any]) -> list[str]:
    """The executors package's check of a type's own keys, when it is there (written beside
    this module; imported here, not at the top, so the site loads without it)."""
    try:
        from warroom.gateway.executors import check_options
    except ImportError:
        return []
    try:
        return [str(p) for p in check_options(kind, options)]
    except Exception as exc:  # noqa: BLE001 - a checker bug is a problem to show, not a traceback
        return [f"cannot check the {kind} options: {exc}"]


def _duration_s(match: re.Match) -> float:
    return sum(int(g) * f for g, f in zip(match.groups(), _DURATION_S) if g)


def _num(value: float) -> str:
    return f"{value:g}"


def _promql_problem(expr: str) -> str:
    """A cheap look at a PromQL text: brackets balanced, strings closed. Prometheus has the
    last word (a query it refuses shows as the source's health), but a typo caught here names
    the line."""
    if not expr.strip():
        return "empty"
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    quote = ""
    i = 0
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\" and quote != "`":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'`":
            quote = c
        elif c == "#":  # a comment runs to the end of the line
            end = expr.find("\n", i)
            i = len(expr) if end < 0 else end
        elif c in "([{":
            stack.append(c)
        elif c in ")]}":
            if not stack or stack[-1] != pairs[c]:
                return f"unexpected {c!r} at character {i + 1}"
            stack.pop()
        i += 1
    if quote:
        return f"unclosed string ({quote})"
    if stack:
        return f"unclosed {stack[-1]!r}"
    return ""


__all__ = ["MAX_SITE_BYTES", "SiteError", "load_site", "parse_site", "secret_names"]
