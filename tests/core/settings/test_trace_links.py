"""The trace viewer link template: from the configuration file, checked, and only ever filled
with a well-formed trace id."""

from __future__ import annotations

import argparse

import pytest

from warroom.core.settings import trace_links
from warroom.core.settings.config import apply_to_parser, parse_config


@pytest.fixture(autouse=True)
def no_template(monkeypatch):
    monkeypatch.delenv(trace_links.ENV_TRACE_URL, raising=False)
    trace_links.set_template(None)
    yield
    trace_links.set_template(None)


def test_the_configuration_sets_the_template():
    config = parse_config("trace_url: https://jaeger.example.com/trace/{trace_id}\n")
    assert not config.problems
    apply_to_parser(argparse.ArgumentParser(), config)
    assert trace_links.trace_url("4bf92f3577b34da6a3ce929d0e0e4736") == \
        "https://jaeger.example.com/trace/4bf92f3577b34da6a3ce929d0e0e4736"


def test_ids_are_quoted_and_checked(monkeypatch):
    monkeypatch.setenv(trace_links.ENV_TRACE_URL, "https://tempo.example.com/api/traces/{trace_id}")
    assert trace_links.trace_url("abc:def-0123_45.6") == "https://tempo.example.com/api/traces/abc%3Adef-0123_45.6"
    for bad in ("", "short", "../../etc/passwd", "a b c d e f g h", "x" * 65, "4bf9?x=1&y=2abcdef"):
        assert trace_links.trace_url(bad) is None


def test_a_bad_template_gives_no_links():
    for bad in ("ftp://x/{trace_id}", "https://x.example/trace/", "https://x.example/{trace_id} two", "\x1b]8;;"):
        assert trace_links.template_problem(bad)
        trace_links.set_template(bad)
        assert trace_links.template() is None and trace_links.trace_url("4bf92f3577b34da6") is None
