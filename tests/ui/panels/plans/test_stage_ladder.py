"""The stage ladder in the plans panel: where a staged shift stands, and the commander's
Pause / Continue / Abort (asked why, like every plan action; a viewer cannot)."""

from __future__ import annotations

import pytest

from tests.ui.panels.plans.test_plans_panel import Rig, dark, loop, make_panel  # noqa: F401 - fixtures
from warroom.core.plan import stages as S
from warroom.ui.panels.plans import dialogs as plan_dialogs
from warroom.ui.panels.plans.stage_ladder import ladder_lines, rungs

PLAN = "shift-bank-icbc"
SAT = 'service_saturation_ratio{service="bank-ccb"}'


def ladder(**changes) -> S.Ladder:
    ld = S.start(S.parse_ladder(S.DEFAULT_LADDER, 60), [{"series": SAT, "op": "<", "threshold": 0.75}], 0)
    ld = S.applied(S.advance(S.applied(ld, 0), 60_000), 61_000)  # 1/256 held since 61 s
    from dataclasses import replace
    return replace(ld, **changes) if changes else ld


def test_rungs_say_passed_holding_and_to_come():
    r = rungs(ladder(), 103_000)
    assert [x.status for x in r] == ["done", "current", "todo", "todo", "todo", "todo"]
    assert r[1].name == "1/256" and r[1].note == "0:42 / 1:00" and r[1].progress == pytest.approx(0.7)
    head, guards, level = ladder_lines(ladder(), 103_000, lambda s: 0.62)
    assert head == "Stage 2/6 · 1/256: holding, 0:18 left" and level == "accent"
    assert "62.0% ✓" in guards and "< 75.0%" in guards


def test_a_failed_stage_shows_the_values_that_failed_it():
    ld = S.finish(S.halt(ladder(), "saturation", 110_000, values={SAT: 0.81}), "rolled_back", 111_000)
    r = rungs(ld, 120_000)
    assert r[1].status == "failed" and r[1].note == "failed" and r[0].status == "done"
    head, guards, level = ladder_lines(ld, 120_000, lambda s: 0.4)  # the value now is not the failing one
    assert head == "Stage 1/256 failed: the shift was rolled back" and level == "crit"
    assert "81.0% ✗" in guards


def test_paused_and_aborted_read_without_colour():
    paused = S.pause(ladder(), 90_000)
    assert rungs(paused, 500_000)[1].note == "paused 0:29 / 1:00"
    assert ladder_lines(paused, 500_000, lambda s: None)[0].startswith("PAUSED at stage 2/6 · 1/256")
    aborted = S.halt(ladder(), "aborted by li.wei: why", 95_000, aborted=True)
    assert rungs(aborted, 96_000)[1].note == "aborted"
    assert ladder_lines(aborted, 96_000, lambda s: None)[0] == "Aborted at 1/256: rolling back"


def running_shift(rig: Rig):
    """The shift confirmed, sent and its whitelist stage in force (as the feed answers)."""
    desk = rig.desk
    plan = desk.plan(PLAN)
    run, events = desk.book.confirm(plan, "li.wei", "ICBC maintenance", rig.sim.now_ms, typed=PLAN,
                                    value=rig.view.value)
    desk._done(events)
    desk._done(desk.book.sent(run.id, rig.sim.now_ms))
    desk._done(desk.book.on_result(run.id, "succeeded", "in force", rig.sim.now_ms))
    return run


def test_the_panel_shows_the_ladder_and_the_commander_pauses_continues_and_aborts(qtbot, loop, monkeypatch):  # noqa: F811
    rig = Rig(seconds=30)
    run = running_shift(rig)
    panel = make_panel(qtbot, rig.view)
    assert panel.select_plan(PLAN)
    panel.refresh()
    d = panel.detail
    assert d.ladder.isVisible() and not d.kpi.isVisible()
    assert d.ladder.text().startswith("whitelist ◌ 0:00 / 1:00 · 1/256 ○ · 1/8 ○")
    assert d.ladder.head.text().startswith("Stage 1/6 · whitelist: holding")
    assert d.pause_button.isEnabled() and d.abort_button.isEnabled() and not d.resume_button.isEnabled()

    asked = []
    monkeypatch.setattr(plan_dialogs, "ask_actor", lambda parent: "li.wei")
    monkeypatch.setattr(plan_dialogs, "ask_stage_action",
                        lambda parent, plan, r, action: asked.append(action) or f"{action}: bank asked")
    d.pause_button.click()
    panel.refresh()
    assert rig.desk.book.run(run.id).ladder.paused and asked == ["pause"]
    assert d.ladder.head.text().startswith("PAUSED at stage 1/6")
    assert d.resume_button.isEnabled() and not d.pause_button.isEnabled()
    rig.run(120)  # two minutes paused: the whitelist is still held, not widened
    panel.refresh()
    assert rig.desk.book.run(run.id).ladder.index == 0
    d.resume_button.click()
    panel.refresh()
    assert not rig.desk.book.run(run.id).ladder.paused and d.pause_button.isEnabled()

    d.abort_button.click()
    panel.refresh()
    r = rig.desk.book.run(run.id)
    assert asked == ["pause", "resume", "abort"]
    assert r.state == "rolling_back" and r.ladder.aborted
    assert [c.action for c in rig.client.sent][-1] == "rollback_plan", "abort sends the rollback"
    assert d.ladder.head.text() == "Aborted at whitelist: rolling back"
    assert not d.stage_buttons.isVisible() or not d.abort_button.isEnabled()
    steps = [e.attrs["action"] for e in rig.audit() if e.attrs.get("run") == run.id]
    assert {"paused", "continued", "aborted", "rolling_back"} <= set(steps)


def test_a_cancelled_dialog_changes_nothing(qtbot, monkeypatch):
    rig = Rig(seconds=30)
    run = running_shift(rig)
    panel = make_panel(qtbot, rig.view)
    panel.select_plan(PLAN)
    panel.refresh()
    monkeypatch.setattr(plan_dialogs, "ask_actor", lambda parent: "li.wei")
    monkeypatch.setattr(plan_dialogs, "ask_stage_action", lambda *a: None)
    panel.detail.abort_button.click()
    assert rig.desk.book.run(run.id).state == "executed" and not rig.client.sent
    assert "nothing was sent" in panel.message.text().lower()


def test_a_viewer_sees_the_ladder_but_cannot_pause_or_abort(qtbot):
    rig = Rig(may_command=False, seconds=30)
    running_shift(rig)
    panel = make_panel(qtbot, rig.view)
    panel.select_plan(PLAN)
    panel.refresh()
    d = panel.detail
    assert d.ladder.isVisible()
    assert not any(b.isEnabled() for b in (d.pause_button, d.resume_button, d.abort_button))
    assert "not execute" in d.abort_button.toolTip()
