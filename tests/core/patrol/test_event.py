"""A patrol in the event log, and read back from it (bad rows ignored)."""

from __future__ import annotations

from warroom.core.model import Event, EventKind, Severity
from warroom.core.patrol import inspect, last_patrol, levels_of, patrol_event, verdict_of
from tests.core.patrol import world


def _patrol(**kw):
    series, end = world.healthy(world.T0, **kw)
    return inspect(world.topology(), series, start_ms=world.T0, end_ms=end, source="sim")


def test_event_round_trip():
    p = _patrol(trade_error=0.2)
    ev = patrol_event(p, report="/tmp/p.html")
    assert ev.kind is EventKind.PATROL and ev.ts == p.at_ms
    assert verdict_of(ev) == "fail" and ev.severity is Severity.P2
    assert levels_of(ev) == p.levels()
    assert ev.attrs["report"] == "/tmp/p.html"
    assert "fail" in ev.title


def test_last_patrol_skips_malformed_rows_and_other_sources():
    good = patrol_event(_patrol())
    bad = Event("patrol-x", good.ts + 1, EventKind.PATROL, "sim", "garbage", attrs={"verdict": "great"})
    other = Event("patrol-y", good.ts + 2, EventKind.PATROL, "x", "t", attrs={"verdict": "pass", "source": "other"})
    assert last_patrol([good, bad, other], source="sim") is good
    assert last_patrol([good, bad, other]) is other
    assert last_patrol([bad]) is None
    broken = Event("patrol-z", 1, EventKind.PATROL, "sim", "t", attrs={"verdict": "pass", "levels": {"a": 3, "b": "warn"}})
    assert levels_of(broken) == {"b": "warn"}
