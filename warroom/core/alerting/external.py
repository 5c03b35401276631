"""Alerts another system decided (Alertmanager, through a gateway) as first-class console alerts.

A gateway turns each alert of an Alertmanager webhook into a feed event of kind ``alert`` with
``attrs.external = true`` (protocol revision 1.3, addition 4): id ``am-<fp>-<startsAt>-<status>``,
``subject`` the service ("" when no label names one), ``severity``, ``title``, and attrs
``fingerprint`` ("am:<fp>"), ``state`` (firing | resolved), ``starts_at_ms``, ``ends_at_ms``,
``alertname``, ``labels``, ``annotations``, ``generator_url``, ``receiver``.

``ExternalAlerts.apply`` reads one such event and moves the ``AlertEngine``:

- *firing* raises an alert (``AlertEngine.fire_external``): fingerprint ``am:<fp>``, rule
  ``alertmanager:<alertname>``, subject the service, the event's severity and title, since its
  ``startsAt``, ``source`` "alertmanager". It fires at once: Alertmanager already waited its
  ``for``. A firing with a *later* ``startsAt`` is a new episode (the old one, if the console
  never heard it end, is resolved first).
- *resolved* resolves it (a resolve for an older episode than the active one is stale).
- The same event id again, or the same fingerprint and ``startsAt`` again (Alertmanager re-sends
  every ``group_interval``), changes nothing.
- Bad input (no fingerprint, wrong types, a timestamp out of range...) changes nothing either:
  it is counted (``counts``) and logged once per reason, never raised. Labels and annotations
  are bounded (``MAX_LABELS`` of at most ``MAX_TEXT`` characters) before they reach an alert.

What the log keeps is the engine's transition event (``alert-am:<fp>-<ts>-<state>``, attrs
``source: "alertmanager"``), stamped with the root cause found, so a replay folds it exactly as
the console did. The feed's own event, stored beside it, shares the fingerprint: readers that
rebuild alerts and incidents from the log skip it (``is_feed_alert``).

Root cause: an external alert on a service is a service-health symptom (cause ``failure``) on
that service, judged by ``rootcause.find_roots`` like the engine's own: the root when nothing
below it alerts, folded under a deeper root otherwise. With no service, or a service the
topology does not list, its subject kind is ``other``: listed, never a root.

Incidents: its events go through the same ``IncidentBook`` path as the engine's own, so a P0/P1
opens or joins an incident and a P2/P3 only joins one. That includes a P0/P1 with no service: a
human-written rule someone pages on is an incident, of unknown root (scope ""), until its
alerts name one.

Pure and clock-free: times are the feed's.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any, Collection, Mapping

from warroom.core.alerting.alerts import Alert, AlertEngine
from warroom.core.model import Event, EventKind, SeriesKey, Severity

log = logging.getLogger(__name__)

#: Labels (and annotations) kept per alert, and the characters kept of each value.
MAX_LABELS = 16
MAX_TEXT = 200
#: Event ids and fingerprints remembered for duplicates (oldest forgotten first).
MAX_REMEMBERED = 10_000
#: The series name external alerts carry (their labels are the alert's labels).
SERIES_NAME = "external_alert"
_MAX_MS = 2**53  # what JSON readers take as an exact integer
_FINGERPRINT = re.compile(r"[a-z][a-z0-9_-]{0,31}:[!-~]{1,128}")  # "am:<hex>", never an engine one (no ":")
_SOURCE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]{0,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class BadExternalAlert(ValueError):
    """A feed alert event that cannot be taken; the message says which field and why."""


def is_feed_alert(ev: Event) -> bool:
    """True for an alert event as a feed sent it from another system (``attrs.external``), as
    opposed to the engine's transition events: log readers fold only the latter."""
    return ev.kind is EventKind.ALERT and ev.attrs.get("external") is True


@dataclass(frozen=True)
class ExternalAlert:
    """One checked feed alert event."""

    event_id: str
    fingerprint: str
    state: str  # "firing" | "resolved"
    starts_at_ms: int
    ends_at_ms: int | None
    source: str
    alertname: str
    subject: str
    severity: Severity
    title: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    generator_url: str
    receiver: str

    @property
    def rule(self) -> str:
        """The rule id the console lists it under: ``alertmanager:HighErrorRate``."""
        return f"{self.source}:{self.alertname}"

    def details(self) -> dict[str, Any]:
        """What its firing and resolved events record of it (bounded)."""
        return {"alertname": self.alertname, "labels": dict(self.labels), "annotations": dict(self.annotations),
                "starts_at_ms": self.starts_at_ms, "ends_at_ms": self.ends_at_ms,
                "generator_url": self.generator_url, "receiver": self.receiver}


def parse(ev: Event) -> ExternalAlert:
    """Check a feed alert event (``is_feed_alert``); ``BadExternalAlert`` says what is wrong."""
    a = ev.attrs
    fp = a.get("fingerprint")
    if not isinstance(fp, str) or not _FINGERPRINT.fullmatch(fp):
        raise BadExternalAlert(f"fingerprint: expected text like 'am:<hex>', got {_show(fp)}")
    state = a.get("state")
    if state not in ("firing", "resolved"):
        raise BadExternalAlert(f"state: expected 'firing' or 'resolved', got {_show(state)}")
    starts = _ms(a.get("starts_at_ms"))
    if starts is None:
        raise BadExternalAlert(f"starts_at_ms: expected a time in ms, got {_show(a.get('starts_at_ms'))}")
    source = a.get("source")
    source = source if isinstance(source, str) and _SOURCE.fullmatch(source) else "external"
    labels = _bounded(a.get("labels"), names=True)
    alertname = _text(a.get("alertname")) or labels.get("alertname", "") or "unnamed"
    title = _text(ev.title.splitlines()[0] if isinstance(ev.title, str) and ev.title else "", 300) or alertname
    return ExternalAlert(
        event_id=ev.id, fingerprint=fp, state=state, starts_at_ms=starts, ends_at_ms=_ms(a.get("ends_at_ms")),
        source=source, alertname=alertname, subject=_text(ev.subject), severity=ev.severity, title=title,
        labels=labels, annotations=_bounded(a.get("annotations")), generator_url=_text(a.get("generator_url"), 1000),
        receiver=_text(a.get("receiver")),
    )


def to_alert(x: ExternalAlert, now_ms: int, services: Collection[str] | None) -> Alert:
    """The engine's alert for a firing ``x`` (``services``: the topology's, None if none yet).

    A subject the topology lists (or any subject before a topology arrives) is a service; no
    subject, or one the topology does not know, is ``other``: never a root.
    """
    known = bool(x.subject) and (services is None or x.subject in services)
    labels = {**x.labels, "alertname": x.alertname}
    since = min(x.starts_at_ms, now_ms)  # a clock ahead of ours must not make it start in the future
    runbook = x.annotations.get("runbook_url") or x.annotations.get("runbook") or ""
    return Alert(
        fingerprint=x.fingerprint, rule=x.rule, series=SeriesKey(SERIES_NAME, labels), subject=x.subject,
        subject_kind="service" if known else "other", severity=x.severity, state="firing", title=x.title,
        since_ms=since, value=0.0, threshold=None, fired_ms=since, runbook=runbook, source=x.source,
    )


class ExternalAlerts:
    """Feed alert events into an ``AlertEngine``: dedupe, episodes, bad input counted."""

    def __init__(self, max_remembered: int = MAX_REMEMBERED) -> None:
        self._max = max_remembered
        self._ids: OrderedDict[str, None] = OrderedDict()
        #: fingerprint -> (startsAt, state) of the newest episode heard of
        self._episodes: OrderedDict[str, tuple[int, str]] = OrderedDict()
        #: How many events were: fired, resolved, duplicate, stale (an older episode),
        #: unknown (resolved, never seen firing), rejected (bad input).
        self.counts: Counter[str] = Counter()
        #: The last bad event's problem, for a health line ("" if none yet).
        self.last_problem = ""
        self._said: set[str] = set()  # reasons already logged (a feed repeating one is not a flood)

    def apply(self, engine: AlertEngine, ev: Event, now_ms: int, services: Collection[str] | None = None) -> list[Event]:
        """Take one feed alert event at feed time ``now_ms``; the engine's events (transitions,
        root-cause amendments), for the log and the incident book. Never raises on bad input."""
        if ev.id in self._ids:
            self.counts["duplicate"] += 1
            return []
        try:
            x = parse(ev)
        except BadExternalAlert as e:
            self._reject(ev, str(e))
            return []
        self._remember(self._ids, ev.id, None)
        prev = self._episodes.get(x.fingerprint)
        if prev is not None and x.starts_at_ms < prev[0]:
            self.counts["stale"] += 1  # an older episode, re-sent or late
            return []
        if prev is not None and x.starts_at_ms == prev[0] and (x.state == prev[1] or prev[1] == "resolved"):
            self.counts["duplicate"] += 1  # re-sent every group_interval (or a late firing after its resolve)
            return []
        self._remember(self._episodes, x.fingerprint, (x.starts_at_ms, x.state))
        if x.state == "firing":
            self.counts["fired"] += 1
            return engine.fire_external(to_alert(x, now_ms, services), now_ms, x.details())
        out = engine.end_external(x.fingerprint, now_ms, x.details())
        self.counts["resolved" if out else "unknown"] += 1
        return out

    def _remember(self, memory: OrderedDict, key: str, value: Any) -> None:
        memory[key] = value
        memory.move_to_end(key)
        while len(memory) > self._max:
            memory.popitem(last=False)

    def _reject(self, ev: Event, problem: str) -> None:
        self.counts["rejected"] += 1
        self.last_problem = problem
        reason = problem.partition(":")[0]
        if reason not in self._said:
            self._said.add(reason)
            log.warning("feed alert %s ignored: %s", _show(ev.id), problem)


def _ms(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _MAX_MS:
        return None
    return value


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        return ""
    return _CONTROL.sub(" ", value[:limit + 64]).strip()[:limit]  # cut first: a value may be megabytes


def _bounded(value: Any, *, names: bool = False) -> dict[str, str]:
    """At most ``MAX_LABELS`` text values, each cut to ``MAX_TEXT``; keys that are not text
    (or, for ``names``, not label names) are dropped."""
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, str] = {}
    for k, v in value.items():
        if len(out) >= MAX_LABELS:
            break
        if isinstance(k, str) and isinstance(v, str) and (_LABEL_NAME.fullmatch(k) if names else len(k) <= 64):
            out[k] = _text(v)
    return out


def _show(value: Any) -> str:
    """A value for a message, short whatever it is."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
