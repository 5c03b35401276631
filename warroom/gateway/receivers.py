"""The gateway's HTTP receivers: Alertmanager's webhook and CI change markers, in as feed events.

Routes (docs/gateway.md, "Receivers"):

* ``POST /alertmanager``: an Alertmanager webhook payload (version 4) -> ``alert`` events;
  answered ``200 {"status": "ok", "events": N, ...}``.
* ``POST /api/annotations``: Grafana's annotation body -> one ``deploy``/``config_change``
  event; ``POST /api/annotations/graphite``: the Graphite form. Answered as Grafana answers,
  ``200 {"message": "Annotation added", "id": N}``, so CI scripts written for Grafana work.
* ``GET /healthz``: ``200 {"status": "ok"}``, without authentication (for load balancers).

A POST needs ``Authorization: Bearer <token>`` of role ``publisher`` (``warroom.io.auth``): 401
without a token or with an unknown one, 403 with a viewer's or commander's. Without a tokens
file only loopback peers may post (logged once at warning level). The body is read only after
that, and at most ``MAX_BODY`` bytes (413 beyond). Anything wrong with a body is a 400 whose
JSON ``{"error": "..."}`` names the problem; nothing a poster sends can make a handler raise
out of this module (a bug is a 500 with the traceback in the log, and Alertmanager retries a
5xx). An event whose id was already emitted is answered as accepted and not emitted again
(Alertmanager resends its groups; CI retries), with bounded memory of the ids.

Tokens are never logged: log lines name the token's user, and the peer address.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from warroom.core.clock import wall_s
from warroom.core.language.text import terminal_safe
from warroom.core.model import Event
from warroom.gateway.site_model import Listen, Site
from warroom.gateway.sources.alertmanager import read_alerts
from warroom.gateway.sources.annotations import annotation_events, answer_id
from warroom.io.auth import (
    Identity,
    Role,
    TokenStore,
    is_loopback,
    parse_bearer,
    role_allows,
    server_ssl_context,
)

log = logging.getLogger(__name__)

#: Largest body accepted, in bytes (Alertmanager's biggest groups are far below this).
MAX_BODY = 1024 * 1024
#: Event ids remembered for duplicate suppression (the oldest are forgotten first).
MAX_SEEN = 50_000

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class ReceiverStats:
    """Counters for the gateway's health: posts received, refused, events emitted."""

    posts: int = 0  # every POST, accepted or not
    rejected: int = 0  # POSTs answered 4xx (auth, size, bad body)
    events: int = 0  # events handed to on_events
    duplicates: int = 0  # events not emitted because their id was emitted before
    last_error: str = ""  # why the last POST was refused ("" if none yet)


class _Refused(Exception):
    """A POST answered with a 4xx: status and message (and extra headers)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class Receivers:
    """The HTTP receivers of one gateway (see the module docstring).

    ``on_events`` gets each accepted post's new events (never an empty list); ``known_services``
    is asked, per post, which service names the gateway knows (alerts and changes about other
    names are still kept, marked ``attrs.service_known = False``).
    """

    def __init__(self, listen: Listen, tokens: TokenStore | None, site: Site,
                 on_events: Callable[[list[Event]], None], known_services: Callable[[], Collection[str]],
                 *, clock: Callable[[], float] = wall_s) -> None:
        self.listen = listen
        self.site = site
        self.stats = ReceiverStats()
        self._tokens = tokens
        self._on_events = on_events
        self._known_services = known_services
        self._clock = clock
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._runner: web.AppRunner | None = None
        self._port = listen.port
        self._tls = listen.tls_cert is not None

    # -- life cycle ---------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on ``listen.host``/``listen.port`` (0: any free port, then see ``port``).

        ``AuthError`` for TLS files that cannot be used; ``OSError`` if the address is taken.
        """
        ssl_context = (server_ssl_context(self.listen.tls_cert, self.listen.tls_key)
                       if self.listen.tls_cert is not None else None)
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self._guard])
        app.router.add_post("/alertmanager", self._alertmanager)
        app.router.add_post("/api/annotations", self._annotations)
        app.router.add_post("/api/annotations/graphite", self._graphite)
        app.router.add_get("/healthz", self._healthz)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.listen.host, self.listen.port, ssl_context=ssl_context)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = runner.addresses[0][1] if runner.addresses else self.listen.port
        if self._tokens is None:
            log.warning("receivers on %s have NO tokens file: only posts from this machine (loopback) are "
                        "accepted; give the receivers a tokens file with publisher tokens (docs/security.md)",
                        self.url)
        else:
            log.info("receivers listening on %s", self.url)

    async def stop(self) -> None:
        """Stop listening (posts in progress are finished first); safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    @property
    def port(self) -> int:
        """The bound port (the one asked for, or the one picked for port 0)."""
        return self._port

    @property
    def url(self) -> str:
        """``http://host:port`` (``https`` with TLS) of the receivers."""
        host = self.listen.host
        if ":" in host:
            host = f"[{host}]"
        return f"{'https' if self._tls else 'http'}://{host}:{self._port}"

    # -- the door -----------------------------------------------------------------------
    @web.middleware
    async def _guard(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        """Every answer is JSON; a refusal is counted and logged; a bug is a 500, never a crash."""
        if request.method == "POST":
            self.stats.posts += 1
        try:
            return await handler(request)
        except _Refused as exc:
            return self._refuse(request, exc)
        except web.HTTPException as exc:  # no such route, wrong method
            if exc.status < 400:
                raise
            return _json({"error": f"{exc.status} {exc.reason}: {request.method} {terminal_safe(request.path)[:200]}"},
                         exc.status, headers={k: v for k, v in exc.headers.items() if k == "Allow"})
        except Exception:
            log.exception("receivers: %s %s failed", request.method, terminal_safe(request.path)[:200])
            return _json({"error": "internal error in the receivers; the gateway's log has the details"}, 500)

    def _refuse(self, request: web.Request, exc: _Refused) -> web.Response:
        self.stats.rejected += 1
        self.stats.last_error = f"{exc.status}: {exc.message}"
        # The message never holds a token; what a poster sent is shown terminal-safe.
        log.warning("receivers refused %s %s from %s: %s %s", request.method, request.path,
                    request.remote or "?", exc.status, terminal_safe(exc.message))
        return _json({"error": exc.message}, exc.status, headers=exc.headers)

    def _authorize(self, request: web.Request) -> Identity:
        """Who is posting; ``_Refused`` (401/403) otherwise. The token never leaves this method."""
        if self._tokens is None:
            if is_loopback(request.remote):
                return Identity("", Role.PUBLISHER, authenticated=False)
            raise _Refused(403, "these receivers have no tokens file, so they take posts from their own "
                                "machine only")
        token = parse_bearer(request.headers.get("Authorization"))
        challenge = {"WWW-Authenticate": 'Bearer realm="warroom"'}
        if token is None:
            raise _Refused(401, "no bearer token: send \"Authorization: Bearer <token>\" with a publisher "
                                "token", challenge)
        identity = self._tokens.authenticate(token)
        if identity is None:
            raise _Refused(401, "unknown token", challenge)
        if not role_allows(identity.role.value, Role.PUBLISHER):
            raise _Refused(403, f"forbidden: posting needs the publisher role; {identity.user} is a "
                                f"{identity.role.value}")
        return identity

    async def _body(self, request: web.Request) -> Any:
        """The request's JSON body; ``_Refused`` 413 or 400 with what is wrong."""
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise _Refused(413, f"body of {request.content_length:,} bytes; the limit is {MAX_BODY:,}")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise _Refused(413, f"body larger than the limit of {MAX_BODY:,} bytes") from None
        if not raw.strip():
            raise _Refused(400, "empty body: expected a JSON object")
        try:
            return json.loads(raw, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise _Refused(400, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except UnicodeDecodeError:
            raise _Refused(400, "not JSON: the body is not UTF-8 text") from None
        except RecursionError:
            raise _Refused(400, "not JSON this receiver reads: nested too deeply") from None
        except ValueError as exc:  # NaN / Infinity
            raise _Refused(400, f"not JSON: {exc}") from None

    def _emit(self, events: list[Event]) -> tuple[list[Event], int]:
        """Hand the events not seen before to ``on_events``; (those events, duplicates)."""
        fresh: list[Event] = []
        duplicates = 0
        for event in events:
            if event.id in self._seen:
                self._seen.move_to_end(event.id)  # still being resent: remember it longest
                duplicates += 1
            else:
                fresh.append(event)
        if fresh:
            self._on_events(fresh)  # raises: a 500, nothing marked seen, the poster retries
            for event in fresh:
                self._seen[event.id] = None
            while len(self._seen) > MAX_SEEN:
                self._seen.popitem(last=False)
        self.stats.events += len(fresh)
        self.stats.duplicates += duplicates
        return fresh, duplicates

    # -- routes -------------------------------------------------------------------------
    async def _healthz(self, request: web.Request) -> web.Response:
        return _json({"status": "ok"})

    async def _alertmanager(self, request: web.Request) -> web.Response:
        who = self._authorize(request)
        payload = await self._body(request)
        try:
            events, problems = read_alerts(payload, self.site.alertmanager, self._known_services(),
                                           clock=self._clock)
        except ValueError as exc:
            raise _Refused(400, str(exc)) from None
        if problems and not events and payload.get("alerts"):
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            raise _Refused(400, problems[0] + more)
        for problem in problems:
            log.warning("receivers: Alertmanager post from %s: %s", who.label, terminal_safe(problem))
        fresh, duplicates = self._emit(events)
        log.debug("receivers: Alertmanager post from %s: %d alerts, %d new", who.label, len(events), len(fresh))
        answer: dict[str, Any] = {"status": "ok", "events": len(fresh), "duplicates": duplicates}
        if problems:
            answer["problems"] = problems[:20]
        return _json(answer)

    async def _annotations(self, request: web.Request) -> web.Response:
        return await self._annotation(request, "auto")

    async def _graphite(self, request: web.Request) -> web.Response:
        return await self._annotation(request, "graphite")

    async def _annotation(self, request: web.Request, form: str) -> web.Response:
        who = self._authorize(request)
        payload = await self._body(request)
        try:
            events = annotation_events(payload, self.site.annotations, self._known_services(),
                                       clock=self._clock, form=form)
        except ValueError as exc:
            raise _Refused(400, str(exc)) from None
        fresh, _ = self._emit(events)
        event = events[0]
        log.info("receivers: %s from %s: %s %r%s", event.kind.value, who.label, event.subject or "(no service)",
                 terminal_safe(event.title)[:120], "" if fresh else " (again: not re-sent)")
        return _json({"message": "Annotation added", "id": answer_id(event.id)})


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


__all__ = ["MAX_BODY", "MAX_SEEN", "ReceiverStats", "Receivers"]
