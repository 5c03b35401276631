"""The simulated platform's contingency plans, derived from its topology.

Plan ids (for the default platform):

- ``ratelimit-<entry>`` for each channel (``ratelimit-cashier``...), and
  ``ratelimit-scenario-<id>`` for the biggest scenario: a Sentinel ``FlowRule`` (grade 1 =
  QPS, controlBehavior 0 = reject at once) capped at 1.2x the normal peak;
- ``degrade-<service>`` for each non-core service (``degrade-coupon``, ``degrade-marketing``):
  a Sentinel ``DegradeRule`` forced open, so callers stop calling it;
- ``failover-<bank>`` for each bank gateway: its routing share moves to the healthy banks
  in proportion to their headroom;
- ``failover-<database>`` for each database: switch to the standby;
- ``shift-<bank>`` for each bank gateway: a staged traffic shift of its routing share to the
  other bank with the most capacity (whitelist, 1/256, 1/8, 1/4, 1/2, all; each stage held and
  verified against the busiest scenario's success and the destination's saturation and errors,
  ``warroom.core.plan.stages``);
- ``rollback-<service>`` for each service that gets deploys (channels and business
  services, the targets of ``deploy_error_burst``): undo its last deploy.

The engine gives these plans their effect (see ``warroom.sim.controls``); the catalogue
only describes them, with steps, rollback, a guard KPI and whether they are critical.
"""

from __future__ import annotations

from typing import Mapping

from warroom.core.model import SeriesKey, ServiceKind
from warroom.core.plan.plans import Guard, Plan
from warroom.core.graph.topology import Topology

#: Rate limits admit this much of the normal peak: a little headroom, no promotion surge.
RATE_LIMIT_HEADROOM = 1.2


def _series(name: str, **labels: str) -> str:
    # Guards name series in canonical text so the console can look them up verbatim.
    return SeriesKey(name, labels).text


def flow_rule(resource: str, count: float) -> dict:
    """A Sentinel ``FlowRule``: QPS grade, reject the excess at once."""
    return {"resource": resource, "grade": 1, "count": float(round(count)), "controlBehavior": 0, "limitApp": "default"}


def degrade_rule(resource: str, max_rt_ms: float = 100.0) -> dict:
    """A Sentinel ``DegradeRule`` on slow calls (grade 0), here forced open by the plan."""
    return {
        "resource": resource,
        "grade": 0,
        "count": max_rt_ms,
        "timeWindow": 60,
        "minRequestAmount": 5,
        "statIntervalMs": 1000,
        "slowRatioThreshold": 0.5,
    }


def _en(topology: Topology, name: str) -> str:
    # Not ``Service.label``: that follows the console's language, and the feed's default
    # names are English whatever language a console in the same process shows.
    s = topology.service(name)
    return s.title or s.name


def _zh(topology: Topology, name: str) -> str:
    s = topology.service(name)
    return s.titles.get("zh_CN") or s.title or s.name


def _zh_scenario(topology: Topology, scenario_id: str) -> str:
    sc = topology.scenario(scenario_id)
    return sc.titles.get("zh_CN") or sc.title or sc.id


def _in_zh(title: str, description: str, steps: tuple[str, ...], rollback: tuple[str, ...]) -> dict:
    """``titles`` and ``texts`` of a plan whose Chinese is given (protocol 1.1)."""
    return {"titles": {"zh_CN": title},
            "texts": {"zh_CN": {"description": description, "steps": list(steps), "rollback": list(rollback)}}}


def _rate_limits(topology: Topology, base_tps: Mapping[str, float]) -> list[Plan]:
    plans = []
    entries = dict.fromkeys(sc.entry for sc in topology.scenarios)
    for entry in entries:
        peak = sum(base_tps[sc.id] for sc in topology.scenarios if sc.entry == entry)
        label, zh = _en(topology, entry), _zh(topology, entry)
        plans.append(
            Plan(
                id=f"ratelimit-{entry}",
                kind="rate_limit",
                title=f"Rate-limit {label}",
                target_kind="service",
                target=entry,
                params=flow_rule(entry, peak * RATE_LIMIT_HEADROOM),
                steps=(f"Push FlowRule for {entry} to Sentinel", "Confirm blocked QPS shows on the entry"),
                rollback=(f"Remove FlowRule for {entry}",),
                expiry_s=3600.0,
                guard=Guard(_series("service_error_ratio", service=entry), "<", 0.01, 60.0),
                critical=True,
                description="Rejects traffic above the rated peak at the entry to protect the core.",
                **_in_zh(f"{zh}限流", "超过额定峰值的流量在入口处拒绝，保护核心链路。",
                         (f"向 Sentinel 推送{zh}的限流规则", "确认入口处出现被拒绝的请求"),
                         (f"删除{zh}的限流规则",)),
            )
        )
    top = max(topology.scenarios, key=lambda sc: base_tps[sc.id])
    plans.append(
        Plan(
            id=f"ratelimit-scenario-{top.id}",
            kind="rate_limit",
            title=f"Rate-limit {top.title}",
            target_kind="scenario",
            target=top.id,
            params=flow_rule(top.id, base_tps[top.id] * RATE_LIMIT_HEADROOM),
            steps=(f"Push FlowRule for scenario {top.id} on {top.entry}",),
            rollback=(f"Remove FlowRule for scenario {top.id}",),
            expiry_s=3600.0,
            guard=Guard(_series("service_error_ratio", service=top.entry), "<", 0.01, 60.0),
            critical=True,
            description="Caps one business flow so the others keep their capacity.",
            **_in_zh(f"{_zh_scenario(topology, top.id)}限流", "限制单个业务流量，保住其他业务的容量。",
                     (f"在{_zh(topology, top.entry)}上推送{_zh_scenario(topology, top.id)}的限流规则",),
                     (f"删除{_zh_scenario(topology, top.id)}的限流规则",)),
        )
    )
    return plans


def _degrades(topology: Topology) -> list[Plan]:
    plans = []
    for s in topology.services:
        if s.core:
            continue
        callers = topology.callers(s.name)
        guard_on = callers[0] if callers else s.name
        plans.append(
            Plan(
                id=f"degrade-{s.name}",
                kind="degrade",
                title=f"Degrade {_en(topology, s.name)}",
                target_kind="service",
                target=s.name,
                params=degrade_rule(s.name),
                steps=(f"Force the {s.name} circuit breaker open", f"Callers ({', '.join(callers)}) skip {s.name}"),
                rollback=(f"Close the {s.name} circuit breaker",),
                guard=Guard(_series("service_error_ratio", service=guard_on), "<", 0.01, 60.0),
                critical=False,
                description=f"{_en(topology, s.name)} is not core: payments go on without it.",
                **_in_zh(f"降级{_zh(topology, s.name)}", f"{_zh(topology, s.name)}不是核心服务：没有它支付照常进行。",
                         (f"强制打开{_zh(topology, s.name)}熔断器",
                          f"调用方（{'、'.join(_zh(topology, c) for c in callers)}）不再调用{_zh(topology, s.name)}"),
                         (f"关闭{_zh(topology, s.name)}熔断器",)),
            )
        )
    return plans


def _bank_failovers(topology: Topology) -> list[Plan]:
    banks = [s.name for s in topology.services if s.kind == ServiceKind.BANK]
    busiest = {}
    for b in banks:
        through = topology.scenarios_through(b)
        busiest[b] = through[0].id if through else None
    plans = []
    for b in banks:
        others = [o for o in banks if o != b]
        guard = None
        if busiest[b] is not None:
            guard = Guard(_series("scenario_success_ratio", scenario=busiest[b]), ">=", 0.99, 60.0)
        plans.append(
            Plan(
                id=f"failover-{b}",
                kind="failover",
                title=f"Fail over {_en(topology, b)}",
                target_kind="bank_channel",
                target=b,
                params={"from": b, "to": others, "strategy": "headroom"},
                steps=(f"Set {b} routing weight to 0", "Spread its share over healthy banks by headroom"),
                rollback=(f"Restore {b} routing weight",),
                guard=guard,
                critical=True,
                description="Moves the bank channel's payments to the other banks.",
                **_in_zh(f"切换{_zh(topology, b)}", "把该银行通道的支付转到其他银行。",
                         (f"将{_zh(topology, b)}的路由权重设为 0", "按余量把它的份额分给健康的银行"),
                         (f"恢复{_zh(topology, b)}的路由权重",)),
            )
        )
    return plans


#: Guards of a staged shift on its destination bank: headroom left, and no new failures.
SHIFT_MAX_SATURATION = 0.75
SHIFT_MAX_ERROR_RATIO = 0.02


def _bank_shifts(topology: Topology) -> list[Plan]:
    banks = [s for s in topology.services if s.kind == ServiceKind.BANK]
    plans = []
    for b in banks:
        others = [o for o in banks if o.name != b.name]
        through = topology.scenarios_through(b.name)
        if not others or not through:
            continue
        to = max(others, key=lambda o: (o.capacity_rps, o.name)).name
        src, dst = _en(topology, b.name), _en(topology, to)
        zsrc, zdst = _zh(topology, b.name), _zh(topology, to)
        steps = (f"Move {src}'s routing share to {dst} stage by stage: whitelist, 1/256, 1/8, 1/4, 1/2, all",
                 "Hold each stage and verify the guards before widening")
        rollback = (f"Put {src}'s whole routing share back",)
        plans.append(Plan(
            id=f"shift-{b.name}",
            kind="shift",
            title=f"Shift {src} traffic to {dst} in stages",
            target_kind="bank_channel",
            target=b.name,
            params={"from": b.name, "to": to, "stages": ["whitelist", "1/256", "1/8", "1/4", "1/2", "all"],
                    "hold_s": 60,
                    "guards": [
                        {"series": _series("service_saturation_ratio", service=to), "op": "<",
                         "threshold": SHIFT_MAX_SATURATION},
                        {"series": _series("service_error_ratio", service=to), "op": "<",
                         "threshold": SHIFT_MAX_ERROR_RATIO}]},
            steps=steps,
            rollback=rollback,
            guard=Guard(_series("scenario_success_ratio", scenario=through[0].id), ">=", 0.99, 60.0),
            critical=True,
            description=(f"Planned work on {src}: moves its payments to {dst} in widening stages; "
                         "a stage that breaks a guard rolls the whole shift back."),
            **_in_zh(f"分级将{zsrc}流量切到{zdst}",
                     f"{zsrc}的计划内工作：分阶段把它的支付逐步切到{zdst}；任一阶段触发守护指标即整体回滚。",
                     (f"逐级把{zsrc}的路由份额切到{zdst}：白名单、1/256、1/8、1/4、1/2、全量",
                      "每一级观察并验证守护指标后再扩大"),
                     (f"把{zsrc}的全部路由份额切回",)),
        ))
    return plans


def _db_failovers(topology: Topology) -> list[Plan]:
    plans = []
    for s in topology.services:
        if s.kind != ServiceKind.DATABASE:
            continue
        callers = topology.callers(s.name)
        guard_on = callers[0] if callers else s.name
        plans.append(
            Plan(
                id=f"failover-{s.name}",
                kind="failover",
                title=f"Fail over {_en(topology, s.name)} to standby",
                target_kind="service",
                target=s.name,
                params={"from": s.name, "to": f"{s.name}-standby", "mode": "switch"},
                steps=("Fence the primary", "Promote the standby", "Repoint connection pools"),
                rollback=("Resync the old primary", "Switch back to the primary"),
                guard=Guard(_series("service_error_ratio", service=guard_on), "<", 0.01, 90.0),
                critical=True,
                description="The standby runs with less capacity and colder caches.",
                **_in_zh(f"{_zh(topology, s.name)}切换到备库", "备库容量较小，缓存也较冷。",
                         ("隔离主库", "提升备库", "连接池指向新主库"), ("重新同步旧主库", "切回主库")),
            )
        )
    return plans


#: Services that get deploys, and so can have one rolled back.
DEPLOYED_KINDS = (ServiceKind.CHANNEL, ServiceKind.SERVICE)


def _rollbacks(topology: Topology) -> list[Plan]:
    plans = []
    for s in topology.services:
        if s.kind not in DEPLOYED_KINDS:
            continue
        en, zh = _en(topology, s.name), _zh(topology, s.name)
        plans.append(
            Plan(
                id=f"rollback-{s.name}",
                kind="rollback",
                title=f"Roll back {en}'s last deploy",
                target_kind="service",
                target=s.name,
                params={"service": s.name, "to": "previous"},
                steps=(f"Redeploy the previous version of {s.name}", "Watch its error ratio fall"),
                rollback=(f"Deploy the new version of {s.name} again",),
                guard=Guard(_series("service_error_ratio", service=s.name), "<", 0.01, 90.0),
                critical=False,
                description="Undoes the latest release when the trouble started right after it.",
                **_in_zh(f"回滚{zh}的上次发布", "故障紧随发布出现时，撤销最近一次发布。",
                         (f"重新部署{zh}的上一版本", "观察其错误率回落"),
                         (f"再次部署{zh}的新版本",)),
            )
        )
    return plans


def _restarts(topology: Topology) -> list[Plan]:
    """``restart-<service>`` for queue consumers and scheduled jobs: what an on-call engineer
    does first for a worker that stopped consuming or a job that stopped succeeding."""
    from warroom.sim.faults import consumers, jobs  # faults imports this package's neighbours

    plans = []
    lagging = set(consumers(topology))
    for name in [*consumers(topology), *jobs(topology)]:
        en, zh = _en(topology, name), _zh(topology, name)
        driven = [sc.id for sc in topology.scenarios if sc.entry == name]
        if name in lagging:  # a consumer is back when it has caught up with its queue
            guard = Guard(_series("consumer_lag_seconds", service=name), "<", 30.0, 300.0)
        elif driven:  # a job is back when the flow it drives moves again (it runs at once)
            guard = Guard(_series("scenario_tps", scenario=driven[0]), ">", 0.0, 120.0)
        else:
            guard = None
        plans.append(
            Plan(
                id=f"restart-{name}",
                kind="restart",
                title=f"Restart {en}",
                target_kind="service",
                target=name,
                params={"service": name},
                steps=(f"Restart the {name} workers", "A job runs its missed run at once; a consumer catches up"),
                rollback=(),
                guard=guard,
                critical=False,
                description="For a worker that stopped consuming or a job that stopped succeeding.",
                **_in_zh(f"重启{zh}", "用于停止消费的工作进程或停止成功运行的任务。",
                         (f"重启{zh}的工作进程", "任务立即补跑错过的一次；消费者追上积压"), ()),
            )
        )
    return plans


def build_plans(topology: Topology, base_tps: Mapping[str, float]) -> tuple[Plan, ...]:
    """The plan catalogue for a platform: rate limits, degrades, bank and DB failovers, rollbacks,
    and restarts of queue consumers and jobs."""
    plans = _rate_limits(topology, base_tps) + _degrades(topology)
    return tuple(plans + _bank_failovers(topology) + _db_failovers(topology) + _rollbacks(topology)
                 + _restarts(topology) + _bank_shifts(topology))
