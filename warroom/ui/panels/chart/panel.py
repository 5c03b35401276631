"""Live time-series charts: the selected series over the last minutes up to the cursor.

pyqtgraph draws; this panel decides what. Every ``refresh()`` reads the ``LiveView``
(``window(key, span)`` up to ``cursor_ms``), breaks lines at gaps, decimates to the
plot's pixel width and hands the arrays to reused curve items. Because the x range is
always ``[cursor - window, cursor]``, a replay that moves the cursor moves the chart.

State (saved with the layout): ``{"series": [selector, ...], "window_s": 900,
"thresholds": [[value, "warn"|"crit"], ...], "emphasis": "auto"|"all"|"worst"}``. Threshold
values are in the series' own units (a ratio of 0.999, a latency of 0.5 s), like the data.

Emphasis: a desk (``all``) draws every series in its own colour with a legend beside the
plot. A wall (``worst``; ``auto`` is ``worst`` in wall mode) cannot be read that way from
five metres — eight colours overlapping near 99.5 % — so there the healthy series are thin
neutral lines, the ones past a threshold are drawn bold in their level's colour and named
with their value at the end of their line (``end_labels.py``), and the y range spans at
least a few points so calm data stays a calm line.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from warroom.core.model import Event, EventKind, SeriesKey
from warroom.core.language.names import names_for
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.chart.axis import PLAIN, TimeAxis, Unit, ValueAxis, format_value, unit_for
from warroom.ui.panels.chart.data import (
    EMPHASIS,
    LEVELS,
    GAP_FACTOR, Selector, break_gaps, clean_thresholds, decimate, last_point, median_step, min_span_range,
    parse_selectors, rank_unhealthy, resolve, short_names, sticky_range, threshold_level, value_range,
)
from warroom.ui.panels.chart.end_labels import EndLabels, LaneEntry
from warroom.ui.panels.chart.items import BoldCurveItem, EventMarkers, GridLinesItem
from warroom.ui.panels.chart.legend import ChartLegendWidget

DEFAULT_WINDOW_S = 900
#: A series that was unhealthy stays emphasised this long after it recovers, so a line
#: hovering at a threshold does not flash between colour and grey every second.
HOLD_MS = 30_000
#: With emphasis, the y range spans at least this much of a ratio (5 points) or this
#: share of the largest value: a drop stands out, jitter does not.
MIN_RATIO_SPAN, MIN_SHARE_SPAN = 0.05, 0.2
MIN_WINDOW_S, MAX_WINDOW_S = 10, 24 * 3600

# Curve colours avoid green, amber and red: on the wall those mean ok / warn / crit only.
PALETTES = {
    "dark": ("#36cfc9", "#b37feb", "#4aa3ff", "#f78fd0", "#e8edf2", "#8c9eff", "#c9a27e", "#9fe6ff"),
    "light": ("#00838f", "#6a1b9a", "#1565c0", "#ad1457", "#37474f", "#3949ab", "#795548", "#0277bd"),
}
# After the palette is used up, colours repeat with a dash pattern so curves stay distinct.
_DASHES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine)


def series_pen(index: int, th: theme.Theme) -> pg.QtGui.QPen:
    """The pen of the ``index``-th curve: one pixel wide (bold curves paint it several times)."""
    palette = PALETTES.get(th.name, PALETTES["dark"])
    pen = pg.mkPen(palette[index % len(palette)], width=theme.px(1))
    pen.setStyle(_DASHES[(index // len(palette)) % len(_DASHES)])
    return pen


def neutral_pen(th: theme.Theme) -> pg.QtGui.QPen:
    """The pen of a healthy series on a wall: thin and grey, one of a quiet band."""
    return pg.mkPen(th.text_dim, width=theme.px(1))


def _color_name(color: QColor | str) -> str:
    return QColor(color).name()


class ChartPanel(Panel):
    """Selected series over a time window, with thresholds and event markers."""

    ID = "chart"
    TITLE = "Live charts"
    DEFAULT_AREA = "center"

    def __init__(self, source: LiveView, parent: QWidget | None = None, panel_id: str | None = None,
                 series: Iterable[str] = (), window_s: float = DEFAULT_WINDOW_S,
                 utc_offset_s: int | None = 8 * 3600) -> None:  # UTC+8, as the event feed
        super().__init__(source, parent)
        if panel_id:
            self.ID = panel_id  # one class, several docks: each instance names its own
            self.setObjectName(panel_id)
        self._theme = theme.current()
        self._selectors: list[Selector] = []
        self._window_ms = DEFAULT_WINDOW_S * 1000
        self._thresholds: list[tuple[float, str]] = []
        self._keys: list[SeriesKey] = []
        self._resolved_for: tuple | None = None
        self._curves: dict[SeriesKey, pg.PlotCurveItem] = {}
        self._colors: dict[SeriesKey, int] = {}
        self._threshold_lines: list[pg.InfiniteLine] = []
        self._unit: Unit = PLAIN
        self._y_base: tuple[float, float] | None = None  # data range shown, before the label lane
        self._y_range: tuple[float, float] | None = None
        self._names: dict[SeriesKey, str] = {}
        self._emphasis = "auto"
        self._styles: dict[SeriesKey, str] = {}  # "palette", "neutral", "warn" or "crit" as drawn
        self._held: dict[SeriesKey, tuple[int, str]] = {}  # emphasised until (feed ms), at level
        self._held_at: int | None = None  # the cursor the holds were taken at
        self._lane_width = 0
        self._build(utc_offset_s)
        self.set_window(window_s)
        self.set_series(list(series))

    # -- construction ------------------------------------------------------------------
    def _build(self, utc_offset_s: int | None) -> None:
        t = self._theme
        self.time_axis = TimeAxis(utc_offset_s)
        self.value_axis = ValueAxis()
        self.plot_widget = pg.PlotWidget(background=t.background,
                                         axisItems={"bottom": self.time_axis, "left": self.value_axis})
        self.plot_widget.setObjectName("chart_plot")
        # The plot fills its whole rectangle: nothing behind it (dock, panel, window
        # backgrounds) needs repainting when a new second arrives.
        for opaque in (self.plot_widget, self.plot_widget.viewport()):
            opaque.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        item = self.plot_widget.getPlotItem()
        item.hideButtons()
        item.setMenuEnabled(False)
        for hidden in ("top", "right"):
            # Hidden, but linked to the view: without this they re-render a title per frame.
            item.getAxis(hidden).enableAutoSIPrefix(False)
        self.grid = GridLinesItem(self._grid_color())
        self.plot_widget.addItem(self.grid, ignoreBounds=True)
        self.view_box = item.getViewBox()
        # The wall follows the cursor: user zoom would be undone on the next frame anyway.
        self.view_box.setMouseEnabled(False, False)
        self.view_box.disableAutoRange()
        # Decimation and the label lane depend on the plot's pixel size.
        self.view_box.sigResized.connect(self._on_view_resized)
        for axis in (self.time_axis, self.value_axis):
            axis.setTextPen(pg.mkPen(t.text_dim))
        self._style_axes()
        self.markers = EventMarkers(self.plot_widget, self.font(), self.marker_text)
        self.legend = ChartLegendWidget(self)
        self.empty_label = QLabel(self.plot_widget)
        self.empty_label.setObjectName("dim")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        big = self.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.empty_label.setFont(big)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.plot_widget, 1)
        self.lane = EndLabels(self)
        self.lane.hide()
        row.addWidget(self.lane)
        row.addWidget(self.legend)

    def _style_axes(self) -> None:
        """Tick font, offsets and line widths for the wall scale in force."""
        font = self.font()
        for axis in (self.time_axis, self.value_axis):
            axis.setPen(pg.mkPen(self._theme.border, width=theme.px(1)))
            axis.setTickFont(font)
            axis.setStyle(tickTextOffset=theme.px(8), tickLength=-theme.px(5))
        # Room for a whole line of the tick font under the plot: pyqtgraph sizes the axis
        # from the glyphs' ink, and wall-size digits in a CJK font lost their lower edge.
        self.time_axis.setHeight(QFontMetrics(font).height() + theme.px(14))

    def wall_scale_changed(self) -> None:
        """The wall scale changed (``warroom.ui.wall.wall_scale``): axes, lines and markers follow."""
        self._style_axes()
        self.time_axis.min_tick_px = theme.px(130)
        for key, curve in self._curves.items():
            curve.setPen(series_pen(self._colors[key], self._theme))
        self._styles.clear()  # the emphasis pens are made anew at the new width
        for line, (_, level) in zip(self._threshold_lines, self._thresholds):
            line.setPen(pg.mkPen(self._theme.status_color(level), width=theme.px(2), style=Qt.PenStyle.DashLine))
        self.markers.set_font(self.font())
        self._lane_width = 0
        self._fit_lane()
        self.refresh()

    # -- settings ----------------------------------------------------------------------
    def set_series(self, selectors: list[str]) -> None:
        """Show the series these selectors pick (see ``chart_data.Selector``); bad ones are ignored."""
        self._selectors = parse_selectors(selectors)
        self._resolved_for = None
        # Colours are handed out afresh for a new selection: drop the old curves with theirs.
        for curve in self._curves.values():
            self.plot_widget.removeItem(curve)
        self._curves.clear()
        self._colors.clear()
        self._styles.clear()
        self._held.clear()
        self._keys = []
        self._lane_width = 0
        self.refresh()

    def series(self) -> list[str]:
        """The selectors in force, as given."""
        return [s.text for s in self._selectors]

    def set_window(self, seconds: float) -> None:
        """Show the last ``seconds`` before the cursor."""
        seconds = min(MAX_WINDOW_S, max(MIN_WINDOW_S, float(seconds)))
        self._window_ms = int(seconds * 1000)
        self.refresh()

    def window_s(self) -> float:
        """The time window, seconds."""
        return self._window_ms / 1000.0

    def set_thresholds(self, thresholds: Iterable[tuple[float, str]]) -> None:
        """Draw a dashed horizontal line per (value, level); level is ``warn`` or ``crit``."""
        clean = clean_thresholds(thresholds)
        self._thresholds = clean
        for line in self._threshold_lines:
            self.plot_widget.removeItem(line)
        self._threshold_lines = [self._threshold_line(v, lvl) for v, lvl in clean]
        self._relabel_thresholds()
        self._y_base = None
        self.refresh()

    def thresholds(self) -> list[tuple[float, str]]:
        """The thresholds in force."""
        return list(self._thresholds)

    def set_emphasis(self, emphasis: str) -> None:
        """``all`` (every series coloured, with a legend), ``worst`` (only the unhealthy ones,
        labelled at their end) or ``auto`` (``worst`` in wall mode); anything else is ignored."""
        if emphasis in EMPHASIS and emphasis != self._emphasis:
            self._emphasis = emphasis
            self._apply_emphasis()

    def emphasis(self) -> str:
        """The emphasis setting (see ``set_emphasis``)."""
        return self._emphasis

    def emphasising(self) -> bool:
        """True while only the unhealthy series are coloured (the wall's way)."""
        return self._emphasis == "worst" or (self._emphasis == "auto" and self.wall_mode)

    def set_wall_mode(self, wall: bool) -> None:
        """A wall emphasises the unhealthy series when the emphasis is ``auto``."""
        super().set_wall_mode(wall)
        self._apply_emphasis()

    def _apply_emphasis(self) -> None:
        on = self.emphasising()
        self.legend.setVisible(not on)
        self.lane.setVisible(on)
        self._styles.clear()
        self._held.clear()
        self._y_base = None
        self._lane_width = 0
        self._fit_lane()
        self.refresh()

    def _threshold_line(self, value: float, level: str) -> pg.InfiniteLine:
        color = self._theme.status_color(level)
        pen = pg.mkPen(color, width=theme.px(2), style=Qt.PenStyle.DashLine)
        line = pg.InfiniteLine(value, angle=0, pen=pen, movable=False)
        line.setZValue(5)
        self.plot_widget.addItem(line, ignoreBounds=True)
        return line

    def _relabel_thresholds(self) -> None:
        """The legend's threshold keys, in the unit of the shown series."""
        rows = []
        for value, level in sorted(self._thresholds, key=lambda t: LEVELS.index(t[1])):
            word = self.tr("crit") if level == "crit" else self.tr("warn")
            rows.append((self._theme.status_color(level), f"{word} {format_value(value, self._unit)}"))
        self.legend.set_thresholds(rows)

    # -- drawing -----------------------------------------------------------------------
    def set_stale(self, since_ms: int | None) -> None:
        """Stale data: the whole chart (lines, legend numbers) fades to a third, so no line
        and no number of it passes for live; it comes back whole with fresh data. An opacity
        effect costs an off-screen pass per paint, and a stale chart hardly repaints."""
        super().set_stale(since_ms)
        stale = since_ms is not None
        if stale == (self.graphicsEffect() is not None):
            return
        if stale:
            from PySide6.QtWidgets import QGraphicsOpacityEffect

            effect = QGraphicsOpacityEffect(self)
            effect.setOpacity(0.35)
            self.setGraphicsEffect(effect)
        else:
            self.setGraphicsEffect(None)  # Qt deletes the effect

    def refresh(self) -> None:
        """Redraw from the view: curves, ranges, markers and legend at the cursor."""
        cursor = self.source.cursor_ms
        self._sync_keys()
        if cursor is None or not self._keys:
            self._show_empty(cursor)
            return
        start = cursor - self._window_ms
        x0, x1 = start / 1000.0, cursor / 1000.0
        columns = max(100, int(self.view_box.width()) or self.width() or 1000)
        plotted, values = [], []  # values: (text, level, number) at the cursor per series
        for key in self._keys:
            ts, v = self.source.window(key, self._window_ms)
            step = median_step(ts)
            x, y = break_gaps(ts, v, step_ms=step)
            x, y = decimate(x, y, x0, x1, columns)
            self._curves[key].setData(x, y, connect="finite")
            plotted.append(y)
            values.append(self._legend_value(key, ts, v, cursor, step))
        self.empty_label.hide()
        self.view_box.setXRange(x0, x1, padding=0)
        self.markers.sync(self.source.events(start, cursor), start, cursor, self.view_box.width())
        self.markers.place(x0, x1, self.view_box.width(), self.view_box.height())
        if self.emphasising():
            levels = self._emphasise(cursor, values)
            self._set_y_range(plotted)
            self._label_ends(values, levels)
        else:
            self._restyle({k: "palette" for k in self._keys})
            self._set_y_range(plotted)
            self.legend.set_values([(text, level) for text, level, _ in values])

    def _sync_keys(self) -> None:
        """Re-resolve the selectors when the set of known series changed."""
        stamp = (self.source.series_count, id(self.source.topology))
        if stamp == self._resolved_for:
            return
        self._resolved_for = stamp
        keys = resolve(self._selectors, self.source.keys)
        if keys == self._keys and all(k in self._curves for k in keys):
            return
        for key in [k for k in self._curves if k not in keys]:
            self.plot_widget.removeItem(self._curves.pop(key))
        for key in keys:
            if key not in self._colors:
                self._colors[key] = len(self._colors)
            if key not in self._curves:
                curve = BoldCurveItem(pen=series_pen(self._colors[key], self._theme), antialias=True)
                self._curves[key] = curve
                self.plot_widget.addItem(curve)
        self._keys = keys
        self._y_base = None
        self._styles.clear()  # restyled (``_restyle``) at this refresh
        units = {unit_for(k.name) for k in keys}
        self._unit = units.pop() if len(units) == 1 else unit_for(keys[0].name) if keys else PLAIN
        self.value_axis.set_unit(self._unit)
        self._relabel_thresholds()
        names = short_names(keys, {"scenario": {s.id: s.label for s in self.source.topology.scenarios},
                                   "service": {s.name: s.label for s in self.source.topology.services}})
        self._names = dict(zip(keys, names))
        pens = [series_pen(self._colors[k], self._theme) for k in keys]
        self.legend.set_rows([(p.color(), n) for p, n in zip(pens, names)])
        self.legend.caption.setText(self._caption())
        self.lane.caption.setText(self._caption())
        self._lane_width = 0
        self._fit_lane()

    def _set_y_range(self, plotted: list[np.ndarray]) -> None:
        # Thresholds count towards the range: the distance to "crit" is part of the picture.
        span = value_range(plotted, (v for v, _ in self._thresholds))
        if span is None:
            return
        if self.emphasising():
            ratio = self._unit.kind == "percent" and span[1] <= 1.0
            least = MIN_RATIO_SPAN if ratio else MIN_SHARE_SPAN * max(abs(span[0]), abs(span[1]))
            span = min_span_range(span, least, self._falls(), ceiling=1.0 if ratio else None)
        # Sticky: the range moves only when the data leaves it or fills less than half of
        # it. An axis that rescales every second is noise on a wall.
        base = self._y_base = sticky_range(span, self._y_base,
                                           floor_zero=self._unit.kind in ("percent", "rate", "tps", "ms"))
        lo, hi = base
        # A ratio that stays within 0..1 gets no tick beyond 100% (the pad above is room, not data).
        top = min(hi, 1.0) if self._unit.kind == "percent" and span[1] <= 1.0 else hi
        self.value_axis.set_label_range(lo, top)
        # Headroom for the marker labels' lane, so they never sit on a curve.
        height = self.view_box.height()
        lane = self.markers.rows_used * self.markers.row_height + 4 if self.markers.rows_used else 0
        if 0 < lane < height * 0.5:
            hi += (hi - lo) * lane / (height - lane)
        if (lo, hi) != self._y_range:
            self._y_range = (lo, hi)
            self.view_box.setYRange(lo, hi, padding=0)
        self._update_grid(lo, hi)
        (x0, x1), _ = self.view_box.viewRange()
        # Every plotted point lies in the view (x within the window, y within the range
        # just set), so the view's rect, with a margin for the pen, bounds each curve.
        mx, my = (x1 - x0) * 0.01, (hi - lo) * 0.02
        bounds = QRectF(x0 - mx, lo - my, (x1 - x0) + 2 * mx, (hi - lo) + 2 * my)
        for curve in self._curves.values():
            curve.set_bounds(bounds)

    def _update_grid(self, lo: float, hi: float) -> None:
        (x0, x1), _ = self.view_box.viewRange()
        width, height = self.view_box.width(), self.view_box.height()
        xs = [v for _, values in self.time_axis.tickValues(x0, x1, width)[:1] for v in values]
        ys = [v for _, values in self.value_axis.tickValues(lo, hi, height)[:2] for v in values]
        self.grid.set_lines(xs, ys, x0, x1, lo, hi)

    def _grid_color(self) -> QColor:
        # The border colour 60% over the background, premixed: opaque lines skip blending.
        a, b = QColor(self._theme.border), QColor(self._theme.background)
        return QColor(*(round(0.6 * x + 0.4 * y) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3])))

    def _legend_value(self, key: SeriesKey, ts: np.ndarray, v: np.ndarray, cursor: int,
                      step: float | None) -> tuple[str, str, float | None]:
        point = last_point(ts, v)
        # A value older than a few samples is no longer "now": say so rather than repeat it.
        if point is None or cursor - point[0] > GAP_FACTOR * max(step or 1000.0, 1000.0):
            return "—", "unknown", None
        return format_value(point[1], unit_for(key.name)), self._level(point[1]), point[1]

    # -- emphasis (the wall's way, see the module docstring) -----------------------------
    def _emphasise(self, cursor: int, values: list[tuple[str, str, float | None]]) -> dict[SeriesKey, str]:
        """Restyle the curves for the wall; returns each series' level as drawn (an
        unhealthy series keeps its level for ``HOLD_MS`` after it recovered)."""
        if self._held_at is not None and cursor < self._held_at:
            self._held.clear()  # a replay went back: what was held belongs to another time
        self._held_at = cursor
        levels: dict[SeriesKey, str] = {}
        for key, (_, level, _) in zip(self._keys, values):
            if level in LEVELS:
                self._held[key] = (cursor + HOLD_MS, level)
            held = self._held.get(key)
            levels[key] = level if level in LEVELS or held is None or held[0] < cursor else held[1]
        self._restyle({k: lvl if lvl in LEVELS else "neutral" for k, lvl in levels.items()})
        return levels

    def _restyle(self, styles: dict[SeriesKey, str]) -> None:
        """Give each curve the pen of its style; only the curves whose style changed."""
        crowd = len(self._keys)
        # Bold passes cost paint time: fewer for crowded charts, which read fine thinner.
        palette_bold = 3 if crowd <= 4 else 2 if crowd <= 10 else 1
        for key, style in styles.items():
            if self._styles.get(key) == style or key not in self._curves:
                continue
            curve = self._curves[key]
            if style == "palette":
                curve.setPen(series_pen(self._colors[key], self._theme))
                curve.set_boldness(palette_bold)
                curve.setZValue(0)
            elif style == "neutral":
                curve.setPen(neutral_pen(self._theme))
                curve.set_boldness(1)
                curve.setZValue(0)
            else:  # an unhealthy series: bold, in its level's colour, above the others
                curve.setPen(pg.mkPen(self._theme.status_color(style), width=theme.px(1)))
                curve.set_boldness(3)
                curve.setZValue(2 if style == "crit" else 1)
            self._styles[key] = style

    def emphasised(self) -> list[SeriesKey]:
        """The series drawn in colour on the wall (none at a desk, where all are)."""
        return [k for k in self._keys if self._styles.get(k) in LEVELS]

    def _label_ends(self, values: list[tuple[str, str, float | None]], levels: dict[SeriesKey, str]) -> None:
        """The lane's entries: the unhealthy series worst first, then the healthy ones in
        one line, those without data, and the thresholds."""
        t = self._theme
        falls = self._falls()
        now = dict(zip(self._keys, values))
        ranked = rank_unhealthy(((k, levels[k], now[k][2]) for k in self._keys), falls)
        entries = [LaneEntry(now[k][0], self._names.get(k, k.text), _color_name(t.status_color(levels[k])),
                             self._lane_y(now[k][2]), i, tooltip=f"{self._names.get(k, k.text)}\n{k.text}")
                   for i, k in enumerate(ranked)]
        healthy = [now[k][2] for k in self._keys if k not in ranked and now[k][1] == "ok"]
        if healthy:
            # The healthy band reads as one: how many, and the worst of them.
            worst = min(healthy) if falls else max(healthy)
            bound = ("≥ " if falls else "≤ ") + format_value(worst, self._unit)
            entries.append(LaneEntry(bound, self.tr("%1 healthy").replace("%1", str(len(healthy))),
                                     _color_name(t.ok), self._lane_y(float(np.median(healthy))), 100,
                                     bold=False, kind="summary"))
        silent = sum(1 for k in self._keys if k not in ranked and now[k][1] == "unknown")
        if silent:
            entries.append(LaneEntry("—", self.tr("%1 no data").replace("%1", str(silent)), _color_name(t.text_dim),
                                     None, 101, bold=False, kind="summary"))
        for i, (value, level) in enumerate(sorted(self._thresholds, key=lambda th: LEVELS.index(th[1]))):
            word = self.tr("crit") if level == "crit" else self.tr("warn")
            entries.append(LaneEntry(format_value(value, self._unit), word, _color_name(t.status_color(level)),
                                     self._lane_y(value), 200 + i, bold=False, kind="threshold"))
        self.lane.set_entries(entries)

    def _lane_y(self, value: float | None) -> float | None:
        """Where ``value`` is drawn, in the lane's pixels (None for no value)."""
        if value is None or not np.isfinite(value):
            return None
        (_, x1), _ = self.view_box.viewRange()
        at = self.plot_widget.mapFromScene(self.view_box.mapViewToScene(QPointF(x1, value)))
        return float(self.lane.mapFrom(self, self.plot_widget.mapTo(self, at)).y())

    def _fit_lane(self) -> None:
        """The lane as wide as the longest name with a value needs, within its share; it
        only grows while the series stay the same, so the plot does not twitch."""
        if not self.emphasising():
            return
        unit = self._unit
        samples = [LaneEntry(format_value(0.9999 if unit.kind == "percent" else 8888.8, unit), name, "", None, 0)
                   for name in [*self._names.values(), self.tr("%1 healthy").replace("%1", "88"),
                                self.tr("+%1 more").replace("%1", "88")]]
        samples.append(LaneEntry("≥ " + samples[0].value, "", "", None, 0))
        # The caption on one line if the share allows: "…15 分/钟" broken in two reads badly.
        caption = self.lane.caption.fontMetrics().horizontalAdvance(self.lane.caption.text()) + theme.px(10)
        want = max(self.lane.wanted_width(samples), caption)
        most = int(self.width() * EndLabels.MAX_SHARE) if self.width() > 0 else want
        width = max(self._lane_width, min(want, most))
        if width != self.lane.width() or width != self._lane_width:
            self._lane_width = width
            self.lane.setFixedWidth(width)

    def _level(self, value: float) -> str:
        return threshold_level(value, self._thresholds, lower_is_worse=self._falls())

    def _falls(self) -> bool:
        # With one level only, the metric's name tells which way is worse (success and
        # throughput fall when things go wrong).
        return any("success" in k.name or k.name.endswith("_tps") for k in self._keys)

    def _show_empty(self, cursor: int | None) -> None:
        for curve in self._curves.values():
            curve.setData([], [])
        self.grid.setData([], [])
        if not self._selectors:
            text = self.tr("No series selected")
        elif cursor is None:
            text = self.tr("Waiting for data")
        else:
            text = self.tr("No data for %1").replace("%1", ", ".join(s.text for s in self._selectors))
        self.empty_label.setText(text)
        self.empty_label.setGeometry(self.plot_widget.rect())
        self.empty_label.show()
        self.legend.set_rows([])
        self.legend.caption.setText(self._caption())
        self.lane.caption.setText(self._caption())
        self.lane.set_entries([])
        self.markers.clear()

    def _caption(self) -> str:
        names = list(dict.fromkeys(s.name for s in self._selectors))
        minutes = self._window_ms / 60000
        span = self.tr("last %1 min").replace("%1", f"{minutes:g}")
        return f"{' · '.join(self._metric_title(n) for n in names)} · {span}"

    def _metric_title(self, name: str) -> str:
        titles = {
            "scenario_success_ratio": self.tr("Scenario success rate"),
            "scenario_tps": self.tr("Scenario TPS"),
            "scenario_requests_rate": self.tr("Scenario requests"),
            "scenario_blocked_rate": self.tr("Scenario blocked"),
            "service_requests_rate": self.tr("Service requests"),
            "service_error_ratio": self.tr("Service error rate"),
            "service_latency_seconds": self.tr("Service latency"),
            "service_saturation_ratio": self.tr("Service saturation"),
            "service_blocked_rate": self.tr("Service blocked"),
            "edge_requests_rate": self.tr("Call rate"),
            "edge_error_ratio": self.tr("Call error rate"),
            "edge_latency_seconds": self.tr("Call latency"),
        }
        return titles.get(name, name)

    # -- event markers -----------------------------------------------------------------
    def marker_text(self, events: Event | list[Event]) -> str:
        """The short label of a marker, e.g. ``Deploy payment-engine`` or, for events on
        the same second, ``Deploy + Fault payment-engine``."""
        group = [events] if isinstance(events, Event) else list(events)
        parts: list[tuple[str, str]] = []  # (words, subject), subjects in first-seen order
        for e in group:
            word = self._marker_word(e)
            for i, (words, subject) in enumerate(parts):
                if subject == e.subject:
                    parts[i] = (f"{words} + {word}", subject)
                    break
            else:
                parts.append((word, e.subject))
        names = names_for(self.source.topology, self.source.plans)  # names, not ids (ids in the tooltip)
        return " · ".join(f"{words} {names.subject(subject)}" for words, subject in parts)

    def _marker_word(self, event: Event) -> str:
        action = str(event.attrs.get("action", ""))
        if event.kind is EventKind.FAULT:
            word = self.tr("Fault") if action in ("", "inject") else self.tr("Fault over")
        elif event.kind is EventKind.DEPLOY:
            word = self.tr("Rollback") if event.attrs.get("rolled_back") else self.tr("Deploy")
        elif event.kind is EventKind.PLAN_EXECUTION:
            word = {"rollback": self.tr("Plan undone"), "expire": self.tr("Plan expired")}.get(action, self.tr("Plan"))
        else:
            word = self.tr("Config")
        return word

    # -- what the panel shows (for tests and the status bar) -----------------------------
    def curve_items(self) -> dict[SeriesKey, pg.PlotCurveItem]:
        """The curve of each shown series."""
        return dict(self._curves)

    def marker_items(self) -> list[tuple[Event, pg.InfiniteLine]]:
        """The event markers drawn, oldest first."""
        return self.markers.items()

    def threshold_items(self) -> list[pg.InfiniteLine]:
        """The threshold lines drawn."""
        return list(self._threshold_lines)

    # -- state -------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """Series selectors, window, thresholds and (unless ``auto``) the emphasis."""
        state: dict[str, Any] = {"series": self.series(), "window_s": self.window_s(),
                                 "thresholds": [[v, lvl] for v, lvl in self._thresholds]}
        if self._emphasis != "auto":
            state["emphasis"] = self._emphasis
        return state

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply a saved state; missing or malformed entries keep their current value."""
        if not isinstance(state, dict):
            return
        series = state.get("series")
        if isinstance(series, list):
            self.set_series([s for s in series if isinstance(s, str)])
        window = state.get("window_s")
        if isinstance(window, (int, float)) and not isinstance(window, bool) and window > 0:
            self.set_window(window)
        thresholds = state.get("thresholds")
        if isinstance(thresholds, list):
            self.set_thresholds(t for t in thresholds if isinstance(t, (list, tuple)))
        emphasis = state.get("emphasis")
        if isinstance(emphasis, str):
            self.set_emphasis(emphasis)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._lane_width = 0
        self._fit_lane()
        self.legend.refit()
        self.empty_label.setGeometry(self.plot_widget.rect())

    def _on_view_resized(self, *_: object) -> None:
        self.refresh()
