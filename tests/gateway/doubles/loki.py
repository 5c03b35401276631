"""A test double of Grafana Loki's range query API (Loki itself is not installable here).

Written from Loki's documented HTTP API (grafana/loki ``docs/sources/reference/loki-http-api.md``,
"Query logs within a range of time"):

* ``GET /loki/api/v1/query_range`` with ``query`` (LogQL), ``start`` and ``end`` (Unix epoch
  nanoseconds), ``limit`` (default 100) and ``direction`` (``forward``|``backward``, default
  backward: the newest ``limit`` entries);
* a log query answers ``{"status": "success", "data": {"resultType": "streams", "result":
  [{"stream": {labels}, "values": [["<ns>", "<line>"], ...]}], "stats": {...}}}``; an entry with
  structured metadata has it as a third element (``["<ns>", "<line>", {"trace_id": "…"}]``);
* a query that does not parse answers HTTP 400 with a plain-text error
  (``parse error at line 1, col 1: syntax error: unexpected IDENTIFIER``).

The LogQL understood is a stream selector of ``=``, ``!=``, ``=~`` matchers and optional line
filters ``|= "text"``/``!= "text"``: enough for what the gateway sends. ``requests`` keeps every
query's parameters and headers; ``fail_status`` makes every query answer that status.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

_MATCHER = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*')
_FILTER = re.compile(r'\s*(\|=|!=)\s*"((?:[^"\\]|\\.)*)"')


class LogQLError(ValueError):
    """A query this double (like Loki) cannot parse."""


def parse_logql(query: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """``(matchers, line filters)`` of a log query; ``LogQLError`` with Loki's wording otherwise."""
    q = query.strip()
    if not q.startswith("{"):
        raise LogQLError("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER")
    end = q.find("}")
    if end < 0:
        raise LogQLError(f"parse error at line 1, col {len(q) + 1}: syntax error: unexpected $end, expecting , or }}")
    matchers = []
    for part in filter(None, (p.strip() for p in q[1:end].split(","))):
        m = _MATCHER.fullmatch(part)
        if m is None:
            raise LogQLError(f"parse error at line 1, col {q.find(part) + 1}: syntax error: unexpected {part[:20]}")
        matchers.append((m.group(1), m.group(2), m.group(3)))
    if not matchers:
        raise LogQLError("parse error : queries require at least one regexp or equality matcher that does not "
                         "have an empty-compatible value")
    rest, filters = q[end + 1:], []
    while rest.strip():
        m = _FILTER.match(rest)
        if m is None:
            raise LogQLError(f"parse error at line 1, col {len(q) - len(rest) + 1}: syntax error: unexpected "
                             f"{rest.strip()[:20]}")
        filters.append((m.group(1), m.group(2)))
        rest = rest[m.end():]
    return matchers, filters


def _selects(labels: dict[str, str], matchers: list[tuple[str, str, str]]) -> bool:
    for name, op, value in matchers:
        have = labels.get(name, "")
        if op == "=" and have != value or op == "!=" and have == value:
            return False
        if op == "=~" and re.fullmatch(value, have) is None:
            return False
    return True


class LokiDouble:
    """One Loki. ``push(labels, ns, line, metadata)`` adds an entry to the stream of ``labels``."""

    def __init__(self) -> None:
        self.streams: dict[tuple[tuple[str, str], ...], list[tuple[int, str, dict[str, str] | None]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail_status: int | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def push(self, labels: dict[str, str], ns: int, line: str, metadata: dict[str, str] | None = None) -> None:
        """Add one entry (as a promtail/OTel push would)."""
        self.streams.setdefault(tuple(sorted(labels.items())), []).append((ns, line, metadata))

    async def start(self) -> LokiDouble:
        """Serve on a free loopback port."""
        app = web.Application()
        app.router.add_get("/loki/api/v1/query_range", self._query_range)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _query_range(self, request: web.Request) -> web.Response:
        q = request.query
        self.requests.append({"params": dict(q), "headers": dict(request.headers)})
        if self.fail_status is not None:
            return web.Response(status=self.fail_status, text="too many outstanding requests")
        try:
            matchers, filters = parse_logql(q.get("query", ""))
        except LogQLError as exc:
            return web.Response(status=400, text=str(exc), content_type="text/plain")
        try:
            start, end = int(q.get("start", "0")), int(q["end"])
            limit = int(q.get("limit", "100"))
        except (KeyError, ValueError):
            return web.Response(status=400, text="invalid parameter: start, end and limit must be integers",
                                content_type="text/plain")
        if end < start:
            return web.Response(status=400, text="end timestamp must not be before or equal to start time",
                                content_type="text/plain")
        direction = q.get("direction", "backward")
        entries = []
        for key, values in self.streams.items():
            labels = dict(key)
            if not _selects(labels, matchers):
                continue
            for ns, line, meta in values:
                if start <= ns < end and all((text in line) == (op == "|=") for op, text in filters):
                    entries.append((ns, key, line, meta))
        entries.sort(key=lambda e: e[0], reverse=direction == "backward")
        entries = entries[:limit]
        result: dict[tuple, list] = {}
        for ns, key, line, meta in entries:
            result.setdefault(key, []).append([str(ns), line] + ([meta] if meta else []))
        body = {"status": "success", "data": {"resultType": "streams", "result": [
            {"stream": dict(key), "values": values} for key, values in result.items()],
            "stats": {"summary": {"totalEntriesReturned": len(entries)}}}}
        return web.json_response(body)
