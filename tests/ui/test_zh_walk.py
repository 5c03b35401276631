"""Under zh_CN the wall is Chinese: every layout, built with the simulator running an incident
(ICBC gateway down), is walked for the text a person reads, and no English word may remain
outside an allow-list (ids, units, brand names); nor may a scenario id or a service id stand
where a name belongs.

Read: labels, buttons, dock and group titles, tab texts, placeholders, the display data of
every item view (with its headers, and the cards the alert, incident and plan lists paint),
the text properties of custom-painted widgets (KPI tiles' captions and notes) and the texts
of the map's items. Not read: tooltips (ids belong there) and hidden widgets.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import html  # noqa: E402
import re  # noqa: E402
from dataclasses import fields, is_dataclass  # noqa: E402
from typing import Iterator  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QComboBox, QDockWidget,  # noqa: E402
                               QGraphicsView, QGroupBox, QLabel, QLineEdit, QTabBar, QWidget)

from tests.app.drill import Drill  # noqa: E402
from warroom.app.plan_desk import DeskReading  # noqa: E402
from warroom.core.language.lang import set_language  # noqa: E402
from warroom.core.settings.layouts import load_layout  # noqa: E402
from warroom.core.plan.plan_runs import PlanBook  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.app import install_translation  # noqa: E402
from warroom.ui.main_window import MainWindow  # noqa: E402
from warroom.ui.panels.alerts.cards import CARD_ROLE  # noqa: E402

LAYOUTS = ("command-centre", "commander", "engineer", "business")
SIZE = (1920, 1080)
#: Words that stay as they are in Chinese: metric and unit names the room says in English,
#: brand and bank names, protocol words. Compared in upper case.
ALLOWED = {
    "TPS", "QPS", "P0", "P1", "P2", "P3", "P50", "P90", "P95", "P99", "MTTR", "MTTA", "MTTD", "KPI", "SLA", "SLO",
    "ICBC", "CCB", "ABC", "BOC", "DB", "MQ", "ID", "UTC", "CPU", "PDF", "CSV", "JSON", "HTML", "HTTP", "TLS", "API",
    "WS", "WSS", "URL", "SENTINEL", "WARROOM", "MS", "S", "MIN", "H", "X", "OK",
    "SIM", "LOKI",  # where log lines come from: the simulator, Grafana Loki
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.:/'\-]*")
IDENTIFIER = re.compile(r"[_.:/\-0-9]")  # qr_pay, bank-icbc, ws://…, 1.1.0, p99: ids and units, not English
TAG = re.compile(r"<[^>]+>")


# -- the world: the simulator with an incident, every panel fed ---------------------------
class _Desk(DeskReading):
    """The plans panel's reading of a catalogue, without a feed to send commands to."""

    version = 0
    may_execute = False
    lock_reason = "role"
    last_error = ""

    def __init__(self, view: LiveView) -> None:
        self.view, self.book = view, PlanBook()


@pytest.fixture(scope="module")
def world() -> Drill:
    """Busy-hour traffic, then the ICBC gateway down long enough for an incident to open."""
    view = LiveView()
    drill = Drill(view=view)
    view.apply(TopologySnapshot(drill.now_ms, drill.sim.topology))
    view.apply(drill.sim.catalogue())
    view.plan_desk = _Desk(view)
    drill.run(60)
    drill.sim.inject_fault("dependency_outage", "bank-icbc")
    drill.run(90)
    assert drill.watch.book.incidents(live_only=True), "the drill opens an incident"
    view.set_feed("live", f"live from {drill.sim.topology and 'sim-3'}", "ws://127.0.0.1:18949",
                  now_ms=view.newest_ms, speed=1)
    return drill


@pytest.fixture
def chinese(qapp):
    """zh_CN installed for one test (translation and the feed's names), English again after."""
    install_translation(qapp, "zh_CN")
    try:
        yield qapp
    finally:
        for translator in getattr(qapp, "_warroom_translators", ()):
            QCoreApplication.removeTranslator(translator)
        qapp._warroom_translators = ()
        qapp._warroom_lang = None  # installed again by the next test that asks
        set_language("en")


# -- walking -----------------------------------------------------------------------------
def _plain(text: str) -> str:
    return html.unescape(TAG.sub(" ", text)) if "<" in text else text


def _model_texts(view: QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return
    header = getattr(view, "horizontalHeader", None)
    if header is not None and header().isVisible():
        for col in range(model.columnCount()):
            if not view.isColumnHidden(col) if hasattr(view, "isColumnHidden") else True:
                yield str(model.headerData(col, Qt.Orientation.Horizontal) or "")

    def count(what: str, parent: QModelIndex) -> int:
        try:
            return getattr(model, what)(parent)
        except TypeError:  # a list model keeps columnCount(parent) to itself: one column, flat
            return 1 if what == "columnCount" else 0

    def rows(parent: QModelIndex, depth: int) -> Iterator[str]:
        for row in range(min(count("rowCount", parent), 200)):
            for col in range(count("columnCount", parent)):
                if hasattr(view, "isColumnHidden") and view.isColumnHidden(col):
                    continue
                index = model.index(row, col, parent)
                yield str(index.data(Qt.ItemDataRole.DisplayRole) or "")
                card = index.data(CARD_ROLE)
                if card is not None and is_dataclass(card):
                    yield from _card_texts(card)
            first = model.index(row, 0, parent)
            if depth < 2 and first.isValid() and count("rowCount", first) > 0:
                yield from rows(first, depth + 1)

    yield from rows(QModelIndex(), 0)


def _card_texts(card) -> Iterator[str]:
    """The words of a painted card (chip, title, right, badges, details)."""
    for f in fields(card):
        value = getattr(card, f.name)
        if isinstance(value, str) and not f.name.endswith("color"):
            yield value
        elif isinstance(value, tuple):
            for badge in value:
                text = getattr(badge, "text", None)
                if isinstance(text, str):
                    yield text


def visible_texts(win: MainWindow) -> list[tuple[str, str]]:
    """``(where, text)`` of everything a person reads in the window."""
    out: list[tuple[str, str]] = [("window", win.windowTitle())]
    for w in win.findChildren(QWidget):
        if not w.isVisibleTo(win):
            continue
        where = f"{type(w).__name__}:{w.objectName() or type(w.parent()).__name__}"
        texts: list[str] = []
        if isinstance(w, QLabel):
            texts.append(w.text())
        elif isinstance(w, QAbstractButton):
            texts.append(w.text())
        elif isinstance(w, QDockWidget):
            texts.append(w.windowTitle())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QLineEdit):
            texts += [w.text(), w.placeholderText()]
        elif isinstance(w, QComboBox):
            texts.append(w.currentText())
        elif isinstance(w, QTabBar):
            texts += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QAbstractItemView):
            texts += list(_model_texts(w))
        elif isinstance(w, QGraphicsView) and w.scene() is not None:
            for item in w.scene().items():
                if not item.isVisible():
                    continue
                for attr in ("label", "text", "toPlainText"):
                    value = getattr(item, attr, None)
                    value = value() if callable(value) else value
                    if isinstance(value, str):
                        texts.append(value)
        # Custom-painted widgets (KPI tiles…) expose what they paint as text properties.
        for attr in ("caption", "note", "unit"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                texts.append(value)
        level_word = getattr(w, "level_word", None)
        if callable(level_word):
            try:
                texts.append(str(level_word()))
            except TypeError:
                pass
        out += [(where, _plain(t)) for t in texts if t and t.strip()]
    return out


def log_lines(view: LiveView) -> list[str]:
    """The log lines the view's ``log`` events carry: the services' own words, shown as sent
    (a Java stack line is not translated), so the walk reads around them."""
    from warroom.protocol.context import context_of
    from warroom.ui.panels.alerts.context_view import shown_line

    out = []
    for ev in view.events():
        ctx = context_of(ev)
        out += [shown_line(line.line) for line in ctx.lines] if ctx is not None else []
    return out


def verbatim_words(text: str, lines: list[str], min_chars: int = 16) -> set[str]:
    """The words of the log lines ``text`` shows (a piece of at least ``min_chars`` of a line,
    from its start or a word in it, as a cell may cut or split it): data, not the console's words."""
    words: set[str] = set()
    for line in lines:
        starts = [0] + [m.end() for m in re.finditer(r"\s+", line)]
        if any(len(line[j:j + min_chars]) == min_chars and line[j:j + min_chars] in text for j in starts):
            words |= {w.strip("'.:/-") for w in WORD.findall(line)}
    return words


def english_leftovers(texts: list[tuple[str, str]], ids: set[str],
                      verbatim: list[str] | None = None) -> list[tuple[str, str, str]]:
    """``(where, word, text)`` for each English word, or id standing for a name, in ``texts``
    (``verbatim``: log lines, which are data, not words of the console)."""
    bad = []
    for where, text in texts:
        data = verbatim_words(text, verbatim) if verbatim else set()
        for word in WORD.findall(text):
            core = word.strip("'.:/-")
            if core in data:  # the log line says it, ids included
                continue
            if data and text.rstrip("…").endswith(word) and any(d.startswith(core) for d in data):
                continue  # the last word of a line cut to fit
            if core in ids:
                bad.append((where, core, text))
            elif IDENTIFIER.search(core) or core.upper() in ALLOWED or len(core) <= 1:
                continue
            else:
                bad.append((where, core, text))
    return bad


def _ids(drill: Drill) -> set[str]:
    """Ids that must not stand where a person reads a name: scenario ids (``qr_pay``) and
    the services' hyphenated names (``bank-icbc``); one-word service names are English words
    and are caught as such."""
    topo = drill.sim.topology
    return {sc.id for sc in topo.scenarios} | {s.name for s in topo.services if "-" in s.name}


# -- the test ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", LAYOUTS)
def test_every_panel_reads_in_chinese(chinese, qtbot, world, name):
    layout = load_layout(name)
    theme.apply(theme.THEMES.get(layout.theme, theme.DARK), layout.font_pt)
    win = MainWindow(world.view, layout, settings=None)
    qtbot.addWidget(win)
    try:
        win.resize(*SIZE)
        with qtbot.waitExposed(win):
            win.show()
        win.refresh_now()
        QCoreApplication.processEvents()
        texts = visible_texts(win)
        assert len(texts) > 20, "the walk reads the panels"
        assert any(re.search(r"[\u4e00-\u9fff]", t) for _, t in texts)
        bad = english_leftovers(texts, _ids(world), log_lines(world.view))
        report = "\n".join(f"{where}: {word!r} in {text[:90]!r}" for where, word, text in bad)
        assert not bad, f"{len(bad)} English words or ids under zh_CN:\n{report}"
    finally:
        win._timer.stop()
        win.close()


def test_log_lines_are_read_around_but_the_words_beside_them_are_not():
    line = "ERROR [bank-icbc] c.w.rpc.Client - connect to bank-icbc:8443 failed: Connection refused"
    assert not english_leftovers([("x", "日志：链路 b522cb07  " + line[:50] + "…")], set(), [line])
    assert not english_leftovers([("x", "支付引擎：" + line.split(" - ", 1)[1])], set(), [line])  # a line shown in two parts
    shown = "Latest " + line
    assert english_leftovers([("x", shown)], set(), [line]) == [("x", "Latest", shown)]
    assert english_leftovers([("x", "connect failed")], set(), [line])  # no line shown: English is English


def test_the_walk_catches_english_and_ids():
    """The checker itself: English words and ids fail, Chinese, units and brands pass."""
    ids = {"qr_pay", "bank-icbc"}
    texts = [("a", "工商银行网关故障 — 扫码支付 64.8 %"), ("b", "TPS 1,234 · P99 0.25 s · MTTR"),
             ("c", "ws://127.0.0.1:18949"), ("d", "success rate 64.6 %"), ("e", "qr_pay：成功率 64.6%"),
             ("f", "bank-icbc 故障")]
    words = [w for _, w, _ in english_leftovers(texts, ids)]
    assert words == ["success", "rate", "qr_pay", "bank-icbc"]


# -- what the console itself writes: plan audit steps, a drill's note, "after change" -----
@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A recorded drill: a deploy breaks the payment engine, the commander runs a plan (every
    audit step, from preview to its verdict) and notes it on the incident."""
    from warroom.sim.drill import record_drill

    path = tmp_path_factory.mktemp("zh") / "drill.duckdb"
    drill = record_drill(path, seconds=300, fault="deploy_error_burst:payment-engine", fault_at_s=60,
                         plan="degrade-coupon", plan_after_s=20, every_s=30)
    assert drill.plan_id == "degrade-coupon", "the drill runs the plan"
    return drill


def _drill_view(drill) -> LiveView:
    """A view holding the drill's world (for names), its events and a cursor at its end."""
    from warroom.protocol import MetricBatch
    from warroom.sim import Simulator

    sim = Simulator(seed=4, start_ms=drill.start_ms)  # record_drill's world: the same names
    view = LiveView()
    view.apply(TopologySnapshot(drill.start_ms, sim.topology))
    view.apply(sim.catalogue())
    from warroom.core.model import SeriesKey

    view.apply(MetricBatch.from_points([(SeriesKey("scenario_tps", {"scenario": "qr_pay"}), drill.end_ms, 1.0)]))
    view.add_events(drill.log)
    return view


def test_the_consoles_own_event_titles_read_in_chinese(chinese, qtbot, recorded):
    """The events panel under zh_CN: plan audit steps, the drill's note, the deploy, faults,
    alerts and incidents, all in Chinese (``attrs.titles``), never "Confirmed plan: …"."""
    from warroom.ui.panels.events.panel import EventFeedPanel

    theme.apply(theme.DARK, 14)
    panel = EventFeedPanel(_drill_view(recorded))
    qtbot.addWidget(panel)
    panel.max_rows = 10_000
    panel.resize(1600, 900)
    with qtbot.waitExposed(panel):
        panel.show()
    panel.refresh()
    texts = visible_texts(panel)
    # The recording is a drill: its events read "演练 · <title>" (warroom.ui.wall.drill_banner.drill_tag).
    shown = {t for _, t in texts} | {t.split(" · ", 1)[1] for _, t in texts if " · " in t}
    steps = ("已预览预案：降级优惠券", "已确认预案：降级优惠券", "预案已下发：降级优惠券", "降级优惠券：已执行")
    for step in steps:
        assert step in shown, f"{step!r} not in the events panel"
    assert "支付引擎 发布 payment-engine-1.1.0" in shown, "the deploy's own Chinese title"
    ids = {sc.id for sc in panel.source.topology.scenarios} | {
        s.name for s in panel.source.topology.services if "-" in s.name}
    bad = english_leftovers(texts, ids)
    report = "\n".join(f"{where}: {word!r} in {text[:90]!r}" for where, word, text in bad)
    assert not bad, f"{len(bad)} English words or ids under zh_CN:\n{report}"


def test_incident_timeline_and_after_change_read_in_chinese(chinese, recorded):
    """The incident's timeline (the deploy, the commander's note) and the alerts' "after
    change" text name the deploy in Chinese."""
    from warroom.core.incident.incidents import IncidentBook
    from warroom.core.language.names import names_for
    from warroom.ui.panels.alerts.model import change_text
    from warroom.ui.panels.incidents.model import timeline_rows

    view = _drill_view(recorded)
    names_for(view.topology, view.plans)
    theme.apply(theme.DARK, 14)
    incident = IncidentBook.replay(recorded.log).incident(recorded.incident_id)
    rows = timeline_rows(incident, show_all=True)
    texts = [("timeline", t) for r in rows for t in (r.kind, r.text, r.detail) if t]
    assert ("timeline", "降级优惠券：已执行") in texts
    assert ("timeline", "支付引擎 发布 payment-engine-1.1.0") in texts
    changed = [a for m in recorded.moments for a in m.alerts if "after_change" in a.tags]
    assert changed, "the deploy tags the payment engine's alerts"
    texts += [("after change", change_text(a)) for a in changed]
    assert all("支付引擎 发布" in change_text(a) for a in changed)
    bad = english_leftovers(texts, _ids_of(view), log_lines(view))
    assert not bad, bad


def test_replay_marker_labels_name_subjects_in_chinese(chinese, recorded):
    """The replay bar's marker labels and tooltips: the alert's subject by its name, every
    marker's text in the UI language."""
    from warroom.app.replay_marks import markers_of
    from warroom.core.language.names import names_for
    from warroom.ui.replay.replay_bar import marker_short_label

    view = _drill_view(recorded)
    names_for(view.topology, view.plans)
    markers = markers_of(recorded.log)
    alerts = [m for m in markers if m.kind == "alert"]
    assert alerts and any("支付引擎" in marker_short_label(m) for m in alerts)
    # A deploy's label is its title cut to fit ("支付引擎 发布 payment-engine-…"): its whole
    # title is what must read in Chinese, the cut can leave half a version behind.
    texts = [(m.kind, marker_short_label(m)) for m in markers if m.kind != "deploy"]
    texts += [(m.kind, m.label) for m in markers]
    assert any(m.kind == "deploy" and marker_short_label(m).startswith("支付引擎 发布") for m in markers)
    bad = english_leftovers(texts, _ids_of(view))
    assert not bad, bad


def _ids_of(view: LiveView) -> set[str]:
    topo = view.topology
    return {sc.id for sc in topo.scenarios} | {s.name for s in topo.services if "-" in s.name}
