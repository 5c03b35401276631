"""Gather a post-incident report's facts from a history (or an incident bundle).

``build_report(reader, incident_id)`` reads the event log once, rebuilds the incidents
(``IncidentBook.replay``), their times (``warroom.core.northstar.mttx``) and the plan runs, picks the
alerts that belong to the incident and its worst moment, and reads the few series the
charts and the map need, downsampled. The result is plain data (``warroom.report.facts``)
that ``render_html`` prints and tests check without parsing HTML.
"""

from __future__ import annotations

from dataclasses import replace

import warroom
from warroom.core.incident.action_items import action_items
from warroom.core.clock import wall_ms
from warroom.core.alerting.health import edge_level, service_level, thresholds_by_service
from warroom.core.incident.incidents import Incident, IncidentBook
from warroom.core.language.lang import pick
from warroom.core.graph.layout import StableLayout
from warroom.core.model import Event, SeriesKey
from warroom.core.northstar.mttx import incident_times
from warroom.report.drill import score_of_incident
from warroom.core.language.names import Names
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.protocol.parse import parse_plans
from warroom.report.alerts import firing_root, incident_end, related_alerts, severity_rank
from warroom.report.funnel import chart_range
from warroom.report.facts import (
    AlertFacts, Chart, Kpis, MapEdge, MapFacts, MapNode, Marker, Report, ReportError, Series, Summary,
)
from warroom.report.impact import alert_seconds, scenario_impacts
from warroom.report.plans import plan_facts
from warroom.report.timeline import incident_notes, timeline_rows
from warroom.report.units import RATIO, unit_of
from warroom.report.worst import find_worst
from warroom.store.query import HistoryReader

ALL_TIME_MS = 4_102_444_800_000  # 2100-01-01: "every event"
CHART_POINTS = 300  # per series: enough for a page, the store keeps min/max per bucket
SMALL_CHART_POINTS = 120  # per series of a small multiple (a third of the page wide)
MAX_ROOT_CHARTS = 4
MAX_SYMPTOM_CHARTS = 3
MIN_MARGIN_MS = 120_000
MAX_MARGIN_MS = 3_600_000
MTTR_GOAL_S = 60.0
STALE_MS = 30_000  # a reading older than this at the worst moment is "no data", as on the wall


def build_report(reader: HistoryReader, incident_id: str, *, source: str = "",
                 events: list[Event] | None = None, lang: str = "en") -> Report:
    """The facts of one incident's report. ``ReportError`` names the known incidents when
    ``incident_id`` is not one of them. Names and titles the feed or the rules give per
    language (``titles``) are taken in ``lang``; the default ones otherwise."""
    events = reader.events(0, ALL_TIME_MS) if events is None else events
    incident = find_incident(events, incident_id)
    span = reader.time_range()
    log_end = max([e.ts for e in events] + ([span[1]] if span else []))
    end = incident_end(incident, log_end)
    alerts = [replace(a, title=pick(a.title, a.titles, lang)) for a in related_alerts(events, incident, end)]
    worst = find_worst(reader, alerts, incident.started_ms, end)
    story_end = incident.verified_ms or (end if incident.resolved_ms is not None else log_end)
    topology = reader.graph_at(worst.ts)
    catalogue = plans_at(reader, incident.started_ms)
    names = Names(topology, catalogue)
    plans = plan_facts(events, incident.started_ms, story_end, catalogue=catalogue, names=names, lang=lang)

    resolved = incident.resolved_ms
    mitigated = getattr(incident, "mitigated_ms", None)
    restored = mitigated if mitigated is not None else resolved  # service restored: users recovered
    margin = min(MAX_MARGIN_MS, max(MIN_MARGIN_MS, (end - incident.started_ms) // 2))
    w0, w1 = incident.started_ms - margin, end + margin
    if span:
        w0, w1 = max(w0, span[0]), min(w1, span[1] + 1)
    markers = [Marker(incident.detected_ms, "detected")]
    markers += [Marker(p.executed_ms, "plan") for p in plans if p.executed_ms is not None]
    if mitigated is not None and mitigated != resolved:
        markers.append(Marker(mitigated, "mitigated"))
    if resolved is not None:
        markers.append(Marker(resolved, "resolved"))

    charts, left_out = alert_charts(reader, alerts, w0, w1)
    grid = small_multiples(reader, alerts, left_out, w0, w1)
    affected = _affected_scenarios(alerts)
    scenario_chart, unaffected = _scenario_chart(reader, topology, affected, alerts, w0, w1, lang)
    times = next((t for t in incident_times(events, include_drills=True) if t.id == incident.id), None)
    items = action_items(events, incident.id)
    firing_s = {s: alert_seconds([sp for a in alerts if a.series.labels.get("scenario") == s
                                  and a.subject_kind == "scenario" for sp in a.spans], incident.started_ms, end)
                for s in affected}
    stored = [k.labels.get("scenario", "") for k in reader.series("scenario_tps")]
    titles = {s: _scenario_title(topology, s, lang) for s in {*stored, *affected} if s}
    impact = scenario_impacts(reader, incident.started_ms, end, titles=titles, affected=firing_s)
    root = _root_cause(incident.root_cause, names)
    summary = Summary(
        id=incident.id, title=pick(incident.title, getattr(incident, "titles", None), lang), severity=incident.severity.value, state=incident.state,
        root_cause=root, owner=incident.owner, started_ms=incident.started_ms,
        detected_ms=incident.detected_ms, acked_ms=incident.acked_ms, resolved_ms=resolved,
        verified_ms=incident.verified_ms,
        duration_s=None if restored is None else (restored - incident.started_ms) / 1000,
        alerts=len(alerts), root_alerts=sum(1 for a in alerts if a.root),
        scenarios=tuple((s, _scenario_title(topology, s, lang)) for s in affected),
        root_cause_name=names.subject(root, lang=lang) if root else "",
        mitigated_ms=mitigated, root_firing=firing_root(alerts, root, story_end - 1),
    )
    return Report(
        summary=summary,
        kpis=Kpis(*((times.mttd_s, times.mtta_s, times.mttr_s) if times else (None, None, None)), MTTR_GOAL_S,
                  times.mttr_mitigated_s if times else None),
        timeline=tuple(timeline_rows(events, incident, alerts, plans, incident.started_ms, story_end, items,
                                        lang=lang, names=names)),
        alerts=tuple(alerts), charts=tuple(charts), charts_left_out=tuple(left_out),
        scenario_chart=scenario_chart, scenarios_unaffected=tuple(unaffected), markers=tuple(markers),
        worst_ms=worst.ts, worst_firing=worst.firing, worst_success=worst.success,
        map=None if topology is None else map_facts(reader, topology, worst.ts, root, lang),
        plans=tuple(plans),
        notes=tuple(incident_notes(events, incident, incident.started_ms, story_end)),
        review_notes=tuple(incident_notes(events, incident, incident.started_ms, story_end, review=True)),
        source=source, generated_ms=wall_ms(), version=warroom.__version__, window=(w0, w1),
        impact=impact if impact.scenarios else None, action_items=tuple(items), symptom_grid=tuple(grid),
        drill=score_of_incident(events, incident.id),
    )


def _root_cause(root: str, names: Names) -> str:
    """The incident's root as the report names it: a service, or "" (unknown). A log written
    before incidents were rooted honestly may name a scenario: that is no root."""
    if root and names.knows("scenario", root) and not names.knows("service", root):
        return ""
    return root


def find_incident(events: list[Event], incident_id: str) -> Incident:
    """The incident with this id as the log has it; ``ReportError`` listing the known ones if none."""
    incidents = IncidentBook.replay(events).incidents()
    for inc in incidents:
        if inc.id == incident_id:
            if inc.merged_into:
                raise ReportError(f"incident {incident_id} was merged into {inc.merged_into}: report on that one")
            return inc
    known = [f"{i.id} ({i.title})" for i in incidents if not i.merged_into]
    listing = "\n  ".join(known) if known else "(none: this history has no incidents)"
    raise ReportError(f"no incident {incident_id!r} in this history; known incidents:\n  {listing}")


def plans_at(reader: HistoryReader, ts_ms: int) -> tuple[Plan, ...]:
    """The plan catalogue as recorded at ``ts_ms`` (or the first one recorded after it): for
    the plans' names and steps in the report's language."""
    wire = reader.plans_at(ts_ms)
    if wire is None:
        later = reader.snapshots("plan_catalogues")
        wire = later[0][1] if later else None
    if wire is None:
        return ()
    catalogue, _errors = parse_plans(wire, int(wire.get("ts", ts_ms)), 10**15)
    return catalogue.plans


def alert_charts(reader: HistoryReader, alerts: list[AlertFacts], start_ms: int,
                 end_ms: int) -> tuple[list[Chart], list[AlertFacts]]:
    """Charts of the root alerts (at most ``MAX_ROOT_CHARTS``) and of the worst symptoms
    (``MAX_SYMPTOM_CHARTS``: the most severe, then the furthest past their threshold, one
    per metric first). Two alerts on one series share a chart. Returns the charts and the
    alerts not drawn."""
    roots = [a for a in alerts if a.root][:MAX_ROOT_CHARTS]
    symptoms = sorted((a for a in alerts if not a.root),
                      key=lambda a: (severity_rank(a.severity), -_excess(a), a.first_fired_ms, a.subject))
    chosen: list[AlertFacts] = []
    for a in roots:
        if not any(c.series == a.series for c in chosen):
            chosen.append(a)
    # The worst symptom of each kind of metric first (a scenario's success rate, a service's
    # errors, an edge's errors...): three charts of the same drop would tell one thing thrice.
    for distinct in (True, False):
        for a in symptoms:
            if sum(1 for c in chosen if not c.root) >= MAX_SYMPTOM_CHARTS:
                break
            if any(c.series == a.series for c in chosen):
                continue
            if distinct and any(not c.root and c.series.name == a.series.name for c in chosen):
                continue
            chosen.append(a)
    drawn = {c.series for c in chosen}
    left_out = [a for a in alerts if a.series not in drawn]
    data = chart_range(reader, [a.series for a in chosen], start_ms, end_ms, CHART_POINTS)
    charts = []
    for a in chosen:
        same = [b for b in alerts if b.series == a.series]
        thresholds = tuple(sorted({b.threshold for b in same if b.threshold is not None}))
        firing = tuple(sorted((max(s, start_ms), min(end_ms if e is None else e, end_ms))
                              for b in same for s, e in b.spans if s < end_ms))
        charts.append(Chart(a.title, unit_of(a.series.name), start_ms, end_ms,
                            (_series(a.series, a.subject, data[a.series]),), thresholds, firing, a))
    return charts, left_out


def small_multiples(reader: HistoryReader, alerts: list[AlertFacts], left_out: list[AlertFacts],
                    start_ms: int, end_ms: int) -> list[Chart]:
    """A small chart for every alert series not charted in full (one per series, alerts on the
    same series together), worst first as ``alert_charts`` orders them, same time span."""
    order = sorted(left_out, key=lambda a: (severity_rank(a.severity), -_excess(a), a.first_fired_ms, a.subject))
    keys = list(dict.fromkeys(a.series for a in order))
    if not keys:
        return []
    data = chart_range(reader, keys, start_ms, end_ms, SMALL_CHART_POINTS)
    charts = []
    for key in keys:
        same = [b for b in alerts if b.series == key]
        a = next(b for b in order if b.series == key)
        thresholds = tuple(sorted({b.threshold for b in same if b.threshold is not None}))
        firing = tuple(sorted((max(s, start_ms), min(end_ms if e is None else e, end_ms))
                              for b in same for s, e in b.spans if s < end_ms))
        charts.append(Chart(a.title, unit_of(key.name), start_ms, end_ms,
                            (_series(key, a.subject, data[key]),), thresholds, firing, a))
    return charts


def map_facts(reader: HistoryReader, topology: Topology, ts_ms: int, root_cause: str, lang: str = "en") -> MapFacts:
    """Every service and edge with its health level at ``ts_ms``, graded as the console does."""
    positions = StableLayout().update(topology)
    thresholds = thresholds_by_service(topology)
    keys: dict[str, tuple[SeriesKey, ...]] = {}
    for svc in topology.services:
        s = {"service": svc.name}
        keys[svc.name] = (SeriesKey("service_requests_rate", s), SeriesKey("service_error_ratio", s),
                          SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}),
                          SeriesKey("service_saturation_ratio", s))
    edge_keys = {e.key: SeriesKey("edge_error_ratio", {"caller": e.caller, "callee": e.callee})
                 for e in topology.edges}
    wanted = [k for ks in keys.values() for k in ks] + list(edge_keys.values())
    latest = reader.latest(wanted, at_ms=ts_ms, lookback_ms=STALE_MS)

    def value(key: SeriesKey) -> float | None:
        hit = latest.get(key)
        return hit[1] if hit is not None and ts_ms - hit[0] <= STALE_MS else None

    nodes = []
    for svc in topology.services:
        rps, err, p99, sat = (value(k) for k in keys[svc.name])
        th = thresholds[svc.name]
        x, y = positions[svc.name]
        label = pick(svc.title or svc.name, getattr(svc, "titles", None), lang)
        nodes.append(MapNode(svc.name, label, svc.kind.value, x, y, service_level(err, p99, sat, th),
                             rps, err, p99, sat, th.p99_warn_s, th.saturation_warn, svc.name == root_cause))
    edges = []
    for e in topology.edges:
        err = value(edge_keys[e.key])
        edges.append(MapEdge(e.caller, e.callee, edge_level(err, thresholds.get(e.caller)), err))
    return MapFacts(ts_ms, tuple(nodes), tuple(edges))


# -- helpers ------------------------------------------------------------------------------------
def _series(key: SeriesKey, label: str, d) -> Series:
    return Series(key, label, tuple(d.ts.tolist()), tuple(d.value.tolist()), tuple(d.min.tolist()),
                  tuple(d.max.tolist()), d.bucket_ms)


def _excess(a: AlertFacts) -> float:
    """How far past its threshold an alert fired, relative to the threshold."""
    if a.threshold is None or a.fired_value is None:
        return 0.0
    return abs(a.fired_value - a.threshold) / max(abs(a.threshold), 1e-9)


def _affected_scenarios(alerts: list[AlertFacts]) -> list[str]:
    seen = dict.fromkeys(a.series.labels["scenario"] for a in alerts
                         if a.subject_kind == "scenario" and "scenario" in a.series.labels)
    return sorted(seen)


def _scenario_title(topology: Topology | None, scenario: str, lang: str = "en") -> str:
    if topology is None:
        return scenario
    sc = next((s for s in topology.scenarios if s.id == scenario), None)
    if sc is None:
        return scenario
    return pick(sc.title or scenario, getattr(sc, "titles", None), lang)


def _scenario_chart(reader: HistoryReader, topology: Topology | None, affected: list[str],
                    alerts: list[AlertFacts], start_ms: int, end_ms: int,
                    lang: str = "en") -> tuple[Chart | None, list[str]]:
    """The success rate of the affected scenarios (all of them when none was alerted on),
    with the thresholds of the success-rate alerts that fired."""
    stored = [k.labels.get("scenario", "") for k in reader.series("scenario_success_ratio")]
    known = [s for s in stored if s]
    if not known:
        return None, []
    shown = [s for s in known if s in affected] or known
    keys = [SeriesKey("scenario_success_ratio", {"scenario": s}) for s in shown]
    data = reader.range(keys, start_ms, end_ms, CHART_POINTS)
    lines = tuple(_series(k, _scenario_title(topology, s, lang), data[k]) for k, s in zip(keys, shown))
    unaffected = [_scenario_title(topology, s, lang) for s in known if s not in shown]
    thresholds = tuple(sorted({a.threshold for a in alerts
                               if a.series.name == "scenario_success_ratio" and a.threshold is not None}))
    return Chart("", RATIO, start_ms, end_ms, lines, thresholds), unaffected
