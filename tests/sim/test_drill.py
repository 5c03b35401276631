"""A recorded drill: an outage, the scripted commander, and the whole history in one file."""

from __future__ import annotations

import pytest

from warroom.cli import main
from warroom.core.incident.incidents import IncidentBook
from warroom.core.model import EventKind
from warroom.core.plan.plan_runs import PlanBook
from warroom.sim.drill import record_drill
from warroom.store import HistoryReader


def test_drill_records_outage_response_and_recovery(tmp_path):
    path = tmp_path / "drill.duckdb"
    drill = record_drill(path, seconds=780, fault="dependency_outage:bank-icbc", every_s=60)
    with HistoryReader(path) as r:
        events = r.events(0, 4_102_444_800_000)
        assert r.time_range() == (drill.start_ms, drill.end_ms)
        assert r.snapshots("topology_snapshots") and len(r.snapshots("plan_catalogues")) >= 2
    inc = IncidentBook.replay(events).incident(drill.incident_id)
    assert inc.root_cause == "bank-icbc" and inc.acked_ms == inc.detected_ms and inc.state == "resolved"
    assert drill.plan_id == "failover-bank-icbc", "the root alert's first suggested plan"
    (run,) = PlanBook.replay(events).runs()
    assert run.state == "effective" and run.executed_ms == drill.executed_ms == inc.detected_ms + 30_000
    assert any(e.kind is EventKind.NOTE and e.attrs.get("incident") == inc.id for e in events)
    assert len(drill.moments) == 13 and drill.fault_ms == drill.start_ms + 120_000


def test_no_plan_and_bad_input(tmp_path):
    quiet = record_drill(tmp_path / "quiet.duckdb", seconds=300, fault="dependency_outage:bank-icbc", plan="")
    assert quiet.incident_id and not quiet.plan_id and not quiet.executed_ms
    with pytest.raises(FileExistsError):
        record_drill(tmp_path / "quiet.duckdb", seconds=10)
    with pytest.raises(ValueError, match="unknown fault kind"):
        record_drill(tmp_path / "bad.duckdb", seconds=10, fault="meteor:bank-icbc")
    assert not (tmp_path / "bad.duckdb").exists(), "a failed drill leaves no file"


def test_drill_command(tmp_path, capsys):
    out = tmp_path / "d.duckdb"
    assert main(["drill", "--out", str(out), "--minutes", "6", "--fault", "bank_latency_spike:bank-icbc"]) == 0
    text = capsys.readouterr().out
    assert f"warroom replay {out} --at worst" in text and "incident INC-" in text
    assert main(["drill", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["drill", "--out", str(tmp_path / "e.duckdb"), "--minutes", "1", "--fault-at", "2m"]) == 2
