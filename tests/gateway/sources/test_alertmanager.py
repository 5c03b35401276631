"""Alertmanager webhook payloads (version 4) -> feed events: real shapes, resolved, hostile input."""

from __future__ import annotations

import copy
import json

import pytest

from warroom.core.model import EventKind, Severity
from warroom.gateway.site_model import AlertmanagerSite
from warroom.gateway.sources.alertmanager import (
    MAX_ALERTS,
    alert_events,
    parse_time_ms,
    read_alerts,
)
from warroom.protocol import Decoder, Events, encode
from warroom.protocol.strings import NAME_MAX, REF_MAX

# Captured from Debian alertmanager 0.25.0 (/work/shared/research/real-sources.md, section 3);
# commonLabels/commonAnnotations filled in as Alertmanager fills them for a one-alert group.
CAPTURED = json.loads(r"""
{"receiver":"warroom","status":"firing",
 "alerts":[{"status":"firing","labels":{"alertname":"PaySuccessRateLow","service":"pay","severity":"page"},
   "annotations":{"summary":"success rate < 99%"},"startsAt":"2026-12-06T03:26:25.139Z",
   "endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph?g0.expr=x","fingerprint":"9a17ebb745d7effc"}],
 "groupLabels":{"alertname":"PaySuccessRateLow","service":"pay"},
 "commonLabels":{"alertname":"PaySuccessRateLow","service":"pay","severity":"page"},
 "commonAnnotations":{"summary":"success rate < 99%"},
 "externalURL":"http://vm:19093","version":"4",
 "groupKey":"{}:{alertname=\"PaySuccessRateLow\", service=\"pay\"}","truncatedAlerts":0}
""")
STARTS_MS = 1796527585139  # 2026-12-06T03:26:25.139Z
SITE = AlertmanagerSite()


def roundtrip(events):
    """The events as the console's decoder reads them from the feed, and its complaints."""
    frame = encode(Events(tuple(events)), seq=1)
    result = Decoder().decode(frame, max(e.ts for e in events))  # now: the newest event
    return list(result.message.events) if result.message else [], result.errors


def test_the_captured_payload_is_one_firing_alert_on_its_service():
    [event] = alert_events(CAPTURED, SITE, {"pay", "bank"})
    assert event.id == f"am-9a17ebb745d7effc-{STARTS_MS}-firing"
    assert (event.kind, event.ts, event.subject) == (EventKind.ALERT, STARTS_MS, "pay")
    assert event.severity is Severity.P1  # severity "page" -> P1 in the default site
    assert event.title == "success rate < 99%"
    a = event.attrs
    assert a["source"] == "alertmanager" and a["external"] is True and a["state"] == "firing"
    assert a["fingerprint"] == "am:9a17ebb745d7effc" and a["alertname"] == "PaySuccessRateLow"
    assert a["labels"] == {"alertname": "PaySuccessRateLow", "service": "pay", "severity": "page"}
    assert a["annotations"] == {"summary": "success rate < 99%"}
    assert (a["starts_at_ms"], a["ends_at_ms"]) == (STARTS_MS, None)  # the zero time is "none"
    assert a["generator_url"] == "http://prom/graph?g0.expr=x" and a["receiver"] == "warroom"
    assert a["service_known"] is True
    decoded, errors = roundtrip([event])
    assert errors == [] and decoded == [event]


def test_resolved_is_a_second_event_dated_at_its_end_and_resends_keep_their_ids():
    resolved = copy.deepcopy(CAPTURED)
    resolved["status"] = "resolved"
    resolved["alerts"][0].update(status="resolved", endsAt="2026-12-06T03:31:25.139Z")
    [fired] = alert_events(CAPTURED, SITE, {"pay"})
    [ended] = alert_events(resolved, SITE, {"pay"})
    assert ended.id == f"am-9a17ebb745d7effc-{STARTS_MS}-resolved" and ended.id != fired.id
    assert ended.ts == STARTS_MS + 300_000 and ended.attrs["state"] == "resolved"
    assert ended.attrs["ends_at_ms"] == STARTS_MS + 300_000 and ended.attrs["fingerprint"] == fired.attrs["fingerprint"]
    # Alertmanager resends the group every group_interval: the same ids, so the console upserts.
    assert [e.id for e in alert_events(copy.deepcopy(CAPTURED), SITE, {"pay"})] == [fired.id]
    # A resolved alert without an end is dated by the clock, not by its start.
    resolved["alerts"][0]["endsAt"] = "0001-01-01T00:00:00Z"
    [late] = alert_events(resolved, SITE, {"pay"}, clock=lambda: 1_800_000_000.5)
    assert late.ts == 1_800_000_000_500 and late.attrs["ends_at_ms"] is None


@pytest.mark.parametrize("text, ms", [
    ("2026-12-06T03:26:25.139Z", STARTS_MS),
    ("2026-12-06T03:26:25.139123456Z", STARTS_MS),  # Go writes nanoseconds
    ("2026-12-06T11:26:25.139+08:00", STARTS_MS),
    ("2026-12-05T22:26:25.1-05:00", STARTS_MS - 39),
    ("2026-12-06t03:26:25z", STARTS_MS - 139),
    ("0001-01-01T00:00:00Z", None),
    (None, None),
])
def test_rfc3339_times(text, ms):
    assert parse_time_ms(text, "startsAt") == ms


@pytest.mark.parametrize("text", ["yesterday", "2026-13-06T03:26:25Z", "2026-12-06 03:26:25", 1796527585])
def test_bad_times_are_named(text):
    with pytest.raises(ValueError, match="startsAt: "):
        parse_time_ms(text, "startsAt")


def test_service_label_order_severities_and_unknown_services_are_kept():
    site = AlertmanagerSite(service_labels=("app", "job"), severities={"critical": "P0", "weird": "nope"})
    payload = copy.deepcopy(CAPTURED)
    alert = payload["alerts"][0]
    alert["labels"] = {"alertname": "X", "job": "node", "app": "checkout", "severity": "Critical"}
    alert["annotations"] = {}
    [e] = alert_events(payload, site, {"pay"})
    assert (e.subject, e.severity, e.title) == ("checkout", Severity.P0, "X")  # alertname when no summary
    assert e.attrs["service_label"] == "app" and e.attrs["service_known"] is False
    alert["labels"] = {"alertname": "Y", "severity": "weird"}
    [e] = alert_events(payload, site, {"pay"})
    assert (e.subject, e.severity, e.attrs["service_label"]) == ("", Severity.P2, "")  # no service; bad map -> P2


def test_a_missing_version_is_read_as_4_and_other_versions_are_refused(caplog):
    payload = copy.deepcopy(CAPTURED)
    del payload["version"]
    with caplog.at_level("INFO"):
        assert len(alert_events(payload, SITE, ())) == 1
    assert 'without "version"' in caplog.text
    payload["version"] = "5"
    with pytest.raises(ValueError, match="version '5': only Alertmanager webhook version 4"):
        alert_events(payload, SITE, ())


@pytest.mark.parametrize("change, message", [
    (lambda p: p.pop("alerts"), "alerts: missing"),
    (lambda p: p.update(alerts={"a": 1}), "alerts: expected a list, got an object"),
    (lambda p: p["alerts"][0].pop("startsAt"), r"alerts\[0\]: startsAt: missing"),
    (lambda p: p["alerts"][0].pop("labels"), r"alerts\[0\]: labels: missing"),
    (lambda p: p["alerts"][0].update(labels=["a"]), r"alerts\[0\]: labels: expected an object of strings, got a list"),
    (lambda p: p["alerts"][0].update(status="burning"), r"alerts\[0\]: status: 'burning' \(firing or resolved\)"),
    (lambda p: p["alerts"][0].update(startsAt="0001-01-01T00:00:00Z"), r"startsAt: the zero time"),
    (lambda p: p["alerts"].__setitem__(0, "x"), r"alerts\[0\]: expected an object, got a string"),
])
def test_missing_or_wrong_fields_are_a_value_error_naming_them(change, message):
    payload = copy.deepcopy(CAPTURED)
    change(payload)
    with pytest.raises(ValueError, match=message):
        alert_events(payload, SITE, ())


def test_not_an_object_is_a_value_error():
    with pytest.raises(ValueError, match="expected a JSON object .* got a list"):
        alert_events([CAPTURED], SITE, ())


def test_one_bad_alert_does_not_lose_the_good_ones(caplog):
    payload = copy.deepcopy(CAPTURED)
    payload["alerts"].append({"status": "firing", "labels": {"alertname": "B"}})  # no startsAt
    events, problems = read_alerts(payload, SITE, ())
    assert [e.attrs["alertname"] for e in events] == ["PaySuccessRateLow"]
    assert problems == ["alerts[1]: startsAt: missing"]
    assert len(alert_events(payload, SITE, ())) == 1 and "alerts[1]: startsAt: missing" in caplog.text


def test_hostile_strings_are_cleaned_and_identifiers_the_protocol_refuses_are_not_used():
    payload = copy.deepcopy(CAPTURED)
    alert = payload["alerts"][0]
    alert["labels"] = {"alertname": "Evil\x1b[31m", "service": "pay\u202egnp", "severity": "page",
                       "k\x00ey": "v\ud800al", **{f"extra{i:03d}": "x" * 5000 for i in range(100)}}
    alert["annotations"] = {"summary": "\u202eline one\r\nline two\x07", "description": "d" * 10_000}
    alert["fingerprint"] = "abc\u202e"
    alert["generatorURL"] = "http://x/\x1b]8;;evil\x07"
    [e] = alert_events(payload, SITE, {"pay"})
    assert e.subject == ""  # a service label with a bidi control is not a subject
    assert e.title == "line one"  # first line; bidi control removed
    assert e.attrs["fingerprint_computed"] is True and "\u202e" not in e.id and len(e.id) <= NAME_MAX
    labels = e.attrs["labels"]
    assert len(labels) == 64 and e.attrs["dropped"]["labels"] == 104 - 64
    assert all(len(v) <= 1024 for v in labels.values())
    assert e.attrs["alertname"] == "Evil\ufffd[31m"
    assert "\x1b" not in e.attrs["generator_url"] and len(e.attrs["annotations"]["description"]) == 4096
    decoded, errors = roundtrip([e])
    assert errors == [] and decoded == [e]  # nothing left for the console to refuse or clean
    # The same hostile alert gives the same id (the computed fingerprint is stable).
    assert [x.id for x in alert_events(copy.deepcopy(payload), SITE, {"pay"})] == [e.id]


def test_a_long_service_label_is_not_a_subject():
    payload = copy.deepcopy(CAPTURED)
    payload["alerts"][0]["labels"]["service"] = "s" * (REF_MAX + 1)
    [e] = alert_events(payload, SITE, ())
    assert e.subject == "" and e.attrs["service_label"] == "service"


def test_a_payload_is_capped_and_duplicates_inside_it_count_once():
    payload = copy.deepcopy(CAPTURED)
    one = payload["alerts"][0]
    payload["alerts"] = [dict(one, fingerprint=f"{i:016x}") for i in range(MAX_ALERTS + 5)] + [one]
    events, problems = read_alerts(payload, SITE, ())
    assert len(events) == MAX_ALERTS and problems == [f"alerts: 6 alerts beyond the first {MAX_ALERTS} dropped"]
    payload["alerts"] = [one, copy.deepcopy(one)]
    assert len(alert_events(payload, SITE, ())) == 1
