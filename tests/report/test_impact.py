"""Business impact (warroom.report.impact): transactions lost = expected − actual, on hand-built
histories whose answer is worked out here by hand, and on the recorded drill."""

from __future__ import annotations

import numpy as np
import pytest

from warroom.core.model import SeriesKey
from warroom.protocol.messages import MetricBatch
from warroom.report.impact import alert_seconds, coverage, integrate, scenario_impacts
from warroom.store import HistoryReader, StoreWriter

S = 1_731_292_320_000  # the incident starts here
TPS = SeriesKey("scenario_tps", {"scenario": "pay"})
OK = SeriesKey("scenario_success_ratio", {"scenario": "pay"})
AMOUNT = SeriesKey("scenario_avg_amount", {"scenario": "pay", "currency": "CNY"})


def _write(path, series: dict[SeriesKey, tuple[np.ndarray, np.ndarray]]):
    w = StoreWriter(path)
    keys = tuple(series)
    idx = np.concatenate([np.full(len(series[k][0]), i, dtype=np.int32) for i, k in enumerate(keys)])
    ts = np.concatenate([series[k][0] for k in keys]).astype(np.int64)
    vals = np.concatenate([series[k][1] for k in keys]).astype(np.float64)
    w.append_metrics(MetricBatch(keys, idx, ts, vals))
    w.close()
    return path


def _history(tmp_path, *, normal=100.0, during=40.0, incident_s=60, before_s=2400, gap=None, amount=None):
    """1 s points: ``normal`` TPS for ``before_s`` before the start, ``during`` for ``incident_s``,
    ``normal`` again for 5 minutes; ``gap`` = (from_s, to_s) after the start with no points."""
    seconds = np.arange(-before_s, incident_s + 300)
    if gap:
        seconds = seconds[(seconds < gap[0]) | (seconds >= gap[1])]
    ts = S + seconds * 1000
    inside = (seconds >= 0) & (seconds < incident_s)
    tps = np.where(inside, during, normal)
    ok = np.where(inside, 0.4, 0.999)
    series = {TPS: (ts, tps), OK: (ts, ok)}
    if amount is not None:
        series[AMOUNT] = (ts, np.full(len(ts), amount))
    return _write(tmp_path / "h.duckdb", series)


def test_lost_is_expected_minus_actual_over_the_window(tmp_path):
    path = _history(tmp_path)
    with HistoryReader(path) as reader:
        impact = scenario_impacts(reader, S, S + 60_000, affected={"pay": 50.0})
    (pay,) = impact.scenarios
    # 60 s at 100/s expected, 60 s at 40/s completed.
    assert pay.expected_tx == pytest.approx(60 * 100)
    assert pay.actual_tx == pytest.approx(60 * 40)
    assert pay.lost_tx == pytest.approx((100 - 40) * 60)
    assert pay.lost_ratio == pytest.approx(0.6)
    assert pay.covered_s == pytest.approx(60)
    assert pay.worst_success == pytest.approx(0.4) and S <= pay.worst_success_ms < S + 60_000
    assert pay.affected and pay.alert_s == 50.0
    assert pay.lost_amount is None and impact.lost_amounts == {}  # no amounts: no money, never a guess


def test_money_when_the_feed_gives_an_average_amount(tmp_path):
    path = _history(tmp_path, amount=25.0)
    with HistoryReader(path) as reader:
        impact = scenario_impacts(reader, S, S + 60_000)
    (pay,) = impact.scenarios
    assert pay.currency == "CNY" and pay.amount_per_tx == pytest.approx(25.0)
    assert pay.lost_amount == pytest.approx(3600 * 25.0)
    assert impact.lost_amounts == {"CNY": pytest.approx(90_000.0)}


def test_a_silence_is_a_gap_not_a_loss(tmp_path):
    path = _history(tmp_path, incident_s=120, gap=(30, 60))
    with HistoryReader(path) as reader:
        (pay,) = scenario_impacts(reader, S, S + 120_000).scenarios
    # Points at 0..29 s and 60..119 s. 0..28 cover a second each, 29 covers 2.5 s of the
    # silence (2.5 steps at most), 60..119 a second each: the rest of the silence is a gap.
    covered = 29 + 2.5 + 60
    assert pay.covered_s == pytest.approx(covered)
    assert pay.lost_tx == pytest.approx(60 * covered)


def test_a_long_incident_keeps_the_band_from_before_it(tmp_path):
    # 40 minutes down: the baseline's window (30 min, lagged 2) runs past the start; the
    # expectation stays what it was before, as the alert engine keeps its last band.
    path = _history(tmp_path, incident_s=2400, during=10.0)
    with HistoryReader(path) as reader:
        (pay,) = scenario_impacts(reader, S, S + 2_400_000).scenarios
    assert pay.lost_tx == pytest.approx(90 * 2400)


def test_no_baseline_without_history_before_the_start(tmp_path):
    path = _history(tmp_path, before_s=0)
    with HistoryReader(path) as reader:
        (pay,) = scenario_impacts(reader, S, S + 60_000).scenarios
    assert pay.lost_tx is None and pay.expected_tx is None


def test_pure_integration_and_coverage():
    ts = np.array([0, 1000, 2000, 10_000])
    # the 8 s silence after 2000 counts 2.5 steps (2.5 s); the last point one step
    assert coverage(ts, 0, 20_000, 1000).tolist() == [1000, 1000, 2500, 1000]
    assert coverage(ts, 500, 1500, 1000).tolist() == [500, 500, 0, 0]
    e, a, c = integrate(ts, np.array([1, 1, 1, np.nan]), np.full(4, 3.0), 0, 20_000, 1000)
    assert (e, a, c) == (pytest.approx(3 * 4.5), pytest.approx(4.5), pytest.approx(4.5))


def test_alert_seconds_counts_overlaps_once():
    assert alert_seconds([(0, 10_000), (5_000, 20_000), (30_000, None)], 0, 40_000) == 30.0
    assert alert_seconds([(-5_000, 5_000)], 0, 40_000) == 5.0


def test_the_drill_lost_payments_where_its_alerts_fired(report):
    imp = report.impact
    assert imp is not None and imp.start_ms == report.summary.started_ms
    by_id = {s.scenario: s for s in imp.scenarios}
    qr = by_id["qr_pay"]
    # ICBC carried part of every bank payment: a real share of QR payments was lost...
    assert qr.affected and qr.lost_tx > 0.05 * qr.expected_tx
    assert qr.worst_success < 0.95
    # ...while a scenario that never touches a bank lost next to nothing.
    bill = by_id["bill_query"]
    assert not bill.affected and abs(bill.lost_tx) < 0.02 * bill.expected_tx
    assert imp.scenarios[0].affected and imp.lost_tx == pytest.approx(sum(s.lost_tx for s in imp.scenarios))
