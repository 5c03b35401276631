"""Sub-command ``conform``: check that a feed speaks the protocol (docs/conformance.md)."""

from __future__ import annotations

import argparse

from warroom.cli.common import CliError, client_auth_options, credentials


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``warroom conform`` to the ``warroom`` parser."""
    c = sub.add_parser("conform", help="check that a feed speaks the Warroom protocol",
                       description="Connect to a feed, observe it and check it against docs/protocol.md; "
                       "print a pass/fail table naming the section of every failure. Exit status 0 only if "
                       "no check failed, 1 if one did, 2 if the feed could not be tested.")
    c.add_argument("--url", required=True, help="feed address, e.g. ws://127.0.0.1:8765")
    c.add_argument("--seconds", type=float, default=10.0,
                   help="observation window in wall seconds (default: %(default)s; lengthened to span two "
                   "heartbeat intervals)")
    c.add_argument("--allow-commands", action="store_true",
                   help="also execute a plan, resend its idempotency key and roll it back (changes the feed "
                   "for a few seconds; without this flag no command is ever sent)")
    c.add_argument("--plan", metavar="ID", help="the plan to execute with --allow-commands (default: the first "
                   "plan that is neither active nor critical, degrade plans first)")
    c.add_argument("--json-only", action="store_true",
                   help="ask for JSON metrics only (default: binary preferred, as the console does)")
    client_auth_options(c)
    c.set_defaults(func=_cmd_conform)


def _cmd_conform(args: argparse.Namespace) -> int:
    from warroom.conform import ConformError, Options, exit_status, render, run

    if not args.seconds > 0:
        raise CliError("--seconds must be positive")
    if args.plan and not args.allow_commands:
        raise CliError("--plan needs --allow-commands")
    opts = Options(args.url, credentials(args), seconds=args.seconds, allow_commands=args.allow_commands,
                   plan=args.plan, encodings=("json",) if args.json_only else ("binary", "json"))
    try:
        obs, results = run(opts)
    except ConformError as exc:
        raise CliError(str(exc)) from None
    print(render(obs, results), end="", flush=True)
    return exit_status(results)
