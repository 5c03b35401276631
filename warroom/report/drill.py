"""The drill scorecard in words: a section of the post-incident report and the lines of ``warroom drill``.

A drill incident's report says, at the top, that it was a drill (a DRILL badge) and that
production MTTR leaves it out, then scores the drill: MTTD, MTTA, MTTR to mitigation against the
one-minute goal, MTTR to resolution, the time from the fault to the first plan verified
effective, and plan effectiveness (``warroom.core.incident.drills.scorecard``). A report has no
Qt, so the words are here in both languages, as in ``warroom.report.text``.
"""

from __future__ import annotations

from html import escape
from collections.abc import Iterable

from warroom.core.incident.drills import DrillScore, drill_of, scorecard
from warroom.core.model import Event, EventKind
from warroom.report.text import Text

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "badge": "DRILL",
        "heading": "Drill scorecard",
        "intro": ("This incident happened in drill “{name}”: it is not counted in production MTTR. "
                  "The drill is scored on its own."),
        "drill": "Drill",
        "window": "Drill window",
        "running": "still running",
        "incidents": "Drill incidents",
        "faults": "Faults injected",
        "mttd": "MTTD (start to detection)",
        "mtta": "MTTA (detection to acknowledgement)",
        "mttr_goal": "MTTR: fault to service restored",
        "mttr_goal_incident": "MTTR: start to service restored",
        "mttr_mitigated": "Incident MTTR to mitigation",
        "mttr": "MTTR to resolution",
        "plans": "Plan effectiveness",
        "plans_value": "{effective} of {executed} runs verified effective ({share})",
        "plans_none": "no plan executed",
        "goal": "Goal: service restored within {goal}.",
        "met": "Met, {spare} to spare.",
        "missed": "Missed by {over}.",
        "open": "Not restored during the drill.",
        "not_reached": "not reached",
        "cli_head": "drill scorecard: {name}",
    },
    "zh_CN": {
        "badge": "演练",
        "heading": "演练评分",
        "intro": "本事件发生在演练“{name}”中：不计入生产 MTTR，演练单独评分。",
        "drill": "演练",
        "window": "演练时段",
        "running": "仍在进行",
        "incidents": "演练事件",
        "faults": "注入故障",
        "mttd": "MTTD（开始到发现）",
        "mtta": "MTTA（发现到确认）",
        "mttr_goal": "MTTR：故障到服务恢复",
        "mttr_goal_incident": "MTTR：开始到服务恢复",
        "mttr_mitigated": "事件 MTTR（至止损）",
        "mttr": "MTTR（至解决）",
        "plans": "预案有效率",
        "plans_value": "{executed} 次执行中 {effective} 次验证有效（{share}）",
        "plans_none": "未执行预案",
        "goal": "目标：{goal} 内恢复服务。",
        "met": "达成，余 {spare}。",
        "missed": "超出 {over}。",
        "open": "演练期间未恢复。",
        "not_reached": "未达到",
        "cli_head": "演练评分：{name}",
    },
}


def words(lang: str) -> dict[str, str]:
    """The scorecard's words in ``lang`` (English for a language it does not know)."""
    return WORDS.get(lang, WORDS["en"])


def score_of_incident(events: Iterable[Event], incident_id: str) -> DrillScore | None:
    """The scorecard of the drill ``incident_id`` belongs to; ``None`` for a production incident."""
    evs = list(events)
    did = next((drill_of(e) for e in evs if e.kind is EventKind.INCIDENT
                and e.attrs.get("incident") == incident_id and drill_of(e)), "")
    if not did:
        return None
    return next((s for s in scorecard(evs) if s.id == did), None)


def verdict(score: DrillScore, t: Text) -> str:
    """``Goal: service restored within 1 min. Met, 12 s to spare.``"""
    w = words(t.lang)
    head = w["goal"].format(goal=t.duration(score.goal_s))
    restored = score.mttr_goal_s
    if restored is None:
        return f"{head} {w['open']}"
    if restored <= score.goal_s:
        return f"{head} {w['met'].format(spare=t.duration(score.goal_s - restored))}"
    return f"{head} {w['missed'].format(over=t.duration(restored - score.goal_s))}"


def rows(score: DrillScore, t: Text) -> list[tuple[str, str, str]]:
    """(label, value, tone) per line of the scorecard; tone ``met``/``missed``/``""``."""
    w = words(t.lang)

    def d(v: float | None) -> str:
        return t.duration(v) if v is not None else w["not_reached"]

    window = t.datetime(score.start_ms) if score.start_ms is not None else "—"
    window += " – " + (t.datetime(score.end_ms) if score.end_ms is not None else w["running"])
    goal_tone = "" if score.met_goal is None else ("met" if score.met_goal else "missed")
    if score.plans_executed:
        share = f"{score.effectiveness:.0%}" if score.effectiveness is not None else "—"
        plans = w["plans_value"].format(effective=score.plans_effective, executed=score.plans_executed, share=share)
        plans_tone = "met" if score.plans_effective == score.plans_executed else "missed"
    else:
        plans, plans_tone = w["plans_none"], ""
    return [
        (w["drill"], score.title, ""),
        (w["window"], window, ""),
        (w["faults"], str(score.faults), ""),
        (w["incidents"], str(len(score.incidents)), ""),
        (w["mttd"], d(score.mttd_s), ""),
        (w["mtta"], d(score.mtta_s), ""),
        (w["mttr_goal"] if score.restored_s is not None else w["mttr_goal_incident"], d(score.mttr_goal_s),
         goal_tone),
        (w["mttr_mitigated"], d(score.mttr_mitigated_s), ""),
        (w["mttr"], d(score.mttr_s), ""),
        (w["plans"], plans, plans_tone),
    ]


def badge_html(score: DrillScore | None, t: Text) -> str:
    """The DRILL badge of the report's header ('' for production)."""
    if score is None:
        return ""
    return f' <span class="badge drill">{escape(words(t.lang)["badge"])}</span>'


def section_html(score: DrillScore | None, t: Text, *, simple: bool = False) -> str:
    """The scorecard section ('' for a production incident)."""
    if score is None:
        return ""
    w = words(t.lang)
    body = "".join(
        f'<tr class="{tone}"><th>{escape(label)}</th><td>{escape(value)}</td></tr>'
        for label, value, tone in rows(score, t))
    intro = escape(w["intro"].format(name=score.title))
    table = f'<table class="facts drill-score">{body}</table>'
    tail = f'<p class="goal">{escape(verdict(score, t))}</p>'
    if simple:
        return f'<h2>{escape(w["heading"])}</h2><p>{intro}</p>{table}{tail}'
    return f'<section id="drill"><h2>{escape(w["heading"])}</h2><p class="drill-intro">{intro}</p>{table}{tail}</section>'


#: Styles of the drill badge and section (added to the page's CSS).
CSS = """
.badge.drill { color:#fff; background:#6a1b9a; border-color:#6a1b9a; letter-spacing:.08em; }
.drill-intro { border-left:4px solid #6a1b9a; padding:4px 10px; background:#f6effa; }
table.drill-score th { width:40%; }
table.drill-score tr.met td { color:var(--ok); font-weight:700; }
table.drill-score tr.missed td { color:var(--crit); font-weight:700; }
"""


def text_lines(scores: Iterable[DrillScore], lang: str = "en") -> list[str]:
    """The scorecards as terminal lines (``warroom drill``, ``warroom history``)."""
    t = Text(lang if lang in WORDS else "en")
    out = []
    for score in scores:
        out.append(words(t.lang)["cli_head"].format(name=score.title))
        width = max(len(label) for label, _, _ in rows(score, t))
        for label, value, tone in rows(score, t)[1:]:
            mark = {"met": "  ✓", "missed": "  ✗"}.get(tone, "")
            out.append(f"  {label.ljust(width)}  {value}{mark}")
        out.append(f"  {verdict(score, t)}")
    return out
