"""Commands through the bus: from any edge to the feed's source, executed once, answered to all edges.

A console's command reaches an edge (which checked the console's role and put the
authenticated user in ``actor``). ``CommandSender.send`` publishes it on
``warroom.<site>.commands`` with its idempotency key as ``Nats-Msg-Id`` — so the same command
sent by two edges, or again after a reconnect, is stored once by JetStream — and waits for the
answer on ``warroom.<site>.results``, which every edge follows (``BusFollower``).

``CommandRelay`` runs beside the source (``warroom gateway``, ``warroom sim --nats``): a durable
pull consumer hands each stored command to ``handle_command(command, client_id)`` — the same
call a direct ``FeedServer`` makes — publishes its results, then acknowledges the message.
Exactly once, whatever the number of edges and retries:

* within the stream's ``duplicate_window`` JetStream stores a key once;
* a command the relay is still handling is not handed on twice (an in-flight set);
* a command redelivered after a crash between executing and acknowledging is answered by the
  source's own memory of keys (the gateway's ledger, the simulator's results), marked ``replay``.

A command that waited on the stream longer than ``max_wait_s`` (the source was down) is not
run: it is answered ``rejected`` (code ``too_late``) — a failover decided twenty minutes ago
must not happen by itself when the gateway comes back.

The bus itself is trusted: whoever may publish on ``warroom.<site>.commands`` may command the
site. Guard it with NATS accounts or credentials (docs/scale.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from warroom.bus.frames import redact_url
from warroom.bus.subjects import site_token, stream_config, stream_name, subject
from warroom.core.clock import wall_s
from warroom.protocol import Command, CommandResult, Decoder, encode

log = logging.getLogger(__name__)

#: Header naming the console that sent a command (for the source's log).
HEADER_CLIENT = "Warroom-Client"
#: How long an edge waits for a command's first answer before telling the console it may still run.
DEFAULT_ANSWER_S = 30.0
#: Answers kept by an edge, by idempotency key, for a command sent again.
REMEMBERED_RESULTS = 10_000
CODE_NO_BUS = "bus_unreachable"
CODE_NO_ANSWER = "no_answer"
CODE_TOO_LATE = "too_late"
#: Seconds a command may wait on the stream for the source and still be run.
DEFAULT_MAX_WAIT_S = 60.0
_NET_ERRORS = (nats.errors.Error, OSError, asyncio.TimeoutError)


class CommandSender:
    """An edge's side: publish commands, match answers (see the module docstring).

    ``js``: returns the follower's JetStream context (None while NATS is down). ``on_result``
    must be called with every ``CommandResult`` the edge reads from the stream.
    """

    def __init__(self, js: Callable[[], Any], site: str, *, answer_s: float = DEFAULT_ANSWER_S) -> None:
        self._js = js
        self.site = site
        self.answer_s = answer_s
        self._waiting: dict[str, asyncio.Future[CommandResult]] = {}
        self._answers: OrderedDict[str, list[CommandResult]] = OrderedDict()
        self.sent = 0
        self.duplicates = 0

    def on_result(self, result: CommandResult) -> None:
        """An answer read from the stream: remember it and wake whoever waits for its key."""
        key = result.idempotency_key
        self._answers.setdefault(key, []).append(result)
        self._answers.move_to_end(key)
        while len(self._answers) > REMEMBERED_RESULTS:
            self._answers.popitem(last=False)
        waiter = self._waiting.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(result)

    async def send(self, command: Command, client_id: str) -> list[CommandResult]:
        """Publish ``command`` and return its answer (or why there is none)."""
        key = command.idempotency_key
        known = self._answers.get(key)
        if known:
            return [_as_replay(r) for r in known[-1:]]
        js = self._js()
        if js is None:
            return [CommandResult(key, "failed", "the bus (NATS) is unreachable from this edge: the command was not "
                                  "sent; try again", {}, code=CODE_NO_BUS)]
        waiter = self._waiting.get(key)
        if waiter is None:
            waiter = self._waiting[key] = asyncio.get_running_loop().create_future()
        try:
            ack = await js.publish(subject(self.site, "commands"), encode(command),
                                   headers={"Nats-Msg-Id": key, HEADER_CLIENT: client_id})
        except _NET_ERRORS as exc:
            self._waiting.pop(key, None)
            return [CommandResult(key, "failed", f"the command could not be put on the bus ({exc or type(exc).__name__}):"
                                  " it was not sent; try again", {}, code=CODE_NO_BUS)]
        self.sent += 1
        self.duplicates += bool(ack.duplicate)
        try:
            first = await asyncio.wait_for(asyncio.shield(waiter), self.answer_s)
        except asyncio.TimeoutError:
            return [CommandResult(key, "accepted", f"sent to the feed's source, no answer within {self.answer_s:g} s: it "
                                  "may still run; its steps appear in the event log", {}, code=CODE_NO_ANSWER)]
        # A duplicate on the bus (another edge, or a retry, sent this key first) ran nothing now.
        return [_as_replay(first) if ack.duplicate else first]


def _as_replay(result: CommandResult) -> CommandResult:
    return CommandResult(result.idempotency_key, result.state, result.message, result.detail, result.code, replay=True)


class CommandRelay:
    """The source's side: execute the commands stored on the bus, once each (module docstring).

    ``handle_command``: the source's ``handle_command(command, client_id)``. Runs on its own
    connection; NATS down means no command arrives (nothing is lost: they wait on the stream).
    """

    def __init__(self, url: str, site: str, handle_command: Callable[[Command, str], Awaitable[list[CommandResult]]],
                 *, retry_s: float = 1.0, connect_timeout_s: float = 2.0,
                 max_wait_s: float = DEFAULT_MAX_WAIT_S) -> None:
        self.url = url
        self.safe_url = redact_url(url)
        self.site = site
        self.stream = stream_name(site)
        self.handle_command = handle_command
        self.retry_s = retry_s
        self.connect_timeout_s = connect_timeout_s
        self.max_wait_s = max_wait_s
        self.too_late = 0  #: commands refused because they waited too long
        self.durable = f"source-{site_token(site)}"
        self.executed = 0  #: commands handed to the source
        self.skipped = 0  #: messages that were not commands (refused, acknowledged, logged)
        self._inflight: set[str] = set()
        self.ready = asyncio.Event()  #: set once its consumer exists (commands from then on are kept)
        self._nc = None
        self._down = False
        self._stopping = False

    async def run(self) -> None:
        """Relay until cancelled or ``stop``; NATS down is retried, said once per outage."""
        while not self._stopping:
            try:
                await self._relay()
            except nats.js.errors.NotFoundError:
                log.warning("command relay %s: the stream or its consumer %s is gone (deleted?): creating them again",
                            self.stream, self.durable)
            except _NET_ERRORS as exc:
                if not self._down and not self._stopping:
                    self._down = True
                    log.warning("command relay %s: NATS %s unreachable (%s): commands wait on the stream; retrying",
                                self.stream, self.safe_url, exc or type(exc).__name__)
            finally:
                nc, self._nc = self._nc, None
                if nc is not None:
                    with contextlib.suppress(Exception):
                        await nc.close()
            if not self._stopping:
                await asyncio.sleep(self.retry_s)

    async def stop(self) -> None:
        """Stop relaying."""
        self._stopping = True
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await self._nc.close()

    async def _relay(self) -> None:
        self._nc = nc = await nats.connect(self.url, name=f"warroom-relay-{self.site}", allow_reconnect=False,
                                           connect_timeout=self.connect_timeout_s, error_cb=_quiet)
        js = nc.jetstream(timeout=self.connect_timeout_s)
        try:
            await js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await js.add_stream(stream_config(self.site))
        # NEW on first creation: a source that starts does not run an hour of old commands; the
        # durable consumer then remembers where it was across restarts.
        config = ConsumerConfig(durable_name=self.durable, deliver_policy=DeliverPolicy.NEW,
                                ack_policy=AckPolicy.EXPLICIT, ack_wait=120.0, max_ack_pending=100)
        psub = await js.pull_subscribe(subject(self.site, "commands"), durable=self.durable, stream=self.stream,
                                       config=config)
        self.ready.set()
        if self._down:
            self._down = False
            log.warning("command relay %s: NATS %s back", self.stream, self.safe_url)
        log.info("command relay: executing commands from %s (consumer %s)", subject(self.site, "commands"),
                 self.durable)
        decoder = Decoder()
        idle = 0
        while not self._stopping:
            try:
                msgs = await psub.fetch(10, timeout=1.0)
            except nats.errors.TimeoutError:
                if not nc.is_connected:
                    raise nats.errors.ConnectionClosedError from None
                idle += 1
                if idle % 5 == 0:  # a deleted stream takes the consumer with it: make them again
                    await js.consumer_info(self.stream, self.durable)
                continue
            idle = 0
            for msg in msgs:
                await self._one(js, decoder, msg)

    async def _one(self, js: Any, decoder: Decoder, msg: Any) -> None:
        result = decoder.decode(msg.data, 2**62)  # commands carry no times to check
        command = result.message
        if not isinstance(command, Command):
            self.skipped += 1
            log.error("command relay %s: message %s is not a command (%s): skipped", self.stream,
                      msg.metadata.sequence.stream, "; ".join(map(str, result.errors)) or type(command).__name__)
            await msg.term()
            return
        key = command.idempotency_key
        if key in self._inflight:
            return  # redelivered while still running: the running one answers
        client = (msg.headers or {}).get(HEADER_CLIENT, "bus")
        waited = _waited_s(msg)
        self._inflight.add(key)
        try:
            if waited is not None and waited > self.max_wait_s:
                self.too_late += 1
                log.warning("command relay %s: %s %s from %s waited %.0f s on the bus: not run", self.stream,
                            command.action, key, client, waited)
                results = [CommandResult(key, "rejected", f"{command.action} reached the feed's source {waited:.0f} s "
                                         "after it was sent (the source was down): not run; send it again if it is "
                                         "still needed", {}, code=CODE_TOO_LATE)]
            else:
                results = await self._run(command, client)
            for i, res in enumerate(results):
                await js.publish(subject(self.site, "results"), encode(res),
                                 headers={"Nats-Msg-Id": f"result-{key}-{i}-{res.state}-{int(res.replay)}"})
            await msg.ack()
        finally:
            self._inflight.discard(key)


    async def _run(self, command: Command, client: str) -> list[CommandResult]:
        self.executed += 1
        try:
            return await self.handle_command(command, f"{client} (bus)")
        except Exception as exc:  # noqa: BLE001 - the source's failure is the command's, not the relay's
            log.exception("command relay %s: %s %s failed", self.stream, command.action, command.idempotency_key)
            return [CommandResult(command.idempotency_key, "failed", f"{command.action} failed in the source: {exc}")]


def _waited_s(msg: Any) -> float | None:
    """Seconds since JetStream stored ``msg`` (None when its metadata has no time)."""
    try:
        stored = msg.metadata.timestamp
    except Exception:  # noqa: BLE001 - metadata of a message not from JetStream
        return None
    return None if stored is None else max(0.0, wall_s() - stored.timestamp())


async def _quiet(exc: Exception) -> None:
    log.debug("command relay: %s", exc)
