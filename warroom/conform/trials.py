"""The parts of a run that act on the feed: the command round trip and the resumption check.

**Commands** (only with ``--allow-commands``): pick a plan from the catalogue — ``--plan ID``, else
the first plan that is neither active nor ``critical``, degrade plans first — and execute it with a
fresh idempotency key on the main connection; send the *same* key again on a second connection,
as a client does after a reconnect; wait a moment for a second run to show as a ``plan_execution``
event; roll the plan back with a fresh key. If the trial stops half-way (no answer, an error), a
rollback is still sent on a fresh connection so the feed is left as it was found. A plan the feed
rejects (not ``forbidden``) is set aside and the next candidate tried, three at most.

**Resumption** (only when ``hello.capabilities`` lists ``"resume"``): a witness connection stays
subscribed while the main connection closes; after ``RESUME_GAP_S`` a new connection subscribes
with ``since`` = the newest point timestamp the main connection had. Every point and event the
witness saw after ``since`` must reach the resumed connection.
"""

from __future__ import annotations

import asyncio
import uuid
from functools import partial
from typing import Awaitable, Callable

from warroom.conform.conn import Conn, ConformError
from warroom.conform.observe import CommandTrial, Exchange, ResumeTrial
from warroom.core.model import EventKind
from warroom.protocol import Command, Events, Message, PlanCatalogue, Subscribe
from warroom.protocol.messages import STREAMS, SUPPORTED_VERSIONS

#: Longest wait for a command's final result (wall seconds).
COMMAND_TIMEOUT_S = 15.0
#: How long a changed catalogue may take to arrive.
CATALOGUE_WAIT_S = 5.0
#: Wait after the repeated key, so that a second run would show as a plan_execution event.
SETTLE_S = 1.0
#: How long the main connection stays away before resuming.
RESUME_GAP_S = 1.0
#: Longest wait for the resumed connection to catch up with the witness.
RESUME_WAIT_S = 10.0
MAX_CANDIDATES = 3
ACTOR = "warroom-conform"
REASON = "protocol conformance check (warroom conform)"
_KIND_ORDER = {"degrade": 0, "rate_limit": 1}
Send = Callable[..., Awaitable[Exchange]]


def pick_plans(catalogue: PlanCatalogue | None, plan_id: str | None) -> list[str]:
    """Plans to try, safest first: ``plan_id`` alone if given; else inactive, non-critical plans."""
    if plan_id:
        return [plan_id]
    if catalogue is None:
        return []
    plans = [p for p in catalogue.plans if p.id not in catalogue.active and not p.critical]
    return [p.id for p in sorted(plans, key=lambda p: _KIND_ORDER.get(p.kind, 2))]


async def exchange(conn: Conn, action: str, plan_id: str, key: str | None = None,
                   timeout_s: float = COMMAND_TIMEOUT_S) -> Exchange:
    """Send one plan command on ``conn`` and wait for its final result (or give up after ``timeout_s``)."""
    repeat = key is not None  # the same key again: the stored answer is due
    key = key or f"conform-{uuid.uuid4().hex}"
    ex = Exchange(key, action, plan_id, conn.name, conn.now(), repeat=repeat)
    conn.exchanges[key] = ex
    await conn.send(Command(key, action, {"plan_id": plan_id}, actor=ACTOR, reason=REASON))
    if not await conn.wait_for(lambda: ex.final is not None or bool(ex.errors), timeout_s):
        if not ex.errors:
            closed = conn.closed_by_server
            ex.errors.append(f"the feed closed the connection ({closed[0]})" if closed else
                             f"no final result within {timeout_s:g} s")
    return ex


async def command_trial(main: Conn, open_conn: Callable[[str], Conn], plan_id: str | None,
                        timeout_s: float = COMMAND_TIMEOUT_S) -> CommandTrial:
    """Execute a plan, send its key again, roll it back; always try to leave the feed as it was."""
    t = CommandTrial()
    send = partial(exchange, timeout_s=timeout_s)
    assert main.hello is not None
    if main.hello.role == "viewer":
        t.skipped = "this connection's role is viewer; commands need a commander token (--token-file)"
        return t
    cat = main.latest.get(PlanCatalogue)
    t.had_catalogue = cat is not None
    candidates = pick_plans(cat, plan_id)  # type: ignore[arg-type]
    if not candidates:
        t.skipped = ("no plan to try: the catalogue has no plan that is neither active nor critical"
                     if cat is not None else "no plan catalogue arrived") + " (choose one with --plan)"
        return t
    main.watchers.append(lambda at, msg: _watch(t, candidates, at, msg))
    for plan in candidates[:MAX_CANDIDATES]:
        ex = await send(main, "execute_plan", plan)
        final = ex.final
        if final is not None and final.state == "rejected":
            if final.code == "forbidden":
                t.skipped = f"the feed may refuse commands to this connection: {final.message}"
                return t
            t.tried.append(ex)
            continue
        t.plan_id, t.execute = plan, ex
        break
    if t.execute is None:
        t.skipped = "the feed rejected every plan tried: " + "; ".join(
            f"{ex.plan_id}: {ex.final.message if ex.final else '?'}" for ex in t.tried)
        t.tried = []
        return t
    try:
        await _round_trip(t, main, open_conn, send)
    finally:
        if (t.rollback is None or t.rollback.final is None) and _may_be_active(t):
            t.restore = await _restore(open_conn, t.plan_id, send)
    return t


async def _round_trip(t: CommandTrial, main: Conn, open_conn: Callable[[str], Conn], send: Send) -> None:
    ex = t.execute
    assert ex is not None
    if ex.final is None:
        return
    if ex.final.state == "succeeded" and t.had_catalogue:
        await main.wait_for(lambda: _seen_active(t, ex.sent_at, True), CATALOGUE_WAIT_S)
    again = open_conn("resend")
    try:
        t.resend = await _resend(again, ex, send)
    finally:
        await again.close()
    await asyncio.sleep(SETTLE_S)
    if ex.final.state == "succeeded" or _seen_active(t, ex.sent_at, True):
        t.rollback = await send(main, "rollback_plan", t.plan_id)
        rb = t.rollback
        if t.had_catalogue and rb.final is not None and rb.final.state == "succeeded":
            await main.wait_for(lambda: _seen_active(t, rb.sent_at, False), CATALOGUE_WAIT_S)


async def _resend(conn: Conn, ex: Exchange, send: Send) -> Exchange:
    """The same command, same key, on a new connection: what a client does after a reconnect."""
    try:
        await conn.open()
    except ConformError as exc:
        return Exchange(ex.key, ex.action, ex.plan_id, conn.name, conn.now(), errors=[str(exc)])
    if await conn.read_hello(conn.open_timeout_s) is None:
        return Exchange(ex.key, ex.action, ex.plan_id, conn.name, conn.now(),
                        errors=["no hello on the second connection"])
    await conn.subscribe(Subscribe(f"{ACTOR}-resend", SUPPORTED_VERSIONS, streams=()))
    return await send(conn, ex.action, ex.plan_id, key=ex.key)


def _watch(t: CommandTrial, plans: list[str], at: float, msg: Message) -> None:
    if isinstance(msg, PlanCatalogue):
        t.catalogue_active.append((at, msg.active))
    elif isinstance(msg, Events):
        t.executions += [(at, e.id, dict(e.attrs)) for e in msg.events
                         if e.kind is EventKind.PLAN_EXECUTION and e.subject in plans
                         and e.attrs.get("action", "execute") == "execute"]


def _seen_active(t: CommandTrial, since: float, active: bool) -> bool:
    return any(at >= since and (t.plan_id in ids) == active for at, ids in t.catalogue_active)


def _may_be_active(t: CommandTrial) -> bool:
    ex = t.execute
    if ex is None:
        return False
    return ex.final is None or ex.final.state == "succeeded" or _seen_active(t, ex.sent_at, True)


async def _restore(open_conn: Callable[[str], Conn], plan_id: str, send: Send) -> Exchange | None:
    conn = open_conn("restore")
    try:
        await conn.open()
        if await conn.read_hello(conn.open_timeout_s) is None:
            return None
        await conn.subscribe(Subscribe(f"{ACTOR}-restore", SUPPORTED_VERSIONS, streams=()))
        return await send(conn, "rollback_plan", plan_id)
    except Exception:  # the report says the restore failed; the run must still print its table
        return None
    finally:
        await conn.close()


async def resume_trial(main: Conn, open_conn: Callable[..., Conn], encodings: tuple[str, ...]) -> ResumeTrial:
    """Disconnect the main connection and resume with ``since``; a witness shows what was due."""
    t = ResumeTrial()
    witness = open_conn("witness", keep=False, collect_points=True)
    resumed: Conn | None = None
    try:
        await witness.open()
        if await witness.read_hello(witness.open_timeout_s) is None:
            t.skipped = "not run: no hello on the witness connection"
            return t
        await witness.subscribe(Subscribe(f"{ACTOR}-witness", SUPPORTED_VERSIONS, streams=("metrics", "events")))
        if not await witness.wait_for(lambda: witness.newest_ts is not None, RESUME_WAIT_S) or main.newest_ts is None:
            t.skipped = "not run: no metric points to resume from"
            return t
        await main.close(1000, "conformance check: resuming")
        # ``since`` is what the main connection had once it stopped reading, as a real client's
        # store would: frames keep arriving during the closing handshake, and a tick decoded
        # then is one the resumed connection must not be expected to bring (it would be sent
        # "again" and counted missing: the flake seen once in CI).
        t.since = main.newest_ts
        t.gap_s = RESUME_GAP_S
        await asyncio.sleep(RESUME_GAP_S)
        main.decoder.new_connection()  # same decoder: points sent again are caught as duplicates
        resumed = open_conn("resume", decoder=main.decoder, collect_points=True)
        await resumed.open()
        t.hello = await resumed.read_hello(resumed.open_timeout_s)
        if t.hello is None:
            return t
        await resumed.subscribe(Subscribe(f"{ACTOR}-resume", SUPPORTED_VERSIONS, STREAMS, encodings, since=t.since))
        target = witness.newest_ts or 0
        started = resumed.now()
        await resumed.wait_for(lambda: (resumed.newest_ts or 0) >= target and resumed.now() - started >= 1.0,
                               RESUME_WAIT_S)
        await asyncio.sleep(0.2)  # frames of the same broadcast still in flight to the witness
        if resumed.closed_by_server is not None:
            t.problems.append(f"the feed closed the resumed connection ({resumed.closed_by_server[0]})")
        t.witness_points = {p for p in witness.points if p[1] > t.since}
        t.resumed_points = set(resumed.points)
        t.witness_events = dict(witness.events)
        t.resumed_events = set(resumed.events)
        t.witness_newest, t.resumed_newest = witness.newest_ts, resumed.newest_ts
        return t
    except ConformError as exc:  # the feed refused a second or a resumed connection
        t.problems.append(str(exc))
        return t
    finally:
        await witness.close()
        if resumed is not None:
            await resumed.close()
