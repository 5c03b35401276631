"""SeriesKey, Scenario and Event: the value objects of the domain model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.core.model import Event, EventKind, Scenario, SeriesKey, Severity

metric_names = st.from_regex(r"\A[a-zA-Z_:][a-zA-Z0-9_:]{0,20}\Z")
label_names = st.from_regex(r"\A[a-zA-Z_][a-zA-Z0-9_]{0,12}\Z")
label_values = st.text(max_size=20)  # any text: quotes, backslashes, newlines, braces, commas
series_keys = st.builds(SeriesKey, metric_names, st.dictionaries(label_names, label_values, max_size=5))


# -- SeriesKey -------------------------------------------------------------------------
def test_canonical_text_sorts_labels():
    key = SeriesKey("service_latency_seconds", {"service": "trade", "quantile": "0.99"})
    assert key.text == 'service_latency_seconds{quantile="0.99",service="trade"}'
    assert str(key) == key.text


def test_text_without_labels_is_the_bare_name():
    assert SeriesKey("scenario_tps").text == "scenario_tps"
    assert SeriesKey.parse("scenario_tps") == SeriesKey("scenario_tps")


def test_text_escapes_quotes_backslashes_and_newlines():
    key = SeriesKey("m", {"note": 'say "hi"\\ and\nbye'})
    assert key.text == r'm{note="say \"hi\"\\ and\nbye"}'


@pytest.mark.parametrize(
    "value",
    ['say "hi"', "back\\slash", "ends with backslash\\", "line\nbreak", "literal \\n not a newline", '\\"', "a,b=c}{"],
)
def test_parse_round_trips_escaped_values(value):
    key = SeriesKey("m", {"a": value, "b": "plain"})
    back = SeriesKey.parse(key.text)
    assert back == key
    assert back.labels["a"] == value


@settings(max_examples=150, deadline=None)
@given(series_keys)
def test_parse_inverts_text(key):
    back = SeriesKey.parse(key.text)
    assert back == key
    assert back.text == key.text


def test_parse_tolerates_spaces_and_any_label_order():
    assert SeriesKey.parse(' m{ b = "2" , a="1" } ') == SeriesKey("m", {"a": "1", "b": "2"})


@pytest.mark.parametrize(
    "text",
    [
        'm{a="x"',  # unterminated
        "m{a=x}",  # unquoted value
        'm{1a="x"}',  # label name starts with a digit
        'm{a="x" b="y"}',  # missing comma
        '{a="x"}',  # no metric name
        '1m{a="x"}',  # bad metric name
        "bad-name",
    ],
)
def test_parse_refuses_bad_text(text):
    with pytest.raises(ValueError):
        SeriesKey.parse(text)


def test_equality_and_hash_ignore_label_order():
    a = SeriesKey("edge_error_ratio", {"caller": "trade", "callee": "pay"})
    b = SeriesKey("edge_error_ratio", {"callee": "pay", "caller": "trade"})
    assert a == b
    assert hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert a != SeriesKey("edge_error_ratio", {"caller": "trade", "callee": "bank"})
    assert a != SeriesKey("edge_latency_seconds", {"caller": "trade", "callee": "pay"})
    assert a != "edge_error_ratio"


def test_labels_are_immutable():
    src = {"service": "trade"}
    key = SeriesKey("m", src)
    src["service"] = "pay"  # the caller's dict is copied, not kept
    assert key.labels["service"] == "trade"
    with pytest.raises(TypeError):
        key.labels["service"] = "pay"  # type: ignore[index]


@pytest.mark.parametrize("name", ["", "1abc", "a-b", "a b", "métrique"])
def test_invalid_metric_names_raise(name):
    with pytest.raises(ValueError):
        SeriesKey(name)


@pytest.mark.parametrize("label", ["", "1a", "a-b", "a:b", "quantile "])
def test_invalid_label_names_raise(label):
    with pytest.raises(ValueError):
        SeriesKey("m", {label: "x"})


def test_label_values_must_be_strings():
    with pytest.raises(ValueError):
        SeriesKey("m", {"quantile": 0.99})  # type: ignore[dict-item]


def test_matches():
    key = SeriesKey("service_latency_seconds", {"service": "trade", "quantile": "0.99"})
    assert key.matches("service_latency_seconds", service="trade")
    assert key.matches(quantile="0.99")
    assert not key.matches("service_error_ratio")
    assert not key.matches(service="pay")
    assert not key.matches(region="eu")


# -- Scenario --------------------------------------------------------------------------
def test_from_path_expands_alternatives_into_edges():
    sc = Scenario.from_path("qr", "QR-code payment", ["app", "trade", ("bank-a", "bank-b"), "clearing"])
    assert sc.entry == "app"
    assert sc.edges == (
        ("app", "trade"),
        ("trade", "bank-a"),
        ("trade", "bank-b"),
        ("bank-a", "clearing"),
        ("bank-b", "clearing"),
    )


def test_services_are_entry_first_in_first_seen_order():
    sc = Scenario.from_path("qr", "QR", ["app", "trade", ["pay", "coupon"], "db"])
    assert sc.services == ("app", "trade", "pay", "coupon", "db")


def test_single_service_scenario():
    sc = Scenario.from_path("ping", "Ping", ["gateway"])
    assert sc.edges == ()
    assert sc.services == ("gateway",)


@pytest.mark.parametrize("path", [[], [("a", "b"), "c"]])
def test_from_path_needs_one_entry(path):
    with pytest.raises(ValueError):
        Scenario.from_path("x", "X", path)


# -- Event -----------------------------------------------------------------------------
def test_event_coerces_enums_and_freezes_attrs():
    attrs = {"version": "2.4.1"}
    e = Event("d1", 1_700_000_000_000, "deploy", "trade", "trade 2.4.1", "P2", attrs)  # type: ignore[arg-type]
    assert e.kind is EventKind.DEPLOY
    assert e.severity is Severity.P2
    attrs["version"] = "x"
    assert e.attrs["version"] == "2.4.1"
    with pytest.raises(TypeError):
        e.attrs["version"] = "y"  # type: ignore[index]
    assert hash(e) == hash(Event("d1", 0, EventKind.NOTE, "x", "other"))


def test_event_refuses_unknown_kind_and_severity():
    with pytest.raises(ValueError):
        Event("e", 1, "explosion", "trade", "?")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Event("e", 1, EventKind.ALERT, "trade", "?", "P9")  # type: ignore[arg-type]
