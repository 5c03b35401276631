"""``warroom catalogue HISTORY [--out FILE.csv]`` and ``warroom catalogue --compare A B``."""

from __future__ import annotations

import asyncio
import csv
import threading

import numpy as np
import pytest

from tests.hostile import HostileServer
from warroom.cli import main
from warroom.core.catalogue import infos_from_mapping
from warroom.core.graph.topology import Topology
from warroom.core.model import SeriesKey, Service
from warroom.protocol.messages import MetricBatch, TopologySnapshot
from warroom.store import StoreWriter

T0 = 1_767_225_600_000


def _run(tmp_path, *argv: str) -> int:
    return main(["--config", str(tmp_path / "c.yaml"), *argv])


def _history(path, series: dict[SeriesKey, tuple[int, float]], *, owner: str = "sre", n: int = 120) -> None:
    """A history with ``series``: key -> (interval ms, value)."""
    w = StoreWriter(path, flush_interval_s=0.05)
    topo = Topology([Service("trade"), Service("=cmd")])
    topo.series_info = infos_from_mapping({"service_error_ratio": {"owner": owner, "description": "Failed share"}})
    w.append_topology(TopologySnapshot(T0, topo))
    for key, (every, value) in series.items():
        ts = T0 + np.arange(0, n * 1000, every, dtype=np.int64)
        w.append_metrics(MetricBatch((key,), np.zeros(len(ts), dtype=np.int32), ts, np.full(len(ts), value)))
    assert w.flush(timeout=10)
    w.close()


ERR = SeriesKey("service_error_ratio", {"service": "trade"})
TPS = SeriesKey("scenario_tps", {"scenario": "qr"})
LAT = SeriesKey("service_latency_seconds", {"service": "trade"})
EVIL = SeriesKey("service_error_ratio", {"service": "=cmd"})


def test_a_history_s_catalogue_printed_and_exported(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    _history(db, {ERR: (1000, 0.02), TPS: (1000, 50.0), EVIL: (1000, 1.5)}, owner="=HYPERLINK(1)")
    out = tmp_path / "cat.csv"
    code = _run(tmp_path, "catalogue", str(db), "--out", str(out))
    printed = capsys.readouterr().out
    assert code == 1  # a flagged series
    assert "catalogue of h.duckdb: 3 series" in printed and "invalid values 1" in printed
    lines = printed.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("series "))
    assert lines[first + 1].startswith(EVIL.text) and "INVALID" in lines[first + 1]  # flagged first
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["series"] for r in rows] == [TPS.text, EVIL.text, ERR.text]
    tps, evil, err = rows
    assert (err["unit"], err["description"], err["points"], err["per_minute"], err["interval_s"]) == (
        "ratio", "Failed share", "120", "60", "1")
    assert err["first_seen"] == "2026-01-01T00:00:00Z" and err["last_seen"] == "2026-01-01T00:01:59Z"
    assert err["flags"] == "" and err["labels"] == "service=trade" and err["source"] == "h.duckdb"
    assert evil["invalid"] == "120" and evil["flags"] == "invalid"
    assert tps["unit"] == "/s" and tps["owner"] == ""
    # text from a feed or a file never becomes a spreadsheet formula
    assert err["owner"] == "'=HYPERLINK(1)"


def test_grep_and_flagged_narrow_the_rows(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    _history(db, {ERR: (1000, 0.02), TPS: (1000, 50.0), EVIL: (1000, 1.5)})
    assert _run(tmp_path, "catalogue", str(db), "--flagged", "--out", str(tmp_path / "f.csv")) == 1
    assert len(list(csv.DictReader((tmp_path / "f.csv").open(encoding="utf-8")))) == 1
    capsys.readouterr()
    _run(tmp_path, "catalogue", str(db), "--grep", "scenario qr")
    printed = capsys.readouterr().out
    assert "scenario_tps" in printed and "service_error_ratio{" not in printed


def test_a_clean_history_exits_0(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    _history(db, {ERR: (1000, 0.02)})
    assert _run(tmp_path, "catalogue", str(db)) == 0


def test_two_histories_compared(tmp_path, capsys):
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    _history(a, {ERR: (1000, 0.02), TPS: (1000, 50.0), LAT: (1000, 0.25)})
    _history(b, {ERR: (15_000, 0.02), LAT: (1000, 250.0),
                 SeriesKey("scenario_tps", {"scenario": "qr", "region": "sh"}): (1000, 50.0),
                 SeriesKey("refund_ratio"): (1000, 0.1)})
    out = tmp_path / "diff.csv"
    code = _run(tmp_path, "catalogue", "--compare", str(a), str(b), "--out", str(out))
    printed = capsys.readouterr().out
    assert code == 1
    assert "A: " in printed and "(3 series)" in printed and "(4 series)" in printed
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    kinds = {(r["kind"], r["metric"]) for r in rows}
    assert kinds == {("only_b", "refund_ratio"), ("labels", "scenario_tps"), ("rate", "service_error_ratio"),
                     ("scale", "service_latency_seconds")}
    assert "rate differs" in printed and "every 1 s" in printed and "every 15 s" in printed
    assert _run(tmp_path, "catalogue", "--compare", str(a), str(a)) == 0
    assert "the two sources agree" in capsys.readouterr().out


def test_a_history_compared_with_a_live_feed(tmp_path, capsys):
    a = tmp_path / "a.duckdb"
    _history(a, {SeriesKey("refund_ratio", {"service": "trade"}): (1000, 0.1)})
    loop = asyncio.new_event_loop()
    feed = HostileServer(server_id="gw-live")
    loop.run_until_complete(feed.start())

    async def send() -> None:
        await feed.wait_subscribed()
        t0 = feed.now_ms() // 1000 * 1000 - 60_000
        await feed.send(feed.metrics({"name": "refund_ratio", "labels": {"service": "trade"}},
                                     [t0 + i * 1000 for i in range(5)], [0.1] * 5))
        await feed.send(feed.metrics({"name": "refund_count_total", "labels": {}}, t0, 3.0))

    # The feed runs on a thread of its own: the command runs its own loop, on this (main) thread.
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    sent = asyncio.run_coroutine_threadsafe(send(), loop)
    try:
        code = _run(tmp_path, "catalogue", "--compare", str(a), feed.url, "--seconds", "1.5")
        sent.result(10)
    finally:
        asyncio.run_coroutine_threadsafe(feed.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
    printed = capsys.readouterr().out
    assert code == 1
    assert "only in B" in printed and "refund_count_total" in printed
    assert "refund_ratio" not in printed.split("\n\n", 1)[1]  # in both, at the same pace


@pytest.mark.parametrize(("argv", "said"), [
    ((), "say what to catalogue"),
    (("a.duckdb", "--compare", "x", "y"), "one of them"),
    (("missing.duckdb",), "no such file"),
    (("--compare", "missing.duckdb", "other.duckdb"), "no such file"),
    (("--url", "ws://127.0.0.1:9", "--seconds", "0.3"), "nothing received"),
    (("x.duckdb", "--seconds", "0"), "--seconds must be positive"),
    (("x.duckdb", "--world", "no-such-world"), "--world"),
])
def test_bad_input_is_a_clear_error(tmp_path, capsys, argv, said):
    assert _run(tmp_path, "catalogue", *argv) == 2
    assert said in capsys.readouterr().err


def test_standard_series_are_known_and_a_world_file_declares_the_rest(tmp_path, capsys):
    from tests.sim.world.test_loader import GOOD

    db = tmp_path / "h.duckdb"
    depth = SeriesKey("queue_depth", {"service": "trade"})
    _history(db, {SeriesKey("service_saturation_ratio", {"service": "trade"}): (1000, 1.4), depth: (1000, 5.0)})
    # saturation may pass 1 (load over capacity): the standard series say so, the name alone does not
    assert _run(tmp_path, "catalogue", str(db), "--out", str(tmp_path / "a.csv")) == 0
    rows = {r["metric"]: r for r in csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8"))}
    assert rows["service_saturation_ratio"]["description"].startswith("Load over capacity")
    assert rows["queue_depth"]["unit"] == "" and rows["queue_depth"]["owner"] == ""
    world = tmp_path / "shop.yaml"
    world.write_text(GOOD + "series:\n  queue_depth: {unit: items, owner: shop-sre}\n", encoding="utf-8")
    capsys.readouterr()
    assert _run(tmp_path, "catalogue", str(db), "--world", str(world), "--out", str(tmp_path / "b.csv")) == 0
    rows = {r["metric"]: r for r in csv.DictReader((tmp_path / "b.csv").open(encoding="utf-8"))}
    assert (rows["queue_depth"]["unit"], rows["queue_depth"]["owner"]) == ("items", "shop-sre")
