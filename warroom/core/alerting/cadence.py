"""When a series counts as "no data": continuous series and series that report on a schedule.

A continuous series (a service's metrics, every second or every scrape) is "no data" once it
has been silent for ``stale_after_s`` (the rule file's ``settings.stale_after``, 30 s by
default). A series that declares a cadence (a job that runs every 5 minutes, a sync that
reports every 10, a nightly settlement: topology ``Service.cadence_s`` or a rule's
``cadence``) is silent *by design* between two reports, so it is "no data" only once a
report is overdue: one cadence plus a grace of a tenth of the cadence (a job that takes a
little longer than usual is not missing), and never less than ``stale_after_s``.

The map's "no data for N s" and the alert engine's no-data and missed-cadence alerts all use
``silent_after_s``, so a node goes grey for the same reason an alert says "no data".
"""

from __future__ import annotations

import math

#: Grace after a missed cadence, as a fraction of the cadence (a 24 h job: 2.4 h late).
CADENCE_GRACE = 0.1


def silent_after_s(stale_after_s: float, cadence_s: float = 0.0) -> float:
    """Seconds of silence after which a series with this cadence is "no data".

    ``cadence_s`` 0 (or negative, or not finite) means continuous: ``stale_after_s``.
    Otherwise ``cadence_s + max(stale_after_s, CADENCE_GRACE * cadence_s)``.
    """
    stale = max(0.0, float(stale_after_s)) if math.isfinite(stale_after_s) else 0.0
    if not math.isfinite(cadence_s) or cadence_s <= 0:
        return stale
    return float(cadence_s) + max(stale, CADENCE_GRACE * float(cadence_s))
