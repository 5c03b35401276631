"""The messages of protocol v1, as typed values.

Server → client: ``Hello``, ``TopologySnapshot``, ``MetricBatch``, ``Events``,
``PlanCatalogue``, ``Heartbeat``, ``CommandResult``, ``ServerError``.
Client → server: ``Subscribe``, ``Command``.

Each class has ``to_wire()`` giving the JSON-ready dict; the codec parses and
validates the other direction. Field names on the wire are documented in docs/protocol.md.
"""

from __future__ import annotations

import functools

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Union

import numpy as np

from warroom.core.catalogue.describe import infos_to_wire
from warroom.core.model import Event, FunnelStep, SeriesKey
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = (1,)

#: Streams a client may subscribe to.
STREAMS = ("topology", "metrics", "events", "plans")
#: Encodings of metric batches: JSON text frames, or binary frames with raw little-endian columns.
ENCODINGS = ("json", "binary")
#: Actions a ``Command`` may ask for.
ACTIONS = ("inject_fault", "clear_fault", "execute_plan", "rollback_plan", "preview_plan",
           "ack_alert", "ack_incident", "set_owner", "add_note", "add_action_item", "silence", "unsilence",
           "start_drill", "end_drill")
#: Drill windows (protocol 1.6): a commander opens and closes one (``warroom.core.incident.drills``).
DRILL_ACTIONS = ("start_drill", "end_drill")
#: Incident work (protocol 1.4): sent to a feed whose hello offers ``CAP_INCIDENTS``.
INCIDENT_ACTIONS = ("ack_alert", "ack_incident", "set_owner", "add_note", "add_action_item", "silence", "unsilence")
#: Hello capability (1.4): the feed computes alerts and incidents and publishes them as events;
#: consoles send incident work as commands (``INCIDENT_ACTIONS``) instead of computing their own.
CAP_INCIDENTS = "incidents"
#: States a ``CommandResult`` may report. ``accepted``/``running`` are not final.
COMMAND_STATES = ("accepted", "running", "succeeded", "failed", "rejected")
#: ``CommandResult.code`` values the reference server sends. Receivers accept any string.
RESULT_FORBIDDEN = "forbidden"  # the connection's role may not send this action; nothing ran


@dataclass(frozen=True)
class Hello:
    """First message on every connection: who the server is and what it speaks."""

    TYPE: ClassVar[str] = "hello"
    server_id: str
    server_time: int  # epoch ms in the feed's time base
    speed: float = 1.0  # feed time runs this many times faster than the wall clock
    versions: tuple[int, ...] = SUPPORTED_VERSIONS
    capabilities: tuple[str, ...] = ()
    heartbeat_s: float = 1.0  # the server promises a heartbeat at least this often (wall s)
    #: What this connection may do ("viewer", "commander"); "" when the server does not say.
    role: str = ""
    #: The user name the client's token belongs to; "" when not authenticated.
    user: str = ""
    #: Oldest feed time (epoch ms) from which the server holds every point and event it
    #: broadcast, so a resuming ``Subscribe.since`` can be served; None: nothing to resend.
    resume_from: int | None = None

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "server_id": self.server_id,
            "server_time": self.server_time,
            "speed": self.speed,
            "versions": list(self.versions),
            "capabilities": list(self.capabilities),
            "heartbeat_s": self.heartbeat_s,
        }
        if self.role:  # optional fields: written only when set, so older peers see what they knew
            d["role"] = self.role
        if self.user:
            d["user"] = self.user
        if self.resume_from is not None:
            d["resume_from"] = self.resume_from
        return d


def _step_wire(step: FunnelStep) -> dict[str, Any]:
    """A funnel step on the wire (protocol 1.6, ``scenarios[].steps``)."""
    return {"id": step.id, "series": step.series.text,
            **({"title": step.title} if step.title else {}),
            **({"titles": dict(step.titles)} if step.titles else {}),
            **({"services": list(step.services)} if step.services else {})}


@dataclass(frozen=True)
class TopologySnapshot:
    """The whole call graph and its scenarios as of ``ts``; sent on connect and on change."""

    TYPE: ClassVar[str] = "topology"
    ts: int
    topology: Topology

    def to_wire(self) -> dict[str, Any]:
        t = self.topology
        return {
            "ts": self.ts,
            "services": [
                {
                    "name": s.name,
                    "kind": s.kind.value,
                    "title": s.title,
                    "core": s.core,
                    "capacity_rps": s.capacity_rps,
                    **({"group": s.group} if s.group else {}),  # omitted when empty: old feeds' shape
                    **({"entry": True} if s.entry else {}),  # 1.2, likewise
                    **({"slo": dict(s.slo)} if s.slo else {}),
                    **({"cadence_s": s.cadence_s} if s.cadence_s else {}),
                    **({"titles": dict(s.titles)} if s.titles else {}),  # 1.1, likewise
                }
                for s in t.services
            ],
            "edges": [{"caller": e.caller, "callee": e.callee, "calls": e.calls} for e in t.edges],
            "scenarios": [
                {"id": sc.id, "title": sc.title, **({"titles": dict(sc.titles)} if sc.titles else {}),
                 "entry": sc.entry, "edges": [list(e) for e in sc.edges],
                 **({"steps": [_step_wire(st) for st in sc.steps]} if sc.steps else {})}  # 1.6
                for sc in t.scenarios
            ],
            # 1.6: the north-star KPI tree, when the platform declares one (omitted otherwise).
            **({"kpi_tree": t.kpi_tree.to_wire()} if getattr(t, "kpi_tree", None) is not None else {}),
            # 1.6: what the platform declares about its series (unit, description, owner).
            **({"series": infos_to_wire(t.series_info)} if getattr(t, "series_info", ()) else {}),
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TopologySnapshot):
            return NotImplemented
        return self.ts == other.ts and self.to_wire() == other.to_wire()


@dataclass(frozen=True, eq=False)
class MetricBatch:
    """Many points of many series, column-wise.

    Point ``i`` is ``(series[index[i]], ts[i], values[i])``. ``index`` is int32, ``ts`` int64
    epoch ms, ``values`` float64, all the same length.
    """

    TYPE: ClassVar[str] = "metrics"
    series: tuple[SeriesKey, ...]
    index: np.ndarray
    ts: np.ndarray
    values: np.ndarray
    sent_at: int | None = None  # feed time when the frame was emitted (for latency measures)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", np.asarray(self.index, dtype=np.int32))
        object.__setattr__(self, "ts", np.asarray(self.ts, dtype=np.int64))
        object.__setattr__(self, "values", np.asarray(self.values, dtype=np.float64))
        if not (len(self.index) == len(self.ts) == len(self.values)):
            raise ValueError("index, ts and values must have the same length")

    def __len__(self) -> int:
        return len(self.ts)

    @functools.cached_property
    def newest_ts(self) -> int | None:
        """The newest point's time (epoch ms), None for an empty batch. Computed once: the
        client, the recorder, the live view and the alert watch all ask for it per frame (the
        decoder, which has it already, fills it in with ``know_newest``)."""
        return int(self.ts.max()) if len(self.ts) else None

    def know_newest(self, newest_ts: int) -> "MetricBatch":
        """Record ``newest_ts`` (which must be ``ts.max()``) so nobody computes it again; returns self."""
        self.__dict__["newest_ts"] = newest_ts  # what cached_property would store
        return self

    @classmethod
    def from_points(cls, points: list[tuple[SeriesKey, int, float]], sent_at: int | None = None) -> "MetricBatch":
        """Build a batch from ``(key, ts, value)`` tuples."""
        keys: dict[SeriesKey, int] = {}
        idx = [keys.setdefault(k, len(keys)) for k, _, _ in points]
        return cls(tuple(keys), idx, [p[1] for p in points], [p[2] for p in points], sent_at)

    def points(self) -> list[tuple[SeriesKey, int, float]]:
        """The points as ``(key, ts, value)`` tuples (slow; for tests and small batches)."""
        return [
            (self.series[i], int(t), float(v))
            for i, t, v in zip(self.index.tolist(), self.ts.tolist(), self.values.tolist())
        ]

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "series": [{"name": k.name, "labels": dict(k.labels)} for k in self.series],
            "points": {"s": self.index.tolist(), "t": self.ts.tolist(), "v": self.values.tolist()},
        }
        if self.sent_at is not None:
            d["sent_at"] = self.sent_at
        return d

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MetricBatch):
            return NotImplemented
        return self.sent_at == other.sent_at and sorted(self.points(), key=_point_order) == sorted(
            other.points(), key=_point_order
        )


def _point_order(p: tuple[SeriesKey, int, float]) -> tuple[str, int]:
    return (p[0].text, p[1])


def event_to_wire(e: Event) -> dict[str, Any]:
    """The JSON form of one event."""
    return {
        "id": e.id,
        "ts": e.ts,
        "kind": e.kind.value,
        "subject": e.subject,
        "title": e.title,
        "severity": e.severity.value,
        "attrs": dict(e.attrs),
    }


@dataclass(frozen=True)
class Events:
    """Events that happened (deploys, config changes, faults, plan executions...)."""

    TYPE: ClassVar[str] = "events"
    events: tuple[Event, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"events": [event_to_wire(e) for e in self.events]}


@dataclass(frozen=True)
class PlanCatalogue:
    """The contingency plans the feed offers, and which of them are active now."""

    TYPE: ClassVar[str] = "plan_catalogue"
    plans: tuple[Plan, ...]
    active: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"plans": [p.to_dict() for p in self.plans], "active": list(self.active)}


@dataclass(frozen=True)
class Heartbeat:
    """"Still here": sent at least every ``Hello.heartbeat_s`` wall seconds, even when idle."""

    TYPE: ClassVar[str] = "heartbeat"
    server_time: int

    def to_wire(self) -> dict[str, Any]:
        return {"server_time": self.server_time}


@dataclass(frozen=True)
class CommandResult:
    """Progress or outcome of a ``Command``, matched by its idempotency key."""

    TYPE: ClassVar[str] = "command_result"
    idempotency_key: str
    state: str  # one of COMMAND_STATES
    message: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)
    #: Why a command was not run, as a word for programs (e.g. "forbidden"); "" if none.
    code: str = ""
    #: True when this is the stored answer to an earlier command with the same idempotency
    #: key: nothing was run now. Not part of equality: a replay reports the same outcome.
    replay: bool = field(default=False, compare=False)

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "idempotency_key": self.idempotency_key,
            "state": self.state,
            "message": self.message,
            "detail": dict(self.detail),
        }
        if self.code:
            d["code"] = self.code
        if self.replay:
            d["replay"] = True
        return d


@dataclass(frozen=True)
class ServerError:
    """The server refused something the client sent (bad frame, unknown action...)."""

    TYPE: ClassVar[str] = "error"
    code: str
    message: str

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Subscribe:
    """Client's first message: the versions it speaks and the streams it wants."""

    TYPE: ClassVar[str] = "subscribe"
    client_id: str
    versions: tuple[int, ...] = SUPPORTED_VERSIONS
    streams: tuple[str, ...] = STREAMS
    #: Metric encodings the client reads, preferred first ("binary": binary frames).
    encodings: tuple[str, ...] = ("json",)
    #: Resumption: the newest point timestamp (feed time, epoch ms) the client has stored;
    #: a server with a replay buffer first resends what came after it. None: a fresh start.
    since: int | None = None

    def to_wire(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "client_id": self.client_id,
            "versions": list(self.versions),
            "streams": list(self.streams),
            "encodings": list(self.encodings),
        }
        if self.since is not None:  # optional: a v1 server that does not know it ignores it
            d["since"] = self.since
        return d


@dataclass(frozen=True)
class Command:
    """Ask the server to act. The server runs a given ``idempotency_key`` at most once."""

    TYPE: ClassVar[str] = "command"
    idempotency_key: str
    action: str  # one of ACTIONS
    args: Mapping[str, Any] = field(default_factory=dict)
    actor: str = ""
    reason: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "idempotency_key": self.idempotency_key,
            "action": self.action,
            "args": dict(self.args),
            "actor": self.actor,
            "reason": self.reason,
        }


Message = Union[
    Hello, TopologySnapshot, MetricBatch, Events, PlanCatalogue, Heartbeat, CommandResult, ServerError, Subscribe, Command
]

MESSAGE_TYPES: dict[str, type] = {
    cls.TYPE: cls
    for cls in (
        Hello,
        TopologySnapshot,
        MetricBatch,
        Events,
        PlanCatalogue,
        Heartbeat,
        CommandResult,
        ServerError,
        Subscribe,
        Command,
    )
}

