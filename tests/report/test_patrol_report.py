"""The patrol report: both languages, every item, the change since the last patrol, escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.core.patrol import world
from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Scenario, Service
from warroom.core.patrol import inspect
from warroom.report.patrol import render_patrol

START = world.T0 + 2 * world.DAY_MS + 10 * world.HOUR


def _patrol(previous=None, **kw):
    series, end = world.healthy(START, trade_peak=1100.0, **kw)
    hist = {"gateway": world.history(800.0), "trade": world.history(1100.0)}
    return inspect(world.topology(), series, start_ms=START, end_ms=end, traffic_history=hist, source="ws://sim",
                   previous=previous, previous_at_ms=START - world.HOUR if previous is not None else None)


def _text(html: str) -> str:
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.out = []

        def handle_data(self, data):
            self.out.append(data)

    p = P()
    p.feed(html)
    return " ".join(p.out)


@pytest.mark.parametrize("lang, words", [
    ("en", ("Patrol report", "FAIL", "unknown headroom: no capacity figure", "bottleneck Trade",
            "First patrol of this source", "Capacity comes from the feed's topology")),
    ("zh_CN", ("巡检报告", "不通过", "余量未知：该服务没有容量数据", "瓶颈 交易", "首次巡检", "容量来自数据源的拓扑")),
])
def test_both_languages_say_every_verdict_and_why(lang, words):
    p = _patrol()
    text = _text(render_patrol(p, lang))
    for w in words:
        assert w in text, w
    # Every service and scenario has its row.
    for item in p.items:
        label = item.titles.get("zh_CN") if lang == "zh_CN" else item.title
        assert label in text


def test_the_change_since_the_last_patrol_is_listed():
    first = _patrol()
    second = _patrol(previous={**first.levels(), "service:old": "pass"}, trade_error=0.03)
    text = _text(render_patrol(second, "en"))
    assert "items changed since the last patrol" in text
    assert "no longer present" in text and "old" in text
    same = _text(render_patrol(_patrol(previous=first.levels()), "en"))
    assert "No item changed since the last patrol" in same


def test_names_from_the_feed_are_escaped():
    evil = "<script>alert(1)</script>"
    top = Topology([Service("a", title=evil, capacity_rps=10), Service("b", title="b&c")], [CallEdge("a", "b")],
                   [Scenario.from_path("s", evil, ["a", "b"])])
    p = inspect(top, {}, start_ms=0, end_ms=1000, source=evil)
    html = render_patrol(p, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "b&amp;c" in html


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        render_patrol(_patrol(), "fr")


def test_no_script_and_no_external_file():
    html = render_patrol(_patrol(), "en")
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
