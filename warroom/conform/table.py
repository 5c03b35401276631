"""The report as a text table: check, section, result, detail — safe to print on any terminal.

Details quote what the feed sent (ids, messages, names). Every one goes through
``warroom.core.language.text.terminal_safe`` — controls, bidi controls and lone surrogates become visible
escapes such as ``\\x1b`` and ``\\u202e`` — and is cut to a readable length, so a hostile feed can
neither move the cursor, recolour the terminal nor reorder the report.
"""

from __future__ import annotations

from warroom.conform.observe import Observation
from warroom.conform.results import CheckResult, Status
from warroom.core.language.text import terminal_safe
from warroom.io.auth import redact_url

#: Longest detail printed, in characters (after escaping).
MAX_DETAIL = 400


def clean(text: str, limit: int = MAX_DETAIL) -> str:
    """``text`` on one line, every control visible, at most ``limit`` characters."""
    text = terminal_safe(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(obs: Observation, results: list[CheckResult]) -> str:
    """The whole report: a heading, the table, notes and the verdict."""
    lines = [heading(obs), ""]
    rows = [(r.id, r.section, r.status.value.upper(), clean(r.detail)) for r in results]
    head = ("check", "section", "result", "detail")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head[:3])]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    lines.append(fmt.format(*head).rstrip())
    lines.append(fmt.format(*("-" * w for w in widths), "-" * 6))
    lines += [fmt.format(*row).rstrip() for row in rows]
    lines.append("")
    notes = list(obs.notes)
    if obs.dropped_frames:
        notes.append(f"{obs.dropped_frames:,} frames beyond the recording limit were read but not kept")
    lines += [f"note: {clean(n)}" for n in notes]
    lines.append(verdict(results))
    return "\n".join(lines) + "\n"


def heading(obs: Observation) -> str:
    """One line: which feed, which server, how long it was watched."""
    who = f"server {clean(obs.hello.server_id, 80)!s}" if obs.hello is not None else "no hello"
    return (f"warroom conform {redact_url(obs.url)} — {who}; pre-subscribe {obs.pre_subscribe_s:.1f} s, "
            f"window {obs.window_s:.1f} s, {len(obs.main_frames()):,} frames")


def verdict(results: list[CheckResult]) -> str:
    """"PASS: 12 checks, 2 skipped" or "FAIL: 2 of 14 checks failed (seq, heartbeat)"."""
    failed = [r.id for r in results if r.status is Status.FAIL]
    skipped = sum(r.status is Status.SKIP for r in results)
    if failed:
        return f"FAIL: {len(failed)} of {len(results)} checks failed ({', '.join(failed)})"
    return f"PASS: {len(results)} checks, {skipped} skipped"
