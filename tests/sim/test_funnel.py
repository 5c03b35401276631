"""The simulated funnels: step rates consistent with the scenario's traffic, the usual
conversion when healthy, and a fault on a step's services dropping that step's conversion
(and no other)."""

from __future__ import annotations

import pytest

from warroom.sim import Simulator

from .support import PEAK_MS, run


def step(sc: str, name: str) -> str:
    return f'scenario_step_rate{{scenario="{sc}",step="{name}"}}'


def conversions(v: dict[str, float], sc: str) -> tuple[float, float]:
    checkout, pay, bank = (v[step(sc, s)] for s in ("checkout", "pay", "bank_confirmed"))
    return pay / checkout, bank / pay


def test_healthy_funnels_convert_as_declared_and_start_with_the_admitted_traffic(platform):
    v = run(Simulator(start_ms=PEAK_MS, seed=5, platform=platform), 20)
    for sc, (pay, bank) in {"qr_pay": (0.92, 0.985), "bank_card_pay": (0.90, 0.97)}.items():
        admitted = v[f'scenario_requests_rate{{scenario="{sc}"}}'] - v[f'scenario_blocked_rate{{scenario="{sc}"}}']
        assert v[step(sc, "checkout")] == pytest.approx(admitted, rel=0.01)  # background errors only
        assert conversions(v, sc) == pytest.approx((pay, bank), rel=0.01)
    assert not any("transfer" in k and "scenario_step_rate" in k for k in v)  # no funnel declared


def test_a_slow_bank_drops_bank_confirmed_and_nothing_before_it(platform):
    sim = Simulator(start_ms=PEAK_MS, seed=5, platform=platform)
    before = run(sim, 10)
    sim.inject_fault("latency_spike", "bank-icbc", duration_s=600)
    after = run(sim, 60)
    for sc in ("qr_pay", "app_quick_pay", "bank_card_pay"):
        pay0, bank0 = conversions(before, sc)
        pay1, bank1 = conversions(after, sc)
        assert bank1 < bank0 * 0.8, sc  # ICBC carries 35 % of payments, most of them time out
        assert pay1 == pytest.approx(pay0, rel=0.01), sc


def test_a_coupon_fault_drops_pay_only_where_coupons_are_used(platform):
    sim = Simulator(start_ms=PEAK_MS, seed=5, platform=platform)
    before = run(sim, 10)
    sim.inject_fault("dependency_outage", "coupon", duration_s=600)
    after = run(sim, 30)
    qr_pay0, qr_bank0 = conversions(before, "qr_pay")
    qr_pay1, qr_bank1 = conversions(after, "qr_pay")
    assert qr_pay1 < qr_pay0 * 0.85
    assert qr_bank1 == pytest.approx(qr_bank0, rel=0.01)
    # Bank card payment never calls the coupon service: its funnel does not move.
    assert conversions(after, "bank_card_pay") == pytest.approx(conversions(before, "bank_card_pay"), rel=0.01)


def test_the_step_series_come_after_every_older_series(platform):
    sim = Simulator(start_ms=PEAK_MS, seed=5, platform=platform)
    names = [k.name for k in sim.series]
    first = names.index("scenario_step_rate")
    assert set(names[first:]) == {"scenario_step_rate"}  # older series keep their positions


def test_the_prometheus_exporter_counts_the_items_reaching_each_step(platform):
    import re

    from warroom.sim.exporter import PromExporter

    sim = Simulator(start_ms=PEAK_MS, seed=5, platform=platform)
    exporter = PromExporter(sim)
    reached = 0.0
    for _ in range(10):
        batch, _ = sim.tick()
        exporter.observe(batch)
        reached += next(v for i, v in zip(batch.index.tolist(), batch.values.tolist())
                        if batch.series[i].text == step("qr_pay", "bank_confirmed"))
    text = exporter.render().decode()
    assert "# TYPE warroom_scenario_step_total counter" in text
    row = r'^warroom_scenario_step_total\{scenario="qr_pay",step="bank_confirmed"\} (\S+)$'
    found = re.search(row, text, re.MULTILINE)
    assert found and float(found.group(1)) == pytest.approx(reached, rel=1e-6)
