"""MTTD/MTTA/MTTR and error-budget burn, read from the event log."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from warroom.core.incident.incidents import IncidentBook
from warroom.core.model import Event, EventKind, Severity
from warroom.core.northstar.mttx import error_budget, incident_times, rolling, window_start

CST = timezone(timedelta(hours=8))
S = 1000


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def inc_event(iid, n, ts, action, state, *, started, detected, acked=None, resolved=None, merged_into=""):
    return Event(f"incident:{iid}:{n}", ts, EventKind.INCIDENT, "bank-icbc", "ICBC slow", Severity.P1,
                 {"incident": iid, "action": action, "state": state, "started_ms": started,
                  "detected_ms": detected, "acked_ms": acked, "resolved_ms": resolved, "root_cause": "bank-icbc",
                  "owner": "", "actor": "", "comment": "", "alerts": ["f"], "merged_into": merged_into})


def history(iid, started, detected, acked, resolved, verified):
    """The INCIDENT events of one incident's life."""
    evs = [inc_event(iid, 1, detected, "opened", "open", started=started, detected=detected)]
    if acked is not None:
        evs.append(inc_event(iid, 2, acked, "acknowledged", "acknowledged", started=started, detected=detected,
                             acked=acked))
    if resolved is not None:
        evs.append(inc_event(iid, 3, resolved, "recovering", "recovering", started=started, detected=detected,
                             acked=acked))
        evs.append(inc_event(iid, 4, verified, "resolved", "resolved", started=started, detected=detected,
                             acked=acked, resolved=resolved))
    return evs


def test_times_are_exactly_the_differences_of_the_logged_times():
    t = ms("2026-11-11T00:05:00+08:00")
    (times,) = incident_times(history("INC-1", t, t + 45_250, t + 95_500, t + 61_000, t + 361_000))
    assert (times.started_ms, times.detected_ms, times.acked_ms, times.resolved_ms) == (
        t, t + 45_250, t + 95_500, t + 61_000)
    assert (times.mttd_s, times.mtta_s, times.mttr_s) == (45.25, 50.25, 61.0)
    assert times.state == "resolved"


def test_times_not_reached_are_none_and_a_cursor_sees_the_log_as_it_was():
    t = ms("2026-11-11T00:05:00+08:00")
    evs = history("INC-1", t, t + 10 * S, t + 20 * S, t + 60 * S, t + 360 * S)
    (at_open,) = incident_times(evs, now_ms=t + 15 * S)
    assert (at_open.mttd_s, at_open.mtta_s, at_open.mttr_s, at_open.state) == (10.0, None, None, "open")
    (recovering,) = incident_times(evs, now_ms=t + 100 * S)
    assert recovering.mttr_s is None and recovering.state == "recovering"
    assert incident_times(evs, now_ms=t) == []


def test_merged_incidents_are_not_counted():
    t = ms("2026-11-11T00:05:00+08:00")
    evs = history("INC-1", t, t + S, None, None, None) + [
        inc_event("INC-2", 1, t + 2 * S, "opened", "open", started=t, detected=t + 2 * S),
        inc_event("INC-2", 2, t + 3 * S, "merged", "resolved", started=t, detected=t + 2 * S,
                  resolved=t + 3 * S, merged_into="INC-1")]
    assert [x.id for x in incident_times(evs)] == ["INC-1"]


def test_same_ts_events_are_ordered_by_their_sequence_number():
    t = ms("2026-11-11T00:05:00+08:00")
    evs = history("INC-1", t, t, t, None, None)  # opened and acknowledged in the same ms
    (times,) = incident_times(list(reversed(evs)))
    assert times.state == "acknowledged" and times.mtta_s == 0.0


def test_rolling_today_starts_at_local_midnight_utc_plus_8():
    now = ms("2026-11-11T00:30:00+08:00")
    assert window_start(now, "today") == ms("2026-11-11T00:00:00+08:00")
    assert window_start(now, "today", utc_offset_h=0) == ms("2026-11-10T00:00:00+00:00")
    assert window_start(now, "7d") == now - 7 * 86_400 * S
    yesterday = ms("2026-11-10T23:50:00+08:00")  # 15:50 UTC: "today" in UTC, yesterday in Beijing
    today = ms("2026-11-11T00:10:00+08:00")
    evs = (history("INC-old", yesterday - 60 * S, yesterday, yesterday + 30 * S, yesterday + 300 * S,
                   yesterday + 600 * S)  # restored 23:55, verified 00:00: resolved yesterday
           + history("INC-new", today - 20 * S, today, today + 10 * S, today + 300 * S, today + 600 * S))
    day = rolling(evs, now, window="today")
    assert (day.count, day.resolved, day.open) == (1, 1, 0)
    assert (day.mttd_s, day.mtta_s, day.mttr_s) == (20.0, 10.0, 320.0)
    week = rolling(evs, now, window="7d")
    assert (week.count, week.resolved) == (2, 2)
    assert (week.mttd_s, week.mtta_s, week.mttr_s) == (40.0, 20.0, (360.0 + 320.0) / 2)
    utc_day = rolling(evs, now, window="today", utc_offset_h=0)
    assert utc_day.count == 2


def test_rolling_with_no_incidents_is_none_not_zero_and_counts_open_ones():
    now = ms("2026-11-11T09:00:00+08:00")
    empty = rolling([], now, window="today")
    assert (empty.count, empty.open, empty.mttd_s, empty.mtta_s, empty.mttr_s) == (0, 0, None, None, None)
    t = now - 300 * S
    opened = rolling(history("INC-1", t - 5 * S, t, None, None, None), now, window="today")
    assert (opened.count, opened.resolved, opened.open) == (1, 0, 1)
    assert (opened.mttd_s, opened.mtta_s, opened.mttr_s) == (5.0, None, None)
    with pytest.raises(ValueError, match="window"):
        rolling([], now, window="30d")  # type: ignore[arg-type]


def test_mttr_of_a_drill_matches_the_times_in_its_event_log():
    book = IncidentBook(recovery_s=300)
    t = ms("2026-11-11T10:30:00+08:00")
    log: list[Event] = []

    def alert(state, ts, **extra):
        return Event(f"a-{state}-{ts}", ts, EventKind.ALERT, "bank-icbc", "ICBC p99 high", Severity.P1,
                     {"fingerprint": "icbc-p99", "rule": "bank-p99", "state": state, "since_ms": t,
                      "root_cause": "bank-icbc", "folded_under": "", **extra})

    for ev in (alert("pending", t), alert("firing", t + 60 * S),
               alert("acknowledged", t + 75 * S, actor="li"), alert("resolved", t + 150 * S)):
        log += [ev, *book.on_event(ev)]
    log += book.tick(t + 600 * S)
    (times,) = incident_times(log)
    resolved_alert = next(e for e in log if e.kind is EventKind.ALERT and e.attrs["state"] == "resolved")
    assert times.mttr_s == (resolved_alert.ts - log[0].attrs["since_ms"]) / 1000 == 150.0
    assert (times.mttd_s, times.mtta_s) == (60.0, 15.0)
    assert rolling(log, t + 600 * S, window="today").mttr_s == 150.0


def test_error_budget_burn_and_remaining():
    ts = np.arange(0, 3600 * S, 60 * S) + 10_000_000  # one sample a minute for an hour
    twice = error_budget(np.full(ts.size, 0.998), ts, target=0.999, window_s=3600)
    assert twice.samples == 60 and twice.burn_rate == pytest.approx(2.0) and twice.remaining == pytest.approx(-1.0)
    half = error_budget([0.9995] * ts.size, ts.tolist(), target=0.999, window_s=3600)
    assert half.burn_rate == pytest.approx(0.5) and half.remaining == pytest.approx(0.5)
    assert half.mean_success == pytest.approx(0.9995) and half.end_ms == int(ts[-1])


def test_error_budget_uses_only_the_window_and_skips_gaps():
    ts = np.array([0, 1, 2, 3, 4]) * 60 * S
    ratios = np.array([0.0, 0.99, np.nan, 1.0, 0.98])
    b = error_budget(ratios, ts, target=0.99, window_s=180)  # (60 s, 240 s]: nan, 1.0, 0.98
    assert b.samples == 2 and b.mean_success == pytest.approx(0.99)
    assert b.burn_rate == pytest.approx(1.0) and b.remaining == pytest.approx(0.0)
    at = error_budget(ratios, ts, target=0.99, window_s=60, now_ms=90 * S)
    assert at.samples == 1 and at.mean_success == pytest.approx(0.99)
    none = error_budget([], [], target=0.99, window_s=60)
    assert (none.samples, none.mean_success, none.burn_rate, none.remaining) == (0, None, None, None)


@pytest.mark.parametrize("target", [0.0, 1.0, -0.1, 1.5])
def test_error_budget_refuses_a_target_outside_0_1(target):
    with pytest.raises(ValueError, match="target"):
        error_budget([1.0], [0], target=target, window_s=60)


def test_error_budget_refuses_bad_input():
    with pytest.raises(ValueError, match="same length"):
        error_budget([1.0, 1.0], [0], target=0.99, window_s=60)
    with pytest.raises(ValueError, match="within"):
        error_budget([1.2], [0], target=0.99, window_s=60)
    with pytest.raises(ValueError, match="window_s"):
        error_budget([1.0], [0], target=0.99, window_s=0)


def test_mttr_to_mitigation_and_to_resolution_are_both_read_and_averaged():
    """Item 2/10: MTTR to mitigation (users recovered) beside MTTR to resolution (root recovered)."""
    t = ms("2026-11-11T09:00:00+08:00")
    a = [inc_event("A", 1, t + 10 * S, "opened", "open", started=t, detected=t + 10 * S)]
    mit = inc_event("A", 2, t + 40 * S, "mitigated", "mitigated", started=t, detected=t + 10 * S)
    a.append(Event(mit.id, mit.ts, mit.kind, mit.subject, mit.title, mit.severity,
                   {**mit.attrs, "mitigated_ms": t + 40 * S}))
    b = history("B", t + 100 * S, t + 110 * S, None, t + 200 * S, t + 500 * S)  # an old log: no mitigated_ms
    (ta, tb) = incident_times(a + b)
    assert (ta.mitigated_ms, ta.mttr_mitigated_s, ta.mttr_s, ta.state) == (t + 40 * S, 40.0, None, "mitigated")
    assert (tb.mitigated_ms, tb.mttr_mitigated_s, tb.mttr_s) == (t + 200 * S, 100.0, 100.0)
    k = rolling(a + b, t + 600 * S, window="today")
    assert (k.mitigated, k.mttr_mitigated_s) == (2, 70.0)
    assert (k.resolved, k.mttr_s, k.open) == (1, 100.0, 1), "existing fields keep their meaning"
    early = rolling(a + b, t + 30 * S, window="today")
    assert (early.mitigated, early.mttr_mitigated_s) == (0, None)
