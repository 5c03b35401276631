"""The alert list's data: alerts grouped by root cause, and the two-level model that shows them.

A group is a root alert and the symptoms folded under it (``Alert.folded_under``). Groups
are sorted by the worst severity in them, then the oldest first; symptoms likewise. Ages
are computed from the feed's time (``AlertWatch.now_ms``), so an accelerated or replayed
feed shows ages in its own time; moving that time re-reads the ages only
(``AlertTreeModel.set_now``), it does not rebuild the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt, Signal

from warroom.core.alerting.alerts import Alert
from warroom.core.language.lang import pick
from warroom.core.model import Severity
from warroom.core.language.names import current_names, event_title
from warroom.ui import theme
from warroom.ui.panels.alerts.cards import CARD_ROLE, LINES_ROLE, Badge, Card, format_age, severity_color, severity_rank
from warroom.ui.panels.alerts.context_view import context_badge

ALERT_ROLE = Qt.ItemDataRole.UserRole + 11
FP_ROLE = Qt.ItemDataRole.UserRole + 12


@dataclass(frozen=True)
class AlertGroup:
    """A root alert and the symptoms folded under it."""

    root: Alert
    symptoms: tuple[Alert, ...] = ()

    @property
    def worst(self) -> Severity:
        """The most severe severity in the group."""
        return min((self.root, *self.symptoms), key=lambda a: severity_rank(a.severity)).severity

    @property
    def oldest_ms(self) -> int:
        """When the group's first alert started."""
        return min(a.since_ms for a in (self.root, *self.symptoms))


def _alert_order(a: Alert) -> tuple:
    return (severity_rank(a.severity), a.since_ms, a.subject, a.fingerprint)


def group_alerts(alerts: Iterable[Alert]) -> list[AlertGroup]:
    """Alerts grouped under their root (the top of their ``folded_under`` chain), groups by worst
    severity then oldest. A symptom whose root is no longer active stands as its own group."""
    alerts = list(alerts)
    by_fp = {a.fingerprint: a for a in alerts}
    members: dict[str, list[Alert]] = {}
    for a in alerts:
        top, seen = a, {a.fingerprint}
        while top.folded_under and top.folded_under in by_fp and top.folded_under not in seen:
            top = by_fp[top.folded_under]
            seen.add(top.fingerprint)
        members.setdefault(top.fingerprint, [])
        if top is not a:
            members[top.fingerprint].append(a)
    groups = [AlertGroup(by_fp[fp], tuple(sorted(s, key=_alert_order))) for fp, s in members.items()]
    return sorted(groups, key=lambda g: (severity_rank(g.worst), g.oldest_ms, g.root.fingerprint))


def state_text(alert: Alert) -> str:
    """``firing``, ``pending``, ``acked by alice`` (translated)."""
    if alert.state == "acknowledged":
        who = alert.acked_by or "?"
        return QCoreApplication.translate("AlertsPanel", "acked by %1").replace("%1", who)
    if alert.state == "pending":
        return QCoreApplication.translate("AlertsPanel", "pending")
    if alert.state == "firing":
        return QCoreApplication.translate("AlertsPanel", "firing")
    return alert.state


def change_text(alert: Alert, short: bool = False) -> str:
    """``after change: Deployed payment-engine 1.3.0`` (``after change`` alone when ``short``);
    "" if the alert is not tagged."""
    if "after_change" not in alert.tags:
        return ""
    change = alert.change or {}
    # The change's title in the UI language (a feed's deploy event may say it per language).
    what = (event_title(str(change.get("title") or ""), change)
            or current_names().subject(str(change.get("subject") or "")))
    if short or not what:
        return QCoreApplication.translate("AlertsPanel", "after change")
    return QCoreApplication.translate("AlertsPanel", "after change: %1").replace("%1", str(what))


def tag_texts(alert: Alert, short_change: bool = False) -> list[str]:
    """The words for an alert's tags: ``after change: Deployed …``, ``flapping``, ``silenced``."""
    out = []
    if "after_change" in alert.tags:
        out.append(change_text(alert, short_change))
    if "flapping" in alert.tags:
        out.append(QCoreApplication.translate("AlertsPanel", "flapping"))
    if alert.silenced_by:
        out.append(QCoreApplication.translate("AlertsPanel", "silenced"))
    return out


def source_text(alert: Alert) -> str:
    """``via Alertmanager`` for an alert another system raised (the site's own rules); "" for Warroom's."""
    if alert.source == "alertmanager":
        return QCoreApplication.translate("AlertsPanel", "via Alertmanager")
    return QCoreApplication.translate("AlertsPanel", "via %1").replace("%1", alert.source) if alert.source else ""


def symptoms_text(group: AlertGroup) -> str:
    """``+17 symptoms`` (and the worst of them when it is worse than the root's)."""
    n = len(group.symptoms)
    if not n:
        return ""
    text = (QCoreApplication.translate("AlertsPanel", "+1 symptom") if n == 1 else
            QCoreApplication.translate("AlertsPanel", "+%1 symptoms").replace("%1", str(n)))
    worst = min(group.symptoms, key=lambda a: severity_rank(a.severity)).severity
    if severity_rank(worst) < severity_rank(group.root.severity):
        text += " " + QCoreApplication.translate("AlertsPanel", "(worst %1)").replace("%1", worst.value)
    return text


def alert_card(alert: Alert, now_ms: int | None, group: AlertGroup | None = None,
               root: Alert | None = None) -> Card:
    """The card of one alert: ``group`` is given for a group's top row, ``root`` for a symptom.

    A group's root gets a third line naming the change it followed ("was there a release?");
    a symptom that followed the same change just says ``after change``.
    """
    t = theme.current()
    color = severity_color(alert.severity)
    badges: list[Badge] = []
    if group is not None:
        if alert.is_root and (group.symptoms or (alert.root_cause and alert.root_cause == alert.subject)):
            badges.append(Badge(QCoreApplication.translate("AlertsPanel", "ROOT CAUSE"), t.crit, boxed=True))
        if group.symptoms:
            badges.append(Badge(symptoms_text(group), t.text, bold=True))
        if not alert.is_root and alert.root_cause:
            badges.append(Badge(QCoreApplication.translate("AlertsPanel", "root cause: %1").replace(
                "%1", current_names().subject(alert.root_cause))))
    state_color = {"firing": color, "acknowledged": t.ok}.get(alert.state, "")
    badges.append(Badge(state_text(alert), state_color, bold=alert.state == "firing"))
    details: list[Badge] = []
    same_change = root is not None and bool(alert.change) and (root.change or {}).get("id") == alert.change.get("id")
    words = tag_texts(alert, short_change=same_change)
    if group is not None and "after_change" in alert.tags and alert.change:
        words = words[1:]  # the change has a line of its own below
    for i, word in enumerate(words):
        silenced = bool(alert.silenced_by) and i == len(words) - 1  # "silenced" comes last, and quiet
        badges.append(Badge(word, "" if silenced else t.warn))
    if alert.source:  # quiet: where it comes from, not how bad it is
        badges.append(Badge(source_text(alert), ""))
    if group is not None and "after_change" in alert.tags and alert.change:
        details.append(Badge(change_text(alert), t.warn, bold=True))
    age = None if now_ms is None else now_ms - alert.since_ms
    muted = alert.state == "pending" or bool(alert.silenced_by)
    return Card(alert.severity.value, color, alert_title(alert), chip_filled=alert.state != "pending",
                bold=group is not None and alert.is_root, dim=muted, right=format_age(age), badges=tuple(badges),
                details=tuple(details))


def alert_title(alert: Alert) -> str:
    """The alert's title in the UI language (rules may carry one per language)."""
    return pick(alert.title, alert.titles)


def alert_tooltip(alert: Alert, utc_offset_minutes: int = 8 * 60) -> str:
    """Everything about an alert, for the hover text."""
    tz = timezone(timedelta(minutes=utc_offset_minutes))
    since = datetime.fromtimestamp(alert.since_ms / 1000, tz).strftime("%H:%M:%S")
    lines = [alert_title(alert), f"{alert.severity.value} · {alert.state} · {alert.rule} · {alert.subject}",
             QCoreApplication.translate("AlertsPanel", "since %1").replace("%1", since)]
    if alert.threshold is not None:
        lines.append(f"{alert.value:.4g} / {alert.threshold:.4g}")
    if alert.root_cause:
        lines.append(QCoreApplication.translate("AlertsPanel", "root cause: %1").replace("%1", alert.root_cause))
    if alert.ack_comment:
        lines.append(f"{alert.acked_by}: {alert.ack_comment}")
    if alert.change:
        lines.append(event_title(str(alert.change.get("title", "")), alert.change))
    if alert.plans:
        lines.append(QCoreApplication.translate("AlertsPanel", "plans: %1").replace("%1", ", ".join(alert.plans)))
    if alert.runbook:
        lines.append(alert.runbook)
    return "\n".join(lines)


class AlertTreeModel(QAbstractItemModel):
    """Groups as top-level rows, their symptoms as children (one column, painted as cards).

    A child's internal id is its group's row + 1; a top-level row's is 0.
    """

    #: The cards changed but no row's size or place: views repaint what they show.
    sig_repaint = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._groups: list[AlertGroup] = []
        self._now: int | None = None
        self._cards: dict[tuple[int, int], Card] = {}
        self._contexts: dict[str, Any] = {}  # service -> LogContext: a group root's log line (protocol 1.5)

    # -- feeding ------------------------------------------------------------------------
    @property
    def groups(self) -> list[AlertGroup]:
        """The groups shown, top first."""
        return list(self._groups)

    @property
    def now_ms(self) -> int | None:
        """The feed time ages are measured to."""
        return self._now

    def set_groups(self, groups: list[AlertGroup], now_ms: int | None) -> bool:
        """Show ``groups``; True if the tree's shape changed (the model was reset)."""
        shape = [(g.root.fingerprint, tuple(s.fingerprint for s in g.symptoms)) for g in groups]
        old = [(g.root.fingerprint, tuple(s.fingerprint for s in g.symptoms)) for g in self._groups]
        if shape != old:
            self.beginResetModel()
            self._groups, self._now = list(groups), now_ms
            self._cards.clear()
            self.endResetModel()
            return True
        before, self._groups, self._now = self._groups, list(groups), now_ms
        self._cards.clear()
        # A tree view answers each dataChanged by re-measuring rows and finding their place:
        # for a storm's hundreds of rows that is tens of ms. Only a row whose height changed
        # is announced; the others are repainted from the new cards (``sig_repaint``).
        for row, (was, now) in enumerate(zip(before, groups)):
            if self._lines(was.root, True) != self._lines(now.root, True):
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [CARD_ROLE, LINES_ROLE])
        self.sig_repaint.emit()
        return False

    def set_now(self, now_ms: int | None) -> bool:
        """Move the feed time; True if it moved. Only the ages change, and no row's height: the
        cards are rebuilt as they are painted (``sig_repaint``)."""
        if now_ms == self._now:
            return False
        self._now = now_ms
        self._cards.clear()
        self.sig_repaint.emit()
        return True

    def set_contexts(self, contexts: dict[str, Any]) -> None:
        """The newest log excerpt per service (``context_view.contexts_by_service``): a group's
        root whose service has one shows its newest line on a third line of its card."""
        if contexts == self._contexts:
            return
        before, self._contexts = self._contexts, dict(contexts)
        self._cards.clear()
        for row, g in enumerate(self._groups):  # rows that gain or lose the line change height
            if (g.root.subject in before) != (g.root.subject in self._contexts):
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0), [CARD_ROLE, LINES_ROLE])
        self.sig_repaint.emit()

    def _lines(self, alert: Alert, top: bool) -> int:
        return max(self.lines_of(alert, top), 3 if top and alert.subject in self._contexts else 0)

    @staticmethod
    def lines_of(alert: Alert, top: bool) -> int:
        """Lines of an alert's card: title and badges, and for a group's root the change it followed."""
        return 3 if top and "after_change" in alert.tags and alert.change else 2

    # -- reading ------------------------------------------------------------------------
    def alert_at(self, index: QModelIndex | QPersistentModelIndex) -> Alert | None:
        """The alert of a row."""
        if not index.isValid():
            return None
        group_row = index.internalId() - 1 if index.internalId() else index.row()
        if not 0 <= group_row < len(self._groups):
            return None
        g = self._groups[group_row]
        if not index.internalId():
            return g.root
        return g.symptoms[index.row()] if 0 <= index.row() < len(g.symptoms) else None

    def index_of(self, fingerprint: str) -> QModelIndex:
        """The row of an alert by fingerprint (invalid if not shown)."""
        for row, g in enumerate(self._groups):
            if g.root.fingerprint == fingerprint:
                return self.index(row, 0)
            for i, s in enumerate(g.symptoms):
                if s.fingerprint == fingerprint:
                    return self.index(i, 0, self.index(row, 0))
        return QModelIndex()

    # -- QAbstractItemModel ---------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._groups) else QModelIndex()
        if parent.internalId() or parent.row() >= len(self._groups):
            return QModelIndex()  # symptoms have no children
        if row >= len(self._groups[parent.row()].symptoms):
            return QModelIndex()
        return self.createIndex(row, 0, parent.row() + 1)

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or not index.internalId():
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() or parent.row() >= len(self._groups):
            return 0
        return len(self._groups[parent.row()].symptoms)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        alert = self.alert_at(index)
        if alert is None:
            return None
        if role == CARD_ROLE:
            key = (index.internalId(), index.row())
            card = self._cards.get(key)
            if card is None:
                if index.internalId():
                    root = self._groups[index.internalId() - 1].root
                    card = alert_card(alert, self._now, root=root)
                else:
                    card = alert_card(alert, self._now, self._groups[index.row()])
                    ctx = self._contexts.get(alert.subject)
                    if ctx is not None and not card.details:
                        card = replace(card, details=(context_badge(ctx),))
                self._cards[key] = card
            return card
        if role == LINES_ROLE:
            return self._lines(alert, not index.internalId())
        if role == Qt.ItemDataRole.DisplayRole:
            return alert_title(alert)
        if role == Qt.ItemDataRole.ToolTipRole:
            return alert_tooltip(alert)
        if role == ALERT_ROLE:
            return alert
        if role == FP_ROLE:
            return alert.fingerprint
        return None
