"""The codec's text policy: what a feed's strings may hold when they reach the console.

Every string of every message is checked at the boundary, before anything downstream sees it
(the alert fingerprints, the DuckDB writer, the terminal, the screen). "Unsafe" characters are
those of ``warroom.core.language.text``: C0 controls, DEL, C1 controls, U+2028/U+2029, the bidi controls
U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C, and lone surrogates U+D800–U+DFFF (a
JSON ``"\\ud800"`` escape is valid JSON, but cannot be written as UTF-8).

**Identifiers are refused** (error ``bad_text``; the smallest unit holding it is dropped, as for
``bad_field``) when they hold any unsafe character, or are longer than their limit:

* ``NAME_MAX`` = 256 characters: metric and label names, service names, edge ``caller``/``callee``,
  scenario ``id``/``entry``/edge names, event ``id``, plan ``id`` and ``kind``, ids in ``active``,
  ``hello.server_id``/``role``/``user`` and each of ``capabilities``, ``command_result``
  ``idempotency_key``/``code``, ``error.code``, ``subscribe.client_id``, ``command.actor``.
* ``REF_MAX`` = 1,024 characters: label values, event ``subject``, plan ``target.name``.
* ``TEXT_MAX`` = 4,096 characters: plan ``guard.series``.

What is dropped: a series entry or ``defs`` entry (and its points), a service, an edge, a
scenario, an event, a plan, one capability or one ``active`` id; the whole message for fields of
the message itself (``hello``, ``command_result``, ``error``, ``subscribe``, ``command``).
Every string anywhere inside ``command.args`` is held to the identifier rule (at most
``TEXT_MAX`` characters): a command is an order, and is refused rather than reinterpreted.

**Free text is normalised** and kept: service/scenario/event/plan titles, plan ``description``,
``steps`` and ``rollback``, ``command_result.message``, ``error.message``, ``command.reason``, and
every string value *and key* inside event ``attrs``, plan ``params``, ``command_result.detail``.
CR LF and lone CR become LF; tab and LF stay; other controls and lone surrogates become U+FFFD;
bidi controls are removed; text longer than ``TEXT_MAX`` (keys: ``NAME_MAX``) is cut to one
character less plus "…". Each message with cleaned text gives one ``text_normalised`` error whose
count is the number of strings changed; nothing is dropped.

Values nested deeper than ``MAX_DEPTH`` (32) levels inside ``attrs``/``params``/``detail``/``args``
make their item ``bad_field``: they would overflow the recursion of the writers downstream.

Cost: one regex search per string, and series keys are checked once (the decoder caches them).
"""

from __future__ import annotations

from typing import Any

from warroom.core.language.text import UNSAFE, UNSAFE_IN_TEXT, describe, normalise, unsafe_char
from warroom.protocol.errors import BadMessage, ErrorCode, ProtocolError

NAME_MAX = 256
REF_MAX = 1024
TEXT_MAX = 4096
MAX_DEPTH = 32

# Bound methods: these run for every string of every message.
_unsafe = UNSAFE.search
_unsafe_in_text = UNSAFE_IN_TEXT.search


def name(value: str, what: str, limit: int = NAME_MAX) -> str:
    """``value`` if it is a safe identifier of at most ``limit`` characters; else ``BadMessage(bad_text)``."""
    if len(value) <= limit and _unsafe(value) is None:
        return value
    if len(value) > limit:
        raise BadMessage(ErrorCode.BAD_TEXT, f"{what}: {len(value):,} characters, more than {limit:,}")
    bad = unsafe_char(value)
    if bad is not None:
        raise BadMessage(ErrorCode.BAD_TEXT, f"{what}: {describe(bad[1])} at index {bad[0]}")
    return value


def strict_tree(value: Any, what: str, depth: int = 0) -> Any:
    """A JSON value whose every string and key passes ``name`` (limit ``TEXT_MAX``); raises otherwise."""
    if isinstance(value, str):
        return name(value, what, TEXT_MAX)
    if depth >= MAX_DEPTH and isinstance(value, (dict, list)):
        raise BadMessage(ErrorCode.BAD_FIELD, f"{what}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for k, v in value.items():
            name(k, f"{what} key", TEXT_MAX)
            strict_tree(v, what, depth + 1)
    elif isinstance(value, list):
        for v in value:
            strict_tree(v, what, depth + 1)
    return value


class Notes:
    """The free text one message had cleaned; ``errors()`` gives the ``text_normalised`` error.

    ``mark()``/``rollback()`` forget the notes of an item that is dropped after all.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        #: Where the strings being read sit, as ("events", 3) for "events[3]"; set by the caller.
        self.item: tuple[str, int] | None = None
        self._where: list[str] = []

    def text(self, value: str, what: str, limit: int = TEXT_MAX) -> str:
        """``value`` normalised (the same object when already clean); a change is noted."""
        if len(value) <= limit and _unsafe_in_text(value) is None:
            return value
        out = normalise(value, limit)
        if out is not value:
            item = self.item
            self._where.append(f"{item[0]}[{item[1]}].{what}" if item else what)
        return out

    def tree(self, value: Any, what: str, depth: int = 0) -> Any:
        """A JSON value with every string and key normalised; unchanged parts are shared."""
        if _clean_tree(value, depth):
            return value
        if isinstance(value, str):
            return self.text(value, what)
        if depth >= MAX_DEPTH and isinstance(value, (dict, list)):
            raise BadMessage(ErrorCode.BAD_FIELD, f"{what}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            changed = False
            out: dict[str, Any] = {}
            for k, v in value.items():
                k2 = self.text(k, what, NAME_MAX)
                v2 = self.tree(v, what, depth + 1)
                changed |= k2 is not k or v2 is not v
                out[k2] = v2
            return out if changed else value
        if isinstance(value, list):
            items = [self.tree(v, what, depth + 1) for v in value]
            return items if any(a is not b for a, b in zip(items, value)) else value
        return value

    def mark(self) -> int:
        """A point to ``rollback`` to."""
        return len(self._where)

    def rollback(self, mark: int) -> None:
        """Forget the notes taken since ``mark``."""
        del self._where[mark:]

    def errors(self) -> list[ProtocolError]:
        """One ``text_normalised`` error counting the strings changed, or none."""
        if not self._where:
            return []
        n = len(self._where)
        first = ", ".join(w[:80] for w in self._where[:3]) + (", …" if n > 3 else "")
        return [ProtocolError(ErrorCode.TEXT_NORMALISED, f"{self.kind}: {n} string(s) cleaned: {first}", n)]


def _clean_tree(value: Any, depth: int) -> bool:
    """True if no string or key in ``value`` needs cleaning and it is not nested too deep.

    The common case of ``Notes.tree``, kept tight: leaves are checked inline.
    """
    t = type(value)
    if t is str:
        return len(value) <= TEXT_MAX and _unsafe_in_text(value) is None
    if t is dict:
        for k in value:
            if len(k) > NAME_MAX or _unsafe_in_text(k) is not None:
                return False
        items = value.values()
    elif t is list:
        items = value
    else:
        return True
    if depth >= MAX_DEPTH:
        return False
    for v in items:
        tv = type(v)
        if tv is str:
            if len(v) > TEXT_MAX or _unsafe_in_text(v) is not None:
                return False
        elif (tv is dict or tv is list) and not _clean_tree(v, depth + 1):
            return False
    return True
    return True
