"""Helpers for the board panels' tests (KPI tiles, scenarios, events, feed health):
a simulator feeding a LiveView, synthetic series, and pixel checks on grabbed widgets."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from warroom.core.model import SeriesKey
from warroom.protocol import Events, MetricBatch, TopologySnapshot
from warroom.sim.engine import Simulator
from warroom.store.live import LiveView

BUSY_HOUR_MS = 1763605800000  # 2025-11-20 10:30:00 UTC+8, the morning peak


class SimFeed:
    """A seeded simulator feeding a LiveView, the way the app's feed client does."""

    def __init__(self, seconds: int = 120, seed: int = 7) -> None:
        self.sim = Simulator(seed=seed, start_ms=BUSY_HOUR_MS)
        self.view = LiveView()
        self.view.apply(TopologySnapshot(self.sim.now_ms, self.sim.topology))
        self.view.apply(self.sim.catalogue())
        self.tick(seconds)

    def tick(self, seconds: int) -> None:
        """Advance the simulator, delivering every batch and event to the view."""
        for _ in range(seconds):
            batch, events = self.sim.tick()
            self.view.apply(batch)
            self.view.apply(Events(tuple(events)))

    @property
    def scenarios(self) -> list[str]:
        return [sc.id for sc in self.view.topology.scenarios]

    def bank_outage(self, seconds: int = 20) -> None:
        """Take bank-icbc down and let it bite."""
        self.sim.inject_fault("dependency_outage", "bank-icbc")
        self.tick(seconds)


def feed_series(view: LiveView, points: dict[SeriesKey, list[tuple[int, float]]]) -> None:
    """Append ``{key: [(ts, value), ...]}`` to a view as one batch."""
    flat = [(k, ts, v) for k, pts in points.items() for ts, v in pts]
    view.apply(MetricBatch.from_points(flat))


def color_pixels(widget: QWidget, color: str | QColor, x0: float = 0.0, x1: float = 1.0,
                 y0: float = 0.0, y1: float = 1.0, tolerance: int = 30) -> int:
    """How many pixels close to ``color`` a grab of ``widget`` has in the given fractional box."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    want = QColor(color)
    count = 0
    for y in range(int(image.height() * y0), int(image.height() * y1)):
        for x in range(int(image.width() * x0), int(image.width() * x1), 2):
            c = image.pixelColor(x, y)
            if (abs(c.red() - want.red()) + abs(c.green() - want.green()) + abs(c.blue() - want.blue())) <= tolerance:
                count += 1
    return count
