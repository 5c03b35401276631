"""The north-star KPI tree from a history: which tree was declared, and its figures at a moment.

The tree travels with the topology (its ``kpi_tree``, protocol 1.6), so the history already
holds it in ``topology_snapshots``; the incidents are the INCIDENT events of the log. This
module reads both and hands them to ``warroom.core.northstar.tree.report``: the same
figures the console's KPI-tree panel shows, but over the whole stored month rather than the
bounded log a live console keeps.
"""

from __future__ import annotations

from warroom.core.clock import MAX_TIME_MS, MIN_TIME_MS
from warroom.core.model import EventKind
from warroom.core.northstar.tree import MTTR_DAYS, KpiTree, TreeError, TreeReport, report, tree_from_wire
from warroom.store.query import HistoryReader

_DAY_MS = 86_400_000
#: Incidents are read from this long before the longest MTTR window, so one detected before the
#: window and mitigated in it keeps its earlier events (its start is in its latest one anyway).
_LEAD_MS = _DAY_MS


def tree_at(reader: HistoryReader, ts_ms: int) -> KpiTree | None:
    """The KPI tree in force at ``ts_ms``: of the newest stored topology at or before it that
    declares one, else of the first stored after it; None when the history holds none (or only
    trees that cannot be read)."""
    before, after = None, None
    for ts, wire in reader.snapshots("topology_snapshots"):
        if wire.get("kpi_tree") is None:
            continue
        if ts <= ts_ms:
            before = wire["kpi_tree"]
        elif after is None:
            after = wire["kpi_tree"]
    for body in (before, after):
        if body is not None:
            try:
                return tree_from_wire(body)
            except TreeError:
                continue  # a stored tree the console refused: not to be shown as if it were good
    return None


def newest_ms(reader: HistoryReader) -> int | None:
    """The history's newest moment: its newest point or event."""
    span = reader.time_range()
    events = reader.events(MIN_TIME_MS, MAX_TIME_MS, kinds=[EventKind.INCIDENT])
    candidates = ([span[1]] if span else []) + ([events[-1].ts] if events else [])
    return max(candidates) if candidates else None


def oldest_ms(reader: HistoryReader) -> int | None:
    """The history's oldest moment: its oldest point or event."""
    span = reader.time_range()
    row = reader.cursor().execute("SELECT epoch_ms(min(ts)) FROM events").fetchall()
    candidates = ([span[0]] if span else []) + ([int(row[0][0])] if row and row[0][0] is not None else [])
    return min(candidates) if candidates else None


def team_report(reader: HistoryReader, now_ms: int | None = None, *, tree: KpiTree | None = None,
                start_ms: int | None = None, utc_offset_h: float = 8.0) -> TreeReport | None:
    """The tree's figures at ``now_ms`` (default: the history's newest moment) from the stored
    incidents; None when the history declares no tree and none is given.

    Shares are of today's incident minutes (local midnight at UTC + ``utc_offset_h``) unless
    ``start_ms`` is given; MTTR per branch over 7 and 30 days.
    """
    if now_ms is None:
        now_ms = newest_ms(reader)
        if now_ms is None:
            return None
    tree = tree if tree is not None else tree_at(reader, now_ms)
    if tree is None:
        return None
    since = now_ms - max(MTTR_DAYS) * _DAY_MS - _LEAD_MS
    events = reader.events(since, now_ms + 1, kinds=[EventKind.INCIDENT])
    return report(tree, events, now_ms, start_ms=start_ms, utc_offset_h=utc_offset_h,
                  log_from_ms=oldest_ms(reader))
