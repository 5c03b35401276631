"""Drills kept apart: the mark, the windows, the marker's stickiness, production MTTR without
drills, and the drill scorecard — all from hand-written event logs."""

from __future__ import annotations

import pytest

from warroom.core.incident.drills import (
    DrillMarker,
    drill_event,
    drill_of,
    drill_status,
    drill_windows,
    is_drill,
    marked,
    scorecard,
)
from warroom.core.model import Event, EventKind, Severity
from warroom.core.northstar import mttx

T0 = 1_731_292_200_000
S = 1000


def alert(fp: str, ts: int, state: str = "firing", **attrs) -> Event:
    return Event(f"alert-{fp}-{ts}-{state}", ts, EventKind.ALERT, "bank-icbc", f"{fp} {state}", Severity.P1,
                 {"fingerprint": fp, "state": state, "since_ms": ts, **attrs})


def incident(iid: str, ts: int, action: str, n: int, alerts=("a1",), **attrs) -> Event:
    state = {"opened": "open", "acknowledged": "acknowledged", "mitigated": "mitigated",
             "resolved": "resolved"}.get(action, "open")
    base = {"incident": iid, "action": action, "state": state, "alerts": list(alerts),
            "started_ms": T0, "detected_ms": T0 + 20 * S}
    return Event(f"incident:{iid}:{n}", ts, EventKind.INCIDENT, "bank-icbc", f"{iid} {action}", Severity.P1,
                 {**base, **attrs})


def audit(run: str, action: str, ts: int, drill: str = "") -> Event:
    attrs = {"audit": True, "run": run, "plan_id": "failover-bank-icbc", "action": action}
    if drill:
        attrs["drill"] = drill
    return Event(f"audit-{run}-{action}-{ts}", ts, EventKind.PLAN_EXECUTION, "failover-bank-icbc", action,
                 attrs=attrs)


def test_the_mark_reads_an_id_or_true_and_marking_never_overwrites():
    ev = alert("a1", T0)
    assert drill_of(ev) == "" and not is_drill(ev)
    m = marked(ev, "d1")
    assert drill_of(m) == "d1" and is_drill(m) and m.id == ev.id
    assert marked(m, "d2") is m, "an event keeps the drill it was marked with"
    assert marked(ev, "") is ev
    legacy = Event("x", T0, EventKind.FAULT, "s", "t", attrs={"drill": True})
    assert drill_of(legacy) == "drill"
    assert drill_of(Event("y", T0, EventKind.FAULT, "s", "t", attrs={"drill": 3})) == "", "not a mark"


def test_drill_events_say_it_in_both_languages_and_refuse_nonsense():
    start = drill_event("d1", T0, "start", name="ICBC outage", actor="li.wei")
    assert start.kind is EventKind.DRILL and drill_of(start) == "d1"
    assert start.title == "Drill started: ICBC outage" and start.attrs["titles"]["zh_CN"] == "演练开始：ICBC outage"
    assert drill_event("d1", T0, "end").title == "Drill ended: d1"
    with pytest.raises(ValueError):
        drill_event("d1", T0, "pause")
    with pytest.raises(ValueError):
        drill_event("", T0, "start")


def test_windows_open_and_close_and_a_cut_log_still_has_one():
    log = [drill_event("d1", T0, "start", name="one"), alert("a1", T0 + 5 * S),
           drill_event("d1", T0 + 60 * S, "end"), drill_event("d2", T0 + 90 * S, "start")]
    w1, w2 = drill_windows(log)
    assert (w1.id, w1.start_ms, w1.end_ms, w1.title) == ("d1", T0, T0 + 60 * S, "one")
    assert w1.active_at(T0 + 59 * S) and not w1.active_at(T0 + 60 * S)
    assert (w2.id, w2.end_ms) == ("d2", None) and w2.title == "d2"
    assert [w.id for w in drill_windows(log, now_ms=T0 + 10 * S)] == ["d1"]
    # The start fell out of a bounded log: the window starts at its first marked event.
    cut = [marked(alert("a1", T0 + 5 * S), "d3"), drill_event("d3", T0 + 30 * S, "end")]
    (w,) = drill_windows(cut)
    assert (w.start_ms, w.end_ms) == (T0 + 5 * S, T0 + 30 * S)


def test_status_shows_a_running_drill_then_its_open_incidents_then_nothing():
    log = [drill_event("d1", T0, "start", name="ICBC"),
           marked(incident("INC-1", T0 + 20 * S, "opened", 1), "d1"),
           drill_event("d1", T0 + 60 * S, "end")]
    assert drill_status(log, T0 - S) is None
    running = drill_status(log, T0 + 30 * S)
    assert running.running and running.window.title == "ICBC" and running.open_incidents == 1
    after = drill_status(log, T0 + 61 * S)
    assert not after.running and after.open_incidents == 1 and after.drills == ("d1",)
    log.append(marked(incident("INC-1", T0 + 200 * S, "resolved", 2), "d1"))
    assert drill_status(log, T0 + 201 * S) is None
    assert drill_status(log) is None, "without a time: after every event"


def test_the_marker_marks_what_fires_in_a_window_and_keeps_it_marked():
    m = DrillMarker()
    prod = m.mark([alert("old", T0 - 10 * S)])
    assert not is_drill(prod[0])
    m.observe(drill_event("d1", T0, "start"))
    assert m.current == "d1"
    fired, opened = m.mark([alert("a1", T0 + 5 * S), incident("INC-1", T0 + 5 * S, "opened", 1)])
    assert drill_of(fired) == "d1" and drill_of(opened) == "d1"
    # A problem that began before the drill is real: its resolution in the window stays unmarked.
    (resolved_old,) = m.mark([alert("old", T0 + 6 * S, "resolved")])
    assert not is_drill(resolved_old)
    m.observe(drill_event("d1", T0 + 60 * S, "end"))
    assert m.current == ""
    # After the window: the drill incident and its alerts keep the mark to their end...
    later = m.mark([alert("a1", T0 + 90 * S, "resolved"), incident("INC-1", T0 + 95 * S, "resolved", 2),
                    Event("note:INC-1:3", T0 + 96 * S, EventKind.NOTE, "bank-icbc", "done", attrs={"incident": "INC-1"}),
                    Event("esc", T0 + 97 * S, EventKind.ESCALATION, "INC-1", "late", attrs={"incident": "INC-1"})])
    assert [drill_of(e) for e in later] == ["d1"] * 4
    assert m.incident_drill("INC-1") == "d1"
    # ...and a new problem after it is production.
    new = m.mark([alert("a9", T0 + 100 * S), incident("INC-2", T0 + 100 * S, "opened", 1, alerts=("a9",))])
    assert not any(is_drill(e) for e in new)


def test_an_incident_opened_before_the_drill_stays_production():
    m = DrillMarker()
    m.mark([alert("a1", T0 - 5 * S), incident("INC-P", T0 - 5 * S, "opened", 1)])
    m.observe(drill_event("d1", T0, "start"))
    (acked,) = m.mark([incident("INC-P", T0 + 5 * S, "acknowledged", 2)])
    assert not is_drill(acked)


def test_an_incident_that_takes_in_a_drill_alert_is_the_drills():
    m = DrillMarker()
    m.mark([marked(alert("a1", T0), "d1")])  # the feed's own marked alert (another system's)
    (opened,) = m.mark([incident("INC-1", T0, "opened", 1, alerts=("a1",))])
    assert drill_of(opened) == "d1"


def test_only_the_derived_kinds_are_marked():
    m = DrillMarker()
    m.observe(drill_event("d1", T0, "start"))
    feed_event = Event("f", T0 + S, EventKind.FEED, "feed", "connected")
    assert m.mark([feed_event]) == [feed_event]


def _log_with_a_drill_and_a_production_incident() -> list[Event]:
    prod = [incident("INC-P", T0 + 30 * S, "opened", 1, started_ms=T0, detected_ms=T0 + 30 * S),
            incident("INC-P", T0 + 600 * S, "resolved", 2, started_ms=T0, detected_ms=T0 + 30 * S,
                     acked_ms=T0 + 60 * S, mitigated_ms=T0 + 300 * S, resolved_ms=T0 + 600 * S)]
    d = [drill_event("d1", T0 + 1000 * S, "start", name="ICBC drill"),
         Event("fault", T0 + 1000 * S, EventKind.FAULT, "bank-icbc", "fault",
               attrs={"action": "inject", "drill": "d1"}),
         marked(incident("INC-D", T0 + 1020 * S, "opened", 1, started_ms=T0 + 1005 * S,
                         detected_ms=T0 + 1020 * S), "d1"),
         audit("r1", "sent", T0 + 1025 * S, "d1"), audit("r1", "executed", T0 + 1026 * S, "d1"),
         audit("r1", "effective", T0 + 1050 * S, "d1"),
         audit("r2", "executed", T0 + 1030 * S, "d1"), audit("r2", "not_effective", T0 + 1090 * S, "d1"),
         marked(incident("INC-D", T0 + 1200 * S, "resolved", 2, started_ms=T0 + 1005 * S,
                         detected_ms=T0 + 1020 * S, acked_ms=T0 + 1021 * S, mitigated_ms=T0 + 1045 * S,
                         resolved_ms=T0 + 1100 * S), "d1"),
         drill_event("d1", T0 + 1300 * S, "end")]
    return prod + d


def test_production_mttr_never_counts_a_drill_incident():
    log = _log_with_a_drill_and_a_production_incident()
    (only,) = mttx.incident_times(log)
    assert only.id == "INC-P" and only.drill == ""
    both = {t.id: t for t in mttx.incident_times(log, include_drills=True)}
    assert both["INC-D"].drill == "d1" and both["INC-D"].mttr_s == 95.0
    week = mttx.rolling(log, T0 + 2000 * S, window="7d")
    assert week.count == 1 and week.resolved == 1 and week.mttr_s == 600.0, "the drill's 95 s left out"
    assert week.open == 0


def test_one_marked_event_makes_the_whole_incident_a_drill():
    log = [incident("INC-D", T0, "opened", 1), marked(incident("INC-D", T0 + S, "acknowledged", 2), "d1")]
    assert mttx.incident_times(log) == []


def test_the_scorecard_scores_mttd_mtta_mttr_against_the_goal_and_plan_effectiveness():
    log = _log_with_a_drill_and_a_production_incident()
    (score,) = scorecard(log)
    assert (score.id, score.title, score.faults) == ("d1", "ICBC drill", 1)
    assert (score.start_ms, score.end_ms) == (T0 + 1000 * S, T0 + 1300 * S)
    assert [i.id for i in score.incidents] == ["INC-D"], "production is not in a drill's card"
    assert score.mttd_s == 15.0 and score.mtta_s == 1.0
    assert score.mttr_mitigated_s == 40.0 and score.mttr_s == 95.0
    # Fault at +1000 s, first run verified effective at +1050 s: 50 s, inside the one-minute goal.
    assert score.restored_s == 50.0 and score.mttr_goal_s == 50.0 and score.met_goal is True
    # r1 effective, r2 not effective; a run only sent is not counted as executed.
    assert (score.plans_executed, score.plans_effective, score.plans_not_effective) == (2, 1, 1)
    assert score.effectiveness == 0.5 and score.plans == ("failover-bank-icbc",)


def test_a_drill_without_a_fault_is_judged_on_its_incidents_and_can_miss():
    log = [drill_event("d2", T0, "start"),
           marked(incident("INC-X", T0 + 200 * S, "mitigated", 1, started_ms=T0, detected_ms=T0 + 30 * S,
                           mitigated_ms=T0 + 200 * S), "d2")]
    (score,) = scorecard(log)
    assert score.restored_s is None and score.mttr_goal_s == 200.0 and score.met_goal is False
    assert score.effectiveness is None and score.end_ms is None
    nothing = scorecard([drill_event("d3", T0, "start")])
    assert nothing[0].met_goal is None and nothing[0].incidents == ()


def test_a_plan_run_confirmed_during_a_drill_is_the_drills_to_its_end():
    from warroom.core.plan.plan_runs import PlanBook
    from warroom.sim.engine import Simulator

    plan = next(p for p in Simulator(seed=3, start_ms=T0).plans if p.id == "failover-bank-icbc")
    book = PlanBook()
    current = ["d1"]
    book.drill_of = lambda: current[0]
    run, confirmed = book.confirm(plan, "li.wei", "drill: ICBC down", T0, typed=plan.id)
    current[0] = ""  # the window closed while the run went on
    later = book.sent(run.id, T0 + S) + book.on_result(run.id, "succeeded", "in force", T0 + 2 * S)
    assert [drill_of(e) for e in confirmed + later] == ["d1"] * (len(confirmed) + len(later))
    # Rebuilt from the log (a replay), the run's next steps keep the mark too.
    replayed = PlanBook.replay(confirmed + later)
    (rolled,) = [e for e in replayed.on_result(run.id, "succeeded", "rolled back", T0 + 3 * S, rollback=True)]
    assert drill_of(rolled) == "d1"
    second = next(p for p in Simulator(seed=3, start_ms=T0).plans if p.id != plan.id)
    _, events = book.confirm(second, "li.wei", "real", T0 + 4 * S, typed=second.id)
    assert not any(is_drill(e) for e in events), "a run confirmed after the drill is production"
