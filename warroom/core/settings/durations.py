"""Durations written by people: ``"90"``, ``"90s"``, ``"1.5m"``, ``"2h"``, ``"500ms"``.

One parser for the command line, fault specs and rule files, so ``30s`` means the same
everywhere.
"""

from __future__ import annotations

import re

_TIME = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str | int | float) -> float:
    """Seconds in ``"90"``, ``"90s"``, ``"1.5m"``, ``"2h"``, ``"1d"`` or ``"500ms"``; a bare
    number is seconds. ``ValueError`` names the bad text."""
    if isinstance(text, bool):
        raise ValueError(f"bad time {text!r}: expected a number with an optional unit ms, s, m, h or d")
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError(f"bad time {text!r}: must not be negative")
        return float(text)
    m = _TIME.match(str(text))
    if not m:
        raise ValueError(f"bad time {text!r}: expected a number with an optional unit ms, s, m, h or d")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]
