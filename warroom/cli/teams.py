"""``warroom history FILE --teams``: the north-star KPI tree of a history, in the terminal.

The same figures as the console's KPI-tree panel (``warroom.core.northstar.tree``), over the
whole stored month: each business line, team and service with its share of the day's incident
minutes, and MTTR to mitigation (and to resolution) over 7 and 30 days.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import Any

from warroom.cli.common import CliError

_DAY_MS = 86_400_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``history --teams``."""
    parser.add_argument("--teams", action="store_true",
                        help="print the north-star KPI tree: each team's share of the day's incident minutes "
                             "and its MTTR over 7 and 30 days")
    parser.add_argument("--at", metavar="YYYY-MM-DD[THH:MM]",
                        help="with --teams: the moment to report at, UTC (default: the history's newest)")
    parser.add_argument("--utc-offset", type=float, default=8.0, metavar="H",
                        help="with --teams: where 'today' starts, hours from UTC (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="with --teams: print JSON instead of a table")


def parse_at(text: str | None) -> int | None:
    """``--at`` as epoch ms (UTC); ``CliError`` for anything else."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--at {text!r}: give a UTC time as YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def print_teams(reader: Any, args: argparse.Namespace) -> int:
    """Print the tree's figures; 1 (with the reason) when the history declares no tree."""
    from warroom.core.language.text import terminal_safe as safe  # a history may hold any feed's strings
    from warroom.store.teams import team_report

    if not -12.0 <= args.utc_offset <= 14.0:
        raise CliError(f"--utc-offset {args.utc_offset:g}: hours from UTC, between -12 and 14")
    rep = team_report(reader, parse_at(args.at), utc_offset_h=args.utc_offset)
    if rep is None:
        print(f"{args.db}: no KPI tree (the feed or world declared none: kpi_tree, docs/worlds.md) or no data")
        return 1
    if args.json:
        print(json.dumps(as_json(rep), ensure_ascii=False, indent=1))
        return 0
    start = datetime.fromtimestamp(rep.start_ms / 1000, timezone.utc)
    end = datetime.fromtimestamp(rep.end_ms / 1000, timezone.utc)
    root = rep.root
    print(f"KPI tree of {args.db} at {end:%Y-%m-%d %H:%M} UTC; today from {start:%Y-%m-%d %H:%M} UTC")
    print(f"goal: {safe(root.title)}")
    print(f"{'branch':<40} {'share':>6} {'min':>8} {'inc':>4}  {'MTTR 7d':>9} {'MTTR 30d':>9}  {'to resolve 30d':>14}")
    for depth, b in root.walk():
        m7, m30 = b.mttr_over(7), b.mttr_over(30)
        if b.kind == "service" and not (b.minutes or b.open or (m30 and m30.restored)):
            continue  # a service that cost nothing in the month: its team's line says so
        name = "  " * depth + safe(b.title if b.kind != "service" else b.id)
        share = "-" if b.share is None else f"{b.share * 100:.0f}%"
        mark = "  OPEN" if b.open else ""
        print(f"{name[:40]:<40} {share:>6} {b.minutes:8.1f} {b.incidents:4d}  {_dur(m7.mttr_mitigated_s if m7 else None):>9}"
              f" {_dur(m30.mttr_mitigated_s if m30 else None):>9}  {_dur(m30.mttr_s if m30 else None):>14}{mark}")
    if rep.drill_incidents:
        print(f"drills not counted: {rep.drill_incidents} incident(s), {rep.drill_minutes:.1f} min")
    for days in (7, 30):
        if rep.partial(days) and rep.events_from_ms is not None:
            since = datetime.fromtimestamp(rep.events_from_ms / 1000, timezone.utc)
            print(f"MTTR {days}d is partial: the history starts {since:%Y-%m-%d %H:%M} UTC")
            break
    return 0


def as_json(rep: Any) -> dict[str, Any]:
    """The report as JSON: the tree of branches with their figures."""
    def branch(b: Any) -> dict[str, Any]:
        return {"kind": b.kind, "id": b.id, "title": b.title, "titles": dict(b.titles), "minutes": round(b.minutes, 3),
                "share": b.share, "incidents": b.incidents, "open": b.open,
                "mttr": {f"{m.days}d": {"restored": m.restored, "mttr_mitigated_s": m.mttr_mitigated_s,
                                        "resolved": m.resolved, "mttr_s": m.mttr_s} for m in b.mttr},
                "children": [branch(c) for c in b.children]}

    return {"start_ms": rep.start_ms, "end_ms": rep.end_ms, "events_from_ms": rep.events_from_ms,
            "drill_incidents": rep.drill_incidents, "drill_minutes": round(rep.drill_minutes, 3),
            "tree": branch(rep.root)}


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"
