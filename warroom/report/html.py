"""The report as one self-contained HTML page: inline CSS and SVG, no script, no external file.

It opens offline in any browser and prints on A4 (sections and figures do not split
across pages where avoidable). Every string that comes from the history (titles, notes,
actors, reasons, service names) is escaped; the words around them come from
``warroom.report.text``.
"""

from __future__ import annotations

from html import escape
from typing import Any, Callable

from warroom.core.model import SeriesKey
from warroom.report.drill import CSS as DRILL_CSS
from warroom.report.drill import badge_html as drill_badge
from warroom.report.drill import section_html as drill_section
from warroom.report.facts import Marker, Note, PlanFacts, Report, TimelineRow
from warroom.report.svg import chart_svg, map_svg
from warroom.report.text import Text
from warroom.report.units import RATE, RATIO, format_value, unit_of

CSS = """
:root { --ink:#111820; --dim:#5b6773; --line:#d5dbe1; --ok:#2e7d32; --warn:#b26a00; --crit:#c62828; --accent:#1565c0; }
* { box-sizing: border-box; }
html { background:#f4f6f8; }
body { margin:0 auto; max-width:1000px; padding:28px 36px 40px; background:#fff; color:var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Microsoft YaHei",
  "PingFang SC", sans-serif; }
header.top { border-bottom:3px solid var(--ink); padding-bottom:14px; margin-bottom:8px; }
.eyebrow { color:var(--dim); font-size:13px; letter-spacing:.04em; text-transform:uppercase; }
h1 { font-size:26px; line-height:1.25; margin:4px 0 10px; }
h2 { font-size:19px; margin:30px 0 10px; padding-bottom:4px; border-bottom:1px solid var(--line); }
h3 { font-size:15px; margin:18px 0 6px; }
.badges { display:flex; gap:8px; align-items:center; flex-wrap:wrap; font-size:14px; }
.badge { display:inline-block; padding:1px 9px; border-radius:10px; font-weight:700; font-size:13px;
  border:1.5px solid; }
.sev-P0, .sev-P1 { color:#fff; background:var(--crit); border-color:var(--crit); }
.sev-P2 { color:var(--warn); border-color:var(--warn); }
.sev-P3, .sev-info { color:var(--dim); border-color:var(--dim); }
.st-resolved, .v-effective { color:var(--ok); border-color:var(--ok); }
.st-recovering { color:var(--accent); border-color:var(--accent); }
.st-mitigated { color:var(--warn); border-color:var(--warn); }
.st-open, .st-acknowledged, .v-not_effective, .v-failed { color:var(--crit); border-color:var(--crit); }
.v-rolled_back, .v-expired, .v-unverified, .v-not_run { color:var(--warn); border-color:var(--warn); }
.root { font-weight:700; color:var(--crit); }
dl.facts { display:grid; grid-template-columns: max-content 1fr; gap:4px 18px; margin:0; }
dl.facts dt { color:var(--dim); }
dl.facts dd { margin:0; }
.kpis { display:grid; grid-template-columns:repeat(3, 1fr); gap:12px; }
.kpi { border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.kpi .name { font-weight:700; font-size:15px; }
.kpi .long { color:var(--dim); font-size:12px; }
.kpi .value { font-size:30px; font-weight:700; line-height:1.2; margin-top:4px; font-variant-numeric:tabular-nums; }
.kpi.missed { border-color:var(--crit); } .kpi.missed .value { color:var(--crit); }
.kpi.met { border-color:var(--ok); } .kpi.met .value { color:var(--ok); }
.goal { margin:8px 0 0; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; vertical-align:top; padding:4px 8px; border-bottom:1px solid var(--line); }
th { font-size:12px; color:var(--dim); font-weight:600; border-bottom:1.5px solid var(--dim); }
td.t { white-space:nowrap; font-variant-numeric:tabular-nums; }
td.since { white-space:nowrap; color:var(--dim); font-variant-numeric:tabular-nums; }
tr.tone-crit td.what { color:var(--crit); font-weight:600; }
tr.tone-ok td.what { color:var(--ok); font-weight:600; }
tr.tone-warn td.what { color:var(--warn); font-weight:600; }
td.detail .names { color:var(--dim); }
td.subj, td.who { white-space:nowrap; }
td.what { min-width:9em; }
tr.day td { font-weight:700; background:#f4f6f8; border-bottom:1px solid var(--dim); }
.muted { color:var(--dim); }
figure { margin:14px 0 20px; }
figcaption { font-weight:600; margin-bottom:4px; }
figcaption .kind { font-weight:600; font-size:11px; text-transform:uppercase; letter-spacing:.05em; padding:0 6px;
  border-radius:4px; margin-right:6px; border:1px solid; }
figcaption .kind.root-kind { color:#fff; background:var(--crit); border-color:var(--crit); }
figcaption .kind.symptom-kind { color:var(--dim); }
svg.chart, svg.map { width:100%; height:auto; display:block; }
.legend { display:flex; gap:16px; flex-wrap:wrap; font-size:13px; margin-top:6px; }
.legend span::before { content:""; display:inline-block; width:14px; height:14px; border-radius:3px; margin-right:5px;
  vertical-align:-2px; border:2px solid var(--c); background:var(--f); }
.plan { border:1px solid var(--line); border-radius:8px; padding:4px 16px 12px; margin:12px 0; }
.plan table.kv th { width:170px; border-bottom:1px solid var(--line); color:var(--dim); font-size:13px;
  font-weight:400; }
.plan table.fig { width:auto; min-width:60%; margin-top:4px; }
.plan table.fig td.n, .plan table.fig th.n { text-align:right; font-variant-numeric:tabular-nums; }
ol.steps { margin:0; padding-left:20px; }
ul.notes { list-style:none; padding:0; margin:0; }
ul.notes li { border-left:3px solid var(--line); padding:2px 0 2px 12px; margin:8px 0; }
ul.notes .text { white-space:pre-wrap; }
.grid { display:grid; grid-template-columns:repeat(3, 1fr); gap:8px 14px; margin:8px 0 16px; }
.grid figure { margin:0; break-inside:avoid; }
table.impact td.n, table.impact th.n { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
table.impact tr.total td { font-weight:700; border-top:1.5px solid var(--dim); }
table.impact tr.unaffected td { color:var(--dim); }
.headline { font-size:20px; font-weight:700; color:var(--crit); margin:4px 0 8px; }
td.due { white-space:nowrap; font-variant-numeric:tabular-nums; }
footer { margin-top:36px; padding-top:8px; border-top:1px solid var(--line); color:var(--dim); font-size:12px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size:12.5px; }
@page { size:A4; margin:14mm 12mm; }
@media print {
  html { background:#fff; }
  body { max-width:none; padding:0; font-size:11.5px; }
  h1 { font-size:21px; } h2 { font-size:16px; margin-top:20px; break-after:avoid; }
  figure, .plan, .kpis, tr, dl.facts, ul.notes li { break-inside:avoid; }
  .headline { font-size:16px; }
  section.map-section { break-before:page; }
  .kpi .value { font-size:24px; }
}
"""


def e(value: Any) -> str:
    """HTML-escaped text of any value (quotes too: safe in attributes)."""
    return escape("" if value is None else str(value), quote=True)


#: For Qt's rich text (the PDF writer): no grid, no flex, no custom properties.
SIMPLE_CSS = """
body { color:#111820; font-family: "Noto Sans", "Noto Sans CJK SC", sans-serif; font-size:10pt; }
.eyebrow, .muted, .long, th { color:#5b6773; }
h1 { font-size:17pt; } h2 { font-size:13pt; margin-top:16px; } h3 { font-size:11pt; }
th { text-align:left; font-weight:normal; }
td, th { padding:2px 6px; }
.root { font-weight:bold; color:#c62828; }
.badge { font-weight:bold; }
.sev-P0, .sev-P1 { color:#ffffff; background-color:#c62828; }
.sev-P2, .st-mitigated, .v-rolled_back, .v-expired, .v-unverified, .v-not_run { color:#b26a00; }
.st-resolved, .v-effective, .met { color:#2e7d32; }
.st-open, .st-acknowledged, .v-not_effective, .v-failed, .missed { color:#c62828; }
.value { font-size:18pt; font-weight:bold; }
.name { font-weight:bold; }
tr.tone-crit td.what { color:#c62828; font-weight:bold; }
tr.tone-ok td.what { color:#2e7d32; font-weight:bold; }
tr.tone-warn td.what { color:#b26a00; font-weight:bold; }
tr.day td { font-weight:bold; background-color:#eef1f4; }
.kind { font-size:8pt; font-weight:bold; }
.root-kind { color:#c62828; }
code { font-family: monospace; }
.n { text-align:right; }
.headline { font-size:14pt; font-weight:bold; color:#c62828; }
tr.total td { font-weight:bold; }
tr.unaffected td { color:#5b6773; }
"""


#: The sections after the charts, in the order a page shows them.
LATE_SECTIONS = ("map", "plans", "actions", "notes")


def render_html(report: Report, text: Text, *, embed: Callable[[str, str], str] | None = None,
                simple: bool = False, late: tuple[str, ...] = LATE_SECTIONS) -> str:
    """The whole page.

    For Qt's rich text (the PDF writer in ``warroom.ui.report_pdf``): ``simple`` lays the
    page out with tables only, and ``embed(svg, kind)`` returns what stands in for each
    inline SVG (``kind`` is ``chart`` or ``map``), e.g. an ``<img>`` of it rasterised.
    ``late`` orders the sections after the charts (``LATE_SECTIONS``): the PDF may let the
    map float past a section, as print does with a figure that does not fit its page.
    """
    page = _Page(text, embed, simple)
    s = report.summary
    when = text.datetime(report.generated_ms)
    html_lang = "zh-CN" if text.lang == "zh_CN" else "en"
    parts = [
        "<!DOCTYPE html>", f'<html lang="{html_lang}">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="Warroom {e(report.version)}">',
        f"<title>{e(text('doc_title', id=s.id))}</title>",
        f"<style>{SIMPLE_CSS if simple else CSS + DRILL_CSS}</style>",
        "</head>", "<body>",
        _header(report, text), _summary(report, page), _impact(report, page), _kpis(report, page),
        drill_section(report.drill, text, simple=simple),
        _timeline(report, text), _charts(report, page),
        *({"map": lambda: _map(report, page), "plans": lambda: _plans(report, text),
           "actions": lambda: _actions(report, page), "notes": lambda: _notes(report, text)}[name]()
          for name in late),
        f'<footer>{e(text("footer", version=report.version, source=report.source or "?", when=when))}'
        f" {e(text('local_times', offset=text.offset))}</footer>",
        "</body>", "</html>",
    ]
    return "\n".join(parts)


class _Page:
    """How the page is made: the language, and the Qt rich-text variant (see ``render_html``)."""

    def __init__(self, text: Text, embed: Callable[[str, str], str] | None, simple: bool) -> None:
        self.t = text
        self.embed = embed
        self.simple = simple

    def svg(self, svg: str, kind: str) -> str:
        return self.embed(svg, kind) if self.embed is not None else svg


# -- sections ------------------------------------------------------------------------------------
def _header(r: Report, t: Text) -> str:
    s = r.summary
    return (f'<header class="top"><div class="eyebrow">{e(t("heading"))} · {e(s.id)}</div>'
            f"<h1>{e(s.title)}</h1><div class=\"badges\">"
            f'<span class="badge sev-{e(s.severity)}">&nbsp;{e(t.severity(s.severity))}&nbsp;</span> '
            f'<span class="badge st-{e(s.state)}">{e(t.state(s.state))}</span>{drill_badge(r.drill, t)} &nbsp; '
            f'<span>{e(t("root_cause"))}: '
            f'<span class="root">{e(s.root_cause_name or s.root_cause or "—")}</span></span>'
            "</div></header>")


def _summary(r: Report, page: _Page) -> str:
    t = page.t
    s = r.summary
    not_yet = t("not_yet")

    def when(ms: int | None) -> str:
        return e(t.datetime(ms)) if ms is not None else f'<span class="muted">{e(not_yet)}</span>'

    duration = e(t.duration(s.duration_s)) if s.duration_s is not None else e(t("ongoing"))
    scenarios = t.join([f"{title} ({sid})" if title != sid else sid for sid, title in s.scenarios]) or t("none")
    rows = [
        ("incident", f"<code>{e(s.id)}</code>"), ("title", e(s.title)),
        ("severity", e(t.severity(s.severity))), ("state", e(t.state(s.state))),
        ("root_cause", f'<span class="root">{e(s.root_cause_name or s.root_cause or "—")}</span>'
                       + (f' <span class="muted">(<code>{e(s.root_cause)}</code>)</span>'
                          if s.root_cause_name and s.root_cause_name != s.root_cause else "")),
        ("owner", e(s.owner) if s.owner else f'<span class="muted">{e(t("nobody"))}</span>'),
        ("started", when(s.started_ms)), ("detected", when(s.detected_ms)), ("acknowledged", when(s.acked_ms)),
        ("mitigated", when(s.mitigated_ms)), ("resolved", when(s.resolved_ms)), ("verified", when(s.verified_ms)),
        ("duration", duration),
        ("alert_count", e(t("alert_count_value", n=s.alerts, roots=s.root_alerts, folded=s.alerts - s.root_alerts))),
        ("scenarios_affected", e(scenarios)),
    ]
    if page.simple:
        body = "".join(f"<tr><th>{e(t(k))}</th><td>{v}</td></tr>" for k, v in rows)
        return f'<h2>{e(t("summary"))}</h2><table class="facts">{body}</table>'
    body = "".join(f"<dt>{e(t(k))}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<section id="summary"><h2>{e(t("summary"))}</h2><dl class="facts">{body}</dl></section>'


def _kpis(r: Report, page: _Page) -> str:
    t = page.t
    k = r.kpis
    tiles = []
    restored = k.mttr_mitigated_s if k.mttr_mitigated_s is not None else k.mttr_s  # the goal: service restored
    for name, value in (("mttd", k.mttd_s), ("mtta", k.mtta_s), ("mttr_mitigated", restored), ("mttr", k.mttr_s)):
        cls = ""
        if name == "mttr_mitigated" and value is not None:
            cls = " met" if value <= k.goal_s else " missed"
        if page.simple:
            tiles.append(f'<td width="25%"><span class="name">{e(t(name))}</span><br><span class="long">'
                         f'{e(t(name + "_long"))}</span><br>'
                         f'<span class="value{cls}">{e(t.duration(value))}</span></td>')
            continue
        tiles.append(f'<div class="kpi{cls}"><div class="name">{e(t(name))}</div><div class="long">'
                     f'{e(t(name + "_long"))}</div><div class="value">{e(t.duration(value))}</div></div>')
    goal = t("mttr_goal", goal=t.duration(k.goal_s))
    if restored is None:
        verdict = t("goal_open")
    elif restored <= k.goal_s:
        verdict = t("goal_met", spare=t.duration(k.goal_s - restored))
    else:
        verdict = t("goal_missed", over=t.duration(restored - k.goal_s))
    if r.summary.state == "mitigated" and r.summary.root_firing:
        verdict += " " + t("root_still_alerting")
    if page.simple:
        return (f'<h2>{e(t("kpis"))}</h2><table width="100%" border="1" cellspacing="0" cellpadding="6" '
                f'style="border-color:#d5dbe1"><tr>{"".join(tiles)}</tr></table>'
                f'<p class="goal">{e(goal)} {e(verdict)}</p>')
    return (f'<section id="kpis"><h2>{e(t("kpis"))}</h2><div class="kpis">{"".join(tiles)}</div>'
            f'<p class="goal">{e(goal)} {e(verdict)}</p></section>')


def _timeline(r: Report, t: Text) -> str:
    origin = r.summary.started_ms
    head = "".join(f"<th>{e(t(c))}</th>" for c in ("col_time", "col_since", "col_what", "col_subject", "col_who",
                                                    "col_detail"))
    rows = []
    last_day = None
    for row in r.timeline:
        day = t.local(row.ts).date()
        if day != last_day:  # a date line whenever the day changes, so the time column stays narrow
            rows.append(f'<tr class="day"><td colspan="6">{e(day.isoformat())}</td></tr>')
            last_day = day
        rows.append(f'<tr class="tone-{e(row.tone or "none")}"><td class="t">{e(t.clock(row.ts))}</td>'
                    f'<td class="since">{e(t.since(row.ts, origin))}</td><td class="what">{e(_what(row, t))}</td>'
                    f'<td class="subj">{e(row.subject)}</td><td class="who">{e(row.actor)}</td>'
                    f'<td class="detail">{_detail(row, t)}</td></tr>')
    return (f'<section id="timeline"><h2>{e(t("timeline"))}</h2>'
            f'<p class="muted">{e(t("local_times", offset=t.offset))}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def _what(row: TimelineRow, t: Text) -> str:
    args = dict(row.what_args)
    if row.what == "ev_plan":
        args["action"] = t(f"plan_action_{args.get('action', '')}")
    return t(row.what, **args)


def _detail(row: TimelineRow, t: Text) -> str:
    if row.subjects:
        under = t("folded_under", root=row.subject) if row.subject else ""
        return f'{e(under)}: <span class="names">{e(t.join(list(row.subjects)))}</span>'
    return e(row.detail)


def _charts(r: Report, page: _Page) -> str:
    t = page.t
    figs = []
    for c in r.charts:
        a = c.alert
        kind = "root" if a is not None and a.root else "symptom"
        if page.simple:  # the caption inside the picture: a page break cannot part them
            heading = (t("chart_" + kind).upper() if t.lang == "en" else t("chart_" + kind), c.title)
            svg = chart_svg(c, r.markers, t, label=c.title, heading=heading)
            figs.append(f'<p align="center">{page.svg(svg, "chart")}</p>')
            continue
        tag = f'<span class="kind {kind}-kind">{e(t("chart_" + kind))}</span> '
        sub = f' <span class="muted">— <code>{e(a.series.text)}</code></span>' if a is not None else ""
        figs.append(f"<figure><figcaption>{tag}{e(c.title)}{sub}</figcaption>"
                    f"{page.svg(chart_svg(c, r.markers, t, label=c.title), 'chart')}</figure>")
    more = _grid(r, page)
    sc = ""
    if r.scenario_chart is not None:
        markers = (*r.markers, *_worst_marker(r))
        note = ""
        if r.scenarios_unaffected:
            names = t.join(list(r.scenarios_unaffected))
            note = f'<p class="muted">{e(t("scenario_chart_unaffected", names=names))}</p>'
        if page.simple:
            svg = chart_svg(r.scenario_chart, markers, t, label=t("scenario_chart"), heading=("", t("scenario_chart")))
            sc = f'<p align="center">{page.svg(svg, "chart")}</p>{note}'
        else:
            sc = (f'<figure><figcaption>{e(t("scenario_chart"))}</figcaption>'
                  f'{page.svg(chart_svg(r.scenario_chart, markers, t, label=t("scenario_chart")), "chart")}'
                  f'</figure>{note}')
    return (f'<section id="charts"><h2>{e(t("charts"))}</h2><p class="muted">{e(t("charts_intro"))}</p>'
            f"{''.join(figs)}{more}{sc}</section>")


def _grid(r: Report, page: _Page) -> str:
    """Every symptom not charted in full, as small multiples: three a row, same time axis."""
    t = page.t
    if not r.symptom_grid:
        return ""
    cells = [page.svg(chart_svg(c, r.markers, t, label=c.title, small=True), "small") for c in r.symptom_grid]
    head = (f'<h3>{e(t("symptom_grid"))} ({len(cells)})</h3>'
            f'<p class="muted">{e(t("symptom_grid_intro"))}</p>')
    if page.simple:  # Qt's rich text: a table of images, a row never split across pages
        rows = ["<tr>" + "".join(f'<td width="33%">{c}</td>' for c in cells[i:i + 3]) + "</tr>"
                for i in range(0, len(cells), 3)]
        return f'{head}<table width="100%" cellspacing="0" cellpadding="2">{"".join(rows)}</table>'
    return head + '<div class="grid">' + "".join(f"<figure>{c}</figure>" for c in cells) + "</div>"


def _impact(r: Report, page: _Page) -> str:
    """Transactions lost per scenario, the worst success rate, how long it alerted; money when known."""
    t = page.t
    head = f'<section id="impact"><h2>{e(t("impact"))}</h2>'
    imp = r.impact
    if imp is None:
        return f'{head}<p class="muted">{e(t("impact_none"))}</p></section>'
    window_s = (imp.end_ms - imp.start_ms) / 1000
    duration = t.duration(window_s)
    money = imp.lost_amounts
    lost = imp.lost_tx
    headline = ""
    if lost is not None:
        key = "impact_headline_money" if money else "impact_headline"
        headline = t(key, lost=t.count(max(lost, 0.0)), duration=duration,
                     money=t.join([t.money(v, c) for c, v in sorted(money.items())]))
        headline = f'<p class="headline">{e(headline)}</p>'
    intro = t("impact_intro", start=t.datetime(imp.start_ms), end=t.datetime(imp.end_ms), duration=duration)
    cols = ["col_scenario", "col_expected", "col_completed", "col_lost", "col_worst_success", "col_alerting"]
    if money:
        cols.append("col_money")
    num = ' class="n"'
    th = "".join(f'<th{"" if c == "col_scenario" else num}>{e(t(c))}</th>' for c in cols)
    rows = []
    for sc in imp.scenarios:
        if sc.lost_tx is None:
            lost_cell = f'<span class="muted">{e(t("impact_no_baseline"))}</span>'
        else:
            pct = f" ({format_value(sc.lost_ratio, RATIO)})" if sc.lost_ratio is not None and sc.lost_tx > 0 else ""
            lost_cell = f"<b>{e(t.count(sc.lost_tx))}</b>{e(pct)}"
        name = e(sc.title if sc.title == sc.scenario else f"{sc.title} ({sc.scenario})")
        if sc.lost_tx is not None and sc.covered_s < window_s - 1:
            name += (f'<br><span class="muted">'
                     f'{e(t("impact_partial", covered=t.duration(sc.covered_s), window=duration))}</span>')
        cells = [name, e(t.count(sc.expected_tx)), e(t.count(sc.actual_tx)), lost_cell,
                 e(format_value(sc.worst_success, RATIO)),
                 e(t.duration(sc.alert_s)) if sc.alert_s else "—"]
        if money:
            cells.append(e(t.money(sc.lost_amount, sc.currency)) if sc.lost_amount is not None else "—")
        cls = "" if sc.affected else ' class="unaffected"'
        rows.append(f"<tr{cls}>" + "".join(f'<td{"" if i == 0 else num}>{c}</td>'
                                           for i, c in enumerate(cells)) + "</tr>")
    if lost is not None:
        total = [e(t("impact_total")), e(t.count(sum(s.expected_tx or 0 for s in imp.scenarios if s.lost_tx is not None))),
                 e(t.count(sum(s.actual_tx or 0 for s in imp.scenarios if s.lost_tx is not None))),
                 e(t.count(lost)), "", ""]
        if money:
            total.append(e(t.join([t.money(v, c) for c, v in sorted(money.items())])))
        rows.append('<tr class="total">' + "".join(f'<td{"" if i == 0 else num}>{c}</td>'
                                                   for i, c in enumerate(total)) + "</tr>")
    note = "" if money else f'<p class="muted">{e(t("impact_no_money"))}</p>'
    return (f'{head}{headline}<p class="muted">{e(intro)}</p>'
            f'<table class="impact"><thead><tr>{th}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f"{note}</section>")


def _actions(r: Report, page: _Page) -> str:
    """The action items with their owners and due dates."""
    t = page.t
    head = f'<section id="actions"><h2>{e(t("actions"))}</h2>'
    if not r.action_items:
        return f'{head}<p class="muted">{e(t("no_actions"))}</p></section>'
    th = "".join(f"<th>{e(t(c))}</th>" for c in ("col_action", "col_owner", "col_due", "col_added"))
    rows = "".join(
        f'<tr><td class="text">{e(i.text)}</td><td class="who"><b>{e(i.owner)}</b></td>'
        f'<td class="due">{e(i.due or "—")}</td>'
        f'<td class="who">{e(i.actor)}<br><span class="muted">{e(t.datetime(i.ts))}</span></td></tr>'
        for i in r.action_items)
    return (f'{head}<p class="muted">{e(t("actions_intro"))}</p>'
            f"<table><thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table></section>")


def _worst_marker(r: Report) -> tuple[Marker, ...]:
    return (Marker(r.worst_ms, "worst"),)


def _map(r: Report, page: _Page) -> str:
    t = page.t
    head = f'<section id="map" class="map-section"><h2>{e(t("map"))}</h2>'
    if r.map is None:
        return f'{head}<p class="muted">{e(t("no_topology"))}</p></section>'
    stats = t("worst_stats", n=r.worst_firing, rate=format_value(r.worst_success, RATIO))
    levels = (("ok", "#2e7d32", "#eef7ef"), ("warn", "#b26a00", "#fff3e0"), ("crit", "#c62828", "#ffe3e3"),
              ("unknown", "#78848f", "#eceff1"))
    if page.simple:
        legend = " &nbsp; ".join(f'<span style="color:{c}">■</span> {e(t("map_legend_" + lvl))}'
                                 for lvl, c, _ in levels)
    else:
        legend = "".join(f'<span style="--c:{c};--f:{f}">{e(t("map_legend_" + lvl))}</span>'
                         for lvl, c, f in levels)
    intro = (f'{head}<p><b>{e(t("worst_moment", time=t.datetime(r.worst_ms)))}</b> '
             f'({e(t.since(r.worst_ms, r.summary.started_ms))})<br>{e(stats)}</p>'
             f'<p class="muted">{e(t("worst_def"))}</p>')
    if page.simple:  # Qt's rich text has no <figure>: the map its own paragraph, so it is laid out (and kept) whole
        return (f'{intro}<p align="center">{page.svg(map_svg(r.map, t), "map")}</p><p>{legend}</p>'
                f'<p class="muted">{e(t("map_legend_note"))}</p></section>')
    return (f'{intro}<figure>{page.svg(map_svg(r.map, t), "map")}'
            f'<div class="legend">{legend}</div><p class="muted">{e(t("map_legend_note"))}</p></figure></section>')


def _plans(r: Report, t: Text) -> str:
    head = f'<section id="plans"><h2>{e(t("plans"))}</h2>'
    if not r.plans:
        return f'{head}<p class="muted">{e(t("no_plans"))}</p></section>'
    return head + "".join(_plan(p, t) for p in r.plans) + "</section>"


def _plan(p: PlanFacts, t: Text) -> str:
    verdicts = "".join(f'<span class="badge v-{e(v)}">{e(t("verdict_" + v))}</span>' for v in p.verdicts)
    guard_unit = RATIO
    if p.guard:
        g = p.guard
        try:
            guard_unit = unit_of(SeriesKey.parse(str(g.get("series", ""))).name)
        except ValueError:
            guard_unit = "plain"
        threshold = g.get("threshold")
        within = g.get("within_s")
        guard = e(t("plan_guard_value", series=g.get("series", ""), op=g.get("op", ""),
                    threshold=format_value(threshold if isinstance(threshold, (int, float)) else None, guard_unit),
                    within=t.duration(within if isinstance(within, (int, float)) else None)))
        guard = f"<code>{guard}</code>"
    else:
        guard = e(t("plan_no_guard"))
    before_after = f"{e(format_value(p.before, guard_unit))} → {e(format_value(p.after, guard_unit))}"
    params = "<br>".join(f"<code>{e(k)}</code>: {e(_plain(v))}" for k, v in p.params.items()) or "—"
    steps = ("<ol class=\"steps\">" + "".join(f"<li>{e(s)}</li>" for s in p.steps) + "</ol>") if p.steps else "—"
    rows = [
        ("plan_who", e(p.actor)), ("plan_when", e(t.datetime(p.confirmed_ms))),
        ("plan_executed", e(t.datetime(p.executed_ms))), ("plan_why", e(p.reason)),
        ("plan_params", params), ("plan_steps", steps), ("plan_guard", guard),
        ("plan_before_after", before_after), ("plan_verdict", verdicts),
    ]
    if p.stages:  # a staged shift: how far it climbed
        tone = {"passed": "effective", "failed": "failed", "aborted": "rolled_back", "under_way": "unverified",
                "not_reached": "not_run"}
        ladder = " → ".join(f'<span class="badge v-{tone.get(how, "not_run")}">{e(name)} · {e(t("stage_" + how))}</span>'
                            for name, how in p.stages)
        rows.insert(6, ("plan_stages", ladder))
    body = "".join(f"<tr><th>{e(t(k))}</th><td>{v}</td></tr>" for k, v in rows)
    preview = ""
    if p.preview:
        preview = (f"<h3>{e(t('plan_preview', time=t.datetime(p.preview_ms)))}</h3>"
                   f"{_figures(p.preview, t)}")
    return (f'<div class="plan"><h3>{e(p.title)} <span class="muted">(<code>{e(p.plan_id)}</code>)</span></h3>'
            f'<table class="kv">{body}</table>{preview}</div>')


def _figures(figures: dict[str, Any], t: Text) -> str:
    """An impact preview's figures: per-item numbers as a table, the rest as a list."""
    tables = {k: v for k, v in figures.items() if isinstance(v, dict)}
    flat = {k: v for k, v in figures.items() if not isinstance(v, dict)}
    out = []
    if flat:
        out.append("<p>" + " · ".join(f"{e(_fig_name(k, t))}: <b>{e(_fig_value(k, v))}</b>"
                                      for k, v in flat.items()) + "</p>")
    if tables:
        tables = dict(sorted(tables.items(), key=lambda kv: (_FIG_ORDER.index(kv[0]) if kv[0] in _FIG_ORDER
                                                             else len(_FIG_ORDER), kv[0])))
        items = list(dict.fromkeys(i for v in tables.values() for i in v))
        head = "<th></th>" + "".join(f'<th class="n">{e(_fig_name(k, t))}</th>' for k in tables)
        body = "".join(
            f"<tr><td>{e(item)}</td>" + "".join(f'<td class="n">{e(_fig_value(k, v.get(item)))}</td>'
                                                for k, v in tables.items()) + "</tr>"
            for item in items)
        out.append(f'<table class="fig"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
    return "".join(out)


_FIG_ORDER = ("load_before", "load_after", "capacity", "utilisation_after", "rejected_by_scenario")


def _fig_name(key: str, t: Text) -> str:
    word = t(f"fig_{key}")
    return key if word == f"fig_{key}" else word


def _fig_value(key: str, v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "—" if v is None else str(v)
    if isinstance(v, (int, float)):
        if "utilisation" in key or key.endswith("_ratio"):
            return format_value(float(v), RATIO)
        if any(w in key for w in ("load", "moved", "offered", "rejected", "capacity", "count")):
            return format_value(float(v), RATE)
        return format_value(float(v), "plain")
    return _plain(v)


def _plain(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(_plain(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}={_plain(x)}" for k, x in v.items())
    return str(v)


def _notes(r: Report, t: Text) -> str:
    def items(notes: tuple[Note, ...]) -> str:
        if not notes:
            return f'<p class="muted">{e(t("no_notes"))}</p>'
        return '<ul class="notes">' + "".join(
            f'<li><span class="muted">{e(t.datetime(n.ts))} · {e(n.actor)}</span>'
            f'<div class="text">{e(n.text)}</div></li>'
            for n in notes) + "</ul>"

    return (f'<section id="notes"><h2>{e(t("notes"))}</h2><h3>{e(t("notes_during"))}</h3>{items(r.notes)}'
            f'<h3>{e(t("notes_review"))}</h3>{items(r.review_notes)}</section>')

