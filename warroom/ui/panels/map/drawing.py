"""The call-chain map's items, kept in step with its layout and coloured from the live view.

``MapDrawing`` owns the node and edge items on the map's scene and the series keys and
thresholds that colour them. ``apply(layout)`` brings the scene to a new layout by its
difference: items of services and calls that went are removed, new ones made, boxes whose
call depth changed moved, edges whose route changed re-routed; everything else is left
alone. ``colour(...)`` reads every item's numbers from the view and sets its level, caption
and width. Both are generators that yield every few dozen items, so a big map's work can be
spread over slices (``SlicedWork``) while a small one runs them through at once.

What cannot be seen is not made: captions too small to read are hidden and not computed
(``show_captions``), and on a big map healthy edges are drawn only from ``EDGES_ZOOM`` on
(``show_all_edges``); edges in trouble or on a highlighted path always show.

A collapsed group (``warroom.core.graph.grouping``) is one node coloured by its worst member, its
caption the count of members in trouble; an edge between groups sums its calls' traffic and
takes the worst of their levels.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Callable, Iterator

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QRectF, QTimer
from PySide6.QtWidgets import QGraphicsScene

from warroom.core.alerting.health import edge_level, service_level
from warroom.core.model import SeriesKey, ServiceKind
from warroom.ui.panels.map.items import (
    COL_STEP, NODE_H, NODE_W, ROW_STEP, CallEdgeItem, ServiceNodeItem, format_rate, format_ratio, format_seconds,
)
from warroom.ui.panels.map.layout import BIG_MAP_SERVICES, MapLayout

#: On a big map, healthy calls are drawn from this zoom on (boxes 75 px wide): below it three
#: thousand of them are a fog that costs 100+ ms a repaint; calls in trouble always show.
EDGES_ZOOM = 0.25
SLICE_S = 0.004  # UI time per slice of a big map's work; a paint and a frame tick fit beside it
_CHUNK = 16  # items between two yields
_RANK = {"unknown": 0, "ok": 1, "warn": 2, "crit": 3}


def service_keys(name: str) -> tuple[SeriesKey, ...]:
    """(requests/s, error ratio, p99, saturation) series of a service."""
    s = {"service": name}
    return (SeriesKey("service_requests_rate", s), SeriesKey("service_error_ratio", s),
            SeriesKey("service_latency_seconds", {**s, "quantile": "0.99"}), SeriesKey("service_saturation_ratio", s))


def edge_keys(key: tuple[str, str]) -> tuple[SeriesKey, SeriesKey]:
    """(requests/s, error ratio) series of a call."""
    labels = {"caller": key[0], "callee": key[1]}
    return (SeriesKey("edge_requests_rate", labels), SeriesKey("edge_error_ratio", labels))


# Marked for lupdate (which reads ``tr(context, text)`` as a source and a comment, so the
# calls are spelled out) and translated when drawn: the language may change.
_KIND_GROUPS = {
    ServiceKind.CHANNEL: QT_TRANSLATE_NOOP("TopologyMapPanel", "Channels"),
    ServiceKind.SERVICE: QT_TRANSLATE_NOOP("TopologyMapPanel", "Services"),
    ServiceKind.BANK: QT_TRANSLATE_NOOP("TopologyMapPanel", "Banks"),
    ServiceKind.DATABASE: QT_TRANSLATE_NOOP("TopologyMapPanel", "Databases"),
    ServiceKind.CACHE: QT_TRANSLATE_NOOP("TopologyMapPanel", "Caches"),
    ServiceKind.QUEUE: QT_TRANSLATE_NOOP("TopologyMapPanel", "Message queues"),
}


def kind_group_label(kind: ServiceKind) -> str:
    """The name of a group made of the services of one kind (groups the feed did not give;
    ``warroom.core.graph.grouping.derive_groups``), in the console's language."""
    name = _KIND_GROUPS.get(kind)
    return QCoreApplication.translate("TopologyMapPanel", name) if name else kind.value


def worst(levels) -> str:
    """The worst of health levels (``unknown`` if none)."""
    return max(levels, key=_RANK.__getitem__, default="unknown")


class MapDrawing:
    """Node and edge items on ``scene`` (see the module docstring)."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.nodes: dict[str, ServiceNodeItem] = {}
        self.edges: dict[tuple[str, str], CallEdgeItem] = {}
        self.service_keys: dict[str, tuple[SeriesKey, ...]] = {}
        self.edge_keys: dict[tuple[str, str], tuple[SeriesKey, SeriesKey]] = {}
        self.thresholds: dict = {}
        self.bounds = QRectF()  # the boxes, in scene units
        self.items_made = 0  # node and edge items created (tests and the bench count them)
        self.made: tuple[list[str], list[tuple[str, str]]] = ([], [])  # by the last ``apply``
        self.captions_on = True  # captions are readable at this zoom
        self.all_edges_on = True  # healthy edges are drawn
        # A collapsed group's node -> its members' series; a drawn edge between groups -> its calls'.
        self.group_keys: dict[str, tuple[tuple[str, tuple[SeriesKey, ...]], ...]] = {}
        self.group_edge_keys: dict[tuple[str, str], tuple[tuple[tuple[str, str], tuple[SeriesKey, SeriesKey]], ...]] = {}
        self.groups: dict[str, str] = {}  # drawn group node -> group name
        #: Services the firing alerts name as their root cause. Such a service is never drawn
        #: green even when its numbers look fine (a stalled job, a consumer behind its queue):
        #: the map must not contradict the ROOT CAUSE badge beside it.
        self.alerting_roots: frozenset[str] = frozenset()

    @property
    def big(self) -> bool:
        """A map of ``BIG_MAP_SERVICES`` or more."""
        return len(self.nodes) >= BIG_MAP_SERVICES

    @property
    def heavy(self) -> bool:
        """True when a colour pass reads the series of ``BIG_MAP_SERVICES`` services or more:
        a grouped map draws a few dozen boxes for hundreds of services, and its pass costs as
        much as theirs (tens of ms at 500), so it must be done in slices too."""
        if self.big:
            return True
        members = sum(len(m) for m in self.group_keys.values())
        return len(self.nodes) - len(self.group_keys) + members >= BIG_MAP_SERVICES

    def apply(self, layout: MapLayout) -> Iterator[None]:
        """Bring the items to ``layout`` (a generator; ``made`` says what it created)."""
        topology, positions, routes = layout.drawn, layout.positions, layout.routes
        self.thresholds = layout.thresholds
        grouped = layout.grouped
        self.groups = dict(grouped.groups) if grouped is not None else {}
        members = {n: grouped.members[n] for n in self.groups} if grouped is not None else {}
        services = {s.name: s for s in topology.services}
        kinds = grouped.kinds if grouped is not None else {}
        # A derived group of one kind is named by the kind (translated), not its made-up name.
        labels = {n: f"{kind_group_label(kinds[n]) if n in kinds else s.label} ({len(members[n])})" if n in members
                  else s.label for n, s in services.items()}
        redo = [n for n, node in self.nodes.items()
                if n not in services or (node.label, node.kind) != (labels[n], services[n].kind)]
        for i, name in enumerate(redo):  # gone, or shown with another label or kind
            self.scene.removeItem(self.nodes.pop(name))
            self.service_keys.pop(name, None)
            if i % _CHUNK == _CHUNK - 1:
                yield
        for i, key in enumerate([k for k in self.edges if k not in routes]):
            self.scene.removeItem(self.edges.pop(key))
            self.edge_keys.pop(key, None)
            if i % _CHUNK == _CHUNK - 1:
                yield
        new_nodes: list[str] = []
        for i, (name, (x, y)) in enumerate(positions.items()):
            node = self.nodes.get(name)
            if node is None:
                svc = services[name]
                node = self.nodes[name] = ServiceNodeItem(name, labels[name], svc.kind, len(members.get(name, (name,))))
                node.caption_item.setVisible(self.captions_on)
                node.setPos(x * COL_STEP, y * ROW_STEP)
                self.scene.addItem(node)
                self.service_keys[name] = service_keys(name)
                new_nodes.append(name)
            elif (node.pos().x(), node.pos().y()) != (x * COL_STEP, y * ROW_STEP):
                node.setPos(x * COL_STEP, y * ROW_STEP)  # its call depth changed
            if i % _CHUNK == _CHUNK - 1:
                yield
        new_edges: list[tuple[str, str]] = []
        plain = len(positions) >= BIG_MAP_SERVICES
        for i, (key, points) in enumerate(routes.items()):
            edge = self.edges.get(key)
            if edge is None:
                edge = self.edges[key] = CallEdgeItem(*key, points)
                if plain:
                    edge.set_plain()  # thousands of them: drawn cheaply (see CallEdgeItem.set_plain)
                edge.setVisible(self.all_edges_on)  # unknown level: healthy until coloured
                self.scene.addItem(edge)
                self.edge_keys[key] = edge_keys(key)
                new_edges.append(key)
            else:
                edge.set_route(points)  # its ends' ports may have moved
            # Twelve domains call each other every way: a hundred healthy curves between group
            # boxes say nothing a person can read; the ones in trouble say where it spreads.
            minor = key[0] in members and key[1] in members
            if minor != edge.minor:
                edge.minor = minor
                show_edge(edge, self.all_edges_on)
            if i % _CHUNK == _CHUNK - 1:
                yield
        self.group_keys = {n: tuple((m, service_keys(m)) for m in ms) for n, ms in members.items()}
        self.group_edge_keys = {}
        if grouped is not None and grouped.collapsed:
            for key in routes:
                calls = grouped.edge_members.get(key, (key,))
                if calls != (key,):
                    self.group_edge_keys[key] = tuple((c, edge_keys(c)) for c in calls)
        self.items_made += len(new_nodes) + len(new_edges)
        self.made = (new_nodes, new_edges)
        self.bounds = boxes_bounds(positions.values())

    def colour(self, value: Callable[[SeriesKey], float | None], words: tuple[str, ...],
               sight: QRectF | None, silent: Callable[[str], float | None] | None = None) -> Iterator[None]:
        """Levels, captions and widths from ``value(key)`` (a generator). ``words`` are the
        translated "%1 req/s", "%1 err", "load %1", "%1 unhealthy", "all healthy" and
        "no data for %1 s"; captions are made only for boxes whose centre is in ``sight`` (all
        if None), and only while ``captions_on``. ``silent(service)`` is how long a service has
        sent no data when that counts as "no data" (``warroom.ui.panels.map.silence``), else
        None: such a box is grey and says so, whatever its last numbers were."""
        rate_word, err_word, load_word, sick_word, fine_word, *rest = words
        silent_word = rest[0] if rest else "no data for %1 s"
        captions = self.captions_on
        for i, (name, node) in enumerate(list(self.nodes.items())):
            if name in self.group_keys:
                levels = [service_level(*(value(k) for k in keys[1:]), self.thresholds[m])
                          for m, keys in self.group_keys[name]]
                sick = sum(lv in ("warn", "crit") for lv in levels)
                caption = None
                if captions and (sight is None or sight.contains(node.pos())):
                    caption = sick_word.replace("%1", str(sick)) if sick else fine_word
                node.set_state(worst(levels), caption, (len(levels), sick, worst(levels)))
                yield  # a group box reads the series of all its members: a slice's worth
                continue
            quiet = silent(name) if silent is not None else None
            node.set_no_data(quiet)
            if quiet is not None:
                caption = silent_word.replace("%1", f"{quiet:,.0f}") if captions else None
                node.set_state("unknown", caption, ())
                continue
            rps_key, err_key, p99_key, sat_key = self.service_keys[name]
            rps, err, p99, sat = value(rps_key), value(err_key), value(p99_key), value(sat_key)
            th = self.thresholds[name]
            level = service_level(err, p99, sat, th)
            if name in self.alerting_roots and level in ("ok", "unknown"):
                level = "warn"
            caption = None
            if captions and (sight is None or sight.contains(node.pos())):
                # The box is narrow on a wall: a slow or saturated service shows what is wrong
                # (its errors and the culprit) rather than its traffic, which stays in the tooltip.
                parts = [err_word.replace("%1", format_ratio(err))]
                if p99 is not None and p99 >= th.p99_warn_s:
                    parts.append("p99 " + format_seconds(p99))
                if sat is not None and sat >= th.saturation_warn:
                    parts.append(load_word.replace("%1", format_ratio(sat)))
                if len(parts) == 1:
                    parts.insert(0, rate_word.replace("%1", format_rate(rps)))
                caption = " · ".join(parts)
            node.set_state(level, caption, (rps, err, p99, sat))
            if i % _CHUNK == _CHUNK - 1:
                yield
        all_on = self.all_edges_on
        for i, (key, edge) in enumerate(list(self.edges.items())):
            if key in self.group_edge_keys:
                rate, err, level = self._group_edge(key, value)
                edge.set_state(level, edge_width(rate), (rate, err))
                show_edge(edge, all_on)
                if len(self.group_edge_keys[key]) >= _CHUNK or i % _CHUNK == _CHUNK - 1:
                    yield  # it stands for many calls
                continue
            rate_key, err_key = self.edge_keys[key]
            err = value(err_key)
            level = edge_level(err, self.thresholds.get(key[0]))
            if all_on or edge.highlighted or level in ("warn", "crit"):
                rate = value(rate_key)
                edge.set_state(level, edge_width(rate), (rate, err))
            else:  # not drawn (see EDGES_ZOOM): its traffic width waits until it is
                edge.set_state(level, edge.width, (None, err))
            if not all_on:
                show_edge(edge, False)
            if i % (_CHUNK * 2) == _CHUNK * 2 - 1:
                yield

    def _group_edge(self, key: tuple[str, str], value: Callable[[SeriesKey], float | None]) -> tuple:
        """(requests/s summed, error ratio weighted by traffic, worst level) of the calls a
        drawn edge between groups stands for."""
        total = bad = 0.0
        errs, levels = [], []
        for (caller, _), (rate_key, err_key) in self.group_edge_keys[key]:
            rate, err = value(rate_key), value(err_key)
            levels.append(edge_level(err, self.thresholds.get(caller)))
            if err is not None and not math.isnan(err):
                errs.append(err)
                if rate is not None and rate > 0:
                    total += rate
                    bad += rate * err
        rate = total if total > 0 else None
        err = bad / total if total > 0 else (max(errs) if errs else None)
        return rate, err, worst(levels)

    def set_stale(self, stale: bool) -> None:
        """Grey every box and edge (no health colour) while the data is stale, or colour them again."""
        for node in self.nodes.values():
            node.set_stale(stale)
        for edge in self.edges.values():
            edge.set_stale(stale)

    def show_captions(self, on: bool) -> bool:
        """Show or hide every caption; True if that changed anything."""
        if on == self.captions_on:
            return False
        self.captions_on = on
        for node in self.nodes.values():
            node.caption_item.setVisible(on)
        return True

    def show_all_edges(self, on: bool) -> bool:
        """Draw healthy edges too, or only those in trouble or highlighted; True if changed."""
        if on == self.all_edges_on:
            return False
        self.all_edges_on = on
        for edge in self.edges.values():
            show_edge(edge, on)
        return True


class SlicedWork(QObject):
    """Generators run in order, a slice of at most ``SLICE_S`` at a time from a zero-time
    timer, so that Qt paints and the asyncio loop runs between slices."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._work: deque[Iterator[None]] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    def __bool__(self) -> bool:
        return bool(self._work)

    def add(self, steps: Iterator[None]) -> None:
        """Run ``steps`` after what is queued already."""
        self._work.append(steps)
        if not self._timer.isActive():
            self._timer.start()

    def _on_timer_timeout(self) -> None:
        deadline = time.perf_counter() + SLICE_S
        while self._work and time.perf_counter() < deadline:
            try:
                next(self._work[0])
            except StopIteration:
                self._work.popleft()
        if self._work:
            self._timer.start()  # the rest after Qt has painted and the loop has run


def show_edge(edge: CallEdgeItem, all_on: bool) -> None:
    """Show an edge if all are shown, or it is in trouble, or on the highlighted path; never
    one that "unhealthy only" hides (``edge.filtered``)."""
    shown = not edge.filtered and ((all_on and not edge.minor) or edge.highlighted or edge.level in ("warn", "crit"))
    if shown != edge.isVisible():
        edge.setVisible(shown)


def boxes_bounds(positions) -> QRectF:
    """The scene rectangle of boxes at these (column, row) positions (the panel adds badges)."""
    cols = [x for x, _ in positions]
    rows = [y for _, y in positions]
    if not cols:
        return QRectF()
    left, right = min(cols) * COL_STEP - NODE_W / 2, max(cols) * COL_STEP + NODE_W / 2
    top, bottom = min(rows) * ROW_STEP - NODE_H / 2, max(rows) * ROW_STEP + NODE_H / 2
    return QRectF(left, top, right - left, bottom - top)


def edge_width(rate: float | None) -> float:
    """Pen width for an edge's traffic: log-scaled, so 100/s and 20k/s both read."""
    if rate is None or not rate > 0:
        return 1.0
    return min(9.0, max(1.0, 1.8 * math.log10(1 + rate) - 1.2))


__all__ = ["EDGES_ZOOM", "MapDrawing", "SLICE_S", "SlicedWork", "boxes_bounds", "edge_keys", "edge_width",
           "service_keys", "show_edge", "worst"]
