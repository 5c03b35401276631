"""Sub-command ``edge``: serve a site's feed to consoles from NATS JetStream (docs/scale.md).

    warroom edge --nats nats://HOST:4222 --port 8765 [--site NAME] [--tokens FILE] [...]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from warroom.cli.common import CliError, until_signal


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``warroom edge`` to the ``warroom`` parser."""
    e = sub.add_parser(
        "edge", help="serve a site's feed to consoles from NATS JetStream (many walls, one platform)",
        description="A stateless websocket fan-out: reads a site's feed from JetStream (published by `warroom "
        "gateway` or `warroom sim --nats`) and serves it to consoles with protocol v1.1; commands go back through "
        "the bus to the feed's source, executed once. Run as many as you like behind a TCP load balancer "
        "(docs/scale.md).")
    e.add_argument("--nats", required=True, metavar="URL", help="the NATS server, e.g. nats://127.0.0.1:4222")
    e.add_argument("--site", metavar="NAME",
                   help="the site to serve (default: the only WARROOM_<SITE> stream on the server)")
    e.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    e.add_argument("--port", type=int, default=8765, help="websocket port (default 8765; 0 picks one)")
    e.add_argument("--name", help="this edge's name in its events and logs (default HOST:PORT)")
    e.add_argument("--resume", type=float, default=None, metavar="S",
                   help="seconds of the stream read back at start and kept for consoles that resume (default 120)")
    e.add_argument("--tokens", type=Path, metavar="FILE", help="access tokens file (docs/security.md)")
    e.add_argument("--cert", type=Path, help="TLS certificate (PEM): serve wss://")
    e.add_argument("--key", type=Path, help="TLS private key (PEM), if not in --cert")
    e.set_defaults(func=_cmd_edge)


def _cmd_edge(args: argparse.Namespace) -> int:
    from warroom.cli.feeds import check_nats_url
    from warroom.edge import DEFAULT_EDGE_RESUME_S, Edge, discover_site
    from warroom.io.auth import AuthError, TokenStore

    check_nats_url(args.nats)
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port {args.port}: a port is 0..65535")
    resume_s = DEFAULT_EDGE_RESUME_S if args.resume is None else args.resume
    if not resume_s > 0:
        raise CliError(f"--resume {args.resume}: must be more than 0 seconds")
    if args.key is not None and args.cert is None:
        raise CliError("--key needs --cert")
    try:
        tokens = TokenStore.load(args.tokens) if args.tokens is not None else None
    except AuthError as exc:
        raise CliError(str(exc)) from None

    async def run() -> None:
        site = args.site
        if site is None:
            try:
                sites = await discover_site(args.nats)
            except Exception as exc:  # noqa: BLE001 - any failure here is "cannot ask NATS"
                raise CliError(f"--nats {args.nats}: cannot list its streams to find the site ({exc or type(exc).__name__});"
                               " name it with --site") from None
            if len(sites) != 1:
                raise CliError("--site is needed: " + (f"this server has {len(sites)} Warroom sites: {', '.join(sites)}"
                                                       if sites else "this server has no Warroom stream yet"))
            site = sites[0]
        try:
            edge = Edge(args.nats, site, host=args.host, port=args.port, tokens=tokens, ssl_cert=args.cert,
                        ssl_key=args.key, resume_s=resume_s, name=args.name)
        except AuthError as exc:
            raise CliError(str(exc)) from None
        try:
            synced = await edge.start()
        except OSError as exc:
            await edge.stop()
            raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
        print(f"edge {edge.name} serving {edge.url} from NATS {edge.follower.safe_url}, site {site} (feed "
              f"{edge.source.feed_name or '?'}; {resume_s:g} s kept for resuming consoles)"
              + ("" if synced else "; the stream is not read yet (NATS down?): serving what arrives") + "; Ctrl+C stops",
              flush=True)
        try:
            await until_signal(asyncio.Event().wait())
        finally:
            await edge.stop()
            print(f"edge {edge.name} stopped: {edge.follower.handled} messages read, {edge.server.stats.connections} "
                  f"connections served", flush=True)

    asyncio.run(run())
    return 0
