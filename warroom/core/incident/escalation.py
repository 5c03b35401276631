"""Response-time targets and escalation: an unacknowledged incident past its target is "missed".

Every severity tier has a target for the first acknowledgement, counted from when the room
learned of the incident (``detected_ms``): by default P0 5 minutes, P1 15, P2 60; P3 and info
have none. ``ResponsePolicy`` holds the targets (the notification file may set its own:
``response_targets`` in ``warroom.io.notify.config``).

``Escalator`` decides, at each evaluation, which incidents just missed their target and
returns one ``ESCALATION`` event for each: the event log keeps it (the incident timeline, the
replay and the post-incident report show it) and the notifier sends it to the escalation
channels. An incident escalates **once per tier**: an incident that misses its P2 target and
later becomes a P1 escalates again for P1, never twice for the same tier. What already
escalated is remembered from the events themselves (``observe``), so a rules or notification
reload, or a console that rebuilt its state from the history file, does not page again.
Acknowledged, resolved and merged incidents never escalate (nor a mitigated or recovering one).

Pure: no clock, no I/O; time is the feed time the caller passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from warroom.core.incident.incidents import Incident
from warroom.core.model import Event, EventKind, Severity

#: Minutes to the first acknowledgement, per severity (a severity left out is never escalated).
DEFAULT_TARGETS_MIN: Mapping[str, float] = {"P0": 5, "P1": 15, "P2": 60}
#: Remembered (incident, tier) pairs; beyond it the oldest are forgotten (incidents that long
#: gone are resolved or forgotten by the book too).
MAX_REMEMBERED = 20_000


@dataclass(frozen=True)
class ResponsePolicy:
    """Response-time targets in ms per severity value (``"P1": 900_000``)."""

    targets_ms: Mapping[str, int] = field(
        default_factory=lambda: {s: int(m * 60_000) for s, m in DEFAULT_TARGETS_MIN.items()})

    @classmethod
    def from_minutes(cls, minutes: Mapping[str, float]) -> ResponsePolicy:
        """A policy from ``{"P0": 5, "P1": 15}`` (minutes). Raises ``ValueError`` on an unknown
        severity or a target that is not a positive number."""
        out: dict[str, int] = {}
        known = {s.value.lower(): s.value for s in Severity if s is not Severity.INFO}
        for key, value in minutes.items():
            sev = known.get(str(key).lower())
            if sev is None:
                raise ValueError(f"unknown severity {key!r} (expected one of {', '.join(known.values())})")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{sev}: the target must be a positive number of minutes, got {value!r}")
            out[sev] = int(value * 60_000)
        return cls(out)

    def target_ms(self, severity: Severity | str) -> int | None:
        """The target of a severity, None if it has none."""
        return self.targets_ms.get(getattr(severity, "value", severity))


@dataclass(frozen=True)
class Countdown:
    """Where an incident stands against its target: ``left_ms`` < 0 means overdue by that much."""

    incident: str
    severity: str
    target_ms: int
    deadline_ms: int
    left_ms: int

    @property
    def overdue(self) -> bool:
        """True once the target is missed."""
        return self.left_ms < 0


def awaits_response(inc: Incident) -> bool:
    """Open: not acknowledged by anyone, not merged, and users still feel it (an incident that
    is mitigated or recovering without anyone's word does not page a second channel)."""
    return inc.live and inc.acked_ms is None and not inc.merged_into and inc.state == "open"


def countdown(inc: Incident, now_ms: int | None, policy: ResponsePolicy) -> Countdown | None:
    """The incident's countdown to its target, or None (acknowledged, resolved, no target, no time)."""
    target = policy.target_ms(inc.severity)
    if target is None or now_ms is None or not awaits_response(inc):
        return None
    deadline = int(inc.detected_ms) + target
    return Countdown(inc.id, inc.severity.value, target, deadline, deadline - int(now_ms))


def escalation_id(incident_id: str, severity: str) -> str:
    """The event id of an incident's escalation for a tier: the same in every replay."""
    return f"escalation:{incident_id}:{severity}"


class Escalator:
    """Turns missed targets into escalation events, once per incident and tier (module docstring)."""

    def __init__(self, policy: ResponsePolicy | None = None) -> None:
        self.policy = policy or ResponsePolicy()
        self._done: dict[tuple[str, str], None] = {}  # insertion-ordered set

    def observe(self, ev: Event) -> None:
        """Remember an escalation already in the log (from history or another console)."""
        if ev.kind is EventKind.ESCALATION and ev.attrs.get("incident"):
            self._remember(str(ev.attrs["incident"]), str(ev.attrs.get("tier") or ev.severity.value))

    def escalated(self, incident_id: str, severity: Severity | str) -> bool:
        """Whether this incident already escalated for this tier."""
        return (incident_id, getattr(severity, "value", severity)) in self._done

    def evaluate(self, incidents: Iterable[Incident], now_ms: int) -> list[Event]:
        """The escalation events due at ``now_ms`` (each once), oldest deadline first."""
        out: list[Event] = []
        for inc in incidents:
            cd = countdown(inc, now_ms, self.policy)
            if cd is None or not cd.overdue or self.escalated(inc.id, cd.severity):
                continue
            self._remember(inc.id, cd.severity)
            out.append(escalation_event(inc, cd, now_ms))
        return sorted(out, key=lambda e: (e.attrs["deadline_ms"], e.id))

    def _remember(self, incident_id: str, tier: str) -> None:
        self._done[(incident_id, tier)] = None
        while len(self._done) > MAX_REMEMBERED:
            del self._done[next(iter(self._done))]


def escalation_event(inc: Incident, cd: Countdown, now_ms: int) -> Event:
    """The event log's row for a missed target (English title, Chinese in ``attrs["titles"]``)."""
    minutes = _minutes(cd.target_ms)
    what = inc.title or inc.root_cause
    zh_what = inc.titles.get("zh_CN") or what
    title = f"{cd.severity} not acknowledged within {minutes} min, escalated: {what}"
    zh = f"{cd.severity} 未在 {minutes} 分钟内确认，已升级通知：{zh_what}"
    attrs = {"incident": inc.id, "tier": cd.severity, "target_ms": cd.target_ms, "deadline_ms": cd.deadline_ms,
             "detected_ms": inc.detected_ms, "unacknowledged_min": (int(now_ms) - int(inc.detected_ms)) // 60_000, "root_cause": inc.root_cause,
             "actor": "warroom", "titles": {"zh_CN": zh}}
    return Event(escalation_id(inc.id, cd.severity), int(now_ms), EventKind.ESCALATION, inc.root_cause or inc.id,
                 title, inc.severity, attrs)


def _minutes(ms: int) -> str:
    m = ms / 60_000
    return f"{m:g}" if m == int(m) or m >= 10 else f"{m:.1f}"


__all__ = ["DEFAULT_TARGETS_MIN", "Countdown", "Escalator", "ResponsePolicy", "awaits_response", "countdown",
           "escalation_event", "escalation_id"]
