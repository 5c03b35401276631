"""Shapes the reference decoder lets through, held to the letter of the protocol page.

The decoder is lenient where leniency loses nothing (a later service with the same name replaces
the earlier one; a plan's scalar fields are converted; a ``capacity_rps`` below zero is kept). A
feed must still send what the page says: these functions list, for one ``topology`` (section 5.2)
or ``plan_catalogue`` (section 5.5) body, what breaks it — unique names, references to services,
edges and plans that exist, and the documented JSON types.
"""

from __future__ import annotations

from typing import Any

from warroom.core.model import SeriesKey
from warroom.core.plan.plans import TARGET_KINDS

GUARD_OPS = ("<", "<=", ">", ">=")


def topology_problems(body: dict[str, Any]) -> list[str]:
    """What is wrong with one topology snapshot beyond what the decoder refuses item by item."""
    problems = []
    services = [s for s in as_list(body, "services") if isinstance(s, dict)]
    names = [s.get("name") for s in services if isinstance(s.get("name"), str)]
    problems += [f"service name {d!r} is not unique" for d in _dups(names)]
    problems += [f"service {s.get('name')!r}: capacity_rps {s['capacity_rps']!r} < 0" for s in services
                 if _number(s.get("capacity_rps")) and s["capacity_rps"] < 0]
    known = set(names)
    edges = set()
    for e in as_list(body, "edges"):
        if not isinstance(e, dict):
            continue
        caller, callee = e.get("caller"), e.get("callee")
        for end in (caller, callee):
            if isinstance(end, str) and end not in known:
                problems.append(f"edge {caller}->{callee}: {end!r} is not a service of the snapshot")
        edges.add((caller, callee))
    scenarios = [s for s in as_list(body, "scenarios") if isinstance(s, dict)]
    problems += [f"scenario id {d!r} is not unique" for d in _dups([s.get("id") for s in scenarios])]
    for sc in scenarios:
        entry = sc.get("entry")
        if isinstance(entry, str) and entry not in known:
            problems.append(f"scenario {sc.get('id')!r}: entry {entry!r} is not a service of the snapshot")
        for pair in sc.get("edges") if isinstance(sc.get("edges"), list) else ():
            if isinstance(pair, list) and len(pair) == 2 and tuple(pair) not in edges:
                problems.append(f"scenario {sc.get('id')!r}: edge {pair[0]}->{pair[1]} is not an edge of the snapshot")
    return problems


def catalogue_problems(body: dict[str, Any]) -> list[str]:
    """Plans that break the types of section 5.5 (the reference decoder converts some leniently)."""
    problems = []
    plans = as_list(body, "plans")
    ids = [p.get("id") for p in plans if isinstance(p, dict)]
    problems += [f"plan id {d!r} is not unique" for d in _dups(ids)]
    for i, p in enumerate(plans):
        if not isinstance(p, dict):
            problems.append(f"plans[{i}] is not an object")
            continue
        problems += [f"plan {p.get('id', i)!r}: {why}" for why in _plan_problems(p)]
    active = body.get("active")
    if active is not None and not (isinstance(active, list) and all(isinstance(a, str) for a in active)):
        problems.append("active is not a list of strings")
    elif active:
        problems += [f"active plan {a!r} is not in the catalogue" for a in active if a not in ids]
    return problems


def _plan_problems(p: dict[str, Any]) -> list[str]:
    out = []
    for name in ("id", "kind"):
        if not isinstance(p.get(name), str):
            out.append(f"{name} must be a string")
    for name in ("title", "description"):
        if p.get(name) is not None and not isinstance(p.get(name), str):
            out.append(f"{name} must be a string")
    target = p.get("target")
    if not isinstance(target, dict) or not isinstance(target.get("name"), str):
        out.append("target must be an object with a string name")
    elif target.get("kind") not in TARGET_KINDS:
        out.append(f"target.kind {target.get('kind')!r} is not one of {', '.join(TARGET_KINDS)}")
    if p.get("params") is not None and not isinstance(p.get("params"), dict):
        out.append("params must be an object")
    for name in ("steps", "rollback"):
        v = p.get(name)
        if v is not None and not (isinstance(v, list) and all(isinstance(s, str) for s in v)):
            out.append(f"{name} must be a list of strings")
    if p.get("expiry_s") is not None and not (_number(p["expiry_s"]) and p["expiry_s"] > 0):
        out.append(f"expiry_s {p['expiry_s']!r} must be a positive number or null")
    if p.get("critical") is not None and not isinstance(p.get("critical"), bool):
        out.append("critical must be true or false")
    guard = p.get("guard")
    if guard is not None:
        out += _guard_problems(guard)
    return out


def _guard_problems(guard: Any) -> list[str]:
    if not isinstance(guard, dict):
        return ["guard must be an object or null"]
    out = []
    if guard.get("op") not in GUARD_OPS:
        out.append(f"guard.op {guard.get('op')!r} is not a comparison")
    for name in ("threshold", "within_s"):
        if not _number(guard.get(name)):
            out.append(f"guard.{name} must be a number")
    series = guard.get("series")
    try:
        SeriesKey.parse(series) if isinstance(series, str) else None
    except ValueError as exc:
        out.append(f"guard.series is not canonical series text: {exc}")
    if not isinstance(series, str):
        out.append("guard.series must be a string")
    return out


def as_list(body: dict[str, Any], name: str) -> list[Any]:
    """``body[name]`` if it is a list, else an empty one."""
    v = body.get(name)
    return v if isinstance(v, list) else []


def _dups(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for v in values:
        if isinstance(v, str):
            if v in seen and v not in out:
                out.append(v)
            seen.add(v)
    return out


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
