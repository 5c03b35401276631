"""Hypothesis strategies for protocol messages, and helpers shared by the protocol tests."""

from __future__ import annotations

from hypothesis import strategies as st

from warroom.core.clock import MAX_SPEED, MIN_SPEED
from warroom.core.model import CallEdge, Event, EventKind, Scenario, SeriesKey, Service, ServiceKind, Severity
from warroom.core.plan.plans import TARGET_KINDS, Guard, Plan
from warroom.core.graph.topology import Topology
from warroom.protocol import (
    Command,
    CommandResult,
    Events,
    Heartbeat,
    Hello,
    MetricBatch,
    PlanCatalogue,
    ServerError,
    Subscribe,
    TopologySnapshot,
)
from warroom.core.language.text import BIDI_CONTROLS
from warroom.protocol.codec import MAX_HEARTBEAT_S
from warroom.protocol.messages import ACTIONS, COMMAND_STATES, INCIDENT_ACTIONS, STREAMS
from warroom.protocol.parse import MIN_TS_MS

#: "Now" in the feed's time base for every test: 2026-01-01T00:00:00Z.
NOW = 1_767_225_600_000

timestamps = st.integers(MIN_TS_MS, NOW)
finite = st.floats(allow_nan=False, allow_infinity=False)
#: Characters a well-behaved feed sends: no control, bidi control or lone surrogate
#: (those are refused or cleaned by the decoder, see warroom/protocol/strings.py).
safe_chars = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="".join(BIDI_CONTROLS))


def safe_text(min_size: int = 0, max_size: int = 16):
    """Text a well-behaved feed sends."""
    return st.text(safe_chars, min_size=min_size, max_size=max_size)


short_text = safe_text(max_size=16)

metric_names = st.from_regex(r"\A[a-zA-Z_:][a-zA-Z0-9_:]{0,20}\Z")
label_names = st.from_regex(r"\A[a-zA-Z_][a-zA-Z0-9_]{0,12}\Z")
series_keys = st.builds(SeriesKey, metric_names, st.dictionaries(label_names, safe_text(max_size=12), max_size=4))

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | finite | short_text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(short_text, inner, max_size=4),
    max_leaves=12,
)
json_objects = st.dictionaries(short_text, json_values, max_size=5)


@st.composite
def metric_batches(draw) -> MetricBatch:
    """Random series, labels, timestamps and values; no (series, ts) pair twice."""
    keys = draw(st.lists(series_keys, min_size=1, max_size=8, unique=True))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, len(keys) - 1), timestamps), max_size=60, unique=True)
    )
    values = draw(st.lists(finite, min_size=len(pairs), max_size=len(pairs)))
    points = [(keys[i], t, v) for (i, t), v in zip(pairs, values)]
    sent_at = draw(st.none() | timestamps)
    if draw(st.booleans()):
        return MetricBatch.from_points(points, sent_at=sent_at)
    # Also series listed without points, in the order given.
    index = {k: i for i, k in enumerate(keys)}
    return MetricBatch(
        tuple(keys), [index[k] for k, _, _ in points], [t for _, t, _ in points], [v for _, _, v in points], sent_at
    )


events = st.builds(
    Event,
    id=safe_text(1, 20),
    ts=timestamps,
    kind=st.sampled_from(EventKind),
    subject=short_text,
    title=safe_text(max_size=40),
    severity=st.sampled_from(Severity),
    attrs=json_objects,
)
event_batches = st.builds(Events, st.lists(events, max_size=6).map(tuple))


@st.composite
def topologies(draw) -> Topology:
    names = draw(st.lists(safe_text(1, 10), min_size=1, max_size=10, unique=True))
    services = [
        Service(
            n,
            draw(st.sampled_from(ServiceKind)),
            draw(short_text),
            draw(st.booleans()),
            draw(st.floats(0, 1e6)),
        )
        for n in names
    ]
    pairs = draw(st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=20, unique=True))
    edges = [CallEdge(a, b, draw(st.floats(0, 10))) for a, b in pairs]
    t = Topology(services, edges)
    for i in range(draw(st.integers(0, 3))):
        chosen = draw(st.lists(st.sampled_from(pairs), max_size=5)) if pairs else []
        entry = chosen[0][0] if chosen else draw(st.sampled_from(names))
        t.add_scenario(Scenario(f"sc{i}", draw(short_text), entry, tuple(chosen)))
    return t


topology_snapshots = st.builds(TopologySnapshot, timestamps, topologies())

plans = st.builds(
    Plan,
    id=safe_text(1, 20),
    kind=st.sampled_from(["rate_limit", "degrade", "failover", "custom"]),
    title=short_text,
    target_kind=st.sampled_from(TARGET_KINDS),
    target=short_text,
    params=st.dictionaries(short_text, json_scalars, max_size=5),
    steps=st.lists(short_text, max_size=3).map(tuple),
    rollback=st.lists(short_text, max_size=3).map(tuple),
    expiry_s=st.none() | st.floats(0, 86_400),
    guard=st.none() | st.builds(Guard, short_text, st.sampled_from(["<", "<=", ">", ">="]), finite, st.floats(0, 3600)),
    critical=st.booleans(),
    description=short_text,
)
plan_catalogues = st.builds(
    PlanCatalogue, st.lists(plans, max_size=4).map(tuple), st.lists(short_text, max_size=3).map(tuple)
)

#: Feed times a hello or heartbeat may carry: since 2000, and not far ahead of the wall clock.
clock_times = st.integers(MIN_TS_MS, NOW + 10 * 365 * 86_400_000)
hellos = st.builds(
    Hello,
    server_id=short_text,
    server_time=clock_times,
    speed=st.floats(min_value=MIN_SPEED, max_value=MAX_SPEED),
    versions=st.lists(st.integers(0, 100), min_size=1, max_size=4).map(tuple),
    capabilities=st.lists(short_text, max_size=4).map(tuple),
    heartbeat_s=st.floats(min_value=0.001, max_value=MAX_HEARTBEAT_S),
    role=st.sampled_from(["", "viewer", "commander", "a-role-from-the-future"]),
    user=short_text,
)
heartbeats = st.builds(Heartbeat, clock_times)
idempotency_keys = safe_text(8, 128)
command_results = st.builds(CommandResult, idempotency_keys, st.sampled_from(COMMAND_STATES), short_text, json_objects,
                            code=st.sampled_from(["", "forbidden"]), replay=st.booleans())
server_errors = st.builds(ServerError, short_text, short_text)
subscribes = st.builds(
    Subscribe,
    short_text,
    st.lists(st.integers(0, 100), max_size=4).map(tuple),
    st.lists(st.sampled_from(STREAMS), max_size=4).map(tuple),
)
# Incident work (1.4) has typed arguments (warroom.protocol.incident_args); the others take any JSON object.
_ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:|-]{0,20}\Z")
commands = st.one_of(
    st.builds(Command, idempotency_keys, st.sampled_from([a for a in ACTIONS if a not in INCIDENT_ACTIONS]),
              json_objects, short_text, short_text),
    st.builds(Command, idempotency_keys, st.just("set_owner"), st.fixed_dictionaries({"incident": _ids, "owner": _ids}),
              short_text, short_text),
    st.builds(Command, idempotency_keys, st.just("add_note"), st.fixed_dictionaries({"incident": _ids, "text": _ids}),
              short_text, short_text),
)

any_message = st.one_of(
    hellos,
    topology_snapshots,
    metric_batches(),
    event_batches,
    plan_catalogues,
    heartbeats,
    command_results,
    server_errors,
    subscribes,
    commands,
)
