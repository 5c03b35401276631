"""What the conformance kit saw: every frame of a feed, read twice — raw, and by the reference decoder.

Sans-I/O. ``inspect`` reads one frame the way the protocol page describes it, strictly, and notes
what the reference decoder tolerates or cannot see: ``NaN``/``Infinity`` literals and numbers too
large for a float (section 1), lone surrogates, and the raw ``seq``, ids and timestamps. The
``Frame`` keeps both readings; the checks (``warroom.conform.checks``) judge the ``Observation``,
a plain record of one run that the tests can also build by hand.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from warroom.protocol import CommandResult, DecodeResult, Hello, Subscribe
from warroom.protocol.binary import BinaryFrameError, is_binary_frame, unpack_frame
from warroom.protocol.errors import ErrorCode, ProtocolError

_SURROGATE = re.compile("[\ud800-\udfff]")
#: ``command_result`` states that end a command (section 5.7).
FINAL_STATES = ("succeeded", "failed", "rejected")


@dataclass
class Frame:
    """One frame received, as read raw (``body``, ``problems``) and by the decoder (``result``)."""

    conn: str  # which connection: "main", "resend", "witness", "resume"
    at: float  # wall seconds since the run started
    binary: bool
    size: int
    body: dict[str, Any] | None  # the JSON object, or a binary frame's header; None if unreadable
    problems: list[str] = field(default_factory=list)  # section-1 violations: literals, not UTF-8, not an object
    surrogates: list[str] = field(default_factory=list)  # where a lone surrogate was found
    ids: list[Any] | None = None  # a metrics frame's raw ``points.s`` (the rest of ``points`` is not kept)
    result: DecodeResult | None = None
    before_subscribe: bool = False

    @property
    def kind(self) -> str:
        """The ``type`` the frame says it is ("?" when it says none)."""
        kind = self.body.get("type") if self.body is not None else None
        return kind if isinstance(kind, str) else "?"

    @property
    def seq(self) -> Any:
        """The raw ``seq`` (None when absent)."""
        return None if self.body is None else self.body.get("seq")

    @property
    def errors(self) -> list[ProtocolError]:
        """The reference decoder's errors for this frame."""
        return [] if self.result is None else self.result.errors



@dataclass
class Exchange:
    """One command sent and the ``command_result`` frames that answered it."""

    key: str
    action: str
    plan_id: str
    conn: str
    sent_at: float
    results: list[tuple[float, CommandResult]] = field(default_factory=list)
    repeat: bool = False  # the key was sent before: a replayed answer is due
    errors: list[str] = field(default_factory=list)  # ``error`` frames, or a timeout, while waiting

    @property
    def final(self) -> CommandResult | None:
        """The first final result, or None."""
        return next((r for _, r in self.results if r.state in FINAL_STATES), None)


@dataclass
class CommandTrial:
    """The ``--allow-commands`` round trip: execute, resend the same key, roll back."""

    skipped: str = ""  # why no command was sent ("" when the trial ran)
    plan_id: str = ""
    tried: list[Exchange] = field(default_factory=list)  # executions the feed rejected before one ran
    execute: Exchange | None = None
    resend: Exchange | None = None
    rollback: Exchange | None = None
    restore: Exchange | None = None  # a rollback sent because the trial ended early
    catalogue_active: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)
    executions: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)  # plan_execution events
    had_catalogue: bool = False


@dataclass
class ResumeTrial:
    """The resumption check: disconnect, reconnect with ``since``, compare with a witness."""

    skipped: str = ""
    since: int | None = None
    gap_s: float = 0.0
    hello: Hello | None = None  # the hello of the resumed connection
    witness_points: set[tuple[str, int]] = field(default_factory=set)
    resumed_points: set[tuple[str, int]] = field(default_factory=set)
    witness_events: dict[str, int] = field(default_factory=dict)  # id -> ts
    resumed_events: set[str] = field(default_factory=set)
    witness_newest: int | None = None
    resumed_newest: int | None = None
    problems: list[str] = field(default_factory=list)  # what went wrong on the way (timeouts, closes)


@dataclass
class Observation:
    """Everything one run saw on its main connection, and the trials it ran."""

    url: str
    client_versions: tuple[int, ...]
    frames: list[Frame] = field(default_factory=list)
    hello: Hello | None = None
    hello_index: int | None = None  # position of the first hello in ``frames``
    subscribe: Subscribe | None = None
    subscribed_at: float | None = None
    ended_at: float = 0.0  # when observing the main connection stopped (s since start)
    pre_subscribe_s: float = 0.0
    window_s: float = 0.0
    closed_by_server: tuple[int | None, str] | None = None  # close code and reason, if the feed closed
    connect_error: str = ""
    dropped_frames: int = 0  # frames beyond the recording limits, counted only
    kept_bytes: int = 0  # wire size of the frames kept
    commands: CommandTrial | None = None
    resume: ResumeTrial | None = None
    notes: list[str] = field(default_factory=list)

    def main_frames(self) -> list[Frame]:
        """The frames of the main connection, in order."""
        return [f for f in self.frames if f.conn == "main"]


def inspect(raw: bytes | str, conn: str, at: float) -> Frame:
    """Read one frame strictly: its JSON object (or binary header) and its section-1 problems."""
    binary = is_binary_frame(raw)
    size = len(raw) if not isinstance(raw, str) else len(raw.encode("utf-8", "surrogatepass"))
    frame = Frame(conn, at, binary or not isinstance(raw, str), size, None)
    if binary:
        try:
            header, s, _, _ = unpack_frame(raw)  # type: ignore[arg-type]
        except BinaryFrameError as exc:
            frame.problems.append(f"bad binary frame: {exc}")
            return frame
        frame.ids = s.tolist()
        head_len = int.from_bytes(bytes(raw[4:8]), "little")
        text: str | bytes = bytes(raw[8 : 8 + head_len])
    elif isinstance(raw, str):
        text = raw
    else:
        frame.problems.append("a binary frame that is not a WRB1 metrics frame")
        return frame
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            frame.problems.append(f"not UTF-8: {exc.reason} at byte {exc.start}")
            return frame
    literals: list[str] = []
    try:
        body = json.loads(text, parse_constant=lambda c: _note(literals, c), parse_float=lambda s: _float(literals, s))
    except (ValueError, RecursionError) as exc:
        frame.problems.append(f"not JSON: {str(exc)[:100]}")
        return frame
    if literals:
        frame.problems.append(f"non-standard number literal(s): {', '.join(sorted(set(literals))[:3])}")
    if not isinstance(body, dict):
        frame.problems.append(f"a JSON {type(body).__name__}, not an object")
        return frame
    frame.surrogates = _surrogates(body)
    points = body.get("points")
    if body.get("type") == "metrics" and isinstance(points, dict):
        # The decoder holds the points; a run keeps only the ids, so a long window stays small.
        s = points.get("s")
        frame.ids = s if isinstance(s, list) else None
        body = {k: v for k, v in body.items() if k != "points"}
    frame.body = body
    return frame


def _note(literals: list[str], constant: str) -> float:
    literals.append(constant)
    return float(constant)


def _float(literals: list[str], text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        literals.append(text[:24])  # 1e999: a literal too large for a float
    return value


def _surrogates(value: Any, where: str = "", out: list[str] | None = None) -> list[str]:
    """Paths of the strings (keys included) holding a lone surrogate; iterative over nesting."""
    out = [] if out is None else out
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack and len(out) < 10:
        item, path = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                out.append(path or "(value)")
        elif isinstance(item, dict):
            for k, v in item.items():
                if _SURROGATE.search(k):
                    out.append(f"{path}.<key>" if path else "<key>")
                stack.append((v, f"{path}.{k}" if path else str(k)))
        elif isinstance(item, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(item))
    return out


# -- which check a decoder error belongs to ---------------------------------------------
#: Codes that judge the frame as a whole (section 1, 2, 7).
_FRAME_CODES = {ErrorCode.OVERSIZED.value, ErrorCode.MALFORMED_JSON.value, ErrorCode.UNKNOWN_TYPE.value}
#: Codes the kit judges itself: ``sequence_gap`` by the seq check, ``non_finite`` by the literal scan
#: (a ``null`` metric value or a NaN in a binary column is how the protocol carries a missing value).
_OWN_CODES = {ErrorCode.SEQUENCE_GAP.value, ErrorCode.NON_FINITE.value}
_BY_KIND = {
    "hello": "hello", "topology": "topology", "metrics": "series-defs", "events": "events",
    "plan_catalogue": "catalogue", "heartbeat": "heartbeat", "command_result": "commands",
}
#: How the decoder describes a text problem (warroom.core.language.text.describe, protocol.strings).
_TEXT_WORDS = re.compile(r"\((lone surrogate|bidi control|control)\)|characters, more than")


def check_of(error: ProtocolError, kind: str) -> str | None:
    """The id of the check that a decoder error on a frame of type ``kind`` fails; None: judged elsewhere."""
    code = error.code.value if isinstance(error.code, ErrorCode) else str(error.code)
    if code in _OWN_CODES:
        return None
    if code in _FRAME_CODES:
        return "frames"
    if code == ErrorCode.BAD_VERSION.value:
        return "negotiation"
    if code in ("bad_timestamp", "future_timestamp"):
        return "timestamps"
    if code in ("duplicate_point", "out_of_order"):
        return "series-order"
    if code in ("bad_text", "text_normalised") or _TEXT_WORDS.search(error.message):
        return "text"
    if code == "bad_clock":
        return "hello" if kind == "hello" else "heartbeat"
    if error.message.startswith("seq "):
        return None  # a non-integer seq: the seq check reads it raw
    if kind == "metrics" and error.message.startswith("points of a series that was never defined"):
        # The series check tracks ids itself: a definition the decoder refused for its text is
        # a text failure, not a point used before its definition.
        return None
    return _BY_KIND.get(kind, "frames")
