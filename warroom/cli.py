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
    warroom history  print what a recorded history file holds
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
    parser = _parser()
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
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 2


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warroom", description="Warroom: a war-room console for payment platforms.")
    p.add_argument("--version", action="version", version=f"warroom {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debugging detail to stderr")
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

    h = sub.add_parser("history", help="print what a recorded history file holds")
    h.add_argument("db", type=Path)
    h.add_argument("--events", type=int, default=20, help="how many recent events to list (default: %(default)s)")
    h.set_defaults(func=_cmd_history)
    return p


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


def _console_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layout", default="command-centre", help="layout name or file (default: %(default)s)")
    p.add_argument("--screen", type=int, help="put the window on this screen (0, 1, ...)")
    p.add_argument("--fullscreen", action="store_true", help="start full screen (F11 toggles)")
    p.add_argument("--lang", choices=("en", "zh_CN"), help="interface language (default: the system's)")
    p.add_argument("--theme", choices=("dark", "light"), help="colour theme (default: the layout's)")
    p.add_argument("--size", help="window size WxH, e.g. 1920x1080")
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
    from warroom.store import HistoryReader

    if not args.db.exists():
        raise CliError(f"no such file: {args.db}")
    try:
        reader = HistoryReader(args.db)
    except Exception as exc:
        raise CliError(f"cannot read {args.db}: {exc}") from None
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


def _cmd_history(args: argparse.Namespace) -> int:
    from warroom.store import HistoryReader

    if not args.db.exists():
        raise CliError(f"no such file: {args.db}")
    try:
        reader = HistoryReader(args.db)
    except Exception as exc:
        raise CliError(f"cannot read {args.db}: {exc}") from None
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
