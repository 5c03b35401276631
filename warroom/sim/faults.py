"""Faults the simulator can inject, what they do, and the command-line spec syntax.

Kinds (``FaultKind``), valid targets, and parameters with their defaults:

``bank_latency_spike``  target: a bank gateway. ``factor=15``: its latency grows up to x15,
    well past the payment engine's 2 s timeout, so callers see timeouts. ``capacity=1``: the
    share of its usual capacity it keeps (0.5: it takes half its load before it sheds; a
    staged traffic shift onto it then fails at the stage that fills it).
``hot_account_lock``    target: a service with a database callee (``accounting``) or a
    database. The service slows (x4) and throws lock-wait errors; its databases slow
    (``lock_factor=10``), lose capacity (``capacity=0.65``) and fail ``lock_error=0.1``.
``deploy_error_burst``  target: a channel or business service. ``error_ratio=0.35`` of its
    requests fail after a release; ``version`` names it (emitted as a DEPLOY event).
``traffic_surge``       target: a scenario id, an entry service (all its scenarios) or
    ``*``. ``multiplier=5``: offered traffic times 5.
``db_failover``         target: a database, cache or queue. Unavailable for
    ``unavailable_s=30`` while the standby is promoted (a CONFIG_CHANGE event), then
    ``recovery_latency=3`` times slower until the end (default duration 150 s).
``dependency_outage``   target: any service. It is down: every call fails.
``latency_spike``       target: any service. ``factor=10``: its responses take up to x10 its
    healthy median (a cache or a database gone slow, a service stuck in garbage collection or
    waiting on a full thread pool). The extra time is its own work: for a service whose
    latency is mostly its callees' (a gateway in front of banks), ten times its own few
    milliseconds would change nothing anyone can measure, so the simulator scales its own
    work by enough to make its median ``factor`` times what it was before the fault.
``process_crash``       target: any service that reports (not an ``external`` API). Its
    process is gone: it sends ``service_up=0`` and none of its measured series (absence is
    the signal), and every call into it fails.
``job_stall``           target: a ``job``. The job stops succeeding: it does no work and its
    ``job_last_success_timestamp_seconds`` stops moving.
``consumer_stall``      target: a queue consumer (``consumers``). It stops taking messages:
    its ``consumer_lag_seconds`` grows by ``rate=1`` second per second.

Targets are chosen by service KIND and by the shape of the call graph, never by name, so
every kind applies to any world (``valid_targets``); ``expected_roots`` says which
services a correct diagnosis of a fault may name as its root.

``severity`` (default 1.0) scales a fault's strength: 0.5 gives half the extra latency,
half the extra errors, half the extra traffic.

Spec syntax for the command line (``parse_fault_spec``)::

    KIND:TARGET[@START][+DURATION][,key=value...]

``START`` is measured from the simulator's start and ``DURATION`` from the fault's start;
both are numbers with an optional unit ``ms``, ``s`` (default), ``m`` or ``h``. No
duration means "until cleared". Examples: ``bank_latency_spike:bank-icbc@60s+120s``,
``traffic_surge:qr_pay@5m+2m,multiplier=8``, ``dependency_outage:coupon,severity=1``.
``,drill=true`` makes it a drill's fault (its events carry the drill mark, and a drill window
is open while it lasts: ``warroom.core.incident.drills``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from warroom.core.settings.durations import parse_duration
from warroom.core.model import Severity, ServiceKind
from warroom.core.graph.topology import Topology


class FaultKind(str, enum.Enum):
    """The kinds of fault the simulator knows."""

    BANK_LATENCY_SPIKE = "bank_latency_spike"
    HOT_ACCOUNT_LOCK = "hot_account_lock"
    DEPLOY_ERROR_BURST = "deploy_error_burst"
    TRAFFIC_SURGE = "traffic_surge"
    DB_FAILOVER = "db_failover"
    DEPENDENCY_OUTAGE = "dependency_outage"
    LATENCY_SPIKE = "latency_spike"
    PROCESS_CRASH = "process_crash"
    JOB_STALL = "job_stall"
    CONSUMER_STALL = "consumer_stall"


#: Parameters each kind accepts, with their defaults.
DEFAULT_PARAMS: Mapping[FaultKind, Mapping[str, Any]] = MappingProxyType(
    {
        FaultKind.BANK_LATENCY_SPIKE: {"factor": 15.0, "capacity": 1.0},
        FaultKind.HOT_ACCOUNT_LOCK: {"lock_factor": 10.0, "capacity": 0.65, "lock_error": 0.1},
        FaultKind.DEPLOY_ERROR_BURST: {"error_ratio": 0.35, "version": ""},
        FaultKind.TRAFFIC_SURGE: {"multiplier": 5.0},
        FaultKind.DB_FAILOVER: {"unavailable_s": 30.0, "recovery_s": 120.0, "recovery_latency": 3.0},
        FaultKind.DEPENDENCY_OUTAGE: {},
        FaultKind.LATENCY_SPIKE: {"factor": 10.0},
        FaultKind.PROCESS_CRASH: {},
        FaultKind.JOB_STALL: {},
        FaultKind.CONSUMER_STALL: {"rate": 1.0},
    }
)

#: How the event log rates each kind.
EVENT_SEVERITY: Mapping[FaultKind, Severity] = MappingProxyType(
    {
        FaultKind.BANK_LATENCY_SPIKE: Severity.P1,
        FaultKind.HOT_ACCOUNT_LOCK: Severity.P1,
        FaultKind.DEPLOY_ERROR_BURST: Severity.P1,
        FaultKind.TRAFFIC_SURGE: Severity.P2,
        FaultKind.DB_FAILOVER: Severity.P1,
        FaultKind.DEPENDENCY_OUTAGE: Severity.P0,
        FaultKind.LATENCY_SPIKE: Severity.P1,
        FaultKind.PROCESS_CRASH: Severity.P0,
        FaultKind.JOB_STALL: Severity.P2,
        FaultKind.CONSUMER_STALL: Severity.P2,
    }
)

_DATA_KINDS = (ServiceKind.DATABASE, ServiceKind.CACHE, ServiceKind.QUEUE)
#: Kinds that cannot consume a queue: data stores, third parties and scheduled jobs.
_NOT_CONSUMERS = (*_DATA_KINDS, ServiceKind.EXTERNAL, ServiceKind.JOB, ServiceKind.BANK)


def consumers(topology: Topology) -> list[str]:
    """Services that consume a queue: nobody calls them and they depend on a ``queue``.

    Asynchronous hops are drawn consumer -> queue (protocol §9), so a consumer is read from
    the graph's shape: its work arrives through the queue, not from a caller.
    """
    out = []
    for s in topology.services:
        if s.kind in _NOT_CONSUMERS or topology.callers(s.name):
            continue
        if any(topology.service(c).kind == ServiceKind.QUEUE for c in topology.callees(s.name)):
            out.append(s.name)
    return out


def jobs(topology: Topology) -> list[str]:
    """Scheduled jobs and syncs (kind ``job``)."""
    return [s.name for s in topology.services if s.kind == ServiceKind.JOB]


def reporting(topology: Topology) -> list[str]:
    """Services that send their own series: all but ``external`` APIs, which a platform sees
    only through its callers' edges."""
    return [s.name for s in topology.services if s.kind != ServiceKind.EXTERNAL]


@dataclass(frozen=True)
class Fault:
    """One injected fault: active for ``start_ms <= ts < end_ms`` (``end_ms=None``: until cleared)."""

    def __deepcopy__(self, memo: dict) -> "Fault":
        return self  # immutable: a copied simulator (a drill's fork) may share it

    id: str
    kind: FaultKind
    target: str
    start_ms: int
    end_ms: int | None = None
    severity: float = 1.0
    params: Mapping[str, Any] = field(default_factory=dict)
    #: A drill's fault: its events, and what the console derives from them, carry the drill mark.
    drill: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FaultKind(self.kind))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def active_at(self, ts_ms: int) -> bool:
        """True if the fault acts on a tick at ``ts_ms``."""
        return self.start_ms <= ts_ms and (self.end_ms is None or ts_ms < self.end_ms)

    @property
    def duration_s(self) -> float | None:
        """Planned length in seconds, or None when it lasts until cleared."""
        return None if self.end_ms is None else (self.end_ms - self.start_ms) / 1000.0


@dataclass(frozen=True)
class Impact:
    """What a fault does to one service at one moment.

    Factors multiply the service's own latency and capacity; ``error_ratio`` is an extra
    share of its own requests that fail; ``down`` means it answers nothing and calls nobody.
    """

    service: str
    latency_factor: float = 1.0
    error_ratio: float = 0.0
    capacity_factor: float = 1.0
    down: bool = False


def validate(
    topology: Topology, kind: str, target: str, severity: float, duration_s: float | None, params: Mapping[str, Any]
) -> tuple[FaultKind, dict[str, Any]]:
    """Check a fault request against the platform; return its kind and complete parameters.

    Raises ``ValueError`` naming what is wrong and what would be accepted.
    """
    try:
        fk = FaultKind(kind)
    except ValueError:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {[k.value for k in FaultKind]}") from None
    if not severity > 0:
        raise ValueError(f"severity must be positive, got {severity!r}")
    if duration_s is not None and not duration_s > 0:
        raise ValueError(f"duration_s must be positive, got {duration_s!r}")
    allowed = DEFAULT_PARAMS[fk]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"{fk.value} does not take {unknown}; it takes {sorted(allowed) or 'no parameters'}")
    merged = {**allowed, **params}
    for name, default in allowed.items():
        if isinstance(default, float):
            try:
                merged[name] = float(merged[name])
            except (TypeError, ValueError):
                raise ValueError(f"{fk.value}: {name} must be a number, got {merged[name]!r}") from None
            if merged[name] < 0:
                raise ValueError(f"{fk.value}: {name} must not be negative")
        else:
            merged[name] = str(merged[name])
    valid = valid_targets(topology, fk)
    if target not in valid:
        raise ValueError(f"{fk.value} cannot target {target!r}; valid targets: {sorted(valid)}")
    return fk, merged


def valid_targets(topology: Topology, kind: FaultKind) -> set[str]:
    """The names a fault of this kind may target on this platform."""
    services = topology.services
    if kind == FaultKind.BANK_LATENCY_SPIKE:
        return {s.name for s in services if s.kind in (ServiceKind.BANK, ServiceKind.EXTERNAL)}
    if kind == FaultKind.HOT_ACCOUNT_LOCK:
        return {s.name for s in services if s.kind == ServiceKind.DATABASE or _databases(topology, s.name)}
    if kind == FaultKind.DEPLOY_ERROR_BURST:
        return {s.name for s in services if s.kind in (ServiceKind.CHANNEL, ServiceKind.SERVICE)}
    if kind == FaultKind.TRAFFIC_SURGE:
        return {"*"} | {sc.id for sc in topology.scenarios} | {sc.entry for sc in topology.scenarios}
    if kind == FaultKind.DB_FAILOVER:
        return {s.name for s in services if s.kind in _DATA_KINDS}
    if kind == FaultKind.PROCESS_CRASH:
        return set(reporting(topology))
    if kind == FaultKind.JOB_STALL:
        return set(jobs(topology))
    if kind == FaultKind.CONSUMER_STALL:
        return set(consumers(topology))
    return {s.name for s in services}


def expected_roots(kind: FaultKind | str, target: str, topology: Topology) -> set[str]:
    """The services a correct diagnosis of this fault may name as the root cause (top-1).

    A traffic surge's root is where the traffic enters: the entry service(s) of the
    scenarios it hits. A lock on a service's hot rows may be named at the service or at its
    databases. Every other kind's root is its target.
    """
    kind = FaultKind(kind)
    if kind == FaultKind.TRAFFIC_SURGE:
        return {sc.entry for sc in topology.scenarios if target in ("*", sc.id, sc.entry)}
    if kind == FaultKind.HOT_ACCOUNT_LOCK and target in topology:
        return {target, *_databases(topology, target)}
    return {target}


def _databases(topology: Topology, name: str) -> list[str]:
    return [c for c in topology.callees(name) if topology.service(c).kind == ServiceKind.DATABASE]


def default_duration_s(kind: FaultKind, params: Mapping[str, Any]) -> float | None:
    """How long a fault lasts when no duration is given (None: until cleared)."""
    if kind == FaultKind.DB_FAILOVER:
        return float(params["unavailable_s"]) + float(params["recovery_s"])
    return None


def impacts(fault: Fault, topology: Topology, ts_ms: int) -> list[Impact]:
    """The fault's effect on services at ``ts_ms`` (traffic surges have none; see ``surge_factor``)."""
    s = fault.severity
    p = fault.params
    k = fault.kind
    if k == FaultKind.BANK_LATENCY_SPIKE:
        return [Impact(fault.target, latency_factor=1.0 + (p["factor"] - 1.0) * s,
                       capacity_factor=max(0.05, 1.0 - (1.0 - p.get("capacity", 1.0)) * s))]
    if k == FaultKind.HOT_ACCOUNT_LOCK:
        db_impact = dict(
            latency_factor=1.0 + (p["lock_factor"] - 1.0) * s,
            capacity_factor=max(0.05, 1.0 - (1.0 - p["capacity"]) * s),
            error_ratio=min(1.0, p["lock_error"] * s),
        )
        if topology.service(fault.target).kind == ServiceKind.DATABASE:
            return [Impact(fault.target, **db_impact)]
        out = [Impact(fault.target, latency_factor=1.0 + 3.0 * s, error_ratio=min(1.0, 0.5 * p["lock_error"] * s))]
        return out + [Impact(db, **db_impact) for db in _databases(topology, fault.target)]
    if k == FaultKind.DEPLOY_ERROR_BURST:
        return [Impact(fault.target, latency_factor=1.0 + 0.5 * s, error_ratio=min(1.0, p["error_ratio"] * s))]
    if k == FaultKind.DB_FAILOVER:
        t_s = (ts_ms - fault.start_ms) / 1000.0
        if t_s < p["unavailable_s"]:
            # Connections hang until the pool gives up, so callers see slow errors.
            return [Impact(fault.target, latency_factor=30.0, down=True)]
        return [Impact(fault.target, latency_factor=1.0 + (p["recovery_latency"] - 1.0) * s)]
    if k in (FaultKind.DEPENDENCY_OUTAGE, FaultKind.PROCESS_CRASH):
        return [Impact(fault.target, error_ratio=1.0, down=True)]
    if k == FaultKind.LATENCY_SPIKE:
        return [Impact(fault.target, latency_factor=1.0 + (p["factor"] - 1.0) * s)]
    # job_stall and consumer_stall take work away rather than break it: see ``paused``.
    return []


def paused(fault: Fault) -> str | None:
    """The service a stall fault stops from taking work (its scenarios carry no traffic)."""
    return fault.target if fault.kind in (FaultKind.JOB_STALL, FaultKind.CONSUMER_STALL) else None


def surge_factor(fault: Fault, topology: Topology) -> tuple[float, tuple[str, ...]]:
    """A traffic surge's multiplier and the scenario ids it hits (empty for other kinds)."""
    if fault.kind != FaultKind.TRAFFIC_SURGE:
        return 1.0, ()
    factor = 1.0 + (fault.params["multiplier"] - 1.0) * fault.severity
    t = fault.target
    ids = tuple(sc.id for sc in topology.scenarios if t in ("*", sc.id, sc.entry))
    return factor, ids


def milestones(fault: Fault) -> list[tuple[int, str]]:
    """Moments inside a fault worth an event of their own: ``(offset_ms, name)``."""
    if fault.kind == FaultKind.DB_FAILOVER:
        return [(int(fault.params["unavailable_s"] * 1000), "standby_promoted")]
    return []


# -- command-line specs -----------------------------------------------------------------
@dataclass(frozen=True)
class FaultSpec:
    """A parsed ``KIND:TARGET[@START][+DURATION][,key=value...]`` (see the module docstring)."""

    kind: str
    target: str
    start_s: float = 0.0
    duration_s: float | None = None
    severity: float = 1.0
    params: Mapping[str, Any] = field(default_factory=dict)
    drill: bool = False  # ``,drill=true``: a drill's fault (``warroom.core.incident.drills``)


_SPEC = re.compile(
    r"^(?P<kind>[a-z_]+):(?P<target>[^@+,\s]+)(?:@(?P<start>[^+,]+))?(?:\+(?P<dur>[^,]+))?(?P<rest>(?:,.*)?)$"
)
def parse_fault_spec(text: str) -> FaultSpec:
    """Parse a fault spec from the command line; ``ValueError`` explains a bad one.

    The kind is checked here; the target is checked when the spec is injected, against
    the platform actually running.
    """
    m = _SPEC.match(text.strip())
    if not m:
        raise ValueError(f"bad fault spec {text!r}: expected KIND:TARGET[@START][+DURATION][,key=value...]")
    kind = m.group("kind")
    if kind not in {k.value for k in FaultKind}:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {[k.value for k in FaultKind]}")
    start = parse_duration(m.group("start")) if m.group("start") else 0.0
    duration = parse_duration(m.group("dur")) if m.group("dur") else None
    severity = 1.0
    drill = False
    params: dict[str, Any] = {}
    for item in filter(None, m.group("rest").split(",")):
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key:
            raise ValueError(f"bad parameter {item!r} in {text!r}: expected key=value")
        if key == "severity":
            try:
                severity = float(value)
            except ValueError:
                raise ValueError(f"severity must be a number, got {value!r}") from None
        elif key == "drill":
            drill = parse_flag(value, "drill")
        else:
            params[key] = _number_or_text(value)
    return FaultSpec(kind, m.group("target"), start, duration, severity, params, drill)


def parse_flag(value: Any, name: str) -> bool:
    """A yes/no value from a spec, a command or a world file: true/false, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off", ""):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _number_or_text(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value
