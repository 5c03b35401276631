"""The call-chain map: every service in a column by call depth, coloured by health.

Items are built when the topology changes (different services, calls or scenarios; the
same graph sent again on a reconnection keeps them) and only recoloured and relabelled
on ``refresh()``: the series keys
are made once per topology, so a frame is a few hundred ring look-ups. Positions come
from one ``StableLayout`` kept for the panel's life, so a service that appears later
takes a free slot instead of reshuffling the wall.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QResizeEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import (
    QApplication, QComboBox, QGraphicsItem, QGraphicsScene, QGraphicsSceneHelpEvent, QGraphicsView, QHBoxLayout, QLabel,
    QPushButton, QToolTip, QVBoxLayout, QWidget,
)

from warroom.core.health import edge_level, service_level, thresholds_by_service
from warroom.core.layout import StableLayout
from warroom.core.model import SeriesKey
from warroom.core.topology import Topology
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.map_items import (
    COL_STEP, ROW_STEP, CallEdgeItem, ServiceNodeItem, format_rate, format_ratio, format_seconds,
)
from warroom.ui.panels.map_routes import route_edges
from warroom.ui.panels.service_detail import ServiceDetailView

MIN_SCALE, MAX_SCALE = 0.1, 6.0
_FIT_MARGIN = 14.0  # scene units around the map when it is fitted


class _MapScene(QGraphicsScene):
    """The map's scene: tooltips are built on demand by the panel."""

    def __init__(self, panel: "TopologyMapPanel") -> None:
        super().__init__(panel)
        self._panel = panel

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802 - Qt override
        for item in self.items(event.scenePos()):
            text = self._panel.tooltip_for(item)
            if text:
                QToolTip.showText(event.screenPos(), text, event.widget())
                event.accept()
                return
        QToolTip.hideText()
        event.ignore()


class TopologyMapView(QGraphicsView):
    """The map's graphics view: wheel zoom around the mouse, drag to pan, click to pick."""

    def __init__(self, scene: QGraphicsScene, panel: "TopologyMapPanel") -> None:
        super().__init__(scene, panel)
        self._panel = panel
        self._press: QPoint | None = None
        self.setObjectName("topology_map_view")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # a wall has no scroll bars
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        # The scene's background fills the viewport: the panel and the window's border
        # frame behind it need no repaint when a node changes.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        self._panel.zoom_by(1.0015 ** event.angleDelta().y())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        pos = event.position().toPoint()
        if self._press is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (pos - self._press).manhattanLength() >= QApplication.startDragDistance():
            self._panel.auto_fit = False  # the user panned: stop refitting on resize
        else:
            node = self._node_at(pos)
            if node is not None:
                self._panel.select_service(node.name)
        self._press = None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_F:
            self._panel.fit()
        elif event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self._panel.zoom_by(1.25)
        elif event.key() == Qt.Key.Key_Minus:
            self._panel.zoom_by(0.8)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        bar = self._panel.toolbar
        bar.setGeometry(0, 0, self.width(), bar.sizeHint().height())
        if self._panel.auto_fit:
            self._panel.fit()

    def _node_at(self, pos: QPoint) -> ServiceNodeItem | None:
        for item in self.items(pos):
            if isinstance(item, ServiceNodeItem):
                return item
        return None


class TopologyMapPanel(Panel):
    """The call-chain map. Click a service for its detail; ``highlight_scenario`` lights a flow."""

    ID = "topology_map"
    TITLE = "Call-chain map"
    DEFAULT_AREA = "center"

    sig_service_selected = Signal(str)

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.nodes: dict[str, ServiceNodeItem] = {}
        self.edges: dict[tuple[str, str], CallEdgeItem] = {}
        self.layout_engine = StableLayout()
        self.auto_fit = True  # refit on resize until the user zooms or pans
        self.detail: ServiceDetailView | None = None
        self._topology: Topology | None = None
        self._topology_sig: tuple | None = None  # the services, edges and scenarios drawn
        self._topology_stamp: tuple | None = None
        self._scenario: str | None = None
        self._selected: str | None = None
        self._thresholds: dict = {}
        self._service_keys: dict[str, tuple[SeriesKey, ...]] = {}
        self._edge_keys: dict[tuple[str, str], tuple[SeriesKey, SeriesKey]] = {}
        self.root_causes: set[str] = set()  # services badged as probable root cause
        self._roots_version: int | None = None
        self._rebuilt = False
        self._plan_highlight: dict | None = None

        self.scene = _MapScene(self)
        self.scene.setBackgroundBrush(theme.current().color("background"))
        self.view = TopologyMapView(self.scene, self)
        self.scenario_combo = QComboBox(self)
        self.scenario_combo.setObjectName("scenario_combo")
        self.scenario_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the longest title fits
        self.scenario_combo.currentIndexChanged.connect(self._on_scenario_combo_changed)
        self.fit_button = QPushButton(self.tr("Fit (F)"), self)
        self.fit_button.setObjectName("fit_button")
        self.fit_button.clicked.connect(self.fit)
        # The controls float over the map's top edge instead of taking a row of their own:
        # on a wall every pixel of height is type size. ``fit`` keeps the map below them.
        self.toolbar = QWidget(self.view)
        self.toolbar.setObjectName("map_toolbar")
        self.toolbar.setStyleSheet("QWidget#map_toolbar { background: transparent; }")
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(QLabel(self.tr("Highlight:"), self.toolbar))
        bar.addWidget(self.scenario_combo)
        bar.addStretch(1)
        bar.addWidget(self.fit_button)
        self.scenario_combo.setParent(self.toolbar)
        self.fit_button.setParent(self.toolbar)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.view, 1)
        self.refresh()

    # -- drawing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the items if the topology changed, then recolour and relabel them."""
        topology = self.source.topology
        stamp = (self.source.topology_ts, len(topology), topology.graph.number_of_edges())
        if topology is not self._topology or stamp != self._topology_stamp:
            # A feed sends its topology again on every (re)connection: the same graph keeps
            # its items, as a rebuild redraws every cached node and edge (tens of ms).
            content = (tuple(topology.services), tuple(topology.edges), tuple(topology.scenarios))
            if content != self._topology_sig:
                self._rebuild(topology)
                self._topology_sig = content
            self._topology, self._topology_stamp = topology, stamp
        self._recolour()
        self._mark_roots()
        self._follow_plan_highlight()
        if self.detail is not None and self.detail.isVisible():
            self.detail.refresh()

    def _rebuild(self, topology: Topology) -> None:
        self.scene.clear()
        self.nodes.clear()
        self.edges.clear()
        positions = self.layout_engine.update(topology)
        self._thresholds = thresholds_by_service(topology)
        for svc in topology.services:
            node = ServiceNodeItem(svc.name, svc.label, svc.kind)
            x, y = positions[svc.name]
            node.setPos(x * COL_STEP, y * ROW_STEP)
            self.scene.addItem(node)
            self.nodes[svc.name] = node
            s = {"service": svc.name}
            self._service_keys[svc.name] = (
                SeriesKey("service_requests_rate", s), SeriesKey("service_error_ratio", s),
                SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}),
                SeriesKey("service_saturation_ratio", s),
            )
        for key, points in route_edges(topology, positions).items():
            item = CallEdgeItem(*key, points)
            self.scene.addItem(item)
            self.edges[key] = item
            labels = {"caller": key[0], "callee": key[1]}
            self._edge_keys[key] = (SeriesKey("edge_requests_rate", labels), SeriesKey("edge_error_ratio", labels))
        bounds = self.scene.itemsBoundingRect()
        # Room around the map so it can be dragged anywhere, even when it all fits.
        self.scene.setSceneRect(bounds.adjusted(-2000, -2000, 2000, 2000))
        self._fill_scenario_combo(topology)
        if self._scenario is not None and self._scenario not in {sc.id for sc in topology.scenarios}:
            self._scenario = None
        if self._selected not in self.nodes:
            self._selected = None
        self._apply_emphasis()
        self._rebuilt = True  # new node items: badge the roots again
        if self.auto_fit:
            self.fit()

    def _recolour(self) -> None:
        value = self.source.value
        rate_word, err_word, load_word = self.tr("%1 req/s"), self.tr("%1 err"), self.tr("load %1")  # once a frame
        for name, node in self.nodes.items():
            rps_key, err_key, p99_key, sat_key = self._service_keys[name]
            rps, err, p99, sat = value(rps_key), value(err_key), value(p99_key), value(sat_key)
            th = self._thresholds[name]
            level = service_level(err, p99, sat, th)
            # The box is narrow on a wall: a slow or saturated service shows what is wrong
            # (its errors and the culprit) rather than its traffic, which stays in the tooltip.
            parts = [err_word.replace("%1", format_ratio(err))]
            if p99 is not None and p99 >= th.p99_warn_s:
                parts.append("p99 " + format_seconds(p99))
            if sat is not None and sat >= th.saturation_warn:
                parts.append(load_word.replace("%1", format_ratio(sat)))
            if len(parts) == 1:
                parts.insert(0, rate_word.replace("%1", format_rate(rps)))
            node.set_state(level, " · ".join(parts), (rps, err, p99, sat))
        for key, edge in self.edges.items():
            rate_key, err_key = self._edge_keys[key]
            rate, err = value(rate_key), value(err_key)
            edge.set_state(edge_level(err, self._thresholds.get(key[0])), edge_width(rate), (rate, err))

    def tooltip_for(self, item: QGraphicsItem) -> str:
        """The tooltip of a node (or its caption) or an edge, from its latest numbers.

        Built when the mouse asks (see ``_MapScene``), not on every frame for every item.
        """
        if isinstance(item.parentItem(), ServiceNodeItem):
            item = item.parentItem()
        if isinstance(item, ServiceNodeItem) and len(item.numbers) == 4:
            rps, err, p99, sat = item.numbers
            return self.tr("%1\nrequests %2/s\nerrors %3\np99 %4\nload %5").replace("%1", item.label).replace(
                "%2", format_rate(rps)).replace("%3", format_ratio(err)).replace(
                "%4", format_seconds(p99)).replace("%5", format_ratio(sat))
        if isinstance(item, CallEdgeItem) and len(item.numbers) == 2:
            rate, err = item.numbers
            return self.tr("%1 → %2\n%3 req/s, errors %4").replace("%1", item.caller).replace(
                "%2", item.callee).replace("%3", format_rate(rate)).replace("%4", format_ratio(err))
        return ""

    # -- root cause and plan impact -------------------------------------------------------
    def _mark_roots(self) -> None:
        """Badge the services the active alerts name as their probable root cause."""
        watch = getattr(self.source, "alerting", None)
        version = None if watch is None else watch.version
        if version == self._roots_version and not self._rebuilt:
            return
        self._roots_version, self._rebuilt = version, False
        roots = set() if watch is None else {
            a.root_cause for a in watch.alerts() if a.is_root and a.root_cause and a.state != "pending"}
        self.root_causes = roots
        text = self.tr("ROOT CAUSE")
        for name, node in self.nodes.items():
            node.set_root_cause(name in roots, text)

    def _follow_plan_highlight(self) -> None:
        """Light up what a previewed plan touches (the plans panel sets ``source.highlight``)."""
        hl = getattr(self.source, "highlight", None)
        if hl is self._plan_highlight:
            return
        self._plan_highlight = hl
        self._apply_emphasis()

    # -- scenario highlight --------------------------------------------------------------
    def highlight_scenario(self, scenario_id: str | None) -> None:
        """Light up a scenario's edges and services in the accent colour and dim the rest;
        ``None`` (or an id the topology does not know) shows everything normally."""
        known = {sc.id for sc in self.source.topology.scenarios}
        self._scenario = scenario_id if scenario_id in known else None
        self._apply_emphasis()
        index = self.scenario_combo.findData(self._scenario)
        if index >= 0 and index != self.scenario_combo.currentIndex():
            self.scenario_combo.blockSignals(True)
            self.scenario_combo.setCurrentIndex(index)
            self.scenario_combo.blockSignals(False)

    @property
    def highlighted_scenario(self) -> str | None:
        """The id of the highlighted scenario, if any."""
        return self._scenario

    def _apply_emphasis(self) -> None:
        hl = self._plan_highlight
        if hl:  # a plan's impact preview wins over the scenario chosen in the combo
            on_edges, on_nodes = {tuple(e) for e in hl.get("edges", ())}, set(hl.get("services", ()))
            active = True
        elif self._scenario is None:
            on_edges, on_nodes = set(), set()
            active = False
        else:
            sc = self.source.topology.scenario(self._scenario)
            on_edges, on_nodes = set(sc.edges), set(sc.services)
            active = True
        for name, node in self.nodes.items():
            node.set_emphasis(name in on_nodes, active and name not in on_nodes)
        for key, edge in self.edges.items():
            edge.set_emphasis(key in on_edges, active and key not in on_edges)

    def _fill_scenario_combo(self, topology: Topology) -> None:
        self.scenario_combo.blockSignals(True)
        self.scenario_combo.clear()
        self.scenario_combo.addItem(self.tr("None"), None)
        for sc in topology.scenarios:
            self.scenario_combo.addItem(sc.title or sc.id, sc.id)
        self.scenario_combo.setCurrentIndex(max(0, self.scenario_combo.findData(self._scenario)))
        self.scenario_combo.blockSignals(False)

    def _on_scenario_combo_changed(self, index: int) -> None:
        self.highlight_scenario(self.scenario_combo.itemData(index))

    # -- selection and detail ------------------------------------------------------------
    def select_service(self, name: str) -> None:
        """Mark a service, emit ``sig_service_selected`` and open (or update) its detail view."""
        if name not in self.nodes:
            return
        if self._selected in self.nodes:
            self.nodes[self._selected].set_selected_service(False)
        self._selected = name
        self.nodes[name].set_selected_service(True)
        self.sig_service_selected.emit(name)
        if self.detail is None:
            self.detail = ServiceDetailView(self.source, self)
            self.detail.sig_service_activated.connect(self._on_detail_service_activated)
        self.detail.show_service(name, self._thresholds.get(name))
        self.detail.show()
        self.detail.raise_()

    @property
    def selected_service(self) -> str | None:
        """The service whose detail was opened last."""
        return self._selected

    def _on_detail_service_activated(self, name: str) -> None:
        self.select_service(name)

    # -- zoom ----------------------------------------------------------------------------
    def fit(self) -> None:
        """Zoom and centre so that every service is visible."""
        self.auto_fit = True
        bounds = self.scene.itemsBoundingRect().adjusted(-_FIT_MARGIN, -_FIT_MARGIN, _FIT_MARGIN, _FIT_MARGIN)
        if bounds.isEmpty():
            return
        viewport = self.view.viewport().rect()
        band = self.toolbar.sizeHint().height()  # the floating controls
        width, height = viewport.width(), viewport.height() - band
        if width <= 0 or height <= 0:
            return
        # A two-node topology must not fill the wall with one box.
        scale = max(MIN_SCALE, min(MAX_SCALE, width / bounds.width(), height / bounds.height()))
        self.view.setTransform(QTransform.fromScale(scale, scale))
        # Centred in the part of the view below the controls.
        self.view.centerOn(bounds.center().x(), bounds.center().y() - band / 2 / scale)

    @property
    def zoom(self) -> float:
        """The view's scale (1.0 = one scene unit per pixel)."""
        return self.view.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out, within limits; stops refitting on resize."""
        target = min(MAX_SCALE, max(MIN_SCALE, self.zoom * factor))
        if target != self.zoom:
            self.view.scale(target / self.zoom, target / self.zoom)
        self.auto_fit = False

    def set_zoom(self, scale: float) -> None:
        """Set the view's scale directly (``restore_state``)."""
        self.zoom_by(scale / self.zoom)

    # -- state ---------------------------------------------------------------------------
    def save_state(self) -> dict[str, Any]:
        """Zoom (or "fit"), the highlighted scenario."""
        return {"zoom": round(self.zoom, 4), "fit": self.auto_fit, "scenario": self._scenario}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply ``save_state``'s output; bad entries are ignored."""
        scenario = state.get("scenario")
        if scenario is None or isinstance(scenario, str):
            self.highlight_scenario(scenario)
        zoom = state.get("zoom")
        if state.get("fit", True) is False and isinstance(zoom, (int, float)) and math.isfinite(zoom) and zoom > 0:
            self.set_zoom(float(zoom))
        else:
            self.fit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_F:
            self.fit()
        else:
            super().keyPressEvent(event)


def edge_width(rate: float | None) -> float:
    """Pen width for an edge's traffic: log-scaled, so 100/s and 20k/s both read."""
    if rate is None or not rate > 0:
        return 1.0
    return min(9.0, max(1.0, 1.8 * math.log10(1 + rate) - 1.2))


__all__ = ["TopologyMapPanel", "TopologyMapView", "edge_width"]
