"""The series every Warroom feed may send (docs/protocol.md §9), described in both languages.

The simulator sends these declarations with its topology (protocol 1.6 ``series``); every
catalogue also falls back on them, after what a feed, a world or a site file declared, so a
gateway or an older feed that declares nothing still has its standard series described.
Owners are left to the platform: by default a series belongs to its service's team.
"""

from __future__ import annotations

from warroom.core.catalogue.describe import SeriesInfo, infos_from_mapping

#: The standard series, keyed by metric name (or a selector where a label changes the meaning).
STANDARD_SERIES: tuple[SeriesInfo, ...] = infos_from_mapping({
    "service_requests_rate": {
        "unit": "/s", "description": "Requests per second arriving at the service, after rate limits",
        "descriptions": {"zh_CN": "到达服务的每秒请求数（限流之后）"}},
    "service_error_ratio": {
        "unit": "ratio", "description": "Share of the service's requests that failed, its callees' failures included",
        "descriptions": {"zh_CN": "服务请求失败的比例（含下游失败）"}},
    'service_latency_seconds{quantile="0.5"}': {
        "unit": "s", "description": "Median latency of the service's requests",
        "descriptions": {"zh_CN": "服务请求延迟中位数"}},
    'service_latency_seconds{quantile="0.99"}': {
        "unit": "s", "description": "P99 latency of the service's requests",
        "descriptions": {"zh_CN": "服务请求 P99 延迟"}},
    "service_saturation_ratio": {
        "unit": "×", "description": "Load over capacity; above 1 the service is overloaded",
        "descriptions": {"zh_CN": "负载与容量之比；大于 1 即过载"}},
    "service_blocked_rate": {
        "unit": "/s", "description": "Requests per second rejected by rate limits at an entry",
        "descriptions": {"zh_CN": "入口处被限流拒绝的每秒请求数"}},
    "service_up": {
        "unit": "bool", "description": "1 while the service's process runs, 0 once it crashed",
        "descriptions": {"zh_CN": "服务进程存活为 1，崩溃为 0"}},
    "edge_requests_rate": {
        "unit": "/s", "description": "Calls per second from caller to callee",
        "descriptions": {"zh_CN": "调用方到被调方的每秒调用数"}},
    "edge_error_ratio": {
        "unit": "ratio", "description": "Share of calls the caller saw fail or time out",
        "descriptions": {"zh_CN": "调用方看到的失败或超时比例"}},
    "edge_latency_seconds": {
        "unit": "s", "description": "P99 latency of the calls from caller to callee, as the caller sees it",
        "descriptions": {"zh_CN": "调用方看到的调用 P99 延迟"}},
    "scenario_requests_rate": {
        "unit": "/s", "description": "Transactions per second the business scenario was offered",
        "descriptions": {"zh_CN": "业务场景每秒发起的交易数"}},
    "scenario_tps": {
        "unit": "/s", "description": "Successful transactions per second of the scenario",
        "descriptions": {"zh_CN": "业务场景每秒成功交易数"}},
    "scenario_success_ratio": {
        "unit": "ratio", "description": "Successes over offered transactions; blocked ones count as failed",
        "descriptions": {"zh_CN": "成功交易占发起交易的比例（被限流的算失败）"}},
    "scenario_blocked_rate": {
        "unit": "/s", "description": "Transactions per second of the scenario rejected by rate limits",
        "descriptions": {"zh_CN": "业务场景每秒被限流拒绝的交易数"}},
    "consumer_lag_seconds": {
        "unit": "s", "description": "How far a queue consumer is behind its queue",
        "descriptions": {"zh_CN": "队列消费者落后于队列的时长"}},
    "job_last_success_timestamp_seconds": {
        "unit": "unix s", "description": "When the scheduled job last succeeded (sent once per run)",
        "descriptions": {"zh_CN": "定时任务最近一次成功的时间（每次运行发送一次）"}},
    "source_up": {
        "unit": "bool", "description": "1 while the feed reaches this source of data, 0 when it cannot",
        "descriptions": {"zh_CN": "数据源可达为 1，不可达为 0"}},
})
