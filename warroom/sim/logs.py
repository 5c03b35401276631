"""Error log lines with trace ids while a fault is on (protocol 1.5 log context).

Every ``EVERY_MS`` of feed time a fault is in force, the service it hurts and up to two of
that service's callers each get one ``log`` event (``warroom.protocol.context``) of a few
lines in the shapes real services write: a timestamp, the level, the logger, what failed and
a W3C trace id (32 hex digits) with its span id. The callee's lines say what broke inside it,
the callers' lines say the call to it failed, so the same trace id can appear on both sides,
as in a real trace. Lines come from their own random generator seeded by the simulator seed,
the fault and the time: they never shift the metrics' noise, and a run is repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime

from warroom.core.graph.topology import Topology
from warroom.core.model import Event
from warroom.protocol.context import LogLine, context_event
from warroom.sim import faults as F

#: Feed time between two excerpts of one fault.
EVERY_MS = 15_000
#: Lines per excerpt at the hurt service; its callers get fewer.
LINES = 4
CALLERS = 2

# What the hurt service itself logs, per kind of fault ({svc}: the service).
_OWN = {
    F.FaultKind.BANK_LATENCY_SPIKE: ("WARN", "c.w.gw.BankChannel", "slow answer from {svc}: {ms} ms (limit 3000 ms) txn={txn}"),
    F.FaultKind.HOT_ACCOUNT_LOCK: ("ERROR", "c.w.db.LockWait",
                                   "Lock wait timeout exceeded; try restarting transaction (account={acct}) txn={txn}"),
    F.FaultKind.DEPLOY_ERROR_BURST: ("ERROR", "c.w.api.Handler",
                                     ("java.lang.NullPointerException: Cannot invoke \"Order.getAmount()\" "
                                      "at OrderService.price(OrderService.java:{ln}) txn={txn}")),
    F.FaultKind.DB_FAILOVER: ("ERROR", "c.z.hikari.pool.HikariPool",
                              "HikariPool-1 - Connection is not available, request timed out after 30000ms"),
    F.FaultKind.DEPENDENCY_OUTAGE: ("ERROR", "c.w.rpc.Client", "connect to {svc}:8443 failed: Connection refused"),
    F.FaultKind.LATENCY_SPIKE: ("WARN", "c.w.api.SlowLog", "slow request POST /v1/pay took {ms} ms txn={txn}"),
    F.FaultKind.PROCESS_CRASH: ("ERROR", "c.w.rpc.Client", ("{svc}: upstream connect error or disconnect/reset "
                                                         "before headers. reset reason: connection failure")),
    F.FaultKind.JOB_STALL: ("WARN", "c.w.job.Scheduler", "run of {svc} still waiting for lock after {s} s"),
    F.FaultKind.CONSUMER_STALL: ("WARN", "o.a.k.c.consumer.KafkaConsumer",
                                 "consumer poll timeout has expired; lag {n} messages on {svc}"),
}
# What a caller logs about the call that failed ({svc}: the callee).
_CALLER = ("ERROR", "c.w.rpc.Client", "call {svc} failed: {why} after {ms} ms txn={txn}")
_WHY = {F.FaultKind.BANK_LATENCY_SPIKE: "DEADLINE_EXCEEDED", F.FaultKind.LATENCY_SPIKE: "DEADLINE_EXCEEDED",
        F.FaultKind.DB_FAILOVER: "UNAVAILABLE", F.FaultKind.DEPENDENCY_OUTAGE: "UNAVAILABLE",
        F.FaultKind.PROCESS_CRASH: "UNAVAILABLE"}


def _line(rng: random.Random, ts: int, level: str, logger: str, text: str, svc: str, trace: str) -> str:
    stamp = datetime.fromtimestamp(ts / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts % 1000:03d}Z"
    filled = text.format(svc=svc, ms=rng.randint(3000, 9000), txn=f"P{rng.randrange(10**11, 10**12)}",
                         acct=f"62{rng.randrange(10**8, 10**9)}", ln=rng.randint(80, 400), s=rng.randint(60, 900),
                         n=rng.randint(10_000, 90_000), why="{why}")
    return f"{stamp} {level:<5} [{svc}] {logger} - {filled} trace_id={trace} span_id={rng.getrandbits(64):016x}"


class LogWriter:
    """Writes the log events of the faults in force (see the module docstring)."""

    def __init__(self, seed: int, topology: Topology) -> None:
        self.seed = seed
        self.topology = topology
        self._next_due: dict[str, int] = {}  # fault id -> feed time of its next excerpt
        self._n = 0

    def due(self, ts: int, faults: Iterable[F.Fault]) -> list[Event]:
        """The log events due at ``ts`` for the faults in force then (at most one excerpt per fault
        per ``EVERY_MS``)."""
        out: list[Event] = []
        live = set()
        for fault in faults:
            if not fault.active_at(ts) or fault.kind is F.FaultKind.TRAFFIC_SURGE or fault.target not in self.topology:
                continue
            live.add(fault.id)
            # The first excerpt two seconds in: the metrics show the fault first, as in life.
            at = self._next_due.setdefault(fault.id, fault.start_ms + 2_000)
            if ts < at:
                continue
            self._next_due[fault.id] = ts + EVERY_MS
            out += self._excerpts(fault, ts)
        for gone in set(self._next_due) - live:
            del self._next_due[gone]
        return out

    def _excerpts(self, fault: F.Fault, ts: int) -> list[Event]:
        rng = random.Random(f"{self.seed}:{fault.id}:{ts}")
        svc = fault.target
        level, logger, text = _OWN.get(fault.kind, ("ERROR", "c.w.api.Handler", "request failed txn={txn}"))
        traces = [f"{rng.getrandbits(128):032x}" for _ in range(LINES)]
        own = [LogLine(ts - (LINES - i) * 400, _line(rng, ts - (LINES - i) * 400, level, logger, text, svc, tr),
                       tr, "error" if level == "ERROR" else "warn") for i, tr in enumerate(traces)]
        events = [self._note(ts, svc, own)]
        callers = sorted({e.caller for e in self.topology.edges if e.callee == svc})[:CALLERS]
        why = _WHY.get(fault.kind, "INTERNAL")
        for caller in callers:
            lines = []
            for i, tr in enumerate(traces[-2:]):  # the same traces, seen from the caller's side
                t = ts - (2 - i) * 400 + 40
                c_level, c_logger, c_text = _CALLER
                lines.append(LogLine(t, _line(rng, t, c_level, c_logger, c_text, svc, tr).replace("{why}", why)
                                     .replace(f"[{svc}]", f"[{caller}]", 1), tr, "error"))
            events.append(self._note(ts, caller, lines))
        return events

    def _note(self, ts: int, service: str, lines: list[LogLine]) -> Event:
        self._n += 1
        return context_event(f"sim-{self.seed}-log-{self._n}", ts, service, lines, source="sim")
