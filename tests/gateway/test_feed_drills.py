"""On a real platform the commander opens and closes a drill window through the gateway
(protocol 1.6 ``start_drill``/``end_drill``): every wall gets the ``drill`` event (also a console
joining mid-drill), incidents computed meanwhile carry the mark, production MTTR leaves them out,
a replayed key is answered once, a viewer may not, and a drill a restart forgot can be ended."""

from __future__ import annotations

from warroom.app.feed_watch import FeedWatch
from warroom.core.incident.drills import drill_of, drill_status
from warroom.core.model import EventKind
from warroom.gateway.feed import GatewayFeed
from warroom.gateway.site_model import Site
from warroom.gateway.sources import SourceUpdate
from warroom.io.auth import Role, required_role
from warroom.protocol import Command, Events
from warroom.protocol.messages import ACTIONS, DRILL_ACTIONS
from warroom.sim.engine import Simulator

START = 1_763_605_800_000


def _feed(recent_events: int = 500) -> tuple[GatewayFeed, Simulator, list]:
    sim = Simulator(seed=7, start_ms=START)
    feed = GatewayFeed(Site(name="pay"), clock=lambda: sim.now_ms - 1000, watch=FeedWatch.from_rules(),
                       recent_events=recent_events)
    sent: list = []
    feed.attach(type("Tap", (), {"broadcast": lambda self, m: sent.append(m)})())
    return feed, sim, sent


def _run(feed: GatewayFeed, sim: Simulator, seconds: int, first: bool = False) -> None:
    for i in range(seconds):
        batch, events = sim.tick()
        feed.publish(SourceUpdate(int(batch.ts.max()), batch.points(), sim.topology if first and i == 0 else None,
                                  events))


def _events(sent: list) -> list:
    return [e for m in sent if isinstance(m, Events) for e in m.events]


async def test_a_commanders_drill_window_marks_the_incident_and_reaches_every_wall():
    assert set(DRILL_ACTIONS) <= set(ACTIONS) and required_role("start_drill") is Role.COMMANDER
    feed, sim, sent = _feed(recent_events=20)
    _run(feed, sim, 5, first=True)
    start = Command("drill-gw-000001", "start_drill", {"name": "ICBC game day"}, actor="li", reason="Q4")
    first = (await feed.handle_command(start, "c1"))[0]
    assert first.state == "succeeded" and first.detail["drill"] == feed.drill
    again = (await feed.handle_command(start, "c2"))[0]
    assert again.replay and again.detail == first.detail, "a replayed key: the same answer, no second drill"
    other = (await feed.handle_command(Command("drill-gw-000002", "start_drill", {}), "c1"))[0]
    assert other.state == "rejected" and "is running" in other.message
    # The chaos tool breaks ICBC for real (here: the simulator behind Prometheus).
    sim.inject_fault("dependency_outage", "bank-icbc", delay_s=2)
    _run(feed, sim, 40)
    (inc,) = feed.watch.watch.incidents()
    assert drill_of(next(e for e in _events(sent) if e.kind is EventKind.INCIDENT)) == feed.drill
    assert inc.drill == feed.drill
    # A console joining now, its recent-events buffer long past the start, still sees the drill.
    joined = [e for m in feed.snapshot_messages() if isinstance(m, Events) for e in m.events]
    status = drill_status(joined)
    assert status is not None and status.running and status.window.title == "ICBC game day"
    did = feed.drill
    end = (await feed.handle_command(Command("drill-gw-000003", "end_drill", {}, actor="li"), "c1"))[0]
    assert end.state == "succeeded" and end.detail["drill"] == did and feed.drill == ""
    kinds = [e.attrs["action"] for e in _events(sent) if e.kind is EventKind.DRILL]
    assert kinds == ["start", "end"]
    assert (await feed.handle_command(Command("drill-gw-000004", "end_drill", {}), "c1"))[0].state == "rejected"


async def test_a_drill_a_restart_forgot_can_still_be_ended():
    feed, _, sent = _feed()
    res = (await feed.handle_command(Command("drill-gw-000010", "end_drill", {"drill": "drill-42"}), "c1"))[0]
    assert res.state == "succeeded"
    (ended,) = [e for e in _events(sent) if e.kind is EventKind.DRILL]
    assert drill_of(ended) == "drill-42" and ended.attrs["action"] == "end"
