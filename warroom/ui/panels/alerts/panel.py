"""The alert list: what is broken, and where it starts.

Alerts are grouped by probable root cause: each group's root alert first (bold, a ``ROOT
CAUSE`` mark, ``+17 symptoms``), its folded symptoms underneath, collapsed until opened.
Groups are sorted by the worst severity in them, then the oldest. Each row shows the
severity chip (P0 red, P1 orange, P2 amber, P3 blue-grey; outlined while pending), the
title, the state (``acked by alice``), the age in feed time and the tags (``after change:
…``, ``flapping``, ``silenced``).

Actions on the selected alert: acknowledge (with a comment), silence (this alert or the
whole subject, for a while, with a reason), open its runbook. The silences in force are
listed below, each can be ended early. A broken rule file is a red banner across the top
with a "Reload rules" button: a console that silently runs on old rules is worse than one
that says so. Actions go through ``AlertWatch``, which records their events; its
``ValueError`` is shown in the panel, never raised.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QLabel, QScrollArea, QSplitter,
                               QTreeView, QVBoxLayout, QWidget)

from warroom.app.shared_watch import ALERT_ACTIONS
from warroom.core.alerting.alerts import Alert
from warroom.core.settings.durations import parse_duration
from warroom.core.language.names import current_names, names_for
from warroom.core.alerting.silences import Silence
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.alerts import dialogs as alert_dialogs
from warroom.ui.panels.alerts.cards import CardDelegate
from warroom.ui.panels.alerts.context_view import LogContextView, contexts_by_service
from warroom.ui.panels.alerts.model import AlertTreeModel, alert_title, group_alerts
from warroom.ui.panels.alerts.silences import SilenceListWidget
from warroom.ui.panels.alerts.widgets import MessageLine, make_button, make_toggle, off_label, off_or_page
from warroom.ui.panels.base import Panel

log = logging.getLogger(__name__)

#: Log context (protocol 1.5) older than this, in feed time, is not shown on an alert.
CONTEXT_WINDOW_MS = 15 * 60 * 1000
#: The longest silence the console makes: every silence ends, and soon.
MAX_SILENCE_S = 7 * 86400.0
_UNSET = object()


def glob_literal(text: str) -> str:
    """``text`` as a silence matcher that matches only itself (glob characters escaped)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


class AlertsPanel(Panel):
    """Active alerts grouped by root cause; see the module docstring."""

    ID = "alerts"
    TITLE = "Alerts"
    DEFAULT_AREA = "left"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self._watch: Any = _UNSET
        self._version: int | None = None
        self._expanded: set[str] = set()  # roots whose symptoms are open
        self._selected: str | None = None  # fingerprint
        self._aged_at = 0.0  # wall time (monotonic) the ages were last moved
        self._context_at = 0.0  # wall time (monotonic) the log context was last read
        self.age_interval_s = 1.0
        t = theme.current()

        self.off_label = off_label(self, self.tr("Alerting is off"), "alerting_off")

        page = QWidget(self)
        self.banner = QFrame(page)
        self.banner.setObjectName("rules_error_banner")
        self.banner.setStyleSheet(f"QFrame#rules_error_banner {{ background: {t.crit}; border-radius: 4px; }}"
                                  f" QLabel {{ background: transparent; color: #ffffff; }}")
        self.banner_label = QLabel(self.banner)
        self.banner_label.setWordWrap(True)
        self.banner_label.setFont(theme.ui_font(14.0, bold=True))
        self.reload_button = make_button(self.banner, self.tr("Reload rules"), "reload_rules_button")
        self.reload_button.clicked.connect(self.reload_rules)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.reload_button)
        self.banner.hide()

        self.summary = QLabel(page)
        self.summary.setObjectName("alert_summary")
        self.summary.setFont(theme.ui_font(16.0, bold=True))
        self.ack_button = make_button(page, self.tr("Acknowledge"), "ack_alert_button")
        self.silence_button = make_button(page, self.tr("Silence…"), "silence_alert_button")
        self.runbook_button = make_button(page, self.tr("Runbook"), "runbook_button")
        self.silences_button = make_toggle(page, self.tr("Silences"), "show_silences_button")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.silence_button.clicked.connect(self.silence_selected)
        self.runbook_button.clicked.connect(self.open_runbook)
        self.silences_button.toggled.connect(self._on_silences_button_toggled)
        actions = QHBoxLayout()
        actions.setContentsMargins(6, 0, 6, 0)
        for b in (self.ack_button, self.silence_button, self.runbook_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.silences_button)
        self.message = MessageLine(page)
        self.message.setObjectName("alert_message")

        self.model = AlertTreeModel(self)
        self.tree = QTreeView(page)
        self.tree.setObjectName("alert_tree")
        self.tree.setModel(self.model)
        self.model.sig_repaint.connect(self.tree.viewport().update)
        self.tree.setItemDelegate(CardDelegate(self.tree))
        self.tree.setHeaderHidden(True)
        # The cards paint their own selection; the style's full-width fill would hide the arrows.
        self.tree.setStyleSheet("QTreeView { selection-background-color: transparent; }")
        self.tree.setUniformRowHeights(False)
        self.tree.setIndentation(22)
        self.tree.setAnimated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.expanded.connect(self._on_tree_expanded)
        self.tree.collapsed.connect(self._on_tree_collapsed)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current_changed)
        self.silence_list = SilenceListWidget(page)
        self.silence_list.sig_end_requested.connect(self.end_silence)
        self.silence_list.hide()
        self.context_view = LogContextView(page)  # the selected (else the top) alert's log lines
        # The list comes first (stretch); the log lines take what is left, down to one line.
        # No minimum beyond that: a short dock must never make the window taller than its screen.
        # In a scroll area: a short dock squeezes (and scrolls) the lines, never grows the window.
        self.context_scroll = QScrollArea(page)
        self.context_scroll.setObjectName("log_context_scroll")
        self.context_scroll.setWidget(self.context_view)
        self.context_scroll.setWidgetResizable(True)
        self.context_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.context_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.context_scroll.setMinimumHeight(1)  # never a reason for the dock (or window) to grow
        self.context_scroll.hide()
        split = QSplitter(Qt.Orientation.Vertical, page)
        split.addWidget(self.tree)
        split.addWidget(self.context_scroll)
        split.addWidget(self.silence_list)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 0)
        split.setStretchFactor(2, 1)
        split.setChildrenCollapsible(False)
        self.splitter = split

        col = QVBoxLayout(page)
        col.setContentsMargins(4, 4, 4, 4)
        col.setSpacing(4)
        col.addWidget(self.banner)
        col.addWidget(self.summary)
        col.addLayout(actions)
        col.addWidget(self.message)
        col.addWidget(split, 1)
        self.stack = off_or_page(self, self.off_label, page)
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------
    @property
    def watch(self) -> Any:
        """The ``AlertWatch`` shown (None when alerting is off)."""
        return self.source.alerting

    def refresh(self) -> None:
        """Redraw when the watch changed (``version``); otherwise only move the ages."""
        names_for(self.source.topology, self.source.plans)  # the names the cards show
        watch = self.source.alerting
        if watch is not self._watch:
            self._watch, self._version = watch, None
            self.stack.setCurrentIndex(0 if watch is None else 1)
        if watch is None:
            return
        if watch.version == self._version:
            now = time.monotonic()
            if now - self._context_at >= self.age_interval_s:  # log events come between alert changes
                self._show_context(watch)
            # Ages move with feed time; a 60x feed moves it every frame: repaint them once a second.
            if watch.now_ms != self.model.now_ms and now - self._aged_at >= self.age_interval_s:
                self._aged_at = now
                self.model.set_now(watch.now_ms)
                self.silence_list.set_now(watch.now_ms)
            return
        self._aged_at = time.monotonic()
        self._version = watch.version
        self._show_answer(watch)
        self._redraw(watch)

    def _redraw(self, watch: Any) -> None:
        alerts = watch.alerts()
        if self.model.set_groups(group_alerts(alerts), watch.now_ms):
            for fp in list(self._expanded):
                index = self.model.index_of(fp)
                if index.isValid():
                    self.tree.expand(index)
                else:
                    self._expanded.discard(fp)
            self._reselect()
        self._show_summary(alerts)
        self._show_context(watch)
        error = str(watch.rules_error or "")
        self.banner_label.setText(self.tr("Rule file error: %1").replace("%1", error))
        self.banner.setVisible(bool(error))
        silences = watch.silences()
        self.silence_list.set_silences(silences, watch.now_ms)
        self.silences_button.setText(self.tr("Silences (%1)").replace("%1", str(len(silences))))
        self._update_buttons()

    def _show_summary(self, alerts: list[Alert]) -> None:
        t = theme.current()
        if not alerts:
            self.summary.setText(self.tr("No active alerts"))
            self.summary.setStyleSheet(f"color: {t.ok}; padding: 2px 6px;")
            return
        count = {s: sum(1 for a in alerts if a.state == s) for s in ("firing", "pending", "acknowledged")}
        parts = [self.tr("%1 firing").replace("%1", str(count["firing"]))]
        if count["pending"]:
            parts.append(self.tr("%1 pending").replace("%1", str(count["pending"])))
        if count["acknowledged"]:
            parts.append(self.tr("%1 acked").replace("%1", str(count["acknowledged"])))
        silenced = sum(1 for a in alerts if a.silenced_by)
        if silenced:
            parts.append(self.tr("%1 silenced").replace("%1", str(silenced)))
        self.summary.setText("  ·  ".join(parts))
        self.summary.setStyleSheet(f"color: {t.crit if count['firing'] else t.text}; padding: 2px 6px;")

    def _show_context(self, watch: Any) -> None:
        """The newest log lines of the alerts' services: a line on each group's card, and in
        full below the list for the selected alert (else the top one)."""
        self._context_at = time.monotonic()
        groups = self.model.groups
        subjects = {a.subject for g in groups for a in (g.root, *g.symptoms)}
        now = watch.now_ms
        contexts = contexts_by_service(self.source.events(since_ms=None if now is None else now - CONTEXT_WINDOW_MS),
                                       subjects) if subjects else {}
        self.model.set_contexts(contexts)
        alert = self.selected_alert() or (groups[0].root if groups else None)
        ctx = None
        if alert is not None:
            ctx = contexts.get(alert.subject) or contexts.get(alert.root_cause or "")
        self.context_view.show_context(ctx, current_names().subject(ctx.service) if ctx is not None else "")
        self.context_scroll.setVisible(ctx is not None)

    def _reselect(self) -> None:
        index = self.model.index_of(self._selected) if self._selected else QModelIndex()
        if index.isValid():
            self.tree.setCurrentIndex(index)
        else:
            self._selected = None
            self.tree.clearSelection()

    def _update_buttons(self) -> None:
        alert = self.selected_alert()
        acts = not getattr(self.watch, "read_only", False)  # a replay shows the past, it does not act
        self.ack_button.setEnabled(acts and alert is not None and alert.state == "firing")
        self.silence_button.setEnabled(acts and alert is not None)
        self.runbook_button.setEnabled(alert is not None and bool(alert.runbook))
        self.reload_button.setEnabled(acts and getattr(self.watch, "can_reload", True))  # the feed's rules: not here
        self.silence_list.end_button.setVisible(acts)

    def _on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        alert = self.model.alert_at(current)
        self._selected = alert.fingerprint if alert is not None else None
        self._update_buttons()
        if self.watch is not None:
            self._show_context(self.watch)

    def _on_tree_expanded(self, index: QModelIndex) -> None:
        alert = self.model.alert_at(index)
        if alert is not None:
            self._expanded.add(alert.fingerprint)

    def _on_tree_collapsed(self, index: QModelIndex) -> None:
        alert = self.model.alert_at(index)
        if alert is not None:
            self._expanded.discard(alert.fingerprint)

    def _on_silences_button_toggled(self, checked: bool) -> None:
        self.silence_list.setVisible(checked)
        total = sum(self.splitter.sizes())
        sizes = self.splitter.sizes()
        if checked and total > 0 and sizes[2] < total // 5:
            self.splitter.setSizes([total - total // 3 - sizes[1], sizes[1], total // 3])

    # -- selection -------------------------------------------------------------------------
    def selected_alert(self) -> Alert | None:
        """The alert selected (as last drawn), if any."""
        index = self.model.index_of(self._selected) if self._selected else QModelIndex()
        return self.model.alert_at(index)

    def select_alert(self, fingerprint: str) -> bool:
        """Select an alert by fingerprint (opening its group); False if it is not shown."""
        index = self.model.index_of(fingerprint)
        if not index.isValid():
            return False
        if index.parent().isValid():
            self.tree.expand(index.parent())
        self.tree.setCurrentIndex(index)
        return True

    # -- actions ---------------------------------------------------------------------------
    def acknowledge_selected(self) -> None:
        """Ask for a comment and acknowledge the selected alert."""
        watch, alert = self.watch, self.selected_alert()
        if watch is None or alert is None:
            return self.message.show_error(self.tr("Select an alert first."))
        got = alert_dialogs.ask_ack(self, alert_title(alert), watch.user)
        if got is None:
            return
        if not got.actor:
            return self.message.show_error(self.tr("Say who you are: every action names who took it."))
        if not got.text:
            return self.message.show_error(self.tr("An acknowledgement needs a comment: say what you are doing about it."))
        self._act(lambda: watch.acknowledge_alert(alert.fingerprint, got.actor, got.text),
                  self.tr("Acknowledged: %1").replace("%1", alert_title(alert)))

    def silence_selected(self) -> None:
        """Ask what to silence, for how long and why; put the silence in force."""
        watch, alert = self.watch, self.selected_alert()
        if watch is None or alert is None:
            return self.message.show_error(self.tr("Select an alert first."))
        got = alert_dialogs.ask_silence(self, alert, watch.user)
        if got is None:
            return
        if not got.actor:
            return self.message.show_error(self.tr("Say who you are: every action names who took it."))
        if not got.comment:
            return self.message.show_error(self.tr("A silence needs a reason: say why the alert may stay quiet."))
        try:
            seconds = parse_duration(got.duration)
        except ValueError as exc:
            return self.message.show_error(self.tr("Duration: %1").replace("%1", str(exc)))
        if not 0 < seconds <= MAX_SILENCE_S:
            return self.message.show_error(self.tr("A silence lasts more than nothing and at most 7 days."))
        now = watch.now_ms
        if now is None:
            return self.message.show_error(self.tr("No data yet: nothing to silence."))
        matchers = {"subject": glob_literal(alert.subject)}
        if got.scope == "alert":
            matchers = {"rule": glob_literal(alert.rule), **matchers}

        def act() -> None:
            silence = Silence(uuid.uuid4().hex[:12], matchers, now, now + int(seconds * 1000), got.actor, got.comment)
            watch.silence(silence)

        self._act(act, self.tr("Silenced for %1: %2").replace("%1", got.duration).replace("%2", alert_title(alert)))

    def open_runbook(self) -> None:
        """Open the selected alert's runbook in the browser."""
        alert = self.selected_alert()
        if alert is None or not alert.runbook:
            return self.message.show_error(self.tr("This alert has no runbook."))
        if not alert_dialogs.open_url(alert.runbook):
            self.message.show_error(self.tr("Could not open %1").replace("%1", alert.runbook))

    def end_silence(self, silence_id: str | None = None) -> None:
        """End a silence early (the one selected in the list by default)."""
        watch = self.watch
        sid = silence_id or self.silence_list.selected_id()
        if watch is None or not sid:
            return self.message.show_error(self.tr("Select a silence first."))
        self._act(lambda: watch.unsilence(sid, watch.user), self.tr("Silence ended."))

    def reload_rules(self) -> None:
        """Read the rule file again; the banner stays while it is still broken."""
        watch = self.watch
        if watch is None:
            return
        self._act(watch.reload_rules, self.tr("Rules reloaded."))
        if watch.rules_error:
            self.message.show_error(self.tr("The rule file still has an error; the rules in force stay."))

    def _act(self, action: Callable[[], Any], done: str) -> None:
        try:
            action()
        except ValueError as exc:
            self.message.show_error(str(exc))
        except Exception as exc:  # an action must never take the console down
            log.exception("alert action failed")
            self.message.show_error(self.tr("Failed: %1").replace("%1", f"{type(exc).__name__}: {exc}"))
        else:
            if getattr(self.watch, "shared", False):  # the feed acts, then every wall shows it (this one too)
                done = self.tr("Sent to the feed: %1").replace("%1", done)
            self.message.show_info(done)
        self._version = None  # the watch changed (or may have): redraw now, not at the next frame
        self.refresh()

    def _show_answer(self, watch: Any) -> None:
        """The feed's refusal of an alert or silence command sent from here (a ``SharedWatch``), once."""
        answer = getattr(watch, "answer", None)
        if answer is None or answer.seq <= getattr(self, "_answer_seq", 0):
            return
        self._answer_seq = answer.seq
        if not answer.ok and answer.action in ALERT_ACTIONS:
            self.message.show_error(self.tr("Not done: %1").replace("%1", answer.text))

    # -- state -----------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """Whether the silences are shown."""
        return {"show_silences": self.silences_button.isChecked()}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply saved settings; bad entries are ignored."""
        if isinstance(state, dict) and isinstance(state.get("show_silences"), bool):
            self.silences_button.setChecked(state["show_silences"])
