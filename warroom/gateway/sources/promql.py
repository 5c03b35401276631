"""A small Prometheus HTTP API client: instant and range queries, every fault a ``PromError``.

Prometheus answers ``{"status": "success", "data": {"resultType": ..., "result": ...}}``
with sample values as strings (so ``"NaN"``, ``"+Inf"`` and ``"-Inf"`` survive JSON), or an
error body with ``errorType`` and ``error`` and HTTP 400 (bad_data), 422 (cannot execute) or
503 (timeout, canceled). Everything else that can go wrong with a real server — refused
connections, a slow answer, a proxy's HTML page, a body far too big — becomes a
``PromError`` whose ``kind`` says which, and whose message is Prometheus's own when it gave
one: the gateway shows it on the feed-health panel as is.

The client never loads a body it was not ready for: it reads at most ``max_bytes`` and gives
up (``too_large``) past that, so a query that matches millions of series costs the gateway a
bounded amount of memory. ``query_range`` cuts a long range into requests of at most
``MAX_POINTS`` points per series (Prometheus refuses more: "exceeded maximum resolution of
11,000 points per timeseries") and stitches the answers back together.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from typing import Any, NamedTuple
from urllib.parse import urlencode

import aiohttp
from yarl import URL

#: Prometheus refuses a range query whose ``(end - start) / step`` exceeds 11,000.
MAX_POINTS = 11_000
#: A query longer than this (URL-encoded) is POSTed as a form: proxies cut long URLs.
GET_LIMIT = 1800
#: Default cap on an answer's size.
MAX_BYTES = 32 * 1024 * 1024

KINDS = ("unreachable", "timeout", "http", "bad_data", "bad_response", "too_large")


class PromError(Exception):
    """A query that gave no usable answer. ``kind`` is one of ``KINDS``; ``str()`` is the
    message to show (Prometheus's own when it sent one)."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status


class Sample(NamedTuple):
    """One sample of an instant query: its labels (``__name__`` included when Prometheus kept
    it), evaluation time in ms and value (NaN and ±inf as floats; callers drop what they
    cannot use). A tuple, not a dataclass: a poll makes thousands of them."""

    labels: dict[str, str]
    ts_ms: int
    value: float


class RangeSeries(NamedTuple):
    """One series of a range query: labels and ``(ts_ms, value)`` points, oldest first."""

    labels: dict[str, str]
    points: list[tuple[int, float]]


def _value(raw: Any) -> float:
    # Prometheus writes "NaN", "+Inf", "-Inf", which float() reads as they are.
    if not isinstance(raw, str):
        raise TypeError(f"sample value {raw!r} is not a string")
    return float(raw)


def _ts_ms(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        raise ValueError(f"sample time {raw!r} is not a number")
    return round(raw * 1000)


def _labels(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise TypeError("a result's metric is not an object")
    return raw


def parse_vector(data: Any) -> list[Sample]:
    """The samples of a ``data`` object of type vector or scalar (``ValueError`` on anything else)."""
    if not isinstance(data, dict):
        raise TypeError("data is not an object")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "vector":
        if not isinstance(result, list):
            raise ValueError("vector result is not a list")
        out = []
        for item in result:
            ts, val = item["value"]
            out.append(Sample(_labels(item.get("metric", {})), _ts_ms(ts), _value(val)))
        return out
    if kind == "scalar":
        ts, val = result
        return [Sample({}, _ts_ms(ts), _value(val))]
    raise ValueError(f"resultType {kind!r} where a vector or scalar was expected")


def parse_matrix(data: Any) -> list[RangeSeries]:
    """The series of a ``data`` object of type matrix (``ValueError`` on anything else)."""
    if not isinstance(data, dict):
        raise TypeError("data is not an object")
    kind, result = data.get("resultType"), data.get("result")
    if kind != "matrix" or not isinstance(result, list):
        raise ValueError(f"resultType {kind!r} where a matrix was expected")
    out = []
    for item in result:
        values = item["values"]
        out.append(RangeSeries(_labels(item.get("metric", {})), [(_ts_ms(t), _value(v)) for t, v in values]))
    return out


class PromClient:
    """Queries one Prometheus. Safe to share between tasks of one event loop.

    ``timeout_s`` bounds each request (the HTTP exchange, and Prometheus's own evaluation
    through the ``timeout`` parameter, a little shorter so that Prometheus says which query
    was slow rather than the connection being cut). ``bearer`` is sent as
    ``Authorization: Bearer``; it is never logged or put in a message. ``session`` is
    borrowed (not closed by ``close()``); without one the client opens its own.
    """

    def __init__(self, url: str, *, timeout_s: float, bearer: str | None = None,
                 session: aiohttp.ClientSession | None = None, max_bytes: int = MAX_BYTES) -> None:
        self.url = url.rstrip("/")
        # Messages name the server without any user:password the URL may carry.
        self.shown_url = str(URL(self.url).with_user(None)) if "@" in self.url else self.url
        self.timeout_s = float(timeout_s)
        self.max_bytes = int(max_bytes)
        self._headers = {"Accept": "application/json"}
        if bearer:
            self._headers["Authorization"] = f"Bearer {bearer}"
        self._session = session
        self._own_session = session is None
        #: Warnings Prometheus attached to the last answer (``warnings``), kept for health.
        self.warnings: list[str] = []
        #: HTTP requests sent so far (a range query may take several).
        self.requests = 0

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # trust_env stays False: a gateway talks to the Prometheus the site names, not
            # through whatever proxy the shell happened to export.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s),
                connector=aiohttp.TCPConnector(limit=16))
            self._own_session = True
        return self._session

    async def close(self) -> None:
        """Close the client's own session (a borrowed one is left open). The client may be
        used again afterwards: it opens a new session."""
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()
        if self._own_session:
            self._session = None

    async def query(self, expr: str, at: float | None = None) -> list[Sample]:
        """Evaluate ``expr`` at ``at`` (Unix seconds; None: Prometheus's now)."""
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = await self._call("/api/v1/query", params)
        try:
            return parse_vector(data)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise PromError("bad_response", f"unexpected answer to {_short(expr)}: {e}") from None

    async def query_range(self, expr: str, start_s: float, end_s: float, step_s: float) -> list[RangeSeries]:
        """Evaluate ``expr`` every ``step_s`` from ``start_s`` to ``end_s`` (Unix seconds).

        Work is done on a millisecond grid (Prometheus's resolution); a range of more than
        ``MAX_POINTS`` steps is asked for in consecutive chunks on the same grid, merged per
        label set, with a timestamp seen twice (at a chunk's edge) kept once.
        """
        step_ms = max(1, round(step_s * 1000))
        start_ms, end_ms = round(start_s * 1000), round(end_s * 1000)
        if end_ms < start_ms:
            return []
        merged: dict[tuple, RangeSeries] = {}
        last_ts: dict[tuple, int] = {}
        chunk_start = start_ms
        while chunk_start <= end_ms:
            chunk_end = min(end_ms, chunk_start + (MAX_POINTS - 1) * step_ms)
            params = {"query": expr, "start": f"{chunk_start / 1000:.3f}", "end": f"{chunk_end / 1000:.3f}",
                      "step": f"{step_ms / 1000:.3f}"}
            data = await self._call("/api/v1/query_range", params)
            try:
                chunk = parse_matrix(data)
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                raise PromError("bad_response", f"unexpected answer to {_short(expr)}: {e}") from None
            for series in chunk:
                ident = tuple(sorted(series.labels.items()))
                have = merged.get(ident)
                if have is None:
                    merged[ident] = series
                    last_ts[ident] = series.points[-1][0] if series.points else -1
                    continue
                newest = last_ts[ident]
                have.points.extend(p for p in series.points if p[0] > newest)
                if have.points:
                    last_ts[ident] = have.points[-1][0]
            chunk_start = chunk_end + step_ms
        return list(merged.values())

    async def _call(self, path: str, params: dict[str, str]) -> Any:
        """One request; the ``data`` of a success answer, else ``PromError``."""
        # Prometheus's own evaluation limit, a bit under ours so that its message wins.
        # (A duration such as "4500ms": Prometheus reads no fractions in "4.5s".)
        params = {**params, "timeout": f"{max(100, round(self.timeout_s * 900))}ms"}
        session = self._get_session()
        url = self.url + path
        encoded = urlencode(params)
        self.requests += 1
        try:
            async with asyncio.timeout(self.timeout_s):
                if len(encoded) > GET_LIMIT:
                    ctx = session.post(url, data=encoded, headers={
                        **self._headers, "Content-Type": "application/x-www-form-urlencoded"})
                else:
                    ctx = session.get(url + "?" + encoded, headers=self._headers)
                async with ctx as resp:
                    body = await self._read(resp)
                    status = resp.status
        except PromError:
            raise
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise PromError("timeout", f"no answer from Prometheus within {self.timeout_s:g} s") from None
        except aiohttp.ClientConnectorError as e:
            # asyncio words a refusal "Connect call failed ('127.0.0.1', 9090)"; the errno says
            # it plainly ("Connection refused"), which is what a person on the wall needs.
            err = e.os_error
            reason = (os.strerror(err.errno) if err is not None and err.errno else
                      err.strerror if err is not None and err.strerror else str(e))
            raise PromError("unreachable", f"cannot connect to {self.shown_url}: {reason}") from None
        except aiohttp.ClientConnectionError as e:
            raise PromError("unreachable", f"connection to {self.shown_url} lost: {self._why(e)}") from None
        except aiohttp.ClientError as e:
            raise PromError("bad_response", f"bad answer from {self.shown_url}: {self._why(e)}") from None
        return self._decode(status, body)

    def _why(self, e: Exception) -> str:
        text = str(e).replace(self.url, self.shown_url)
        return f"{type(e).__name__}: {text}" if text else type(e).__name__

    async def _read(self, resp: aiohttp.ClientResponse) -> bytes:
        """The body, at most ``max_bytes`` of it (``too_large`` past that, unread)."""
        length = resp.content_length
        if length is not None and length > self.max_bytes:
            raise PromError("too_large", f"answer of {length} bytes is over the limit of {self.max_bytes}",
                            resp.status)
        chunks, size = [], 0
        while True:
            chunk = await resp.content.read(256 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise PromError("too_large", f"answer is over the limit of {self.max_bytes} bytes", resp.status)
            chunks.append(chunk)
        return b"".join(chunks)

    def _decode(self, status: int, body: bytes) -> Any:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            doc = None
        if not isinstance(doc, dict):
            if status != 200:
                raise PromError("http", f"HTTP {status}: {_snippet(body)}", status)
            raise PromError("bad_response", f"answer is not JSON: {_snippet(body)}", status)
        warnings = doc.get("warnings")
        self.warnings = [str(w) for w in warnings] if isinstance(warnings, list) else []
        if doc.get("status") == "success" and status == 200:
            if "data" not in doc:
                raise PromError("bad_response", "success answer without data", status)
            return doc["data"]
        if doc.get("status") == "error" or status != 200:
            etype = str(doc.get("errorType") or "")
            message = str(doc.get("error") or f"HTTP {status}")
            if etype == "bad_data":
                kind = "bad_data"
            elif etype == "timeout":
                kind = "timeout"
            else:
                kind = "http"
            prefix = f"{etype}: " if etype and etype not in message else ""
            raise PromError(kind, f"{prefix}{message}"[:1000], status)
        raise PromError("bad_response", f"answer has status {str(doc.get('status'))[:40]!r}", status)


def _snippet(body: bytes, limit: int = 120) -> str:
    text = body[:limit * 4].decode("utf-8", "replace")
    text = " ".join(text.split())
    return (text[:limit] + "…") if len(text) > limit else (text or "(empty)")


def _short(expr: str, limit: int = 80) -> str:
    expr = " ".join(expr.split())
    return expr if len(expr) <= limit else expr[:limit] + "…"
