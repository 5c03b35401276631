"""Typed protocol errors and their counters.

A bad frame or a bad point never raises out of the decoder: it becomes a
``ProtocolError`` that is counted in ``ErrorStats`` (shown on the console's feed-health
indicator) while the good data around it is kept.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass

from warroom.core.language.text import terminal_safe


class ErrorCode(str, enum.Enum):
    """Why a frame, a message or a point was refused."""

    OVERSIZED = "oversized"  # frame larger than the configured limit; dropped unread
    MALFORMED_JSON = "malformed_json"  # not UTF-8 JSON, or not a JSON object
    BAD_VERSION = "bad_version"  # envelope "v" missing or not a version we speak
    UNKNOWN_TYPE = "unknown_type"  # a message type this version does not define
    BAD_FIELD = "bad_field"  # missing field or wrong type; the item is dropped
    NON_FINITE = "non_finite"  # NaN, Infinity or null where a number belongs
    FUTURE_TIMESTAMP = "future_timestamp"  # later than the feed's now + tolerance
    BAD_TIMESTAMP = "bad_timestamp"  # before 2000-01-01: almost certainly seconds, not ms
    DUPLICATE_POINT = "duplicate_point"  # same series and timestamp as a point already taken
    OUT_OF_ORDER = "out_of_order"  # older than the newest point already taken for its series
    SEQUENCE_GAP = "sequence_gap"  # server "seq" skipped: frames were lost in between
    BAD_TEXT = "bad_text"  # an identifier with a control, bidi control or lone surrogate, or too long
    TEXT_NORMALISED = "text_normalised"  # free text cleaned (see protocol/strings.py); nothing dropped
    BAD_CLOCK = "bad_clock"  # hello/heartbeat time or speed outside the documented bounds


@dataclass(frozen=True)
class ProtocolError:
    """One refusal. ``count`` > 1 when many points of one frame failed the same way."""

    code: ErrorCode
    message: str
    count: int = 1

    def __post_init__(self) -> None:
        # Messages quote what the feed sent and end up in logs and on screen: no escape may act.
        object.__setattr__(self, "message", terminal_safe(self.message))


class BadMessage(Exception):
    """The message (or the item being parsed) cannot be used; carries the error to count."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.error = ProtocolError(code, message)


class ErrorStats:
    """Running totals of protocol errors by code, and the most recent ones for display."""

    def __init__(self, keep_last: int = 20) -> None:
        self.totals: Counter[ErrorCode] = Counter()
        self._last: list[ProtocolError] = []
        self._keep = keep_last

    def add(self, error: ProtocolError) -> None:
        """Count an error."""
        self.totals[error.code] += error.count
        self._last.append(error)
        del self._last[: -self._keep]

    def extend(self, errors: list[ProtocolError]) -> None:
        """Count several errors."""
        for e in errors:
            self.add(e)

    @property
    def total(self) -> int:
        """All errors counted so far."""
        return sum(self.totals.values())

    @property
    def last(self) -> list[ProtocolError]:
        """The most recent errors, oldest first."""
        return list(self._last)

    def as_dict(self) -> dict[str, int]:
        """``{code: count}`` for display or logging."""
        return {code.value: n for code, n in sorted(self.totals.items())}
