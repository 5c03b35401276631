"""A recorded drill: an outage, the scripted commander, and the whole history in one file."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import pytest

from warroom.cli import main
from warroom.core.alerting.alerts import Alert
from warroom.core.incident.incidents import IncidentBook
from warroom.core.model import EventKind, SeriesKey, Severity
from warroom.core.plan.plan_runs import PlanBook
from warroom.sim import Simulator
from warroom.sim.drill import DRILL_START_MS, MTTR_GOAL_S, _choose_plan, record_drill
from warroom.sim.platform import build_platform
from warroom.store import HistoryReader


def test_drill_records_outage_response_and_recovery(tmp_path):
    path = tmp_path / "drill.duckdb"
    drill = record_drill(path, seconds=780, fault="dependency_outage:bank-icbc", every_s=60)
    with HistoryReader(path) as r:
        events = r.events(0, 4_102_444_800_000)
        assert r.time_range() == (drill.start_ms, drill.end_ms)
        assert r.snapshots("topology_snapshots") and len(r.snapshots("plan_catalogues")) >= 2
    inc = IncidentBook.replay(events).incident(drill.incident_id)
    # Failed over, users recover while the bank itself stays down: mitigated (or resolved).
    assert inc.root_cause == "bank-icbc" and inc.acked_ms == inc.detected_ms
    assert inc.state in ("mitigated", "resolved")
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


def test_drill_mttr_is_fault_start_to_plan_verified_effective(tmp_path):
    drill = record_drill(tmp_path / "m.duckdb", seconds=360, every_s=0)
    effective = [e for e in drill.log if e.kind is EventKind.PLAN_EXECUTION and e.attrs.get("audit")
                 and e.attrs.get("action") == "effective"]
    assert effective and drill.verified_ms == effective[0].ts > drill.executed_ms > drill.fault_ms
    assert drill.mttr_s == (effective[0].ts - drill.fault_ms) / 1000
    assert drill.goal_met == (drill.mttr_s <= MTTR_GOAL_S)
    assert drill.summary_line() == (f"drill: world=payment fault=dependency_outage:bank-icbc "
                                    f"plan=failover-bank-icbc mttr_s={drill.mttr_s:.0f} goal_s=60 "
                                    f"met={'yes' if drill.goal_met else 'no'}")
    quiet = record_drill(tmp_path / "q.duckdb", seconds=240, plan="", every_s=0)
    assert quiet.mttr_s is None and not quiet.goal_met and "mttr_s=none" in quiet.summary_line()


def test_a_deploy_gone_wrong_is_rolled_back_first(tmp_path):
    drill = record_drill(tmp_path / "r.duckdb", seconds=300, fault="deploy_error_burst:trade", every_s=0)
    plan = next(p for p in build_platform().plans if p.id == drill.plan_id)
    assert (plan.kind, plan.target) == ("rollback", "trade"), "the root alert came right after trade's deploy"


def test_the_drill_chooses_by_target_and_kind_not_by_plan_id():
    platform = build_platform()
    renamed = tuple(dataclasses.replace(p, id=f"plan-{i}") for i, p in enumerate(platform.plans))
    sim = Simulator(start_ms=DRILL_START_MS, platform=dataclasses.replace(platform, plans=renamed))
    root = Alert(fingerprint="f", rule="bank-errors", series=SeriesKey("service_error_ratio", {"service": "bank-icbc"}),
                 subject="bank-icbc", subject_kind="service", severity=Severity.P1, state="firing", title="t",
                 since_ms=0, value=1.0, threshold=0.05, root_cause="bank-icbc", plans=("failover-bank-icbc",))
    watch = SimpleNamespace(alerts=lambda: [root])
    chosen = _choose_plan(sim, watch, None)
    assert chosen is not None and (chosen.kind, chosen.target) == ("failover", "bank-icbc")


def test_drill_command_prints_its_mttr_against_the_goal(tmp_path, capsys):
    assert main(["drill", "--out", str(tmp_path / "w.duckdb"), "--minutes", "5"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"drill: world=payment fault=dependency_outage:bank-icbc plan=failover-bank-icbc "
                        r"mttr_s=\d+ goal_s=60 met=(yes|no)", last), last
    assert main(["drill", "--out", str(tmp_path / "x.duckdb"), "--world", str(tmp_path / "no-such-world.yaml")]) == 2
    assert "--world" in capsys.readouterr().err
    assert not (tmp_path / "x.duckdb").exists()


def test_a_drill_runs_on_every_shipped_world(tmp_path, capsys):
    from warroom.sim.world import builtin_worlds

    worlds = builtin_worlds()
    assert "payment" in worlds and len(worlds) >= 3
    for name in worlds:
        assert main(["drill", "--out", str(tmp_path / f"{name}.duckdb"), "--minutes", "5", "--world", name]) == 0
        last = capsys.readouterr().out.strip().splitlines()[-1]
        m = re.fullmatch(rf"drill: world={re.escape(name)} fault=(\S+):(\S+) plan=(\S+) mttr_s=(\d+|none) "
                         r"goal_s=60 met=(yes|no)", last)
        assert m, last
        assert m[5] == ("yes" if m[4] != "none" and int(m[4]) <= 60 else "no"), "met only with an MTTR within 60 s"
        with HistoryReader(tmp_path / f"{name}.duckdb") as r:
            assert r.time_range() is not None, name
