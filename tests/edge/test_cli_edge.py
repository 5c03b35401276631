"""``warroom edge`` on the command line: bad options, finding the site, serving it."""

from __future__ import annotations

import asyncio

from tests.bus.conftest import wait_until
from tests.e2e_support import Processes, free_port
from tests.edge.harness import Console, SimSite
from warroom.protocol import MetricBatch


def test_bad_options_are_refused_clearly(tmp_path):
    procs = Processes(tmp_path)
    out = procs.run("edge", "--nats", "http://127.0.0.1:4222")
    assert out.returncode != 0 and "expected nats://HOST:PORT" in out.stderr
    out = procs.run("edge", "--nats", "nats://127.0.0.1:4222", "--resume", "0")
    assert out.returncode != 0 and "--resume" in out.stderr


def test_without_site_it_names_what_the_server_has(tmp_path, nats_server):
    procs = Processes(tmp_path)
    out = procs.run("edge", "--nats", nats_server.url, "--port", "0", timeout=60)
    assert out.returncode != 0 and "--site is needed" in out.stderr, out.stderr


async def test_the_only_site_is_found_and_served(tmp_path, nats_server):
    site = SimSite(nats_server.url, "only", seed=21)
    await site.start()
    procs = Processes(tmp_path)
    port = free_port()
    console = None
    try:
        proc = procs.start("edge", "--nats", nats_server.url, "--port", str(port))  # the one site: found
        await asyncio.to_thread(proc.wait_for_line, f"serving ws://127.0.0.1:{port}", 60)
        console = Console.start(f"ws://127.0.0.1:{port}")
        await wait_until(lambda: any(len(b) for b in console.of(MetricBatch)), what="data from the edge process")
        assert console.hellos[0].server_id == site.feed.feed_name
    finally:
        if console is not None:
            await console.stop()
        await site.stop()
        await asyncio.to_thread(procs.cleanup)
