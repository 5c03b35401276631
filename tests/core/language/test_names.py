"""Names, not ids: the feed's display names per language, rule titles in Chinese, plans in
the reader's language, and incidents titled by root cause and impact."""

from __future__ import annotations

import pytest

from tests.app.drill import Drill
from warroom.core.language.lang import language, pick, set_language
from warroom.core.model import Event, EventKind, Severity
from warroom.core.language.names import Names, event_title
from warroom.core.incident.incidents import headline
from warroom.core.alerting.rules import RuleError, default_rules_path, load_rules, load_rules_file
from warroom.sim.platform import build_platform


@pytest.fixture
def chinese():
    set_language("zh_CN")
    try:
        yield
    finally:
        set_language("en")


def test_pick_a_language_or_the_default():
    assert pick("ICBC gateway", {"zh_CN": "工商银行网关"}, "zh_CN") == "工商银行网关"
    assert pick("ICBC gateway", {"zh": "工商银行网关"}, "zh_CN") == "工商银行网关"
    assert pick("ICBC gateway", {"zh_CN": "  "}, "zh_CN") == "ICBC gateway"
    assert pick("ICBC gateway", {"zh_CN": "工商银行网关"}, "en") == "ICBC gateway"
    assert language() == "en"


def test_names_of_services_scenarios_edges_and_plans(chinese):
    platform = build_platform()
    names = Names(platform.topology, platform.plans)
    assert names.display("service", "bank-icbc") == "工商银行网关"
    assert names.display("service", "bank-icbc", "en") == "ICBC gateway"
    assert names.display("scenario", "qr_pay") == "扫码支付"
    assert names.display("edge", "payment-engine->bank-icbc") == "支付引擎 → 工商银行网关"
    assert names.display("plan", "failover-bank-icbc") == "切换工商银行网关"
    assert names.subject("top_up") == "银行卡充值"
    assert names.display("service", "unknown-svc") == "unknown-svc"  # never named: the id
    assert platform.topology.service("bank-icbc").label == "工商银行网关"


def test_plans_in_the_readers_language():
    plan = next(p for p in build_platform().plans if p.id == "failover-bank-icbc")
    zh = plan.localized("zh_CN")
    assert (zh.title, zh.id, zh.params) == ("切换工商银行网关", plan.id, plan.params)
    assert all("工商银行网关" in s or "银行" in s for s in zh.steps) and zh.rollback
    assert plan.localized("en") is plan


def test_shipped_rules_all_have_chinese_titles():
    rules = load_rules_file(default_rules_path())
    assert all(r.titles.get("zh_CN") for r in rules.rules)
    r = rules.rule("scenario-success")
    # the threshold printed at the value's precision (issue 14)
    assert r.format_title("扫码支付", 0.646, 0.95, "zh_CN") == "扫码支付：成功率 64.6 %（< 95.0 %）"
    assert r.format_title("QR-code payment", 0.646, 0.95) == "QR-code payment: success rate 64.6 % (< 95.0 %)"


def test_a_bad_chinese_title_is_refused_with_its_line():
    text = ("version: 1\nrules:\n  - id: r\n    series: m\n    when: '> 1'\n    severity: P2\n"
            "    title_zh: '{subject}：{nope}'\n")
    with pytest.raises(RuleError) as e:
        load_rules(text)
    assert e.value.line == 7 and "nope" in str(e.value)


def test_event_titles_per_language():
    assert event_title("Fault injected", {"titles": {"zh_CN": "注入故障"}}, "zh_CN") == "注入故障"
    assert event_title("Fault injected", {"titles": "bad"}, "zh_CN") == "Fault injected"


def test_headline_names_root_cause_and_worst_scenario():
    names = Names(build_platform().topology)

    def alert(subject, series, value):
        return Event(f"a-{subject}-{value}", 1, EventKind.ALERT, subject, "", Severity.P1,
                     {"series": series, "value": value})

    events = [alert("qr_pay", 'scenario_success_ratio{scenario="qr_pay"}', 0.648),
              alert("top_up", 'scenario_success_ratio{scenario="top_up"}', 0.70),
              alert("bank-icbc", 'service_error_ratio{service="bank-icbc"}', 1.0)]
    assert headline("bank-icbc", events, names) == "ICBC gateway down — QR-code payment 64.8 %"
    assert headline("bank-icbc", events, names, "zh_CN") == "工商银行网关故障 — 扫码支付 64.8 %"
    assert headline("bank-icbc", events[2:], names) == "ICBC gateway down"
    assert headline("", events, names) == ""


def test_the_drill_incident_is_titled_by_its_outage_in_both_languages():
    d = Drill()
    d.run(30)
    d.sim.inject_fault("dependency_outage", "bank-icbc")
    d.run(90)
    (inc,) = d.watch.book.incidents(live_only=True)
    assert inc.title.startswith("ICBC gateway down — ") and inc.title.endswith(" %")
    assert inc.titles["zh_CN"].startswith("工商银行网关故障 — ")
    alerts = {a.subject: a for a in d.watch.alerts()}
    assert alerts["qr_pay"].title.startswith("QR-code payment: ")
    assert alerts["qr_pay"].titles["zh_CN"].startswith("扫码支付：")
