"""Parsing and validating message bodies (JSON dicts) into typed messages.

Each ``parse_*`` takes the decoded JSON object and returns ``(message, errors)``. A
bad *item* (one service, one event, one point) is dropped with an error and the rest is
kept; only a body that cannot be understood at all raises ``BadMessage``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from warroom.core.model import CallEdge, Event, EventKind, Scenario, Service, ServiceKind, Severity
from warroom.core.plans import Plan
from warroom.core.topology import Topology
from warroom.protocol.errors import ErrorCode, ProtocolError
from warroom.protocol.messages import (
    ACTIONS,
    COMMAND_STATES,
    ENCODINGS,
    STREAMS,
    Command,
    CommandResult,
    Events,
    Heartbeat,
    Hello,
    PlanCatalogue,
    ServerError,
    Subscribe,
    TopologySnapshot,
)

#: Timestamps before 2000-01-01 are refused: they are nearly always seconds sent as ms.
MIN_TS_MS = 946_684_800_000


class BadMessage(Exception):
    """The message as a whole cannot be used; carries the error to count."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.error = ProtocolError(code, message)


def field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], *, optional: bool = False, default: Any = None) -> Any:
    """``body[name]`` checked against ``kind``; ``bool`` never passes for a number."""
    if name not in body or body[name] is None:
        if optional:
            return default
        raise BadMessage(ErrorCode.BAD_FIELD, f"missing field {name!r}")
    value = body[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise BadMessage(ErrorCode.BAD_FIELD, f"field {name!r}: expected {_names(kinds)}, got bool")
    if not isinstance(value, kinds):
        raise BadMessage(ErrorCode.BAD_FIELD, f"field {name!r}: expected {_names(kinds)}, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadMessage(ErrorCode.NON_FINITE, f"field {name!r} is not a finite number")
    return value


def _names(kinds: tuple[type, ...]) -> str:
    return "/".join(k.__name__ for k in kinds)


def timestamp(body: dict[str, Any], name: str, now_ms: int, tolerance_ms: int) -> int:
    """An epoch-ms field that is an integer, not absurdly old and not far in the future."""
    value = field(body, name, (int, float))
    if isinstance(value, float):
        if not value.is_integer():
            raise BadMessage(ErrorCode.BAD_FIELD, f"field {name!r}: timestamps are integer milliseconds")
        value = int(value)
    if value < MIN_TS_MS:
        raise BadMessage(ErrorCode.BAD_TIMESTAMP, f"field {name!r}: {value} is before 2000 (seconds sent as ms?)")
    if value > now_ms + tolerance_ms:
        raise BadMessage(ErrorCode.FUTURE_TIMESTAMP, f"field {name!r}: {value} is {value - now_ms} ms in the future")
    return value


def _each(items: list[Any], what: str, parse: Callable[[Any], Any], errors: list[ProtocolError]) -> list[Any]:
    """Parse each item; a bad one is dropped and its error recorded."""
    out = []
    for i, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise BadMessage(ErrorCode.BAD_FIELD, f"{what}[{i}] is not an object")
            out.append(parse(item))
        except BadMessage as exc:
            errors.append(ProtocolError(exc.error.code, f"{what}[{i}]: {exc.error.message}"))
        except (KeyError, TypeError, ValueError, OverflowError) as exc:  # Overflow: float(10**400)
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, f"{what}[{i}]: {exc}"))
    return out


def parse_hello(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Hello, list[ProtocolError]]:
    versions = field(body, "versions", list)
    if not versions or not all(isinstance(v, int) and not isinstance(v, bool) for v in versions):
        raise BadMessage(ErrorCode.BAD_FIELD, "field 'versions' must be a non-empty list of integers")
    caps = field(body, "capabilities", list, optional=True, default=[])
    hello = Hello(
        server_id=field(body, "server_id", str),
        # The hello *sets* the feed clock, so its time is not checked against it.
        server_time=int(field(body, "server_time", int)),
        speed=float(field(body, "speed", (int, float), optional=True, default=1.0)),
        versions=tuple(versions),
        capabilities=tuple(str(c) for c in caps),
        heartbeat_s=float(field(body, "heartbeat_s", (int, float), optional=True, default=1.0)),
        role=field(body, "role", str, optional=True, default=""),
        user=field(body, "user", str, optional=True, default=""),
    )
    if hello.speed <= 0 or hello.heartbeat_s <= 0:
        raise BadMessage(ErrorCode.BAD_FIELD, "speed and heartbeat_s must be positive")
    return hello, []


def _service(d: dict[str, Any]) -> Service:
    return Service(
        name=field(d, "name", str),
        kind=ServiceKind(field(d, "kind", str, optional=True, default="service")),
        title=field(d, "title", str, optional=True, default=""),
        core=bool(field(d, "core", bool, optional=True, default=True)),
        capacity_rps=float(field(d, "capacity_rps", (int, float), optional=True, default=0.0)),
    )


def _edge(d: dict[str, Any]) -> CallEdge:
    calls = float(field(d, "calls", (int, float), optional=True, default=1.0))
    if calls < 0:
        raise BadMessage(ErrorCode.BAD_FIELD, "calls must not be negative")
    return CallEdge(field(d, "caller", str), field(d, "callee", str), calls)


def _scenario(d: dict[str, Any]) -> Scenario:
    edges = field(d, "edges", list)
    if not all(isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e) for e in edges):
        raise BadMessage(ErrorCode.BAD_FIELD, "scenario edges must be [caller, callee] pairs")
    return Scenario(field(d, "id", str), field(d, "title", str, optional=True, default=""), field(d, "entry", str), tuple(tuple(e) for e in edges))


def parse_topology(body: dict[str, Any], now_ms: int, tol: int) -> tuple[TopologySnapshot, list[ProtocolError]]:
    errors: list[ProtocolError] = []
    ts = timestamp(body, "ts", now_ms, tol)
    topo = Topology()
    for s in _each(field(body, "services", list), "services", _service, errors):
        topo.add_service(s)
    for e in _each(field(body, "edges", list), "edges", _edge, errors):
        _keep(lambda: topo.add_edge(e), f"edge {e.caller}->{e.callee}", errors)
    for sc in _each(field(body, "scenarios", list, optional=True, default=[]), "scenarios", _scenario, errors):
        _keep(lambda: topo.add_scenario(sc), f"scenario {sc.id}", errors)
    return TopologySnapshot(ts, topo), errors


def _keep(add: Callable[[], None], what: str, errors: list[ProtocolError]) -> None:
    try:
        add()
    except KeyError as exc:
        errors.append(ProtocolError(ErrorCode.BAD_FIELD, f"{what}: {exc.args[0]}"))


def parse_events(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Events, list[ProtocolError]]:
    errors: list[ProtocolError] = []

    def event(d: dict[str, Any]) -> Event:
        attrs = field(d, "attrs", dict, optional=True, default={})
        return Event(
            id=field(d, "id", str),
            ts=timestamp(d, "ts", now_ms, tol),
            kind=EventKind(field(d, "kind", str)),
            subject=field(d, "subject", str),
            title=field(d, "title", str, optional=True, default=""),
            severity=Severity(field(d, "severity", str, optional=True, default="info")),
            attrs=attrs,
        )

    return Events(tuple(_each(field(body, "events", list), "events", event, errors))), errors


def parse_plans(body: dict[str, Any], now_ms: int, tol: int) -> tuple[PlanCatalogue, list[ProtocolError]]:
    errors: list[ProtocolError] = []
    plans = _each(field(body, "plans", list), "plans", Plan.from_dict, errors)
    active = field(body, "active", list, optional=True, default=[])
    return PlanCatalogue(tuple(plans), tuple(str(a) for a in active)), errors


def parse_heartbeat(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Heartbeat, list[ProtocolError]]:
    # Like hello, a heartbeat re-anchors the feed clock, so it is not checked against it.
    return Heartbeat(int(field(body, "server_time", int))), []


def parse_command_result(body: dict[str, Any], now_ms: int, tol: int) -> tuple[CommandResult, list[ProtocolError]]:
    state = field(body, "state", str)
    if state not in COMMAND_STATES:
        raise BadMessage(ErrorCode.BAD_FIELD, f"unknown command state {state!r}")
    return (
        CommandResult(
            field(body, "idempotency_key", str),
            state,
            field(body, "message", str, optional=True, default=""),
            field(body, "detail", dict, optional=True, default={}),
            code=field(body, "code", str, optional=True, default=""),
            replay=field(body, "replay", bool, optional=True, default=False),
        ),
        [],
    )


def parse_server_error(body: dict[str, Any], now_ms: int, tol: int) -> tuple[ServerError, list[ProtocolError]]:
    return ServerError(field(body, "code", str), field(body, "message", str, optional=True, default="")), []


def parse_subscribe(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Subscribe, list[ProtocolError]]:
    versions = field(body, "versions", list)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in versions):
        raise BadMessage(ErrorCode.BAD_FIELD, "field 'versions' must be a list of integers")
    streams = field(body, "streams", list, optional=True, default=list(STREAMS))
    unknown = [s for s in streams if s not in STREAMS]
    if unknown:
        raise BadMessage(ErrorCode.BAD_FIELD, f"unknown streams {unknown}")
    encodings = field(body, "encodings", list, optional=True, default=["json"])
    # Unknown encodings are skipped, not refused: a newer client may list more.
    known = tuple(e for e in encodings if e in ENCODINGS) or ("json",)
    return Subscribe(field(body, "client_id", str), tuple(versions), tuple(streams), known), []


def parse_command(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Command, list[ProtocolError]]:
    key = field(body, "idempotency_key", str)
    if not 8 <= len(key) <= 128:
        raise BadMessage(ErrorCode.BAD_FIELD, "idempotency_key must be 8 to 128 characters")
    action = field(body, "action", str)
    if action not in ACTIONS:
        raise BadMessage(ErrorCode.BAD_FIELD, f"unknown action {action!r}")
    return (
        Command(
            key,
            action,
            field(body, "args", dict, optional=True, default={}),
            field(body, "actor", str, optional=True, default=""),
            field(body, "reason", str, optional=True, default=""),
        ),
        [],
    )
