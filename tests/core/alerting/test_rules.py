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


# -- issue 14: the fields that judge each service against its own normal --------------------------
_R = "version: 1\nrules:\n  - id: a\n    series: x\n    severity: P1\n"


@pytest.mark.parametrize("extra, line, words", [
    ("    baseline: {direction: above, ratio: 0.5}\n", 6, "ratio must be more than 1"),
    ("    baseline: {direction: above, floor: -1}\n", 6, "floor must be a non-negative"),
    ("    baseline: {direction: above, fallback: 'about 2'}\n", 6, "bad 'fallback'"),
    ("    when: '> 1'\n    slo: p50\n", 7, "slo must be one of"),
    ("    when: '> 1'\n    subjects: gateways\n", 7, "subjects must be one of"),
    ("    when: '> 1'\n    no_data: ignore\n", 7, "no_data must be one of"),
    ("    when: '> 1'\n    measure: rate\n", 7, "measure must be one of"),
    ("    when: '> 1'\n    unit: parsecs\n", 7, "unit must be one of"),
    ("    when: '> 1'\n    cadence: often\n", 7, "cadence"),
    ("    when: '> cadence'\n", 6, "measure: age"),
    ("    when: '> 1'\n    title: '{subject} {basis} {nope}'\n", 7, "unknown field"),
])
def test_new_fields_are_checked_with_their_line(extra, line, words):
    with pytest.raises(RuleError) as e:
        load_rules(_R + extra, source="mine.yaml")
    assert e.value.line == line and words in str(e.value), str(e.value)
    assert str(e.value).startswith(f"mine.yaml:{line}:")


def test_objectives_are_checked_and_override_the_feed():
    bad = "version: 1\nobjectives:\n  cart:\n    p99: 0.5\nrules:\n  - id: a\n    series: x\n" \
          "    when: '> 1'\n    severity: P1\n"
    with pytest.raises(RuleError) as e:
        load_rules(bad, source="o.yaml")
    assert str(e.value).startswith("o.yaml:4:") and "unknown field 'p99'" in str(e.value)
    rs = load_rules(bad.replace("p99:", "p99_s:"))
    assert rs.objective("cart", "p99_s", {"p99_s": 2.0}) == 0.5
    assert rs.objective("cache", "p99_s", {"p99_s": 2.0}) == 2.0 and rs.objective("cache", "p99_s") is None


def test_new_fields_parse():
    rs = load_rules(textwrap.dedent("""\
        version: 1
        rules:
          - id: p99
            series: 'service_latency_seconds{quantile="0.99"}'
            baseline: {direction: above, ratio: 3, floor: 0.03, fallback: "> health.p99_crit"}
            slo: p99_s
            unit: s
            severity: P2
          - id: job
            series: job_last_success_timestamp_seconds
            measure: age
            when: "> cadence"
            cadence: 5m
            no_data: alert
            subjects: entry
            severity: P2
    """))
    p99, job = rs.rules
    assert (p99.baseline.ratio, p99.baseline.floor, p99.baseline.fallback.health) == (3.0, 0.03, "p99_crit")
    assert (p99.slo, p99.unit, p99.subjects) == ("p99_s", "s", "all")
    assert (job.measure, job.condition.cadence, job.cadence_s, job.no_data, job.subjects) == (
        "age", True, 300.0, "alert", "entry")


def test_default_rules_name_no_platform_and_speak_chinese():
    text = default_rules_path().read_text(encoding="utf-8")
    rs = load_rules(text)
    for rule in rs.rules:
        assert rule.titles.get("zh_CN"), f"{rule.id} has no Chinese title"
        assert "service" not in rule.selector.labels, f"{rule.id} selects services by name"
        assert not any("{subject}" in p for p in rule.plans), f"{rule.id} relies on a plan id convention"
    for word in ("gateway", "cashier", "degrade-", "failover-", "bank"):
        assert word not in text.split("rules:", 1)[1], word
    ids = {r.id for r in rs.rules}
    assert {"service-no-data", "job-missed", "consumer-lag"} <= ids
    assert next(r for r in rs.rules if r.id == "entry-traffic-surge").subjects == "entry"
