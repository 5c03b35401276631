"""One gateway process: the feed server, the HTTP receivers, the Prometheus poller and the plan
runner, wired together and supervised.

``Gateway(site, secrets).start()`` binds the feed (``site.listen``) and the receivers
(``site.receivers``), back-fills ``prometheus.backfill_s`` of history into the feed's replay
buffer (so a console that resumes with ``since`` gets it), then polls Prometheus for as long as
it runs. Every background task is supervised: a task that dies is logged with its traceback,
announced to the consoles as a ``feed`` event (``gateway task … failed``) and restarted after
a back-off — a gateway never sits silent with a dead poller. ``run_gateway`` is the command
line's entry point (``warroom gateway --site``): it runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path
from typing import Any, Awaitable, Callable

from warroom.core.clock import wall_ms
from warroom.core.model import Event, EventKind, Severity
from warroom.gateway.feed import GatewayFeed
from warroom.gateway.site_model import Site
from warroom.io.auth import TokenStore
from warroom.io.resume import DEFAULT_RESUME_S
from warroom.io.server import FeedServer

log = logging.getLogger(__name__)

#: Seconds between two looks for plans whose expiry ran out.
EXPIRY_CHECK_S = 1.0
#: Back-off after a supervised task died, doubling up to the maximum.
RESTART_BACKOFF_S = (1.0, 30.0)


def default_state_dir(site: Site) -> Path:
    """Where a site's executor ledger lives when the site file does not say."""
    import platformdirs

    return Path(platformdirs.user_state_dir("warroom")) / "gateway" / site.name


class Gateway:
    """See the module docstring. ``feed_port``/``receivers_port`` override the site's (0 picks
    a free port: tests); ``prom_client`` replaces the Prometheus client (benches, tests)."""

    def __init__(self, site: Site, secrets: Any, *, feed_port: int | None = None,
                 receivers_port: int | None = None, state_dir: Path | None = None,
                 prom_client: Any | None = None, backfill: bool = True, watch: Any | None = None,
                 nats_url: str | None = None) -> None:
        self.site = site
        self.watch = watch  # a FeedWatch: incidents computed here for every console (GatewayFeed)
        self.secrets = secrets
        self.feed_port = site.listen.port if feed_port is None else feed_port
        self.receivers_port = site.receivers.port if receivers_port is None else receivers_port
        self.state_dir = state_dir or site.state_dir or default_state_dir(site)
        self.prom_client = prom_client
        self.backfill = backfill
        self.feed: GatewayFeed | None = None
        self.server: FeedServer | None = None
        self.receivers: Any | None = None
        self.source: Any | None = None
        self.loki: Any | None = None  # the Loki source (site key loki:): log events
        self.runner: Any | None = None
        self.failures: list[str] = []  # supervised task failures, newest last
        # NATS JetStream for `warroom edge` (the site's `nats:`, or --nats over it).
        self.nats_url = nats_url or (site.nats.url if site.nats is not None else None)
        self.publisher: Any | None = None
        self.relay: Any | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        """Bind everything and start the background tasks; raises ``OSError`` when a port is taken."""
        site = self.site
        if site.plans:
            from warroom.gateway.executors import PlanRunner

            self.runner = PlanRunner(site, self.secrets, Path(self.state_dir))
        self.feed = feed = GatewayFeed(site, self.runner, watch=self.watch)
        tokens = TokenStore.load(site.listen.tokens) if site.listen.tokens is not None else None
        resume_s = max(DEFAULT_RESUME_S, site.prometheus.backfill_s if site.prometheus else 0.0)
        self.server = FeedServer(feed, site.listen.host, self.feed_port, server_id=site.name, tokens=tokens,
                                 ssl_cert=site.listen.tls_cert, ssl_key=site.listen.tls_key, resume_s=resume_s)
        feed.attach(self.server)
        await self.server.start()
        if self.nats_url:
            await self._start_bus(feed)
        from warroom.gateway.receivers import Receivers

        rlisten = site.receivers
        rtokens_path = rlisten.tokens or site.listen.tokens
        rtokens = TokenStore.load(rtokens_path) if rtokens_path is not None else None
        from dataclasses import replace

        self.receivers = Receivers(replace(rlisten, port=self.receivers_port), rtokens, site,
                                   feed.publish_events, feed.known_services)
        try:
            await self.receivers.start()
        except BaseException:
            await self.server.stop()
            raise
        if site.prometheus is not None:
            from warroom.gateway.sources.prometheus import PrometheusSource

            bearer = self.secrets.get(site.prometheus.bearer_secret) if site.prometheus.bearer_secret else None
            self.source = PrometheusSource(site.prometheus, site.services, client=self.prom_client, bearer=bearer)
            self._supervise("prometheus", self._poll)
        if site.loki is not None:
            from warroom.gateway.sources.loki import LokiSource

            bearer = self.secrets.get(site.loki.bearer_secret) if site.loki.bearer_secret else None
            self.loki = LokiSource(site.loki, bearer=bearer)
            self._supervise("loki", self._poll_loki)
        if self.runner is not None or self.watch is not None:  # the incident watch ticks there too
            self._supervise("plan expiry", self._expire)

    async def _start_bus(self, feed: GatewayFeed) -> None:
        """Publish everything the feed broadcasts to JetStream too, and execute the commands that
        come back through it (``warroom.bus``); NATS down is retried, never fatal."""
        from warroom.bus import BusPublisher, BusTee
        from warroom.bus.commands import CommandRelay
        from warroom.bus.subjects import DEFAULT_MAX_AGE_S

        nats = self.site.nats
        bus_site = (nats.site if nats is not None and nats.site else "") or self.site.name
        self.publisher = BusPublisher(self.nats_url, bus_site, snapshot=feed.snapshot_messages, now_ms=feed.now_ms,
                                      feed_name=self.site.name, speed=1.0, capabilities=feed.capabilities,
                                      incident_state=feed.watch.state_events if feed.watch is not None else None,
                                      max_age_s=nats.max_age_s if nats is not None else DEFAULT_MAX_AGE_S)
        up = await self.publisher.start()
        feed.attach(BusTee(self.server, self.publisher))
        self.relay = CommandRelay(self.nats_url, bus_site, feed.handle_command)
        self._supervise("bus commands", self.relay.run)
        log.info("gateway %s publishing to NATS %s as site %s%s", self.site.name, self.publisher.safe_url, bus_site,
                 "" if up else " (unreachable now: retrying; the feed goes on)")

    async def stop(self) -> None:
        """Stop the tasks, the receivers and the feed server (in that order)."""
        self._stopping = True
        if self.relay is not None:
            await self.relay.stop()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        self._tasks.clear()
        if self.source is not None and hasattr(self.source, "close"):
            with contextlib.suppress(Exception):
                await self.source.close()
        if self.loki is not None:
            with contextlib.suppress(Exception):
                await self.loki.close()
        if self.receivers is not None:
            await self.receivers.stop()
        if self.runner is not None and hasattr(self.runner, "close"):
            with contextlib.suppress(Exception):
                await _maybe_await(self.runner.close())
        if self.publisher is not None:
            await self.publisher.stop()
        if self.server is not None:
            await self.server.stop()

    @property
    def url(self) -> str:
        """The feed's ``ws://`` address."""
        assert self.server is not None
        return self.server.url

    @property
    def receivers_url(self) -> str:
        """The receivers' ``http(s)://`` address."""
        assert self.receivers is not None
        scheme = "https" if self.site.receivers.tls_cert else "http"
        return f"{scheme}://{self.site.receivers.host}:{self.receivers.port}"

    # -- the tasks -------------------------------------------------------------------------
    async def _poll(self) -> None:
        assert self.source is not None and self.feed is not None
        if self.backfill and self.site.prometheus is not None and self.site.prometheus.backfill_s > 0:
            self.backfill = False  # once: a restarted poller goes straight to live
            end = wall_ms()
            start = end - int(self.site.prometheus.backfill_s * 1000)
            try:
                updates = await self.source.backfill(start, end)
            except Exception:  # history is a bonus; live data is not
                log.exception("back-fill from %s failed; going live without history", self.site.prometheus.url)
            else:
                for u in updates:
                    self.feed.publish(u)
                log.info("back-filled %d updates (%d points) from %s", len(updates),
                         sum(len(u.points) for u in updates), self.site.prometheus.url)
        await self.source.run(self.feed.publish)

    async def _poll_loki(self) -> None:
        assert self.loki is not None and self.feed is not None
        await self.loki.run(self.feed.publish)

    async def _expire(self) -> None:
        assert self.feed is not None
        while True:
            await self.feed.expire_due()
            await asyncio.sleep(EXPIRY_CHECK_S)

    def _supervise(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        async def loop() -> None:
            delay = RESTART_BACKOFF_S[0]
            while not self._stopping:
                try:
                    await work()
                    if self._stopping:
                        return
                    raise RuntimeError("ended on its own")
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # say so loudly, tell the consoles, try again
                    text = f"gateway task {name} failed: {type(exc).__name__}: {exc}"
                    log.exception("%s; restarting in %g s", text, delay)
                    self.failures.append(text)
                    del self.failures[:-100]
                    if self.feed is not None:
                        now = wall_ms()
                        self.feed.publish_events([Event(f"gateway-task-{name}-{now}", now, EventKind.FEED,
                                                        f"gateway:{name}", text, Severity.P2,
                                                        {"source": f"gateway:{name}", "state": "failing",
                                                         "error": str(exc)})])
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RESTART_BACKOFF_S[1])

        self._tasks.append(asyncio.create_task(loop(), name=f"gateway-{name}"))


async def _maybe_await(value: Any) -> Any:
    if asyncio.iscoroutine(value):
        return await value
    return value


def run_gateway(site: Site, secrets: Any, args: Any = None) -> int:
    """Run a gateway until SIGINT/SIGTERM (``warroom gateway --site``); returns the exit code.

    ``args`` may carry ``port`` and ``receivers_port`` overrides (None: the site's)."""

    async def main() -> None:
        gw = Gateway(site, secrets, feed_port=getattr(args, "port", None),
                     receivers_port=getattr(args, "receivers_port", None),
                     watch=getattr(args, "incidents_watch", None), nats_url=getattr(args, "nats", None))
        await gw.start()
        prom = site.prometheus
        print(f"gateway {site.name} serving {gw.url}; receivers on {gw.receivers_url} "
              f"(POST /alertmanager, /api/annotations)" + (f"; polling {prom.url} every {prom.interval_s:g} s"
                                                            if prom else "; no Prometheus") + "; Ctrl+C stops",
              flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await gw.stop()
            print(f"gateway {site.name} stopped", flush=True)

    asyncio.run(main())
    return 0
