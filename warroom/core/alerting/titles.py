"""Title text that never contradicts its numbers (pure).

A rule's title template gets, beside the raw ``{value}`` and ``{threshold}``:

- ``{value_text}`` / ``{threshold_text}``: both in the rule's ``unit`` and with a **common
  precision**, the least that still tells them apart: "99.47 % (< 99.00 %)" can no longer read
  as "99.47 % (< 99 %)", and a value just past its limit never prints equal to it. Durations
  pick one readable unit for both (ms, s, min, h).
- ``{basis}``: what the value was compared with, in the title's language: "×21 vs usual
  2.4 ms for 10:30" (a learned baseline), "objective 500 ms" (a declared objective), "limit
  > 2.0 s, no baseline yet" (the cold-start fallback), "limit > 2.0 s" (a fixed threshold).
- ``{usual}`` (the baseline's expected value, NaN without one), ``{delta}`` ("−35 %") and
  ``{at}`` (local "HH:MM").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

UNITS = ("", "s", "ratio", "rps")
#: Where a limit came from (``Basis.mode``).
MODES = ("fixed", "baseline", "objective", "cold", "cadence")

_WORDS = {
    "en": {"vs": "{delta} vs usual {usual} for {at}", "objective": "objective {t}", "limit": "limit {op} {t}",
           "cold": "limit {op} {t}, no baseline yet", "cadence": "expected every {t}",
           "worst": " (worst while active)", "ms": "ms", "s": "s", "min": "min", "h": "h", "rps": "req/s"},
    "zh_CN": {"vs": "较 {at} 常态 {usual} {delta}", "objective": "目标 {t}", "limit": "阈值 {op} {t}",
              "cold": "阈值 {op} {t}，尚无基线", "cadence": "应每 {t} 一次",
              "worst": "（期间最差值）", "ms": "毫秒", "s": "秒", "min": "分钟", "h": "小时", "rps": "次/秒"},
}


def words(lang: str | None) -> dict[str, str]:
    """The phrases for ``lang`` (``zh``, ``zh_CN``… → Chinese; anything else English)."""
    return _WORDS["zh_CN"] if lang and lang.lower().startswith("zh") else _WORDS["en"]


@dataclass(frozen=True)
class Basis:
    """What a value was judged against: ``mode`` (``MODES``), the operator, the learned usual
    value (NaN without a baseline) and the local time of day of the value (minutes)."""

    mode: str = "fixed"
    op: str = ">"
    usual: float = math.nan
    minute_of_day: int = -1


def _decimals(x: float) -> int:
    a = abs(x)
    return 0 if a >= 10 or a == 0 else 1 if a >= 1 else 2


def _scale(unit: str, magnitude: float, lang: str | None) -> tuple[float, str]:
    """Divisor and suffix for a unit, chosen from the magnitude."""
    w = words(lang)
    if unit == "s":
        if magnitude < 1:
            return 0.001, " " + w["ms"]
        if magnitude < 120:
            return 1.0, " " + w["s"]
        if magnitude < 7200:
            return 60.0, " " + w["min"]
        return 3600.0, " " + w["h"]
    if unit == "ratio":
        return 0.01, " %"
    if unit == "rps":
        return 1.0, " " + w["rps"]
    return 1.0, ""


def _num(x: float, d: int) -> str:
    if not math.isfinite(x):
        return "—"
    return f"{x:,.{d}f}"


def pair(value: float, threshold: float | None, unit: str = "", lang: str | None = None) -> tuple[str, str]:
    """``value`` and ``threshold`` as text in one unit and the least common precision that
    keeps them apart (and in the right order) when they differ."""
    t = math.nan if threshold is None else threshold
    finite = [abs(x) for x in (value, t) if math.isfinite(x)]
    div, suffix = _scale(unit, max(finite, default=0.0) if unit != "s" or not math.isfinite(value)
                         else abs(value), lang)
    v, tt = value / div, t / div
    d = _decimals(v) if math.isfinite(v) else _decimals(tt) if math.isfinite(tt) else 0  # the value's precision
    if unit == "ratio" and math.isfinite(v) and v not in (0.0, 100.0):
        # Percentages: one decimal (64.6 %), two under 1 % and between 99 and 100 %, where
        # the digits are the news (0.35 % errors, 99.47 % success); 0 % and 100 % plain.
        d = 2 if abs(v) < 1 or 99 <= v < 99.995 else 1
    while d < 6 and math.isfinite(v) and math.isfinite(tt) and v != tt and round(v, d) == round(tt, d):
        d += 1
    return _num(v, d) + suffix, _num(tt, d) + suffix


def one(value: float, unit: str = "", lang: str | None = None) -> str:
    """One value as text in its unit."""
    return pair(value, None, unit, lang)[0]


def delta_text(value: float, usual: float) -> str:
    """The change from ``usual``: a signed percentage ("+85 %", "−35 %"), or a multiple from
    three times up ("×21"); "" without one."""
    if not (math.isfinite(value) and math.isfinite(usual)) or usual == 0:
        return ""
    times = value / usual
    if usual > 0 and times >= 3:
        return f"×{times:.1f}" if times < 10 else f"×{times:,.0f}"
    pct = (value - usual) / abs(usual) * 100
    text = f"{pct:+,.0f} %" if abs(pct) >= 10 else f"{pct:+.1f} %"
    return text.replace("-", "\u2212")


def at_text(minute_of_day: int) -> str:
    """Local time of day as ``HH:MM`` ("" when unknown)."""
    if minute_of_day < 0:
        return ""
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def fields(value: float, threshold: float | None, unit: str, basis: Basis, lang: str | None) -> dict[str, object]:
    """The extra title fields (see the module docstring) for one language."""
    w = words(lang)
    v_text, t_text = pair(value, threshold, unit, lang)
    usual_text = one(basis.usual, unit, lang) if math.isfinite(basis.usual) else ""
    delta, at = delta_text(value, basis.usual), at_text(basis.minute_of_day)
    if basis.mode == "baseline" and usual_text:
        phrase = w["vs"].format(delta=delta, usual=usual_text, at=at).strip()
    elif basis.mode == "objective":
        phrase = w["objective"].format(t=t_text)
    elif basis.mode == "cadence":  # the declared cadence, not the limit with its grace
        phrase = w["cadence"].format(t=one(basis.usual, unit, lang))
    elif basis.mode == "cold":
        phrase = w["cold"].format(op=basis.op, t=t_text)
    else:
        phrase = w["limit"].format(op=basis.op, t=t_text)
    return {"value_text": v_text, "threshold_text": t_text, "basis": phrase, "usual": basis.usual,
            "delta": delta, "at": at}


#: Title fields a rule may use besides subject, value, threshold, rule and severity.
EXTRA_FIELDS = ("value_text", "threshold_text", "basis", "usual", "delta", "at")


def worst_suffix(lang: str | None) -> str:
    """Appended to a title that shows the worst value of an alert that is clearing or resolved."""
    return words(lang)["worst"]
