"""End-to-end acceptance: ``warroom sim``, ``record``, ``inject`` and ``demo`` as real processes.

The history file is read only after the recorder process has exited: DuckDB lets no
other process open a file while a writer holds it.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest

from warroom.core.model import EventKind, SeriesKey, Severity
from warroom.store import HistoryReader

from .e2e_support import START_TIMEOUT_S, Processes, count_points, free_port

pytestmark = pytest.mark.slow

#: Every simulated second carries this many series (25 services x 6 with ``service_up``,
#: 3 entries, 26 edges x 3, 8 scenarios x 4, 3 funnels x 3 steps); the recorder's "N points
#: committed" / SERIES is simulated seconds.
SERIES = 278
#: A weekday morning, UTC+8: traffic well above the night trough.
BUSY_START = "2026-11-20T10:30:00+08:00"
FAR = 10**13  # an event-range bound beyond any timestamp here


@pytest.fixture
def procs(tmp_path: Path):
    p = Processes(tmp_path)
    try:
        yield p
    finally:
        p.cleanup()


def _raw(reader: HistoryReader, key: SeriesKey) -> tuple[np.ndarray, np.ndarray]:
    data = reader.range([key], 0, FAR, max_points=10**7)[key]
    assert data.raw, key.text
    return data.ts, data.value


def _no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text, text


# -- 1. a fault shows on the right service and scenario ------------------------------------
def test_injected_fault_is_stored_on_the_right_service_and_scenario(procs: Processes, tmp_path: Path) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}"
    db = tmp_path / "h.duckdb"
    sim = procs.sim(port, "--speed", "20", "--seed", "7", "--start", BUSY_START)
    rec = procs.record(url, db)
    rec.wait_for_line("feed live", START_TIMEOUT_S)
    # 65 simulated seconds of healthy data (about 3.3 s of wall time at x20).
    rec.wait_committed(65 * SERIES, 30)

    inject = procs.run("inject", "--url", url, "bank_latency_spike:bank-icbc", timeout=30)
    assert inject.returncode == 0, inject.stdout + inject.stderr
    assert inject.stdout.startswith("succeeded: fault "), inject.stdout
    assert "bank_latency_spike on bank-icbc" in inject.stdout
    _no_traceback(inject.stderr)

    i_fault, _ = rec.wait_for_line("Fault injected: bank_latency_spike on bank-icbc", 15)
    # Summary lines come once a wall second and "committed" lags the data by a flush, so
    # only the second summary after the fault line surely counts every pre-fault point.
    i_summary, _ = rec.wait_for_line("points committed", 10, after=i_fault + 1)
    rec.wait_for_line("points committed", 10, after=i_summary + 1)
    rec.wait_committed(rec.committed() + 65 * SERIES, 30)
    assert rec.stop(signal.SIGTERM) == 0, rec.describe()
    assert rec.find("stopped: "), rec.describe()  # the store was closed on the way out
    _no_traceback(rec.stderr)
    assert sim.stop(signal.SIGTERM) == 0, sim.describe()

    with HistoryReader(db) as reader:
        faults = reader.events(0, FAR, kinds=[EventKind.FAULT])
        assert [(e.subject, e.title) for e in faults] == [
            ("bank-icbc", "Fault injected: bank_latency_spike on bank-icbc")
        ]
        fault = faults[0]
        assert fault.severity is Severity.P1
        assert fault.attrs["fault_kind"] == "bank_latency_spike" and fault.attrs["target"] == "bank-icbc"
        t_fault = fault.ts

        def split(key: SeriesKey) -> tuple[np.ndarray, np.ndarray]:
            ts, v = _raw(reader, key)
            assert np.all(np.diff(ts) == 1000), f"{key.text}: not one point per simulated second"
            return v[ts < t_fault], v[ts >= t_fault]

        def svc(name: str, service: str, **extra: str) -> SeriesKey:
            return SeriesKey(name, {"service": service, **extra})

        # At least 60 s of data on each side of the fault.
        before, after = split(svc("service_latency_seconds", "bank-icbc", quantile="0.99"))
        assert len(before) >= 60 and len(after) >= 60, (len(before), len(after))

        # The faulty bank: p99 ~0.87 s -> ~13 s (factor 15). Ask for x5 and no overlap at all.
        assert np.median(after) > 5 * np.median(before), (np.median(before), np.median(after))
        assert after.min() > 2 * before.max(), (before.max(), after.min())
        assert after.min() > 2.0  # past the payment engine's 2 s call timeout

        # Another bank on the same caller is untouched: the fault is on the right service.
        ccb_before, ccb_after = split(svc("service_latency_seconds", "bank-ccb", quantile="0.99"))
        assert abs(np.median(ccb_after) / np.median(ccb_before) - 1) < 0.3

        # Its caller: the icbc edge times out (~0.001 -> ~0.99), payment-engine errors ~0.002 -> ~0.35
        # (ICBC's 35 % routing share), its p99 ~1.2 s -> ~2.2 s.
        edge_before, edge_after = split(SeriesKey("edge_error_ratio", {"caller": "payment-engine", "callee": "bank-icbc"}))
        assert np.median(edge_before) < 0.01 and np.median(edge_after) > 0.9
        err_before, err_after = split(svc("service_error_ratio", "payment-engine"))
        assert np.median(err_before) < 0.01, np.median(err_before)
        assert np.median(err_after) > 0.2, np.median(err_after)
        lat_before, lat_after = split(svc("service_latency_seconds", "payment-engine", quantile="0.99"))
        assert np.median(lat_after) > np.median(lat_before) + 0.5, (np.median(lat_before), np.median(lat_after))

        # Scenarios: QR pay goes through the banks (~0.994 -> ~0.65); bill query does not (~0.998 both).
        qr_before, qr_after = split(SeriesKey("scenario_success_ratio", {"scenario": "qr_pay"}))
        assert np.median(qr_before) > 0.98, np.median(qr_before)
        assert np.median(qr_after) < 0.8 and np.median(qr_before) - np.median(qr_after) > 0.15
        bill_before, bill_after = split(SeriesKey("scenario_success_ratio", {"scenario": "bill_query"}))
        assert np.median(bill_before) > 0.99 and bill_after.min() > 0.99, (np.median(bill_before), bill_after.min())
        assert abs(np.median(bill_after) - np.median(bill_before)) < 0.005


# -- 2. the feed server dies and comes back ------------------------------------------------
def test_server_killed_mid_stream_leaves_an_explained_gap(procs: Processes, tmp_path: Path) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}"
    db = tmp_path / "gap.duckdb"
    downtime_s = 3.0
    sim = procs.sim(port, "--speed", "1", name="sim-1")  # start=now: a restarted sim goes on at wall time
    rec = procs.record(url, db)
    rec.wait_for_line("feed live", START_TIMEOUT_S)
    rec.wait_committed(3 * SERIES, 15)

    n_lines = len(rec.lines())
    killed_at = time.time()
    assert sim.kill9() == -signal.SIGKILL
    _, disconnected = rec.wait_for_line("feed disconnected", 10, after=n_lines)
    time.sleep(max(0.0, killed_at + downtime_s - time.time()))

    restarted_at = time.time()
    procs.sim(port, "--speed", "1", name="sim-2")
    _, back = rec.wait_for_line("feed live", 20, after=n_lines)  # backoff may add up to ~4 s
    rec.wait_committed(rec.committed() + 3 * SERIES, 15)
    assert rec.stop(signal.SIGINT) == 0, rec.describe()
    _no_traceback(rec.stderr)
    assert disconnected.at <= back.at

    with HistoryReader(db) as reader:
        ts, _ = _raw(reader, SeriesKey("scenario_tps", {"scenario": "qr_pay"}))
        steps = np.diff(ts)
        gaps = np.flatnonzero(steps > 1500)
        assert len(gaps) == 1, f"expected one gap, got steps {steps[steps != 1000].tolist()}"
        assert np.all(np.delete(steps, gaps) == 1000), "a point invented or duplicated outside the gap"
        last_before, first_after = int(ts[gaps[0]]), int(ts[gaps[0] + 1])
        # The feed's time is wall time (x1, started "now", minus up to ~1 s of start-up rounding).
        assert killed_at * 1000 - 3000 <= last_before <= killed_at * 1000 + 500
        # The first point after the reconnection is the next tick: up to ~1 s after "live".
        assert restarted_at * 1000 - 1500 <= first_after <= back.at * 1000 + 2500
        gap_ms = first_after - last_before
        assert downtime_s * 1000 <= gap_ms <= (back.at - killed_at) * 1000 + 3000, gap_ms

        notices = reader.events(0, FAR, kinds=[EventKind.FEED], subject=url)
        feed = [e for e in notices if e.attrs.get("what") == "state"]
        states = [e.attrs["state"] for e in feed]
        # The new process cannot resend what the old one sent: the log names the gap it leaves.
        gaps_logged = [e for e in notices if e.attrs.get("what") == "gap"]
        assert len(gaps_logged) == 1, [e.title for e in notices]
        assert gaps_logged[0].attrs["gap_from"] <= last_before + 1000 and gaps_logged[0].attrs["gap_to"] >= last_before
        # ... and the end of the recording is explained too ("stopped").
        assert states == ["live", "disconnected", "live", "disconnected"], [e.title for e in feed]
        assert feed[-1].attrs["reason"] == "stopped"
        first_live, down, up = feed[:3]
        assert first_live.ts <= int(ts[0]) + 1000
        assert down.severity is Severity.P2 and up.severity is Severity.INFO
        assert last_before - 1000 <= down.ts <= first_after, (last_before, down.ts, first_after)
        # "live" carries the new server's time at hello. The new process may have produced a
        # tick or two before we connected: it resends them from its replay buffer (after
        # `since`), so our first point may come before the hello, never before the restart.
        assert last_before <= up.ts <= back.at * 1000 + 1000, (last_before, up.ts, back.at)
        assert first_after <= up.ts + 1000, (first_after, up.ts)
        assert up.attrs["server_id"] == first_live.attrs["server_id"] == "sim-7"  # stable: same feed, new process

    # Nothing invented in any series: every stored second carries every series exactly once.
    con = duckdb.connect(str(db), read_only=True)
    try:
        per_ts = con.execute(
            "SELECT epoch_ms(ts), count(*), count(DISTINCT series_id) FROM points GROUP BY ts ORDER BY ts"
        ).fetchall()
    finally:
        con.close()
    assert [t for t, _, _ in per_ts] == ts.tolist()
    assert {(n, d) for _, n, d in per_ts} == {(SERIES, SERIES)}


# -- 3. the recording process is killed ----------------------------------------------------
def test_recorder_killed_keeps_what_it_committed_and_can_resume(procs: Processes, tmp_path: Path) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}"
    db = tmp_path / "crash.duckdb"
    sim = procs.sim(port, "--speed", "20", "--start", BUSY_START)
    rec = procs.record(url, db, name="record-1")
    rec.wait_for_line("feed live", START_TIMEOUT_S)
    i = -1
    for _ in range(4):  # a few "N points committed" summaries, one a wall second
        i, _line = rec.wait_for_line("points committed", 20, after=i + 1)
    assert rec.kill9() == -signal.SIGKILL
    printed = rec.committed()  # every line was printed before the kill
    assert printed > 0

    with HistoryReader(db) as reader:  # opens cleanly, replaying the WAL
        assert reader.time_range() is not None
        assert len(reader.series()) == SERIES
    stored = count_points(db)
    assert stored >= printed, (stored, printed)
    assert stored % SERIES == 0  # whole simulated seconds only

    rec2 = procs.record(url, db, name="record-2")
    rec2.wait_for_line("feed live", START_TIMEOUT_S)
    added = rec2.wait_committed(3 * SERIES, 20)
    assert rec2.stop(signal.SIGTERM) == 0, rec2.describe()
    _no_traceback(rec2.stderr)
    sim.stop()

    after = count_points(db)
    assert after >= stored + added, (stored, added, after)
    with HistoryReader(db) as reader:
        assert len(reader.series()) == SERIES  # the same series reused, not duplicated
        feed = reader.events(0, FAR, kinds=[EventKind.FEED])
        assert len([e for e in feed if e.attrs.get("state") == "live"]) == 2  # one "live" per recorder
        assert not [e for e in feed if e.attrs.get("what") == "gap"], [e.title for e in feed]
        # The second recorder asked the feed to resend from the file's newest point: no gap,
        # nothing twice, across the crash and the restart.
        ts, _ = _raw(reader, SeriesKey("scenario_tps", {"scenario": "qr_pay"}))
        assert np.all(np.diff(ts) == 1000), np.diff(ts)[np.diff(ts) != 1000].tolist()


# -- 4. bad input and nothing to connect to ------------------------------------------------
def test_inject_refuses_bad_specs_and_targets_clearly(procs: Processes) -> None:
    port = free_port()
    url = f"ws://127.0.0.1:{port}"
    procs.sim(port, "--speed", "20")
    cases = {
        "nonsense": "bad fault spec",
        "meteor_strike:bank-icbc": "unknown fault kind 'meteor_strike'",
        "bank_latency_spike:bank-nowhere": "cannot target 'bank-nowhere'",
        "bank_latency_spike:bank-icbc+soon": "bad time 'soon'",
    }
    for spec, message in cases.items():
        r = procs.run("inject", "--url", url, spec, timeout=30)
        assert r.returncode != 0, (spec, r.stdout)
        assert message in r.stdout + r.stderr, (spec, r.stdout, r.stderr)
        assert (r.stdout + r.stderr).count("\n") <= 2, (spec, r.stdout, r.stderr)  # one line, not a dump
        _no_traceback(r.stdout, r.stderr)

    closed = procs.run("inject", "--url", f"ws://127.0.0.1:{free_port()}", "bank_latency_spike:bank-icbc", timeout=30)
    assert closed.returncode == 2
    assert "cannot reach" in closed.stderr, closed.stderr
    _no_traceback(closed.stdout, closed.stderr)


def test_record_without_a_server_keeps_retrying_and_says_why(procs: Processes, tmp_path: Path) -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    rec = procs.record(url, tmp_path / "none.duckdb")
    rec.wait_for_line("recording ", START_TIMEOUT_S)
    time.sleep(2.5)  # a few connection attempts (backoff 0.25-0.5 s, then 0.5-1 s, 1-2 s)
    assert rec.popen.poll() is None, f"record gave up\n{rec.describe()}"
    assert rec.stop(signal.SIGTERM) == 0, rec.describe()
    _no_traceback(rec.stdout, rec.stderr)
    assert rec.find("stopped: 0 points"), rec.describe()
    out = (rec.stdout + rec.stderr).lower()
    # Regression: the recorder once said nothing about statuses before its first
    # connection, so an operator saw "connecting +0 points" and never why.
    assert "cannot connect" in out and "retrying" in out, (
        "warroom record never said why it is not recording (expected 'cannot connect ...; retrying in ...'):\n"
        + rec.describe()
    )


# -- 5. the demo --------------------------------------------------------------------------
def test_demo_runs_the_drill_and_records_it(procs: Processes, tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    r = procs.run("demo", "--headless", "--duration", "8", "--db", str(db), timeout=60)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    _no_traceback(r.stderr)
    assert "demo: feed ws://127.0.0.1:" in r.stdout and "simulated payment platform" in r.stdout
    # DEMO_DRILL starts bank_latency_spike:bank-icbc at 3 simulated minutes: 3 s at x60.
    assert "event  fault           P1 bank-icbc: Fault injected: bank_latency_spike on bank-icbc" in r.stdout, r.stdout
    assert "stopped: " in r.stdout

    with HistoryReader(db) as reader:
        assert any(e.subject == "bank-icbc" for e in reader.events(0, FAR, kinds=[EventKind.FAULT]))
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_series = con.execute("SELECT count(DISTINCT series_id) FROM points").fetchone()[0]
    finally:
        con.close()
    assert n_series >= 200, n_series
