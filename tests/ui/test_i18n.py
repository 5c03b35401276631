"""The Simplified Chinese translation: complete, compiled from the current .ts, up to date
with the code, placeholders kept, and actually shown by the panels once installed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, QTranslator  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from tests.ui.board_support import SimFeed  # noqa: E402
from warroom.core.language.lang import set_language  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.app import I18N_DIR, choose_language, install_translation  # noqa: E402
from warroom.ui.panels.health.panel import FeedHealthPanel  # noqa: E402
from warroom.ui.panels.kpi.panel import KpiTilesPanel  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TS = I18N_DIR / "warroom_zh_CN.ts"
QM = I18N_DIR / "warroom_zh_CN.qm"
PLACEHOLDER = re.compile(r"%\d+")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, <translation> element) of every message in a .ts file."""
    out = []
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            out.append((name, msg.findtext("source") or "", msg.find("translation")))
    return out


def _qt_tool(name: str) -> str | None:
    """A PySide6 tool next to this interpreter, else on PATH."""
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


# -- the .ts file ------------------------------------------------------------------------
def test_ts_declares_simplified_chinese():
    assert ET.parse(TS).getroot().get("language") == "zh_CN"


def test_every_message_is_translated():
    messages = _messages(TS)
    assert len(messages) > 100  # every panel's strings, not a stub
    missing = [(ctx, src) for ctx, src, tr in messages
               if tr is None or not (tr.text or "").strip() or tr.get("type") in ("unfinished", "vanished", "obsolete")]
    assert missing == []


def test_placeholders_survive_translation():
    wrong = []
    for ctx, src, tr in _messages(TS):
        text = tr.text or ""
        if sorted(PLACEHOLDER.findall(src)) != sorted(PLACEHOLDER.findall(text)):
            wrong.append((ctx, src, text))
        if src.count("\n") != text.count("\n"):  # multi-line tooltips keep their lines
            wrong.append((ctx, src, text))
    assert wrong == []


def test_ts_is_up_to_date_with_the_code(tmp_path):
    """lupdate over warroom/ui finds nothing new: every string in the code is in the .ts."""
    lupdate = _qt_tool("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate not installed")
    fresh = tmp_path / TS.name
    shutil.copy(TS, fresh)
    sources = sorted(str(p) for p in (ROOT / "warroom" / "ui").rglob("*.py"))
    subprocess.run([lupdate, "-silent", "-no-obsolete", *sources, "-ts", str(fresh)], check=True, cwd=ROOT,
                   capture_output=True)
    before = {(c, s) for c, s, _ in _messages(TS)}
    after = {(c, s) for c, s, _ in _messages(fresh)}
    assert after - before == set(), "new UI strings: run packaging/dev/i18n.sh and translate them"
    assert before - after == set(), "strings gone from the code: run packaging/dev/i18n.sh"


# -- the compiled .qm --------------------------------------------------------------------
def test_qm_is_compiled_from_the_current_ts(tmp_path):
    lrelease = _qt_tool("pyside6-lrelease")
    if lrelease is None:
        pytest.skip("pyside6-lrelease not installed")
    fresh = tmp_path / QM.name
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(fresh)], check=True, capture_output=True)
    assert QM.read_bytes() == fresh.read_bytes(), "stale .qm: run packaging/dev/i18n.sh"


def test_qm_translates_every_message(qapp):
    """Without the Qt tools: the shipped .qm gives each .ts message its translation."""
    translator = QTranslator()
    assert translator.load(str(QM))
    wrong = [(ctx, src) for ctx, src, tr in _messages(TS) if translator.translate(ctx, src) != tr.text]
    assert wrong == []


# -- the panels, in Chinese --------------------------------------------------------------
def test_choose_language():
    assert choose_language("zh") == "zh_CN"
    assert choose_language("zh_CN") == "zh_CN"
    assert choose_language("zh-CN") == "zh_CN"
    assert choose_language("en") == "en"


@pytest.fixture
def chinese(qapp):
    """The zh_CN translation installed for one test, removed afterwards (others run in English)."""
    theme.apply(theme.DARK, 14)
    assert install_translation(qapp, "zh_CN")
    try:
        yield qapp
    finally:
        for translator in getattr(qapp, "_warroom_translators", ()):
            QCoreApplication.removeTranslator(translator)
        qapp._warroom_translators = ()
        qapp._warroom_lang = None  # installed again by the next test that asks
        set_language("en")


@pytest.fixture(scope="module")
def feed() -> SimFeed:
    return SimFeed(90)


def test_kpi_tiles_speak_chinese(chinese, qtbot, feed):
    panel = KpiTilesPanel(feed.view)
    qtbot.addWidget(panel)
    assert panel.title() == "北极星指标"
    assert panel.tile("success").caption == "成功率"
    assert panel.tile("p99").caption == "P99 延迟"
    assert panel.tile("tps").caption == "TPS"  # kept as the room says it
    assert panel.tile("mttr").caption == "MTTR"
    assert CJK.search(panel.tile("incidents").caption)
    assert CJK.search(panel.tile("tps").note)
    assert panel.tile("success").note.startswith("目标")
    assert panel.tile("mttr").level_word() == "无数据"


def test_feed_health_speaks_chinese(chinese, qtbot, feed):
    panel = FeedHealthPanel(feed.view)
    qtbot.addWidget(panel)
    assert panel.title() == "数据源健康"
    captions = [label.text() for label in panel.findChildren(QLabel)]
    assert "协议错误" in captions
    assert CJK.search(panel.state_label.text())
    assert CJK.search(panel.points_label.text())
    assert f"{feed.view.points_received:,}" in panel.points_label.text()


def test_translation_is_removed_after_use(qapp, qtbot, feed):
    """The fixture above leaves the application in English for the other tests."""
    panel = KpiTilesPanel(feed.view)
    qtbot.addWidget(panel)
    assert panel.title() == "North-star KPIs"
    assert panel.tile("success").caption == "Success rate"
