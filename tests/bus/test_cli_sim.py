"""``warroom sim --nats URL``: the simulator's feed also goes to JetStream."""

from __future__ import annotations

import asyncio

import nats

from tests.bus.conftest import decode_all, read_stream
from tests.e2e_support import Proc
from warroom.cli import main
from warroom.core.clock import wall_ms
from warroom.protocol import MetricBatch, PlanCatalogue, TopologySnapshot


async def test_warroom_sim_publishes_to_jetstream(nats_server, tmp_path):
    proc = Proc(["sim", "--port", "0", "--speed", "10", "--fault", "none", "--nats", nats_server.url,
                 "--nats-site", "CLI Site"], tmp_path, "warroom sim")
    try:
        proc.wait_for_line("publishing to NATS JetStream", timeout=30)
        assert "stream WARROOM_CLI_SITE" in proc.stdout
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        for _ in range(200):
            info = await js.stream_info("WARROOM_CLI_SITE")
            if info.state.messages >= 20:
                break
            await asyncio.sleep(0.1)
        await nc.close()
        assert info.state.messages >= 20
    finally:
        assert proc.stop() == 0, proc.describe()
    got = decode_all(await read_stream(nats_server.url, "warroom.cli_site.>"), wall_ms() + 3_600_000)
    assert isinstance(got[0], TopologySnapshot) and isinstance(got[1], PlanCatalogue)
    assert sum(isinstance(m, MetricBatch) for m in got) >= 18


def test_a_nats_url_that_is_not_one_is_refused(capsys):
    for bad in ("http://127.0.0.1:4222", "nats://", "nats://host:99999"):
        assert main(["sim", "--nats", bad, "--port", "0"]) == 2
        assert "--nats" in capsys.readouterr().err
