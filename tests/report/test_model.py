"""The facts a report gathers from a recorded incident, checked without HTML."""

from __future__ import annotations

import pytest

from warroom.core.alerting.alert_log import AlertLog
from warroom.core.incident.incidents import IncidentBook
from warroom.core.northstar.mttx import incident_times
from warroom.report import ReportError, build_report, worst_moment
from warroom.report.model import ALL_TIME_MS
from warroom.store import HistoryReader


def test_summary_names_the_root_cause_and_the_milestones(report, recording):
    s = report.summary
    assert s.id == recording.incident_id
    assert s.root_cause == "bank-icbc"
    # The failover restored service while ICBC itself still fails (its own alert fires to the
    # end): mitigated, never resolved (findings 3 and 9).
    assert s.state == "mitigated" and s.root_firing
    assert s.started_ms <= s.detected_ms <= s.acked_ms <= s.mitigated_ms
    assert s.resolved_ms is None and s.verified_ms is None
    assert s.started_ms >= recording.fault_ms
    assert s.duration_s == (s.mitigated_ms - s.started_ms) / 1000
    assert s.root_alerts >= 1 and s.alerts > s.root_alerts
    assert "qr_pay" in {sid for sid, _ in s.scenarios}
    assert dict(s.scenarios)["qr_pay"] == "QR-code payment"  # titles from the recorded topology


def test_kpis_are_those_of_the_mttx_module(report, recording):
    # The recording is a drill (warroom drill): its incident is left out of production MTTR.
    times = next(t for t in incident_times(recording.log, include_drills=True) if t.id == recording.incident_id)
    assert (report.kpis.mttd_s, report.kpis.mtta_s, report.kpis.mttr_s) == (times.mttd_s, times.mtta_s, times.mttr_s)
    assert report.kpis.mttr_mitigated_s == times.mttr_mitigated_s == report.summary.duration_s
    assert report.kpis.mttr_s is None, "the root cause still alerts: not resolved"
    assert report.kpis.goal_s == 60.0


def test_the_failover_run_is_effective_and_improved_its_guard_kpi(report, recording):
    (run,) = report.plans
    assert run.plan_id == "failover-bank-icbc"
    confirmed = next(e for e in recording.log if e.attrs.get("action") == "confirmed")
    assert run.actor == "li.wei" and run.reason == confirmed.attrs["reason"] != ""
    assert run.executed_ms == recording.executed_ms
    assert run.verdicts == ("effective",)
    assert run.before is not None and run.after is not None and run.before < run.after
    assert run.guard["series"] == 'scenario_success_ratio{scenario="qr_pay"}'
    assert run.params["from"] == "bank-icbc"
    assert run.preview is not None and run.preview["moved"] > 0  # the figures seen at preview time


def test_worst_moment_is_between_the_fault_and_the_failover_with_alerts_firing(report, recording):
    assert recording.fault_ms <= report.worst_ms <= recording.executed_ms
    firing = [a for a in AlertLog.replay(recording.log, until_ms=report.worst_ms).alerts()
              if a.state in ("firing", "acknowledged")]
    assert firing and report.worst_firing == len(firing)
    assert report.worst_success is not None and report.worst_success < 0.95


def test_worst_moment_public_function_agrees_with_the_report(report, recording):
    with HistoryReader(recording.path) as reader:
        events = reader.events(0, ALL_TIME_MS)
        incident = IncidentBook.replay(events).incident(recording.incident_id)
        assert worst_moment(reader, incident, events) == report.worst_ms


def test_root_alert_is_charted_first_with_its_threshold_and_firing_span(report):
    first = report.charts[0]
    assert first.alert is not None and first.alert.root
    assert first.alert.series.text == 'service_error_ratio{service="bank-icbc"}'
    assert first.thresholds == (0.05,)
    assert first.firing and first.firing[0][0] == report.summary.detected_ms
    line = first.lines[0]
    assert 0 < len(line.ts) <= 300 and max(line.high) == pytest.approx(1.0)
    assert 1 + 3 >= len(report.charts) >= 2  # the root and at most three symptoms
    symptoms = [c.alert.series.name for c in report.charts[1:]]
    assert len(symptoms) == len(set(symptoms))  # one per kind of metric
    assert report.scenario_chart is not None and 0.95 in report.scenario_chart.thresholds


def test_map_at_the_worst_moment_marks_the_root_cause_critical(report):
    nodes = {n.name: n for n in report.map.nodes}
    assert nodes["bank-icbc"].root_cause and nodes["bank-icbc"].level == "crit"
    assert [n.name for n in report.map.nodes if n.root_cause] == ["bank-icbc"]
    assert nodes["bank-ccb"].level == "ok"  # the healthy banks stay green
    assert any(e.callee == "bank-icbc" and e.level == "crit" for e in report.map.edges)


def test_timeline_tells_the_story_in_order(report, recording):
    rows = report.timeline
    assert [r.ts for r in rows] == sorted(r.ts for r in rows)
    whats = [r.what for r in rows]
    for expected in ("ev_alert_firing", "ev_incident_opened", "ev_incident_acknowledged", "ev_plan", "ev_note",
                     "ev_incident_mitigated"):
        assert expected in whats
    assert "ev_incident_recovering" not in whats and "ev_incident_resolved" not in whats
    assert whats.index("ev_alert_firing") < whats.index("ev_incident_mitigated")
    assert whats.index("ev_plan") < whats.index("ev_incident_mitigated")
    ack = next(r for r in rows if r.what == "ev_incident_acknowledged")
    assert ack.actor == "li.wei"
    plan_steps = [r.what_args["action"] for r in rows if r.what == "ev_plan"]
    assert plan_steps == ["previewed", "confirmed", "sent", "executed", "effective"]
    # 16 symptoms are too many to list one by one: they are grouped per moment
    grouped = [r for r in rows if r.what == "ev_symptoms_firing"]
    assert grouped and all(r.subjects for r in grouped)
    assert "ev_incident_alert_joined" not in whats


def test_notes_and_review_notes_are_kept_apart(report, reviewed_report, recording):
    noted = [e.attrs["text"] for e in recording.log if e.kind.value == "note"]
    assert len(noted) == 1 and [n.text for n in report.notes] == noted
    assert report.review_notes == ()
    assert len(reviewed_report.notes) == 2
    (review,) = reviewed_report.review_notes
    assert review.review and review.actor == "zhang.san"
    assert all(r.detail != review.text for r in reviewed_report.timeline)


def test_unknown_incident_is_a_clear_error_naming_the_known_ones(recording):
    with HistoryReader(recording.path) as reader, pytest.raises(ReportError) as err:
        build_report(reader, "INC-nope")
    assert "INC-nope" in str(err.value) and recording.incident_id in str(err.value)


def test_an_incident_still_open_is_reported_as_ongoing(recording):
    from warroom.report import Text, render_html

    with HistoryReader(recording.path) as reader:
        cut = [e for e in reader.events(0, ALL_TIME_MS) if e.ts <= recording.executed_ms - 1]
        report = build_report(reader, recording.incident_id, events=cut)
    s = report.summary
    assert s.state == "acknowledged" and s.resolved_ms is None and s.duration_s is None
    assert report.kpis.mttr_s is None and report.plans == ()
    assert s.started_ms <= report.worst_ms and [m.kind for m in report.markers] == ["detected"]
    page = render_html(report, Text("en"))
    assert "ongoing at the end of the recording" in page and "Service not restored yet." in page


def test_people_read_names_not_ids_in_both_languages(report, report_zh):
    """Timeline subjects, symptom lists, the root cause, plan titles and steps and the impact
    preview's rows use the feed's names in the report's language; ids stay in the facts."""
    import re

    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert report.summary.root_cause == report_zh.summary.root_cause == "bank-icbc"
    assert report.summary.root_cause_name == "ICBC gateway"
    assert report_zh.summary.root_cause_name == "工商银行网关"
    for facts, named in ((report, lambda s: not re.fullmatch(r"[a-z0-9_.-]+", s)), (report_zh, cjk.search)):
        subjects = [r.subject for r in facts.timeline if r.subject] + [s for r in facts.timeline for s in r.subjects]
        assert subjects and all(named(s) for s in subjects), [s for s in subjects if not named(s)]
    plan, plan_en = report_zh.plans[0], report.plans[0]
    assert plan.plan_id == plan_en.plan_id == "failover-bank-icbc"
    assert cjk.search(plan.title) and not cjk.search(plan_en.title)
    assert plan.steps and all(cjk.search(s) for s in plan.steps)
    rows = {k for v in plan.preview.values() if isinstance(v, dict) for k in v}
    assert rows and all(cjk.search(k) for k in rows)
    assert "bank-icbc" not in {r.subject for r in report_zh.timeline}
