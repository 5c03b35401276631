"""The command line: exporting the plan audit trail from a history file."""

from __future__ import annotations

import csv
import json

from warroom.cli import main
from warroom.core.model import Event, EventKind
from warroom.core.plan_runs import PlanBook
from warroom.core.plans import Plan
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
    from warroom.core.config import apply_to_parser, parse_config
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
