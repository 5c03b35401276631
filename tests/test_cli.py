"""The command line: exporting the plan audit trail from a history file."""

from __future__ import annotations

import csv
import json

from warroom.cli import main
from warroom.core.model import Event, EventKind
from warroom.core.plan.plan_runs import PlanBook
from warroom.core.plan.plans import Plan
from warroom.store import StoreWriter

T0 = 1_731_292_200_000


def history_with_a_plan_run(path):
    plan = Plan("degrade-coupon", "degrade", "Degrade coupon", "service", "coupon", {"resource": "coupon"})
    book = PlanBook()
    run, log = book.confirm(plan, "li.wei", "coupon slow, payments waiting", T0)
    log += book.sent(run.id, T0 + 100)
    log.append(Event("sim-1", T0 + 500, EventKind.PLAN_EXECUTION, plan.id, "Executed plan: Degrade coupon",
                     attrs={"plan_id": plan.id, "action": "execute", "actor": "li.wei"}))
    log += book.on_result(run.id, "succeeded", "in force", T0 + 600)
    log.append(Event("d1", T0, EventKind.DEPLOY, "coupon", "not a plan event"))
    w = StoreWriter(path)
    w.append_events(log)
    w.close()
    return run


def test_audit_exports_every_plan_step_in_order_as_csv(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    run = history_with_a_plan_run(db)
    out = tmp_path / "audit.csv"
    assert main(["audit", str(db), "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["action"], r["source"]) for r in rows] == [
        ("confirmed", "console"), ("sent", "console"), ("execute", "feed"), ("executed", "console")]
    assert rows[0]["actor"] == "li.wei" and rows[0]["reason"] == "coupon slow, payments waiting"
    assert rows[0]["run"] == run.id and json.loads(rows[0]["params"]) == {"resource": "coupon"}
    assert "4 plan events" in capsys.readouterr().out


def test_audit_as_json_lines_and_a_missing_file_is_a_clear_error(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    history_with_a_plan_run(db)
    out = tmp_path / "audit.jsonl"
    assert main(["audit", str(db), "--out", str(out)]) == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4 and lines[-1]["action"] == "executed"
    assert main(["audit", str(tmp_path / "nope.duckdb")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_history_lists_what_the_store_quarantined_without_passing_escapes_to_the_terminal(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    good = Event("d1", T0, EventKind.DEPLOY, "coupon", "coupon \x1b]0;pwned\x07 2.4.1 released")
    poisoned = Event("d2", T0 + 1, EventKind.DEPLOY, "trade\ud800", "a lone surrogate cannot be stored")
    w = StoreWriter(db)
    w.append_events([good, poisoned])
    w.close()
    assert main(["history", str(db)]) == 0
    out = capsys.readouterr().out
    assert "quarantined" in out and "1 event" in out and "bad text" in out
    assert "coupon \\x1b]0;pwned\\x07 2.4.1 released" in out  # the good event, its escapes shown, not run
    assert "\x1b" not in out and "\x07" not in out


def test_store_limits_come_from_the_command_line_or_the_configuration_file(tmp_path, monkeypatch):
    from warroom.cli import _parser
    from warroom.cli.common import store_kwargs
    from warroom.core.settings.config import apply_to_parser, parse_config
    from warroom.store.writer import DEFAULT_MEMORY_LIMIT_MB

    args = _parser().parse_args(["record", "--url", "ws://x", "--db", "h.duckdb", "--retention-max-mb", "100"])
    assert store_kwargs(args) == {"memory_limit_mb": DEFAULT_MEMORY_LIMIT_MB, "retention_days": None,
                                  "retention_max_mb": 100.0}
    parser = _parser()
    apply_to_parser(parser, parse_config("store_memory_mb: 256\nretention_days: 30\nretention_max_mb: 0\n"))
    args = parser.parse_args(["console", "--url", "ws://x"])
    assert store_kwargs(args) == {"memory_limit_mb": 256, "retention_days": 30, "retention_max_mb": None}


def test_a_store_limit_that_is_not_a_positive_number_is_refused(capsys):
    import pytest

    for bad in ("0", "-5", "lots", "inf"):
        with pytest.raises(SystemExit):
            main(["record", "--url", "ws://x", "--db", "h.duckdb", "--store-memory-mb", bad])
        assert "--store-memory-mb" in capsys.readouterr().err


# -- the windowed demo serves its feed where another console can find it --------------------
def _demo_process(tmp_path, *extra):
    import subprocess
    import sys

    from tests.e2e_support import env

    e = env()
    e["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.Popen([sys.executable, "-m", "warroom.cli", "demo", "--fault", "none", "--db",
                             str(tmp_path / "demo.duckdb"), "--size", "1280x720", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)


def test_the_windowed_demo_serves_on_the_port_asked_and_prints_the_address(tmp_path):
    import asyncio
    import signal
    import subprocess

    from tests.e2e_support import free_port
    from warroom.io.probe import probe

    port = free_port()
    proc = _demo_process(tmp_path, "--port", str(port))
    try:
        first = proc.stdout.readline()  # printed once the feed is served, before the window opens
        assert first.startswith(f"demo: feed ws://127.0.0.1:{port} "), first + proc.stderr.read()
        assert f"warroom console --url ws://127.0.0.1:{port}" in proc.stdout.readline()
        result = asyncio.run(probe(f"ws://127.0.0.1:{port}", timeout_s=10))  # a second client really connects
        assert result.ok and result.server_id == "sim-7" and result.speed == 60.0
    finally:
        proc.send_signal(signal.SIGINT)  # closes the window: the demo shuts down in order
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_demo_port_in_use_is_said_before_any_window_opens(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _demo_process(tmp_path, "--port", str(port))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert f"cannot serve the demo feed on 127.0.0.1:{port}: the port is in use" in err
    assert "demo: feed" not in out


def test_demo_port_must_be_a_port(capsys):
    import pytest

    for bad in ("-1", "65536", "http"):
        with pytest.raises(SystemExit):
            main(["demo", "--port", bad])
        assert "--port" in capsys.readouterr().err


def test_console_without_a_display_says_what_to_do(monkeypatch, tmp_path, capsys):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    assert main(["--config", str(tmp_path / "c.yaml"), "console"]) == 2
    assert "no feed address" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "c.yaml"), "console", "--url", "127.0.0.1:18949"]) == 2
    err = capsys.readouterr().err
    assert "is not a feed address" in err and "did you mean ws://127.0.0.1:18949?" in err
