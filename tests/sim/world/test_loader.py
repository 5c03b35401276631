"""World files: a broken file is answered with FILE:LINE: problem, never a crash."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from warroom.sim.world import WorldError, builtin_worlds, load_world, load_world_text

GOOD = """\
name: tiny
title: Tiny shop
traffic:
  utc_offset_h: 1
  points: {"00:00": 0.2, "12:00": 1.0}
services:
  web:
    kind: channel
    capacity_rps: 500
    latency_ms: 2
    calls: {api: 1}
  api:
    capacity_rps: 400
    latency_ms: 5
    calls: {db: 2, queue: 1}
  db: {kind: database, capacity_rps: 2000, latency_ms: 1}
  queue: {kind: queue, capacity_rps: 5000, latency_ms: 1}
  worker:
    capacity_rps: 100
    latency_ms: 3
    consumes: [queue]
  nightly: {kind: job, cadence_s: 60, capacity_rps: 10, latency_ms: 10, calls: {db: 1}}
scenarios:
  buy:
    peak_tps: 100
    paths:
      - [web, api, [db, queue]]
  work:
    peak_tps: 50
    paths:
      - [worker, queue]
  batch:
    peak_tps: 5
    paths:
      - [nightly, db]
faults:
  - latency_spike:db@1m+2m
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_good_world_loads_with_its_numbers():
    w = load_world_text(GOOD, source="tiny.yaml")
    assert w.name == "tiny" and w.title == "Tiny shop"
    t = w.topology
    assert [s.name for s in t.services] == ["web", "api", "db", "queue", "worker", "nightly"]
    assert w.platform.profiles["api"].latency_s == pytest.approx(0.005)
    assert {e.key: e.calls for e in t.edges}[("api", "db")] == 2.0
    assert ("worker", "queue") in {e.key for e in t.edges}  # a consumer is drawn consumer -> queue
    assert t.service("nightly").cadence_s == 60.0
    assert w.platform.base_tps == {"buy": 100.0, "work": 50.0, "batch": 5.0}
    assert [(f.kind, f.target) for f in w.faults] == [("latency_spike", "db")]
    assert w.traffic.utc_offset_h == 1.0 and w.rules is None


# (replace this text, with this, the problem, the line holding this text)
BROKEN = [
    ("    kind: channel\n", "    kind: gateway\n", "kind must be one of", "kind: gateway"),
    ("    capacity_rps: 400\n", "", "capacity_rps is missing", "  api:"),
    ("    capacity_rps: 400\n", "    capacity_rps: -4\n", "must be positive", "capacity_rps: -4"),
    ("    latency_ms: 5\n", "    latency_ms: fast\n", "must be a number", "latency_ms: fast"),
    ("calls: {db: 2, queue: 1}", "calls: {db: 2, queue: 1, cache: 1}", "'cache', which is not a service",
     "cache: 1"),
    ("calls: {db: 2, queue: 1}", "calls: {db: 2, queue: 1, web: 1}", "closes a cycle", "web: 1}"),
    ("      - [web, api, [db, queue]]", "      - [web, db]", "web -> db is not a call", "[web, db]"),
    ("      - [worker, queue]", "      - [worker, qeueu]", "'qeueu' is not a service", "qeueu"),
    ("  - latency_spike:db@1m+2m", "  - bank_latency_spike:db", "cannot target 'db'", "bank_latency_spike"),
    ("  - latency_spike:db@1m+2m", "  - meteor:db", "unknown fault kind", "meteor"),
    ("cadence_s: 60, ", "", "a job needs cadence_s", "nightly:"),
    ("    consumes: [queue]", "    consumes: [db]", "not a queue", "consumes: [db]"),
    ("title: Tiny shop", "title: Tiny shop\ncolour: blue", "unknown field 'colour'", "colour"),
    ("    latency_ms: 3\n", "    latency_ms: 3\n    latency_ms: 4\n", "duplicate key", "latency_ms: 4"),
    ('"12:00": 1.0', '"25:00": 1.0', "'HH:MM'", "25:00"),
    ("      - [nightly, db]", "      - [api, db]", "nightly is on no scenario", "  nightly:"),
    ("    peak_tps: 100\n", "", "peak_tps is missing", "  buy:"),
    ("  buy:\n", "  buy:\n    rules: x\n", "unknown field 'rules'", "rules: x"),
    ("name: tiny", "name: tiny\nrules: no-such-rules.yaml", "no file", "rules:"),
    ("    kind: channel\n", "    kind: channel\n   bad: [\n", "not valid YAML", None),
]


@pytest.mark.parametrize("old, new, problem, where", BROKEN, ids=[b[2] for b in BROKEN])
def test_a_broken_world_names_file_line_and_problem(old, new, problem, where, tmp_path):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorldError) as info:
        load_world(str(path))
    err = info.value
    assert problem in err.problem, str(err)
    assert str(err).startswith(f"{path}:{err.line}: "), str(err)
    if where is not None:
        assert err.line == _line_of(text, where), str(err)


def test_a_consumer_must_not_be_called():
    text = GOOD.replace("calls: {db: 2, queue: 1}", "calls: {db: 2, queue: 1, worker: 1}")
    with pytest.raises(WorldError, match="worker consumes queue but it is called by api") as info:
        load_world_text(text, source="w.yaml")
    assert info.value.line == _line_of(text, "consumes: [queue]")


def test_not_a_mapping_and_unreadable_files(tmp_path):
    with pytest.raises(WorldError, match=r"w.yaml:1: a world file is a mapping"):
        load_world_text("- a\n- b\n", source="w.yaml")
    with pytest.raises(WorldError, match="cannot read"):
        load_world(str(tmp_path / "missing.yaml"))
    with pytest.raises(WorldError, match="no world called 'atlantis'; shipped worlds: .*payment"):
        load_world("atlantis")


def test_rules_path_is_relative_to_the_world_file(tmp_path):
    (tmp_path / "mine.yaml").write_text("groups: []\n", encoding="utf-8")
    world = tmp_path / "w.yaml"
    world.write_text(GOOD + "rules: mine.yaml\n", encoding="utf-8")
    assert load_world(world).rules == tmp_path / "mine.yaml"


def test_inline_plans_are_checked_against_the_world():
    plan = textwrap.dedent("""\
        plans:
          auto: false
          items:
            - {id: degrade-db, kind: degrade, title: Degrade the DB, target: {kind: service, name: db}}
        """)
    with pytest.raises(WorldError, match="plan #1: .*only a non-core service") as info:
        load_world_text(GOOD + plan, source="w.yaml")
    assert info.value.line == _line_of(GOOD + plan, "id: degrade-db")
    ok = plan.replace("name: db", "name: api").replace("degrade-db", "degrade-api")
    text = GOOD.replace("    latency_ms: 5\n", "    latency_ms: 5\n    core: false\n") + ok
    assert [p.id for p in load_world_text(text).platform.plans] == ["degrade-api"]


def test_shipped_worlds_are_listed():
    assert {"payment", "webshop", "social", "ecommerce-ops"} <= set(builtin_worlds())
    for name in builtin_worlds():
        assert load_world(name).name == name
        assert Path(load_world(name).path).name == f"{name}.yaml"


def test_the_example_in_the_documentation_loads():
    doc = (Path(__file__).parents[3] / "docs" / "worlds.md").read_text(encoding="utf-8")
    start = doc.index("```yaml\nversion: 1") + len("```yaml\n")
    example = doc[start:doc.index("```", start)]
    world = load_world_text(example.replace("rules: my-rules.yaml\n", ""), source="example.yaml")
    assert world.name == "tiny" and len(world.topology.services) == 6
