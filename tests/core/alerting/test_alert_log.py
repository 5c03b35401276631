"""Folding the alert and silence events of a log back into what the console showed."""

from __future__ import annotations

from dataclasses import replace

from tests.core.alerting.test_alerts import RULES, T0, err, feed, topo
from warroom.core.alerting.alert_log import MAX_KEYS, AlertLog
from warroom.core.alerting.alerts import AlertEngine
from warroom.core.model import Event, EventKind, Severity
from warroom.core.alerting.silences import Silence


def _shown(alerts):
    """What an alert card shows, minus the live value (the log has it at each transition)."""
    return [(a.fingerprint, a.state, a.severity, a.subject, a.root_cause, a.folded_under, a.acked_by,
             a.ack_comment, a.silenced_by, a.tags, a.plans) for a in alerts]


def test_log_gives_the_engines_alerts_at_every_second():
    engine = AlertEngine(RULES, topo())
    log: list[Event] = []
    checked = 0
    ok = {err(s): 0.0 for s in ("gw", "svc", "db", "bank")}
    plan = [(40, {**ok, err("db"): 0.5, err("svc"): 0.3, err("gw"): 0.2}),  # db fails, callers follow
            (30, {**ok, err("db"): 0.5, err("svc"): 0.3, err("gw"): 0.2, err("bank"): 0.4}),
            (120, ok)]
    t = T0
    for seconds, values in plan:
        for _ in range(seconds):
            engine.observe(t, list(values), list(values.values()))
            log += engine.evaluate(t)
            if t == T0 + 35_000:
                fp = next(a.fingerprint for a in engine.alerts() if a.state == "firing")
                log += engine.acknowledge(fp, "li.wei", "on it", t)
                log += engine.silence(Silence("s1", {"subject": "gw"}, t, t + 60_000, "li.wei", "noisy"), t)
            visible = [a for a in engine.alerts() if a.state != "pending"]
            replayed = [a for a in AlertLog.replay(log).alerts() if a.state != "pending"]
            assert _shown(replayed) == _shown(visible), t
            checked += bool(visible)
            t += 1000
    assert checked > 60  # the comparison ran while alerts were up, not only on an empty board
    assert AlertLog.replay(log).alerts() == []


def test_state_until_a_time_and_silences_in_force():
    engine = AlertEngine(RULES, topo())
    log = feed(engine, 30, T0, {err("svc"): 0.5})
    log += engine.silence(Silence("s1", {"subject": "svc"}, T0 + 30_000, T0 + 90_000, "ops"), T0 + 30_000)
    log += feed(engine, 70, T0 + 31_000, {err("svc"): 0.5})
    at_10 = AlertLog.replay(log, until_ms=T0 + 10_000)
    assert [a.state for a in at_10.alerts()] == ["pending"] and at_10.silences() == []
    at_40 = AlertLog.replay(log, until_ms=T0 + 40_000)
    assert [(a.state, a.silenced_by) for a in at_40.alerts()] == [("firing", "s1")]
    assert [s.id for s in at_40.silences()] == ["s1"]
    end = AlertLog.replay(log)  # the silence expired at +90 s: the alert is loud again
    assert end.silences() == [] and [a.silenced_by for a in end.alerts()] == [""]


def test_damaged_events_are_skipped_not_fatal():
    log = AlertLog()
    assert not log.apply(Event("x", T0, EventKind.ALERT, "svc", "?", Severity.P2, {"state": "firing"}))
    assert not log.apply(Event("y", T0, EventKind.SILENCE, "s", "?", Severity.INFO,
                               {"action": "created", "matchers": {}, "starts_ms": T0, "ends_ms": T0}))
    assert not log.apply(Event("z", T0, EventKind.DEPLOY, "svc", "deploy", Severity.INFO, {}))
    good = Event("a", T0, EventKind.ALERT, "svc", "errors", Severity.P2,
                 {"fingerprint": "f1", "state": "firing", "series": "not a series{", "value": "NaN?"})
    assert log.apply(good)
    assert [a.fingerprint for a in log.alerts()] == ["f1"]
    assert log.apply(replace(good, id="b", attrs={"fingerprint": "f1", "state": "resolved"}))
    assert log.alerts() == [] and log.version == 2


def test_a_store_returning_one_millisecond_in_any_order_gives_the_same_state():
    import random

    engine = AlertEngine(RULES, topo())
    log = feed(engine, 30, T0, {err("db"): 0.5, err("svc"): 0.3})
    log += engine.acknowledge(next(a.fingerprint for a in engine.alerts() if a.state == "firing"), "ops", "mine",
                              T0 + 29_000)
    log += feed(engine, 10, T0 + 30_000, {err("db"): 0.5, err("svc"): 0.3})
    expected = _shown(AlertLog.replay(log).alerts())
    assert any(a[1] == "acknowledged" for a in expected)
    for seed in range(5):
        shuffled = list(log)
        random.Random(seed).shuffle(shuffled)
        assert _shown(AlertLog.replay(sorted(shuffled, key=lambda e: e.ts)).alerts()) == expected


def test_parsed_series_are_a_bounded_cache():
    log = AlertLog()
    n = MAX_KEYS + 500
    for i in range(n):  # a month of alerts on pods that come and go
        attrs = {"fingerprint": f"fp{i}", "rule": "errors", "series": err(f"pod-{i}").text, "since_ms": T0 + i}
        log.apply(Event(f"a{i}", T0 + i, EventKind.ALERT, f"pod-{i}", "errors", Severity.P2,
                        {**attrs, "state": "firing"}))
        if i < n - 1:
            log.apply(Event(f"r{i}", T0 + i, EventKind.ALERT, f"pod-{i}", "errors", Severity.P2,
                            {**attrs, "state": "resolved"}))
    assert len(log._keys) <= MAX_KEYS
    (last,) = log.alerts()
    assert last.series == err(f"pod-{n - 1}") and last.state == "firing"
