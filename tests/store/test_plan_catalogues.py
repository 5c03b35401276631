"""The feed's plan catalogue is kept in the history, once per change, for replays."""

from __future__ import annotations

from warroom.core.plan.plans import Plan
from warroom.protocol import PlanCatalogue
from warroom.store import HistoryReader, StoreWriter

DEGRADE = Plan("degrade-coupon", "degrade", "Degrade coupon", "service", "coupon", {"resource": "coupon"})
FAILOVER = Plan("failover-bank-icbc", "failover", "Fail over ICBC", "bank_channel", "bank-icbc",
                {"from": "bank-icbc", "to": "bank-ccb"})


def test_catalogue_is_stored_when_it_changes_and_read_at_a_time(db_path):
    with StoreWriter(db_path) as w:
        w.append_plans(PlanCatalogue((DEGRADE, FAILOVER)), 1_000)
        w.append_plans(PlanCatalogue((FAILOVER, DEGRADE)), 2_000)  # same plans, other order: no row
        w.append_plans(PlanCatalogue((DEGRADE, FAILOVER), active=("degrade-coupon",)), 3_000)
        w.flush()
        w.append_plans(PlanCatalogue((DEGRADE, FAILOVER), active=("degrade-coupon",)), 4_000)  # across flushes too
    with HistoryReader(db_path) as r:
        assert [ts for ts, _ in r.snapshots("plan_catalogues")] == [1_000, 3_000]
        assert r.plans_at(999) is None
        first = r.plans_at(2_500)
        assert first["active"] == [] and {p["id"] for p in first["plans"]} == {DEGRADE.id, FAILOVER.id}
        assert Plan.from_dict(first["plans"][1]) == FAILOVER
        assert r.plans_at(10_000)["active"] == ["degrade-coupon"]
