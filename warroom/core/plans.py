"""Contingency plans: rate limiting, degrade, failover, described as data.

Parameter names for rate limiting and circuit breaking follow Alibaba Sentinel's
``FlowRule`` and ``DegradeRule`` (``resource``, ``grade``, ``count``, ``controlBehavior``,
``timeWindow``, ...), so rules that teams already run carry over unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

#: Plan kinds the console knows how to preview. Others are accepted and shown generically.
KNOWN_KINDS = ("rate_limit", "degrade", "failover")
TARGET_KINDS = ("service", "edge", "scenario", "bank_channel")


@dataclass(frozen=True)
class Guard:
    """The KPI that must recover after a plan runs, and by when.

    ``series`` is a series key in text form; recovery means ``value op threshold`` holds
    within ``within_s`` seconds of execution.
    """

    series: str
    op: str  # one of "<", "<=", ">", ">="
    threshold: float
    within_s: float

    def holds(self, value: float) -> bool:
        """True if ``value`` satisfies the guard."""
        return {
            "<": value < self.threshold,
            "<=": value <= self.threshold,
            ">": value > self.threshold,
            ">=": value >= self.threshold,
        }[self.op]


@dataclass(frozen=True)
class Plan:
    """One rehearsed contingency plan."""

    def __deepcopy__(self, memo: dict) -> "Plan":
        return self  # immutable: a copy of a state that holds it may share it

    id: str
    kind: str
    title: str
    target_kind: str
    target: str
    params: Mapping[str, Any] = field(default_factory=dict)
    steps: tuple[str, ...] = ()
    rollback: tuple[str, ...] = ()
    expiry_s: float | None = None
    guard: Guard | None = None
    critical: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if self.target_kind not in TARGET_KINDS:
            raise ValueError(f"plan {self.id!r}: target_kind must be one of {TARGET_KINDS}")
        if self.guard is not None and self.guard.op not in ("<", "<=", ">", ">="):
            raise ValueError(f"plan {self.id!r}: guard op {self.guard.op!r} is not a comparison")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "rollback", tuple(self.rollback))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (the wire format of ``plan_catalogue``)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "target": {"kind": self.target_kind, "name": self.target},
            "params": dict(self.params),
            "steps": list(self.steps),
            "rollback": list(self.rollback),
            "expiry_s": self.expiry_s,
            "guard": None
            if self.guard is None
            else {
                "series": self.guard.series,
                "op": self.guard.op,
                "threshold": self.guard.threshold,
                "within_s": self.guard.within_s,
            },
            "critical": self.critical,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Plan":
        """Inverse of ``to_dict``; raises ``ValueError``/``KeyError``/``TypeError`` on bad input.

        A ``null`` counts as absent: a required field that is ``null`` is missing, an optional
        one takes its default (``str(None)`` would otherwise make a plan called "None").
        """
        g = d.get("guard")
        guard = None
        if g is not None:
            guard = Guard(_text(g, "series"), _text(g, "op"), float(g["threshold"]), float(g["within_s"]))
        target = d["target"]
        expiry = d.get("expiry_s")
        return cls(
            id=_text(d, "id"),
            kind=_text(d, "kind"),
            title=_text(d, "title", _text(d, "id")),
            target_kind=_text(target, "kind"),
            target=_text(target, "name"),
            params=dict(d.get("params") or {}),
            steps=tuple(str(s) for s in d.get("steps") or ()),
            rollback=tuple(str(s) for s in d.get("rollback") or ()),
            expiry_s=None if expiry is None else float(expiry),
            guard=guard,
            critical=bool(d.get("critical", False)),
            description=_text(d, "description", ""),
        )


def _text(d: Mapping[str, Any], key: str, default: str | None = None) -> str:
    """``d[key]`` as a string; ``null`` or absent gives ``default``, or KeyError when required."""
    value = d[key] if default is None else d.get(key)
    if value is None:
        if default is None:
            raise KeyError(key)
        return default
    return str(value)
