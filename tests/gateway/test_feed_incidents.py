"""The gateway computes alerts and incidents once (``FeedWatch``) and every console mirrors
them; incident commands go to the watch, once per idempotency key; a site file can turn it off."""

from __future__ import annotations

import asyncio

from warroom.app.feed_watch import FeedWatch
from warroom.app.session import FeedSession
from warroom.app.shared_watch import SharedWatch
from warroom.app.watch import AlertWatch
from warroom.core.model import EventKind
from warroom.gateway.feed import GatewayFeed
from warroom.gateway.site import parse_site
from warroom.gateway.site_model import Site
from warroom.gateway.sources import SourceUpdate
from warroom.io.server import FeedServer
from warroom.protocol import Command, Events
from warroom.sim.engine import Simulator
from warroom.store import StoreWriter
from warroom.store.live import LiveView

START = 1_763_605_800_000


def outage_feed(watch: bool = True, seconds: int = 40) -> tuple[GatewayFeed, Simulator]:
    """A gateway fed ``seconds`` of a simulated ICBC outage as if Prometheus had said it."""
    sim = Simulator(seed=7, start_ms=START)
    sim.inject_fault("dependency_outage", "bank-icbc", delay_s=5)
    feed = GatewayFeed(Site(name="pay"), clock=lambda: sim.now_ms - 1000,
                       watch=FeedWatch.from_rules() if watch else None)
    for i in range(seconds):
        batch, events = sim.tick()
        feed.publish(SourceUpdate(int(batch.ts.max()), batch.points(), sim.topology if i == 0 else None, events))
    return feed, sim


def test_the_gateway_computes_incidents_and_offers_them():
    feed, _ = outage_feed()
    assert "incidents" in feed.capabilities
    incidents = feed.watch.watch.incidents()
    assert incidents and incidents[0].root_cause == "bank-icbc"
    # What a console connecting now gets rebuilds the same incident.
    shared = SharedWatch(client=None)
    for msg in feed.snapshot_messages():
        if isinstance(msg, Events):
            shared.on_events(msg.events)
    assert [(i.id, i.root_cause, i.state) for i in shared.incidents()] == \
        [(i.id, i.root_cause, i.state) for i in incidents]
    assert {a.fingerprint for a in shared.alerts()} == {a.fingerprint for a in feed.watch.watch.alerts()}


async def test_incident_commands_act_once_and_are_published():
    feed, _ = outage_feed()
    iid = feed.watch.watch.incidents()[0].id
    sent: list = []
    feed.attach(type("Tap", (), {"broadcast": lambda self, m: sent.append(m)})())
    ack = Command("ack-gw-000001", "ack_incident", {"incident": iid, "comment": "on it"}, actor="li")
    first = (await feed.handle_command(ack, "c1"))[0]
    again = (await feed.handle_command(ack, "c2"))[0]
    assert first.state == "succeeded" and again.replay and again.state == "succeeded"
    published = [e for m in sent if isinstance(m, Events) for e in m.events]
    acks = [e for e in published if e.kind is EventKind.INCIDENT and e.attrs.get("action") == "acknowledged"]
    assert len(acks) == 1 and acks[0].attrs["actor"] == "li"
    assert set(first.detail["events"]) == {e.id for e in published}
    bad = (await feed.handle_command(Command("ack-gw-000002", "set_owner", {"incident": "INC-nope", "owner": "x"},
                                             actor="li"), "c1"))[0]
    assert bad.state == "rejected" and "INC-nope" in bad.message


async def test_a_site_without_incidents_refuses_the_commands_and_offers_nothing():
    site = parse_site("site: pay\nincidents:\n  enabled: false\n")
    assert site.incidents.enabled is False
    assert parse_site("site: pay\n").incidents.enabled is True
    feed, _ = outage_feed(watch=False, seconds=2)
    assert "incidents" not in feed.capabilities
    res = (await feed.handle_command(Command("ack-gw-000003", "ack_incident", {"incident": "x"}, actor="li"), "c"))[0]
    assert res.state == "rejected" and "computes no incidents" in res.message


async def test_a_console_on_the_gateway_mirrors_its_incidents(tmp_path):
    feed, sim = outage_feed()
    server = FeedServer(feed, port=0, heartbeat_s=0.2)
    feed.attach(server)
    await server.start()
    view = LiveView()
    writer = StoreWriter(tmp_path / "w.duckdb", flush_interval_s=0.05)
    local = AlertWatch.from_rules_file()
    session = FeedSession(server.url, view, writer, watch=local)
    task = asyncio.create_task(session.run())
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while not (isinstance(view.alerting, SharedWatch) and view.alerting.incidents()):
            assert loop.time() < deadline, "no shared incident"
            await asyncio.sleep(0.02)
        assert [i.id for i in view.alerting.incidents()] == [i.id for i in feed.watch.watch.incidents()]
        iid = view.alerting.incidents()[0].id
        view.alerting.add_note(iid, "li", "bank called")
        while not any(e.kind is EventKind.NOTE for e in view.alerting.book.incident(iid).timeline):
            assert loop.time() < deadline, "the note never came back"
            await asyncio.sleep(0.02)
        assert local.evaluations == 0
    finally:
        await session.stop()
        task.cancel()
        await server.stop()
        await asyncio.to_thread(writer.close)


async def test_a_quiet_source_does_not_stop_the_incident_clock():
    """Prometheus says nothing for a while: the schedule still evaluates, so the watch's time
    moves on (alert ages, recoveries verified) instead of standing at the last frame."""
    feed, sim = outage_feed()
    last = feed.watch.watch.now_ms
    await feed.expire_due()  # a second later: nothing to do yet
    assert feed.watch.watch.now_ms == last
    feed._clock = lambda: last + 60_000  # a minute without a frame
    evaluations = feed.watch.watch.evaluations
    await feed.expire_due()
    assert feed.watch.watch.evaluations == evaluations + 1 and feed.watch.watch.now_ms == last + 60_000
