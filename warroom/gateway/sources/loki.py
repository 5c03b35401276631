"""The Loki source: error log lines with trace ids, as log context events (protocol 1.5).

Every ``interval_s`` the source asks Loki's range query API (grafana/loki
``docs/sources/reference/loki-http-api.md``)::

    GET /loki/api/v1/query_range?query=<LogQL>&start=<ns>&end=<ns>&limit=<n>&direction=backward

which answers ``{"status": "success", "data": {"resultType": "streams", "result": [{"stream":
{labels}, "values": [["<ns>", "<line>"], ...]}]}}`` (a value may carry a third element, the
line's structured metadata, where ``trace_id`` often is), and 400 with a plain-text error for a
query it cannot parse. One query for the whole site: the stream label named by
``service_labels`` (the first one a stream has) says which service a line belongs to. Each
service with new lines gets one ``log`` event whose ``attrs.context`` holds its newest
lines (``warroom.protocol.context``), so consoles show them on that service's alerts and
incidents. A line's trace id comes from its structured metadata or stream labels
(``trace_id``, ``traceID``, ``traceId``), else from the line itself (``trace_id=…``).

Each poll asks from just after the newest line already seen (at most ``window_s`` back), so
a line is sent once. Like the Prometheus source, the source's state is the series
``source_up{source="loki"}`` and one ``feed`` event when it starts or stops failing; ``run()``
never ends on a Loki fault. Hostile answers are bounded: the body is read up to
``MAX_BODY_BYTES``, at most ``MAX_STREAMS`` streams and ``limit`` lines are looked at, each line
is cut and cleaned (``context.clean_line``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from warroom.core.clock import wall_s
from warroom.core.model import Event, EventKind, Severity
from warroom.gateway.site_model import LokiSite
from warroom.gateway.sources import SourceHealth, SourceUpdate, source_up_key
from warroom.protocol.context import (
    MAX_LINE_CHARS,
    LogLine,
    clean_line,
    context_event,
    trace_id_in,
    valid_trace_id,
)
from warroom.protocol.strings import NAME_MAX

log = logging.getLogger(__name__)

NAME = "loki"
PATH = "/loki/api/v1/query_range"
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_STREAMS = 1000
_TRACE_KEYS = ("trace_id", "traceID", "traceId", "trace")
_LEVEL = re.compile(r"\b(ERROR|ERR|FATAL|PANIC|WARN|WARNING|INFO|DEBUG)\b", re.IGNORECASE)
_LEVELS = {"error": "error", "err": "error", "fatal": "error", "panic": "error", "critical": "error",
           "warn": "warn", "warning": "warn", "info": "info", "debug": "debug"}
_SERVICE = re.compile(rf"[^\x00-\x1f\x7f\s]{{1,{NAME_MAX}}}")


class LokiError(Exception):
    """A query that gave no usable answer; ``kind``: unreachable, timeout, bad_query, http, bad_answer."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class LokiClient:
    """``query_range`` against one Loki (``bearer``: ``Authorization: Bearer``; ``tenant``:
    ``X-Scope-OrgID`` for a multi-tenant Loki)."""

    def __init__(self, url: str, *, timeout_s: float = 5.0, bearer: str | None = None, tenant: str = "") -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self._headers = {"Accept": "application/json"}
        if bearer:
            self._headers["Authorization"] = f"Bearer {bearer}"
        if tenant:
            self._headers["X-Scope-OrgID"] = tenant
        self._session: aiohttp.ClientSession | None = None

    async def query_range(self, query: str, start_ns: int, end_ns: int, limit: int) -> list[dict[str, Any]]:
        """The ``result`` list of a streams answer; ``LokiError`` for anything else."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        params = {"query": query, "start": str(start_ns), "end": str(end_ns), "limit": str(limit),
                  "direction": "backward"}
        try:
            async with self._session.get(self.url + PATH, params=params, headers=self._headers) as resp:
                body = await _read_bounded(resp)
                status = resp.status
        except TimeoutError:
            raise LokiError("timeout", f"no answer within {self.timeout_s:g} s") from None
        except aiohttp.ClientError as exc:
            raise LokiError("unreachable", f"{type(exc).__name__}: {exc}"[:300]) from None
        if len(body) > MAX_BODY_BYTES:
            raise LokiError("bad_answer", f"answer over {MAX_BODY_BYTES // 1024 // 1024} MiB: lower `limit`")
        if status == 400:
            text = clean_line(body[:2000].decode("utf-8", "replace")).strip()
            raise LokiError("bad_query", f"Loki refused the query: {text[:300]}")
        if status != 200:
            raise LokiError("http", f"HTTP {status}: {clean_line(body[:300].decode('utf-8', 'replace'))}")
        try:
            doc = json.loads(body)
        except ValueError:
            raise LokiError("bad_answer", "the answer is not JSON") from None
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, dict) or doc.get("status") != "success":
            raise LokiError("bad_answer", "the answer has no successful `data`")
        if data.get("resultType") != "streams":
            raise LokiError("bad_answer", f"expected streams, got {str(data.get('resultType'))[:40]!r} "
                                          "(is the query a metric query?)")
        result = data.get("result")
        if not isinstance(result, list):
            raise LokiError("bad_answer", "`data.result` is not a list")
        return result

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()


async def _read_bounded(resp: aiohttp.ClientResponse) -> bytes:
    """The body, or its first ``MAX_BODY_BYTES + 1`` bytes (one ``read(n)`` may return less)."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY_BYTES:
        chunk = await resp.content.read(MAX_BODY_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _trace(labels: Mapping[str, Any], meta: Any, line: str) -> str:
    for source in (meta, labels):
        if isinstance(source, Mapping):
            for k in _TRACE_KEYS:
                found = valid_trace_id(source.get(k))
                if found:
                    return found
    return trace_id_in(line)


def _level(labels: Mapping[str, Any], line: str) -> str:
    for k in ("level", "detected_level", "severity"):
        v = labels.get(k)
        if isinstance(v, str) and v.lower() in _LEVELS:
            return _LEVELS[v.lower()]
    m = _LEVEL.search(line[:200])
    return _LEVELS[m.group(1).lower()] if m else "error"


def lines_by_service(result: list[Any], service_labels: tuple[str, ...], limit: int) -> dict[str, list[LogLine]]:
    """The lines of a streams ``result`` per service (oldest first), bad entries skipped."""
    out: dict[str, list[LogLine]] = {}
    seen = 0
    for stream in result[:MAX_STREAMS]:
        if not isinstance(stream, dict) or not isinstance(stream.get("stream"), dict):
            continue
        labels = stream["stream"]
        service = next((labels[k] for k in service_labels if isinstance(labels.get(k), str)), "")
        if not _SERVICE.fullmatch(service):
            continue
        values = stream.get("values")
        for v in values if isinstance(values, list) else ():
            if seen >= limit:
                break
            if not isinstance(v, list) or len(v) < 2 or not isinstance(v[0], str) or not isinstance(v[1], str):
                continue
            if not v[0].isdigit() or len(v[0]) > 20:
                continue
            seen += 1
            ns = int(v[0])
            raw = v[1][: MAX_LINE_CHARS * 2]
            line = clean_line(raw)
            out.setdefault(service, []).append(
                LogLine(ns // 1_000_000, line, _trace(labels, v[2] if len(v) > 2 else None, raw), _level(labels, line)))
    for lines in out.values():
        lines.sort(key=lambda ln: ln.ts)
    return out


class LokiSource:
    """Polls one Loki for a site's error lines (see the module docstring)."""

    def __init__(self, site: LokiSite, client: LokiClient | None = None, bearer: str | None = None, *,
                 clock: Callable[[], float] = wall_s) -> None:
        self.site = site
        self._own_client = client is None
        self.client = client or LokiClient(site.url, timeout_s=site.timeout_s, bearer=bearer, tenant=site.tenant)
        self._clock = clock
        self.health = SourceHealth(NAME)
        self._last_ns: int | None = None  # newest line seen: the next poll starts after it

    async def poll(self, at: float | None = None) -> SourceUpdate:
        """One poll ending at ``at`` (Unix seconds; default now)."""
        at = self._clock() if at is None else at
        ts_ms = round(at * 1000)
        end_ns = int(at * 1e9)
        start_ns = end_ns - int(self.site.window_s * 1e9)
        if self._last_ns is not None:
            start_ns = max(start_ns, self._last_ns + 1)
        h = self.health
        h.polls += 1
        h.last_poll_ms = ts_ms
        if start_ns >= end_ns:  # lines stamped ahead of this clock: nothing new to ask for yet
            return SourceUpdate(ts_ms, [(source_up_key(NAME), ts_ms, 1.0)], None, self._state(ts_ms, ok=True))
        try:
            result = await self.client.query_range(self.site.query, start_ns, end_ns, self.site.limit)
            by_service = lines_by_service(result, self.site.service_labels, self.site.limit)
        except LokiError as e:
            return self._failed(ts_ms, e.kind, str(e))
        except asyncio.CancelledError:
            raise
        except Exception as e:
            h.bugs += 1
            log.exception("Loki source: internal error")
            return self._failed(ts_ms, "internal", f"internal error: {type(e).__name__}: {e}")
        events: list[Event] = list(self._state(ts_ms, ok=True))
        newest = max((ln.ts for lines in by_service.values() for ln in lines), default=None)
        if newest is not None:
            # Nanoseconds are cut to ms in the lines: start after the newest ms seen.
            self._last_ns = max(self._last_ns or 0, (newest + 1) * 1_000_000 - 1)
        for service in sorted(by_service):
            lines = by_service[service]
            digest = hashlib.sha1("\n".join(ln.line for ln in lines).encode()).hexdigest()[:12]
            events.append(context_event(f"loki-{service[:64]}-{lines[-1].ts}-{digest}", lines[-1].ts, service, lines,
                                        source=NAME, query=self.site.query))
        return SourceUpdate(ts_ms, [(source_up_key(NAME), ts_ms, 1.0)], None, events)

    def _failed(self, ts_ms: int, kind: str, error: str) -> SourceUpdate:
        h = self.health
        h.failures += 1
        h.kind, h.error = kind, error
        return SourceUpdate(ts_ms, [(source_up_key(NAME), ts_ms, 0.0)], None, self._state(ts_ms, ok=False))

    def _state(self, ts_ms: int, ok: bool) -> tuple[Event, ...]:
        h = self.health
        before = h.state
        h.state = "ok" if ok else "failing"
        if ok:
            h.last_ok_ms = ts_ms
        if ok and before != "failing" or not ok and before == "failing":
            return ()
        if ok:
            title, severity = "Loki: OK again", Severity.INFO
            log.info("Loki source recovered")
        else:
            title, severity = f"Loki failing ({h.kind}): {h.error}"[:300], Severity.P2
            log.warning("Loki source failing (%s): %s", h.kind, h.error)
        return (Event(f"{NAME}:{h.state}:{ts_ms}", ts_ms, EventKind.FEED, "source:" + NAME, " ".join(title.split()),
                      severity, {"source": NAME, "state": h.state, "error": "" if ok else h.error,
                                 "kind": "" if ok else h.kind}),)

    async def run(self, emit: Callable[[SourceUpdate], None]) -> None:
        """Poll every ``interval_s``, forever; ``emit`` gets every update."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            update = await self.poll()
            try:
                emit(update)
            except Exception:
                self.health.bugs += 1
                log.exception("Loki source: the gateway's emit failed")
            due = max(due + self.site.interval_s, loop.time())
            await asyncio.sleep(due - loop.time())

    async def close(self) -> None:
        """Close the client's connections (a client given to the source is left to its owner)."""
        if self._own_client:
            await self.client.close()
