"""``warroom patrol``: a one-shot robot patrol of a feed or a history, with an HTML report.

    warroom patrol --history FILE [--at TIME] [--window 15m] [--out FILE.html] [--lang zh_CN]
    warroom patrol --url URL [--seconds 60] [--history FILE] [--out FILE.html] [--lang zh_CN]

With ``--url`` the feed is watched for ``--seconds`` and that is the window; a ``--history``
given too teaches the forecast (otherwise headroom is unknown: a minute of traffic forecasts no
peak). Every patrol is appended, as a ``patrol`` event, to the patrol log (``--log``, default
``patrols.jsonl`` in the data folder), which is also where "the change since the last patrol"
is read from (with a history's own patrol events). Exit status 1 when the verdict is fail.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from warroom.cli.common import CliError, client_auth_options, credentials, open_reader


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``patrol`` to the ``warroom`` parser."""
    p = sub.add_parser("patrol", help="inspect every service and scenario against its objectives and headroom; "
                                      "write a patrol report (HTML)")
    p.add_argument("--url", help="patrol a live feed (watched for --seconds)")
    p.add_argument("--history", type=Path, metavar="FILE",
                   help="patrol a recorded history; with --url, the history the forecast learns from")
    p.add_argument("--seconds", type=float, default=60.0, help="--url: how long to watch (default: %(default)s)")
    p.add_argument("--window", default="15m", help="--history: the stretch inspected (default: %(default)s)")
    p.add_argument("--at", metavar="TIME",
                   help="--history: when the window ends (epoch ms, ISO time or HH:MM; default: the newest point)")
    p.add_argument("--out", type=Path, metavar="FILE.html", help="write the patrol report here")
    p.add_argument("--lang", choices=("en", "zh_CN"), default=None,
                   help="report language (default: Chinese when $LANG starts with zh, else English)")
    p.add_argument("--log", type=Path, metavar="FILE.jsonl",
                   help="the patrol log (default: patrols.jsonl in the folder `warroom paths` shows)")
    client_auth_options(p)
    p.set_defaults(func=_cmd_patrol)


def _cmd_patrol(args: argparse.Namespace) -> int:
    from warroom.app.patrol import PatrolError, PatrolLog, patrol_history, patrol_view, watch_feed
    from warroom.core.patrol import patrol_event
    from warroom.core.settings.durations import parse_duration
    from warroom.core.settings.paths import data_dir
    from warroom.report.patrol import render_patrol
    from warroom.report.text import choose_lang

    if not args.url and args.history is None:
        raise CliError("say what to patrol: --url URL (a live feed) or --history FILE")
    if args.seconds <= 0:
        raise CliError("--seconds must be positive")
    try:
        lang = choose_lang(args.lang)
        window_ms = int(parse_duration(args.window) * 1000)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if window_ms <= 0:
        raise CliError("--window must be positive")
    log = PatrolLog(args.log if args.log is not None else data_dir() / "patrols.jsonl")
    reader = open_reader(args.history) if args.history is not None else None
    try:
        if args.url:
            source = args.url
            view = asyncio.run(watch_feed(args.url, args.seconds, credentials=credentials(args)))
            patrol = patrol_view(view, reader=reader, window_ms=int(args.seconds * 1000) + 1000, source=source,
                                 previous_events=log.events())
        else:
            source = str(args.history.resolve())
            at = _at(args.at, reader) if args.at else None
            patrol = patrol_history(reader, at_ms=at, window_ms=window_ms, source=source, previous_events=log.events())
    except PatrolError as exc:
        within = f" (watched for {args.seconds:g} s)" if args.url else ""
        raise CliError(f"cannot patrol {source}: {exc}{within}") from None
    finally:
        if reader is not None:
            reader.close()
    report = ""
    if args.out is not None:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(render_patrol(patrol, lang), encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        report = str(args.out.resolve())
    event = patrol_event(patrol, report)
    try:
        log.append(event)
    except OSError as exc:
        print(f"warroom: cannot append to the patrol log {log.path}: {exc.strerror or exc}")
    _print(patrol, report, log.path)
    return 1 if patrol.verdict == "fail" else 0


def _print(patrol, report: str, log_path: Path) -> None:
    c = patrol.counts()
    n = patrol.unknown_headroom
    print(f"patrol {patrol.verdict.upper()}: {c['pass']} pass, {c['warn']} warn, {c['fail']} fail, "
          f"{c['unknown']} unknown; {n} service{'' if n == 1 else 's'} with unknown headroom")
    for item in patrol.items:
        if item.level in ("warn", "fail"):
            bad = ", ".join(f"{ch.what} {ch.level}" for ch in item.checks if ch.level in ("warn", "fail"))
            print(f"  {item.level.upper():4} {item.kind} {item.name}: {bad}")
    if patrol.previous_at_ms is None:
        print("first patrol of this source: nothing to compare with")
    else:
        print(f"{len(patrol.changes)} changed since the last patrol")
        for ch in patrol.changes:
            print(f"  {ch.key}: {ch.before or 'new'} -> {ch.after or 'gone'}")
    if report:
        print(f"report: {report}")
    print(f"logged to {log_path}")


def _at(text: str, reader) -> int:
    """``--at``: epoch ms, an ISO time, or HH:MM on the history's last day (UTC+8 like the console)."""
    from datetime import datetime, timedelta, timezone

    if text.isdigit():
        return int(text)
    tz = timezone(timedelta(hours=8))
    try:
        if len(text) <= 5 and ":" in text:
            span = reader.time_range()
            if span is None:
                raise CliError("the history holds no metric points")
            day = datetime.fromtimestamp(span[1] / 1000, tz)
            hh, mm = (int(x) for x in text.split(":"))
            return int(day.replace(hour=hh, minute=mm, second=0, microsecond=0).timestamp() * 1000)
        when = datetime.fromisoformat(text)
        return int((when if when.tzinfo else when.replace(tzinfo=tz)).timestamp() * 1000)
    except ValueError:
        raise CliError(f"--at {text!r}: expected epoch ms, an ISO time or HH:MM") from None
