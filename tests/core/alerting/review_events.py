"""Hand-made event logs for the rules review, shaped as the alert engine, the incident book, the
plan desk and the feed write them (``warroom.core.alerting.alerts._transition`` and friends)."""

from __future__ import annotations

from typing import Any

from warroom.core.model import Event, EventKind, Severity

T0 = 1_731_292_000_000
#: Rule ids a hostile or broken feed may send: a spreadsheet formula, terminal escapes, HTML,
#: a huge id, a leading minus, a right-to-left override.
HOSTILE_RULES = ["=cmd|' /C calc'!A0", "\x1b[31mred\x1b[0m", "<b>bold</b>", "x" * 10_000, "-2+3", "规则\u202e反转"]
S = 1000


def alert(t_s: float, fp: str, rule: str, state: str, subject: str = "trade", severity: str = "P2",
          **extra: Any) -> Event:
    """One alert transition at ``T0 + t_s`` seconds."""
    ts = T0 + int(t_s * S)
    attrs: dict[str, Any] = {"fingerprint": fp, "rule": rule, "state": state,
                             "series": f'service_error_ratio{{service="{subject}"}}', "subject_kind": "service",
                             "since_ms": ts, "fired_ms": ts if state == "firing" else None, "tags": [],
                             "silenced": "", "plans": [], "actor": "", "comment": ""}
    attrs.update(extra)
    return Event(f"alert-{fp}-{ts}-{state}", ts, EventKind.ALERT, subject, f"{rule} on {subject}",
                 Severity(severity), attrs)


def episode(t_s: float, fp: str, rule: str, *, ack_after_s: float | None = None, last_s: float = 60,
            subject: str = "trade", severity: str = "P2", **extra: Any) -> list[Event]:
    """pending → firing (10 s later) → [acknowledged] → resolved ``last_s`` after firing."""
    fired = t_s + 10
    events = [alert(t_s, fp, rule, "pending", subject, severity, **extra),
              alert(fired, fp, rule, "firing", subject, severity, **extra)]
    if ack_after_s is not None:
        events.append(alert(fired + ack_after_s, fp, rule, "acknowledged", subject, severity,
                            actor="li.wei", **extra))
    events.append(alert(fired + last_s, fp, rule, "resolved", subject, severity, fired=True, **extra))
    return events


def plan_run(t_s: float, plan_id: str, target: str = "", action: str = "execute") -> Event:
    """A plan put in force (the feed's own ``execute`` event, or the console's ``executed`` step)."""
    ts = T0 + int(t_s * S)
    attrs: dict[str, Any] = {"plan_id": plan_id, "action": action, "actor": "li.wei", "reason": "r"}
    if target:
        attrs["target"] = target
    return Event(f"plan-{plan_id}-{ts}-{action}", ts, EventKind.PLAN_EXECUTION, plan_id, f"Executed {plan_id}",
                 Severity.INFO, attrs)


def incident(t_s: float, iid: str, alerts: list[str], root: str, seq: int, *, acked_s: float | None = None,
             action: str = "opened") -> Event:
    """An INCIDENT event carrying the whole state, as the incident book writes it."""
    ts = T0 + int(t_s * S)
    attrs = {"incident": iid, "action": action, "alerts": alerts, "root_cause": root, "seq": seq,
             "started_ms": ts, "detected_ms": ts, "acked_ms": None if acked_s is None else T0 + int(acked_s * S),
             "verified_ms": None, "state": "acknowledged" if acked_s is not None else "open"}
    return Event(f"incident:{iid}:{seq}", ts, EventKind.INCIDENT, root, "Incident", Severity.P1, attrs)


def silence(t_s: float, sid: str, matchers: Any, until_s: float, action: str = "created") -> Event:
    """A silence created (or ``removed``/``expired``) at ``t_s``, in force until ``until_s``."""
    ts = T0 + int(t_s * S)
    return Event(f"silence-{sid}-{action}-{ts}", ts, EventKind.SILENCE, sid, f"Silence {action}", Severity.INFO,
                 {"silence": sid, "action": action, "matchers": matchers, "starts_ms": ts,
                  "ends_ms": T0 + int(until_s * S), "actor": "ops", "comment": ""})
