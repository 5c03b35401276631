"""Contingency plans: rate limiting, degrade, failover, rollback, described as data.

Parameter names for rate limiting and circuit breaking follow Alibaba Sentinel's
``FlowRule`` and ``DegradeRule`` (``resource``, ``grade``, ``count``, ``controlBehavior``,
``timeWindow``, ...), so rules that teams already run carry over unchanged.

Kinds the console knows (``KNOWN_KINDS``): ``rate_limit`` (admit at most ``count`` QPS at the
target), ``degrade`` (open the target's circuit breaker: callers stop calling it),
``failover`` (move a bank channel's traffic to the other banks, or switch a database to its
standby) and ``rollback`` (target a service: undo its last deploy; the parameters, e.g. the
version to go back to, are the feed's). A ``rollback`` plan is suggested first when the root
alert came right after a change (``warroom.core.plan.suggest``). ``restart`` (restart the
target service's processes: a crashed service, a stalled job, a consumer behind its queue) is
suggested for its target like a failover, and previewed generically, as are plans of other
kinds the console does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

from warroom.core.language.lang import clean_titles, language, pick

#: Plan kinds the console knows how to preview and suggest. Others are accepted and shown generically.
KNOWN_KINDS = ("rate_limit", "degrade", "failover", "rollback")
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
    #: Titles per language (``{"zh_CN": "切换工商银行网关"}``), protocol 1.1.
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: Description, steps and rollback per language (``{"zh_CN": {"description": "…",
    #: "steps": […], "rollback": […]}}``), protocol 1.1; any of the three may be missing.
    texts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """The title to show a person, in the console's language when the feed gave one."""
        return pick(self.title, self.titles)

    def localized(self, lang: str | None = None) -> "Plan":
        """This plan with title, description, steps and rollback in ``lang`` (the console's
        language by default) wherever the feed gave them; itself when there is nothing to change."""
        lang = lang or language()
        text = _text_for(self.texts, lang)
        title = pick(self.title, self.titles, lang)
        description = text.get("description")
        steps, rollback = _lines(text.get("steps")), _lines(text.get("rollback"))
        changes: dict[str, Any] = {}
        if title != self.title:
            changes["title"] = title
        if isinstance(description, str) and description.strip():
            changes["description"] = description
        if steps:
            changes["steps"] = steps
        if rollback:
            changes["rollback"] = rollback
        return replace(self, **changes) if changes else self

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
            # 1.1 additions, omitted when empty (the shape older feeds send).
            **({"titles": dict(self.titles)} if self.titles else {}),
            **({"texts": {k: dict(v) for k, v in self.texts.items()}} if self.texts else {}),
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
            titles=clean_titles(d.get("titles")),
            texts={k: dict(v) for k, v in (d.get("texts") or {}).items()
                   if isinstance(k, str) and isinstance(v, Mapping)} if isinstance(d.get("texts"), Mapping) else {},
        )


def _text(d: Mapping[str, Any], key: str, default: str | None = None) -> str:
    """``d[key]`` as a string; ``null`` or absent gives ``default``, or KeyError when required."""
    value = d[key] if default is None else d.get(key)
    if value is None:
        if default is None:
            raise KeyError(key)
        return default
    return str(value)


def _text_for(texts: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
    if lang == "en":
        return {}
    for key in (lang, lang.split("_")[0]):
        value = texts.get(key)
        if isinstance(value, Mapping):
            return value
    return {}


def _lines(value: Any) -> tuple[str, ...]:
    """A list of text lines from outside, or ``()`` when it is not one."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(x, str) for x in value):
        return tuple(value)
    return ()
