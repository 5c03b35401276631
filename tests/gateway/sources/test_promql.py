"""The Prometheus client: a real Prometheus for answers, a small fake for the faults it cannot make."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time

import pytest
from aiohttp import web

from tests.e2e_support import free_port
from tests.gateway.sources.exposition import ORDERS_RATE, start_stack, stop_stack
from warroom.gateway.sources.promql import (
    GET_LIMIT,
    MAX_POINTS,
    PromClient,
    PromError,
    parse_vector,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    target, prom = start_stack(tmp_path_factory.mktemp("prom"))
    try:
        yield prom
    finally:
        stop_stack(target, prom)


@pytest.fixture
async def client(stack):
    c = PromClient(stack.url, timeout_s=5)
    yield c
    await c.close()


# -- a real Prometheus -------------------------------------------------------------------------
async def test_nan_and_inf_samples_are_read(client) -> None:
    got = {s.labels["k"]: s.value for s in await client.query("weird_gauge")}
    assert math.isnan(got["nan"]) and got["inf"] == math.inf and got["one"] == 1.0


async def test_scalar_and_evaluation_time(client) -> None:
    at = time.time() - 1.0
    [sample] = await client.query("1 + 1", at=at)
    assert sample.labels == {} and sample.value == 2.0 and sample.ts_ms == round(at * 1000)


async def test_rate_of_a_scraped_counter(client) -> None:
    [sample] = await client.query("rate(shop_orders_total[5s])")
    assert sample.value == pytest.approx(ORDERS_RATE, rel=0.05)


async def test_long_query_is_posted_and_answered(client) -> None:
    expr = "shop_orders_total" + " + 0" * (GET_LIMIT // 3)
    [sample] = await client.query(expr)
    assert sample.value > 0


async def test_prometheus_error_message_is_kept(client) -> None:
    with pytest.raises(PromError) as err:
        await client.query("sum(rate(shop_orders_total[5s])")
    assert err.value.kind == "bad_data" and err.value.status == 400
    assert "parse error" in str(err.value)


async def test_range_over_the_point_limit_is_split(client) -> None:
    end = time.time() - 1.0
    start = end - 12.0  # 12,001 steps of 1 ms: over Prometheus's 11,000 points per request
    before = client.requests
    [series] = await client.query_range("vector(1)", start, end, 0.001)
    assert client.requests - before == 2
    ts = [t for t, _ in series.points]
    assert len(ts) == 12_001 and ts[0] == round(start * 1000) and ts[-1] == round(end * 1000)
    assert all(b - a == 1 for a, b in itertools.pairwise(ts))  # no gap, no duplicate at the seam
    assert {v for _, v in series.points} == {1.0}


async def test_range_of_a_counter(client) -> None:
    end = time.time()
    series = await client.query_range("rate(shop_orders_total[5s])", end - 3, end, 1)
    [only] = series
    assert len(only.points) == 4 and only.labels == {"instance": only.labels["instance"], "job": "warroom-test"}


# -- a fake for the faults ------------------------------------------------------------------------
class Fake:
    """An HTTP server that answers /api/v1/* the way ``mode`` says, and records requests."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.seen: list[tuple[str, dict, dict]] = []  # method, params (query + form), headers

    async def handle(self, request: web.Request) -> web.StreamResponse:
        params = dict(request.query)
        if request.method == "POST":
            params.update(await request.post())
        self.seen.append((request.method, params, dict(request.headers)))
        mode = self.mode
        if mode == "ok":
            return web.json_response({"status": "success", "warnings": ["partial answer"], "data": {
                "resultType": "vector", "result": [{"metric": {"a": "b"}, "value": [1700000000.5, "NaN"]}]}})
        if mode == "garbage":
            return web.Response(text="<html>the proxy says hello</html>", content_type="text/html")
        if mode == "html502":
            return web.Response(status=502, text="<html><h1>502 Bad Gateway</h1></html>", content_type="text/html")
        if mode == "huge":
            return web.Response(body=b"[" + b"1," * 100_000 + b"1]", content_type="application/json")
        if mode == "huge_chunked":
            resp = web.StreamResponse()
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            for _ in range(50):
                await resp.write(b"x" * 10_000)
            await resp.write_eof()
            return resp
        if mode == "slow":
            await asyncio.sleep(3)
            return web.json_response({"status": "success", "data": {"resultType": "vector", "result": []}})
        if mode == "503":
            return web.json_response({"status": "error", "errorType": "timeout",
                                      "error": "query timed out in query execution"}, status=503)
        if mode == "422":
            return web.json_response({"status": "error", "errorType": "execution",
                                      "error": "query processing would load too many samples into memory"},
                                     status=422)
        if mode == "shape":
            return web.json_response({"status": "success", "data": {"resultType": "vector", "result": "x"}})
        if mode == "matrix":
            return web.json_response({"status": "success", "data": {"resultType": "matrix", "result": []}})
        raise AssertionError(mode)


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


async def _fault(fake: Fake, mode: str, **kw) -> PromError:
    fake.mode = mode
    c = PromClient(fake.url, **{"timeout_s": 2, **kw})
    try:
        with pytest.raises(PromError) as err:
            await c.query("up")
        return err.value
    finally:
        await c.close()


async def test_ok_answer_keeps_warnings_and_sends_the_bearer(fake) -> None:
    c = PromClient(fake.url, timeout_s=2, bearer="s3cret")
    try:
        [s] = await c.query("up")
        assert math.isnan(s.value) and s.ts_ms == 1700000000500
        assert c.warnings == ["partial answer"]
        method, params, headers = fake.seen[-1]
        assert method == "GET" and headers["Authorization"] == "Bearer s3cret"
        assert params["query"] == "up" and params["timeout"] == "1800ms"
        long_expr = "up" + " + 0" * GET_LIMIT
        await c.query(long_expr)
        method, params, headers = fake.seen[-1]
        assert method == "POST" and params["query"] == long_expr
    finally:
        await c.close()


@pytest.mark.parametrize(("mode", "kind", "text"), [
    ("garbage", "bad_response", "not JSON: <html>the proxy says hello"),
    ("html502", "http", "HTTP 502"),
    ("503", "timeout", "query timed out in query execution"),
    ("422", "http", "execution: query processing would load too many samples"),
    ("shape", "bad_response", "unexpected answer"),
    ("matrix", "bad_response", "resultType 'matrix'"),
])
async def test_bad_answers(fake, mode, kind, text) -> None:
    err = await _fault(fake, mode)
    assert err.kind == kind and text in str(err)


async def test_huge_answers_are_not_read(fake) -> None:
    for mode in ("huge", "huge_chunked"):
        err = await _fault(fake, mode, max_bytes=64 * 1024)
        assert err.kind == "too_large", mode


async def test_slow_answer_times_out(fake) -> None:
    err = await _fault(fake, "slow", timeout_s=0.3)
    assert err.kind == "timeout" and "0.3 s" in str(err)


async def test_unreachable() -> None:
    c = PromClient(f"http://bob:hunter2@127.0.0.1:{free_port()}", timeout_s=2)
    try:
        with pytest.raises(PromError) as err:
            await c.query("up")
        assert err.value.kind == "unreachable" and "cannot connect to http://127.0.0.1:" in str(err.value)
        assert str(err.value).endswith("Connection refused"), str(err.value)  # plain words, not asyncio's
        assert "hunter2" not in str(err.value)
        with pytest.raises(PromError):
            await c.query_range("up", 0, 10, 1)
    finally:
        await c.close()


def test_parse_rejects_wrong_shapes() -> None:
    for data in (None, [], {"resultType": "string", "result": [1, "x"]}, {"resultType": "vector", "result": [{}]},
                 {"resultType": "vector", "result": [{"metric": {}, "value": [1, 2]}]}):
        with pytest.raises((ValueError, KeyError, TypeError)):
            parse_vector(data)
    assert MAX_POINTS == 11_000
    assert json.dumps([s.value for s in parse_vector({"resultType": "vector", "result": [
        {"metric": {}, "value": [1, "-Inf"]}, {"metric": {}, "value": [1, "+Inf"]}]})]) == "[-Infinity, Infinity]"
