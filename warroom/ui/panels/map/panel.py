"""The call-chain map: every service in a column by call depth, coloured by health.

Items follow the topology incrementally. A feed re-sends its whole graph, often unchanged:
the same content keeps every item (``LiveView`` keeps the object it already had; the panel
checks identity, then content). A changed graph is laid out again (``map_layout``: slots
from one ``StableLayout`` kept for the panel's life, so a service that appears later takes
a free slot instead of reshuffling the wall; edge routes; thresholds), off the UI thread
when it has ``BIG_MAP_SERVICES`` or more, and only the difference is applied to the scene
(``map_drawing``).

``refresh()`` recolours and relabels from the live view through series keys made once per
item, when the view holds new numbers. On a big map that work, and the application of a new
layout, are cut into slices (``SlicedWork``) run from the panel's own zero-time timer, so no
UI callback takes long; captions too small to read at the current zoom are not computed,
off-screen ones wait until they come into sight, and healthy calls are drawn only when
zoomed in far enough to tell them apart (``EDGES_ZOOM``).
"""

from __future__ import annotations

import math
from typing import Any, Iterator

import shiboken6
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTransform
from PySide6.QtWidgets import QComboBox, QGraphicsItem, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from warroom.core.layout import StableLayout
from warroom.core.topology import Topology
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.map.drawing import EDGES_ZOOM, MapDrawing, SlicedWork, edge_width, show_edge
from warroom.ui.panels.map.items import (
    CAPTION_PX, MIN_TEXT_PX, NODE_H, NODE_W, CallEdgeItem, ServiceNodeItem, format_rate, format_ratio, format_seconds,
)
from warroom.ui.panels.map.layout import BIG_MAP_SERVICES, LayoutRunner, MapLayout
from warroom.ui.panels.map.view import MapScene, TopologyMapView
from warroom.ui.panels.map.service_detail import ServiceDetailView

MIN_SCALE, MAX_SCALE = 0.1, 6.0
_FIT_MARGIN = 14.0  # scene units around the map when it is fitted


class TopologyMapPanel(Panel):
    """The call-chain map. Click a service for its detail; ``highlight_scenario`` lights a flow."""

    ID = "topology_map"
    TITLE = "Call-chain map"
    DEFAULT_AREA = "center"

    sig_service_selected = Signal(str)

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.scene = MapScene(self)
        self.drawing = MapDrawing(self.scene)
        self.nodes: dict[str, ServiceNodeItem] = self.drawing.nodes  # the drawing's own dicts
        self.edges: dict[tuple[str, str], CallEdgeItem] = self.drawing.edges
        self.layout_engine = StableLayout()  # used by one layout at a time (see map_layout)
        self.layouts = LayoutRunner(self)
        self.auto_fit = True  # refit on resize until the user zooms or pans
        self.detail: ServiceDetailView | None = None
        self.last_layout: MapLayout | None = None  # the layout drawn last
        self._wanted: Topology | None = None  # the newest topology seen in the source
        self._wanted_version = -1
        self._relayout = False  # a newer topology came while a layout ran
        self._scenario: str | None = None
        self._scenarios_shown: tuple = ()  # (id, title) of the combo's entries
        self._selected: str | None = None
        self.root_causes: set[str] = set()  # services badged as probable root cause
        self._roots_version: int | None = None
        self._rebuilt = False
        self._plan_highlight: dict | None = None
        self._work = SlicedWork(self)  # a big map's work, in slices
        self._colour_queued = False  # a recolouring pass waits in the work queue
        self._coloured_for: tuple = ()  # (cursor, points received) the last pass read

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
        self._fill_scenario_combo(())
        self.refresh()

    # -- drawing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Follow the topology (see the module docstring), then recolour and relabel."""
        self._follow_topology()
        if (self.source.cursor_ms, self.source.points_received) == self._coloured_for:
            pass  # no new numbers (an event, the feed's state): the colours stand
        elif self._work or self.drawing.big:
            self._queue_colours()
        else:
            for _ in self._colour_steps():
                pass
        self._mark_roots()
        self._follow_plan_highlight()
        if self.detail is not None and self.detail.isVisible():
            self.detail.refresh()

    @property
    def items_made(self) -> int:
        """Node and edge items created since the panel was made (tests and the bench count them)."""
        return self.drawing.items_made

    @property
    def busy(self) -> bool:
        """True while a layout runs or a big map's work waits for its slices."""
        return self.layouts.busy or bool(self._work)

    def _follow_topology(self) -> None:
        topology = self.source.topology
        if topology is self._wanted and topology.version == self._wanted_version:
            return  # nothing new: the common case, one identity check a frame
        same = topology is not self._wanted and self._wanted is not None and topology.same_content(self._wanted)
        self._wanted, self._wanted_version = topology, topology.version
        if same:
            return  # the graph sent again as a new object: every item stays
        if self.layouts.busy:
            self._relayout = True  # laid out when the running layout is done
        else:
            self.layouts.run(self.layout_engine, topology, self._on_layout_done)

    def _on_layout_done(self, layout: MapLayout) -> None:
        self._coloured_for = ()  # new items need their colours even if no number changed
        steps = self._apply_layout(layout)
        if len(layout.topology) >= BIG_MAP_SERVICES or self._work:
            self._work.add(steps)
            self._queue_colours()
        else:
            for _ in steps:
                pass
        if self._relayout and not self.layouts.busy:
            self._relayout = False
            wanted = self._wanted
            if wanted is not None and not wanted.same_content(layout.topology):
                self.layouts.run(self.layout_engine, wanted, self._on_layout_done)

    def _apply_layout(self, layout: MapLayout) -> Iterator[None]:
        """The drawing brought to ``layout``, then what depends on which items exist."""
        yield from self.drawing.apply(layout)
        new_nodes, new_edges = self.drawing.made
        self.last_layout = layout
        # Room around the map so it can be dragged anywhere, even when it all fits.
        self.scene.setSceneRect(self.drawing.bounds.adjusted(-2000, -2000, 2000, 2000))
        scenarios = tuple((sc.id, sc.title) for sc in layout.topology.scenarios)
        if self._scenario is not None and self._scenario not in {i for i, _ in scenarios}:
            self._scenario = None
        if self._selected not in self.nodes:
            self._selected = None
        elif self._selected in new_nodes:  # redrawn with a new label or kind: still the one open
            self.nodes[self._selected].set_selected_service(True)
        if scenarios != self._scenarios_shown:
            self._fill_scenario_combo(scenarios)
            self._apply_emphasis()  # the highlighted path may be another now
        elif self._scenario is not None or self._plan_highlight:
            self._apply_emphasis(new_nodes, new_edges)  # new items start neither lit nor dimmed
        yield
        self._rebuilt = True  # new node items: badge the roots again
        self._mark_roots()
        if self.auto_fit:
            self.fit()

    def _queue_colours(self) -> None:
        if not self._colour_queued:
            self._colour_queued = True
            self._work.add(self._colour_steps(queued=True))

    def _colour_steps(self, queued: bool = False) -> Iterator[None]:
        """Recolour and relabel every item from the view (a generator, for slicing)."""
        if queued:
            self._colour_queued = False  # data arriving from now on needs another pass
        self._coloured_for = (self.source.cursor_ms, self.source.points_received)
        words = (self.tr("%1 req/s"), self.tr("%1 err"), self.tr("load %1"))  # once a pass
        # Captions are made only where they can be read: at this zoom, and on a big map only
        # on screen (a small map's are all made: a pan then shows them at once).
        sight = self._sight() if self.drawing.captions_on and self.drawing.big else None
        yield from self.drawing.colour(self.source.value, words, sight)

    def _sight(self) -> QRectF:
        """The scene area on screen, widened by a box so that half-visible boxes count."""
        seen = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        return seen.adjusted(-NODE_W / 2, -NODE_H / 2, NODE_W / 2, NODE_H / 2)

    def on_view_moved(self) -> None:
        """The view scrolled or zoomed: captions that came into sight (or became readable) are due."""
        if getattr(self, "view", None) is None or not shiboken6.isValid(self._work):
            return  # the view scrolls while it is being made, and while the panel is destroyed
        drawing = self.drawing
        readable = self.zoom * CAPTION_PX >= MIN_TEXT_PX
        if drawing.show_captions(readable):
            self._coloured_for = ()  # the captions were not kept while unreadable
            if readable and not drawing.big and not self._work:
                for _ in self._colour_steps():
                    pass
        all_on = not drawing.big or self.zoom >= EDGES_ZOOM
        drawing.show_all_edges(all_on)
        if (readable or all_on) and drawing.big:
            self._queue_colours()  # captions that came into sight, widths of edges now drawn

    def tooltip_for(self, item: QGraphicsItem) -> str:
        """The tooltip of a node (or its caption) or an edge, from its latest numbers.

        Built when the mouse asks (see ``MapScene``), not on every frame for every item.
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

    def _apply_emphasis(self, nodes: list[str] | None = None, edges: list[tuple[str, str]] | None = None) -> None:
        """Highlight and dim for the plan preview or scenario in force: every item, or only
        ``nodes`` and ``edges`` (items just made)."""
        hl = self._plan_highlight
        scenario = None
        if not hl and self._scenario is not None:
            drawn = self.last_layout.topology if self.last_layout is not None else self.source.topology
            try:
                scenario = drawn.scenario(self._scenario)
            except KeyError:  # gone from the graph: nothing to light
                scenario = None
        if hl:  # a plan's impact preview wins over the scenario chosen in the combo
            on_edges, on_nodes = {tuple(e) for e in hl.get("edges", ())}, set(hl.get("services", ()))
            active = True
        elif scenario is None:
            on_edges, on_nodes = set(), set()
            active = False
        else:
            on_edges, on_nodes = set(scenario.edges), set(scenario.services)
            active = True
        for name in self.nodes if nodes is None else nodes:
            self.nodes[name].set_emphasis(name in on_nodes, active and name not in on_nodes)
        all_on = self.drawing.all_edges_on
        for key in self.edges if edges is None else edges:
            edge = self.edges[key]
            edge.set_emphasis(key in on_edges, active and key not in on_edges)
            show_edge(edge, all_on)

    def _fill_scenario_combo(self, scenarios: tuple[tuple[str, str], ...]) -> None:
        self._scenarios_shown = scenarios
        self.scenario_combo.blockSignals(True)
        self.scenario_combo.clear()
        self.scenario_combo.addItem(self.tr("None"), None)
        for sc_id, title in scenarios:
            self.scenario_combo.addItem(title or sc_id, sc_id)
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
        self.detail.show_service(name, self.drawing.thresholds.get(name))
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
        # From the boxes' positions: asking the scene for its items' bounds visits every item.
        bounds = self.drawing.bounds.adjusted(-_FIT_MARGIN, -_FIT_MARGIN, _FIT_MARGIN, _FIT_MARGIN)
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
        self.on_view_moved()

    @property
    def zoom(self) -> float:
        """The view's scale (1.0 = one scene unit per pixel)."""
        return self.view.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out, within limits; stops refitting on resize."""
        target = min(MAX_SCALE, max(MIN_SCALE, self.zoom * factor))
        if target != self.zoom:
            self.view.scale(target / self.zoom, target / self.zoom)
            self.on_view_moved()
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


__all__ = ["TopologyMapPanel", "TopologyMapView", "edge_width"]
