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

For a wall: a topology of more than 60 services with groups is drawn with its groups
collapsed (click one to open it); the calls that matter carry their numbers
(``edge_labels``); the root-cause badge goes where it covers no other box; stale data is
drawn grey. On a desk, a find box centres a service and "Unhealthy only" hides the healthy
ones; a wall (``set_wall_mode``) shows none of the controls.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import shiboken6
from PySide6.QtCore import QEvent, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QTransform
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QCompleter, QGraphicsItem, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from warroom.core.graph.grouping import GroupMemory
from warroom.core.graph.layout import StableLayout
from warroom.core.graph.topology import Topology
from warroom.store.live import LiveView
from warroom.ui import theme
from warroom.ui.panels.base import Panel
from warroom.ui.panels.wrapping import FlowLayout
from warroom.ui.panels.map.drawing import EDGES_ZOOM, MapDrawing, SlicedWork, edge_width, show_edge
from warroom.ui.panels.map.edge_labels import EdgeLabels
from warroom.ui.panels.map.items import (
    CAPTION_PX, EDGE_LABEL_PX, MIN_TEXT_PX, NODE_H, NODE_W, CallEdgeItem, ServiceNodeItem, format_rate, format_ratio,
    format_seconds,
)
from warroom.ui.panels.map.layout import BIG_MAP_SERVICES, LayoutRunner, MapLayout
from warroom.ui.panels.map.pixmap_cache import cached_bytes, ensure_room
from warroom.ui.panels.map.view import MapScene, TopologyMapView
from warroom.ui.panels.map.service_detail import ServiceDetailView
from warroom.ui.panels.map.silence import silent_for_s, stale_after_of

MIN_SCALE, MAX_SCALE = 0.1, 6.0
_FIT_MARGIN = 14.0  # scene units around the map when it is fitted
FIND_ZOOM = 0.8  # the find box zooms in at least this far: the found box's name reads from a desk
_UNHEALTHY = ("warn", "crit")


class TopologyMapPanel(Panel):
    """The call-chain map. Click a service for its detail; ``highlight_scenario`` lights a flow."""

    ID = "topology_map"
    TITLE = "Call-chain map"
    DEFAULT_AREA = "center"

    sig_service_selected = Signal(str)

    #: A big topology whose feed gives no groups is drawn in groups made up from its names,
    #: kinds or calls (``warroom.core.graph.grouping.derive_groups``); False draws every box.
    DERIVE_GROUPS = True

    def __init__(self, source: LiveView, parent: QWidget | None = None) -> None:
        super().__init__(source, parent)
        self.scene = MapScene(self)
        self.drawing = MapDrawing(self.scene)
        self.nodes: dict[str, ServiceNodeItem] = self.drawing.nodes  # the drawing's own dicts
        self.edges: dict[tuple[str, str], CallEdgeItem] = self.drawing.edges
        self.layout_engine = StableLayout()  # used by one layout at a time (see map_layout)
        self.group_memory = GroupMemory(derive=self.DERIVE_GROUPS)  # derived groups stay put, like the slots
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
        self._expanded: set[str] = set()  # groups drawn open
        self.unhealthy_only = False
        self._found: str | None = None  # the service the find box found (a drawn node)
        self._pending_find: str | None = None  # found inside a group being opened: centred once drawn
        self._stale = False
        self.edge_labels = EdgeLabels(self.scene)

        self.scene.setBackgroundBrush(theme.current().color("background"))
        self.view = TopologyMapView(self.scene, self)
        self.scenario_combo = QComboBox(self)
        self.scenario_combo.setObjectName("scenario_combo")
        self.scenario_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the longest title fits
        self.scenario_combo.currentIndexChanged.connect(self._on_scenario_combo_changed)
        self.scenario_combo.setToolTip(self.tr("Highlight a scenario's path on the map"))
        self.fit_button = QPushButton(self.tr("Fit (F)"), self)
        self.fit_button.setObjectName("fit_button")
        self.fit_button.clicked.connect(self.fit)
        self.find_box = QLineEdit(self)
        self.find_box.setObjectName("map_find")
        self.find_box.setPlaceholderText(self.tr("Find a service"))
        self.find_box.setClearButtonEnabled(True)
        self.find_box.returnPressed.connect(self._on_find_box_return_pressed)
        self._completer = QCompleter([], self.find_box)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.activated.connect(self._on_completer_activated)
        self.find_box.setCompleter(self._completer)
        self._completion_words: tuple = ()
        self.unhealthy_box = QCheckBox(self.tr("Unhealthy only"), self)
        self.unhealthy_box.setObjectName("map_unhealthy_only")
        self.unhealthy_box.toggled.connect(self.set_unhealthy_only)
        self.collapse_button = QPushButton(self.tr("Close groups"), self)
        self.collapse_button.setObjectName("map_collapse_groups")
        self.collapse_button.clicked.connect(self.collapse_groups)
        # The controls float over the map's top edge instead of taking a row of their own:
        # on a wall every pixel of height is type size. ``fit`` keeps the map below them.
        # A map narrower than their row (a laptop's dock) gets them in two rows or more
        # (``place_toolbar``), Fit at the top right: squeezed, they cut their words.
        self.toolbar = QWidget(self.view)
        self.toolbar.setObjectName("map_toolbar")
        bar = QHBoxLayout(self.toolbar)
        self.toolbar_flow = FlowLayout()
        bar.addLayout(self.toolbar_flow, 1)
        self.highlight_group = QWidget(self.toolbar)  # the caption wraps with its combo, never alone
        self.highlight_group.setObjectName("map_highlight")
        group = QHBoxLayout(self.highlight_group)
        group.setContentsMargins(0, 0, 0, 0)
        self.highlight_label = QLabel(self.tr("Highlight:"), self.highlight_group)
        group.addWidget(self.highlight_label)
        group.addWidget(self.scenario_combo)
        self.toolbar_flow.addWidget(self.highlight_group)
        self.toolbar_flow.addWidget(self.find_box)
        self.toolbar_flow.addWidget(self.unhealthy_box)
        bar.addWidget(self.collapse_button, 0, Qt.AlignmentFlag.AlignTop)
        bar.addWidget(self.fit_button, 0, Qt.AlignmentFlag.AlignTop)
        self.scenario_combo.setParent(self.highlight_group)
        for w in (self.fit_button, self.find_box, self.unhealthy_box, self.collapse_button):
            w.setParent(self.toolbar)
        self.collapse_button.setVisible(False)  # shown while a group is open
        self.toolbar.installEventFilter(self)  # its content changed size: placed again
        self._style_toolbar()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.view, 1)
        self._fill_scenario_combo(())
        self.refresh()

    def _style_toolbar(self) -> None:
        """The controls' type, spacing and tick box at the wall scale (``theme.px``, the
        layout's font): a desk at 4K reads them as at 1080p. The tick box gets a square of its
        own: the dark style's default draws it dark on dark."""
        t = theme.current()
        font = theme.ui_font(theme.base_point_size())
        for w in (self.highlight_label, self.scenario_combo, self.find_box, self.unhealthy_box, self.collapse_button,
                  self.fit_button):
            w.setFont(font)
        bar = self.toolbar.layout()
        bar.setContentsMargins(theme.px(8), theme.px(4), theme.px(8), theme.px(4))
        for layout in (bar, self.toolbar_flow, self.highlight_group.layout()):
            layout.setSpacing(theme.px(8))
        self.find_box.setMinimumWidth(theme.px(170))
        self.toolbar.setStyleSheet("QWidget#map_toolbar, QWidget#map_highlight { background: transparent; }")
        side = max(theme.px(14), round(self.unhealthy_box.fontMetrics().height() * 0.8))
        self.unhealthy_box.setStyleSheet(
            f"QCheckBox {{ spacing: {theme.px(6)}px; }}"
            f"QCheckBox::indicator {{ width: {side}px; height: {side}px; border-radius: {theme.px(3)}px;"
            f" border: {theme.px(2)}px solid {t.text_dim}; background: {t.surface}; }}"
            f"QCheckBox::indicator:hover {{ border-color: {t.text}; }}"
            f"QCheckBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent}; }}")
        self.place_toolbar()

    def place_toolbar(self) -> int:
        """Lay the controls over the top of the map, as wide as the view and as tall as their
        rows there (one row when they fit, more when the view is narrow); returns the height
        they cover (0 on a wall, where they are hidden).

        Where leaving out the "Highlight:" caption keeps them in one row, it is left out (the
        combo's tooltip says what it does): a row of the map is worth more than the word."""
        bar, width, caption = self.toolbar, self.view.width(), self.highlight_label
        room = caption.sizeHint().width() + max(0, self.highlight_group.layout().spacing())
        one_row = bar.sizeHint().width() + (0 if caption.isVisibleTo(bar) else room)  # with the caption
        show = one_row <= width or one_row - room > width  # hidden only where that saves a row
        if show != caption.isVisibleTo(bar):
            caption.setVisible(show)
            self.highlight_group.updateGeometry()  # the rows are measured now, not at the next event
        height = bar.heightForWidth(width)
        if height < 0:
            height = bar.sizeHint().height()
        if bar.geometry() != QRect(0, 0, width, height):
            bar.setGeometry(0, 0, width, height)
        return 0 if bar.isHidden() else height

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        # The controls changed size (a longer scenario title, "Close groups" shown, a new
        # scale): their rows, and so the map's fit below them, may have changed.
        if watched is self.toolbar and event.type() == QEvent.Type.LayoutRequest:
            before = self.toolbar.height()
            if self.place_toolbar() != before and self.auto_fit:
                self.fit()
            self.updateGeometry()  # the controls' narrowest width is the panel's (minimumSizeHint)
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """No narrower than the controls at their narrowest (a control on each row): a map
        narrower still would cut them."""
        hint = super().minimumSizeHint()
        if self.toolbar.isHidden():
            return hint
        return hint.expandedTo(QSize(self.toolbar.minimumSizeHint().width(), 0))

    def wall_scale_changed(self) -> None:
        """The wall scale changed (``warroom.ui.wall.wall_scale``): the controls follow, and a fitted
        map is fitted again below them."""
        self._style_toolbar()
        if self.auto_fit:
            self.fit()

    # -- drawing -------------------------------------------------------------------------
    def refresh(self) -> None:
        """Follow the topology (see the module docstring), then recolour and relabel."""
        self._follow_topology()
        self._mark_roots()  # first: a new root cause recolours its box in this same pass
        if (self.source.cursor_ms, self.source.points_received) == self._coloured_for:
            pass  # no new numbers (an event, the feed's state): the colours stand
        elif self._work or self.drawing.heavy:
            self._queue_colours()
        else:
            for _ in self._colour_steps():
                pass
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
            self.layouts.run(self.layout_engine, topology, self._on_layout_done, frozenset(self._expanded),
                             self.group_memory)

    def _on_layout_done(self, layout: MapLayout) -> None:
        self._coloured_for = ()  # new items need their colours even if no number changed
        steps = self._apply_layout(layout)
        if len(layout.topology) >= BIG_MAP_SERVICES or self._work:
            self._work.add(steps)
            self._queue_colours()
        else:
            for _ in steps:
                pass
            for _ in self._colour_steps():  # new items (an opened group) coloured at once
                pass
        if self._relayout and not self.layouts.busy:
            self._relayout = False
            wanted = self._wanted
            if wanted is not None and (not wanted.same_content(layout.topology) or layout.expanded != self._expanded):
                self.layouts.run(self.layout_engine, wanted, self._on_layout_done, frozenset(self._expanded),
                             self.group_memory)

    def _apply_layout(self, layout: MapLayout) -> Iterator[None]:
        """The drawing brought to ``layout``, then what depends on which items exist."""
        yield from self.drawing.apply(layout)
        new_nodes, new_edges = self.drawing.made
        self.last_layout = layout
        # Room around the map so it can be dragged anywhere, even when it all fits.
        self.scene.setSceneRect(self.drawing.bounds.adjusted(-2000, -2000, 2000, 2000))
        if self._stale:  # new items start grey too
            for name in new_nodes:
                self.nodes[name].set_stale(True)
            for key in new_edges:
                self.edges[key].set_stale(True)
        self.collapse_button.setVisible(bool(layout.expanded))
        self._update_completer(layout)
        if self._found not in self.nodes:
            self._found = None
        scenarios = tuple((sc.id, sc.label) for sc in layout.topology.scenarios)
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
        if self._pending_find is not None:
            name, self._pending_find = self._pending_find, None
            self.find_service(name)
        elif self.auto_fit:
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
        words = (self.tr("%1 req/s"), self.tr("%1 err"), self.tr("load %1"),  # once a pass
                 self.tr("%1 unhealthy"), self.tr("all healthy"), self.tr("no data for %1 s"))
        # Captions are made only where they can be read: at this zoom, and on a big map only
        # on screen (a small map's are all made: a pan then shows them at once).
        sight = self._sight() if self.drawing.captions_on and self.drawing.big else None
        yield from self.drawing.colour(self.source.value, words, sight, self._silence())
        self._after_levels()

    def _silence(self) -> Callable[[str], float | None]:
        """``silent(service)`` for this pass: seconds without data past the no-data limit, else None."""
        view = self.source
        cursor, stale_after = view.cursor_ms, stale_after_of(view.alerting)
        topology = view.topology

        def silent(name: str) -> float | None:
            try:
                cadence = float(getattr(topology.service(name), "cadence_s", 0.0) or 0.0)
            except (KeyError, ValueError, TypeError):
                cadence = 0.0
            return silent_for_s(name, view.value, view.window, cursor, stale_after_s=stale_after, cadence_s=cadence)
        return silent

    def _after_levels(self) -> None:
        """What follows the levels: who "unhealthy only" shows, and the calls' numbers."""
        self._apply_filter()
        self._label_edges()
        self._room_for_pixmaps()  # calls in trouble are shown now: their pixmaps need room

    def _label_edges(self) -> None:
        if not shiboken6.isValid(self.scene) or not shiboken6.isValid(self.view):
            return  # the panel is being destroyed
        self.edge_labels.update(self.edges.values(), self.zoom * EDGE_LABEL_PX >= MIN_TEXT_PX, self.tr("%1/s"))

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
        if drawing.show_all_edges(all_on) or self.edge_labels.items:
            self._label_edges()  # other calls in sight, or plates readable at another zoom
        if (readable or all_on) and drawing.big:
            self._queue_colours()  # captions that came into sight, widths of edges now drawn
        self._room_for_pixmaps()

    def _room_for_pixmaps(self) -> None:
        """Make Qt's pixmap cache hold the visible boxes and calls at this zoom (see
        ``pixmap_cache``); looked at again only when the zoom, the size or the items change."""
        if not shiboken6.isValid(self.scene) or not shiboken6.isValid(self.view):
            return  # the panel is being destroyed
        port = self.view.viewport().rect()
        shown = sum(1 for e in self.edges.values() if e.isVisible())
        key = (round(self.zoom, 4), port.width(), port.height(), len(self.nodes), shown,
               self.drawing.bounds.getRect())  # boxes moved (a new layout): other calls, other lengths
        if key == getattr(self, "_pixmap_room_for", None):
            return
        self._pixmap_room_for = key
        ensure_room(cached_bytes(self.view, [*self.nodes.values(), *self.edges.values()]))

    def tooltip_for(self, item: QGraphicsItem) -> str:
        """The tooltip of a node (or its caption) or an edge, from its latest numbers.

        Built when the mouse asks (see ``MapScene``), not on every frame for every item.
        """
        if isinstance(item.parentItem(), ServiceNodeItem):
            item = item.parentItem()
        if isinstance(item, ServiceNodeItem) and item.is_group and len(item.numbers) == 3:
            count, sick, _ = item.numbers
            return self.tr("%1\n%2 services, %3 unhealthy\nclick to open the group").replace(
                "%1", item.label).replace("%2", str(count)).replace("%3", str(sick))
        if isinstance(item, ServiceNodeItem) and item.no_data_s is not None:
            return item.label + "\n" + self.tr("no data for %1 s").replace("%1", f"{item.no_data_s:,.0f}")
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
        if frozenset(roots) != self.drawing.alerting_roots:
            self.drawing.alerting_roots = frozenset(roots)
            self._coloured_for = None  # recolour: a root is never drawn green (MapDrawing)
        drawn = {self._drawn(r) for r in roots}  # a root inside a collapsed group badges the group
        text = self.tr("ROOT CAUSE")
        calm = self._mitigated_roots(watch)
        for name, node in self.nodes.items():
            node.set_root_cause(name in drawn, text)
            if node.root_badge is not None:
                node.root_badge.set_level("warn" if name in calm else "crit")
        self._place_badges()

    def _mitigated_roots(self, watch: Any) -> set[str]:
        """Drawn nodes whose roots' live incidents are all mitigated: their badge is amber (red is
        only for an open, unmitigated incident)."""
        incidents = getattr(watch, "incidents", None)
        if not callable(incidents):
            return set()
        calm, hot = set(), set()
        for inc in incidents():
            if inc.live and inc.root_cause:
                (calm if inc.state in ("mitigated", "recovering") else hot).add(self._drawn(inc.root_cause))
        return calm - hot

    def _drawn(self, service: str) -> str | None:
        """The node drawing ``service``: itself, or its collapsed group."""
        grouped = self.last_layout.grouped if self.last_layout is not None else None
        return service if grouped is None else grouped.drawn(service)

    def _place_badges(self) -> None:
        """Each root-cause badge where it covers no other box and no other badge."""
        taken: list[QRectF] = []
        for node in self.nodes.values():
            if not node.root_cause:
                continue

            def is_free(rect: QRectF, node: ServiceNodeItem = node) -> bool:
                if any(rect.intersects(r) for r in taken):
                    return False
                return not any(isinstance(it, ServiceNodeItem) and it is not node
                               and it.mapRectToScene(it.box()).intersects(rect) for it in self.scene.items(rect))

            node.place_badge(is_free)
            taken.append(node.mapRectToScene(node.root_badge.rect))
        self._label_edges()  # plates make room for the badges

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
            drawn = self.last_layout.drawn if self.last_layout is not None else self.source.topology
            try:
                scenario = drawn.scenario(self._scenario)
            except KeyError:  # gone from the graph: nothing to light
                scenario = None
        if hl:  # a plan's impact preview wins over the scenario chosen in the combo
            on_edges = {(self._drawn(a), self._drawn(b)) for a, b in (tuple(e) for e in hl.get("edges", ()))}
            on_nodes = {self._drawn(n) for n in hl.get("services", ())}
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
        self._label_edges()

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
        """Mark a service, emit ``sig_service_selected`` and open (or update) its detail view.
        A collapsed group is opened instead."""
        if name in self.drawing.groups:
            self.expand_group(self.drawing.groups[name])
            return
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

    # -- groups ---------------------------------------------------------------------------
    def expand_group(self, group: str) -> None:
        """Draw the members of ``group`` instead of its one node (the map is laid out again)."""
        if group not in self._expanded:
            self._expanded.add(group)
            self._lay_out_again()

    def collapse_groups(self) -> None:
        """Draw every group as one node again."""
        if self._expanded:
            self._expanded.clear()
            self._lay_out_again()

    @property
    def expanded_groups(self) -> frozenset[str]:
        """The groups drawn open."""
        return frozenset(self._expanded)

    def _lay_out_again(self) -> None:
        if self.layouts.busy:
            self._relayout = True
        elif self._wanted is not None:
            self.layouts.run(self.layout_engine, self._wanted, self._on_layout_done, frozenset(self._expanded),
                             self.group_memory)

    # -- unhealthy only and find -----------------------------------------------------------
    def set_unhealthy_only(self, on: bool) -> None:
        """Show only the services in trouble (warning or critical), the root causes and the one
        found, and the calls between the services shown; or everything again."""
        self.unhealthy_only = bool(on)
        if self.unhealthy_box.isChecked() != self.unhealthy_only:
            self.unhealthy_box.blockSignals(True)
            self.unhealthy_box.setChecked(self.unhealthy_only)
            self.unhealthy_box.blockSignals(False)
        self._after_levels()

    def _apply_filter(self) -> None:
        only = self.unhealthy_only
        for name, node in self.nodes.items():
            shown = not only or node.level in _UNHEALTHY or node.no_data or node.root_cause or name == self._found
            if shown != node.isVisible():
                node.setVisible(shown)
        all_on = self.drawing.all_edges_on
        nodes = self.nodes
        for (a, b), edge in self.edges.items():
            filtered = only and not (nodes[a].isVisible() and nodes[b].isVisible())
            if filtered != edge.filtered:
                edge.filtered = filtered
                show_edge(edge, all_on)

    def find_service(self, text: str) -> bool:
        """Highlight and centre the service (or group) whose id or name is ``text``: exactly,
        else the only one starting with it, else the only one containing it (case ignored).
        A service inside a collapsed group opens the group first. False if none matches."""
        name = self._match(text)
        if self._found is not None and self._found in self.nodes:
            self.nodes[self._found].set_found(False)
        self._found = None
        self.find_box.setProperty("notFound", name is None)
        self.find_box.setStyleSheet("" if name is not None else "QLineEdit { border: 2px solid %s; }"
                                    % theme.current().color("crit").name())
        if name is None:
            return False
        drawn = self._drawn(name)
        if drawn not in self.nodes or (drawn != name and drawn in self.drawing.groups):
            grouped = self.last_layout.grouped if self.last_layout is not None else None
            group = grouped.groups.get(drawn) if grouped is not None and drawn is not None else None
            if group is None:
                return False
            self._pending_find = name  # centred when the open group is drawn
            self.expand_group(group)
            return True
        node = self.nodes[name]
        self._found = name
        node.set_found(True)
        self._apply_filter()
        self.auto_fit = False
        if self.zoom < FIND_ZOOM:
            self.view.setTransform(QTransform.fromScale(FIND_ZOOM, FIND_ZOOM))
        self.view.centerOn(node.pos())
        self.on_view_moved()
        return True

    @property
    def found_service(self) -> str | None:
        """The node the find box found last."""
        return self._found

    def _match(self, text: str) -> str | None:
        want = text.strip().casefold()
        if not want:
            return None
        topology = self.last_layout.topology if self.last_layout is not None else self.source.topology
        names = [(s.name, s.label) for s in topology.services]
        names += [(n, g) for n, g in self.drawing.groups.items()]
        labels = dict(names)
        for test in (lambda s: s == want, lambda s: s.startswith(want), lambda s: want in s):
            hits = [n for n, label in names if test(n.casefold()) or test(label.casefold())]
            if hits:  # several: the shortest name wins ("pay" finds "Pay" before "Payment engine")
                return min(hits, key=lambda n: (len(labels[n]), n))
        return None

    def _update_completer(self, layout) -> None:
        words = tuple(sorted({s.label for s in layout.topology.services} | set(self.drawing.groups.values())))
        if words != self._completion_words:
            self._completion_words = words
            self._completer.model().setStringList(list(words))

    def _on_find_box_return_pressed(self) -> None:
        self.find_service(self.find_box.text())

    def _on_completer_activated(self, text: str) -> None:
        self.find_service(text)

    # -- wall and stale ----------------------------------------------------------------------
    def set_wall_mode(self, wall: bool) -> None:
        """On a wall the map shows no controls (highlight, find, unhealthy only, fit): the
        map takes the whole panel and the room sees every service."""
        super().set_wall_mode(wall)
        self.toolbar.setVisible(not wall)
        self.updateGeometry()  # without controls, no minimum width of theirs
        if wall and self.unhealthy_only:
            self.set_unhealthy_only(False)  # a wall shows the whole platform
        if self.auto_fit:
            self.fit()

    def set_stale(self, since_ms: int | None) -> None:
        """Grey every box, call and number while the data is stale: old colours must not pass
        for live. Called every second while stale; the items change only when it flips."""
        super().set_stale(since_ms)
        stale = since_ms is not None
        if stale != self._stale:
            self._stale = stale
            self.drawing.set_stale(stale)
            self.edge_labels.set_stale(stale)

    @property
    def stale(self) -> bool:
        """True while the map is drawn grey."""
        return self._stale

    def figure_px(self) -> float:
        """The smallest type on screen at the current zoom, in pixels: of the names and
        captions of the boxes drawn and the numbers on the calls (the wall's rule: at least
        1 % of the screen's height)."""
        sizes = [min(node.figure_px()) for node in self.nodes.values() if node.isVisible()]
        sizes += [item.font_px for item in self.edge_labels.shown.values()]
        return min(sizes, default=0.0) * self.zoom

    # -- zoom ----------------------------------------------------------------------------
    def fit(self) -> None:
        """Zoom and centre so that every service is visible."""
        self.auto_fit = True
        # From the boxes' positions: asking the scene for its items' bounds visits every item.
        bounds = self.drawing.bounds.adjusted(-_FIT_MARGIN, -_FIT_MARGIN, _FIT_MARGIN, _FIT_MARGIN)
        if bounds.isEmpty():
            return
        for node in self.nodes.values():  # badges placed outside the boxes stay in view
            if node.root_cause and node.root_badge is not None:
                bounds = bounds.united(node.mapRectToScene(node.root_badge.rect).adjusted(-4, -4, 4, 4))
        for plate in self.edge_labels.shown.values():  # and so do the calls' numbers
            bounds = bounds.united(plate.sceneBoundingRect())
        viewport = self.view.viewport().rect()
        band = self.place_toolbar()  # the floating controls, in as many rows as they take
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
