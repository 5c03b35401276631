"""The arguments of the incident commands (protocol 1.4, docs/protocol.md section 6.4).

A feed that computes alerts and incidents (hello capability ``incidents``) takes the room's
incident work as commands. Their ``args`` are checked here, at the boundary, field by field:

* identifiers (``incident``, ``owner``, ``silence``, ``id``, matcher names) follow the
  identifier rule of ``warroom.protocol.strings`` (refused with ``bad_text``), at most
  ``NAME_MAX`` characters; ``fingerprint`` and matcher patterns at most ``REF_MAX``;
* free text (``comment``, ``text``) is normalised and kept, as ``command.reason`` is: a note
  may have several lines;
* times are integer epoch ms within the protocol's bounds; ``due`` is ``YYYY-MM-DD`` or "";
* a missing required field, a field of the wrong type or a field the action does not know is
  ``bad_field``: a command is an order, and is refused rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from warroom.core.clock import MAX_TIME_MS, MIN_TIME_MS
from warroom.protocol.errors import BadMessage, ErrorCode
from warroom.protocol.strings import NAME_MAX, REF_MAX, Notes, name

#: Per action: field -> (kind, required). Kinds: ``id`` (identifier), ``ref`` (long identifier),
#: ``text`` (free text), ``ms`` (epoch ms), ``date`` (YYYY-MM-DD or ""), ``matchers``.
FIELDS: Mapping[str, Mapping[str, tuple[str, bool]]] = {
    "ack_alert": {"fingerprint": ("ref", True), "comment": ("text", False)},
    "ack_incident": {"incident": ("id", True), "comment": ("text", False)},
    "set_owner": {"incident": ("id", True), "owner": ("id", True)},
    "add_note": {"incident": ("id", True), "text": ("text", True)},
    "add_action_item": {"incident": ("id", True), "text": ("text", True), "owner": ("id", True),
                        "due": ("date", False)},
    "silence": {"matchers": ("matchers", True), "until": ("ms", True), "starts": ("ms", False),
                "comment": ("text", False), "id": ("id", False)},
    "unsilence": {"silence": ("id", True)},
}
#: A silence matches on at most this many fields.
MAX_MATCHERS = 32
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def incident_args(action: str, args: Mapping[str, Any], notes: Notes) -> dict[str, Any]:
    """The checked ``args`` of an incident command (see the module docstring); ``BadMessage`` otherwise."""
    spec = FIELDS[action]
    unknown = sorted(k for k in args if k not in spec)
    if unknown:
        raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: unknown argument {unknown[0][:64]!r} "
                                              f"(it takes {', '.join(spec)})")
    out: dict[str, Any] = {}
    for key, (kind, required) in spec.items():
        value = args.get(key)
        if value is None or value == "":
            if required:
                raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: missing argument {key!r}")
            continue
        out[key] = _value(action, key, kind, value, notes)
    return out


def _value(action: str, key: str, kind: str, value: Any, notes: Notes) -> Any:
    what = f"args.{key}"
    if kind == "ms":
        if isinstance(value, bool) or not isinstance(value, int) or not MIN_TIME_MS <= value <= MAX_TIME_MS:
            raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: {key!r} must be epoch milliseconds")
        return value
    if kind == "matchers":
        if not isinstance(value, dict) or not 1 <= len(value) <= MAX_MATCHERS:
            raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: 'matchers' must be an object of 1 to "
                                                  f"{MAX_MATCHERS} field: pattern pairs")
        for k, v in value.items():
            if not k.strip() or not isinstance(v, str) or not v.strip():
                raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: each matcher needs a name and a pattern")
            name(k, f"{what} key")
            name(v, f"{what}.{k}", REF_MAX)
        return dict(value)
    if not isinstance(value, str):
        raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: {key!r} must be text, not {type(value).__name__}")
    if kind == "text":
        out = notes.text(value, what).strip()
        if not out:
            raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: {key!r} is empty")
        return out
    if kind == "date":
        if not _DATE.fullmatch(value):
            raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: 'due' must be YYYY-MM-DD")
        return value
    if not value.strip():
        raise BadMessage(ErrorCode.BAD_FIELD, f"{action}: {key!r} is empty")
    return name(value, what, REF_MAX if kind == "ref" else NAME_MAX)
