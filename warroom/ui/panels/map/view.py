"""The call-chain map's scene and view: tooltips on demand, wheel zoom, drag to pan, click to pick.

Both talk to their ``TopologyMapPanel`` (which builds the items and owns zoom and selection);
they hold no state of the map themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsSceneHelpEvent, QGraphicsView, QToolTip

from warroom.ui.panels.map.items import ServiceNodeItem

if TYPE_CHECKING:
    from warroom.ui.panels.map.panel import TopologyMapPanel


class MapScene(QGraphicsScene):
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

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        super().scrollContentsBy(dx, dy)
        panel = getattr(self, "_panel", None)  # QGraphicsView's constructor scrolls before we set it
        if panel is not None:
            panel.on_view_moved()  # other boxes came into sight: their captions are due

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._panel.place_toolbar()  # as many rows as the new width takes
        if self._panel.auto_fit:
            self._panel.fit()

    def _node_at(self, pos: QPoint) -> ServiceNodeItem | None:
        for item in self.items(pos):
            if isinstance(item, ServiceNodeItem):
                return item
        return None


__all__ = ["MapScene", "TopologyMapView"]
