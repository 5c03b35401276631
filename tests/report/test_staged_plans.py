"""A staged shift in the post-incident report: how far it climbed, where it failed, why."""

from __future__ import annotations

from tests.core.plan.test_stages import Drive, shift
from warroom.report.html import _plan
from warroom.report.plans import plan_facts
from warroom.report.text import Text
from warroom.report.timeline import _plan_detail


def failed_at_one_eighth() -> Drive:
    d = Drive(shift())
    d.until(lambda r: r.state != "executed", bad_from_stage=2)
    d.log += d.book.on_result(d.run.id, "succeeded", "rolled back", d.t + 100, rollback=True)
    return d


def test_the_plan_facts_say_each_stage_and_the_verdict():
    d = failed_at_one_eighth()
    (facts,) = plan_facts(d.log, 0, 10**9)
    assert facts.verdicts == ("stage_failed", "rolled_back"), "verified per stage: never 'unverified'"
    assert facts.stages[:4] == (("whitelist", "passed"), ("1/256", "passed"), ("1/8", "failed"),
                                ("1/4", "not_reached"))
    (zh,) = plan_facts(d.log, 0, 10**9, lang="zh_CN")
    assert zh.stages[0] == ("白名单", "passed")


def test_the_report_shows_the_ladder_in_both_languages():
    d = failed_at_one_eighth()
    (facts,) = plan_facts(d.log, 0, 10**9)
    en = _plan(facts, Text("en"))
    assert "Stages" in en and "1/8 · failed" in en and "1/4 · not reached" in en and "a stage failed" in en
    zh = _plan(plan_facts(d.log, 0, 10**9, lang="zh_CN")[0], Text("zh_CN"))
    assert "阶段" in zh and "1/8 · 失败" in zh and "白名单 · 通过" in zh


def test_timeline_rows_name_the_stage_and_why_it_failed():
    d = failed_at_one_eighth()
    (facts,) = plan_facts(d.log, 0, 10**9)
    failed = next(e for e in d.log if e.attrs["action"] == "stage_failed")
    detail = _plan_detail(failed, {facts.run: facts}, {})
    assert detail.startswith("1/8: ") and "bank-ccb" in detail
    assert Text("zh_CN")("plan_action_stage_failed") == "阶段失败：已停止"
