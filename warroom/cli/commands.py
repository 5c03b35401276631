"""Sub-commands that act on a feed or a file of the feed's: ``inject``, ``clear``, ``plan``, ``drill-window``,
``token``, ``rules``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from warroom.cli.common import (
    CliError,
    client_auth_options,
    credentials,
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the ``warroom`` parser."""
    i = sub.add_parser("inject", help="inject a fault into a running simulator")
    i.add_argument("--url", default="ws://127.0.0.1:8765")
    i.add_argument("spec", help="KIND:TARGET[@START][+DURATION][,key=value...], e.g. bank_latency_spike:bank-icbc+120s")
    client_auth_options(i)
    i.set_defaults(func=_cmd_inject)

    c = sub.add_parser("clear", help="clear an injected fault")
    c.add_argument("--url", default="ws://127.0.0.1:8765")
    c.add_argument("fault_id")
    client_auth_options(c)
    c.set_defaults(func=_cmd_clear)

    pl = sub.add_parser("plan", help="execute or roll back a contingency plan")
    pl.add_argument("--url", default="ws://127.0.0.1:8765")
    pl.add_argument("action", choices=("execute", "rollback"))
    pl.add_argument("plan_id")
    pl.add_argument("--actor", default="cli", help="who decides (a feed with tokens records the token's user instead)")
    pl.add_argument("--reason", default="")
    client_auth_options(pl)
    pl.set_defaults(func=_cmd_plan)

    dw = sub.add_parser("drill-window", help="start or end a drill window on a feed (a gateway or a simulator): "
                        "what runs meanwhile carries the drill mark, the walls show DRILL (protocol 1.6)")
    dw.add_argument("--url", default="ws://127.0.0.1:8765")
    dw.add_argument("action", choices=("start", "end"))
    dw.add_argument("--name", default="", help="start: the drill's name, shown on the walls")
    dw.add_argument("--drill", default="", metavar="ID", help="end: the drill to end (one a restarted gateway forgot)")
    dw.add_argument("--actor", default="cli", help="who decides (a feed with tokens records the token's user instead)")
    dw.add_argument("--reason", default="")
    client_auth_options(dw)
    dw.set_defaults(func=_cmd_drill_window)

    tk = sub.add_parser("token", help="add an access token to a feed's tokens file")
    tk.add_argument("action", choices=("new",))
    tk.add_argument("--name", required=True, help="the user the token belongs to (recorded as the actor of commands)")
    tk.add_argument("--role", required=True, choices=("viewer", "commander", "publisher"),
                    help="viewer: watch; commander: also run plans; publisher: post to a gateway's receivers")
    tk.add_argument("--file", type=Path, required=True, help="tokens file of the feed (created if missing)")
    tk.set_defaults(func=_cmd_token)

    ru = sub.add_parser("rules", help="check an alert rules file, or review how the rules did in a history")
    ru.add_argument("action", choices=("check", "review"),
                    help="check: load a rules file and list its rules; review: per rule, from a history file, "
                         "how often it fired, was acknowledged, led to a plan, flapped, was silenced")
    ru.add_argument("file", type=Path, nargs="?",
                    help="check: rules file (default: the shipped rules); review: the history file (.duckdb)")
    ru.add_argument("--out", type=Path, metavar="FILE.csv", help="review: also write the table as CSV")
    ru.add_argument("--days", type=float, metavar="N", help="review: only the last N days of the history")
    ru.add_argument("--min-fired", type=int, default=3, metavar="N",
                    help="review: judge a rule as noise only once it fired N times (default: %(default)s)")
    ru.set_defaults(func=_cmd_rules)


def _command(args: argparse.Namespace, action: str, cmd_args: dict, **kw) -> int:
    from warroom.io.oneshot import send_command

    try:
        result = asyncio.run(send_command(args.url, action, cmd_args, credentials=credentials(args), **kw))
    except (ConnectionError, TimeoutError) as exc:
        raise CliError(str(exc) or "no answer from the feed") from None
    print(f"{result.state}: {result.message}")
    return 0 if result.state == "succeeded" else 1


def _cmd_inject(args: argparse.Namespace) -> int:
    return _command(args, "inject_fault", {"spec": args.spec}, actor="cli")


def _cmd_drill_window(args: argparse.Namespace) -> int:
    if args.action == "start":
        return _command(args, "start_drill", {"name": args.name} if args.name else {}, actor=args.actor,
                        reason=args.reason)
    return _command(args, "end_drill", {"drill": args.drill} if args.drill else {}, actor=args.actor,
                    reason=args.reason)


def _cmd_clear(args: argparse.Namespace) -> int:
    return _command(args, "clear_fault", {"fault_id": args.fault_id}, actor="cli")


def _cmd_plan(args: argparse.Namespace) -> int:
    action = "execute_plan" if args.action == "execute" else "rollback_plan"
    return _command(args, action, {"plan_id": args.plan_id}, actor=args.actor, reason=args.reason)


def _cmd_token(args: argparse.Namespace) -> int:
    from warroom.io.auth import AuthError, add_token

    try:
        token = add_token(args.file, args.name, args.role)
    except AuthError as exc:
        raise CliError(str(exc)) from None
    print(f"added a {args.role} token for {args.name} to {args.file}; it is shown only this once: save it in a "
          "file only its owner can read (chmod 600) and use --token-file; restart the feed to load it", file=sys.stderr)
    print(token)
    return 0


def _cmd_rules(args: argparse.Namespace) -> int:
    if args.action == "review":
        return _cmd_rules_review(args)
    from warroom.core.alerting.rules import RuleError, default_rules_path, load_rules_file

    path = args.file or default_rules_path()
    try:
        rules = load_rules_file(path)
    except RuleError as exc:
        raise CliError(str(exc)) from None
    print(f"{path}: {len(rules.rules)} rules OK")
    for r in rules.rules:
        how = f"when {r.condition.text}" if r.condition else f"baseline {r.baseline.direction}"
        print(f"  {r.severity.value}  {r.id:<28} {r.selector.name} {how} for {r.for_s:g}s")
    return 0


def _cmd_rules_review(args: argparse.Namespace) -> int:
    """``warroom rules review HISTORY``: the rules review (warroom.core.alerting.review) as a table."""
    from warroom.cli.common import open_reader
    from warroom.core.alerting.review import reason_text, review, to_csv
    from warroom.core.clock import MAX_TIME_MS, MIN_TIME_MS
    from warroom.core.language.text import terminal_safe as safe  # rule ids come from feeds
    from warroom.core.model import EventKind

    if args.file is None:
        raise CliError("rules review needs a history file: warroom rules review HISTORY [--out FILE.csv]")
    if args.days is not None and not args.days > 0:
        raise CliError(f"--days {args.days:g}: give a number of days above 0")
    if args.min_fired < 1:
        raise CliError(f"--min-fired {args.min_fired}: give at least 1")
    kinds = (EventKind.ALERT, EventKind.INCIDENT, EventKind.PLAN_EXECUTION, EventKind.SILENCE)
    reader = open_reader(args.file)
    try:
        events = reader.events(MIN_TIME_MS, MAX_TIME_MS, kinds=kinds)
    finally:
        reader.close()
    if args.days is not None and events:
        since = max(e.ts for e in events) - int(args.days * 86_400_000)
        events = [e for e in events if e.ts >= since]
    rev = review(events, min_fired=args.min_fired)
    if args.out is not None:
        try:
            args.out.write_text(to_csv(rev), encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    if not rev.rules:
        print(f"{args.file}: no alerts in this history")
        return 0
    print(f"{args.file}: {len(rev.rules)} rules, {sum(r.fired for r in rev.rules)} firings, "
          f"{len(rev.noisy)} only making noise (judged from {rev.min_fired} firings)")
    print(f"  {'rule':<30} {'sev':<4} {'fired':>5} {'acked':>5} {'plan':>5} {'flap':>5} {'silenced':>8} "
          f"{'median ack':>10}")
    for r in rev.rules:
        ack = "-" if r.median_ack_s is None else f"{r.median_ack_s:.0f} s"
        print(f"  {safe(r.rule):<30} {r.severity:<4} {r.fired:>5} {r.acknowledged:>5} {r.led_to_plan:>5} "
              f"{r.flapped:>5} {r.silenced:>8} {ack:>10}")
    for r in rev.noisy:
        print(f"noise: {safe(r.rule)}: {reason_text(r)}")
    if args.out is not None:
        print(f"{len(rev.rules)} rules written to {args.out}")
    return 0
