"""Which alerts belong to an incident, and when each was firing, from the event log.

An incident's own list (``Incident.alerts``) holds the alerts that joined it; the alert
that stands for the root cause often fires in the same second as the paging alert that
opens the incident, before there is an incident to join, and so is missing from that
list. For a report we take the wider, time-bounded view the console shows when it groups
alerts by root cause. An alert *belongs* to the incident when it fired at some time from
the incident's start until service was restored, and

- it is one of the incident's alerts, or
- one of its events in that span names the incident's root cause (``root_cause``, or the
  service it is about when it has none: never a scenario's subject), or
- it was folded under an alert that belongs.

An alert is *firing* from a ``firing`` (or ``acknowledged``) event until it is ``resolved``
or back to ``pending``: the same states ``AlertLog`` reports at a time. As ``AlertLog``, it
reads the console's transitions only: another system's report of an alert (``is_feed_alert``,
at its ``startsAt``, without the console's folding) shares the fingerprint of the transition
made from it.
"""

from __future__ import annotations

from typing import Iterable

from warroom.core.alerting.external import is_feed_alert
from warroom.core.incident.incidents import Incident
from warroom.core.language.lang import clean_titles
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.report.facts import AlertFacts

ACTIVE = ("firing", "acknowledged")
_ORDER = {"pending": 0, "firing": 1, "acknowledged": 2, "resolved": 3}
_SEVERITY_RANK = {"P0": 0, "P1": 1, "P2": 2, "P3": 3, "info": 4}


def incident_end(incident: Incident, log_end_ms: int) -> int:
    """Where the incident's trouble ends: when every alert resolved, else when service was
    restored (mitigated: the root may alert on, as the timeline tells), else the end of the log."""
    if incident.resolved_ms is not None:
        return max(incident.resolved_ms, incident.started_ms + 1)
    mitigated = getattr(incident, "mitigated_ms", None)
    if mitigated is not None and incident.state == "mitigated":
        return max(mitigated, incident.started_ms + 1)
    if incident.verified_ms is not None:
        return max(incident.verified_ms, incident.started_ms + 1)
    return max(log_end_ms, incident.started_ms + 1)


def related_alerts(events: Iterable[Event], incident: Incident, end_ms: int) -> list[AlertFacts]:
    """The alerts that belong to the incident (module docstring), roots first, then by
    severity and time of firing."""
    start = incident.started_ms
    by_fp: dict[str, list[Event]] = {}
    for ev in events:
        if ev.kind is EventKind.ALERT and ev.attrs.get("state") in _ORDER and not is_feed_alert(ev):
            fp = str(ev.attrs.get("fingerprint") or f"{ev.attrs.get('rule', '')}|{ev.subject}")
            by_fp.setdefault(fp, []).append(ev)
    members = set(incident.alerts)
    root = incident.root_cause
    spans: dict[str, list[tuple[int, int | None]]] = {}
    related: set[str] = set()
    for fp, evs in by_fp.items():
        evs.sort(key=lambda e: (e.ts, _ORDER[e.attrs["state"]]))
        sp = _spans(evs)
        sp = [(a, b) for a, b in sp if a < end_ms and (b is None or b > start)]
        if not sp:
            continue
        spans[fp] = sp
        names_root = bool(root) and any(_root_of(e) == root for e in evs if start <= e.ts <= end_ms)
        if fp in members or names_root:
            related.add(fp)
    # Symptoms folded under a related alert belong too (their folding may name another root).
    changed = True
    while changed:
        changed = False
        for fp in spans:
            if fp not in related and any(str(e.attrs.get("folded_under") or "") in related for e in by_fp[fp]):
                related.add(fp)
                changed = True
    out = [_facts(fp, by_fp[fp], spans[fp], end_ms) for fp in related]
    return sorted(out, key=lambda a: (not a.root, _SEVERITY_RANK.get(a.severity, 9), a.first_fired_ms,
                                      a.subject, a.fingerprint))


def firing_at(alerts: Iterable[AlertFacts], ts: int) -> list[AlertFacts]:
    """The alerts firing at ``ts`` (spans are half-open: a resolution at ``ts`` counts)."""
    return [a for a in alerts if any(s <= ts and (e is None or ts < e) for s, e in a.spans)]


def _spans(evs: list[Event]) -> list[tuple[int, int | None]]:
    out: list[tuple[int, int | None]] = []
    since: int | None = None
    for e in evs:
        active = e.attrs["state"] in ACTIVE
        if active and since is None:
            since = e.ts
        elif not active and since is not None:
            if e.ts > since:
                out.append((since, e.ts))
            since = None
    if since is not None:
        out.append((since, None))
    return out


def _facts(fp: str, evs: list[Event], spans: list[tuple[int, int | None]], end_ms: int) -> AlertFacts:
    first_fired = next(e for e in evs if e.attrs["state"] in ACTIVE and e.ts >= spans[0][0])
    # Folding is decided while an alert fires: read it from the last event up to the end.
    last = [e for e in evs if e.ts <= end_ms][-1]
    a = last.attrs
    folded = str(a.get("folded_under") or "")
    if not folded:  # a resolved event may have lost its folding: take it from the firing ones
        folded = next((str(e.attrs.get("folded_under")) for e in reversed(evs)
                       if e.attrs.get("folded_under") and e.attrs["state"] in ACTIVE), "")
    try:
        series = SeriesKey.parse(str(a.get("series") or ""))
    except ValueError:
        series = SeriesKey("unknown")
    threshold = first_fired.attrs.get("threshold")
    value = first_fired.attrs.get("value")
    return AlertFacts(
        fingerprint=fp, rule=str(a.get("rule") or ""), series=series, subject=last.subject,
        subject_kind=str(a.get("subject_kind") or ""), severity=first_fired.severity.value,
        title=first_fired.title, threshold=None if threshold is None else float(threshold),
        fired_value=None if value is None else float(value), root=not folded, folded_under=folded,
        root_cause=_root_of(last), spans=tuple(spans),
        titles=clean_titles(first_fired.attrs.get("titles")),
    )


def _root_of(ev: Event) -> str:
    """An alert event's root cause: its ``root_cause``, else its own service (an edge's callee);
    a scenario alert with none has none (a scenario is never a root)."""
    root = str(ev.attrs.get("root_cause") or "")
    if root:
        return root
    kind = ev.attrs.get("subject_kind")
    if kind == "edge" or (kind is None and "->" in ev.subject):
        return ev.subject.partition("->")[2]
    return ev.subject if kind in ("service", None) else ""


def firing_root(alerts: Iterable[AlertFacts], root: str, ts: int) -> bool:
    """True when an alert on the root cause itself (the service, or an edge to it) fires at ``ts``."""
    return bool(root) and any(a.root_cause == root and _node(a) == root for a in firing_at(alerts, ts))


def _node(a: AlertFacts) -> str:
    return a.subject.partition("->")[2] if a.subject_kind == "edge" else a.subject


def severity_rank(severity: str) -> int:
    """0 for P0 ... 4 for info."""
    return _SEVERITY_RANK.get(severity, 9)
