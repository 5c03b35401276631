"""The domain model: services, call edges, business scenarios, metric series and events.

Everything here is an immutable value object so it can cross threads freely and be
compared in tests. Times are integer milliseconds since the Unix epoch ("ms") in the
*feed's* time base, which in a simulation may run faster than the wall clock.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from warroom.core.language.lang import pick

_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_LABEL_PAIR = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


class ServiceKind(str, enum.Enum):
    """What a node of the call graph is; drives its icon and default thresholds."""

    CHANNEL = "channel"  # entry points: app gateway, cashier, merchant gateway
    SERVICE = "service"  # ordinary business service
    BANK = "bank"  # external bank / card-network gateway
    DATABASE = "database"
    CACHE = "cache"
    QUEUE = "queue"
    EXTERNAL = "external"  # a third-party API (logistics, SMS, tax) seen only through its callers
    JOB = "job"  # a scheduled job or sync (settlement, stock sync): judged by its cadence


#: Objectives a service may declare (``Service.slo``): the p99 latency it promises (seconds),
#: the error ratio it may not exceed (0..1). Rules compare against them before any default.
SLO_KEYS = ("p99_s", "error_ratio")


@dataclass(frozen=True)
class Service:
    """One node of the call graph."""

    name: str
    kind: ServiceKind = ServiceKind.SERVICE
    title: str = ""  # human-readable name; falls back to ``name``
    core: bool = True  # non-core services (coupons, marketing) may be degraded away
    capacity_rps: float = 0.0  # 0 = unknown
    group: str = ""  # the team or namespace it belongs to; a big map draws a group as one node
    #: True for a service where traffic enters the platform, when the feed says so; without it
    #: an entry is a service no other service calls (``Topology.entries``).
    entry: bool = False
    #: Its objectives (keys in ``SLO_KEYS``), when the feed declares them (protocol 1.2).
    slo: Mapping[str, float] = field(default_factory=dict, hash=False)
    #: How often its series report, in seconds, when it reports in bursts or on a schedule (a
    #: job that runs every 5 minutes, a sync every 10): missing it is an alert, the silence
    #: between two reports is not. 0 = continuously (every few seconds).
    cadence_s: float = 0.0

    #: Names per language (``{"zh_CN": "工商银行网关"}``); not part of the hash (a dict).
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """The name to show a person, in the console's language when the feed gave one."""
        return pick(self.title or self.name, self.titles)


@dataclass(frozen=True)
class CallEdge:
    """A caller → callee dependency. ``calls`` is the expected calls per caller request.

    A fractional ``calls`` models routing: a payment engine sending 40% of payments to one
    bank gateway has ``calls=0.4`` on that edge.
    """

    caller: str
    callee: str
    calls: float = 1.0

    @property
    def key(self) -> tuple[str, str]:
        """The (caller, callee) pair that identifies the edge."""
        return (self.caller, self.callee)


#: The metric of a funnel step's series when its feed names none: items per second reaching
#: the step (``scenario_step_rate{scenario="qr_pay",step="pay"}``), see ``FunnelStep``.
STEP_RATE_METRIC = "scenario_step_rate"


def step_series(scenario: str, step: str) -> SeriesKey:
    """The default series of a funnel step: ``scenario_step_rate{scenario=…,step=…}``."""
    return SeriesKey(STEP_RATE_METRIC, {"scenario": scenario, "step": step})


@dataclass(frozen=True)
class FunnelStep:
    """One step of a scenario's business funnel ("checkout" → "pay" → "bank confirmed").

    ``series`` counts the items reaching the step per second; the console divides it by the
    step before to get the step's conversion (``warroom.core.funnel``). ``services`` are the
    services that carry an item from the step before into this one: where the root cause of a
    drop in this step's conversion is looked for. Protocol 1.6 (``scenarios[].steps``).
    """

    id: str
    series: SeriesKey
    title: str = ""
    services: tuple[str, ...] = ()
    #: Names per language (``{"zh_CN": "支付"}``); not part of the hash (a dict).
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """The name to show a person, in the console's language when the feed gave one."""
        return pick(self.title or self.id, self.titles)


@dataclass(frozen=True)
class Scenario:
    """A business flow such as "QR-code payment": its entry service and the call edges it uses.

    A scenario can fail while each of its services looks healthy on its own, so it is
    monitored in its own right (TPS and success rate) and mapped onto the call graph. It may
    declare funnel ``steps`` (protocol 1.6), monitored as a funnel with a conversion per step.
    """

    id: str
    title: str
    entry: str
    edges: tuple[tuple[str, str], ...]
    #: Names per language (``{"zh_CN": "扫码支付"}``); not part of the hash (a dict).
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: Its business funnel, first step first (empty: the scenario declares none).
    steps: tuple[FunnelStep, ...] = ()

    @property
    def label(self) -> str:
        """The name to show a person, in the console's language when the feed gave one."""
        return pick(self.title or self.id, self.titles)

    @classmethod
    def from_path(cls, id: str, title: str, path: Iterable[str | Iterable[str]],
                  titles: Mapping[str, str] | None = None) -> "Scenario":
        """Build a scenario from a path whose steps may be alternatives.

        ``["cashier", "trade", ("bank-a", "bank-b")]`` gives edges cashier→trade,
        trade→bank-a and trade→bank-b.
        """
        steps = [(s,) if isinstance(s, str) else tuple(s) for s in path]
        if not steps or len(steps[0]) != 1:
            raise ValueError("a scenario path starts with exactly one entry service")
        edges: list[tuple[str, str]] = []
        for before, after in zip(steps, steps[1:]):
            edges.extend((a, b) for a in before for b in after)
        return cls(id=id, title=title, entry=steps[0][0], edges=tuple(edges), titles=dict(titles or {}))

    @property
    def services(self) -> tuple[str, ...]:
        """Services on the scenario, entry first, in first-seen order."""
        seen = {self.entry: None}
        for a, b in self.edges:
            seen.setdefault(a)
            seen.setdefault(b)
        return tuple(seen)


def _freeze_labels(labels: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(sorted((labels or {}).items())))


@dataclass(frozen=True)
class SeriesKey:
    """A metric series named the Prometheus/OpenTelemetry way: a metric name plus labels.

    Its canonical text form, ``name{a="x",b="y"}`` with labels sorted, is what the store
    indexes and what users type to select a series.
    """

    def __deepcopy__(self, memo: dict) -> "SeriesKey":
        return self  # immutable: a copy of a state that holds it may share it

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _METRIC_NAME.match(self.name):
            raise ValueError(f"invalid metric name {self.name!r}")
        for k, v in self.labels.items():
            if not _LABEL_NAME.match(k):
                raise ValueError(f"invalid label name {k!r}")
            if not isinstance(v, str):
                raise ValueError(f"label {k!r} must be a string, not {type(v).__name__}")
        object.__setattr__(self, "labels", _freeze_labels(self.labels))
        # Keys are hashed for every batch on the ingest path: compute the identity once.
        object.__setattr__(self, "_ident", (self.name, tuple(self.labels.items())))
        object.__setattr__(self, "_hash", hash(self._ident))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    def __reduce__(self) -> tuple:
        return (SeriesKey, (self.name, dict(self.labels)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SeriesKey):
            return NotImplemented
        return self is other or self._ident == other._ident  # type: ignore[attr-defined]

    @property
    def text(self) -> str:
        """Canonical text form, e.g. ``service_error_ratio{service="trade"}``."""
        if not self.labels:
            return self.name
        inner = ",".join(f'{k}="{_escape(v)}"' for k, v in self.labels.items())
        return f"{self.name}{{{inner}}}"

    @classmethod
    def parse(cls, text: str) -> "SeriesKey":
        """Parse the canonical text form back into a key."""
        text = text.strip()
        if "{" not in text:
            return cls(text)
        if not text.endswith("}"):
            raise ValueError(f"unterminated labels in {text!r}")
        name, _, body = text[:-1].partition("{")
        labels: dict[str, str] = {}
        pos = 0
        # Every character of the body must belong to a label pair: text such as
        # ``m{service=trade}`` (unquoted) is an error, not a key without labels.
        while pos < len(body) and body[pos:].strip():
            m = _LABEL_PAIR.match(body, pos)
            if m is None:
                raise ValueError(f"bad label syntax in {text!r} at {body[pos:]!r}")
            labels[m.group(1)] = _unescape(m.group(2))
            pos = m.end()
        return cls(name, labels)

    def matches(self, name: str | None = None, **labels: str) -> bool:
        """True if the key has this name (when given) and all these label values."""
        if name is not None and name != self.name:
            return False
        return all(self.labels.get(k) == v for k, v in labels.items())

    def __str__(self) -> str:
        return self.text


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _unescape(value: str) -> str:
    # One pass, left to right: chained replace() would read the escaped backslash
    # of ``\\n`` (backslash, n) as a newline.
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class EventKind(str, enum.Enum):
    """Kinds of rows in the append-only event log."""

    DEPLOY = "deploy"
    CONFIG_CHANGE = "config_change"
    ALERT = "alert"
    INCIDENT = "incident"
    PLAN_EXECUTION = "plan_execution"
    FAULT = "fault"  # simulator only: a fault injected or cleared (drills)
    FEED = "feed"  # the console's own record: connected, disconnected, stale, gap
    NOTE = "note"
    SILENCE = "silence"  # a silence (maintenance window) created, expired or removed
    ESCALATION = "escalation"  # an incident missed its response target (warroom.core.incident.escalation)
    PATROL = "patrol"  # a robot patrol's verdict (warroom.core.patrol)
    LOG = "log"  # log lines and trace ids about a service (protocol 1.5, warroom.protocol.context)
    DRILL = "drill"  # a drill window started or ended (protocol 1.6, warroom.core.incident.drills)


class Severity(str, enum.Enum):
    """P0 is the most severe. ``info`` is for events that are not problems."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    INFO = "info"


@dataclass(frozen=True)
class Event:
    """One row of the event log, in the past tense: something that happened at ``ts``.

    ``subject`` names what it happened to (a service, an edge ``"a->b"``, a scenario, a plan),
    ``attrs`` carries kind-specific detail (a deploy's version, a plan's parameters...).
    ``id`` is unique per source, so an event that arrives twice is stored once.
    """

    id: str
    ts: int
    kind: EventKind
    subject: str
    title: str
    severity: Severity = Severity.INFO
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def __deepcopy__(self, memo: dict) -> "Event":
        return self  # immutable: a copy of a state that holds it may share it

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EventKind(self.kind))
        object.__setattr__(self, "severity", Severity(self.severity))
        object.__setattr__(self, "attrs", MappingProxyType(dict(self.attrs)))

    def __hash__(self) -> int:
        return hash(self.id)
