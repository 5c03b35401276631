"""The patrol report: one self-contained HTML page (inline CSS, no script), English or Chinese.

Like the post-incident report (``warroom.report.html``) it opens offline and prints; names
from the feed are escaped. It says, per service and scenario, pass / warn / fail / unknown
with the figures behind each check and the line each was judged against (and where that line
comes from), the change since the last patrol, and where capacity figures come from.
"""

from __future__ import annotations

import math
from html import escape

from warroom import __version__
from warroom.core.language.lang import pick
from warroom.core.patrol.inspect import Check, Item, Patrol
from warroom.report.text import Text

EN: dict[str, str] = {
    "doc_title": "Patrol report {when}",
    "heading": "Patrol report",
    "eyebrow": "Warroom robot patrol",
    "verdict": "Verdict",
    "lv_pass": "PASS", "lv_warn": "WARN", "lv_fail": "FAIL", "lv_unknown": "UNKNOWN", "lv_none": "—",
    "when": "Patrolled at",
    "window": "Window inspected",
    "source": "Source",
    "counts": "{passed} pass · {warned} warn · {failed} fail · {unknown} unknown",
    "unknown_headroom": "Services with unknown headroom: {n} (no capacity figure or no day of traffic history)",
    "changes": "Change since the last patrol",
    "first": "First patrol of this source: nothing to compare with.",
    "no_change": "No item changed since the last patrol ({when}).",
    "changed_since": "{n} items changed since the last patrol ({when}).",
    "col_item": "Item", "col_before": "Before", "col_after": "Now",
    "gone": "no longer present", "new": "new",
    "services": "Services",
    "scenarios": "Business scenarios",
    "col_service": "Service", "col_scenario": "Scenario", "col_verdict": "Verdict",
    "col_error": "Error ratio", "col_p99": "p99 latency", "col_headroom": "Headroom at the forecast peak",
    "col_success": "Success rate",
    "limit": "warn ≥ {warn} · fail ≥ {fail}",
    "limit_below": "warn < {warn} · fail < {fail}",
    "basis_objective": "declared objective",
    "basis_health": "health threshold (no objective declared)",
    "basis_rules": "default alert rules",
    "no_data": "no data in the window",
    "headroom_value": "peak {peak} of {capacity} req/s ({util} used, {room} free)",
    "headroom_peak_at": "peak expected at {when}",
    "headroom_partial": "the traffic history covers {share} of the coming day",
    "no_capacity": "unknown headroom: no capacity figure for this service",
    "no_forecast": "unknown headroom: no day of traffic history to forecast the peak",
    "load_now": "load now {load} req/s ({util} of capacity)",
    "bottleneck": "bottleneck {name}",
    "bottleneck_unknown": "unknown headroom on {n} of its services",
    "no_capacity_scenario": "unknown headroom: none of its services has a known headroom",
    "about": "How this patrol judges",
    "about_objectives": ("Error ratio and p99 latency are the window's means, judged against the service's declared "
                         "objectives (fail at the objective, warn from 80 % of it) or, where it declares none, the "
                         "console's health thresholds for its kind."),
    "about_headroom": ("Headroom: the forecast peak of the coming day — the time-of-day traffic baseline learned from the "
                       "history, scaled to this window's level — against the service's capacity. Warn from 80 % of "
                       "capacity, fail at 100 %."),
    "about_capacity": ("Capacity comes from the feed's topology (capacity_rps of each service, e.g. from a world "
                       "file). Where the feed gives none, the headroom is unknown: it is never guessed."),
    "about_scenarios": ("Scenarios: success rate against the default alert rules (warn under 99 %, fail under 95 %); "
                        "headroom is that of their tightest service."),
    "footer": "Written by Warroom {version} at {when}.",
}

ZH: dict[str, str] = {
    "doc_title": "巡检报告 {when}",
    "heading": "巡检报告",
    "eyebrow": "Warroom 机器人巡检",
    "verdict": "结论",
    "lv_pass": "通过", "lv_warn": "警告", "lv_fail": "不通过", "lv_unknown": "未知", "lv_none": "—",
    "when": "巡检时间",
    "window": "检查时段",
    "source": "数据源",
    "counts": "通过 {passed} · 警告 {warned} · 不通过 {failed} · 未知 {unknown}",
    "unknown_headroom": "{n} 个服务余量未知（没有容量数据或没有一天的流量历史）",
    "changes": "与上次巡检相比",
    "first": "该数据源的首次巡检：没有可比较的结果。",
    "no_change": "与上次巡检（{when}）相比没有变化。",
    "changed_since": "与上次巡检（{when}）相比有 {n} 项变化。",
    "col_item": "对象", "col_before": "上次", "col_after": "本次",
    "gone": "已不存在", "new": "新增",
    "services": "服务",
    "scenarios": "业务场景",
    "col_service": "服务", "col_scenario": "场景", "col_verdict": "结论",
    "col_error": "错误率", "col_p99": "P99 延迟", "col_headroom": "预测峰值下的容量余量",
    "col_success": "成功率",
    "limit": "≥ {warn} 警告 · ≥ {fail} 不通过",
    "limit_below": "< {warn} 警告 · < {fail} 不通过",
    "basis_objective": "声明的目标（SLO）",
    "basis_health": "健康阈值（未声明目标）",
    "basis_rules": "默认告警规则",
    "no_data": "检查时段内没有数据",
    "headroom_value": "峰值 {peak} / 容量 {capacity} 请求/秒（已用 {util}，余 {room}）",
    "headroom_peak_at": "预计峰值时间 {when}",
    "headroom_partial": "流量历史只覆盖未来一天的 {share}",
    "no_capacity": "余量未知：该服务没有容量数据",
    "no_forecast": "余量未知：没有一天的流量历史，无法预测峰值",
    "load_now": "当前负载 {load} 请求/秒（容量的 {util}）",
    "bottleneck": "瓶颈 {name}",
    "bottleneck_unknown": "其中 {n} 个服务余量未知",
    "no_capacity_scenario": "余量未知：其服务都没有已知余量",
    "about": "巡检的判定方法",
    "about_objectives": "错误率和 P99 延迟取检查时段内的平均值，与服务声明的目标比较（达到目标即不通过，达到目标的 80% 即警告）；未声明目标的服务按控制台对其类型的健康阈值判定。",
    "about_headroom": "容量余量：根据历史学到的分时段流量基线，按本时段的水平缩放，预测未来一天的峰值，再与服务容量比较。达到容量的 80% 警告，达到 100% 不通过。",
    "about_capacity": "容量来自数据源的拓扑（每个服务的 capacity_rps，例如世界文件中的服务）。数据源没有给出容量时，余量为未知，绝不猜测。",
    "about_scenarios": "业务场景：成功率按默认告警规则判定（低于 99% 警告，低于 95% 不通过）；余量取其最紧张的服务。",
    "footer": "由 Warroom {version} 于 {when} 生成。",
}

CATALOGUES = {"en": EN, "zh_CN": ZH}

# Literal colours, no CSS variables: Qt's rich text (a PDF or a picture of the report) knows none.
CSS = """
body { margin:0 auto; max-width:1100px; padding:28px 36px 40px; background:#fff; color:#111820;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Microsoft YaHei",
  "PingFang SC", sans-serif; }
header.top { border-bottom:3px solid #111820; padding-bottom:12px; }
.eyebrow { color:#5b6773; font-size:13px; letter-spacing:.04em; text-transform:uppercase; }
h1 { font-size:26px; margin:4px 0 8px; }
h2 { font-size:19px; margin:28px 0 8px; padding-bottom:4px; border-bottom:1px solid #d5dbe1; }
.badge { display:inline-block; padding:1px 10px; border-radius:10px; font-weight:700; font-size:13px;
  border:1.5px solid; white-space:nowrap; }
.big { font-size:22px; padding:2px 16px; border-radius:14px; }
.lv-pass { color:#2e7d32; border-color:#2e7d32; }
.lv-warn { color:#b26a00; border-color:#b26a00; }
.lv-fail { color:#fff; background:#c62828; border-color:#c62828; }
.lv-unknown, .lv-none { color:#5b6773; border-color:#5b6773; }
table.facts { width:auto; margin-top:8px; } table.facts th { border:0; font-size:14px; padding:2px 18px 2px 0; }
table.facts td { border:0; padding:2px 0; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; vertical-align:top; padding:5px 8px; border-bottom:1px solid #d5dbe1; }
th { font-size:12px; color:#5b6773; font-weight:600; border-bottom:1.5px solid #5b6773; }
td .v { font-weight:600; font-variant-numeric:tabular-nums; }
td .sub { color:#5b6773; font-size:12px; }
tr.row-fail td:first-child { border-left:4px solid #c62828; }
tr.row-warn td:first-child { border-left:4px solid #b26a00; }
.about p { margin:6px 0; color:#5b6773; }
footer { margin-top:30px; color:#5b6773; font-size:12px; border-top:1px solid #d5dbe1; padding-top:8px; }
@media print { body { max-width:none; padding:0; } tr { break-inside:avoid; } }
"""


class _Words:
    def __init__(self, lang: str) -> None:
        if lang not in CATALOGUES:
            raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(CATALOGUES)}")
        self.lang = lang
        self._w = CATALOGUES[lang]

    def __call__(self, key: str, **values: object) -> str:
        template = self._w.get(key, EN.get(key, key))
        return template.format(**values) if values else template


def render_patrol(patrol: Patrol, lang: str = "en", *, utc_offset_minutes: int = 8 * 60,
                  written_ms: int | None = None) -> str:
    """The report of ``patrol`` as one HTML page in ``lang`` (``en`` or ``zh_CN``)."""
    w = _Words(lang)
    t = Text(lang, utc_offset_minutes)
    when = t.datetime(patrol.at_ms)
    counts = patrol.counts()
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh_CN" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(w('doc_title', when=when))}</title><style>{CSS}</style></head><body>",
        '<header class="top">',
        f'<div class="eyebrow">{escape(w("eyebrow"))}</div>',
        f'<h1>{escape(w("heading"))} {_badge(w, patrol.verdict, big=True)}</h1>',
        '<table class="facts">',
        f"<tr><th>{escape(w('when'))}</th><td>{escape(when)}</td></tr>",
        (f"<tr><th>{escape(w('window'))}</th><td>{escape(t.datetime(patrol.start_ms))} — "
         f"{escape(t.clock(patrol.end_ms))} ({escape(t.duration((patrol.end_ms - patrol.start_ms) / 1000))})</td></tr>"),
        f"<tr><th>{escape(w('source'))}</th><td>{escape(patrol.source or '—')}</td></tr>",
        f"<tr><th>{escape(w('verdict'))}</th><td>{escape(w('counts', passed=counts['pass'], warned=counts['warn'], failed=counts['fail'], unknown=counts['unknown']))}"
        + (f"<br>{escape(w('unknown_headroom', n=patrol.unknown_headroom))}" if patrol.unknown_headroom else "")
        + "</td></tr></table></header>",
    ]
    parts += _changes(w, t, patrol, lang)
    services = [i for i in patrol.items if i.kind == "service"]
    scenarios = [i for i in patrol.items if i.kind == "scenario"]
    if services:
        parts.append(f"<h2>{escape(w('services'))}</h2><table><thead><tr>"
                     + "".join(f"<th>{escape(w(k))}</th>" for k in ("col_service", "col_verdict", "col_error", "col_p99", "col_headroom"))
                     + "</tr></thead><tbody>")
        for item in _worst_first(services):
            parts.append(_row(item, lang, [
                _objective(w, item.check("error_ratio"), _pct), _objective(w, item.check("p99"), _secs),
                _headroom(w, t, item.check("headroom"), patrol, lang)], w))
        parts.append("</tbody></table>")
    if scenarios:
        parts.append(f"<h2>{escape(w('scenarios'))}</h2><table><thead><tr>"
                     + "".join(f"<th>{escape(w(k))}</th>" for k in ("col_scenario", "col_verdict", "col_success", "col_headroom"))
                     + "</tr></thead><tbody>")
        for item in _worst_first(scenarios):
            parts.append(_row(item, lang, [_objective(w, item.check("success"), _pct, below=True),
                                           _headroom(w, t, item.check("headroom"), patrol, lang)], w))
        parts.append("</tbody></table>")
    parts.append(f'<section class="about"><h2>{escape(w("about"))}</h2>'
                 + "".join(f"<p>{escape(w(k))}</p>" for k in ("about_objectives", "about_headroom", "about_capacity", "about_scenarios"))
                 + "</section>")
    written = t.datetime(written_ms if written_ms is not None else patrol.at_ms)
    parts.append(f"<footer>{escape(w('footer', version=__version__, when=written))} "
                 f"{escape(t('local_times', offset=t.offset))}</footer></body></html>")
    return "\n".join(parts)


def _badge(w: _Words, level: str | None, big: bool = False) -> str:
    lv = level or "none"
    return f'<span class="badge lv-{lv}{" big" if big else ""}">{escape(w("lv_" + lv))}</span>'


def _worst_first(items: list[Item]) -> list[Item]:
    order = {"fail": 0, "warn": 1, "unknown": 2, "pass": 3}
    return sorted(items, key=lambda i: order[i.level])  # stable: topology order within a level


def _label(item: Item, lang: str) -> str:
    return pick(item.title or item.name, item.titles, lang)


def _row(item: Item, lang: str, cells: list[str], w: _Words) -> str:
    name = escape(_label(item, lang))
    sub = f'<br><span class="sub">{escape(item.name)}</span>' if _label(item, lang) != item.name else ""
    return (f'<tr class="row-{item.level}"><td>{name}{sub}</td><td>{_badge(w, item.level)}</td>'
            + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")


def _pct(x: float) -> str:
    if x != 0 and abs(x) < 0.001:
        return f"{x * 100:.3f} %"
    return f"{x * 100:.2f} %".replace(".00 %", " %")


def _whole_pct(x: float) -> str:
    return f"{x * 100:.0f} %"


def _secs(x: float) -> str:
    return f"{x * 1000:,.0f} ms" if x < 1 else f"{x:.2f} s"


def _num(x: float) -> str:
    return f"{x:,.0f}"


def _objective(w: _Words, c: Check | None, fmt, below: bool = False) -> str:
    if c is None:
        return "—"
    if c.value is None:
        return f"{_badge(w, c.level)} <span class=\"sub\">{escape(w('no_data'))}</span>"
    limit = w("limit_below" if below else "limit", warn=fmt(c.warn), fail=fmt(c.fail))
    basis = w("basis_" + c.basis) if ("basis_" + c.basis) in EN else c.basis
    return (f'{_badge(w, c.level)} <span class="v">{escape(fmt(c.value))}</span>'
            f'<br><span class="sub">{escape(limit)} · {escape(basis)}</span>')


def _headroom(w: _Words, t: Text, c: Check | None, patrol: Patrol, lang: str) -> str:
    if c is None:
        return "—"
    d = c.detail
    lines: list[str] = []
    if c.value is None:
        lines.append(w("no_capacity_scenario") if c.basis == "no_capacity" and "unknown_services" in d
                     else w(c.basis) if c.basis in ("no_capacity", "no_forecast") else c.basis)
        load, util = d.get("load_now"), d.get("load_now_utilisation")
        if isinstance(load, float) and isinstance(util, float):
            lines.append(w("load_now", load=_num(load), util=_whole_pct(util)))
        return f"{_badge(w, c.level)} " + "".join(f'<br><span class="sub">{escape(x)}</span>' for x in lines)
    head = w("headroom_value", peak=_num(float(d["peak"])), capacity=_num(float(d["capacity"])),
             util=_whole_pct(c.value), room=_whole_pct(max(0.0, 1 - c.value)))
    if "bottleneck" in d:
        item = next((i for i in patrol.items if i.kind == "service" and i.name == d["bottleneck"]), None)
        lines.append(w("bottleneck", name=_label(item, lang) if item else str(d["bottleneck"])))
        if d.get("unknown_services"):
            lines.append(w("bottleneck_unknown", n=d["unknown_services"]))
    if isinstance(d.get("peak_at_ms"), int):
        lines.append(w("headroom_peak_at", when=t.clock(int(d["peak_at_ms"]), seconds=False)))
    cov = d.get("coverage")
    if isinstance(cov, float) and cov < 0.999 and not math.isnan(cov):
        lines.append(w("headroom_partial", share=_whole_pct(cov)))
    return (f'{_badge(w, c.level)} <span class="v">{escape(head)}</span>'
            + "".join(f'<br><span class="sub">{escape(x)}</span>' for x in lines))


def _changes(w: _Words, t: Text, patrol: Patrol, lang: str) -> list[str]:
    out = [f"<h2>{escape(w('changes'))}</h2>"]
    if patrol.previous_at_ms is None:
        out.append(f"<p>{escape(w('first'))}</p>")
        return out
    before = t.datetime(patrol.previous_at_ms)
    if not patrol.changes:
        out.append(f"<p>{escape(w('no_change', when=before))}</p>")
        return out
    out.append(f"<p>{escape(w('changed_since', n=len(patrol.changes), when=before))}</p>")
    out.append("<table><thead><tr>" + "".join(f"<th>{escape(w(k))}</th>" for k in ("col_item", "col_before", "col_after"))
               + "</tr></thead><tbody>")
    items = {i.key: i for i in patrol.items}
    for ch in patrol.changes:
        item = items.get(ch.key)
        name = _label(item, lang) if item else ch.key.partition(":")[2]
        before_cell = _badge(w, ch.before) if ch.before else escape(w("new"))
        after_cell = _badge(w, ch.after) if ch.after else escape(w("gone"))
        out.append(f"<tr><td>{escape(name)}</td><td>{before_cell}</td><td>{after_cell}</td></tr>")
    out.append("</tbody></table>")
    return out
