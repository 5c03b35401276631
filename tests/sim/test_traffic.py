"""Traffic: the daily curve (UTC+8), promotions and surges."""

from __future__ import annotations

import pytest

from warroom.core.model import EventKind
from warroom.sim import Promotion, daily_factor

from .support import NIGHT_MS, PEAK_MS, run, scn, svc

HOUR = 3_600_000


def test_daily_curve_is_low_at_four_and_peaks_late_morning_and_evening():
    # PEAK_MS is 10:30 in UTC+8; NIGHT_MS is 04:00 in UTC+8.
    assert daily_factor(PEAK_MS) == pytest.approx(1.0, abs=0.05)
    assert daily_factor(NIGHT_MS) < 0.1
    evening = PEAK_MS + 10 * HOUR  # 20:30 local
    assert daily_factor(evening) > 0.9
    lunch_gap = PEAK_MS + 3 * HOUR  # 13:30 local, between the peaks
    assert daily_factor(lunch_gap) < daily_factor(PEAK_MS)
    day = [daily_factor(NIGHT_MS + m * 60_000) for m in range(24 * 60)]
    assert min(day) == pytest.approx(daily_factor(NIGHT_MS), abs=0.01)
    assert max(day) == pytest.approx(1.0)


def test_simulated_peak_tps_is_more_than_twice_night_tps(make_sim):
    peak = run(make_sim(start_ms=PEAK_MS), 5)
    night = run(make_sim(start_ms=NIGHT_MS), 5)
    for scenario in ("qr_pay", "app_quick_pay", "transfer"):
        assert peak[scn("scenario_tps", scenario)] > 2 * night[scn("scenario_tps", scenario)]
    assert peak[svc("service_requests_rate", "trade")] > 2 * night[svc("service_requests_rate", "trade")]


def test_surge_multiplies_offered_load_then_ends(make_sim):
    calm, surged = make_sim(), make_sim()
    surge = surged.start_surge(5.0, duration_s=20)
    assert surge.multiplier == 5.0
    a, b = run(calm, 10, last=1), run(surged, 10, last=1)
    # Same seed, same noise: the ratio is the multiplier itself.
    for scenario in ("qr_pay", "transfer", "settlement"):
        key = scn("scenario_requests_rate", scenario)
        assert b[key] / a[key] == pytest.approx(5.0, rel=1e-9)
    assert b[svc("service_saturation_ratio", "trade")] > 1.0 > a[svc("service_saturation_ratio", "trade")]
    a, b = run(calm, 15, last=1), run(surged, 15, last=1)
    assert b[scn("scenario_requests_rate", "qr_pay")] == pytest.approx(a[scn("scenario_requests_rate", "qr_pay")])


def test_surge_can_target_some_scenarios(make_sim):
    calm, surged = make_sim(), make_sim()
    surged.start_surge(3.0, duration_s=60, scenarios=("qr_pay",))
    a, b = run(calm, 10, last=1), run(surged, 10, last=1)
    assert b[scn("scenario_requests_rate", "qr_pay")] / a[scn("scenario_requests_rate", "qr_pay")] == pytest.approx(3.0)
    assert b[scn("scenario_requests_rate", "transfer")] == pytest.approx(a[scn("scenario_requests_rate", "transfer")])
    with pytest.raises(ValueError, match="unknown scenarios"):
        surged.start_surge(2.0, 10, scenarios=("nope",))
    with pytest.raises(ValueError):
        surged.start_surge(0.0, 10)


def test_midnight_promotion_raises_traffic_in_its_window(make_sim):
    before_midnight = NIGHT_MS - 4 * HOUR - 60_000  # 23:59 local
    promo = Promotion(start_local="00:00", duration_s=600, multiplier=6.0, ramp_s=10)
    plain = make_sim(start_ms=before_midnight, warmup=0)
    party = make_sim(start_ms=before_midnight, warmup=0, promotion=promo)
    a, b = run(plain, 50, last=1), run(party, 50, last=1)  # 23:59:49: not yet
    assert b[scn("scenario_requests_rate", "qr_pay")] == pytest.approx(a[scn("scenario_requests_rate", "qr_pay")])
    events = []
    for _ in range(40):  # into 00:00:29, past the ramp
        events += party.tick()[1]
        plain.tick()
    a, b = run(plain, 1, last=1), run(party, 1, last=1)
    assert b[scn("scenario_requests_rate", "qr_pay")] / a[scn("scenario_requests_rate", "qr_pay")] == pytest.approx(6.0)
    notes = [e for e in events if e.kind == EventKind.NOTE]
    assert len(notes) == 1 and notes[0].ts == NIGHT_MS - 4 * HOUR


def test_promotion_rejects_bad_times():
    with pytest.raises(ValueError):
        Promotion(start_local="25:00")
    with pytest.raises(ValueError):
        Promotion(multiplier=-1)
