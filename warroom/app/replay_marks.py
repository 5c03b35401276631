"""What a replay jumps to: markers (alerts, incidents, plan steps, deploys, notes), incident
spans, and where a replay starts (``--at``). GUI-free; ``warroom.app.replay`` uses them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Protocol

from warroom.core.alerting.alerts import amends_root
from warroom.core.alerting.external import is_feed_alert
from warroom.core.incident.incidents import IncidentBook
from warroom.core.model import Event, EventKind, Severity
from warroom.core.language.names import event_title



class ReplaySpan(Protocol):
    """What ``parse_cursor`` needs of a replay (``ReplaySession`` has it): its span and incidents."""

    start_ms: int
    end_ms: int
    incident_spans: list[tuple[int, int, Severity, str]]

#: Marker kinds, in the order the time bar lists them.
MARKER_KINDS = ("alert", "incident", "plan", "deploy", "note")
#: Plan audit actions worth a marker (previews and sends are steps of the one decision).
_PLAN_MARKS = ("confirmed", "executed", "effective", "not_effective", "failed", "rolled_back", "expired",
               "stage_failed", "completed", "aborted")  # a staged shift's turning points
_INCIDENT_MARKS = ("opened", "escalated", "acknowledged", "mitigated", "recovering", "reopened", "merged",
                   "resolved")


@dataclass(frozen=True)
class Marker:
    """A moment worth jumping to: an alert firing, an incident step, a plan step, a deploy, a note."""

    ts: int
    kind: str  # one of MARKER_KINDS
    label: str
    severity: Severity = Severity.INFO
    subject: str = ""
    action: str = ""  # incidents and plans: the step (``opened``, ``recovering``, ``executed``…)


def markers_of(events: Iterable[Event]) -> list[Marker]:
    """The markers of an event log, oldest first."""
    out: list[Marker] = []
    for e in events:
        a = e.attrs
        label = event_title(e.title, a)  # in the console's language when the event says it in it
        if e.kind is EventKind.ALERT:
            # Root alerts firing: a symptom folded under its root is the same moment twice, and so
            # is another system's report of an alert (its console transition is the marker).
            if a.get("state") == "firing" and not a.get("folded_under") and not amends_root(a) \
                    and not is_feed_alert(e):
                out.append(Marker(e.ts, "alert", label, e.severity, e.subject))
        elif e.kind is EventKind.INCIDENT:
            if a.get("action") in _INCIDENT_MARKS:
                out.append(Marker(e.ts, "incident", label, e.severity, str(a.get("incident", e.subject)),
                                  str(a.get("action", ""))))
        elif e.kind is EventKind.ESCALATION:  # a missed response target: a step of its incident
            out.append(Marker(e.ts, "incident", label, e.severity, str(a.get("incident") or e.subject), "overdue"))
        elif e.kind is EventKind.PLAN_EXECUTION:
            if (a.get("action") in _PLAN_MARKS) if a.get("audit") else a.get("action") in ("execute", "rollback"):
                out.append(Marker(e.ts, "plan", label, e.severity, e.subject, str(a.get("action", ""))))
        elif e.kind in (EventKind.DEPLOY, EventKind.CONFIG_CHANGE):
            out.append(Marker(e.ts, "deploy", label, e.severity, e.subject))
        elif e.kind is EventKind.NOTE:
            out.append(Marker(e.ts, "note", label, e.severity, str(a.get("incident") or e.subject)))
        elif e.kind is EventKind.DRILL:  # a drill window started or ended: worth jumping to, like a note
            out.append(Marker(e.ts, "note", label, e.severity, e.subject, str(a.get("action", ""))))
    return sorted(out, key=lambda m: m.ts)


def incident_spans(events: Iterable[Event], end_ms: int) -> list[tuple[int, int, Severity, str]]:
    """``(detected, resolved or end_ms, severity, id)`` of every incident in a log (merged ones
    are part of the one they joined)."""
    book = IncidentBook.replay(events)
    return [(i.detected_ms, i.resolved_ms or end_ms, i.severity, i.id)
            for i in book.incidents() if not i.merged_into and i.detected_ms is not None]


#: A jump to an incident lands this long before its detection: the build-up is worth seeing.
LEAD_IN_MS = 2 * 60_000


def parse_cursor(text: str | None, session: ReplaySpan, *, incident: str | None = None,
                 worst: Callable[[str], int] | None = None) -> int:
    """Where a replay starts, from the ``--at`` text and ``--incident`` id (``ValueError`` if unusable).

    ``text``: None (the incident's detection, or the first incident's, less ``LEAD_IN_MS``;
    the start without incidents), ``start``, ``end``, ``worst`` (the incident's worst moment,
    by ``worst(incident_id)``), ``+5m`` after the start, ``-5m`` before the end, an ISO date
    and time (UTC+8 unless it says otherwise), ``HH:MM[:SS]`` on the history's first day
    (UTC+8), or epoch milliseconds.
    """
    from datetime import datetime, timedelta, timezone

    from warroom.core.settings.durations import parse_duration

    spans = {sid: start for start, _, _, sid in session.incident_spans}
    if incident is not None and incident not in spans:
        known = ", ".join(sorted(spans)) or "none"
        raise ValueError(f"no incident {incident!r} in this history (incidents: {known})")
    chosen = incident or (min(spans, key=spans.get) if spans else None)
    text = (text or "").strip()
    if not text:
        return session.start_ms if chosen is None else max(session.start_ms, spans[chosen] - LEAD_IN_MS)
    low = text.lower()
    if low == "start":
        return session.start_ms
    if low == "end":
        return session.end_ms
    if low == "worst":
        if chosen is None or worst is None:
            raise ValueError("--at worst needs an incident in the history")
        return int(worst(chosen))
    if text[0] in "+-" and not text[1:].isdigit():
        offset = int(parse_duration(text[1:]) * 1000)
        return session.start_ms + offset if text[0] == "+" else session.end_ms - offset
    if text.isdigit():
        return int(text)
    wall = timezone(timedelta(hours=8))
    try:
        if "-" in text[:10] and len(text) >= 10:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=wall)
            return int(moment.timestamp() * 1000)
        clock = datetime.strptime(text, "%H:%M:%S" if text.count(":") == 2 else "%H:%M").time()
    except ValueError:
        raise ValueError(f"--at {text!r}: expected start, end, worst, +5m, -5m, HH:MM[:SS], an ISO time or epoch ms") \
            from None
    first = datetime.fromtimestamp(session.start_ms / 1000, wall)
    moment = datetime.combine(first.date(), clock, wall)
    if moment < first - timedelta(minutes=1):
        moment += timedelta(days=1)  # a history that runs past midnight
    return int(moment.timestamp() * 1000)
