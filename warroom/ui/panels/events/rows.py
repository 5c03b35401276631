"""What one row of the event feed says about a state change, and which rows fold together.

An alert or incident event is a state change, and the feed says which: the kind column
reads FIRING, ACKED, MITIGATED or RESOLVED for an alert, OPENED, MITIGATED, RESOLVED or ROOT
CAUSE for an incident, coloured by what the change means for the room (red: a P0/P1 firing
or an incident opened; amber: mitigated, or a P2/P3 firing; green: resolved). A bare "ALERT P1"
in red whatever the state told the room nothing.

Noise stays out: an alert going pending (or clearing before it fired) and an alert joining an
incident are bookkeeping, hidden unless asked for (``routine``); an event that only records a
new root cause for an alert (``amends: "root_cause"``) never makes a row. An alert that flaps
is one row: transitions of the same alert (its fingerprint, else its subject and title) within
``FOLD_WINDOW_MS`` of the last fold into the newest, which shows the latest state and how
many times it fired ("×4").

An alert another system sent (Alertmanager through a gateway: ``is_feed_alert``) is in the log
twice: the feed's own event, at its ``startsAt``/``endsAt``, and the console's transition made
from it, when the console heard it. The transition is the console's alert and folds and counts
as any other. The feed's event stays visible as what the other system said: its own row, never
folded or counted as a firing, its kind word the plain "ALERT" in the dim colour (the red
"FIRING" is the console's row) and its text naming the source ("Alertmanager says firing: …").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from PySide6.QtCore import QCoreApplication

from warroom.core.alerting.alerts import amends_root
from warroom.core.alerting.external import is_feed_alert
from warroom.core.language.names import Names, event_title
from warroom.core.model import Event, EventKind, Severity

CONTEXT = "EventFeedPanel"
#: Transitions of one alert this close together (ms) are one row.
FOLD_WINDOW_MS = 10 * 60_000

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls


@dataclass(frozen=True)
class FeedRow:
    """One row: the newest event of its fold, how many times its alert fired, the first time."""

    event: Event
    count: int = 1
    first_ts: int = 0


def alert_state(ev: Event) -> str:
    """An alert event's state (``pending``, ``firing``, ``acknowledged``, ``mitigated``,
    ``resolved``), ``cleared`` for a pending alert that resolved without firing; "" if none."""
    state = str(ev.attrs.get("state") or "")
    if state == "resolved" and ev.attrs.get("fired") is False:
        return "cleared"
    return state


def is_amend(ev: Event) -> bool:
    """An alert event that only records a new root cause: never a row."""
    return ev.kind is EventKind.ALERT and amends_root(ev.attrs)


def is_routine(ev: Event) -> bool:
    """Bookkeeping a room need not read: pending alerts (and those clearing unfired), alerts
    joining an incident. Shown only when the pending filter is on."""
    if ev.kind is EventKind.ALERT:
        return alert_state(ev) in ("pending", "cleared")
    if ev.kind is EventKind.INCIDENT:
        return str(ev.attrs.get("action") or "") == "alert_joined"
    return False


def fold_key(ev: Event) -> tuple | None:
    """What makes two events the same flapping alert (None: the event never folds; nor does
    another system's report of an alert, whose console transition folds instead)."""
    if ev.kind is not EventKind.ALERT or not ev.attrs.get("state") or is_feed_alert(ev):
        return None
    fp = str(ev.attrs.get("fingerprint") or "")
    return ("fp", fp) if fp else ("title", ev.subject, ev.title)


def fold(events: Iterable[Event], *, show_routine: bool = False,
         window_ms: int = FOLD_WINDOW_MS) -> list[FeedRow]:
    """The rows for ``events`` (any order), newest first: amends dropped, routine events
    dropped unless ``show_routine``, transitions of one alert within ``window_ms`` of each
    other folded into the newest."""
    rows: list[FeedRow | None] = []
    last: dict[tuple, int] = {}  # fold key -> index in rows of its newest row
    for ev in sorted(events, key=lambda e: e.ts):
        if is_amend(ev) or (not show_routine and is_routine(ev)):
            continue
        key = fold_key(ev)
        fired = 1 if alert_state(ev) == "firing" else 0
        at = last.get(key) if key is not None else None
        prev = rows[at] if at is not None else None
        if prev is not None and ev.ts - prev.event.ts <= window_ms:
            rows[at] = None
            rows.append(FeedRow(ev, prev.count + fired, prev.first_ts))
        else:
            rows.append(FeedRow(ev, max(1, fired), ev.ts))
        if key is not None:
            last[key] = len(rows) - 1
    return [r for r in rows[::-1] if r is not None]


# -- words and colours ---------------------------------------------------------------------
def _alert_word(state: str) -> str:
    return {
        "pending": translate("EventFeedPanel", "PENDING"),
        "cleared": translate("EventFeedPanel", "CLEARED"),
        "firing": translate("EventFeedPanel", "FIRING"),
        "acknowledged": translate("EventFeedPanel", "ACKED"),
        "mitigated": translate("EventFeedPanel", "MITIGATED"),
        "resolved": translate("EventFeedPanel", "RESOLVED"),
    }.get(state, "")


def _incident_word(action: str) -> str:
    return {
        "opened": translate("EventFeedPanel", "OPENED"),
        "alert_joined": translate("EventFeedPanel", "JOINED"),
        "root_cause_changed": translate("EventFeedPanel", "ROOT CAUSE"),
        "escalated": translate("EventFeedPanel", "ESCALATED"),
        "acknowledged": translate("EventFeedPanel", "ACKED"),
        "owner_changed": translate("EventFeedPanel", "OWNER"),
        "mitigated": translate("EventFeedPanel", "MITIGATED"),
        "recovering": translate("EventFeedPanel", "RECOVERING"),
        "reopened": translate("EventFeedPanel", "REOPENED"),
        "resolved": translate("EventFeedPanel", "RESOLVED"),
        "merged": translate("EventFeedPanel", "MERGED"),
    }.get(action, "")


def state_word(ev: Event) -> str:
    """The state change an alert or incident event records, as the kind column prints it
    ("FIRING", "MITIGATED"…); "" for other events (they print their kind), including another
    system's report of an alert (``is_feed_alert``): the console's own row says FIRING."""
    if ev.kind is EventKind.ALERT:
        return "" if is_feed_alert(ev) else _alert_word(alert_state(ev))
    if ev.kind is EventKind.INCIDENT:
        return _incident_word(str(ev.attrs.get("action") or ""))
    return ""


def _paging(ev: Event) -> bool:
    return ev.severity in (Severity.P0, Severity.P1)


def state_level(ev: Event) -> str | None:
    """The colour level of a state change (``crit``, ``warn``, ``ok``, ``change`` or ``info``);
    None for an event that records none (coloured by its severity and kind). Another system's
    report of an alert is ``info``: the console's transition row carries the colour."""
    if is_feed_alert(ev):
        return "info"
    if not state_word(ev):
        return None
    if ev.kind is EventKind.ALERT:
        state = alert_state(ev)
        if state in ("firing", "acknowledged"):  # acknowledged: someone is on it, still broken
            return "crit" if _paging(ev) else "warn"
        return {"mitigated": "warn", "resolved": "ok"}.get(state, "info")
    action = str(ev.attrs.get("action") or "")
    if action in ("opened", "reopened", "escalated"):
        return "crit" if _paging(ev) else "warn"
    return {"mitigated": "warn", "recovering": "ok", "resolved": "ok", "root_cause_changed": "change",
            "acknowledged": "change", "owner_changed": "change"}.get(action, "info")


def incident_text(ev: Event, names: Names) -> str:
    """What an incident event says happened ("Incident mitigated: …", "Root cause now … (was …): why")."""
    a = ev.attrs
    action = str(a.get("action") or "")
    title = event_title(ev.title, a)

    def name(ident: object) -> str:
        ident = str(ident or "")
        return names.subject(ident) if ident else translate("EventFeedPanel", "unknown")

    if action == "root_cause_changed":
        text = translate("EventFeedPanel", "Root cause now %1 (was %2)").replace(
            "%1", name(a.get("root_cause"))).replace("%2", name(a.get("previous_root_cause")))
        reason = str(a.get("reason") or "").strip()
        return f"{text}: {reason}" if reason else text
    words = {
        "opened": translate("EventFeedPanel", "Incident opened: %1"),
        "mitigated": translate("EventFeedPanel", "Incident mitigated (users recovered, root still alerting): %1"),
        "recovering": translate("EventFeedPanel", "Incident recovering: %1"),
        "resolved": translate("EventFeedPanel", "Incident resolved: %1"),
        "reopened": translate("EventFeedPanel", "Incident reopened: %1"),
        "escalated": translate("EventFeedPanel", "Incident escalated to %2: %1"),
        "acknowledged": translate("EventFeedPanel", "Incident acknowledged by %2: %1"),
        "owner_changed": translate("EventFeedPanel", "Incident owner %2: %1"),
        "merged": translate("EventFeedPanel", "Incident merged: %1"),
        "alert_joined": translate("EventFeedPanel", "Alert joined the incident: %1"),
    }
    pattern = words.get(action)
    if pattern is None:
        return title
    second = {"escalated": ev.severity.value, "acknowledged": str(a.get("actor") or "?"),
              "owner_changed": str(a.get("owner") or "?")}.get(action, "")
    return pattern.replace("%2", second).replace("%1", title)


def feed_alert_text(ev: Event) -> str:
    """What another system said of an alert (a raw feed alert, ``is_feed_alert``), naming it:
    "Alertmanager says firing: Cart error rate above 5 %"."""
    source = str(ev.attrs.get("source") or "")
    who = "Alertmanager" if source == "alertmanager" else source or translate("EventFeedPanel", "another system")
    title = event_title(ev.title, ev.attrs)
    pattern = {"firing": translate("EventFeedPanel", "%1 says firing: %2"),
               "resolved": translate("EventFeedPanel", "%1 says resolved: %2")}.get(str(ev.attrs.get("state") or ""))
    return title if pattern is None else pattern.replace("%1", who).replace("%2", title)
