"""Sub-commands that serve or record a feed: ``sim``, ``record`` (and the recording that ``demo --headless`` runs)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from pathlib import Path

from warroom.cli.common import (
    CliError,
    client_auth_options,
    credentials,
    record_options,
    sim_options,
    start_ms,
    store_kwargs,
    until_signal,
)

log = logging.getLogger("warroom")



def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands to the ``warroom`` parser."""
    s = sub.add_parser("sim", help="serve the simulated platform (the payment platform, or --world)")
    sim_options(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    s.add_argument("--port", type=int, default=8765, help="port (default: %(default)s; 0 picks a free one)")
    s.add_argument("--tokens", type=Path, metavar="FILE",
                   help="require a token from this tokens file (docs/security.md); without it, only clients "
                   "on this machine may send commands")
    s.add_argument("--cert", type=Path, metavar="FILE", help="TLS certificate (PEM): serve wss://")
    s.add_argument("--key", type=Path, metavar="FILE", help="private key of --cert (PEM), if not in the same file")
    s.add_argument("--prometheus", type=int, metavar="PORT",
                   help="also serve the simulated telemetry for Prometheus on http://HOST:PORT/metrics "
                   "(0 picks a free port; see warroom/sim/exporter.py)")
    s.add_argument("--prometheus-shape", choices=("servicegraph", "istio"), default="servicegraph",
                   help="metric names and labels of /metrics: the OpenTelemetry service graph or Istio's "
                   "standard metrics (default: %(default)s)")
    s.add_argument("--prometheus-host", default="127.0.0.1", metavar="HOST",
                   help="address of the /metrics endpoint (default: %(default)s)")
    s.add_argument("--nats", metavar="URL",
                   help="also publish the feed to NATS JetStream at URL (e.g. nats://127.0.0.1:4222; subjects "
                   "warroom.<site>.metrics|events|topology|catalogue, stream WARROOM_<SITE>); the feed goes on "
                   "when NATS is down")
    s.add_argument("--nats-site", metavar="NAME", help="site name on the bus (default: the feed's name)")
    if "--rules" not in s._option_string_actions:
        s.add_argument("--rules", type=Path, help="alert rules of --watch (default: the shipped rules, or the "
                       "world's; see docs/alerts.md)")
    s.set_defaults(func=_cmd_sim)

    r = sub.add_parser("record", help="record a feed into a DuckDB file, headless")
    r.add_argument("--url", required=True, help="feed address, e.g. ws://127.0.0.1:8765")
    r.add_argument("--db", type=Path, required=True, help="DuckDB history file (created if missing)")
    record_options(r)
    client_auth_options(r)
    r.set_defaults(func=_cmd_record)



def build_feed(args: argparse.Namespace):
    from warroom.core.clock import wall_ms
    from warroom.sim.engine import Simulator
    from warroom.sim.faults import parse_fault_spec
    from warroom.sim.feed import SimFeed
    from warroom.sim.traffic import Promotion

    start = start_ms(args.start)
    promotion = Promotion(start_local=args.promotion) if args.promotion else None
    world = load_world_option(args)
    platform = world.platform if world is not None else None
    if getattr(args, "plans", None) is not None:
        from warroom.core.plan.plan_files import PlanFileError, load_plans_file
        from warroom.sim.platform import build_platform, with_plans

        try:
            platform = with_plans(platform or build_platform(), load_plans_file(args.plans))
        except (PlanFileError, ValueError) as exc:
            raise CliError(f"--plans: {exc}") from None
    sim = Simulator(seed=args.seed, start_ms=wall_ms() if start is None else start, promotion=promotion,
                    platform=platform, world=world)
    sim.drill_all = bool(getattr(args, "drill", False))  # --drill: every fault is a drill's
    if args.fault is not None:
        specs = [(spec, None) for spec in args.fault]
    elif world is not None:  # a world brings its own drill
        specs = [(f"{s.kind}:{s.target}", s) for s in world.faults]
    else:
        specs = [(spec, None) for spec in args._default_faults]
    for text, parsed in specs:
        if text == "none":
            continue
        try:
            fault = sim.inject_spec(parsed or parse_fault_spec(text))
        except ValueError as exc:
            raise CliError(f"--fault {text}: {exc}") from None
        log.info("scheduled %s", fault)
    watch = None
    if getattr(args, "watch", False):  # warroom sim --watch: incidents computed once, for every console
        from warroom.app.feed_watch import FeedWatch

        watch = FeedWatch.from_rules(getattr(args, "rules", None))
        if watch.watch.rules_error:
            print(f"warroom: {watch.watch.rules_error}", file=sys.stderr)
    return SimFeed(sim, speed=args.speed, watch=watch)


def load_world_option(args: argparse.Namespace):
    """The ``--world`` the command asked for (None: the payment platform); ``CliError`` with the
    file's line for a broken world file. Its rule file becomes the default ``--rules``."""
    name = getattr(args, "world", None)
    if not name:
        return None
    from warroom.sim.world import WorldError, load_world

    try:
        world = load_world(name)
    except WorldError as exc:
        raise CliError(f"--world: {exc}") from None
    if world.rules is not None and getattr(args, "rules", "absent") is None:
        args.rules = world.rules
    return world


def example_fault(feed) -> str:
    """A fault spec that works on the feed's platform, for the hints the commands print."""
    t = feed.sim.topology
    names = [s.name for s in t.services]
    target = "risk-control" if "risk-control" in names else next(
        (n for n in names if t.callers(n) and t.callees(n)), names[0])
    return f"dependency_outage:{target}+60s"


def world_title(feed) -> str:
    """What the simulated feed plays, for the lines the commands print."""
    world = getattr(feed.sim, "world", None)
    return f"world {world.name}: {world.title}" if world is not None else "the simulated payment platform"


async def serve(feed, host: str, port: int, tokens=None, cert: Path | None = None, key: Path | None = None):
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
    if args.nats is not None:
        check_nats_url(args.nats)
    feed = build_feed(args)
    exporter = None
    if args.prometheus is not None:
        from warroom.sim.exporter import PromExporter

        if not 0 <= args.prometheus <= 65535:
            raise CliError(f"--prometheus {args.prometheus}: a port is 0..65535")
        exporter = PromExporter.for_feed(feed, shape=args.prometheus_shape)

    async def run() -> None:
        server = await serve(feed, args.host, args.port, tokens, args.cert, args.key)
        if exporter is not None:
            try:
                await exporter.start(args.prometheus_host, args.prometheus)
            except OSError as exc:
                await server.stop()
                raise CliError(f"--prometheus: cannot listen on {args.prometheus_host}:{args.prometheus}: "
                               f"{exc.strerror or exc}") from None
        print(f"simulator serving {server.url}  ({world_title(feed)}; speed x{args.speed:g}, seed {args.seed}); "
              "Ctrl+C stops", flush=True)
        if exporter is not None:
            host = f"[{args.prometheus_host}]" if ":" in args.prometheus_host else args.prometheus_host
            print(f"prometheus metrics ({args.prometheus_shape} shape) on http://{host}:{exporter.port}/metrics",
                  flush=True)
        print(f"access: {len(tokens)} tokens from {args.tokens}" if tokens is not None else
              "access: no tokens file: clients on this machine may send commands, others may only watch", flush=True)
        publisher = target = relay = None
        tasks = [feed.run(server)]
        if args.nats is not None:
            from warroom.bus import BusTee
            from warroom.bus.commands import CommandRelay

            publisher = await start_bus(args, feed)
            target = BusTee(server, publisher)  # broadcasts go to the consoles and to the bus
            # Commands that consoles send through edges: executed here, once each.
            relay = CommandRelay(args.nats, args.nats_site or feed.feed_name, feed.handle_command)
            tasks = [feed.run(target), relay.run()]
        try:
            await until_signal(*tasks)
        finally:
            if relay is not None:
                await relay.stop()
            if publisher is not None:
                await publisher.stop()
            if exporter is not None:
                await exporter.stop()
            await server.stop()

    asyncio.run(run())
    return 0


def check_nats_url(url: str) -> None:
    """``CliError`` for a ``--nats`` value that is not a NATS server address."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise CliError(f"--nats {url}: {exc}") from None
    if parts.scheme not in ("nats", "tls") or not parts.hostname:
        raise CliError(f"--nats {url}: expected nats://HOST:PORT (or tls://HOST:PORT)")


async def start_bus(args: argparse.Namespace, feed):
    """A started ``BusPublisher`` for ``--nats``; NATS being down is said, not fatal."""
    from warroom.bus import BusPublisher, site_token, stream_name

    site = args.nats_site or feed.feed_name
    watch = getattr(feed, "watch", None)  # --watch: the incidents computed here go on the bus too
    publisher = BusPublisher(args.nats, site, snapshot=feed.snapshot_messages, now_ms=feed.now_ms,
                             feed_name=feed.feed_name, speed=feed.speed, capabilities=feed.capabilities,
                             incident_state=watch.state_events if watch is not None else None)
    up = await publisher.start()
    print(f"publishing to NATS JetStream {publisher.safe_url}: subjects warroom.{site_token(site)}.*, stream "
          f"{stream_name(site)}" + ("" if up else " (NATS unreachable now: retrying, the feed goes on)"), flush=True)
    return publisher


#: A recording gives up (and exits non-zero) when one of its tasks crashes this many times in a row.
RECORD_GIVE_UP_AFTER = 10


async def record(url: str, db: Path, args: argparse.Namespace, *extra, duration: float | None = None) -> None:
    """Record the feed at ``url`` into ``db`` until a signal, ``duration`` or a failure.

    The feed client, the recorder and its housekeeping run supervised (``warroom.app.supervise``):
    a crash is printed at once with its reason (the traceback goes to the log), written to
    the history and the task restarted. The last line says exactly what was saved, quarantined
    and not saved. A recording that cannot go on (the history store stopped or could not write
    for a minute, a task crashed ``RECORD_GIVE_UP_AFTER`` times in a row) raises ``CliError``
    with that line: ``warroom record`` exits non-zero.
    """
    from warroom.app.recorder import Recorder
    from warroom.app.supervise import Fatal, Supervisor, TaskGaveUp
    from warroom.io.client import FeedClient
    from warroom.store import StoreError, StoreWriter

    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer = StoreWriter(db, **store_kwargs(args))
    except Exception as exc:  # duckdb raises its own types: say what and where
        raise CliError(f"cannot open history file {db}: {exc}") from None
    report = None if args.quiet else (lambda line: print(f"{datetime.now():%H:%M:%S} {line}", flush=True))
    from warroom.core.alerting.rules import RuleError
    from warroom.io.notify import NotifyConfigError
    from warroom.app.watch import build_watch

    try:
        watch, notifier = build_watch(args.rules, args.notify, args.user)
    except (RuleError, NotifyConfigError) as exc:
        raise CliError(str(exc)) from None
    if watch.rules_error:
        print(f"warroom: {watch.rules_error}", file=sys.stderr)
    from warroom.io.auth import Credentials

    # demo records its own in-process feed, which has no tokens
    client = FeedClient(url, credentials=credentials(args) if hasattr(args, "token_file") else Credentials())
    supervisor = Supervisor(give_up_after=RECORD_GIVE_UP_AFTER)
    from warroom.app.shared_watch import SharedWatch, WatchSwitch

    # A feed that computes incidents (hello: incidents) is stored as it is; alone, we compute our own.
    switch = WatchSwitch(watch, SharedWatch(client, watch.user))
    recorder = Recorder(client, writer, report=report, watch=switch, store_failure_fatal=True,
                        on_fault=lambda stage, exc, action: supervisor.fault(f"recorder: {stage}", exc, action))
    supervisor.on_fault = recorder.record_fault
    client.on_fault = lambda stage, exc: supervisor.fault(f"feed client: {stage}", exc)
    supervisor.add("feed client", client.run)
    supervisor.add("recorder", recorder.run)
    supervisor.add("recorder housekeeping", recorder.housekeeping)
    if report:
        report(f"recording {url} into {db}")
    failure = ""
    try:
        await until_signal(supervisor.run(), *extra, duration=duration)
    except (Fatal, TaskGaveUp) as exc:
        failure = str(exc)
    else:
        failure = client.gave_up  # a feed it can never reach: it cannot record
    finally:
        await client.stop()
        await supervisor.stop()
        failure = await _wind_down(recorder, failure)
        if notifier is not None:
            await notifier.close(timeout=5)
        try:
            await asyncio.to_thread(writer.close)
            health = writer.health
        except StoreError as exc:
            health = exc.health or writer.health
            failure = failure or "the history could not be saved in full"
        line = _closing_line(db, health, recorder)
    if failure:
        if report:
            report(f"RECORDING FAILED: {failure}")
        raise CliError(f"recording failed: {failure}; {line}")
    if report:
        report(f"stopped: {line}")


async def _wind_down(recorder, failure: str) -> str:
    """Store what the client still queued and the final error totals; returns the failure, if any."""
    # After a failure the store takes nothing more: what is left is counted as not saved.
    recorder.store_failure_fatal = False
    try:
        await recorder.drain()
        recorder.finish()
    except Exception as exc:  # noqa: BLE001 - the closing line must still be printed
        log.error("could not store the last items", exc_info=True)
        failure = failure or f"could not store the last items: {exc}"
    return failure or recorder.store_failure


def _closing_line(db: Path, health, recorder) -> str:
    """``N points and M events saved in DB; quarantined …; not saved: …`` — exact, from the store's counts
    plus what the recorder could not hand to it."""
    import dataclasses

    s = recorder.stats
    h = dataclasses.replace(health, pending_points=health.pending_points + s.refused_points,
                            pending_events=health.pending_events + s.refused_events, closed=True)
    rest = h.summary().split("; ", 1)[1]  # "quarantined …; not saved: …"
    return f"{h.flushed_points:,} points and {h.flushed_events:,} events saved in {db}; {rest}"


def _cmd_record(args: argparse.Namespace) -> int:
    asyncio.run(record(args.url, args.db, args))
    return 0
