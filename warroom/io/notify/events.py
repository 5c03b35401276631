"""From the event log to a notification: alert and incident events become ``Notification``s.

The alert engine and the incident book write their transitions as ``Event`` rows; this is the
one place that decides how such a row reads as a message and what its dedup identity is:

- an incident event is keyed ``incident:<id>`` with the incident's action as state
  (``opened``, ``acknowledged``, ``resolved``…);
- an alert event is keyed ``alert:<fingerprint>`` with the alert's state (``firing``,
  ``resolved``…);
- an escalation event (a missed response target) is keyed ``incident:<id>`` with the state
  ``overdue``, which only escalation channels carry (``escalation.py``);
- anything else is keyed by its event id with its kind as state.
"""

from __future__ import annotations

from typing import Any

from warroom.core.incident.drills import drill_of
from warroom.core.model import Event
from warroom.io.notify.escalation import ESCALATION_STATE
from warroom.io.notify.model import Notification

_SHOWN = ("incident", "tier", "unacknowledged_min", "fingerprint", "rule", "root_cause", "series", "value",
          "threshold", "actor", "comment")


def _given(value: Any) -> bool:
    return value not in (None, "", [], ())


def notification_from_event(event: Event, *, url: str = "") -> Notification:
    """The notification for ``event``; ``url`` (e.g. a console link) wins over the runbook."""
    a, kind = event.attrs, getattr(event.kind, "value", event.kind)
    if kind == "incident":
        key, state = f"incident:{a.get('incident') or event.id}", a.get("action") or a.get("state")
    elif kind == "alert":
        key, state = f"alert:{a.get('fingerprint') or event.id}", a.get("state")
    elif kind == "escalation":  # a missed response target: the incident's key, routed apart
        key, state = f"incident:{a.get('incident') or event.id}", ESCALATION_STATE
    else:
        key, state = event.id, None
    lines = [f"Subject: {event.subject}"] if event.subject else []
    if _given(a.get("root_cause")) and a.get("root_cause") != event.subject:
        lines.append(f"Probable root cause: {a['root_cause']}")
    if _given(a.get("value")) and _given(a.get("threshold")):
        lines.append(f"Value {a['value']} against threshold {a['threshold']}")
    if kind == "escalation" and _given(a.get("target_ms")):
        lines.append(f"Not acknowledged within the {a.get('tier') or '?'} response target "
                     f"({int(a['target_ms']) // 60_000} min): nobody has taken it yet")
    elif _given(a.get("actor")):
        lines.append(f"By {a['actor']}" + (f": {a['comment']}" if _given(a.get("comment")) else ""))
    attrs = {k: a[k] for k in _SHOWN if _given(a.get(k))}
    drill = drill_of(event)
    if drill:  # a drill's page must never be taken for a real outage
        lines.insert(0, f"This is a DRILL ({drill}): not a production incident")
        attrs["drill"] = drill
    return Notification(
        key=key,
        state=str(state or kind),
        severity=getattr(event.severity, "value", event.severity),
        title=f"[DRILL] {event.title}" if drill else event.title,
        text="\n".join(lines),
        ts_ms=int(event.ts),
        url=url or str(a.get("runbook") or ""),
        attrs=attrs,
    )
