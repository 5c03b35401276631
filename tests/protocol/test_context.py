"""Log context (protocol 1.5): notes carrying log lines and trace ids survive the wire, and a
hostile note is read into the same bounds without raising."""

from __future__ import annotations

from warroom.core.model import Event, EventKind, Severity
from warroom.protocol import Decoder, Events, encode
from warroom.protocol.context import (
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_TRACE_IDS,
    LogLine,
    context_event,
    context_of,
    is_context,
    latest_context,
    trace_id_in,
)

T = 1_767_225_000_000
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def _decode(ev: Event) -> Event:
    result = Decoder().decode(encode(Events((ev,)), seq=1), now_ms=T + 1000)
    assert not result.errors, result.errors
    return result.message.events[0]


def test_a_context_note_survives_the_wire():
    lines = [LogLine(T - 2000, f"ERROR pay failed trace_id={TRACE}", TRACE), LogLine(T - 1000, "WARN slow", "", "warn")]
    ev = _decode(context_event("ctx-1", T, "trade", lines, source="sim", query='{app="trade"}'))
    assert ev.kind is EventKind.LOG and ev.subject == "trade" and ev.severity is Severity.INFO
    assert ev.title == "2 log lines (1 errors)" and ev.attrs["titles"]["zh_CN"] == "2 条日志（1 条错误）"
    ctx = context_of(ev)
    assert [ln.line for ln in ctx.lines] == [lines[0].line, "WARN slow"]
    assert ctx.trace_ids == (TRACE,) and ctx.source == "sim" and ctx.query == '{app="trade"}'
    assert ctx.lines[1].level == "warn"


def test_only_the_newest_lines_are_kept():
    lines = [LogLine(T + i, f"error {i}", f"{i:032x}") for i in range(MAX_LINES * 3)]
    ctx = context_of(context_event("ctx-2", T, "trade", lines, source="sim"))
    assert len(ctx.lines) == MAX_LINES and ctx.lines[-1].line == f"error {MAX_LINES * 3 - 1}"
    assert len(ctx.trace_ids) == MAX_TRACE_IDS and ctx.trace_ids[0] == f"{MAX_LINES * 3 - 1:032x}"


def test_hostile_context_attrs_never_raise():
    bad_attrs = [
        {"context": {"lines": "not a list"}},
        {"context": {"lines": [None, 3, {"line": 5}, {"ts": "x", "line": "ok", "trace_id": "$(reboot)", "level": "🔥"}]}},
        {"context": {"lines": [{"line": "a" * 3_000_000 + "\x1b\u202e"}], "trace_ids": ["x" * 500, 7, TRACE, TRACE]}},
        {"context": []},
    ]
    for i, attrs in enumerate(bad_attrs):
        ev = Event(f"e{i}", T, EventKind.LOG, "trade", "t", Severity.INFO, attrs)
        ctx = context_of(ev)
        if ctx is None:
            assert not is_context(ev)
            continue
        for ln in ctx.lines:
            assert len(ln.line) <= MAX_LINE_CHARS and "\x1b" not in ln.line and "\u202e" not in ln.line
            assert ln.trace_id in ("", TRACE) and ln.level in ("error", "warn", "info", "debug")
        assert all(t == TRACE for t in ctx.trace_ids)
    ok = context_of(Event("e1", T, EventKind.LOG, "trade", "t", Severity.INFO, bad_attrs[1]))
    assert [ln.line for ln in ok.lines] == ["ok"] and ok.lines[0].ts == T


def test_only_a_log_event_with_context_is_context():
    assert context_of(Event("n", T, EventKind.LOG, "trade", "hello", Severity.INFO, {"text": "hello"})) is None
    assert context_of(Event("d", T, EventKind.NOTE, "trade", "x", Severity.INFO, {"context": {}})) is None


def test_trace_ids_found_in_lines():
    assert trace_id_in(f"level=error traceID={TRACE.upper()} msg=x") == TRACE
    assert trace_id_in(f'{{"msg":"x","trace_id":"{TRACE}"}}') == TRACE
    assert trace_id_in("no trace here, trace=xyz") == ""


def test_latest_context_merges_the_newest_lines_of_services():
    a = context_event("a", T - 5000, "trade", [LogLine(T - 5000, "old", "1" * 32)], source="sim")
    b = context_event("b", T, "trade", [LogLine(T - 10, "new", "2" * 32)], source="sim")
    c = context_event("c", T - 1000, "bank", [LogLine(T - 1000, "bank", "3" * 32)], source="sim")
    ctx = latest_context([a, b, c], ["trade", "bank"], max_lines=2)
    assert [ln.line for ln in ctx.lines] == ["bank", "new"] and ctx.trace_ids[0] == "2" * 32
    assert latest_context([a, b], ["trade"], since_ms=T - 100).lines[0].line == "new"
    assert latest_context([a], ["other"]) is None
