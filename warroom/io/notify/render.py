"""How a notification or a digest reads: one-line headlines, plain text, robot markdown.

Pure functions; the channels put their output into each kind's JSON or e-mail.
"""

from __future__ import annotations

from datetime import datetime

from warroom.io.notify.model import DigestSummary, Notification

MAX_TEXT = 3500  # characters of a notification's own text kept in a message
DIGEST_LINES = 10  # titles listed in a digest
_MAX_ATTRS = 8


def format_ts(ts_ms: int) -> str:
    """``2026-11-11 00:03:12 +0800``: local time with its offset, to the second."""
    return datetime.fromtimestamp(ts_ms / 1000).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def headline(n: Notification) -> str:
    """``[P1] FIRING: ICBC gateway p99 > 2 s``."""
    return f"[{n.severity}] {n.state.upper()}: {n.title}"


def digest_headline(d: DigestSummary) -> str:
    """``[P0] 37 more notifications (P0×2, P1×10, P2×25)``."""
    counts = ", ".join(f"{s}×{c}" for s, c in d.by_severity.items())
    noun = "notification" if d.total == 1 else "notifications"
    return f"[{d.severity}] {d.total} more {noun} ({counts})"


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _attr_lines(n: Notification) -> list[tuple[str, str]]:
    items = [(str(k), _clip(str(v), 200)) for k, v in list(n.attrs.items())[:_MAX_ATTRS]]
    return [("state", n.state), ("severity", n.severity), ("time", format_ts(n.ts_ms)), ("key", n.key), *items]


def plain_text(n: Notification) -> str:
    """The e-mail body of one notification."""
    lines = [headline(n), ""]
    if n.text:
        lines += [_clip(n.text), ""]
    lines += [f"{k}: {v}" for k, v in _attr_lines(n)]
    if n.url:
        lines += ["", f"link: {n.url}"]
    return "\n".join(lines) + "\n"


def plain_digest(d: DigestSummary) -> str:
    """The e-mail body of a digest."""
    lines = [digest_headline(d), "", "The channel's rate limit was reached; these were folded into one message.", ""]
    lines += [f"- {headline(n)}  ({format_ts(n.ts_ms)}, {n.key})" for n in d.top[:DIGEST_LINES]]
    if d.total > DIGEST_LINES:
        lines.append(f"… and {d.total - min(DIGEST_LINES, len(d.top))} more")
    lines += ["", "states: " + ", ".join(f"{s} {c}" for s, c in d.by_state.items())]
    return "\n".join(lines) + "\n"


def markdown_text(n: Notification, *, wecom: bool = False) -> str:
    """Markdown for the robots (DingTalk needs blank lines between paragraphs)."""
    head = headline(n)
    if wecom:
        colour = "info" if n.state.lower() == "resolved" else "warning" if n.rank <= 1 else "comment"
        head = f'<font color="{colour}">[{n.severity}] {n.state.upper()}</font>: {n.title}'
    lines = [f"### {head}", ""]
    if n.text:
        lines += [_clip(n.text), ""]
    lines += [f"- **{k}**: {v}" for k, v in _attr_lines(n)]
    if n.url:
        lines += ["", f"[Runbook / console]({n.url})"]
    return "\n".join(lines)


def markdown_digest(d: DigestSummary) -> str:
    """Markdown for a digest."""
    lines = [f"### {digest_headline(d)}", "", "Rate limit reached: folded into one message.", ""]
    lines += [f"- {headline(n)} ({format_ts(n.ts_ms)})" for n in d.top[:DIGEST_LINES]]
    if d.total > DIGEST_LINES:
        lines += ["", f"… and {d.total - min(DIGEST_LINES, len(d.top))} more"]
    return "\n".join(lines)


def clip_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"
