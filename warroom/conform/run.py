"""One conformance run against a live feed: connect, observe, act if allowed, judge.

The main connection reads ``hello`` (frames before it are recorded and fail the hello check), and
stops there with close code 1002 if there is no common version, as section 3 asks of a client.
Otherwise it waits ``pre_subscribe_s`` before subscribing — long enough that a heartbeat is due
before the subscription (heartbeats run from hello on) — subscribes to every stream, and observes
for the window: ``--seconds``, lengthened when needed to span two heartbeat intervals. Then, with
``--allow-commands``, the command round trip; then, if the feed offers ``"resume"``, the
resumption check (which closes the main connection itself). ``run`` returns the ``Observation``
and the ``CheckResult`` of every check.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial

from warroom.conform.checks import heartbeat_limit
from warroom.conform.conn import Conn, ConformError
from warroom.conform.observe import Observation
from warroom.conform.results import CheckResult, evaluate
from warroom.conform.trials import command_trial, resume_trial
from warroom.core.clock import monotonic
from warroom.io.auth import Credentials
from warroom.protocol import Subscribe
from warroom.protocol.messages import STREAMS, SUPPORTED_VERSIONS

#: Default observation window, wall seconds.
DEFAULT_SECONDS = 10.0
#: The window is lengthened to this many heartbeat limits, but never beyond ``MAX_WINDOW_S``.
WINDOW_HEARTBEATS = 2
MAX_WINDOW_S = 300.0
#: The wait before subscribing is one heartbeat limit plus this margin, at most ``MAX_PRE_SUBSCRIBE_S``
#: (a server may close a connection that does not subscribe in time: the reference server waits 10 s).
PRE_SUBSCRIBE_MARGIN_S = 0.25
MAX_PRE_SUBSCRIBE_S = 5.0
CLIENT_ID = "warroom-conform"


@dataclass
class Options:
    """What to test and how."""

    url: str
    credentials: Credentials = field(default_factory=Credentials)
    seconds: float = DEFAULT_SECONDS
    allow_commands: bool = False
    plan: str | None = None
    #: Metric encodings to ask for, preferred first: the console's ("binary", "json") by default.
    encodings: tuple[str, ...] = ("binary", "json")
    open_timeout_s: float = 10.0
    #: Longest wait for a command's final result.
    command_timeout_s: float = 15.0


def window_for(seconds: float, heartbeat_s: float) -> float:
    """The observation window: ``seconds``, or enough to see ``WINDOW_HEARTBEATS`` heartbeat gaps."""
    return min(max(seconds, WINDOW_HEARTBEATS * heartbeat_limit(heartbeat_s) + 0.5), MAX_WINDOW_S)


def pre_subscribe_for(heartbeat_s: float) -> float:
    """How long to wait between hello and subscribe."""
    return min(heartbeat_limit(heartbeat_s) + PRE_SUBSCRIBE_MARGIN_S, MAX_PRE_SUBSCRIBE_S)


async def observe(opts: Options) -> Observation:
    """Run the conversation with the feed and record it. Raises ``ConformError`` if it cannot start."""
    t0 = monotonic()
    obs = Observation(opts.url, SUPPORTED_VERSIONS)
    open_conn = partial(_conn, opts, obs, t0)
    main = open_conn("main")
    await main.open()
    try:
        await _converse(main, obs, opts, open_conn)
    finally:
        await main.close()
        obs.ended_at = main.closed_at if main.closed_at is not None else main.now()
        obs.closed_by_server = main.closed_by_server
    return obs


async def _converse(main: Conn, obs: Observation, opts: Options, open_conn) -> None:
    hello = await main.read_hello(opts.open_timeout_s)
    if hello is None:
        if main.closed_by_server is not None:
            obs.connect_error = f"the feed closed the connection before hello ({main.closed_by_server[0]})"
        elif not main.refused_hello:
            obs.connect_error = f"no hello within {opts.open_timeout_s:g} s"
        return
    common = set(hello.versions) & set(SUPPORTED_VERSIONS)
    if not common:
        await main.close(1002, f"no common protocol version: server {list(hello.versions)}, "
                               f"client {list(SUPPORTED_VERSIONS)}")
        return
    obs.pre_subscribe_s = pre_subscribe_for(hello.heartbeat_s)
    if obs.pre_subscribe_s < heartbeat_limit(hello.heartbeat_s):
        obs.notes.append(f"heartbeat_s {hello.heartbeat_s:g} is too long to check heartbeats before subscribe")
    await main.wait_for(lambda: False, obs.pre_subscribe_s)
    obs.subscribe = Subscribe(CLIENT_ID, SUPPORTED_VERSIONS, STREAMS, opts.encodings)
    await main.subscribe(obs.subscribe)
    obs.subscribed_at = main.subscribed_at
    obs.window_s = window_for(opts.seconds, hello.heartbeat_s)
    if obs.window_s > opts.seconds:
        obs.notes.append(f"window lengthened to {obs.window_s:.1f} s to span {WINDOW_HEARTBEATS} heartbeat intervals")
    await main.wait_for(lambda: False, obs.window_s)
    if main.closed_by_server is not None:
        return
    if opts.allow_commands:
        obs.commands = await command_trial(main, open_conn, opts.plan, opts.command_timeout_s)
    if "resume" in hello.capabilities and main.closed_by_server is None:
        obs.resume = await resume_trial(main, open_conn, opts.encodings)  # it closes the main connection


def _conn(opts: Options, obs: Observation, t0: float, name: str, **kw) -> Conn:
    return Conn(name, opts.url, opts.credentials, obs, t0, open_timeout_s=opts.open_timeout_s, **kw)


def run(opts: Options) -> tuple[Observation, list[CheckResult]]:
    """Observe the feed (in a new event loop) and judge it. Raises ``ConformError`` if it cannot start."""
    obs = asyncio.run(observe(opts))
    return obs, evaluate(obs)


__all__ = ["ConformError", "DEFAULT_SECONDS", "Options", "observe", "run", "window_for"]
