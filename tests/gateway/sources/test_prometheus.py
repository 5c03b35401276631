"""The Prometheus source: polls, topology changes, history and faults, against a real Prometheus."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiohttp import web

from tests.e2e_support import free_port
from tests.gateway.sources.exposition import (
    ORDERS_OK_RATE,
    ORDERS_RATE,
    start_stack,
    stop_stack,
)
from warroom.core.model import EventKind, SeriesKey, Severity
from warroom.gateway.site_model import (
    KpiQuery,
    PrometheusSite,
    ScenarioQuery,
    ServiceNames,
    Topology,
)
from warroom.gateway.sources import SourceUpdate, source_up_key
from warroom.gateway.sources.prometheus import PrometheusSource

SCENARIO = ScenarioQuery("checkout", "Checkout", ("frontend", "checkout", "postgres"),
                         tps="rate(shop_orders_ok_total[5s])",
                         success_ratio="rate(shop_orders_ok_total[5s]) / rate(shop_orders_total[5s])")


def _site(url: str, **kw) -> PrometheusSite:
    return PrometheusSite(**{"url": url, "interval_s": 1.0, "timeout_s": 3.0, "rate_window": "5s",
                             "topology": Topology(shape="servicegraph", selector='cluster="a"'), **kw})


def _values(update: SourceUpdate) -> dict[str, float]:
    return {k.text: v for k, _, v in update.points}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    target, prom = start_stack(tmp_path_factory.mktemp("prom"))
    try:
        yield prom
    finally:
        stop_stack(target, prom)


@pytest.fixture
async def source(stack):
    site = _site(stack.url, scenarios=(SCENARIO,), kpis=(
        KpiQuery('shop_weird{unit="x"}', "weird_gauge"), KpiQuery("broken_kpi", "sum(weird_gauge")))
    src = PrometheusSource(site, {"checkout": ServiceNames("checkout", title="Checkout API")})
    yield src
    await src.close()


async def test_each_group_polls_on_its_own(source) -> None:
    by_name = {g.name: g for g in source.groups}
    assert set(by_name) == {"prometheus:topology", "prometheus:scenario:checkout",
                            'prometheus:kpi:shop_weird{unit="x"}', "prometheus:kpi:broken_kpi"}
    at = time.time()
    first = await source.poll(by_name["prometheus:topology"], at)
    assert first.topology is not None and first.topology.service("checkout").title == "Checkout API"
    assert first.topology.scenario("checkout").edges == (("checkout", "postgres"), ("frontend", "checkout"))
    assert all(ts == round(at * 1000) for _, ts, _ in first.points)
    assert _values(first)['source_up{source="prometheus:topology"}'] == 1.0
    assert first.events == ()
    again = await source.poll(by_name["prometheus:topology"])
    assert again.topology is None and _values(again)['service_requests_rate{service="frontend"}'] > 0

    sc = _values(await source.poll(by_name["prometheus:scenario:checkout"]))
    assert sc['scenario_tps{scenario="checkout"}'] == pytest.approx(ORDERS_OK_RATE, rel=0.05)
    assert sc['scenario_success_ratio{scenario="checkout"}'] == pytest.approx(ORDERS_OK_RATE / ORDERS_RATE, rel=0.01)
    assert sc['scenario_requests_rate{scenario="checkout"}'] == pytest.approx(ORDERS_RATE, rel=0.05)

    kpi = await source.poll(by_name['prometheus:kpi:shop_weird{unit="x"}'])
    keys = [k for k, _, _ in kpi.points if k.name == "shop_weird"]
    assert len(keys) == 1 and keys[0].labels["k"] == "one" and keys[0].labels["unit"] == "x"  # NaN, +Inf dropped
    assert "__name__" not in keys[0].labels

    bad = [await source.poll(by_name["prometheus:kpi:broken_kpi"]) for _ in range(3)]
    assert [u.points for u in bad] == [[(source_up_key("prometheus:kpi:broken_kpi"), u.ts_ms, 0.0)] for u in bad]
    [event] = [e for u in bad for e in u.events]
    assert event.kind == EventKind.FEED and event.severity == Severity.P2
    assert event.subject == "source:prometheus:kpi:broken_kpi" and event.attrs["state"] == "failing"
    assert "parse error" in event.attrs["error"] and "parse error" in event.title
    health = source.health["prometheus:kpi:broken_kpi"]
    assert (health.state, health.failures, health.kind) == ("failing", 3, "bad_data")
    assert source.health["prometheus:topology"].detail == ["latency unit: seconds (largest bucket bound 1)"]


async def test_run_polls_every_group_until_cancelled(source) -> None:
    got: list[SourceUpdate] = []
    names: dict[str, int] = {}

    def emit(update: SourceUpdate) -> None:
        got.append(update)
        for k, _, _ in update.points:
            if k.name == "source_up":
                names[k.labels["source"]] = names.get(k.labels["source"], 0) + 1
        if len(got) == 1:
            raise RuntimeError("a consumer bug")  # logged and counted; polling goes on

    task = asyncio.create_task(source.run(emit))
    try:
        async def enough() -> None:
            while len(names) < 4 or min(names.values()) < 2:
                await asyncio.sleep(0.05)
        await asyncio.wait_for(enough(), 20)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sum(1 for u in got if u.topology is not None) == 1
    assert sum(h.bugs for h in source.health.values()) == 1


async def test_backfill_reads_history_oldest_first(source) -> None:
    end_ms = round(time.time() * 1000)
    updates = await source.backfill(end_ms - 6_000, end_ms)
    ts = [u.ts_ms for u in updates]
    assert len(ts) >= 6 and ts == sorted(set(ts)) and all(t % 1000 == 0 for t in ts)
    assert updates[0].topology is not None and "frontend" in updates[0].topology
    assert all(u.topology is None for u in updates[1:])
    tps = [v for u in updates for k, v in _values(u).items() if k == 'scenario_tps{scenario="checkout"}']
    assert len(tps) >= 3 and tps[-1] == pytest.approx(ORDERS_OK_RATE, rel=0.05)
    assert not any(k.name == "source_up" for u in updates for k, _, _ in u.points)


# -- faults -----------------------------------------------------------------------------------------
class Fake:
    """Answers every query with one sample, or the fault ``mode`` names."""

    def __init__(self) -> None:
        self.mode = "ok"

    async def handle(self, request: web.Request) -> web.Response:
        if self.mode == "ok":
            return web.json_response({"status": "success", "data": {"resultType": "vector", "result": [
                {"metric": {"shard": "1"}, "value": [time.time(), "42"]}]}})
        if self.mode == "503":
            return web.json_response({"status": "error", "errorType": "unavailable",
                                      "error": "TSDB not ready"}, status=503)
        if self.mode == "slow":
            await asyncio.sleep(2)
        return web.Response(text="garbage", status=200)


@pytest.fixture
async def fake():
    f = Fake()
    app = web.Application()
    app.router.add_route("*", "/api/v1/{tail}", f.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    f.url = f"http://127.0.0.1:{port}"
    yield f
    await runner.cleanup()


async def test_failing_source_goes_stale_with_one_event_and_recovers(fake) -> None:
    src = PrometheusSource(_site(fake.url, timeout_s=0.5, kpis=(KpiQuery("orders_rate", "sum(x)"),)), {})
    [kpi] = [g for g in src.groups if g.name == "prometheus:kpi:orders_rate"]
    up = source_up_key(kpi.name)
    try:
        first = await src.poll(kpi)
        assert _values(first)['orders_rate{shard="1"}'] == 42.0 and first.events == ()
        updates = []
        for mode in ("503", "garbage", "slow", "503"):
            fake.mode = mode
            updates.append(await src.poll(kpi))
        for u in updates:
            assert u.points == [(up, u.ts_ms, 0.0)]  # stale, never zero
        events = [e for u in updates for e in u.events]
        assert len(events) == 1 and events[0].attrs["error"] == "unavailable: TSDB not ready"
        assert src.health[kpi.name].kind == "http" and src.health[kpi.name].failures == 4
        fake.mode = "ok"
        back = await src.poll(kpi)
        assert _values(back)[up.text] == 1.0 and _values(back)['orders_rate{shard="1"}'] == 42.0
        [ok] = back.events
        assert ok.severity == Severity.INFO and ok.attrs == {"source": kpi.name, "state": "ok", "error": "",
                                                              "kind": ""}
        assert (await src.poll(kpi)).events == ()
    finally:
        await src.close()


async def test_unreachable_prometheus(caplog) -> None:
    src = PrometheusSource(_site(f"http://127.0.0.1:{free_port()}", scenarios=(SCENARIO,)), {})
    try:
        updates = [await src.poll(g) for g in src.groups]
        for u in updates:
            [(key, _, value)] = u.points
            assert key.name == "source_up" and value == 0.0
            [event] = u.events
            assert event.title.startswith("Prometheus unreachable: cannot connect to")
        assert await src.backfill(0, 10_000) == []  # no history, no exception
    finally:
        await src.close()


async def test_a_bug_is_logged_counted_and_survived(fake, caplog) -> None:
    src = PrometheusSource(_site(fake.url), {})
    [topo] = src.groups

    def broken(*args):
        raise ZeroDivisionError("oops")

    topo.build = broken
    try:
        with caplog.at_level(logging.ERROR):
            u = await src.poll(topo)
        assert u.points == [(SeriesKey("source_up", {"source": "prometheus:topology"}), u.ts_ms, 0.0)]
        assert src.health[topo.name].bugs == 1 and src.health[topo.name].kind == "internal"
        assert "internal error" in caplog.text and "ZeroDivisionError" in caplog.text
    finally:
        await src.close()
