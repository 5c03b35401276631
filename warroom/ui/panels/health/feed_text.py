"""The feed's state, reasons and close reasons, and the console's own ``feed`` events, in the
UI language.

The feed client writes its status in technical English ("live from sim-7", "no data or
heartbeat for 12 s", "closed by server: 4008 slow consumer"); those strings stay in logs and
in the history file as they are. What a person reads on the wall (the feed-health panel, the
event feed) is rebuilt here from the pattern or from the event's attrs and translated.
A problem connecting (refused, unknown host, TLS…) is ``warroom.ui.start.feed_reason``'s sentence.
Text that matches nothing known is shown as it is (a feed's own words).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from warroom.core.model import Event, EventKind
from warroom.io.reconnect import CLOSE_CODES
from warroom.ui.start.feed_reason import reason_text

CONTEXT = "FeedText"

_LIVE = re.compile(r"^live from (.+)$")
_CONNECTING = re.compile(r"^connecting to (.+)$")
_SILENT = re.compile(r"^no data or heartbeat for (\d+) s$")
_NO_DATA = re.compile(r"^no data for (\d+) s$")
_LOST = re.compile(r"^connection lost: no close frame \((\d+)\)$")
_CLOSED = re.compile(r"^closed by (server|us|network): (\d+)(?: (.*))?$")
_LAST = "last disconnect: "  # warroom.app.session's LiveView.feed_last_close
_RETRYING = re.compile(r"^(.*); retrying in ([\d.]+) s$")


def close_words(code: int, reason: str = "") -> str:
    """A WebSocket close code's meaning in the UI language ("slow consumer" → 消费过慢)."""
    words = {
        1000: QCoreApplication.translate("FeedText", "normal closure"),
        1001: QCoreApplication.translate("FeedText", "going away"),
        1002: QCoreApplication.translate("FeedText", "protocol error"),
        1003: QCoreApplication.translate("FeedText", "unsupported data"),
        1006: QCoreApplication.translate("FeedText", "connection lost"),
        1007: QCoreApplication.translate("FeedText", "invalid data"),
        1008: QCoreApplication.translate("FeedText", "policy violation"),
        1009: QCoreApplication.translate("FeedText", "message too big"),
        1011: QCoreApplication.translate("FeedText", "server error"),
        1012: QCoreApplication.translate("FeedText", "service restart"),
        1013: QCoreApplication.translate("FeedText", "try again later"),
        4008: QCoreApplication.translate("FeedText", "slow consumer"),
    }.get(code, "")
    if reason and reason != CLOSE_CODES.get(code, ""):
        extra = status_text(reason)  # "no data for 12 s" is ours, so it is translated too
        words = f"{words} ({extra})" if words else extra
    return words


def status_text(text: str, url: str = "") -> str:
    """A feed status reason or close description (``LiveView.feed_reason``,
    ``feed_last_close``) in the UI language; the text itself when it is not one we wrote."""
    text = (text or "").strip()
    if not text:
        return ""
    m = _RETRYING.match(text)
    if m and not m.group(1).startswith("cannot connect"):
        return QCoreApplication.translate("FeedText", "%1; retrying in %2 s").replace(
            "%1", status_text(m.group(1), url)).replace("%2", m.group(2))
    if text.startswith(_LAST):
        return QCoreApplication.translate("FeedText", "last disconnect: %1").replace(
            "%1", status_text(text[len(_LAST):], url))
    if text == "not started":
        return QCoreApplication.translate("FeedText", "not started")
    if m := _LIVE.match(text):
        return QCoreApplication.translate("FeedText", "live from %1").replace("%1", m.group(1))
    if m := _CONNECTING.match(text):
        return QCoreApplication.translate("FeedText", "connecting to %1").replace("%1", m.group(1))
    if m := _SILENT.match(text):
        return QCoreApplication.translate("FeedText", "no data or heartbeat for %1 s").replace("%1", m.group(1))
    if m := _NO_DATA.match(text):
        return QCoreApplication.translate("FeedText", "no data for %1 s").replace("%1", m.group(1))
    if m := _LOST.match(text):
        return QCoreApplication.translate("FeedText", "connection lost: no close frame (%1)").replace("%1", m.group(1))
    if m := _CLOSED.match(text):
        by = {"server": QCoreApplication.translate("FeedText", "closed by the feed"),
              "us": QCoreApplication.translate("FeedText", "closed by this console"),
              "network": QCoreApplication.translate("FeedText", "connection lost")}[m.group(1)]
        code = int(m.group(2))
        words = close_words(code, _reason_of(code, m.group(3) or ""))
        return f"{by}: {code}" + (f" {words}" if words else "")
    return reason_text(text, url)


def _reason_of(code: int, words: str) -> str:
    """The close frame's own reason inside ``CloseInfo.describe()``'s words ("going away (no data for 12 s)")."""
    known = CLOSE_CODES.get(code, "")
    if known and words.startswith(known):
        rest = words[len(known):].strip()
        return rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest
    return words


def feed_event_text(event: Event) -> str | None:
    """The title of one of the console's own ``feed`` events in the UI language, rebuilt from
    its attrs; None for other events (and feed events of a kind not known here)."""
    if event.kind is not EventKind.FEED:
        return None
    a = event.attrs
    what = a.get("what")
    if what == "state":
        from warroom.ui.panels.health.panel import state_word

        reason = status_text(str(a.get("reason") or ""), event.subject)
        return QCoreApplication.translate("FeedText", "feed %1: %2").replace(
            "%1", state_word(str(a.get("state") or ""))).replace("%2", reason)
    if what == "errors" and isinstance(a.get("errors"), dict):
        counts = ", ".join(f"{code} × {n:,}" for code, n in a["errors"].items())
        return QCoreApplication.translate("FeedText", "protocol errors so far: %1").replace("%1", counts)
    if what == "topology" and isinstance(a.get("counts"), dict):
        return _topology_text(a["counts"])
    return None


def _topology_text(counts: dict) -> str:
    parts = {
        "added_services": QCoreApplication.translate("FeedText", "%1 services added"),
        "removed_services": QCoreApplication.translate("FeedText", "%1 services removed"),
        "changed_services": QCoreApplication.translate("FeedText", "%1 services changed"),
        "added_edges": QCoreApplication.translate("FeedText", "%1 calls added"),
        "removed_edges": QCoreApplication.translate("FeedText", "%1 calls removed"),
        "changed_edges": QCoreApplication.translate("FeedText", "%1 calls changed"),
        "added_scenarios": QCoreApplication.translate("FeedText", "%1 scenarios added"),
        "removed_scenarios": QCoreApplication.translate("FeedText", "%1 scenarios removed"),
        "changed_scenarios": QCoreApplication.translate("FeedText", "%1 scenarios changed"),
    }
    words = [parts[k].replace("%1", str(n)) for k, n in counts.items() if k in parts and n]
    return QCoreApplication.translate("FeedText", "topology changed: %1").replace(
        "%1", QCoreApplication.translate("FeedText", ", ").join(words))


__all__ = ["CONTEXT", "close_words", "feed_event_text", "status_text"]
