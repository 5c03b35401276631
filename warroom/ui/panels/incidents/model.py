"""The incident view's data: the incident list (live first, then recent resolved) and the
timeline of one incident, as cards (see ``alert_cards``).

The timeline reads the incident's own events (``Incident.timeline``): alerts firing and
resolving, acknowledgements with who and why, notes, deploys, plan executions and the
incident's state changes. By default the bookkeeping is left out (an alert going pending,
a pending alert clearing, "alert joined", a root cause re-announced); ``show_all`` keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from PySide6.QtCore import QAbstractListModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt

from warroom.core.alerting.alerts import amends_root
from warroom.core.incident.escalation import ResponsePolicy, countdown
from warroom.core.incident.incidents import Incident
from warroom.core.language.lang import pick
from warroom.core.model import Event, EventKind
from warroom.core.language.names import current_names, event_title
from warroom.protocol.context import is_context
from warroom.ui import theme
from warroom.ui.panels.alerts.cards import CARD_ROLE, LINES_ROLE, Badge, Card, format_age, severity_color, severity_rank
from warroom.ui.panels.alerts.context_view import context_row_texts
from warroom.ui.panels.events.panel import format_time

ID_ROLE = Qt.ItemDataRole.UserRole + 21
#: Resolved incidents listed below the live ones.
MAX_RESOLVED = 20

translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls


def incident_order(incidents: Iterable[Incident], max_resolved: int = MAX_RESOLVED) -> list[Incident]:
    """Live incidents (worst first, then newest), then the latest resolved ones; merged ones
    are left out (the survivor carries their alerts and timeline)."""
    shown = [i for i in incidents if not i.merged_into]
    live = sorted((i for i in shown if i.live), key=lambda i: (severity_rank(i.severity), -i.detected_ms, i.id))
    done = sorted((i for i in shown if not i.live), key=lambda i: -(i.verified_ms or i.resolved_ms or i.detected_ms))
    return live + done[:max_resolved]


def state_word(state: str) -> str:
    """The incident state in capitals, translated."""
    return {
        "open": translate("IncidentsPanel", "OPEN"),
        "acknowledged": translate("IncidentsPanel", "ACKNOWLEDGED"),
        "mitigated": translate("IncidentsPanel", "MITIGATED"),
        "recovering": translate("IncidentsPanel", "RECOVERING"),
        "resolved": translate("IncidentsPanel", "RESOLVED"),
    }.get(state, state.upper())


#: States in which users no longer feel the outage: amber (mitigated) or green (recovering), never red.
RECOVERED_STATES = ("mitigated", "recovering")


def state_color(state: str) -> str:
    """Red only while users feel it: open, or acknowledged (someone is on it, still broken);
    mitigated amber (users recovered, the root still alerts); recovering green."""
    t = theme.current()
    return {"open": t.crit, "acknowledged": t.crit, "mitigated": t.warn, "recovering": t.ok}.get(state, t.text_dim)


def incident_color(inc: Incident) -> str:
    """The colour of an incident's severity chip: its severity's while users feel it, amber once
    mitigated (a P1 that is mitigated must not read as a red P1), dim once resolved."""
    t = theme.current()
    if inc.state in RECOVERED_STATES:
        return t.warn
    return severity_color(inc.severity)


def duration_text(inc: Incident, now_ms: int | None) -> str:
    """``open 4m 10s`` for a live incident, ``MTTR 12m 03s`` once service was restored."""
    if inc.resolved_ms is not None and not inc.live:
        return translate("IncidentsPanel", "MTTR %1").replace("%1", format_age(inc.resolved_ms - inc.started_ms))
    mitigated = getattr(inc, "mitigated_ms", None)
    if inc.state in RECOVERED_STATES and mitigated is not None:
        return translate("IncidentsPanel", "mitigated in %1").replace("%1", format_age(mitigated - inc.started_ms))
    if now_ms is None:
        return ""
    return translate("IncidentsPanel", "open %1").replace("%1", format_age(now_ms - inc.started_ms))


def response_text(inc: Incident, now_ms: int | None, policy: ResponsePolicy | None) -> tuple[str, str, bool] | None:
    """The countdown to the incident's response target: ``(text, colour, overdue)``, or None
    once someone acknowledged it (or it is resolved, or its severity has no target).

    ``ACK IN 4m 10s`` (amber in the last third), then ``OVERDUE 3m 05s`` in red: the room
    sees from across it which incident nobody has taken yet.
    """
    cd = countdown(inc, now_ms, policy or ResponsePolicy())
    if cd is None:
        return None
    t = theme.current()
    if cd.overdue:
        return translate("IncidentsPanel", "OVERDUE %1").replace("%1", format_age(-cd.left_ms)), t.crit, True
    colour = t.warn if cd.left_ms * 3 <= cd.target_ms else t.accent
    return translate("IncidentsPanel", "ACK IN %1").replace("%1", format_age(cd.left_ms)), colour, False


def target_words(ms: int) -> str:
    """A response target as people say it: ``15 min`` (``90 s`` below a minute)."""
    if ms % 60_000 == 0:
        return translate("IncidentsPanel", "%1 min").replace("%1", str(ms // 60_000))
    return format_age(ms)


def response_summary(inc: Incident, now_ms: int | None, policy: ResponsePolicy | None) -> str:
    """The milestone line's words on a missed target: ``P1 target 15 min: overdue by 3m 05s, escalated``
    ("" while there is time: the card counts down)."""
    cd = countdown(inc, now_ms, policy or ResponsePolicy())
    if cd is None:
        return ""
    if not cd.overdue:
        # The card counts down ("ACK IN …"); said again here it wrapped the heading to one more
        # line, and a short dock must not grow for it.
        return ""
    head = translate("IncidentsPanel", "%1 target %2").replace("%1", cd.severity).replace("%2", target_words(cd.target_ms))
    return head + ": " + translate("IncidentsPanel", "overdue by %1, escalated").replace("%1", format_age(-cd.left_ms))


def incident_title(inc: Incident) -> str:
    """The incident's title in the UI language (the book titles it in every language it knows);
    a drill's says so first (``DRILL · ``): a drill incident is never taken for real."""
    title = pick(inc.title, inc.titles)
    if getattr(inc, "drill", "") and title:
        return QCoreApplication.translate("Drill", "DRILL") + " · " + title
    return title


def _title(ev: Event) -> str:
    return event_title(ev.title, ev.attrs)


def _name(ident: str) -> str:
    """A service, scenario or edge as people name it (the id when the feed gave no name)."""
    return current_names().subject(ident)


def incident_card(inc: Incident, now_ms: int | None, policy: ResponsePolicy | None = None) -> Card:
    """One row of the incident list. On an incident nobody acknowledged, the countdown to its
    response target takes the right-hand side (``response_text``) and how long it has been
    open moves to the badges."""
    t = theme.current()
    owner = (translate("IncidentsPanel", "owner %1").replace("%1", inc.owner) if inc.owner
             else translate("IncidentsPanel", "no owner"))
    count = len(inc.alerts)
    alerts = (translate("IncidentsPanel", "1 alert") if count == 1 else
              translate("IncidentsPanel", "%1 alerts").replace("%1", str(count)))
    badges = (Badge(state_word(inc.state), state_color(inc.state), bold=True),
              Badge(owner, "" if inc.owner else t.warn), Badge(alerts), Badge(_name(inc.root_cause)))
    response = response_text(inc, now_ms, policy)
    right, right_color, filled = duration_text(inc, now_ms), "", False
    if response is not None:
        badges += (Badge(right),)
        right, right_color, filled = response
    # Titled by root cause and impact ("ICBC gateway down — QR-code payment 64.8 %"), in the UI language.
    return Card(inc.severity.value, incident_color(inc), incident_title(inc) or _name(inc.root_cause),
                # Mitigated: an outlined amber chip, beside the filled ones of incidents users still feel.
                chip_filled=inc.live and inc.state not in RECOVERED_STATES, bold=inc.live, dim=not inc.live,
                right=right, right_color=right_color, right_filled=filled,
                badges=badges)


def incident_summary(inc: Incident, now_ms: int | None, utc_offset_minutes: int,
                     policy: ResponsePolicy | None = None) -> str:
    """The milestones under the selected incident's name: started, detected (MTTD), acked (MTTA)."""
    def at(ms: int) -> str:
        return format_time(ms, utc_offset_minutes)

    parts = [translate("IncidentsPanel", "started %1").replace("%1", at(inc.started_ms)),
             translate("IncidentsPanel", "detected %1 (MTTD %2)").replace("%1", at(inc.detected_ms))
             .replace("%2", format_age(inc.detected_ms - inc.started_ms))]
    if inc.acked_ms is not None:
        who = next((str(e.attrs.get("actor") or "") for e in inc.timeline
                    if e.kind is EventKind.INCIDENT and e.attrs.get("action") == "acknowledged"), "")
        parts.append(translate("IncidentsPanel", "acked %1 by %2 (MTTA %3)").replace("%1", at(inc.acked_ms))
                     .replace("%2", who or "?").replace("%3", format_age(inc.acked_ms - inc.detected_ms)))
    else:
        parts.append(translate("IncidentsPanel", "not acknowledged"))
        parts.append(response_summary(inc, now_ms, policy))
    mitigated = getattr(inc, "mitigated_ms", None)
    if mitigated is not None:
        parts.append(translate("IncidentsPanel", "mitigated %1").replace("%1", at(mitigated)))
    if inc.resolved_ms is not None and not inc.live:
        parts.append(translate("IncidentsPanel", "restored %1").replace("%1", at(inc.resolved_ms)))
    parts.append(duration_text(inc, now_ms))
    return "  ·  ".join(p for p in parts if p)


@dataclass(frozen=True)
class TimelineRow:
    """One line of an incident's timeline."""

    id: str
    ts: int
    kind: str  # the chip word
    color: str
    text: str
    detail: str = ""
    routine: bool = False  # bookkeeping, hidden unless "all events"


def _alert_row(ev: Event) -> TimelineRow:
    a, t = ev.attrs, theme.current()
    state = str(a.get("state", ""))
    if amends_root(a):
        return TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "ROOT CAUSE"), t.text_dim,
                           translate("IncidentsPanel", "%1: root cause now %2").replace("%1", _name(ev.subject))
                           .replace("%2", _name(str(a.get("root_cause") or "?"))), routine=True)
    if state == "firing":
        return TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "FIRING"), severity_color(ev.severity), _title(ev))
    if state == "acknowledged":
        who = str(a.get("actor") or "")
        return TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "ACKED"), t.ok, _title(ev),
                           f"{who}: {a.get('comment')}" if a.get("comment") else who)
    if state == "resolved":
        if a.get("fired") is False:
            return TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "CLEARED"), t.text_dim, _title(ev), routine=True)
        return TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "RESOLVED"), t.ok, _title(ev))
    return TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "PENDING"), t.text_dim, _title(ev), routine=True)


def _incident_row(ev: Event, titles: dict[str, str]) -> TimelineRow:
    a, t = ev.attrs, theme.current()
    action = str(a.get("action", ""))
    actor, comment = str(a.get("actor") or ""), str(a.get("comment") or "")

    def row(kind: str, color: str, text: str, detail: str = "", routine: bool = False) -> TimelineRow:
        return TimelineRow(ev.id, ev.ts, kind, color, text, detail, routine)

    if action == "opened":
        return row(translate("IncidentsPanel", "OPENED"), t.crit, translate("IncidentsPanel", "Incident opened: %1")
                   .replace("%1", _title(ev)), translate("IncidentsPanel", "root cause %1").replace("%1", _name(ev.subject)))
    if action == "alert_joined":
        fp = str(a.get("alert") or "")
        return row(translate("IncidentsPanel", "JOINED"), t.text_dim, translate("IncidentsPanel", "Alert joined: %1")
                   .replace("%1", titles.get(fp, fp)), routine=True)
    if action == "root_cause_changed":
        return row(translate("IncidentsPanel", "ROOT CAUSE"), t.accent, translate("IncidentsPanel", "Root cause now %1 (was %2)")
                   .replace("%1", _name(str(a.get("root_cause") or "?")))
                   .replace("%2", _name(str(a.get("previous_root_cause") or "?"))), str(a.get("reason") or ""))
    if action == "mitigated":
        return row(translate("IncidentsPanel", "MITIGATED"), t.warn,
                   translate("IncidentsPanel", "Mitigated: users recovered, the root cause still alerts"))
    if action == "escalated":
        return row(translate("IncidentsPanel", "ESCALATED"), severity_color(ev.severity),
                   translate("IncidentsPanel", "Escalated to %1").replace("%1", ev.severity.value))
    if action == "acknowledged":
        return row(translate("IncidentsPanel", "ACK"), t.ok,
                   translate("IncidentsPanel", "Acknowledged by %1").replace("%1", actor or "?"), comment)
    if action == "owner_changed":
        return row(translate("IncidentsPanel", "OWNER"), t.accent, translate("IncidentsPanel", "Owner: %1")
                   .replace("%1", str(a.get("owner") or "")), translate("IncidentsPanel", "set by %1").replace("%1", actor))
    if action == "recovering":
        return row(translate("IncidentsPanel", "RECOVERING"), t.ok,
                   translate("IncidentsPanel", "All alerts resolved: verifying the recovery"))
    if action == "reopened":
        return row(translate("IncidentsPanel", "REOPENED"), t.crit, translate("IncidentsPanel", "Reopened: an alert fired again"))
    if action == "resolved":
        return row(translate("IncidentsPanel", "RESOLVED"), t.ok, translate("IncidentsPanel", "Resolved: recovery verified"))
    if action == "merged":
        text = (translate("IncidentsPanel", "Merged in %1").replace("%1", str(a["merged_from"])) if a.get("merged_from")
                else translate("IncidentsPanel", "Merged into %1").replace("%1", str(a.get("merged_into") or "?")))
        return row(translate("IncidentsPanel", "MERGED"), t.accent, text)
    return row(action.upper() or translate("IncidentsPanel", "INCIDENT"), t.text_dim, _title(ev), routine=True)


def timeline_rows(inc: Incident, show_all: bool = False, escalations: Iterable[Event] = ()) -> list[TimelineRow]:
    """The incident's timeline, newest first (bookkeeping only with ``show_all``);
    ``escalations``: its missed response targets (the watch keeps them beside the book)."""
    t = theme.current()
    titles = {str(e.attrs.get("fingerprint")): _title(e) for e in inc.timeline if e.kind is EventKind.ALERT}
    # Log events (protocol 1.5) come every few seconds: the newest per service is news,
    # the older ones are bookkeeping ("all events").
    newest_logs = {e.subject: e.id for e in sorted(inc.timeline, key=lambda e: e.ts) if is_context(e)}
    rows: list[TimelineRow] = []
    for ev in sorted([*inc.timeline, *escalations], key=lambda e: e.ts):
        if ev.kind is EventKind.ESCALATION:
            tier = str(ev.attrs.get("tier") or ev.severity.value)
            r = TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "OVERDUE"), t.crit,
                            translate("IncidentsPanel", "No acknowledgement in %1: escalated")
                            .replace("%1", target_words(int(ev.attrs.get("target_ms") or 0))),
                            translate("IncidentsPanel", "%1 response target missed, sent to the second channel")
                            .replace("%1", tier))
        elif ev.kind is EventKind.ALERT:
            r = _alert_row(ev)
        elif ev.kind is EventKind.INCIDENT:
            r = _incident_row(ev, titles)
        elif is_context(ev):
            text, detail = context_row_texts(ev, _name(ev.subject))
            r = TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "LOGS"), t.warn, text, detail,
                            routine=newest_logs.get(ev.subject) != ev.id)
        elif ev.kind is EventKind.NOTE:
            text = str(ev.attrs.get("text") or ev.title)
            first, _, rest = text.partition("\n")
            first = event_title(first, ev.attrs)  # a scripted note may say it per language
            who = str(ev.attrs.get("actor") or "")
            detail = " / ".join(x for x in [who, " ".join(rest.split())] if x)
            r = TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "NOTE"), t.accent, first, detail)
            if ev.attrs.get("action_item") is True:  # warroom.core.incident.action_items
                owner = translate("IncidentsPanel", "owner %1").replace("%1", str(ev.attrs.get("owner") or ""))
                due = str(ev.attrs.get("due") or "")
                if due:
                    owner += " · " + translate("IncidentsPanel", "due %1").replace("%1", due)
                r = TimelineRow(ev.id, ev.ts, translate("IncidentsPanel", "ACTION"), t.accent, first,
                                " / ".join(x for x in [owner, who] if x))
        else:
            kind = {EventKind.DEPLOY: translate("IncidentsPanel", "DEPLOY"),
                    EventKind.CONFIG_CHANGE: translate("IncidentsPanel", "CONFIG"),
                    EventKind.PLAN_EXECUTION: translate("IncidentsPanel", "PLAN")}.get(ev.kind, ev.kind.value.upper())
            who = str(ev.attrs.get("actor") or "")
            r = TimelineRow(ev.id, ev.ts, kind, t.accent, _title(ev), who)
        if show_all or not r.routine:
            rows.append(r)
    return rows[::-1]


class CardListModel(QAbstractListModel):
    """A list of items shown as cards; ``card(item)`` builds a row's card when it is painted."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._items: list[Any] = []
        self._cards: dict[int, Card] = {}

    @property
    def items(self) -> list[Any]:
        """The items shown, top first."""
        return list(self._items)

    def key(self, item: Any) -> str:
        return str(item.id)

    def card(self, item: Any) -> Card:
        raise NotImplementedError

    def lines(self, item: Any) -> int | None:
        """Lines of an item's card, if known without building it."""
        return None

    def set_items(self, items: list[Any]) -> bool:
        """Show ``items``; True if rows were added, removed or moved."""
        new, old = [self.key(i) for i in items], [self.key(i) for i in self._items]
        if new == old:
            self._items = list(items)
            self.changed()
            return False
        k = len(new) - len(old)
        if k > 0 and new[k:] == old:  # newer rows on top: insert, keeping the scroll position
            self.beginInsertRows(QModelIndex(), 0, k - 1)
            self._items = list(items)
            self._cards.clear()
            self.endInsertRows()
            return True
        self.beginResetModel()
        self._items = list(items)
        self._cards.clear()
        self.endResetModel()
        return True

    def changed(self) -> None:
        """Every row may look different: rebuild the cards."""
        self._cards.clear()
        if self._items:
            self.dataChanged.emit(self.index(0), self.index(len(self._items) - 1), [CARD_ROLE])

    def row_of(self, key: str) -> int:
        """The row of an item by key, -1 if not shown."""
        return next((r for r, i in enumerate(self._items) if self.key(i) == key), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == CARD_ROLE:
            card = self._cards.get(index.row())
            if card is None:
                card = self._cards[index.row()] = self.card(item)
            return card
        if role == LINES_ROLE:
            return self.lines(item)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.card(item).title
        if role == Qt.ItemDataRole.ToolTipRole:
            c = self.card(item)
            return "\n".join([c.title, *(b.text for b in c.badges)])
        if role == ID_ROLE:
            return self.key(item)
        return None


class IncidentListModel(CardListModel):
    """Incidents as cards; durations run on the feed's time (``set_now``)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.now_ms: int | None = None
        self.policy: ResponsePolicy | None = None  # the watch's response targets (None: the defaults)

    def set_now(self, now_ms: int | None) -> bool:
        """Move the feed time; True if it moved. Only the durations change (no row's height):
        the cards are rebuilt as they are painted, the caller repaints the view."""
        if now_ms == self.now_ms:
            return False
        self.now_ms = now_ms
        self._cards.clear()
        return True

    def card(self, item: Incident) -> Card:
        return incident_card(item, self.now_ms, self.policy)

    def lines(self, item: Incident) -> int:
        return 2


class TimelineModel(CardListModel):
    """An incident's timeline as cards, newest first."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.utc_offset_minutes = 8 * 60

    def lines(self, item: TimelineRow) -> int:
        return 2 if item.detail else 1

    def card(self, item: TimelineRow) -> Card:
        badges = (Badge(item.detail, theme.current().text),) if item.detail else ()
        return Card(item.kind, item.color, item.text, dim=item.routine,
                    right=format_time(item.ts, self.utc_offset_minutes), badges=badges)
