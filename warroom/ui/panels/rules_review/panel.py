"""The rules review panel: per alert rule, how often it fired, was acknowledged, led to a plan,
flapped or was silenced, its median time to acknowledge, and the rules that only make noise,
named with the reason (``warroom.core.alerting.review``, the same figures as
``warroom rules review HISTORY``).

It reviews the events the console holds (``LiveView.events``: the live log's recent events, or a
replay's up to its cursor), recomputed at most every ``interval_s`` of wall time and only when
they changed: a review reads every event, which is too much for every frame.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from warroom.core.alerting.review import Review, review
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.rules_review.model import COL_RULE, COL_VERDICT, RulesReviewModel

log = logging.getLogger(__name__)
_POOL: concurrent.futures.ThreadPoolExecutor | None = None


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    """One worker for every rules review panel: reviews are rare and never need to run side by side."""
    global _POOL
    if _POOL is None:
        _POOL = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="rules-review")
    return _POOL


def _timed_review(events: list) -> tuple[Review, float]:
    t0 = time.perf_counter()
    rev = review(events)
    return rev, time.perf_counter() - t0


class RulesReviewPanel(Panel):
    """The rules review table and its one-line summary; see the module docstring."""

    ID = "rules_review"
    TITLE = "Rules review"
    DEFAULT_AREA = "bottom"

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        #: Longest wall time between two reviews of a changing log.
        self.interval_s = 5.0
        self._started_at: float | None = None  # monotonic time the last review started
        self._cost_s = 0.0  # what the last review took (s)
        self._pending: concurrent.futures.Future | None = None
        self._key: tuple | None = None
        self.review: Review | None = None

        self.summary = QLabel(self)
        self.summary.setObjectName("rules_review_summary")
        self.summary.setFont(theme.ui_font(16.0, bold=True))
        self.summary.setWordWrap(True)
        self.model = RulesReviewModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("rules_review_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        # Two reasons do not fit one line of a narrow dock: the verdict wraps and its row grows.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.verticalHeader().hide()
        self._set_fonts()
        head = self.table.horizontalHeader()
        head.setHighlightSections(False)
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(COL_RULE, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(COL_VERDICT, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.show_review(Review((), None, None))
        self.refresh()

    def _set_fonts(self) -> None:
        font = theme.ui_font(13.0)
        self.table.setFont(font)
        bold = QFont(font)
        bold.setBold(True)
        self.model.bold_font = bold
        self.table.horizontalHeader().setFont(theme.ui_font(12.0, bold=True))
        rows = self.table.verticalHeader()
        rows.setMinimumSectionSize(int(self.table.fontMetrics().height() * 1.5))
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # a rule per row: few rows

    def wall_scale_changed(self) -> None:
        """The wall scale changed: fonts and row heights follow."""
        self.summary.setFont(theme.ui_font(16.0, bold=True))
        self._set_fonts()
        self._fit_rule_column()

    def refresh(self) -> None:
        """Show a finished review; start the next one when the events changed and ``interval_s``
        has passed since the last one started (at once while the log is small)."""
        if self._pending is not None and self._pending.done():
            self._take(self._pending)
        if self._pending is not None:
            return
        now = time.monotonic()
        if self._started_at is not None and now - self._started_at < min(self.interval_s, 100 * self._cost_s):
            return
        events = self.source.events()
        key = (len(events), events[-1].id if events else None, events[0].id if events else None)
        if key == self._key:
            return
        self._key, self._started_at = key, now
        # Thousands of events take tens of ms to review: off the UI thread (events are immutable).
        self._pending = _pool().submit(_timed_review, events)

    def settle(self, timeout_s: float = 10.0) -> None:
        """Wait for the review under way and show it (tests, snapshots)."""
        if self._pending is not None:
            concurrent.futures.wait([self._pending], timeout=timeout_s)
            if self._pending.done():
                self._take(self._pending)

    def _take(self, future: concurrent.futures.Future) -> None:
        self._pending = None
        try:
            rev, self._cost_s = future.result()
        except Exception:  # a bug in the review must not take the console down
            log.exception("rules review failed")
            return
        self.show_review(rev)

    def show_review(self, rev: Review) -> None:
        """Show a review (the panel's own, or one a caller computed)."""
        self.review = rev
        if self.model.set_rows(rev.rules):
            self._fit_rule_column()
        t = theme.current()
        if not rev.rules:
            self.summary.setText(self.tr("No alerts yet: nothing to review"))
            self.summary.setStyleSheet(f"color: {t.text_dim}; padding: 2px 6px;")
            return
        fired = sum(r.fired for r in rev.rules)
        noisy = len(rev.noisy)
        text = (self.tr("%1 rules  ·  %2 firings  ·  %3 only make noise") if noisy
                else self.tr("%1 rules  ·  %2 firings  ·  none only makes noise"))
        self.summary.setText(text.replace("%1", str(len(rev.rules))).replace("%2", str(fired))
                             .replace("%3", str(noisy)))
        self.summary.setToolTip(self.tr("Judged once a rule's alerts fired and resolved %1 times, over the events the console holds")
                                .replace("%1", str(rev.min_fired)))
        self.summary.setStyleSheet(f"color: {t.warn if noisy else t.ok}; padding: 2px 6px;")

    def _fit_rule_column(self) -> None:
        """The rule column as wide as its longest id, within a third of the table."""
        self.table.resizeColumnToContents(COL_RULE)
        cap = max(theme.px(120), self.table.viewport().width() // 3)
        head = self.table.horizontalHeader()
        if head.sectionSize(COL_RULE) > cap:
            head.resizeSection(COL_RULE, cap)
