"""``warroom sim --world`` and ``warroom demo --world``: any world, and a broken file is a clear error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from warroom.cli import _parser, main
from warroom.cli.common import CliError
from warroom.cli.feeds import build_feed
from warroom.sim.world import load_world
from warroom.store.query import HistoryReader


def _args(*argv: str):
    return _parser().parse_args(list(argv))


def test_a_broken_world_file_is_file_line_problem_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  web:\n    kind: gateway\n    capacity_rps: 10\n"
                   "scenarios:\n  x: {peak_tps: 1, paths: [[web, web]]}\n", encoding="utf-8")
    assert main(["--config", str(tmp_path / "c.yaml"), "sim", "--world", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"--world: {bad}:3: service web: kind must be one of" in err
    assert main(["--config", str(tmp_path / "c.yaml"), "sim", "--world", "atlantis"]) == 2
    assert "no world called 'atlantis'" in capsys.readouterr().err


def test_a_world_brings_its_platform_and_its_drill():
    feed = build_feed(_args("sim", "--world", "webshop", "--start", "2026-11-20T10:20:00+08:00"))
    world = load_world("webshop")
    assert feed.sim.world.name == "webshop" and feed.sim.topology.service("frontend-proxy")
    assert [(f.kind.value, f.target) for f in feed.sim.active_faults] == [(s.kind, s.target) for s in world.faults]
    quiet = build_feed(_args("sim", "--world", "webshop", "--fault", "none"))
    assert quiet.sim.active_faults == ()


def test_without_a_world_it_is_the_payment_platform_as_before():
    feed = build_feed(_args("sim"))
    assert feed.sim.world is None and "trade" in feed.sim.topology and feed.sim.active_faults == ()
    demo = build_feed(_args("demo", "--world", "payment"))  # the payment world's drill is the demo's
    assert [f.target for f in demo.sim.active_faults] == ["bank-icbc", "coupon"]


def test_a_fault_that_does_not_fit_the_world_is_refused():
    with pytest.raises(CliError, match="bank_latency_spike cannot target 'bank-icbc'; valid targets: \\[\\]"):
        build_feed(_args("sim", "--world", "social", "--fault", "bank_latency_spike:bank-icbc"))


def test_the_headless_demo_records_a_world_series_for_every_service(tmp_path):
    db = tmp_path / "w.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "warroom.cli", "--config", str(tmp_path / "c.yaml"), "demo", "--headless",
         "--world", "social", "--fault", "process_crash:user-mongodb@10s", "--duration", "3", "--db", str(db)],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "world social: Social network (DeathStarBench)" in proc.stdout
    with HistoryReader(db) as reader:
        up = {k.labels["service"] for k in reader.series("service_up")}
        lag = {k.labels["service"] for k in reader.series("consumer_lag_seconds")}
    assert up == {s.name for s in load_world("social").topology.services}
    assert lag == {"write-home-timeline"}
