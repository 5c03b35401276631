"""Results of conformance checks, and the registry the checks put themselves in.

A check has an id (``seq``), a title, the section(s) of docs/protocol.md it enforces, and a
function from an ``Observation`` to an ``Outcome``. ``pass`` and ``fail`` are what they say;
``skip`` means the check did not apply, with the reason in ``detail``: an optional feature the feed
does not offer (resumption), a part the user did not ask for (commands without
``--allow-commands``), something the protocol only recommends that the feed did not send, or a
check that could not run because an earlier one failed (the run has failed then anyway). A run
passes when no check failed.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from warroom.conform.observe import Observation, check_of


class Status(str, enum.Enum):
    """The verdict of one check."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: a status and one line saying why."""

    status: Status
    detail: str = ""


def passed(detail: str = "") -> Outcome:
    """A pass, with what was seen."""
    return Outcome(Status.PASS, detail)


def failed(problems: list[str], total: int | None = None) -> Outcome:
    """A failure listing the first few problems (``total`` when more were found than listed)."""
    return Outcome(Status.FAIL, summarise(problems, total))


def skipped(why: str) -> Outcome:
    """The check did not apply; ``why`` says so."""
    return Outcome(Status.SKIP, why)


def summarise(problems: list[str], total: int | None = None, show: int = 3) -> str:
    """The first ``show`` problems joined, and how many more there were."""
    total = len(problems) if total is None else total
    text = "; ".join(problems[:show])
    if total > show:
        text += f"; and {total - show} more"
    return text


@dataclass(frozen=True)
class CheckResult:
    """One line of the report."""

    id: str
    title: str
    section: str
    status: Status
    detail: str


@dataclass
class Evidence:
    """The reference decoder's errors on the main connection, sorted to the checks they fail."""

    by_check: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def of(cls, obs: Observation) -> "Evidence":
        """Attribute every decoder error of the main connection's frames."""
        ev = cls()
        for n, frame in enumerate(obs.main_frames(), 1):
            for err in frame.errors:
                check = check_of(err, frame.kind)
                if check is None:
                    continue
                ev.counts[check] += err.count
                code = err.code.value if hasattr(err.code, "value") else str(err.code)
                ev.by_check[check].append(f"frame {n} ({frame.kind}): {code}: {err.message}")
        return ev

    def problems(self, check: str) -> list[str]:
        """The decoder's complaints that belong to ``check``."""
        return list(self.by_check.get(check, ()))


CheckFn = Callable[[Observation, Evidence], Outcome]


@dataclass(frozen=True)
class Check:
    """A registered check. ``needs_subscription``: not run unless a subscription was made."""

    id: str
    title: str
    section: str
    fn: CheckFn
    needs_subscription: bool = True


REGISTRY: list[Check] = []


def check(id: str, title: str, section: str, *, needs_subscription: bool = True) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as a check, in definition order (the table's order)."""

    def register(fn: CheckFn) -> CheckFn:
        REGISTRY.append(Check(id, title, section, fn, needs_subscription))
        return fn

    return register


def blocked_reason(obs: Observation) -> str:
    """Why nothing after ``hello`` could be checked ("" when a subscription was made)."""
    if obs.hello is None:
        return "not run: no valid hello"
    if obs.subscribe is None:
        return "not run: no common protocol version, so no subscription"
    return ""


def evaluate(obs: Observation) -> list[CheckResult]:
    """Run every registered check on ``obs``; a check that raises is reported as failed, not hidden."""
    # Importing registers the checks (their modules import this one).
    from warroom.conform import checks, checks_active  # noqa: F401

    ev = Evidence.of(obs)
    blocked = blocked_reason(obs)
    out = []
    for c in REGISTRY:
        if c.needs_subscription and blocked:
            outcome = skipped(blocked)
        else:
            try:
                outcome = c.fn(obs, ev)
            except Exception as exc:  # a bug here must not read as a pass
                outcome = Outcome(Status.FAIL, f"the check itself failed: {type(exc).__name__}: {exc}")
        out.append(CheckResult(c.id, c.title, c.section, outcome.status, outcome.detail))
    return out


def exit_status(results: list[CheckResult]) -> int:
    """0 when no check failed, else 1."""
    return 1 if any(r.status is Status.FAIL for r in results) else 0
