"""Silences and maintenance windows: alerts that still count, but do not page anyone.

A silenced alert is still evaluated, still shown (marked silenced) and still takes part in
root-cause analysis; it sends no notification and opens no incident. Every silence has an
end: there is no "forever", because forgotten silences hide real outages.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

#: Fields a silence can match besides labels.
MATCH_FIELDS = ("rule", "subject", "severity")


@dataclass(frozen=True)
class Silence:
    """Mutes alerts matching every glob in ``matchers`` from ``starts_ms`` until ``ends_ms``.

    Matcher keys are ``rule``, ``subject``, ``severity`` or a label name; values are globs
    (``a|b`` for either). A maintenance window is a silence that starts in the future.
    """

    def __deepcopy__(self, memo: dict) -> "Silence":
        return self  # immutable: a copy of a state that holds it may share it

    id: str
    matchers: Mapping[str, str]
    starts_ms: int
    ends_ms: int
    created_by: str
    comment: str = ""
    attrs: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.matchers:
            raise ValueError("a silence needs at least one matcher (rule, subject, severity or a label)")
        if self.ends_ms <= self.starts_ms:
            raise ValueError("a silence must end after it starts")
        if not self.created_by.strip():
            raise ValueError("a silence needs the name of who created it")
        object.__setattr__(self, "matchers", MappingProxyType(dict(self.matchers)))
        object.__setattr__(self, "attrs", MappingProxyType(dict(self.attrs)))

    def active_at(self, ts_ms: int) -> bool:
        """True while the silence is in force."""
        return self.starts_ms <= ts_ms < self.ends_ms

    def matches(self, rule: str, subject: str, severity: str, labels: Mapping[str, str]) -> bool:
        """True if every matcher matches the alert described by the arguments."""
        fields = {"rule": rule, "subject": subject, "severity": severity}
        for key, pattern in self.matchers.items():
            value = fields[key] if key in fields else labels.get(key)
            if value is None or not any(fnmatch.fnmatchcase(value, p) for p in pattern.split("|")):
                return False
        return True
