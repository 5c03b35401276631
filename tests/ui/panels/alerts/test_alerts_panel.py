"""The alert list: groups by root cause (root first, symptoms folded and counted), severity
colours, ages in feed time, tags; acknowledge / silence / runbook calling through to a real
AlertWatch fed by a drill; errors shown, never raised; the rule-file banner; redraws only
when the watch changed; state saved."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QModelIndex, Qt  # noqa: E402

from tests.app.drill import Drill  # noqa: E402
from warroom.core.alerting.alerts import Alert  # noqa: E402
from warroom.core.model import EventKind, SeriesKey, Severity  # noqa: E402
from warroom.core.alerting.rules import default_rules_path  # noqa: E402
from warroom.app.watch import AlertWatch  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.alerts import dialogs as alert_dialogs# noqa: E402
from warroom.ui.panels.alerts.cards import CARD_ROLE, SEVERITY_COLORS, format_age, severity_color  # noqa: E402
from warroom.ui.panels.alerts.dialogs import SilenceInput, TextInput  # noqa: E402
from warroom.ui.panels.alerts.model import group_alerts  # noqa: E402
from warroom.ui.panels.alerts.panel import AlertsPanel, glob_literal  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402

WARMUP_S = 200


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 12)


@pytest.fixture
def outage() -> Drill:
    """A minute into a CCB bank gateway outage: one incident, ~20 alerts rooted at bank-ccb."""
    d = Drill()
    d.run(WARMUP_S)
    d.sim.inject_fault("dependency_outage", "bank-ccb", None)
    d.run(60)
    d.recorded = []
    d.watch.record = d.recorded.extend  # what the console's session would store
    return d


def make_panel(qtbot, watch) -> AlertsPanel:
    view = LiveView()
    view.alerting = watch
    panel = AlertsPanel(view)
    qtbot.addWidget(panel)
    panel.resize(640, 800)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def card(panel: AlertsPanel, index: QModelIndex):
    return panel.model.data(index, CARD_ROLE)


def badges(c) -> list[str]:
    return [b.text for b in (*c.badges, *c.details)]


def top(panel: AlertsPanel, row: int = 0) -> QModelIndex:
    return panel.model.index(row, 0)


def alert(fp: str, severity: Severity, since_ms: int, *, state="firing", folded_under="", subject="svc",
          **kw) -> Alert:
    return Alert(fingerprint=fp, rule="rule-" + fp, series=SeriesKey("x", {"service": subject}), subject=subject,
                 subject_kind="service", severity=severity, state=state, title=f"{subject}: {fp}", since_ms=since_ms,
                 value=1.0, threshold=0.5, root_cause=subject, folded_under=folded_under, **kw)


class StubWatch:
    """Hand-made AlertWatch state: the attributes and readers the panel uses, nothing else."""

    def __init__(self, alerts, now_ms=1_000_000, rules_error=""):
        self._alerts, self.now_ms, self.rules_error = list(alerts), now_ms, rules_error
        self.version, self.user, self.reads = 1, "alice", 0

    def alerts(self):
        self.reads += 1
        return list(self._alerts)

    def silences(self):
        return []

    def incidents(self):
        return []


# -- what it shows ---------------------------------------------------------------------------
def test_alerting_off_is_said_plainly(qtbot):
    panel = make_panel(qtbot, None)
    assert panel.stack.currentWidget() is panel.off_label
    assert panel.off_label.text() == "Alerting is off"
    panel.source.alerting = StubWatch([])
    panel.refresh()
    assert panel.stack.currentIndex() == 1
    assert panel.summary.text() == "No active alerts"


def test_one_outage_is_one_group_with_the_root_cause_first_and_symptoms_folded(qtbot, outage):
    panel = make_panel(qtbot, outage.watch)
    active = outage.watch.alerts()
    assert len(active) >= 10
    assert panel.model.rowCount() == 1, "every symptom is folded under the one root"
    root_index = top(panel)
    root = panel.model.alert_at(root_index)
    assert root.subject == "bank-ccb" and root.is_root
    symptoms = panel.model.rowCount(root_index)
    assert symptoms == len(active) - 1
    c = card(panel, root_index)
    assert c.bold and c.chip == root.severity.value
    worst = min((a.severity for a in active[1:]), key=lambda s: "P0 P1 P2 P3".split().index(s.value))
    assert badges(c)[:2] == ["ROOT CAUSE", f"+{symptoms} symptoms (worst {worst.value})"]
    assert "firing" in badges(c)
    assert not panel.tree.isExpanded(root_index), "symptoms are collapsed until asked for"
    child = panel.model.index(0, 0, root_index)
    assert panel.model.alert_at(child).folded_under == root.fingerprint
    assert not card(panel, child).bold and "ROOT CAUSE" not in badges(card(panel, child))
    assert panel.summary.text().startswith(f"{sum(a.state == 'firing' for a in active)} firing")


def test_groups_sorted_by_worst_severity_then_oldest(qtbot):
    alerts = [
        alert("c", Severity.P3, 10, subject="cache"),                      # lone P3, oldest of all
        alert("a", Severity.P2, 300, subject="db"),                        # root P2 ...
        alert("a1", Severity.P1, 320, folded_under="a", subject="trade"),  # ... with a P1 symptom
        alert("b", Severity.P1, 200, subject="bank"),                      # lone P1, older than group a
        alert("d", Severity.P2, 400, state="pending", subject="mq"),
    ]
    groups = group_alerts(alerts)
    assert [g.root.fingerprint for g in groups] == ["b", "a", "d", "c"]
    assert [s.fingerprint for s in groups[1].symptoms] == ["a1"]
    panel = make_panel(qtbot, StubWatch(alerts, now_ms=200_000 + 200))
    assert [panel.model.alert_at(top(panel, r)).fingerprint for r in range(4)] == ["b", "a", "d", "c"]
    b, d = card(panel, top(panel, 0)), card(panel, top(panel, 2))
    assert b.chip == "P1" and b.chip_color == SEVERITY_COLORS["dark"]["P1"] and b.chip_filled
    assert b.right == "3m 20s", "age = feed time now - since"
    assert d.dim and not d.chip_filled and "pending" in badges(d), "pending is dimmer, its chip only outlined"


def test_a_symptom_whose_root_is_gone_stands_on_its_own():
    groups = group_alerts([alert("s", Severity.P2, 5, folded_under="gone")])
    assert [g.root.fingerprint for g in groups] == ["s"] and groups[0].symptoms == ()


def test_severity_colours_and_ages():
    assert [severity_color(s) for s in (Severity.P0, Severity.P1, Severity.P2, Severity.P3)] == \
        ["#ff4d4f", "#ff8c1a", "#f5c542", "#8fa3b8"]  # red, orange, amber, blue-grey
    assert len({severity_color(s) for s in Severity}) == 5
    theme.apply(theme.LIGHT, 12)
    assert severity_color(Severity.P0) == SEVERITY_COLORS["light"]["P0"]
    assert [format_age(ms) for ms in (None, -5, 0, 45_000, 200_000, 3_600_000 + 300_000, 2 * 86_400_000 + 3 * 3_600_000)] \
        == ["—", "0s", "0s", "45s", "3m 20s", "1h 05m", "2d 3h"]


def test_ages_move_with_feed_time_without_reading_the_alerts_again(qtbot):
    watch = StubWatch([alert("a", Severity.P1, 0)], now_ms=65_000)
    panel = make_panel(qtbot, watch)
    panel.age_interval_s = 0.0  # no wall-clock throttle in a test
    assert card(panel, top(panel)).right == "1m 05s"
    reads = watch.reads
    panel.refresh()
    assert watch.reads == reads, "nothing changed: nothing read"
    watch.now_ms = 125_000  # feed time moved, no alert changed (version unchanged)
    panel.refresh()
    assert watch.reads == reads
    assert card(panel, top(panel)).right == "2m 05s"
    watch.version += 1
    panel.refresh()
    assert watch.reads == reads + 1


def test_refresh_does_nothing_while_the_watch_version_stands(qtbot, outage, monkeypatch):
    panel = make_panel(qtbot, outage.watch)
    calls = []
    real = outage.watch.alerts
    monkeypatch.setattr(outage.watch, "alerts", lambda: calls.append(1) or real())
    for _ in range(5):
        panel.refresh()
    assert calls == []
    outage.run(20)  # new transitions bump the version
    panel.refresh()
    assert len(calls) == 1


def test_after_change_flapping_and_silenced_tags(qtbot):
    change = {"id": "dep-1", "kind": "deploy", "subject": "payment-engine", "title": "Deployed payment-engine 1.3.0",
              "ts": 0}
    root = alert("r", Severity.P1, 0, subject="payment-engine", tags=("after_change",), change=change)
    sym = alert("s", Severity.P2, 0, subject="trade", folded_under="r", tags=("after_change", "flapping"),
                change=change, silenced_by="sil-1")
    panel = make_panel(qtbot, StubWatch([root, sym]))
    c = card(panel, top(panel))
    assert "after change: Deployed payment-engine 1.3.0" in badges(c)
    s = card(panel, panel.model.index(0, 0, top(panel)))
    assert badges(s)[-3:] == ["after change", "flapping", "silenced"], "the root's line names the change once"
    assert s.dim


def test_the_drill_deploy_tags_its_root_with_the_release(qtbot):
    d = Drill()
    d.run(WARMUP_S)
    d.sim.inject_fault("deploy_error_burst", "payment-engine", None)
    d.run(40)
    panel = make_panel(qtbot, d.watch)
    root = card(panel, top(panel))
    assert root.title.startswith("Payment engine")  # the feed's name, not the id
    assert any(b.startswith("after change: Deployed payment-engine") for b in badges(root))


# -- actions -----------------------------------------------------------------------------------
def test_acknowledge_asks_for_a_comment_and_acks_through_the_watch(qtbot, outage, monkeypatch):
    panel = make_panel(qtbot, outage.watch)
    asked = []
    monkeypatch.setattr(alert_dialogs, "ask_ack",
                        lambda parent, what, actor: asked.append((what, actor)) or TextInput("alice", "failing over CCB"))
    root = panel.model.alert_at(top(panel))
    assert panel.select_alert(root.fingerprint)
    assert panel.ack_button.isEnabled()
    qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    assert asked == [(root.title, "")], "the drill's watch has no user: the dialog asks for a name"
    acked = next(a for a in outage.watch.alerts() if a.fingerprint == root.fingerprint)
    assert acked.state == "acknowledged" and acked.acked_by == "alice" and acked.ack_comment == "failing over CCB"
    assert "acked by alice" in badges(card(panel, top(panel)))
    assert not panel.message.is_error and "Acknowledged" in panel.message.text()
    ev = [e for e in outage.recorded if e.kind is EventKind.ALERT and e.attrs["state"] == "acknowledged"]
    assert ev and ev[0].attrs["actor"] == "alice" and ev[0].attrs["comment"] == "failing over CCB"
    assert not panel.ack_button.isEnabled(), "already acknowledged"


def test_acknowledge_without_a_comment_or_a_name_is_refused_with_a_message(qtbot, outage, monkeypatch):
    panel = make_panel(qtbot, outage.watch)
    root = panel.model.alert_at(top(panel))
    panel.select_alert(root.fingerprint)
    monkeypatch.setattr(alert_dialogs, "ask_ack", lambda *a: TextInput("alice", ""))
    panel.acknowledge_selected()
    assert panel.message.is_error and "comment" in panel.message.text()
    monkeypatch.setattr(alert_dialogs, "ask_ack", lambda *a: TextInput("", "on it"))
    panel.acknowledge_selected()
    assert panel.message.is_error and "who you are" in panel.message.text()
    monkeypatch.setattr(alert_dialogs, "ask_ack", lambda *a: None)  # cancelled
    panel.acknowledge_selected()
    assert next(a for a in outage.watch.alerts() if a.fingerprint == root.fingerprint).state == "firing"
    assert outage.recorded == []


def test_acknowledging_an_alert_that_is_not_firing_shows_the_watch_error(qtbot, outage, monkeypatch):
    panel = make_panel(qtbot, outage.watch)
    pending = next((a for a in outage.watch.alerts() if a.state == "pending"), None)
    assert pending is not None, "the drill has pending alerts a minute in"
    panel.select_alert(pending.fingerprint)
    assert not panel.ack_button.isEnabled()
    monkeypatch.setattr(alert_dialogs, "ask_ack", lambda *a: TextInput("alice", "on it"))
    panel.acknowledge_selected()  # as if the button had been pressed anyway
    assert panel.message.is_error and "no firing alert" in panel.message.text()


def test_silence_this_alert_for_30_minutes(qtbot, outage, monkeypatch):
    outage.watch.user = "alice"
    panel = make_panel(qtbot, outage.watch)
    root = panel.model.alert_at(top(panel))
    panel.select_alert(root.fingerprint)
    seen = []
    monkeypatch.setattr(alert_dialogs, "ask_silence", lambda parent, a, actor: seen.append((a.fingerprint, actor))
                        or SilenceInput(actor, "alert", "30m", "CCB maintenance"))
    qtbot.mouseClick(panel.silence_button, Qt.MouseButton.LeftButton)
    assert seen == [(root.fingerprint, "alice")]
    (s,) = outage.watch.silences()
    assert dict(s.matchers) == {"rule": root.rule, "subject": "bank-ccb"}
    assert s.starts_ms == outage.watch.now_ms and s.ends_ms - s.starts_ms == 30 * 60_000
    assert s.created_by == "alice" and s.comment == "CCB maintenance"
    assert "silenced" in badges(card(panel, top(panel)))
    assert [e.attrs["action"] for e in outage.recorded if e.kind is EventKind.SILENCE] == ["created"]
    assert panel.silences_button.text() == "Silences (1)"
    assert panel.silence_list.tree.topLevelItem(0).text(1) == "ends in 30m 00s"


def test_silence_a_whole_subject_for_a_custom_time_then_end_it(qtbot, outage, monkeypatch):
    panel = make_panel(qtbot, outage.watch)
    root = panel.model.alert_at(top(panel))
    panel.select_alert(root.fingerprint)
    monkeypatch.setattr(alert_dialogs, "ask_silence", lambda *a: SilenceInput("bob", "subject", "90m", "vendor work"))
    panel.silence_selected()
    (s,) = outage.watch.silences()
    assert dict(s.matchers) == {"subject": "bank-ccb"} and s.ends_ms - s.starts_ms == 90 * 60_000
    panel.silences_button.setChecked(True)
    assert panel.silence_list.isVisible()
    panel.silence_list.select(s.id)
    qtbot.mouseClick(panel.silence_list.end_button, Qt.MouseButton.LeftButton)
    assert outage.watch.silences() == []
    assert "silenced" not in badges(card(panel, top(panel)))
    assert [e.attrs["action"] for e in outage.recorded if e.kind is EventKind.SILENCE] == ["created", "removed"]


@pytest.mark.parametrize("given, words", [
    (SilenceInput("bob", "alert", "soon", "why"), "Duration"),
    (SilenceInput("bob", "alert", "30d", "why"), "at most 7 days"),
    (SilenceInput("bob", "alert", "1h", ""), "reason"),
    (SilenceInput("", "alert", "1h", "why"), "who you are"),
])
def test_a_bad_silence_is_refused_with_a_message(qtbot, outage, monkeypatch, given, words):
    panel = make_panel(qtbot, outage.watch)
    panel.select_alert(panel.model.alert_at(top(panel)).fingerprint)
    monkeypatch.setattr(alert_dialogs, "ask_silence", lambda *a: given)
    panel.silence_selected()
    assert panel.message.is_error and words in panel.message.text()
    assert outage.watch.silences() == []


def test_ending_an_unknown_silence_shows_the_error(qtbot, outage):
    panel = make_panel(qtbot, outage.watch)
    panel.end_silence("no-such-silence")
    assert panel.message.is_error and "no silence" in panel.message.text()


def test_glob_characters_in_a_subject_match_only_themselves():
    assert glob_literal("a*b?[c]") == "a[*]b[?][[]c]"
    import fnmatch
    assert fnmatch.fnmatchcase("a*b?[c]", glob_literal("a*b?[c]"))
    assert not fnmatch.fnmatchcase("aXbY[c]", glob_literal("a*b?[c]"))


def test_open_runbook(qtbot, outage, monkeypatch):
    panel = make_panel(qtbot, outage.watch)
    opened = []
    monkeypatch.setattr(alert_dialogs, "open_url", lambda url: opened.append(url) or True)
    with_book = next(a for a in outage.watch.alerts() if a.runbook)
    without = next(a for a in outage.watch.alerts() if not a.runbook)
    panel.select_alert(without.fingerprint)
    assert not panel.runbook_button.isEnabled()
    panel.select_alert(with_book.fingerprint)
    assert panel.runbook_button.isEnabled()
    qtbot.mouseClick(panel.runbook_button, Qt.MouseButton.LeftButton)
    assert opened == [with_book.runbook]


def test_actions_without_a_selection_say_so(qtbot, outage):
    panel = make_panel(qtbot, outage.watch)
    assert not panel.ack_button.isEnabled() and not panel.silence_button.isEnabled()
    panel.acknowledge_selected()
    assert panel.message.is_error and "Select an alert" in panel.message.text()


# -- the rule file banner ----------------------------------------------------------------------
def test_a_broken_rule_file_is_a_red_banner_until_reloaded_fixed(qtbot, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: x\n    severity: P9\n")
    watch = AlertWatch.from_rules_file(rules)
    assert watch.rules_error
    panel = make_panel(qtbot, watch)
    assert panel.banner.isVisible()
    assert "rules.yaml" in panel.banner_label.text() and panel.banner_label.text().startswith("Rule file error")
    qtbot.mouseClick(panel.reload_button, Qt.MouseButton.LeftButton)  # still broken
    assert panel.banner.isVisible() and panel.message.is_error
    shutil.copy(default_rules_path(), rules)
    qtbot.mouseClick(panel.reload_button, Qt.MouseButton.LeftButton)
    assert watch.rules_error == ""
    assert not panel.banner.isVisible()
    assert not panel.message.is_error and panel.message.text() == "Rules reloaded."


# -- selection, state ------------------------------------------------------------------------
def test_open_groups_and_the_selection_survive_a_reshaped_list(qtbot, outage):
    panel = make_panel(qtbot, outage.watch)
    root = panel.model.alert_at(top(panel))
    panel.tree.expand(top(panel))
    panel.select_alert(root.fingerprint)
    # Another outage on a separate service makes a second group: the tree is rebuilt.
    outage.sim.inject_fault("dependency_outage", "risk-control", None)
    before = panel.model.rowCount()
    outage.run(60)
    panel.refresh()
    assert panel.model.rowCount() > before
    index = panel.model.index_of(root.fingerprint)
    assert index.isValid() and panel.tree.isExpanded(index)
    assert panel.selected_alert().fingerprint == root.fingerprint
    assert panel.tree.currentIndex() == index
    other = next(r for r in range(panel.model.rowCount()) if panel.model.index(r, 0) != index)
    assert not panel.tree.isExpanded(panel.model.index(other, 0)), "a new group arrives collapsed"


def test_state_saved_and_restored(qtbot, outage):
    panel = make_panel(qtbot, outage.watch)
    assert panel.save_state() == {"show_silences": False}
    panel.silences_button.setChecked(True)
    state = panel.save_state()
    other = make_panel(qtbot, outage.watch)
    other.restore_state(state)
    assert other.silences_button.isChecked() and other.silence_list.isVisible()
    other.restore_state({"show_silences": "yes"})  # bad entries are ignored
    other.restore_state(None)  # type: ignore[arg-type]
    assert other.silences_button.isChecked()


def test_registered_with_its_title():
    cls = panel_class("alerts")
    assert cls is AlertsPanel and cls.ID == "alerts" and cls.TITLE == "Alerts"


def test_acked_state_words(qtbot):
    a = replace(alert("a", Severity.P0, 0), state="acknowledged", acked_by="li.wei")
    panel = make_panel(qtbot, StubWatch([a]))
    c = card(panel, top(panel))
    assert "acked by li.wei" in badges(c) and c.chip_color == "#ff4d4f"
    assert panel.summary.text() == "0 firing  ·  1 acked"


def test_a_changed_alert_is_redrawn_in_place_and_ages_move_once_a_wall_second(qtbot):
    a = alert("a", Severity.P1, 0, state="pending")
    watch = StubWatch([a], now_ms=10_000)
    panel = make_panel(qtbot, watch)
    resets = []
    panel.model.modelReset.connect(lambda: resets.append(1))
    watch._alerts = [replace(a, state="firing", fired_ms=10_000)]
    watch.version += 1
    panel.refresh()
    c = card(panel, top(panel))
    assert resets == [] and c.chip_filled and "firing" in badges(c)
    watch.now_ms = 70_000  # a fast feed moves its time every frame...
    panel.refresh()
    assert card(panel, top(panel)).right == "10s", "...the ages wait for a second of wall time"
    panel.age_interval_s = 0.0
    panel.refresh()
    assert card(panel, top(panel)).right == "1m 10s"


# -- the dialogs themselves ----------------------------------------------------------------------
def _answer(qtbot, fill):
    """Fill the next modal dialog with ``fill(dialog)`` and press OK, from the event loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    def go():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            for w in QApplication.topLevelWidgets():
                if isinstance(w, QDialog) and w.isVisible():
                    w.reject()
            raise AssertionError(f"no modal dialog, found {dialog!r}")
        try:
            fill(dialog)
        finally:  # never leave a modal dialog open: the test would hang instead of failing
            dialog.accept()

    QTimer.singleShot(0, go)


def test_the_silence_dialog_returns_what_was_chosen(qtbot):
    from PySide6.QtWidgets import QComboBox, QLineEdit, QRadioButton

    a = alert("a", Severity.P1, 0, subject="bank-ccb")

    def fill(dialog):
        next(r for r in dialog.findChildren(QRadioButton) if r.text().startswith("Everything")).setChecked(True)
        combo = dialog.findChild(QComboBox, "dialog_duration")
        combo.setCurrentIndex(combo.count() - 1)  # custom…
        edits = [e for e in dialog.findChildren(QLineEdit) if e.isEnabled() and e.placeholderText()]
        edits[0].setText("2h")
        dialog.findChild(QLineEdit, "dialog_text").setText("bank maintenance")
        assert not dialog.findChild(QLineEdit, "dialog_actor").isVisible(), "the console knows who acts"

    _answer(qtbot, fill)
    got = alert_dialogs.ask_silence(None, a, "alice")
    assert got == SilenceInput("alice", "subject", "2h", "bank maintenance")


def test_the_text_dialogs_ask_for_a_name_when_the_console_has_none(qtbot):
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

    def fill(dialog):
        actor = dialog.findChild(QLineEdit, "dialog_actor")
        assert actor.isVisible()
        actor.setText("  bob ")
        dialog.findChild(QPlainTextEdit, "dialog_note").setPlainText("line one\nline two\n")

    _answer(qtbot, fill)
    assert alert_dialogs.ask_note(None, "INC-1", "") == TextInput("bob", "line one\nline two")

    def fill_ack(dialog):
        dialog.findChild(QLineEdit, "dialog_text").setText("on it")

    _answer(qtbot, fill_ack)
    assert alert_dialogs.ask_ack(None, "an alert", "alice") == TextInput("alice", "on it")
