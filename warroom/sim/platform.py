"""The simulated payment platform: services, call edges, scenarios, capacities and timings.

``build_platform()`` returns a ``Platform``: a ``Topology`` of 25 services (three channels,
ten business services, four bank gateways, databases, caches and a queue), eight business
scenarios with their peak TPS, a ``ServiceProfile`` per service (latency, tail, background
errors, the timeout it puts on its own outgoing calls) and the plan catalogue.

Capacities are sized the way a real platform is: stateless gateways have plenty of head-
room, while ``trade`` and the databases are the bottleneck (about 1.4-2x the daily peak),
so a surge at an entry point overloads the core unless it is rate-limited at the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from warroom.core.model import CallEdge, Scenario, Service, ServiceKind
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.sim.catalogue import build_plans

#: Routing shares of the payment engine over the bank gateways (sum to 1).
BANK_SHARES: Mapping[str, float] = MappingProxyType(
    {"bank-icbc": 0.35, "bank-ccb": 0.30, "bank-abc": 0.20, "bank-boc": 0.15}
)
BANKS: tuple[str, ...] = tuple(BANK_SHARES)


@dataclass(frozen=True)
class ServiceProfile:
    """How one service behaves when healthy and lightly loaded.

    ``latency_s`` is its own median work time (excluding callees), ``tail`` its own
    p99/p50 ratio, ``error_ratio`` its background error ratio, and ``timeout_s`` the
    timeout it sets on each call it makes to its callees.
    """

    latency_s: float
    tail: float = 3.0
    error_ratio: float = 0.0005
    timeout_s: float = 5.0


@dataclass(frozen=True)
class Platform:
    """Everything the simulator needs to know about the platform it plays.

    ``base_tps`` maps each scenario id to its transactions per second at the daily peak.
    """

    def __deepcopy__(self, memo: dict) -> "Platform":
        return self  # immutable: a copied simulator (a drill's fork) may share it

    topology: Topology
    base_tps: Mapping[str, float]
    profiles: Mapping[str, ServiceProfile]
    plans: tuple[Plan, ...] = field(default=())

    def __post_init__(self) -> None:
        t = self.topology
        names = {s.name for s in t.services}
        scenario_ids = {sc.id for sc in t.scenarios}
        if set(self.base_tps) != scenario_ids:
            raise ValueError(f"base_tps must cover exactly the scenarios {sorted(scenario_ids)}")
        if any(v < 0 for v in self.base_tps.values()):
            raise ValueError("base_tps must not be negative")
        if set(self.profiles) != names:
            raise ValueError(f"profiles missing for {sorted(names - set(self.profiles))}")
        for s in t.services:
            if s.capacity_rps <= 0:
                raise ValueError(f"service {s.name!r} needs a positive capacity_rps")
        ids = [p.id for p in self.plans]
        if len(ids) != len(set(ids)):
            raise ValueError("plan ids must be unique")
        object.__setattr__(self, "base_tps", MappingProxyType(dict(self.base_tps)))
        object.__setattr__(self, "profiles", MappingProxyType(dict(self.profiles)))
        object.__setattr__(self, "plans", tuple(self.plans))

    def plan(self, plan_id: str) -> Plan:
        """The plan with this id (``KeyError`` if unknown)."""
        for p in self.plans:
            if p.id == plan_id:
                return p
        raise KeyError(plan_id)


# name, kind, title, core, capacity_rps, own p50 (s), tail, background errors, call timeout (s)
_C, _S, _B = ServiceKind.CHANNEL, ServiceKind.SERVICE, ServiceKind.BANK
_D, _K, _Q = ServiceKind.DATABASE, ServiceKind.CACHE, ServiceKind.QUEUE
_SERVICES: Sequence[tuple] = (
    ("app-gateway", _C, "App gateway", True, 20000, 0.008, 3.0, 0.0003, 8.0),
    ("cashier", _C, "Cashier", True, 8000, 0.010, 3.0, 0.0003, 8.0),
    ("merchant-gateway", _C, "Merchant gateway", True, 12000, 0.008, 3.0, 0.0003, 8.0),
    ("acquiring", _S, "Acquiring", True, 9000, 0.010, 3.0, 0.0004, 6.0),
    ("trade", _S, "Trade", True, 14000, 0.015, 3.0, 0.0005, 5.0),
    ("payment-engine", _S, "Payment engine", True, 12000, 0.012, 3.0, 0.0005, 2.0),
    ("risk-control", _S, "Risk control", True, 16000, 0.020, 3.0, 0.0004, 0.25),
    ("member", _S, "Member", True, 20000, 0.006, 3.0, 0.0003, 0.15),
    ("coupon", _S, "Coupon", False, 4500, 0.008, 3.0, 0.0008, 0.15),
    ("marketing", _S, "Marketing", False, 3500, 0.010, 3.0, 0.0008, 0.2),
    ("accounting", _S, "Accounting", True, 16000, 0.012, 3.0, 0.0003, 0.5),
    ("clearing", _S, "Clearing", True, 600, 0.030, 3.0, 0.0005, 3.0),
    ("notification", _S, "Notification", True, 16000, 0.005, 3.0, 0.0005, 0.5),
    ("bank-icbc", _B, "ICBC gateway", True, 5500, 0.250, 2.0, 0.001, 5.0),
    ("bank-ccb", _B, "CCB gateway", True, 5000, 0.300, 2.0, 0.001, 5.0),
    ("bank-abc", _B, "ABC gateway", True, 3600, 0.280, 2.0, 0.0015, 5.0),
    ("bank-boc", _B, "BOC gateway", True, 3000, 0.320, 2.0, 0.0015, 5.0),
    ("trade-db", _D, "Trade DB", True, 52000, 0.003, 4.0, 0.0001, 1.0),
    ("accounting-db", _D, "Accounting DB", True, 34000, 0.004, 4.0, 0.0001, 1.0),
    ("clearing-db", _D, "Clearing DB", True, 2000, 0.005, 4.0, 0.0001, 1.0),
    ("member-db", _D, "Member DB", True, 4000, 0.004, 4.0, 0.0001, 1.0),
    ("member-cache", _K, "Member cache", True, 60000, 0.0008, 4.0, 0.0001, 1.0),
    ("risk-cache", _K, "Risk cache", True, 60000, 0.0010, 4.0, 0.0001, 1.0),
    ("coupon-cache", _K, "Coupon cache", True, 20000, 0.0010, 4.0, 0.0001, 1.0),
    ("mq", _Q, "Message queue", True, 40000, 0.002, 4.0, 0.0001, 1.0),
)

# caller, callee, expected calls per caller request (bank edges: routing shares)
_EDGES: Sequence[tuple[str, str, float]] = (
    ("merchant-gateway", "acquiring", 1.0),
    ("merchant-gateway", "clearing", 1.0),
    ("app-gateway", "member", 1.0),
    ("app-gateway", "trade", 1.0),
    ("cashier", "trade", 1.0),
    ("acquiring", "trade", 1.0),
    ("trade", "risk-control", 1.0),
    ("trade", "member", 1.0),
    ("trade", "coupon", 0.4),  # only orders with a coupon attached
    ("trade", "marketing", 0.3),
    ("trade", "trade-db", 3.0),  # create, update, query
    ("trade", "payment-engine", 1.0),
    ("trade", "accounting", 1.0),  # transfers and refunds post directly
    ("trade", "notification", 1.0),
    ("risk-control", "risk-cache", 2.0),
    ("member", "member-cache", 1.0),
    ("member", "member-db", 0.1),  # cache misses
    ("coupon", "coupon-cache", 2.0),
    ("payment-engine", "accounting", 1.0),
    *(("payment-engine", bank, share) for bank, share in BANK_SHARES.items()),
    ("accounting", "accounting-db", 2.0),  # debit and credit
    ("accounting", "mq", 1.0),
    ("notification", "mq", 1.0),
    ("clearing", "clearing-db", 2.0),
    ("clearing", "accounting", 1.0),
)

# Sub-flows shared by several scenarios (paths for ``Scenario.from_path``).
_RISK = ("trade", "risk-control", "risk-cache")
_MEMBER = (("trade", "member", "member-cache"), ("member", "member-db"))
_COUPON = (("trade", "coupon", "coupon-cache"), ("trade", "marketing"))
_PAY = (("trade", "payment-engine", BANKS), ("payment-engine", "accounting", "accounting-db"), ("accounting", "mq"))
_NOTIFY = ("trade", "notification", "mq")
_TRADE_DB = ("trade", "trade-db")
_LOGIN = (("app-gateway", "member", "member-cache"), ("member", "member-db"))

# id, title, peak TPS, paths
_SCENARIOS: Sequence[tuple[str, str, float, Sequence]] = (
    ("qr_pay", "QR-code payment", 3000.0,
     (("merchant-gateway", "acquiring", "trade"), _RISK, *_MEMBER, *_COUPON, _TRADE_DB, *_PAY, _NOTIFY)),
    ("app_quick_pay", "App quick pay", 2400.0,
     (("app-gateway", "trade"), *_LOGIN, _RISK, *_COUPON, _TRADE_DB, *_PAY, _NOTIFY)),
    ("bank_card_pay", "Bank card payment", 1200.0,
     (("cashier", "trade"), _RISK, *_MEMBER, _TRADE_DB, *_PAY, _NOTIFY)),
    ("transfer", "Balance transfer", 1000.0,
     (("app-gateway", "trade", "accounting", "accounting-db"), ("accounting", "mq"),
      *_LOGIN, _RISK, _TRADE_DB, _NOTIFY)),
    ("top_up", "Top-up from bank card", 500.0,
     (("app-gateway", "trade"), _RISK, _TRADE_DB, *_PAY)),
    ("refund", "Refund", 200.0,
     (("merchant-gateway", "acquiring", "trade"), _TRADE_DB, *_PAY, _NOTIFY)),
    ("settlement", "Merchant settlement", 100.0,
     (("merchant-gateway", "clearing", "clearing-db"), ("clearing", "accounting", "accounting-db"))),
    ("bill_query", "Bill query", 1500.0,
     (("app-gateway", "trade", "trade-db"), *_LOGIN)),
)


#: The simulated platform's names in Chinese (protocol 1.1 ``titles``): the wall under zh_CN
#: reads 工商银行网关, not "ICBC gateway" or ``bank-icbc``.
SERVICE_TITLES_ZH: Mapping[str, str] = {
    "app-gateway": "客户端网关", "cashier": "收银台", "merchant-gateway": "商户网关", "acquiring": "收单",
    "trade": "交易", "payment-engine": "支付引擎", "risk-control": "风控", "member": "会员",
    "coupon": "优惠券", "marketing": "营销", "accounting": "账务", "clearing": "清算", "notification": "通知",
    "bank-icbc": "工商银行网关", "bank-ccb": "建设银行网关", "bank-abc": "农业银行网关", "bank-boc": "中国银行网关",
    "trade-db": "交易库", "accounting-db": "账务库", "clearing-db": "清算库", "member-db": "会员库",
    "member-cache": "会员缓存", "risk-cache": "风控缓存", "coupon-cache": "优惠券缓存", "mq": "消息队列",
}
SCENARIO_TITLES_ZH: Mapping[str, str] = {
    "qr_pay": "扫码支付", "app_quick_pay": "快捷支付", "bank_card_pay": "银行卡支付", "transfer": "余额转账",
    "top_up": "银行卡充值", "refund": "退款", "settlement": "商户结算", "bill_query": "账单查询",
}


def _zh(table: Mapping[str, str], key: str) -> dict[str, str]:
    return {"zh_CN": table[key]} if key in table else {}


def scenario_from_paths(id: str, title: str, paths: Iterable[Sequence]) -> Scenario:
    """A scenario whose edges are the union of several ``Scenario.from_path`` paths.

    The first path's first step is the entry. Payment flows branch (risk, member,
    banks...), which a single path cannot say.
    """
    parts = [Scenario.from_path(id, title, p) for p in paths]
    edges = tuple(dict.fromkeys(e for part in parts for e in part.edges))
    return Scenario(id=id, title=title, entry=parts[0].entry, edges=edges, titles=_zh(SCENARIO_TITLES_ZH, id))


def build_platform() -> Platform:
    """The default simulated payment platform with its plan catalogue."""
    services = [
        Service(name, kind, title, core, float(cap), titles=_zh(SERVICE_TITLES_ZH, name))
        for name, kind, title, core, cap, *_ in _SERVICES
    ]
    profiles = {
        row[0]: ServiceProfile(latency_s=row[5], tail=row[6], error_ratio=row[7], timeout_s=row[8])
        for row in _SERVICES
    }
    edges = [CallEdge(a, b, calls) for a, b, calls in _EDGES]
    scenarios = [scenario_from_paths(sid, title, paths) for sid, title, _, paths in _SCENARIOS]
    topology = Topology(services, edges, scenarios)
    base_tps = {sid: tps for sid, _, tps, _ in _SCENARIOS}
    return Platform(topology, base_tps, profiles, build_plans(topology, base_tps))


def with_plans(platform: Platform, extra: Iterable[Plan]) -> Platform:
    """The platform with more plans (a rehearsal file's); ``ValueError`` names a plan the
    simulator could not run or an id already in the catalogue."""
    from warroom.sim.controls import Controls  # controls imports this module's constants

    extra = tuple(extra)
    check = Controls(platform.topology)
    known = {p.id for p in platform.plans}
    for plan in extra:
        if plan.id in known:
            raise ValueError(f"plan {plan.id!r} is already in the catalogue")
        check.check(plan)
    return Platform(platform.topology, platform.base_tps, platform.profiles, platform.plans + extra)
