"""The silences in force (or scheduled), beneath the alert list: what each matches, when it
ends (in feed time), who made it and why, and a button to end one early.

Forgotten silences hide real outages, so the list is one click away and every silence shows
its remaining time.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from warroom.core.alerting.silences import Silence
from warroom.ui import theme
from warroom.ui.panels.alerts.cards import format_age

COL_MATCH, COL_ENDS, COL_BY = range(3)


def matcher_text(silence: Silence) -> str:
    """``rule=service-errors, subject=bank-ccb``."""
    return ", ".join(f"{k}={v}" for k, v in silence.matchers.items())


def remaining_text(silence: Silence, now_ms: int | None) -> str:
    """``ends in 55m 00s`` (or ``starts in …`` for a maintenance window not begun)."""
    if now_ms is None:
        return "—"
    if now_ms < silence.starts_ms:
        return QCoreApplication.translate("SilenceListWidget", "starts in %1").replace("%1", format_age(silence.starts_ms - now_ms))
    return QCoreApplication.translate("SilenceListWidget", "ends in %1").replace("%1", format_age(silence.ends_ms - now_ms))


class SilenceListWidget(QWidget):
    """The silences and an "End silence" button; emits ``sig_end_requested(silence_id)``."""

    sig_end_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alert_silences")
        self._silences: list[Silence] = []
        self.title = QLabel(self)
        self.title.setFont(theme.ui_font(14.0, bold=True))
        self.end_button = QPushButton(self.tr("End silence"), self)
        self.end_button.setObjectName("end_silence_button")
        self.end_button.setFont(theme.ui_font(13.0))
        self.end_button.setEnabled(False)
        self.end_button.clicked.connect(self._on_end_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.end_button)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("silence_list")
        self.tree.setFont(theme.ui_font(13.0))
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([self.tr("Matches"), self.tr("Time left"), self.tr("By / why")])
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(COL_MATCH, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(COL_ENDS, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setSectionResizeMode(COL_BY, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(True)
        self.tree.itemSelectionChanged.connect(lambda: self.end_button.setEnabled(self.selected_id() is not None))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.tree)
        self.set_silences([], None)

    @property
    def silences(self) -> list[Silence]:
        """The silences listed."""
        return list(self._silences)

    def set_silences(self, silences: list[Silence], now_ms: int | None) -> None:
        """List ``silences``; the selection stays on its silence."""
        self.title.setText(self.tr("Silences (%1)").replace("%1", str(len(silences))))
        if [s.id for s in silences] == [s.id for s in self._silences]:
            self._silences = list(silences)
            self.set_now(now_ms)
            return
        keep = self.selected_id()
        self._silences = list(silences)
        self.tree.clear()
        for s in silences:
            by = s.created_by + (f": {s.comment}" if s.comment else "")
            item = QTreeWidgetItem([matcher_text(s), remaining_text(s, now_ms), by])
            item.setData(COL_MATCH, Qt.ItemDataRole.UserRole, s.id)
            item.setToolTip(COL_BY, by)
            item.setToolTip(COL_MATCH, matcher_text(s))
            self.tree.addTopLevelItem(item)
            if s.id == keep:
                item.setSelected(True)
        self.end_button.setEnabled(self.selected_id() is not None)

    def set_now(self, now_ms: int | None) -> None:
        """Move the feed time: the remaining times change."""
        for i, s in enumerate(self._silences):
            item = self.tree.topLevelItem(i)
            text = remaining_text(s, now_ms)
            if item is not None and item.text(COL_ENDS) != text:
                item.setText(COL_ENDS, text)

    def selected_id(self) -> str | None:
        """The id of the silence selected, if any."""
        items = self.tree.selectedItems()
        return str(items[0].data(COL_MATCH, Qt.ItemDataRole.UserRole)) if items else None

    def select(self, silence_id: str) -> None:
        """Select a silence by id."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            item.setSelected(item.data(COL_MATCH, Qt.ItemDataRole.UserRole) == silence_id)

    def _on_end_button_clicked(self) -> None:
        sid = self.selected_id()
        if sid is not None:
            self.sig_end_requested.emit(sid)
