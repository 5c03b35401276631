"""CI change markers in Grafana's annotation shapes -> deploy / config_change events."""

from __future__ import annotations

import pytest

from warroom.core.model import EventKind, Severity
from warroom.gateway.site_model import AnnotationsSite
from warroom.gateway.sources.annotations import annotation_events, answer_id
from warroom.protocol import Decoder, Events, encode

SITE = AnnotationsSite()
KNOWN = {"pay", "bank", "checkout"}
T = 1_796_527_585_139
NOW_S = 1_796_600_000.25


def one(payload, **kw):
    kw.setdefault("clock", lambda: NOW_S)
    [event] = annotation_events(payload, SITE, KNOWN, **kw)
    return event


def test_grafanas_shape_from_its_docs_is_a_deploy_of_the_tagged_service():
    body = {"dashboardUID": "jcIIG-07z", "panelId": 2, "time": T, "timeEnd": T + 60_000,
            "tags": ["deploy", "pay", "prod", "version:2.4.1"], "text": "Deploy pay 2.4.1\nby pipeline 881"}
    e = one(body)
    assert (e.kind, e.ts, e.subject, e.severity) == (EventKind.DEPLOY, T, "pay", Severity.INFO)
    assert e.title == "Deploy pay 2.4.1"
    assert e.id.startswith("ann-") and len(e.id) == 20
    a = e.attrs
    assert a["source"] == "annotation" and a["tags"] == ["deploy", "pay", "prod", "version:2.4.1"]
    assert (a["time_end_ms"], a["version"], a["service_known"]) == (T + 60_000, "2.4.1", True)
    assert a["text"] == "Deploy pay 2.4.1\nby pipeline 881"
    assert "dashboardUID" not in str(a) and "jcIIG" not in str(a)  # the dashboard is ignored
    frame = encode(Events((e,)), seq=1)
    result = Decoder().decode(frame, T)
    assert result.errors == [] and list(result.message.events) == [e]


def test_the_same_marker_twice_has_the_same_id_and_tag_order_does_not_matter():
    body = {"time": T, "tags": ["deploy", "pay"], "text": "Deploy"}
    a, b = one(body), one({**body, "tags": ["pay", "deploy"]})
    assert a.id == b.id and answer_id(a.id) == answer_id(b.id)
    assert one({**body, "text": "Deploy again"}).id != a.id and one({**body, "time": T + 1}).id != a.id
    assert 0 < answer_id(a.id) < 2**53  # a JavaScript number, as Grafana's ids are


@pytest.mark.parametrize("tags, kind, service", [
    (["config", "service:bank"], EventKind.CONFIG_CHANGE, "bank"),
    (["Feature-Flag", "service=checkout"], EventKind.CONFIG_CHANGE, "checkout"),
    (["config", "deploy", "pay"], EventKind.DEPLOY, "pay"),  # both: a deploy
    (["release", "service:not-known-yet"], EventKind.DEPLOY, "not-known-yet"),  # explicit: kept
    (["nightly", "unknown-thing"], EventKind.DEPLOY, ""),  # no kind tag: a deploy; no service
    (["deploy", "service:pay", "bank"], EventKind.DEPLOY, "pay"),  # the explicit tag wins
])
def test_tags_give_kind_and_service(tags, kind, service):
    e = one({"time": T, "tags": tags, "text": "x"})
    assert (e.kind, e.subject) == (kind, service)
    assert e.attrs["service_known"] is (service in KNOWN)


def test_the_graphite_form_with_a_tag_string_and_seconds():
    body = {"what": "Config pushed", "tags": "config  bank version=7", "when": 1_796_527_585, "data": "flag x on"}
    e = one(body, form="graphite")
    assert (e.kind, e.subject, e.ts, e.title) == (EventKind.CONFIG_CHANGE, "bank", 1_796_527_585_000, "Config pushed")
    assert e.attrs["tags"] == ["config", "bank", "version=7"] and e.attrs["version"] == "7"
    assert e.attrs["text"] == "Config pushed\n\nflag x on" and e.attrs["form"] == "graphite"
    assert one(body).id == e.id  # posted to /api/annotations, the graphite form is recognised too


def test_times_missing_is_now_and_seconds_are_not_read_as_1970():
    assert one({"text": "x"}).ts == int(NOW_S * 1000)
    assert one({"text": "x", "time": 0}).ts == int(NOW_S * 1000)
    assert one({"text": "x", "time": 1_796_527_585}).ts == 1_796_527_585_000  # `date +%s` in a CI script
    assert one({"text": "x", "time": str(T)}).ts == T
    assert one({"what": "x", "when": T}, form="graphite").ts == T  # ms in "when"
    assert one({"text": "x", "time": T, "timeEnd": T - 5}).attrs["time_end_ms"] is None


@pytest.mark.parametrize("body, message", [
    ({"time": T, "tags": ["deploy"]}, "text: missing or empty"),
    ({"text": "   "}, "text: missing or empty"),
    ({"text": "x", "tags": "deploy pay"}, "tags: expected a list of strings, got a string"),
    ({"text": "x", "tags": ["deploy", 3]}, "tags: expected strings, got a number in the list"),
    ({"text": "x", "time": "soon"}, "time: expected a number, got 'soon'"),
    ({"text": "x", "time": -5}, "time: -5 is not a time"),
    ({"text": "x", "time": True}, "time: expected a number, got a boolean"),
    ({"text": "x", "time": 1e300}, "time: .* too large"),
    ([{"text": "x"}], "expected a JSON object .* got a list"),
])
def test_bad_bodies_are_value_errors_naming_the_field(body, message):
    with pytest.raises(ValueError, match=message):
        one(body)


def test_graphite_needs_what():
    with pytest.raises(ValueError, match='what: missing or empty'):
        one({"tags": ["deploy"], "when": 5}, form="graphite")


def test_hostile_text_and_tags_are_cleaned_and_capped():
    tags = ["deploy", "service:pay\u202e", "version:1\x1b[2J", *[f"t{i}" for i in range(200)], "x" * 999]
    e = one({"time": T, "tags": tags, "text": "\u202eRelease\x00 2\r\nsecond line" + "y" * 10_000})
    assert e.subject == ""  # a service name with a bidi control is not a subject
    assert e.title == "Release\ufffd 2" and "\r" not in e.attrs["text"] and len(e.attrs["text"]) == 4096
    assert len(e.attrs["tags"]) == 64 and e.attrs["version"] == "1\ufffd[2J"
    result = Decoder().decode(encode(Events((e,)), seq=1), T)
    assert result.errors == [] and list(result.message.events) == [e]
