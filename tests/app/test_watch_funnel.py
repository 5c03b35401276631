"""A conversion drop on a funnel step, end to end through the simulator: the watch derives
each step's conversion, the default rules learn its usual value, and a fault on a step's
service raises a conversion alert on that step, rooted in that service, in its incident."""

from __future__ import annotations

from warroom.core.funnel.conversion import CONVERSION_METRIC

from .drill import Drill


def step_alerts(d: Drill):
    return {a.subject: a for a in d.watch.alerts() if a.series.name == CONVERSION_METRIC}


def test_a_slow_bank_raises_a_bank_confirmed_conversion_alert_rooted_in_that_bank():
    d = Drill()
    d.run(360)  # the usual conversions are learned
    assert step_alerts(d) == {}
    d.sim.inject_fault("latency_spike", "bank-icbc", duration_s=900)
    took = d.run_until(lambda: "qr_pay/bank_confirmed" in step_alerts(d)
                       and step_alerts(d)["qr_pay/bank_confirmed"].state == "firing", 180)
    assert took <= 120
    alerts = step_alerts(d)
    bank = alerts["qr_pay/bank_confirmed"]
    assert bank.root_cause == "bank-icbc" and bank.subject_kind == "step"
    assert bank.value < 0.8 and "QR-code payment › Bank confirmed" in bank.title
    assert not any(s.endswith("/pay") for s in alerts)  # the step before it converts as usual
    incident = next(i for i in d.watch.incidents() if i.root_cause == "bank-icbc")
    assert bank.fingerprint in incident.alerts
    # The alert events the log keeps carry the step and its root, for replays and reports.
    fired = [e for e in d.log if e.attrs.get("fingerprint") == bank.fingerprint and e.attrs.get("state") == "firing"]
    assert fired and fired[-1].attrs.get("root_cause") == "bank-icbc"


def test_a_coupon_outage_drops_the_pay_step_and_names_the_coupon_service():
    d = Drill()
    d.run(360)
    d.sim.inject_fault("dependency_outage", "coupon", duration_s=900)
    d.run_until(lambda: "qr_pay/pay" in step_alerts(d) and step_alerts(d)["qr_pay/pay"].state == "firing", 180)
    pay = step_alerts(d)["qr_pay/pay"]
    assert pay.root_cause == "coupon"
    assert "bank_card_pay/pay" not in step_alerts(d)  # bank card payments use no coupons
