"""The gateway process's wiring (``warroom.gateway.run.Gateway``), in-process, with a real Prometheus.

A console session connected to the gateway sees the topology and points Prometheus holds;
when Prometheus dies the gateway keeps serving, the source's series stop (stale, never zero),
``source_up`` goes to 0 with one ``feed`` event naming the failure, and what the console already
has stays; when Prometheus comes back on the same address everything recovers. A CI job's
annotation posted to the receivers reaches the console as a deploy.
"""

from __future__ import annotations

import asyncio

import aiohttp

from tests.gateway.sources.exposition import Target
from tests.promstack import Prometheus
from warroom.app.session import FeedSession
from warroom.core.model import EventKind, SeriesKey
from warroom.gateway.run import Gateway
from warroom.gateway.site_model import Listen, PrometheusSite, Site, Topology
from warroom.store import StoreWriter
from warroom.store.live import LiveView

UP = SeriesKey("source_up", {"source": "prometheus:topology"})
RATE = SeriesKey("service_requests_rate", {"service": "checkout"})


class _NoSecrets:
    def get(self, name: str) -> str:
        raise KeyError(name)


async def _until(pred, timeout_s: float, what: str) -> None:
    for _ in range(int(timeout_s / 0.1)):
        if pred():
            return
        await asyncio.sleep(0.1)
    assert pred(), f"timed out after {timeout_s:g} s waiting for {what}"


def _latest(view: LiveView, key: SeriesKey) -> tuple[int, float] | None:
    ts, values = view.window(key, 10**12, view.newest_ms or 0)
    return (int(ts[-1]), float(values[-1])) if len(ts) else None


async def test_a_dead_prometheus_goes_stale_on_the_console_and_recovers(tmp_path):
    target = Target()
    prom = await asyncio.to_thread(Prometheus.start, tmp_path / "prom", [target.address], scrape_interval="1s")
    site = Site(name="gw-run-test", state_dir=tmp_path / "state",
                listen=Listen(port=0), receivers=Listen(port=0),
                prometheus=PrometheusSite(url=prom.url, interval_s=1.0, timeout_s=0.8, rate_window="5s",
                                          backfill_s=30.0, topology=Topology(selector='cluster="a"')))
    gw = Gateway(site, _NoSecrets(), feed_port=0, receivers_port=0)
    view = LiveView()
    writer = StoreWriter(tmp_path / "console.duckdb", flush_interval_s=0.05)
    session = None
    try:
        await gw.start()
        session = FeedSession(gw.url, view, writer)
        task = asyncio.create_task(session.run())
        await _until(lambda: "checkout" in view.topology, 30, "the topology")
        await _until(lambda: _latest(view, RATE) is not None and (_latest(view, UP) or (0, 0))[1] == 1, 30,
                     "points and source_up=1")
        # A deploy posted by CI, Grafana's shape, reaches the console.
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{gw.receivers_url}/api/annotations",
                                 json={"tags": ["deploy", "checkout", "version:2.1"], "text": "checkout 2.1"}) as r:
                assert r.status == 200, await r.text()
                assert (await r.json())["message"] == "Annotation added"
        await _until(lambda: any(e.kind is EventKind.DEPLOY and e.subject == "checkout" for e in view.events()), 10,
                     "the deploy on the console")

        await asyncio.to_thread(prom.stop)
        last_good = _latest(view, RATE)
        await _until(lambda: (_latest(view, UP) or (0, 1))[1] == 0, 20, "source_up=0")
        failing = [e for e in view.events() if e.kind is EventKind.FEED and e.attrs.get("state") == "failing"
                   and e.attrs.get("source") == "prometheus:topology"]
        assert len(failing) == 1 and failing[0].attrs.get("error"), failing
        await asyncio.sleep(3)  # several failed polls: still no made-up points
        assert _latest(view, RATE) == last_good, "a dead Prometheus must leave the series stale, not zero"
        assert gw.failures == []  # a Prometheus fault is weather, not a gateway bug

        prom = await asyncio.to_thread(Prometheus.start, tmp_path / "prom", [target.address],
                                       scrape_interval="1s", port=prom.port)
        await _until(lambda: (_latest(view, UP) or (0, 0))[1] == 1, 30, "source_up=1 again")
        await _until(lambda: _latest(view, RATE) != last_good, 30, "fresh points")
        assert any(e.kind is EventKind.FEED and e.attrs.get("state") == "ok" for e in view.events())
        task.cancel()
    finally:
        if session is not None:
            await session.stop()
        await gw.stop()
        await asyncio.to_thread(prom.stop)
        target.stop()
        await asyncio.to_thread(writer.close)
