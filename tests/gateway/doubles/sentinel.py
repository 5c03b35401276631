"""A test double of a Sentinel client's transport command server (default port 8719).

Written from Sentinel's documented commands (sentinel-transport-common
``ModifyRulesCommandHandler``/``FetchActiveRuleCommandHandler``, see
/work/shared/research/real-sources.md §4):

* ``GET /getRules?type=flow|degrade|system|authority`` answers the current list as a JSON array;
* ``GET`` or ``POST /setRules`` with ``type`` and ``data`` (the URL-encoded JSON array, in the
  query or a form body) REPLACES the whole list of that type and answers ``success``;
  a bad type or data answers HTTP 400 with a message.

Switches for the failures the executor must survive: ``fail_status`` (setRules answers that
status), ``delay_s`` (setRules sleeps first), ``answer`` (e.g. ``partial success (write data
source failed)``), ``change_after_reads`` (after that many getRules answers, "someone else"
adds a rule: the list changed between read and write).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

RULE_TYPES = ("flow", "degrade", "system", "authority")


class SentinelDouble:
    """One Sentinel client. ``rules`` per type; ``writes`` every accepted setRules ``(type, list)``."""

    def __init__(self, rules: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.rules: dict[str, list[dict[str, Any]]] = {t: [] for t in RULE_TYPES}
        self.rules.update({k: list(v) for k, v in (rules or {}).items()})
        self.writes: list[tuple[str, list]] = []
        self.reads = 0
        self.fail_status: int | None = None
        self.delay_s = 0.0
        self.answer = "success"
        self.change_after_reads: int | None = None
        self.intruder = {"resource": "someone-else", "limitApp": "default", "grade": 1, "count": 42}
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    async def start(self) -> SentinelDouble:
        """Serve on a free loopback port."""
        app = web.Application()
        app.router.add_get("/getRules", self._get_rules)
        app.router.add_route("*", "/setRules", self._set_rules)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)  # do not wait for a "slow" handler
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _get_rules(self, request: web.Request) -> web.Response:
        kind = request.query.get("type", "")
        if kind not in RULE_TYPES:
            return web.Response(status=400, text="invalid type")
        body = json.dumps(self.rules[kind])
        self.reads += 1
        if self.change_after_reads is not None and self.reads == self.change_after_reads:
            self.rules["flow"] = [*self.rules["flow"], dict(self.intruder)]
        return web.Response(text=body, content_type="application/json")

    async def _set_rules(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if request.method == "POST":
            params.update(await request.post())
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.fail_status is not None:
            return web.Response(status=self.fail_status, text="internal error")
        kind, data = params.get("type", ""), params.get("data")
        if kind not in RULE_TYPES:
            return web.Response(status=400, text="invalid type")
        if data is None:
            return web.Response(status=400, text="invalid data")
        try:
            rules = json.loads(str(data))
        except ValueError:
            return web.Response(status=400, text="decode rule data error")
        if not isinstance(rules, list):
            return web.Response(status=400, text="decode rule data error")
        self.rules[kind] = rules
        self.writes.append((kind, rules))
        return web.Response(text=self.answer)
