"""The rules review (warroom.core.alerting.review): per rule, what its alerts led to, and the noise."""

from __future__ import annotations

import csv
import io

import pytest

from tests.core.alerting.review_events import HOSTILE_RULES, alert, episode, incident, plan_run, silence
from warroom.core.alerting.review import CSV_COLUMNS, MAX_RULE_LEN, reason_text, review, to_csv
from warroom.core.model import Event, EventKind, Severity
from warroom.sim.drill import record_drill
from warroom.store import HistoryReader


def _by_rule(rev):
    return {r.rule: r for r in rev.rules}


def test_no_alerts_is_an_empty_review_and_a_csv_with_only_its_header():
    rev = review([])
    assert rev.rules == () and rev.noisy == () and rev.start_ms is None
    assert to_csv(rev).splitlines() == [",".join(CSV_COLUMNS)]
    note = Event("n1", 1, EventKind.NOTE, "trade", "a note")
    assert review([note]).rules == ()


@pytest.fixture(scope="module")
def drills(tmp_path_factory):
    """Two real drills: the commander acknowledges and runs the plan; and one without a plan."""
    root = tmp_path_factory.mktemp("drills")
    out = {}
    for name, plan in (("planned", None), ("no_plan", "")):
        path = root / f"{name}.duckdb"
        record_drill(path, seconds=600, plan=plan, every_s=0)
        with HistoryReader(path) as reader:
            out[name] = reader.events(0, 4_102_444_800_000)
    return out


def test_a_drill_with_an_acknowledged_outage_and_a_plan_has_no_noise(drills):
    rev = review(drills["planned"], min_fired=1)
    fired = [r for r in rev.rules if r.fired]
    assert fired, "the drill's outage fired alerts"
    for r in fired:  # every alert of the outage was taken and led to the failover
        assert (r.acknowledged, r.led_to_plan) == (r.fired, r.fired), r
        assert r.median_ack_s is not None and r.median_ack_s >= 0
    assert rev.noisy == ()
    # Alerts that only went pending paged nobody: counted apart, never judged.
    assert all(r.noise == () for r in rev.rules if r.fired == 0)


def test_a_drill_without_a_plan_led_to_no_plan(drills):
    rev = review(drills["no_plan"], min_fired=1)
    fired = [r for r in rev.rules if r.fired]
    assert fired and all(r.led_to_plan == 0 for r in fired)
    assert all(r.acknowledged == r.fired for r in fired)  # still taken: not noise
    assert rev.noisy == ()


def test_a_rule_that_flaps_and_nobody_takes_is_named_with_both_reasons():
    events, tags = [], []
    for i in range(4):  # fires four times in a few minutes; the engine tags it flapping from the third
        tags = ["flapping"] if i >= 2 else []
        events += episode(i * 100, "fp-flap", "disk-blip", last_s=30, tags=tags)
    for i, wait in enumerate((30, 90, 60)):  # a rule people take, in 30, 90 and 60 s
        events += episode(1000 + i * 200, f"fp-ok{i}", "scenario-success", ack_after_s=wait, last_s=120,
                          severity="P1")
    rev = review(events)
    flap, ok = _by_rule(rev)["disk-blip"], _by_rule(rev)["scenario-success"]
    assert (flap.fired, flap.acknowledged, flap.flapped, flap.led_to_plan) == (4, 0, 2, 0)
    assert flap.noise == ("never_acted_on", "mostly_flapping")
    assert reason_text(flap) == "fired 4 times, nobody acknowledged it or ran a plan; flapped in 2 of 4 firings"
    assert (ok.fired, ok.acknowledged, ok.median_ack_s, ok.noise) == (3, 3, 60.0, ())
    assert rev.rules[0] is flap  # the noisy first
    assert review(events, min_fired=5).noisy == ()  # four firings are not enough at five


def test_an_alert_still_firing_is_not_judged_yet():
    events = episode(0, "a", "slow", last_s=20) + episode(100, "b", "slow", last_s=20)
    events += [alert(300, "c", "slow", "pending"), alert(310, "c", "slow", "firing")]
    r = _by_rule(review(events))["slow"]
    assert (r.fired, r.active, r.noise) == (3, 1, ())  # two resolved: too few to judge
    events += episode(400, "d", "slow", last_s=20)
    assert _by_rule(review(events))["slow"].noise == ("never_acted_on",)


def test_a_plan_on_the_alert_subject_while_it_fires_counts_and_one_before_does_not():
    events = episode(0, "a", "errors", subject="bank-icbc", last_s=100)  # fires at 10 s, resolves at 110 s
    assert _by_rule(review(events + [plan_run(5, "failover", "bank-icbc")]))["errors"].led_to_plan == 0
    assert _by_rule(review(events + [plan_run(50, "failover", "bank-abc")]))["errors"].led_to_plan == 0
    assert _by_rule(review(events + [plan_run(50, "failover", "bank-icbc")]))["errors"].led_to_plan == 1
    # The console's audit step names no target: the plan the alert proposes counts.
    proposing = episode(0, "a", "errors", subject="bank-icbc", last_s=100, plans=["failover"])
    assert _by_rule(review(proposing + [plan_run(50, "failover", action="executed")]))["errors"].led_to_plan == 1
    assert _by_rule(review(proposing + [plan_run(50, "failover", action="previewed")]))["errors"].led_to_plan == 0


def test_an_incident_acknowledged_and_a_plan_on_its_root_count_for_its_symptoms():
    events = episode(0, "sym", "edge-errors", subject="trade->payment-engine", last_s=120)
    events += [incident(12, "INC-1", ["sym"], "bank-icbc", 1),
               incident(40, "INC-1", ["sym"], "bank-icbc", 2, acked_s=40, action="acknowledged"),
               plan_run(60, "failover", "bank-icbc")]
    r = _by_rule(review(events))["edge-errors"]
    assert (r.acknowledged, r.led_to_plan, r.median_ack_s) == (1, 1, 30.0)
    # The same symptom outside any incident: neither.
    alone = _by_rule(review(episode(0, "sym", "edge-errors", subject="trade->payment-engine", last_s=120)
                            + [plan_run(60, "failover", "bank-icbc")]))["edge-errors"]
    assert (alone.acknowledged, alone.led_to_plan, alone.median_ack_s) == (0, 0, None)


def test_silences_in_force_while_an_alert_fires_count_and_later_or_ended_ones_do_not():
    events = [silence(0, "s1", {"rule": "noisy-*"}, until_s=1000)]
    for i in range(3):
        events += episode(100 + i * 100, f"n{i}", "noisy-disk", last_s=30)
    events += episode(100, "other", "scenario-success", ack_after_s=5)  # no match
    rev = _by_rule(review(events))
    assert (rev["noisy-disk"].silenced, rev["scenario-success"].silenced) == (3, 0)
    assert rev["noisy-disk"].noise == ("never_acted_on", "mostly_silenced")
    # Removed at 150 s: the first episode (fires at 110 s) is muted, the two after are not.
    ended = events + [silence(150, "s1", {"rule": "noisy-*"}, until_s=1000, action="removed")]
    assert _by_rule(review(ended))["noisy-disk"].silenced == 1
    # An alert event that says it was silenced counts whatever the silence events say.
    marked = episode(0, "m", "quiet", last_s=30, silenced="s9")
    assert _by_rule(review(marked))["quiet"].silenced == 1


def test_hostile_rule_ids_and_damaged_events_never_crash_and_stay_text_in_csv():
    events = []
    for i, rule in enumerate(HOSTILE_RULES):
        events += episode(i * 100, f"h{i}", rule, last_s=20)
    events += [
        alert(900, "bad", None, "firing"),  # no rule id
        alert(901, "bad2", 12345, "firing"),  # a number
        alert(902, "", "empty-fp", "firing"),  # no fingerprint: skipped
        alert(903, "bad3", "weird-state", "exploded"),  # no such state: skipped
        alert(904, "bad4", "tags-as-text", "firing", tags="flapping", plans="nope", fired_ms="soon"),
        alert(905, "ext", "external-rule", "firing", external=True),  # the feed's copy: the engine's follows
        silence(906, "s-bad", ["not", "a", "map"], until_s=1000),
        silence(907, "s-empty", {}, until_s=1000),
        incident(908, "", ["h0"], "x", 1),
        Event("p-bad", 909_000, EventKind.PLAN_EXECUTION, "p", "plan", Severity.INFO,
              {"action": "execute", "targets": "not-a-list", "target": 7}),
    ]
    rev = review(events)
    rules = _by_rule(rev)
    assert "(no rule)" in rules and "12345" in rules and "tags-as-text" in rules
    assert not {"", "weird-state", "external-rule"} & set(rules)
    assert all(len(r.rule) <= MAX_RULE_LEN for r in rev.rules)
    assert rules["tags-as-text"].fired == 1
    table = list(csv.reader(io.StringIO(to_csv(rev))))
    cells = [row[0] for row in table[1:]]
    assert "'=cmd|' /C calc'!A0" in cells and "'-2+3" in cells  # a spreadsheet shows them as text
    assert not any(c[:1] in "=+-@" for c in cells)
    assert "<b>bold</b>" in cells and "规则\u202e反转" in cells  # kept as they are: the reader escapes on display
