"""CI change markers (Grafana annotation posts) as Warroom feed events (protocol 1.3, addition 5).

A CI job that already tells Grafana about a deploy can tell the gateway the same way, with the
same body, by changing only the address:

* Grafana's ``POST /api/annotations``: ``{"time": ms, "timeEnd": ms, "tags": [...], "text": "...",
  "dashboardUID": ..., "panelId": ...}`` (the dashboard and panel are ignored: a change here
  belongs to the whole site);
* the Graphite form, ``POST /api/annotations/graphite``: ``{"what": "...", "tags": [...] or
  "a b c", "when": seconds, "data": "..."}``.

Each post is one event of kind ``deploy`` (a tag of ``AnnotationsSite.deploy_tags``, and the
default: CI mostly posts deploys) or ``config_change`` (a tag of ``config_tags`` and none of
the deploy ones). The service is the value of a ``service:<name>`` or ``service=<name>`` tag,
else the first tag that is a known service name, else ``""`` (the console shows the change but
root cause cannot use it). ``version:X`` (or ``version=X``) gives ``attrs.version``.

Times: ``time``/``timeEnd`` are milliseconds and ``when`` seconds, as Grafana reads them. A
``time`` below 10^11 cannot be milliseconds of this century and is read as seconds (a common
CI slip: ``date +%s``), a ``when`` above it as milliseconds. A missing or zero time is now.

``id = "ann-" + sha1(time, text, sorted tags)[:16]``: the same marker posted twice (a CI retry)
is one change.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Collection, Mapping
from typing import Any

from warroom.core.clock import wall_s
from warroom.core.model import Event, EventKind, Severity
from warroom.gateway.site_model import AnnotationsSite
from warroom.gateway.sources import cleaning
from warroom.protocol.strings import NAME_MAX, TEXT_MAX

#: Epoch values below this are seconds, at or above it milliseconds (10^11 ms is March 1973;
#: 10^11 s is the year 5138).
_SECONDS_BELOW = 1e11
_FORMS = ("auto", "grafana", "graphite")


def annotation_events(payload: Any, site: AnnotationsSite, known_services: Collection[str], *,
                      clock: Callable[[], float] = wall_s, form: str = "auto") -> list[Event]:
    """The change event of one annotation post (a list of one event).

    ``form``: ``grafana``, ``graphite``, or ``auto`` (graphite when the body has ``what`` and no
    ``text``). ``clock`` (Unix seconds) dates a post without a time. ``ValueError`` with a clear
    message for a body that is not an annotation.
    """
    if form not in _FORMS:
        raise ValueError(f"form {form!r}: one of {', '.join(_FORMS)}")
    if not isinstance(payload, Mapping):
        raise ValueError(f"expected a JSON object (an annotation), got {cleaning.json_type(payload)}")
    if form == "auto":
        form = "graphite" if "what" in payload and "text" not in payload else "grafana"
    now_ms = int(clock() * 1000)
    if form == "graphite":
        what = cleaning.text(payload.get("what"), TEXT_MAX)
        if not what.strip():
            raise ValueError("what: missing or empty (the Graphite form needs a \"what\")")
        data = cleaning.text(payload.get("data"), TEXT_MAX)
        body = what if not data.strip() else f"{what}\n\n{data}"
        start = _epoch_ms(payload.get("when"), "when") or now_ms
        end = None
        tags, raw_tags = _tags(payload.get("tags"), split_text=True)
    else:
        body = cleaning.text(payload.get("text"), TEXT_MAX)
        if not body.strip():
            raise ValueError("text: missing or empty (an annotation needs a \"text\")")
        start = _epoch_ms(payload.get("time"), "time") or now_ms
        end = _epoch_ms(payload.get("timeEnd"), "timeEnd")
        if end is not None and end < start:
            end = None  # Grafana would draw nothing sensible either: a point in time
        tags, raw_tags = _tags(payload.get("tags"), split_text=False)
    return [_event(form, start, end, body, tags, raw_tags, site, known_services)]


def answer_id(event_id: str) -> int:
    """The number Grafana's answer ``{"message": "Annotation added", "id": N}`` carries for an
    event: stable for the same annotation, and small enough for a JavaScript number."""
    return int(hashlib.sha1(event_id.encode()).hexdigest()[:13], 16)


def _event(form: str, start: int, end: int | None, body: str, tags: list[str], raw_tags: list[str],
           site: AnnotationsSite, known_services: Collection[str]) -> Event:
    lowered = {t.lower() for t in tags}
    if lowered & {t.lower() for t in site.deploy_tags}:
        kind = EventKind.DEPLOY
    elif lowered & {t.lower() for t in site.config_tags}:
        kind = EventKind.CONFIG_CHANGE
    else:
        kind = EventKind.DEPLOY
    service, version = "", ""
    explicit = False
    # The service is read from the tags as posted: a name the protocol would refuse as an
    # identifier (a bidi control, say) is no subject, rather than a cleaned look-alike.
    for tag in raw_tags:
        key, sep, value = _split_tag(tag)
        if sep and key == "service" and value and not explicit:
            service, explicit = cleaning.ref(value) or "", True
        elif sep and key == "version" and value and not version:
            version = cleaning.text(value, NAME_MAX)
    if not explicit:
        service = next((t for t in raw_tags if t in known_services and cleaning.ref(t)), "")
    digest = hashlib.sha1(f"{start}\n{body}\n{chr(31).join(sorted(tags))}".encode("utf-8", "replace")).hexdigest()
    attrs: dict[str, Any] = {
        "source": "annotation", "form": form, "tags": tags, "time_end_ms": end, "version": version,
        "text": body, "service_known": bool(service) and service in known_services,
    }
    title = cleaning.title(body) or "Change"
    return Event("ann-" + digest[:16], start, kind, service, title, Severity.INFO, attrs)


def _split_tag(tag: str) -> tuple[str, str, str]:
    """``service:pay`` or ``service=pay`` -> ("service", ":", "pay"); other tags -> (tag, "", "")."""
    for sep in (":", "="):
        key, found, value = tag.partition(sep)
        if found:
            return key.strip().lower(), found, value.strip()
    return tag, "", ""


def _tags(value: Any, *, split_text: bool) -> tuple[list[str], list[str]]:
    """Tags cleaned, without blanks or repeats, at most ``cleaning.MAP_MAX``, and the same tags as
    posted (stripped); ``ValueError`` for a value that is not a list of strings (or, in the
    Graphite form, a space-separated string)."""
    if value is None:
        return [], []
    if isinstance(value, str) and split_text:
        value = value.split()
    if not isinstance(value, list):
        what = "a list of strings or a space-separated string" if split_text else "a list of strings"
        raise ValueError(f"tags: expected {what}, got {cleaning.json_type(value)}")
    out: list[str] = []
    raw: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"tags: expected strings, got {cleaning.json_type(item)} in the list")
        tag = cleaning.text(item.strip(), NAME_MAX)
        if tag and tag not in out and len(out) < cleaning.MAP_MAX:
            out.append(tag)
            raw.append(item.strip())
    return out, raw


def _epoch_ms(value: Any, what: str) -> int | None:
    """An epoch time as ms (see the module docstring for units); None for missing or 0."""
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(f"{what}: expected a number, got {cleaning.title(value)[:30]!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{what}: expected a number, got {cleaning.json_type(value)}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what}: {value!r} is not a time")
    if value == 0:
        return None
    if value >= 1e16:  # past the year 318857 in ms: nothing a CI job means
        raise ValueError(f"{what}: {value!r} is too large for a time")
    return int(value * 1000) if value < _SECONDS_BELOW else int(value)


__all__ = ["annotation_events", "answer_id"]
