"""Fuzzing the decoder the way the hostile feed did: any string (lone surrogates, controls, bidi
controls, huge), any timestamp, any speed, in otherwise well-formed frames. The decoder never
raises; what it emits holds no unsafe identifier, no timestamp that cannot be stored, and
encodes to UTF-8; its error messages cannot act on a terminal."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.core.clock import MAX_SPEED, MAX_TIME_MS, MIN_SPEED, MIN_TIME_MS
from warroom.core.language.text import BIDI_CONTROLS, unsafe_char
from warroom.protocol import (
    Command,
    CommandResult,
    Decoder,
    Events,
    Heartbeat,
    Hello,
    MetricBatch,
    PlanCatalogue,
    ServerError,
    Subscribe,
    TopologySnapshot,
    encode,
)

from .strategies import NOW

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_specials = st.sampled_from(
    ["\ud800", "\udfff", "\x00", "\x1b", "\r", "\n", "\t", "\x85", "\x9b", "\u2028",
     *sorted(BIDI_CONTROLS), "é", "上", "😀", "\\", '"']
)
_chars = st.characters(codec=None, exclude_categories=()) | _specials
#: Hostile strings, now and then plain ones (so that items get past their first field) or huge ones.
texts = st.one_of(
    st.text(_chars, max_size=12),
    st.sampled_from(["trade", "pay", "qr", "a", "b"]),
    st.builds(str.__add__, st.text(_chars, max_size=3), st.sampled_from(["\x1b[2J", "\x1b]8;;http://x\x07", "gnp.exe"])),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "\u202e", "上"]), st.integers(200, 5000)),
)
metric_names = st.sampled_from(["scenario_tps", "m", "m\n", "bad name"]) | texts
times = st.one_of(
    st.integers(MIN_TIME_MS - 10, NOW + 400_000),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(MAX_TIME_MS - 5, MAX_TIME_MS + 5),
    st.floats(),
    st.just(98_941_999_200_000),
)
speeds = st.floats() | st.integers(-10, 10**6) | st.sampled_from([1e308, 0.0001, 1.0, 60.0, 600.0])
plain = st.sampled_from(["", "sim", "viewer"])
json_trees = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=10,
)


@st.composite
def bodies(draw) -> dict[str, Any]:
    """A frame body of any type, well formed but for its strings, times and speeds."""
    kind = draw(st.sampled_from(
        ["hello", "hello_ok", "heartbeat", "metrics", "metrics_defs", "events", "topology", "plan_catalogue", "command_result",
         "error", "subscribe", "command"]
    ))
    t = draw(st.lists(times, min_size=1, max_size=4))
    if kind == "hello":
        return {"type": kind, "server_id": draw(plain | texts), "server_time": t[0], "versions": [1], "speed": draw(speeds),
                "capabilities": draw(st.lists(texts, max_size=3)), "role": draw(plain | texts),
                "user": draw(plain | texts), "heartbeat_s": draw(st.just(1.0) | speeds), "resume_from": draw(times)}
    if kind == "hello_ok":  # a sane clock, so that resets and speeds play out in a stream
        return {"type": "hello", "server_id": draw(plain), "server_time": draw(st.integers(NOW - 10**9, NOW + 10**9)),
                "versions": [1], "speed": draw(st.sampled_from([1.0, 60.0, 3600.0])), "resume_from": draw(times),
                "capabilities": draw(st.lists(texts, max_size=3))}
    if kind == "heartbeat":
        return {"type": kind, "server_time": t[0]}
    if kind in ("metrics", "metrics_defs"):
        series = draw(st.lists(st.fixed_dictionaries(
            {"name": metric_names, "labels": st.dictionaries(st.sampled_from(["service", "k\n"]) | texts, texts, max_size=2)}
        ), min_size=1, max_size=3))
        n = len(t)
        pts = {"s": [draw(st.integers(0, len(series) - 1)) for _ in range(n)], "t": t, "v": [1.0] * n}
        sent_at = draw(times)
        if kind == "metrics":
            return {"type": "metrics", "series": series, "points": pts, "sent_at": sent_at}
        return {"type": "metrics", "defs": [{"id": i, **s} for i, s in enumerate(series)], "points": pts, "sent_at": sent_at}
    if kind == "events":
        return {"type": kind, "events": [
            {"id": draw(texts), "ts": ts, "kind": "deploy", "subject": draw(texts), "title": draw(texts),
             "attrs": draw(st.dictionaries(texts, json_trees, max_size=3))} for ts in t]}
    if kind == "topology":
        names = draw(st.lists(texts, min_size=1, max_size=4))
        return {"type": kind, "ts": t[0], "services": [{"name": n, "title": draw(texts)} for n in names],
                "edges": [{"caller": names[0], "callee": n} for n in names[1:]],
                "scenarios": [{"id": draw(texts), "title": draw(texts), "entry": names[0],
                               "edges": [[names[0], n] for n in names[1:]]}]}
    if kind == "plan_catalogue":
        return {"type": kind, "active": draw(st.lists(texts, max_size=3)), "plans": [{
            "id": draw(texts), "kind": draw(texts), "title": draw(texts), "description": draw(texts),
            "target": {"kind": "service", "name": draw(texts)}, "params": draw(st.dictionaries(texts, json_trees, max_size=3)),
            "steps": draw(st.lists(texts, max_size=2)), "rollback": draw(st.lists(texts, max_size=2)),
            "guard": {"series": draw(texts), "op": "<", "threshold": 1, "within_s": 1}}]}
    if kind == "command_result":
        return {"type": kind, "idempotency_key": draw(texts), "state": "failed", "message": draw(texts),
                "detail": draw(st.dictionaries(texts, json_trees, max_size=3)), "code": draw(texts)}
    if kind == "error":
        return {"type": kind, "code": draw(texts), "message": draw(texts)}
    if kind == "subscribe":
        return {"type": kind, "client_id": draw(texts), "versions": [1], "since": t[0]}
    return {"type": "command", "idempotency_key": "key-" + draw(texts), "action": "execute_plan",
            "args": draw(st.dictionaries(texts, json_trees, max_size=3)), "actor": draw(texts), "reason": draw(texts)}


def wire(body: dict[str, Any]) -> bytes:
    # ensure_ascii: lone surrogates travel as valid JSON escapes, the way the hostile feed sent them.
    return json.dumps({"v": 1, **body}, ensure_ascii=True, allow_nan=True).encode()


def ident(s: str) -> None:
    assert isinstance(s, str) and unsafe_char(s) is None, ascii(s)


def text(s: str) -> None:
    assert isinstance(s, str) and unsafe_char(s, allow_newlines=True) is None, ascii(s)


def tree(value: Any, check=text) -> None:
    if isinstance(value, str):
        check(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            check(k)
            tree(v, check)
    elif isinstance(value, (list, tuple)):
        for v in value:
            tree(v, check)


def stamp(t: int | None) -> None:
    assert t is None or (type(t) is int and MIN_TIME_MS <= t <= MAX_TIME_MS), t


def check_message(m: Any) -> None:
    """Everything the decoder emits is clean, storable and encodable."""
    if isinstance(m, Hello):
        for s in (m.server_id, m.role, m.user, *m.capabilities):
            ident(s)
        stamp(m.server_time), stamp(m.resume_from)
        assert MIN_SPEED <= m.speed <= MAX_SPEED
    elif isinstance(m, Heartbeat):
        stamp(m.server_time)
    elif isinstance(m, MetricBatch):
        for k in m.series:
            ident(k.name)
            tree(dict(k.labels), ident)
        for t in m.ts.tolist():
            stamp(t)
        stamp(m.sent_at)
    elif isinstance(m, Events):
        for e in m.events:
            ident(e.id), ident(e.subject), text(e.title), stamp(e.ts)
            tree(dict(e.attrs))
    elif isinstance(m, TopologySnapshot):
        stamp(m.ts)
        for s in m.topology.services:
            ident(s.name), text(s.title)
        for e in m.topology.edges:
            ident(e.caller), ident(e.callee)
        for sc in m.topology.scenarios:
            ident(sc.id), ident(sc.entry), text(sc.title)
            tree(sc.edges, ident)
    elif isinstance(m, PlanCatalogue):
        tree(m.active, ident)
        for p in m.plans:
            ident(p.id), ident(p.kind), ident(p.target)
            if p.guard is not None:
                ident(p.guard.series)
            text(p.title), text(p.description)
            tree(p.steps), tree(p.rollback), tree(dict(p.params))
    elif isinstance(m, CommandResult):
        ident(m.idempotency_key), ident(m.code), text(m.message)
        tree(dict(m.detail))
    elif isinstance(m, ServerError):
        ident(m.code), text(m.message)
    elif isinstance(m, Subscribe):
        ident(m.client_id), stamp(m.since)
    elif isinstance(m, Command):
        ident(m.idempotency_key), ident(m.actor), text(m.reason)
        tree(dict(m.args), ident)
    encode(m).decode("utf-8")  # every string of it encodes to UTF-8 (no lone surrogate anywhere)
    repr(m).encode("utf-8")


def check(decoder: Decoder, frame: bytes, now_ms: int) -> None:
    result = decoder.decode(frame, now_ms=now_ms)
    for e in result.errors:
        ident(e.message)  # error messages go to logs and terminals
    if result.message is not None:
        check_message(result.message)
    if result.clock_reset is not None:
        ident(result.clock_reset)


@SETTINGS
@given(bodies())
def test_one_hostile_frame(body):
    check(Decoder(wall_clock=lambda: NOW), wire(body), NOW)


@SETTINGS
@given(st.lists(bodies(), min_size=2, max_size=6), st.lists(times.filter(lambda t: type(t) is int), min_size=6, max_size=6))
def test_a_hostile_connection_with_any_clock(frames, nows):
    """One decoder through hellos, heartbeats, resets and points, whatever the caller's clock says."""
    d = Decoder(wall_clock=lambda: NOW)
    for body, now in zip(frames, nows):
        check(d, wire(body), now)
        check(d, wire(body), now)  # the same again: duplicates, resets, held points
