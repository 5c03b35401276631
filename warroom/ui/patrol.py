"""The console's scheduled robot patrol (``--patrol-every HOURS``, config ``patrol_every_h``).

A ``warroom.app.patrol.PatrolSchedule`` over the console's view and history file: reports in
the console's language go to ``patrols/`` in the data folder, the ``patrol`` event to the
event log (history and view), where the feed-health panel's ``PatrolVerdict`` reads it.
"""

from __future__ import annotations

from pathlib import Path

from warroom.app.patrol import PatrolSchedule
from warroom.core.patrol import Patrol
from warroom.core.settings.paths import data_dir

#: The first patrol waits this long (or the interval, if shorter) for the feed's first data.
FIRST_AFTER_S = 30.0


def console_patrols(view, session, writer, opts) -> PatrolSchedule:
    """The schedule of a console started with ``opts`` (``opts.patrol_every_h`` > 0)."""
    from warroom.core.language.lang import language
    from warroom.report.patrol import render_patrol

    lang = "zh_CN" if language().startswith("zh") else "en"

    def write(patrol: Patrol, path: Path) -> None:
        path.write_text(render_patrol(patrol, lang), encoding="utf-8")

    every_s = opts.patrol_every_h * 3600.0
    return PatrolSchedule(view, every_s=every_s, record=session.record, reader_factory=writer.reader,
                          report_dir=data_dir() / "patrols", write_report=write, source="console",
                          first_after_s=min(FIRST_AFTER_S, every_s))
