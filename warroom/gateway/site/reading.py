"""The safe YAML read of a site file: nodes with line numbers, and refusals of hostile input
(aliases, control characters, several documents, deep nesting) as ``SiteError``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: The largest site file read (a real one is a few kilobytes).
MAX_SITE_BYTES = 1 << 20


class SiteError(ValueError):
    """A site file that cannot be used. ``problems`` holds one ``FILE:LINE: what`` per problem;
    the message is all of them, one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


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
