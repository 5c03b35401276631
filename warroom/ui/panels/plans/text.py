"""Plans in plain words: impact previews, guards, expiries, run states and times.

The core hands the console figures (``Impact.figures``), not sentences, so that the console
can say them in the reader's language: "Would reject 1,234 req/s now (18% of 6,800
offered)", "Moves 2,100 req/s from ICBC gateway to CCB gateway 900 / ABC gateway 700",
"qr_pay success ≥ 99% within 60 s". Names of services and scenarios are data and stay as
the feed sends them. Every function is cheap and pure apart from Qt's translation lookup.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from PySide6.QtCore import QCoreApplication

from warroom.core.plan.impact import Impact
from warroom.core.model import SeriesKey
from warroom.core.language.names import current_names
from warroom.core.language.lang import language, pick
from warroom.core.plan.plan_runs import EXPIRY_WARNING_MS, PlanRun
from warroom.core.plan.plans import Guard, Plan
from warroom.core.graph.topology import Topology

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls

#: Plans are listed failover first: the plan that moves traffic away from a broken part is
#: the one most often wanted, a rate limit hurts users, a degrade is the mildest; a rollback
#: only helps after a deploy, when it is suggested (and so listed first) anyway.
KIND_ORDER = ("failover", "rate_limit", "degrade", "rollback", "shift")
#: The feed's clock shown as in the event list (the platform runs on UTC+8).
UTC_OFFSET_MINUTES = 8 * 60
_PLACEHOLDER = re.compile(r"%(\d+)")


def fill(text: str, *args: Any) -> str:
    """Qt-style ``%1``, ``%2``… placeholders filled with ``args`` in one pass (a value that
    contains ``%`` — ``18%`` — is never read as a placeholder)."""
    return _PLACEHOLDER.sub(lambda m: str(args[int(m.group(1)) - 1]) if 0 < int(m.group(1)) <= len(args)
                            else m.group(0), text)


# -- numbers, times, durations -------------------------------------------------------------
def rate(v: float | None) -> str:
    """Requests per second with thousands separators: ``1,234``; an em dash when unknown."""
    if v is None or not math.isfinite(v):
        return "—"
    return f"{v:,.0f}"


def percent(ratio: float | None) -> str:
    """``18%``; ``0.4%`` below one percent; an em dash when unknown."""
    if ratio is None or not math.isfinite(ratio):
        return "—"
    pct = ratio * 100
    return f"{pct:.1f}%" if 0 < abs(pct) < 1 else f"{pct:.0f}%"


def kpi_value(series: str, v: float | None) -> str:
    """A guard KPI's value: ratios as percentages with a decimal (``99.6%``), others as numbers."""
    if v is None or not math.isfinite(v):
        return "—"
    if _name(series).endswith("_ratio"):
        return f"{math.floor(v * 1000 + 1e-6) / 10:.1f}%"  # never rounds a failing 98.96% up to 99.0%
    return f"{v:,.4g}"


def time_text(ms: int | None, utc_offset_minutes: int = UTC_OFFSET_MINUTES) -> str:
    """``HH:MM:SS`` of a feed timestamp; an em dash when unknown."""
    if ms is None:
        return "—"
    return datetime.fromtimestamp(ms / 1000.0, timezone(timedelta(minutes=utc_offset_minutes))).strftime("%H:%M:%S")


def duration_text(seconds: float | None) -> str:
    """``45 s``, ``10 min``, ``1 h``, ``1 h 30 min``."""
    if seconds is None:
        return "—"
    s = max(0, int(round(seconds)))
    if s < 120:
        return f"{s} s"
    m = s // 60
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h" + (f" {m} min" if m else "")


def countdown(ms: int) -> str:
    """Time left as ``0:45`` or ``12:05`` (minutes:seconds), never negative."""
    s = max(0, int(ms // 1000))
    return f"{s // 60}:{s % 60:02d}"


# -- kinds and states ------------------------------------------------------------------------
def kind_word(kind: str) -> str:
    """The kind's chip text: ``FAILOVER``, ``RATE LIMIT``, ``DEGRADE``, ``ROLLBACK`` (others as sent)."""
    words = {"failover": translate("PlansPanel", "FAILOVER"), "rate_limit": translate("PlansPanel", "RATE LIMIT"),
             "degrade": translate("PlansPanel", "DEGRADE"), "rollback": translate("PlansPanel", "ROLLBACK"),
             "shift": translate("PlansPanel", "SHIFT")}
    return words.get(kind, kind.replace("_", " ").upper())


def stage_name(name: str) -> str:
    """A ladder stage's name in the console's language (``whitelist`` → ``白名单``)."""
    from warroom.core.plan.stages import Stage

    return Stage(name, 0.0, 0.0).label(language())


def kind_rank(kind: str) -> int:
    """Sort position of a kind (unknown kinds last)."""
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def run_state(run: PlanRun) -> tuple[str, str]:
    """A run's state as a word for the list, and its level (``ok``, ``warn``, ``crit``,
    ``accent`` for under way, ``dim`` for over)."""
    return {
        "confirmed": (translate("PlansPanel", "EXECUTING"), "accent"),
        "sent": (translate("PlansPanel", "EXECUTING"), "accent"),
        "executed": (translate("PlansPanel", "IN FORCE"), "accent"),
        "effective": (translate("PlansPanel", "EFFECTIVE"), "ok"),
        "not_effective": (translate("PlansPanel", "NOT EFFECTIVE"), "crit"),
        "rolling_back": (translate("PlansPanel", "ROLLING BACK"), "warn"),
        "failed": (translate("PlansPanel", "FAILED"), "crit"),
        "rolled_back": (translate("PlansPanel", "rolled back"), "dim"),
        "expired": (translate("PlansPanel", "expired"), "dim"),
    }.get(run.state, (run.state, "dim"))


# -- guards and expiries ---------------------------------------------------------------------
def _name(series: str) -> str:
    try:
        return SeriesKey.parse(series).name
    except ValueError:
        return series


def series_words(series: str) -> str:
    """A guard series as words: "QR-code payment success", "Trade error rate"; else its text."""
    try:
        key = SeriesKey.parse(series)
    except ValueError:
        return series
    labels = dict(key.labels)
    who = labels.get("scenario") or labels.get("service") or ""
    # People read names ("QR-code payment success"); the series text stays in tooltips.
    who = current_names().display("scenario" if "scenario" in labels else "service", who) if who else ""
    words = {
        "scenario_success_ratio": translate("PlansPanel", "success"),
        "service_error_ratio": translate("PlansPanel", "error rate"),
        "scenario_requests_rate": translate("PlansPanel", "requests"),
        "service_requests_rate": translate("PlansPanel", "requests"),
        "service_saturation_ratio": translate("PlansPanel", "saturation"),
    }.get(key.name)
    if words is None or not who or len(labels) > 1:
        return key.text
    return f"{who} {words}"


def _guard_parts(guard: Guard | Mapping[str, Any]) -> tuple[str, str]:
    if isinstance(guard, Guard):
        series, op, threshold, within = guard.series, guard.op, guard.threshold, guard.within_s
    else:
        series, op, threshold, within = guard["series"], guard["op"], guard["threshold"], guard["within_s"]
    sign = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}.get(op, op)
    limit = f"{threshold * 100:g}%" if _name(series).endswith("_ratio") else f"{threshold:g}"
    return series, fill(translate("PlansPanel", "%1 %2 within %3"), sign, limit, duration_text(within))


def guard_condition(guard: Guard | Mapping[str, Any]) -> str:
    """What the guard KPI must reach, and by when: ``≥ 99% within 60 s``."""
    return _guard_parts(guard)[1]


def guard_text(guard: Guard | Mapping[str, Any] | None) -> str:
    """``qr_pay success ≥ 99% within 60 s``; "no guard" when the plan has none."""
    if guard is None:
        return translate("PlansPanel", "no guard KPI: check by hand that it worked")
    series, condition = _guard_parts(guard)
    return f"{series_words(series)} {condition}"


def guard_holds(guard: Mapping[str, Any] | None, value: float | None) -> bool | None:
    """Whether ``value`` satisfies a run's guard (None when either is unknown)."""
    if guard is None or value is None:
        return None
    op, t = guard["op"], guard["threshold"]
    return {"<": value < t, "<=": value <= t, ">": value > t, ">=": value >= t}.get(op)


def expiry_text(plan: Plan) -> str:
    """When the plan ends by itself, if it does."""
    if not plan.expiry_s:
        return translate("PlansPanel", "none: stays in force until rolled back")
    return fill(translate("PlansPanel", "rolls back by itself %1 after execution (warning %2 before)"),
                duration_text(plan.expiry_s), duration_text(EXPIRY_WARNING_MS / 1000))


# -- impact ----------------------------------------------------------------------------------
def _label(topology: Topology, name: str) -> str:
    return topology.service(name).label if name in topology else name


def _scenario_title(topology: Topology, scenario_id: str) -> str:
    for sc in topology.scenarios:
        if sc.id == scenario_id:
            return sc.label
    return scenario_id


def impact_lines(plan: Plan, impact: Impact, topology: Topology) -> list[str]:
    """The preview of ``plan``'s impact as sentences, the most important first."""
    f = impact.figures
    lines: list[str] = []
    if "unknown_target" in f:  # nothing on the map to act on: say only that
        return [fill(translate("PlansPanel", "Unknown target %1: the feed's topology does not have it, "
                                             "so there is nothing to preview."), f["unknown_target"])]
    if not impact.estimated:
        why = f.get("no_estimate") or translate("PlansPanel", "no recent data")
        lines.append(fill(translate("PlansPanel", "No estimate: %1."), why))
    if impact.kind == "rate_limit" and impact.estimated:
        lines += _rate_limit_lines(f, topology)
    elif impact.kind == "degrade":
        lines += _degrade_lines(f, topology)
    elif impact.kind == "failover" and "moved" in f:
        lines += _bank_lines(plan.target, f, topology)
    elif impact.kind == "rollback" and "service" in f:
        lines += _rollback_lines(f, topology)
    elif impact.kind == "shift" and "stage_utilisation" in f:
        use = ", ".join(f"{stage_name(k)} {percent(u)}" for k, u in f["stage_utilisation"].items())
        lines.append(fill(translate("PlansPanel", "Moves up to %1 req/s from %2 to %3, stage by stage."),
                          rate(f["moved"]), _label(topology, plan.target), _label(topology, f["to"])))
        lines.append(fill(translate("PlansPanel", "Share of %1's capacity in use at each stage: %2."),
                          _label(topology, f["to"]), use))
    elif impact.kind == "failover" and "load" in f:
        standby = f" ({f['standby']})" if f.get("standby") else ""
        use = percent(f["load"] / f["capacity"]) if f.get("capacity") else translate("PlansPanel", "unknown")
        lines.append(fill(translate("PlansPanel", "Switches %1 to its standby%2: %3 req/s of load, %4 of capacity."),
                          _label(topology, plan.target), standby, rate(f["load"]), use))
    if impact.scenarios and not (impact.kind == "rate_limit" and impact.estimated):  # said with the losses
        titles = [_scenario_title(topology, s) for s in impact.scenarios]
        lines.append(fill(translate("PlansPanel", "Scenarios touched: %1."), ", ".join(titles)))
    return lines


def _rate_limit_lines(f: Mapping[str, Any], topology: Topology) -> list[str]:
    count, mean, peak = f["count"], f["offered_mean"], f["offered_peak"]
    rejected, rejected_peak = f["rejected_mean"], f["rejected_peak"]
    if rejected > 0:
        lines = [fill(translate("PlansPanel", "Would reject %1 req/s now (%2 of %3 offered), up to %4 at the peak."),
                      rate(rejected), percent(rejected / mean if mean else math.nan), rate(mean), rate(rejected_peak))]
    elif rejected_peak > 0:
        lines = [fill(translate("PlansPanel",
                                "Would reject nothing on average now (%1 req/s offered), up to %2 req/s at the peak."),
                      rate(mean), rate(rejected_peak))]
    else:
        lines = [fill(translate("PlansPanel",
                                "Would reject nothing now: %1 req/s offered (peak %2) is under the limit."),
                      rate(mean), rate(peak))]
    lines.append(fill(translate("PlansPanel", "Admits at most %1 req/s (Sentinel FlowRule count)."), rate(count)))
    losers = sorted(((v, s) for s, v in (f.get("rejected_by_scenario") or {}).items() if v >= 0.5), reverse=True)
    if losers:
        lines.append(fill(translate("PlansPanel", "Scenarios losing traffic: %1."),
                          ", ".join(f"{_scenario_title(topology, s)} {rate(v)} req/s" for v, s in losers)))
    return lines


def _rollback_lines(f: Mapping[str, Any], topology: Topology) -> list[str]:
    name = _label(topology, f["service"])
    if "load" not in f:
        return [fill(translate("PlansPanel", "Redeploys the previous version of %1."), name)]
    err = percent(f.get("error_ratio"))
    return [fill(translate("PlansPanel", "Redeploys the previous version of %1: %2 req/s of load, %3 errors now."),
                 name, rate(f["load"]), err)]


def _degrade_lines(f: Mapping[str, Any], topology: Topology) -> list[str]:
    off = ", ".join(_label(topology, s) for s in f.get("switched_off") or ())
    edge = f.get("edge")
    if edge and not off:  # one caller's breaker: the service itself goes on for the others
        caller, callee = (_label(topology, x) for x in edge)
        if "load_removed" in f:
            return [fill(translate("PlansPanel", "Stops the calls from %1 to %2; removes %3 req/s."),
                         caller, callee, rate(f["load_removed"]))]
        return [fill(translate("PlansPanel", "Stops the calls from %1 to %2."), caller, callee)]
    if "load_removed" in f:
        lines = [fill(translate("PlansPanel", "Switches off %1; removes %2 req/s."), off, rate(f["load_removed"]))]
    else:
        lines = [fill(translate("PlansPanel", "Switches off %1."), off)]
    callers = f.get("callers") or ()
    if callers:
        lines.append(fill(translate("PlansPanel", "Its callers (%1) go on without it."),
                          ", ".join(_label(topology, c) for c in callers)))
    return lines


def _bank_lines(bank: str, f: Mapping[str, Any], topology: Topology) -> list[str]:
    before, after = f["load_before"], f["load_after"]
    gets = sorted(((after[b] - before[b], b) for b in f["to"]), reverse=True)
    share = " / ".join(f"{_label(topology, b)} {rate(v)}" for v, b in gets)
    lines = [fill(translate("PlansPanel", "Moves %1 req/s from %2 to %3."), rate(f["moved"]), _label(topology, bank),
                  share)]
    util = f.get("utilisation_after") or {}
    parts = [fill(translate("PlansPanel", "%1 at %2"), _label(topology, b), percent(util.get(b))) for _, b in gets]
    if parts:
        lines.append(fill(translate("PlansPanel", "After the move: %1 of capacity."), ", ".join(parts)))
    return lines


def impact_level(impact: Impact) -> str:
    """How loud the preview's warnings are: ``crit`` when the plan overloads or cuts something
    core, ``warn`` for other warnings, ``""`` when there are none."""
    if not impact.warnings:
        return ""
    f = impact.figures
    if impact.kind == "failover" and any(u >= 1.0 for u in (f.get("utilisation_after") or {}).values()
                                         if u is not None and math.isfinite(u)):
        return "crit"
    if impact.kind == "degrade":
        return "crit"  # the only warning a degrade gives: a core service goes
    if impact.kind == "rate_limit" and f.get("offered_mean") and f.get("rejected_mean", 0) / f["offered_mean"] >= 0.5:
        return "crit"
    return "warn"


# -- the feed's dry run (PlanDesk.dry_run) ----------------------------------------------------
#: Longest before/after value shown (characters of compact JSON); the rest is "…".
STATE_CHARS = 240


def change_status(dry: Any) -> tuple[str, str]:
    """What the change block says about a ``DryRun`` besides the change itself, and its
    colour level (``dim``, ``warn``): "" while the change is shown and current."""
    reason = str(getattr(dry, "reason", "") or "")
    state = getattr(dry, "state", "")
    if state == "asking":
        return ("", "dim") if dry.change is not None else (translate("PlansPanel", "Asking the feed…"), "dim")
    if state == "unsupported":
        return translate("PlansPanel", "This feed does not preview changes"), "dim"
    if state == "refused":
        return translate("PlansPanel", "The feed refused the dry run: %1").replace("%1", reason), "warn"
    if state == "failed":
        return translate("PlansPanel", "The dry run failed: %1").replace("%1", reason), "warn"
    if state == "no_answer":
        return translate("PlansPanel", "No answer from the feed: %1").replace("%1", reason), "warn"
    return "", "dim"


def change_summary(change: Mapping[str, Any]) -> str:
    """The change's one-line summary, in the console's language when the feed gave it."""
    summaries = change.get("summaries")
    return pick(str(change.get("summary") or ""), summaries if isinstance(summaries, Mapping) else None)


def change_where(change: Mapping[str, Any]) -> str:
    """``sentinel · sentinel:10.0.0.5:8719``: the executor and what it acts on."""
    return " · ".join(p for p in (str(change.get("executor") or ""), str(change.get("target") or "")) if p)


def request_line(request: Mapping[str, Any]) -> str:
    """``POST http://10.0.0.5:8719/setRules?type=flow``: what goes over the wire, no body."""
    method = str(request.get("method") or "").upper()
    url = str(request.get("url") or "")
    return f"{method} {url}".strip()


def state_text(value: Any, limit: int = STATE_CHARS) -> str:
    """A before/after state as compact JSON on one line, cut at ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):  # a cycle or a strange key: shown as Python would
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def before_after_text(change: Mapping[str, Any]) -> str:
    """"Before: …" then "→ After: …" (each when the feed gave it) on two lines, or ""."""
    lines = []
    if change.get("before") is not None:
        lines.append(translate("PlansPanel", "Before: %1").replace("%1", state_text(change["before"])))
    if change.get("after") is not None:
        after = translate("PlansPanel", "After: %1").replace("%1", state_text(change["after"]))
        lines.append(f"→ {after}" if lines else after)  # before → after
    return "\n".join(lines)
