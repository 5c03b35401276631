"""The series catalogue panel: every series the console has seen, searchable, flagged ones first.

Each row: the series, its unit, description and owner (declared by the feed — protocol 1.6
topology ``series`` — else inferred from the metric name and the call graph), how long ago its
last point came, points per minute, refused and invalid points, and its flags (silent, invalid
values, refused points; ``warroom.core.catalogue``). The find box keeps the rows holding every
word typed (series, labels, unit, description, owner, flag); "Flagged only" keeps the flagged
ones; Export writes what is shown as CSV (the columns of ``warroom catalogue --out``), Ctrl+C
copies the selected rows the same way, tab-separated.

The panel reads ``LiveView.catalogue`` (``warroom.app.catalogue.LiveCatalogue``, made on first
use). While the panel is shown it looks at the view at most every ``interval_s`` of wall time:
it copies the points that arrived since its last look, ``budget_s`` of the UI thread per frame
(a view of 10,000 series takes several frames), then folds them into statistics and builds the
rows on a worker thread. Nothing runs on the ingest path.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox,
    QStyledItemDelegate, QTableView, QVBoxLayout, QWidget,
)

from warroom.app.catalogue import live_catalogue
from warroom.core.catalogue import Catalogue, Flag
from warroom.report.catalogue import CATALOGUE_COLUMNS, catalogue_rows, write_csv
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.alerts.widgets import make_button
from warroom.ui.panels.base import Panel
from warroom.ui.panels.catalogue.model import COL_DESCRIPTION, COL_SERIES, SORT_ROLE, CatalogueModel, row_order

log = logging.getLogger(__name__)
_POOL: concurrent.futures.ThreadPoolExecutor | None = None


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    """One worker for every catalogue panel: folding and building never need to run side by side."""
    global _POOL
    if _POOL is None:
        _POOL = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalogue")
    return _POOL


def _fold_and_build(live) -> Catalogue:
    live.fold()
    return live.catalogue()


class _ElideDelegate(QStyledItemDelegate):
    """Series elide in the middle (both ends of ``name{labels}`` say something), descriptions
    at the end, as text is read."""

    def initStyleOption(self, option, index) -> None:  # noqa: N802 - Qt override
        super().initStyleOption(option, index)
        if index.column() == COL_DESCRIPTION:
            option.textElideMode = Qt.TextElideMode.ElideRight


class CataloguePanel(Panel):
    """See the module docstring."""

    ID = "catalogue"
    TITLE = "Series catalogue"
    DEFAULT_AREA = "bottom"
    #: UI-thread time one refresh may spend copying new points (a big view takes several).
    budget_s = 0.004

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        #: Longest wall time between two looks at the view while it changes.
        self.interval_s = 2.0
        self._looked_at: float | None = None
        self._pending: concurrent.futures.Future | None = None
        self._errors_at_look = 0
        self._decoder_refused = 0
        self.catalogue: Catalogue | None = None

        self.summary = QLabel(self)
        self.summary.setObjectName("catalogue_summary")
        self.summary.setWordWrap(True)
        self.find = QLineEdit(self)
        self.find.setObjectName("catalogue_find")
        self.find.setClearButtonEnabled(True)
        self.find.setPlaceholderText(self.tr("Find: series, label, unit, owner, description…"))
        self.find.textChanged.connect(self._on_find_changed)
        self.flagged = QCheckBox(self.tr("Flagged only"), self)
        self.flagged.setObjectName("catalogue_flagged")
        self.flagged.toggled.connect(self._on_find_changed)
        self.export = make_button(self, self.tr("Export CSV…"), "catalogue_export")
        self.export.setToolTip(self.tr("Write the rows shown to a CSV file (the columns of `warroom catalogue --out`)"))
        self.export.clicked.connect(self._on_export_clicked)
        self.controls = QWidget(self)
        row = QHBoxLayout(self.controls)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.find, 1)
        row.addWidget(self.flagged)
        row.addWidget(self.export)

        self.model = CatalogueModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setObjectName("catalogue_table")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setItemDelegate(_ElideDelegate(self.table))
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the model's order: flagged first
        self.proxy.sort(-1)
        self._set_fonts()
        head = self.table.horizontalHeader()
        head.setHighlightSections(False)
        # Widths are set by _fit_columns (from the first 200 rows, not all 10,000 of a big feed);
        # a person may still drag them.
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        head.setStretchLastSection(False)
        head.setResizeContentsPrecision(200)
        self._fitting = False
        self._user_sized = False
        head.sectionResized.connect(self._on_header_section_resized)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self.table, self.copy_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.summary)
        layout.addWidget(self.controls)
        layout.addWidget(self.table, 1)
        self.refresh()

    def _set_fonts(self) -> None:
        self.summary.setFont(theme.ui_font(16.0, bold=True))
        self.find.setFont(theme.ui_font(13.0))
        self.flagged.setFont(theme.ui_font(13.0))
        font = theme.ui_font(13.0)
        self.table.setFont(font)
        bold = QFont(font)
        bold.setBold(True)
        self.model.bold_font = bold
        self.table.horizontalHeader().setFont(theme.ui_font(12.0, bold=True))
        rows = self.table.verticalHeader()
        rows.setDefaultSectionSize(int(self.table.fontMetrics().height() * 1.5))  # fixed: thousands of rows

    def wall_scale_changed(self) -> None:
        """The wall scale changed: fonts and row heights follow."""
        self._set_fonts()
        self._fit_columns()

    def set_wall_mode(self, wall: bool) -> None:
        """A wall shows the table without the find box and export."""
        super().set_wall_mode(wall)
        self.controls.setVisible(not wall)

    # -- data ----------------------------------------------------------------------
    def refresh(self) -> None:
        """Show a finished build; look at the view again (a few ms of it per frame, resuming
        where the last look stopped) at most every ``interval_s``, then fold and build on the
        worker."""
        if self._pending is not None and self._pending.done():
            self._take(self._pending)
        if self._pending is not None:
            return
        live = live_catalogue(self.source)
        now = time.monotonic()
        if live.pass_done and self._looked_at is not None and now - self._looked_at < self.interval_s:
            return
        if live.pass_done:
            self._looked_at = now
        try:
            live.collect(self.budget_s)
        except Exception:  # a bug in the catalogue must not take the console down
            log.exception("series catalogue failed")
            return
        if live.pass_done:  # a whole pass collected: statistics and rows off the UI thread
            self._errors_at_look = self._feed_refused()
            self._pending = _pool().submit(_fold_and_build, live)

    def settle(self, timeout_s: float = 10.0) -> None:
        """Look at the whole view now and show the result (tests, snapshots)."""
        if self._pending is not None:
            concurrent.futures.wait([self._pending], timeout=timeout_s)
            if self._pending.done():
                self._take(self._pending)
        self._pending = None
        live = live_catalogue(self.source)
        live.poll()
        self._errors_at_look = self._feed_refused()
        self.show_catalogue(live.catalogue())

    def _take(self, future: concurrent.futures.Future) -> None:
        self._pending = None
        try:
            catalogue = future.result()
        except Exception:  # a bug in the catalogue must not take the console down
            log.exception("series catalogue failed")
            return
        self.show_catalogue(catalogue)

    def show_catalogue(self, catalogue: Catalogue) -> None:
        """Show a catalogue (the panel's own, or one a caller built)."""
        self.catalogue = catalogue
        # The feed's refusal count as of the look this catalogue comes from: the two agree.
        self._decoder_refused = self._errors_at_look
        self._apply()

    def _feed_refused(self) -> int:
        """Points the decoder refused so far, all reasons (the feed-health panel's count)."""
        return sum(n for n in (self.source.protocol_errors or {}).values() if isinstance(n, int))

    def shown_entries(self) -> list:
        """The entries the table shows, in the table's order."""
        return [self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()]
                for r in range(self.proxy.rowCount())]

    def _on_find_changed(self, *_: Any) -> None:
        self._apply()

    def _apply(self) -> None:
        cat = self.catalogue
        if cat is None:
            return
        entries = cat.search(self.find.text())
        if self.flagged.isChecked():
            entries = [e for e in entries if e.flags]
        if self.model.set_rows(tuple(sorted(entries, key=row_order))) and not self._user_sized:
            self._fit_columns()  # until a person drags a column: then it stays as they left it
        self._summarise(cat, len(entries))

    def _summarise(self, cat: Catalogue, shown: int) -> None:
        t = theme.current()
        if not len(cat):
            self.summary.setText(self.tr("No series yet: the catalogue fills as points arrive"))
            self.summary.setStyleSheet(f"color: {t.text_dim}; padding: 2px 6px;")
            return
        counts = cat.counts()
        text = self.tr("%1 series  ·  %2 silent  ·  %3 with invalid values  ·  %4 with refused points")
        text = (text.replace("%1", f"{len(cat):,}").replace("%2", str(counts[Flag.SILENT]))
                .replace("%3", str(counts[Flag.INVALID])).replace("%4", str(counts[Flag.REFUSED])))
        refused = self._decoder_refused
        if refused:
            text += self.tr("  ·  %1 refused by the decoder").replace("%1", f"{refused:,}")
        if shown != len(cat):
            text += self.tr("  ·  %1 shown").replace("%1", f"{shown:,}")
        self.summary.setText(text)
        self.summary.setToolTip(self.tr("Refused by the decoder: points the feed sent that the console could not take (the feed health panel says why), counted on their series when the frame named it"))
        flagged = any(counts.values())
        self.summary.setStyleSheet(f"color: {t.warn if flagged else t.ok}; padding: 2px 6px;")

    def _fit_columns(self) -> None:
        """Every column as wide as its text, the series within 30 % of the table, and the
        description taking what the others leave (at least a sixth): long series names elide
        in the middle rather than push the description and the flags out of sight."""
        # The room a vertical scroll bar will take is kept free: rows arriving must not make the
        # table wider than its window.
        self._fitting = True
        try:
            self._fit_columns_now()
        finally:
            self._fitting = False

    def _on_header_section_resized(self, *_: Any) -> None:
        if not self._fitting:
            self._user_sized = True

    def _fit_columns_now(self) -> None:
        width = self.table.maximumViewportSize().width() - self.table.verticalScrollBar().sizeHint().width()
        head = self.table.horizontalHeader()
        for c in range(self.model.columnCount()):
            if c != COL_DESCRIPTION:
                self.table.resizeColumnToContents(c)
        cap = max(theme.px(200), int(width * 0.3))
        if head.sectionSize(COL_SERIES) > cap:
            head.resizeSection(COL_SERIES, cap)
        others = sum(head.sectionSize(c) for c in range(self.model.columnCount()) if c != COL_DESCRIPTION)
        head.resizeSection(COL_DESCRIPTION, max(width // 6, width - others))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.model.rows and not self._user_sized:
            self._fit_columns()

    # -- copy and export -----------------------------------------------------------
    def selected_entries(self) -> list:
        """The entries of the selected rows, in the table's order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()] for r in rows]

    def copy_selected(self) -> str:
        """Copy the selected rows (Ctrl+C) as tab-separated text with a header line, the
        columns of the CSV export; returns the text."""
        entries = self.selected_entries()
        if not entries:
            return ""
        lines = ["\t".join(CATALOGUE_COLUMNS)]
        lines += ["\t".join(str(v).replace("\t", " ") for v in row) for row in catalogue_rows(entries)]
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    # -- export --------------------------------------------------------------------
    def export_csv(self, path: Path) -> int:
        """Write the rows shown to ``path`` as CSV; how many. ``OSError`` when it cannot."""
        return write_csv(path, catalogue_rows(self.shown_entries()), CATALOGUE_COLUMNS)

    def _on_export_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export the series catalogue"), "catalogue.csv",
                                              self.tr("CSV files (*.csv)"))
        if not name:
            return
        try:
            n = self.export_csv(Path(name))
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Export failed"),
                                self.tr("Could not write %1: %2").replace("%1", name)
                                .replace("%2", str(exc.strerror or exc)))
            return
        self.summary.setToolTip(self.tr("%1 rows written to %2").replace("%1", str(n)).replace("%2", name))

    # -- state ---------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        return {"find": self.find.text(), "flagged": self.flagged.isChecked()}

    def restore_state(self, state: dict[str, Any]) -> None:
        find = state.get("find")
        if isinstance(find, str):
            self.find.setText(find[:200])
        flagged = state.get("flagged")
        if isinstance(flagged, bool):
            self.flagged.setChecked(flagged)
