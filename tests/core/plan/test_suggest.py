"""Plans bound to root causes by their target and kind, never by an id convention."""

from __future__ import annotations

from warroom.core.alerting.alerts import Alert
from warroom.core.graph.topology import Topology
from warroom.core.model import CallEdge, Scenario, SeriesKey, Service, ServiceKind, Severity
from warroom.core.plan.plans import Plan
from warroom.core.plan.suggest import ranked, suggest
from warroom.sim.platform import build_platform

# A web shop whose entry is *marked* (``entry``), not guessed from a name, and whose names
# follow no convention: web calls cart and checkout; checkout calls pay-api (external) and
# orders-db; an admin tool nobody routes users through also calls orders-db.
SHOP = Topology(
    [Service("web", ServiceKind.CHANNEL, entry=True), Service("cart"), Service("checkout"),
     Service("pay-api", ServiceKind.EXTERNAL), Service("orders-db", ServiceKind.DATABASE),
     Service("admin", ServiceKind.SERVICE), Service("recs", core=False)],
    [CallEdge("web", "cart"), CallEdge("web", "checkout"), CallEdge("checkout", "pay-api"),
     CallEdge("checkout", "orders-db"), CallEdge("admin", "orders-db"), CallEdge("web", "recs")],
    [Scenario.from_path("buy", "Buy", ["web", "checkout", "pay-api"]),
     Scenario.from_path("browse", "Browse", ["web", "cart"])],
)


def p(pid: str, kind: str, target_kind: str, target: str) -> Plan:
    return Plan(id=pid, kind=kind, title=pid, target_kind=target_kind, target=target)


PLANS = [
    p("P1", "rate_limit", "service", "web"),
    p("P2", "degrade", "edge", "checkout->pay-api"),
    p("P3", "failover", "service", "orders-db"),
    p("P4", "rollback", "service", "checkout"),
    p("P5", "failover", "service", "pay-api"),
    p("P6", "rate_limit", "scenario", "buy"),
    p("P7", "rate_limit", "scenario", "browse"),
    p("P8", "degrade", "service", "recs"),
    p("P9", "rate_limit", "service", "admin"),
    p("P10", "restart", "service", "pay-api"),
    p("P11", "rollback", "service", "pay-api"),
    p("P12", "scale_out", "service", "pay-api"),
]


def alert(subject: str, *, root: str | None = None, state: str = "firing", folded: str = "",
          tags: tuple[str, ...] = (), change: dict | None = None, plans: tuple[str, ...] = (),
          cause: str = "failure", kind: str = "service") -> Alert:
    return Alert(fingerprint=f"fp-{subject}-{state}", rule="r", series=SeriesKey("service_error_ratio", {"service": subject}),
                 subject=subject, subject_kind=kind, severity=Severity.P1, state=state, title="t", since_ms=0,
                 value=1.0, threshold=0.5, root_cause=subject if root is None else root, folded_under=folded,
                 tags=tags, change=change, plans=plans, cause=cause)


def ids(plans) -> list[str]:
    return [x.id for x in plans]


def test_failover_and_degrade_of_the_root_first_then_limits_at_the_entry_that_feeds_it():
    got = ids(ranked("pay-api", PLANS, SHOP, after_change=False))
    assert got[:3] == ["P5", "P10", "P2"], "failover of the root, its restart, then the degrade of the call into it"
    assert set(got[3:5]) == {"P1", "P6"} and got[3] == "P1", "the entry, then the scenario entering there"
    assert got[5:] == ["P12"], "a plan of a kind the console does not know, on the root itself"
    assert "P7" not in got and "P9" not in got, "browse and admin do not reach pay-api"
    assert "P4" not in got and "P11" not in got, "no rollback without a change"


def test_entries_come_from_the_topology_not_from_names():
    got = ids(ranked("orders-db", PLANS, SHOP, after_change=False))
    assert got[0] == "P3"
    # admin calls orders-db and nobody calls admin: an entry by the graph, whatever its name.
    assert "P9" in got and "P1" in got and "P7" not in got


def test_rollback_first_after_a_change_on_the_root_or_next_to_it():
    assert ids(ranked("pay-api", PLANS, SHOP, after_change=True))[0] == "P11"
    # The deploy was on checkout; pay-api (its callee) is the root: undo checkout's deploy.
    got = ids(ranked("pay-api", PLANS, SHOP, after_change=True, changed="checkout"))
    assert got[:3] == ["P11", "P4", "P5"]
    found = suggest(PLANS, [alert("pay-api", tags=("after_change",), change={"subject": "checkout"})], SHOP)
    assert list(found)[:3] == ["P11", "P4", "P5"] and found["P4"] == ("pay-api",)


def test_suggest_marks_limits_only_for_load_or_when_nothing_else_fits():
    down = suggest(PLANS, [alert("orders-db")], SHOP)
    assert list(down) == ["P3"], "a database that fails over needs no traffic shed"
    surge = suggest(PLANS, [alert("web", cause="load")], SHOP)
    assert "P1" in surge and surge["P1"] == ("web",)
    lone = suggest(PLANS, [alert("cart")], SHOP)
    assert set(lone) == {"P1", "P7"}, "nothing acts on cart: limit what feeds it"


def test_ids_follow_no_convention_and_the_rule_plans_still_count():
    named = [alert("pay-api", plans=("P8", "unknown-plan"))]
    found = suggest(PLANS, named, SHOP)
    assert list(found) == ["P5", "P10", "P2", "P12", "P8"], "ranked first, then the rule's own"
    assert "unknown-plan" not in found, "a plan the feed does not offer is not suggested"


def test_only_active_root_alerts_suggest_and_symptoms_count_through_their_root():
    assert suggest(PLANS, [alert("pay-api", state="pending")], SHOP) == {}
    assert suggest(PLANS, [alert("web", folded="fp-x")], SHOP) == {}
    # A root alert on an edge subject names its root cause: the plans go to that service.
    edge = alert("checkout->pay-api", root="pay-api", kind="edge")
    assert list(suggest(PLANS, [edge], SHOP))[:3] == ["P5", "P10", "P2"]
    assert suggest(PLANS, [alert("checkout->pay-api", root="", kind="edge")], SHOP) == {}
    acked = suggest(PLANS, [alert("orders-db", state="acknowledged")], SHOP)
    assert acked == {"P3": ("orders-db",)}


def test_no_topology_or_a_root_outside_it_never_raises():
    assert list(suggest(PLANS, [alert("pay-api")], None)) == ["P5", "P10", "P2", "P12"], "by name when no graph came"
    assert suggest(PLANS, [alert("ghost")], SHOP) == {}


def test_the_payment_catalogue_is_bound_without_its_id_convention():
    platform = build_platform()
    renamed = [Plan(**{**{f: getattr(x, f) for f in x.__dataclass_fields__}, "id": f"plan-{i}"})
               for i, x in enumerate(platform.plans)]
    best = ranked("bank-icbc", renamed, platform.topology, after_change=False)[0]
    assert (best.kind, best.target_kind, best.target) == ("failover", "bank_channel", "bank-icbc")
    best = ranked("trade", renamed, platform.topology, after_change=True)[0]
    assert (best.kind, best.target) == ("rollback", "trade")
