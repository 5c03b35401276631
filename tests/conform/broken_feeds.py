"""A small feed written with nothing but websockets and json: conformant, unless told to break one rule.

``RawFeed(breaks={"seq_jump"})`` serves on loopback from its own thread and event loop, so the
kit under test talks to it over a real socket as it would to any feed. Each name in ``BREAKS``
breaks exactly one rule of docs/protocol.md; with no break the feed passes every check, commands
and resumption included (a second, independent implementation beside the simulator).

Three series are sent every ``TICK_S`` (100 ms of feed time, speed 1), ids defined once per
connection; one plan catalogue with two plans; heartbeats from hello on; commands answered
accepted → running → succeeded, with a plan_execution event and a new catalogue; a repeated
idempotency key answered with the stored result, marked replay.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from warroom.core.clock import wall_ms

BREAKS = {
    "hello_not_first", "bad_clock", "no_common_version", "seq_jump", "seq_repeat", "undefined_series",
    "unknown_service_edge", "time_backwards", "no_heartbeats", "bad_plan_kind", "bad_plan_types",
    "results_out_of_order", "executes_twice", "no_final", "nan_literal", "lone_surrogate", "resume_ignored",
}
TICK_S = 0.1
SERIES = [
    {"id": 0, "name": "service_requests_rate", "labels": {"service": "front"}},
    {"id": 1, "name": "service_requests_rate", "labels": {"service": "back"}},
    {"id": 2, "name": "scenario_tps", "labels": {"scenario": "buy"}},
]
PLANS = [
    {"id": "degrade-back", "kind": "degrade", "title": "Degrade back", "target": {"kind": "service", "name": "back"},
     "params": {"resource": "back", "grade": 1, "count": 0.2}, "steps": ["open breaker"], "rollback": ["close breaker"],
     "expiry_s": None,
     "guard": {"series": 'scenario_tps{scenario="buy"}', "op": ">=", "threshold": 1.0, "within_s": 60.0},
     "critical": False, "description": ""},
    {"id": "failover-back", "kind": "failover", "target": {"kind": "service", "name": "back"}, "critical": True},
]


class _Conn:
    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.seq = 0
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.ticks = 0  # metrics broadcasts sent on this connection

    def put(self, body: dict[str, Any], *, seq: bool = True, raw: str | None = None) -> None:
        if seq:
            self.seq += 1
            body = {"v": 1, "seq": self.seq, **body}
        else:
            body = {"v": 1, **body}
        self.queue.put_nowait(raw.replace("@SEQ@", str(self.seq)) if raw else json.dumps(body))


class RawFeed:
    """The feed; a context manager that yields its ``ws://`` address."""

    def __init__(self, breaks: set[str] | frozenset[str] = frozenset(), *, heartbeat_s: float = 0.2,
                 resume: bool = False, results_to_all: bool = False) -> None:
        unknown = set(breaks) - BREAKS
        assert not unknown, unknown
        self.breaks = set(breaks)
        self.heartbeat_s = heartbeat_s
        self.resume = resume
        self.results_to_all = results_to_all  # allowed: results go "at least" to the sender (§5.7)
        self.commands: list[dict[str, Any]] = []  # every command received, in order
        self.active: list[str] = []
        self.results: dict[str, list[dict[str, Any]]] = {}
        self.history: list[tuple[int, dict[str, Any]]] = []  # (ts, metrics body) broadcast, for resumption
        self.ticks = 0
        self.ts = wall_ms() // 100 * 100
        self._conns: set[_Conn] = set()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.url = ""

    def __enter__(self) -> str:
        self._thread.start()
        assert self._ready.wait(10), "the raw feed did not start"
        return self.url

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serve(self._handle, "127.0.0.1", 0) as server:
            self.url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
            ticker = asyncio.create_task(self._tick())
            self._ready.set()
            await self._stop.wait()
            ticker.cancel()

    # -- the broadcast ---------------------------------------------------------------
    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self.ts += 100
            self.ticks += 1
            body = {"type": "metrics", "points": {"s": [0, 1, 2], "t": self.ts, "v": [10.0 + self.ticks, 5.0, 1.5]}}
            self.history.append((self.ts, body))
            for c in list(self._conns):
                c.ticks += 1
                self._send_tick(c, body)

    def _send_tick(self, c: _Conn, body: dict[str, Any]) -> None:
        """One tick to one connection; its fifth is where a break of the stream shows."""
        fifth = c.ticks == 5
        if fifth and "time_backwards" in self.breaks:
            body = {**body, "points": {**body["points"], "t": [self.ts - 300, self.ts, self.ts]}}  # series 0 goes back
        if fifth and "nan_literal" in self.breaks:
            c.put(body, raw='{"v":1,"seq":@SEQ@,"type":"metrics","points":{"s":[0,1,2],"t":%d,'
                  '"v":[NaN,5.0,1.5]}}' % self.ts)
        else:
            c.put(body)
        if fifth and "seq_jump" in self.breaks:
            c.seq += 2
        if fifth and "seq_repeat" in self.breaks:
            c.seq -= 1

    def _broadcast(self, body: dict[str, Any]) -> None:
        for c in list(self._conns):
            c.put(body)

    def _topology(self) -> dict[str, Any]:
        edges = [{"caller": "front", "callee": "back", "calls": 1.0}]
        if "unknown_service_edge" in self.breaks:
            edges.append({"caller": "back", "callee": "ghost", "calls": 1.0})
        return {"type": "topology", "ts": self.ts, "services": [
            {"name": "front", "kind": "channel", "title": "Front", "core": True, "capacity_rps": 100.0},
            {"name": "back", "kind": "service", "title": "Back", "core": False, "capacity_rps": 50.0}],
            "edges": edges,
            "scenarios": [{"id": "buy", "title": "Buy", "entry": "front", "edges": [["front", "back"]]}]}

    def _catalogue(self) -> dict[str, Any]:
        plans = [dict(p) for p in PLANS]
        if "bad_plan_kind" in self.breaks:
            plans[1]["target"] = {"kind": "planet", "name": "back"}
        if "bad_plan_types" in self.breaks:
            plans[1]["critical"] = "yes"  # the reference decoder takes it leniently; the types are the contract
        return {"type": "plan_catalogue", "plans": plans, "active": list(self.active)}

    # -- one connection --------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        c = _Conn(ws)
        writer = asyncio.create_task(self._write(c))
        beats = None
        try:
            if "hello_not_first" in self.breaks:
                c.put({"type": "heartbeat", "server_time": self.ts})
            versions = [7] if "no_common_version" in self.breaks else [1]
            caps = ["metrics", "events", "topology", "plans", "commands"] + (["resume"] if self.resume else [])
            server_time = self.ts // 1000 if "bad_clock" in self.breaks else self.ts  # seconds sent as ms
            hello = {"type": "hello", "server_id": "raw-feed", "server_time": server_time, "speed": 1.0,
                     "versions": versions, "capabilities": caps, "heartbeat_s": self.heartbeat_s}
            if self.resume and self.history:
                hello["resume_from"] = self.history[0][0]
            c.put(hello, seq=False)
            if "no_heartbeats" not in self.breaks:
                beats = asyncio.create_task(self._beat(c))
            sub = json.loads(await asyncio.wait_for(ws.recv(), 10))
            self._subscribed(c, sub)
            async for raw in ws:
                self._command(c, json.loads(raw))
        except (ConnectionClosed, TimeoutError):
            pass
        finally:
            self._conns.discard(c)
            for task in (beats, writer):
                if task is not None:
                    task.cancel()

    def _subscribed(self, c: _Conn, sub: dict[str, Any]) -> None:
        streams = sub.get("streams") or ["topology", "metrics", "events", "plans"]
        if "metrics" in streams:
            defs = [dict(d) for d in SERIES]
            if "undefined_series" in self.breaks:
                defs = defs[:2]  # id 2 is used, never defined
            if "lone_surrogate" in self.breaks:
                defs[2]["labels"] = {"scenario": "buy\ud800"}  # json.dumps writes the escape \ud800
            c.put({"type": "metrics", "defs": defs, "points": {"s": [], "t": [], "v": []}})
        if "topology" in streams:
            c.put(self._topology())
        if "plans" in streams:
            c.put(self._catalogue())
        since = sub.get("since")
        if "metrics" in streams and isinstance(since, int) and "resume_ignored" not in self.breaks:
            for ts, body in self.history:
                if ts > since:
                    c.put(body)
        if "metrics" in streams or "plans" in streams or "events" in streams:
            self._conns.add(c)

    async def _beat(self, c: _Conn) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            c.put({"type": "heartbeat", "server_time": self.ts})

    async def _write(self, c: _Conn) -> None:
        while True:
            await c.ws.send(await c.queue.get())

    # -- commands --------------------------------------------------------------------
    def _answer(self, c: _Conn, result: dict[str, Any]) -> None:
        for to in (self._conns | {c}) if self.results_to_all else {c}:
            to.put({"type": "command_result", **result}, seq=False)

    def _command(self, c: _Conn, cmd: dict[str, Any]) -> None:
        self.commands.append(cmd)
        key, action, plan = cmd["idempotency_key"], cmd["action"], cmd.get("args", {}).get("plan_id")
        stored = self.results.get(key)
        if stored is not None:
            if "executes_twice" in self.breaks:
                self._run(c, key, action, plan, again=True)  # runs the key again, as if it were new
            else:
                self._answer(c, {**stored[-1], "replay": True})
            return
        if plan not in [p["id"] for p in PLANS] or (action == "execute_plan") == (plan in self.active):
            final = {"idempotency_key": key, "state": "rejected", "message": f"cannot {action} {plan}", "detail": {}}
            self.results[key] = [final]
            self._answer(c, final)
            return
        self._run(c, key, action, plan)

    def _run(self, c: _Conn, key: str, action: str, plan: str, again: bool = False) -> None:
        states = ["accepted", "running", "succeeded"]
        if "results_out_of_order" in self.breaks:
            states = ["running", "accepted", "succeeded"]
        if "no_final" in self.breaks and action == "execute_plan":
            states = ["accepted", "running"]  # executed, but the outcome is never reported
        results = [{"idempotency_key": key, "state": s, "message": s, "detail": {"plan_id": plan}} for s in states]
        self.results[key] = results
        for r in results:
            self._answer(c, r)
        if not again:
            if action == "execute_plan":
                self.active.append(plan)
            else:
                self.active.remove(plan)
        verb = "execute" if action == "execute_plan" else "rollback"
        event = {"id": f"exec-{len(self.commands)}", "ts": self.ts, "kind": "plan_execution", "subject": plan,
                 "title": f"{verb} {plan}", "severity": "info", "attrs": {"action": verb, "idempotency_key": key}}
        self._broadcast({"type": "events", "events": [event]})
        self._broadcast(self._catalogue())
