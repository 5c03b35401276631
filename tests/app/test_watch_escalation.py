"""Escalation over a live feed: an unacknowledged incident past its response target escalates
once per tier, into the event log and through the notifier's escalation channel."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from tests.app.test_watch_external import Room, am
from tests.core.alerting.helpers14 import T0, shop
from warroom.app.watch import build_watch
from warroom.core.incident.escalation import Escalator, ResponsePolicy
from warroom.core.model import Event, EventKind
from warroom.protocol import TopologySnapshot
from warroom.store import StoreWriter
from warroom.store.query import HistoryReader

ONE_MINUTE = ResponsePolicy.from_minutes({"P0": 0.5, "P1": 1})


def escalations(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind is EventKind.ESCALATION]


def opened(room: Room) -> str:
    (inc,) = room.watch.incidents()
    return inc.id


def test_a_missed_target_is_one_escalation_in_the_log_and_one_page_whatever_is_reloaded(tmp_path):
    paged: list[Event] = []
    room = Room(notify=paged.append)
    room.watch.set_response_policy(ONE_MINUTE)
    room.seconds(5, T0)
    room.events(am("c1", "firing", T0 + 4000))
    iid = opened(room)
    room.seconds(50, T0 + 5000)
    assert escalations(room.stored) == []
    room.seconds(30, T0 + 55_000)  # detected at T0+4 s: the P1 minute is up at T0+64 s
    [esc] = escalations(room.stored)
    assert esc.attrs["incident"] == iid and esc.attrs["tier"] == "P1"
    assert esc.ts == T0 + 65_000  # the first evaluation past the deadline
    assert escalations(paged) == [esc]
    assert room.watch.escalations(iid) == [esc]
    # A rules reload and new targets (a reloaded notification file) do not page again.
    assert escalations(room.watch.reload_rules()) == []
    room.watch.set_response_policy(ResponsePolicy.from_minutes({"P1": 0.5}))
    room.seconds(60, T0 + 85_000)
    assert escalations(room.stored) == [esc] and escalations(paged) == [esc]

    # Stored and read back as a replay (or a report) reads it: the escalation is there, and a
    # console rebuilt from that log does not escalate the same tier again.
    writer = StoreWriter(tmp_path / "h.duckdb")
    writer.append_events(room.stored)
    writer.close()
    with HistoryReader(tmp_path / "h.duckdb") as reader:
        stored = reader.events(0, 4_102_444_800_000)
    [back] = escalations(stored)
    assert (back.id, back.attrs["incident"], back.attrs["tier"], back.severity) == (esc.id, iid, "P1", esc.severity)
    fresh = Escalator(ONE_MINUTE)
    for ev in stored:
        fresh.observe(ev)
    assert fresh.evaluate(room.watch.book.incidents(), T0 + 200_000) == []


def test_an_acknowledged_incident_never_escalates():
    room = Room()
    room.watch.set_response_policy(ONE_MINUTE)
    room.seconds(5, T0)
    room.events(am("c1", "firing", T0 + 4000))
    room.seconds(20, T0 + 5000)
    room.watch.acknowledge_incident(opened(room), "alice", "on it")
    room.seconds(120, T0 + 25_000)
    assert escalations(room.stored) == []


def test_escalations_from_the_feed_are_remembered_not_repeated():
    """A restored log or another console's escalation arrives as an event: no second page."""
    paged: list[Event] = []
    room = Room(notify=paged.append)
    room.watch.set_response_policy(ONE_MINUTE)
    room.seconds(5, T0)
    room.events(am("c1", "firing", T0 + 4000))
    iid = opened(room)
    inc = room.watch.book.incident(iid)
    told = Escalator(ONE_MINUTE).evaluate([inc], T0 + 70_000)
    room.events(*told)
    room.seconds(90, T0 + 5000)
    assert [e.id for e in escalations(room.stored)] == [told[0].id]  # only the feed's own
    assert escalations(paged) == []


# --- through the real notifier to a loopback receiver ------------------------------------


async def test_the_escalation_goes_to_the_escalation_channel_only(tmp_path):
    got: dict[str, list[dict]] = {"/ops": [], "/manager": []}

    async def receive(request: web.Request) -> web.Response:
        got[request.path].append(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/ops", receive)
    app.router.add_post("/manager", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    config = tmp_path / "notify.yaml"
    config.write_text(f"""
response_targets: {{P0: 0.5, P1: 1}}
channels:
  - {{name: ops, kind: webhook, url: "{url}/ops"}}
  - {{name: ops-mail, kind: webhook, url: "{url}/ops"}}
  - {{name: manager, kind: webhook, url: "{url}/manager", escalation: true}}
""")
    watch, notifier = build_watch(None, config, "tester")
    try:
        assert watch.response_policy.target_ms("P1") == 60_000
        assert [c.name for c in notifier.channels if c.escalation] == ["manager"]
        room = Room()
        room.watch = watch  # the same feed, into the watch build_watch made
        room.stored += watch.on_topology(TopologySnapshot(T0, shop()))
        room.seconds(5, T0)
        room.events(am("c1", "firing", T0 + 4000))
        room.seconds(80, T0 + 5000)
        [esc] = escalations(room.stored)
        deadline = time.monotonic() + 5
        while not got["/manager"] and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await notifier.close(timeout=5)
        [page] = got["/manager"]
        assert page["state"] == "overdue" and page["severity"] == "P1"
        assert page["key"] == f"incident:{esc.attrs['incident']}"
        assert "response target" in page["text"]
        assert {p["state"] for p in got["/ops"]} == {"firing", "opened"}  # overdue never goes there
        assert notifier.status().warnings == ()  # two ordinary channels page every severity
    finally:
        await notifier.close(timeout=1)
        await runner.cleanup()
