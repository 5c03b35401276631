"""Alert rules: which series to watch, when a value is a problem, how bad, and what to do.

Rules live in YAML (``resources/rules/default.yaml`` ships with the console; users load
their own). A rule selects series by name and label globs, and fires on a fixed
threshold (``when: "> 5%"``), on the map's own health thresholds (``when: "> health.p99_crit"``,
so a node that is red on the map alerts for the same reason), or on a learned baseline
band (``baseline: {direction: above, ratio: 3, floor: 0.03, fallback: "> health.p99_crit"}``:
k times the series' own usual value and above an absolute floor, with absolute limits until
a baseline is learned). A rule may also judge a series against the subject's declared
objective (``slo: p99_s``), only at entry services (``subjects: entry``), alert when its
series stop (``no_data: alert``), or judge the age of a timestamp against the subject's
cadence (``measure: age``, ``when: "> cadence"``). See ``docs/alerts.md`` for the whole format.

``load_rules`` checks everything before anything is used: a broken file raises
``RuleError`` naming the file, the line and the problem, and the caller keeps the rules it
had. Nothing here reads the clock or the disk except ``load_rules_file``.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from warroom.core.settings.durations import parse_duration
from warroom.core.language.lang import pick
from warroom.core.alerting.titles import EXTRA_FIELDS, UNITS, Basis
from warroom.core.alerting.titles import fields as title_fields
from warroom.core.model import SLO_KEYS, SeriesKey, Severity
from warroom.core.settings.paths import resource_dir

#: Format version of rule files this code reads.
RULES_VERSION = 1

OPS = ("<", "<=", ">", ">=")
CAUSES = ("failure", "load")
_HEALTH_FIELDS = {
    "error_warn", "error_crit", "p99_warn", "p99_crit", "saturation_warn", "saturation_crit",
}
_WHEN = re.compile(r"^\s*(<=|>=|<|>)\s*(?:(health\.[a-z0-9_]+|cadence)|([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(%?))\s*$")
_SERIES = re.compile(r"^\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*(\{.*\})?\s*$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_TITLE_FIELDS = {"subject", "value", "threshold", "rule", "severity", *EXTRA_FIELDS}
SUBJECTS = ("all", "entry")
NO_DATA = ("keep", "alert")
MEASURES = ("value", "age")


class RuleError(ValueError):
    """A rule file that cannot be used; ``str()`` reads ``FILE:LINE: problem``."""

    def __init__(self, problem: str, line: int | None = None, source: str = "<rules>") -> None:
        self.problem = problem
        self.line = line
        self.source = source
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Selector:
    """Series by metric name and label globs (``{"service": "bank-*"}``; ``a|b`` for either)."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))

    def matches(self, key: SeriesKey) -> bool:
        """True if ``key`` has this name and every selected label matches its glob."""
        if key.name != self.name:
            return False
        for label, pattern in self.labels.items():
            value = key.labels.get(label)
            if value is None or not any(fnmatch.fnmatchcase(value, p) for p in pattern.split("|")):
                return False
        return True


@dataclass(frozen=True)
class Condition:
    """``value OP limit``; the limit is a number or one of the map's health thresholds."""

    op: str
    value: float | None = None
    health: str | None = None  # e.g. "p99_crit": the subject service's HealthThresholds field
    #: ``when: "> cadence"``: the limit is ``cadence.silent_after_s`` of the subject's cadence.
    cadence: bool = False

    @property
    def text(self) -> str:
        """The condition as a rule file writes it (``> health.p99_crit``, ``> cadence``, ``< 0.95``)."""
        what = "cadence" if self.cadence else f"health.{self.health}" if self.health else f"{self.value:g}"
        return f"{self.op} {what}"

    def holds(self, value: float, limit: float) -> bool:
        """Whether ``value`` breaks ``limit`` under this operator."""
        if self.op == ">":
            return value > limit
        if self.op == ">=":
            return value >= limit
        if self.op == "<":
            return value < limit
        return value <= limit


@dataclass(frozen=True)
class BaselineSpec:
    """A learned band (``warroom.core.alerting.baseline``); only the ``direction`` side alerts."""

    direction: str = "below"  # traffic: "below" (a promotion peak is above); latency: "above"
    k: float = 4.0
    min_rel: float = 0.3
    min_abs: float = 0.0
    recent_window_s: float = 1800.0
    recent_lag_s: float = 120.0
    #: ``above``: alert only at ``ratio`` x the usual value or more; ``below``: at usual / ratio
    #: or less (0: the band alone decides).
    ratio: float = 0.0
    #: ``above``: the value must also be at least this (absolute); ``below``: the usual value
    #: must be at least this for a drop to count (a series that is normally near 0 cannot drop).
    floor: float = 0.0
    #: The limit used while the baseline has learned nothing yet (cold start); None: no alert.
    fallback: Condition | None = None


@dataclass(frozen=True)
class Rule:
    """One alert rule. ``line`` is where it starts in its file, for error messages."""

    id: str
    title: str
    selector: Selector
    severity: Severity
    for_s: float
    resolve_after_s: float
    condition: Condition | None = None
    baseline: BaselineSpec | None = None
    cause: str = "failure"  # "load": a surge that explains overload further down the chain
    runbook: str = ""
    plans: tuple[str, ...] = ()
    description: str = ""
    line: int | None = None
    #: How values print in titles (``titles.UNITS``: "", "s", "ratio", "rps").
    unit: str = ""
    #: The objective (``SLO_KEYS``) of the subject that, where declared, replaces the rule's
    #: baseline or threshold: the value alerts above it.
    slo: str = ""
    #: "entry": only services where traffic enters the platform (``Topology.entries``).
    subjects: str = "all"
    #: "alert": the series stopping (silent past ``cadence.silent_after_s``) holds the condition.
    no_data: str = "keep"
    #: "age": the series is a unix timestamp in seconds; the rule judges now - value (seconds).
    measure: str = "value"
    #: How often the selected series report (s), if the topology does not say; 0 = continuous.
    cadence_s: float = 0.0
    #: The title per language (``title_zh`` in a rule file is ``{"zh_CN": …}``); ``title`` is
    #: the default (English) one. Not part of the hash (a dict).
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)

    def format_title(self, subject: str, value: float, threshold: float | None, lang: str | None = None,
                     extra: Mapping[str, Any] | None = None) -> str:
        """The alert's title for one series, in ``lang`` when the rule has a title in it (else
        the default title); ``extra``: the ``titles.fields`` of this value. Never raises (a rule
        file is checked at load)."""
        template = pick(self.title, self.titles, lang) if lang else self.title
        if extra is None:  # no engine context: the rule's own threshold, in its unit
            op = self.condition.op if self.condition else "<" if self.baseline and \
                self.baseline.direction == "below" else ">"
            extra = title_fields(value, threshold, self.unit, Basis("fixed", op), lang)
        more = {f: "" for f in EXTRA_FIELDS}
        more["usual"] = math.nan
        more.update(extra)
        try:
            return template.format(
                subject=subject, value=value, threshold=math.nan if threshold is None else threshold,
                rule=self.id, severity=self.severity.value, **more,
            )
        except (ValueError, KeyError, IndexError, TypeError):
            return f"{subject}: {self.id}"


@dataclass(frozen=True)
class RuleSet:
    """A checked set of rules plus the engine settings that came with them."""

    rules: tuple[Rule, ...] = ()
    source: str = "<rules>"
    change_window_s: float = 900.0  # "after change": a deploy or config change this recently
    utc_offset_h: float = 8.0  # the baseline's local time of day
    stale_after_s: float = 30.0  # a series silent this long is "no data", not "fine"
    flap_window_s: float = 1800.0
    flap_count: int = 3
    #: Objectives per service (name glob -> {p99_s: …, error_ratio: …}); they override the
    #: feed's ``Service.slo``.
    objectives: Mapping[str, Mapping[str, float]] = field(default_factory=dict, hash=False)

    def objective(self, service: str, key: str, declared: Mapping[str, float] | None = None) -> float | None:
        """The objective ``key`` of ``service``: the rule file's (first matching glob), else the
        feed's ``declared`` one, else None."""
        for pattern, objs in self.objectives.items():
            if key in objs and any(fnmatch.fnmatchcase(service, p) for p in pattern.split("|")):
                return objs[key]
        value = (declared or {}).get(key)
        return float(value) if isinstance(value, (int, float)) and math.isfinite(value) and value > 0 else None

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (``KeyError`` if none)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


# -- loading ------------------------------------------------------------------------------
class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings remember the line of each key (1-based)."""


class _Map(dict):
    line: int = 0
    key_lines: dict[str, int]


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    m = _Map()
    m.line = node.start_mark.line + 1
    m.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise RuleError(f"mapping keys must be plain names, not {key!r}", key_node.start_mark.line + 1)
        if key in m:
            raise RuleError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
        m[key] = loader.construct_object(value_node, deep=True)
        m.key_lines[str(key)] = value_node.start_mark.line + 1
    return m


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


def load_rules_file(path: str | Path) -> RuleSet:
    """Read and check a rule file; ``RuleError`` (with the file's name) if it is unusable."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise RuleError(f"cannot read: {e.strerror or e}", source=str(p)) from None
    except UnicodeDecodeError:
        raise RuleError("not UTF-8 text", source=str(p)) from None
    return load_rules(text, source=str(p))


def default_rules_path() -> Path:
    """The rule file that ships with Warroom."""
    return resource_dir() / "rules" / "default.yaml"


def load_rules(text: str, source: str = "<rules>") -> RuleSet:
    """Parse and check rule-file text. Every problem is a ``RuleError`` with its line."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except RuleError as e:
        raise RuleError(e.problem, e.line, source) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise RuleError(f"not valid YAML: {problem}", line, source) from None
    return _RuleReader(source).ruleset(doc)


class _RuleReader:
    """Walks a parsed rule file, turning each field into a checked value or a RuleError."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str, line: int | None) -> RuleError:
        return RuleError(problem, line, self.source)

    def ruleset(self, doc: Any) -> RuleSet:
        if not isinstance(doc, _Map):
            raise self.fail("expected a mapping with 'version' and 'rules'", 1)
        self._only(doc, {"version", "settings", "defaults", "rules", "objectives"}, "the file")
        version = doc.get("version")
        if version != RULES_VERSION:
            raise self.fail(f"version must be {RULES_VERSION}, got {version!r}", doc.key_lines.get("version", doc.line))
        settings = self._section(doc, "settings")
        self._only(settings, {"change_window", "utc_offset", "stale_after", "flap_window", "flap_count"}, "settings")
        defaults = self._section(doc, "defaults")
        self._only(defaults, {"for", "resolve_after"}, "defaults")
        default_for = self._duration(defaults, "for", 30.0)
        default_resolve = self._duration(defaults, "resolve_after", 60.0)
        rules_node = doc.get("rules")
        if not isinstance(rules_node, list) or not rules_node:
            raise self.fail("'rules' must be a non-empty list", doc.key_lines.get("rules", doc.line))
        rules: list[Rule] = []
        seen: dict[str, int] = {}
        for i, node in enumerate(rules_node):
            if not isinstance(node, _Map):
                raise self.fail(f"rule #{i + 1} must be a mapping", doc.key_lines.get("rules"))
            rule = self.rule(node, default_for, default_resolve)
            if rule.id in seen:
                raise self.fail(f"duplicate rule id {rule.id!r} (first on line {seen[rule.id]})", node.line)
            seen[rule.id] = node.line
            rules.append(rule)
        utc = settings.get("utc_offset", 8.0)
        if isinstance(utc, bool) or not isinstance(utc, (int, float)) or not -14 <= utc <= 14:
            raise self.fail("utc_offset must be hours between -14 and 14", settings.key_lines.get("utc_offset"))
        flap_count = settings.get("flap_count", 3)
        if isinstance(flap_count, bool) or not isinstance(flap_count, int) or flap_count < 2:
            raise self.fail("flap_count must be an integer >= 2", settings.key_lines.get("flap_count"))
        return RuleSet(
            tuple(rules), self.source,
            change_window_s=self._duration(settings, "change_window", 900.0),
            utc_offset_h=float(utc),
            stale_after_s=self._duration(settings, "stale_after", 30.0),
            flap_window_s=self._duration(settings, "flap_window", 1800.0),
            flap_count=flap_count,
            objectives=self._objectives(doc),
        )

    def _objectives(self, doc: _Map) -> dict[str, dict[str, float]]:
        """``objectives: {"checkout|cart": {p99_s: 0.5, error_ratio: 0.01}}``."""
        node = self._section(doc, "objectives")
        out: dict[str, dict[str, float]] = {}
        for pattern, objs in node.items():
            line = node.key_lines.get(str(pattern))
            if not isinstance(pattern, str) or not pattern.strip() or not isinstance(objs, _Map):
                raise self.fail("objectives: each entry maps a service name (glob) to e.g. "
                                "{p99_s: 0.5, error_ratio: 0.01}", line)
            self._only(objs, set(SLO_KEYS), f"objectives of {pattern!r}")
            vals = {}
            for key, v in objs.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                    raise self.fail(f"objectives of {pattern!r}: {key} must be a positive number",
                                    objs.key_lines.get(str(key), line))
                vals[str(key)] = float(v)
            out[pattern] = vals
        return out

    def rule(self, node: _Map, default_for: float, default_resolve: float) -> Rule:
        allowed = {"id", "title", "title_zh", "titles", "series", "labels", "when", "baseline", "for",
                   "resolve_after", "severity", "cause", "runbook", "plans", "description",
                   "unit", "slo", "subjects", "no_data", "measure", "cadence"}
        self._only(node, allowed, "a rule")
        rid = node.get("id")
        if not isinstance(rid, str) or not _ID.match(rid):
            raise self.fail("each rule needs an 'id' of lower-case letters, digits, '-', '_' or '.'",
                            node.key_lines.get("id", node.line))
        where = f"rule {rid!r}"
        selector = self._selector(node, where)
        if ("when" in node) == ("baseline" in node):
            raise self.fail(f"{where}: give exactly one of 'when' (a threshold) or 'baseline'", node.line)
        condition = self._condition(node, where) if "when" in node else None
        baseline = self._baseline(node, where) if "baseline" in node else None
        sev = node.get("severity")
        if sev not in ("P0", "P1", "P2", "P3"):
            raise self.fail(f"{where}: severity must be one of P0, P1, P2, P3, not {sev!r}",
                            node.key_lines.get("severity", node.line))
        cause = node.get("cause", "failure")
        if cause not in CAUSES:
            raise self.fail(f"{where}: cause must be one of {', '.join(CAUSES)}, not {cause!r}",
                            node.key_lines.get("cause"))
        plans = node.get("plans", [])
        if not isinstance(plans, list) or not all(isinstance(p, str) and p for p in plans):
            raise self.fail(f"{where}: plans must be a list of plan ids", node.key_lines.get("plans"))
        title = node.get("title", "{subject}: " + rid)
        if not isinstance(title, str) or not title.strip():
            raise self.fail(f"{where}: title must be text", node.key_lines.get("title"))
        self._check_title(title, where, node.key_lines.get("title"))
        titles = self._titles(node, where)
        for name in ("runbook", "description"):
            if not isinstance(node.get(name, ""), str):
                raise self.fail(f"{where}: {name} must be text", node.key_lines.get(name))
        choice = {name: self._choice(node, name, options, where) for name, options in
                  (("unit", UNITS), ("slo", ("", *SLO_KEYS)), ("subjects", SUBJECTS), ("no_data", NO_DATA),
                   ("measure", MEASURES))}
        cadence_s = self._duration(node, "cadence", 0.0, where)
        uses_cadence = (condition is not None and condition.cadence) or (
            baseline is not None and baseline.fallback is not None and baseline.fallback.cadence)
        if uses_cadence and choice["measure"] != "age":
            raise self.fail(f"{where}: '> cadence' compares an age: add 'measure: age'",
                            node.key_lines.get("when", node.line))
        return Rule(
            id=rid, title=title, selector=selector, severity=Severity(sev),
            for_s=self._duration(node, "for", default_for, where),
            resolve_after_s=self._duration(node, "resolve_after", default_resolve, where),
            condition=condition, baseline=baseline, cause=cause,
            runbook=node.get("runbook", ""), plans=tuple(plans), description=node.get("description", ""),
            line=node.line, titles=titles, cadence_s=cadence_s, **choice,
        )

    def _choice(self, node: _Map, name: str, options: tuple[str, ...], where: str) -> str:
        value = node.get(name, options[0])
        if value not in options:
            shown = ", ".join(repr(o) for o in options if o) or "''"
            raise self.fail(f"{where}: {name} must be one of {shown}, not {value!r}",
                            node.key_lines.get(name, node.line))
        return value

    # -- fields ------------------------------------------------------------------------
    def _selector(self, node: _Map, where: str) -> Selector:
        series = node.get("series")
        line = node.key_lines.get("series", node.line)
        if not isinstance(series, str):
            raise self.fail(f"{where}: 'series' must name a metric, e.g. service_error_ratio", line)
        m = _SERIES.match(series)
        if not m:
            raise self.fail(f"{where}: bad series {series!r}: expected name or name{{label=\"glob\",...}}", line)
        labels: dict[str, str] = {}
        if m.group(2):
            try:
                labels.update(SeriesKey.parse(m.group(1) + m.group(2)).labels)
            except ValueError as e:
                raise self.fail(f"{where}: bad series {series!r}: {e}", line) from None
        extra = node.get("labels", {})
        if not isinstance(extra, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items()):
            raise self.fail(f"{where}: labels must map label names to text globs", node.key_lines.get("labels"))
        labels.update(extra)
        return Selector(m.group(1), labels)

    def _condition(self, node: _Map, where: str, name: str = "when") -> Condition:
        text = node[name]
        line = node.key_lines.get(name)
        m = _WHEN.match(str(text)) if isinstance(text, (str, int, float)) else None
        if not m:
            raise self.fail(f"{where}: bad '{name}' {text!r}: expected e.g. '> 5%', '< 0.95', '> health.p99_crit'"
                            " or '> cadence'", line)
        op, health, number, percent = m.groups()
        if health == "cadence":
            return Condition(op, cadence=True)
        if health:
            fieldname = health.split(".", 1)[1]
            if fieldname not in _HEALTH_FIELDS:
                raise self.fail(f"{where}: unknown health threshold {health!r}; expected one of "
                                f"{', '.join('health.' + f for f in sorted(_HEALTH_FIELDS))}", line)
            return Condition(op, health=fieldname)
        value = float(number) / (100.0 if percent else 1.0)
        return Condition(op, value=value)

    def _baseline(self, node: _Map, where: str) -> BaselineSpec:
        b = node["baseline"]
        line = node.key_lines.get("baseline")
        if not isinstance(b, _Map):
            raise self.fail(f"{where}: baseline must be a mapping, e.g. {{direction: below}}", line)
        self._only(b, {"direction", "k", "min_rel", "min_abs", "recent_window", "recent_lag", "ratio", "floor",
                       "fallback"}, f"{where} baseline")
        direction = b.get("direction", "below")
        if direction not in ("below", "above"):
            raise self.fail(f"{where}: baseline direction must be 'below' or 'above', not {direction!r}",
                            b.key_lines.get("direction", line))
        nums = {}
        for name, default in (("k", 4.0), ("min_rel", 0.3), ("min_abs", 0.0), ("ratio", 0.0), ("floor", 0.0)):
            v = b.get(name, default)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or not math.isfinite(v):
                raise self.fail(f"{where}: baseline {name} must be a non-negative number", b.key_lines.get(name, line))
            nums[name] = float(v)
        if 0 < nums["ratio"] <= 1:
            raise self.fail(f"{where}: baseline ratio must be more than 1 (3: three times the usual value)",
                            b.key_lines.get("ratio", line))
        fallback = self._condition(b, f"{where} baseline", "fallback") if "fallback" in b else None
        return BaselineSpec(
            direction, nums["k"], nums["min_rel"], nums["min_abs"],
            self._duration(b, "recent_window", 1800.0, where),
            self._duration(b, "recent_lag", 120.0, where),
            ratio=nums["ratio"], floor=nums["floor"], fallback=fallback,
        )

    def _duration(self, node: _Map, name: str, default: float, where: str = "") -> float:
        if name not in node:
            return default
        try:
            return parse_duration(node[name])
        except ValueError as e:
            prefix = f"{where}: " if where else ""
            raise self.fail(f"{prefix}{name}: {e}", node.key_lines.get(name)) from None

    def _titles(self, node: _Map, where: str) -> dict[str, str]:
        """``titles: {zh_CN: …}`` and its shorthand ``title_zh: …``, each checked like ``title``."""
        titles = node.get("titles", {})
        line = node.key_lines.get("titles")
        if not isinstance(titles, dict) or not all(isinstance(k, str) and k for k in titles):
            raise self.fail(f"{where}: titles must map a language (e.g. zh_CN) to a title", line)
        out = dict(titles)
        if "title_zh" in node:
            if "zh_CN" in out:
                raise self.fail(f"{where}: give the Chinese title once, as title_zh or titles.zh_CN",
                                node.key_lines.get("title_zh"))
            out["zh_CN"] = node["title_zh"]
            line = node.key_lines.get("title_zh")
        for lang, text in out.items():
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"{where}: the {lang} title must be text", line)
            self._check_title(text, where, line)
        return out

    def _check_title(self, title: str, where: str, line: int | None) -> None:
        try:
            title.format(subject="x", value=0.5, threshold=0.5, rule="r", severity="P1",
                         **{f: 0.5 if f == "usual" else "x" for f in EXTRA_FIELDS})
        except KeyError as e:
            raise self.fail(f"{where}: title uses unknown field {e}; known: "
                            f"{', '.join(sorted(_TITLE_FIELDS))}", line) from None
        except (ValueError, IndexError) as e:
            raise self.fail(f"{where}: bad title format: {e}", line) from None

    def _section(self, doc: _Map, name: str) -> _Map:
        value = doc.get(name)
        if value is None:
            empty = _Map()
            empty.line, empty.key_lines = doc.line, {}
            return empty
        if not isinstance(value, _Map):
            raise self.fail(f"'{name}' must be a mapping", doc.key_lines.get(name))
        return value

    def _only(self, node: _Map, allowed: set[str], what: str) -> None:
        for key in node:
            if key not in allowed:
                raise self.fail(f"unknown field {key!r} in {what}; expected one of {', '.join(sorted(allowed))}",
                                node.key_lines.get(str(key), node.line))
