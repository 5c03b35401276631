"""The event feed: deploys, config changes, faults, plan executions, feed events and notes.

Newest on top, with the time in the feed's time zone, a short kind word coloured by
severity, the subject and the title. Bounded (``MAX_ROWS``), filterable by kind; the
filter and the time zone are saved with the panel state. It answers the war room's first
question: "was there a release?".

Alert and incident events read as the state changes they are (``warroom.ui.panels.events.rows``):
"FIRING P1" in red, "MITIGATED" in amber, "RESOLVED" in green; a flapping alert is one row
("FIRING P2 ×4"); pending alerts and other bookkeeping only with the PENDING toggle on.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QHeaderView, QSizePolicy, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from warroom.core.model import Event, EventKind, Severity
from warroom.core.language.names import Names, event_title, names_for
from warroom.store.live import LiveView
from warroom.ui.wall.drill_banner import drill_tag
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.events.card import EventCardDelegate
from warroom.ui.panels.events.rows import FeedRow, feed_alert_text, fold, fold_key, incident_text, is_amend, \
    is_feed_alert, is_routine, state_level, state_word
from warroom.ui.panels.health.feed_text import feed_event_text

MAX_ROWS = 500
FILTER_COLUMNS = 4  # filter toggles per row until the panel's width is known
DEFAULT_UTC_OFFSET_MINUTES = 8 * 60  # the simulated platform runs on China time
COL_TIME, COL_KIND, COL_SUBJECT, COL_TITLE = range(4)
#: Kinds whose routine (info) events are changes to the platform: shown in the accent colour.
_CHANGE_KINDS = (EventKind.DEPLOY, EventKind.CONFIG_CHANGE, EventKind.PLAN_EXECUTION)


def kind_word(kind: EventKind) -> str:
    """The short word the feed prints for a kind."""
    words = {
        EventKind.DEPLOY: QCoreApplication.translate("EventFeedPanel", "DEPLOY"),
        EventKind.CONFIG_CHANGE: QCoreApplication.translate("EventFeedPanel", "CONFIG"),
        EventKind.ALERT: QCoreApplication.translate("EventFeedPanel", "ALERT"),
        EventKind.INCIDENT: QCoreApplication.translate("EventFeedPanel", "INCIDENT"),
        EventKind.PLAN_EXECUTION: QCoreApplication.translate("EventFeedPanel", "PLAN"),
        EventKind.FAULT: QCoreApplication.translate("EventFeedPanel", "FAULT"),
        EventKind.FEED: QCoreApplication.translate("EventFeedPanel", "FEED"),
        EventKind.NOTE: QCoreApplication.translate("EventFeedPanel", "NOTE"),
        EventKind.SILENCE: QCoreApplication.translate("EventFeedPanel", "SILENCE"),
        EventKind.ESCALATION: QCoreApplication.translate("EventFeedPanel", "ESCALATION"),
        EventKind.PATROL: QCoreApplication.translate("EventFeedPanel", "PATROL"),
        EventKind.LOG: QCoreApplication.translate("EventFeedPanel", "LOGS"),
        EventKind.DRILL: QCoreApplication.translate("EventFeedPanel", "DRILL"),
    }
    return words.get(kind, kind.value.upper())


def event_level(event: Event) -> str:
    """How the kind word is coloured: ``crit`` (P0/P1), ``warn`` (P2/P3), ``change``
    (a routine deploy, config change or plan run) or ``info``."""
    if event.severity in (Severity.P0, Severity.P1):
        return "crit"
    if event.severity in (Severity.P2, Severity.P3):
        return "warn"
    return "change" if event.kind in _CHANGE_KINDS else "info"


def level_color(level: str) -> QColor:
    """The colour of an ``event_level`` (or a ``rows.state_level``: ``ok`` is a recovery)."""
    t = theme.current()
    return {"crit": t.color("crit"), "warn": t.color("warn"), "ok": t.color("ok"), "change": t.color("accent")}.get(
        level, t.color("text_dim"))


def format_time(ts_ms: int, utc_offset_minutes: int) -> str:
    """``HH:MM:SS`` of a feed timestamp in the given time zone."""
    tz = timezone(timedelta(minutes=utc_offset_minutes))
    return datetime.fromtimestamp(ts_ms / 1000.0, tz).strftime("%H:%M:%S")


def format_offset(utc_offset_minutes: int) -> str:
    """``UTC+8``, ``UTC-3:30``, ``UTC``."""
    if utc_offset_minutes == 0:
        return "UTC"
    sign = "+" if utc_offset_minutes > 0 else "-"
    hours, minutes = divmod(abs(utc_offset_minutes), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def _newest_first(events: list[Event]) -> list[Event]:
    """Events (in arrival order) newest first; of equal times, the later arrival first."""
    return sorted(events, key=lambda e: e.ts)[::-1]


#: Kinds a new panel hides: log excerpts come every few seconds per failing service and would
#: push the alerts and plans down; alert cards and incident timelines show them where they
#: explain something. One click shows them here too.
HIDDEN_BY_DEFAULT = frozenset({EventKind.LOG})


class EventTableModel(QAbstractTableModel):
    """Events newest first: time, kind, subject, title."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Event] = []
        self._folds: dict[str, FeedRow] = {}  # by event id: rows standing for several transitions
        self.utc_offset_minutes = DEFAULT_UTC_OFFSET_MINUTES
        self.names = Names()  # the feed's display names (the panel sets them on refresh)

    @property
    def rows(self) -> list[Event]:
        """The events shown, top (newest) first."""
        return list(self._rows)

    def reset_rows(self, rows: list[Event], folds: list[FeedRow] | None = None) -> None:
        """Replace every row (``rows`` newest first); ``folds`` say which rows stand for
        several transitions of one alert."""
        self.beginResetModel()
        self._rows = list(rows)
        self._folds = {r.event.id: r for r in folds or () if r.count > 1 or r.first_ts != r.event.ts}
        self.endResetModel()

    def fired_count(self, row: int) -> int:
        """How many times the alert of a row fired within its fold (1 for a row of one event)."""
        fr = self._folds.get(self._rows[row].id)
        return fr.count if fr is not None else 1

    def prepend(self, newer: list[Event], limit: int) -> None:
        """Insert events newer than the top row (newest first) and drop rows beyond ``limit``."""
        if newer:
            self.beginInsertRows(QModelIndex(), 0, len(newer) - 1)
            self._rows[:0] = newer
            self.endInsertRows()
        if len(self._rows) > limit:
            self.beginRemoveRows(QModelIndex(), limit, len(self._rows) - 1)
            del self._rows[limit:]
            self.endRemoveRows()

    def set_utc_offset(self, minutes: int) -> None:
        """Show times in another zone."""
        self.utc_offset_minutes = minutes
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_TIME, COL_TIME)
        if self._rows:
            self.dataChanged.emit(self.index(0, COL_TIME), self.index(len(self._rows) - 1, COL_TIME))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (QCoreApplication.translate("EventFeedPanel", "Time (%1)").replace("%1", format_offset(self.utc_offset_minutes)),
                    QCoreApplication.translate("EventFeedPanel", "Kind"), QCoreApplication.translate("EventFeedPanel", "Subject"),
                    QCoreApplication.translate("EventFeedPanel", "What happened"))[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_TIME:
                return format_time(e.ts, self.utc_offset_minutes)
            if col == COL_KIND:
                word = state_word(e) or kind_word(e.kind)
                word = word if e.severity is Severity.INFO else f"{word} {e.severity.value}"
                count = self.fired_count(index.row())
                return f"{word} ×{count}" if count > 1 else word
            if col == COL_SUBJECT:  # people read names; the id stays in the tooltip
                return self.names.subject(e.subject, str(e.attrs.get("subject_kind") or ""))
            # A drill's events say so before their title: a drill alert is never taken for real.
            if e.kind is EventKind.INCIDENT:
                return drill_tag(e) + incident_text(e, self.names)
            if is_feed_alert(e):
                return drill_tag(e) + feed_alert_text(e)
            return drill_tag(e) + (feed_event_text(e) or event_title(e.title, e.attrs))
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_KIND:
                return level_color(state_level(e) or event_level(e))
            return theme.current().color("text_dim" if col == COL_TIME else "text")
        if role == Qt.ItemDataRole.FontRole and col == COL_KIND:
            return theme.ui_font(16.0, bold=True)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{e.title}\n{e.kind.value} · {e.severity.value} · {e.subject} · {e.id}"
            fr = self._folds.get(e.id)
            if fr is not None:
                tip += "\n" + QCoreApplication.translate("EventFeedPanel", "fired %1 times since %2").replace(
                    "%1", str(fr.count)).replace("%2", format_time(fr.first_ts, self.utc_offset_minutes))
            return tip
        if role == Qt.ItemDataRole.UserRole:
            return e
        return None


class EventFeedPanel(Panel):
    """The event feed; see the module docstring."""

    ID = "events"
    TITLE = "Events"
    DEFAULT_AREA = "right"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.max_rows = MAX_ROWS
        self._hidden: set[EventKind] = set(HIDDEN_BY_DEFAULT)
        self._show_pending = False  # pending alerts and other bookkeeping (rows.is_routine)
        self._until: int | None = None  # the cursor the rows were built up to
        self._seen: set[str] = set()  # ids of the events already considered (shown or filtered out)
        self.model = EventTableModel(self)
        self._buttons: dict[EventKind, QToolButton] = {}

        filters = QWidget(self)
        filters.setObjectName("event_filters")
        t = theme.current()
        # The app style sheet leaves tool buttons plain; here "shown" must look different from "hidden".
        filters.setStyleSheet(
            f"QToolButton {{ background: {t.background}; color: {t.text_dim}; border: 1px solid {t.border};"
            f" border-radius: 4px; padding: 2px 4px; text-decoration: line-through; }}"
            f" QToolButton:checked {{ background: {t.surface}; color: {t.text}; border-color: {t.accent};"
            f" text-decoration: none; }}")
        # The toggles wrap onto as many rows as the width needs: a side dock is too narrow
        # for one row at wall size, and a row that scrolls sideways hides the last kinds.
        self._filter_grid = grid = QGridLayout(filters)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setSpacing(4)
        self._filter_columns = 0
        for kind in EventKind:
            button = QToolButton(filters)
            button.setObjectName(f"event_filter_{kind.value}")
            button.setText(kind_word(kind))
            button.setFont(theme.ui_font(11.0, bold=True))
            button.setCheckable(True)
            button.setChecked(kind not in HIDDEN_BY_DEFAULT)
            button.setToolTip(self.tr("Show or hide this kind of event"))
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.toggled.connect(self._on_filter_toggled)
            self._buttons[kind] = button
        # One more toggle, off by default: pending alerts are noise until they fire.
        self.pending_button = button = QToolButton(filters)
        button.setObjectName("event_filter_pending")
        button.setText(self.tr("PENDING"))
        button.setFont(theme.ui_font(11.0, bold=True))
        button.setCheckable(True)
        button.setChecked(False)
        button.setToolTip(self.tr("Show pending alerts, alerts that cleared before firing and alerts joining an incident"))
        button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        button.toggled.connect(self.set_show_pending)
        self._wrap_filters(FILTER_COLUMNS)

        self.table = QTableView(self)
        self.table.setObjectName("event_table")
        self.table.setModel(self.model)
        self.table.setFont(theme.ui_font(16.0))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setFont(theme.ui_font(13.0, bold=True))
        header.setHighlightSections(False)
        for col in (COL_TIME, COL_KIND, COL_SUBJECT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self._card = EventCardDelegate(self.table, COL_TIME, COL_KIND)
        self._compact = False
        self._measure()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(filters)
        layout.addWidget(self.table)
        self.filters_bar = filters
        self.refresh()

    def set_wall_mode(self, wall: bool) -> None:
        """On a wall the filter toggles go (nobody clicks there); the filter in force stays."""
        super().set_wall_mode(wall)
        self._wall = wall
        self._fit_filters()

    #: Rows of events the panel keeps in view before it gives room to the filter toggles.
    MIN_ROWS_WITH_FILTERS = 4

    def _fit_filters(self) -> None:
        """Show the filter toggles unless on a wall, or unless they would leave fewer than
        ``MIN_ROWS_WITH_FILTERS`` events in view (a short dock: the events matter more; the
        filter in force stays, and a taller dock shows the toggles again)."""
        self.filters_bar.setVisible(not getattr(self, "_wall", False) and self.filters_fit)

    @property
    def filters_fit(self) -> bool:
        """Whether the panel is tall enough for the filter toggles and ``MIN_ROWS_WITH_FILTERS`` events."""
        rows = self._card.row_height() if self._compact else self._row_height
        return self.height() >= self.filters_bar.sizeHint().height() + self.MIN_ROWS_WITH_FILTERS * rows

    def _measure(self) -> None:
        """Row height, column widths and the filter toggles' width, from the fonts in force."""
        self._filter_px = max(b.sizeHint().width() for b in self._toggles())
        self._row_height = int(self.table.fontMetrics().height() * 1.6)
        header = self.table.horizontalHeader()
        metrics, head_metrics = self.table.fontMetrics(), header.fontMetrics()
        self._wide_widths = []  # of the time, kind and subject columns
        # The kind column holds state changes too ("MITIGATED P1 ×4"), in the UI language.
        kind_sample = max((f"{w} P0 ×9" for w in (kind_word(EventKind.INCIDENT), self.tr("MITIGATED"),
                                                 self.tr("RESOLVED"))), key=metrics.horizontalAdvance)
        for col, sample in ((COL_TIME, "88:88:88"), (COL_KIND, kind_sample), (COL_SUBJECT, "merchant-gateway")):
            title = self.model.headerData(col, Qt.Orientation.Horizontal)
            width = max(metrics.horizontalAdvance(sample), head_metrics.horizontalAdvance(title)) + theme.px(28)
            if not (self._compact and col == COL_TIME):  # the compact card stretches over the time column
                header.resizeSection(col, width)
            self._wide_widths.append(width)
        # The width the four columns need.
        self._wide_px = sum(self._wide_widths) + metrics.horizontalAdvance("Fault injected: dependency_outage")
        rows = self._card.row_height() if self._compact else self._row_height
        self.table.verticalHeader().setDefaultSectionSize(rows)

    def wall_scale_changed(self) -> None:
        """The wall scale changed (``warroom.ui.wall.wall_scale``): sizes follow the new fonts."""
        self._measure()
        width = self.width()
        self._set_compact(width < self._wide_px)
        self._filter_columns = 0  # re-wrap even if the count is the same: the toggles resized
        self._wrap_filters(max(1, (width - theme.px(12)) // (self._filter_px + self._filter_grid.spacing())))

    @property
    def compact(self) -> bool:
        """True when the panel is too narrow for four columns and shows each event as a
        two-line card instead (time, kind and subject above; what happened below)."""
        return self._compact

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        width = event.size().width()
        self._set_compact(width < self._wide_px)
        self._wrap_filters(max(1, (width - theme.px(12)) // (self._filter_px + self._filter_grid.spacing())))
        self._fit_filters()

    def _toggles(self) -> list[QToolButton]:
        """Every filter toggle: one per kind, then PENDING."""
        return [*self._buttons.values(), self.pending_button]

    def _wrap_filters(self, columns: int) -> None:
        """Lay the filter toggles out ``columns`` to a row, in balanced rows."""
        toggles = self._toggles()
        n = len(toggles)
        # Never one toggle a row: a dock tabbed behind another keeps a stale, tiny width, and
        # ten rows of toggles would ask the window for more height than the screen has.
        columns = max(2, columns)
        columns = -(-n // -(-n // max(1, min(columns, n))))  # as few columns as the rows need
        if columns == self._filter_columns:
            return
        self._filter_columns = columns
        for i, button in enumerate(toggles):
            self._filter_grid.addWidget(button, i // columns, i % columns)

    def _set_compact(self, compact: bool) -> None:
        if compact == self._compact:
            return
        self._compact = compact
        header = self.table.horizontalHeader()
        for col in (COL_KIND, COL_SUBJECT, COL_TITLE):
            self.table.setColumnHidden(col, compact)
        if compact:
            header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.Stretch)
            self.table.setItemDelegateForColumn(COL_TIME, self._card)
            self.table.verticalHeader().setDefaultSectionSize(self._card.row_height())
        else:
            header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(COL_TIME, self._wide_widths[COL_TIME])
            self.table.setItemDelegateForColumn(COL_TIME, None)
            self.table.verticalHeader().setDefaultSectionSize(self._row_height)
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_TIME, COL_TIME)

    # -- settings --------------------------------------------------------------------------
    @property
    def hidden_kinds(self) -> frozenset[EventKind]:
        """Kinds the filter hides."""
        return frozenset(self._hidden)

    def set_hidden_kinds(self, kinds: set[EventKind] | frozenset[EventKind]) -> None:
        """Hide these kinds (and show the others)."""
        self._hidden = set(kinds)
        for kind, button in self._buttons.items():
            button.blockSignals(True)
            button.setChecked(kind not in self._hidden)
            button.blockSignals(False)
        self._rebuild()

    @property
    def utc_offset_minutes(self) -> int:
        """The time zone the times are printed in, as minutes east of UTC."""
        return self.model.utc_offset_minutes

    def set_utc_offset_minutes(self, minutes: int) -> None:
        """Print times in another time zone."""
        self.model.set_utc_offset(int(minutes))

    @property
    def show_pending(self) -> bool:
        """True when pending alerts and other bookkeeping (``rows.is_routine``) are shown."""
        return self._show_pending

    def set_show_pending(self, show: bool) -> None:
        """Show or hide pending alerts and other bookkeeping."""
        show = bool(show)
        if self.pending_button.isChecked() != show:
            self.pending_button.blockSignals(True)
            self.pending_button.setChecked(show)
            self.pending_button.blockSignals(False)
        if show != self._show_pending:
            self._show_pending = show
            self._rebuild()

    def filter_button(self, kind: EventKind) -> QToolButton:
        """The filter toggle of a kind (checked = shown)."""
        return self._buttons[kind]

    # -- drawing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Add what arrived since the last refresh; rebuild when the cursor went back."""
        self.model.names = names_for(self.source.topology, self.source.plans)
        cursor = self.source.cursor_ms
        if cursor is None:
            if self.model.rows:
                self._rebuild()
            return
        if self._until is None or cursor < self._until:
            self._rebuild()
            return
        # New arrivals are told by id, not by time: a backlog delivered on reconnect carries
        # old timestamps yet has never been shown.
        events = self.source.events(until_ms=cursor)
        fresh = [e for e in events if e.id not in self._seen]
        self._until = cursor
        self._seen.update(e.id for e in fresh)
        if len(self._seen) > 2 * len(events) + self.max_rows:  # forget ids the view has dropped
            self._seen = {e.id for e in events}
        fresh = [e for e in fresh if e.kind not in self._hidden and not is_amend(e)
                 and (self._show_pending or not is_routine(e))]
        if not fresh:
            return
        if any(fold_key(e) is not None for e in fresh):
            self._rebuild()  # a transition of an alert may fold into a row already shown
            return
        fresh = _newest_first(fresh)
        top = self.model.rows[0].ts if self.model.rows else None
        if top is None or fresh[-1].ts >= top:
            self.model.prepend(fresh, self.max_rows)
        else:  # a late event belongs below newer rows: re-sort everything
            merged = _newest_first(self.model.rows[::-1] + fresh[::-1])
            self.model.reset_rows(merged[: self.max_rows])

    def _rebuild(self) -> None:
        cursor = self.source.cursor_ms
        events = self.source.events(until_ms=cursor) if cursor is not None else []
        self._until = cursor
        unique: dict[str, Event] = {}
        for e in events:  # an event delivered twice is shown once, where it first arrived
            unique.setdefault(e.id, e)
        self._seen = set(unique)
        shown = [e for e in unique.values() if e.kind not in self._hidden]
        rows = fold(shown, show_routine=self._show_pending)[: self.max_rows]
        self.model.reset_rows([r.event for r in rows], rows)

    def _on_filter_toggled(self, _checked: bool) -> None:
        self._hidden = {k for k, b in self._buttons.items() if not b.isChecked()}
        self._rebuild()

    # -- state -----------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """The kinds hidden, whether pending alerts show, and the time zone."""
        return {"hidden_kinds": sorted(k.value for k in self._hidden), "utc_offset_minutes": self.utc_offset_minutes,
                "show_pending": self._show_pending}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply saved settings; unknown kinds and bad values are ignored."""
        if not isinstance(state, dict):
            return
        offset = state.get("utc_offset_minutes")
        if isinstance(offset, int) and not isinstance(offset, bool) and -14 * 60 <= offset <= 14 * 60:
            self.set_utc_offset_minutes(offset)
        hidden = state.get("hidden_kinds")
        if isinstance(hidden, list):
            known = {k.value: k for k in EventKind}
            self.set_hidden_kinds({known[v] for v in hidden if isinstance(v, str) and v in known})
        if isinstance(state.get("show_pending"), bool):
            self.set_show_pending(state["show_pending"])
