"""The generic checks of site-file values, each problem named with its line: types, ranges,
texts and choices (did you mean ...?), lists, durations, paths, URLs, PromQL, free-form data."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from warroom.gateway.site.reading import _is_null, _join, _line, _Map, _what

#: How deep free-form values (plan params, executor options) may nest.
_MAX_DEPTH = 24

_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?")
_DURATION_S = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LANG = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?")
_MISSING = object()

_KIND_WORDS = {"text": "text", "number": "a number", "int": "a whole number", "bool": "true or false"}


class _Values:
    """Walks the node tree; collects problems (errors) and warnings instead of stopping.
    The generic readers; the sections are in ``sources`` and ``plans``."""

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
