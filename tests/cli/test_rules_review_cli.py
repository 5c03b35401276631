"""``warroom rules review HISTORY [--out FILE.csv] [--days N]``, beside ``warroom rules check [FILE]``."""

from __future__ import annotations

import csv

import pytest

from tests.core.alerting.review_events import HOSTILE_RULES, episode
from warroom.cli import main
from warroom.core.alerting.review import CSV_COLUMNS, review
from warroom.sim.drill import record_drill
from warroom.store import HistoryReader, StoreWriter


def _run(tmp_path, *argv: str) -> int:
    return main(["--config", str(tmp_path / "c.yaml"), *argv])


def _history(path, events) -> None:
    writer = StoreWriter(path)
    try:
        writer.append_events(events)
    finally:
        writer.close()


def test_rules_check_still_checks_the_shipped_rules(tmp_path, capsys):
    assert _run(tmp_path, "rules", "check") == 0
    out = capsys.readouterr().out
    assert "rules OK" in out and "scenario-success" in out


@pytest.fixture(scope="module")
def drill_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("drill") / "drill.duckdb"
    record_drill(path, seconds=600, every_s=0)
    return path


def test_review_of_a_drill_prints_the_table_and_writes_the_same_figures_as_csv(tmp_path, capsys, drill_db):
    out_csv = tmp_path / "review.csv"
    assert _run(tmp_path, "rules", "review", str(drill_db), "--out", str(out_csv), "--min-fired", "1") == 0
    out = capsys.readouterr().out
    assert "0 only making noise" in out and "scenario-success" in out and "noise:" not in out
    with HistoryReader(drill_db) as reader:
        expected = review(reader.events(0, 4_102_444_800_000), min_fired=1)
    with out_csv.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["rule"], int(r["fired"]), int(r["acknowledged"]), int(r["led_to_plan"])) for r in rows] == [
        (r.rule, r.fired, r.acknowledged, r.led_to_plan) for r in expected.rules]
    assert any(int(r["fired"]) > 0 for r in rows)


def test_days_keeps_only_the_end_of_the_history(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    old = [e for i in range(3) for e in episode(i * 100, f"o{i}", "old-rule", last_s=20)]
    new = [e for i in range(3) for e in episode(3 * 86_400 + i * 100, f"n{i}", "new-rule", last_s=20)]
    _history(db, old + new)
    assert _run(tmp_path, "rules", "review", str(db)) == 0
    out = capsys.readouterr().out
    assert "noise: old-rule" in out and "noise: new-rule" in out
    assert _run(tmp_path, "rules", "review", str(db), "--days", "1") == 0
    out = capsys.readouterr().out
    assert "new-rule" in out and "old-rule" not in out


def test_hostile_rule_ids_reach_the_terminal_escaped(tmp_path, capsys):
    db = tmp_path / "hostile.duckdb"
    _history(db, [e for i, rule in enumerate(HOSTILE_RULES) for e in episode(i * 100, f"h{i}", rule, last_s=20)])
    assert _run(tmp_path, "rules", "review", str(db), "--min-fired", "1", "--out", str(tmp_path / "h.csv")) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[31mred" in out and "\u202e" not in out
    cells = [row[0] for row in csv.reader((tmp_path / "h.csv").open(encoding="utf-8"))][1:]
    assert "'=cmd|' /C calc'!A0" in cells


def test_bad_input_is_a_clear_error_with_exit_2(tmp_path, capsys):
    assert _run(tmp_path, "rules", "review") == 2
    assert "needs a history file" in capsys.readouterr().err
    assert _run(tmp_path, "rules", "review", str(tmp_path / "missing.duckdb")) == 2
    assert "no such file" in capsys.readouterr().err
    not_a_store = tmp_path / "x.duckdb"
    not_a_store.write_text("hello", encoding="utf-8")
    assert _run(tmp_path, "rules", "review", str(not_a_store)) == 2
    assert "cannot read" in capsys.readouterr().err
    db = tmp_path / "empty.duckdb"
    _history(db, [])
    assert _run(tmp_path, "rules", "review", str(db), "--days", "0") == 2
    assert "--days" in capsys.readouterr().err
    assert _run(tmp_path, "rules", "review", str(db), "--out", str(tmp_path / "no" / "such" / "dir.csv")) == 2
    assert "cannot write" in capsys.readouterr().err


def test_a_history_without_alerts_says_so(tmp_path, capsys):
    db = tmp_path / "empty.duckdb"
    _history(db, [])
    assert _run(tmp_path, "rules", "review", str(db)) == 0
    assert "no alerts in this history" in capsys.readouterr().out
