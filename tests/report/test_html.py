"""The HTML page: the facts in both languages, escaped user text, nothing external."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from warroom.report import render_html
from warroom.report.units import format_value



class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_page_states_the_facts(report, text):
    page = render_html(report, text)
    s = report.summary
    (run,) = report.plans
    for fact in (s.id, "bank-icbc", "li.wei", run.reason, report.notes[0].text, "failover-bank-icbc",
                 text.duration(report.kpis.mttr_s), text.datetime(s.detected_ms), text.datetime(report.worst_ms),
                 text("verdict_effective"), text("root_cause_badge"), "UTC+8",
                 f"{format_value(run.before, 'ratio')} → {format_value(run.after, 'ratio')}",
                 text("mttr_goal", goal=text.duration(60))):
        assert fact in page, fact
    # alert charts, every other symptom as a small multiple, scenarios, map
    assert page.count("<svg") == len(report.charts) + len(report.symptom_grid) + 2


def test_chinese_page_is_in_chinese(report):
    from warroom.report import Text

    zh = Text("zh_CN")
    page = render_html(report, zh)
    assert '<html lang="zh-CN">' in page
    mttr = zh.duration(report.kpis.mttr_s if report.kpis.mttr_s is not None else report.kpis.mttr_mitigated_s)
    assert "分" in mttr and "秒" in mttr  # e.g. "1 分 58 秒"
    for words in ("事故复盘报告", "根因", "时间线", "最差时刻", "执行的应急预案", mttr, "有效"):
        assert words in page
    assert "Post-incident report" not in page and "Timeline" not in page


def test_user_text_is_escaped(reviewed_report, text):
    page = render_html(reviewed_report, text)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert "&lt;b&gt;mallory&lt;/b&gt;" in page
    assert "lower the for: of bank rules" in page  # the review note, in its own section
    review = page.index(text("notes_review"))
    assert page.index("lower the for: of bank rules") > review


def test_page_is_self_contained(report, text):
    page = render_html(report, text)
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "link", "img", "iframe", "object")
        for name in ("src", "href"):
            assert not attrs.get(name), (tag, attrs)
    assert not re.search(r"url\((?!#)", page)  # CSS and SVG refer to nothing outside the page
    assert "@media print" in page


def test_chinese_report_takes_the_chinese_titles_and_names(recording):
    """Under zh_CN the incident's title, alert titles, timeline details and scenario names are
    the Chinese ones the log carries (``attrs["titles"]``), the English ones otherwise."""
    from warroom.report import Text, build_report
    from warroom.store import HistoryReader

    with HistoryReader(recording.path) as reader:
        zh = build_report(reader, recording.incident_id, lang="zh_CN")
        en = build_report(reader, recording.incident_id)
    assert zh.summary.title != en.summary.title and any("\u4e00" <= ch <= "\u9fff" for ch in zh.summary.title)
    for z, a in zip(zh.charts, en.charts):
        assert z.title == a.alert.titles.get("zh_CN", a.title)
    fault = next(r for r in zh.timeline if r.what == "ev_fault")
    assert fault.detail.startswith("注入故障")
    assert dict(zh.summary.scenarios)["qr_pay"] == "扫码支付"
    page = render_html(zh, Text("zh_CN"))
    assert zh.summary.title in page and en.summary.title not in page
