"""The alert watch of a console that runs for weeks holds a bounded incident book (issue 12)."""

from __future__ import annotations

from warroom.app.watch import AlertWatch
from warroom.core.alerting.alerts import AlertEngine
from warroom.core.incident.incidents import LIVE_MAX_RESOLVED, IncidentBook
from warroom.core.model import Event, EventKind, Severity
from warroom.core.alerting.rules import default_rules_path, load_rules_file

T0 = 1_793_000_000_000
M = 60_000


def alert(fp: str, state: str, ts: int, subject: str) -> Event:
    """An ALERT event as the alert engine writes it (a P1 on its own root cause)."""
    return Event(f"alert-{fp}-{ts}-{state}", ts, EventKind.ALERT, subject, f"{subject} unhealthy", Severity.P1,
                 {"fingerprint": fp, "rule": "r1", "state": state, "since_ms": ts, "value": 1.0,
                  "root_cause": subject, "folded_under": "", "tags": []})


def test_the_watchs_own_book_keeps_the_live_and_the_newest_resolved_incidents():
    watch = AlertWatch(AlertEngine(load_rules_file(default_rules_path())))
    log: list[Event] = []
    log += watch.book.on_event(alert("stuck", "firing", T0, "gateway"))
    n = LIVE_MAX_RESOLVED + 40
    for i in range(n):  # one outage every 20 minutes for three days
        ts = T0 + (i + 1) * 20 * M
        log += watch.book.on_event(alert(f"a{i}", "firing", ts, f"svc-{i}"))
        log += watch.book.on_event(alert(f"a{i}", "resolved", ts + M, f"svc-{i}"))
        log += watch.book.tick(ts + 10 * M)

    shown = watch.incidents()
    assert len(shown) == LIVE_MAX_RESOLVED + 1
    assert shown[-1].root_cause == "gateway" and shown[-1].live  # the oldest, still live, stays
    assert [i.root_cause for i in shown[:3]] == [f"svc-{n - 1}", f"svc-{n - 2}", f"svc-{n - 3}"]
    assert {i.root_cause for i in shown} >= {f"svc-{i}" for i in range(40, n)}
    everything = IncidentBook.replay(log)  # the history file keeps every one of them
    assert len(everything.incidents()) == n + 1
