"""Rule files: the shipped default loads, and every kind of mistake names its line."""

from __future__ import annotations

import textwrap

import pytest

from warroom.core.model import SeriesKey, Severity
from warroom.core.alerting.rules import RuleError, default_rules_path, load_rules, load_rules_file

GOOD = textwrap.dedent("""\
    version: 1
    defaults:
      for: 1m
    rules:
      - id: errors
        title: "{subject}: {value:.1%}"
        series: service_error_ratio
        labels: {service: "bank-*|trade"}
        when: "> 5%"
        severity: P1
        plans: ["failover-{subject}"]
      - id: p99
        series: 'service_latency_seconds{quantile="0.99"}'
        when: "> health.p99_crit"
        for: 20s
        severity: P2
      - id: drop
        series: scenario_tps
        baseline: {direction: below, min_rel: 0.4}
        severity: P1
""")


def test_default_rules_load_and_cover_scenarios_and_services():
    rs = load_rules_file(default_rules_path())
    names = {r.selector.name for r in rs.rules}
    assert {"scenario_success_ratio", "scenario_tps", "service_error_ratio"} <= names
    assert any(r.baseline is not None for r in rs.rules)
    assert any(r.cause == "load" for r in rs.rules)
    assert rs.utc_offset_h == 8.0


def test_good_file_parses_every_field():
    rs = load_rules(GOOD)
    errors, p99, drop = rs.rules
    assert errors.severity is Severity.P1 and errors.for_s == 60 and errors.condition.value == pytest.approx(0.05)
    assert errors.plans == ("failover-{subject}",)
    assert errors.selector.matches(SeriesKey("service_error_ratio", {"service": "bank-icbc"}))
    assert errors.selector.matches(SeriesKey("service_error_ratio", {"service": "trade"}))
    assert not errors.selector.matches(SeriesKey("service_error_ratio", {"service": "cashier"}))
    assert p99.condition.health == "p99_crit" and p99.for_s == 20
    assert p99.selector.matches(SeriesKey("service_latency_seconds", {"service": "x", "quantile": "0.99"}))
    assert not p99.selector.matches(SeriesKey("service_latency_seconds", {"service": "x", "quantile": "0.5"}))
    assert drop.baseline.direction == "below" and drop.baseline.min_rel == 0.4
    assert errors.format_title("bank-icbc", 0.123, 0.05) == "bank-icbc: 12.3%"


@pytest.mark.parametrize("bad, line, words", [
    ("version: 2\nrules: []\n", 1, "version must be 1"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: '> 1'\n    severity: P9\n", 6, "severity"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: 'about 5'\n    severity: P1\n", 5, "bad 'when'"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: '> health.p42'\n    severity: P1\n", 5, "health"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    severity: P1\n", 3, "exactly one of"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: '> 1'\n    for: soon\n    severity: P1\n", 6, "for"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: '> 1'\n    severity: P1\n    colour: red\n", 7,
     "unknown field 'colour'"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: '> 1'\n    severity: P1\n"
     "  - id: a\n    series: y\n    when: '> 1'\n    severity: P1\n", 7, "duplicate rule id"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: '> 1'\n    title: '{nope}'\n    severity: P1\n", 6,
     "unknown field"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    when: '> 1'\n   severity: P1\n", 6, "not valid YAML"),
    ("version: 1\nrules:\n  - id: a\n    series: x\n    baseline: {direction: sideways}\n    severity: P1\n", 5,
     "direction"),
    ("version: 1\nrules:\n  - id: a\n    series: 'x{bad'\n    when: '> 1'\n    severity: P1\n", 4, "bad series"),
])
def test_mistakes_name_line_and_problem(bad, line, words):
    with pytest.raises(RuleError) as e:
        load_rules(bad, source="mine.yaml")
    assert e.value.line == line, str(e.value)
    assert words in str(e.value)
    assert str(e.value).startswith(f"mine.yaml:{line}:")


def test_unreadable_file_is_a_rule_error(tmp_path):
    with pytest.raises(RuleError, match="cannot read"):
        load_rules_file(tmp_path / "missing.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(RuleError, match="UTF-8"):
        load_rules_file(tmp_path / "bin.yaml")
