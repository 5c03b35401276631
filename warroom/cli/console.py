"""Sub-commands that open a window: ``console``, ``snapshot``, ``demo`` (or its headless recorder), ``replay``."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from warroom.cli.common import (
    CliError,
    client_auth_options,
    console_options,
    credentials,
    record_options,
    sim_options,
    size,
    store_kwargs,
)
from warroom.cli.feeds import build_feed, example_fault, record, serve, world_title

DEMO_DRILL = ("bank_latency_spike:bank-icbc@3m+6m", "deploy_error_burst:coupon@12m+4m")


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the ``warroom`` parser."""
    co = sub.add_parser("console", help="the war-room console on a feed")
    co.add_argument("--url", help="feed address, e.g. ws://127.0.0.1:8765 (default: feed_url in the configuration; "
                                  "without one a start dialog asks)")
    co.add_argument("--start-with", choices=("ask", "demo"), default="ask",
                    help="without a feed address: ask (a start dialog: feed, recording or demo) or start the demo "
                         "(default: %(default)s)")
    co.add_argument("--snapshot", type=Path, metavar="PNG",
                    help="with --url: save the window as PNG once --snapshot-after of data arrived, and quit")
    co.add_argument("--snapshot-after", default="30s", metavar="DURATION",
                    help="feed time to receive before the --snapshot grab (default: %(default)s)")
    console_options(co)
    client_auth_options(co)
    co.set_defaults(func=_cmd_console, app_files=True)

    sn = sub.add_parser("snapshot", help="run simulator + console offscreen, save a PNG")
    sim_options(sn, default_speed=0.0, default_faults=("bank_latency_spike:bank-icbc@10m",))
    sn.add_argument("--after", default="20s", help="simulated time to run before the grab, e.g. 20s, 15m (default: %(default)s)")
    sn.add_argument("--out", type=Path, required=True, help="PNG file to write")
    console_options(sn)
    sn.set_defaults(func=_cmd_snapshot)

    d = sub.add_parser("demo", help="the simulator and the console together")
    sim_options(d, default_speed=60.0, default_faults=DEMO_DRILL)
    d.add_argument("--headless", action="store_true", help="no window: a recorder prints what it stores")
    d.add_argument("--port", type=_port, default=0,
                   help="serve the simulated feed on this loopback port, for a second console or `warroom inject` "
                        "(default: a free one; the address is printed)")
    d.add_argument("--duration", type=float, help="with --headless: stop after this many wall seconds")
    console_options(d)
    record_options(d)
    d.set_defaults(func=_cmd_demo, app_files=True)

    rp = sub.add_parser("replay", help="replay a recorded history or an incident bundle in the console")
    rp.add_argument("file", type=Path, help="a history (.duckdb) or an incident bundle")
    rp.add_argument("--at", help="where to start: start, end, worst, +5m, -5m, HH:MM[:SS] (UTC+8), an ISO time "
                                 "(default: 2 minutes before the first incident)")
    rp.add_argument("--incident", help="start at this incident (with --at worst: at its worst moment)")
    rp.add_argument("--speed", type=float, default=10.0, help="playback speed, 1 to 60 (default: %(default)s)")
    rp.add_argument("--play", action="store_true", help="start playing at once")
    rp.add_argument("--read-only", action="store_true", help="never write to the file (no review notes)")
    rp.add_argument("--snapshot", type=Path, metavar="PNG", help="save the window at the cursor as PNG and quit")
    console_options(rp, history=False)
    rp.set_defaults(func=_cmd_replay, app_files=True)


def _console_opts(args: argparse.Namespace, **kw):
    from warroom.ui.app import ConsoleOptions

    return ConsoleOptions(layout=args.layout, screen=args.screen, fullscreen=args.fullscreen, lang=args.lang,
                          theme=args.theme, db=args.db, size=size(args.size), scale=args.scale, rules=args.rules,
                          notify=args.notify, user=args.user, store=store_kwargs(args), wall=getattr(args, "wall", False),
                          rotate=getattr(args, "rotate", None), follow_incident=getattr(args, "follow_incident", None),
                          patrol_every_h=getattr(args, "patrol_every", 0.0) or 0.0, **kw)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {port}")
    return port


def _has_display() -> bool:
    return not sys.platform.startswith("linux") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))


def _run_console(opts) -> int:
    from warroom.core.settings.layouts import LayoutError

    if opts.snapshot_out is None and not _has_display():
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
    from warroom.io.feed_problem import check_url

    set_default_credentials(credentials(args))  # the console's feed client takes them from there
    url = (args.url or "").strip()
    problem = check_url(url) if url else None
    if url and problem is None:
        if args.snapshot is not None:  # a picture of a live feed (docs/gateway.md's screenshot)
            from warroom.core.settings.durations import parse_duration

            try:
                after_ms = int(parse_duration(args.snapshot_after) * 1000)
            except ValueError as exc:
                raise CliError(f"--snapshot-after: {exc}") from None
            opts = _console_opts(args, url=url, snapshot_after_ms=after_ms, snapshot_out=args.snapshot)
            opts.size = opts.size or (1920, 1080)
            return _run_console(opts)
        return _run_console(_console_opts(args, url=url))
    if args.snapshot is not None:
        raise CliError("--snapshot needs a working --url")
    if not url and args.start_with == "demo":
        return _console_demo(args)
    # First start (no address) or an address that cannot work: ask, saying why, instead of an
    # error on a stderr nobody sees (the menu entry) or an empty wall that says "stopped".
    if not _has_display():
        if problem is not None:
            raise CliError(f"--url: {problem.describe()}")
        raise CliError("no feed address: give --url ws://HOST:PORT, set feed_url in the configuration "
                       "(`warroom paths` shows where), or try `warroom demo`")
    return _first_start(args, url, problem)


def _first_start(args: argparse.Namespace, url: str, problem) -> int:
    """Show the start dialog and do what it chose (connect, replay or the demo)."""
    from warroom.core.settings.config import config_path, set_config_value
    from warroom.ui.app import ask_start

    cfg = config_path(getattr(args, "config", None))
    choice = ask_start(url=url, problem=problem, lang=args.lang, theme_name=args.theme, config_path=cfg)
    if choice is None:
        return 0  # closed: nothing to do is not an error
    if choice.remember and choice.kind in ("connect", "demo"):
        name, value = ("feed_url", choice.url) if choice.kind == "connect" else ("start_with", "demo")
        try:
            set_config_value(cfg, name, value)
            print(f"warroom: remembered {name}: {value} in {cfg}", file=sys.stderr)
        except OSError as exc:
            print(f"warroom: cannot remember the choice in {cfg}: {exc.strerror or exc}", file=sys.stderr)
    if choice.kind == "connect":
        return _run_console(_console_opts(args, url=choice.url))
    if choice.kind == "demo":
        return _console_demo(args)
    args.file, args.at, args.incident, args.speed, args.play = choice.path, None, None, 10.0, False
    args.read_only, args.snapshot = False, None
    return _cmd_replay(args)


def _console_demo(args: argparse.Namespace) -> int:
    """The demo from ``warroom console`` (the start dialog, or ``start_with: demo``): the simulator
    with the demo's defaults, and the console on it."""
    ns = argparse.Namespace(**vars(args))
    ns.__dict__.update(seed=7, speed=60.0, start="now", plans=getattr(args, "plans", None), promotion=None,
                       fault=None, _default_faults=DEMO_DRILL, port=0, world=getattr(args, "world", None))
    return _demo_window(ns, build_feed(ns))


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from warroom.core.settings.durations import parse_duration

    try:
        after_s = parse_duration(args.after)
    except ValueError as exc:
        raise CliError(f"--after: {exc}") from None
    if not args.speed:
        # Fast enough to finish in about ten wall seconds, slow enough to stay smooth.
        args.speed = max(10.0, after_s / 10)
    if args.start == "now":
        args.start = "2026-11-20T10:20:00+08:00"  # a busy weekday morning: a picture worth looking at
    feed = build_feed(args)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        if args.db is None:
            args.db = Path(tmp) / "snapshot.duckdb"
        opts = _console_opts(args, sim_feed=feed, snapshot_after_ms=int(after_s * 1000), snapshot_out=args.out)
        if opts.size is None:
            opts.size = (1920, 1080)
        return _run_console(opts)


def _cmd_replay(args: argparse.Namespace) -> int:
    from warroom.app.replay import SPEEDS
    from warroom.ui.replay.replay_app import ReplayOpenError, ReplayOptions, run_replay

    if not SPEEDS[0] <= args.speed <= SPEEDS[-1]:
        raise CliError(f"--speed {args.speed:g}: choose between {SPEEDS[0]:g} and {SPEEDS[-1]:g}")
    if args.snapshot is None and sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        raise CliError("no display: run it on a desktop or under Xvfb (xvfb-run warroom replay ...), "
                       "or save a picture with --snapshot OUT.png")
    from warroom.core.settings.layouts import LayoutError

    opts = ReplayOptions(args.file, layout=args.layout, screen=args.screen, fullscreen=args.fullscreen,
                         lang=args.lang, theme=args.theme, size=size(args.size), scale=args.scale, at=args.at,
                         incident=args.incident,
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


def _cmd_demo(args: argparse.Namespace) -> int:
    from warroom.core.settings.paths import new_recording_path

    feed = build_feed(args)
    if not args.headless:
        return _demo_window(args, feed)
    db = args.db or new_recording_path("demo")

    async def run() -> None:
        server = await serve(feed, "127.0.0.1", args.port)
        if not args.quiet:
            print(f"demo: feed {server.url} ({world_title(feed)}) at x{args.speed:g} speed; "
                  f"scheduled faults: {', '.join(f.id + ' ' + f.kind.value + ' on ' + f.target for f in feed.sim.active_faults) or 'none'}",
                  flush=True)
            print(f"demo: inject more with  warroom inject --url {server.url} {example_fault(feed)}", flush=True)
        try:
            await record(server.url, db, args, feed.run(server), duration=args.duration)
        finally:
            feed.stop()
            await server.stop()

    asyncio.run(run())
    return 0


def _demo_window(args: argparse.Namespace, feed) -> int:
    """The console on the simulator served in-process, its address printed for a second console."""
    from warroom.core.settings.paths import new_recording_path

    args.db = args.db or new_recording_path("demo")
    quiet = getattr(args, "quiet", False)

    def served(url: str) -> None:
        if not quiet:
            print(f"demo: feed {url} (no token needed on this machine) at x{args.speed:g} speed", flush=True)
            print(f"demo: another console:  warroom console --url {url}", flush=True)
            print(f"demo: inject a fault:   warroom inject --url {url} {example_fault(feed)}", flush=True)

    return _run_console(_console_opts(args, sim_feed=feed, sim_port=getattr(args, "port", 0), on_served=served))
