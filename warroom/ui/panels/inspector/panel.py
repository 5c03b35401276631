"""The live inspector panel: pick a series, a service or a metric and watch its raw points and
the frames they came in as they arrive, protocol errors inline; pause, filter, copy.

For checking a new feed or a new metric: the stream table lists every watched point exactly as
decoded (time, value to the last digit), every protocol error the decoder counted (bold, in the
critical colour, between the points of the frames around it) and events about the watched
service; the frames table lists every frame (size, type, points, errors); the pane below shows
the selected row's frame as it was sent (a binary frame: its header and first points).

The panel reads ``LiveView.inspector`` (``warroom.app.inspector.Inspector``, set by the feed
session). It opens the inspector while it is shown and closes it when hidden, so a console
whose inspector is not on screen does no work for it. A replay has no frames: the panel says so.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QCompleter, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit,
    QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from warroom.app.inspector import FrameRecord, Row, Watch, WatchError, frames_tsv, rows_tsv
from warroom.core.language.text import display_safe
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.alerts.widgets import make_button, off_label, off_or_page
from warroom.ui.panels.base import Panel
from warroom.ui.panels.inspector.model import (
    FRAME_COLUMNS, ROW_COLUMNS, FramesModel, RowsModel, clock, frame_header, frame_type_text, row_header,
)

#: Most series offered in the watch list (all services and metric names always are; a feed of
#: 10,000 series is searched by typing, the completer matches anywhere in the text).
MAX_SERIES_OFFERED = 2000
#: How often the panel looks for new frames while shown (ms); it redraws only when there are.
POLL_MS = 250
TAB_ROWS, TAB_FRAMES = 0, 1


class WatchBox(QComboBox):
    """Editable: a service, a metric or a series to pick (the list is refilled each time it
    opens, from what the console holds now) or to type."""

    sig_opening = Signal()

    def showPopup(self) -> None:  # noqa: N802 - Qt override
        self.sig_opening.emit()
        super().showPopup()


class InspectorPanel(Panel):
    """See the module docstring."""

    ID = "inspector"
    TITLE = "Live inspector"
    DEFAULT_AREA = "right"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.inspector = getattr(source, "inspector", None)
        self._open = False
        self._shown_key: tuple | None = None
        #: The record selected in each table (kept across refreshes, which replace the rows).
        self._selected: dict[str, Row | FrameRecord | None] = {"rows": None, "frames": None}
        self._watch_problem = ""

        off = off_label(self, self.tr("The live inspector watches frames as they arrive from a feed; a replay has none"),
                        "inspector_off")
        off.setWordWrap(True)
        page = QWidget(self)
        self.stack = off_or_page(self, off, page)
        self.stack.setCurrentIndex(1 if self.inspector is not None else 0)

        # -- what to watch, filter, actions ------------------------------------------------
        self.watch_label = QLabel(self.tr("Watch"), page)
        self.watch_box = WatchBox(page)
        self.watch_box.setObjectName("inspector_watch")
        self.watch_box.setEditable(True)
        self.watch_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.watch_box.setMinimumContentsLength(28)
        self.watch_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.watch_box.lineEdit().setPlaceholderText(self.tr("service:NAME, metric:NAME or a series"))
        completer = QCompleter(self.watch_box.model(), self.watch_box)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.watch_box.setCompleter(completer)
        self.watch_box.sig_opening.connect(self.fill_watch_list)
        self.watch_box.activated.connect(lambda _i: self.apply_watch())
        self.watch_box.lineEdit().returnPressed.connect(self.apply_watch)
        self.filter_edit = QLineEdit(page)
        self.filter_edit.setObjectName("inspector_filter")
        self.filter_edit.setPlaceholderText(self.tr("Filter shown rows"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(lambda _t: self.refresh())
        self.pause_button = make_button(page, self.tr("Pause"), "inspector_pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        self.clear_button = make_button(page, self.tr("Clear"), "inspector_clear")
        self.clear_button.clicked.connect(self.clear)
        self.copy_button = make_button(page, self.tr("Copy rows"), "inspector_copy")
        self.copy_button.setToolTip(self.tr("Copy the selected rows, or every row shown, as tab-separated text"))
        self.copy_button.clicked.connect(self.copy_rows)

        self.status = QLabel(page)
        self.status.setObjectName("inspector_status")
        self.status.setWordWrap(True)
        self.error_line = QLabel(page)
        self.error_line.setObjectName("inspector_errors")
        self.error_line.setWordWrap(True)

        # -- the two tables and the frame pane ---------------------------------------------
        self.rows_model = RowsModel(self)
        self.frames_model = FramesModel(self)
        self.rows_table = self._table(page, self.rows_model, "inspector_rows")
        self.frames_table = self._table(page, self.frames_model, "inspector_frames")
        self.tabs = QTabWidget(page)
        self.tabs.setObjectName("inspector_tabs")
        self.tabs.addTab(self.rows_table, self.tr("Points and errors"))
        self.tabs.addTab(self.frames_table, self.tr("Frames"))
        self.tabs.currentChanged.connect(lambda _i: self._show_selected())
        self.frame_heading = QLabel(page)
        self.frame_heading.setObjectName("inspector_frame_heading")
        self.frame_heading.setWordWrap(True)
        self.copy_frame_button = make_button(page, self.tr("Copy frame"), "inspector_copy_frame")
        self.copy_frame_button.clicked.connect(self.copy_frame)
        self.frame_text = QPlainTextEdit(page)
        self.frame_text.setObjectName("inspector_frame_text")
        self.frame_text.setReadOnly(True)
        self.frame_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.frame_text.setPlaceholderText(self.tr("Select a row to see the frame it came in, as it was sent"))
        self._frame_raw = ""

        # Two rows: a narrow dock keeps the watch and the filter wide enough to read.
        top = QHBoxLayout()
        top.setSpacing(6)
        top.addWidget(self.watch_label)
        top.addWidget(self.watch_box, 3)
        top.addWidget(self.filter_edit, 2)
        second = QHBoxLayout()
        second.setSpacing(6)
        second.addWidget(self.status, 1)
        second.addWidget(self.pause_button)
        second.addWidget(self.clear_button)
        second.addWidget(self.copy_button)
        detail = QWidget(page)
        detail_box = QVBoxLayout(detail)
        detail_box.setContentsMargins(0, 0, 0, 0)
        detail_head = QHBoxLayout()
        detail_head.addWidget(self.frame_heading, 1)
        detail_head.addWidget(self.copy_frame_button)
        detail_box.addLayout(detail_head)
        detail_box.addWidget(self.frame_text, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, page)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        col = QVBoxLayout(page)
        col.setContentsMargins(4, 4, 4, 4)
        col.setSpacing(4)
        col.addLayout(top)
        col.addLayout(second)
        col.addWidget(self.error_line)
        col.addWidget(self.splitter, 1)
        self._set_fonts()

        self._timer = QTimer(self)  # frames arrive whether or not the view changed (a refused one does not)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        if self.inspector is not None:
            self.watch_box.setEditText(self._watch_shown(self.inspector.watch))
        self._show_selected()
        self.refresh()

    # -- building ----------------------------------------------------------------------------
    def _table(self, parent: QWidget, model, name: str) -> QTableView:
        table = QTableView(parent)
        table.setObjectName(name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        table.verticalHeader().hide()
        head = table.horizontalHeader()
        head.setHighlightSections(False)
        head.setStretchLastSection(True)
        head.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.selectionModel().currentRowChanged.connect(lambda *_: self._remember_selection(table))
        QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), table, self.copy_rows)
        return table

    def _set_fonts(self) -> None:
        bold = theme.ui_font(13.0, bold=True)
        for table, model in ((self.rows_table, self.rows_model), (self.frames_table, self.frames_model)):
            table.setFont(theme.ui_font(13.0))
            model.bold_font = QFont(bold)
            table.horizontalHeader().setFont(theme.ui_font(12.0, bold=True))
            rows = table.verticalHeader()
            rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: a reset stays cheap
            rows.setDefaultSectionSize(int(table.fontMetrics().height() * 1.4))
        for w in (self.watch_label, self.watch_box, self.filter_edit, self.tabs):
            w.setFont(theme.ui_font(13.0))
        self.status.setFont(theme.ui_font(13.0))
        self.error_line.setFont(theme.ui_font(13.0, bold=True))
        self.frame_heading.setFont(theme.ui_font(13.0, bold=True))
        mono = theme.ui_font(12.0)  # a fixed-width face first, with the CJK fallbacks after it
        mono.setFamilies([QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family(), *mono.families()])
        self.frame_text.setFont(mono)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Widths for what the columns hold: times, frame numbers, a double to its last digit."""
        fm = self.rows_table.fontMetrics()
        pad = theme.px(18)

        def fit(sample: str, heading: str) -> int:
            return max(fm.horizontalAdvance(sample), fm.horizontalAdvance(heading)) + pad

        rows = {"arrived": fit("00:00:00.000", row_header("arrived")), "frame": fit("000000", row_header("frame")),
                "kind": fit("ERROR", row_header("kind")), "time": fit("00:00:00.000", row_header("time")),
                "value": fit("-1234.5678901234567", row_header("value"))}
        frames = {"arrived": rows["arrived"], "frame": rows["frame"], "seq": fit("0,000,000", frame_header("seq")),
                  "type": fit("plan_catalogue", frame_header("type")), "encoding": fit("binary", frame_header("encoding")),
                  "bytes": fit("0,000,000", frame_header("bytes")), "points": fit("00,000 / 00,000", frame_header("points"))}
        for table, columns, widths in ((self.rows_table, ROW_COLUMNS, rows), (self.frames_table, FRAME_COLUMNS, frames)):
            for name, width in widths.items():
                table.setColumnWidth(columns.index(name), width)

    def wall_scale_changed(self) -> None:
        """The wall scale changed: fonts, row heights and column widths follow."""
        self._set_fonts()

    # -- open while shown ------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.inspector is not None and not self._open:
            self._open = True
            self.inspector.open()
            self._timer.start()
            self.refresh()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        if self._open:
            self._open = False
            self._timer.stop()
            self.inspector.close()

    # -- what to watch -------------------------------------------------------------------------
    def fill_watch_list(self) -> None:
        """Offer everything, each service, each metric name and the series the console holds now."""
        box = self.watch_box
        typed = box.currentText()
        keys = self.source.keys()
        services = sorted({s.name for s in self.source.topology.services}
                          | {k.labels[label] for k in keys for label in ("service",) if label in k.labels})
        box.blockSignals(True)
        box.clear()
        box.addItem(self.tr("Everything"), "*")
        for name in services:
            box.addItem(f"service:{name}", f"service:{name}")
        for name in sorted({k.name for k in keys}):
            box.addItem(f"metric:{name}", f"metric:{name}")
        for key in keys[:MAX_SERIES_OFFERED]:
            box.addItem(key.text, key.text)
        box.setEditText(typed)
        box.blockSignals(False)

    def inspect(self, what: str) -> None:
        """Watch ``what`` (``service:NAME``, ``metric:NAME`` or a series' text): for other panels
        that open the inspector on something, through ``MainWindow.open_panel("inspector")``."""
        self.watch_box.setEditText(what)
        self.apply_watch()

    def apply_watch(self) -> None:
        """Watch what the box says (an item picked, or text typed); a bad text is said, not applied."""
        if self.inspector is None:
            return
        text = self.watch_box.currentText().strip()
        found = self.watch_box.findText(text, Qt.MatchFlag.MatchExactly)
        if found >= 0 and self.watch_box.itemData(found):
            text = str(self.watch_box.itemData(found))
        try:
            watch = self.inspector.set_watch(text)
        except WatchError as exc:
            self._watch_problem = self.tr("Not something to watch: %1").replace("%1", display_safe(str(exc)))
        else:
            self._watch_problem = ""
            self.watch_box.setEditText(self._watch_shown(watch))
        self._shown_key = None
        self.refresh()

    def _watch_shown(self, watch: Watch) -> str:
        return self.tr("Everything") if watch.kind == "all" else watch.text

    def watch_description(self, watch: Watch) -> str:
        """What is watched, in words."""
        if watch.kind == "service":
            return self.tr("service %1 (its series, its calls and events about it)").replace("%1", watch.value)
        if watch.kind == "metric":
            return self.tr("metric %1").replace("%1", watch.value)
        if watch.kind == "series":
            return self.tr("series %1").replace("%1", watch.value)
        return self.tr("every series")

    # -- pause, clear, copy ----------------------------------------------------------------
    def set_paused(self, paused: bool) -> None:
        """Freeze what is shown (True) or follow the feed again."""
        if self.inspector is None:
            return
        self.inspector.pause() if paused else self.inspector.resume()
        if self.pause_button.isChecked() != paused:
            self.pause_button.setChecked(paused)
        self.refresh()

    def clear(self) -> None:
        """Forget what was kept."""
        if self.inspector is not None:
            self.inspector.clear()
            self._selected = {"rows": None, "frames": None}
            self.refresh()

    def copy_rows(self) -> str:
        """Copy the current table's selected rows, or all it shows, as tab-separated text; returns it."""
        frames = self.tabs.currentIndex() == TAB_FRAMES
        table = self.frames_table if frames else self.rows_table
        model = self.frames_model if frames else self.rows_model
        picked = sorted({i.row() for i in table.selectionModel().selectedRows()})
        records = [model.rows[i] for i in picked if i < len(model.rows)] or list(model.rows)
        records.reverse()  # oldest first on the clipboard, the way they arrived
        text = frames_tsv(records) if frames else rows_tsv(records)
        QGuiApplication.clipboard().setText(text)
        return text

    def copy_frame(self) -> str:
        """Copy the shown frame's text as it was kept; returns it."""
        if self._frame_raw:
            QGuiApplication.clipboard().setText(self._frame_raw)
        return self._frame_raw

    # -- drawing -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show what arrived since the last refresh (nothing to do when nothing did)."""
        ins = self.inspector
        if ins is None or not self.isVisible():
            return
        needle = self.filter_edit.text()
        key = (ins.version, needle, self._watch_problem)
        if key == self._shown_key:
            return
        self._shown_key = key
        self._show(self.rows_table, self.rows_model, ins.rows(needle))
        self._show(self.frames_table, self.frames_model, ins.frames(needle))
        self.tabs.setTabText(TAB_ROWS, self.tr("Points and errors (%1)").replace("%1", f"{len(self.rows_model.rows):,}"))
        self.tabs.setTabText(TAB_FRAMES, self.tr("Frames (%1)").replace("%1", f"{len(self.frames_model.rows):,}"))
        self._show_status()

    def _show(self, table: QTableView, model, records: list) -> None:
        """Replace a table's rows, keeping its selection and, when scrolled down, the rows in view."""
        bar = table.verticalScrollBar()
        anchor = None
        if bar.value() > 0 and model.rows:
            top = table.rowAt(0)
            anchor = model.rows[top] if 0 <= top < len(model.rows) else None
        selected = self._selected["frames" if model is self.frames_model else "rows"]
        model.set_rows(records)
        if selected is not None or anchor is not None:
            where = {id(r): i for i, r in enumerate(records)}
            if selected is not None and id(selected) in where:
                table.selectionModel().setCurrentIndex(
                    model.index(where[id(selected)], 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            if anchor is not None and id(anchor) in where:
                table.scrollTo(model.index(where[id(anchor)], 0), QAbstractItemView.ScrollHint.PositionAtTop)

    def _show_status(self) -> None:
        ins = self.inspector
        c = ins.counts
        t = theme.current()
        parts = [self.tr("Watching %1").replace("%1", self.watch_description(ins.watch)),
                 self.tr("%1 frames, %2 bytes, %3 points").replace("%1", f"{c['frames']:,}")
                 .replace("%2", f"{c['bytes']:,}").replace("%3", f"{c['points']:,}")]
        if c["not_shown"]:
            parts.append(self.tr("%1 points of very large frames counted, not listed")
                         .replace("%1", f"{c['not_shown']:,}"))
        if ins.paused:
            parts.append(self.tr("PAUSED: %1 frames arrived since").replace("%1", f"{c['while_paused']:,}"))
        self.status.setText("  ·  ".join(parts))
        self.status.setStyleSheet(f"color: {t.warn if ins.paused else t.text_dim}; padding: 0 4px;")
        self.pause_button.setText(self.tr("Resume") if ins.paused else self.tr("Pause"))
        problem = self._watch_problem
        if problem:
            self.error_line.setText(problem)
        elif c["errors"]:
            self.error_line.setText(self.tr("%1 protocol errors since the inspector opened (shown in the rows, in red)")
                                    .replace("%1", f"{c['errors']:,}"))
        self.error_line.setStyleSheet(f"color: {t.crit}; padding: 0 4px;")
        self.error_line.setVisible(bool(problem or c["errors"]))

    def _remember_selection(self, table: QTableView) -> None:
        frames = table is self.frames_table
        model = self.frames_model if frames else self.rows_model
        index = table.selectionModel().currentIndex()
        if index.isValid() and index.row() < len(model.rows):
            self._selected["frames" if frames else "rows"] = model.rows[index.row()]
        self._show_selected()

    def _show_selected(self) -> None:
        """The frame of the selected row (or the selected frame) in the pane below."""
        ins = self.inspector
        sel = self._selected["frames" if self.tabs.currentIndex() == TAB_FRAMES else "rows"]
        frame: FrameRecord | None = None
        if isinstance(sel, FrameRecord):
            frame = sel
        elif isinstance(sel, Row) and ins is not None:
            frame = ins.frame(sel.frame)
            if frame is None:
                self.show_frame(None, self.tr("Frame %1 is no longer kept (only the newest are)").replace("%1", str(sel.frame)))
                return
        self.show_frame(frame)

    def show_frame(self, frame: FrameRecord | None, why: str = "") -> None:
        """Show one frame's text in the pane (None: the pane's hint, or ``why``)."""
        if frame is None:
            self._frame_raw = ""
            self.frame_heading.setText(why or self.tr("Frame"))
            self.frame_text.setPlainText("")
            self.copy_frame_button.setEnabled(False)
            return
        head = self.tr("Frame %1 · %2 · %3 · %4 bytes · arrived %5").replace("%1", str(frame.no)) \
            .replace("%2", frame_type_text(frame)).replace("%3", frame.encoding).replace("%4", f"{frame.size:,}") \
            .replace("%5", clock(frame.wall_ms))
        if frame.seq is not None:
            head += self.tr(" · seq %1").replace("%1", f"{frame.seq:,}")
        if frame.truncated:
            head += self.tr(" · shown in part")
        self.frame_heading.setText(head)
        text = frame.raw
        if frame.errors:
            text = "\n".join(f"# {e.code.value}: {e.message}" for e in frame.errors) + "\n" + text
        self._frame_raw = text
        self.frame_text.setPlainText(display_safe(text, keep_newlines=True))
        self.copy_frame_button.setEnabled(True)

    # -- state -------------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """What is watched and the filter."""
        watch = self.inspector.watch.text if self.inspector is not None else "*"
        return {"watch": watch, "filter": self.filter_edit.text()}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Watch again what was watched; a watch that no longer parses is ignored."""
        if isinstance(state.get("filter"), str):
            self.filter_edit.setText(state["filter"])
        watch = state.get("watch")
        if isinstance(watch, str) and self.inspector is not None:
            try:
                self.watch_box.setEditText(self._watch_shown(self.inspector.set_watch(watch)))
            except WatchError:
                pass
