"""The drill in the post-incident report: a drill incident's report says DRILL at the top, that
production MTTR leaves it out, and scores the drill (MTTD, MTTA, MTTR against the one-minute goal,
plan effectiveness), in both languages; a production incident's report has none of it. The
recorded history is a drill throughout (``warroom drill``), its scorecard printed by the command."""

from __future__ import annotations

import re

import pytest

from tests.app.recording import PLAN
from warroom.cli import main
from warroom.core.incident.drills import drill_of, scorecard
from warroom.core.model import EventKind
from warroom.core.northstar.mttx import incident_times
from warroom.report import Text, render_html
from warroom.report.drill import text_lines
from warroom.sim.drill import record_drill
from warroom.store import HistoryReader


def test_a_recorded_drill_is_a_drill_throughout(recording):
    log = recording.log
    did = recording.drill_id
    assert did
    derived = [e for e in log if e.kind in (EventKind.ALERT, EventKind.INCIDENT, EventKind.FAULT)
               or (e.kind is EventKind.PLAN_EXECUTION)]
    assert derived and all(drill_of(e) == did for e in derived), {e.kind for e in derived if drill_of(e) != did}
    kinds = [e.attrs["action"] for e in log if e.kind is EventKind.DRILL]
    assert kinds == ["start", "end"]
    assert incident_times(log) == [], "production MTTR counts none of it"
    with HistoryReader(recording.path) as reader:  # the mark is in the history, not only in memory
        stored = reader.events(recording.start_ms - 1, recording.end_ms + 1)
    assert all(drill_of(e) == did for e in stored if e.kind is EventKind.INCIDENT)


def test_the_report_of_a_drill_incident_says_drill_and_scores_it(report, recording):
    score = report.drill
    assert score is not None and score.id == recording.drill_id
    assert [i.id for i in score.incidents] == [recording.incident_id]
    assert score.plans_executed == 1 and score.plans_effective == 1 and score.plans == (PLAN,)
    # The drill's MTTR is the one `warroom drill` prints: fault to the plan verified effective.
    assert score.restored_s == recording.mttr_s and score.met_goal == recording.goal_met
    html = render_html(report, Text("en"))
    assert '<span class="badge drill">DRILL</span>' in html
    section = re.search(r'<section id="drill">(.*?)</section>', html, re.DOTALL).group(1)
    assert "Drill scorecard" in section and "not counted in production MTTR" in section
    for label in ("MTTD", "MTTA", "MTTR: fault to service restored", "Plan effectiveness"):
        assert label in section
    assert "1 of 1 runs verified effective (100%)" in section
    verdict = "Met," if score.met_goal else "Missed by"
    assert verdict in section


def test_the_drill_section_in_chinese(report_zh):
    html = render_html(report_zh, Text("zh_CN"))
    assert '<span class="badge drill">演练</span>' in html
    section = re.search(r'<section id="drill">(.*?)</section>', html, re.DOTALL).group(1)
    assert "演练评分" in section and "不计入生产 MTTR" in section and "预案有效率" in section


def test_a_production_incident_has_no_drill_in_its_report(tmp_path):
    prod = record_drill(tmp_path / "prod.duckdb", seconds=420, fault="dependency_outage:bank-icbc", plan=PLAN,
                        seed=4, every_s=0, as_drill=False)
    assert not any(drill_of(e) for e in prod.log) and scorecard(prod.log) == []
    (times,) = [t for t in incident_times(prod.log) if t.id == prod.incident_id]
    assert times.drill == ""
    from warroom.report import load_report

    report, text = load_report(prod.path, prod.incident_id)
    html = render_html(report, text)
    assert report.drill is None and 'id="drill"' not in html and "badge drill" not in html


def test_the_simple_page_for_pdf_has_the_scorecard_too(report):
    html = render_html(report, Text("en"), simple=True)
    assert "Drill scorecard" in html and "<section" not in html.split("Drill scorecard")[1][:200]


def test_warroom_drill_prints_the_scorecard_before_its_summary_line(recording, capsys, tmp_path):
    lines = text_lines(scorecard(recording.log))
    assert lines[0].startswith("drill scorecard: ")
    assert any(re.match(r"\s+Plan effectiveness\s+1 of 1 runs verified effective \(100%\)  ✓$", ln) for ln in lines)
    zh = text_lines(scorecard(recording.log), "zh_CN")
    assert zh[0].startswith("演练评分：") and any("预案有效率" in ln for ln in zh)


@pytest.mark.parametrize("minutes", ["5"])
def test_the_command_prints_it(tmp_path, capsys, minutes):
    assert main(["drill", "--out", str(tmp_path / "d.duckdb"), "--minutes", minutes]) == 0
    out = capsys.readouterr().out.splitlines()
    head = next(i for i, ln in enumerate(out) if ln.startswith("drill scorecard: "))
    assert any("MTTR: fault to service restored" in ln for ln in out[head:])
    assert out[-1].startswith("drill: world=payment"), "the greppable line stays last"
