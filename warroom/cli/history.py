"""Sub-commands that read or write history files: ``history``, ``audit``, ``export``, ``report``, ``drill``, ``paths``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from warroom.cli import teams
from warroom.cli.common import (
    CliError,
    open_reader,
)

AUDIT_COLUMNS = ("time_utc", "ts_ms", "plan_id", "run", "action", "actor", "reason", "source", "title",
                 "before", "after", "params")


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the ``warroom`` parser."""
    au = sub.add_parser("audit", help="export the plan audit trail of a history file (CSV or JSON lines)")
    au.add_argument("db", type=Path)
    au.add_argument("--out", type=Path, help="FILE.csv or FILE.jsonl (default: CSV on stdout)")
    au.set_defaults(func=_cmd_audit)

    dr = sub.add_parser("drill", help="record a scripted drill (outage, acknowledgement, plan) to a history file")
    dr.add_argument("--out", type=Path, required=True, help="the new history file (.duckdb)")
    dr.add_argument("--minutes", type=float, default=15.0, help="simulated minutes (default: %(default)s)")
    dr.add_argument("--world", metavar="NAME|FILE",
                    help="the platform to drill on: a built-in world's name or a world file (default: payment)")
    dr.add_argument("--fault", default=None,
                    help="KIND:TARGET of the outage (default: dependency_outage:bank-icbc on the payment world, "
                         "else the world's first scripted fault; see `warroom inject --help`)")
    dr.add_argument("--fault-at", default="2m", help="when the fault starts (default: %(default)s)")
    dr.add_argument("--plan", help="plan the commander executes (default: the root alert's first; 'none': no plan)")
    dr.add_argument("--seed", type=int, default=4, help="simulator seed (default: %(default)s)")
    dr.set_defaults(func=_cmd_drill)

    rpt = sub.add_parser("report", help="write the post-incident report of an incident (one HTML file)")
    rpt.add_argument("--incident", required=True, metavar="ID", help="incident id (an unknown id lists the known ones)")
    rpt.add_argument("--db", type=Path, required=True, metavar="FILE", help="history file or incident bundle")
    rpt.add_argument("--out", type=Path, required=True, metavar="FILE.html",
                     help="where to write the report: FILE.html (self-contained) or FILE.pdf (A4, printed by Qt)")
    rpt.add_argument("--lang", choices=("en", "zh_CN"), default=None,
                     help="report language (default: Chinese when $LANG starts with zh, else English)")
    rpt.add_argument("--actions-csv", type=Path, default=None, metavar="FILE.csv",
                     help="also write the incident's action items (text, owner, due, added by/at) as CSV")
    rpt.add_argument("--actions-json", type=Path, default=None, metavar="FILE.json",
                     help="also write the incident's action items as JSON")
    rpt.set_defaults(func=_cmd_report)

    ex = sub.add_parser("export", help="write an incident bundle: one incident's stretch of a history, in one file")
    ex.add_argument("--db", type=Path, help="history file (default: the newest recording that holds the incident)")
    ex.add_argument("--incident", metavar="ID", help="the incident to export (without it: list the history's incidents)")
    ex.add_argument("--before", default="15m", help="history kept before the detection (default: %(default)s)")
    ex.add_argument("--after", default="15m", help="history kept after the verified recovery (default: %(default)s)")
    ex.add_argument("--out", type=Path, help="bundle file to write (default: ID.duckdb in this folder)")
    ex.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    ex.set_defaults(func=_cmd_export)

    h = sub.add_parser("history", help="print what a recorded history file holds")
    h.add_argument("db", type=Path)
    h.add_argument("--events", type=int, default=20, help="how many recent events to list (default: %(default)s)")
    h.add_argument("--quarantine", type=int, default=10, metavar="N",
                   help="how many quarantined records (rows the store refused) to list (default: %(default)s)")
    teams.add_arguments(h)
    h.set_defaults(func=_cmd_history)

    pa = sub.add_parser("paths", help="where Warroom reads its configuration and resources and writes its data")
    pa.set_defaults(func=_cmd_paths)


def _cmd_audit(args: argparse.Namespace) -> int:
    """Every plan step in the log: the console's audit events and the feed's own plan events."""
    import csv
    import json

    from warroom.core.model import EventKind

    reader = open_reader(args.db)
    try:
        events = [e for e in reader.events(0, 4_102_444_800_000)  # 1970..2100: everything
                  if e.kind is EventKind.PLAN_EXECUTION]
    finally:
        reader.close()
    rows = []
    for e in sorted(events, key=lambda e: (e.ts, e.id)):
        a = e.attrs
        rows.append({
            "time_utc": datetime.fromtimestamp(e.ts / 1000, timezone.utc).isoformat(timespec="milliseconds"),
            "ts_ms": e.ts, "plan_id": a.get("plan_id", e.subject), "run": a.get("run", ""),
            "action": a.get("action", ""), "actor": a.get("actor", ""), "reason": a.get("reason", ""),
            "source": "console" if a.get("audit") else "feed", "title": e.title,
            "before": a.get("before"), "after": a.get("after"), "params": json.dumps(a.get("params") or {}),
        })
    out = args.out
    if out is not None and out.suffix == ".jsonl":
        with out.open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        f = sys.stdout if out is None else out.open("w", encoding="utf-8", newline="")
        try:
            w = csv.DictWriter(f, fieldnames=AUDIT_COLUMNS)
            w.writeheader()
            w.writerows(rows)
        finally:
            if out is not None:
                f.close()
    if out is not None:
        print(f"{len(rows)} plan events written to {out}")
    return 0


def _cmd_drill(args: argparse.Namespace) -> int:
    from warroom.core.settings.durations import parse_duration
    from warroom.core.northstar.mttx import incident_times
    from warroom.sim.drill import record_drill

    try:
        fault_at = int(parse_duration(args.fault_at))
    except ValueError as exc:
        raise CliError(f"--fault-at: {exc}") from None
    seconds = int(args.minutes * 60)
    if seconds <= fault_at:
        raise CliError(f"--minutes {args.minutes:g} ends before the fault starts (--fault-at {args.fault_at})")
    plan = "" if (args.plan or "").lower() == "none" else args.plan
    world = _drill_world(args.world)
    try:
        drill = record_drill(args.out, seconds=seconds, fault=args.fault, fault_at_s=fault_at, plan=plan,
                             seed=args.seed, every_s=0, world=world,
                             progress=lambda f: print(f"  {f:4.0%} simulated", file=sys.stderr))
    except (FileExistsError, ValueError, KeyError) as exc:
        raise CliError(str(exc).strip("'\"")) from None
    print(f"recorded {args.minutes:g} simulated minutes to {args.out}")
    times = {t.id: t for t in incident_times(drill.log, include_drills=True)}  # a drill's, of course
    if not drill.incident_id:
        print("  no incident opened")
    else:
        t = times.get(drill.incident_id)
        mttr = "not resolved" if t is None or t.mttr_s is None else f"MTTR {t.mttr_s:.0f} s"
        mitigated = getattr(t, "mttr_mitigated_s", None)
        if mitigated is not None:
            mttr = f"mitigated in {mitigated:.0f} s, {mttr}"
        print(f"  incident {drill.incident_id}: {mttr}"
              + (f", plan {drill.plan_id} executed" if drill.plan_id else ""))
        print(f"  replay it:  warroom replay {args.out} --at worst")
    # The drill scorecard: a drill's incidents never count in production MTTR, so it has its own.
    from warroom.core.incident.drills import scorecard
    from warroom.report.drill import text_lines

    for line in text_lines(scorecard(drill.log)):
        print(line)
    # The drill's own MTTR: fault start -> plan verified effective, against the 1-minute goal;
    # the last line, for scripts to grep.
    print(drill.summary_line())
    return 0


def _drill_world(name: str | None):
    """``--world``: None (the payment platform) or the loaded world; a clear error otherwise."""
    if not name:
        return None
    try:
        from warroom.sim.world import WorldError, load_world
    except ImportError:
        raise CliError("--world: this build has no world files (warroom.sim.world is missing)") from None
    try:
        return load_world(name)
    except (WorldError, OSError) as exc:
        raise CliError(f"--world {name}: {exc}") from None


def _cmd_report(args: argparse.Namespace) -> int:
    from warroom.report import ReportError, load_report, render_html

    suffix = args.out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise CliError(f"--out {args.out}: write FILE.html (or FILE.pdf)")
    try:
        report, text = load_report(args.db, args.incident, lang=args.lang)
        if suffix == ".pdf":
            from warroom.ui.report_pdf import (
                write_pdf,  # Qt prints the PDF; the HTML needs no Qt
            )

            write_pdf(report, text, args.out)
        else:
            args.out.write_text(render_html(report, text), encoding="utf-8")
        _write_actions(report, text, args)
    except ReportError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"report on {report.summary.id} written to {args.out}")
    return 0


def _write_actions(report, text, args: argparse.Namespace) -> None:
    """``--actions-csv`` / ``--actions-json``: the report's action items (times local, as in the report)."""
    from warroom.core.incident.action_items import to_csv, to_json

    for path, content in ((getattr(args, "actions_csv", None), lambda: to_csv(report.action_items,
                                                                              added_at=text.datetime)),
                          (getattr(args, "actions_json", None), lambda: to_json(report.action_items))):
        if path is not None:
            try:
                path.write_text(content(), encoding="utf-8")
            except OSError as exc:
                raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
            print(f"{len(report.action_items)} action item(s) written to {path}")


def _cmd_export(args: argparse.Namespace) -> int:
    """An incident bundle (warroom.store.bundle), with progress on stderr and a summary line."""
    from warroom.core.clock import monotonic
    from warroom.core.settings.durations import parse_duration
    from warroom.core.settings.paths import recordings_dir
    from warroom.store import bundle
    from warroom.store.bundle import text as bundle_text

    try:
        before, after = (int(parse_duration(v) * 1000) for v in (args.before, args.after))
    except ValueError as exc:
        raise CliError(f"--before/--after: {exc}") from None
    progress = bundle_text.TextProgress(sys.stderr)
    try:
        db = args.db
        if db is None:
            db = bundle_text.find_history(recordings_dir(), args.incident)
            print(f"using {db}", file=sys.stderr)
        if args.incident is None:
            incidents = bundle_text.list_incidents(db)
            print(f"{db}: {len(incidents)} incident(s)")
            for inc in incidents:
                print(f"  {bundle_text.describe_incident(inc)}")
            raise CliError(f"which incident? warroom export --db {db} --incident ID --out FILE")
        t0 = monotonic()
        info = bundle.export_bundle(db, args.out or Path(f"{args.incident}.duckdb"), args.incident,
                                    before_ms=before, after_ms=after, progress=progress, overwrite=args.force)
    except bundle.BundleError as exc:
        raise CliError(str(exc)) from None
    finally:
        progress.close()
    print(bundle_text.describe_bundle(info, monotonic() - t0))
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    from warroom.core.clock import MAX_TIME_MS, MIN_TIME_MS
    from warroom.core.language.text import terminal_safe as safe  # a history may hold any feed's strings

    reader = open_reader(args.db)
    if getattr(args, "teams", False):
        try:
            return teams.print_teams(reader, args)
        finally:
            reader.close()
    try:
        span = reader.time_range()
        keys = reader.series()
        if span is None:
            print(f"{args.db}: no points")
        else:
            t0, t1 = (datetime.fromtimestamp(t / 1000, timezone.utc) for t in span)
            print(f"{args.db}: {len(keys)} series, {t0:%Y-%m-%d %H:%M:%S} .. {t1:%H:%M:%S} UTC")
        latest = reader.latest([k for k in keys if k.name.startswith("scenario_")])
        for key, (ts, value) in sorted(latest.items(), key=lambda kv: kv[0].text):
            print(f"  {safe(key.text):<60} {value:12.4g}")
        # Every event, not only those near the points: a feed may send events and no points.
        events = reader.events(MIN_TIME_MS, MAX_TIME_MS)[-args.events:] if args.events > 0 else []
        for e in events:
            # An alert's title carries its latest value; the state says whether it fired or cleared.
            state = e.attrs.get("state") if e.kind.value == "alert" else e.attrs.get("action")
            tag = f" [{safe(state)}]" if isinstance(state, str) and state else ""
            if e.attrs.get("drill") and e.kind.value != "drill":  # a drill's, never taken for real
                tag += " [DRILL]"
            print(f"  {datetime.fromtimestamp(e.ts / 1000, timezone.utc):%H:%M:%S}  {e.kind.value:<15}"
                  f" {safe(e.subject)}{tag}: {safe(e.title)}")
        _print_quarantine(reader, args.quarantine)
    finally:
        reader.close()
    return 0


def _print_quarantine(reader, limit: int) -> None:
    """What the store refused to write (warroom.store.quarantine), newest first."""
    from warroom.core.language.text import terminal_safe as safe

    counts = reader.quarantine_counts()
    if not counts:
        return
    total = ", ".join(f"{n:,} {kind}" for kind, n in sorted(counts.items()))
    print(f"quarantined (the store could not write these rows; everything else was kept): {total}")
    for row in reader.quarantine(limit) if limit > 0 else ():
        at = datetime.fromtimestamp(row.recorded_at_ms / 1000, timezone.utc)
        payload = row.payload if len(row.payload) <= 160 else row.payload[:159] + "…"
        print(f"  {at:%Y-%m-%d %H:%M:%S}  {row.kind:<8} {row.n_rows:>6,} rows  {safe(row.reason)}")
        print(f"      {payload}")  # ASCII JSON: nothing in it can reach the terminal as a control


def _cmd_paths(args: argparse.Namespace) -> int:
    from warroom.core.settings import paths
    from warroom.core.settings.config import config_path

    cfg = config_path(args.config)
    rows = [
        ("config file", cfg, "" if cfg.exists() else "(not created yet: the console writes it at first start)"),
        ("config dir", paths.config_dir(), ""),
        ("rules dir", paths.rules_dir(), "(your own rule files)"),
        ("plans dir", paths.plans_dir(), "(your own plan files)"),
        ("recordings dir", paths.recordings_dir(), ""),
        ("logs dir", paths.logs_dir(), ""),
        ("resources", paths.resource_dir(), "(shipped, read-only)"),
        ("layouts", paths.layouts_root(), "(shipped, read-only)"),
    ]
    for label, path, note in rows:
        print(f"{label:<15} {path}{'  ' + note if note else ''}")
    return 0
