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

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

from warroom.core.model import CallEdge, FunnelStep, Scenario, Service, ServiceKind, step_series
from warroom.core.plan.plans import Plan
from warroom.core.graph.topology import Topology
from warroom.core.northstar.tree import tree_from_config
from warroom.sim.catalogue import build_plans
from warroom.sim.series_info import SIM_SERIES

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
    #: Per scenario with funnel steps: each step's usual conversion from the step before (the
    #: first step's from the scenario's admitted traffic) when nothing fails, aligned with
    #: ``Scenario.steps``; a scenario left out converts 100 % at every step.
    step_conversion: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

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
        steps = {sc.id: len(sc.steps) for sc in t.scenarios}
        for sid, conv in self.step_conversion.items():
            if len(conv) != steps.get(sid, -1) or not all(0.0 <= c <= 1.0 for c in conv):
                raise ValueError(f"step_conversion of {sid!r} needs one share in 0..1 per funnel step")
        object.__setattr__(self, "step_conversion",
                           MappingProxyType({k: tuple(v) for k, v in self.step_conversion.items()}))

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


#: Business funnels (protocol 1.6 ``steps``): per scenario, its steps (id, title, Chinese title,
#: the services that carry an item into the step, its usual conversion from the step before).
#: A fault on a step's services drops that step's conversion (``warroom.sim.funnel``).
_BANK_STEP = ("bank_confirmed", "Bank confirmed", "银行确认", BANKS, 0.985)
_FUNNELS: Mapping[str, Sequence[tuple]] = {
    "qr_pay": (("checkout", "Order placed", "下单", ("merchant-gateway", "acquiring", "trade", "trade-db"), 1.0),
               ("pay", "Payment submitted", "提交支付", ("payment-engine", "risk-control", "coupon", "member"), 0.92),
               _BANK_STEP),
    "app_quick_pay": (("checkout", "Order placed", "下单", ("app-gateway", "trade", "trade-db", "member"), 1.0),
                      ("pay", "Payment submitted", "提交支付", ("payment-engine", "risk-control", "coupon"), 0.88),
                      _BANK_STEP),
    "bank_card_pay": (("checkout", "Order placed", "下单", ("cashier", "trade", "trade-db", "member"), 1.0),
                      ("pay", "Payment submitted", "提交支付", ("payment-engine", "risk-control"), 0.90),
                      (*_BANK_STEP[:4], 0.97)),
}


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


#: The north-star KPI tree of the payment platform (the same as payment.yaml's ``kpi_tree``;
#: tests/sim/world checks they agree): goal -> business lines -> teams -> services.
KPI_TREE: Mapping = {
    "goal": {"title": "Service restored within a minute", "titles": {"zh_CN": "一分钟内恢复服务"},
             "kpi": "mttr", "target": 60},
    "lines": {
        "payments": {"title": "Payments", "titles": {"zh_CN": "支付业务"}, "teams": {
            "trade-team": {"title": "Trade", "titles": {"zh_CN": "交易团队"},
                           "services": ["acquiring", "trade", "trade-db"]},
            "payment-core": {"title": "Payment core", "titles": {"zh_CN": "支付核心团队"},
                             "services": ["payment-engine"]},
            "bank-channels": {"title": "Bank channels", "titles": {"zh_CN": "银行通道团队"},
                              "services": ["bank-icbc", "bank-ccb", "bank-abc", "bank-boc"]},
            "risk-team": {"title": "Risk control", "titles": {"zh_CN": "风控团队"},
                          "services": ["risk-control", "risk-cache"]}}},
        "users": {"title": "Members and marketing", "titles": {"zh_CN": "用户与营销"}, "teams": {
            "member-team": {"title": "Members", "titles": {"zh_CN": "会员团队"},
                            "services": ["member", "member-db", "member-cache"]},
            "marketing-team": {"title": "Marketing", "titles": {"zh_CN": "营销团队"},
                               "services": ["coupon", "coupon-cache", "marketing"]}}},
        "funds": {"title": "Funds and settlement", "titles": {"zh_CN": "资金与清结算"}, "teams": {
            "accounting-team": {"title": "Accounting", "titles": {"zh_CN": "账务团队"},
                                "services": ["accounting", "accounting-db"]},
            "clearing-team": {"title": "Clearing", "titles": {"zh_CN": "清结算团队"},
                              "services": ["clearing", "clearing-db"]}}},
        "platform": {"title": "Platform", "titles": {"zh_CN": "基础平台"}, "teams": {
            "access-team": {"title": "Access", "titles": {"zh_CN": "接入团队"},
                            "services": ["app-gateway", "cashier", "merchant-gateway"]},
            "middleware-team": {"title": "Middleware", "titles": {"zh_CN": "中间件团队"},
                                "services": ["notification", "mq"]}}},
    },
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
    scenarios = [_with_funnel(scenario_from_paths(sid, title, paths)) for sid, title, _, paths in _SCENARIOS]
    topology = Topology(services, edges, scenarios)
    topology.series_info = SIM_SERIES  # what its series are (protocol 1.6 topology ``series``)
    topology.kpi_tree = tree_from_config(KPI_TREE)  # who owns what (protocol 1.6 topology ``kpi_tree``)
    base_tps = {sid: tps for sid, _, tps, _ in _SCENARIOS}
    conversion = {sid: tuple(row[4] for row in rows) for sid, rows in _FUNNELS.items()}
    return Platform(topology, base_tps, profiles, build_plans(topology, base_tps), step_conversion=conversion)


def _with_funnel(scenario: Scenario) -> Scenario:
    rows = _FUNNELS.get(scenario.id, ())
    steps = tuple(FunnelStep(sid, step_series(scenario.id, sid), title, tuple(services), {"zh_CN": zh})
                  for sid, title, zh, services, _ in rows)
    return replace(scenario, steps=steps)


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
    return Platform(platform.topology, platform.base_tps, platform.profiles, platform.plans + extra,
                    step_conversion=platform.step_conversion)
