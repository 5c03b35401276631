"""The incident's story as timeline rows, and its notes, from the event log.

What goes in: the alerts that stand for a root cause firing, acknowledged and resolved;
the symptoms folded under them one by one when there are few (``FEW_SYMPTOMS``), else one
row per moment ("12 symptom alerts firing") naming them; the incident's own actions
(opened, acknowledged, root cause changed, recovering, resolved...; not every alert that
joined); notes; deploys, configuration changes and drill faults from ``CHANGE_LOOKBACK_MS``
before the start; and the steps of the plans run.
"""

from __future__ import annotations

from typing import Callable, Iterable

from warroom.core.alerting.external import is_feed_alert
from warroom.core.incident.action_items import ActionItem, is_action_item
from warroom.core.incident.incidents import Incident
from warroom.core.language.lang import pick
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.core.language.names import Names
from warroom.report.alerts import firing_root
from warroom.report.facts import AlertFacts, Note, PlanFacts, TimelineRow
from warroom.report.units import format_value, unit_of

FEW_SYMPTOMS = 5
CHANGE_LOOKBACK_MS = 15 * 60_000  # as IncidentBook's change_lookback_s
_ORDER = {"change": 0, "alert": 1, "incident": 2, "plan": 3, "note": 4}
_INCIDENT_TONE = {"opened": "crit", "reopened": "crit", "escalated": "crit", "mitigated": "warn", "recovering": "ok",
                  "resolved": "ok"}
_PLAN_TONE = {"effective": "ok", "not_effective": "crit", "failed": "crit", "rollback_failed": "crit",
              "rolled_back": "warn", "expired": "warn", "executed": "ok",
              "stage_failed": "crit", "stage_passed": "ok", "completed": "ok", "aborted": "warn", "paused": "warn"}


def timeline_rows(events: list[Event], incident: Incident, alerts: list[AlertFacts], plans: list[PlanFacts],
                  start_ms: int, end_ms: int, items: Iterable[ActionItem] = (), *,
                  lang: str = "en", names: Names | None = None) -> list[TimelineRow]:
    """The rows from ``start_ms`` (the incident's start) to ``end_ms`` (its verification or the log's end).
    Event titles are taken in ``lang`` when the event carries one (``attrs["titles"]``); services,
    scenarios and plans are called by their ``names`` (ids when the feed named none)."""
    def title(ev: Event) -> str:
        return pick(ev.title, ev.attrs.get("titles"), lang)

    def nm(ident: str, kind: str = "") -> str:
        return names.subject(ident, kind, lang) if names is not None and ident else ident

    rows: list[tuple[int, int, int, TimelineRow]] = []

    def add(kind: str, row: TimelineRow, seq: int = 0) -> None:
        rows.append((row.ts, _ORDER[kind], seq, row))

    by_fp = {a.fingerprint: a for a in alerts}
    symptoms = [a for a in alerts if not a.root]
    for a in alerts:
        if not a.root and len(symptoms) > FEW_SYMPTOMS:
            continue
        what = "ev_alert" if a.root else "ev_symptom"
        under = by_fp.get(a.folded_under)
        detail = a.title if a.root or under is None else f"{a.title} ({nm(under.subject, under.subject_kind)})"
        subject = nm(a.subject, a.subject_kind)
        for s, e in a.spans:
            if start_ms <= s <= end_ms:
                add("alert", TimelineRow(s, f"{what}_firing", subject=subject, detail=detail, tone="crit"))
            if e is not None and start_ms <= e <= end_ms:
                add("alert", TimelineRow(e, f"{what}_resolved", subject=subject, detail=a.title, tone="ok"))
    if len(symptoms) > FEW_SYMPTOMS:
        for state, at in (("firing", 0), ("resolved", 1)):
            groups: dict[int, list[AlertFacts]] = {}
            for a in symptoms:
                for span in a.spans:
                    t = span[at]
                    if t is not None and start_ms <= t <= end_ms:
                        groups.setdefault(t, []).append(a)
            for t, group in groups.items():
                roots = sorted({nm(r.subject, r.subject_kind) for r in (by_fp.get(a.folded_under) for a in group)
                                if r is not None})
                add("alert", TimelineRow(t, f"ev_symptoms_{state}", {"n": len(group)}, subject=", ".join(roots),
                                         tone="crit" if state == "firing" else "ok",
                                         subjects=tuple(sorted({nm(a.subject, a.subject_kind) for a in group}))))
    fps = {a.fingerprint for a in alerts if a.root}
    for ev in events:
        a = ev.attrs
        # People acknowledge the console's alerts; a feed's alert event saying so is not a person.
        if ev.kind is EventKind.ALERT and a.get("state") == "acknowledged" and a.get("fingerprint") in fps \
                and not is_feed_alert(ev):
            if start_ms <= ev.ts <= end_ms:
                add("alert", TimelineRow(ev.ts, "ev_alert_acknowledged", subject=nm(ev.subject),
                                         actor=str(a.get("actor") or ""), detail=str(a.get("comment") or "")))
    for ev in incident.timeline:
        if ev.kind is EventKind.INCIDENT and ev.attrs.get("action") != "alert_joined":
            row = _incident_row(ev, title(ev), nm)
            if row.what == "ev_incident_recovering" and firing_root(alerts, incident.root_cause, ev.ts):
                # A log from before mitigation existed: never "all alerts resolved" while the root fires.
                row = TimelineRow(row.ts, "ev_incident_mitigated", subject=row.subject, tone="warn")
            add("incident", row, int(ev.attrs.get("seq") or 0))
    for ev in events:  # a missed response target (warroom.core.incident.escalation), once per tier
        if ev.kind is EventKind.ESCALATION and ev.attrs.get("incident") == incident.id and start_ms <= ev.ts <= end_ms:
            minutes = int(ev.attrs.get("target_ms") or 0) // 60_000
            add("incident", TimelineRow(ev.ts, "ev_response_missed",
                                        {"tier": str(ev.attrs.get("tier") or ev.severity.value), "minutes": minutes},
                                        subject=nm(ev.subject), tone="crit"))
    for note in incident_notes(events, incident, start_ms, end_ms):
        add("note", TimelineRow(note.ts, "ev_note", actor=note.actor, detail=note.text))
    for item in items:
        if start_ms <= item.ts <= end_ms:
            add("note", TimelineRow(item.ts, "ev_action_item", {"owner": item.owner}, subject=item.owner,
                                    actor=item.actor, detail=item.text))
    for ev in events:
        if not start_ms - CHANGE_LOOKBACK_MS <= ev.ts <= end_ms:
            continue
        if ev.kind in (EventKind.DEPLOY, EventKind.CONFIG_CHANGE):
            add("change", TimelineRow(ev.ts, f"ev_{ev.kind.value}", subject=nm(ev.subject),
                                      actor=str(ev.attrs.get("actor") or ev.attrs.get("author") or ""),
                                      detail=title(ev), tone="warn"))
        elif ev.kind is EventKind.FAULT:
            cleared = ev.attrs.get("action") == "clear"
            add("change", TimelineRow(ev.ts, "ev_fault_cleared" if cleared else "ev_fault", subject=nm(ev.subject),
                                      detail=title(ev), tone="" if cleared else "warn"))
    by_run = {p.run: p for p in plans}
    runs = set(by_run)
    titles = {p.plan_id: p.title for p in plans}
    plan_ids = set(titles)
    previews = {p.preview_ms for p in plans if p.preview_ms is not None}
    for ev in events:
        a = ev.attrs
        if ev.kind is not EventKind.PLAN_EXECUTION or not start_ms <= ev.ts <= end_ms:
            continue
        if a.get("audit"):
            action = str(a.get("action") or "")
            is_preview = action == "previewed" and a.get("plan_id") in plan_ids and ev.ts in previews
            if a.get("run") in runs or is_preview:
                add("plan", TimelineRow(ev.ts, "ev_plan", {"action": action}, subject=nm(ev.subject, "plan"),
                                        actor=str(a.get("actor") or ""), detail=_plan_detail(ev, by_run, titles),
                                        tone=_PLAN_TONE.get(action, "")),
                    a.get("n") if isinstance(a.get("n"), int) else 0)
        elif a.get("plan_id", ev.subject) not in plan_ids:
            add("plan", TimelineRow(ev.ts, "ev_plan_feed", subject=nm(ev.subject), actor=str(a.get("actor") or ""),
                                    detail=title(ev)))
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


def incident_notes(events: Iterable[Event], incident: Incident, start_ms: int, end_ms: int,
                   *, review: bool = False) -> list[Note]:
    """Notes made during the incident (``review=False``) or in a later review (``review=True``).

    A note belongs when its ``attrs["incident"]`` names the incident, or when it has no
    incident and was put on the incident's timeline (during: by the incident book; review:
    by its time, within ``[start_ms, end_ms]``). Review notes have ``attrs["review"]`` true.
    """
    on_timeline = {e.id for e in incident.timeline if e.kind is EventKind.NOTE}
    out = []
    for ev in events:
        if ev.kind is not EventKind.NOTE or bool(ev.attrs.get("review")) != review or is_action_item(ev):
            continue  # action items have their own section
        named = ev.attrs.get("incident")
        if named:
            if named != incident.id:
                continue
        elif not (ev.id in on_timeline or (review and start_ms <= ev.ts <= end_ms)):
            continue
        text = str(ev.attrs.get("text") or ev.title)
        out.append(Note(ev.ts, str(ev.attrs.get("actor") or ""), text, review))
    return sorted(out, key=lambda n: n.ts)


def _plan_detail(ev: Event, by_run: dict[str, PlanFacts], titles: dict[str, str]) -> str:
    """The reason when confirmed, the guard KPI before → after when verified, else the plan's title."""
    a = ev.attrs
    action = a.get("action")
    run = by_run.get(str(a.get("run") or ""))
    if action == "confirmed" and a.get("reason"):
        return str(a["reason"])
    if isinstance(action, str) and (action.startswith("stage_") or action in ("paused", "continued", "aborted")):
        # A staged shift's step: which stage, and why it failed or who paused it and why.
        stage = str(a.get("stage_name") or "")
        why = a.get("message") if action == "stage_failed" else a.get("reason") if action in (
            "paused", "continued", "aborted") else ""
        return f"{stage}: {why}" if why else stage
    if action in ("effective", "not_effective") and run is not None and run.guard:
        try:
            unit = unit_of(SeriesKey.parse(str(run.guard.get("series", ""))).name)
        except ValueError:
            unit = "plain"
        before, after = a.get("before"), a.get("after")
        num = (lambda v: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
        return (f"{run.guard.get('series', '')}: {format_value(num(before), unit)} → "
                f"{format_value(num(after), unit)}")
    return run.title if run is not None else titles.get(str(a.get("plan_id") or ""), ev.title)


def _incident_row(ev: Event, title: str | None = None, nm: Callable[[str], str] = str) -> TimelineRow:
    a = ev.attrs
    action = str(a.get("action") or "")
    detail = str(a.get("comment") or "")
    if action == "root_cause_changed":
        detail = f"{nm(str(a.get('previous_root_cause') or ''))} → {nm(str(a.get('root_cause') or ''))}"
    elif action == "owner_changed":
        detail = str(a.get("owner") or "")
    elif action == "escalated":
        detail = ev.severity.value
    elif action == "merged":
        detail = str(a.get("merged_from") or a.get("merged_into") or "")
    elif action == "opened":
        detail = ev.title if title is None else title
    return TimelineRow(ev.ts, f"ev_incident_{action}", subject=nm(ev.subject), actor=str(a.get("actor") or ""),
                       detail=detail, tone=_INCIDENT_TONE.get(action, ""))
