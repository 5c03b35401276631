"""One service up close: its numbers now, who calls it, what it calls, its last 15 minutes.

Opened from the call-chain map. It reads the same ``LiveView`` as the map, so it follows
the cursor in replay exactly as the map does.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget,
)

from warroom.core.alerting.health import DEFAULT_THRESHOLDS, HealthThresholds, grade, service_level
from warroom.core.model import SeriesKey
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.map.items import format_rate, format_ratio, format_seconds

SPAN_MS = 15 * 60 * 1000


class SparklineWidget(QWidget):
    """A small line chart of one series with its warning and critical lines.

    Plain QPainter: a detail window needs no axes or interaction, and a few hundred
    points a frame are cheaper drawn directly than through a plotting library.
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.ts = np.empty(0, np.int64)
        self.values = np.empty(0, np.float64)
        self.warn = self.crit = float("nan")
        self.level = "unknown"
        self.text = "—"
        self.setMinimumSize(320, 120)

    def set_series(self, ts: np.ndarray, values: np.ndarray, warn: float, crit: float, text: str) -> None:
        """Show these points (oldest first) against these thresholds; ``text`` is the current value."""
        self.ts, self.values, self.warn, self.crit, self.text = ts, values, warn, crit, text
        self.level = grade(float(values[-1]) if len(values) else None, warn, crit)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        t = theme.current()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), t.color("surface"))
        head = QFont(self.font())
        head.setBold(True)
        p.setFont(head)
        line = QFontMetricsF(head).height()
        head_rect = QRectF(8, 4, self.width() - 16, line)
        p.setPen(t.color("text_dim"))
        p.drawText(head_rect, Qt.AlignmentFlag.AlignLeft, self.title)
        p.setPen(t.status_color(self.level) if self.level != "ok" else t.color("text"))
        p.drawText(head_rect, Qt.AlignmentFlag.AlignRight, self.text)
        plot = QRectF(8, head_rect.bottom() + 6, self.width() - 16, self.height() - head_rect.bottom() - 12)
        if len(self.values) < 2:
            p.setPen(t.color("text_dim"))
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.tr("no data"))
            return
        top = max(float(np.nanmax(self.values)), self.crit * 1.1 if self.crit == self.crit else 0.0, 1e-9)
        t0, t1 = int(self.ts[-1]) - SPAN_MS, int(self.ts[-1])

        def to_xy(ts: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x = plot.left() + (ts - t0) / (t1 - t0) * plot.width()
            y = plot.bottom() - np.clip(v / top, 0, 1) * plot.height()
            return x, y

        for level, limit in (("warn", self.warn), ("crit", self.crit)):
            if limit == limit and limit <= top:
                y = plot.bottom() - limit / top * plot.height()
                p.setPen(QPen(t.status_color(level), 1, Qt.PenStyle.DashLine))
                p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        ts, v = _decimate(self.ts, self.values, int(plot.width()))
        x, y = to_xy(ts, v)
        colour = QColor(t.status_color(self.level))
        p.setPen(QPen(colour, 2))
        p.drawPolyline(QPolygonF([QPointF(a, b) for a, b in zip(x.tolist(), y.tolist())]))


def _decimate(ts: np.ndarray, v: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ~2 points per pixel column, keeping each column's peak (spikes must show)."""
    if buckets <= 0 or len(v) <= buckets * 2:
        return ts, v
    edges = np.linspace(0, len(v), buckets + 1).astype(int)
    peak = np.array([lo + int(np.nanargmax(v[lo:hi])) for lo, hi in zip(edges[:-1], edges[1:]) if hi > lo])
    return ts[peak], v[peak]


class ServiceDetailView(QFrame):
    """A floating window with one service's detail; ``show_service`` switches service.

    Double-clicking a caller or callee emits ``sig_service_activated`` with its name, so
    the map can move its selection there.
    """

    sig_service_activated = Signal(str)

    METRICS = ("requests", "errors", "p50", "p99", "load", "level")

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.setObjectName("service_detail")
        self.source = source
        self.service: str | None = None
        self.thresholds: HealthThresholds = DEFAULT_THRESHOLDS
        self._keys: dict[str, SeriesKey] = {}
        self.resize(720, 560)

        self.title_label = QLabel(self)
        self.title_label.setObjectName("detail_title")
        self.title_label.setFont(theme.ui_font(18, True))
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        names = {"requests": self.tr("Requests/s"), "errors": self.tr("Error ratio"), "p50": self.tr("p50"),
                 "p99": self.tr("p99"), "load": self.tr("Load"), "level": self.tr("Health")}
        for i, metric in enumerate(self.METRICS):
            caption = QLabel(names[metric], self)
            caption.setObjectName("dim")
            value = QLabel("—", self)
            value.setObjectName(f"detail_{metric}")
            value.setFont(theme.ui_font(16, True))
            grid.addWidget(caption, 0, i)
            grid.addWidget(value, 1, i)
            self.values[metric] = value
        self.upstream_list = QListWidget(self)
        self.upstream_list.setObjectName("upstream_list")
        self.downstream_list = QListWidget(self)
        self.downstream_list.setObjectName("downstream_list")
        self.upstream_title = QLabel(self)
        self.downstream_title = QLabel(self)
        for lst in (self.upstream_list, self.downstream_list):
            lst.itemDoubleClicked.connect(self._on_list_item_double_clicked)
        lists = QHBoxLayout()
        for title, lst in ((self.upstream_title, self.upstream_list), (self.downstream_title, self.downstream_list)):
            col = QVBoxLayout()
            col.addWidget(title)
            col.addWidget(lst)
            lists.addLayout(col)
        self.error_chart = SparklineWidget(self.tr("Error ratio, last 15 min"), self)
        self.p99_chart = SparklineWidget(self.tr("p99 latency, last 15 min"), self)
        box = QVBoxLayout(self)
        box.addWidget(self.title_label)
        box.addLayout(grid)
        box.addWidget(self.error_chart)
        box.addWidget(self.p99_chart)
        box.addLayout(lists, 1)
        # Right-click: watch this service's raw points and frames in the live inspector (only
        # where one exists: a live console, not a replay).
        self.inspect_action = QAction(self.tr("Inspect its live points and frames"), self)
        self.inspect_action.setObjectName("inspect_service")
        self.inspect_action.triggered.connect(self.inspect_service)
        if getattr(source, "inspector", None) is not None:
            self.addAction(self.inspect_action)
            self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def inspect_service(self):
        """Open the live inspector (``MainWindow.open_panel``) on this service; the panel, or None
        when the window has none to open (a wall)."""
        opener = getattr(self.parentWidget().window() if self.parentWidget() else None, "open_panel", None)
        if opener is None or self.service is None:
            return None
        panel = opener("inspector")
        if panel is not None:
            panel.inspect(f"service:{self.service}")
        return panel

    def show_service(self, name: str, thresholds: HealthThresholds | None = None) -> None:
        """Switch to ``name``: rebuild its caller and callee lists, then refresh the numbers."""
        self.service = name
        self.thresholds = thresholds or DEFAULT_THRESHOLDS
        s = {"service": name}
        self._keys = {
            "requests": SeriesKey("service_requests_rate", s), "errors": SeriesKey("service_error_ratio", s),
            "p50": SeriesKey("service_latency_seconds", {**s, "quantile": "0.5"}),
            "p99": SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}),
            "load": SeriesKey("service_saturation_ratio", s),
        }
        topology = self.source.topology
        if name not in topology:
            self.title_label.setText(self.tr("%1 (no longer in the topology)").replace("%1", name))
            for lst in (self.upstream_list, self.downstream_list):
                lst.clear()
            return
        svc = topology.service(name)
        kinds = {"channel": self.tr("entry channel"), "service": self.tr("service"), "bank": self.tr("bank gateway"),
                 "database": self.tr("database"), "cache": self.tr("cache"), "queue": self.tr("message queue")}
        self.title_label.setText(f"{svc.label}  ·  {kinds.get(svc.kind.value, svc.kind.value)}")
        self.setWindowTitle(svc.label)
        self._fill(self.upstream_list, topology.upstream(name), set(topology.callers(name)))
        self._fill(self.downstream_list, topology.downstream(name), set(topology.callees(name)))
        self.upstream_title.setText(self.tr("Upstream callers (%1) — direct in bold")
                                    .replace("%1", str(self.upstream_list.count())))
        self.downstream_title.setText(self.tr("Downstream callees (%1) — direct in bold")
                                      .replace("%1", str(self.downstream_list.count())))
        self.refresh()

    def _fill(self, lst: QListWidget, names: set[str], direct: set[str]) -> None:
        topology = self.source.topology
        lst.clear()
        for n in sorted(names, key=lambda n: (n not in direct, topology.service(n).label.lower())):
            item = QListWidgetItem(topology.service(n).label)
            item.setData(Qt.ItemDataRole.UserRole, n)
            if n in direct:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            lst.addItem(item)

    def names(self, which: str) -> list[str]:
        """Service names listed as ``"upstream"`` or ``"downstream"``, in display order."""
        lst = self.upstream_list if which == "upstream" else self.downstream_list
        return [lst.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lst.count())]

    def refresh(self) -> None:
        """Re-read the numbers and charts at the cursor."""
        if self.service is None or not self._keys:
            return
        v = {m: self.source.value(k) for m, k in self._keys.items()}
        th = self.thresholds
        level = service_level(v["errors"], v["p99"], v["load"], th)
        self.values["requests"].setText(format_rate(v["requests"]))
        self.values["errors"].setText(format_ratio(v["errors"]))
        self.values["p50"].setText(format_seconds(v["p50"]))
        self.values["p99"].setText(format_seconds(v["p99"]))
        self.values["load"].setText(format_ratio(v["load"]))
        words = {"ok": self.tr("OK"), "warn": self.tr("Warning"), "crit": self.tr("Critical"),
                 "unknown": self.tr("No data")}
        self.values["level"].setText(words[level])
        colour = theme.current().status_color(level).name()
        self.values["level"].setStyleSheet(f"color: {colour};")
        ts, err = self.source.window(self._keys["errors"], SPAN_MS)
        self.error_chart.set_series(ts, err, th.error_warn, th.error_crit, format_ratio(v["errors"]))
        ts, p99 = self.source.window(self._keys["p99"], SPAN_MS)
        self.p99_chart.set_series(ts, p99, th.p99_warn_s, th.p99_crit_s, format_seconds(v["p99"]))

    def _on_list_item_double_clicked(self, item: QListWidgetItem) -> None:
        self.sig_service_activated.emit(item.data(Qt.ItemDataRole.UserRole))
