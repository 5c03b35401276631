"""``warroom gateway`` with ``nats:``: its feed reaches consoles through an edge (real Prometheus,
real nats-server), and the site file's ``nats:`` section is read and checked."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.edge.harness import Console, start_edge, wait_until
from tests.gateway.sources.exposition import Target
from tests.promstack import Prometheus
from warroom.core.model import EventKind
from warroom.gateway.run import Gateway
from warroom.gateway.site import SiteError, load_site
from warroom.gateway.site_model import Listen, NatsSite, PrometheusSite, Site, Topology
from warroom.protocol import Events, MetricBatch, TopologySnapshot


class _NoSecrets:
    def get(self, name: str) -> str:
        raise KeyError(name)


async def test_the_gateway_feed_reaches_a_console_through_an_edge(tmp_path, nats_server):
    target = Target()
    prom = await asyncio.to_thread(Prometheus.start, tmp_path / "prom", [target.address], scrape_interval="1s")
    site = Site(name="gw-bus", state_dir=tmp_path / "state", listen=Listen(port=0), receivers=Listen(port=0),
                prometheus=PrometheusSite(url=prom.url, interval_s=1.0, timeout_s=0.8, rate_window="5s",
                                          backfill_s=10.0, topology=Topology(selector='cluster="a"')),
                nats=NatsSite(url=nats_server.url))
    gw = Gateway(site, _NoSecrets(), feed_port=0, receivers_port=0)
    edge = console = None
    try:
        await gw.start()
        await wait_until(lambda: gw.publisher.stats.published > 0, 30, what="the gateway publishing")
        edge = await start_edge(nats_server.url, "gw-bus")
        console = Console.start(edge.url)
        await wait_until(lambda: any("checkout" in {s.name for s in t.topology.services}
                                     for t in console.of(TopologySnapshot)), 30, what="the topology via the edge")
        await wait_until(lambda: any(len(b) for b in console.of(MetricBatch)), 30, what="points via the edge")
        assert console.hellos[0].server_id == "gw-bus"
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{gw.receivers_url}/api/annotations",
                                 json={"tags": ["deploy", "checkout", "version:2.2"], "text": "checkout 2.2"}) as r:
                assert r.status == 200, await r.text()
        await wait_until(lambda: any(e.kind is EventKind.DEPLOY and e.subject == "checkout"
                                     for m in console.of(Events) for e in m.events), 20, what="the deploy via the edge")
    finally:
        if console is not None:
            await console.stop()
        if edge is not None:
            await edge.stop()
        await gw.stop()
        await asyncio.to_thread(prom.stop)
        target.stop()


def test_the_site_file_nats_section(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text("site: east\nnats:\n  url: nats://bus.example:4222\n  site: pay-east\n  max_age: 2h\n")
    site = load_site(path)
    assert site.nats == NatsSite(url="nats://bus.example:4222", site="pay-east", max_age_s=7200.0,
                                 where=site.nats.where)
    path.write_text("site: east\nnats:\n  url: http://bus.example:4222\n")
    with pytest.raises(SiteError) as err:
        load_site(path)
    assert "site.yaml:3" in str(err.value) and "nats://HOST:PORT" in str(err.value)
