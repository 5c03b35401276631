"""The plan panel over a real PlanDesk: a LiveView fed minutes of simulator data, a fake feed
client that records the commands it is given. The list and its marks, the impact preview
(the numbers ``PlanDesk.impact`` gives) and the map highlight, the two-step confirmation
driven through the real dialogs (a wrong typed id keeps Execute disabled; cancel sends
nothing), one command with the run's id as idempotency key, progress, the NOT EFFECTIVE
prompt and rollback, the expiry warning, a viewer's console, errors shown and never raised."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.app.drill import PEAK_MS  # noqa: E402
from warroom.core.language.names import names_for  # noqa: E402
from warroom.core.alerting.alerts import AlertEngine  # noqa: E402
from warroom.core.settings.layouts import layouts_dir, load_layout  # noqa: E402
from warroom.core.model import EventKind  # noqa: E402
from warroom.core.language.names import current_names  # noqa: E402
from warroom.core.alerting.rules import default_rules_path, load_rules_file  # noqa: E402
from warroom.io.client import NotConnected  # noqa: E402
from warroom.app.plan_desk import PlanDesk  # noqa: E402
from warroom.app.watch import AlertWatch  # noqa: E402
from warroom.protocol import CommandResult, Events, PlanCatalogue, TopologySnapshot  # noqa: E402
from warroom.sim import Simulator, build_platform  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.plans import actions as plan_actions# noqa: E402
from warroom.ui.panels.plans import dialogs as plan_dialogs# noqa: E402
from warroom.ui.panels.alerts.cards import CARD_ROLE  # noqa: E402
from warroom.ui.panels.plans.dialogs import ConfirmDialog, ReviewDialog  # noqa: E402
from warroom.ui.panels.plans.text import (countdown, duration_text, fill, guard_text, impact_level,  # noqa: E402
                                         impact_lines, kpi_value)
from warroom.ui.panels.plans.panel import PlansPanel  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402

WARMUP_S = 180
REASON = "ICBC timeouts, QR pay failing"


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 12)


class FakeClient:
    """The two things PlanDesk asks of a feed client: the role, and sending a command.

    Dry runs (``preview_plan``) are kept apart in ``previews`` and answered on the loop by
    ``preview`` (set ``desk``): by default as a feed older than protocol 1.3 answers."""

    def __init__(self, may_command: bool = True, fail: Exception | None = None) -> None:
        self.may_command = may_command
        self.fail = fail
        self.sent: list = []
        self.previews: list = []
        self.desk = None
        self.preview = lambda command: CommandResult(command.idempotency_key, "rejected",
                                                     f"unknown action {command.action!r}")

    async def send_command(self, command) -> None:
        if self.fail is not None:
            raise self.fail
        if command.action == "preview_plan":
            self.previews.append(command)
            asyncio.get_running_loop().call_soon(self.desk.on_item, self.preview(command))
            return
        self.sent.append(command)


class Rig:
    """A simulator feeding a LiveView (as the session does), a PlanDesk over a FakeClient that
    records (``record``) into the view, and optionally an AlertWatch for suggestions."""

    def __init__(self, *, may_command: bool = True, alerting: bool = False, seconds: int = WARMUP_S) -> None:
        platform = build_platform()
        self.sim = Simulator(start_ms=PEAK_MS, seed=3, platform=platform)
        self.view = LiveView()
        self.view.apply(TopologySnapshot(self.sim.now_ms, platform.topology))
        self.view.apply(PlanCatalogue(platform.plans))
        self.client = FakeClient(may_command)
        self.desk = PlanDesk(self.client, self.view, record=self.view.add_events)
        self.client.desk = self.desk
        self.view.plan_desk = self.desk
        self.watch = None
        if alerting:
            self.watch = AlertWatch(AlertEngine(load_rules_file(default_rules_path()), platform.topology))
            self.watch.user = "li.wei"
            self.view.alerting = self.watch
        self.run(seconds)

    def run(self, seconds: int) -> None:
        for _ in range(seconds):
            batch, events = self.sim.tick()
            self.view.apply(batch)
            self.view.apply(Events(tuple(events)))
            if self.watch is not None:
                self.view.add_events(self.watch.on_events(events) + self.watch.on_batch(batch))
            self.desk.on_item(batch)

    def audit(self, action: str | None = None) -> list:
        out = [e for e in self.view.events(None, 2**62) if e.kind is EventKind.PLAN_EXECUTION and e.attrs.get("audit")]
        return [e for e in out if action is None or e.attrs["action"] == action]


@pytest.fixture
def rig() -> Rig:
    return Rig()


@pytest.fixture
def loop(monkeypatch):
    """The console runs plan commands on its asyncio loop (qasync); here, a plain one."""
    lp = asyncio.new_event_loop()
    monkeypatch.setattr(plan_actions, "spawn", lambda coro: lp.run_until_complete(coro))
    yield lp
    lp.close()


@pytest.fixture
def dialogs(monkeypatch):
    """Replace the dialogs: answers set per test; a dialog not expected fails the test."""
    answers: dict = {"actor": "li.wei", "reason": REASON, "typed": None, "rollback": "guard KPI did not recover"}
    calls: list[str] = []

    def ask_reason(parent, plan, lines, warnings, level):
        calls.append("reason")
        answers["lines"], answers["warnings"] = lines, warnings
        return answers["reason"]

    def ask_confirmation(parent, plan, reason, dry_run=None):
        calls.append("confirm")
        answers["dry_run"] = dry_run
        typed = answers["typed"]
        return plan.id if typed is None else typed

    def ask_rollback(parent, plan, run):
        calls.append("rollback")
        return answers["rollback"]

    def ask_actor(parent):
        calls.append("actor")
        return answers["actor"]

    monkeypatch.setattr(plan_dialogs, "ask_reason", ask_reason)
    monkeypatch.setattr(plan_dialogs, "ask_confirmation", ask_confirmation)
    monkeypatch.setattr(plan_dialogs, "ask_rollback", ask_rollback)
    monkeypatch.setattr(plan_dialogs, "ask_actor", ask_actor)
    answers["calls"] = calls
    return answers


def make_panel(qtbot, view: LiveView) -> PlansPanel:
    panel = PlansPanel(view)
    qtbot.addWidget(panel)
    panel.resize(1500, 560)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def drive_dialogs(qtbot, *steps):
    """Act on the next modal dialogs as they open, one step each; a failing step rejects its
    dialog (so the test never hangs) and is raised afterwards by ``check()``."""
    todo, errors, seen = list(steps), [], []

    def poll():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog in seen or not todo:
            return
        seen.append(dialog)
        step = todo.pop(0)
        try:
            step(dialog)
        except Exception as exc:  # noqa: BLE001 (reported by check)
            errors.append(exc)
            dialog.reject()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(10)

    def check():
        timer.stop()
        if errors:
            raise errors[0]
        assert not todo, f"{len(todo)} dialog step(s) never ran"

    return check


# -- what it shows ---------------------------------------------------------------------------
def test_registered_and_placed_in_the_commander_layout():
    assert panel_class("plans") is PlansPanel
    assert PlansPanel.ID == "plans" and PlansPanel.TITLE == "Contingency plans"
    layout = load_layout("commander")
    assert "plans" in [d.panel for d in layout.docks]
    raw = json.loads((layouts_dir() / "commander.json").read_text(encoding="utf-8"))
    assert "plans" not in raw.get("reserved", [])


def test_without_a_desk_plans_are_unavailable(qtbot, rig):
    view = LiveView()
    panel = make_panel(qtbot, view)
    assert panel.stack.currentWidget() is panel.off
    assert panel.off_label.text() == "Plans unavailable"
    view.plan_desk, view.plans, view.topology = rig.desk, rig.view.plans, rig.view.topology
    panel.refresh()
    assert panel.stack.currentIndex() == 1


def test_lists_every_plan_labelled_by_kind_with_target_and_risk_mark(qtbot, rig):
    panel = make_panel(qtbot, rig.view)
    plan_ids = [p.id for p in rig.desk.plans()]
    rows = panel.model.rows
    assert sorted(r.plan.id for r in rows) == sorted(plan_ids) and len(plan_ids) >= 10
    assert panel.summary.text() == f"{len(plan_ids)} plans"
    kinds = [r.plan.kind for r in rows]
    assert kinds == sorted(kinds, key=("failover", "rate_limit", "degrade", "rollback", "shift").index), \
        "grouped by kind"
    for i, row in enumerate(rows):
        card = panel.model.data(panel.model.index(i), CARD_ROLE)
        assert card.chip == {"failover": "FAILOVER", "rate_limit": "RATE LIMIT", "degrade": "DEGRADE",
                             "rollback": "ROLLBACK", "shift": "SHIFT"}[row.plan.kind]
        assert card.title == row.plan.title
        badges = [b.text for b in card.badges]
        assert current_names().display(row.plan.target_kind, row.plan.target) in badges, "named, not an id"
        assert ("RISK: HIGH" in badges) == row.plan.critical and ("RISK: LOW" in badges) != row.plan.critical
        assert "CRITICAL" not in badges, "a plan's risk is not an alert severity"
        assert card.right == "", "no run yet"


def test_plans_named_by_the_current_root_alert_are_suggested_first(qtbot):
    rig = Rig(alerting=True, seconds=200)
    rig.sim.inject_fault("dependency_outage", "bank-ccb", None)
    rig.run(60)
    # The rules name no plan: the failover is bound to the root by its target and kind.
    assert any(a.is_root and a.root_cause == "bank-ccb" for a in rig.watch.alerts())
    panel = make_panel(qtbot, rig.view)
    first = panel.model.rows[0]
    assert first.plan.id == "failover-bank-ccb" and first.suggested_for == ("bank-ccb",)
    card = panel.model.data(panel.model.index(0), CARD_ROLE)
    assert card.badges[0].text == "SUGGESTED" and card.badges[0].boxed and card.bold
    assert "SUGGESTED for bank-ccb" in panel.model.data(panel.model.index(0), Qt.ItemDataRole.ToolTipRole)
    assert "1 suggested" in panel.summary.text()
    panel.select_plan("failover-bank-ccb")
    assert panel.detail.suggested.isVisible() and "bank-ccb" in panel.detail.suggested.text()


def test_selecting_a_failover_shows_its_figures_and_lights_the_map(qtbot, rig):
    panel = make_panel(qtbot, rig.view)
    assert getattr(rig.view, "highlight", None) is None
    version = rig.view.version
    assert panel.select_plan("failover-bank-icbc")
    impact = rig.desk.impact("failover-bank-icbc")
    assert impact.estimated
    f = impact.figures
    text = panel.detail.impact.text()
    assert f"Moves {f['moved']:,.0f} req/s from ICBC gateway to " in text
    for bank in f["to"]:
        label = rig.view.topology.service(bank).label
        assert f"{label} {f['load_after'][bank] - f['load_before'][bank]:,.0f}" in text
        assert f"{label} at {f['utilisation_after'][bank] * 100:.0f}%" in text
    assert "QR-code payment" in text, "the scenarios it touches, by title"
    assert panel.detail.heading.text() == "Fail over ICBC gateway"
    assert "Set bank-icbc routing weight to 0" in panel.detail.steps.text()
    assert "Restore bank-icbc routing weight" in panel.detail.rollback_steps.text()
    assert panel.detail.guard.text() == "QR-code payment success ≥ 99% within 60 s"
    assert panel.detail.expiry.text().startswith("none")
    assert rig.view.highlight == {"services": impact.services, "edges": impact.edges,
                                  "scenarios": impact.scenarios, "source": "plan"}
    assert ("payment-engine", "bank-icbc") in rig.view.highlight["edges"]
    assert rig.view.version > version, "the map redraws at the next frame"
    panel.clear_selection()
    assert rig.view.highlight is None
    assert not panel.detail.heading.isVisible() and panel.detail.placeholder.isVisible()


def test_rate_limit_and_degrade_previews_in_plain_words(qtbot, rig):
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("ratelimit-app-gateway")
    f = rig.desk.impact("ratelimit-app-gateway").figures
    text = panel.detail.impact.text()
    assert f"Admits at most {f['count']:,.0f} req/s" in text
    assert f"{f['offered_mean']:,.0f} req/s offered" in text
    assert not panel.detail.warnings.isVisible(), "nothing rejected at a normal peak: no warning"
    expiry = panel.detail.expiry.text()
    assert expiry.startswith("rolls back by itself 1 h after execution")
    panel.select_plan("degrade-coupon")
    impact = rig.desk.impact("degrade-coupon")
    off = ", ".join(rig.view.topology.service(s).label for s in impact.figures["switched_off"])
    assert f"Switches off {off}; removes {impact.figures['load_removed']:,.0f} req/s." in panel.detail.impact.text()
    assert rig.view.highlight["services"] == impact.services


def test_a_surge_makes_the_rate_limit_warn_in_colour(qtbot, rig):
    rig.sim.inject_fault("traffic_surge", "app-gateway", None, multiplier=3.0)
    rig.run(150)
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("ratelimit-app-gateway")
    impact = rig.desk.impact("ratelimit-app-gateway")
    f = impact.figures
    assert impact.warnings and f["rejected_mean"] > 0
    text = panel.detail.impact.text()
    assert f"Would reject {f['rejected_mean']:,.0f} req/s now ({f['rejected_mean'] / f['offered_mean']:.0%}" in text
    for sc, rps in f["rejected_by_scenario"].items():
        title = rig.view.topology.scenario(sc).title
        assert f"{title} {rps:,.0f} req/s" in text
    assert panel.detail.warnings.isVisible() and impact.warnings[0] in panel.detail.warnings.text()
    style = panel.detail.warnings.styleSheet()
    assert theme.DARK.warn in style or theme.DARK.crit in style
    # Step 1 of the confirmation repeats them, as loudly.
    plan = rig.desk.plan("ratelimit-app-gateway")
    dialog = ReviewDialog(panel, plan, impact_lines(plan, impact, rig.view.topology), list(impact.warnings),
                          impact_level(impact))
    qtbot.addWidget(dialog)
    assert dialog.warnings.text() == "\n".join(f"⚠ {w}" for w in impact.warnings)
    assert dialog.warnings.styleSheet() in (f"color: {theme.DARK.warn};", f"color: {theme.DARK.crit};")
    assert f"Would reject {f['rejected_mean']:,.0f} req/s" in dialog.impact.text()


def test_no_recent_data_means_no_estimate(qtbot):
    platform = build_platform()
    view = LiveView()
    view.apply(TopologySnapshot(PEAK_MS, platform.topology))
    view.apply(PlanCatalogue(platform.plans))
    view.plan_desk = PlanDesk(FakeClient(), view)
    panel = make_panel(qtbot, view)
    panel.select_plan("failover-bank-icbc")
    assert panel.detail.impact.text().startswith("No estimate: no recent load on the banks.")
    assert view.highlight["services"], "the map still shows what it touches"


# -- executing ---------------------------------------------------------------------------------
def test_critical_plan_wrong_typed_id_keeps_execute_disabled_and_cancel_sends_nothing(qtbot, rig, loop, monkeypatch):
    monkeypatch.setattr(plan_dialogs, "ask_actor", lambda parent: "li.wei")
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("failover-bank-icbc")
    assert rig.desk.plan("failover-bank-icbc").critical

    def step1(d):
        assert isinstance(d, ReviewDialog)
        assert "Moves " in d.impact.text(), "the impact summary is repeated"
        assert not d.ok_button.isEnabled(), "a reason is required"
        qtbot.keyClicks(d.reason, REASON)
        assert d.ok_button.isEnabled()
        d.ok_button.click()

    def step2(d):
        assert isinstance(d, ConfirmDialog)
        assert not d.ok_button.isEnabled()
        for wrong in ("failover-bank-icb", "FAILOVER-BANK-ICBC", "failover-bank-icbc2"):
            d.typed.clear()
            qtbot.keyClicks(d.typed, wrong)
            assert not d.ok_button.isEnabled(), wrong
        d.accept()  # Enter on a disabled Execute does nothing
        assert d.isVisible()
        d.cancel_button.click()

    check = drive_dialogs(qtbot, step1, step2)
    panel.execute_selected()
    check()
    assert rig.client.sent == [] and rig.desk.runs() == []
    assert len(rig.audit("previewed")) == 1, "the preview shown is in the audit trail"
    assert rig.audit("confirmed") == []
    assert panel.message.text() == "Cancelled: nothing was sent."

    check = drive_dialogs(qtbot, lambda d: d.cancel_button.click())  # cancel at step 1
    panel.execute_selected()
    check()
    assert rig.client.sent == [] and rig.audit("confirmed") == []


def test_completed_confirmation_sends_one_execute_command_keyed_by_the_run(qtbot, rig, loop, monkeypatch):
    monkeypatch.setattr(plan_dialogs, "ask_actor", lambda parent: "li.wei")
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("failover-bank-icbc")

    def step1(d):
        qtbot.keyClicks(d.reason, REASON)
        d.ok_button.click()

    def step2(d):
        qtbot.keyClicks(d.typed, "failover-bank-icbc")
        assert d.ok_button.isEnabled()
        d.ok_button.click()

    check = drive_dialogs(qtbot, step1, step2)
    panel.execute_selected()
    check()
    assert len(rig.client.sent) == 1
    (cmd,) = rig.client.sent
    (run,) = rig.desk.runs()
    assert cmd.action == "execute_plan" and dict(cmd.args) == {"plan_id": "failover-bank-icbc"}
    assert cmd.idempotency_key == run.id and cmd.actor == "li.wei" and cmd.reason == REASON
    assert [e.attrs["action"] for e in rig.audit()] == ["previewed", "confirmed", "sent"]
    assert run.state == "sent"
    assert panel.message.text() == "Sent: Fail over ICBC gateway" and not panel.message.is_error
    assert not panel.execute_button.isEnabled(), "not twice"
    assert panel.detail.run_state.text() == "EXECUTING"
    assert "Sending" not in panel.detail.progress.text() and "Executing…" in panel.detail.progress.text()


def test_the_console_user_acts_without_being_asked(qtbot, loop, dialogs):
    rig = Rig(alerting=True, seconds=60)
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("degrade-coupon")
    panel.execute_selected()
    assert "actor" not in dialogs["calls"] and dialogs["calls"] == ["reason", "confirm"]
    (cmd,) = rig.client.sent
    assert cmd.actor == "li.wei"
    assert any("Switches off" in line for line in dialogs["lines"]), "step 1 repeats the impact"


def test_progress_after_the_feed_answers(qtbot, rig, loop, dialogs):
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("failover-bank-icbc")
    panel.execute_selected()
    (run,) = rig.desk.runs()
    rig.desk.on_item(CommandResult(run.id, "succeeded", "routing weights changed"))
    panel.refresh()
    assert panel.detail.run_state.text() == "IN FORCE"
    steps = [s.label for s in panel.detail.progress.steps]
    assert steps[:3] == ["Confirmed", "Sent", "In force"] and steps[3] == "Verifying…"
    assert [s.status for s in panel.detail.progress.steps] == ["done", "done", "done", "current"]
    assert panel.detail.run_who.text() == f"by li.wei: “{REASON}”"
    assert panel.detail.kpi.text().startswith("QR-code payment success: before ")
    assert panel.model.data(panel.model.index(panel.model.row_of("failover-bank-icbc")), CARD_ROLE).right == "IN FORCE"
    assert "1 in force" in panel.summary.text()
    assert panel.rollback_button.isEnabled()


def test_not_effective_prompts_roll_back_or_escalate_and_rollback_sends(qtbot, rig, loop, dialogs):
    rig.sim.inject_fault("dependency_outage", "bank-icbc", None)
    rig.run(30)
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("failover-bank-icbc")
    panel.execute_selected()
    (run,) = rig.desk.runs()
    rig.desk.on_item(CommandResult(run.id, "succeeded", ""))
    rig.run(62)  # the fake feed never fails ICBC over: QR pay stays down past the guard's 60 s
    panel.refresh()
    run = rig.desk.book.run(run.id)
    assert run.state == "not_effective" and run.after < 0.99
    assert panel.detail.prompt.isVisible()
    assert panel.detail.prompt_label.text() == "Guard KPI did not recover in time — roll back or escalate"
    assert panel.detail.run_state.text() == "NOT EFFECTIVE"
    assert panel.detail.progress.steps[3].label == "NOT EFFECTIVE" and panel.detail.progress.steps[3].status == "failed"
    assert "NOT EFFECTIVE" in panel.summary.text()
    kpi = panel.detail.kpi.text()  # ratios are cut, never rounded up: 98.96% must not read 99.0%
    assert f"before {math.floor(run.before * 1000) / 10:.1f}%" in kpi
    assert f"after {math.floor(run.after * 1000) / 10:.1f}%" in kpi and "(needs ≥ 99% within 60 s)" in kpi

    panel.detail.prompt_button.click()
    assert dialogs["calls"][-1] == "rollback"
    cmd = rig.client.sent[-1]
    assert cmd.action == "rollback_plan" and cmd.idempotency_key == run.id + "-rollback"
    assert dict(cmd.args) == {"plan_id": "failover-bank-icbc"} and cmd.reason == "guard KPI did not recover"
    panel.refresh()
    assert rig.desk.book.run(run.id).state == "rolling_back"
    assert panel.detail.run_state.text() == "ROLLING BACK" and not panel.detail.prompt.isVisible()
    assert "rollback asked by li.wei" in panel.detail.run_who.text()
    rig.desk.on_item(CommandResult(run.id + "-rollback", "succeeded", ""))
    panel.refresh()
    assert [s.label for s in panel.detail.progress.steps][-2:] == ["Rolling back", "Rolled back"]
    assert panel.execute_button.isEnabled() and not panel.rollback_button.isEnabled()


def test_an_expiring_plan_warns_with_the_time_left(qtbot, rig, loop, dialogs):
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("ratelimit-app-gateway")
    panel.execute_selected()
    (run,) = rig.desk.runs()
    rig.desk.on_item(CommandResult(run.id, "succeeded", ""))
    run = rig.desk.book.run(run.id)
    assert run.expires_ms is not None
    # The feed's clock moves to 45 s before expiry: the next batch makes the desk warn.
    rig.view.set_feed("live", "", now_ms=run.expires_ms - 45_000)
    batch, _ = rig.sim.tick()
    rig.view.apply(batch)
    rig.desk.on_item(batch)
    assert rig.audit("expiring")
    panel.refresh()
    assert panel.detail.expiring.isVisible()
    assert panel.detail.expiring.text().startswith("Expires in 0:45 (at ")


# -- who may, and when it goes wrong --------------------------------------------------------------
def test_a_viewer_sees_plans_and_previews_but_cannot_execute(qtbot, dialogs):
    rig = Rig(may_command=False, seconds=60)
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("failover-bank-icbc")
    assert "Moves " in panel.detail.impact.text()
    assert not panel.execute_button.isEnabled() and not panel.rollback_button.isEnabled()
    assert panel.execute_button.toolTip() == "your role may view plans but not execute them"
    panel.execute_selected()  # even if called: nothing asked, nothing sent
    assert dialogs["calls"] == [] and rig.client.sent == [] and rig.audit() == []
    assert panel.message.is_error and panel.message.text() == "your role may view plans but not execute them"


def test_errors_are_shown_never_raised(qtbot, rig, loop, dialogs):
    panel = make_panel(qtbot, rig.view)
    panel.select_plan("failover-bank-icbc")
    dialogs["typed"] = "failover-bank-abc"  # the desk refuses a wrong typed id too
    panel.execute_selected()
    assert panel.message.is_error and "type its id to confirm" in panel.message.text()
    assert rig.client.sent == [] and rig.audit("confirmed") == []

    dialogs["typed"] = None
    rig.client.fail = RuntimeError("socket on fire")
    panel.execute_selected()
    assert panel.message.is_error and panel.message.text() == "Failed: RuntimeError: socket on fire"

    rig.client.fail = NotConnected("feed is disconnected: test")
    panel.select_plan("degrade-coupon")
    panel.execute_selected()
    assert panel.message.is_error and "feed down, will send when it is back" in panel.message.text()

    panel.clear_selection()
    panel.rollback_selected()
    assert panel.message.text().startswith("Nothing to roll back")


def test_redraws_only_when_the_desk_or_alerts_change(qtbot, rig, monkeypatch):
    panel = make_panel(qtbot, rig.view)
    calls = []
    real = panel.model.set_rows
    monkeypatch.setattr(panel.model, "set_rows", lambda rows: calls.append(1) or real(rows))
    rig.run(3)  # data arrives, nothing about plans changes
    for _ in range(3):
        panel.refresh()
    assert calls == []
    rig.desk.record_preview("degrade-coupon", "li.wei", rig.desk.impact("degrade-coupon"))
    panel.refresh()
    assert calls == [1]


def test_deselecting_leaves_another_panels_highlight_alone(qtbot, rig):
    panel = make_panel(qtbot, rig.view)
    rig.view.highlight = {"services": ("trade",), "edges": (), "scenarios": (), "source": "scenario"}
    panel.select_plan("degrade-coupon")
    assert rig.view.highlight["source"] == "plan"
    panel.clear_selection()
    assert rig.view.highlight is None
    rig.view.highlight = {"services": ("trade",), "edges": (), "scenarios": (), "source": "scenario"}
    panel.clear_selection()
    assert rig.view.highlight["source"] == "scenario"


def test_plain_words_helpers():
    assert fill("%1 of %2 (%1)", "18%", "6,800") == "18% of 6,800 (18%)", "a value's % is not a placeholder"
    assert kpi_value('scenario_success_ratio{scenario="qr_pay"}', 0.98996) == "98.9%", "never rounded up to 99%"
    assert kpi_value("queue_depth", 1234.0) == "1,234"
    names_for(None)  # a feed that named nothing: the id
    assert guard_text({"series": 'service_error_ratio{service="trade"}', "op": "<", "threshold": 0.01,
                       "within_s": 90.0}) == "trade error rate < 1% within 90 s"
    names_for(build_platform().topology)  # the feed's names, as people read them
    assert guard_text({"series": 'scenario_success_ratio{scenario="qr_pay"}', "op": ">=", "threshold": 0.99,
                       "within_s": 60.0}) == "QR-code payment success ≥ 99% within 60 s"
    assert guard_text(None).startswith("no guard KPI")
    assert [duration_text(s) for s in (45, 600, 3600, 5400)] == ["45 s", "10 min", "1 h", "1 h 30 min"]
    assert countdown(45_000) == "0:45" and countdown(-5) == "0:00"
