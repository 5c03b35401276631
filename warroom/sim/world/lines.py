"""YAML that remembers where things were written, so a bad world file is answered with
"FILE:LINE: problem" (the same idea as the rule loader's ``_LineLoader``, with lines for
list items too)."""

from __future__ import annotations

from typing import Any

import yaml


class LineError(Exception):
    """A problem at a line (1-based) of the text being read."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


class Map(dict):
    """A mapping with the line it starts on and the line of each key's value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict[str, int] = {}
        self.name_lines: dict[str, int] = {}

    def at(self, key: str) -> int:
        """The line of ``key``'s value, or the mapping's own line."""
        return self.key_lines.get(str(key), self.line)

    def key_at(self, key: str) -> int:
        """The line ``key`` itself is written on, or the mapping's own line."""
        return self.name_lines.get(str(key), self.line)


class Seq(list):
    """A list with the line it starts on and the line of each item."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.line = 0
        self.item_lines: list[int] = []

    def at(self, i: int) -> int:
        """The line of item ``i``."""
        return self.item_lines[i] if i < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """A safe loader building ``Map`` and ``Seq``."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Map:
    m = Map()
    m.line = node.start_mark.line + 1
    m.key_lines = {}
    m.name_lines = {}
    loader.flatten_mapping(node)  # YAML merge keys (<<: *anchor)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float)) or isinstance(key, bool):
            raise LineError(f"mapping keys must be plain names, not {key!r}", key_node.start_mark.line + 1)
        if key in m:
            raise LineError(f"duplicate key {key!r}", key_node.start_mark.line + 1)
        m[key] = loader.construct_object(value_node, deep=True)
        m.key_lines[str(key)] = value_node.start_mark.line + 1
        m.name_lines[str(key)] = key_node.start_mark.line + 1
    return m


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Seq:
    s = Seq(loader.construct_object(child, deep=True) for child in node.value)
    s.line = node.start_mark.line + 1
    s.item_lines = [child.start_mark.line + 1 for child in node.value]
    return s


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load(text: str) -> Any:
    """Parse YAML text into ``Map``/``Seq``/scalars; ``LineError`` for bad YAML."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except LineError:
        raise
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise LineError(f"not valid YAML: {getattr(e, 'problem', None) or e}",
                        mark.line + 1 if mark is not None else None) from None
