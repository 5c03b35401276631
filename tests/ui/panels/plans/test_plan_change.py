""""Change it would send": the feed's dry run of the selected plan, in the detail and in the
confirmation. A real PlanDesk over the plan tests' fake client, whose answer to
``preview_plan`` each test sets; the panel asks on the asyncio loop, as under qasync."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio  # noqa: E402
import dataclasses  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel  # noqa: E402

from tests.ui.panels.plans.test_plans_panel import REASON, Rig, make_panel  # noqa: E402
from warroom.app.plan_desk import DryRun  # noqa: E402
from warroom.protocol import CommandResult  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.plans import actions as plan_actions  # noqa: E402
from warroom.ui.panels.plans import dialogs as plan_dialogs  # noqa: E402
from warroom.ui.panels.plans.dialogs import ConfirmDialog  # noqa: E402

PLAN = "failover-bank-icbc"
LONG = "http://sentinel-dashboard.payments.internal.example.com:8719/setRules?type=flow&app=pay-api&" + "x" * 120
CHANGE = {
    "executor": "sentinel",
    "summary": "flow rule pay-api: count 800 -> 500 QPS on 2 clients",
    "target": "sentinel:10.0.0.5:8719,10.0.0.6:8719",
    "requests": [{"method": "POST", "url": "http://10.0.0.5:8719/setRules?type=flow", "body": "[]"},
                 {"method": "POST", "url": LONG, "body": "[]"}],
    "before": {"count": 800},
    "after": {"count": 500},
    "warnings": ["2 of 3 clients answered; 10.0.0.7 is down"],
}


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 12)


def answering(change=CHANGE, state="succeeded", message="previewed"):
    return lambda cmd: CommandResult(cmd.idempotency_key, state, message,
                                     {"plan_id": cmd.args["plan_id"], "change": change} if change else {})


def select(panel, rig: Rig, plan_id: str = PLAN, *, answered: bool = True):
    """Select on a running loop (the panel asks there) and let the feed answer."""

    async def go():
        panel.select_plan(plan_id)
        shown_at_once = panel.detail.change.status.text() if not panel.detail.change.isHidden() else None
        if answered:
            for _ in range(100):
                dry = rig.desk.dry_run_of(plan_id)
                if dry is not None and dry.state != "asking":
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.01)  # the panel's follow-up after the answer
        return shown_at_once

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(go())
    finally:
        loop.close()
        QApplication.processEvents()


def visible(label: QLabel) -> bool:
    return not label.isHidden()


def test_the_change_block_shows_summary_requests_before_after_and_warnings(qtbot):
    rig = Rig()
    rig.client.preview = answering()
    panel = make_panel(qtbot, rig.view)
    asking = select(panel, rig)
    assert asking == "Asking the feed…", "said at once, before the feed answers"
    block = panel.detail.change
    assert visible(block) and block.title.text() == "Change it would send"
    assert block.summary.text() == CHANGE["summary"]
    assert block.target.text() == "sentinel · sentinel:10.0.0.5:8719,10.0.0.6:8719"
    assert block.requests.lines() == ["POST http://10.0.0.5:8719/setRules?type=flow", f"POST {LONG}"]
    assert block.before_after.text() == 'Before: {"count": 800}\n→ After: {"count": 500}'
    assert "⚠ 2 of 3 clients answered" in block.warnings.text() and visible(block.warnings)
    assert block.warnings.styleSheet() == f"color: {theme.current().warn};"
    assert not visible(block.status), "nothing to say besides the change"
    # A long URL is elided in the middle, keeping its method, host and end; the whole is the tooltip.
    shown = QLabel.text(block.requests).split("\n")
    assert shown[0] == "POST http://10.0.0.5:8719/setRules?type=flow"
    assert "…" in shown[1] and shown[1].startswith("POST http://sentinel-dashboard") and shown[1].endswith("xxx")
    assert LONG in block.requests.toolTip()
    assert block.requests.width() <= panel.detail.width(), "a long URL never widens the detail"
    assert [c.args for c in rig.client.previews] == [{"plan_id": PLAN}]
    assert rig.client.sent == [], "a dry run is not an execution"


def test_a_feed_that_does_not_know_the_dry_run_says_so_plainly(qtbot):
    rig = Rig()  # the fake client answers like a feed older than protocol 1.3
    panel = make_panel(qtbot, rig.view)
    select(panel, rig)
    block = panel.detail.change
    assert rig.desk.dry_run_of(PLAN).state == "unsupported"
    assert visible(block) and block.status.text() == "This feed does not preview changes"
    assert not visible(block.summary) and not visible(block.requests) and not visible(block.warnings)


def test_a_failed_dry_run_shows_the_error(qtbot):
    rig = Rig()
    rig.client.preview = answering(None, "failed", "sentinel 10.0.0.5:8719 unreachable: connection refused")
    panel = make_panel(qtbot, rig.view)
    select(panel, rig)
    status = panel.detail.change.status
    assert visible(status)
    assert status.text() == "The dry run failed: sentinel 10.0.0.5:8719 unreachable: connection refused"


def test_the_dry_run_is_asked_again_only_after_the_interval(qtbot):
    rig = Rig()
    rig.client.preview = answering()
    panel = make_panel(qtbot, rig.view)
    select(panel, rig)
    select(panel, rig, "ratelimit-cashier")
    select(panel, rig)  # back to the first plan: its answer is fresh, not asked again
    asked = [c.args["plan_id"] for c in rig.client.previews]
    assert asked == [PLAN, "ratelimit-cashier"]
    panel.refresh()  # frames go on: nothing is due
    assert len(rig.client.previews) == 2
    # The interval passes (the answer and the question age by it).
    old = rig.desk.dry_run_of(PLAN)
    rig.desk._dry[PLAN] = dataclasses.replace(old, at_s=old.at_s - panel.dry_run_interval_s)
    panel._dry_asked[PLAN] -= panel.dry_run_interval_s

    async def next_frame():  # on the loop, as under qasync: due again
        panel.refresh()
        await asyncio.sleep(0.05)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(next_frame())
    loop.close()
    assert [c.args["plan_id"] for c in rig.client.previews] == [PLAN, "ratelimit-cashier", PLAN]


def test_a_viewer_console_shows_no_change_block_and_asks_nothing(qtbot):
    rig = Rig(may_command=False)
    rig.client.preview = answering()
    panel = make_panel(qtbot, rig.view)
    select(panel, rig, answered=False)
    assert panel.detail.change.isHidden() and rig.client.previews == []


def test_the_confirmation_repeats_the_change_and_the_audit_keeps_it(qtbot, monkeypatch):
    rig = Rig()
    rig.client.preview = answering()
    panel = make_panel(qtbot, rig.view)
    select(panel, rig)
    seen = {}

    def confirm(parent, plan, reason, dry_run=None):
        seen["dry_run"] = dry_run
        return None  # noqa: RET501 - cancel: nothing is sent

    monkeypatch.setattr(plan_dialogs, "ask_actor", lambda parent: "li.wei")
    monkeypatch.setattr(plan_dialogs, "ask_reason", lambda *a: REASON)
    monkeypatch.setattr(plan_dialogs, "ask_confirmation", confirm)
    monkeypatch.setattr(plan_actions, "spawn", lambda coro: coro.close())
    panel.execute_selected()
    assert seen["dry_run"].change["summary"] == CHANGE["summary"]
    (previewed,) = [e for e in rig.view.events(None, 2**62) if e.attrs.get("action") == "previewed"]
    kept = previewed.attrs["figures"]["dry_run"]
    assert kept["summary"] == CHANGE["summary"] and kept["warnings"] == CHANGE["warnings"]
    assert kept["requests"][0] == "POST http://10.0.0.5:8719/setRules?type=flow"
    assert rig.client.sent == []


def test_the_confirm_dialog_shows_summary_target_and_warnings(qtbot):
    rig = Rig(seconds=5)
    plan = rig.desk.plan(PLAN)
    dialog = ConfirmDialog(None, plan, REASON, DryRun(PLAN, "answered", CHANGE))
    qtbot.addWidget(dialog)
    assert dialog.change.text() == f"{CHANGE['summary']}\nsentinel · {CHANGE['target']}"
    assert dialog.warnings.text() == f"⚠ {CHANGE['warnings'][0]}"
    texts = [w.text() for w in dialog.findChildren(QLabel)]
    assert "It will send:" in texts


@pytest.mark.parametrize("dry, text", [
    (DryRun(PLAN, "unsupported", reason="unknown action 'preview_plan'"), "This feed does not preview changes"),
    (DryRun(PLAN, "no_answer", reason="feed down"), "No answer from the feed: feed down"),
    (DryRun(PLAN, "asking"), "No dry run: the feed has not answered yet."),
])
def test_the_confirm_dialog_says_why_there_is_no_change(qtbot, dry, text):
    rig = Rig(seconds=5)
    dialog = ConfirmDialog(None, rig.desk.plan(PLAN), REASON, dry)
    qtbot.addWidget(dialog)
    assert dialog.change.text() == text and dialog.warnings is None


def test_no_dry_run_leaves_the_confirm_dialog_as_it_was(qtbot):
    rig = Rig(seconds=5)
    dialog = ConfirmDialog(None, rig.desk.plan(PLAN), REASON)
    qtbot.addWidget(dialog)
    assert dialog.change is None and "It will send:" not in [w.text() for w in dialog.findChildren(QLabel)]


def test_the_summary_is_shown_in_the_console_language_when_the_feed_gives_it(qtbot):
    from warroom.core.language.lang import language, set_language

    rig = Rig()
    rig.client.preview = answering({**CHANGE, "summaries": {"zh_CN": "限流规则 pay-api：800 → 500 QPS"}})
    panel = make_panel(qtbot, rig.view)
    before = language()
    set_language("zh_CN")
    try:
        select(panel, rig)
        assert panel.detail.change.summary.text() == "限流规则 pay-api：800 → 500 QPS"
    finally:
        set_language(before)
    assert rig.desk.change_for(PLAN)["summary"] == CHANGE["summary"], "the feed's own summary is kept"
