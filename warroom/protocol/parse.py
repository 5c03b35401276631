"""Parsing and validating message bodies (JSON dicts) into typed messages.

Each ``parse_*`` takes the decoded JSON object and returns ``(message, errors)``. A
bad *item* (one service, one event, one point) is dropped with an error and the rest is
kept; only a body that cannot be understood at all raises ``BadMessage``. Strings follow
the policy of ``warroom.protocol.strings``: identifiers are refused (``bad_text``), free text is
normalised (``text_normalised``).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

from warroom.core.clock import MAX_TIME_MS, MIN_TIME_MS
from warroom.core.catalogue.describe import infos_from_wire
from warroom.core.language.lang import clean_titles
from warroom.core.model import SLO_KEYS, CallEdge, Event, EventKind, Scenario, Service, ServiceKind, Severity
from warroom.core.model import FunnelStep, SeriesKey, step_series
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.core.northstar.tree import TreeError, tree_from_wire
from warroom.protocol.errors import BadMessage, ErrorCode, ProtocolError
from warroom.protocol.incident_args import incident_args
from warroom.protocol.messages import (
    ACTIONS,
    COMMAND_STATES,
    ENCODINGS,
    INCIDENT_ACTIONS,
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
from warroom.protocol.strings import REF_MAX, TEXT_MAX, Notes, name, strict_tree

#: Timestamps before 2000-01-01 are refused: they are nearly always seconds sent as ms.
MIN_TS_MS = MIN_TIME_MS
#: Timestamps after 9999-12-31T23:59:59.999Z are refused: nothing downstream could hold them.
MAX_TS_MS = MAX_TIME_MS

__all__ = ["MAX_TS_MS", "MIN_TS_MS", "BadMessage", "field", "timestamp"]


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
    if value > MAX_TS_MS:
        raise BadMessage(ErrorCode.BAD_TIMESTAMP, f"field {name!r}: {value} is after 9999-12-31")
    if value > now_ms + tolerance_ms:
        raise BadMessage(ErrorCode.FUTURE_TIMESTAMP, f"field {name!r}: {value} is {value - now_ms} ms in the future")
    return value


def _each(
    items: list[Any], what: str, parse: Callable[[Any], Any], errors: list[ProtocolError], notes: Notes | None = None
) -> list[Any]:
    """Parse each item; a bad one is dropped and its error recorded (and its text notes forgotten)."""
    out = []
    for i, item in enumerate(items):
        mark = 0
        if notes is not None:
            notes.item, mark = (what, i), notes.mark()
        try:
            if not isinstance(item, dict):
                raise BadMessage(ErrorCode.BAD_FIELD, f"{what}[{i}] is not an object")
            out.append(parse(item))
            continue
        except BadMessage as exc:
            errors.append(ProtocolError(exc.error.code, f"{what}[{i}]: {exc.error.message}"))
        except (KeyError, TypeError, ValueError, OverflowError) as exc:  # Overflow: float(10**400)
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, f"{what}[{i}]: {exc}"))
        if notes is not None:
            notes.rollback(mark)
    if notes is not None:
        notes.item = None
    return out


def _identifiers(values: list[Any], what: str, errors: list[ProtocolError]) -> tuple[str, ...]:
    """A list of identifiers (non-strings taken as their text); unsafe ones are dropped as ``bad_text``."""
    out = []
    for i, v in enumerate(values):
        try:
            out.append(name(str(v), f"{what}[{i}]"))
        except BadMessage as exc:
            errors.append(exc.error)
    return tuple(out)


def _text_field(body: dict[str, Any], key: str, notes: Notes) -> str:
    return notes.text(field(body, key, str, optional=True, default=""), key)


def _titles_field(body: dict[str, Any], key: str, notes: Notes) -> dict[str, str]:
    """Optional per-language names (since 1.1): ``{"zh_CN": "工商银行网关"}``, text cleaned.

    A language whose value is not text is left out; a ``titles`` that is not an object is
    ``bad_field`` for the item (as any field of the wrong type)."""
    titles = field(body, key, dict, optional=True, default={}) or {}
    return clean_titles({k: notes.text(v, key) for k, v in titles.items()
                         if isinstance(k, str) and isinstance(v, str) and len(k) <= 16})


def parse_hello(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Hello, list[ProtocolError]]:
    versions = field(body, "versions", list)
    if not versions or not all(isinstance(v, int) and not isinstance(v, bool) for v in versions):
        raise BadMessage(ErrorCode.BAD_FIELD, "field 'versions' must be a non-empty list of integers")
    errors: list[ProtocolError] = []
    caps = field(body, "capabilities", list, optional=True, default=[])
    hello = Hello(
        server_id=name(field(body, "server_id", str), "server_id"),
        # The hello *sets* the feed clock, so its time is not checked against it; the decoder
        # checks it against the bounds of warroom.core.clock instead.
        server_time=int(field(body, "server_time", int)),
        speed=float(field(body, "speed", (int, float), optional=True, default=1.0)),
        versions=tuple(versions),
        capabilities=_identifiers(caps, "capabilities", errors),
        heartbeat_s=float(field(body, "heartbeat_s", (int, float), optional=True, default=1.0)),
        role=name(field(body, "role", str, optional=True, default=""), "role"),
        user=name(field(body, "user", str, optional=True, default=""), "user"),
        resume_from=field(body, "resume_from", int, optional=True),
    )
    if hello.speed <= 0 or hello.heartbeat_s <= 0:
        raise BadMessage(ErrorCode.BAD_FIELD, "speed and heartbeat_s must be positive")
    return hello, errors


def _slo_field(d: dict[str, Any]) -> dict[str, float]:
    """A service's declared objectives (since 1.2): ``{"p99_s": 0.3, "error_ratio": 0.01}``.

    A key outside ``SLO_KEYS`` or a value that is not a non-negative finite number (an error
    ratio above 1) is left out, like an unknown field: the rest of the service is kept. An
    ``slo`` that is not an object is ``bad_field`` and the service is dropped."""
    raw = d.get("slo")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadMessage(ErrorCode.BAD_FIELD, "slo must be an object such as {\"p99_s\": 0.3}")
    out: dict[str, float] = {}
    for key, value in raw.items():
        ok = (key in SLO_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool)
              and math.isfinite(value) and value >= 0 and not (key == "error_ratio" and value > 1))
        if ok:
            out[key] = float(value)
    return out


def _cadence_field(d: dict[str, Any]) -> float:
    cadence = float(field(d, "cadence_s", (int, float), optional=True, default=0.0))
    if not (math.isfinite(cadence) and cadence >= 0):
        raise BadMessage(ErrorCode.BAD_FIELD, "cadence_s must be a non-negative number of seconds")
    return cadence


def _edge(d: dict[str, Any]) -> CallEdge:
    calls = float(field(d, "calls", (int, float), optional=True, default=1.0))
    if calls < 0:
        raise BadMessage(ErrorCode.BAD_FIELD, "calls must not be negative")
    return CallEdge(name(field(d, "caller", str), "caller"), name(field(d, "callee", str), "callee"), calls)


#: Funnel steps a scenario may declare (protocol 1.6); more are refused with the rest of its steps.
MAX_STEPS = 32


def _steps_field(d: dict[str, Any], sid: str, notes: Notes, errors: list[ProtocolError]) -> tuple[FunnelStep, ...]:
    """A scenario's funnel (protocol 1.6): ``steps: [{id, title?, titles?, series?, services?}]``.

    Any bad step is ``bad_field`` and the scenario keeps no steps (a funnel with a hole in it
    would read a wrong conversion), but the scenario itself is kept; a feed without ``steps``
    declares no funnel."""
    raw = d.get("steps")
    if raw is None:
        return ()
    try:
        if not isinstance(raw, list) or len(raw) > MAX_STEPS:
            raise BadMessage(ErrorCode.BAD_FIELD, f"steps must be a list of at most {MAX_STEPS} steps")
        steps: list[FunnelStep] = []
        for st in raw:
            if not isinstance(st, dict):
                raise BadMessage(ErrorCode.BAD_FIELD, "each step must be an object with an id")
            step_id = name(field(st, "id", str), "step id")
            if "/" in step_id or any(x.id == step_id for x in steps):
                raise BadMessage(ErrorCode.BAD_FIELD, f"step id {step_id!r} is repeated or holds a '/'")
            text = field(st, "series", str, optional=True)
            try:
                series = SeriesKey.parse(text) if text is not None else step_series(sid, step_id)
            except ValueError as e:
                raise BadMessage(ErrorCode.BAD_FIELD, f"step {step_id}: series: {e}") from None
            services = field(st, "services", list, optional=True, default=[])
            if not all(isinstance(x, str) for x in services):
                raise BadMessage(ErrorCode.BAD_FIELD, f"step {step_id}: services must be service names")
            steps.append(FunnelStep(step_id, series, _text_field(st, "title", notes),
                                    tuple(dict.fromkeys(name(x, "step services") for x in services)),
                                    _titles_field(st, "titles", notes)))
    except BadMessage as e:
        errors.append(ProtocolError(e.error.code, f"scenario {sid}: steps: {e}"))
        return ()
    return tuple(steps)


def parse_topology(body: dict[str, Any], now_ms: int, tol: int) -> tuple[TopologySnapshot, list[ProtocolError]]:
    errors: list[ProtocolError] = []
    notes = Notes("topology")

    def service(d: dict[str, Any]) -> Service:
        return Service(
            name=name(field(d, "name", str), "name"),
            kind=ServiceKind(field(d, "kind", str, optional=True, default="service")),
            title=_text_field(d, "title", notes),
            core=bool(field(d, "core", bool, optional=True, default=True)),
            capacity_rps=float(field(d, "capacity_rps", (int, float), optional=True, default=0.0)),
            titles=_titles_field(d, "titles", notes),
            group=_text_field(d, "group", notes),
            entry=bool(field(d, "entry", bool, optional=True, default=False)),
            slo=_slo_field(d),
            cadence_s=_cadence_field(d),
        )

    def scenario(d: dict[str, Any]) -> Scenario:
        edges = field(d, "edges", list)
        if not all(isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e) for e in edges):
            raise BadMessage(ErrorCode.BAD_FIELD, "scenario edges must be [caller, callee] pairs")
        pairs = tuple((name(a, "edges"), name(b, "edges")) for a, b in edges)
        sid, entry = name(field(d, "id", str), "id"), name(field(d, "entry", str), "entry")
        return Scenario(sid, _text_field(d, "title", notes), entry, pairs, _titles_field(d, "titles", notes),
                        steps=_steps_field(d, sid, notes, errors))

    ts = timestamp(body, "ts", now_ms, tol)
    topo = Topology()
    for s in _each(field(body, "services", list), "services", service, errors, notes):
        topo.add_service(s)
    for e in _each(field(body, "edges", list), "edges", _edge, errors):
        _keep(lambda: topo.add_edge(e), f"edge {e.caller}->{e.callee}", errors)
    for sc in _each(field(body, "scenarios", list, optional=True, default=[]), "scenarios", scenario, errors, notes):
        _keep(lambda: topo.add_scenario(sc), f"scenario {sc.id}", errors)
    if body.get("kpi_tree") is not None:  # 1.6: a bad tree is refused alone; the graph is kept
        try:
            topo.kpi_tree = tree_from_wire(body["kpi_tree"])
        except TreeError as exc:
            errors.append(ProtocolError(ErrorCode.BAD_FIELD, f"topology {exc}"))
    if body.get("series") is not None:  # 1.6: series declarations; a bad one is dropped alone
        topo.series_info, problems = infos_from_wire(body["series"])
        errors.extend(ProtocolError(ErrorCode.BAD_FIELD, f"topology {p}") for p in problems)
    return TopologySnapshot(ts, topo), errors + notes.errors()


def _keep(add: Callable[[], None], what: str, errors: list[ProtocolError]) -> None:
    try:
        add()
    except KeyError as exc:
        errors.append(ProtocolError(ErrorCode.BAD_FIELD, f"{what}: {exc.args[0]}"))


def parse_events(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Events, list[ProtocolError]]:
    errors: list[ProtocolError] = []
    notes = Notes("events")

    def event(d: dict[str, Any]) -> Event:
        attrs = field(d, "attrs", dict, optional=True, default={})
        return Event(
            id=name(field(d, "id", str), "id"),
            ts=timestamp(d, "ts", now_ms, tol),
            kind=EventKind(field(d, "kind", str)),
            subject=name(field(d, "subject", str), "subject", REF_MAX),
            title=_text_field(d, "title", notes),
            severity=Severity(field(d, "severity", str, optional=True, default="info")),
            attrs=notes.tree(attrs, "attrs"),
        )

    events = tuple(_each(field(body, "events", list), "events", event, errors, notes))
    return Events(events), errors + notes.errors()


def parse_plans(body: dict[str, Any], now_ms: int, tol: int) -> tuple[PlanCatalogue, list[ProtocolError]]:
    errors: list[ProtocolError] = []
    notes = Notes("plan_catalogue")

    def plan(d: dict[str, Any]) -> Plan:
        p = Plan.from_dict(d)
        name(p.id, "id")
        name(p.kind, "kind")
        name(p.target, "target.name", REF_MAX)
        if p.guard is not None:
            name(p.guard.series, "guard.series", TEXT_MAX)
        params = dict(p.params)
        clean = {
            "title": notes.text(p.title, "title"),
            "description": notes.text(p.description, "description"),
            "steps": tuple(notes.text(x, "steps") for x in p.steps),
            "rollback": tuple(notes.text(x, "rollback") for x in p.rollback),
            "params": notes.tree(params, "params"),
            "titles": clean_titles(notes.tree(dict(p.titles), "titles")),
            "texts": notes.tree({k: dict(v) for k, v in p.texts.items()}, "texts"),
        }
        if clean["params"] is params and all(clean[k] == getattr(p, k)
                                             for k in ("title", "description", "steps", "rollback", "titles", "texts")):
            return p
        return dataclasses.replace(p, **clean)

    plans = _each(field(body, "plans", list), "plans", plan, errors, notes)
    active = _identifiers(field(body, "active", list, optional=True, default=[]), "active", errors)
    return PlanCatalogue(tuple(plans), active), errors + notes.errors()


def parse_heartbeat(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Heartbeat, list[ProtocolError]]:
    # Like hello, a heartbeat re-anchors the feed clock, so it is not checked against it.
    return Heartbeat(int(field(body, "server_time", int))), []


def parse_command_result(body: dict[str, Any], now_ms: int, tol: int) -> tuple[CommandResult, list[ProtocolError]]:
    state = field(body, "state", str)
    if state not in COMMAND_STATES:
        raise BadMessage(ErrorCode.BAD_FIELD, f"unknown command state {state!r}")
    notes = Notes("command_result")
    result = CommandResult(
        name(field(body, "idempotency_key", str), "idempotency_key"),
        state,
        _text_field(body, "message", notes),
        notes.tree(field(body, "detail", dict, optional=True, default={}), "detail"),
        code=name(field(body, "code", str, optional=True, default=""), "code"),
        replay=field(body, "replay", bool, optional=True, default=False),
    )
    return result, notes.errors()


def parse_server_error(body: dict[str, Any], now_ms: int, tol: int) -> tuple[ServerError, list[ProtocolError]]:
    notes = Notes("error")
    error = ServerError(name(field(body, "code", str), "code"), _text_field(body, "message", notes))
    return error, notes.errors()


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
    since = field(body, "since", int, optional=True)  # a JSON integer, like every timestamp
    if since is not None and since < MIN_TS_MS:
        raise BadMessage(ErrorCode.BAD_TIMESTAMP, f"field 'since': {since} is before 2000 (seconds sent as ms?)")
    if since is not None and since >= 2**63:
        raise BadMessage(ErrorCode.BAD_FIELD, "field 'since' does not fit in 64 bits")
    # No future check: a since ahead of the feed (a restarted simulator, a rewound replay)
    # only means there is nothing to resend; refusing it would make the client loop.
    return Subscribe(name(field(body, "client_id", str), "client_id"), tuple(versions), tuple(streams), known, since), []


def _finite_json(value: Any, name: str) -> Any:
    """``value`` unchanged if no number nested in it is NaN or infinite, else ``non_finite``.

    ``json.loads`` takes ``NaN``, ``Infinity`` and ``1e999`` as floats; section 1 of the
    protocol refuses them anywhere, including inside a command's free-form ``args``. The
    walk is iterative: nesting is only bounded by the JSON parser's own recursion limit.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise BadMessage(ErrorCode.NON_FINITE, f"field {name!r} holds a number that is not finite")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


def parse_command(body: dict[str, Any], now_ms: int, tol: int) -> tuple[Command, list[ProtocolError]]:
    key = field(body, "idempotency_key", str)
    if not 8 <= len(key) <= 128:
        raise BadMessage(ErrorCode.BAD_FIELD, "idempotency_key must be 8 to 128 characters")
    name(key, "idempotency_key")
    action = field(body, "action", str)
    if action not in ACTIONS:
        raise BadMessage(ErrorCode.BAD_FIELD, f"unknown action {action!r}")
    notes = Notes("command")
    command = Command(
        key,
        action,
        _command_args(action, _finite_json(field(body, "args", dict, optional=True, default={}), "args"), notes),
        name(field(body, "actor", str, optional=True, default=""), "actor"),
        _text_field(body, "reason", notes),
    )
    return command, notes.errors()


def _command_args(action: str, args: dict[str, Any], notes: Notes) -> dict[str, Any]:
    """Incident work (1.4) is checked field by field, its free text cleaned; every other
    action's args are held to the identifier rule whole."""
    if action in INCIDENT_ACTIONS:
        return incident_args(action, args, notes)
    return strict_tree(args, "args")
