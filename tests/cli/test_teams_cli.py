"""``warroom history FILE --teams``: the KPI tree of a history as a table or JSON, at a moment,
and clear answers for a history without a tree or a bad ``--at``."""

from __future__ import annotations

import json

from tests.store.test_teams import MIN, NOW, TREE, _incident, _topology
from warroom.cli import main
from warroom.protocol.messages import TopologySnapshot
from warroom.store import StoreWriter


def _run(tmp_path, *argv: str) -> int:
    return main(["--config", str(tmp_path / "c.yaml"), *argv])


def _history(path, tree=TREE):
    w = StoreWriter(path, flush_interval_s=0.05)
    w.append_topology(TopologySnapshot(NOW - 60 * MIN, _topology(tree)))
    w.append_events(_incident("a", "bank", NOW - 50 * MIN, NOW - 40 * MIN)
                    + _incident("b", "trade", NOW - 30 * MIN, NOW - 25 * MIN))
    w.close()


def test_the_table_and_the_json(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    _history(db)
    assert _run(tmp_path, "history", str(db), "--teams") == 0
    out = capsys.readouterr().out
    banks = next(line for line in out.splitlines() if line.strip().startswith("Banks"))
    assert "67%" in banks and "10.0" in banks and "10.0 min" in banks
    assert _run(tmp_path, "history", str(db), "--teams", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    [line] = doc["tree"]["children"]
    assert {t["id"]: t["minutes"] for t in line["children"]} == {"trade-team": 5.0, "bank-team": 10.0}


def test_at_a_moment_only_what_had_happened(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    _history(db)
    at = "2026-12-06T09:25"  # UTC: 17:25 +08:00, the bank incident over, trade's not begun
    assert _run(tmp_path, "history", str(db), "--teams", "--json", "--at", at) == 0
    doc = json.loads(capsys.readouterr().out)
    teams = {t["id"]: t for t in doc["tree"]["children"][0]["children"]}
    assert teams["bank-team"]["minutes"] == 10.0 and teams["trade-team"]["minutes"] == 0


def test_no_tree_and_bad_input_are_clear(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    _history(db, tree=None)
    assert _run(tmp_path, "history", str(db), "--teams") == 1
    assert "no KPI tree" in capsys.readouterr().out
    assert _run(tmp_path, "history", str(db), "--teams", "--at", "yesterday") == 2
    assert "--at 'yesterday'" in capsys.readouterr().err
    assert _run(tmp_path, "history", str(db), "--teams", "--utc-offset", "30") == 2
