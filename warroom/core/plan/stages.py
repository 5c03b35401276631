"""Staged traffic shifts: a plan applied in widening stages, each held and verified.

Traffic is moved the way a payment platform moves it: whitelisted users first, then 1/256,
1/8, 1/4, 1/2 and all of it. Each stage is applied, held for its hold time while the plan's
guard KPIs are watched, verified once more at the end of the hold, and only then widened.
A guard that breaks (``BREACHES_TO_FAIL`` samples in a row) fails the stage: the run halts
and rolls back at once, without waiting for a person.

A plan is staged when its ``params`` carry ``stages`` (the catalogue's or the site file's
ladder) or when its kind is ``shift`` (then ``DEFAULT_LADDER``). A ladder is a list of
stages, each a text (``whitelist``, ``1/256``, ``12.5%``, ``0.5``, ``all``) or a mapping
``{fraction, hold_s, name}``; ``params.hold_s`` is the hold of stages that give none::

    params:
      to: bank-ccb
      hold_s: 120
      stages: [whitelist, 1/256, {fraction: 1/8, hold_s: 300}, 1/4, 1/2, all]

The guard KPIs are the plan's ``guard`` plus any ``params.guards`` (``[{series, op,
threshold}]``). A staged plan needs at least one: a shift nobody verifies is not staged.

``Ladder`` is where one staged run stands. It is pure data, changed only by the functions
here, which the plan book (``plan_runs``) calls and records as audit events::

    applying ─► holding ─► verifying ─► (next stage) applying … ─► completed
        │          │            │
        └──────────┴────────────┴─► failed ─► rolling_back ─► rolled_back
    paused: the hold clock stops (the guards are still watched: a breach still rolls back)
    aborted: the commander stopped it; it rolls back like a failure

Pure: no clock, no I/O; times are feed-time ms passed in.
"""

from __future__ import annotations

import re
from math import gcd
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping

from warroom.core.plan.plans import Guard, Plan

#: The hello capability of a feed that runs staged shifts stage by stage (protocol 1.6): a
#: console never sends a staged plan to a feed without it (an older feed would apply it whole).
CAP_STAGES = "stages"
#: The ladder of a ``shift`` plan that names none.
DEFAULT_LADDER = ("whitelist", "1/256", "1/8", "1/4", "1/2", "all")
#: The hold of a stage that gives none (seconds).
DEFAULT_HOLD_S = 60.0
#: Samples in a row that must break a guard to fail a stage (one noisy point does not).
BREACHES_TO_FAIL = 2
#: A stage the feed has not confirmed in this long fails (and what was applied rolls back).
APPLY_TIMEOUT_MS = 30_000
#: After the hold, how long verification waits for a value of every guard KPI.
VERIFY_WAIT_MS = 30_000
#: The longest ladder and hold accepted (a typo must not make a shift last a week).
MAX_STAGES = 12
MAX_HOLD_S = 24 * 3600.0

#: Phases of a ladder (see the module docstring); the last four are final.
PHASES = ("applying", "holding", "verifying", "rolling_back", "completed", "rolled_back", "aborted")
ENDED = ("completed", "rolled_back", "aborted")

#: Stage names in other languages (fractions read the same everywhere).
_NAMES = {"whitelist": {"zh_CN": "白名单"}, "all": {"zh_CN": "全量"}}


@dataclass(frozen=True)
class Stage:
    """One rung of the ladder: ``fraction`` of the traffic (0 = whitelisted users only), held
    ``hold_s`` seconds. ``name`` is how people say it (``1/8``, ``whitelist``, ``all``)."""

    name: str
    fraction: float
    hold_s: float

    def label(self, lang: str = "en") -> str:
        """The stage's name in ``lang`` (``whitelist`` is ``白名单`` in Chinese)."""
        return _NAMES.get(self.name, {}).get(lang, self.name)

    @property
    def percent(self) -> float:
        """The fraction in percent (12.5 for 1/8)."""
        return self.fraction * 100.0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON (kept in the audit trail, so a replayed run shows its own ladder)."""
        return {"name": self.name, "fraction": self.fraction, "hold_s": self.hold_s}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Stage":
        """Inverse of ``to_dict``."""
        return cls(str(d["name"]), float(d["fraction"]), float(d["hold_s"]))


def parse_fraction(value: Any) -> tuple[str, float]:
    """A stage's name and fraction from ``whitelist``, ``all``, ``1/8``, ``12.5%`` or a number;
    ``ValueError`` saying what is wrong."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a fraction")
    if isinstance(value, (int, float)):
        f = float(value)
        name = "all" if f == 1 else _short(f)
    elif isinstance(value, str):
        text = value.strip().lower()
        if text in ("whitelist", "allowlist"):
            return "whitelist", 0.0
        if text in ("all", "100%", "full"):
            return "all", 1.0
        m = re.fullmatch(r"(\d+)\s*/\s*(\d+)", text)
        try:
            if m:
                if int(m.group(2)) == 0:
                    raise ValueError
                f, name = int(m.group(1)) / int(m.group(2)), f"{int(m.group(1))}/{int(m.group(2))}"
            elif text.endswith("%"):
                f = float(text[:-1]) / 100.0
                name = f"{float(text[:-1]):g}%"
            else:
                f = float(text)
                name = _short(f)
        except ValueError:
            raise ValueError(f"{value!r} is not a fraction (write whitelist, 1/256, 12.5%, 0.5 or all)") from None
        if f == 1:
            name = "all"
    else:
        raise ValueError(f"{value!r} is not a fraction (write whitelist, 1/256, 12.5%, 0.5 or all)")
    if not 0.0 <= f <= 1.0:  # also refuses NaN
        raise ValueError(f"{value!r}: a stage moves between 0 and all of the traffic")
    return name, f


def parse_ladder(raw: Any, hold_s: Any = DEFAULT_HOLD_S) -> tuple[Stage, ...]:
    """The ladder from a plan's ``stages`` (a list, or a comma-separated text); ``ValueError``
    naming the stage at fault. Fractions must rise stage by stage; only the first may be the
    whitelist (fraction 0)."""
    default_hold = _hold(hold_s, "hold_s")
    items = [x.strip() for x in raw.split(",")] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not items:
        raise ValueError("stages: a non-empty list is required (e.g. [whitelist, 1/256, 1/8, 1/4, 1/2, all])")
    if len(items) > MAX_STAGES:
        raise ValueError(f"stages: {len(items)} stages, at most {MAX_STAGES}")
    out: list[Stage] = []
    for i, item in enumerate(items, 1):
        try:
            if isinstance(item, Mapping):
                if "fraction" not in item:
                    raise ValueError("a stage needs a fraction")
                name, f = parse_fraction(item["fraction"])
                name = str(item.get("name") or name)
                hold = _hold(item.get("hold_s", default_hold), "hold_s")
            else:
                name, f = parse_fraction(item)
                hold = default_hold
        except ValueError as exc:
            raise ValueError(f"stages[{i}]: {exc}") from None
        if out and f <= out[-1].fraction:
            raise ValueError(f"stages[{i}]: {name} does not widen the stage before it ({out[-1].name})")
        out.append(Stage(name, f, hold))
    return tuple(out)


def ladder_of(plan: Plan) -> tuple[Stage, ...] | None:
    """The plan's ladder, or None when the plan is not staged; ``ValueError`` for a bad one."""
    raw = plan.params.get("stages")
    if raw is None and plan.kind != "shift":
        return None
    return parse_ladder(DEFAULT_LADDER if raw is None else raw, plan.params.get("hold_s", DEFAULT_HOLD_S))


def check_stage(plan: Plan, stage: Any) -> Stage | None:
    """The stage of ``plan``'s own ladder that an execute command's ``stage`` argument names
    (``{"index": N, "fraction": F, ...}``, protocol 1.6), None for a plan that is not staged
    and gets none. A feed trusts its own ladder, not the console's numbers: ``ValueError`` for
    a staged plan without a stage, an index off the ladder, a fraction that differs, or a
    stage for a plan that has none."""
    ladder = ladder_of(plan)
    if ladder is None:
        if stage is not None:
            raise ValueError(f"plan {plan.id!r} is not staged: it takes no stage")
        return None
    if not isinstance(stage, Mapping):
        raise ValueError(f"plan {plan.id!r} is a staged shift: execute it one stage at a time "
                         "(a stage argument, protocol 1.6)")
    index = stage.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(ladder):
        raise ValueError(f"plan {plan.id!r}: stage {index!r} is not on its ladder of {len(ladder)} stages")
    st = ladder[index]
    given = stage.get("fraction")
    if given is not None and (isinstance(given, bool) or not isinstance(given, (int, float))
                              or abs(float(given) - st.fraction) > 1e-9):
        raise ValueError(f"plan {plan.id!r}: stage {index} moves {st.name} here, not {given!r}: "
                         "the console's ladder differs from the feed's")
    return st


def stage_detail(plan: Plan, st: Stage) -> dict[str, Any]:
    """How a feed's plan event and result name a stage: index, count, name, fraction."""
    ladder = ladder_of(plan) or (st,)
    return {"index": ladder.index(st), "of": len(ladder), "name": st.name, "fraction": st.fraction}


def guards_of(plan: Plan) -> tuple[dict[str, Any], ...]:
    """The guard KPIs every stage must keep: the plan's guard and ``params.guards``, as
    ``{series, op, threshold}``; ``ValueError`` for a malformed one."""
    out = []
    if plan.guard is not None:
        out.append({"series": plan.guard.series, "op": plan.guard.op, "threshold": plan.guard.threshold})
    extra = plan.params.get("guards") or ()
    if not isinstance(extra, (list, tuple)):
        raise ValueError("params.guards: a list of {series, op, threshold} is required")
    for i, g in enumerate(extra, 1):
        try:
            guard = Guard(str(g["series"]), str(g["op"]), float(g["threshold"]), 0.0)
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"params.guards[{i}]: {{series, op, threshold}} is required") from None
        if guard.op not in ("<", "<=", ">", ">="):
            raise ValueError(f"params.guards[{i}]: op {guard.op!r} is not a comparison")
        out.append({"series": guard.series, "op": guard.op, "threshold": guard.threshold})
    return tuple(out)


# -- where a staged run stands -------------------------------------------------------------
@dataclass(frozen=True)
class Ladder:
    """One staged run's position on its ladder (module docstring)."""

    stages: tuple[Stage, ...]
    guards: tuple[Mapping[str, Any], ...]
    index: int = 0
    phase: str = "applying"
    since_ms: int = 0  # when the phase began (holding: when the hold clock last started)
    held_ms: int = 0  # hold served before the last pause
    paused: bool = False
    failed_stage: int | None = None  # the stage that failed or was aborted
    why: str = ""  # why it failed or was aborted
    aborted: bool = False  # the commander stopped it (else a guard or the feed did)
    values: Mapping[str, Any] = field(default_factory=dict, compare=False)  # the guard values last judged

    @property
    def stage(self) -> Stage:
        """The current stage."""
        return self.stages[self.index]

    @property
    def ended(self) -> bool:
        """True once completed, rolled back or aborted."""
        return self.phase in ENDED

    @property
    def fraction(self) -> float:
        """The share of traffic moved now (as far as the console knows): the current stage's
        once applied, the stage before while applying, none once rolled back."""
        if self.phase in ("rolled_back", "aborted"):
            return 0.0
        if self.phase == "applying":
            return self.stages[self.index - 1].fraction if self.index > 0 else 0.0
        return self.stage.fraction

    def held_s(self, now_ms: int) -> float:
        """How long the current stage has been held (stops while paused)."""
        if self.phase != "holding":
            return self.stage.hold_s if self.phase in ("verifying", "completed") else 0.0
        running = 0 if self.paused else max(0, now_ms - self.since_ms)
        return (self.held_ms + running) / 1000.0

    def to_dict(self) -> dict[str, Any]:
        """The ladder and guards as audit detail (``Ladder.start`` reads it back)."""
        return {"stages": [s.to_dict() for s in self.stages], "guards": [dict(g) for g in self.guards]}


def start(stages: Iterable[Stage], guards: Iterable[Mapping[str, Any]], now_ms: int) -> Ladder:
    """A new ladder at its first stage, applying."""
    stages, guards = tuple(stages), tuple(dict(g) for g in guards)
    if not stages:
        raise ValueError("a staged run needs at least one stage")
    if not guards:
        raise ValueError("a staged shift needs a guard KPI to verify each stage")
    return Ladder(stages, guards, 0, "applying", now_ms, values={})


def from_detail(d: Mapping[str, Any], now_ms: int) -> Ladder | None:
    """A ladder from an audit event's ``ladder`` detail (None when it is not one)."""
    try:
        return start([Stage.from_dict(s) for s in d["stages"]], d["guards"], now_ms)
    except (KeyError, TypeError, ValueError):
        return None


def applied(ld: Ladder, now_ms: int) -> Ladder:
    """The feed confirmed the current stage: hold it."""
    return replace(ld, phase="holding", since_ms=now_ms, held_ms=0)


def advance(ld: Ladder, now_ms: int) -> Ladder:
    """The current stage passed: apply the next one."""
    return replace(ld, index=ld.index + 1, phase="applying", since_ms=now_ms, held_ms=0)


def pause(ld: Ladder, now_ms: int) -> Ladder:
    """Stop the hold clock where it is (a ladder that ended cannot pause)."""
    if ld.ended or ld.phase == "rolling_back" or ld.paused:
        raise ValueError(f"the staged run is {'paused' if ld.paused else ld.phase.replace('_', ' ')}: nothing to pause")
    if ld.phase == "holding":
        return replace(ld, paused=True, held_ms=ld.held_ms + max(0, now_ms - ld.since_ms), since_ms=now_ms)
    return replace(ld, paused=True)


def resume(ld: Ladder, now_ms: int) -> Ladder:
    """Start the hold clock again from where the pause left it."""
    if not ld.paused or ld.ended or ld.phase == "rolling_back":
        raise ValueError("the staged run is not paused")
    return replace(ld, paused=False, since_ms=now_ms if ld.phase == "holding" else ld.since_ms)


def halt(ld: Ladder, why: str, now_ms: int, *, values: Mapping[str, Any] | None = None,
         aborted: bool = False) -> Ladder:
    """Stop widening and roll back (a failed stage, a refused stage, or ``aborted`` by the commander)."""
    return replace(ld, phase="rolling_back", failed_stage=ld.index, why=why, since_ms=now_ms, paused=False,
                   aborted=aborted, values=dict(values) if values is not None else ld.values)


def finish(ld: Ladder, phase: str, now_ms: int) -> Ladder:
    """The ladder's end: ``completed``, ``rolled_back`` or ``aborted``."""
    return replace(ld, phase=phase, since_ms=now_ms, paused=False)


Lookup = Callable[[str], "float | None"]


@dataclass(frozen=True)
class Verdict:
    """What ``judge`` found: ``step`` is ``breach`` (one bad sample, not yet a failure),
    ``ok`` (guards hold), ``verify`` (the hold is served), ``passed`` (verified: widen),
    ``completed`` (the last stage passed), ``failed`` (halt and roll back) or ``wait``."""

    step: str
    values: Mapping[str, Any]
    why: str = ""


def judge(ld: Ladder, now_ms: int, value: Lookup, breaches: int = 0) -> Verdict:
    """Where the guards leave the current stage. ``value`` gives a guard series' latest value
    (text key); ``breaches`` is how many samples in a row broke a guard before this one."""
    values = {g["series"]: value(g["series"]) for g in ld.guards}
    broken = [g for g in ld.guards if values[g["series"]] is not None
              and not _holds(g["op"], float(values[g["series"]]), float(g["threshold"]))]
    if ld.phase == "applying":
        if now_ms - ld.since_ms > APPLY_TIMEOUT_MS:
            return Verdict("failed", values, f"no answer from the feed in {APPLY_TIMEOUT_MS // 1000} s")
        return Verdict("wait", values)
    if ld.phase not in ("holding", "verifying"):
        return Verdict("wait", values)
    if broken:
        if ld.phase == "verifying" or breaches + 1 >= BREACHES_TO_FAIL:
            return Verdict("failed", values, "; ".join(_says(g, values[g["series"]]) for g in broken))
        return Verdict("breach", values)
    if ld.phase == "holding":
        if not ld.paused and ld.held_s(now_ms) >= ld.stage.hold_s:
            return Verdict("verify", values)
        return Verdict("ok", values)
    missing = [g["series"] for g in ld.guards if values[g["series"]] is None]
    if missing:
        if now_ms - ld.since_ms > VERIFY_WAIT_MS:
            return Verdict("failed", values, f"no value for {', '.join(missing)}: the stage cannot be verified")
        return Verdict("wait", values)
    if ld.paused:
        return Verdict("ok", values)  # verified, but the commander holds it here
    return Verdict("completed" if ld.index == len(ld.stages) - 1 else "passed", values)


def _holds(op: str, value: float, threshold: float) -> bool:
    return {"<": value < threshold, "<=": value <= threshold, ">": value > threshold,
            ">=": value >= threshold}[op]


def _says(g: Mapping[str, Any], v: float) -> str:
    return f"{g['series']} = {v:.4g} (guard {g['op']} {float(g['threshold']):g})"


def _short(f: float) -> str:
    """A fraction as people write it: ``1/256`` for 0.00390625, else a percentage."""
    for d in (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024):
        n = f * d
        if abs(n - round(n)) < 1e-9 and round(n) >= 1:
            k = gcd(int(round(n)), d)
            return f"{int(round(n)) // k}/{d // k}"
    return f"{f * 100:g}%"


def _hold(value: Any, where: str) -> float:
    try:
        hold = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: a number of seconds is required (got {value!r})") from None
    if isinstance(value, bool) or not 0 <= hold <= MAX_HOLD_S:
        raise ValueError(f"{where}: between 0 and {MAX_HOLD_S:g} seconds (got {value!r})")
    return hold
