"""Action items: the follow-ups an incident leaves ("add a timeout to the ICBC client"), each with
an owner and, optionally, a due date.

They are kept in the event log the way incident notes are: a ``note`` event on the incident's
timeline (``IncidentBook.add_action_item``) whose attrs also hold ``action_item: true``,
``owner`` and ``due`` (``YYYY-MM-DD`` or empty). So they travel with the history, its bundles
and its replays, and an older Warroom shows them as notes. The report lists them and
``warroom report --actions-csv/--actions-json`` exports them (docs/report.md).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Iterable

from warroom.core.model import Event, EventKind

ATTR = "action_item"
MAX_TEXT = 2000
MAX_OWNER = 200
CSV_COLUMNS = ("incident", "text", "owner", "due", "added_by", "added_at", "id")


@dataclass(frozen=True)
class ActionItem:
    """One follow-up. ``due`` is ``YYYY-MM-DD`` or ``""``; ``ts`` is when it was added (epoch ms)."""

    id: str
    incident: str
    ts: int
    actor: str
    text: str
    owner: str
    due: str = ""


def parse_due(value: str | None) -> str:
    """``YYYY-MM-DD`` (stripped) or ``""``; ``ValueError`` saying what is expected otherwise."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"due date {value!r} is not a date: write it as YYYY-MM-DD") from None


def item_attrs(incident_id: str, actor: str, text: str, owner: str, due: str | None = "") -> dict[str, Any]:
    """The checked attrs of an action item's note event; ``ValueError`` on an empty or oversized field."""
    actor, text, owner = (actor or "").strip(), (text or "").strip(), (owner or "").strip()
    for name, value, limit in (("who adds it", actor, MAX_OWNER), ("the action", text, MAX_TEXT),
                               ("the owner", owner, MAX_OWNER)):
        if not value:
            raise ValueError(f"an action item needs {name}")
        if len(value) > limit:
            raise ValueError(f"{name} is too long (at most {limit} characters)")
    return {"incident": incident_id, "actor": actor, "text": text, ATTR: True, "owner": owner,
            "due": parse_due(due)}


def is_action_item(ev: Event) -> bool:
    """True for a note event that is an action item."""
    return ev.kind is EventKind.NOTE and ev.attrs.get(ATTR) is True


def from_event(ev: Event) -> ActionItem:
    """The action item an event holds (fields it lacks are empty)."""
    a = ev.attrs
    due = str(a.get("due") or "")
    try:
        due = parse_due(due)
    except ValueError:
        pass  # kept as written: a report shows what was recorded
    return ActionItem(ev.id, str(a.get("incident") or ""), ev.ts, str(a.get("actor") or ""),
                      str(a.get("text") or ev.title), str(a.get("owner") or ""), due)


def action_items(events: Iterable[Event], incident_id: str | None = None) -> list[ActionItem]:
    """The action items in ``events`` (of one incident when ``incident_id`` is given), oldest first."""
    items = [from_event(ev) for ev in events if is_action_item(ev)]
    if incident_id is not None:
        items = [i for i in items if i.incident == incident_id]
    return sorted(items, key=lambda i: (i.ts, i.id))


def to_csv(items: Iterable[ActionItem], *, added_at=None) -> str:
    """CSV with a header (``CSV_COLUMNS``). ``added_at(ms) -> str`` formats the time (ISO UTC by default).

    A field that starts like a formula (``=``, ``+``, ``-``, ``@``) is prefixed with ``'``
    so a spreadsheet shows it as text instead of running it."""
    fmt = added_at or _iso_utc
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for i in items:
        w.writerow([_cell(v) for v in (i.incident, i.text, i.owner, i.due, i.actor, fmt(i.ts), i.id)])
    return out.getvalue()


def to_json(items: Iterable[ActionItem]) -> str:
    """A JSON list of the items' fields (``ts`` in epoch ms)."""
    return json.dumps([asdict(i) for i in items], ensure_ascii=False, indent=2) + "\n"


def _iso_utc(ms: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
