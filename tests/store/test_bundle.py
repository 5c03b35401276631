"""Incident bundles: export, reading a bundle like a history, validation of damaged files, the CLI."""

from __future__ import annotations

import io
import json
import random
import shlex
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest

from tests.app.recording import record_incident
from tests.store.helpers import batch, key
from warroom.cli import main
from warroom.core.alerting.alert_log import AlertLog
from warroom.core.incident.incidents import IncidentBook
from warroom.core.model import Event, EventKind, Severity
from warroom.core.plan.plan_runs import PlanBook
from warroom.core.plan.plans import Plan
from warroom.store import HistoryReader, StoreWriter
from warroom.store import bundle as bundle_mod
from warroom.store.bundle import check as bundle_check
from warroom.store.bundle import FAR_FUTURE_MS, BundleError, export_bundle
from warroom.store.bundle.check import append_review_notes, is_bundle, open_bundle, read_manifest, validate_bundle
from warroom.store.bundle.text import TextProgress


@pytest.fixture(scope="module")
def rec(tmp_path_factory):
    """The 15-minute recorded bank outage (incident, acknowledgement, failover, note)."""
    return record_incident(tmp_path_factory.mktemp("rec") / "history.duckdb")


@pytest.fixture(scope="module")
def bundles(rec, tmp_path_factory):
    """Two exports of the incident: with the default margins, and tight (detection..verification)."""
    d = tmp_path_factory.mktemp("bundles")
    return {"full": export_bundle(rec.path, d / "full.duckdb", rec.incident_id),
            "tight": export_bundle(rec.path, d / "tight.duckdb", rec.incident_id, before_ms=0, after_ms=0)}


def alone(info, tmp_path: Path) -> Path:
    """The bundle copied into an empty folder: it must need nothing else."""
    d = tmp_path / "alone"
    d.mkdir()
    return Path(shutil.copy(info.path, d / "bundle.duckdb"))


@pytest.mark.parametrize("which", ["full", "tight"])
def test_a_bundle_alone_reads_like_the_source_over_its_window(rec, bundles, which, tmp_path):
    info = bundles[which]
    assert validate_bundle(info.path).counts == info.counts
    path = alone(info, tmp_path)
    start, end = info.start_ms, info.end_ms
    with HistoryReader(rec.path) as src, HistoryReader(path) as b:
        assert b.events(start, end) == src.events(start, end)
        keys = src.series()
        want, got = src.range(keys, start, end, 10**7), b.range(keys, start, end, 10**7)
        assert b.series() == [k for k in keys if len(want[k])]
        for k in keys:
            assert np.array_equal(got[k].ts, want[k].ts) and np.array_equal(got[k].value, want[k].value), k
        assert b.time_range() == (info.points_min_ms, info.points_max_ms)
        for t in range(start, end, 30_000):
            assert b.topology_at(t) == src.topology_at(t) is not None
            assert b.plans_at(t) == src.plans_at(t) is not None
        everything = b.events(0, FAR_FUTURE_MS)
        source_log = src.events(0, FAR_FUTURE_MS)
    inc, want_inc = (IncidentBook.replay(log).incident(rec.incident_id) for log in (everything, source_log))
    assert inc == want_inc  # state and the whole timeline: alerts, plan steps, the note
    assert {e.kind for e in inc.timeline} >= {EventKind.ALERT, EventKind.PLAN_EXECUTION, EventKind.NOTE}
    assert PlanBook.replay(everything).runs() == PlanBook.replay(source_log).runs() != []
    for t in range(start, end, 15_000):
        assert AlertLog.replay(everything, t).alerts() == AlertLog.replay(source_log, t).alerts()


def test_the_manifest_says_what_and_where_from(rec, bundles):
    m = read_manifest(bundles["tight"].path)
    assert (m["format"], m["format_version"]) == ("warroom-bundle", 1)
    assert m["incident"]["id"] == rec.incident_id and m["incident"]["title"]
    assert m["source"] == "history.duckdb" and m["source_kind"] == "history"
    assert m["warroom_version"] and m["duckdb_version"] == duckdb.__version__ and m["created_by"]
    assert m["created_at"].endswith("+00:00")
    assert set(m["counts"]) == {"series", "points", "events", "topology_snapshots", "plan_catalogues"}
    inc = IncidentBook.replay(rec.log).incident(rec.incident_id)
    last = max(rec.end_ms, *(e.ts for e in rec.log))  # an incident still open runs to the end of the history
    assert m["window"] == {"start_ms": inc.detected_ms, "end_ms": (inc.verified_ms or last) + 1}
    assert is_bundle(bundles["tight"].path) and not is_bundle(rec.path)


def test_state_from_before_the_window_comes_along(rec, bundles):
    """Detection is 20 s after the alerts went pending: a tight bundle carries their events."""
    info = bundles["tight"]
    with HistoryReader(info.path) as b:
        log = b.events(0, FAR_FUTURE_MS)
        topology, plans = b.snapshots("topology_snapshots"), b.snapshots("plan_catalogues")
    early = [e for e in log if e.ts < info.start_ms]
    # The alerts, and the log excerpts of their services (context on the incident's timeline).
    kinds = {e.kind for e in early}
    assert early and EventKind.ALERT in kinds and kinds <= {EventKind.ALERT, EventKind.LOG}
    assert info.carried_events >= len(early)
    at_start = AlertLog.replay(log, info.start_ms).alerts()
    assert at_start and at_start == AlertLog.replay(rec.log, info.start_ms).alerts()
    # The topology and the plan catalogue in force at the start were stored before it.
    assert topology[0][0] < info.start_ms and plans[0][0] < info.start_ms


T0 = 1_731_292_200_000


def _alert(fp: str, subject: str, state: str, ts: int, since: int, severity=Severity.P1) -> Event:
    return Event(f"alert:{fp}:{state}:{ts}", ts, EventKind.ALERT, subject, f"{subject} errors", severity,
                 {"fingerprint": fp, "rule": "errors", "series": f'service_error_ratio{{service="{subject}"}}',
                  "state": state, "since_ms": since, "root_cause": ""})


def _silence(sid: str, ts: int, ends: int) -> Event:
    return Event(f"silence:{sid}", ts, EventKind.SILENCE, sid, f"Silenced {sid}", Severity.INFO,
                 {"silence": sid, "action": "created", "matchers": {"subject": "coupon"}, "starts_ms": ts,
                  "ends_ms": ends, "actor": "li.wei"})


def synthetic_history(path: Path, *, v1: bool = False) -> dict:
    """Incident A opens at +1 s and stays open; a failover is in force from +2 s; silence s1 runs
    for two hours, s0 ended at +60 s; alert c came and went; incident B opens at +10 min."""
    book, log = IncidentBook(), []

    def feed(*events):
        for ev in events:
            log.append(ev)
            log.extend(book.on_event(ev))

    feed(_alert("a", "bank-abc", "pending", T0, T0), _silence("s0", T0, T0 + 60_000),
         _alert("c", "member", "pending", T0 + 500, T0 + 500, Severity.P3), _alert("a", "bank-abc", "firing", T0 + 1000, T0))
    plans = PlanBook()
    plan = Plan("failover-bank-abc", "failover", "Fail over ABC", "service", "bank-abc", {})
    run, steps = plans.confirm(plan, "li.wei", "ABC down", T0 + 2000)
    feed(*steps, *plans.sent(run.id, T0 + 2100), *plans.on_result(run.id, "succeeded", "in force", T0 + 2200))
    feed(_silence("s1", T0 + 3000, T0 + 7_200_000), _alert("c", "member", "resolved", T0 + 5000, T0 + 500, Severity.P3))
    feed(_alert("b", "risk-control", "pending", T0 + 590_000, T0 + 590_000),
         _alert("b", "risk-control", "firing", T0 + 600_000, T0 + 590_000))
    k = key("service_tps", service="trade")
    with StoreWriter(path) as w:
        w.append_metrics(batch(k, np.arange(T0, T0 + 900_000, 10_000)))
        w.append_events(log)
    if v1:
        con = duckdb.connect(str(path))
        con.execute("DROP TABLE plan_catalogues")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        con.close()
    ids = [i.id for i in IncidentBook.replay(log).incidents()]
    return {"log": log, "a": ids[0], "b": ids[1], "run": run.id}


@pytest.mark.parametrize("v1", [False, True], ids=["v2", "v1-without-plan-catalogues"])
def test_live_incidents_plan_runs_and_silences_before_the_window_come_along(tmp_path, v1):
    h = synthetic_history(tmp_path / "h.duckdb", v1=v1)
    info = export_bundle(tmp_path / "h.duckdb", tmp_path / "b.duckdb", h["b"], before_ms=60_000, after_ms=60_000)
    assert info.start_ms == T0 + 540_000 and validate_bundle(info.path).incident_id == h["b"]
    with HistoryReader(info.path) as b:
        log = b.events(0, FAR_FUTURE_MS)
        assert b.plans_at(FAR_FUTURE_MS) is None
    ids = {e.id for e in log}
    assert {e.id for e in h["log"] if e.attrs.get("fingerprint") == "a"} <= ids
    assert {e.id for e in h["log"] if e.attrs.get("incident") == h["a"]} <= ids
    assert {e.id for e in h["log"] if e.attrs.get("run") == h["run"]} <= ids
    assert "silence:s1" in ids and "silence:s0" not in ids
    assert not any(e.attrs.get("fingerprint") == "c" for e in log)  # resolved before: not state
    whole = IncidentBook.replay(h["log"])
    assert IncidentBook.replay(log).incident(h["a"]) == whole.incident(h["a"])
    assert [r.state for r in PlanBook.replay(log).runs()] == ["executed"]
    assert [s.id for s in AlertLog.replay(log).silences(info.start_ms)] == ["s1"]


def test_a_bundle_can_be_exported_again(rec, bundles, tmp_path):
    again = export_bundle(bundles["full"].path, tmp_path / "again.duckdb", rec.incident_id, before_ms=0,
                          after_ms=60_000)
    m = validate_bundle(again.path).manifest
    assert m["source"] == "full.duckdb" and m["source_kind"] == "bundle"
    assert again.start_ms == bundles["tight"].start_ms and again.counts["points"] >= bundles["tight"].counts["points"]


def test_an_unknown_incident_lists_the_ones_there_are(rec, tmp_path):
    with pytest.raises(BundleError, match=f"no incident 'INC-nope'; it holds: {rec.incident_id} "):
        export_bundle(rec.path, tmp_path / "b.duckdb", "INC-nope")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_not_overwritten_unless_asked(rec, tmp_path):
    out = tmp_path / "b.duckdb"
    out.write_bytes(b"keep me")
    with pytest.raises(BundleError, match="already exists"):
        export_bundle(rec.path, out, rec.incident_id, before_ms=0, after_ms=0)
    assert out.read_bytes() == b"keep me"
    export_bundle(rec.path, out, rec.incident_id, before_ms=0, after_ms=0, overwrite=True)
    assert is_bundle(out)


# Exception classes, not instances: a raised instance keeps its traceback (and the connection
# in it) alive for as long as pytest keeps the parameter, i.e. to the end of the session.
@pytest.mark.parametrize("error", [RuntimeError, duckdb.IOException])
def test_a_failure_mid_copy_leaves_no_file_and_no_temporary(rec, tmp_path, monkeypatch, error):
    calls = []
    real = bundle_mod._copy_points

    def failing(con, start, end):
        calls.append(start)
        if len(calls) == 3:
            raise error("No space left on device")
        real(con, start, end)

    monkeypatch.setattr(bundle_mod, "_copy_points", failing)
    with pytest.raises((RuntimeError, BundleError)) as caught:
        export_bundle(rec.path, tmp_path / "b.duckdb", rec.incident_id, before_ms=0, after_ms=0)
    assert isinstance(caught.value, BundleError) == issubclass(error, duckdb.Error)
    assert len(calls) == 3 and list(tmp_path.iterdir()) == []


def test_a_history_locked_by_a_running_recorder_is_a_clear_error(rec, tmp_path):
    locked = Path(shutil.copy(rec.path, tmp_path / "live.duckdb"))
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
                               " print('ready', flush=True); sys.stdin.read()", str(locked)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(BundleError, match="in use by a running console or recorder.*stop it, or copy"):
            export_bundle(locked, tmp_path / "b.duckdb", rec.incident_id)
    finally:
        holder.stdin.close()
        holder.wait(10)
    assert not (tmp_path / "b.duckdb").exists()


def _rows(path: Path) -> dict[str, list]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall()
                for t, cols in bundle_mod.COLUMNS.items()}


def test_a_history_held_open_by_a_writer_exports_through_its_connection(rec, tmp_path):
    """The replay console holds its file through a StoreWriter (DuckDB lets a process open a
    file once): the export reads through a cursor of it, while the writer keeps writing."""
    path = Path(shutil.copy(rec.path, tmp_path / "live.duckdb"))
    (tmp_path / "closed").mkdir()
    closed = export_bundle(shutil.copy(rec.path, tmp_path / "closed" / "live.duckdb"), tmp_path / "closed.duckdb",
                           rec.incident_id, before_ms=0, after_ms=0)
    stop = threading.Event()
    with StoreWriter(path, flush_interval_s=0.01) as writer:
        def keep_writing(t=1_000_000):  # long before the window: it changes none of the bundle's rows
            while not stop.is_set():
                writer.append_metrics(batch(key("probe", service="writer"), np.arange(t, t + 100)))
                t += 100
                time.sleep(0.005)

        thread = threading.Thread(target=keep_writing)
        thread.start()
        cursor = writer.reader().cursor()
        try:
            info = export_bundle(path, tmp_path / "open.duckdb", rec.incident_id, before_ms=0, after_ms=0,
                                 connection=cursor)
            assert cursor.execute("SELECT count(*) FROM events").fetchone()[0] > 0  # not closed by the export
            with pytest.raises(BundleError, match="is the source itself"):
                export_bundle(path, path, rec.incident_id, overwrite=True, connection=cursor)
        finally:
            stop.set()
            thread.join()
            cursor.close()
        assert writer.flush(10) and writer.health.last_error is None and writer.health.flushed_points > 0
    assert validate_bundle(info.path).counts == closed.counts
    assert _rows(info.path) == _rows(closed.path)
    assert {**info.manifest, "created_at": ""} == {**closed.manifest, "created_at": ""}
    assert info.manifest["source"] == "live.duckdb"


# -- validation ------------------------------------------------------------------------------

def _damage(src: Path, dst: Path, how: str) -> Path:
    data = bytearray(src.read_bytes())
    if how == "flips":  # one byte in the middle of every 256 KiB block: some block in use is hit
        for off in range(12288 + 131072, len(data), 262144):
            data[off] ^= 0xFF
    elif how.startswith("truncated-"):
        data = data[:int(how.split("-")[1]) if how[-1] != "%" else len(data) * int(how[10:-1]) // 100]
    elif how == "garbage":
        data = bytearray(random.Random(1).randbytes(300_000))
    elif how == "text":
        data = bytearray("incident notes\nICBC timeouts from 10:32\n".encode() * 100)
    elif how == "empty":
        data = bytearray()
    dst.write_bytes(bytes(data))
    return dst


@pytest.mark.parametrize("how, message", [
    ("flips", "corrupted"),
    ("truncated-100", "truncated .*header"),
    ("truncated-12000", "truncated .*header"),
    ("truncated-20000", "truncated"),
    ("truncated-50%", "truncated"),
    ("truncated-99%", "truncated"),
    ("garbage", "not a DuckDB file"),
    ("text", r"not a DuckDB file \(it looks like text\)"),
    ("empty", r"empty file \(0 bytes\)"),
])
def test_a_damaged_bundle_is_a_clear_error_not_a_crash(bundles, tmp_path, how, message):
    path = _damage(bundles["tight"].path, tmp_path / f"{how}.duckdb", how)
    with pytest.raises(BundleError, match=message) as caught:
        validate_bundle(path)
    text = str(caught.value)
    assert text.startswith(str(path)) and "\n" not in text


def test_files_that_are_not_bundles(rec, bundles, tmp_path):
    with pytest.raises(BundleError, match="no such file"):
        validate_bundle(tmp_path / "missing.duckdb")
    with pytest.raises(BundleError, match="not an incident bundle .a Warroom history"):
        validate_bundle(rec.path)
    for how in ("garbage", "text", "empty"):
        assert not is_bundle(_damage(bundles["tight"].path, tmp_path / how, how))


def _edit_manifest(src: Path, dst: Path, change) -> Path:
    shutil.copy(src, dst)
    con = duckdb.connect(str(dst))
    m = json.loads(con.execute("SELECT value FROM meta WHERE key = 'bundle'").fetchone()[0])
    change(m)
    con.execute("UPDATE meta SET value = ? WHERE key = 'bundle'", [json.dumps(m)])
    con.close()
    return dst


def test_a_newer_format_or_tampered_counts_are_refused(bundles, tmp_path):
    newer = _edit_manifest(bundles["tight"].path, tmp_path / "v99.duckdb", lambda m: m.update(format_version=99))
    assert is_bundle(newer)
    with pytest.raises(BundleError, match="format_version 99 is not supported"):
        validate_bundle(newer)
    tampered = _edit_manifest(bundles["tight"].path, tmp_path / "t.duckdb",
                              lambda m: m["counts"].update(points=m["counts"]["points"] + 1))
    with pytest.raises(BundleError, match=r"rows disagree with the manifest: points \d+ \(manifest: \d+\)"):
        validate_bundle(tampered)
    newer_schema = Path(shutil.copy(bundles["tight"].path, tmp_path / "s9.duckdb"))
    con = duckdb.connect(str(newer_schema))
    con.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(BundleError, match="store schema v9"):
        validate_bundle(newer_schema, isolated=False)


def test_review_notes_do_not_break_validation(rec, bundles, tmp_path):
    path = Path(shutil.copy(bundles["tight"].path, tmp_path / "b.duckdb"))
    con = open_bundle(path, writable=True)
    with HistoryReader(con) as reader:
        book = IncidentBook.replay(reader.events(0, FAR_FUTURE_MS))
        note = book.add_note(rec.incident_id, "zhang.min", "root cause: ICBC certificate expired",
                             bundles["tight"].end_ms - 1)
        assert append_review_notes(con, note) == 1 and append_review_notes(con, note) == 0
        stored = reader.events(0, FAR_FUTURE_MS, kinds=["note"])
    con.close()
    assert stored[-1].attrs["review"] is True and stored[-1].attrs["incident"] == rec.incident_id
    info = validate_bundle(path)
    assert info.review_notes == 1 and info.counts == bundles["tight"].counts
    with pytest.raises(ValueError, match="must be note events"):
        append_review_notes(path, [Event("x", 1, EventKind.DEPLOY, "trade", "deploy")])
    with pytest.raises(BundleError, match="not an incident bundle"):
        append_review_notes(rec.path, note)


def test_a_crash_or_a_hang_of_the_reader_is_a_bundle_error(bundles, monkeypatch):
    monkeypatch.setattr(bundle_check, "_READER", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    with pytest.raises(BundleError, match=r"DuckDB crashed \(signal 11\) while reading it"):
        validate_bundle(bundles["tight"].path)
    monkeypatch.setattr(bundle_check, "_READER", "import time; time.sleep(30)")
    with pytest.raises(BundleError, match="stopped after the time limit"):
        validate_bundle(bundles["tight"].path, timeout=0.5)


def test_validation_reports_progress(bundles):
    seen = []
    validate_bundle(bundles["tight"].path, lambda stage, fraction: seen.append((stage, fraction)))
    assert seen[0] == ("series", 0.0) and seen[-1] == ("done", 1.0) and ("points", 0.2) in seen


def test_a_frozen_build_is_its_own_child(monkeypatch):
    assert bundle_check.child_command() == [sys.executable, "-c", bundle_check._READER]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/warroom/warroom")
    assert bundle_check.child_command() == ["/opt/warroom/warroom", "--bundle-check-child"]


def test_the_frozen_child_validates_through_the_cli_hook(bundles, tmp_path, monkeypatch):
    """``sys.executable`` stands for the frozen ``warroom`` binary: ``python -m warroom.cli``."""
    calls = tmp_path / "calls"
    exe = tmp_path / "warroom"
    exe.write_text(f'#!/bin/sh\necho "$1" >> {shlex.quote(str(calls))}\n'
                   f'exec {shlex.quote(sys.executable)} -m warroom.cli "$@"\n')
    exe.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    seen = []
    info = validate_bundle(bundles["tight"].path, lambda stage, fraction: seen.append(stage))
    assert info.counts == bundles["tight"].counts and seen[-1] == "done"
    with pytest.raises(BundleError, match="corrupted"):
        validate_bundle(_damage(bundles["tight"].path, tmp_path / "flips.duckdb", "flips"))
    assert calls.read_text().split() == ["--bundle-check-child"] * 2  # the children ran, not a fallback


def test_the_cli_hook_prints_what_the_reader_found(bundles, capsys):
    path = str(bundles["tight"].path)
    assert main(["--bundle-check-child", path, json.dumps(bundle_mod.COLUMNS), bundle_mod.REVIEW_FILTER]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1][0] == "result" and lines[-1][1]["counts"] == bundles["tight"].counts
    assert main(["--bundle-check-child", path]) == 2 and "usage" in capsys.readouterr().err


def test_a_child_that_cannot_start_falls_back_to_checking_here(bundles, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    assert validate_bundle(bundles["tight"].path).counts == bundles["tight"].counts
    assert "cannot start the bundle check's child process" in caplog.text
    with pytest.raises(BundleError, match="corrupted"):
        validate_bundle(_damage(bundles["tight"].path, tmp_path / "flips.duckdb", "flips"))


# -- the command line ------------------------------------------------------------------------

def test_cli_lists_the_incidents_without_incident(rec, capsys):
    assert main(["export", "--db", str(rec.path)]) == 2
    out, err = capsys.readouterr()
    assert rec.incident_id in out and "UTC+8" in out and "root cause bank-icbc" in out
    assert "which incident?" in err


def test_cli_exports_with_progress_and_a_summary(rec, tmp_path, capsys):
    out = tmp_path / "b.duckdb"
    args = ["export", "--db", str(rec.path), "--incident", rec.incident_id, "--before", "1m", "--after", "30s",
            "--out", str(out)]
    assert main(args) == 0
    stdout, err = capsys.readouterr()
    assert stdout.startswith(f"{out} (") and "points of" in stdout and " s: incident " in stdout
    assert "export: points" in err and "export: done (100%)" in err  # not a terminal: a line per stage
    assert validate_bundle(out, isolated=False).start_ms == IncidentBook.replay(rec.log).incident(
        rec.incident_id).detected_ms - 60_000
    assert main(args) == 2 and "already exists" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert main([*args[:-2], "--out", str(tmp_path / "c.duckdb"), "--before", "soon"]) == 2
    assert "--before/--after: bad time 'soon'" in capsys.readouterr().err
    assert main(["export", "--db", str(rec.path), "--incident", "INC-0", "--out", str(tmp_path / "d")]) == 2
    assert "no incident 'INC-0'" in capsys.readouterr().err


def test_the_progress_bar_redraws_in_place_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = TextProgress(screen)
    bar("points", 0.5)
    bar("points", 1.0)
    bar.close()
    text = screen.getvalue()
    assert text.count("\r") == 2 and text.count("\n") == 1 and f"[{'#' * 15}{'.' * 15}]  50% points" in text


def test_cli_finds_the_history_in_the_recordings_folder(rec, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("WARROOM_CONFIG", raising=False)
    folder = tmp_path / "data" / "warroom" / "recordings"
    folder.mkdir(parents=True)
    synthetic_history(folder / "other.duckdb")  # newer, but without the incident
    shutil.copy(rec.path, folder / "demo.duckdb")
    (folder / "other.duckdb").touch()
    out = tmp_path / "b.duckdb"
    assert main(["export", "--incident", rec.incident_id, "--out", str(out), "--before", "0", "--after", "0"]) == 0
    assert f"using {folder / 'demo.duckdb'}" in capsys.readouterr().err
    assert is_bundle(out)


def test_an_alertmanager_alert_still_firing_at_the_start_is_carried_though_alertmanager_said_resolved():
    """The feed's resolve (at endsAt) comes before the console's: the alert is still firing between."""
    from tests.core.alerting.external_history import FINGERPRINT, history

    h = history(severity=Severity.P2)  # a P2 opens no incident (whose timeline would carry it anyway)
    assert not IncidentBook.replay(h.events).incidents()
    fired, resolved = (next(e for e in h.engine if e.attrs["state"] == s) for s in ("firing", "resolved"))
    start = resolved.ts - 1
    assert [a.fingerprint for a in AlertLog.replay([e for e in h.events if e.ts < start]).alerts()] == [FINGERPRINT]
    carried = bundle_mod.events_carrying_state(h.events, start)
    assert fired in carried and not any(e in carried for e in h.raw)
    assert [a.fingerprint for a in AlertLog.replay(carried).alerts()] == [FINGERPRINT]
