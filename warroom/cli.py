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
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path

from warroom import __version__

log = logging.getLogger("warroom")

DEMO_DRILL = ("bank_latency_spike:bank-icbc@3m+6m", "deploy_error_burst:coupon@12m+4m")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``warroom`` console script; returns the exit status."""
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["--bundle-check-child"]:
        # Not a command: a frozen build cannot run ``python -c``, so bundle validation starts
        # this executable as its child (warroom.store.bundle_check.child_command, run_child).
        from warroom.store.bundle_check import run_child

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
            from warroom.core.config import stop_file_logging

            stop_file_logging(log_file)


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warroom", description="Warroom: a war-room console for payment platforms.")
    p.add_argument("--version", action="version", version=f"warroom {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debugging detail to stderr")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="configuration file (default: $WARROOM_CONFIG, else config.yaml in the folder `warroom paths` shows)")
    sub = p.add_subparsers(metavar="COMMAND")

    s = sub.add_parser("sim", help="serve the simulated payment platform")
    _sim_options(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    s.add_argument("--port", type=int, default=8765, help="port (default: %(default)s; 0 picks a free one)")
    s.add_argument("--tokens", type=Path, metavar="FILE",
                   help="require a token from this tokens file (docs/security.md); without it, only clients "
                   "on this machine may send commands")
    s.add_argument("--cert", type=Path, metavar="FILE", help="TLS certificate (PEM): serve wss://")
    s.add_argument("--key", type=Path, metavar="FILE", help="private key of --cert (PEM), if not in the same file")
    s.set_defaults(func=_cmd_sim)

    r = sub.add_parser("record", help="record a feed into a DuckDB file, headless")
    r.add_argument("--url", required=True, help="feed address, e.g. ws://127.0.0.1:8765")
    r.add_argument("--db", type=Path, required=True, help="DuckDB history file (created if missing)")
    _record_options(r)
    _client_auth_options(r)
    r.set_defaults(func=_cmd_record)

    co = sub.add_parser("console", help="the war-room console on a feed")
    co.add_argument("--url", required=True, help="feed address, e.g. ws://127.0.0.1:8765")
    _console_options(co)
    _client_auth_options(co)
    co.set_defaults(func=_cmd_console)

    d = sub.add_parser("demo", help="the simulator and the console together")
    _sim_options(d, default_speed=60.0, default_faults=DEMO_DRILL)
    d.add_argument("--headless", action="store_true", help="no window: a recorder prints what it stores")
    d.add_argument("--duration", type=float, help="with --headless: stop after this many wall seconds")
    _console_options(d)
    _record_options(d)
    d.set_defaults(func=_cmd_demo)

    sn = sub.add_parser("snapshot", help="run simulator + console offscreen, save a PNG")
    _sim_options(sn, default_speed=0.0, default_faults=("bank_latency_spike:bank-icbc@10m",))
    sn.add_argument("--after", default="20s", help="simulated time to run before the grab, e.g. 20s, 15m (default: %(default)s)")
    sn.add_argument("--out", type=Path, required=True, help="PNG file to write")
    _console_options(sn)
    sn.set_defaults(func=_cmd_snapshot)

    i = sub.add_parser("inject", help="inject a fault into a running simulator")
    i.add_argument("--url", default="ws://127.0.0.1:8765")
    i.add_argument("spec", help="KIND:TARGET[@START][+DURATION][,key=value...], e.g. bank_latency_spike:bank-icbc+120s")
    _client_auth_options(i)
    i.set_defaults(func=_cmd_inject)

    c = sub.add_parser("clear", help="clear an injected fault")
    c.add_argument("--url", default="ws://127.0.0.1:8765")
    c.add_argument("fault_id")
    _client_auth_options(c)
    c.set_defaults(func=_cmd_clear)

    pl = sub.add_parser("plan", help="execute or roll back a contingency plan")
    pl.add_argument("--url", default="ws://127.0.0.1:8765")
    pl.add_argument("action", choices=("execute", "rollback"))
    pl.add_argument("plan_id")
    pl.add_argument("--actor", default="cli", help="who decides (a feed with tokens records the token's user instead)")
    pl.add_argument("--reason", default="")
    _client_auth_options(pl)
    pl.set_defaults(func=_cmd_plan)

    tk = sub.add_parser("token", help="add an access token to a feed's tokens file")
    tk.add_argument("action", choices=("new",))
    tk.add_argument("--name", required=True, help="the user the token belongs to (recorded as the actor of commands)")
    tk.add_argument("--role", required=True, choices=("viewer", "commander"))
    tk.add_argument("--file", type=Path, required=True, help="tokens file of the feed (created if missing)")
    tk.set_defaults(func=_cmd_token)

    ru = sub.add_parser("rules", help="check an alert rules file")
    ru.add_argument("action", choices=("check",))
    ru.add_argument("file", type=Path, nargs="?", help="rules file (default: the shipped rules)")
    ru.set_defaults(func=_cmd_rules)

    au = sub.add_parser("audit", help="export the plan audit trail of a history file (CSV or JSON lines)")
    au.add_argument("db", type=Path)
    au.add_argument("--out", type=Path, help="FILE.csv or FILE.jsonl (default: CSV on stdout)")
    au.set_defaults(func=_cmd_audit)

    dr = sub.add_parser("drill", help="record a scripted drill (outage, acknowledgement, plan) to a history file")
    dr.add_argument("--out", type=Path, required=True, help="the new history file (.duckdb)")
    dr.add_argument("--minutes", type=float, default=15.0, help="simulated minutes (default: %(default)s)")
    dr.add_argument("--fault", default="dependency_outage:bank-icbc",
                    help="KIND:TARGET of the outage (default: %(default)s; see `warroom inject --help`)")
    dr.add_argument("--fault-at", default="2m", help="when the fault starts (default: %(default)s)")
    dr.add_argument("--plan", help="plan the commander executes (default: the root alert's first; 'none': no plan)")
    dr.add_argument("--seed", type=int, default=4, help="simulator seed (default: %(default)s)")
    dr.set_defaults(func=_cmd_drill)

    rp = sub.add_parser("replay", help="replay a recorded history or an incident bundle in the console")
    rp.add_argument("file", type=Path, help="a history (.duckdb) or an incident bundle")
    rp.add_argument("--at", help="where to start: start, end, worst, +5m, -5m, HH:MM[:SS] (UTC+8), an ISO time "
                                 "(default: 2 minutes before the first incident)")
    rp.add_argument("--incident", help="start at this incident (with --at worst: at its worst moment)")
    rp.add_argument("--speed", type=float, default=10.0, help="playback speed, 1 to 60 (default: %(default)s)")
    rp.add_argument("--play", action="store_true", help="start playing at once")
    rp.add_argument("--read-only", action="store_true", help="never write to the file (no review notes)")
    rp.add_argument("--snapshot", type=Path, metavar="PNG", help="save the window at the cursor as PNG and quit")
    _console_options(rp, history=False)
    rp.set_defaults(func=_cmd_replay)

    rpt = sub.add_parser("report", help="write the post-incident report of an incident (one HTML file)")
    rpt.add_argument("--incident", required=True, metavar="ID", help="incident id (an unknown id lists the known ones)")
    rpt.add_argument("--db", type=Path, required=True, metavar="FILE", help="history file or incident bundle")
    rpt.add_argument("--out", type=Path, required=True, metavar="FILE.html",
                     help="where to write the report: FILE.html (self-contained) or FILE.pdf (A4, printed by Qt)")
    rpt.add_argument("--lang", choices=("en", "zh_CN"), default=None,
                     help="report language (default: Chinese when $LANG starts with zh, else English)")
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
    h.set_defaults(func=_cmd_history)

    pa = sub.add_parser("paths", help="where Warroom reads its configuration and resources and writes its data")
    pa.set_defaults(func=_cmd_paths)
    return p


def _apply_config(parser: argparse.ArgumentParser, argv: list[str] | None):
    """Read the configuration file (``--config``, ``$WARROOM_CONFIG`` or the default) and make its
    values the defaults of the options. Problems are printed, never fatal."""
    from warroom.core.config import apply_to_parser, config_path, load_config

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
    if args.func not in (_cmd_console, _cmd_demo, _cmd_replay) or getattr(args, "snapshot", None):
        return None
    from warroom.core.config import ensure_config_file, start_file_logging

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


def _cmd_paths(args: argparse.Namespace) -> int:
    from warroom.core import paths
    from warroom.core.config import config_path

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


def _sim_options(p: argparse.ArgumentParser, default_speed: float = 1.0, default_faults: tuple[str, ...] = ()) -> None:
    p.add_argument("--seed", type=int, default=7, help="random seed; same seed, same platform (default: %(default)s)")
    p.add_argument("--speed", type=float, default=default_speed,
                   help="simulated seconds per wall second; 60 = one hour per minute (default: %(default)s)")
    p.add_argument("--start", default="now",
                   help="simulated start time, ISO 8601 (e.g. 2026-11-10T23:50+08:00) or 'now' (default)")
    p.add_argument("--plans", type=Path, metavar="FILE",
                   help="more contingency plans for rehearsal, YAML (see warroom/core/plan_files.py)")
    p.add_argument("--promotion", metavar="HH:MM",
                   help="run a daily promotion surge (x6 for 30 min) starting at this UTC+8 time, e.g. 00:00")
    p.add_argument("--fault", action="append", default=None, metavar="SPEC",
                   help="fault to inject, KIND:TARGET[@START][+DURATION][,k=v...]; repeatable"
                   + (f" (default: {' '.join(default_faults)}; --fault none for none)" if default_faults else ""))
    p.set_defaults(_default_faults=default_faults)


def _client_auth_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--token-file", type=Path, metavar="FILE",
                   help="file holding your access token (default: $WARROOM_TOKEN); never put a token on the command line")
    p.add_argument("--ca", type=Path, metavar="FILE",
                   help="CA certificate(s) to trust for a wss:// feed (default: $WARROOM_CA, else the system's)")


def _credentials(args: argparse.Namespace):
    from warroom.io.auth import AuthError, Credentials

    try:
        return Credentials.resolve(args.token_file, args.ca)
    except AuthError as exc:
        raise CliError(str(exc)) from None


def _console_options(p: argparse.ArgumentParser, history: bool = True) -> None:
    p.add_argument("--layout", default="command-centre", help="layout name or file (default: %(default)s)")
    p.add_argument("--screen", type=int, help="put the window on this screen (0, 1, ...)")
    p.add_argument("--fullscreen", action="store_true", help="start full screen (F11 toggles)")
    p.add_argument("--lang", choices=("en", "zh_CN"), help="interface language (default: the system's)")
    p.add_argument("--theme", choices=("dark", "light"), help="colour theme (default: the layout's)")
    p.add_argument("--size", help="window size WxH, e.g. 1920x1080")
    if not history:  # a replay reads alerts from the file and writes nothing but notes
        p.add_argument("--user", default="", help="your name on review notes (default: login name)")
        return
    _alert_options(p)
    if "--db" not in p._option_string_actions:
        p.add_argument("--db", type=Path, help="history file (default: a new file in the recordings folder)")


def _alert_options(p: argparse.ArgumentParser) -> None:
    if "--rules" in p._option_string_actions:
        return
    p.add_argument("--rules", type=Path, help="alert rules file (default: the shipped rules; see docs/alerts.md)")
    p.add_argument("--notify", type=Path, help="notification channels file (see docs/notifications.md)")
    p.add_argument("--user", default="", help="your name on acknowledgements and notes (default: login name)")


def _size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(x) for x in text.lower().split("x"))
        return (w, h)
    except ValueError:
        raise CliError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1920x1080") from None


def _console_opts(args: argparse.Namespace, **kw):
    from warroom.ui.app import ConsoleOptions

    return ConsoleOptions(layout=args.layout, screen=args.screen, fullscreen=args.fullscreen, lang=args.lang,
                          theme=args.theme, db=args.db, size=_size(args.size), rules=args.rules,
                          notify=args.notify, user=args.user, **kw)


def _run_console(opts) -> int:
    from warroom.core.layouts import LayoutError

    if opts.snapshot_out is None and sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        raise CliError("no display: run it on a desktop, under Xvfb (xvfb-run warroom ...), "
                       "or use `warroom demo --headless` / `warroom snapshot`")
    from warroom.ui.app import run_console

    if opts.notify is not None:  # check before any window opens: a typo here should stop the start
        from warroom.io.notify import NotifyConfigError, load_channels_file

        try:
            load_channels_file(opts.notify)
        except NotifyConfigError as exc:
            raise CliError(str(exc)) from None
    try:
        return run_console(opts)
    except LayoutError as exc:
        raise CliError(str(exc)) from None


def _cmd_console(args: argparse.Namespace) -> int:
    from warroom.io.auth import set_default_credentials

    set_default_credentials(_credentials(args))  # the console's feed client takes them from there
    return _run_console(_console_opts(args, url=args.url))


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from warroom.core.durations import parse_duration

    try:
        after_s = parse_duration(args.after)
    except ValueError as exc:
        raise CliError(f"--after: {exc}") from None
    if not args.speed:
        # Fast enough to finish in about ten wall seconds, slow enough to stay smooth.
        args.speed = max(10.0, after_s / 10)
    if args.start == "now":
        args.start = "2026-11-20T10:20:00+08:00"  # a busy weekday morning: a picture worth looking at
    feed = _build_feed(args)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        if args.db is None:
            args.db = Path(tmp) / "snapshot.duckdb"
        opts = _console_opts(args, sim_feed=feed, snapshot_after_ms=int(after_s * 1000), snapshot_out=args.out)
        if opts.size is None:
            opts.size = (1920, 1080)
        return _run_console(opts)


def _record_options(p: argparse.ArgumentParser) -> None:
    _alert_options(p)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--retention-days", type=float, help="delete points older than this (events are kept)")


def _start_ms(text: str) -> int | None:
    if text == "now":
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"--start: {exc}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def _build_feed(args: argparse.Namespace):
    from warroom.core.clock import wall_ms
    from warroom.sim.engine import Simulator
    from warroom.sim.faults import parse_fault_spec
    from warroom.sim.feed import SimFeed
    from warroom.sim.traffic import Promotion

    start = _start_ms(args.start)
    promotion = Promotion(start_local=args.promotion) if args.promotion else None
    platform = None
    if getattr(args, "plans", None) is not None:
        from warroom.core.plan_files import PlanFileError, load_plans_file
        from warroom.sim.platform import build_platform, with_plans

        try:
            platform = with_plans(build_platform(), load_plans_file(args.plans))
        except (PlanFileError, ValueError) as exc:
            raise CliError(f"--plans: {exc}") from None
    sim = Simulator(seed=args.seed, start_ms=wall_ms() if start is None else start, promotion=promotion,
                    platform=platform)
    specs = args.fault if args.fault is not None else list(args._default_faults)
    for spec in specs:
        if spec == "none":
            continue
        try:
            fault = sim.inject_spec(parse_fault_spec(spec))
        except ValueError as exc:
            raise CliError(f"--fault {spec}: {exc}") from None
        log.info("scheduled %s", fault)
    return SimFeed(sim, speed=args.speed)


async def _serve(feed, host: str, port: int, tokens=None, cert: Path | None = None, key: Path | None = None):
    from warroom.io.auth import AuthError
    from warroom.io.server import FeedServer

    if key is not None and cert is None:
        raise CliError("--key needs --cert")
    try:
        server = FeedServer(feed, host, port, heartbeat_s=1.0, tokens=tokens, ssl_cert=cert, ssl_key=key)
    except AuthError as exc:
        raise CliError(str(exc)) from None
    try:
        await server.start()
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return server


def _cmd_sim(args: argparse.Namespace) -> int:
    from warroom.io.auth import AuthError, TokenStore

    tokens = None
    if args.tokens is not None:
        try:
            tokens = TokenStore.load(args.tokens)
        except AuthError as exc:
            raise CliError(str(exc)) from None
    feed = _build_feed(args)

    async def run() -> None:
        server = await _serve(feed, args.host, args.port, tokens, args.cert, args.key)
        print(f"simulator serving {server.url}  (speed x{args.speed:g}, seed {args.seed}); Ctrl+C stops", flush=True)
        print(f"access: {len(tokens)} tokens from {args.tokens}" if tokens is not None else
              "access: no tokens file: clients on this machine may send commands, others may only watch", flush=True)
        try:
            await _until_signal(feed.run(server))
        finally:
            await server.stop()

    asyncio.run(run())
    return 0


async def _until_signal(*coros, duration: float | None = None) -> None:
    """Run coroutines until one ends, SIGINT/SIGTERM arrives or ``duration`` passes."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.ensure_future(c) for c in coros]
    waiter = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait([*tasks, waiter], timeout=duration, return_when=asyncio.FIRST_COMPLETED)
    for t in (*tasks, waiter):
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await t  # re-raise a real failure of a task that ended on its own


async def _record(url: str, db: Path, args: argparse.Namespace, *extra, duration: float | None = None) -> None:
    from warroom.io.client import FeedClient
    from warroom.io.recorder import Recorder
    from warroom.store import StoreError, StoreWriter

    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer = StoreWriter(db, retention_days=args.retention_days)
    except Exception as exc:  # duckdb raises its own types: say what and where
        raise CliError(f"cannot open history file {db}: {exc}") from None
    report = None if args.quiet else (lambda line: print(f"{datetime.now():%H:%M:%S} {line}", flush=True))
    from warroom.core.rules import RuleError
    from warroom.io.notify import NotifyConfigError
    from warroom.io.watch import build_watch

    try:
        watch, notifier = build_watch(args.rules, args.notify, args.user)
    except (RuleError, NotifyConfigError) as exc:
        raise CliError(str(exc)) from None
    if watch.rules_error:
        print(f"warroom: {watch.rules_error}", file=sys.stderr)
    from warroom.io.auth import Credentials

    # demo records its own in-process feed, which has no tokens
    client = FeedClient(url, credentials=_credentials(args) if hasattr(args, "token_file") else Credentials())
    recorder = Recorder(client, writer, report=report, watch=watch)
    if report:
        report(f"recording {url} into {db}")
    try:
        await _until_signal(client.run(), recorder.run(), *extra, duration=duration)
    finally:
        await client.stop()
        if notifier is not None:
            await notifier.close(timeout=5)
        try:
            await asyncio.to_thread(writer.close)
        except StoreError as exc:
            print(f"warroom: {exc}", file=sys.stderr)
        if report:
            report(f"stopped: {recorder.stats.points:,} points and {recorder.stats.events} events recorded in {db}")


def _cmd_record(args: argparse.Namespace) -> int:
    asyncio.run(_record(args.url, args.db, args))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from warroom.core.paths import new_recording_path

    feed = _build_feed(args)
    if not args.headless:
        args.db = args.db or new_recording_path("demo")
        return _run_console(_console_opts(args, sim_feed=feed))
    db = args.db or new_recording_path("demo")

    async def run() -> None:
        server = await _serve(feed, "127.0.0.1", 0)
        if not args.quiet:
            print(f"demo: simulated payment platform on {server.url} at x{args.speed:g} speed; "
                  f"scheduled faults: {', '.join(f.id + ' ' + f.kind.value + ' on ' + f.target for f in feed.sim.active_faults) or 'none'}",
                  flush=True)
            print(f"demo: inject more with  warroom inject --url {server.url} dependency_outage:risk-control+60s", flush=True)
        try:
            await _record(server.url, db, args, feed.run(server), duration=args.duration)
        finally:
            feed.stop()
            await server.stop()

    asyncio.run(run())
    return 0


def _command(args: argparse.Namespace, action: str, cmd_args: dict, **kw) -> int:
    from warroom.io.oneshot import send_command

    try:
        result = asyncio.run(send_command(args.url, action, cmd_args, credentials=_credentials(args), **kw))
    except (ConnectionError, TimeoutError) as exc:
        raise CliError(str(exc) or "no answer from the feed") from None
    print(f"{result.state}: {result.message}")
    return 0 if result.state == "succeeded" else 1


def _cmd_inject(args: argparse.Namespace) -> int:
    return _command(args, "inject_fault", {"spec": args.spec}, actor="cli")


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
    from warroom.core.rules import RuleError, default_rules_path, load_rules_file

    path = args.file or default_rules_path()
    try:
        rules = load_rules_file(path)
    except RuleError as exc:
        raise CliError(str(exc)) from None
    print(f"{path}: {len(rules.rules)} rules OK")
    for r in rules.rules:
        how = f"when {r.condition.op} {r.condition.health or r.condition.value}" if r.condition else \
            f"baseline {r.baseline.direction}"
        print(f"  {r.severity.value}  {r.id:<28} {r.selector.name} {how} for {r.for_s:g}s")
    return 0


AUDIT_COLUMNS = ("time_utc", "ts_ms", "plan_id", "run", "action", "actor", "reason", "source", "title",
                 "before", "after", "params")


def _cmd_audit(args: argparse.Namespace) -> int:
    """Every plan step in the log: the console's audit events and the feed's own plan events."""
    import csv
    import json

    from warroom.core.model import EventKind

    reader = _open_reader(args.db)
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
    from warroom.core.durations import parse_duration
    from warroom.core.mttx import incident_times
    from warroom.sim.drill import record_drill

    try:
        fault_at = int(parse_duration(args.fault_at))
    except ValueError as exc:
        raise CliError(f"--fault-at: {exc}") from None
    seconds = int(args.minutes * 60)
    if seconds <= fault_at:
        raise CliError(f"--minutes {args.minutes:g} ends before the fault starts (--fault-at {args.fault_at})")
    plan = "" if (args.plan or "").lower() == "none" else args.plan
    try:
        drill = record_drill(args.out, seconds=seconds, fault=args.fault, fault_at_s=fault_at, plan=plan,
                             seed=args.seed, every_s=0,
                             progress=lambda f: print(f"  {f:4.0%} simulated", file=sys.stderr))
    except (FileExistsError, ValueError, KeyError) as exc:
        raise CliError(str(exc).strip("'\"")) from None
    print(f"recorded {args.minutes:g} simulated minutes to {args.out}")
    times = {t.id: t for t in incident_times(drill.log)}
    if not drill.incident_id:
        print("  no incident opened")
        return 0
    t = times.get(drill.incident_id)
    mttr = "not resolved" if t is None or t.mttr_s is None else f"MTTR {t.mttr_s:.0f} s"
    print(f"  incident {drill.incident_id}: {mttr}" + (f", plan {drill.plan_id} executed" if drill.plan_id else ""))
    print(f"  replay it:  warroom replay {args.out} --at worst")
    return 0


def _cmd_replay(args: argparse.Namespace) -> int:
    from warroom.io.replay import SPEEDS
    from warroom.ui.replay_app import ReplayOpenError, ReplayOptions, run_replay

    if not SPEEDS[0] <= args.speed <= SPEEDS[-1]:
        raise CliError(f"--speed {args.speed:g}: choose between {SPEEDS[0]:g} and {SPEEDS[-1]:g}")
    if args.snapshot is None and sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        raise CliError("no display: run it on a desktop or under Xvfb (xvfb-run warroom replay ...), "
                       "or save a picture with --snapshot OUT.png")
    from warroom.core.layouts import LayoutError

    opts = ReplayOptions(args.file, layout=args.layout, screen=args.screen, fullscreen=args.fullscreen,
                         lang=args.lang, theme=args.theme, size=_size(args.size), at=args.at, incident=args.incident,
                         speed=args.speed, play=args.play, user=args.user, read_only=args.read_only,
                         snapshot_out=args.snapshot)
    if opts.snapshot_out is not None and opts.size is None:
        opts.size = (1920, 1080)
    try:
        return run_replay(opts)
    except (ReplayOpenError, LayoutError) as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:  # --at / --incident that the history cannot answer
        raise CliError(str(exc)) from None


def _cmd_report(args: argparse.Namespace) -> int:
    from warroom.report import ReportError, load_report, render_html

    suffix = args.out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise CliError(f"--out {args.out}: write FILE.html (or FILE.pdf)")
    try:
        report, text = load_report(args.db, args.incident, lang=args.lang)
        if suffix == ".pdf":
            from warroom.ui.report_pdf import write_pdf  # Qt prints the PDF; the HTML needs no Qt

            write_pdf(report, text, args.out)
        else:
            args.out.write_text(render_html(report, text), encoding="utf-8")
    except ReportError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"report on {report.summary.id} written to {args.out}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    """An incident bundle (warroom.store.bundle), with progress on stderr and a summary line."""
    from warroom.core.clock import monotonic
    from warroom.core.durations import parse_duration
    from warroom.core.paths import recordings_dir
    from warroom.store import bundle, bundle_text

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


def _open_reader(db: Path):
    """A ``HistoryReader`` on ``db``, or a ``CliError`` saying why there is none."""
    from warroom.store import HistoryReader

    if not db.exists():
        raise CliError(f"no such file: {db}")
    try:
        return HistoryReader(db)
    except Exception as exc:
        raise CliError(f"cannot read {db}: {exc}") from None


def _cmd_history(args: argparse.Namespace) -> int:
    reader = _open_reader(args.db)
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
            print(f"  {key.text:<60} {value:12.4g}")
        if span is not None:
            events = reader.events(span[0] - 86_400_000, span[1] + 86_400_000)[-args.events:]
            for e in events:
                # An alert's title carries its latest value; the state says whether it fired or cleared.
                state = e.attrs.get("state") if e.kind.value == "alert" else e.attrs.get("action")
                tag = f" [{state}]" if isinstance(state, str) and state else ""
                print(f"  {datetime.fromtimestamp(e.ts / 1000, timezone.utc):%H:%M:%S}  {e.kind.value:<15}"
                      f" {e.subject}{tag}: {e.title}")
    finally:
        reader.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
