"""Robot patrol (issue 17, item 2): every service and scenario against its objectives and its
headroom (capacity against the forecast peak from the traffic baseline), pure and GUI-free.

``inspect.inspect`` judges, ``forecast.forecast_peak`` forecasts, ``event`` turns a patrol into
a ``patrol`` event of the log and reads the last one back. The runner is ``warroom.app.patrol``,
the report ``warroom.report.patrol``.
"""

from warroom.core.patrol.event import last_patrol, levels_of, patrol_event, verdict_of
from warroom.core.patrol.forecast import Forecast, forecast_peak
from warroom.core.patrol.inspect import Change, Check, Item, Patrol, inspect, worst

__all__ = ["Change", "Check", "Forecast", "Item", "Patrol", "forecast_peak", "inspect", "last_patrol",
           "levels_of", "patrol_event", "verdict_of", "worst"]
