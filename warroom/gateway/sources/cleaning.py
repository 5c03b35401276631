"""Strings from webhook posts, made to pass the protocol's text rules before they become events.

The receivers take posts from anything that holds a publisher token (Alertmanager, a CI job, a
script), so every string is hostile until cleaned. ``warroom.protocol.strings`` says what a feed
may send: identifiers (event ``id``, ``subject``) are refused by the console when they hold a
control, bidi control or lone surrogate or are too long, so here such a value is *not used*
(``ref`` gives None and the caller falls back, e.g. to ``subject = ""``); free text (titles,
``attrs`` values) is normalised and kept. Everything is capped, so one post cannot make an
event bigger than a console wants to keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warroom.core.language.text import UNSAFE, normalise
from warroom.protocol.strings import NAME_MAX, REF_MAX, TEXT_MAX

#: An event title is one line; longer text stays in ``attrs``.
TITLE_MAX = 300
#: Labels, annotations or tags kept per item; more are dropped (counted in ``attrs``).
MAP_MAX = 64
#: A label value, annotation value or tag: at most this many characters (cut with "…").
VALUE_MAX = 1024


def ref(value: Any, limit: int = REF_MAX) -> str | None:
    """``value`` if it is a string that the protocol accepts as an identifier; else None."""
    if not isinstance(value, str) or not value or len(value) > limit or UNSAFE.search(value) is not None:
        return None
    return value


def text(value: Any, limit: int = TEXT_MAX) -> str:
    """Free text, cleaned (controls → U+FFFD, bidi controls removed, cut at ``limit``).

    Numbers and booleans are written as text; anything else (a list, an object, null) is "".
    """
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, (int, float)):
        value = str(value)
    elif not isinstance(value, str):
        return ""
    return normalise(value, limit)


def title(value: Any) -> str:
    """The first non-blank line of ``value``, cleaned, at most ``TITLE_MAX`` characters."""
    cleaned = text(value, TEXT_MAX)
    for line in cleaned.split("\n"):
        if line.strip():
            return normalise(line.strip(), TITLE_MAX)
    return ""


def string_map(value: Any, what: str, *, value_limit: int = VALUE_MAX) -> tuple[dict[str, str], int]:
    """A JSON object of strings (Alertmanager labels or annotations), cleaned and capped.

    Keys are cut at ``NAME_MAX``, values at ``value_limit``; at most ``MAP_MAX`` pairs are kept
    (the first in key order, so the same input always keeps the same ones). Returns the map and
    how many pairs were dropped (too many, or a value that is not text). ``ValueError`` when
    ``value`` is not an object at all.
    """
    if value is None:
        return {}, 0
    if not isinstance(value, Mapping):
        raise ValueError(f"{what}: expected an object of strings, got {json_type(value)}")
    out: dict[str, str] = {}
    dropped = 0
    for key in sorted(k for k in value if isinstance(k, str)):
        v = value[key]
        if len(out) >= MAP_MAX or isinstance(v, (dict, list)) or v is None:
            dropped += 1
            continue
        out[normalise(key, NAME_MAX)] = text(v, value_limit)
    return out, dropped


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__

