"""Context on every alert (protocol 1.5): log excerpts and trace ids sent with a service.

A feed that knows the log lines behind a problem sends them as an event of kind ``log`` whose
``subject`` is the service and whose ``attrs.context`` holds the excerpt (docs/protocol.md,
section 5.4, "Log context"). An event and not a new message: the event log, history, replay,
the bus and the incident timeline (which takes the context events about an incident's services)
carry it as they carry deploys. Its own kind and not a ``note``: notes are what people write,
and reports, replays and the incident panel count them as such. A feed that sends log events
lists the hello capability ``context``.

``attrs.context`` = ``{"source": "sim"|"loki"|..., "lines": [{"ts", "line", "trace_id",
"level"}...], "trace_ids": [...], "query": "..."}``, lines oldest first. Everything here is
bounded: at most ``MAX_LINES`` lines of at most ``MAX_LINE_CHARS`` characters, at most
``MAX_TRACE_IDS`` trace ids each matching ``TRACE_ID``; ``context_of`` reads a hostile event
into the same bounds and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warroom.core.language.text import normalise
from warroom.core.model import Event, EventKind, Severity

#: Hello capability (1.5): the feed sends log context events.
CAP_CONTEXT = "context"
#: The key of ``Event.attrs`` that holds a context excerpt.
CONTEXT_ATTR = "context"
#: Lines kept per excerpt (the newest), characters kept per line.
MAX_LINES = 20
MAX_LINE_CHARS = 2000
#: Distinct trace ids kept per excerpt.
MAX_TRACE_IDS = 20
#: What a trace id may look like: W3C/Jaeger/Tempo hex ids (16 or 32 hex digits) and the
#: other systems' word-like ids; nothing that could break out of a URL or a shell.
TRACE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{7,63}")
#: Where a trace id is found in a log line that does not carry it separately.
_TRACE_IN_LINE = re.compile(r"(?:trace[_.-]?id|traceID|trace)[\"']?\s*[=:]\s*[\"']?([0-9A-Fa-f]{16,32})\b")
LEVELS = ("error", "warn", "info", "debug")


@dataclass(frozen=True)
class LogLine:
    """One log line: feed-time ms, the text (one line, cleaned and cut), its trace id ("" if none)."""

    ts: int
    line: str
    trace_id: str = ""
    level: str = "error"

    def to_wire(self) -> dict[str, Any]:
        """The JSON form of one line of ``attrs.context.lines``."""
        d: dict[str, Any] = {"ts": self.ts, "line": self.line, "level": self.level}
        if self.trace_id:
            d["trace_id"] = self.trace_id
        return d


@dataclass(frozen=True)
class LogContext:
    """An excerpt of a service's logs: lines oldest first, the distinct trace ids newest first."""

    service: str
    ts: int
    lines: tuple[LogLine, ...]
    trace_ids: tuple[str, ...]
    source: str = ""
    query: str = ""


def clean_line(text: str) -> str:
    """One log line as kept: one line (newlines and tabs as spaces), controls replaced, bidi
    controls removed, at most ``MAX_LINE_CHARS`` characters."""
    # Cut before cleaning: a 1 MB line is never scanned whole.
    text = text[: MAX_LINE_CHARS * 2]
    return normalise(" ".join(text.split()) if "\n" in text or "\t" in text else text, MAX_LINE_CHARS)


def valid_trace_id(value: Any) -> str:
    """``value`` if it is a usable trace id, else ""."""
    return value if isinstance(value, str) and TRACE_ID.fullmatch(value) else ""


def trace_id_in(line: str) -> str:
    """The trace id a log line names (``trace_id=…``, ``traceID: …``, ``"trace":"…"``), or ""."""
    m = _TRACE_IN_LINE.search(line[:MAX_LINE_CHARS * 2])
    return m.group(1).lower() if m else ""


def context_attrs(lines: Sequence[LogLine], *, source: str, query: str = "") -> dict[str, Any]:
    """``attrs.context`` for ``lines`` (the newest ``MAX_LINES`` kept, oldest first)."""
    kept = sorted(lines, key=lambda ln: ln.ts)[-MAX_LINES:]
    ids: list[str] = []
    for ln in reversed(kept):
        if ln.trace_id and ln.trace_id not in ids:
            ids.append(ln.trace_id)
    d: dict[str, Any] = {"source": source, "lines": [ln.to_wire() for ln in kept], "trace_ids": ids[:MAX_TRACE_IDS]}
    if query:
        d["query"] = query[:1000]
    return d


def context_event(event_id: str, ts: int, service: str, lines: Sequence[LogLine], *, source: str,
                  query: str = "") -> Event:
    """The ``log`` event that carries ``lines`` of ``service`` (see the module docstring)."""
    n = min(len(lines), MAX_LINES)
    errors = sum(1 for ln in lines[-MAX_LINES:] if ln.level == "error")
    # The subject names the service: the title says what came (a 1.4 console shows only this).
    title = f"{n} log lines" + (f" ({errors} errors)" if errors else "")
    zh = f"{n} 条日志" + (f"（{errors} 条错误）" if errors else "")
    return Event(event_id, ts, EventKind.LOG, service, title, Severity.INFO,
                 {CONTEXT_ATTR: context_attrs(lines, source=source, query=query), "titles": {"zh_CN": zh}})


def is_context(ev: Event) -> bool:
    """Whether ``ev`` is a log context event."""
    return ev.kind is EventKind.LOG and isinstance(ev.attrs.get(CONTEXT_ATTR), Mapping)


def context_of(ev: Event) -> LogContext | None:
    """The excerpt ``ev`` carries, bounded and cleaned, or None when it carries none. Bad
    lines are skipped alone; never raises."""
    if not is_context(ev):
        return None
    raw = ev.attrs[CONTEXT_ATTR]
    lines: list[LogLine] = []
    raw_lines = raw.get("lines")
    if isinstance(raw_lines, list):
        for item in raw_lines[-MAX_LINES:]:
            if not isinstance(item, Mapping) or not isinstance(item.get("line"), str):
                continue
            ts = item.get("ts")
            ts = ts if type(ts) is int else ev.ts
            level = item.get("level")
            text = clean_line(item["line"])
            trace = valid_trace_id(item.get("trace_id")) or trace_id_in(text)
            lines.append(LogLine(ts, text, trace, level if level in LEVELS else "error"))
    ids: list[str] = []
    raw_ids = raw.get("trace_ids")
    for t in (raw_ids[:MAX_TRACE_IDS * 2] if isinstance(raw_ids, list) else []):
        if valid_trace_id(t) and t not in ids:
            ids.append(t)
    for ln in reversed(lines):
        if ln.trace_id and ln.trace_id not in ids:
            ids.append(ln.trace_id)
    source = raw.get("source")
    query = raw.get("query")
    return LogContext(ev.subject, ev.ts, tuple(lines), tuple(ids[:MAX_TRACE_IDS]),
                      clean_line(source)[:64] if isinstance(source, str) else "",
                      clean_line(query)[:1000] if isinstance(query, str) else "")


def latest_context(events: Iterable[Event], services: Iterable[str], *, since_ms: int | None = None,
                   max_lines: int = 5) -> LogContext | None:
    """The newest ``max_lines`` lines the context events about ``services`` hold (at or after
    ``since_ms``), newest last, as one excerpt; None when there are none."""
    wanted = set(services)
    found = [c for ev in events
             if ev.subject in wanted and (since_ms is None or ev.ts >= since_ms) and is_context(ev)
             for c in (context_of(ev),) if c is not None and c.lines]
    if not found:
        return None
    found.sort(key=lambda c: c.ts)
    lines = sorted((ln for c in found[-max_lines:] for ln in c.lines), key=lambda ln: ln.ts)[-max_lines:]
    ids: list[str] = []
    for ln in reversed(lines):
        if ln.trace_id and ln.trace_id not in ids:
            ids.append(ln.trace_id)
    for c in reversed(found):
        ids += [t for t in c.trace_ids if t not in ids]
    newest = found[-1]
    return LogContext(newest.service, newest.ts, tuple(lines), tuple(ids[:MAX_TRACE_IDS]), newest.source, newest.query)
