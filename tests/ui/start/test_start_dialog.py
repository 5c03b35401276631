"""First start: without a feed address the console asks (feed, recording or demo) instead of
exiting; the connection test really connects; an address that cannot work says why."""

from __future__ import annotations

import os
import socket

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from warroom.cli import main  # noqa: E402
from warroom.core.settings.config import load_config  # noqa: E402
from warroom.io.feed_problem import ProblemKind, check_url  # noqa: E402
from warroom.sim.engine import Simulator  # noqa: E402
from warroom.sim.feed import SimFeed  # noqa: E402
from warroom.sim.thread import SimFeedThread  # noqa: E402
from warroom.ui.start.start_dialog import CONNECT, DEMO, REPLAY, StartChoice, StartDialog  # noqa: E402


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def sim_url():
    """The simulator's feed, served on loopback from its own thread (as the demo serves it)."""
    thread = SimFeedThread(SimFeed(Simulator(seed=3, start_ms=1_763_605_800_000), speed=1.0))
    url = thread.start()
    yield url
    thread.stop()


@pytest.fixture
def dialog(qtbot):
    d = StartDialog(probe_timeout_s=5)
    qtbot.addWidget(d)
    return d


def test_the_connection_test_reads_a_real_feeds_hello(dialog, qtbot, sim_url):
    dialog.url_edit.setText(sim_url)
    dialog.test_connection()
    assert not dialog.test_button.isEnabled()  # one test at a time
    qtbot.waitUntil(lambda: dialog.last_probe is not None, timeout=10_000)
    assert dialog.last_probe.ok and dialog.last_probe.server_id == "sim-3"
    assert "sim-3" in dialog.result_text and dialog.result_label.property("level") == "ok"
    assert dialog.test_button.isEnabled()


def test_the_connection_test_of_a_closed_port_says_refused_in_a_sentence(dialog, qtbot):
    port = closed_port()
    dialog.url_edit.setText(f"ws://127.0.0.1:{port}")
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.last_probe is not None, timeout=10_000)
    assert not dialog.last_probe.ok and dialog.last_probe.problem.kind is ProblemKind.REFUSED
    text = dialog.result_text
    assert text.startswith(f"Cannot reach 127.0.0.1:{port}: connection refused")
    assert "Errno" not in text and dialog.result_label.property("level") == "crit"


def test_an_address_without_scheme_is_shown_with_its_fix_and_cannot_be_connected(qtbot):
    d = StartDialog("127.0.0.1:18949", check_url("127.0.0.1:18949"))
    qtbot.addWidget(d)
    assert "is not a feed address" in d.result_text and "ws://127.0.0.1:18949" in d.result_text
    d.connect_button.click()
    assert d.choice is None and d.result_label.property("level") == "crit"
    d.url_edit.setText("ws://127.0.0.1:18949")
    d.remember_box.setChecked(True)
    d.connect_button.click()
    assert d.choice == StartChoice(CONNECT, url="ws://127.0.0.1:18949", remember=True)


def test_the_demo_and_a_recording_are_choices(qtbot, tmp_path):
    d = StartDialog()
    qtbot.addWidget(d)
    d.demo_button.click()
    assert d.choice == StartChoice(DEMO)
    d = StartDialog()
    qtbot.addWidget(d)
    d.open_recording(tmp_path / "drill.duckdb")
    assert d.choice.kind == REPLAY and d.choice.path == tmp_path / "drill.duckdb"


# -- the command ---------------------------------------------------------------------------
@pytest.fixture
def asked(monkeypatch):
    """Replace the dialog by a scripted answer; record what it was shown and what was started."""
    seen: dict = {"asked": [], "started": []}

    def ask_start(url="", problem=None, **kw):
        seen["asked"].append((url, problem, kw.get("config_path")))
        return seen.get("answer")

    monkeypatch.setattr("warroom.ui.app.ask_start", ask_start)
    monkeypatch.setattr("warroom.cli.console._run_console", lambda opts: seen["started"].append(opts) or 0)
    return seen


def test_without_a_feed_the_console_asks_instead_of_failing(asked, tmp_path):
    cfg = tmp_path / "config.yaml"
    assert main(["--config", str(cfg), "console"]) == 0
    assert asked["asked"] == [("", None, cfg)] and asked["started"] == []


def test_a_bad_address_opens_the_dialog_with_its_reason(asked, tmp_path):
    assert main(["--config", str(tmp_path / "c.yaml"), "console", "--url", "127.0.0.1:18949"]) == 0
    (url, problem, _), = asked["asked"]
    assert url == "127.0.0.1:18949" and problem.kind is ProblemKind.BAD_URL
    assert problem.suggestion == "ws://127.0.0.1:18949"


def test_a_remembered_address_is_written_to_the_configuration_and_used_next_time(asked, tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("# my settings\n# feed_url: wss://feed.example.com:8765\nlang: en\n", encoding="utf-8")
    asked["answer"] = StartChoice(CONNECT, url="ws://127.0.0.1:18949", remember=True)
    assert main(["--config", str(cfg), "console"]) == 0
    assert asked["started"][0].url == "ws://127.0.0.1:18949"
    config = load_config(cfg)
    assert config.values == {"feed_url": "ws://127.0.0.1:18949", "lang": "en"} and not config.problems
    assert "# my settings" in cfg.read_text(encoding="utf-8")  # the comments stay
    asked["answer"] = None
    assert main(["--config", str(cfg), "console"]) == 0
    assert len(asked["asked"]) == 1 and asked["started"][1].url == "ws://127.0.0.1:18949"  # not asked again


def test_a_remembered_demo_starts_the_demo_without_asking(asked, tmp_path):
    cfg = tmp_path / "config.yaml"
    asked["answer"] = StartChoice(DEMO, remember=True)
    assert main(["--config", str(cfg), "console"]) == 0
    assert asked["started"][0].sim_feed is not None
    assert load_config(cfg).values == {"start_with": "demo"}
    assert main(["--config", str(cfg), "console"]) == 0
    assert len(asked["asked"]) == 1 and asked["started"][1].sim_feed is not None
