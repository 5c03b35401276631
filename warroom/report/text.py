"""The report's words and number formats in English and Simplified Chinese (no Qt here).

The console translates with Qt's ``tr``; a report is written without Qt (on a server, in
CI, by ``warroom report``), so it has its own small catalogue. ``Text(lang)`` looks a key
up (``t("mttr")``), fills ``{placeholders}``, and formats times, durations and values the
same way in both languages: times are local (UTC+8 by default, as the console shows
them) with the offset written out, and numbers keep the digits that matter.
"""

from __future__ import annotations

import math
import os
from datetime import datetime, timedelta, timezone

LANGS = ("en", "zh_CN")

EN: dict[str, str] = {
    "doc_title": "Post-incident report: {id}",
    "heading": "Post-incident report",
    "summary": "Summary",
    "incident": "Incident",
    "title": "Title",
    "severity": "Severity",
    "state": "State",
    "root_cause": "Root cause",
    "owner": "Owner",
    "nobody": "nobody",
    "started": "Problem started",
    "detected": "Detected",
    "acknowledged": "Acknowledged",
    "mitigated": "Service restored (mitigated)",
    "resolved": "Resolved (every alert clear)",
    "verified": "Verified resolved",
    "duration": "Duration (start to restored)",
    "ongoing": "ongoing at the end of the recording",
    "not_yet": "not reached",
    "alert_count": "Alerts",
    "alert_count_value": "{n} fired ({roots} root, {folded} symptom)",
    "scenarios_affected": "Scenarios affected",
    "none": "none",
    "window": "Recording examined",
    "kpis": "Time to detect, acknowledge and restore",
    "mttd": "MTTD",
    "mtta": "MTTA",
    "mttr": "MTTR (resolved)",
    "mttr_mitigated": "MTTR (mitigated)",
    "mttr_mitigated_long": "start to service restored",
    "mttd_long": "start to detection",
    "mtta_long": "detection to acknowledgement",
    "mttr_long": "start to every alert resolved",
    "root_still_alerting": "The root cause still alerts: mitigated, not resolved.",
    "mttr_goal": "MTTR goal: {goal}.",
    "goal_met": "Met, {spare} to spare.",
    "goal_missed": "Missed by {over}.",
    "goal_open": "Service not restored yet.",
    "timeline": "Timeline",
    "col_time": "Time",
    "col_since": "Since start",
    "col_what": "What",
    "col_subject": "Subject",
    "col_who": "Who",
    "col_detail": "Detail",
    "ev_alert_firing": "Alert firing",
    "ev_alert_acknowledged": "Alert acknowledged",
    "ev_alert_resolved": "Alert resolved",
    "ev_symptoms_firing": "{n} symptom alerts firing",
    "ev_symptoms_resolved": "{n} symptom alerts resolved",
    "ev_symptom_firing": "Symptom alert firing",
    "ev_symptom_resolved": "Symptom alert resolved",
    "folded_under": "folded under {root}",
    "ev_incident_opened": "Incident opened",
    "ev_incident_root_cause_changed": "Root cause changed",
    "ev_incident_escalated": "Incident escalated",
    "ev_response_missed": "{tier} response target missed ({minutes} min unacknowledged): escalated",
    "ev_incident_acknowledged": "Incident acknowledged",
    "ev_incident_owner_changed": "Owner changed",
    "ev_incident_mitigated": "Users recovered, root cause still alerting: mitigated",
    "ev_incident_recovering": "All alerts resolved: recovering",
    "ev_incident_reopened": "Incident reopened",
    "ev_incident_resolved": "Recovery verified: resolved",
    "ev_incident_merged": "Incidents merged",
    "ev_note": "Note",
    "ev_deploy": "Deploy",
    "ev_config_change": "Configuration change",
    "ev_fault": "Drill: fault injected",
    "ev_fault_cleared": "Drill: fault cleared",
    "ev_plan": "Plan {action}",
    "ev_plan_feed": "Plan run by the platform",
    "plan_action_previewed": "previewed",
    "plan_action_confirmed": "confirmed",
    "plan_action_sent": "sent",
    "plan_action_executed": "in force",
    "plan_action_effective": "verified effective",
    "plan_action_not_effective": "not effective",
    "plan_action_rolling_back": "rollback requested",
    "plan_action_rolled_back": "rolled back",
    "plan_action_rollback_failed": "rollback failed",
    "plan_action_expiring": "expiring",
    "plan_action_expired": "expired",
    "plan_action_failed": "failed",
    "plan_action_stage_applying": "stage being applied",
    "plan_action_stage_applied": "stage in force, held",
    "plan_action_stage_verifying": "stage being verified",
    "plan_action_stage_passed": "stage verified",
    "plan_action_stage_failed": "stage failed: halted",
    "plan_action_completed": "staged shift complete",
    "plan_action_paused": "paused",
    "plan_action_continued": "continued",
    "plan_action_aborted": "aborted",
    "charts": "KPIs that fired",
    "charts_intro": ("Each alert's series over the incident (± a margin): the line is the mean, the band "
                     "the minimum and maximum of each interval, the dashed line the alert's threshold, the "
                     "shaded span the time it was firing."),
    "chart_root": "root",
    "chart_symptom": "symptom",
    "chart_more": "{n} more symptom alerts are not drawn: {names}.",
    "scenario_chart": "Business scenarios: success rate",
    "scenario_chart_unaffected": "Not affected (not drawn): {names}.",
    "mk_detected": "detected",
    "mk_plan": "plan",
    "mk_mitigated": "mitigated",
    "mk_resolved": "resolved",
    "mk_worst": "worst",
    "threshold": "threshold {value}",
    "no_data": "no data",
    "map": "Call chain at the worst moment",
    "worst_moment": "Worst moment: {time}",
    "worst_def": ("The worst moment is the time within the incident (from its start until service was "
                  "restored) when the most of its alerts were firing; among equal times, the one with the "
                  "lowest overall success rate (all scenarios, weighted by their requests)."),
    "worst_stats": "{n} alerts firing; overall success rate {rate}.",
    "map_legend_ok": "healthy",
    "map_legend_warn": "warning",
    "map_legend_crit": "critical",
    "map_legend_unknown": "no data",
    "map_legend_note": ("Services are coloured by their error rate, p99 latency and load at that moment, with "
                        "the console's thresholds."),
    "root_cause_badge": "ROOT CAUSE",
    "cap_err": "err {v}",
    "cap_load": "load {v}",
    "no_topology": "No call graph was recorded.",
    "plans": "Contingency plans executed",
    "no_plans": "No plan was executed during the incident.",
    "plan_who": "Who",
    "plan_when": "Confirmed",
    "plan_executed": "In force",
    "plan_why": "Reason",
    "plan_params": "Parameters",
    "plan_steps": "Steps",
    "plan_guard": "Guard KPI",
    "plan_guard_value": "{series} {op} {threshold} within {within}",
    "plan_before_after": "Before → after",
    "plan_verdict": "Verdict",
    "plan_preview": "Impact preview at {time}",
    "plan_no_guard": "no guard KPI",
    "verdict_effective": "effective",
    "verdict_not_effective": "not effective",
    "verdict_rolled_back": "rolled back",
    "verdict_expired": "expired",
    "verdict_failed": "failed",
    "verdict_unverified": "in force, not verified",
    "verdict_not_run": "not executed",
    "verdict_completed": "every stage passed",
    "verdict_stage_failed": "a stage failed",
    "verdict_aborted": "aborted",
    "verdict_staged_under_way": "stages under way",
    "plan_stages": "Stages",
    "stage_passed": "passed",
    "stage_failed": "failed",
    "stage_aborted": "aborted",
    "stage_under_way": "under way",
    "stage_not_reached": "not reached",
    "fig_item": "",
    "fig_capacity": "capacity",
    "fig_load_before": "load before",
    "fig_load_after": "load after",
    "fig_utilisation_after": "utilisation after",
    "fig_moved": "load moved",
    "fig_to": "to",
    "fig_count": "limit",
    "fig_offered_mean": "offered (mean)",
    "fig_offered_peak": "offered (peak)",
    "fig_rejected_mean": "rejected (mean)",
    "fig_rejected_peak": "rejected (peak)",
    "fig_rejected_by_scenario": "rejected",
    "fig_switched_off": "switched off",
    "fig_callers": "callers",
    "fig_load_removed": "load removed",
    "fig_load": "load",
    "fig_standby": "standby",
    "fig_no_estimate": "no estimate",
    "impact": "Business impact",
    "impact_intro": ("Per business scenario over the incident, {start} to {end} ({duration}): transactions "
                     "completed, the transactions expected from the scenario's learned TPS baseline (what it "
                     "completed before the incident, at that time of day), and the difference: transactions lost."),
    "impact_headline": "{lost} transactions lost in {duration}",
    "impact_headline_money": "{lost} transactions lost in {duration}, {money}",
    "col_scenario": "Scenario",
    "col_expected": "Expected",
    "col_completed": "Completed",
    "col_lost": "Lost",
    "col_worst_success": "Worst success rate",
    "col_alerting": "Alerting for",
    "col_money": "Money lost",
    "impact_total": "Total",
    "impact_no_baseline": "no baseline",
    "impact_partial": "measured over {covered} of {window}",
    "impact_no_money": ("The feed sends no transaction amounts (scenario_avg_amount), so no money figure "
                        "is given."),
    "impact_none": "No scenario traffic (scenario_tps) was recorded: the impact cannot be measured.",
    "actions": "Action items",
    "actions_intro": "Follow-ups recorded on the incident, each with its owner.",
    "no_actions": "No action items were recorded.",
    "col_action": "Action",
    "col_owner": "Owner",
    "col_due": "Due",
    "col_added": "Added by",
    "ev_action_item": "Action item for {owner}",
    "symptom_grid": "Every other symptom",
    "symptom_grid_intro": ("One small chart per symptom alert not drawn above, on the same time axis; shaded: "
                           "the alert firing; dashed: its threshold."),
    "notes": "Notes",
    "notes_during": "During the incident",
    "notes_review": "Review notes",
    "no_notes": "None.",
    "footer": "Generated by Warroom {version} from {source} at {when}.",
    "local_times": "Times are local ({offset}).",
    "sev_P0": "P0", "sev_P1": "P1", "sev_P2": "P2", "sev_P3": "P3", "sev_info": "info",
    "state_open": "open",
    "state_acknowledged": "acknowledged",
    "state_mitigated": "mitigated",
    "state_recovering": "recovering",
    "state_resolved": "resolved",
    "dur_s": "{s} s",
    "dur_ms": "{m} min {s} s",
    "dur_m": "{m} min",
    "dur_hm": "{h} h {m} min",
    "list_sep": ", ",
}

ZH: dict[str, str] = {
    "doc_title": "事故复盘报告：{id}",
    "heading": "事故复盘报告",
    "summary": "概要",
    "incident": "事故",
    "title": "标题",
    "severity": "级别",
    "state": "状态",
    "root_cause": "根因",
    "owner": "负责人",
    "nobody": "无",
    "started": "问题开始",
    "detected": "发现",
    "acknowledged": "认领",
    "mitigated": "服务恢复（已缓解）",
    "resolved": "已解决（告警全部恢复）",
    "verified": "确认恢复",
    "duration": "持续时间（开始至恢复）",
    "ongoing": "记录结束时仍未恢复",
    "not_yet": "未达到",
    "alert_count": "告警",
    "alert_count_value": "触发 {n} 条（根因 {roots} 条，症状 {folded} 条）",
    "scenarios_affected": "受影响场景",
    "none": "无",
    "window": "分析的记录",
    "kpis": "发现、认领与恢复用时",
    "mttd": "MTTD",
    "mtta": "MTTA",
    "mttr": "MTTR（解决）",
    "mttr_mitigated": "MTTR（缓解）",
    "mttr_mitigated_long": "开始至服务恢复",
    "mttd_long": "开始至发现",
    "mtta_long": "发现至认领",
    "mttr_long": "开始至告警全部恢复",
    "root_still_alerting": "根因仍在告警：已缓解，未解决。",
    "mttr_goal": "MTTR 目标：{goal}。",
    "goal_met": "已达成，还剩 {spare}。",
    "goal_missed": "未达成，超出 {over}。",
    "goal_open": "服务尚未恢复。",
    "timeline": "时间线",
    "col_time": "时间",
    "col_since": "距开始",
    "col_what": "事件",
    "col_subject": "对象",
    "col_who": "操作人",
    "col_detail": "详情",
    "ev_alert_firing": "告警触发",
    "ev_alert_acknowledged": "告警已认领",
    "ev_alert_resolved": "告警恢复",
    "ev_symptoms_firing": "{n} 条症状告警触发",
    "ev_symptoms_resolved": "{n} 条症状告警恢复",
    "ev_symptom_firing": "症状告警触发",
    "ev_symptom_resolved": "症状告警恢复",
    "folded_under": "归并于 {root}",
    "ev_incident_opened": "事故创建",
    "ev_incident_root_cause_changed": "根因变更",
    "ev_incident_escalated": "事故升级",
    "ev_response_missed": "{tier} 响应时限已超（{minutes} 分钟无人认领）：已升级通知",
    "ev_incident_acknowledged": "事故已认领",
    "ev_incident_owner_changed": "负责人变更",
    "ev_incident_mitigated": "用户侧已恢复，根因仍在告警：已缓解",
    "ev_incident_recovering": "告警全部恢复：观察中",
    "ev_incident_reopened": "事故重新打开",
    "ev_incident_resolved": "确认恢复：已解决",
    "ev_incident_merged": "事故合并",
    "ev_note": "备注",
    "ev_deploy": "发布",
    "ev_config_change": "配置变更",
    "ev_fault": "演练：注入故障",
    "ev_fault_cleared": "演练：清除故障",
    "ev_plan": "预案{action}",
    "ev_plan_feed": "平台执行预案",
    "plan_action_previewed": "预览",
    "plan_action_confirmed": "确认",
    "plan_action_sent": "已下发",
    "plan_action_executed": "已生效执行",
    "plan_action_effective": "验证有效",
    "plan_action_not_effective": "无效",
    "plan_action_rolling_back": "申请回滚",
    "plan_action_rolled_back": "已回滚",
    "plan_action_rollback_failed": "回滚失败",
    "plan_action_expiring": "即将到期",
    "plan_action_expired": "已到期",
    "plan_action_failed": "执行失败",
    "plan_action_stage_applying": "阶段下发中",
    "plan_action_stage_applied": "阶段已生效，观察中",
    "plan_action_stage_verifying": "阶段验证中",
    "plan_action_stage_passed": "阶段验证通过",
    "plan_action_stage_failed": "阶段失败：已停止",
    "plan_action_completed": "分级切流完成",
    "plan_action_paused": "已暂停",
    "plan_action_continued": "已继续",
    "plan_action_aborted": "已中止",
    "charts": "触发告警的指标",
    "charts_intro": "各告警指标在事故期间（前后留有余量）的曲线：实线为每个区间的均值，色带为最小值与最大值，"
                    "虚线为告警阈值，阴影为告警触发的时段。",
    "chart_root": "根因",
    "chart_symptom": "症状",
    "chart_more": "另有 {n} 条症状告警未绘制：{names}。",
    "scenario_chart": "业务场景成功率",
    "scenario_chart_unaffected": "未受影响（未绘制）：{names}。",
    "mk_detected": "发现",
    "mk_plan": "预案",
    "mk_mitigated": "缓解",
    "mk_resolved": "解决",
    "mk_worst": "最差",
    "threshold": "阈值 {value}",
    "no_data": "无数据",
    "map": "最差时刻的调用链",
    "worst_moment": "最差时刻：{time}",
    "worst_def": "最差时刻是事故期间（从开始到服务恢复）触发中的告警最多的时刻；若有多个，取整体成功率"
                 "（所有场景按请求量加权）最低的那一刻。",
    "worst_stats": "{n} 条告警触发中；整体成功率 {rate}。",
    "map_legend_ok": "正常",
    "map_legend_warn": "警告",
    "map_legend_crit": "严重",
    "map_legend_unknown": "无数据",
    "map_legend_note": "服务按该时刻的错误率、P99 延迟和负载着色，阈值与控制台相同。",
    "root_cause_badge": "根因",
    "cap_err": "错误 {v}",
    "cap_load": "负载 {v}",
    "no_topology": "没有记录调用关系图。",
    "plans": "执行的应急预案",
    "no_plans": "事故期间没有执行预案。",
    "plan_who": "执行人",
    "plan_when": "确认时间",
    "plan_executed": "生效时间",
    "plan_why": "原因",
    "plan_params": "参数",
    "plan_steps": "步骤",
    "plan_guard": "验证指标",
    "plan_guard_value": "{series} {op} {threshold}，{within}内",
    "plan_before_after": "执行前 → 执行后",
    "plan_verdict": "结论",
    "plan_preview": "影响预览（{time}）",
    "plan_no_guard": "无验证指标",
    "verdict_effective": "有效",
    "verdict_not_effective": "无效",
    "verdict_rolled_back": "已回滚",
    "verdict_expired": "已到期",
    "verdict_failed": "失败",
    "verdict_unverified": "已生效，未验证",
    "verdict_not_run": "未执行",
    "verdict_completed": "全部阶段通过",
    "verdict_stage_failed": "阶段失败",
    "verdict_aborted": "已中止",
    "verdict_staged_under_way": "分级进行中",
    "plan_stages": "阶段",
    "stage_passed": "通过",
    "stage_failed": "失败",
    "stage_aborted": "中止",
    "stage_under_way": "进行中",
    "stage_not_reached": "未到达",
    "fig_item": "",
    "fig_capacity": "容量",
    "fig_load_before": "切换前负载",
    "fig_load_after": "切换后负载",
    "fig_utilisation_after": "切换后使用率",
    "fig_moved": "转移负载",
    "fig_to": "转移至",
    "fig_count": "限流阈值",
    "fig_offered_mean": "请求量（均值）",
    "fig_offered_peak": "请求量（峰值）",
    "fig_rejected_mean": "拒绝量（均值）",
    "fig_rejected_peak": "拒绝量（峰值）",
    "fig_rejected_by_scenario": "拒绝量",
    "fig_switched_off": "关闭的功能",
    "fig_callers": "调用方",
    "fig_load_removed": "减少的负载",
    "fig_load": "负载",
    "fig_standby": "备库",
    "fig_no_estimate": "无法估算",
    "impact": "业务影响",
    "impact_intro": "事故期间（{start} 至 {end}，{duration}）各业务场景：完成的交易笔数、按场景 TPS 学习基线"
                    "（事故前同一时段的正常水平）应完成的笔数，以及两者之差，即损失的交易笔数。",
    "impact_headline": "{duration}内损失 {lost} 笔交易",
    "impact_headline_money": "{duration}内损失 {lost} 笔交易，金额 {money}",
    "col_scenario": "场景",
    "col_expected": "应完成",
    "col_completed": "实际完成",
    "col_lost": "损失",
    "col_worst_success": "最低成功率",
    "col_alerting": "告警时长",
    "col_money": "损失金额",
    "impact_total": "合计",
    "impact_no_baseline": "无基线",
    "impact_partial": "仅统计了 {window} 中的 {covered}",
    "impact_no_money": "数据源未提供交易金额（scenario_avg_amount），因此不给出金额。",
    "impact_none": "没有记录场景交易量（scenario_tps），无法计算业务影响。",
    "actions": "改进措施",
    "actions_intro": "事故中记录的后续改进事项及其负责人。",
    "no_actions": "没有记录改进措施。",
    "col_action": "措施",
    "col_owner": "负责人",
    "col_due": "截止日期",
    "col_added": "记录人",
    "ev_action_item": "改进措施（负责人 {owner}）",
    "symptom_grid": "其余症状告警",
    "symptom_grid_intro": "上文未绘制的每条症状告警各一张小图，时间轴相同；阴影为告警触发时段，虚线为阈值。",
    "notes": "备注",
    "notes_during": "事故期间",
    "notes_review": "复盘备注",
    "no_notes": "无。",
    "footer": "由 Warroom {version} 根据 {source} 于 {when} 生成。",
    "local_times": "时间均为当地时间（{offset}）。",
    "sev_P0": "P0", "sev_P1": "P1", "sev_P2": "P2", "sev_P3": "P3", "sev_info": "信息",
    "state_open": "未处理",
    "state_acknowledged": "已认领",
    "state_mitigated": "已缓解",
    "state_recovering": "恢复观察中",
    "state_resolved": "已解决",
    "dur_s": "{s} 秒",
    "dur_ms": "{m} 分 {s} 秒",
    "dur_m": "{m} 分钟",
    "dur_hm": "{h} 小时 {m} 分",
    "list_sep": "、",
}

CATALOGUES = {"en": EN, "zh_CN": ZH}


def choose_lang(explicit: str | None = None, environ: dict[str, str] | None = None) -> str:
    """The report language: ``explicit`` when given, else Chinese when ``LANG`` (or
    ``LC_ALL``/``LC_MESSAGES``) starts with ``zh``, else English."""
    if explicit:
        if explicit not in CATALOGUES:
            raise ValueError(f"unknown language {explicit!r}: choose one of {', '.join(LANGS)}")
        return explicit
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh_CN" if value.lower().startswith("zh") else "en"
    return "en"


class Text:
    """Words and formats of one language; ``utc_offset_minutes`` is the local time zone."""

    def __init__(self, lang: str = "en", utc_offset_minutes: int = 8 * 60) -> None:
        if lang not in CATALOGUES:
            raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}")
        self.lang = lang
        self._words = CATALOGUES[lang]
        self.offset_minutes = int(utc_offset_minutes)
        self.tz = timezone(timedelta(minutes=self.offset_minutes))

    def __call__(self, key: str, **values: object) -> str:
        """The text of ``key`` with its placeholders filled (English when a key is missing)."""
        template = self._words.get(key, EN.get(key, key))
        return template.format(**values) if values else template

    # -- times -------------------------------------------------------------------------------
    @property
    def offset(self) -> str:
        """``UTC+8``, ``UTC-3:30``, ``UTC``."""
        m = self.offset_minutes
        if m == 0:
            return "UTC"
        sign = "+" if m > 0 else "-"
        h, rest = divmod(abs(m), 60)
        return f"UTC{sign}{h}" + (f":{rest:02d}" if rest else "")

    def local(self, ms: int) -> datetime:
        """An epoch-ms time as a local ``datetime``."""
        return datetime.fromtimestamp(ms / 1000, self.tz)

    def datetime(self, ms: int | None, *, offset: bool = True) -> str:
        """``2024-11-11 10:32:20 UTC+8`` (the date is written the same way in both languages)."""
        if ms is None:
            return "—"
        text = f"{self.local(ms):%Y-%m-%d %H:%M:%S}"
        return f"{text} {self.offset}" if offset else text

    def clock(self, ms: int, seconds: bool = True) -> str:
        """``10:32:20`` (or ``10:32``)."""
        return f"{self.local(ms):%H:%M:%S}" if seconds else f"{self.local(ms):%H:%M}"

    def duration(self, seconds: float | None) -> str:
        """``45 s``, ``1 min 51 s``, ``2 h 5 min`` / ``45 秒``, ``1 分 51 秒``; ``—`` when unknown."""
        if seconds is None or math.isnan(seconds):
            return "—"
        s = int(round(abs(seconds)))
        if s < 60:
            return self("dur_s", s=s)
        if s < 3600:
            m, s = divmod(s, 60)
            return self("dur_ms", m=m, s=s) if s else self("dur_m", m=m)
        h, rest = divmod(s, 3600)
        return self("dur_hm", h=h, m=rest // 60)

    def since(self, ms: int, origin: int) -> str:
        """``T+1:51`` / ``T-0:30`` relative to ``origin`` (minutes:seconds, hours when long)."""
        d = int(round((ms - origin) / 1000))
        sign = "+" if d >= 0 else "−"
        d = abs(d)
        h, rest = divmod(d, 3600)
        m, s = divmod(rest, 60)
        return f"T{sign}{h}:{m:02d}:{s:02d}" if h else f"T{sign}{m}:{s:02d}"

    def count(self, n: float | None) -> str:
        """A whole number of things with thousands separators: ``50,393``; ``—`` when unknown."""
        if n is None or math.isnan(n):
            return "—"
        return f"{round(n):,}".replace("-", "−")

    def money(self, amount: float | None, currency: str) -> str:
        """``CNY 1,234,567`` (whole units; the currency code as the feed gave it)."""
        if amount is None or math.isnan(amount):
            return "—"
        return f"{currency} {self.count(amount)}".strip()

    def join(self, items: list[str]) -> str:
        """Items joined with the language's list separator."""
        return self("list_sep").join(items)

    def severity(self, sev: str) -> str:
        """``P1`` or ``info`` in the language."""
        return self(f"sev_{sev}")

    def state(self, state: str) -> str:
        """An incident state in the language."""
        return self(f"state_{state}") if f"state_{state}" in EN else state
