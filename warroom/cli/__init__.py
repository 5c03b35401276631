"""The ``warroom`` command and its sub-commands.

    warroom sim      serve the simulated payment platform over websockets
    warroom record   record a feed into a DuckDB history file, headless
    warroom console  the war-room console on a feed
    warroom demo     the simulator and the console together (--headless: a printing recorder)
    warroom snapshot run the simulator and the console offscreen and save a screenshot
    warroom inject   inject a fault into a running simulator
    warroom clear    clear an injected fault
    warroom plan     execute or roll back a contingency plan on a feed
    warroom token    add an access token to a feed's tokens file
    warroom export   write an incident bundle (one incident's stretch of a history, one file)
    warroom history  print what a recorded history file holds
    warroom report   write the post-incident report of an incident (HTML)
    warroom paths    where Warroom reads its configuration and resources and writes its data
    warroom conform  check that a feed speaks the protocol (docs/conformance.md)
    warroom gateway  serve a feed from real platforms: Prometheus, Alertmanager, CI (docs/gateway.md)
    warroom edge     serve a site's feed to consoles from NATS JetStream (docs/scale.md)
    warroom patrol   inspect every service and scenario against its objectives and headroom (HTML report)
    warroom catalogue every series of a history or feed (unit, owner, rate, flags); --compare A B
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from warroom import __version__
from warroom.cli import catalogue, commands, conform, console, edge, feeds, gateway, history, patrol
from warroom.cli.common import CliError

log = logging.getLogger("warroom")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``warroom`` console script; returns the exit status."""
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["--bundle-check-child"]:
        # Not a command: a frozen build cannot run ``python -c``, so bundle validation starts
        # this executable as its child (warroom.store.bundle.check.child_command, run_child).
        from warroom.store.bundle.check import run_child

        return run_child(list(given[1:]))
    parser = _parser()
    config = _apply_config(parser, argv)  # the config file's values become the options' defaults
    args = parser.parse_args(argv)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `warroom history f | head` ends quietly
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    log_file = _start_app_files(args, config, argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 2
    finally:
        if log_file is not None:
            from warroom.core.settings.config import stop_file_logging

            stop_file_logging(log_file)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warroom", description="Warroom: a war-room console for payment platforms.")
    p.add_argument("--version", action="version", version=f"warroom {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debugging detail to stderr")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="configuration file (default: $WARROOM_CONFIG, else config.yaml in the folder `warroom paths` shows)")
    sub = p.add_subparsers(metavar="COMMAND")
    for module in (feeds, console, commands, history, conform, gateway, edge, patrol, catalogue):
        module.register(sub)
    return p


def _apply_config(parser: argparse.ArgumentParser, argv: list[str] | None):
    """Read the configuration file (``--config``, ``$WARROOM_CONFIG`` or the default) and make its
    values the defaults of the options. Problems are printed, never fatal."""
    from warroom.core.settings.config import apply_to_parser, config_path, load_config

    pre = argparse.ArgumentParser(prog="warroom", add_help=False)
    pre.add_argument("--config", type=Path)
    explicit = pre.parse_known_args(argv)[0].config
    config = load_config(config_path(explicit), missing_ok=explicit is None)
    for problem in config.problems:
        print(f"warroom: config: {problem}", file=sys.stderr)
    apply_to_parser(parser, config)
    return config


def _start_app_files(args: argparse.Namespace, config, argv: list[str] | None):
    """For the windows people start (console, demo, replay): write the commented default
    configuration at first start and log to a rotating file in the logs folder. Returns the
    log handler (or None). A replay saving a snapshot is a picture, not a start."""
    if not getattr(args, "app_files", False) or getattr(args, "snapshot", None):
        return None
    from warroom.core.settings.config import ensure_config_file, start_file_logging

    report = lambda msg: print(f"warroom: {msg}", file=sys.stderr)  # noqa: E731
    if args.config is None and not config.exists and config.path is not None:
        try:
            if ensure_config_file(config.path):
                report(f"wrote the default configuration {config.path} (every option commented out)")
        except OSError as exc:
            report(f"cannot write the default configuration {config.path}: {exc.strerror or exc}")
    handler = start_file_logging(config, report=report)
    log.info("warroom %s %s started; configuration %s", __version__,
             " ".join(sys.argv[1:] if argv is None else argv), config.path)
    return handler


__all__ = ["CliError", "main"]
