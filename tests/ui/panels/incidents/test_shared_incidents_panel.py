"""The incident and alert panels on a ``SharedWatch`` (protocol 1.4: the feed computes the
incidents): they list the feed's incidents, keep their buttons, and show plainly when an
action could not be sent or the feed refused it."""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from warroom.app.feed_watch import FeedWatch  # noqa: E402
from warroom.app.shared_watch import SharedWatch  # noqa: E402
from warroom.io.auth import Credentials  # noqa: E402
from warroom.io.client import FeedClient  # noqa: E402
from warroom.protocol import Command  # noqa: E402
from warroom.sim.engine import Simulator  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.alerts.dialogs import TextInput  # noqa: E402
from warroom.ui.panels.alerts.panel import AlertsPanel  # noqa: E402
from warroom.ui.panels.incidents import dialogs as incident_dialogs  # noqa: E402
from warroom.ui.panels.incidents.panel import IncidentsPanel  # noqa: E402

START = 1_763_605_800_000


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 12)


@pytest.fixture
def shared() -> tuple[SharedWatch, FeedWatch]:
    """A console's mirror of what a feed computed over 40 s of an ICBC outage (the feed's
    events handed over as the recorder would), on a client that is not connected."""
    sim = Simulator(seed=7, start_ms=START)
    sim.inject_fault("dependency_outage", "bank-icbc", delay_s=5)
    fw = FeedWatch.from_rules()
    watch = SharedWatch(FeedClient("ws://127.0.0.1:9", credentials=Credentials()), user="alice")
    fw.publish = watch.on_events
    fw.on_topology(sim.topology, START)
    for _ in range(40):
        batch, events = sim.tick()
        fw.on_events(events)
        watch.on_events(events)
        fw.on_batch(batch)
        watch.on_batch(batch)
    return watch, fw


def make(qtbot, cls, watch):
    view = LiveView()
    view.alerting = watch
    panel = cls(view)
    qtbot.addWidget(panel)
    panel.resize(640, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    return panel


def test_the_panel_lists_the_feeds_incidents_and_offers_the_actions(qtbot, shared):
    watch, fw = shared
    panel = make(qtbot, IncidentsPanel, watch)
    assert list(panel._incidents) == [i.id for i in fw.watch.incidents()]
    assert panel.selected_incident().root_cause == "bank-icbc"
    assert panel.ack_button.isEnabled() and panel.owner_button.isEnabled() and panel.action_button.isEnabled()


def test_an_action_while_the_feed_is_down_says_nothing_was_sent(qtbot, shared, monkeypatch):
    watch, fw = shared
    panel = make(qtbot, IncidentsPanel, watch)
    monkeypatch.setattr(incident_dialogs, "ask_ack", lambda *a: TextInput("alice", "on it"))
    panel.acknowledge()
    assert panel.message.is_error and "nothing was sent" in panel.message.text()
    assert fw.watch.incidents()[0].acked_ms is None and watch.sent == 0


def test_a_command_the_feed_did_not_take_is_shown_once(qtbot, shared):
    watch, fw = shared
    panel = make(qtbot, IncidentsPanel, watch)
    iid = fw.watch.incidents()[0].id
    asyncio.run(watch.send(Command("inc-note-0001", "add_note", {"incident": iid, "text": "x"}, actor="alice")))
    assert watch.answer is not None and not watch.answer.ok
    panel.refresh()
    assert panel.message.is_error and panel.message.text().startswith("Not done:") and "not sent" in panel.message.text()
    panel.message.show_info("seen")
    panel._version = None
    panel.refresh()  # the same answer is not shown twice
    assert not panel.message.is_error


def test_the_alerts_panel_shows_the_feeds_alerts_and_leaves_its_rules_alone(qtbot, shared):
    watch, fw = shared
    panel = make(qtbot, AlertsPanel, watch)
    assert {a.fingerprint for a in watch.alerts()} == {a.fingerprint for a in fw.watch.alerts()}
    assert watch.alerts() and not panel.reload_button.isEnabled()
