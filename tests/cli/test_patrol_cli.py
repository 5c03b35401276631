"""``warroom patrol --history FILE --out FILE.html``: report, log, the change, exit status, bad input."""

from __future__ import annotations

import json

from tests.app.test_patrol import START, write_history
from warroom.cli import main


def _run(tmp_path, *argv: str) -> int:
    return main(["--config", str(tmp_path / "c.yaml"), *argv])


def test_patrol_a_history_twice(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    write_history(db, trade_peak=1100.0)
    log = tmp_path / "patrols.jsonl"
    out = tmp_path / "r" / "patrol.html"
    code = _run(tmp_path, "patrol", "--history", str(db), "--out", str(out), "--log", str(log),
                "--at", str(START + 5 * 60_000))
    printed = capsys.readouterr().out
    assert code == 1  # trade's evening peak does not fit: fail
    assert "patrol FAIL" in printed and "service trade: headroom fail" in printed
    assert "first patrol of this source" in printed
    assert out.exists() and "Patrol report" in out.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["kind"] == "patrol" and rows[0]["attrs"]["verdict"] == "fail"
    assert rows[0]["attrs"]["report"] == str(out.resolve())

    zh = tmp_path / "巡检.html"
    code = _run(tmp_path, "patrol", "--history", str(db), "--out", str(zh), "--log", str(log), "--lang", "zh_CN")
    printed = capsys.readouterr().out
    assert code == 1
    assert "changed since the last patrol" in printed
    assert "巡检报告" in zh.read_text(encoding="utf-8")
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2


def test_bad_input_is_a_clear_error(tmp_path, capsys):
    assert _run(tmp_path, "patrol") == 2
    assert "--url URL" in capsys.readouterr().err
    assert _run(tmp_path, "patrol", "--history", str(tmp_path / "missing.duckdb")) == 2
    assert "no such file" in capsys.readouterr().err
    db = tmp_path / "h.duckdb"
    write_history(db)
    assert _run(tmp_path, "patrol", "--history", str(db), "--window", "soon", "--log", str(tmp_path / "l")) == 2
    assert "bad time" in capsys.readouterr().err
    assert _run(tmp_path, "patrol", "--history", str(db), "--at", "yesterday", "--log", str(tmp_path / "l")) == 2
    assert "--at" in capsys.readouterr().err
