"""Log context on alerts (protocol 1.5): the simulator's error lines and trace ids reach the
alert card and the view under the list; Copy and Open trace work; hostile lines stay bounded
and inert; the incident timeline shows them too."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from tests.app.drill import Drill
from warroom.core.settings import trace_links
from warroom.protocol.context import (
    MAX_LINE_CHARS,
    LogLine,
    context_event,
    context_of,
    is_context,
)
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.alerts import context_view
from warroom.ui.panels.alerts.cards import CARD_ROLE, LINES_ROLE
from warroom.ui.panels.alerts.panel import AlertsPanel
from warroom.ui.panels.incidents.model import timeline_rows

TEMPLATE = "https://jaeger.example.com/trace/{trace_id}"


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 12)
    trace_links.set_template(None)
    yield
    trace_links.set_template(None)


@pytest.fixture
def outage() -> Drill:
    """A minute into a CCB gateway outage, events fed to a LiveView as the console does."""
    d = Drill(view=LiveView())
    d.run(200)
    d.sim.inject_fault("dependency_outage", "bank-ccb", None)
    d.run(60)
    return d


def make_panel(qtbot, view: LiveView) -> AlertsPanel:
    panel = AlertsPanel(view)
    qtbot.addWidget(panel)
    panel.resize(900, 900)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def newest_note(d: Drill, service: str):
    notes = [e for e in d.log if is_context(e) and e.subject == service]
    assert notes, f"the simulator wrote no log lines for {service}"
    return context_of(notes[-1])


def test_the_fault_s_log_lines_and_trace_ids_are_on_the_alert(qtbot, outage, monkeypatch):
    trace_links.set_template(TEMPLATE)
    panel = make_panel(qtbot, outage.view)
    ctx = newest_note(outage, "bank-ccb")
    root = panel.model.groups[0].root
    assert root.subject == "bank-ccb"
    index = panel.model.index(0, 0)
    card = panel.model.data(index, CARD_ROLE)
    assert panel.model.data(index, LINES_ROLE) == 3
    assert any(ctx.lines[-1].trace_id[:8] in b.text and "Connection refused" in b.text for b in card.details)
    view = panel.context_view
    assert view.isVisible() and view.context.service == "bank-ccb"
    shown = [label.text() for label in view.line_labels if label.isVisible()]
    assert shown and "connect to bank-ccb:8443 failed" in shown[0]
    assert all("2026-" not in s for s in shown)  # the line's own stamp is not repeated
    assert view.trace_id(0) == ctx.trace_ids[0]
    view.trace_rows[0][1].click()
    assert QGuiApplication.clipboard().text() == ctx.trace_ids[0]
    opened = []
    monkeypatch.setattr(context_view, "open_url", lambda url: opened.append(url) or True)
    view.trace_rows[0][2].click()
    assert opened == [TEMPLATE.replace("{trace_id}", ctx.trace_ids[0])]
    view.copy_lines_button.click()
    assert ctx.lines[-1].line in QGuiApplication.clipboard().text()


def test_a_caller_s_alert_shows_the_caller_s_lines(qtbot, outage):
    panel = make_panel(qtbot, outage.view)
    symptom = next(s for g in panel.model.groups for s in g.symptoms if s.subject == "payment-engine")
    assert panel.select_alert(symptom.fingerprint)
    assert panel.context_view.context.service == "payment-engine"
    assert "call bank-ccb failed: UNAVAILABLE" in panel.context_view.line_labels[0].full_text


def test_without_a_template_there_is_no_link(qtbot, outage, monkeypatch):
    panel = make_panel(qtbot, outage.view)
    opened = []
    monkeypatch.setattr(context_view, "open_url", lambda url: opened.append(url) or True)
    assert not panel.context_view.trace_rows[0][2].isEnabled()
    assert panel.context_view.open_trace(0) is False and opened == []


def test_hostile_lines_are_bounded_and_drawn_inert(qtbot, outage):
    t = outage.now_ms - 1000  # the last second simulated: the view's cursor
    evil = [LogLine(t - 3, "x" * (1024 * 1024), "abcdef0123456789"),
            LogLine(t - 2, '<a href="file:///etc/passwd">click</a> \x1b[2J\u202eevil\u202c\x00', "not a trace; rm -rf"),
            LogLine(t - 1, "bad\nnewline\ttab", "")]
    ev = context_event("evil-1", t, "bank-ccb", evil, source="loki\x1b[31m")
    outage.view.add_events([ev])
    panel = make_panel(qtbot, outage.view)
    view = panel.context_view
    texts = [label.text() for label in view.line_labels if label.isVisible()] + [view.heading.text()]
    for text in texts:
        assert not any(c in text for c in "\x1b\x00\u202e\u202c\n\t")
        assert len(text) <= MAX_LINE_CHARS + 20
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in view.line_labels)
    assert view.context.trace_ids == ("abcdef0123456789",)  # the bad id is no trace id
    assert trace_links.trace_url("not a trace; rm -rf") is None


def test_trace_link_templates():
    trace_links.set_template("https://grafana.example.com/explore?left={\"queries\":[{\"query\":\"{trace_id}\"}]}")
    assert trace_links.trace_url("4bf92f3577b34da6") == \
        "https://grafana.example.com/explore?left={\"queries\":[{\"query\":\"4bf92f3577b34da6\"}]}"
    for bad in ("javascript:alert(1)//{trace_id}", "https://x.example/no-placeholder", "file:///{trace_id}"):
        assert trace_links.template_problem(bad)
        trace_links.set_template(bad)
        assert trace_links.trace_url("4bf92f3577b34da6") is None


def test_the_incident_timeline_shows_the_newest_lines(outage):
    inc = outage.watch.incidents()[0]
    rows = timeline_rows(inc)
    logs = [r for r in rows if r.kind == "LOGS"]
    assert logs, "no log row on the incident's timeline"
    ctx = newest_note(outage, "bank-ccb")
    assert any(ctx.lines[-1].trace_id[:8] in r.detail for r in logs)
    # Older excerpts of the same service are bookkeeping: shown only with "all events".
    assert len(logs) < len([r for r in timeline_rows(inc, show_all=True) if r.kind == "LOGS"])


def test_a_logs_row_clicked_on_the_timeline_shows_its_lines(qtbot, outage):
    from warroom.ui.panels.incidents.panel import IncidentsPanel

    panel = IncidentsPanel(outage.view)
    qtbot.addWidget(panel)
    panel.resize(700, 1000)
    panel.show()
    qtbot.waitExposed(panel)
    inc = outage.watch.incidents()[0]
    assert panel.select_incident(inc.id)
    assert not panel.log_view.isVisible()
    rows = panel.timeline_model.items
    logs = next(i for i, r in enumerate(rows) if r.kind == "LOGS")
    panel.timeline.setCurrentIndex(panel.timeline_model.index(logs))
    assert panel.log_view.isVisible() and panel.log_view.context.trace_ids
    panel.log_view.trace_rows[0][1].click()
    assert QGuiApplication.clipboard().text() == panel.log_view.context.trace_ids[0]
