"""Alertmanager's webhook payload (version 4) as Warroom feed events (protocol 1.3, addition 4).

Alertmanager posts ``{"version": "4", "receiver", "status", "alerts": [...], "groupLabels", ...}``
(prometheus/alertmanager ``notify/webhook/webhook.go``; a captured example is in
tests/gateway/sources/test_alertmanager.py). Each alert of ``alerts`` becomes one event of kind
``alert``, firing or resolved:

* ``id = "am-<fingerprint>-<startsAt ms>-<status>"``: Alertmanager resends a group every
  ``group_interval``/``repeat_interval``, and the same alert then gives the same id, which the
  receivers and the console drop as a duplicate (an upsert by fingerprint and start).
* ``ts`` is ``startsAt`` when firing and ``endsAt`` when resolved. Times are RFC 3339 with any
  number of fraction digits and any offset; Go's zero time ``0001-01-01T00:00:00Z`` means none.
* ``subject`` is the value of the first of ``AlertmanagerSite.service_labels`` the alert has.
  It is kept even if no such service is known (``attrs.service_known`` says which), so an alert
  about a service the gateway has not seen yet still shows; ``""`` when none is present.
* ``severity`` maps the ``severity`` label through ``AlertmanagerSite.severities`` (P2 if absent).

Hostile input: labels and annotations are capped (``cleaning.MAP_MAX`` pairs, values cut),
free text is cleaned, identifiers that the protocol would refuse are not used, and one payload
yields at most ``MAX_ALERTS`` events. A malformed alert is skipped with a problem naming it;
a payload with nothing usable is a ``ValueError`` whose message says what is wrong.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from warroom.core.clock import wall_s
from warroom.core.model import Event, EventKind, Severity
from warroom.gateway.site_model import AlertmanagerSite
from warroom.gateway.sources import cleaning
from warroom.protocol.strings import NAME_MAX, TEXT_MAX

log = logging.getLogger(__name__)

#: Alerts read from one payload; the rest are dropped with a problem (Alertmanager's own
#: ``max_alerts`` is the place to send fewer).
MAX_ALERTS = 1000
#: The webhook payload version this reads.
VERSION = "4"

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})")
_FINGERPRINT = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_STATES = ("firing", "resolved")


def parse_time_ms(value: Any, what: str) -> int | None:
    """An RFC 3339 time as Unix milliseconds; None for Go's zero time (year 1) or a missing value.

    Fractions finer than a millisecond (Go writes nanoseconds) are cut, offsets applied.
    ``ValueError`` naming ``what`` for anything else.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected an RFC 3339 time, got {cleaning.json_type(value)}")
    m = _RFC3339.fullmatch(value.strip())
    if m is None:
        raise ValueError(f"{what}: not an RFC 3339 time: {cleaning.title(value)[:60]!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if year <= 1:
        return None
    zone = m.group(8)
    if zone in ("Z", "z"):
        tz = timezone.utc
    else:
        sign = -1 if zone[0] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        # A leap second (:60) is read as :59 — a millisecond off is harmless for an alert.
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"{what}: not a valid time: {value.strip()[:40]!r} ({exc})") from None
    millis = int(((m.group(7) or "") + "000")[:3])
    return round(moment.timestamp()) * 1000 + millis


def check_version(payload: Mapping[str, Any]) -> None:
    """``ValueError`` unless the payload is version 4 (a missing version is read as 4, noted in the log)."""
    version = payload.get("version")
    if version is None:
        log.info("Alertmanager payload without \"version\": read as version %s", VERSION)
        return
    major = str(version).strip().split(".", 1)[0]
    if major != VERSION:
        raise ValueError(f"version {cleaning.title(str(version))[:20]!r}: only Alertmanager webhook "
                         f"version {VERSION} is understood")


def read_alerts(payload: Any, site: AlertmanagerSite, known_services: Collection[str], *,
                clock: Callable[[], float] = wall_s) -> tuple[list[Event], list[str]]:
    """The events of a webhook payload and the problems met (alerts skipped, caps applied).

    ``ValueError`` when the payload itself is unusable (not an object, wrong version, no
    ``alerts`` list). ``clock`` dates a resolved alert that has no ``endsAt``.
    """
    if not isinstance(payload, Mapping):
        raise ValueError(f"expected a JSON object (Alertmanager webhook payload), got {cleaning.json_type(payload)}")
    check_version(payload)
    alerts = payload.get("alerts")
    if alerts is None:
        raise ValueError("alerts: missing (an Alertmanager webhook payload has a list of alerts)")
    if not isinstance(alerts, list):
        raise ValueError(f"alerts: expected a list, got {cleaning.json_type(alerts)}")
    receiver = cleaning.text(payload.get("receiver", ""), NAME_MAX)
    group_status = payload.get("status")
    problems: list[str] = []
    if len(alerts) > MAX_ALERTS:
        problems.append(f"alerts: {len(alerts) - MAX_ALERTS} alerts beyond the first {MAX_ALERTS} dropped")
    truncated = payload.get("truncatedAlerts")
    if isinstance(truncated, int) and not isinstance(truncated, bool) and truncated > 0:
        log.info("Alertmanager left out %d alerts of a group (its max_alerts)", truncated)
    events: dict[str, Event] = {}
    for i, alert in enumerate(alerts[:MAX_ALERTS]):
        try:
            event = _alert_event(alert, site, known_services, receiver, group_status, clock)
        except ValueError as exc:
            problems.append(f"alerts[{i}]: {exc}")
            continue
        events.setdefault(event.id, event)  # the same alert twice in one post: once
    return list(events.values()), problems


def alert_events(payload: Any, site: AlertmanagerSite, known_services: Collection[str], *,
                 clock: Callable[[], float] = wall_s) -> list[Event]:
    """The feed events of an Alertmanager webhook payload (see the module docstring).

    ``ValueError`` with a clear message when the payload is unusable, or when it has alerts and
    none of them could be read (the message names the first problem). Problems with some
    alerts while others were read are logged at warning level.
    """
    events, problems = read_alerts(payload, site, known_services, clock=clock)
    if problems and not events and payload.get("alerts"):
        raise ValueError(problems[0] + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""))
    for problem in problems:
        log.warning("Alertmanager payload: %s", problem)
    return events


def _alert_event(alert: Any, site: AlertmanagerSite, known_services: Collection[str], receiver: str,
                 group_status: Any, clock: Callable[[], float]) -> Event:
    if not isinstance(alert, Mapping):
        raise ValueError(f"expected an object, got {cleaning.json_type(alert)}")
    status = alert.get("status", group_status)
    if status not in _STATES:
        shown = "missing" if status is None else repr(cleaning.title(str(status))[:20])
        raise ValueError(f"status: {shown} (firing or resolved)")
    if "labels" not in alert:
        raise ValueError("labels: missing")
    raw_labels = alert["labels"]
    labels, labels_dropped = cleaning.string_map(raw_labels, "labels")
    annotations, ann_dropped = cleaning.string_map(alert.get("annotations"), "annotations", value_limit=TEXT_MAX)
    if "startsAt" not in alert:
        raise ValueError("startsAt: missing")
    starts = parse_time_ms(alert["startsAt"], "startsAt")
    if starts is None:
        raise ValueError("startsAt: the zero time (an alert must have started)")
    ends = parse_time_ms(alert.get("endsAt"), "endsAt")

    fingerprint = alert.get("fingerprint")
    computed = not (isinstance(fingerprint, str) and _FINGERPRINT.fullmatch(fingerprint))
    if computed:  # not Alertmanager's, or hostile: a stable one from the labels instead
        fingerprint = hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]

    service, service_label = "", ""
    for name in site.service_labels:
        value = raw_labels.get(name) if isinstance(raw_labels, Mapping) else None
        if isinstance(value, str) and value:
            service_label = name
            service = cleaning.ref(value) or ""  # a value the protocol would refuse is not a subject
            break

    severity_label = labels.get("severity", "").strip().lower()
    mapped = site.severities.get(severity_label, Severity.P2.value) if severity_label else Severity.P2.value
    try:
        severity = Severity(mapped)
    except ValueError:
        severity = Severity.P2

    alertname = cleaning.text(labels.get("alertname", ""), NAME_MAX)
    title = cleaning.title(annotations.get("summary", "")) or cleaning.title(alertname) or "Alertmanager alert"
    if status == "resolved":
        ts = ends if ends is not None else int(clock() * 1000)
    else:
        ts = starts
    attrs: dict[str, Any] = {
        "source": "alertmanager", "external": True, "state": status, "fingerprint": "am:" + fingerprint,
        "alertname": alertname, "labels": labels, "annotations": annotations,
        "starts_at_ms": starts, "ends_at_ms": ends,
        "generator_url": cleaning.text(alert.get("generatorURL", ""), TEXT_MAX), "receiver": receiver,
        "service_label": service_label, "service_known": bool(service) and service in known_services,
    }
    if computed:
        attrs["fingerprint_computed"] = True
    if labels_dropped or ann_dropped:
        attrs["dropped"] = {"labels": labels_dropped, "annotations": ann_dropped}
    return Event(f"am-{fingerprint}-{starts}-{status}", ts, EventKind.ALERT, service, title, severity, attrs)


__all__ = ["MAX_ALERTS", "VERSION", "alert_events", "check_version", "parse_time_ms", "read_alerts"]
