"""The incident view: every incident (live first, then the recent resolved ones) and the
timeline of the one selected.

Each incident shows its severity, state, root cause, owner, how many alerts it holds and how
long it has been open (``MTTR`` once service was restored), in feed time. Selecting one shows
its milestones (started, detected with MTTD, acknowledged with who and MTTA) and its
timeline, newest first, updating live: alerts firing and resolving, acknowledgements with
their comments, notes, deploys, plan executions and state changes ("All events" adds the
bookkeeping). Actions: acknowledge (with a comment), set the owner, add a note of several
lines. They go through ``AlertWatch``, which records their events; its ``ValueError``
is shown in the panel, never raised.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QListView, QSplitter,
                               QVBoxLayout, QWidget)

from warroom.app.shared_watch import ALERT_ACTIONS
from warroom.core.incident.incidents import Incident
from warroom.core.language.names import current_names, names_for
from warroom.protocol.context import context_of
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.incidents import dialogs as incident_dialogs
from warroom.ui.panels.alerts.cards import CardDelegate
from warroom.ui.panels.alerts.context_view import LogContextView
from warroom.ui.panels.alerts.widgets import MessageLine, make_button, make_toggle, off_label, off_or_page
from warroom.ui.panels.base import Panel
from warroom.ui.panels.incidents.model import (ID_ROLE, RECOVERED_STATES, incident_color, incident_title,
                                              IncidentListModel, TimelineModel, incident_order, incident_summary,
                                              state_color, state_word, timeline_rows)
from warroom.ui.panels.wrapping import WrapLabel, WrapRow

log = logging.getLogger(__name__)
_UNSET = object()


def _card_list(parent: QWidget, name: str, model, chip_sample: str) -> QListView:
    view = QListView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setItemDelegate(CardDelegate(view, chip_sample=chip_sample))
    view.setUniformItemSizes(False)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setStyleSheet("QListView { selection-background-color: transparent; }")  # the cards paint it
    return view


class IncidentsPanel(Panel):
    """Incidents and the selected one's timeline; see the module docstring."""

    ID = "incidents"
    TITLE = "Incidents"
    DEFAULT_AREA = "left"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self._watch: Any = _UNSET
        self._version: int | None = None
        self._selected: str | None = None
        self._incidents: dict[str, Incident] = {}
        self._aged_at = 0.0  # wall time (monotonic) the durations were last moved
        self.age_interval_s = 1.0

        self.off_label = off_label(self, self.tr("Alerting is off"), "alerting_off")

        page = QWidget(self)
        self.summary = QLabel(page)
        self.summary.setObjectName("incident_summary")
        self.summary.setFont(theme.ui_font(16.0, bold=True))
        self.message = MessageLine(page)
        self.message.setObjectName("incident_message")
        self.list_model = IncidentListModel(self)
        self.list = _card_list(page, "incident_list", self.list_model, "P0")
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)

        detail = QWidget(page)
        # One label for the incident's name and its milestones: the timeline needs the height.
        # Never shorter than its text at its width: the splitter weighs minimum heights only.
        self.heading = WrapLabel(detail)
        self.heading.setObjectName("incident_heading")
        self.heading.setFont(theme.ui_font(13.0))
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.ack_button = make_button(detail, self.tr("Acknowledge"), "ack_incident_button")
        self.owner_button = make_button(detail, self.tr("Set owner…"), "owner_button")
        self.note_button = make_button(detail, self.tr("Add note…"), "note_button")
        self.action_button = make_button(detail, self.tr("Action item…"), "action_item_button")
        self.action_button.setToolTip(self.tr("A follow-up with an owner (and a due date), listed in the report"))
        self.all_events = make_toggle(detail, self.tr("All events"), "all_events")
        self.ack_button.clicked.connect(lambda: self.acknowledge())
        self.owner_button.clicked.connect(lambda: self.set_owner())
        self.note_button.clicked.connect(lambda: self.add_note())
        self.action_button.clicked.connect(lambda: self.add_action_item())
        self.all_events.toggled.connect(self._on_all_events_toggled)
        # The buttons wrap onto a second row in a narrow dock: in one row they held the dock
        # (and at 1366x768 the window) wider than its share.
        self.action_row = WrapRow(detail, theme.px(6))
        self.action_row.setObjectName("incident_actions")
        for w in (self.ack_button, self.owner_button, self.note_button, self.action_button):
            self.action_row.add(w)
        actions = QHBoxLayout()
        actions.addWidget(self.action_row, 1)
        actions.addWidget(self.all_events, 0, Qt.AlignmentFlag.AlignTop)
        self.timeline_model = TimelineModel(self)
        self.timeline = _card_list(detail, "incident_timeline", self.timeline_model, "RECOVERING")
        first, second = self.timeline.itemDelegate().line_heights()
        # Two events at least, whatever the dock: with the countdown and the log rows a third
        # made the engineer layout taller than a 1366x768 or 1600x900 screen.
        self.timeline.setMinimumHeight(int(2 * (first + 12)))
        col = QVBoxLayout(detail)
        col.setContentsMargins(4, 6, 4, 0)
        col.setSpacing(4)
        col.addWidget(self.heading)
        col.addLayout(actions)
        col.addWidget(self.timeline, 1)
        # A LOGS row of the timeline, clicked: its lines and trace ids, with Copy and Open trace.
        self.log_view = LogContextView(detail)
        self.timeline.selectionModel().currentChanged.connect(self._on_timeline_current_changed)
        col.addWidget(self.log_view)

        split = QSplitter(Qt.Orientation.Vertical, page)
        split.addWidget(self.list)
        split.addWidget(detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        self.splitter = split
        self._user_sized = False  # once the splitter is dragged, the person's sizes stay
        split.splitterMoved.connect(self._on_splitter_moved)
        layout_page = QVBoxLayout(page)
        layout_page.setContentsMargins(4, 4, 4, 4)
        layout_page.setSpacing(4)
        layout_page.addWidget(self.summary)
        layout_page.addWidget(self.message)
        layout_page.addWidget(split, 1)
        self.stack = off_or_page(self, self.off_label, page)
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------
    @property
    def watch(self) -> Any:
        """The ``AlertWatch`` shown (None when alerting is off)."""
        return self.source.alerting

    def refresh(self) -> None:
        """Redraw when the watch changed (``version``); otherwise only move the durations."""
        names_for(self.source.topology, self.source.plans)  # the names the cards and timeline show
        watch = self.source.alerting
        if watch is not self._watch:
            self._watch, self._version = watch, None
            self.stack.setCurrentIndex(0 if watch is None else 1)
        if watch is None:
            return
        if watch.version == self._version:
            now = time.monotonic()
            # Durations move with feed time; a 60x feed moves it every frame: once a second is enough.
            if watch.now_ms != self.list_model.now_ms and now - self._aged_at >= self.age_interval_s:
                self._aged_at = now
                if self.list_model.set_now(watch.now_ms):
                    self.list.viewport().update()
                self._show_milestones()
            return
        self._version = watch.version
        self._show_answer(watch)
        self._aged_at = time.monotonic()
        incidents = incident_order(watch.incidents())
        self._incidents = {i.id: i for i in incidents}
        self.list_model.now_ms = watch.now_ms
        # A replay or a shared feed has no escalator of its own: the default targets then.
        self.list_model.policy = getattr(watch, "response_policy", None)
        if self.list_model.set_items(incidents):
            self._fit_list()
        live = sum(1 for i in incidents if i.live)
        mitigated = sum(1 for i in incidents if i.live and i.state in RECOVERED_STATES)
        t = theme.current()
        if not incidents:
            self.summary.setText(self.tr("No incidents"))
        elif mitigated:  # mitigated is live but not "resolved", and not red either
            self.summary.setText(self.tr("%1 open  ·  %2 mitigated  ·  %3 resolved").replace("%1", str(live - mitigated))
                                 .replace("%2", str(mitigated)).replace("%3", str(len(incidents) - live)))
        else:
            self.summary.setText(self.tr("%1 live  ·  %2 resolved").replace("%1", str(live))
                                 .replace("%2", str(len(incidents) - live)))
        colour = t.crit if live > mitigated else t.warn if mitigated else t.ok
        self.summary.setStyleSheet(f"color: {colour}; padding: 2px 6px;")
        if self._selected not in self._incidents:  # the top incident is what the room wants to see
            self._selected = incidents[0].id if incidents else None
        self._show_selected()

    def _show_selected(self) -> None:
        inc = self.selected_incident()
        row = self.list_model.row_of(inc.id) if inc else -1
        if row >= 0 and self.list.currentIndex().row() != row:
            self.list.setCurrentIndex(self.list_model.index(row))
        acts = not getattr(self.watch, "read_only", False)  # a replay may only add review notes
        for w in (self.ack_button, self.owner_button, self.note_button):
            w.setEnabled(inc is not None)
        self.owner_button.setEnabled(acts and inc is not None)
        self.note_button.setEnabled(inc is not None and getattr(self.watch, "can_note", True))
        self.action_button.setEnabled(acts and inc is not None and hasattr(self.watch, "add_action_item"))
        self._show_milestones()
        if inc is None:
            self.timeline_model.set_items([])
            return
        self.ack_button.setEnabled(acts and inc.live)
        self.heading.setToolTip(f"{inc.title}\n{inc.root_cause} · {inc.id}")
        escalations = getattr(self.watch, "escalations", None)
        self.timeline_model.set_items(timeline_rows(inc, self.all_events.isChecked(),
                                                    escalations(inc.id) if callable(escalations) else ()))

    def _show_milestones(self) -> None:
        """The selected incident's name and state, then its milestones (they run on feed time)."""
        inc, t = self.selected_incident(), theme.current()
        if inc is None:
            self.heading.setText(f"<span style='color:{t.text_dim}'>{_html(self.tr('No incident selected'))}</span>")
            return
        watch = self.watch
        text = incident_summary(inc, watch.now_ms if watch is not None else None, self.timeline_model.utc_offset_minutes,
                                self.list_model.policy)
        # The name in 15 pt at 1080p, scaled with the wall like the label's own font (13 pt).
        name_pt = f"{theme.ui_font(15.0).pointSizeF():.1f}"
        self.heading.setText(
            f"<span style='font-size:{name_pt}pt; font-weight:bold'>"
            f"<span style='color:{incident_color(inc)}'>{inc.severity.value}</span>&nbsp; "
            f"{_html(incident_title(inc) or inc.root_cause)}&nbsp; "
            f"<span style='color:{state_color(inc.state)}'>{_html(state_word(inc.state))}</span></span>"
            f"&nbsp;&nbsp; <span style='color:{t.text_dim}'>{_html(text)}</span>")

    def wall_scale_changed(self) -> None:
        """The wall scale changed (``warroom.ui.wall.wall_scale``): the heading's name is set
        in its HTML, not by the label's font, so it is written again at the new size."""
        self._show_milestones()

    def _fit_list(self) -> None:
        """Give the list room for up to three incidents and the timeline the rest."""
        if self._user_sized:
            return
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        delegate = self.list.itemDelegate()
        first, second = delegate.line_heights()
        card = first + second + 2 * delegate.pad
        rows = max(1, min(3, self.list_model.rowCount()))
        want = min(int(card * rows + 2 * self.list.frameWidth() + 2), total // 2)
        self.splitter.setSizes([want, total - want])

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._user_sized = True

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_list()

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        iid = current.data(ID_ROLE)
        if iid and iid != self._selected:
            self._selected = iid
            self._show_selected()

    def _on_all_events_toggled(self, _checked: bool) -> None:
        self._show_selected()

    # -- selection -------------------------------------------------------------------------
    def _on_timeline_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        """Show the log excerpt of a LOGS row (protocol 1.5 context); hide it for other rows."""
        inc, items = self.selected_incident(), self.timeline_model.items
        row = items[current.row()] if current.isValid() and 0 <= current.row() < len(items) else None
        ev = next((e for e in inc.timeline if e.id == row.id), None) if inc is not None and row is not None else None
        ctx = context_of(ev) if ev is not None else None
        self.log_view.show_context(ctx if ctx is not None and ctx.lines else None,
                                   current_names().subject(ctx.service) if ctx is not None else "")

    def selected_incident(self) -> Incident | None:
        """The incident selected (as last drawn), if any."""
        return self._incidents.get(self._selected) if self._selected else None

    def select_incident(self, incident_id: str) -> bool:
        """Select an incident by id; False if it is not listed."""
        if incident_id not in self._incidents:
            return False
        self._selected = incident_id
        self._show_selected()
        return True

    # -- actions ---------------------------------------------------------------------------
    def _target(self, incident_id: str | None) -> tuple[Any, str | None, str]:
        watch = self.watch
        iid = incident_id or self._selected
        inc = self._incidents.get(iid or "")
        return watch, iid, (incident_title(inc) if inc else iid or "")

    def acknowledge(self, incident_id: str | None = None) -> None:
        """Ask for a comment and acknowledge an incident (the selected one by default)."""
        watch, iid, what = self._target(incident_id)
        if watch is None or not iid:
            return self.message.show_error(self.tr("Select an incident first."))
        got = incident_dialogs.ask_ack(self, what, watch.user)
        if got is None:
            return
        if not got.actor:
            return self.message.show_error(self.tr("Say who you are: every action names who took it."))
        if not got.text:
            return self.message.show_error(self.tr("An acknowledgement needs a comment: say what you are doing about it."))
        self._act(lambda: watch.acknowledge_incident(iid, got.actor, got.text), self.tr("Incident acknowledged."))

    def set_owner(self, incident_id: str | None = None) -> None:
        """Ask who owns an incident from now on."""
        watch, iid, what = self._target(incident_id)
        if watch is None or not iid:
            return self.message.show_error(self.tr("Select an incident first."))
        inc = self._incidents.get(iid)
        got = incident_dialogs.ask_owner(self, what, watch.user, inc.owner if inc else "")
        if got is None:
            return
        if not got.actor:
            return self.message.show_error(self.tr("Say who you are: every action names who took it."))
        self._act(lambda: watch.set_owner(iid, got.text, got.actor),
                  self.tr("Owner set: %1").replace("%1", got.text))

    def add_note(self, incident_id: str | None = None) -> None:
        """Ask for a note (several lines) and put it on an incident's timeline."""
        watch, iid, what = self._target(incident_id)
        if watch is None or not iid:
            return self.message.show_error(self.tr("Select an incident first."))
        got = incident_dialogs.ask_note(self, what, watch.user)
        if got is None:
            return
        if not got.actor:
            return self.message.show_error(self.tr("Say who you are: every action names who took it."))
        self._act(lambda: watch.add_note(iid, got.actor, got.text), self.tr("Note added."))

    def add_action_item(self, incident_id: str | None = None) -> None:
        """Ask for an action item (what, owner, optional due date) and record it on an incident."""
        watch, iid, what = self._target(incident_id)
        if watch is None or not iid:
            return self.message.show_error(self.tr("Select an incident first."))
        got = incident_dialogs.ask_action_item(self, what, watch.user)
        if got is None:
            return
        if not got.actor:
            return self.message.show_error(self.tr("Say who you are: every action names who took it."))
        if not got.text or not got.owner:
            return self.message.show_error(self.tr("An action item needs what to do and who owns it."))
        self._act(lambda: watch.add_action_item(iid, got.actor, got.text, got.owner, got.due),
                  self.tr("Action item added for %1.").replace("%1", got.owner))

    def _act(self, action: Callable[[], Any], done: str) -> None:
        try:
            action()
        except ValueError as exc:
            self.message.show_error(str(exc))
        except Exception as exc:  # an action must never take the console down
            log.exception("incident action failed")
            self.message.show_error(self.tr("Failed: %1").replace("%1", f"{type(exc).__name__}: {exc}"))
        else:
            if getattr(self.watch, "shared", False):  # the feed acts, then every wall shows it (this one too)
                done = self.tr("Sent to the feed: %1").replace("%1", done)
            self.message.show_info(done)
        self._version = None  # redraw now, not at the next frame
        self.refresh()

    def _show_answer(self, watch: Any) -> None:
        """The feed's refusal of an incident command sent from here (a ``SharedWatch``), once."""
        answer = getattr(watch, "answer", None)
        if answer is None or answer.seq <= getattr(self, "_answer_seq", 0):
            return
        self._answer_seq = answer.seq
        if not answer.ok and answer.action not in ALERT_ACTIONS:
            self.message.show_error(self.tr("Not done: %1").replace("%1", answer.text))

    # -- state -----------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """Whether the timeline shows every event."""
        return {"all_events": self.all_events.isChecked()}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply saved settings; bad entries are ignored."""
        if isinstance(state, dict) and isinstance(state.get("all_events"), bool):
            self.all_events.setChecked(state["all_events"])


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
