"""The passive checks: what a feed sends on a connection it was merely subscribed to.

Each function judges the ``Observation`` of the main connection and names the sections of
docs/protocol.md it enforces. They use the reference decoder's verdicts (sorted to them by
``Evidence``) and add what the decoder tolerates on purpose: the ``seq`` rules, hello first,
series used before their definition, unique names and dangling references in a topology, the
strict types of a plan, integer timestamps, and the heartbeat interval measured over the window.
"""

from __future__ import annotations

from typing import Any, Callable

from warroom.conform.observe import Frame, Observation
from warroom.conform.results import Evidence, Outcome, check, failed, passed, skipped
from warroom.conform.shapes import as_list, catalogue_problems, topology_problems
from warroom.protocol import Heartbeat, MetricBatch

#: Heartbeats may come this much later than ``hello.heartbeat_s`` (wall s): scheduling and network
#: jitter. The larger of half a second and half the interval.
HEARTBEAT_SLACK_MIN_S = 0.5
MAX_SERIES_ID = 1 << 20


def heartbeat_limit(heartbeat_s: float) -> float:
    """The longest wall gap between heartbeats the kit accepts for a promised ``heartbeat_s``."""
    return heartbeat_s + max(HEARTBEAT_SLACK_MIN_S, 0.5 * heartbeat_s)


def _after_hello(obs: Observation) -> list[Frame]:
    frames = obs.main_frames()
    return frames[(obs.hello_index or 0) + 1 :] if obs.hello_index is not None else []


def _subscribed(obs: Observation, stream: str) -> bool:
    return obs.subscribe is not None and stream in obs.subscribe.streams


@check("hello", "hello first, well-formed, clock in bounds", "§3, §4, §5.1", needs_subscription=False)
def hello(obs: Observation, ev: Evidence) -> Outcome:
    frames = obs.main_frames()
    if not frames:
        return failed([obs.connect_error or "no frame arrived after the WebSocket opened"])
    problems = []
    if frames[0].kind != "hello":
        problems.append(f"the first frame was {frames[0].kind!r}, not hello")
    if obs.hello is None:
        problems.append("no valid hello arrived")
    elif frames[obs.hello_index or 0].binary:
        problems.append("hello came as a binary frame")
    problems += ev.problems("hello")
    if problems:
        return failed(problems)
    h = obs.hello
    return passed(f"{h.server_id!r}: versions {list(h.versions)}, speed {h.speed:g}, heartbeat_s {h.heartbeat_s:g}")


@check("negotiation", "a common version; every frame carries it", "§2, §3", needs_subscription=False)
def negotiation(obs: Observation, ev: Evidence) -> Outcome:
    if obs.hello is None:
        return skipped("not run: no valid hello")
    common = set(obs.hello.versions) & set(obs.client_versions)
    if not common:
        return failed([f"no common protocol version: feed {list(obs.hello.versions)}, this kit "
                       f"{list(obs.client_versions)} (the kit closed with 1002 and sent no subscribe)"])
    problems = ev.problems("negotiation")
    problems += [f"the feed answered subscribe with error {_err(f)}" for f in _after_hello(obs)
                 if f.kind == "error" and f.body and f.body.get("code") == "version_mismatch"]
    return failed(problems) if problems else passed(f"version {max(common)}")


@check("frames", "one standard JSON object per text frame; binary only if asked", "§1, §2, §7",
       needs_subscription=False)
def frames(obs: Observation, ev: Evidence) -> Outcome:
    problems = []
    binary_ok = obs.subscribe is not None and "binary" in obs.subscribe.encodings
    for n, f in enumerate(obs.main_frames(), 1):
        problems += [f"frame {n}: {p}" for p in f.problems]
        if f.binary and f.body is not None and (not binary_ok or f.before_subscribe):
            problems.append(f"frame {n}: a binary frame the client did not ask for")
    problems += ev.problems("frames")
    return failed(problems) if problems else passed(f"frames: {len(obs.main_frames())}")


@check("text", "strings are clean text within their limits", "§7.1")
def text(obs: Observation, ev: Evidence) -> Outcome:
    problems = [f"frame {n} ({f.kind}): lone surrogate in {', '.join(f.surrogates[:2])}"
                for n, f in enumerate(obs.main_frames(), 1) if f.surrogates]
    problems += ev.problems("text")
    return failed(problems) if problems else passed()


@check("subscribe", "nothing but hello/heartbeat before subscribe; subscription kept", "§3, §6.1")
def subscribe(obs: Observation, ev: Evidence) -> Outcome:
    problems = []
    early = [f.kind for f in _after_hello(obs) if f.before_subscribe and f.kind not in ("heartbeat",)]
    if early:
        problems.append(f"sent {', '.join(sorted(set(early)))} before the client subscribed")
    for f in _after_hello(obs):
        if f.kind == "error" and not f.before_subscribe and f.body is not None:
            if f.body.get("code") in ("bad_subscribe", "version_mismatch"):
                problems.append(f"refused a valid subscribe: {_err(f)}")
    if obs.closed_by_server is not None:
        code, reason = obs.closed_by_server
        problems.append(f"the feed closed the connection during the window ({code}{': ' + reason if reason else ''})")
    if problems:
        return failed(problems)
    return passed(_catch_up_note(obs))


def _catch_up_note(obs: Observation) -> str:
    """Section 3.5 SHOULD: topology and plan catalogue before metrics that carry points."""
    seen: set[str] = set()
    for f in _after_hello(obs):
        if f.kind in ("topology", "plan_catalogue"):
            seen.add(f.kind)
        msg = f.result.message if f.result else None
        if isinstance(msg, MetricBatch) and len(msg):
            missing = [k for k, s in (("topology", "topology"), ("plan_catalogue", "plans"))
                       if _subscribed(obs, s) and k not in seen]
            return f"note: metrics with points came before {' and '.join(missing)} (SHOULD, §3.5)" if missing else ""
    return ""


@check("seq", "seq counts up by exactly 1 on the connection", "§2")
def seq(obs: Observation, ev: Evidence) -> Outcome:
    problems = []
    last = None
    numbered = 0
    for n, f in enumerate(obs.main_frames(), 1):
        s = f.seq
        if s is None:
            continue
        if type(s) is not int:
            problems.append(f"frame {n} ({f.kind}): seq {s!r} is not an integer")
            continue
        numbered += 1
        if last is not None and s != last + 1:
            what = "jumped" if s > last + 1 else "repeated" if s == last else "went back"
            problems.append(f"frame {n} ({f.kind}): seq {what} from {last} to {s}")
        last = s
    if problems:
        return failed(problems)
    return passed(f"{numbered} numbered frames" if numbered else "note: no frame carries seq (SHOULD, §2)")


@check("series-defs", "series ids defined before use; metrics frames well-formed", "§3, §5.3.2")
def series_defs(obs: Observation, ev: Evidence) -> Outcome:
    problems: list[str] = []
    bound: set[int] = set()
    undefined = 0
    for n, f in enumerate(obs.main_frames(), 1):
        if f.kind != "metrics" or f.body is None:
            continue
        body = f.body
        if body.get("series") is not None:
            if body.get("defs") is not None:
                problems.append(f"frame {n}: both series and defs (MUST NOT, §5.3.2)")
            continue
        defs = body.get("defs")
        for d in defs if isinstance(defs, list) else ():
            sid = d.get("id") if isinstance(d, dict) else None
            if type(sid) is int and 0 <= sid < MAX_SERIES_ID:
                bound.add(sid)
        missing = [s for s in (f.ids or ()) if type(s) is int and s not in bound]
        if missing:
            undefined += len(missing)
            if len(problems) < 5:
                problems.append(f"frame {n}: {len(missing)} point(s) use series id(s) "
                                f"{sorted(set(missing))[:5]} never defined on this connection")
    problems += ev.problems("series-defs")
    if problems:
        return failed(problems)
    return passed(f"{len(bound)} series ids defined" if bound else "")


@check("topology", "topology valid: unique names, edges and scenarios refer to known ones", "§5.2")
def topology(obs: Observation, ev: Evidence) -> Outcome:
    return _snapshots(obs, ev, "topology", "topology", topology_problems, lambda body: (
        f"{len(body.get('services') or [])} services, {len(body.get('edges') or [])} edges, "
        f"{len(body.get('scenarios') or [])} scenarios"))


#: The check that owns the decoder's errors about each kind of snapshot.
OF_KIND = {"topology": "topology", "plan_catalogue": "catalogue"}


def _snapshots(obs: Observation, ev: Evidence, kind: str, stream: str,
               problems_of: Callable[[dict], list[str]], summary: Callable[[dict], str]) -> Outcome:
    """A check of every ``kind`` frame (a whole snapshot each time) and the decoder's errors for it."""
    frames = [(n, f) for n, f in enumerate(obs.main_frames(), 1) if f.kind == kind and f.body is not None]
    problems = [f"frame {n}: {p}" for n, f in frames for p in problems_of(f.body)]
    problems += ev.problems(OF_KIND[kind])
    if problems:
        return failed(problems)
    if not frames:
        if _subscribed(obs, stream):
            return skipped(f"no {kind.replace('_', ' ')} in the window (the feed SHOULD send one after subscribe, §3)")
        return skipped(f"{stream} not subscribed")
    return passed(summary(frames[-1][1].body))


@check("timestamps", "timestamps: integer ms, after 2000, not in the future", "§4, §7")
def timestamps(obs: Observation, ev: Evidence) -> Outcome:
    problems = []
    for n, f in enumerate(obs.main_frames(), 1):
        if f.body is None:
            continue
        if f.kind == "topology" and _not_int(f.body.get("ts")):
            problems.append(f"frame {n}: topology ts {f.body.get('ts')!r} is not a JSON integer")
        if f.kind == "events":
            bad = [e.get("ts") for e in as_list(f.body, "events") if isinstance(e, dict) and _not_int(e.get("ts"))]
            if bad:
                problems.append(f"frame {n}: event ts {bad[0]!r} is not a JSON integer (senders MUST write integers)")
    problems += ev.problems("timestamps")
    return failed(problems) if problems else passed()


@check("series-order", "per-series time strictly increases", "§5.3, §7")
def series_order(obs: Observation, ev: Evidence) -> Outcome:
    problems = ev.problems("series-order")
    if problems:
        return failed(problems)
    batches = [f.result.message for f in obs.main_frames() if f.result and isinstance(f.result.message, MetricBatch)]
    points = sum(len(b) for b in batches)
    series = {k for b in batches for k in b.series}
    return passed(f"{points:,} points of {len(series)} series") if points else skipped("no metric points in the window")


@check("heartbeat", "a heartbeat at least every heartbeat_s, from hello on", "§4, §5.6")
def heartbeat(obs: Observation, ev: Evidence) -> Outcome:
    frames = obs.main_frames()
    start = frames[obs.hello_index or 0].at
    beats = [f for f in _after_hello(obs) if f.result is not None and isinstance(f.result.message, Heartbeat)]
    problems = []
    limit = heartbeat_limit(obs.hello.heartbeat_s)
    marks = [start] + [f.at for f in beats] + [obs.ended_at]
    gaps = [(b - a, a) for a, b in zip(marks, marks[1:])]
    worst, at = max(gaps)
    if worst > limit:
        when = "after hello, before the first heartbeat" if at == start else f"{at - start:.1f} s after hello"
        if obs.subscribed_at is not None and at < obs.subscribed_at:
            when += " (heartbeats are due from hello on, before subscribe)"
        problems.insert(0, f"no heartbeat for {worst:.2f} s {when}; hello.heartbeat_s is "
                           f"{obs.hello.heartbeat_s:g}, the kit allows {limit:.2f}")
    problems += ev.problems("heartbeat")
    if problems:
        return failed(problems)
    return passed(f"{len(beats)} heartbeats, longest gap {worst:.2f} s (allowed {limit:.2f})")


@check("catalogue", "plan catalogue: valid plans with the documented types", "§5.5, §9")
def catalogue(obs: Observation, ev: Evidence) -> Outcome:
    return _snapshots(obs, ev, "plan_catalogue", "plans", catalogue_problems, lambda body: (
        f"{len(as_list(body, 'plans'))} plans, {len(as_list(body, 'active'))} active"))


@check("events", "events valid", "§5.4")
def events(obs: Observation, ev: Evidence) -> Outcome:
    problems = ev.problems("events")
    if problems:
        return failed(problems)
    n = sum(len(as_list(f.body, "events")) for f in obs.main_frames() if f.kind == "events" and f.body is not None)
    return passed(f"{n} events" if n else "no events in the window")


# -- small helpers -----------------------------------------------------------------------
def _not_int(v: Any) -> bool:
    return v is not None and type(v) is not int


def _err(f: Frame) -> str:
    body = f.body or {}
    return f"{body.get('code')!s}: {body.get('message')!s}"


__all__ = ["heartbeat_limit"]
