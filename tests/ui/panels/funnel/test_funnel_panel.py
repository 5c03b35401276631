"""The funnel panel: every scenario with steps drawn with its conversions, the funnel in
trouble first with the step that dropped in the warning colour and its alert's root cause,
the same in a replayed view, names in the console's language, and a plain word when the feed
declares no funnel."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from tests.app.drill import Drill  # noqa: E402
from warroom.core.graph.topology import Topology  # noqa: E402
from warroom.core.language.lang import set_language  # noqa: E402
from warroom.core.language.names import forget  # noqa: E402
from warroom.core.model import Scenario, Service  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.funnel.panel import FunnelPanel  # noqa: E402
from warroom.ui.panels.registry import panel_class  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)
    yield
    set_language("en")
    forget()


@pytest.fixture(scope="module")
def slow_bank() -> Drill:
    """Six healthy minutes, then two minutes of a slow ICBC gateway."""
    view = LiveView()
    d = Drill(view=view)
    view.apply(TopologySnapshot(d.sim.now_ms, d.sim.topology))
    d.run(360)
    d.sim.inject_fault("latency_spike", "bank-icbc", duration_s=900)
    d.run(120)
    return d


def _has(image: QImage, colour: QColor) -> bool:
    target = colour.rgb()
    return any(image.pixel(x, y) == target for x in range(0, image.width(), 3) for y in range(0, image.height(), 3))


def test_the_funnel_in_trouble_comes_first_with_its_drop_and_root_cause(slow_bank):
    panel = FunnelPanel(slow_bank.view)
    panel.resize(1200, 700)
    panel.refresh()
    rows = panel.rows
    assert len(rows) == 3 and {r.scenario for r in rows} == {"qr_pay", "app_quick_pay", "bank_card_pay"}
    top = rows[0]
    assert top.trouble > 0.25
    checkout, pay, bank = top.steps
    assert [s.step.id for s in top.steps] == ["checkout", "pay", "bank_confirmed"]
    assert checkout.rate and checkout.rate > 0 and checkout.conversion is None
    assert not pay.below and pay.conversion == pytest.approx(pay.usual, rel=0.02)
    assert bank.below and bank.conversion < 0.8 and bank.usual > 0.95
    assert top.roots == ("", "", "ICBC gateway")  # the step's alert, rooted in its own service
    image = panel.grab().toImage()
    assert _has(image, theme.current().color("warn")) and _has(image, theme.current().color("accent"))
    assert not _has(image, theme.current().color("crit"))  # red is for incidents only


def test_a_pinned_cursor_shows_the_funnel_as_it_was(slow_bank):
    view = slow_bank.view
    panel = FunnelPanel(view)
    view.set_cursor(view.newest_ms - 150_000)  # before the fault: the way a replay moves it
    try:
        panel.refresh()
        assert all(not s.below for r in panel.rows for s in r.steps)
        assert all(r.trouble < 0.02 for r in panel.rows)
    finally:
        view.set_cursor(None)


def test_names_follow_the_language(slow_bank):
    set_language("zh_CN")
    panel = FunnelPanel(slow_bank.view)
    panel.refresh()
    qr = next(r for r in panel.rows if r.scenario == "qr_pay")
    assert qr.title == "扫码支付" and [s.step.label for s in qr.steps] == ["下单", "提交支付", "银行确认"]
    assert qr.roots[2] == "工商银行网关"


def test_a_feed_without_funnels_says_so_and_the_registry_opens_the_panel():
    view = LiveView()
    topo = Topology([Service("web"), Service("api")])
    topo.add_edge(__import__("warroom.core.model", fromlist=["CallEdge"]).CallEdge("web", "api"))
    topo.add_scenario(Scenario("buy", "Buy", "web", (("web", "api"),)))
    view.apply(TopologySnapshot(1_767_225_600_000, topo))
    panel = panel_class("funnel")(view)
    panel.resize(600, 300)
    panel.refresh()
    assert panel.rows == [] and "funnel steps" in panel.canvas.empty_reason
    panel.grab()  # paints the message without data


def test_a_stale_wall_dims_the_funnel(slow_bank):
    panel = FunnelPanel(slow_bank.view)
    panel.resize(1200, 700)
    panel.refresh()
    panel.set_stale(slow_bank.view.newest_ms)
    assert panel.canvas.stale
    assert not _has(panel.grab().toImage(), theme.current().color("warn"))  # no live colour on old numbers
    panel.set_stale(None)
    assert not panel.canvas.stale
